//! Tensions (docs/analysis.md §7): sources that disagree beyond a tolerance, labs' figures
//! against independent runs, Elo drift, access flags against the registry, and which
//! tensions touch a row.

mod common;

use common::*;
use gapwatch_analysis::{AnalysisOptions, TensionKind};
use gapwatch_model::{Access, ClaimRecord, Evaluator, Subject, Unit};

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

#[test]
fn sources_that_disagree_beyond_the_tolerance() {
    // GPT-5 on MMLU from two independent sources: 84.2 (a, 2024-05-01) and 88.7 (b,
    // 2024-06-01), 4.5 apart. b's result is later, so it counts and comes first.
    let claims = [
        dated(1, "a", "GPT-5", "mmlu", 84.2, "2024-05-01"),
        dated(2, "b", "GPT-5", "mmlu", 88.7, "2024-06-01"),
        dated(3, "b", "Llama 3.1 405B", "mmlu", 80.0, "2024-06-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    assert_eq!(a.tensions.len(), 1);
    let t = &a.tensions[0];
    assert_eq!(t.kind, TensionKind::SourcesDisagree);
    assert_eq!(t.subject, "GPT-5");
    assert_eq!(t.row.as_ref(), Some(&row(&a, "mmlu").key));
    assert_eq!(t.unit, Unit::Percent);
    assert_eq!(t.tolerance, Some(1.0));
    assert_eq!(t.claim_ids(), [2, 1]);
    let sources: Vec<&str> = t.items.iter().map(|i| i.source_id.as_str()).collect();
    assert_eq!(sources, ["b", "a"]);
    assert_eq!(t.items[0].value, Some(88.7));
    assert!(t.touches_row, "GPT-5 is the closed side's best");
    // Without an open result the row compares nothing: the same tension touches no row.
    let a = run(&claims[..2], &story(&["mmlu"]), "2024-07-01");
    assert_eq!(a.tensions.len(), 1);
    assert!(!a.tensions[0].touches_row);
    // Nor does it once the row is dormant.
    let a = run(&claims, &story(&["mmlu"]), "2025-07-02");
    assert!(!a.tensions[0].touches_row);
}

#[test]
fn values_within_the_tolerance_are_no_tension() {
    // 88.7 against 88.1: 0.6 apart, within 1.0; a tolerance of 0.5 makes it one.
    let claims = [
        dated(1, "a", "GPT-5", "mmlu", 88.1, "2024-05-01"),
        dated(2, "b", "GPT-5", "mmlu", 88.7, "2024-06-01"),
    ];
    assert!(
        run(&claims, &story(&["mmlu"]), "2024-07-01")
            .tensions
            .is_empty()
    );
    let strict = AnalysisOptions {
        tolerance_percent_points: 0.5,
        ..AnalysisOptions::default()
    };
    let a = run_with(&claims, &story(&["mmlu"]), "2024-07-01", &strict);
    assert_eq!(a.tensions.len(), 1);
    assert_eq!(a.tensions[0].tolerance, Some(0.5));
}

#[test]
fn a_lab_figure_against_an_independent_run() {
    // The lab reports 88.7 for GPT-5; an independent evaluation finds 86.5: 2.2 apart. The
    // independent run counts on the row and is listed first.
    let claims = [
        dated(1, "lab", "GPT-5", "mmlu", 88.7, "2024-05-13").by(Evaluator::SelfReported),
        dated(2, "helm", "GPT-5", "mmlu", 86.5, "2024-06-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    assert_eq!(a.tensions.len(), 1);
    let t = &a.tensions[0];
    assert_eq!(t.kind, TensionKind::SelfReportedVsThirdParty);
    assert_eq!(t.claim_ids(), [2, 1]);
    assert_eq!(t.items[1].evaluator, Evaluator::SelfReported);
}

#[test]
fn elo_ratings_have_their_own_tolerance() {
    // 1,285 against 1,291 is 6 Elo points: within the default 10. Against 1,300 it is 15.
    let pair = |other: f64| {
        [
            dated(1, "arena", "GPT-5", "lmarena-text", 1285.0, "2024-05-01"),
            dated(2, "mirror", "GPT-5", "lmarena-text", other, "2024-05-02"),
        ]
    };
    let s = story(&["lmarena-text"]);
    assert!(run(&pair(1291.0), &s, "2024-07-01").tensions.is_empty());
    let a = run(&pair(1300.0), &s, "2024-07-01");
    assert_eq!(a.tensions.len(), 1);
    assert_eq!(a.tensions[0].tolerance, Some(10.0));
    let lenient = AnalysisOptions {
        tolerance_elo: 20.0,
        ..AnalysisOptions::default()
    };
    assert!(
        run_with(&pair(1300.0), &s, "2024-07-01", &lenient)
            .tensions
            .is_empty()
    );
}

#[test]
fn elo_ratings_more_than_45_days_apart_are_drift_not_disagreement() {
    let pair = |second: &str| {
        [
            dated(1, "arena", "GPT-5", "lmarena-text", 1285.0, "2024-05-01"),
            dated(2, "mirror", "GPT-5", "lmarena-text", 1300.0, second),
        ]
    };
    let s = story(&["lmarena-text"]);
    // 2024-05-01 to 2024-06-15 is 45 days: still a disagreement.
    assert_eq!(run(&pair("2024-06-15"), &s, "2024-07-01").tensions.len(), 1);
    // To 2024-06-16, 46 days: the ratings drifted.
    assert!(
        run(&pair("2024-06-16"), &s, "2024-07-01")
            .tensions
            .is_empty()
    );
    // Percent scores have no drift window.
    let far = [
        dated(1, "a", "GPT-5", "mmlu", 84.0, "2024-01-01"),
        dated(2, "b", "GPT-5", "mmlu", 88.0, "2024-06-16"),
    ];
    assert_eq!(run(&far, &story(&["mmlu"]), "2024-07-01").tensions.len(), 1);
}

#[test]
fn a_tension_touches_a_row_only_through_a_best_or_a_value_that_would_beat_it() {
    // The closed best is GPT-5's 90.0. Sources disagree on Claude (80.0 and 82.0), below
    // it: no touch. They disagree on Gemini, whose counted 85.0 (dated by its source) is
    // below it but whose other value, 92.0, would beat it: a touch.
    let claims = [
        dated(1, "board", "GPT-5", "mmlu", 90.0, "2024-06-01"),
        dated(2, "board", "Claude 3.5 Sonnet", "mmlu", 80.0, "2024-06-01"),
        dated(3, "other", "Claude 3.5 Sonnet", "mmlu", 82.0, "2024-06-01"),
        dated(4, "board", "Gemini 1.5 Pro", "mmlu", 85.0, "2024-06-01"),
        score(5, "other", "2024-06-01", "Gemini 1.5 Pro", "mmlu", 92.0),
        dated(6, "board", "Llama 3.1 405B", "mmlu", 80.0, "2024-06-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    assert_eq!(inc(row(&a, "mmlu")).best.claim_id, 1);
    let touches: Vec<(&str, bool)> = a
        .tensions
        .iter()
        .map(|t| (t.subject.as_str(), t.touches_row))
        .collect();
    assert_eq!(
        touches,
        [("Claude 3.5 Sonnet", false), ("Gemini 1.5 Pro", true)]
    );
}

#[test]
fn only_the_story_rows_have_score_tensions() {
    // HumanEval is named only by a forecast: its disagreement is not listed.
    let extra = r#"
[[forecast]]
id = "he"
question = "HumanEval within 2 points"
benchmarks = ["humaneval"]
combine = "all-of"
readings = [{ value = 2.0, unit = "points" }]
deadline = "2026-12-31"
"#;
    let s = story_with(&["mmlu"], r#"{ value = 2.0, unit = "points" }"#, extra);
    let claims = [
        dated(1, "a", "GPT-5", "humaneval", 84.0, "2024-05-01"),
        dated(2, "b", "GPT-5", "humaneval", 90.0, "2024-05-01"),
    ];
    assert!(run(&claims, &s, "2024-07-01").tensions.is_empty());
}

#[test]
fn an_access_flag_that_contradicts_the_registry() {
    // SWE-bench flags "OpenHands + GPT-5" as open; GPT-5 is closed, and the system is the
    // closed best: the tension touches a row. A flag that agrees is no tension.
    let system = Subject::system("OpenHands + GPT-5", "OpenHands", ["GPT-5"]);
    let mut entry = score(1, "swe", "2025-10-06", "x", "humaneval", 70.0);
    entry.claim.subject = system.clone();
    let mut claims = vec![
        entry,
        access_flag(2, "swe", "2025-10-06", system.clone(), Access::OpenWeights),
        score(3, "swe", "2025-10-06", "Llama 3.1 405B", "humaneval", 60.0),
        access_flag(
            4,
            "swe",
            "2025-10-06",
            Subject::model("Llama 3.1 405B"),
            Access::OpenWeights,
        ),
    ];
    let a = run(&claims, &story(&["humaneval"]), "2025-11-01");
    assert_eq!(a.tensions.len(), 1);
    let t = &a.tensions[0];
    assert_eq!(t.kind, TensionKind::AccessFlagVsRegistry);
    assert_eq!(t.subject, "OpenHands (GPT-5)");
    assert_eq!(t.row, None);
    assert_eq!(t.registry_access, Some(Access::Closed));
    assert_eq!(t.claim_ids(), [2]);
    assert_eq!(t.items[0].access, Some(Access::OpenWeights));
    assert!(t.touches_row);

    // The next snapshot corrects the flag: only a source's latest flag counts.
    claims.push(access_flag(5, "swe", "2025-12-10", system, Access::Closed));
    assert!(
        run(&claims, &story(&["humaneval"]), "2025-12-31")
            .tensions
            .is_empty()
    );
}

#[test]
fn unknown_on_either_side_is_not_a_contradiction_and_a_flag_on_no_best_touches_nothing() {
    let claims = [
        score(1, "board", "2025-01-10", "GPT-5", "mmlu", 90.0),
        score(2, "board", "2025-01-10", "Llama 3.1 405B", "mmlu", 80.0),
        // A source that does not know: no tension.
        access_flag(
            3,
            "board",
            "2025-01-10",
            Subject::model("GPT-5"),
            Access::Unknown,
        ),
        // The registry does not know: no tension.
        access_flag(
            4,
            "board",
            "2025-01-10",
            Subject::model("Mystery-1"),
            Access::OpenWeights,
        ),
        // Claude has no result on the story's rows: a tension that touches nothing.
        access_flag(
            5,
            "board",
            "2025-01-10",
            Subject::model("Claude 3.5 Sonnet"),
            Access::OpenWeights,
        ),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2025-02-01");
    assert_eq!(a.tensions.len(), 1);
    assert_eq!(a.tensions[0].subject, "Claude 3.5 Sonnet");
    assert!(!a.tensions[0].touches_row);
}

#[test]
fn an_impossible_date_on_a_result_that_is_no_best_touches_nothing() {
    // Qwen2.5 72B (released 2024-09-19) dated 2024-01-05, at 70.0 behind Llama's 80.0.
    let claims = [
        dated(1, "board", "GPT-5", "mmlu", 90.0, "2024-10-01"),
        dated(2, "board", "Llama 3.1 405B", "mmlu", 80.0, "2024-10-01"),
        score(3, "board", "2024-10-01", "Qwen2.5 72B", "mmlu", 70.0).reported("2024-01-05"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-11-01");
    assert_eq!(a.tensions.len(), 1);
    assert_eq!(a.tensions[0].kind, TensionKind::ImpossibleDate);
    assert!(!a.tensions[0].touches_row);
}

#[test]
fn a_disagreement_says_when_the_other_figure_would_change_the_verdict() {
    // GPT-5 on MMLU: 88.7 (b, the later, counts) and 90.4 (a). Against Llama's 87.3 the row
    // is at parity, 1.4 points apart; with 90.4 it would be 3.1 points apart, beyond 2.
    let claims = [
        dated(1, "a", "GPT-5", "mmlu", 90.4, "2024-05-01"),
        dated(2, "b", "GPT-5", "mmlu", 88.7, "2024-06-01"),
        dated(3, "b", "Llama 3.1 405B", "mmlu", 87.3, "2024-06-01"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    assert_eq!(row(&a, "mmlu").parity, Some(true));
    let w = a.tensions[0]
        .would_change
        .clone()
        .expect("it would change parity");
    assert_eq!((w.claim_id, w.value), (1, 90.4));
    assert!(close(w.gap.points, 3.1));
    assert!(!w.parity && !w.challenger_leads);
    // With Llama at 80.0 neither figure is within 2 points: the verdict holds either way.
    let mut far = claims.clone();
    far[2] = dated(3, "b", "Llama 3.1 405B", "mmlu", 80.0, "2024-06-01");
    let a = run(&far, &story(&["mmlu"]), "2024-07-01");
    assert!(a.tensions[0].touches_row);
    assert_eq!(a.tensions[0].would_change, None);
}
