//! Perspectives tested against the evidence (docs/analysis.md §10): each proposition checked
//! on its statement date and on the version's date, and the Evolution between them.

mod common;

use std::collections::BTreeMap;

use common::*;
use gapwatch_analysis::{
    Change, Evolution, PerspectiveStatus, evaluate_perspectives, perspective_changes,
    perspective_dates,
};
use gapwatch_model::{ClaimRecord, Story};

fn dated(id: i64, model: &str, benchmark: &str, value: f64, date: &str) -> ClaimRecord {
    score(id, "board", date, model, benchmark, value).reported(date)
}

/// A perspective entry quoting `quote`, stated on `on`, with `proposition` (TOML inline).
fn perspective(id: &str, on: &str, proposition: &str) -> String {
    format!(
        "\n[[perspective]]\nid = \"{id}\"\nactor = \"Actor {id}\"\nactor_kind = \"analyst\"\nstated_on = \"{on}\"\nsource = \"article\"\nquote = \"words of {id}\"\n{proposition}\n"
    )
}

fn story_of(benchmarks: &[&str], perspectives: &[String]) -> Story {
    story_with(
        benchmarks,
        r#"{ value = 2.0, unit = "points" }"#,
        &perspectives.concat(),
    )
}

/// Evaluates the story's perspectives as of `as_of`, computing the earlier analyses they
/// need from the same claims, as publishing does.
fn evaluate(claims: &[ClaimRecord], story: &Story, as_of: &str) -> Vec<PerspectiveStatus> {
    let now = run(claims, story, as_of);
    let earlier: BTreeMap<_, _> = perspective_dates(&story.perspectives, d(as_of))
        .into_iter()
        .map(|date| (date, run(claims, story, &date.to_string())))
        .collect();
    evaluate_perspectives(&story.perspectives, &now, &earlier)
}

fn status<'a>(all: &'a [PerspectiveStatus], id: &str) -> &'a PerspectiveStatus {
    all.iter()
        .find(|p| p.perspective_id == id)
        .unwrap_or_else(|| panic!("no perspective {id}"))
}

/// MMLU: the open frontier reaches 70 three months after the closed one (91 days); later 80,
/// five months after (153 days).
fn lag_claims() -> Vec<ClaimRecord> {
    vec![
        dated(1, "Gemini 1.5 Pro", "mmlu", 70.0, "2024-01-01"),
        dated(2, "Llama 3.1 405B", "mmlu", 70.0, "2024-04-01"),
        dated(3, "GPT-5", "mmlu", 80.0, "2024-05-01"),
        dated(4, "DeepSeek-V3", "mmlu", 80.0, "2024-10-01"),
    ]
}

fn lag_within(lo: f64, hi: f64) -> String {
    format!(
        "proposition = {{ kind = \"median-lag-within\", min_months = {lo}, max_months = {hi} }}"
    )
}

#[test]
fn a_median_lag_range_is_supported_weakened_or_contradicted_by_where_the_median_moved() {
    let story = story_of(
        &["mmlu"],
        &[
            perspective("wide", "2024-04-15", &lag_within(2.5, 8.0)),
            perspective("edge", "2024-04-15", &lag_within(1.0, 5.5)),
            perspective("narrow", "2024-04-15", &lag_within(1.0, 4.5)),
        ],
    );
    // When stated, the median lag is 91 days; as of 2024-10-15 it is 153 days.
    let all = evaluate(&lag_claims(), &story, "2024-10-15");
    let wide = status(&all, "wide");
    let then = wide.then.as_ref().unwrap();
    let now = wide.now.as_ref().unwrap();
    assert!(close(then.median_lag_months.unwrap(), months(91)));
    assert!(close(now.median_lag_months.unwrap(), months(153)));
    assert_eq!((then.as_of, now.as_of), (d("2024-04-15"), d("2024-10-15")));
    assert_eq!(now.lag_rows, 1);
    // Further from its edges than when stated.
    assert_eq!(wide.evolution, Evolution::Supported);
    // Still within, but 0.5 months from the upper bound where it was 2 months from the lower.
    assert_eq!(status(&all, "edge").evolution, Evolution::Weakened);
    assert_eq!(status(&all, "narrow").evolution, Evolution::Contradicted);
    // The deciding claims: the lag's two claims, closed first.
    assert_eq!(wide.claim_ids, [3, 4]);
    assert_eq!(then.claim_ids, [1, 2]);

    // Before the open model reaches 80, nothing moved: each stands as when stated.
    let all = evaluate(&lag_claims(), &story, "2024-06-15");
    for p in &all {
        assert_eq!(p.evolution, Evolution::Supported, "{}", p.perspective_id);
    }
}

#[test]
fn without_a_median_lag_or_a_proposition_a_perspective_is_untestable() {
    let story = story_of(
        &["mmlu"],
        &[
            perspective("early", "2024-01-15", &lag_within(1.0, 5.0)),
            perspective("opinion", "2024-01-15", ""),
            perspective("later", "2024-12-01", &lag_within(1.0, 5.0)),
        ],
    );
    // As of 2024-02-01 only the closed side has a result.
    let all = evaluate(&lag_claims(), &story, "2024-02-01");
    let ids: Vec<&str> = all.iter().map(|p| p.perspective_id.as_str()).collect();
    assert_eq!(ids, ["early", "opinion"], "not yet stated: not evaluated");
    let early = status(&all, "early");
    assert_eq!(early.evolution, Evolution::Untestable);
    assert_eq!(early.now.as_ref().unwrap().holds, None);
    assert!(early.claim_ids.is_empty());
    let opinion = status(&all, "opinion");
    assert_eq!(opinion.evolution, Evolution::Untestable);
    assert!(opinion.now.is_none() && opinion.then.is_none());
    assert_eq!(opinion.quote, "words of opinion");
    assert_eq!(
        perspective_dates(&story.perspectives, d("2024-02-01")),
        [d("2024-01-15")].into()
    );
}

#[test]
fn ranges_that_cannot_both_hold_are_a_tension() {
    let story = story_of(
        &["mmlu"],
        &[
            perspective("months", "2024-04-15", &lag_within(1.1, 5.3)),
            perspective("a-year", "2024-04-15", &lag_within(6.0, 22.0)),
            perspective("overlaps", "2024-04-15", &lag_within(5.0, 22.0)),
        ],
    );
    let all = evaluate(&lag_claims(), &story, "2024-10-15");
    assert_eq!(status(&all, "months").in_tension_with, ["a-year"]);
    assert_eq!(status(&all, "a-year").in_tension_with, ["months"]);
    assert!(status(&all, "overlaps").in_tension_with.is_empty());
}

/// MMLU and HumanEval, both led by the open side in June; by October the closed side is
/// back ahead on HumanEval by 5 points, and MMLU's open lead is 1 point.
fn two_rows() -> Vec<ClaimRecord> {
    vec![
        dated(1, "GPT-4o", "mmlu", 80.0, "2024-06-01"),
        dated(2, "Llama 3.1 405B", "mmlu", 82.0, "2024-06-01"),
        dated(3, "GPT-4o", "humaneval", 85.0, "2024-06-01"),
        dated(4, "Qwen2.5 72B", "humaneval", 86.0, "2024-06-01"),
        dated(5, "GPT-5", "humaneval", 91.0, "2024-10-01"),
        dated(6, "GPT-5", "mmlu", 81.0, "2024-10-01"),
    ]
}

#[test]
fn leads_and_parity_count_the_named_headline_rows() {
    let benchmarks = "benchmarks = [\"mmlu\", \"humaneval\"]";
    let story = story_of(
        &["mmlu", "humaneval"],
        &[
            perspective(
                "leads",
                "2024-06-15",
                &format!("proposition = {{ kind = \"challenger-leads\", {benchmarks} }}"),
            ),
            perspective(
                "leads-mmlu",
                "2024-06-15",
                "proposition = { kind = \"challenger-leads\", benchmarks = [\"mmlu\"] }",
            ),
            perspective(
                "parity-1",
                "2024-06-15",
                &format!("proposition = {{ kind = \"parity-at-least\", {benchmarks}, k = 1 }}"),
            ),
            perspective(
                "parity-2",
                "2024-06-15",
                &format!("proposition = {{ kind = \"parity-at-least\", {benchmarks}, k = 2 }}"),
            ),
        ],
    );
    let june = evaluate(&two_rows(), &story, "2024-06-15");
    for p in &june {
        assert_eq!(p.evolution, Evolution::Supported, "{}", p.perspective_id);
    }
    let october = evaluate(&two_rows(), &story, "2024-10-15");
    // On all of them: HumanEval is no longer led.
    let leads = status(&october, "leads");
    assert_eq!(leads.evolution, Evolution::Contradicted);
    let rows = &leads.now.as_ref().unwrap().rows;
    assert_eq!(rows.len(), 2);
    assert!(rows[0].challenger_leads && !rows[1].challenger_leads);
    assert!((rows[1].gap.unwrap().points - 5.0).abs() < 1e-9);
    // The deciding rows' bests: MMLU's, then HumanEval's, closed first.
    assert_eq!(leads.claim_ids, [6, 2, 5, 4]);
    assert_eq!(
        status(&october, "leads-mmlu").evolution,
        Evolution::Supported
    );
    // Parity on one of two still holds, but on fewer than when stated.
    assert_eq!(status(&october, "parity-1").evolution, Evolution::Weakened);
    assert_eq!(
        status(&october, "parity-2").evolution,
        Evolution::Contradicted
    );
}

#[test]
fn a_benchmark_the_story_does_not_track_leaves_a_proposition_untestable() {
    let story = story_of(
        &["mmlu"],
        &[perspective(
            "elsewhere",
            "2024-06-15",
            "proposition = { kind = \"challenger-leads\", benchmarks = [\"gpqa-diamond\"] }",
        )],
    );
    let all = evaluate(&two_rows(), &story, "2024-10-15");
    let p = status(&all, "elsewhere");
    assert_eq!(p.evolution, Evolution::Untestable);
    assert_eq!(p.now.as_ref().unwrap().rows[0].row, None);
}

/// MMLU's gap: 10 points in March, 4 in August; HumanEval's: 2 points, then 6.
fn trends() -> Vec<ClaimRecord> {
    vec![
        dated(1, "GPT-4o", "mmlu", 90.0, "2024-03-01"),
        dated(2, "Llama 3.1 405B", "mmlu", 80.0, "2024-03-01"),
        dated(3, "Qwen2.5 72B", "mmlu", 86.0, "2024-08-01"),
        dated(4, "GPT-4o", "humaneval", 90.0, "2024-03-01"),
        dated(5, "Llama 3.1 405B", "humaneval", 88.0, "2024-03-01"),
        dated(6, "GPT-5", "humaneval", 94.0, "2024-08-01"),
    ]
}

fn trend(direction: &str, benchmarks: &str, since: &str) -> String {
    format!(
        "proposition = {{ kind = \"gap-trend\", benchmarks = {benchmarks}, direction = \"{direction}\"{since} }}"
    )
}

#[test]
fn a_trend_compares_each_gap_at_the_window_start_with_the_gap_now() {
    let story = story_of(
        &["mmlu", "humaneval"],
        &[
            perspective(
                "mmlu-narrows",
                "2024-04-01",
                &trend("narrows", "[\"mmlu\"]", ""),
            ),
            perspective(
                "mmlu-widens",
                "2024-04-01",
                &trend("widens", "[\"mmlu\"]", ""),
            ),
            perspective(
                "both-narrow",
                "2024-04-01",
                &trend("narrows", "[\"mmlu\", \"humaneval\"]", ""),
            ),
            perspective(
                "since-march",
                "2024-08-10",
                &trend("narrows", "[\"mmlu\"]", ", since = \"2024-03-15\""),
            ),
        ],
    );
    // On the day they were stated, nothing has moved yet.
    let april = evaluate(&trends(), &story, "2024-04-01");
    for p in &april {
        assert_eq!(p.evolution, Evolution::Untestable, "{}", p.perspective_id);
    }
    let august = evaluate(&trends(), &story, "2024-08-15");
    let narrows = status(&august, "mmlu-narrows");
    assert_eq!(narrows.evolution, Evolution::Supported);
    let then = narrows.then.as_ref().unwrap();
    let now = narrows.now.as_ref().unwrap();
    assert!((then.rows[0].gap.unwrap().points - 10.0).abs() < 1e-9);
    assert!((now.rows[0].gap.unwrap().points - 4.0).abs() < 1e-9);
    // The start of a window says nothing by itself.
    assert_eq!(then.holds, None);
    // Cited: the bests now, then those at the start.
    assert_eq!(narrows.claim_ids, [1, 3, 2]);
    assert_eq!(
        status(&august, "mmlu-widens").evolution,
        Evolution::Contradicted
    );
    // MMLU narrowed, HumanEval widened.
    assert_eq!(
        status(&august, "both-narrow").evolution,
        Evolution::Weakened
    );
    // Measured from its own start, before it was stated.
    let since = status(&august, "since-march");
    assert_eq!(since.then.as_ref().unwrap().as_of, d("2024-03-15"));
    assert_eq!(since.evolution, Evolution::Supported);
    // Opposite trends over one window on one benchmark cannot both hold.
    assert_eq!(narrows.in_tension_with, ["mmlu-widens"]);
    assert_eq!(
        status(&august, "mmlu-widens").in_tension_with,
        ["mmlu-narrows", "both-narrow"]
    );
    assert!(since.in_tension_with.is_empty(), "a different window");
}

#[test]
fn an_evolution_that_changed_is_news_and_a_new_perspective_is_not() {
    let story = story_of(
        &["mmlu"],
        &[perspective("edge", "2024-04-15", &lag_within(1.0, 5.5))],
    );
    let before = evaluate(&lag_claims(), &story, "2024-06-15");
    let after = evaluate(&lag_claims(), &story, "2024-10-15");
    let changes = perspective_changes(Some(&before), &after);
    assert_eq!(changes.len(), 1);
    match &changes[0] {
        Change::PerspectiveChanged {
            perspective_id,
            actor,
            before,
            after,
            claim_ids,
        } => {
            assert_eq!(perspective_id, "edge");
            assert_eq!(actor, "Actor edge");
            assert_eq!(*before, Some(Evolution::Supported));
            assert_eq!(*after, Evolution::Weakened);
            assert_eq!(claim_ids, &[3, 4]);
        }
        other => panic!("{other:?}"),
    }
    assert!(changes[0].is_material());
    assert_eq!(changes[0].claim_ids(), [3, 4]);
    assert!(changes[0].row().is_none());
    // Unchanged: nothing to report.
    assert!(perspective_changes(Some(&after), &after).is_empty());
    // New in this version: listed, not news by itself.
    let new = perspective_changes(Some(&[]), &after);
    assert_eq!(new.len(), 1);
    assert!(!new[0].is_material());
    // A previous version that recorded no perspectives: nothing can be compared.
    assert!(perspective_changes(None, &after).is_empty());
}
