//! A derived cache of each run's claims, packed for fast loading: one row of `claims_cache`
//! per extraction run, its claims as fixed-width records of the same ids, codes and numbers
//! as their rows, then their locators.
//!
//! ```text
//! body   = version:u8 (= 1) count:u32 record{count} locators
//! record = id_delta:u32 subject:u32 benchmark:u32 variant:u32 metric:u32 settings:u32
//!          license:u32 flags:u8 reported_on:i32 value:f64 uncertainty:f64 locator_len:u32
//! flags  = bit 0 score · bit 1 reported_on present · bit 2 uncertainty present · bits 3-4
//!          unit · bits 5-6 access · bit 7 unused; the evaluator in the next byte
//! ```
//!
//! Numbers are little-endian; absent ids are 0 (ids start at 1). It stays derived: it is
//! written from the same values in the same transaction as the rows, a run's entry is used
//! only when its count and ids are what the run recorded (otherwise the rows are read), it
//! can be deleted at will, and [`crate::Store::check`] compares every entry with the rows,
//! [`crate::Store::rebuild_claims_cache`] rewrites it from them.

use rusqlite::{Connection, params};

use crate::StoreError;
use crate::claims::RawClaim;
use crate::error::{corrupt, sql};

const VERSION: u8 = 1;
/// The bytes of a record.
const RECORD: usize = 4 * 7 + 1 + 1 + 4 + 8 + 8 + 4;
const HEADER: usize = 1 + 4;

/// Builds one run's entry.
#[derive(Debug)]
pub(crate) struct Encoder {
    records: Vec<u8>,
    locators: Vec<u8>,
    first: Option<i64>,
    count: u32,
    /// False once a value does not fit the format; the run then gets no entry.
    fits: bool,
}

impl Encoder {
    pub(crate) fn with_capacity(claims: usize) -> Self {
        let mut records = Vec::with_capacity(HEADER + claims * RECORD);
        records.push(VERSION);
        records.extend_from_slice(&0u32.to_le_bytes());
        Encoder {
            records,
            locators: Vec::with_capacity(claims * 24),
            first: None,
            count: 0,
            fits: true,
        }
    }

    /// Adds a claim; claims come in id order.
    pub(crate) fn push(&mut self, raw: &RawClaim<'_>) {
        let first = *self.first.get_or_insert(raw.id);
        let small = |v: Option<i64>| -> Option<u32> {
            match v {
                None => Some(0),
                Some(v) => u32::try_from(v).ok().filter(|&v| v > 0),
            }
        };
        let code = |v: Option<i64>, max: i64| -> Option<u8> {
            match v {
                None => Some(0),
                Some(c) if (0..=max).contains(&c) => Some(c as u8),
                Some(_) => None,
            }
        };
        let fields = (
            u32::try_from(raw.id - first).ok(),
            small(Some(raw.subject)),
            small(raw.benchmark),
            small(raw.variant),
            small(raw.metric),
            small(raw.settings),
            small(raw.license),
            code(raw.unit, 3),
            code(raw.access, 3),
            code(Some(raw.evaluator), 255),
            raw.reported_on.map_or(Some(0), |d| i32::try_from(d).ok()),
            u32::try_from(raw.locator.len()).ok(),
        );
        let (
            Some(delta),
            Some(subject),
            Some(benchmark),
            Some(variant),
            Some(metric),
            Some(settings),
            Some(license),
            Some(unit),
            Some(access),
            Some(evaluator),
            Some(reported),
            Some(locator_len),
        ) = fields
        else {
            self.fits = false;
            return;
        };
        let mut flags = unit << 3 | access << 5;
        if raw.benchmark.is_some() {
            flags |= 1;
        }
        if raw.reported_on.is_some() {
            flags |= 2;
        }
        if raw.uncertainty.is_some() {
            flags |= 4;
        }
        let out = &mut self.records;
        for v in [
            delta, subject, benchmark, variant, metric, settings, license,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.push(flags);
        out.push(evaluator);
        out.extend_from_slice(&reported.to_le_bytes());
        out.extend_from_slice(&raw.value.unwrap_or(0.0).to_bits().to_le_bytes());
        out.extend_from_slice(&raw.uncertainty.unwrap_or(0.0).to_bits().to_le_bytes());
        out.extend_from_slice(&locator_len.to_le_bytes());
        self.locators.extend_from_slice(raw.locator.as_bytes());
        self.count += 1;
    }

    /// The entry's bytes, or `None` when a value did not fit.
    fn finish(mut self) -> Option<Vec<u8>> {
        if !self.fits {
            return None;
        }
        self.records[1..HEADER].copy_from_slice(&self.count.to_le_bytes());
        self.records.extend_from_slice(&self.locators);
        Some(self.records)
    }
}

/// Writes a run's entry, replacing any; a run whose values do not fit the format gets none
/// (its rows are read instead).
pub(crate) fn write(
    conn: &Connection,
    db: &str,
    run_id: i64,
    (first, last): (i64, i64),
    encoder: Encoder,
) -> Result<(), StoreError> {
    let count = i64::from(encoder.count);
    let Some(body) = encoder.finish() else {
        return Ok(());
    };
    conn.prepare_cached(
        "INSERT OR REPLACE INTO claims_cache (run_id, first_claim_id, last_claim_id, claims, body)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| s.execute(params![run_id, first, last, count, body]))
    .map_err(sql(db, "cache a run's claims"))?;
    Ok(())
}

/// Checks what [`decode`] could trip on, reading only each record's locator length: the
/// header, the locators' lengths against the bytes after the records, and their text.
fn validate(body: &[u8]) -> Result<(), String> {
    let Some((&version, rest)) = body.split_first() else {
        return Err("is empty".to_owned());
    };
    if version != VERSION {
        return Err(format!("has format version {version}"));
    }
    let Some((count, rest)) = rest.split_first_chunk::<4>() else {
        return Err("ends before its count".to_owned());
    };
    let count = u32::from_le_bytes(*count) as usize;
    let Some(records_len) = count.checked_mul(RECORD).filter(|&n| n <= rest.len()) else {
        return Err(format!("says it holds {count} claims but is too short"));
    };
    let (records, locators) = rest.split_at(records_len);
    let text = std::str::from_utf8(locators).map_err(|_| "has locators that are not UTF-8")?;
    let mut end = 0usize;
    for record in records.chunks_exact(RECORD) {
        let mut b = [0u8; 4];
        b.copy_from_slice(&record[50..54]);
        end = end.saturating_add(u32::from_le_bytes(b) as usize);
        if !text.is_char_boundary(end) {
            return Err("has locators past its end or split inside a character".to_owned());
        }
    }
    if end != text.len() {
        return Err(format!("has {} bytes after its claims", text.len() - end));
    }
    Ok(())
}

/// Calls `each` with every claim of an entry, in order; a message when the body is damaged.
fn decode<'b>(
    body: &'b [u8],
    run_id: i64,
    first: i64,
    mut each: impl FnMut(RawClaim<'b>) -> Result<(), StoreError>,
) -> Result<Result<(), String>, StoreError> {
    let Some((&version, rest)) = body.split_first() else {
        return Ok(Err("is empty".to_owned()));
    };
    if version != VERSION {
        return Ok(Err(format!("has format version {version}")));
    }
    let Some((count, rest)) = rest.split_first_chunk::<4>() else {
        return Ok(Err("ends before its count".to_owned()));
    };
    let count = u32::from_le_bytes(*count) as usize;
    let Some(records_len) = count.checked_mul(RECORD).filter(|&n| n <= rest.len()) else {
        return Ok(Err(format!(
            "says it holds {count} claims but is too short"
        )));
    };
    let (records, mut locators) = rest.split_at(records_len);
    for record in records.chunks_exact(RECORD) {
        let u = |at: usize| -> u32 {
            let mut b = [0u8; 4];
            b.copy_from_slice(&record[at..at + 4]);
            u32::from_le_bytes(b)
        };
        let f = |at: usize| -> f64 {
            let mut b = [0u8; 8];
            b.copy_from_slice(&record[at..at + 8]);
            f64::from_bits(u64::from_le_bytes(b))
        };
        let id = |v: u32| (v != 0).then_some(i64::from(v));
        let flags = record[28];
        let locator_len = u(50) as usize;
        if locator_len > locators.len() {
            return Ok(Err("has locators past its end".to_owned()));
        }
        let (locator, rest) = locators.split_at(locator_len);
        locators = rest;
        let Ok(locator) = std::str::from_utf8(locator) else {
            return Ok(Err("has a locator that is not UTF-8".to_owned()));
        };
        let score = flags & 1 != 0;
        let raw = RawClaim {
            id: first + i64::from(u(0)),
            run_id,
            subject: i64::from(u(4)),
            benchmark: id(u(8)),
            variant: id(u(12)),
            metric: id(u(16)),
            settings: id(u(20)),
            license: id(u(24)),
            unit: score.then_some(i64::from(flags >> 3 & 3)),
            access: (!score).then_some(i64::from(flags >> 5 & 3)),
            evaluator: i64::from(record[29]),
            reported_on: (flags & 2 != 0).then(|| i64::from(u(30) as i32)),
            value: score.then(|| f(34)),
            uncertainty: (flags & 4 != 0).then(|| f(42)),
            locator,
        };
        each(raw)?;
    }
    if !locators.is_empty() {
        return Ok(Err(format!(
            "has {} bytes after its claims",
            locators.len()
        )));
    }
    Ok(Ok(()))
}

/// Reads a run's entry into `each` when it holds what the run recorded (`first`, `last` and
/// `stored`); returns false, having called nothing, when there is no usable entry.
pub(crate) fn read(
    conn: &Connection,
    db: &str,
    run_id: i64,
    (first, last, stored): (i64, i64, i64),
    mut each: impl FnMut(RawClaim<'_>) -> Result<(), StoreError>,
) -> Result<bool, StoreError> {
    let action = "read the claims cache";
    let mut stmt = conn
        .prepare_cached(
            "SELECT first_claim_id, last_claim_id, claims, body FROM claims_cache
             WHERE run_id = ?1",
        )
        .map_err(sql(db, action))?;
    let mut rows = stmt.query([run_id]).map_err(sql(db, action))?;
    let Some(row) = rows.next().map_err(sql(db, action))? else {
        return Ok(false);
    };
    let get = |e| sql(db, action)(e);
    let recorded: (i64, i64, i64) = (
        row.get(0).map_err(get)?,
        row.get(1).map_err(get)?,
        row.get(2).map_err(get)?,
    );
    if recorded != (first, last, stored) {
        return Ok(false);
    }
    let body = row.get_ref(3).and_then(|v| Ok(v.as_blob()?)).map_err(get)?;
    // A damaged entry is found before any claim reaches `each`; the rows are read instead,
    // and the check reports it.
    if validate(body).is_err() {
        return Ok(false);
    }
    decode(body, run_id, first, &mut each)?
        .map_err(|p| corrupt(db, format!("claims cache of run {run_id} {p}")))?;
    Ok(true)
}

/// Compares every run's entry with its rows; one line per run whose entry disagrees.
pub(crate) fn verify(conn: &Connection, db: &str) -> Result<Vec<String>, StoreError> {
    let action = "check the claims cache";
    let mut problems = Vec::new();
    let mut stmt = conn
        .prepare(
            "SELECT c.run_id, c.first_claim_id, c.last_claim_id, c.claims, c.body,
                r.first_claim_id, r.last_claim_id, r.stored_claims
             FROM claims_cache c LEFT JOIN extraction_runs r ON r.id = c.run_id
             ORDER BY c.run_id",
        )
        .map_err(sql(db, action))?;
    let mut rows = stmt.query([]).map_err(sql(db, action))?;
    while let Some(row) = rows.next().map_err(sql(db, action))? {
        let get = |e| sql(db, action)(e);
        let run_id: i64 = row.get(0).map_err(get)?;
        let entry: (i64, i64, i64) = (
            row.get(1).map_err(get)?,
            row.get(2).map_err(get)?,
            row.get(3).map_err(get)?,
        );
        let recorded: (Option<i64>, Option<i64>, Option<i64>) = (
            row.get(5).map_err(get)?,
            row.get(6).map_err(get)?,
            row.get(7).map_err(get)?,
        );
        if recorded != (Some(entry.0), Some(entry.1), Some(entry.2)) {
            problems.push(format!(
                "claims cache of run {run_id}: it covers {} claims (ids {} to {}), which is not what the run recorded; it is not used",
                entry.2, entry.0, entry.1
            ));
            continue;
        }
        let body = row.get_ref(4).and_then(|v| Ok(v.as_blob()?)).map_err(get)?;
        let mut cached = Vec::new();
        let decoded = decode(body, run_id, entry.0, |raw| {
            cached.push((raw.id, raw));
            Ok(())
        })?;
        if let Err(p) = decoded {
            problems.push(format!("claims cache of run {run_id} {p}"));
            continue;
        }
        let mut at = 0;
        let mut differs = None;
        crate::claims::run_rows(conn, db, run_id, (entry.0, entry.1), |raw| {
            match cached.get(at) {
                Some((_, c)) if c.same(&raw) => {}
                _ => {
                    differs.get_or_insert(raw.id);
                }
            }
            at += 1;
            Ok(())
        })?;
        if differs.is_some() || at != cached.len() {
            problems.push(format!(
                "claims cache of run {run_id} disagrees with the claims table{}",
                differs.map_or(String::new(), |id| format!(" at claim {id}"))
            ));
        }
    }
    Ok(problems)
}

/// Rewrites the whole cache from the claims table; returns how many runs have an entry.
pub(crate) fn rebuild(conn: &Connection, db: &str) -> Result<u64, StoreError> {
    let action = "rebuild the claims cache";
    conn.execute("DELETE FROM claims_cache", [])
        .map_err(sql(db, action))?;
    let runs: Vec<(i64, i64, i64, i64)> = conn
        .prepare(
            "SELECT id, first_claim_id, last_claim_id, stored_claims FROM extraction_runs
             WHERE stored_claims > 0 ORDER BY id",
        )
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect()
        })
        .map_err(sql(db, action))?;
    let mut written = 0;
    for (run_id, first, last, stored) in runs {
        let mut encoder = Encoder::with_capacity(0);
        crate::claims::run_rows(conn, db, run_id, (first, last), |raw| {
            encoder.push(&raw);
            Ok(())
        })?;
        // A run missing claims gets no entry: its rows are read, and the check reports it.
        if i64::from(encoder.count) == stored {
            write(conn, db, run_id, (first, last), encoder)?;
            written += 1;
        }
    }
    Ok(written)
}
