//! Claims as rows: the identity rule, the interned strings, subjects and settings, writing an
//! extraction run with its claims, and reading claims back into a [`ClaimSet`].
//!
//! A claim is a row of `claims`: integers referring to `claim_strings`, `claim_subjects` and
//! `claim_settings`, a REAL value and its locator. Interned rows are looked up in memory
//! ([`Interner`]) and written only when new.
//!
//! **The identity rule**, applied in memory before anything is written: within one
//! extraction run, two claims with the same subject, fact (benchmark, variant, metric,
//! settings, value, unit, uncertainty; or access and license) and locator are one claim, the
//! first kept, whatever their dates or evaluators. A run is written whole in one transaction
//! and never added to, so the rule needs no index.

use gapwatch_model::{
    Access, Claim, ClaimRecord, ClaimRow, ClaimSet, Date, Evaluator, Fact, FactRow, Score,
    Settings, StrId, Subject, SubjectId, Unit,
};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::StoreError;
use crate::error::{corrupt, sql};

type FastMap<K, V> = foldhash::HashMap<K, V>;

/// The code stored for a unit.
pub(crate) fn unit_code(u: Unit) -> i64 {
    match u {
        Unit::Percent => 0,
        Unit::Elo => 1,
        Unit::Score => 2,
    }
}

fn unit_from(code: i64) -> Option<Unit> {
    Some(match code {
        0 => Unit::Percent,
        1 => Unit::Elo,
        2 => Unit::Score,
        _ => return None,
    })
}

/// The code stored for an access.
pub(crate) fn access_code(a: Access) -> i64 {
    match a {
        Access::OpenWeights => 0,
        Access::Closed => 1,
        Access::Limited => 2,
        Access::Unknown => 3,
    }
}

fn access_from(code: i64) -> Option<Access> {
    Some(match code {
        0 => Access::OpenWeights,
        1 => Access::Closed,
        2 => Access::Limited,
        3 => Access::Unknown,
        _ => return None,
    })
}

/// The code stored for an evaluator.
pub(crate) fn evaluator_code(e: Evaluator) -> i64 {
    match e {
        Evaluator::ThirdParty => 0,
        Evaluator::SelfReported => 1,
        Evaluator::Unknown => 2,
        Evaluator::Competitor => 3,
    }
}

fn evaluator_from(code: i64) -> Option<Evaluator> {
    Some(match code {
        0 => Evaluator::ThirdParty,
        1 => Evaluator::SelfReported,
        2 => Evaluator::Unknown,
        3 => Evaluator::Competitor,
        _ => return None,
    })
}

/// Refuses what would not read back as a measurement: a value that is not finite (SQLite
/// stores NaN as NULL, and analysis cannot rank it) or a negative uncertainty.
pub(crate) fn validate(claim: &Claim) -> Result<(), String> {
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

/// A number as SQLite keeps it in a REAL column: `-0.0` reads back as `0.0`, so it is stored
/// (and compared) as `0.0`.
fn stored(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { v }
}

/// The settings map as stored: a JSON object, keys in order (a `BTreeMap` serializes so).
fn settings_json(db: &str, settings: &Settings) -> Result<String, StoreError> {
    serde_json::to_string(settings)
        .map_err(|e| corrupt(db, format!("cannot encode settings {settings:?}: {e}")))
}

/// The interned rows known to be in the database, with their ids.
///
/// Rows are only ever added, with increasing ids, so the interner catches up with other
/// writers by reading the rows after the last id it has seen, at the start of every write
/// (under the write lock). After a failed write it is reset, since rows it added may have
/// been rolled back.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    strings: FastMap<Box<str>, i64>,
    subjects: FastMap<Subject, i64>,
    settings: FastMap<Settings, i64>,
    /// The largest id read or written of strings, subjects and settings.
    last: [i64; 3],
}

impl Interner {
    /// Reads the rows other writers added since this interner last looked.
    pub(crate) fn catch_up(&mut self, conn: &Connection, db: &str) -> Result<(), StoreError> {
        let action = "read the interned claim strings";
        let mut stmt = conn
            .prepare_cached("SELECT id, text FROM claim_strings WHERE id > ?1 ORDER BY id")
            .map_err(sql(db, action))?;
        let mut rows = stmt.query([self.last[0]]).map_err(sql(db, action))?;
        while let Some(row) = rows.next().map_err(sql(db, action))? {
            let id: i64 = row.get(0).map_err(sql(db, action))?;
            let text: String = row.get(1).map_err(sql(db, action))?;
            self.strings.insert(text.into_boxed_str(), id);
            self.last[0] = id;
        }
        let mut stmt = conn
            .prepare_cached(
                "SELECT s.id, n.text, y.text, s.models FROM claim_subjects s
                 JOIN claim_strings n ON n.id = s.name
                 LEFT JOIN claim_strings y ON y.id = s.system
                 WHERE s.id > ?1 ORDER BY s.id",
            )
            .map_err(sql(db, action))?;
        let mut rows = stmt.query([self.last[1]]).map_err(sql(db, action))?;
        while let Some(row) = rows.next().map_err(sql(db, action))? {
            let id: i64 = row.get(0).map_err(sql(db, action))?;
            let models: String = row.get(3).map_err(sql(db, action))?;
            let subject = Subject {
                name: row.get(1).map_err(sql(db, action))?,
                system: row.get(2).map_err(sql(db, action))?,
                models: parse_models(db, id, &models)?,
            };
            self.subjects.insert(subject, id);
            self.last[1] = id;
        }
        let mut stmt = conn
            .prepare_cached("SELECT id, settings FROM claim_settings WHERE id > ?1 ORDER BY id")
            .map_err(sql(db, action))?;
        let mut rows = stmt.query([self.last[2]]).map_err(sql(db, action))?;
        while let Some(row) = rows.next().map_err(sql(db, action))? {
            let id: i64 = row.get(0).map_err(sql(db, action))?;
            let json: String = row.get(1).map_err(sql(db, action))?;
            self.settings.insert(parse_settings(db, id, &json)?, id);
            self.last[2] = id;
        }
        Ok(())
    }

    fn string(&mut self, conn: &Connection, db: &str, s: &str) -> Result<i64, StoreError> {
        if let Some(&id) = self.strings.get(s) {
            return Ok(id);
        }
        conn.prepare_cached("INSERT INTO claim_strings (text) VALUES (?1)")
            .and_then(|mut st| st.execute([s]))
            .map_err(sql(db, "intern a claim string"))?;
        let id = conn.last_insert_rowid();
        self.strings.insert(s.into(), id);
        self.last[0] = self.last[0].max(id);
        Ok(id)
    }

    fn subject(&mut self, conn: &Connection, db: &str, s: &Subject) -> Result<i64, StoreError> {
        if let Some(&id) = self.subjects.get(s) {
            return Ok(id);
        }
        let name = self.string(conn, db, &s.name)?;
        let system = s
            .system
            .as_deref()
            .map(|y| self.string(conn, db, y))
            .transpose()?;
        let models = serde_json::to_string(&s.models)
            .map_err(|e| corrupt(db, format!("cannot encode models {:?}: {e}", s.models)))?;
        conn.prepare_cached(
            "INSERT INTO claim_subjects (name, system, models) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut st| st.execute(params![name, system, models]))
        .map_err(sql(db, "intern a claim subject"))?;
        let id = conn.last_insert_rowid();
        self.subjects.insert(s.clone(), id);
        self.last[1] = self.last[1].max(id);
        Ok(id)
    }

    fn settings(&mut self, conn: &Connection, db: &str, s: &Settings) -> Result<i64, StoreError> {
        if let Some(&id) = self.settings.get(s) {
            return Ok(id);
        }
        let json = settings_json(db, s)?;
        conn.prepare_cached("INSERT INTO claim_settings (settings) VALUES (?1)")
            .and_then(|mut st| st.execute([json]))
            .map_err(sql(db, "intern claim settings"))?;
        let id = conn.last_insert_rowid();
        self.settings.insert(s.clone(), id);
        self.last[2] = self.last[2].max(id);
        Ok(id)
    }

    /// A claim's columns, interning what is new. `previous` is the claim before it with its
    /// columns, if any: a leaderboard lists a subject's results one after another, and
    /// comparing with the previous subject is cheaper than hashing it.
    pub(crate) fn columns(
        &mut self,
        conn: &Connection,
        db: &str,
        claim: &Claim,
        previous: Option<(&Claim, &Columns)>,
    ) -> Result<Columns, StoreError> {
        let subject = match previous {
            Some((p, columns)) if p.subject == claim.subject => columns.subject,
            _ => self.subject(conn, db, &claim.subject)?,
        };
        let fact = match &claim.fact {
            Fact::Score(s) => FactColumns::Score {
                benchmark: self.string(conn, db, &s.benchmark)?,
                variant: self.string(conn, db, &s.variant)?,
                metric: self.string(conn, db, &s.metric)?,
                settings: self.settings(conn, db, &s.settings)?,
                value: stored(s.value).to_bits(),
                unit: unit_code(s.unit),
                uncertainty: s.uncertainty.map(|u| stored(u).to_bits()),
            },
            Fact::Access { access, license } => FactColumns::Access {
                access: access_code(*access),
                license: license
                    .as_deref()
                    .map(|l| self.string(conn, db, l))
                    .transpose()?,
            },
        };
        Ok(Columns { subject, fact })
    }
}

/// What a claim asserts, as ids and codes; numbers as the bits of their stored value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FactColumns {
    Score {
        benchmark: i64,
        variant: i64,
        metric: i64,
        settings: i64,
        value: u64,
        unit: i64,
        uncertainty: Option<u64>,
    },
    Access {
        access: i64,
        license: Option<i64>,
    },
}

/// A claim's subject and fact as ids and codes: with the locator, its identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Columns {
    subject: i64,
    fact: FactColumns,
}

/// The statement that writes a claim row; see [`write_row`].
pub(crate) const INSERT_CLAIM: &str = "INSERT INTO claims (id, run_id, subject_id, benchmark_id,
    variant_id, metric_id, settings_id, value, unit, uncertainty, access, license_id,
    reported_on, evaluator, locator)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/// Writes one claim row, with its id or (`None`) the next, with `insert` prepared from
/// [`INSERT_CLAIM`].
pub(crate) fn write_row(
    insert: &mut rusqlite::Statement<'_>,
    db: &str,
    id: Option<i64>,
    run_id: i64,
    columns: &Columns,
    claim: &Claim,
) -> Result<(), StoreError> {
    let (benchmark, variant, metric, settings, value, unit, uncertainty, access, license) =
        match columns.fact {
            FactColumns::Score {
                benchmark,
                variant,
                metric,
                settings,
                value,
                unit,
                uncertainty,
            } => (
                Some(benchmark),
                Some(variant),
                Some(metric),
                Some(settings),
                Some(f64::from_bits(value)),
                Some(unit),
                uncertainty.map(f64::from_bits),
                None,
                None,
            ),
            FactColumns::Access { access, license } => (
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                Some(access),
                license,
            ),
        };
    insert
        .execute(params![
            id,
            run_id,
            columns.subject,
            benchmark,
            variant,
            metric,
            settings,
            value,
            unit,
            uncertainty,
            access,
            license,
            claim.reported_on.map(Date::days_since_epoch),
            evaluator_code(claim.evaluator),
            claim.locator,
        ])
        .map_err(sql(db, "insert a claim"))?;
    Ok(())
}

/// An extraction run to record inside the caller's transaction.
pub(crate) struct NewRun<'a> {
    pub(crate) source_id: &'a str,
    pub(crate) snapshot_id: i64,
    pub(crate) rows: u64,
    pub(crate) warnings: &'a [String],
    pub(crate) adapter: &'a str,
    /// A re-extraction: when its claims are exactly the claims that count for the snapshot
    /// now, nothing is written.
    pub(crate) skip_if_unchanged: bool,
}

/// What [`record_run`] did.
pub(crate) struct RunOutcome {
    /// The new run, or the current one when nothing was written.
    pub(crate) run_id: i64,
    pub(crate) new_run: bool,
    pub(crate) stored: u64,
}

/// Records a complete extraction run and its claims, repeats dropped by the identity rule,
/// inside the caller's transaction. Fails on the first claim that cannot be stored
/// faithfully, before writing anything.
pub(crate) fn record_run(
    conn: &Connection,
    db: &str,
    interner: &mut Interner,
    run: &NewRun<'_>,
    claims: &[Claim],
) -> Result<RunOutcome, StoreError> {
    for (index, claim) in claims.iter().enumerate() {
        validate(claim).map_err(|problem| StoreError::InvalidClaim {
            source_id: run.source_id.to_owned(),
            index,
            locator: claim.locator.clone(),
            problem,
        })?;
    }
    interner.catch_up(conn, db)?;
    let mut seen: FastMap<(Columns, &str), ()> = FastMap::default();
    seen.reserve(claims.len());
    let mut kept: Vec<(Columns, &Claim)> = Vec::with_capacity(claims.len());
    let mut previous: Option<(&Claim, Columns)> = None;
    for claim in claims {
        let columns = interner.columns(conn, db, claim, previous.as_ref().map(|(c, k)| (*c, k)))?;
        if seen.insert((columns, &claim.locator), ()).is_none() {
            kept.push((columns, claim));
        }
        previous = Some((claim, columns));
    }
    if run.skip_if_unchanged {
        let current = snapshot_claims(conn, db, run.snapshot_id, None)?;
        let same = current.len() == kept.len()
            && current
                .iter()
                .zip(&kept)
                .all(|(c, (_, k))| same_claim(&c.claim, k));
        if same && let Some(last) = current.last() {
            return Ok(RunOutcome {
                run_id: last.run_id,
                new_run: false,
                stored: 0,
            });
        }
    }
    let warnings = serde_json::to_string(run.warnings).map_err(|e| {
        corrupt(
            db,
            format!("cannot encode warnings of source {:?}: {e}", run.source_id),
        )
    })?;
    let first: i64 = conn
        .prepare_cached("SELECT coalesce(max(id), 0) + 1 FROM claims")
        .and_then(|mut st| st.query_row([], |r| r.get(0)))
        .map_err(sql(db, "number claims"))?;
    let stored = kept.len() as i64;
    let (first_id, last_id) = if stored > 0 {
        (Some(first), Some(first + stored - 1))
    } else {
        (None, None)
    };
    conn.prepare_cached(
        "INSERT INTO extraction_runs (snapshot_id, adapter, rows, claims, warnings, scope,
            stored_claims, first_claim_id, last_claim_id)
         VALUES (?1, ?2, ?3, ?4, ?5, 'complete', ?6, ?7, ?8)",
    )
    .and_then(|mut st| {
        st.execute(params![
            run.snapshot_id,
            run.adapter,
            run.rows,
            claims.len() as u64,
            warnings,
            stored,
            first_id,
            last_id
        ])
    })
    .map_err(sql(db, "record an extraction run"))?;
    let run_id = conn.last_insert_rowid();
    let mut insert = conn
        .prepare_cached(INSERT_CLAIM)
        .map_err(sql(db, "insert claims"))?;
    let mut cache = crate::cache::Encoder::with_capacity(kept.len());
    for (i, (columns, claim)) in kept.iter().enumerate() {
        // The id is left to SQLite, which appends after the largest: the ids counted above,
        // which the run recorded, and cheaper than a row placed by an id given.
        write_row(&mut insert, db, None, run_id, columns, claim)?;
        cache.push(&RawClaim::new(first + i as i64, run_id, columns, claim));
        if i + 1 == kept.len() && conn.last_insert_rowid() != first + i as i64 {
            return Err(corrupt(
                db,
                format!(
                    "extraction run {run_id}: its claims were numbered from {first}, but the last is {}",
                    conn.last_insert_rowid()
                ),
            ));
        }
    }
    if stored > 0 {
        crate::cache::write(conn, db, run_id, (first, first + stored - 1), cache)?;
    }
    Ok(RunOutcome {
        run_id,
        new_run: true,
        stored: stored as u64,
    })
}

/// Whether a stored claim and a new one say the same, dates and evaluators included, numbers
/// as stored.
fn same_claim(stored_claim: &Claim, new: &Claim) -> bool {
    let facts = match (&stored_claim.fact, &new.fact) {
        (Fact::Score(a), Fact::Score(b)) => {
            a.value.to_bits() == stored(b.value).to_bits()
                && a.uncertainty.map(f64::to_bits) == b.uncertainty.map(|u| stored(u).to_bits())
                && Score {
                    value: 0.0,
                    uncertainty: None,
                    ..a.clone()
                } == Score {
                    value: 0.0,
                    uncertainty: None,
                    ..b.clone()
                }
        }
        (a, b) => a == b,
    };
    facts
        && stored_claim.subject == new.subject
        && stored_claim.locator == new.locator
        && stored_claim.reported_on == new.reported_on
        && stored_claim.evaluator == new.evaluator
}

fn parse_models(db: &str, subject: i64, json: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(json).map_err(|e| {
        corrupt(
            db,
            format!("claim subject {subject}: models {json:?} are not a JSON list of strings: {e}"),
        )
    })
}

fn parse_settings(db: &str, id: i64, json: &str) -> Result<Settings, StoreError> {
    serde_json::from_str(json).map_err(|e| {
        corrupt(
            db,
            format!("claim settings {id}: {json:?} is not a JSON object of strings: {e}"),
        )
    })
}

/// How many claims are stored, by every run.
pub(crate) fn count(conn: &Connection, db: &str) -> Result<u64, StoreError> {
    conn.prepare_cached("SELECT count(*) FROM claims")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .map_err(sql(db, "count claims"))
}

/// Which claims to read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Selection {
    /// Only snapshots observed on or before this date.
    pub(crate) as_of: Option<Date>,
    /// Only this snapshot.
    pub(crate) snapshot: Option<i64>,
    /// Only this run; otherwise the runs that count for each snapshot.
    pub(crate) run: Option<i64>,
    /// Every run, those that no longer count included.
    pub(crate) every_run: bool,
    /// Leave out retracted snapshots, as analysis does.
    pub(crate) without_retracted: bool,
    /// Read the claims table, not the cache.
    pub(crate) rows_only: bool,
}

/// A run whose claims are read, with its snapshot.
#[derive(Debug, Clone)]
struct ReadRun {
    snapshot_id: i64,
    source: String,
    sha256: String,
    observed_on: Date,
    first: i64,
    last: i64,
    /// How many claims the run recorded.
    stored: i64,
}

/// The runs selected, by run id; the ranges of claim ids to scan, in order; and how many
/// claims the runs recorded.
struct Selected {
    runs: FastMap<i64, ReadRun>,
    ranges: Vec<(i64, i64)>,
    total: usize,
}

fn selected_runs(conn: &Connection, db: &str, sel: &Selection) -> Result<Selected, StoreError> {
    let action = "read extraction runs";
    let mut stmt = conn
        .prepare_cached(
            "SELECT r.id, r.snapshot_id, r.scope = 'complete', r.first_claim_id, r.last_claim_id,
                r.stored_claims, s.source_id, s.sha256, s.observed_on,
                EXISTS (SELECT 1 FROM retractions x WHERE x.snapshot_id = s.id)
             FROM extraction_runs r JOIN snapshots s ON s.id = r.snapshot_id
             WHERE (?1 IS NULL OR s.observed_on <= ?1) AND (?2 IS NULL OR s.id = ?2)
                AND (?3 IS NULL OR r.id = ?3)
             ORDER BY r.snapshot_id, r.id DESC",
        )
        .map_err(sql(db, action))?;
    let as_of = sel.as_of.map(|d| d.to_string());
    let mut rows = stmt
        .query(params![as_of, sel.snapshot, sel.run])
        .map_err(sql(db, action))?;
    let mut runs = FastMap::default();
    let mut ranges = Vec::new();
    let mut total = 0usize;
    // The snapshot whose runs are being read, newest first, and whether a complete run of it
    // has been met: the runs before that one no longer count.
    let mut current: Option<(i64, bool)> = None;
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        let get = |e| sql(db, action)(e);
        let id: i64 = row.get(0).map_err(get)?;
        let snapshot_id: i64 = row.get(1).map_err(get)?;
        let complete: bool = row.get(2).map_err(get)?;
        let retracted: bool = row.get(9).map_err(get)?;
        let superseded = match current {
            Some((s, done)) if s == snapshot_id => done,
            _ => false,
        };
        current = Some((snapshot_id, superseded || complete));
        if (superseded && sel.run.is_none() && !sel.every_run)
            || (retracted && sel.without_retracted)
        {
            continue;
        }
        let (Some(first), Some(last)) = (
            row.get::<_, Option<i64>>(3).map_err(get)?,
            row.get::<_, Option<i64>>(4).map_err(get)?,
        ) else {
            continue;
        };
        let stored: i64 = row.get(5).map_err(get)?;
        let observed: String = row.get(8).map_err(get)?;
        runs.insert(
            id,
            ReadRun {
                snapshot_id,
                source: row.get(6).map_err(get)?,
                sha256: row.get(7).map_err(get)?,
                observed_on: crate::store::parse_date(
                    db,
                    &observed,
                    &format!("snapshot {snapshot_id}"),
                )?,
                first,
                last,
                stored,
            },
        );
        ranges.push((first, last));
        total += usize::try_from(stored).unwrap_or(0);
    }
    ranges.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
    for (first, last) in ranges {
        match merged.last_mut() {
            Some(m) if first <= m.1 + 1 => m.1 = m.1.max(last),
            _ => merged.push((first, last)),
        }
    }
    Ok(Selected {
        runs,
        ranges: merged,
        total,
    })
}

/// The interned tables, read whole: they are small beside the claims.
struct Tables {
    strings: Vec<Option<Box<str>>>,
    subjects: Vec<Option<Subject>>,
    settings: Vec<Option<Settings>>,
}

impl Tables {
    fn read(conn: &Connection, db: &str) -> Result<Tables, StoreError> {
        let action = "read the interned claim strings";
        let mut strings: Vec<Option<Box<str>>> = Vec::new();
        let mut stmt = conn
            .prepare_cached("SELECT id, text FROM claim_strings ORDER BY id")
            .map_err(sql(db, action))?;
        let mut rows = stmt.query([]).map_err(sql(db, action))?;
        while let Some(row) = rows.next().map_err(sql(db, action))? {
            let id = index(row.get(0).map_err(sql(db, action))?);
            if strings.len() <= id {
                strings.resize(id + 1, None);
            }
            let text: String = row.get(1).map_err(sql(db, action))?;
            strings[id] = Some(text.into_boxed_str());
        }
        let lookup = |id: i64, what: &str| -> Result<String, StoreError> {
            strings
                .get(index(id))
                .and_then(|s| s.as_deref())
                .map(str::to_owned)
                .ok_or_else(|| corrupt(db, format!("{what} refers to missing claim string {id}")))
        };
        let mut subjects: Vec<Option<Subject>> = Vec::new();
        let mut stmt = conn
            .prepare_cached("SELECT id, name, system, models FROM claim_subjects ORDER BY id")
            .map_err(sql(db, action))?;
        let mut rows = stmt.query([]).map_err(sql(db, action))?;
        while let Some(row) = rows.next().map_err(sql(db, action))? {
            let id: i64 = row.get(0).map_err(sql(db, action))?;
            let owner = format!("claim subject {id}");
            let name: i64 = row.get(1).map_err(sql(db, action))?;
            let system: Option<i64> = row.get(2).map_err(sql(db, action))?;
            let models: String = row.get(3).map_err(sql(db, action))?;
            let subject = Subject {
                name: lookup(name, &owner)?,
                system: system.map(|s| lookup(s, &owner)).transpose()?,
                models: parse_models(db, id, &models)?,
            };
            let i = index(id);
            if subjects.len() <= i {
                subjects.resize(i + 1, None);
            }
            subjects[i] = Some(subject);
        }
        let mut settings: Vec<Option<Settings>> = Vec::new();
        let mut stmt = conn
            .prepare_cached("SELECT id, settings FROM claim_settings ORDER BY id")
            .map_err(sql(db, action))?;
        let mut rows = stmt.query([]).map_err(sql(db, action))?;
        while let Some(row) = rows.next().map_err(sql(db, action))? {
            let id: i64 = row.get(0).map_err(sql(db, action))?;
            let json: String = row.get(1).map_err(sql(db, action))?;
            let i = index(id);
            if settings.len() <= i {
                settings.resize(i + 1, None);
            }
            settings[i] = Some(parse_settings(db, id, &json)?);
        }
        Ok(Tables {
            strings,
            subjects,
            settings,
        })
    }
}

/// A row id as an index; ids below 1 (never written) map past any table.
fn index(id: i64) -> usize {
    usize::try_from(id).unwrap_or(usize::MAX)
}

/// A claim as its row holds it: ids, codes and numbers, and its locator.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawClaim<'a> {
    pub(crate) id: i64,
    pub(crate) run_id: i64,
    pub(crate) subject: i64,
    pub(crate) benchmark: Option<i64>,
    pub(crate) variant: Option<i64>,
    pub(crate) metric: Option<i64>,
    pub(crate) settings: Option<i64>,
    pub(crate) value: Option<f64>,
    pub(crate) unit: Option<i64>,
    pub(crate) uncertainty: Option<f64>,
    pub(crate) access: Option<i64>,
    pub(crate) license: Option<i64>,
    /// Days since 1970-01-01.
    pub(crate) reported_on: Option<i64>,
    pub(crate) evaluator: i64,
    pub(crate) locator: &'a str,
}

impl<'a> RawClaim<'a> {
    /// A row selected with [`CLAIM_COLUMNS`].
    fn from_row(row: &'a Row<'_>, db: &str) -> Result<RawClaim<'a>, StoreError> {
        let id = int(row, 0, db)?;
        let locator = match row.get_ref(14).map_err(sql(db, "read claims"))? {
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map_err(|_| corrupt(db, format!("claim {id}: its locator is not UTF-8")))?,
            _ => return Err(corrupt(db, format!("claim {id}: its locator is not text"))),
        };
        Ok(RawClaim {
            id,
            run_id: int(row, 1, db)?,
            subject: int(row, 2, db)?,
            benchmark: opt_int(row, 3, db)?,
            variant: opt_int(row, 4, db)?,
            metric: opt_int(row, 5, db)?,
            settings: opt_int(row, 6, db)?,
            value: opt_real(row, 7, db)?,
            unit: opt_int(row, 8, db)?,
            uncertainty: opt_real(row, 9, db)?,
            access: opt_int(row, 10, db)?,
            license: opt_int(row, 11, db)?,
            reported_on: opt_int(row, 12, db)?,
            evaluator: int(row, 13, db)?,
            locator,
        })
    }

    /// The row [`write_row`] writes for a claim with these columns.
    pub(crate) fn new(id: i64, run_id: i64, columns: &Columns, claim: &'a Claim) -> Self {
        let mut raw = RawClaim {
            id,
            run_id,
            subject: columns.subject,
            benchmark: None,
            variant: None,
            metric: None,
            settings: None,
            value: None,
            unit: None,
            uncertainty: None,
            access: None,
            license: None,
            reported_on: claim.reported_on.map(Date::days_since_epoch),
            evaluator: evaluator_code(claim.evaluator),
            locator: &claim.locator,
        };
        match columns.fact {
            FactColumns::Score {
                benchmark,
                variant,
                metric,
                settings,
                value,
                unit,
                uncertainty,
            } => {
                raw.benchmark = Some(benchmark);
                raw.variant = Some(variant);
                raw.metric = Some(metric);
                raw.settings = Some(settings);
                raw.value = Some(f64::from_bits(value));
                raw.unit = Some(unit);
                raw.uncertainty = uncertainty.map(f64::from_bits);
            }
            FactColumns::Access { access, license } => {
                raw.access = Some(access);
                raw.license = license;
            }
        }
        raw
    }

    /// Whether two read the same, numbers to the bit.
    pub(crate) fn same(&self, other: &RawClaim<'_>) -> bool {
        let bits = |v: Option<f64>| v.map(f64::to_bits);
        (
            self.id,
            self.run_id,
            self.subject,
            self.benchmark,
            self.variant,
            self.metric,
            self.settings,
            self.unit,
            self.access,
            self.license,
            self.reported_on,
            self.evaluator,
        ) == (
            other.id,
            other.run_id,
            other.subject,
            other.benchmark,
            other.variant,
            other.metric,
            other.settings,
            other.unit,
            other.access,
            other.license,
            other.reported_on,
            other.evaluator,
        ) && bits(self.value) == bits(other.value)
            && bits(self.uncertainty) == bits(other.uncertainty)
            && self.locator == other.locator
    }
}

/// The columns read for each claim, in this order.
pub(crate) const CLAIM_COLUMNS: &str =
    "id, run_id, subject_id, benchmark_id, variant_id, metric_id,
    settings_id, value, unit, uncertainty, access, license_id, reported_on, evaluator, locator";

/// Reads the selected claims in id order into a [`ClaimSet`]: from the derived cache of each
/// run where its entry agrees with what the run recorded (`cache.rs`), from the claims table
/// otherwise.
pub(crate) fn read(conn: &Connection, db: &str, sel: &Selection) -> Result<ClaimSet, StoreError> {
    let Selected {
        runs,
        ranges,
        total,
    } = selected_runs(conn, db, sel)?;
    let mut set = ClaimSet::with_capacity(total);
    if ranges.is_empty() {
        return Ok(set);
    }
    let tables = Tables::read(conn, db)?;
    let mut reader = SetBuilder {
        set: &mut set,
        tables: &tables,
        strings: vec![None; tables.strings.len()],
        subjects: vec![None; tables.subjects.len()],
        settings: vec![None; tables.settings.len()],
        runs: FastMap::default(),
        last_run: None,
    };
    // The runs of each range, in id order. Runs of schema 4 and before may interleave their
    // ids; such a range is read from the claims table whole.
    let mut by_first: Vec<(i64, i64)> = runs.iter().map(|(&id, r)| (r.first, id)).collect();
    by_first.sort_unstable();
    let mut next = 0;
    for (first, last) in ranges {
        let start = next;
        while next < by_first.len() && by_first[next].0 <= last {
            next += 1;
        }
        let in_range = &by_first[start..next];
        let apart = in_range
            .windows(2)
            .all(|w| runs[&w[0].1].last < runs[&w[1].1].first);
        if !apart || sel.rows_only {
            read_rows(conn, db, &runs, (first, last), None, &mut reader)?;
            continue;
        }
        for &(_, run_id) in in_range {
            let run = &runs[&run_id];
            let cached =
                crate::cache::read(conn, db, run_id, (run.first, run.last, run.stored), |raw| {
                    reader.push(&raw, run, db)
                })?;
            if !cached {
                read_rows(
                    conn,
                    db,
                    &runs,
                    (run.first, run.last),
                    Some(run_id),
                    &mut reader,
                )?;
            }
        }
    }
    Ok(set)
}

/// Reads claims with ids in `range` from the claims table: those of `only` when given, else
/// of any selected run.
fn read_rows(
    conn: &Connection,
    db: &str,
    runs: &FastMap<i64, ReadRun>,
    (first, last): (i64, i64),
    only: Option<i64>,
    reader: &mut SetBuilder<'_>,
) -> Result<(), StoreError> {
    let action = "read claims";
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {CLAIM_COLUMNS} FROM claims WHERE id BETWEEN ?1 AND ?2 ORDER BY id"
        ))
        .map_err(sql(db, action))?;
    let mut rows = stmt.query([first, last]).map_err(sql(db, action))?;
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        let raw = RawClaim::from_row(row, db)?;
        if only.is_some_and(|r| r != raw.run_id) {
            continue;
        }
        let Some(run) = runs.get(&raw.run_id) else {
            continue;
        };
        if raw.id < run.first || raw.id > run.last {
            return Err(corrupt(
                db,
                format!(
                    "claim {} is not among the claims {}..={} its run {} recorded",
                    raw.id, run.first, run.last, raw.run_id
                ),
            ));
        }
        reader.push(&raw, run, db)?;
    }
    Ok(())
}

/// Every claim row of a run, in id order, for `each`.
pub(crate) fn run_rows(
    conn: &Connection,
    db: &str,
    run_id: i64,
    (first, last): (i64, i64),
    mut each: impl FnMut(RawClaim<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let action = "read claims";
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {CLAIM_COLUMNS} FROM claims WHERE id BETWEEN ?1 AND ?2 AND run_id = ?3
             ORDER BY id"
        ))
        .map_err(sql(db, action))?;
    let mut rows = stmt.query([first, last, run_id]).map_err(sql(db, action))?;
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        each(RawClaim::from_row(row, db)?)?;
    }
    Ok(())
}

/// Turns claim rows into rows of a [`ClaimSet`], interning each table entry on first use.
struct SetBuilder<'a> {
    set: &'a mut ClaimSet,
    tables: &'a Tables,
    strings: Vec<Option<StrId>>,
    subjects: Vec<Option<SubjectId>>,
    settings: Vec<Option<gapwatch_model::SettingsId>>,
    /// Per run: its source and snapshot hash as set strings.
    runs: FastMap<i64, (StrId, StrId)>,
    /// The run of the claim before, with its pair: claims come run by run.
    last_run: Option<(i64, (StrId, StrId))>,
}

impl SetBuilder<'_> {
    fn string(&mut self, id: i64, claim: i64, db: &str) -> Result<StrId, StoreError> {
        let i = index(id);
        if let Some(Some(s)) = self.strings.get(i) {
            return Ok(*s);
        }
        let text = self
            .tables
            .strings
            .get(i)
            .and_then(|s| s.as_deref())
            .ok_or_else(|| {
                corrupt(
                    db,
                    format!("claim {claim} refers to missing claim string {id}"),
                )
            })?;
        let s = self.set.intern_str(text);
        self.strings[i] = Some(s);
        Ok(s)
    }

    fn push(&mut self, raw: &RawClaim<'_>, run: &ReadRun, db: &str) -> Result<(), StoreError> {
        let id = raw.id;
        let bad = |what: String| corrupt(db, format!("claim {id}: {what}"));
        let (source, snapshot_sha256) = match self.last_run {
            Some((id, pair)) if id == raw.run_id => pair,
            _ => {
                let pair = match self.runs.get(&raw.run_id) {
                    Some(&pair) => pair,
                    None => {
                        let pair = (
                            self.set.intern_str(&run.source),
                            self.set.intern_str(&run.sha256),
                        );
                        self.runs.insert(raw.run_id, pair);
                        pair
                    }
                };
                self.last_run = Some((raw.run_id, pair));
                pair
            }
        };
        let si = index(raw.subject);
        let subject = match self.subjects.get(si) {
            Some(Some(s)) => *s,
            _ => {
                let subject = self
                    .tables
                    .subjects
                    .get(si)
                    .and_then(Option::as_ref)
                    .ok_or_else(|| {
                        bad(format!("refers to missing claim subject {}", raw.subject))
                    })?;
                let s = self.set.intern_subject(subject);
                self.subjects[si] = Some(s);
                s
            }
        };
        let fact = match raw.benchmark {
            Some(benchmark) => {
                let settings_id = raw
                    .settings
                    .ok_or_else(|| bad("a score without settings".to_owned()))?;
                let ti = index(settings_id);
                let settings = match self.settings.get(ti) {
                    Some(Some(s)) => *s,
                    _ => {
                        let map = self
                            .tables
                            .settings
                            .get(ti)
                            .and_then(Option::as_ref)
                            .ok_or_else(|| {
                                bad(format!("refers to missing claim settings {settings_id}"))
                            })?;
                        let s = self.set.intern_settings(map);
                        self.settings[ti] = Some(s);
                        s
                    }
                };
                let variant = raw
                    .variant
                    .ok_or_else(|| bad("a score without a variant".to_owned()))?;
                let metric = raw
                    .metric
                    .ok_or_else(|| bad("a score without a metric".to_owned()))?;
                FactRow::Score {
                    benchmark: self.string(benchmark, id, db)?,
                    variant: self.string(variant, id, db)?,
                    metric: self.string(metric, id, db)?,
                    settings,
                    value: raw
                        .value
                        .ok_or_else(|| bad("a score without a value".to_owned()))?,
                    unit: raw
                        .unit
                        .and_then(unit_from)
                        .ok_or_else(|| bad("a score without a known unit".to_owned()))?,
                    uncertainty: raw.uncertainty,
                }
            }
            None => FactRow::Access {
                access: raw
                    .access
                    .and_then(access_from)
                    .ok_or_else(|| bad("neither a score nor a known access".to_owned()))?,
                license: raw.license.map(|l| self.string(l, id, db)).transpose()?,
            },
        };
        let evaluator =
            evaluator_from(raw.evaluator).ok_or_else(|| bad("an unknown evaluator".to_owned()))?;
        let claim_row = ClaimRow {
            id,
            snapshot_id: run.snapshot_id,
            run_id: raw.run_id,
            source,
            snapshot_sha256,
            observed_on: run.observed_on,
            reported_on: raw.reported_on.map(Date::from_days_since_epoch),
            subject,
            evaluator,
            fact,
        };
        self.set
            .push_row(claim_row, raw.locator)
            .map_err(|e| bad(e.to_string()))
    }
}

fn int(row: &Row<'_>, i: usize, db: &str) -> Result<i64, StoreError> {
    opt_int(row, i, db)?.ok_or_else(|| corrupt(db, format!("a claim row lacks column {i}")))
}

fn opt_int(row: &Row<'_>, i: usize, db: &str) -> Result<Option<i64>, StoreError> {
    match row.get_ref(i).map_err(sql(db, "read claims"))? {
        ValueRef::Integer(v) => Ok(Some(v)),
        ValueRef::Null => Ok(None),
        other => Err(corrupt(
            db,
            format!(
                "a claim row holds {:?} where a whole number belongs",
                other.data_type()
            ),
        )),
    }
}

fn opt_real(row: &Row<'_>, i: usize, db: &str) -> Result<Option<f64>, StoreError> {
    match row.get_ref(i).map_err(sql(db, "read claims"))? {
        ValueRef::Real(v) => Ok(Some(v)),
        // SQLite keeps whole numbers of a REAL column as integers on disk; they read as such.
        ValueRef::Integer(v) => Ok(Some(v as f64)),
        ValueRef::Null => Ok(None),
        other => Err(corrupt(
            db,
            format!(
                "a claim row holds {:?} where a number belongs",
                other.data_type()
            ),
        )),
    }
}

/// The claims of one snapshot: of one run, or of the runs that count for it now (retracted or
/// not), in id order.
pub(crate) fn snapshot_claims(
    conn: &Connection,
    db: &str,
    snapshot_id: i64,
    run: Option<i64>,
) -> Result<Vec<ClaimRecord>, StoreError> {
    let set = read(
        conn,
        db,
        &Selection {
            snapshot: Some(snapshot_id),
            run,
            ..Selection::default()
        },
    )?;
    Ok(set.records().collect())
}

/// The claim with this id, whether or not it counts for analysis.
pub(crate) fn claim(
    conn: &Connection,
    db: &str,
    id: i64,
) -> Result<Option<ClaimRecord>, StoreError> {
    let run: Option<i64> = conn
        .prepare_cached("SELECT run_id FROM claims WHERE id = ?1")
        .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
        .map_err(sql(db, "read a claim"))?;
    let Some(run) = run else {
        return Ok(None);
    };
    let set = read(
        conn,
        db,
        &Selection {
            run: Some(run),
            ..Selection::default()
        },
    )?;
    let found = set.rows().iter().position(|r| r.id == id);
    Ok(found.map(|i| set.record(i)))
}
