//! Claims in and out of their table: validation, the natural key, and decoding rows back
//! into [`ClaimRecord`]s.

use gapwatch_model::{
    Access, Claim, ClaimRecord, Date, Evaluator, Fact, Score, Settings, Subject, Unit,
};
use std::sync::LazyLock;

use rusqlite::{Connection, Row};
use sha2::{Digest, Sha256};

use crate::StoreError;
use crate::error::{corrupt, sql};

/// The columns of a claim row, as written, for `rows` rows at once.
fn insert_sql(rows: usize) -> String {
    let one = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let values = vec![one; rows].join(", ");
    format!(
        "INSERT INTO claims (natural_key, source_id, snapshot_id, run_id, kind, subject,
            system, models, benchmark, variant, metric, settings, value, unit, uncertainty,
            access, license, reported_on, evaluator, locator)
         VALUES {values}
         ON CONFLICT (snapshot_id, natural_key) DO NOTHING"
    )
}

/// Claims bound to one statement: SQLite's work per statement run is then shared by many
/// rows. 32 rows of 20 columns stay far below SQLite's limit of 32,766 parameters.
const ROWS_PER_STATEMENT: usize = 32;

/// Statements for a full batch of rows and for one row, built once.
static INSERT_BATCH: LazyLock<String> = LazyLock::new(|| insert_sql(ROWS_PER_STATEMENT));
static INSERT_ONE: LazyLock<String> = LazyLock::new(|| insert_sql(1));

/// From this many claims on, encoding is shared between threads.
const PARALLEL_FROM: usize = 4_096;

/// The columns [`decode`] reads, in order; `c` is claims, `s` its snapshot.
pub(crate) const SELECT_CLAIMS: &str = "SELECT c.id, c.source_id, c.snapshot_id, s.sha256,
    s.observed_on, c.kind, c.subject, c.system, c.models, c.benchmark, c.variant, c.metric,
    c.settings, c.value, c.unit, c.uncertainty, c.access, c.license, c.reported_on,
    c.evaluator, c.locator
    FROM claims c JOIN snapshots s ON s.id = c.snapshot_id";

/// Where a batch of claims comes from.
pub(crate) struct Provenance<'a> {
    pub(crate) source_id: &'a str,
    pub(crate) snapshot_id: i64,
    pub(crate) run_id: i64,
}

/// What a claim needs computed before it is bound: its natural key and its JSON columns.
struct Encoded {
    key: [u8; 32],
    models: String,
    settings: Option<String>,
    reported_on: Option<String>,
}

/// Validates and encodes claims, in order; the first claim that cannot be stored fails.
fn encode(
    from: &Provenance<'_>,
    claims: &[Claim],
    first_index: usize,
) -> Result<Vec<Encoded>, StoreError> {
    claims
        .iter()
        .enumerate()
        .map(|(i, claim)| {
            let invalid = |problem: String| StoreError::InvalidClaim {
                source_id: from.source_id.to_owned(),
                index: first_index + i,
                locator: claim.locator.clone(),
                problem,
            };
            validate(claim).map_err(invalid)?;
            let key = natural_key(from.snapshot_id, claim).map_err(|e| invalid(e.to_string()))?;
            let models =
                serde_json::to_string(&claim.subject.models).map_err(|e| invalid(e.to_string()))?;
            let settings = claim
                .score()
                .map(|s| serde_json::to_string(&s.settings))
                .transpose()
                .map_err(|e| invalid(e.to_string()))?;
            Ok(Encoded {
                key,
                models,
                settings,
                reported_on: claim.reported_on.map(|d| d.to_string()),
            })
        })
        .collect()
}

/// [`encode`], shared between the cores for large batches.
fn encode_all(from: &Provenance<'_>, claims: &[Claim]) -> Result<Vec<Encoded>, StoreError> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if claims.len() < PARALLEL_FROM || cores < 2 {
        return encode(from, claims, 0);
    }
    let size = claims.len().div_ceil(cores.min(8));
    let parts: Vec<Result<Vec<Encoded>, StoreError>> = std::thread::scope(|threads| {
        let handles: Vec<_> = claims
            .chunks(size)
            .enumerate()
            .map(|(n, part)| threads.spawn(move || encode(from, part, n * size)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut all = Vec::with_capacity(claims.len());
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}

/// Binds one claim's 20 columns from position `at` (1-based).
fn bind(
    stmt: &mut rusqlite::Statement<'_>,
    at: usize,
    from: &Provenance<'_>,
    claim: &Claim,
    e: &Encoded,
) -> rusqlite::Result<()> {
    let (kind, score, access, license) = match &claim.fact {
        Fact::Score(score) => ("score", Some(score), None, None),
        Fact::Access { access, license } => {
            ("access", None, Some(access.as_str()), license.as_deref())
        }
    };
    stmt.raw_bind_parameter(at, e.key.as_slice())?;
    stmt.raw_bind_parameter(at + 1, from.source_id)?;
    stmt.raw_bind_parameter(at + 2, from.snapshot_id)?;
    stmt.raw_bind_parameter(at + 3, from.run_id)?;
    stmt.raw_bind_parameter(at + 4, kind)?;
    stmt.raw_bind_parameter(at + 5, claim.subject.name.as_str())?;
    stmt.raw_bind_parameter(at + 6, claim.subject.system.as_deref())?;
    stmt.raw_bind_parameter(at + 7, e.models.as_str())?;
    stmt.raw_bind_parameter(at + 8, score.map(|s| s.benchmark.as_str()))?;
    stmt.raw_bind_parameter(at + 9, score.map(|s| s.variant.as_str()))?;
    stmt.raw_bind_parameter(at + 10, score.map(|s| s.metric.as_str()))?;
    stmt.raw_bind_parameter(at + 11, e.settings.as_deref())?;
    stmt.raw_bind_parameter(at + 12, score.map(|s| s.value))?;
    stmt.raw_bind_parameter(at + 13, score.map(|s| s.unit.as_str()))?;
    stmt.raw_bind_parameter(at + 14, score.and_then(|s| s.uncertainty))?;
    stmt.raw_bind_parameter(at + 15, access)?;
    stmt.raw_bind_parameter(at + 16, license)?;
    stmt.raw_bind_parameter(at + 17, e.reported_on.as_deref())?;
    stmt.raw_bind_parameter(at + 18, claim.evaluator.as_str())?;
    stmt.raw_bind_parameter(at + 19, claim.locator.as_str())?;
    Ok(())
}

/// Inserts claims, skipping those whose natural key is already stored. Returns how many were
/// inserted. Fails on the first claim that cannot be stored faithfully; the caller's
/// transaction then rolls back everything.
pub(crate) fn insert(
    conn: &Connection,
    db: &str,
    from: &Provenance<'_>,
    claims: &[Claim],
) -> Result<u64, StoreError> {
    let action = "insert claims";
    let encoded = encode_all(from, claims)?;
    let mut inserted = 0;
    let full = claims.len() / ROWS_PER_STATEMENT * ROWS_PER_STATEMENT;
    if full > 0 {
        let mut stmt = conn
            .prepare_cached(&INSERT_BATCH)
            .map_err(sql(db, action))?;
        for (batch, codes) in claims[..full]
            .chunks(ROWS_PER_STATEMENT)
            .zip(encoded[..full].chunks(ROWS_PER_STATEMENT))
        {
            for (row, (claim, e)) in batch.iter().zip(codes).enumerate() {
                bind(&mut stmt, 1 + row * 20, from, claim, e).map_err(sql(db, action))?;
            }
            inserted += stmt.raw_execute().map_err(sql(db, action))? as u64;
        }
    }
    if full < claims.len() {
        let mut stmt = conn.prepare_cached(&INSERT_ONE).map_err(sql(db, action))?;
        for (claim, e) in claims[full..].iter().zip(&encoded[full..]) {
            bind(&mut stmt, 1, from, claim, e).map_err(sql(db, action))?;
            inserted += stmt.raw_execute().map_err(sql(db, action))? as u64;
        }
    }
    Ok(inserted)
}

/// Refuses what SQLite would not give back unchanged (it stores NaN as NULL) or what makes
/// no sense as a measurement.
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

/// The claim's identity within a snapshot: the same subject, fact and locator extracted from
/// the same snapshot is the same claim, however often it is recorded.
fn natural_key(snapshot_id: i64, claim: &Claim) -> Result<[u8; 32], serde_json::Error> {
    // Field order is fixed by the types and settings are a sorted map, so the JSON is canonical.
    let json = serde_json::to_vec(&(&claim.subject, &claim.fact, &claim.locator))?;
    let mut hasher = Sha256::new();
    hasher.update(snapshot_id.to_be_bytes());
    hasher.update(&json);
    Ok(hasher.finalize().into())
}

/// Reads one row selected with [`SELECT_CLAIMS`].
pub(crate) fn decode(row: &Row<'_>, db: &str) -> Result<ClaimRecord, StoreError> {
    let read = |e: rusqlite::Error| StoreError::Sqlite {
        db: db.to_owned(),
        action: "read claims".to_owned(),
        source: e,
    };
    let id: i64 = row.get(0).map_err(read)?;
    let bad = |what: String| corrupt(db, format!("claim {id}: {what}"));
    let date = |text: String, column: &str| {
        text.parse::<Date>()
            .map_err(|_| bad(format!("{column} {text:?} is not a date")))
    };
    let observed_on = date(row.get(4).map_err(read)?, "snapshot observed_on")?;
    let kind: String = row.get(5).map_err(read)?;
    let models_json: String = row.get(8).map_err(read)?;
    let models: Vec<String> = serde_json::from_str(&models_json)
        .map_err(|e| bad(format!("models {models_json:?} are not a JSON list: {e}")))?;
    let fact = match kind.as_str() {
        "score" => {
            let settings_json: String = row.get(12).map_err(read)?;
            let settings: Settings = serde_json::from_str(&settings_json).map_err(|e| {
                bad(format!(
                    "settings {settings_json:?} are not a JSON object of strings: {e}"
                ))
            })?;
            let unit: String = row.get(14).map_err(read)?;
            Fact::Score(Score {
                benchmark: row.get(9).map_err(read)?,
                variant: row.get(10).map_err(read)?,
                metric: row.get(11).map_err(read)?,
                settings,
                value: row.get(13).map_err(read)?,
                unit: Unit::from_name(&unit)
                    .ok_or_else(|| bad(format!("unknown unit {unit:?}")))?,
                uncertainty: row.get(15).map_err(read)?,
            })
        }
        "access" => {
            let access: String = row.get(16).map_err(read)?;
            Fact::Access {
                access: Access::from_name(&access)
                    .ok_or_else(|| bad(format!("unknown access {access:?}")))?,
                license: row.get(17).map_err(read)?,
            }
        }
        other => return Err(bad(format!("unknown kind {other:?}"))),
    };
    let reported_on = row
        .get::<_, Option<String>>(18)
        .map_err(read)?
        .map(|t| date(t, "reported_on"))
        .transpose()?;
    let evaluator: String = row.get(19).map_err(read)?;
    Ok(ClaimRecord {
        id,
        source_id: row.get(1).map_err(read)?,
        snapshot_id: row.get(2).map_err(read)?,
        snapshot_sha256: row.get(3).map_err(read)?,
        observed_on,
        claim: Claim {
            subject: Subject {
                name: row.get(6).map_err(read)?,
                system: row.get(7).map_err(read)?,
                models,
            },
            fact,
            reported_on,
            evaluator: Evaluator::from_name(&evaluator)
                .ok_or_else(|| bad(format!("unknown evaluator {evaluator:?}")))?,
            locator: row.get(20).map_err(read)?,
        },
    })
}
