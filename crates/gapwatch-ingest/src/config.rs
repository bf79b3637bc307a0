//! The source configuration format: a TOML file of `[[source]]` entries, each saying where a
//! leaderboard's rows are and how to read names, scores, settings, dates and access flags.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use gapwatch_model::{DateOrder, Evaluator, Unit};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::IngestError;

/// The largest input `extract` reads unless a source sets `max_bytes`: 64 MiB. The largest
/// real leaderboard file seen is about 4 MB; anything far larger is a wrong URL or a dump.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// A file of source entries, as written in `sources.toml`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    /// The sources, in file order.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
}

impl SourcesFile {
    /// Reads and checks a sources file: ids are unique and well formed, every JSONPath and
    /// CSS selector parses, and every source maps at least a subject. `origin` names the
    /// file in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<SourcesFile, IngestError> {
        let file: SourcesFile = toml::from_str(text).map_err(|e| IngestError::SourcesFile {
            origin: origin.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let mut file = file;
        for source in &mut file.sources {
            if let Some(article) = &mut source.article {
                article.evidence_file = Some(origin.to_owned());
            }
        }
        let mut seen = HashSet::new();
        for source in &file.sources {
            if !seen.insert(source.id.as_str()) {
                return Err(IngestError::InvalidSource {
                    origin: origin.to_owned(),
                    source_id: source.id.clone(),
                    message: "the id is used by an earlier source too".to_owned(),
                });
            }
            source.validate_in(origin)?;
        }
        Ok(file)
    }

    /// The source with this id.
    pub fn get(&self, id: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// The format of a source's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `<table>` elements in an HTML page, found with CSS selectors.
    Html,
    /// JSON inside a `<script>` element of an HTML page.
    HtmlEmbeddedJson,
    /// A JSON document, rows found with JSONPath (RFC 9535).
    Json,
    /// Comma-separated values with a header row.
    Csv,
    /// A YAML document, rows found with JSONPath as for JSON.
    Yaml,
    /// A GitHub-flavoured Markdown table in a document.
    Markdown,
    /// A lab's model card: Markdown with GFM and HTML tables of its own and competitors'
    /// scores, read as `[source.card]` says.
    ModelCard,
    /// An article (an HTML page) whose claims are recorded by hand with the sentence that
    /// makes each one (`[source.article]`, or an evidence file); every quote is checked
    /// against the page's text.
    Article,
}

impl Format {
    /// The name used in `sources.toml`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::HtmlEmbeddedJson => "html-embedded-json",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Yaml => "yaml",
            Format::Markdown => "markdown",
            Format::ModelCard => "model-card",
            Format::Article => "article",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One configured leaderboard: where it is, what format it has, and how to read its rows.
///
/// See `docs/sources.md` for every key with a worked example per format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Short kebab-case id: `swebench`, `mmmu`, `aider-polyglot`.
    pub id: String,
    /// Who publishes the leaderboard.
    pub publisher: String,
    /// What the leaderboard is, for people.
    pub title: String,
    /// Where the publisher serves it.
    pub url: String,
    /// The format of the bytes at `url`.
    pub format: Format,
    /// Anything a reader of the configuration should know (traps, history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Who produced the results, unless a row says otherwise. Default: third party.
    #[serde(default = "third_party")]
    pub evaluator: Evaluator,
    /// The lineage this source belongs to: one publisher's file in successive formats
    /// (a board's JSON and its older HTML page) share a lineage, so that their latest
    /// snapshot supersedes the others and they never count as disagreeing sources.
    /// Default: the source's own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<String>,
    /// Inputs larger than this many bytes are refused. Default [`DEFAULT_MAX_BYTES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,

    /// HTML: the tables to read (`[[source.table]]`).
    #[serde(default, rename = "table", skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableSpec>,
    /// HTML with embedded JSON: CSS selector of the `<script>` element holding the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// JSON and YAML: JSONPath selecting groups (boards) whose rows are read separately.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<String>,
    /// JSON and YAML: the field of a group that names it (available as `@group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<FieldSpec>,
    /// JSON and YAML: JSONPath selecting the rows, relative to each group when `groups`
    /// is set. Default `$[*]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<String>,
    /// JSON and YAML: the selected nodes are objects whose entries are the rows, the key
    /// being available as `@key` (`{"gpt-4o": {"rating": 1287}}`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub keyed: bool,
    /// Markdown: read the first table after a heading containing this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// CSV: the field delimiter. Default `,`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
    /// JSON and html-embedded-json: the text is a JavaScript object literal (unquoted keys,
    /// single quotes, trailing commas, comments, `export const x = …`), read as the JSON it
    /// means.
    #[serde(default, skip_serializing_if = "is_false")]
    pub javascript: bool,
    /// Tables: what becomes of a row with more or fewer cells than the header. Default
    /// `skip`: its cells cannot be matched to columns by position.
    #[serde(default, skip_serializing_if = "RaggedRows::is_default")]
    pub ragged_rows: RaggedRows,
    /// Settings recorded with every score of every file: `settings = { release = "v4" }`.
    #[serde(
        default,
        rename = "settings",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub constant_settings: BTreeMap<String, String>,
    /// Settings a file's name or header decides (`[[source.file_setting]]`).
    #[serde(
        default,
        rename = "file_setting",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub file_settings: Vec<crate::FileSettingRule>,
    /// Scores computed from other fields: means of columns or of groups' means
    /// (`[[source.derived]]`).
    #[serde(default, rename = "derived", skip_serializing_if = "Vec::is_empty")]
    pub derived: Vec<crate::DerivedScore>,

    /// How a row names what it is about. Not used by `model-card` sources, whose tables
    /// name their models in headers or row labels.
    #[serde(default, skip_serializing_if = "SubjectRule::is_unset")]
    pub subject: SubjectRule,
    /// The scores a row carries (`[[source.score]]`).
    #[serde(default, rename = "score", skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<ScoreRule>,
    /// Settings that make a distinct variant (`[[source.setting]]`).
    #[serde(default, rename = "setting", skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<SettingRule>,
    /// The date the source attaches to a result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateRule>,
    /// What the source says about a subject's weights and license.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<AccessRule>,
    /// Rows whose results the model's authors reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_reported: Option<Marker>,
    /// Rows that are not models: human experts, random baselines (`[[source.skip]]`).
    #[serde(default, rename = "skip", skip_serializing_if = "Vec::is_empty")]
    pub skips: Vec<SkipRule>,

    /// Model cards: the tables to read and what the card's marks mean (`[source.card]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<crate::card_config::CardConfig>,

    /// Articles: the date and the quoted claims (`[source.article]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<crate::ArticleConfig>,
}

fn third_party() -> Evaluator {
    Evaluator::ThirdParty
}

/// What becomes of a table row whose number of cells differs from the header's
/// (`ragged_rows`). Either way the row is reported with a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RaggedRows {
    /// Not read: its cells cannot be matched to columns by position.
    #[default]
    Skip,
    /// Read by position: cells past the header's end are ignored, missing ones are empty.
    Keep,
}

impl RaggedRows {
    fn is_default(&self) -> bool {
        *self == RaggedRows::Skip
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The first key set that a kind of source does not read, as an error: `{key} does not apply
/// to {kind}`.
fn refuse_misplaced(keys: &[(&str, bool)], kind: &str) -> Result<(), String> {
    match keys.iter().find(|(_, set)| *set) {
        Some((key, _)) => Err(format!("{key} does not apply to {kind}")),
        None => Ok(()),
    }
}

impl SourceConfig {
    /// Checks the entry as [`SourcesFile::from_toml_str`] does, for a configuration built in
    /// code.
    pub fn validate(&self) -> Result<(), IngestError> {
        self.validate_in("configuration")
    }

    /// The input size limit in bytes.
    pub fn byte_limit(&self) -> u64 {
        self.max_bytes.unwrap_or(DEFAULT_MAX_BYTES)
    }

    pub(crate) fn validate_in(&self, origin: &str) -> Result<(), IngestError> {
        let fail = |message: String| IngestError::InvalidSource {
            origin: origin.to_owned(),
            source_id: self.id.clone(),
            message,
        };
        let id_ok = !self.id.is_empty()
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            return Err(fail(
                "ids are lowercase letters, digits and `-` only".to_owned(),
            ));
        }
        let check_path = |what: &str, path: &str| {
            serde_json_path::JsonPath::parse(path)
                .map(|_| ())
                .map_err(|e| fail(format!("{what} {path:?} is not a JSONPath: {e}")))
        };
        let check_selector = |what: &str, sel: &str| {
            scraper::Selector::parse(sel)
                .map(|_| ())
                .map_err(|e| fail(format!("{what} {sel:?} is not a CSS selector: {e}")))
        };
        match self.format {
            Format::Html => {
                if self.tables.is_empty() {
                    return Err(fail(
                        "an html source needs at least one [[source.table]]".to_owned(),
                    ));
                }
                for t in &self.tables {
                    check_selector("table selector", &t.selector)?;
                    if let Some(label) = &t.group_label {
                        check_selector("group_label selector", &label.selector)?;
                    }
                    for (column, sel) in &t.cells {
                        check_selector(&format!("cell selector of {column:?}"), sel)?;
                    }
                }
            }
            Format::HtmlEmbeddedJson => match &self.script {
                Some(s) => check_selector("script selector", s)?,
                None => {
                    return Err(fail(
                        "an html-embedded-json source needs `script`, the CSS selector of the <script> element"
                            .to_owned(),
                    ));
                }
            },
            Format::Json | Format::Yaml | Format::Csv | Format::Markdown => {}
            Format::ModelCard => return self.validate_card().map_err(fail),
            Format::Article => return self.validate_article().map_err(fail),
        }
        if self.article.is_some() {
            return Err(fail(format!(
                "[source.article] applies to an article source, not a {} source",
                self.format
            )));
        }
        if self.card.is_some() {
            return Err(fail(format!(
                "[source.card] applies to a model-card source, not a {} source",
                self.format
            )));
        }
        let tree = matches!(
            self.format,
            Format::Json | Format::Yaml | Format::HtmlEmbeddedJson
        );
        let misplaced = [
            (
                "[[source.table]]",
                !self.tables.is_empty(),
                self.format == Format::Html,
            ),
            (
                "`script`",
                self.script.is_some(),
                self.format == Format::HtmlEmbeddedJson,
            ),
            ("`keyed`", self.keyed, tree),
            (
                "`heading`",
                self.heading.is_some(),
                self.format == Format::Markdown,
            ),
            (
                "`delimiter`",
                self.delimiter.is_some(),
                self.format == Format::Csv,
            ),
            (
                "`javascript`",
                self.javascript,
                matches!(self.format, Format::Json | Format::HtmlEmbeddedJson),
            ),
        ];
        for (key, set, fits) in misplaced {
            if set && !fits {
                return Err(fail(format!(
                    "{key} does not apply to a {} source",
                    self.format
                )));
            }
        }
        if let Some(d) = self.delimiter
            && !(d.is_ascii() && d != '"' && d != '\n')
        {
            return Err(fail(format!(
                "delimiter {d:?} must be one ASCII character other than a quote or a newline"
            )));
        }
        for (what, path) in [("groups", &self.groups), ("rows", &self.rows)] {
            if let Some(p) = path {
                if !tree {
                    return Err(fail(format!(
                        "`{what}` applies to json, yaml and html-embedded-json sources only"
                    )));
                }
                check_path(what, p)?;
            }
        }
        if self.group_name.is_some() && self.groups.is_none() {
            return Err(fail("`group_name` needs `groups`".to_owned()));
        }
        if self.subject.name.is_empty() {
            return Err(fail("`subject.name` names no field".to_owned()));
        }
        for spec in self.field_specs() {
            for f in &spec.0 {
                if let FieldRef::Name(n) = f
                    && n.starts_with('$')
                {
                    check_path("field", n)?;
                }
            }
        }
        for (i, s) in self.scores.iter().enumerate() {
            let n = i + 1;
            if s.field.is_empty() {
                return Err(fail(format!("score {n} names no field")));
            }
            match (&s.benchmark, &s.benchmark_from) {
                (Some(b), None) if !b.trim().is_empty() => {}
                (None, Some(_)) if !s.benchmarks.is_empty() => {}
                (None, Some(_)) => {
                    return Err(fail(format!(
                        "score {n} has `benchmark_from` but no `benchmarks` table"
                    )));
                }
                _ => {
                    return Err(fail(format!(
                        "score {n} needs either `benchmark` or `benchmark_from` with `benchmarks`"
                    )));
                }
            }
            if s.metric.trim().is_empty() {
                return Err(fail(format!("score {n} needs a `metric`")));
            }
            if let Some(e) = &s.evaluator_from
                && (e.field.is_empty()
                    || e.contains.is_empty()
                    || e.contains
                        .iter()
                        .any(|(phrase, _)| phrase.trim().is_empty()))
            {
                return Err(fail(format!(
                    "score {n}: `evaluator_from` needs a `field` and `contains` pairs of a phrase and an evaluator"
                )));
            }
        }
        for (i, s) in self.settings.iter().enumerate() {
            let n = i + 1;
            let ways = usize::from(s.field.is_some())
                + usize::from(s.tag.is_some())
                + usize::from(s.name_suffix.is_some());
            if ways != 1 || s.key.trim().is_empty() {
                return Err(fail(format!(
                    "setting {n} needs a `key` and exactly one of `field`, `tag`, `name_suffix`"
                )));
            }
            if let Some(p) = &s.name_suffix
                && (p.matches("{}").count() > 1 || p.is_empty())
            {
                return Err(fail(format!(
                    "setting {n}: `name_suffix` {p:?} may hold one `{{}}` at most"
                )));
            }
        }
        if self.scores.is_empty() && self.derived.is_empty() && self.access.is_none() {
            return Err(fail(
                "the source maps no score and no access: add [[source.score]] or [source.access]"
                    .to_owned(),
            ));
        }
        for (i, d) in self.derived.iter().enumerate() {
            d.check()
                .map_err(|m| fail(format!("derived score {}: {m}", i + 1)))?;
        }
        for (i, f) in self.file_settings.iter().enumerate() {
            f.check()
                .map_err(|m| fail(format!("file setting {}: {m}", i + 1)))?;
        }
        for (k, v) in &self.constant_settings {
            if k.trim().is_empty() || v.trim().is_empty() {
                return Err(fail(format!(
                    "`settings` needs a name and a value for each setting, not {k:?} = {v:?}"
                )));
            }
        }
        for (i, s) in self.skips.iter().enumerate() {
            if s.equals.is_empty() && s.starts_with.is_empty() && s.contains.is_empty() {
                return Err(fail(format!(
                    "skip rule {} needs `equals`, `starts_with` or `contains`",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    /// A `model-card` source: `[source.card]` says everything; the keys that read rows of
    /// other formats do not apply, except `[[source.setting]]` rules with a `name_suffix`,
    /// which read settings at the end of model names.
    fn validate_article(&self) -> Result<(), String> {
        let Some(article) = &self.article else {
            return Err(
                "an article source needs [source.article] (its date and quoted claims)".to_owned(),
            );
        };
        let misplaced = [
            ("[source.subject]", !self.subject.is_unset()),
            ("[[source.score]]", !self.scores.is_empty()),
            ("[[source.table]]", !self.tables.is_empty()),
            ("[[source.setting]]", !self.settings.is_empty()),
            ("[[source.derived]]", !self.derived.is_empty()),
            ("[[source.file_setting]]", !self.file_settings.is_empty()),
            ("[source.date]", self.date.is_some()),
            ("[source.access]", self.access.is_some()),
            ("[source.self_reported]", self.self_reported.is_some()),
            ("[[source.skip]]", !self.skips.is_empty()),
            ("[source.card]", self.card.is_some()),
            ("`heading`", self.heading.is_some()),
            ("`script`", self.script.is_some()),
            ("`rows`", self.rows.is_some()),
            ("`groups`", self.groups.is_some()),
            ("`group_name`", self.group_name.is_some()),
            ("`keyed`", self.keyed),
            ("`delimiter`", self.delimiter.is_some()),
            ("`javascript`", self.javascript),
        ];
        refuse_misplaced(
            &misplaced,
            "an article source: each [[source.article.claim]] states its claim",
        )?;
        article.check()
    }

    fn validate_card(&self) -> Result<(), String> {
        let Some(card) = &self.card else {
            return Err("a model-card source needs [source.card]".to_owned());
        };
        let misplaced = [
            ("[source.subject]", !self.subject.is_unset()),
            ("[[source.score]]", !self.scores.is_empty()),
            ("[[source.table]]", !self.tables.is_empty()),
            ("[source.date]", self.date.is_some()),
            ("[source.access]", self.access.is_some()),
            ("[source.self_reported]", self.self_reported.is_some()),
            ("[[source.skip]]", !self.skips.is_empty()),
            ("`heading`", self.heading.is_some()),
            ("`script`", self.script.is_some()),
            ("`rows`", self.rows.is_some()),
            ("`groups`", self.groups.is_some()),
            ("`group_name`", self.group_name.is_some()),
            ("`keyed`", self.keyed),
            ("`delimiter`", self.delimiter.is_some()),
        ];
        refuse_misplaced(
            &misplaced,
            "a model-card source: [source.card] says how to read its tables",
        )?;
        for (i, s) in self.settings.iter().enumerate() {
            if s.name_suffix.is_none() || s.field.is_some() || s.tag.is_some() {
                return Err(format!(
                    "setting {}: a model-card source reads settings from model names only (`name_suffix`)",
                    i + 1
                ));
            }
        }
        card.check()
    }

    fn field_specs(&self) -> Vec<&FieldSpec> {
        let mut v: Vec<&FieldSpec> = vec![&self.subject.name];
        v.extend(self.subject.models.iter());
        v.extend(self.subject.qualifier.iter());
        v.extend(self.subject.model_tags.iter().map(|t| &t.field));
        v.extend(self.group_name.iter());
        for s in &self.scores {
            v.push(&s.field);
            v.extend(s.benchmark_from.iter());
            v.extend(s.uncertainty.iter());
            v.extend(s.interval.iter().flat_map(|[a, b]| [a, b]));
            v.extend(s.self_reported.iter().flat_map(|m| m.field.iter()));
            v.extend(s.evaluator_from.iter().map(|e| &e.field));
        }
        for s in &self.settings {
            v.extend(s.field.iter());
            v.extend(s.tag.iter().map(|t| &t.field));
        }
        v.extend(self.date.iter().flat_map(|d| d.field.iter()));
        if let Some(a) = &self.access {
            v.extend(a.flag.iter());
            v.extend(a.field.iter());
            v.extend(a.license.iter());
        }
        v.extend(self.self_reported.iter().flat_map(|m| m.field.iter()));
        v.extend(self.skips.iter().flat_map(|s| s.field.iter()));
        v.extend(self.subject.strip.iter().flat_map(|s| s.field.iter()));
        v
    }
}

/// Where a value is in a row: one field, or several tried in order (the first that is
/// present and not empty wins), which is how a mapping survives a renamed column.
///
/// In TOML: `"resolved"`, `3` (a column number, counting from 1), or
/// `["pass@1_base", "pass@1*"]`. A name is a column header (CSV, HTML, Markdown; compared
/// without case and extra spaces), a dotted path in a JSON or YAML row (`info.name`), a
/// JSONPath from the document root (`$.name`), or one of `@key` (the key of a keyed row)
/// and `@group` (the name of the row's group or table).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSpec(pub Vec<FieldRef>);

impl FieldSpec {
    /// A spec with one named field.
    pub fn named(name: &str) -> Self {
        FieldSpec(vec![FieldRef::Name(name.to_owned())])
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One way to find a value in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    /// A header, a dotted path, a JSONPath, `@key` or `@group`.
    Name(String),
    /// A column number, counting from 1.
    Position(usize),
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldRef::Name(n) => write!(f, "{n:?}"),
            FieldRef::Position(p) => write!(f, "column {p}"),
        }
    }
}

impl fmt::Display for FieldSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" or ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawFieldRef {
    Name(String),
    Position(i64),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawFieldSpec {
    One(RawFieldRef),
    Many(Vec<RawFieldRef>),
}

impl<'de> Deserialize<'de> for FieldSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawFieldSpec::deserialize(deserializer).map_err(|_| {
            serde::de::Error::custom(
                "expected a field name, a column number from 1, or a list of them",
            )
        })?;
        let list = match raw {
            RawFieldSpec::One(r) => vec![r],
            RawFieldSpec::Many(v) => v,
        };
        let refs = list
            .into_iter()
            .map(|r| match r {
                RawFieldRef::Name(n) if n.trim().is_empty() => {
                    Err(serde::de::Error::custom("a field name is empty"))
                }
                RawFieldRef::Name(n) => Ok(FieldRef::Name(n)),
                RawFieldRef::Position(p) if p >= 1 => Ok(FieldRef::Position(p as usize)),
                RawFieldRef::Position(p) => Err(serde::de::Error::custom(format!(
                    "column numbers count from 1, not {p}"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if refs.is_empty() {
            return Err(serde::de::Error::custom("an empty list names no field"));
        }
        Ok(FieldSpec(refs))
    }
}

impl Serialize for FieldSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        fn one<S: Serializer>(r: &FieldRef, s: S) -> Result<S::Ok, S::Error> {
            match r {
                FieldRef::Name(n) => s.serialize_str(n),
                FieldRef::Position(p) => s.serialize_u64(*p as u64),
            }
        }
        struct Ref<'a>(&'a FieldRef);
        impl Serialize for Ref<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                one(self.0, s)
            }
        }
        match self.0.as_slice() {
            [r] => one(r, serializer),
            refs => {
                let mut seq = serializer.serialize_seq(Some(refs.len()))?;
                for r in refs {
                    seq.serialize_element(&Ref(r))?;
                }
                seq.end()
            }
        }
    }
}

/// An HTML table to read (`[[source.table]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// CSS selector of the table, or of an element containing it.
    pub selector: String,
    /// The name of the table's group (available as `@group`), e.g. the board `Verified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Names the group from the text of another element, when the page's own labels say
    /// which table is which.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_label: Option<GroupLabel>,
    /// How many leading rows are headers. Default: the `<thead>` rows, else the leading
    /// rows made only of `<th>`, else one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_rows: Option<usize>,
    /// Do not warn when the selector matches nothing (a board that older pages lack).
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    /// Column header → CSS selector of the element within each cell of that column whose
    /// text is the cell's value (`{ Model = "a" }` keeps the link's text and drops a badge
    /// beside it). A cell where nothing matches keeps its whole text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cells: BTreeMap<String, String>,
}

/// Names a table's group from the text of an element elsewhere on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupLabel {
    /// CSS selector of the labelling element; its first match is read.
    pub selector: String,
    /// Text the label may contain → the group name it means. The first contained wins.
    pub cases: BTreeMap<String, String>,
}

/// How a row names its subject, and how a system is split from its models.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectRule {
    /// The field holding the name as shown.
    pub name: FieldSpec,
    /// A field appended to the name unless missing or already part of it: a `Size` column
    /// turns `CodeLlama` into `CodeLlama 7B`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<FieldSpec>,
    /// Whether rows are plain models or systems (an agent or scaffold plus models).
    #[serde(default)]
    pub kind: SubjectKind,
    /// Systems: a field holding the model name, or a list of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<FieldSpec>,
    /// Systems: a list field whose items with this prefix name the models
    /// (`tags = ["Model: gpt-5", "Org: OpenHands"]`). Preferred over names when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_tags: Option<TagRule>,
    /// Keep only the last `/`-separated segment of a model name, dropping provider and
    /// repository prefixes: `openai/gpt-5`, `https://huggingface.co/zai-org/GLM-4.6`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub model_last_segment: bool,
    /// Systems: the text between the system and its model in a name (`" + "` in
    /// `OpenHands + GPT-5`). The last occurrence outside parentheses splits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_separator: Option<String>,
    /// Systems: a trailing parenthesized model (`Agent (claude-3-5-sonnet)`) names the
    /// model. Dates and versions in parentheses are left alone.
    #[serde(default, skip_serializing_if = "is_false")]
    pub parenthesized_model: bool,
    /// Systems: groups (boards) whose every row runs one agent, by group name: `{ bash-only =
    /// "mini-SWE-agent" }`. A row there is that agent with the row's models, its name only
    /// a label (`Claude 4.5 Opus (high reasoning)`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub group_system: BTreeMap<String, String>,
    /// Models: the text between several models in one name (`" + "` in an architect pair).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models_separator: Option<String>,
    /// Models: the system name given to a row that names several models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub several_models_system: Option<String>,
    /// Drop emoji and other symbols before the first letter or digit (`🥇 🤠 Agent`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub strip_leading_symbols: bool,
    /// Organization names (or other texts) of any length removed from the start or end of
    /// the name (`[source.subject.strip]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strip: Option<crate::NameStrip>,
}

impl SubjectRule {
    /// True when nothing is configured (a `model-card` source).
    pub fn is_unset(&self) -> bool {
        *self == SubjectRule::default()
    }
}

/// Whether a row is about a model or a system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    /// The name is the model (split into several only with `models_separator`).
    #[default]
    Model,
    /// The name is a system; its models come from tags, a field, or the name.
    System,
}

/// Items of a list field that start with a prefix: `{ field = "tags", prefix = "Model: " }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    /// The list field (a JSON array, or text separated by `,` or `;`).
    pub field: FieldSpec,
    /// The prefix that marks the items wanted; it is removed from the value.
    pub prefix: String,
}

/// A score field (`[[source.score]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreRule {
    /// Where the value is.
    pub field: FieldSpec,
    /// The benchmark's registry id, when fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<String>,
    /// The variant (split) when fixed: `val`, `test`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// A field whose value picks the benchmark from `benchmarks` (`@group` for boards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark_from: Option<FieldSpec>,
    /// Value of `benchmark_from` → benchmark id, or `{ benchmark, variant }`. Values not
    /// listed are not tracked and give no claim.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub benchmarks: BTreeMap<String, BenchmarkTarget>,
    /// What is measured: `resolved`, `pass@1`, `accuracy`, `rating`.
    pub metric: String,
    /// The unit of the value. Default percent.
    #[serde(default = "percent")]
    pub unit: Unit,
    /// Values are fractions 0–1, scaled ×100 to percent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub fraction: bool,
    /// A field holding a `±` half-width (`0.6%`, `+4/-3`, `choice:0.85±0.02`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<FieldSpec>,
    /// Fields holding the lower and upper bound of an interval; half its width is the
    /// uncertainty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<[FieldSpec; 2]>,
    /// Marks this score, rather than the whole row, as reported by the model's authors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_reported: Option<Marker>,
    /// Who produced this score's results, when not the source's `evaluator`: a column of
    /// figures compiled from labs' reports beside a leaderboard's own runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluator: Option<Evaluator>,
    /// Who ran the result, as the row's own words say (a link, a note): read before any
    /// self-reported mark, which it overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluator_from: Option<EvaluatorRule>,
    /// Fixed settings recorded with this score.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
    /// The column may be absent from a file (a task some releases lack): no warning then.
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
}

fn percent() -> Unit {
    Unit::Percent
}

/// Who ran a result, from a field's text (`evaluator_from` of a score): a link to an
/// independent leaderboard, or a note such as "Epoch evaluation".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluatorRule {
    /// The field holding the text.
    pub field: FieldSpec,
    /// `[phrase, evaluator]` pairs: the first phrase the text contains, compared without
    /// case, gives the evaluator. Text that contains none leaves the evaluator as it would
    /// otherwise be.
    pub contains: Vec<(String, Evaluator)>,
}

/// Where a `benchmark_from` value leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BenchmarkTarget {
    /// A benchmark id, main variant.
    Id(String),
    /// A benchmark id and a variant.
    WithVariant {
        /// The benchmark id.
        benchmark: String,
        /// The variant.
        #[serde(default)]
        variant: String,
    },
}

impl BenchmarkTarget {
    pub(crate) fn parts(&self) -> (&str, &str) {
        match self {
            BenchmarkTarget::Id(b) => (b, ""),
            BenchmarkTarget::WithVariant { benchmark, variant } => (benchmark, variant),
        }
    }
}

/// A setting that makes a result a distinct variant (`[[source.setting]]`): from a field,
/// a tag, or a suffix of the name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingRule {
    /// The setting's name: `mode`, `edit_format`, `attempts`, `capped`.
    pub key: String,
    /// The value is this field's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<FieldSpec>,
    /// The value is the rest of the first list item with this prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<TagRule>,
    /// The value is at the end of the name and is removed from it. `{}` stands for the
    /// value: `"({})"` reads `GPT-4o (FC)`, `"_{}"` reads `o3_high`. A pattern without `{}`
    /// (`"*"`) sets `value` when the name ends with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_suffix: Option<String>,
    /// Only these values count (compared without case); others stay in the name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// The value set by a `name_suffix` without `{}`. Default `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// For free text (`analysis_method = "multiple parallel attempts"`): `[phrase, value]`
    /// pairs; the first phrase the text contains, compared without case, gives the value.
    /// Text that contains none, or a phrase whose value is empty, leaves the setting
    /// unstated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contains: Vec<(String, String)>,
    /// The setting applies only to scores on these benchmark ids; empty for all of a row's
    /// scores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub benchmarks: Vec<String>,
}

/// Where a result's date is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRule {
    /// The field holding the date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<FieldSpec>,
    /// How `3/4/2025` is read. Default day first.
    #[serde(default)]
    pub order: DateOrder,
    /// Failing the field, a date in parentheses in the name (`GPT-4-Turbo (Nov 2023)`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_name: bool,
}

/// What a source says about access: a flag, a value table, a license column, or the
/// row's colour or class. The first that gives an answer wins, in that order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRule {
    /// A true/false field: true means open weights, false closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<FieldSpec>,
    /// A field whose text is looked up in `values`, or tested by `if_missing` and
    /// `if_present`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<FieldSpec>,
    /// Text of `field` → access (`open_source = "open-weights"`), compared without case.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, gapwatch_model::Access>,
    /// The access when `field` is missing or null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub if_missing: Option<gapwatch_model::Access>,
    /// The access when `field` has a value not listed in `values`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub if_present: Option<gapwatch_model::Access>,
    /// A license field. Listed in `closed_licenses` means closed; any other license means
    /// open weights. The text is kept on the claim either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<FieldSpec>,
    /// License texts that mean closed (compared without case): `Proprietary`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_licenses: Vec<String>,
    /// HTML: the row's background colour → access. Colours compare by value, so
    /// `#f9f2f8` matches `rgba(249, 242, 248, 1)`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub row_colors: BTreeMap<String, gapwatch_model::Access>,
    /// HTML: a class of the row → access.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub row_classes: BTreeMap<String, gapwatch_model::Access>,
}

/// Recognizes rows or scores with a property, such as being self-reported.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// A field that is true, or whose text is one of `values`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<FieldSpec>,
    /// Texts of `field` that mark (compared without case). Empty: the field is true.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// A suffix of the name that marks, removed from the name (`GPT-4o*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_suffix: Option<String>,
}

/// Rows that are not models (`[[source.skip]]`). Matching is without case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipRule {
    /// The field tested. Default: the subject's name as cleaned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<FieldSpec>,
    /// Skip when the text is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    /// Skip when the text starts with one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    /// Skip when the text contains one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contains: Vec<String>,
    /// Why, as shown in the row report: `human baseline`.
    pub reason: String,
}
