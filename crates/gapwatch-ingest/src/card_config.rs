//! The `[source.card]` configuration of a `model-card` source: which tables of a lab's
//! README to read, which of their columns or rows are models, how row and column labels map
//! to benchmarks, what the card's marks mean, and which models are the lab's own.

use std::collections::BTreeMap;
use std::fmt;

use gapwatch_model::{Access, Settings, Unit};
use serde::{Deserialize, Serialize};

/// A model card's tables and how to read them (`[source.card]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardConfig {
    /// The lab that publishes the card: `DeepSeek`, `Moonshot AI`.
    pub lab: String,
    /// The lab's own models, as patterns compared without case, `*` matching any run of
    /// characters: `["DeepSeek*", "Deepseek-*"]`. A figure for one of them is the lab's about
    /// its own model (self-reported); any other model's figure is the lab's about a
    /// competitor (competitor-reported).
    pub own_models: Vec<String>,
    /// More texts that mean "no value" in this card (compared without case), beside the
    /// usual `-`, `--`, `—`, `–`, `−`, `/`, `xxxx` and empty cells.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Texts removed from model names wherever they appear: `(ours)`, `(Coming soon)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop_from_names: Vec<String>,
    /// What the card's marks mean (`[[source.card.marker]]`), as its footnotes say.
    #[serde(default, rename = "marker", skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<CardMarker>,
    /// The tables to read (`[[source.card.table]]`).
    #[serde(rename = "table")]
    pub tables: Vec<CardTable>,
}

/// A mark in a card and what its footnote says it means (`[[source.card.marker]]`).
///
/// A text mark (`*`, `†`, `^`, `[1]`) is removed wherever it appears in a cell of the kind
/// given by `on`; a style mark (`bold`, `underline`, `italic`) applies to a cell set in that
/// style. Either way the mark's `settings` are added to the claims the cell gives, and
/// `access` makes an access claim for a model so marked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardMarker {
    /// The mark: a text such as `*`, `†`, `^`, or one of `bold`, `underline`, `italic`.
    pub mark: String,
    /// Which cells the mark is read on. Default: any.
    #[serde(default, skip_serializing_if = "MarkPlace::is_any")]
    pub on: MarkPlace,
    /// The footnote's meaning, for people: `taken from the model's tech report`.
    pub meaning: String,
    /// Settings a marked cell adds to its claims: `{ figure_source = "competitor's report" }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: Settings,
    /// The access a marked model has, by the card's word (`closed` for "proprietary").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
}

impl CardMarker {
    /// The style this mark names, when it is a style mark.
    pub(crate) fn style(&self) -> Option<Style> {
        match self.mark.as_str() {
            "bold" => Some(Style::Bold),
            "underline" => Some(Style::Underline),
            "italic" => Some(Style::Italic),
            _ => None,
        }
    }
}

/// A typographic style a cell may be set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Bold,
    Underline,
    Italic,
}

/// Which cells a mark is read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkPlace {
    /// Every cell.
    #[default]
    Any,
    /// Score cells.
    Value,
    /// Benchmark labels: row labels when models are columns, column headers when models are
    /// rows.
    Benchmark,
    /// Model names: column headers when models are columns, row labels when models are rows.
    Model,
}

impl MarkPlace {
    fn is_any(&self) -> bool {
        *self == MarkPlace::Any
    }
}

/// Whether a table's models are its columns or its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelAxis {
    /// Benchmarks as rows, models as columns (most cards).
    #[default]
    Columns,
    /// Models as rows, benchmarks as columns.
    Rows,
}

/// A column of a card table: its header text (compared without case or extra spaces, marks
/// removed; a header that starts with the text also matches) or its number, from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ColumnRef {
    /// A column number, counting from 1.
    Position(usize),
    /// A header text.
    Name(String),
}

impl Default for ColumnRef {
    fn default() -> Self {
        ColumnRef::Position(1)
    }
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnRef::Name(n) => write!(f, "{n:?}"),
            ColumnRef::Position(p) => write!(f, "column {p}"),
        }
    }
}

/// A column whose text is a setting of the claims on its row (`# Shots`, `Framework`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingColumn {
    /// The column.
    pub column: ColumnRef,
    /// The setting's key: `shots`, `scaffold`.
    pub key: String,
}

/// A column stating each model's access (`开源/闭源`: open or closed source).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessColumn {
    /// The column.
    pub column: ColumnRef,
    /// Its texts (compared without case) and the access each means.
    pub values: BTreeMap<String, Access>,
}

/// One or several texts: `heading = "Chat Model"` or `heading = ["Image", "Video"]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// Nothing given.
    #[default]
    None,
    /// One text.
    One(String),
    /// Several texts; any of them.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The texts given.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(t) => vec![t.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }

    fn is_none(&self) -> bool {
        self.texts().is_empty()
    }
}

/// A table of the card to read, found by its heading, a header cell, the line above it or
/// its number (`[[source.card.table]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardTable {
    /// Tables under a heading containing this text (any of several), at any level above the
    /// table. A `<summary>` of a `<details>` block counts as a heading inside it.
    #[serde(default, skip_serializing_if = "OneOrMany::is_none")]
    pub heading: OneOrMany,
    /// Tables whose nearest line of text above contains this (`**Ruler**`, `- Compared with
    /// SOTA VLLMs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Tables with a header cell containing each of these texts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header_has: Vec<String>,
    /// The table with this number in the document, counting Markdown and HTML tables from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// Of the tables that match, only this one (from 1). Default: all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<usize>,
    /// No warning when no table matches (a table that some versions of the card lack).
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    /// How many leading rows are headers. Default: the header line of a Markdown table;
    /// the `<thead>` rows, else the leading rows of `<th>` only, else one, in HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_rows: Option<usize>,

    /// Whether models are the columns (default) or the rows.
    #[serde(default)]
    pub models: ModelAxis,
    /// The column of row labels: benchmarks when models are columns, model names when
    /// models are rows. Default: the first column.
    #[serde(default)]
    pub label: ColumnRef,
    /// A column naming each row's category (`English`, `Code`), written on the first row of
    /// each group only. Never a model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<ColumnRef>,
    /// A column naming the metric of each row (`Pass@1`, `Single Attempt (Acc)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_column: Option<ColumnRef>,
    /// Models as rows: a column appended to the model's name (`Size`: `CodeLlama-Base` →
    /// `CodeLlama-Base 7B`) unless missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<ColumnRef>,
    /// Columns that are neither models nor benchmarks: `Domain`, `Previous SoTA`, `Other
    /// Best`, `image size`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_columns: Vec<ColumnRef>,
    /// Columns whose text is a setting of the row's claims.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setting_columns: Vec<SettingColumn>,
    /// Models as rows: a column stating each model's access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_column: Option<AccessColumn>,
    /// Rows that are neither benchmarks nor models, by label (compared without case), with
    /// the reason shown in the row report: `Architecture = "model attribute"`, `Human =
    /// "human baseline"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skip_rows: BTreeMap<String, String>,
    /// Models as columns: rows whose cells are a setting of each model's claims in the
    /// table, by label → setting key: `"Extended Thinking" = "thinking_budget"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings_rows: BTreeMap<String, String>,
    /// Settings of the claims under a group row or category (`"w/ CoT" = { cot = "yes" }`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, Settings>,
    /// Model names as this table shows them → the model meant (compared without case):
    /// `"DeepSeek-V3" = "DeepSeek-V3-Base"` in a table of base models.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rename: BTreeMap<String, String>,
    /// Settings of every claim of the table.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: Settings,
    /// Benchmark labels → benchmark ids (or targets with a variant, settings, a pair…).
    /// Labels not listed are not tracked. A label is tried whole, then with its metric
    /// column (`Benchmark / Metric`), then without a trailing parenthesis, which is then the
    /// metric (`MMLU (EM)` → `MMLU`, metric `EM`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub benchmarks: BTreeMap<String, CardTarget>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Where a card's benchmark label leads: a benchmark id, or a full target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CardTarget {
    /// A benchmark id, main variant, percent.
    Id(String),
    /// A benchmark with its variant, metric, unit, settings or pair.
    Spec(Box<TargetSpec>),
}

/// A benchmark target with everything a card row may need to say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// The benchmark id.
    pub benchmark: String,
    /// The variant (split): `val`, `v3, as reported`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
    /// What is measured, when the label does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// The unit. Default percent.
    #[serde(default = "percent")]
    pub unit: Unit,
    /// Values are fractions 0–1, scaled ×100 to percent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub fraction: bool,
    /// Settings of the row's claims: `{ attempts = "1" }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: Settings,
    /// Settings of the lab's own models' claims only, when the card states a setting for
    /// its own runs alone (`{ subset = "486 of 500 tasks" }`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub own_settings: Settings,
    /// Cells hold two values, `69.6/72.0`: the settings of each (`[{ subtitles = "no" },
    /// { subtitles = "yes" }]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pair: Vec<Settings>,
    /// Less is better (error rates, bits per byte). Declared so the row is never read as a
    /// higher-is-better score by mistake; the registry's benchmark must agree.
    #[serde(default, skip_serializing_if = "is_false")]
    pub lower_is_better: bool,
}

fn percent() -> Unit {
    Unit::Percent
}

impl CardTarget {
    /// The target as a full spec.
    pub(crate) fn spec(&self) -> TargetSpec {
        match self {
            CardTarget::Id(id) => TargetSpec {
                benchmark: id.clone(),
                variant: String::new(),
                metric: None,
                unit: Unit::Percent,
                fraction: false,
                settings: Settings::new(),
                own_settings: Settings::new(),
                pair: Vec::new(),
                lower_is_better: false,
            },
            CardTarget::Spec(s) => (**s).clone(),
        }
    }

    /// The benchmark id.
    pub fn benchmark(&self) -> &str {
        match self {
            CardTarget::Id(id) => id,
            CardTarget::Spec(s) => &s.benchmark,
        }
    }

    /// Whether the card says less is better.
    pub fn lower_is_better(&self) -> bool {
        match self {
            CardTarget::Id(_) => false,
            CardTarget::Spec(s) => s.lower_is_better,
        }
    }
}

impl CardConfig {
    /// Checks the card configuration; the message says what is wrong.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.lab.trim().is_empty() {
            return Err("[source.card] needs `lab`, the lab that publishes the card".to_owned());
        }
        if self.own_models.iter().all(|p| p.trim().is_empty()) {
            return Err(
                "[source.card] needs `own_models`, patterns naming the lab's own models".to_owned(),
            );
        }
        if self.tables.is_empty() {
            return Err("[source.card] needs at least one [[source.card.table]]".to_owned());
        }
        for (i, m) in self.markers.iter().enumerate() {
            let n = i + 1;
            if m.mark.trim().is_empty() {
                return Err(format!("marker {n} has an empty `mark`"));
            }
            if m.meaning.trim().is_empty() {
                return Err(format!(
                    "marker {n} ({:?}) needs `meaning`, what the card's footnote says",
                    m.mark
                ));
            }
            if m.settings.keys().any(|k| k.trim().is_empty()) {
                return Err(format!(
                    "marker {n} ({:?}) has an empty setting key",
                    m.mark
                ));
            }
        }
        for (i, t) in self.tables.iter().enumerate() {
            t.check()
                .map_err(|e| format!("card table {}: {e}", i + 1))?;
        }
        Ok(())
    }
}

impl CardTable {
    fn check(&self) -> Result<(), String> {
        if self.heading.is_none()
            && self.caption.is_none()
            && self.header_has.is_empty()
            && self.index.is_none()
        {
            return Err(
                "say which table: `heading`, `caption`, `header_has` or `index`".to_owned(),
            );
        }
        for (what, n) in [("index", self.index), ("nth", self.nth)] {
            if n == Some(0) {
                return Err(format!("`{what}` counts from 1"));
            }
        }
        let mut refs: Vec<&ColumnRef> = vec![&self.label];
        refs.extend(self.category.iter());
        refs.extend(self.metric_column.iter());
        refs.extend(self.qualifier.iter());
        refs.extend(self.skip_columns.iter());
        refs.extend(self.setting_columns.iter().map(|s| &s.column));
        refs.extend(self.access_column.iter().map(|a| &a.column));
        for r in refs {
            match r {
                ColumnRef::Position(0) => return Err("column numbers count from 1".to_owned()),
                ColumnRef::Name(n) if n.trim().is_empty() => {
                    return Err("a column name is empty".to_owned());
                }
                _ => {}
            }
        }
        if self.setting_columns.iter().any(|s| s.key.trim().is_empty()) {
            return Err("a setting column has an empty key".to_owned());
        }
        if self.models == ModelAxis::Columns {
            if self.access_column.is_some() {
                return Err("`access_column` applies when models are rows".to_owned());
            }
            if self.qualifier.is_some() {
                return Err("`qualifier` applies when models are rows".to_owned());
            }
        } else if !self.settings_rows.is_empty() {
            return Err("`settings_rows` applies when models are columns".to_owned());
        }
        if self.benchmarks.is_empty() && self.access_column.is_none() {
            return Err("the table maps no benchmark: add `benchmarks`".to_owned());
        }
        for (label, target) in &self.benchmarks {
            let spec = target.spec();
            if spec.benchmark.trim().is_empty() {
                return Err(format!("benchmark label {label:?} leads to an empty id"));
            }
            if !spec.pair.is_empty() && spec.pair.len() != 2 {
                return Err(format!(
                    "benchmark label {label:?}: `pair` lists the settings of exactly two values"
                ));
            }
            if spec.fraction && spec.unit != Unit::Percent {
                return Err(format!(
                    "benchmark label {label:?}: `fraction` scales to percent, so the unit must be percent"
                ));
            }
        }
        Ok(())
    }
}
