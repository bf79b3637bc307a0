//! Automation for the gapwatch workspace, in Rust: `cargo xtask ci`,
//! `cargo xtask conformance [DIR] [--json]`, `cargo xtask backfill-check [DIR]` and more.

mod backfill_check;
mod bench;
mod browser;
mod conformance;
mod story;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ci                        cargo fmt --all --check, cargo clippy --workspace --all-targets
                            -- -D warnings, cargo test --workspace (stops at the first failure)
  conformance [DIR] [--json] [--db FILE]
                            run every default source over every matching real leaderboard
                            file in DIR (default ../shared/real-sources, from the workspace
                            root) and compare rows found with xtask/conformance.toml;
                            --db also imports every file into a gapwatch database, observed
                            on the date its publisher last changed it
  story [DIR] --db FILE --out DIR
                            build the real-data story: import every file of DIR (default
                            ../shared/real-sources) into a new database as conformance --db
                            does, publish the default story after each snapshot date in
                            order, and write every version's digests and the site into --out
  backfill-check [DIR]      commit the real SWE-bench leaderboards.json versions of DIR
                            (default ../shared/real-sources) into a fresh git repository on
                            their dates, backfill it, and check that `gap --as-of` answers
                            as importing the same files with --observed-at does
  extract SOURCE FILE       print what a default source extracts from a file, as JSON
  bench [--check] [--quick] [--write] [--only w1,w2,w3,real,growth,w4]
                            run the benchmarks (in release) against the peers in
                            ../shared/peers, each peer doing the same work; --write records
                            a full run in docs/performance.md; --check instead fails when a
                            ratio falls more than 25% below the recorded one; --quick (a
                            tenth of the sizes) and --only cannot be recorded; scratch files
                            go to $CARGO_TARGET_DIR/bench (default target/bench)
  browser                   render the demo site in headless Chromium (installed with apt-get
                            when missing) to PNG screenshots, and check that model names
                            carrying <script> or onerror= payloads show as text and run nothing";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    match command.as_str() {
        "ci" => ci(),
        "browser" => browser::run(&workspace_root()),
        "bench" => bench::run(&workspace_root(), &args[1..]),
        "bench-worker" => bench::worker(&workspace_root(), &args[1..]),
        "conformance" => {
            let mut json = false;
            let mut dir = None;
            let mut db: Option<PathBuf> = None;
            let mut rest = args[1..].iter();
            while let Some(a) = rest.next() {
                match a.as_str() {
                    "--json" => json = true,
                    "--db" => {
                        db = Some(PathBuf::from(
                            rest.next().context("--db needs a file path")?,
                        ))
                    }
                    flag if flag.starts_with('-') => bail!("unknown option {flag:?}\n{USAGE}"),
                    path if dir.is_none() => dir = Some(PathBuf::from(path)),
                    extra => bail!("unexpected argument {extra:?}\n{USAGE}"),
                }
            }
            let root = workspace_root();
            let dir = match dir {
                Some(d) => d,
                None => {
                    let d = root.join("../shared/real-sources");
                    if !d.is_dir() {
                        bail!(
                            "no DIR given and {} does not exist; pass the folder of real leaderboard files",
                            d.display()
                        );
                    }
                    d
                }
            };
            let mut importer = match &db {
                Some(path) => Some(conformance::Importer::open(path, &dir)?),
                None => None,
            };
            let code = conformance::run(&root, &dir, json, importer.as_mut())?;
            if let (Some(importer), Some(path)) = (&importer, &db) {
                eprintln!(
                    "imported {} files into {}{}",
                    importer.imported,
                    path.display(),
                    if importer.undated.is_empty() {
                        String::new()
                    } else {
                        format!("; {} without a date were left out", importer.undated.len())
                    }
                );
            }
            Ok(code)
        }
        "story" => {
            let mut dir = None;
            let mut db = None;
            let mut out = None;
            let mut rest = args[1..].iter();
            while let Some(a) = rest.next() {
                match a.as_str() {
                    "--db" => db = Some(PathBuf::from(rest.next().context("--db needs a file")?)),
                    "--out" => {
                        out = Some(PathBuf::from(rest.next().context("--out needs a folder")?))
                    }
                    flag if flag.starts_with('-') => bail!("unknown option {flag:?}\n{USAGE}"),
                    path if dir.is_none() => dir = Some(PathBuf::from(path)),
                    extra => bail!("unexpected argument {extra:?}\n{USAGE}"),
                }
            }
            let root = workspace_root();
            let args = story::StoryArgs {
                dir: dir.unwrap_or_else(|| root.join("../shared/real-sources")),
                db: db.context("--db FILE is required")?,
                out: out.context("--out DIR is required")?,
            };
            story::run(&root, &args)
        }
        "backfill-check" => {
            let root = workspace_root();
            let dir = match args.get(1..).unwrap_or_default() {
                [] => real_sources(&root)?,
                [dir] if !dir.starts_with('-') => PathBuf::from(dir),
                _ => bail!("usage: cargo xtask backfill-check [DIR]"),
            };
            backfill_check::run(&root, &dir)
        }
        "extract" => {
            let [_, id, file] = args.as_slice() else {
                bail!("usage: cargo xtask extract SOURCE FILE");
            };
            conformance::dump(&workspace_root(), id, Path::new(file))?;
            Ok(ExitCode::SUCCESS)
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprintln!("unknown command {other:?}\n{USAGE}");
            Ok(ExitCode::from(2))
        }
    }
}

/// The default folder of real leaderboard files, beside the workspace.
fn real_sources(root: &Path) -> Result<PathBuf> {
    let d = root.join("../shared/real-sources");
    if !d.is_dir() {
        bail!(
            "no DIR given and {} does not exist; pass the folder of real leaderboard files",
            d.display()
        );
    }
    Ok(d)
}

/// The workspace root: the parent of this crate's folder.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn ci() -> Result<ExitCode> {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let steps: [&[&str]; 3] = [
        &["fmt", "--all", "--check"],
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &["test", "--workspace"],
    ];
    for step in steps {
        eprintln!("$ cargo {}", step.join(" "));
        let status = Command::new(&cargo)
            .args(step)
            .current_dir(&root)
            .status()
            .with_context(|| format!("cannot run cargo {}", step.join(" ")))?;
        if !status.success() {
            eprintln!("cargo {} failed", step.join(" "));
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}
