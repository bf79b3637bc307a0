//! The appendix's long lists: a page holds the latest 1,000 events and the 1,000 weightiest
//! tensions, says how many it leaves to the JSON, and the JSON keeps them all.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{d, score, sources};
use gapwatch_analysis::{Analysis, AnalysisOptions, analyze};
use gapwatch_model::{ClaimSet, Registry, Story};
use gapwatch_report::{Block, Digest, Inline, render_markdown};

const REGISTRY: &str = r#"
[[model]]
id = "gpt-4o"
name = "GPT-4o"
organization = "OpenAI"
access = "closed"

[[model]]
id = "llama"
name = "Llama 3.1 405B"
organization = "Meta"
access = "open-weights"

[[benchmark]]
id = "mmlu"
name = "MMLU"
unit = "percent"
"#;

const STORY: &str = r#"
id = "s"
title = "Open weights vs closed"
benchmarks = ["mmlu"]
parity = { value = 2.0, unit = "points" }
incumbent = { id = "closed", label = "Closed", access = ["closed"] }
challenger = { id = "open", label = "Open weights", access = ["open-weights"] }
"#;

/// An analysis with one timeline event and one tension repeated `n` times, each copy a day
/// later (events) or with its own claim ids (tensions).
fn long_analysis(n: usize) -> (Story, ClaimSet, Analysis) {
    let registry = Registry::from_toml_str(REGISTRY, "registry").unwrap();
    let story = Story::from_toml_str(STORY, "story").unwrap();
    let claims = ClaimSet::from_records(&[
        score(1, "a", "2024-03-01", "GPT-4o", "mmlu", 90.0),
        score(2, "a", "2024-03-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(3, "b", "2024-03-01", "Llama 3.1 405B", "mmlu", 70.0),
    ]);
    let mut analysis = analyze(
        &claims,
        &registry,
        &story,
        d("2024-04-01"),
        &AnalysisOptions::default(),
    );
    let event = analysis.timeline.first().expect("a first result").clone();
    let tension = analysis
        .tensions
        .first()
        .expect("two sources disagree")
        .clone();
    analysis.timeline = (0..n)
        .map(|i| {
            let mut e = event.clone();
            e.date = event.date.add_days(i as i64);
            e
        })
        .collect();
    analysis.tensions = (0..n)
        .map(|i| {
            let mut t = tension.clone();
            for item in &mut t.items {
                item.claim_id += 10 * i as i64;
            }
            t
        })
        .collect();
    (story, claims, analysis)
}

fn digest(story: &Story, claims: &ClaimSet, analysis: &Analysis) -> Digest {
    common::digest(
        story,
        claims,
        analysis,
        &[],
        &sources(&[("a", "Board a"), ("b", "Board b")]),
        1,
    )
}

fn plain(line: &[Inline]) -> String {
    line.iter()
        .map(|i| match i {
            Inline::Text { value } => value.clone(),
            _ => String::new(),
        })
        .collect()
}

/// The section's notice (its first paragraph, if any) and its number of bullets.
fn section(digest: &Digest, id: &str) -> (Option<String>, usize) {
    let s = digest
        .sections
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no section {id}"));
    let notice = s.blocks.iter().find_map(|b| match b {
        Block::Paragraph { line } => Some(plain(line)),
        _ => None,
    });
    let bullets = s
        .blocks
        .iter()
        .map(|b| match b {
            Block::Bullets { items, .. } => items.len(),
            _ => 0,
        })
        .sum();
    (notice, bullets)
}

#[test]
fn long_lists_are_cut_to_a_page_and_say_so() {
    let (story, claims, analysis) = long_analysis(1_203);
    let digest = digest(&story, &claims, &analysis);
    let (notice, bullets) = section(&digest, "full-timeline");
    assert_eq!(bullets, 1_000);
    assert_eq!(
        notice.as_deref(),
        Some("The latest 1000 of 1203 events; the JSON has them all.")
    );
    let (notice, bullets) = section(&digest, "all-tensions");
    assert_eq!(bullets, 1_000);
    assert_eq!(
        notice.as_deref(),
        Some("The 1000 that matter most of 1203; the JSON has them all.")
    );
    // The JSON keeps every one.
    assert_eq!(digest.analysis.timeline.len(), 1_203);
    assert_eq!(digest.analysis.tensions.len(), 1_203);
    // The page keeps the latest events: the last one listed is the last day's.
    let markdown = render_markdown(&digest);
    let last_day = analysis.timeline.last().unwrap().date.to_string();
    let first_day = analysis.timeline.first().unwrap().date.to_string();
    let start = markdown.find("Full timeline").unwrap();
    let end = start + markdown[start..].find("Every tension").unwrap();
    let appendix = &markdown[start..end];
    assert!(appendix.contains(&last_day), "{last_day} missing");
    assert!(!appendix.contains(&first_day), "{first_day} kept");
}

#[test]
fn short_lists_are_whole_and_carry_no_notice() {
    let (story, claims, analysis) = long_analysis(12);
    let digest = digest(&story, &claims, &analysis);
    assert_eq!(section(&digest, "full-timeline"), (None, 12));
    assert_eq!(section(&digest, "all-tensions"), (None, 12));
}
