//! Concurrency and pacing: one global semaphore, and per host a semaphore and a start clock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::FailureKind;

/// Shared by every fetch of one [`Fetcher`](crate::Fetcher).
#[derive(Debug)]
pub(crate) struct Limits {
    global: Arc<Semaphore>,
    per_host_concurrency: usize,
    per_host_interval: Duration,
    hosts: Mutex<HashMap<String, Arc<HostLimit>>>,
}

/// The state kept for one host (host and port).
#[derive(Debug)]
pub(crate) struct HostLimit {
    permits: Arc<Semaphore>,
    /// The earliest instant the next request to this host may start.
    next_start: Mutex<Instant>,
    /// Whether the host has answered a request of this fetcher: a refusal after that may be
    /// a restart, worth a retry; a host that refused from the start is not listening.
    answered: AtomicBool,
    /// Set once a failure no retry can fix shows the host cannot be reached.
    unreachable: Mutex<Option<Unreachable>>,
    /// Wakes the requests waiting for this host once it is found unreachable.
    given_up: Notify,
}

/// Why a host cannot be reached: the first failure that showed it.
#[derive(Debug, Clone)]
pub(crate) struct Unreachable {
    pub(crate) kind: FailureKind,
    pub(crate) reason: String,
}

/// The right to send one request: held for the duration of one attempt.
#[derive(Debug)]
pub(crate) struct Turn {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl Limits {
    pub(crate) fn new(
        global_concurrency: usize,
        per_host_concurrency: usize,
        per_host_interval: Duration,
    ) -> Self {
        Limits {
            global: Arc::new(Semaphore::new(global_concurrency)),
            per_host_concurrency,
            per_host_interval,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn host(&self, key: &str) -> Arc<HostLimit> {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(hosts.entry(key.to_owned()).or_insert_with(|| {
            Arc::new(HostLimit {
                permits: Arc::new(Semaphore::new(self.per_host_concurrency)),
                next_start: Mutex::new(Instant::now()),
                answered: AtomicBool::new(false),
                unreachable: Mutex::new(None),
                given_up: Notify::new(),
            })
        }))
    }

    /// Waits until a request to `host` may start: a host slot, a global slot, and the host's
    /// interval since the previous start.
    ///
    /// The host slot is taken first so that requests queued behind a busy host do not sit on
    /// global slots other hosts could use; the global slot is let go while waiting out the
    /// interval for the same reason. The start is recorded only when the request really starts,
    /// so the interval holds between actual starts.
    ///
    /// `on_wait` is told of each wait for the interval before it starts.
    pub(crate) async fn turn(&self, host: &HostLimit, on_wait: impl Fn(Duration)) -> Turn {
        let host_permit = acquire(&host.permits).await;
        loop {
            let global_permit = acquire(&self.global).await;
            let wait = {
                let mut next = host
                    .next_start
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                if now >= *next {
                    *next = later(now, self.per_host_interval);
                    None
                } else {
                    Some(*next - now)
                }
            };
            match wait {
                None => {
                    return Turn {
                        _host: host_permit,
                        _global: global_permit,
                    };
                }
                Some(wait) => {
                    drop(global_permit);
                    on_wait(wait);
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

impl HostLimit {
    /// Holds every request to this host until `until`, as a server's `Retry-After` asks: it
    /// speaks for the host, not for one URL.
    pub(crate) fn defer_until(&self, until: Instant) {
        let mut next = self
            .next_start
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if *next < until {
            *next = until;
        }
    }

    /// Notes that the host answered a request.
    pub(crate) fn mark_answered(&self) {
        self.answered.store(true, Ordering::SeqCst);
    }

    /// Whether the host has answered a request of this fetcher.
    pub(crate) fn has_answered(&self) -> bool {
        self.answered.load(Ordering::SeqCst)
    }

    /// Records that the host cannot be reached (the first reason is kept) and wakes every
    /// request waiting for it.
    pub(crate) fn give_up(&self, kind: FailureKind, reason: &str) {
        let mut unreachable = self
            .unreachable
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if unreachable.is_none() {
            *unreachable = Some(Unreachable {
                kind,
                reason: reason.to_owned(),
            });
        }
        drop(unreachable);
        self.given_up.notify_waiters();
    }

    /// Why the host cannot be reached, once known.
    pub(crate) fn unreachable(&self) -> Option<Unreachable> {
        self.unreachable
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until the host is found unreachable (forever if it never is).
    pub(crate) async fn until_unreachable(&self) -> Unreachable {
        loop {
            let notified = self.given_up.notified();
            let mut notified = std::pin::pin!(notified);
            // Registered before the check, so a `give_up` in between is not missed.
            notified.as_mut().enable();
            if let Some(unreachable) = self.unreachable() {
                return unreachable;
            }
            notified.await;
        }
    }
}

/// `instant + duration`, saturating where a policy's absurd duration would overflow the clock.
pub(crate) fn later(instant: Instant, duration: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
    instant
        .checked_add(duration.min(CENTURY))
        .unwrap_or(instant)
}

async fn acquire(semaphore: &Arc<Semaphore>) -> OwnedSemaphorePermit {
    #[allow(clippy::expect_used)]
    Arc::clone(semaphore)
        .acquire_owned()
        .await
        .expect("the fetcher's semaphores are never closed")
}
