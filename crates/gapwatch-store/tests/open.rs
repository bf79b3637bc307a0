//! Opening database files: initialising new ones, and refusing files that are not ours
//! without changing a byte of them.

// Shared test functions outside `#[test]` unwrap too; a panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use gapwatch_store::{APPLICATION_ID, SCHEMA_VERSION, SourceInfo, Store, StoreError};
use rusqlite::Connection;

fn pragma(path: &Path, name: &str) -> i64 {
    let conn = Connection::open(path).unwrap();
    conn.pragma_query_value(None, name, |r| r.get(0)).unwrap()
}

fn source(id: &str) -> SourceInfo {
    SourceInfo {
        id: id.into(),
        publisher: "Publisher".into(),
        title: "Title".into(),
        url: "https://example.org/board".into(),
        format: "csv".into(),
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Opens `path` expecting a refusal, and checks the file is byte for byte what it was and
/// that nothing was created beside it.
fn refuse(path: &Path) -> StoreError {
    let dir = path.parent().unwrap();
    let files = listing(dir);
    let before = fs::read(path).unwrap();
    let err = Store::open(path).unwrap_err();
    assert_eq!(
        fs::read(path).unwrap(),
        before,
        "{} was modified",
        path.display()
    );
    assert_eq!(
        listing(dir),
        files,
        "files appeared beside {}",
        path.display()
    );
    err
}

#[test]
fn a_missing_file_is_created_with_our_identity() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gapwatch.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.path(), Some(path.as_path()));
    drop(store);
    assert_eq!(pragma(&path, "application_id"), i64::from(APPLICATION_ID));
    assert_eq!(pragma(&path, "user_version"), i64::from(SCHEMA_VERSION));
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn reopening_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gapwatch.db");
    Store::open(&path)
        .unwrap()
        .upsert_source(&source("a"))
        .unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.sources().unwrap()[0].id, "a");
}

#[test]
fn an_empty_file_is_initialised() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    fs::write(&path, b"").unwrap();
    let mut store = Store::open(&path).unwrap();
    store.upsert_source(&source("a")).unwrap();
    drop(store);
    assert_eq!(pragma(&path, "application_id"), i64::from(APPLICATION_ID));
}

#[test]
fn an_empty_sqlite_database_is_initialised() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank.db");
    let conn = Connection::open(&path).unwrap();
    // Force the header to be written without creating anything.
    conn.execute_batch("PRAGMA page_size = 4096; VACUUM;")
        .unwrap();
    drop(conn);
    assert!(fs::metadata(&path).unwrap().len() > 0);
    Store::open(&path).unwrap();
    assert_eq!(pragma(&path, "user_version"), i64::from(SCHEMA_VERSION));
}

#[test]
fn garbage_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(&path, &garbage).unwrap();
    let err = refuse(&path);
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{} is not a gapwatch database: it is not a SQLite file",
            path.display()
        )
    );
}

#[test]
fn a_text_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    fs::write(&path, "model,score\nGPT-4o,88.7\n").unwrap();
    let err = refuse(&path);
    assert!(
        err.to_string()
            .starts_with(&format!("{} is not a gapwatch database", path.display())),
        "{err}"
    );
}

#[test]
fn a_file_with_a_sqlite_header_and_garbage_after_it_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.db");
    // A valid-looking header (no application id) over pages that are noise.
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.resize(100, 0);
    bytes.resize(4096, 0xa5);
    fs::write(&path, &bytes).unwrap();
    let err = refuse(&path);
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err:?}");
}

#[test]
fn another_applications_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('Ada');")
        .unwrap();
    drop(conn);
    let err = refuse(&path);
    assert!(
        matches!(
            err,
            StoreError::ForeignDatabase {
                application_id: 0,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("{} is not a gapwatch database", path.display())),
        "{err}"
    );
    // The other application's data is still there.
    let conn = Connection::open(&path).unwrap();
    let name: String = conn
        .query_row("SELECT name FROM people", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Ada");
}

#[test]
fn a_database_with_another_application_id_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "application_id", 0x4750_4b47)
        .unwrap();
    drop(conn);
    let err = refuse(&path);
    assert!(
        matches!(
            err,
            StoreError::ForeignDatabase {
                application_id: 0x4750_4b47,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_newer_gapwatch_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    Store::open(&path)
        .unwrap()
        .upsert_source(&source("a"))
        .unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = refuse(&path);
    assert_eq!(
        err.to_string(),
        format!(
            "{} has schema version 99, newer than this gapwatch ({SCHEMA_VERSION}): upgrade gapwatch",
            path.display()
        )
    );
    assert!(matches!(err, StoreError::SchemaTooNew { found: 99, .. }));
}

#[test]
fn a_missing_directory_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/gapwatch.db");
    let err = Store::open(&path).unwrap_err();
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert!(!path.exists());
}

#[test]
fn two_handles_on_one_file_see_each_others_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let mut first = Store::open(&path).unwrap();
    let second = Store::open(&path).unwrap();
    first.upsert_source(&source("a")).unwrap();
    assert_eq!(second.sources().unwrap().len(), 1);
}
