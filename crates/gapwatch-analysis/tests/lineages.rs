//! Lineages (docs/analysis.md §1): one publisher's file read in successive formats counts as
//! one source. Its latest snapshot supersedes the others, and they never disagree.

mod common;

use std::collections::BTreeMap;

use common::*;
use gapwatch_analysis::{AnalysisOptions, TensionKind};
use gapwatch_model::ClaimRecord;

fn swebench_lineage() -> AnalysisOptions {
    AnalysisOptions {
        lineages: BTreeMap::from([
            ("swebench-html".to_owned(), "swebench".to_owned()),
            ("swebench-json".to_owned(), "swebench".to_owned()),
        ]),
        ..AnalysisOptions::default()
    }
}

/// The older HTML page dates GPT-5's 70.0 to 2024-08-01 and lists DeepSeek at 58.0; the
/// newer JSON file re-runs GPT-5 at 60.0, dated 2024-07-01, no longer lists DeepSeek, and
/// adds Llama at 55.0.
fn claims() -> Vec<ClaimRecord> {
    vec![
        score(1, "swebench-html", "2024-08-05", "GPT-5", "mmlu", 70.0).reported("2024-08-01"),
        score(
            2,
            "swebench-html",
            "2024-08-05",
            "DeepSeek-V3",
            "mmlu",
            58.0,
        )
        .reported("2024-08-01"),
        score(3, "swebench-json", "2024-09-01", "GPT-5", "mmlu", 60.0).reported("2024-07-01"),
        score(
            4,
            "swebench-json",
            "2024-09-01",
            "Llama 3.1 405B",
            "mmlu",
            55.0,
        )
        .reported("2024-07-01"),
    ]
}

#[test]
fn without_a_lineage_two_formats_are_two_sources_that_disagree() {
    // Across sources the later result date counts: the HTML page's 70.0.
    let a = run(&claims(), &story(&["mmlu"]), "2024-10-01");
    assert_eq!(inc(row(&a, "mmlu")).best.claim_id, 1);
    assert_eq!(a.tensions.len(), 1);
    assert_eq!(a.tensions[0].kind, TensionKind::SourcesDisagree);
    assert_eq!(a.tensions[0].claim_ids(), [1, 3]);
}

#[test]
fn in_one_lineage_the_latest_snapshot_supersedes_and_nothing_disagrees() {
    let a = run_with(
        &claims(),
        &story(&["mmlu"]),
        "2024-10-01",
        &swebench_lineage(),
    );
    let r = row(&a, "mmlu");
    // The JSON file's re-run counts, though the HTML page's date is later.
    assert_eq!(inc(r).best.claim_id, 3);
    assert_eq!(inc(r).best.source_id, "swebench-json");
    // DeepSeek dropped off the newer file: its last value stands.
    assert_eq!(chal(r).best.claim_id, 2);
    assert!(a.tensions.is_empty(), "{:?}", a.tensions);
    // Both source ids are still reported as the sources read.
    assert_eq!(a.coverage.source_ids, ["swebench-html", "swebench-json"]);
}

#[test]
fn a_source_outside_the_lineage_is_its_own_source() {
    // An evaluator's 64.0 for GPT-5 (dated 2024-06-01) is more than a point from the
    // lineage's 60.0: a disagreement between two sources, the lineage counting once.
    let mut claims = claims();
    claims.push(score(5, "helm", "2024-09-01", "GPT-5", "mmlu", 64.0).reported("2024-06-01"));
    let a = run_with(
        &claims,
        &story(&["mmlu"]),
        "2024-10-01",
        &swebench_lineage(),
    );
    assert_eq!(inc(row(&a, "mmlu")).best.claim_id, 3);
    assert_eq!(a.tensions.len(), 1);
    let sources: Vec<&str> = a.tensions[0]
        .items
        .iter()
        .map(|i| i.source_id.as_str())
        .collect();
    assert_eq!(sources, ["swebench-json", "helm"]);
}
