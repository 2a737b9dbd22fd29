//! What a check is: its metadata (declared once, next to the code, with its docs) and the pure
//! function that turns a scanned workspace into an outcome.

use crate::config::Config;
use crate::date::Date;
use crate::model::{Category, Evidence, Facet, Finding, Level, Severity, Table};
use crate::workspace::Workspace;
use std::sync::Mutex;

/// Everything golive knows about a check without running it. The single source for
/// `golive checks`, `golive explain`, rule descriptors in reports and docs/checks.md.
#[derive(Debug)]
pub struct CheckMeta {
    /// Stable id, `category/name`, kebab-case.
    pub id: &'static str,
    pub title: &'static str,
    pub category: Category,
    pub level: Level,
    pub severity: Severity,
    /// The check applies when the repository has any of these facets; empty means always.
    pub facets: &'static [Facet],
    /// The checklist items (seed documents) the check comes from.
    pub seeds: &'static [&'static str],
    /// A one-line hint on how to fix a failure.
    pub fix: &'static str,
    /// The doc comment of the check's struct, as written (each line keeps the leading space
    /// rustdoc leaves; use [`CheckMeta::docs`]).
    pub raw_docs: &'static str,
}

impl CheckMeta {
    /// The check's documentation as markdown (what it checks, why it matters, how to fix).
    pub fn docs(&self) -> String {
        let mut out = String::with_capacity(self.raw_docs.len());
        for line in self.raw_docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_end().to_string() + "\n"
    }

    /// The first sentence of the "What it checks" section, for one-line listings.
    pub fn summary(&self) -> String {
        let docs = self.docs();
        let mut lines = docs
            .lines()
            .skip_while(|l| l.starts_with('#') || l.trim().is_empty());
        let mut summary = String::new();
        for line in lines.by_ref() {
            if line.trim().is_empty() || line.starts_with('#') {
                break;
            }
            if !summary.is_empty() {
                summary.push(' ');
            }
            summary.push_str(line.trim());
        }
        summary
    }
}

/// What a check concluded.
#[derive(Debug)]
pub enum Outcome {
    /// Satisfied, with what satisfied it.
    Pass(Vec<Evidence>),
    /// One finding per offending place; evidence may say what was looked at.
    Fail {
        findings: Vec<Finding>,
        evidence: Vec<Evidence>,
    },
    /// The check does not apply here, and why.
    NotApplicable(String),
    /// The check could not be evaluated (e.g. an input it needs could not be read).
    Error {
        reason: String,
        findings: Vec<Finding>,
    },
}

impl Outcome {
    /// Fail when there are findings, pass otherwise.
    pub fn from_findings(findings: Vec<Finding>, evidence: Vec<Evidence>) -> Outcome {
        if findings.is_empty() {
            Outcome::Pass(evidence)
        } else {
            Outcome::Fail { findings, evidence }
        }
    }

    pub fn not_applicable(reason: impl Into<String>) -> Outcome {
        Outcome::NotApplicable(reason.into())
    }
}

/// What a check may read: the scanned workspace and the configuration. Each run of a check gets
/// its own context, where it may also leave tables for people to read ([`Context::table`]).
pub struct Context<'a> {
    pub ws: &'a Workspace,
    pub config: &'a Config,
    /// The date attestations (READINESS.md) are judged against: the engine's `RunOptions::today`;
    /// the system clock's date for a context made with [`Context::new`] alone.
    pub today: Date,
    tables: Mutex<Vec<Table>>,
}

impl<'a> Context<'a> {
    pub fn new(ws: &'a Workspace, config: &'a Config) -> Context<'a> {
        Context {
            ws,
            config,
            today: Date::today(),
            tables: Mutex::new(Vec::new()),
        }
    }

    /// The same context judging dates against `today` (the engine passes `RunOptions::today`).
    pub fn with_today(mut self, today: Date) -> Context<'a> {
        self.today = today;
        self
    }

    /// Attaches a table to the check's result (shown when the check passes or fails).
    pub fn table(&self, table: Table) {
        match self.tables.lock() {
            Ok(mut tables) => tables.push(table),
            Err(poisoned) => poisoned.into_inner().push(table),
        }
    }

    /// The tables attached so far, in the order they were attached.
    pub fn take_tables(&self) -> Vec<Table> {
        match self.tables.lock() {
            Ok(mut tables) => std::mem::take(&mut *tables),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}

/// A built-in (or custom) check. Implementations are pure: no printing, no disk access.
pub trait Check: Sync + Send {
    fn meta(&self) -> &'static CheckMeta;
    fn run(&self, cx: &Context<'_>) -> Outcome;
}

/// Declares a check's struct and its metadata, taking the docs from the doc comment.
///
/// ```ignore
/// declare_check! {
///     /// ## What it checks
///     /// ...
///     pub struct ReadinessProbe {
///         id: "k8s/readiness-probe",
///         title: "Serving containers have a readiness probe",
///         category: Kubernetes,
///         level: Bronze,
///         severity: Error,
///         facets: [Kubernetes],
///         seeds: ["003: health check endpoints"],
///         fix: "add a readinessProbe to the container",
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_check {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            id: $id:literal,
            title: $title:literal,
            category: $category:ident,
            level: $level:ident,
            severity: $severity:ident,
            facets: [$($facet:ident),* $(,)?],
            seeds: [$($seed:literal),* $(,)?],
            fix: $fix:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis struct $name;

        impl $name {
            pub const META: $crate::check::CheckMeta = $crate::check::CheckMeta {
                id: $id,
                title: $title,
                category: $crate::model::Category::$category,
                level: $crate::model::Level::$level,
                severity: $crate::model::Severity::$severity,
                facets: &[$($crate::model::Facet::$facet),*],
                seeds: &[$($seed),*],
                fix: $fix,
                raw_docs: concat!($($doc, "\n"),*),
            };
        }
    };
}
