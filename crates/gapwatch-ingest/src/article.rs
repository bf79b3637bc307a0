//! Articles: a page (news, a blog post, an evaluator's report) whose claims are recorded by
//! hand with the sentence that makes each one. Every quote is checked against the page's
//! text, and a claim is emitted only when its quote is there: a quote the page does not hold
//! refuses the whole snapshot, naming the evidence file, the claim and the quote.
//!
//! The text of a page is what a reader sees: tags stripped (scripts and styles dropped), HTML
//! entities decoded, typographic quotes and apostrophes folded to plain ones, and runs of
//! whitespace folded to one space. A quote is normalized the same way and must appear in that
//! text as one run.

use std::collections::{BTreeMap, HashSet};

use gapwatch_model::{Access, Claim, Date, Evaluator, Fact, Score, Settings, Subject, Unit};
use serde::{Deserialize, Serialize};

use crate::{Extraction, IngestError, RowReport, Structure, Warning};

/// An article's date and the claims it quotes (`[source.article]`, or the `[article]` and
/// `[[claim]]` tables of an evidence file).
///
/// Two entries are equal when they say the same; the file each was read from is not part of
/// it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleConfig {
    /// When the article was published: its claims count from this date unless one gives its
    /// own.
    pub published: Date,
    /// Who wrote it, when the page says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The claims it makes, each with the sentence that makes it.
    #[serde(default, rename = "claim", skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<ArticleClaim>,
    /// The file the entry was read from, named when a quote is refused. Set when a sources or
    /// evidence file is read; not part of the file itself.
    #[serde(skip)]
    pub evidence_file: Option<String>,
}

/// One claim of an article: the quoted sentence and the structured claim it makes
/// (`[[claim]]`). Without a figure (`benchmark` and `value`, or `access`) it is a quote only:
/// checked like the others, giving no claim (a perspective may cite such words).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleClaim {
    /// Short id, unique within the article: `r1-gpqa`.
    pub id: String,
    /// The sentence (or part of one) as the page prints it.
    pub quote: String,
    /// The model the claim is about, as the article names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The system (a scaffold or agent) the claim is about, instead of a plain model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The system's models.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    /// The benchmark's registry id, for a score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<String>,
    /// The split or variant, empty for the main one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
    /// What is measured. Default `as quoted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// The figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Its unit. Default percent.
    #[serde(default = "percent")]
    pub unit: Unit,
    /// Settings the article states (attempts, tools, thinking budget).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: Settings,
    /// Access, for a claim about a model's weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    /// The license the article names, with `access`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Who stated the figure: `third-party` (an independent run the article reports),
    /// `self-reported` (the lab about its own model) or `competitor-reported` (a lab about
    /// another lab's model). Required with a figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_by: Option<Evaluator>,
    /// The result's own date, when the article gives one; default the article's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

impl PartialEq for ArticleConfig {
    fn eq(&self, other: &Self) -> bool {
        (self.published, &self.author, &self.claims)
            == (other.published, &other.author, &other.claims)
    }
}

fn percent() -> Unit {
    Unit::Percent
}

impl ArticleClaim {
    /// Whether the entry makes a claim, rather than only quoting words.
    pub fn has_figure(&self) -> bool {
        self.benchmark.is_some() || self.value.is_some() || self.access.is_some()
    }

    fn subject(&self) -> Option<Subject> {
        match (&self.system, &self.model) {
            (Some(system), _) => {
                let models: Vec<String> = if self.models.is_empty() {
                    self.model.iter().cloned().collect()
                } else {
                    self.models.clone()
                };
                let name = if models.is_empty() {
                    system.clone()
                } else {
                    format!("{system} ({})", models.join(" + "))
                };
                Some(Subject::system(name, system.clone(), models))
            }
            (None, Some(model)) => Some(Subject::model(model.clone())),
            (None, None) => None,
        }
    }

    /// Where the claim is in the snapshot: its id and its quote.
    pub fn locator(&self) -> String {
        format!(
            "claim {:?}: \u{201c}{}\u{201d}",
            self.id,
            normalize(&self.quote)
        )
    }
}

impl ArticleConfig {
    /// Checks the entries: ids unique, quotes not empty, each figure complete.
    pub(crate) fn check(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        for c in &self.claims {
            let fail = |m: &str| Err(format!("claim {:?}: {m}", c.id));
            if c.id.trim().is_empty() {
                return Err("every [[claim]] needs an `id`".to_owned());
            }
            if !ids.insert(c.id.as_str()) {
                return fail("the id is used by an earlier claim too");
            }
            if normalize(&c.quote).is_empty() {
                return fail("the quote is empty");
            }
            if !c.has_figure() {
                if c.model.is_some() || c.system.is_some() || c.stated_by.is_some() {
                    return fail(
                        "names a subject or who stated it but no figure: give `benchmark` and `value`, or `access`",
                    );
                }
                continue;
            }
            if c.subject().is_none() {
                return fail("a claim needs a `model` (or a `system`)");
            }
            match (&c.benchmark, c.value, c.access) {
                (Some(b), Some(v), None) if !b.trim().is_empty() && v.is_finite() => {}
                (None, None, Some(_)) => {}
                (Some(_), Some(_), Some(_)) => {
                    return fail("one claim is a score or an access statement, not both");
                }
                _ => return fail("a score needs both `benchmark` and `value`"),
            }
            if c.stated_by.is_none() {
                return fail(
                    "say who stated the figure: stated_by = \"third-party\", \"self-reported\" or \"competitor-reported\"",
                );
            }
        }
        Ok(())
    }
}

/// An evidence file: one article, its page's source entry and its quoted claims.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceFile {
    article: ArticleHead,
    #[serde(default, rename = "claim")]
    claims: Vec<ArticleClaim>,
}

/// The `[article]` table of an evidence file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleHead {
    id: String,
    publisher: String,
    title: String,
    url: String,
    published: Date,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    notes: Option<String>,
}

/// Reads an evidence file (`[article]` with the page's id, publisher, title, URL and date,
/// then its `[[claim]]`s) into the article source it describes, checked as a sources file's
/// entries are. `origin` names the file in errors and in refused quotes.
///
/// ```
/// use gapwatch_ingest::{Format, read_evidence_file};
///
/// let source = read_evidence_file(r#"
///     [article]
///     id = "article-lag"
///     publisher = "Example News"
///     title = "Open models catch up"
///     url = "https://example.org/lag.html"
///     published = "2025-10-30"
///
///     [[claim]]
///     id = "r1-gpqa"
///     quote = "DeepSeek reports 71.5% on GPQA Diamond for DeepSeek-R1"
///     model = "DeepSeek-R1"
///     benchmark = "gpqa-diamond"
///     value = 71.5
///     stated_by = "self-reported"
/// "#, "evidence/lag.toml")?;
/// assert_eq!(source.format, Format::Article);
/// let article = source.article.as_ref().unwrap();
/// assert_eq!(article.evidence_file.as_deref(), Some("evidence/lag.toml"));
/// # Ok::<(), gapwatch_ingest::IngestError>(())
/// ```
pub fn read_evidence_file(text: &str, origin: &str) -> Result<crate::SourceConfig, IngestError> {
    let file_error = |message: String| IngestError::SourcesFile {
        origin: origin.to_owned(),
        message,
    };
    let file: EvidenceFile =
        toml::from_str(text).map_err(|e| file_error(e.to_string().trim_end().to_owned()))?;
    let head = file.article;
    let mut entry = toml::Table::new();
    for (key, value) in [
        ("id", Some(head.id)),
        ("publisher", Some(head.publisher)),
        ("title", Some(head.title)),
        ("url", Some(head.url)),
        ("format", Some("article".to_owned())),
        ("notes", head.notes),
    ] {
        if let Some(value) = value {
            entry.insert(key.to_owned(), toml::Value::String(value));
        }
    }
    let mut source: crate::SourceConfig = toml::Value::Table(entry)
        .try_into()
        .map_err(|e: toml::de::Error| file_error(e.to_string().trim_end().to_owned()))?;
    source.article = Some(ArticleConfig {
        published: head.published,
        author: head.author,
        claims: file.claims,
        evidence_file: Some(origin.to_owned()),
    });
    source.validate_in(origin)?;
    Ok(source)
}

/// Extracts an article's claims: each entry is a row; its claim is emitted only when its
/// quote is in the page's text. A missing quote is an error naming the evidence file, the
/// claim and the quote: nothing of the snapshot is kept.
pub(crate) fn extract(
    source_id: &str,
    article: &ArticleConfig,
    text: &str,
    mut warnings: Vec<Warning>,
) -> Result<Extraction, IngestError> {
    let page = page_text(text);
    let mut claims = Vec::new();
    let mut rows = Vec::new();
    for c in &article.claims {
        let quote = normalize(&quote_text(&c.quote));
        if !page.contains(&quote) {
            return Err(IngestError::QuoteNotFound {
                source_id: source_id.to_owned(),
                evidence_file: article
                    .evidence_file
                    .clone()
                    .unwrap_or_else(|| "configuration".to_owned()),
                claim: c.id.clone(),
                quote,
            });
        }
        let locator = c.locator();
        let claim = c.subject().and_then(|subject| {
            let fact = match (&c.benchmark, c.value, c.access) {
                (Some(benchmark), Some(value), _) => Fact::Score(Score {
                    benchmark: benchmark.clone(),
                    variant: c.variant.clone(),
                    metric: c.metric.clone().unwrap_or_else(|| "as quoted".to_owned()),
                    settings: c.settings.clone(),
                    value,
                    unit: c.unit,
                    uncertainty: None,
                }),
                (_, _, Some(access)) => Fact::Access {
                    access,
                    license: c.license.clone(),
                },
                _ => return None,
            };
            Some(Claim {
                subject,
                fact,
                reported_on: Some(c.date.unwrap_or(article.published)),
                evaluator: c.stated_by.unwrap_or(Evaluator::Unknown),
                locator: locator.clone(),
            })
        });
        let scores = usize::from(claim.as_ref().is_some_and(|c| c.score().is_some()));
        rows.push(RowReport {
            locator,
            subject: claim.as_ref().map(|c| c.subject.name.clone()),
            claims: usize::from(claim.is_some()),
            scores,
            skipped: claim
                .is_none()
                .then(|| "a quote without a figure".to_owned()),
            warnings: Vec::new(),
        });
        claims.extend(claim);
    }
    let structure = if rows.is_empty() {
        let reason = "0 rows: the article lists no [[claim]]".to_owned();
        warnings.push(Warning {
            locator: None,
            message: reason.clone(),
        });
        Structure::Empty { reason }
    } else {
        Structure::Data
    };
    Ok(Extraction {
        claims,
        rows,
        warnings,
        structure,
    })
}

/// Elements whose text starts and ends a block: text on either side of them is never one
/// word.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Elements whose text is never read.
const UNREAD: &[&str] = &["script", "style", "noscript", "template", "head"];

/// The text of a page as a reader sees it, normalized as quotes are compared: tags stripped,
/// scripts and styles dropped, entities decoded, typographic quotes folded, whitespace
/// folded. Text that is not HTML (a Markdown card) reads as itself.
///
/// ```
/// use gapwatch_ingest::page_text;
///
/// let html = "<p>Open&nbsp;models <em>lag</em> by about&#32;three\n months.</p><p>Next</p>";
/// assert_eq!(page_text(html), "Open models lag by about three months. Next");
/// ```
pub fn page_text(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let mut raw = String::with_capacity(html.len() / 2);
    walk(doc.root_element(), &mut raw);
    normalize(&raw)
}

fn walk(element: scraper::ElementRef<'_>, out: &mut String) {
    for child in element.children() {
        if let Some(el) = scraper::ElementRef::wrap(child) {
            let name = el.value().name();
            if UNREAD.contains(&name) {
                continue;
            }
            let block = BLOCKS.contains(&name);
            if block {
                out.push(' ');
            }
            walk(el, out);
            if block {
                out.push(' ');
            }
        } else if let scraper::Node::Text(text) = child.value() {
            out.push_str(text);
        }
    }
}

/// A quote as written in an evidence file, with any entity or tag it holds read as a page
/// would be.
fn quote_text(quote: &str) -> String {
    if quote.contains('&') || quote.contains('<') {
        let fragment = scraper::Html::parse_fragment(quote);
        fragment.root_element().text().collect()
    } else {
        quote.to_owned()
    }
}

/// Whether `quote` (as an evidence or story file writes it) is in the page `text` (as
/// [`page_text`] gives it).
///
/// ```
/// use gapwatch_ingest::{contains_quote, page_text};
///
/// let page = page_text("<p>\u{201c}We\u{2019}re about   three months behind,\u{201d} she said.</p>");
/// assert!(contains_quote(&page, "We're about three months behind"));
/// assert!(contains_quote(&page, "We&rsquo;re about three months"));
/// assert!(!contains_quote(&page, "about four months behind"));
/// ```
pub fn contains_quote(text: &str, quote: &str) -> bool {
    let quote = normalize(&quote_text(quote));
    !quote.is_empty() && text.contains(&quote)
}

/// Folds typographic quotes and apostrophes to plain ones, drops soft hyphens and
/// zero-width characters, and folds every run of whitespace (no-break spaces included) to one
/// space, trimmed.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for ch in text.chars() {
        let ch = match ch {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' => '"',
            '\u{00ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => {
                continue;
            }
            c => c,
        };
        if ch.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_separate_words_and_inline_elements_do_not() {
        let html = "<html><head><title>T</title><style>p{}</style></head><body>\
            <h1>Title</h1><p>open-<em>weight</em> models</p><script>var x = 'no';</script>\
            <ul><li>one</li><li>two</li></ul>a<br>b</body></html>";
        assert_eq!(page_text(html), "Title open-weight models one two a b");
    }

    #[test]
    fn normalization_folds_quotes_spaces_and_invisible_characters() {
        assert_eq!(
            normalize("  \u{201c}It\u{2019}s\u{00a0}\u{00a0}fine,\u{201d}\n\tshe\u{00ad} said "),
            "\"It's fine,\" she said"
        );
        assert_eq!(quote_text("A &amp; B <b>bold</b>"), "A & B bold");
    }
}
