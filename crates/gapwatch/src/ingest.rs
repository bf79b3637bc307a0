//! `gapwatch ingest` and `gapwatch watch`: fetch every configured source, store what changed,
//! and log every attempt, so a scheduler can run it unattended.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use gapwatch_fetch::{FetchOutcome, FetchPolicy, FetchRequest, Fetcher};
use gapwatch_model::Date;
use gapwatch_store::{FetchLogEntry, FetchOutcomeKind, Store};
use serde::Serialize;

use crate::pipeline::{Incoming, import_bytes};
use crate::progress::Progress;
use crate::table::Table;
use crate::workspace::Workspace;

/// What happened to one source in one run.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRun {
    pub source: String,
    pub outcome: FetchOutcomeKind,
    pub http_status: Option<u16>,
    pub bytes: Option<u64>,
    pub rows: Option<u64>,
    pub claims_inserted: Option<u64>,
    pub warnings: Vec<String>,
    pub message: Option<String>,
    pub attempts: u32,
    pub duration_ms: u64,
    /// The snapshot stored, or the stored one the bytes were identical to.
    pub snapshot_id: Option<i64>,
}

impl SourceRun {
    /// Failed, or stored but suspect.
    pub fn needs_attention(&self) -> bool {
        matches!(
            self.outcome,
            FetchOutcomeKind::Failed | FetchOutcomeKind::Attention
        )
    }
}

/// What one ingest run fetches, how, and the date it records.
#[derive(Debug, Clone)]
pub struct IngestPlan<'a> {
    /// Only these source ids; all configured sources when empty.
    pub only: &'a [String],
    pub policy: FetchPolicy,
    /// The date snapshots are observed on.
    pub observed_on: Date,
}

/// Fetches the planned sources and records the outcome of each. Stops between sources,
/// never inside a write, once `stop` is set.
pub fn ingest_once(
    runtime: &tokio::runtime::Runtime,
    store: &mut Store,
    ws: &Workspace,
    plan: &IngestPlan<'_>,
    progress: &Progress,
    stop: &AtomicBool,
) -> Result<Vec<SourceRun>> {
    let (only, policy, observed_on) = (plan.only, &plan.policy, plan.observed_on);
    for id in only {
        if ws.sources.get(id).is_none() {
            let known: Vec<&str> = ws.sources.sources.iter().map(|s| s.id.as_str()).collect();
            bail!(
                "no configured source {id:?}; configured: {}",
                known.join(", ")
            );
        }
    }
    let selected: Vec<_> = ws
        .sources
        .sources
        .iter()
        .filter(|s| only.is_empty() || only.contains(&s.id))
        .collect();
    // Every source's validators in one query rather than one query a source.
    let mut validators = store.all_validators()?;
    let mut requests = Vec::with_capacity(selected.len());
    for s in &selected {
        let (etag, last_modified) = validators.remove(&s.id).unwrap_or_default();
        requests.push(FetchRequest {
            key: s.id.clone(),
            url: s.url.clone(),
            etag,
            last_modified,
        });
    }
    let fetcher = Fetcher::new(policy.clone()).context("cannot set up the HTTP client")?;
    let bar = progress.bar(requests.len() as u64, "fetching");
    let started_at = now_rfc3339();
    let fetched = runtime.block_on(fetcher.fetch_all(requests, |req, _| {
        bar.set_message(req.key.clone());
        bar.inc(1);
    }));
    bar.finish_and_clear();
    // The first source of each id, as `SourcesFile::get` finds it, without a scan per source.
    let mut by_id: HashMap<&str, &gapwatch_ingest::SourceConfig> = HashMap::new();
    for s in &selected {
        by_id.entry(s.id.as_str()).or_insert(s);
    }
    let mut runs = Vec::with_capacity(fetched.len());
    let mut log = PendingLog::default();
    for (request, outcome) in fetched {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Some(&source) = by_id.get(request.key.as_str()) else {
            continue;
        };
        let began = Instant::now();
        let run = record(store, source, &request, &outcome, observed_on);
        let run = match run {
            Ok(r) => r,
            Err(e) => SourceRun {
                source: source.id.clone(),
                outcome: FetchOutcomeKind::Failed,
                http_status: match &outcome {
                    FetchOutcome::Fetched(p) => Some(p.status),
                    _ => None,
                },
                bytes: match &outcome {
                    FetchOutcome::Fetched(p) => Some(p.bytes.len() as u64),
                    _ => None,
                },
                rows: None,
                claims_inserted: None,
                warnings: Vec::new(),
                message: Some(format!("{e:#}")),
                attempts: outcome.attempts(),
                duration_ms: 0,
                snapshot_id: None,
            },
        };
        let duration_ms = (outcome.elapsed() + began.elapsed()).as_millis() as u64;
        let run = SourceRun { duration_ms, ..run };
        let stored = matches!(
            run.outcome,
            FetchOutcomeKind::Stored | FetchOutcomeKind::Attention
        );
        log.push(
            store,
            FetchLogEntry {
                id: 0,
                source_id: run.source.clone(),
                started_at: started_at.clone(),
                outcome: run.outcome,
                http_status: run.http_status,
                bytes: run.bytes,
                rows: run.rows,
                claims_inserted: run.claims_inserted,
                warnings: run.warnings.clone(),
                message: run.message.clone(),
                duration_ms: run.duration_ms,
                snapshot_id: run.snapshot_id,
            },
            stored,
        )?;
        runs.push(run);
    }
    log.flush(store)?;
    Ok(runs)
}

/// At most this many fetch-log rows of attempts that stored nothing wait to be written.
const LOG_BATCH: usize = 256;

/// Fetch-log rows not yet written, in the order of the attempts.
///
/// A commit costs far more than a row, and most attempts of an incremental run store nothing
/// (answered 304, identical bytes, failed): their rows wait and are written together, in one
/// transaction, once [`LOG_BATCH`] wait, with the row of the next stored snapshot, or at the
/// end of the run. The row of an attempt that stored a snapshot is written at once, right
/// after the snapshot's own transaction, with the rows waiting before it. So a process killed
/// mid-run may lose the rows of its last attempts that stored nothing, never a snapshot or its
/// claims, and a run that finishes, or stops on a signal, leaves every row written.
#[derive(Debug, Default)]
struct PendingLog {
    entries: Vec<FetchLogEntry>,
}

impl PendingLog {
    /// Adds the row of one attempt; writes the waiting rows when `stored` (the attempt stored a
    /// snapshot) or when enough wait.
    fn push(&mut self, store: &mut Store, entry: FetchLogEntry, stored: bool) -> Result<()> {
        self.entries.push(entry);
        if stored || self.entries.len() >= LOG_BATCH {
            self.flush(store)?;
        }
        Ok(())
    }

    /// Writes the waiting rows in one transaction.
    fn flush(&mut self, store: &mut Store) -> Result<()> {
        store.log_fetches(&self.entries)?;
        self.entries.clear();
        Ok(())
    }
}

fn record(
    store: &mut Store,
    source: &gapwatch_ingest::SourceConfig,
    request: &FetchRequest,
    outcome: &FetchOutcome,
    observed_on: Date,
) -> Result<SourceRun> {
    let mut run = SourceRun {
        source: source.id.clone(),
        outcome: FetchOutcomeKind::Failed,
        http_status: None,
        bytes: None,
        rows: None,
        claims_inserted: None,
        warnings: Vec::new(),
        message: None,
        attempts: outcome.attempts(),
        duration_ms: 0,
        snapshot_id: None,
    };
    match outcome {
        FetchOutcome::NotModified { status, .. } => {
            run.outcome = FetchOutcomeKind::NotModified;
            run.http_status = Some(*status);
        }
        FetchOutcome::Failed(f) => {
            run.http_status = f.status;
            run.message = Some(format!("{}: {}", f.kind.as_str(), f.message));
        }
        FetchOutcome::Fetched(page) => {
            run.http_status = Some(page.status);
            run.bytes = Some(page.bytes.len() as u64);
            let fetched_at = now_rfc3339();
            let imported = import_bytes(
                store,
                source,
                &Incoming {
                    bytes: &page.bytes,
                    content_type: page.content_type.as_deref(),
                    observed_on,
                    origin: &page.final_url,
                    fetched_at: Some(&fetched_at),
                    http_status: Some(page.status),
                    etag: page.etag.as_deref(),
                    last_modified: page.last_modified.as_deref(),
                },
            )
            .with_context(|| format!("{} ({})", source.id, request.url))?;
            run.rows = Some(imported.rows as u64);
            run.claims_inserted = Some(imported.claims_inserted);
            run.snapshot_id = Some(imported.snapshot_id);
            run.outcome = if imported.needs_attention {
                FetchOutcomeKind::Attention
            } else if imported.new_snapshot {
                FetchOutcomeKind::Stored
            } else {
                FetchOutcomeKind::Unchanged
            };
            run.warnings = imported.warnings;
        }
    }
    Ok(run)
}

/// The summary table printed after a run.
pub fn summary_table(runs: &[SourceRun]) -> Table {
    let mut t = Table::new([
        "source",
        "outcome",
        "http",
        "bytes",
        "rows",
        "new claims",
        "time",
        "note",
    ]);
    for r in runs {
        let opt = |v: Option<u64>| v.map_or("—".to_owned(), |v| v.to_string());
        let mut note: Vec<String> = r.message.iter().cloned().collect();
        note.extend(r.warnings.iter().cloned());
        t.row([
            r.source.clone(),
            r.outcome.as_str().to_owned(),
            r.http_status.map_or("—".to_owned(), |s| s.to_string()),
            opt(r.bytes),
            opt(r.rows),
            opt(r.claims_inserted),
            format!("{:.1}s", r.duration_ms as f64 / 1000.0),
            note.join("; "),
        ]);
    }
    t
}

/// `6h`, `30m`, `45s`, `1d`, or combinations such as `1h30m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let mut total = 0u64;
    let mut number = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number
            .parse()
            .map_err(|_| format!("{text:?}: expected a number before {c:?}"))?;
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(format!("{text:?}: unknown unit {c:?}; use s, m, h or d")),
        };
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
        any = true;
    }
    if !number.is_empty() || !any {
        return Err(format!("{text:?}: give a unit, as in 30m, 6h or 1d"));
    }
    if total == 0 {
        return Err(format!("{text:?}: the interval must be longer than zero"));
    }
    Ok(Duration::from_secs(total))
}

/// Sets `stop` on SIGINT or SIGTERM, and wakes sleepers.
pub fn stop_on_signals(runtime: &tokio::runtime::Runtime) -> Result<Arc<StopSignal>> {
    let signal = Arc::new(StopSignal {
        flag: AtomicBool::new(false),
        notify: tokio::sync::Notify::new(),
    });
    let s = Arc::clone(&signal);
    let mut term = runtime
        .block_on(async {
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        })
        .context("cannot listen for SIGTERM")?;
    runtime.spawn(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        s.flag.store(true, Ordering::SeqCst);
        s.notify.notify_waiters();
        tracing::warn!("stopping after the write in progress");
    });
    Ok(signal)
}

/// A stop request shared between the signal handler and the loop.
#[derive(Debug)]
pub struct StopSignal {
    pub flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl StopSignal {
    /// Sleeps for `d`, or less if a stop is requested; returns true when stopping.
    pub fn sleep(&self, runtime: &tokio::runtime::Runtime, d: Duration) -> bool {
        if self.flag.load(Ordering::SeqCst) {
            return true;
        }
        runtime.block_on(async {
            tokio::select! {
                _ = tokio::time::sleep(d) => {}
                _ = self.notify.notified() => {}
            }
        });
        self.flag.load(Ordering::SeqCst)
    }
}

/// The current instant as RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let date = Date::from_days_since_epoch((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_units() {
        assert_eq!(parse_duration("6h"), Ok(Duration::from_secs(21_600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
        assert!(parse_duration("90").is_err());
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("").is_err());
    }

    fn attempt(n: usize, outcome: FetchOutcomeKind) -> FetchLogEntry {
        FetchLogEntry {
            id: 0,
            source_id: format!("source-{n:04}"),
            started_at: "2026-01-15T06:00:00Z".into(),
            outcome,
            http_status: Some(304),
            bytes: None,
            rows: None,
            claims_inserted: None,
            warnings: Vec::new(),
            message: None,
            duration_ms: 1,
            snapshot_id: None,
        }
    }

    fn logged(store: &Store) -> Vec<String> {
        store
            .fetch_log(None)
            .unwrap()
            .into_iter()
            .map(|e| e.source_id)
            .collect()
    }

    #[test]
    fn fetch_log_rows_wait_for_a_batch_or_a_stored_snapshot_and_keep_their_order() {
        let mut store = Store::open_in_memory().unwrap();
        let mut log = PendingLog::default();
        let mut n = 0;
        let mut push = |store: &mut Store, log: &mut PendingLog, outcome| {
            let stored = outcome == FetchOutcomeKind::Stored;
            log.push(store, attempt(n, outcome), stored).unwrap();
            n += 1;
        };
        // Attempts that stored nothing wait.
        for _ in 0..10 {
            push(&mut store, &mut log, FetchOutcomeKind::NotModified);
        }
        push(&mut store, &mut log, FetchOutcomeKind::Failed);
        assert!(logged(&store).is_empty());
        // A stored snapshot's row is written at once, with the rows waiting before it.
        push(&mut store, &mut log, FetchOutcomeKind::Stored);
        assert_eq!(logged(&store).len(), 12);
        // So many waiting rows are written together.
        for _ in 0..LOG_BATCH - 1 {
            push(&mut store, &mut log, FetchOutcomeKind::Unchanged);
        }
        assert_eq!(logged(&store).len(), 12);
        push(&mut store, &mut log, FetchOutcomeKind::NotModified);
        assert_eq!(logged(&store).len(), 12 + LOG_BATCH);
        // The end of the run writes the rest.
        for _ in 0..5 {
            push(&mut store, &mut log, FetchOutcomeKind::NotModified);
        }
        assert_eq!(logged(&store).len(), 12 + LOG_BATCH);
        log.flush(&mut store).unwrap();
        log.flush(&mut store).unwrap();
        let expected: Vec<String> = (0..17 + LOG_BATCH)
            .map(|n| format!("source-{n:04}"))
            .collect();
        assert_eq!(logged(&store), expected);
        let ids: Vec<i64> = store
            .fetch_log(None)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }
}
