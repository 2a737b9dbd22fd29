use crate::testing::ecosystems::{self, Ecosystem, is_vendored};
use golive_core::{Context, Evidence, Finding, Outcome, SourceFile, Workspace, declare_check};
use std::collections::BTreeMap;

declare_check! {
    /// ## What it checks
    /// The repository has integration or end-to-end tests, beside its unit tests.
    ///
    /// A repository with code (see testing/unit-tests for what an ecosystem is) passes when
    /// golive finds any of:
    ///
    /// | ecosystem | integration / e2e tests |
    /// | --- | --- |
    /// | Rust | a crate's integration tests: `.rs` files directly in the `tests/` folder beside a `Cargo.toml` |
    /// | Go | files with a `//go:build integration` (or `e2e`) constraint, `.go` files under an `e2e/` folder |
    /// | Python | `.py` files under `tests/integration/`, `tests/e2e/`, `integration_tests/` |
    /// | Node.js | `e2e/` and `cypress/` folders, `playwright.config.*`, `cypress.config.*` |
    /// | Java/Kotlin | `src/integrationTest/` sources; `*IT.java` classes when a `pom.xml` configures `maven-failsafe-plugin` |
    /// | .NET | `*.IntegrationTests` / `*.E2ETests` projects, `Microsoft.AspNetCore.Mvc.Testing` |
    /// | Ruby | `spec/requests/`, `spec/system/`, `spec/features/`, `test/integration/`, `test/system/` |
    /// | any | `docker-compose.test.yml` / `compose.test.yaml` (and `.e2e`, `.integration`), a Testcontainers dependency in any manifest |
    ///
    /// `*IT.java` classes without failsafe are noted, not counted: Surefire does not run them by
    /// default. Vendored code, examples and test fixtures are not read. Not-applicable when the
    /// repository has no code of a known ecosystem.
    ///
    /// ## Why it matters
    /// Unit tests mock the database, the broker and the other services; the failures that reach
    /// production are at those seams (a migration that does not apply, a query the real engine
    /// rejects, a changed API contract). (From Code to Production: "Verify build pipelines with
    /// a comprehensive suite of unit and integration tests"; Production Ready Checklist,
    /// Testing: "Testing safety net is in place".)
    ///
    /// ## How to fix
    /// Add tests that exercise the service with its real dependencies, e.g. with Testcontainers
    /// or a compose file the CI brings up:
    /// ```go
    /// //go:build integration
    ///
    /// package store_test
    ///
    /// func TestSaveAndLoad(t *testing.T) {
    ///     db := startPostgres(t) // testcontainers-go
    ///     // ...
    /// }
    /// ```
    pub struct IntegrationTests {
        id: "testing/integration-tests",
        title: "Integration or end-to-end tests exist",
        category: Testing,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "001: From Code to Production: verify build pipelines with a comprehensive suite of unit and integration tests",
            "004: Production Ready Checklist, Testing: testing safety net is in place",
        ],
        fix: "add integration tests that run the code against its real dependencies (a `tests/` crate, `//go:build integration`, `tests/integration/`, Playwright/Cypress, Testcontainers, a `docker-compose.test.yml`)",
    }
}

impl golive_core::Check for IntegrationTests {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let projects = ecosystems::projects(cx.ws);
        let with_code: Vec<Ecosystem> = projects
            .iter()
            .filter(|p| p.has_code())
            .map(|p| p.ecosystem)
            .collect();
        if with_code.is_empty() {
            return Outcome::not_applicable(
                "no code of a known ecosystem (Rust, Go, Python, Node.js, Java/Kotlin, .NET, Ruby) outside vendored, example and fixture folders",
            );
        }
        let signals = signals(cx.ws);
        let mut evidence: Vec<Evidence> = Vec::new();
        // One line of evidence per kind of signal, naming the first place and how many.
        let mut by_kind: BTreeMap<&'static str, Vec<&Signal>> = BTreeMap::new();
        for s in &signals {
            by_kind.entry(s.what).or_default().push(s);
        }
        let mut counted = 0;
        for (what, list) in &by_kind {
            let Some(first) = list.first() else { continue };
            let more = match list.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            let message = format!("{what}{more}");
            if first.counts {
                counted += 1;
            }
            evidence.push(match first.line {
                Some(line) => Evidence::at(first.path.as_str(), line, message),
                None => Evidence::file(first.path.as_str(), message),
            });
        }
        if counted > 0 {
            return Outcome::from_findings(Vec::new(), evidence);
        }
        let looked: Vec<String> = with_code
            .iter()
            .map(|e| format!("{}: {}", e.name(), looked_for(*e)))
            .collect();
        let finding = Finding::repo(format!(
            "no integration or end-to-end tests found (looked for {}; and in any ecosystem: {})",
            looked.join("; "),
            ANY_ECOSYSTEM
        ));
        Outcome::from_findings(vec![finding], evidence)
    }
}

const ANY_ECOSYSTEM: &str =
    "`docker-compose.test.yml`/`compose.test.yaml`, a Testcontainers dependency";

fn looked_for(e: Ecosystem) -> &'static str {
    match e {
        Ecosystem::Rust => "`tests/*.rs` beside a Cargo.toml",
        Ecosystem::Go => "`//go:build integration` files, `e2e/` folders",
        Ecosystem::Python => "`tests/integration/`, `tests/e2e/`",
        Ecosystem::Node => "`e2e/`, `cypress/`, `playwright.config.*`",
        Ecosystem::Jvm => "`src/integrationTest/`, `*IT.java` with maven-failsafe-plugin",
        Ecosystem::Dotnet => "`*.IntegrationTests` projects, `Microsoft.AspNetCore.Mvc.Testing`",
        Ecosystem::Ruby => "`spec/requests|system|features/`, `test/integration|system/`",
    }
}

/// One place showing integration tests.
#[derive(Debug, PartialEq)]
struct Signal {
    what: &'static str,
    path: String,
    line: Option<u32>,
    /// False for shapes that are noted but do not pass the check (`*IT.java` without failsafe).
    counts: bool,
}

fn signals(ws: &Workspace) -> Vec<Signal> {
    let files: Vec<&SourceFile> = ws
        .files()
        .iter()
        .filter(|f| !is_vendored(&f.path))
        .collect();
    let failsafe = files
        .iter()
        .any(|f| f.name() == "pom.xml" && f.text.contains("maven-failsafe-plugin"));
    let mut out = Vec::new();
    for f in files {
        let mut push = |what: &'static str, line: Option<u32>, counts: bool| {
            out.push(Signal {
                what,
                path: f.path.clone(),
                line,
                counts,
            })
        };
        let name = f.name();
        let lower = name.to_ascii_lowercase();
        let dirs = dirs_of(&f.path);
        let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        match ext {
            "rs" if is_rust_integration_test(ws, &f.path) => {
                push("Rust: integration test crate under `tests/`", None, true)
            }
            "go" => {
                if let Some(line) = go_build_tag(&f.text) {
                    push("Go: integration build constraint", Some(line), true)
                } else if in_any(&dirs, &["e2e"]) {
                    push("Go: end-to-end tests under `e2e/`", None, true)
                }
            }
            "py" if in_seq(&dirs, &["tests", "integration"])
                || in_seq(&dirs, &["tests", "e2e"])
                || in_seq(&dirs, &["test", "integration"])
                || in_any(&dirs, &["integration_tests", "e2e_tests"]) =>
            {
                push("Python: integration/e2e tests folder", None, true)
            }
            "js" | "ts" | "mjs" | "cjs" | "jsx" | "tsx" => {
                if lower.starts_with("playwright.config.") {
                    push("Node.js: Playwright configuration", None, true)
                } else if lower.starts_with("cypress.config.") || in_any(&dirs, &["cypress"]) {
                    push("Node.js: Cypress tests", None, true)
                } else if in_any(&dirs, &["e2e"]) {
                    push("Node.js: end-to-end tests under `e2e/`", None, true)
                }
            }
            "java" | "kt" | "groovy" | "scala" => {
                if in_seq(&dirs, &["src", "integrationTest"]) {
                    push("Java/Kotlin: `src/integrationTest` source set", None, true)
                } else if name.ends_with("IT.java") || name.ends_with("IT.kt") {
                    if failsafe {
                        push(
                            "Java/Kotlin: `*IT` classes run by maven-failsafe-plugin",
                            None,
                            true,
                        )
                    } else {
                        push(
                            "Java/Kotlin: `*IT` classes, but no pom.xml configures maven-failsafe-plugin to run them: not counted",
                            None,
                            false,
                        )
                    }
                }
            }
            "csproj" | "fsproj" | "vbproj" => {
                let stem = lower.rsplit_once('.').map(|(s, _)| s).unwrap_or("");
                if stem.ends_with("integrationtests")
                    || stem.ends_with("integrationtest")
                    || stem.ends_with("e2etests")
                    || stem.ends_with("functionaltests")
                {
                    push(".NET: integration test project", None, true)
                } else if let Some(line) =
                    line_of(&f.text, |l| l.contains("Microsoft.AspNetCore.Mvc.Testing"))
                {
                    push(
                        ".NET: `Microsoft.AspNetCore.Mvc.Testing` (in-memory server tests)",
                        Some(line),
                        true,
                    )
                }
            }
            "rb" if in_seq(&dirs, &["spec", "requests"])
                || in_seq(&dirs, &["spec", "system"])
                || in_seq(&dirs, &["spec", "features"])
                || in_seq(&dirs, &["test", "integration"])
                || in_seq(&dirs, &["test", "system"]) =>
            {
                push("Ruby: request/system/feature specs", None, true)
            }
            _ => {}
        }
        if is_test_compose(&lower) {
            push("compose file for tests", None, true);
        }
        if Ecosystem::of_manifest(name).is_some()
            && let Some(line) = testcontainers_line(&f.text)
        {
            push("Testcontainers dependency", Some(line), true);
        }
    }
    out
}

/// `docker-compose.test.yml`, `compose.e2e.yaml`, `docker-compose.integration.yml`...
fn is_test_compose(lower: &str) -> bool {
    let Some(rest) = lower
        .strip_prefix("docker-compose.")
        .or_else(|| lower.strip_prefix("compose."))
    else {
        return false;
    };
    let Some((middle, ext)) = rest.rsplit_once('.') else {
        return false;
    };
    matches!(ext, "yml" | "yaml")
        && matches!(
            middle,
            "test" | "tests" | "e2e" | "integration" | "it" | "ci.test"
        )
}

/// The 1-based line of a Testcontainers dependency in a manifest: `testcontainers` (crates,
/// PyPI, npm, RubyGems), `@testcontainers/…`, `github.com/testcontainers/testcontainers-go`,
/// `org.testcontainers`, `Testcontainers` (NuGet).
fn testcontainers_line(text: &str) -> Option<u32> {
    line_of(text, |l| {
        let lower = l.to_ascii_lowercase();
        let trimmed = lower.trim_start();
        !trimmed.starts_with('#')
            && !trimmed.starts_with("//")
            && (lower.contains("testcontainers"))
    })
}

/// The line of a `//go:build` or `// +build` constraint naming `integration` or `e2e`.
fn go_build_tag(text: &str) -> Option<u32> {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("package ") {
            return None;
        }
        let Some(expr) = t
            .strip_prefix("//go:build")
            .or_else(|| t.strip_prefix("// +build"))
        else {
            continue;
        };
        let tags = expr
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty());
        let negated = expr.contains("!integration") || expr.contains("!e2e");
        if !negated
            && tags
                .clone()
                .any(|w| matches!(w, "integration" | "e2e" | "integration_test"))
        {
            return u32::try_from(i + 1).ok();
        }
    }
    None
}

/// A `.rs` file directly in the `tests/` folder of a crate (a folder with a `Cargo.toml`).
fn is_rust_integration_test(ws: &Workspace, path: &str) -> bool {
    let Some((dir, _)) = path.rsplit_once('/') else {
        return false;
    };
    let (parent, last) = match dir.rsplit_once('/') {
        Some((parent, last)) => (parent, last),
        None => ("", dir),
    };
    if last != "tests" {
        return false;
    }
    let manifest = if parent.is_empty() {
        "Cargo.toml".to_string()
    } else {
        format!("{parent}/Cargo.toml")
    };
    ws.file(&manifest).is_some()
}

fn dirs_of(path: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts
}

fn in_any(dirs: &[&str], names: &[&str]) -> bool {
    dirs.iter().any(|d| names.contains(d))
}

/// Whether the folders contain `seq` as consecutive components.
fn in_seq(dirs: &[&str], seq: &[&str]) -> bool {
    dirs.windows(seq.len()).any(|w| w == seq)
}

fn line_of(text: &str, pred: impl Fn(&str) -> bool) -> Option<u32> {
    text.lines()
        .position(pred)
        .and_then(|i| u32::try_from(i + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_constraints() {
        assert_eq!(
            go_build_tag("//go:build integration\n\npackage x\n"),
            Some(1)
        );
        assert_eq!(
            go_build_tag("// Copyright\n\n//go:build e2e && linux\n\npackage x\n"),
            Some(3)
        );
        assert_eq!(go_build_tag("//go:build !integration\n\npackage x\n"), None);
        assert_eq!(go_build_tag("package x\n//go:build integration\n"), None);
        assert_eq!(go_build_tag("//go:build integrationx\npackage x\n"), None);
    }

    #[test]
    fn compose_and_paths() {
        assert!(is_test_compose("docker-compose.test.yml"));
        assert!(is_test_compose("compose.e2e.yaml"));
        assert!(!is_test_compose("docker-compose.yml"));
        assert!(!is_test_compose("docker-compose.prod.yml"));
        let ws = Workspace::from_files(vec![
            ("Cargo.toml".into(), "[package]\n".into()),
            ("crates/a/Cargo.toml".into(), "[package]\n".into()),
        ]);
        assert!(is_rust_integration_test(&ws, "tests/api.rs"));
        assert!(is_rust_integration_test(&ws, "crates/a/tests/api.rs"));
        assert!(!is_rust_integration_test(
            &ws,
            "crates/a/tests/common/mod.rs"
        ));
        assert!(!is_rust_integration_test(&ws, "crates/b/tests/api.rs"));
        assert!(in_seq(
            &["svc", "tests", "integration"],
            &["tests", "integration"]
        ));
        assert!(!in_seq(
            &["tests", "unit", "integration"],
            &["tests", "integration"]
        ));
    }
}
