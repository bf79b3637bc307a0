//! `cargo xtask conformance`: every default source over every matching real leaderboard
//! file, rows found against the counts recorded by hand in `xtask/conformance.toml`.

use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use gapwatch_ingest::{BenchmarkTarget, SourcesFile, Structure, extract};
use gapwatch_model::{Fact, Registry};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConformanceFile {
    #[serde(rename = "file")]
    files: Vec<Entry>,
}

/// One file, or a pattern of files, of the real-sources folder.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// Relative to DIR, `/`-separated; `*` matches within one path segment.
    path: String,
    /// The default source that reads it.
    #[serde(default)]
    source: Option<String>,
    /// Rows expected (the total over a pattern's files), counted by hand.
    #[serde(default)]
    rows: Option<usize>,
    /// Claims expected (scores and access statements), counted by hand; checked when given.
    #[serde(default)]
    claims: Option<usize>,
    /// `empty`: the file holds no data (a page filled by a script).
    #[serde(default)]
    expect: Option<String>,
    /// Why the file is not read by any source.
    #[serde(default)]
    skip: Option<String>,
    /// How the count was checked, or anything else worth knowing.
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct Line {
    path: String,
    files: usize,
    source: Option<String>,
    rows_found: usize,
    rows_expected: Option<usize>,
    expect: Option<String>,
    claims: usize,
    claims_expected: Option<usize>,
    score_rows: usize,
    score_rows_resolved: usize,
    unresolved: Vec<String>,
    warnings: Vec<String>,
    status: Status,
    message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
enum Status {
    Ok,
    Mismatch,
    Error,
    Skipped,
    Unlisted,
}

#[derive(Debug, Serialize)]
struct Report {
    dir: String,
    lines: Vec<Line>,
    score_rows: usize,
    score_rows_resolved: usize,
    failures: usize,
}

fn default_sources(root: &Path) -> Result<SourcesFile> {
    let sources_path = root.join("crates/gapwatch/defaults/sources.toml");
    let text = fs::read_to_string(&sources_path)
        .with_context(|| format!("cannot read {}", sources_path.display()))?;
    Ok(SourcesFile::from_toml_str(
        &text,
        &sources_path.display().to_string(),
    )?)
}

/// Prints the extraction of one file by one default source, as JSON.
pub(crate) fn dump(root: &Path, id: &str, file: &Path) -> Result<()> {
    let sources = default_sources(root)?;
    let Some(source) = sources.get(id) else {
        bail!("no default source {id:?}");
    };
    let bytes = fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let extraction =
        extract(source, &bytes).with_context(|| format!("cannot extract {}", file.display()))?;
    println!("{}", serde_json::to_string_pretty(&extraction)?);
    Ok(())
}

/// Imports what the conformance run extracts into a gapwatch database, each file as a
/// snapshot observed on the date its publisher last changed it (PROVENANCE.tsv), or the date
/// in its name.
pub(crate) struct Importer {
    store: gapwatch_store::Store,
    dates: std::collections::HashMap<String, gapwatch_model::Date>,
    pub(crate) imported: usize,
    pub(crate) undated: Vec<String>,
}

impl Importer {
    pub(crate) fn open(db: &Path, dir: &Path) -> Result<Importer> {
        let store = gapwatch_store::Store::open(db)?;
        let mut dates = std::collections::HashMap::new();
        if let Ok(tsv) = fs::read_to_string(dir.join("PROVENANCE.tsv")) {
            for line in tsv.lines().skip(1) {
                let fields: Vec<&str> = line.split('\t').collect();
                if let (Some(path), Some(when)) = (fields.first(), fields.get(5))
                    && let Some(date) = when.get(..10).and_then(|d| d.parse().ok())
                {
                    dates.insert((*path).to_owned(), date);
                }
            }
        }
        Ok(Importer {
            store,
            dates,
            imported: 0,
            undated: Vec::new(),
        })
    }

    /// The distinct observation dates of the snapshots in the database, oldest first.
    pub(crate) fn observed_dates(&self) -> Result<Vec<gapwatch_model::Date>> {
        let mut dates: Vec<gapwatch_model::Date> = self
            .store
            .snapshots(None)?
            .into_iter()
            .map(|s| s.observed_on)
            .collect();
        dates.sort_unstable();
        dates.dedup();
        Ok(dates)
    }

    fn date_of(&self, rel: &str) -> Option<gapwatch_model::Date> {
        self.dates.get(rel).copied().or_else(|| {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            (0..name.len().saturating_sub(9))
                .filter_map(|i| name.get(i..i + 10))
                .find_map(|s| s.parse().ok())
        })
    }

    fn record(
        &mut self,
        source: &gapwatch_ingest::SourceConfig,
        rel: &str,
        bytes: &[u8],
        extraction: &gapwatch_ingest::Extraction,
    ) -> Result<()> {
        let Some(observed_on) = self.date_of(rel) else {
            self.undated.push(rel.to_owned());
            return Ok(());
        };
        self.store.upsert_source(&gapwatch_store::SourceInfo {
            id: source.id.clone(),
            publisher: source.publisher.clone(),
            title: source.title.clone(),
            url: source.url.clone(),
            format: source.format.as_str().to_owned(),
        })?;
        let warnings: Vec<String> = extraction.warnings.iter().map(|w| w.to_string()).collect();
        self.store.record_snapshot(&gapwatch_store::NewSnapshot {
            source_id: &source.id,
            bytes,
            observed_on,
            fetched_at: None,
            origin: rel,
            http_status: None,
            etag: None,
            last_modified: None,
            claims: &extraction.claims,
            rows: extraction.rows.len() as u64,
            warnings: &warnings,
            adapter: gapwatch_ingest::ADAPTER_VERSION,
        })?;
        self.imported += 1;
        Ok(())
    }
}

pub(crate) fn run(
    root: &Path,
    dir: &Path,
    json: bool,
    mut importer: Option<&mut Importer>,
) -> Result<ExitCode> {
    let sources = default_sources(root)?;
    let table_path = root.join("xtask/conformance.toml");
    let table: ConformanceFile = toml::from_str(
        &fs::read_to_string(&table_path)
            .with_context(|| format!("cannot read {}", table_path.display()))?,
    )
    .with_context(|| format!("cannot parse {}", table_path.display()))?;
    let registry = Registry::builtin().context("cannot load the builtin registry")?;
    let unknown = unknown_benchmarks(&sources, &registry);
    let conflicts = direction_conflicts(&sources, &registry);

    let mut all_files = Vec::new();
    walk(dir, dir, &mut all_files).with_context(|| format!("cannot list {}", dir.display()))?;
    all_files.sort();
    let mut covered = vec![false; all_files.len()];

    let mut lines = Vec::new();
    for entry in &table.files {
        let matched: Vec<usize> = all_files
            .iter()
            .enumerate()
            .filter(|(_, f)| glob_match(&entry.path, f))
            .map(|(i, _)| i)
            .collect();
        for &i in &matched {
            covered[i] = true;
        }
        lines.push(check(
            entry,
            &matched,
            &all_files,
            dir,
            &sources,
            &registry,
            importer.as_deref_mut(),
        )?);
    }
    for (i, f) in all_files.iter().enumerate() {
        if !covered[i] {
            lines.push(Line {
                path: f.clone(),
                files: 1,
                source: None,
                rows_found: 0,
                rows_expected: None,
                expect: None,
                claims: 0,
                claims_expected: None,
                score_rows: 0,
                score_rows_resolved: 0,
                unresolved: Vec::new(),
                warnings: Vec::new(),
                status: Status::Unlisted,
                message: Some("not in xtask/conformance.toml".to_owned()),
            });
        }
    }
    let report = Report {
        dir: dir.display().to_string(),
        score_rows: lines.iter().map(|l| l.score_rows).sum(),
        score_rows_resolved: lines.iter().map(|l| l.score_rows_resolved).sum(),
        failures: lines
            .iter()
            .filter(|l| {
                matches!(
                    l.status,
                    Status::Mismatch | Status::Error | Status::Unlisted
                )
            })
            .count(),
        lines,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
        if !unknown.is_empty() {
            println!(
                "note: benchmark ids of the default sources that the builtin registry lacks: {}",
                unknown.join(", ")
            );
        }
    }
    for c in &conflicts {
        eprintln!("error: {c}");
    }
    Ok(if report.failures == 0 && conflicts.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Card rows declared less-is-better that lead to a benchmark the registry says is
/// more-is-better, or the other way round: such a mapping would turn a gap around.
fn direction_conflicts(sources: &SourcesFile, registry: &Registry) -> Vec<String> {
    let mut out = Vec::new();
    for source in &sources.sources {
        for table in source.card.iter().flat_map(|c| &c.tables) {
            for (label, target) in &table.benchmarks {
                let Some(b) = registry.benchmark(target.benchmark()) else {
                    continue;
                };
                if b.higher_is_better == target.lower_is_better() {
                    out.push(format!(
                        "{}: {label:?} is declared {} but the registry's {} is {}",
                        source.id,
                        if target.lower_is_better() {
                            "less-is-better"
                        } else {
                            "more-is-better"
                        },
                        b.id,
                        if b.higher_is_better {
                            "more-is-better"
                        } else {
                            "less-is-better"
                        }
                    ));
                }
            }
        }
    }
    out
}

/// Benchmark ids named by the sources that the registry does not know.
fn unknown_benchmarks(sources: &SourcesFile, registry: &Registry) -> Vec<String> {
    let mut ids = BTreeSet::new();
    for source in &sources.sources {
        for score in &source.scores {
            ids.extend(score.benchmark.iter().cloned());
            ids.extend(score.benchmarks.values().map(|t| match t {
                BenchmarkTarget::Id(id) => id.clone(),
                BenchmarkTarget::WithVariant { benchmark, .. } => benchmark.clone(),
            }));
        }
        for table in source.card.iter().flat_map(|c| &c.tables) {
            ids.extend(table.benchmarks.values().map(|t| t.benchmark().to_owned()));
        }
    }
    ids.into_iter()
        .filter(|id| registry.benchmark(id).is_none())
        .collect()
}

fn check(
    entry: &Entry,
    matched: &[usize],
    all_files: &[String],
    dir: &Path,
    sources: &SourcesFile,
    registry: &Registry,
    mut importer: Option<&mut Importer>,
) -> Result<Line> {
    let mut line = Line {
        path: entry.path.clone(),
        files: matched.len(),
        source: entry.source.clone(),
        rows_found: 0,
        rows_expected: entry.rows,
        expect: entry.expect.clone(),
        claims: 0,
        claims_expected: entry.claims,
        score_rows: 0,
        score_rows_resolved: 0,
        unresolved: Vec::new(),
        warnings: Vec::new(),
        status: Status::Ok,
        message: None,
    };
    if let Some(reason) = &entry.skip {
        line.status = Status::Skipped;
        line.message = Some(reason.clone());
        return Ok(line);
    }
    let Some(id) = &entry.source else {
        bail!("{}: an entry needs `source` or `skip`", entry.path);
    };
    let Some(source) = sources.get(id) else {
        bail!("{}: no default source {id:?}", entry.path);
    };
    if matched.is_empty() {
        line.status = Status::Error;
        line.message = Some("no file matches".to_owned());
        return Ok(line);
    }
    let mut unresolved = BTreeSet::new();
    let mut all_empty = true;
    let mut errors = Vec::new();
    for &i in matched {
        let rel = &all_files[i];
        let path: PathBuf = dir.join(rel);
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let outcome = catch_unwind(AssertUnwindSafe(|| extract(source, &bytes)));
        let extraction = match outcome {
            Err(panic) => {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                errors.push(format!("{rel}: panic: {what}"));
                continue;
            }
            Ok(Err(e)) => {
                errors.push(format!("{rel}: {e}"));
                continue;
            }
            Ok(Ok(x)) => x,
        };
        if let Some(importer) = importer.as_deref_mut() {
            importer
                .record(source, rel, &bytes, &extraction)
                .with_context(|| format!("cannot import {rel}"))?;
        }
        if extraction.structure == Structure::Data {
            all_empty = false;
        }
        line.rows_found += extraction.rows.len();
        line.claims += extraction.claims.len();
        let prefix = if matched.len() > 1 {
            format!("{rel}: ")
        } else {
            String::new()
        };
        line.warnings
            .extend(extraction.warnings.iter().map(|w| format!("{prefix}{w}")));
        let mut claims = extraction.claims.iter();
        for row in &extraction.rows {
            let row_claims: Vec<_> = claims.by_ref().take(row.claims).collect();
            if row.scores == 0 {
                continue;
            }
            line.score_rows += 1;
            // A row of a model card holds many models, one per column: every subject of the
            // row's scores must resolve for the row to count as resolved.
            let mut subjects: Vec<&gapwatch_model::Subject> = Vec::new();
            for c in &row_claims {
                if let Fact::Score(_) = c.fact
                    && !subjects.contains(&&c.subject)
                {
                    subjects.push(&c.subject);
                }
            }
            let mut all = true;
            for subject in subjects {
                if subject.models.is_empty() {
                    all = false;
                    unresolved.insert(format!("{} (no model named)", subject.name));
                }
                for m in &subject.models {
                    if registry.resolve_model_name(m).id().is_none() {
                        all = false;
                        unresolved.insert(m.clone());
                    }
                }
            }
            if all {
                line.score_rows_resolved += 1;
            }
        }
    }
    line.unresolved = unresolved.into_iter().collect();
    if !errors.is_empty() {
        line.status = Status::Error;
        line.message = Some(errors.join("; "));
    } else if entry.expect.as_deref() == Some("empty") {
        if !all_empty {
            line.status = Status::Mismatch;
            line.message = Some("expected no data, found rows".to_owned());
        }
    } else if let Some(expected) = entry.rows {
        if expected != line.rows_found {
            line.status = Status::Mismatch;
            line.message = Some(format!(
                "{} rows found, {expected} expected",
                line.rows_found
            ));
        } else if let Some(claims) = entry.claims
            && claims != line.claims
        {
            line.status = Status::Mismatch;
            line.message = Some(format!("{} claims found, {claims} expected", line.claims));
        }
    } else {
        line.status = Status::Error;
        line.message = Some("no `rows` or `expect` recorded".to_owned());
    }
    Ok(line)
}

fn print_table(report: &Report) {
    println!("conformance over {}", report.dir);
    println!(
        "{:<74} {:<26} {:>6} {:>8} {:>7} {:>10} {:>8}  status",
        "file", "source", "rows", "expected", "claims", "unresolved", "warnings"
    );
    for l in &report.lines {
        let path = if l.files > 1 {
            format!("{} ({} files)", l.path, l.files)
        } else {
            l.path.clone()
        };
        let expected = match (&l.expect, l.rows_expected) {
            (Some(e), _) => e.clone(),
            (None, Some(n)) => n.to_string(),
            (None, None) => "-".to_owned(),
        };
        let status = match l.status {
            Status::Ok => "ok",
            Status::Mismatch => "MISMATCH",
            Status::Error => "ERROR",
            Status::Skipped => "skipped",
            Status::Unlisted => "UNLISTED",
        };
        let message = l
            .message
            .as_deref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        if l.status == Status::Skipped || l.status == Status::Unlisted {
            println!("{path:<74} {:<26} {status}{message}", "-");
            continue;
        }
        println!(
            "{path:<74} {:<26} {:>6} {:>8} {:>7} {:>10} {:>8}  {status}{message}",
            l.source.as_deref().unwrap_or("-"),
            l.rows_found,
            expected,
            l.claims,
            l.unresolved.len(),
            l.warnings.len()
        );
    }
    let pct = if report.score_rows == 0 {
        0.0
    } else {
        100.0 * report.score_rows_resolved as f64 / report.score_rows as f64
    };
    println!(
        "{} entries, {} failing; score rows whose models all resolve: {} of {} ({pct:.1}%)",
        report.lines.len(),
        report.failures,
        report.score_rows_resolved,
        report.score_rows
    );
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(base, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// `*` matches any run of characters other than `/`.
fn glob_match(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let f: Vec<&str> = path.split('/').collect();
    p.len() == f.len() && p.iter().zip(&f).all(|(a, b)| segment_match(a, b))
}

fn segment_match(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = rest.split('*').collect();
    for (i, piece) in pieces.iter().enumerate() {
        let last = i + 1 == pieces.len();
        if last {
            return remaining.len() >= piece.len() && remaining.ends_with(piece);
        }
        match remaining.find(piece) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_stay_within_segments() {
        assert!(glob_match("a/*.json", "a/2025.json"));
        assert!(!glob_match("a/*.json", "a/b/2025.json"));
        assert!(glob_match("o/*/models/*/m.json", "o/qwen/models/q2/m.json"));
        assert!(glob_match("x/*_2025-*.csv", "x/lmarena_2025-08-06.csv"));
        assert!(!glob_match("x/*.csv", "x/a.csvx"));
    }
}
