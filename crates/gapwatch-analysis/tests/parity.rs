//! Sides, gap and parity (docs/analysis.md §4.1): the best of each cohort, ties, the signed
//! gap in either direction of metric, parity in points or relative, and missing sides.

mod common;

use common::*;
use gapwatch_analysis::{Cohort, NotComparable, RowNote, RowRole};
use gapwatch_model::{Evaluator, Unit};

#[test]
fn the_best_of_each_cohort_and_the_gap_in_points_and_relative() {
    // Closed: GPT-5 88.7, Claude 88.3. Open: Llama 86.2, DeepSeek 85.0.
    // Gap = 88.7 - 86.2 = 2.5 points; relative = 2.5 / 88.7 * 100 = 2.8185%.
    let claims = [
        score(1, "board", "2024-08-01", "GPT-5", "mmlu", 88.7),
        score(2, "board", "2024-08-01", "Claude 3.5 Sonnet", "mmlu", 88.3),
        score(3, "board", "2024-08-01", "Llama 3.1 405B", "mmlu", 86.2),
        score(4, "board", "2024-08-01", "DeepSeek-V3", "mmlu", 85.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-09-01");
    let r = row(&a, "mmlu");
    assert_eq!(r.key.benchmark_name, "MMLU");
    assert_eq!(
        (r.key.role, r.key.variant.as_str()),
        (RowRole::Headline, "")
    );
    assert_eq!(r.unit, Unit::Percent);
    assert!(r.higher_is_better);
    let best = &inc(r).best;
    assert_eq!(best.subject, "GPT-5");
    assert_eq!(best.model_ids, ["gpt-5"]);
    assert_eq!(best.claim_id, 1);
    assert_eq!(best.source_id, "board");
    assert_eq!(best.locator, "row 1");
    assert_eq!(best.evaluator, Evaluator::ThirdParty);
    assert_eq!(chal(r).best.subject, "Llama 3.1 405B");
    let g = r.gap.unwrap();
    assert!(close(g.points, 2.5), "{g:?}");
    assert!((g.relative_percent - 2.8185).abs() < 1e-4, "{g:?}");
    assert!(r.comparable);
    assert_eq!(r.parity, Some(false));
    assert!(!r.challenger_leads);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(r.claim_ids(), [1, 3]);
}

#[test]
fn the_parity_margin_in_relative_percent() {
    // 2.5 points behind 88.7 is 2.8185% relative: within 3%, not within 2.5%.
    let claims = [
        score(1, "board", "2024-08-01", "GPT-5", "mmlu", 88.7),
        score(3, "board", "2024-08-01", "Llama 3.1 405B", "mmlu", 86.2),
    ];
    let margin = |m: &str| {
        let s = story_with(&["mmlu"], m, "");
        row(&run(&claims, &s, "2024-09-01"), "mmlu").parity
    };
    assert_eq!(
        margin(r#"{ value = 3.0, unit = "relative-percent" }"#),
        Some(true)
    );
    assert_eq!(
        margin(r#"{ value = 2.5, unit = "relative-percent" }"#),
        Some(false)
    );
    assert_eq!(margin(r#"{ value = 2.5, unit = "points" }"#), Some(true));
    assert_eq!(margin(r#"{ value = 2.4, unit = "points" }"#), Some(false));
}

#[test]
fn a_challenger_ahead_leads_and_is_at_parity() {
    let claims = [
        score(1, "board", "2024-08-01", "GPT-5", "mmlu", 88.7),
        score(2, "board", "2024-08-01", "DeepSeek-V3", "mmlu", 89.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-09-01");
    let r = row(&a, "mmlu");
    assert!(close(r.gap.unwrap().points, -0.3));
    assert!(r.gap.unwrap().relative_percent < 0.0);
    assert!(r.challenger_leads);
    assert_eq!(r.parity, Some(true));
    assert_eq!(r.lag, None, "no lag when the challenger leads");
}

#[test]
fn equal_values_are_a_zero_gap_at_parity_and_not_a_lead() {
    let claims = [
        score(1, "board", "2024-07-01", "GPT-5", "mmlu", 80.0),
        score(2, "board", "2024-07-01", "Llama 3.1 405B", "mmlu", 80.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-08-01");
    let r = row(&a, "mmlu");
    assert_eq!(r.gap.unwrap().points, 0.0);
    assert_eq!(r.gap.unwrap().relative_percent, 0.0);
    assert_eq!(r.parity, Some(true));
    assert!(!r.challenger_leads);
}

#[test]
fn a_lower_is_better_metric_signs_the_gap_the_same_way() {
    // Hallucination rate, less is better. Closed best 3.0, open best 5.5: the open side
    // trails by +2.5, relative 2.5 / 3.0 = 83.33%.
    let mut claims = vec![
        score(1, "board", "2024-07-01", "GPT-5", "hallucination-rate", 3.0),
        score(
            2,
            "board",
            "2024-07-01",
            "Claude 3.5 Sonnet",
            "hallucination-rate",
            4.0,
        ),
        score(
            3,
            "board",
            "2024-07-01",
            "DeepSeek-V3",
            "hallucination-rate",
            5.5,
        ),
        score(
            4,
            "board",
            "2024-07-01",
            "Llama 3.1 405B",
            "hallucination-rate",
            6.5,
        ),
    ];
    let a = run(&claims, &story(&["hallucination-rate"]), "2024-08-01");
    let r = row(&a, "hallucination-rate");
    assert!(!r.higher_is_better);
    assert_eq!(inc(r).best.subject, "GPT-5");
    assert_eq!(chal(r).best.subject, "DeepSeek-V3");
    let g = r.gap.unwrap();
    assert!(
        close(g.points, 2.5) && close(g.relative_percent, 250.0 / 3.0),
        "{g:?}"
    );
    assert_eq!(r.parity, Some(false));

    // GLM at 2.5 beats the closed 3.0: the open side leads by 0.5.
    claims.push(score(
        5,
        "board",
        "2024-07-15",
        "GLM-4.5",
        "hallucination-rate",
        2.5,
    ));
    let a = run(&claims, &story(&["hallucination-rate"]), "2024-08-01");
    let r = row(&a, "hallucination-rate");
    assert_eq!(chal(r).best.subject, "GLM-4.5");
    assert!(close(r.gap.unwrap().points, -0.5));
    assert!(r.challenger_leads);
    assert_eq!(r.parity, Some(true));
}

#[test]
fn ties_go_to_the_earlier_date_then_the_lower_claim_id_and_name_the_others() {
    // Two open models at 71.2: Llama dated 2024-07-23 (claim 5), DeepSeek 2024-09-19
    // (claim 3). Llama is shown, although its claim id is higher: it got there first.
    let claims = [
        score(1, "board", "2024-10-01", "GPT-5", "humaneval", 80.0).reported("2024-07-01"),
        score(
            5,
            "board",
            "2024-10-01",
            "Llama 3.1 405B",
            "humaneval",
            71.2,
        )
        .reported("2024-07-23"),
        score(3, "other", "2024-10-01", "DeepSeek-V3", "humaneval", 71.2).reported("2024-09-19"),
    ];
    let a = run(&claims, &story(&["humaneval"]), "2024-10-15");
    let r = row(&a, "humaneval");
    assert_eq!(chal(r).best.claim_id, 5);
    assert_eq!(chal(r).tied_with, ["DeepSeek-V3"]);
    assert!(inc(r).tied_with.is_empty());
    assert!(r.notes.contains(&RowNote::Tie {
        cohort: Cohort::Challenger,
        subjects: vec!["Llama 3.1 405B".to_owned(), "DeepSeek-V3".to_owned()],
        earliest: true,
    }));

    // The same date: the lower claim id (3, DeepSeek) is shown.
    let claims = [
        score(1, "board", "2024-10-01", "GPT-5", "humaneval", 80.0).reported("2024-07-01"),
        score(
            5,
            "board",
            "2024-10-01",
            "Llama 3.1 405B",
            "humaneval",
            71.2,
        )
        .reported("2024-07-23"),
        score(3, "other", "2024-10-01", "DeepSeek-V3", "humaneval", 71.2).reported("2024-07-23"),
    ];
    let a = run(&claims, &story(&["humaneval"]), "2024-10-15");
    let r = row(&a, "humaneval");
    assert_eq!(chal(r).best.claim_id, 3);
    assert_eq!(chal(r).tied_with, ["Llama 3.1 405B"]);
    assert!(r.notes.contains(&RowNote::Tie {
        cohort: Cohort::Challenger,
        subjects: vec!["DeepSeek-V3".to_owned(), "Llama 3.1 405B".to_owned()],
        earliest: false,
    }));
}

#[test]
fn a_missing_cohort_gives_no_gap_and_says_which() {
    // HumanEval has only a closed result; GPQA has nothing at all.
    let claims = [score(1, "board", "2024-07-01", "GPT-5", "humaneval", 90.2)];
    let a = run(
        &claims,
        &story(&["humaneval", "gpqa-diamond"]),
        "2024-08-01",
    );
    let he = row(&a, "humaneval");
    assert!(he.challenger.is_none());
    assert_eq!((he.gap, he.parity, he.lag.as_ref()), (None, None, None));
    assert!(!he.comparable && !he.challenger_leads);
    assert_eq!(
        he.notes,
        [RowNote::MissingCohort {
            cohort: Cohort::Challenger
        }]
    );
    assert_eq!(
        he.not_comparable(),
        Some(NotComparable::MissingCohort {
            cohort: Cohort::Challenger
        })
    );
    let gpqa = row(&a, "gpqa-diamond");
    assert!(gpqa.incumbent.is_none() && gpqa.challenger.is_none());
    assert_eq!(gpqa.notes, [RowNote::NoResults]);
    assert_eq!(gpqa.not_comparable(), Some(NotComparable::NoResults));
    // Rows keep the story's order.
    let order: Vec<&str> = a.parity.iter().map(|r| r.key.benchmark.as_str()).collect();
    assert_eq!(order, ["humaneval", "gpqa-diamond"]);
}

#[test]
fn each_side_says_which_sources_report_its_best() {
    // GPT-5's 88.0 on MMLU is reported by two boards (one of them a lab's own figure, on
    // another basis); Llama's 80.0 by one.
    let claims = [
        score(1, "a", "2024-06-01", "GPT-5", "mmlu", 88.0),
        score(2, "b", "2024-06-01", "GPT-5", "mmlu", 88.0).by(Evaluator::SelfReported),
        score(3, "a", "2024-06-01", "Llama 3.1 405B", "mmlu", 80.0),
    ];
    let a = run(&claims, &story(&["mmlu"]), "2024-07-01");
    let r = row(&a, "mmlu");
    assert_eq!(inc(r).reported_by, ["a", "b"]);
    assert_eq!(chal(r).reported_by, ["a"]);
}
