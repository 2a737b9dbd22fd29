//! Servers written for the tests, started on 127.0.0.1:0 in a background thread: a well-behaved
//! service and a flawed one that fails every live check. A tiny HTTP/1.1 server on tokio's raw
//! TCP (no framework), so that the keep-alive idle timeout, the body limit and every header are
//! exactly what the tests say. Each counts the requests it receives.

#![allow(dead_code)]

use golive_core::config::Config;
use golive_core::engine::RunOptions;
use golive_core::{Date, Report};
use golive_probe::{ProbeTarget, catalogue};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Health (/healthz, and /internal/ready as a readinessProbe would name it), metrics, 404s, JSON 400 on malformed bodies, 413 over 1 MiB, echoes X-Request-ID,
    /// security headers, 75 s keep-alive, a rate limit on `GET /` (a token bucket of 10
    /// refilled at 20 per second: 429 with `Retry-After: 1` beyond).
    Good,
    /// A static site behind redirects: /health redirects (within the host) to /health/, / to
    /// another host, every POST is 405, every answer says `Connection: close`; /metrics does not
    /// parse (an unclosed label set).
    Odd,
    /// An HTTP/1.0 server like Python's http.server: 501 for every POST, one answer per
    /// connection (no `Connection` header).
    Legacy,
    /// Unhealthy, 200 for unknown paths, 500 with a stack trace on bad JSON, a version banner,
    /// accepts 10 MiB bodies, no request id, no security headers, 1 s keep-alive, metrics with a
    /// summary only and raw ids in a `path` label, a slow `GET /` (120 ms), no rate limit.
    Flawed,
}

pub struct TestServer {
    pub addr: SocketAddr,
    requests: Arc<AtomicU32>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Requests received so far (complete request heads).
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn start(kind: Kind) -> TestServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("local addr");
    let requests = Arc::new(AtomicU32::new(0));
    let counter = requests.clone();
    let bucket = Arc::new(Bucket::new());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = TcpListener::from_std(listener).expect("listener");
            let accept = async {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(serve(stream, kind, counter.clone(), bucket.clone()));
                }
            };
            tokio::select! {
                _ = accept => {}
                _ = stopped => {}
            }
        });
    });
    TestServer {
        addr,
        requests,
        stop: Some(stop),
        thread: Some(thread),
    }
}

struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    length: usize,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

const MIB: usize = 1024 * 1024;

/// The good server's rate limit on `GET /`: a token bucket of 10, refilled at 20 per second.
pub struct Bucket {
    state: std::sync::Mutex<(f64, std::time::Instant)>,
}

impl Bucket {
    const CAPACITY: f64 = 10.0;
    const PER_SECOND: f64 = 20.0;

    fn new() -> Bucket {
        Bucket {
            state: std::sync::Mutex::new((Self::CAPACITY, std::time::Instant::now())),
        }
    }

    fn take(&self) -> bool {
        let mut s = match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let now = std::time::Instant::now();
        let tokens =
            (s.0 + now.duration_since(s.1).as_secs_f64() * Self::PER_SECOND).min(Self::CAPACITY);
        *s = (tokens, now);
        if tokens >= 1.0 {
            s.0 -= 1.0;
            true
        } else {
            false
        }
    }
}

async fn serve(mut stream: TcpStream, kind: Kind, counter: Arc<AtomicU32>, bucket: Arc<Bucket>) {
    let idle = match kind {
        Kind::Good | Kind::Odd | Kind::Legacy => Duration::from_secs(75),
        Kind::Flawed => Duration::from_secs(1),
    };
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // Wait for the next request's head, at most the idle timeout.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 16384];
            match tokio::time::timeout(idle, stream.read(&mut chunk)).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
                Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        buf.drain(..head_end);
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split_whitespace();
        let method = first.next().unwrap_or("").to_string();
        let path = first.next().unwrap_or("/").to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let req = Req {
            method,
            path,
            headers,
            length,
        };
        counter.fetch_add(1, Ordering::SeqCst);
        if kind == Kind::Good && req.length > MIB {
            // Refuse before reading the body, then close.
            let response = respond(
                kind,
                &req,
                413,
                "application/json",
                b"{\"error\":\"payload too large\"}",
                true,
            );
            let _ = stream.write_all(&response).await;
            // Read and drop what the client is still sending (a lingering close, as nginx
            // does), so that it reads the 413 instead of a reset.
            let mut left = req.length.saturating_sub(buf.len());
            let mut chunk = [0u8; 65536];
            while left > 0 {
                match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk)).await {
                    Ok(Ok(n)) if n > 0 => left = left.saturating_sub(n),
                    _ => break,
                }
            }
            let _ = stream.shutdown().await;
            return;
        }
        while buf.len() < req.length {
            let mut chunk = [0u8; 65536];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Vec<u8> = buf.drain(..req.length).collect();
        let close = matches!(kind, Kind::Odd | Kind::Legacy)
            || req
                .header("connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let path = req.path.split('?').next().unwrap_or("/");
        if kind == Kind::Flawed && req.method == "GET" && path == "/" {
            // A slow page: live/latency fails.
            tokio::time::sleep(Duration::from_millis(120)).await;
        }
        // The raw keep-alive request of live/keepalive (it says `Connection: keep-alive`; reqwest
        // does not) is not limited, so that its answer does not depend on the burst before it.
        let raw_keepalive = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("keep-alive"));
        let limited = kind == Kind::Good
            && req.method == "GET"
            && path == "/"
            && !raw_keepalive
            && !bucket.take();
        let (status, ctype, out) = if limited {
            (
                429,
                "application/json",
                b"{\"error\":\"too many requests\"}".to_vec(),
            )
        } else {
            route(kind, &req, &body)
        };
        let mut response = respond(kind, &req, status, ctype, &out, close);
        if limited {
            // `Retry-After` goes into the head, before its blank line.
            let head_end = response
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .unwrap_or(0);
            response.splice(
                head_end + 2..head_end + 2,
                b"Retry-After: 1\r\n".iter().copied(),
            );
        }
        if stream.write_all(&response).await.is_err() || close {
            return;
        }
    }
}

fn route(kind: Kind, req: &Req, body: &[u8]) -> (u16, &'static str, Vec<u8>) {
    let path = req.path.split('?').next().unwrap_or("/");
    match (kind, req.method.as_str(), path) {
        (Kind::Legacy, "GET", "/healthz") => (200, "text/plain", b"ok".to_vec()),
        (Kind::Legacy, "POST", _) => (
            501,
            "text/html",
            b"<h1>Unsupported method ('POST')</h1>".to_vec(),
        ),
        (Kind::Legacy, _, _) => (404, "text/html", b"<h1>File not found</h1>".to_vec()),
        (Kind::Odd, "GET", "/") => (302, "", b"http://login.invalid/".to_vec()),
        (Kind::Odd, "GET", "/health") => (301, "", b"/health/".to_vec()),
        (Kind::Odd, "GET", "/health/") => {
            (200, "application/json", b"{\"status\":\"UP\"}".to_vec())
        }
        (Kind::Odd, "GET", "/metrics") => (
            200,
            "text/plain; version=0.0.4",
            b"# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\" 3\n".to_vec(),
        ),
        (Kind::Odd, "POST", _) => (405, "text/plain", b"method not allowed".to_vec()),
        (Kind::Odd, _, _) => (404, "text/plain", b"not found".to_vec()),
        (Kind::Good, "GET", "/healthz" | "/internal/ready") => {
            (200, "application/json", b"{\"status\":\"ok\"}".to_vec())
        }
        (Kind::Flawed, "GET", "/healthz") => {
            (503, "application/json", b"{\"status\":\"down\"}".to_vec())
        }
        (Kind::Flawed, "GET", "/metrics") => (
            200,
            "text/plain; version=0.0.4",
            FLAWED_METRICS.as_bytes().to_vec(),
        ),
        (_, "GET", "/metrics") => (
            200,
            "text/plain; version=0.0.4",
            METRICS.as_bytes().to_vec(),
        ),
        (_, "GET", "/") => (
            200,
            "text/html; charset=utf-8",
            b"<!doctype html><title>shop</title><h1>shop</h1>".to_vec(),
        ),
        (Kind::Good, "POST", "/") => {
            if serde_json::from_slice::<serde_json::Value>(body).is_ok() {
                (200, "application/json", b"{\"ok\":true}".to_vec())
            } else {
                (
                    400,
                    "application/json",
                    b"{\"error\":\"malformed JSON\"}".to_vec(),
                )
            }
        }
        (Kind::Flawed, "POST", "/") => {
            if serde_json::from_slice::<serde_json::Value>(body).is_ok()
                || body.iter().all(|b| *b == b'x')
            {
                (200, "application/json", b"{\"ok\":true}".to_vec())
            } else {
                (500, "text/plain", TRACEBACK.as_bytes().to_vec())
            }
        }
        (Kind::Good, _, _) => (
            404,
            "application/json",
            b"{\"error\":\"not found\"}".to_vec(),
        ),
        (Kind::Flawed, _, _) => (200, "application/json", b"{}".to_vec()),
    }
}

fn respond(kind: Kind, req: &Req, status: u16, ctype: &str, body: &[u8], close: bool) -> Vec<u8> {
    if (300..400).contains(&status) {
        // A redirect: `body` is the Location, the answer has no body.
        let location = String::from_utf8_lossy(body);
        let mut out =
            format!("HTTP/1.1 {status} Found\r\nLocation: {location}\r\nContent-Length: 0\r\n");
        if close {
            out.push_str("Connection: close\r\n");
        }
        out.push_str("\r\n");
        return out.into_bytes();
    }
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        501 => "Unsupported method",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    };
    let version = if kind == Kind::Legacy { "1.0" } else { "1.1" };
    let mut head = format!(
        "HTTP/{version} {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n",
        body.len()
    );
    match kind {
        Kind::Good => {
            let id = req
                .header("x-request-id")
                .unwrap_or("generated-1")
                .to_string();
            head.push_str(&format!("X-Request-ID: {id}\r\n"));
            head.push_str("X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n");
            head.push_str("Keep-Alive: timeout=75\r\n");
        }
        Kind::Flawed => head.push_str("Server: Werkzeug/2.0.1 Python/3.9.7\r\n"),
        Kind::Odd | Kind::Legacy => {}
    }
    if close && kind != Kind::Legacy {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

const METRICS: &str = "# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\",method=\"GET\"} 12\n# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds histogram\nhttp_request_duration_seconds_bucket{le=\"0.1\"} 10\nhttp_request_duration_seconds_bucket{le=\"+Inf\"} 12\nhttp_request_duration_seconds_sum 0.6\nhttp_request_duration_seconds_count 12\n";

/// A summary only (no histogram), and a `path` label with raw ids.
const FLAWED_METRICS: &str = "# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\",method=\"GET\",path=\"/orders/1041\"} 3\nhttp_requests_total{code=\"200\",method=\"GET\",path=\"/orders/1042\"} 1\n# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds summary\nhttp_request_duration_seconds{quantile=\"0.5\"} 0.05\nhttp_request_duration_seconds{quantile=\"0.99\"} 0.2\nhttp_request_duration_seconds_sum 0.4\nhttp_request_duration_seconds_count 4\n";

const TRACEBACK: &str = "Traceback (most recent call last):\n  File \"/app/server.py\", line 42, in create_order\n    payload = json.loads(request.data)\njson.decoder.JSONDecodeError: Expecting value: line 1 column 17 (char 16)\n";

pub fn options() -> RunOptions {
    RunOptions {
        target: String::new(),
        today: Date::parse("2026-11-01").unwrap_or_else(|| panic!("date")),
        golive_version: "0.0.0".into(),
    }
}

/// A configuration for tests: a 2 s load-balancer idle timeout keeps live/keepalive short.
pub fn config(extra: &str) -> Config {
    let text = format!(
        "[probe]\nlb_idle_timeout_s = 2\ntimeout_ms = 5000\nlatency = {{ rps = 10, duration_s = 2, p95_ms = 50 }}\n{extra}"
    );
    Config::parse(&text, "golive.toml", &[]).unwrap_or_else(|e| panic!("{e}"))
}

pub fn probe(url: &str, config: &Config) -> (Report, u32) {
    let checks = catalogue();
    let target = ProbeTarget {
        url: url.to_string(),
        manifest_health_paths: Vec::new(),
    };
    let run =
        golive_probe::run(config, &checks, &target, &options()).unwrap_or_else(|e| panic!("{e}"));
    (run.report, run.requests)
}

/// Each check's status, reason, findings and evidence, with ports and timings normalised.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.checks {
        out.push_str(&format!("{} [{}]: {}\n", c.id, c.level, c.status.as_str()));
        if let Some(r) = &c.reason {
            out.push_str(&format!("  reason: {r}\n"));
        }
        for f in &c.findings {
            out.push_str(&format!("  finding ({}): {}\n", f.severity, f.message));
        }
        for e in &c.evidence {
            out.push_str(&format!("  evidence: {}\n", e.message));
        }
    }
    out.push_str(&format!(
        "level: {}; gate passed: {}; score {}/{}\n",
        report.level.map(|l| l.as_str()).unwrap_or("none"),
        report.gate.passed,
        report.score.passed,
        report.score.applicable
    ));
    normalise(&out)
}

pub fn normalise(text: &str) -> String {
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap_or_else(|e| panic!("{e}"));
    let ms = regex::Regex::new(r"\b\d+ ms\b").unwrap_or_else(|e| panic!("{e}"));
    let secs = regex::Regex::new(r"\b\d+\.\d s\b").unwrap_or_else(|e| panic!("{e}"));
    let rps = regex::Regex::new(r"\b\d+\.\d rps\b").unwrap_or_else(|e| panic!("{e}"));
    let text = port.replace_all(text, "127.0.0.1:PORT");
    let text = rps.replace_all(&text, "N.N rps");
    // How many of a burst a token bucket refuses depends on timing: keep that it did.
    let limited = regex::Regex::new(r"200 ×\d+, 429 ×\d+").unwrap_or_else(|e| panic!("{e}"));
    let text = limited.replace_all(&text, "200 ×N, 429 ×N");
    let first = regex::Regex::new(r"\d+ × 429 from answer \d+").unwrap_or_else(|e| panic!("{e}"));
    let text = first.replace_all(&text, "N × 429 from answer N");
    let text = ms.replace_all(&text, "N ms");
    secs.replace_all(&text, "N.N s").into_owned()
}
