//! The demo fixtures, extracted with the default sources: every file reads without a
//! problem, and what it gives is pinned by snapshots (`tests/snapshots`).

#![allow(clippy::unwrap_used)] // test code, inside #[test] functions or not

mod common;

use std::fmt::Write as _;
use std::fs;

use gapwatch_ingest::{Extraction, Format, Structure, extract};
use gapwatch_model::{Access, Fact};

/// Every `fixtures/<source>/<date>.<ext>`, sorted.
fn fixtures() -> Vec<(String, String, Vec<u8>)> {
    let root = common::workspace().join("fixtures");
    let mut out = Vec::new();
    for dir in fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let source = dir.file_name().unwrap().to_string_lossy().into_owned();
        for file in fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            out.push((source.clone(), stem, fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

/// One line per row and per claim, for people to review.
fn render(x: &Extraction) -> String {
    let mut s = String::new();
    let mut claims = x.claims.iter();
    for row in &x.rows {
        let _ = write!(
            s,
            "{} | {}",
            row.locator,
            row.subject.as_deref().unwrap_or("?")
        );
        if let Some(why) = &row.skipped {
            let _ = write!(s, " | skipped: {why}");
        }
        s.push('\n');
        for w in &row.warnings {
            let _ = writeln!(s, "    ! {w}");
        }
        for c in claims.by_ref().take(row.claims) {
            let subject = match &c.subject.system {
                Some(sys) => format!("{sys} [{}]", c.subject.models.join(", ")),
                None => c.subject.models.join(", "),
            };
            match &c.fact {
                Fact::Score(sc) => {
                    let mut line = format!("    {} {}", sc.benchmark, sc.value);
                    if !sc.variant.is_empty() {
                        line = format!("    {}/{} {}", sc.benchmark, sc.variant, sc.value);
                    }
                    if let Some(u) = sc.uncertainty {
                        let _ = write!(line, " ±{u}");
                    }
                    let _ = write!(line, " {}", sc.unit.as_str());
                    for (k, v) in &sc.settings {
                        let _ = write!(line, " {k}={v}");
                    }
                    let _ = write!(line, " | {subject} | {}", c.evaluator.as_str());
                    if let Some(d) = c.reported_on {
                        let _ = write!(line, " | {d}");
                    }
                    let _ = writeln!(s, "{line}");
                }
                Fact::Access { access, license } => {
                    let _ = writeln!(
                        s,
                        "    access {}{} | {subject}",
                        access.as_str(),
                        license
                            .as_deref()
                            .map(|l| format!(" ({l})"))
                            .unwrap_or_default()
                    );
                }
            }
        }
    }
    for w in &x.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

#[test]
fn every_fixture_extracts_cleanly_with_its_default_source() {
    let sources = common::defaults();
    let files = fixtures();
    let ids: std::collections::BTreeSet<&str> = files.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        ids.into_iter().collect::<Vec<_>>(),
        vec![
            "aider-polyglot",
            "article-open-lag",
            "bfcl",
            "card-deepseek-v2",
            "card-deepseek-v3",
            "card-glm-4",
            "card-internvl",
            "card-kimi-k2",
            "card-llama-3-1",
            "card-llama-4",
            "card-minimax-01",
            "card-minimax-m1",
            "card-qwen-coder",
            "card-qwen-vl",
            "epoch-open-closed",
            "evalplus",
            "mmlu-pro",
            "mmmu",
            "swebench"
        ]
    );
    let total: usize = files.iter().map(|(_, _, b)| b.len()).sum();
    assert!(total < 300_000, "fixtures are {total} bytes");
    for (source, date, bytes) in &files {
        let config = sources
            .get(source)
            .unwrap_or_else(|| panic!("fixtures/{source}: no default source"));
        let x = extract(config, bytes).unwrap_or_else(|e| panic!("{source}/{date}: {e}"));
        assert_eq!(x.structure, Structure::Data, "{source}/{date}");
        // A model card tracks a few rows of each table, an article quotes a few claims; a
        // leaderboard has many.
        let min_rows = if matches!(config.format, Format::ModelCard | Format::Article) {
            2
        } else {
            8
        };
        assert!(
            x.score_rows() >= min_rows,
            "{source}/{date}: {} score rows",
            x.score_rows()
        );
        insta::assert_snapshot!(format!("{source}-{date}"), render(&x));
    }
}

#[test]
fn each_fixture_date_has_open_and_closed_entries() {
    // Access as the sources say it, where they say it; the registry decides the rest.
    let sources = common::defaults();
    for (source, date, bytes) in fixtures() {
        let x = extract(sources.get(&source).unwrap(), &bytes).unwrap();
        let said: Vec<Access> = x
            .claims
            .iter()
            .filter_map(|c| match &c.fact {
                Fact::Access { access, .. } => Some(*access),
                Fact::Score(_) => None,
            })
            .collect();
        if ["bfcl", "epoch-open-closed", "evalplus", "mmmu"].contains(&source.as_str()) {
            assert!(said.contains(&Access::OpenWeights), "{source}/{date}");
            assert!(said.contains(&Access::Closed), "{source}/{date}");
        }
    }
}

#[test]
fn the_swebench_trap_is_in_the_demo() {
    let sources = common::defaults();
    let bytes = fs::read(common::workspace().join("fixtures/swebench/2025-10-06.json")).unwrap();
    let x = extract(sources.get("swebench").unwrap(), &bytes).unwrap();
    let trap: Vec<_> = x
        .claims
        .iter()
        .filter(|c| c.subject.name == "OpenHands + GPT-5")
        .collect();
    assert_eq!(trap.len(), 2);
    assert_eq!(trap[0].subject.models, vec!["gpt-5-2025-08-07"]);
    assert!(matches!(
        trap[1].fact,
        Fact::Access {
            access: Access::OpenWeights,
            ..
        }
    ));
}
