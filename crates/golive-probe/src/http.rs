//! The probe's HTTP client: every request a run sends goes through [`Http`], which counts it,
//! refuses to go over the run's request budget, to another host, or over the body size, and
//! stops the run at the first sign of overload (a 5xx rate above `stop_5xx_rate`).

use crate::tls::Roots;
use golive_core::config::ProbeConfig;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};
use url::Url;

/// Redirects followed within the target host, at most.
const MAX_REDIRECTS: usize = 5;
/// Bytes of a response body kept (the rest is read and dropped).
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Requests sent before the 5xx rate is judged (one 5xx among the first few is no overload).
const OVERLOAD_MIN_SAMPLE: u32 = 10;

/// Why a request was not sent or got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeError {
    /// The run's request budget is used up.
    Budget { budget: u32 },
    /// The probe stopped sending: the service answered too many 5xx.
    Overload { server_errors: u32, sent: u32 },
    /// A redirect (or a path) leads off the target host.
    OffHost { location: String },
    /// The body is larger than `max_body_bytes`.
    BodyTooLarge { bytes: usize, max: u64 },
    /// No answer: connection refused or reset, TLS failure, timeout.
    Transport { url: String, message: String },
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeError::Budget { budget } => write!(
                f,
                "the run's request budget ({budget} requests) is used up: raise --budget or `[probe] budget`"
            ),
            ProbeError::Overload {
                server_errors,
                sent,
            } => write!(
                f,
                "the probe stopped sending: {server_errors} of {sent} requests got a 5xx answer, above `[probe] stop_5xx_rate` (the service looks overloaded)"
            ),
            ProbeError::OffHost { location } => {
                write!(f, "not followed: `{location}` is off the target host")
            }
            ProbeError::BodyTooLarge { bytes, max } => write!(
                f,
                "not sent: a {bytes}-byte body is over `[probe] max_body_bytes` ({max})"
            ),
            ProbeError::Transport { url, message } => write!(f, "{url}: {message}"),
        }
    }
}

/// A request, relative to the target.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    /// A path from the root (`/healthz`), or empty for the target URL itself.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Only live/payload-limit sends a body over `max_body_bytes`.
    pub oversized: bool,
}

impl Request {
    pub fn get(path: &str) -> Request {
        Request {
            method: "GET".into(),
            path: path.into(),
            ..Request::default()
        }
    }

    pub fn post(path: &str, content_type: &str, body: Vec<u8>) -> Request {
        Request {
            method: "POST".into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
            oversized: false,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub method: String,
    /// The URL that answered (after redirects within the host).
    pub url: String,
    pub status: u16,
    /// Header names in lowercase, in the order received.
    pub headers: Vec<(String, String)>,
    /// The first [`MAX_RESPONSE_BYTES`] of the body.
    pub body: Vec<u8>,
    /// From sending the request to the end of the body (all hops).
    pub elapsed: Duration,
    /// The redirects followed, as `status location`.
    pub redirects: Vec<String>,
}

impl Response {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The media type, lowercase, without parameters (`text/html`).
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// `GET http://host/healthz → 200 in 3 ms`.
    pub fn summary(&self) -> String {
        format!(
            "{} {} → {} in {} ms",
            self.method,
            self.url,
            self.status,
            self.elapsed.as_millis()
        )
    }
}

/// The run's client.
pub struct Http {
    base: Url,
    client: reqwest::Client,
    rt: tokio::runtime::Runtime,
    budget: u32,
    max_body: u64,
    timeout: Duration,
    stop_5xx_rate: f64,
    extra_headers: Vec<(String, String)>,
    sent: AtomicU32,
    server_errors: AtomicU32,
    stopped: AtomicBool,
    /// What each request got, in order (`GET url → 200 in 3 ms`), for the check that sent it.
    log: Mutex<Vec<String>>,
    roots: Roots,
}

/// The certificates of a PEM file (`[probe] ca_file`), or why not.
fn read_ca_file(path: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("`[probe] ca_file` {path}: {e}"))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .filter_map(Result::ok)
        .collect();
    if certs.is_empty() {
        return Err(format!(
            "`[probe] ca_file` {path}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it"
        ));
    }
    Ok(certs)
}

impl Http {
    /// A client for `base` with the `[probe]` settings. Fails on an invalid configuration.
    pub fn new(base: Url, config: &ProbeConfig) -> Result<Http, String> {
        // reqwest is built without a default crypto provider: use ring (no cmake needed).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let timeout = Duration::from_millis(config.timeout_ms);
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .no_proxy()
            .user_agent(concat!("golive-probe/", env!("CARGO_PKG_VERSION")));
        let mut roots = Roots::WebPki;
        if let Some(path) = &config.ca_file {
            let certs = read_ca_file(path)?;
            let mut trusted = Vec::new();
            for cert in &certs {
                trusted.push(
                    reqwest::Certificate::from_der(cert.as_ref())
                        .map_err(|e| format!("`[probe] ca_file` {path}: {e}"))?,
                );
            }
            builder = builder.tls_certs_only(trusted);
            roots = Roots::Custom(certs);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the probe's runtime: {e}"))?;
        Ok(Http {
            base,
            client,
            rt,
            budget: config.budget,
            max_body: config.max_body_bytes,
            timeout,
            stop_5xx_rate: config.stop_5xx_rate,
            extra_headers: config.headers.clone(),
            sent: AtomicU32::new(0),
            server_errors: AtomicU32::new(0),
            stopped: AtomicBool::new(false),
            log: Mutex::new(Vec::new()),
            roots,
        })
    }

    /// The trust anchors for https: `[probe] ca_file` when set, else Mozilla's.
    pub fn roots(&self) -> &Roots {
        &self.roots
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The runtime requests run on (for checks that drive their own async I/O).
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.rt
    }

    /// Requests sent so far.
    pub fn sent(&self) -> u32 {
        self.sent.load(Ordering::SeqCst)
    }

    pub fn budget(&self) -> u32 {
        self.budget
    }

    /// The extra headers of `[probe] headers` (credentials: never print their values).
    pub fn extra_headers(&self) -> &[(String, String)] {
        &self.extra_headers
    }

    /// The absolute URL of `path` (empty: the target URL), refused when off the target host.
    pub fn url(&self, path: &str) -> Result<Url, ProbeError> {
        if path.is_empty() {
            return Ok(self.base.clone());
        }
        let url = self.base.join(path).map_err(|_| ProbeError::OffHost {
            location: path.to_string(),
        })?;
        if !self.same_host(&url) {
            return Err(ProbeError::OffHost {
                location: url.to_string(),
            });
        }
        Ok(url)
    }

    fn same_host(&self, url: &Url) -> bool {
        url.host_str() == self.base.host_str()
            && matches!(url.scheme(), "http" | "https")
            && url.port_or_known_default() == self.base.port_or_known_default()
    }

    /// Takes one request from the budget (for requests sent on a raw connection), or says why not.
    pub fn reserve(&self) -> Result<(), ProbeError> {
        if self.stopped.load(Ordering::SeqCst) {
            return Err(self.overload());
        }
        self.sent
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.budget).then_some(n + 1)
            })
            .map(|_| ())
            .map_err(|_| ProbeError::Budget {
                budget: self.budget,
            })
    }

    /// Takes up to `wanted` requests from the budget at once, for a load whose requests are
    /// sent by [`crate::load::run`]: returns how many were granted (the rest of the budget when
    /// less is left), or why none can be sent. Give back what the load did not send with
    /// [`Http::release`].
    pub fn reserve_up_to(&self, wanted: u32) -> Result<u32, ProbeError> {
        if self.stopped.load(Ordering::SeqCst) {
            return Err(self.overload());
        }
        let mut granted = 0;
        self.sent
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                granted = wanted.min(self.budget.saturating_sub(n));
                Some(n + granted)
            })
            .map_err(|_| ProbeError::Budget {
                budget: self.budget,
            })?;
        Ok(granted)
    }

    /// Gives back requests reserved with [`Http::reserve_up_to`] and not sent.
    pub fn release(&self, unused: u32) {
        let _ = self
            .sent
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_sub(unused))
            });
    }

    /// The underlying client (no redirects, the run's timeouts), for [`crate::load::run`]:
    /// build requests with [`Http::load_request`] so that `[probe] headers` are sent.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// A `GET` of `url` with the `[probe] headers`, for a load (values marked sensitive).
    pub fn load_request(&self, client: &reqwest::Client, url: &Url) -> reqwest::RequestBuilder {
        let mut builder = client.get(url.clone());
        for (name, value) in &self.extra_headers {
            if let Ok(mut value) = reqwest::header::HeaderValue::from_str(value) {
                value.set_sensitive(true);
                builder = builder.header(name.as_str(), value);
            }
        }
        builder
    }

    /// The `[probe] stop_5xx_rate` of this run.
    pub fn stop_5xx_rate(&self) -> f64 {
        self.stop_5xx_rate
    }

    /// Records a load's 5xx answers for the overload stop, and trips it when the load itself
    /// stopped for overload.
    pub fn observe_load(&self, server_errors: u64, overloaded: bool) {
        for _ in 0..server_errors.min(u64::from(u32::MAX)) {
            self.observe(500);
        }
        if overloaded {
            self.stopped.store(true, Ordering::SeqCst);
        }
    }

    fn overload(&self) -> ProbeError {
        ProbeError::Overload {
            server_errors: self.server_errors.load(Ordering::SeqCst),
            sent: self.sent.load(Ordering::SeqCst),
        }
    }

    /// Records an answer's status for the overload stop.
    pub fn observe(&self, status: u16) {
        if status >= 500 {
            let errors = self.server_errors.fetch_add(1, Ordering::SeqCst) + 1;
            let sent = self.sent();
            if sent >= OVERLOAD_MIN_SAMPLE
                && f64::from(errors) / f64::from(sent) > self.stop_5xx_rate
            {
                self.stopped.store(true, Ordering::SeqCst);
            }
        }
    }

    /// Whether the overload stop has tripped.
    pub fn stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Takes the log of requests since the last call.
    pub fn take_log(&self) -> Vec<String> {
        match self.log.lock() {
            Ok(mut l) => std::mem::take(&mut *l),
            Err(p) => std::mem::take(&mut *p.into_inner()),
        }
    }

    pub fn log(&self, line: String) {
        match self.log.lock() {
            Ok(mut l) => l.push(line),
            Err(p) => p.into_inner().push(line),
        }
    }

    /// Sends a request, following redirects within the target host (GET and HEAD only).
    pub fn send(&self, req: &Request) -> Result<Response, ProbeError> {
        if !req.oversized && req.body.len() as u64 > self.max_body {
            return Err(ProbeError::BodyTooLarge {
                bytes: req.body.len(),
                max: self.max_body,
            });
        }
        let mut url = self.url(&req.path)?;
        let started = Instant::now();
        let mut redirects = Vec::new();
        loop {
            self.reserve()?;
            let result = self.rt.block_on(self.once(req, &url));
            let (status, headers, body) = match result {
                Ok(r) => r,
                Err(message) => {
                    self.log(format!("{} {url} → no answer: {message}", req.method));
                    return Err(ProbeError::Transport {
                        url: url.to_string(),
                        message,
                    });
                }
            };
            self.observe(status);
            let follow = (300..400).contains(&status)
                && status != 304
                && matches!(req.method.as_str(), "GET" | "HEAD")
                && redirects.len() < MAX_REDIRECTS;
            let location = headers
                .iter()
                .find(|(n, _)| n == "location")
                .map(|(_, v)| v.clone());
            if let (true, Some(location)) = (follow, location) {
                let next = url.join(&location).map_err(|_| ProbeError::OffHost {
                    location: location.clone(),
                })?;
                if next.host_str() != self.base.host_str() {
                    self.log(format!(
                        "{} {url} → {status}, redirect to {next} not followed (off the target host)",
                        req.method
                    ));
                    let response = Response {
                        method: req.method.clone(),
                        url: url.to_string(),
                        status,
                        headers,
                        body,
                        elapsed: started.elapsed(),
                        redirects,
                    };
                    return Ok(response);
                }
                self.log(format!("{} {url} → {status}, to {next}", req.method));
                redirects.push(format!("{status} {next}"));
                url = next;
                continue;
            }
            let response = Response {
                method: req.method.clone(),
                url: url.to_string(),
                status,
                headers,
                body,
                elapsed: started.elapsed(),
                redirects,
            };
            self.log(response.summary());
            return Ok(response);
        }
    }

    /// Sends one request as part of a load (live/latency, live/rate-limit): counted against the
    /// budget, observed by the overload stop and the body-size cap, never redirected and not
    /// logged one by one. Runs on the caller's runtime ([`Http::runtime`]).
    pub async fn send_unlogged(&self, req: &Request) -> Result<Response, ProbeError> {
        if !req.oversized && req.body.len() as u64 > self.max_body {
            return Err(ProbeError::BodyTooLarge {
                bytes: req.body.len(),
                max: self.max_body,
            });
        }
        let url = self.url(&req.path)?;
        self.reserve()?;
        let started = Instant::now();
        let (status, headers, body) =
            self.once(req, &url)
                .await
                .map_err(|message| ProbeError::Transport {
                    url: url.to_string(),
                    message,
                })?;
        self.observe(status);
        Ok(Response {
            method: req.method.clone(),
            url: url.to_string(),
            status,
            headers,
            body,
            elapsed: started.elapsed(),
            redirects: Vec::new(),
        })
    }

    async fn once(
        &self,
        req: &Request,
        url: &Url,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), String> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| format!("invalid method `{}`", req.method))?;
        let mut builder = self.client.request(method, url.clone());
        for (name, value) in &self.extra_headers {
            let mut value = reqwest::header::HeaderValue::from_str(value)
                .map_err(|_| format!("`[probe] headers.{name}` is not a valid header value"))?;
            value.set_sensitive(true);
            builder = builder.header(name.as_str(), value);
        }
        for (name, value) in &req.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !req.body.is_empty() || req.method == "POST" {
            builder = builder.body(req.body.clone());
        }
        let mut response = builder.send().await.map_err(describe)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = MAX_RESPONSE_BYTES.saturating_sub(body.len());
                    body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or(&[]));
                }
                Ok(None) => break,
                // A body cut short still tells what the status and headers said.
                Err(_) => break,
            }
        }
        Ok((status, headers, body))
    }
}

/// A transport error in a few words (reqwest's Display hides the cause).
fn describe(e: reqwest::Error) -> String {
    let mut parts = vec![if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        "request failed".to_string()
    }];
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(config: &ProbeConfig) -> Http {
        let base = Url::parse("http://127.0.0.1:9/api/").unwrap_or_else(|e| panic!("{e}"));
        Http::new(base, config).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_overload_stop_trips_above_the_5xx_rate_after_a_sample() {
        let h = http(&ProbeConfig::default());
        for _ in 0..9 {
            assert!(h.reserve().is_ok());
            h.observe(503);
        }
        assert!(!h.stopped(), "nine answers are too few to judge");
        assert!(h.reserve().is_ok());
        h.observe(503);
        assert!(h.stopped());
        assert!(matches!(
            h.reserve(),
            Err(ProbeError::Overload {
                server_errors: 10,
                sent: 10
            })
        ));
    }

    #[test]
    fn the_budget_and_the_host_are_enforced_before_sending() {
        let config = ProbeConfig {
            budget: 2,
            max_body_bytes: 4,
            ..ProbeConfig::default()
        };
        let h = http(&config);
        assert!(h.reserve().is_ok());
        assert!(h.reserve().is_ok());
        assert_eq!(h.reserve(), Err(ProbeError::Budget { budget: 2 }));
        assert_eq!(h.sent(), 2);
        assert_eq!(
            h.url("/healthz").map(|u| u.to_string()),
            Ok("http://127.0.0.1:9/healthz".to_string())
        );
        assert_eq!(
            h.url("").map(|u| u.to_string()),
            Ok("http://127.0.0.1:9/api/".to_string())
        );
        assert!(matches!(
            h.url("//evil.example/x"),
            Err(ProbeError::OffHost { .. })
        ));
        assert!(matches!(
            h.url("http://other.example/"),
            Err(ProbeError::OffHost { .. })
        ));
        let big = Request::post("/", "text/plain", b"12345".to_vec());
        assert!(matches!(
            h.send(&big),
            Err(ProbeError::BodyTooLarge { bytes: 5, max: 4 })
        ));
    }
}
