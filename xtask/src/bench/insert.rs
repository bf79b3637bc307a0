//! W2: the peer's own claims into gapwatch's store, against `sqlite_claims.py` inserting them
//! into its table.
//!
//! Both sides store the same 1,000,000 rows (`peer_rows.rs` draws them as the peer does) as
//! queryable SQLite rows, repeats dropped by a uniqueness rule, in large transactions: the
//! peer one `executemany` of `INSERT OR IGNORE` into a table with `UNIQUE (snapshot_id, model,
//! benchmark)` in one transaction; gapwatch `Store::record_snapshots`, 5,000 snapshots of
//! 200 claims in transactions of 50 snapshots, each claim a row of `claims` (strings interned,
//! repeats within a snapshot dropped by the store's identity rule before insert). Both sides'
//! times include generating the rows. gapwatch generates on a second thread while the store
//! writes; its CPU time counts both threads.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use gapwatch_model::{Claim, Date, Evaluator, Fact, Score, Settings, Subject, Unit};
use gapwatch_store::{NewSnapshot, SourceInfo, Store};
use serde::{Deserialize, Serialize};

use super::peer_rows::{BENCHES, MODELS, PER_SNAPSHOT, PeerRow, PeerRows, SOURCES};
use super::{Ctx, measure, own_cpu_seconds, own_peak_kib, peer_number, run_worker};

/// Snapshots written per transaction.
const PER_TRANSACTION: usize = 50;

/// What the insert worker measured.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct InsertFigures {
    pub(crate) offered: u64,
    pub(crate) stored: u64,
    pub(crate) snapshots: u64,
    pub(crate) transactions: u64,
    /// Distinct (snapshot, model, benchmark) among the rows: what the peer's key keeps.
    pub(crate) peer_keys: u64,
    /// Generating the claims and recording them.
    pub(crate) seconds: f64,
    /// CPU seconds of both threads over the same stretch.
    pub(crate) cpu_seconds: Option<f64>,
    /// Inside `record_snapshots` only.
    pub(crate) store_seconds: f64,
    pub(crate) peak_kib: Option<u64>,
    pub(crate) db_bytes: u64,
}

/// W2 as recorded.
#[derive(Debug)]
pub(crate) struct W2 {
    pub(crate) gapwatch: InsertFigures,
    pub(crate) peer_rows_per_s: f64,
    pub(crate) peer_seconds: f64,
    /// The peer process's CPU share (CPU seconds over wall seconds), applied to its insert.
    pub(crate) peer_cpu_seconds: f64,
    pub(crate) peer_stored: u64,
    pub(crate) peer_query_seconds: f64,
    pub(crate) peer_peak_kib: Option<u64>,
    pub(crate) peer_db_bytes: u64,
}

impl W2 {
    pub(crate) fn rows_per_s(&self) -> f64 {
        self.gapwatch.offered as f64 / self.gapwatch.seconds
    }

    pub(crate) fn rows_per_cpu_s(&self) -> Option<f64> {
        Some(self.gapwatch.offered as f64 / self.gapwatch.cpu_seconds?)
    }

    pub(crate) fn peer_rows_per_cpu_s(&self) -> f64 {
        self.gapwatch.offered as f64 / self.peer_cpu_seconds
    }
}

pub(crate) fn run(ctx: &Ctx) -> Result<W2> {
    let n = ctx.scale.claims;
    let db = ctx.work.join("insert.sqlite");
    eprintln!("W2: the peer's {n} rows into {} as claims", db.display());
    let n_s = n.to_string();
    let gapwatch: InsertFigures =
        run_worker(ctx, &["insert".as_ref(), db.as_os_str(), n_s.as_ref()])?;

    eprintln!("W2 peer: sqlite_claims.py {n}");
    let peer_db = ctx.work.join("peer-claims.sqlite");
    let script = ctx.peers.join("sqlite_claims.py");
    let peer = measure(
        &ctx.python,
        &[script.as_os_str(), peer_db.as_os_str(), n_s.as_ref()],
        &ctx.work,
    )?;
    if !peer.success {
        bail!("sqlite_claims.py failed");
    }
    let name = "sqlite_claims.py";
    let peer_seconds = peer_number(&peer.stdout, "insert_seconds", name)?;
    let peer_stored = peer_number(&peer.stdout, "claims", name)? as u64;
    if peer_stored != gapwatch.peer_keys {
        bail!(
            "the peer stored {peer_stored} rows where its key allows {} of the rows generated \
             here: the generators differ",
            gapwatch.peer_keys
        );
    }
    // The peer is one thread; on a busy machine it gets less than a core, so its insert
    // is charged the CPU share its whole process had.
    let share = peer
        .cpu_seconds
        .map_or(1.0, |cpu| (cpu / peer.seconds).min(1.0));
    Ok(W2 {
        gapwatch,
        peer_rows_per_s: peer_number(&peer.stdout, "rows_per_s", name)?,
        peer_seconds,
        peer_cpu_seconds: peer_seconds * share,
        peer_stored,
        peer_query_seconds: peer_number(&peer.stdout, "parity_query_seconds", name)?,
        peer_peak_kib: peer.peak_kib,
        peer_db_bytes: db_size(&peer_db),
    })
}

/// A database file's size with its write-ahead log.
pub(crate) fn db_size(db: &Path) -> u64 {
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    [db.to_owned(), wal]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Removes a database and its write-ahead log files.
pub(crate) fn remove_db(db: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    Ok(())
}

/// A snapshot's worth of the peer's rows as claims: the model as the subject, the benchmark
/// and value, reported and observed on the peer's dates, located by model and benchmark.
fn claims(rows: &[PeerRow], models: &[String], benches: &[String]) -> Vec<Claim> {
    let reported = Date::from_ymd(2025, 1, 1).ok();
    rows.iter()
        .map(|r| {
            let model = &models[r.model as usize];
            let bench = &benches[r.bench as usize];
            Claim {
                subject: Subject::model(model.clone()),
                fact: Fact::Score(Score {
                    benchmark: bench.clone(),
                    variant: String::new(),
                    metric: "score".to_owned(),
                    settings: Settings::new(),
                    value: r.value,
                    unit: Unit::Percent,
                    uncertainty: None,
                }),
                reported_on: reported,
                evaluator: Evaluator::ThirdParty,
                locator: format!("{model}, {bench}"),
            }
        })
        .collect()
}

/// `bench-worker insert DB N`.
pub(crate) fn worker(args: &[String]) -> Result<InsertFigures> {
    let [db, n] = args else {
        bail!("usage: bench-worker insert DB N");
    };
    let db = PathBuf::from(db);
    let n: usize = n.parse().context("N is not a number")?;
    remove_db(&db)?;
    let models: Vec<String> = (0..MODELS).map(|i| format!("model-{i}")).collect();
    let benches: Vec<String> = (0..BENCHES).map(|i| format!("bench-{i}")).collect();
    let mut store = Store::open(&db)?;
    for i in 0..SOURCES {
        store.upsert_source(&SourceInfo {
            id: format!("source-{i}"),
            publisher: format!("Publisher {i}"),
            title: format!("Leaderboard {i}"),
            url: format!("https://example.org/boards/{i}.csv"),
            format: "csv".to_owned(),
        })?;
    }
    let observed = Date::from_ymd(2025, 6, 1)?;
    let snapshots = n.div_ceil(PER_SNAPSHOT);
    let (mut stored, mut store_seconds, mut transactions) = (0u64, 0.0, 0u64);
    let cpu_before = own_cpu_seconds();
    let started = Instant::now();
    // The next transaction's claims are generated on a second thread while the store
    // writes; stored claims go back to that thread to be freed, where they were allocated.
    type Batch = Vec<(usize, Vec<Claim>)>;
    let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(2);
    let (done, finished) = std::sync::mpsc::channel::<Batch>();
    std::thread::scope(|threads| -> Result<()> {
        let (models, benches) = (&models, &benches);
        threads.spawn(move || {
            let mut rows = PeerRows::new(n).peekable();
            let mut snapshot = 0;
            while rows.peek().is_some() {
                finished.try_iter().for_each(drop);
                let mut batch: Batch = Vec::with_capacity(PER_TRANSACTION);
                while batch.len() < PER_TRANSACTION && rows.peek().is_some() {
                    let chunk: Vec<PeerRow> = rows.by_ref().take(PER_SNAPSHOT).collect();
                    batch.push((snapshot, claims(&chunk, models, benches)));
                    snapshot += 1;
                }
                if send.send(batch).is_err() {
                    return;
                }
            }
            drop(send);
            finished.iter().for_each(drop);
        });
        for batch in receive {
            let sources: Vec<String> = batch
                .iter()
                .map(|(s, _)| format!("source-{}", s % SOURCES))
                .collect();
            let bytes: Vec<String> = batch
                .iter()
                .map(|(s, c)| format!("snapshot {s}: {} rows\n", c.len()))
                .collect();
            let new: Vec<NewSnapshot<'_>> = batch
                .iter()
                .enumerate()
                .map(|(i, (_, claims))| NewSnapshot {
                    source_id: &sources[i],
                    bytes: bytes[i].as_bytes(),
                    observed_on: observed,
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
            let t = Instant::now();
            let outcomes = store.record_snapshots(&new)?;
            store_seconds += t.elapsed().as_secs_f64();
            transactions += 1;
            stored += outcomes.iter().map(|o| o.claims_inserted).sum::<u64>();
            drop(new);
            let _ = done.send(batch);
        }
        drop(done);
        Ok(())
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = own_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let count = store.claim_count()?;
    if count != stored {
        bail!("the store reports {count} claims where {stored} were inserted");
    }
    drop(store);
    // Outside the timing: what the peer's key would keep of the same rows.
    let peer_keys = PeerRows::new(n)
        .map(|r| (r.snapshot, r.model, r.bench))
        .collect::<std::collections::HashSet<_>>()
        .len();
    Ok(InsertFigures {
        offered: n as u64,
        stored,
        snapshots: snapshots as u64,
        transactions,
        peer_keys: peer_keys as u64,
        seconds,
        cpu_seconds,
        store_seconds,
        peak_kib: own_peak_kib(),
        db_bytes: db_size(&db),
    })
}
