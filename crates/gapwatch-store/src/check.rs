//! Verifying a database: SQLite's own integrity check, references, every run's claims, every
//! claim readable, every blob's bytes against their sha256.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::blob;
use crate::claims::{self, Selection};
use crate::error::sql;
use crate::{Store, StoreError};

/// What [`Store::check`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Blobs whose bytes were read back and hashed.
    pub blobs: u64,
    /// Extraction runs whose claims were counted.
    pub runs: u64,
    /// Claim rows read.
    pub claims: u64,
    /// What is damaged, one line each, naming the table and row; empty when all is well.
    pub problems: Vec<String>,
}

impl CheckReport {
    /// Whether nothing is damaged.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Store {
    /// Verifies the whole database and reports what is damaged, without changing anything:
    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`; every extraction run holds the
    /// claims it recorded (how many, and which ids); every claim reads back, with the strings,
    /// subject and settings it refers to; the claims cache agrees with the claims; every blob
    /// decompresses to bytes of its recorded size and sha256.
    ///
    /// An error is returned only when the check itself cannot run (the file cannot be read
    /// at all); damage found is in the report.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let db = &self.db;
        let mut report = CheckReport::default();
        let action = "check the database's integrity";
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(sql(db, action))?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(sql(db, action))?;
        if lines != ["ok"] {
            report
                .problems
                .extend(lines.into_iter().map(|l| format!("integrity: {l}")));
        }
        let action = "check references";
        let mut stmt = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .map_err(sql(db, action))?;
        let broken: Vec<(String, Option<i64>, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(sql(db, action))?;
        for (table, row, parent) in broken {
            report.problems.push(format!(
                "{table}: row {} refers to a missing row of {parent}",
                row.map_or("?".to_owned(), |r| r.to_string())
            ));
        }
        self.check_runs(&mut report)?;
        report
            .problems
            .extend(crate::cache::verify(&self.conn, db)?);
        match claims::read(
            &self.conn,
            db,
            &Selection {
                every_run: true,
                rows_only: true,
                ..Selection::default()
            },
        ) {
            Ok(set) => report.claims = set.len() as u64,
            Err(StoreError::Corrupt { problem, .. }) => {
                report.problems.push(format!("claims: {problem}"));
            }
            Err(e) => return Err(e),
        }
        self.check_blobs(&mut report)?;
        Ok(report)
    }

    /// Rewrites the derived claims cache from the claims table, in one transaction; returns
    /// how many runs have an entry. For a cache [`Store::check`] found stale: the claims are
    /// the truth, the cache only a faster way to read them.
    pub fn rebuild_claims_cache(&mut self) -> Result<u64, StoreError> {
        let db = &self.db;
        let action = "rebuild the claims cache";
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql(db, action))?;
        let runs = crate::cache::rebuild(&tx, db)?;
        tx.commit().map_err(sql(db, action))?;
        Ok(runs)
    }

    /// Counts each run's claims and compares with what the run recorded.
    fn check_runs(&self, report: &mut CheckReport) -> Result<(), StoreError> {
        let db = &self.db;
        let action = "count each run's claims";
        let mut found: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT id, run_id FROM claims ORDER BY id")
            .map_err(sql(db, action))?;
        let mut rows = stmt.query([]).map_err(sql(db, action))?;
        while let Some(row) = rows.next().map_err(sql(db, action))? {
            let id: i64 = row.get(0).map_err(sql(db, action))?;
            let run: i64 = row.get(1).map_err(sql(db, action))?;
            let e = found.entry(run).or_insert((0, id, id));
            e.0 += 1;
            e.2 = id;
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, stored_claims, first_claim_id, last_claim_id FROM extraction_runs
                 ORDER BY id",
            )
            .map_err(sql(db, action))?;
        let mut rows = stmt.query([]).map_err(sql(db, action))?;
        while let Some(row) = rows.next().map_err(sql(db, action))? {
            let get = |e| sql(db, action)(e);
            let run: i64 = row.get(0).map_err(get)?;
            let stored: i64 = row.get(1).map_err(get)?;
            let first: Option<i64> = row.get(2).map_err(get)?;
            let last: Option<i64> = row.get(3).map_err(get)?;
            report.runs += 1;
            let (count, low, high) = found.remove(&run).unwrap_or((0, 0, 0));
            let recorded = match (first, last) {
                (Some(f), Some(l)) => format!("ids {f} to {l}"),
                _ => "no ids".to_owned(),
            };
            let within =
                count == 0 || matches!((first, last), (Some(f), Some(l)) if f <= low && high <= l);
            if count != stored || !within {
                let held = if count == 0 {
                    "none".to_owned()
                } else {
                    format!("{count} (ids {low} to {high})")
                };
                report.problems.push(format!(
                    "extraction run {run}: recorded {stored} claims ({recorded}); the claims table holds {held}"
                ));
            }
        }
        for (run, (count, _, _)) in found {
            report.problems.push(format!(
                "claims: {count} claims belong to extraction run {run}, which is not recorded"
            ));
        }
        Ok(())
    }

    /// Reads back every blob and compares its bytes with its size and sha256.
    fn check_blobs(&self, report: &mut CheckReport) -> Result<(), StoreError> {
        let db = &self.db;
        let action = "read blobs";
        let mut stmt = self
            .conn
            .prepare("SELECT sha256, size, compression, data FROM blobs ORDER BY sha256")
            .map_err(sql(db, action))?;
        let mut rows = stmt.query([]).map_err(sql(db, action))?;
        while let Some(row) = rows.next().map_err(sql(db, action))? {
            let get = |e| sql(db, action)(e);
            let sha256: String = row.get(0).map_err(get)?;
            let size: u64 = row.get(1).map_err(get)?;
            let compression: String = row.get(2).map_err(get)?;
            let data: Vec<u8> = row.get(3).map_err(get)?;
            report.blobs += 1;
            match blob::decode(db, &sha256, size, &compression, data) {
                Ok(bytes) => {
                    let actual = blob::sha256_hex(&bytes);
                    if actual != sha256 {
                        report
                            .problems
                            .push(format!("blob {sha256}: its bytes hash to {actual}"));
                    }
                }
                Err(StoreError::Corrupt { problem, .. }) => report.problems.push(problem),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
