//! Failures no retry can fix (a name that does not resolve, a failed TLS handshake, a host
//! refusing every connection) end at once, for every request to that host; a refusal from a
//! host that answered before is still retried.
//!
//! Every name used is under `.invalid`, which the fetcher fails without a lookup, and every
//! address is 127.0.0.1: these tests send nothing anywhere else.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Reply, TestServer, fast_policy};
use gapwatch_fetch::{
    FailureKind, FetchEvent, FetchFailure, FetchOutcome, FetchPolicy, FetchRequest, Fetcher,
};

fn expect_failure(outcome: &FetchOutcome) -> &FetchFailure {
    match outcome {
        FetchOutcome::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// A patient policy: four attempts, a second of backoff and of politeness per host, so that
/// any retry or wait would show in the time taken.
fn patient() -> FetchPolicy {
    FetchPolicy {
        per_host_concurrency: 1,
        per_host_interval: Duration::from_secs(1),
        max_attempts: 4,
        backoff_base: Duration::from_secs(1),
        backoff_max: Duration::from_secs(4),
        ..fast_policy()
    }
}

/// A port on 127.0.0.1 with nothing listening.
fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

#[tokio::test]
async fn a_name_that_does_not_resolve_fails_at_once_for_every_request_to_its_host() {
    let fetcher = Fetcher::new(patient()).unwrap();
    let requests: Vec<FetchRequest> = (0..5)
        .map(|i| {
            FetchRequest::new(
                format!("board-{i}"),
                format!("https://leaderboards.example.invalid/board-{i}.json"),
            )
        })
        .collect();
    let started = Instant::now();
    let results = fetcher.fetch_all(requests, |_, _| {}).await;
    let took = started.elapsed();

    assert!(
        took < Duration::from_millis(900),
        "no retry, backoff or politeness wait: took {took:?}"
    );
    let failures: Vec<&FetchFailure> = results.iter().map(|(_, o)| expect_failure(o)).collect();
    assert!(failures.iter().all(|f| f.kind == FailureKind::Dns));
    assert!(failures.iter().all(|f| f.status.is_none()));
    // One request asked and was told; the others were not tried.
    let tried: Vec<u32> = failures.iter().map(|f| f.attempts).collect();
    assert_eq!(tried.iter().filter(|&&a| a == 1).count(), 1, "{tried:?}");
    assert_eq!(tried.iter().filter(|&&a| a == 0).count(), 4, "{tried:?}");
    let tried = failures.iter().find(|f| f.attempts == 1).unwrap();
    assert!(
        tried
            .message
            .contains("leaderboards.example.invalid did not resolve"),
        "{}",
        tried.message
    );
    for not_tried in failures.iter().filter(|f| f.attempts == 0) {
        assert!(
            not_tried.message.contains(
                "not tried: leaderboards.example.invalid:443 cannot be reached, as an earlier request found: the name did not resolve"
            ),
            "{}",
            not_tried.message
        );
    }
}

#[tokio::test]
async fn a_failed_tls_handshake_is_not_retried() {
    // A server that answers anything with plain HTTP, as a TLS client meets it on a
    // misconfigured port.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(Mutex::new(0usize));
    let counted = Arc::clone(&connections);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            *counted.lock().unwrap() += 1;
            let mut buffer = [0u8; 1024];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let fetcher = Fetcher::new(patient()).unwrap();
    let started = Instant::now();
    let outcome = fetcher
        .fetch(&FetchRequest::new(
            "board",
            format!("https://{addr}/board.json"),
        ))
        .await;
    let took = started.elapsed();

    let failure = expect_failure(&outcome);
    assert_eq!(failure.kind, FailureKind::Tls, "{}", failure.message);
    assert_eq!(failure.attempts, 1);
    assert!(
        failure.message.contains("TLS handshake failed"),
        "{}",
        failure.message
    );
    assert!(took < Duration::from_millis(900), "took {took:?}");
    assert_eq!(*connections.lock().unwrap(), 1);
}

#[tokio::test]
async fn a_host_that_refuses_every_connection_is_not_retried_nor_waited_for() {
    let addr = closed_port();
    let fetcher = Fetcher::new(patient()).unwrap();
    let requests = vec![
        FetchRequest::new("first", format!("http://{addr}/a.csv")),
        FetchRequest::new("second", format!("http://{addr}/b.csv")),
    ];
    let started = Instant::now();
    let results = fetcher.fetch_all(requests, |_, _| {}).await;
    let took = started.elapsed();

    assert!(took < Duration::from_millis(900), "took {took:?}");
    let failures: Vec<&FetchFailure> = results.iter().map(|(_, o)| expect_failure(o)).collect();
    assert!(failures.iter().all(|f| f.kind == FailureKind::Refused));
    let mut attempts: Vec<u32> = failures.iter().map(|f| f.attempts).collect();
    attempts.sort_unstable();
    assert_eq!(attempts, [0, 1]);
    let tried = failures.iter().find(|f| f.attempts == 1).unwrap();
    assert!(
        tried.message.contains("refused every connection"),
        "{}",
        tried.message
    );
}

#[tokio::test]
async fn a_refusal_from_a_host_that_answered_before_is_retried() {
    // The host answers once, then goes away (a restart) and is back when the retry comes.
    fn serve_one(listener: TcpListener) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        })
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let first_life = serve_one(listener);
    let second_life = Arc::new(Mutex::new(None));
    let events = Arc::new(Mutex::new(Vec::new()));
    let (slot, seen) = (Arc::clone(&second_life), Arc::clone(&events));
    let policy = FetchPolicy {
        per_host_interval: Duration::ZERO,
        backoff_base: Duration::from_millis(50),
        ..patient()
    };
    let fetcher = Fetcher::with_observer(policy, move |event: &FetchEvent<'_>| {
        if let FetchEvent::Retrying { key, reason, .. } = event {
            seen.lock().unwrap().push(format!("{key}: {reason}"));
            let mut slot = slot.lock().unwrap();
            if slot.is_none() {
                *slot = Some(serve_one(TcpListener::bind(addr).unwrap()));
            }
        }
    })
    .unwrap();

    let first = fetcher
        .fetch(&FetchRequest::new("first", format!("http://{addr}/a")))
        .await;
    assert!(matches!(first, FetchOutcome::Fetched(_)), "{first:?}");
    // The listener is gone once its one connection is served: the port refuses.
    first_life.join().unwrap();

    let second = fetcher
        .fetch(&FetchRequest::new("second", format!("http://{addr}/b")))
        .await;
    let FetchOutcome::Fetched(page) = second else {
        panic!("the retry should reach the restarted host: {second:?}");
    };
    assert_eq!(page.attempts, 2);
    assert_eq!(page.bytes, b"ok");
    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0].starts_with("second: ") && events[0].contains("refused"),
        "{events:?}"
    );
    second_life.lock().unwrap().take().unwrap().join().unwrap();
}

#[tokio::test]
async fn the_observer_hears_of_waits_and_retries() {
    let server = TestServer::start(|_, _| Reply::status(503)).await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let policy = FetchPolicy {
        per_host_concurrency: 1,
        per_host_interval: Duration::from_millis(300),
        max_attempts: 2,
        ..fast_policy()
    };
    let fetcher = Fetcher::with_observer(policy, move |event: &FetchEvent<'_>| {
        let line = match event {
            FetchEvent::Attempt { key, attempt, .. } => format!("attempt {key} {attempt}"),
            FetchEvent::Waiting { key, .. } => format!("waiting {key}"),
            FetchEvent::Retrying {
                key,
                attempt,
                retry_after,
                ..
            } => format!("retrying {key} after {attempt} (retry-after: {retry_after})"),
            FetchEvent::HostUnreachable { host, .. } => format!("unreachable {host}"),
            _ => "other".to_owned(),
        };
        seen.lock().unwrap().push(line);
    })
    .unwrap();
    let outcome = fetcher
        .fetch(&FetchRequest::new("flaky", server.url("/flaky")))
        .await;
    // Both attempts answered 503: the failure is reported after the second.
    assert_eq!(expect_failure(&outcome).attempts, 2);
    let events = events.lock().unwrap().clone();
    assert_eq!(
        events,
        [
            "attempt flaky 1",
            "retrying flaky after 1 (retry-after: false)",
            "waiting flaky",
            "attempt flaky 2",
        ],
    );
}

#[tokio::test]
async fn a_batch_hands_back_each_fetch_as_it_finishes_and_cancels_the_rest_at_once() {
    let server = TestServer::start(|request, _| match request.path.as_str() {
        "/fast" => Reply::ok("fast"),
        _ => Reply::Stall,
    })
    .await;
    let fetcher = Fetcher::new(FetchPolicy {
        total_timeout: Duration::from_secs(60),
        ..fast_policy()
    })
    .unwrap();
    let mut batch = fetcher.start_all(vec![
        FetchRequest::new("stalls-1", server.url("/stall-1")),
        FetchRequest::new("fast", server.url("/fast")),
        FetchRequest::new("stalls-2", server.url("/stall-2")),
    ]);
    assert_eq!(batch.remaining(), 3);
    let (request, outcome) = tokio::time::timeout(Duration::from_secs(5), batch.next())
        .await
        .expect("the fast fetch is handed back without waiting for the stalled ones")
        .unwrap();
    assert_eq!(request.key, "fast");
    assert!(matches!(outcome, FetchOutcome::Fetched(_)));
    assert!(batch.try_next().is_none(), "the others are still stalled");
    // Both stalled requests reached the server before the batch is cancelled.
    for _ in 0..500 {
        if server.hits() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(server.hits(), 3);

    let started = Instant::now();
    let unfinished = batch.cancel();
    let keys: Vec<&str> = unfinished.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["stalls-1", "stalls-2"], "in the order given");
    assert_eq!(batch.remaining(), 0);
    assert!(batch.next().await.is_none());
    assert!(started.elapsed() < Duration::from_secs(1));
}
