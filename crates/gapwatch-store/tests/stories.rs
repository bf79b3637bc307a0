//! Story citations and published versions.

// Shared test functions outside `#[test]` unwrap too; a panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use gapwatch_model::Date;
use gapwatch_store::{NewVersion, Store, StoreError};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn map(pairs: &[(&str, u32)]) -> BTreeMap<String, u32> {
    pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect()
}

fn version<'a>(
    story_id: &'a str,
    as_of: &str,
    state_json: &'a str,
    renderings: &'a [(&'a str, &'a [u8])],
) -> NewVersion<'a> {
    NewVersion {
        story_id,
        published_at: "2025-06-01T00:00:00Z",
        as_of: date(as_of),
        state_json,
        renderings,
    }
}

#[test]
fn a_source_keeps_its_citation_number() {
    let mut store = Store::open_in_memory().unwrap();
    let first = store.assign_citations("gap", &["swe", "mmlu"]).unwrap();
    assert_eq!(first, map(&[("swe", 1), ("mmlu", 2)]));
    // Known sources keep their numbers whatever the order; new ones get the next numbers,
    // in the order given, once each.
    let second = store
        .assign_citations("gap", &["arena", "mmlu", "bfcl", "arena"])
        .unwrap();
    assert_eq!(
        second,
        map(&[("swe", 1), ("mmlu", 2), ("arena", 3), ("bfcl", 4)])
    );
    // A source no longer cited still owns its number.
    let third = store.assign_citations("gap", &["bfcl"]).unwrap();
    assert_eq!(third, second);
    assert_eq!(store.citations("gap").unwrap(), second);
    // Another story numbers independently.
    let other = store.assign_citations("other", &["bfcl", "swe"]).unwrap();
    assert_eq!(other, map(&[("bfcl", 1), ("swe", 2)]));
    assert_eq!(
        store.assign_citations("empty", &[]).unwrap(),
        BTreeMap::new()
    );
}

#[test]
fn versions_are_numbered_from_one_with_their_renderings() {
    let mut store = Store::open_in_memory().unwrap();
    assert!(store.versions("gap").unwrap().is_empty());
    let md: &[u8] = b"# Gap v1\n";
    let html: &[u8] = b"<h1>Gap v1</h1>\n";
    let v1 = [("md", md), ("html", html)];
    assert_eq!(
        store
            .publish_version(&version("gap", "2025-05-01", r#"{"n":1}"#, &v1))
            .unwrap(),
        1
    );
    let md2: &[u8] = b"# Gap v2\n";
    let json: &[u8] = b"{}\n";
    let v2 = [("md", md2), ("json", json)];
    assert_eq!(
        store
            .publish_version(&version("gap", "2025-05-08", r#"{"n":2}"#, &v2))
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .publish_version(&version("gap", "2025-05-15", "[]", &[]))
            .unwrap(),
        3
    );
    // Another story starts at 1.
    assert_eq!(
        store
            .publish_version(&version("other", "2025-05-15", "null", &v1))
            .unwrap(),
        1
    );

    let versions = store.versions("gap").unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(versions[0].story_id, "gap");
    assert_eq!(versions[0].published_at, "2025-06-01T00:00:00Z");
    assert_eq!(versions[1].as_of, date("2025-05-08"));
    assert_eq!(
        versions[0].renderings,
        [
            ("md".to_owned(), sha256_hex(md)),
            ("html".to_owned(), sha256_hex(html))
        ]
    );
    assert_eq!(
        versions[1].renderings,
        [
            ("md".to_owned(), sha256_hex(md2)),
            ("json".to_owned(), sha256_hex(json))
        ]
    );
    assert!(versions[2].renderings.is_empty());

    assert_eq!(
        store.rendering("gap", 1, "html").unwrap().as_deref(),
        Some(html)
    );
    assert_eq!(
        store.rendering("gap", 2, "md").unwrap().as_deref(),
        Some(md2)
    );
    assert_eq!(store.rendering("gap", 2, "html").unwrap(), None);
    assert_eq!(store.rendering("gap", 9, "md").unwrap(), None);
    assert_eq!(
        store.state_json("gap", 2).unwrap().as_deref(),
        Some(r#"{"n":2}"#)
    );
    assert_eq!(store.state_json("gap", 4).unwrap(), None);
}

#[test]
fn an_invalid_version_is_refused_and_writes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let md: &[u8] = b"# v1\n";
    let twice = [("md", md), ("md", md)];
    let err = store
        .publish_version(&version("gap", "2025-05-01", "{}", &twice))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "story \"gap\": cannot publish a version: format \"md\" is given twice"
    );
    let err = store
        .publish_version(&version("gap", "2025-05-01", "{not json", &[]))
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidVersion { .. }), "{err:?}");
    assert!(store.versions("gap").unwrap().is_empty());
}

#[test]
fn publishing_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gapwatch.db");
    let mut store = Store::open(&path).unwrap();
    // Make the second rendering's insert fail inside the transaction.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER refuse_html BEFORE INSERT ON story_renderings WHEN NEW.format = 'html'
         BEGIN SELECT RAISE(ABORT, 'no html today'); END;",
    )
    .unwrap();
    let md: &[u8] = b"# v1\n";
    let html: &[u8] = b"<h1>v1</h1>\n";
    let both = [("md", md), ("html", html)];
    let err = store
        .publish_version(&version("gap", "2025-05-01", "{}", &both))
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot publish", path.display())),
        "{err}"
    );
    assert!(store.versions("gap").unwrap().is_empty());
    assert_eq!(store.rendering("gap", 1, "md").unwrap(), None);
    let blobs: i64 = conn
        .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(blobs, 0);
    // Once the obstacle is gone the same version publishes as v1.
    conn.execute_batch("DROP TRIGGER refuse_html").unwrap();
    assert_eq!(
        store
            .publish_version(&version("gap", "2025-05-01", "{}", &both))
            .unwrap(),
        1
    );
}

#[test]
fn published_versions_and_citations_never_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gapwatch.db");
    let mut store = Store::open(&path).unwrap();
    let md: &[u8] = b"# v1\n";
    store
        .publish_version(&version("gap", "2025-05-01", "{}", &[("md", md)]))
        .unwrap();
    store.assign_citations("gap", &["swe"]).unwrap();
    let conn = Connection::open(&path).unwrap();
    for (table, set) in [
        ("story_versions", "state_json = '[]'"),
        ("story_renderings", "format = 'txt'"),
        ("story_citations", "number = 7"),
    ] {
        let err = conn
            .execute(&format!("UPDATE {table} SET {set}"), [])
            .unwrap_err();
        assert!(
            err.to_string().contains("immutable") || err.to_string().contains("permanent"),
            "{table}: {err}"
        );
        let err = conn
            .execute(&format!("DELETE FROM {table}"), [])
            .unwrap_err();
        assert!(
            err.to_string().contains("immutable") || err.to_string().contains("permanent"),
            "{table}: {err}"
        );
    }
    // Nor can a version be slipped in out of sequence.
    let err = conn
        .execute(
            "INSERT INTO story_versions VALUES ('gap', 5, '2025-06-01T00:00:00Z', '2025-06-01', '{}')",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("consecutively"), "{err}");
    assert_eq!(store.state_json("gap", 1).unwrap().as_deref(), Some("{}"));
    assert_eq!(store.citations("gap").unwrap(), map(&[("swe", 1)]));
}
