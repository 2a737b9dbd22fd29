use crate::docs::find::{self, heading_is_about, heading_mentions, linked_docs};
use crate::docs::outline::{CodeLine, Heading, Outline};
use golive_core::{Context, Evidence, Finding, Location, Outcome, SourceFile, declare_check};
use regex::Regex;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// The README says what the service is, how to run it and how to test it.
    ///
    /// The README is the one GitHub shows: `README.md` (or `.rst`, `.adoc`, `.txt`, or a bare
    /// `README`) in `.github/`, the root or `docs/`, in that order. Each of the three parts is
    /// found like this:
    ///
    /// * **what the service is**: prose before the first section (below the title), or an
    ///   About, Overview, Introduction, Description, Summary, Purpose or "What is …" section;
    /// * **how to run it**: a Run/Running, Usage, Getting started, Quick start, Install(ation),
    ///   Deploy(ment), Setup or (Local) development section, or a run command shown as code
    ///   (`cargo run`, `go run`, `npm start`, `docker compose up`, `make run`, `helm install`, …);
    /// * **how to test it**: a section whose heading mentions tests (Testing, Running tests,
    ///   Unit tests), or a test command shown as code anywhere (`cargo test`, `go test`, `pytest`,
    ///   `npm test`, `make test`, `mvn verify`, `./gradlew test`, `dotnet test`, `bundle exec rspec`, …).
    ///
    /// A section counts only when it has content (a heading followed by nothing but `TODO` does
    /// not). A part the README lacks may be found in a local document the README links to
    /// (`See [CONTRIBUTING.md](CONTRIBUTING.md) for running the tests`). There is one finding per
    /// missing part, at the README's first line (or at the empty section); a repository with no
    /// README gets one finding.
    ///
    /// ## Why it matters
    /// The README is the first thing an engineer opens when the service breaks at night or
    /// changes hands. If it does not say what the service is, how to start it and how to test a
    /// fix, that knowledge lives in someone's head. (Production Ready Checklist, Documentation:
    /// "Updated and accurate README is included in repository".)
    ///
    /// ## How to fix
    /// ```markdown
    /// billing-api
    /// ===========
    ///
    /// Creates invoices for Acme customers and sends them by email.
    ///
    /// Running locally
    /// ---------------
    ///
    ///     docker compose up
    ///
    /// Testing
    /// -------
    ///
    ///     make test
    /// ```
    pub struct Readme {
        id: "docs/readme",
        title: "The README says what the service is, how to run it and how to test it",
        category: Docs,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: ["004: Production Ready Checklist, Documentation: updated and accurate README is included in repository"],
        fix: "add a README.md with an introduction, a \"Running\" section and a \"Testing\" section",
    }
}

/// A part of the README.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    What,
    Run,
    Test,
}

impl Part {
    const ALL: [Part; 3] = [Part::What, Part::Run, Part::Test];

    fn label(self) -> &'static str {
        match self {
            Part::What => "what the service is",
            Part::Run => "how to run it",
            Part::Test => "how to test it",
        }
    }

    fn heading_matches(self, text: &str) -> bool {
        match self {
            Part::What => heading_is_about(text, WHAT, TEST_WORDS),
            Part::Run => heading_is_about(text, RUN, TEST_WORDS),
            Part::Test => heading_mentions(text, TEST_WORDS),
        }
    }

    fn command(self, code: &CodeLine) -> Option<String> {
        let regex = match self {
            Part::What => return None,
            Part::Run => &*RUN_COMMAND,
            Part::Test => &*TEST_COMMAND,
        };
        let m = regex.find(&code.text)?;
        if code.prose {
            // Unmarked code in plain text: only a command that starts the line.
            let before = code.text.get(..m.start()).unwrap_or("");
            if !before
                .trim()
                .trim_start_matches(['$', '>'])
                .trim()
                .is_empty()
            {
                return None;
            }
        }
        Some(
            m.as_str()
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_string(),
        )
    }

    fn missing(self, readme: &str) -> (String, &'static str) {
        match self {
            Part::What => (
                format!(
                    "{readme} does not say what the service is: no introduction before the first section and no About/Overview section"
                ),
                "add a paragraph under the title saying what the service does and for whom",
            ),
            Part::Run => (
                format!(
                    "{readme} does not say how to run the service: no Running/Usage/Getting started/Deployment section and no run command"
                ),
                "add a \"Running\" section with the command that starts the service (e.g. `docker compose up`)",
            ),
            Part::Test => (
                format!(
                    "{readme} does not say how to test the service: no Testing section and no test command (`make test`, `cargo test`, `pytest`, `npm test`, …)"
                ),
                "add a \"Testing\" section with the command that runs the tests (e.g. `make test`)",
            ),
        }
    }
}

const WHAT: &[&str] = &[
    "about",
    "overview",
    "introduction",
    "intro",
    "description",
    "summary",
    "purpose",
    "what is",
    "what s",
    "what it does",
    "what does",
    "what this",
];
const RUN: &[&str] = &[
    "run",
    "running",
    "usage",
    "getting started",
    "get started",
    "quick start",
    "quickstart",
    "install",
    "installation",
    "installing",
    "deploy",
    "deployment",
    "deployments",
    "deploying",
    "setup",
    "set up",
    "setting up",
    "local setup",
    "local development",
    "development",
    "develop",
    "developing",
    "start",
    "starting",
];
const TEST_WORDS: &[&str] = &["test", "tests", "testing"];

/// Commands that run a test suite, as a README would show them: at the start of a command
/// (after `&&`, `;`, `$ `, environment variables or `poetry run`-style runners).
static TEST_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:^|[;&|(]|\$)\s*(?:\w+=\S*\s+)*(?:(?:poetry|uv|pipenv|hatch|pdm|rye)\s+run\s+|npx\s+|time\s+)?(?:",
        r"cargo\s+(?:\+\S+\s+)?(?:test|nextest)",
        r"|go\s+test|gotestsum",
        r"|(?:python3?\s+-m\s+)?pytest|python3?\s+-m\s+unittest|tox|nox",
        r"|(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test(?::[\w:-]+)?",
        r"|jest|vitest|mocha",
        r"|make\s+(?:-\S+\s+)*(?:[\w-]*[-_])?tests?(?:[-_][\w-]*)?",
        r"|(?:\./)?mvnw?\s+(?:[-\w.:=]+\s+)*?(?:test|verify)",
        r"|(?:\./)?gradlew?\s+(?:[-\w.:=]+\s+)*?(?:test|check)",
        r"|dotnet\s+test",
        r"|(?:bundle\s+exec\s+)?(?:rspec|rake\s+test)|(?:bin/)?rails\s+test",
        r"|(?:just|task|mix|deno|bazel|bazelisk)\s+test|ctest|phpunit",
        r")(?:$|[\s;&|)])",
    ))
    .expect("valid regex")
});

/// Commands that start a service, as a README would show them (at the start of a command).
static RUN_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:^|[;&|(]|\$)\s*(?:\w+=\S*\s+)*(?:(?:poetry|uv|pipenv|hatch|pdm|rye)\s+run\s+|npx\s+|time\s+)?(?:",
        r"cargo\s+run|go\s+run",
        r"|(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:start|dev|serve)",
        r"|docker\s+run|docker[\s-]compose\s+(?:\S+\s+)*?up",
        r"|make\s+(?:run|start|dev|serve|up)",
        r"|(?:python3?\s+)?manage\.py\s+runserver|uvicorn|gunicorn|flask\s+run",
        r"|(?:bin/)?rails\s+(?:s|server)",
        r"|(?:\./)?mvnw?\s+(?:\S+\s+)*?spring-boot:run|(?:\./)?gradlew?\s+(?:bootRun|run)",
        r"|dotnet\s+run|java\s+-jar",
        r"|helm\s+(?:upgrade|install)|kubectl\s+apply|skaffold\s+(?:dev|run)|tilt\s+up",
        r")(?:$|[\s;&|)])",
    ))
    .expect("valid regex")
});

/// How a part was satisfied, or why not.
#[derive(Default)]
struct Search {
    evidence: Vec<Evidence>,
    /// A matching section with nothing in it (path, line, heading), when nothing satisfied the part.
    empty: Option<(String, u32, String)>,
}

/// Looks for a part in one document: sections first, then commands shown as code.
fn search(part: Part, file: &SourceFile, outline: &Outline<'_>, via: &str) -> Search {
    let mut found = Search::default();
    let title = title_index(outline);
    for (index, heading) in outline.headings.iter().enumerate() {
        if Some(index) == title || !part.heading_matches(&heading.text) {
            continue;
        }
        if outline.section_has_content(index) {
            found.evidence.push(Evidence::at(
                &file.path,
                heading.line,
                format!("{}: section `{}`{via}", part.label(), heading.text),
            ));
        } else if found.empty.is_none() {
            found.empty = Some((file.path.clone(), heading.line, heading.text.clone()));
        }
    }
    if part == Part::What && found.evidence.is_empty() {
        let end = outline
            .headings
            .iter()
            .enumerate()
            .find(|(i, _)| Some(*i) != title)
            .map(|(_, h)| h.line.saturating_sub(1))
            .unwrap_or(u32::MAX);
        if let Some((line, words)) = outline.prose(1, end)
            && words >= 3
        {
            found.evidence.push(Evidence::at(
                &file.path,
                line,
                format!(
                    "{}: introduction before the first section{via}",
                    part.label()
                ),
            ));
        }
    }
    if found.evidence.is_empty() {
        let commands = outline
            .code()
            .into_iter()
            .filter_map(|code| part.command(&code).map(|c| (code.line, c)));
        for (line, command) in commands.take(3) {
            found.evidence.push(Evidence::at(
                &file.path,
                line,
                format!("{}: `{command}` shown as code{via}", part.label()),
            ));
        }
    }
    found
}

/// The index of the document title: the first heading, when it names none of the parts.
fn title_index(outline: &Outline<'_>) -> Option<usize> {
    let first: &Heading = outline.headings.first()?;
    (!Part::ALL.iter().any(|p| p.heading_matches(&first.text))).then_some(0)
}

impl golive_core::Check for Readme {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        if find::is_empty_repository(cx.ws) {
            return Outcome::not_applicable(find::EMPTY_REPOSITORY);
        }
        let Some(readme) = find::readme(cx.ws) else {
            return Outcome::from_findings(
                vec![Finding::repo(
                    "no README: nothing says what the service is, how to run it or how to test it",
                )
                .with_help("add README.md at the repository root with an introduction, a \"Running\" section and a \"Testing\" section")],
                Vec::new(),
            );
        };
        let file = readme.file;
        let mut evidence: Vec<Evidence> = readme
            .others
            .iter()
            .map(|other| {
                Evidence::file(
                    &other.path,
                    format!("not read: GitHub shows {} instead", file.path),
                )
            })
            .collect();
        let Some(outline) = Outline::of(file) else {
            return Outcome::Error {
                reason: format!("{} is not in a format golive reads", file.path),
                findings: Vec::new(),
            };
        };
        if !outline.has_content() {
            let finding = Finding::at(
                Location::file(&file.path),
                format!(
                    "{} is empty: it should say what the service is, how to run it and how to test it",
                    file.path
                ),
            );
            return Outcome::from_findings(vec![finding], evidence);
        }
        let linked: Vec<(u32, &SourceFile, Outline<'_>)> = linked_docs(cx.ws, file)
            .into_iter()
            .filter_map(|(line, doc)| Outline::of(doc).map(|o| (line, doc, o)))
            .collect();
        let mut findings = Vec::new();
        for part in Part::ALL {
            let mut found = search(part, file, &outline, "");
            if found.evidence.is_empty() && part != Part::What {
                for (line, doc, doc_outline) in &linked {
                    let via = format!(", in {} linked from {}:{line}", doc.path, file.path);
                    let in_doc = search(part, doc, doc_outline, &via);
                    found.evidence.extend(in_doc.evidence);
                }
            }
            if !found.evidence.is_empty() {
                evidence.extend(found.evidence);
                continue;
            }
            let (message, help) = part.missing(&file.path);
            findings.push(match found.empty {
                Some((path, line, heading)) => Finding::at(
                    Location::line(&path, line),
                    format!(
                        "{path}: the `{heading}` section is empty, so the README does not say {}",
                        part.label()
                    ),
                )
                .with_help(help),
                None => Finding::at(Location::file(&file.path), message).with_help(help),
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(part: Part, text: &str, prose: bool) -> Option<String> {
        part.command(&CodeLine {
            line: 1,
            text: text.into(),
            prose,
        })
    }

    #[test]
    fn test_commands() {
        for cmd in [
            "cargo test --workspace",
            "cd api && go test ./...",
            "python -m pytest -q",
            "npm run test:unit",
            "yarn test",
            "make test",
            "make unit-tests",
            "./mvnw -B verify",
            "./gradlew clean test",
            "dotnet test",
            "bundle exec rspec",
            "tox -e py312",
        ] {
            assert!(command(Part::Test, cmd, false).is_some(), "{cmd}");
        }
        for cmd in [
            "make latest",
            "cargo build",
            "npm install",
            "pytest-cov is a plugin",
            "pip install tox",
            "npm i -D jest",
        ] {
            assert!(command(Part::Test, cmd, false).is_none(), "{cmd}");
        }
        assert!(command(Part::Test, "CI=1 poetry run pytest", false).is_some());
        assert!(command(Part::Test, "npx vitest run", false).is_some());
        assert!(command(Part::Test, "$ make test", true).is_some());
        assert!(command(Part::Test, "We use make test in CI", true).is_none());
        assert_eq!(
            command(Part::Test, "go test ./...", false).as_deref(),
            Some("go test")
        );
    }

    #[test]
    fn run_commands() {
        for cmd in [
            "docker compose up -d",
            "docker-compose -f dev.yml up",
            "cargo run --release",
            "npm start",
            "helm upgrade --install api ./chart",
            "./gradlew bootRun",
        ] {
            assert!(command(Part::Run, cmd, false).is_some(), "{cmd}");
        }
        assert!(command(Part::Run, "cargo build", false).is_none());
    }

    #[test]
    fn headings_by_part() {
        assert!(Part::Run.heading_matches("Running locally"));
        assert!(Part::Run.heading_matches("Local development"));
        assert!(!Part::Run.heading_matches("Running the tests"));
        assert!(Part::Test.heading_matches("Running the tests"));
        assert!(Part::What.heading_matches("What is billing-api?"));
        assert!(Part::What.heading_matches("About"));
        assert!(!Part::What.heading_matches("Contributing"));
    }
}
