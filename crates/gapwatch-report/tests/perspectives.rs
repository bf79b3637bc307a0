//! The Perspectives section: where it stands, what each line says and cites, tensions, and
//! the What's new sentence of an Evolution that changed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use gapwatch_analysis::{
    Analysis, AnalysisOptions, Change, Evolution, PerspectiveStatus, analyze,
    evaluate_perspectives, perspective_changes, perspective_dates,
};
use gapwatch_model::{
    Claim, ClaimRecord, ClaimSet, Date, Evaluator, Fact, Registry, Score, Story, Subject, Unit,
};
use gapwatch_report::{Digest, DigestInput, Inline, QuotedSnapshot, SourceMeta, render_markdown};

const REGISTRY: &str = r#"
[[model]]
id = "gpt-4o"
name = "GPT-4o"
organization = "OpenAI"
access = "closed"

[[model]]
id = "gpt-5"
name = "GPT-5"
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
[[forecast]]
id = "f"
question = "Within 2 points on MMLU by 2027"
benchmarks = ["mmlu"]
combine = "all-of"
readings = [{ value = 2.0, unit = "points" }]
deadline = "2027-01-01"

[[perspective]]
id = "narrows"
actor = "An analyst"
actor_kind = "analyst"
stated_on = "2024-04-01"
source = "article"
quote = "the MMLU gap is closing"
proposition = { kind = "gap-trend", benchmarks = ["mmlu"], direction = "narrows" }

[[perspective]]
id = "short-lag"
actor = "An evaluator"
actor_kind = "evaluator"
stated_on = "2024-04-01"
source = "article"
quote = "about a month behind"
proposition = { kind = "median-lag-within", min_months = 0.0, max_months = 2.0 }

[[perspective]]
id = "long-lag"
actor = "A lab"
actor_kind = "lab"
stated_on = "2024-04-01"
source = "article"
quote = "a year behind"
proposition = { kind = "median-lag-within", min_months = 9.0, max_months = 15.0 }
"#;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn claim(id: i64, model: &str, value: f64, date: &str) -> ClaimRecord {
    ClaimRecord {
        id,
        source_id: "board".into(),
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

/// MMLU: a 10-point gap in March, 4 points in August.
fn claims() -> ClaimSet {
    ClaimSet::from_records(&[
        claim(1, "GPT-4o", 90.0, "2024-03-01"),
        claim(2, "Llama 3.1 405B", 80.0, "2024-03-01"),
        claim(3, "Qwen2.5 72B", 86.0, "2024-08-01"),
    ])
}

struct Built {
    story: Story,
    claims: ClaimSet,
    analysis: Analysis,
    statuses: Vec<PerspectiveStatus>,
}

fn build(as_of: &str) -> Built {
    let registry = Registry::from_toml_str(REGISTRY, "registry").unwrap();
    let story = Story::from_toml_str(STORY, "story").unwrap();
    let claims = claims();
    let options = AnalysisOptions::default();
    let analysis = analyze(&claims, &registry, &story, d(as_of), &options);
    let earlier: BTreeMap<Date, Analysis> = perspective_dates(&story.perspectives, d(as_of))
        .into_iter()
        .map(|date| (date, analyze(&claims, &registry, &story, date, &options)))
        .collect();
    let statuses = evaluate_perspectives(&story.perspectives, &analysis, &earlier);
    Built {
        story,
        claims,
        analysis,
        statuses,
    }
}

fn digest(b: &Built, statuses: &[PerspectiveStatus], changes: &[Change]) -> Digest {
    let quotes: BTreeMap<String, QuotedSnapshot> = statuses
        .iter()
        .map(|p| {
            (
                p.perspective_id.clone(),
                QuotedSnapshot {
                    source_id: "article".into(),
                    sha256: "ab".repeat(32),
                    observed_on: d("2024-04-01"),
                },
            )
        })
        .collect();
    let sources = [
        SourceMeta {
            id: "board".into(),
            publisher: "Board".into(),
            title: "A leaderboard".into(),
            url: "https://example.org/board".into(),
        },
        SourceMeta {
            id: "article".into(),
            publisher: "Example News".into(),
            title: "Catching up".into(),
            url: "https://example.org/news".into(),
        },
    ];
    Digest::build(&DigestInput {
        story: &b.story,
        version: 2,
        published_on: b.analysis.as_of,
        analysis: &b.analysis,
        changes,
        claims: &b.claims,
        sources: &sources,
        origins: &BTreeMap::new(),
        numbers: &BTreeMap::new(),
        perspectives: statuses,
        quotes: &quotes,
    })
}

fn plain(line: &[Inline]) -> String {
    line.iter()
        .map(|i| match i {
            Inline::Text { value } => value.clone(),
            Inline::Cite { source, .. } => format!("[{source}]"),
            Inline::Link { text, .. } => text.clone(),
        })
        .collect()
}

#[test]
fn the_section_follows_forecasts_quotes_cites_and_tests_each_perspective() {
    let b = build("2024-08-15");
    let d = digest(&b, &b.statuses, &[]);
    let ids: Vec<&str> = d.main_sections().map(|s| s.id.as_str()).collect();
    let at = |id: &str| ids.iter().position(|x| *x == id).unwrap();
    assert_eq!(at("perspectives"), at("forecasts") + 1);
    assert_eq!(at("timeline"), at("perspectives") + 1);

    let markdown = render_markdown(&d);
    let section = markdown.split("## Perspectives\n").nth(1).unwrap();
    let section = section.split("\n## ").next().unwrap();
    // The words cited to the article's snapshot; the evidence of the Evolution to the board.
    assert!(
        section.contains(
            "- An analyst (analyst), 2024-04-01: \u{201c}the MMLU gap is closing\u{201d} [2]. Tested as: the MMLU gap narrows after 2024-04-01. Evolution: supported. Since 2024-04-01, the MMLU gap narrowed from 10.0 points behind to 4.0 points behind [1]."
        ),
        "{section}"
    );
    assert!(
        section.contains("- A lab (lab), 2024-04-01: \u{201c}a year behind\u{201d} [2]. Tested as: the median lag is 9.0 to 15.0 months. Evolution: contradicted. The median lag is 5.0 months across 1 benchmark [1], up from under a day on 2024-04-01."),
        "{section}"
    );
    // Ranges that do not overlap cannot both hold.
    assert!(
        section.contains("Positions that cannot both hold:"),
        "{section}"
    );
    assert!(
        section.contains("- An evaluator (the median lag is 0.0 to 2.0 months) and A lab (the median lag is 9.0 to 15.0 months)."),
        "{section}"
    );
    // Sources list the article's snapshot with the words quoted from it.
    let article = d.sources.iter().find(|s| s.meta.id == "article").unwrap();
    assert_eq!(article.number, 2);
    let quotes = &article.snapshots[0].quotes;
    assert_eq!(
        quotes,
        &[
            "the MMLU gap is closing",
            "about a month behind",
            "a year behind"
        ]
    );
    assert!(article.snapshots[0].in_main_story);
    assert!(markdown.contains("quoted: \u{201c}about a month behind\u{201d}"));
    // The JSON carries the statuses.
    let json: serde_json::Value = serde_json::to_value(&d).unwrap();
    assert_eq!(json["perspectives"][0]["evolution"], "supported");
    assert_eq!(json["perspectives"][1]["in_tension_with"][0], "long-lag");
}

#[test]
fn without_perspectives_there_is_no_section() {
    let b = build("2024-08-15");
    let d = digest(&b, &[], &[]);
    assert!(d.sections.iter().all(|s| s.id != "perspectives"));
    let json: serde_json::Value = serde_json::to_value(&d).unwrap();
    assert!(json.get("perspectives").is_none());
}

#[test]
fn an_evolution_that_changed_leads_whats_new_with_its_evidence() {
    let before = build("2024-04-01");
    let after = build("2024-08-15");
    let changes = perspective_changes(Some(&before.statuses), &after.statuses);
    let narrows = changes
        .iter()
        .find(|c| matches!(c, Change::PerspectiveChanged { perspective_id, .. } if perspective_id == "narrows"))
        .unwrap();
    assert!(matches!(
        narrows,
        Change::PerspectiveChanged {
            before: Some(Evolution::Untestable),
            after: Evolution::Supported,
            ..
        }
    ));
    let d = digest(&after, &after.statuses, &changes);
    let news = &d.sections[0];
    assert_eq!(news.id, "whats-new");
    let gapwatch_report::Block::Bullets { items, .. } = &news.blocks[0] else {
        panic!("{news:?}");
    };
    let lines: Vec<String> = items.iter().map(|l| plain(l)).collect();
    assert!(
        lines.contains(
            &"An analyst's position (the MMLU gap narrows after 2024-04-01) is now supported, was untestable [1].".to_owned()
        ),
        "{lines:?}"
    );
}
