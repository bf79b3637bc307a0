//! Forecast verdicts under each reading of "within".

mod common;

use common::*;
use gapwatch_analysis::Verdict;
use gapwatch_model::{ClaimRecord, MarginUnit, Story};

/// The forecast the default story ships, with both readings of "within 2%".
const DEFAULT_FORECAST: &str = r#"
[[forecast]]
id = "within-2-mmlu-humaneval-gpqa-2027q1"
question = "An open-weights model scores within 2% of the leading closed model on MMLU, HumanEval and GPQA by 2027-03-31"
benchmarks = ["mmlu", "humaneval", "gpqa-diamond"]
combine = "all-of"
readings = [{ value = 2.0, unit = "points" }, { value = 2.0, unit = "relative-percent" }]
deadline = "2027-03-31"
"#;

fn default_story() -> Story {
    story_with(
        &["mmlu", "humaneval", "gpqa-diamond"],
        r#"{ value = 2.0, unit = "points" }"#,
        DEFAULT_FORECAST,
    )
}

/// MMLU: closed GPT-4o 88.0 (2025-01-10); open Llama 80.0 (2025-02-01), Qwen 86.2 (2025-06-01).
/// HumanEval: closed GPT-4o 92.0 (2025-01-10); open DeepSeek 91.0 (2025-03-01).
/// GPQA: closed GPT-4o 60.0 (2025-01-10); open GLM 59.0 (2025-02-01).
fn claims() -> Vec<ClaimRecord> {
    vec![
        score(1, "board", "2025-01-10", "GPT-4o", "mmlu", 88.0),
        score(2, "board", "2025-02-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(3, "board", "2025-06-01", "Qwen2.5 72B", "mmlu", 86.2),
        score(4, "evalplus", "2025-01-10", "GPT-4o", "humaneval", 92.0),
        score(
            5,
            "evalplus",
            "2025-03-01",
            "DeepSeek-V3",
            "humaneval",
            91.0,
        ),
        score(6, "gpqa", "2025-01-10", "GPT-4o", "gpqa-diamond", 60.0),
        score(7, "gpqa", "2025-02-01", "GLM-4.5", "gpqa-diamond", 59.0),
    ]
}

#[test]
fn two_points_says_yes_while_two_percent_relative_stays_open() {
    // On 2025-06-01 the gaps are MMLU 88.0 - 86.2 = 1.8 points (1.8 / 88 = 2.045%),
    // HumanEval 1.0 point (1.087%), GPQA 1.0 point (1.667%).
    // Read as 2 points, all three are within it for the first time on 2025-06-01 (before,
    // MMLU trailed by 8.0): yes on 2025-06-01.
    // Read as 2% relative, MMLU's 2.045% is not within 2%: still open before the deadline.
    let a = run(&claims(), &default_story(), "2025-12-31");
    let f = &a.forecasts[0];
    assert_eq!(f.forecast_id, "within-2-mmlu-humaneval-gpqa-2027q1");
    assert_eq!(f.deadline, d("2027-03-31"));
    let points = &f.readings[0];
    assert_eq!(points.margin.unit, MarginUnit::Points);
    assert_eq!(
        points.verdict,
        Verdict::Yes {
            on: d("2025-06-01")
        }
    );
    assert_eq!(points.deciding_claim_ids, [1, 3, 4, 5, 6, 7]);
    assert_eq!(
        points.would_flip,
        ["Nothing: a resolved yes stays resolved."]
    );
    assert!(points.per_benchmark.iter().all(|c| c.met == Some(true)));

    let relative = &f.readings[1];
    assert_eq!(relative.margin.unit, MarginUnit::RelativePercent);
    assert_eq!(relative.verdict, Verdict::Open);
    let mmlu = &relative.per_benchmark[0];
    assert_eq!(mmlu.benchmark, "mmlu");
    assert_eq!(mmlu.met, Some(false));
    assert!(close(
        mmlu.gap.unwrap().relative_percent,
        1.8 / 88.0 * 100.0
    ));
    // Within 2% of 88.0 means at least 88.0 * 0.98 = 86.24: 0.04 short.
    assert!(close(mmlu.shortfall.unwrap(), 0.04), "{:?}", mmlu.shortfall);
    assert_eq!(relative.per_benchmark[1].met, Some(true));
    assert_eq!(relative.per_benchmark[2].met, Some(true));
    assert_eq!(
        relative.would_flip,
        [
            "MMLU: the best open weights score, 86.2%, needs to reach 86.24% to be within 2% \
          relative of GPT-4o's 88.0%: 0.04 points short."
        ]
    );
    assert_eq!(relative.deciding_claim_ids, [1, 3, 4, 5, 6, 7]);
}

#[test]
fn past_the_deadline_an_unmet_reading_is_no() {
    // As of 2027-04-30 the relative reading never held on or before 2027-03-31: no.
    // Qwen's 87.0 (1.0 point, 1.136%) would meet it, but it is dated 2027-04-15, after the
    // deadline, so it does not count.
    let mut claims = claims();
    claims.push(score(8, "board", "2027-04-15", "Qwen2.5 72B", "mmlu", 87.0));
    let a = run(&claims, &default_story(), "2027-04-30");
    let f = &a.forecasts[0];
    assert_eq!(
        f.readings[0].verdict,
        Verdict::Yes {
            on: d("2025-06-01")
        }
    );
    assert_eq!(f.readings[1].verdict, Verdict::No);
    assert!(f.readings[1].would_flip[0].starts_with("The deadline (2027-03-31) has passed"));

    // The same result dated 2027-03-01 by its source, though published after the deadline,
    // resolves the relative reading yes on that date.
    let mut claims = self::claims();
    claims
        .push(score(8, "board", "2027-04-15", "Qwen2.5 72B", "mmlu", 87.0).reported("2027-03-01"));
    let a = run(&claims, &default_story(), "2027-04-30");
    assert_eq!(
        a.forecasts[0].readings[1].verdict,
        Verdict::Yes {
            on: d("2027-03-01")
        }
    );
    assert_eq!(
        a.forecasts[0].readings[1].deciding_claim_ids,
        [1, 8, 4, 5, 6, 7]
    );
}

#[test]
fn before_the_open_results_arrive_the_verdict_is_open_with_reasons() {
    // As of 2025-01-31 only closed results exist: every benchmark lacks an open result.
    let a = run(&claims(), &default_story(), "2025-01-31");
    let r = &a.forecasts[0].readings[0];
    assert_eq!(r.verdict, Verdict::Open);
    assert!(
        r.per_benchmark
            .iter()
            .all(|c| c.met.is_none() && c.gap.is_none())
    );
    assert_eq!(
        r.would_flip,
        [
            "MMLU: no open weights result yet.",
            "HumanEval: no open weights result yet.",
            "GPQA Diamond: no open weights result yet."
        ]
    );
    assert_eq!(r.deciding_claim_ids, [1, 4, 6]);
}

#[test]
fn any_of_resolves_on_the_first_benchmark_that_meets_it() {
    // Any of MMLU and HumanEval within 2% relative: HumanEval's 1.087% on 2025-03-01.
    // On that date MMLU's best open is still Llama's 80.0 (claim 2).
    let extra = r#"
[[forecast]]
id = "any"
question = "Any of MMLU and HumanEval within 2% relative by 2026"
benchmarks = ["mmlu", "humaneval"]
combine = "any-of"
readings = [{ value = 2.0, unit = "relative-percent" }]
deadline = "2026-12-31"
"#;
    let s = story_with(&["mmlu"], r#"{ value = 2.0, unit = "points" }"#, extra);
    let a = run(&claims(), &s, "2025-12-31");
    let r = &a.forecasts[0].readings[0];
    assert_eq!(
        r.verdict,
        Verdict::Yes {
            on: d("2025-03-01")
        }
    );
    assert_eq!(r.deciding_claim_ids, [1, 2, 4, 5]);
    assert_eq!(r.per_benchmark[0].met, Some(false));
    assert_eq!(r.per_benchmark[1].met, Some(true));
    // HumanEval is only named by the forecast: it is evaluated but not in the parity map.
    assert_eq!(a.parity.len(), 1);
}

#[test]
fn a_benchmark_without_results_keeps_an_all_of_forecast_open() {
    let extra = r#"
[[forecast]]
id = "with-empty"
question = "MMLU and the hallucination rate within 2 points"
benchmarks = ["mmlu", "hallucination-rate"]
combine = "all-of"
readings = [{ value = 2.0, unit = "points" }]
deadline = "2026-12-31"
"#;
    let s = story_with(
        &["mmlu", "hallucination-rate"],
        r#"{ value = 2.0, unit = "points" }"#,
        extra,
    );
    let a = run(&claims(), &s, "2025-12-31");
    let r = &a.forecasts[0].readings[0];
    assert_eq!(r.verdict, Verdict::Open);
    assert_eq!(r.per_benchmark[0].met, Some(true));
    assert_eq!(r.per_benchmark[1].met, None);
    assert_eq!(
        r.would_flip,
        ["Hallucination rate: no results from either cohort yet."]
    );
}
