//! The worked examples of `docs/sources.md` run: each input, read with its entry, gives
//! claims and no warnings, so the documentation cannot drift from the code.

#![allow(clippy::unwrap_used)] // test code, inside #[test] functions or not

mod common;

use gapwatch_ingest::{SourcesFile, Structure, extract};
use gapwatch_model::{Access, Evaluator, Fact};

/// (title, input, entry) per worked example.
fn examples() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(common::workspace().join("docs/sources.md")).unwrap();
    let worked = text.split("## Worked examples").nth(1).unwrap();
    let worked = worked.split("\n## Checking a source").next().unwrap();
    worked
        .split("\n### ")
        .skip(1)
        .map(|section| {
            let title = section.lines().next().unwrap().to_owned();
            let blocks: Vec<(&str, String)> = section
                .split("```")
                .skip(1)
                .step_by(2)
                .map(|b| {
                    let (lang, body) = b.split_once('\n').unwrap();
                    (lang.trim(), body.to_owned())
                })
                .collect();
            let input = blocks[0].1.clone();
            let entry = blocks.iter().find(|(l, _)| *l == "toml").unwrap().1.clone();
            (title, input, entry)
        })
        .collect()
}

#[test]
fn worked_examples_extract_what_the_text_says() {
    let examples = examples();
    assert_eq!(examples.len(), 6, "one per format");
    for (title, input, entry) in examples {
        let file = SourcesFile::from_toml_str(&entry, &title).unwrap_or_else(|e| panic!("{e}"));
        let x =
            extract(&file.sources[0], input.as_bytes()).unwrap_or_else(|e| panic!("{title}: {e}"));
        assert_eq!(x.structure, Structure::Data, "{title}");
        assert!(x.score_rows() >= 1, "{title}");
        assert!(x.warnings.is_empty(), "{title}: {:?}", x.warnings);
        let first = x
            .claims
            .iter()
            .find_map(|c| c.score().map(|s| (c, s)))
            .unwrap();
        let (claim, score) = first;
        // What the text after each example says.
        match title.split(':').next().unwrap() {
            "HTML table" => {
                assert_eq!((claim.subject.name.as_str(), score.value), ("GPT-4o", 69.1));
                assert_eq!(claim.evaluator, Evaluator::SelfReported);
                assert_eq!(x.rows[0].skipped.as_deref(), Some("human baseline"));
                assert!(x.claims.iter().any(|c| c.subject.name == "InternVL2-Pro"
                    && matches!(
                        c.fact,
                        Fact::Access {
                            access: Access::OpenWeights,
                            ..
                        }
                    )));
            }
            "JSON embedded in a page" => {
                assert_eq!(claim.subject.models, vec!["gpt-5-2025-08-07"]);
                assert_eq!(claim.locator, "$[name=Verified].results[0] \"resolved\"");
                assert!(matches!(
                    x.claims[1].fact,
                    Fact::Access {
                        access: Access::OpenWeights,
                        ..
                    }
                ));
            }
            "JSON" => {
                assert_eq!(claim.locator, "full.gemini-3-pro \"rating\"");
                assert!((score.uncertainty.unwrap() - 6.2).abs() < 1e-9);
            }
            "CSV" => {
                let modes: Vec<&str> = x
                    .claims
                    .iter()
                    .filter_map(|c| c.score())
                    .map(|s| s.settings["mode"].as_str())
                    .collect();
                assert_eq!(modes, vec!["FC", "FC thinking", "Prompt"]);
            }
            "YAML" => {
                let pair = &x.claims[2].subject;
                assert_eq!(pair.system.as_deref(), Some("aider architect mode"));
            }
            "Markdown" => assert_eq!(x.rows[0].locator, "table 1 row 1 (line 7)"),
            other => panic!("no check for {other}"),
        }
    }
}
