use crate::ci::github::{self, ActionRef};
use crate::ci::manifests;
use crate::ci::pipelines;
use crate::ci::test_commands::{Ecosystem, Recogniser, TestRun, travis_default};
use golive_core::parse::yaml::Node;
use golive_core::workspace::Lang;
use golive_core::{
    Context, Evidence, FileKind, Finding, Outcome, SourceFile, Workspace, declare_check,
};
use std::collections::BTreeSet;

declare_check! {
    /// ## What it checks
    /// A CI step runs the test command of the repository's code ecosystems: `cargo test` /
    /// `cargo nextest`, `go test`, `pytest` / `python -m pytest` / `tox` / `nox` /
    /// `python -m unittest`, `npm test` / `yarn test` / `pnpm test` / `jest` / `vitest` /
    /// `mocha`, `mvn test|verify|package|install` (without `-DskipTests`),
    /// `gradle(w) test|check|build`, `dotnet test`, `bundle exec rspec` / `rake test`, or a
    /// `make test` / `make check`.
    ///
    /// golive reads GitHub Actions `run:` steps (multi-line blocks included, with the step's
    /// working directory, and local composite actions), GitLab `script:`, `before_script:` and
    /// `after_script:` (with `extends`, anchors, `!reference` and local includes), and the
    /// text of the other CI systems' files (Azure tasks such as `DotNetCoreCLI@2` with
    /// `command: test`, Travis' default script per `language:`). It follows a command into the
    /// repository when the command itself does not say: a make, just or go-task target's
    /// recipe (`make ci`, `just ci`, `task ci`), a package.json script (`npm run ci`), a
    /// script file (`./scripts/test.sh`). Tests run in containers (`docker compose -f
    /// docker-compose.test.yml up`, `docker build --target test`), `bazel test` and a test
    /// target golive cannot read count for every ecosystem, and the evidence says so.
    ///
    /// A code ecosystem is a detected one (Cargo.toml, go.mod, pyproject.toml, package.json,
    /// pom.xml, build.gradle, *.csproj, Gemfile) with source files of its language outside
    /// vendored and example folders: a package.json that only installs tooling is not one.
    /// The check fails when no CI step runs tests at all, and for each code ecosystem that has
    /// tests (`*_test.go`, `test_*.py`, `#[test]`, a package.json `test` script, `src/test/`,
    /// a test project, `*_spec.rb`) that no step runs; an ecosystem without tests is noted
    /// (testing/unit-tests reports missing tests). Evidence points at the line of each test
    /// command. Not-applicable without a CI pipeline (ci/pipeline reports that) or without a
    /// code ecosystem.
    ///
    /// ## Why it matters
    /// Tests that CI does not run protect nothing: they rot, and a change that breaks them
    /// merges green. (Production Ready Checklist, Testing: "Automated testing is being utilised
    /// in the pipeline"; From Code to Production: "Verify build pipelines with a comprehensive
    /// suite of unit and integration tests".)
    ///
    /// ## How to fix
    /// Add a step that runs the tests on every pull request:
    /// ```yaml
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-latest
    ///     timeout-minutes: 20
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///       - run: go test -race ./...
    /// ```
    pub struct CiRunsTests {
        id: "testing/ci-runs-tests",
        title: "CI runs the tests",
        category: Testing,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Testing: automated testing is being utilised in the pipeline",
            "001: From Code to Production: verify build pipelines with a comprehensive suite of unit and integration tests",
            "000: Deep Dive to Production Readiness Checklist: the pipeline runs the tests",
        ],
        fix: "add a CI step that runs the test command (e.g. `go test ./...`, `cargo test`, `pytest`, `npm test`)",
    }
}

impl golive_core::Check for CiRunsTests {
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
        let ecosystems = code_ecosystems(ws);
        if ecosystems.is_empty() {
            return Outcome::not_applicable(
                "no code ecosystem detected (no Cargo, Go, Python, Node, Maven, Gradle, .NET or Ruby project with source files)",
            );
        }

        let rec = Recogniser::new(ws);
        let mut found = Found::default();
        for wf in &workflows.parsed {
            for job in &wf.jobs {
                let label = |step: &github::Step<'_>| {
                    format!(
                        "workflow `{}` job `{}` step {}",
                        wf.display_name(),
                        job.id,
                        step.label()
                    )
                };
                for step in &job.steps {
                    let cwd = step.working_directory.unwrap_or("");
                    if let Some(run) = step.run {
                        found.scalar(&rec, wf.file, run, cwd, &label(step));
                    }
                    if let (Some(command), Some(uses)) = (step.action_command(), step.uses) {
                        for r in rec.scan(&command, cwd) {
                            found.add(wf.file, uses.line(), &label(step), r);
                        }
                    }
                    if let Some(ActionRef::Local(path)) =
                        step.uses.and_then(|u| u.as_text()).map(ActionRef::parse)
                        && let Some(action) = github::local_composite_action(ws, path)
                    {
                        for inner in &action.steps {
                            if let Some(run) = inner.run {
                                let what = format!("composite action step {}", inner.label());
                                found.scalar(&rec, action.file, run, "", &what);
                            }
                        }
                    }
                }
            }
        }
        if let Some(gl) = &gitlab {
            for job in gl.jobs() {
                for line in gl.scripts(&job) {
                    let what = format!("GitLab job `{}`", job.name);
                    found.scalar(&rec, line.file, line.node, "", &what);
                }
            }
        }
        for p in &others {
            for r in rec.scan(&p.file.text, "") {
                let line = r.line as u32 + 1;
                found.add(p.file, line, p.system, r);
            }
            if p.system == "Azure Pipelines" {
                for (line, command) in pipelines::azure_task_commands(p.file) {
                    for r in rec.scan(&command, "") {
                        found.add(p.file, line, "Azure Pipelines task", r);
                    }
                }
            }
            if p.system == "Travis CI" {
                travis(p.file, &mut found);
            }
        }

        let mut unreadable: Vec<String> = workflows
            .unreadable
            .iter()
            .map(|f| f.path.clone())
            .collect();
        if let Some(gl) = &gitlab {
            unreadable.extend(gl.unreadable.iter().cloned());
        }
        let mut evidence = found.evidence;
        if !unreadable.is_empty() {
            evidence.push(Evidence::note(format!(
                "not read, does not parse: {} (parse/invalid-yaml reports why)",
                unreadable.join(", ")
            )));
        }
        let names: Vec<&str> = ecosystems.iter().map(|e| e.name()).collect();
        if found.covered.is_empty() {
            let looked_for: Vec<&str> = ecosystems.iter().map(|e| e.commands()).collect();
            let message = format!(
                "no CI step runs the tests ({}): looked for {}",
                names.join(", "),
                looked_for.join("; ")
            );
            if !unreadable.is_empty() {
                return Outcome::Error {
                    reason: format!(
                        "CI configuration that may run the tests does not parse: {}",
                        unreadable.join(", ")
                    ),
                    findings: vec![Finding::repo(message)],
                };
            }
            return Outcome::from_findings(vec![Finding::repo(message)], evidence);
        }
        let mut findings = Vec::new();
        let any = found.covered.contains(&Ecosystem::Any);
        for eco in &ecosystems {
            if found.covered.contains(eco) {
                continue;
            }
            if any {
                evidence.push(Evidence::note(format!(
                    "{}: assumed covered by `{}`, which runs tests golive cannot attribute to an ecosystem",
                    eco.name(),
                    found.unattributed.as_deref().unwrap_or("make test")
                )));
                continue;
            }
            match test_signal(ws, *eco) {
                Some(example) => findings.push(Finding::repo(format!(
                    "the {} tests (e.g. {example}) are not run by any CI step: looked for {}",
                    eco.name(),
                    eco.commands()
                ))),
                None => evidence.push(Evidence::note(format!(
                    "{}: no CI step runs tests, and golive found no {} tests to run",
                    eco.name(),
                    eco.name()
                ))),
            }
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// The test runs found so far, as evidence, and the ecosystems they cover.
#[derive(Default)]
struct Found {
    evidence: Vec<Evidence>,
    covered: BTreeSet<Ecosystem>,
    seen: BTreeSet<(String, u32, Ecosystem)>,
    /// The first command that runs tests of no particular ecosystem (`make test`).
    unattributed: Option<String>,
}

impl Found {
    /// Scans a YAML scalar (a `run:` block, a script line) and locates each command in it.
    fn scalar(
        &mut self,
        rec: &Recogniser<'_>,
        file: &SourceFile,
        node: Node<'_>,
        cwd: &str,
        what: &str,
    ) {
        let Some(text) = node.as_text() else { return };
        for r in rec.scan(text, cwd) {
            let first = text.lines().nth(r.line).unwrap_or("");
            let line = github::line_of(file, node, first);
            self.add(file, line, what, r);
        }
    }

    fn add(&mut self, file: &SourceFile, line: u32, what: &str, run: TestRun) {
        self.covered.insert(run.ecosystem);
        if run.ecosystem == Ecosystem::Any && self.unattributed.is_none() {
            self.unattributed = Some(run.command.clone());
        }
        if !self.seen.insert((file.path.clone(), line, run.ecosystem)) {
            return;
        }
        let via = run.via.map(|v| format!(", via {v}")).unwrap_or_default();
        let eco = match run.ecosystem {
            Ecosystem::Any => "tests".to_string(),
            e => format!("{} tests", e.name()),
        };
        self.evidence.push(Evidence::at(
            file.path.as_str(),
            line,
            format!("{what} runs `{}` ({eco}{via})", run.command),
        ));
    }
}

/// Travis CI runs a default test script per `language:` when the file has no `script:`.
fn travis(file: &SourceFile, found: &mut Found) {
    let Some(root) = file.yaml_docs().iter().find_map(|d| d.root()) else {
        return;
    };
    if root.get("script").is_some() {
        return;
    }
    let Some((key, value)) = root.entry("language") else {
        return;
    };
    if let Some((eco, command)) = value.as_text().and_then(travis_default) {
        found.add(
            file,
            key.line(),
            "Travis CI (default script for this language)",
            TestRun {
                ecosystem: eco,
                line: 0,
                command: command.to_string(),
                via: None,
            },
        );
    }
}

/// The ecosystems whose manifests and source code are the repository's own (not vendored,
/// example or test-data folders): a package.json that only installs tooling is not one.
fn code_ecosystems(ws: &Workspace) -> Vec<Ecosystem> {
    let mut out: Vec<Ecosystem> = ours(ws)
        .filter_map(|f| Ecosystem::of_manifest(f.name()))
        .collect();
    out.sort();
    out.dedup();
    out.retain(|e| has_code(ws, *e));
    out
}

fn ours(ws: &Workspace) -> impl Iterator<Item = &SourceFile> {
    ws.files()
        .iter()
        .filter(|f| !crate::ci::is_not_ours(&f.path))
}

fn has_code(ws: &Workspace, eco: Ecosystem) -> bool {
    ours(ws).any(|f| match (eco, f.kind) {
        (Ecosystem::Rust, FileKind::Source(Lang::Rust))
        | (Ecosystem::Go, FileKind::Source(Lang::Go))
        | (Ecosystem::Python, FileKind::Source(Lang::Python))
        | (Ecosystem::Dotnet, FileKind::Source(Lang::CSharp))
        | (Ecosystem::Ruby, FileKind::Source(Lang::Ruby)) => true,
        (Ecosystem::Maven | Ecosystem::Gradle, FileKind::Source(Lang::Java | Lang::Kotlin)) => {
            !f.name().ends_with(".gradle.kts")
        }
        (Ecosystem::Node, FileKind::Source(Lang::JavaScript | Lang::TypeScript)) => {
            !is_tool_config(f.name())
        }
        (Ecosystem::Dotnet, _) => f.name().ends_with(".fs"),
        _ => false,
    })
}

/// `vite.config.ts`, `.eslintrc.js`, `jest.config.js`: configuration of tools, not code.
fn is_tool_config(name: &str) -> bool {
    name.starts_with('.')
        || name.contains(".config.")
        || name.ends_with("rc.js")
        || name.ends_with("rc.cjs")
        || matches!(name, "gulpfile.js" | "Gruntfile.js")
}

/// A file showing that the ecosystem has tests, if any.
fn test_signal(ws: &Workspace, eco: Ecosystem) -> Option<String> {
    ours(ws)
        .find(|f| is_test_of(f, eco))
        .map(|f| f.path.clone())
}

fn is_test_of(f: &SourceFile, eco: Ecosystem) -> bool {
    let name = f.name();
    let path = f.path.as_str();
    match eco {
        Ecosystem::Rust => {
            f.kind == FileKind::Source(Lang::Rust)
                && (path.starts_with("tests/")
                    || path.contains("/tests/")
                    || f.text.contains("#[test]")
                    || f.text.contains("#[cfg(test)]")
                    || f.text.contains("::test]"))
        }
        Ecosystem::Go => name.ends_with("_test.go"),
        Ecosystem::Python => {
            name.ends_with(".py")
                && ((name.starts_with("test_"))
                    || name.ends_with("_test.py")
                    || name == "conftest.py")
        }
        Ecosystem::Node => {
            let test_file = [".test.", ".spec."].iter().any(|m| name.contains(m))
                && matches!(
                    f.kind,
                    FileKind::Source(Lang::JavaScript | Lang::TypeScript)
                );
            let test_script = name == "package.json"
                && manifests::package_json(f).is_some_and(|p| {
                    p.scripts
                        .iter()
                        .any(|(n, body)| n == "test" && !body.contains("no test specified"))
                });
            test_file || test_script || path.contains("__tests__/")
        }
        Ecosystem::Maven | Ecosystem::Gradle => {
            (path.starts_with("src/test/") || path.contains("/src/test/"))
                && matches!(f.kind, FileKind::Source(Lang::Java | Lang::Kotlin))
        }
        Ecosystem::Dotnet => {
            name.ends_with("proj")
                && ["Microsoft.NET.Test.Sdk", "xunit", "NUnit", "MSTest"]
                    .iter()
                    .any(|t| f.text.contains(t))
        }
        Ecosystem::Ruby => {
            name.ends_with("_spec.rb")
                || (name.ends_with("_test.rb")
                    && (path.starts_with("test/") || path.contains("/test/")))
        }
        Ecosystem::Any => false,
    }
}
