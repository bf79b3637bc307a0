//! `extract`: bytes and a source configuration in, rows, claims and warnings out. Pure: no
//! I/O, no clock, no network.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use gapwatch_model::{Claim, Fact, Settings, Subject};
use serde::{Deserialize, Serialize};

use crate::config::{FieldRef, Format, SourceConfig};
use crate::mapping::{MapContext, NO_MODEL, map_record};
use crate::record::{Cells, PathCache, Record};
use crate::{IngestError, csv_table, html, markdown, tree};

/// How a row note about a repeated result starts.
const DUPLICATE: &str = "same subject, settings and benchmark";

/// Bumped whenever an adapter would extract different claims from the same bytes and
/// configuration, so that stored snapshots can be extracted again.
pub const ADAPTER_VERSION: &str = "1";

/// What one run of a source's adapter found in one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// Every claim, in row order.
    pub claims: Vec<Claim>,
    /// One report per row found, skipped rows included.
    pub rows: Vec<RowReport>,
    /// Everything a person should look at: structure problems and row problems.
    pub warnings: Vec<Warning>,
    /// Whether the snapshot held data at all.
    pub structure: Structure,
}

impl Extraction {
    /// Rows that produced at least one score claim.
    pub fn score_rows(&self) -> usize {
        self.rows.iter().filter(|r| r.scores > 0).count()
    }
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowReport {
    /// Where the row is in the snapshot.
    pub locator: String,
    /// The subject's name as cleaned, when the row has one.
    pub subject: Option<String>,
    /// Claims taken from the row (scores and access).
    pub claims: usize,
    /// Score claims among them.
    pub scores: usize,
    /// Why the row gave nothing, when it was skipped on purpose (`human baseline`).
    pub skipped: Option<String>,
    /// Problems with the row.
    pub warnings: Vec<String>,
}

/// Something a person should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The row or table concerned, when there is one.
    pub locator: Option<String>,
    /// What is wrong, with its reason.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.locator {
            Some(l) => write!(f, "{l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Whether the snapshot held data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Structure {
    /// Rows were found.
    Data,
    /// No rows: the reason says why (`0 rows: client-rendered table #leaderboard-table`).
    Empty {
        /// Why there is nothing.
        reason: String,
    },
}

/// The "no silent nothing" check: a warning when the row count fell by more than half
/// against the source's last good snapshot. Earlier claims stand either way.
///
/// ```
/// use gapwatch_ingest::compare_row_counts;
///
/// assert!(compare_row_counts(Some(211), 0).is_some());
/// assert!(compare_row_counts(Some(211), 100).is_some());
/// assert!(compare_row_counts(Some(211), 106).is_none());
/// assert!(compare_row_counts(None, 0).is_none());
/// ```
pub fn compare_row_counts(previous_rows: Option<usize>, current_rows: usize) -> Option<Warning> {
    let previous = previous_rows?;
    (previous > 0 && current_rows.saturating_mul(2) < previous).then(|| Warning {
        locator: None,
        message: format!(
            "{current_rows} rows where the last good snapshot had {previous}: more than half \
             are gone, so the page may have changed structure"
        ),
    })
}

/// What an extraction may know about the file besides its bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtractOptions<'a> {
    /// The file's name (an imported file's, or the last segment of the URL fetched), read by
    /// `[[source.file_setting]]` rules with a `file_name` pattern.
    pub file_name: Option<&'a str>,
}

/// Extracts rows and claims from one snapshot of a source.
///
/// An error means the bytes cannot be read in the source's format at all (invalid JSON,
/// over the size limit) or the configuration is invalid; problems with single rows are
/// warnings, and a snapshot without rows is [`Structure::Empty`] with its reason.
pub fn extract(source: &SourceConfig, bytes: &[u8]) -> Result<Extraction, IngestError> {
    extract_with(source, bytes, &ExtractOptions::default())
}

/// [`extract`], knowing the file's name (for settings that depend on it).
pub fn extract_with(
    source: &SourceConfig,
    bytes: &[u8],
    options: &ExtractOptions<'_>,
) -> Result<Extraction, IngestError> {
    source.validate()?;
    let finish = |source: &SourceConfig,
                  records: Vec<Record<'_>>,
                  empty_reason: Option<String>,
                  warnings: Vec<Warning>| {
        finish(source, records, empty_reason, warnings, options)
    };
    let unreadable = |message: String| IngestError::Unreadable {
        source_id: source.id.clone(),
        message,
    };
    let limit = source.byte_limit();
    if bytes.len() as u64 > limit {
        return Err(unreadable(format!(
            "the input is {} bytes, over the limit of {limit} bytes (raise `max_bytes` if this is really the leaderboard)",
            bytes.len()
        )));
    }
    let mut warnings: Vec<Warning> = Vec::new();
    let file_warning = |warnings: &mut Vec<Warning>, message: String| {
        warnings.push(Warning {
            locator: None,
            message,
        });
    };
    match source.format {
        Format::Json | Format::Yaml => {
            let text = strict_utf8(bytes).map_err(unreadable)?;
            let converted;
            let text = if source.javascript {
                converted = crate::js_literal::to_json(text).map_err(unreadable)?;
                converted.as_str()
            } else {
                text
            };
            let root = if source.format == Format::Json {
                tree::parse_json(text)
            } else {
                tree::parse_yaml(text)
            }
            .map_err(unreadable)?;
            let rows = tree::records(source, &root).map_err(unreadable)?;
            for w in rows.warnings {
                file_warning(&mut warnings, w);
            }
            Ok(finish(source, rows.records, rows.empty_reason, warnings))
        }
        Format::HtmlEmbeddedJson => {
            let text = lossy_utf8(bytes, &mut warnings);
            let doc = scraper::Html::parse_document(&text);
            let selector = source.script.as_deref().unwrap_or("script");
            let script = html::script_text(&doc, selector).map_err(unreadable)?;
            drop(text);
            let Some(script) = script else {
                let reason = format!("0 rows: no element matches {selector:?}");
                file_warning(
                    &mut warnings,
                    format!("selector {selector:?} matched nothing"),
                );
                return Ok(finish(source, Vec::new(), Some(reason), warnings));
            };
            drop(doc);
            let root = if source.javascript {
                crate::js_literal::to_json(&script).and_then(|json| tree::parse_json(&json))
            } else {
                tree::parse_script_json(&script)
            }
            .map_err(|e| unreadable(format!("{selector}: {e}")))?;
            let rows = tree::records(source, &root).map_err(unreadable)?;
            for w in rows.warnings {
                file_warning(&mut warnings, w);
            }
            Ok(finish(source, rows.records, rows.empty_reason, warnings))
        }
        Format::Html => {
            let text = lossy_utf8(bytes, &mut warnings);
            let doc = scraper::Html::parse_document(&text);
            drop(text);
            let rows = html::records(&doc, source).map_err(unreadable)?;
            drop(doc);
            for w in rows.warnings {
                file_warning(&mut warnings, w);
            }
            Ok(finish(source, rows.records, rows.empty_reason, warnings))
        }
        Format::Csv => {
            // Checked by `validate`: one ASCII character.
            let delimiter = u8::try_from(source.delimiter.unwrap_or(',')).unwrap_or(b',');
            let rows = csv_table::records(bytes, delimiter).map_err(unreadable)?;
            for w in rows.warnings {
                file_warning(&mut warnings, w);
            }
            Ok(finish(source, rows.records, rows.empty_reason, warnings))
        }
        Format::Markdown => {
            let text = lossy_utf8(bytes, &mut warnings);
            let rows = markdown::records(&text, source.heading.as_deref());
            Ok(finish(source, rows.records, rows.empty_reason, warnings))
        }
        Format::ModelCard => {
            let text = lossy_utf8(bytes, &mut warnings);
            // Checked by `validate`: a model-card source has its card.
            let Some(card) = &source.card else {
                return Err(unreadable(
                    "a model-card source needs [source.card]".to_owned(),
                ));
            };
            Ok(finish_card(
                crate::card::extract(source, card, &text),
                warnings,
            ))
        }
        Format::Article => {
            let text = lossy_utf8(bytes, &mut warnings);
            // Checked by `validate`: an article source has its article.
            let Some(article) = &source.article else {
                return Err(unreadable(
                    "an article source needs [source.article]".to_owned(),
                ));
            };
            crate::article::extract(&source.id, article, &text, warnings)
        }
    }
}

fn strict_utf8(bytes: &[u8]) -> Result<&str, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes)
        .map_err(|e| format!("not valid UTF-8: bad byte at offset {}", e.valid_up_to()))
}

fn lossy_utf8<'b>(bytes: &'b [u8], warnings: &mut Vec<Warning>) -> Cow<'b, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(e) => {
            warnings.push(Warning {
                locator: None,
                message: format!(
                    "not valid UTF-8 from byte {}: bad bytes replaced with U+FFFD",
                    e.valid_up_to()
                ),
            });
            String::from_utf8_lossy(bytes)
        }
    }
}

/// Maps the rows, checks the header against the mapping, and sums up.
fn finish(
    source: &SourceConfig,
    records: Vec<Record<'_>>,
    empty_reason: Option<String>,
    mut warnings: Vec<Warning>,
    options: &ExtractOptions<'_>,
) -> Extraction {
    if records.is_empty() {
        let reason = empty_reason.unwrap_or_else(|| "0 rows".to_owned());
        warnings.push(Warning {
            locator: None,
            message: reason.clone(),
        });
        return Extraction {
            claims: Vec::new(),
            rows: Vec::new(),
            warnings,
            structure: Structure::Empty { reason },
        };
    }
    check_header(source, &records, &mut warnings);
    let header = match records.first().map(|r| &r.cells) {
        Some(Cells::Table { header, .. }) => Some(header.as_ref()),
        _ => None,
    };
    let constants =
        crate::file_settings::file_constants(source, options.file_name, header, &mut warnings);
    let derived = usable_derived(source, header, &constants, &mut warnings);
    let context = MapContext { constants, derived };
    let mut paths = PathCache::default();
    let mut claims = Vec::new();
    let mut rows = Vec::with_capacity(records.len());
    let mut seen: HashMap<(Subject, String, String, Settings), String> = HashMap::new();
    let mut without_models: Vec<(String, String)> = Vec::new();
    for rec in &records {
        let mut outcome = map_record(source, rec, &mut paths, &context);
        if outcome
            .report
            .warnings
            .iter()
            .any(|w| w.starts_with(NO_MODEL))
        {
            without_models.push((
                rec.locator.clone(),
                outcome.report.subject.clone().unwrap_or_default(),
            ));
        }
        for claim in &outcome.claims {
            if let Fact::Score(s) = &claim.fact {
                let key = (
                    claim.subject.clone(),
                    s.benchmark.clone(),
                    s.variant.clone(),
                    s.settings.clone(),
                );
                if let Some(first) = seen.get(&key) {
                    if *first != rec.locator {
                        let note = format!("{DUPLICATE} {} as {first}", s.benchmark);
                        if !outcome.report.warnings.contains(&note) {
                            outcome.report.warnings.push(note);
                        }
                    }
                } else {
                    seen.insert(key, rec.locator.clone());
                }
            }
        }
        // Row problems are run warnings too; a duplicate is a note on the row only, and
        // systems without models are summed up in one warning below.
        for w in outcome
            .report
            .warnings
            .iter()
            .filter(|w| !w.starts_with(DUPLICATE) && !w.starts_with(NO_MODEL))
        {
            warnings.push(Warning {
                locator: Some(rec.locator.clone()),
                message: w.clone(),
            });
        }
        claims.append(&mut outcome.claims);
        rows.push(outcome.report);
    }
    if let Some((locator, name)) = without_models.first() {
        let systems = rows.iter().filter(|r| r.skipped.is_none()).count();
        warnings.push(Warning {
            locator: None,
            message: format!(
                "{} of {systems} rows are systems that name no model (the first: {locator} {name:?}): \
                 their results count only if the registry knows the system by that name; \
                 `system_separator`, `models`, `model_tags` or `parenthesized_model` find a system's models",
                without_models.len()
            ),
        });
    }
    let extraction = Extraction {
        claims,
        rows,
        warnings,
        structure: Structure::Data,
    };
    let mut extraction = extraction;
    let unexplained = extraction.rows.iter().any(|r| r.skipped.is_none());
    if extraction.claims.is_empty() && unexplained {
        extraction.warnings.push(Warning {
            locator: None,
            message: format!(
                "{} rows and no claims: the mapping may no longer fit the source",
                extraction.rows.len()
            ),
        });
    }
    extraction
}

/// Sums up a model card's rows, as [`finish`] does for the other formats.
fn finish_card(card: crate::card::CardRows, mut warnings: Vec<Warning>) -> Extraction {
    warnings.extend(card.warnings);
    let structure = match card.empty_reason {
        Some(reason) if card.rows.is_empty() => {
            warnings.push(Warning {
                locator: None,
                message: reason.clone(),
            });
            Structure::Empty { reason }
        }
        _ => Structure::Data,
    };
    let unexplained = card.rows.iter().any(|r| r.skipped.is_none());
    if card.claims.is_empty() && unexplained {
        warnings.push(Warning {
            locator: None,
            message: format!(
                "{} rows and no claims: the mapping may no longer fit the card",
                card.rows.len()
            ),
        });
    }
    Extraction {
        claims: card.claims,
        rows: card.rows,
        warnings,
        structure,
    }
}

/// For tables: warns once when a mapped column is in no header, which is how a renamed
/// column would otherwise go unnoticed.
fn check_header(source: &SourceConfig, records: &[Record<'_>], warnings: &mut Vec<Warning>) {
    let Some(Record {
        cells: Cells::Table { header, .. },
        ..
    }) = records.first()
    else {
        return;
    };
    let mut wanted = vec![("name", &source.subject.name)];
    for s in source.scores.iter().filter(|s| !s.optional) {
        wanted.push(("score", &s.field));
    }
    for (what, spec) in wanted {
        let found = spec.0.iter().any(|r| match r {
            FieldRef::Name(n) if n.starts_with('@') => true,
            FieldRef::Name(n) => {
                let key = crate::record::fold(n);
                header
                    .names()
                    .iter()
                    .any(|h| *h == key || h.rsplit(" / ").next() == Some(key.as_str()))
            }
            FieldRef::Position(p) => *p <= header.len(),
        });
        if !found {
            warnings.push(Warning {
                locator: None,
                message: format!(
                    "no column matches the {what} field {spec}; the header is: {}",
                    header.names().join(" | ")
                ),
            });
        }
    }
}

/// The derived scores that can be computed from this file: their groups are loaded and, in a
/// table, every input column is in the header. Each one that cannot is one warning, rather
/// than a note on every row.
fn usable_derived<'s>(
    source: &'s SourceConfig,
    header: Option<&crate::record::Header>,
    constants: &Settings,
    warnings: &mut Vec<Warning>,
) -> Vec<&'s crate::DerivedScore> {
    let mut usable = Vec::new();
    for d in source.derived.iter().filter(|d| d.applies(constants)) {
        if d.columns.is_empty() && d.groups.is_empty() {
            warnings.push(Warning {
                locator: None,
                message: format!(
                    "derived {} score: its groups_file {:?} was not loaded, so it is not computed",
                    d.benchmark,
                    d.groups_file.as_deref().unwrap_or_default()
                ),
            });
            continue;
        }
        if let Some(header) = header {
            let missing: Vec<String> = d
                .inputs()
                .filter(|c| !header.has(c))
                .map(|c| format!("{c:?}"))
                .collect();
            if !missing.is_empty() {
                warnings.push(Warning {
                    locator: None,
                    message: format!(
                        "derived {} score not computed: no column matches {}; the header is: {}",
                        d.benchmark,
                        missing.join(", "),
                        header.names().join(" | ")
                    ),
                });
                continue;
            }
        }
        usable.push(d);
    }
    usable
}
