//! The language ecosystems of a repository's own code, for checks about that code: each
//! ecosystem's manifests (Cargo.toml, go.mod, package.json, pyproject.toml, pom.xml, *.csproj,
//! Gemfile, ...), its source files, and which manifests hold code at all (a package.json that
//! only configures linters is not a Node project). Vendored, generated, example and test-fixture
//! folders are not the repository's own code and are never read here.

use golive_core::workspace::Lang;
use golive_core::{FileKind, SourceFile, Workspace};

/// A language ecosystem golive knows how to reason about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Ecosystem {
    Rust,
    Go,
    Python,
    Node,
    /// Java, Kotlin, Groovy or Scala built with Maven or Gradle.
    Jvm,
    Dotnet,
    Ruby,
}

impl Ecosystem {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Ecosystem::Rust => "Rust",
            Ecosystem::Go => "Go",
            Ecosystem::Python => "Python",
            Ecosystem::Node => "Node.js",
            Ecosystem::Jvm => "Java/Kotlin",
            Ecosystem::Dotnet => ".NET",
            Ecosystem::Ruby => "Ruby",
        }
    }

    /// The languages of its source files, for messages.
    pub(crate) fn languages(self) -> &'static str {
        match self {
            Ecosystem::Rust => "Rust",
            Ecosystem::Go => "Go",
            Ecosystem::Python => "Python",
            Ecosystem::Node => "JavaScript/TypeScript",
            Ecosystem::Jvm => "Java/Kotlin/Groovy/Scala",
            Ecosystem::Dotnet => "C#/F#/VB",
            Ecosystem::Ruby => "Ruby",
        }
    }

    /// The ecosystem a manifest file name belongs to, with its rank among that ecosystem's
    /// manifests (0 is the one a finding should point at first).
    pub(crate) fn of_manifest(name: &str) -> Option<(Ecosystem, u8)> {
        let lower = name.to_ascii_lowercase();
        Some(match name {
            "Cargo.toml" => (Ecosystem::Rust, 0),
            "go.mod" => (Ecosystem::Go, 0),
            "package.json" => (Ecosystem::Node, 0),
            "pyproject.toml" => (Ecosystem::Python, 0),
            "setup.py" => (Ecosystem::Python, 1),
            "setup.cfg" => (Ecosystem::Python, 2),
            "Pipfile" => (Ecosystem::Python, 3),
            "pom.xml" => (Ecosystem::Jvm, 0),
            "build.gradle" | "build.gradle.kts" => (Ecosystem::Jvm, 1),
            "settings.gradle" | "settings.gradle.kts" => (Ecosystem::Jvm, 2),
            "Gemfile" => (Ecosystem::Ruby, 0),
            _ if lower.starts_with("requirements") && lower.ends_with(".txt") => {
                (Ecosystem::Python, 4)
            }
            _ if lower.ends_with(".sln") => (Ecosystem::Dotnet, 0),
            _ if lower.ends_with(".csproj")
                || lower.ends_with(".fsproj")
                || lower.ends_with(".vbproj") =>
            {
                (Ecosystem::Dotnet, 1)
            }
            _ if lower.ends_with(".gemspec") => (Ecosystem::Ruby, 1),
            _ => return None,
        })
    }

    /// The ecosystem whose language a source file is written in (build scripts such as
    /// `build.rs`, `setup.py` or `*.gradle.kts` are not source).
    pub(crate) fn of_source(file: &SourceFile) -> Option<Ecosystem> {
        let name = file.name();
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        match file.kind {
            FileKind::Source(Lang::Rust) if name != "build.rs" => Some(Ecosystem::Rust),
            FileKind::Source(Lang::Go) => Some(Ecosystem::Go),
            FileKind::Source(Lang::Python)
                if !matches!(
                    name,
                    "setup.py" | "conftest.py" | "noxfile.py" | "fabfile.py"
                ) =>
            {
                Some(Ecosystem::Python)
            }
            FileKind::Source(Lang::JavaScript | Lang::TypeScript) if !is_js_tooling(&lower) => {
                Some(Ecosystem::Node)
            }
            FileKind::Source(Lang::Java) => Some(Ecosystem::Jvm),
            FileKind::Source(Lang::Kotlin) if ext == "kt" => Some(Ecosystem::Jvm),
            FileKind::Source(Lang::CSharp) => Some(Ecosystem::Dotnet),
            FileKind::Source(Lang::Ruby) => Some(Ecosystem::Ruby),
            _ => match ext {
                "groovy" | "scala" => Some(Ecosystem::Jvm),
                "fs" | "vb" => Some(Ecosystem::Dotnet),
                _ => None,
            },
        }
    }
}

/// JavaScript/TypeScript files that configure tools rather than implement anything:
/// `vite.config.ts`, `.eslintrc.js`, `gulpfile.js`, type declarations, minified bundles.
fn is_js_tooling(lower_name: &str) -> bool {
    let stem = lower_name.split('.').next().unwrap_or("");
    lower_name.starts_with('.')
        || lower_name.contains(".config.")
        || lower_name.contains(".conf.")
        || lower_name.ends_with(".d.ts")
        || lower_name.contains(".min.")
        || matches!(
            stem,
            "gulpfile"
                | "gruntfile"
                | "jakefile"
                | "webpack"
                | "rollup"
                | "babel"
                | "commitlint"
                | "prettier"
                | "postcss"
                | "tailwind"
                | "eslint"
                | "stylelint"
                | "lint-staged"
                | "jest"
                | "vitest"
                | "karma"
                | "nodemon"
                | "dangerfile"
        )
}

/// Folders whose code supports the repository rather than being its product: documentation
/// sites, helper scripts, build logic and CI configuration.
const TOOLING_DIRS: &[&str] = &[
    "docs",
    "doc",
    "documentation",
    "website",
    "scripts",
    "script",
    "tools",
    "hack",
    "buildsrc",
    "gradle",
    ".github",
    ".gitlab",
    ".circleci",
    ".husky",
    ".devcontainer",
    ".storybook",
];

fn dirs(path: &str) -> impl Iterator<Item = &str> {
    let mut parts = path.split('/');
    parts.next_back();
    parts
}

/// Whether a path is inside a vendored, generated, example or test-fixture folder.
pub(crate) fn is_vendored(path: &str) -> bool {
    crate::foreign::is_not_ours(path)
}

/// Whether a path is inside a documentation, scripts or build-logic folder.
pub(crate) fn is_tooling(path: &str) -> bool {
    dirs(path).any(|d| TOOLING_DIRS.contains(&d.to_ascii_lowercase().as_str()))
}

/// One ecosystem of the repository: its manifests and its source files.
pub(crate) struct Project<'a> {
    pub ecosystem: Ecosystem,
    /// The shallowest manifest (the first of `manifests`).
    shallowest: &'a SourceFile,
    /// Every manifest of the ecosystem in the repository's own code, shallowest first.
    pub manifests: Vec<&'a SourceFile>,
    /// Source files in the ecosystem's languages, outside tooling folders and tool
    /// configuration; empty when the manifests only configure tools.
    pub sources: Vec<&'a SourceFile>,
    /// Manifests that are the nearest manifest above at least one source file.
    pub with_code: Vec<&'a SourceFile>,
}

impl<'a> Project<'a> {
    /// The manifest a finding about the ecosystem points at: the one that holds the code when
    /// only one does; otherwise the shallowest manifest when it encloses all that do (a Cargo
    /// or npm workspace root), else the shallowest that holds code.
    pub(crate) fn manifest(&self) -> &'a SourceFile {
        match self.with_code.as_slice() {
            [] => self.shallowest,
            [only] => only,
            [first, ..] => {
                let root = self.shallowest.dir();
                if self.with_code.iter().all(|m| contains(root, &m.path)) {
                    self.shallowest
                } else {
                    first
                }
            }
        }
    }

    pub(crate) fn has_code(&self) -> bool {
        !self.sources.is_empty()
    }
}

/// Every ecosystem that has a manifest in the repository's own code, in [`Ecosystem`] order.
pub(crate) fn projects(ws: &Workspace) -> Vec<Project<'_>> {
    let mut manifests: Vec<(Ecosystem, u8, &SourceFile)> = ws
        .files()
        .iter()
        .filter(|f| !is_vendored(&f.path))
        .filter_map(|f| Ecosystem::of_manifest(f.name()).map(|(e, rank)| (e, rank, f)))
        .collect();
    manifests.sort_by(|a, b| {
        (a.0, depth(&a.2.path), a.1, &a.2.path).cmp(&(b.0, depth(&b.2.path), b.1, &b.2.path))
    });
    let mut projects: Vec<Project<'_>> = Vec::new();
    for (ecosystem, _, file) in manifests {
        match projects.last_mut() {
            Some(p) if p.ecosystem == ecosystem => p.manifests.push(file),
            _ => projects.push(Project {
                ecosystem,
                shallowest: file,
                manifests: vec![file],
                sources: Vec::new(),
                with_code: Vec::new(),
            }),
        }
    }
    for file in ws.files() {
        if is_vendored(&file.path) || is_tooling(&file.path) {
            continue;
        }
        let Some(ecosystem) = Ecosystem::of_source(file) else {
            continue;
        };
        let Some(project) = projects.iter_mut().find(|p| p.ecosystem == ecosystem) else {
            continue;
        };
        project.sources.push(file);
        let owner = project
            .manifests
            .iter()
            .filter(|m| contains(m.dir(), &file.path))
            .min_by_key(|m| std::cmp::Reverse(m.dir().len()))
            .copied()
            .unwrap_or(project.shallowest);
        if !project.with_code.iter().any(|m| m.path == owner.path) {
            project.with_code.push(owner);
        }
    }
    for project in &mut projects {
        let order = |m: &&SourceFile| project.manifests.iter().position(|x| x.path == m.path);
        let mut with_code = std::mem::take(&mut project.with_code);
        with_code.sort_by_key(order);
        project.with_code = with_code;
    }
    projects
}

fn depth(path: &str) -> usize {
    path.matches('/').count()
}

/// Whether `path` is inside the folder `dir` ("" is the root).
fn contains(dir: &str, path: &str) -> bool {
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    #[test]
    fn manifests_sources_and_owners() {
        let ws = ws(&[
            ("package.json", "{\"devDependencies\": {\"husky\": \"9\"}}"),
            (".eslintrc.js", "module.exports = {}"),
            ("web/package.json", "{}"),
            ("web/src/app.tsx", "export {}"),
            ("web/vite.config.ts", "export default {}"),
            ("go.mod", "module x\n"),
            ("cmd/api/main.go", "package main\n"),
            ("vendor/github.com/x/y.go", "package y\n"),
            ("examples/demo/Cargo.toml", "[package]\n"),
            ("docs/requirements.txt", "mkdocs\n"),
            ("docs/conf.py", "project = 'x'\n"),
        ]);
        let projects = projects(&ws);
        let summary: Vec<(Ecosystem, usize, usize, &str)> = projects
            .iter()
            .map(|p| {
                (
                    p.ecosystem,
                    p.manifests.len(),
                    p.sources.len(),
                    p.manifest().path.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (Ecosystem::Go, 1, 1, "go.mod"),
                (Ecosystem::Python, 1, 0, "docs/requirements.txt"),
                (Ecosystem::Node, 2, 1, "web/package.json"),
            ]
        );
        assert!(!projects[1].has_code());
    }

    #[test]
    fn vendored_and_tooling_paths() {
        assert!(is_vendored("node_modules/x/index.js"));
        assert!(is_vendored("tests/fixtures/app/package.json"));
        assert!(!is_vendored("src/vendor.rs"));
        assert!(is_tooling("scripts/release.js"));
        assert!(is_tooling("buildSrc/src/main/kotlin/Conventions.kt"));
        assert!(!is_tooling("src/tools.go"));
    }
}
