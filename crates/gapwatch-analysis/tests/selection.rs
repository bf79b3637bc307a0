//! Which claim counts when sources, snapshots and evaluators disagree.

mod common;

use common::*;
use gapwatch_model::{Access, Evaluator, Subject};

#[test]
fn third_party_counts_over_unknown_over_self_reported() {
    // GPT-4o on MMLU: the paper's self-reported 88.7 (newest), an unknown evaluator's 88.1,
    // a third-party 86.0 (oldest). The evaluator rule comes before dates: 86.0 counts.
    let claims = [
        score(1, "paper", "2024-06-01", "GPT-4o", "mmlu", 88.7).by(Evaluator::SelfReported),
        score(2, "blog", "2024-05-20", "GPT-4o", "mmlu", 88.1).by(Evaluator::Unknown),
        score(3, "helm", "2024-05-15", "GPT-4o", "mmlu", 86.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    assert_eq!(a.parity[0].incumbent.as_ref().unwrap().claim_id, 3);
    // Without the third party, the unknown evaluator's claim counts.
    let a = run(&claims[..2], &story(&["mmlu"]), "2024-07-01");
    assert_eq!(a.parity[0].incumbent.as_ref().unwrap().claim_id, 2);
}

#[test]
fn a_newer_snapshot_of_the_same_source_supersedes_the_older() {
    // The board showed Llama at 80.0 on 2024-06-01 and at 78.0 on 2024-09-01 (re-run).
    // The latest snapshot counts, even though its value is lower.
    let claims = [
        score(1, "board", "2024-06-01", "GPT-4o", "mmlu", 88.0),
        score(2, "board", "2024-06-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(3, "board", "2024-09-01", "Llama 3.1 405B", "mmlu", 78.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-10-01");
    let chal = a.parity[0].challenger.as_ref().unwrap();
    assert_eq!((chal.claim_id, chal.value), (3, 78.0));
    // As of 2024-07-01 only the first snapshot was seen.
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    assert_eq!(a.parity[0].challenger.as_ref().unwrap().claim_id, 2);
}

#[test]
fn a_row_that_dropped_off_a_newer_snapshot_keeps_its_last_value() {
    // The 2024-09-01 snapshot no longer lists Qwen (83.0 on 2024-06-01). Dropping off the
    // board is not a deletion: Qwen's 83.0 still beats Llama's newer 82.0.
    let claims = [
        score(1, "board", "2024-06-01", "GPT-4o", "mmlu", 88.0),
        score(2, "board", "2024-06-01", "Qwen2.5 72B", "mmlu", 83.0),
        score(3, "board", "2024-06-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(4, "board", "2024-09-01", "Llama 3.1 405B", "mmlu", 82.0),
        score(5, "board", "2024-09-01", "GPT-4o", "mmlu", 88.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-10-01");
    let chal = a.parity[0].challenger.as_ref().unwrap();
    assert_eq!((chal.subject.as_str(), chal.value), ("Qwen2.5 72B", 83.0));
}

#[test]
fn across_sources_the_later_result_date_then_the_later_observation_then_the_lower_id() {
    // Both third-party. Source A observed 2024-06-01 without a result date (effective
    // 2024-06-01): 84.2. Source B observed 2024-08-01 but dates its result 2024-05-01: 88.1.
    // A's result is the more recent one, so A counts.
    let a_claim = score(1, "a", "2024-06-01", "GPT-4o", "mmlu", 84.2);
    let b_claim = score(2, "b", "2024-08-01", "GPT-4o", "mmlu", 88.1).reported("2024-05-01");
    let a = run(&[a_claim.clone(), b_claim], &story(&["mmlu"]), "2024-09-01");
    assert_eq!(a.parity[0].incumbent.as_ref().unwrap().claim_id, 1);

    // Same result date (2024-05-01) in both: the later observation (B) counts.
    let a2 = a_claim.clone().reported("2024-05-01");
    let b2 = score(2, "b", "2024-08-01", "GPT-4o", "mmlu", 88.1).reported("2024-05-01");
    let a = run(&[a2, b2], &story(&["mmlu"]), "2024-09-01");
    assert_eq!(a.parity[0].incumbent.as_ref().unwrap().claim_id, 2);

    // Same result date and same observation day: the lower claim id counts.
    let a3 = score(7, "a", "2024-06-01", "GPT-4o", "mmlu", 84.2);
    let b3 = score(4, "b", "2024-06-01", "GPT-4o", "mmlu", 88.1);
    let a = run(&[a3, b3], &story(&["mmlu"]), "2024-09-01");
    assert_eq!(a.parity[0].incumbent.as_ref().unwrap().claim_id, 4);
}

#[test]
fn settings_make_distinct_results_that_never_conflict() {
    // The same model in FC mode (70.0) and prompt mode (75.0): two results, not a
    // disagreement. The best counts and carries its settings.
    let claims = [
        score(1, "bfcl", "2024-06-01", "GPT-4o", "mmlu", 70.0).setting("mode", "FC"),
        score(2, "bfcl", "2024-06-01", "GPT-4o", "mmlu", 75.0).setting("mode", "Prompt"),
        score(3, "bfcl", "2024-06-01", "Llama 3.1 405B", "mmlu", 74.0).setting("mode", "FC"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    let inc = a.parity[0].incumbent.as_ref().unwrap();
    assert_eq!(inc.value, 75.0);
    assert_eq!(inc.settings.get("mode").map(String::as_str), Some("Prompt"));
    assert!(a.tensions.is_empty(), "{:?}", a.tensions);
}

#[test]
fn a_source_access_flag_never_changes_the_cohort() {
    // A source flags GPT-4o as open weights; the registry says closed. GPT-4o's 90.0 stays
    // in the closed cohort, the open best is Llama's 80.0, and the flag becomes a tension.
    let claims = [
        score(1, "board", "2024-06-01", "GPT-4o", "mmlu", 90.0),
        score(2, "board", "2024-06-01", "Llama 3.1 405B", "mmlu", 80.0),
        access_flag(
            3,
            "board",
            "2024-06-01",
            Subject::model("GPT-4o"),
            Access::OpenWeights,
        ),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    assert_eq!(a.parity[0].incumbent.as_ref().unwrap().value, 90.0);
    assert_eq!(a.parity[0].challenger.as_ref().unwrap().value, 80.0);
    assert_eq!(a.tensions.len(), 1);
    assert_eq!(a.coverage.claims_considered, 3);
    assert_eq!(a.coverage.score_claims, 2);
}

#[test]
fn a_correction_downwards_hands_the_lead_to_the_next_best() {
    // Qwen showed 85.0 on 2024-06-01 and a corrected 79.0 on 2024-09-01; Llama's 80.0 stands.
    // Until the correction Qwen is the open best; after it, Llama is, and the timeline
    // records the change of leader on the correction's date.
    let claims = [
        score(1, "board", "2024-06-01", "GPT-4o", "mmlu", 88.0),
        score(2, "board", "2024-06-01", "Qwen2.5 72B", "mmlu", 85.0),
        score(3, "board", "2024-06-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(4, "board", "2024-09-01", "Qwen2.5 72B", "mmlu", 79.0),
    ];
    let before = run(&claims, &story(&["mmlu"]), "2024-08-01");
    assert_eq!(before.parity[0].challenger.as_ref().unwrap().claim_id, 2);
    let after = run(&claims, &story(&["mmlu"]), "2024-10-01");
    assert_eq!(after.parity[0].challenger.as_ref().unwrap().claim_id, 3);
    let last = after.timeline.last().unwrap();
    assert_eq!(last.date, d("2024-09-01"));
    assert_eq!(
        last.description,
        "Llama 3.1 405B takes the open weights lead on MMLU at 80.0%; the previous best, Qwen2.5 \
         72B at 85.0%, was superseded by a newer result."
    );
}
