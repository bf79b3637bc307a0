//! Which claims count: the benchmarks in scope, the comparison each result belongs to, the
//! cohort of each subject, the date each result counts from, and for every result (subject,
//! comparison, basis, settings) the claim chosen on each date.
//!
//! Results are grouped in three levels:
//! - a **row** is one benchmark, variant and comparison class (the headline settings, or one
//!   combination of settings that change the task, such as two or more attempts);
//! - a **lane** is a row on one evidence basis (independent runs, labs' own figures, …):
//!   results on different bases are never mixed in one ranking;
//! - a **result** is one subject with one set of settings in a lane.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::ops::Range;

use gapwatch_model::{
    Access, BenchmarkEntry, ClaimRow, ClaimSet, Date, Evaluator, FactRow, ModelEntry, Registry,
    Settings, SettingsId, Story, StrId, Subject, Unit,
};

use crate::hashing::FastMap;
use crate::text;
use crate::{CohortCoverage, Coverage, DateBasis, DateBoundReason, RowRole};

/// Index of the incumbent cohort in per-side arrays.
pub(crate) const INCUMBENT: usize = 0;
/// Index of the challenger cohort in per-side arrays.
pub(crate) const CHALLENGER: usize = 1;
/// Index of subjects of unknown access in per-side arrays: ranked, never counted.
pub(crate) const UNKNOWN: usize = 2;
/// How many sides a lane ranks.
pub(crate) const SIDES: usize = 3;

/// A benchmark the story or one of its forecasts names.
#[derive(Debug)]
pub(crate) struct ScopeBenchmark<'a> {
    /// The canonical id, or the name as written when the registry does not know it.
    pub(crate) id: String,
    pub(crate) entry: Option<&'a BenchmarkEntry>,
    /// False for a benchmark only a forecast names.
    pub(crate) in_story: bool,
}

/// One benchmark, variant and comparison class.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) bench: usize,
    pub(crate) variant: String,
    /// The settings that set the row apart from the headline comparison.
    pub(crate) class: Settings,
    pub(crate) role: RowRole,
    /// Its lanes, a range of [`Prepared::lanes`].
    pub(crate) lanes: Range<usize>,
}

/// A row on one evidence basis.
#[derive(Debug)]
pub(crate) struct Lane {
    pub(crate) row: usize,
    pub(crate) basis: Evaluator,
    /// For ratings, the leaderboard (its source, or its sources' lineage) they were rated
    /// on: a rating compares only with ratings of the same leaderboard.
    pub(crate) board: Option<String>,
}

/// A score claim counted in a lane.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScoreClaim<'a> {
    pub(crate) rec: &'a ClaimRow,
    /// The record's position in the claim set.
    pub(crate) index: u32,
    pub(crate) settings: SettingsId,
    pub(crate) unit: Unit,
    pub(crate) lane: usize,
    pub(crate) side: usize,
    /// Index into [`Prepared::subjects`]; equal indices mean equal models and system.
    pub(crate) subject: usize,
    /// Rank of the result (lane, subject, settings); equal means the same result.
    key: usize,
    /// Rank of the source id among all source ids.
    source: usize,
    pub(crate) effective: Date,
    pub(crate) date_basis: DateBasis,
    // Copies of the record's fields that sorting and selection compare, kept inline so that
    // the hot loops do not chase pointers.
    pub(crate) value: f64,
    pub(crate) id: i64,
    observed: Date,
    snapshot: i64,
    pub(crate) evaluator: Evaluator,
}

impl ScoreClaim<'_> {
    /// Whether two claims are about the same subject (models and system), whatever the
    /// settings.
    pub(crate) fn same_subject(&self, other: &ScoreClaim<'_>) -> bool {
        self.subject == other.subject
    }

    /// Within a source: the latest snapshot supersedes; within one snapshot the lowest id.
    fn snapshot_rank(&self) -> (Date, i64, Reverse<i64>) {
        (self.observed, self.snapshot, Reverse(self.id))
    }

    /// Whether two claims of one source come from the same snapshot.
    fn same_snapshot(&self, other: &ScoreClaim<'_>) -> bool {
        (self.observed, self.snapshot) == (other.observed, other.snapshot)
    }
}

/// A classified subject: its resolved models, sorted and distinct, and its system.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct SubjectKey<'a> {
    pub(crate) ids: Vec<&'a str>,
    pub(crate) system: Option<&'a str>,
}

/// One result: a subject with given settings in a lane.
#[derive(Debug)]
pub(crate) struct ResultKey {
    pub(crate) lane: usize,
    pub(crate) side: usize,
    /// The subject, an index into [`Prepared::subjects`].
    pub(crate) subject: usize,
    pub(crate) settings: SettingsId,
    /// Range of [`KeyTable::events`]: from each date on, the claim that counts.
    pub(crate) events: Range<usize>,
    /// Range of [`KeyTable::sources`]: the latest claim of each source as of the analysis
    /// date, in source order.
    pub(crate) per_source: Range<usize>,
}

/// All results, with their events and per-source claims in two flat tables.
#[derive(Debug, Default)]
pub(crate) struct KeyTable {
    pub(crate) keys: Vec<ResultKey>,
    /// `(date, claim index)` pairs.
    pub(crate) events: Vec<(Date, usize)>,
    /// Claim indices.
    pub(crate) sources: Vec<usize>,
}

/// A result whose source gives a date that cannot be true.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ImpossibleDate {
    /// Index into [`Prepared::claims`].
    pub(crate) claim: usize,
    pub(crate) reported: Date,
    pub(crate) earliest: Date,
    pub(crate) reason: DateBoundReason,
}

/// The claims sorted out for analysis.
#[derive(Debug)]
pub(crate) struct Prepared<'a> {
    /// The claims analysed; every [`ScoreClaim::rec`] is one of its rows.
    pub(crate) set: &'a ClaimSet,
    pub(crate) scope: Vec<ScopeBenchmark<'a>>,
    scope_by_id: HashMap<String, usize>,
    pub(crate) rows: Vec<Row>,
    pub(crate) lanes: Vec<Lane>,
    /// The distinct subjects of the claims, sorted.
    pub(crate) subjects: Vec<SubjectKey<'a>>,
    pub(crate) claims: Vec<ScoreClaim<'a>>,
    pub(crate) keys: KeyTable,
    pub(crate) impossible: Vec<ImpossibleDate>,
    pub(crate) coverage: Coverage,
}

/// How a subject was classified.
#[derive(Debug)]
pub(crate) enum SubjectClass<'a> {
    /// These raw names did not resolve.
    Unresolved(Vec<&'a str>),
    /// All names resolved.
    Resolved {
        ids: Vec<&'a str>,
        models: Vec<&'a ModelEntry>,
        access: Access,
    },
}

/// Model-name resolution with a cache, since the same names recur in many claims.
#[derive(Debug)]
pub(crate) struct Resolver<'a> {
    registry: &'a Registry,
    models: FastMap<&'a str, Option<&'a ModelEntry>>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(registry: &'a Registry) -> Self {
        Self {
            registry,
            models: FastMap::default(),
        }
    }

    fn model(&mut self, name: &'a str) -> Option<&'a ModelEntry> {
        let registry = self.registry;
        *self.models.entry(name).or_insert_with(|| {
            registry
                .resolve_model_name(name)
                .id()
                .and_then(|id| registry.model(id))
        })
    }

    /// Resolves every model of a subject and combines their access: open weights only when
    /// all are, closed when any is, limited when any is and none is closed, else unknown.
    pub(crate) fn classify(&mut self, subject: &'a Subject) -> SubjectClass<'a> {
        let mut unresolved = Vec::new();
        let mut models: Vec<&'a ModelEntry> = Vec::new();
        for name in text::model_names(subject) {
            match self.model(name) {
                Some(m) => {
                    if !models.iter().any(|x| x.id == m.id) {
                        models.push(m);
                    }
                }
                None => {
                    if !unresolved.contains(&name) {
                        unresolved.push(name);
                    }
                }
            }
        }
        if !unresolved.is_empty() {
            return SubjectClass::Unresolved(unresolved);
        }
        let access = combined_access(models.iter().map(|m| m.access));
        let mut ids: Vec<&'a str> = models.iter().map(|m| m.id.as_str()).collect();
        ids.sort_unstable();
        SubjectClass::Resolved {
            ids,
            models,
            access,
        }
    }
}

/// The access of a subject built on models with these accesses.
pub(crate) fn combined_access(accesses: impl Iterator<Item = Access>) -> Access {
    let (mut any, mut all_open, mut closed, mut limited) = (false, true, false, false);
    for a in accesses {
        any = true;
        all_open &= a == Access::OpenWeights;
        closed |= a == Access::Closed;
        limited |= a == Access::Limited;
    }
    if any && all_open {
        Access::OpenWeights
    } else if closed {
        Access::Closed
    } else if limited {
        Access::Limited
    } else {
        Access::Unknown
    }
}

/// The registry entry for a benchmark written as an id or any alias.
pub(crate) fn benchmark_entry<'a>(
    registry: &'a Registry,
    name: &str,
) -> Option<&'a BenchmarkEntry> {
    registry.benchmark(name).or_else(|| {
        registry
            .resolve_benchmark(name)
            .id()
            .and_then(|id| registry.benchmark(id))
    })
}

/// The order in which evidence bases are preferred for a row's headline comparison:
/// independent runs, then labs' own figures, then figures whose source does not say who ran
/// them, then labs' figures for competitors.
pub(crate) fn basis_rank(e: Evaluator) -> u8 {
    match e {
        Evaluator::ThirdParty => 0,
        Evaluator::SelfReported => 1,
        Evaluator::Unknown => 2,
        Evaluator::Competitor => 3,
    }
}

/// Across sources, within one lane: `Less` when `a` is the claim that counts over `b`. A
/// result with a date its source gives counts over one dated by an observation; then the
/// later date, the later observation and the lower claim id.
pub(crate) fn preference(a: &ScoreClaim<'_>, b: &ScoreClaim<'_>) -> Ordering {
    (a.date_basis != DateBasis::Reported)
        .cmp(&(b.date_basis != DateBasis::Reported))
        .then_with(|| b.effective.cmp(&a.effective))
        .then_with(|| b.observed.cmp(&a.observed))
        .then_with(|| a.id.cmp(&b.id))
}

/// Within a source: the latest snapshot supersedes; within one snapshot the lowest id.
pub(crate) fn snapshot_rank(rec: &ClaimRow) -> (Date, i64, Reverse<i64>) {
    (rec.observed_on, rec.snapshot_id, Reverse(rec.id))
}

/// A setting's value as compared with the headline's: case, punctuation and a trailing
/// "shot" do not matter (`5-shot` is `5`; `2+` stays `2+`).
fn setting_key_value(v: &str) -> String {
    let folded: String = v
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '+')
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .strip_suffix("shots")
        .or_else(|| folded.strip_suffix("shot"))
        .filter(|rest| !rest.is_empty())
        .map_or(folded.clone(), str::to_owned)
}

/// A headline setting value meaning "the value the newest result states" (a board's current
/// version, such as BFCL v4): older versions' results stand apart.
pub(crate) const LATEST: &str = "@latest";

/// Each benchmark's headline settings with [`LATEST`] replaced by the value the most recently
/// observed claim states (empty when none states one).
fn effective_headlines(
    set: &ClaimSet,
    registry: &Registry,
    scope: &[ScopeBenchmark<'_>],
    scope_by_id: &HashMap<String, usize>,
    as_of: Date,
) -> Vec<Settings> {
    let mut headlines: Vec<Settings> = scope
        .iter()
        .map(|sb| {
            sb.entry
                .map_or_else(Settings::new, |e| e.headline.settings.clone())
        })
        .collect();
    if !headlines.iter().any(|h| h.values().any(|v| v == LATEST)) {
        return headlines;
    }
    let mut bench_of: FastMap<StrId, Option<usize>> = FastMap::default();
    // (bench, key) -> (observed, value)
    let mut newest: BTreeMap<(usize, &str), (Date, &str)> = BTreeMap::new();
    for rec in set.rows().iter().filter(|r| r.observed_on <= as_of) {
        let FactRow::Score {
            benchmark,
            settings,
            ..
        } = rec.fact
        else {
            continue;
        };
        let bench = *bench_of.entry(benchmark).or_insert_with(|| {
            benchmark_entry(registry, set.str(benchmark))
                .and_then(|e| scope_by_id.get(&e.id).copied())
                .filter(|&b| headlines[b].values().any(|v| v == LATEST))
        });
        let Some(bench) = bench else { continue };
        for (key, value) in set.settings(settings) {
            if headlines[bench].get(key).is_some_and(|v| v == LATEST) {
                let slot = newest
                    .entry((bench, key.as_str()))
                    .or_insert((rec.observed_on, value));
                if rec.observed_on > slot.0 {
                    *slot = (rec.observed_on, value);
                }
            }
        }
    }
    for (b, h) in headlines.iter_mut().enumerate() {
        for (key, value) in h.iter_mut() {
            if value == LATEST {
                *value = newest
                    .get(&(b, key.as_str()))
                    .map_or_else(String::new, |(_, v)| (*v).to_owned());
            }
        }
    }
    headlines
}

/// The class of a result: the headline settings whose value it states differently.
fn class_of(headline_settings: &Settings, settings: &Settings) -> Settings {
    let mut class = Settings::new();
    for (key, headline) in headline_settings {
        // An empty headline value: results that state any value stand apart.
        if let Some(v) = settings.get(key)
            && setting_key_value(v) != setting_key_value(headline)
            && !v.is_empty()
        {
            class.insert(key.clone(), v.clone());
        }
    }
    class
}

/// The headline setting keys a result's settings do not state.
pub(crate) fn unstated(entry: Option<&BenchmarkEntry>, settings: &Settings) -> Vec<String> {
    entry.map_or_else(Vec::new, |e| {
        e.headline
            .settings
            .iter()
            .filter(|(k, v)| !v.is_empty() && *v != LATEST && !settings.contains_key(*k))
            .map(|(k, _)| k.clone())
            .collect()
    })
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(
        set: &'a ClaimSet,
        registry: &'a Registry,
        story: &'a Story,
        as_of: Date,
        lineages: &BTreeMap<String, String>,
    ) -> Self {
        let (scope, scope_by_id) = build_scope(registry, story);
        let mut coverage = Coverage {
            incumbent: CohortCoverage {
                id: story.incumbent.id.clone(),
                label: story.incumbent.label.clone(),
                ..CohortCoverage::default()
            },
            challenger: CohortCoverage {
                id: story.challenger.id.clone(),
                label: story.challenger.label.clone(),
                ..CohortCoverage::default()
            },
            ..Coverage::default()
        };

        let pass = Pass::run(set, registry, story, &scope, &scope_by_id, as_of, lineages);
        pass.counts.add_to(&mut coverage);
        let mut unknown_subjects: BTreeMap<String, u64> = BTreeMap::new();
        for class in &pass.classes {
            match &class.kind {
                ClassKind::Unresolved(names) => {
                    for name in names {
                        *coverage.unresolved.entry((*name).to_owned()).or_default() +=
                            class.left_out;
                    }
                }
                ClassKind::Resolved { side, .. } => {
                    if *side == Side::Cohort(UNKNOWN) && class.left_out > 0 {
                        let name = text::subject(registry, set.subject(class.subject));
                        *unknown_subjects.entry(name).or_default() += class.left_out;
                    }
                }
            }
        }
        coverage.unknown_access_subjects = unknown_subjects;

        // Rows: numbered by first appearance in the pass, placed in display order here.
        let pass_rows: Vec<(usize, &'a str, &Settings)> = pass
            .rows
            .values
            .iter()
            .map(|&(bench, variant, class)| (bench, set.str(variant), &pass.classes_seen[class]))
            .collect();
        let (rows, row_of_pass) = build_rows(&scope, &pass_rows);
        // Lanes: (row, basis, board), in row order, then basis order, then board name.
        let board_name = |b: u32| (b != NO_BOARD).then(|| pass.boards.values[b as usize].clone());
        let mut lane_order: Vec<usize> = (0..pass.lanes.values.len()).collect();
        lane_order.sort_by_cached_key(|&l| {
            let (row, basis, board) = pass.lanes.values[l];
            (row_of_pass[row], basis_rank(basis), board_name(board))
        });
        let mut lane_rank = vec![0; lane_order.len()];
        for (r, &l) in lane_order.iter().enumerate() {
            lane_rank[l] = r;
        }
        let lanes: Vec<Lane> = lane_order
            .iter()
            .map(|&l| {
                let (row, basis, board) = pass.lanes.values[l];
                Lane {
                    row: row_of_pass[row],
                    basis,
                    board: board_name(board),
                }
            })
            .collect();
        let mut rows = rows;
        let mut l = 0;
        for (r, row) in rows.iter_mut().enumerate() {
            let start = l;
            while l < lanes.len() && lanes[l].row == r {
                l += 1;
            }
            row.lanes = start..l;
        }

        let (subjects, subject_rank) = pass.subjects.sorted();
        let settings_rank = rank_by(&pass.settings_used, |&id| set.settings(id));
        let sources: Vec<&str> = pass.sources_seen.iter().map(|&id| set.str(id)).collect();
        // Sources of one lineage (one publisher's file in its successive formats) rank as one:
        // the latest snapshot of any of them supersedes the others.
        let lineage = |id: &StrId| -> &str {
            let s = set.str(*id);
            lineages.get(s).map_or(s, String::as_str)
        };
        let mut lineage_names: Vec<&str> = pass.sources_seen.iter().map(lineage).collect();
        lineage_names.sort_unstable();
        lineage_names.dedup();
        let mut source_rank = vec![0; pass.source_slot.len()];
        for id in &pass.sources_seen {
            source_rank[id.index()] = lineage_names.binary_search(&lineage(id)).unwrap_or(0);
        }
        let mut source_ids: Vec<String> = sources.iter().map(|&s| s.to_owned()).collect();
        source_ids.sort_unstable();
        coverage.sources = source_ids.len();
        coverage.source_ids = source_ids;
        // Each result's rank in (lane, subject, settings) order.
        let results = pass.results.values;
        let sort_key = |i: usize| {
            let (lane, subject, settings) = results[i];
            (
                lane_rank[lane],
                subject_rank[subject],
                settings_rank[pass.settings_slot[settings.index()] as usize],
            )
        };
        let mut result_order: Vec<usize> = (0..results.len()).collect();
        result_order.sort_unstable_by_key(|&i| sort_key(i));
        let mut result_rank = vec![0; results.len()];
        for (r, &i) in result_order.iter().enumerate() {
            result_rank[i] = r;
        }
        let mut counted = pass.counted;
        for c in &mut counted {
            c.lane = lane_rank[c.lane];
            c.key = result_rank[c.key];
            c.subject = subject_rank[c.subject];
            c.source = source_rank[c.source];
        }
        let order = sort_by_result(&counted, results.len());
        let score_claims = counted;

        let keys = build_keys(&score_claims, &order);
        let mut seen = vec![[false; SIDES]; subjects.len()];
        let mut claims_per_side = [0usize; SIDES];
        let mut subjects_per_side = [0usize; SIDES];
        for c in order.iter().map(|&i| &score_claims[i as usize]) {
            claims_per_side[c.side] += 1;
            if !std::mem::replace(&mut seen[c.subject][c.side], true) {
                subjects_per_side[c.side] += 1;
            }
        }
        coverage.incumbent.score_claims = claims_per_side[INCUMBENT];
        coverage.incumbent.subjects = subjects_per_side[INCUMBENT];
        coverage.challenger.score_claims = claims_per_side[CHALLENGER];
        coverage.challenger.subjects = subjects_per_side[CHALLENGER];
        coverage.corrected_dates = pass.impossible.len();

        Prepared {
            set,
            scope,
            scope_by_id,
            rows,
            lanes,
            subjects,
            claims: score_claims,
            keys,
            impossible: pass.impossible,
            coverage,
        }
    }

    /// The subject of a counted claim, as the source wrote it.
    pub(crate) fn subject_of(&self, claim: usize) -> &'a Subject {
        self.set.subject(self.claims[claim].rec.subject)
    }

    /// The settings of a counted claim.
    pub(crate) fn settings_of(&self, claim: usize) -> &'a Settings {
        self.set.settings(self.claims[claim].settings)
    }

    /// The scope index of a benchmark named by a story or forecast.
    pub(crate) fn scope_index(&self, registry: &Registry, name: &str) -> Option<usize> {
        let id = benchmark_entry(registry, name).map_or(name, |e| e.id.as_str());
        self.scope_by_id.get(id).copied()
    }

    /// The headline row of a benchmark.
    pub(crate) fn headline_row(&self, bench: usize) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.bench == bench && r.role == RowRole::Headline)
            .or_else(|| self.rows.iter().position(|r| r.bench == bench))
    }
}

/// From this many counted claims on, parts of the analysis run on two threads: working out
/// each result's events, and the tensions beside the series.
pub(crate) const PARALLEL_FROM: usize = 50_000;

/// For each value, its rank among the values ordered by `key`.
fn rank_by<T, K: Ord>(values: &[T], key: impl Fn(&T) -> K) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| key(&values[a]).cmp(&key(&values[b])));
    let mut rank = vec![0; order.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    rank
}

/// The positions of the counted claims sorted by result, then source, then snapshot rank
/// (see [`ScoreClaim::snapshot_rank`]).
///
/// The claims stay where they are, and no claims are compared: the positions are placed by
/// snapshot in (source, observed, snapshot, latest claim id first) order, then by result
/// with a stable counting sort, which keeps that order within each result.
fn sort_by_result(claims: &[ScoreClaim<'_>], results: usize) -> Vec<u32> {
    // The snapshots, in the order their claims rank within a result.
    type Snapshot = (usize, Date, i64);
    let mut bucket_of: Vec<u32> = Vec::with_capacity(claims.len());
    let mut snapshots: Vec<Snapshot> = Vec::new();
    let mut index: FastMap<Snapshot, u32> = FastMap::default();
    let mut last: Option<(Snapshot, u32)> = None;
    for c in claims {
        let snapshot = (c.source, c.observed, c.snapshot);
        let bucket = match last {
            Some((s, b)) if s == snapshot => b,
            _ => {
                let b = *index.entry(snapshot).or_insert_with(|| {
                    snapshots.push(snapshot);
                    (snapshots.len() - 1) as u32
                });
                last = Some((snapshot, b));
                b
            }
        };
        bucket_of.push(bucket);
    }
    let rank = rank_by(&snapshots, |s| *s);
    // Positions by snapshot rank (a counting sort, stable), latest claim id first within one.
    let mut start = vec![0u32; snapshots.len() + 1];
    for &b in &bucket_of {
        start[rank[b as usize] + 1] += 1;
    }
    for i in 0..snapshots.len() {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut by_snapshot = vec![0u32; claims.len()];
    for (i, &b) in bucket_of.iter().enumerate() {
        let at = &mut next[rank[b as usize]];
        by_snapshot[*at as usize] = i as u32;
        *at += 1;
    }
    for r in 0..snapshots.len() {
        let group = &mut by_snapshot[start[r] as usize..start[r + 1] as usize];
        let id = |i: &u32| claims[*i as usize].id;
        if group.windows(2).all(|w| id(&w[0]) < id(&w[1])) {
            group.reverse();
        } else {
            group.sort_unstable_by_key(|i| Reverse(id(i)));
        }
    }
    // Then by result, keeping that order.
    let mut start = vec![0u32; results + 1];
    for c in claims {
        start[c.key + 1] += 1;
    }
    for i in 0..results {
        start[i + 1] += start[i];
    }
    let mut order = vec![0u32; start[results] as usize];
    for &i in &by_snapshot {
        let key = claims[i as usize].key;
        let at = &mut start[key];
        order[*at as usize] = i;
        *at += 1;
    }
    order
}

/// The coverage counts of the first pass.
#[derive(Debug, Default)]
struct PassCounts {
    after_as_of: usize,
    considered: usize,
    score: usize,
    in_scope: usize,
    unit_mismatch: usize,
    unresolved: usize,
    unknown_access: usize,
    outside: usize,
}

impl PassCounts {
    fn add_to(&self, c: &mut Coverage) {
        c.claims_after_as_of += self.after_as_of;
        c.claims_considered += self.considered;
        c.score_claims += self.score;
        c.in_scope_score_claims += self.in_scope;
        c.unit_mismatch += self.unit_mismatch;
        c.unresolved_claims += self.unresolved;
        c.unknown_access += self.unknown_access;
        c.outside_cohorts += self.outside;
    }
}

/// Where a classified subject's claims go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Ranked on this side: a cohort, or the subjects of unknown access.
    Cohort(usize),
    /// In neither cohort (limited access, by default): not ranked.
    Outside,
}

#[derive(Debug)]
enum ClassKind<'a> {
    /// These raw names did not resolve.
    Unresolved(Vec<&'a str>),
    /// All names resolved; `subject` numbers the resolved models and system.
    Resolved {
        subject: usize,
        side: Side,
        /// The latest release date of its models, when the registry knows them all.
        released: Option<Date>,
    },
}

/// A classification of subjects, with the claims it kept out of the cohorts.
#[derive(Debug)]
struct PassClass<'a> {
    kind: ClassKind<'a>,
    /// The first subject met with this classification, for naming it.
    subject: gapwatch_model::SubjectId,
    /// Claims left out for an unresolved name or an unknown access.
    left_out: u64,
}

/// What a subject's classification depends on: model names, system, and the name itself
/// when there are no model names.
type ClassKey<'a> = (&'a [String], Option<&'a str>, Option<&'a str>);

fn class_key(subject: &Subject) -> ClassKey<'_> {
    (
        subject.models.as_slice(),
        subject.system.as_deref(),
        // A subject without models is named by itself.
        subject.models.is_empty().then_some(subject.name.as_str()),
    )
}

/// Marks an entry of a per-id cache not yet worked out.
const UNSEEN: u32 = u32::MAX;
/// Marks a benchmark outside the scope.
const OUT_OF_SCOPE: u32 = u32::MAX - 1;
/// The board of a lane that is not of ratings.
const NO_BOARD: u32 = u32::MAX;

/// The first pass over the claims: its counts, and the counted claims with `subject` as an
/// index into `subjects` (by first appearance), `lane` into `lanes`, `key` into `results`,
/// `source` a string id.
#[derive(Debug)]
struct Pass<'a> {
    counts: PassCounts,
    /// Comparison classes met, by first appearance.
    classes_seen: Vec<Settings>,
    /// (benchmark, variant, class)
    rows: Interner<(usize, StrId, usize)>,
    /// (row, basis, board): the board an index into `boards`, or [`NO_BOARD`].
    lanes: Interner<(usize, Evaluator, u32)>,
    /// Leaderboards that ratings were rated on: a source, or its sources' lineage.
    boards: Interner<String>,
    /// Source ids met, in order of first appearance; `source_slot` marks them by string id.
    sources_seen: Vec<StrId>,
    source_slot: Vec<bool>,
    /// Settings of counted claims, in order of first appearance, and each one's place there
    /// by settings id.
    settings_used: Vec<SettingsId>,
    settings_slot: Vec<u32>,
    classes: Vec<PassClass<'a>>,
    subjects: Interner<SubjectKey<'a>>,
    /// (lane, subject, settings)
    results: Interner<(usize, usize, SettingsId)>,
    counted: Vec<ScoreClaim<'a>>,
    impossible: Vec<ImpossibleDate>,
}

impl<'a> Pass<'a> {
    fn run(
        set: &'a ClaimSet,
        registry: &'a Registry,
        story: &'a Story,
        scope: &[ScopeBenchmark<'a>],
        scope_by_id: &HashMap<String, usize>,
        as_of: Date,
        lineages: &BTreeMap<String, String>,
    ) -> Pass<'a> {
        let (strings, subject_count, settings_count) = set.distinct();
        let headlines = effective_headlines(set, registry, scope, scope_by_id, as_of);
        let mut pass = Pass {
            counts: PassCounts::default(),
            classes_seen: Vec::new(),
            rows: Interner::default(),
            lanes: Interner::default(),
            boards: Interner::default(),
            sources_seen: Vec::new(),
            source_slot: vec![false; strings],
            settings_used: Vec::new(),
            settings_slot: vec![UNSEEN; settings_count],
            classes: Vec::new(),
            subjects: Interner::default(),
            results: Interner::default(),
            counted: Vec::with_capacity(set.len()),
            impossible: Vec::new(),
        };
        let mut resolver = Resolver::new(registry);
        // Work that depends on one string or subject only is done once per distinct one.
        let mut bench_of: Vec<u32> = vec![UNSEEN; strings];
        let mut class_of_subject: Vec<u32> = vec![UNSEEN; subject_count];
        let mut class_by_key: FastMap<ClassKey<'a>, usize> = FastMap::default();
        // (benchmark, settings) -> comparison class
        let mut class_of_settings: FastMap<(usize, SettingsId), usize> = FastMap::default();
        let mut class_ids: FastMap<Settings, usize> = FastMap::default();
        let mut last_row: Option<((usize, StrId, usize), usize)> = None;
        // Per source string id, its board (for ratings).
        let mut board_of: Vec<u32> = vec![UNSEEN; strings];
        for (index, rec) in set.rows().iter().enumerate() {
            if rec.observed_on > as_of {
                pass.counts.after_as_of += 1;
                continue;
            }
            pass.counts.considered += 1;
            let seen = &mut pass.source_slot[rec.source.index()];
            if !*seen {
                *seen = true;
                pass.sources_seen.push(rec.source);
            }
            let FactRow::Score {
                benchmark,
                variant,
                settings,
                value,
                unit,
                ..
            } = rec.fact
            else {
                continue;
            };
            pass.counts.score += 1;
            let cached = &mut bench_of[benchmark.index()];
            if *cached == UNSEEN {
                *cached = benchmark_entry(registry, set.str(benchmark))
                    .and_then(|e| scope_by_id.get(&e.id).copied())
                    .map_or(OUT_OF_SCOPE, |b| b as u32);
            }
            if *cached == OUT_OF_SCOPE {
                continue;
            }
            let bench = *cached as usize;
            let Some(entry) = scope[bench].entry else {
                continue;
            };
            pass.counts.in_scope += 1;
            if !value.is_finite() || unit != entry.unit {
                pass.counts.unit_mismatch += 1;
                continue;
            }
            let cached = &mut class_of_subject[rec.subject.index()];
            if *cached == UNSEEN {
                let subject = set.subject(rec.subject);
                let key = class_key(subject);
                let class = match class_by_key.get(&key) {
                    Some(&class) => class,
                    None => {
                        let kind = match resolver.classify(subject) {
                            SubjectClass::Unresolved(names) => ClassKind::Unresolved(names),
                            SubjectClass::Resolved {
                                ids,
                                access,
                                models,
                            } => ClassKind::Resolved {
                                subject: pass.subjects.intern(SubjectKey {
                                    ids,
                                    system: subject.system.as_deref(),
                                }),
                                side: side_of(story, access),
                                released: models.iter().filter_map(|m| m.released).max(),
                            },
                        };
                        pass.classes.push(PassClass {
                            kind,
                            subject: rec.subject,
                            left_out: 0,
                        });
                        class_by_key.insert(key, pass.classes.len() - 1);
                        pass.classes.len() - 1
                    }
                };
                *cached = class as u32;
            }
            let class = &mut pass.classes[*cached as usize];
            let (side, subject, released) = match class.kind {
                ClassKind::Unresolved(_) => {
                    pass.counts.unresolved += 1;
                    class.left_out += 1;
                    continue;
                }
                ClassKind::Resolved {
                    side,
                    subject,
                    released,
                } => match side {
                    Side::Cohort(side) => {
                        if side == UNKNOWN {
                            pass.counts.unknown_access += 1;
                            class.left_out += 1;
                        }
                        (side, subject, released)
                    }
                    Side::Outside => {
                        pass.counts.outside += 1;
                        continue;
                    }
                },
            };
            let class = *class_of_settings
                .entry((bench, settings))
                .or_insert_with(|| {
                    let class = class_of(&headlines[bench], set.settings(settings));
                    *class_ids.entry(class.clone()).or_insert_with(|| {
                        pass.classes_seen.push(class);
                        pass.classes_seen.len() - 1
                    })
                });
            let row_key = (bench, variant, class);
            let row = match last_row {
                Some((k, r)) if k == row_key => r,
                _ => {
                    let r = pass.rows.intern(row_key);
                    last_row = Some((row_key, r));
                    r
                }
            };
            let board = if unit == Unit::Elo {
                let cached = &mut board_of[rec.source.index()];
                if *cached == UNSEEN {
                    let source = set.str(rec.source);
                    let name = lineages.get(source).map_or(source, String::as_str);
                    *cached = pass.boards.intern(name.to_owned()) as u32;
                }
                *cached
            } else {
                NO_BOARD
            };
            let lane = pass.lanes.intern((row, rec.evaluator, board));
            let slot = &mut pass.settings_slot[settings.index()];
            if *slot == UNSEEN {
                *slot = pass.settings_used.len() as u32;
                pass.settings_used.push(settings);
            }
            let result = pass.results.intern((lane, subject, settings));
            let (effective, date_basis, bound) = dated(rec, released, entry.introduced);
            if let Some((reported, earliest, reason)) = bound {
                pass.impossible.push(ImpossibleDate {
                    claim: pass.counted.len(),
                    reported,
                    earliest,
                    reason,
                });
            }
            pass.counted.push(ScoreClaim {
                rec,
                index: index as u32,
                settings,
                unit,
                lane,
                side,
                subject,
                key: result,
                source: rec.source.index(),
                effective,
                date_basis,
                value,
                id: rec.id,
                observed: rec.observed_on,
                snapshot: rec.snapshot_id,
                evaluator: rec.evaluator,
            });
        }
        pass
    }
}

/// The date a result counts from, where it comes from, and the bound it broke when the
/// source's date cannot be true.
///
/// A date the source gives counts when it is possible: not after the observation, not before
/// the model's release (the newest model's, for a system) nor the benchmark's introduction.
/// Otherwise the earliest possible date stands in (the later of release and introduction),
/// when the registry knows it and it is no later than the observation; failing that, the
/// observation itself. Stand-ins are marked, and lags resting on them are approximate.
#[allow(clippy::type_complexity)]
fn dated(
    rec: &ClaimRow,
    released: Option<Date>,
    introduced: Option<Date>,
) -> (Date, DateBasis, Option<(Date, Date, DateBoundReason)>) {
    let observed = rec.observed_on;
    let earliest = match (released, introduced) {
        (Some(r), Some(i)) => Some(r.max(i)),
        (r, i) => r.or(i),
    };
    let stand_in = |basis: DateBasis| match released.and(earliest).filter(|&e| e <= observed) {
        Some(e) => (e, basis),
        None => (
            observed,
            if basis == DateBasis::Released {
                DateBasis::Observed
            } else {
                basis
            },
        ),
    };
    let Some(reported) = rec.reported_on else {
        let (d, b) = stand_in(DateBasis::Released);
        return (d, b, None);
    };
    if reported > observed {
        // A result dated after it was seen is not believed.
        let (d, b) = stand_in(DateBasis::Corrected);
        return (d, b, None);
    }
    let broken = match (released, introduced) {
        (Some(r), _) if reported < r => Some((r, DateBoundReason::ModelRelease)),
        (_, Some(i)) if reported < i => Some((i, DateBoundReason::BenchmarkIntroduced)),
        _ => None,
    };
    match broken {
        Some((bound, reason)) => {
            let d = earliest.filter(|&e| e <= observed).unwrap_or(observed);
            (d, DateBasis::Corrected, Some((reported, bound, reason)))
        }
        None => (reported, DateBasis::Reported, None),
    }
}

/// The side a subject of this access is ranked on, if any.
fn side_of(story: &Story, access: Access) -> Side {
    if story.incumbent.access.contains(&access) {
        Side::Cohort(INCUMBENT)
    } else if story.challenger.access.contains(&access) {
        Side::Cohort(CHALLENGER)
    } else if access == Access::Unknown {
        Side::Cohort(UNKNOWN)
    } else {
        Side::Outside
    }
}

/// Numbers distinct values in order of first appearance.
#[derive(Debug)]
struct Interner<T> {
    index: FastMap<T, usize>,
    values: Vec<T>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self {
            index: FastMap::default(),
            values: Vec::new(),
        }
    }
}

impl<T: Clone + Eq + Hash + Ord> Interner<T> {
    fn intern(&mut self, value: T) -> usize {
        if let Some(&i) = self.index.get(&value) {
            return i;
        }
        let i = self.values.len();
        self.index.insert(value.clone(), i);
        self.values.push(value);
        i
    }

    /// The values sorted, and for each first-appearance number its rank among them.
    fn sorted(self) -> (Vec<T>, Vec<usize>) {
        let mut order: Vec<usize> = (0..self.values.len()).collect();
        order.sort_by(|&a, &b| self.values[a].cmp(&self.values[b]));
        let mut rank = vec![0; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        let mut values: Vec<Option<T>> = self.values.into_iter().map(Some).collect();
        let sorted = order.iter().filter_map(|&i| values[i].take()).collect();
        (sorted, rank)
    }
}

fn build_scope<'a>(
    registry: &'a Registry,
    story: &Story,
) -> (Vec<ScopeBenchmark<'a>>, HashMap<String, usize>) {
    let mut scope = Vec::new();
    let mut by_id = HashMap::new();
    let named = story.benchmarks.iter().map(|b| (b, true)).chain(
        story
            .forecasts
            .iter()
            .flat_map(|f| f.benchmarks.iter())
            .map(|b| (b, false)),
    );
    for (name, in_story) in named {
        let entry = benchmark_entry(registry, name);
        let id = entry.map_or_else(|| name.clone(), |e| e.id.clone());
        if by_id.contains_key(&id) {
            continue;
        }
        by_id.insert(id.clone(), scope.len());
        scope.push(ScopeBenchmark {
            id,
            entry,
            in_story,
        });
    }
    (scope, by_id)
}

/// The role of a benchmark's row with this variant and class.
fn role_of(entry: Option<&BenchmarkEntry>, variant: &str, class: &Settings) -> RowRole {
    let headline_variant = entry.map_or("", |e| e.headline.variant.as_str());
    if entry.is_some_and(|e| e.subscores.iter().any(|s| s == variant)) {
        RowRole::Subscore
    } else if variant != headline_variant {
        RowRole::Split
    } else if class.is_empty() {
        RowRole::Headline
    } else {
        RowRole::OtherSettings
    }
}

/// Where a benchmark's rows of this role come in its list: the headline row, then its
/// other settings, then other splits, then sub-scores.
fn display_rank(role: RowRole) -> u8 {
    match role {
        RowRole::Headline => 0,
        RowRole::OtherSettings => 1,
        RowRole::Split => 2,
        RowRole::Subscore => 3,
    }
}

/// Rows in display order: per benchmark, the headline row first (present even without
/// results), then the headline variant's other settings, then other splits in the
/// registry's order, then sub-scores; classes alphabetically. Returns the rows and, per
/// pass row, its index.
fn build_rows(
    scope: &[ScopeBenchmark<'_>],
    pass_rows: &[(usize, &str, &Settings)],
) -> (Vec<Row>, Vec<usize>) {
    // (benchmark, role, (unknown variant, variant's place in the registry, variant), class,
    // pass row)
    type Keyed = (
        usize,
        RowRole,
        (bool, Option<usize>, String),
        Settings,
        Option<usize>,
    );
    let mut keyed: Vec<Keyed> = Vec::new();
    let known = |bench: usize| -> &[String] { scope[bench].entry.map_or(&[], |e| &e.variants) };
    for (i, &(bench, variant, class)) in pass_rows.iter().enumerate() {
        let role = role_of(scope[bench].entry, variant, class);
        let pos = known(bench).iter().position(|k| k == variant);
        keyed.push((
            bench,
            role,
            (pos.is_none(), pos, variant.to_owned()),
            class.clone(),
            Some(i),
        ));
    }
    for (bench, sb) in scope.iter().enumerate() {
        let has_headline = keyed
            .iter()
            .any(|k| k.0 == bench && k.1 == RowRole::Headline);
        let variant = sb.entry.map_or("", |e| e.headline.variant.as_str());
        if !has_headline && (sb.entry.is_some() || !keyed.iter().any(|k| k.0 == bench)) {
            let pos = known(bench).iter().position(|k| k == variant);
            keyed.push((
                bench,
                RowRole::Headline,
                (pos.is_none(), pos, variant.to_owned()),
                Settings::new(),
                None,
            ));
        }
    }
    keyed.sort_by(|a, b| {
        (a.0, display_rank(a.1), &a.2, &a.3).cmp(&(b.0, display_rank(b.1), &b.2, &b.3))
    });
    let mut row_of_pass = vec![0; pass_rows.len()];
    let rows = keyed
        .into_iter()
        .enumerate()
        .map(|(r, (bench, role, (_, _, variant), class, pass))| {
            if let Some(p) = pass {
                row_of_pass[p] = r;
            }
            Row {
                bench,
                variant,
                class,
                role,
                lanes: 0..0,
            }
        })
        .collect();
    (rows, row_of_pass)
}

/// Groups claims (sorted by key, then source, then snapshot) into results, and works out
/// which claim counts for each result from each date on.
fn build_keys(claims: &[ScoreClaim<'_>], order: &[u32]) -> KeyTable {
    let key = |i: usize| claims[order[i] as usize].key;
    // Large inputs are split in two at a result boundary, each half worked on a thread.
    let mut middle = order.len() / 2;
    while middle > 0 && middle < order.len() && key(middle) == key(middle - 1) {
        middle += 1;
    }
    if order.len() < PARALLEL_FROM || middle >= order.len() {
        return build_keys_part(claims, order);
    }
    let (first, second) = order.split_at(middle);
    let (mut table, rest) = std::thread::scope(|threads| {
        let rest = threads.spawn(|| build_keys_part(claims, second));
        let table = build_keys_part(claims, first);
        let rest = rest
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (table, rest)
    });
    let (events, sources) = (table.events.len(), table.sources.len());
    table.keys.extend(rest.keys.into_iter().map(|k| ResultKey {
        events: k.events.start + events..k.events.end + events,
        per_source: k.per_source.start + sources..k.per_source.end + sources,
        ..k
    }));
    table.events.extend(rest.events);
    table.sources.extend(rest.sources);
    table
}

/// [`build_keys`] over whole results, on the calling thread.
fn build_keys_part(claims: &[ScoreClaim<'_>], order: &[u32]) -> KeyTable {
    let mut table = KeyTable::default();
    let mut scratch = Scratch::default();
    let key = |i: usize| claims[order[i] as usize].key;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && key(end) == key(start) {
            end += 1;
        }
        key_events(claims, &order[start..end], &mut scratch, &mut table);
        start = end;
    }
    table
}

/// Buffers reused from one result to the next.
#[derive(Debug, Default)]
struct Scratch {
    by_date: Vec<usize>,
    changes: Vec<(Date, usize, usize)>,
    per_source: Vec<Option<usize>>,
}

fn key_events(
    claims: &[ScoreClaim<'_>],
    group: &[u32],
    scratch: &mut Scratch,
    table: &mut KeyTable,
) {
    // Per source: the claim current on each date is the one from the latest snapshot among
    // those whose date has come. A later snapshot repeating the same value does not replace
    // the claim that first showed it: the result dates from its first appearance.
    let changes = &mut scratch.changes;
    changes.clear();
    let mut slot = 0;
    let mut s = 0;
    let source = |i: usize| claims[group[i] as usize].source;
    while s < group.len() {
        let mut e = s + 1;
        while e < group.len() && source(e) == source(s) {
            e += 1;
        }
        let by_date = &mut scratch.by_date;
        by_date.clear();
        by_date.extend(group[s..e].iter().map(|&i| i as usize));
        // Stable: claims of one date stay in snapshot order, whatever the input order.
        by_date.sort_by_key(|&i| claims[i].effective);
        let mut current: Option<usize> = None;
        let mut i = 0;
        while i < by_date.len() {
            let date = claims[by_date[i]].effective;
            let before = current;
            while i < by_date.len() && claims[by_date[i]].effective == date {
                let c = by_date[i];
                let replaces = current.is_none_or(|cur| {
                    claims[c].snapshot_rank() > claims[cur].snapshot_rank()
                        && (claims[c].value.to_bits() != claims[cur].value.to_bits()
                            || claims[c].same_snapshot(&claims[cur])
                            || (claims[cur].date_basis != DateBasis::Reported
                                && claims[c].date_basis == DateBasis::Reported))
                });
                if replaces {
                    current = Some(c);
                }
                i += 1;
            }
            if let Some(cur) = current.filter(|&c| Some(c) != before) {
                changes.push((date, slot, cur));
            }
        }
        slot += 1;
        s = e;
    }
    changes.sort_unstable();

    // Across sources: on each date the preferred of the sources' current claims counts.
    // Only a change to the chosen source's claim forces a full re-choice; any other change
    // can only win or lose against the chosen claim.
    let per_source = &mut scratch.per_source;
    per_source.clear();
    per_source.resize(slot, None);
    let events_start = table.events.len();
    let mut chosen: Option<(usize, usize)> = None; // (slot, claim)
    let mut i = 0;
    while i < changes.len() {
        let date = changes[i].0;
        let before = chosen.map(|(_, c)| c);
        while i < changes.len() && changes[i].0 == date {
            let (_, slot, claim) = changes[i];
            per_source[slot] = Some(claim);
            chosen = match chosen {
                Some((s, _)) if s == slot => per_source
                    .iter()
                    .enumerate()
                    .filter_map(|(s, c)| c.map(|c| (s, c)))
                    .min_by(|a, b| preference(&claims[a.1], &claims[b.1])),
                Some((s, c)) if preference(&claims[c], &claims[claim]).is_le() => Some((s, c)),
                _ => Some((slot, claim)),
            };
            i += 1;
        }
        if let Some((_, c)) = chosen.filter(|&(_, c)| Some(c) != before) {
            table.events.push((date, c));
        }
    }
    let sources_start = table.sources.len();
    table.sources.extend(per_source.iter().flatten());
    let first = &claims[group[0] as usize];
    table.keys.push(ResultKey {
        lane: first.lane,
        side: first.side,
        subject: first.subject,
        settings: first.settings,
        events: events_start..table.events.len(),
        per_source: sources_start..table.sources.len(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_class_ignores_unstated_and_matching_settings() {
        let mut entry = BenchmarkEntry {
            id: "b".into(),
            name: "B".into(),
            metric: String::new(),
            unit: Unit::Percent,
            higher_is_better: true,
            saturated: false,
            variants: Vec::new(),
            subscores: vec!["live".into()],
            headline: Default::default(),
            introduced: None,
            aliases: Vec::new(),
        };
        entry
            .headline
            .settings
            .insert("attempts".into(), "1".into());
        let s = |pairs: &[(&str, &str)]| -> Settings {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let entry_headline = entry.headline.settings.clone();
        assert!(class_of(&entry_headline, &s(&[])).is_empty());
        assert_eq!(setting_key_value("5-shot"), "5");
        assert_eq!(setting_key_value("2+"), "2+");
        assert_eq!(setting_key_value("True"), "true");
        assert!(class_of(&entry_headline, &s(&[("attempts", "1"), ("mode", "FC")])).is_empty());
        assert_eq!(
            class_of(&entry_headline, &s(&[("attempts", "2+")])),
            s(&[("attempts", "2+")])
        );
        assert_eq!(unstated(Some(&entry), &s(&[("mode", "FC")])), ["attempts"]);
        assert_eq!(
            role_of(Some(&entry), "", &Settings::new()),
            RowRole::Headline
        );
        assert_eq!(
            role_of(Some(&entry), "", &s(&[("attempts", "2+")])),
            RowRole::OtherSettings
        );
        assert_eq!(
            role_of(Some(&entry), "live", &Settings::new()),
            RowRole::Subscore
        );
        assert_eq!(
            role_of(Some(&entry), "test", &Settings::new()),
            RowRole::Split
        );
    }
}
