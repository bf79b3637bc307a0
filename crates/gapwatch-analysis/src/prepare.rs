//! Which claims count: the benchmarks in scope, the cohort of each subject, and for every
//! result (subject, benchmark, variant, settings) the claim chosen on each date.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::ops::Range;

use gapwatch_model::{
    Access, BenchmarkEntry, ClaimRecord, Date, Evaluator, Fact, ModelEntry, Registry, Score,
    Settings, Story, Subject,
};

use crate::hashing::FastMap;
use crate::text;
use crate::{CohortCoverage, Coverage};

/// Index of the incumbent cohort in per-cohort arrays.
pub(crate) const INCUMBENT: usize = 0;
/// Index of the challenger cohort in per-cohort arrays.
pub(crate) const CHALLENGER: usize = 1;

/// A benchmark the story or one of its forecasts names.
#[derive(Debug)]
pub(crate) struct ScopeBenchmark<'a> {
    /// The canonical id, or the name as written when the registry does not know it.
    pub(crate) id: String,
    pub(crate) entry: Option<&'a BenchmarkEntry>,
    /// False for a benchmark only a forecast names.
    pub(crate) in_story: bool,
}

/// One benchmark and variant.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) bench: usize,
    pub(crate) variant: String,
}

/// A score claim counted for a cohort.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScoreClaim<'a> {
    pub(crate) rec: &'a ClaimRecord,
    pub(crate) score: &'a Score,
    pub(crate) row: usize,
    pub(crate) side: usize,
    /// Index into [`Prepared::subjects`]; equal indices mean equal models and system.
    pub(crate) subject: usize,
    /// Rank of the result (row, subject, settings); equal means the same result.
    key: usize,
    /// Rank of the source id among all source ids.
    source: usize,
    pub(crate) effective: Date,
    // Copies of the record's fields that sorting and selection compare, kept inline so that
    // the hot loops do not chase pointers.
    pub(crate) value: f64,
    pub(crate) id: i64,
    observed: Date,
    snapshot: i64,
    evaluator_rank: u8,
}

impl ScoreClaim<'_> {
    /// Whether two claims are about the same subject (models and system), whatever the
    /// settings.
    pub(crate) fn same_subject(&self, other: &ScoreClaim<'_>) -> bool {
        self.subject == other.subject
    }

    fn key(&self) -> usize {
        self.key
    }

    /// Within a source: the latest snapshot supersedes; within one snapshot the lowest id.
    fn snapshot_rank(&self) -> (Date, i64, Reverse<i64>) {
        (self.observed, self.snapshot, Reverse(self.id))
    }
}

/// A classified subject: its resolved models, sorted and distinct, and its system.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct SubjectKey<'a> {
    pub(crate) ids: Vec<&'a str>,
    pub(crate) system: Option<&'a str>,
}

/// One result: a subject on a benchmark and variant with given settings.
#[derive(Debug)]
pub(crate) struct ResultKey {
    pub(crate) row: usize,
    pub(crate) side: usize,
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

/// The claims sorted out for analysis.
#[derive(Debug)]
pub(crate) struct Prepared<'a> {
    pub(crate) scope: Vec<ScopeBenchmark<'a>>,
    scope_by_id: HashMap<String, usize>,
    pub(crate) rows: Vec<Row>,
    /// The distinct subjects of the claims, sorted.
    pub(crate) subjects: Vec<SubjectKey<'a>>,
    pub(crate) claims: Vec<ScoreClaim<'a>>,
    pub(crate) keys: KeyTable,
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

/// Third-party results count over unknown ones, and those over self-reported ones.
fn evaluator_rank(e: Evaluator) -> u8 {
    match e {
        Evaluator::ThirdParty => 0,
        Evaluator::Unknown => 1,
        Evaluator::SelfReported => 2,
    }
}

/// Across sources: `Less` when `a` is the claim that counts over `b`.
pub(crate) fn preference(a: &ScoreClaim<'_>, b: &ScoreClaim<'_>) -> Ordering {
    a.evaluator_rank
        .cmp(&b.evaluator_rank)
        .then_with(|| b.effective.cmp(&a.effective))
        .then_with(|| b.observed.cmp(&a.observed))
        .then_with(|| a.id.cmp(&b.id))
}

/// Within a source: the latest snapshot supersedes; within one snapshot the lowest id.
pub(crate) fn snapshot_rank(rec: &ClaimRecord) -> (Date, i64, Reverse<i64>) {
    (rec.observed_on, rec.snapshot_id, Reverse(rec.id))
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(
        claims: &'a [ClaimRecord],
        registry: &'a Registry,
        story: &'a Story,
        as_of: Date,
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

        // The first pass reads every claim once; it is split over the cores for large inputs,
        // each part numbering what it meets on its own, and the parts are merged after.
        let inputs = PassInputs {
            registry,
            story,
            scope: &scope,
            scope_by_id: &scope_by_id,
            as_of,
        };
        let parts = split(claims);
        let passes: Vec<Pass<'a>> = if parts.len() == 1 {
            vec![Pass::run(claims, &inputs)]
        } else {
            std::thread::scope(|threads| {
                let handles: Vec<_> = parts
                    .iter()
                    .map(|part| {
                        let inputs = &inputs;
                        threads.spawn(move || Pass::run(part, inputs))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect()
            })
        };

        // Merge: the parts' numbers become global ones. Interned numbers follow first
        // appearance; ranking them below makes the order canonical whatever the split.
        let mut variants: Vec<BTreeSet<&'a str>> = vec![BTreeSet::new(); scope.len()];
        let mut unknown_subjects: BTreeMap<String, u64> = BTreeMap::new();
        let mut subjects: Interner<SubjectKey<'a>> = Interner::default();
        let mut settings: Interner<&'a Settings> = Interner::default();
        let mut source_ix: Interner<&'a str> = Interner::default();
        let mut variant_ix: Interner<&'a str> = Interner::default();
        // (benchmark, variant, subject, settings)
        let mut results: Interner<(usize, usize, usize, usize)> = Interner::default();
        let mut parts_counted: Vec<Vec<ScoreClaim<'a>>> = Vec::with_capacity(passes.len());
        for pass in passes {
            pass.counts.add_to(&mut coverage);
            for (bench, set) in pass.variants.into_iter().enumerate() {
                variants[bench].extend(set);
            }
            let source_map: Vec<usize> = pass
                .sources
                .values
                .iter()
                .map(|s| source_ix.intern(*s))
                .collect();
            let settings_map: Vec<usize> = pass
                .settings
                .values
                .iter()
                .map(|s| settings.intern(*s))
                .collect();
            let variant_map: Vec<usize> = pass
                .variants_seen
                .values
                .iter()
                .map(|v| variant_ix.intern(*v))
                .collect();
            let mut subject_map: Vec<usize> = Vec::with_capacity(pass.classes.len());
            for class in pass.classes {
                match class.kind {
                    ClassKind::Unresolved(names) => {
                        for name in names {
                            *coverage.unresolved.entry(name.to_owned()).or_default() +=
                                class.left_out;
                        }
                        subject_map.push(usize::MAX);
                    }
                    ClassKind::Resolved { key, side } => {
                        if side == Side::Unknown && class.left_out > 0 {
                            let name = text::subject(registry, class.subject);
                            *unknown_subjects.entry(name).or_default() += class.left_out;
                        }
                        subject_map.push(subjects.intern(key));
                    }
                }
            }
            let result_map: Vec<usize> = pass
                .results
                .values
                .iter()
                .map(|&(bench, variant, class, setting)| {
                    results.intern((
                        bench,
                        variant_map[variant],
                        subject_map[class],
                        settings_map[setting],
                    ))
                })
                .collect();
            let mut counted = pass.counted;
            for c in &mut counted {
                c.source = source_map[c.source];
                c.subject = subject_map[c.subject];
                c.key = result_map[c.key];
            }
            parts_counted.push(counted);
        }
        coverage.unknown_access_subjects = unknown_subjects;

        let rows = build_rows(&scope, &variants);
        let row_of: HashMap<(usize, &str), usize> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.bench, r.variant.as_str()), i))
            .collect();
        let (subjects, subject_rank) = subjects.sorted();
        let (_, settings_rank) = settings.sorted();
        let (sources, source_rank) = source_ix.sorted();
        coverage.sources = sources.len();
        coverage.source_ids = sources.into_iter().map(str::to_owned).collect();
        // Each result's row, and its rank in (row, subject, settings) order.
        let results = results.values;
        let variant_names = variant_ix.values;
        let result_row: Vec<Option<usize>> = results
            .iter()
            .map(|&(bench, variant, _, _)| row_of.get(&(bench, variant_names[variant])).copied())
            .collect();
        let sort_key = |i: usize| {
            let (_, _, subject, settings) = results[i];
            (
                result_row[i],
                subject_rank[subject],
                settings_rank[settings],
            )
        };
        let mut result_order: Vec<usize> = (0..results.len()).collect();
        result_order.sort_unstable_by_key(|&i| sort_key(i));
        let mut result_rank = vec![0; results.len()];
        for (r, &i) in result_order.iter().enumerate() {
            result_rank[i] = r;
        }
        for c in parts_counted.iter_mut().flatten() {
            match result_row[c.key] {
                // A result whose variant has no row is left out.
                None => c.key = usize::MAX,
                Some(row) => {
                    c.row = row;
                    c.key = result_rank[c.key];
                    c.subject = subject_rank[c.subject];
                    c.source = source_rank[c.source];
                }
            }
        }
        let score_claims = sort_by_result(&parts_counted, results.len());
        drop(parts_counted);

        let keys = build_keys(&score_claims);
        let mut seen = vec![[false; 2]; subjects.len()];
        let mut claims_per_side = [0usize; 2];
        let mut subjects_per_side = [0usize; 2];
        for c in &score_claims {
            claims_per_side[c.side] += 1;
            if !std::mem::replace(&mut seen[c.subject][c.side], true) {
                subjects_per_side[c.side] += 1;
            }
        }
        coverage.incumbent.score_claims = claims_per_side[INCUMBENT];
        coverage.incumbent.subjects = subjects_per_side[INCUMBENT];
        coverage.challenger.score_claims = claims_per_side[CHALLENGER];
        coverage.challenger.subjects = subjects_per_side[CHALLENGER];

        Prepared {
            scope,
            scope_by_id,
            rows,
            subjects,
            claims: score_claims,
            keys,
            coverage,
        }
    }

    /// The scope index of a benchmark named by a story or forecast.
    pub(crate) fn scope_index(&self, registry: &Registry, name: &str) -> Option<usize> {
        let id = benchmark_entry(registry, name).map_or(name, |e| e.id.as_str());
        self.scope_by_id.get(id).copied()
    }

    /// The main row of a benchmark: its first variant in display order.
    pub(crate) fn main_row(&self, bench: usize) -> Option<usize> {
        self.rows.iter().position(|r| r.bench == bench)
    }
}

/// Below this many claims the first pass runs on the calling thread: starting threads would
/// cost more than it saves.
const PARALLEL_FROM: usize = 50_000;

/// The claims in contiguous parts, one per core for large inputs.
fn split(claims: &[ClaimRecord]) -> Vec<&[ClaimRecord]> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let parts = if claims.len() < PARALLEL_FROM {
        1
    } else {
        cores.clamp(1, 8)
    };
    let size = claims.len().div_ceil(parts).max(1);
    claims.chunks(size).collect()
}

/// The counted claims of every part in one list sorted by result, then source, then
/// snapshot: a counting sort on the result rank (dense, from 0; `usize::MAX` leaves a claim
/// out) and a small sort within each result. Claims are moved once, at the end.
fn sort_by_result<'a>(parts: &[Vec<ScoreClaim<'a>>], results: usize) -> Vec<ScoreClaim<'a>> {
    let mut start = vec![0usize; results + 1];
    for c in parts.iter().flatten() {
        if c.key != usize::MAX {
            start[c.key + 1] += 1;
        }
    }
    for i in 0..results {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    // The sort key is copied next to each claim's place, so that sorting a result's claims
    // reads no claim: (source, snapshot rank, part, index within the part).
    type Entry = (usize, (Date, i64, Reverse<i64>), u32, u32);
    let placeholder: Entry = (0, (Date::from_days_since_epoch(0), 0, Reverse(0)), 0, 0);
    let mut order: Vec<Entry> = vec![placeholder; start[results]];
    for (p, part) in parts.iter().enumerate() {
        for (i, c) in part.iter().enumerate() {
            if c.key != usize::MAX {
                order[next[c.key]] = (c.source, c.snapshot_rank(), p as u32, i as u32);
                next[c.key] += 1;
            }
        }
    }
    for r in 0..results {
        let group = &mut order[start[r]..start[r + 1]];
        if group.len() > 1 {
            group.sort_unstable_by_key(|e| (e.0, e.1));
        }
    }
    order
        .iter()
        .map(|&(_, _, p, i)| parts[p as usize][i as usize])
        .collect()
}

/// What every part of the first pass reads.
struct PassInputs<'a, 's> {
    registry: &'a Registry,
    story: &'a Story,
    scope: &'s [ScopeBenchmark<'a>],
    scope_by_id: &'s HashMap<String, usize>,
    as_of: Date,
}

/// The coverage counts of one part.
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
    Cohort(usize),
    Unknown,
    Outside,
}

#[derive(Debug)]
enum ClassKind<'a> {
    /// These raw names did not resolve.
    Unresolved(Vec<&'a str>),
    Resolved {
        key: SubjectKey<'a>,
        side: Side,
    },
}

/// A subject as classified by one part, with the claims it kept out of the cohorts.
#[derive(Debug)]
struct PassClass<'a> {
    kind: ClassKind<'a>,
    /// The first subject met with this classification, for naming it.
    subject: &'a Subject,
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

/// One part of the first pass: its counts, and its counted claims with numbers local to it
/// (`source`, `subject` as its class, `key` as its result).
#[derive(Debug)]
struct Pass<'a> {
    counts: PassCounts,
    sources: Interner<&'a str>,
    variants: Vec<BTreeSet<&'a str>>,
    variants_seen: Interner<&'a str>,
    settings: Interner<&'a Settings>,
    classes: Vec<PassClass<'a>>,
    /// (benchmark, variant, class, settings)
    results: Interner<(usize, usize, usize, usize)>,
    counted: Vec<ScoreClaim<'a>>,
}

impl<'a> Pass<'a> {
    fn run(claims: &'a [ClaimRecord], inputs: &PassInputs<'a, '_>) -> Pass<'a> {
        let PassInputs {
            registry,
            story,
            scope,
            scope_by_id,
            as_of,
        } = *inputs;
        let mut pass = Pass {
            counts: PassCounts::default(),
            sources: Interner::default(),
            variants: vec![BTreeSet::new(); scope.len()],
            variants_seen: Interner::default(),
            settings: Interner::default(),
            classes: Vec::new(),
            results: Interner::default(),
            counted: Vec::with_capacity(claims.len()),
        };
        let mut resolver = Resolver::new(registry);
        let mut bench_cache: FastMap<&'a str, Option<usize>> = FastMap::default();
        let mut class_of: FastMap<ClassKey<'a>, usize> = FastMap::default();
        // Neighbouring claims tend to share their source, benchmark and subject (a row of a
        // board, a board of a snapshot): comparing with the previous claim first saves most
        // hash lookups.
        let mut last_source: Option<(&'a str, usize)> = None;
        let mut last_bench: Option<(&'a str, Option<usize>)> = None;
        let mut last_variant: Option<(usize, &'a str, usize)> = None;
        let mut last_class: Option<(ClassKey<'a>, usize)> = None;
        for rec in claims {
            if rec.observed_on > as_of {
                pass.counts.after_as_of += 1;
                continue;
            }
            pass.counts.considered += 1;
            let source_id = rec.source_id.as_str();
            let source = match last_source {
                Some((s, ix)) if s == source_id => ix,
                _ => {
                    let ix = pass.sources.intern(source_id);
                    last_source = Some((source_id, ix));
                    ix
                }
            };
            let Fact::Score(score) = &rec.claim.fact else {
                continue;
            };
            pass.counts.score += 1;
            let bench = match last_bench {
                Some((b, ix)) if b == score.benchmark => ix,
                _ => {
                    let ix = *bench_cache
                        .entry(score.benchmark.as_str())
                        .or_insert_with(|| {
                            benchmark_entry(registry, &score.benchmark)
                                .and_then(|e| scope_by_id.get(&e.id).copied())
                        });
                    last_bench = Some((score.benchmark.as_str(), ix));
                    ix
                }
            };
            let Some(bench) = bench else { continue };
            let Some(entry) = scope[bench].entry else {
                continue;
            };
            pass.counts.in_scope += 1;
            let variant = match last_variant {
                Some((b, v, ix)) if b == bench && v == score.variant => ix,
                _ => {
                    pass.variants[bench].insert(score.variant.as_str());
                    let ix = pass.variants_seen.intern(score.variant.as_str());
                    last_variant = Some((bench, score.variant.as_str(), ix));
                    ix
                }
            };
            if !score.value.is_finite() || score.unit != entry.unit {
                pass.counts.unit_mismatch += 1;
                continue;
            }
            let subject = &rec.claim.subject;
            let key = class_key(subject);
            let class = match last_class {
                Some((k, ix)) if k == key => ix,
                _ => {
                    let ix = match class_of.get(&key) {
                        Some(&ix) => ix,
                        None => {
                            let kind = match resolver.classify(subject) {
                                SubjectClass::Unresolved(names) => ClassKind::Unresolved(names),
                                SubjectClass::Resolved { ids, access, .. } => ClassKind::Resolved {
                                    key: SubjectKey {
                                        ids,
                                        system: subject.system.as_deref(),
                                    },
                                    side: side_of(story, access),
                                },
                            };
                            pass.classes.push(PassClass {
                                kind,
                                subject,
                                left_out: 0,
                            });
                            class_of.insert(key, pass.classes.len() - 1);
                            pass.classes.len() - 1
                        }
                    };
                    last_class = Some((key, ix));
                    ix
                }
            };
            let class_entry = &mut pass.classes[class];
            let side = match &class_entry.kind {
                ClassKind::Unresolved(_) => {
                    pass.counts.unresolved += 1;
                    class_entry.left_out += 1;
                    continue;
                }
                ClassKind::Resolved { side, .. } => match *side {
                    Side::Cohort(side) => side,
                    Side::Unknown => {
                        pass.counts.unknown_access += 1;
                        class_entry.left_out += 1;
                        continue;
                    }
                    Side::Outside => {
                        pass.counts.outside += 1;
                        continue;
                    }
                },
            };
            let settings = pass.settings.intern(&score.settings);
            let result = pass.results.intern((bench, variant, class, settings));
            pass.counted.push(ScoreClaim {
                rec,
                score,
                row: bench,
                side,
                subject: class,
                key: result,
                source,
                effective: rec.effective_date(),
                value: score.value,
                id: rec.id,
                observed: rec.observed_on,
                snapshot: rec.snapshot_id,
                evaluator_rank: evaluator_rank(rec.claim.evaluator),
            });
        }
        pass
    }
}

/// The cohort a subject of this access belongs to, if any.
fn side_of(story: &Story, access: Access) -> Side {
    if story.incumbent.access.contains(&access) {
        Side::Cohort(INCUMBENT)
    } else if story.challenger.access.contains(&access) {
        Side::Cohort(CHALLENGER)
    } else if access == Access::Unknown {
        Side::Unknown
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

/// Variants in display order: the main (empty) one, then the registry's order, then the rest
/// alphabetically. A benchmark without results still gets one row, so that it shows as empty.
fn build_rows(scope: &[ScopeBenchmark<'_>], variants: &[BTreeSet<&str>]) -> Vec<Row> {
    let mut rows = Vec::new();
    for (bench, (sb, present)) in scope.iter().zip(variants).enumerate() {
        let known: &[String] = sb.entry.map_or(&[], |e| e.variants.as_slice());
        let mut ordered: Vec<&str> = present.iter().copied().collect();
        ordered.sort_by_key(|v| {
            let pos = known.iter().position(|k| k == v);
            (!v.is_empty(), pos.is_none(), pos, *v)
        });
        if ordered.is_empty() {
            ordered.push("");
        }
        rows.extend(ordered.into_iter().map(|v| Row {
            bench,
            variant: v.to_owned(),
        }));
    }
    rows
}

/// Groups claims (sorted by key, then source, then snapshot) into results, and works out
/// which claim counts for each result from each date on.
fn build_keys(claims: &[ScoreClaim<'_>]) -> KeyTable {
    let mut table = KeyTable::default();
    let mut scratch = Scratch::default();
    let mut start = 0;
    while start < claims.len() {
        let mut end = start + 1;
        while end < claims.len() && claims[end].key() == claims[start].key() {
            end += 1;
        }
        key_events(claims, start, end, &mut scratch, &mut table);
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
    start: usize,
    end: usize,
    scratch: &mut Scratch,
    table: &mut KeyTable,
) {
    // Per source: the claim current on each date is the one from the latest snapshot among
    // those whose effective date has come.
    let changes = &mut scratch.changes;
    changes.clear();
    let mut slot = 0;
    let mut s = start;
    while s < end {
        let mut e = s + 1;
        while e < end && claims[e].source == claims[s].source {
            e += 1;
        }
        let by_date = &mut scratch.by_date;
        by_date.clear();
        by_date.extend(s..e);
        by_date.sort_by_key(|&i| (claims[i].effective, i));
        let mut current: Option<usize> = None;
        let mut i = 0;
        while i < by_date.len() {
            let date = claims[by_date[i]].effective;
            let before = current;
            while i < by_date.len() && claims[by_date[i]].effective == date {
                let c = by_date[i];
                if current.is_none_or(|cur| claims[c].snapshot_rank() > claims[cur].snapshot_rank())
                {
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
    table.keys.push(ResultKey {
        row: claims[start].row,
        side: claims[start].side,
        events: events_start..table.events.len(),
        per_source: sources_start..table.sources.len(),
    });
}
