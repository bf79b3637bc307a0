//! Retractions: a snapshot taken out of analysis by a new row, never by deleting anything.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::error::sql;
use crate::store::parse_date;
use crate::{RetractionRecord, Store, StoreError};
use gapwatch_model::Date;

const SELECT_RETRACTIONS: &str = "SELECT s.id, s.sha256, s.source_id, s.observed_on, x.reason,
        x.recorded_on
    FROM retractions x JOIN snapshots s ON s.id = x.snapshot_id";

impl Store {
    /// Retracts a snapshot: its claims no longer count for [`Store::claims`] and
    /// [`Store::claim_set`]. The snapshot, its runs and claims stay; the retraction is a row
    /// of its own and is permanent. Refused when the snapshot is already retracted or the
    /// reason is empty.
    pub fn retract_snapshot(
        &mut self,
        snapshot_id: i64,
        reason: &str,
        recorded_on: Date,
    ) -> Result<RetractionRecord, StoreError> {
        let db = &self.db;
        let action = format!("retract snapshot {snapshot_id}");
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::InvalidRetraction {
                db: db.clone(),
                snapshot_id,
                problem: "the reason is empty".to_owned(),
            });
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(db, &action))?;
        let exists = tx
            .prepare_cached("SELECT 1 FROM snapshots WHERE id = ?1")
            .and_then(|mut s| s.exists([snapshot_id]))
            .map_err(sql(db, &action))?;
        if !exists {
            return Err(StoreError::NoSuchSnapshot {
                db: db.clone(),
                id: snapshot_id,
            });
        }
        let earlier: Option<(String, String)> = tx
            .prepare_cached("SELECT recorded_on, reason FROM retractions WHERE snapshot_id = ?1")
            .and_then(|mut s| {
                s.query_row([snapshot_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(sql(db, &action))?;
        if let Some((on, why)) = earlier {
            return Err(StoreError::InvalidRetraction {
                db: db.clone(),
                snapshot_id,
                problem: format!("it was already retracted on {on}: {why}"),
            });
        }
        tx.prepare_cached(
            "INSERT INTO retractions (snapshot_id, reason, recorded_on) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut s| s.execute(params![snapshot_id, reason, recorded_on.to_string()]))
        .map_err(sql(db, &action))?;
        tx.commit().map_err(sql(db, &action))?;
        self.retractions()?
            .into_iter()
            .find(|r| r.snapshot_id == snapshot_id)
            .ok_or_else(|| crate::error::corrupt(db, format!("{action}: the row is missing")))
    }

    /// Every retraction, in the order recorded: the snapshot's sha256, source and observation
    /// date, the reason, and when it was recorded.
    pub fn retractions(&self) -> Result<Vec<RetractionRecord>, StoreError> {
        let db = &self.db;
        let action = "list retractions";
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT_RETRACTIONS} ORDER BY x.id"))
            .map_err(sql(db, action))?;
        let mut rows = stmt.query([]).map_err(sql(db, action))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql(db, action))? {
            let get = |e| sql(db, action)(e);
            let snapshot_id: i64 = row.get(0).map_err(get)?;
            let owner = format!("retraction of snapshot {snapshot_id}");
            let observed: String = row.get(3).map_err(get)?;
            let recorded: String = row.get(5).map_err(get)?;
            out.push(RetractionRecord {
                snapshot_id,
                sha256: row.get(1).map_err(get)?,
                source_id: row.get(2).map_err(get)?,
                observed_on: parse_date(db, &observed, &owner)?,
                reason: row.get(4).map_err(get)?,
                recorded_on: parse_date(db, &recorded, &owner)?,
            });
        }
        Ok(out)
    }
}
