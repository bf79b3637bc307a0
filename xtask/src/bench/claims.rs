//! W3, and the stores of the growth workload: realistic claims (`bench-worker build`), then
//! the user's question over a million of them end to end (open the database, load, analyse)
//! and a full digest (`bench-worker query`), and `gapwatch gap` over them as a user runs it.
//!
//! The claims look like what gapwatch stores after a few years of fetching leaderboards: 100
//! sources, each a board of 1,000 results (250 models from the registry, written by name or
//! alias, on 4 benchmarks, most of them tracked by the default story), fetched 10 times over
//! 1,000 days. Between fetches a fifth of the results improve; one source in twenty reports a
//! result a little differently from the others. A board lists a few rows twice, the same claim
//! again, which the store's natural key drops, as the peer's UNIQUE key drops its repeated
//! (snapshot, model, benchmark).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use gapwatch_analysis::{AnalysisOptions, analyze, changes};
use gapwatch_model::{
    Claim, Date, Evaluator, Fact, Registry, Score, Settings, Story, Subject, Unit,
};
use gapwatch_report::{Digest, DigestInput, SourceMeta, render_html, render_markdown};
use gapwatch_store::{NewSnapshot, SourceInfo, Store};
use serde::{Deserialize, Serialize};

use super::insert::{db_size, remove_db};
use super::{Ctx, Rng, measure, median, own_peak_kib, run_worker};

/// Sources publishing the claims; snapshot `s` belongs to source `s % SOURCES`.
const SOURCES: usize = 100;
/// Rows on a board, and so claims offered per snapshot.
const PER_SNAPSHOT: usize = 1_000;
/// Benchmarks per board.
const BOARD_BENCHMARKS: usize = 4;
/// Rows per board repeated, per thousand.
const REPEATS_PER_MILLE: usize = 5;
/// Models boards choose from: the registry's curated ones come first.
const MODEL_POOL: usize = 1_500;
/// Benchmarks the default story does not track, so that the analysis has claims to leave out.
const UNTRACKED: usize = 4;
/// Days between two fetches of a source.
const FETCH_EVERY_DAYS: i64 = 100;
/// Times the parity map is computed; the median is reported.
const ANALYSIS_RUNS: usize = 5;
/// Times the digest is built and rendered; the median is reported.
const DIGEST_RUNS: usize = 5;
/// Earlier versions whose states feed the digest's gap-over-time charts.
const HISTORY: usize = 4;

/// What the build worker did.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct BuildFigures {
    pub(crate) offered: u64,
    pub(crate) stored: u64,
    pub(crate) snapshots: u64,
    pub(crate) seconds: f64,
    pub(crate) db_bytes: u64,
}

/// What the query worker measured.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct QueryFigures {
    pub(crate) claims: u64,
    /// `Store::open`, `Store::claim_set` and `analyze`, together, every run.
    pub(crate) end_to_end_seconds: Vec<f64>,
    /// `Store::open` then `Store::claim_set(None)`, the first run's.
    pub(crate) load_seconds: f64,
    /// `analyze`, every run.
    pub(crate) analysis_seconds: Vec<f64>,
    pub(crate) parity_rows: usize,
    pub(crate) counted_claims: u64,
    pub(crate) tensions: usize,
    pub(crate) timeline_events: usize,
    pub(crate) changes: usize,
    /// Gathering the digest's inputs from the store (sources, snapshots, claim sources).
    pub(crate) inputs_seconds: f64,
    /// `Digest::build`, `render_markdown`, `render_html` and the JSON, every run.
    pub(crate) build_seconds: Vec<f64>,
    pub(crate) markdown_seconds: Vec<f64>,
    pub(crate) html_seconds: Vec<f64>,
    pub(crate) json_seconds: Vec<f64>,
    pub(crate) markdown_bytes: usize,
    pub(crate) html_bytes: usize,
    pub(crate) json_bytes: usize,
    pub(crate) peak_kib: Option<u64>,
}

impl QueryFigures {
    pub(crate) fn analysis(&self) -> f64 {
        median(self.analysis_seconds.clone())
    }

    pub(crate) fn end_to_end(&self) -> f64 {
        median(self.end_to_end_seconds.clone())
    }

    /// A full digest: build and every rendering, run by run.
    pub(crate) fn digest(&self) -> f64 {
        let runs = (0..self.build_seconds.len())
            .map(|i| {
                self.build_seconds[i]
                    + self.markdown_seconds.get(i).copied().unwrap_or_default()
                    + self.html_seconds.get(i).copied().unwrap_or_default()
                    + self.json_seconds.get(i).copied().unwrap_or_default()
            })
            .collect();
        median(runs)
    }
}

/// W3 as recorded.
#[derive(Debug)]
pub(crate) struct W3 {
    pub(crate) build: BuildFigures,
    pub(crate) query: QueryFigures,
    /// `gapwatch gap` over the same database, as a user runs it.
    pub(crate) gap: GapRuns,
}

/// Timed runs of `gapwatch gap` (after one untimed run that brings the registry cache up to
/// date).
#[derive(Debug, Clone)]
pub(crate) struct GapRuns {
    pub(crate) seconds: Vec<f64>,
    pub(crate) cpu_seconds: Vec<f64>,
    pub(crate) peak_kib: Option<u64>,
    pub(crate) parity_rows: usize,
}

impl GapRuns {
    pub(crate) fn median(&self) -> f64 {
        median(self.seconds.clone())
    }

    pub(crate) fn median_cpu(&self) -> Option<f64> {
        (!self.cpu_seconds.is_empty()).then(|| median(self.cpu_seconds.clone()))
    }
}

/// Runs `gapwatch --db DB gap --as-of AS_OF --json` once untimed, then `runs` times.
pub(crate) fn time_gap(ctx: &Ctx, db: &Path, as_of: Date, runs: usize) -> Result<GapRuns> {
    let as_of = as_of.to_string();
    let args: [&std::ffi::OsStr; 6] = [
        "--db".as_ref(),
        db.as_os_str(),
        "gap".as_ref(),
        "--as-of".as_ref(),
        as_of.as_ref(),
        "--json".as_ref(),
    ];
    let first = measure(&ctx.gapwatch, &args, &ctx.work)?;
    if !first.success {
        bail!("gapwatch gap over {} failed", db.display());
    }
    let parity: serde_json::Value =
        serde_json::from_str(&first.stdout).context("gapwatch gap --json printed no JSON")?;
    let mut out = GapRuns {
        seconds: Vec::new(),
        cpu_seconds: Vec::new(),
        peak_kib: first.peak_kib,
        parity_rows: parity.as_array().map_or(0, Vec::len),
    };
    for _ in 0..runs {
        let m = measure(&ctx.gapwatch, &args, &ctx.work)?;
        if !m.success {
            bail!("gapwatch gap over {} failed", db.display());
        }
        out.seconds.push(m.seconds);
        out.cpu_seconds.extend(m.cpu_seconds);
        out.peak_kib = out.peak_kib.max(m.peak_kib);
    }
    Ok(out)
}

/// Builds a store of `n` realistic claims at `db` in a worker.
pub(crate) fn build(ctx: &Ctx, db: &Path, n: usize) -> Result<BuildFigures> {
    let n_s = n.to_string();
    run_worker(ctx, &["build".as_ref(), db.as_os_str(), n_s.as_ref()])
}

/// The newest snapshot a store holds: the date `gap` is asked about.
pub(crate) fn last_observed(db: &Path) -> Result<Date> {
    let store = Store::open(db)?;
    store
        .snapshots(None)?
        .iter()
        .map(|s| s.observed_on)
        .max()
        .with_context(|| format!("{} holds no snapshot", db.display()))
}

pub(crate) fn run(ctx: &Ctx) -> Result<W3> {
    let n = ctx.scale.claims;
    let db = ctx.work.join("claims.sqlite");
    eprintln!("W3: {n} realistic claims into {}", db.display());
    let build = build(ctx, &db, n)?;
    eprintln!("W3: open, load and analyse; the digest");
    let query: QueryFigures = run_worker(ctx, &["query".as_ref(), db.as_os_str()])?;
    eprintln!("W3: gapwatch gap over the same store");
    let gap = time_gap(ctx, &db, last_observed(&db)?, GAP_RUNS)?;
    Ok(W3 { build, query, gap })
}

/// Timed runs of `gapwatch gap`; the median is reported.
pub(crate) const GAP_RUNS: usize = 5;

/// A model the generator writes about.
struct GenModel {
    /// The registry's display name and aliases: sources write either.
    names: Vec<String>,
    strength: f64,
}

/// A benchmark the generator writes about.
struct GenBenchmark {
    id: String,
    metric: String,
    unit: Unit,
}

/// Deterministic, realistic claims.
struct Generator {
    models: Vec<GenModel>,
    benchmarks: Vec<GenBenchmark>,
    /// Per source: its models and benchmarks.
    boards: Vec<(Vec<usize>, Vec<usize>)>,
    start: Date,
}

impl Generator {
    fn new(registry: &Registry, story: &Story) -> Result<Self> {
        let mut rng = Rng::new(7);
        let models: Vec<GenModel> = registry
            .models()
            .iter()
            .take(MODEL_POOL)
            .map(|m| GenModel {
                names: std::iter::once(m.name.clone())
                    .chain(m.aliases.iter().take(2).cloned())
                    .collect(),
                strength: rng.unit(),
            })
            .collect();
        let mut benchmarks = Vec::new();
        for id in &story.benchmarks {
            let b = registry.benchmark(id).with_context(|| {
                format!("the default story's benchmark {id:?} is not in the registry")
            })?;
            benchmarks.push(GenBenchmark {
                id: b.id.clone(),
                metric: b.metric.clone(),
                unit: b.unit,
            });
        }
        let tracked: BTreeSet<&str> = story.benchmarks.iter().map(String::as_str).collect();
        benchmarks.extend(
            registry
                .benchmarks()
                .iter()
                .filter(|b| !tracked.contains(b.id.as_str()))
                .take(UNTRACKED)
                .map(|b| GenBenchmark {
                    id: b.id.clone(),
                    metric: b.metric.clone(),
                    unit: b.unit,
                }),
        );
        // Boards list a model only once it is out, and a benchmark's results only once it
        // is published: the first fetch comes after every release and introduction used, late
        // enough that the results it lists, reported up to 59 days before, come after them too.
        let first_fetch = registry
            .models()
            .iter()
            .take(MODEL_POOL)
            .filter_map(|m| m.released)
            .chain(
                benchmarks
                    .iter()
                    .filter_map(|b| registry.benchmark(&b.id).and_then(|b| b.introduced)),
            )
            .max()
            .map_or(Date::from_ymd(2023, 1, 1), |d| Ok(d.add_days(60)))?;
        let per_board_models = PER_SNAPSHOT / BOARD_BENCHMARKS;
        if models.len() < per_board_models || benchmarks.len() < BOARD_BENCHMARKS {
            bail!("the registry has too few models or benchmarks to fill a board");
        }
        let boards = (0..SOURCES)
            .map(|k| {
                let mut rng = Rng::new(0x0b0a_2d00_0000 + k as u64);
                (
                    distinct(&mut rng, per_board_models, models.len()),
                    distinct(&mut rng, BOARD_BENCHMARKS, benchmarks.len()),
                )
            })
            .collect();
        Ok(Generator {
            models,
            benchmarks,
            boards,
            start: first_fetch,
        })
    }

    /// Source `k` is fetched on day `k` and every 100 days after.
    fn observed_on(&self, snapshot: usize) -> Date {
        let (k, fetch) = (snapshot % SOURCES, snapshot / SOURCES);
        self.start
            .add_days(fetch as i64 * FETCH_EVERY_DAYS + k as i64)
    }

    /// The claims of snapshot `s`, `count` of them, in row order: the source's board as it
    /// stood on that fetch, a few rows listed twice.
    fn snapshot(&self, s: usize, count: usize) -> Vec<Claim> {
        let (k, fetch) = (s % SOURCES, s / SOURCES);
        let (models, benches) = &self.boards[k];
        let observed = self.observed_on(s);
        let repeats = count * REPEATS_PER_MILLE / 1000;
        let mut claims: Vec<Claim> = (0..count - repeats)
            .map(|r| {
                let row = r % PER_SNAPSHOT;
                let m = models[row / BOARD_BENCHMARKS % models.len()];
                let b = benches[row % BOARD_BENCHMARKS];
                self.claim(k, fetch, m, b, observed)
            })
            .collect();
        let mut rng = Rng::new(0x5eed_0000 + s as u64);
        for _ in 0..repeats {
            let again = claims[rng.below(claims.len())].clone();
            claims.push(again);
        }
        claims
    }

    /// What source `k` says on its fetch number `fetch` about model `m` on benchmark `b`.
    fn claim(&self, k: usize, fetch: usize, m: usize, b: usize, observed: Date) -> Claim {
        let model = &self.models[m];
        let bench = &self.benchmarks[b];
        let (m64, b64) = (m as u64, b as u64);
        // The result itself: the model's level, improved at some of the fetch rounds.
        let mut percent =
            25.0 + 50.0 * model.strength + 10.0 * (Rng::new(hash(&[m64, b64])).unit() - 0.5);
        let mut last_change = 0;
        for round in 1..=fetch {
            if Rng::new(hash(&[m64, b64, round as u64])).below(5) == 0 {
                percent += 1.5;
                last_change = round;
            }
        }
        // One source in twenty reports it differently.
        let mut own = Rng::new(hash(&[k as u64, m64, b64]));
        if own.below(20) == 0 {
            percent += 6.0 * (own.unit() - 0.5);
        }
        let percent = percent.clamp(0.0, 100.0);
        let value = match bench.unit {
            Unit::Elo => (1000.0 + 4.0 * percent).round(),
            Unit::Percent | Unit::Score => (percent * 100.0).round() / 100.0,
        };
        let reported_on = self.start.add_days(
            last_change as i64 * FETCH_EVERY_DAYS
                - Rng::new(hash(&[m64, b64, last_change as u64])).below(60) as i64,
        );
        Claim {
            subject: Subject::model(model.names[(k + m) % model.names.len()].clone()),
            fact: Fact::Score(Score {
                benchmark: bench.id.clone(),
                variant: String::new(),
                metric: bench.metric.clone(),
                settings: Settings::new(),
                value,
                unit: bench.unit,
                uncertainty: None,
            }),
            reported_on: Some(reported_on.min(observed)),
            evaluator: if k % 10 < 7 {
                Evaluator::ThirdParty
            } else {
                Evaluator::SelfReported
            },
            locator: format!("row {}, column {}", m, bench.id),
        }
    }
}

/// `n` distinct numbers below `of`, in the order drawn.
fn distinct(rng: &mut Rng, n: usize, of: usize) -> Vec<usize> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n.min(of) {
        let x = rng.below(of);
        if seen.insert(x) {
            out.push(x);
        }
    }
    out
}

/// Mixes numbers into a seed.
fn hash(parts: &[u64]) -> u64 {
    parts.iter().fold(0xcbf2_9ce4_8422_2325, |h, &p| {
        Rng::new(h ^ p.wrapping_mul(0x1000_0000_01b3)).next_u64()
    })
}

fn default_story(root: &Path) -> Result<Story> {
    let path = root.join("crates/gapwatch/defaults/story.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Story::from_toml_str(&text, &path.display().to_string())?)
}

fn source_id(i: usize) -> String {
    format!("bench-source-{i:03}")
}

/// Snapshots written per transaction when building a store.
const PER_TRANSACTION: usize = 50;

/// `bench-worker build DB N`: a store of `N` realistic claims.
pub(crate) fn build_worker(root: &Path, args: &[String]) -> Result<BuildFigures> {
    let [db, n] = args else {
        bail!("usage: bench-worker build DB N");
    };
    let db = PathBuf::from(db);
    let n: usize = n.parse().context("N is not a number")?;
    remove_db(&db)?;
    let registry = Registry::builtin()?;
    let generator = Generator::new(&registry, &default_story(root)?)?;
    let mut store = Store::open(&db)?;
    for i in 0..SOURCES {
        store.upsert_source(&SourceInfo {
            id: source_id(i),
            publisher: format!("Benchmark publisher {i}"),
            title: format!("Benchmark leaderboard {i}"),
            url: format!("https://example.org/boards/{i}.csv"),
            format: "csv".to_owned(),
        })?;
    }
    let snapshots = n.div_ceil(PER_SNAPSHOT);
    let mut stored = 0u64;
    let started = Instant::now();
    // The next snapshots' claims are generated on a second thread while the store writes.
    type Batch = Vec<(usize, Vec<Claim>)>;
    let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(2);
    let (done, finished) = std::sync::mpsc::channel::<Batch>();
    std::thread::scope(|threads| -> Result<()> {
        let generator = &generator;
        threads.spawn(move || {
            let mut s = 0;
            while s < snapshots {
                finished.try_iter().for_each(drop);
                let mut batch: Batch = Vec::with_capacity(PER_TRANSACTION);
                while batch.len() < PER_TRANSACTION && s < snapshots {
                    let count = PER_SNAPSHOT.min(n - s * PER_SNAPSHOT);
                    batch.push((s, generator.snapshot(s, count)));
                    s += 1;
                }
                if send.send(batch).is_err() {
                    return;
                }
            }
            drop(send);
            finished.iter().for_each(drop);
        });
        for batch in receive {
            let sources: Vec<String> = batch.iter().map(|(s, _)| source_id(s % SOURCES)).collect();
            let bytes: Vec<String> = batch
                .iter()
                .map(|(s, c)| {
                    format!(
                        "{} snapshot {s}: {} rows\n",
                        source_id(s % SOURCES),
                        c.len()
                    )
                })
                .collect();
            let new: Vec<NewSnapshot<'_>> = batch
                .iter()
                .enumerate()
                .map(|(i, (s, claims))| NewSnapshot {
                    source_id: &sources[i],
                    bytes: bytes[i].as_bytes(),
                    observed_on: generator.observed_on(*s),
                    fetched_at: None,
                    origin: "bench",
                    http_status: None,
                    etag: None,
                    last_modified: None,
                    claims,
                    rows: claims.len() as u64,
                    warnings: &[],
                    adapter: "bench",
                })
                .collect();
            let outcomes = store.record_snapshots(&new)?;
            stored += outcomes.iter().map(|o| o.claims_inserted).sum::<u64>();
            drop(new);
            let _ = done.send(batch);
        }
        drop(done);
        Ok(())
    })?;
    let seconds = started.elapsed().as_secs_f64();
    drop(store);
    Ok(BuildFigures {
        offered: n as u64,
        stored,
        snapshots: snapshots as u64,
        seconds,
        db_bytes: db_size(&db),
    })
}

/// `bench-worker query DB`.
pub(crate) fn query_worker(root: &Path, args: &[String]) -> Result<QueryFigures> {
    let [db] = args else {
        bail!("usage: bench-worker query DB");
    };
    let registry = Registry::builtin()?;
    let story = default_story(root)?;
    let as_of = last_observed(Path::new(db))?;
    let options = AnalysisOptions::default();
    // The user's question end to end, each run from opening the file: open, load, analyse.
    let mut end_to_end_seconds = Vec::new();
    let mut analysis_seconds = Vec::new();
    let mut load_seconds = 0.0;
    let mut last = None;
    for run in 0..ANALYSIS_RUNS {
        drop(last.take());
        let t = Instant::now();
        let store = Store::open(Path::new(db))?;
        let claims = store.claim_set(Some(as_of))?;
        let loaded = t.elapsed().as_secs_f64();
        let a = analyze(&claims, &registry, &story, as_of, &options);
        let total = t.elapsed().as_secs_f64();
        end_to_end_seconds.push(total);
        analysis_seconds.push(total - loaded);
        if run == 0 {
            load_seconds = loaded;
        }
        last = Some((store, claims, a));
    }
    let (store, claims, analysis) = last.context("no analysis ran")?;

    // What a publish gathers besides the analysis: earlier states for the charts and the
    // changes since the last, the numbered sources and which source each claim came from.
    let history: Vec<_> = (1..=HISTORY)
        .rev()
        .map(|k| {
            let earlier = as_of.add_days(-(k as i64) * 120);
            analyze(&claims, &registry, &story, earlier, &options)
        })
        .collect();
    let found = changes(history.last(), &analysis, &story.materiality);
    let t = Instant::now();
    let origins: BTreeMap<String, String> = store
        .snapshots(None)?
        .into_iter()
        .map(|s| (s.sha256, s.origin))
        .collect();
    let sources: Vec<SourceMeta> = store
        .sources()?
        .into_iter()
        .map(|r| SourceMeta {
            id: r.id,
            publisher: r.publisher,
            title: r.title,
            url: r.url,
        })
        .collect();
    let numbers: BTreeMap<String, u32> = BTreeMap::new();
    let inputs_seconds = t.elapsed().as_secs_f64();

    let mut figures = QueryFigures {
        claims: claims.len() as u64,
        end_to_end_seconds,
        load_seconds,
        analysis_seconds,
        parity_rows: analysis.parity.len(),
        counted_claims: analysis.coverage.incumbent.score_claims as u64
            + analysis.coverage.challenger.score_claims as u64,
        tensions: analysis.tensions.len(),
        timeline_events: analysis.timeline.len(),
        changes: found.len(),
        inputs_seconds,
        build_seconds: Vec::new(),
        markdown_seconds: Vec::new(),
        html_seconds: Vec::new(),
        json_seconds: Vec::new(),
        markdown_bytes: 0,
        html_bytes: 0,
        json_bytes: 0,
        peak_kib: None,
    };
    for _ in 0..DIGEST_RUNS {
        let t = Instant::now();
        let digest = Digest::build(&DigestInput {
            story: &story,
            version: HISTORY as u32 + 1,
            published_on: as_of,
            analysis: &analysis,
            changes: &found,
            claims: &claims,
            sources: &sources,
            origins: &origins,
            numbers: &numbers,
            perspectives: &[],
            quotes: &BTreeMap::new(),
        });
        figures.build_seconds.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let markdown = render_markdown(&digest);
        figures.markdown_seconds.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let html = render_html(&digest);
        figures.html_seconds.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let json = serde_json::to_string_pretty(&digest)?;
        figures.json_seconds.push(t.elapsed().as_secs_f64());
        figures.markdown_bytes = markdown.len();
        figures.html_bytes = html.len();
        figures.json_bytes = json.len();
    }
    figures.peak_kib = own_peak_kib();
    Ok(figures)
}
