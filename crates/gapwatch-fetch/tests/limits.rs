//! Concurrency limits and pacing, observed from the server side.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] functions are test code too

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Gauge, Reply, TestServer, fast_policy};
use gapwatch_fetch::{FetchOutcome, FetchPolicy, FetchRequest, Fetcher};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_host_never_sees_more_than_the_per_host_limit() {
    let server = TestServer::start(|request, _| {
        Reply::ok(request.path.clone()).delay(Duration::from_millis(30))
    })
    .await;
    let policy = FetchPolicy {
        per_host_concurrency: 4,
        global_concurrency: 16,
        ..fast_policy()
    };
    let fetcher = Fetcher::new(policy).unwrap();
    let requests: Vec<FetchRequest> = (0..100)
        .map(|i| FetchRequest::new(format!("source-{i}"), server.url(&format!("/page/{i}"))))
        .collect();
    let done = Mutex::new(Vec::new());
    let results = fetcher
        .fetch_all(requests, |request, outcome| {
            done.lock().unwrap().push((
                request.key.clone(),
                matches!(outcome, FetchOutcome::Fetched(_)),
            ));
        })
        .await;

    assert_eq!(server.hits(), 100);
    let max = server.max_in_flight();
    assert!(max <= 4, "the server saw {max} requests at once");
    assert!(max >= 2, "requests were not concurrent at all (max {max})");
    // Results come back in the order given, each with its own body.
    assert_eq!(results.len(), 100);
    for (i, (request, outcome)) in results.iter().enumerate() {
        assert_eq!(request.key, format!("source-{i}"));
        match outcome {
            FetchOutcome::Fetched(page) => {
                assert_eq!(page.bytes, format!("/page/{i}").into_bytes())
            }
            other => panic!("{}: {other:?}", request.key),
        }
    }
    // The progress callback saw every request exactly once.
    let mut done = done.into_inner().unwrap();
    assert_eq!(done.len(), 100);
    assert!(done.iter().all(|(_, fetched)| *fetched));
    done.sort();
    done.dedup();
    assert_eq!(done.len(), 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_hosts_together_never_exceed_the_global_limit() {
    let gauge = Arc::new(Gauge::default());
    let mut servers = Vec::new();
    for _ in 0..3 {
        let server = TestServer::start_with_gauge(Arc::clone(&gauge), |_, _| {
            Reply::ok("x").delay(Duration::from_millis(40))
        })
        .await;
        servers.push(server);
    }
    let policy = FetchPolicy {
        per_host_concurrency: 4,
        global_concurrency: 5,
        ..fast_policy()
    };
    let fetcher = Fetcher::new(policy).unwrap();
    let requests: Vec<FetchRequest> = (0..60)
        .map(|i| FetchRequest::new(format!("s{i}"), servers[i % 3].url(&format!("/{i}"))))
        .collect();
    let results = fetcher.fetch_all(requests, |_, _| {}).await;

    assert!(
        results
            .iter()
            .all(|(_, outcome)| matches!(outcome, FetchOutcome::Fetched(_)))
    );
    assert_eq!(servers.iter().map(TestServer::hits).sum::<usize>(), 60);
    let max = gauge.max();
    assert!(max <= 5, "the servers saw {max} requests at once");
    assert!(max >= 2, "requests were not concurrent at all (max {max})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_to_one_host_are_spaced_by_the_interval() {
    let server = TestServer::start(|_, _| Reply::ok("x")).await;
    let policy = FetchPolicy {
        per_host_concurrency: 4,
        per_host_interval: Duration::from_millis(250),
        ..fast_policy()
    };
    let fetcher = Fetcher::new(policy).unwrap();
    let requests = (0..4)
        .map(|i| FetchRequest::new(format!("s{i}"), server.url(&format!("/{i}"))))
        .collect();
    fetcher.fetch_all(requests, |_, _| {}).await;

    let mut times: Vec<_> = server.requests().iter().map(|r| r.at).collect();
    times.sort();
    assert_eq!(times.len(), 4);
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        // The client spaces starts by 250 ms; allow a little for scheduling on the way in.
        assert!(
            gap >= Duration::from_millis(200),
            "two starts only {gap:?} apart"
        );
    }
}

#[tokio::test]
async fn retry_after_holds_back_the_whole_host() {
    let server = TestServer::start(|request, _| {
        if request.path == "/limited" {
            Reply::status(429).header("Retry-After", "1")
        } else {
            Reply::ok("x")
        }
    })
    .await;
    let policy = FetchPolicy {
        max_attempts: 1,
        ..fast_policy()
    };
    let fetcher = Fetcher::new(policy).unwrap();
    let limited = fetcher
        .fetch(&FetchRequest::new("a", server.url("/limited")))
        .await;
    assert!(matches!(limited, FetchOutcome::Failed(_)));
    let other = fetcher
        .fetch(&FetchRequest::new("b", server.url("/other")))
        .await;
    assert!(matches!(other, FetchOutcome::Fetched(_)));

    let requests = server.requests();
    let gap = requests[1].at - requests[0].at;
    assert!(
        gap >= Duration::from_millis(900),
        "the host was asked again after {gap:?}"
    );
}
