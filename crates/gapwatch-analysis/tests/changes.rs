//! Changes between versions (docs/analysis.md §9), and which of them are news by themselves
//! (`Change::is_material`).

mod common;

use common::*;
use gapwatch_analysis::{Analysis, Change, Cohort, Flip, NotComparable, RowRole, Verdict, changes};
use gapwatch_model::{ClaimRecord, Evaluator, Materiality, Story};

fn dated(
    id: i64,
    source: &str,
    model: &str,
    benchmark: &str,
    value: f64,
    date: &str,
) -> ClaimRecord {
    score(id, source, date, model, benchmark, value).reported(date)
}

const LEAD_FORECAST: &str = r#"
[[forecast]]
id = "open-leads-mmlu"
question = "An open-weights model leads MMLU by mid-2025"
benchmarks = ["mmlu"]
combine = "all-of"
readings = [{ value = 0.0, unit = "points" }]
deadline = "2025-06-30"
"#;

fn the_story() -> Story {
    story_with(
        &["mmlu", "humaneval", "gpqa-diamond"],
        r#"{ value = 2.0, unit = "points" }"#,
        LEAD_FORECAST,
    )
}

/// MMLU: GPT-5 86.0 (2024-01-15), Llama 82.0 (2024-03-01), Claude 88.0 (2024-06-20),
/// DeepSeek 86.5 (2024-09-01), GLM 88.3 (2024-12-20), Gemini 91.0 (2025-02-01), and o1's
/// 85.0 (2024-12-18), which keeps the closed side fresh without leading it.
/// HumanEval: GPT-5 90.2 and Llama 89.0 (2024-09-13), and the lab's own 87.0 for GPT-5,
/// 3.2 away from the independent run.
fn base() -> Vec<ClaimRecord> {
    vec![
        dated(1, "board", "GPT-5", "mmlu", 86.0, "2024-01-15"),
        dated(2, "board", "Llama 3.1 405B", "mmlu", 82.0, "2024-03-01"),
        dated(3, "board", "Claude 3.5 Sonnet", "mmlu", 88.0, "2024-06-20"),
        dated(4, "board", "DeepSeek-V3", "mmlu", 86.5, "2024-09-01"),
        dated(5, "board", "GLM-4.5", "mmlu", 88.3, "2024-12-20"),
        dated(6, "board", "Gemini 1.5 Pro", "mmlu", 91.0, "2025-02-01"),
        dated(7, "board", "o1", "mmlu", 85.0, "2024-12-18"),
        dated(10, "evalplus", "GPT-5", "humaneval", 90.2, "2024-09-13"),
        dated(
            11,
            "evalplus",
            "Llama 3.1 405B",
            "humaneval",
            89.0,
            "2024-09-13",
        ),
        dated(12, "paper", "GPT-5", "humaneval", 87.0, "2024-09-13").by(Evaluator::SelfReported),
    ]
}

fn at(claims: &[ClaimRecord], as_of: &str) -> Analysis {
    run(claims, &the_story(), as_of)
}

#[test]
fn the_first_version_states_each_row_with_results() {
    let a = at(&base(), "2024-10-01");
    let found = changes(None, &a, &Materiality::default());
    // MMLU and HumanEval have results; GPQA has none and gets nothing.
    assert_eq!(found.len(), 2);
    let Change::FirstVersion {
        row,
        incumbent,
        challenger,
        gap,
    } = &found[0]
    else {
        panic!("{:?}", found[0]);
    };
    assert_eq!(row.benchmark, "mmlu");
    assert_eq!(incumbent.as_ref().unwrap().claim_id, 3);
    assert_eq!(challenger.as_ref().unwrap().claim_id, 4);
    assert!(close(gap.unwrap().points, 1.5));
    assert_eq!(found[1].row().unwrap().benchmark, "humaneval");
    assert!(found.iter().all(Change::is_material));
}

#[test]
fn what_changed_between_two_versions() {
    // Previous version as of 2024-10-01: MMLU Claude 88.0 against DeepSeek 86.5, at parity;
    // the lab's HumanEval figure disagrees with the independent run; GPQA has no data; the
    // lead forecast is open. Current version as of 2025-02-15, with four more claims:
    //  - GPQA's first result (GPT-5 60.0, 2024-11-01);
    //  - the lab corrects its HumanEval figure to 90.0, within 1.0 of 90.2: settled;
    //  - another source lists Gemini at 94.0 on MMLU without a date, against the board's
    //    dated 91.0: a new disagreement, about the closed best;
    //  - another source lists GPT-5 at 84.0 on MMLU, against the board's 86.0: a
    //    disagreement that touches no row, so no news.
    let mut claims = base();
    claims.extend([
        dated(20, "epoch", "GPT-5", "gpqa-diamond", 60.0, "2024-11-01"),
        dated(21, "paper", "GPT-5", "humaneval", 90.0, "2024-12-01").by(Evaluator::SelfReported),
        score(22, "other", "2025-02-10", "Gemini 1.5 Pro", "mmlu", 94.0),
        score(23, "other", "2025-01-15", "GPT-5", "mmlu", 84.0),
    ]);
    let before = at(&claims, "2024-10-01");
    let after = at(&claims, "2025-02-15");
    assert_eq!(after.tensions.len(), 2);
    let found = changes(Some(&before), &after, &Materiality::default());

    let summary: Vec<String> = found
        .iter()
        .map(|c| match c {
            Change::NewLeader {
                cohort,
                new,
                old,
                record,
                comparable,
                ..
            } => format!(
                "new leader {cohort:?} {} over {:?} record={record} comparable={comparable}",
                new.claim_id,
                old.as_ref().map(|o| o.claim_id)
            ),
            Change::ParityFlip { flip, gap, .. } => format!("flip {flip:?} {:.1}", gap.points),
            Change::GapMoved { before, after, .. } => {
                format!("gap {:.1} -> {:.1}", before.points, after.points)
            }
            Change::NewRow { row, .. } => format!("new row {}", row.benchmark),
            Change::ForecastChanged { before, after, .. } => {
                format!("forecast {before:?} -> {after:?}")
            }
            Change::TensionAppeared { tension } => format!("tension {}", tension.subject),
            Change::TensionSettled { tension } => format!("settled {}", tension.subject),
            Change::MedianLagMoved { before, after, .. } => format!(
                "lag {:.1} -> {:.1}",
                before.unwrap_or(f64::NAN),
                after.unwrap_or(f64::NAN)
            ),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "new leader Incumbent 6 over Some(3) record=true comparable=true",
            "new leader Challenger 5 over Some(4) record=true comparable=true",
            "flip ParityLost 2.7",
            "gap 1.5 -> 2.7",
            "new row gpqa-diamond",
            "lag 1.2 -> -0.7",
            "forecast Some(Open) -> Yes { on: Date { year: 2024, month: 12, day: 20 } }",
            "tension Gemini 1.5 Pro",
            "settled GPT-5",
        ]
    );
    // The lag's move is told with the news, not news alone. Gemini's 94.0 would leave MMLU
    // out of parity as its 91.0 does: no news. The lab's 87.0 for GPT-5 on HumanEval would
    // have put Llama's 89.0 ahead: its settling is news.
    let news: Vec<bool> = found.iter().map(Change::is_material).collect();
    assert_eq!(
        news,
        [true, true, true, true, true, false, true, false, true]
    );
    assert_eq!(found[0].claim_ids(), [6]);
    assert_eq!(found[2].claim_ids(), [6, 5]);
    assert_eq!(found[8].claim_ids(), [10, 12]);

    // Nothing changed: no changes.
    assert!(changes(Some(&after), &after, &Materiality::default()).is_empty());
    // A higher threshold makes the 1.2-point move no change.
    let lenient = Materiality {
        gap_change_points: 1.5,
    };
    assert!(
        !changes(Some(&before), &after, &lenient)
            .iter()
            .any(|c| matches!(c, Change::GapMoved { .. }))
    );
}

#[test]
fn parity_flips_on_comparable_rows() {
    let flips = |from: &str, to: &str| -> Vec<Flip> {
        changes(
            Some(&at(&base(), from)),
            &at(&base(), to),
            &Materiality::default(),
        )
        .iter()
        .filter_map(|c| match c {
            Change::ParityFlip { flip, .. } => Some(*flip),
            _ => None,
        })
        .collect()
    };
    // 6.0 behind, then 1.5: parity reached.
    assert_eq!(flips("2024-07-01", "2024-10-01"), [Flip::ParityReached]);
    // 1.5 behind, then 0.3 ahead: the open side leads.
    assert_eq!(flips("2024-10-01", "2024-12-31"), [Flip::ChallengerLeads]);
    // 0.3 ahead, then 2.7 behind: the closed side is back.
    assert_eq!(flips("2024-12-31", "2025-02-15"), [Flip::IncumbentBack]);
}

#[test]
fn a_side_that_goes_stale_is_a_change() {
    // The open side's last MMLU result is DeepSeek's 86.5 on 2024-09-01; by 2025-03-15 the
    // closed side has results up to 2025-03-10, 190 days later.
    let mut claims = base();
    claims.truncate(4);
    claims.push(dated(
        8,
        "board",
        "Gemini 1.5 Pro",
        "mmlu",
        87.0,
        "2025-03-10",
    ));
    let before = at(&claims, "2025-02-15");
    let after = at(&claims, "2025-03-15");
    let found = changes(Some(&before), &after, &Materiality::default());
    let stale: Vec<&Change> = found
        .iter()
        .filter(|c| matches!(c, Change::Comparability { .. }))
        .collect();
    assert_eq!(stale.len(), 1);
    let Change::Comparability { before, after, .. } = stale[0] else {
        unreachable!()
    };
    assert_eq!(*before, None);
    assert_eq!(
        *after,
        Some(NotComparable::Stale {
            cohort: Cohort::Challenger,
            since: d("2024-09-01")
        })
    );
    assert!(stale[0].is_material());
}

#[test]
fn a_new_leader_at_the_same_value_is_no_news() {
    // Llama's 80.0 (June) leads the open side over DeepSeek's 80.0 (July); the board then
    // re-runs Llama at 79.0, and DeepSeek leads at the same 80.0: a tie-break.
    let claims = [
        dated(1, "board", "GPT-5", "mmlu", 81.0, "2024-06-01"),
        dated(2, "board", "Llama 3.1 405B", "mmlu", 80.0, "2024-06-01"),
        dated(3, "board", "DeepSeek-V3", "mmlu", 80.0, "2024-07-01"),
        score(4, "board", "2024-08-01", "Llama 3.1 405B", "mmlu", 79.0).reported("2024-06-01"),
    ];
    let s = story(&["mmlu"]);
    let before = run(&claims, &s, "2024-07-15");
    let after = run(&claims, &s, "2024-08-15");
    let found = changes(Some(&before), &after, &Materiality::default());
    // The tie-break, and the lag it moves: the open side first reached 80.0 a month later
    // than it seemed. Neither is news by itself.
    assert_eq!(found.len(), 2, "{found:?}");
    let Change::NewLeader {
        new, comparable, ..
    } = &found[0]
    else {
        panic!("{:?}", found[0]);
    };
    assert_eq!(new.claim_id, 3);
    assert!(comparable);
    assert!(matches!(found[1], Change::MedianLagMoved { .. }));
    assert!(found.iter().all(|c| !c.is_material()));
}

#[test]
fn a_new_best_on_a_sub_score_or_on_a_row_that_cannot_be_compared_is_no_news() {
    // BFCL live (a sub-score) gets a new open best; MMLU-Pro's closed side is stale and its
    // open side gets a new best.
    let claims = [
        dated(1, "bfcl", "GPT-5", "bfcl", 80.0, "2025-01-01")
            .variant("live")
            .setting("version", "v4"),
        dated(2, "bfcl", "Llama 3.1 405B", "bfcl", 70.0, "2025-01-01")
            .variant("live")
            .setting("version", "v4"),
        dated(3, "bfcl", "GLM-4.5", "bfcl", 75.0, "2025-02-01")
            .variant("live")
            .setting("version", "v4"),
        dated(4, "board", "GPT-5", "mmlu-pro", 72.0, "2024-06-01"),
        dated(5, "board", "Llama 3.1 405B", "mmlu-pro", 70.0, "2025-01-01"),
        dated(6, "board", "DeepSeek-V3", "mmlu-pro", 74.0, "2025-02-01"),
    ];
    let s = story(&["bfcl", "mmlu-pro"]);
    let before = run(&claims, &s, "2025-01-15");
    let after = run(&claims, &s, "2025-02-15");
    let found = changes(Some(&before), &after, &Materiality::default());
    let leaders: Vec<(RowRole, &str, bool)> = found
        .iter()
        .filter_map(|c| match c {
            Change::NewLeader {
                row, comparable, ..
            } => Some((row.role, row.benchmark.as_str(), *comparable)),
            _ => None,
        })
        .collect();
    assert_eq!(
        leaders,
        [
            (RowRole::Subscore, "bfcl", true),
            (RowRole::Headline, "mmlu-pro", false)
        ]
    );
    // Nothing here (the leaders, the sub-score's gap moving) is news by itself.
    assert!(found.iter().all(|c| !c.is_material()), "{found:?}");
}

#[test]
fn a_forecast_verdict_is_news_when_it_changes() {
    let forecast = |verdict_before: Option<Verdict>, after: Verdict| Change::ForecastChanged {
        forecast_id: "f".to_owned(),
        question: "q".to_owned(),
        margin: gapwatch_model::Margin {
            value: 2.0,
            unit: gapwatch_model::MarginUnit::Points,
        },
        before: verdict_before,
        after,
        claim_ids: Vec::new(),
    };
    let yes = Verdict::Yes {
        on: d("2025-01-01"),
    };
    assert!(forecast(Some(Verdict::Open), yes.clone()).is_material());
    assert!(forecast(None, yes).is_material());
    // A forecast added to the story, still open, is not news by itself.
    assert!(!forecast(None, Verdict::Open).is_material());
}

#[test]
fn a_date_that_cannot_be_true_is_flagged_but_no_news() {
    // A source dates GPT-4o's 95.0 on MMLU to 2024-03-01, before its release on 2024-05-13:
    // it becomes the closed best, counted from its observation, and the impossible date
    // is a change of the appendix, not news.
    let mut claims = base();
    claims.push(score(30, "other", "2025-02-10", "GPT-4o", "mmlu", 95.0).reported("2024-03-01"));
    let before = at(&base(), "2025-02-15");
    let after = at(&claims, "2025-02-15");
    let found = changes(Some(&before), &after, &Materiality::default());
    let flagged: Vec<&Change> = found
        .iter()
        .filter(|c| {
            matches!(c, Change::TensionAppeared { tension }
                if tension.kind == gapwatch_analysis::TensionKind::ImpossibleDate)
        })
        .collect();
    assert_eq!(flagged.len(), 1, "{found:?}");
    assert!(!flagged[0].is_material());
    // The new closed best itself is news.
    assert!(found.iter().any(
        |c| matches!(c, Change::NewLeader { new, .. } if new.claim_id == 30) && c.is_material()
    ));
}

#[test]
fn the_median_lag_moving_is_news_and_says_which_rows_joined_or_left() {
    // GPQA Diamond gets its first results: the closed side at 60.0 in May 2024, the open
    // side at 59.5 in September, four months later. The median over MMLU and HumanEval takes
    // in a third row and moves by well over half a month.
    let base_claims = base();
    let mut more = base();
    more.extend([
        dated(40, "epoch", "GPT-4o", "gpqa-diamond", 60.0, "2024-05-20"),
        dated(
            41,
            "epoch",
            "Llama 3.1 405B",
            "gpqa-diamond",
            59.5,
            "2024-09-01",
        ),
    ]);
    let before = at(&base_claims, "2025-02-15");
    let after = at(&more, "2025-02-15");
    let (b, a) = (
        before.median_lag.clone().unwrap(),
        after.median_lag.clone().unwrap(),
    );
    assert!((a.months - b.months).abs() >= 0.5, "{b:?} {a:?}");
    let found = changes(Some(&before), &after, &Materiality::default());
    let moved: Vec<&Change> = found
        .iter()
        .filter(|c| matches!(c, Change::MedianLagMoved { .. }))
        .collect();
    assert_eq!(moved.len(), 1, "{found:?}");
    let Change::MedianLagMoved {
        before: was,
        after: now,
        joined,
        left,
        same_rows,
        ..
    } = moved[0]
    else {
        unreachable!()
    };
    assert_eq!((*was, *now), (Some(b.months), Some(a.months)));
    let joined: Vec<&str> = joined.iter().map(|r| r.benchmark.as_str()).collect();
    assert_eq!(joined, ["gpqa-diamond"]);
    assert!(left.is_empty());
    // On MMLU and HumanEval, in both versions, nothing moved: the move is coverage alone.
    let (same_before, same_after) = same_rows.expect("rows joined");
    assert!(close(same_before, b.months) && close(same_after, b.months));
    assert!(!moved[0].is_material());
    // The same analysis twice: no move.
    assert!(
        changes(Some(&after), &after, &Materiality::default())
            .iter()
            .all(|c| !matches!(c, Change::MedianLagMoved { .. }))
    );
}

#[test]
fn a_median_lag_move_names_the_rows_whose_own_lag_moved() {
    // Qwen2.5 72B reaches 89.5 on MMLU in February 2025, a level the closed frontier first
    // reached with Gemini 1.5 Pro days before: MMLU's own lag moves from negative (the open
    // side got to 88.3 first) to about a week, HumanEval's stays where it was.
    let mut more = base();
    more.push(dated(
        50,
        "board",
        "Qwen2.5 72B",
        "mmlu",
        89.5,
        "2025-02-10",
    ));
    let before = at(&base(), "2025-02-15");
    let after = at(&more, "2025-02-15");
    let found = changes(Some(&before), &after, &Materiality::default());
    let Some(Change::MedianLagMoved {
        moved,
        joined,
        left,
        ..
    }) = found
        .iter()
        .find(|c| matches!(c, Change::MedianLagMoved { .. }))
    else {
        panic!("no median move in {found:?}");
    };
    assert!(joined.is_empty() && left.is_empty());
    let rows: Vec<&str> = moved.iter().map(|m| m.row.benchmark.as_str()).collect();
    assert_eq!(rows, ["mmlu"]);
    assert!(moved[0].before < 0.0 && moved[0].after > 0.0, "{moved:?}");
}
