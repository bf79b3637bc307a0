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
        let mut resolver = Resolver::new(registry);
        let mut bench_cache: FastMap<&'a str, Option<usize>> = FastMap::default();
        let mut variants: Vec<BTreeSet<&'a str>> = vec![BTreeSet::new(); scope.len()];
        let mut unknown_subjects: BTreeMap<String, u64> = BTreeMap::new();
        // Claims recur for the same few subjects and settings: classify and intern them once.
        let mut classes: FastMap<ClassKey<'a>, Class<'a>> = FastMap::default();
        let mut subjects: Interner<SubjectKey<'a>> = Interner::default();
        let mut settings: Interner<&'a Settings> = Interner::default();
        let mut source_ix: Interner<&'a str> = Interner::default();
        // (benchmark, variant, subject, settings)
        let mut results: Interner<(usize, &'a str, usize, usize)> = Interner::default();
        // Rows are numbered once all variants are known; until then `row` is the benchmark.
        let mut counted: Vec<ScoreClaim<'a>> = Vec::new();

        for rec in claims {
            if rec.observed_on > as_of {
                coverage.claims_after_as_of += 1;
                continue;
            }
            coverage.claims_considered += 1;
            let source = source_ix.intern(rec.source_id.as_str());
            let Fact::Score(score) = &rec.claim.fact else {
                continue;
            };
            coverage.score_claims += 1;
            let bench = *bench_cache
                .entry(score.benchmark.as_str())
                .or_insert_with(|| {
                    benchmark_entry(registry, &score.benchmark)
                        .and_then(|e| scope_by_id.get(&e.id).copied())
                });
            let Some(bench) = bench else { continue };
            let Some(entry) = scope[bench].entry else {
                continue;
            };
            coverage.in_scope_score_claims += 1;
            variants[bench].insert(score.variant.as_str());
            if !score.value.is_finite() || score.unit != entry.unit {
                coverage.unit_mismatch += 1;
                continue;
            }
            let subject = &rec.claim.subject;
            let class = classes
                .entry((
                    subject.models.as_slice(),
                    subject.system.as_deref(),
                    // A subject without models is named by itself.
                    subject.models.is_empty().then_some(subject.name.as_str()),
                ))
                .or_insert_with(|| match resolver.classify(subject) {
                    SubjectClass::Unresolved(names) => Class::Unresolved(names),
                    SubjectClass::Resolved { ids, access, .. } => Class::Resolved {
                        subject: subjects.intern(SubjectKey {
                            ids,
                            system: subject.system.as_deref(),
                        }),
                        access,
                    },
                });
            let (subject_ix, access) = match class {
                Class::Unresolved(names) => {
                    coverage.unresolved_claims += 1;
                    for name in names.iter() {
                        *coverage.unresolved.entry((*name).to_owned()).or_default() += 1;
                    }
                    continue;
                }
                Class::Resolved { subject, access } => (*subject, *access),
            };
            let side = if story.incumbent.access.contains(&access) {
                INCUMBENT
            } else if story.challenger.access.contains(&access) {
                CHALLENGER
            } else {
                if access == Access::Unknown {
                    coverage.unknown_access += 1;
                    let name = text::subject(registry, &rec.claim.subject);
                    *unknown_subjects.entry(name).or_default() += 1;
                } else {
                    coverage.outside_cohorts += 1;
                }
                continue;
            };
            let settings_ix = settings.intern(&score.settings);
            counted.push(ScoreClaim {
                rec,
                score,
                row: bench,
                side,
                subject: subject_ix,
                key: results.intern((bench, score.variant.as_str(), subject_ix, settings_ix)),
                source,
                effective: rec.effective_date(),
                value: score.value,
                id: rec.id,
                observed: rec.observed_on,
                snapshot: rec.snapshot_id,
                evaluator_rank: evaluator_rank(rec.claim.evaluator),
            });
        }
        coverage.unknown_access_subjects = unknown_subjects;

        let rows = build_rows(&scope, &variants);
        let row_of: HashMap<(usize, &str), usize> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.bench, r.variant.as_str()), i))
            .collect();
        // Interned indices follow input order; ranking them makes the order canonical.
        let (subjects, subject_rank) = subjects.sorted();
        let (_, settings_rank) = settings.sorted();
        let (sources, source_rank) = source_ix.sorted();
        coverage.sources = sources.len();
        coverage.source_ids = sources.into_iter().map(str::to_owned).collect();
        // Each result's row, and its rank in (row, subject, settings) order.
        let results = results.values;
        let result_row: Vec<Option<usize>> = results
            .iter()
            .map(|&(bench, variant, _, _)| row_of.get(&(bench, variant)).copied())
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
        counted.retain_mut(|c| {
            let Some(row) = result_row[c.key] else {
                return false;
            };
            c.row = row;
            c.key = result_rank[c.key];
            c.subject = subject_rank[c.subject];
            c.source = source_rank[c.source];
            true
        });
        let mut score_claims = counted;
        score_claims.sort_unstable_by_key(|c| (c.key, c.source, c.snapshot_rank()));

        let keys = build_keys(&score_claims);
        for side in [INCUMBENT, CHALLENGER] {
            let mut seen: BTreeSet<usize> = BTreeSet::new();
            let mut n = 0;
            for c in score_claims.iter().filter(|c| c.side == side) {
                n += 1;
                seen.insert(c.subject);
            }
            let cohort = if side == INCUMBENT {
                &mut coverage.incumbent
            } else {
                &mut coverage.challenger
            };
            cohort.score_claims = n;
            cohort.subjects = seen.len();
        }

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

/// What a subject's classification depends on: model names, system, and the name itself
/// when there are no model names.
type ClassKey<'a> = (&'a [String], Option<&'a str>, Option<&'a str>);

/// A subject's classification, cached per [`ClassKey`].
#[derive(Debug)]
enum Class<'a> {
    Unresolved(Vec<&'a str>),
    Resolved { subject: usize, access: Access },
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
