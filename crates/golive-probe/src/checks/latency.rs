use super::{run_load, status_histogram, stop_reason};
use crate::context::{LiveCheck, ProbeContext};
use crate::load::{LoadResult, StopReason, format_duration};
use golive_core::{Finding, Outcome, Table, declare_check};
use std::time::Duration;

declare_check! {
    /// ## What it checks
    /// Under a bounded, open-loop load of `GET`s of the target URL (`[probe] latency`: 20
    /// requests per second for 10 s, 4 in flight, by default), the 95th percentile latency is at
    /// most `p95_ms` (500 ms) and the error rate (5xx and no answer) at most `max_error_rate`
    /// (1%). Latency is measured from when each request was due, so time spent queueing behind
    /// slow answers counts (no coordinated omission). The load's requests are reserved from the
    /// run's budget up front (fewer when less is left; under 20 the check is an error), and the
    /// load stops, failing the check, when the share of 5xx answers goes above
    /// `[probe] stop_5xx_rate`. A table shows p50, p90, p95, p99 and max as bars; the evidence
    /// has the statuses, the achieved rate and why the load stopped. A target that answers
    /// only redirects or 4xx does not apply: their latency is not the service's.
    ///
    /// ## Why it matters
    /// A service that answers one request quickly may queue at a modest steady rate; p95, not
    /// the average, is what users and alert rules see (seed 001: Scalability Assessment, conduct
    /// load tests; track request latency and error rates, P9X latency; 002: alert rule "High
    /// Latency p95 > 500ms", "High Error Rate").
    ///
    /// ## How to fix
    /// Profile the slow path (database queries, calls to dependencies, locks), add capacity or
    /// caching, or set `[probe] latency.p95_ms` to the SLO you actually commit to:
    /// ```toml
    /// [probe]
    /// latency = { rps = 20, duration_s = 10, p95_ms = 300, max_error_rate = 0.01 }
    /// ```
    pub struct Latency {
        id: "live/latency",
        title: "p95 latency and error rate meet the SLO under a bounded load",
        category: Live,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: ["001: Scalability Assessment: conduct load tests; track request latency, error rates, P9X latency", "002: Alert rule: High Latency p95 > 500ms, High Error Rate"],
        fix: "make the target meet `[probe] latency.p95_ms` and `max_error_rate` under the configured load, or set the SLO you commit to",
    }
}

impl LiveCheck for Latency {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &ProbeContext<'_>) -> Outcome {
        let slo = cx.config().latency;
        let duration = Duration::from_secs(u64::from(slo.duration_s));
        let url = cx.url("");
        let result = match run_load(cx, slo.rps, duration, slo.concurrency) {
            Ok(r) => r,
            Err(outcome) => return outcome,
        };
        cx.table(chart(&result, slo.rps, slo.duration_s));
        cx.note(format!(
            "GET {url}: {} sent at {:.1} rps ({} rps planned, {} in flight at most): {}",
            result.sent,
            result.achieved_rps(),
            slo.rps,
            slo.concurrency,
            status_histogram(&result)
        ));
        cx.note(format!("the load ended because {}", stop_reason(&result)));
        let mut findings = Vec::new();
        if let StopReason::Overload { rate, after } = result.stopped {
            findings.push(Finding::repo(format!(
                "GET {url} under {} rps: the load stopped for overload, {:.0}% of answers were 5xx or missing after {after} requests",
                slo.rps,
                rate * 100.0
            )));
        }
        if result.latency.is_empty() {
            if findings.is_empty() {
                findings.push(Finding::repo(format!(
                    "GET {url} under {} rps: no answer to any of {} requests ({})",
                    slo.rps,
                    result.sent,
                    status_histogram(&result)
                )));
            }
            return Outcome::from_findings(findings, Vec::new());
        }
        let served = result.statuses.range(200..300).map(|(_, n)| n).sum::<u64>();
        if served == 0 && findings.is_empty() && result.count_5xx() == 0 {
            return Outcome::not_applicable(format!(
                "GET {url} answered only {}: the latency of a redirect or a refusal says nothing of the service's; probe a URL that answers 2xx",
                status_histogram(&result)
            ));
        }
        let p95 = result.p95();
        let limit = Duration::from_millis(slo.p95_ms);
        if p95 > limit {
            findings.push(Finding::repo(format!(
                "GET {url} under {} rps: p95 latency {} ms is over {} ms (`[probe] latency.p95_ms`); p50 {} ms, max {} ms",
                slo.rps,
                p95.as_millis(),
                slo.p95_ms,
                result.p50().as_millis(),
                result.max().as_millis()
            )));
        } else {
            cx.note(format!(
                "p95 {} ms is within {} ms",
                p95.as_millis(),
                slo.p95_ms
            ));
        }
        let rate = result.error_rate();
        if rate > slo.max_error_rate {
            findings.push(Finding::repo(format!(
                "GET {url} under {} rps: {:.1}% errors (5xx or no answer: {}), over {:.1}% (`[probe] latency.max_error_rate`)",
                slo.rps,
                rate * 100.0,
                status_histogram(&result),
                slo.max_error_rate * 100.0
            )));
        } else {
            cx.note(format!(
                "error rate {:.1}% is within {:.1}%",
                rate * 100.0,
                slo.max_error_rate * 100.0
            ));
        }
        Outcome::from_findings(findings, Vec::new())
    }
}

/// The percentile table with a bar column scaled to the max.
fn chart(result: &LoadResult, rps: u32, duration_s: u32) -> Table {
    let mut table = Table::new(
        format!(
            "Latency under load ({rps} rps for {duration_s} s, {} requests)",
            result.sent
        ),
        &["percentile", "latency", ""],
    );
    let rows = [
        ("p50", result.p50()),
        ("p90", result.p90()),
        ("p95", result.p95()),
        ("p99", result.p99()),
        ("max", result.max()),
    ];
    let top = result.max().as_micros().max(1);
    for (label, d) in rows {
        table.row([
            label.to_string(),
            format_duration(d, true),
            bar(d.as_micros(), top, 30),
        ]);
    }
    table
}

/// A bar of `width` cells at most, in eighths of a block.
pub(crate) fn bar(value: u128, top: u128, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (value.saturating_mul(width as u128 * 8) / top.max(1)) as usize;
    let mut out: String = std::iter::repeat_n('█', eighths / 8).collect();
    if !eighths.is_multiple_of(8) {
        out.push(PARTS.get(eighths % 8).copied().unwrap_or(' '));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_scale_to_the_max() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 16, 2), "▏");
        assert_eq!(bar(0, 10, 4), "");
    }
}
