//! Which claim counts for a result (docs/analysis.md §3.3): within a source, the latest
//! snapshot, the lowest id, a first appearance kept through repeats; across sources, a date
//! the source gives, then the later date, the later observation, the lower id.

mod common;

use common::*;
use gapwatch_analysis::{DateBasis, TensionKind, TimelineKind};
use gapwatch_model::ClaimRecord;

/// Runs the claims in their order and reversed, checks both agree, and returns the MMLU
/// challenger's best as (claim id, value).
fn open_best(claims: &[ClaimRecord], as_of: &str) -> (i64, f64) {
    let forward = run(claims, &story(&["mmlu"]), as_of);
    let mut reversed = claims.to_vec();
    reversed.reverse();
    assert_eq!(forward, run(&reversed, &story(&["mmlu"]), as_of));
    let best = &chal(row(&forward, "mmlu")).best;
    (best.claim_id, best.value)
}

#[test]
fn a_newer_snapshot_of_a_source_supersedes_the_older_even_when_lower() {
    // The board showed Llama at 80.0 on 2024-06-01 and at 78.0 on 2024-09-01 (a re-run).
    let claims = [
        score(1, "board", "2024-06-01", "GPT-5", "mmlu", 88.0),
        score(2, "board", "2024-06-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(3, "board", "2024-09-01", "Llama 3.1 405B", "mmlu", 78.0),
    ];
    assert_eq!(open_best(&claims, "2024-10-01"), (3, 78.0));
    // As of 2024-07-01 only the first snapshot had been seen.
    assert_eq!(open_best(&claims, "2024-07-01"), (2, 80.0));
}

#[test]
fn within_one_snapshot_the_lowest_claim_id_counts() {
    // Two rows for the same result in one snapshot: claim 5 counts over claim 8, whichever
    // value is higher and whichever comes first.
    let base = [score(1, "board", "2024-06-01", "GPT-5", "mmlu", 90.0)];
    for (low, high) in [(80.0, 82.0), (82.0, 80.0), (80.0, 80.0)] {
        let mut claims = base.to_vec();
        claims.push(score(
            8,
            "board",
            "2024-06-01",
            "Llama 3.1 405B",
            "mmlu",
            high,
        ));
        claims.push(score(
            5,
            "board",
            "2024-06-01",
            "Llama 3.1 405B",
            "mmlu",
            low,
        ));
        assert_eq!(open_best(&claims, "2024-07-01"), (5, low), "{low} / {high}");
    }
}

#[test]
fn a_result_that_dropped_off_a_newer_snapshot_keeps_its_last_value() {
    // The 2024-09-01 snapshot no longer lists DeepSeek (83.0 on 2024-06-01). Dropping off a
    // board is not a deletion: DeepSeek's 83.0 still beats Llama's newer 82.0.
    let claims = [
        score(1, "board", "2024-06-01", "GPT-5", "mmlu", 88.0),
        score(2, "board", "2024-06-01", "DeepSeek-V3", "mmlu", 83.0),
        score(3, "board", "2024-06-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(4, "board", "2024-09-01", "Llama 3.1 405B", "mmlu", 82.0),
        score(5, "board", "2024-09-01", "GPT-5", "mmlu", 88.0),
    ];
    assert_eq!(open_best(&claims, "2024-10-01"), (2, 83.0));
}

#[test]
fn a_later_snapshot_repeating_the_same_value_keeps_the_first_date() {
    // Llama's 80.0 is listed on 2024-06-01 and again on 2024-09-01, without a date of its
    // own: the result dates from its first appearance, and the re-listing is no event.
    let mut claims = vec![
        score(1, "board", "2024-06-01", "GPT-5", "mmlu", 88.0),
        score(2, "board", "2024-06-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(3, "board", "2024-09-01", "GPT-5", "mmlu", 88.0),
        score(4, "board", "2024-09-01", "Llama 3.1 405B", "mmlu", 80.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-10-01");
    let r = row(&a, "mmlu");
    let best = &chal(r).best;
    assert_eq!((best.claim_id, best.date), (2, d("2024-06-01")));
    assert_eq!(best.observed_on, d("2024-06-01"));
    assert_eq!(best.date_basis, DateBasis::Observed);
    assert_eq!(inc(r).best.claim_id, 1);
    assert_eq!(
        (inc(r).newest, chal(r).newest),
        (d("2024-06-01"), d("2024-06-01"))
    );
    assert!(a.timeline.iter().all(|e| e.date == d("2024-06-01")));

    // A new value on 2024-12-01 is a new result date. GPT-5's re-listing did not refresh
    // the closed side: its newest result is still 2024-06-01, 183 days older, so it is stale.
    claims.push(score(
        5,
        "board",
        "2024-12-01",
        "Llama 3.1 405B",
        "mmlu",
        87.0,
    ));
    let a = run(&claims, &story(&["mmlu"]), "2024-12-31");
    let r = row(&a, "mmlu");
    let best = &chal(r).best;
    assert_eq!((best.claim_id, best.date), (5, d("2024-12-01")));
    assert!(inc(r).stale);
    let last = a.timeline.last().unwrap();
    assert_eq!(
        (last.date, last.kind),
        (d("2024-12-01"), TimelineKind::ParityReached)
    );
}

#[test]
fn a_value_shown_again_after_a_change_supersedes_the_change_in_any_order() {
    // One source, one result date, three snapshots: 50.0, then 60.0, then 50.0 again. The
    // latest snapshot counts; the claims' order in the input must not matter.
    let a = score(1, "board", "2024-02-01", "Llama 3.1 405B", "mmlu", 50.0).reported("2024-01-15");
    let b = score(2, "board", "2024-03-01", "Llama 3.1 405B", "mmlu", 60.0).reported("2024-01-15");
    let c = score(3, "board", "2024-04-01", "Llama 3.1 405B", "mmlu", 50.0).reported("2024-01-15");
    for order in [[&a, &b, &c], [&a, &c, &b], [&c, &b, &a], [&b, &a, &c]] {
        let claims: Vec<ClaimRecord> = order.iter().map(|x| (*x).clone()).collect();
        let r = run(&claims, &story(&["mmlu"]), "2024-05-01");
        assert_eq!(chal(row(&r, "mmlu")).best.claim_id, 3);
    }
}

#[test]
fn across_sources_a_date_the_source_gives_counts_over_a_stand_in() {
    // Source a dates GPT-5's 80.0 to 2024-05-01; source b lists 85.0 without a date, first
    // seen on 2024-08-01. b's date is later, but it is a stand-in: a's result counts, and
    // b's claim feeds the tensions.
    let claims = [
        score(1, "a", "2024-06-01", "GPT-5", "mmlu", 80.0).reported("2024-05-01"),
        score(2, "b", "2024-08-01", "GPT-5", "mmlu", 85.0),
        score(3, "a", "2024-06-01", "Llama 3.1 405B", "mmlu", 79.0).reported("2024-05-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-09-01");
    let best = &inc(row(&a, "mmlu")).best;
    assert_eq!((best.claim_id, best.date_basis), (1, DateBasis::Reported));
    assert_eq!(a.tensions.len(), 1);
    assert_eq!(a.tensions[0].kind, TensionKind::SourcesDisagree);
    assert_eq!(a.tensions[0].claim_ids(), [1, 2]);
}

#[test]
fn across_sources_the_later_date_then_the_later_observation_then_the_lower_id() {
    let incumbent_id = |claims: &[ClaimRecord]| {
        inc(row(&run(claims, &story(&["mmlu"]), "2024-09-01"), "mmlu"))
            .best
            .claim_id
    };
    // The later result date: a's 2024-06-01 over b's 2024-05-01, though b was seen later.
    let claims = [
        score(1, "a", "2024-06-01", "GPT-5", "mmlu", 84.2).reported("2024-06-01"),
        score(2, "b", "2024-08-01", "GPT-5", "mmlu", 88.1).reported("2024-05-01"),
    ];
    assert_eq!(incumbent_id(&claims), 1);
    // The same result date: the later observation, b.
    let claims = [
        score(1, "a", "2024-06-01", "GPT-5", "mmlu", 84.2).reported("2024-05-01"),
        score(2, "b", "2024-08-01", "GPT-5", "mmlu", 88.1).reported("2024-05-01"),
    ];
    assert_eq!(incumbent_id(&claims), 2);
    // The same date and observation: the lower claim id.
    let claims = [
        score(7, "a", "2024-06-01", "GPT-5", "mmlu", 84.2),
        score(4, "b", "2024-06-01", "GPT-5", "mmlu", 88.1),
    ];
    assert_eq!(incumbent_id(&claims), 4);
}
