//! Claims in and out of their blocks: validation, repeats, writing a run's block, reading
//! blocks back into a [`ClaimSet`], and converting the claim rows of schema 3 into blocks.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use gapwatch_model::{
    Access, Claim, ClaimRow, ClaimSet, Date, Evaluator, Fact, FactRow, Score, Settings, StrId,
    Subject, Unit,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::StoreError;
use crate::block::{Block, Encoder, FactEntry};
use crate::error::{corrupt, sql};

/// Where a batch of claims comes from.
pub(crate) struct Provenance<'a> {
    pub(crate) source_id: &'a str,
    pub(crate) snapshot_id: i64,
    pub(crate) run_id: i64,
    /// A snapshot stored in the same transaction has no claims to compare with yet.
    pub(crate) new_snapshot: bool,
}

/// Refuses what would not read back as a measurement: a value that is not finite (SQLite
/// stored NaN as NULL before claims were kept in blocks, and analysis cannot rank it) or a
/// negative uncertainty.
fn validate(claim: &Claim) -> Result<(), String> {
    if let Fact::Score(score) = &claim.fact {
        if !score.value.is_finite() {
            return Err(format!("its value {} is not a finite number", score.value));
        }
        if let Some(u) = score.uncertainty
            && (!u.is_finite() || u < 0.0)
        {
            return Err(format!(
                "its uncertainty {u} is not a finite non-negative number"
            ));
        }
    }
    Ok(())
}

/// A claim's identity within its snapshot: its subject, fact and locator, numbers compared by
/// their bits. Neither the date nor the evaluator is part of it. The same rule as the natural
/// key of earlier schemas (a hash of the JSON of subject, fact and locator).
struct Identity<'a>(&'a Claim);

impl PartialEq for Identity<'_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0, other.0);
        let facts = match (&a.fact, &b.fact) {
            (Fact::Score(x), Fact::Score(y)) => {
                x.value.to_bits() == y.value.to_bits()
                    && x.uncertainty.map(f64::to_bits) == y.uncertainty.map(f64::to_bits)
                    && x.unit == y.unit
                    && x.benchmark == y.benchmark
                    && x.variant == y.variant
                    && x.metric == y.metric
                    && x.settings == y.settings
            }
            (x, y) => x == y,
        };
        facts && a.locator == b.locator && a.subject == b.subject
    }
}

impl Eq for Identity<'_> {}

impl Hash for Identity<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let c = self.0;
        c.subject.hash(h);
        c.locator.hash(h);
        match &c.fact {
            Fact::Score(s) => {
                0u8.hash(h);
                s.benchmark.hash(h);
                s.variant.hash(h);
                s.metric.hash(h);
                s.settings.hash(h);
                s.value.to_bits().hash(h);
                s.unit.hash(h);
                s.uncertainty.map(f64::to_bits).hash(h);
            }
            Fact::Access { access, license } => {
                1u8.hash(h);
                access.hash(h);
                license.hash(h);
            }
        }
    }
}

/// Stores a run's claims as one block, dropping those already stored for the snapshot (by
/// any earlier run) or met earlier in the list. Returns how many were stored. Fails on the
/// first claim that cannot be stored faithfully; the caller's transaction then rolls back
/// everything. A run whose every claim is a repeat writes no block.
pub(crate) fn insert(
    conn: &Connection,
    db: &str,
    from: &Provenance<'_>,
    claims: &[Claim],
) -> Result<u64, StoreError> {
    for (index, claim) in claims.iter().enumerate() {
        validate(claim).map_err(|problem| StoreError::InvalidClaim {
            source_id: from.source_id.to_owned(),
            index,
            locator: claim.locator.clone(),
            problem,
        })?;
    }
    if claims.is_empty() {
        return Ok(0);
    }
    let stored = if from.new_snapshot {
        Vec::new()
    } else {
        snapshot_claims(conn, db, from.snapshot_id)?
    };
    let known: HashSet<Identity<'_>> = stored.iter().map(Identity).collect();
    let mut block = Encoder::with_capacity(claims.len());
    for claim in claims {
        if known.is_empty() || !known.contains(&Identity(claim)) {
            block.push(claim);
        }
    }
    let count = block.len();
    if count == 0 {
        return Ok(0);
    }
    let first_claim_id = next_claim_id(conn, db)?;
    write_block(conn, db, from, first_claim_id, count, &block.finish())?;
    Ok(count as u64)
}

/// The id the next stored claim gets: one more than the largest stored, as SQLite gave
/// claim rows their ids before claims were kept in blocks.
fn next_claim_id(conn: &Connection, db: &str) -> Result<i64, StoreError> {
    let last: Option<i64> = conn
        .prepare_cached(
            "SELECT first_claim_id + claim_count - 1 FROM claim_blocks
             ORDER BY first_claim_id DESC LIMIT 1",
        )
        .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
        .map_err(sql(db, "number claims"))?;
    Ok(last.unwrap_or(0) + 1)
}

fn write_block(
    conn: &Connection,
    db: &str,
    from: &Provenance<'_>,
    first_claim_id: i64,
    count: usize,
    body: &[u8],
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO claim_blocks (snapshot_id, run_id, source_id, first_claim_id,
            claim_count, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![
            from.snapshot_id,
            from.run_id,
            from.source_id,
            first_claim_id,
            count as i64,
            body
        ])
    })
    .map_err(sql(db, "insert claims"))?;
    Ok(())
}

/// A damaged block, named by its id.
fn damaged(db: &str, block_id: i64, what: impl std::fmt::Display) -> StoreError {
    corrupt(db, format!("claim block {block_id} {what}"))
}

/// Parses a block read from the database and checks it holds as many claims as its row says.
fn parse<'b>(db: &str, block_id: i64, count: i64, body: &'b [u8]) -> Result<Block<'b>, StoreError> {
    let block = Block::parse(body).map_err(|m| damaged(db, block_id, m))?;
    if block.len() as i64 != count || count < 1 {
        return Err(damaged(
            db,
            block_id,
            format!("holds {} claims where its row says {count}", block.len()),
        ));
    }
    Ok(block)
}

/// The claims stored for a snapshot, by every run, in id order.
fn snapshot_claims(
    conn: &Connection,
    db: &str,
    snapshot_id: i64,
) -> Result<Vec<Claim>, StoreError> {
    let action = "read a snapshot's claims";
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, claim_count, body FROM claim_blocks WHERE snapshot_id = ?1
             ORDER BY first_claim_id",
        )
        .map_err(sql(db, action))?;
    let mut rows = stmt.query([snapshot_id]).map_err(sql(db, action))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        let get = |e| sql(db, action)(e);
        let id: i64 = row.get(0).map_err(get)?;
        let count: i64 = row.get(1).map_err(get)?;
        let body = row.get_ref(2).and_then(|v| Ok(v.as_blob()?)).map_err(get)?;
        let block = parse(db, id, count, body)?;
        out.extend(block.to_claims().map_err(|m| damaged(db, id, m))?);
    }
    Ok(out)
}

/// How many claims are stored.
pub(crate) fn count(conn: &Connection, db: &str) -> Result<u64, StoreError> {
    conn.prepare_cached("SELECT coalesce(sum(claim_count), 0) FROM claim_blocks")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(sql(db, "count claims"))
}

/// Claims whose snapshot was observed on or before `as_of` (all when `None`), in id order.
pub(crate) fn claim_set(
    conn: &Connection,
    db: &str,
    as_of: Option<Date>,
) -> Result<ClaimSet, StoreError> {
    let action = "read claims";
    let as_of = as_of.map(|d| d.to_string());
    // Room for the claims, bounded by the blocks' sizes (a claim takes at least a byte), so
    // that a damaged count is reported by the decoder rather than exhausting memory here.
    let total: i64 = conn
        .prepare_cached(
            "SELECT coalesce(sum(min(b.claim_count, length(b.body))), 0)
             FROM claim_blocks b JOIN snapshots s ON s.id = b.snapshot_id
             WHERE ?1 IS NULL OR s.observed_on <= ?1",
        )
        .and_then(|mut s| s.query_row([&as_of], |r| r.get(0)))
        .map_err(sql(db, action))?;
    let mut set = ClaimSet::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut stmt = conn
        .prepare_cached(
            "SELECT b.id, b.source_id, b.snapshot_id, s.sha256, s.observed_on,
                b.first_claim_id, b.claim_count, b.body
             FROM claim_blocks b JOIN snapshots s ON s.id = b.snapshot_id
             WHERE ?1 IS NULL OR s.observed_on <= ?1
             ORDER BY b.first_claim_id",
        )
        .map_err(sql(db, action))?;
    let mut rows = stmt.query([&as_of]).map_err(sql(db, action))?;
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        add_block(&mut set, row, db)?;
    }
    Ok(set)
}

/// Adds the claims of a block row selected by [`claim_set`]. The block's tables are mapped to
/// the set's ids once; its claims then only copy numbers and their locators.
fn add_block(set: &mut ClaimSet, row: &Row<'_>, db: &str) -> Result<(), StoreError> {
    let get = |e| sql(db, "read claims")(e);
    let text = |i: usize| row.get_ref(i).and_then(|v| Ok(v.as_str()?)).map_err(get);
    let block_id: i64 = row.get(0).map_err(get)?;
    let snapshot_id: i64 = row.get(2).map_err(get)?;
    let observed = text(4)?;
    let observed_on: Date = observed.parse().map_err(|_| {
        corrupt(
            db,
            format!("snapshot {snapshot_id}: {observed:?} is not a date"),
        )
    })?;
    let first_claim_id: i64 = row.get(5).map_err(get)?;
    let count: i64 = row.get(6).map_err(get)?;
    let body = row.get_ref(7).and_then(|v| Ok(v.as_blob()?)).map_err(get)?;
    let block = parse(db, block_id, count, body)?;
    let source = set.intern_str(text(1)?);
    let snapshot_sha256 = set.intern_str(text(3)?);
    let (n_strings, n_subjects, n_settings) = block.table_sizes();
    let subjects: Vec<_> = (0..n_subjects)
        .map(|i| set.intern_subject_owned(block.subject(i)))
        .collect();
    let settings: Vec<_> = (0..n_settings)
        .map(|i| set.intern_settings_owned(block.settings(i)))
        .collect();
    // Strings become set ids when a claim first uses one as a string of its own.
    let mut strings: Vec<Option<StrId>> = vec![None; n_strings];
    let mut string = |set: &mut ClaimSet, i: u32| -> StrId {
        *strings[i as usize].get_or_insert_with(|| set.intern_str(block.str(i)))
    };
    let mut id = first_claim_id;
    block
        .claims(|e| {
            let fact = match e.fact {
                FactEntry::Score {
                    benchmark,
                    variant,
                    metric,
                    settings: s,
                    value,
                    unit,
                    uncertainty,
                } => FactRow::Score {
                    benchmark: string(set, benchmark),
                    variant: string(set, variant),
                    metric: string(set, metric),
                    settings: settings[s as usize],
                    value,
                    unit,
                    uncertainty,
                },
                FactEntry::Access { access, license } => FactRow::Access {
                    access,
                    license: license.map(|l| string(set, l)),
                },
            };
            let row = ClaimRow {
                id,
                snapshot_id,
                source,
                snapshot_sha256,
                observed_on,
                reported_on: e.reported_on,
                subject: subjects[e.subject as usize],
                evaluator: e.evaluator,
                fact,
            };
            set.push_row(row, e.locator).map_err(|f| f.to_string())?;
            id += 1;
            Ok(())
        })
        .map_err(|m| damaged(db, block_id, m))
}

/// Migration 4: the claim rows of schema 3 become blocks, grouped by snapshot and run in id
/// order; a group whose ids are not contiguous becomes several blocks, so that every claim
/// keeps its id. The caller creates `claim_blocks` before and drops `claims` after.
pub(crate) fn rows_to_blocks(conn: &Connection, db: &str) -> Result<(), StoreError> {
    let action = "convert claims to blocks";
    let mut stmt = conn
        .prepare(
            "SELECT id, source_id, snapshot_id, run_id, kind, subject, system, models,
                benchmark, variant, metric, settings, value, unit, uncertainty, access,
                license, reported_on, evaluator, locator
             FROM claims ORDER BY id",
        )
        .map_err(sql(db, action))?;
    let mut rows = stmt.query([]).map_err(sql(db, action))?;
    // The group being gathered: its provenance, first id, and claims.
    let mut group: Option<(String, i64, i64, i64)> = None;
    let mut claims: Vec<Claim> = Vec::new();
    let flush = |group: &Option<(String, i64, i64, i64)>,
                 claims: &mut Vec<Claim>|
     -> Result<(), StoreError> {
        let Some((source_id, snapshot_id, run_id, first)) = group else {
            return Ok(());
        };
        let from = Provenance {
            source_id,
            snapshot_id: *snapshot_id,
            run_id: *run_id,
            new_snapshot: false,
        };
        // The old store could hold two claims a block counts as one: SQLite reads -0.0
        // back as 0.0, while the old key told them apart. Such a claim starts a block of
        // its own, so that every stored claim keeps its id and its values as they read.
        let mut start = 0;
        while start < claims.len() {
            let mut block = Encoder::with_capacity(claims.len() - start);
            let mut end = start;
            while end < claims.len() && block.push(&claims[end]) {
                end += 1;
            }
            if end == start {
                return Err(corrupt(
                    db,
                    format!(
                        "cannot apply schema migration 4: claim {} cannot be encoded",
                        *first + start as i64
                    ),
                ));
            }
            write_block(
                conn,
                db,
                &from,
                *first + start as i64,
                end - start,
                &block.finish(),
            )?;
            start = end;
        }
        claims.clear();
        Ok(())
    };
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        let get = |e| sql(db, action)(e);
        let id: i64 = row.get(0).map_err(get)?;
        let source_id: String = row.get(1).map_err(get)?;
        let snapshot_id: i64 = row.get(2).map_err(get)?;
        let run_id: i64 = row.get(3).map_err(get)?;
        let continues = group.as_ref().is_some_and(|(s, snap, run, first)| {
            *s == source_id
                && *snap == snapshot_id
                && *run == run_id
                && *first + claims.len() as i64 == id
        });
        if !continues {
            flush(&group, &mut claims)?;
            group = Some((source_id, snapshot_id, run_id, id));
        }
        claims.push(decode_row(row, id, db)?);
    }
    flush(&group, &mut claims)
}

/// Reads a claim row of schema 3 from column 4 on (kind … locator).
fn decode_row(row: &Row<'_>, id: i64, db: &str) -> Result<Claim, StoreError> {
    let read = |e: rusqlite::Error| StoreError::Sqlite {
        db: db.to_owned(),
        action: "convert claims to blocks".to_owned(),
        source: e,
    };
    let bad = |what: String| {
        corrupt(
            db,
            format!("cannot apply schema migration 4: claim {id}: {what}"),
        )
    };
    let kind: String = row.get(4).map_err(read)?;
    let models_json: String = row.get(7).map_err(read)?;
    let models: Vec<String> = serde_json::from_str(&models_json)
        .map_err(|e| bad(format!("models {models_json:?} are not a JSON list: {e}")))?;
    let fact = match kind.as_str() {
        "score" => {
            let settings_json: String = row.get(11).map_err(read)?;
            let settings: Settings = serde_json::from_str(&settings_json).map_err(|e| {
                bad(format!(
                    "settings {settings_json:?} are not a JSON object of strings: {e}"
                ))
            })?;
            let unit: String = row.get(13).map_err(read)?;
            Fact::Score(Score {
                benchmark: row.get(8).map_err(read)?,
                variant: row.get(9).map_err(read)?,
                metric: row.get(10).map_err(read)?,
                settings,
                value: row.get(12).map_err(read)?,
                unit: Unit::from_name(&unit)
                    .ok_or_else(|| bad(format!("unknown unit {unit:?}")))?,
                uncertainty: row.get(14).map_err(read)?,
            })
        }
        "access" => {
            let access: String = row.get(15).map_err(read)?;
            Fact::Access {
                access: Access::from_name(&access)
                    .ok_or_else(|| bad(format!("unknown access {access:?}")))?,
                license: row.get(16).map_err(read)?,
            }
        }
        other => return Err(bad(format!("unknown kind {other:?}"))),
    };
    let reported_on = row
        .get::<_, Option<String>>(17)
        .map_err(read)?
        .map(|t| {
            t.parse::<Date>()
                .map_err(|_| bad(format!("reported_on {t:?} is not a date")))
        })
        .transpose()?;
    let evaluator: String = row.get(18).map_err(read)?;
    Ok(Claim {
        subject: Subject {
            name: row.get(5).map_err(read)?,
            system: row.get(6).map_err(read)?,
            models,
        },
        fact,
        reported_on,
        evaluator: Evaluator::from_name(&evaluator)
            .ok_or_else(|| bad(format!("unknown evaluator {evaluator:?}")))?,
        locator: row.get(19).map_err(read)?,
    })
}
