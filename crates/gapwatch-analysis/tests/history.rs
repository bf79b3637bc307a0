//! How dates are replayed (docs/analysis.md §5): history as known on the as-of date, each
//! claim taking effect on its own date, each row read on the lanes chosen for it.

mod common;

use common::*;
use gapwatch_analysis::{GapPoint, TimelineKind};
use gapwatch_model::Evaluator;

#[test]
fn a_result_takes_effect_on_its_date_not_on_its_observation() {
    // DeepSeek's 86.0 is seen in March, dated January by its source.
    let claims = [
        score(1, "board", "2024-01-05", "GPT-5", "mmlu", 88.0).reported("2024-01-05"),
        score(2, "board", "2024-03-15", "DeepSeek-V3", "mmlu", 86.0).reported("2024-01-10"),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-04-01");
    let r = row(&a, "mmlu");
    assert_eq!(
        r.history,
        [GapPoint {
            date: d("2024-01-10"),
            points: 2.0
        }]
    );
    let first_open = &a.timeline[1];
    assert_eq!(first_open.kind, TimelineKind::FirstCohortResult);
    assert_eq!(first_open.date, d("2024-01-10"));
    assert_eq!(r.lag.as_ref().unwrap().challenger_date, d("2024-01-10"));
}

#[test]
fn a_claim_observed_after_the_as_of_date_is_never_replayed() {
    // Seen on 2024-05-01, dated 2024-02-01: as of 2024-04-01 it is not known yet, though its
    // date has passed.
    let claims = [
        score(1, "board", "2024-01-05", "GPT-5", "mmlu", 88.0).reported("2024-01-05"),
        score(2, "board", "2024-01-20", "Llama 3.1 405B", "mmlu", 80.0).reported("2024-01-20"),
        score(3, "late", "2024-05-01", "DeepSeek-V3", "mmlu", 87.0).reported("2024-02-01"),
    ];
    let before = run(&claims, &story(&["mmlu"]), "2024-04-01");
    assert!(before.timeline.iter().all(|e| e.date != d("2024-02-01")));
    assert_eq!(row(&before, "mmlu").history.len(), 1);
    let after = run(&claims, &story(&["mmlu"]), "2024-05-01");
    let history: Vec<(String, f64)> = row(&after, "mmlu")
        .history
        .iter()
        .map(|p| (p.date.to_string(), p.points))
        .collect();
    assert_eq!(
        history,
        [
            ("2024-01-20".to_owned(), 8.0),
            ("2024-02-01".to_owned(), 1.0)
        ]
    );
}

#[test]
fn a_row_history_is_read_on_the_lanes_chosen_as_of_the_date() {
    // Labs' own figures on both sides since January; an independent run of the closed model
    // in February and of the open one in June. Once both independent runs are known, the
    // row and its whole history are read on them.
    let claims = [
        score(1, "lab", "2024-01-05", "GPT-5", "mmlu", 90.0)
            .reported("2024-01-05")
            .by(Evaluator::SelfReported),
        score(2, "lab2", "2024-01-10", "Llama 3.1 405B", "mmlu", 85.0)
            .reported("2024-01-10")
            .by(Evaluator::SelfReported),
        score(3, "board", "2024-02-01", "GPT-5", "mmlu", 86.0).reported("2024-02-01"),
        score(4, "board", "2024-06-01", "Llama 3.1 405B", "mmlu", 84.0).reported("2024-06-01"),
    ];
    let early = run(&claims, &story(&["mmlu"]), "2024-03-01");
    let r = row(&early, "mmlu");
    assert_eq!(chal(r).basis, Evaluator::SelfReported);
    assert_eq!(
        r.history,
        [GapPoint {
            date: d("2024-01-10"),
            points: 5.0
        }]
    );

    let later = run(&claims, &story(&["mmlu"]), "2024-09-01");
    let r = row(&later, "mmlu");
    assert_eq!(chal(r).basis, Evaluator::ThirdParty);
    assert_eq!(
        r.history,
        [GapPoint {
            date: d("2024-06-01"),
            points: 2.0
        }]
    );
    let events: Vec<(String, TimelineKind)> = later
        .timeline
        .iter()
        .map(|e| (e.date.to_string(), e.kind))
        .collect();
    assert_eq!(
        events,
        [
            ("2024-02-01".to_owned(), TimelineKind::FirstData),
            ("2024-06-01".to_owned(), TimelineKind::FirstCohortResult),
            ("2024-06-01".to_owned(), TimelineKind::ParityReached),
        ]
    );
    // The labs' own figures are kept beside, as an alternative.
    assert_eq!(r.alternatives[0].basis, Evaluator::SelfReported);
}
