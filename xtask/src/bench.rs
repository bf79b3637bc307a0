//! `cargo xtask bench [--check] [--quick] [--write] [--only LIST]`: gapwatch's workloads
//! measured against the scripts a user would write instead, doing the same work, in one run;
//! recorded in `docs/performance.md` when asked (`--write`).
//!
//! Each gapwatch workload runs in a child process of its own (`xtask bench-worker …`), so
//! that its peak memory and CPU time are its own; the peers are measured by the same command,
//! one after the other, never at the same time as a gapwatch workload.

mod claims;
mod extraction;
mod growth;
mod ingest;
mod insert;
mod peer_rows;
mod realdata;
mod record;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::de::DeserializeOwned;

/// Where the peers live, from the workspace root.
const PEERS_DIR: &str = "../shared/peers";
/// Where the real leaderboard files live, from the workspace root.
const REAL_SOURCES_DIR: &str = "../shared/real-sources";
/// The record the benchmarks write and `--check` reads.
const RECORD: &str = "docs/performance.md";

/// How big each workload is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    /// W1: the HTML pages are repeated until they add up to at least this many bytes.
    pub(crate) html_bytes: u64,
    /// W2 and W3: claims.
    pub(crate) claims: usize,
    /// W4: sources served, and how many of them change before each incremental run.
    pub(crate) sources: usize,
    pub(crate) changed: usize,
    /// Growth: the sizes of store `gapwatch gap` runs over.
    pub(crate) growth: &'static [usize],
}

impl Scale {
    const FULL: Scale = Scale {
        html_bytes: 100_000_000,
        claims: 1_000_000,
        sources: 1_000,
        changed: 10,
        growth: &[10_000, 100_000, 1_000_000, 10_000_000],
    };
    /// A tenth of everything, to try the machinery out; nothing is recorded.
    const QUICK: Scale = Scale {
        html_bytes: 10_000_000,
        claims: 100_000,
        sources: 100,
        changed: 1,
        growth: &[10_000, 100_000],
    };
}

/// What every workload needs to know.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// Scratch space: `<target>/bench`.
    pub(crate) work: PathBuf,
    pub(crate) python: PathBuf,
    pub(crate) peers: PathBuf,
    pub(crate) real_sources: PathBuf,
    pub(crate) gapwatch: PathBuf,
    pub(crate) scale: Scale,
}

const BENCH_USAGE: &str =
    "usage: cargo xtask bench [--check] [--quick] [--write] [--only w1,w2,w3,real,growth,w4]";

/// The workloads `--only` may name.
const WORKLOADS: [&str; 6] = ["w1", "w2", "w3", "real", "growth", "w4"];

/// The cargo target folder: `CARGO_TARGET_DIR` (relative to the workspace root when
/// relative), or `target`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        }
        _ => root.join("target"),
    }
}

/// `cargo xtask bench [--check] [--quick] [--write] [--only LIST]`.
pub(crate) fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    let (mut check, mut quick, mut write) = (false, false, false);
    let mut only: Option<Vec<String>> = None;
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "--check" => check = true,
            "--quick" => quick = true,
            "--write" => write = true,
            "--only" => {
                let list = rest
                    .next()
                    .with_context(|| format!("--only needs a list\n{BENCH_USAGE}"))?;
                let names: Vec<String> = list.split(',').map(|w| w.trim().to_lowercase()).collect();
                if let Some(bad) = names.iter().find(|n| !WORKLOADS.contains(&n.as_str())) {
                    bail!("unknown workload {bad:?}\n{BENCH_USAGE}");
                }
                only = Some(names);
            }
            other => bail!("unknown option {other:?}\n{BENCH_USAGE}"),
        }
    }
    if check && only.is_some() {
        bail!("--check compares every workload; it cannot be combined with --only");
    }
    if write && (quick || only.is_some()) {
        bail!("--write records a full run of every workload; drop --quick and --only");
    }
    let wanted = |w: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == w));
    if cfg!(debug_assertions) {
        // Figures from a debug build would say nothing about gapwatch.
        eprintln!("bench: rebuilding xtask in release and running it from there");
        let status = Command::new(cargo())
            .args([
                "run",
                "--release",
                "--quiet",
                "--package",
                "xtask",
                "--",
                "bench",
            ])
            .args(args)
            .current_dir(root)
            .status()
            .context("cannot run cargo run --release --package xtask")?;
        return Ok(if status.success() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let peers = root.join(PEERS_DIR);
    let real_sources = root.join(REAL_SOURCES_DIR);
    for (dir, what) in [
        (&peers, "the peer scripts"),
        (&real_sources, "the real leaderboard files"),
    ] {
        if !dir.is_dir() {
            bail!("{} does not exist; it should hold {what}", dir.display());
        }
    }
    let target = target_dir(root);
    let work = target.join("bench");
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let machine = record::Machine::detect();

    eprintln!("bench: building gapwatch in release (cargo build --release -p gapwatch)");
    let status = Command::new(cargo())
        .args(["build", "--release", "--quiet", "--package", "gapwatch"])
        .current_dir(root)
        .status()
        .context("cannot run cargo build --release --package gapwatch")?;
    if !status.success() {
        bail!("cargo build --release --package gapwatch failed");
    }
    let ctx = Ctx {
        python: python_with_pandas(&target)?,
        gapwatch: target.join("release/gapwatch"),
        work,
        peers,
        real_sources,
        scale: if quick { Scale::QUICK } else { Scale::FULL },
    };

    let started = Instant::now();
    let w1 = wanted("w1").then(|| extraction::run(&ctx)).transpose()?;
    let w2 = wanted("w2").then(|| insert::run(&ctx)).transpose()?;
    let w3 = wanted("w3").then(|| claims::run(&ctx)).transpose()?;
    let real = wanted("real").then(|| realdata::run(&ctx)).transpose()?;
    let growth = wanted("growth").then(|| growth::run(&ctx)).transpose()?;
    let w4 = wanted("w4").then(|| ingest::run(&ctx)).transpose()?;
    let report = record::Report {
        machine,
        quick,
        minutes: started.elapsed().as_secs_f64() / 60.0,
        w1,
        w2,
        w3,
        real,
        growth,
        w4,
    };
    let rows = report.rows();
    eprintln!("\n{}", record::table(&rows));
    let doc = root.join(RECORD);
    if check {
        return record::check(&doc, &rows);
    }
    if write {
        record::write(&doc, &report)?;
        eprintln!("bench: wrote {}", doc.display());
    } else {
        eprintln!(
            "bench: {} left as it is (pass --write to record a full run)",
            doc.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `xtask bench-worker WORKLOAD ARGS…`: one gapwatch workload in a process of its own; prints
/// its figures as one line of JSON.
pub(crate) fn worker(root: &Path, args: &[String]) -> Result<ExitCode> {
    let Some((workload, rest)) = args.split_first() else {
        bail!("usage: xtask bench-worker extract|insert|build|query ARGS…");
    };
    let json = match workload.as_str() {
        "extract" => serde_json::to_string(&extraction::worker(root, rest)?)?,
        "insert" => serde_json::to_string(&insert::worker(rest)?)?,
        "build" => serde_json::to_string(&claims::build_worker(root, rest)?)?,
        "query" => serde_json::to_string(&claims::query_worker(root, rest)?)?,
        other => bail!("unknown workload {other:?}"),
    };
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// The venv `<target>/bench-venv` with pandas and lxml, made when missing.
fn python_with_pandas(target: &Path) -> Result<PathBuf> {
    let venv = target.join("bench-venv");
    let python = venv.join("bin/python");
    let has_pandas = || {
        Command::new(&python)
            .args(["-c", "import pandas, lxml"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if has_pandas() {
        return Ok(python);
    }
    if !python.exists() {
        eprintln!("bench: creating {}", venv.display());
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .context("cannot run python3 -m venv")?;
        if !status.success() {
            bail!("python3 -m venv {} failed", venv.display());
        }
    }
    eprintln!("bench: installing pandas and lxml into {}", venv.display());
    let status = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "pandas", "lxml"])
        .status()
        .context("cannot run pip")?;
    if !status.success() || !has_pandas() {
        bail!("pip install pandas lxml into {} failed", venv.display());
    }
    Ok(python)
}

/// A child process's figures: wall time, CPU time, peak resident memory and what it printed.
#[derive(Debug)]
pub(crate) struct Measured {
    pub(crate) seconds: f64,
    /// User and system CPU seconds, from `/usr/bin/time` when it is installed.
    pub(crate) cpu_seconds: Option<f64>,
    /// Peak resident set in KiB, from `/usr/bin/time` when it is installed.
    pub(crate) peak_kib: Option<u64>,
    pub(crate) stdout: String,
    pub(crate) success: bool,
    pub(crate) code: Option<i32>,
}

/// Runs a command to its end, measuring wall time and (with `/usr/bin/time`) peak memory.
/// Its standard error goes to ours.
pub(crate) fn measure(program: &Path, args: &[&std::ffi::OsStr], work: &Path) -> Result<Measured> {
    let gnu_time = Path::new("/usr/bin/time");
    let peak_file = work.join("peak-rss.txt");
    let mut cmd = if gnu_time.exists() {
        let _ = std::fs::remove_file(&peak_file);
        let mut c = Command::new(gnu_time);
        c.args(["-f", "%U %S %M", "-o"])
            .arg(&peak_file)
            .arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot run {}", program.display()))?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout)
            .with_context(|| format!("cannot read the output of {}", program.display()))?;
    }
    let status = child.wait()?;
    let seconds = started.elapsed().as_secs_f64();
    let figures: Vec<f64> = std::fs::read_to_string(&peak_file)
        .ok()
        .and_then(|t| t.lines().last().map(str::to_owned))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let (cpu_seconds, peak_kib) = match figures[..] {
        [user, system, peak] => (Some(user + system), Some(peak as u64)),
        _ => (None, None),
    };
    Ok(Measured {
        seconds,
        cpu_seconds,
        peak_kib,
        stdout,
        success: status.success(),
        code: status.code(),
    })
}

/// Runs `xtask bench-worker ARGS…` and reads its figures.
pub(crate) fn run_worker<T: DeserializeOwned>(ctx: &Ctx, args: &[&std::ffi::OsStr]) -> Result<T> {
    let exe = std::env::current_exe().context("cannot find the running xtask")?;
    let mut all: Vec<&std::ffi::OsStr> = vec!["bench-worker".as_ref()];
    all.extend_from_slice(args);
    let m = measure(&exe, &all, &ctx.work)?;
    if !m.success {
        bail!("bench-worker {:?} failed", args);
    }
    let line = m.stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("bench-worker printed {line:?}"))
}

/// Parses `key=value key=value` as the peers print it.
pub(crate) fn key_values(line: &str) -> std::collections::BTreeMap<&str, &str> {
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .collect()
}

/// A named number from a peer's `key=value` line.
pub(crate) fn peer_number(out: &str, key: &str, peer: &str) -> Result<f64> {
    let line = out.lines().last().unwrap_or_default();
    key_values(line)
        .get(key)
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("{peer} printed no {key}= in {line:?}"))
}

/// This process's peak resident set in KiB (`VmHWM`).
pub(crate) fn own_peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds (user and system, all threads) this process has used so far.
pub(crate) fn own_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line; 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux architecture gapwatch builds for.
    Some(ticks as f64 / 100.0)
}

/// A small deterministic generator (SplitMix64): the same workloads on every run.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must not be 0.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A number in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The middle value (the upper one of an even count); 0 for none.
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}
