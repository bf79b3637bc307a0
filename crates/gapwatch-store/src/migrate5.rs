//! Migration 5's Rust step: blobs from raw deflate to zlib, and claims from schema 4's blocks
//! (or schema 3's rows) to rows of `claims`, each keeping its id and run.
//!
//! It runs between the SQL that creates the new tables and the SQL that drops the old ones,
//! inside the migration's transaction: any failure leaves the database as it was.

use std::collections::BTreeMap;

use gapwatch_model::Claim;
use rusqlite::{Connection, params};

use crate::StoreError;
use crate::blob;
use crate::claims::{INSERT_CLAIM, Interner, write_row};
use crate::error::{corrupt, sql};
use crate::legacy;

/// What migration 5 converts.
pub(crate) fn run(conn: &Connection, db: &str) -> Result<(), StoreError> {
    convert_blobs(conn, db)?;
    let mut runs = RunClaims::default();
    let mut interner = Interner::default();
    convert_blocks(conn, db, &mut interner, &mut runs)?;
    if table_exists(conn, db, "schema3_claims")? {
        convert_schema3_rows(conn, db, &mut interner, &mut runs)?;
    }
    record_runs(conn, db, &runs)?;
    crate::cache::rebuild(conn, db)?;
    Ok(())
}

/// Per run: how many claims it holds and its smallest and largest claim id.
#[derive(Default)]
struct RunClaims(BTreeMap<i64, (i64, i64, i64)>);

impl RunClaims {
    fn add(&mut self, run: i64, id: i64) {
        let e = self.0.entry(run).or_insert((0, id, id));
        e.0 += 1;
        e.1 = e.1.min(id);
        e.2 = e.2.max(id);
    }
}

fn table_exists(conn: &Connection, db: &str, name: &str) -> Result<bool, StoreError> {
    conn.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1")
        .and_then(|mut s| s.exists([name]))
        .map_err(sql(db, "read the schema"))
}

fn failed(db: &str, what: String) -> StoreError {
    corrupt(db, format!("cannot apply schema migration 5: {what}"))
}

fn convert_blobs(conn: &Connection, db: &str) -> Result<(), StoreError> {
    let action = "convert blobs to zlib";
    let mut read = conn
        .prepare("SELECT sha256, size, compression, data FROM blobs ORDER BY sha256")
        .map_err(sql(db, action))?;
    let mut write = conn
        .prepare("INSERT INTO blobs_v5 (sha256, size, compression, data) VALUES (?1, ?2, ?3, ?4)")
        .map_err(sql(db, action))?;
    let mut rows = read.query([]).map_err(sql(db, action))?;
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        let get = |e| sql(db, action)(e);
        let sha256: String = row.get(0).map_err(get)?;
        let size: u64 = row.get(1).map_err(get)?;
        let compression: String = row.get(2).map_err(get)?;
        if compression != "deflate" {
            return Err(failed(
                db,
                format!("blob {sha256} has unknown compression {compression:?}"),
            ));
        }
        let raw = row.get_ref(3).and_then(|v| Ok(v.as_blob()?)).map_err(get)?;
        let (compression, data) = blob::from_raw_deflate(db, &sha256, size, raw)
            .map_err(|e| failed(db, e.to_string()))?;
        write
            .execute(params![sha256, size, compression, data])
            .map_err(get)?;
    }
    Ok(())
}

fn convert_blocks(
    conn: &Connection,
    db: &str,
    interner: &mut Interner,
    runs: &mut RunClaims,
) -> Result<(), StoreError> {
    let action = "convert claim blocks to rows";
    let mut stmt = conn
        .prepare(
            "SELECT id, run_id, first_claim_id, claim_count, body FROM claim_blocks
             ORDER BY first_claim_id",
        )
        .map_err(sql(db, action))?;
    let mut rows = stmt.query([]).map_err(sql(db, action))?;
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        let get = |e| sql(db, action)(e);
        let block_id: i64 = row.get(0).map_err(get)?;
        let run_id: i64 = row.get(1).map_err(get)?;
        let first: i64 = row.get(2).map_err(get)?;
        let count: i64 = row.get(3).map_err(get)?;
        let body = row.get_ref(4).and_then(|v| Ok(v.as_blob()?)).map_err(get)?;
        let damaged = |m: String| failed(db, format!("claim block {block_id} {m}"));
        let block = legacy::Block::parse(body).map_err(damaged)?;
        if block.len() as i64 != count {
            return Err(damaged(format!(
                "holds {} claims where its row says {count}",
                block.len()
            )));
        }
        let claims = block.to_claims().map_err(damaged)?;
        for (i, claim) in claims.iter().enumerate() {
            insert(conn, db, interner, runs, first + i as i64, run_id, claim)?;
        }
    }
    Ok(())
}

fn convert_schema3_rows(
    conn: &Connection,
    db: &str,
    interner: &mut Interner,
    runs: &mut RunClaims,
) -> Result<(), StoreError> {
    let action = "convert claim rows of schema 3";
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {} FROM schema3_claims ORDER BY id",
            legacy::SCHEMA3_COLUMNS
        ))
        .map_err(sql(db, action))?;
    let mut rows = stmt.query([]).map_err(sql(db, action))?;
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        let (id, run_id, claim) = legacy::decode_schema3_row(row, db)?;
        insert(conn, db, interner, runs, id, run_id, &claim)?;
    }
    Ok(())
}

fn insert(
    conn: &Connection,
    db: &str,
    interner: &mut Interner,
    runs: &mut RunClaims,
    id: i64,
    run_id: i64,
    claim: &Claim,
) -> Result<(), StoreError> {
    crate::claims::validate(claim).map_err(|m| failed(db, format!("claim {id}: {m}")))?;
    let columns = interner.columns(conn, db, claim, None)?;
    let mut statement = conn
        .prepare_cached(INSERT_CLAIM)
        .map_err(sql(db, "insert a claim"))?;
    write_row(&mut statement, db, Some(id), run_id, &columns, claim)?;
    runs.add(run_id, id);
    Ok(())
}

/// Records what each run holds, and which runs only added to the ones before: before schema
/// 5, a snapshot's first run held every claim its extraction found, and a later run only the
/// claims not already stored for the snapshot, so all of them count together.
fn record_runs(conn: &Connection, db: &str, runs: &RunClaims) -> Result<(), StoreError> {
    let action = "record what extraction runs hold";
    conn.execute_batch(
        "UPDATE extraction_runs SET scope = 'additions'
         WHERE id > (SELECT min(f.id) FROM extraction_runs f
                     WHERE f.snapshot_id = extraction_runs.snapshot_id)",
    )
    .map_err(sql(db, action))?;
    let mut update = conn
        .prepare(
            "UPDATE extraction_runs SET stored_claims = ?2, first_claim_id = ?3,
                last_claim_id = ?4
             WHERE id = ?1",
        )
        .map_err(sql(db, action))?;
    for (&run, &(count, first, last)) in &runs.0 {
        let changed = update
            .execute(params![run, count, first, last])
            .map_err(sql(db, action))?;
        if changed != 1 {
            return Err(failed(
                db,
                format!("claims {first}..={last} belong to extraction run {run}, which is missing"),
            ));
        }
    }
    Ok(())
}
