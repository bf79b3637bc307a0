//! Evidence bases (docs/analysis.md §3.2): independent runs, labs' own figures, unstated and
//! competitors' figures are never ranked together; a row's sides share a basis where they
//! can, say so where they cannot, and the other bases are kept beside.

mod common;

use common::*;
use gapwatch_analysis::{NotComparable, RowNote, TimelineKind};
use gapwatch_model::{ClaimRecord, Evaluator};

const AS_OF: &str = "2025-02-01";

fn claim(id: i64, model: &str, value: f64, by: Evaluator) -> ClaimRecord {
    score(id, by.as_str(), "2025-01-10", model, "mmlu", value)
        .reported("2025-01-05")
        .by(by)
}

#[test]
fn both_sides_come_from_the_first_basis_on_which_both_cohorts_have_results() {
    // Independent runs: GPT-5 80.0, Llama 78.0. Labs' own figures: 90.0 and 85.0. The lab's
    // 90.0 is higher, but it is never ranked with the independent 80.0.
    let claims = [
        claim(1, "GPT-5", 80.0, Evaluator::ThirdParty),
        claim(2, "GPT-5", 90.0, Evaluator::SelfReported),
        claim(3, "Llama 3.1 405B", 78.0, Evaluator::ThirdParty),
        claim(4, "Llama 3.1 405B", 85.0, Evaluator::SelfReported),
    ];
    let a = run(&claims, &story(&["mmlu"]), AS_OF);
    let r = row(&a, "mmlu");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (1, 3));
    assert_eq!(
        (inc(r).basis, chal(r).basis),
        (Evaluator::ThirdParty, Evaluator::ThirdParty)
    );
    assert!(r.comparable);
    assert!(close(r.gap.unwrap().points, 2.0));
    // The labs' own figures are the alternative: closed 90.0, open 85.0.
    assert_eq!(r.alternatives.len(), 1);
    let alt = &r.alternatives[0];
    assert_eq!(alt.basis, Evaluator::SelfReported);
    assert_eq!(
        (alt.incumbent.best.claim_id, alt.challenger.best.claim_id),
        (2, 4)
    );
    assert!(close(alt.gap.points, 5.0));
    assert!(alt.comparable);
}

#[test]
fn bases_are_preferred_independent_then_own_then_unstated_then_competitor() {
    let chosen = |bases: &[Evaluator]| {
        let mut claims = Vec::new();
        for (i, &b) in bases.iter().enumerate() {
            let i = i as i64 * 2;
            claims.push(claim(i + 1, "GPT-5", 80.0 + i as f64, b));
            claims.push(claim(i + 2, "Llama 3.1 405B", 70.0 + i as f64, b));
        }
        let a = run(&claims, &story(&["mmlu"]), AS_OF);
        let r = row(&a, "mmlu");
        assert!(r.comparable);
        assert_eq!(inc(r).basis, chal(r).basis);
        inc(r).basis
    };
    use Evaluator::*;
    assert_eq!(
        chosen(&[Competitor, Unknown, SelfReported, ThirdParty]),
        ThirdParty
    );
    assert_eq!(chosen(&[Competitor, Unknown, SelfReported]), SelfReported);
    assert_eq!(chosen(&[Competitor, Unknown]), Unknown);
    assert_eq!(chosen(&[Competitor]), Competitor);
}

#[test]
fn the_shared_basis_wins_over_a_better_basis_only_one_cohort_has() {
    // Only the closed side has an independent run; both have labs' own figures: both sides
    // are labs' own figures, and the independent run is no alternative (one cohort only).
    let claims = [
        claim(1, "GPT-5", 80.0, Evaluator::ThirdParty),
        claim(2, "GPT-5", 90.0, Evaluator::SelfReported),
        claim(4, "Llama 3.1 405B", 85.0, Evaluator::SelfReported),
    ];
    let a = run(&claims, &story(&["mmlu"]), AS_OF);
    let r = row(&a, "mmlu");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (2, 4));
    assert_eq!(inc(r).basis, Evaluator::SelfReported);
    assert!(r.comparable);
    assert!(r.alternatives.is_empty());
}

#[test]
fn sides_on_different_bases_give_a_gap_but_no_lead_parity_or_lag() {
    // Closed: only the lab's own figure and a competitor's. Open: only an independent run
    // and an unattributed figure. Each side takes its cohort's first basis, and the row says
    // the bases differ. The open side is higher, and still nothing leads.
    let claims = [
        claim(1, "GPT-5", 77.6, Evaluator::SelfReported),
        claim(2, "GPT-5", 70.0, Evaluator::Competitor),
        claim(3, "DeepSeek-V3", 85.0, Evaluator::ThirdParty),
        claim(4, "DeepSeek-V3", 88.0, Evaluator::Unknown),
    ];
    let a = run(&claims, &story(&["mmlu"]), AS_OF);
    let r = row(&a, "mmlu");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (1, 3));
    assert_eq!(
        (inc(r).basis, chal(r).basis),
        (Evaluator::SelfReported, Evaluator::ThirdParty)
    );
    assert!(close(r.gap.unwrap().points, -7.4));
    assert!(!r.comparable);
    assert_eq!(r.parity, None);
    assert!(!r.challenger_leads);
    assert_eq!(r.lag, None);
    let differ = NotComparable::BasesDiffer {
        incumbent: Evaluator::SelfReported,
        challenger: Evaluator::ThirdParty,
    };
    assert_eq!(r.not_comparable(), Some(differ.clone()));
    assert!(r.notes.contains(&RowNote::BasesDiffer {
        incumbent: Evaluator::SelfReported,
        challenger: Evaluator::ThirdParty,
    }));
    assert!(r.alternatives.is_empty());
    // Not counted in the summary, and no lead in the timeline.
    assert!(a.summary.comparable.is_empty());
    assert_eq!(a.summary.not_comparable, [(r.key.clone(), differ)]);
    assert_eq!(a.median_lag, None);
    assert!(a.timeline.iter().all(|e| !matches!(
        e.kind,
        TimelineKind::ChallengerLeads | TimelineKind::ParityReached
    )));

    // Trailing on different bases gives no lag either.
    let claims = [
        claim(1, "GPT-5", 90.0, Evaluator::SelfReported),
        claim(3, "DeepSeek-V3", 85.0, Evaluator::ThirdParty),
    ];
    let a = run(&claims, &story(&["mmlu"]), AS_OF);
    let r = row(&a, "mmlu");
    assert!(close(r.gap.unwrap().points, 5.0));
    assert!(!r.comparable);
    assert_eq!(r.lag, None);
}

#[test]
fn an_alternative_keeps_its_own_staleness() {
    // Independent runs are fresh on both sides. On labs' own figures the open side has not
    // been measured for a year: that alternative is stale on the open side.
    let claims = [
        score(1, "board", "2025-06-01", "GPT-5", "mmlu", 80.0).reported("2025-06-01"),
        score(2, "board", "2025-06-01", "Llama 3.1 405B", "mmlu", 78.0).reported("2025-05-01"),
        score(3, "lab", "2025-06-01", "GPT-5", "mmlu", 90.0)
            .reported("2025-06-01")
            .by(Evaluator::SelfReported),
        score(4, "lab2", "2024-06-01", "Llama 3.1 405B", "mmlu", 85.0)
            .reported("2024-06-01")
            .by(Evaluator::SelfReported),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2025-07-01");
    let r = row(&a, "mmlu");
    assert!(r.comparable);
    let alt = &r.alternatives[0];
    assert!(alt.challenger.stale && !alt.incumbent.stale);
    assert_eq!(alt.challenger.newest, d("2024-06-01"));
    assert!(!alt.comparable);
    assert_eq!(alt.dormant, None);
    // The headline sides are not touched by it.
    assert!(!inc(r).stale && !chal(r).stale);
    assert_eq!(r.not_comparable(), None);
}

#[test]
fn a_fresh_shared_basis_wins_over_one_with_a_stale_side() {
    // The board's own runs of open models stop in 2024 while it keeps listing labs' own
    // figures: the independent pair has a stale open side, so the row compares labs' own
    // figures, and the independent pair is the alternative, its open side stale.
    let claims = [
        score(1, "board", "2025-06-01", "GPT-5", "mmlu", 80.0).reported("2025-05-01"),
        score(2, "board", "2025-06-01", "Llama 3.1 405B", "mmlu", 70.0).reported("2024-08-01"),
        score(3, "board", "2025-06-01", "GPT-5", "mmlu", 85.0)
            .reported("2025-05-01")
            .by(Evaluator::SelfReported),
        score(4, "board", "2025-06-01", "GLM-4.5", "mmlu", 84.0)
            .reported("2025-05-20")
            .by(Evaluator::SelfReported),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2025-06-30");
    let r = row(&a, "mmlu");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (3, 4));
    assert_eq!(inc(r).basis, Evaluator::SelfReported);
    assert!(r.comparable);
    assert_eq!(r.alternatives.len(), 1);
    let alt = &r.alternatives[0];
    assert_eq!(alt.basis, Evaluator::ThirdParty);
    assert!(alt.challenger.stale && !alt.comparable);
}
