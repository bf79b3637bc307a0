//! The worked example at the end of docs/analysis.md, number for number.

mod common;

use common::*;
use gapwatch_analysis::{DateBasis, DateBoundReason, NotComparable, RowNote, TensionKind, Verdict};
use gapwatch_model::{ClaimRecord, Evaluator, Story};

fn example_story() -> Story {
    story_with(
        &["mmlu"],
        r#"{ value = 2.0, unit = "points" }"#,
        r#"
stale_after_days = 180
dormant_after_days = 180

[[forecast]]
id = "mmlu-within-2"
question = "Within 2% on MMLU by 2027-03-31"
benchmarks = ["mmlu"]
combine = "all-of"
readings = [{ value = 2.0, unit = "points" }, { value = 2.0, unit = "relative-percent" }]
deadline = "2027-03-31"
"#,
    )
}

/// The table of the example.
fn example_claims() -> Vec<ClaimRecord> {
    vec![
        score(1, "lab", "2024-07-01", "GPT-4o", "mmlu", 88.7).by(Evaluator::SelfReported),
        score(2, "board", "2024-07-01", "GPT-4o", "mmlu", 88.0).reported("2024-06-01"),
        score(3, "board", "2024-08-01", "Llama 3.1 405B", "mmlu", 85.2).reported("2024-07-23"),
        score(4, "board", "2024-10-01", "Qwen2.5 72B", "mmlu", 86.2),
        score(5, "board", "2025-06-20", "Mystery-1", "mmlu", 90.1).reported("2025-05-01"),
        score(6, "board", "2024-10-01", "Qwen2.5 72B", "mmlu", 86.4).reported("2024-01-05"),
    ]
}

#[test]
fn as_of_2025_06_30() {
    let a = run(&example_claims(), &example_story(), "2025-06-30");
    let r = row(&a, "mmlu");

    // 1. Bases: both sides are independent runs; claim 1 is no alternative.
    assert_eq!(
        (inc(r).basis, chal(r).basis),
        (Evaluator::ThirdParty, Evaluator::ThirdParty)
    );
    assert!(r.alternatives.is_empty());

    // 2. Dates: claim 4 counts from Qwen2.5 72B's release, approximate; claim 6 is corrected
    //    to it and listed; claim 4, the lower id of one snapshot, counts.
    let open = &chal(r).best;
    assert_eq!(open.claim_id, 4);
    assert_eq!(open.value, 86.2);
    assert_eq!(
        (open.date, open.date_basis),
        (d("2024-09-19"), DateBasis::Released)
    );
    let impossible: Vec<_> = a
        .tensions
        .iter()
        .filter(|t| t.kind == TensionKind::ImpossibleDate)
        .collect();
    assert_eq!(impossible.len(), 1);
    assert_eq!(impossible[0].claim_ids(), [6]);
    assert_eq!(impossible[0].items[0].date, d("2024-09-19"));
    let bound = impossible[0].bound.as_ref().unwrap();
    assert_eq!(
        (bound.reported, bound.earliest, bound.reason),
        (
            d("2024-01-05"),
            d("2024-09-19"),
            DateBoundReason::ModelRelease
        )
    );

    // 3. Unknown access: Mystery-1's 90.1 would lead both cohorts, named on the row.
    assert_eq!(r.unknown_access.len(), 1);
    let u = &r.unknown_access[0];
    assert_eq!(
        (u.entry.subject.as_str(), u.entry.value),
        ("Mystery-1", 90.1)
    );
    assert!(u.would_lead_challenger && u.would_lead_incumbent);

    // 4. Sides: GPT-4o 88.0 (claim 2, 2024-06-01) and Qwen2.5 72B 86.2 (~2024-09-19), 110 days
    //    apart: neither stale. The newest result is 284 days old: dormant.
    let closed = &inc(r).best;
    assert_eq!(
        (closed.claim_id, closed.value, closed.date),
        (2, 88.0, d("2024-06-01"))
    );
    assert_eq!(closed.date_basis, DateBasis::Reported);
    assert_eq!(
        (inc(r).newest, chal(r).newest),
        (d("2024-06-01"), d("2024-09-19"))
    );
    assert_eq!(
        d("2024-09-19").days_since_epoch() - d("2024-06-01").days_since_epoch(),
        110
    );
    assert!(!inc(r).stale && !chal(r).stale);
    assert_eq!(
        d("2025-06-30").days_since_epoch() - d("2024-09-19").days_since_epoch(),
        284
    );
    assert!(!r.comparable);
    assert!(r.notes.contains(&RowNote::Dormant {
        since: d("2024-09-19")
    }));
    let dormant = NotComparable::Dormant {
        since: d("2024-09-19"),
    };
    assert_eq!(r.not_comparable(), Some(dormant.clone()));
    assert_eq!(a.summary.not_comparable, [(r.key.clone(), dormant.clone())]);
    assert!(a.summary.comparable.is_empty());
    assert_eq!(
        (r.parity, r.challenger_leads, r.lag.as_ref()),
        (None, false, None)
    );
    // The forecast's verdicts are mechanical now, and say what they rest on.
    for reading in &a.forecasts[0].readings {
        assert_eq!(reading.per_benchmark[0].caveat, Some(dormant.clone()));
    }

    // 7. Tensions: claims 1 and 2 are 0.7 apart, within tolerance: only claim 6's date.
    assert_eq!(a.tensions.len(), 1);
}

#[test]
fn as_of_2024_12_31() {
    let a = run(&example_claims(), &example_story(), "2024-12-31");
    let r = row(&a, "mmlu");

    // 5. Comparable: the newest result is 103 days old.
    assert_eq!(
        d("2024-12-31").days_since_epoch() - d("2024-09-19").days_since_epoch(),
        103
    );
    assert!(r.comparable);
    assert!(r.unknown_access.is_empty(), "Mystery-1 is not observed yet");
    let g = r.gap.unwrap();
    assert!(close(g.points, 1.8));
    assert_eq!(format!("{:.2}", g.relative_percent), "2.05");
    assert_eq!(r.parity, Some(true));
    assert!(!r.challenger_leads);
    // Lag at the open level 86.2: 2024-06-01 to 2024-09-19, 3.6 months, approximate.
    let lag = r.lag.as_ref().unwrap();
    assert_eq!(lag.level, 86.2);
    assert_eq!(
        (lag.incumbent_date, lag.challenger_date),
        (d("2024-06-01"), d("2024-09-19"))
    );
    assert!(close(lag.months, months(110)));
    assert_eq!(format!("{:.1}", lag.months), "3.6");
    assert!(lag.approximate);
    assert_eq!(lag.claim_ids, [2, 4]);
    // No mean lag: from 88.0 down to 86.2 is an empty range.
    assert_eq!(r.mean_lag_months, None);

    // 6. Forecast: 2 points, yes on 2024-09-19; 2% relative needs 86.24, open, 0.04 short.
    let f = &a.forecasts[0];
    assert_eq!(
        f.readings[0].verdict,
        Verdict::Yes {
            on: d("2024-09-19")
        }
    );
    assert_eq!(f.readings[0].deciding_claim_ids, [2, 4]);
    assert_eq!(f.readings[1].verdict, Verdict::Open);
    let check = &f.readings[1].per_benchmark[0];
    assert!(close(check.needed.unwrap(), 88.0 * 0.98));
    assert_eq!(format!("{:.2}", check.needed.unwrap()), "86.24");
    assert!(close(check.shortfall.unwrap(), 0.04));
    assert_eq!(check.caveat, None);

    // 7. Tensions: claim 1 (88.7) and claim 2 (88.0) are 0.7 apart: none between them.
    //    Claim 6's date is the only tension, and it touches the row (Qwen2.5 72B is the open
    //    side's best).
    assert_eq!(a.tensions.len(), 1);
    let t = &a.tensions[0];
    assert_eq!(t.kind, TensionKind::ImpossibleDate);
    assert_eq!(t.claim_ids(), [6]);
    assert!(t.touches_row);
    assert_eq!(a.coverage.corrected_dates, 1);
}
