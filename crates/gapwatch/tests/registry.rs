//! `gapwatch registry list|show`, and workspace registries that extend built-in entries.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn gapwatch(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gapwatch").unwrap();
    cmd.env_remove("GAPWATCH_WORKSPACE")
        .env_remove("GAPWATCH_DB")
        .env_remove("GAPWATCH_TODAY")
        .current_dir(dir);
    cmd
}

/// A workspace as `gapwatch init` writes it, with `registry` appended to its registry.toml.
fn workspace(registry: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    gapwatch(dir.path()).arg("init").assert().success();
    let path = dir.path().join("registry.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(registry);
    std::fs::write(&path, text).unwrap();
    dir
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const EXTENSION: &str = r#"
[[model]]
extends = "gpt-4o-2024-05-13"
aliases = ["GPT-4o May"]

[[model]]
id = "my-model-7b"
name = "My Model 7B"
organization = "Me"
access = "open-weights"
access_evidence = "https://huggingface.co/me/my-model-7b"

[[benchmark]]
extends = "video-mme"
headline = { settings = { subtitles = "without" } }
"#;

#[test]
fn show_finds_an_entry_by_any_name_and_says_where_it_comes_from() {
    let dir = workspace(EXTENSION);
    let registry = dir.path().join("registry.toml");
    let text = std::fs::read_to_string(&registry).unwrap();
    let extension_line = text
        .lines()
        .position(|l| l == "extends = \"gpt-4o-2024-05-13\"")
        .unwrap(); // the line after the header, counting from 0: the header's number from 1
    let out = stdout(gapwatch(dir.path()).args(["registry", "show", "GPT-4o May"]));
    assert!(
        out.starts_with("model gpt-4o-2024-05-13 (\"GPT-4o May\" matches it by alias)"),
        "{out}"
    );
    assert!(out.contains("access           closed"), "{out}");
    assert!(
        out.contains("from             builtin models/openai.toml:"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "extended by      {}:{extension_line} (aliases)",
            registry.display()
        )),
        "{out}"
    );

    let json: serde_json::Value = serde_json::from_str(&stdout(gapwatch(dir.path()).args([
        "registry",
        "show",
        "video-mme",
        "--json",
    ])))
    .unwrap();
    assert_eq!(json["kind"], "benchmark");
    assert_eq!(json["matched"], "id");
    assert_eq!(
        json["entry"]["headline"]["settings"]["subtitles"],
        "without"
    );
    assert_eq!(json["provenance"]["origin"]["builtin"], true);
    assert_eq!(json["provenance"]["origin"]["file"], "registry.toml");
    assert_eq!(
        json["provenance"]["extensions"][0]["fields"],
        serde_json::json!(["headline"])
    );
}

#[test]
fn list_shows_what_the_workspace_adds_and_extends() {
    let dir = workspace(EXTENSION);
    let json: serde_json::Value = serde_json::from_str(&stdout(gapwatch(dir.path()).args([
        "registry",
        "list",
        "--workspace-only",
        "--json",
    ])))
    .unwrap();
    let ids = |kind: &str| -> Vec<String> {
        json[kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids("models"), ["gpt-4o-2024-05-13", "my-model-7b"]);
    assert_eq!(ids("benchmarks"), ["video-mme"]);

    // All of them, in a table: the built-in ones say their file.
    let out = stdout(gapwatch(dir.path()).args(["registry", "list", "--benchmarks"]));
    assert!(out.starts_with("benchmarks ("), "{out}");
    assert!(!out.contains("models ("), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("swe-bench-verified "))
        .unwrap();
    assert!(line.contains("builtin registry.toml:"), "{line}");
    let out = stdout(gapwatch(dir.path()).args(["registry", "list", "--models"]));
    let line = out
        .lines()
        .find(|l| l.starts_with("0-hero/matter-0.2-7b-dpo "))
        .unwrap();
    assert!(line.contains("builtin models/hub.tsv:"), "{line}");
    // A repository is the evidence of its model's access.
    let out = stdout(gapwatch(dir.path()).args(["registry", "show", "0-hero/Matter-0.2-7B-DPO"]));
    assert!(
        out.contains(
            "access evidence  weights published at https://huggingface.co/0-hero/Matter-0.2-7B-DPO"
        ),
        "{out}"
    );
}

#[test]
fn an_unknown_name_is_an_error_with_similar_ids() {
    let dir = workspace("");
    gapwatch(dir.path())
        .args(["registry", "show", "claude-3-5-sonnet-20250101"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("no model or benchmark is named")
                .and(predicate::str::contains("claude-3-5-sonnet-20241022")),
        );
}

#[test]
fn an_extension_of_a_missing_entry_names_the_file_and_line() {
    let dir = workspace("\n[[model]]\nextends = \"gpt-4o-2024-13-05\"\naliases = [\"x\"]\n");
    gapwatch(dir.path())
        .args(["registry", "list"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("registry.toml")
                .and(predicate::str::contains("line "))
                .and(predicate::str::contains("no model has this id")),
        );
}

/// The TOML blocks of docs/sources.md's section on the registry.
fn documented_registry_blocks() -> Vec<String> {
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/sources.md"),
    )
    .unwrap();
    let section = docs
        .split("## The registry: models and benchmarks")
        .nth(1)
        .unwrap();
    // Up to the next section.
    let section = section.split("\n## ").next().unwrap();
    section
        .split("```")
        .skip(1)
        .step_by(2)
        .filter_map(|b| b.strip_prefix("toml\n").map(str::to_owned))
        .collect()
}

#[test]
fn the_documented_registry_entries_load() {
    let blocks = documented_registry_blocks();
    assert_eq!(blocks.len(), 3, "a model, a benchmark, extensions");
    // A new model and a benchmark, as a workspace would add them.
    let registry =
        gapwatch_model::Registry::from_toml_str(&format!("{}\n{}", blocks[0], blocks[1]), "docs")
            .unwrap();
    let m = registry.model("my-model-7b").unwrap();
    assert_eq!(
        m.access_evidence.as_deref(),
        Some("https://huggingface.co/me/my-model-7b")
    );
    let b = registry.benchmark("video-mme").unwrap();
    assert_eq!(b.subscores, ["long"]);
    assert_eq!(b.headline.settings["subtitles"], "without");
    assert_eq!(b.introduced, Some("2024-05-31".parse().unwrap()));
    // The extensions apply to the builtin entries they name.
    let extended = gapwatch_model::Registry::builtin()
        .unwrap()
        .extend_with_toml(&blocks[2], "docs")
        .unwrap();
    assert_eq!(
        extended.resolve_model_name("GPT-4o May").id(),
        Some("gpt-4o-2024-05-13")
    );
    assert_eq!(
        extended.model("bytevideollm-14b").unwrap().access,
        gapwatch_model::Access::OpenWeights
    );
    let livebench = extended.benchmark("livebench").unwrap();
    assert!(livebench.subscores.contains(&"coding".to_owned()));
}
