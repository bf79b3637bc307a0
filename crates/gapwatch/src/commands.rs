//! Each subcommand: gather inputs, call the libraries, print for people or machines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use gapwatch_analysis::{Analysis, AnalysisOptions, Verdict, analyze};
use gapwatch_ingest::extract;
use gapwatch_model::{Date, Resolution};
use gapwatch_report::{format_gap, format_value};
use gapwatch_store::Store;
use serde::Serialize;

use crate::EXIT_ATTENTION;
use crate::cli::{
    ClaimCommand, Cli, Command, IngestArgs, ModelsCommand, QueryArgs, SnapshotCommand,
    SourcesCommand, StoryCommand,
};
use crate::ingest::{IngestPlan, SourceRun, ingest_once, now_rfc3339, summary_table};
use crate::lock::RunLock;
use crate::pipeline::{Incoming, import_bytes};
use crate::progress::Progress;
use crate::publish::{parse_version, publish, stored_analysis, write_versions};
use crate::table::Table;
use crate::workspace::{self, Workspace};
use gapwatch_fetch::FetchPolicy;
use gapwatch_store::FetchOutcomeKind;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let dir = match &cli.workspace {
        Some(d) => d.clone(),
        None => std::env::current_dir().context("cannot read the current folder")?,
    };
    let today = cli.today.unwrap_or_else(system_today);
    let progress = Progress::detect();
    match cli.command {
        Command::Demo { out, json } => demo(&out, json, &progress),
        Command::Init { dir: target, force } => {
            let target = target.unwrap_or(dir);
            let files = workspace::init(&target, force)?;
            outln!("wrote a gapwatch workspace in {}:", target.display());
            for f in files {
                outln!("  {}", f.display());
            }
            outln!(
                "next: edit sources.toml and stories/, then `gapwatch --workspace {} import …` or `ingest`",
                target.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            source,
            file,
            observed_at,
            json,
        } => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let config = ws
                .sources
                .get(&source)
                .with_context(|| unknown_source(&ws, &source))?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let mut store = Store::open(&ws.database)?;
            let origin = file.display().to_string();
            let outcome = import_bytes(
                &mut store,
                config,
                &Incoming::file(&bytes, observed_at, &origin),
            )?;
            crate::evidence::sync_registry(&mut store, &ws.registry);
            if json {
                outln!("{}", serde_json::to_string_pretty(&outcome)?);
            } else {
                outln!("{}", outcome.summary());
                for w in &outcome.warnings {
                    outln!("  warning: {w}");
                }
            }
            Ok(if outcome.needs_attention {
                ExitCode::from(EXIT_ATTENTION)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Ingest(args) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let runtime = runtime()?;
            let stop = crate::ingest::stop_on_signals(&runtime)?;
            let _lock = RunLock::acquire(&ws.database, &now_rfc3339())?;
            let mut store = Store::open(&ws.database)?;
            let plan = IngestPlan {
                only: &args.sources,
                policy: policy(&args),
                observed_on: today,
            };
            let runs = ingest_once(&runtime, &mut store, &ws, &plan, &progress, &stop.flag)?;
            crate::evidence::sync_registry(&mut store, &ws.registry);
            report_runs(&runs, args.json)
        }
        Command::Watch {
            every,
            ingest: args,
        } => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let runtime = runtime()?;
            let stop = crate::ingest::stop_on_signals(&runtime)?;
            let _lock = RunLock::acquire(&ws.database, &now_rfc3339())?;
            let mut store = Store::open(&ws.database)?;
            loop {
                let plan = IngestPlan {
                    only: &args.sources,
                    policy: policy(&args),
                    observed_on: cli.today.unwrap_or_else(system_today),
                };
                let runs = ingest_once(&runtime, &mut store, &ws, &plan, &progress, &stop.flag)?;
                let status = report_runs(&runs, args.json)?;
                if stop.sleep(&runtime, every) {
                    break Ok(status);
                }
            }
        }
        Command::Sources(SourcesCommand::List { json }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            sources_list(&ws, json)
        }
        Command::Sources(SourcesCommand::Test { id, file, json }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            sources_test(&ws, &id, &file, json)
        }
        Command::Models(ModelsCommand::Unresolved { json }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            models_unresolved(&ws, json)
        }
        Command::Gap(q) => query(&dir, cli.db.as_deref(), today, &q, print_gap),
        Command::Forecast(q) => query(&dir, cli.db.as_deref(), today, &q, print_forecasts),
        Command::Tensions(q) => query(&dir, cli.db.as_deref(), today, &q, print_tensions),
        Command::Publish {
            story,
            as_of,
            force,
            out,
        } => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let story = ws.story(story.as_deref())?;
            let mut store = Store::open(&ws.database)?;
            crate::evidence::sync_registry(&mut store, &ws.registry);
            let as_of = as_of.unwrap_or(today);
            let outcome = publish(&mut store, &ws.registry, story, as_of, today, force)?;
            match outcome.version {
                Some(n) => {
                    outln!("published {} v{n} as of {as_of}", story.id);
                    for c in &outcome.changes {
                        outln!("  - {}", c.description);
                    }
                }
                None => outln!(
                    "nothing material changed since the last version of {}; no version published (use --force to publish anyway)",
                    story.id
                ),
            }
            if let Some(out) = out {
                for f in write_versions(&store, &story.id, &out)? {
                    outln!("  wrote {}", f.display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Story(StoryCommand::History { story, json }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let story = ws.story(story.as_deref())?;
            let store = open_existing(&ws.database)?;
            let versions = store.versions(&story.id)?;
            if json {
                let rows: Vec<serde_json::Value> = versions
                    .iter()
                    .map(|v| {
                        serde_json::json!({
                            "version": v.version,
                            "published_at": v.published_at,
                            "as_of": v.as_of,
                            "renderings": v.renderings.iter().map(|(f, sha)| serde_json::json!({"format": f, "sha256": sha})).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&rows)?);
            } else if versions.is_empty() {
                outln!("{} has no published version yet", story.id);
            } else {
                let mut t = Table::new(["version", "published", "as of", "md sha256"]);
                for v in &versions {
                    let sha = v
                        .renderings
                        .iter()
                        .find(|(f, _)| f == "md")
                        .map_or("—", |(_, s)| s.as_str());
                    t.row([
                        format!("v{}", v.version),
                        v.published_at.clone(),
                        v.as_of.to_string(),
                        sha[..sha.len().min(16)].to_owned(),
                    ]);
                }
                out!("{}", t.render());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Story(StoryCommand::Diff {
            from,
            to,
            story,
            json,
        }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let story = ws.story(story.as_deref())?;
            let store = open_existing(&ws.database)?;
            let (a, b) = (parse_version(&from)?, parse_version(&to)?);
            let before = stored_analysis(&store, &story.id, a)?;
            let after = stored_analysis(&store, &story.id, b)?;
            let found = gapwatch_analysis::changes(Some(&before), &after, &story.materiality);
            if json {
                outln!("{}", serde_json::to_string_pretty(&found)?);
            } else if found.is_empty() {
                outln!("nothing material changed from v{a} to v{b}");
            } else {
                outln!(
                    "from v{a} (as of {}) to v{b} (as of {}):",
                    before.as_of,
                    after.as_of
                );
                for c in &found {
                    outln!("- {}", c.description);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            site,
            story,
            base_url,
        } => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let story = ws.story(story.as_deref())?;
            let store = open_existing(&ws.database)?;
            let files = crate::site::export(&store, &story.id, &story.title, &site, &base_url)?;
            outln!("wrote {} files into {}", files.len(), site.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            rebuild_cache,
            json,
        } => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let mut store = crate::evidence::open_existing(&ws.database)?;
            if rebuild_cache {
                let runs = store.rebuild_claims_cache()?;
                if !json {
                    outln!(
                        "rebuilt the claims cache of {runs} extraction runs from the claims table"
                    );
                }
            }
            crate::evidence::check(&store, json)
        }
        Command::Reextract { sources, json } => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let mut store = crate::evidence::open_existing(&ws.database)?;
            crate::evidence::reextract(&ws, &mut store, &sources, json)
        }
        Command::Claim(ClaimCommand::Show { id, json }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let store = crate::evidence::open_existing(&ws.database)?;
            crate::evidence::claim_show(&ws, &store, id, json)
        }
        Command::Snapshot(SnapshotCommand::Show {
            sha,
            row,
            source,
            raw,
            json,
        }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let store = crate::evidence::open_existing(&ws.database)?;
            let sha = sha.to_ascii_lowercase();
            crate::evidence::snapshot_show(
                &store,
                &sha,
                source.as_deref(),
                row.as_deref(),
                raw,
                json,
            )
        }
        Command::Snapshot(SnapshotCommand::Retract {
            sha,
            reason,
            source,
            json,
        }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let mut store = crate::evidence::open_existing(&ws.database)?;
            let sha = sha.to_ascii_lowercase();
            crate::evidence::snapshot_retract(
                &mut store,
                &sha,
                source.as_deref(),
                &reason,
                today,
                json,
            )
        }
        Command::Story(StoryCommand::Show {
            number,
            story,
            format,
        }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let story = ws.story(story.as_deref())?;
            let store = open_existing(&ws.database)?;
            let n = parse_version(&number)?;
            let bytes = store
                .rendering(&story.id, n, format.key())?
                .with_context(|| format!("{} has no v{n}", story.id))?;
            use std::io::Write as _;
            std::io::stdout().write_all(&bytes)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn policy(args: &IngestArgs) -> FetchPolicy {
    FetchPolicy {
        global_concurrency: args.concurrency.max(1),
        per_host_concurrency: args.per_host.max(1),
        per_host_interval: args.host_interval,
        total_timeout: args.timeout,
        max_attempts: args.attempts.max(1),
        ..FetchPolicy::default()
    }
}

fn report_runs(runs: &[SourceRun], json: bool) -> Result<ExitCode> {
    if json {
        outln!("{}", serde_json::to_string_pretty(runs)?);
    } else {
        out!("{}", summary_table(runs).render());
        let failed = runs.iter().filter(|r| r.needs_attention()).count();
        outln!(
            "{} sources: {} stored, {} unchanged, {} need attention",
            runs.len(),
            runs.iter()
                .filter(|r| r.outcome == FetchOutcomeKind::Stored)
                .count(),
            runs.iter()
                .filter(|r| matches!(
                    r.outcome,
                    FetchOutcomeKind::Unchanged | FetchOutcomeKind::NotModified
                ))
                .count(),
            failed
        );
    }
    Ok(if runs.iter().any(SourceRun::needs_attention) {
        ExitCode::from(EXIT_ATTENTION)
    } else {
        ExitCode::SUCCESS
    })
}

fn system_today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days_since_epoch((secs / 86_400) as i64)
}

fn unknown_source(ws: &Workspace, id: &str) -> String {
    let known: Vec<&str> = ws.sources.sources.iter().map(|s| s.id.as_str()).collect();
    format!(
        "no configured source {id:?}; configured: {}",
        known.join(", ")
    )
}

/// Opens a database that must already exist (queries never create one).
fn open_existing(path: &Path) -> Result<Store> {
    if !path.exists() {
        bail!(
            "no database at {}; import or ingest something first, or pass --db",
            path.display()
        );
    }
    Ok(Store::open(path)?)
}

fn demo(out: &Path, json: bool, progress: &Progress) -> Result<ExitCode> {
    let summary = crate::demo::run(out, progress)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(ExitCode::SUCCESS);
    }
    let new_snapshots = summary.imports.iter().filter(|i| i.new_snapshot).count();
    let new_claims: u64 = summary.imports.iter().map(|i| i.claims_inserted).sum();
    outln!(
        "imported {} fixture files ({} new snapshots, {} new claims; {} claims in all)",
        summary.imports.len(),
        new_snapshots,
        new_claims,
        summary.claims
    );
    for p in &summary.published {
        if let Some(v) = p.version {
            outln!(
                "published {} v{v} as of {} ({} change{})",
                p.story,
                p.as_of,
                p.changes.len(),
                if p.changes.len() == 1 { "" } else { "s" }
            );
        }
    }
    if summary.published.iter().all(|p| p.version.is_none()) {
        outln!("nothing new: no version published");
    }
    outln!("database: {}", summary.database.display());
    let mut folders: BTreeMap<&Path, usize> = BTreeMap::new();
    for f in &summary.files {
        if let Some(parent) = f.parent() {
            *folders.entry(parent).or_default() += 1;
        }
    }
    outln!("{} versions of the story; files:", summary.versions);
    for (folder, n) in folders {
        outln!("  {} ({n} files)", folder.display());
    }
    if let Some(latest) = summary
        .files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
        .max_by_key(|f| version_number(f))
    {
        outln!("latest digest: {}", latest.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `v12.md` → 12, for ordering version files.
fn version_number(path: &Path) -> u32 {
    path.file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.strip_prefix('v'))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn sources_list(ws: &Workspace, json: bool) -> Result<ExitCode> {
    if json {
        let rows: Vec<serde_json::Value> = ws
            .sources
            .sources
            .iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id, "publisher": s.publisher, "title": s.title,
                    "format": s.format.as_str(), "url": s.url,
                })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        let mut t = Table::new(["id", "format", "publisher", "url"]);
        for s in &ws.sources.sources {
            t.row([
                s.id.clone(),
                s.format.as_str().to_owned(),
                s.publisher.clone(),
                s.url.clone(),
            ]);
        }
        out!("{}", t.render());
    }
    Ok(ExitCode::SUCCESS)
}

fn sources_test(ws: &Workspace, id: &str, file: &Path, json: bool) -> Result<ExitCode> {
    let config = ws.sources.get(id).with_context(|| unknown_source(ws, id))?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let extraction = extract(config, &bytes)
        .with_context(|| format!("source {id}: cannot extract from {}", file.display()))?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&extraction)?);
    } else {
        let mut t = Table::new(["row", "subject", "claims", "note"]);
        for r in &extraction.rows {
            let mut note: Vec<String> = r.skipped.iter().map(|s| format!("skipped: {s}")).collect();
            note.extend(r.warnings.iter().cloned());
            t.row([
                r.locator.clone(),
                r.subject.clone().unwrap_or_default(),
                r.claims.to_string(),
                note.join("; "),
            ]);
        }
        out!("{}", t.render());
        outln!(
            "{} rows, {} with scores, {} claims",
            extraction.rows.len(),
            extraction.score_rows(),
            extraction.claims.len()
        );
        if let gapwatch_ingest::Structure::Empty { reason } = &extraction.structure {
            outln!("warning: {reason}");
        }
        for w in &extraction.warnings {
            outln!("warning: {w}");
        }
    }
    let attention = !extraction.warnings.is_empty()
        || matches!(
            extraction.structure,
            gapwatch_ingest::Structure::Empty { .. }
        );
    Ok(if attention {
        ExitCode::from(EXIT_ATTENTION)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Debug, Serialize)]
struct Unresolved {
    name: String,
    claims: u64,
    sources: BTreeSet<String>,
    suggestions: Vec<String>,
}

fn models_unresolved(ws: &Workspace, json: bool) -> Result<ExitCode> {
    let store = open_existing(&ws.database)?;
    let mut found: BTreeMap<String, Unresolved> = BTreeMap::new();
    for record in store.claims(None)? {
        for name in &record.claim.subject.models {
            if let Resolution::Unresolved = ws.registry.resolve_model_name(name) {
                let entry = found.entry(name.clone()).or_insert_with(|| Unresolved {
                    name: name.clone(),
                    claims: 0,
                    sources: BTreeSet::new(),
                    suggestions: Vec::new(),
                });
                entry.claims += 1;
                entry.sources.insert(record.source_id.clone());
            }
        }
    }
    // Ranked once per name, and only here, where they are printed.
    for entry in found.values_mut() {
        entry.suggestions = ws
            .registry
            .suggest_models(&entry.name)
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    let mut rows: Vec<Unresolved> = found.into_values().collect();
    rows.sort_by(|a, b| b.claims.cmp(&a.claims).then(a.name.cmp(&b.name)));
    if json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
    } else if rows.is_empty() {
        outln!("every model name in the store resolves to a registry model");
    } else {
        let mut t = Table::new(["name", "claims", "sources", "suggestions"]);
        for r in &rows {
            t.row([
                r.name.clone(),
                r.claims.to_string(),
                r.sources.iter().cloned().collect::<Vec<_>>().join(", "),
                r.suggestions.join(", "),
            ]);
        }
        out!("{}", t.render());
        outln!(
            "{} unresolved names; add them as aliases or models in the workspace's registry.toml",
            rows.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

type Printer = fn(&Analysis, &QueryArgs) -> Result<()>;

fn query(
    dir: &Path,
    db: Option<&Path>,
    today: Date,
    q: &QueryArgs,
    print: Printer,
) -> Result<ExitCode> {
    let ws = Workspace::load(dir, db)?;
    let story = ws.story(q.story.as_deref())?;
    let mut store = open_existing(&ws.database)?;
    crate::evidence::sync_registry(&mut store, &ws.registry);
    let as_of = q.as_of.unwrap_or(today);
    let claims = store.claim_set(Some(as_of))?;
    let analysis = analyze(
        &claims,
        &ws.registry,
        story,
        as_of,
        &AnalysisOptions::default(),
    );
    print(&analysis, q)?;
    Ok(ExitCode::SUCCESS)
}

fn emit(table: &Table, q: &QueryArgs, json: impl FnOnce() -> Result<String>) -> Result<()> {
    if q.json {
        outln!("{}", json()?);
    } else if q.csv {
        out!("{}", table.to_csv());
    } else {
        out!("{}", table.render());
    }
    Ok(())
}

fn print_gap(a: &Analysis, q: &QueryArgs) -> Result<()> {
    let mut t = Table::new([
        "benchmark",
        "best closed",
        "score",
        "best open",
        "score",
        "gap",
        "parity",
        "lag",
    ]);
    for r in &a.parity {
        let bench = if r.variant.is_empty() {
            r.benchmark_name.clone()
        } else {
            format!("{} ({})", r.benchmark_name, r.variant)
        };
        let who = |e: &Option<gapwatch_analysis::Entry>| {
            e.as_ref().map_or(("—".to_owned(), "—".to_owned()), |e| {
                (e.subject.clone(), format_value(e.value, e.unit))
            })
        };
        let (ci, cs) = who(&r.incumbent);
        let (oi, os) = who(&r.challenger);
        let gap = r.gap.as_ref().map_or("—".to_owned(), |g| {
            if r.challenger_leads {
                format!("open leads by {}", format_gap(g, r.unit))
            } else {
                format_gap(g, r.unit)
            }
        });
        let parity = match r.parity {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        let lag = r.lag.as_ref().map_or("—".to_owned(), |l| {
            format!(
                "{}{:.1} mo",
                if l.lower_bound { "≥ " } else { "" },
                l.months
            )
        });
        t.row([bench, ci, cs, oi, os, gap, parity.to_owned(), lag]);
    }
    emit(&t, q, || Ok(serde_json::to_string_pretty(&a.parity)?))?;
    if !q.json && !q.csv {
        if let Some(m) = &a.median_lag {
            outln!(
                "median lag across {} benchmarks: {}{:.1} months",
                m.benchmarks,
                if m.lower_bound { "at least " } else { "" },
                m.months
            );
        }
        let unresolved: u64 = a.coverage.unresolved.values().sum();
        outln!(
            "as of {}: {} score claims considered; {} about unresolved model names and {} of unknown access not counted",
            a.as_of,
            a.coverage.score_claims,
            unresolved,
            a.coverage.unknown_access
        );
    }
    Ok(())
}

fn print_forecasts(a: &Analysis, q: &QueryArgs) -> Result<()> {
    let mut t = Table::new(["forecast", "reading", "verdict", "what would flip it"]);
    for f in &a.forecasts {
        for r in &f.readings {
            let verdict = match &r.verdict {
                Verdict::Yes { on } => format!("yes, on {on}"),
                Verdict::No => "no".to_owned(),
                Verdict::Open => "open".to_owned(),
            };
            t.row([
                f.forecast_id.clone(),
                format!("within {}", r.margin.describe()),
                verdict,
                r.would_flip.join("; "),
            ]);
        }
    }
    emit(&t, q, || Ok(serde_json::to_string_pretty(&a.forecasts)?))
}

fn print_tensions(a: &Analysis, q: &QueryArgs) -> Result<()> {
    let mut t = Table::new(["kind", "subject", "benchmark", "sources", "description"]);
    for x in &a.tensions {
        t.row([
            format!("{:?}", x.kind),
            x.subject.clone(),
            x.benchmark.clone().unwrap_or_default(),
            x.sources.join(", "),
            x.description.clone(),
        ]);
    }
    emit(&t, q, || Ok(serde_json::to_string_pretty(&a.tensions)?))?;
    if !q.json && !q.csv && t.is_empty() {
        outln!("no tensions as of {}", a.as_of);
    }
    Ok(())
}
