use crate::ci::commands::{self, Ci, Command};
use crate::testing::ecosystems::{self, Ecosystem};
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// CI runs a lint, static-analysis or format check for every language ecosystem of the
    /// repository's code.
    ///
    /// The ecosystems are those whose manifests hold code (see testing/unit-tests). The commands
    /// are read from GitHub Actions workflows and composite actions, GitLab CI jobs (includes,
    /// `extends` and `!reference` resolved) and the other CI systems' files; `make <target>` is
    /// followed one level into the root Makefile. What counts:
    ///
    /// - Rust: `cargo clippy`, `cargo fmt --check`, the clippy actions;
    /// - Go: `golangci-lint` (or its action), `go vet`, `staticcheck`, `gofmt -l`/`-d`, `revive`;
    /// - Node.js: `eslint`, `prettier --check`, `biome`, `oxlint`, `tsc --noEmit`,
    ///   `npm`/`yarn`/`pnpm`/`bun run lint*`;
    /// - Python: `ruff`, `flake8`, `pylint`, `black --check`, `isort --check`, `mypy`, `pyright`;
    /// - Java/Kotlin: checkstyle, spotless, PMD, SpotBugs, ktlint, detekt (as Maven goals or
    ///   Gradle tasks);
    /// - .NET: `dotnet format`; Ruby: `rubocop`, `standardrb`;
    /// - every ecosystem: `pre-commit run` (or its action), super-linter, MegaLinter.
    ///
    /// A finding names each ecosystem without one, at its manifest. Without any CI the check is
    /// not-applicable (ci/pipeline reports that).
    ///
    /// ## Why it matters
    /// Linters and static analysis catch whole classes of bugs (unchecked errors, races,
    /// undefined names) before review, and a format check keeps diffs about behaviour. Run
    /// locally only, they are skipped exactly when it matters. (Deep Dive to Production
    /// Readiness: "each repository must have its automated pipeline: ... static code analysis";
    /// Production Ready Checklist, Continuous Integration: "set up static code analysis".)
    ///
    /// ## How to fix
    /// Add a lint job next to the tests:
    /// ```yaml
    /// jobs:
    ///   lint:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///       - uses: golangci/golangci-lint-action@v6
    ///       - run: npx eslint . && npx prettier --check .
    /// ```
    pub struct Lint {
        id: "ci/lint",
        title: "CI runs a linter for each ecosystem",
        category: Ci,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "000: Deep Dive to Production Readiness Checklist: each repository must have its automated pipeline: tests, builds, static code analysis",
            "004: Production Ready Checklist, Continuous Integration: static code analysis",
        ],
        fix: "add a CI step that runs the ecosystem's linter or format check (clippy, golangci-lint, eslint, ruff, checkstyle, dotnet format, rubocop, or pre-commit)",
    }
}

impl golive_core::Check for Lint {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let projects: Vec<_> = ecosystems::projects(cx.ws)
            .into_iter()
            .filter(|p| p.has_code())
            .collect();
        if projects.is_empty() {
            return Outcome::not_applicable(
                "no code of a language ecosystem golive knows (Rust, Go, Node.js, Python, Java/Kotlin, .NET, Ruby)",
            );
        }
        let Some(ci) = commands::ci(cx.ws) else {
            return Outcome::not_applicable("no CI configuration (ci/pipeline reports that)");
        };
        let linters = linters(&ci);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let every: Vec<&Linter> = linters.iter().filter(|l| l.ecosystem.is_none()).collect();
        for e in &every {
            evidence.push(Evidence::at(
                &e.path,
                e.line,
                format!("{} lints every ecosystem", e.what),
            ));
        }
        for project in &projects {
            let eco = project.ecosystem;
            let own: Vec<&Linter> = linters
                .iter()
                .filter(|l| l.ecosystem == Some(eco))
                .collect();
            if let Some(l) = own.first() {
                evidence.push(Evidence::at(
                    &l.path,
                    l.line,
                    format!("{}: {}", eco.name(), l.what),
                ));
            } else if every.is_empty() {
                let manifest = project.manifest();
                findings.push(Finding::at(
                    Location::line(&manifest.path, 1),
                    format!(
                        "{} ({}): no lint, static-analysis or format check runs in CI ({})",
                        eco.name(),
                        manifest.path,
                        tools(eco)
                    ),
                ));
            }
        }
        evidence.push(Evidence::note(format!(
            "{} CI file(s) read",
            ci.files.len()
        )));
        Outcome::from_findings(findings, evidence)
    }
}

/// A lint step found, for one ecosystem (None: all of them).
struct Linter {
    ecosystem: Option<Ecosystem>,
    path: String,
    line: u32,
    what: String,
}

fn tools(eco: Ecosystem) -> &'static str {
    match eco {
        Ecosystem::Rust => "e.g. `cargo clippy`, `cargo fmt --check`",
        Ecosystem::Go => "e.g. golangci-lint, `go vet`, staticcheck, `gofmt -l`",
        Ecosystem::Node => "e.g. eslint, `prettier --check`, biome, `npm run lint`",
        Ecosystem::Python => "e.g. ruff, flake8, pylint, `black --check`, mypy",
        Ecosystem::Jvm => "e.g. checkstyle, spotless, PMD, SpotBugs, ktlint, detekt",
        Ecosystem::Dotnet => "e.g. `dotnet format --verify-no-changes`",
        Ecosystem::Ruby => "e.g. rubocop, standardrb",
    }
}

fn linters(ci: &Ci<'_>) -> Vec<Linter> {
    let mut out = Vec::new();
    for c in &ci.commands {
        if let Some(eco) = lint_command(c) {
            out.push(Linter {
                ecosystem: eco,
                path: c.file.path.clone(),
                line: c.line,
                what: format!("runs {}", c.text()),
            });
        }
    }
    for u in &ci.uses {
        if let Some(eco) = lint_action(&u.action) {
            out.push(Linter {
                ecosystem: eco,
                path: u.file.path.clone(),
                line: u.line,
                what: format!("uses `{}`", u.action),
            });
        }
    }
    out
}

/// The ecosystem a lint command checks (`Some(None)`: every ecosystem).
pub(crate) fn lint_command(c: &Command<'_>) -> Option<Option<Ecosystem>> {
    let first = c.word(0)?;
    let second = c.word(1).unwrap_or("");
    // `npx eslint`, `poetry run ruff`, `uv run mypy`, `bundle exec rubocop`, `python -m black`.
    let (tool, at) = match (first, second) {
        ("npx" | "pnpx" | "bunx", t) => (t, 1),
        ("poetry" | "uv" | "pdm" | "hatch" | "pipenv", "run") => (c.word(2).unwrap_or(""), 2),
        ("bundle", "exec") => (c.word(2).unwrap_or(""), 2),
        ("python" | "python3", "-m") => (c.word(2).unwrap_or(""), 2),
        ("pnpm" | "yarn", "exec" | "dlx") => (c.word(2).unwrap_or(""), 2),
        (t, _) => (t, 0),
    };
    let next = c.word(at + 1).unwrap_or("");
    let eco = match (tool, next) {
        ("cargo", "clippy") => Ecosystem::Rust,
        ("cargo", "fmt") if c.has("--check") => Ecosystem::Rust,
        ("golangci-lint" | "staticcheck" | "revive" | "errcheck", _) => Ecosystem::Go,
        ("go", "vet") => Ecosystem::Go,
        ("gofmt" | "goimports", _) if c.has("-l") || c.has("-d") => Ecosystem::Go,
        ("eslint" | "biome" | "oxlint" | "xo" | "standard", _) => Ecosystem::Node,
        ("prettier", _) if c.has("--check") || c.has("-c") || c.has("--list-different") => {
            Ecosystem::Node
        }
        ("tsc", _) if c.has("--noEmit") => Ecosystem::Node,
        ("npm" | "yarn" | "pnpm" | "bun", _) if runs_lint_script(c) => Ecosystem::Node,
        ("ruff" | "flake8" | "pylint" | "mypy" | "pyright" | "pyflakes" | "pycodestyle", _) => {
            Ecosystem::Python
        }
        ("black" | "isort", _) if c.has("--check") || c.has("--diff") => Ecosystem::Python,
        ("mvn" | "mvnw" | "gradle" | "gradlew", _) if jvm_lint(c) => Ecosystem::Jvm,
        ("ktlint" | "detekt", _) => Ecosystem::Jvm,
        ("dotnet", "format") => Ecosystem::Dotnet,
        ("rubocop" | "standardrb", _) => Ecosystem::Ruby,
        ("pre-commit" | "prek", "run") => return Some(None),
        _ => return None,
    };
    Some(Some(eco))
}

/// `npm run lint`, `yarn lint`, `pnpm -r lint:ci`, `npm run format:check`.
fn runs_lint_script(c: &Command<'_>) -> bool {
    c.words
        .iter()
        .skip(1)
        .filter(|w| !w.starts_with('-'))
        .filter(|w| !matches!(w.as_str(), "run" | "run-script" | "workspaces" | "-r"))
        .take(1)
        .any(|w| {
            let w = w.to_ascii_lowercase();
            w.starts_with("lint") || w == "format:check" || w == "fmt:check" || w == "check:lint"
        })
}

fn jvm_lint(c: &Command<'_>) -> bool {
    const TOOLS: &[&str] = &[
        "checkstyle",
        "spotless",
        "pmd",
        "spotbugs",
        "ktlint",
        "detekt",
    ];
    c.words.iter().skip(1).any(|w| {
        let w = w.to_ascii_lowercase();
        let task = w.rsplit(':').next().unwrap_or(&w);
        TOOLS
            .iter()
            .any(|t| w.starts_with(t) || task.starts_with(t))
    })
}

/// The ecosystem a GitHub action lints (`Some(None)`: every ecosystem).
fn lint_action(action: &str) -> Option<Option<Ecosystem>> {
    let repo: String = action.splitn(3, '/').take(2).collect::<Vec<_>>().join("/");
    Some(match repo.as_str() {
        "golangci/golangci-lint-action" | "dominikh/staticcheck-action" => Some(Ecosystem::Go),
        "actions-rs/clippy-check" | "giraffate/clippy-action" | "auguwu/clippy-action" => {
            Some(Ecosystem::Rust)
        }
        "astral-sh/ruff-action" | "chartboost/ruff-action" | "psf/black" => Some(Ecosystem::Python),
        "reviewdog/action-eslint" => Some(Ecosystem::Node),
        "reviewdog/action-rubocop" => Some(Ecosystem::Ruby),
        "pre-commit/action"
        | "github/super-linter"
        | "super-linter/super-linter"
        | "oxsecurity/megalinter"
        | "megalinter/megalinter" => None,
        _ => return None,
    })
}
