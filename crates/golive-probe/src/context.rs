//! What a live check is and what it may use: the run's [`Probe`] (target, client, configuration)
//! and, per check, a [`ProbeContext`] that keeps the check's evidence log and tables.

use crate::http::{Http, ProbeError, Request, Response};
use golive_core::config::ProbeConfig;
use golive_core::{CheckMeta, Evidence, Outcome, Table};
use std::sync::Mutex;

/// The health paths tried when none is configured, in order.
pub const DEFAULT_HEALTH_PATHS: &[&str] = &["/healthz", "/health", "/livez", "/readyz", "/ready"];

/// A live check: metadata declared with `golive_core::declare_check!` (category `Live`, no
/// facets) and a run against the probed service. Checks send requests only through the context.
pub trait LiveCheck: Sync + Send {
    fn meta(&self) -> &'static CheckMeta;
    fn run(&self, cx: &ProbeContext<'_>) -> Outcome;
}

/// One run of the probe: the target, its client and the configuration.
pub struct Probe {
    pub http: Http,
    pub config: ProbeConfig,
    /// Health paths read from the manifests' readinessProbes (`golive check --probe`).
    pub manifest_health_paths: Vec<String>,
}

impl Probe {
    /// The health paths to try, in order: the configured ones alone when there are any; else the
    /// manifests' readinessProbe paths, then the usual ones.
    pub fn health_paths(&self) -> (Vec<String>, HealthSource) {
        if !self.config.health_paths.is_empty() {
            return (self.config.health_paths.clone(), HealthSource::Configured);
        }
        let mut paths: Vec<String> = Vec::new();
        for p in self
            .manifest_health_paths
            .iter()
            .map(String::as_str)
            .chain(DEFAULT_HEALTH_PATHS.iter().copied())
        {
            if !paths.iter().any(|q| q == p) {
                paths.push(p.to_string());
            }
        }
        let source = if self.manifest_health_paths.is_empty() {
            HealthSource::Discovered
        } else {
            HealthSource::Manifests
        };
        (paths, source)
    }
}

/// Where the health paths come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthSource {
    /// `[probe] health_paths`: each must answer.
    Configured,
    /// The manifests' readinessProbe paths first, then the usual ones.
    Manifests,
    /// The usual ones: one answering is enough.
    Discovered,
}

/// What one live check may use while it runs.
pub struct ProbeContext<'a> {
    pub probe: &'a Probe,
    evidence: Mutex<Vec<Evidence>>,
    tables: Mutex<Vec<Table>>,
}

impl<'a> ProbeContext<'a> {
    pub fn new(probe: &'a Probe) -> ProbeContext<'a> {
        ProbeContext {
            probe,
            evidence: Mutex::new(Vec::new()),
            tables: Mutex::new(Vec::new()),
        }
    }

    pub fn config(&self) -> &ProbeConfig {
        &self.probe.config
    }

    pub fn http(&self) -> &Http {
        &self.probe.http
    }

    /// Sends a request through the run's client (counted, bounded, logged as evidence).
    pub fn send(&self, req: &Request) -> Result<Response, ProbeError> {
        self.probe.http.send(req)
    }

    pub fn get(&self, path: &str) -> Result<Response, ProbeError> {
        self.send(&Request::get(path))
    }

    /// The absolute URL of a path (empty: the target), as shown in messages.
    pub fn url(&self, path: &str) -> String {
        self.probe
            .http
            .url(path)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| path.to_string())
    }

    /// Adds a line to the check's evidence.
    pub fn note(&self, message: impl Into<String>) {
        push(&self.evidence, Evidence::note(message));
    }

    /// Attaches a table to the check's result.
    pub fn table(&self, table: Table) {
        push(&self.tables, table);
    }

    /// The check's evidence: its notes, then every request it sent and what came back.
    pub fn take_evidence(&self) -> Vec<Evidence> {
        let mut out = take(&self.evidence);
        out.extend(self.probe.http.take_log().into_iter().map(Evidence::note));
        out
    }

    pub fn take_tables(&self) -> Vec<Table> {
        take(&self.tables)
    }

    /// The outcome for a request that could not be made: the budget or the overload stop end
    /// the check as an error (it could not be evaluated), and so does a transport failure.
    pub fn unavailable(&self, e: &ProbeError) -> Outcome {
        Outcome::Error {
            reason: e.to_string(),
            findings: Vec::new(),
        }
    }
}

fn push<T>(m: &Mutex<Vec<T>>, item: T) {
    match m.lock() {
        Ok(mut v) => v.push(item),
        Err(p) => p.into_inner().push(item),
    }
}

fn take<T>(m: &Mutex<Vec<T>>) -> Vec<T> {
    match m.lock() {
        Ok(mut v) => std::mem::take(&mut *v),
        Err(p) => std::mem::take(&mut *p.into_inner()),
    }
}
