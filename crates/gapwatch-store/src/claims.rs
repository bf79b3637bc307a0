//! Claims in and out of their table: validation, the natural key, and decoding rows back
//! into [`ClaimRecord`]s.

use gapwatch_model::{
    Access, Claim, ClaimRecord, Date, Evaluator, Fact, Score, Settings, Subject, Unit,
};
use rusqlite::{Connection, Row, params};
use sha2::{Digest, Sha256};

use crate::StoreError;
use crate::error::{corrupt, sql};

/// The columns of a claim row, as written.
const INSERT_CLAIM: &str = "INSERT INTO claims (natural_key, source_id, snapshot_id, run_id,
    kind, subject, system, models, benchmark, variant, metric, settings, value, unit,
    uncertainty, access, license, reported_on, evaluator, locator)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
    ?19, ?20)
    ON CONFLICT (natural_key) DO NOTHING";

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
    let mut stmt = conn.prepare_cached(INSERT_CLAIM).map_err(sql(db, action))?;
    let mut inserted = 0;
    for (index, claim) in claims.iter().enumerate() {
        let invalid = |problem: String| StoreError::InvalidClaim {
            source_id: from.source_id.to_owned(),
            index,
            locator: claim.locator.clone(),
            problem,
        };
        validate(claim).map_err(invalid)?;
        let key = natural_key(from.snapshot_id, claim).map_err(|e| invalid(e.to_string()))?;
        let models =
            serde_json::to_string(&claim.subject.models).map_err(|e| invalid(e.to_string()))?;
        let (kind, score, access, license) = match &claim.fact {
            Fact::Score(score) => ("score", Some(score), None, None),
            Fact::Access { access, license } => {
                ("access", None, Some(access.as_str()), license.as_deref())
            }
        };
        let settings = score
            .map(|s| serde_json::to_string(&s.settings))
            .transpose()
            .map_err(|e| invalid(e.to_string()))?;
        let reported_on = claim.reported_on.map(|d| d.to_string());
        inserted += stmt
            .execute(params![
                key.as_slice(),
                from.source_id,
                from.snapshot_id,
                from.run_id,
                kind,
                claim.subject.name,
                claim.subject.system,
                models,
                score.map(|s| s.benchmark.as_str()),
                score.map(|s| s.variant.as_str()),
                score.map(|s| s.metric.as_str()),
                settings,
                score.map(|s| s.value),
                score.map(|s| s.unit.as_str()),
                score.and_then(|s| s.uncertainty),
                access,
                license,
                reported_on,
                claim.evaluator.as_str(),
                claim.locator,
            ])
            .map_err(sql(db, action))? as u64;
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
