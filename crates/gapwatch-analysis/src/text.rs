//! Names for subjects, and the small numeric helpers shared by the analysis. The analysis
//! writes no sentences: the report's prose module does.

use gapwatch_model::{Registry, Subject};

/// Differences smaller than this are float noise, not a gap.
pub(crate) const EPSILON: f64 = 1e-9;

/// The raw model names of a subject; a subject without models is named by itself.
pub(crate) fn model_names(subject: &Subject) -> Vec<&str> {
    if subject.models.is_empty() {
        vec![subject.name.as_str()]
    } else {
        subject.models.iter().map(String::as_str).collect()
    }
}

/// The registry display names of a subject's models, each once. A name the registry does
/// not know is shown as the source wrote it.
pub(crate) fn display_names(registry: &Registry, subject: &Subject) -> Vec<String> {
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
    names
}

/// Registry display names: `Model A`, or `System (Model A + Model B)` for a system.
pub(crate) fn subject(registry: &Registry, subject: &Subject) -> String {
    let names = display_names(registry, subject);
    match &subject.system {
        Some(system) => format!("{system} ({})", names.join(" + ")),
        None => names.join(" + "),
    }
}

/// The median; with an even count, the mean of the two middle values.
pub(crate) fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
