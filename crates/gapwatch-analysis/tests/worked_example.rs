//! The worked example of docs/analysis.md, number for number.

mod common;

use common::*;
use gapwatch_analysis::{TimelineKind, Verdict};
use gapwatch_model::{ClaimRecord, Evaluator, Story};

fn example_story() -> Story {
    story_with(
        &["mmlu"],
        r#"{ value = 2.0, unit = "points" }"#,
        r#"
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

fn example_claims() -> Vec<ClaimRecord> {
    vec![
        score(1, "lab", "2025-01-10", "GPT-4o", "mmlu", 88.7).by(Evaluator::SelfReported),
        score(2, "board", "2025-01-10", "GPT-4o", "mmlu", 88.0),
        score(3, "board", "2025-02-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(4, "board", "2025-06-20", "Qwen2.5 72B", "mmlu", 86.2).reported("2025-06-01"),
        score(5, "board", "2025-06-20", "Llama-4-Behemoth", "mmlu", 95.0),
    ]
}

#[test]
fn the_documented_example_holds() {
    let a = run(&example_claims(), &example_story(), "2025-12-31");

    // 1. The unresolved name is left out and counted.
    assert_eq!(a.coverage.unresolved.get("Llama-4-Behemoth"), Some(&1));

    // 2. The third-party 88.0 counts over the self-reported 88.7; 0.7 apart: no tension.
    let r = &a.parity[0];
    assert_eq!(r.incumbent.as_ref().unwrap().claim_id, 2);
    assert!(a.tensions.is_empty());

    // 3. Gap 1.8 points, 2.05% relative, parity within 2 points.
    let chal = r.challenger.as_ref().unwrap();
    assert_eq!((chal.claim_id, chal.date), (4, d("2025-06-01")));
    let g = r.gap.unwrap();
    assert!(close(g.points, 1.8));
    assert!((g.relative_percent - 2.045).abs() < 1e-3);
    assert_eq!(r.parity, Some(true));

    // 4. Lag: at least 355 days = 11.7 months.
    let lag = r.lag.as_ref().unwrap();
    assert!(lag.lower_bound);
    assert!(close(lag.months, 355.0 / 30.436875));
    assert_eq!(format!("{:.1}", lag.months), "11.7");

    // 5. Points: yes on 2025-06-01 by claims 2 and 4; relative: open, 0.04 points short.
    let f = &a.forecasts[0];
    assert_eq!(
        f.readings[0].verdict,
        Verdict::Yes {
            on: d("2025-06-01")
        }
    );
    assert_eq!(f.readings[0].deciding_claim_ids, [2, 4]);
    assert_eq!(f.readings[1].verdict, Verdict::Open);
    assert_eq!(
        f.readings[1].would_flip,
        [
            "MMLU: the best open weights score, 86.2%, needs to reach 86.24% to be within 2% \
          relative of GPT-4o's 88.0%: 0.04 points short."
        ]
    );
    let later = run(&example_claims(), &example_story(), "2027-04-30");
    assert_eq!(later.forecasts[0].readings[1].verdict, Verdict::No);

    // 6. Timeline.
    let events: Vec<(String, TimelineKind)> = a
        .timeline
        .iter()
        .map(|e| (e.date.to_string(), e.kind))
        .collect();
    assert_eq!(
        events,
        [
            ("2025-01-10".to_owned(), TimelineKind::FirstData),
            ("2025-02-01".to_owned(), TimelineKind::LeaderChange),
            ("2025-06-01".to_owned(), TimelineKind::LeaderChange),
            ("2025-06-01".to_owned(), TimelineKind::ParityReached),
        ]
    );
    assert_eq!(
        a.timeline[3].description,
        "Qwen2.5 72B (open weights) at 86.2% comes within 2 points of GPT-4o (closed) at 88.0% \
         on MMLU, 1.8 points (2.05% relative) behind."
    );
}
