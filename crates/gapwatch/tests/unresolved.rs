//! `gapwatch models unresolved`: access from model-level evidence and its policy (never a
//! system's flag, never against the registry, never where sources disagree), and the
//! registry check of `sources test` and `import`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn gapwatch(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gapwatch").unwrap();
    cmd.env_remove("GAPWATCH_WORKSPACE")
        .env_remove("GAPWATCH_DB")
        .env("GAPWATCH_TODAY", "2025-06-01")
        .current_dir(dir);
    cmd
}

const SOURCES: &str = r#"
[[source]]
id = "board-a"
publisher = "A"
title = "Board A"
url = "https://example.org/a.csv"
format = "csv"
subject = { name = "Model" }
access = { license = "License", closed_licenses = ["Proprietary"] }

[[source.score]]
field = "Score"
benchmark = "mmlu"
metric = "accuracy"

[[source]]
id = "board-b"
publisher = "B"
title = "Board B"
url = "https://example.org/b.csv"
format = "csv"
subject = { name = "Model" }
access = { license = "License", closed_licenses = ["Proprietary"] }

[[source.score]]
field = "Score"
benchmark = "mmlu"
metric = "accuracy"

[[source]]
id = "agents"
publisher = "C"
title = "Agent board"
url = "https://example.org/c.csv"
format = "csv"
subject = { name = "Agent", kind = "system", system_separator = " + " }
access = { flag = "Open" }

[[source.score]]
field = "Score"
benchmark = "mmlu"
metric = "accuracy"
"#;

/// A workspace with the three boards imported.
fn imported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    gapwatch(dir.path()).arg("init").assert().success();
    std::fs::write(dir.path().join("sources.toml"), SOURCES).unwrap();
    let files = [
        (
            "board-a",
            "Model,Score,License\n\
             Mystery-7B,61.0,MIT\n\
             gpt-4o-2024-05-13,88.7,MIT\n\
             Disputed-1,70.0,Apache-2.0\n",
        ),
        (
            "board-b",
            "Model,Score,License\nDisputed-1,70.5,Proprietary\nMystery-7B,60.8,mit\n",
        ),
        ("agents", "Agent,Score,Open\nAgent X + Secret-9,80.0,true\n"),
    ];
    for (source, text) in files {
        let file = dir.path().join(format!("{source}.csv"));
        std::fs::write(&file, text).unwrap();
        gapwatch(dir.path())
            .args(["import", "--source", source, "--file"])
            .arg(&file)
            .args(["--observed-at", "2025-05-01"])
            .assert()
            .success();
    }
    dir
}

fn entry<'v>(report: &'v Value, name: &str) -> &'v Value {
    report["unresolved"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name}: {report}"))
}

#[test]
fn access_is_suggested_from_statements_about_a_model_and_nothing_else() {
    let ws = imported();
    let dir = ws.path();
    let out = gapwatch(dir)
        .args(["models", "unresolved", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();

    // Two sources agree (the license's case aside): suggested, both cited.
    let mystery = entry(&report, "Mystery-7B");
    assert_eq!(mystery["left_out"], 2);
    assert_eq!(mystery["suggested_access"]["access"], "open-weights");
    let cited: Vec<&str> = mystery["suggested_access"]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert_eq!(cited, ["board-a", "board-b"]);

    // Two sources disagree: no suggestion, both listed.
    let disputed = entry(&report, "Disputed-1");
    assert!(disputed["suggested_access"].is_null());
    let reasons: Vec<&str> = disputed["not_adopted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2);
    assert!(reasons.iter().all(|r| r.starts_with("sources disagree")));

    // A system's flag: never adopted, listed as such.
    let secret = entry(&report, "Secret-9");
    assert!(secret["suggested_access"].is_null());
    assert!(
        secret["not_adopted"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("the system \"Agent X\""),
        "{secret}"
    );

    // A statement against the registry (GPT-4o is closed): never adopted, listed.
    let contradictions = report["contradictions"].as_array().unwrap();
    assert_eq!(contradictions.len(), 1, "{report}");
    assert_eq!(contradictions[0]["id"], "gpt-4o-2024-05-13");
    assert_eq!(contradictions[0]["registry_access"], "closed");
    assert_eq!(contradictions[0]["evidence"]["access"], "open-weights");

    // The same in the entries to review.
    let out = gapwatch(dir)
        .args(["models", "unresolved", "--toml"])
        .output()
        .unwrap();
    let toml = String::from_utf8(out.stdout).unwrap();
    let block = |name: &str| -> String {
        toml.split("\n\n")
            .find(|b| b.starts_with(&format!("# \"{name}\":")))
            .unwrap_or_else(|| panic!("{name}: {toml}"))
            .to_owned()
    };
    let mystery = block("Mystery-7B");
    assert!(
        mystery.contains("\naccess = \"open-weights\"\n"),
        "{mystery}"
    );
    assert!(
        mystery.contains("access_evidence = \"Board A (source board-a), snapshot ")
            && mystery.contains("; Board B (source board-b), snapshot "),
        "{mystery}"
    );
    assert!(mystery.contains("license = \"MIT\""), "{mystery}");
    for name in ["Disputed-1", "Secret-9"] {
        let b = block(name);
        assert!(b.contains("\naccess = \"unknown\""), "{b}");
        assert!(b.contains("# not adopted: "), "{b}");
    }
    assert!(
        toml.contains("# gpt-4o-2024-05-13: the registry says closed; Board A (source board-a)"),
        "{toml}"
    );
    // The entries load as they are, and then every name resolves.
    let registry = dir.join("registry.toml");
    let mut text = std::fs::read_to_string(&registry).unwrap();
    text.push_str(&toml);
    std::fs::write(&registry, text).unwrap();
    let out = gapwatch(dir)
        .args(["models", "unresolved", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(after["unresolved"], serde_json::json!([]));
    assert!(
        after["unknown_access_subjects"]
            .as_object()
            .unwrap()
            .contains_key("Disputed-1"),
        "{after}"
    );
}

#[test]
fn unknown_access_names_are_shown_in_the_table_not_only_in_json() {
    let ws = imported();
    let registry = ws.path().join("registry.toml");
    let mut text = std::fs::read_to_string(&registry).unwrap();
    text.push_str(
        "\n[[model]]\nid = \"mystery-7b\"\nname = \"Mystery-7B\"\norganization = \"M\"\naccess = \"unknown\"\n",
    );
    std::fs::write(&registry, text).unwrap();
    gapwatch(ws.path())
        .args(["models", "unresolved"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("known, but of unknown access")
                .and(predicate::str::contains("Mystery-7B"))
                .and(predicate::str::contains(
                    "2 score claims of unknown access left out of both cohorts",
                )),
        );
    // And an `extends` entry with the evidence, for the known model of unknown access.
    let out = gapwatch(ws.path())
        .args(["models", "unresolved", "--toml"])
        .output()
        .unwrap();
    let toml = String::from_utf8(out.stdout).unwrap();
    assert!(
        toml.contains("[[model]]\nextends = \"mystery-7b\"\naccess = \"open-weights\"\naccess_evidence = \"Board A"),
        "{toml}"
    );
}

#[test]
fn a_benchmark_typo_is_reported_by_sources_test_and_import() {
    let dir = tempfile::tempdir().unwrap();
    gapwatch(dir.path()).arg("init").assert().success();
    std::fs::write(
        dir.path().join("sources.toml"),
        SOURCES.replacen("benchmark = \"mmlu\"", "benchmark = \"mmul\"", 1),
    )
    .unwrap();
    let file = dir.path().join("a.csv");
    std::fs::write(&file, "Model,Score,License\nMystery-7B,61.0,MIT\n").unwrap();
    let typo = "benchmark \"mmul\" (score field \"Score\") is not in the registry, so its claims would count nowhere; did you mean mmlu?";
    gapwatch(dir.path())
        .args(["sources", "test", "board-a", "--file"])
        .arg(&file)
        .assert()
        .code(3)
        .stdout(predicate::str::contains(format!("warning: {typo}")));
    gapwatch(dir.path())
        .args(["import", "--source", "board-a", "--file"])
        .arg(&file)
        .args(["--observed-at", "2025-05-01"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains(format!("warning: {typo}")));
    // Spelled right, nothing to say.
    gapwatch(dir.path())
        .args(["sources", "test", "board-b", "--file"])
        .arg(&file)
        .assert()
        .code(0);
}
