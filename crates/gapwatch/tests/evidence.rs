//! The commands about stored evidence, on the demo database and on a workspace of its own:
//! `claim show`, `snapshot show`, `snapshot retract`, `check` and `reextract`, and the
//! database as SQL sees it (`claims_v`, protected sources).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use rusqlite::Connection;
use serde_json::Value;

fn gapwatch(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gapwatch").unwrap();
    cmd.env_remove("GAPWATCH_WORKSPACE")
        .env_remove("GAPWATCH_DB")
        .env_remove("GAPWATCH_TODAY")
        .current_dir(dir);
    cmd
}

/// A demo database in `dir`; returns its path.
fn demo(dir: &Path) -> PathBuf {
    gapwatch(dir)
        .args(["demo", "--out", "demo"])
        .assert()
        .success();
    dir.join("demo/gapwatch.sqlite")
}

/// Runs a command against `db` and returns its stdout; asserts the exit code.
fn run(dir: &Path, db: &Path, args: &[&str], code: i32) -> String {
    let out = gapwatch(dir)
        .arg("--db")
        .arg(db)
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn json(dir: &Path, db: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&run(dir, db, args, 0)).unwrap()
}

/// A score claim of the demo that counts, as `claims_v` shows it: id, source, sha256,
/// observed date, subject, benchmark, value, locator.
fn a_score(db: &Path) -> (i64, String, String, String, String, String, f64, String) {
    let conn = Connection::open(db).unwrap();
    conn.query_row(
        "SELECT claim_id, source, snapshot_sha256, observed_on, subject, benchmark, value, locator
         FROM claims_v WHERE current AND kind = 'score' AND settings <> '{}'
         ORDER BY claim_id LIMIT 1",
        [],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        },
    )
    .unwrap()
}

#[test]
fn claim_show_prints_a_claim_with_its_snapshot_run_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (id, source, sha, observed, subject, benchmark, value, locator) = a_score(&db);
    let text = run(dir.path(), &db, &["claim", "show", &id.to_string()], 0);
    for part in [
        format!("claim {id}\n"),
        format!("benchmark    {benchmark}\n"),
        format!("value        {value} "),
        format!("locator      {locator}\n"),
        format!("source       {source} "),
        format!("snapshot     {sha}\n"),
        format!("observed     {observed}\n"),
        "status       counts for analysis".to_owned(),
        subject.clone(),
    ] {
        assert!(text.contains(&part), "{part:?} missing from:\n{text}");
    }
    // The row it came from lists the claim among its row's claims.
    let row_line = text.lines().find(|l| l.starts_with("row ")).unwrap();
    assert!(
        row_line.ends_with(" claims") || row_line.ends_with(" claim"),
        "{row_line}"
    );
    assert!(
        text.lines().any(|l| l.starts_with(&format!("{id} "))),
        "{text}"
    );

    let v = json(
        dir.path(),
        &db,
        &["claim", "show", &id.to_string(), "--json"],
    );
    assert_eq!(v["claim"]["id"], id);
    assert_eq!(v["claim"]["snapshot_sha256"], sha.as_str());
    assert_eq!(v["claim"]["claim"]["locator"], locator.as_str());
    assert_eq!(v["snapshot"]["sha256"], sha.as_str());
    assert_eq!(v["snapshot"]["source"], source.as_str());
    assert!(
        v["snapshot"]["origin"]
            .as_str()
            .unwrap()
            .starts_with("fixtures/")
    );
    assert_eq!(v["run"]["id"], v["claim"]["run_id"]);
    assert_eq!(v["counts"], true);
    let row_claims = v["row"]["claims"].as_array().unwrap();
    assert!(row_claims.iter().any(|c| c["id"] == id), "{v}");
    assert!(locator.starts_with(v["row"]["locator"].as_str().unwrap()));

    let err = gapwatch(dir.path())
        .arg("--db")
        .arg(&db)
        .args(["claim", "show", "999999"])
        .assert()
        .code(1);
    err.stderr(predicate::str::contains("there is no claim 999999"));
}

#[test]
fn snapshot_show_prints_metadata_runs_a_row_and_the_raw_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (id, source, sha, observed, _, _, _, locator) = a_score(&db);
    let text = run(dir.path(), &db, &["snapshot", "show", &sha[..8]], 0);
    for part in [
        format!("snapshot {sha}\n"),
        format!("source       {source}\n"),
        format!("observed     {observed}\n"),
        "origin       fixtures/".to_owned(),
        "counting for analysis".to_owned(),
        "current".to_owned(),
    ] {
        assert!(text.contains(&part), "{part:?} missing from:\n{text}");
    }
    // The claim's row, named as its locator begins.
    let row = locator
        .rsplit_once(' ')
        .map_or(locator.as_str(), |(r, _)| r);
    let text = run(
        dir.path(),
        &db,
        &["snapshot", "show", &sha[..12], "--row", row],
        0,
    );
    assert!(text.contains(&format!("row {row}: ")), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with(&format!("{id} "))),
        "{text}"
    );
    let v = json(
        dir.path(),
        &db,
        &["snapshot", "show", &sha, "--row", row, "--json"],
    );
    assert_eq!(v["snapshot"]["sha256"], sha.as_str());
    assert!(
        v["runs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["current"] == true)
    );
    assert!(
        v["row"]["claims"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id)
    );

    // The stored bytes, exactly as imported.
    let origin = v["snapshot"]["origin"].as_str().unwrap().to_owned();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(&origin);
    let raw = gapwatch(dir.path())
        .arg("--db")
        .arg(&db)
        .args(["snapshot", "show", &sha[..8], "--raw"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(raw, std::fs::read(&fixture).unwrap());

    // Too short a prefix is bad usage; one that names nothing is an error.
    gapwatch(dir.path())
        .arg("--db")
        .arg(&db)
        .args(["snapshot", "show", &sha[..7]])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at least 8 hex digits"));
    gapwatch(dir.path())
        .arg("--db")
        .arg(&db)
        .args(["snapshot", "show", "0000000000000000"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no stored snapshot"));
}

#[test]
fn a_retracted_snapshot_stops_counting_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (id, _, sha, _, _, _, _, _) = a_score(&db);
    let current = |db: &Path| -> i64 {
        let conn = Connection::open(db).unwrap();
        conn.query_row(
            "SELECT count(*) FROM claims_v WHERE current AND snapshot_sha256 = ?1",
            [&sha],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(current(&db) > 0);
    let text = run(
        dir.path(),
        &db,
        &[
            "--today",
            "2026-01-02",
            "snapshot",
            "retract",
            &sha[..10],
            "--reason",
            "the board published test entries",
        ],
        0,
    );
    assert!(
        text.contains(&format!("retracted snapshot {sha}")),
        "{text}"
    );
    assert_eq!(current(&db), 0);
    let shown = run(dir.path(), &db, &["claim", "show", &id.to_string()], 0);
    assert!(
        shown.contains("retracted on 2026-01-02: the board published test entries"),
        "{shown}"
    );
    let snap = run(dir.path(), &db, &["snapshot", "show", &sha[..8]], 0);
    assert!(snap.contains("retracted    on 2026-01-02"), "{snap}");
    // Once only, and the evidence stays.
    gapwatch(dir.path())
        .arg("--db")
        .arg(&db)
        .args(["snapshot", "retract", &sha[..10], "--reason", "again"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already retracted"));
    run(dir.path(), &db, &["check"], 0);
}

#[test]
fn check_passes_the_demo_and_finds_a_missing_claim_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let v = json(dir.path(), &db, &["check", "--json"]);
    assert_eq!(v["ok"], true);
    assert!(v["claims"].as_u64().unwrap() > 100);
    let conn = Connection::open(&db).unwrap();
    let (id, run_id): (i64, i64) = conn
        .query_row(
            "SELECT id, run_id FROM claims ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // Sources with evidence cannot go, even with foreign keys off (the shell's default).
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    let err = conn.execute("DELETE FROM sources", []).unwrap_err();
    assert!(err.to_string().contains("cannot be deleted"), "{err}");
    conn.execute_batch("DROP TRIGGER claims_no_delete").unwrap();
    conn.execute("DELETE FROM claims WHERE id = ?1", [id])
        .unwrap();
    drop(conn);
    let text = run(dir.path(), &db, &["check"], 1);
    assert!(
        text.contains(&format!("damaged: extraction run {run_id}: recorded ")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "damaged: claims cache of run {run_id} disagrees with the claims table"
        )),
        "{text}"
    );
    assert!(text.contains("2 problems"), "{text}");
    // The cache can be rebuilt from the rows; the missing row stays missing.
    let text = run(dir.path(), &db, &["check", "--rebuild-cache"], 1);
    assert!(text.contains("rebuilt the claims cache of "), "{text}");
    assert!(text.contains("1 problem"), "{text}");
}

const BOARD: &str = r#"
[[source]]
id = "board"
publisher = "Example"
title = "Example board"
url = "https://example.invalid/board.csv"
format = "csv"

[source.subject]
name = "Model"

[[source.score]]
field = "MMLU"
benchmark = "mmlu"
metric = "accuracy"
"#;

#[test]
fn reextract_replaces_a_run_when_the_configuration_changed_and_only_then() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    gapwatch(ws).args(["init", "."]).assert().success();
    std::fs::write(ws.join("sources.toml"), BOARD).unwrap();
    std::fs::write(
        ws.join("board.csv"),
        "Model,MMLU\nGPT-4o,88.7\nLlama 3.1 405B,88.6\n",
    )
    .unwrap();
    gapwatch(ws)
        .args(["import", "--source", "board", "--file", "board.csv"])
        .args(["--observed-at", "2025-01-01"])
        .assert()
        .success();
    let db = ws.join("gapwatch.sqlite");
    let runs = |v: &Value| -> Vec<(String, Option<i64>)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| (r["outcome"].as_str().unwrap().to_owned(), r["run"].as_i64()))
            .collect()
    };
    let mut cmd = gapwatch(ws);
    let unchanged: Value = serde_json::from_slice(
        &cmd.args(["reextract", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(runs(&unchanged), [("unchanged".to_owned(), Some(1))]);

    // The source now says the scores are 5-shot: a setting newly carried.
    let five_shot = BOARD.replace(
        "metric = \"accuracy\"",
        "metric = \"accuracy\"\nsettings = { shots = \"5\" }",
    );
    std::fs::write(ws.join("sources.toml"), five_shot).unwrap();
    let mut cmd = gapwatch(ws);
    let changed: Value = serde_json::from_slice(
        &cmd.args(["reextract", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(runs(&changed), [("new-run".to_owned(), Some(2))]);
    assert_eq!(changed[0]["previous_run"], 1);
    assert_eq!(changed[0]["claims"], 2);
    // Again: nothing new.
    let mut cmd = gapwatch(ws);
    let again: Value = serde_json::from_slice(
        &cmd.args(["reextract", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(runs(&again), [("unchanged".to_owned(), Some(2))]);

    // Analysis reads the new run's claims; the old run's stay, no longer current.
    let conn = Connection::open(&db).unwrap();
    let rows: Vec<(i64, i64, String, bool)> = conn
        .prepare("SELECT claim_id, run_id, settings, current FROM claims_v ORDER BY claim_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let five = "{\"shots\":\"5\"}".to_owned();
    assert_eq!(
        rows,
        [
            (1, 1, "{}".to_owned(), false),
            (2, 1, "{}".to_owned(), false),
            (3, 2, five.clone(), true),
            (4, 2, five, true),
        ]
    );
    let shown = run(ws, &db, &["claim", "show", "1"], 0);
    assert!(
        shown.contains("does not count: run 2 extracted the snapshot again"),
        "{shown}"
    );

    // The registry cache resolves the claims' model names for SQL.
    let resolved: Vec<(String, Option<String>)> = conn
        .prepare("SELECT name, model_id FROM model_names ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(resolved.len(), 2);
    assert!(resolved.iter().all(|(_, id)| id.is_some()), "{resolved:?}");

    // An unknown source is an error naming the configured ones.
    gapwatch(ws)
        .args(["reextract", "--source", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("configured: board"));
}
