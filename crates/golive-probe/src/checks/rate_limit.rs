use super::{run_load, status_histogram, stop_reason};
use crate::context::{LiveCheck, ProbeContext};
use crate::load::StopReason;
use golive_core::{Finding, Outcome, declare_check};
use std::time::Duration;

/// The burst: requests per second for one second, and in flight at most.
const BURST_RPS: u32 = 40;
const BURST_CONCURRENCY: u32 = 8;

declare_check! {
    /// ## What it checks
    /// A bounded burst of `GET`s of the target URL (40 requests in 1 s, 8 in flight, reserved
    /// from the run's budget; the overload stop applies) meets a rate limit that clients can
    /// follow: a `429` with `Retry-After`, or `RateLimit`/`RateLimit-*`/`X-RateLimit-*` headers
    /// advertised on the answers (even with no 429: the limit is above the burst, and said). A
    /// 429 without `Retry-After` nor RateLimit headers fails (clients cannot tell when to come
    /// back), and so does a burst answered in full with no sign of a limit. A target that
    /// answers the burst only with redirects or 4xx does not apply (probe a page that is served).
    ///
    /// ## Why it matters
    /// Without a limit one noisy client or a retry storm takes the service down for everyone;
    /// without `Retry-After` well-behaved clients retry at once and make it worse (seed 001:
    /// Throttling and Rate Limiting, test throttling and rate-limiting policies, tenant-level
    /// limits against noisy neighbours).
    ///
    /// ## How to fix
    /// Limit at the edge or in the service and say so:
    /// ```nginx
    /// limit_req_zone $binary_remote_addr zone=api:10m rate=20r/s;
    /// limit_req zone=api burst=10 nodelay;
    /// limit_req_status 429;
    /// add_header Retry-After 1 always;
    /// ```
    /// or send `RateLimit-Limit`/`RateLimit-Remaining`/`RateLimit-Reset` (IETF draft) with
    /// every answer.
    pub struct RateLimit {
        id: "live/rate-limit",
        title: "A burst gets 429 with Retry-After, or rate limits are advertised",
        category: Live,
        level: Gold,
        severity: Warning,
        facets: [],
        seeds: ["001: Throttling and Rate Limiting: test throttling and rate limiting policies"],
        fix: "rate-limit the service and answer 429 with `Retry-After` (or advertise `RateLimit-*` headers)",
    }
}

impl LiveCheck for RateLimit {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &ProbeContext<'_>) -> Outcome {
        let url = cx.url("");
        let result = match run_load(cx, BURST_RPS, Duration::from_secs(1), BURST_CONCURRENCY) {
            Ok(r) => r,
            Err(outcome) => return outcome,
        };
        let seen = &result.rate_limit;
        cx.note(format!(
            "burst of GET {url}: {} sent at {:.1} rps, {BURST_CONCURRENCY} in flight at most: {}",
            result.sent,
            result.achieved_rps(),
            status_histogram(&result)
        ));
        cx.note(format!("the burst ended because {}", stop_reason(&result)));
        let headers: Vec<String> = seen
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect();
        if let StopReason::Overload { rate, after } = result.stopped {
            return Outcome::from_findings(
                vec![Finding::repo(format!(
                    "GET {url}: a burst of {BURST_RPS} rps made the service fail: {:.0}% of answers were 5xx or missing after {after} requests, and the probe stopped ({})",
                    rate * 100.0,
                    status_histogram(&result)
                ))],
                Vec::new(),
            );
        }
        if seen.count_429 > 0 {
            let first = seen.first_429_at.map(|i| i + 1).unwrap_or(0);
            if let Some(retry) = &seen.first_retry_after {
                cx.note(format!(
                    "{} × 429 from answer {first} on, with `Retry-After: {retry}`",
                    seen.count_429
                ));
                if !headers.is_empty() {
                    cx.note(format!("rate-limit headers: {}", headers.join(", ")));
                }
                return Outcome::Pass(Vec::new());
            }
            if !headers.is_empty() {
                cx.note(format!(
                    "{} × 429 from answer {first} on, without Retry-After but with rate-limit headers: {}",
                    seen.count_429,
                    headers.join(", ")
                ));
                return Outcome::Pass(Vec::new());
            }
            return Outcome::from_findings(
                vec![Finding::repo(format!(
                    "GET {url}: {} × 429 from answer {first} on, without `Retry-After` or RateLimit headers: clients cannot tell when to retry",
                    seen.count_429
                ))],
                Vec::new(),
            );
        }
        if !headers.is_empty() {
            cx.note(format!(
                "no 429 in the burst, and the limit is advertised: {}",
                headers.join(", ")
            ));
            return Outcome::Pass(Vec::new());
        }
        let served = result.statuses.range(200..300).map(|(_, n)| n).sum::<u64>();
        if served == 0 && result.completed > 0 && result.count_5xx() == 0 {
            return Outcome::not_applicable(format!(
                "GET {url} answered only {}: whether a page the service serves is rate-limited cannot be told from a redirect or a refusal; probe a URL that answers 2xx",
                status_histogram(&result)
            ));
        }
        if result.completed == 0 {
            return Outcome::Error {
                reason: format!(
                    "GET {url}: no answer to the burst ({})",
                    status_histogram(&result)
                ),
                findings: Vec::new(),
            };
        }
        Outcome::from_findings(
            vec![Finding::repo(format!(
                "GET {url}: no sign of rate limiting: {} requests in 1 s all answered ({}) without 429 or RateLimit headers; if a limit exists above that rate, advertise it with RateLimit headers",
                result.sent,
                status_histogram(&result)
            ))],
            Vec::new(),
        )
    }
}
