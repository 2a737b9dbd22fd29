//! Test-command recognition, in one place: which shell commands run a test suite and for which
//! ecosystem (`cargo test`, `go test`, `pytest`, `npm test`, `mvn verify`, `./gradlew check`,
//! `dotnet test`, `bundle exec rspec`, `make test`, ...). Commands that only reach the tests
//! through the repository (`make ci`, `npm run ci`, `./scripts/test.sh`) are followed into the
//! Makefile, package.json or script, a few levels deep.

use crate::ci::manifests;
use golive_core::parse::yaml::Node;
use golive_core::workspace::Lang;
use golive_core::{FileKind, Workspace};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};

/// A language ecosystem whose tests a command runs; `Any` when the command runs tests but golive
/// cannot tell whose (`make test` without a readable recipe, `bazel test`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Ecosystem {
    Rust,
    Go,
    Python,
    Node,
    Maven,
    Gradle,
    Dotnet,
    Ruby,
    Any,
}

impl Ecosystem {
    /// The ecosystem a manifest file declares (`Cargo.toml`, `go.mod`, `package.json`, ...).
    pub fn of_manifest(name: &str) -> Option<Ecosystem> {
        Some(match name {
            "Cargo.toml" => Ecosystem::Rust,
            "go.mod" => Ecosystem::Go,
            "pyproject.toml" | "setup.py" | "setup.cfg" | "Pipfile" => Ecosystem::Python,
            n if n.starts_with("requirements") && n.ends_with(".txt") => Ecosystem::Python,
            "package.json" => Ecosystem::Node,
            "pom.xml" => Ecosystem::Maven,
            "build.gradle" | "build.gradle.kts" | "settings.gradle" | "settings.gradle.kts" => {
                Ecosystem::Gradle
            }
            n if n.ends_with(".csproj") || n.ends_with(".fsproj") || n.ends_with(".sln") => {
                Ecosystem::Dotnet
            }
            "Gemfile" | "gems.rb" => Ecosystem::Ruby,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Ecosystem::Rust => "Rust",
            Ecosystem::Go => "Go",
            Ecosystem::Python => "Python",
            Ecosystem::Node => "Node",
            Ecosystem::Maven => "Maven",
            Ecosystem::Gradle => "Gradle",
            Ecosystem::Dotnet => ".NET",
            Ecosystem::Ruby => "Ruby",
            Ecosystem::Any => "any ecosystem",
        }
    }

    /// The commands golive recognises for the ecosystem, for messages.
    pub fn commands(self) -> &'static str {
        match self {
            Ecosystem::Rust => "`cargo test`, `cargo nextest run`",
            Ecosystem::Go => "`go test`, `gotestsum`",
            Ecosystem::Python => "`pytest`, `python -m pytest`, `tox`, `nox`, `python -m unittest`",
            Ecosystem::Node => "`npm test`, `yarn test`, `pnpm test`, `jest`, `vitest`, `mocha`",
            Ecosystem::Maven => "`mvn test`, `mvn verify` (without -DskipTests)",
            Ecosystem::Gradle => "`./gradlew test`, `./gradlew check`, `./gradlew build`",
            Ecosystem::Dotnet => "`dotnet test`",
            Ecosystem::Ruby => "`bundle exec rspec`, `rake test`, `rails test`",
            Ecosystem::Any => "`make test`",
        }
    }
}

/// One command that runs tests.
#[derive(Clone, Debug)]
pub(crate) struct TestRun {
    pub ecosystem: Ecosystem,
    /// 0-based index of the line of the scanned text where the command starts.
    pub line: usize,
    /// The command as written (shortened).
    pub command: String,
    /// How the tests are reached when the command is indirect: `Makefile:12 \`go test ./...\``.
    pub via: Option<String>,
}

/// How many indirections (make targets, package.json scripts, script files) are followed.
const MAX_DEPTH: usize = 4;

/// Recognises test commands in scripts, following indirections through the repository.
pub(crate) struct Recogniser<'a> {
    ws: &'a Workspace,
    /// package.json scripts by file (None: not readable), read once.
    scripts: RefCell<HashMap<String, Option<Scripts>>>,
    /// Logical lines left to read: indirections fan out, and a hostile repository could make
    /// them explode (a count, so results stay deterministic).
    budget: Cell<usize>,
    /// Indirections already followed, by [`Command::key`].
    memo: RefCell<HashMap<String, Vec<TestRun>>>,
}

/// Logical lines one recogniser reads at most, indirections included.
const LINE_BUDGET: usize = 200_000;

/// A package.json's scripts: name and command.
type Scripts = Vec<(String, String)>;

/// A task runner whose recipes live in the repository.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RunnerKind {
    Make,
    Just,
    Task,
}

impl RunnerKind {
    /// The file names the runner reads, in its own order of preference.
    fn files(self) -> &'static [&'static str] {
        match self {
            RunnerKind::Make => &["GNUmakefile", "makefile", "Makefile"],
            RunnerKind::Just => &["justfile", "Justfile", ".justfile"],
            RunnerKind::Task => &[
                "Taskfile.yml",
                "Taskfile.yaml",
                "taskfile.yml",
                "taskfile.yaml",
            ],
        }
    }

    /// The commands a target runs (and its dependencies'), with their 1-based lines.
    fn recipe(self, text: &str, target: &str) -> Vec<(usize, String)> {
        match self {
            RunnerKind::Make => make_recipe(text, target, 0, &mut BTreeSet::new()),
            RunnerKind::Just => just_recipe(text, target, 0, &mut BTreeSet::new()),
            RunnerKind::Task => task_recipe(text, target, 0, &mut BTreeSet::new()),
        }
    }
}

/// What one command segment is.
enum Command {
    Tests(Ecosystem),
    /// `make`, `just` or `task` (go-task) targets, followed into their recipes.
    Runner {
        kind: RunnerKind,
        dir: String,
        file: Option<String>,
        targets: Vec<String>,
    },
    NodeScript {
        dir: Option<String>,
        script: String,
    },
    ScriptFile(String),
}

impl Command {
    /// What identifies an indirection: the same key resolves to the same runs.
    fn key(&self, cwd: &str) -> String {
        match self {
            Command::Tests(e) => format!("tests:{e:?}"),
            Command::Runner {
                kind,
                dir,
                file,
                targets,
            } => format!(
                "{}:{cwd}:{dir}:{}:{}",
                kind.files()[0],
                file.as_deref().unwrap_or(""),
                targets.join(" ")
            ),
            Command::NodeScript { dir, script } => {
                format!("npm:{cwd}:{}:{script}", dir.as_deref().unwrap_or(""))
            }
            Command::ScriptFile(path) => format!("script:{cwd}:{path}"),
        }
    }
}

impl<'a> Recogniser<'a> {
    pub fn new(ws: &'a Workspace) -> Recogniser<'a> {
        Recogniser {
            ws,
            scripts: RefCell::new(HashMap::new()),
            budget: Cell::new(LINE_BUDGET),
            memo: RefCell::new(HashMap::new()),
        }
    }

    /// The test runs in a shell script (a `run:` block, a GitLab script item, a CI file's
    /// text). `cwd` is the directory the script runs in, relative to the repository root.
    pub fn scan(&self, script: &str, cwd: &str) -> Vec<TestRun> {
        self.scan_at(script, &normalise_dir(cwd), 0)
    }

    fn scan_at(&self, script: &str, cwd: &str, depth: usize) -> Vec<TestRun> {
        let mut out = Vec::new();
        for (line, logical) in logical_lines(script) {
            let left = self.budget.get();
            if left == 0 {
                break;
            }
            self.budget.set(left - 1);
            for segment in segments(&logical) {
                let tokens = tokens(segment);
                let Some(command) = classify(&tokens) else {
                    continue;
                };
                let words: Vec<&str> = segment.split_whitespace().collect();
                let shown = crate::ci::github::shorten(&words.join(" "), 80);
                match command {
                    Command::Tests(ecosystem) => out.push(TestRun {
                        ecosystem,
                        line,
                        command: shown,
                        via: None,
                    }),
                    indirect => {
                        for inner in self.resolve(indirect, cwd, depth) {
                            out.push(TestRun {
                                line,
                                command: shown.clone(),
                                ..inner
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// Follows an indirect command into the repository; the runs it reaches carry `via`.
    fn resolve(&self, command: Command, cwd: &str, depth: usize) -> Vec<TestRun> {
        if depth >= MAX_DEPTH || self.budget.get() == 0 {
            return Vec::new();
        }
        // Each indirection is followed once; a cycle (a script calling itself, make targets
        // calling make) finds its own entry, empty while in progress.
        let key = command.key(cwd);
        if let Some(done) = self.memo.borrow().get(&key) {
            return done.clone();
        }
        self.memo.borrow_mut().insert(key.clone(), Vec::new());
        let runs = self.resolve_uncached(command, cwd, depth);
        self.memo.borrow_mut().insert(key, runs.clone());
        runs
    }

    fn resolve_uncached(&self, command: Command, cwd: &str, depth: usize) -> Vec<TestRun> {
        match command {
            Command::Tests(_) => Vec::new(),
            Command::Runner {
                kind,
                dir,
                file,
                targets,
            } => {
                let mut out = Vec::new();
                let runner_file = self.runner_file(kind, &join(cwd, &dir), file.as_deref());
                let dir = join(cwd, &dir);
                for target in &targets {
                    let mut found = Vec::new();
                    if let Some((path, text)) = runner_file {
                        for (line, recipe) in kind.recipe(text, target) {
                            for run in self.scan_at(&recipe, &dir, depth + 1) {
                                let here = format!("{path}:{line} `{}`", run.command);
                                found.push(TestRun {
                                    via: Some(chain(here, run.via)),
                                    ..run
                                });
                            }
                        }
                    }
                    if found.is_empty() && (is_test_name(target) || target == "check") {
                        found.push(TestRun {
                            ecosystem: Ecosystem::Any,
                            line: 0,
                            command: String::new(),
                            via: None,
                        });
                    }
                    out.extend(found);
                }
                out
            }
            Command::NodeScript { dir, script } => {
                let dir = dir
                    .map(|d| join(cwd, &d))
                    .unwrap_or_else(|| cwd.to_string());
                let Some((path, body)) = self.node_script(&dir, &script) else {
                    return Vec::new();
                };
                self.scan_at(&body, &dir, depth + 1)
                    .into_iter()
                    .map(|run| {
                        let here = format!("{path} script `{script}`: `{}`", run.command);
                        TestRun {
                            via: Some(chain(here, run.via)),
                            ..run
                        }
                    })
                    .collect()
            }
            Command::ScriptFile(path) => {
                let candidates = [join(cwd, &path), normalise_dir(&path)];
                let Some(file) = candidates.iter().find_map(|p| self.ws.file(p)) else {
                    return Vec::new();
                };
                if !matches!(file.kind, FileKind::Source(Lang::Shell) | FileKind::Other) {
                    return Vec::new();
                }
                self.scan_at(&file.text, cwd, depth + 1)
                    .into_iter()
                    .map(|run| {
                        let here = format!("{}:{} `{}`", file.path, run.line + 1, run.command);
                        TestRun {
                            via: Some(chain(here, run.via)),
                            ..run
                        }
                    })
                    .collect()
            }
        }
    }

    fn runner_file(
        &self,
        kind: RunnerKind,
        dir: &str,
        file: Option<&str>,
    ) -> Option<(&'a str, &'a str)> {
        let names: Vec<String> = match file {
            Some(f) => vec![f.to_string()],
            None => kind.files().iter().map(|s| s.to_string()).collect(),
        };
        names.iter().find_map(|n| {
            self.ws
                .file(&join(dir, n))
                .map(|f| (f.path.as_str(), f.text.as_str()))
        })
    }

    /// The body of a package.json script, from the nearest package.json at or above `dir`.
    fn node_script(&self, dir: &str, name: &str) -> Option<(String, String)> {
        let mut d = dir.to_string();
        loop {
            let path = join(&d, "package.json");
            if let Some(file) = self.ws.file(&path) {
                let mut cache = self.scripts.borrow_mut();
                let scripts = cache
                    .entry(path.clone())
                    .or_insert_with(|| manifests::package_json(file).map(|p| p.scripts));
                return scripts
                    .as_ref()?
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, body)| (path, body.clone()));
            }
            if d.is_empty() {
                return None;
            }
            d = d
                .rsplit_once('/')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default();
        }
    }
}

fn chain(here: String, deeper: Option<String>) -> String {
    match deeper {
        Some(d) => format!("{here} → {d}"),
        None => here,
    }
}

/// The default test command Travis CI runs for a `language:` when the file has no `script:`.
pub(crate) fn travis_default(language: &str) -> Option<(Ecosystem, &'static str)> {
    Some(match language.trim() {
        "rust" => (
            Ecosystem::Rust,
            "cargo build --verbose; cargo test --verbose",
        ),
        "go" => (Ecosystem::Go, "go test ./... (or make)"),
        "node_js" => (Ecosystem::Node, "npm test"),
        "ruby" => (Ecosystem::Ruby, "rake"),
        "java" | "jvm" => (Ecosystem::Any, "gradle check or mvn test"),
        _ => return None,
    })
}

/// Shell logical lines (`\` continuations joined), comment lines dropped, each with the 0-based
/// index of its first physical line.
pub(crate) fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let (start, mut acc) = current.take().unwrap_or((i, String::new()));
        if acc.is_empty() && (line.starts_with('#') || line.starts_with("//")) {
            continue;
        }
        let (body, continues) = match line.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (line, false),
        };
        acc.push_str(strip_trailing_comment(body));
        acc.push(' ');
        if continues {
            current = Some((start, acc));
        } else if !acc.trim().is_empty() {
            out.push((start, acc.trim_end().to_string()));
        }
    }
    if let Some((start, acc)) = current
        && !acc.trim().is_empty()
    {
        out.push((start, acc.trim_end().to_string()));
    }
    out
}

/// Whether `rest` starts with `NAME)`: the inside of a make variable reference.
fn is_make_var(rest: &str) -> bool {
    rest.split_once(')').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// A line without a shell comment (` # ...`) outside quotes.
fn strip_trailing_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') if prev.is_whitespace() => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

/// The commands of a logical line: split at `&&`, `||`, `;`, `|`, `&`, parentheses, backticks.
pub(crate) fn segments(line: &str) -> Vec<&str> {
    // `$(VAR)` (make) is a word, not a subshell; quoted text is one word: `echo "(go test)"`
    // prints it, `sh 'go test && x'` runs one string.
    let mut depth_var = false;
    let mut quote: Option<char> = None;
    let bytes = line.as_bytes();
    let mut cuts = Vec::new();
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') if i > 0 && bytes[i - 1] == b'$' && is_make_var(&line[i + 1..]) => {
                depth_var = true
            }
            (None, ')') if depth_var => depth_var = false,
            (None, ';' | '|' | '&' | '(' | ')' | '`') => cuts.push(i),
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut from = 0;
    for cut in cuts.into_iter().chain(std::iter::once(line.len())) {
        out.push(&line[from..cut]);
        from = (cut + 1).min(line.len());
    }
    out.into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The words of a command, unquoted; `$(GO)`/`${GO}` become `go`.
pub(crate) fn tokens(segment: &str) -> Vec<String> {
    segment
        .split_whitespace()
        .map(|t| {
            let t = t.trim_matches(|c| matches!(c, '\'' | '"' | ',' | '[' | ']'));
            if let Some(var) = t
                .strip_prefix("$(")
                .and_then(|v| v.strip_suffix(')'))
                .or_else(|| t.strip_prefix("${").and_then(|v| v.strip_suffix('}')))
            {
                var.to_ascii_lowercase()
            } else {
                t.trim_matches(|c| matches!(c, '{' | '}')).to_string()
            }
        })
        .filter(|t| !t.is_empty())
        .collect()
}

pub(crate) fn base(token: &str) -> &str {
    token.rsplit(['/', '\\']).next().unwrap_or(token)
}

/// Words that only introduce the real command (shell keywords, wrappers, CI file syntax).
pub(crate) fn is_prefix(token: &str) -> bool {
    matches!(
        token,
        "-" | "then"
            | "do"
            | "else"
            | "if"
            | "!"
            | "time"
            | "exec"
            | "sudo"
            | "env"
            | "command"
            | "nice"
            | "sh"
            | "bash"
            | "zsh"
            | "source"
            | "."
            | "bat"
            | "powershell"
            | "pwsh"
            | "call"
    ) || token.ends_with(':')
        || (token.contains('=') && !token.starts_with('-'))
        || token.starts_with("sh(")
        || token.starts_with("bat(")
}

/// Commands whose arguments may name test tools without running them.
fn is_non_running(first: &str) -> bool {
    matches!(
        first,
        "echo"
            | "printf"
            | "pip"
            | "pip3"
            | "pipx"
            | "apt"
            | "apt-get"
            | "apk"
            | "yum"
            | "dnf"
            | "brew"
            | "choco"
            | "gem"
            | "curl"
            | "wget"
            | "git"
            | "conda"
            | "mamba"
            | "rustup"
            | "cat"
            | "grep"
            | "sed"
            | "awk"
            | "mkdir"
            | "rm"
            | "cp"
            | "mv"
            | "ls"
            | "touch"
            | "chmod"
            | "which"
            | "test"
            | "["
    )
}

/// What a command segment is, if it runs (or may lead to) tests.
fn classify(tokens: &[String]) -> Option<Command> {
    let start = tokens
        .iter()
        .position(|t| !is_prefix(t) && !t.starts_with('-'))?;
    let words = &tokens[start..];
    let first = base(&words[0]);
    if is_non_running(first) || is_install(words) {
        return None;
    }
    for i in 0..words.len() {
        if let Some(eco) = runs_tests_at(words, i) {
            return Some(Command::Tests(eco));
        }
    }
    if let Some(node) = node_script(words) {
        return Some(node);
    }
    generic(words)
}

/// `cargo install x`, `npm i -D jest`, `poetry add pytest`, `uv pip install pytest`: installs,
/// not runs (Maven's `install` phase does run tests).
fn is_install(words: &[String]) -> bool {
    let first = base(&words[0]);
    if matches!(first, "mvn" | "mvnw" | "mvn.cmd" | "mvnw.cmd") {
        return false;
    }
    words.iter().skip(1).take(3).any(|w| {
        matches!(
            w.as_str(),
            "install" | "add" | "i" | "get" | "global" | "--version"
        )
    })
}

/// The positional arguments after `words[i]`, skipping flags (and the values of flags that
/// take one, when listed in `with_value`).
fn positionals<'w>(words: &'w [String], i: usize, with_value: &[&str]) -> Vec<&'w str> {
    let mut out = Vec::new();
    let mut skip = false;
    for w in &words[i + 1..] {
        if skip {
            skip = false;
            continue;
        }
        if w.starts_with('-') || w.starts_with('+') {
            if with_value.contains(&w.as_str()) {
                skip = true;
            }
            continue;
        }
        out.push(w.as_str());
    }
    out
}

/// Whether the command starting at `words[i]` runs a test suite directly.
fn runs_tests_at(words: &[String], i: usize) -> Option<Ecosystem> {
    let w = base(&words[i]);
    let next = || positionals(words, i, &[]);
    let has = |flag: &str| words[i + 1..].iter().any(|x| x == flag);
    match w {
        "cargo" | "cross" => {
            let pos = positionals(words, i, &["-Z", "--config", "--color"]);
            let sub = *pos.first()?;
            let ok = match sub {
                "test" | "t" | "nextest" | "tarpaulin" => true,
                "llvm-cov" => !matches!(pos.get(1), Some(&("report" | "clean" | "show-env"))),
                "hack" | "insta" | "make" | "miri" | "careful" | "all-features" => {
                    pos[1..].iter().any(|p| matches!(*p, "test" | "nextest"))
                }
                _ => false,
            };
            ok.then_some(Ecosystem::Rust)
        }
        "go" | "richgo" => (next().first() == Some(&"test")).then_some(Ecosystem::Go),
        "gotestsum" | "gotest" => Some(Ecosystem::Go),
        "ginkgo" => (!matches!(
            next().first(),
            Some(&("bootstrap" | "generate" | "version" | "outline" | "help"))
        ))
        .then_some(Ecosystem::Go),
        "pytest" | "py.test" | "nosetests" | "nose2" => Some(Ecosystem::Python),
        "-m" => matches!(
            words.get(i + 1).map(String::as_str),
            Some("pytest" | "unittest" | "nose2")
        )
        .then_some(Ecosystem::Python),
        "tox" | "nox" => selects_tests(words, i).then_some(Ecosystem::Python),
        "hatch" => {
            let pos = next();
            match pos.first() {
                Some(&"test") => Some(Ecosystem::Python),
                Some(&"run") => pos
                    .get(1)
                    .filter(|s| is_test_name(s))
                    .map(|_| Ecosystem::Python),
                _ => None,
            }
        }
        w if w.ends_with("manage.py") => {
            (next().first() == Some(&"test")).then_some(Ecosystem::Python)
        }
        "npm" | "pnpm" | "yarn" | "bun" | "cnpm" => node_direct(words, i),
        "jest" | "vitest" | "mocha" | "ava" | "jasmine" => {
            (!has("--version") && next().first() != Some(&"init")).then_some(Ecosystem::Node)
        }
        "karma" => (next().first() == Some(&"start")).then_some(Ecosystem::Node),
        "playwright" => (next().first() == Some(&"test")).then_some(Ecosystem::Node),
        "cypress" => (next().first() == Some(&"run")).then_some(Ecosystem::Node),
        "react-scripts" | "ng" => (next().first() == Some(&"test")).then_some(Ecosystem::Node),
        "vue-cli-service" => next()
            .first()
            .filter(|s| s.starts_with("test"))
            .map(|_| Ecosystem::Node),
        "node" | "deno" => {
            (has("--test") || next().first() == Some(&"test")).then_some(Ecosystem::Node)
        }
        "nx" => nx_runs_tests(words, i).then_some(Ecosystem::Node),
        "turbo" | "lerna" => {
            let pos = next();
            let task = if pos.first() == Some(&"run") {
                pos.get(1)
            } else {
                pos.first()
            };
            task.filter(|t| is_test_name(t)).map(|_| Ecosystem::Node)
        }
        "mvn" | "mvnw" | "mvn.cmd" | "mvnw.cmd" => {
            maven_runs_tests(words, i).then_some(Ecosystem::Maven)
        }
        "gradle" | "gradlew" | "gradlew.bat" => {
            gradle_runs_tests(words, i).then_some(Ecosystem::Gradle)
        }
        "dotnet" => {
            matches!(next().first(), Some(&("test" | "vstest"))).then_some(Ecosystem::Dotnet)
        }
        "rspec" => Some(Ecosystem::Ruby),
        "rake" => next()
            .first()
            .filter(|t| is_test_name(t))
            .map(|_| Ecosystem::Ruby),
        "rails" => next()
            .first()
            .filter(|t| t.starts_with("test") || t.starts_with("spec"))
            .map(|_| Ecosystem::Ruby),
        _ => None,
    }
}

/// `tox`/`nox` run test environments unless every selected one is a known non-test one.
fn selects_tests(words: &[String], i: usize) -> bool {
    const NON_TEST: &[&str] = &[
        "lint",
        "format",
        "fmt",
        "type",
        "types",
        "typing",
        "mypy",
        "docs",
        "doc",
        "pre-commit",
        "flake8",
        "black",
        "ruff",
        "pylint",
        "style",
        "build",
        "release",
        "publish",
        "pyright",
        "isort",
        "check-manifest",
        "bandit",
        "safety",
        "audit",
        "spelling",
    ];
    let mut selected = Vec::new();
    let mut it = words[i + 1..].iter();
    while let Some(w) = it.next() {
        let value = match w.as_str() {
            "-e" | "-s" | "--sessions" | "--session" => it.next().map(String::as_str),
            s => s
                .strip_prefix("-e=")
                .or_else(|| s.strip_prefix("--sessions="))
                .or_else(|| s.strip_prefix("--session=")),
        };
        if let Some(v) = value {
            selected.extend(v.split(',').map(str::trim).filter(|s| !s.is_empty()));
        }
    }
    selected.is_empty() || selected.iter().any(|s| !NON_TEST.contains(s))
}

/// Flags of npm, pnpm, yarn and bun that take a value.
const NODE_FLAGS_WITH_VALUE: &[&str] = &[
    "--prefix",
    "-C",
    "--filter",
    "-F",
    "--workspace",
    "-w",
    "--cwd",
    "--dir",
];

/// Subcommands of npm, pnpm, yarn and bun that are not package.json scripts.
const NODE_BUILTINS: &[&str] = &[
    "install",
    "i",
    "ci",
    "add",
    "update",
    "up",
    "upgrade",
    "remove",
    "rm",
    "uninstall",
    "link",
    "unlink",
    "import",
    "rebuild",
    "prune",
    "fetch",
    "publish",
    "pack",
    "store",
    "audit",
    "outdated",
    "list",
    "ls",
    "why",
    "env",
    "setup",
    "init",
    "create",
    "config",
    "set",
    "patch",
    "deploy",
    "licenses",
    "bin",
    "root",
    "doctor",
    "cache",
    "dlx",
    "exec",
    "x",
    "node",
    "version",
    "info",
    "view",
    "login",
    "logout",
    "whoami",
    "plugin",
    "constraints",
    "npm",
    "global",
    "check",
    "explain",
    "help",
    "run",
    "run-script",
    "test",
    "t",
    "tst",
    "workspace",
    "workspaces",
    "recursive",
    "multi",
    "-r",
    "start",
    "restart",
    "stop",
    "build",
];

/// `npm test`, `pnpm -r test`, `yarn workspaces run test`, `npm run test:unit`, `bun test`.
fn node_direct(words: &[String], i: usize) -> Option<Ecosystem> {
    let pos = positionals(words, i, NODE_FLAGS_WITH_VALUE);
    let script = node_script_name(&pos)?;
    (matches!(
        script,
        "test" | "t" | "tst" | "it" | "cit" | "install-test" | "clean-install-test"
    ) || is_test_name(script))
    .then_some(Ecosystem::Node)
}

/// The script a package-manager command runs (`run X`, `workspace W X`, `yarn X`), or its
/// built-in `test`.
fn node_script_name<'w>(pos: &[&'w str]) -> Option<&'w str> {
    let mut pos = pos;
    loop {
        match pos.first()? {
            &("run" | "run-script" | "rum" | "urn") => return pos.get(1).copied(),
            &("recursive" | "multi") => pos = &pos[1..],
            &"workspace" => pos = pos.get(2..)?,
            &"workspaces" => {
                let rest = pos.get(1..)?;
                let at = rest.iter().position(|p| *p == "run")?;
                return rest.get(at + 1).copied();
            }
            &("exec" | "x" | "dlx") => return None,
            first => return Some(first),
        }
    }
}

/// A package-manager command that runs a script whose name does not say `test`: followed into
/// package.json.
fn node_script(words: &[String]) -> Option<Command> {
    let first = base(&words[0]);
    if !matches!(first, "npm" | "pnpm" | "yarn" | "bun" | "cnpm") {
        return None;
    }
    let mut dir = None;
    let mut it = words[1..].iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            "--prefix" | "-C" | "--cwd" | "--dir" => dir = it.next().cloned(),
            s => {
                if let Some(v) = s
                    .strip_prefix("--prefix=")
                    .or_else(|| s.strip_prefix("--cwd="))
                {
                    dir = Some(v.to_string());
                }
            }
        }
    }
    let pos = positionals(words, 0, NODE_FLAGS_WITH_VALUE);
    let explicit_run = matches!(pos.first(), Some(&("run" | "run-script")));
    let script = node_script_name(&pos)?;
    if !explicit_run && NODE_BUILTINS.contains(&script) {
        return None;
    }
    Some(Command::NodeScript {
        dir,
        script: script.to_string(),
    })
}

/// `nx test app`, `nx run app:test`, `nx affected -t test`, `nx run-many --target=test,lint`.
fn nx_runs_tests(words: &[String], i: usize) -> bool {
    let rest = &words[i + 1..];
    let mut targets: Vec<&str> = Vec::new();
    let mut it = rest.iter().peekable();
    let mut first_positional = None;
    while let Some(w) = it.next() {
        match w.as_str() {
            "-t" | "--target" | "--targets" => {
                if let Some(v) = it.next() {
                    targets.extend(v.split(','));
                }
            }
            s if s.starts_with("--target=") || s.starts_with("--targets=") => {
                if let Some((_, v)) = s.split_once('=') {
                    targets.extend(v.split(','));
                }
            }
            s if !s.starts_with('-') && first_positional.is_none() => first_positional = Some(s),
            _ => {}
        }
    }
    match first_positional {
        Some("run") => rest
            .iter()
            .find(|w| w.contains(':'))
            .and_then(|w| w.rsplit(':').next())
            .is_some_and(is_test_name),
        Some("affected" | "run-many") | None => targets.iter().any(|t| is_test_name(t)),
        Some(target) => is_test_name(target),
    }
}

/// Maven phases that run the unit tests (unless skipped).
fn maven_runs_tests(words: &[String], i: usize) -> bool {
    let rest = &words[i + 1..];
    let skipped = rest.iter().any(|w| {
        matches!(
            w.as_str(),
            "-DskipTests" | "-DskipTests=true" | "-Dmaven.test.skip" | "-Dmaven.test.skip=true"
        )
    });
    !skipped
        && positionals(
            words,
            i,
            &[
                "-f",
                "--file",
                "-pl",
                "--projects",
                "-s",
                "--settings",
                "-P",
                "-T",
                "-rf",
            ],
        )
        .iter()
        .any(|p| {
            matches!(
                *p,
                "test" | "verify" | "package" | "install" | "deploy" | "integration-test"
            ) || p.ends_with(":test")
                || p.ends_with(":integration-test")
        })
}

/// Gradle tasks that run tests (`test`, `check`, `build`, `:app:test`, `testDebugUnitTest`,
/// `integrationTest`), unless `-x test` excludes them from `build`/`check`.
fn gradle_runs_tests(words: &[String], i: usize) -> bool {
    let rest = &words[i + 1..];
    let mut excluded = Vec::new();
    let mut tasks = Vec::new();
    let mut it = rest.iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            "-x" | "--exclude-task" => {
                if let Some(t) = it.next() {
                    excluded.push(t.rsplit(':').next().unwrap_or(t).to_string());
                }
            }
            "-p" | "--project-dir" | "-b" | "--build-file" | "-c" | "--settings-file"
            | "--init-script" | "-I" => {
                it.next();
            }
            s if s.starts_with("--exclude-task=") => {
                excluded.push(s.trim_start_matches("--exclude-task=").to_string());
            }
            s if !s.starts_with('-') => tasks.push(s.rsplit(':').next().unwrap_or(s)),
            _ => {}
        }
    }
    let tests_excluded = excluded.iter().any(|t| t == "test" || t == "check");
    tasks.iter().any(|t| {
        let aggregate = matches!(*t, "check" | "build");
        let direct = *t == "test"
            || (t.starts_with("test")
                && !t.starts_with("testClasses")
                && !t.starts_with("testFixtures"))
            || t.ends_with("Test")
            || t.ends_with("Tests")
            || *t == "connectedCheck";
        direct || (aggregate && !tests_excluded)
    })
}

/// Commands that run tests without saying for which ecosystem, or that lead into a Makefile or
/// a script: only where the command starts.
fn generic(words: &[String]) -> Option<Command> {
    let first = base(&words[0]);
    match first {
        "make" | "gmake" => {
            let mut dir = String::new();
            let mut file = None;
            let mut targets = Vec::new();
            let mut it = words[1..].iter();
            while let Some(w) = it.next() {
                match w.as_str() {
                    "-C" | "--directory" => dir = it.next().cloned().unwrap_or_default(),
                    "-f" | "--file" | "--makefile" => file = it.next().cloned(),
                    "-j" | "--jobs" | "-l" | "-o" | "-W" => {
                        it.next();
                    }
                    s if s.starts_with("--directory=") => {
                        dir = s.trim_start_matches("--directory=").to_string()
                    }
                    s if s.starts_with("--file=") => {
                        file = Some(s.trim_start_matches("--file=").to_string())
                    }
                    s if s.starts_with('-') || s.contains('=') => {}
                    s => targets.push(s.to_string()),
                }
            }
            (!targets.is_empty()).then_some(Command::Runner {
                kind: RunnerKind::Make,
                dir,
                file,
                targets,
            })
        }
        "just" | "task" => {
            let kind = if first == "just" {
                RunnerKind::Just
            } else {
                RunnerKind::Task
            };
            let mut dir = String::new();
            let mut file = None;
            let mut targets = Vec::new();
            let mut it = words[1..].iter();
            while let Some(w) = it.next() {
                match w.as_str() {
                    "-d" | "--dir" | "--working-directory" => {
                        dir = it.next().cloned().unwrap_or_default()
                    }
                    "-f" | "--justfile" | "-t" | "--taskfile" => file = it.next().cloned(),
                    "--" => break,
                    s if s.starts_with('-') || s.contains('=') => {}
                    s => targets.push(s.to_string()),
                }
            }
            // `just` passes the words after a recipe to it as arguments: only the first counts.
            if kind == RunnerKind::Just {
                targets.truncate(1);
            }
            (!targets.is_empty()).then_some(Command::Runner {
                kind,
                dir,
                file,
                targets,
            })
        }
        "mage" => positionals(words, 0, &[])
            .first()
            .filter(|t| is_test_name(t))
            .map(|_| Command::Tests(Ecosystem::Any)),
        "docker" | "docker-compose" | "podman" | "podman-compose" => {
            container_tests(words).then_some(Command::Tests(Ecosystem::Any))
        }
        "bazel" | "bazelisk" | "pants" | "buck2" => (positionals(words, 0, &[]).first()
            == Some(&"test"))
        .then_some(Command::Tests(Ecosystem::Any)),
        "earthly" => words[1..]
            .iter()
            .any(|w| w.starts_with('+') && is_test_name(&w[1..]) || w.contains("+test"))
            .then_some(Command::Tests(Ecosystem::Any)),
        _ => {
            let w = words[0].as_str();
            let looks_like_path = (w.contains('/') || w.ends_with(".sh") || w.ends_with(".bash"))
                && !w.contains("://")
                && !w.starts_with('-')
                && !w.starts_with('$');
            looks_like_path.then(|| Command::ScriptFile(w.to_string()))
        }
    }
}

/// Tests run in containers: `docker build --target test`, `docker compose run tests`,
/// `docker compose -f docker-compose.test.yml up --exit-code-from app`.
fn container_tests(words: &[String]) -> bool {
    let compose = words[0].ends_with("compose") || words.iter().any(|w| w == "compose");
    let mut it = words[1..].iter().peekable();
    let mut sub: Option<&str> = None;
    let mut after_sub = false;
    while let Some(w) = it.next() {
        let w = w.as_str();
        let value = |flag: &str| w.strip_prefix(flag).and_then(|v| v.strip_prefix('='));
        let takes_value = matches!(w, "--target" | "-f" | "--file");
        match w {
            _ if takes_value && it.next().is_some_and(|v| is_test_name(v)) => return true,
            _ if takes_value => {}
            _ if value("--target")
                .or_else(|| value("--file"))
                .is_some_and(is_test_name) =>
            {
                return true;
            }
            "compose" if sub.is_none() => {}
            "run" | "up" if sub.is_none() && compose => {
                sub = Some(w);
                after_sub = true;
            }
            "-e"
            | "--env"
            | "-w"
            | "--workdir"
            | "-u"
            | "--user"
            | "-v"
            | "--volume"
            | "--name"
            | "--entrypoint"
            | "-p"
            | "--publish"
            | "--exit-code-from"
            | "--abort-on-container-exit"
            | "-p=" => {
                if w == "--exit-code-from" && it.peek().is_some_and(|v| is_test_name(v)) {
                    return true;
                }
                if w != "--abort-on-container-exit" {
                    it.next();
                }
            }
            s if s.starts_with('-') => {}
            s if after_sub => return is_test_name(s),
            _ => {}
        }
    }
    false
}

/// The commands of a justfile recipe (and of the recipes it depends on), with their lines.
fn just_recipe(
    text: &str,
    target: &str,
    depth: usize,
    seen: &mut BTreeSet<String>,
) -> Vec<(usize, String)> {
    // Each target once: prerequisites can fan out (and loop) in hostile files.
    if depth > 3 || !seen.insert(target.to_string()) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with([' ', '\t', '#']) {
            continue;
        }
        let Some((head, deps)) = line.split_once(':') else {
            continue;
        };
        if deps.starts_with('=') {
            continue;
        }
        let name = head
            .trim_start_matches('@')
            .split_whitespace()
            .next()
            .unwrap_or("");
        if name != target {
            continue;
        }
        for dep in deps.split_whitespace() {
            let dep = dep.trim_start_matches('(');
            if dep != target && !dep.contains(['"', '\'', '(', ')']) {
                out.extend(just_recipe(text, dep, depth + 1, seen));
            }
        }
        let mut j = i + 1;
        while j < lines.len() && (lines[j].starts_with([' ', '\t']) || lines[j].trim().is_empty()) {
            let body = lines[j].trim().trim_start_matches(['@', '-']);
            if !body.is_empty() && !body.starts_with('#') {
                out.push((j + 1, body.to_string()));
            }
            j += 1;
        }
        break;
    }
    out
}

/// The commands of a go-task task (`cmds`, and the tasks in `deps` and `task:` entries).
fn task_recipe(
    text: &str,
    target: &str,
    depth: usize,
    seen: &mut BTreeSet<String>,
) -> Vec<(usize, String)> {
    let Ok(docs) = golive_core::parse::yaml::parse(text) else {
        return Vec::new();
    };
    let Some(tasks) = docs
        .first()
        .and_then(|d| d.root())
        .and_then(|r| r.get("tasks"))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    task_commands(tasks, target, depth, seen, &mut out);
    out
}

fn task_commands(
    tasks: Node<'_>,
    target: &str,
    depth: usize,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<(usize, String)>,
) {
    // Each task once: dependencies can fan out (and loop) in hostile files.
    if depth > 3 || !seen.insert(target.to_string()) {
        return;
    }
    let Some(task) = tasks.get(target) else {
        return;
    };
    if task.as_text().is_some() {
        task_entry(tasks, task, depth, seen, out);
        return;
    }
    for dep in task.get("deps").into_iter().flat_map(|d| d.items()) {
        match dep.as_text() {
            Some(name) => task_commands(tasks, name, depth + 1, seen, out),
            None => task_entry(tasks, dep, depth, seen, out),
        }
    }
    let cmds = if task.is_seq() {
        Some(task)
    } else {
        task.get("cmds")
    };
    for item in cmds.into_iter().flat_map(|c| c.items()) {
        task_entry(tasks, item, depth, seen, out);
    }
}

/// One entry of `cmds` or `deps`: a command (`go test`, `{cmd: ...}`) or a task (`{task: x}`).
fn task_entry(
    tasks: Node<'_>,
    item: Node<'_>,
    depth: usize,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<(usize, String)>,
) {
    if let Some(cmd) = item.as_text().or_else(|| item.get_str("cmd")) {
        out.push((item.line() as usize, cmd.to_string()));
    } else if let Some(sub) = item.get_str("task") {
        task_commands(tasks, sub, depth + 1, seen, out);
    }
}

/// Whether a target, task or script name says it runs tests (`test`, `tests`, `test:unit`,
/// `unit-test`, `e2e`, `spec`).
pub(crate) fn is_test_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.split([':', '-', '_', '.', '/', '+']).any(|part| {
        part.starts_with("test")
            || matches!(
                part,
                "spec"
                    | "specs"
                    | "e2e"
                    | "unit"
                    | "integration"
                    | "unittest"
                    | "unittests"
                    | "e2etest"
                    | "e2etests"
                    | "smoketest"
                    | "smoketests"
                    | "itest"
                    | "itests"
                    | "inttest"
            )
    })
}

/// The recipe lines of a make target (and of its prerequisites, a few levels deep), each with
/// its 1-based line in the Makefile.
fn make_recipe(
    text: &str,
    target: &str,
    depth: usize,
    seen: &mut BTreeSet<String>,
) -> Vec<(usize, String)> {
    // Each target once: prerequisites can fan out (and loop) in hostile files.
    if depth > 3 || !seen.insert(target.to_string()) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with('\t') || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((names, rest)) = line.split_once(':') else {
            continue;
        };
        if rest.starts_with('=') || names.trim_start().starts_with('.') {
            continue;
        }
        if !names.split_whitespace().any(|n| n == target) {
            continue;
        }
        let (prereqs, inline) = match rest.split_once(';') {
            Some((p, r)) => (p, Some(r)),
            None => (rest, None),
        };
        for prereq in prereqs.split_whitespace() {
            if prereq != target && !prereq.starts_with('$') {
                out.extend(make_recipe(text, prereq, depth + 1, seen));
            }
        }
        if let Some(r) = inline {
            out.push((i + 1, r.trim().to_string()));
        }
        let mut j = i + 1;
        while j < lines.len() && (lines[j].starts_with('\t') || lines[j].trim().is_empty()) {
            let body = lines[j]
                .trim()
                .trim_start_matches(['@', '-', '+'])
                .to_string();
            if !body.is_empty() {
                out.push((j + 1, body));
            }
            j += 1;
        }
        break;
    }
    out
}

/// `./a/../b/` → `b`; `.` → ``.
fn normalise_dir(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn join(dir: &str, path: &str) -> String {
    if path.starts_with('/') || dir.is_empty() {
        normalise_dir(path)
    } else {
        normalise_dir(&format!("{dir}/{path}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ecosystems(ws: &Workspace, script: &str) -> Vec<Ecosystem> {
        Recogniser::new(ws)
            .scan(script, "")
            .into_iter()
            .map(|r| r.ecosystem)
            .collect()
    }

    fn empty() -> Workspace {
        Workspace::from_files(vec![])
    }

    #[test]
    fn recognises_direct_test_commands() {
        let ws = empty();
        let cases: &[(&str, Ecosystem)] = &[
            ("cargo test --workspace --all-features", Ecosystem::Rust),
            ("cargo +nightly nextest run", Ecosystem::Rust),
            (
                "cargo llvm-cov --lcov --output-path lcov.info",
                Ecosystem::Rust,
            ),
            ("go test -race ./...", Ecosystem::Go),
            ("gotestsum --format testname -- ./...", Ecosystem::Go),
            ("pytest -q tests/", Ecosystem::Python),
            ("python -m pytest", Ecosystem::Python),
            ("poetry run pytest --cov", Ecosystem::Python),
            ("uv run pytest", Ecosystem::Python),
            ("tox -e py312", Ecosystem::Python),
            ("python3 -m unittest discover", Ecosystem::Python),
            ("python manage.py test", Ecosystem::Python),
            ("npm test", Ecosystem::Node),
            ("npm run test:unit -- --coverage", Ecosystem::Node),
            ("yarn test --ci", Ecosystem::Node),
            ("pnpm -r test", Ecosystem::Node),
            ("pnpm --filter web run test", Ecosystem::Node),
            ("npx jest --ci", Ecosystem::Node),
            ("npx vitest run", Ecosystem::Node),
            ("bun test", Ecosystem::Node),
            ("npx nx affected -t lint,test", Ecosystem::Node),
            ("mvn -B verify", Ecosystem::Maven),
            ("./mvnw clean install", Ecosystem::Maven),
            ("./gradlew build", Ecosystem::Gradle),
            ("./gradlew :app:testDebugUnitTest", Ecosystem::Gradle),
            ("dotnet test --no-build", Ecosystem::Dotnet),
            ("bundle exec rspec", Ecosystem::Ruby),
            ("bundle exec rake test", Ecosystem::Ruby),
            ("bin/rails test", Ecosystem::Ruby),
            ("make test", Ecosystem::Any),
            ("make -C backend check", Ecosystem::Any),
            ("bazel test //...", Ecosystem::Any),
            ("just test", Ecosystem::Any),
            ("docker compose run --rm tests", Ecosystem::Any),
            ("docker build --target test .", Ecosystem::Any),
            (
                "docker compose -f docker-compose.test.yml up --abort-on-container-exit",
                Ecosystem::Any,
            ),
            ("docker compose run --rm app pytest", Ecosystem::Python),
            ("sh 'mvn -B test'", Ecosystem::Maven),
            ("- run: cargo test", Ecosystem::Rust),
            ("script: go test ./...", Ecosystem::Go),
            ("sh \"cd api && go test ./...\"", Ecosystem::Go),
            ("bash -c 'make test'", Ecosystem::Any),
        ];
        for (cmd, eco) in cases {
            assert_eq!(ecosystems(&ws, cmd), vec![*eco], "{cmd}");
        }
    }

    #[test]
    fn ignores_commands_that_do_not_run_tests() {
        let ws = empty();
        for cmd in [
            "cargo build --release",
            "cargo install cargo-nextest",
            "go install gotest.tools/gotestsum@latest",
            "pip install pytest tox",
            "uv pip install pytest",
            "npm ci",
            "npm i -D jest",
            "npm run build",
            "pnpm --filter test-utils build",
            "yarn add -D vitest",
            "mvn -B package -DskipTests",
            "./gradlew build -x test",
            "./gradlew assemble",
            "echo \"now run pytest\"",
            "tox -e lint,type",
            "# cargo test",
            "make build",
            "dotnet build",
            "docker build -t app:test .",
            "docker compose up -d db",
            "docker run --rm app:latest",
            "just build",
            "docker run --rm app:test",
            "make latest",
            "ginkgo bootstrap",
            "echo \"tests run nightly (go test ./...)\"",
        ] {
            assert!(ecosystems(&ws, cmd).is_empty(), "{cmd}");
        }
    }

    #[test]
    fn follows_justfiles_and_taskfiles() {
        let ws = Workspace::from_files(vec![
            (
                "justfile".into(),
                "set shell := [\"bash\", \"-c\"]\n\nci: lint test\n\nlint:\n    cargo clippy\n\n@test *args:\n    cargo nextest run {{args}}\n".into(),
            ),
            (
                "Taskfile.yml".into(),
                "version: '3'\ntasks:\n  ci:\n    deps: [lint]\n    cmds:\n      - task: unit\n  lint: golangci-lint run\n  unit:\n    cmds:\n      - cmd: go test ./...\n".into(),
            ),
        ]);
        let r = Recogniser::new(&ws);
        let just = r.scan("just ci", "");
        assert_eq!(just.len(), 1);
        assert_eq!(just[0].ecosystem, Ecosystem::Rust);
        assert_eq!(
            just[0].via.as_deref(),
            Some("justfile:9 `cargo nextest run {{args}}`")
        );
        let task = r.scan("task ci", "");
        assert_eq!(task.len(), 1);
        assert_eq!(task[0].ecosystem, Ecosystem::Go);
        assert_eq!(
            task[0].via.as_deref(),
            Some("Taskfile.yml:10 `go test ./...`")
        );
        assert!(r.scan("just lint", "").is_empty());
    }

    #[test]
    fn hostile_indirections_stay_bounded() {
        let mut script = String::new();
        for _ in 0..2_000 {
            script.push_str("./scripts/ci.sh\n");
        }
        let mut makefile = String::from("a:");
        for i in 0..500 {
            makefile.push_str(&format!(" b{i}"));
        }
        makefile.push('\n');
        for i in 0..500 {
            makefile.push_str(&format!("b{i}: a b{}\n\tmake a\n", (i + 1) % 500));
        }
        let ws = Workspace::from_files(vec![
            ("scripts/ci.sh".into(), script),
            ("Makefile".into(), makefile),
        ]);
        let r = Recogniser::new(&ws);
        assert!(r.scan("./scripts/ci.sh", "").is_empty());
        assert!(Recogniser::new(&ws).scan("make a", "").is_empty());
    }

    #[test]
    fn joins_continuations_and_reports_the_first_line() {
        let ws = empty();
        let runs = Recogniser::new(&ws).scan(
            "set -e\ncargo build\ncargo test \\\n  --all # everything\n",
            "",
        );
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].line, 2);
        assert_eq!(runs[0].command, "cargo test --all");
    }

    #[test]
    fn follows_makefiles_package_scripts_and_script_files() {
        let ws = Workspace::from_files(vec![
            (
                "Makefile".into(),
                "GO ?= go\n.PHONY: ci\nci: lint unit\n\nlint:\n\tgolangci-lint run\nunit:\n\t@$(GO) test -race ./...\n".into(),
            ),
            (
                "web/package.json".into(),
                "{\"scripts\": {\"ci\": \"vitest run --coverage\", \"build\": \"vite build\"}}".into(),
            ),
            ("scripts/test.sh".into(), "#!/bin/sh\nset -eu\npytest -q\n".into()),
        ]);
        let r = Recogniser::new(&ws);
        let make = r.scan("make ci", "");
        assert_eq!(make.len(), 1);
        assert_eq!(make[0].ecosystem, Ecosystem::Go);
        assert_eq!(
            make[0].via.as_deref(),
            Some("Makefile:8 `$(GO) test -race ./...`")
        );
        let npm = r.scan("npm run ci", "web");
        assert_eq!(npm.len(), 1);
        assert_eq!(npm[0].ecosystem, Ecosystem::Node);
        assert!(r.scan("npm run build", "web").is_empty());
        let script = r.scan("./scripts/test.sh", "");
        assert_eq!(script.len(), 1);
        assert_eq!(script[0].ecosystem, Ecosystem::Python);
        assert_eq!(
            script[0].via.as_deref(),
            Some("scripts/test.sh:3 `pytest -q`")
        );
    }
}
