//! `gapwatch ingest` and `gapwatch watch`: fetch every configured source, store each as soon
//! as it arrives, and log every attempt, so a scheduler can run it unattended and stop it at
//! any moment.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use gapwatch_fetch::{FetchEvent, FetchOutcome, FetchPolicy, FetchRequest, Fetcher};
use gapwatch_model::Date;
use gapwatch_store::{FetchLogEntry, FetchOutcomeKind, Store};
use serde::Serialize;

use crate::attention;
use crate::pipeline::{Incoming, import_bytes};
use crate::progress::Progress;
use crate::table::Table;
use crate::usage::unknown_id;
use crate::workspace::Workspace;

/// Starts the message of a fetch-log row for a source whose fetch a signal cut short.
pub const INTERRUPTED: &str = "interrupted: ";

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
    /// A signal stopped the run before this source's fetch finished: nothing was stored.
    pub interrupted: bool,
}

impl SourceRun {
    /// Failed, or its current snapshot is suspect (empty, shrunken, without scores it gave).
    pub fn needs_attention(&self) -> bool {
        matches!(
            self.outcome,
            FetchOutcomeKind::Failed | FetchOutcomeKind::Attention
        )
    }

    fn empty(source: &str, attempts: u32) -> SourceRun {
        SourceRun {
            source: source.to_owned(),
            outcome: FetchOutcomeKind::Failed,
            http_status: None,
            bytes: None,
            rows: None,
            claims_inserted: None,
            warnings: Vec::new(),
            message: None,
            attempts,
            duration_ms: 0,
            snapshot_id: None,
            interrupted: false,
        }
    }

    /// One line for a log: `swebench: stored (200), 211 rows, 12 new claims, 1.2s`.
    pub fn one_line(&self) -> String {
        let mut parts = vec![match self.http_status {
            Some(status) => format!("{} ({status})", self.outcome.as_str()),
            None => self.outcome.as_str().to_owned(),
        }];
        if let Some(rows) = self.rows {
            parts.push(format!("{rows} rows"));
        }
        if let Some(claims) = self.claims_inserted.filter(|&c| c > 0) {
            parts.push(format!("{claims} new claims"));
        }
        parts.push(format!("{:.1}s", self.duration_ms as f64 / 1000.0));
        let mut line = format!("{}: {}", self.source, parts.join(", "));
        let notes: Vec<&str> = self
            .message
            .iter()
            .chain(self.warnings.iter().filter(|w| {
                self.outcome == FetchOutcomeKind::Attention
                    || w.ends_with(attention::SUSPECT_SUFFIX)
            }))
            .map(String::as_str)
            .collect();
        if !notes.is_empty() {
            line.push_str(": ");
            line.push_str(&notes.join("; "));
        }
        line
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

/// What one ingest run did.
#[derive(Debug)]
pub struct IngestReport {
    /// One per source, in the order they finished; interrupted sources last.
    pub runs: Vec<SourceRun>,
    /// The signal that stopped the run early, if one did.
    pub interrupted: Option<Interruption>,
}

/// Fetches the planned sources and records each as soon as its fetch finishes: its snapshot,
/// extraction and claims in one transaction, then its fetch-log row, before waiting for the
/// next. On a first SIGINT or SIGTERM the fetches in flight are cancelled, the ones already
/// finished are recorded, and each cancelled source gets a fetch-log row saying it was
/// interrupted.
pub fn ingest_once(
    runtime: &tokio::runtime::Runtime,
    store: &mut Store,
    ws: &Workspace,
    plan: &IngestPlan<'_>,
    progress: &Progress,
    stop: &StopSignal,
) -> Result<IngestReport> {
    let (only, policy, observed_on) = (plan.only, &plan.policy, plan.observed_on);
    for id in only {
        if ws.sources.get(id).is_none() {
            let known: Vec<&str> = ws.sources.sources.iter().map(|s| s.id.as_str()).collect();
            return Err(unknown_id("configured source", id, &known).into());
        }
    }
    let selected: Vec<_> = ws
        .sources
        .sources
        .iter()
        // An article is a page published once: it is fetched when named, not on every run.
        .filter(|s| match only.is_empty() {
            true => s.format != gapwatch_ingest::Format::Article,
            false => only.contains(&s.id),
        })
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
    // The first source of each id, as `SourcesFile::get` finds it, without a scan per source.
    let mut by_id: HashMap<&str, &gapwatch_ingest::SourceConfig> = HashMap::new();
    for s in &selected {
        by_id.entry(s.id.as_str()).or_insert(s);
    }
    let fetcher = Fetcher::with_observer(policy.clone(), log_event)
        .context("cannot set up the HTTP client")?;
    let mut shown = progress.items(requests.len(), "fetching");
    let started_at = now_rfc3339();
    let mut batch = {
        let _inside = runtime.enter();
        fetcher.start_all(requests)
    };
    let mut runs = Vec::new();
    let mut log = PendingLog::default();
    let mut record_one = |store: &mut Store,
                          log: &mut PendingLog,
                          request: FetchRequest,
                          outcome: FetchOutcome|
     -> Result<()> {
        let Some(&source) = by_id.get(request.key.as_str()) else {
            return Ok(());
        };
        let began = Instant::now();
        if let FetchOutcome::Fetched(page) = &outcome {
            tracing::debug!("{}: recording {} bytes", source.id, page.bytes.len());
        }
        let run =
            record(store, source, &request, &outcome, observed_on).unwrap_or_else(|e| SourceRun {
                http_status: match &outcome {
                    FetchOutcome::Fetched(p) => Some(p.status),
                    _ => None,
                },
                bytes: match &outcome {
                    FetchOutcome::Fetched(p) => Some(p.bytes.len() as u64),
                    _ => None,
                },
                message: Some(format!("{e:#}")),
                ..SourceRun::empty(&source.id, outcome.attempts())
            });
        let duration_ms = (outcome.elapsed() + began.elapsed()).as_millis() as u64;
        let run = SourceRun { duration_ms, ..run };
        let stored = matches!(
            run.outcome,
            FetchOutcomeKind::Stored | FetchOutcomeKind::Attention
        );
        log.push(store, log_entry(&run, &started_at), stored)?;
        shown.finished(&run.source, &run.one_line());
        runs.push(run);
        Ok(())
    };
    let interrupted = loop {
        if let Some(signal) = stop.received() {
            break Some(signal);
        }
        let next = match batch.try_next() {
            Some(done) => Some(done),
            None => {
                // Nothing else has finished. Rows waiting are committed if no other fetch ends
                // within `LOG_LINGER`: each source is in the log as soon as it is done, and a
                // burst of answers (many 304s) shares one commit.
                let linger = if log.is_empty() {
                    Duration::MAX
                } else {
                    LOG_LINGER
                };
                let waited = runtime.block_on(async {
                    tokio::select! {
                        biased;
                        signal = stop.wait() => Waited::Signal(signal),
                        done = batch.next() => Waited::Done(Box::new(done)),
                        () = tokio::time::sleep(linger) => Waited::Idle,
                    }
                });
                match waited {
                    Waited::Signal(signal) => break Some(signal),
                    Waited::Done(done) => *done,
                    Waited::Idle => {
                        log.flush(store)?;
                        continue;
                    }
                }
            }
        };
        let Some((request, outcome)) = next else {
            break None;
        };
        record_one(store, &mut log, request, outcome)?;
    };
    if let Some(signal) = interrupted {
        // What finished before the signal is kept; what is still in flight is dropped.
        while let Some((request, outcome)) = batch.try_next() {
            record_one(store, &mut log, request, outcome)?;
        }
        let cancelled = batch.cancel();
        for request in &cancelled {
            let run = SourceRun {
                message: Some(format!(
                    "{INTERRUPTED}{} received before the fetch of {} finished; nothing was stored",
                    signal.name(),
                    request.url
                )),
                interrupted: true,
                ..SourceRun::empty(&request.key, 0)
            };
            log.push(store, log_entry(&run, &started_at), false)?;
            shown.finished(&run.source, &run.one_line());
            runs.push(run);
        }
        tracing::warn!(
            "{} received: {} sources recorded, {} fetches cancelled",
            signal.name(),
            runs.len() - cancelled.len(),
            cancelled.len()
        );
    }
    log.flush(store)?;
    shown.clear();
    Ok(IngestReport { runs, interrupted })
}

fn log_entry(run: &SourceRun, started_at: &str) -> FetchLogEntry {
    FetchLogEntry {
        id: 0,
        source_id: run.source.clone(),
        started_at: started_at.to_owned(),
        outcome: run.outcome,
        http_status: run.http_status,
        bytes: run.bytes,
        rows: run.rows,
        claims_inserted: run.claims_inserted,
        warnings: run.warnings.clone(),
        message: run.message.clone(),
        duration_ms: run.duration_ms,
        snapshot_id: run.snapshot_id,
    }
}

/// The fetcher's events as log lines: waits and retries with `-v`, each attempt with `-vv`.
fn log_event(event: &FetchEvent<'_>) {
    match *event {
        FetchEvent::Attempt { key, url, attempt } => {
            tracing::debug!("{key}: attempt {attempt}: GET {url}");
        }
        FetchEvent::Waiting { key, host, wait } => {
            tracing::info!("{key}: waiting {} for a turn at {host}", seconds(wait));
        }
        FetchEvent::Retrying {
            key,
            attempt,
            wait,
            retry_after,
            reason,
        } => {
            let why = if retry_after {
                "as Retry-After asks"
            } else {
                "of backoff"
            };
            tracing::info!(
                "{key}: attempt {attempt} failed ({reason}); retrying after {} {why}",
                seconds(wait)
            );
        }
        FetchEvent::HostUnreachable { host, reason } => {
            tracing::info!("{host}: no retry can help ({reason}); its other sources are not tried");
        }
        _ => {}
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// What waiting for the next fetch came to.
enum Waited {
    Signal(Interruption),
    /// Boxed: an outcome is hundreds of bytes beside the other variants.
    Done(Box<Option<(FetchRequest, FetchOutcome)>>),
    Idle,
}

/// How long fetch-log rows wait for others to share their commit when no fetch is ending.
const LOG_LINGER: Duration = Duration::from_millis(20);

/// At most this many fetch-log rows of attempts that stored nothing wait to be written.
const LOG_BATCH: usize = 256;

/// Fetch-log rows not yet written, in the order of the attempts.
///
/// A commit costs far more than a row, and most attempts of an incremental run store nothing
/// (answered 304, identical bytes, failed). Their rows wait only while other fetches keep
/// finishing: they are written together, in one transaction, once no fetch has ended for
/// [`LOG_LINGER`], once [`LOG_BATCH`] wait, or with the row of the next stored snapshot. The row of an attempt that stored a snapshot is written at once,
/// right after the snapshot's own transaction, with the rows waiting before it. So each
/// source's row is committed as soon as it is done, not after the slowest fetch; a process
/// killed outright may lose only the rows of attempts finished in the same instant, never a
/// snapshot or its claims.
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

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
    let mut run = SourceRun::empty(&source.id, outcome.attempts());
    match outcome {
        FetchOutcome::NotModified { status, .. } => {
            run.outcome = FetchOutcomeKind::NotModified;
            run.http_status = Some(*status);
            // The copy the server says is current is the source's newest: if that one was
            // suspect, the source still needs a person.
            if let Some(latest) = store.runs(Some(&source.id))?.last()
                && attention::is_suspect(latest)
            {
                run.outcome = FetchOutcomeKind::Attention;
                run.warnings = attention::suspect_warnings(latest)
                    .into_iter()
                    .map(|w| format!("not modified, still as when stored: {w}"))
                    .collect();
            }
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

/// A signal that stops a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    Sigint,
    Sigterm,
}

impl Interruption {
    /// The exit status of a process stopped by it: 128 plus the signal's number, as a shell
    /// reports a process the signal killed.
    pub fn exit_code(self) -> u8 {
        match self {
            Interruption::Sigint => 130,
            Interruption::Sigterm => 143,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Interruption::Sigint => "SIGINT",
            Interruption::Sigterm => "SIGTERM",
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        match code {
            130 => Some(Interruption::Sigint),
            143 => Some(Interruption::Sigterm),
            _ => None,
        }
    }
}

/// The first SIGINT or SIGTERM asks the run to stop (see [`ingest_once`]); a second one ends
/// the process at once, with the same status, removing the run's lock file.
pub fn stop_on_signals(runtime: &tokio::runtime::Runtime) -> Result<Arc<StopSignal>> {
    use tokio::signal::unix::{SignalKind, signal};
    let stop = Arc::new(StopSignal {
        received: AtomicU8::new(0),
        notify: tokio::sync::Notify::new(),
        lock_file: Mutex::new(None),
    });
    let (mut int, mut term) = runtime
        .block_on(async {
            Ok::<_, std::io::Error>((
                signal(SignalKind::interrupt())?,
                signal(SignalKind::terminate())?,
            ))
        })
        .context("cannot listen for SIGINT and SIGTERM")?;
    let handler = Arc::clone(&stop);
    runtime.spawn(async move {
        loop {
            let signal = tokio::select! {
                _ = int.recv() => Interruption::Sigint,
                _ = term.recv() => Interruption::Sigterm,
            };
            let first = handler
                .received
                .compare_exchange(0, signal.exit_code(), Ordering::SeqCst, Ordering::SeqCst)
                .is_ok();
            if first {
                handler.notify.notify_waiters();
                tracing::warn!(
                    "{} received: stopping; fetches in flight are cancelled and what finished is recorded (send it again to stop at once)",
                    signal.name()
                );
            } else {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "{} received again: stopping at once",
                    signal.name()
                );
                if let Some(path) = handler
                    .lock_file
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .as_ref()
                {
                    let _ = std::fs::remove_file(path);
                }
                // A write in progress is rolled back by SQLite when the database is next
                // opened: each source's data is all there or absent.
                std::process::exit(i32::from(signal.exit_code()));
            }
        }
    });
    Ok(stop)
}

/// A stop request shared between the signal handler and the run.
#[derive(Debug)]
pub struct StopSignal {
    /// The exit status of the first signal received, 0 before any.
    received: AtomicU8,
    notify: tokio::sync::Notify,
    /// Removed on a second signal, which ends the process without running destructors.
    lock_file: Mutex<Option<PathBuf>>,
}

impl StopSignal {
    /// The first signal received, if any.
    pub fn received(&self) -> Option<Interruption> {
        Interruption::from_code(self.received.load(Ordering::SeqCst))
    }

    /// Waits for the first signal (returns at once if one was received).
    pub async fn wait(&self) -> Interruption {
        loop {
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if let Some(signal) = self.received() {
                return signal;
            }
            notified.await;
        }
    }

    /// Sleeps for `d`, or less if a signal comes; returns the signal, if one came.
    pub fn sleep(&self, runtime: &tokio::runtime::Runtime, d: Duration) -> Option<Interruption> {
        if let Some(signal) = self.received() {
            return Some(signal);
        }
        runtime.block_on(async {
            tokio::select! {
                () = tokio::time::sleep(d) => None,
                signal = self.wait() => Some(signal),
            }
        })
    }

    /// The lock file to remove if a second signal ends the process at once.
    pub fn remove_on_hard_stop(&self, path: PathBuf) {
        *self
            .lock_file
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(path);
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
