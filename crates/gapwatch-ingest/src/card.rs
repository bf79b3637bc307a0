//! Model cards: a lab's README with tables of its own and its competitors' scores. The
//! configured tables are read in either orientation (models as columns or as rows); group
//! rows, categories and settings rows give settings; marks whose footnotes give them a
//! meaning add settings or access; paired values (`69.6/72.0`) give two claims; and every
//! claim says who stated it: the lab about its own model, or the lab about a competitor's.

use std::collections::HashMap;

use gapwatch_model::{Access, Claim, Evaluator, Fact, Score, Settings, Subject, Unit};

use crate::card_config::{
    CardConfig, CardTable, CardTarget, ColumnRef, MarkPlace, ModelAxis, Style, TargetSpec,
};
use crate::card_doc::{DocTable, Rich, Row};
use crate::config::SourceConfig;
use crate::mapping::match_suffix;
use crate::record::fold;
use crate::value::{is_missing, parse_score};
use crate::{RowReport, Warning};

/// How a row note about a repeated result starts (as for the other formats).
const DUPLICATE: &str = "same subject, settings and benchmark";

/// Texts that mean "no value" in cards, beside those of every format: a slash, the minus
/// sign U+2212, and the `xxxx` placeholder a card carries before its figures are filled in.
const CARD_MISSING: &[&str] = &["/", "−", "xxxx", "-/-", "—/—"];

/// Words of a metric that mean less is better.
const LOWER_IS_BETTER: &[&str] = &["bpb", "wer", "cer", "ppl", "perplexity"];

/// What a card gave.
pub(crate) struct CardRows {
    pub(crate) claims: Vec<Claim>,
    pub(crate) rows: Vec<RowReport>,
    pub(crate) warnings: Vec<Warning>,
    pub(crate) empty_reason: Option<String>,
}

/// Reads the configured tables of a card.
pub(crate) fn extract(source: &SourceConfig, card: &CardConfig, text: &str) -> CardRows {
    let tables = crate::card_doc::tables(text);
    let mut out = Reader {
        source,
        card,
        claims: Vec::new(),
        rows: Vec::new(),
        warnings: Vec::new(),
        seen: HashMap::new(),
    };
    let mut read: Vec<usize> = Vec::new();
    let mut unmatched: Vec<String> = Vec::new();
    for (k, spec) in card.tables.iter().enumerate() {
        let chosen = select(&tables, spec);
        if chosen.is_empty() {
            let what = describe_spec(spec);
            if !spec.optional {
                out.warn(
                    None,
                    format!("card table {} ({what}) matched no table", k + 1),
                );
            }
            unmatched.push(what);
            continue;
        }
        for t in chosen {
            if read.contains(&t.number) {
                out.warn(
                    Some(format!("table {}", t.number)),
                    format!(
                        "already read by an earlier card table; card table {} skips it",
                        k + 1
                    ),
                );
                continue;
            }
            read.push(t.number);
            out.table(spec, t);
        }
    }
    let empty_reason = out.rows.is_empty().then(|| {
        if tables.is_empty() {
            "0 rows: the card has no table".to_owned()
        } else if read.is_empty() {
            format!(
                "0 rows: no table of the card matches {}",
                unmatched.join("; ")
            )
        } else {
            "0 rows: the matching tables have no body rows".to_owned()
        }
    });
    CardRows {
        claims: out.claims,
        rows: out.rows,
        warnings: out.warnings,
        empty_reason,
    }
}

fn describe_spec(spec: &CardTable) -> String {
    let mut parts = Vec::new();
    let headings = spec.heading.texts();
    if !headings.is_empty() {
        parts.push(format!("heading {}", headings.join(" or ")));
    }
    if let Some(c) = &spec.caption {
        parts.push(format!("caption {c:?}"));
    }
    if !spec.header_has.is_empty() {
        parts.push(format!("header cells {}", spec.header_has.join(", ")));
    }
    if let Some(i) = spec.index {
        parts.push(format!("table number {i}"));
    }
    parts.join(", ")
}

/// The tables a spec picks.
fn select<'t>(tables: &'t [DocTable], spec: &CardTable) -> Vec<&'t DocTable> {
    let headings: Vec<String> = spec.heading.texts().into_iter().map(fold).collect();
    let matching: Vec<&DocTable> = tables
        .iter()
        .filter(|t| spec.index.is_none_or(|i| t.number == i))
        .filter(|t| {
            headings.is_empty()
                || t.headings
                    .iter()
                    .any(|h| headings.iter().any(|w| fold(h).contains(w.as_str())))
        })
        .filter(|t| {
            spec.caption.as_ref().is_none_or(|c| {
                t.caption
                    .as_deref()
                    .is_some_and(|cap| fold(cap).contains(&fold(c)))
            })
        })
        .filter(|t| {
            let n = spec.header_rows.unwrap_or_else(|| t.default_header_rows());
            let cells: Vec<String> = t
                .rows
                .iter()
                .take(n)
                .flat_map(|r| r.cells.iter().map(|c| fold(&c.rich.text)))
                .collect();
            spec.header_has
                .iter()
                .all(|want| cells.iter().any(|c| c.contains(&fold(want))))
        })
        .collect();
    match spec.nth {
        Some(n) => matching.get(n - 1).map(|t| vec![*t]).unwrap_or_default(),
        None => matching,
    }
}

/// Text with the card's marks taken off, and the marks found.
struct Marked {
    text: String,
    /// Indexes into the card's markers.
    marks: Vec<usize>,
    /// Footnote signs that no marker explains.
    unexplained: Vec<char>,
}

/// A column of a table.
struct Column {
    /// The header, marks removed.
    shown: String,
    marks: Vec<usize>,
    unexplained: Vec<char>,
}

/// A model column (models as columns) or a model row (models as rows).
struct Model {
    subject: Subject,
    evaluator: Evaluator,
    /// From name suffixes, the model's marks and settings rows.
    settings: Settings,
    access: Option<Access>,
}

/// A benchmark column, when models are rows.
struct BenchColumn {
    index: usize,
    target: Option<(TargetSpec, Option<String>)>,
    marks: Vec<usize>,
}

struct Reader<'a> {
    source: &'a SourceConfig,
    card: &'a CardConfig,
    claims: Vec<Claim>,
    rows: Vec<RowReport>,
    warnings: Vec<Warning>,
    seen: HashMap<(Subject, String, String, Settings), String>,
}

/// What one body row is.
enum RowKind {
    Blank,
    Group(String),
    Data,
}

impl Reader<'_> {
    fn warn(&mut self, locator: Option<String>, message: String) {
        self.warnings.push(Warning { locator, message });
    }

    /// Takes the marks off a cell's text. `place` None: only citations (`[1]`) and
    /// unexplained signs come off.
    fn marks(&self, rich: &Rich, place: Option<MarkPlace>) -> Marked {
        let mut text = remove_citations(&rich.text);
        let mut marks = Vec::new();
        if let Some(place) = place {
            let mut order: Vec<usize> = (0..self.card.markers.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(self.card.markers[i].mark.len()));
            for i in order {
                let m = &self.card.markers[i];
                if !(m.on == MarkPlace::Any || m.on == place) {
                    continue;
                }
                match m.style() {
                    Some(style) => {
                        let set = match style {
                            Style::Bold => rich.bold,
                            Style::Underline => rich.underline,
                            Style::Italic => rich.italic,
                        };
                        if set && !text.trim().is_empty() {
                            marks.push(i);
                        }
                    }
                    None => {
                        if text.contains(m.mark.as_str()) {
                            text = text.replace(m.mark.as_str(), " ");
                            marks.push(i);
                        }
                    }
                }
            }
        }
        let mut unexplained = Vec::new();
        for sign in ['*', '†', '‡', '^'] {
            if text.contains(sign) {
                unexplained.push(sign);
                text = text.replace(sign, " ");
            }
        }
        Marked {
            text: collapse(&text),
            marks,
            unexplained,
        }
    }

    fn mark_settings(&self, marks: &[usize]) -> Settings {
        let mut s = Settings::new();
        for &i in marks {
            for (k, v) in &self.card.markers[i].settings {
                s.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        s
    }

    fn mark_access(&self, marks: &[usize]) -> Option<Access> {
        marks.iter().find_map(|&i| self.card.markers[i].access)
    }

    fn unexplained_note(&self, signs: &[char], what: &str) -> Option<String> {
        (!signs.is_empty()).then(|| {
            let list: Vec<String> = signs.iter().map(|c| c.to_string()).collect();
            format!(
                "mark {} on {what} has no [[source.card.marker]] saying what it means",
                list.join(" ")
            )
        })
    }

    /// A model as named in a header or a row label.
    fn model(&self, spec: &CardTable, marked: &Marked) -> Model {
        let mut name = clean_name(&marked.text, &self.card.drop_from_names);
        let mut settings = Settings::new();
        strip_setting_suffixes(self.source, &mut name, &mut settings);
        let shown = name.clone();
        let renamed = spec
            .rename
            .iter()
            .find(|(k, _)| fold(k) == fold(&shown))
            .map(|(_, v)| v.clone());
        let subject = match &renamed {
            Some(model) => Subject {
                name: shown.clone(),
                system: None,
                models: vec![model.clone()],
            },
            None => Subject::model(shown.clone()),
        };
        let own = self
            .card
            .own_models
            .iter()
            .any(|p| glob(p, &shown) || renamed.as_deref().is_some_and(|r| glob(p, r)));
        for (k, v) in self.mark_settings(&marked.marks) {
            settings.entry(k).or_insert(v);
        }
        Model {
            subject,
            evaluator: if own {
                Evaluator::SelfReported
            } else {
                Evaluator::Competitor
            },
            settings,
            access: self.mark_access(&marked.marks),
        }
    }

    fn table(&mut self, spec: &CardTable, t: &DocTable) {
        let tname = format!("table {} (line {})", t.number, t.line);
        let header_n = spec.header_rows.unwrap_or_else(|| t.default_header_rows());
        if t.rows.len() <= header_n {
            self.warn(Some(tname), "the table has a header and no rows".to_owned());
            return;
        }
        let width = t.rows[..header_n]
            .iter()
            .chain(&t.rows[header_n..])
            .map(|r| r.cells.len())
            .max()
            .unwrap_or(0);
        let header_place = match spec.models {
            ModelAxis::Columns => MarkPlace::Model,
            ModelAxis::Rows => MarkPlace::Benchmark,
        };
        let columns: Vec<Column> = (0..width)
            .map(|c| {
                let mut parts: Vec<Rich> = Vec::new();
                for r in &t.rows[..header_n] {
                    if let Some(cell) = r.cells.get(c)
                        && !cell.rich.text.is_empty()
                        && parts.last().is_none_or(|p| p.text != cell.rich.text)
                    {
                        parts.push(cell.rich.clone());
                    }
                }
                let rich = Rich {
                    text: parts
                        .iter()
                        .map(|p| p.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" / "),
                    bold: parts.iter().any(|p| p.bold),
                    underline: parts.iter().any(|p| p.underline),
                    italic: parts.iter().any(|p| p.italic),
                };
                let m = self.marks(&rich, Some(header_place));
                Column {
                    shown: m.text,
                    marks: m.marks,
                    unexplained: m.unexplained,
                }
            })
            .collect();
        let find = |r: &ColumnRef| find_column(&columns, r);
        let header_list = || {
            columns
                .iter()
                .map(|c| c.shown.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let Some(label_col) = find(&spec.label) else {
            self.warn(
                Some(tname),
                format!(
                    "no column matches the label column {}; the header is: {}",
                    spec.label,
                    header_list()
                ),
            );
            return;
        };
        let mut optional_col = |what: &str, r: Option<&ColumnRef>| -> Option<usize> {
            let r = r?;
            let found = find(r);
            if found.is_none() {
                self.warnings.push(Warning {
                    locator: Some(tname.clone()),
                    message: format!(
                        "no column matches the {what} column {r}; the header is: {}",
                        header_list()
                    ),
                });
            }
            found
        };
        let category_col = optional_col("category", spec.category.as_ref());
        let metric_col = optional_col("metric", spec.metric_column.as_ref());
        let qualifier_col = optional_col("qualifier", spec.qualifier.as_ref());
        let access_col = optional_col("access", spec.access_column.as_ref().map(|a| &a.column));
        let skip_cols: Vec<usize> = spec
            .skip_columns
            .iter()
            .filter_map(|r| optional_col("skipped", Some(r)))
            .collect();
        let setting_cols: Vec<(usize, String)> = spec
            .setting_columns
            .iter()
            .filter_map(|s| optional_col("setting", Some(&s.column)).map(|c| (c, s.key.clone())))
            .collect();
        let mut not_data = vec![label_col];
        not_data.extend(category_col);
        not_data.extend(metric_col);
        not_data.extend(qualifier_col);
        not_data.extend(access_col);
        not_data.extend(skip_cols.iter().copied());
        not_data.extend(setting_cols.iter().map(|(c, _)| *c));
        let data_cols: Vec<usize> = (0..width)
            .filter(|c| !not_data.contains(c) && !columns[*c].shown.is_empty())
            .collect();
        let layout = Layout {
            spec,
            table: t,
            header_n,
            label_col,
            category_col,
            metric_col,
            qualifier_col,
            access_col,
            setting_cols,
            data_cols,
            columns,
        };
        match spec.models {
            ModelAxis::Columns => self.models_as_columns(&layout),
            ModelAxis::Rows => self.models_as_rows(&layout),
        }
    }

    fn row_kind(&self, row: &Row) -> RowKind {
        let texts = row.own_texts();
        match texts.as_slice() {
            [] => RowKind::Blank,
            [only] if row.cells.len() >= 2 => {
                RowKind::Group(self.marks(&rich_text(only), None).text)
            }
            _ => RowKind::Data,
        }
    }

    fn models_as_columns(&mut self, l: &Layout<'_>) {
        let spec = l.spec;
        let mut models: Vec<(usize, Model)> = Vec::new();
        let mut header_notes = Vec::new();
        for &c in &l.data_cols {
            let col = &l.columns[c];
            let marked = Marked {
                text: col.shown.clone(),
                marks: col.marks.clone(),
                unexplained: col.unexplained.clone(),
            };
            if let Some(n) = self.unexplained_note(&col.unexplained, "model header") {
                header_notes.push(format!("{n} ({:?})", col.shown));
            }
            models.push((c, self.model(spec, &marked)));
        }
        let mut pending_access: Vec<(Subject, Evaluator, Access)> = models
            .iter()
            .filter_map(|(_, m)| m.access.map(|a| (m.subject.clone(), m.evaluator, a)))
            .collect();
        let mut group = String::new();
        let mut last_label = String::new();
        for (r, row) in l.table.rows.iter().enumerate().skip(l.header_n) {
            let body_n = r - l.header_n + 1;
            match self.row_kind(row) {
                RowKind::Blank => continue,
                RowKind::Group(text) => {
                    group = text;
                    continue;
                }
                RowKind::Data => {}
            }
            if let Some(c) = l.category_col {
                let cat = self.marks(&cell_rich(row, c), None).text;
                if !cat.is_empty() {
                    group = cat;
                }
            }
            let label_m = self.marks(&cell_rich(row, l.label_col), Some(MarkPlace::Benchmark));
            let label = if label_m.text.is_empty() {
                last_label.clone()
            } else {
                label_m.text.clone()
            };
            last_label = label.clone();
            if let Some(key) = spec
                .settings_rows
                .iter()
                .find(|(k, _)| fold(k) == fold(&label))
                .map(|(_, v)| v.clone())
            {
                for (c, m) in &mut models {
                    let v = self.marks(&cell_rich(row, *c), None).text;
                    if !self.is_missing(&v) {
                        m.settings.entry(key.clone()).or_insert(v);
                    }
                }
                continue;
            }
            let locator = format!(
                "table {} row {body_n} (line {}) {label:?}",
                l.table.number, row.line
            );
            let mut report = RowReport {
                locator: locator.clone(),
                subject: None,
                claims: 0,
                scores: 0,
                skipped: None,
                warnings: header_notes.clone(),
            };
            header_notes.clear();
            let mut claims: Vec<Claim> = Vec::new();
            for (subject, evaluator, access) in pending_access.drain(..) {
                claims.push(Claim {
                    subject,
                    fact: Fact::Access {
                        access,
                        license: None,
                    },
                    reported_on: None,
                    evaluator,
                    locator: format!("table {} header", l.table.number),
                });
            }
            if let Some(n) = self.unexplained_note(&label_m.unexplained, "the row label") {
                report.warnings.push(n);
            }
            if let Some(why) = skip_reason(spec, &label) {
                report.skipped = Some(why);
                self.push_row(report, claims);
                continue;
            }
            let metric_text = l
                .metric_col
                .map(|c| self.marks(&cell_rich(row, c), None).text)
                .filter(|m| !self.is_missing(m));
            let Some((target, label_metric)) = find_target(spec, &label, metric_text.as_deref())
            else {
                report.skipped = Some(format!("benchmark {label:?} is not tracked"));
                self.push_row(report, claims);
                continue;
            };
            if let Some(word) = lower_is_better_word(&label, metric_text.as_deref())
                && !target.lower_is_better
            {
                report.warnings.push(format!(
                    "{word} is less-is-better but the row's target does not declare `lower_is_better`; no claims taken"
                ));
                self.push_row(report, claims);
                continue;
            }
            let metric = target
                .metric
                .clone()
                .or(label_metric)
                .or(metric_text)
                .unwrap_or_else(|| "as reported".to_owned());
            let mut row_settings: Vec<Settings> =
                vec![target.settings.clone(), self.mark_settings(&label_m.marks)];
            row_settings.push(self.setting_columns(l, row));
            row_settings.push(group_settings(spec, &group));
            for (c, model) in &models {
                let mut layers = row_settings.clone();
                if model.evaluator == Evaluator::SelfReported {
                    layers.insert(1, target.own_settings.clone());
                }
                layers.push(model.settings.clone());
                layers.push(spec.settings.clone());
                let cell = CellRef {
                    rich: cell_rich(row, *c),
                    locator: format!("{locator} column {:?}", model.subject.name),
                };
                self.cell_claims(
                    &cell,
                    &target,
                    &metric,
                    &model.subject,
                    model.evaluator,
                    &layers,
                    &mut claims,
                    &mut report,
                );
            }
            self.push_row(report, claims);
        }
    }

    fn models_as_rows(&mut self, l: &Layout<'_>) {
        let spec = l.spec;
        let bench_cols: Vec<BenchColumn> = l
            .data_cols
            .iter()
            .map(|&c| {
                let col = &l.columns[c];
                BenchColumn {
                    index: c,
                    target: find_target(spec, &col.shown, None),
                    marks: col.marks.clone(),
                }
            })
            .collect();
        let tracked = bench_cols.iter().any(|b| b.target.is_some());
        let mut group = String::new();
        let mut last_name = Rich::default();
        for (r, row) in l.table.rows.iter().enumerate().skip(l.header_n) {
            let body_n = r - l.header_n + 1;
            match self.row_kind(row) {
                RowKind::Blank => continue,
                RowKind::Group(text) => {
                    group = text;
                    continue;
                }
                RowKind::Data => {}
            }
            if let Some(c) = l.category_col {
                let cat = self.marks(&cell_rich(row, c), None).text;
                if !cat.is_empty() {
                    group = cat;
                }
            }
            let mut name_rich = cell_rich(row, l.label_col);
            if name_rich.text.is_empty() {
                name_rich = last_name.clone();
            }
            last_name = name_rich.clone();
            let mut marked = self.marks(&name_rich, Some(MarkPlace::Model));
            if let Some(q) = l.qualifier_col {
                let q = self.marks(&cell_rich(row, q), None).text;
                if !self.is_missing(&q) && !fold(&marked.text).contains(&fold(&q)) {
                    marked.text = format!("{} {q}", marked.text);
                }
            }
            let model = self.model(spec, &marked);
            let locator = format!("table {} row {body_n} (line {})", l.table.number, row.line);
            let mut report = RowReport {
                locator: locator.clone(),
                subject: Some(model.subject.name.clone()),
                claims: 0,
                scores: 0,
                skipped: None,
                warnings: Vec::new(),
            };
            if let Some(n) = self.unexplained_note(&marked.unexplained, "the model name") {
                report.warnings.push(n);
            }
            let mut claims: Vec<Claim> = Vec::new();
            if let Some(why) = skip_reason(spec, &model.subject.name) {
                report.skipped = Some(why);
                self.push_row(report, claims);
                continue;
            }
            let setting_cols = self.setting_columns(l, row);
            let groups = group_settings(spec, &group);
            for b in &bench_cols {
                let Some((target, label_metric)) = &b.target else {
                    continue;
                };
                let metric = target
                    .metric
                    .clone()
                    .or_else(|| label_metric.clone())
                    .unwrap_or_else(|| "as reported".to_owned());
                let own = if model.evaluator == Evaluator::SelfReported {
                    target.own_settings.clone()
                } else {
                    Settings::new()
                };
                let layers = vec![
                    target.settings.clone(),
                    own,
                    self.mark_settings(&b.marks),
                    model.settings.clone(),
                    setting_cols.clone(),
                    groups.clone(),
                    spec.settings.clone(),
                ];
                let cell = CellRef {
                    rich: cell_rich(row, b.index),
                    locator: format!("{locator} column {:?}", l.columns[b.index].shown),
                };
                self.cell_claims(
                    &cell,
                    target,
                    &metric,
                    &model.subject,
                    model.evaluator,
                    &layers,
                    &mut claims,
                    &mut report,
                );
            }
            let column_access = l.access_col.and_then(|c| {
                let text = self.marks(&cell_rich(row, c), None).text;
                let values = &spec.access_column.as_ref()?.values;
                let hit = values
                    .iter()
                    .find(|(k, _)| fold(k) == fold(&text))
                    .map(|(_, a)| *a);
                if hit.is_none() && !self.is_missing(&text) {
                    report.warnings.push(format!(
                        "access {text:?} is not one of the access column's values"
                    ));
                }
                hit
            });
            if let Some(access) = column_access.or(model.access) {
                claims.push(Claim {
                    subject: model.subject.clone(),
                    fact: Fact::Access {
                        access,
                        license: None,
                    },
                    reported_on: None,
                    evaluator: model.evaluator,
                    locator: locator.clone(),
                });
            }
            if claims.is_empty() && !tracked {
                report.skipped = Some("no column of the table is a tracked benchmark".to_owned());
            }
            self.push_row(report, claims);
        }
    }

    fn setting_columns(&self, l: &Layout<'_>, row: &Row) -> Settings {
        let mut s = Settings::new();
        for (c, key) in &l.setting_cols {
            let v = self.marks(&cell_rich(row, *c), None).text;
            if !self.is_missing(&v) {
                s.entry(key.clone()).or_insert(v);
            }
        }
        s
    }

    fn is_missing(&self, text: &str) -> bool {
        let t = text.trim();
        is_missing(t)
            || CARD_MISSING.iter().any(|m| t.eq_ignore_ascii_case(m))
            || self.card.missing.iter().any(|m| fold(m) == fold(t))
    }

    /// The claims of one score cell.
    #[allow(clippy::too_many_arguments)]
    fn cell_claims(
        &self,
        cell: &CellRef,
        target: &TargetSpec,
        metric: &str,
        subject: &Subject,
        evaluator: Evaluator,
        layers: &[Settings],
        claims: &mut Vec<Claim>,
        report: &mut RowReport,
    ) {
        let marked = self.marks(&cell.rich, Some(MarkPlace::Value));
        if let Some(n) = self.unexplained_note(&marked.unexplained, "a value") {
            report.warnings.push(format!("{}: {n}", cell.locator));
        }
        let mark_settings = self.mark_settings(&marked.marks);
        let values: Vec<Part<'_>> = match self.read_value(&marked.text) {
            CellValue::Missing => return,
            CellValue::Problem(p) => {
                report.warnings.push(format!("{}: {p}", cell.locator));
                return;
            }
            CellValue::One(v, annotation) => {
                if !target.pair.is_empty() {
                    report.warnings.push(format!(
                        "{}: one value {:?} where the row declares a pair",
                        cell.locator, marked.text
                    ));
                    return;
                }
                vec![Part {
                    value: Some(v),
                    annotation,
                    settings: None,
                    locator: cell.locator.clone(),
                }]
            }
            CellValue::Pair(a, b) => {
                if target.pair.len() != 2 {
                    report.warnings.push(format!(
                        "{}: two values {:?} in one cell but the row declares no `pair`",
                        cell.locator, marked.text
                    ));
                    return;
                }
                [a, b]
                    .into_iter()
                    .enumerate()
                    .map(|(k, value)| Part {
                        value,
                        annotation: None,
                        settings: target.pair.get(k),
                        locator: format!("{} part {}", cell.locator, k + 1),
                    })
                    .collect()
            }
        };
        for Part {
            value,
            annotation,
            settings: part,
            locator,
        } in values
        {
            let Some(mut value) = value else {
                continue;
            };
            if target.fraction {
                value = (value * 100.0 * 1e9).round() / 1e9;
            }
            if target.unit == Unit::Percent && !(0.0..=100.0).contains(&value) {
                report.warnings.push(format!(
                    "{locator}: {value} is outside 0–100 for a percent (give the row a unit)"
                ));
                continue;
            }
            let mut settings = Settings::new();
            let mut add = |s: &Settings| {
                for (k, v) in s {
                    settings.entry(k.clone()).or_insert_with(|| v.clone());
                }
            };
            if let Some(p) = part {
                add(p);
            }
            add(&mark_settings);
            if let Some(a) = &annotation {
                add(&Settings::from([("annotation".to_owned(), a.clone())]));
            }
            for layer in layers {
                add(layer);
            }
            claims.push(Claim {
                subject: subject.clone(),
                fact: Fact::Score(Score {
                    benchmark: target.benchmark.clone(),
                    variant: target.variant.clone(),
                    metric: metric.to_owned(),
                    settings,
                    value,
                    unit: target.unit,
                    uncertainty: None,
                }),
                reported_on: None,
                evaluator,
                locator,
            });
        }
    }

    fn read_value(&self, text: &str) -> CellValue {
        let t = text.trim();
        if self.is_missing(t) {
            return CellValue::Missing;
        }
        if t.matches('/').count() == 1
            && let Some((a, b)) = t.split_once('/')
        {
            let side = |s: &str| -> Result<Option<f64>, ()> {
                let s = s.trim();
                if self.is_missing(s) {
                    return Ok(None);
                }
                match parse_score(s) {
                    Ok(Some(p)) => Ok(Some(p.value)),
                    _ => Err(()),
                }
            };
            if let (Ok(a), Ok(b)) = (side(a), side(b)) {
                return if a.is_none() && b.is_none() {
                    CellValue::Missing
                } else {
                    CellValue::Pair(a, b)
                };
            }
        }
        if let Some(body) = t.strip_suffix(')')
            && let Some(open) = body.rfind('(')
        {
            let (number, note) = (body[..open].trim(), body[open + 1..].trim());
            if let Ok(Some(p)) = parse_score(number)
                && !note.is_empty()
            {
                return CellValue::One(p.value, Some(note.to_owned()));
            }
        }
        match parse_score(t) {
            Ok(Some(p)) => CellValue::One(p.value, None),
            Ok(None) => CellValue::Missing,
            Err(e) => CellValue::Problem(e.to_string()),
        }
    }

    fn push_row(&mut self, mut report: RowReport, claims: Vec<Claim>) {
        for claim in &claims {
            if let Fact::Score(s) = &claim.fact {
                let key = (
                    claim.subject.clone(),
                    s.benchmark.clone(),
                    s.variant.clone(),
                    s.settings.clone(),
                );
                match self.seen.get(&key) {
                    Some(first) => {
                        let note = format!("{DUPLICATE} {} as {first}", s.benchmark);
                        if !report.warnings.contains(&note) {
                            report.warnings.push(note);
                        }
                    }
                    None => {
                        self.seen.insert(key, claim.locator.clone());
                    }
                }
            }
        }
        for w in report.warnings.iter().filter(|w| !w.starts_with(DUPLICATE)) {
            self.warnings.push(Warning {
                locator: Some(report.locator.clone()),
                message: w.clone(),
            });
        }
        report.scores = claims.iter().filter(|c| c.score().is_some()).count();
        report.claims = claims.len();
        self.claims.extend(claims);
        self.rows.push(report);
    }
}

/// A table's columns, resolved.
struct Layout<'a> {
    spec: &'a CardTable,
    table: &'a DocTable,
    header_n: usize,
    label_col: usize,
    category_col: Option<usize>,
    metric_col: Option<usize>,
    qualifier_col: Option<usize>,
    access_col: Option<usize>,
    setting_cols: Vec<(usize, String)>,
    data_cols: Vec<usize>,
    columns: Vec<Column>,
}

/// A score cell and where it is.
struct CellRef {
    rich: Rich,
    locator: String,
}

/// One value of a score cell (two for a pair), with the settings of its part.
struct Part<'t> {
    value: Option<f64>,
    annotation: Option<String>,
    settings: Option<&'t Settings>,
    locator: String,
}

enum CellValue {
    Missing,
    One(f64, Option<String>),
    Pair(Option<f64>, Option<f64>),
    Problem(String),
}

fn cell_rich(row: &Row, c: usize) -> Rich {
    row.cells.get(c).map(|c| c.rich.clone()).unwrap_or_default()
}

fn rich_text(text: &str) -> Rich {
    Rich {
        text: text.to_owned(),
        ..Rich::default()
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `72.3[1]` → `72.3`: numbered citations point to references, not to a meaning.
fn remove_citations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(']') {
            out.push_str(&rest[..open]);
            rest = &after[digits + 1..];
        } else {
            out.push_str(&rest[..=open]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A model name as shown, cleaned: configured texts dropped, parentheses holding no letter
/// or digit (download-link emoji) removed, leading symbols (rank medals) dropped.
fn clean_name(text: &str, drop: &[String]) -> String {
    let mut name = text.to_owned();
    for d in drop {
        let d = d.trim();
        if d.is_empty() {
            continue;
        }
        while let Some(at) = name.to_lowercase().find(&d.to_lowercase()) {
            // Lowercasing keeps byte offsets for the ASCII texts configured here; anything
            // else is matched exactly.
            if name.is_char_boundary(at) && name.is_char_boundary(at + d.len()) {
                name.replace_range(at..at + d.len(), " ");
            } else if let Some(exact) = name.find(d) {
                name.replace_range(exact..exact + d.len(), " ");
            } else {
                break;
            }
        }
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name.as_str();
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let inner = &rest[open + 1..open + close];
        out.push_str(&rest[..open]);
        if inner.chars().any(char::is_alphanumeric) {
            out.push_str(&rest[open..=open + close]);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let out = out.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(');
    collapse(out)
}

/// Settings at the end of a model's name, by the source's `[[source.setting]]` rules with a
/// `name_suffix`: `Qwen3-235B-A22B (non-thinking)`.
fn strip_setting_suffixes(source: &SourceConfig, name: &mut String, settings: &mut Settings) {
    loop {
        let mut changed = false;
        for rule in &source.settings {
            let Some(pattern) = &rule.name_suffix else {
                continue;
            };
            if settings.contains_key(&rule.key) {
                continue;
            }
            let Some((rest, capture)) = match_suffix(name, pattern) else {
                continue;
            };
            let value = match capture {
                Some(c) if rule.values.is_empty() => c,
                Some(c) => match rule.values.iter().find(|v| fold(v) == fold(&c)) {
                    Some(v) => v.clone(),
                    None => continue,
                },
                None => rule.value.clone().unwrap_or_else(|| "true".to_owned()),
            };
            settings.insert(rule.key.clone(), value);
            *name = rest;
            changed = true;
        }
        if !changed {
            break;
        }
    }
}

fn find_column(columns: &[Column], r: &ColumnRef) -> Option<usize> {
    match r {
        ColumnRef::Position(p) => (*p >= 1 && *p <= columns.len()).then(|| p - 1),
        ColumnRef::Name(n) => {
            let want = fold(n);
            columns
                .iter()
                .position(|c| fold(&c.shown) == want)
                .or_else(|| {
                    columns
                        .iter()
                        .position(|c| fold(&c.shown).starts_with(&want))
                })
        }
    }
}

/// A label's target and, when the label held it in a trailing parenthesis, its metric.
fn find_target(
    spec: &CardTable,
    label: &str,
    metric: Option<&str>,
) -> Option<(TargetSpec, Option<String>)> {
    let lookup = |key: &str| -> Option<&CardTarget> {
        let key = fold(key);
        spec.benchmarks
            .iter()
            .find(|(k, _)| fold(k) == key)
            .map(|(_, t)| t)
    };
    if let Some(m) = metric
        && let Some(t) = lookup(&format!("{label} / {m}"))
    {
        return Some((t.spec(), None));
    }
    if let Some(t) = lookup(label) {
        return Some((t.spec(), None));
    }
    let body = label.trim_end().strip_suffix(')')?;
    let open = body.rfind('(')?;
    let (base, inner) = (body[..open].trim(), body[open + 1..].trim());
    if base.is_empty() || inner.is_empty() {
        return None;
    }
    lookup(base).map(|t| (t.spec(), Some(inner.to_owned())))
}

/// The less-is-better word in a row's label or metric, if any: `Pile-test (BPB)`.
fn lower_is_better_word(label: &str, metric: Option<&str>) -> Option<String> {
    let text = format!("{label} {}", metric.unwrap_or(""));
    text.split(|c: char| !c.is_alphanumeric())
        .find(|w| LOWER_IS_BETTER.contains(&w.to_lowercase().as_str()))
        .map(str::to_owned)
}

fn skip_reason(spec: &CardTable, label: &str) -> Option<String> {
    spec.skip_rows
        .iter()
        .find(|(k, _)| fold(k) == fold(label))
        .map(|(_, why)| why.clone())
}

fn group_settings(spec: &CardTable, group: &str) -> Settings {
    spec.groups
        .iter()
        .find(|(k, _)| fold(k) == fold(group))
        .map(|(_, s)| s.clone())
        .unwrap_or_default()
}

/// `*` matches any run of characters; without case.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_names() {
        assert!(glob("DeepSeek*", "Deepseek-V3"));
        assert!(glob("*Qwen2-VL*", "Qwen2-VL-72B"));
        assert!(!glob("DeepSeek*", "GPT-4o"));
        assert_eq!(clean_name("Qwen2.5-VL-7B (🤗🤖)", &[]), "Qwen2.5-VL-7B");
        assert_eq!(
            clean_name("Qwen2-VL-72B (Coming soon)", &["(Coming soon)".to_owned()]),
            "Qwen2-VL-72B"
        );
        assert_eq!(clean_name("🏅️ InternVL", &[]), "InternVL");
        assert_eq!(clean_name("GPT-4o (11-20)", &[]), "GPT-4o (11-20)");
        assert_eq!(remove_citations("89.4[2]"), "89.4");
        assert_eq!(remove_citations("a [b] [12]"), "a [b] ");
    }

    #[test]
    fn lower_is_better_words() {
        assert_eq!(
            lower_is_better_word("Pile-test (BPB)", None).as_deref(),
            Some("BPB")
        );
        assert_eq!(
            lower_is_better_word("Librispeech", Some("WER")).as_deref(),
            Some("WER")
        );
        assert_eq!(lower_is_better_word("Answer rate (Acc.)", None), None);
    }
}
