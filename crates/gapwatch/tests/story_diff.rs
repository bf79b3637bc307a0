//! `gapwatch story diff vA vB` reports what was lost as well as what is new.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn gapwatch(dir: &Path, today: &str) -> Command {
    let mut cmd = Command::cargo_bin("gapwatch").unwrap();
    cmd.env_remove("GAPWATCH_WORKSPACE")
        .env_remove("GAPWATCH_DB")
        .env_remove("GAPWATCH_TODAY")
        .current_dir(dir)
        .args(["--db", "g.sqlite", "--today", today]);
    cmd
}

fn import(dir: &Path, source: &str, file: &str) {
    let date = file.split('.').next().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(source)
        .join(file);
    gapwatch(dir, date)
        .args([
            "import",
            "--source",
            source,
            "--observed-at",
            date,
            "--file",
        ])
        .arg(path)
        .assert()
        .code(0);
}

#[test]
fn a_diff_backwards_names_the_benchmarks_the_earlier_version_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    import(dir, "swebench", "2025-05-07.json");
    gapwatch(dir, "2025-05-07")
        .args(["publish", "--as-of", "2025-05-07"])
        .assert()
        .stdout(predicate::str::contains("v1"));
    import(dir, "bfcl", "2025-04-30.csv");
    import(dir, "mmmu", "2025-05-20.json");
    import(dir, "aider-polyglot", "2025-04-12.yml");
    gapwatch(dir, "2025-06-01")
        .args(["publish", "--as-of", "2025-06-01"])
        .assert()
        .stdout(predicate::str::contains("v2"));

    let backwards = gapwatch(dir, "2025-06-01")
        .args(["story", "diff", "v2", "v1"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(backwards).unwrap();
    assert!(
        text.starts_with("from v2 (as of 2025-06-01) to v1 (as of 2025-05-07):\nlost:\n"),
        "{text}"
    );
    for benchmark in [
        "Aider Polyglot",
        "Berkeley Function Calling Leaderboard",
        "MMMU",
    ] {
        assert!(
            text.contains(&format!(
                "- {benchmark}: no results in v1; v2 had best closed "
            )),
            "{benchmark}: {text}"
        );
    }
    assert!(!text.contains("nothing material changed"), "{text}");

    // Forwards: nothing lost, the same benchmarks new.
    let forwards = gapwatch(dir, "2025-06-01")
        .args(["story", "diff", "v1", "v2", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let diff: serde_json::Value = serde_json::from_slice(&forwards).unwrap();
    assert_eq!(diff["from"], 1);
    assert_eq!(diff["to"], 2);
    assert_eq!(diff["lost"], serde_json::json!([]));
    let new: Vec<&str> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "new-row")
        .map(|c| c["row"]["benchmark"].as_str().unwrap())
        .collect();
    assert!(
        new.contains(&"bfcl") && new.contains(&"aider-polyglot"),
        "{new:?}"
    );

    let backwards_json = gapwatch(dir, "2025-06-01")
        .args(["story", "diff", "v2", "v1", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let diff: serde_json::Value = serde_json::from_slice(&backwards_json).unwrap();
    let lost: Vec<(&str, &str)> = diff["lost"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap(),
                l["row"]["benchmark"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(lost.contains(&("benchmark", "bfcl")), "{lost:?}");
    assert!(lost.contains(&("benchmark", "aider-polyglot")), "{lost:?}");
}
