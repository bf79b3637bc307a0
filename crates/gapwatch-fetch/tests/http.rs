//! Request headers, conditional GET, redirects, body caps and bad URLs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] functions are test code too

mod common;

use std::io::Write;
use std::time::Duration;

use common::{Reply, TestServer, fast_policy};
use gapwatch_fetch::{
    FailureKind, FetchFailure, FetchOutcome, FetchPolicy, FetchRequest, FetchedPage, Fetcher,
};

fn fetcher(policy: FetchPolicy) -> Fetcher {
    Fetcher::new(policy).expect("valid policy")
}

fn expect_failure(outcome: FetchOutcome) -> FetchFailure {
    match outcome {
        FetchOutcome::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn expect_page(outcome: FetchOutcome) -> FetchedPage {
    match outcome {
        FetchOutcome::Fetched(page) => page,
        other => panic!("expected a page, got {other:?}"),
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn requests_name_the_tool_and_accept_gzip() {
    let server = TestServer::start(|_, _| Reply::ok("x")).await;
    expect_page(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );

    let request = &server.requests()[0];
    let agent = request.header("user-agent").unwrap();
    assert_eq!(
        agent,
        format!(
            "gapwatch/{} (+https://github.com/gapwatch/gapwatch)",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert!(request.header("accept-encoding").unwrap().contains("gzip"));
    assert_eq!(request.header("if-none-match"), None);
    assert_eq!(request.header("if-modified-since"), None);
}

#[tokio::test]
async fn a_custom_user_agent_is_sent() {
    let server = TestServer::start(|_, _| Reply::ok("x")).await;
    let policy = FetchPolicy {
        user_agent: "gapwatch-test/9 (+mailto:ops@example.org)".into(),
        ..fast_policy()
    };
    expect_page(
        fetcher(policy)
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );
    assert_eq!(
        server.requests()[0].header("user-agent"),
        Some("gapwatch-test/9 (+mailto:ops@example.org)")
    );
}

#[tokio::test]
async fn a_page_carries_its_validators_and_metadata() {
    let server = TestServer::start(|_, _| {
        Reply::ok("model,score\n")
            .header("Content-Type", "text/csv; charset=utf-8")
            .header("ETag", "\"v7\"")
            .header("Last-Modified", "Wed, 21 Oct 2025 07:28:00 GMT")
    })
    .await;
    let page = expect_page(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/b.csv")))
            .await,
    );

    assert_eq!(page.status, 200);
    assert_eq!(page.final_url, server.url("/b.csv"));
    assert_eq!(page.bytes, b"model,score\n");
    assert_eq!(
        page.content_type.as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(page.etag.as_deref(), Some("\"v7\""));
    assert_eq!(
        page.last_modified.as_deref(),
        Some("Wed, 21 Oct 2025 07:28:00 GMT")
    );
    assert_eq!(page.attempts, 1);
}

#[tokio::test]
async fn a_304_is_not_modified_and_the_validators_were_sent() {
    let server = TestServer::start(|request, _| {
        if request.header("if-none-match") == Some("\"v7\"") {
            Reply::status(304).header("ETag", "\"v7\"")
        } else {
            Reply::ok("changed")
        }
    })
    .await;
    let request = FetchRequest {
        key: "board".into(),
        url: server.url("/b.csv"),
        etag: Some("\"v7\"".into()),
        last_modified: Some("Wed, 21 Oct 2025 07:28:00 GMT".into()),
    };
    let outcome = fetcher(fast_policy()).fetch(&request).await;

    match outcome {
        FetchOutcome::NotModified {
            status, attempts, ..
        } => {
            assert_eq!(status, 304);
            assert_eq!(attempts, 1);
        }
        other => panic!("expected not modified, got {other:?}"),
    }
    let seen = &server.requests()[0];
    assert_eq!(seen.header("if-none-match"), Some("\"v7\""));
    assert_eq!(
        seen.header("if-modified-since"),
        Some("Wed, 21 Oct 2025 07:28:00 GMT")
    );
}

#[tokio::test]
async fn a_gzip_body_is_stored_decompressed() {
    let text = "model,score\n".repeat(1000);
    let compressed = gzip(text.as_bytes());
    let server = TestServer::start(move |_, _| {
        Reply::ok(compressed.clone()).header("Content-Encoding", "gzip")
    })
    .await;
    let page = expect_page(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );
    assert_eq!(page.bytes, text.as_bytes());
}

#[tokio::test]
async fn a_body_just_under_the_cap_is_accepted() {
    let body = vec![b'a'; 1024 * 1024];
    let expected = body.clone();
    let server = TestServer::start(move |_, _| Reply::ok(body.clone()).without_length()).await;
    let page = expect_page(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );
    assert_eq!(page.bytes, expected);
}

#[tokio::test]
async fn a_declared_body_over_the_cap_is_refused() {
    let server = TestServer::start(|_, _| Reply::ok(vec![b'a'; 1024 * 1024 + 1])).await;
    let failure = expect_failure(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/big")))
            .await,
    );

    assert_eq!(failure.kind, FailureKind::BodyTooLarge);
    assert_eq!(failure.status, Some(200));
    assert_eq!(failure.attempts, 1, "an oversized body is not retried");
    assert_eq!(server.hits(), 1);
    assert!(failure.message.contains("1 MiB cap"), "{}", failure.message);
}

#[tokio::test]
async fn an_undeclared_body_over_the_cap_is_cut_off() {
    let server =
        TestServer::start(|_, _| Reply::ok(vec![b'a'; 3 * 1024 * 1024]).without_length()).await;
    let failure = expect_failure(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/big")))
            .await,
    );

    assert_eq!(failure.kind, FailureKind::BodyTooLarge);
    assert_eq!(failure.attempts, 1);
    assert!(
        failure.message.contains("stopped reading"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn a_compressed_body_is_capped_after_decompression() {
    // 2 MiB of text compresses to a few KiB: the compressed size must not fool the cap.
    let compressed = gzip(&vec![b'7'; 2 * 1024 * 1024]);
    assert!(compressed.len() < 64 * 1024);
    let server = TestServer::start(move |_, _| {
        Reply::ok(compressed.clone()).header("Content-Encoding", "gzip")
    })
    .await;
    let failure = expect_failure(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );
    assert_eq!(failure.kind, FailureKind::BodyTooLarge);
}

#[tokio::test]
async fn redirects_are_followed_to_the_final_url() {
    let server = TestServer::start(|request, _| match request.path.as_str() {
        "/old" => Reply::status(301).header("Location", "/newer"),
        "/newer" => Reply::status(302).header("Location", "/newest?x=1"),
        _ => Reply::ok(request.path.clone()),
    })
    .await;
    let page = expect_page(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/old")))
            .await,
    );

    assert_eq!(page.final_url, server.url("/newest?x=1"));
    assert_eq!(page.bytes, b"/newest?x=1");
    assert_eq!(page.attempts, 1, "redirects are not attempts");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn a_redirect_loop_is_cut_off() {
    let server = TestServer::start(|request, _| {
        let next = if request.path == "/a" { "/b" } else { "/a" };
        Reply::status(302).header("Location", next)
    })
    .await;
    let failure = expect_failure(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/a")))
            .await,
    );

    assert_eq!(failure.kind, FailureKind::TooManyRedirects);
    assert_eq!(failure.attempts, 1, "a loop is not retried");
    // The first request plus max_redirects (3) followed ones.
    assert_eq!(server.hits(), 4);
    assert!(
        failure.message.contains("more than 3 redirects"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn a_redirect_to_another_scheme_is_refused() {
    let server = TestServer::start(|_, _| {
        Reply::status(302).header("Location", "ftp://127.0.0.1/board.csv")
    })
    .await;
    let failure = expect_failure(
        fetcher(fast_policy())
            .fetch(&FetchRequest::new("board", server.url("/")))
            .await,
    );

    assert_eq!(failure.kind, FailureKind::BadUrl);
    assert_eq!(failure.status, Some(302));
    assert_eq!(server.hits(), 1);
    assert!(
        failure.message.contains("only http and https"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn urls_that_are_not_http_are_refused_without_a_request() {
    let fetcher = fetcher(fast_policy());
    for url in [
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "not a url",
        "",
        "http://",
        "/relative/path",
    ] {
        let failure = expect_failure(fetcher.fetch(&FetchRequest::new("board", url)).await);
        assert_eq!(failure.kind, FailureKind::BadUrl, "{url:?}");
        assert_eq!(failure.attempts, 0, "{url:?}");
        assert_eq!(failure.elapsed, Duration::ZERO);
    }
}

#[tokio::test]
async fn an_unsendable_validator_is_left_out_rather_than_failing() {
    let server = TestServer::start(|_, _| Reply::ok("x")).await;
    let request = FetchRequest {
        etag: Some("bad\nvalue".into()),
        ..FetchRequest::new("board", server.url("/"))
    };
    expect_page(fetcher(fast_policy()).fetch(&request).await);
    assert_eq!(server.requests()[0].header("if-none-match"), None);
}

#[test]
fn policies_that_cannot_work_are_refused() {
    for policy in [
        FetchPolicy {
            global_concurrency: 0,
            ..FetchPolicy::default()
        },
        FetchPolicy {
            per_host_concurrency: 0,
            ..FetchPolicy::default()
        },
        FetchPolicy {
            max_attempts: 0,
            ..FetchPolicy::default()
        },
        FetchPolicy {
            total_timeout: Duration::ZERO,
            ..FetchPolicy::default()
        },
        FetchPolicy {
            user_agent: "bad\nagent".into(),
            ..FetchPolicy::default()
        },
    ] {
        let error = Fetcher::new(policy).unwrap_err();
        assert!(
            error.to_string().starts_with("invalid fetch policy: "),
            "{error}"
        );
    }
    assert!(Fetcher::new(FetchPolicy::default()).is_ok());
}
