//! Snapshot tests of every rendering over the demo fixtures: Markdown, HTML, JSON and the
//! Atom feed. A change to any byte of a digest shows up here for review.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;

/// The demo, run once for every test in this file.
fn demo() -> &'static Path {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("demo");
        let status = Command::cargo_bin("gapwatch")
            .unwrap()
            .env_remove("GAPWATCH_WORKSPACE")
            .env_remove("GAPWATCH_DB")
            .env_remove("GAPWATCH_TODAY")
            .args(["demo", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(status.status.success());
        (dir, out)
    });
    out
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(demo().join(rel)).unwrap()
}

#[test]
fn markdown_v3() {
    insta::assert_snapshot!("v3.md", read("stories/open-vs-closed/v3.md"));
}

#[test]
fn html_v3() {
    insta::assert_snapshot!("v3.html", read("stories/open-vs-closed/v3.html"));
}

#[test]
fn json_v3() {
    insta::assert_snapshot!("v3.json", read("stories/open-vs-closed/v3.json"));
}

#[test]
fn markdown_latest() {
    let latest = std::fs::read_dir(demo().join("stories/open-vs-closed"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".md")?
                .strip_prefix('v')?
                .parse::<u32>()
                .ok()
        })
        .max()
        .unwrap();
    insta::assert_snapshot!(
        "latest.md",
        read(&format!("stories/open-vs-closed/v{latest}.md"))
    );
}

#[test]
fn atom_feed() {
    insta::assert_snapshot!("feed.atom", read("site/feed.atom"));
}
