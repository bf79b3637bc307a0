//! Shared by the ingest tests: a small HTTP/1.1 server on 127.0.0.1 that serves the
//! repository's fixtures, and workspaces whose sources point at it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use gapwatch_store::Store;

/// The default sources, whose entries the tests copy with another `url`.
const DEFAULT_SOURCES: &str = include_str!("../../defaults/sources.toml");
/// The default story, so that `gapwatch gap` has benchmarks and cohorts.
const DEFAULT_STORY: &str = include_str!("../../defaults/story.toml");

/// The bytes of `fixtures/<source>/<file>`.
pub fn fixture(source: &str, file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(source)
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The default entry `template` from the built-in sources, renamed `id` and pointed at `url`.
pub fn source_entry(template: &str, id: &str, url: &str) -> String {
    let id_line = format!("id = \"{template}\"");
    let block = DEFAULT_SOURCES
        .split("\n[[source]]\n")
        .skip(1)
        .find(|b| b.lines().next() == Some(id_line.as_str()))
        .unwrap_or_else(|| panic!("no default source {template:?}"));
    let lines: Vec<String> = block
        .lines()
        .map(|line| {
            if line == id_line {
                format!("id = \"{id}\"")
            } else if line.starts_with("url = ") {
                format!("url = \"{url}\"")
            } else {
                line.to_owned()
            }
        })
        .collect();
    format!("[[source]]\n{}\n", lines.join("\n"))
}

/// What the server answers on one path.
#[derive(Debug, Clone)]
pub struct Route {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: String,
    /// Sent as `ETag`; a request whose `If-None-Match` names it gets a 304.
    pub etag: Option<String>,
    /// How long to wait before answering.
    pub delay: Duration,
}

impl Route {
    pub fn ok(body: Vec<u8>, content_type: &str) -> Route {
        Route {
            status: 200,
            body,
            content_type: content_type.to_owned(),
            etag: None,
            delay: Duration::ZERO,
        }
    }

    /// A fixture, with the content type its extension calls for.
    pub fn fixture(source: &str, file: &str) -> Route {
        let content_type = match file.rsplit('.').next() {
            Some("json") => "application/json",
            Some("csv") => "text/csv; charset=utf-8",
            Some("yml" | "yaml") => "application/yaml",
            Some("md") => "text/markdown; charset=utf-8",
            Some("html") => "text/html; charset=utf-8",
            _ => "application/octet-stream",
        };
        Route::ok(fixture(source, file), content_type)
    }

    pub fn status(status: u16) -> Route {
        Route {
            status,
            ..Route::ok(Vec::new(), "text/plain")
        }
    }

    pub fn etag(self, etag: &str) -> Route {
        Route {
            etag: Some(etag.to_owned()),
            ..self
        }
    }

    pub fn delay(self, delay: Duration) -> Route {
        Route { delay, ..self }
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    /// The status answered; `None` while the answer is pending or when the client went away.
    pub answered: Option<u16>,
    /// When the answer was written.
    pub answered_at: Option<Instant>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, Route>>,
    seen: Mutex<Vec<Seen>>,
}

/// An HTTP/1.1 server on one or more ports of 127.0.0.1, all serving the same routes. Every
/// port is its own host for the fetcher's per-host limits, so many sources can be fetched at
/// once. One request per connection; unknown paths get a 404. `/run/TAG/PATH` is served as
/// `/PATH`, so that a test can tell which run sent a request.
pub struct Server {
    shared: Arc<Shared>,
    addrs: Vec<SocketAddr>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    pub fn start(ports: usize) -> Server {
        let shared = Arc::new(Shared::default());
        let stop = Arc::new(AtomicBool::new(false));
        let mut addrs = Vec::new();
        let mut threads = Vec::new();
        for _ in 0..ports {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            addrs.push(listener.local_addr().unwrap());
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            threads.push(std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || serve(stream, &shared));
                }
            }));
        }
        Server {
            shared,
            addrs,
            stop,
            threads,
        }
    }

    /// The URL of `path` on the `port`-th port.
    pub fn url(&self, port: usize, path: &str) -> String {
        format!("http://{}{path}", self.addrs[port])
    }

    pub fn route(&self, path: &str, route: Route) {
        self.shared
            .routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), route);
    }

    /// Every request received so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    pub fn requests(&self) -> usize {
        self.shared.seen.lock().unwrap().len()
    }

    /// The requests whose path starts with `prefix`, in arrival order.
    pub fn seen_under(&self, prefix: &str) -> Vec<Seen> {
        let seen = self.shared.seen.lock().unwrap();
        seen.iter()
            .filter(|s| s.path.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Requests answered with a complete response.
    pub fn answered(&self) -> usize {
        let seen = self.shared.seen.lock().unwrap();
        seen.iter().filter(|s| s.answered.is_some()).count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for addr in &self.addrs {
            // Wakes the accept loop so it sees the flag.
            let _ = TcpStream::connect(addr);
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// `/run/TAG/PATH` to `/PATH`; other paths unchanged.
fn route_path(path: &str) -> String {
    path.strip_prefix("/run/")
        .and_then(|rest| rest.split_once('/'))
        .map_or_else(|| path.to_owned(), |(_, rest)| format!("/{rest}"))
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let seen = Seen {
        at: Instant::now(),
        path: path.clone(),
        headers,
        answered: None,
        answered_at: None,
    };
    let if_none_match = seen.header("if-none-match").map(str::to_owned);
    let index = {
        let mut all = shared.seen.lock().unwrap();
        all.push(seen);
        all.len() - 1
    };
    let route = shared
        .routes
        .lock()
        .unwrap()
        .get(&route_path(&path))
        .cloned()
        .unwrap_or_else(|| Route::status(404));
    std::thread::sleep(route.delay);
    let not_modified = route.status == 200
        && route
            .etag
            .as_deref()
            .is_some_and(|tag| if_none_match.as_deref() == Some(tag));
    let (status, reason, body) = if not_modified {
        (304, "Not Modified", &[][..])
    } else {
        let reason = match route.status {
            200 => "OK",
            404 => "Not Found",
            500 => "Internal Server Error",
            _ => "Other",
        };
        (route.status, reason, &route.body[..])
    };
    let mut response = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
    if status != 304 {
        response.push_str(&format!(
            "Content-Type: {}\r\nContent-Length: {}\r\n",
            route.content_type,
            body.len()
        ));
    }
    if let Some(tag) = &route.etag {
        response.push_str(&format!("ETag: {tag}\r\n"));
    }
    response.push_str("\r\n");
    let mut bytes = response.into_bytes();
    bytes.extend_from_slice(body);
    if stream
        .write_all(&bytes)
        .and_then(|()| stream.flush())
        .is_ok()
    {
        let seen = &mut shared.seen.lock().unwrap()[index];
        seen.answered = Some(status);
        seen.answered_at = Some(Instant::now());
    }
}

/// A workspace folder: gapwatch.toml, the given sources, the default story.
pub struct TestWorkspace {
    dir: tempfile::TempDir,
}

impl TestWorkspace {
    /// `sources` is the text of sources.toml.
    pub fn new(sources: &str) -> TestWorkspace {
        let dir = tempfile::tempdir().unwrap();
        let settings = "database = \"gapwatch.sqlite\"\nsources = \"sources.toml\"\nstories = [\"story.toml\"]\n";
        std::fs::write(dir.path().join("gapwatch.toml"), settings).unwrap();
        std::fs::write(dir.path().join("sources.toml"), sources).unwrap();
        std::fs::write(dir.path().join("story.toml"), DEFAULT_STORY).unwrap();
        TestWorkspace { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn database(&self) -> PathBuf {
        self.dir.path().join("gapwatch.sqlite")
    }

    pub fn lock_file(&self) -> PathBuf {
        self.dir.path().join("gapwatch.sqlite.lock")
    }

    /// Replaces sources.toml; the next run reads the new one.
    pub fn set_sources(&self, sources: &str) {
        std::fs::write(self.dir.path().join("sources.toml"), sources).unwrap();
    }

    pub fn sources_toml(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sources.toml")).unwrap()
    }

    /// `gapwatch --workspace DIR --today TODAY`, untouched by the caller's environment.
    pub fn gapwatch(&self, today: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gapwatch"));
        cmd.env_remove("GAPWATCH_WORKSPACE")
            .env_remove("GAPWATCH_DB")
            .env_remove("GAPWATCH_TODAY")
            .env_remove("RUST_LOG")
            .arg("--workspace")
            .arg(self.dir.path())
            .arg("--today")
            .arg(today);
        cmd
    }

    pub fn store(&self) -> Store {
        Store::open(&self.database()).unwrap()
    }
}

/// Runs `cmd` to completion and checks its exit code, showing its output when it differs.
pub fn run(cmd: &mut Command, expected_code: i32) -> Output {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(expected_code),
        "{cmd:?}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Polls `ready` every few milliseconds until it holds; panics after `limit`, which is only a
/// guard against hanging, never a performance bound.
pub fn wait_until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}
