//! Freshness (docs/analysis.md §4.2): a side whose sources stopped covering new models is
//! stale, a row neither side has measured lately is dormant, and neither gives a lead,
//! parity or a lag.

mod common;

use common::*;
use gapwatch_analysis::{Cohort, NotComparable, RowNote};
use gapwatch_model::ClaimRecord;

fn dated(id: i64, model: &str, value: f64, date: &str) -> ClaimRecord {
    score(id, "board", date, model, "mmlu", value).reported(date)
}

#[test]
fn a_side_not_measured_while_the_other_keeps_moving_is_stale_and_yields_no_lead() {
    // As on MMLU-Pro: no closed result since 2024-10-01, open results until 2025-06-01
    // (243 days later, beyond 180). The open side is 8 points higher, and that is no lead.
    let claims = [
        dated(1, "GPT-5", 72.0, "2024-10-01"),
        dated(2, "Llama 3.1 405B", 70.0, "2025-01-15"),
        dated(3, "DeepSeek-V3", 80.0, "2025-06-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2025-06-30");
    let r = row(&a, "mmlu");
    assert!(inc(r).stale && !chal(r).stale);
    assert_eq!(
        (inc(r).newest, chal(r).newest),
        (d("2024-10-01"), d("2025-06-01"))
    );
    assert!(close(r.gap.unwrap().points, -8.0));
    assert!(!r.comparable);
    assert!(!r.challenger_leads);
    assert_eq!(r.parity, None);
    assert_eq!(r.lag, None);
    let stale = NotComparable::Stale {
        cohort: Cohort::Incumbent,
        since: d("2024-10-01"),
    };
    assert_eq!(r.not_comparable(), Some(stale.clone()));
    assert!(r.notes.contains(&RowNote::Stale {
        cohort: Cohort::Incumbent,
        since: d("2024-10-01"),
    }));
    assert_eq!(a.summary.not_comparable, [(r.key.clone(), stale)]);
    assert!(a.summary.challenger_leads.is_empty());
}

#[test]
fn a_stale_challenger_gives_no_lag() {
    // The open side stopped on 2024-10-01 at 80.0; the closed side moved on to 2025-06-01.
    let claims = [
        dated(1, "GPT-5", 85.0, "2024-06-01"),
        dated(2, "Llama 3.1 405B", 80.0, "2024-10-01"),
        dated(3, "Claude 3.5 Sonnet", 90.0, "2025-06-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2025-06-30");
    let r = row(&a, "mmlu");
    assert!(chal(r).stale && !inc(r).stale);
    assert_eq!(r.parity, None);
    assert_eq!(r.lag, None);
    assert_eq!(a.median_lag, None);
    // A crossing's lower bound runs to the challenger's newest result, not to today.
    let open = r.crossings.iter().find(|c| c.lower_bound).unwrap();
    assert_eq!(open.level, 85.0);
    assert!(close(open.months, months(122)), "{}", open.months);
}

#[test]
fn the_window_is_the_story_setting_and_its_edge_is_still_fresh() {
    let s = story_with(
        &["mmlu"],
        r#"{ value = 2.0, unit = "points" }"#,
        "stale_after_days = 90",
    );
    // 2025-03-01 to 2025-05-30 is 90 days: fresh. To 2025-05-31, 91 days: stale.
    for (open_date, stale) in [("2025-05-30", false), ("2025-05-31", true)] {
        let claims = [
            dated(1, "GPT-5", 80.0, "2025-03-01"),
            dated(2, "Llama 3.1 405B", 79.0, open_date),
        ];
        let a = run(&claims, &s, "2025-06-01");
        let r = row(&a, "mmlu");
        assert_eq!(inc(r).stale, stale, "{open_date}");
        assert_eq!(r.comparable, !stale, "{open_date}");
    }
}

#[test]
fn a_side_is_as_fresh_as_its_newest_result_of_any_subject() {
    // GPT-5's 90.0 is a year old, but Claude's 80.0 from May keeps the closed side fresh.
    let claims = [
        dated(1, "GPT-5", 90.0, "2024-06-01"),
        dated(2, "Claude 3.5 Sonnet", 80.0, "2025-05-01"),
        dated(3, "DeepSeek-V3", 85.0, "2025-06-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2025-06-30");
    let r = row(&a, "mmlu");
    assert_eq!(inc(r).best.claim_id, 1);
    assert_eq!(inc(r).newest, d("2025-05-01"));
    assert!(!inc(r).stale);
    assert!(r.comparable);
}

#[test]
fn a_newly_listed_old_model_does_not_make_a_side_fresh() {
    // A board lists GPT-4o (released 2024-05-13) for the first time in June 2025, without a
    // date: it counts from its release, and the closed side is still stale.
    let claims = [
        score(1, "board", "2025-06-01", "GPT-4o", "mmlu", 88.0),
        dated(2, "DeepSeek-V3", 85.0, "2025-05-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2025-06-30");
    let r = row(&a, "mmlu");
    assert_eq!(inc(r).newest, d("2024-05-13"));
    assert!(inc(r).stale);
    assert!(!r.comparable);
}

#[test]
fn a_row_neither_side_has_measured_within_the_window_is_dormant() {
    // As on HumanEval once EvalPlus stopped: the newest result on either side is
    // 2024-11-15, 392 days before 2025-12-11, beyond the default 365-day window.
    let claims = [
        dated(1, "GPT-5", 90.0, "2024-10-01"),
        dated(2, "Llama 3.1 405B", 89.0, "2024-11-15"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2025-12-11");
    let r = row(&a, "mmlu");
    assert!(!inc(r).stale && !chal(r).stale);
    assert!(!r.comparable);
    assert_eq!(r.parity, None);
    assert_eq!(r.lag, None);
    assert!(close(r.gap.unwrap().points, 1.0));
    let dormant = NotComparable::Dormant {
        since: d("2024-11-15"),
    };
    assert_eq!(r.not_comparable(), Some(dormant.clone()));
    assert!(r.notes.contains(&RowNote::Dormant {
        since: d("2024-11-15")
    }));
    assert_eq!(a.summary.not_comparable, [(r.key.clone(), dormant)]);
    // The crossing's lower bound does not grow while nothing new comes in.
    let later = run(&claims, &story(&["mmlu"]), "2026-06-30");
    assert_eq!(row(&later, "mmlu").crossings, r.crossings);

    // On 2025-11-14 the newest result was 364 days old: the row could still be compared.
    let a = run(&claims, &story(&["mmlu"]), "2025-11-14");
    let r = row(&a, "mmlu");
    assert!(r.comparable);
    assert_eq!(r.parity, Some(true));
    let lag = r.lag.as_ref().unwrap();
    assert!(close(lag.months, months(45)), "{}", lag.months);
}

#[test]
fn when_every_basis_is_dormant_the_most_recently_measured_one_is_shown() {
    // As on MMLU-Pro in 2026: independent runs stop in June 2024, labs' figures for rivals in
    // May 2025; both are over a year old. The row shows the May 2025 comparison, dormant
    // since then, rather than the older one that merely ranks first.
    use gapwatch_model::Evaluator;
    let claims = [
        dated(1, "GPT-5", 76.0, "2024-06-01"),
        dated(2, "Llama 3.1 405B", 56.0, "2024-05-20"),
        dated(3, "GPT-5", 86.6, "2025-05-14").by(Evaluator::Competitor),
        dated(4, "DeepSeek-V3", 85.0, "2025-05-28").by(Evaluator::Competitor),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2026-07-03");
    let r = row(&a, "mmlu");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (3, 4));
    assert_eq!(
        r.not_comparable(),
        Some(NotComparable::Dormant {
            since: d("2025-05-28")
        })
    );
    // The independent comparison is kept beside it.
    assert_eq!(r.alternatives.len(), 1);
    assert_eq!(r.alternatives[0].incumbent.best.claim_id, 1);
    // Labs' figures only two months younger than the independent runs: the independent runs,
    // which rank first, are shown.
    let close_by = [
        claims[0].clone(),
        claims[1].clone(),
        dated(3, "GPT-5", 86.6, "2024-08-01").by(Evaluator::Competitor),
        dated(4, "DeepSeek-V3", 85.0, "2024-07-20").by(Evaluator::Competitor),
    ];
    let a = run(&close_by, &story(&["mmlu"]), "2026-07-03");
    let r = row(&a, "mmlu");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (1, 2));
    // While the labs' figures are fresh, independent runs that are dormant do not win either.
    let a = run(&claims, &story(&["mmlu"]), "2025-09-01");
    let r = row(&a, "mmlu");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (3, 4));
    assert!(r.comparable);
}
