//! Scores computed from other fields of a row (`[[source.derived]]`): the mean or weighted
//! mean of columns, or the mean of groups' means (a leaderboard's global average over
//! categories of tasks), with every input named in the claim's locator.

use std::collections::BTreeMap;

use gapwatch_model::{Score, Settings, Unit};
use serde::{Deserialize, Serialize};

use crate::record::{PathCache, Record};
use crate::value::parse_score;

/// A score computed from other fields (`[[source.derived]]`).
///
/// With `columns`, the score is their mean (weighted by `weights`); with `groups` (or a
/// `groups_file` of the same shape), it is the mean of each group's mean (weighted by
/// `weights` keyed by group). A row missing any input gets no derived score, never a mean of
/// fewer inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedScore {
    /// The benchmark's registry id.
    pub benchmark: String,
    /// The variant (split), when not the main one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// What the value is: `global average`.
    pub metric: String,
    /// The unit of the inputs and the result. Default percent.
    #[serde(default = "percent")]
    pub unit: Unit,
    /// The inputs are fractions 0–1, scaled ×100.
    #[serde(default, skip_serializing_if = "is_false")]
    pub fraction: bool,
    /// Columns (fields) averaged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Group name → its columns; the score is the mean of the groups' means.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, Vec<String>>,
    /// A JSON file holding the groups (`{"Coding": ["LCB_generation", …], …}`), relative to
    /// the sources file. gapwatch reads it when it loads the sources and fills `groups`; a
    /// program using this crate calls [`DerivedScore::load_groups`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_file: Option<String>,
    /// Weight of a column (with `columns`) or of a group (with `groups`); 1 when absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub weights: BTreeMap<String, f64>,
    /// Also a score per group, as the variant named after the group (`Data Analysis` →
    /// `data-analysis`). Declare those variants as the benchmark's `subscores` in the
    /// registry so that they never count as separate wins.
    #[serde(default, skip_serializing_if = "is_false")]
    pub group_scores: bool,
    /// Fixed settings recorded with the score.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
    /// Only for files whose constant settings (the source's `settings` and its
    /// `[[source.file_setting]]` values) include all of these: one rule per release when
    /// releases group their tasks differently (`when = { release = "2024_11_25" }`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub when: BTreeMap<String, String>,
}

fn percent() -> Unit {
    Unit::Percent
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl DerivedScore {
    /// Fills `groups` from the JSON text of a groups file: an object of group name → list of
    /// column names.
    pub fn load_groups(&mut self, json: &str) -> Result<(), String> {
        if !self.groups.is_empty() {
            return Err("has both `groups` and `groups_file`".to_owned());
        }
        let groups: BTreeMap<String, Vec<String>> = serde_json::from_str(json)
            .map_err(|e| format!("expected an object of group name → list of columns: {e}"))?;
        if groups.is_empty() || groups.values().any(Vec::is_empty) {
            return Err("every group needs at least one column".to_owned());
        }
        self.groups = groups;
        self.check()
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        if self.benchmark.trim().is_empty() || self.metric.trim().is_empty() {
            return Err("needs a `benchmark` and a `metric`".to_owned());
        }
        let grouped = !self.groups.is_empty() || self.groups_file.is_some();
        if self.columns.is_empty() != grouped {
            return Err(
                "needs exactly one of `columns` and `groups` (or `groups_file`)".to_owned(),
            );
        }
        if self.group_scores && !grouped {
            return Err("`group_scores` needs `groups`".to_owned());
        }
        for (k, w) in &self.weights {
            if !(w.is_finite() && *w > 0.0) {
                return Err(format!("the weight of {k:?} must be a positive number"));
            }
            let known = self.columns.contains(k) || self.groups.contains_key(k);
            // Groups from a file are only known once it is loaded.
            let unknowable = self.columns.is_empty() && self.groups.is_empty();
            if !known && !unknowable {
                return Err(format!(
                    "a weight is given for {k:?}, which is not one of the {}",
                    if self.columns.is_empty() {
                        "groups"
                    } else {
                        "columns"
                    }
                ));
            }
        }
        Ok(())
    }

    /// Every column the rule reads.
    pub(crate) fn inputs(&self) -> impl Iterator<Item = &str> {
        self.columns
            .iter()
            .chain(self.groups.values().flatten())
            .map(String::as_str)
    }

    /// Whether the rule applies to a file with these constant settings.
    pub(crate) fn applies(&self, constants: &Settings) -> bool {
        self.when.iter().all(|(k, v)| constants.get(k) == Some(v))
    }

    fn weight(&self, key: &str) -> f64 {
        self.weights.get(key).copied().unwrap_or(1.0)
    }

    /// The derived scores of one row and their locators, or why there are none.
    pub(crate) fn compute(
        &self,
        rec: &Record<'_>,
        paths: &mut PathCache,
    ) -> Result<Vec<(Score, String)>, String> {
        let mut value_of = |column: &str| -> Result<f64, String> {
            let spec = crate::config::FieldSpec::named(column);
            let found = rec
                .get(&spec, paths)
                .ok_or_else(|| format!("no value in {column:?}"))?;
            let v = match found.number() {
                Some(n) => n,
                None => {
                    let text = found
                        .text()
                        .ok_or_else(|| format!("no value in {column:?}"))?;
                    match parse_score(&text) {
                        Ok(Some(p)) => p.value,
                        Ok(None) => return Err(format!("no value in {column:?}")),
                        Err(e) => return Err(format!("{column:?}: {e}")),
                    }
                }
            };
            Ok(if self.fraction { v * 100.0 } else { v })
        };
        let score = |value: f64, variant: String| Score {
            benchmark: self.benchmark.clone(),
            variant,
            metric: self.metric.clone(),
            settings: self.settings.clone().into_iter().collect::<Settings>(),
            value: round(value),
            unit: self.unit,
            uncertainty: None,
        };
        let variant = self.variant.clone().unwrap_or_default();
        let quoted = |cols: &[String]| -> String {
            cols.iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.columns.is_empty() {
            let (mut sum, mut total) = (0.0, 0.0);
            for c in &self.columns {
                let w = self.weight(c);
                sum += w * value_of(c)?;
                total += w;
            }
            let locator = format!("{} {}", rec.locator, self.describe_mean(&self.columns));
            return Ok(vec![(score(sum / total, variant), locator)]);
        }
        let mut out = Vec::new();
        let (mut sum, mut total) = (0.0, 0.0);
        let mut parts = Vec::new();
        for (group, cols) in &self.groups {
            let mut g = 0.0;
            for c in cols {
                g += value_of(c)?;
            }
            let mean = g / cols.len() as f64;
            let w = self.weight(group);
            sum += w * mean;
            total += w;
            parts.push(format!("{group} = mean of {}", quoted(cols)));
            if self.group_scores {
                out.push((
                    score(mean, gapwatch_model::normalize_name(group)),
                    format!("{} mean of {}", rec.locator, quoted(cols)),
                ));
            }
        }
        let weighted = if self.weights.is_empty() {
            ""
        } else {
            "weighted "
        };
        let locator = format!(
            "{} {weighted}mean of {} group means: {}",
            rec.locator,
            self.groups.len(),
            parts.join("; ")
        );
        out.insert(0, (score(sum / total, variant), locator));
        Ok(out)
    }

    fn describe_mean(&self, cols: &[String]) -> String {
        if self.weights.is_empty() {
            let list: Vec<String> = cols.iter().map(|c| format!("{c:?}")).collect();
            format!("mean of {}", list.join(", "))
        } else {
            let list: Vec<String> = cols
                .iter()
                .map(|c| format!("{c:?} × {}", self.weight(c)))
                .collect();
            format!("weighted mean of {}", list.join(", "))
        }
    }
}

/// Rounds away float noise (`(70.1 + 65.3) / 2`).
fn round(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}
