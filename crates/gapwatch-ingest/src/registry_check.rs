//! A source's benchmark ids checked against a registry: an id the registry lacks (a typo)
//! would give claims that count nowhere, so it is a warning before anything is stored.

use gapwatch_model::{Registry, Resolution};

use crate::config::SourceConfig;
use crate::extract::Warning;

/// Warnings about the benchmark ids and variants a source's scores name: an id that resolves
/// to no registry benchmark (with the ids it may have meant), and a variant the benchmark
/// does not declare when it declares some.
///
/// ```
/// use gapwatch_ingest::{SourcesFile, check_benchmarks};
/// use gapwatch_model::Registry;
///
/// let sources = SourcesFile::from_toml_str(r#"
/// [[source]]
/// id = "videos"
/// publisher = "Video-MME"
/// title = "Video-MME leaderboard"
/// url = "https://video-mme.github.io/home_page.html"
/// format = "csv"
/// subject = { name = "Model" }
///
/// [[source.score]]
/// field = "Overall"
/// benchmark = "vidoe-mme"
/// metric = "accuracy"
/// "#, "sources.toml")?;
/// let warnings = check_benchmarks(sources.get("videos").unwrap(), &Registry::builtin()?);
/// assert!(warnings[0].message.contains("did you mean video-mme"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_benchmarks(source: &SourceConfig, registry: &Registry) -> Vec<Warning> {
    let mut wanted: Vec<(String, &str, String)> = Vec::new();
    for s in &source.scores {
        let what = format!("score field {}", s.field);
        if let Some(b) = &s.benchmark {
            wanted.push((what.clone(), b, s.variant.clone().unwrap_or_default()));
        }
        for (key, target) in &s.benchmarks {
            let (b, v) = target.parts();
            let variant = if v.is_empty() {
                s.variant.clone().unwrap_or_default()
            } else {
                v.to_owned()
            };
            wanted.push((format!("{what} ({key:?})"), b, variant));
        }
    }
    for d in &source.derived {
        wanted.push((
            "derived score".to_owned(),
            &d.benchmark,
            d.variant.clone().unwrap_or_default(),
        ));
    }
    let mut warnings: Vec<Warning> = Vec::new();
    let mut seen: Vec<(&str, String)> = Vec::new();
    for (what, id, variant) in wanted {
        if seen.contains(&(id, variant.clone())) {
            continue;
        }
        seen.push((id, variant.clone()));
        let entry = registry.benchmark(id).or_else(|| {
            registry
                .resolve_benchmark(id)
                .id()
                .and_then(|i| registry.benchmark(i))
        });
        let Some(entry) = entry else {
            let suggestions = registry.suggest_benchmarks(id);
            let hint = match registry.resolve_benchmark(id) {
                Resolution::Unresolved if !suggestions.is_empty() => {
                    format!("; did you mean {}?", suggestions.join(", "))
                }
                _ => {
                    let close = close_ids(registry, id);
                    if close.is_empty() {
                        "; add a [[benchmark]] to the registry".to_owned()
                    } else {
                        format!("; did you mean {}?", close.join(", "))
                    }
                }
            };
            warnings.push(Warning {
                locator: None,
                message: format!(
                    "benchmark {id:?} ({what}) is not in the registry, so its claims would count nowhere{hint}"
                ),
            });
            continue;
        };
        if !variant.is_empty()
            && !entry.variants.is_empty()
            && !entry.variants.contains(&variant)
            && !entry.subscores.contains(&variant)
        {
            warnings.push(Warning {
                locator: None,
                message: format!(
                    "variant {variant:?} of {} ({what}) is not one the registry declares: {}",
                    entry.id,
                    entry.variants.join(", ")
                ),
            });
        }
    }
    warnings
}

/// Ids one edit away from `id` (a typo: a letter missing, added, changed or two swapped).
fn close_ids<'r>(registry: &'r Registry, id: &str) -> Vec<&'r str> {
    registry
        .benchmarks()
        .iter()
        .map(|b| b.id.as_str())
        .filter(|candidate| one_edit_apart(candidate, id))
        .take(3)
        .collect()
}

fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ra, rb) = (a.len() - prefix - suffix, b.len() - prefix - suffix);
    let swapped = ra == 2 && rb == 2 && a[prefix] == b[prefix + 1] && a[prefix + 1] == b[prefix];
    (ra <= 1 && rb <= 1) || swapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_one_edit_apart() {
        assert!(one_edit_apart("video-mme", "vidoe-mme"));
        assert!(one_edit_apart("livebench", "livebnch"));
        assert!(one_edit_apart("livebench", "livebenchx"));
        assert!(one_edit_apart("mmlu", "mmly"));
        assert!(!one_edit_apart("mmlu", "mmlu"));
        assert!(!one_edit_apart("mmlu", "gpqa"));
    }
}
