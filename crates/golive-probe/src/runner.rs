//! Runs the live checks against a target and scores them into a core [`Report`] through the same
//! engine (severities, waivers, score, level and gate) as `golive check`.

use crate::checks;
use crate::context::{LiveCheck, Probe, ProbeContext};
use crate::http::Http;
use golive_core::engine::{self, RunOptions};
use golive_core::{CheckMeta, Config, Outcome, Report, Table, Workspace};
use std::net::{TcpStream, ToSocketAddrs};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};
use url::Url;

/// Every live check, in catalogue order.
pub fn catalogue() -> Vec<&'static dyn LiveCheck> {
    checks::all()
}

/// The ids of every live check.
pub fn ids() -> Vec<&'static str> {
    catalogue().iter().map(|c| c.meta().id).collect()
}

/// What to probe.
#[derive(Debug, Clone, Default)]
pub struct ProbeTarget {
    /// The service's URL (`http://127.0.0.1:8080`, `https://staging.example.com/api`).
    pub url: String,
    /// Health paths from the manifests' readinessProbes (`golive check --probe`).
    pub manifest_health_paths: Vec<String>,
}

/// A finished probe run.
pub struct ProbeRun {
    pub report: Report,
    /// Requests sent, all checks together (never more than the budget).
    pub requests: u32,
}

/// Parses and validates a target URL: http or https, with a host, no credentials.
pub fn parse_target(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "`{url}`: only http:// and https:// URLs can be probed"
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{url}` has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "`{}`: put credentials in `[probe] headers`, not in the URL (it is printed in reports)",
            parsed.host_str().unwrap_or_default()
        ));
    }
    Ok(parsed)
}

/// Runs the selected live checks (`config.select`/`ignore`) one after the other against the
/// target. An invalid or unreachable target is an error (a usage error for the command line),
/// never a report full of failures.
pub fn run(
    config: &Config,
    checks: &[&dyn LiveCheck],
    target: &ProbeTarget,
    opts: &RunOptions,
) -> Result<ProbeRun, String> {
    let started = Instant::now();
    let url = parse_target(&target.url)?;
    let timeout = Duration::from_millis(config.probe.timeout_ms);
    reachable(&url, timeout)?;
    let probe = Probe {
        http: Http::new(url.clone(), &config.probe)?,
        config: config.probe.clone(),
        manifest_health_paths: target.manifest_health_paths.clone(),
    };
    let mut outcomes: Vec<(&'static CheckMeta, Outcome, Vec<Table>)> = Vec::new();
    for check in checks.iter().filter(|c| config.is_selected(c.meta().id)) {
        let meta = check.meta();
        let cx = ProbeContext::new(&probe);
        let outcome = catch_unwind(AssertUnwindSafe(|| check.run(&cx))).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Outcome::Error {
                reason: format!("internal error in golive (please report it): {what}"),
                findings: Vec::new(),
            }
        });
        let evidence = cx.take_evidence();
        let (outcome, tables) = match outcome {
            Outcome::Pass(mut own) => {
                own.extend(evidence);
                (Outcome::Pass(own), cx.take_tables())
            }
            Outcome::Fail {
                findings,
                evidence: mut own,
            } => {
                own.extend(evidence);
                (
                    Outcome::Fail {
                        findings,
                        evidence: own,
                    },
                    cx.take_tables(),
                )
            }
            other => (other, Vec::new()),
        };
        outcomes.push((meta, outcome, tables));
    }
    let ws = Workspace::from_texts(&[]);
    let known: Vec<&str> = checks.iter().map(|c| c.meta().id).collect();
    let opts = RunOptions {
        target: url.to_string(),
        today: opts.today,
        golive_version: opts.golive_version.clone(),
    };
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    let mut report = engine::report_from_outcomes(outcomes, &ws, config, &known, &opts, elapsed);
    report.timings.total_ms = elapsed;
    Ok(ProbeRun {
        report,
        requests: probe.http.sent(),
    })
}

/// Whether the target accepts a TCP connection (no request is sent).
fn reachable(url: &Url, timeout: Duration) -> Result<(), String> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(80);
    let host_for_socket = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<_> = (host_for_socket, port)
        .to_socket_addrs()
        .map_err(|e| format!("{url}: cannot resolve `{host}`: {e}"))?
        .collect();
    let mut last = String::from("no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(_) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!(
        "{url} is unreachable ({last}): is the service running and listening there?"
    ))
}
