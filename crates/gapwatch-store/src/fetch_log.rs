//! The fetch log: one row per attempt to bring a source up to date, whatever happened, so a
//! scheduler's history (failures, 304s, unchanged bytes) is kept beside the evidence.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::error::{corrupt, sql};
use crate::{Store, StoreError};

/// What an attempt to update a source came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FetchOutcomeKind {
    /// New bytes were stored as a snapshot with their claims.
    Stored,
    /// The bytes were identical to a stored snapshot: nothing added.
    Unchanged,
    /// The server answered 304 Not Modified: nothing added.
    NotModified,
    /// Stored, but the extraction looks wrong (empty, shrunken); earlier claims stand.
    Attention,
    /// Nothing could be fetched or extracted.
    Failed,
}

impl FetchOutcomeKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchOutcomeKind::Stored => "stored",
            FetchOutcomeKind::Unchanged => "unchanged",
            FetchOutcomeKind::NotModified => "not-modified",
            FetchOutcomeKind::Attention => "attention",
            FetchOutcomeKind::Failed => "failed",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "stored" => FetchOutcomeKind::Stored,
            "unchanged" => FetchOutcomeKind::Unchanged,
            "not-modified" => FetchOutcomeKind::NotModified,
            "attention" => FetchOutcomeKind::Attention,
            "failed" => FetchOutcomeKind::Failed,
            _ => return None,
        })
    }
}

/// One row of the fetch log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchLogEntry {
    /// The row's id (ignored when writing).
    pub id: i64,
    /// The configured source.
    pub source_id: String,
    /// When the attempt started, RFC 3339.
    pub started_at: String,
    /// What it came to.
    pub outcome: FetchOutcomeKind,
    /// The final HTTP status, when a response arrived.
    pub http_status: Option<u16>,
    /// Body size in bytes, when a body arrived.
    pub bytes: Option<u64>,
    /// Rows the adapter saw.
    pub rows: Option<u64>,
    /// Claims newly stored.
    pub claims_inserted: Option<u64>,
    /// Warnings of the run.
    pub warnings: Vec<String>,
    /// The error, for failures.
    pub message: Option<String>,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: u64,
    /// The snapshot stored or matched, if any.
    pub snapshot_id: Option<i64>,
}

pub(crate) fn append(conn: &Connection, db: &str, e: &FetchLogEntry) -> Result<i64, StoreError> {
    let warnings = serde_json::to_string(&e.warnings)
        .map_err(|err| corrupt(db, format!("warnings cannot be written: {err}")))?;
    conn.prepare_cached(
        "INSERT INTO fetch_log (source_id, started_at, outcome, http_status, bytes, rows,
             claims_inserted, warnings, message, duration_ms, snapshot_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .and_then(|mut stmt| {
        stmt.execute(rusqlite::params![
            e.source_id,
            e.started_at,
            e.outcome.as_str(),
            e.http_status,
            e.bytes.map(|b| b as i64),
            e.rows.map(|r| r as i64),
            e.claims_inserted.map(|c| c as i64),
            warnings,
            e.message,
            e.duration_ms as i64,
            e.snapshot_id,
        ])
    })
    .map_err(sql(db, &format!("log a fetch of {}", e.source_id)))?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn list(
    conn: &Connection,
    db: &str,
    source_id: Option<&str>,
) -> Result<Vec<FetchLogEntry>, StoreError> {
    let action = "read the fetch log";
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, source_id, started_at, outcome, http_status, bytes, rows, claims_inserted,
                    warnings, message, duration_ms, snapshot_id
             FROM fetch_log WHERE ?1 IS NULL OR source_id = ?1 ORDER BY id",
        )
        .map_err(sql(db, action))?;
    let mut rows = stmt.query([source_id]).map_err(sql(db, action))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        let get = |e| sql(db, action)(e);
        let id: i64 = row.get(0).map_err(get)?;
        let outcome: String = row.get(3).map_err(get)?;
        let warnings: String = row.get(8).map_err(get)?;
        out.push(FetchLogEntry {
            id,
            source_id: row.get(1).map_err(get)?,
            started_at: row.get(2).map_err(get)?,
            outcome: FetchOutcomeKind::from_name(&outcome)
                .ok_or_else(|| corrupt(db, format!("fetch {id}: unknown outcome {outcome:?}")))?,
            http_status: row.get(4).map_err(get)?,
            bytes: row.get::<_, Option<i64>>(5).map_err(get)?.map(|b| b as u64),
            rows: row.get::<_, Option<i64>>(6).map_err(get)?.map(|r| r as u64),
            claims_inserted: row.get::<_, Option<i64>>(7).map_err(get)?.map(|c| c as u64),
            warnings: serde_json::from_str(&warnings)
                .map_err(|e| corrupt(db, format!("fetch {id}: warnings unreadable: {e}")))?,
            message: row.get(9).map_err(get)?,
            duration_ms: row.get::<_, i64>(10).map_err(get)? as u64,
            snapshot_id: row.get(11).map_err(get)?,
        });
    }
    Ok(out)
}

/// The validators (ETag, Last-Modified) of a source's newest snapshot, for a conditional GET.
pub(crate) fn validators(
    conn: &Connection,
    db: &str,
    source_id: &str,
) -> Result<(Option<String>, Option<String>), StoreError> {
    conn.prepare_cached(
        "SELECT etag, last_modified FROM snapshots WHERE source_id = ?1
         AND (etag IS NOT NULL OR last_modified IS NOT NULL) ORDER BY id DESC LIMIT 1",
    )
    .and_then(|mut s| {
        s.query_row([source_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
    })
    .map(Option::unwrap_or_default)
    .map_err(sql(db, &format!("read validators of {source_id}")))
}

/// A source's validators for a conditional GET: its ETag and Last-Modified.
type Validators = (Option<String>, Option<String>);

/// The validators of every source that has a snapshot with either, as
/// [`validators`] finds them one source at a time.
pub(crate) fn all_validators(
    conn: &Connection,
    db: &str,
) -> Result<HashMap<String, Validators>, StoreError> {
    let action = "read the validators of all sources";
    let mut stmt = conn
        .prepare_cached(
            "SELECT source_id, etag, last_modified FROM snapshots WHERE id IN (
                SELECT max(id) FROM snapshots
                WHERE etag IS NOT NULL OR last_modified IS NOT NULL GROUP BY source_id)",
        )
        .map_err(sql(db, action))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .map_err(sql(db, action))?;
    rows.collect::<Result<_, _>>().map_err(sql(db, action))
}

impl Store {
    /// Appends rows to the fetch log in one transaction, in their order: all of them are
    /// written, or none. Returns their ids. Cheaper than [`Store::log_fetch`] row by row, as a
    /// commit costs more than a row.
    pub fn log_fetches(&mut self, entries: &[FetchLogEntry]) -> Result<Vec<i64>, StoreError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let action = format!("log {} fetches", entries.len());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(&self.db, &action))?;
        let ids = entries
            .iter()
            .map(|e| append(&tx, &self.db, e))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit().map_err(sql(&self.db, &action))?;
        Ok(ids)
    }

    /// The validators of every source, as [`Store::validators`] gives them for one, in one
    /// query; sources without a snapshot that has either are absent.
    pub fn all_validators(&self) -> Result<HashMap<String, Validators>, StoreError> {
        all_validators(&self.conn, &self.db)
    }
}
