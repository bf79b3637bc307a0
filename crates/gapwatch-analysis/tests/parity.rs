//! The parity map: cohorts, bests, gaps, ties, directions of metric, exclusions.

mod common;

use common::*;
use gapwatch_analysis::{Analysis, AnalysisOptions, analyze};
use gapwatch_model::{Evaluator, Unit};

#[test]
fn best_of_each_cohort_gap_in_points_and_relative() {
    // Closed: GPT-4o 88.7, Claude 88.3. Open: Llama 86.2, Qwen 85.0.
    // Gap = 88.7 - 86.2 = 2.5 points; relative = 2.5 / 88.7 * 100 = 2.8185%.
    // With a 2-point parity margin that is not parity.
    let claims = [
        score(1, "board", "2024-08-01", "GPT-4o", "mmlu", 88.7),
        score(2, "board", "2024-08-01", "Claude 3.5 Sonnet", "mmlu", 88.3),
        score(3, "board", "2024-08-01", "Llama 3.1 405B", "mmlu", 86.2),
        score(4, "board", "2024-08-01", "Qwen2.5 72B", "mmlu", 85.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-09-01");
    let r = row(&a, "mmlu");
    assert_eq!(r.benchmark_name, "MMLU");
    assert_eq!(r.unit, Unit::Percent);
    assert!(r.higher_is_better);
    let inc = r.incumbent.as_ref().unwrap();
    assert_eq!(inc.subject, "GPT-4o");
    assert_eq!(inc.model_ids, ["gpt-4o"]);
    assert_eq!(inc.claim_id, 1);
    assert_eq!(inc.source_id, "board");
    assert_eq!(inc.date, d("2024-08-01"));
    assert_eq!(inc.evaluator, Evaluator::ThirdParty);
    assert_eq!(r.challenger.as_ref().unwrap().subject, "Llama 3.1 405B");
    let g = r.gap.unwrap();
    assert!(close(g.points, 2.5), "{g:?}");
    assert!(close(g.relative_percent, 2.5 / 88.7 * 100.0), "{g:?}");
    assert!((g.relative_percent - 2.8185).abs() < 1e-4);
    assert_eq!(r.parity, Some(false));
    assert!(!r.challenger_leads);
    assert_eq!(r.note, None);
    assert_eq!(a.coverage.incumbent.score_claims, 2);
    assert_eq!(a.coverage.challenger.subjects, 2);
    assert_eq!(a.coverage.sources, 1);
}

#[test]
fn the_parity_margin_in_relative_percent() {
    // Same numbers, margin "3% relative": 2.8185% is within it.
    let claims = [
        score(1, "board", "2024-08-01", "GPT-4o", "mmlu", 88.7),
        score(3, "board", "2024-08-01", "Llama 3.1 405B", "mmlu", 86.2),
    ];
    let s = story_with(
        &["mmlu"],
        r#"{ value = 3.0, unit = "relative-percent" }"#,
        "",
    );
    assert_eq!(run(&claims, &s, "2024-09-01").parity[0].parity, Some(true));
    let s = story_with(
        &["mmlu"],
        r#"{ value = 2.5, unit = "relative-percent" }"#,
        "",
    );
    assert_eq!(run(&claims, &s, "2024-09-01").parity[0].parity, Some(false));
}

#[test]
fn ties_pick_the_earlier_date_then_the_lower_claim_id_and_say_so() {
    // Two open models at 71.2: Llama on 2024-07-23 (claim 5), Qwen on 2024-09-19 (claim 3).
    // Llama is shown, although its claim id is higher, because it reached 71.2 first.
    let claims = [
        score(1, "board", "2024-07-01", "GPT-4o", "humaneval", 80.0),
        score(
            5,
            "board",
            "2024-07-23",
            "Llama 3.1 405B",
            "humaneval",
            71.2,
        ),
        score(3, "other", "2024-09-19", "Qwen2.5 72B", "humaneval", 71.2),
    ];
    let a = run(&claims, &story(&["humaneval"]), "2024-10-01");
    let r = row(&a, "humaneval");
    assert_eq!(r.challenger.as_ref().unwrap().claim_id, 5);
    let note = r.note.as_deref().unwrap();
    assert!(
        note.contains("Llama 3.1 405B and Qwen2.5 72B tie for the best open weights score on HumanEval at 71.2%"),
        "{note}"
    );
    assert!(note.contains("reached it first (2024-07-23)"), "{note}");

    // Same date: the lower claim id (3, Qwen) is shown.
    let claims = [
        score(1, "board", "2024-07-01", "GPT-4o", "humaneval", 80.0),
        score(
            5,
            "board",
            "2024-07-23",
            "Llama 3.1 405B",
            "humaneval",
            71.2,
        ),
        score(3, "board", "2024-07-23", "Qwen2.5 72B", "humaneval", 71.2),
    ];
    let a = run(&claims, &story(&["humaneval"]), "2024-10-01");
    let r = row(&a, "humaneval");
    assert_eq!(r.challenger.as_ref().unwrap().claim_id, 3);
    assert!(
        r.note
            .as_deref()
            .unwrap()
            .contains("recorded first on the same date")
    );
}

#[test]
fn equal_values_across_cohorts_are_a_zero_gap_at_parity() {
    let claims = [
        score(1, "board", "2024-07-01", "GPT-4o", "mmlu", 80.0),
        score(2, "board", "2024-07-01", "Llama 3.1 405B", "mmlu", 80.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-10-01");
    let r = &a.parity[0];
    assert_eq!(r.gap.unwrap().points, 0.0);
    assert_eq!(r.gap.unwrap().relative_percent, 0.0);
    assert_eq!(r.parity, Some(true));
    assert!(!r.challenger_leads, "a tie is not a lead");
    let reached = a.timeline.last().unwrap();
    assert_eq!(
        reached.description,
        "Llama 3.1 405B (open weights) at 80.0% draws level with GPT-4o (closed) at 80.0% on MMLU."
    );
}

#[test]
fn lower_is_better_metric() {
    // Hallucination rate, less is better. Closed: GPT-4o 3.0, Claude 4.0 -> best 3.0.
    // Open: DeepSeek 5.5, Llama 6.5 -> best 5.5. Gap = 5.5 - 3.0 = +2.5 (open trails),
    // relative 2.5 / 3.0 = 83.33%. Not within 2 points.
    let mut claims = vec![
        score(
            1,
            "board",
            "2024-07-01",
            "GPT-4o",
            "hallucination-rate",
            3.0,
        ),
        score(
            2,
            "board",
            "2024-07-01",
            "Claude 3.5 Sonnet",
            "hallucination-rate",
            4.0,
        ),
        score(
            3,
            "board",
            "2024-07-01",
            "DeepSeek-V3",
            "hallucination-rate",
            5.5,
        ),
        score(
            4,
            "board",
            "2024-07-01",
            "Llama 3.1 405B",
            "hallucination-rate",
            6.5,
        ),
    ];
    let a = run(&claims, &story(&["hallucination-rate"]), "2024-08-01");
    let r = &a.parity[0];
    assert!(!r.higher_is_better);
    assert_eq!(r.incumbent.as_ref().unwrap().subject, "GPT-4o");
    assert_eq!(r.challenger.as_ref().unwrap().subject, "DeepSeek-V3");
    let g = r.gap.unwrap();
    assert!(
        close(g.points, 2.5) && close(g.relative_percent, 250.0 / 3.0),
        "{g:?}"
    );
    assert_eq!(r.parity, Some(false));

    // Qwen at 2.5 beats the closed 3.0: the open cohort leads, gap -0.5, parity.
    claims.push(score(
        5,
        "board",
        "2024-07-15",
        "Qwen2.5 72B",
        "hallucination-rate",
        2.5,
    ));
    let a = run(&claims, &story(&["hallucination-rate"]), "2024-08-01");
    let r = &a.parity[0];
    assert_eq!(r.challenger.as_ref().unwrap().subject, "Qwen2.5 72B");
    assert!(close(r.gap.unwrap().points, -0.5));
    assert!(r.challenger_leads);
    assert_eq!(r.parity, Some(true));
}

#[test]
fn a_missing_cohort_gives_no_gap_and_says_why() {
    // HumanEval has only a closed result; GPQA has nothing at all.
    let claims = [score(1, "board", "2024-07-01", "GPT-4o", "humaneval", 90.2)];
    let a = run(
        &claims,
        &story(&["humaneval", "gpqa-diamond"]),
        "2024-08-01",
    );
    let he = row(&a, "humaneval");
    assert!(he.challenger.is_none());
    assert_eq!(he.gap, None);
    assert_eq!(he.parity, None);
    assert!(!he.challenger_leads);
    assert_eq!(
        he.note.as_deref(),
        Some(
            "No open weights result on HumanEval as of 2024-08-01, so there is no gap to measure."
        )
    );
    let gpqa = row(&a, "gpqa-diamond");
    assert_eq!(gpqa.benchmark_name, "GPQA Diamond");
    assert!(gpqa.incumbent.is_none() && gpqa.challenger.is_none() && gpqa.lag.is_none());
    assert_eq!(
        gpqa.note.as_deref(),
        Some("No results from either cohort on GPQA Diamond as of 2024-08-01.")
    );
    // Parity rows keep the story's order.
    let order: Vec<&str> = a.parity.iter().map(|r| r.benchmark.as_str()).collect();
    assert_eq!(order, ["humaneval", "gpqa-diamond"]);
}

#[test]
fn unresolved_models_are_excluded_and_counted() {
    // "Llama-4-Behemoth" is not in the registry: its 95.0 must not become the open best.
    // Two of its claims and one system claim that includes it are left out: 3 claims,
    // all counted under that raw name. "Mystery-1" has unknown access (1 claim), "Mistral
    // Large" is limited: neither cohort (1 claim).
    let claims = [
        score(1, "board", "2024-07-01", "GPT-4o", "mmlu", 88.7),
        score(2, "board", "2024-07-01", "Llama 3.1 405B", "mmlu", 86.0),
        score(3, "board", "2024-07-01", "Llama-4-Behemoth", "mmlu", 95.0),
        score(4, "other", "2024-07-02", "Llama-4-Behemoth", "mmlu", 94.0),
        score(5, "board", "2024-07-01", "x", "mmlu", 93.0)
            .system("Moatless", &["Llama 3.1 405B", "Llama-4-Behemoth"]),
        score(6, "board", "2024-07-01", "Mystery-1", "mmlu", 97.0),
        score(7, "board", "2024-07-01", "Mistral Large", "mmlu", 96.0),
        score(
            8,
            "board",
            "2024-07-01",
            "Llama-4-Behemoth",
            "not-tracked",
            50.0,
        ),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-08-01");
    let r = &a.parity[0];
    assert_eq!(r.challenger.as_ref().unwrap().value, 86.0);
    assert_eq!(r.incumbent.as_ref().unwrap().value, 88.7);
    let cov = &a.coverage;
    assert_eq!(cov.unresolved.get("Llama-4-Behemoth"), Some(&3));
    assert_eq!(cov.unresolved.len(), 1);
    assert_eq!(cov.unresolved_claims, 3);
    assert_eq!(cov.unknown_access, 1);
    assert_eq!(cov.unknown_access_subjects.get("Mystery-1"), Some(&1));
    assert_eq!(cov.outside_cohorts, 1);
    assert_eq!(cov.claims_considered, 8);
    assert_eq!(cov.score_claims, 8);
    // Claim 8 is on a benchmark outside the story, so it is not in scope.
    assert_eq!(cov.in_scope_score_claims, 7);
    assert_eq!(cov.source_ids, ["board", "other"]);
}

#[test]
fn a_system_is_open_only_when_all_its_models_are() {
    // "Mixed" runs DeepSeek-V3 (open) with GPT-4o (closed): closed, and its 70.0 is the
    // closed best. "Moatless" runs two open models: open, and its 65.0 beats the plain
    // Llama at 50.0. "OpenHands" with GPT-5 (closed) at 68.0 is closed.
    let claims = [
        score(1, "swe", "2024-07-01", "x", "humaneval", 70.0)
            .system("Mixed", &["DeepSeek-V3", "GPT-4o"]),
        score(2, "swe", "2024-07-01", "x", "humaneval", 65.0)
            .system("Moatless", &["Llama 3.1 405B", "Qwen2.5 72B"]),
        score(3, "swe", "2024-07-01", "Llama 3.1 405B", "humaneval", 50.0),
        score(4, "swe", "2024-07-01", "x", "humaneval", 68.0).system("OpenHands", &["GPT-5"]),
    ];
    let a = run(&claims, &story(&["humaneval"]), "2024-08-01");
    let r = &a.parity[0];
    let inc = r.incumbent.as_ref().unwrap();
    assert_eq!(inc.subject, "Mixed (DeepSeek-V3 + GPT-4o)");
    assert_eq!(inc.model_ids, ["deepseek-v3", "gpt-4o"]);
    let chal = r.challenger.as_ref().unwrap();
    assert_eq!(chal.subject, "Moatless (Llama 3.1 405B + Qwen2.5 72B)");
    assert_eq!(chal.model_ids, ["llama-3-1-405b", "qwen-2-5-72b"]);
    assert!(close(r.gap.unwrap().points, 5.0));
    assert_eq!(a.coverage.incumbent.subjects, 2);
    assert_eq!(a.coverage.challenger.subjects, 2);
}

#[test]
fn variants_are_separate_rows_in_registry_order() {
    // MMMU lists variants ["val", "test"]: rows come main first, then val, then test.
    let claims = [
        score(1, "m", "2024-07-01", "GPT-4o", "mmmu", 69.1).variant("test"),
        score(2, "m", "2024-07-01", "GPT-4o", "mmmu", 70.0).variant("val"),
        score(3, "m", "2024-07-01", "Qwen2.5 72B", "mmmu", 64.5).variant("val"),
        score(4, "m", "2024-07-01", "Qwen2.5 72B", "mmmu", 60.0),
    ];
    let a = run(&claims, &story(&["mmmu"]), "2024-08-01");
    let variants: Vec<&str> = a.parity.iter().map(|r| r.variant.as_str()).collect();
    assert_eq!(variants, ["", "val", "test"]);
    assert!(close(a.parity[1].gap.unwrap().points, 5.5));
    assert!(a.parity[2].challenger.is_none());
    assert!(a.parity[0].incumbent.is_none());
}

#[test]
fn as_of_uses_only_claims_observed_by_then() {
    // Qwen's 89.0 is observed on 2024-10-01 with a result date of 2024-06-01. As of
    // 2024-09-01 nobody had seen it yet, so it does not count, even though its date is earlier.
    let claims = [
        score(1, "board", "2024-05-01", "GPT-4o", "mmlu", 88.7),
        score(2, "board", "2024-05-01", "Llama 3.1 405B", "mmlu", 86.0),
        score(3, "late", "2024-10-01", "Qwen2.5 72B", "mmlu", 89.0).reported("2024-06-01"),
    ];
    let before = run(&claims, &story(&["mmlu"]), "2024-09-01");
    assert_eq!(before.as_of, d("2024-09-01"));
    assert_eq!(before.parity[0].challenger.as_ref().unwrap().value, 86.0);
    assert_eq!(before.coverage.claims_after_as_of, 1);
    assert_eq!(before.coverage.claims_considered, 2);
    let after = run(&claims, &story(&["mmlu"]), "2024-10-01");
    let chal = after.parity[0].challenger.as_ref().unwrap();
    assert_eq!((chal.value, chal.date), (89.0, d("2024-06-01")));
    assert!(after.parity[0].challenger_leads);
}

#[test]
fn a_large_input_read_in_parts_gives_the_same_analysis_in_any_order() {
    // Claims are numbered in order of first appearance and sorted by snapshot and result
    // without comparing claims; past 50,000 counted claims the tensions are found on a thread
    // of their own. None of it may depend on the order the claims come in.
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
    assert!(forward.coverage.claims_considered > 100_000);
    // Enough counted claims for the work split between threads.
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
    let mut rotated = claims.clone();
    rotated.rotate_left(74_999);
    assert_eq!(forward, run(&rotated, &s, "2024-10-01"));
}

#[test]
fn same_input_in_any_order_gives_identical_output() {
    let claims = vec![
        score(1, "a", "2024-05-01", "GPT-4o", "mmlu", 88.7),
        score(2, "b", "2024-05-02", "GPT-4o", "mmlu", 84.2),
        score(3, "a", "2024-05-01", "Llama 3.1 405B", "mmlu", 86.0),
        score(4, "a", "2024-06-01", "Qwen2.5 72B", "mmlu", 86.0),
        score(5, "a", "2024-06-01", "GPT-4o", "humaneval", 90.2),
        score(6, "b", "2024-07-01", "Qwen2.5 72B", "humaneval", 86.6).by(Evaluator::SelfReported),
    ];
    let s = story(&["mmlu", "humaneval"]);
    let forward = run(&claims, &s, "2024-12-31");
    let mut reversed = claims.clone();
    reversed.reverse();
    assert_eq!(forward, run(&reversed, &s, "2024-12-31"));
    let mut rotated = claims.clone();
    rotated.rotate_left(2);
    assert_eq!(forward, run(&rotated, &s, "2024-12-31"));
}

#[test]
fn json_round_trip_with_kebab_case_kinds() {
    let claims = [
        score(1, "a", "2024-05-01", "GPT-4o", "mmlu", 88.7),
        score(2, "b", "2024-05-02", "GPT-4o", "mmlu", 84.2).by(Evaluator::SelfReported),
        score(3, "a", "2024-05-01", "Llama 3.1 405B", "mmlu", 86.0),
    ];
    let a = run(&claims, &story(&["mmlu", "gpqa"]), "2024-12-31");
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.contains("\"self-reported-vs-third-party\""), "{json}");
    assert!(json.contains("\"first-data\""), "{json}");
    let back: Analysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
}

#[test]
fn empty_input_still_lists_every_benchmark() {
    let a = analyze(
        &gapwatch_model::ClaimSet::new(),
        &registry(),
        &story(&["mmlu", "unknown-bench"]),
        d("2025-01-01"),
        &AnalysisOptions::default(),
    );
    assert_eq!(a.parity.len(), 2);
    assert_eq!(a.median_lag, None);
    assert!(a.timeline.is_empty() && a.tensions.is_empty());
    let unknown = &a.parity[1];
    assert_eq!(unknown.benchmark, "unknown-bench");
    assert!(
        unknown
            .note
            .as_deref()
            .unwrap()
            .contains("not in the registry")
    );
}
