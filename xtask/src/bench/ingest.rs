//! W4: the real `gapwatch ingest` against 1,000 leaderboards served from 127.0.0.1 with
//! ETags: a full run, then rounds in which 1% of them changed, each compared with the full
//! run in time and in what was written.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use gapwatch_model::{Access, Registry};
use gapwatch_store::Store;

use super::{Ctx, Rng, measure};

/// Rows per leaderboard.
const ROWS: usize = 100;
/// Incremental rounds after the full run; the median is reported.
const ROUNDS: usize = 3;
/// Requests in flight, overall and to the one local host.
const CONCURRENCY: &str = "8";

/// One `gapwatch ingest` run.
#[derive(Debug, Clone)]
pub(crate) struct IngestRun {
    pub(crate) seconds: f64,
    pub(crate) peak_kib: Option<u64>,
    pub(crate) requests: u64,
    pub(crate) ok: u64,
    pub(crate) not_modified: u64,
    /// Outcomes as `gapwatch ingest --json` reported them.
    pub(crate) outcomes: BTreeMap<String, u64>,
    pub(crate) new_snapshots: u64,
    pub(crate) new_claims: u64,
    pub(crate) new_fetch_log_rows: u64,
    /// Sources that got a new snapshot.
    pub(crate) written_sources: BTreeSet<String>,
    /// Sources whose bytes changed before the run (all of them for the full run).
    pub(crate) changed_sources: BTreeSet<String>,
}

impl IngestRun {
    /// Snapshots and claims were written for exactly the changed sources.
    pub(crate) fn writes_only_changed(&self) -> bool {
        self.written_sources == self.changed_sources
    }
}

/// W4 as recorded.
#[derive(Debug)]
pub(crate) struct W4 {
    pub(crate) sources: usize,
    pub(crate) changed: usize,
    pub(crate) board_bytes: u64,
    pub(crate) full: IngestRun,
    pub(crate) rounds: Vec<IngestRun>,
    /// A run after which nothing changed: the fixed cost of asking every source.
    pub(crate) unchanged: IngestRun,
    /// `gapwatch sources list` on the same workspace: starting up and loading the workspace.
    pub(crate) startup_seconds: f64,
}

impl W4 {
    /// The median round by time.
    pub(crate) fn incremental(&self) -> Option<&IngestRun> {
        let mut by_time: Vec<&IngestRun> = self.rounds.iter().collect();
        by_time.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        by_time.get(by_time.len() / 2).copied()
    }
}

/// A board's current bytes and their ETag.
type Served = Arc<(Vec<u8>, String)>;

/// The boards served, by index, with the ETag of their current bytes.
#[derive(Debug, Default)]
struct Boards {
    served: RwLock<Vec<Served>>,
    requests: AtomicU64,
    ok: AtomicU64,
    not_modified: AtomicU64,
    stop: AtomicBool,
}

impl Boards {
    fn set(&self, i: usize, body: String, generation: usize) {
        let etag = format!("\"board-{i}-g{generation}\"");
        if let Ok(mut served) = self.served.write() {
            if served.len() <= i {
                served.resize_with(i + 1, || Arc::new((Vec::new(), String::new())));
            }
            served[i] = Arc::new((body.into_bytes(), etag));
        }
    }

    fn get(&self, i: usize) -> Option<Served> {
        self.served.read().ok()?.get(i).cloned()
    }

    fn counts(&self) -> (u64, u64, u64) {
        (
            self.requests.swap(0, Ordering::SeqCst),
            self.ok.swap(0, Ordering::SeqCst),
            self.not_modified.swap(0, Ordering::SeqCst),
        )
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 with keep-alive and `If-None-Match`.
struct Server {
    addr: SocketAddr,
    boards: Arc<Boards>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(boards: Arc<Boards>) -> Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0").context("cannot listen on 127.0.0.1")?;
        let addr = listener.local_addr()?;
        let shared = Arc::clone(&boards);
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let boards = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let _ = serve_connection(stream, &boards);
                });
            }
        });
        Ok(Server {
            addr,
            boards,
            accept: Some(accept),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.boards.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn serve_connection(stream: TcpStream, boards: &Boards) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let path = line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let (mut if_none_match, mut close) = (None, false);
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("if-none-match") {
                    if_none_match = Some(value.to_owned());
                } else if name.eq_ignore_ascii_case("connection") {
                    close = value.eq_ignore_ascii_case("close");
                }
            }
        }
        boards.requests.fetch_add(1, Ordering::SeqCst);
        let board = path
            .strip_prefix("/boards/")
            .and_then(|p| p.strip_suffix(".csv"))
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| boards.get(i));
        // Each response goes out in one write, as a real server sends it: separate small
        // writes would each be a packet of their own on a connection without Nagle.
        let mut response = Vec::new();
        match board {
            Some(b) if if_none_match.as_deref() == Some(b.1.as_str()) => {
                boards.not_modified.fetch_add(1, Ordering::SeqCst);
                write!(
                    response,
                    "HTTP/1.1 304 Not Modified\r\nETag: {}\r\nContent-Length: 0\r\n\r\n",
                    b.1
                )?;
            }
            Some(b) => {
                boards.ok.fetch_add(1, Ordering::SeqCst);
                write!(
                    response,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/csv; charset=utf-8\r\n\
                     Content-Length: {}\r\nETag: {}\r\n\r\n",
                    b.0.len(),
                    b.1
                )?;
                response.extend_from_slice(&b.0);
            }
            None => {
                response.extend_from_slice(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            }
        }
        writer.write_all(&response)?;
        writer.flush()?;
        if close {
            let _ = writer.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

/// A model a board lists: name, the license column's text.
struct Listed {
    name: String,
    license: String,
}

fn listed_models(registry: &Registry) -> Vec<Listed> {
    registry
        .models()
        .iter()
        .filter(|m| matches!(m.access, Access::OpenWeights | Access::Closed))
        .map(|m| Listed {
            name: m.name.clone(),
            license: match m.access {
                Access::Closed => "Proprietary".to_owned(),
                _ => m.license.clone().unwrap_or_else(|| "open".to_owned()),
            },
        })
        .collect()
}

/// Board `i` as CSV; each generation after the first moves one score.
fn board_csv(i: usize, generation: usize, models: &[Listed]) -> String {
    let mut rng = Rng::new(0xb0a2d + i as u64);
    let mut rows: Vec<(usize, f64, f64)> = (0..ROWS)
        .map(|_| {
            let m = rng.below(models.len());
            (m, 40.0 + 55.0 * rng.unit(), 20.0 + 60.0 * rng.unit())
        })
        .collect();
    if generation > 0 {
        let r = &mut rows[(generation - 1) % ROWS];
        r.1 = (r.1 + 0.01 * generation as f64).min(100.0);
    }
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut csv = String::from("Rank,Model,MMLU,GPQA Diamond,License\n");
    for (rank, (m, mmlu, gpqa)) in rows.iter().enumerate() {
        let _ = writeln!(
            csv,
            "{},{},{mmlu:.2},{gpqa:.2},{}",
            rank + 1,
            models[*m].name.replace(',', " "),
            models[*m].license.replace(',', " ")
        );
    }
    csv
}

fn source_id(i: usize) -> String {
    format!("board-{i:04}")
}

fn sources_toml(n: usize, addr: SocketAddr) -> String {
    let mut t = String::from(
        "# Leaderboards served from 127.0.0.1 for the incremental-ingest benchmark.\n",
    );
    for i in 0..n {
        let _ = write!(
            t,
            r#"
[[source]]
id = "{id}"
publisher = "Local publisher {i}"
title = "Local leaderboard {i}"
url = "http://{addr}/boards/{i}.csv"
format = "csv"
subject = {{ name = "Model" }}
access = {{ license = "License", closed_licenses = ["Proprietary"] }}

[[source.score]]
field = "MMLU"
benchmark = "mmlu"
metric = "accuracy"

[[source.score]]
field = "GPQA Diamond"
benchmark = "gpqa-diamond"
metric = "accuracy"
"#,
            id = source_id(i)
        );
    }
    t
}

/// What the store holds, to compare before and after a run.
struct StoreState {
    claims: u64,
    snapshots: Vec<(i64, String)>,
    fetch_log: u64,
}

fn store_state(db: &Path) -> Result<StoreState> {
    if !db.exists() {
        return Ok(StoreState {
            claims: 0,
            snapshots: Vec::new(),
            fetch_log: 0,
        });
    }
    let store = Store::open(db)?;
    Ok(StoreState {
        claims: store.claim_count()?,
        snapshots: store
            .snapshots(None)?
            .into_iter()
            .map(|s| (s.id, s.source_id))
            .collect(),
        fetch_log: store.fetch_log(None)?.len() as u64,
    })
}

pub(crate) fn run(ctx: &Ctx) -> Result<W4> {
    let n = ctx.scale.sources;
    let changed = ctx.scale.changed;
    let registry = Registry::builtin()?;
    let models = listed_models(&registry);
    if models.is_empty() {
        bail!("the registry lists no open or closed models");
    }
    let boards = Arc::new(Boards::default());
    let mut generation = vec![0usize; n];
    let mut board_bytes = 0u64;
    for i in 0..n {
        let csv = board_csv(i, 0, &models);
        board_bytes += csv.len() as u64;
        boards.set(i, csv, 0);
    }
    let server = Server::start(Arc::clone(&boards))?;

    let ws = ctx.work.join("ingest-workspace");
    if ws.exists() {
        std::fs::remove_dir_all(&ws).with_context(|| format!("cannot remove {}", ws.display()))?;
    }
    let init = measure(&ctx.gapwatch, &["init".as_ref(), ws.as_os_str()], &ctx.work)?;
    if !init.success {
        bail!("gapwatch init {} failed", ws.display());
    }
    let sources_path = ws.join("sources.toml");
    std::fs::write(&sources_path, sources_toml(n, server.addr))
        .with_context(|| format!("cannot write {}", sources_path.display()))?;
    let db = ws.join("gapwatch.sqlite");

    eprintln!("W4: full ingest of {n} sources from http://{}", server.addr);
    let all: BTreeSet<String> = (0..n).map(source_id).collect();
    let full = ingest(ctx, &ws, &db, &boards, "2025-06-01", all)?;
    let mut rounds = Vec::new();
    for round in 1..=ROUNDS {
        let mut picked = BTreeSet::new();
        let mut k = 0;
        while picked.len() < changed.min(n) {
            picked.insert((round * 7919 + k * 104_729) % n);
            k += 1;
        }
        for &i in &picked {
            generation[i] += 1;
            boards.set(i, board_csv(i, generation[i], &models), generation[i]);
        }
        eprintln!(
            "W4: incremental ingest {round} of {ROUNDS}, {} sources changed",
            picked.len()
        );
        let today = format!("2025-06-{:02}", 1 + round);
        let changed_ids = picked.iter().map(|&i| source_id(i)).collect();
        rounds.push(ingest(ctx, &ws, &db, &boards, &today, changed_ids)?);
    }
    eprintln!("W4: an ingest with nothing changed");
    let today = format!("2025-06-{:02}", 2 + ROUNDS);
    let unchanged = ingest(ctx, &ws, &db, &boards, &today, BTreeSet::new())?;
    drop(server);
    let mut startup = Vec::new();
    for _ in 0..3 {
        let m = measure(
            &ctx.gapwatch,
            &[
                "--workspace".as_ref(),
                ws.as_os_str(),
                "sources".as_ref(),
                "list".as_ref(),
            ],
            &ctx.work,
        )?;
        if !m.success {
            bail!("gapwatch sources list failed");
        }
        startup.push(m.seconds);
    }
    eprintln!(
        "W4: starting up and loading the workspace: {:.3} s",
        super::median(startup.clone())
    );
    Ok(W4 {
        sources: n,
        changed,
        board_bytes,
        full,
        rounds,
        unchanged,
        startup_seconds: super::median(startup),
    })
}

fn ingest(
    ctx: &Ctx,
    ws: &Path,
    db: &Path,
    boards: &Boards,
    today: &str,
    changed_sources: BTreeSet<String>,
) -> Result<IngestRun> {
    let before = store_state(db)?;
    let _ = boards.counts();
    let args: [&OsStr; 14] = [
        "--workspace".as_ref(),
        ws.as_os_str(),
        "--today".as_ref(),
        today.as_ref(),
        "ingest".as_ref(),
        "--per-host".as_ref(),
        CONCURRENCY.as_ref(),
        "--concurrency".as_ref(),
        CONCURRENCY.as_ref(),
        "--host-interval".as_ref(),
        "0".as_ref(),
        "--attempts".as_ref(),
        "1".as_ref(),
        "--json".as_ref(),
    ];
    let m = measure(&ctx.gapwatch, &args, &ctx.work)?;
    // 0: all good; 3: done, some sources need attention (reported below).
    if !matches!(m.code, Some(0 | 3)) {
        bail!("gapwatch ingest failed with {:?}", m.code);
    }
    let (requests, ok, not_modified) = boards.counts();
    eprintln!(
        "W4:   {:.3} s, {requests} requests ({ok} answered 200, {not_modified} answered 304)",
        m.seconds
    );
    let runs: serde_json::Value = serde_json::from_str(&m.stdout)
        .context("gapwatch ingest --json printed something that is not JSON")?;
    let mut outcomes = BTreeMap::new();
    for r in runs.as_array().map(Vec::as_slice).unwrap_or_default() {
        let outcome = r["outcome"].as_str().unwrap_or("?").to_owned();
        *outcomes.entry(outcome).or_insert(0) += 1;
    }
    let after = store_state(db)?;
    let known: BTreeSet<i64> = before.snapshots.iter().map(|s| s.0).collect();
    let new: Vec<&(i64, String)> = after
        .snapshots
        .iter()
        .filter(|s| !known.contains(&s.0))
        .collect();
    Ok(IngestRun {
        seconds: m.seconds,
        peak_kib: m.peak_kib,
        requests,
        ok,
        not_modified,
        outcomes,
        new_snapshots: new.len() as u64,
        new_claims: after.claims - before.claims,
        new_fetch_log_rows: after.fetch_log - before.fetch_log,
        written_sources: new.iter().map(|s| s.1.clone()).collect(),
        changed_sources,
    })
}
