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

/// Every citation of a digest's JSON: (source number, claim ids), in every section.
fn citations(digest: &serde_json::Value) -> Vec<(u64, Vec<i64>)> {
    let mut out = Vec::new();
    let mut walk = vec![digest["sections"].clone()];
    while let Some(v) = walk.pop() {
        match v {
            serde_json::Value::Array(items) => walk.extend(items),
            serde_json::Value::Object(map) => {
                if map.get("type").and_then(|t| t.as_str()) == Some("cite") {
                    let claims = map["claims"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| c.as_i64().unwrap())
                        .collect();
                    out.push((map["source"].as_u64().unwrap(), claims));
                } else {
                    walk.extend(map.into_iter().map(|(_, v)| v));
                }
            }
            _ => {}
        }
    }
    out
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
    let stored: BTreeSet<String> = store
        .snapshots(None)
        .unwrap()
        .into_iter()
        .map(|s| s.sha256)
        .collect();
    let claims = store.claims(None).unwrap();

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

        let json = store
            .rendering("open-vs-closed", v.version, "json")
            .unwrap()
            .unwrap();
        let digest: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let cites = citations(&digest);
        assert!(!cites.is_empty(), "v{} cites nothing", v.version);
        let sources = digest["sources"].as_array().unwrap();
        // Source numbers run without gaps from 1, over the cited and the uncited.
        let mut numbers: Vec<u64> = sources
            .iter()
            .map(|s| s["number"].as_u64().unwrap())
            .chain(
                digest["uncited_sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u[0].as_u64().unwrap()),
            )
            .collect();
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=numbers.len() as u64).collect::<Vec<_>>());
        for (n, ids) in cites {
            let source = sources
                .iter()
                .find(|s| s["number"] == n)
                .unwrap_or_else(|| panic!("v{}: [{n}] has no Sources entry", v.version));
            for id in ids {
                // The claim is listed under a snapshot of that source, with its row; the
                // snapshot is stored, and the claim is that snapshot's, at that row.
                let (snapshot, cited) = source["snapshots"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find_map(|snap| {
                        snap["claims"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|c| c["claim_id"] == id)
                            .map(|c| (snap, c))
                    })
                    .unwrap_or_else(|| panic!("v{}: claim {id} of [{n}] is not listed", v.version));
                let sha = snapshot["sha256"].as_str().unwrap();
                assert!(
                    stored.contains(sha),
                    "v{}: snapshot {sha} not stored",
                    v.version
                );
                let record = claims.iter().find(|c| c.id == id).unwrap();
                assert_eq!(record.snapshot_sha256, sha);
                assert_eq!(record.claim.locator, cited["locator"].as_str().unwrap());
                assert_eq!(record.source_id, source["id"].as_str().unwrap());
                // The Markdown's Evidence lists the claim and its snapshot.
                assert!(
                    markdown.contains(&format!("claim {id}:")),
                    "v{}: claim {id}",
                    v.version
                );
                assert!(markdown.contains(sha), "v{}: {sha}", v.version);
            }
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

/// The main story's section titles of a Markdown digest, in order.
fn main_sections(markdown: &str) -> Vec<&str> {
    markdown
        .split("\n---\n")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .collect()
}

#[test]
fn the_latest_version_has_perspectives_one_of_whose_evolution_new_evidence_changed_cited() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    run_demo(&out);
    let store = Store::open(&out.join("gapwatch.sqlite")).unwrap();
    let versions = store.versions("open-vs-closed").unwrap();
    let [.., previous, latest] = versions.as_slice() else {
        panic!("{} versions", versions.len());
    };
    let markdown = String::from_utf8(
        store
            .rendering("open-vs-closed", latest.version, "md")
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let sections = main_sections(&markdown);
    let at = |title: &str| sections.iter().position(|s| *s == title).unwrap();
    assert!(at("Forecasts") + 1 == at("Perspectives") && at("Perspectives") < at("Timeline"));

    let json = store
        .rendering("open-vs-closed", latest.version, "json")
        .unwrap()
        .unwrap();
    let digest: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let perspectives = digest["perspectives"].as_array().unwrap();
    assert_eq!(perspectives.len(), 2);

    // A perspective whose Evolution changed since the previous version, as news.
    let changed: Vec<&serde_json::Value> = digest["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "perspective-changed" && !c["before"].is_null())
        .collect();
    assert!(
        !changed.is_empty(),
        "no Evolution changed in v{}",
        latest.version
    );
    let change = changed[0];
    assert_ne!(change["before"], change["after"]);
    let status = perspectives
        .iter()
        .find(|p| p["perspective_id"] == change["perspective_id"])
        .unwrap();
    assert_eq!(status["evolution"], change["after"]);
    // Because of new evidence: it rests on a claim observed since the previous version.
    let ids: Vec<i64> = change["claim_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_i64().unwrap())
        .collect();
    assert!(!ids.is_empty());
    let claims = store.claims(None).unwrap();
    assert!(
        ids.iter().any(|id| claims
            .iter()
            .any(|c| c.id == *id && c.observed_on > previous.as_of)),
        "{ids:?} all observed by {}",
        previous.as_of
    );
    // Cited in What's new, with the sentence a reader sees.
    let whats_new = &digest["sections"][0];
    assert_eq!(whats_new["id"], "whats-new");
    let cited: BTreeSet<i64> = citations(&serde_json::json!({ "sections": [whats_new] }))
        .into_iter()
        .flat_map(|(_, claims)| claims)
        .collect();
    assert!(
        ids.iter().all(|id| cited.contains(id)),
        "{ids:?} not all in {cited:?}"
    );
    let actor = change["actor"].as_str().unwrap();
    let news = markdown.split("## What's new").nth(1).unwrap();
    let news = news.split("\n## ").next().unwrap();
    assert!(
        news.contains(&format!("{actor}'s position")) && news.contains("is now"),
        "{news}"
    );

    // Each perspective's words are cited to the stored snapshot that holds them.
    let sources = digest["sources"].as_array().unwrap();
    for p in perspectives {
        let quote = p["quote"].as_str().unwrap();
        let holder = sources
            .iter()
            .flat_map(|s| s["snapshots"].as_array().unwrap())
            .find(|snap| {
                snap["quotes"]
                    .as_array()
                    .is_some_and(|q| q.iter().any(|x| x == quote))
            })
            .unwrap_or_else(|| panic!("no snapshot lists {quote:?}"));
        let sha = holder["sha256"].as_str().unwrap();
        let id = store
            .snapshots(Some(p["source_id"].as_str().unwrap()))
            .unwrap()
            .into_iter()
            .find(|s| s.sha256 == sha)
            .expect("the quoting snapshot is stored")
            .id;
        let page = String::from_utf8(store.snapshot_bytes(id).unwrap()).unwrap();
        assert!(
            gapwatch_ingest::contains_quote(&gapwatch_ingest::page_text(&page), quote),
            "{quote}"
        );
        assert!(markdown.contains(&format!("\u{201c}{quote}\u{201d}")));
    }
}
