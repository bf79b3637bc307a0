//! `cargo xtask backfill-check [DIR]`: the real SWE-bench leaderboards.json versions of DIR,
//! committed one by one on their dates into a fresh git repository and backfilled from it,
//! must give the same `gap --as-of` answers as importing the same files with `--observed-at`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};

use anyhow::{Context, Result, bail};
use gapwatch_model::Date;
use gapwatch_store::Store;

/// Where the versions are in the real-sources folder, and where the publisher keeps the file.
const VERSIONS: &str = "swebench/leaderboards_json";
const REPO_PATH: &str = "data/leaderboards.json";
const SOURCE: &str = "swebench";

pub fn run(root: &Path, dir: &Path) -> Result<ExitCode> {
    // gapwatch runs in the work folder, so the files are named by absolute paths.
    let folder = dir.join(VERSIONS);
    let folder = std::fs::canonicalize(&folder)
        .with_context(|| format!("cannot read {}", folder.display()))?;
    let versions = dated_files(&folder)?;
    let work = root.join("target/backfill-check");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let gapwatch = crate::browser::build_gapwatch(root)?;

    // The history: one commit per version, made at noon UTC on the date in its file name.
    let git_config = work.join("gitconfig");
    std::fs::write(&git_config, "")?;
    let repo = work.join("swe-bench.github.io");
    std::fs::create_dir_all(repo.join("data"))?;
    let git = |args: &[&str], date: Option<&str>| -> Result<()> {
        let mut c = Command::new("git");
        c.arg("-C").arg(&repo).args(args);
        c.env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", &git_config)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
        if let Some(d) = date {
            c.env("GIT_AUTHOR_DATE", d).env("GIT_COMMITTER_DATE", d);
        }
        ok(
            &c.output()
                .with_context(|| format!("cannot run git {args:?}"))?,
            "git",
        )?;
        Ok(())
    };
    git(&["init", "--quiet", "--initial-branch=master"], None)?;
    git(&["config", "user.name", "gapwatch backfill check"], None)?;
    git(
        &["config", "user.email", "backfill-check@example.invalid"],
        None,
    )?;
    for (date, file) in &versions {
        std::fs::copy(file, repo.join(REPO_PATH))
            .with_context(|| format!("cannot copy {}", file.display()))?;
        git(&["add", REPO_PATH], None)?;
        let when = format!("{date}T12:00:00Z");
        git(
            &[
                "commit",
                "--quiet",
                "-m",
                &format!("Leaderboards of {date}"),
            ],
            Some(&when),
        )?;
    }
    eprintln!(
        "committed {} versions of {REPO_PATH} into {}",
        versions.len(),
        repo.display()
    );

    let gapwatch_in_work = |args: &[&str]| -> Result<Output> {
        Command::new(&gapwatch)
            .current_dir(&work)
            .env_remove("GAPWATCH_WORKSPACE")
            .env_remove("GAPWATCH_DB")
            .env("GAPWATCH_TODAY", "2026-03-01")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", &git_config)
            .args(args)
            .output()
            .with_context(|| format!("cannot run gapwatch {args:?}"))
    };

    // Backfill, shown as a person would see it.
    let backfill_args = [
        "--db",
        "backfilled.sqlite",
        "backfill",
        "--source",
        SOURCE,
        "--repo",
        "swe-bench.github.io",
        "--path",
        REPO_PATH,
    ];
    println!("$ gapwatch {}", backfill_args.join(" "));
    let backfilled = gapwatch_in_work(&backfill_args)?;
    print!("{}", String::from_utf8_lossy(&backfilled.stdout));
    eprint!("{}", String::from_utf8_lossy(&backfilled.stderr));
    println!("(exit status {})", code(&backfilled));

    // The same files imported one by one.
    let mut import_status = 0;
    for (date, file) in &versions {
        let file = file.to_string_lossy();
        let out = gapwatch_in_work(&[
            "--db",
            "imported.sqlite",
            "import",
            "--source",
            SOURCE,
            "--file",
            &file,
            "--observed-at",
            &date.to_string(),
        ])?;
        let status = code(&out);
        if status != 0 && status != 3 {
            bail!(
                "import of {file} failed ({status}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        import_status = import_status.max(status);
    }
    let mut failures = Vec::new();
    if code(&backfilled) != import_status {
        failures.push(format!(
            "backfill exited {}, the imports {import_status}",
            code(&backfilled)
        ));
    }

    // The stores hold the same snapshots and claims.
    let a = Store::open(&work.join("backfilled.sqlite"))?;
    let b = Store::open(&work.join("imported.sqlite"))?;
    let shape = |s: &Store| -> Result<(Vec<(String, String)>, u64)> {
        let snaps = s
            .snapshots(Some(SOURCE))?
            .into_iter()
            .map(|s| (s.observed_on.to_string(), s.sha256))
            .collect();
        Ok((snaps, s.claim_count()?))
    };
    let (snaps_a, claims_a) = shape(&a)?;
    let (snaps_b, claims_b) = shape(&b)?;
    println!(
        "backfilled: {} snapshots, {claims_a} claims; imported: {} snapshots, {claims_b} claims",
        snaps_a.len(),
        snaps_b.len()
    );
    if snaps_a != snaps_b || claims_a != claims_b || snaps_a.len() != versions.len() {
        failures.push("the two stores hold different snapshots or claims".to_owned());
    }

    // `gap --as-of` on each date, the day before the first and a later day, as a table and
    // as JSON.
    let mut dates: Vec<Date> = versions.iter().map(|(d, _)| *d).collect();
    if let (Some(first), Some(last)) = (dates.first().copied(), dates.last().copied()) {
        dates.insert(0, first.add_days(-1));
        dates.push(last.add_days(30));
    }
    for date in &dates {
        let as_of = date.to_string();
        let mut same = Vec::new();
        for json in [false, true] {
            let gap = |db: &str| -> Result<Vec<u8>> {
                let mut args = vec!["--db", db, "gap", "--as-of", &as_of];
                if json {
                    args.push("--json");
                }
                let out = gapwatch_in_work(&args)?;
                ok(&out, "gapwatch gap")?;
                Ok(out.stdout)
            };
            let (x, y) = (gap("backfilled.sqlite")?, gap("imported.sqlite")?);
            if x == y {
                same.push(format!(
                    "{} identical ({} bytes)",
                    if json { "json" } else { "table" },
                    x.len()
                ));
            } else {
                failures.push(format!(
                    "gap --as-of {as_of}{} differs",
                    if json { " --json" } else { "" }
                ));
            }
        }
        println!("gap --as-of {as_of}: {}", same.join(", "));
    }

    // A rerun adds nothing.
    let again = gapwatch_in_work(&[&backfill_args[..], &["--json"]].concat())?;
    ok_or_attention(&again)?;
    let summary: serde_json::Value =
        serde_json::from_slice(&again.stdout).context("the rerun's --json is not JSON")?;
    println!(
        "rerun: {} stored, {} imported earlier, {} new claims",
        summary["stored"], summary["already_imported"], summary["claims_inserted"]
    );
    if summary["stored"] != 0
        || summary["claims_inserted"] != 0
        || summary["already_imported"] != versions.len()
    {
        failures.push("the rerun imported something".to_owned());
    }

    if failures.is_empty() {
        println!(
            "backfill-check: ok, {} versions, {} dates compared",
            versions.len(),
            dates.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        for f in &failures {
            eprintln!("backfill-check: {f}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// `YYYY-MM-DD.json` files of a folder, by date.
fn dated_files(dir: &Path) -> Result<Vec<(Date, PathBuf)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        let date = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.parse::<Date>().ok());
        if let (Some(date), true) = (date, path.extension().is_some_and(|e| e == "json")) {
            files.push((date, path));
        }
    }
    files.sort();
    if files.is_empty() {
        bail!("no YYYY-MM-DD.json file in {}", dir.display());
    }
    Ok(files)
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn ok(out: &Output, what: &str) -> Result<()> {
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

fn ok_or_attention(out: &Output) -> Result<()> {
    if code(out) == 3 {
        return Ok(());
    }
    ok(out, "gapwatch backfill")
}
