//! A set of stored claims kept compactly: every repeated string (source, benchmark, subject,
//! settings …) is held once and claims refer to it by number.
//!
//! A million [`ClaimRecord`]s hold some ten million strings of their own; the same claims in a
//! [`ClaimSet`] are a million rows of about a hundred bytes and a few thousand distinct strings.
//! Reading them is then a pass over one array, and work that depends only on a string (does
//! this benchmark count, which cohort is this subject in) can be done once per distinct string
//! rather than once per claim.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;

use crate::{Access, Claim, ClaimRecord, Date, Evaluator, Fact, Score, Settings, Subject, Unit};

/// A string held by a [`ClaimSet`]; equal strings of one set have equal ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StrId(u32);

/// A [`Subject`] held by a [`ClaimSet`]; equal subjects of one set have equal ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubjectId(u32);

/// A [`Settings`] map held by a [`ClaimSet`]; equal settings of one set have equal ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SettingsId(u32);

macro_rules! id_index {
    ($($t:ty),*) => {$(
        impl $t {
            /// The id as an index: ids of one set are dense, from 0 in order of first use.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}
id_index!(StrId, SubjectId, SettingsId);

/// What a claim in a [`ClaimSet`] asserts; see [`Fact`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FactRow {
    /// A benchmark result; see [`Score`].
    Score {
        /// The benchmark's id.
        benchmark: StrId,
        /// The split or variant, empty for the main one.
        variant: StrId,
        /// What was measured.
        metric: StrId,
        /// Settings that make the result distinct.
        settings: SettingsId,
        /// The value, in `unit`.
        value: f64,
        /// The unit of `value` and `uncertainty`.
        unit: Unit,
        /// A `±` half-width, when the source gives one.
        uncertainty: Option<f64>,
    },
    /// A source's statement about a subject's weights and license.
    Access {
        /// Open, closed or limited as the source flags it.
        access: Access,
        /// The license text the source shows, when it shows one.
        license: Option<StrId>,
    },
}

/// One claim of a [`ClaimSet`]: a [`ClaimRecord`] whose strings are ids into the set. The
/// locator, different for nearly every claim, is kept apart: [`ClaimSet::locator`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaimRow {
    /// The claim's id in the store.
    pub id: i64,
    /// The snapshot's id in the store.
    pub snapshot_id: i64,
    /// The extraction run that produced the claim (see [`ClaimRecord::run_id`]).
    pub run_id: i64,
    /// The configured source's id.
    pub source: StrId,
    /// The sha256 of the snapshot's bytes, lowercase hex.
    pub snapshot_sha256: StrId,
    /// The date the snapshot was observed.
    pub observed_on: Date,
    /// The date the source attaches to the result, if any.
    pub reported_on: Option<Date>,
    /// What the claim is about.
    pub subject: SubjectId,
    /// Who produced the result.
    pub evaluator: Evaluator,
    /// What the claim asserts.
    pub fact: FactRow,
}

impl ClaimRow {
    /// As [`ClaimRecord::effective_date`]: the source's date when it gives one no later than
    /// the observation, otherwise the observation's.
    pub fn effective_date(&self) -> Date {
        match self.reported_on {
            Some(d) if d <= self.observed_on => d,
            _ => self.observed_on,
        }
    }
}

/// An id given to [`ClaimSet::push_row`] that the set never handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignId {
    /// Which field held it.
    pub field: &'static str,
}

impl fmt::Display for ForeignId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the claim's {} is not an id of this claim set",
            self.field
        )
    }
}

impl std::error::Error for ForeignId {}

/// Values held once, numbered in order of first use.
#[derive(Debug, Clone)]
struct Pool<T> {
    values: Vec<T>,
    ids: HashMap<T, u32>,
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Self {
            values: Vec::new(),
            ids: HashMap::new(),
        }
    }
}

impl<T: Eq + Hash + Clone> Pool<T> {
    fn intern<Q>(&mut self, value: &Q, to_owned: impl FnOnce(&Q) -> T) -> u32
    where
        T: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        if let Some(&id) = self.ids.get(value) {
            return id;
        }
        self.insert(to_owned(value))
    }

    fn intern_owned(&mut self, value: T) -> u32 {
        if let Some(&id) = self.ids.get(&value) {
            return id;
        }
        self.insert(value)
    }

    fn insert(&mut self, value: T) -> u32 {
        // More than four billion distinct values would not fit in memory first.
        let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.ids.insert(value.clone(), id);
        self.values.push(value);
        id
    }

    fn holds(&self, id: u32) -> bool {
        (id as usize) < self.values.len()
    }
}

/// Stored claims, kept compactly; see the [module documentation](self).
///
/// ```
/// use gapwatch_model::{Claim, ClaimRecord, ClaimSet, Date, Evaluator, Fact, Score, Subject, Unit};
///
/// let record = |id, model: &str, value| ClaimRecord {
///     id,
///     source_id: "board".into(),
///     snapshot_id: 1,
///     run_id: 1,
///     snapshot_sha256: "ab".repeat(32),
///     observed_on: "2025-06-01".parse::<Date>().unwrap(),
///     claim: Claim {
///         subject: Subject::model(model),
///         fact: Fact::Score(Score {
///             benchmark: "mmlu".into(),
///             variant: String::new(),
///             metric: "accuracy".into(),
///             settings: Default::default(),
///             value,
///             unit: Unit::Percent,
///             uncertainty: None,
///         }),
///         reported_on: None,
///         evaluator: Evaluator::ThirdParty,
///         locator: format!("row {id}"),
///     },
/// };
/// let records = vec![record(1, "GPT-4o", 88.7), record(2, "Llama 3.1 405B", 88.6)];
/// let set = ClaimSet::from_records(&records);
/// assert_eq!(set.len(), 2);
/// // Both claims name the same source, held once.
/// assert_eq!(set.rows()[0].source, set.rows()[1].source);
/// assert_eq!(set.str(set.rows()[1].source), "board");
/// assert_eq!(set.record(1), records[1]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClaimSet {
    strings: Pool<Box<str>>,
    subjects: Pool<Subject>,
    settings: Pool<Settings>,
    rows: Vec<ClaimRow>,
    /// The locators of all claims, one after another; claim `i`'s ends at `locator_ends[i]`.
    locator_text: String,
    locator_ends: Vec<usize>,
}

impl ClaimSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty set with room for `claims` claims.
    pub fn with_capacity(claims: usize) -> Self {
        Self {
            rows: Vec::with_capacity(claims),
            locator_ends: Vec::with_capacity(claims),
            ..Self::default()
        }
    }

    /// The set of these records, in the same order.
    pub fn from_records(records: &[ClaimRecord]) -> Self {
        let mut set = Self::with_capacity(records.len());
        for r in records {
            set.push(r);
        }
        set
    }

    /// How many claims the set holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the set holds no claim.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The claims, in the order they were added.
    pub fn rows(&self) -> &[ClaimRow] {
        &self.rows
    }

    /// A string of the set.
    pub fn str(&self, id: StrId) -> &str {
        &self.strings.values[id.index()]
    }

    /// A subject of the set.
    pub fn subject(&self, id: SubjectId) -> &Subject {
        &self.subjects.values[id.index()]
    }

    /// A settings map of the set.
    pub fn settings(&self, id: SettingsId) -> &Settings {
        &self.settings.values[id.index()]
    }

    /// How many distinct strings, subjects and settings the set holds.
    pub fn distinct(&self) -> (usize, usize, usize) {
        (
            self.strings.values.len(),
            self.subjects.values.len(),
            self.settings.values.len(),
        )
    }

    /// The distinct subjects, indexed by [`SubjectId::index`].
    pub fn subjects(&self) -> &[Subject] {
        &self.subjects.values
    }

    /// The locator of the claim at `index` (its position in [`Self::rows`]).
    pub fn locator(&self, index: usize) -> &str {
        let start = if index == 0 {
            0
        } else {
            self.locator_ends[index - 1]
        };
        &self.locator_text[start..self.locator_ends[index]]
    }

    /// The id of a string, added when new.
    pub fn intern_str(&mut self, s: &str) -> StrId {
        StrId(self.strings.intern(s, |s: &str| Box::from(s)))
    }

    /// The id of a subject, added when new.
    pub fn intern_subject(&mut self, subject: &Subject) -> SubjectId {
        SubjectId(self.subjects.intern(subject, Subject::clone))
    }

    /// The id of a subject, added when new, taking it.
    pub fn intern_subject_owned(&mut self, subject: Subject) -> SubjectId {
        SubjectId(self.subjects.intern_owned(subject))
    }

    /// The id of a settings map, added when new.
    pub fn intern_settings(&mut self, settings: &Settings) -> SettingsId {
        SettingsId(self.settings.intern(settings, Settings::clone))
    }

    /// The id of a settings map, added when new, taking it.
    pub fn intern_settings_owned(&mut self, settings: Settings) -> SettingsId {
        SettingsId(self.settings.intern_owned(settings))
    }

    /// Adds a claim whose ids were handed out by this set; refuses, adding nothing, one
    /// holding an id the set never gave.
    pub fn push_row(&mut self, row: ClaimRow, locator: &str) -> Result<(), ForeignId> {
        let string = |field, id: StrId| {
            (self.strings.holds(id.0))
                .then_some(())
                .ok_or(ForeignId { field })
        };
        string("source", row.source)?;
        string("snapshot_sha256", row.snapshot_sha256)?;
        if !self.subjects.holds(row.subject.0) {
            return Err(ForeignId { field: "subject" });
        }
        match row.fact {
            FactRow::Score {
                benchmark,
                variant,
                metric,
                settings,
                ..
            } => {
                if !self.settings.holds(settings.0) {
                    return Err(ForeignId { field: "settings" });
                }
                string("benchmark", benchmark)?;
                string("variant", variant)?;
                string("metric", metric)?;
            }
            FactRow::Access { license, .. } => {
                if let Some(license) = license {
                    string("license", license)?;
                }
            }
        }
        self.rows.push(row);
        self.locator_text.push_str(locator);
        self.locator_ends.push(self.locator_text.len());
        Ok(())
    }

    /// Adds a record.
    pub fn push(&mut self, record: &ClaimRecord) {
        let claim = &record.claim;
        let fact = match &claim.fact {
            Fact::Score(s) => FactRow::Score {
                benchmark: self.intern_str(&s.benchmark),
                variant: self.intern_str(&s.variant),
                metric: self.intern_str(&s.metric),
                settings: self.intern_settings(&s.settings),
                value: s.value,
                unit: s.unit,
                uncertainty: s.uncertainty,
            },
            Fact::Access { access, license } => FactRow::Access {
                access: *access,
                license: license.as_deref().map(|l| self.intern_str(l)),
            },
        };
        let row = ClaimRow {
            id: record.id,
            snapshot_id: record.snapshot_id,
            run_id: record.run_id,
            source: self.intern_str(&record.source_id),
            snapshot_sha256: self.intern_str(&record.snapshot_sha256),
            observed_on: record.observed_on,
            reported_on: claim.reported_on,
            subject: self.intern_subject(&claim.subject),
            evaluator: claim.evaluator,
            fact,
        };
        self.rows.push(row);
        self.locator_text.push_str(&claim.locator);
        self.locator_ends.push(self.locator_text.len());
    }

    /// The claim at `index` as a record of its own.
    pub fn record(&self, index: usize) -> ClaimRecord {
        let row = &self.rows[index];
        let fact = match row.fact {
            FactRow::Score {
                benchmark,
                variant,
                metric,
                settings,
                value,
                unit,
                uncertainty,
            } => Fact::Score(Score {
                benchmark: self.str(benchmark).to_owned(),
                variant: self.str(variant).to_owned(),
                metric: self.str(metric).to_owned(),
                settings: self.settings(settings).clone(),
                value,
                unit,
                uncertainty,
            }),
            FactRow::Access { access, license } => Fact::Access {
                access,
                license: license.map(|l| self.str(l).to_owned()),
            },
        };
        ClaimRecord {
            id: row.id,
            source_id: self.str(row.source).to_owned(),
            snapshot_id: row.snapshot_id,
            run_id: row.run_id,
            snapshot_sha256: self.str(row.snapshot_sha256).to_owned(),
            observed_on: row.observed_on,
            claim: Claim {
                subject: self.subject(row.subject).clone(),
                fact,
                reported_on: row.reported_on,
                evaluator: row.evaluator,
                locator: self.locator(index).to_owned(),
            },
        }
    }

    /// Every claim as a record of its own, in order.
    pub fn records(&self) -> impl ExactSizeIterator<Item = ClaimRecord> + '_ {
        (0..self.len()).map(|i| self.record(i))
    }
}

impl Extend<ClaimRecord> for ClaimSet {
    fn extend<I: IntoIterator<Item = ClaimRecord>>(&mut self, iter: I) {
        for r in iter {
            self.push(&r);
        }
    }
}

impl FromIterator<ClaimRecord> for ClaimSet {
    fn from_iter<I: IntoIterator<Item = ClaimRecord>>(iter: I) -> Self {
        let mut set = Self::new();
        set.extend(iter);
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i64, model: &str, settings: &[(&str, &str)], access: bool) -> ClaimRecord {
        let fact = if access {
            Fact::Access {
                access: Access::OpenWeights,
                license: Some("Apache-2.0".into()),
            }
        } else {
            Fact::Score(Score {
                benchmark: "swe-bench".into(),
                variant: "verified".into(),
                metric: "resolved".into(),
                settings: settings
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                value: 40.0 + id as f64,
                unit: Unit::Percent,
                uncertainty: (id % 2 == 0).then_some(1.5),
            })
        };
        ClaimRecord {
            id,
            source_id: if id % 3 == 0 { "a" } else { "b" }.into(),
            snapshot_id: id / 2,
            run_id: id / 2 + 100,
            snapshot_sha256: format!("{:064x}", id / 2),
            observed_on: "2025-03-01".parse::<Date>().unwrap(),
            claim: Claim {
                subject: Subject::system(format!("{model} + agent"), "agent", [model]),
                fact,
                reported_on: (id % 4 == 0).then(|| "2025-02-01".parse::<Date>().unwrap()),
                evaluator: Evaluator::SelfReported,
                locator: if id == 5 {
                    String::new()
                } else {
                    format!("table 1, row {id}, field score")
                },
            },
        }
    }

    fn sample() -> Vec<ClaimRecord> {
        (1..=12)
            .map(|i| {
                let model = ["Qwen3", "GPT-5", "Kimi K2"][i as usize % 3];
                let settings: &[(&str, &str)] = if i % 5 == 0 {
                    &[("attempts", "2+")]
                } else {
                    &[]
                };
                record(i, model, settings, i == 7)
            })
            .collect()
    }

    #[test]
    fn records_come_back_unchanged_in_order() {
        let records = sample();
        let set = ClaimSet::from_records(&records);
        assert_eq!(set.len(), records.len());
        let back: Vec<ClaimRecord> = set.records().collect();
        assert_eq!(back, records);
        // The empty locator of claim 5 (index 4) stays empty, and its neighbours keep theirs.
        assert_eq!(set.locator(4), "");
        assert_eq!(set.locator(5), "table 1, row 6, field score");
    }

    #[test]
    fn repeated_strings_subjects_and_settings_are_held_once() {
        let set = ClaimSet::from_records(&sample());
        let (_, subjects, settings) = set.distinct();
        assert_eq!(subjects, 3);
        assert_eq!(settings, 2);
        let rows = set.rows();
        assert_eq!(rows[0].subject, rows[3].subject);
        assert_ne!(rows[0].subject, rows[1].subject);
        assert_eq!(set.subject(rows[1].subject).models, vec!["Kimi K2"]);
    }

    #[test]
    fn rows_with_ids_from_elsewhere_are_refused() {
        let other = ClaimSet::from_records(&sample());
        let mut set = ClaimSet::new();
        let err = set.push_row(other.rows()[0], "x").unwrap_err();
        assert_eq!(err.field, "source");
        assert!(set.is_empty());
        // With its own ids, the same row goes in.
        let mut row = other.rows()[0];
        row.source = set.intern_str("a");
        row.snapshot_sha256 = set.intern_str("00");
        assert_eq!(set.push_row(row, "x").unwrap_err().field, "subject");
        row.subject = set.intern_subject(&Subject::model("m"));
        assert_eq!(set.push_row(row, "x").unwrap_err().field, "settings");
        let FactRow::Score {
            ref mut settings,
            ref mut benchmark,
            ref mut variant,
            ref mut metric,
            ..
        } = row.fact
        else {
            panic!("a score row")
        };
        *settings = set.intern_settings(&Settings::new());
        *benchmark = set.intern_str("swe-bench");
        *variant = set.intern_str("verified");
        *metric = set.intern_str("resolved");
        assert!(set.is_empty());
        set.push_row(row, "loc").unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.record(0).claim.locator, "loc");
        assert_eq!(set.record(0).source_id, "a");
    }

    #[test]
    fn effective_date_matches_the_record() {
        let records = sample();
        let set = ClaimSet::from_records(&records);
        for (row, rec) in set.rows().iter().zip(&records) {
            assert_eq!(row.effective_date(), rec.effective_date());
        }
    }
}
