//! The timeline (docs/analysis.md §8): every date a row's best changed, with first results,
//! leader changes (records or not), leads and parity.

mod common;

use common::*;
use gapwatch_analysis::{Cohort, TimelineKind};
use gapwatch_model::ClaimRecord;

fn dated(id: i64, model: &str, benchmark: &str, value: f64, date: &str) -> ClaimRecord {
    score(id, "board", date, model, benchmark, value).reported(date)
}

/// MMLU, one step at a time:
///  1. 2024-01-15 GPT-5 86.0 (closed): the first result.
///  2. 2024-03-01 Llama 82.0 (open): the first open result, 4.0 behind.
///  3. 2024-06-20 Claude 88.0 (closed): a closed record, 6.0 behind.
///  4. 2024-09-01 DeepSeek 86.5 (open): an open record, 1.5 behind: parity (2 points).
///  5. 2024-12-20 GLM 88.3 (open): the open side leads, for the first time.
///  6. 2025-02-01 Gemini 91.0 (closed): the closed side is back ahead, 2.7: parity lost.
///  7. 2025-04-01 Llama 92.0 (open): the open side leads again.
///
/// HumanEval: GPT-5 90.2 and Llama 89.0 both on 2024-05-13, at parity from the start.
fn claims() -> Vec<ClaimRecord> {
    vec![
        dated(1, "GPT-5", "mmlu", 86.0, "2024-01-15"),
        dated(2, "Llama 3.1 405B", "mmlu", 82.0, "2024-03-01"),
        dated(3, "Claude 3.5 Sonnet", "mmlu", 88.0, "2024-06-20"),
        dated(4, "DeepSeek-V3", "mmlu", 86.5, "2024-09-01"),
        dated(5, "GLM-4.5", "mmlu", 88.3, "2024-12-20"),
        dated(6, "Gemini 1.5 Pro", "mmlu", 91.0, "2025-02-01"),
        dated(7, "Llama 3.1 405B", "mmlu", 92.0, "2025-04-01"),
        dated(10, "GPT-5", "humaneval", 90.2, "2024-05-13"),
        dated(11, "Llama 3.1 405B", "humaneval", 89.0, "2024-05-13"),
    ]
}

#[test]
fn the_timeline_replays_each_row_date_by_date() {
    let a = run(&claims(), &story(&["mmlu", "humaneval"]), "2025-06-30");
    let events: Vec<(String, &str, TimelineKind)> = a
        .timeline
        .iter()
        .map(|e| (e.date.to_string(), e.row.benchmark.as_str(), e.kind))
        .collect();
    use TimelineKind::*;
    let expected = [
        ("2024-01-15", "mmlu", FirstData),
        ("2024-03-01", "mmlu", FirstCohortResult),
        ("2024-05-13", "humaneval", FirstData),
        ("2024-05-13", "humaneval", ParityReached),
        ("2024-06-20", "mmlu", LeaderChange),
        ("2024-09-01", "mmlu", LeaderChange),
        ("2024-09-01", "mmlu", ParityReached),
        ("2024-12-20", "mmlu", LeaderChange),
        ("2024-12-20", "mmlu", ChallengerLeads),
        ("2025-02-01", "mmlu", LeaderChange),
        ("2025-02-01", "mmlu", IncumbentLeads),
        ("2025-02-01", "mmlu", ParityLost),
        ("2025-04-01", "mmlu", LeaderChange),
        ("2025-04-01", "mmlu", ChallengerLeads),
    ];
    let expected: Vec<(String, &str, TimelineKind)> = expected
        .iter()
        .map(|(d, b, k)| ((*d).to_owned(), *b, *k))
        .collect();
    assert_eq!(events, expected);

    let t = &a.timeline;
    // The first result names its entry on its side.
    assert_eq!(t[0].incumbent.as_ref().unwrap().claim_id, 1);
    assert!(t[0].challenger.is_none());
    // The first open result.
    assert_eq!(t[1].cohort, Some(Cohort::Challenger));
    assert_eq!(t[1].entry.as_ref().unwrap().claim_id, 2);
    assert!(close(t[1].gap.unwrap().points, 4.0));
    // HumanEval starts with both sides.
    assert_eq!(t[2].claim_ids(), [10, 11]);
    // Claude's 88.0 is a closed record over GPT-5's 86.0.
    assert_eq!(t[4].cohort, Some(Cohort::Incumbent));
    assert_eq!(t[4].previous.as_ref().unwrap().claim_id, 1);
    assert!(t[4].record);
    // Parity reached at 1.5 behind.
    assert!(close(t[6].gap.unwrap().points, 1.5));
    // The first lead, then the closed side back ahead by 2.7, then a lead again.
    assert!(t[8].first_time);
    assert!(close(t[8].gap.unwrap().points, -0.3));
    assert!(close(t[11].gap.unwrap().points, 2.7));
    assert_eq!(t[11].claim_ids(), [6, 5]);
    assert!(!t[13].first_time);
    assert_eq!(t[12].previous.as_ref().unwrap().claim_id, 5);
}

#[test]
fn the_timeline_stops_at_the_as_of_date() {
    let a = run(&claims(), &story(&["mmlu", "humaneval"]), "2024-06-30");
    assert_eq!(a.timeline.len(), 5);
    assert!(a.timeline.iter().all(|e| e.date <= d("2024-06-30")));
}

#[test]
fn a_leader_change_after_a_downward_revision_is_not_a_record() {
    // DeepSeek led the open side at 85.0; the board's next snapshot revises it to 79.0, and
    // Llama's 80.0 takes over on that date: a new leader, not a new record.
    let claims = [
        score(1, "board", "2024-06-01", "GPT-5", "mmlu", 88.0),
        score(2, "board", "2024-06-01", "DeepSeek-V3", "mmlu", 85.0),
        score(3, "board", "2024-06-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(4, "board", "2024-09-01", "DeepSeek-V3", "mmlu", 79.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-10-01");
    let last = a.timeline.last().unwrap();
    assert_eq!(
        (last.date, last.kind),
        (d("2024-09-01"), TimelineKind::LeaderChange)
    );
    assert_eq!(last.entry.as_ref().unwrap().claim_id, 3);
    assert_eq!(last.previous.as_ref().unwrap().claim_id, 2);
    assert!(!last.record);
}
