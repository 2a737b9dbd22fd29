//! The load generator against a loopback server with fixed, deterministic behaviour.
//! Assertions use generous bounds only (no timing thresholds that could flake on a busy machine).

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use golive_probe::load::{
    LoadResult, LoadSpec, StopReason, chart_svg, render_chart, run, run_blocking,
};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

/// A loopback HTTP server that counts every request it receives.
///
/// Routes: `/fixed/{ms}` answers 200 after `ms` ms; `/limited/{n}` answers 200 to the first `n`
/// requests and 429 (with `Retry-After: 7`) after; `/fail-after/{n}` answers 200 then 503;
/// `/big` sends 1 MiB.
struct TestServer {
    base: String,
    hits: Arc<AtomicU64>,
}

async fn handle(
    req: Request<Incoming>,
    hits: Arc<AtomicU64>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let n = hits.fetch_add(1, Ordering::SeqCst) + 1;
    let path = req.uri().path().to_string();
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let route = parts.next().unwrap_or("");
    let arg: u64 = parts.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let mut resp = Response::builder();
    let body = match route {
        "fixed" => {
            tokio::time::sleep(Duration::from_millis(arg)).await;
            resp = resp.status(200);
            Bytes::from_static(b"ok")
        }
        "limited" => {
            if n <= arg {
                resp = resp
                    .status(200)
                    .header("RateLimit-Limit", arg.to_string())
                    .header("RateLimit-Remaining", (arg - n).to_string())
                    .header("RateLimit-Reset", "7");
            } else {
                resp = resp
                    .status(429)
                    .header("Retry-After", "7")
                    .header("X-RateLimit-Limit", arg.to_string());
            }
            Bytes::from_static(b"limited")
        }
        "fail-after" => {
            resp = resp.status(if n <= arg { 200 } else { 503 });
            Bytes::from_static(b"maybe")
        }
        "big" => {
            resp = resp.status(200);
            Bytes::from(vec![b'x'; 1 << 20])
        }
        _ => {
            resp = resp.status(404);
            Bytes::new()
        }
    };
    Ok(resp
        .body(Full::new(body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

async fn start_server() -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicU64::new(0));
    let hits_srv = Arc::clone(&hits);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let hits = Arc::clone(&hits_srv);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| handle(req, Arc::clone(&hits)));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    TestServer {
        base: format!("http://{addr}"),
        hits,
    }
}

fn client() -> reqwest::Client {
    golive_probe::tls::ensure_crypto_provider();
    reqwest::Client::builder().build().unwrap()
}

fn spec(rps: f64, millis: u64) -> LoadSpec {
    LoadSpec::new(rps, Duration::from_millis(millis))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn percentiles_reflect_the_server_delay() {
    let server = start_server().await;
    let url = format!("{}/fixed/20", server.base);
    let spec = spec(50.0, 1000);
    let r = run(&client(), |c, _| c.get(&url), &spec).await;
    // 50 are due; on a very busy machine the last one may be due before the deadline but start
    // after it, and is then not sent.
    assert!((45..=50).contains(&r.sent), "sent {}", r.sent);
    assert_eq!(r.stopped, StopReason::Duration);
    assert_eq!(r.completed, r.sent);
    assert_eq!(r.statuses.get(&200), Some(&r.sent));
    assert_eq!(server.hits.load(Ordering::SeqCst), r.sent);
    let fixed = Duration::from_millis(20);
    assert!(r.p50() >= fixed, "p50 {:?}", r.p50());
    assert!(r.p50() <= r.p90() && r.p90() <= r.p95() && r.p95() <= r.p99() && r.p99() <= r.max());
    assert!(
        r.service_time.min() >= 20_000,
        "service time below the server's delay"
    );
    assert_eq!(r.error_rate(), 0.0);
    assert!(
        r.elapsed >= Duration::from_millis(900),
        "open loop: {:?}",
        r.elapsed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budget_is_never_exceeded() {
    let server = start_server().await;
    let url = format!("{}/fixed/5", server.base);
    let mut spec = spec(2000.0, 2000);
    spec.budget = 37;
    spec.concurrency = 16;
    let made = AtomicU64::new(0);
    let r = run(
        &client(),
        |c, _| {
            made.fetch_add(1, Ordering::SeqCst);
            c.get(&url)
        },
        &spec,
    )
    .await;
    assert_eq!(r.stopped, StopReason::Budget);
    assert_eq!(r.sent, 37);
    assert_eq!(made.load(Ordering::SeqCst), 37);
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        37,
        "the server counted more than the budget"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budget_holds_with_a_slow_server_and_few_slots() {
    let server = start_server().await;
    let url = format!("{}/fixed/50", server.base);
    let mut spec = spec(500.0, 1000);
    spec.budget = 10;
    spec.concurrency = 2;
    let r = run(&client(), |c, _| c.get(&url), &spec).await;
    assert_eq!(r.sent, 10);
    assert_eq!(server.hits.load(Ordering::SeqCst), 10);
    // Requests waited for a slot: the corrected latency includes that wait.
    assert!(
        r.max_lag >= Duration::from_millis(50),
        "lag {:?}",
        r.max_lag
    );
    assert!(r.max() >= r.service_time_max());
}

trait ServiceMax {
    fn service_time_max(&self) -> Duration;
}
impl ServiceMax for LoadResult {
    fn service_time_max(&self) -> Duration {
        Duration::from_micros(self.service_time.max())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stops_at_the_first_sign_of_overload() {
    let server = start_server().await;
    let url = format!("{}/fail-after/10", server.base);
    let mut spec = spec(200.0, 5000);
    spec.stop_5xx_rate = Some(0.5);
    spec.overload_min_sample = 20;
    spec.overload_window = 20;
    let r = run(&client(), |c, _| c.get(&url), &spec).await;
    match r.stopped {
        StopReason::Overload { rate, after } => {
            assert!(rate > 0.5, "{rate}");
            assert!(after >= 20);
        }
        ref other => panic!("expected an overload stop, got {other:?}"),
    }
    assert!(r.sent < 200, "sent {} despite the overload", r.sent);
    assert_eq!(server.hits.load(Ordering::SeqCst), r.sent);
    assert_eq!(r.statuses.get(&200), Some(&10));
    assert!(r.count_5xx() >= 10);
    assert!(r.error_rate() > 0.3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_bookkeeping() {
    let server = start_server().await;
    let url = format!("{}/limited/5", server.base);
    let mut spec = spec(100.0, 300);
    spec.concurrency = 1;
    let r = run(&client(), |c, _| c.get(&url), &spec).await;
    assert!(r.sent > 5, "sent {}", r.sent);
    assert_eq!(r.rate_limit.count_429, r.sent - 5);
    assert_eq!(r.rate_limit.first_429_at, Some(5));
    assert_eq!(r.rate_limit.first_retry_after.as_deref(), Some("7"));
    assert_eq!(
        r.rate_limit
            .headers
            .get("ratelimit-limit")
            .map(String::as_str),
        Some("5")
    );
    assert_eq!(
        r.rate_limit
            .headers
            .get("ratelimit-remaining")
            .map(String::as_str),
        Some("4")
    );
    assert_eq!(
        r.rate_limit
            .headers
            .get("x-ratelimit-limit")
            .map(String::as_str),
        Some("5")
    );
    // 429 is not an error: it is the rate limiter working.
    assert_eq!(r.error_rate(), 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_read_up_to_the_cap() {
    let server = start_server().await;
    let url = format!("{}/big", server.base);
    let mut spec = spec(20.0, 200);
    spec.max_body_bytes = 1024;
    let r = run(&client(), |c, _| c.get(&url), &spec).await;
    assert!(r.sent >= 1);
    assert_eq!(r.truncated_bodies, r.sent);
    assert_eq!(r.statuses.get(&200), Some(&r.sent));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_errors_are_counted() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let mut spec = spec(50.0, 200);
    spec.stop_5xx_rate = None;
    let r = run(&client(), |c, _| c.get(&url), &spec).await;
    assert!(r.sent >= 1);
    assert_eq!(r.transport_errors, r.sent);
    assert_eq!(r.completed, 0);
    assert_eq!(r.error_rate(), 1.0);
    assert!(r.first_transport_error.is_some());
    assert_eq!(r.p99(), Duration::ZERO);
}

#[test]
fn run_blocking_has_its_own_runtime() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(start_server());
    let url = format!("{}/fixed/1", server.base);
    // The server keeps running on `rt`'s worker threads while run_blocking uses its own runtime.
    let r = run_blocking(&client(), |c, _| c.get(&url), &spec(20.0, 250)).unwrap();
    assert!(r.sent >= 1);
    assert_eq!(r.completed, r.sent);
    let inside =
        rt.block_on(async { run_blocking(&client(), |c, _| c.get(&url), &spec(1.0, 1)).is_err() });
    assert!(
        inside,
        "run_blocking inside a runtime must refuse, not panic"
    );
}

fn synthetic() -> LoadResult {
    let mut r = LoadResult::new(LoadSpec::new(20.0, Duration::from_secs(10)));
    for i in 0..200u64 {
        // 12 ms .. ~60 ms, with a slow tail.
        let us = 12_000 + i * 240 + if i >= 196 { 180_000 } else { 0 };
        r.record_latency(us);
    }
    r.sent = 200;
    r.completed = 198;
    r.transport_errors = 2;
    r.statuses.insert(200, 190);
    r.statuses.insert(503, 3);
    r.statuses.insert(429, 5);
    r.rate_limit.count_429 = 5;
    r.elapsed = Duration::from_secs(10);
    r
}

#[test]
fn chart_unicode() {
    insta::assert_snapshot!(render_chart(&synthetic(), 60, true));
}

#[test]
fn chart_ascii() {
    insta::assert_snapshot!(render_chart(&synthetic(), 50, false));
}

#[test]
fn chart_svg_is_self_contained() {
    let svg = chart_svg(&synthetic());
    assert!(!svg.contains("<script"));
    assert!(!svg.contains("href"));
    insta::assert_snapshot!(svg);
}

#[test]
fn chart_of_an_overload_stop() {
    let mut r = synthetic();
    r.stopped = StopReason::Overload {
        rate: 0.6,
        after: 40,
    };
    let text = render_chart(&r, 40, false);
    assert!(
        text.ends_with("stopped for overload: 60% errors after 40 requests\n"),
        "{text}"
    );
}
