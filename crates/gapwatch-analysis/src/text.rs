//! Wording and number formats shared by every sentence the analysis writes.

use gapwatch_model::{Registry, Settings, Subject, Unit};

use crate::Gap;

/// Differences smaller than this are float noise, not a gap.
pub(crate) const EPSILON: f64 = 1e-9;

/// A score for people: `71.2%`, `1,402 Elo`, `0.85`.
pub(crate) fn value(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Percent => format!("{v:.1}%"),
        Unit::Elo => format!("{} Elo", thousands(v.round())),
        Unit::Score => trimmed(v, 3),
    }
}

/// A score written precisely enough to differ from `other` when the two differ.
pub(crate) fn value_apart_from(unit: Unit, v: f64, other: f64) -> String {
    let plain = value(unit, v);
    if plain != value(unit, other) || (v - other).abs() < EPSILON {
        return plain;
    }
    match unit {
        Unit::Percent => format!("{v:.2}%"),
        Unit::Elo => format!("{v:.1} Elo"),
        Unit::Score => trimmed(v, 6),
    }
}

/// A difference between two scores: `4.1 points`, `0.04 points`, `41 Elo points`.
pub(crate) fn amount(unit: Unit, v: f64) -> String {
    let a = v.abs();
    match unit {
        Unit::Percent | Unit::Score if a > 0.0 && a < 0.095 => format!("{a:.2} points"),
        Unit::Percent | Unit::Score => format!("{a:.1} points"),
        Unit::Elo if a > 0.0 && a < 0.95 => format!("{a:.1} Elo points"),
        Unit::Elo => format!("{} Elo points", thousands(a.round())),
    }
}

/// A relative difference. Two decimals, so that 2.05% is never shown as 2.0% next to a
/// 2% margin.
pub(crate) fn relative(v: f64) -> String {
    format!("{:.2}%", v.abs())
}

/// A gap for people: `1.8 points (2.05% relative)`.
pub(crate) fn gap(unit: Unit, g: &Gap) -> String {
    format!(
        "{} ({} relative)",
        amount(unit, g.points),
        relative(g.relative_percent)
    )
}

fn thousands(v: f64) -> String {
    let n = v as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn trimmed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// A cohort label inside a sentence: `Open weights` becomes `open weights`, while `GPT family`
/// keeps its capitals.
pub(crate) fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        (Some(first), None) => first.to_lowercase().collect(),
        _ => label.to_owned(),
    }
}

/// A benchmark for people: `MMLU`, or `MMMU (val)` for a variant.
pub(crate) fn benchmark(name: &str, variant: &str) -> String {
    if variant.is_empty() {
        name.to_owned()
    } else {
        format!("{name} ({variant})")
    }
}

/// Names joined as in prose: `A`, `A and B`, `A, B and C`.
pub(crate) fn join(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The raw model names of a subject; a subject without models is named by itself.
pub(crate) fn model_names(subject: &Subject) -> Vec<&str> {
    if subject.models.is_empty() {
        vec![subject.name.as_str()]
    } else {
        subject.models.iter().map(String::as_str).collect()
    }
}

/// Registry display names: `Model A`, or `System (Model A + Model B)` for a system. A name
/// the registry does not know is shown as the source wrote it.
pub(crate) fn subject(registry: &Registry, subject: &Subject) -> String {
    let mut names: Vec<String> = Vec::new();
    for raw in model_names(subject) {
        let name = registry
            .resolve_model_name(raw)
            .id()
            .and_then(|id| registry.model(id))
            .map_or_else(|| raw.to_owned(), |m| m.name.clone());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match &subject.system {
        Some(system) => format!("{system} ({})", names.join(" + ")),
        None => names.join(" + "),
    }
}

/// A subject with its settings, when it has any: `GPT-4o (mode: FC)`.
pub(crate) fn subject_with_settings(display: String, settings: &Settings) -> String {
    if settings.is_empty() {
        return display;
    }
    let parts: Vec<String> = settings.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{display} ({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_people() {
        assert_eq!(value(Unit::Percent, 71.25), "71.2%");
        assert_eq!(value(Unit::Elo, 1402.4), "1,402 Elo");
        assert_eq!(value(Unit::Elo, 987.0), "987 Elo");
        assert_eq!(value(Unit::Score, 0.850), "0.85");
        assert_eq!(amount(Unit::Percent, -4.1), "4.1 points");
        assert_eq!(amount(Unit::Percent, 0.04), "0.04 points");
        assert_eq!(amount(Unit::Elo, 41.2), "41 Elo points");
        assert_eq!(relative(2.04545), "2.05%");
        assert_eq!(value_apart_from(Unit::Percent, 86.24, 86.2), "86.24%");
        assert_eq!(value_apart_from(Unit::Percent, 86.9, 86.2), "86.9%");
    }

    #[test]
    fn labels_and_lists() {
        assert_eq!(in_sentence("Open weights"), "open weights");
        assert_eq!(in_sentence("Closed"), "closed");
        assert_eq!(in_sentence("GPT family"), "GPT family");
        let names = ["A".to_owned(), "B".to_owned(), "C".to_owned()];
        assert_eq!(join(&names), "A, B and C");
        assert_eq!(join(&names[..2]), "A and B");
    }
}
