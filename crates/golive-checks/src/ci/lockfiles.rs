use crate::ci::manifests::{self, PackageJson};
use crate::ci::test_commands::Ecosystem;
use crate::ci::{github, pipelines};
use golive_core::{
    Context, Evidence, FileKind, Finding, Location, Outcome, Severity, SourceFile, Workspace,
    declare_check,
};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// A lockfile is committed for every manifest of an ecosystem that has one.
    ///
    /// - Cargo: `Cargo.lock` at the root of each workspace (or standalone crate) that builds a
    ///   binary (`[[bin]]`, `src/main.rs` or `src/bin/`). A library-only crate is exempt:
    ///   its users' lockfiles decide its dependencies (noted in the evidence).
    /// - npm, yarn, pnpm, bun: `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`,
    ///   `pnpm-lock.yaml`, `bun.lock` or `bun.lockb` next to each package.json that declares
    ///   dependencies; in a workspace (`workspaces` in package.json, `pnpm-workspace.yaml`) the
    ///   lockfile at the workspace root covers the members. The lockfile named in the finding
    ///   follows `packageManager` when it is set. A package.json with only `devDependencies`
    ///   (tooling such as a formatter) is a warning rather than an error: its packages run in
    ///   CI but are not shipped.
    /// - Go: `go.sum` next to each go.mod that requires modules.
    /// - Python: `poetry.lock` for a pyproject.toml with `[tool.poetry]`, `uv.lock` for one with
    ///   `[tool.uv]` or a `[project]` built with uv (`uv sync`, `uv run` or `uv lock` in CI, a
    ///   Dockerfile or a Makefile); `Pipfile.lock` for a Pipfile.
    /// - Ruby: `Gemfile.lock` for a Gemfile (`gems.locked` for gems.rb); a gem's own Gemfile
    ///   (one that loads its `gemspec`) is exempt, like a library crate.
    /// - Not checked: .NET (`packages.lock.json` is optional), Maven and Gradle (no standard
    ///   lockfile), Terraform (`.terraform.lock.hcl` is terraform/version-pins' job).
    ///
    /// Manifests under vendored, example or test-data folders (`vendor/`, `third_party/`,
    /// `testdata/`, `fixtures/`, `examples/`) and templated paths are not checked. The finding
    /// is at the manifest (line 1), naming the missing lockfile. A lockfile that is
    /// `.gitignore`d is not committed and counts as missing. When files were skipped as too
    /// large (or as binary, for `bun.lockb`), a missing lockfile may be one of them: the check
    /// says so in its evidence instead of reporting it.
    ///
    /// ## Why it matters
    /// Without a lockfile every install resolves version ranges afresh: the build that passed
    /// review is not the build that ships, a compromised or broken release of a transitive
    /// dependency reaches production without a code change, and a rollback to an old commit
    /// does not bring back the old dependencies. (Production Ready Checklist, Continuous
    /// Integration: "Use dependency management"; From Code to Production: "Securing and
    /// managing dependencies".)
    ///
    /// ## How to fix
    /// Generate the lockfile with the project's package manager, commit it, and install from it
    /// in CI:
    /// ```sh
    /// cargo generate-lockfile && git add Cargo.lock      # then: cargo build --locked
    /// npm install && git add package-lock.json          # then: npm ci
    /// go mod tidy && git add go.sum
    /// poetry lock && git add poetry.lock                # or: uv lock && git add uv.lock
    /// ```
    pub struct Lockfiles {
        id: "ci/lockfiles",
        title: "Lockfiles are committed",
        category: Ci,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Continuous Integration: use dependency management",
            "001: From Code to Production: securing and managing dependencies during the build",
        ],
        fix: "generate the lockfile with the package manager and commit it (and install from it in CI)",
    }
}

const NODE_LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
];

const PYTHON_LOCKFILES: &[&str] = &["poetry.lock", "uv.lock", "pdm.lock", "pylock.toml"];

/// `uv sync`, `uv run`, `uv lock`: uv manages the project (and writes uv.lock).
static UV_PROJECT_COMMAND: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?m)(^|[\s;&|(])uv\s+(sync|run|lock)\b").ok());

impl golive_core::Check for Lockfiles {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let mut scan = Scan {
            ws,
            findings: Vec::new(),
            locked: Vec::new(),
            exempt: Vec::new(),
            unsure: Vec::new(),
            not_ours: 0,
            bin_targets: bin_targets(ws),
        };
        scan.cargo();
        scan.node();
        scan.go();
        scan.python();
        scan.ruby();
        let mut notes = Vec::new();
        let own: BTreeSet<Ecosystem> = ws
            .files()
            .iter()
            .filter(|f| !crate::ci::is_not_ours(&f.path))
            .filter_map(|f| Ecosystem::of_manifest(f.name()))
            .collect();
        if own.contains(&Ecosystem::Dotnet) {
            notes.push(".NET: packages.lock.json is optional, not checked".to_string());
        }
        if own.contains(&Ecosystem::Maven) || own.contains(&Ecosystem::Gradle) {
            notes.push("Maven and Gradle have no standard lockfile, not checked".to_string());
        }
        if scan.not_ours > 0 {
            notes.push(format!(
                "{} manifest(s) under vendored, example or test-data folders not checked",
                scan.not_ours
            ));
        }
        if scan.findings.is_empty() && scan.locked.is_empty() && scan.unsure.is_empty() {
            let mut why: Vec<String> = scan.exempt;
            why.extend(notes);
            return Outcome::not_applicable(if why.is_empty() {
                "no manifest of an ecosystem with a standard lockfile (Cargo, npm/yarn/pnpm/bun, Go modules, Poetry, uv, Pipenv, Bundler)".to_string()
            } else {
                format!("no manifest here needs a lockfile: {}", why.join("; "))
            });
        }
        let mut evidence = scan.locked;
        evidence.extend(scan.unsure);
        evidence.extend(scan.exempt.into_iter().map(Evidence::note));
        evidence.extend(notes.into_iter().map(Evidence::note));
        Outcome::from_findings(scan.findings, evidence)
    }
}

struct Scan<'a> {
    ws: &'a Workspace,
    findings: Vec<Finding>,
    /// Lockfiles found, as evidence.
    locked: Vec<Evidence>,
    /// Manifests that need no lockfile, and why.
    exempt: Vec<String>,
    /// Missing lockfiles that may be among the skipped files.
    unsure: Vec<Evidence>,
    not_ours: usize,
    /// Package directories with a binary under `src/bin/`, and one such file (found in one
    /// pass over the files, not one per package).
    bin_targets: Vec<(String, String)>,
}

impl<'a> Scan<'a> {
    /// The repository's own manifests called `name` (vendored and example ones counted apart).
    fn manifests(&mut self, name: &str) -> Vec<&'a SourceFile> {
        let mut out = Vec::new();
        for f in self.ws.files().iter().filter(|f| f.name() == name) {
            if crate::ci::is_not_ours(&f.path) {
                self.not_ours += 1;
            } else {
                out.push(f);
            }
        }
        out
    }

    fn exists(&self, dir: &str, name: &str) -> bool {
        self.ws.file(&join(dir, name)).is_some()
    }

    fn lock_in(&self, dir: &str, names: &[&str]) -> Option<String> {
        names
            .iter()
            .map(|n| join(dir, n))
            .find(|p| self.ws.file(p).is_some())
    }

    fn found(&mut self, lock: &str, manifest: &SourceFile) {
        self.locked
            .push(Evidence::file(lock, format!("locks {}", manifest.path)));
    }

    /// A missing lockfile: a finding, unless it may be one of the files the scan skipped.
    fn missing(&mut self, manifest: &SourceFile, message: String, may_be_binary: bool) {
        self.missing_with(manifest, message, may_be_binary, None);
    }

    fn missing_with(
        &mut self,
        manifest: &SourceFile,
        message: String,
        may_be_binary: bool,
        severity: Option<Severity>,
    ) {
        let skipped = self.ws.skipped();
        let could_be_skipped = skipped.too_large > 0 || (may_be_binary && skipped.binary > 0);
        if could_be_skipped {
            self.unsure.push(Evidence::file(
                manifest.path.as_str(),
                format!(
                    "{message}, or it is among the {} file(s) golive skipped (too large or binary): not reported",
                    skipped.too_large + if may_be_binary { skipped.binary } else { 0 }
                ),
            ));
        } else {
            let finding = Finding::at(Location::file(manifest.path.as_str()), message);
            self.findings.push(match severity {
                Some(s) => finding.with_severity(s),
                None => finding,
            });
        }
    }

    fn cargo(&mut self) {
        let manifests = self.manifests("Cargo.toml");
        let workspace_dirs: Vec<&str> = manifests
            .iter()
            .filter(|m| manifests::toml_has_table(&m.text, "workspace"))
            .map(|m| m.dir())
            .collect();
        for root in &manifests {
            let dir = root.dir();
            let is_workspace = workspace_dirs.contains(&dir);
            let in_workspace = workspace_dirs.iter().any(|w| *w != dir && is_under(dir, w));
            if in_workspace && !is_workspace {
                continue;
            }
            let members: Vec<&SourceFile> = manifests
                .iter()
                .copied()
                .filter(|m| m.dir() == dir || (is_workspace && is_under(m.dir(), dir)))
                .filter(|m| manifests::toml_has_table(&m.text, "package"))
                .collect();
            if members.is_empty() {
                continue;
            }
            let binary = members.iter().find_map(|m| self.cargo_binary(m));
            let lock = join(dir, "Cargo.lock");
            if self.ws.file(&lock).is_some() {
                self.found(&lock, root);
                continue;
            }
            match binary {
                Some(why) => self.missing(
                    root,
                    format!(
                        "`Cargo.lock` is not committed next to this Cargo.toml, which builds a binary ({why}): every build resolves dependency versions afresh"
                    ),
                    false,
                ),
                None => self.exempt.push(format!(
                    "{}: library-only {}, Cargo.lock is optional",
                    root.path,
                    if is_workspace { "workspace" } else { "crate" }
                )),
            }
        }
    }

    /// Why a Cargo package builds a binary, if it does.
    fn cargo_binary(&self, package: &SourceFile) -> Option<String> {
        let dir = package.dir();
        if manifests::toml_has_table(&package.text, "[bin]") {
            return Some(format!("`[[bin]]` in {}", package.path));
        }
        let main = join(dir, "src/main.rs");
        if self.ws.file(&main).is_some() {
            return Some(main);
        }
        self.bin_targets
            .iter()
            .find(|(d, _)| d == dir)
            .map(|(_, path)| path.clone())
    }

    fn node(&mut self) {
        let manifests = self.manifests("package.json");
        let parsed: Vec<(&SourceFile, PackageJson)> = manifests
            .iter()
            .filter_map(|m| manifests::package_json(m).map(|p| (*m, p)))
            .collect();
        let unreadable = manifests.len() - parsed.len();
        if unreadable > 0 {
            self.exempt.push(format!(
                "{unreadable} package.json file(s) could not be read as JSON, not checked"
            ));
        }
        let mut workspace_roots: BTreeSet<String> = parsed
            .iter()
            .filter(|(_, p)| p.workspaces)
            .map(|(m, _)| m.dir().to_string())
            .collect();
        for f in self.ws.files() {
            if matches!(
                f.name(),
                "pnpm-workspace.yaml" | "pnpm-workspace.yml" | "rush.json"
            ) {
                workspace_roots.insert(f.dir().to_string());
            }
        }
        let bun_hint = self.bun_in_use();
        let mut reported_roots: BTreeSet<String> = BTreeSet::new();
        for (manifest, package) in &parsed {
            if !package.has_dependencies {
                continue;
            }
            let dir = manifest.dir();
            if let Some(lock) = self.lock_in(dir, NODE_LOCKFILES) {
                self.found(&lock, manifest);
                continue;
            }
            let root = workspace_roots
                .iter()
                .filter(|r| r.as_str() != dir && is_under(dir, r))
                .max_by_key(|r| r.len())
                .cloned();
            if let Some(root) = root {
                if let Some(lock) = self
                    .lock_in(&root, NODE_LOCKFILES)
                    .or_else(|| self.rush_lock(&root))
                {
                    self.found(&lock, manifest);
                    continue;
                }
                // The workspace root reports it once.
                if !reported_roots.insert(root.clone()) {
                    continue;
                }
                let root_manifest = parsed
                    .iter()
                    .find(|(m, _)| m.dir() == root)
                    .map(|(m, p)| (*m, p));
                if let Some((m, p)) = root_manifest {
                    if !p.has_dependencies {
                        let expected = expected_node_lockfile(p);
                        self.missing(
                            m,
                            format!(
                                "no lockfile ({expected}) at the root of this workspace, whose packages declare dependencies: every install resolves versions afresh"
                            ),
                            bun_hint,
                        );
                    }
                    continue;
                }
            }
            let expected = expected_node_lockfile(package);
            if package.has_runtime_dependencies {
                self.missing(
                    manifest,
                    format!(
                        "package.json declares dependencies but no lockfile ({expected}) is committed next to it: every install resolves versions afresh"
                    ),
                    bun_hint,
                );
            } else {
                // Only tooling: it runs in CI with its token and secrets, but is not shipped.
                self.missing_with(
                    manifest,
                    format!(
                        "package.json declares only devDependencies (tooling) but no lockfile ({expected}) is committed next to it: CI installs whatever versions are newest"
                    ),
                    bun_hint,
                    Some(Severity::Warning),
                );
            }
        }
    }

    /// Rush keeps the lockfile under common/config/rush/.
    fn rush_lock(&self, root: &str) -> Option<String> {
        self.exists(root, "rush.json")
            .then(|| self.lock_in(&join(root, "common/config/rush"), NODE_LOCKFILES))
            .flatten()
    }

    /// Whether bun may be the package manager (its bun.lockb is binary: the scan skips it).
    fn bun_in_use(&self) -> bool {
        self.ws.files().iter().any(|f| {
            f.name() == "bunfig.toml" || (f.name() == "package.json" && f.text.contains("\"bun@"))
        })
    }

    fn go(&mut self) {
        for gomod in self.manifests("go.mod") {
            if !manifests::go_mod_requires(&gomod.text) {
                continue;
            }
            let sum = join(gomod.dir(), "go.sum");
            if self.ws.file(&sum).is_some() {
                self.found(&sum, gomod);
            } else {
                self.missing(
                    gomod,
                    "go.mod requires modules but `go.sum` is not committed: builds cannot verify the checksums of the modules they download".to_string(),
                    false,
                );
            }
        }
    }

    fn python(&mut self) {
        let uv_in_use = self.uv_in_use();
        let pyprojects = self.manifests("pyproject.toml");
        let uv_workspaces: Vec<&str> = pyprojects
            .iter()
            .filter(|p| manifests::toml_has_table(&p.text, "tool.uv.workspace"))
            .map(|p| p.dir())
            .collect();
        for pyproject in &pyprojects {
            let text = &pyproject.text;
            let poetry = manifests::toml_has_table(text, "tool.poetry");
            let uv_table = manifests::toml_has_table(text, "tool.uv");
            let project = manifests::toml_has_table(text, "project");
            let (tool, expected, why) = if poetry {
                ("Poetry", "poetry.lock", "`[tool.poetry]`")
            } else if uv_table {
                ("uv", "uv.lock", "`[tool.uv]`")
            } else if project && uv_in_use {
                ("uv", "uv.lock", "`uv sync`/`uv run` in the build")
            } else {
                continue;
            };
            let dir = pyproject.dir();
            if let Some(lock) = self.lock_in(dir, PYTHON_LOCKFILES) {
                self.found(&lock, pyproject);
                continue;
            }
            if tool == "uv"
                && let Some(root) = uv_workspaces
                    .iter()
                    .find(|w| **w != dir && is_under(dir, w))
                && let Some(lock) = self.lock_in(root, &["uv.lock"])
            {
                self.found(&lock, pyproject);
                continue;
            }
            self.missing(
                pyproject,
                format!(
                    "pyproject.toml is managed by {tool} ({why}) but `{expected}` is not committed: every install resolves versions afresh"
                ),
                false,
            );
        }
        for pipfile in self.manifests("Pipfile") {
            let lock = join(pipfile.dir(), "Pipfile.lock");
            if self.ws.file(&lock).is_some() {
                self.found(&lock, pipfile);
            } else {
                self.missing(
                    pipfile,
                    "`Pipfile.lock` is not committed next to this Pipfile: every install resolves versions afresh".to_string(),
                    false,
                );
            }
        }
    }

    /// Whether the build runs uv as the project manager somewhere golive can read.
    fn uv_in_use(&self) -> bool {
        let Some(re) = UV_PROJECT_COMMAND.as_ref() else {
            return false;
        };
        self.ws.files().iter().any(|f| {
            let build_file = github::is_workflow_path(&f.path)
                || pipelines::other_system(&f.path).is_some()
                || matches!(
                    f.name(),
                    ".gitlab-ci.yml"
                        | "Makefile"
                        | "makefile"
                        | "GNUmakefile"
                        | "justfile"
                        | "Justfile"
                        | "Taskfile.yml"
                        | "noxfile.py"
                        | "tox.ini"
                )
                || f.kind == FileKind::Dockerfile;
            build_file && re.is_match(&f.text)
        })
    }

    fn ruby(&mut self) {
        for (manifest, lock_name) in [("Gemfile", "Gemfile.lock"), ("gems.rb", "gems.locked")] {
            for gemfile in self.manifests(manifest) {
                let lock = join(gemfile.dir(), lock_name);
                if self.ws.file(&lock).is_some() {
                    self.found(&lock, gemfile);
                } else if manifests::gemfile_uses_gemspec(&gemfile.text) {
                    self.exempt.push(format!(
                        "{}: a gem's Gemfile (`gemspec`), {lock_name} is optional",
                        gemfile.path
                    ));
                } else {
                    self.missing(
                        gemfile,
                        format!(
                            "`{lock_name}` is not committed next to this {manifest}: every `bundle install` resolves versions afresh"
                        ),
                        false,
                    );
                }
            }
        }
    }
}

/// Package directories with a `src/bin/*.rs` binary, each with the first such file.
fn bin_targets(ws: &Workspace) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for f in ws.files() {
        if !f.path.ends_with(".rs") {
            continue;
        }
        let dir = if let Some(rest) = f.path.strip_prefix("src/bin/") {
            (!rest.is_empty()).then_some("")
        } else {
            f.path.split_once("/src/bin/").map(|(d, _)| d)
        };
        if let Some(d) = dir
            && !out.iter().any(|(o, _)| o == d)
        {
            out.push((d.to_string(), f.path.clone()));
        }
    }
    out
}

/// The lockfile a package.json's package manager writes.
fn expected_node_lockfile(package: &PackageJson) -> &'static str {
    let manager = package
        .package_manager
        .as_deref()
        .and_then(|m| m.split('@').next())
        .unwrap_or("");
    match manager {
        "pnpm" => "`pnpm-lock.yaml`, from `packageManager`",
        "yarn" => "`yarn.lock`, from `packageManager`",
        "bun" => "`bun.lock`, from `packageManager`",
        "npm" => "`package-lock.json`, from `packageManager`",
        _ => "`package-lock.json`, `yarn.lock`, `pnpm-lock.yaml` or `bun.lock`",
    }
}

/// Whether `dir` is `ancestor` or below it ("" is the root).
fn is_under(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || dir == ancestor
        || dir
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}
