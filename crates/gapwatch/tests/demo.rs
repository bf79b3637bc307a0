//! The demo, end to end through the real binary: versions, citations, idempotence.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use gapwatch_store::Store;

fn gapwatch() -> Command {
    let mut cmd = Command::cargo_bin("gapwatch").unwrap();
    cmd.env_remove("GAPWATCH_WORKSPACE")
        .env_remove("GAPWATCH_DB")
        .env_remove("GAPWATCH_TODAY");
    cmd
}

fn run_demo(out: &Path) -> String {
    let output = gapwatch()
        .args(["demo", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Every `[n]` in the digest, outside the Sources section, and the Sources entries by number.
fn citations(markdown: &str) -> (BTreeSet<u32>, Vec<(u32, String)>) {
    let (body, sources) = markdown
        .split_once("\n## Sources\n")
        .expect("a Sources section");
    let mut cited = BTreeSet::new();
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Escaped brackets (`\[`) are literal text, not citations.
        if bytes[i] == b'['
            && (i == 0 || bytes[i - 1] != b'\\')
            && let Some(end) = body[i + 1..].find(']')
            && let Ok(n) = body[i + 1..i + 1 + end].parse::<u32>()
        {
            cited.insert(n);
        }
        i += 1;
    }
    let entries = sources
        .lines()
        .filter_map(|l| l.strip_prefix("- ["))
        .filter_map(|l| {
            let (n, rest) = l.split_once(']')?;
            Some((n.parse().ok()?, rest.to_owned()))
        })
        .collect();
    (cited, entries)
}

#[test]
fn demo_publishes_three_versions_whose_citations_resolve_to_stored_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let stdout = run_demo(&out);
    assert!(stdout.contains("gapwatch.sqlite"), "{stdout}");

    let store = Store::open(&out.join("gapwatch.sqlite")).unwrap();
    let versions = store.versions("open-vs-closed").unwrap();
    assert!(versions.len() >= 3, "only {} versions", versions.len());
    let stored: Vec<String> = store
        .snapshots(None)
        .unwrap()
        .into_iter()
        .map(|s| s.sha256)
        .collect();

    for v in &versions {
        let file = out.join(format!("stories/open-vs-closed/v{}.md", v.version));
        let markdown = std::fs::read_to_string(&file).unwrap();
        // The file is the stored rendering, byte for byte.
        let bytes = store
            .rendering("open-vs-closed", v.version, "md")
            .unwrap()
            .unwrap();
        assert_eq!(markdown.as_bytes(), bytes.as_slice());
        assert!(markdown.contains(&format!("## What's new in v{}", v.version)));
        assert!(markdown.contains("## Parity map"));

        let (cited, entries) = citations(&markdown);
        assert!(!cited.is_empty(), "v{} cites nothing", v.version);
        for n in &cited {
            let (_, entry) = entries
                .iter()
                .find(|(m, _)| m == n)
                .unwrap_or_else(|| panic!("v{}: [{n}] has no Sources entry", v.version));
            // The entry names at least one stored snapshot by its sha256 prefix.
            let names_snapshot = entry
                .split("sha256:")
                .skip(1)
                .filter_map(|s| s.get(..12))
                .any(|prefix| stored.iter().any(|sha| sha.starts_with(prefix)));
            assert!(names_snapshot, "v{}: [{n}] {entry}", v.version);
        }
    }
}

#[test]
fn running_the_demo_twice_adds_no_claims_and_no_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    run_demo(&out);
    let db = out.join("gapwatch.sqlite");
    let (claims, versions) = {
        let store = Store::open(&db).unwrap();
        (
            store.claim_count().unwrap(),
            store.versions("open-vs-closed").unwrap(),
        )
    };
    let v1 = std::fs::read(out.join("stories/open-vs-closed/v1.md")).unwrap();

    let stdout = run_demo(&out);
    assert!(stdout.contains("0 new claims"), "{stdout}");
    assert!(stdout.contains("nothing new"), "{stdout}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.claim_count().unwrap(), claims);
    assert_eq!(store.versions("open-vs-closed").unwrap(), versions);
    assert_eq!(
        std::fs::read(out.join("stories/open-vs-closed/v1.md")).unwrap(),
        v1
    );
}

#[test]
fn two_demo_databases_render_byte_identical_digests() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run_demo(&a);
    run_demo(&b);
    for v in 1..=3 {
        let name = format!("stories/open-vs-closed/v{v}.md");
        assert_eq!(
            std::fs::read(a.join(&name)).unwrap(),
            std::fs::read(b.join(&name)).unwrap(),
            "{name} differs"
        );
    }
}

#[test]
fn the_demo_site_has_a_feed_with_one_entry_per_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    run_demo(&out);
    let store = Store::open(&out.join("gapwatch.sqlite")).unwrap();
    let versions = store.versions("open-vs-closed").unwrap();

    let bytes = std::fs::read(out.join("site/feed.atom")).unwrap();
    let feed = atom_syndication::Feed::read_from(&bytes[..]).expect("a valid Atom feed");
    assert_eq!(feed.entries().len(), versions.len());
    let ids: BTreeSet<&str> = feed.entries().iter().map(|e| e.id()).collect();
    assert_eq!(ids.len(), versions.len(), "entry ids are unique");
    let newest = &feed.entries()[0];
    assert!(
        newest
            .title()
            .as_str()
            .ends_with(&format!("v{}", versions.len())),
        "{}",
        newest.title().as_str()
    );
    assert!(newest.content().and_then(|c| c.value()).is_some());

    // The site's pages are the stored renderings.
    let latest = versions.last().unwrap().version;
    let stored = store
        .rendering("open-vs-closed", latest, "html")
        .unwrap()
        .unwrap();
    assert_eq!(std::fs::read(out.join("site/index.html")).unwrap(), stored);
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("site/data.json")).unwrap()).unwrap();
    assert_eq!(data["version"], latest);
}
