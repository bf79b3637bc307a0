//! Mistakes a person can correct: bad usage exits 2 and suggests the close id, and `import`
//! refuses what an append-only store could never take back (a date in the future or after the
//! file's own date, a file the source finds nothing in) unless forced.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

const TODAY: &str = "2026-01-15";

fn gapwatch(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gapwatch").unwrap();
    cmd.env_remove("GAPWATCH_WORKSPACE")
        .env_remove("GAPWATCH_DB")
        .env_remove("GAPWATCH_TODAY")
        .current_dir(dir)
        .args(["--db", "g.sqlite", "--today", TODAY]);
    cmd
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

fn import(dir: &Path, source: &str, file: &Path, observed_at: &str) -> Command {
    let mut cmd = gapwatch(dir);
    cmd.args([
        "import",
        "--source",
        source,
        "--observed-at",
        observed_at,
        "--file",
    ])
    .arg(file);
    cmd
}

fn snapshots(dir: &Path) -> usize {
    let db = dir.join("g.sqlite");
    if !db.exists() {
        return 0;
    }
    gapwatch_store::Store::open(&db)
        .unwrap()
        .snapshots(None)
        .unwrap()
        .len()
}

#[test]
fn an_observation_date_after_today_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    // A copy saved without a date in its name.
    let file = dir.path().join("leaderboards.json");
    std::fs::copy(fixture("swebench/2025-12-10.json"), &file).unwrap();
    import(dir.path(), "swebench", &file, "2030-01-01")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("leaderboards.json")
                .and(predicate::str::contains(
                    "--observed-at 2030-01-01 is after today (2026-01-15)",
                ))
                .and(predicate::str::contains("--force")),
        );
    assert_eq!(snapshots(dir.path()), 0, "nothing stored");
    import(dir.path(), "swebench", &file, "2030-01-01")
        .arg("--force")
        .assert()
        .code(0);
    assert_eq!(snapshots(dir.path()), 1);
}

#[test]
fn an_observation_date_after_the_files_own_date_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("swebench/2025-10-06.json");
    import(dir.path(), "swebench", &file, "2025-12-01")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("2025-10-06.json")
                .and(predicate::str::contains(
                    "is after the file's own date, 2025-10-06",
                ))
                .and(predicate::str::contains("--observed-at 2025-10-06")),
        );
    assert_eq!(snapshots(dir.path()), 0);
    // The file's own date, or an earlier one, is accepted.
    import(dir.path(), "swebench", &file, "2025-10-06")
        .assert()
        .code(0);
    assert_eq!(snapshots(dir.path()), 1);
}

#[test]
fn a_file_the_source_extracts_nothing_from_is_refused_naming_the_file_and_the_likely_source() {
    let dir = tempfile::tempdir().unwrap();
    // SWE-bench's JSON imported as MMMU's, whose JSON path finds nothing in it: no rows.
    let file = fixture("swebench/2025-12-10.json");
    import(dir.path(), "mmmu", &file, "2025-12-10")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("2025-12-10.json")
                .and(predicate::str::contains("source mmmu extracts 0 rows"))
                .and(predicate::str::contains("did you mean --source swebench ("))
                .and(predicate::str::contains("pass --force")),
        );
    // Aider's YAML imported as SWE-bench, whose adapter reads JSON: unreadable.
    let file = fixture("aider-polyglot/2025-10-04.yml");
    import(dir.path(), "swebench", &file, "2025-10-04")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("2025-10-04.yml")
                .and(predicate::str::contains("source swebench cannot read it"))
                .and(predicate::str::contains("; did you mean --source "))
                .and(predicate::str::contains("--source aider-polyglot (27 rows")),
        );
    assert_eq!(snapshots(dir.path()), 0);

    // A header-only CSV under its right source: refused too, and storable when forced, when
    // the empty page is the evidence; then it needs attention.
    let csv = std::fs::read_to_string(fixture("bfcl/2025-12-16.csv")).unwrap();
    let header_only = dir.path().join("bfcl-2025-12-17.csv");
    std::fs::write(&header_only, format!("{}\n", csv.lines().next().unwrap())).unwrap();
    import(dir.path(), "bfcl", &header_only, "2025-12-17")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("source bfcl extracts 0 rows"));
    import(dir.path(), "bfcl", &header_only, "2025-12-17")
        .arg("--force")
        .assert()
        .code(3);
    assert_eq!(snapshots(dir.path()), 1);
}

#[test]
fn an_import_that_loses_a_score_column_needs_attention() {
    let dir = tempfile::tempdir().unwrap();
    import(
        dir.path(),
        "bfcl",
        &fixture("bfcl/2025-12-16.csv"),
        "2025-12-16",
    )
    .assert()
    .code(0);
    let csv = std::fs::read_to_string(fixture("bfcl/2025-12-16.csv")).unwrap();
    let renamed = dir.path().join("bfcl-2025-12-20.csv");
    std::fs::write(&renamed, csv.replacen("Overall Acc", "Overall Accuracy", 1)).unwrap();
    import(dir.path(), "bfcl", &renamed, "2025-12-20")
        .assert()
        .code(3)
        .stdout(predicate::str::contains(
            "no bfcl scores where the last good snapshot, observed 2025-12-16, gave 16",
        ));
}

#[test]
fn unknown_ids_are_bad_usage_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("swebench/2025-12-10.json");
    import(dir.path(), "swebnch", &file, "2025-12-10")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no configured source \"swebnch\"; did you mean \"swebench\"?",
        ));
    gapwatch(dir.path())
        .args(["ingest", "--source", "aider-polyglott"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"aider-polyglot\"?"));
    gapwatch(dir.path())
        .args(["sources", "test", "mmmmu", "--file"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"mmmu\"?"));

    // A story and its versions.
    import(dir.path(), "swebench", &file, "2025-12-10")
        .assert()
        .code(0);
    gapwatch(dir.path())
        .args(["publish", "--as-of", "2025-12-10"])
        .assert()
        .code(0);
    gapwatch(dir.path())
        .args(["gap", "--story", "open-vs-clsed"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no story \"open-vs-clsed\"; did you mean \"open-vs-closed\"?",
        ));
    gapwatch(dir.path())
        .args(["story", "show", "v9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "open-vs-closed has no v9; did you mean v1, the latest?",
        ));
    gapwatch(dir.path())
        .args(["story", "diff", "v1", "version-two"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a version; write v3 or 3"));

    // Bad options and subcommands, as clap reports them.
    gapwatch(dir.path())
        .args(["ingest", "--sourc", "bfcl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--source"));
    gapwatch(dir.path())
        .arg("ingset")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ingest"));
    gapwatch(dir.path())
        .args(["ingest", "--attempts", "many"])
        .assert()
        .code(2);
}
