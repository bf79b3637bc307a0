//! The timeline over the whole history, and the changes between two analyses.

mod common;

use common::*;
use gapwatch_analysis::{ChangeKind, TimelineKind, changes};
use gapwatch_model::{ClaimRecord, Evaluator, Materiality, Story};

/// MMLU, one claim per step (observed on its result date):
///  1. 2024-01-15 GPT-4o 86.0 (closed): the first result.
///  2. 2024-03-01 Llama 82.0 (open): first open result, 4.0 behind.
///  3. 2024-06-20 Claude 88.0 (closed): new closed leader, open 6.0 behind.
///  4. 2024-09-01 Qwen 86.5 (open): new open leader, 1.5 behind: parity (2-point margin).
///  5. 2024-12-20 DeepSeek 88.3 (open): new open leader, ahead by 0.3: open leads.
///  6. 2025-02-01 GPT-5 91.0 (closed): new closed leader, open 2.7 behind: parity lost.
///  7. 2025-04-01 Llama 92.0 (open): open leads again (Llama is a new open leader too).
///
/// HumanEval: GPT-4o 90.2 and Llama 89.0 both on 2024-05-13: first results at parity.
/// A self-reported 87.0 for GPT-4o on HumanEval disagrees with the third-party 90.2.
fn base() -> Vec<ClaimRecord> {
    vec![
        score(1, "board", "2024-01-15", "GPT-4o", "mmlu", 86.0),
        score(2, "board", "2024-03-01", "Llama 3.1 405B", "mmlu", 82.0),
        score(3, "board", "2024-06-20", "Claude 3.5 Sonnet", "mmlu", 88.0),
        score(4, "board", "2024-09-01", "Qwen2.5 72B", "mmlu", 86.5),
        score(5, "board", "2024-12-20", "DeepSeek-V3", "mmlu", 88.3),
        score(6, "board", "2025-02-01", "GPT-5", "mmlu", 91.0),
        score(7, "board", "2025-04-01", "Llama 3.1 405B", "mmlu", 92.0),
        score(10, "evalplus", "2024-05-13", "GPT-4o", "humaneval", 90.2),
        score(
            11,
            "evalplus",
            "2024-05-13",
            "Llama 3.1 405B",
            "humaneval",
            89.0,
        ),
        score(12, "paper", "2024-05-13", "GPT-4o", "humaneval", 87.0).by(Evaluator::SelfReported),
    ]
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

#[test]
fn the_timeline_replays_the_parity_map_date_by_date() {
    let a = run(&base(), &the_story(), "2025-06-30");
    let events: Vec<(String, &str, TimelineKind)> = a
        .timeline
        .iter()
        .map(|e| (e.date.to_string(), e.benchmark.as_str(), e.kind))
        .collect();
    use TimelineKind::*;
    let expected = [
        ("2024-01-15", "mmlu", FirstData),
        ("2024-03-01", "mmlu", LeaderChange),
        ("2024-05-13", "humaneval", FirstData),
        ("2024-05-13", "humaneval", ParityReached),
        ("2024-06-20", "mmlu", LeaderChange),
        ("2024-09-01", "mmlu", LeaderChange),
        ("2024-09-01", "mmlu", ParityReached),
        ("2024-12-20", "mmlu", LeaderChange),
        ("2024-12-20", "mmlu", ChallengerLeads),
        ("2025-02-01", "mmlu", LeaderChange),
        ("2025-02-01", "mmlu", ParityLost),
        ("2025-04-01", "mmlu", LeaderChange),
        ("2025-04-01", "mmlu", ChallengerLeads),
    ];
    let expected: Vec<(String, &str, TimelineKind)> = expected
        .iter()
        .map(|(d, b, k)| ((*d).to_owned(), *b, *k))
        .collect();
    assert_eq!(events, expected);

    let text: Vec<&str> = a.timeline.iter().map(|e| e.description.as_str()).collect();
    assert_eq!(text[0], "First result on MMLU: GPT-4o (closed) at 86.0%.");
    assert_eq!(
        text[1],
        "First open weights result on MMLU: Llama 3.1 405B at 82.0%."
    );
    assert_eq!(
        text[2],
        "First results on HumanEval: GPT-4o (closed) at 90.2% and Llama 3.1 405B (open weights) at 89.0%."
    );
    assert_eq!(
        text[4],
        "Claude 3.5 Sonnet takes the closed lead on MMLU at 88.0%, ahead of GPT-4o at 86.0%."
    );
    // 88.0 - 86.5 = 1.5 points; 1.5 / 88.0 = 1.70%.
    assert_eq!(
        text[6],
        "Qwen2.5 72B (open weights) at 86.5% comes within 2 points of Claude 3.5 Sonnet (closed) \
         at 88.0% on MMLU, 1.5 points (1.70% relative) behind."
    );
    assert_eq!(
        text[8],
        "DeepSeek-V3 (open weights) at 88.3% leads MMLU for the first time, ahead of Claude 3.5 \
         Sonnet (closed) at 88.0%."
    );
    // 91.0 - 88.3 = 2.7 points; 2.7 / 91.0 = 2.97%.
    assert_eq!(
        text[10],
        "The best open weights result falls outside 2 points on MMLU: GPT-5 (closed) at 91.0% \
         against DeepSeek-V3 (open weights) at 88.3%, 2.7 points (2.97% relative) behind."
    );
    assert!(text[12].contains("leads MMLU again"), "{}", text[12]);
    assert_eq!(a.timeline[10].claim_ids, [6, 5]);
}

#[test]
fn the_timeline_stops_at_the_as_of_date() {
    let a = run(&base(), &the_story(), "2024-06-30");
    assert_eq!(a.timeline.len(), 5);
    assert!(a.timeline.iter().all(|e| e.date <= d("2024-06-30")));
}

#[test]
fn without_a_previous_version_every_benchmark_with_results_is_new() {
    let a = run(&base(), &the_story(), "2024-10-01");
    let found = changes(None, &a, &Materiality::default());
    // MMLU and HumanEval have results; GPQA has none and gets no bullet.
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|c| c.kind == ChangeKind::FirstVersion));
    assert_eq!(found[0].benchmark.as_deref(), Some("mmlu"));
    assert_eq!(
        found[0].description,
        "First version. MMLU: best Claude 3.5 Sonnet (closed) at 88.0% and best Qwen2.5 72B \
         (open weights) at 86.5%; open weights behind by 1.5 points (1.70% relative), at parity."
    );
    assert_eq!(found[0].claim_ids, [3, 4]);
}

#[test]
fn material_changes_between_two_versions() {
    // Previous version as of 2024-10-01: MMLU Claude 88.0 vs Qwen 86.5 (1.5 behind, parity);
    // the HumanEval self-reported 87.0 vs third-party 90.2 is a tension; GPQA has no data;
    // the lead forecast is open.
    // Current version as of 2025-02-15, with three more claims:
    //  - GPQA gets its first result (GPT-4o 60.0 on 2024-11-01);
    //  - the paper corrects GPT-4o's HumanEval to 90.0: within 1.0 of 90.2, settled;
    //  - another source has GPT-5 at 85.0 on MMLU (2025-01-15), against the board's 91.0:
    //    a new tension.
    // MMLU is now GPT-5 91.0 vs DeepSeek 88.3: both leaders changed, parity lost, and the
    // gap moved from 1.5 to 2.7 points (1.2 > 1.0). The lead forecast resolved yes on
    // 2024-12-20, when DeepSeek led.
    let mut claims = base();
    claims.push(score(
        20,
        "gpqa",
        "2024-11-01",
        "GPT-4o",
        "gpqa-diamond",
        60.0,
    ));
    claims.push(
        score(21, "paper", "2024-12-01", "GPT-4o", "humaneval", 90.0).by(Evaluator::SelfReported),
    );
    claims.push(score(22, "other", "2025-01-15", "GPT-5", "mmlu", 85.0));
    let story = the_story();
    let before = run(&claims, &story, "2024-10-01");
    let after = run(&claims, &story, "2025-02-15");
    let found = changes(Some(&before), &after, &story.materiality);
    let kinds: Vec<ChangeKind> = found.iter().map(|c| c.kind).collect();
    use ChangeKind::*;
    assert_eq!(
        kinds,
        [
            NewLeader,
            NewLeader,
            ParityFlip,
            GapMoved,
            NewBenchmarkData,
            ForecastChanged,
            TensionAppeared,
            TensionSettled
        ]
    );
    let text: Vec<&str> = found.iter().map(|c| c.description.as_str()).collect();
    assert_eq!(
        text[0],
        "GPT-5 (closed) at 91.0% now has the best closed result on MMLU, ahead of Claude 3.5 Sonnet at 88.0%."
    );
    assert_eq!(
        text[1],
        "DeepSeek-V3 (open weights) at 88.3% now has the best open weights result on MMLU, ahead of Qwen2.5 72B at 86.5%."
    );
    assert_eq!(
        text[2],
        "MMLU is no longer at parity: GPT-5 (closed) at 91.0% against DeepSeek-V3 (open weights) \
         at 88.3%, 2.7 points (2.97% relative) behind."
    );
    assert_eq!(
        text[3],
        "The MMLU gap widened from 1.5 points to 2.7 points."
    );
    assert_eq!(
        text[4],
        "New results. GPQA Diamond: best GPT-4o (closed) at 60.0%; no open weights result yet."
    );
    assert_eq!(
        text[5],
        "\u{201c}An open-weights model leads MMLU by mid-2025\u{201d}, read as within 0 points: now \
         resolved yes (on 2024-12-20), was open."
    );
    assert!(
        text[6].starts_with("Sources disagree on GPT-5 on MMLU"),
        "{}",
        text[6]
    );
    assert_eq!(
        text[7],
        "Settled: the values for GPT-4o on HumanEval now agree within tolerance."
    );
    assert_eq!(found[0].claim_ids, [6, 5]);
    assert_eq!(found[7].claim_ids, [10, 12]);

    // Nothing changed: no changes.
    assert!(changes(Some(&after), &after, &story.materiality).is_empty());
    // A higher threshold makes the 1.2-point move immaterial.
    let lenient = Materiality {
        gap_change_points: 1.5,
    };
    assert!(
        !changes(Some(&before), &after, &lenient)
            .iter()
            .any(|c| c.kind == GapMoved)
    );
}
