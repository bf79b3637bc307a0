//! The fetch log written many rows at a time, and the validators of every source read at once.

#![allow(clippy::unwrap_used)]

use gapwatch_store::{FetchLogEntry, FetchOutcomeKind, NewSnapshot, SourceInfo, Store};

fn entry(source_id: &str, outcome: FetchOutcomeKind, snapshot_id: Option<i64>) -> FetchLogEntry {
    FetchLogEntry {
        id: 0,
        source_id: source_id.into(),
        started_at: "2025-12-10T06:00:00Z".into(),
        outcome,
        http_status: Some(if outcome == FetchOutcomeKind::NotModified {
            304
        } else {
            200
        }),
        bytes: None,
        rows: None,
        claims_inserted: None,
        warnings: vec![format!("{source_id} warned")],
        message: None,
        duration_ms: 12,
        snapshot_id,
    }
}

fn source(id: &str) -> SourceInfo {
    SourceInfo {
        id: id.into(),
        publisher: "p".into(),
        title: "t".into(),
        url: format!("https://example.org/{id}"),
        format: "csv".into(),
    }
}

/// Stores `bytes` as a snapshot of `source_id` with these validators; returns its id.
fn snapshot(
    store: &mut Store,
    source_id: &str,
    bytes: &[u8],
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> i64 {
    store
        .record_snapshot(&NewSnapshot {
            source_id,
            bytes,
            observed_on: "2025-12-10".parse().unwrap(),
            fetched_at: None,
            origin: "board.csv",
            http_status: Some(200),
            etag,
            last_modified,
            claims: &[],
            rows: 0,
            warnings: &[],
            adapter: "csv 1",
        })
        .unwrap()
        .snapshot_id
}

#[test]
fn many_rows_are_written_in_order_and_read_back_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sqlite");
    let mut store = Store::open(&path).unwrap();
    store.upsert_source(&source("a")).unwrap();
    let snap = snapshot(&mut store, "a", b"x", Some("\"1\""), None);
    let first = store
        .log_fetch(&entry("a", FetchOutcomeKind::Stored, Some(snap)))
        .unwrap();
    let batch: Vec<FetchLogEntry> = (0..300)
        .map(|i| {
            let outcome = match i % 3 {
                0 => FetchOutcomeKind::NotModified,
                1 => FetchOutcomeKind::Unchanged,
                _ => FetchOutcomeKind::Failed,
            };
            let snapshot_id = (outcome == FetchOutcomeKind::Unchanged).then_some(snap);
            entry(&format!("s{i:03}"), outcome, snapshot_id)
        })
        .collect();
    let ids = store.log_fetches(&batch).unwrap();
    assert_eq!(ids.len(), batch.len());
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids follow the order");
    assert!(ids[0] > first);
    assert!(store.log_fetches(&[]).unwrap().is_empty());
    drop(store);

    // Committed: a fresh connection reads every row back, as given, after the earlier one.
    let store = Store::open(&path).unwrap();
    let log = store.fetch_log(None).unwrap();
    assert_eq!(log.len(), 301);
    assert_eq!(log[0].id, first);
    let expected: Vec<FetchLogEntry> = batch
        .into_iter()
        .zip(&ids)
        .map(|(e, &id)| FetchLogEntry { id, ..e })
        .collect();
    assert_eq!(log[1..], expected[..]);
    assert_eq!(
        store.fetch_log(Some("s007")).unwrap(),
        [expected[7].clone()]
    );
}

#[test]
fn a_batch_with_a_row_that_cannot_be_written_writes_none() {
    let mut store = Store::open_in_memory().unwrap();
    let mut batch: Vec<FetchLogEntry> = (0..5)
        .map(|i| entry(&format!("s{i}"), FetchOutcomeKind::NotModified, None))
        .collect();
    // No such snapshot: the row breaks a foreign key, and the whole batch is refused.
    batch[3].snapshot_id = Some(99);
    assert!(store.log_fetches(&batch).is_err());
    assert!(store.fetch_log(None).unwrap().is_empty());
    // The store is usable afterwards: the transaction was rolled back, not left open.
    batch[3].snapshot_id = None;
    assert_eq!(store.log_fetches(&batch).unwrap().len(), 5);
    assert_eq!(store.fetch_log(None).unwrap().len(), 5);
}

#[test]
fn all_validators_are_each_sources_newest_as_read_one_by_one() {
    let mut store = Store::open_in_memory().unwrap();
    for id in ["etag", "dated", "both", "none", "never"] {
        store.upsert_source(&source(id)).unwrap();
    }
    snapshot(&mut store, "etag", b"1", Some("\"e1\""), None);
    snapshot(&mut store, "etag", b"2", Some("\"e2\""), None);
    // A newer snapshot without validators does not hide the older one's.
    snapshot(&mut store, "etag", b"3", None, None);
    snapshot(
        &mut store,
        "dated",
        b"1",
        None,
        Some("Wed, 10 Dec 2025 06:00:00 GMT"),
    );
    snapshot(
        &mut store,
        "both",
        b"1",
        Some("\"b1\""),
        Some("Mon, 01 Dec 2025"),
    );
    snapshot(
        &mut store,
        "both",
        b"2",
        Some("\"b2\""),
        Some("Tue, 02 Dec 2025"),
    );
    snapshot(&mut store, "none", b"1", None, None);

    let all = store.all_validators().unwrap();
    assert_eq!(all.len(), 3, "{all:?}");
    for id in ["etag", "dated", "both", "none", "never"] {
        let one = store.validators(id).unwrap();
        assert_eq!(all.get(id).cloned().unwrap_or_default(), one, "{id}");
    }
    assert_eq!(all["etag"], (Some("\"e2\"".to_owned()), None));
    assert_eq!(
        all["both"],
        (
            Some("\"b2\"".to_owned()),
            Some("Tue, 02 Dec 2025".to_owned())
        )
    );
}
