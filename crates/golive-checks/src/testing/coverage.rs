use crate::ci::github::{self, ActionRef, shorten};
use crate::ci::pipelines;
use crate::ci::test_commands::{Ecosystem, Recogniser};
use crate::testing::ecosystems::is_vendored;
use golive_core::parse::yaml::Node;
use golive_core::{
    Context, Evidence, Finding, Location, Outcome, SourceFile, Workspace, declare_check,
};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// CI measures test coverage when it runs the tests.
    ///
    /// golive reads the same CI steps as testing/ci-runs-tests (GitHub Actions `run:` steps,
    /// GitLab scripts, the other CI systems' files, following make/just/task targets,
    /// package.json scripts and script files) and looks for coverage:
    ///
    /// | ecosystem | coverage |
    /// | --- | --- |
    /// | Rust | `cargo tarpaulin`, `cargo llvm-cov`, `grcov` |
    /// | Go | `go test -cover` / `-coverprofile` / `-covermode` / `-coverpkg` |
    /// | Python | `pytest --cov`, `coverage run`; `--cov` in pytest's `addopts` (pytest.ini, pyproject.toml, setup.cfg, tox.ini) |
    /// | Node.js | `--coverage` (Jest, Vitest), `nyc`, `c8`; `collectCoverage: true` in the Jest configuration |
    /// | Java/Kotlin | JaCoCo (`jacoco-maven-plugin` in pom.xml, the Gradle `jacoco` plugin), Kover |
    /// | .NET | `dotnet test --collect:"XPlat Code Coverage"`, coverlet (`/p:CollectCoverage=true`, `<CollectCoverage>true`) |
    /// | Ruby | `SimpleCov.start` in the spec or test helper |
    /// | any | upload steps (`codecov/codecov-action`, `coverallsapp/github-action`, `codecov`, `coveralls`), a GitLab job's `coverage:` keyword, a `make coverage`-style target |
    ///
    /// A build-file setting (JaCoCo, Jest's `collectCoverage`, pytest `addopts`, SimpleCov,
    /// coverlet) counts only when CI runs that ecosystem's tests. The check passes when any of
    /// these is found: it does not require every ecosystem to be measured. It fails, at each
    /// step that runs tests, when none is. Not-applicable without a CI pipeline, or when no CI
    /// step runs tests (testing/ci-runs-tests reports that).
    ///
    /// ## Why it matters
    /// Coverage shows which code no test executes: without it, a risky path (error handling,
    /// a migration branch) ships untested and nobody sees the safety net thinning from one
    /// change to the next. (Production Ready Checklist, Testing: "Code coverage is measured";
    /// Deep Dive to Production Readiness Checklist: the pipeline reports test results.)
    ///
    /// ## How to fix
    /// Measure coverage in the CI test step and publish the report:
    /// ```yaml
    /// - run: go test -race -coverprofile=coverage.out ./...
    /// - uses: codecov/codecov-action@v4
    ///   with:
    ///     files: coverage.out
    /// ```
    pub struct Coverage {
        id: "testing/coverage",
        title: "CI measures test coverage",
        category: Testing,
        level: Gold,
        severity: Warning,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Testing: code coverage is measured",
            "000: Deep Dive to Production Readiness Checklist: the pipeline runs the tests",
        ],
        fix: "measure coverage in the CI test step (`go test -coverprofile`, `pytest --cov`, `jest --coverage`, `cargo llvm-cov`, JaCoCo, `dotnet test --collect:\"XPlat Code Coverage\"`) and upload the report",
    }
}

impl golive_core::Check for Coverage {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let workflows = github::workflows(ws);
        let gitlab = pipelines::gitlab(ws);
        let others = pipelines::other_pipelines(ws);
        if workflows.is_empty() && gitlab.is_none() && others.is_empty() {
            return Outcome::not_applicable("no CI pipeline (ci/pipeline reports that)");
        }
        let rec = Recogniser::new(ws);
        let mut scan = Scan::default();
        for wf in &workflows.parsed {
            for job in &wf.jobs {
                for step in &job.steps {
                    let what = format!(
                        "workflow `{}` job `{}` step {}",
                        wf.display_name(),
                        job.id,
                        step.label()
                    );
                    let cwd = step.working_directory.unwrap_or("");
                    if let Some(run) = step.run {
                        scan.scalar(&rec, wf.file, run, cwd, &what);
                    }
                    let Some(uses) = step.uses else { continue };
                    if let Some(command) = step.action_command() {
                        scan.text(&rec, wf.file, &command, cwd, &what, |_| uses.line());
                    }
                    if let Some(repo) = uses
                        .as_text()
                        .and_then(|u| ActionRef::parse(u).repository())
                        && is_coverage_action(&repo)
                    {
                        scan.hits.push(Evidence::at(
                            wf.file.path.as_str(),
                            uses.line(),
                            format!("{what} uploads or reports coverage (`{repo}`)"),
                        ));
                    }
                }
            }
        }
        if let Some(gl) = &gitlab {
            for job in gl.jobs() {
                let what = format!("GitLab job `{}`", job.name);
                for line in gl.scripts(&job) {
                    scan.scalar(&rec, line.file, line.node, "", &what);
                }
                if let Some(c) = gl.job_value(&job, "coverage") {
                    scan.hits.push(Evidence::at(
                        c.file.path.as_str(),
                        c.node.line(),
                        format!("{what} reports coverage (`coverage:` keyword)"),
                    ));
                }
            }
        }
        for p in &others {
            scan.text(&rec, p.file, &p.file.text, "", p.system, |i| {
                u32::try_from(i + 1).unwrap_or(u32::MAX)
            });
        }
        if scan.steps.is_empty() {
            return Outcome::not_applicable(
                "no CI step runs tests (testing/ci-runs-tests reports that)",
            );
        }
        let ecosystems: BTreeSet<Ecosystem> = scan.steps.iter().map(|s| s.ecosystem).collect();
        let mut evidence = scan.hits;
        evidence.extend(config_hits(ws, &ecosystems));
        if !evidence.is_empty() {
            return Outcome::from_findings(Vec::new(), evidence);
        }
        let findings = scan
            .steps
            .iter()
            .map(|s| {
                Finding::at(
                    Location::line(s.path.as_str(), s.line),
                    format!(
                        "{} runs `{}` without measuring coverage, and no other CI step or build file does",
                        s.what, s.command
                    ),
                )
            })
            .collect();
        Outcome::from_findings(findings, Vec::new())
    }
}

/// A CI step that runs tests.
struct TestStep {
    path: String,
    line: u32,
    what: String,
    command: String,
    ecosystem: Ecosystem,
}

#[derive(Default)]
struct Scan {
    steps: Vec<TestStep>,
    hits: Vec<Evidence>,
    seen: BTreeSet<(String, u32)>,
}

impl Scan {
    fn scalar(
        &mut self,
        rec: &Recogniser<'_>,
        file: &SourceFile,
        node: Node<'_>,
        cwd: &str,
        what: &str,
    ) {
        let Some(text) = node.as_text() else { return };
        self.text(rec, file, text, cwd, what, |i| {
            let line = text.lines().nth(i).unwrap_or("");
            github::line_of(file, node, line)
        });
    }

    /// Scans a script: its test runs (the commands they reach included) and its coverage
    /// commands. `line` maps a 0-based line of `text` to a line of `file`.
    fn text(
        &mut self,
        rec: &Recogniser<'_>,
        file: &SourceFile,
        text: &str,
        cwd: &str,
        what: &str,
        line: impl Fn(usize) -> u32,
    ) {
        for r in rec.scan(text, cwd) {
            let at = line(r.line);
            let reached = format!("{} {}", r.command, r.via.as_deref().unwrap_or(""));
            if is_coverage_command(&reached) {
                let via = r.via.map(|v| format!(", via {v}")).unwrap_or_default();
                self.hit(
                    file,
                    at,
                    format!("{what} runs tests with coverage: `{}`{via}", r.command),
                );
            }
            if !self
                .steps
                .iter()
                .any(|s| s.path == file.path && s.line == at)
            {
                self.steps.push(TestStep {
                    path: file.path.clone(),
                    line: at,
                    what: what.to_string(),
                    command: r.command,
                    ecosystem: r.ecosystem,
                });
            }
        }
        for (i, l) in text.lines().enumerate() {
            let trimmed = l.trim();
            if trimmed.starts_with('#') || trimmed.starts_with("//") {
                continue;
            }
            if is_coverage_command(trimmed) {
                self.hit(
                    file,
                    line(i),
                    format!("{what} measures coverage: `{}`", shorten(trimmed, 80)),
                );
            }
        }
    }

    fn hit(&mut self, file: &SourceFile, line: u32, message: String) {
        if self.seen.insert((file.path.clone(), line)) {
            self.hits
                .push(Evidence::at(file.path.as_str(), line, message));
        }
    }
}

/// Actions that upload or report coverage.
fn is_coverage_action(repo: &str) -> bool {
    let repo = repo.to_ascii_lowercase();
    [
        "codecov",
        "coverall",
        "coverage",
        "tarpaulin",
        "lcov",
        "cobertura",
    ]
    .iter()
    .any(|k| repo.contains(k))
}

static COVERAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x)
        \bcargo\s+(?:\+\S+\s+)?(?:tarpaulin|llvm-cov)\b | \bgrcov\b
        | \b(?:go\s+test|gotestsum)\b[^\n]*\s-{1,2}cover(?:profile|mode|pkg)?\b
        | --cov(?:=|\s|$) | --cov-report\b
        | \bcoverage\s+(?:run|xml|report|html|lcov|json|combine)\b
        | --coverage\b
        | (?:^|[\s;&|(/])(?:nyc|c8)\s
        | \bjacoco | \bkover
        | XPlat\ Code\ Coverage | --collect[:=\s]+"?Code\ Coverage
        | CollectCoverage=true | \bcoverlet\b
        | \bcodecov\b | \bcoveralls\b
        | \b(?:make|just|task)\s+(?:-\S+\s+)*[\w:-]*cover(?:age)?\b
        | \b(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?[\w:-]*(?:cov|coverage)\b
        "#,
    )
    .expect("valid regex")
});

/// Whether a command measures or reports coverage.
fn is_coverage_command(command: &str) -> bool {
    COVERAGE.is_match(command)
}

/// Build-file settings that make the ecosystem's usual test command measure coverage, for the
/// ecosystems whose tests CI runs.
fn config_hits(ws: &Workspace, run: &BTreeSet<Ecosystem>) -> Vec<Evidence> {
    let runs = |e: Ecosystem| run.contains(&e) || run.contains(&Ecosystem::Any);
    let mut out = Vec::new();
    for f in ws.files().iter().filter(|f| !is_vendored(&f.path)) {
        let name = f.name();
        let lower = name.to_ascii_lowercase();
        let setting: Option<(LineTest, &str)> = match name {
            "pom.xml" if runs(Ecosystem::Maven) => Some((
                |l| l.contains("jacoco-maven-plugin"),
                "JaCoCo measures coverage when Maven runs the tests",
            )),
            "build.gradle" | "build.gradle.kts" if runs(Ecosystem::Gradle) => Some((
                |l| GRADLE_COVERAGE.is_match(l),
                "a Gradle coverage plugin measures coverage when the tests run",
            )),
            "pytest.ini" | "pyproject.toml" | "setup.cfg" | "tox.ini"
                if runs(Ecosystem::Python) =>
            {
                Some((
                    |l| l.contains("--cov"),
                    "pytest measures coverage (`--cov`) whenever it runs",
                ))
            }
            "package.json" if runs(Ecosystem::Node) => Some((
                |l| {
                    JEST_COVERAGE.is_match(l)
                        || (l.trim_start().starts_with("\"test") && is_coverage_command(l))
                },
                "the package.json test script or Jest configuration measures coverage",
            )),
            _ if lower.starts_with("jest.config.") && runs(Ecosystem::Node) => Some((
                |l| JEST_COVERAGE.is_match(l),
                "Jest collects coverage whenever it runs",
            )),
            "spec_helper.rb" | "test_helper.rb" | "rails_helper.rb" | ".simplecov"
                if runs(Ecosystem::Ruby) =>
            {
                Some((
                    |l| l.contains("SimpleCov.start"),
                    "SimpleCov measures coverage whenever the tests run",
                ))
            }
            _ if (lower.ends_with("proj") || lower == "directory.build.props")
                && runs(Ecosystem::Dotnet) =>
            {
                Some((
                    |l| l.contains("<CollectCoverage>true"),
                    "coverlet collects coverage whenever `dotnet test` runs",
                ))
            }
            _ => None,
        };
        let Some((matches, message)) = setting else {
            continue;
        };
        if let Some(i) = f.text.lines().position(|l| {
            let t = l.trim_start();
            !t.starts_with('#') && !t.starts_with("//") && !t.starts_with("<!--") && matches(l)
        }) {
            let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
            out.push(Evidence::at(f.path.as_str(), line, message));
        }
    }
    out
}

/// Whether a line of a build file holds a coverage setting.
type LineTest = fn(&str) -> bool;

static GRADLE_COVERAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bid\s*\(?\s*["'](?:jacoco|org\.jetbrains\.kotlinx\.kover)["']|apply\s+plugin\s*:\s*["']jacoco["']|^\s*jacoco\s*$|^\s*`?jacoco`?\s*$"#)
        .expect("valid regex")
});
static JEST_COVERAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""?collectCoverage"?\s*:\s*true"#).expect("valid regex"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_commands() {
        for yes in [
            "cargo tarpaulin --out Xml",
            "cargo llvm-cov --lcov --output-path lcov.info",
            "go test -race -coverprofile=coverage.out ./...",
            "go test -cover ./...",
            "pytest --cov=app tests/",
            "coverage run -m pytest",
            "npx jest --coverage",
            "npx c8 node --test",
            "nyc mocha",
            "./gradlew test jacocoTestReport",
            "dotnet test --collect:\"XPlat Code Coverage\"",
            "dotnet test /p:CollectCoverage=true",
            "bash <(curl -s https://codecov.io/bash)",
            "make coverage",
            "npm run test:coverage",
        ] {
            assert!(is_coverage_command(yes), "{yes}");
        }
        for no in [
            "go test ./...",
            "pytest -q",
            "npm test",
            "cargo test --workspace",
            "echo covered",
            "rm -rf coverage/",
        ] {
            assert!(!is_coverage_command(no), "{no}");
        }
    }

    #[test]
    fn gradle_plugins() {
        assert!(GRADLE_COVERAGE.is_match("    id 'jacoco'"));
        assert!(
            GRADLE_COVERAGE.is_match("    id(\"org.jetbrains.kotlinx.kover\") version \"0.8.0\"")
        );
        assert!(GRADLE_COVERAGE.is_match("    jacoco"));
        assert!(!GRADLE_COVERAGE.is_match("    id 'java'"));
    }
}
