//! `gapwatch backfill`: a source's history, read from the git repository it is published from.
//!
//! Most leaderboards are files in git repositories, and their commit history is the only
//! record of what a board said on each day. For every commit that changed a file (renames
//! followed), the file as that commit left it goes through the same pipeline as `import`
//! and becomes a snapshot of the source, oldest first, with `REPOSITORY@COMMIT:PATH` as its
//! origin.
//!
//! **The system `git`, not a Rust git library.** Following a file across renames (`git log
//! --follow`) is what the command needs, and only git itself does it fully; a library would
//! add a large build (libgit2's C code, or the many crates of gitoxide) for one command, and
//! anyone holding a clone has `git`. Only read-only commands run (`rev-parse`, `config --get`,
//! `log`, `show`), with their output fixed by options (`-z`, `--format`, `--no-abbrev`,
//! `--literal-pathspecs`), so the user's git configuration cannot change what is parsed.
//! Objects missing from a partial clone are not fetched (`GIT_NO_LAZY_FETCH`): no network.
//!
//! **The committer date, in UTC.** A commit's committer date is when it was made on the
//! branch (applied, rebased or cherry-picked); its author date is when the change was first
//! written, which can be weeks earlier than the day the file said it. UTC makes the date the
//! same on every machine, whatever time zone each committer or user is in.
//!
//! **Idempotent.** A commit whose origin the source already has is not read again, bytes
//! identical to a stored snapshot of the source add nothing, and each version is committed on
//! its own, so an interrupted run resumes where it stopped.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result, bail};
use gapwatch_ingest::SourceConfig;
use gapwatch_model::Date;
use gapwatch_store::Store;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::EXIT_ATTENTION;
use crate::cli::BackfillArgs;
use crate::ingest::now_rfc3339;
use crate::lock::RunLock;
use crate::pipeline::{Incoming, import_keeping_unreadable};
use crate::progress::Progress;
use crate::workspace::Workspace;

/// Environment variables that would make `git -C DIR` read another repository than DIR.
const GIT_LOCATION_VARIABLES: [&str; 5] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_NAMESPACE",
];

/// Checks a `--path`: relative to the repository's top folder, without `..`; `./` and
/// doubled slashes are dropped, so that the path matches what git prints.
pub fn parse_repo_path(text: &str) -> Result<String, String> {
    if text.starts_with('/') {
        return Err(format!(
            "{text:?} is absolute: give the file's path inside the repository, relative to its top folder (as in data/leaderboards.json)"
        ));
    }
    let parts: Vec<&str> = text
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(format!(
            "{text:?} leaves the folder: give the file's path inside the repository, relative to its top folder"
        ));
    }
    if parts.is_empty() {
        return Err("the path is empty: name a file inside the repository".to_owned());
    }
    Ok(parts.join("/"))
}

/// A git repository, read through the system `git`.
#[derive(Debug, Clone)]
pub struct Repository {
    /// Where git runs: the top folder of the work tree, or the repository of a bare clone.
    root: PathBuf,
    /// How origins name the repository: the `origin` remote's URL without credentials, or the
    /// top folder when there is no such remote.
    name: String,
}

/// One version of a file: a commit that changed it, and the file's path at that commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileVersion {
    /// The full commit id.
    pub commit: String,
    /// The committer time, in seconds since 1970-01-01T00:00:00Z.
    pub committed_at: i64,
    /// The file's path at that commit (an older name before a rename).
    pub path: String,
    /// The git object id of the file's bytes, so that identical versions are read once.
    pub blob: String,
}

impl FileVersion {
    /// The day the commit was made, in UTC: the snapshot's observation date.
    pub fn observed_on(&self) -> Date {
        Date::from_days_since_epoch(self.committed_at.div_euclid(86_400))
    }
}

impl Repository {
    /// Opens the repository holding `dir`, or says why it cannot be read.
    pub fn open(dir: &Path) -> Result<Repository> {
        if !dir.is_dir() {
            bail!(
                "cannot read repository {}: no such folder (clone it first)",
                dir.display()
            );
        }
        let probe = Repository {
            root: dir.to_owned(),
            name: dir.display().to_string(),
        };
        let bare = probe
            .text(&["rev-parse", "--is-bare-repository"])
            .with_context(|| format!("cannot read repository {}", dir.display()))?;
        let root = if bare == "true" {
            std::fs::canonicalize(dir)
                .with_context(|| format!("cannot read repository {}", dir.display()))?
        } else {
            PathBuf::from(
                probe
                    .text(&["rev-parse", "--show-toplevel"])
                    .with_context(|| format!("cannot read repository {}", dir.display()))?,
            )
        };
        let mut repo = Repository {
            name: root.display().to_string(),
            root,
        };
        if let Some(url) = repo.remote_url()? {
            repo.name = without_credentials(&url);
        }
        Ok(repo)
    }

    /// How origins name the repository.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every version of the file at `path` (relative to the top folder), oldest first,
    /// following renames. A commit that deleted the file is not a version. An error when no
    /// commit of the checked-out history ever held such a file.
    pub fn versions(&self, path: &str) -> Result<Vec<FileVersion>> {
        let log = self.run(&[
            "log",
            "--follow",
            "-M",
            "--raw",
            "--no-abbrev",
            "-z",
            "--format=%x01%H %ct",
            "--",
            path,
        ])?;
        let versions = parse_log(&log, path)
            .with_context(|| format!("repository {}: cannot read the log of {path}", self.name))?;
        if versions.is_empty() {
            bail!(
                "repository {}: no commit holds a file {path} (paths are relative to the repository's top folder, as in data/leaderboards.json)",
                self.name
            );
        }
        Ok(versions)
    }

    /// The file's bytes at a commit, exactly as committed (no text conversion, no line-ending
    /// or other filters).
    pub fn read(&self, version: &FileVersion) -> Result<Vec<u8>> {
        let spec = format!("{}:{}", version.commit, version.path);
        self.run(&["show", "--no-textconv", &spec])
            .with_context(|| format!("repository {}: cannot read {spec}", self.name))
    }

    /// The `origin` remote's URL, when there is one.
    fn remote_url(&self) -> Result<Option<String>> {
        let out = self.spawn(&["config", "--get", "remote.origin.url"])?;
        // `git config --get` exits 1 when the key is not set.
        if out.status.code() == Some(1) && out.stdout.is_empty() {
            return Ok(None);
        }
        let url = self.check(&["config", "--get", "remote.origin.url"], out)?;
        let url = String::from_utf8_lossy(&url).trim().to_owned();
        Ok((!url.is_empty()).then_some(url))
    }

    /// Runs git and returns its output as trimmed text.
    fn text(&self, args: &[&str]) -> Result<String> {
        let out = self.run(args)?;
        Ok(String::from_utf8_lossy(&out).trim().to_owned())
    }

    /// Runs git and returns what it printed, or an error carrying what git said.
    fn run(&self, args: &[&str]) -> Result<Vec<u8>> {
        let out = self.spawn(args)?;
        self.check(args, out)
    }

    fn check(&self, args: &[&str], out: std::process::Output) -> Result<Vec<u8>> {
        if out.status.success() {
            return Ok(out.stdout);
        }
        let said = String::from_utf8_lossy(&out.stderr);
        let said = said.trim();
        bail!(
            "`git {}` failed ({}){}",
            args.first().copied().unwrap_or_default(),
            out.status,
            if said.is_empty() {
                String::new()
            } else {
                format!(": {said}")
            }
        )
    }

    fn spawn(&self, args: &[&str]) -> Result<std::process::Output> {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(&self.root)
            .args(["--no-pager", "--literal-pathspecs"])
            .args(["-c", "log.showSignature=false", "-c", "color.ui=false"])
            .args(args)
            .env("GIT_NO_LAZY_FETCH", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null());
        for var in GIT_LOCATION_VARIABLES {
            command.env_remove(var);
        }
        command.output().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                anyhow::anyhow!(
                    "cannot run git: no `git` program on the PATH; backfill reads repositories with the system git, so install git and run it again"
                )
            } else {
                anyhow::Error::new(e).context("cannot run git")
            }
        })
    }
}

/// Parses `git log --follow --raw -z --format=%x01%H %ct -- PATH` (newest first) into the
/// versions of the file, oldest first. Before a rename the file had the rename's source path.
fn parse_log(log: &[u8], path: &str) -> Result<Vec<FileVersion>> {
    let mut versions = Vec::new();
    let mut wanted = path.to_owned();
    let mut commit: Option<(String, i64)> = None;
    let mut fields = log
        .split(|b| *b == 0)
        .map(|f| f.strip_prefix(b"\n").unwrap_or(f));
    let text = |bytes: &[u8]| -> Result<String> {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| anyhow::anyhow!("a path that is not UTF-8: {bytes:?}"))
    };
    while let Some(field) = fields.next() {
        if field.is_empty() || field == b"\n" {
            continue;
        }
        if let Some(header) = field.strip_prefix(b"\x01") {
            let header = text(header)?;
            let (id, time) = header
                .trim()
                .split_once(' ')
                .with_context(|| format!("unexpected commit line {header:?}"))?;
            let time: i64 = time
                .parse()
                .with_context(|| format!("unexpected commit time in {header:?}"))?;
            commit = Some((id.to_owned(), time));
            continue;
        }
        let Some(meta) = field.strip_prefix(b":") else {
            bail!("unexpected output {:?}", String::from_utf8_lossy(field));
        };
        // `:old-mode new-mode old-blob new-blob status`, then one path, or two for a rename
        // or a copy (from, to).
        let meta = text(meta)?;
        let parts: Vec<&str> = meta.split(' ').collect();
        let [_, _, _, blob, status] = parts.as_slice() else {
            bail!("unexpected change line {meta:?}");
        };
        let first = text(fields.next().context("a change line without a path")?)?;
        let moved = status.starts_with('R') || status.starts_with('C');
        let (from, to) = if moved {
            let to = text(fields.next().context("a rename without its new path")?)?;
            (first, to)
        } else {
            (first.clone(), first)
        };
        let Some((id, time)) = &commit else {
            bail!("a change line before any commit line");
        };
        if to != wanted || status.starts_with('D') {
            continue;
        }
        versions.push(FileVersion {
            commit: id.clone(),
            committed_at: *time,
            path: to,
            blob: (*blob).to_owned(),
        });
        if moved {
            wanted = from;
        }
    }
    versions.reverse();
    Ok(versions)
}

/// `https://user:token@host/repo.git` → `https://host/repo.git`: an origin is published in
/// digests, so a token written into a remote's URL must not travel with it.
fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// An instant as RFC 3339 in UTC.
fn utc_instant(seconds: i64) -> String {
    let date = Date::from_days_since_epoch(seconds.div_euclid(86_400));
    let rem = seconds.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut hex = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// The versions of every listed file in the date range, in date order (ties: the order the
/// paths were listed in, then git's order), each commit and path once.
pub fn plan(
    repo: &Repository,
    paths: &[String],
    since: Option<Date>,
    until: Option<Date>,
) -> Result<Vec<FileVersion>> {
    let mut seen = HashSet::new();
    let mut all = Vec::new();
    for path in paths {
        for version in repo.versions(path)? {
            if seen.insert((version.commit.clone(), version.path.clone())) {
                all.push(version);
            }
        }
    }
    // A stable sort keeps the listing order for versions made in the same second.
    all.sort_by_key(|v| v.committed_at);
    all.retain(|v| {
        let day = v.observed_on();
        since.is_none_or(|s| day >= s) && until.is_none_or(|u| day <= u)
    });
    Ok(all)
}

/// What happened to one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionOutcome {
    /// Stored as a new snapshot, with its claims (or its warning, when unreadable).
    Stored,
    /// The same bytes as a snapshot the source already has: nothing added.
    Identical,
    /// Imported by an earlier run (the source has a snapshot with this origin): not read.
    AlreadyImported,
}

/// One version and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionReport {
    pub commit: String,
    /// The committer date, RFC 3339 in UTC.
    pub committed_at: String,
    pub observed_on: Date,
    pub path: String,
    pub origin: String,
    pub outcome: VersionOutcome,
    /// The snapshot holding these bytes (new or earlier).
    pub snapshot_id: Option<i64>,
    pub sha256: Option<String>,
    /// Rows and claims the adapter found; only for a version read by this run.
    pub rows: Option<usize>,
    pub claims_extracted: Option<usize>,
    pub claims_inserted: u64,
    pub warnings: Vec<String>,
    pub needs_attention: bool,
}

impl VersionReport {
    /// One line for people.
    pub fn line(&self) -> String {
        let short = &self.commit[..self.commit.len().min(10)];
        let sha = self.sha256.as_deref().map_or("", |s| &s[..s.len().min(12)]);
        let what = match self.outcome {
            VersionOutcome::Stored => format!(
                "stored as snapshot {sha}, {} rows, {} claims ({} new){}",
                self.rows.unwrap_or(0),
                self.claims_extracted.unwrap_or(0),
                self.claims_inserted,
                match self.warnings.len() {
                    0 => String::new(),
                    1 => ", 1 warning".to_owned(),
                    n => format!(", {n} warnings"),
                }
            ),
            VersionOutcome::Identical => {
                format!("identical to stored snapshot {sha}; nothing added")
            }
            VersionOutcome::AlreadyImported => {
                format!("imported earlier as snapshot {sha}; not read again")
            }
        };
        format!("{} {short} {}: {what}", self.observed_on, self.path)
    }
}

/// What a backfill did, for people (`summary`) and machines (JSON).
#[derive(Debug, Clone, Serialize)]
pub struct BackfillSummary {
    pub source: String,
    pub repository: String,
    pub paths: Vec<String>,
    pub since: Option<Date>,
    pub until: Option<Date>,
    /// Versions in the date range.
    pub found: usize,
    pub stored: usize,
    pub identical: usize,
    pub already_imported: usize,
    /// Stored versions that need a person: unreadable, empty, or far fewer rows than before.
    pub need_attention: usize,
    pub claims_inserted: u64,
    pub versions: Vec<VersionReport>,
}

impl BackfillSummary {
    /// The closing line for people.
    pub fn summary(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let range = match (self.since, self.until) {
            (None, None) => String::new(),
            (Some(s), None) => format!(" since {s}"),
            (None, Some(u)) => format!(" until {u}"),
            (Some(s), Some(u)) => format!(" from {s} to {u}"),
        };
        if self.found == 0 {
            return format!(
                "{}: no version of {} in {}{range}; nothing added",
                self.source,
                self.paths.join(", "),
                self.repository
            );
        }
        format!(
            "{}: {} of {} in {}{range}: {} stored{}, {} identical to a stored snapshot, {} imported earlier; {} new claims",
            self.source,
            plural(self.found, "version", "versions"),
            self.paths.join(", "),
            self.repository,
            self.stored,
            match self.need_attention {
                0 => String::new(),
                1 => " (1 needs attention)".to_owned(),
                n => format!(" ({n} need attention)"),
            },
            self.identical,
            self.already_imported,
            self.claims_inserted
        )
    }
}

/// Imports the planned versions in order, calling `on_version` after each.
pub fn backfill(
    store: &mut Store,
    source: &SourceConfig,
    repo: &Repository,
    versions: &[FileVersion],
    on_version: &mut dyn FnMut(&VersionReport),
) -> Result<Vec<VersionReport>> {
    // What the source already holds: by origin (commits imported before) and by sha256.
    let mut by_origin: HashMap<String, (i64, String)> = HashMap::new();
    let mut by_sha: HashMap<String, i64> = HashMap::new();
    for s in store.snapshots(Some(&source.id))? {
        by_sha.insert(s.sha256.clone(), s.id);
        by_origin.insert(s.origin, (s.id, s.sha256));
    }
    // Git objects whose bytes the source holds, so identical versions are not read again.
    let mut by_blob: HashMap<String, (i64, String)> = HashMap::new();
    let mut reports = Vec::with_capacity(versions.len());
    for version in versions {
        let origin = format!("{}@{}:{}", repo.name(), version.commit, version.path);
        let mut report = VersionReport {
            commit: version.commit.clone(),
            committed_at: utc_instant(version.committed_at),
            observed_on: version.observed_on(),
            path: version.path.clone(),
            origin,
            outcome: VersionOutcome::AlreadyImported,
            snapshot_id: None,
            sha256: None,
            rows: None,
            claims_extracted: None,
            claims_inserted: 0,
            warnings: Vec::new(),
            needs_attention: false,
        };
        if let Some((id, sha)) = by_origin.get(&report.origin) {
            report.snapshot_id = Some(*id);
            report.sha256 = Some(sha.clone());
            by_blob.insert(version.blob.clone(), (*id, sha.clone()));
        } else if let Some((id, sha)) = by_blob.get(&version.blob) {
            report.outcome = VersionOutcome::Identical;
            report.snapshot_id = Some(*id);
            report.sha256 = Some(sha.clone());
        } else {
            let bytes = repo.read(version)?;
            let sha = sha256_hex(&bytes);
            if let Some(id) = by_sha.get(&sha) {
                report.outcome = VersionOutcome::Identical;
                report.snapshot_id = Some(*id);
            } else {
                let imported = import_keeping_unreadable(
                    store,
                    source,
                    &Incoming::file(&bytes, report.observed_on, &report.origin),
                )
                .with_context(|| format!("cannot import {}", report.origin))?;
                report.outcome = if imported.new_snapshot {
                    VersionOutcome::Stored
                } else {
                    VersionOutcome::Identical
                };
                report.snapshot_id = Some(imported.snapshot_id);
                report.rows = Some(imported.rows);
                report.claims_extracted = Some(imported.claims_extracted);
                report.claims_inserted = imported.claims_inserted;
                report.needs_attention = imported.new_snapshot && imported.needs_attention;
                report.warnings = imported.warnings;
                by_sha.insert(sha.clone(), imported.snapshot_id);
            }
            if let Some(id) = report.snapshot_id {
                by_blob.insert(version.blob.clone(), (id, sha.clone()));
            }
            report.sha256 = Some(sha);
        }
        on_version(&report);
        reports.push(report);
    }
    Ok(reports)
}

/// `gapwatch backfill`: reads the repository before touching the database, so that a wrong
/// folder or path leaves no file behind.
pub fn command(
    ws: &Workspace,
    source: &SourceConfig,
    args: &BackfillArgs,
    progress: &Progress,
) -> Result<ExitCode> {
    if let (Some(since), Some(until)) = (args.since, args.until)
        && since > until
    {
        use clap::CommandFactory as _;
        let mut cli = crate::cli::Cli::command();
        cli.build();
        let message = format!("--since {since} is after --until {until}: no commit can match");
        let kind = clap::error::ErrorKind::ArgumentConflict;
        match cli.find_subcommand_mut("backfill") {
            Some(backfill) => backfill.error(kind, message).exit(),
            None => cli.error(kind, message).exit(),
        }
    }
    let mut paths: Vec<String> = Vec::new();
    for p in &args.paths {
        if !paths.contains(p) {
            paths.push(p.clone());
        }
    }
    let repo = Repository::open(&args.repo)?;
    let versions = plan(&repo, &paths, args.since, args.until)?;
    let _lock = RunLock::acquire(&ws.database, &now_rfc3339())?;
    let mut store = Store::open(&ws.database)?;

    let bar = progress.bar(versions.len() as u64, "backfill");
    let lines = !progress.enabled();
    // A closed stdout stops the lines, not the import; the error is returned at the end.
    let mut write_error: Option<std::io::Error> = None;
    let mut on_version = |r: &VersionReport| {
        bar.set_message(format!(
            "{} {}",
            r.observed_on,
            &r.commit[..r.commit.len().min(10)]
        ));
        bar.inc(1);
        let mut text = r.line();
        for w in &r.warnings {
            text.push_str(&format!("\n  warning: {w}"));
        }
        if lines && r.outcome == VersionOutcome::Stored {
            if args.json {
                eprintln!("{text}");
            } else if write_error.is_none() {
                use std::io::Write as _;
                write_error = writeln!(std::io::stdout().lock(), "{text}").err();
            }
        } else if !lines && r.needs_attention {
            bar.println(text);
        }
    };
    let reports = backfill(&mut store, source, &repo, &versions, &mut on_version)?;
    bar.finish_and_clear();
    if let Some(e) = write_error {
        return Err(e.into());
    }

    let count = |o: VersionOutcome| reports.iter().filter(|r| r.outcome == o).count();
    let summary = BackfillSummary {
        source: source.id.clone(),
        repository: repo.name().to_owned(),
        paths,
        since: args.since,
        until: args.until,
        found: reports.len(),
        stored: count(VersionOutcome::Stored),
        identical: count(VersionOutcome::Identical),
        already_imported: count(VersionOutcome::AlreadyImported),
        need_attention: reports.iter().filter(|r| r.needs_attention).count(),
        claims_inserted: reports.iter().map(|r| r.claims_inserted).sum(),
        versions: reports,
    };
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        outln!("{}", summary.summary());
    }
    Ok(if summary.need_attention > 0 {
        ExitCode::from(EXIT_ATTENTION)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_paths_are_relative_and_normalised() {
        assert_eq!(
            parse_repo_path("./data//leaderboards.json").as_deref(),
            Ok("data/leaderboards.json")
        );
        assert_eq!(parse_repo_path("README.md").as_deref(), Ok("README.md"));
        assert!(parse_repo_path("/srv/repo/data.json").is_err());
        assert!(parse_repo_path("data/../../etc/passwd").is_err());
        assert!(parse_repo_path("./").is_err());
    }

    /// What `git log --follow --raw -z` prints for a file renamed from `d/old.json` to
    /// `d/new.json` and then deleted, newest first.
    fn renamed_then_deleted() -> Vec<u8> {
        let z = "\0";
        let (a, b, c, d) = (
            "a".repeat(40),
            "b".repeat(40),
            "c".repeat(40),
            "0".repeat(40),
        );
        [
            format!(
                "\x01{} 400{z}\n:100644 000000 {b} {d} D{z}d/new.json{z}",
                "4".repeat(40)
            ),
            format!(
                "\x01{} 300{z}\n:100644 100644 {b} {b} R100{z}d/old.json{z}d/new.json{z}",
                "3".repeat(40)
            ),
            format!(
                "\x01{} 200{z}\n:100644 100644 {a} {b} M{z}d/old.json{z}",
                "2".repeat(40)
            ),
            format!(
                "\x01{} 100{z}\n:000000 100644 {d} {a} A{z}d/old.json{z}",
                "1".repeat(40)
            ),
            // An unrelated file in a commit of the same log is not a version.
            format!(
                "\x01{} 50{z}\n:000000 100644 {d} {c} A{z}d/other.json{z}",
                "0".repeat(40)
            ),
        ]
        .concat()
        .into_bytes()
    }

    #[test]
    fn a_log_gives_each_version_oldest_first_under_its_name_of_the_time() {
        let versions = parse_log(&renamed_then_deleted(), "d/new.json").unwrap();
        let seen: Vec<(i64, &str, char)> = versions
            .iter()
            .map(|v| {
                (
                    v.committed_at,
                    v.path.as_str(),
                    v.blob.chars().next().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (100, "d/old.json", 'a'),
                (200, "d/old.json", 'b'),
                (300, "d/new.json", 'b'),
            ]
        );
        assert_eq!(versions[0].commit, "1".repeat(40));
    }

    #[test]
    fn garbage_from_git_is_an_error_not_a_silent_nothing() {
        assert!(parse_log(b"\x01abc notatime\0", "f").is_err());
        assert!(parse_log(b"something else\0", "f").is_err());
        assert!(parse_log(b":100644 100644 a b\0f\0", "f").is_err());
    }

    #[test]
    fn observation_dates_are_utc_days() {
        // 2025-08-01T23:30:00-05:00 is 2025-08-02T04:30:00Z.
        let v = FileVersion {
            commit: "c".repeat(40),
            committed_at: 1_754_109_000,
            path: "f".into(),
            blob: "b".repeat(40),
        };
        assert_eq!(v.observed_on().to_string(), "2025-08-02");
        assert_eq!(utc_instant(1_754_109_000), "2025-08-02T04:30:00Z");
        assert_eq!(utc_instant(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn credentials_never_reach_an_origin() {
        assert_eq!(
            without_credentials("https://someone:ghp_secret@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            without_credentials("https://github.com/o/r@v1.git"),
            "https://github.com/o/r@v1.git"
        );
        assert_eq!(
            without_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
    }
}
