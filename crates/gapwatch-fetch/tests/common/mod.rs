//! A tiny scripted HTTP/1.1 server on 127.0.0.1 for the fetcher's tests.
//!
//! Each accepted connection carries one request. The handler sees the request and its
//! 0-based index among all requests the server received, and scripts the reply: a response
//! (optionally delayed, optionally close-delimited), a stall, or a connection reset.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gapwatch_fetch::FetchPolicy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub at: Instant,
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        delay: Duration,
        /// Send `Content-Length`; otherwise the body ends when the connection closes.
        with_length: bool,
    },
    /// Read the request, then never answer.
    Stall,
    /// Read the request, then reset the connection.
    Reset,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            with_length: true,
        }
    }

    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200).body(body)
    }

    pub fn body(mut self, new_body: impl Into<Vec<u8>>) -> Reply {
        if let Reply::Respond { body, .. } = &mut self {
            *body = new_body.into();
        }
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    pub fn delay(mut self, wait: Duration) -> Reply {
        if let Reply::Respond { delay, .. } = &mut self {
            *delay = wait;
        }
        self
    }

    pub fn without_length(mut self) -> Reply {
        if let Reply::Respond { with_length, .. } = &mut self {
            *with_length = false;
        }
        self
    }
}

/// Counts requests in flight (head received, reply not yet started), and the most at once.
/// Shareable between servers to observe a limit across hosts.
#[derive(Debug, Default)]
pub struct Gauge {
    current: AtomicUsize,
    max: AtomicUsize,
}

impl Gauge {
    fn enter(&self) {
        let now = self.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
    }

    fn leave(&self) {
        self.current.fetch_sub(1, Ordering::SeqCst);
    }

    pub fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }
}

type Handler = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

struct State {
    requests: Mutex<Vec<Recorded>>,
    gauge: Arc<Gauge>,
    handler: Box<Handler>,
}

pub struct TestServer {
    pub addr: SocketAddr,
    state: Arc<State>,
}

impl TestServer {
    pub async fn start(
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        TestServer::start_with_gauge(Arc::new(Gauge::default()), handler).await
    }

    pub async fn start_with_gauge(
        gauge: Arc<Gauge>,
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(State {
            requests: Mutex::new(Vec::new()),
            gauge,
            handler: Box::new(handler),
        });
        let accepting = Arc::clone(&state);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(Arc::clone(&accepting), stream));
            }
        });
        TestServer { addr, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn hits(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }

    pub fn max_in_flight(&self) -> usize {
        self.state.gauge.max()
    }
}

async fn serve(state: Arc<State>, mut stream: TcpStream) {
    let Some(head) = read_head(&mut stream).await else {
        return;
    };
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let path = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("/")
        .to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let recorded = Recorded {
        at: Instant::now(),
        path,
        headers,
    };
    let index = {
        let mut requests = state.requests.lock().unwrap();
        requests.push(recorded.clone());
        requests.len() - 1
    };
    state.gauge.enter();
    let reply = (state.handler)(&recorded, index);
    match reply {
        Reply::Stall => {
            state.gauge.leave();
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Reply::Reset => {
            state.gauge.leave();
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Reply::Respond {
            status,
            headers,
            body,
            delay,
            with_length,
        } => {
            tokio::time::sleep(delay).await;
            // Leave before answering: once the answer is on its way the client may start its
            // next request, and counting both would report a concurrency that never existed.
            state.gauge.leave();
            let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (name, value) in &headers {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
            if with_length {
                out.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            out.push_str("Connection: close\r\n\r\n");
            let _ = stream.write_all(out.as_bytes()).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.shutdown().await;
        }
    }
}

async fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > 64 * 1024 {
            return None;
        }
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    Some(head)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// Limits small enough for a fast suite, with nothing paced unless a test asks.
pub fn fast_policy() -> FetchPolicy {
    FetchPolicy {
        global_concurrency: 8,
        per_host_concurrency: 4,
        per_host_interval: Duration::ZERO,
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(10),
        max_attempts: 4,
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        retry_after_cap: Duration::from_secs(10),
        max_body_bytes: 1024 * 1024,
        max_redirects: 3,
        ..FetchPolicy::default()
    }
}
