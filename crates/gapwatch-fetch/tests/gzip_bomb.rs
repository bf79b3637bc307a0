//! A gzip bomb is cut off at the cap, without the process's memory growing past it.
//!
//! Alone in its own test binary so the process's peak memory reflects this fetch only.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] functions are test code too

mod common;

use std::io::Write;
use std::time::Duration;

use common::{Reply, TestServer, fast_policy};
use gapwatch_fetch::{FailureKind, FetchOutcome, FetchRequest, Fetcher};

/// 200 MB of zeros, gzip-compressed as it is generated (a few hundred KB).
fn bomb() -> Vec<u8> {
    let zeros = vec![0u8; 1024 * 1024];
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for _ in 0..200 {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

/// The process's peak resident memory so far, in bytes (Linux).
fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[tokio::test]
async fn a_gzip_bomb_is_aborted_at_the_cap_with_bounded_memory() {
    let bomb = bomb();
    assert!(
        bomb.len() < 2 * 1024 * 1024,
        "the bomb is {} bytes compressed",
        bomb.len()
    );
    let server = TestServer::start(move |_, _| {
        Reply::ok(bomb.clone())
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "text/html")
    })
    .await;
    let fetcher = Fetcher::new(fast_policy()).unwrap();
    let before = peak_resident_bytes();

    let outcome = fetcher
        .fetch(&FetchRequest::new("board", server.url("/bomb")))
        .await;

    match outcome {
        FetchOutcome::Failed(failure) => {
            assert_eq!(failure.kind, FailureKind::BodyTooLarge);
            assert_eq!(failure.attempts, 1);
            assert!(
                failure.elapsed < Duration::from_secs(10),
                "{:?}",
                failure.elapsed
            );
            assert!(failure.message.contains("1 MiB cap"), "{}", failure.message);
        }
        other => panic!("expected the bomb to be refused, got {other:?}"),
    }
    assert_eq!(server.hits(), 1);
    if let (Some(before), Some(after)) = (before, peak_resident_bytes()) {
        let growth = after.saturating_sub(before);
        // The cap is 1 MiB; reading all 200 MB would show here. Leave room for the runtime.
        assert!(
            growth < 32 * 1024 * 1024,
            "peak memory grew by {growth} bytes"
        );
    }
}
