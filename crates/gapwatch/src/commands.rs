//! Each subcommand: gather inputs, call the libraries, print for people or machines.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use gapwatch_analysis::{Analysis, CohortSide, analyze};
use gapwatch_model::Date;
use gapwatch_report::{SourceMeta, describe, prose};
use gapwatch_store::Store;

use crate::EXIT_ATTENTION;
use crate::cli::{
    ClaimCommand, Cli, Command, IngestArgs, ModelsCommand, QueryArgs, RegistryCommand,
    SnapshotCommand, SourcesCommand, StoryCommand,
};
use crate::ingest::{IngestPlan, IngestReport, SourceRun, ingest_once, now_rfc3339, summary_table};
use crate::lock::RunLock;
use crate::progress::Progress;
use crate::publish::{parse_version, publish, version_analysis, write_versions};
use crate::table::Table;
use crate::usage::{UsageError, unknown_id};
use crate::workspace::{self, Workspace};
use gapwatch_fetch::FetchPolicy;
use gapwatch_store::FetchOutcomeKind;

/// The feed's base when no base URL is set: a name that can never resolve.
const PLACEHOLDER_BASE_URL: &str = "https://example.invalid/gapwatch";

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
            force,
            json,
        } => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let config = ws
                .sources
                .get(&source)
                .ok_or_else(|| unknown_source(&ws, &source))?;
            let mut outcome = crate::import::import_file(
                &ws,
                config,
                &crate::import::ImportRequest {
                    file: &file,
                    observed_at,
                    today,
                    force,
                },
            )?;
            // Claims on a benchmark the registry lacks would count nowhere.
            let unknown = gapwatch_ingest::check_benchmarks(config, &ws.registry);
            if !unknown.is_empty() {
                outcome.needs_attention = true;
                outcome
                    .warnings
                    .extend(unknown.iter().map(ToString::to_string));
            }
            crate::evidence::sync_registry(&mut Store::open(&ws.database)?, &ws.registry);
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
        Command::Backfill(args) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let config = ws
                .sources
                .get(&args.source)
                .ok_or_else(|| unknown_source(&ws, &args.source))?;
            crate::backfill::command(&ws, config, &args, &progress)
        }
        Command::Ingest(args) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let runtime = runtime()?;
            let stop = crate::ingest::stop_on_signals(&runtime)?;
            let lock = RunLock::acquire(&ws.database, &now_rfc3339())?;
            stop.remove_on_hard_stop(lock.path().to_path_buf());
            let mut store = Store::open(&ws.database)?;
            let plan = IngestPlan {
                only: &args.sources,
                policy: policy(&args),
                observed_on: today,
            };
            let report = ingest_once(&runtime, &mut store, &ws, &plan, &progress, &stop)?;
            crate::evidence::sync_registry(&mut store, &ws.registry);
            report_runs(&report, args.json)
        }
        Command::Watch {
            every,
            ingest: args,
        } => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let runtime = runtime()?;
            let stop = crate::ingest::stop_on_signals(&runtime)?;
            let lock = RunLock::acquire(&ws.database, &now_rfc3339())?;
            stop.remove_on_hard_stop(lock.path().to_path_buf());
            let mut store = Store::open(&ws.database)?;
            loop {
                let plan = IngestPlan {
                    only: &args.sources,
                    policy: policy(&args),
                    observed_on: cli.today.unwrap_or_else(system_today),
                };
                let report = ingest_once(&runtime, &mut store, &ws, &plan, &progress, &stop)?;
                let status = report_runs(&report, args.json)?;
                if report.interrupted.is_some() {
                    break Ok(status);
                }
                if let Some(signal) = stop.sleep(&runtime, every) {
                    tracing::warn!("{} received between runs: stopping", signal.name());
                    break Ok(ExitCode::from(signal.exit_code()));
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
        Command::Models(ModelsCommand::Unresolved {
            json,
            toml,
            story,
            as_of,
        }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let story = ws.story(story.as_deref())?;
            let store = open_existing(&ws.database)?;
            let report = crate::unresolved::build(&ws, &store, story, as_of.unwrap_or(today))?;
            if toml {
                out!("{}", crate::unresolved::to_toml(&report, &ws.registry));
                Ok(ExitCode::SUCCESS)
            } else {
                crate::unresolved::print(&report, json)
            }
        }
        Command::Registry(RegistryCommand::List {
            models,
            benchmarks,
            workspace_only,
            json,
        }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            let filter = crate::registry_cmd::ListFilter {
                models,
                benchmarks,
                workspace_only,
            };
            crate::registry_cmd::list(&ws.registry, filter, json)
        }
        Command::Registry(RegistryCommand::Show { id, json }) => {
            let ws = Workspace::load(&dir, cli.db.as_deref())?;
            crate::registry_cmd::show(&ws.registry, &id, json)
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
            let outcome = publish(
                &mut store,
                &ws.registry,
                story,
                &ws.analysis_options(),
                as_of,
                today,
                force,
            )?;
            match outcome.version {
                Some(n) => {
                    outln!("published {} v{n} as of {as_of}", story.id);
                    for c in &outcome.change_sentences {
                        outln!("  - {c}");
                    }
                }
                None => outln!(
                    "nothing material changed since the last version of {}; no version published (use --force to publish anyway)",
                    story.id
                ),
            }
            for notice in &outcome.notices {
                outln!("source health: {notice}");
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
            let (a, b) = (
                published_version(&store, &story.id, &from)?,
                published_version(&store, &story.id, &to)?,
            );
            let options = ws.analysis_options();
            let before = version_analysis(&store, &ws.registry, story, &options, a)?;
            let after = version_analysis(&store, &ws.registry, story, &options, b)?;
            let found = gapwatch_analysis::changes(Some(&before), &after, &story.materiality);
            let lost = crate::diff::losses(&before, &after, &format!("v{a}"), &format!("v{b}"));
            let metas = source_metas(&store)?;
            if json {
                let diff = serde_json::json!({
                    "from": a, "to": b, "lost": lost, "changes": found,
                });
                outln!("{}", serde_json::to_string_pretty(&diff)?);
            } else if found.is_empty() && lost.is_empty() {
                outln!("nothing material changed from v{a} to v{b}");
            } else {
                outln!(
                    "from v{a} (as of {}) to v{b} (as of {}):",
                    before.as_of,
                    after.as_of
                );
                if !lost.is_empty() {
                    outln!("lost:");
                    for l in &lost {
                        outln!("- {}", l.description);
                    }
                }
                if !found.is_empty() {
                    outln!("new or changed:");
                    for c in &found {
                        outln!("- {}", describe::change(c, &after, story, &metas));
                    }
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
            let base_url = match base_url.or_else(|| ws.base_url.clone()) {
                Some(url) => url,
                None => {
                    tracing::warn!(
                        "no base URL is set: the feed's links use {PLACEHOLDER_BASE_URL}; set base_url in gapwatch.toml (or pass --base-url) to the site's public address"
                    );
                    PLACEHOLDER_BASE_URL.to_owned()
                }
            };
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
            let n = published_version(&store, &story.id, &number)?;
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

/// Prints a run's report; the exit status is the signal's when one stopped it, 3 when a
/// source failed or needs attention, 0 otherwise.
fn report_runs(report: &IngestReport, json: bool) -> Result<ExitCode> {
    let runs = &report.runs;
    if json {
        outln!("{}", serde_json::to_string_pretty(runs)?);
    } else {
        out!("{}", summary_table(runs).render());
        let count = |f: &dyn Fn(&SourceRun) -> bool| runs.iter().filter(|r| f(r)).count();
        let interrupted = count(&|r| r.interrupted);
        outln!(
            "{} sources: {} stored, {} unchanged, {} need attention{}",
            runs.len(),
            count(&|r| r.outcome == FetchOutcomeKind::Stored),
            count(&|r| matches!(
                r.outcome,
                FetchOutcomeKind::Unchanged | FetchOutcomeKind::NotModified
            )),
            count(&|r| r.needs_attention() && !r.interrupted),
            match report.interrupted {
                Some(signal) =>
                    format!("; stopped by {}, {interrupted} not finished", signal.name()),
                None => String::new(),
            }
        );
    }
    Ok(match report.interrupted {
        Some(signal) => ExitCode::from(signal.exit_code()),
        None if runs.iter().any(SourceRun::needs_attention) => ExitCode::from(EXIT_ATTENTION),
        None => ExitCode::SUCCESS,
    })
}

fn system_today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days_since_epoch((secs / 86_400) as i64)
}

fn unknown_source(ws: &Workspace, id: &str) -> UsageError {
    let known: Vec<&str> = ws.sources.sources.iter().map(|s| s.id.as_str()).collect();
    unknown_id("configured source", id, &known)
}

/// The published version `text` names (`v3` or `3`); bad usage when it is not one.
fn published_version(store: &Store, story: &str, text: &str) -> Result<u32> {
    let n = parse_version(text).map_err(|e| UsageError(format!("{e:#}")))?;
    let latest = store.versions(story)?.iter().map(|v| v.version).max();
    match latest {
        Some(latest) if (1..=latest).contains(&n) => Ok(n),
        Some(latest) => Err(UsageError(format!(
            "{story} has no v{n}; did you mean v{latest}, the latest? (published: v1 to v{latest})"
        ))
        .into()),
        None => Err(UsageError(format!(
            "{story} has no published version yet; `gapwatch publish` makes v1"
        ))
        .into()),
    }
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
    let config = ws.sources.get(id).ok_or_else(|| unknown_source(ws, id))?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let origin = file.display().to_string();
    let options = gapwatch_ingest::ExtractOptions {
        file_name: crate::pipeline::file_name_of(&origin),
    };
    let mut extraction = gapwatch_ingest::extract_with(config, &bytes, &options)
        .with_context(|| format!("source {id}: cannot extract from {}", file.display()))?;
    // A benchmark id the registry lacks (a typo) would make every claim count nowhere.
    extraction
        .warnings
        .extend(gapwatch_ingest::check_benchmarks(config, &ws.registry));
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

/// What a query printer needs besides the analysis.
struct QueryContext<'a> {
    story: &'a gapwatch_model::Story,
    sources: Vec<SourceMeta>,
}

type Printer = fn(&Analysis, &QueryArgs, &QueryContext<'_>) -> Result<()>;

fn source_metas(store: &Store) -> Result<Vec<SourceMeta>> {
    Ok(store
        .sources()?
        .into_iter()
        .map(|s| SourceMeta {
            id: s.id,
            publisher: s.publisher,
            title: s.title,
            url: s.url,
        })
        .collect())
}

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
    let analysis = analyze(&claims, &ws.registry, story, as_of, &ws.analysis_options());
    let ctx = QueryContext {
        story,
        sources: source_metas(&store)?,
    };
    print(&analysis, q, &ctx)?;
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

/// A side for a table cell: `GLM-4.5 70.8% (independent, Aug 2025)`.
fn side_cell(side: &Option<CohortSide>) -> String {
    side.as_ref().map_or("—".to_owned(), |s| {
        let mut notes = vec![prose::basis(s.basis).to_owned(), prose::month(s.best.date)];
        if s.stale {
            notes.push(format!("stale since {}", prose::month(s.newest)));
        }
        for k in &s.unstated {
            notes.push(format!("{} unstated", prose::setting_key(k)));
        }
        format!(
            "{} {} ({})",
            prose::subject(&s.best),
            prose::value(s.best.value, s.best.unit),
            notes.join(", ")
        )
    })
}

fn print_gap(a: &Analysis, q: &QueryArgs, ctx: &QueryContext<'_>) -> Result<()> {
    let labels = prose::Labels::of(ctx.story);
    let mut t = Table::new([
        "benchmark".to_owned(),
        format!("best {}", labels.incumbent),
        format!("best {}", labels.challenger),
        "gap".to_owned(),
        "parity".to_owned(),
        "lag".to_owned(),
    ]);
    for r in &a.parity {
        let mut bench = prose::row(&r.key);
        if r.key.role != gapwatch_analysis::RowRole::Headline {
            bench.push_str(&format!(" [{}]", prose::role(r.key.role)));
        }
        let gap = r.gap.as_ref().map_or("—".to_owned(), |g| {
            if g.points < 0.0 {
                format!("{} ahead by {}", labels.challenger, prose::gap(g, r.unit))
            } else {
                prose::gap(g, r.unit)
            }
        });
        let parity = match (r.not_comparable(), r.parity, r.challenger_leads) {
            (None, _, true) => format!("{} leads", labels.challenger),
            (None, Some(true), _) => "yes".to_owned(),
            (None, _, _) => "no".to_owned(),
            (Some(gapwatch_analysis::NotComparable::NoResults), _, _) => "—".to_owned(),
            (Some(n), _, _) => format!("not comparable: {}", prose::not_comparable(&n, &labels)),
        };
        let lag = match &r.lag {
            Some(l) if r.comparable => format!(
                "{}{}",
                if l.approximate { "≈ " } else { "" },
                prose::months(l.months)
            ),
            _ => "—".to_owned(),
        };
        t.row([
            bench,
            side_cell(&r.incumbent),
            side_cell(&r.challenger),
            gap,
            parity,
            lag,
        ]);
    }
    emit(&t, q, || {
        Ok(serde_json::to_string_pretty(&serde_json::json!({
            "as_of": a.as_of,
            "summary": a.summary,
            "median_lag": a.median_lag,
            "parity": a.parity,
            "coverage": a.coverage,
        }))?)
    })?;
    if !q.json && !q.csv {
        let s = &a.summary;
        outln!(
            "{} of {} headline benchmarks can be compared (same settings, same kind of evidence, each side with results from the last year): {} lead on {}, within {} on {}, behind on {}",
            s.comparable.len(),
            s.comparable.len() + s.not_comparable.len(),
            labels.challenger,
            s.challenger_leads.len(),
            ctx.story.parity.describe(),
            s.at_parity.len(),
            s.behind.len()
        );
        for (key, reason) in &s.not_comparable {
            outln!(
                "  not comparable: {}: {}",
                prose::row(key),
                prose::not_comparable(reason, &labels)
            );
        }
        if let Some(m) = &a.median_lag {
            outln!(
                "median lag across {}: {}{}{}",
                prose::count(m.benchmarks, "benchmark", "benchmarks"),
                if m.approximate { "about " } else { "" },
                prose::months(m.months),
                m.mean_months
                    .map(|x| format!(
                        " (median of each benchmark's average over all levels: {})",
                        prose::months(x)
                    ))
                    .unwrap_or_default()
            );
        }
        for r in &a.parity {
            for u in &r.unknown_access {
                outln!(
                    "unknown access: {} at {} on {} would lead the {} side if classified",
                    prose::subject(&u.entry),
                    prose::value(u.entry.value, u.entry.unit),
                    prose::row(&r.key),
                    if u.would_lead_challenger {
                        &labels.challenger
                    } else {
                        &labels.incumbent
                    }
                );
            }
        }
        let unresolved: u64 = a.coverage.unresolved.values().sum();
        outln!(
            "as of {}: {} considered; {} about unresolved model names and {} of unknown access not counted",
            a.as_of,
            prose::count(a.coverage.score_claims, "score claim", "score claims"),
            unresolved,
            a.coverage.unknown_access
        );
    }
    Ok(())
}

fn print_forecasts(a: &Analysis, q: &QueryArgs, ctx: &QueryContext<'_>) -> Result<()> {
    let mut t = Table::new(["forecast", "reading", "verdict", "per benchmark"]);
    for f in &a.forecasts {
        for r in &f.readings {
            t.row([
                f.forecast_id.clone(),
                format!("within {}", prose::margin(&r.margin)),
                prose::verdict(&r.verdict),
                describe::reading(f, r, a, ctx.story),
            ]);
        }
    }
    emit(&t, q, || Ok(serde_json::to_string_pretty(&a.forecasts)?))
}

fn print_tensions(a: &Analysis, q: &QueryArgs, ctx: &QueryContext<'_>) -> Result<()> {
    let mut t = Table::new([
        "kind",
        "touches a row",
        "subject",
        "comparison",
        "sources",
        "what",
    ]);
    for x in &a.tensions {
        let sources: Vec<&str> = x.items.iter().map(|i| i.source_id.as_str()).collect();
        t.row([
            prose::tension_kind(x.kind).to_owned(),
            if x.touches_row { "yes" } else { "no" }.to_owned(),
            x.subject.clone(),
            x.row.as_ref().map(prose::row).unwrap_or_default(),
            sources.join(", "),
            describe::tension(x, a, ctx.story, &ctx.sources),
        ]);
    }
    emit(&t, q, || Ok(serde_json::to_string_pretty(&a.tensions)?))?;
    if !q.json && !q.csv && t.is_empty() {
        outln!("no tensions as of {}", a.as_of);
    }
    Ok(())
}
