//! The site's base URL is a workspace setting: `export --site` uses `base_url` from
//! gapwatch.toml, `--base-url` overrides it, and without either the feed gets a placeholder
//! and the command warns.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;

fn gapwatch(workspace: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gapwatch").unwrap();
    cmd.env_remove("GAPWATCH_WORKSPACE")
        .env_remove("GAPWATCH_DB")
        .env_remove("GAPWATCH_TODAY")
        .env_remove("RUST_LOG")
        .args(["--today", "2025-12-10", "--workspace"])
        .arg(workspace);
    cmd
}

/// A workspace from `gapwatch init` with one published version.
fn published() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    gapwatch(dir.path()).arg("init").assert().code(0);
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/swebench/2025-12-10.json");
    gapwatch(dir.path())
        .args([
            "import",
            "--source",
            "swebench",
            "--observed-at",
            "2025-12-10",
            "--file",
        ])
        .arg(fixture)
        .assert()
        .code(0);
    gapwatch(dir.path()).arg("publish").assert().code(0);
    dir
}

/// Exports into DIR/site; returns stderr and the feed.
fn export(dir: &Path, extra: &[&str]) -> (String, String) {
    let site = dir.join("site");
    let out = gapwatch(dir)
        .args(["export", "--site"])
        .arg(&site)
        .args(extra)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let feed = std::fs::read_to_string(site.join("feed.atom")).unwrap();
    (String::from_utf8(out.stderr).unwrap(), feed)
}

#[test]
fn without_a_base_url_export_warns_and_uses_a_placeholder() {
    let dir = published();
    let settings = std::fs::read_to_string(dir.path().join("gapwatch.toml")).unwrap();
    assert!(
        settings.contains("# base_url = "),
        "init documents the setting:\n{settings}"
    );
    let (stderr, feed) = export(dir.path(), &[]);
    assert!(stderr.contains("no base URL is set"), "{stderr}");
    assert!(stderr.contains("base_url in gapwatch.toml"), "{stderr}");
    assert!(
        feed.contains("https://example.invalid/gapwatch/v1.html"),
        "{feed}"
    );
}

#[test]
fn the_base_url_comes_from_gapwatch_toml_and_the_flag_overrides_it() {
    let dir = published();
    let path = dir.path().join("gapwatch.toml");
    let settings = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        settings.replace(
            "# base_url = \"https://example.org/gapwatch\"",
            "base_url = \"https://gap.example.org/tracker/\"",
        ),
    )
    .unwrap();
    let (stderr, feed) = export(dir.path(), &[]);
    assert!(!stderr.contains("base URL"), "{stderr}");
    assert!(
        feed.contains("https://gap.example.org/tracker/v1.html"),
        "{feed}"
    );
    assert!(!feed.contains("example.invalid"), "{feed}");

    let (stderr, feed) = export(
        dir.path(),
        &["--base-url", "https://mirror.example.net/gap"],
    );
    assert!(stderr.is_empty(), "{stderr}");
    assert!(
        feed.contains("https://mirror.example.net/gap/v1.html"),
        "{feed}"
    );
}
