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
    // Each run's rows are in the order its fetches finished.
    let run_of = |rows: &[gapwatch_store::FetchLogEntry]| {
        let mut outcomes: Vec<_> = rows
            .iter()
            .map(|e| (e.source_id.clone(), e.outcome, e.snapshot_id))
            .collect();
        outcomes.sort_by(|a, b| a.0.cmp(&b.0));
        outcomes
    };
    assert_eq!(log.len(), 4);
    // The log names the snapshot each fetch stored or matched.
    let snapshot_of = |id: &str| snapshots.iter().find(|s| s.source_id == id).unwrap().id;
    assert_eq!(
        run_of(&log[..2]),
        [
            (
                "bfcl".to_owned(),
                FetchOutcomeKind::Stored,
                Some(snapshot_of("bfcl"))
            ),
            (
                "mmmu".to_owned(),
                FetchOutcomeKind::Stored,
                Some(snapshot_of("mmmu"))
            ),
        ]
    );
    assert_eq!(
        run_of(&log[2..]),
        [
            (
                "bfcl".to_owned(),
                FetchOutcomeKind::Unchanged,
                Some(snapshot_of("bfcl"))
            ),
            ("mmmu".to_owned(), FetchOutcomeKind::NotModified, None),
        ]
    );
}

#[test]
fn a_running_watch_holds_the_database_and_stops_on_sigterm_between_runs_with_143() {
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
    assert_eq!(
        status.code(),
        Some(143),
        "stopped between runs by SIGTERM, watch exits 128 + 15: {status:?}"
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

#[test]
fn a_lost_score_column_or_a_table_that_stays_shrunk_needs_attention_until_a_good_snapshot_arrives()
{
    let server = Server::start(2);
    let sources = [
        source_entry("bfcl", "bfcl", &server.url(0, "/data_overall.csv")),
        source_entry(
            "aider-polyglot",
            "aider-polyglot",
            &server.url(1, "/polyglot.yml"),
        ),
    ]
    .concat();
    let ws = TestWorkspace::new(&sources);
    let csv = String::from_utf8(fixture("bfcl", "2025-12-16.csv")).unwrap();
    let yaml = String::from_utf8(fixture("aider-polyglot", "2025-10-04.yml")).unwrap();
    // The first `n` entries of the YAML list (the first starts the file).
    let entries = |n: usize| -> String {
        assert!(yaml.starts_with("- dirname"));
        let later: Vec<usize> = yaml.match_indices("\n- dirname").map(|(i, _)| i).collect();
        yaml[..later[n - 1] + 1].to_owned()
    };
    let good = |server: &Server| {
        server.route(
            "/data_overall.csv",
            Route::ok(csv.clone().into_bytes(), "text/csv"),
        );
        server.route(
            "/polyglot.yml",
            Route::ok(yaml.clone().into_bytes(), "application/yaml").etag("\"full\""),
        );
    };
    let ingest = |day: &str, code: i32| {
        runs_by_source(
            &run(
                ws.gapwatch(day)
                    .args(["ingest", "--json", "--host-interval", "0"]),
                code,
            )
            .stdout,
        )
    };
    let warnings = |r: &Value| r["warnings"].to_string();

    good(&server);
    let first = ingest("2026-02-10", 0);
    assert_eq!(first["bfcl"]["outcome"], "stored");
    assert_eq!(first["aider-polyglot"]["outcome"], "stored");

    // The score column is renamed; the list keeps one entry of 27.
    let renamed = csv.replacen("Overall Acc", "Overall Accuracy", 1);
    server.route(
        "/data_overall.csv",
        Route::ok(renamed.clone().into_bytes(), "text/csv"),
    );
    server.route(
        "/polyglot.yml",
        Route::ok(entries(1).into_bytes(), "application/yaml").etag("\"one\""),
    );
    let second = ingest("2026-02-11", 3);
    assert_eq!(second["bfcl"]["outcome"], "attention");
    assert_eq!(second["bfcl"]["rows"], 16, "the rows are still there");
    assert!(
        warnings(&second["bfcl"])
            .contains("no bfcl scores where the last good snapshot, observed 2026-02-10, gave 16"),
        "{}",
        second["bfcl"]
    );
    assert_eq!(second["aider-polyglot"]["outcome"], "attention");

    // The same pages again: identical bytes, and a 304. Still broken, still attention.
    let third = ingest("2026-02-12", 3);
    assert_eq!(third["bfcl"]["outcome"], "attention", "{}", third["bfcl"]);
    assert!(
        warnings(&third["bfcl"]).contains("still as when first stored: no bfcl scores"),
        "{}",
        third["bfcl"]
    );
    assert_eq!(third["aider-polyglot"]["http_status"], 304);
    assert_eq!(third["aider-polyglot"]["outcome"], "attention");
    assert!(
        warnings(&third["aider-polyglot"]).contains("1 rows where the last good snapshot had 27"),
        "{}",
        third["aider-polyglot"]
    );

    // New bytes, as broken: the baseline is the last good snapshot, not the last one.
    server.route(
        "/data_overall.csv",
        Route::ok(
            renamed.replacen("77.47%", "77.48%", 1).into_bytes(),
            "text/csv",
        ),
    );
    server.route(
        "/polyglot.yml",
        Route::ok(entries(2).into_bytes(), "application/yaml").etag("\"two\""),
    );
    let fourth = ingest("2026-02-13", 3);
    assert_eq!(fourth["bfcl"]["outcome"], "attention");
    assert!(
        warnings(&fourth["bfcl"]).contains("observed 2026-02-10, gave 16"),
        "{}",
        fourth["bfcl"]
    );
    assert_eq!(fourth["aider-polyglot"]["outcome"], "attention");
    assert!(
        warnings(&fourth["aider-polyglot"]).contains("2 rows where the last good snapshot had 27"),
        "{}",
        fourth["aider-polyglot"]
    );

    // Good pages again: all clear.
    good(&server);
    let fifth = ingest("2026-02-14", 0);
    assert_eq!(fifth["bfcl"]["outcome"], "unchanged");
    assert_eq!(fifth["aider-polyglot"]["outcome"], "unchanged");
    assert!(
        fifth
            .values()
            .all(|r| r["warnings"] == serde_json::json!([]))
    );
    // And it stays clear.
    let sixth = ingest("2026-02-15", 0);
    assert!(
        sixth.values().all(|r| r["outcome"] == "unchanged"),
        "{sixth:?}"
    );
}

#[test]
fn progress_is_one_line_per_source_and_verbose_runs_log_retries_and_waits() {
    let server = Server::start(1);
    // Two sources on one host: the second waits its turn. The first fails once: retried.
    let sources = [
        source_entry("bfcl", "bfcl", &server.url(0, "/flaky.csv")),
        source_entry("mmmu", "mmmu", &server.url(0, "/leaderboard_data.json")),
    ]
    .concat();
    let ws = TestWorkspace::new(&sources);
    server.route("/flaky.csv", Route::status(500));
    server.route(
        "/leaderboard_data.json",
        Route::fixture("mmmu", "2026-07-03.json"),
    );
    let out = run(
        ws.gapwatch("2026-01-10").args([
            "-v",
            "ingest",
            "--attempts",
            "2",
            "--host-interval",
            "250ms",
            "--per-host",
            "1",
        ]),
        3,
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("bfcl: attempt 1 failed (")
            && stderr.contains("the server answered 500 internal server error")
            && stderr.contains("retrying after"),
        "{stderr}"
    );
    assert!(
        stderr.contains("waiting 0.") && stderr.contains("for a turn at 127.0.0.1:"),
        "{stderr}"
    );
    let progress: Vec<&str> = stderr.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(progress.len(), 2, "{stderr}");
    assert!(
        progress
            .iter()
            .any(|l| l.contains("] mmmu: stored (200), ")),
        "{stderr}"
    );
    assert!(
        progress
            .iter()
            .any(|l| l.contains("] bfcl: failed (500), ") && l.contains("gave up after 2 attempts")),
        "{stderr}"
    );
}
