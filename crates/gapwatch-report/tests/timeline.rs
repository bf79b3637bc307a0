//! The Timeline's turning points: a new best that flips the lead the same day is told once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use gapwatch_analysis::{AnalysisOptions, TimelineKind, analyze};
use gapwatch_model::{
    Claim, ClaimRecord, ClaimSet, Date, Evaluator, Fact, Registry, Score, Story, Subject, Unit,
};
use gapwatch_report::{Digest, DigestInput, SourceMeta, render_markdown};

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

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn claim(id: i64, model: &str, value: f64, date: &str) -> ClaimRecord {
    ClaimRecord {
        id,
        source_id: "a".into(),
        snapshot_id: id,
        run_id: id,
        snapshot_sha256: format!("{id:064x}"),
        observed_on: d(date),
        claim: Claim {
            subject: Subject::model(model),
            fact: Fact::Score(Score {
                benchmark: "mmlu".into(),
                variant: String::new(),
                metric: "accuracy".into(),
                settings: Default::default(),
                value,
                unit: Unit::Percent,
                uncertainty: None,
            }),
            reported_on: Some(d(date)),
            evaluator: Evaluator::ThirdParty,
            locator: format!("row {id}"),
        },
    }
}

#[test]
fn a_new_best_that_takes_the_lead_is_one_turning_point() {
    let registry = Registry::from_toml_str(REGISTRY, "registry").unwrap();
    let story = Story::from_toml_str(STORY, "story").unwrap();
    let claims = ClaimSet::from_records(&[
        claim(1, "GPT-4o", 90.0, "2024-03-01"),
        claim(2, "Llama 3.1 405B", 80.0, "2024-03-01"),
        claim(3, "Qwen2.5 72B", 92.0, "2024-06-01"),
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
    let sources = [SourceMeta {
        id: "a".into(),
        publisher: "Board a".into(),
        title: "A leaderboard".into(),
        url: "https://example.org/a".into(),
    }];
    let digest = Digest::build(&DigestInput {
        story: &story,
        version: 1,
        published_on: analysis.as_of,
        analysis: &analysis,
        changes: &[],
        claims: &claims,
        sources: &sources,
        origins: &BTreeMap::new(),
        numbers: &BTreeMap::new(),
        perspectives: &[],
        quotes: &BTreeMap::new(),
    });
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
