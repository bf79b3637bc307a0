//! Tensions between sources, between evaluators, and between a source and the registry.

mod common;

use common::*;
use gapwatch_analysis::{AnalysisOptions, TensionKind, analyze};
use gapwatch_model::{Access, Evaluator, Subject};

#[test]
fn sources_that_disagree_beyond_the_tolerance() {
    // GPT-4o on MMLU from two third-party sources: 84.2 (a, 2024-05-01) and 88.7
    // (b, 2024-06-01). 4.5 points apart, beyond 1.0. B's result is later, so it counts and is
    // listed first.
    let claims = [
        score(1, "a", "2024-05-01", "GPT-4o", "mmlu", 84.2),
        score(2, "b", "2024-06-01", "GPT-4o", "mmlu", 88.7),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    assert_eq!(a.tensions.len(), 1);
    let t = &a.tensions[0];
    assert_eq!(t.kind, TensionKind::SourcesDisagree);
    assert_eq!(t.subject, "GPT-4o");
    assert_eq!(t.benchmark.as_deref(), Some("mmlu"));
    assert_eq!(t.claim_ids, [2, 1]);
    assert_eq!(t.sources, ["b", "a"]);
    assert_eq!(
        t.description,
        "Sources disagree on GPT-4o on MMLU: 88.7% (third-party, 2024-06-01) and 84.2% \
         (third-party, 2024-05-01); they are 4.5 points apart, beyond the tolerance of 1.0 points. \
         The third-party 88.7% counts."
    );
}

#[test]
fn values_within_the_tolerance_are_no_tension() {
    // 88.7 against 88.1: 0.6 apart, within 1.0.
    let claims = [
        score(1, "a", "2024-05-01", "GPT-4o", "mmlu", 88.1),
        score(2, "b", "2024-06-01", "GPT-4o", "mmlu", 88.7),
    ];
    assert!(
        run(&claims, &story(&["mmlu"]), "2024-07-01")
            .tensions
            .is_empty()
    );
    // A tighter tolerance of 0.5 makes it one.
    let options = AnalysisOptions {
        tolerance_percent_points: 0.5,
        ..AnalysisOptions::default()
    };
    let a = analyze(
        &gapwatch_model::ClaimSet::from_records(&claims),
        &registry(),
        &story(&["mmlu"]),
        d("2024-07-01"),
        &options,
    );
    assert_eq!(a.tensions.len(), 1);
}

#[test]
fn self_reported_against_third_party() {
    // The lab reports 88.7 for GPT-4o; an independent evaluation finds 86.5: 2.2 apart.
    let claims = [
        score(1, "lab", "2024-05-13", "GPT-4o", "mmlu", 88.7).by(Evaluator::SelfReported),
        score(2, "helm", "2024-06-01", "GPT-4o", "mmlu", 86.5),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    assert_eq!(a.tensions.len(), 1);
    let t = &a.tensions[0];
    assert_eq!(t.kind, TensionKind::SelfReportedVsThirdParty);
    assert_eq!(
        t.claim_ids,
        [2, 1],
        "the third-party claim counts and comes first"
    );
    assert!(
        t.description
            .starts_with("Self-reported and third-party results for GPT-4o on MMLU differ"),
        "{}",
        t.description
    );
    assert!(
        t.description.ends_with("The third-party 86.5% counts."),
        "{}",
        t.description
    );
}

#[test]
fn elo_ratings_use_their_own_tolerance() {
    // 1,285 against 1,291 is 6 Elo points: within the default 10. 1,285 against 1,300 is 15.
    let close_pair = [
        score(1, "arena", "2024-05-01", "GPT-4o", "lmarena-text", 1285.0),
        score(2, "mirror", "2024-05-02", "GPT-4o", "lmarena-text", 1291.0),
    ];
    assert!(
        run(&close_pair, &story(&["lmarena-text"]), "2024-07-01")
            .tensions
            .is_empty()
    );
    let far_pair = [
        score(1, "arena", "2024-05-01", "GPT-4o", "lmarena-text", 1285.0),
        score(2, "mirror", "2024-05-02", "GPT-4o", "lmarena-text", 1300.0),
    ];
    let a = run(&far_pair, &story(&["lmarena-text"]), "2024-07-01");
    assert_eq!(a.tensions.len(), 1);
    assert!(
        a.tensions[0]
            .description
            .contains("1,300 Elo (third-party, 2024-05-02) and 1,285 Elo"),
        "{}",
        a.tensions[0].description
    );
    assert!(
        a.tensions[0].description.contains("15 Elo points apart"),
        "{}",
        a.tensions[0].description
    );
    let lenient = AnalysisOptions {
        tolerance_elo: 20.0,
        ..AnalysisOptions::default()
    };
    let a = analyze(
        &gapwatch_model::ClaimSet::from_records(&far_pair),
        &registry(),
        &story(&["lmarena-text"]),
        d("2024-07-01"),
        &lenient,
    );
    assert!(a.tensions.is_empty());
}

#[test]
fn a_system_flagged_open_while_its_model_is_closed() {
    // As on SWE-bench in October 2025: "OpenHands + GPT-5" carries an open-model flag, but
    // GPT-5 is closed. A naive reader would report it as the best open entry at 70.0; here it
    // counts as closed, the best open entry is Qwen's 60.0, and the flag is a tension.
    let system = Subject::system("OpenHands + GPT-5", "OpenHands", ["GPT-5"]);
    let mut entry = score(1, "swe-bench", "2025-10-06", "x", "humaneval", 70.0);
    entry.claim.subject = system.clone();
    let claims = [
        entry,
        access_flag(
            2,
            "swe-bench",
            "2025-10-06",
            system.clone(),
            Access::OpenWeights,
        ),
        score(
            3,
            "swe-bench",
            "2025-10-06",
            "Qwen2.5 72B",
            "humaneval",
            60.0,
        ),
        // A flag that agrees with the registry is no tension.
        access_flag(
            4,
            "swe-bench",
            "2025-10-06",
            Subject::model("Qwen2.5 72B"),
            Access::OpenWeights,
        ),
    ];
    let a = run(&claims, &story(&["humaneval"]), "2025-11-01");
    let r = &a.parity[0];
    assert_eq!(r.incumbent.as_ref().unwrap().subject, "OpenHands (GPT-5)");
    assert_eq!(r.challenger.as_ref().unwrap().subject, "Qwen2.5 72B");
    assert_eq!(a.tensions.len(), 1);
    let t = &a.tensions[0];
    assert_eq!(t.kind, TensionKind::AccessFlagVsRegistry);
    assert_eq!(t.subject, "OpenHands (GPT-5)");
    assert_eq!(t.benchmark, None);
    assert_eq!(t.claim_ids, [2]);
    assert_eq!(t.sources, ["swe-bench"]);
    assert_eq!(
        t.description,
        "One source flags OpenHands (GPT-5) as open weights, but the registry lists GPT-5 as \
         closed; the registry's classification counts."
    );

    // The next snapshot corrects the flag: only the latest flag of a source counts.
    let mut fixed = claims.to_vec();
    fixed.push(access_flag(
        5,
        "swe-bench",
        "2025-12-10",
        system,
        Access::Closed,
    ));
    assert!(
        run(&fixed, &story(&["humaneval"]), "2025-12-31")
            .tensions
            .is_empty()
    );
}
