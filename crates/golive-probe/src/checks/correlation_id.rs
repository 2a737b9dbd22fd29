use crate::context::{LiveCheck, ProbeContext};
use crate::http::Request;
use golive_core::{Finding, Outcome, declare_check};
use std::time::{SystemTime, UNIX_EPOCH};

/// Response headers that carry a request or trace id.
const ID_HEADERS: &[&str] = &[
    "x-request-id",
    "x-correlation-id",
    "request-id",
    "traceparent",
    "x-trace-id",
    "x-amzn-trace-id",
    "x-b3-traceid",
    "x-cloud-trace-context",
];

declare_check! {
    /// ## What it checks
    /// Requests can be correlated: a `GET` of the target URL carrying `X-Request-ID` and a W3C
    /// `traceparent` gets back the same id, or a new one in `X-Request-ID`, `X-Correlation-ID`,
    /// `Request-Id`, `traceparent` or a tracing system's header.
    ///
    /// ## Why it matters
    /// When a user reports an error, the id in the response is what finds its logs and traces
    /// across every service it went through; without one, incidents are debugged by timestamp
    /// guessing (seed 001: Correlation ID Injection, propagated through all dependent services
    /// for logging and tracing; Structured Logging with correlation IDs).
    ///
    /// ## How to fix
    /// Accept an incoming `X-Request-ID` (or generate one), log it with every line, pass it on
    /// to downstream calls and return it:
    /// ```text
    /// X-Request-ID: 5f2b6c1e-...   (request)  →  X-Request-ID: 5f2b6c1e-...   (response)
    /// ```
    pub struct CorrelationId {
        id: "live/correlation-id",
        title: "Responses carry a request id",
        category: Live,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: ["001: Correlation ID Injection: propagated through all dependent services for logging and tracing", "001: Structured Logging: logs include correlation IDs"],
        fix: "echo the incoming X-Request-ID (or generate one) on every response and in every log line",
    }
}

impl LiveCheck for CorrelationId {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &ProbeContext<'_>) -> Outcome {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let request_id = format!("golive-probe-{nanos:x}");
        let trace_id = format!("{:032x}", nanos ^ 0x9e37_79b9_7f4a_7c15);
        let traceparent = format!("00-{trace_id}-{:016x}-01", (nanos as u64) | 1);
        let request = Request::get("")
            .header("X-Request-ID", &request_id)
            .header("traceparent", &traceparent);
        let response = match cx.send(&request) {
            Ok(r) => r,
            Err(e) => return cx.unavailable(&e),
        };
        let returned: Vec<(&str, &str)> = ID_HEADERS
            .iter()
            .filter_map(|h| response.header(h).map(|v| (*h, v)))
            .collect();
        let echoed = returned
            .iter()
            .find(|(_, v)| v.contains(&request_id) || v.contains(&trace_id));
        if let Some((header, _)) = echoed {
            cx.note(format!(
                "GET {} echoes the sent id in `{header}`",
                response.url
            ));
            return Outcome::Pass(Vec::new());
        }
        if let Some((header, _)) = returned.first() {
            cx.note(format!(
                "GET {} returns its own id in `{header}` (the sent X-Request-ID is not echoed)",
                response.url
            ));
            return Outcome::Pass(Vec::new());
        }
        Outcome::from_findings(
            vec![Finding::repo(format!(
                "GET {} with `X-Request-ID` and `traceparent` answers {} with no request id header (neither echoed nor generated)",
                response.url, response.status
            ))],
            Vec::new(),
        )
    }
}
