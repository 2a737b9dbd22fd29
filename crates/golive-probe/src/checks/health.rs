use crate::context::{HealthSource, LiveCheck, ProbeContext};
use crate::http::{ProbeError, Response};
use golive_core::{Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// A health endpoint answers 2xx quickly: the configured `[probe] health_paths` (each must
    /// answer), else the readinessProbe paths of the manifests (`golive check --probe`) and then
    /// /healthz, /health, /livez, /readyz and /ready, the first that answers 2xx. "Quickly" is
    /// within `[probe] latency.p95_ms` (500 ms by default), and a JSON body whose top-level
    /// `status` says `down`, `fail`, `unhealthy` or `OUT_OF_SERVICE` is not healthy whatever its
    /// HTTP status (the statuses of nested components are theirs).
    ///
    /// ## Why it matters
    /// Load balancers, orchestrators and uptime monitors decide from a health endpoint whether to
    /// send traffic; without one a hung instance keeps receiving requests, and a slow one makes
    /// probes time out and restarts cascade (seed 003: application services provide health check
    /// endpoints; 001: Health Checks, regular checks of the service and its dependencies).
    ///
    /// ## How to fix
    /// Serve a cheap endpoint that reports whether this instance can serve, and point the
    /// readinessProbe at it:
    /// ```text
    /// GET /healthz  →  200 {"status":"ok"}
    /// ```
    pub struct Health {
        id: "live/health",
        title: "A health endpoint answers 2xx quickly",
        category: Live,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: ["003: Application Services should provide health check endpoints", "001: Health Checks: implement regular health checks to assess the status of services"],
        fix: "serve a cheap health endpoint (e.g. GET /healthz → 200) or name yours in `[probe] health_paths`",
    }
}

impl LiveCheck for Health {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &ProbeContext<'_>) -> Outcome {
        let (paths, source) = cx.probe.health_paths();
        let slow_ms = cx.config().latency.p95_ms;
        let mut findings = Vec::new();
        let mut tried: Vec<String> = Vec::new();
        for path in &paths {
            let response = match cx.get(path) {
                Ok(r) => r,
                Err(e @ ProbeError::Transport { .. }) if source == HealthSource::Configured => {
                    findings.push(Finding::repo(format!(
                        "GET {}: no answer ({e})",
                        cx.url(path)
                    )));
                    continue;
                }
                Err(ProbeError::Transport { message, .. }) => {
                    tried.push(format!("{path}: no answer ({message})"));
                    continue;
                }
                Err(e) => return cx.unavailable(&e),
            };
            let problem = judge(&response, slow_ms);
            match (source, problem) {
                (HealthSource::Configured, Some(p)) => findings.push(Finding::repo(p)),
                (HealthSource::Configured, None) => {}
                (_, None) => {
                    cx.note(format!(
                        "health endpoint {path} answers {} in {} ms (limit {slow_ms} ms)",
                        response.status,
                        response.elapsed.as_millis()
                    ));
                    return Outcome::Pass(Vec::new());
                }
                // A path that exists but is unhealthy or slow is the answer: do not look further.
                (_, Some(p)) if response.status != 404 && response.status != 405 => {
                    return Outcome::from_findings(vec![Finding::repo(p)], Vec::new());
                }
                (_, Some(_)) => tried.push(format!("{path}: {}", response.status)),
            }
        }
        if source == HealthSource::Configured {
            if findings.is_empty() {
                cx.note(format!(
                    "every configured health path answers 2xx within {slow_ms} ms"
                ));
            }
            return Outcome::from_findings(findings, Vec::new());
        }
        Outcome::from_findings(
            vec![Finding::repo(format!(
                "{}: no health endpoint answers 2xx (tried {})",
                cx.url(""),
                tried.join(", ")
            ))],
            Vec::new(),
        )
    }
}

/// What is wrong with a health answer, if anything.
fn judge(r: &Response, slow_ms: u64) -> Option<String> {
    let what = format!("GET {}", r.url);
    if !(200..300).contains(&r.status) {
        return Some(format!("{what} answers {}, not 2xx", r.status));
    }
    if let Some(status) = json_status(&r.body_text()) {
        let s = status.to_ascii_lowercase();
        if [
            "down",
            "fail",
            "failed",
            "failing",
            "unhealthy",
            "error",
            "critical",
        ]
        .contains(&s.as_str())
        {
            return Some(format!(
                "{what} answers {} but its body says \"status\": \"{status}\"",
                r.status
            ));
        }
    }
    let ms = r.elapsed.as_millis();
    if ms > u128::from(slow_ms) {
        return Some(format!(
            "{what} answers {} in {ms} ms, slower than {slow_ms} ms (`[probe] latency.p95_ms`)",
            r.status
        ));
    }
    None
}

/// The top-level `"status"` string of a JSON object body (nested components' statuses are
/// theirs, not the service's).
fn json_status(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    value.get("status")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::json_status;

    #[test]
    fn reads_the_status_of_a_json_body() {
        assert_eq!(
            json_status(r#"{"status": "DOWN"}"#).as_deref(),
            Some("DOWN")
        );
        assert_eq!(
            json_status(r#" {"ok":true,"status":"ok"}"#).as_deref(),
            Some("ok")
        );
        assert_eq!(json_status("status: down"), None);
        assert_eq!(json_status(r#"{"status": 1}"#), None);
        assert_eq!(json_status(r#"{"status""#), None);
        assert_eq!(
            json_status(r#"{"components":{"db":{"status":"DOWN"}},"status":"UP"}"#).as_deref(),
            Some("UP")
        );
    }
}
