//! `gapwatch story diff vA vB`: besides what is new, what was lost from vA to vB: benchmarks
//! and parity rows with results in vA and none in vB, and cohorts that had a best result on a
//! row in vA and have none in vB. Evidence is append-only, so later versions rarely lose
//! anything; comparing backwards (`diff v2 v1`), or across a change of the story's benchmarks,
//! they do.

use std::collections::BTreeSet;

use gapwatch_analysis::{Analysis, ParityRow, RowKey};
use gapwatch_report::prose;
use serde::Serialize;

/// What was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossKind {
    /// No result at all on the benchmark, in any variant.
    Benchmark,
    /// No result on one variant of a benchmark that still has others.
    Row,
    /// A cohort has no best result on a row that still has the other's.
    Leader,
}

/// One thing the earlier version had and the later one does not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loss {
    pub kind: LossKind,
    /// The row: benchmark, variant and comparison.
    pub row: RowKey,
    /// A sentence for people.
    pub description: String,
    /// The claims behind what the earlier version had.
    pub claim_ids: Vec<i64>,
}

/// What `before` had that `after` has not, in `before`'s parity-map order. `from` and `to`
/// name the versions in the sentences.
pub fn losses(before: &Analysis, after: &Analysis, from: &str, to: &str) -> Vec<Loss> {
    let with_data = |a: &Analysis| -> BTreeSet<String> {
        a.parity
            .iter()
            .filter(|r| has_data(r))
            .map(|r| r.key.benchmark.clone())
            .collect()
    };
    let benchmarks_after = with_data(after);
    let labels = [
        label(&before.coverage.incumbent.label, "incumbent"),
        label(&before.coverage.challenger.label, "challenger"),
    ];
    let mut lost_benchmarks: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    for row in before.parity.iter().filter(|r| has_data(r)) {
        let later = after
            .parity
            .iter()
            .find(|r| r.key == row.key)
            .filter(|r| has_data(r));
        let Some(later) = later else {
            let whole = !benchmarks_after.contains(&row.key.benchmark);
            if whole && !lost_benchmarks.insert(row.key.benchmark.as_str()) {
                // Reported once, with its first row.
                continue;
            }
            let (kind, name) = if whole {
                (LossKind::Benchmark, row.key.benchmark_name.clone())
            } else {
                (LossKind::Row, prose::row(&row.key))
            };
            out.push(Loss {
                kind,
                row: row.key.clone(),
                description: format!(
                    "{name}: no results in {to}; {from} had {}.",
                    bests(row, &labels)
                ),
                claim_ids: row.claim_ids(),
            });
            continue;
        };
        for ((earlier, now), cohort) in [
            (&row.incumbent, &later.incumbent),
            (&row.challenger, &later.challenger),
        ]
        .into_iter()
        .zip(&labels)
        {
            if let (Some(e), None) = (earlier, now) {
                out.push(Loss {
                    kind: LossKind::Leader,
                    row: row.key.clone(),
                    description: format!(
                        "{}: no {cohort} result in {to}; {from}'s best was {}.",
                        prose::row(&row.key),
                        prose::entry(&e.best)
                    ),
                    claim_ids: vec![e.best.claim_id],
                });
            }
        }
    }
    out
}

fn has_data(row: &ParityRow) -> bool {
    row.incumbent.is_some() || row.challenger.is_some()
}

fn label(label: &str, fallback: &str) -> String {
    if label.is_empty() {
        fallback.to_owned()
    } else {
        label.to_lowercase()
    }
}

/// `best closed A at 70.0% and best open weights B at 60.0%`.
fn bests(row: &ParityRow, labels: &[String; 2]) -> String {
    let sides: Vec<String> = [&row.incumbent, &row.challenger]
        .into_iter()
        .zip(labels)
        .filter_map(|(e, label)| {
            e.as_ref()
                .map(|e| format!("best {label} {}", prose::entry(&e.best)))
        })
        .collect();
    sides.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use gapwatch_analysis::{CohortSide, Coverage, DateBasis, Entry, RowRole, Summary};
    use gapwatch_model::{Date, Evaluator, Unit};

    fn entry(subject: &str, value: f64, claim_id: i64) -> CohortSide {
        let date: Date = "2025-06-01".parse().unwrap();
        CohortSide {
            best: Entry {
                subject: subject.into(),
                system: None,
                models: vec![subject.into()],
                model_ids: vec![subject.to_lowercase()],
                value,
                unit: Unit::Percent,
                date,
                date_basis: DateBasis::Reported,
                claim_id,
                source_id: "board".into(),
                snapshot_sha256: "00".repeat(32),
                observed_on: date,
                locator: String::new(),
                settings: Default::default(),
                evaluator: Evaluator::ThirdParty,
            },
            basis: Evaluator::ThirdParty,
            newest: date,
            stale: false,
            unstated: Vec::new(),
            tied_with: Vec::new(),
            reported_by: vec!["board".into()],
        }
    }

    fn row(
        benchmark: &str,
        variant: &str,
        closed: Option<CohortSide>,
        open: Option<CohortSide>,
    ) -> ParityRow {
        ParityRow {
            key: RowKey {
                benchmark: benchmark.to_lowercase(),
                benchmark_name: benchmark.into(),
                variant: variant.into(),
                class: Default::default(),
                role: if variant.is_empty() {
                    RowRole::Headline
                } else {
                    RowRole::Split
                },
            },
            unit: Unit::Percent,
            higher_is_better: true,
            incumbent: closed,
            challenger: open,
            comparable: false,
            gap: None,
            parity: None,
            challenger_leads: false,
            lag: None,
            mean_lag_months: None,
            crossings: Vec::new(),
            last_update: None,
            alternatives: Vec::new(),
            unknown_access: Vec::new(),
            history: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn analysis(as_of: &str, parity: Vec<ParityRow>) -> Analysis {
        let mut coverage = Coverage::default();
        coverage.incumbent.label = "Closed".into();
        coverage.challenger.label = "Open weights".into();
        Analysis {
            story_id: "s".into(),
            as_of: as_of.parse::<Date>().unwrap(),
            parity,
            summary: Summary::default(),
            median_lag: None,
            forecasts: Vec::new(),
            tensions: Vec::new(),
            timeline: Vec::new(),
            coverage,
        }
    }

    #[test]
    fn benchmarks_rows_and_leaders_that_are_gone_are_reported() {
        let v2 = analysis(
            "2025-06-01",
            vec![
                row(
                    "MMMU",
                    "",
                    Some(entry("Gemini", 80.0, 1)),
                    Some(entry("Qwen", 70.0, 2)),
                ),
                row("BFCL", "", Some(entry("Claude", 77.5, 3)), None),
                row("BFCL", "live", Some(entry("Claude", 80.0, 4)), None),
                row(
                    "Aider",
                    "",
                    Some(entry("GPT", 88.0, 5)),
                    Some(entry("DeepSeek", 71.0, 6)),
                ),
                row("Aider", "refactor", Some(entry("GPT", 90.0, 7)), None),
                row("GPQA", "", None, None),
            ],
        );
        let v1 = analysis(
            "2025-01-01",
            vec![
                row("MMMU", "", Some(entry("Gemini", 78.0, 8)), None),
                row("BFCL", "", None, None),
                row(
                    "Aider",
                    "",
                    Some(entry("GPT", 80.0, 9)),
                    Some(entry("DeepSeek", 60.0, 10)),
                ),
            ],
        );
        let found = losses(&v2, &v1, "v2", "v1");
        let described: Vec<(LossKind, &str)> = found
            .iter()
            .map(|l| (l.kind, l.description.as_str()))
            .collect();
        assert_eq!(
            described,
            [
                (
                    LossKind::Leader,
                    "MMMU: no open weights result in v1; v2's best was Qwen at 70.0%."
                ),
                (
                    LossKind::Benchmark,
                    "BFCL: no results in v1; v2 had best closed Claude at 77.5%."
                ),
                (
                    LossKind::Row,
                    "Aider (refactor): no results in v1; v2 had best closed GPT at 90.0%."
                ),
            ]
        );
        assert_eq!(found[1].claim_ids, [3]);
        // Forwards, nothing was lost.
        assert!(losses(&v1, &v2, "v1", "v2").is_empty());
    }
}
