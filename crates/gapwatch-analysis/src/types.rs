//! The findings an analysis returns: parity rows, lags, forecast verdicts, tensions, the
//! timeline, coverage counts and the changes between two analyses.

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
    /// One row per benchmark and variant, in the story's benchmark order, then variant.
    pub parity: Vec<ParityRow>,
    /// The median lag across the rows that have one.
    pub median_lag: Option<LagSummary>,
    /// The story's forecasts, each evaluated in every reading.
    pub forecasts: Vec<ForecastStatus>,
    /// Disagreements between sources, and between sources and the registry.
    pub tensions: Vec<Tension>,
    /// Dated events over the whole history up to `as_of`, oldest first.
    pub timeline: Vec<TimelineEvent>,
    /// What was counted and what was left out.
    pub coverage: Coverage,
}

/// One benchmark (and variant): the best of each cohort, the gap and the lag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParityRow {
    /// The benchmark's canonical id.
    pub benchmark: String,
    /// The benchmark's name for people.
    pub benchmark_name: String,
    /// The split or variant, empty for the main one.
    pub variant: String,
    /// The unit of the scores.
    pub unit: Unit,
    /// False when less is better.
    pub higher_is_better: bool,
    /// The incumbent cohort's best result (closed, by default).
    pub incumbent: Option<Entry>,
    /// The challenger cohort's best result (open weights, by default).
    pub challenger: Option<Entry>,
    /// Incumbent best minus challenger best, positive when the challenger trails.
    pub gap: Option<Gap>,
    /// Within the story's parity margin, or the challenger leads; `None` without both cohorts.
    pub parity: Option<bool>,
    /// The challenger's best is strictly better than the incumbent's.
    pub challenger_leads: bool,
    /// How long the challenger took, or has been taking, to reach the incumbent's best.
    pub lag: Option<Lag>,
    /// Explains a missing cohort, a tie for the best, or an unknown benchmark.
    pub note: Option<String>,
}

/// The result that counts as a cohort's best, with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Registry display names: `Model A`, or `System (Model A + Model B)` for a system.
    pub subject: String,
    /// The resolved model ids, sorted.
    pub model_ids: Vec<String>,
    /// The score.
    pub value: f64,
    /// Its unit.
    pub unit: Unit,
    /// The claim's effective date.
    pub date: Date,
    /// The claim's id in the store.
    pub claim_id: i64,
    /// The source the claim came from.
    pub source_id: String,
    /// The snapshot the claim was extracted from.
    pub snapshot_sha256: String,
    /// The settings of the result.
    pub settings: Settings,
    /// Who produced the result.
    pub evaluator: Evaluator,
}

/// How far the challenger trails; negative when it leads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// In the benchmark's unit (percentage points for percent).
    pub points: f64,
    /// `points` relative to the incumbent's best, in percent.
    pub relative_percent: f64,
}

/// Lag by first crossing: from the date the incumbent first stood at its current best to the
/// date a challenger first matched it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lag {
    /// Months between the two dates; negative when the challenger got there first.
    pub months: f64,
    /// True when no challenger has matched it yet: `months` runs to the as-of date.
    pub lower_bound: bool,
    /// When the incumbent's best first stood at its current value.
    pub incumbent_date: Date,
    /// When a challenger first matched it, if one has.
    pub challenger_date: Option<Date>,
    /// The incumbent claim, then the challenger claim when there is one.
    pub claim_ids: Vec<i64>,
}

/// The median lag across benchmarks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LagSummary {
    /// The median, in months.
    pub months: f64,
    /// True when any lag in the median was a lower bound, making the median one too.
    pub lower_bound: bool,
    /// How many rows the median is taken over.
    pub benchmarks: usize,
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
    /// What would change the verdict, one sentence per benchmark.
    pub would_flip: Vec<String>,
    /// Each benchmark's state on the same date as `deciding_claim_ids`.
    pub per_benchmark: Vec<BenchmarkCheck>,
}

/// A forecast's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
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
    /// Whether it was within the margin; `None` without results from both cohorts.
    pub met: Option<bool>,
    /// The gap on that date.
    pub gap: Option<Gap>,
    /// How far the challenger's best was from the margin, in the benchmark's unit.
    pub shortfall: Option<f64>,
}

/// A disagreement worth a reader's attention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tension {
    /// What disagrees with what.
    pub kind: TensionKind,
    /// The subject, as registry display names, with its settings when it has any.
    pub subject: String,
    /// The benchmark's id, for score disagreements.
    pub benchmark: Option<String>,
    /// A sentence for people.
    pub description: String,
    /// The claims involved; for scores, the one that counts first.
    pub claim_ids: Vec<i64>,
    /// The sources of those claims, in the same order.
    pub sources: Vec<String>,
}

/// The kinds of tension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TensionKind {
    /// Sources give values for the same result that differ beyond the tolerance.
    SourcesDisagree,
    /// A self-reported value and a third-party value differ beyond the tolerance.
    SelfReportedVsThirdParty,
    /// A source's access flag contradicts the registry.
    AccessFlagVsRegistry,
}

/// A dated event in a story's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// When it happened (the effective date of the claim that caused it).
    pub date: Date,
    /// The benchmark's id.
    pub benchmark: String,
    /// What happened.
    pub kind: TimelineKind,
    /// A sentence for people.
    pub description: String,
    /// The best entries on that date.
    pub claim_ids: Vec<i64>,
}

/// The kinds of timeline event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimelineKind {
    /// The first result on the benchmark.
    FirstData,
    /// A cohort has a new best subject (or its first one).
    LeaderChange,
    /// The challenger moved ahead of the incumbent.
    ChallengerLeads,
    /// The challenger came within the parity margin.
    ParityReached,
    /// The challenger fell outside the parity margin.
    ParityLost,
}

/// A material change between two analyses, for "What's new".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// The benchmark's id, when the change is about one.
    pub benchmark: Option<String>,
    /// A sentence for people.
    pub description: String,
    /// The claims behind the new state.
    pub claim_ids: Vec<i64>,
}

/// The kinds of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// There is no previous version: the state of one benchmark.
    FirstVersion,
    /// A cohort has a new best subject on a benchmark.
    NewLeader,
    /// Parity was reached or lost, or the challenger took or lost the lead.
    ParityFlip,
    /// The gap moved by more than the materiality threshold.
    GapMoved,
    /// A forecast's verdict changed under one reading.
    ForecastChanged,
    /// A new tension.
    TensionAppeared,
    /// A tension that is gone.
    TensionSettled,
    /// A benchmark that had no results now has some.
    NewBenchmarkData,
    /// A source contributed evidence for the first time. [`changes`](crate::changes) never
    /// emits this (an [`Analysis`] does not list sources' histories); publishers that track
    /// sources add it.
    SourceAdded,
    /// A source failed to fetch or changed structure (as above, added by publishers).
    SourceTrouble,
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
