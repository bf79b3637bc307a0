//! Stories: the tracked question, its cohorts, parity threshold, forecasts and what counts
//! as news.

use serde::{Deserialize, Serialize};

use crate::{Access, Date, ModelError};

/// A group of models compared against another, defined by access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    /// Short id: `open`, `closed`.
    pub id: String,
    /// Name for people: `Open weights`.
    pub label: String,
    /// The access classes that belong to the cohort.
    pub access: Vec<Access>,
}

/// The unit of a parity threshold or forecast margin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarginUnit {
    /// Absolute difference in the benchmark's own unit (percentage points for percent).
    Points,
    /// Difference relative to the leader's score, in percent.
    RelativePercent,
}

/// "Within X points" or "within X% of the leader".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Margin {
    /// The size of the margin.
    pub value: f64,
    /// Whether it is absolute or relative.
    pub unit: MarginUnit,
}

impl Margin {
    /// Describes the margin for people: `2 points`, `2% relative`.
    pub fn describe(&self) -> String {
        let v = trim_number(self.value);
        match self.unit {
            MarginUnit::Points if self.value == 1.0 => format!("{v} point"),
            MarginUnit::Points => format!("{v} points"),
            MarginUnit::RelativePercent => format!("{v}% relative"),
        }
    }
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// How several benchmarks combine in a forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combine {
    /// Every benchmark must meet the criterion on the same date.
    AllOf,
    /// One benchmark suffices.
    AnyOf,
}

/// A forecast question with a structured resolution criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forecast {
    /// Short id.
    pub id: String,
    /// The question as people ask it.
    pub question: String,
    /// Benchmark ids the criterion covers.
    pub benchmarks: Vec<String>,
    /// All of them, or any of them.
    pub combine: Combine,
    /// One or more readings of "within": each is evaluated and reported separately.
    pub readings: Vec<Margin>,
    /// The last day on which the criterion may be met.
    pub deadline: Date,
}

/// What counts as news between two versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Materiality {
    /// A gap that moved by more than this many points is news.
    #[serde(default = "default_gap_change")]
    pub gap_change_points: f64,
}

fn default_gap_change() -> f64 {
    1.0
}

impl Default for Materiality {
    fn default() -> Self {
        Self {
            gap_change_points: default_gap_change(),
        }
    }
}

/// A tracked question, published as versions of a digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Story {
    /// Short id: `open-vs-closed`.
    pub id: String,
    /// The headline.
    pub title: String,
    /// A sentence saying what the story tracks.
    #[serde(default)]
    pub summary: String,
    /// Benchmark ids in scope, in display order.
    pub benchmarks: Vec<String>,
    /// The cohort expected to lead (closed, by default).
    pub incumbent: Cohort,
    /// The cohort catching up (open weights, by default).
    pub challenger: Cohort,
    /// When the two count as at parity.
    pub parity: Margin,
    /// Forecasts evaluated in every version.
    #[serde(default, rename = "forecast")]
    pub forecasts: Vec<Forecast>,
    /// What counts as news.
    #[serde(default)]
    pub materiality: Materiality,
    /// A cohort's side of a row is stale when its newest result is older than this many
    /// days while the other side has newer evidence: it then yields no lead, no parity and
    /// no growing lag.
    #[serde(default = "default_stale_after_days")]
    pub stale_after_days: u32,
    /// A row is dormant when neither side has a result newer than this many days: however it
    /// stood when last measured, it is not counted as today's comparison, and its lags stop.
    #[serde(default = "default_dormant_after_days")]
    pub dormant_after_days: u32,
    /// Actors' positions, quoted from stored sources, each tested against the evidence at
    /// every version when it states a proposition (`[[perspective]]`).
    #[serde(default, rename = "perspective", skip_serializing_if = "Vec::is_empty")]
    pub perspectives: Vec<crate::Perspective>,
}

fn default_stale_after_days() -> u32 {
    180
}

fn default_dormant_after_days() -> u32 {
    365
}

impl Story {
    /// Reads a story from TOML; `origin` names the file in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, ModelError> {
        let story: Story = toml::from_str(text).map_err(|e| ModelError::Story {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        if story.forecasts.iter().any(|f| f.readings.is_empty()) {
            return Err(ModelError::Story {
                origin: origin.to_owned(),
                message: "every forecast needs at least one reading".to_owned(),
            });
        }
        let mut ids = std::collections::HashSet::new();
        for p in &story.perspectives {
            let fail = |message: String| ModelError::Story {
                origin: origin.to_owned(),
                message: format!("perspective {:?}: {message}", p.id),
            };
            if !ids.insert(p.id.as_str()) {
                return Err(fail(
                    "the id is used by an earlier perspective too".to_owned(),
                ));
            }
            if p.quote.trim().is_empty() {
                return Err(fail("the quote is empty".to_owned()));
            }
            if let Some(problem) = p.proposition.as_ref().and_then(|x| x.problem()) {
                return Err(fail(problem));
            }
        }
        Ok(story)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_story_with_two_readings() {
        let text = r#"
id = "s"
title = "T"
benchmarks = ["mmlu"]
parity = { value = 2.0, unit = "points" }
incumbent = { id = "closed", label = "Closed", access = ["closed"] }
challenger = { id = "open", label = "Open weights", access = ["open-weights"] }

[[forecast]]
id = "f"
question = "q"
benchmarks = ["mmlu"]
combine = "all-of"
readings = [{ value = 2.0, unit = "points" }, { value = 2.0, unit = "relative-percent" }]
deadline = "2027-03-31"
"#;
        let s = Story::from_toml_str(text, "story.toml").unwrap();
        assert_eq!(s.forecasts[0].readings.len(), 2);
        assert_eq!(s.forecasts[0].readings[1].describe(), "2% relative");
        assert_eq!(s.materiality.gap_change_points, 1.0);
        let err = Story::from_toml_str("id = 1", "bad.toml").unwrap_err();
        assert!(err.to_string().contains("bad.toml"));
        assert!(
            s.perspectives.is_empty(),
            "a story without perspectives still loads"
        );
    }

    const BASE: &str = r#"
id = "s"
title = "T"
benchmarks = ["mmlu"]
parity = { value = 2.0, unit = "points" }
incumbent = { id = "closed", label = "Closed", access = ["closed"] }
challenger = { id = "open", label = "Open weights", access = ["open-weights"] }
"#;

    #[test]
    fn reads_perspectives_and_refuses_inconsistent_ones_naming_the_file_and_the_perspective() {
        let one = r#"
[[perspective]]
id = "lag"
actor = "Epoch AI"
actor_kind = "evaluator"
stated_on = "2025-10-30"
source = "article-open-lag"
quote = "about three months"
proposition = { kind = "median-lag-within", min_months = 1.1, max_months = 5.3 }
"#;
        let s = Story::from_toml_str(&format!("{BASE}{one}"), "story.toml").unwrap();
        assert_eq!(s.perspectives.len(), 1);
        assert_eq!(
            s.perspectives[0].actor_kind,
            Some(crate::ActorKind::Evaluator)
        );
        let twice = Story::from_toml_str(&format!("{BASE}{one}{one}"), "story.toml").unwrap_err();
        assert!(
            twice
                .to_string()
                .contains("story.toml: perspective \"lag\": the id is used")
        );
        let bad = one.replace("min_months = 1.1", "min_months = 9");
        let err = Story::from_toml_str(&format!("{BASE}{bad}"), "story.toml").unwrap_err();
        assert!(err.to_string().contains("min_months ≤ max_months"), "{err}");
        let empty = one.replace("\"about three months\"", "\" \"");
        let err = Story::from_toml_str(&format!("{BASE}{empty}"), "story.toml").unwrap_err();
        assert!(err.to_string().contains("the quote is empty"), "{err}");
    }
}
