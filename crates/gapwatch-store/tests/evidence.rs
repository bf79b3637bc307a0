//! Sources, snapshots, extraction runs and claims: what goes in comes out, once, and never
//! changes.

// Shared test functions outside `#[test]` unwrap too; a panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use gapwatch_model::{
    Access, Claim, Date, Evaluator, Fact, Registry, Score, Settings, Subject, Unit,
};
use gapwatch_store::{NewExtraction, NewSnapshot, SourceInfo, Store, StoreError};
use rusqlite::Connection;

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn source(id: &str) -> SourceInfo {
    SourceInfo {
        id: id.into(),
        publisher: format!("{id} publisher"),
        title: format!("{id} title"),
        url: format!("https://example.org/{id}"),
        format: "json".into(),
    }
}

fn score(subject: &str, benchmark: &str, value: f64) -> Claim {
    Claim {
        subject: Subject::model(subject),
        fact: Fact::Score(Score {
            benchmark: benchmark.into(),
            variant: String::new(),
            metric: "accuracy".into(),
            settings: Settings::new(),
            value,
            unit: Unit::Percent,
            uncertainty: None,
        }),
        reported_on: None,
        evaluator: Evaluator::ThirdParty,
        locator: format!("{subject}/{benchmark}"),
    }
}

fn snapshot<'a>(
    source_id: &'a str,
    bytes: &'a [u8],
    observed_on: &str,
    claims: &'a [Claim],
) -> NewSnapshot<'a> {
    NewSnapshot {
        source_id,
        bytes,
        observed_on: date(observed_on),
        fetched_at: None,
        origin: "board.json",
        http_status: None,
        etag: None,
        last_modified: None,
        claims,
        rows: claims.len() as u64,
        warnings: &[],
        adapter: "json 1",
    }
}

fn store_with(sources: &[&str]) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    for id in sources {
        store.upsert_source(&source(id)).unwrap();
    }
    store
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// A file-backed store with one snapshot holding two claims, for raw SQL against the file.
fn file_store(dir: &Path) -> (Store, std::path::PathBuf) {
    let path = dir.join("gapwatch.db");
    let mut store = Store::open(&path).unwrap();
    store.upsert_source(&source("board")).unwrap();
    let claims = [score("a", "mmlu", 80.0), score("b", "mmlu", 70.0)];
    store
        .record_snapshot(&snapshot("board", b"bytes", "2025-01-01", &claims))
        .unwrap();
    (store, path)
}

#[test]
fn claims_read_back_equal_claims_written() {
    let mut store = store_with(&["swe", "bfcl"]);
    let mut settings = Settings::new();
    settings.insert("mode".into(), "FC".into());
    settings.insert("attempts".into(), "2+".into());
    let system = Claim {
        subject: Subject::system(
            "OpenHands + GPT-5 + Claude 4",
            "OpenHands",
            ["gpt-5", "claude-4-sonnet"],
        ),
        fact: Fact::Score(Score {
            benchmark: "swe-bench".into(),
            variant: "verified".into(),
            metric: "resolved".into(),
            settings,
            value: 69.1,
            unit: Unit::Percent,
            uncertainty: Some(0.85),
        }),
        reported_on: Some(date("2025-06-05")),
        evaluator: Evaluator::SelfReported,
        locator: "results[3].resolved".into(),
    };
    let licensed = Claim {
        subject: Subject::model("Llama-3.1-405B"),
        fact: Fact::Access {
            access: Access::OpenWeights,
            license: Some("Llama 3.1 Community".into()),
        },
        reported_on: None,
        evaluator: Evaluator::Unknown,
        locator: "row 7, License".into(),
    };
    let unlicensed = Claim {
        subject: Subject::model("GPT-4o"),
        fact: Fact::Access {
            access: Access::Closed,
            license: None,
        },
        reported_on: None,
        evaluator: Evaluator::ThirdParty,
        locator: "row 8, License".into(),
    };
    let elo = Claim {
        fact: Fact::Score(Score {
            benchmark: "arena".into(),
            variant: String::new(),
            metric: "rating".into(),
            settings: Settings::new(),
            value: -0.5,
            unit: Unit::Elo,
            uncertainty: Some(0.0),
        }),
        ..score("x", "arena", 0.0)
    };
    let first = [system.clone()];
    let second = [licensed.clone(), unlicensed.clone(), elo.clone()];
    let a = store
        .record_snapshot(&snapshot("swe", b"swe bytes", "2025-06-10", &first))
        .unwrap();
    let b = store
        .record_snapshot(&snapshot("bfcl", b"bfcl bytes", "2025-07-01", &second))
        .unwrap();

    let records = store.claims(None).unwrap();
    let claims: Vec<Claim> = records.iter().map(|r| r.claim.clone()).collect();
    assert_eq!(claims, [system, licensed, unlicensed, elo]);
    assert!(records.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(records[0].source_id, "swe");
    assert_eq!(records[0].snapshot_id, a.snapshot_id);
    assert_eq!(records[0].snapshot_sha256, a.sha256);
    assert_eq!(records[0].observed_on, date("2025-06-10"));
    for r in &records[1..] {
        assert_eq!(r.source_id, "bfcl");
        assert_eq!(r.snapshot_id, b.snapshot_id);
        assert_eq!(r.snapshot_sha256, b.sha256);
        assert_eq!(r.observed_on, date("2025-07-01"));
    }
    assert_eq!(store.claim_count().unwrap(), 4);
}

#[test]
fn the_same_bytes_twice_add_nothing() {
    let mut store = store_with(&["board"]);
    let claims = [score("a", "mmlu", 80.0), score("b", "mmlu", 70.0)];
    let first = store
        .record_snapshot(&snapshot("board", b"v1", "2025-01-01", &claims))
        .unwrap();
    assert!(first.new_snapshot);
    assert_eq!(first.claims_inserted, 2);
    // Even observed later and with other claims, identical bytes are the same snapshot.
    let more = [score("c", "mmlu", 60.0)];
    let again = store
        .record_snapshot(&snapshot("board", b"v1", "2025-02-01", &more))
        .unwrap();
    assert!(!again.new_snapshot);
    assert_eq!(again.claims_inserted, 0);
    assert_eq!(again.snapshot_id, first.snapshot_id);
    assert_eq!(again.sha256, first.sha256);
    assert_eq!(store.snapshots(None).unwrap().len(), 1);
    assert_eq!(store.runs(None).unwrap().len(), 1);
    assert_eq!(store.claim_count().unwrap(), 2);
    assert_eq!(
        store.snapshots(None).unwrap()[0].observed_on,
        date("2025-01-01")
    );
}

#[test]
fn the_same_bytes_for_another_source_share_the_blob() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gapwatch.db");
    let mut store = Store::open(&path).unwrap();
    store.upsert_source(&source("one")).unwrap();
    store.upsert_source(&source("two")).unwrap();
    let claims = [score("a", "mmlu", 80.0)];
    let a = store
        .record_snapshot(&snapshot("one", b"shared", "2025-01-01", &claims))
        .unwrap();
    let b = store
        .record_snapshot(&snapshot("two", b"shared", "2025-01-02", &claims))
        .unwrap();
    assert!(b.new_snapshot);
    assert_ne!(a.snapshot_id, b.snapshot_id);
    assert_eq!(a.sha256, b.sha256);
    // The claim is a new one: it was extracted from another snapshot.
    assert_eq!(b.claims_inserted, 1);
    assert_eq!(store.snapshot_bytes(b.snapshot_id).unwrap(), b"shared");
    let conn = Connection::open(&path).unwrap();
    assert_eq!(count(&conn, "snapshots"), 2);
    assert_eq!(count(&conn, "blobs"), 1);
}

#[test]
fn a_claim_repeated_in_one_snapshot_is_stored_once() {
    let mut store = store_with(&["board"]);
    let c = score("a", "mmlu", 80.0);
    let mut other_locator = c.clone();
    other_locator.locator = "elsewhere".into();
    let claims = [c.clone(), c.clone(), other_locator];
    let outcome = store
        .record_snapshot(&snapshot("board", b"v1", "2025-01-01", &claims))
        .unwrap();
    assert_eq!(outcome.claims_inserted, 2);
    assert_eq!(store.claim_count().unwrap(), 2);
    // The run still says what the adapter extracted.
    assert_eq!(store.runs(None).unwrap()[0].claims, 3);
}

#[test]
fn a_claim_that_cannot_be_stored_leaves_no_trace_of_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gapwatch.db");
    let mut store = Store::open(&path).unwrap();
    store.upsert_source(&source("board")).unwrap();
    for (bad, expected) in [
        (
            score("c", "mmlu", f64::NAN),
            "its value NaN is not a finite number",
        ),
        (
            score("c", "mmlu", f64::INFINITY),
            "its value inf is not a finite number",
        ),
        (
            Claim {
                fact: Fact::Score(Score {
                    uncertainty: Some(-1.0),
                    ..score("c", "mmlu", 1.0).score().unwrap().clone()
                }),
                ..score("c", "mmlu", 1.0)
            },
            "its uncertainty -1 is not a finite non-negative number",
        ),
    ] {
        // Two good claims are inserted before the bad one fails.
        let claims = [score("a", "mmlu", 80.0), score("b", "mmlu", 70.0), bad];
        let err = store
            .record_snapshot(&snapshot("board", b"v1", "2025-01-01", &claims))
            .unwrap_err();
        match &err {
            StoreError::InvalidClaim {
                source_id,
                index,
                locator,
                ..
            } => {
                assert_eq!((source_id.as_str(), *index), ("board", 2));
                assert_eq!(locator, "c/mmlu");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            err.to_string(),
            format!("source \"board\": claim 2 at \"c/mmlu\" cannot be stored: {expected}")
        );
        let conn = Connection::open(&path).unwrap();
        for table in [
            "blobs",
            "snapshots",
            "extraction_runs",
            "claims",
            "claim_strings",
            "claim_subjects",
            "claim_settings",
        ] {
            assert_eq!(count(&conn, table), 0, "{table} kept rows");
        }
    }
    // The good claims go in once the bad one is gone.
    let claims = [score("a", "mmlu", 80.0), score("b", "mmlu", 70.0)];
    let outcome = store
        .record_snapshot(&snapshot("board", b"v1", "2025-01-01", &claims))
        .unwrap();
    assert_eq!(outcome.claims_inserted, 2);
}

#[test]
fn a_snapshot_of_an_unconfigured_source_is_refused() {
    let mut store = store_with(&[]);
    let err = store
        .record_snapshot(&snapshot("nobody", b"x", "2025-01-01", &[]))
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownSource { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        ":memory:: source \"nobody\" is not configured: upsert it before recording snapshots"
    );
    assert!(store.snapshots(None).unwrap().is_empty());
}

#[test]
fn claims_as_of_a_date_follow_the_snapshot_observation() {
    let mut store = store_with(&["board"]);
    let early = [score("a", "mmlu", 80.0)];
    let late = [score("a", "mmlu", 85.0)];
    store
        .record_snapshot(&snapshot("board", b"jan", "2025-01-15", &early))
        .unwrap();
    // Recorded second but with a result dated early: the snapshot date is what counts.
    let mut dated = late.clone();
    dated[0].reported_on = Some(date("2024-12-01"));
    store
        .record_snapshot(&snapshot("board", b"mar", "2025-03-01", &dated))
        .unwrap();
    let values = |as_of: Option<&str>| -> Vec<f64> {
        store
            .claims(as_of.map(date))
            .unwrap()
            .iter()
            .map(|r| r.claim.score().unwrap().value)
            .collect()
    };
    assert_eq!(values(Some("2025-01-14")), Vec::<f64>::new());
    assert_eq!(values(Some("2025-01-15")), [80.0]);
    assert_eq!(values(Some("2025-02-28")), [80.0]);
    assert_eq!(values(Some("2025-03-01")), [80.0, 85.0]);
    assert_eq!(values(None), [80.0, 85.0]);
}

#[test]
fn snapshots_keep_their_metadata_and_order_by_observation() {
    let mut store = store_with(&["a", "b"]);
    let fetched = NewSnapshot {
        fetched_at: Some("2025-05-02T10:00:00Z"),
        origin: "https://example.org/a.json",
        http_status: Some(200),
        etag: Some("\"abc\""),
        last_modified: Some("Fri, 02 May 2025 09:00:00 GMT"),
        ..snapshot("a", b"later", "2025-05-02", &[])
    };
    let later = store.record_snapshot(&fetched).unwrap();
    let earlier = store
        .record_snapshot(&snapshot("a", b"earlier", "2025-04-01", &[]))
        .unwrap();
    let other = store
        .record_snapshot(&snapshot("b", b"b bytes", "2025-04-15", &[]))
        .unwrap();

    let ids = |source: Option<&str>| -> Vec<i64> {
        store
            .snapshots(source)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(
        ids(None),
        [earlier.snapshot_id, other.snapshot_id, later.snapshot_id]
    );
    assert_eq!(ids(Some("a")), [earlier.snapshot_id, later.snapshot_id]);
    assert_eq!(ids(Some("nobody")), Vec::<i64>::new());

    let record = store.snapshot(later.snapshot_id).unwrap().unwrap();
    assert_eq!(record.source_id, "a");
    assert_eq!(record.sha256, later.sha256);
    assert_eq!(record.observed_on, date("2025-05-02"));
    assert_eq!(record.fetched_at.as_deref(), Some("2025-05-02T10:00:00Z"));
    assert_eq!(record.origin, "https://example.org/a.json");
    assert_eq!(record.size, 5);
    assert_eq!(record.http_status, Some(200));
    assert_eq!(record.etag.as_deref(), Some("\"abc\""));
    assert_eq!(
        record.last_modified.as_deref(),
        Some("Fri, 02 May 2025 09:00:00 GMT")
    );
    let imported = store.snapshot(earlier.snapshot_id).unwrap().unwrap();
    assert_eq!(
        (imported.fetched_at, imported.http_status, imported.etag),
        (None, None, None)
    );
    assert_eq!(store.snapshot(9_999).unwrap(), None);
}

#[test]
fn snapshot_bytes_round_trip_and_are_verified() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gapwatch.db");
    let mut store = Store::open(&path).unwrap();
    store.upsert_source(&source("board")).unwrap();
    // Compressible and incompressible content, and nothing at all.
    let text = "model,score\nGPT-4o,88.7\n".repeat(5_000).into_bytes();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..50_000)
        .map(|_| {
            // xorshift64: bytes no compressor can shorten.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let mut ids = Vec::new();
    for bytes in [&text[..], &noise[..], &[][..]] {
        let o = store
            .record_snapshot(&snapshot("board", bytes, "2025-01-01", &[]))
            .unwrap();
        assert_eq!(store.snapshot_bytes(o.snapshot_id).unwrap(), bytes);
        ids.push(o.snapshot_id);
    }
    let conn = Connection::open(&path).unwrap();
    let stored: i64 = conn
        .query_row(
            "SELECT length(data) FROM blobs b JOIN snapshots s ON s.sha256 = b.sha256 WHERE s.id = ?1",
            [ids[0]],
            |r| r.get(0),
        )
        .unwrap();
    assert!(stored < text.len() as i64 / 10, "{stored} bytes stored");

    let err = store.snapshot_bytes(9_999).unwrap_err();
    assert!(
        matches!(err, StoreError::NoSuchSnapshot { id: 9_999, .. }),
        "{err:?}"
    );

    // Bytes that do not compress are stored as they are, as SQLite archives do.
    let compression = |id: i64| -> (String, i64, i64) {
        conn.query_row(
            "SELECT compression, length(data), size FROM blobs b
             JOIN snapshots s ON s.sha256 = b.sha256 WHERE s.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    assert_eq!(compression(ids[0]).0, "zlib");
    let (kind, length, size) = compression(ids[1]);
    assert_eq!((kind.as_str(), length), ("none", size));

    // Damage the stored bytes behind the store's back (the trigger must go first): a valid
    // zlib stream of other bytes.
    conn.execute_batch("DROP TRIGGER blobs_no_update").unwrap();
    conn.execute(
        "UPDATE blobs SET data = x'789c030000000001' WHERE sha256 = (SELECT sha256 FROM snapshots WHERE id = ?1)",
        [ids[0]],
    )
    .unwrap();
    let err = store.snapshot_bytes(ids[0]).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("is damaged"), "{err}");
}

#[test]
fn evidence_cannot_be_updated_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, path) = file_store(dir.path());
    let conn = Connection::open(&path).unwrap();
    for (table, set) in [
        ("claims", "value = 0"),
        ("claims", "locator = 'x'"),
        ("claim_strings", "text = 'x'"),
        ("claim_subjects", "models = '[]'"),
        ("claim_settings", "settings = '{}'"),
        ("snapshots", "observed_on = '2020-01-01'"),
        ("blobs", "size = 0"),
        ("extraction_runs", "rows = 0"),
    ] {
        let err = conn
            .execute(&format!("UPDATE {table} SET {set}"), [])
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{table}: {err}");
        let err = conn
            .execute(&format!("DELETE FROM {table}"), [])
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{table}: {err}");
    }
    // A source with evidence stays, even for a connection that does not enforce foreign
    // keys (the sqlite3 shell's default).
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    for statement in [
        "DELETE FROM sources",
        "UPDATE sources SET id = 'renamed' WHERE id = 'board'",
    ] {
        let err = conn.execute(statement, []).unwrap_err();
        assert!(err.to_string().contains("stored snapshots"), "{err}");
    }
    let store = Store::open(&path).unwrap();
    let values: Vec<f64> = store
        .claims(None)
        .unwrap()
        .iter()
        .map(|r| r.claim.score().unwrap().value)
        .collect();
    assert_eq!(values, [80.0, 70.0]);
}

#[test]
fn sources_are_configuration_and_summarise_their_snapshots() {
    let mut store = store_with(&["b", "a"]);
    let mut changed = source("a");
    changed.title = "A, renamed".into();
    changed.url = "https://example.org/new".into();
    store.upsert_source(&changed).unwrap();
    store
        .record_snapshot(&snapshot("a", b"2", "2025-03-01", &[]))
        .unwrap();
    store
        .record_snapshot(&snapshot("a", b"1", "2025-01-01", &[]))
        .unwrap();
    let sources = store.sources().unwrap();
    assert_eq!(sources.len(), 2);
    let a = &sources[0];
    assert_eq!(
        (a.id.as_str(), a.title.as_str(), a.url.as_str()),
        ("a", "A, renamed", "https://example.org/new")
    );
    assert_eq!(a.publisher, "a publisher");
    assert_eq!(a.format, "json");
    assert_eq!(a.first_seen, Some(date("2025-01-01")));
    assert_eq!(a.last_observed, Some(date("2025-03-01")));
    assert_eq!(a.snapshots, 2);
    let b = &sources[1];
    assert_eq!(
        (b.id.as_str(), b.first_seen, b.last_observed, b.snapshots),
        ("b", None, None, 0)
    );
}

#[test]
fn runs_record_what_the_adapter_saw() {
    let mut store = store_with(&["a", "b"]);
    let warnings = vec![
        "0 rows: client-rendered".to_owned(),
        "column \"Date\" missing".to_owned(),
    ];
    let claims = [score("m", "mmlu", 1.0)];
    let a = store
        .record_snapshot(&NewSnapshot {
            rows: 12,
            warnings: &warnings,
            adapter: "html-table 2",
            ..snapshot("a", b"a", "2025-01-02", &claims)
        })
        .unwrap();
    store
        .record_snapshot(&snapshot("b", b"b", "2025-01-01", &[]))
        .unwrap();
    let runs = store.runs(None).unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs[0].id < runs[1].id);
    let run = &store.runs(Some("a")).unwrap()[0];
    assert_eq!(run.snapshot_id, a.snapshot_id);
    assert_eq!(run.source_id, "a");
    assert_eq!((run.rows, run.claims), (12, 1));
    assert_eq!(run.warnings, warnings);
    assert_eq!(run.adapter, "html-table 2");
    assert_eq!(
        store.runs(Some("b")).unwrap()[0].warnings,
        Vec::<String>::new()
    );
}

#[test]
fn re_extraction_adds_a_run_that_replaces_the_earlier_one() {
    let mut store = store_with(&["board"]);
    let first = [score("a", "mmlu", 80.0), score("z", "mmlu", 10.0)];
    let snap = store
        .record_snapshot(&snapshot("board", b"v1", "2025-01-01", &first))
        .unwrap();
    let better = [score("a", "mmlu", 80.0), score("b", "mmlu", 70.0)];
    let extract = |store: &mut Store, claims: &[Claim]| {
        store
            .record_extraction(&NewExtraction {
                snapshot_id: snap.snapshot_id,
                claims,
                rows: 2,
                warnings: &[],
                adapter: "json 2",
            })
            .unwrap()
    };
    let outcome = extract(&mut store, &better);
    assert_eq!((outcome.claims_inserted, outcome.new_run), (2, true));
    let runs = store.runs(Some("board")).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1].id, outcome.run_id);
    assert_eq!(runs[1].adapter, "json 2");
    assert_eq!(
        runs.iter()
            .map(|r| (r.stored_claims, r.complete, r.current))
            .collect::<Vec<_>>(),
        [(2, true, false), (2, true, true)]
    );
    // Only the new run's claims count; the old run's stay in the store.
    let claims = store.claims(None).unwrap();
    let counted: Vec<(i64, i64, Claim)> = claims
        .into_iter()
        .map(|c| (c.id, c.run_id, c.claim))
        .collect();
    assert_eq!(
        counted,
        [
            (3, outcome.run_id, better[0].clone()),
            (4, outcome.run_id, better[1].clone())
        ]
    );
    assert_eq!(store.claim_count().unwrap(), 4);
    let old = store
        .snapshot_claims(snap.snapshot_id, Some(runs[0].id))
        .unwrap();
    assert_eq!(old.len(), 2);
    assert_eq!(store.claim(2).unwrap().unwrap().claim, first[1]);

    // The same output again writes nothing; a changed date is a change.
    let again = extract(&mut store, &better);
    assert_eq!(
        (again.run_id, again.claims_inserted, again.new_run),
        (outcome.run_id, 0, false)
    );
    assert_eq!(store.runs(None).unwrap().len(), 2);
    let mut dated = better.clone();
    dated[1].reported_on = Some(date("2024-12-01"));
    assert!(extract(&mut store, &dated).new_run);
    assert_eq!(store.runs(None).unwrap().len(), 3);

    let err = store
        .record_extraction(&NewExtraction {
            snapshot_id: 42,
            claims: &better,
            rows: 2,
            warnings: &[],
            adapter: "json 2",
        })
        .unwrap_err();
    assert_eq!(err.to_string(), ":memory:: there is no snapshot 42");
    assert_eq!(store.runs(None).unwrap().len(), 3);
}

#[test]
fn a_retracted_snapshot_counts_for_nothing_and_is_listed() {
    let mut store = store_with(&["a", "b"]);
    let a = store
        .record_snapshot(&snapshot(
            "a",
            b"a1",
            "2025-01-01",
            &[score("m", "mmlu", 1.0)],
        ))
        .unwrap();
    store
        .record_snapshot(&snapshot(
            "b",
            b"b1",
            "2025-01-02",
            &[score("n", "mmlu", 2.0)],
        ))
        .unwrap();
    let r = store
        .retract_snapshot(
            a.snapshot_id,
            "  the page showed test data  ",
            date("2025-03-01"),
        )
        .unwrap();
    assert_eq!(
        (r.sha256.as_str(), r.source_id.as_str(), r.observed_on),
        (a.sha256.as_str(), "a", date("2025-01-01"))
    );
    assert_eq!(
        (r.reason.as_str(), r.recorded_on),
        ("the page showed test data", date("2025-03-01"))
    );
    assert_eq!(store.retractions().unwrap(), [r]);
    let left: Vec<String> = store
        .claims(None)
        .unwrap()
        .into_iter()
        .map(|c| c.source_id)
        .collect();
    assert_eq!(left, ["b"]);
    assert_eq!(store.claim_set(None).unwrap().len(), 1);
    // The evidence itself stays.
    assert_eq!(store.claim_count().unwrap(), 2);
    assert_eq!(store.snapshot_claims(a.snapshot_id, None).unwrap().len(), 1);
    for (id, reason, problem) in [
        (a.snapshot_id, "again", "already retracted on 2025-03-01"),
        (2, " ", "the reason is empty"),
    ] {
        let err = store
            .retract_snapshot(id, reason, date("2025-04-01"))
            .unwrap_err();
        assert!(err.to_string().contains(problem), "{err}");
    }
    assert!(matches!(
        store.retract_snapshot(99, "x", date("2025-04-01")),
        Err(StoreError::NoSuchSnapshot { id: 99, .. })
    ));
    assert_eq!(store.retractions().unwrap().len(), 1);
}

#[test]
fn snapshots_are_found_by_a_prefix_of_their_sha256() {
    let mut store = store_with(&["a", "b"]);
    let one = store
        .record_snapshot(&snapshot("a", b"same bytes", "2025-01-01", &[]))
        .unwrap();
    let two = store
        .record_snapshot(&snapshot("b", b"same bytes", "2025-01-02", &[]))
        .unwrap();
    let found = |p: &str| -> Vec<i64> {
        store
            .find_snapshots(p)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(found(&one.sha256[..8]), [one.snapshot_id, two.snapshot_id]);
    assert_eq!(
        found(&one.sha256.to_uppercase()),
        [one.snapshot_id, two.snapshot_id]
    );
    assert!(found("%").is_empty());
    assert!(found("").is_empty());
    assert!(found("0000000000000000").is_empty());
}

#[test]
fn the_registry_round_trips() {
    let mut store = store_with(&[]);
    assert!(store.registry().unwrap().models().is_empty());
    let builtin = Registry::builtin().unwrap();
    store.sync_registry(&builtin).unwrap();
    let stored = store.registry().unwrap();
    // The store keeps what resolution and access need; access evidence, headline comparisons
    // and introduction dates stay in the registry files.
    let kept_models: Vec<_> = builtin
        .models()
        .iter()
        .cloned()
        .map(|mut m| {
            m.access_evidence = None;
            m
        })
        .collect();
    let kept_benchmarks: Vec<_> = builtin
        .benchmarks()
        .iter()
        .cloned()
        .map(|mut b| {
            b.subscores.clear();
            b.headline = Default::default();
            b.introduced = None;
            b
        })
        .collect();
    assert_eq!(stored.models(), kept_models.as_slice());
    assert_eq!(stored.benchmarks(), kept_benchmarks.as_slice());
    // Resolution works on what came back, aliases included.
    let some_alias = builtin
        .models()
        .iter()
        .find_map(|m| m.aliases.first().map(|a| (a.clone(), m.id.clone())));
    if let Some((alias, id)) = some_alias {
        assert_eq!(stored.resolve_model_name(&alias).id(), Some(id.as_str()));
    }
    // Syncing replaces rather than accumulates.
    let small = Registry::from_toml_str(
        "[[model]]\nid = \"m\"\nname = \"M\"\norganization = \"o\"\naccess = \"limited\"\nparameters_b = 7.5\nreleased = \"2025-02-03\"\n\n[[benchmark]]\nid = \"b\"\nname = \"B\"\nunit = \"elo\"\nhigher_is_better = false\nsaturated = true\nvariants = [\"x\"]\n",
        "small",
    )
    .unwrap();
    store.sync_registry(&small).unwrap();
    let stored = store.registry().unwrap();
    assert_eq!(stored.models(), small.models());
    assert_eq!(stored.benchmarks(), small.benchmarks());
}

#[test]
fn a_hundred_thousand_claims_go_in_one_snapshot() {
    let mut store = store_with(&["big"]);
    let claims: Vec<Claim> = (0..100_000)
        .map(|i| {
            let mut c = score(&format!("model-{i}"), "mmlu", f64::from(i % 100));
            c.locator = format!("row {i}");
            c
        })
        .collect();
    let outcome = store
        .record_snapshot(&snapshot("big", b"big", "2025-01-01", &claims))
        .unwrap();
    assert_eq!(outcome.claims_inserted, 100_000);
    assert_eq!(store.claim_count().unwrap(), 100_000);
    let back = store.claims(None).unwrap();
    assert_eq!(back.len(), 100_000);
    assert_eq!(back[99_999].claim, claims[99_999]);
}

#[test]
fn repeats_are_dropped_across_statement_batches() {
    // Claims are bound many to a statement; a repeat must be caught whether its first copy
    // went in the same statement, an earlier one, or the one-by-one tail.
    let mut store = store_with(&["board"]);
    let distinct: Vec<Claim> = (0..70)
        .map(|i| score(&format!("model-{i}"), "mmlu", f64::from(i)))
        .collect();
    let mut claims = distinct.clone();
    for i in [0, 31, 32, 33, 63, 64, 69, 5, 40, 69] {
        claims.push(distinct[i].clone());
    }
    claims.push(distinct[1].clone());
    assert_eq!(claims.len(), 81); // two full batches of 32 and a tail of 17
    let outcome = store
        .record_snapshot(&snapshot("board", b"v1", "2025-01-01", &claims))
        .unwrap();
    assert_eq!(outcome.claims_inserted, 70);
    let back: Vec<Claim> = store
        .claims(None)
        .unwrap()
        .into_iter()
        .map(|r| r.claim)
        .collect();
    assert_eq!(back, distinct, "stored once each, in first-seen order");
}

#[test]
fn a_bad_claim_deep_in_a_large_snapshot_is_named_by_its_position() {
    // Large snapshots are encoded on several threads; the error must still name the first
    // bad claim by its position in the whole list.
    let mut store = store_with(&["board"]);
    let mut claims: Vec<Claim> = (0..10_000)
        .map(|i| score(&format!("model-{i}"), "mmlu", f64::from(i % 100)))
        .collect();
    claims[7_777] = score("bad", "mmlu", f64::NAN);
    claims[9_000] = score("worse", "mmlu", f64::INFINITY);
    let err = store
        .record_snapshot(&snapshot("board", b"v1", "2025-01-01", &claims))
        .unwrap_err();
    match err {
        StoreError::InvalidClaim { index, locator, .. } => {
            assert_eq!((index, locator.as_str()), (7_777, "bad/mmlu"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.claim_count().unwrap(), 0);
    assert!(store.snapshots(None).unwrap().is_empty());
}

#[test]
fn the_fetch_log_keeps_failures_and_is_append_only() {
    use gapwatch_store::{FetchLogEntry, FetchOutcomeKind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sqlite");
    let mut store = Store::open(&path).unwrap();
    let entry = FetchLogEntry {
        id: 0,
        source_id: "swebench".into(),
        started_at: "2025-12-10T06:00:00Z".into(),
        outcome: FetchOutcomeKind::Failed,
        http_status: Some(503),
        bytes: None,
        rows: None,
        claims_inserted: None,
        warnings: vec!["retried 3 times".into()],
        message: Some("503 Service Unavailable after 4 attempts".into()),
        duration_ms: 7_250,
        snapshot_id: None,
    };
    let id = store.log_fetch(&entry).unwrap();
    let log = store.fetch_log(Some("swebench")).unwrap();
    assert_eq!(log, vec![FetchLogEntry { id, ..entry }]);
    assert!(store.fetch_log(Some("other")).unwrap().is_empty());
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert!(
        conn.execute("UPDATE fetch_log SET outcome = 'stored'", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM fetch_log", []).is_err());
}

#[test]
fn ids_continue_across_snapshots_and_runs_and_runs_record_their_claims() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gapwatch.db");
    let mut store = Store::open(&path).unwrap();
    store.upsert_source(&source("a")).unwrap();
    store.upsert_source(&source("b")).unwrap();
    let first = [score("m", "mmlu", 1.0), score("n", "mmlu", 2.0)];
    let a = store
        .record_snapshot(&snapshot("a", b"a1", "2025-01-01", &first))
        .unwrap();
    let second = [score("m", "gpqa", 3.0)];
    store
        .record_snapshot(&snapshot("b", b"b1", "2025-01-02", &second))
        .unwrap();
    // A re-extraction of the first snapshot: one claim repeats within the list, and is
    // stored once.
    let new = score("o", "mmlu", 4.0);
    let outcome = store
        .record_extraction(&NewExtraction {
            snapshot_id: a.snapshot_id,
            claims: &[first[0].clone(), new.clone(), new.clone()],
            rows: 3,
            warnings: &[],
            adapter: "json 2",
        })
        .unwrap();
    assert_eq!(outcome.claims_inserted, 2);
    let records = store.claims(None).unwrap();
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    assert_eq!(ids, [3, 4, 5]);
    let claims: Vec<Claim> = records.into_iter().map(|r| r.claim).collect();
    assert_eq!(claims, [second[0].clone(), first[0].clone(), new]);
    assert_eq!(store.claim_count().unwrap(), 5);
    let conn = Connection::open(&path).unwrap();
    type RunRow = (i64, i64, i64, Option<i64>, Option<i64>);
    let runs: Vec<RunRow> = conn
        .prepare(
            "SELECT id, claims, stored_claims, first_claim_id, last_claim_id
             FROM extraction_runs ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        runs,
        [
            (1, 2, 2, Some(1), Some(2)),
            (2, 1, 1, Some(3), Some(3)),
            (3, 3, 2, Some(4), Some(5))
        ]
    );
    // claims_v reads the same claims as text, with their provenance; `current` says which
    // count.
    type ViewRow = (i64, String, String, f64, String, i64, bool);
    let rows: Vec<ViewRow> = conn
        .prepare(
            "SELECT claim_id, subject, benchmark, value, unit, run_id, current FROM claims_v
             ORDER BY claim_id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let text = |s: &str| s.to_owned();
    assert_eq!(
        rows,
        [
            (1, text("m"), text("mmlu"), 1.0, text("percent"), 1, false),
            (2, text("n"), text("mmlu"), 2.0, text("percent"), 1, false),
            (3, text("m"), text("gpqa"), 3.0, text("percent"), 2, true),
            (4, text("m"), text("mmlu"), 1.0, text("percent"), 3, true),
            (5, text("o"), text("mmlu"), 4.0, text("percent"), 3, true),
        ]
    );
    // An empty run records no ids.
    let empty = store
        .record_snapshot(&snapshot("b", b"b2", "2025-01-03", &[]))
        .unwrap();
    let run = store.runs(Some("b")).unwrap().pop().unwrap();
    assert_eq!((run.snapshot_id, run.stored_claims), (empty.snapshot_id, 0));
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn the_claim_set_holds_the_same_claims_in_the_same_order() {
    let mut store = store_with(&["a", "b"]);
    let mut settings = Settings::new();
    settings.insert("mode".into(), "FC".into());
    let tricky = [
        Claim {
            subject: Subject {
                name: "Ünïcödé 模型 🚀".into(),
                system: Some(String::new()),
                models: vec![String::new(), "m".into()],
            },
            fact: Fact::Score(Score {
                benchmark: "mmlu".into(),
                variant: "ünï".into(),
                metric: String::new(),
                settings: settings.clone(),
                value: -0.0,
                unit: Unit::Score,
                uncertainty: Some(0.0),
            }),
            reported_on: Some(date("2024-02-29")),
            evaluator: Evaluator::Unknown,
            locator: String::new(),
        },
        Claim {
            fact: Fact::Access {
                access: Access::Limited,
                license: Some(String::new()),
            },
            ..score("x", "mmlu", 0.0)
        },
        Claim {
            fact: Fact::Access {
                access: Access::Unknown,
                license: None,
            },
            ..score("x", "mmlu", 0.0)
        },
        score("x", "mmlu", 0.0),
    ];
    store
        .record_snapshot(&snapshot("a", b"a1", "2025-01-01", &tricky))
        .unwrap();
    for (i, day) in ["2025-02-01", "2025-03-01", "2025-01-15"]
        .iter()
        .enumerate()
    {
        let claims: Vec<Claim> = (0..50)
            .map(|j| {
                score(
                    &format!("model {}", j % 7),
                    "gpqa",
                    f64::from(i as u32 * 100 + j),
                )
            })
            .collect();
        store
            .record_snapshot(&snapshot("b", day.as_bytes(), day, &claims))
            .unwrap();
    }
    for as_of in [None, Some(date("2025-01-31")), Some(date("2024-01-01"))] {
        let records = store.claims(as_of).unwrap();
        let set = store.claim_set(as_of).unwrap();
        assert_eq!(set.len(), records.len());
        assert_eq!(set.records().collect::<Vec<_>>(), records);
        assert_eq!(set.rows().iter().map(|r| r.id).collect::<Vec<_>>(), {
            records.iter().map(|r| r.id).collect::<Vec<_>>()
        });
    }
    assert_eq!(store.claims(Some(date("2025-01-31"))).unwrap().len(), 54);
    let set = store.claim_set(None).unwrap();
    assert_eq!(set.len(), 154);
    // Strings, subjects and settings are held once across snapshots.
    let (_, subjects, settings_maps) = set.distinct();
    assert_eq!((subjects, settings_maps), (9, 2));
    let back = store.claims(None).unwrap();
    let first: Vec<Claim> = back[..4].iter().map(|r| r.claim.clone()).collect();
    assert_eq!(first, tricky);
    // SQLite keeps -0.0 in a REAL column as 0: it reads back as 0.0.
    assert_eq!(
        back[0].claim.score().unwrap().value.to_bits(),
        0.0f64.to_bits()
    );
}

/// A store of two snapshots with claims, closed, and a connection to its file with the
/// triggers that would stop damage dropped.
fn damageable(dir: &Path) -> (std::path::PathBuf, Connection) {
    let (mut store, path) = file_store(dir);
    store
        .record_snapshot(&snapshot(
            "board",
            &b"model,score\n".repeat(100),
            "2025-02-01",
            &[score("c", "mmlu", 60.0)],
        ))
        .unwrap();
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!((report.blobs, report.runs, report.claims), (2, 2, 3));
    drop(store);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DROP TRIGGER claims_no_delete; DROP TRIGGER claims_no_update;
         DROP TRIGGER blobs_no_update;",
    )
    .unwrap();
    (path, conn)
}

#[test]
fn check_finds_a_missing_claim_row() {
    let dir = tempfile::tempdir().unwrap();
    let (path, conn) = damageable(dir.path());
    conn.execute("DELETE FROM claims WHERE id = 2", []).unwrap();
    let report = Store::open(&path).unwrap().check().unwrap();
    assert_eq!(
        report.problems,
        [
            "extraction run 1: recorded 2 claims (ids 1 to 2); the claims table holds 1 (ids 1 to 1)",
            "claims cache of run 1 disagrees with the claims table"
        ]
    );
}

#[test]
fn check_finds_a_damaged_blob_and_a_damaged_claim() {
    let dir = tempfile::tempdir().unwrap();
    let (path, conn) = damageable(dir.path());
    let sha: String = conn
        .query_row("SELECT sha256 FROM snapshots WHERE id = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    // A flipped byte inside the compressed stream.
    let data: Vec<u8> = conn
        .query_row("SELECT data FROM blobs WHERE sha256 = ?1", [&sha], |r| {
            r.get(0)
        })
        .unwrap();
    let mut bad = data.clone();
    bad[data.len() / 2] ^= 0x10;
    conn.execute(
        "UPDATE blobs SET data = ?1 WHERE sha256 = ?2",
        rusqlite::params![bad, sha],
    )
    .unwrap();
    conn.execute("UPDATE claims SET evaluator = 9 WHERE id = 3", [])
        .unwrap_err();
    conn.execute("UPDATE claims SET subject_id = 99 WHERE id = 3", [])
        .unwrap();
    let mut store = Store::open(&path).unwrap();
    let report = store.check().unwrap();
    assert_eq!(report.problems.len(), 3, "{report:?}");
    assert_eq!(
        report.problems[0],
        "claims cache of run 2 disagrees with the claims table at claim 3"
    );
    assert!(
        report.problems[1].ends_with("claim 3: refers to missing claim subject 99"),
        "{report:?}"
    );
    assert!(
        report.problems[2].starts_with(&format!("blob {sha}")),
        "{report:?}"
    );
    // The cache rebuilt from the rows agrees with them; the damage itself remains.
    assert_eq!(store.rebuild_claims_cache().unwrap(), 2);
    let after = store.check().unwrap();
    assert_eq!(after.problems.len(), 2, "{after:?}");
    assert!(store.claims(None).is_err());
    // Reading the damaged bytes fails the same way; the other snapshot still reads.
    assert!(store.snapshot_bytes(2).is_err());
    assert!(store.snapshot_bytes(1).is_ok());
}

#[test]
fn snapshots_recorded_together_are_stored_all_or_none() {
    let mut store = store_with(&["a", "b"]);
    let good = [score("m", "mmlu", 1.0)];
    let bad = [score("n", "mmlu", f64::NAN)];
    let err = store
        .record_snapshots(&[
            snapshot("a", b"a1", "2025-01-01", &good),
            snapshot("b", b"b1", "2025-01-02", &bad),
        ])
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidClaim { .. }), "{err:?}");
    assert!(store.snapshots(None).unwrap().is_empty());
    assert_eq!(store.claim_count().unwrap(), 0);
    let outcomes = store
        .record_snapshots(&[
            snapshot("a", b"a1", "2025-01-01", &good),
            snapshot("b", b"b1", "2025-01-02", &good),
            snapshot("a", b"a1", "2025-01-03", &good),
        ])
        .unwrap();
    let new: Vec<(bool, u64)> = outcomes
        .iter()
        .map(|o| (o.new_snapshot, o.claims_inserted))
        .collect();
    assert_eq!(new, [(true, 1), (true, 1), (false, 0)]);
    assert_eq!(outcomes[2].snapshot_id, outcomes[0].snapshot_id);
    assert_eq!(store.claims(None).unwrap().len(), 2);
}

#[test]
fn the_claims_cache_stays_derived() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = file_store(dir.path());
    let mut settings = Settings::new();
    settings.insert("mode".into(), "FC".into());
    let varied = [
        Claim {
            subject: Subject::system("A + B", "A", ["b", "c"]),
            fact: Fact::Score(Score {
                benchmark: "swe-bench".into(),
                variant: "verified".into(),
                metric: "resolved".into(),
                settings,
                value: f64::MAX,
                unit: Unit::Elo,
                uncertainty: Some(1e-300),
            }),
            reported_on: Some(date("1969-12-31")),
            evaluator: Evaluator::Competitor,
            locator: "ünï 🚀".into(),
        },
        Claim {
            fact: Fact::Access {
                access: Access::Limited,
                license: Some(String::new()),
            },
            ..score("x", "mmlu", 0.0)
        },
        score("y", "mmlu", -12.25),
    ];
    store
        .record_snapshot(&snapshot("board", b"v2", "2025-02-01", &varied))
        .unwrap();
    let before = store.claims(None).unwrap();
    assert_eq!(before.len(), 5);
    let back: Vec<Claim> = before[2..].iter().map(|r| r.claim.clone()).collect();
    assert_eq!(back, varied);
    let conn = Connection::open(&path).unwrap();
    let cached: i64 = conn
        .query_row("SELECT count(*) FROM claims_cache", [], |r| r.get(0))
        .unwrap();
    assert_eq!(cached, 2);
    // Without the cache, or with an entry that is not what its run recorded, or damaged, the
    // same claims are read from the claims table.
    for damage in [
        "DELETE FROM claims_cache WHERE run_id = 2",
        "UPDATE claims_cache SET claims = 2 WHERE run_id = 2",
        "UPDATE claims_cache SET body = x'01ff' WHERE run_id = 2",
    ] {
        store.rebuild_claims_cache().unwrap();
        conn.execute_batch(damage).unwrap();
        assert_eq!(store.claims(None).unwrap(), before, "{damage}");
        let report = store.check().unwrap();
        let cache_problems = report
            .problems
            .iter()
            .filter(|p| p.starts_with("claims cache of run 2"))
            .count();
        let expected = usize::from(!damage.starts_with("DELETE"));
        assert_eq!(cache_problems, expected, "{damage}: {report:?}");
    }
    store.rebuild_claims_cache().unwrap();
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn the_registry_cache_is_written_only_when_something_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = file_store(dir.path());
    let small = Registry::from_toml_str(
        "[[model]]\nid = \"model-a\"\nname = \"A\"\norganization = \"o\"\naccess = \"open-weights\"\naliases = [\"a\"]\n",
        "small",
    )
    .unwrap();
    assert!(store.sync_registry(&small).unwrap());
    assert!(!store.sync_registry(&small).unwrap());
    let conn = Connection::open(&path).unwrap();
    let names = |conn: &Connection| -> Vec<(String, Option<String>)> {
        conn.prepare("SELECT name, model_id FROM model_names ORDER BY name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    // The claims' model names, resolved: "a" is an alias, "b" unknown.
    assert_eq!(
        names(&conn),
        [
            ("a".to_owned(), Some("model-a".to_owned())),
            ("b".to_owned(), None)
        ]
    );
    // New names are resolved as they arrive; an emptied table is filled again.
    store
        .record_snapshot(&snapshot(
            "board",
            b"v2",
            "2025-02-01",
            &[score("A", "mmlu", 1.0)],
        ))
        .unwrap();
    assert!(store.sync_registry(&small).unwrap());
    assert_eq!(names(&conn).len(), 3);
    conn.execute("DELETE FROM registry_models", []).unwrap();
    assert!(store.sync_registry(&small).unwrap());
    assert_eq!(count(&conn, "registry_models"), 1);
    assert!(!store.sync_registry(&small).unwrap());
}
