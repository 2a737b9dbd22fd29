use crate::context::{LiveCheck, ProbeContext};
use golive_core::{Finding, Outcome, declare_check};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

declare_check! {
    /// ## What it checks
    /// The server keeps an idle keep-alive connection open longer than the load balancer in
    /// front of it (`[probe] lb_idle_timeout_s`, 60 s by default). On a raw connection it sends
    /// one `GET` of the target URL with keep-alive, reads the answer, then waits up to the load
    /// balancer's timeout plus one second for the server to close. A `Keep-Alive: timeout=N`
    /// header is reported as a hint, never taken as proof. Plain http only for now (an https
    /// target does not apply); a server that answers `Connection: close` does not apply either.
    ///
    /// ## Why it matters
    /// When the server closes an idle connection first, the load balancer may send the next
    /// request on it just as it closes: the client gets a 502 that no log explains, a few per
    /// thousand requests (seed 001: Idle Timeout Configuration, set the API server's idle
    /// connection timeout slightly longer than the load balancer's).
    ///
    /// ## How to fix
    /// Make the server's idle timeout longer than the load balancer's (AWS ALB: 60 s):
    /// ```text
    /// nginx: keepalive_timeout 75s;   Node: server.keepAliveTimeout = 65000;   gunicorn: --keep-alive 75
    /// ```
    pub struct Keepalive {
        id: "live/keepalive",
        title: "The server's idle keep-alive outlasts the load balancer's",
        category: Live,
        level: Gold,
        severity: Warning,
        facets: [],
        seeds: ["001: Idle Timeout Configuration: the API server's idle connection timeout slightly longer than the load balancer's"],
        fix: "set the server's keep-alive idle timeout above the load balancer's (e.g. 75 s behind a 60 s ALB)",
    }
}

impl LiveCheck for Keepalive {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &ProbeContext<'_>) -> Outcome {
        let base = cx.http().base().clone();
        if base.scheme() != "http" {
            return Outcome::not_applicable(format!(
                "{base} is {}: the idle timeout is measured on plain http connections only for now",
                base.scheme()
            ));
        }
        if let Err(e) = cx.http().reserve() {
            return cx.unavailable(&e);
        }
        let lb = cx.config().lb_idle_timeout_s;
        let timeout = cx.http().timeout();
        let host = base.host_str().unwrap_or_default().to_string();
        let port = base.port_or_known_default().unwrap_or(80);
        let mut path = base.path().to_string();
        if let Some(q) = base.query() {
            path = format!("{path}?{q}");
        }
        let host_header = match base.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        let addr = (host.trim_start_matches('[').trim_end_matches(']'), port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next());
        let Some(addr) = addr else {
            return error(format!("cannot resolve {host}"));
        };
        let mut stream = match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => s,
            Err(e) => return error(format!("{base}: cannot connect: {e}")),
        };
        let mut request = format!(
            "GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: golive-probe/{}\r\nAccept: */*\r\nConnection: keep-alive\r\n",
            env!("CARGO_PKG_VERSION")
        );
        for (name, value) in cx.http().extra_headers() {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        let started = Instant::now();
        if let Err(e) = stream.write_all(request.as_bytes()) {
            return error(format!("{base}: cannot send: {e}"));
        }
        let head = match read_response(&mut stream, timeout) {
            Ok(h) => h,
            Err(e) => return error(format!("GET {base} on a raw connection: {e}")),
        };
        cx.http().observe(head.status);
        cx.http().log(format!(
            "GET {base} (raw keep-alive connection) → {} in {} ms",
            head.status,
            started.elapsed().as_millis()
        ));
        if head.http10 && !head.keep_alive_token {
            return Outcome::not_applicable(format!(
                "{base} answers with HTTP/1.0 without `Connection: keep-alive`: it closes after each answer, so a load balancer never reuses an idle connection"
            ));
        }
        if head.connection_close {
            return Outcome::not_applicable(format!(
                "{base} answers `Connection: close`: it does not keep connections alive, so a load balancer never reuses an idle one"
            ));
        }
        let Some(framed) = head.framed else {
            return Outcome::not_applicable(format!(
                "{base} answers without Content-Length or chunked encoding: its answer ends when the connection closes"
            ));
        };
        if !framed {
            return error(format!(
                "GET {base}: the answer did not end within {} ms",
                timeout.as_millis()
            ));
        }
        if let Some(hint) = &head.keep_alive {
            cx.note(format!(
                "{base} announces `Keep-Alive: {hint}` (a hint, not proof)"
            ));
        }
        let wait = Duration::from_secs(lb + 1);
        let idle_from = Instant::now();
        match closed_within(&mut stream, wait) {
            Some(after) => {
                let secs = after.as_secs_f64();
                Outcome::from_findings(
                    vec![Finding::repo(format!(
                        "{base}: the server closes an idle keep-alive connection after {secs:.1} s, not longer than the load balancer's {lb} s idle timeout (`[probe] lb_idle_timeout_s`): requests sent on a connection it is closing fail with 502"
                    ))],
                    Vec::new(),
                )
            }
            None => {
                cx.note(format!(
                    "{base}: the connection is still open after {} s idle (the load balancer's idle timeout is {lb} s)",
                    idle_from.elapsed().as_secs()
                ));
                Outcome::Pass(Vec::new())
            }
        }
    }
}

fn error(reason: String) -> Outcome {
    Outcome::Error {
        reason,
        findings: Vec::new(),
    }
}

/// The parts of an answer's head the check needs.
struct Head {
    status: u16,
    /// The answer is HTTP/1.0 (keep-alive only when `Connection: keep-alive` says so).
    http10: bool,
    keep_alive_token: bool,
    connection_close: bool,
    keep_alive: Option<String>,
    /// Some(true): the whole body was read; Some(false): it did not end in time; None: the body
    /// is delimited by the connection's close.
    framed: Option<bool>,
}

/// Reads one answer (head and body) from a raw connection.
fn read_response(stream: &mut TcpStream, timeout: Duration) -> Result<Head, String> {
    let deadline = Instant::now() + timeout;
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Err("the answer's head is over 64 KiB".into());
        }
        match read_some(stream, &mut chunk, deadline)? {
            0 => return Err("the connection closed before an answer".into()),
            n => buf.extend_from_slice(chunk.get(..n).unwrap_or(&[])),
        }
    };
    let head = String::from_utf8_lossy(buf.get(..head_end).unwrap_or(&[])).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let http10 = status_line.starts_with("HTTP/1.0");
    let status = Some(status_line)
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or("the answer does not start with an HTTP status line")?;
    let (mut length, mut chunked, mut close, mut keep_alive) = (None, false, false, None);
    let mut keep_alive_token = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        match name.as_str() {
            "content-length" => length = value.parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            "connection" => {
                let v = value.to_ascii_lowercase();
                close = v.contains("close");
                keep_alive_token = v.contains("keep-alive");
            }
            "keep-alive" => keep_alive = Some(value.to_string()),
            _ => {}
        }
    }
    let mut body = buf.get(head_end..).unwrap_or(&[]).to_vec();
    let bodiless = status == 204 || status == 304 || (100..200).contains(&status);
    let framed = if bodiless {
        Some(true)
    } else if chunked {
        loop {
            if body.ends_with(b"0\r\n\r\n") {
                break Some(true);
            }
            match read_some(stream, &mut chunk, deadline) {
                Ok(0) | Err(_) => break Some(false),
                Ok(n) => body.extend_from_slice(chunk.get(..n).unwrap_or(&[])),
            }
        }
    } else if let Some(length) = length {
        loop {
            if body.len() >= length {
                break Some(true);
            }
            match read_some(stream, &mut chunk, deadline) {
                Ok(0) | Err(_) => break Some(false),
                Ok(n) => body.extend_from_slice(chunk.get(..n).unwrap_or(&[])),
            }
        }
    } else {
        None
    };
    Ok(Head {
        status,
        http10,
        keep_alive_token,
        connection_close: close,
        keep_alive,
        framed,
    })
}

fn read_some(stream: &mut TcpStream, chunk: &mut [u8], deadline: Instant) -> Result<usize, String> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err("timed out".into());
    }
    stream
        .set_read_timeout(Some(left))
        .map_err(|e| e.to_string())?;
    stream.read(chunk).map_err(|e| match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => "timed out".to_string(),
        _ => e.to_string(),
    })
}

/// How long the idle connection stayed open, when the server closed it within `wait`.
fn closed_within(stream: &mut TcpStream, wait: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut chunk = [0u8; 1024];
    loop {
        let left = wait.saturating_sub(started.elapsed());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Some(started.elapsed()),
            // Stray bytes (a late body): keep waiting for the close.
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return None;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            // A reset is a close.
            Err(_) => return Some(started.elapsed()),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
