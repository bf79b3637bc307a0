//! Commands about the stored evidence itself: `check`, `reextract`, `claim show`,
//! `snapshot show` and `snapshot retract`, and keeping the database's registry cache current.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use gapwatch_fetch::decode_text;
use gapwatch_ingest::{
    ADAPTER_VERSION, ExtractOptions, SourceConfig, Structure, compare_row_counts, extract_with,
};
use gapwatch_model::{ClaimRecord, Date, Fact, Registry};
use gapwatch_store::{NewExtraction, RunRecord, SnapshotRecord, Store};
use serde::Serialize;
use serde_json::{Value, json};

use crate::EXIT_ATTENTION;
use crate::table::Table;
use crate::workspace::Workspace;

/// The shortest sha256 prefix accepted where a snapshot is named.
pub const MIN_PREFIX: usize = 8;

/// Exit status of bad usage, as clap uses.
const EXIT_USAGE: u8 = 2;

/// Brings the database's registry cache up to date (registry tables, `model_names`). A query
/// does not fail for it: a read-only database, say, gets a warning.
pub fn sync_registry(store: &mut Store, registry: &Registry) {
    if let Err(e) = store.sync_registry(registry) {
        tracing::warn!("the registry tables of the database were not brought up to date: {e}");
    }
}

/// `gapwatch check`.
pub fn check(store: &Store, json: bool) -> Result<ExitCode> {
    let report = store.check()?;
    if json {
        let value = json!({
            "ok": report.is_ok(),
            "blobs": report.blobs,
            "runs": report.runs,
            "claims": report.claims,
            "problems": report.problems,
        });
        outln!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        for p in &report.problems {
            outln!("damaged: {p}");
        }
        outln!(
            "{}: checked SQLite's integrity and references, {} extraction runs, {} claims, {} blobs: {}",
            store
                .path()
                .map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string()),
            report.runs,
            report.claims,
            report.blobs,
            match report.problems.len() {
                0 => "no damage found".to_owned(),
                1 => "1 problem".to_owned(),
                n => format!("{n} problems"),
            }
        );
    }
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What re-extracting one snapshot did.
#[derive(Debug, Serialize)]
struct Reextraction {
    source: String,
    snapshot_id: i64,
    sha256: String,
    observed_on: Date,
    /// The run that counted before.
    previous_run: Option<i64>,
    /// `new-run`, `unchanged`, `attention` or `failed`.
    outcome: &'static str,
    run: Option<i64>,
    claims: u64,
    message: Option<String>,
}

/// `gapwatch reextract`: the current configuration of each source over its stored snapshots.
pub fn reextract(
    ws: &Workspace,
    store: &mut Store,
    only: &[String],
    json: bool,
) -> Result<ExitCode> {
    for id in only {
        if ws.sources.get(id).is_none() {
            bail!(
                "no configured source {id:?}; configured: {}",
                configured(ws)
            );
        }
    }
    let mut done: Vec<Reextraction> = Vec::new();
    let mut skipped = 0usize;
    let runs = store.runs(None)?;
    for snapshot in store.snapshots(None)? {
        if !only.is_empty() && !only.contains(&snapshot.source_id) {
            continue;
        }
        let Some(config) = ws.sources.get(&snapshot.source_id) else {
            skipped += 1;
            continue;
        };
        let current: Vec<&RunRecord> = runs
            .iter()
            .filter(|r| r.snapshot_id == snapshot.id && r.current)
            .collect();
        done.push(reextract_one(store, config, &snapshot, &current)?);
    }
    crate::evidence::sync_registry(store, &ws.registry);
    if json {
        outln!("{}", serde_json::to_string_pretty(&done)?);
    } else {
        let mut t = Table::new([
            "source", "snapshot", "observed", "was run", "outcome", "run", "claims",
        ]);
        for r in &done {
            t.row([
                r.source.clone(),
                r.sha256[..12].to_owned(),
                r.observed_on.to_string(),
                r.previous_run.map_or("—".to_owned(), |n| n.to_string()),
                match &r.message {
                    Some(m) => format!("{}: {m}", r.outcome),
                    None => r.outcome.to_owned(),
                },
                r.run.map_or("—".to_owned(), |n| n.to_string()),
                r.claims.to_string(),
            ]);
        }
        out!("{}", t.render());
        let count = |o: &str| done.iter().filter(|r| r.outcome == o).count();
        outln!(
            "{} snapshots: {} extracted again into a new run, {} unchanged, {} need attention, {} failed{}",
            done.len(),
            count("new-run"),
            count("unchanged"),
            count("attention"),
            count("failed"),
            if skipped > 0 {
                format!("; {skipped} of sources no longer configured left as they are")
            } else {
                String::new()
            }
        );
    }
    Ok(
        if done
            .iter()
            .any(|r| matches!(r.outcome, "attention" | "failed"))
        {
            ExitCode::from(EXIT_ATTENTION)
        } else {
            ExitCode::SUCCESS
        },
    )
}

fn reextract_one(
    store: &mut Store,
    config: &SourceConfig,
    snapshot: &SnapshotRecord,
    current: &[&RunRecord],
) -> Result<Reextraction> {
    let mut r = Reextraction {
        source: snapshot.source_id.clone(),
        snapshot_id: snapshot.id,
        sha256: snapshot.sha256.clone(),
        observed_on: snapshot.observed_on,
        previous_run: current.iter().map(|run| run.id).max(),
        outcome: "failed",
        run: None,
        claims: 0,
        message: None,
    };
    let bytes = store.snapshot_bytes(snapshot.id)?;
    // The Content-Type of a fetch is not stored: the text is decoded from its BOM or
    // `<meta charset>`, else as UTF-8.
    let (text, _) = decode_text(&bytes, None);
    // Settings read from the file's name come from the snapshot's origin, as on import.
    let options = ExtractOptions {
        file_name: crate::pipeline::file_name_of(&snapshot.origin),
    };
    let extraction = match extract_with(config, text.as_bytes(), &options) {
        Ok(e) => e,
        Err(e) => {
            r.message = Some(format!("{e:#}"));
            return Ok(r);
        }
    };
    let had_claims = current.iter().any(|run| run.stored_claims > 0);
    let previous_rows = current.iter().map(|run| run.rows as usize).max();
    let suspect = if matches!(extraction.structure, Structure::Empty { .. }) && had_claims {
        Some("the new extraction found no table; the current run stays".to_owned())
    } else {
        compare_row_counts(previous_rows, extraction.rows.len())
            .map(|w| format!("{w}; the current run stays"))
    };
    if let Some(message) = suspect {
        r.outcome = "attention";
        r.message = Some(message);
        r.run = r.previous_run;
        return Ok(r);
    }
    let warnings: Vec<String> = extraction.warnings.iter().map(|w| w.to_string()).collect();
    let outcome = store.record_extraction(&NewExtraction {
        snapshot_id: snapshot.id,
        claims: &extraction.claims,
        rows: extraction.rows.len() as u64,
        warnings: &warnings,
        adapter: ADAPTER_VERSION,
    })?;
    r.outcome = if outcome.new_run {
        "new-run"
    } else {
        "unchanged"
    };
    r.run = Some(outcome.run_id);
    r.claims = outcome.claims_inserted;
    Ok(r)
}

fn configured(ws: &Workspace) -> String {
    let ids: Vec<&str> = ws.sources.sources.iter().map(|s| s.id.as_str()).collect();
    ids.join(", ")
}

/// The one snapshot a prefix names (`--source` tells apart the same bytes stored for two
/// sources); a usage error when the prefix is too short or not hex.
fn find_snapshots(
    store: &Store,
    prefix: &str,
    source: Option<&str>,
) -> Result<Vec<SnapshotRecord>> {
    let mut found = store.find_snapshots(prefix)?;
    if let Some(source) = source {
        found.retain(|s| s.source_id == source);
    }
    if found.is_empty() {
        bail!(
            "no stored snapshot's sha256 starts with {prefix}{}",
            source.map_or(String::new(), |s| format!(" for source {s}"))
        );
    }
    let shas: std::collections::BTreeSet<&str> = found.iter().map(|s| s.sha256.as_str()).collect();
    if shas.len() > 1 {
        let list: Vec<String> = found
            .iter()
            .map(|s| format!("{} ({}, {})", s.sha256, s.source_id, s.observed_on))
            .collect();
        bail!(
            "{prefix} names {} snapshots; give more of the sha256: {}",
            found.len(),
            list.join("; ")
        );
    }
    Ok(found)
}

/// Whether a prefix is acceptable; prints the usage error when it is not.
fn usable_prefix(prefix: &str) -> bool {
    let ok = prefix.len() >= MIN_PREFIX
        && prefix.len() <= 64
        && prefix.bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        eprintln!(
            "error: {prefix:?} is not a snapshot's sha256 or a prefix of at least {MIN_PREFIX} hex digits"
        );
    }
    ok
}

/// Claims of `records` found at a row locator: the locator itself, or it followed by a space
/// (a claim's locator is its row's, then the field).
fn at_row<'a>(records: &'a [ClaimRecord], row: &'a str) -> impl Iterator<Item = &'a ClaimRecord> {
    records.iter().filter(move |r| {
        r.claim.locator == row
            || r.claim
                .locator
                .strip_prefix(row)
                .is_some_and(|rest| rest.starts_with(' '))
    })
}

fn claim_table(records: &[&ClaimRecord]) -> Table {
    let mut t = Table::new([
        "claim",
        "subject",
        "what",
        "settings",
        "value",
        "evaluator",
        "reported",
        "locator",
    ]);
    for r in records {
        let c = &r.claim;
        let (what, settings, value) = match &c.fact {
            Fact::Score(s) => (
                if s.variant.is_empty() {
                    format!("{} {}", s.benchmark, s.metric)
                } else {
                    format!("{} ({}) {}", s.benchmark, s.variant, s.metric)
                },
                s.settings
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                format!(
                    "{} {}{}",
                    s.value,
                    s.unit.as_str(),
                    s.uncertainty.map_or(String::new(), |u| format!(" ± {u}"))
                ),
            ),
            Fact::Access { access, license } => (
                "access".to_owned(),
                String::new(),
                match license {
                    Some(l) => format!("{} ({l})", access.as_str()),
                    None => access.as_str().to_owned(),
                },
            ),
        };
        t.row([
            r.id.to_string(),
            c.subject.name.clone(),
            what,
            settings,
            value,
            c.evaluator.as_str().to_owned(),
            c.reported_on.map_or("—".to_owned(), |d| d.to_string()),
            c.locator.clone(),
        ]);
    }
    t
}

fn snapshot_json(s: &SnapshotRecord) -> Value {
    json!({
        "id": s.id,
        "source": s.source_id,
        "sha256": s.sha256,
        "observed_on": s.observed_on,
        "origin": s.origin,
        "size": s.size,
        "fetched_at": s.fetched_at,
        "http_status": s.http_status,
        "etag": s.etag,
        "last_modified": s.last_modified,
    })
}

fn run_json(r: &RunRecord) -> Value {
    json!({
        "id": r.id,
        "adapter": r.adapter,
        "rows": r.rows,
        "claims_extracted": r.claims,
        "claims_stored": r.stored_claims,
        "complete": r.complete,
        "current": r.current,
        "warnings": r.warnings,
    })
}

/// The row a claim came from: the row report of the source's current configuration over the
/// snapshot whose locator begins the claim's, when the source is still configured.
fn row_of(
    ws: &Workspace,
    store: &Store,
    snapshot: &SnapshotRecord,
    locator: &str,
) -> Result<Option<(String, Option<String>)>> {
    let Some(config) = ws.sources.get(&snapshot.source_id) else {
        return Ok(None);
    };
    let bytes = store.snapshot_bytes(snapshot.id)?;
    let (text, _) = decode_text(&bytes, None);
    let options = ExtractOptions {
        file_name: crate::pipeline::file_name_of(&snapshot.origin),
    };
    let Ok(extraction) = extract_with(config, text.as_bytes(), &options) else {
        return Ok(None);
    };
    Ok(extraction
        .rows
        .into_iter()
        .filter(|row| {
            locator == row.locator
                || locator
                    .strip_prefix(&row.locator)
                    .is_some_and(|rest| rest.starts_with(' '))
        })
        .max_by_key(|row| row.locator.len())
        .map(|row| (row.locator, row.subject)))
}

/// `gapwatch claim show ID`.
pub fn claim_show(ws: &Workspace, store: &Store, id: i64, json: bool) -> Result<ExitCode> {
    let record = store
        .claim(id)?
        .with_context(|| format!("there is no claim {id}"))?;
    let snapshot = store
        .snapshot(record.snapshot_id)?
        .with_context(|| format!("claim {id}: its snapshot {} is missing", record.snapshot_id))?;
    let source = store
        .sources()?
        .into_iter()
        .find(|s| s.id == record.source_id);
    let runs = store.runs(Some(&record.source_id))?;
    let run = runs
        .iter()
        .find(|r| r.id == record.run_id)
        .with_context(|| format!("claim {id}: its run {} is missing", record.run_id))?;
    let replaced_by = runs
        .iter()
        .filter(|r| r.snapshot_id == snapshot.id && r.id > run.id && r.complete)
        .map(|r| r.id)
        .min();
    let retraction = store
        .retractions()?
        .into_iter()
        .find(|r| r.snapshot_id == snapshot.id);
    let counts = run.current && retraction.is_none();
    let (row_locator, row_subject) = row_of(ws, store, &snapshot, &record.claim.locator)?
        .unwrap_or_else(|| (record.claim.locator.clone(), None));
    let run_claims = store.snapshot_claims(snapshot.id, Some(run.id))?;
    let row: Vec<&ClaimRecord> = at_row(&run_claims, &row_locator).collect();
    if json {
        let value = json!({
            "claim": record,
            "counts": counts,
            "source": source.as_ref().map(|s| json!({
                "id": s.id, "publisher": s.publisher, "title": s.title, "url": s.url,
                "format": s.format,
            })),
            "snapshot": snapshot_json(&snapshot),
            "run": run_json(run),
            "replaced_by_run": replaced_by,
            "retraction": retraction.as_ref().map(|r| json!({
                "reason": r.reason, "recorded_on": r.recorded_on,
            })),
            "row": { "locator": row_locator, "subject": row_subject, "claims": row },
        });
        outln!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    let c = &record.claim;
    outln!("claim {}", record.id);
    let subject = match &c.subject.system {
        Some(system) => format!(
            "{} (system {system:?} on {})",
            c.subject.name,
            c.subject.models.join(" + ")
        ),
        None if c.subject.models == [c.subject.name.clone()] => c.subject.name.clone(),
        None => format!(
            "{} (models: {})",
            c.subject.name,
            c.subject.models.join(", ")
        ),
    };
    outln!("  subject      {subject}");
    match &c.fact {
        Fact::Score(s) => {
            outln!("  benchmark    {}", s.benchmark);
            outln!(
                "  variant      {}",
                if s.variant.is_empty() {
                    "—"
                } else {
                    &s.variant
                }
            );
            outln!("  metric       {}", s.metric);
            let settings: Vec<String> =
                s.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
            outln!(
                "  settings     {}",
                if settings.is_empty() {
                    "none stated".to_owned()
                } else {
                    settings.join(", ")
                }
            );
            outln!(
                "  value        {} {}{}",
                s.value,
                s.unit.as_str(),
                s.uncertainty.map_or(String::new(), |u| format!(" ± {u}"))
            );
        }
        Fact::Access { access, license } => {
            outln!("  access       {}", access.as_str());
            outln!("  license      {}", license.as_deref().unwrap_or("—"));
        }
    }
    outln!(
        "  reported on  {}",
        c.reported_on
            .map_or("— (the snapshot's date counts)".to_owned(), |d| d
                .to_string())
    );
    outln!("  evaluator    {}", c.evaluator.as_str());
    outln!("  locator      {}", c.locator);
    outln!("provenance");
    match &source {
        Some(s) => outln!(
            "  source       {} ({}: {}) {}",
            s.id,
            s.publisher,
            s.title,
            s.url
        ),
        None => outln!("  source       {}", record.source_id),
    }
    outln!("  snapshot     {}", snapshot.sha256);
    outln!(
        "  observed     {}{}",
        snapshot.observed_on,
        snapshot
            .fetched_at
            .as_deref()
            .map_or(String::new(), |f| format!(" (fetched {f})"))
    );
    outln!("  origin       {}", snapshot.origin);
    outln!(
        "  run          {} (adapter {}, {} rows, {} claims stored)",
        run.id,
        run.adapter,
        run.rows,
        run.stored_claims
    );
    let status = match (&retraction, replaced_by) {
        (Some(r), _) => format!(
            "does not count: its snapshot was retracted on {}: {}",
            r.recorded_on, r.reason
        ),
        (None, Some(newer)) => {
            format!("does not count: run {newer} extracted the snapshot again")
        }
        (None, None) => "counts for analysis".to_owned(),
    };
    outln!("  status       {status}");
    outln!(
        "row {row_locator}{}: {} claim{}",
        row_subject.map_or(String::new(), |s| format!(" ({s})")),
        row.len(),
        if row.len() == 1 { "" } else { "s" }
    );
    out!("{}", claim_table(&row).render());
    Ok(ExitCode::SUCCESS)
}

/// `gapwatch snapshot show SHA`.
pub fn snapshot_show(
    store: &Store,
    prefix: &str,
    source: Option<&str>,
    row: Option<&str>,
    raw: bool,
    json: bool,
) -> Result<ExitCode> {
    if !usable_prefix(prefix) {
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let found = find_snapshots(store, prefix, source)?;
    if raw {
        // Identical bytes whichever source stored them.
        let bytes = store.snapshot_bytes(found[0].id)?;
        use std::io::Write as _;
        std::io::stdout().write_all(&bytes)?;
        return Ok(ExitCode::SUCCESS);
    }
    let retractions = store.retractions()?;
    let mut values = Vec::new();
    for (i, snapshot) in found.iter().enumerate() {
        let runs: Vec<RunRecord> = store
            .runs(Some(&snapshot.source_id))?
            .into_iter()
            .filter(|r| r.snapshot_id == snapshot.id)
            .collect();
        let retraction = retractions.iter().find(|r| r.snapshot_id == snapshot.id);
        let current = store.snapshot_claims(snapshot.id, None)?;
        let at: Option<Vec<&ClaimRecord>> = row.map(|l| at_row(&current, l).collect());
        if json {
            values.push(json!({
                "snapshot": snapshot_json(snapshot),
                "runs": runs.iter().map(run_json).collect::<Vec<_>>(),
                "current_claims": current.len(),
                "retraction": retraction.map(|r| json!({
                    "reason": r.reason, "recorded_on": r.recorded_on,
                })),
                "row": at.as_ref().map(|claims| json!({ "locator": row, "claims": claims })),
            }));
            continue;
        }
        if i > 0 {
            outln!();
        }
        outln!("snapshot {}", snapshot.sha256);
        outln!("  source       {}", snapshot.source_id);
        outln!("  observed     {}", snapshot.observed_on);
        outln!("  origin       {}", snapshot.origin);
        outln!("  size         {} bytes", snapshot.size);
        if let Some(f) = &snapshot.fetched_at {
            outln!("  fetched at   {f}");
        }
        if let Some(status) = snapshot.http_status {
            outln!("  HTTP status  {status}");
        }
        if let Some(etag) = &snapshot.etag {
            outln!("  ETag         {etag}");
        }
        if let Some(lm) = &snapshot.last_modified {
            outln!("  modified     {lm}");
        }
        match retraction {
            Some(r) => outln!(
                "  retracted    on {}: {} (its claims count for nothing)",
                r.recorded_on,
                r.reason
            ),
            None => outln!("  claims       {} counting for analysis", current.len()),
        }
        let mut t = Table::new([
            "run",
            "adapter",
            "rows",
            "extracted",
            "stored",
            "status",
            "warnings",
        ]);
        for r in &runs {
            t.row([
                r.id.to_string(),
                r.adapter.clone(),
                r.rows.to_string(),
                r.claims.to_string(),
                r.stored_claims.to_string(),
                match (r.current, r.complete) {
                    (true, true) => "current",
                    (true, false) => "current (adds to the run before)",
                    (false, _) => "replaced",
                }
                .to_owned(),
                r.warnings.join("; "),
            ]);
        }
        out!("{}", t.render());
        if let (Some(locator), Some(claims)) = (row, &at) {
            outln!(
                "row {locator}: {} claim{}",
                claims.len(),
                if claims.len() == 1 { "" } else { "s" }
            );
            out!("{}", claim_table(claims).render());
        }
    }
    if json {
        let value = if values.len() == 1 {
            values.remove(0)
        } else {
            Value::Array(values)
        };
        outln!("{}", serde_json::to_string_pretty(&value)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// `gapwatch snapshot retract SHA --reason TEXT`.
pub fn snapshot_retract(
    store: &mut Store,
    prefix: &str,
    source: Option<&str>,
    reason: &str,
    today: Date,
    json: bool,
) -> Result<ExitCode> {
    if !usable_prefix(prefix) {
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let found = find_snapshots(store, prefix, source)?;
    if found.len() > 1 {
        let sources: Vec<&str> = found.iter().map(|s| s.source_id.as_str()).collect();
        bail!(
            "these bytes are stored for {} sources ({}); pass --source to say which snapshot to retract",
            found.len(),
            sources.join(", ")
        );
    }
    let r = store.retract_snapshot(found[0].id, reason, today)?;
    if json {
        let value = json!({
            "sha256": r.sha256, "source": r.source_id, "observed_on": r.observed_on,
            "reason": r.reason, "recorded_on": r.recorded_on,
        });
        outln!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        outln!(
            "retracted snapshot {} of {} observed {}: {}",
            r.sha256,
            r.source_id,
            r.observed_on,
            r.reason
        );
        outln!("its claims no longer count; the snapshot and its claims stay in the store");
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens a database that must exist, for the commands of this module.
pub fn open_existing(path: &Path) -> Result<Store> {
    if !path.exists() {
        bail!(
            "no database at {}; import or ingest something first, or pass --db",
            path.display()
        );
    }
    Ok(Store::open(path)?)
}
