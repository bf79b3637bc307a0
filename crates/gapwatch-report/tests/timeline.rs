//! The Timeline's turning points: a new best that flips the lead the same day is told once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{d, digest, score, sources};
use gapwatch_analysis::{AnalysisOptions, TimelineKind, analyze};
use gapwatch_model::{ClaimSet, Registry, Story};
use gapwatch_report::render_markdown;

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

[[model]]
id = "qwen"
name = "Qwen2.5 72B"
organization = "Alibaba"
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

#[test]
fn a_new_best_that_takes_the_lead_is_one_turning_point() {
    let registry = Registry::from_toml_str(REGISTRY, "registry").unwrap();
    let story = Story::from_toml_str(STORY, "story").unwrap();
    let claims = ClaimSet::from_records(&[
        score(1, "a", "2024-03-01", "GPT-4o", "mmlu", 90.0),
        score(2, "a", "2024-03-01", "Llama 3.1 405B", "mmlu", 80.0),
        score(3, "a", "2024-06-01", "Qwen2.5 72B", "mmlu", 92.0),
    ]);
    let analysis = analyze(
        &claims,
        &registry,
        &story,
        d("2024-07-01"),
        &AnalysisOptions::default(),
    );
    // The analysis keeps both events of that day: Qwen's new open best, and the lead.
    let that_day: Vec<TimelineKind> = analysis
        .timeline
        .iter()
        .filter(|e| e.date == d("2024-06-01"))
        .map(|e| e.kind)
        .collect();
    assert!(
        that_day.contains(&TimelineKind::LeaderChange),
        "{that_day:?}"
    );
    assert!(
        that_day.contains(&TimelineKind::ChallengerLeads),
        "{that_day:?}"
    );
    let digest = digest(
        &story,
        &claims,
        &analysis,
        &[],
        &sources(&[("a", "Board a")]),
        1,
    );
    let md = render_markdown(&digest);
    let start = md.find("## Timeline").unwrap();
    let end = start + md[start..].find("\n## ").unwrap_or(md.len() - start);
    let timeline = &md[start..end];
    let day: Vec<&str> = timeline
        .lines()
        .filter(|l| l.starts_with("- 2024-06-01"))
        .collect();
    assert_eq!(day.len(), 1, "{timeline}");
    assert!(day[0].contains("Qwen2.5 72B at 92.0%"), "{}", day[0]);
    assert!(day[0].contains("leads MMLU"), "{}", day[0]);
}
