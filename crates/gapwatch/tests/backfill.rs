//! `gapwatch backfill` over a small git repository built here, commit by commit, with set
//! dates: a SWE-bench-style leaderboards.json (the project's fixtures) that is renamed and has
//! a version that does not parse.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use gapwatch_model::{Fact, Score};
use gapwatch_store::Store;
use predicates::prelude::*;
use serde_json::Value;

fn fixture(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/swebench")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A version of the board that is not JSON any more: cut off in the middle.
fn truncated() -> Vec<u8> {
    fixture("2025-10-06.json")[..2000].to_vec()
}

/// A folder with a git repository and an empty global git configuration, so that neither the
/// machine's nor the user's git settings play a part.
struct Repo {
    _dir: tempfile::TempDir,
    path: PathBuf,
    global_config: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let global_config = dir.path().join("gitconfig");
        std::fs::write(&global_config, "").unwrap();
        let path = dir.path().join("board");
        std::fs::create_dir(&path).unwrap();
        let repo = Repo {
            _dir: dir,
            path,
            global_config,
        };
        repo.git(&["init", "--quiet", "--initial-branch=main"], None);
        repo.git(&["config", "user.name", "Board Keeper"], None);
        repo.git(&["config", "user.email", "keeper@example.invalid"], None);
        repo
    }

    fn git(&self, args: &[&str], date: Option<&str>) -> String {
        let mut c = Process::new("git");
        c.arg("-C").arg(&self.path).args(args);
        hermetic_git(&mut c, &self.global_config);
        if let Some(date) = date {
            c.env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_DATE", date);
        }
        let out = c.output().expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.path.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Commits everything on `date`; returns the commit id.
    fn commit(&self, message: &str, date: &str) -> String {
        self.git(&["add", "--all"], None);
        self.git(&["commit", "--quiet", "-m", message], Some(date));
        self.git(&["rev-parse", "HEAD"], None)
    }

    fn top(&self) -> String {
        self.git(&["rev-parse", "--show-toplevel"], None)
    }
}

fn hermetic_git(c: &mut Process, global_config: &Path) {
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", global_config)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_AUTHOR_DATE")
        .env_remove("GIT_COMMITTER_DATE");
}

/// The commits of the board's history.
struct History {
    repo: Repo,
    /// 2025-05-07, as data/leaderboard.json.
    first: String,
    /// 2025-08-01 23:30 at UTC-5, that is 2025-08-02 in UTC: does not parse.
    broken: String,
    /// 2025-10-06.
    october: String,
    /// 2025-10-20: renamed to data/leaderboards.json, bytes unchanged.
    renamed: String,
    /// 2025-12-10.
    december: String,
}

fn history() -> History {
    let repo = Repo::new();
    repo.write("README.md", b"# A leaderboard\n");
    repo.write("data/leaderboard.json", &fixture("2025-05-07.json"));
    let first = repo.commit("First board", "2025-05-07T09:00:00Z");
    repo.write("data/leaderboard.json", &truncated());
    let broken = repo.commit("Half a board", "2025-08-01T23:30:00-05:00");
    repo.write("README.md", b"# A leaderboard\n\nNow with more words.\n");
    repo.commit("Words, no board", "2025-09-01T12:00:00Z");
    repo.write("data/leaderboard.json", &fixture("2025-10-06.json"));
    let october = repo.commit("October board", "2025-10-06T08:00:00Z");
    repo.git(
        &["mv", "data/leaderboard.json", "data/leaderboards.json"],
        None,
    );
    let renamed = repo.commit("Rename", "2025-10-20T08:00:00Z");
    repo.write("data/leaderboards.json", &fixture("2025-12-10.json"));
    let december = repo.commit("December board", "2025-12-10T08:00:00Z");
    History {
        repo,
        first,
        broken,
        october,
        renamed,
        december,
    }
}

fn gapwatch(dir: &Path, repo: &Repo) -> Command {
    let mut cmd = Command::cargo_bin("gapwatch").unwrap();
    cmd.env_remove("GAPWATCH_WORKSPACE")
        .env_remove("GAPWATCH_DB")
        .env("GAPWATCH_TODAY", "2026-02-01")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", &repo.global_config)
        .current_dir(dir);
    cmd
}

fn backfill(dir: &Path, h: &History, db: &str, extra: &[&str]) -> (i32, Value) {
    let out = gapwatch(dir, &h.repo)
        .args(["--db", db, "backfill", "--source", "swebench", "--repo"])
        .arg(&h.repo.path)
        .args(["--path", "data/leaderboards.json", "--json"])
        .args(extra)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

fn outcomes(summary: &Value) -> Vec<(String, String, String)> {
    summary["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["observed_on"].as_str().unwrap().to_owned(),
                v["commit"].as_str().unwrap()[..7].to_owned(),
                v["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn short(commit: &str) -> String {
    commit[..7].to_owned()
}

#[test]
fn a_history_with_a_rename_and_an_unreadable_version_is_backfilled_once() {
    let h = history();
    let work = tempfile::tempdir().unwrap();
    let (code, summary) = backfill(work.path(), &h, "backfilled.sqlite", &[]);
    assert_eq!(
        code, 3,
        "the unreadable version needs attention: {summary:#}"
    );
    let expect = |o: &[(&str, &String, &str)]| -> Vec<(String, String, String)> {
        o.iter()
            .map(|(d, c, x)| ((*d).to_owned(), short(c), (*x).to_owned()))
            .collect()
    };
    assert_eq!(
        outcomes(&summary),
        expect(&[
            ("2025-05-07", &h.first, "stored"),
            ("2025-08-02", &h.broken, "stored"),
            ("2025-10-06", &h.october, "stored"),
            ("2025-10-20", &h.renamed, "identical"),
            ("2025-12-10", &h.december, "stored"),
        ])
    );
    assert_eq!(summary["need_attention"], 1);
    let broken = &summary["versions"][1];
    assert_eq!(broken["rows"], 0);
    assert!(broken["needs_attention"].as_bool().unwrap());
    let warning = broken["warnings"][0].as_str().unwrap();
    assert!(warning.contains("invalid JSON"), "{warning}");

    // The snapshots: one per distinct version, with its date, origin and exact bytes.
    let store = Store::open(&work.path().join("backfilled.sqlite")).unwrap();
    let snapshots = store.snapshots(Some("swebench")).unwrap();
    let top = h.repo.top();
    let seen: Vec<(String, String)> = snapshots
        .iter()
        .map(|s| (s.observed_on.to_string(), s.origin.clone()))
        .collect();
    let origin = |commit: &str, path: &str| format!("{top}@{commit}:{path}");
    assert_eq!(
        seen,
        [
            (
                "2025-05-07".to_owned(),
                origin(&h.first, "data/leaderboard.json")
            ),
            (
                "2025-08-02".to_owned(),
                origin(&h.broken, "data/leaderboard.json")
            ),
            (
                "2025-10-06".to_owned(),
                origin(&h.october, "data/leaderboard.json")
            ),
            (
                "2025-12-10".to_owned(),
                origin(&h.december, "data/leaderboards.json")
            ),
        ]
    );
    let bytes: Vec<Vec<u8>> = snapshots
        .iter()
        .map(|s| store.snapshot_bytes(s.id).unwrap())
        .collect();
    assert_eq!(
        bytes,
        [
            fixture("2025-05-07.json"),
            truncated(),
            fixture("2025-10-06.json"),
            fixture("2025-12-10.json"),
        ]
    );
    // The unreadable version is kept with its warning and no claims.
    let runs = store.runs(Some("swebench")).unwrap();
    let broken_run = runs
        .iter()
        .find(|r| r.snapshot_id == snapshots[1].id)
        .unwrap();
    assert_eq!((broken_run.rows, broken_run.claims), (0, 0));
    assert_eq!(broken_run.warnings, [warning.to_owned()]);

    // The claims are those `import` takes from the same files on the same dates.
    let claims = store.claims(None).unwrap();
    let december = claims
        .iter()
        .find(|c| {
            c.snapshot_id == snapshots[3].id
                && c.claim.subject.name == "TRAE + Doubao-Seed-Code"
                && matches!(&c.claim.fact, Fact::Score(Score { benchmark, .. }) if benchmark == "swe-bench-verified")
        })
        .expect("the December leader's score");
    assert_eq!(december.observed_on.to_string(), "2025-12-10");
    assert!(matches!(&december.claim.fact, Fact::Score(s) if s.value == 78.8));
    assert!(claims.iter().all(|c| c.snapshot_id != snapshots[1].id));
    for (file, date) in [
        ("2025-05-07.json", "2025-05-07"),
        ("2025-10-06.json", "2025-10-06"),
        ("2025-12-10.json", "2025-12-10"),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/swebench")
            .join(file);
        gapwatch(work.path(), &h.repo)
            .args(["--db", "imported.sqlite", "import", "--source", "swebench"])
            .arg("--file")
            .arg(path)
            .args(["--observed-at", date])
            .assert()
            .success();
    }
    let imported = Store::open(&work.path().join("imported.sqlite")).unwrap();
    let comparable = |s: &Store| -> Vec<_> {
        s.claims(None)
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.snapshot_sha256, c.observed_on, c.claim))
            .collect()
    };
    let backfilled_claims = comparable(&store);
    assert!(backfilled_claims.len() > 50);
    assert_eq!(backfilled_claims, comparable(&imported));
    for as_of in ["2025-06-01", "2025-08-02", "2025-10-06", "2026-01-31"] {
        let gap = |db: &str| {
            gapwatch(work.path(), &h.repo)
                .args(["--db", db, "gap", "--as-of", as_of, "--json"])
                .output()
                .unwrap()
                .stdout
        };
        assert_eq!(gap("backfilled.sqlite"), gap("imported.sqlite"), "{as_of}");
    }

    // A rerun reads nothing again and adds nothing.
    let count = |s: &Store| {
        (
            s.snapshots(None).unwrap().len(),
            s.runs(None).unwrap().len(),
            s.claim_count().unwrap(),
        )
    };
    let before = count(&store);
    let (code, again) = backfill(work.path(), &h, "backfilled.sqlite", &[]);
    assert_eq!(code, 0, "{again:#}");
    assert_eq!(
        (
            &again["stored"],
            &again["identical"],
            &again["already_imported"]
        ),
        (&Value::from(0), &Value::from(1), &Value::from(4))
    );
    assert_eq!(again["claims_inserted"], 0);
    assert_eq!(count(&store), before);

    // A later commit is the only thing a later run imports.
    let mut january = fixture("2025-12-10.json");
    let text = String::from_utf8(january.clone()).unwrap();
    january = text
        .replacen("\"resolved\": 78.8", "\"resolved\": 79.9", 1)
        .into_bytes();
    assert_ne!(january, fixture("2025-12-10.json"));
    h.repo.write("data/leaderboards.json", &january);
    let later = h.repo.commit("January board", "2026-01-15T08:00:00Z");
    let (code, third) = backfill(work.path(), &h, "backfilled.sqlite", &[]);
    assert_eq!(code, 0, "{third:#}");
    assert_eq!(third["stored"], 1);
    assert_eq!(third["already_imported"], 4);
    let newest = &third["versions"][5];
    assert_eq!(newest["commit"], later.as_str());
    assert_eq!(newest["observed_on"], "2026-01-15");
    assert_eq!(newest["outcome"], "stored");
    let snapshots = store.snapshots(Some("swebench")).unwrap();
    assert_eq!(snapshots.len(), 5);
    assert_eq!(
        snapshots[4].origin,
        origin(&later, "data/leaderboards.json")
    );
}

#[test]
fn since_and_until_select_commits_by_their_day_in_utc() {
    let h = history();
    // The origin names the remote, never the credentials written into its URL.
    h.repo.git(
        &[
            "remote",
            "add",
            "origin",
            "https://keeper:s3cret@example.invalid/boards/board.git",
        ],
        None,
    );
    let work = tempfile::tempdir().unwrap();
    let (code, summary) = backfill(
        work.path(),
        &h,
        "range.sqlite",
        &["--since", "2025-08-02", "--until", "2025-10-20"],
    );
    assert_eq!(code, 3);
    assert_eq!(
        outcomes(&summary),
        [
            (
                "2025-08-02".to_owned(),
                short(&h.broken),
                "stored".to_owned()
            ),
            (
                "2025-10-06".to_owned(),
                short(&h.october),
                "stored".to_owned()
            ),
            (
                "2025-10-20".to_owned(),
                short(&h.renamed),
                "identical".to_owned()
            ),
        ]
    );
    assert_eq!(
        summary["versions"][0]["origin"],
        format!(
            "https://example.invalid/boards/board.git@{}:data/leaderboard.json",
            h.broken
        )
    );
    assert!(!summary.to_string().contains("s3cret"));

    let (code, summary) = backfill(work.path(), &h, "until.sqlite", &["--until", "2025-08-01"]);
    assert_eq!(code, 0);
    assert_eq!(
        outcomes(&summary),
        [(
            "2025-05-07".to_owned(),
            short(&h.first),
            "stored".to_owned()
        )]
    );
}

#[test]
fn without_json_each_imported_version_is_a_line() {
    let h = history();
    let work = tempfile::tempdir().unwrap();
    let out = gapwatch(work.path(), &h.repo)
        .args(["--db", "lines.sqlite", "backfill", "--source", "swebench"])
        .arg("--repo")
        .arg(h.repo.path.join("data")) // any folder inside the clone will do
        .args(["--path", "./data/leaderboards.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("  ")).collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    for (line, (date, commit)) in lines.iter().zip([
        ("2025-05-07", &h.first),
        ("2025-08-02", &h.broken),
        ("2025-10-06", &h.october),
        ("2025-12-10", &h.december),
    ]) {
        assert!(
            line.starts_with(&format!("{date} {}", &commit[..10])) && line.contains("stored"),
            "{line}"
        );
    }
    assert!(stdout.contains("  warning: not read as json: invalid JSON"));
    assert!(
        lines[4].contains("5 versions") && lines[4].contains("4 stored (1 needs attention)"),
        "{}",
        lines[4]
    );
}

#[test]
fn a_wrong_folder_or_path_is_an_error_naming_it_and_leaves_no_database() {
    let h = history();
    let work = tempfile::tempdir().unwrap();
    let not_a_repo = work.path().join("plain-folder");
    std::fs::create_dir(&not_a_repo).unwrap();
    let missing = work.path().join("not-cloned-yet");
    let cases: [(PathBuf, &str, &str); 4] = [
        (missing, "data/leaderboards.json", "not-cloned-yet"),
        (not_a_repo, "data/leaderboards.json", "plain-folder"),
        (
            h.repo.path.clone(),
            "data/leaderboard.jsn",
            "data/leaderboard.jsn",
        ),
        // A folder is not a file.
        (h.repo.path.clone(), "data", "no commit holds a file data"),
    ];
    for (repo, path, named) in cases {
        gapwatch(work.path(), &h.repo)
            .args(["--db", "never.sqlite", "backfill", "--source", "swebench"])
            .arg("--repo")
            .arg(&repo)
            .args(["--path", path])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(named));
    }
    // Without git on the PATH, the error says what to install.
    gapwatch(work.path(), &h.repo)
        .env("PATH", work.path().join("no-programs-here"))
        .args(["--db", "never.sqlite", "backfill", "--source", "swebench"])
        .arg("--repo")
        .arg(&h.repo.path)
        .args(["--path", "data/leaderboards.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("install git"));
    assert!(!work.path().join("never.sqlite").exists());
}

#[test]
fn bad_usage_exits_2() {
    let h = history();
    let work = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 3] = [
        &["--path", "../elsewhere.json"],
        &["--path", "/etc/hostname"],
        &[
            "--path",
            "data/leaderboards.json",
            "--since",
            "2025-10-01",
            "--until",
            "2025-09-01",
        ],
    ];
    for extra in cases {
        gapwatch(work.path(), &h.repo)
            .args(["--db", "never.sqlite", "backfill", "--source", "swebench"])
            .arg("--repo")
            .arg(&h.repo.path)
            .args(extra)
            .assert()
            .code(2);
    }
    assert!(!work.path().join("never.sqlite").exists());
}
