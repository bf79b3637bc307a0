//! `cargo xtask story`: the real-data story, built as a user would build it. Every real
//! leaderboard file is imported (as `conformance --db` does, each observed on the date its
//! publisher last changed it), then the default story is published after each snapshot date
//! in order, and the versions are written out.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

use crate::conformance;

/// What `cargo xtask story` takes.
#[derive(Debug)]
pub(crate) struct StoryArgs {
    pub(crate) dir: PathBuf,
    pub(crate) db: PathBuf,
    pub(crate) out: PathBuf,
}

pub(crate) fn run(root: &Path, args: &StoryArgs) -> Result<ExitCode> {
    if args.db.exists() {
        bail!(
            "{} exists; the story is built from a new database (remove it first)",
            args.db.display()
        );
    }
    let gapwatch = build_release(root)?;
    let mut importer = conformance::Importer::open(&args.db, &args.dir)?;
    let code = conformance::run(root, &args.dir, false, Some(&mut importer))?;
    if code != ExitCode::SUCCESS {
        bail!("the conformance check failed; fix it before building the story");
    }
    let dates = importer.observed_dates()?;
    drop(importer);
    eprintln!(
        "publishing after each of {} snapshot dates, {} to {}",
        dates.len(),
        dates.first().map_or_else(String::new, ToString::to_string),
        dates.last().map_or_else(String::new, ToString::to_string)
    );
    let mut published = 0;
    for date in &dates {
        let output = Command::new(&gapwatch)
            .arg("--db")
            .arg(&args.db)
            .args(["--today", &date.to_string(), "publish", "--as-of"])
            .arg(date.to_string())
            .output()
            .with_context(|| format!("cannot run {}", gapwatch.display()))?;
        if !output.status.success() {
            bail!(
                "publish as of {date} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        if String::from_utf8_lossy(&output.stdout).starts_with("published") {
            published += 1;
        }
    }
    let status = Command::new(&gapwatch)
        .arg("--db")
        .arg(&args.db)
        .args(["story", "history"])
        .status()?;
    if !status.success() {
        bail!("story history failed");
    }
    let out = Command::new(&gapwatch)
        .arg("--db")
        .arg(&args.db)
        .args(["export", "--site"])
        .arg(args.out.join("site"))
        .output()?;
    if !out.status.success() {
        bail!("export failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let stories = args.out.join("stories");
    std::fs::create_dir_all(&stories)?;
    let last = Command::new(&gapwatch)
        .arg("--db")
        .arg(&args.db)
        .args(["publish", "--as-of"])
        .arg(dates.last().map_or_else(String::new, ToString::to_string))
        .arg("--today")
        .arg(dates.last().map_or_else(String::new, ToString::to_string))
        .arg("--out")
        .arg(&stories)
        .output()?;
    if !last.status.success() {
        bail!(
            "writing the versions failed: {}",
            String::from_utf8_lossy(&last.stderr)
        );
    }
    eprintln!(
        "{published} versions from {} dates; digests in {}, site in {}",
        dates.len(),
        stories.display(),
        args.out.join("site").display()
    );
    Ok(ExitCode::SUCCESS)
}

fn build_release(root: &Path) -> Result<PathBuf> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["build", "--release", "--quiet", "-p", "gapwatch"])
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("cargo build --release -p gapwatch failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("release/gapwatch"))
}
