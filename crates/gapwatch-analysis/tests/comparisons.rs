//! The headline comparison and the others (docs/analysis.md §3.1): settings that change the
//! task, unstated settings, the headline split, sub-scores, and the order of rows.

mod common;

use common::*;
use gapwatch_analysis::{Cohort, RowNote, RowRole};
use gapwatch_model::Settings;

fn class(pairs: &[(&str, &str)]) -> Settings {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn a_multi_attempt_closed_run_stands_apart_from_the_single_attempt_headline() {
    // SWE-bench Verified's headline is one attempt. TRAE's 78.8 with GPT-5 took two or more
    // attempts: its own row. The headline compares GPT-5's single attempt (72.0) with the
    // open single attempt (70.0).
    let claims = [
        score(1, "swe", "2025-12-10", "x", "swe-bench-verified", 78.8)
            .system("TRAE", &["GPT-5"])
            .setting("attempts", "2+")
            .reported("2025-12-01"),
        score(2, "swe", "2025-12-10", "GPT-5", "swe-bench-verified", 72.0)
            .setting("attempts", "1")
            .reported("2025-10-01"),
        score(3, "swe", "2025-12-10", "x", "swe-bench-verified", 70.0)
            .system("OpenHands", &["DeepSeek-V3"])
            .setting("attempts", "1")
            .reported("2025-11-01"),
    ];
    let a = run(&claims, &story(&["swe-bench-verified"]), "2025-12-31");
    let roles: Vec<(RowRole, &Settings)> = a
        .parity
        .iter()
        .map(|r| (r.key.role, &r.key.class))
        .collect();
    assert_eq!(
        roles,
        [
            (RowRole::Headline, &Settings::new()),
            (RowRole::OtherSettings, &class(&[("attempts", "2+")])),
        ]
    );
    let headline = &a.parity[0];
    assert_eq!(
        (inc(headline).best.claim_id, chal(headline).best.claim_id),
        (2, 3)
    );
    assert!(headline.comparable);
    assert!(close(headline.gap.unwrap().points, 2.0));
    assert!(inc(headline).unstated.is_empty() && chal(headline).unstated.is_empty());

    let multi = &a.parity[1];
    assert_eq!(inc(multi).best.claim_id, 1);
    assert_eq!(inc(multi).best.settings, class(&[("attempts", "2+")]));
    assert!(multi.challenger.is_none());
    assert_eq!(
        multi.notes,
        [RowNote::MissingCohort {
            cohort: Cohort::Challenger
        }]
    );
    // Only the headline row is counted.
    assert_eq!(a.summary.comparable, std::slice::from_ref(&headline.key));
    assert!(a.summary.not_comparable.is_empty());
}

#[test]
fn a_result_that_does_not_state_the_setting_stays_in_the_headline_and_is_marked() {
    // GLM-4.5's 71.0 does not say how many attempts it took: it stays in the headline
    // comparison, leads the open side, and the open side says "attempts unstated".
    let claims = [
        score(2, "swe", "2025-12-10", "GPT-5", "swe-bench-verified", 72.0)
            .setting("attempts", "1")
            .reported("2025-10-01"),
        score(
            3,
            "swe",
            "2025-12-10",
            "DeepSeek-V3",
            "swe-bench-verified",
            70.0,
        )
        .setting("attempts", "1")
        .reported("2025-11-01"),
        score(
            4,
            "llmstats",
            "2025-12-10",
            "GLM-4.5",
            "swe-bench-verified",
            71.0,
        )
        .reported("2025-11-15"),
    ];
    let a = run(&claims, &story(&["swe-bench-verified"]), "2025-12-31");
    assert_eq!(a.parity.len(), 1);
    let r = row(&a, "swe-bench-verified");
    assert_eq!(chal(r).best.claim_id, 4);
    assert_eq!(chal(r).unstated, ["attempts"]);
    assert!(inc(r).unstated.is_empty());
    assert!(r.notes.contains(&RowNote::Unstated {
        cohort: Cohort::Challenger,
        keys: vec!["attempts".to_owned()],
    }));
    assert!(r.comparable);
    assert!(close(r.gap.unwrap().points, 1.0));
}

#[test]
fn an_empty_headline_value_sets_apart_any_stated_value_without_remarking_on_silence() {
    // MMLU-Pro's headline is the results that state no harness: HELM's run of Llama is a
    // comparison of its own, and the plain results are not marked as unstated.
    let claims = [
        score(1, "board", "2025-01-10", "GPT-5", "mmlu-pro", 80.0),
        score(2, "board", "2025-01-10", "Llama 3.1 405B", "mmlu-pro", 78.0),
        score(3, "helm", "2025-01-10", "Llama 3.1 405B", "mmlu-pro", 85.0)
            .setting("harness", "helm"),
    ];
    let a = run(&claims, &story(&["mmlu-pro"]), "2025-02-01");
    assert_eq!(a.parity.len(), 2);
    let headline = row(&a, "mmlu-pro");
    assert_eq!(chal(headline).best.claim_id, 2);
    assert!(inc(headline).unstated.is_empty() && chal(headline).unstated.is_empty());
    assert!(
        !headline
            .notes
            .iter()
            .any(|n| matches!(n, RowNote::Unstated { .. }))
    );
    let helm = &a.parity[1];
    assert_eq!(helm.key.role, RowRole::OtherSettings);
    assert_eq!(helm.key.class, class(&[("harness", "helm")]));
    assert_eq!(chal(helm).best.claim_id, 3);
}

#[test]
fn the_headline_split_is_the_headline_row_and_other_splits_are_rows_of_their_own() {
    // MMMU's headline is its val split.
    let claims = [
        score(1, "m", "2024-07-01", "GPT-5", "mmmu", 69.1).variant("test"),
        score(2, "m", "2024-07-01", "GPT-5", "mmmu", 70.0).variant("val"),
        score(3, "m", "2024-07-01", "DeepSeek-V3", "mmmu", 64.5).variant("val"),
        score(4, "m", "2024-07-01", "DeepSeek-V3", "mmmu", 60.0).variant("test"),
    ];
    let a = run(&claims, &story(&["mmmu"]), "2024-08-01");
    let rows: Vec<(&str, RowRole)> = a
        .parity
        .iter()
        .map(|r| (r.key.variant.as_str(), r.key.role))
        .collect();
    assert_eq!(rows, [("val", RowRole::Headline), ("test", RowRole::Split)]);
    assert!(close(a.parity[0].gap.unwrap().points, 5.5));
    assert!(close(a.parity[1].gap.unwrap().points, 9.1));
    assert_eq!(a.summary.comparable, [a.parity[0].key.clone()]);
}

#[test]
fn sub_scores_are_rows_that_never_count_as_wins_or_losses() {
    // BFCL overall: closed 70.0, open 60.0. On the live sub-score the open model leads.
    let claims = [
        score(1, "bfcl", "2025-01-10", "GPT-5", "bfcl", 70.0).setting("version", "v4"),
        score(2, "bfcl", "2025-01-10", "GLM-4.5", "bfcl", 60.0).setting("version", "v4"),
        score(3, "bfcl", "2025-01-10", "GPT-5", "bfcl", 75.0)
            .variant("live")
            .setting("version", "v4"),
        score(4, "bfcl", "2025-01-10", "GLM-4.5", "bfcl", 80.0)
            .variant("live")
            .setting("version", "v4"),
    ];
    let a = run(&claims, &story(&["bfcl"]), "2025-02-01");
    let live = row_of(&a, "bfcl", RowRole::Subscore, "live");
    assert!(live.comparable && live.challenger_leads);
    assert!(a.summary.challenger_leads.is_empty());
    assert_eq!(a.summary.behind, [row(&a, "bfcl").key.clone()]);
    assert_eq!(a.summary.comparable.len(), 1);
}

#[test]
fn a_benchmark_lists_its_headline_row_then_other_settings_other_splits_and_sub_scores() {
    let claims = [
        score(1, "bfcl", "2025-01-10", "GPT-5", "bfcl", 70.0)
            .variant("multi-turn")
            .setting("version", "v4"),
        score(2, "bfcl", "2025-01-10", "GPT-5", "bfcl", 71.0)
            .variant("live")
            .setting("version", "v4"),
        score(3, "bfcl", "2025-01-10", "GPT-5", "bfcl", 72.0)
            .variant("non-live")
            .setting("version", "v4"),
        score(4, "bfcl", "2025-01-10", "GPT-5", "bfcl", 73.0).setting("version", "v3"),
        score(5, "bfcl", "2025-01-10", "GPT-5", "bfcl", 74.0).setting("version", "v4"),
        score(6, "board", "2025-01-10", "GPT-5", "mmlu", 90.0),
    ];
    let a = run(&claims, &story(&["bfcl", "mmlu"]), "2025-02-01");
    let rows: Vec<(&str, RowRole, &str, String)> = a
        .parity
        .iter()
        .map(|r| {
            (
                r.key.benchmark.as_str(),
                r.key.role,
                r.key.variant.as_str(),
                r.key
                    .class
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect(),
            )
        })
        .collect();
    let expected = [
        ("bfcl", RowRole::Headline, "", ""),
        ("bfcl", RowRole::OtherSettings, "", "version=v3"),
        ("bfcl", RowRole::Split, "non-live", ""),
        ("bfcl", RowRole::Subscore, "live", ""),
        ("bfcl", RowRole::Subscore, "multi-turn", ""),
        ("mmlu", RowRole::Headline, "", ""),
    ];
    let expected: Vec<(&str, RowRole, &str, String)> = expected
        .iter()
        .map(|&(b, role, v, c)| (b, role, v, c.to_owned()))
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn settings_that_are_not_headline_keys_make_distinct_results_not_rows() {
    // HumanEval has no headline settings: GPT-5 in FC mode (70.0) and prompt mode (75.0) are
    // two results on one row, not a disagreement. The best counts and carries its settings.
    let claims = [
        score(1, "bfcl", "2024-06-01", "GPT-5", "humaneval", 70.0).setting("mode", "FC"),
        score(2, "bfcl", "2024-06-01", "GPT-5", "humaneval", 75.0).setting("mode", "Prompt"),
        score(3, "bfcl", "2024-06-01", "Llama 3.1 405B", "humaneval", 74.0).setting("mode", "FC"),
    ];
    let a = run(&claims, &story(&["humaneval"]), "2024-07-01");
    assert_eq!(a.parity.len(), 1);
    let best = &inc(&a.parity[0]).best;
    assert_eq!(best.value, 75.0);
    assert_eq!(best.settings, class(&[("mode", "Prompt")]));
    assert!(a.tensions.is_empty(), "{:?}", a.tensions);
}

#[test]
fn a_latest_headline_follows_the_newest_version_a_source_states() {
    // A board moves from v3 to v4 in August. GPT-4o dropped off the v4 board, so its v3
    // score (80.0) would otherwise keep leading: with `version = "@latest"` the headline is
    // v3 until a v4 file is seen, then v4, and the v3 results stand apart.
    let claims = [
        score(1, "board", "2025-04-30", "GPT-4o", "tool-board", 80.0).setting("version", "v3"),
        score(
            2,
            "board",
            "2025-04-30",
            "Llama 3.1 405B",
            "tool-board",
            70.0,
        )
        .setting("version", "v3"),
        score(3, "board", "2025-08-28", "GPT-5", "tool-board", 60.0).setting("version", "v4"),
        score(4, "board", "2025-08-28", "GLM-4.5", "tool-board", 61.0).setting("version", "v4"),
    ];
    let story = story(&["tool-board"]);
    let before = run(&claims, &story, "2025-06-01");
    let headline = row(&before, "tool-board");
    assert_eq!(
        (inc(headline).best.claim_id, chal(headline).best.claim_id),
        (1, 2)
    );
    assert_eq!(before.parity.len(), 1, "no v4 yet: one row");

    let after = run(&claims, &story, "2025-09-01");
    let headline = row(&after, "tool-board");
    assert_eq!(
        (inc(headline).best.claim_id, chal(headline).best.claim_id),
        (3, 4)
    );
    assert!(headline.challenger_leads);
    assert!(inc(headline).unstated.is_empty());
    let v3 = row_of(&after, "tool-board", RowRole::OtherSettings, "");
    assert_eq!(v3.key.class, class(&[("version", "v3")]));
    assert_eq!((inc(v3).best.claim_id, chal(v3).best.claim_id), (1, 2));
}
