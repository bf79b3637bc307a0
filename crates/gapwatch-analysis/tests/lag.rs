//! Lag by first crossing, per benchmark and as a median.

mod common;

use common::*;
use gapwatch_model::ClaimRecord;

/// MMLU: closed GPT-4o 86.0 (2024-01-15), Claude 88.0 (2024-06-20), GPT-4o again at 88.0
/// (2024-08-01); open Llama 85.0 (2024-03-01), Qwen 88.3 (2024-12-20).
/// HumanEval: closed 90.2 (2024-05-13); open 86.0 (2024-09-01), never crossing.
/// GPQA: closed 50.0 (2024-02-01); open 55.0 (2024-01-01), a month ahead of it.
/// Result dates are given by the sources; each snapshot is observed a little later.
fn claims() -> Vec<ClaimRecord> {
    vec![
        score(1, "board", "2024-01-20", "GPT-4o", "mmlu", 86.0).reported("2024-01-15"),
        score(2, "board", "2024-07-01", "Claude 3.5 Sonnet", "mmlu", 88.0).reported("2024-06-20"),
        score(3, "board", "2024-08-05", "GPT-4o", "mmlu", 88.0).reported("2024-08-01"),
        score(4, "board", "2024-03-05", "Llama 3.1 405B", "mmlu", 85.0).reported("2024-03-01"),
        score(5, "board", "2025-01-05", "Qwen2.5 72B", "mmlu", 88.3).reported("2024-12-20"),
        score(6, "evalplus", "2024-05-20", "GPT-4o", "humaneval", 90.2).reported("2024-05-13"),
        score(
            7,
            "evalplus",
            "2024-09-10",
            "Llama 3.1 405B",
            "humaneval",
            86.0,
        )
        .reported("2024-09-01"),
        score(8, "gpqa", "2024-02-02", "GPT-4o", "gpqa-diamond", 50.0).reported("2024-02-01"),
        score(9, "gpqa", "2024-01-02", "DeepSeek-V3", "gpqa-diamond", 55.0).reported("2024-01-01"),
    ]
}

#[test]
fn lag_from_the_first_date_the_closed_best_stood_to_the_first_open_crossing() {
    // The closed best as of 2025-01-31 is 88.0, first reached by Claude on 2024-06-20 (GPT-4o
    // equalling it on 2024-08-01 does not move that date). The first open result at or above
    // 88.0 is Qwen's 88.3 on 2024-12-20: 183 days, / 30.436875 = 6.012 months.
    let a = run(
        &claims(),
        &story(&["mmlu", "humaneval", "gpqa"]),
        "2025-01-31",
    );
    let lag = row(&a, "mmlu").lag.as_ref().unwrap();
    assert!(!lag.lower_bound);
    assert_eq!(lag.incumbent_date, d("2024-06-20"));
    assert_eq!(lag.challenger_date, Some(d("2024-12-20")));
    assert!(close(lag.months, 183.0 / 30.436875), "{}", lag.months);
    assert!((lag.months - 6.012).abs() < 1e-3);
    assert_eq!(lag.claim_ids, [2, 5]);
}

#[test]
fn a_benchmark_not_yet_crossed_has_an_open_lower_bound() {
    // HumanEval: 90.2 since 2024-05-13, no open result reaches it. As of 2025-01-31 the lag
    // is at least 263 days = 8.641 months.
    let a = run(
        &claims(),
        &story(&["mmlu", "humaneval", "gpqa"]),
        "2025-01-31",
    );
    let lag = row(&a, "humaneval").lag.as_ref().unwrap();
    assert!(lag.lower_bound);
    assert_eq!(lag.challenger_date, None);
    assert_eq!(lag.claim_ids, [6]);
    assert!(close(lag.months, 263.0 / 30.436875), "{}", lag.months);

    // MMLU as of 2024-11-30: Qwen's result was not observed yet, so the MMLU lag is a lower
    // bound of 163 days (2024-06-20 to 2024-11-30) = 5.355 months.
    let a = run(&claims(), &story(&["mmlu"]), "2024-11-30");
    let lag = a.parity[0].lag.as_ref().unwrap();
    assert!(lag.lower_bound);
    assert!(close(lag.months, 163.0 / 30.436875), "{}", lag.months);
}

#[test]
fn a_challenger_that_got_there_first_has_a_negative_lag() {
    // GPQA: the closed 50.0 dates from 2024-02-01; the open 55.0 from 2024-01-01: -31 days.
    let a = run(&claims(), &story(&["gpqa"]), "2025-01-31");
    let lag = a.parity[0].lag.as_ref().unwrap();
    assert!(!lag.lower_bound);
    assert!(close(lag.months, -31.0 / 30.436875), "{}", lag.months);
}

#[test]
fn the_median_includes_lower_bounds_and_is_then_a_lower_bound() {
    // Lags: MMLU 6.012, HumanEval at least 8.641, GPQA -1.019. Sorted, the middle one is
    // 6.012; a lower bound was among them, so the median is "at least 6.0 months".
    let a = run(
        &claims(),
        &story(&["mmlu", "humaneval", "gpqa"]),
        "2025-01-31",
    );
    let m = a.median_lag.as_ref().unwrap();
    assert_eq!(m.benchmarks, 3);
    assert!(m.lower_bound);
    assert!(close(m.months, 183.0 / 30.436875), "{}", m.months);

    // Two benchmarks with exact lags: the median is their mean, not a lower bound.
    // MMLU 183 days and GPQA -31 days: (183 - 31) / 2 = 76 days.
    let a = run(&claims(), &story(&["mmlu", "gpqa"]), "2025-01-31");
    let m = a.median_lag.as_ref().unwrap();
    assert!(!m.lower_bound);
    assert!(close(m.months, 76.0 / 30.436875), "{}", m.months);
}

#[test]
fn no_closed_result_means_no_lag() {
    let only_open = [score(
        1,
        "board",
        "2024-03-05",
        "Llama 3.1 405B",
        "mmlu",
        85.0,
    )];
    let a = run(&only_open, &story(&["mmlu"]), "2025-01-31");
    assert_eq!(a.parity[0].lag, None);
    assert_eq!(a.median_lag, None);
}

#[test]
fn crossing_a_lower_is_better_metric_means_coming_down_to_it() {
    // Hallucination rate, less is better. Closed best 3.0 since 2024-01-01. Open 4.0 on
    // 2024-02-01 does not reach it; open 2.9 on 2024-07-01 does (2.9 <= 3.0).
    // 2024-01-01 to 2024-07-01 is 182 days (2024 is a leap year).
    let claims = [
        score(1, "b", "2024-01-01", "GPT-4o", "hallucination-rate", 3.0),
        score(
            2,
            "b",
            "2024-02-01",
            "Llama 3.1 405B",
            "hallucination-rate",
            4.0,
        ),
        score(
            3,
            "b",
            "2024-07-01",
            "Qwen2.5 72B",
            "hallucination-rate",
            2.9,
        ),
    ];
    let a = run(&claims, &story(&["hallucination-rate"]), "2024-12-31");
    let lag = a.parity[0].lag.as_ref().unwrap();
    assert!(!lag.lower_bound);
    assert_eq!(lag.challenger_date, Some(d("2024-07-01")));
    assert!(close(lag.months, 182.0 / 30.436875), "{}", lag.months);
    assert_eq!(lag.claim_ids, [1, 3]);
}
