//! The summary (docs/analysis.md §4.4): "open leads on N of M" counts only comparable
//! headline rows; every other headline row is listed with the first reason it cannot be
//! compared.

mod common;

use common::*;
use gapwatch_analysis::{Cohort, NotComparable, RowKey, RowRole};
use gapwatch_model::{ClaimRecord, Evaluator};

fn dated(id: i64, model: &str, benchmark: &str, value: f64, date: &str) -> ClaimRecord {
    score(id, "board", date, model, benchmark, value).reported(date)
}

const BENCHMARKS: [&str; 8] = [
    "mmlu",
    "humaneval",
    "gpqa-diamond",
    "mmmu",
    "hallucination-rate",
    "mmlu-pro",
    "lmarena-text",
    "swe-bench-verified",
];

/// One headline row in each state, as of 2025-06-30:
/// - MMLU: the open side leads (82.0 against 80.0, within the margin too);
/// - HumanEval: at parity, 1.0 behind;
/// - GPQA Diamond: behind, 5.0;
/// - MMMU: no results;
/// - hallucination rate: no open result;
/// - MMLU-Pro: the closed side not measured since 2024-10-01;
/// - LMArena Text: neither side measured since 2024-06-15, over a year;
/// - SWE-bench Verified: the lab's own figure against an independent run; its
///   two-or-more-attempts row is comparable and the open side leads there, uncounted.
fn claims() -> Vec<ClaimRecord> {
    vec![
        dated(1, "GPT-5", "mmlu", 80.0, "2025-05-01"),
        dated(2, "DeepSeek-V3", "mmlu", 82.0, "2025-06-01"),
        dated(3, "GPT-5", "humaneval", 90.0, "2025-05-01"),
        dated(4, "Llama 3.1 405B", "humaneval", 89.0, "2025-06-01"),
        dated(5, "GPT-5", "gpqa-diamond", 70.0, "2025-05-01"),
        dated(6, "GLM-4.5", "gpqa-diamond", 65.0, "2025-06-01"),
        dated(7, "GPT-5", "hallucination-rate", 3.0, "2025-05-01"),
        dated(8, "GPT-5", "mmlu-pro", 72.0, "2024-10-01"),
        dated(9, "DeepSeek-V3", "mmlu-pro", 80.0, "2025-06-01"),
        dated(10, "GPT-5", "lmarena-text", 1300.0, "2024-05-01"),
        dated(11, "Llama 3.1 405B", "lmarena-text", 1280.0, "2024-06-15"),
        dated(12, "GPT-5", "swe-bench-verified", 70.0, "2025-05-01")
            .setting("attempts", "1")
            .by(Evaluator::SelfReported),
        dated(13, "DeepSeek-V3", "swe-bench-verified", 60.0, "2025-06-01").setting("attempts", "1"),
        dated(14, "GPT-5", "swe-bench-verified", 75.0, "2025-05-01").setting("attempts", "2+"),
        dated(15, "DeepSeek-V3", "swe-bench-verified", 78.0, "2025-06-01")
            .setting("attempts", "2+"),
    ]
}

#[test]
fn only_comparable_headline_rows_are_counted_and_the_rest_say_why() {
    let a = run(&claims(), &story(&BENCHMARKS), "2025-06-30");
    let key = |b: &str| row(&a, b).key.clone();
    let s = &a.summary;
    assert_eq!(
        s.comparable,
        [key("mmlu"), key("humaneval"), key("gpqa-diamond")]
    );
    assert_eq!(s.challenger_leads, [key("mmlu")]);
    assert_eq!(s.at_parity, [key("humaneval")]);
    assert_eq!(s.behind, [key("gpqa-diamond")]);
    let expected: Vec<(RowKey, NotComparable)> = vec![
        (key("mmmu"), NotComparable::NoResults),
        (
            key("hallucination-rate"),
            NotComparable::MissingCohort {
                cohort: Cohort::Challenger,
            },
        ),
        (
            key("mmlu-pro"),
            NotComparable::Stale {
                cohort: Cohort::Incumbent,
                since: d("2024-10-01"),
            },
        ),
        (
            key("lmarena-text"),
            NotComparable::Dormant {
                since: d("2024-06-15"),
            },
        ),
        (
            key("swe-bench-verified"),
            NotComparable::BasesDiffer {
                incumbent: Evaluator::SelfReported,
                challenger: Evaluator::ThirdParty,
            },
        ),
    ];
    assert_eq!(s.not_comparable, expected);

    // The multi-attempt row leads, comparably, and is not counted.
    let multi = a
        .parity
        .iter()
        .find(|r| r.key.role == RowRole::OtherSettings)
        .unwrap();
    assert!(multi.comparable && multi.challenger_leads);
    // Every headline row is in exactly one list.
    let headline = a
        .parity
        .iter()
        .filter(|r| r.key.role == RowRole::Headline)
        .count();
    assert_eq!(headline, BENCHMARKS.len());
    assert_eq!(s.comparable.len() + s.not_comparable.len(), headline);
}

#[test]
fn the_same_rows_earlier_count_differently() {
    // On 2025-02-01 only the rows measured by then exist: MMLU-Pro's closed side and
    // LMArena's two sides are all recent enough; GPT-5's MMLU-Pro 72.0 stands alone.
    let a = run(&claims(), &story(&BENCHMARKS), "2025-02-01");
    let key = |b: &str| row(&a, b).key.clone();
    assert_eq!(a.summary.comparable, [key("lmarena-text")]);
    assert_eq!(a.summary.behind, [key("lmarena-text")]);
    assert!(a.summary.not_comparable.contains(&(
        key("mmlu-pro"),
        NotComparable::MissingCohort {
            cohort: Cohort::Challenger
        }
    )));
}
