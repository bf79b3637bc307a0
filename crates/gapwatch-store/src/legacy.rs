//! Claims as earlier schemas kept them, read once more by migration 5, which turns them into
//! rows of `claims`: schema 4's claim blocks and schema 3's claim rows.
//!
//! Schema 4 kept the claims of one extraction run as one binary value, a row of
//! `claim_blocks`; migration 5 decodes every block with [`Block`] and writes its claims as rows,
//! each keeping its id. Nothing else reads blocks. The block writer is kept for tests only, to
//! build a schema-4 database as gapwatch wrote it.
//!
//! The format of a block:
//!
//! ```text
//! block    = version:u8 (= 1)
//!            strings   count:varint { len:varint utf8-bytes }
//!            subjects  count:varint { name:str system:opt-str models:count { model:str } }
//!            settings  count:varint { pairs:varint { key:str value:str } }   keys ascending
//!            claims    count:varint { claim }
//! claim    = flags:u8 subject:varint
//!            score:  benchmark:str variant:str metric:str settings:varint
//!                    value:(zigzag-varint hundredths | f64) [uncertainty:f64]
//!            access: [license:str]
//!            [reported_on: year:zigzag-varint month:u8 day:u8]
//!            locator: shared:varint len:varint utf8-bytes
//! flags    = bit 0: 0 score, 1 access · bits 1-2: evaluator (third-party, self-reported,
//!            unknown) · bit 3: reported_on present · bits 4-5: unit (percent, elo, score) or
//!            access (open-weights, closed, limited, unknown) · bit 6: uncertainty (score) or
//!            license (access) present · bit 7: value in hundredths (score; 0 for access)
//! str      = varint index into the block's strings; opt-str = 0 for none, index + 1
//! varint   = unsigned LEB128, at most 10 bytes; f64 = the 8 bytes of its bits, little-endian
//! ```
//!
//! Every string of a block but the locators is held once in its string table, subjects and
//! settings maps once in theirs; a claim refers to them by index. The locator, different for
//! nearly every claim, is written in place as the number of leading bytes it shares with the
//! locator of the claim before (`row 12, column MMLU` after `row 12, column GPQA`) and the
//! rest. A value is written as a whole number of hundredths when dividing that number by 100
//! gives back exactly its bits (most leaderboard figures), otherwise as its 8 bytes. Equal
//! values of one block have equal indices, so the encoder also finds repeated claims by
//! comparing indices.
//!
//! Decoding never trusts the bytes: every length, count and index is checked, and damage is
//! reported as a message, never a panic.

use std::ops::Range;

use gapwatch_model::{Access, Claim, Date, Evaluator, Fact, Score, Settings, Subject, Unit};
use rusqlite::Row;

use crate::StoreError;
use crate::error::corrupt;

/// The first byte of every block schema 4 wrote.
pub(crate) const VERSION: u8 = 1;

const ACCESS_KIND: u8 = 1;
const EVALUATOR_SHIFT: u8 = 1;
const REPORTED_ON: u8 = 1 << 3;
const VARIANT_SHIFT: u8 = 4;
const OPTIONAL: u8 = 1 << 6;
/// Score only: the value is written as a whole number of hundredths.
const HUNDREDTHS: u8 = 1 << 7;

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Reads bytes front to back, failing on anything out of bounds.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| format!("ends early, at byte {}", self.at))?;
        self.at += 1;
        Ok(b)
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, String> {
        // Most numbers of a block are below 128: one byte.
        if let Some(&b) = self.bytes.get(self.at)
            && b < 0x80
        {
            self.at += 1;
            return Ok(u64::from(b));
        }
        self.varint_long()
    }

    fn varint_long(&mut self) -> Result<u64, String> {
        let start = self.at;
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                break;
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(format!("has a number too large at byte {start}"))
    }

    /// A count of things each taking at least `min_bytes`, checked against what is left so
    /// that damage cannot ask for a huge allocation.
    fn count(&mut self, what: &str, min_bytes: usize) -> Result<usize, String> {
        let at = self.at;
        let n = self.varint()?;
        let left = (self.bytes.len() - self.at) as u64;
        if n.saturating_mul(min_bytes as u64) > left {
            return Err(format!(
                "says it holds {n} {what} at byte {at}, with {left} bytes left"
            ));
        }
        Ok(n as usize)
    }

    fn index(&mut self, what: &str, len: usize) -> Result<u32, String> {
        let at = self.at;
        let i = self.varint()?;
        if i >= len as u64 {
            return Err(format!("refers to {what} {i} at byte {at}, of {len}"));
        }
        Ok(i as u32)
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| format!("ends early, at byte {}", self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn str(&mut self) -> Result<&'b str, String> {
        let at = self.at;
        let len = self.varint()?;
        let len = usize::try_from(len).map_err(|_| format!("ends early, at byte {at}"))?;
        std::str::from_utf8(self.take(len)?)
            .map_err(|_| format!("has a string that is not UTF-8 at byte {at}"))
    }

    fn f64(&mut self) -> Result<f64, String> {
        let bytes = self.take(8)?;
        let mut b = [0u8; 8];
        b.copy_from_slice(bytes);
        Ok(f64::from_bits(u64::from_le_bytes(b)))
    }
}

/// A subject of a block's table, by string index.
#[derive(Debug, Clone)]
struct SubjectEntry {
    name: u32,
    system: Option<u32>,
    models: Range<usize>,
}

/// A block's tables, parsed; its claims are read with [`Block::claims`].
#[derive(Debug)]
pub(crate) struct Block<'b> {
    strings: Vec<&'b str>,
    subjects: Vec<SubjectEntry>,
    subject_models: Vec<u32>,
    settings: Vec<Range<usize>>,
    settings_pairs: Vec<(u32, u32)>,
    count: usize,
    body: &'b [u8],
    claims_at: usize,
}

impl<'b> Block<'b> {
    /// Parses a block's tables. A block is damaged, with a message saying how, when its bytes
    /// are not what [`Encoder`] writes.
    pub(crate) fn parse(body: &'b [u8]) -> Result<Block<'b>, String> {
        let mut r = Reader { bytes: body, at: 0 };
        let version = r.byte()?;
        if version != VERSION {
            return Err(format!("has format version {version}, not {VERSION}"));
        }
        let n = r.count("strings", 1)?;
        let mut strings = Vec::with_capacity(n);
        for _ in 0..n {
            strings.push(r.str()?);
        }
        let n = r.count("subjects", 3)?;
        let mut subjects = Vec::with_capacity(n);
        let mut subject_models = Vec::new();
        for _ in 0..n {
            let name = r.index("string", strings.len())?;
            let system = match r.index("string", strings.len() + 1)? {
                0 => None,
                s => Some(s - 1),
            };
            let models = r.count("models", 1)?;
            let start = subject_models.len();
            for _ in 0..models {
                subject_models.push(r.index("string", strings.len())?);
            }
            subjects.push(SubjectEntry {
                name,
                system,
                models: start..subject_models.len(),
            });
        }
        let n = r.count("settings", 1)?;
        let mut settings = Vec::with_capacity(n);
        let mut settings_pairs = Vec::new();
        for _ in 0..n {
            let pairs = r.count("settings pairs", 2)?;
            let start = settings_pairs.len();
            for _ in 0..pairs {
                let key = r.index("string", strings.len())?;
                let value = r.index("string", strings.len())?;
                if let Some(&(previous, _)) = settings_pairs[start..].last()
                    && strings[previous as usize] >= strings[key as usize]
                {
                    return Err(format!(
                        "has settings keys out of order before byte {}",
                        r.at
                    ));
                }
                settings_pairs.push((key, value));
            }
            settings.push(start..settings_pairs.len());
        }
        let count = r.count("claims", 3)?;
        Ok(Block {
            strings,
            subjects,
            subject_models,
            settings,
            settings_pairs,
            count,
            body,
            claims_at: r.at,
        })
    }

    /// How many claims the block says it holds.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// The string at an index the block's claims or tables gave.
    pub(crate) fn str(&self, i: u32) -> &'b str {
        self.strings[i as usize]
    }

    /// The subject at an index below the size of the block's table of subjects.
    pub(crate) fn subject(&self, i: usize) -> Subject {
        let e = &self.subjects[i];
        Subject {
            name: self.str(e.name).to_owned(),
            system: e.system.map(|s| self.str(s).to_owned()),
            models: self.subject_models[e.models.clone()]
                .iter()
                .map(|&m| self.str(m).to_owned())
                .collect(),
        }
    }

    /// The settings map at an index below the size of the block's table of settings.
    pub(crate) fn settings(&self, i: usize) -> Settings {
        self.settings_pairs[self.settings[i].clone()]
            .iter()
            .map(|&(k, v)| (self.str(k).to_owned(), self.str(v).to_owned()))
            .collect()
    }

    /// Every claim of the block in order, each with strings of its own; fails on the first
    /// damage, or when the bytes hold more or fewer claims than the block says.
    pub(crate) fn to_claims(&self) -> Result<Vec<Claim>, String> {
        let mut r = Reader {
            bytes: self.body,
            at: self.claims_at,
        };
        let mut out: Vec<Claim> = Vec::with_capacity(self.count);
        let mut locator = String::new();
        let (n_strings, n_subjects, n_settings) =
            (self.strings.len(), self.subjects.len(), self.settings.len());
        let string = |r: &mut Reader<'b>| -> Result<String, String> {
            Ok(self.str(r.index("string", n_strings)?).to_owned())
        };
        for _ in 0..self.count {
            let at = r.at;
            let flags = r.byte()?;
            let evaluator = match (flags >> EVALUATOR_SHIFT) & 3 {
                0 => Evaluator::ThirdParty,
                1 => Evaluator::SelfReported,
                2 => Evaluator::Unknown,
                _ => Evaluator::Competitor,
            };
            let variant = (flags >> VARIANT_SHIFT) & 3;
            let subject = self.subject(r.index("subject", n_subjects)? as usize);
            let fact = if flags & ACCESS_KIND == 0 {
                let unit = match variant {
                    0 => Unit::Percent,
                    1 => Unit::Elo,
                    2 => Unit::Score,
                    _ => return Err(format!("has a claim with an unknown unit at byte {at}")),
                };
                Fact::Score(Score {
                    benchmark: string(&mut r)?,
                    variant: string(&mut r)?,
                    metric: string(&mut r)?,
                    settings: self.settings(r.index("settings", n_settings)? as usize),
                    value: if flags & HUNDREDTHS != 0 {
                        unzigzag(r.varint()?) as f64 / 100.0
                    } else {
                        r.f64()?
                    },
                    unit,
                    uncertainty: if flags & OPTIONAL != 0 {
                        Some(r.f64()?)
                    } else {
                        None
                    },
                })
            } else {
                if flags & HUNDREDTHS != 0 {
                    return Err(format!("has a claim with unknown flags at byte {at}"));
                }
                let access = match variant {
                    0 => Access::OpenWeights,
                    1 => Access::Closed,
                    2 => Access::Limited,
                    _ => Access::Unknown,
                };
                let license = if flags & OPTIONAL != 0 {
                    Some(string(&mut r)?)
                } else {
                    None
                };
                Fact::Access { access, license }
            };
            let reported_on = if flags & REPORTED_ON != 0 {
                let date_at = r.at;
                let year = i32::try_from(unzigzag(r.varint()?));
                let (month, day) = (r.byte()?, r.byte()?);
                let date = year
                    .ok()
                    .and_then(|y| Date::from_ymd(y, u32::from(month), u32::from(day)).ok());
                Some(date.ok_or_else(|| format!("has an impossible date at byte {date_at}"))?)
            } else {
                None
            };
            let shared_at = r.at;
            let shared = r.varint()?;
            let rest = r.str()?;
            match usize::try_from(shared) {
                Ok(n) if locator.is_char_boundary(n) => locator.truncate(n),
                _ => {
                    return Err(format!(
                        "has a locator sharing {shared} bytes of {:?} at byte {shared_at}",
                        locator
                    ));
                }
            }
            locator.push_str(rest);
            out.push(Claim {
                subject,
                fact,
                reported_on,
                evaluator,
                locator: locator.clone(),
            });
        }
        if r.at != self.body.len() {
            return Err(format!(
                "has {} bytes after its {} claims",
                self.body.len() - r.at,
                self.count
            ));
        }
        Ok(out)
    }
}

/// The columns of a schema-3 claim row that [`decode_schema3_row`] reads, in its order.
pub(crate) const SCHEMA3_COLUMNS: &str = "id, source_id, snapshot_id, run_id, kind, subject,
    system, models, benchmark, variant, metric, settings, value, unit, uncertainty, access,
    license, reported_on, evaluator, locator";

/// Reads a claim row of schema 3 selected with [`SCHEMA3_COLUMNS`]: its id, run and claim.
pub(crate) fn decode_schema3_row(row: &Row<'_>, db: &str) -> Result<(i64, i64, Claim), StoreError> {
    let read = |e: rusqlite::Error| StoreError::Sqlite {
        db: db.to_owned(),
        action: "convert the claim rows of schema 3".to_owned(),
        source: e,
    };
    let id: i64 = row.get(0).map_err(read)?;
    let run_id: i64 = row.get(3).map_err(read)?;
    let bad = |what: String| {
        corrupt(
            db,
            format!("cannot apply schema migration 5: claim {id}: {what}"),
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
    let claim = Claim {
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
    };
    Ok((id, run_id, claim))
}

/// The writer of schema 4, as it was: tests build schema-4 databases with it.
#[cfg(test)]
pub(crate) mod writer {
    use std::hash::{Hash, Hasher};

    use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
    use gapwatch_model::{Access, Claim, Evaluator, Fact, Score, Settings, Subject, Unit};

    use super::{
        ACCESS_KIND, EVALUATOR_SHIFT, HUNDREDTHS, OPTIONAL, REPORTED_ON, VARIANT_SHIFT, VERSION,
    };

    fn evaluator_code(e: Evaluator) -> u8 {
        match e {
            Evaluator::ThirdParty => 0,
            Evaluator::SelfReported => 1,
            Evaluator::Unknown => 2,
            Evaluator::Competitor => 3,
        }
    }

    fn unit_code(u: Unit) -> u8 {
        match u {
            Unit::Percent => 0,
            Unit::Elo => 1,
            Unit::Score => 2,
        }
    }

    fn access_code(a: Access) -> u8 {
        match a {
            Access::OpenWeights => 0,
            Access::Closed => 1,
            Access::Limited => 2,
            Access::Unknown => 3,
        }
    }

    fn put_varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn put_str(out: &mut Vec<u8>, s: &str) {
        put_varint(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }

    /// `v` as a whole number of hundredths, when that number divided by 100 gives back exactly
    /// the same bits: true of most leaderboard figures (`72.35` is the double nearest 7235 / 100).
    pub(crate) fn hundredths(v: f64) -> Option<i64> {
        let h = (v * 100.0).round();
        if h.is_nan() || h.abs() >= 1e15 {
            return None;
        }
        let h = h as i64;
        ((h as f64 / 100.0).to_bits() == v.to_bits()).then_some(h)
    }

    /// How many leading bytes `b` shares with `a`, ending on a character boundary.
    pub(crate) fn shared_prefix(a: &str, b: &str) -> usize {
        let (x, y) = (a.as_bytes(), b.as_bytes());
        let mut n = 0;
        // Eight bytes at a time, then one at a time.
        while let (Some(p), Some(q)) = (x[n..].first_chunk::<8>(), y[n..].first_chunk::<8>())
            && p == q
        {
            n += 8;
        }
        n += x[n..]
            .iter()
            .zip(&y[n..])
            .take_while(|(p, q)| p == q)
            .count();
        while !b.is_char_boundary(n) {
            n -= 1;
        }
        n
    }

    fn zigzag(v: i64) -> u64 {
        ((v << 1) ^ (v >> 63)) as u64
    }

    /// What makes a claim the same claim within a block: its subject, fact and locator, with
    /// strings as indices of the block and numbers as their bits (so `-0.0` differs from `0.0`,
    /// as their JSON did in the natural key of earlier schemas). Not the date or the evaluator.
    #[derive(Clone, Copy, PartialEq, Eq)]
    struct Identity<'a> {
        subject: u32,
        fact: FactIdentity,
        locator: &'a str,
    }

    impl Hash for Identity<'_> {
        /// Every field, packed into few words: one is hashed per claim.
        fn hash<H: Hasher>(&self, h: &mut H) {
            let subject = u64::from(self.subject);
            match self.fact {
                FactIdentity::Score {
                    strings: [a, b, c],
                    settings,
                    value,
                    unit,
                    uncertainty,
                } => {
                    h.write_u64(subject | u64::from(a) << 32);
                    h.write_u64(u64::from(b) | u64::from(c) << 32);
                    h.write_u64(
                        u64::from(settings)
                            | u64::from(unit) << 32
                            | u64::from(uncertainty.is_some()) << 40,
                    );
                    h.write_u64(value);
                    if let Some(u) = uncertainty {
                        h.write_u64(u);
                    }
                }
                FactIdentity::Access { access, license } => {
                    h.write_u64(subject | u64::from(access) << 32 | 1 << 63);
                    h.write_u64(license.map_or(0, |l| u64::from(l) + 1));
                }
            }
            h.write(self.locator.as_bytes());
        }
    }

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum FactIdentity {
        Score {
            strings: [u32; 3],
            settings: u32,
            value: u64,
            unit: u8,
            uncertainty: Option<u64>,
        },
        Access {
            access: u8,
            license: Option<u32>,
        },
    }

    /// A string as a key of the encoder's table, compared without a call to `memcmp`: the
    /// strings of a block are short, and the call cost more than the comparison.
    #[derive(Clone, Copy, Hash)]
    struct Key<'a>(&'a str);

    impl PartialEq for Key<'_> {
        fn eq(&self, other: &Self) -> bool {
            same_str(self.0, other.0)
        }
    }

    impl Eq for Key<'_> {}

    /// `a == b`, inline for short strings.
    fn same_str(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        if a.len() > 16 {
            return a == b;
        }
        if a.len() >= 8 {
            return a.first_chunk::<8>() == b.first_chunk::<8>()
                && a.last_chunk::<8>() == b.last_chunk::<8>();
        }
        a.iter().zip(b).all(|(x, y)| x == y)
    }

    /// A subject as a key of the encoder's table, its strings compared as [`Key`]s.
    #[derive(Clone, Copy, Hash)]
    struct SubjectKey<'a>(&'a Subject);

    impl PartialEq for SubjectKey<'_> {
        fn eq(&self, other: &Self) -> bool {
            let (a, b) = (self.0, other.0);
            same_str(&a.name, &b.name)
                && a.models.len() == b.models.len()
                && a.models.iter().zip(&b.models).all(|(x, y)| same_str(x, y))
                && match (&a.system, &b.system) {
                    (None, None) => true,
                    (Some(x), Some(y)) => same_str(x, y),
                    _ => false,
                }
        }
    }

    impl Eq for SubjectKey<'_> {}

    /// Builds one block from claims borrowed for as long as it is built. The tables are written
    /// as their entries are met; [`Encoder::finish`] puts the parts together.
    pub(crate) struct Encoder<'a> {
        string_ids: HashMap<Key<'a>, u32>,
        strings: Vec<u8>,
        subject_ids: HashMap<SubjectKey<'a>, u32>,
        subjects: Vec<u8>,
        /// The subject of the claim before, with its index: leaderboards list a subject's results
        /// one after another, and comparing with it is cheaper than looking it up.
        last_subject: Option<(SubjectKey<'a>, u32)>,
        /// A score's benchmark, variant and metric, looked up together: they go together.
        score_ids: HashMap<[Key<'a>; 3], [u32; 3]>,
        settings_ids: HashMap<&'a Settings, u32>,
        settings: Vec<u8>,
        /// The settings index of the empty map, once it has one.
        no_settings: Option<u32>,
        seen: HashSet<Identity<'a>>,
        /// The locator of the claim written last.
        last_locator: &'a str,
        claims: Vec<u8>,
        count: usize,
    }

    impl std::fmt::Debug for Encoder<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Encoder")
                .field("claims", &self.count)
                .finish_non_exhaustive()
        }
    }

    impl<'a> Encoder<'a> {
        pub(crate) fn with_capacity(claims: usize) -> Self {
            Encoder {
                string_ids: HashMap::with_capacity(claims / 2),
                strings: Vec::new(),
                subject_ids: HashMap::with_capacity(claims / 4),
                subjects: Vec::new(),
                last_subject: None,
                score_ids: HashMap::new(),
                settings_ids: HashMap::new(),
                settings: Vec::new(),
                no_settings: None,
                seen: HashSet::with_capacity(claims),
                last_locator: "",
                claims: Vec::with_capacity(claims * 32),
                count: 0,
            }
        }

        /// How many claims the block holds.
        pub(crate) fn len(&self) -> usize {
            self.count
        }

        fn string(&mut self, s: &'a str) -> u32 {
            let next = self.string_ids.len() as u32;
            let id = *self.string_ids.entry(Key(s)).or_insert(next);
            if id == next {
                put_str(&mut self.strings, s);
            }
            id
        }

        fn subject(&mut self, subject: &'a Subject) -> u32 {
            let key = SubjectKey(subject);
            if let Some((last, id)) = self.last_subject
                && last == key
            {
                return id;
            }
            let id = match self.subject_ids.get(&key) {
                Some(&id) => id,
                None => {
                    let name = self.string(&subject.name);
                    let system = subject.system.as_deref().map_or(0, |s| self.string(s) + 1);
                    let models: Vec<u32> = subject.models.iter().map(|m| self.string(m)).collect();
                    let out = &mut self.subjects;
                    put_varint(out, u64::from(name));
                    put_varint(out, u64::from(system));
                    put_varint(out, models.len() as u64);
                    for m in models {
                        put_varint(out, u64::from(m));
                    }
                    let id = self.subject_ids.len() as u32;
                    self.subject_ids.insert(key, id);
                    id
                }
            };
            self.last_subject = Some((key, id));
            id
        }

        fn score_strings(&mut self, s: &'a Score) -> [u32; 3] {
            let key = [Key(&s.benchmark), Key(&s.variant), Key(&s.metric)];
            if let Some(&ids) = self.score_ids.get(&key) {
                return ids;
            }
            let ids = [
                self.string(&s.benchmark),
                self.string(&s.variant),
                self.string(&s.metric),
            ];
            self.score_ids.insert(key, ids);
            ids
        }

        fn settings(&mut self, settings: &'a Settings) -> u32 {
            if settings.is_empty()
                && let Some(id) = self.no_settings
            {
                return id;
            }
            if let Some(&id) = self.settings_ids.get(settings) {
                return id;
            }
            let pairs: Vec<(u32, u32)> = settings
                .iter()
                .map(|(k, v)| (self.string(k), self.string(v)))
                .collect();
            put_varint(&mut self.settings, pairs.len() as u64);
            for (k, v) in pairs {
                put_varint(&mut self.settings, u64::from(k));
                put_varint(&mut self.settings, u64::from(v));
            }
            let id = self.settings_ids.len() as u32;
            self.settings_ids.insert(settings, id);
            if settings.is_empty() {
                self.no_settings = Some(id);
            }
            id
        }

        /// Adds a claim unless the block already holds the same one; returns whether it was added.
        pub(crate) fn push(&mut self, claim: &'a Claim) -> bool {
            let subject = self.subject(&claim.subject);
            let fact = match &claim.fact {
                Fact::Score(s) => FactIdentity::Score {
                    strings: self.score_strings(s),
                    settings: self.settings(&s.settings),
                    value: s.value.to_bits(),
                    unit: unit_code(s.unit),
                    uncertainty: s.uncertainty.map(f64::to_bits),
                },
                Fact::Access { access, license } => FactIdentity::Access {
                    access: access_code(*access),
                    license: license.as_deref().map(|l| self.string(l)),
                },
            };
            let identity = Identity {
                subject,
                fact,
                locator: &claim.locator,
            };
            if !self.seen.insert(identity) {
                // Its strings, subject and settings are the earlier copy's: nothing to undo.
                return false;
            }
            let out = &mut self.claims;
            let mut flags = evaluator_code(claim.evaluator) << EVALUATOR_SHIFT;
            if claim.reported_on.is_some() {
                flags |= REPORTED_ON;
            }
            let at = out.len();
            out.push(0);
            put_varint(out, u64::from(subject));
            match fact {
                FactIdentity::Score {
                    strings,
                    settings,
                    value,
                    unit,
                    uncertainty,
                } => {
                    flags |= unit << VARIANT_SHIFT;
                    for s in strings {
                        put_varint(out, u64::from(s));
                    }
                    put_varint(out, u64::from(settings));
                    match hundredths(f64::from_bits(value)) {
                        Some(h) => {
                            flags |= HUNDREDTHS;
                            put_varint(out, zigzag(h));
                        }
                        None => out.extend_from_slice(&value.to_le_bytes()),
                    }
                    if let Some(u) = uncertainty {
                        flags |= OPTIONAL;
                        out.extend_from_slice(&u.to_le_bytes());
                    }
                }
                FactIdentity::Access { access, license } => {
                    flags |= ACCESS_KIND | (access << VARIANT_SHIFT);
                    if let Some(l) = license {
                        flags |= OPTIONAL;
                        put_varint(out, u64::from(l));
                    }
                }
            }
            if let Some(d) = claim.reported_on {
                put_varint(out, zigzag(i64::from(d.year())));
                out.push(d.month() as u8);
                out.push(d.day() as u8);
            }
            // The locator: how many bytes it shares with the one before, then the rest.
            let locator = claim.locator.as_str();
            let shared = shared_prefix(self.last_locator, locator);
            put_varint(out, shared as u64);
            put_str(out, &locator[shared..]);
            self.last_locator = locator;
            out[at] = flags;
            self.count += 1;
            true
        }

        /// The block's bytes.
        pub(crate) fn finish(self) -> Vec<u8> {
            let mut out = Vec::with_capacity(
                40 + self.strings.len()
                    + self.subjects.len()
                    + self.settings.len()
                    + self.claims.len(),
            );
            out.push(VERSION);
            for (count, bytes) in [
                (self.string_ids.len(), &self.strings),
                (self.subject_ids.len(), &self.subjects),
                (self.settings_ids.len(), &self.settings),
                (self.count, &self.claims),
            ] {
                put_varint(&mut out, count as u64);
                out.extend_from_slice(bytes);
            }
            out
        }
    }

    /// Writes `claims` as schema 4 did for one run: one block, repeats dropped, numbered
    /// after the largest claim id stored. Returns how many claims it holds.
    pub(crate) fn write_block(
        conn: &rusqlite::Connection,
        source_id: &str,
        snapshot_id: i64,
        run_id: i64,
        claims: &[Claim],
    ) -> usize {
        let mut block = Encoder::with_capacity(claims.len());
        for claim in claims {
            block.push(claim);
        }
        let count = block.len();
        if count == 0 {
            return 0;
        }
        let first: i64 = conn
            .query_row(
                "SELECT coalesce(max(first_claim_id + claim_count - 1), 0) + 1 FROM claim_blocks",
                [],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute(
            "INSERT INTO claim_blocks (snapshot_id, run_id, source_id, first_claim_id,
                claim_count, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                snapshot_id,
                run_id,
                source_id,
                first,
                count as i64,
                block.finish()
            ],
        )
        .unwrap();
        count
    }
}

#[cfg(test)]
mod tests {
    use super::writer::{Encoder, hundredths, shared_prefix};
    use super::*;

    fn encode(claims: &[Claim]) -> (Vec<u8>, usize) {
        let mut e = Encoder::with_capacity(claims.len());
        for c in claims {
            e.push(c);
        }
        let n = e.len();
        (e.finish(), n)
    }

    fn decode(body: &[u8]) -> Result<Vec<Claim>, String> {
        Block::parse(body)?.to_claims()
    }

    /// A small deterministic generator (SplitMix64).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn pick<'x>(&mut self, from: &[&'x str]) -> &'x str {
            from[self.below(from.len() as u64) as usize]
        }
    }

    const WORDS: &[&str] = &[
        "",
        "GPT-4o",
        "Llama 3.1 405B",
        "Qwen3-235B-A22B",
        "Claude 4 Sonnet",
        "DeepSeek-R1 (0528)",
        "模型-甲",
        "Ünïcödé 🚀",
        "with \"quotes\" and \\ and \n newline",
        "a",
        "mmlu",
        "swe-bench",
        "verified",
        "pass@1",
        "Apache-2.0",
    ];

    fn random_f64(rng: &mut Rng) -> f64 {
        match rng.below(10) {
            0 => 0.0,
            1 => -0.0,
            2 => f64::MIN_POSITIVE,
            3 => f64::MAX,
            4 => -1e-300,
            5 => 5e-324,
            // Figures as leaderboards print them: whole hundredths, and whole numbers.
            6 => (rng.below(40_000) as f64 - 20_000.0) / 100.0,
            7 => rng.below(3_000) as f64,
            _ => (rng.next() as f64 / u64::MAX as f64 - 0.3) * 200.0,
        }
    }

    fn random_claim(rng: &mut Rng) -> Claim {
        let name = rng.pick(WORDS);
        let subject = match rng.below(3) {
            0 => Subject::model(name),
            1 => Subject {
                name: name.to_owned(),
                system: Some(rng.pick(WORDS).to_owned()),
                models: (0..rng.below(4))
                    .map(|_| rng.pick(WORDS).to_owned())
                    .collect(),
            },
            _ => Subject {
                name: name.to_owned(),
                system: None,
                models: Vec::new(),
            },
        };
        let fact = if rng.below(4) == 0 {
            Fact::Access {
                access: [
                    Access::OpenWeights,
                    Access::Closed,
                    Access::Limited,
                    Access::Unknown,
                ][rng.below(4) as usize],
                license: match rng.below(3) {
                    0 => None,
                    1 => Some(String::new()),
                    _ => Some(rng.pick(WORDS).to_owned()),
                },
            }
        } else {
            let settings = (0..rng.below(3))
                .map(|_| (rng.pick(WORDS).to_owned(), rng.pick(WORDS).to_owned()))
                .collect();
            Fact::Score(Score {
                benchmark: rng.pick(WORDS).to_owned(),
                variant: rng.pick(WORDS).to_owned(),
                metric: rng.pick(WORDS).to_owned(),
                settings,
                value: random_f64(rng),
                unit: [Unit::Percent, Unit::Elo, Unit::Score][rng.below(3) as usize],
                uncertainty: (rng.below(2) == 0).then(|| random_f64(rng).abs()),
            })
        };
        let reported_on = match rng.below(4) {
            0 => None,
            1 => Some(Date::from_ymd(-44, 3, 15).unwrap()),
            2 => Some(Date::from_ymd(2024, 2, 29).unwrap()),
            _ => Some(Date::from_days_since_epoch(
                rng.below(40_000) as i64 - 10_000,
            )),
        };
        Claim {
            subject,
            fact,
            reported_on,
            evaluator: [
                Evaluator::ThirdParty,
                Evaluator::SelfReported,
                Evaluator::Unknown,
                Evaluator::Competitor,
            ][rng.below(4) as usize],
            locator: format!("{} #{}", rng.pick(WORDS), rng.below(50)),
        }
    }

    /// Whether two claims are the same claim: equal subject, fact (numbers by their bits)
    /// and locator.
    fn same(a: &Claim, b: &Claim) -> bool {
        let facts = match (&a.fact, &b.fact) {
            (Fact::Score(x), Fact::Score(y)) => {
                x.benchmark == y.benchmark
                    && x.variant == y.variant
                    && x.metric == y.metric
                    && x.settings == y.settings
                    && x.value.to_bits() == y.value.to_bits()
                    && x.unit == y.unit
                    && x.uncertainty.map(f64::to_bits) == y.uncertainty.map(f64::to_bits)
            }
            (x, y) => x == y,
        };
        facts && a.subject == b.subject && a.locator == b.locator
    }

    fn bits(claims: &[Claim]) -> Vec<(Option<u64>, Option<u64>)> {
        claims
            .iter()
            .map(|c| match &c.fact {
                Fact::Score(s) => (Some(s.value.to_bits()), s.uncertainty.map(f64::to_bits)),
                Fact::Access { .. } => (None, None),
            })
            .collect()
    }

    #[test]
    fn varied_claims_round_trip_exactly_and_repeats_are_dropped() {
        let mut rng = Rng(42);
        for round in 0..200 {
            let n = rng.below(if round % 10 == 0 { 400 } else { 40 }) as usize;
            let mut claims: Vec<Claim> = (0..n).map(|_| random_claim(&mut rng)).collect();
            // Repeats: the same claim again, and again with another date and evaluator only.
            for _ in 0..n / 5 {
                let mut again = claims[rng.below(n as u64) as usize].clone();
                if rng.below(2) == 0 {
                    again.reported_on = None;
                    again.evaluator = Evaluator::Unknown;
                }
                let at = rng.below(claims.len() as u64 + 1) as usize;
                claims.insert(at, again);
            }
            let mut expected: Vec<Claim> = Vec::new();
            for c in &claims {
                if !expected.iter().any(|e| same(e, c)) {
                    expected.push(c.clone());
                }
            }
            let (body, count) = encode(&claims);
            assert_eq!(count, expected.len(), "round {round}");
            let back = decode(&body).unwrap();
            assert_eq!(back, expected, "round {round}");
            assert_eq!(bits(&back), bits(&expected), "round {round}");
            // Every damage to the bytes is reported, never a panic.
            for _ in 0..20.min(body.len()) {
                let mut bad = body.clone();
                let i = rng.below(bad.len() as u64) as usize;
                bad[i] ^= 1 << rng.below(8);
                let _ = decode(&bad);
                let cut = rng.below(bad.len() as u64) as usize;
                assert!(decode(&body[..cut]).is_err(), "round {round}: cut at {cut}");
            }
        }
    }

    #[test]
    fn distinctions_the_natural_key_made_are_kept() {
        let base = Claim {
            subject: Subject::model("m"),
            fact: Fact::Score(Score {
                benchmark: "b".into(),
                variant: String::new(),
                metric: "accuracy".into(),
                settings: Settings::new(),
                value: 0.0,
                unit: Unit::Percent,
                uncertainty: None,
            }),
            reported_on: None,
            evaluator: Evaluator::ThirdParty,
            locator: "row 1".into(),
        };
        let with_score = |f: &dyn Fn(&mut Score)| {
            let mut c = base.clone();
            if let Fact::Score(s) = &mut c.fact {
                f(s);
            }
            c
        };
        let system_none = Claim {
            subject: Subject {
                name: "m".into(),
                system: None,
                models: Vec::new(),
            },
            ..base.clone()
        };
        let system_empty = Claim {
            subject: Subject {
                name: "m".into(),
                system: Some(String::new()),
                models: Vec::new(),
            },
            ..base.clone()
        };
        let access = |license: Option<&str>| Claim {
            fact: Fact::Access {
                access: Access::OpenWeights,
                license: license.map(str::to_owned),
            },
            ..base.clone()
        };
        let distinct = vec![
            base.clone(),
            with_score(&|s| s.value = -0.0),
            with_score(&|s| s.uncertainty = Some(0.0)),
            with_score(&|s| s.uncertainty = Some(-0.0)),
            with_score(&|s| s.unit = Unit::Score),
            with_score(&|s| {
                s.settings.insert(String::new(), String::new());
            }),
            with_score(&|s| s.variant = "v".into()),
            system_none,
            system_empty,
            access(None),
            access(Some("")),
            Claim {
                locator: "row 2".into(),
                ..base.clone()
            },
        ];
        let mut claims = distinct.clone();
        // Neither the date nor the evaluator makes a claim another one.
        claims.push(Claim {
            reported_on: Some(Date::from_ymd(2025, 1, 1).unwrap()),
            evaluator: Evaluator::SelfReported,
            ..base.clone()
        });
        let (body, count) = encode(&claims);
        assert_eq!(count, distinct.len());
        let back = decode(&body).unwrap();
        assert_eq!(bits(&back), bits(&distinct));
        assert_eq!(back, distinct);
    }

    #[test]
    fn figures_in_hundredths_are_short_and_exact() {
        assert_eq!(hundredths(72.35), Some(7_235));
        assert_eq!(hundredths(-3.5), Some(-350));
        assert_eq!(hundredths(1_234.0), Some(123_400));
        assert_eq!(hundredths(0.0), Some(0));
        // Only what comes back bit for bit.
        for v in [
            -0.0,
            0.1 + 0.2,
            1e-300,
            1e300,
            72.355,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(hundredths(v), None, "{v}");
        }
        assert_eq!(shared_prefix("row 1, MMLU", "row 1, GPQA"), 7);
        assert_eq!(shared_prefix("", "x"), 0);
        assert_eq!(shared_prefix("same", "same"), 4);
        assert_eq!(shared_prefix("row 12345678, é", "row 12345678, è"), 14);
        let claim = |value| Claim {
            subject: Subject::model("m"),
            fact: Fact::Score(Score {
                benchmark: "b".into(),
                variant: String::new(),
                metric: "m".into(),
                settings: Settings::new(),
                value,
                unit: Unit::Percent,
                uncertainty: None,
            }),
            reported_on: None,
            evaluator: Evaluator::ThirdParty,
            locator: "l".into(),
        };
        let (short, _) = encode(&[claim(72.35)]);
        let (long, _) = encode(&[claim(72.355)]);
        assert_eq!(long.len() - short.len(), 6);
        assert_eq!(decode(&short).unwrap(), [claim(72.35)]);
        assert_eq!(decode(&long).unwrap(), [claim(72.355)]);
    }

    #[test]
    fn damage_is_described() {
        let claims = [Claim {
            subject: Subject::model("m"),
            fact: Fact::Access {
                access: Access::Closed,
                license: None,
            },
            reported_on: Some(Date::from_ymd(2025, 6, 30).unwrap()),
            evaluator: Evaluator::Unknown,
            locator: "x".into(),
        }];
        let (body, _) = encode(&claims);
        assert_eq!(decode(&body).unwrap(), claims);
        let err = |bytes: &[u8]| decode(bytes).unwrap_err();
        assert_eq!(err(&[]), "ends early, at byte 0");
        assert_eq!(err(&[2]), "has format version 2, not 1");
        let mut trailing = body.clone();
        trailing.push(0);
        assert_eq!(err(&trailing), "has 1 bytes after its 1 claims");
        // A huge count is refused before anything is allocated for it.
        let huge = [
            VERSION, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ];
        assert_eq!(
            err(&huge),
            format!(
                "says it holds {} strings at byte 1, with 0 bytes left",
                i64::MAX
            )
        );
        let overlong = [
            VERSION, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
        ];
        assert_eq!(err(&overlong), "has a number too large at byte 1");
        // The block ends with the date, then the locator "x" sharing nothing: 0, 1, 'x'.
        let mut shares_too_much = body.clone();
        let shared = shares_too_much.len() - 3;
        shares_too_much[shared] = 30;
        assert_eq!(
            err(&shares_too_much),
            format!("has a locator sharing 30 bytes of \"\" at byte {shared}")
        );
        // February 30th.
        let mut bad_date = body.clone();
        let day = bad_date.len() - 4;
        bad_date[day - 1] = 2;
        bad_date[day] = 30;
        assert!(
            err(&bad_date).starts_with("has an impossible date"),
            "{}",
            err(&bad_date)
        );
        let mut not_utf8 = body.clone();
        let last = not_utf8.len() - 1;
        not_utf8[last] = 0xff;
        assert!(err(&not_utf8).contains("not UTF-8"), "{}", err(&not_utf8));
    }
}
