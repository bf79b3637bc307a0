//! What is asked of the fetcher and what it answers: requests, pages, failures.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One URL to fetch, with what is known from the last successful fetch of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchRequest {
    /// The caller's name for this request, for example a source id. The fetcher does not read it.
    pub key: String,
    /// An absolute `http` or `https` URL.
    pub url: String,
    /// The `ETag` of the last stored copy, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` of the last stored copy, sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl FetchRequest {
    /// A request with no validators from an earlier fetch.
    pub fn new(key: impl Into<String>, url: impl Into<String>) -> Self {
        FetchRequest {
            key: key.into(),
            url: url.into(),
            etag: None,
            last_modified: None,
        }
    }
}

/// How a fetch ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum FetchOutcome {
    /// The server sent a body (a 2xx status).
    Fetched(FetchedPage),
    /// The server answered 304: the stored copy is current, and nothing new is to be stored.
    NotModified {
        /// The status received (304).
        status: u16,
        /// How many attempts were made, the successful one included.
        attempts: u32,
        /// Time from the start of the first attempt to the answer.
        elapsed: Duration,
    },
    /// No usable answer; earlier evidence stays as it is.
    Failed(FetchFailure),
}

impl FetchOutcome {
    /// How many attempts were made (0 when the URL was refused before any).
    pub fn attempts(&self) -> u32 {
        match self {
            FetchOutcome::Fetched(page) => page.attempts,
            FetchOutcome::NotModified { attempts, .. } => *attempts,
            FetchOutcome::Failed(failure) => failure.attempts,
        }
    }

    /// Time from the start of the first attempt to the outcome.
    pub fn elapsed(&self) -> Duration {
        match self {
            FetchOutcome::Fetched(page) => page.elapsed,
            FetchOutcome::NotModified { elapsed, .. } => *elapsed,
            FetchOutcome::Failed(failure) => failure.elapsed,
        }
    }
}

/// A body received in full.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct FetchedPage {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The URL the body came from, after redirects.
    pub final_url: String,
    /// The body after content decoding (gzip), in the page's own charset: these are the bytes to
    /// store. Use [`decode_text`](crate::decode_text) for text.
    pub bytes: Vec<u8>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The `ETag` header, to send back as `If-None-Match` next time.
    pub etag: Option<String>,
    /// The `Last-Modified` header, to send back as `If-Modified-Since` next time.
    pub last_modified: Option<String>,
    /// How many attempts were made, the successful one included.
    pub attempts: u32,
    /// Time from the start of the first attempt to the end of the body.
    pub elapsed: Duration,
}

impl fmt::Debug for FetchedPage {
    // A body can be megabytes; printing its length is what a log or a test failure needs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchedPage")
            .field("status", &self.status)
            .field("final_url", &self.final_url)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("content_type", &self.content_type)
            .field("etag", &self.etag)
            .field("last_modified", &self.last_modified)
            .field("attempts", &self.attempts)
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

/// Why a fetch gave up, with enough detail for a person reading a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchFailure {
    /// The class of failure, for exit codes and summaries.
    pub kind: FailureKind,
    /// The last HTTP status received, if the server answered at all.
    pub status: Option<u16>,
    /// What happened, naming the URL, the cause and why no further attempt was made.
    pub message: String,
    /// How many attempts were made (0 when the URL was refused before any).
    pub attempts: u32,
    /// Time from the start of the first attempt to giving up.
    pub elapsed: Duration,
}

impl fmt::Display for FetchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The class of a [`FetchFailure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FailureKind {
    /// A status that is not retried (most 4xx), or retries exhausted on a retryable status.
    Http,
    /// The connection could not be made or broke off (reset, closed early, refused by a host
    /// that had accepted connections earlier in the run).
    Connection,
    /// The host name did not resolve. Not retried: no wait makes a missing name resolve, and
    /// the fetcher's other requests to the host in the same run fail at once.
    Dns,
    /// The TLS handshake failed (an invalid certificate, a server that does not speak TLS).
    /// Not retried, and the host's other requests fail at once.
    Tls,
    /// The host refused the connection, and had refused every connection of this fetcher
    /// before. Not retried, and the host's other requests fail at once.
    Refused,
    /// The deadline passed before a complete answer arrived.
    Timeout,
    /// The body was larger than the policy's cap once decompressed.
    BodyTooLarge,
    /// More redirects than the policy allows, a loop for instance.
    TooManyRedirects,
    /// The URL, or a redirect's target, is unparsable or not `http`/`https`.
    BadUrl,
}

impl FailureKind {
    /// A short lowercase name, stable for logs and JSON consumers.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Http => "http",
            FailureKind::Connection => "connection",
            FailureKind::Dns => "dns",
            FailureKind::Tls => "tls",
            FailureKind::Refused => "refused",
            FailureKind::Timeout => "timeout",
            FailureKind::BodyTooLarge => "body-too-large",
            FailureKind::TooManyRedirects => "too-many-redirects",
            FailureKind::BadUrl => "bad-url",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
