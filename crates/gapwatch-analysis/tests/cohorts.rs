//! Cohorts (docs/analysis.md §2): names resolved with the registry, access combined over a
//! subject's models, unknown access kept apart but named, source flags never deciding.

mod common;

use common::*;
use gapwatch_analysis::TensionKind;
use gapwatch_model::{Access, Story, Subject};

#[test]
fn a_subject_with_any_unresolved_name_is_left_out_and_counted_per_name() {
    // "Llama-4-Behemoth" is not in the registry: its 95.0 must not become the open best. Two
    // of its claims and one system claim that includes it are left out: 3 claims, all
    // counted under that raw name. The claim on a benchmark outside the story is not in
    // scope and not counted.
    let claims = [
        score(1, "board", "2024-07-01", "GPT-5", "mmlu", 88.7),
        score(2, "board", "2024-07-01", "Llama 3.1 405B", "mmlu", 86.0),
        score(3, "board", "2024-07-01", "Llama-4-Behemoth", "mmlu", 95.0),
        score(4, "other", "2024-07-02", "Llama-4-Behemoth", "mmlu", 94.0),
        score(5, "board", "2024-07-01", "x", "mmlu", 93.0)
            .system("Moatless", &["Llama 3.1 405B", "Llama-4-Behemoth"]),
        score(6, "board", "2024-07-01", "Llama-4-Behemoth", "bfcl", 50.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-08-01");
    let r = row(&a, "mmlu");
    assert_eq!((inc(r).best.value, chal(r).best.value), (88.7, 86.0));
    let cov = &a.coverage;
    assert_eq!(cov.unresolved.get("Llama-4-Behemoth"), Some(&3));
    assert_eq!(cov.unresolved.len(), 1);
    assert_eq!(cov.unresolved_claims, 3);
    assert_eq!(cov.in_scope_score_claims, 5);
    assert_eq!(cov.challenger.score_claims, 1);
}

#[test]
fn a_system_is_open_weights_only_when_all_its_models_are() {
    // Mixed runs DeepSeek-V3 (open) with GPT-4o (closed): closed. Moatless runs two open
    // models: open, and beats the plain Llama. A limited model makes a system limited, in
    // neither cohort; an unknown one makes it unknown.
    let claims = [
        score(1, "swe", "2024-10-01", "x", "humaneval", 70.0)
            .system("Mixed", &["DeepSeek-V3", "GPT-4o"]),
        score(2, "swe", "2024-10-01", "x", "humaneval", 65.0)
            .system("Moatless", &["Llama 3.1 405B", "Qwen2.5 72B"]),
        score(3, "swe", "2024-10-01", "Llama 3.1 405B", "humaneval", 50.0),
        score(4, "swe", "2024-10-01", "x", "humaneval", 68.0).system("OpenHands", &["GPT-5"]),
        score(5, "swe", "2024-10-01", "x", "humaneval", 90.0)
            .system("Agentless", &["Llama 3.1 405B", "Mistral Large"]),
        score(6, "swe", "2024-10-01", "x", "humaneval", 80.0)
            .system("Agentless", &["Llama 3.1 405B", "Mystery-1"]),
    ];
    let a = run(&claims, &story(&["humaneval"]), "2024-11-01");
    let r = row(&a, "humaneval");
    let best = &inc(r).best;
    assert_eq!(best.subject, "Mixed (DeepSeek-V3 + GPT-4o)");
    assert_eq!(best.system.as_deref(), Some("Mixed"));
    assert_eq!(best.model_ids, ["deepseek-v3", "gpt-4o"]);
    let best = &chal(r).best;
    assert_eq!(best.subject, "Moatless (Llama 3.1 405B + Qwen2.5 72B)");
    assert_eq!(best.model_ids, ["llama-3-1-405b", "qwen-2-5-72b"]);
    assert!(close(r.gap.unwrap().points, 5.0));
    assert_eq!(a.coverage.incumbent.subjects, 2);
    assert_eq!(a.coverage.challenger.subjects, 2);
    assert_eq!(a.coverage.outside_cohorts, 1);
    assert_eq!(a.coverage.unknown_access, 1);
    assert_eq!(
        a.coverage
            .unknown_access_subjects
            .get("Agentless (Llama 3.1 405B + Mystery-1)"),
        Some(&1)
    );
}

#[test]
fn the_story_says_which_accesses_each_cohort_holds() {
    let claims = [
        score(1, "board", "2024-07-01", "GPT-5", "mmlu", 90.0),
        score(2, "board", "2024-07-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(3, "board", "2024-07-01", "Mistral Large", "mmlu", 85.0),
    ];
    // By default limited models are in neither cohort.
    let a = run(&claims, &story(&["mmlu"]), "2024-08-01");
    assert_eq!(chal(row(&a, "mmlu")).best.subject, "Llama 3.1 405B");
    assert_eq!(a.coverage.outside_cohorts, 1);
    // A story whose challenger holds limited models too counts Mistral Large there.
    let wider = Story::from_toml_str(
        r#"
id = "wider"
title = "Downloadable or licensable vs closed"
benchmarks = ["mmlu"]
parity = { value = 2.0, unit = "points" }
incumbent = { id = "closed", label = "Closed", access = ["closed"] }
challenger = { id = "open", label = "Open or limited", access = ["open-weights", "limited"] }
"#,
        "wider story",
    )
    .unwrap();
    let a = run(&claims, &wider, "2024-08-01");
    assert_eq!(chal(row(&a, "mmlu")).best.subject, "Mistral Large");
    assert_eq!(a.coverage.outside_cohorts, 0);
    assert_eq!(a.coverage.challenger.label, "Open or limited");
}

#[test]
fn an_unknown_access_subject_is_kept_out_of_both_cohorts_but_named_where_it_would_lead() {
    let base = [
        score(1, "board", "2024-07-01", "GPT-5", "mmlu", 90.0),
        score(2, "board", "2024-07-01", "Llama 3.1 405B", "mmlu", 80.0),
    ];
    let with_mystery = |value: f64| {
        let mut claims = base.to_vec();
        claims.push(score(3, "board", "2024-07-01", "Mystery-1", "mmlu", value));
        run(&claims, &story(&["mmlu"]), "2024-08-01")
    };

    // 85.0 would lead the open cohort, not the closed one.
    let a = with_mystery(85.0);
    let r = row(&a, "mmlu");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (1, 2));
    assert_eq!(r.unknown_access.len(), 1);
    let u = &r.unknown_access[0];
    assert_eq!(
        (u.entry.subject.as_str(), u.entry.value),
        ("Mystery-1", 85.0)
    );
    assert!(u.would_lead_challenger && !u.would_lead_incumbent);
    assert_eq!(a.coverage.unknown_access, 1);
    assert_eq!(
        a.coverage.unknown_access_subjects.get("Mystery-1"),
        Some(&1)
    );

    // 95.0 would lead both.
    let a = with_mystery(95.0);
    let u = &row(&a, "mmlu").unknown_access[0];
    assert!(u.would_lead_challenger && u.would_lead_incumbent);

    // 75.0 leads nothing: counted, not named on the row.
    let a = with_mystery(75.0);
    assert!(row(&a, "mmlu").unknown_access.is_empty());
    assert_eq!(a.coverage.unknown_access, 1);
}

#[test]
fn an_unknown_access_subject_is_named_where_a_cohort_has_no_result() {
    let claims = [
        score(1, "board", "2024-07-01", "GPT-5", "mmlu", 90.0),
        score(2, "board", "2024-07-01", "Mystery-1", "mmlu", 70.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-08-01");
    let r = row(&a, "mmlu");
    assert!(r.challenger.is_none());
    let u = &r.unknown_access[0];
    assert!(u.would_lead_challenger && !u.would_lead_incumbent);
}

#[test]
fn a_source_access_flag_never_changes_the_cohort() {
    // SWE-bench flags "OpenHands + GPT-5" as an open model; GPT-5 is closed. Its 70.0 stays
    // closed, the open best is Llama's 60.0, and the flag is a tension.
    let system = Subject::system("OpenHands + GPT-5", "OpenHands", ["GPT-5"]);
    let mut entry = score(1, "swe", "2025-10-06", "x", "humaneval", 70.0);
    entry.claim.subject = system.clone();
    let claims = [
        entry,
        access_flag(2, "swe", "2025-10-06", system, Access::OpenWeights),
        score(3, "swe", "2025-10-06", "Llama 3.1 405B", "humaneval", 60.0),
    ];
    let a = run(&claims, &story(&["humaneval"]), "2025-11-01");
    let r = row(&a, "humaneval");
    assert_eq!(inc(r).best.subject, "OpenHands (GPT-5)");
    assert_eq!(chal(r).best.subject, "Llama 3.1 405B");
    assert_eq!(a.coverage.challenger.subjects, 1);
    assert_eq!(a.tensions.len(), 1);
    assert_eq!(a.tensions[0].kind, TensionKind::AccessFlagVsRegistry);
}
