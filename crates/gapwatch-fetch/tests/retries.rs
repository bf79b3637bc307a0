//! Retries, backoff, `Retry-After` and the deadline, against a scripted local server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] functions are test code too

mod common;

use std::time::{Duration, SystemTime};

use common::{Reply, TestServer, fast_policy};
use gapwatch_fetch::{FailureKind, FetchOutcome, FetchPolicy, FetchRequest, Fetcher};

fn fetcher(policy: FetchPolicy) -> Fetcher {
    Fetcher::new(policy).expect("valid policy")
}

fn expect_failure(outcome: FetchOutcome) -> gapwatch_fetch::FetchFailure {
    match outcome {
        FetchOutcome::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn expect_page(outcome: FetchOutcome) -> gapwatch_fetch::FetchedPage {
    match outcome {
        FetchOutcome::Fetched(page) => page,
        other => panic!("expected a page, got {other:?}"),
    }
}

#[tokio::test]
async fn retry_after_seconds_delays_the_next_attempt() {
    let server = TestServer::start(|_, index| match index {
        0 => Reply::status(429).header("Retry-After", "2"),
        _ => Reply::ok("rank,model\n1,a\n"),
    })
    .await;
    let outcome = fetcher(fast_policy())
        .fetch(&FetchRequest::new("board", server.url("/board.csv")))
        .await;

    let page = expect_page(outcome);
    assert_eq!(page.attempts, 2);
    assert_eq!(page.bytes, b"rank,model\n1,a\n");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "attempts stay within what was needed");
    let gap = requests[1].at - requests[0].at;
    assert!(
        gap >= Duration::from_millis(1900),
        "retried after only {gap:?}"
    );
}

#[tokio::test]
async fn retry_after_http_date_delays_the_next_attempt() {
    let server = TestServer::start(|_, index| match index {
        0 => {
            let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
            Reply::status(503).header("Retry-After", &when)
        }
        _ => Reply::ok("ok"),
    })
    .await;
    let outcome = fetcher(fast_policy())
        .fetch(&FetchRequest::new("board", server.url("/")))
        .await;

    assert_eq!(expect_page(outcome).attempts, 2);
    let requests = server.requests();
    let gap = requests[1].at - requests[0].at;
    // An HTTP-date has whole seconds: "now + 2 s" truncated is still more than 1 s away.
    assert!(
        gap >= Duration::from_millis(900),
        "retried after only {gap:?}"
    );
}

#[tokio::test]
async fn retry_after_is_capped() {
    let server = TestServer::start(|_, index| match index {
        0 => Reply::status(429).header("Retry-After", "3600"),
        _ => Reply::ok("ok"),
    })
    .await;
    let policy = FetchPolicy {
        retry_after_cap: Duration::from_millis(300),
        ..fast_policy()
    };
    let outcome = fetcher(policy)
        .fetch(&FetchRequest::new("board", server.url("/")))
        .await;

    assert_eq!(expect_page(outcome).attempts, 2);
    let requests = server.requests();
    let gap = requests[1].at - requests[0].at;
    assert!(
        gap >= Duration::from_millis(280),
        "the capped wait was not honoured: {gap:?}"
    );
    assert!(
        gap < Duration::from_secs(5),
        "the cap was not applied: {gap:?}"
    );
}

#[tokio::test]
async fn retry_after_past_the_deadline_fails_promptly_and_says_so() {
    let server = TestServer::start(|_, _| Reply::status(429).header("Retry-After", "30")).await;
    let policy = FetchPolicy {
        total_timeout: Duration::from_secs(2),
        retry_after_cap: Duration::from_secs(60),
        ..fast_policy()
    };
    let started = std::time::Instant::now();
    let failure = expect_failure(
        fetcher(policy)
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );

    assert!(
        started.elapsed() < Duration::from_secs(2),
        "did not fail promptly: {:?}",
        started.elapsed()
    );
    assert_eq!(failure.kind, FailureKind::Http);
    assert_eq!(failure.status, Some(429));
    assert_eq!(failure.attempts, 1);
    assert_eq!(server.hits(), 1);
    assert!(
        failure.message.contains("Retry-After"),
        "{}",
        failure.message
    );
    assert!(failure.message.contains("deadline"), "{}", failure.message);
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let server = TestServer::start(|_, index| match index {
        0 => Reply::status(500),
        1 => Reply::status(502),
        2 => Reply::status(503),
        _ => Reply::ok("finally"),
    })
    .await;
    let page = expect_page(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );

    assert_eq!(page.attempts, 4);
    assert_eq!(page.bytes, b"finally");
    assert_eq!(server.hits(), 4);
}

#[tokio::test]
async fn retries_stop_at_max_attempts_with_the_last_status() {
    let server = TestServer::start(|_, _| Reply::status(502)).await;
    let policy = FetchPolicy {
        max_attempts: 3,
        ..fast_policy()
    };
    let failure = expect_failure(
        fetcher(policy)
            .fetch(&FetchRequest::new("board", server.url("/x")))
            .await,
    );

    assert_eq!(failure.kind, FailureKind::Http);
    assert_eq!(failure.status, Some(502));
    assert_eq!(failure.attempts, 3);
    assert_eq!(server.hits(), 3);
    assert!(failure.message.contains("502"), "{}", failure.message);
    assert!(
        failure.message.contains("/x"),
        "message names the url: {}",
        failure.message
    );
    assert!(
        failure.message.contains("3 attempts"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn backoff_grows_between_attempts() {
    let server = TestServer::start(|_, _| Reply::status(500)).await;
    let policy = FetchPolicy {
        max_attempts: 3,
        backoff_base: Duration::from_millis(200),
        backoff_max: Duration::from_secs(5),
        ..fast_policy()
    };
    expect_failure(
        fetcher(policy)
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let first = requests[1].at - requests[0].at;
    let second = requests[2].at - requests[1].at;
    // 200 ms then 400 ms, each within ±20% jitter.
    assert!(
        first >= Duration::from_millis(160),
        "first backoff {first:?}"
    );
    assert!(
        second >= Duration::from_millis(320),
        "second backoff {second:?}"
    );
}

#[tokio::test]
async fn request_timeout_408_is_retried() {
    let server = TestServer::start(|_, index| match index {
        0 => Reply::status(408),
        _ => Reply::ok("ok"),
    })
    .await;
    let page = expect_page(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );
    assert_eq!(page.attempts, 2);
}

#[tokio::test]
async fn not_found_and_forbidden_are_not_retried() {
    for status in [404u16, 403, 410, 400] {
        let server = TestServer::start(move |_, _| Reply::status(status)).await;
        let failure = expect_failure(
            fetcher(fast_policy())
                .fetch(&FetchRequest::new("board", server.url("/gone")))
                .await,
        );

        assert_eq!(failure.kind, FailureKind::Http, "{status}");
        assert_eq!(failure.status, Some(status));
        assert_eq!(failure.attempts, 1, "{status}");
        assert_eq!(server.hits(), 1, "{status} was retried");
        assert!(
            failure.message.contains("not retried"),
            "{}",
            failure.message
        );
    }
}

#[tokio::test]
async fn a_reset_connection_is_retried() {
    let server = TestServer::start(|_, index| match index {
        0 | 1 => Reply::Reset,
        _ => Reply::ok("after resets"),
    })
    .await;
    let page = expect_page(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );

    assert_eq!(page.attempts, 3);
    assert_eq!(page.bytes, b"after resets");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn resets_that_never_stop_end_as_a_connection_failure() {
    let server = TestServer::start(|_, _| Reply::Reset).await;
    let failure = expect_failure(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );

    assert_eq!(failure.kind, FailureKind::Connection);
    assert_eq!(failure.status, None);
    assert_eq!(failure.attempts, 4);
    assert_eq!(server.hits(), 4);
}

#[tokio::test]
async fn a_refused_connection_to_a_host_that_never_answered_is_reported_at_once() {
    // Take a free port, then close it: connecting is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let policy = FetchPolicy {
        max_attempts: 2,
        ..fast_policy()
    };
    let failure = expect_failure(
        fetcher(policy)
            .fetch(&FetchRequest::new("board", format!("http://{addr}/")))
            .await,
    );

    assert_eq!(failure.kind, FailureKind::Refused);
    assert_eq!(failure.attempts, 1);
    assert!(
        failure.message.contains("could not connect"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn a_stalled_server_meets_the_deadline() {
    let server = TestServer::start(|_, _| Reply::Stall).await;
    let policy = FetchPolicy {
        total_timeout: Duration::from_millis(800),
        ..fast_policy()
    };
    let started = std::time::Instant::now();
    let failure = expect_failure(
        fetcher(policy)
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );
    let elapsed = started.elapsed();

    assert_eq!(failure.kind, FailureKind::Timeout);
    assert_eq!(failure.attempts, 1);
    assert!(
        elapsed >= Duration::from_millis(750),
        "gave up early: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "the deadline did not hold: {elapsed:?}"
    );
    assert!(failure.message.contains("deadline"), "{}", failure.message);
}

#[tokio::test]
async fn a_slow_trickle_of_failures_meets_the_deadline() {
    // Each attempt takes 300 ms to fail; with backoff, twenty attempts cannot fit in 1 s.
    let server =
        TestServer::start(|_, _| Reply::status(503).delay(Duration::from_millis(300))).await;
    let policy = FetchPolicy {
        total_timeout: Duration::from_secs(1),
        max_attempts: 20,
        backoff_base: Duration::from_millis(100),
        ..fast_policy()
    };
    let started = std::time::Instant::now();
    let failure = expect_failure(
        fetcher(policy)
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );
    let elapsed = started.elapsed();

    assert!(
        elapsed < Duration::from_secs(4),
        "the deadline did not hold: {elapsed:?}"
    );
    assert!(
        failure.attempts < 20,
        "retries were not bounded by the deadline"
    );
    assert!(
        matches!(failure.kind, FailureKind::Http | FailureKind::Timeout),
        "{failure:?}"
    );
    assert_eq!(server.hits() as u32, failure.attempts);
}

#[tokio::test]
async fn a_timeout_after_a_retried_status_still_names_that_status() {
    let server = TestServer::start(|_, index| match index {
        0 => Reply::status(503),
        _ => Reply::Stall,
    })
    .await;
    let policy = FetchPolicy {
        total_timeout: Duration::from_millis(800),
        ..fast_policy()
    };
    let failure = expect_failure(
        fetcher(policy)
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );

    assert_eq!(failure.kind, FailureKind::Timeout);
    assert_eq!(failure.status, Some(503));
    assert_eq!(failure.attempts, 2);
    assert!(failure.message.contains("attempt 2"), "{}", failure.message);
}
