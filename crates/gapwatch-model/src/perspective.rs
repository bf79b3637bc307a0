//! Perspectives: an actor's position in their own quoted words, from a stored source, with an
//! optional proposition that the evidence can test at every version.

use serde::{Deserialize, Serialize};

use crate::Date;

/// Who holds a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActorKind {
    /// A lab that builds models.
    Lab,
    /// An organisation that measures models.
    Evaluator,
    /// A writer or analyst who follows the field.
    Analyst,
}

impl ActorKind {
    /// The stable lowercase name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Lab => "lab",
            ActorKind::Evaluator => "evaluator",
            ActorKind::Analyst => "analyst",
        }
    }
}

/// Which way a gap is said to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrendDirection {
    /// The challenger comes closer (the gap in points gets smaller).
    Narrows,
    /// The challenger falls further behind.
    Widens,
}

/// A testable reading of a position, in a small vocabulary the analysis can check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Proposition {
    /// The story's median lag (frontier to frontier, across comparable headline rows) is
    /// within `min_months ..= max_months`.
    MedianLagWithin {
        /// The lower bound, in months.
        min_months: f64,
        /// The upper bound, in months.
        max_months: f64,
    },
    /// The gap on these benchmarks' headline rows narrows (or widens) between `since`
    /// (default: the statement date) and the version's date.
    GapTrend {
        /// Benchmark ids.
        benchmarks: Vec<String>,
        /// Which way the gap moves.
        direction: TrendDirection,
        /// The date the trend is measured from, when not the statement's date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Date>,
    },
    /// The challenger leads on every one of these benchmarks' headline rows.
    ChallengerLeads {
        /// Benchmark ids.
        benchmarks: Vec<String>,
    },
    /// Parity (within the story's margin, or a lead) holds on at least `k` of these
    /// benchmarks' headline rows.
    ParityAtLeast {
        /// Benchmark ids.
        benchmarks: Vec<String>,
        /// How many of them must be at parity.
        k: usize,
    },
}

impl Proposition {
    /// The benchmark ids the proposition names; empty for the median lag.
    pub fn benchmarks(&self) -> &[String] {
        match self {
            Proposition::MedianLagWithin { .. } => &[],
            Proposition::GapTrend { benchmarks, .. }
            | Proposition::ChallengerLeads { benchmarks }
            | Proposition::ParityAtLeast { benchmarks, .. } => benchmarks,
        }
    }

    /// Why the proposition cannot be tested as written, if it cannot.
    pub fn problem(&self) -> Option<String> {
        match self {
            Proposition::MedianLagWithin {
                min_months,
                max_months,
            } => (!(min_months.is_finite() && max_months.is_finite())
                || min_months > max_months)
                .then(|| {
                    format!(
                        "median-lag-within needs min_months ≤ max_months, both numbers (got {min_months} and {max_months})"
                    )
                }),
            Proposition::GapTrend { benchmarks, .. }
            | Proposition::ChallengerLeads { benchmarks } => benchmarks
                .is_empty()
                .then(|| "the proposition names no benchmark".to_owned()),
            Proposition::ParityAtLeast { benchmarks, k } => {
                if benchmarks.is_empty() {
                    Some("the proposition names no benchmark".to_owned())
                } else if *k == 0 || *k > benchmarks.len() {
                    Some(format!(
                        "parity-at-least needs 1 ≤ k ≤ {} (the benchmarks named), got k = {k}",
                        benchmarks.len()
                    ))
                } else {
                    None
                }
            }
        }
    }
}

/// An actor's position, quoted from a stored source (`[[perspective]]` in a story).
///
/// The quote must appear in the text of a stored snapshot of `source` (an article, or any
/// other source), after tags are stripped and entities and whitespace normalized; publishing
/// refuses a quote that does not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Perspective {
    /// Short id, unique in the story: `epoch-three-months`.
    pub id: String,
    /// Who holds the position: `Epoch AI`.
    pub actor: String,
    /// What kind of actor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_kind: Option<ActorKind>,
    /// When the position was stated: the Evolution compares the evidence as of this date with
    /// the evidence as of each version.
    pub stated_on: Date,
    /// The source id whose stored snapshot holds the quote.
    pub source: String,
    /// The position in the actor's quoted words, exactly as the source prints them.
    pub quote: String,
    /// What the evidence can test, when the position says something testable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposition: Option<Proposition>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn propositions_read_from_toml_and_say_what_is_wrong() {
        #[derive(Deserialize)]
        struct One {
            p: Proposition,
        }
        let read = |s: &str| toml::from_str::<One>(s).map(|o| o.p);
        let p = read(r#"p = { kind = "median-lag-within", min_months = 1.1, max_months = 5.3 }"#)
            .unwrap();
        assert_eq!(p.problem(), None);
        assert!(p.benchmarks().is_empty());
        let p = read(
            r#"p = { kind = "gap-trend", benchmarks = ["mmlu"], direction = "narrows", since = "2025-01-01" }"#,
        )
        .unwrap();
        assert!(matches!(
            p,
            Proposition::GapTrend {
                direction: TrendDirection::Narrows,
                since: Some(_),
                ..
            }
        ));
        let p =
            read(r#"p = { kind = "parity-at-least", benchmarks = ["a", "b"], k = 3 }"#).unwrap();
        assert!(p.problem().unwrap().contains("k = 3"));
        let p =
            read(r#"p = { kind = "median-lag-within", min_months = 6, max_months = 2 }"#).unwrap();
        assert!(p.problem().is_some());
        assert!(read(r#"p = { kind = "challenger-leads", benchmarks = ["a"], k = 1 }"#).is_err());
        assert!(read(r#"p = { kind = "gap-closes", benchmarks = ["a"] }"#).is_err());
    }
}
