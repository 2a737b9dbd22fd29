//! Evaluation: every rule on every input, and its results as findings.
//!
//! A result is a string (the message), or an object with `msg` (conftest's shape; `details` and
//! any other keys are kept out of the message) and optionally where it is: `path`, a list of keys
//! and indexes (`["spec", "template", "spec", "containers", 0, "image"]`) or a dotted string
//! (`"spec.template.spec.containers.0.image"`), or `line`, a line of the input's file. Without
//! one, the finding points at the document's first line.

use super::inputs::{self, Input, Seg};
use super::policies::{self, Compiled, Loaded, PolicyError, Rule};
use golive_core::config::CustomCheckConfig;
use golive_core::workspace::Workspace;
use golive_core::{Evidence, Finding, Location, Outcome, Severity};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// The most time one check spends evaluating before it stops with an error.
const CHECK_LIMIT: Duration = Duration::from_secs(120);

pub fn run(entry: &CustomCheckConfig, loaded: &Loaded, ws: &Workspace) -> Outcome {
    if !loaded.problems.is_empty() {
        return Outcome::Error {
            reason: format!(
                "the [[custom]] entry declared at {} cannot be loaded: {}",
                entry.declared_at,
                loaded.problems.join("; ")
            ),
            findings: Vec::new(),
        };
    }
    let mut compiled = match policies::compile(loaded) {
        Ok(compiled) => compiled,
        Err(errors) => return policy_errors("does not compile", errors),
    };
    let wanted: Vec<Rule> = compiled
        .rules
        .iter()
        .filter(|r| in_namespaces(&r.package, &entry.namespaces))
        .cloned()
        .collect();
    if wanted.is_empty() {
        let packages: Vec<&str> = compiled.packages.iter().map(String::as_str).collect();
        return Outcome::Error {
            reason: format!(
                "no deny, violation or warn rule in the namespace(s) {} (the policies declare the package(s) {}): set `namespaces` in the [[custom]] entry declared at {}",
                entry.namespaces.join(", "),
                if packages.is_empty() {
                    "none".to_string()
                } else {
                    packages.join(", ")
                },
                entry.declared_at
            ),
            findings: Vec::new(),
        };
    }
    let collected = inputs::collect(ws, entry);
    if collected.inputs.is_empty() {
        let mut reason = if entry.files.is_empty() {
            "no YAML, JSON, Terraform or Dockerfile document for the policies to check".to_string()
        } else {
            let globs: Vec<&str> = entry.files.iter().map(|g| g.glob.as_str()).collect();
            format!(
                "no YAML, JSON, Terraform or Dockerfile document matches `files` ({})",
                globs.join(", ")
            )
        };
        if !collected.skipped.is_empty() {
            reason.push_str(&format!(
                " ({} matching file(s) do not parse)",
                collected.skipped.len()
            ));
        }
        return Outcome::not_applicable(reason);
    }

    let started = Instant::now();
    let mut findings = Vec::new();
    let mut seen = BTreeSet::new();
    let mut errors: BTreeMap<PolicyError, (usize, String)> = BTreeMap::new();
    let mut excepted = 0usize;
    let namespaces: BTreeSet<&str> = wanted.iter().map(|r| r.package.as_str()).collect();
    'inputs: for input in &collected.inputs {
        compiled
            .engine
            .set_input(regorus::Value::from(input.value.clone()));
        let exceptions = exceptions(&mut compiled, &namespaces);
        for rule in &wanted {
            if started.elapsed() > CHECK_LIMIT {
                errors
                    .entry(PolicyError {
                        file: rule.file.clone(),
                        line: 0,
                        column: 0,
                        message: format!(
                            "evaluation stopped after {} s: the policies are too slow for this repository",
                            CHECK_LIMIT.as_secs()
                        ),
                    })
                    .or_insert((1, input.file.path.clone()));
                break 'inputs;
            }
            let value = match compiled.engine.eval_rule(rule.query()) {
                Ok(value) => value,
                Err(e) => {
                    let timed_out = e.downcast_ref::<regorus::LimitError>().is_some()
                        || e.to_string().contains("time limit");
                    let error = PolicyError::from_regorus(&e, &rule.file);
                    errors
                        .entry(error)
                        .or_insert((0, input.file.path.clone()))
                        .0 += 1;
                    if timed_out {
                        break 'inputs;
                    }
                    continue;
                }
            };
            if matches!(value, regorus::Value::Undefined) {
                continue;
            }
            let results = match serde_json::to_value(&value) {
                Ok(Json::Array(items)) => items,
                Ok(Json::Null) | Ok(Json::Bool(false)) | Err(_) => Vec::new(),
                Ok(other) => vec![other],
            };
            let is_excepted =
                exceptions.contains(&(rule.package.clone(), rule.exception_name().to_string()));
            for result in results {
                if is_excepted {
                    excepted += 1;
                    continue;
                }
                let finding = finding(entry, rule, input, &result);
                let key = (
                    finding.location.as_ref().map(|l| (l.path.clone(), l.line)),
                    finding.message.clone(),
                );
                if seen.insert(key) {
                    findings.push(finding);
                }
            }
        }
    }
    if !errors.is_empty() {
        let errors: Vec<PolicyError> = errors
            .into_iter()
            .map(|(mut e, (count, first))| {
                e.message = match count {
                    0 | 1 => format!("{} (on {first})", e.message),
                    n => format!("{} (on {n} inputs, first {first})", e.message),
                };
                e
            })
            .collect();
        return policy_errors("fails at evaluation", errors);
    }
    let mut evidence = vec![Evidence::note(format!(
        "{} document(s) from {} file(s) evaluated by {} rule(s) ({}) of {} policy file(s)",
        collected.inputs.len(),
        collected.files - collected.skipped.len(),
        wanted.len(),
        wanted
            .iter()
            .map(Rule::query)
            .collect::<Vec<_>>()
            .join(", "),
        loaded.policies.len()
    ))];
    if excepted > 0 {
        evidence.push(Evidence::note(format!(
            "{excepted} result(s) excepted by the policies' `exception` rules"
        )));
    }
    evidence.extend(collected.skipped);
    findings.sort_by(|a, b| {
        let at = |f: &Finding| {
            f.location
                .as_ref()
                .map(|l| (l.path.clone(), l.line, l.column))
        };
        (at(a), &a.message).cmp(&(at(b), &b.message))
    });
    Outcome::from_findings(findings, evidence)
}

fn in_namespaces(package: &str, namespaces: &[String]) -> bool {
    namespaces.iter().any(|n| n == "*" || n == package)
}

/// conftest's exceptions: `exception[rules]` in a namespace, each result a list of rule names
/// without their `deny_`/`violation_`/`warn_` prefix, turns those rules' results into
/// exceptions for this input.
fn exceptions(compiled: &mut Compiled, namespaces: &BTreeSet<&str>) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for ns in namespaces {
        let declared = compiled
            .packages
            .contains(*ns)
            .then(|| compiled.engine.eval_rule(format!("data.{ns}.exception")));
        let Some(Ok(value)) = declared else { continue };
        if matches!(value, regorus::Value::Undefined) {
            continue;
        }
        let Ok(Json::Array(items)) = serde_json::to_value(&value) else {
            continue;
        };
        for names in items {
            let list = match names {
                Json::Array(list) => list,
                other => vec![other],
            };
            for name in list {
                if let Json::String(s) = name {
                    out.insert((ns.to_string(), s));
                }
            }
        }
    }
    out
}

fn finding(entry: &CustomCheckConfig, rule: &Rule, input: &Input<'_>, result: &Json) -> Finding {
    let (message, location) = match result {
        Json::String(s) => (s.clone(), input.start.clone()),
        Json::Object(map) => {
            let message = match map.get("msg") {
                Some(Json::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => result.to_string(),
            };
            (message, locate(input, map))
        }
        Json::Bool(true) => (format!("rule `{}` is true", rule.name), input.start.clone()),
        other => (other.to_string(), input.start.clone()),
    };
    // Name the object unless the policy's message already does (`Deployment web ...`).
    let message = match &input.object {
        Some(object) => {
            let (kind, name) = object.split_once('/').unwrap_or((object, object));
            if message.contains(kind) && message.contains(name) {
                message
            } else {
                format!("{object}: {message}")
            }
        }
        None => message,
    };
    let mut finding = Finding::at(location, message).with_help(format!(
        "reported by `{}` ({}); change the document so the rule no longer matches, or fix the policy",
        rule.query(),
        rule.file
    ));
    if rule.is_warning() {
        finding = finding.with_severity(Severity::Warning);
    } else if entry.severity != Severity::Error {
        finding = finding.with_severity(entry.severity);
    }
    finding
}

/// Where a result object says it is: `path` (a list or a dotted string) or `line`.
fn locate(input: &Input<'_>, map: &serde_json::Map<String, Json>) -> Location {
    match map.get("path") {
        Some(Json::Array(items)) => {
            let path: Vec<Seg> = items
                .iter()
                .filter_map(|item| match item {
                    Json::String(s) => Some(Seg::Key(s.clone())),
                    Json::Number(n) => n.as_u64().map(|i| Seg::Index(i as usize)),
                    _ => None,
                })
                .collect();
            return input.locate(&path);
        }
        Some(Json::String(dotted)) if !dotted.is_empty() => {
            let path: Vec<Seg> = dotted
                .trim_start_matches('.')
                .split('.')
                .map(|s| Seg::Key(s.to_string()))
                .collect();
            return input.locate(&path);
        }
        _ => {}
    }
    match map.get("line").and_then(Json::as_u64) {
        Some(line) if line >= 1 && line <= input.file.lines().line_count() as u64 => {
            Location::line(&input.file.path, line as u32)
        }
        _ => input.start.clone(),
    }
}

/// The check's error for broken policies: one finding per problem at its policy file and line.
fn policy_errors(what: &str, errors: Vec<PolicyError>) -> Outcome {
    let first = errors
        .first()
        .map(|e| format!("{}: {}", e.at(), e.message))
        .unwrap_or_default();
    let reason = match errors.len() {
        1 => format!("a policy {what}: {first}"),
        n => format!("{n} policy problems, the first: {first}"),
    };
    let findings = errors
        .into_iter()
        .map(|e| {
            let location = match e.line {
                0 => Location::file(&e.file),
                line => Location::line(&e.file, line),
            };
            Finding::at(location, e.message).with_help(
                "fix the policy (`opa check` or `conftest verify` show the same problem)",
            )
        })
        .collect();
    Outcome::Error { reason, findings }
}
