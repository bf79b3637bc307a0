//! From a row to claims: the subject (a model, or a system and its models), the settings
//! that make a variant, the date, the evaluator, the scores and the access statement.

use gapwatch_model::{Access, Claim, Date, Evaluator, Fact, Score, Settings, Subject, Unit};

use crate::RowReport;
use crate::config::{
    AccessRule, Marker, RaggedRows, ScoreRule, SettingRule, SourceConfig, SubjectKind,
};
use crate::html::{canonical_color, style_background};
use crate::record::{Cells, Found, PathCache, Record, fold};
use crate::value::{
    is_date_or_version, is_missing, parse_date, parse_score, parse_uncertainty_text,
};

/// How a row note about a system that names no model starts; the extraction sums these up
/// in one warning.
pub(crate) const NO_MODEL: &str = "a system that names no model";

/// What holds for every row of one file.
pub(crate) struct MapContext<'s> {
    /// Settings constant over the file: the source's and the file's own.
    pub(crate) constants: Settings,
    /// The derived scores this file's columns allow.
    pub(crate) derived: Vec<&'s crate::DerivedScore>,
}

/// What one row gave.
pub(crate) struct RowOutcome {
    pub(crate) report: RowReport,
    pub(crate) claims: Vec<Claim>,
}

/// Maps one row. Never fails: problems become notes on the row report.
pub(crate) fn map_record(
    source: &SourceConfig,
    rec: &Record<'_>,
    paths: &mut PathCache,
    context: &MapContext<'_>,
) -> RowOutcome {
    let mut notes = rec.notes.clone();
    let mut report = RowReport {
        locator: rec.locator.clone(),
        subject: None,
        claims: 0,
        scores: 0,
        skipped: None,
        warnings: Vec::new(),
    };
    if let Cells::Table { header, cells } = &rec.cells
        && header.len() > 0
        && cells.len() != header.len()
    {
        let unit = if source.format == crate::Format::Csv {
            "fields"
        } else {
            "cells"
        };
        let found = format!(
            "{} {unit} where the header has {}",
            cells.len(),
            header.len()
        );
        match source.ragged_rows {
            RaggedRows::Skip => {
                notes.push(format!(
                    "{found}: skipped, since its cells cannot be matched to columns by position (`ragged_rows = \"keep\"` reads them)"
                ));
                report.skipped = Some(format!("{found} ({unit} not matched to columns)"));
                report.warnings = notes;
                return RowOutcome {
                    report,
                    claims: Vec::new(),
                };
            }
            RaggedRows::Keep => notes.push(format!(
                "{found}: read by position (`ragged_rows = \"keep\"`), so values may sit under the wrong column"
            )),
        }
    }
    let raw_name = rec.get(&source.subject.name, paths).and_then(|f| f.text());
    let Some(raw_name) = raw_name else {
        report.skipped = Some(format!("no name in {}", source.subject.name));
        report.warnings = notes;
        return RowOutcome {
            report,
            claims: Vec::new(),
        };
    };

    // The name as shown, cleaned: organizations, symbols, markers and setting suffixes come
    // off; organizations before a qualifier is appended, so that `Qwen2-VL Alibaba` with
    // `72B` gives `Qwen2-VL 72B`.
    let mut name = collapse(&raw_name);
    let own_text = source
        .subject
        .strip
        .as_ref()
        .and_then(|s| s.field.as_ref())
        .and_then(|f| rec.get(f, paths))
        .and_then(|f| f.text())
        .filter(|t| !is_missing(t));
    if let Some(strip) = &source.subject.strip {
        while strip.apply_once(&mut name, own_text.as_deref()) {}
    }
    if let Some(q) = &source.subject.qualifier
        && let Some(q) = rec.get(q, paths).and_then(|f| f.text())
    {
        let q = collapse(&q);
        if !is_missing(&q) && !fold(&name).contains(&fold(&q)) {
            name = format!("{name} {q}");
        }
    }
    if source.subject.strip_leading_symbols {
        name = strip_leading_symbols(&name).to_owned();
    }
    let mut settings = Settings::new();
    let mut row_self_reported = false;
    strip_suffixes(
        source,
        &mut name,
        &mut settings,
        &mut row_self_reported,
        own_text.as_deref(),
    );
    report.subject = Some(name.clone());

    for rule in &source.skips {
        let text = match &rule.field {
            Some(f) => rec.get(f, paths).and_then(|f| f.text()),
            None => Some(name.clone()),
        };
        if let Some(t) = text
            && skip_matches(rule, &t)
        {
            report.skipped = Some(rule.reason.clone());
            report.warnings = notes;
            return RowOutcome {
                report,
                claims: Vec::new(),
            };
        }
    }

    // Settings that apply to some benchmarks only: (benchmarks, key, value).
    let mut scoped: Vec<(&[String], &str, String)> = Vec::new();
    for rule in &source.settings {
        if let Some(v) = setting_value(rule, rec, paths) {
            if rule.benchmarks.is_empty() {
                settings.entry(rule.key.clone()).or_insert(v);
            } else {
                scoped.push((&rule.benchmarks, &rule.key, v));
            }
        }
    }

    let subject = build_subject(source, rec, paths, &name);
    if source.subject.kind == SubjectKind::System && subject.models.is_empty() {
        notes.push(format!(
            "{NO_MODEL}: it counts only if the registry knows the system {name:?} itself"
        ));
    }
    let reported_on = date_of(source, rec, paths, &raw_name, &mut notes);
    if let Some(m) = &source.self_reported {
        row_self_reported |= marked(m, rec, paths);
    }
    let row_evaluator = if row_self_reported {
        Evaluator::SelfReported
    } else {
        source.evaluator
    };

    let mut claims = Vec::new();
    let mut untracked: Option<String> = None;
    for rule in &source.scores {
        match score_of(rule, rec, paths) {
            ScoreResult::Claim(mut score) => {
                for (k, v) in &rule.settings {
                    score.settings.entry(k.clone()).or_insert_with(|| v.clone());
                }
                for (k, v) in settings.iter().chain(&context.constants) {
                    score.settings.entry(k.clone()).or_insert_with(|| v.clone());
                }
                for (benchmarks, k, v) in &scoped {
                    if benchmarks.contains(&score.benchmark) {
                        score
                            .settings
                            .entry((*k).to_owned())
                            .or_insert_with(|| v.clone());
                    }
                }
                let evaluator = stated_evaluator(rule, rec, paths).unwrap_or_else(|| {
                    match &rule.self_reported {
                        Some(m) if marked(m, rec, paths) => Evaluator::SelfReported,
                        _ if row_self_reported => Evaluator::SelfReported,
                        _ => rule.evaluator.unwrap_or(source.evaluator),
                    }
                });
                claims.push(Claim {
                    subject: subject.clone(),
                    fact: Fact::Score(score),
                    reported_on,
                    evaluator,
                    locator: field_locator(&rec.locator, &rule.field),
                });
            }
            ScoreResult::Missing => {}
            ScoreResult::Untracked(key) => {
                untracked.get_or_insert(key);
            }
            ScoreResult::Problem(p) => notes.push(p),
        }
    }
    for rule in &context.derived {
        match rule.compute(rec, paths) {
            Ok(scores) => {
                for (mut score, locator) in scores {
                    for (k, v) in settings.iter().chain(&context.constants) {
                        score.settings.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    claims.push(Claim {
                        subject: subject.clone(),
                        fact: Fact::Score(score),
                        reported_on,
                        evaluator: row_evaluator,
                        locator,
                    });
                }
            }
            Err(why) => notes.push(format!(
                "derived {} score not computed: {why}",
                rule.benchmark
            )),
        }
    }
    report.scores = claims.len();

    if let Some(rule) = &source.access
        && let Some((access, license)) = access_of(rule, rec, paths)
    {
        claims.push(Claim {
            subject: subject.clone(),
            fact: Fact::Access { access, license },
            reported_on: None,
            evaluator: source.evaluator,
            locator: rec.locator.clone(),
        });
    }
    report.claims = claims.len();
    if claims.is_empty()
        && let Some(key) = untracked
    {
        report.skipped = Some(format!("benchmark {key:?} is not tracked"));
    }
    report.warnings = notes;
    RowOutcome { report, claims }
}

fn field_locator(row: &str, field: &crate::config::FieldSpec) -> String {
    match field.0.first() {
        Some(crate::config::FieldRef::Name(n)) if !n.starts_with('@') => format!("{row} {n:?}"),
        Some(crate::config::FieldRef::Position(p)) => format!("{row} column {p}"),
        _ => row.to_owned(),
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `🆕 🥇 🤠 Agent` → `Agent`. The 🤠 "open scaffold" mark is deliberately dropped here,
/// never read as a claim about the model's weights.
fn strip_leading_symbols(s: &str) -> &str {
    s.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '[')
}

/// Removes setting suffixes and the self-reported mark from the end of the name, in any
/// order, until none applies: `Command-R-Plus (Prompt) (Original)` → mode and provider.
fn strip_suffixes(
    source: &SourceConfig,
    name: &mut String,
    settings: &mut Settings,
    self_reported: &mut bool,
    own_text: Option<&str>,
) {
    let self_mark = source
        .self_reported
        .as_ref()
        .and_then(|m| m.name_suffix.as_deref());
    loop {
        let mut changed = false;
        if let Some(strip) = &source.subject.strip {
            changed |= strip.apply_once(name, own_text);
        }
        if let Some(mark) = self_mark
            && !*self_reported
            && let Some((rest, _)) = match_suffix(name, mark)
        {
            *name = rest;
            *self_reported = true;
            changed = true;
        }
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
                Some(c) => match allowed(rule, &c) {
                    Some(v) => v,
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

/// The configured spelling of a captured value, when the rule restricts values.
fn allowed(rule: &SettingRule, capture: &str) -> Option<String> {
    if rule.values.is_empty() {
        return Some(capture.to_owned());
    }
    rule.values
        .iter()
        .find(|v| fold(v) == fold(capture))
        .cloned()
}

/// Matches a suffix pattern (`"({})"`, `"_{}"`, `"*"`) at the end of `name`; gives the
/// rest of the name and the captured value.
pub(crate) fn match_suffix(name: &str, pattern: &str) -> Option<(String, Option<String>)> {
    let name = name.trim_end();
    match pattern.split_once("{}") {
        None => {
            let rest = name.strip_suffix(pattern)?.trim_end();
            (!rest.is_empty()).then(|| (rest.to_owned(), None))
        }
        Some((prefix, suffix)) => {
            let body = name.strip_suffix(suffix)?;
            if prefix.is_empty() {
                return None;
            }
            let at = body.rfind(prefix)?;
            let capture = body[at + prefix.len()..].trim();
            let rest = body[..at].trim_end();
            (!capture.is_empty() && !rest.is_empty())
                .then(|| (rest.to_owned(), Some(capture.to_owned())))
        }
    }
}

fn skip_matches(rule: &crate::config::SkipRule, text: &str) -> bool {
    let t = fold(text);
    rule.equals.iter().any(|e| fold(e) == t)
        || rule.starts_with.iter().any(|e| t.starts_with(&fold(e)))
        || rule.contains.iter().any(|e| t.contains(&fold(e)))
}

fn setting_value(rule: &SettingRule, rec: &Record<'_>, paths: &mut PathCache) -> Option<String> {
    let raw = if let Some(f) = &rule.field {
        rec.get(f, paths)?.text()
    } else if let Some(tag) = &rule.tag {
        tags(rec, paths, &tag.field, &tag.prefix).into_iter().next()
    } else {
        None
    }?;
    if is_missing(&raw) {
        return None;
    }
    if !rule.contains.is_empty() {
        let text = fold(&raw);
        return rule
            .contains
            .iter()
            .find(|(phrase, _)| text.contains(&fold(phrase)))
            .map(|(_, value)| value.clone())
            .filter(|value| !value.is_empty());
    }
    allowed(rule, &raw)
}

/// The rest of each item of a list field that starts with `prefix`.
fn tags(
    rec: &Record<'_>,
    paths: &mut PathCache,
    field: &crate::config::FieldSpec,
    prefix: &str,
) -> Vec<String> {
    let Some(found) = rec.get(field, paths) else {
        return Vec::new();
    };
    found
        .list()
        .into_iter()
        .filter_map(|item| {
            item.strip_prefix(prefix)
                .map(|rest| rest.trim().to_owned())
                .filter(|r| !r.is_empty())
        })
        .collect()
}

fn build_subject(
    source: &SourceConfig,
    rec: &Record<'_>,
    paths: &mut PathCache,
    name: &str,
) -> Subject {
    let rule = &source.subject;
    let clean_model = |m: &str| -> String {
        let m = m.trim();
        if rule.model_last_segment {
            let last = m.trim_end_matches('/').rsplit('/').next().unwrap_or(m);
            if !last.is_empty() {
                return last.to_owned();
            }
        }
        m.to_owned()
    };
    match rule.kind {
        SubjectKind::Model => {
            if let Some(sep) = &rule.models_separator {
                let parts = split_top_level(name, sep);
                if parts.len() > 1 {
                    let system = rule
                        .several_models_system
                        .clone()
                        .unwrap_or_else(|| name.to_owned());
                    return Subject::system(name, system, parts.iter().map(|p| clean_model(p)));
                }
            }
            Subject::model(name)
        }
        SubjectKind::System => {
            let one_agent = rec.group.as_deref().and_then(|g| rule.group_system.get(g));
            let (system, from_name) = match one_agent {
                Some(agent) => (agent.clone(), vec![name.to_owned()]),
                None => split_system(name, rule),
            };
            let mut models: Vec<String> = Vec::new();
            if let Some(tag) = &rule.model_tags {
                models = tags(rec, paths, &tag.field, &tag.prefix);
            }
            if models.is_empty()
                && let Some(f) = &rule.models
                && let Some(found) = rec.get(f, paths)
            {
                models = found
                    .list()
                    .into_iter()
                    .filter(|m| !is_missing(m))
                    .collect();
            }
            if models.is_empty() {
                models = from_name;
            }
            let mut cleaned: Vec<String> = Vec::new();
            for m in models.iter().map(|m| clean_model(m)) {
                if !cleaned.contains(&m) {
                    cleaned.push(m);
                }
            }
            Subject::system(name, system, cleaned)
        }
    }
}

/// The system's name and the models the name itself gives.
fn split_system(name: &str, rule: &crate::config::SubjectRule) -> (String, Vec<String>) {
    if rule.parenthesized_model
        && let Some((before, inside)) = trailing_parens(name)
        && model_like(inside)
        && !before.is_empty()
    {
        return (before.to_owned(), vec![inside.to_owned()]);
    }
    if let Some(sep) = &rule.system_separator
        && let Some(at) = last_top_level(name, sep)
    {
        let system = name[..at].trim();
        let model = name[at + sep.len()..].trim();
        if !system.is_empty() && !model.is_empty() {
            return (system.to_owned(), vec![model.to_owned()]);
        }
    }
    (name.to_owned(), Vec::new())
}

/// `Agent v2 (claude-3-5-sonnet)` → (`Agent v2`, `claude-3-5-sonnet`).
fn trailing_parens(name: &str) -> Option<(&str, &str)> {
    let body = name.trim_end().strip_suffix(')')?;
    let mut depth = 0usize;
    for (i, c) in body.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' if depth == 0 => return Some((body[..i].trim_end(), body[i + 1..].trim())),
            '(' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Text in parentheses that names a model: letters and digits, not a date or a version
/// (`medium reasoning`, `2024-05-13`, `v20241202-dev` are not models).
fn model_like(text: &str) -> bool {
    text.chars().any(|c| c.is_alphabetic())
        && text.chars().any(|c| c.is_ascii_digit())
        && !is_date_or_version(text)
}

/// Byte offsets of `sep` outside parentheses.
fn top_level_positions(name: &str, sep: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            _ => {}
        }
        if depth <= 0 && name[i..].starts_with(sep) {
            out.push(i);
            i += sep.len();
            continue;
        }
        i += 1;
    }
    out
}

fn last_top_level(name: &str, sep: &str) -> Option<usize> {
    if sep.is_empty() {
        return None;
    }
    top_level_positions(name, sep).last().copied()
}

fn split_top_level(name: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return vec![name.to_owned()];
    }
    let mut parts = Vec::new();
    let mut start = 0;
    for at in top_level_positions(name, sep) {
        parts.push(name[start..at].trim().to_owned());
        start = at + sep.len();
    }
    parts.push(name[start..].trim().to_owned());
    parts.retain(|p| !p.is_empty());
    parts
}

fn date_of(
    source: &SourceConfig,
    rec: &Record<'_>,
    paths: &mut PathCache,
    raw_name: &str,
    notes: &mut Vec<String>,
) -> Option<Date> {
    let rule = source.date.as_ref()?;
    if let Some(f) = &rule.field
        && let Some(text) = rec.get(f, paths).and_then(|f| f.text())
        && !is_missing(&text)
    {
        match parse_date(&text, rule.order) {
            Some(d) => return Some(d),
            None => notes.push(format!("unreadable date {text:?} in {f}")),
        }
    }
    if rule.from_name {
        let mut rest = raw_name;
        while let Some((before, inside)) = trailing_parens(rest) {
            if let Some(d) = parse_date(inside, rule.order) {
                return Some(d);
            }
            rest = before;
        }
    }
    None
}

/// Who ran a score's result, when the row says so in words its `evaluator_from` knows.
fn stated_evaluator(
    rule: &ScoreRule,
    rec: &Record<'_>,
    paths: &mut PathCache,
) -> Option<Evaluator> {
    let by = rule.evaluator_from.as_ref()?;
    let text = fold(&rec.get(&by.field, paths)?.text()?);
    by.contains
        .iter()
        .find(|(phrase, _)| text.contains(&fold(phrase)))
        .map(|(_, evaluator)| *evaluator)
}

/// Whether a marker applies to the row (its name suffix is handled with the name).
fn marked(m: &Marker, rec: &Record<'_>, paths: &mut PathCache) -> bool {
    let Some(f) = &m.field else {
        return false;
    };
    let Some(found) = rec.get(f, paths) else {
        return false;
    };
    if m.values.is_empty() {
        found.boolean() == Some(true)
    } else {
        found
            .text()
            .is_some_and(|t| m.values.iter().any(|v| fold(v) == fold(&t)))
    }
}

enum ScoreResult {
    Claim(Score),
    Missing,
    Untracked(String),
    Problem(String),
}

fn score_of(rule: &ScoreRule, rec: &Record<'_>, paths: &mut PathCache) -> ScoreResult {
    let (benchmark, variant) = match (&rule.benchmark, &rule.benchmark_from) {
        (Some(b), _) => (b.clone(), rule.variant.clone().unwrap_or_default()),
        (None, Some(from)) => {
            let Some(key) = rec.get(from, paths).and_then(|f| f.text()) else {
                return ScoreResult::Missing;
            };
            let target = rule.benchmarks.get(&key).or_else(|| {
                rule.benchmarks
                    .iter()
                    .find(|(k, _)| fold(k) == fold(&key))
                    .map(|(_, v)| v)
            });
            match target {
                Some(t) => {
                    let (b, v) = t.parts();
                    let variant = if v.is_empty() {
                        rule.variant.clone().unwrap_or_default()
                    } else {
                        v.to_owned()
                    };
                    (b.to_owned(), variant)
                }
                None => return ScoreResult::Untracked(key),
            }
        }
        (None, None) => return ScoreResult::Missing,
    };
    let Some(found) = rec.get(&rule.field, paths) else {
        return ScoreResult::Missing;
    };
    let parsed = if let Some(n) = found.number() {
        Some((n, None))
    } else if let Some(text) = found.text() {
        match parse_score(&text) {
            Ok(p) => p.map(|p| (p.value, p.uncertainty)),
            Err(e) => return ScoreResult::Problem(format!("{}: {e}", rule.field)),
        }
    } else if matches!(
        found,
        Found::Json(serde_json::Value::Array(_) | serde_json::Value::Object(_))
    ) {
        return ScoreResult::Problem(format!(
            "{}: expected a number, found a list or object",
            rule.field
        ));
    } else {
        None
    };
    let Some((mut value, mut uncertainty)) = parsed else {
        return ScoreResult::Missing;
    };
    if let Some(f) = &rule.uncertainty
        && let Some(text) = rec.get(f, paths).and_then(|f| f.text())
    {
        match parse_uncertainty_text(&text) {
            Ok(u) => uncertainty = u.or(uncertainty),
            Err(e) => return ScoreResult::Problem(format!("{f}: {e}")),
        }
    }
    if let Some([lo, hi]) = &rule.interval {
        let num = |spec, paths: &mut PathCache| -> Option<f64> {
            let f = rec.get(spec, paths)?;
            f.number()
                .or_else(|| parse_score(&f.text()?).ok().flatten().map(|p| p.value))
        };
        if let (Some(l), Some(h)) = (num(lo, paths), num(hi, paths)) {
            uncertainty = Some(((h - l) / 2.0).abs());
        }
    }
    if rule.fraction {
        value = round(value * 100.0);
        uncertainty = uncertainty.map(|u| round(u * 100.0));
    }
    if rule.unit == Unit::Percent && !(0.0..=100.0).contains(&value) {
        return ScoreResult::Problem(format!(
            "{}: {value} is outside 0–100 for a percent",
            rule.field
        ));
    }
    if !value.is_finite() || uncertainty.is_some_and(|u| !u.is_finite()) {
        return ScoreResult::Problem(format!("{}: not a finite number", rule.field));
    }
    ScoreResult::Claim(Score {
        benchmark,
        variant,
        metric: rule.metric.clone(),
        settings: Settings::new(),
        value,
        unit: rule.unit,
        uncertainty,
    })
}

/// Rounds away the noise of scaling a fraction (`0.85 × 100 = 85.00000000000001`).
fn round(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}

fn access_of(
    rule: &AccessRule,
    rec: &Record<'_>,
    paths: &mut PathCache,
) -> Option<(Access, Option<String>)> {
    let license = rule
        .license
        .as_ref()
        .and_then(|f| rec.get(f, paths))
        .and_then(|f| f.text())
        .filter(|t| !is_missing(t));
    let decided = decide_access(rule, rec, paths, license.as_deref())?;
    (decided != Access::Unknown).then_some((decided, license))
}

fn decide_access(
    rule: &AccessRule,
    rec: &Record<'_>,
    paths: &mut PathCache,
    license: Option<&str>,
) -> Option<Access> {
    if let Some(f) = &rule.flag
        && let Some(b) = rec.get(f, paths).and_then(|f| f.boolean())
    {
        return Some(if b {
            Access::OpenWeights
        } else {
            Access::Closed
        });
    }
    if let Some(f) = &rule.field {
        let text = rec
            .get(f, paths)
            .and_then(|f| f.text())
            .filter(|t| !is_missing(t));
        match text {
            Some(t) => {
                let hit = rule
                    .values
                    .iter()
                    .find(|(k, _)| fold(k) == fold(&t))
                    .map(|(_, a)| *a);
                if let Some(a) = hit.or(rule.if_present) {
                    return Some(a);
                }
            }
            None => {
                if let Some(a) = rule.if_missing {
                    return Some(a);
                }
            }
        }
    }
    if !rule.row_colors.is_empty()
        && let Some(bg) = rec.style.as_deref().and_then(style_background)
    {
        let hit = rule
            .row_colors
            .iter()
            .find(|(k, _)| canonical_color(k).as_deref() == Some(bg.as_str()));
        if let Some((_, a)) = hit {
            return Some(*a);
        }
    }
    if !rule.row_classes.is_empty()
        && let Some(class) = rec.class.as_deref()
    {
        for c in class.split_whitespace() {
            if let Some((_, a)) = rule.row_classes.iter().find(|(k, _)| k.as_str() == c) {
                return Some(*a);
            }
        }
    }
    if let Some(l) = license {
        let closed = rule.closed_licenses.iter().any(|c| fold(c) == fold(l));
        return Some(if closed {
            Access::Closed
        } else {
            Access::OpenWeights
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_patterns() {
        assert_eq!(
            match_suffix("Command-R-Plus (Prompt) (Original)", "({})"),
            Some((
                "Command-R-Plus (Prompt)".to_owned(),
                Some("Original".to_owned())
            ))
        );
        assert_eq!(
            match_suffix("o3-2025-04-16_low", "_{}"),
            Some(("o3-2025-04-16".to_owned(), Some("low".to_owned())))
        );
        assert_eq!(
            match_suffix("GPT-4o*", "*"),
            Some(("GPT-4o".to_owned(), None))
        );
        assert_eq!(
            match_suffix("LLaVA-1.6-34B *", "*"),
            Some(("LLaVA-1.6-34B".to_owned(), None))
        );
        assert_eq!(match_suffix("(FC)", "({})"), None);
        assert_eq!(match_suffix("GPT-4o", "({})"), None);
    }

    #[test]
    fn top_level_separators_ignore_parentheses() {
        assert_eq!(
            split_top_level(
                "SWE-RL (Llama3-SWE-RL-70B + Agentless Mini) (20250226)",
                " + "
            ),
            vec!["SWE-RL (Llama3-SWE-RL-70B + Agentless Mini) (20250226)"]
        );
        assert_eq!(
            split_top_level("o3 (high) + gpt-4.1", " + "),
            vec!["o3 (high)", "gpt-4.1"]
        );
        assert_eq!(
            trailing_parens("AutoCodeRover-v2.0 (Claude-3.5-Sonnet-20241022)"),
            Some(("AutoCodeRover-v2.0", "Claude-3.5-Sonnet-20241022"))
        );
    }
}
