//! `cargo xtask browser`: the demo site rendered by a real browser (headless Chromium) to PNG
//! screenshots, and a hostile model name shown as text without running anything.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

/// Flags that keep Chromium off the network and quiet in a container.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
];

/// A model name that would run script if any page inserted it unescaped.
const SCRIPT_PAYLOAD: &str = "<script>document.title='pwned-script'</script>";
const ONERROR_PAYLOAD: &str = "<img src=x onerror=\"document.title='pwned-onerror'\">";

pub fn run(root: &Path) -> Result<ExitCode> {
    let chromium = find_or_install_chromium()?;
    let work = root.join("target/browser-check");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let gapwatch = build_gapwatch(root)?;

    // 1. The demo site: every page renders to a PNG, on a phone-sized and a desktop window.
    let demo = work.join("demo");
    run_ok(Command::new(&gapwatch).args(["demo", "--out"]).arg(&demo))?;
    let site = demo.join("site");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&site)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    let shots = work.join("screenshots");
    std::fs::create_dir_all(&shots)?;
    let mut taken = 0;
    for page in &pages {
        for (label, size) in [("phone", "412,915"), ("desktop", "1280,1600")] {
            let stem = page.file_stem().and_then(|s| s.to_str()).unwrap_or("page");
            let png = shots.join(format!("{stem}-{label}.png"));
            screenshot(&chromium, &work, page, &png, size)?;
            taken += 1;
        }
    }
    println!(
        "rendered {} pages to {taken} PNG screenshots in {}",
        pages.len(),
        shots.display()
    );

    // 2. Hostile names: a workspace whose registry names an open model with script payloads.
    let ws = work.join("hostile");
    run_ok(Command::new(&gapwatch).arg("init").arg(&ws))?;
    let registry = format!(
        "[[model]]\nid = \"hostile-script\"\nname = {script:?}\norganization = {onerror:?}\naccess = \"open-weights\"\naliases = [\"Hostile-Script-1B\"]\n\n\
         [[model]]\nid = \"hostile-onerror\"\nname = {onerror:?}\norganization = \"x\"\naccess = \"closed\"\naliases = [\"Hostile-Onerror-1B\"]\n",
        script = SCRIPT_PAYLOAD,
        onerror = ONERROR_PAYLOAD
    );
    std::fs::write(ws.join("registry.toml"), registry)?;
    let csv = format!(
        "Rank,Overall Acc,Model,Organization,License\n\
         1,91.00%,Hostile-Script-1B (FC),x,apache-2.0\n\
         2,90.00%,Hostile-Onerror-1B (FC),x,Proprietary\n\
         3,10.00%,\"{} (FC)\",x,Proprietary\n",
        ONERROR_PAYLOAD.replace('"', "\"\"")
    );
    let board = ws.join("board.csv");
    std::fs::write(&board, csv)?;
    let g = |args: &[&str]| {
        let mut c = Command::new(&gapwatch);
        c.arg("--workspace").arg(&ws).args(args);
        c
    };
    let status = g(&[
        "import",
        "--source",
        "bfcl",
        "--observed-at",
        "2025-01-01",
        "--file",
    ])
    .arg(&board)
    .status()?;
    if !matches!(status.code(), Some(0 | 3)) {
        bail!("importing the hostile board failed: {status}");
    }
    run_ok(&mut g(&[
        "publish",
        "--as-of",
        "2025-01-01",
        "--today",
        "2025-01-01",
    ]))?;
    let hostile_site = work.join("hostile-site");
    run_ok(g(&["export", "--site"]).arg(&hostile_site))?;
    let page = hostile_site.join("index.html");
    let html = std::fs::read_to_string(&page)?;
    if !html.contains("&lt;script&gt;document.title=&#39;pwned-script&#39;&lt;/script&gt;") {
        bail!(
            "{}: the script payload is not shown escaped",
            page.display()
        );
    }
    if html.contains("<script") || html.contains("<img src=x") {
        bail!("{}: a payload reached the page as markup", page.display());
    }
    let dom = dump_dom(&chromium, &work, &page)?;
    if !dom.contains("&lt;script&gt;document.title='pwned-script'&lt;/script&gt;") {
        bail!(
            "{}: the browser does not show the payload as text",
            page.display()
        );
    }
    let title = dom
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_default();
    if title.contains("pwned") {
        bail!(
            "{}: a payload ran: the title became {title:?}",
            page.display()
        );
    }
    screenshot(
        &chromium,
        &work,
        &page,
        &shots.join("hostile-phone.png"),
        "412,915",
    )?;
    println!(
        "hostile names: shown as text, nothing ran (title {title:?}); screenshot {}",
        shots.join("hostile-phone.png").display()
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn build_gapwatch(root: &Path) -> Result<PathBuf> {
    run_ok(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args(["build", "--quiet", "-p", "gapwatch"]),
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("debug/gapwatch"))
}

fn find_or_install_chromium() -> Result<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Some(p) = which(name) {
            return Ok(p);
        }
    }
    println!("chromium is not installed; installing Debian's package");
    run_ok(Command::new("apt-get").arg("update").arg("-qq"))?;
    run_ok(
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-qq",
                "--no-install-recommends",
                "chromium",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    which("chromium").context("chromium is still missing after apt-get install")
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

fn chromium_command(chromium: &Path, work: &Path) -> Command {
    let mut c = Command::new(chromium);
    c.args(CHROMIUM_FLAGS)
        .arg(format!(
            "--user-data-dir={}",
            work.join("chromium-profile").display()
        ))
        .env("HOME", work);
    c
}

fn screenshot(chromium: &Path, work: &Path, page: &Path, png: &Path, size: &str) -> Result<()> {
    let _ = std::fs::remove_file(png);
    let out = chromium_command(chromium, work)
        .arg(format!("--window-size={size}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(file_url(page)?)
        .output()
        .context("cannot run chromium")?;
    let len = std::fs::metadata(png).map(|m| m.len()).unwrap_or(0);
    if !out.status.success() || len < 1000 {
        bail!(
            "chromium could not render {} ({}, {len} bytes of PNG): {}",
            page.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let png_bytes = std::fs::read(png)?;
    if !png_bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        bail!("{} is not a PNG", png.display());
    }
    Ok(())
}

fn dump_dom(chromium: &Path, work: &Path, page: &Path) -> Result<String> {
    let out = chromium_command(chromium, work)
        .arg("--dump-dom")
        .arg(file_url(page)?)
        .output()
        .context("cannot run chromium")?;
    if !out.status.success() {
        bail!(
            "chromium --dump-dom failed on {}: {}",
            page.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn file_url(page: &Path) -> Result<String> {
    let abs = page
        .canonicalize()
        .with_context(|| format!("cannot find {}", page.display()))?;
    Ok(format!("file://{}", abs.display()))
}

fn run_ok(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}
