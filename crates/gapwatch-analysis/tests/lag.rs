//! Lag the way readers mean it (docs/analysis.md §4.3): frontier to frontier at the open
//! level, the mean horizontal distance, the crossings, and the median lag, with exact
//! numbers.

mod common;

use common::*;
use gapwatch_analysis::{Crossing, RowRole};
use gapwatch_model::ClaimRecord;

fn dated(id: i64, model: &str, benchmark: &str, value: f64, date: &str) -> ClaimRecord {
    score(id, "board", date, model, benchmark, value).reported(date)
}

/// Two frontiers on MMLU, every result dated by its source:
///
/// | date       | closed               | open                   |
/// |------------|----------------------|------------------------|
/// | 2024-01-01 | Gemini 1.5 Pro 70.0  |                        |
/// | 2024-03-01 |                      | Llama 3.1 405B 65.0    |
/// | 2024-04-01 | Claude 3.5 Sonnet 80 |                        |
/// | 2024-07-01 |                      | DeepSeek-V3 75.0       |
/// | 2024-10-01 | GPT-5 90.0           |                        |
/// | 2025-01-01 |                      | GLM-4.5 85.0           |
fn frontiers() -> Vec<ClaimRecord> {
    vec![
        dated(1, "Gemini 1.5 Pro", "mmlu", 70.0, "2024-01-01"),
        dated(2, "Llama 3.1 405B", "mmlu", 65.0, "2024-03-01"),
        dated(3, "Claude 3.5 Sonnet", "mmlu", 80.0, "2024-04-01"),
        dated(4, "DeepSeek-V3", "mmlu", 75.0, "2024-07-01"),
        dated(5, "GPT-5", "mmlu", 90.0, "2024-10-01"),
        dated(6, "GLM-4.5", "mmlu", 85.0, "2025-01-01"),
    ]
}

#[test]
fn the_lag_is_measured_at_the_open_frontier_current_level() {
    // Today's open best is 85.0 (2025-01-01). The closed frontier first reached 85.0 with
    // GPT-5's 90.0 on 2024-10-01: 92 days earlier.
    let a = run(&frontiers(), &story(&["mmlu"]), "2025-02-01");
    let r = row(&a, "mmlu");
    assert!(r.comparable);
    let lag = r.lag.as_ref().unwrap();
    assert_eq!(lag.level, 85.0);
    assert_eq!(lag.incumbent_date, d("2024-10-01"));
    assert_eq!(lag.challenger_date, d("2025-01-01"));
    assert!(close(lag.months, months(92)), "{}", lag.months);
    assert!(!lag.approximate);
    assert_eq!(lag.claim_ids, [5, 6]);
}

#[test]
fn the_mean_lag_averages_the_horizontal_distance_over_every_level_both_reached() {
    // Levels from 70.0 (the higher first value) to 85.0 (the lower best), in three equal
    // bands: 70-75 closed 2024-04-01 / open 2024-07-01 (91 days); 75-80 closed 2024-04-01 /
    // open 2025-01-01 (275 days); 80-85 closed 2024-10-01 / open 2025-01-01 (92 days).
    // Mean: (91 + 275 + 92) / 3 = 152.67 days.
    let a = run(&frontiers(), &story(&["mmlu"]), "2025-02-01");
    let mean = row(&a, "mmlu").mean_lag_months.unwrap();
    assert!(close(mean, months(91 + 275 + 92) / 3.0), "{mean}");
}

#[test]
fn the_mean_lag_over_a_single_shared_level_is_the_distance_at_it() {
    let claims = [
        dated(1, "GPT-5", "mmlu", 80.0, "2024-01-01"),
        dated(2, "Llama 3.1 405B", "mmlu", 80.0, "2024-03-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-04-01");
    let mean = row(&a, "mmlu").mean_lag_months.unwrap();
    assert!(close(mean, months(60)), "{mean}");
}

#[test]
fn each_closed_record_has_a_crossing_and_an_unmatched_one_stops_at_the_open_side_last_result() {
    let expected = vec![
        Crossing {
            level: 70.0,
            incumbent_date: d("2024-01-01"),
            challenger_date: Some(d("2024-07-01")),
            months: months(182),
            lower_bound: false,
            approximate: false,
            claim_ids: vec![1, 4],
        },
        Crossing {
            level: 80.0,
            incumbent_date: d("2024-04-01"),
            challenger_date: Some(d("2025-01-01")),
            months: months(275),
            lower_bound: false,
            approximate: false,
            claim_ids: vec![3, 6],
        },
        Crossing {
            level: 90.0,
            incumbent_date: d("2024-10-01"),
            challenger_date: None,
            months: months(92),
            lower_bound: true,
            approximate: false,
            claim_ids: vec![5],
        },
    ];
    let a = run(&frontiers(), &story(&["mmlu"]), "2025-02-01");
    assert_eq!(row(&a, "mmlu").crossings, expected);
    // Four months later, with nothing new, the unmatched record's lower bound has not grown.
    let later = run(&frontiers(), &story(&["mmlu"]), "2025-06-01");
    assert_eq!(row(&later, "mmlu").crossings, expected);
}

#[test]
fn a_lag_resting_on_a_stand_in_date_is_approximate() {
    // GLM-4.5's 85.0 listed without a date, first seen on 2025-01-01.
    let mut claims = frontiers();
    claims[5] = score(6, "board", "2025-01-01", "GLM-4.5", "mmlu", 85.0);
    let a = run(&claims, &story(&["mmlu"]), "2025-02-01");
    let lag = row(&a, "mmlu").lag.clone().unwrap();
    assert!(close(lag.months, months(92)));
    assert!(lag.approximate);
}

#[test]
fn a_level_the_open_side_reached_first_gives_a_negative_lag() {
    // The closed side, measured at 80.0 on 2024-01-01, reached 90.0 on 2024-10-01, after the
    // open side had reached 85.0 (2024-06-01): at the open level, the open side was 122 days
    // ahead.
    let claims = [
        dated(1, "Claude 3.5 Sonnet", "mmlu", 80.0, "2024-01-01"),
        dated(2, "GPT-5", "mmlu", 90.0, "2024-10-01"),
        dated(3, "Llama 3.1 405B", "mmlu", 85.0, "2024-06-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-11-01");
    let lag = row(&a, "mmlu").lag.clone().unwrap();
    assert!(close(lag.months, months(-122)), "{}", lag.months);
}

#[test]
fn a_closed_side_first_measured_above_the_open_level_gives_no_lag() {
    // The closed side's first result (90.0, 2024-10-01) came after the open side had
    // reached 85.0 (2024-06-01): when a closed model first got to 85.0 is unknown, and no
    // lag is claimed, neither way.
    let claims = [
        dated(1, "GPT-5", "mmlu", 90.0, "2024-10-01"),
        dated(2, "Llama 3.1 405B", "mmlu", 85.0, "2024-06-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-11-01");
    assert_eq!(row(&a, "mmlu").lag, None);
}

#[test]
fn on_a_lower_is_better_metric_reaching_a_level_means_coming_down_to_it() {
    // Closed 2.8 (2024-01-01), then 2.0 (2024-09-01); open 4.0 (2024-02-01), then 2.9
    // (2024-07-01). At the open level 2.9 the closed side was there on 2024-01-01: 182 days.
    let claims = [
        dated(1, "GPT-5", "hallucination-rate", 2.8, "2024-01-01"),
        dated(
            2,
            "Claude 3.5 Sonnet",
            "hallucination-rate",
            2.0,
            "2024-09-01",
        ),
        dated(3, "Llama 3.1 405B", "hallucination-rate", 4.0, "2024-02-01"),
        dated(4, "DeepSeek-V3", "hallucination-rate", 2.9, "2024-07-01"),
    ];
    let a = run(&claims, &story(&["hallucination-rate"]), "2024-10-01");
    let lag = row(&a, "hallucination-rate").lag.clone().unwrap();
    assert_eq!(lag.level, 2.9);
    assert_eq!(
        (lag.incumbent_date, lag.challenger_date),
        (d("2024-01-01"), d("2024-07-01"))
    );
    assert!(close(lag.months, months(182)));
    assert_eq!(lag.claim_ids, [1, 4]);
}

/// MMLU as above (lag 92 days, exact); HumanEval, lag 30 days on a stand-in date; GPQA,
/// where the open side leads (no lag); the hallucination rate, lag 122 days; and a BFCL
/// sub-score with a 370-day lag that must not count.
fn median_claims() -> Vec<ClaimRecord> {
    let mut claims = frontiers();
    claims.extend([
        dated(10, "GPT-5", "humaneval", 90.0, "2024-12-01"),
        score(
            11,
            "board",
            "2024-12-31",
            "Llama 3.1 405B",
            "humaneval",
            88.0,
        ),
        dated(20, "GPT-5", "gpqa-diamond", 50.0, "2025-01-01"),
        dated(21, "DeepSeek-V3", "gpqa-diamond", 55.0, "2025-01-10"),
        dated(30, "GPT-5", "hallucination-rate", 2.8, "2024-09-01"),
        dated(
            31,
            "Llama 3.1 405B",
            "hallucination-rate",
            2.9,
            "2025-01-01",
        ),
        dated(
            32,
            "Claude 3.5 Sonnet",
            "hallucination-rate",
            2.0,
            "2025-01-15",
        ),
        dated(40, "GPT-5", "bfcl", 80.0, "2024-01-01")
            .variant("live")
            .setting("version", "v4"),
        dated(41, "GLM-4.5", "bfcl", 75.0, "2025-01-05")
            .variant("live")
            .setting("version", "v4"),
        dated(42, "Claude 3.5 Sonnet", "bfcl", 70.0, "2024-12-01")
            .variant("live")
            .setting("version", "v4"),
    ]);
    claims
}

#[test]
fn the_median_lag_is_taken_over_the_comparable_headline_rows() {
    let s = story(&[
        "mmlu",
        "humaneval",
        "gpqa-diamond",
        "hallucination-rate",
        "bfcl",
    ]);
    let a = run(&median_claims(), &s, "2025-02-01");
    let live = row_of(&a, "bfcl", RowRole::Subscore, "live");
    assert!(close(live.lag.as_ref().unwrap().months, months(370)));
    assert_eq!(row(&a, "gpqa-diamond").lag, None);
    assert!(close(
        row(&a, "hallucination-rate").lag.as_ref().unwrap().months,
        months(122)
    ));

    // Lags 92, 30 and 122 days: the median is 92 days.
    let m = a.median_lag.as_ref().unwrap();
    assert_eq!(m.benchmarks, 3);
    assert!(close(m.months, months(92)), "{}", m.months);
    let rows: Vec<&str> = m.rows.iter().map(|k| k.benchmark.as_str()).collect();
    assert_eq!(rows, ["mmlu", "humaneval", "hallucination-rate"]);
    assert!(m.approximate, "HumanEval's lag rests on a stand-in date");
    // Only MMLU has a mean lag among them.
    assert!(close(m.mean_months.unwrap(), months(91 + 275 + 92) / 3.0));
}

#[test]
fn an_even_count_of_lags_has_the_mean_of_the_two_middle_ones_as_median() {
    // MMLU (92 days) and HumanEval (30 days): (92 + 30) / 2 = 61 days.
    let s = story(&["mmlu", "humaneval", "gpqa-diamond"]);
    let a = run(&median_claims(), &s, "2025-02-01");
    let m = a.median_lag.as_ref().unwrap();
    assert_eq!(m.benchmarks, 2);
    assert!(close(m.months, months(61)), "{}", m.months);
    // Without the stand-in date, nothing is approximate.
    let s = story(&["mmlu", "gpqa-diamond"]);
    let a = run(&median_claims(), &s, "2025-02-01");
    assert!(!a.median_lag.as_ref().unwrap().approximate);
}

#[test]
fn no_closed_result_means_no_lag() {
    let claims = [dated(1, "Llama 3.1 405B", "mmlu", 85.0, "2024-03-05")];
    let a = run(&claims, &story(&["mmlu"]), "2024-04-01");
    assert_eq!(row(&a, "mmlu").lag, None);
    assert_eq!(row(&a, "mmlu").mean_lag_months, None);
    assert_eq!(a.median_lag, None);
}
