//! The store itself: opening a database, sources, snapshots, extraction runs and claims.

use std::path::{Path, PathBuf};

use gapwatch_model::{ClaimRecord, ClaimSet, Date};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::blob;
use crate::claims::{self, Interner, NewRun, Selection};
use crate::error::{corrupt, sql};
use crate::schema;
use crate::{
    ExtractionOutcome, NewExtraction, NewSnapshot, RunRecord, SnapshotOutcome, SnapshotRecord,
    SourceInfo, SourceRecord, StoreError,
};

/// How many prepared statements each connection keeps compiled.
const STATEMENT_CACHE: usize = 64;

/// The claims store: one SQLite database holding sources, snapshots, claims, the registry and
/// published story versions. Evidence is append-only.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    path: Option<PathBuf>,
    /// The file name shown in errors, or `:memory:`.
    pub(crate) db: String,
    /// Claim strings, subjects and settings already in the database.
    interner: Interner,
}

const SELECT_SNAPSHOTS: &str = "SELECT s.id, s.source_id, s.sha256, s.observed_on, s.fetched_at,
    s.origin, b.size, s.http_status, s.etag, s.last_modified
    FROM snapshots s JOIN blobs b ON b.sha256 = s.sha256";

impl Store {
    /// Opens or creates a gapwatch database at `path`.
    ///
    /// A missing or empty file is initialised. A file that is not a SQLite database, a SQLite
    /// database of another application, or a gapwatch database newer than this build is
    /// refused with an error naming it, and its bytes are left unchanged.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        schema::inspect(path)?;
        let db = path.display().to_string();
        let conn = Connection::open(path).map_err(sql(&db, "open the database"))?;
        Self::init(conn, Some(path.to_owned()), db)
    }

    /// Opens a fresh database that lives in memory and vanishes when dropped.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let db = ":memory:".to_owned();
        let conn = Connection::open_in_memory().map_err(sql(&db, "open the database"))?;
        Self::init(conn, None, db)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>, db: String) -> Result<Store, StoreError> {
        schema::configure(&conn, &db)?;
        let shown = path.clone().unwrap_or_else(|| PathBuf::from(&db));
        schema::migrate(&mut conn, &shown, &db)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Store {
            conn,
            path,
            db,
            interner: Interner::default(),
        })
    }

    /// The database file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Adds a source or updates its descriptive fields. Sources are configuration, so unlike
    /// evidence they may change.
    pub fn upsert_source(&mut self, source: &SourceInfo) -> Result<(), StoreError> {
        let action = format!("save source {:?}", source.id);
        self.conn
            .prepare_cached(
                "INSERT INTO sources (id, publisher, title, url, format)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET publisher = excluded.publisher,
                    title = excluded.title, url = excluded.url, format = excluded.format",
            )
            .and_then(|mut s| {
                s.execute(params![
                    source.id,
                    source.publisher,
                    source.title,
                    source.url,
                    source.format
                ])
            })
            .map_err(sql(&self.db, &action))?;
        Ok(())
    }

    /// All sources, ordered by id, with the dates and count of their snapshots.
    pub fn sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        let action = "list sources";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT so.id, so.publisher, so.title, so.url, so.format,
                    min(sn.observed_on), max(sn.observed_on), count(sn.id)
                 FROM sources so LEFT JOIN snapshots sn ON sn.source_id = so.id
                 GROUP BY so.id ORDER BY so.id",
            )
            .map_err(sql(&self.db, action))?;
        let mut rows = stmt.query([]).map_err(sql(&self.db, action))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql(&self.db, action))? {
            let get = |e| sql(&self.db, action)(e);
            let id: String = row.get(0).map_err(get)?;
            let date = |i: usize| -> Result<Option<Date>, StoreError> {
                row.get::<_, Option<String>>(i)
                    .map_err(get)?
                    .map(|t| parse_date(&self.db, &t, &format!("source {id:?}")))
                    .transpose()
            };
            out.push(SourceRecord {
                publisher: row.get(1).map_err(get)?,
                title: row.get(2).map_err(get)?,
                url: row.get(3).map_err(get)?,
                format: row.get(4).map_err(get)?,
                first_seen: date(5)?,
                last_observed: date(6)?,
                snapshots: row.get(7).map_err(get)?,
                id,
            });
        }
        Ok(out)
    }

    /// Stores a snapshot with its extraction run and claims, all in one transaction.
    ///
    /// The bytes are stored once however many sources or snapshots share them. If this source
    /// already has a snapshot of identical bytes, nothing at all is written and the outcome
    /// says `new_snapshot: false`. Claims repeated in the list are stored once. A claim that
    /// cannot be stored faithfully (a value that is not finite) fails the whole call, leaving
    /// no trace of the snapshot.
    pub fn record_snapshot(
        &mut self,
        snap: &NewSnapshot<'_>,
    ) -> Result<SnapshotOutcome, StoreError> {
        let mut outcomes = self.record_snapshots(std::slice::from_ref(snap))?;
        outcomes.pop().ok_or_else(|| {
            corrupt(
                &self.db,
                "recording one snapshot gave no outcome".to_owned(),
            )
        })
    }

    /// Stores several snapshots, each as [`Store::record_snapshot`] would, all in one
    /// transaction: all of them or none. For bulk imports, where a commit per snapshot would
    /// cost more than the snapshot. Outcomes are in the order given.
    pub fn record_snapshots(
        &mut self,
        snaps: &[NewSnapshot<'_>],
    ) -> Result<Vec<SnapshotOutcome>, StoreError> {
        let result = self.write_snapshots(snaps);
        if result.is_err() {
            // Strings it interned may have been rolled back.
            self.interner = Interner::default();
        }
        result
    }

    fn write_snapshots(
        &mut self,
        snaps: &[NewSnapshot<'_>],
    ) -> Result<Vec<SnapshotOutcome>, StoreError> {
        let db = &self.db;
        let action = match snaps {
            [one] => format!("record a snapshot of source {:?}", one.source_id),
            _ => format!("record {} snapshots", snaps.len()),
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(db, &action))?;
        let mut outcomes = Vec::with_capacity(snaps.len());
        for snap in snaps {
            outcomes.push(write_snapshot(&tx, db, &mut self.interner, snap)?);
        }
        tx.commit().map_err(sql(db, &action))?;
        Ok(outcomes)
    }

    /// Records a new extraction over a stored snapshot, as when an adapter or a source's
    /// configuration improves: a new run holding every claim extracted (repeats dropped by
    /// the identity rule), which replaces the snapshot's earlier runs for analysis. The earlier
    /// runs and their claims stay in the store.
    ///
    /// Idempotent: when the claims extracted are exactly the claims that count for the
    /// snapshot now (dates and evaluators included, in order), nothing is written and the
    /// outcome names the current run with `new_run: false`. All or nothing, like
    /// [`Store::record_snapshot`].
    pub fn record_extraction(
        &mut self,
        extraction: &NewExtraction<'_>,
    ) -> Result<ExtractionOutcome, StoreError> {
        let result = self.write_extraction(extraction);
        if result.is_err() {
            self.interner = Interner::default();
        }
        result
    }

    fn write_extraction(
        &mut self,
        extraction: &NewExtraction<'_>,
    ) -> Result<ExtractionOutcome, StoreError> {
        let db = &self.db;
        let action = format!(
            "record an extraction of snapshot {}",
            extraction.snapshot_id
        );
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(db, &action))?;
        let source_id: String = tx
            .prepare_cached("SELECT source_id FROM snapshots WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([extraction.snapshot_id], |r| r.get(0))
                    .optional()
            })
            .map_err(sql(db, &action))?
            .ok_or_else(|| StoreError::NoSuchSnapshot {
                db: db.clone(),
                id: extraction.snapshot_id,
            })?;
        let run = NewRun {
            source_id: &source_id,
            snapshot_id: extraction.snapshot_id,
            rows: extraction.rows,
            warnings: extraction.warnings,
            adapter: extraction.adapter,
            skip_if_unchanged: true,
        };
        let outcome = claims::record_run(&tx, db, &mut self.interner, &run, extraction.claims)?;
        tx.commit().map_err(sql(db, &action))?;
        Ok(ExtractionOutcome {
            run_id: outcome.run_id,
            claims_inserted: outcome.stored,
            new_run: outcome.new_run,
        })
    }

    /// The snapshot with this id.
    pub fn snapshot(&self, id: i64) -> Result<Option<SnapshotRecord>, StoreError> {
        let action = format!("read snapshot {id}");
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT_SNAPSHOTS} WHERE s.id = ?1"))
            .map_err(sql(&self.db, &action))?;
        let mut rows = stmt.query([id]).map_err(sql(&self.db, &action))?;
        match rows.next().map_err(sql(&self.db, &action))? {
            Some(row) => Ok(Some(self.decode_snapshot(row)?)),
            None => Ok(None),
        }
    }

    /// Snapshots of one source, or of all when `None`, ordered by `observed_on` then id.
    pub fn snapshots(&self, source_id: Option<&str>) -> Result<Vec<SnapshotRecord>, StoreError> {
        let action = "list snapshots";
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT_SNAPSHOTS} WHERE ?1 IS NULL OR s.source_id = ?1
                 ORDER BY s.observed_on, s.id"
            ))
            .map_err(sql(&self.db, action))?;
        let mut rows = stmt.query([source_id]).map_err(sql(&self.db, action))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql(&self.db, action))? {
            out.push(self.decode_snapshot(row)?);
        }
        Ok(out)
    }

    fn decode_snapshot(&self, row: &Row<'_>) -> Result<SnapshotRecord, StoreError> {
        let get = |e| sql(&self.db, "read snapshots")(e);
        let id: i64 = row.get(0).map_err(get)?;
        let observed: String = row.get(3).map_err(get)?;
        Ok(SnapshotRecord {
            id,
            source_id: row.get(1).map_err(get)?,
            sha256: row.get(2).map_err(get)?,
            observed_on: parse_date(&self.db, &observed, &format!("snapshot {id}"))?,
            fetched_at: row.get(4).map_err(get)?,
            origin: row.get(5).map_err(get)?,
            size: row.get(6).map_err(get)?,
            http_status: row.get(7).map_err(get)?,
            etag: row.get(8).map_err(get)?,
            last_modified: row.get(9).map_err(get)?,
        })
    }

    /// The bytes of a stored snapshot, decompressed and checked against their sha256.
    pub fn snapshot_bytes(&self, id: i64) -> Result<Vec<u8>, StoreError> {
        let sha256: String = self
            .conn
            .prepare_cached("SELECT sha256 FROM snapshots WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(sql(&self.db, &format!("read snapshot {id}")))?
            .ok_or_else(|| StoreError::NoSuchSnapshot {
                db: self.db.clone(),
                id,
            })?;
        blob::get(&self.conn, &self.db, &sha256)?.ok_or_else(|| {
            corrupt(
                &self.db,
                format!("snapshot {id} refers to blob {sha256}, which is missing"),
            )
        })
    }

    /// Extraction runs of one source, or of all when `None`, ordered by id.
    pub fn runs(&self, source_id: Option<&str>) -> Result<Vec<RunRecord>, StoreError> {
        let action = "list extraction runs";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.id, r.snapshot_id, s.source_id, r.rows, r.claims, r.warnings, r.adapter,
                    r.stored_claims, r.scope = 'complete',
                    NOT EXISTS (SELECT 1 FROM extraction_runs n WHERE n.snapshot_id = r.snapshot_id
                        AND n.id > r.id AND n.scope = 'complete')
                 FROM extraction_runs r JOIN snapshots s ON s.id = r.snapshot_id
                 WHERE ?1 IS NULL OR s.source_id = ?1 ORDER BY r.id",
            )
            .map_err(sql(&self.db, action))?;
        let mut rows = stmt.query([source_id]).map_err(sql(&self.db, action))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql(&self.db, action))? {
            let get = |e| sql(&self.db, action)(e);
            let id: i64 = row.get(0).map_err(get)?;
            let warnings: String = row.get(5).map_err(get)?;
            out.push(RunRecord {
                id,
                snapshot_id: row.get(1).map_err(get)?,
                source_id: row.get(2).map_err(get)?,
                rows: row.get(3).map_err(get)?,
                claims: row.get(4).map_err(get)?,
                warnings: serde_json::from_str(&warnings).map_err(|e| {
                    corrupt(
                        &self.db,
                        format!("extraction run {id}: warnings are not a JSON list: {e}"),
                    )
                })?,
                adapter: row.get(6).map_err(get)?,
                stored_claims: row.get(7).map_err(get)?,
                complete: row.get(8).map_err(get)?,
                current: row.get(9).map_err(get)?,
            });
        }
        Ok(out)
    }

    /// Appends a row to the fetch log; returns its id.
    pub fn log_fetch(&mut self, entry: &crate::FetchLogEntry) -> Result<i64, StoreError> {
        crate::fetch_log::append(&self.conn, &self.db, entry)
    }

    /// The fetch log of one source, or of all when `None`, oldest first.
    pub fn fetch_log(
        &self,
        source_id: Option<&str>,
    ) -> Result<Vec<crate::FetchLogEntry>, StoreError> {
        crate::fetch_log::list(&self.conn, &self.db, source_id)
    }

    /// The ETag and Last-Modified of the source's newest snapshot that has either, for a
    /// conditional GET.
    pub fn validators(
        &self,
        source_id: &str,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        crate::fetch_log::validators(&self.conn, &self.db, source_id)
    }

    /// The claims that count for analysis, ordered by id: those of snapshots observed on or
    /// before `as_of` (all when `None`), not retracted, from each snapshot's current run (the
    /// newest complete run, with the runs of additions after it).
    ///
    /// Each claim comes with strings of its own; [`Store::claim_set`] reads the same claims
    /// in far less memory and time.
    pub fn claims(&self, as_of: Option<Date>) -> Result<Vec<ClaimRecord>, StoreError> {
        Ok(self.claim_set(as_of)?.records().collect())
    }

    /// The claims of [`Store::claims`], in the same order, as a [`ClaimSet`]: strings,
    /// subjects and settings held once, each claim a row of numbers.
    pub fn claim_set(&self, as_of: Option<Date>) -> Result<ClaimSet, StoreError> {
        claims::read(
            &self.conn,
            &self.db,
            &Selection {
                as_of,
                without_retracted: true,
                ..Selection::default()
            },
        )
    }

    /// How many claims are stored, by every run, superseded and retracted ones included.
    pub fn claim_count(&self) -> Result<u64, StoreError> {
        claims::count(&self.conn, &self.db)
    }

    /// The claim with this id, whether or not it counts for analysis now (see
    /// [`Store::runs`] and [`Store::retractions`] for why it might not).
    pub fn claim(&self, id: i64) -> Result<Option<ClaimRecord>, StoreError> {
        claims::claim(&self.conn, &self.db, id)
    }

    /// The claims of a snapshot, in id order: those of one of its runs, or (`None`) of the
    /// runs that count for it now, whether or not the snapshot is retracted.
    pub fn snapshot_claims(
        &self,
        snapshot_id: i64,
        run_id: Option<i64>,
    ) -> Result<Vec<ClaimRecord>, StoreError> {
        claims::snapshot_claims(&self.conn, &self.db, snapshot_id, run_id)
    }

    /// Snapshots whose sha256 starts with `prefix` (lowercase hex), ordered by id. The same
    /// bytes stored for two sources are two snapshots with one sha256.
    pub fn find_snapshots(&self, prefix: &str) -> Result<Vec<SnapshotRecord>, StoreError> {
        let action = format!("find snapshots {prefix:?}");
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let prefix = prefix.to_ascii_lowercase();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT_SNAPSHOTS} WHERE substr(s.sha256, 1, length(?1)) = ?1 ORDER BY s.id"
            ))
            .map_err(sql(&self.db, &action))?;
        let mut rows = stmt.query([prefix]).map_err(sql(&self.db, &action))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql(&self.db, &action))? {
            out.push(self.decode_snapshot(row)?);
        }
        Ok(out)
    }
}

/// Writes one snapshot with its run and claims inside the caller's transaction.
fn write_snapshot(
    tx: &Connection,
    db: &str,
    interner: &mut Interner,
    snap: &NewSnapshot<'_>,
) -> Result<SnapshotOutcome, StoreError> {
    let action = format!("record a snapshot of source {:?}", snap.source_id);
    let sha256 = blob::sha256_hex(snap.bytes);
    let known = tx
        .prepare_cached("SELECT 1 FROM sources WHERE id = ?1")
        .and_then(|mut s| s.exists([snap.source_id]))
        .map_err(sql(db, &action))?;
    if !known {
        return Err(StoreError::UnknownSource {
            db: db.to_owned(),
            source_id: snap.source_id.to_owned(),
        });
    }
    let existing: Option<i64> = tx
        .prepare_cached("SELECT id FROM snapshots WHERE source_id = ?1 AND sha256 = ?2")
        .and_then(|mut s| {
            s.query_row(params![snap.source_id, sha256], |r| r.get(0))
                .optional()
        })
        .map_err(sql(db, &action))?;
    if let Some(snapshot_id) = existing {
        return Ok(SnapshotOutcome {
            snapshot_id,
            sha256,
            new_snapshot: false,
            claims_inserted: 0,
        });
    }
    blob::put(tx, db, &sha256, snap.bytes)?;
    tx.prepare_cached(
        "INSERT INTO snapshots (source_id, sha256, observed_on, fetched_at, origin,
            http_status, etag, last_modified)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut s| {
        s.execute(params![
            snap.source_id,
            sha256,
            snap.observed_on.to_string(),
            snap.fetched_at,
            snap.origin,
            snap.http_status,
            snap.etag,
            snap.last_modified,
        ])
    })
    .map_err(sql(db, &action))?;
    let snapshot_id = tx.last_insert_rowid();
    let run = NewRun {
        source_id: snap.source_id,
        snapshot_id,
        rows: snap.rows,
        warnings: snap.warnings,
        adapter: snap.adapter,
        skip_if_unchanged: false,
    };
    let outcome = claims::record_run(tx, db, interner, &run, snap.claims)?;
    Ok(SnapshotOutcome {
        snapshot_id,
        sha256,
        new_snapshot: true,
        claims_inserted: outcome.stored,
    })
}

/// Parses a stored date, reporting damage against `owner` (e.g. `snapshot 3`).
pub(crate) fn parse_date(db: &str, text: &str, owner: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|_| corrupt(db, format!("{owner}: {text:?} is not a date")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_can_cross_threads() {
        // Callers wrap these in `anyhow::Error`, which needs all three.
        fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
        assert_error::<StoreError>();
    }

    #[test]
    fn connections_enforce_foreign_keys_and_use_wal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("gapwatch.db")).unwrap();
        let pragma = |name: &str| -> String {
            store
                .conn
                .query_row(&format!("PRAGMA {name}"), [], |r| {
                    r.get::<_, rusqlite::types::Value>(0)
                })
                .map(|v| format!("{v:?}"))
                .unwrap()
        };
        assert_eq!(pragma("foreign_keys"), "Integer(1)");
        assert_eq!(pragma("journal_mode"), "Text(\"wal\")");
        assert_eq!(pragma("busy_timeout"), "Integer(10000)");
        // NORMAL: with a write-ahead log, synced at checkpoints rather than every commit.
        assert_eq!(pragma("synchronous"), "Integer(1)");
        assert_eq!(pragma("wal_autocheckpoint"), "Integer(10000)");
        // A snapshot pointing at no blob is refused by the schema itself.
        store
            .conn
            .execute_batch("INSERT INTO sources VALUES ('s', 'p', 't', 'u', 'f')")
            .unwrap();
        let err = store
            .conn
            .execute(
                "INSERT INTO snapshots (source_id, sha256, observed_on, origin)
                 VALUES ('s', ?1, '2025-01-01', 'x')",
                ["0".repeat(64)],
            )
            .unwrap_err();
        assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    }
}
