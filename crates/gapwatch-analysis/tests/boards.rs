//! Ratings (docs/analysis.md §3.2): an Elo rating is relative to the models rated with it,
//! so a row of ratings compares its two sides within one leaderboard, the one whose two sides
//! were measured most recently; ratings from two leaderboards are never set against each
//! other, and a lineage of one board's files counts as one board.

mod common;

use std::collections::BTreeMap;

use common::*;
use gapwatch_analysis::{AnalysisOptions, NotComparable, RowNote};
use gapwatch_model::ClaimRecord;

const AS_OF: &str = "2025-12-31";

fn rating(id: i64, board: &str, observed: &str, model: &str, value: f64) -> ClaimRecord {
    score(id, board, observed, model, "lmarena-text", value)
}

#[test]
fn both_sides_come_from_the_board_that_measured_both_most_recently() {
    // A mirror in August rates Llama at 1,434 (its best open model) and GPT-5 at 1,450. The
    // board itself in December, its pool grown, rates GPT-5 at 1,492 and Llama at 1,420. Mixing
    // them would pair 1,492 with 1,434; the December board alone gives 1,492 against 1,420.
    let claims = [
        rating(1, "mirror", "2025-08-06", "GPT-5", 1450.0),
        rating(2, "mirror", "2025-08-06", "Llama 3.1 405B", 1434.0),
        rating(3, "arena", "2025-12-17", "GPT-5", 1492.0),
        rating(4, "arena", "2025-12-17", "Llama 3.1 405B", 1420.0),
    ];
    let a = run(&claims, &story(&["lmarena-text"]), AS_OF);
    let r = row(&a, "lmarena-text");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (3, 4));
    assert!(r.comparable);
    assert!(close(r.gap.unwrap().points, 72.0));
    // The mirror's comparison is kept beside, named as another board's.
    assert_eq!(r.alternatives.len(), 1);
    let alt = &r.alternatives[0];
    assert_eq!(alt.board.as_deref(), Some("mirror"));
    assert_eq!(
        (alt.incumbent.best.claim_id, alt.challenger.best.claim_id),
        (1, 2)
    );
    assert!(close(alt.gap.points, 16.0));
}

#[test]
fn ratings_from_two_boards_give_a_gap_but_no_verdict() {
    // Only the mirror rates an open model, only the board a closed one.
    let claims = [
        rating(1, "arena", "2025-12-17", "GPT-5", 1492.0),
        rating(2, "mirror", "2025-12-01", "Llama 3.1 405B", 1491.0),
    ];
    let a = run(&claims, &story(&["lmarena-text"]), AS_OF);
    let r = row(&a, "lmarena-text");
    assert_eq!((inc(r).best.claim_id, chal(r).best.claim_id), (1, 2));
    assert!(!r.comparable);
    assert_eq!(r.parity, None);
    assert!(!r.challenger_leads);
    assert_eq!(r.lag, None);
    let differ = RowNote::BoardsDiffer {
        incumbent: "arena".to_owned(),
        challenger: "mirror".to_owned(),
    };
    assert!(r.notes.contains(&differ), "{:?}", r.notes);
    assert_eq!(
        r.not_comparable(),
        Some(NotComparable::BoardsDiffer {
            incumbent: "arena".to_owned(),
            challenger: "mirror".to_owned(),
        })
    );
    assert!(!a.summary.comparable.contains(&r.key));
}

#[test]
fn scores_in_percent_are_pooled_across_sources() {
    // The same two sources on a benchmark scored in percent: one lane, the best of both.
    let claims = [
        score(1, "arena", "2025-12-17", "GPT-5", "mmlu", 90.0),
        score(2, "mirror", "2025-12-01", "Llama 3.1 405B", "mmlu", 89.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), AS_OF);
    let r = row(&a, "mmlu");
    assert!(r.comparable);
    assert!(r.alternatives.is_empty());
    assert_eq!(r.parity, Some(true));
}

#[test]
fn a_lineage_of_one_boards_files_is_one_board() {
    let options = AnalysisOptions {
        lineages: BTreeMap::from([
            ("arena-json".to_owned(), "arena".to_owned()),
            ("arena-csv".to_owned(), "arena".to_owned()),
        ]),
        ..AnalysisOptions::default()
    };
    let claims = [
        rating(1, "arena-json", "2025-12-17", "GPT-5", 1492.0),
        rating(2, "arena-csv", "2025-12-10", "Llama 3.1 405B", 1480.0),
    ];
    let a = run_with(&claims, &story(&["lmarena-text"]), AS_OF, &options);
    let r = row(&a, "lmarena-text");
    assert!(r.comparable, "{:?}", r.notes);
    assert!(close(r.gap.unwrap().points, 12.0));
}
