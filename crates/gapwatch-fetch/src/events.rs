//! What the fetcher is doing while it works, for a caller that logs it: attempts, waits,
//! retries and hosts given up on.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Something the fetcher did or is about to do, reported to the observer given to
/// [`Fetcher::with_observer`](crate::Fetcher::with_observer) as it happens.
///
/// Events are for logs: the outcome of each fetch is still its [`FetchOutcome`](crate::FetchOutcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchEvent<'a> {
    /// An attempt is about to be sent.
    Attempt {
        /// The request's key.
        key: &'a str,
        /// The URL asked for.
        url: &'a str,
        /// 1 for the first attempt.
        attempt: u32,
    },
    /// A request waits before it may start: the per-host interval, or a host's `Retry-After`.
    Waiting {
        /// The request's key.
        key: &'a str,
        /// The host and port waited for.
        host: &'a str,
        /// How long.
        wait: Duration,
    },
    /// An attempt failed in a way worth another; the next starts after `wait`.
    Retrying {
        /// The request's key.
        key: &'a str,
        /// The attempt that failed, 1 for the first.
        attempt: u32,
        /// How long until the next attempt may start.
        wait: Duration,
        /// `Retry-After` asked for the wait, rather than the backoff.
        retry_after: bool,
        /// What went wrong, naming the URL.
        reason: &'a str,
    },
    /// A failure no retry can fix (a name that does not resolve, a failed TLS handshake, a
    /// host refusing every connection): the host's other requests fail at once.
    HostUnreachable {
        /// The host and port.
        host: &'a str,
        /// What went wrong, naming the URL.
        reason: &'a str,
    },
}

/// The function events are sent to.
pub(crate) type ObserverFn = dyn Fn(&FetchEvent<'_>) + Send + Sync;

/// An optional observer; printing it shows only whether there is one.
#[derive(Clone, Default)]
pub(crate) struct Observer(pub(crate) Option<Arc<ObserverFn>>);

impl Observer {
    pub(crate) fn emit(&self, event: FetchEvent<'_>) {
        if let Some(observer) = &self.0 {
            observer(&event);
        }
    }
}

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Observer(Some(..))"
        } else {
            "Observer(None)"
        })
    }
}
