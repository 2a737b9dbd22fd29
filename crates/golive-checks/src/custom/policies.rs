//! Policy and data files: read once when the checks are built, compiled into one regorus engine
//! per run, with their `deny`/`violation`/`warn` rules found and their errors mapped back to
//! `file:line`.

use super::inputs::yaml_value;
use golive_core::config::CustomCheckConfig;
use regex::Regex;
use regorus::Engine;
use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

/// How long one rule may evaluate on one input before the check stops with an error: a policy
/// that loops over huge ranges must not hang the scan.
pub const EVAL_LIMIT: Duration = Duration::from_secs(5);

/// A policy file as read: its name in reports (as written in golive.toml, joined with its path
/// inside a named folder) and its text.
pub struct PolicyFile {
    pub path: String,
    pub text: String,
}

/// What an entry's files hold, read once.
pub struct Loaded {
    pub policies: Vec<PolicyFile>,
    /// Documents merged into `data`, with the file each comes from.
    pub data: Vec<(String, serde_json::Value)>,
    /// Files that could not be read or parsed, as `path: problem`.
    pub problems: Vec<String>,
}

/// Reads the policy files (`.rego`, recursively in folders, `*_test.rego` skipped) and data
/// files (`.json`, `.yaml`, `.yml`) of an entry.
pub fn load(base: &Path, entry: &CustomCheckConfig) -> Loaded {
    let mut loaded = Loaded {
        policies: Vec::new(),
        data: Vec::new(),
        problems: Vec::new(),
    };
    for policy in &entry.policy {
        let files = match files_under(base, policy, &|name| {
            name.ends_with(".rego") && !name.ends_with("_test.rego")
        }) {
            Ok(files) => files,
            Err(problem) => {
                loaded.problems.push(problem);
                continue;
            }
        };
        if files.is_empty() {
            loaded.problems.push(format!(
                "{policy}: no .rego policy files (files named *_test.rego are tests, not policies)"
            ));
        }
        for (shown, path) in files {
            match std::fs::read_to_string(&path) {
                Ok(text) => loaded.policies.push(PolicyFile { path: shown, text }),
                Err(e) => loaded.problems.push(format!("{shown}: cannot read: {e}")),
            }
        }
    }
    for data in &entry.data {
        let files = match files_under(base, data, &|name| {
            name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml")
        }) {
            Ok(files) => files,
            Err(problem) => {
                loaded.problems.push(problem);
                continue;
            }
        };
        for (shown, path) in files {
            match std::fs::read_to_string(&path) {
                Ok(text) => match parse_data(&shown, &text) {
                    Ok(docs) => loaded
                        .data
                        .extend(docs.into_iter().map(|d| (shown.clone(), d))),
                    Err(problem) => loaded.problems.push(format!("{shown}: {problem}")),
                },
                Err(e) => loaded.problems.push(format!("{shown}: cannot read: {e}")),
            }
        }
    }
    loaded
}

/// The files named by `rel` (a file, or a folder searched recursively for names `wanted`
/// accepts), sorted, each with its name in reports.
fn files_under(
    base: &Path,
    rel: &str,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, PathBuf)>, String> {
    let shown_root = rel
        .trim_start_matches("./")
        .trim_end_matches('/')
        .to_string();
    let root = base.join(rel);
    if root.is_file() {
        return Ok(vec![(shown_root, root)]);
    }
    if !root.is_dir() {
        return Err(format!("{rel}: no such file or folder"));
    }
    let mut out = Vec::new();
    let mut stack = vec![(root, shown_root)];
    while let Some((dir, shown)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{shown}: cannot read: {e}"))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            let child = if shown.is_empty() {
                name.clone()
            } else {
                format!("{shown}/{name}")
            };
            let path = entry.path();
            // Symbolic links to folders are not followed (a link to a parent would loop).
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push((path, child));
            } else if wanted(&name) && path.is_file() {
                out.push((child, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn parse_data(shown: &str, text: &str) -> Result<Vec<serde_json::Value>, String> {
    if shown.ends_with(".json") {
        return serde_json::from_str(text)
            .map(|v| vec![v])
            .map_err(|e| format!("not valid JSON: {e}"));
    }
    let docs = golive_core::parse::yaml::parse(text)
        .map_err(|e| format!("not valid YAML at line {}: {}", e.line, e.message))?;
    let mut out = Vec::new();
    for doc in &docs {
        let Some(root) = doc.root() else { continue };
        let mut budget = 1_000_000;
        out.push(yaml_value(root, &mut budget).ok_or("too large (YAML aliases)")?);
    }
    Ok(out)
}

/// A policy problem at a place in a policy file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyError {
    pub file: String,
    /// 0 when the error names no line.
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl PolicyError {
    /// Reads regorus' error text (`--> file:line:col`, the source line, `error: message`).
    pub fn from_regorus(error: &impl std::fmt::Display, fallback_file: &str) -> PolicyError {
        static AT: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"-->\s*(.+?):(\d+):(\d+)").expect("valid regex"));
        let text = format!("{error:#}");
        let (file, line, column) = match AT.captures(&text) {
            Some(c) => (
                c.get(1).map_or(fallback_file, |m| m.as_str()).to_string(),
                c.get(2).and_then(|m| m.as_str().parse().ok()).unwrap_or(0),
                c.get(3).and_then(|m| m.as_str().parse().ok()).unwrap_or(0),
            ),
            None => (fallback_file.to_string(), 0, 0),
        };
        let message = text
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error:"))
            .map(str::trim)
            .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or("unknown error")
            .to_string();
        PolicyError {
            file,
            line,
            column,
            message,
        }
    }

    pub fn at(&self) -> String {
        match self.line {
            0 => self.file.clone(),
            line => format!("{}:{line}", self.file),
        }
    }
}

/// A rule whose results are findings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rule {
    /// The package, without `data.` (`main`, `kubernetes.security`).
    pub package: String,
    /// `deny`, `warn_latest_tag`, ...
    pub name: String,
    /// The policy file declaring it (the first, when several do).
    pub file: String,
}

impl Rule {
    pub fn query(&self) -> String {
        format!("data.{}.{}", self.package, self.name)
    }

    pub fn is_warning(&self) -> bool {
        self.name == "warn" || self.name.starts_with("warn_")
    }

    /// The name an `exception` rule uses for it: `deny_run_as_root` → `run_as_root`.
    pub fn exception_name(&self) -> &str {
        self.name
            .split_once('_')
            .map_or(self.name.as_str(), |(_, rest)| rest)
    }
}

/// The compiled policies of an entry.
pub struct Compiled {
    pub engine: Engine,
    /// Every `deny`/`violation`/`warn` rule of every package, sorted.
    pub rules: Vec<Rule>,
    /// Every package with at least one policy file, sorted.
    pub packages: BTreeSet<String>,
}

/// Parses every policy (Rego v1 first, then v0, so that both `deny contains msg if` and
/// conftest's classic `deny[msg] {` run unchanged) into one engine, and loads the data.
pub fn compile(loaded: &Loaded) -> Result<Compiled, Vec<PolicyError>> {
    let mut engine = Engine::new();
    // As OPA and conftest by default: a built-in that fails (a bad regex) makes its expression
    // undefined instead of failing the whole evaluation.
    engine.set_strict_builtin_errors(false);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: EVAL_LIMIT,
        check_interval: NonZeroU32::new(64).unwrap_or(NonZeroU32::MIN),
    });
    let mut errors = Vec::new();
    let mut rules = BTreeSet::new();
    let mut packages = BTreeSet::new();
    for policy in &loaded.policies {
        engine.set_rego_v0(false);
        let added = match engine.add_policy(policy.path.clone(), policy.text.clone()) {
            Ok(package) => Ok(package),
            Err(v1) => {
                engine.set_rego_v0(true);
                engine
                    .add_policy(policy.path.clone(), policy.text.clone())
                    .map_err(|v0| {
                        let v1 = PolicyError::from_regorus(&v1, &policy.path);
                        let v0 = PolicyError::from_regorus(&v0, &policy.path);
                        // The syntax that got further into the file is the one it is written
                        // in: its error is the real one.
                        if (v0.line, v0.column) > (v1.line, v1.column) {
                            v0
                        } else {
                            v1
                        }
                    })
            }
        };
        match added {
            Ok(package) => {
                let package = package
                    .strip_prefix("data.")
                    .unwrap_or(&package)
                    .to_string();
                for name in rule_names(&policy.text) {
                    rules.insert(Rule {
                        package: package.clone(),
                        name,
                        file: policy.path.clone(),
                    });
                }
                packages.insert(package);
            }
            Err(e) => errors.push(e),
        }
    }
    for (file, doc) in &loaded.data {
        if let Err(e) = engine.add_data(regorus::Value::from(doc.clone())) {
            errors.push(PolicyError {
                file: file.clone(),
                line: 0,
                column: 0,
                message: format!("cannot be merged into `data`: {e}"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // One rule declared in several files is one rule.
    let mut seen = BTreeSet::new();
    let rules = rules
        .into_iter()
        .filter(|r| seen.insert((r.package.clone(), r.name.clone())))
        .collect();
    Ok(Compiled {
        engine,
        rules,
        packages,
    })
}

/// The names of the rules conftest evaluates, from a policy's text: rule heads (at the start of
/// a line) named `deny`, `violation` or `warn`, alone or with a `_suffix`, as conftest's own
/// `^(deny|violation|warn)(_[a-zA-Z0-9]+)*$`.
fn rule_names(text: &str) -> BTreeSet<String> {
    static HEAD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?m)^(?:default[ \t]+)?((?:deny|violation|warn)(?:_[A-Za-z0-9]+)*)[ \t]*(?:\[|contains\b|if\b|\{|=|:=)",
        )
        .expect("valid regex")
    });
    HEAD.captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_conftest_rule_names_in_both_syntaxes() {
        let names = rule_names(
            "package main\n\ndeny[msg] {\n  deny_list := [1]\n}\n\ndeny contains msg if { true }\nwarn_latest_tag[msg] {\n}\nviolation[{\"msg\": m}] { m := \"x\" }\ndefault warn_x = false\n# deny_comment[msg] {\ndenylist = [\"apk\"]\nwarning[msg] { true }\n",
        );
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(names, ["deny", "violation", "warn_latest_tag", "warn_x"]);
    }

    #[test]
    fn maps_regorus_errors_to_file_and_line() {
        let mut engine = Engine::new();
        let e = engine
            .add_policy(
                "policy/bad.rego".into(),
                "package main\n\ndeny contains msg if {\n  msg := \n}\n".into(),
            )
            .unwrap_err();
        let e = PolicyError::from_regorus(&e, "x");
        assert_eq!(e.file, "policy/bad.rego");
        assert!(e.line >= 4, "{e:?}");
        assert!(!e.message.is_empty() && !e.message.contains("-->"), "{e:?}");
    }

    #[test]
    fn compiles_v0_and_v1_policies_together() {
        let loaded = Loaded {
            policies: vec![
                PolicyFile {
                    path: "v0.rego".into(),
                    text: "package main\n\ndeny[msg] {\n  input.kind == \"Pod\"\n  msg := \"v0\"\n}\n".into(),
                },
                PolicyFile {
                    path: "v1.rego".into(),
                    text: "package main\n\nwarn contains msg if {\n  input.kind == \"Pod\"\n  msg := \"v1\"\n}\n".into(),
                },
            ],
            data: Vec::new(),
            problems: Vec::new(),
        };
        let Ok(mut compiled) = compile(&loaded) else {
            panic!("does not compile")
        };
        let names: Vec<String> = compiled.rules.iter().map(Rule::query).collect();
        assert_eq!(names, ["data.main.deny", "data.main.warn"]);
        compiled
            .engine
            .set_input(regorus::Value::from(serde_json::json!({"kind": "Pod"})));
        let deny = compiled.engine.eval_rule("data.main.deny".into()).unwrap();
        assert_eq!(
            serde_json::to_value(&deny).unwrap(),
            serde_json::json!(["v0"])
        );
    }
}
