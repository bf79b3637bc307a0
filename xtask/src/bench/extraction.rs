//! W1: every row of every table of the real static HTML leaderboard pages, repeated to at
//! least 100 MB, through gapwatch's HTML-table adapter on one core and on every core, against
//! `html_tables.py` (pandas.read_html with lxml, one core).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use gapwatch_ingest::{SourcesFile, extract};
use serde::{Deserialize, Serialize};

use super::{Ctx, measure, own_cpu_seconds, own_peak_kib, peer_number, run_worker};

/// The pages and the default source that reads each, relative to the real-sources folder.
const PAGES: [(&str, &str); 2] = [
    ("mmmu/static_html", "mmmu-html"),
    ("swebench/static_html", "swebench-html"),
];

/// What the gapwatch side measured.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ExtractFigures {
    pub(crate) bytes: u64,
    pub(crate) repeat: usize,
    pub(crate) threads: usize,
    /// Rows found over all repetitions (skipped rows such as baselines included).
    pub(crate) rows: u64,
    pub(crate) claims: u64,
    pub(crate) seconds: f64,
    pub(crate) cpu_seconds: Option<f64>,
    pub(crate) peak_kib: Option<u64>,
    /// Rows per page in one repetition: (file, rows).
    pub(crate) per_page: Vec<(String, usize)>,
}

/// W1 as recorded.
#[derive(Debug)]
pub(crate) struct W1 {
    /// On one thread.
    pub(crate) one_core: ExtractFigures,
    /// On a thread per core.
    pub(crate) gapwatch: ExtractFigures,
    pub(crate) peer_mbps: f64,
    pub(crate) peer_seconds: f64,
    pub(crate) peer_rows: u64,
    pub(crate) peer_tables: u64,
    pub(crate) peer_peak_kib: Option<u64>,
    /// Rows per page in one repetition, as the peer counts them: (file, tables, rows).
    pub(crate) peer_per_page: Vec<(String, u64, u64)>,
}

impl W1 {
    /// On every core.
    pub(crate) fn mbps(&self) -> f64 {
        self.gapwatch.bytes as f64 / self.gapwatch.seconds / 1e6
    }

    pub(crate) fn one_core_mbps(&self) -> f64 {
        self.one_core.bytes as f64 / self.one_core.seconds / 1e6
    }
}

/// The pages, as `(default source id, path)`, in a fixed order.
fn pages(real_sources: &Path) -> Result<Vec<(&'static str, PathBuf)>> {
    let mut out = Vec::new();
    for (dir, source) in PAGES {
        let dir = real_sources.join(dir);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "html"))
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (source, f)));
    }
    if out.is_empty() {
        bail!("no static HTML pages under {}", real_sources.display());
    }
    Ok(out)
}

fn file_name(p: &Path) -> String {
    let dir = p
        .parent()
        .and_then(|d| d.parent())
        .and_then(|d| d.file_name())
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(
        "{dir}/{}",
        p.file_name()
            .map(|f| f.to_string_lossy())
            .unwrap_or_default()
    )
}

pub(crate) fn run(ctx: &Ctx) -> Result<W1> {
    let pages = pages(&ctx.real_sources)?;
    let mut one_pass = 0u64;
    for (_, p) in &pages {
        one_pass += std::fs::metadata(p)
            .with_context(|| format!("cannot read {}", p.display()))?
            .len();
    }
    let repeat = ctx.scale.html_bytes.div_ceil(one_pass) as usize;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    eprintln!(
        "W1: {} pages ({one_pass} bytes) x {repeat} on {threads} threads through the HTML adapter",
        pages.len()
    );
    let repeat_s = repeat.to_string();
    let specs: Vec<String> = pages
        .iter()
        .map(|(s, p)| format!("{s}={}", p.display()))
        .collect();
    let mut runs = Vec::new();
    for t in [1, threads] {
        let threads_s = t.to_string();
        let mut args: Vec<&OsStr> = vec!["extract".as_ref(), repeat_s.as_ref(), threads_s.as_ref()];
        args.extend(specs.iter().map(|s| OsStr::new(s.as_str())));
        let figures: ExtractFigures = run_worker(ctx, &args)?;
        runs.push(figures);
    }
    let gapwatch = runs.pop().context("no extraction ran")?;
    let one_core = runs.pop().context("no extraction ran")?;

    eprintln!("W1 peer: html_tables.py --repeat {repeat}");
    let script = ctx.peers.join("html_tables.py");
    let mut peer_args: Vec<&OsStr> =
        vec![script.as_os_str(), "--repeat".as_ref(), repeat_s.as_ref()];
    peer_args.extend(pages.iter().map(|(_, p)| p.as_os_str()));
    let peer = measure(&ctx.python, &peer_args, &ctx.work)?;
    if !peer.success {
        bail!("html_tables.py failed");
    }
    let name = "html_tables.py";
    let mut peer_per_page = Vec::new();
    for (_, p) in &pages {
        let one = measure(
            &ctx.python,
            &[
                script.as_os_str(),
                "--repeat".as_ref(),
                "1".as_ref(),
                p.as_os_str(),
            ],
            &ctx.work,
        )?;
        peer_per_page.push((
            file_name(p),
            peer_number(&one.stdout, "tables", name)? as u64,
            peer_number(&one.stdout, "rows", name)? as u64,
        ));
    }
    Ok(W1 {
        one_core,
        gapwatch,
        peer_mbps: peer_number(&peer.stdout, "MBps", name)?,
        peer_seconds: peer_number(&peer.stdout, "seconds", name)?,
        peer_rows: peer_number(&peer.stdout, "rows", name)? as u64,
        peer_tables: peer_number(&peer.stdout, "tables", name)? as u64,
        peer_peak_kib: peer.peak_kib,
        peer_per_page,
    })
}

/// `bench-worker extract REPEAT THREADS SOURCE=FILE…`.
pub(crate) fn worker(root: &Path, args: &[String]) -> Result<ExtractFigures> {
    let [repeat, threads, specs @ ..] = args else {
        bail!("usage: bench-worker extract REPEAT THREADS SOURCE=FILE…");
    };
    let repeat: usize = repeat.parse().context("REPEAT is not a number")?;
    let threads: usize = threads
        .parse::<usize>()
        .context("THREADS is not a number")?
        .max(1);
    let defaults = root.join("crates/gapwatch/defaults/sources.toml");
    let text = std::fs::read_to_string(&defaults)
        .with_context(|| format!("cannot read {}", defaults.display()))?;
    let sources = SourcesFile::from_toml_str(&text, &defaults.display().to_string())?;
    let mut pages = Vec::new();
    for spec in specs {
        let (id, file) = spec
            .split_once('=')
            .with_context(|| format!("{spec:?} is not SOURCE=FILE"))?;
        let source = sources
            .get(id)
            .with_context(|| format!("no default source {id:?}"))?;
        let bytes = std::fs::read(file).with_context(|| format!("cannot read {file}"))?;
        pages.push((source, PathBuf::from(file), bytes));
    }
    let mut per_page = Vec::new();
    for (source, path, bytes) in &pages {
        let run = extract(source, bytes)
            .with_context(|| format!("{} cannot read {}", source.id, path.display()))?;
        per_page.push((file_name(path), run.rows.len()));
    }

    // Work items are (repetition, page); thread t takes every t-th one, so both threads get
    // the same mix of pages.
    let items = repeat * pages.len();
    let cpu_before = own_cpu_seconds();
    let started = Instant::now();
    let totals: Vec<Result<(u64, u64, u64)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let pages = &pages;
                scope.spawn(move || -> Result<(u64, u64, u64)> {
                    let (mut bytes, mut rows, mut claims) = (0u64, 0u64, 0u64);
                    for item in (t..items).step_by(threads) {
                        let (source, path, page) = &pages[item % pages.len()];
                        let run = extract(source, page).with_context(|| {
                            format!("{} cannot read {}", source.id, path.display())
                        })?;
                        bytes += page.len() as u64;
                        rows += run.rows.len() as u64;
                        claims += run.claims.len() as u64;
                    }
                    Ok((bytes, rows, claims))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("an extraction thread panicked")))
            })
            .collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = own_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let (mut bytes, mut rows, mut claims) = (0, 0, 0);
    for t in totals {
        let (b, r, c) = t?;
        bytes += b;
        rows += r;
        claims += c;
    }
    Ok(ExtractFigures {
        bytes,
        repeat,
        threads,
        rows,
        claims,
        seconds,
        cpu_seconds,
        peak_kib: own_peak_kib(),
        per_page,
    })
}
