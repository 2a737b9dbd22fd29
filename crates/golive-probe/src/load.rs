//! The bounded load generator.
//!
//! ```no_run
//! use golive_probe::load::{LoadSpec, run};
//! use std::time::Duration;
//!
//! # async fn demo() {
//! golive_probe::tls::ensure_crypto_provider(); // reqwest is built without a TLS provider
//! let client = reqwest::Client::new();
//! let spec = LoadSpec::new(20.0, Duration::from_secs(10));
//! let result = run(&client, |c, _i| c.get("http://127.0.0.1:8080/"), &spec).await;
//! println!("p95 {:?}, errors {:.1}%", result.p95(), result.error_rate() * 100.0);
//! println!("{}", golive_probe::load::render_chart(&result, 60, true));
//! # }
//! ```
//!
//! # Bounds
//!
//! A load test against someone's service must stop by itself, whatever happens:
//!
//! * `budget` is a hard cap on requests sent. The generator never retries; the scheduler is a
//!   single task that counts every request before it is handed to the client, so neither
//!   concurrency nor a slow server can push the count over the budget.
//! * `duration`: no request starts after it; requests in flight then are awaited (each is bounded
//!   by `request_timeout`).
//! * `stop_5xx_rate`: once `overload_min_sample` requests have completed, the run stops at the
//!   first moment the share of 5xx responses *and transport errors* (timeouts, resets, refused
//!   connections: the other face of overload) among the last `overload_window` outcomes exceeds
//!   it.
//! * `max_body_bytes`: response bodies are read up to this many bytes, then dropped.
//!
//! # Pacing and coordinated omission
//!
//! The load is open-loop: request `i` is due at `start + i / rps`, whether or not earlier
//! requests have answered, so a slow server does not slow the generator down (a closed loop
//! would hide exactly the latency we want to see). At most `concurrency` requests are in flight;
//! when all slots are busy, the next request waits for a slot and starts late. That wait is the
//! queueing a real client would suffer, so latency is measured **from the time the request was
//! due**, not from when it was sent (the correction wrk2 applies against coordinated omission).
//! [`LoadResult::latency`] holds these corrected latencies; [`LoadResult::service_time`] holds
//! send-to-response times for comparison, and [`LoadResult::max_lag`] says how late the latest
//! start was.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hdrhistogram::Histogram;
use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

/// What to send and when to stop.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadSpec {
    /// Requests started per second (open loop). Values <= 0 send nothing.
    pub rps: f64,
    /// No request starts after this.
    pub duration: Duration,
    /// Maximum requests in flight.
    pub concurrency: usize,
    /// Hard cap on requests sent.
    pub budget: u64,
    /// Stop when the share of 5xx responses and transport errors in the sliding window exceeds
    /// this (0.0..=1.0). `None`: never stop early.
    pub stop_5xx_rate: Option<f64>,
    /// Outcomes in the sliding window of the overload stop.
    pub overload_window: usize,
    /// Completed requests needed before the overload stop may trigger.
    pub overload_min_sample: u64,
    /// Bytes of each response body read at most.
    pub max_body_bytes: usize,
    /// Timeout of one request (connect to end of body).
    pub request_timeout: Duration,
}

impl LoadSpec {
    /// `rps` for `duration`, with a budget of exactly `rps × duration` requests, 32 in flight at
    /// most, an overload stop at 50% 5xx/errors over the last 50 outcomes (after 20), 64 KiB of
    /// body, 10 s per request.
    pub fn new(rps: f64, duration: Duration) -> LoadSpec {
        let planned = (rps.max(0.0) * duration.as_secs_f64()).ceil();
        LoadSpec {
            rps,
            duration,
            concurrency: 32,
            budget: if planned.is_finite() {
                planned as u64
            } else {
                0
            },
            stop_5xx_rate: Some(0.5),
            overload_window: 50,
            overload_min_sample: 20,
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum StopReason {
    /// The duration elapsed.
    Duration,
    /// The budget of requests was spent.
    Budget,
    /// The 5xx/error share in the window exceeded `stop_5xx_rate`.
    Overload {
        /// The share that tripped the stop.
        rate: f64,
        /// After this many completed requests (responses and transport errors).
        after: u64,
    },
}

/// Rate-limit signals seen in responses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimitSeen {
    /// Responses with status 429.
    pub count_429: u64,
    /// Index (0-based, in completion order) of the first 429.
    pub first_429_at: Option<u64>,
    /// The `Retry-After` of the first 429 that had one, as sent.
    pub first_retry_after: Option<String>,
    /// First value seen of each `RateLimit*` / `X-RateLimit-*` header (names lowercased:
    /// `ratelimit`, `ratelimit-policy`, `ratelimit-limit`, `ratelimit-remaining`,
    /// `ratelimit-reset`, `x-ratelimit-limit`...), on any response.
    pub headers: BTreeMap<String, String>,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct LoadResult {
    pub spec: LoadSpec,
    /// Requests handed to the client (never more than `spec.budget`).
    pub sent: u64,
    /// Requests that got a response (any status).
    pub completed: u64,
    /// Requests that got no response: timeout, connection refused or reset, TLS error...
    pub transport_errors: u64,
    /// The first transport error, for messages.
    pub first_transport_error: Option<String>,
    /// Responses per status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Latency in microseconds from the time each request was due (corrected for coordinated
    /// omission), responses only.
    pub latency: Histogram<u64>,
    /// Microseconds from send to the end of the (capped) body, responses only.
    pub service_time: Histogram<u64>,
    /// How late the latest request started compared to its schedule.
    pub max_lag: Duration,
    /// Bodies cut at `max_body_bytes`.
    pub truncated_bodies: u64,
    pub rate_limit: RateLimitSeen,
    pub stopped: StopReason,
    /// From the first scheduled start to the last completion.
    pub elapsed: Duration,
}

/// Highest latency recorded (1 hour in µs); longer ones are clamped to it.
const MAX_TRACKED_US: u64 = 3_600_000_000;

fn new_histogram() -> Histogram<u64> {
    // Constant bounds that hdrhistogram accepts (1 <= low, high >= 2 * low, 3 significant
    // figures): this cannot fail.
    Histogram::new_with_bounds(1, MAX_TRACKED_US, 3).expect("constant histogram bounds are valid")
}

impl LoadResult {
    /// An empty result for `spec` (also handy to build synthetic results in tests).
    pub fn new(spec: LoadSpec) -> LoadResult {
        LoadResult {
            spec,
            sent: 0,
            completed: 0,
            transport_errors: 0,
            first_transport_error: None,
            statuses: BTreeMap::new(),
            latency: new_histogram(),
            service_time: new_histogram(),
            max_lag: Duration::ZERO,
            truncated_bodies: 0,
            rate_limit: RateLimitSeen::default(),
            stopped: StopReason::Duration,
            elapsed: Duration::ZERO,
        }
    }

    /// Records one response latency (µs), clamped to the tracked range.
    pub fn record_latency(&mut self, micros: u64) {
        self.latency
            .saturating_record(micros.clamp(1, MAX_TRACKED_US));
    }

    /// The latency at quantile `q` (0.0..=1.0); zero with no responses.
    pub fn percentile(&self, q: f64) -> Duration {
        if self.latency.is_empty() {
            return Duration::ZERO;
        }
        Duration::from_micros(self.latency.value_at_quantile(q.clamp(0.0, 1.0)))
    }
    pub fn p50(&self) -> Duration {
        self.percentile(0.50)
    }
    pub fn p90(&self) -> Duration {
        self.percentile(0.90)
    }
    pub fn p95(&self) -> Duration {
        self.percentile(0.95)
    }
    pub fn p99(&self) -> Duration {
        self.percentile(0.99)
    }
    pub fn max(&self) -> Duration {
        if self.latency.is_empty() {
            return Duration::ZERO;
        }
        Duration::from_micros(self.latency.max())
    }

    /// Responses with a 5xx status.
    pub fn count_5xx(&self) -> u64 {
        self.statuses.range(500..600).map(|(_, n)| n).sum()
    }

    /// Share of 5xx responses and transport errors among finished requests (0.0 with none).
    /// 4xx (429 included) are not errors here: see [`LoadResult::rate_limit`].
    pub fn error_rate(&self) -> f64 {
        let finished = self.completed + self.transport_errors;
        if finished == 0 {
            return 0.0;
        }
        (self.count_5xx() + self.transport_errors) as f64 / finished as f64
    }

    /// Requests sent per second of elapsed time.
    pub fn achieved_rps(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs <= 0.0 {
            0.0
        } else {
            self.sent as f64 / secs
        }
    }
}

/// What one request produced.
enum Outcome {
    Response {
        status: u16,
        latency_us: u64,
        service_us: u64,
        truncated: bool,
        retry_after: Option<String>,
        rate_headers: Vec<(String, String)>,
    },
    TransportError(String),
}

struct Shared {
    result: LoadResult,
    window: VecDeque<bool>,
    overload: Option<StopReason>,
}

impl Shared {
    fn record(&mut self, outcome: Outcome) {
        let bad = match outcome {
            Outcome::Response {
                status,
                latency_us,
                service_us,
                truncated,
                retry_after,
                rate_headers,
            } => {
                let r = &mut self.result;
                let index = r.completed + r.transport_errors;
                r.completed += 1;
                *r.statuses.entry(status).or_default() += 1;
                r.record_latency(latency_us);
                r.service_time
                    .saturating_record(service_us.clamp(1, MAX_TRACKED_US));
                r.truncated_bodies += u64::from(truncated);
                if status == 429 {
                    r.rate_limit.count_429 += 1;
                    r.rate_limit.first_429_at.get_or_insert(index);
                    if r.rate_limit.first_retry_after.is_none() {
                        r.rate_limit.first_retry_after = retry_after;
                    }
                }
                for (k, v) in rate_headers {
                    r.rate_limit.headers.entry(k).or_insert(v);
                }
                status >= 500
            }
            Outcome::TransportError(e) => {
                self.result.transport_errors += 1;
                self.result.first_transport_error.get_or_insert(e);
                true
            }
        };
        let spec = &self.result.spec;
        self.window.push_back(bad);
        while self.window.len() > spec.overload_window.max(1) {
            self.window.pop_front();
        }
        let finished = self.result.completed + self.result.transport_errors;
        if let Some(limit) = spec.stop_5xx_rate
            && self.overload.is_none()
            && finished >= spec.overload_min_sample.max(1)
        {
            let bad_count = self.window.iter().filter(|b| **b).count();
            let rate = bad_count as f64 / self.window.len().max(1) as f64;
            if rate > limit {
                self.overload = Some(StopReason::Overload {
                    rate,
                    after: finished,
                });
            }
        }
    }
}

fn is_rate_limit_header(name: &str) -> bool {
    name.starts_with("ratelimit")
        || name.starts_with("x-ratelimit")
        || name.starts_with("x-rate-limit")
}

async fn one_request(
    request: reqwest::RequestBuilder,
    due: Instant,
    spec_timeout: Duration,
    max_body: usize,
) -> Outcome {
    let sent_at = Instant::now();
    let work = async {
        let mut response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let retry_after = headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let rate_headers: Vec<(String, String)> = headers
            .iter()
            .filter(|(k, _)| is_rate_limit_header(k.as_str()))
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let mut read = 0usize;
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await? {
            read = read.saturating_add(chunk.len());
            if read > max_body {
                truncated = true;
                break;
            }
        }
        Ok::<_, reqwest::Error>((status, truncated, retry_after, rate_headers))
    };
    match tokio::time::timeout(spec_timeout, work).await {
        Ok(Ok((status, truncated, retry_after, rate_headers))) => {
            let end = Instant::now();
            Outcome::Response {
                status,
                latency_us: micros(end.saturating_duration_since(due)),
                service_us: micros(end.saturating_duration_since(sent_at)),
                truncated,
                retry_after,
                rate_headers,
            }
        }
        Ok(Err(e)) => Outcome::TransportError(error_chain(&e)),
        Err(_) => Outcome::TransportError(format!(
            "no complete response within {} ms",
            spec_timeout.as_millis()
        )),
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// Runs the load described by `spec`. `make(client, i)` builds request number `i` (0-based);
/// it is called once per request sent, never more than `spec.budget` times.
pub async fn run<F>(client: &reqwest::Client, make: F, spec: &LoadSpec) -> LoadResult
where
    F: Fn(&reqwest::Client, u64) -> reqwest::RequestBuilder,
{
    let shared = Arc::new(Mutex::new(Shared {
        result: LoadResult::new(spec.clone()),
        window: VecDeque::new(),
        overload: None,
    }));
    let finished = Arc::new(Notify::new());
    let slots = Arc::new(Semaphore::new(spec.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let start = Instant::now();
    let deadline = start
        .checked_add(spec.duration)
        .unwrap_or_else(|| start + Duration::from_secs(365 * 86_400));
    let interval = if spec.rps > 0.0 {
        Duration::try_from_secs_f64(1.0 / spec.rps).unwrap_or(Duration::ZERO)
    } else {
        Duration::ZERO
    };
    let mut sent: u64 = 0;
    let mut max_lag = Duration::ZERO;

    let overloaded = |shared: &Arc<Mutex<Shared>>| -> Option<StopReason> {
        shared.lock().ok().and_then(|s| s.overload.clone())
    };

    let stopped = loop {
        if let Some(reason) = overloaded(&shared) {
            break reason;
        }
        if interval.is_zero() {
            break StopReason::Budget;
        }
        let due = Duration::try_from_secs_f64(interval.as_secs_f64() * sent as f64)
            .ok()
            .and_then(|offset| start.checked_add(offset));
        let Some(due) = due.filter(|due| *due < deadline) else {
            break StopReason::Duration;
        };
        if sent >= spec.budget {
            break StopReason::Budget;
        }
        // Sleep until due, waking early if a completion trips the overload stop.
        tokio::select! {
            _ = tokio::time::sleep_until(due) => {}
            _ = finished.notified() => { continue; }
        }
        // Wait for a free slot (the request starts late if none is free: counted in latency).
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break StopReason::Duration,
            },
            _ = tokio::time::sleep_until(deadline) => break StopReason::Duration,
        };
        if let Some(reason) = overloaded(&shared) {
            break reason;
        }
        let now = Instant::now();
        if now >= deadline {
            break StopReason::Duration;
        }
        max_lag = max_lag.max(now.saturating_duration_since(due));
        let request = make(client, sent);
        sent += 1;
        let shared_task = Arc::clone(&shared);
        let finished_task = Arc::clone(&finished);
        let timeout = spec.request_timeout;
        let max_body = spec.max_body_bytes;
        tasks.spawn(async move {
            let outcome = one_request(request, due, timeout, max_body).await;
            if let Ok(mut s) = shared_task.lock() {
                s.record(outcome);
                if s.overload.is_some() {
                    finished_task.notify_one();
                }
            }
            // Free the slot only once the outcome is recorded, so that the scheduler, which
            // checks for overload after taking a slot, sees it.
            drop(permit);
        });
    };
    while tasks.join_next().await.is_some() {}
    let elapsed = start.elapsed();
    let mut result = match Arc::try_unwrap(shared) {
        Ok(m) => m
            .into_inner()
            .map(|s| s.result)
            .unwrap_or_else(|p| p.into_inner().result),
        Err(arc) => arc
            .lock()
            .map(|s| s.result.clone())
            .unwrap_or_else(|p| p.into_inner().result.clone()),
    };
    result.sent = sent;
    result.max_lag = max_lag;
    result.stopped = stopped;
    result.elapsed = elapsed;
    result
}

/// [`run`] on a runtime of its own, for synchronous callers. Fails (instead of panicking) when
/// called from inside a Tokio runtime, or when the runtime cannot be created.
pub fn run_blocking<F>(
    client: &reqwest::Client,
    make: F,
    spec: &LoadSpec,
) -> Result<LoadResult, std::io::Error>
where
    F: Fn(&reqwest::Client, u64) -> reqwest::RequestBuilder,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(std::io::Error::other(
            "run_blocking called inside a Tokio runtime: await load::run instead",
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    Ok(runtime.block_on(run(client, make, spec)))
}

// ---------------------------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------------------------

/// `850 µs`, `12.3 ms`, `1.24 s` (`us` instead of `µs` in ASCII).
pub fn format_duration(d: Duration, unicode: bool) -> String {
    let us = d.as_micros();
    if us < 1000 {
        format!("{us} {}", if unicode { "µs" } else { "us" })
    } else if us < 1_000_000 {
        let ms = us as f64 / 1000.0;
        if ms < 100.0 {
            format!("{ms:.1} ms")
        } else {
            format!("{ms:.0} ms")
        }
    } else {
        format!("{:.2} s", us as f64 / 1_000_000.0)
    }
}

fn rows(result: &LoadResult) -> [(&'static str, Duration); 5] {
    [
        ("p50", result.p50()),
        ("p90", result.p90()),
        ("p95", result.p95()),
        ("p99", result.p99()),
        ("max", result.max()),
    ]
}

/// A percentile bar chart for the terminal, `width` columns wide (at least 30), bars scaled to
/// the maximum. `unicode` uses block characters with eighth-of-a-cell precision; otherwise `#`
/// and `.`. Ends with a summary line (requests, errors, why it stopped).
pub fn render_chart(result: &LoadResult, width: usize, unicode: bool) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let width = width.max(30);
    let bar_width = width - 16;
    let values = rows(result);
    let top = values.iter().map(|(_, d)| d.as_micros()).max().unwrap_or(0);
    let mut out = String::new();
    if result.latency.is_empty() {
        out.push_str("no responses: no latency to chart\n");
    } else {
        for (label, d) in values {
            let frac = if top == 0 {
                0.0
            } else {
                d.as_micros() as f64 / top as f64
            };
            let eighths = (frac * (bar_width * 8) as f64).round() as usize;
            let mut bar = String::new();
            if unicode {
                bar.extend(std::iter::repeat_n('█', eighths / 8));
                if !eighths.is_multiple_of(8) {
                    bar.push(PARTS.get(eighths % 8).copied().unwrap_or(' '));
                }
                let used = bar.chars().count();
                bar.extend(std::iter::repeat_n(' ', bar_width.saturating_sub(used)));
            } else {
                let full = (eighths + 4) / 8;
                bar.extend(std::iter::repeat_n('#', full));
                bar.extend(std::iter::repeat_n('.', bar_width.saturating_sub(full)));
            }
            let sep = if unicode { '│' } else { '|' };
            out.push_str(&format!(
                "{label} {sep}{bar}{sep} {:>9}\n",
                format_duration(d, unicode)
            ));
        }
    }
    out.push_str(&summary_line(result));
    out.push('\n');
    out
}

fn summary_line(result: &LoadResult) -> String {
    let stopped = match &result.stopped {
        StopReason::Duration => "duration reached".to_string(),
        StopReason::Budget => "budget spent".to_string(),
        StopReason::Overload { rate, after } => format!(
            "stopped for overload: {:.0}% errors after {after} requests",
            rate * 100.0
        ),
    };
    format!(
        "{} sent, {} responses, {:.1}% errors, {} × 429; {stopped}",
        result.sent,
        result.completed,
        result.error_rate() * 100.0,
        result.rate_limit.count_429
    )
}

/// The same chart as a self-contained inline SVG (no scripts, no external references) for the
/// HTML report.
pub fn chart_svg(result: &LoadResult) -> String {
    const W: usize = 480;
    const ROW: usize = 24;
    const LEFT: usize = 40;
    const RIGHT: usize = 90;
    let values = rows(result);
    let height = ROW * values.len() + 40;
    let top = values.iter().map(|(_, d)| d.as_micros()).max().unwrap_or(0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" \
         viewBox=\"0 0 {W} {height}\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <title>Latency percentiles</title>\n"
    );
    let span = W - LEFT - RIGHT;
    for (i, (label, d)) in values.iter().enumerate() {
        let y = 10 + i * ROW;
        let w = if top == 0 {
            0
        } else {
            ((d.as_micros() as f64 / top as f64) * span as f64).round() as usize
        };
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{label}</text>\
             <rect x=\"{LEFT}\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"#4e79a7\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>\n",
            y + 13,
            LEFT + w + 6,
            y + 13,
            format_duration(*d, true)
        ));
    }
    svg.push_str(&format!(
        "<text x=\"0\" y=\"{}\" fill=\"#555\">{}</text>\n</svg>\n",
        height - 8,
        escape_xml(&summary_line(result))
    ));
    svg
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(Duration::from_micros(850), true), "850 µs");
        assert_eq!(format_duration(Duration::from_micros(850), false), "850 us");
        assert_eq!(
            format_duration(Duration::from_micros(12_345), true),
            "12.3 ms"
        );
        assert_eq!(format_duration(Duration::from_millis(250), true), "250 ms");
        assert_eq!(format_duration(Duration::from_millis(1240), true), "1.24 s");
    }

    #[test]
    fn spec_defaults_budget_the_planned_requests() {
        let spec = LoadSpec::new(20.0, Duration::from_secs(10));
        assert_eq!(spec.budget, 200);
        assert_eq!(LoadSpec::new(-1.0, Duration::from_secs(10)).budget, 0);
        assert_eq!(
            LoadSpec::new(f64::INFINITY, Duration::from_secs(1)).budget,
            0
        );
    }

    #[test]
    fn overload_window_trips_only_after_min_sample() {
        let mut spec = LoadSpec::new(10.0, Duration::from_secs(1));
        spec.overload_min_sample = 5;
        spec.overload_window = 4;
        spec.stop_5xx_rate = Some(0.5);
        let mut s = Shared {
            result: LoadResult::new(spec),
            window: VecDeque::new(),
            overload: None,
        };
        let resp = |status| Outcome::Response {
            status,
            latency_us: 10,
            service_us: 10,
            truncated: false,
            retry_after: None,
            rate_headers: vec![],
        };
        for _ in 0..4 {
            s.record(resp(503));
        }
        assert!(s.overload.is_none(), "4 < min sample");
        s.record(resp(200));
        // Window of 4: 503, 503, 503, 200 -> 75% > 50%.
        assert_eq!(
            s.overload,
            Some(StopReason::Overload {
                rate: 0.75,
                after: 5
            })
        );
    }

    #[test]
    fn empty_result_has_zero_percentiles() {
        let r = LoadResult::new(LoadSpec::new(1.0, Duration::from_secs(1)));
        assert_eq!(r.p99(), Duration::ZERO);
        assert_eq!(r.max(), Duration::ZERO);
        assert_eq!(r.error_rate(), 0.0);
        assert!(render_chart(&r, 40, true).starts_with("no responses"));
    }
}
