//! The live checks, one per file (`live/<name>` is `<name>.rs`).

use crate::context::{LiveCheck, ProbeContext};
use crate::load::{self, LoadResult, LoadSpec, StopReason};
use golive_core::Outcome;
use std::time::Duration;

pub mod correlation_id;
pub mod error_hygiene;
pub mod health;
pub mod keepalive;
pub mod latency;
pub mod metrics;
pub mod payload_limit;
pub mod rate_limit;
pub mod security_headers;
pub mod tls;
pub mod traces;

/// Every live check, in catalogue order.
pub fn all() -> Vec<&'static dyn LiveCheck> {
    vec![
        &health::Health,
        &metrics::Metrics,
        &error_hygiene::ErrorHygiene,
        &payload_limit::PayloadLimit,
        &correlation_id::CorrelationId,
        &security_headers::SecurityHeaders,
        &latency::Latency,
        &rate_limit::RateLimit,
        &tls::Tls,
        &keepalive::Keepalive,
    ]
}

/// The fewest requests a load may be granted from the budget: below that a percentile or a
/// rate limit says nothing.
pub(crate) const MIN_LOAD_REQUESTS: u32 = 20;

/// Runs a bounded load of `GET`s of the target URL through the run's budget: reserves
/// min(rps × duration, what is left) up front (an error outcome below [`MIN_LOAD_REQUESTS`]),
/// honours `[probe] stop_5xx_rate`, gives back what was not sent and records the 5xx answers
/// for the run's overload stop.
pub(crate) fn run_load(
    cx: &ProbeContext<'_>,
    rps: u32,
    duration: Duration,
    concurrency: u32,
) -> Result<LoadResult, Outcome> {
    let http = cx.http();
    let url = http.base().clone();
    let planned = (u64::from(rps) * duration.as_secs()).min(u64::from(u32::MAX)) as u32;
    let granted = match http.reserve_up_to(planned) {
        Ok(n) => n,
        Err(e) => return Err(cx.unavailable(&e)),
    };
    if granted < MIN_LOAD_REQUESTS.min(planned) {
        http.release(granted);
        return Err(Outcome::Error {
            reason: format!(
                "the run's request budget ({} requests) is used up: {granted} left, the load needs at least {} of its {planned}; raise --budget or `[probe] budget`",
                http.budget(),
                MIN_LOAD_REQUESTS.min(planned)
            ),
            findings: Vec::new(),
        });
    }
    let mut spec = LoadSpec::new(f64::from(rps), duration);
    spec.budget = u64::from(granted);
    spec.concurrency = concurrency.max(1) as usize;
    spec.stop_5xx_rate = Some(http.stop_5xx_rate());
    spec.request_timeout = http.timeout();
    let client = http.client().clone();
    let result =
        http.runtime()
            .block_on(load::run(&client, |c, _| http.load_request(c, &url), &spec));
    let sent = u32::try_from(result.sent).unwrap_or(granted).min(granted);
    http.release(granted - sent);
    http.observe_load(
        result.count_5xx(),
        matches!(result.stopped, StopReason::Overload { .. }),
    );
    Ok(result)
}

/// `200 ×18, 429 ×22` (and transport errors).
pub(crate) fn status_histogram(result: &LoadResult) -> String {
    let mut parts: Vec<String> = result
        .statuses
        .iter()
        .map(|(s, n)| format!("{s} ×{n}"))
        .collect();
    if result.transport_errors > 0 {
        parts.push(format!(
            "no answer ×{}{}",
            result.transport_errors,
            result
                .first_transport_error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ));
    }
    if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join(", ")
    }
}

/// Why a load stopped, for evidence.
pub(crate) fn stop_reason(result: &LoadResult) -> String {
    match &result.stopped {
        StopReason::Duration => "it ran its full duration".to_string(),
        StopReason::Budget => "it sent every request granted".to_string(),
        StopReason::Overload { rate, after } => format!(
            "it stopped for overload: {:.0}% 5xx or no answer after {after} requests (above `[probe] stop_5xx_rate`)",
            rate * 100.0
        ),
    }
}
