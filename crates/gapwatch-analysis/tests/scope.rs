//! Which claims are used (docs/analysis.md §1): as of a date, in scope, in the right unit; and
//! a pure function of its inputs, whatever their order.

mod common;

use common::*;
use gapwatch_analysis::{Analysis, AnalysisOptions, RowNote, RowRole, analyze};
use gapwatch_model::{ClaimSet, Evaluator, Unit};

#[test]
fn claims_observed_after_the_as_of_date_are_ignored_and_counted() {
    // DeepSeek's 89.0 is observed on 2024-10-01 with a result date of 2024-06-01. As of
    // 2024-09-01 nobody had seen it, so it does not count, even though its date is earlier.
    let claims = [
        score(1, "board", "2024-05-01", "GPT-5", "mmlu", 88.7).reported("2024-05-01"),
        score(2, "board", "2024-05-01", "Llama 3.1 405B", "mmlu", 86.0).reported("2024-05-01"),
        score(3, "late", "2024-10-01", "DeepSeek-V3", "mmlu", 89.0).reported("2024-06-01"),
    ];
    let before = run(&claims, &story(&["mmlu"]), "2024-09-01");
    assert_eq!(before.as_of, d("2024-09-01"));
    assert_eq!(chal(row(&before, "mmlu")).best.claim_id, 2);
    assert_eq!(before.coverage.claims_after_as_of, 1);
    assert_eq!(before.coverage.claims_considered, 2);
    assert_eq!(before.coverage.source_ids, ["board"]);

    let after = run(&claims, &story(&["mmlu"]), "2024-10-01");
    let best = &chal(row(&after, "mmlu")).best;
    assert_eq!((best.claim_id, best.date), (3, d("2024-06-01")));
    assert_eq!(after.coverage.claims_after_as_of, 0);
    assert_eq!(after.coverage.sources, 2);
}

#[test]
fn only_the_story_benchmarks_and_those_its_forecasts_name_are_analysed() {
    // MMLU is in the story, HumanEval only in a forecast, BFCL in neither.
    let forecast = r#"
[[forecast]]
id = "he"
question = "HumanEval within 2 points"
benchmarks = ["humaneval"]
combine = "all-of"
readings = [{ value = 2.0, unit = "points" }]
deadline = "2026-12-31"
"#;
    let s = story_with(&["mmlu"], r#"{ value = 2.0, unit = "points" }"#, forecast);
    let claims = [
        score(1, "board", "2024-08-01", "GPT-5", "mmlu", 88.0),
        score(2, "board", "2024-08-01", "Llama 3.1 405B", "mmlu", 85.0),
        score(3, "board", "2024-08-01", "GPT-5", "humaneval", 92.0),
        score(
            4,
            "board",
            "2024-08-01",
            "Llama 3.1 405B",
            "humaneval",
            91.0,
        ),
        score(5, "board", "2024-08-01", "GPT-5", "bfcl", 70.0),
    ];
    let a = run(&claims, &s, "2024-09-01");
    assert_eq!(a.coverage.score_claims, 5);
    assert_eq!(a.coverage.in_scope_score_claims, 4);
    // The parity map shows the story's benchmarks only; the forecast still checks HumanEval.
    let benchmarks: Vec<&str> = a.parity.iter().map(|r| r.key.benchmark.as_str()).collect();
    assert_eq!(benchmarks, ["mmlu"]);
    let check = &a.forecasts[0].readings[0].per_benchmark[0];
    assert_eq!(check.benchmark, "humaneval");
    assert_eq!(check.met, Some(true));
    assert!(close(check.gap.unwrap().points, 1.0));
}

#[test]
fn benchmark_names_are_resolved_through_the_registry() {
    // The story and the claims say "gpqa", an alias of GPQA Diamond.
    let claims = [
        score(1, "epoch", "2024-08-01", "GPT-5", "gpqa", 60.0),
        score(
            2,
            "epoch",
            "2024-08-01",
            "DeepSeek-V3",
            "gpqa-diamond",
            59.0,
        ),
    ];
    let a = run(&claims, &story(&["gpqa"]), "2024-09-01");
    let r = row(&a, "gpqa-diamond");
    assert_eq!(r.key.benchmark_name, "GPQA Diamond");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (1, 2));
    assert!(close(r.gap.unwrap().points, 1.0));
}

#[test]
fn a_claim_in_another_unit_or_not_finite_is_left_out_and_counted() {
    // MMLU is in percent: an Elo-valued claim, a NaN and an infinity are not results.
    let claims = [
        score(1, "board", "2024-08-01", "GPT-5", "mmlu", 88.0),
        score(2, "board", "2024-08-01", "Llama 3.1 405B", "mmlu", 85.0),
        score(
            3,
            "board",
            "2024-08-01",
            "Claude 3.5 Sonnet",
            "mmlu",
            1250.0,
        )
        .unit(Unit::Elo),
        score(4, "board", "2024-08-01", "DeepSeek-V3", "mmlu", f64::NAN),
        score(5, "board", "2024-08-01", "GLM-4.5", "mmlu", f64::INFINITY),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-09-01");
    assert_eq!(a.coverage.unit_mismatch, 3);
    assert_eq!(a.coverage.in_scope_score_claims, 5);
    let r = row(&a, "mmlu");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (1, 2));
    assert_eq!(a.coverage.incumbent.score_claims, 1);
    assert_eq!(a.coverage.challenger.score_claims, 1);
}

#[test]
fn every_benchmark_has_a_headline_row_even_without_results() {
    let a = analyze(
        &ClaimSet::new(),
        &registry(),
        &story(&["mmlu", "swe-bench-verified", "unknown-bench"]),
        d("2025-01-01"),
        &AnalysisOptions::default(),
    );
    let rows: Vec<(&str, RowRole)> = a
        .parity
        .iter()
        .map(|r| (r.key.benchmark.as_str(), r.key.role))
        .collect();
    assert_eq!(
        rows,
        [
            ("mmlu", RowRole::Headline),
            ("swe-bench-verified", RowRole::Headline),
            ("unknown-bench", RowRole::Headline),
        ]
    );
    assert_eq!(a.parity[0].notes, [RowNote::NoResults]);
    assert!(a.parity[1].key.class.is_empty());
    assert_eq!(a.parity[2].notes, [RowNote::UnknownBenchmark]);
    assert_eq!(a.median_lag, None);
    assert!(a.timeline.is_empty() && a.tensions.is_empty());
}

#[test]
fn the_same_claims_in_any_order_give_the_same_analysis() {
    let claims = vec![
        score(1, "a", "2024-05-01", "GPT-4o", "mmlu", 88.7),
        score(2, "b", "2024-05-02", "GPT-4o", "mmlu", 84.2),
        score(3, "a", "2024-05-01", "Llama 3.1 405B", "mmlu", 86.0),
        score(4, "a", "2024-10-01", "Qwen2.5 72B", "mmlu", 86.0).reported("2024-01-01"),
        score(5, "a", "2024-06-01", "GPT-4o", "humaneval", 90.2),
        score(6, "b", "2024-07-01", "Qwen2.5 72B", "humaneval", 86.6).by(Evaluator::SelfReported),
        score(7, "a", "2024-06-01", "Mystery-1", "humaneval", 95.0),
        score(8, "a", "2024-06-01", "GPT-5", "swe-bench-verified", 70.0).setting("attempts", "2+"),
    ];
    let s = story(&["mmlu", "humaneval", "swe-bench-verified"]);
    let forward = run(&claims, &s, "2024-12-31");
    let mut reversed = claims.clone();
    reversed.reverse();
    assert_eq!(forward, run(&reversed, &s, "2024-12-31"));
    let mut rotated = claims.clone();
    rotated.rotate_left(3);
    assert_eq!(forward, run(&rotated, &s, "2024-12-31"));
}

#[test]
fn a_large_input_read_in_parts_gives_the_same_analysis_in_any_order() {
    // Past 50,000 counted claims, results are worked out in two halves and the tensions on
    // a thread of their own. None of it may depend on the order the claims come in.
    let models = [
        "GPT-4o",
        "GPT-5",
        "Claude 3.5 Sonnet",
        "Llama 3.1 405B",
        "Qwen2.5 72B",
        "DeepSeek-V3",
        "GLM-4.5",
        "Mistral Large", // limited: outside both cohorts
        "Mystery-1",     // unknown access
        "Nobody-7B",     // not in the registry
    ];
    let benchmarks = ["mmlu", "humaneval", "gpqa", "lmarena-text", "not-tracked"];
    let sources = ["a", "bb", "ccc", "dddd"];
    let mut claims = Vec::new();
    for i in 0..150_000i64 {
        let k = i as usize;
        let day = 1 + (k / 7) % 28;
        let month = 1 + (k / 211) % 12;
        let model = models[(k * 7 + k / 13) % models.len()];
        let benchmark = benchmarks[(k / 3) % benchmarks.len()];
        let value = if benchmark == "lmarena-text" {
            1100.0 + (k % 300) as f64
        } else {
            40.0 + (k % 577) as f64 / 10.0
        };
        let observed = format!("2024-{month:02}-{day:02}");
        let mut c = score(
            i,
            sources[k % sources.len()],
            &observed,
            model,
            benchmark,
            value,
        );
        if k.is_multiple_of(11) {
            c = c.by(Evaluator::SelfReported);
        }
        if k.is_multiple_of(17) {
            c = c.reported("2024-01-15");
        }
        claims.push(c);
    }
    let s = story(&["mmlu", "humaneval", "gpqa-diamond", "lmarena-text"]);
    let forward = run(&claims, &s, "2024-10-01");
    let counted =
        forward.coverage.incumbent.score_claims + forward.coverage.challenger.score_claims;
    assert!(counted > 50_000, "{counted} counted claims");
    assert!(forward.coverage.claims_after_as_of > 0);
    assert!(forward.coverage.unresolved_claims > 0);
    assert!(forward.coverage.unknown_access > 0);
    assert!(forward.coverage.outside_cohorts > 0);
    assert!(forward.parity.iter().all(|r| r.gap.is_some()));
    let mut reversed = claims.clone();
    reversed.reverse();
    assert_eq!(forward, run(&reversed, &s, "2024-10-01"));
    let mut rotated = claims;
    rotated.rotate_left(74_999);
    assert_eq!(forward, run(&rotated, &s, "2024-10-01"));
}

#[test]
fn an_analysis_survives_a_json_round_trip_with_kebab_case_kinds() {
    let claims = [
        score(1, "a", "2024-05-01", "GPT-5", "mmlu", 88.7),
        score(2, "b", "2024-05-02", "GPT-5", "mmlu", 84.2).by(Evaluator::SelfReported),
        score(3, "a", "2024-05-01", "Llama 3.1 405B", "mmlu", 86.0),
    ];
    let a = run(&claims, &story(&["mmlu", "gpqa"]), "2024-12-31");
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.contains("\"self-reported-vs-third-party\""), "{json}");
    assert!(json.contains("\"first-data\""), "{json}");
    assert!(json.contains("\"no-results\""), "{json}");
    let back: Analysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
}
