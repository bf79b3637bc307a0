//! The date a result counts from (docs/analysis.md §3.4): the source's date when it is
//! possible, the release or the observation as stand-ins, and dates that cannot be true
//! corrected, listed, and kept from moving a lag or the timeline.

mod common;

use common::*;
use gapwatch_analysis::{Analysis, DateBasis, DateBoundReason, Entry, TensionKind, TimelineKind};
use gapwatch_model::ClaimRecord;

/// The only entry of a benchmark's headline row, whichever side it is on.
fn only_entry<'a>(a: &'a Analysis, benchmark: &str) -> &'a Entry {
    let r = row(a, benchmark);
    &r.incumbent
        .as_ref()
        .or(r.challenger.as_ref())
        .unwrap_or_else(|| panic!("no side on {benchmark}"))
        .best
}

fn dated(claim: ClaimRecord, benchmark: &str, as_of: &str) -> (String, DateBasis) {
    let a = run(&[claim], &story(&[benchmark]), as_of);
    let e = only_entry(&a, benchmark);
    (e.date.to_string(), e.date_basis)
}

#[test]
fn a_date_the_source_gives_counts_when_it_is_possible() {
    // GPT-4o was released on 2024-05-13; a result dated 2024-06-01 is possible.
    let c = score(1, "board", "2024-07-01", "GPT-4o", "mmlu", 88.0).reported("2024-06-01");
    assert_eq!(
        dated(c, "mmlu", "2024-08-01"),
        ("2024-06-01".to_owned(), DateBasis::Reported)
    );
}

#[test]
fn without_a_date_the_model_release_stands_in() {
    // Qwen2.5 72B was released on 2024-09-19; a board lists it, undated, in January.
    let c = score(1, "board", "2025-01-01", "Qwen2.5 72B", "mmlu", 86.0);
    assert_eq!(
        dated(c, "mmlu", "2025-02-01"),
        ("2024-09-19".to_owned(), DateBasis::Released)
    );
}

#[test]
fn the_release_stand_in_is_no_earlier_than_the_benchmark_and_no_later_than_the_observation() {
    // GPT-4o (2024-05-13) on SWE-bench Verified (introduced 2024-08-13): the later of the two.
    let c = score(1, "swe", "2024-10-01", "GPT-4o", "swe-bench-verified", 33.0);
    assert_eq!(
        dated(c, "swe-bench-verified", "2024-11-01"),
        ("2024-08-13".to_owned(), DateBasis::Released)
    );
    // Qwen2.5 72B seen on 2024-09-01, before its listed release: the observation stands in.
    let c = score(1, "board", "2024-09-01", "Qwen2.5 72B", "mmlu", 86.0);
    assert_eq!(
        dated(c, "mmlu", "2024-10-01"),
        ("2024-09-01".to_owned(), DateBasis::Observed)
    );
}

#[test]
fn without_a_date_or_a_release_the_first_observation_stands_in() {
    let c = score(1, "board", "2024-06-01", "Llama 3.1 405B", "mmlu", 86.0);
    assert_eq!(
        dated(c, "mmlu", "2024-07-01"),
        ("2024-06-01".to_owned(), DateBasis::Observed)
    );
}

#[test]
fn a_result_dated_before_its_model_was_released_is_corrected_and_listed() {
    // LLM Stats dates o1's results 2024-03-13; o1 was released on 2024-12-17.
    let claims = [
        score(1, "llmstats", "2025-01-10", "o1", "mmlu", 92.0).reported("2024-03-13"),
        score(2, "llmstats", "2025-01-10", "Llama 3.1 405B", "mmlu", 88.0).reported("2025-01-02"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2025-02-01");
    let best = &inc(row(&a, "mmlu")).best;
    assert_eq!(
        (best.date, best.date_basis),
        (d("2024-12-17"), DateBasis::Corrected)
    );
    assert_eq!(a.coverage.corrected_dates, 1);
    assert_eq!(a.tensions.len(), 1);
    let t = &a.tensions[0];
    assert_eq!(t.kind, TensionKind::ImpossibleDate);
    assert_eq!(t.subject, "o1");
    assert_eq!(t.claim_ids(), [1]);
    let bound = t.bound.as_ref().unwrap();
    assert_eq!(bound.reported, d("2024-03-13"));
    assert_eq!(bound.earliest, d("2024-12-17"));
    assert_eq!(bound.reason, DateBoundReason::ModelRelease);
    // o1 is the closed side's best: the tension touches the row.
    assert!(t.touches_row);
}

#[test]
fn a_result_dated_before_the_benchmark_existed_is_corrected_and_listed() {
    // SWE-bench Verified was introduced on 2024-08-13.
    let claims = [
        score(
            1,
            "swe",
            "2024-10-01",
            "Llama 3.1 405B",
            "swe-bench-verified",
            40.0,
        )
        .reported("2024-05-01"),
        // GPT-4o's release (2024-05-13) is before 2024-06-01, the benchmark is not.
        score(2, "swe", "2024-10-01", "GPT-4o", "swe-bench-verified", 33.0).reported("2024-06-01"),
    ];
    let a = run(&claims, &story(&["swe-bench-verified"]), "2024-11-01");
    let r = row(&a, "swe-bench-verified");
    for side in [inc(r), chal(r)] {
        assert_eq!(side.best.date, d("2024-08-13"));
        assert_eq!(side.best.date_basis, DateBasis::Corrected);
    }
    assert_eq!(a.tensions.len(), 2);
    for t in &a.tensions {
        assert_eq!(t.kind, TensionKind::ImpossibleDate);
        let bound = t.bound.as_ref().unwrap();
        assert_eq!(bound.earliest, d("2024-08-13"));
        assert_eq!(bound.reason, DateBoundReason::BenchmarkIntroduced);
    }
}

#[test]
fn a_system_cannot_predate_its_newest_model() {
    // Llama 3.1 405B has no release date; Qwen2.5 72B's (2024-09-19) bounds the system.
    let c = score(1, "board", "2024-10-01", "x", "mmlu", 80.0)
        .system("Moatless", &["Llama 3.1 405B", "Qwen2.5 72B"])
        .reported("2024-08-01");
    let a = run(&[c], &story(&["mmlu"]), "2024-11-01");
    let best = &chal(row(&a, "mmlu")).best;
    assert_eq!(
        (best.date, best.date_basis),
        (d("2024-09-19"), DateBasis::Corrected)
    );
    assert_eq!(
        a.tensions[0].bound.as_ref().unwrap().reason,
        DateBoundReason::ModelRelease
    );
}

#[test]
fn a_date_after_the_observation_is_not_believed() {
    // A result dated a month after the snapshot that shows it: the observation stands in.
    // (It is not listed as an impossible date: those are dates before a release or an
    // introduction.)
    let c = score(1, "board", "2024-08-01", "Llama 3.1 405B", "mmlu", 80.0).reported("2024-09-01");
    let a = run(&[c], &story(&["mmlu"]), "2024-10-01");
    let best = &chal(row(&a, "mmlu")).best;
    assert_eq!(
        (best.date, best.date_basis),
        (d("2024-08-01"), DateBasis::Corrected)
    );
    assert!(a.tensions.is_empty());
}

#[test]
fn a_corrected_date_cannot_move_a_lag_or_the_timeline() {
    // Closed: GPT-4o 85.0 (2024-06-01); o1 92.0, dated 2024-03-13, released 2024-12-17.
    // Open: Llama 88.0 on 2025-01-20. Taken at its word, o1 would have reached 88.0 ten
    // months before Llama; corrected, it reached it 34 days before.
    let claims = [
        score(1, "board", "2024-07-01", "GPT-4o", "mmlu", 85.0).reported("2024-06-01"),
        score(2, "llmstats", "2025-01-10", "o1", "mmlu", 92.0).reported("2024-03-13"),
        score(3, "board", "2025-02-01", "Llama 3.1 405B", "mmlu", 88.0).reported("2025-01-20"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2025-03-01");
    let r = row(&a, "mmlu");
    assert!(r.comparable);
    let lag = r.lag.as_ref().unwrap();
    assert_eq!(lag.incumbent_date, d("2024-12-17"));
    assert_eq!(lag.challenger_date, d("2025-01-20"));
    assert!(close(lag.months, months(34)), "{}", lag.months);
    assert!(lag.approximate, "it rests on a corrected date");
    assert_eq!(lag.claim_ids, [2, 3]);

    let events: Vec<(String, TimelineKind)> = a
        .timeline
        .iter()
        .map(|e| (e.date.to_string(), e.kind))
        .collect();
    let expected = [
        ("2024-06-01", TimelineKind::FirstData),
        ("2024-12-17", TimelineKind::LeaderChange),
        ("2025-01-20", TimelineKind::FirstCohortResult),
    ];
    let expected: Vec<(String, TimelineKind)> = expected
        .iter()
        .map(|(d, k)| ((*d).to_owned(), *k))
        .collect();
    assert_eq!(events, expected);
    assert!(a.timeline.iter().all(|e| e.date != d("2024-03-13")));
    // The record GPT-4o set in June is matched 233 days later; o1's is not matched yet.
    let crossings: Vec<(f64, String, bool)> = r
        .crossings
        .iter()
        .map(|c| (c.level, c.incumbent_date.to_string(), c.lower_bound))
        .collect();
    assert_eq!(
        crossings,
        [
            (85.0, "2024-06-01".to_owned(), false),
            (92.0, "2024-12-17".to_owned(), true),
        ]
    );
    assert!(close(r.crossings[0].months, months(233)));
    assert!(close(r.crossings[1].months, months(34)));
}
