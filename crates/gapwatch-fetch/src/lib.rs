//! The gapwatch HTTP fetcher: polite, bounded, retrying downloads of leaderboard sources.
//!
//! ```
//! use gapwatch_fetch::decode_text;
//!
//! // A leaderboard page served in windows-1252, declared only in its <meta>.
//! let page = b"<html><head><meta charset=\"windows-1252\"></head>\
//!              <body><td>Mistral Large \x96 88.0\x80</td></body></html>";
//! let (text, encoding) = decode_text(page, Some("text/html"));
//! assert_eq!(encoding, "windows-1252");
//! assert!(text.contains("<td>Mistral Large – 88.0€</td>"));
//! ```
//!
//! [`Fetcher`] fetches URLs for scheduled, unattended runs, where servers rate-limit, fail,
//! stall, redirect and misdeclare encodings, and none of that may lose or corrupt evidence:
//!
//! - a global and a per-host concurrency limit, and a minimum interval between request starts
//!   to one host;
//! - a connect timeout and a deadline per URL covering every attempt and wait;
//! - retries with exponential backoff and jitter on 5xx, 408, 429 and connection errors, with
//!   `Retry-After` honoured (seconds or HTTP-date) up to a cap and never past the deadline;
//!   other 4xx are not retried;
//! - no retry where none can help: a host name that does not resolve, a failed TLS handshake
//!   and a host refusing every connection end the fetch at once, and the same fetcher's other
//!   requests to that host fail without an attempt (names under `.invalid` fail without a
//!   lookup, as RFC 6761 asks);
//! - conditional requests (`If-None-Match`, `If-Modified-Since`), a 304 being reported as
//!   [`FetchOutcome::NotModified`] so the caller stores nothing new;
//! - gzip accepted, and a body cap enforced on the decompressed stream as it arrives, so a
//!   decompression bomb costs no more memory than the cap;
//! - a redirect limit, and `http`/`https` only, redirect targets included.
//!
//! Outcomes are values, never errors: a failed source yields [`FetchOutcome::Failed`] with a
//! [`FailureKind`] and a message naming the URL. [`FetchedPage::bytes`] holds the body in its
//! own charset, as it should be stored; [`decode_text`] turns it into text by the WHATWG rules.
//!
//! ```no_run
//! use gapwatch_fetch::{FetchPolicy, FetchRequest, Fetcher};
//!
//! # async fn run() -> Result<(), gapwatch_fetch::FetchError> {
//! let fetcher = Fetcher::new(FetchPolicy::default())?;
//! let requests = vec![
//!     FetchRequest::new("mmlu-board", "https://example.org/mmlu.csv"),
//!     FetchRequest::new("swe-bench", "https://example.org/swe-bench.json"),
//! ];
//! let results = fetcher
//!     .fetch_all(requests, |request, outcome| eprintln!("{}: {} attempts", request.key, outcome.attempts()))
//!     .await;
//! assert_eq!(results.len(), 2);
//! # Ok(())
//! # }
//! ```
//!
//! [`Fetcher::start_all`] hands outcomes back as they finish and can cancel the fetches still
//! in flight, for a caller that stores each page at once and stops on a signal;
//! [`Fetcher::with_observer`] reports attempts, waits and retries as they happen, for logs.
//!
//! This crate parses no leaderboard and stores nothing: it hands bytes and HTTP metadata to
//! the caller.

mod batch;
mod decode;
mod error;
mod events;
mod fetcher;
mod limits;
mod outcome;
mod policy;
mod resolve;
mod retry;

pub use batch::FetchBatch;
pub use decode::decode_text;
pub use error::FetchError;
pub use events::FetchEvent;
pub use fetcher::Fetcher;
pub use outcome::{FailureKind, FetchFailure, FetchOutcome, FetchRequest, FetchedPage};
pub use policy::FetchPolicy;
