//! The record of a benchmark run: the machine, the table of figures against the peers, and
//! the details behind them, written into `docs/performance.md` between two markers (the
//! explanations around them are kept); and `--check`, which reads the table back.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use gapwatch_model::Date;

use super::claims::W3;
use super::extraction::W1;
use super::growth::Step;
use super::ingest::W4;
use super::insert::W2;
use super::realdata::RealData;

const BEGIN: &str =
    "<!-- bench:begin (written by `cargo xtask bench`; edit outside the markers) -->";
const END: &str = "<!-- bench:end -->";
/// How far a ratio may fall below the recorded one before `--check` fails.
const TOLERANCE: f64 = 0.25;

/// The machine the figures were measured on.
#[derive(Debug)]
pub(crate) struct Machine {
    cpu: String,
    cores: usize,
    memory_gib: f64,
    kernel: String,
    rustc: String,
    python: String,
    date: String,
    /// `/proc/loadavg` when the run started: other work on the machine skews the figures.
    load_before: String,
}

impl Machine {
    pub(crate) fn detect() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown".to_owned(), |(_, v)| v.trim().to_owned());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kib: f64 = meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        let version = |program: &str, arg: &str| {
            Command::new(program)
                .arg(arg)
                .output()
                .ok()
                .map(|o| {
                    let text = if o.stdout.is_empty() {
                        o.stderr
                    } else {
                        o.stdout
                    };
                    String::from_utf8_lossy(&text).trim().to_owned()
                })
                .unwrap_or_else(|| "unknown".to_owned())
        };
        let days = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() / 86_400);
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory_gib: memory_kib / 1024.0 / 1024.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".to_owned(), |k| k.trim().to_owned()),
            rustc: version("rustc", "-V"),
            python: version("python3", "--version"),
            date: Date::from_days_since_epoch(days as i64).to_string(),
            load_before: load_average(),
        }
    }
}

/// The 1-, 5- and 15-minute load averages.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Everything one run measured.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) machine: Machine,
    pub(crate) quick: bool,
    pub(crate) minutes: f64,
    pub(crate) w1: Option<W1>,
    pub(crate) w2: Option<W2>,
    pub(crate) w3: Option<W3>,
    pub(crate) real: Option<RealData>,
    pub(crate) growth: Option<Vec<Step>>,
    pub(crate) w4: Option<W4>,
}

/// One line of the table.
#[derive(Debug)]
pub(crate) struct Row {
    /// `W1 extraction`: the key `--check` matches rows by.
    pub(crate) workload: String,
    pub(crate) gapwatch: String,
    pub(crate) peer: String,
    /// How many times better than the reference (the peer, or the goal where there is no
    /// peer); higher is better.
    pub(crate) ratio: f64,
    pub(crate) ratio_note: &'static str,
    pub(crate) goal: String,
    /// `None` for a figure reported without a goal.
    pub(crate) met: Option<bool>,
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "peak n/a".to_owned(),
        |k| format!("peak {:.0} MiB", k as f64 / 1024.0),
    )
}

fn ms(seconds: f64) -> String {
    format!("{:.1} ms", seconds * 1000.0)
}

/// 1234567 → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Report {
    pub(crate) fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if let Some(w1) = &self.w1 {
            rows.extend(w1_rows(w1));
        }
        if let Some(w2) = &self.w2 {
            rows.push(w2_row(w2));
        }
        let peer_query = self.w2.as_ref().map(|w2| w2.peer_query_seconds);
        if let Some(w3) = &self.w3 {
            rows.extend(w3_rows(w3, peer_query));
        }
        if let Some(real) = &self.real {
            rows.push(real_row(real, peer_query));
        }
        if let Some(row) = self.growth.as_deref().and_then(growth_row) {
            rows.push(row);
        }
        if let Some(row) = self.w4.as_ref().and_then(w4_row) {
            rows.push(row);
        }
        rows
    }
}

fn cpu(seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "CPU n/a".to_owned(), |s| format!("{s:.2} CPU-s"))
}

fn w1_rows(w1: &W1) -> [Row; 2] {
    let (one, all) = (&w1.one_core, &w1.gapwatch);
    let peer = format!(
        "{:.2} MB/s · {:.1} s · 1 thread · {} rows · {}",
        w1.peer_mbps,
        w1.peer_seconds,
        thousands(w1.peer_rows),
        mib(w1.peer_peak_kib)
    );
    let per_core = w1.one_core_mbps() / w1.peer_mbps;
    [
        Row {
            workload: "W1 extraction, one core".to_owned(),
            gapwatch: format!(
                "{:.1} MB/s · {:.2} s for {:.0} MB · 1 thread, {} · {} rows · {}",
                w1.one_core_mbps(),
                one.seconds,
                one.bytes as f64 / 1e6,
                cpu(one.cpu_seconds),
                thousands(one.rows),
                mib(one.peak_kib)
            ),
            peer: peer.clone(),
            ratio: per_core,
            ratio_note: "",
            goal: "≥ 4× the peer's MB/s on one core".to_owned(),
            met: Some(per_core >= 4.0),
        },
        Row {
            workload: "W1 extraction, all cores".to_owned(),
            gapwatch: format!(
                "{:.1} MB/s · {:.2} s · {} threads, {} · {} rows · {}",
                w1.mbps(),
                all.seconds,
                all.threads,
                cpu(all.cpu_seconds),
                thousands(all.rows),
                mib(all.peak_kib)
            ),
            peer,
            ratio: w1.mbps() / w1.peer_mbps,
            ratio_note: "",
            goal: "— (the peer has one core)".to_owned(),
            met: None,
        },
    ]
}

fn w2_row(w2: &W2) -> Row {
    let g2 = &w2.gapwatch;
    let ratio = w2
        .rows_per_cpu_s()
        .map_or(f64::NAN, |r| r / w2.peer_rows_per_cpu_s());
    Row {
        workload: "W2 claims insert".to_owned(),
        gapwatch: format!(
            "{} rows/s · {:.2} s, {} ({} rows per CPU-s) · {} of {} stored · {}",
            thousands(w2.rows_per_s() as u64),
            g2.seconds,
            cpu(g2.cpu_seconds),
            thousands(w2.rows_per_cpu_s().unwrap_or(0.0) as u64),
            thousands(g2.stored),
            thousands(g2.offered),
            mib(g2.peak_kib)
        ),
        peer: format!(
            "{} rows/s · {:.2} s, {:.2} CPU-s ({} rows per CPU-s) · {} stored · {}",
            thousands(w2.peer_rows_per_s as u64),
            w2.peer_seconds,
            w2.peer_cpu_seconds,
            thousands(w2.peer_rows_per_cpu_s() as u64),
            thousands(w2.peer_stored),
            mib(w2.peer_peak_kib)
        ),
        ratio,
        ratio_note: " per CPU-s",
        goal: "≥ 4× the peer's rows per CPU-second".to_owned(),
        met: Some(ratio >= 4.0),
    }
}

fn w3_rows(w3: &W3, peer_query: Option<f64>) -> [Row; 3] {
    let q = &w3.query;
    let end_to_end = q.end_to_end();
    let digest = q.digest();
    let peer = peer_query.map_or_else(
        || "— (W2 not run)".to_owned(),
        |p| {
            format!(
                "{} for its GROUP BY query (best score per benchmark and cohort)",
                ms(p)
            )
        },
    );
    [
        Row {
            workload: "W3 open, load, analyse".to_owned(),
            gapwatch: format!(
                "{} (median of {}) for {} claims: loading {}, analysing {} · {}",
                ms(end_to_end),
                q.end_to_end_seconds.len(),
                thousands(q.claims),
                ms(q.load_seconds),
                ms(q.analysis()),
                mib(q.peak_kib)
            ),
            peer: peer.clone(),
            ratio: peer_query.map_or(f64::NAN, |p| p / end_to_end),
            ratio_note: "",
            goal: "≤ 300 ms".to_owned(),
            met: Some(end_to_end <= 0.300),
        },
        Row {
            workload: "W3 gap command".to_owned(),
            gapwatch: format!(
                "{} (median of {}), {} · `gapwatch gap` over the same {} claims · {}",
                ms(w3.gap.median()),
                w3.gap.seconds.len(),
                cpu(w3.gap.median_cpu()),
                thousands(q.claims),
                mib(w3.gap.peak_kib)
            ),
            peer,
            ratio: peer_query.map_or(f64::NAN, |p| p / w3.gap.median()),
            ratio_note: "",
            goal: "— (what a user waits for)".to_owned(),
            met: None,
        },
        Row {
            workload: "W3 digest".to_owned(),
            gapwatch: format!(
                "{} (median of {}): build + Markdown + HTML + JSON",
                ms(digest),
                q.build_seconds.len()
            ),
            peer: "— (no peer)".to_owned(),
            ratio: 0.250 / digest,
            ratio_note: " under budget",
            goal: "≤ 250 ms".to_owned(),
            met: Some(digest <= 0.250),
        },
    ]
}

fn real_row(real: &RealData, peer_query: Option<f64>) -> Row {
    let t = real.gap.median();
    Row {
        workload: "W3 gap over the real data".to_owned(),
        gapwatch: format!(
            "{} (median of {}), {} · {} claims of {} snapshots, {} unresolved model names · {}",
            ms(t),
            real.gap.seconds.len(),
            cpu(real.gap.median_cpu()),
            thousands(real.claims),
            real.snapshots,
            real.unresolved_names,
            mib(real.gap.peak_kib)
        ),
        peer: peer_query.map_or_else(
            || "— (W2 not run)".to_owned(),
            |p| format!("{} for its GROUP BY over 1,000,000 rows", ms(p)),
        ),
        ratio: 0.100 / t,
        ratio_note: " under budget",
        goal: "≤ 100 ms".to_owned(),
        met: Some(t <= 0.100),
    }
}

fn growth_row(steps: &[Step]) -> Option<Row> {
    let largest = steps.last()?;
    let per_claim = largest.bytes_per_claim()?;
    Some(Row {
        workload: "Growth, peak memory".to_owned(),
        gapwatch: format!(
            "{:.0} bytes per claim: `gapwatch gap` over {} claims peaks at {} in {}",
            per_claim,
            thousands(largest.build.stored),
            mib(largest.gap.peak_kib),
            ms(largest.gap.median())
        ),
        peer: "— (no peer)".to_owned(),
        ratio: 100.0 / per_claim,
        ratio_note: " under budget",
        goal: "≤ 100 bytes per claim".to_owned(),
        met: Some(per_claim <= 100.0),
    })
}

fn w4_row(w4: &W4) -> Option<Row> {
    let inc = w4.incremental()?;
    let share = inc.seconds / w4.full.seconds;
    let only_changed =
        w4.rounds.iter().all(|r| r.writes_only_changed()) && w4.full.writes_only_changed();
    Some(Row {
        workload: "W4 incremental ingest".to_owned(),
        gapwatch: format!(
            "{:.2} s (median of {}) = {:.1}% of the full run · {} changed sources: {} snapshots, {} claims · {}",
            inc.seconds,
            w4.rounds.len(),
            share * 100.0,
            inc.changed_sources.len(),
            inc.new_snapshots,
            thousands(inc.new_claims),
            mib(inc.peak_kib)
        ),
        peer: format!(
            "full run of {} sources: {:.2} s · {} snapshots, {} claims · {}",
            w4.sources,
            w4.full.seconds,
            w4.full.new_snapshots,
            thousands(w4.full.new_claims),
            mib(w4.full.peak_kib)
        ),
        ratio: 1.0 / share,
        ratio_note: " faster than full",
        goal: "≤ 5% of a full run (≥ 20×); writes only for changed sources".to_owned(),
        met: Some(share <= 0.05 && only_changed),
    })
}

/// The table, as Markdown.
pub(crate) fn table(rows: &[Row]) -> String {
    let mut t = String::from(
        "| workload | gapwatch | peer or reference | ratio | goal | met? |\n\
         |---|---|---|---|---|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {:.2}×{} | {} | {} |",
            r.workload,
            r.gapwatch,
            r.peer,
            r.ratio,
            r.ratio_note,
            r.goal,
            match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            }
        );
    }
    t
}

/// The generated part of `docs/performance.md`.
fn section(report: &Report) -> Result<String> {
    let m = &report.machine;
    let (Some(w1), Some(w2), Some(w3), Some(real), Some(growth), Some(w4)) = (
        &report.w1,
        &report.w2,
        &report.w3,
        &report.real,
        &report.growth,
        &report.w4,
    ) else {
        bail!("only a run of every workload is recorded");
    };
    let mut s = String::new();
    let _ = writeln!(s, "{BEGIN}\n");
    let _ = writeln!(
        s,
        "Measured on {} in one run of {:.0} seconds (after the builds){}.\n",
        m.date,
        report.minutes * 60.0,
        if report.quick {
            " (--quick: smaller workloads)"
        } else {
            ""
        }
    );
    let _ = writeln!(s, "- CPU: {} · {} cores", m.cpu, m.cores);
    let _ = writeln!(s, "- Memory: {:.1} GiB", m.memory_gib);
    let _ = writeln!(
        s,
        "- Load average (1, 5, 15 min): {} at the start, {} at the end",
        m.load_before,
        load_average()
    );
    let _ = writeln!(
        s,
        "- Linux {} · {} · {} (peers: pandas and lxml in a venv)",
        m.kernel, m.rustc, m.python
    );
    let _ = writeln!(
        s,
        "- Command: `cargo xtask bench --write` (gapwatch built with `--release`)\n"
    );
    let _ = writeln!(s, "{}", table(&report.rows()));

    let g1 = &w1.gapwatch;
    let _ = writeln!(s, "### W1 details\n");
    let _ = writeln!(
        s,
        "{} pages repeated {} times: {} bytes. gapwatch ran the default sources `mmmu-html` and \
         `swebench-html` over each page, once on one thread and once on {} threads; the peer \
         read every `<table>` of each page with `pandas.read_html`. Rows per page, one \
         repetition:\n",
        g1.per_page.len(),
        g1.repeat,
        thousands(g1.bytes),
        g1.threads
    );
    let _ = writeln!(
        s,
        "| page | gapwatch rows | peer tables | peer rows |\n|---|---|---|---|"
    );
    for ((file, rows), (_, tables, peer_rows)) in g1.per_page.iter().zip(&w1.peer_per_page) {
        let _ = writeln!(s, "| {file} | {rows} | {tables} | {peer_rows} |");
    }
    let _ = writeln!(
        s,
        "\nIn all, gapwatch found {} rows and {} claims; the peer {} rows in {} tables.\n",
        thousands(g1.rows),
        thousands(g1.claims),
        thousands(w1.peer_rows),
        thousands(w1.peer_tables)
    );

    let g2 = &w2.gapwatch;
    let _ = writeln!(s, "### W2 details\n");
    let _ = writeln!(
        s,
        "The peer's {} rows, drawn here as the peer draws them (its {} distinct (snapshot, \
         model, benchmark) keys are the {} rows it stored), as {} snapshots of 200 claims in {} \
         transactions. gapwatch stored {}: within a snapshot it drops a claim only when subject, \
         benchmark, value and locator all repeat, while the peer's key drops a second value for \
         the same model and benchmark. Time inside `Store::record_snapshots`: {:.2} s of {:.2} s \
         (the rest generates the claims, on the other thread). The peer's CPU time is its insert \
         time scaled by its process's CPU share. Database and WAL: {:.0} MB for gapwatch, {:.0} \
         MB for the peer.\n",
        thousands(g2.offered),
        thousands(g2.peer_keys),
        thousands(w2.peer_stored),
        thousands(g2.snapshots),
        thousands(g2.transactions),
        thousands(g2.stored),
        g2.store_seconds,
        g2.seconds,
        g2.db_bytes as f64 / 1e6,
        w2.peer_db_bytes as f64 / 1e6
    );

    let q = &w3.query;
    let _ = writeln!(s, "### W3 details\n");
    let runs = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{:.1}", x * 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        s,
        "- The store: {} realistic claims in {} snapshots of 100 sources, built in {:.1} s; {:.0} MB.",
        thousands(w3.build.stored),
        thousands(w3.build.snapshots),
        w3.build.seconds,
        w3.build.db_bytes as f64 / 1e6
    );
    let _ = writeln!(
        s,
        "- Open, load and analyse, each run from opening the file (ms): {}; of which analysing: \
         {}; {} parity rows; {} claims counted for a cohort.",
        runs(&q.end_to_end_seconds),
        runs(&q.analysis_seconds),
        q.parity_rows,
        thousands(q.counted_claims)
    );
    let _ = writeln!(
        s,
        "- `gapwatch gap --json` over the same store (ms): {}; CPU seconds: {}.",
        runs(&w3.gap.seconds),
        w3.gap
            .cpu_seconds
            .iter()
            .map(|c| format!("{c:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "- Digest runs (ms): build {}; Markdown {}; HTML {}; JSON {}. Sizes: Markdown {} bytes, \
         HTML {} bytes, JSON {} bytes. Gathering its other inputs: {}.\n",
        runs(&q.build_seconds),
        runs(&q.markdown_seconds),
        runs(&q.html_seconds),
        runs(&q.json_seconds),
        thousands(q.markdown_bytes as u64),
        thousands(q.html_bytes as u64),
        thousands(q.json_bytes as u64),
        ms(q.inputs_seconds)
    );

    let _ = writeln!(s, "### The real data\n");
    let _ = writeln!(
        s,
        "Every file of the real-sources folder imported as `cargo xtask conformance --db` does: \
         {} snapshots, {} claims. `gapwatch gap --json --as-of {}` (ms): {}; {} parity rows.\n",
        real.snapshots,
        thousands(real.claims),
        real.as_of,
        runs(&real.gap.seconds),
        real.gap.parity_rows
    );

    let _ = writeln!(s, "### Growth\n");
    let _ = writeln!(
        s,
        "| claims | store built in | `gap` (median) | CPU | peak memory | per claim |\n|---|---|---|---|---|---|"
    );
    for step in growth {
        let _ = writeln!(
            s,
            "| {} | {:.1} s | {} | {} | {} | {} |",
            thousands(step.build.stored),
            step.build.seconds,
            ms(step.gap.median()),
            cpu(step.gap.median_cpu()),
            mib(step.gap.peak_kib),
            step.bytes_per_claim()
                .map_or("n/a".to_owned(), |b| format!("{b:.0} bytes"))
        );
    }
    let _ = writeln!(s);

    let _ = writeln!(s, "### W4 details\n");
    let _ = writeln!(
        s,
        "{} CSV leaderboards of 100 rows ({} bytes in all) served with ETags from 127.0.0.1; \
         `gapwatch ingest --per-host 8 --concurrency 8 --host-interval 0 --attempts 1`. Before \
         each incremental run {} of them changed one score.\n",
        w4.sources,
        thousands(w4.board_bytes),
        w4.changed
    );
    let _ = writeln!(
        s,
        "| run | wall | requests | 200 | 304 | outcomes | new snapshots | new claims | fetch-log rows | writes only for changed sources |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    let all = std::iter::once(("full", &w4.full))
        .chain(w4.rounds.iter().map(|r| ("incremental", r)))
        .chain(std::iter::once(("nothing changed", &w4.unchanged)));
    for (name, r) in all {
        let outcomes = r
            .outcomes
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            s,
            "| {name} | {:.2} s | {} | {} | {} | {outcomes} | {} | {} | {} | {} |",
            r.seconds,
            r.requests,
            r.ok,
            r.not_modified,
            r.new_snapshots,
            thousands(r.new_claims),
            r.new_fetch_log_rows,
            if r.writes_only_changed() {
                "yes"
            } else {
                "**no**"
            }
        );
    }
    let _ = writeln!(
        s,
        "\nStarting up and loading this workspace (`gapwatch sources list`): {}.",
        ms(w4.startup_seconds)
    );
    let _ = writeln!(s, "\n{END}");
    Ok(s)
}

const SKELETON: &str = "# Performance\n\nHow fast gapwatch is, against what a user would \
    otherwise write. The figures below are written by `cargo xtask bench`; \
    `cargo xtask bench --check` fails when a ratio falls more than 25% below the one recorded \
    here.\n\n";

/// Writes the run into the record, keeping everything outside the markers.
pub(crate) fn write(doc: &Path, report: &Report) -> Result<()> {
    let old = std::fs::read_to_string(doc).unwrap_or_default();
    let generated = section(report)?;
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if b < e => {
            format!(
                "{}{}{}",
                &old[..b],
                generated.trim_end(),
                &old[e + END.len()..]
            )
        }
        _ if old.is_empty() => format!("{SKELETON}{generated}"),
        _ => format!("{}\n{generated}", old.trim_end()),
    };
    if let Some(dir) = doc.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(doc, new).with_context(|| format!("cannot write {}", doc.display()))
}

/// The recorded ratios: workload → ratio, from the table between the markers.
pub(crate) fn recorded(text: &str) -> Vec<(String, f64)> {
    let body = match (text.find(BEGIN), text.find(END)) {
        (Some(b), Some(e)) if b < e => &text[b..e],
        _ => return Vec::new(),
    };
    body.lines()
        .filter(|l| l.starts_with("| W"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            // ["", workload, gapwatch, peer, ratio, goal, met, ""]
            let ratio = cells.get(4)?;
            let number: String = ratio
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            Some((cells.get(1)?.to_string(), number.parse().ok()?))
        })
        .collect()
}

/// Compares this run's ratios with the recorded ones.
pub(crate) fn check(doc: &Path, rows: &[Row]) -> Result<ExitCode> {
    let text = std::fs::read_to_string(doc).with_context(|| {
        format!(
            "cannot read {}; run cargo xtask bench to record figures first",
            doc.display()
        )
    })?;
    let recorded = recorded(&text);
    if recorded.is_empty() {
        bail!(
            "{} holds no recorded table; run cargo xtask bench first",
            doc.display()
        );
    }
    let mut failed = 0;
    for row in rows {
        let Some((_, then)) = recorded.iter().find(|(w, _)| *w == row.workload) else {
            eprintln!("check: {}: no recorded ratio", row.workload);
            failed += 1;
            continue;
        };
        let floor = then * (1.0 - TOLERANCE);
        let verdict = if row.ratio < floor {
            failed += 1;
            "FELL"
        } else {
            "ok"
        };
        eprintln!(
            "check: {:<24} recorded {then:>8.2}×  now {:>8.2}×  floor {floor:>8.2}×  {verdict}",
            row.workload, row.ratio
        );
    }
    if failed > 0 {
        eprintln!("check: {failed} workload(s) fell more than 25% below the recorded ratio");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_ratios_are_read_back_from_the_table() {
        let rows = vec![
            Row {
                workload: "W1 extraction".into(),
                gapwatch: "50 MB/s".into(),
                peer: "2 MB/s".into(),
                ratio: 25.0,
                ratio_note: "",
                goal: "≥ 5×".into(),
                met: Some(true),
            },
            Row {
                workload: "W3 digest".into(),
                gapwatch: "10 ms".into(),
                peer: "—".into(),
                ratio: 25.123,
                ratio_note: " under budget",
                goal: "≤ 250 ms".into(),
                met: None,
            },
        ];
        let doc = format!("# Performance\n\n{BEGIN}\n\n{}\n{END}\n", table(&rows));
        assert_eq!(
            recorded(&doc),
            vec![
                ("W1 extraction".to_owned(), 25.0),
                ("W3 digest".to_owned(), 25.12)
            ]
        );
        assert!(recorded("| W1 extraction | a | b | 3.0× | c | yes |").is_empty());
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
