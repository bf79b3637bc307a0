//! How politely and how persistently to fetch: limits, timeouts, retries, caps.

use std::time::Duration;

use serde::Serialize;

/// The limits a [`Fetcher`](crate::Fetcher) works within.
///
/// Every limit is enforced by the fetcher itself, so a scheduled run against a slow, failing or
/// hostile server ends on time with a bounded amount of memory. Start from
/// [`FetchPolicy::default`] and change what you need:
///
/// ```
/// use std::time::Duration;
/// use gapwatch_fetch::FetchPolicy;
///
/// let policy = FetchPolicy { total_timeout: Duration::from_secs(30), ..FetchPolicy::default() };
/// assert_eq!(policy.per_host_concurrency, 2);
/// assert!(policy.user_agent.starts_with("gapwatch/"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchPolicy {
    /// How many requests may be in flight at once, over all hosts.
    pub global_concurrency: usize,
    /// How many requests may be in flight at once to one host (host and port).
    pub per_host_concurrency: usize,
    /// The least time between the starts of two requests to one host.
    pub per_host_interval: Duration,
    /// How long to wait for a TCP (and TLS) connection before counting it a connection error.
    pub connect_timeout: Duration,
    /// The deadline for one URL, all attempts, waits and redirects included. The clock starts
    /// when the first attempt starts, so time spent queueing behind other URLs does not count.
    pub total_timeout: Duration,
    /// The most attempts made for one URL, the first included.
    pub max_attempts: u32,
    /// The backoff before the second attempt; it doubles for each later one.
    pub backoff_base: Duration,
    /// The longest backoff, before jitter (up to ±20%) is applied.
    pub backoff_max: Duration,
    /// The longest wait a server's `Retry-After` can ask for; longer requests are shortened to this.
    pub retry_after_cap: Duration,
    /// The largest body accepted, counted after decompression.
    pub max_body_bytes: u64,
    /// The most redirects followed for one attempt.
    pub max_redirects: usize,
    /// The `User-Agent` header sent with every request.
    pub user_agent: String,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            global_concurrency: 8,
            per_host_concurrency: 2,
            per_host_interval: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(120),
            max_attempts: 4,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            retry_after_cap: Duration::from_secs(120),
            max_body_bytes: 50 * 1024 * 1024,
            max_redirects: 5,
            user_agent: default_user_agent(),
        }
    }
}

/// `gapwatch/<version> (+<repository>)`: names the tool and where to learn about it, so a site
/// operator who sees it in a log can find out who is calling.
fn default_user_agent() -> String {
    format!(
        "gapwatch/{} (+{})",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_REPOSITORY")
    )
}
