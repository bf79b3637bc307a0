//! `gapwatch ingest` killed with SIGKILL at random moments: the database stays sound, each
//! source's snapshot and claims are all there or absent, the dead run's lock is taken over,
//! and a last uninterrupted run ends with exactly the claims of a run never interrupted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Route, Seen, Server, TestWorkspace, source_entry, wait_until};
use gapwatch_ingest::{SourcesFile, extract};
use gapwatch_store::{FetchLogEntry, FetchOutcomeKind, Store};

/// Fixed so that a failure can be replayed; `GAPWATCH_CRASH_SEED` picks another.
const SEED: u64 = 0x6761_7077_6174_6368;
/// Faults injected in all, shared between the chains.
const FAULTS: usize = 20;
/// Independent workspaces killed in parallel, to use both cores while one starts up.
const CHAINS: usize = 2;
/// The share of kills aimed at start-up rather than at fetching and writing.
const EARLY_SHARE: f64 = 0.25;
/// The share of the other kills aimed at the writes, after the last answer.
const WRITING_SHARE: f64 = 0.5;
const TODAY: &str = "2026-01-15";
/// Only a guard against a hung process, never a performance bound.
const PATIENCE: Duration = Duration::from_secs(180);

/// The sources: default entry, id, fixture folder and file. Each gets its own port, so that
/// the per-host pause between requests does not serialise them.
const SOURCES: [(&str, &str, &str, &str); 10] = [
    ("swebench", "swebench", "swebench", "2025-12-10.json"),
    (
        "swebench",
        "swebench-october",
        "swebench",
        "2025-10-06.json",
    ),
    ("mmmu", "mmmu", "mmmu", "2026-07-03.json"),
    ("mmmu", "mmmu-may", "mmmu", "2025-05-20.json"),
    ("bfcl", "bfcl", "bfcl", "2025-12-16.csv"),
    ("bfcl", "bfcl-april", "bfcl", "2025-04-30.csv"),
    ("evalplus", "evalplus", "evalplus", "2024-12-26.json"),
    (
        "aider-polyglot",
        "aider-polyglot",
        "aider-polyglot",
        "2025-10-04.yml",
    ),
    (
        "epoch-open-closed",
        "epoch-open-closed",
        "epoch-open-closed",
        "2024-10-22.csv",
    ),
    ("mmlu-pro", "mmlu-pro", "mmlu-pro", "2026-03-17.md"),
];

/// SplitMix64: small, deterministic, good enough to spread kill moments.
struct Prng(u64);

impl Prng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A workspace whose ten sources are served, slowly, by its own server.
struct Site {
    server: Server,
    ws: TestWorkspace,
}

impl Site {
    fn new() -> Site {
        let server = Server::start(SOURCES.len());
        for (i, (_, id, folder, file)) in SOURCES.iter().enumerate() {
            let delay = Duration::from_millis(20 + 8 * i as u64);
            server.route(&format!("/{id}"), Route::fixture(folder, file).delay(delay));
        }
        let ws = TestWorkspace::new("");
        let site = Site { server, ws };
        site.point_at(0);
        site
    }

    /// Points the sources at `/run/RUN/…`, so that requests from a killed run that reach the
    /// server late are not taken for the next run's.
    fn point_at(&self, run: usize) -> String {
        let prefix = format!("/run/{run}/");
        let mut text = String::new();
        for (i, (template, id, _, _)) in SOURCES.iter().enumerate() {
            let url = self.server.url(i, &format!("{prefix}{id}"));
            text.push_str(&source_entry(template, id, &url));
        }
        self.ws.set_sources(&text);
        prefix
    }

    fn seen(&self, prefix: &str) -> Vec<Seen> {
        self.server.seen_under(prefix)
    }
}

/// Starts `gapwatch ingest`, its error output going to `stderr`.
fn spawn_ingest(ws: &TestWorkspace, stderr: &Path) -> Child {
    ws.gapwatch(TODAY)
        .arg("ingest")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .unwrap()
}

/// What one source's snapshot holds in a run never interrupted.
#[derive(Debug)]
struct Expected {
    bytes: Vec<u8>,
    rows: u64,
    claims_extracted: u64,
    claims_stored: usize,
}

/// A claim without its id, which depends on the order of writes.
type Comparable = String;

fn comparable(store: &Store) -> Vec<Comparable> {
    let mut all: Vec<Comparable> = store
        .claims(None)
        .unwrap()
        .into_iter()
        .map(|c| {
            format!(
                "{} {} {} {}",
                c.source_id,
                c.snapshot_sha256,
                c.observed_on,
                serde_json::to_string(&c.claim).unwrap()
            )
        })
        .collect();
    all.sort();
    all
}

struct Reference {
    per_source: BTreeMap<String, Expected>,
    claims: Vec<Comparable>,
    /// From spawn to the first request.
    startup: Duration,
    /// From the first request to the last answer.
    fetching: Duration,
    /// From the first request to exit: fetching and writing.
    work: Duration,
}

/// One uninterrupted ingest into a fresh database, checked against the adapters run here.
fn reference() -> Reference {
    let site = Site::new();
    let (server, ws) = (&site.server, &site.ws);
    let started = Instant::now();
    let scratch = tempfile::tempdir().unwrap();
    let stderr = scratch.path().join("stderr");
    let mut child = spawn_ingest(ws, &stderr);
    let mut status = None;
    wait_until("the reference run", PATIENCE, || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    let ended = Instant::now();
    assert_eq!(
        status.unwrap().code(),
        Some(0),
        "the reference run must succeed: {}",
        std::fs::read_to_string(&stderr).unwrap()
    );
    let seen = server.seen();
    let first_request = seen[0].at;
    let last_answer = seen.iter().filter_map(|s| s.answered_at).max().unwrap();

    let config = SourcesFile::from_toml_str(&ws.sources_toml(), "sources.toml").unwrap();
    let store = ws.store();
    let snapshots = store.snapshots(None).unwrap();
    assert_eq!(snapshots.len(), SOURCES.len());
    let claims = store.claims(None).unwrap();
    let mut per_source = BTreeMap::new();
    for snap in &snapshots {
        let bytes = store.snapshot_bytes(snap.id).unwrap();
        let source = config.get(&snap.source_id).unwrap();
        let extraction = extract(source, &bytes).unwrap();
        let runs: Vec<_> = store
            .runs(Some(&snap.source_id))
            .unwrap()
            .into_iter()
            .filter(|r| r.snapshot_id == snap.id)
            .collect();
        assert_eq!(runs.len(), 1, "{}", snap.source_id);
        assert_eq!(runs[0].claims, extraction.claims.len() as u64);
        assert_eq!(runs[0].rows, extraction.rows.len() as u64);
        let stored = claims.iter().filter(|c| c.snapshot_id == snap.id).count();
        assert!(stored > 0, "{} gives claims", snap.source_id);
        per_source.insert(
            snap.source_id.clone(),
            Expected {
                bytes,
                rows: runs[0].rows,
                claims_extracted: runs[0].claims,
                claims_stored: stored,
            },
        );
    }
    Reference {
        per_source,
        claims: comparable(&store),
        startup: first_request.duration_since(started),
        fetching: last_answer.duration_since(first_request),
        work: ended.duration_since(first_request),
    }
}

/// Copies the database as the killed run left it (main file and write-ahead log), so that the
/// checks do not recover it on the next run's behalf.
fn copy_database(ws: &TestWorkspace, into: &Path) -> Option<std::path::PathBuf> {
    let db = ws.database();
    if !db.exists() {
        return None;
    }
    let copy = into.join("copy.sqlite");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(into.join(format!("copy.sqlite{suffix}")));
    }
    std::fs::copy(&db, &copy).unwrap();
    let wal = ws.path().join("gapwatch.sqlite-wal");
    if wal.exists() {
        std::fs::copy(&wal, into.join("copy.sqlite-wal")).unwrap();
    }
    Some(copy)
}

/// What a check of the database found.
#[derive(Debug, Default)]
struct Check {
    problems: Vec<String>,
    claims_lost: usize,
    sources_stored: usize,
    /// Rows in the fetch log.
    fetch_log_rows: usize,
}

/// Checks a database. `finished_after` is for a database whose last run was not killed: the
/// number of fetch-log rows before that run, which must have added one row per source.
fn check(db: &Path, reference: &Reference, finished_after: Option<usize>) -> Check {
    let mut found = Check::default();
    {
        let conn = rusqlite::Connection::open(db).unwrap();
        let integrity: Vec<String> = conn
            .prepare("PRAGMA integrity_check")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        if integrity != ["ok"] {
            found
                .problems
                .push(format!("integrity_check: {integrity:?}"));
        }
        let dangling: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        if dangling != 0 {
            found
                .problems
                .push(format!("{dangling} rows break foreign keys"));
        }
    }
    let store = match Store::open(db) {
        Ok(s) => s,
        Err(e) => {
            found
                .problems
                .push(format!("the store cannot open it: {e}"));
            return found;
        }
    };
    let claims = store.claims(None).unwrap();
    let runs = store.runs(None).unwrap();
    let snapshots = store.snapshots(None).unwrap();
    let log = store.fetch_log(None).unwrap();
    let mut expected_claims = 0;
    for snap in &snapshots {
        let id = &snap.source_id;
        let Some(expected) = reference.per_source.get(id) else {
            found.problems.push(format!("unexpected snapshot of {id}"));
            continue;
        };
        if snapshots.iter().filter(|s| &s.source_id == id).count() != 1 {
            found.problems.push(format!("{id}: more than one snapshot"));
        }
        // Reading the bytes back checks them against their sha256.
        match store.snapshot_bytes(snap.id) {
            Ok(bytes) if bytes == expected.bytes => {}
            Ok(_) => found.problems.push(format!("{id}: snapshot bytes differ")),
            Err(e) => found.problems.push(format!("{id}: {e}")),
        }
        let its_runs: Vec<_> = runs.iter().filter(|r| r.snapshot_id == snap.id).collect();
        if its_runs.len() != 1
            || its_runs[0].claims != expected.claims_extracted
            || its_runs[0].rows != expected.rows
        {
            found
                .problems
                .push(format!("{id}: runs {its_runs:?}, expected {expected:?}"));
        }
        let stored = claims.iter().filter(|c| c.snapshot_id == snap.id).count();
        if stored != expected.claims_stored {
            found.problems.push(format!(
                "{id}: {stored} claims where a full extraction stores {}",
                expected.claims_stored
            ));
        }
        found.claims_lost += expected.claims_stored.saturating_sub(stored);
        expected_claims += expected.claims_stored;
    }
    // A killed run may lose the fetch-log rows of its last attempts (never a snapshot); a run
    // that finished logged every attempt, each naming the snapshot it stored or found identical.
    if let Some(before) = finished_after {
        let added = log.get(before..).unwrap_or_default();
        if added.len() != SOURCES.len() {
            found.problems.push(format!(
                "the finished run added {} fetch-log rows for {} sources",
                added.len(),
                SOURCES.len()
            ));
        }
        for snap in &snapshots {
            let rows: Vec<_> = added
                .iter()
                .filter(|e| e.source_id == snap.source_id)
                .collect();
            let names_it = |e: &&FetchLogEntry| {
                e.snapshot_id == Some(snap.id)
                    && matches!(
                        e.outcome,
                        FetchOutcomeKind::Stored | FetchOutcomeKind::Unchanged
                    )
            };
            if rows.len() != 1 || !rows.iter().all(names_it) {
                found.problems.push(format!(
                    "{}: the finished run's fetch-log rows {rows:?}",
                    snap.source_id
                ));
            }
        }
    }
    found.fetch_log_rows = log.len();
    if claims.len() != expected_claims {
        found.problems.push(format!(
            "{} claims, but the stored snapshots account for {expected_claims}",
            claims.len()
        ));
    }
    found.sources_stored = snapshots.len();
    found
}

/// The pid a lock file names; a lock without one could never be recognised as stale.
fn lock_holder(ws: &TestWorkspace) -> Result<Option<u32>, String> {
    match std::fs::read_to_string(ws.lock_file()) {
        Err(_) => Ok(None),
        Ok(text) => text
            .lines()
            .find_map(|l| l.strip_prefix("pid="))
            .and_then(|p| p.parse().ok())
            .map(Some)
            .ok_or_else(|| format!("a lock file without a pid: {text:?}")),
    }
}

#[derive(Debug, Default)]
struct ChainReport {
    injected: usize,
    survived: usize,
    claims_lost: usize,
    completed: usize,
    takeovers: usize,
    restarts: usize,
    stages: BTreeMap<&'static str, usize>,
    problems: Vec<String>,
}

fn chain(index: usize, mut rng: Prng, faults: usize, reference: &Reference) -> ChainReport {
    let site = Site::new();
    let ws = &site.ws;
    let scratch = tempfile::tempdir().unwrap();
    let mut report = ChainReport::default();
    let mut stored_before = 0;
    // Fetch-log rows in the database before the next run.
    let mut logged_before = 0;
    let mut launched = 0;
    while report.injected < faults {
        launched += 1;
        assert!(
            launched <= faults * 4,
            "chain {index}: runs keep finishing before their kill"
        );
        if stored_before == SOURCES.len() {
            // Everything is in: start again from an empty database, keeping the dead run's
            // lock, so that later kills land in writes again.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(ws.path().join(format!("gapwatch.sqlite{suffix}")));
            }
            stored_before = 0;
            logged_before = 0;
            report.restarts += 1;
        }
        let stale = lock_holder(ws).unwrap_or(None);
        let prefix = site.point_at(launched);
        let spawned = Instant::now();
        let stderr = scratch.path().join(format!("stderr-{launched}"));
        let mut child = spawn_ingest(ws, &stderr);
        let early = rng.next_f64() < EARLY_SHARE;
        let writing = rng.next_f64() < WRITING_SHARE;
        let fraction = rng.next_f64();
        // Early kills fall anywhere in start-up; the others anywhere from the first request
        // to the end, or only after the last answer, when the run writes.
        let (anchor, after, offset) = if early {
            (spawned, "start", reference.startup.mul_f64(fraction))
        } else {
            let mut exited = false;
            wait_until("the run's first request", PATIENCE, || {
                exited = child.try_wait().unwrap().is_some();
                exited || !site.seen(&prefix).is_empty()
            });
            let first = site
                .seen(&prefix)
                .first()
                .map_or_else(Instant::now, |s| s.at);
            let offset = if writing {
                reference.fetching + (reference.work - reference.fetching).mul_f64(fraction)
            } else {
                reference.work.mul_f64(fraction)
            };
            (first, "first request", offset)
        };
        let moment = anchor + offset;
        std::thread::sleep(moment.saturating_duration_since(Instant::now()));
        let requests = site.seen(&prefix).len();
        if let Some(status) = child.try_wait().unwrap() {
            // It finished first: not a fault, but it must have succeeded.
            if status.code() != Some(0) {
                report.problems.push(format!(
                    "chain {index}: a run exited with {status:?}: {}",
                    std::fs::read_to_string(&stderr).unwrap()
                ));
            }
            if stale.is_some() {
                report.takeovers += 1;
            }
            if ws.lock_file().exists() {
                report
                    .problems
                    .push(format!("chain {index}: a finished run left its lock"));
            }
            let found = check(
                &copy_database(ws, scratch.path()).unwrap(),
                reference,
                Some(logged_before),
            );
            logged_before = found.fetch_log_rows;
            if found.sources_stored != SOURCES.len() {
                report.problems.push(format!(
                    "chain {index}: a finished run left {} of {} sources stored",
                    found.sources_stored,
                    SOURCES.len()
                ));
            }
            report.problems.extend(
                found
                    .problems
                    .into_iter()
                    .map(|p| format!("chain {index}: {p}")),
            );
            report.completed += 1;
            stored_before = SOURCES.len();
            continue;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        report.injected += 1;
        let answered = site
            .seen(&prefix)
            .iter()
            .filter(|s| s.answered.is_some())
            .count();

        let holder = lock_holder(ws);
        if let Err(e) = &holder {
            report.problems.push(format!("chain {index}: {e}"));
        }
        let holder = holder.unwrap_or(None);
        if stale.is_some() && (requests > 0 || holder == Some(child.id())) {
            report.takeovers += 1;
        }
        let found = match copy_database(ws, scratch.path()) {
            Some(copy) => check(&copy, reference, None),
            None => Check::default(),
        };
        let holds_lock = holder == Some(child.id());
        let stage = if requests == 0 {
            "starting"
        } else if !holds_lock || found.sources_stored == SOURCES.len() {
            "finishing"
        } else if answered < SOURCES.len() {
            "fetching"
        } else {
            "writing"
        };
        *report.stages.entry(stage).or_default() += 1;
        // A run fetches only once it holds the lock, and lets go of it only when every
        // source is written.
        if requests > 0 && !holds_lock && found.sources_stored < SOURCES.len() {
            report.problems.push(format!(
                "chain {index}: run {} fetched, then let go of the lock with {} of {} sources stored ({holder:?})",
                child.id(),
                found.sources_stored,
                SOURCES.len()
            ));
        }
        println!(
            "chain {index} kill {:>2}: {:>6.3}s after {after}, {stage} ({requests} requests, {} of {} sources stored, {} new), lock {}, {}",
            report.injected,
            offset.as_secs_f64(),
            found.sources_stored,
            SOURCES.len(),
            found.sources_stored.saturating_sub(stored_before),
            holder.map_or("none".to_owned(), |p| format!("left by pid {p}")),
            if found.problems.is_empty() {
                "sound".to_owned()
            } else {
                format!("PROBLEMS: {:?}", found.problems)
            }
        );
        if found.problems.is_empty() {
            report.survived += 1;
        }
        report.claims_lost += found.claims_lost;
        report.problems.extend(
            found
                .problems
                .into_iter()
                .map(|p| format!("chain {index}: {p}")),
        );
        stored_before = found.sources_stored;
        logged_before = found.fetch_log_rows;
    }

    // A last run, never interrupted, on whatever the kills left.
    let stale = lock_holder(ws).unwrap_or(None);
    site.point_at(launched + 1);
    let out = ws.gapwatch(TODAY).arg("ingest").output().unwrap();
    if out.status.code() != Some(0) {
        report.problems.push(format!(
            "chain {index}: the last run exited with {:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    } else if stale.is_some() {
        report.takeovers += 1;
    }
    if ws.lock_file().exists() {
        report
            .problems
            .push(format!("chain {index}: the last run left its lock"));
    }
    let last = check(&ws.database(), reference, Some(logged_before));
    report.problems.extend(
        last.problems
            .into_iter()
            .map(|p| format!("chain {index}: {p}")),
    );
    let claims = comparable(&ws.store());
    let missing = reference
        .claims
        .iter()
        .filter(|c| !claims.contains(c))
        .count();
    report.claims_lost += missing;
    if claims != reference.claims {
        report.problems.push(format!(
            "chain {index}: the last run holds {} claims, {missing} of the reference's {} missing",
            claims.len(),
            reference.claims.len()
        ));
    }

    // One more run, which finds every source identical to its snapshot and stores nothing:
    // it still logs every attempt.
    site.point_at(launched + 2);
    let out = ws.gapwatch(TODAY).arg("ingest").output().unwrap();
    if out.status.code() != Some(0) {
        report.problems.push(format!(
            "chain {index}: the run after the last exited with {:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let again = check(&ws.database(), reference, Some(last.fetch_log_rows));
    report.problems.extend(
        again
            .problems
            .into_iter()
            .map(|p| format!("chain {index}, the run after the last: {p}")),
    );
    report
}

#[test]
fn killed_ingests_leave_all_or_nothing_per_source_and_no_stuck_lock() {
    let seed = std::env::var("GAPWATCH_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    println!("seed {seed} (set GAPWATCH_CRASH_SEED to replay another)");
    let reference = reference();
    println!(
        "reference run: {} sources, {} claims; first request after {:.3}s, last answer {:.3}s later, exit {:.3}s after the first request",
        reference.per_source.len(),
        reference.claims.len(),
        reference.startup.as_secs_f64(),
        reference.fetching.as_secs_f64(),
        reference.work.as_secs_f64()
    );
    let mut seeds = Prng(seed);
    let reports: Vec<ChainReport> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CHAINS)
            .map(|i| {
                let rng = Prng(seeds.next_u64());
                let faults = FAULTS * (i + 1) / CHAINS - FAULTS * i / CHAINS;
                let reference = &reference;
                scope.spawn(move || chain(i, rng, faults, reference))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let sum = |f: fn(&ChainReport) -> usize| reports.iter().map(f).sum::<usize>();
    let mut stages: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &reports {
        for (stage, n) in &r.stages {
            *stages.entry(stage).or_default() += n;
        }
    }
    println!(
        "faults injected: {}, faults survived: {}, claims lost: {} (kills by stage: {stages:?}; {} runs finished before their kill; {} stale locks taken over; {} databases completed and restarted; seed {seed})",
        sum(|r| r.injected),
        sum(|r| r.survived),
        sum(|r| r.claims_lost),
        sum(|r| r.completed),
        sum(|r| r.takeovers),
        sum(|r| r.restarts),
    );
    let problems: Vec<&String> = reports.iter().flat_map(|r| &r.problems).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(sum(|r| r.injected), FAULTS);
    assert_eq!(sum(|r| r.survived), FAULTS);
    assert_eq!(sum(|r| r.claims_lost), 0);
    assert!(
        sum(|r| r.takeovers) > 0,
        "runs after a kill must take over the lock it left"
    );
}
