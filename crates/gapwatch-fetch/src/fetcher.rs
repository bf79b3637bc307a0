//! The fetcher: attempts, retries, redirects, deadlines and body caps around one HTTP client.

use std::error::Error as _;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{
    CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, LOCATION, RETRY_AFTER,
};
use reqwest::{Client, Response, StatusCode, Url};
use tokio::time::Instant;

use crate::events::{FetchEvent, Observer};
use crate::limits::{HostLimit, Limits, Unreachable, later};
use crate::resolve::{NameNotResolved, Resolver, is_reserved_invalid};
use crate::retry::{backoff, human, is_retryable_status, parse_retry_after};
use crate::{
    FailureKind, FetchBatch, FetchError, FetchFailure, FetchOutcome, FetchPolicy, FetchRequest,
    FetchedPage,
};

/// Fetches URLs within a [`FetchPolicy`]: bounded concurrency, paced per host, retried with
/// backoff, cut off at a deadline and a body cap.
///
/// Cloning is cheap and clones share their limits, so one fetcher can serve a whole run.
///
/// ```no_run
/// use gapwatch_fetch::{FetchOutcome, FetchPolicy, FetchRequest, Fetcher};
///
/// # async fn run() -> Result<(), gapwatch_fetch::FetchError> {
/// let fetcher = Fetcher::new(FetchPolicy::default())?;
/// let request = FetchRequest::new("mmlu-board", "https://example.org/mmlu.csv");
/// match fetcher.fetch(&request).await {
///     FetchOutcome::Fetched(page) => println!("{} bytes", page.bytes.len()),
///     FetchOutcome::NotModified { .. } => println!("unchanged"),
///     FetchOutcome::Failed(failure) => eprintln!("{}: {failure}", request.key),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    policy: FetchPolicy,
    /// Honours the proxy environment variables.
    client: Client,
    /// Never proxied: loopback traffic sent to a proxy is never what anyone means, and a
    /// name under `.invalid` must fail here rather than be sent anywhere.
    direct: Client,
    limits: Limits,
    observer: Observer,
}

/// How one attempt (one request and its redirects) ended.
enum Attempt {
    Page(FetchedPage),
    NotModified(u16),
    /// Worth another attempt.
    Retry {
        kind: FailureKind,
        status: Option<u16>,
        message: String,
        retry_after: Option<Duration>,
    },
    /// Final: another attempt would get the same answer or do harm.
    Stop {
        kind: FailureKind,
        status: Option<u16>,
        message: String,
        /// The URL's host cannot be reached at all: its other requests fail at once.
        unreachable: bool,
    },
}

impl Fetcher {
    /// A fetcher with its own HTTP client and limits.
    ///
    /// Fails when the policy cannot work (zero concurrency or attempts, a user agent that is not
    /// a valid header value) or the client cannot be built.
    pub fn new(policy: FetchPolicy) -> Result<Fetcher, FetchError> {
        Fetcher::build(policy, Observer::default())
    }

    /// A fetcher that reports what it does (attempts, waits, retries, hosts given up on) to
    /// `observer` as it happens, for a caller that logs. The observer is called from the
    /// fetching tasks: it should be quick.
    ///
    /// ```
    /// use gapwatch_fetch::{FetchEvent, FetchPolicy, Fetcher};
    ///
    /// let fetcher = Fetcher::with_observer(FetchPolicy::default(), |event: &FetchEvent<'_>| {
    ///     if let FetchEvent::Retrying { key, wait, reason, .. } = event {
    ///         eprintln!("{key}: retrying in {wait:?}: {reason}");
    ///     }
    /// });
    /// assert!(fetcher.is_ok());
    /// ```
    pub fn with_observer(
        policy: FetchPolicy,
        observer: impl Fn(&FetchEvent<'_>) + Send + Sync + 'static,
    ) -> Result<Fetcher, FetchError> {
        Fetcher::build(policy, Observer(Some(Arc::new(observer))))
    }

    fn build(policy: FetchPolicy, observer: Observer) -> Result<Fetcher, FetchError> {
        let invalid = |field, problem| Err(FetchError::InvalidPolicy { field, problem });
        if policy.global_concurrency == 0 {
            return invalid("global_concurrency", "must be at least 1");
        }
        if policy.per_host_concurrency == 0 {
            return invalid("per_host_concurrency", "must be at least 1");
        }
        if policy.max_attempts == 0 {
            return invalid("max_attempts", "must be at least 1");
        }
        if policy.total_timeout.is_zero() {
            return invalid("total_timeout", "must be longer than zero");
        }
        if HeaderValue::from_str(&policy.user_agent).is_err() {
            return invalid("user_agent", "is not a valid header value");
        }
        let builder = || {
            Client::builder()
                .user_agent(policy.user_agent.as_str())
                .connect_timeout(policy.connect_timeout)
                .dns_resolver(Arc::new(Resolver))
                // Redirects are followed by hand, to check each target and count the hops.
                .redirect(reqwest::redirect::Policy::none())
        };
        let client = builder()
            .build()
            .map_err(|error| FetchError::Client(Box::new(error)))?;
        let direct = builder()
            .no_proxy()
            .build()
            .map_err(|error| FetchError::Client(Box::new(error)))?;
        let limits = Limits::new(
            policy.global_concurrency,
            policy.per_host_concurrency,
            policy.per_host_interval,
        );
        Ok(Fetcher {
            inner: Arc::new(Inner {
                policy,
                client,
                direct,
                limits,
                observer,
            }),
        })
    }

    /// The policy this fetcher works within.
    pub fn policy(&self) -> &FetchPolicy {
        &self.inner.policy
    }

    /// Fetches one URL, retrying as the policy allows. Never panics on bad input or bad
    /// servers: every way of not getting a body is a [`FetchOutcome::Failed`].
    pub async fn fetch(&self, request: &FetchRequest) -> FetchOutcome {
        let policy = &self.inner.policy;
        let url = match parse_http_url(&request.url) {
            Ok(url) => url,
            Err(problem) => {
                return FetchOutcome::Failed(FetchFailure {
                    kind: FailureKind::BadUrl,
                    status: None,
                    message: format!("refused to fetch {:?}: {problem}", request.url),
                    attempts: 0,
                    elapsed: Duration::ZERO,
                });
            }
        };
        let key = host_key(&url);
        let host = self.inner.limits.host(&key);
        let observer = &self.inner.observer;
        let on_wait = |wait| {
            observer.emit(FetchEvent::Waiting {
                key: &request.key,
                host: &key,
                wait,
            });
        };
        let mut started: Option<Instant> = None;
        let mut attempts = 0u32;
        // The last status received, so a later timeout still says what the server answered.
        let mut last_status: Option<u16> = None;
        loop {
            let waiting = async {
                match started {
                    // Queueing for the first turn does not count against the deadline.
                    None => Ok(self.inner.limits.turn(&host, &on_wait).await),
                    Some(start) => tokio::time::timeout_at(
                        later(start, policy.total_timeout),
                        self.inner.limits.turn(&host, &on_wait),
                    )
                    .await
                    .map_err(|_| start),
                }
            };
            let turn = tokio::select! {
                biased;
                unreachable = host.until_unreachable() => {
                    return not_tried(&url, &key, &unreachable, attempts, started);
                }
                turn = waiting => match turn {
                    Ok(turn) => turn,
                    Err(start) => {
                        return failed(
                            FailureKind::Timeout,
                            last_status,
                            format!(
                                "{url}: no turn to retry at this host within the {} deadline",
                                human(policy.total_timeout)
                            ),
                            attempts,
                            start.elapsed(),
                        );
                    }
                },
            };
            let start = *started.get_or_insert_with(Instant::now);
            let deadline = later(start, policy.total_timeout);
            attempts += 1;
            observer.emit(FetchEvent::Attempt {
                key: &request.key,
                url: url.as_str(),
                attempt: attempts,
            });
            let attempt =
                tokio::time::timeout_at(deadline, self.attempt(&url, request, &host, &key)).await;
            drop(turn);
            let attempt = match attempt {
                Ok(attempt) => attempt,
                Err(_) => {
                    return failed(
                        FailureKind::Timeout,
                        last_status,
                        format!(
                            "{url}: no complete answer within the {} deadline (attempt {attempts})",
                            human(policy.total_timeout)
                        ),
                        attempts,
                        start.elapsed(),
                    );
                }
            };
            match attempt {
                Attempt::Page(page) => {
                    return FetchOutcome::Fetched(FetchedPage {
                        attempts,
                        elapsed: start.elapsed(),
                        ..page
                    });
                }
                Attempt::NotModified(status) => {
                    return FetchOutcome::NotModified {
                        status,
                        attempts,
                        elapsed: start.elapsed(),
                    };
                }
                Attempt::Stop {
                    kind,
                    status,
                    message,
                    unreachable,
                } => {
                    if unreachable {
                        host.give_up(kind, &message);
                        observer.emit(FetchEvent::HostUnreachable {
                            host: &key,
                            reason: &message,
                        });
                    }
                    return failed(kind, status, message, attempts, start.elapsed());
                }
                Attempt::Retry {
                    kind,
                    status,
                    message,
                    retry_after,
                } => {
                    last_status = status.or(last_status);
                    let wait = match retry_after {
                        Some(asked) => {
                            let wait = asked.min(policy.retry_after_cap);
                            // The server speaks for the host, not for this URL alone, and
                            // whether or not this URL is tried again.
                            host.defer_until(later(Instant::now(), wait));
                            wait
                        }
                        None => backoff(
                            policy.backoff_base,
                            policy.backoff_max,
                            attempts,
                            url.as_str(),
                        ),
                    };
                    if attempts >= policy.max_attempts {
                        let message = format!("{message}; gave up after {}", count(attempts));
                        return failed(kind, status, message, attempts, start.elapsed());
                    }
                    if Instant::now()
                        .checked_add(wait)
                        .is_none_or(|resume| resume >= deadline)
                    {
                        let reason = if retry_after.is_some() {
                            "as Retry-After asks"
                        } else {
                            "of backoff"
                        };
                        let message = format!(
                            "{message}; gave up after {}: waiting {} {reason} would pass the {} deadline",
                            count(attempts),
                            human(wait),
                            human(policy.total_timeout)
                        );
                        return failed(kind, status, message, attempts, start.elapsed());
                    }
                    observer.emit(FetchEvent::Retrying {
                        key: &request.key,
                        attempt: attempts,
                        wait,
                        retry_after: retry_after.is_some(),
                        reason: &message,
                    });
                    tokio::select! {
                        biased;
                        unreachable = host.until_unreachable() => {
                            return not_tried(&url, &key, &unreachable, attempts, started);
                        }
                        () = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }

    /// Fetches all requests concurrently within the policy's limits and returns them with their
    /// outcomes, in the order given.
    ///
    /// `on_done` is called as each fetch finishes, in the order they finish (for progress
    /// display). Must be called within a Tokio runtime. To act on each outcome as it arrives,
    /// or to stop part way, use [`Fetcher::start_all`].
    pub async fn fetch_all(
        &self,
        requests: Vec<FetchRequest>,
        on_done: impl Fn(&FetchRequest, &FetchOutcome) + Send + Sync,
    ) -> Vec<(FetchRequest, FetchOutcome)> {
        let mut batch = self.start_all(requests);
        let mut done = Vec::with_capacity(batch.remaining());
        while let Some((index, request, outcome)) = batch.next_indexed().await {
            on_done(&request, &outcome);
            done.push((index, request, outcome));
        }
        done.sort_by_key(|(index, _, _)| *index);
        done.into_iter()
            .map(|(_, request, outcome)| (request, outcome))
            .collect()
    }

    /// Starts fetching every request, concurrently within the policy's limits, and returns at
    /// once: take the outcomes from the [`FetchBatch`] as they finish, and cancel the rest
    /// whenever you like. Must be called within a Tokio runtime.
    ///
    /// ```no_run
    /// use gapwatch_fetch::{FetchPolicy, FetchRequest, Fetcher};
    ///
    /// # async fn run() -> Result<(), gapwatch_fetch::FetchError> {
    /// let fetcher = Fetcher::new(FetchPolicy::default())?;
    /// let mut batch = fetcher.start_all(vec![
    ///     FetchRequest::new("mmlu-board", "https://example.org/mmlu.csv"),
    ///     FetchRequest::new("swe-bench", "https://example.org/swe-bench.json"),
    /// ]);
    /// // Store each page as soon as it arrives, not after the slowest.
    /// if let Some((request, outcome)) = batch.next().await {
    ///     println!("{}: {} attempts", request.key, outcome.attempts());
    /// }
    /// // Stop: the fetches still in flight are dropped, and named.
    /// for request in batch.cancel() {
    ///     println!("{}: not finished", request.key);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn start_all(&self, requests: Vec<FetchRequest>) -> FetchBatch {
        FetchBatch::start(self, requests)
    }

    /// One request and the redirects it leads to. `host` is the limit of the start URL's
    /// host, `start_key` its key.
    async fn attempt(
        &self,
        start_url: &Url,
        request: &FetchRequest,
        host: &HostLimit,
        start_key: &str,
    ) -> Attempt {
        let policy = &self.inner.policy;
        let mut url = start_url.clone();
        let mut redirects = 0usize;
        loop {
            let client = if is_loopback(&url) || url.host_str().is_some_and(is_reserved_invalid) {
                &self.inner.direct
            } else {
                &self.inner.client
            };
            let mut builder = client.get(url.clone());
            // A validator that cannot be sent is left out: the worst case is a full download.
            if let Some(value) = request
                .etag
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                builder = builder.header(IF_NONE_MATCH, value);
            }
            if let Some(value) = request
                .last_modified
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                builder = builder.header(IF_MODIFIED_SINCE, value);
            }
            let same_host = host_key(&url) == start_key;
            let response = match builder.send().await {
                Ok(response) => response,
                Err(error) => {
                    return transport_failure(&url, &error, same_host, host.has_answered());
                }
            };
            if same_host {
                host.mark_answered();
            }
            let status = response.status();
            if is_redirect(status)
                && let Some(location) = response.headers().get(LOCATION)
            {
                redirects += 1;
                if redirects > policy.max_redirects {
                    return Attempt::Stop {
                        kind: FailureKind::TooManyRedirects,
                        status: Some(status.as_u16()),
                        message: format!(
                            "{start_url}: more than {} redirects (the last from {url})",
                            policy.max_redirects
                        ),
                        unreachable: false,
                    };
                }
                let location = String::from_utf8_lossy(location.as_bytes());
                match url
                    .join(&location)
                    .map_err(|e| e.to_string())
                    .and_then(|next| {
                        check_scheme(&next)?;
                        Ok(next)
                    }) {
                    Ok(next) => {
                        url = next;
                        continue;
                    }
                    Err(problem) => {
                        return Attempt::Stop {
                            kind: FailureKind::BadUrl,
                            status: Some(status.as_u16()),
                            message: format!(
                                "{url}: refused to follow a redirect to {location:?}: {problem}"
                            ),
                            unreachable: false,
                        };
                    }
                }
            }
            if status == StatusCode::NOT_MODIFIED {
                return Attempt::NotModified(status.as_u16());
            }
            if status.is_success() {
                return self.read_page(url, response).await;
            }
            let code = status.as_u16();
            let message = format!("{url}: the server answered {}", describe(status));
            if is_retryable_status(code) {
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| parse_retry_after(value, SystemTime::now()));
                return Attempt::Retry {
                    kind: FailureKind::Http,
                    status: Some(code),
                    message,
                    retry_after,
                };
            }
            return Attempt::Stop {
                kind: FailureKind::Http,
                status: Some(code),
                message: format!("{message}, which is not retried"),
                unreachable: false,
            };
        }
    }

    /// Reads a 2xx body chunk by chunk, decompressed, stopping as soon as it passes the cap.
    async fn read_page(&self, url: Url, mut response: Response) -> Attempt {
        let cap = self.inner.policy.max_body_bytes;
        let status = response.status().as_u16();
        // Without content decoding the declared length is the body's length: refuse early.
        // (Decoding removes the header, so a compressed body is always measured as it streams.)
        if let Some(length) = declared_length(response.headers()).filter(|&length| length > cap) {
            return Attempt::Stop {
                kind: FailureKind::BodyTooLarge,
                status: Some(status),
                message: format!(
                    "{url}: the body is larger than the {} cap ({length} bytes declared)",
                    bytes_human(cap)
                ),
                unreachable: false,
            };
        }
        let headers = response.headers();
        let content_type = header_string(headers, CONTENT_TYPE);
        let etag = header_string(headers, ETAG);
        let last_modified = header_string(headers, LAST_MODIFIED);
        let cap_usize = usize::try_from(cap).unwrap_or(usize::MAX);
        let mut bytes: Vec<u8> = Vec::new();
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                // The host answered: a body broken off is worth a retry whatever the cause.
                Err(error) => return transport_failure(&url, &error, false, true),
            };
            let total = bytes.len().saturating_add(chunk.len());
            if total > cap_usize {
                return Attempt::Stop {
                    kind: FailureKind::BodyTooLarge,
                    status: Some(status),
                    message: format!(
                        "{url}: the body is larger than the {} cap (stopped reading after {total} bytes)",
                        bytes_human(cap)
                    ),
                    unreachable: false,
                };
            }
            if total > bytes.capacity() {
                // Grow by doubling as usual, but never reserve past the cap.
                let target = bytes.capacity().saturating_mul(2).max(total).min(cap_usize);
                bytes.reserve_exact(target - bytes.len());
            }
            bytes.extend_from_slice(&chunk);
        }
        Attempt::Page(FetchedPage {
            status,
            final_url: url.to_string(),
            bytes,
            content_type,
            etag,
            last_modified,
            attempts: 0,
            elapsed: Duration::ZERO,
        })
    }
}

/// `1 attempt`, `3 attempts`.
fn count(attempts: u32) -> String {
    if attempts == 1 {
        "1 attempt".to_owned()
    } else {
        format!("{attempts} attempts")
    }
}

fn failed(
    kind: FailureKind,
    status: Option<u16>,
    message: String,
    attempts: u32,
    elapsed: Duration,
) -> FetchOutcome {
    FetchOutcome::Failed(FetchFailure {
        kind,
        status,
        message,
        attempts,
        elapsed,
    })
}

/// Parses a URL the fetcher is willing to fetch: absolute, http or https, with a host.
fn parse_http_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|error| format!("not a valid url: {error}"))?;
    check_scheme(&url)?;
    Ok(url)
}

fn check_scheme(url: &Url) -> Result<(), String> {
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|host| !host.is_empty()) => Ok(()),
        "http" | "https" => Err("the url has no host".to_owned()),
        other => Err(format!(
            "scheme {other:?} is not fetched: only http and https are"
        )),
    }
}

/// Limits apply per host and port: two services on one machine are two servers.
fn host_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// `404 Not Found`, or just `599` for a code without a reason phrase.
fn describe(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {}", status.as_u16(), reason.to_ascii_lowercase()),
        None => status.as_u16().to_string(),
    }
}

/// The `Content-Length` of a body that is not content-encoded (decoding removes the header).
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn header_string(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

fn bytes_human(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const KIB: u64 = 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// What lies under a transport error, as far as retrying is concerned.
enum Cause {
    /// The resolver found no address: the message of its own error.
    NameNotResolved(String),
    /// The TLS handshake failed: rustls's message.
    Tls(String),
    /// The TCP connection was refused.
    Refused,
    /// Anything else: a reset, a timeout, a connection closed early.
    Other,
}

/// Finds the cause of a transport error in its chain, by type rather than by message.
fn classify(error: &reqwest::Error) -> Cause {
    let mut refused = false;
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(found) = classify_one(cause, &mut refused, 0) {
            return found;
        }
        source = cause.source();
    }
    if refused {
        Cause::Refused
    } else {
        Cause::Other
    }
}

/// Looks at one error of a chain, and inside it where it is an `io::Error` wrapping another:
/// `source()` skips the wrapped error itself (tokio-rustls wraps a rustls error in one
/// `io::Error`, and hyper-rustls that in another).
fn classify_one(
    error: &(dyn std::error::Error + 'static),
    refused: &mut bool,
    depth: usize,
) -> Option<Cause> {
    if let Some(own) = error.downcast_ref::<NameNotResolved>() {
        return Some(Cause::NameNotResolved(own.to_string()));
    }
    if let Some(tls) = error.downcast_ref::<rustls::Error>() {
        return Some(Cause::Tls(tls.to_string()));
    }
    let io = error.downcast_ref::<std::io::Error>()?;
    *refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
    let inner = io.get_ref()?;
    // A wrapper's depth is small; the bound only guards against a pathological chain.
    (depth < 8).then(|| classify_one(inner, refused, depth + 1))?
}

/// A failure below HTTP, with the whole cause chain in the message. Worth retrying, except a
/// name that does not resolve, a failed TLS handshake, and a refused connection to a host
/// that never answered: those end the fetch at once, and when they concern the start URL's
/// own host (`same_host`), every other request to that host too.
fn transport_failure(
    url: &Url,
    error: &reqwest::Error,
    same_host: bool,
    host_answered: bool,
) -> Attempt {
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // hyper's wrapper ("client error (Connect)") says nothing its causes do not.
        if !text.starts_with("client error (") && !causes.contains(&text) {
            causes.push(text);
        }
        source = cause.source();
    }
    let what = if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the connection broke off while reading the body"
    } else {
        "the request failed"
    };
    let detail = if causes.is_empty() {
        String::new()
    } else {
        format!(": {}", causes.join(": "))
    };
    let stop = |kind, message| Attempt::Stop {
        kind,
        status: None,
        message,
        unreachable: same_host,
    };
    match classify(error) {
        Cause::NameNotResolved(own) => stop(FailureKind::Dns, format!("{url}: {own}")),
        Cause::Tls(tls) => stop(
            FailureKind::Tls,
            format!("{url}: the TLS handshake failed: {tls}"),
        ),
        Cause::Refused if !host_answered || !same_host => stop(
            FailureKind::Refused,
            format!("{url}: {what}{detail}; the host has refused every connection"),
        ),
        Cause::Refused => Attempt::Retry {
            kind: FailureKind::Refused,
            status: None,
            message: format!("{url}: {what}{detail}"),
            retry_after: None,
        },
        Cause::Other => {
            let kind = if error.is_timeout() && !error.is_connect() {
                FailureKind::Timeout
            } else {
                FailureKind::Connection
            };
            Attempt::Retry {
                kind,
                status: None,
                message: format!("{url}: {what}{detail}"),
                retry_after: None,
            }
        }
    }
}

/// A request given up before (another) attempt, because its host was found unreachable by
/// another request of the same fetcher.
fn not_tried(
    url: &Url,
    host: &str,
    unreachable: &Unreachable,
    attempts: u32,
    started: Option<Instant>,
) -> FetchOutcome {
    failed(
        unreachable.kind,
        None,
        format!(
            "{url}: not tried: {host} cannot be reached, as an earlier request found: {}",
            match unreachable.kind {
                FailureKind::Dns => "the name did not resolve",
                FailureKind::Tls => "the TLS handshake failed",
                FailureKind::Refused => "it refused every connection",
                _ => unreachable.reason.as_str(),
            }
        ),
        attempts,
        started.map_or(Duration::ZERO, |start| start.elapsed()),
    )
}
