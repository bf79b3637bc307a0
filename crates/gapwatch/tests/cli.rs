//! The command line's contract: clear errors that leave files alone, idempotent imports,
//! machine-readable output.

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

fn fixture(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

/// The first fixture file of a source folder, with its date.
fn first_fixture(source: &str) -> (std::path::PathBuf, String) {
    let mut files: Vec<_> = std::fs::read_dir(fixture(source))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_stem().is_some_and(|s| s.len() == 10))
        .collect();
    files.sort();
    let f = files.remove(0);
    let date = f.file_stem().unwrap().to_string_lossy().into_owned();
    (f, date)
}

#[test]
fn a_corrupt_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("broken.sqlite");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    let (file, date) = first_fixture("swebench");
    gapwatch(dir.path())
        .args([
            "--db",
            "broken.sqlite",
            "import",
            "--source",
            "swebench",
            "--file",
        ])
        .arg(&file)
        .args(["--observed-at", &date])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("broken.sqlite"));
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
}

#[test]
fn a_database_from_a_newer_gapwatch_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.sqlite");
    drop(gapwatch_store::Store::open(&db).unwrap());
    // Pretend a later gapwatch migrated it.
    set_user_version_in_header(&db, 9999);
    let before = std::fs::read(&db).unwrap();
    gapwatch(dir.path())
        .args(["--db", "new.sqlite", "gap"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("new.sqlite").and(predicate::str::contains("newer")));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

/// Sets SQLite's user_version by editing header bytes 60..64, where SQLite keeps it. The store
/// was closed cleanly, so the main file's header is current.
fn set_user_version_in_header(db: &Path, version: u32) {
    let mut bytes = std::fs::read(db).unwrap();
    assert!(bytes.len() >= 100 && bytes.starts_with(b"SQLite format 3\0"));
    bytes[60..64].copy_from_slice(&version.to_be_bytes());
    std::fs::write(db, bytes).unwrap();
}

#[test]
fn importing_identical_bytes_twice_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (file, date) = first_fixture("swebench");
    let run = || {
        let out = gapwatch(dir.path())
            .args([
                "--db", "g.sqlite", "import", "--json", "--source", "swebench", "--file",
            ])
            .arg(&file)
            .args(["--observed-at", &date])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let first = run();
    assert_eq!(first["new_snapshot"], true);
    assert!(first["claims_inserted"].as_u64().unwrap() > 0);
    let second = run();
    assert_eq!(second["new_snapshot"], false);
    assert_eq!(second["claims_inserted"], 0);
    assert_eq!(first["sha256"], second["sha256"]);
}

#[test]
fn an_unknown_source_names_the_configured_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (file, _) = first_fixture("swebench");
    gapwatch(dir.path())
        .args([
            "import",
            "--source",
            "nope",
            "--observed-at",
            "2025-01-01",
            "--file",
        ])
        .arg(&file)
        .assert()
        .failure()
        .stderr(predicate::str::contains("\"nope\"").and(predicate::str::contains("swebench")));
}

#[test]
fn a_bad_date_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    gapwatch(dir.path())
        .args(["gap", "--as-of", "2025-02-30"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2025-02-30"));
}

#[test]
fn sources_list_json_names_every_default_source() {
    let dir = tempfile::tempdir().unwrap();
    let out = gapwatch(dir.path())
        .args(["sources", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list.iter().map(|s| s["id"].as_str().unwrap()).collect();
    for id in ["swebench", "mmmu", "aider-polyglot"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(
        list.iter()
            .all(|s| s["url"].as_str().unwrap().starts_with("https://"))
    );
}

#[test]
fn init_writes_a_workspace_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    gapwatch(dir.path()).args(["init", "ws"]).assert().success();
    let ws = dir.path().join("ws");
    for f in [
        "gapwatch.toml",
        "sources.toml",
        "registry.toml",
        "stories/open-vs-closed.toml",
    ] {
        assert!(ws.join(f).exists(), "{f}");
    }
    gapwatch(dir.path())
        .args(["--workspace", "ws", "sources", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("swebench"));
    gapwatch(dir.path())
        .args(["init", "ws"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--force"));
}

#[test]
fn an_emptied_table_needs_attention_keeps_earlier_claims_and_is_reported_to_operators() {
    let dir = tempfile::tempdir().unwrap();
    let (file, date) = first_fixture("bfcl");
    let import = |path: &Path, on: &str| {
        gapwatch(dir.path())
            .args([
                "--db", "g.sqlite", "import", "--json", "--source", "bfcl", "--file",
            ])
            .arg(path)
            .args(["--observed-at", on])
            .output()
            .unwrap()
    };
    let first = import(&file, &date);
    assert!(first.status.success());
    gapwatch(dir.path())
        .args([
            "--db", "g.sqlite", "publish", "--as-of", &date, "--today", &date,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("v1"));
    let gap_before = gapwatch(dir.path())
        .args(["--db", "g.sqlite", "gap", "--json", "--as-of", "2024-10-22"])
        .output()
        .unwrap()
        .stdout;

    // The same board, now with its header only: the page changed structure. An import
    // that extracts nothing is refused unless forced.
    let text = std::fs::read_to_string(&file).unwrap();
    let header_only = dir.path().join("empty.csv");
    std::fs::write(&header_only, format!("{}\n", text.lines().next().unwrap())).unwrap();
    // An import that gives no rows is refused unless forced.
    let refused = import(&header_only, "2024-10-22");
    assert_eq!(refused.status.code(), Some(2));
    let second = gapwatch(dir.path())
        .args([
            "--db", "g.sqlite", "import", "--json", "--force", "--source", "bfcl", "--file",
        ])
        .arg(&header_only)
        .args(["--observed-at", "2024-10-22"])
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(3), "needs attention");
    let outcome: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(outcome["needs_attention"], true);
    assert_eq!(outcome["claims_inserted"], 0);

    // Earlier claims stand: the parity map is unchanged.
    let gap_after = gapwatch(dir.path())
        .args(["--db", "g.sqlite", "gap", "--json", "--as-of", "2024-10-22"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(gap_before, gap_after);

    // Source health is for operators: `publish` reports it, and it is no reader news, so no
    // version is published for it alone.
    let out = gapwatch(dir.path())
        .args([
            "--db",
            "g.sqlite",
            "publish",
            "--as-of",
            "2024-10-22",
            "--today",
            "2024-10-22",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("nothing material changed"), "{text}");
    assert!(
        text.contains("source health:")
            && text.contains("0 rows extracted on 2024-10-22")
            && text.contains("earlier claims stand"),
        "{text}"
    );
}
