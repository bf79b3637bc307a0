//! `gapwatch ingest` and `gapwatch watch` end to end, against servers on 127.0.0.1 serving the
//! repository's fixtures; each test reads the database afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::io::BufRead as _;
use std::process::Stdio;
use std::time::Duration;

use common::{Route, Server, TestWorkspace, fixture, run, source_entry, wait_until};
use gapwatch_model::ClaimRecord;
use gapwatch_store::FetchOutcomeKind;
use serde_json::Value;

/// The `--json` output of an ingest run, by source id.
fn runs_by_source(stdout: &[u8]) -> BTreeMap<String, Value> {
    let runs: Vec<Value> = serde_json::from_slice(stdout).unwrap();
    runs.into_iter()
        .map(|r| (r["source"].as_str().unwrap().to_owned(), r))
        .collect()
}

/// Per benchmark and variant: the best closed and best open entries (subject and value) of
/// `gapwatch gap --json`.
fn best_entries(stdout: &[u8]) -> Vec<(String, Value, Value)> {
    let gap: Value = serde_json::from_slice(stdout).unwrap();
    let rows = gap["parity"].as_array().unwrap().clone();
    let pick = |e: &Value| {
        if e.is_null() {
            Value::Null
        } else {
            serde_json::json!([e["best"]["subject"], e["best"]["value"]])
        }
    };
    rows.iter()
        .map(|r| {
            (
                format!(
                    "{} {} {}",
                    r["key"]["benchmark"], r["key"]["variant"], r["key"]["class"]
                ),
                pick(&r["incumbent"]),
                pick(&r["challenger"]),
            )
        })
        .collect()
}

/// The last fetch-log outcome of each source.
fn last_outcomes(ws: &TestWorkspace) -> BTreeMap<String, FetchOutcomeKind> {
    ws.store()
        .fetch_log(None)
        .unwrap()
        .into_iter()
        .map(|e| (e.source_id, e.outcome))
        .collect()
}

#[test]
fn an_emptied_or_shrunken_table_needs_attention_and_earlier_claims_stand() {
    let server = Server::start(5);
    let sources = [
        source_entry("bfcl", "bfcl", &server.url(0, "/data_overall.csv")),
        source_entry("mmmu", "mmmu", &server.url(1, "/leaderboard_data.json")),
        source_entry("swebench", "swebench", &server.url(2, "/leaderboards.json")),
        source_entry(
            "aider-polyglot",
            "aider-polyglot",
            &server.url(3, "/polyglot.yml"),
        ),
        source_entry("evalplus", "evalplus", &server.url(4, "/results.json")),
    ]
    .concat();
    let ws = TestWorkspace::new(&sources);
    server.route(
        "/data_overall.csv",
        Route::fixture("bfcl", "2025-12-16.csv"),
    );
    server.route(
        "/leaderboard_data.json",
        Route::fixture("mmmu", "2025-05-20.json"),
    );
    server.route(
        "/leaderboards.json",
        Route::fixture("swebench", "2025-10-06.json"),
    );
    server.route(
        "/polyglot.yml",
        Route::fixture("aider-polyglot", "2025-10-04.yml"),
    );
    server.route(
        "/results.json",
        Route::fixture("evalplus", "2024-12-26.json"),
    );

    let first = run(ws.gapwatch("2026-01-10").args(["ingest", "--json"]), 0);
    let first = runs_by_source(&first.stdout);
    assert_eq!(first.len(), 5);
    for (id, r) in &first {
        assert_eq!(r["outcome"], "stored", "{id}: {r}");
        assert!(r["claims_inserted"].as_u64().unwrap() > 0, "{id}: {r}");
    }
    let before: Vec<ClaimRecord> = ws.store().claims(None).unwrap();
    let gap_before = run(ws.gapwatch("2026-01-11").args(["gap", "--json"]), 0);
    let best_before = best_entries(&gap_before.stdout);
    assert!(
        best_before
            .iter()
            .filter(|(_, closed, open)| !closed.is_null() && !open.is_null())
            .count()
            >= 4,
        "the fixtures give both cohorts on several benchmarks: {best_before:?}"
    );

    // The next day: the CSV keeps only its header, the JSON list is empty, the YAML keeps one
    // entry of 27, the SWE-bench file is unchanged and EvalPlus is gone.
    let csv = fixture("bfcl", "2025-12-16.csv");
    let header_only = csv.split(|&b| b == b'\n').next().unwrap().to_vec();
    server.route(
        "/data_overall.csv",
        Route::ok([&header_only[..], b"\n"].concat(), "text/csv"),
    );
    server.route(
        "/leaderboard_data.json",
        Route::ok(br#"{"leaderboardData": []}"#.to_vec(), "application/json"),
    );
    let yaml = String::from_utf8(fixture("aider-polyglot", "2025-10-04.yml")).unwrap();
    let one_entry = &yaml[..yaml[1..].find("\n- dirname").unwrap() + 2];
    server.route(
        "/polyglot.yml",
        Route::ok(one_entry.as_bytes().to_vec(), "application/yaml"),
    );
    server.route("/results.json", Route::status(404));

    let second = run(ws.gapwatch("2026-01-11").args(["ingest", "--json"]), 3);
    let second = runs_by_source(&second.stdout);
    for id in ["bfcl", "mmmu", "aider-polyglot"] {
        let r = &second[id];
        assert_eq!(r["outcome"], "attention", "{id}: {r}");
        assert_eq!(r["http_status"], 200, "{id}: {r}");
        assert_eq!(
            r["claims_inserted"],
            if id == "aider-polyglot" { 1 } else { 0 }
        );
        assert!(
            !r["warnings"].as_array().unwrap().is_empty(),
            "{id} needs a warning a person can read: {r}"
        );
    }
    let shrunk = second["aider-polyglot"]["warnings"].to_string();
    assert!(
        shrunk.contains("1 rows where the last good snapshot had 27"),
        "{shrunk}"
    );
    assert!(shrunk.contains("earlier claims stand"), "{shrunk}");
    assert_eq!(second["swebench"]["outcome"], "unchanged");
    assert_eq!(second["evalplus"]["outcome"], "failed");
    assert_eq!(second["evalplus"]["http_status"], 404);
    assert!(
        second["evalplus"]["message"]
            .as_str()
            .unwrap()
            .contains("404")
    );

    let outcomes = last_outcomes(&ws);
    assert_eq!(outcomes["bfcl"], FetchOutcomeKind::Attention);
    assert_eq!(outcomes["mmmu"], FetchOutcomeKind::Attention);
    assert_eq!(outcomes["aider-polyglot"], FetchOutcomeKind::Attention);
    assert_eq!(outcomes["swebench"], FetchOutcomeKind::Unchanged);
    assert_eq!(outcomes["evalplus"], FetchOutcomeKind::Failed);

    // Every earlier claim is still there, unchanged; the emptied tables added none, the
    // shrunken one its single row.
    let store = ws.store();
    let after = store.claims(None).unwrap();
    assert_eq!(after[..before.len()], before[..]);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap().source_id, "aider-polyglot");
    // The suspect snapshots are kept, as evidence of what the sources served.
    for (id, snapshots) in [
        ("bfcl", 2),
        ("mmmu", 2),
        ("aider-polyglot", 2),
        ("swebench", 1),
    ] {
        assert_eq!(store.snapshots(Some(id)).unwrap().len(), snapshots, "{id}");
    }
    assert_eq!(store.snapshots(Some("evalplus")).unwrap().len(), 1);

    let gap_after = run(ws.gapwatch("2026-01-11").args(["gap", "--json"]), 0);
    assert_eq!(best_entries(&gap_after.stdout), best_before);
}

#[test]
fn the_same_bytes_again_and_a_304_add_nothing() {
    let server = Server::start(2);
    let sources = [
        source_entry("bfcl", "bfcl", &server.url(0, "/data_overall.csv")),
        source_entry("mmmu", "mmmu", &server.url(1, "/leaderboard_data.json")),
    ]
    .concat();
    let ws = TestWorkspace::new(&sources);
    // The CSV comes without validators, so it is fetched in full each time; the JSON with an
    // ETag the server checks.
    server.route(
        "/data_overall.csv",
        Route::fixture("bfcl", "2025-04-30.csv"),
    );
    server.route(
        "/leaderboard_data.json",
        Route::fixture("mmmu", "2026-07-03.json").etag("\"mmmu-2026-07-03\""),
    );

    let first =
        runs_by_source(&run(ws.gapwatch("2026-07-04").args(["ingest", "--json"]), 0).stdout);
    assert_eq!(first["bfcl"]["outcome"], "stored");
    assert_eq!(first["mmmu"]["outcome"], "stored");
    let (claims, snapshots, runs) = {
        let store = ws.store();
        (
            store.claims(None).unwrap(),
            store.snapshots(None).unwrap(),
            store.runs(None).unwrap(),
        )
    };
    assert_eq!(snapshots.len(), 2);
    assert_eq!(
        snapshots
            .iter()
            .find(|s| s.source_id == "mmmu")
            .unwrap()
            .etag
            .as_deref(),
        Some("\"mmmu-2026-07-03\"")
    );

    let second =
        runs_by_source(&run(ws.gapwatch("2026-07-05").args(["ingest", "--json"]), 0).stdout);
    assert_eq!(second["bfcl"]["outcome"], "unchanged", "{}", second["bfcl"]);
    assert_eq!(second["bfcl"]["claims_inserted"], 0);
    assert_eq!(
        second["mmmu"]["outcome"], "not-modified",
        "{}",
        second["mmmu"]
    );
    assert_eq!(second["mmmu"]["http_status"], 304);

    // The conditional request carried the stored ETag; the first one had none to send.
    let mmmu: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.path == "/leaderboard_data.json")
        .collect();
    assert_eq!(mmmu.len(), 2);
    assert_eq!(mmmu[0].header("if-none-match"), None);
    assert_eq!(mmmu[1].header("if-none-match"), Some("\"mmmu-2026-07-03\""));
    assert_eq!(mmmu[1].answered, Some(304));

    let store = ws.store();
    assert_eq!(store.claims(None).unwrap(), claims);
    assert_eq!(store.snapshots(None).unwrap(), snapshots);
    assert_eq!(store.runs(None).unwrap(), runs);
    let log = store.fetch_log(None).unwrap();
    let outcomes: Vec<_> = log
        .iter()
        .map(|e| (e.source_id.as_str(), e.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("bfcl", FetchOutcomeKind::Stored),
            ("mmmu", FetchOutcomeKind::Stored),
            ("bfcl", FetchOutcomeKind::Unchanged),
            ("mmmu", FetchOutcomeKind::NotModified),
        ]
    );
    // The log names the snapshot each fetch stored or matched.
    let bfcl_snapshot = snapshots.iter().find(|s| s.source_id == "bfcl").unwrap().id;
    assert_eq!(log[0].snapshot_id, Some(bfcl_snapshot));
    assert_eq!(log[2].snapshot_id, Some(bfcl_snapshot));
    assert_eq!(log[3].snapshot_id, None);
}

#[test]
fn a_running_watch_holds_the_database_and_stops_cleanly_on_sigterm() {
    let server = Server::start(1);
    server.route(
        "/data_overall.csv",
        Route::fixture("bfcl", "2025-12-16.csv"),
    );
    let ws = TestWorkspace::new(&source_entry(
        "bfcl",
        "bfcl",
        &server.url(0, "/data_overall.csv"),
    ));
    let mut watch = ws
        .gapwatch("2026-01-10")
        .args(["watch", "--every", "1h"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = watch.id();
    // The summary line closes the first run's report.
    let stdout = watch.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains(" sources: ") {
                let _ = tx.send(line);
            }
        }
    });
    let summary = rx.recv_timeout(Duration::from_secs(120)).unwrap();
    assert!(summary.starts_with("1 sources: 1 stored"), "{summary}");
    let lock = std::fs::read_to_string(ws.lock_file()).unwrap();
    assert!(lock.starts_with(&format!("pid={pid}\nsince=")), "{lock}");

    let refused = run(ws.gapwatch("2026-01-10").arg("ingest"), 1);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("in use by another gapwatch run"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("(pid {pid}, since ")), "{stderr}");
    assert_eq!(
        server.requests(),
        1,
        "the refused run must not fetch anything"
    );
    assert_eq!(ws.store().fetch_log(None).unwrap().len(), 1);

    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let mut status = None;
    wait_until(
        "watch to exit after SIGTERM",
        Duration::from_secs(60),
        || {
            status = watch.try_wait().unwrap();
            status.is_some()
        },
    );
    let status = status.unwrap();
    assert!(
        matches!(status.code(), Some(0 | 3)),
        "watch should exit with its last run's status, not be killed: {status:?}"
    );
    assert!(
        !ws.lock_file().exists(),
        "the lock is released on a clean stop"
    );
    // The database is free again.
    let again =
        runs_by_source(&run(ws.gapwatch("2026-01-10").args(["ingest", "--json"]), 0).stdout);
    assert_eq!(again["bfcl"]["outcome"], "unchanged");
}

#[test]
fn every_attempt_of_a_run_is_in_the_fetch_log_in_order() {
    let server = Server::start(1);
    // Sources answering 304 around one that changes, one that sends the same bytes again and
    // one that goes away: the rows of attempts that store nothing are written in batches, a
    // stored snapshot's at once.
    let mut ids: Vec<String> = (0..4).map(|i| format!("etag-{i}")).collect();
    ids.extend(["changes", "same-bytes", "goes-away"].map(str::to_owned));
    ids.extend((4..8).map(|i| format!("etag-{i}")));
    let mut sources = String::new();
    for id in &ids {
        let path = format!("/{id}.csv");
        sources.push_str(&source_entry("bfcl", id, &server.url(0, &path)));
        let route = Route::fixture("bfcl", "2025-04-30.csv");
        let route = if id.starts_with("etag-") {
            route.etag(&format!("\"{id}\""))
        } else {
            route
        };
        server.route(&path, route);
    }
    let ws = TestWorkspace::new(&sources);
    let flags = [
        "ingest",
        "--json",
        "--host-interval",
        "0",
        "--per-host",
        "4",
    ];

    let first = run(ws.gapwatch("2026-01-10").args(flags), 0);
    let first: Vec<Value> = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(first.len(), ids.len());
    let log = ws.store().fetch_log(None).unwrap();
    assert_eq!(log.len(), ids.len());
    for (row, report) in log.iter().zip(&first) {
        assert_eq!(row.outcome, FetchOutcomeKind::Stored);
        assert_eq!(row.source_id, report["source"].as_str().unwrap());
        assert_eq!(
            Some(row.snapshot_id.unwrap()),
            report["snapshot_id"].as_i64()
        );
    }

    server.route("/changes.csv", Route::fixture("bfcl", "2025-12-16.csv"));
    server.route("/goes-away.csv", Route::status(404));
    // A failed source needs attention: exit 3.
    let second = run(ws.gapwatch("2026-01-11").args(flags), 3);
    let second: Vec<Value> = serde_json::from_slice(&second.stdout).unwrap();
    let store = ws.store();
    let log = store.fetch_log(None).unwrap();
    assert_eq!(log.len(), 2 * ids.len(), "one row per attempt");
    let this_run = &log[ids.len()..];
    assert!(
        this_run
            .iter()
            .all(|r| r.started_at == this_run[0].started_at)
    );
    assert!(log.windows(2).all(|w| w[0].id < w[1].id));
    // In the order of the report, each row saying what the report says.
    assert_eq!(this_run.len(), second.len());
    for (row, report) in this_run.iter().zip(&second) {
        assert_eq!(row.source_id, report["source"].as_str().unwrap());
        assert_eq!(
            serde_json::to_value(row.outcome).unwrap(),
            report["outcome"],
            "{report}"
        );
        assert_eq!(row.snapshot_id, report["snapshot_id"].as_i64());
        assert_eq!(
            row.http_status.map(u64::from),
            report["http_status"].as_u64()
        );
    }
    let outcome_of = |id: &str| {
        this_run
            .iter()
            .find(|r| r.source_id == id)
            .map(|r| r.outcome)
            .unwrap()
    };
    assert_eq!(outcome_of("changes"), FetchOutcomeKind::Stored);
    assert_eq!(outcome_of("same-bytes"), FetchOutcomeKind::Unchanged);
    assert_eq!(outcome_of("goes-away"), FetchOutcomeKind::Failed);
    for i in 0..8 {
        assert_eq!(
            outcome_of(&format!("etag-{i}")),
            FetchOutcomeKind::NotModified
        );
    }
    // The stored snapshot's row names it.
    let changed = store.snapshots(Some("changes")).unwrap().last().unwrap().id;
    let row = this_run.iter().find(|r| r.source_id == "changes").unwrap();
    assert_eq!(row.snapshot_id, Some(changed));
    assert!(row.claims_inserted.unwrap() > 0);
}
