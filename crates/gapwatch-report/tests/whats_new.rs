//! What's new tells a new best with the gap it moved, and says when a row of ratings is now
//! read from another leaderboard (ratings of two boards are not one scale).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{d, digest, score, sources};
use gapwatch_analysis::{Analysis, AnalysisOptions, analyze, changes};
use gapwatch_model::{ClaimRecord, ClaimSet, Materiality, Registry, Story};
use gapwatch_report::render_markdown;

const REGISTRY: &str = r#"
[[model]]
id = "gemini-2-5-pro"
name = "Gemini 2.5 Pro"
organization = "Google"
access = "closed"

[[model]]
id = "gemini-3-pro"
name = "Gemini 3 Pro"
organization = "Google"
access = "closed"

[[model]]
id = "glm-4-5"
name = "GLM-4.5"
organization = "Zhipu AI"
access = "open-weights"

[[model]]
id = "glm-4-6"
name = "GLM-4.6"
organization = "Zhipu AI"
access = "open-weights"

[[benchmark]]
id = "lmarena-text"
name = "LMArena Text"
unit = "elo"
"#;

const STORY: &str = r#"
id = "s"
title = "Open weights vs closed"
benchmarks = ["lmarena-text"]
parity = { value = 2.0, unit = "points" }
incumbent = { id = "closed", label = "Closed", access = ["closed"] }
challenger = { id = "open", label = "Open weights", access = ["open-weights"] }
"#;

fn rating(id: i64, board: &str, observed: &str, model: &str, value: f64) -> ClaimRecord {
    score(id, board, observed, model, "lmarena-text", value)
}

fn run(claims: &ClaimSet, as_of: &str) -> Analysis {
    let registry = Registry::from_toml_str(REGISTRY, "registry").unwrap();
    let story = Story::from_toml_str(STORY, "story").unwrap();
    analyze(
        claims,
        &registry,
        &story,
        d(as_of),
        &AnalysisOptions::default(),
    )
}

#[test]
fn a_board_switch_leads_with_the_new_bests_and_names_both_boards() {
    // August: a mirror rates Gemini 2.5 Pro 1,470 and GLM-4.5 1,434. December: the board
    // itself rates Gemini 3 Pro 1,492 and GLM-4.6 1,425, and pairs the row from then on.
    let before = ClaimSet::from_records(&[
        rating(1, "mirror", "2025-08-06", "Gemini 2.5 Pro", 1470.0),
        rating(2, "mirror", "2025-08-06", "GLM-4.5", 1434.0),
    ]);
    let after = ClaimSet::from_records(&[
        rating(1, "mirror", "2025-08-06", "Gemini 2.5 Pro", 1470.0),
        rating(2, "mirror", "2025-08-06", "GLM-4.5", 1434.0),
        rating(3, "arena", "2025-12-17", "Gemini 3 Pro", 1492.0),
        rating(4, "arena", "2025-12-17", "GLM-4.6", 1425.0),
    ]);
    let a0 = run(&before, "2025-08-10");
    let a1 = run(&after, "2025-12-20");
    let found = changes(Some(&a0), &a1, &Materiality::default());
    let story = Story::from_toml_str(STORY, "story").unwrap();
    let sources = sources(&[("mirror", "A mirror"), ("arena", "The arena")]);
    let digest = digest(&story, &after, &a1, &found, &sources, 2);
    let md = render_markdown(&digest);
    let news = &md[md.find("## What's new").unwrap()..md.find("## What\n").unwrap()];
    let bullets: Vec<&str> = news.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(bullets.len(), 1, "{news}");
    let bullet = bullets[0];
    // The new bests lead; the gap's move closes the same bullet.
    assert!(
        bullet.starts_with("- Gemini 3 Pro at 1,492 Elo sets the closed best on LMArena Text"),
        "{bullet}"
    );
    assert!(bullet.contains("GLM-4.6 at 1,425 Elo"), "{bullet}");
    assert!(
        bullet.contains("the gap widens from 36 Elo to 67 Elo"),
        "{bullet}"
    );
    // Both boards are named, so that nobody reads 1,492 against 1,470 as one scale.
    assert!(bullet.contains("The arena"), "{bullet}");
    assert!(bullet.contains("A mirror"), "{bullet}");
}
