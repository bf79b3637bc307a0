//! `gapwatch ingest` with no name resolving: every default source fails at once, one line per
//! source as it fails, well within ten seconds, with no retries and no waits between requests.
//!
//! Each default source's host is moved under `.invalid`, a top-level domain reserved never to
//! resolve, which the fetcher answers negatively without asking any resolver (RFC 6761), and
//! without any proxy: the test sends nothing anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::TestWorkspace;
use gapwatch_store::FetchOutcomeKind;

const DEFAULT_SOURCES: &str = include_str!("../defaults/sources.toml");

/// The default sources with `HOST` in every URL turned into `HOST.invalid`.
fn sources_under_invalid() -> (String, usize) {
    let mut count = 0;
    let text: Vec<String> = DEFAULT_SOURCES
        .lines()
        .map(|line| {
            let Some(url) = line
                .strip_prefix("url = \"")
                .and_then(|rest| rest.strip_suffix('"'))
            else {
                return line.to_owned();
            };
            let (scheme, rest) = url.split_once("://").unwrap();
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            count += 1;
            format!("url = \"{scheme}://{host}.invalid/{path}\"")
        })
        .collect();
    (text.join("\n"), count)
}

#[test]
fn with_no_name_resolving_every_default_source_fails_at_once_one_line_each() {
    let (sources, count) = sources_under_invalid();
    let defaults = include_str!("../defaults/sources.toml");
    let declared = defaults.lines().filter(|l| *l == "[[source]]").count();
    assert_eq!(count, declared, "every default source");
    assert!(count > 40);
    let ws = TestWorkspace::new(&sources);
    let mut cmd = ws.gapwatch("2026-01-15");
    for proxy in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(proxy);
    }
    // The default policy: four attempts, a second between requests to one host.
    let started = Instant::now();
    let out = cmd.arg("ingest").output().unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();

    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), count, "{stderr}");
    for (n, line) in lines.iter().enumerate() {
        assert!(line.starts_with(&format!("[{}/{count}] ", n + 1)), "{line}");
        assert!(line.contains(": failed, "), "{line}");
        assert!(line.contains("did not resolve"), "{line}");
    }
    assert!(
        stdout.contains(&format!(
            "{count} sources: 0 stored, 0 unchanged, {count} need attention"
        )),
        "{stdout}"
    );
    let log = ws.store().fetch_log(None).unwrap();
    assert_eq!(log.len(), count);
    assert!(log.iter().all(|e| e.outcome == FetchOutcomeKind::Failed));
    // One attempt per host at most: the host's other sources were not tried.
    let tried = log
        .iter()
        .filter(|e| !e.message.as_deref().unwrap().contains("not tried"))
        .count();
    let hosts: std::collections::BTreeSet<&str> = sources
        .lines()
        .filter_map(|l| l.strip_prefix("url = \""))
        .filter_map(|u| u.split("://").nth(1)?.split('/').next())
        .collect();
    assert!(
        tried <= hosts.len(),
        "{tried} sources were tried; there are {} hosts",
        hosts.len()
    );
}
