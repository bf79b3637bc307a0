//! The findings an analysis returns: parity rows with both sides' basis, settings and age,
//! lags, forecast verdicts, tensions, the timeline, coverage counts and the changes between
//! two analyses.
//!
//! Everything here is structured data: numbers, dates, entries and kinds. The sentences a
//! reader sees are written from it by the report's prose module, so that one place owns the
//! wording and the precision of every number.

use std::collections::BTreeMap;

use gapwatch_model::{Date, Evaluator, Margin, Settings, Unit};
use serde::{Deserialize, Serialize};

/// Everything known about one story as of one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The story's id.
    pub story_id: String,
    /// Only claims observed on or before this date were used.
    pub as_of: Date,
    /// One row per benchmark, variant and comparison, in the story's benchmark order; each
    /// benchmark's headline row first.
    pub parity: Vec<ParityRow>,
    /// The headline count: on how many comparable rows the challenger leads, is at parity
    /// or trails, and why the other headline rows cannot be compared.
    pub summary: Summary,
    /// The median lag across the comparable headline rows that have one.
    pub median_lag: Option<LagSummary>,
    /// The story's forecasts, each evaluated in every reading.
    pub forecasts: Vec<ForecastStatus>,
    /// Disagreements between sources, with the registry, and with the calendar.
    pub tensions: Vec<Tension>,
    /// Dated events over the whole history up to `as_of`, oldest first.
    pub timeline: Vec<TimelineEvent>,
    /// What was counted and what was left out.
    pub coverage: Coverage,
}

/// Which comparison of a benchmark a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowRole {
    /// The comparison a reader assumes when the benchmark is named: the registry's headline
    /// variant and settings. Only these rows count in the headline summary.
    Headline,
    /// Another split of the benchmark (MMMU test when val is the headline).
    Split,
    /// A sub-score: a category or subset of the benchmark (BFCL live, multi-turn).
    Subscore,
    /// The headline variant obtained with settings that change the task (two or more
    /// attempts; with subtitles; no style control).
    OtherSettings,
}

/// Which benchmark comparison a row, event or change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RowKey {
    /// The benchmark's canonical id.
    pub benchmark: String,
    /// The benchmark's name for people.
    pub benchmark_name: String,
    /// The split or variant, empty for the main one.
    pub variant: String,
    /// The settings that set this comparison apart from the headline one (`attempts: 2+`);
    /// empty for the headline settings.
    pub class: Settings,
    /// Which comparison this is.
    pub role: RowRole,
}

/// One benchmark comparison: the best of each cohort with its basis, settings and age, the
/// gap, parity and the lag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParityRow {
    /// The benchmark, variant and comparison.
    pub key: RowKey,
    /// The unit of the scores.
    pub unit: Unit,
    /// False when less is better.
    pub higher_is_better: bool,
    /// The incumbent cohort's side (closed, by default).
    pub incumbent: Option<CohortSide>,
    /// The challenger cohort's side (open weights, by default).
    pub challenger: Option<CohortSide>,
    /// Whether the two sides can be compared: both present, on the same evidence basis, and
    /// neither stale. Only comparable rows give a lead, parity or a lag in the summary.
    pub comparable: bool,
    /// Incumbent best minus challenger best, positive when the challenger trails; present
    /// whenever both sides are, comparable or not.
    pub gap: Option<Gap>,
    /// Within the story's parity margin, or the challenger leads; `None` unless comparable.
    pub parity: Option<bool>,
    /// The challenger's best is strictly better than the incumbent's, on a comparable row.
    pub challenger_leads: bool,
    /// Frontier to frontier, at the challenger frontier's current level; `None` unless
    /// comparable, and when the challenger leads.
    pub lag: Option<Lag>,
    /// The mean horizontal distance between the two frontiers over every level both reached,
    /// in months (Epoch AI's headline measure); `None` unless both frontiers overlap.
    pub mean_lag_months: Option<f64>,
    /// For each record the incumbent set, when the challenger first matched it.
    pub crossings: Vec<Crossing>,
    /// The date of the newest evidence on either side: lower bounds stop here.
    pub last_update: Option<Date>,
    /// The same comparison on other evidence bases (labs' own figures when the sides above
    /// are independent runs, and so on).
    pub alternatives: Vec<Alternative>,
    /// Subjects of unknown access that would lead a cohort if classified into it.
    pub unknown_access: Vec<UnknownLeader>,
    /// The gap of the sides above on each date it changed, for charts.
    pub history: Vec<GapPoint>,
    /// Facts a reader needs to read the row right.
    pub notes: Vec<RowNote>,
}

impl ParityRow {
    /// The row's benchmark id.
    pub fn benchmark(&self) -> &str {
        &self.key.benchmark
    }

    /// Why the row cannot be compared, or `None` when it can: the first reason a reader
    /// needs (a missing side, then a stale side, then different evidence bases).
    pub fn not_comparable(&self) -> Option<NotComparable> {
        if self.comparable {
            return None;
        }
        Some(match (&self.incumbent, &self.challenger) {
            (None, None) => NotComparable::NoResults,
            (None, Some(_)) => NotComparable::MissingCohort {
                cohort: Cohort::Incumbent,
            },
            (Some(_), None) => NotComparable::MissingCohort {
                cohort: Cohort::Challenger,
            },
            (Some(i), Some(c))
                if self
                    .notes
                    .iter()
                    .any(|n| matches!(n, RowNote::Dormant { .. })) =>
            {
                NotComparable::Dormant {
                    since: i.newest.max(c.newest),
                }
            }
            (Some(i), Some(_)) if i.stale => NotComparable::Stale {
                cohort: Cohort::Incumbent,
                since: i.newest,
            },
            (Some(_), Some(c)) if c.stale => NotComparable::Stale {
                cohort: Cohort::Challenger,
                since: c.newest,
            },
            (Some(i), Some(c)) => {
                if let Some(RowNote::BoardsDiffer {
                    incumbent,
                    challenger,
                }) = self
                    .notes
                    .iter()
                    .find(|n| matches!(n, RowNote::BoardsDiffer { .. }))
                {
                    NotComparable::BoardsDiffer {
                        incumbent: incumbent.clone(),
                        challenger: challenger.clone(),
                    }
                } else {
                    NotComparable::BasesDiffer {
                        incumbent: i.basis,
                        challenger: c.basis,
                    }
                }
            }
        })
    }

    /// The claims of both sides' bests, incumbent first.
    pub fn claim_ids(&self) -> Vec<i64> {
        [&self.incumbent, &self.challenger]
            .into_iter()
            .flatten()
            .map(|s| s.best.claim_id)
            .collect()
    }
}

/// One cohort's side of a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortSide {
    /// The cohort's best result on the row's basis for this side.
    pub best: Entry,
    /// The evidence basis of this side: every result compared on it has this basis.
    pub basis: Evaluator,
    /// The date of the newest result on this side (any subject, not only the best).
    pub newest: Date,
    /// The other side has results more than the story's staleness window newer than this
    /// side's newest: this side's sources stopped covering new models. (When both sides are
    /// old, the row is dormant instead: see [`RowNote::Dormant`].)
    pub stale: bool,
    /// Headline setting keys that the best result's source does not state.
    pub unstated: Vec<String>,
    /// Other subjects tied with the best, as display names.
    pub tied_with: Vec<String>,
    /// Every source that reports the best's result (its subject, with its settings) on the
    /// row, on any basis, as of the analysis date: one means nobody else confirms it.
    #[serde(default)]
    pub reported_by: Vec<String>,
}

/// A result, with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Registry display names: `Model A`, or `System (Model A + Model B)` for a system.
    pub subject: String,
    /// The scaffold or agent, for a system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The models' display names, in the source's order.
    pub models: Vec<String>,
    /// The resolved model ids, sorted.
    pub model_ids: Vec<String>,
    /// The score.
    pub value: f64,
    /// Its unit.
    pub unit: Unit,
    /// The date the result counts from.
    pub date: Date,
    /// Where that date comes from.
    pub date_basis: DateBasis,
    /// The claim's id in the store.
    pub claim_id: i64,
    /// The source the claim came from.
    pub source_id: String,
    /// The snapshot the claim was extracted from.
    pub snapshot_sha256: String,
    /// When that snapshot was observed.
    pub observed_on: Date,
    /// Where in the snapshot: table, row, field.
    pub locator: String,
    /// The settings of the result.
    pub settings: Settings,
    /// Who stated the result.
    pub evaluator: Evaluator,
}

/// Where a result's date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateBasis {
    /// The source gives the result's date.
    Reported,
    /// The source gives no date: the model's release date stands in (the later of it and
    /// the benchmark's introduction), so dates and lags resting on it are approximate.
    Released,
    /// The source gives no date and the registry knows no release date: the result's first
    /// observation stands in.
    Observed,
    /// The source's date cannot be true (before the model's release or the benchmark's
    /// introduction, or after the observation): the earliest possible date, or the first
    /// observation, stands in.
    Corrected,
}

/// How far the challenger trails; negative when it leads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// In the benchmark's unit (percentage points for percent).
    pub points: f64,
    /// `points` relative to the incumbent's best, in percent.
    pub relative_percent: f64,
}

/// The gap on one date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GapPoint {
    /// The date.
    pub date: Date,
    /// The gap in points; positive when the challenger trails.
    pub points: f64,
}

/// "N months behind": the challenger frontier's current level was first reached by the
/// incumbent N months before the challenger reached it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lag {
    /// Months from `incumbent_date` to `challenger_date`; negative when the challenger
    /// frontier reached the level first.
    pub months: f64,
    /// The level: the challenger frontier's current best.
    pub level: f64,
    /// When the incumbent frontier first reached the level.
    pub incumbent_date: Date,
    /// When the challenger frontier reached it.
    pub challenger_date: Date,
    /// True when a date it rests on was borrowed from an observation.
    pub approximate: bool,
    /// The incumbent claim that first reached the level, then the challenger's.
    pub claim_ids: Vec<i64>,
}

/// One incumbent record and when the challenger first matched it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crossing {
    /// The record's value.
    pub level: f64,
    /// When the incumbent set it.
    pub incumbent_date: Date,
    /// When the challenger first matched it, if it has.
    pub challenger_date: Option<Date>,
    /// Months from the record to the match; without a match, to `last_update` (a lower
    /// bound that stops growing when the sources stop bringing new results).
    pub months: f64,
    /// True when the challenger has not matched it yet.
    pub lower_bound: bool,
    /// True when a date it rests on was borrowed from an observation.
    pub approximate: bool,
    /// The incumbent claim, then the challenger's when there is one.
    pub claim_ids: Vec<i64>,
}

/// The same comparison on another evidence basis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    /// The basis of both sides.
    pub basis: Evaluator,
    /// For ratings, the leaderboard both sides were rated on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<String>,
    /// The incumbent's side on that basis.
    pub incumbent: CohortSide,
    /// The challenger's side on that basis.
    pub challenger: CohortSide,
    /// Their gap.
    pub gap: Gap,
    /// Neither side stale and the comparison not dormant.
    pub comparable: bool,
    /// When both sides stopped being measured, if they did.
    pub dormant: Option<Date>,
}

/// A subject of unknown access that would lead a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnknownLeader {
    /// Its best result on the row.
    pub entry: Entry,
    /// It beats the challenger side's best (or the challenger has none).
    pub would_lead_challenger: bool,
    /// It beats the incumbent side's best (or the incumbent has none).
    pub would_lead_incumbent: bool,
}

/// Which cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cohort {
    /// The cohort expected to lead (closed, by default).
    Incumbent,
    /// The cohort catching up (open weights, by default).
    Challenger,
}

/// A fact about a row that its reader needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RowNote {
    /// The benchmark is not in the registry: unit and direction unknown, nothing compared.
    UnknownBenchmark,
    /// No result from either cohort.
    NoResults,
    /// One cohort has no result.
    MissingCohort {
        /// The cohort without a result.
        cohort: Cohort,
    },
    /// The two sides rest on different evidence bases.
    BasesDiffer {
        /// The incumbent side's basis.
        incumbent: Evaluator,
        /// The challenger side's basis.
        challenger: Evaluator,
    },
    /// Both sides are ratings on the same basis, but from different leaderboards: a rating
    /// is relative to the models rated with it, so ratings compare only within one board.
    BoardsDiffer {
        /// The board of the incumbent side's best.
        incumbent: String,
        /// The board of the challenger side's best.
        challenger: String,
    },
    /// One side's sources stopped covering new models.
    Stale {
        /// The stale cohort.
        cohort: Cohort,
        /// Its newest result.
        since: Date,
    },
    /// Neither side has a result newer than the staleness window: the comparison is
    /// dormant, however it stood when last measured.
    Dormant {
        /// The newest result on either side.
        since: Date,
    },
    /// A headline setting is not stated by the source of a side's best.
    Unstated {
        /// The cohort.
        cohort: Cohort,
        /// The setting keys.
        keys: Vec<String>,
    },
    /// Several subjects tie for a cohort's best.
    Tie {
        /// The cohort.
        cohort: Cohort,
        /// All tied subjects, the one shown first.
        subjects: Vec<String>,
        /// True when the shown one reached the value first; false when it was recorded first
        /// on the same date.
        earliest: bool,
    },
    /// The incumbent's best is zero, so the relative gap is reported as 0.
    ZeroIncumbent,
}

/// The headline count over the story's headline rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Headline rows whose two sides are comparable.
    pub comparable: Vec<RowKey>,
    /// Of those, rows where the challenger leads.
    pub challenger_leads: Vec<RowKey>,
    /// Of those, rows at parity without a lead (within the margin).
    pub at_parity: Vec<RowKey>,
    /// Of those, rows where the challenger trails beyond the margin.
    pub behind: Vec<RowKey>,
    /// Headline rows that cannot be compared, each with the reason.
    pub not_comparable: Vec<(RowKey, NotComparable)>,
}

/// Why a headline row cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum NotComparable {
    /// No result from either cohort.
    NoResults,
    /// One cohort has no result.
    MissingCohort {
        /// The cohort without a result.
        cohort: Cohort,
    },
    /// The sides rest on different evidence bases.
    BasesDiffer {
        /// The incumbent side's basis.
        incumbent: Evaluator,
        /// The challenger side's basis.
        challenger: Evaluator,
    },
    /// The sides are ratings from different leaderboards.
    BoardsDiffer {
        /// The board of the incumbent side's best.
        incumbent: String,
        /// The board of the challenger side's best.
        challenger: String,
    },
    /// A side is stale.
    Stale {
        /// The stale cohort.
        cohort: Cohort,
        /// Its newest result.
        since: Date,
    },
    /// Neither side has been measured within the staleness window.
    Dormant {
        /// The newest result on either side.
        since: Date,
    },
}

/// The median lag across benchmarks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LagSummary {
    /// The median of the rows' lags (frontier to frontier at the challenger's level).
    pub months: f64,
    /// The median of the rows' mean lags, where they have one.
    pub mean_months: Option<f64>,
    /// How many rows the median is taken over.
    pub benchmarks: usize,
    /// True when any lag in the median rests on a borrowed date.
    pub approximate: bool,
    /// The rows it is taken over.
    pub rows: Vec<RowKey>,
}

/// A forecast evaluated in each of its readings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastStatus {
    /// The forecast's id.
    pub forecast_id: String,
    /// The question as people ask it.
    pub question: String,
    /// The last day on which the criterion may be met.
    pub deadline: Date,
    /// One verdict per reading, in the story's order.
    pub readings: Vec<ReadingVerdict>,
}

/// The verdict under one reading of the forecast's margin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingVerdict {
    /// The reading: "2 points", "2% relative".
    pub margin: Margin,
    /// Yes, no or open.
    pub verdict: Verdict,
    /// The best entries of both cohorts on each benchmark, on the deciding date for a yes,
    /// otherwise on the last date evaluated.
    pub deciding_claim_ids: Vec<i64>,
    /// Each benchmark's state on the same date as `deciding_claim_ids`.
    pub per_benchmark: Vec<BenchmarkCheck>,
}

/// A forecast's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Verdict {
    /// The criterion held, first on this date.
    Yes {
        /// The first date on which it held.
        on: Date,
    },
    /// The deadline has passed and the criterion never held.
    No,
    /// Not yet met, and the deadline has not passed.
    Open,
}

/// One benchmark of a forecast on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkCheck {
    /// The benchmark's id as the forecast names it.
    pub benchmark: String,
    /// The headline row it was checked on; `None` when the story does not track it.
    pub row: Option<RowKey>,
    /// The unit of its scores.
    pub unit: Unit,
    /// Whether it was within the margin; `None` without results from both cohorts.
    pub met: Option<bool>,
    /// The incumbent's best on that date.
    pub incumbent: Option<Entry>,
    /// The challenger's best on that date.
    pub challenger: Option<Entry>,
    /// The gap on that date.
    pub gap: Option<Gap>,
    /// The value the challenger must reach to be within the margin.
    pub needed: Option<f64>,
    /// How far the challenger's best is from `needed`, in the benchmark's unit.
    pub shortfall: Option<f64>,
    /// Why the check should be read with care (a stale side, different bases).
    pub caveat: Option<NotComparable>,
}

/// A disagreement worth a reader's attention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tension {
    /// What disagrees with what.
    pub kind: TensionKind,
    /// The subject, as registry display names.
    pub subject: String,
    /// The subject's settings, when it has any.
    pub settings: Settings,
    /// The row, for score disagreements and impossible dates.
    pub row: Option<RowKey>,
    /// The unit of the values.
    pub unit: Unit,
    /// The values or flags involved; for scores, the one that counts first.
    pub items: Vec<TensionItem>,
    /// The tolerance the values' spread exceeds, for score tensions.
    pub tolerance: Option<f64>,
    /// For access tensions: the registry's access and, per model, its access.
    pub registry_access: Option<gapwatch_model::Access>,
    /// For impossible dates: the date the result cannot precede, and what it is.
    pub bound: Option<DateBound>,
    /// The tension touches a row that compares its sides (not dormant, stale or mixed): it
    /// involves a result or subject that is a side's best there or would become one.
    pub touches_row: bool,
    /// When another of the disputed values, counted instead of the one that counts, would
    /// change the row's verdict (a lead, parity): that value and the verdict it would give.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would_change: Option<VerdictIf>,
}

impl Tension {
    /// The claims involved, in order.
    pub fn claim_ids(&self) -> Vec<i64> {
        self.items.iter().map(|i| i.claim_id).collect()
    }
}

/// One claim in a tension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensionItem {
    /// The claim's id.
    pub claim_id: i64,
    /// Its source.
    pub source_id: String,
    /// The value, for scores.
    pub value: Option<f64>,
    /// The access a source flags, for access tensions.
    pub access: Option<gapwatch_model::Access>,
    /// Who stated it.
    pub evaluator: Evaluator,
    /// The date the claim gives or counts from.
    pub date: Date,
}

/// A row's verdict if another value counted for one side's best.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictIf {
    /// The claim whose value would count.
    pub claim_id: i64,
    /// Its value.
    pub value: f64,
    /// The gap it would give.
    pub gap: Gap,
    /// The row would be at parity (within the margin, or the challenger ahead).
    pub parity: bool,
    /// The challenger would lead.
    pub challenger_leads: bool,
}

/// The date a result cannot precede.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateBound {
    /// The date the source gives for the result.
    pub reported: Date,
    /// The earliest possible date.
    pub earliest: Date,
    /// What the earliest date is.
    pub reason: DateBoundReason,
}

/// What makes a date impossible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateBoundReason {
    /// The model (or the newest model of a system) was released later.
    ModelRelease,
    /// The benchmark was introduced later.
    BenchmarkIntroduced,
}

/// The kinds of tension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TensionKind {
    /// Sources on the same basis give values for the same result that differ beyond the
    /// tolerance.
    SourcesDisagree,
    /// A lab's own value and an independent value differ beyond the tolerance.
    SelfReportedVsThirdParty,
    /// A source's access flag contradicts the registry.
    AccessFlagVsRegistry,
    /// A result is dated before its model's release or its benchmark's introduction.
    ImpossibleDate,
}

/// A dated event in a story's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// When it happened (the date of the result that caused it).
    pub date: Date,
    /// The row.
    pub row: RowKey,
    /// What happened.
    pub kind: TimelineKind,
    /// The cohort concerned, for first results and leader changes.
    pub cohort: Option<Cohort>,
    /// The new best, for first results and leader changes.
    pub entry: Option<Entry>,
    /// The previous best, for leader changes.
    pub previous: Option<Entry>,
    /// For a leader change: the new best improves on the previous one (a record), rather
    /// than replacing a result that was superseded by a lower one.
    pub record: bool,
    /// For a lead: it is the first time.
    pub first_time: bool,
    /// The incumbent's best after the event.
    pub incumbent: Option<Entry>,
    /// The challenger's best after the event.
    pub challenger: Option<Entry>,
    /// The gap after the event.
    pub gap: Option<Gap>,
}

impl TimelineEvent {
    /// The claims of the entries the event names.
    pub fn claim_ids(&self) -> Vec<i64> {
        let mut ids = Vec::new();
        for e in [&self.entry, &self.incumbent, &self.challenger]
            .into_iter()
            .flatten()
        {
            if !ids.contains(&e.claim_id) {
                ids.push(e.claim_id);
            }
        }
        ids
    }
}

/// The kinds of timeline event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimelineKind {
    /// The first result on the row.
    FirstData,
    /// A cohort's first result on the row, after the other's.
    FirstCohortResult,
    /// A cohort has a new best subject.
    LeaderChange,
    /// The challenger moved ahead of the incumbent.
    ChallengerLeads,
    /// The incumbent moved back ahead.
    IncumbentLeads,
    /// The challenger came within the parity margin.
    ParityReached,
    /// The challenger fell outside the parity margin.
    ParityLost,
}

/// A material change between two analyses, for "What's new".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// There is no previous version: the state of one row.
    FirstVersion {
        /// The row.
        row: RowKey,
        /// The incumbent's best.
        incumbent: Option<Entry>,
        /// The challenger's best.
        challenger: Option<Entry>,
        /// Their gap.
        gap: Option<Gap>,
    },
    /// A row that had no results now has some.
    NewRow {
        /// The row.
        row: RowKey,
        /// The incumbent's best.
        incumbent: Option<Entry>,
        /// The challenger's best.
        challenger: Option<Entry>,
        /// Their gap.
        gap: Option<Gap>,
    },
    /// A cohort has a new best subject on a row.
    NewLeader {
        /// The row.
        row: RowKey,
        /// The cohort.
        cohort: Cohort,
        /// The new best.
        new: Entry,
        /// The previous best, when there was one.
        old: Option<Entry>,
        /// True when the new best improves on the old one.
        record: bool,
        /// Whether the row's two sides can be compared now.
        comparable: bool,
    },
    /// Parity was reached or lost, or the lead changed hands, on a comparable row.
    ParityFlip {
        /// The row.
        row: RowKey,
        /// What flipped.
        flip: Flip,
        /// The incumbent's best.
        incumbent: Entry,
        /// The challenger's best.
        challenger: Entry,
        /// The gap now.
        gap: Gap,
    },
    /// The gap moved by more than the materiality threshold on a comparable row.
    GapMoved {
        /// The row.
        row: RowKey,
        /// The gap before.
        before: Gap,
        /// The gap now.
        after: Gap,
        /// The bests now, incumbent then challenger.
        claim_ids: Vec<i64>,
    },
    /// A row that could be compared no longer can (a side went stale, the row went
    /// dormant), or the reason changed, or it can be compared again.
    Comparability {
        /// The row.
        row: RowKey,
        /// Why it could not be compared before; `None` when it could.
        before: Option<NotComparable>,
        /// Why it cannot be compared now; `None` when it can.
        after: Option<NotComparable>,
        /// The bests now.
        claim_ids: Vec<i64>,
    },
    /// A forecast's verdict changed under one reading.
    ForecastChanged {
        /// The forecast's id.
        forecast_id: String,
        /// Its question.
        question: String,
        /// The reading.
        margin: Margin,
        /// The verdict before, when the forecast was tracked.
        before: Option<Verdict>,
        /// The verdict now.
        after: Verdict,
        /// The deciding claims now.
        claim_ids: Vec<i64>,
    },
    /// A new tension.
    TensionAppeared {
        /// The tension.
        tension: Tension,
    },
    /// A tension that is gone.
    TensionSettled {
        /// The tension as it was.
        tension: Tension,
    },
    /// The median lag across benchmarks moved by half a month or more, or was first or last
    /// measurable: the "N months behind" figure.
    MedianLagMoved {
        /// The median before, in months, when there was one.
        before: Option<f64>,
        /// The median now, when there is one.
        after: Option<f64>,
        /// How many rows it was taken over before.
        benchmarks_before: usize,
        /// How many rows it is taken over now.
        benchmarks_after: usize,
        /// Rows it is taken over now and was not before.
        joined: Vec<RowKey>,
        /// Rows it was taken over before and is not now.
        left: Vec<RowKey>,
        /// When rows joined or left: the median over the rows in both, before and now, so that
        /// a move that is only a change of coverage can be told from one of the results.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        same_rows: Option<(f64, f64)>,
        /// Rows in both versions whose own lag moved by half a month or more: what moved the
        /// median, when it was not coverage alone.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        moved: Vec<LagMove>,
        /// The lags' claims now.
        claim_ids: Vec<i64>,
    },
    /// A perspective's Evolution changed: the evidence since the last version supports,
    /// weakens or contradicts it differently.
    PerspectiveChanged {
        /// The perspective's id in the story.
        perspective_id: String,
        /// Who holds it.
        actor: String,
        /// Its Evolution in the previous version; `None` when it was not in it.
        before: Option<crate::Evolution>,
        /// Its Evolution now.
        after: crate::Evolution,
        /// The claims the Evolution now rests on.
        claim_ids: Vec<i64>,
    },
}

/// One row's lag before and now, in months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LagMove {
    /// The row.
    pub row: RowKey,
    /// Its lag in the previous analysis.
    pub before: f64,
    /// Its lag now.
    pub after: f64,
}

/// What flipped on a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flip {
    /// The challenger now leads.
    ChallengerLeads,
    /// The incumbent is back ahead (still at parity, or not).
    IncumbentBack,
    /// The challenger came within the margin.
    ParityReached,
    /// The challenger fell outside the margin.
    ParityLost,
}

impl Change {
    /// The row the change is about, when it is about one.
    pub fn row(&self) -> Option<&RowKey> {
        match self {
            Change::FirstVersion { row, .. }
            | Change::NewRow { row, .. }
            | Change::NewLeader { row, .. }
            | Change::ParityFlip { row, .. }
            | Change::GapMoved { row, .. }
            | Change::Comparability { row, .. } => Some(row),
            Change::TensionAppeared { tension } | Change::TensionSettled { tension } => {
                tension.row.as_ref()
            }
            Change::ForecastChanged { .. }
            | Change::PerspectiveChanged { .. }
            | Change::MedianLagMoved { .. } => None,
        }
    }

    /// The claims behind the new state.
    pub fn claim_ids(&self) -> Vec<i64> {
        let entries = |a: &Option<Entry>, b: &Option<Entry>| -> Vec<i64> {
            [a, b].into_iter().flatten().map(|e| e.claim_id).collect()
        };
        match self {
            Change::FirstVersion {
                incumbent,
                challenger,
                ..
            }
            | Change::NewRow {
                incumbent,
                challenger,
                ..
            } => entries(incumbent, challenger),
            Change::NewLeader { new, .. } => vec![new.claim_id],
            Change::ParityFlip {
                incumbent,
                challenger,
                ..
            } => vec![incumbent.claim_id, challenger.claim_id],
            Change::GapMoved { claim_ids, .. }
            | Change::Comparability { claim_ids, .. }
            | Change::ForecastChanged { claim_ids, .. }
            | Change::PerspectiveChanged { claim_ids, .. }
            | Change::MedianLagMoved { claim_ids, .. } => claim_ids.clone(),
            Change::TensionAppeared { tension } | Change::TensionSettled { tension } => {
                tension.claim_ids()
            }
        }
    }
}

/// What was counted, and what was left out and why.
///
/// Exclusion counts are of score claims on the benchmarks in scope (the story's and its
/// forecasts'), observed on or before the as-of date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Claims observed on or before the as-of date, of every kind.
    pub claims_considered: usize,
    /// Claims observed after the as-of date, ignored.
    pub claims_after_as_of: usize,
    /// Score claims among those considered, on any benchmark.
    pub score_claims: usize,
    /// Score claims on the benchmarks in scope.
    pub in_scope_score_claims: usize,
    /// How many distinct sources the considered claims came from.
    pub sources: usize,
    /// Their ids, sorted.
    pub source_ids: Vec<String>,
    /// Model names the registry does not know, with how many in-scope score claims they
    /// kept out (a claim about a system counts once per unknown name).
    pub unresolved: BTreeMap<String, u64>,
    /// In-scope score claims left out because a model name did not resolve.
    pub unresolved_claims: usize,
    /// In-scope score claims left out because the subject's access is unknown.
    pub unknown_access: usize,
    /// Those subjects, as registry display names, with their claim counts.
    pub unknown_access_subjects: BTreeMap<String, u64>,
    /// In-scope score claims about subjects in neither cohort (limited access, by default).
    pub outside_cohorts: usize,
    /// In-scope score claims whose unit differs from the benchmark's, left out.
    pub unit_mismatch: usize,
    /// In-scope score claims whose date could not be true, counted from their observation.
    pub corrected_dates: usize,
    /// The incumbent cohort.
    pub incumbent: CohortCoverage,
    /// The challenger cohort.
    pub challenger: CohortCoverage,
}

/// How much evidence one cohort has.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CohortCoverage {
    /// The cohort's id.
    pub id: String,
    /// Its name for people.
    pub label: String,
    /// In-scope score claims counted for it.
    pub score_claims: usize,
    /// Distinct subjects (models or systems) among them.
    pub subjects: usize,
}
