//! SIGINT and SIGTERM during `gapwatch ingest` and `gapwatch watch`: the fetches in flight are
//! cancelled at once, what finished is stored and logged (it was, as soon as each source was
//! done), the cancelled sources are logged as interrupted, and the process exits 128 + the
//! signal's number; a second signal ends it at once. Servers are on 127.0.0.1 only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Route, Server, TestWorkspace, fixture, run, source_entry, wait_until};
use gapwatch_store::FetchOutcomeKind;
use serde_json::Value;

const TODAY: &str = "2026-01-15";
/// Only a guard against a hung process, never a performance bound.
const PATIENCE: Duration = Duration::from_secs(120);
/// Long enough to outlast any test: a source that never answers.
const STALL: Duration = Duration::from_secs(600);

/// Template, id, fixture folder and file.
type Board = (&'static str, &'static str, &'static str, &'static str);

const QUICK: [Board; 6] = [
    ("swebench", "swebench", "swebench", "2025-12-10.json"),
    ("mmmu", "mmmu", "mmmu", "2026-07-03.json"),
    ("bfcl", "bfcl", "bfcl", "2025-12-16.csv"),
    ("evalplus", "evalplus", "evalplus", "2024-12-26.json"),
    (
        "aider-polyglot",
        "aider-polyglot",
        "aider-polyglot",
        "2025-10-04.yml",
    ),
    ("mmlu-pro", "mmlu-pro", "mmlu-pro", "2026-03-17.md"),
];

const STALLING: [Board; 4] = [
    (
        "epoch-open-closed",
        "epoch-open-closed",
        "epoch-open-closed",
        "2024-10-22.csv",
    ),
    (
        "swebench",
        "swebench-october",
        "swebench",
        "2025-10-06.json",
    ),
    ("mmmu", "mmmu-may", "mmmu", "2025-05-20.json"),
    ("bfcl", "bfcl-april", "bfcl", "2025-04-30.csv"),
];

/// A workspace whose sources each have a port of one server: the quick ones answer at once,
/// the stalling ones after `STALL`.
fn site(quick: &[Board], stalling: &[Board]) -> (Server, TestWorkspace) {
    let server = Server::start(quick.len() + stalling.len());
    let mut sources = String::new();
    for (port, &(template, id, folder, file)) in quick.iter().chain(stalling).enumerate() {
        let path = format!("/{id}");
        sources.push_str(&source_entry(template, id, &server.url(port, &path)));
        let route = Route::fixture(folder, file);
        let stalls = stalling.iter().any(|s| s.1 == id);
        server.route(&path, if stalls { route.delay(STALL) } else { route });
    }
    let ws = TestWorkspace::new(&sources);
    (server, ws)
}

/// A running gapwatch whose stderr lines are collected as they come.
struct Running {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    new_line: Receiver<()>,
}

impl Running {
    fn spawn(cmd: &mut std::process::Command) -> Running {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, new_line) = channel();
        let collected = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                collected.lock().unwrap().push(line);
                let _ = tx.send(());
            }
        });
        Running {
            child,
            lines,
            new_line,
        }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Waits until `count` stderr lines satisfy `matches`.
    fn wait_for_lines(&self, what: &str, count: usize, matches: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while self.lines().iter().filter(|l| matches(l)).count() < count {
            assert!(
                start.elapsed() < PATIENCE,
                "gave up waiting for {what}; stderr so far:\n{}",
                self.lines().join("\n")
            );
            let _ = self.new_line.recv_timeout(Duration::from_millis(100));
        }
    }

    fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit; returns the status code and the time it took.
    fn wait_exit(&mut self) -> (Option<i32>, Duration) {
        let start = Instant::now();
        let mut status = None;
        wait_until("gapwatch to exit", PATIENCE, || {
            status = self.child.try_wait().unwrap();
            status.is_some()
        });
        (status.unwrap().code(), start.elapsed())
    }

    fn stdout(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        std::io::Read::read_to_end(self.child.stdout.as_mut().unwrap(), &mut out).unwrap();
        out
    }
}

/// Counts rows of a table, reading the database as another process writes it.
fn count(ws: &TestWorkspace, table: &str) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        ws.database(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn is_finished_line(line: &str) -> bool {
    line.starts_with('[') && line.contains("] ") && line.contains(": stored (200)")
}

#[test]
fn an_interrupted_ingest_stores_and_logs_what_finished_and_exits_130_within_five_seconds() {
    let (server, ws) = site(&QUICK, &STALLING);
    let mut ingest =
        Running::spawn(
            ws.gapwatch(TODAY)
                .args(["ingest", "--json", "--host-interval", "0"]),
        );

    // One line per finished source, as it finishes.
    ingest.wait_for_lines("the quick sources", QUICK.len(), is_finished_line);
    // Every stalling fetch is in flight.
    wait_until("all requests to arrive", PATIENCE, || {
        server.requests() == QUICK.len() + STALLING.len()
    });
    // Each finished source is committed, snapshot and fetch-log row, although the slowest
    // fetches have not ended (they stall for minutes).
    assert_eq!(count(&ws, "snapshots"), QUICK.len() as i64);
    wait_until(
        "the fetch-log rows of the finished sources",
        PATIENCE,
        || count(&ws, "fetch_log") == QUICK.len() as i64,
    );
    assert_eq!(
        server.answered(),
        QUICK.len(),
        "the stalling fetches are still in flight"
    );

    ingest.signal("INT");
    let (code, took) = ingest.wait_exit();
    assert_eq!(code, Some(130), "stderr:\n{}", ingest.lines().join("\n"));
    assert!(
        took < Duration::from_secs(5),
        "exited {took:?} after SIGINT"
    );
    let stderr = ingest.lines().join("\n");
    assert!(stderr.contains("SIGINT received"), "{stderr}");
    assert!(!ws.lock_file().exists(), "the lock is released");

    let report: Vec<Value> = serde_json::from_slice(&ingest.stdout()).unwrap();
    assert_eq!(report.len(), QUICK.len() + STALLING.len());
    for (_, id, _, _) in QUICK {
        let r = report.iter().find(|r| r["source"] == id).unwrap();
        assert_eq!(r["outcome"], "stored", "{r}");
        assert_eq!(r["interrupted"], false);
    }
    for (_, id, _, _) in STALLING {
        let r = report.iter().find(|r| r["source"] == id).unwrap();
        assert_eq!(r["outcome"], "failed", "{r}");
        assert_eq!(r["interrupted"], true, "{r}");
    }

    let store = ws.store();
    let log = store.fetch_log(None).unwrap();
    assert_eq!(log.len(), QUICK.len() + STALLING.len());
    for (_, id, _, _) in QUICK {
        let row = log.iter().find(|e| e.source_id == id).unwrap();
        assert_eq!(row.outcome, FetchOutcomeKind::Stored);
        assert_eq!(store.snapshots(Some(id)).unwrap().len(), 1, "{id}");
    }
    for (_, id, _, _) in STALLING {
        let row = log.iter().find(|e| e.source_id == id).unwrap();
        assert_eq!(row.outcome, FetchOutcomeKind::Failed);
        let message = row.message.as_deref().unwrap();
        assert!(
            message.starts_with("interrupted: SIGINT received before the fetch of"),
            "{message}"
        );
        assert!(store.snapshots(Some(id)).unwrap().is_empty(), "{id}");
    }
    drop(store);

    // The next run finds the database sound: the finished sources are unchanged, the
    // interrupted ones are fetched now.
    for (_, id, folder, file) in STALLING {
        server.route(&format!("/{id}"), Route::fixture(folder, file));
    }
    let again = run(
        ws.gapwatch(TODAY)
            .args(["ingest", "--json", "--host-interval", "0"]),
        0,
    );
    let again: Vec<Value> = serde_json::from_slice(&again.stdout).unwrap();
    for r in &again {
        let expected = if STALLING.iter().any(|s| r["source"] == s.1) {
            "stored"
        } else {
            "unchanged"
        };
        assert_eq!(r["outcome"], expected, "{r}");
    }
}

#[test]
fn sigterm_in_the_middle_of_a_watch_run_exits_143_and_logs_the_interruption() {
    let (_server, ws) = site(&QUICK[..1], &STALLING[..1]);
    let mut watch =
        Running::spawn(
            ws.gapwatch(TODAY)
                .args(["watch", "--every", "1h", "--host-interval", "0"]),
        );
    watch.wait_for_lines("the quick source", 1, is_finished_line);
    watch.signal("TERM");
    let (code, took) = watch.wait_exit();
    assert_eq!(code, Some(143), "stderr:\n{}", watch.lines().join("\n"));
    assert!(
        took < Duration::from_secs(5),
        "exited {took:?} after SIGTERM"
    );
    let table = String::from_utf8(watch.stdout()).unwrap();
    assert!(
        table.contains(
            "2 sources: 1 stored, 0 unchanged, 0 need attention; stopped by SIGTERM, 1 not finished"
        ),
        "{table}"
    );
    let log = ws.store().fetch_log(None).unwrap();
    let outcomes: Vec<(&str, FetchOutcomeKind)> = log
        .iter()
        .map(|e| (e.source_id.as_str(), e.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            (QUICK[0].1, FetchOutcomeKind::Stored),
            (STALLING[0].1, FetchOutcomeKind::Failed)
        ]
    );
    assert!(
        log[1]
            .message
            .as_deref()
            .unwrap()
            .starts_with("interrupted: SIGTERM")
    );
    assert!(!ws.lock_file().exists());
}

#[test]
fn a_second_signal_stops_at_once_in_the_middle_of_a_write() {
    // A board large enough that storing it takes a while: the second signal comes meanwhile.
    let csv = String::from_utf8(fixture("bfcl", "2025-12-16.csv")).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let mut big = format!("{header}\n");
    for n in 0..250_000 {
        // A distinct model name per row, so that no claim repeats another.
        let mut fields: Vec<String> = rows[n % rows.len()].split(',').map(str::to_owned).collect();
        fields[2] = format!("{n}-{}", fields[2]);
        big.push_str(&fields.join(","));
        big.push('\n');
    }
    let server = Server::start(1);
    server.route("/big.csv", Route::ok(big.into_bytes(), "text/csv"));
    let ws = TestWorkspace::new(&source_entry("bfcl", "bfcl", &server.url(0, "/big.csv")));
    let mut ingest = Running::spawn(ws.gapwatch(TODAY).args(["-vv", "ingest"]));
    ingest.wait_for_lines("the write to start", 1, |l| l.contains("bfcl: recording"));

    ingest.signal("INT");
    ingest.wait_for_lines("the first signal to be seen", 1, |l| {
        l.contains("SIGINT received")
    });
    let second = Instant::now();
    ingest.signal("TERM");
    let (code, _) = ingest.wait_exit();
    let took = second.elapsed();
    let stderr = ingest.lines().join("\n");
    assert_eq!(code, Some(143), "stderr:\n{stderr}");
    assert!(
        stderr.contains("SIGTERM received again: stopping at once"),
        "{stderr}"
    );
    assert!(
        took < Duration::from_secs(2),
        "exited {took:?} after the second signal"
    );
    assert!(!ws.lock_file().exists(), "the lock file is removed");
    // The write cut short is all or nothing.
    let store = ws.store();
    match store.snapshots(Some("bfcl")).unwrap().len() {
        0 => assert_eq!(store.claim_count().unwrap(), 0),
        1 => assert_eq!(store.claim_count().unwrap(), 200_000),
        n => panic!("{n} snapshots"),
    }
}
