//! Articles and perspectives through the real binary: an evidence file in a workspace, its
//! page imported or fetched (from 127.0.0.1), quotes refused when the stored page does not
//! hold them, and perspectives published with their Evolution.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::{Route, Server, TestWorkspace, run, source_entry};
use sha2::{Digest as _, Sha256};

const PAGE: &str = r#"<!doctype html><html><head><title>Catching up</title></head><body>
<article><h1>Catching up</h1>
<p>Open-weight models trail the closed frontier by about <em>three</em> months, the
evaluators say.</p>
<p>DeepSeek&rsquo;s report lists 71.5% on GPQA Diamond for DeepSeek-R1 and 75.7% for
OpenAI-o1-1217.</p>
</article></body></html>
"#;

fn evidence(url: &str) -> String {
    format!(
        r#"[article]
id = "article-lag"
publisher = "Example News"
title = "Catching up"
url = "{url}"
published = "2025-10-30"

[[claim]]
id = "r1-gpqa"
quote = "lists 71.5% on GPQA Diamond for DeepSeek-R1"
model = "DeepSeek-R1"
benchmark = "gpqa-diamond"
value = 71.5
stated_by = "self-reported"

[[claim]]
id = "o1-gpqa"
quote = "and 75.7% for OpenAI-o1-1217"
model = "OpenAI-o1-1217"
benchmark = "gpqa-diamond"
value = 75.7
stated_by = "competitor-reported"
"#
    )
}

const STORY: &str = r#"
id = "lag"
title = "Open weights vs closed"
benchmarks = ["gpqa-diamond", "swe-bench-verified"]
parity = { value = 2.0, unit = "points" }
incumbent = { id = "closed", label = "Closed", access = ["closed"] }
challenger = { id = "open", label = "Open weights", access = ["open-weights"] }

[[perspective]]
id = "three-months"
actor = "The evaluators"
actor_kind = "evaluator"
stated_on = "2025-10-30"
source = "article-lag"
quote = "trail the closed frontier by about three months"
proposition = { kind = "median-lag-within", min_months = 1.0, max_months = 5.0 }

[[perspective]]
id = "elsewhere"
actor = "A columnist"
stated_on = "2025-10-30"
source = "column"
quote = "the gap is widening"
"#;

/// A workspace with no leaderboards, the article's evidence file and the story above.
fn workspace(url: &str) -> TestWorkspace {
    let ws = TestWorkspace::new("");
    std::fs::create_dir_all(ws.path().join("evidence")).unwrap();
    std::fs::write(ws.path().join("evidence/lag.toml"), evidence(url)).unwrap();
    std::fs::write(ws.path().join("story.toml"), STORY).unwrap();
    ws
}

fn page_file(ws: &TestWorkspace, text: &str) -> PathBuf {
    let path = ws.path().join("page.html");
    std::fs::write(&path, text).unwrap();
    path
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_quote_the_page_does_not_hold_is_refused_naming_the_evidence_file_the_claim_and_the_snapshot() {
    let ws = workspace("https://example.org/catching-up.html");
    let edited = PAGE.replace("75.7%", "75.2%");
    let page = page_file(&ws, &edited);
    let out = run(
        ws.gapwatch("2025-11-01")
            .args([
                "import",
                "--source",
                "article-lag",
                "--observed-at",
                "2025-10-30",
                "--file",
            ])
            .arg(&page),
        1,
    );
    let stderr = text(&out.stderr);
    let file = ws.path().join("evidence").join("lag.toml");
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    assert!(stderr.contains("claim \"o1-gpqa\""), "{stderr}");
    assert!(
        stderr.contains("\u{201c}and 75.7% for OpenAI-o1-1217\u{201d} is not in the text"),
        "{stderr}"
    );
    let sha = sha256_hex(edited.as_bytes());
    assert!(
        stderr.contains(&format!("snapshot {}", &sha[..12])),
        "{stderr}"
    );
    assert!(
        ws.store().snapshots(None).unwrap().is_empty(),
        "nothing stored"
    );

    // The page that holds every quote is stored, its claims cited to their words.
    let page = page_file(&ws, PAGE);
    run(
        ws.gapwatch("2025-11-01")
            .args([
                "import",
                "--source",
                "article-lag",
                "--observed-at",
                "2025-10-30",
                "--file",
            ])
            .arg(&page),
        0,
    );
    let claims = ws.store().claims(None).unwrap();
    let locators: Vec<&str> = claims.iter().map(|c| c.claim.locator.as_str()).collect();
    assert_eq!(
        locators,
        [
            "claim \"r1-gpqa\": \u{201c}lists 71.5% on GPQA Diamond for DeepSeek-R1\u{201d}",
            "claim \"o1-gpqa\": \u{201c}and 75.7% for OpenAI-o1-1217\u{201d}",
        ]
    );

    // A later edit of the evidence file is checked against the stored snapshot too.
    let stored = &ws.store().snapshots(None).unwrap()[0];
    std::fs::write(
        ws.path().join("evidence/lag.toml"),
        evidence("https://example.org/catching-up.html").replace("and 75.7%", "and 76.0%"),
    )
    .unwrap();
    let out = run(ws.gapwatch("2025-11-01").arg("reextract"), 3);
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&stored.sha256[..12]), "{stdout}");
    assert!(stdout.contains("claim \"o1-gpqa\""), "{stdout}");
    assert!(stdout.contains("lag.toml"), "{stdout}");
}

#[test]
fn perspectives_are_published_with_their_evolution_and_a_quote_no_snapshot_holds_is_refused() {
    let ws = workspace("https://example.org/catching-up.html");
    let page = page_file(&ws, PAGE);
    run(
        ws.gapwatch("2025-11-01")
            .args([
                "import",
                "--source",
                "article-lag",
                "--observed-at",
                "2025-10-30",
                "--file",
            ])
            .arg(&page),
        0,
    );
    let out = run(
        ws.gapwatch("2025-11-01")
            .args(["publish", "--as-of", "2025-10-30", "--out"])
            .arg(ws.path().join("out")),
        0,
    );
    let stdout = text(&out.stdout);
    // Words whose source has no stored snapshot are not shown yet, and the operator is told.
    assert!(
        stdout.contains("perspective \"elsewhere\" of story lag is not shown: source column has no stored snapshot as of 2025-10-30"),
        "{stdout}"
    );
    let md = std::fs::read_to_string(ws.path().join("out/lag/v1.md")).unwrap();
    let section = md
        .split("## Perspectives")
        .nth(1)
        .expect("a Perspectives section")
        .split("\n## ")
        .next()
        .unwrap();
    assert!(
        section.contains(
            "The evaluators (evaluator), 2025-10-30: \u{201c}trail the closed frontier by about three months\u{201d} [1]."
        ),
        "{section}"
    );
    assert!(
        section.contains("Tested as: the median lag is 1.0 to 5.0 months. Evolution: untestable"),
        "{section}"
    );
    assert!(!section.contains("columnist"), "{section}");
    // The quote is cited to the stored page, listed in Sources and Evidence.
    let sha = sha256_hex(PAGE.as_bytes());
    assert!(md.contains("- [1] Example News"), "{md}");
    assert!(md.contains(&format!("Snapshot {sha}")), "{md}");
    assert!(
        md.contains("quoted: \u{201c}trail the closed frontier by about three months\u{201d}"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("out/lag/v1.json")).unwrap())
            .unwrap();
    let p = &json["perspectives"][0];
    assert_eq!(p["perspective_id"], "three-months");
    assert_eq!(p["evolution"], "untestable");
    assert_eq!(json["perspectives"].as_array().unwrap().len(), 1);

    // A quote that no stored snapshot of its source holds is refused.
    let story = STORY.replace(
        "quote = \"trail the closed frontier by about three months\"",
        "quote = \"trail the closed frontier by about a year\"",
    );
    std::fs::write(ws.path().join("story.toml"), story).unwrap();
    let out = run(
        ws.gapwatch("2025-11-01")
            .args(["publish", "--as-of", "2025-11-01", "--force"]),
        1,
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "story lag: perspective \"three-months\": the quote \u{201c}trail the closed frontier by about a year\u{201d} is not in the text of snapshot {} of source article-lag",
            &sha[..12]
        )),
        "{stderr}"
    );
    assert_eq!(
        ws.store().versions("lag").unwrap().len(),
        1,
        "nothing published"
    );
}

#[test]
fn ingest_fetches_an_article_only_when_it_is_named() {
    let server = Server::start(1);
    server.route(
        "/article.html",
        Route::ok(PAGE.as_bytes().to_vec(), "text/html"),
    );
    server.route("/bfcl.csv", Route::fixture("bfcl", "2025-04-30.csv"));
    let ws = workspace(&server.url(0, "/article.html"));
    ws.set_sources(&source_entry("bfcl", "bfcl", &server.url(0, "/bfcl.csv")));
    run(ws.gapwatch("2025-11-01").arg("ingest"), 0);
    assert!(server.seen_under("/article.html").is_empty());
    assert_eq!(server.seen_under("/bfcl.csv").len(), 1);

    run(
        ws.gapwatch("2025-11-01")
            .args(["ingest", "--source", "article-lag"]),
        0,
    );
    assert_eq!(server.seen_under("/article.html").len(), 1);
    let snapshots = ws.store().snapshots(Some("article-lag")).unwrap();
    assert_eq!(snapshots.len(), 1);
    assert_eq!(snapshots[0].sha256, sha256_hex(PAGE.as_bytes()));
}
