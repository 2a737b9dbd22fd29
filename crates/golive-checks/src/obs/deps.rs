//! Which dependencies a repository declares, per ecosystem, with the file and line of each:
//! `Cargo.toml`, `go.mod`, `package.json`, Python requirements / `pyproject.toml` / `Pipfile`,
//! Maven and Gradle (build files and version catalogs), .NET project files and `Gemfile`.
//!
//! Only what the service ships with is listed: dev/test sections, `// indirect` Go requirements,
//! Maven `test` scope, Gradle `test*` configurations and Bundler development/test groups are left
//! out, and so are manifests under vendored or test-data folders (`crate::foreign`).

use golive_core::Evidence;
use golive_core::workspace::{SourceFile, Workspace};
use regex::Regex;
use std::sync::LazyLock;

/// The package manager a manifest belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ecosystem {
    Cargo,
    Go,
    Npm,
    Python,
    Maven,
    Gradle,
    NuGet,
    Gem,
}

impl Ecosystem {
    /// How evidence names a dependency's kind (`Go module`, `npm`, ...).
    pub(crate) fn label(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "Cargo",
            Ecosystem::Go => "Go module",
            Ecosystem::Npm => "npm",
            Ecosystem::Python => "Python",
            Ecosystem::Maven => "Maven",
            Ecosystem::Gradle => "Gradle",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Gem => "Ruby gem",
        }
    }
}

/// One declared dependency: its name as the ecosystem spells it (crate or package name as
/// written, Go module path, PEP 503-normalised Python name, `group:artifact` for the JVM).
#[derive(Clone, Debug)]
pub(crate) struct Dependency<'a> {
    pub file: &'a SourceFile,
    pub line: u32,
    pub name: String,
    pub ecosystem: Ecosystem,
}

impl Dependency<'_> {
    /// Whether this is one of `names`, compared the way the ecosystem compares names (Cargo:
    /// `-` and `_` alike; npm, Python, NuGet, gems: case-insensitive; Go: the module or a
    /// sub-module of it; JVM: `group:artifact`, or `group:*` for a whole group).
    pub(crate) fn is_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.is(n))
    }

    pub(crate) fn is(&self, wanted: &str) -> bool {
        match self.ecosystem {
            Ecosystem::Cargo => {
                let normal = |s: &str| s.to_ascii_lowercase().replace('-', "_");
                normal(self.name.trim_matches(['"', '\''])) == normal(wanted)
            }
            Ecosystem::Go => {
                self.name == wanted
                    || self
                        .name
                        .strip_prefix(wanted)
                        .is_some_and(|rest| rest.starts_with('/'))
            }
            Ecosystem::Maven | Ecosystem::Gradle => match wanted.strip_suffix(":*") {
                Some(group) => self.name.split(':').next() == Some(group),
                None => self.name == wanted,
            },
            _ => self.name.eq_ignore_ascii_case(wanted),
        }
    }

    /// Evidence at the dependency's line: "`what` (`ecosystem` dependency)".
    pub(crate) fn evidence(&self, what: &str) -> Evidence {
        Evidence::at(
            &self.file.path,
            self.line,
            format!(
                "{what} `{}` ({} dependency)",
                self.name,
                self.ecosystem.label()
            ),
        )
    }
}

/// A dependency manifest and what it declares.
pub(crate) struct Manifest<'a> {
    pub file: &'a SourceFile,
    pub dependencies: Vec<Dependency<'a>>,
}

/// Every dependency manifest of the repository's own (not vendored, not test data).
pub(crate) fn manifests(ws: &Workspace) -> Vec<Manifest<'_>> {
    ws.files()
        .iter()
        .filter(|f| !crate::foreign::is_not_ours(&f.path))
        .filter_map(|file| {
            Some(Manifest {
                file,
                dependencies: declared(file)?,
            })
        })
        .collect()
}

/// The dependencies a manifest declares, or None when the file is not a dependency manifest.
pub(crate) fn declared(file: &SourceFile) -> Option<Vec<Dependency<'_>>> {
    let name = file.name();
    let lower = name.to_ascii_lowercase();
    let found = match name {
        "Cargo.toml" => cargo(file),
        "go.mod" => go_mod(file),
        "package.json" => package_json(file),
        "pyproject.toml" => pyproject(file),
        "Pipfile" => pipfile(file),
        "pom.xml" => maven(file),
        "build.gradle" | "build.gradle.kts" => gradle(file, false),
        "Gemfile" => gemfile(file),
        _ if lower.ends_with(".versions.toml") => gradle(file, true),
        _ if is_requirements(&file.path) => requirements(file),
        _ if lower.ends_with(".csproj")
            || lower.ends_with(".fsproj")
            || lower.ends_with(".vbproj")
            || lower == "directory.packages.props" =>
        {
            dotnet(file)
        }
        _ => return None,
    };
    Some(found)
}

fn dep<'a>(file: &'a SourceFile, line: u32, name: &str, ecosystem: Ecosystem) -> Dependency<'a> {
    Dependency {
        file,
        line,
        name: name.to_string(),
        ecosystem,
    }
}

/// Lines with their 1-based numbers.
pub(crate) fn numbered(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.lines().enumerate().map(|(i, l)| (i as u32 + 1, l))
}

/// A TOML table header's name (`[dependencies]` → `dependencies`), for line-based readers.
fn toml_header(line: &str) -> Option<&str> {
    let t = line.trim();
    let inner = t.strip_prefix('[')?;
    let inner = inner.strip_prefix('[').unwrap_or(inner);
    let end = inner.find(']')?;
    Some(inner[..end].trim())
}

/// The key of a TOML `key = value` line (unquoted; `a.b = ...` gives `a`).
fn toml_key(line: &str) -> Option<&str> {
    let t = line.trim();
    if t.starts_with('#') || t.starts_with('[') {
        return None;
    }
    let (key, _) = t.split_once('=')?;
    let key = key.trim();
    let key = key.split('.').next().unwrap_or(key).trim();
    let key = key.trim_matches(['"', '\'']);
    (!key.is_empty()).then_some(key)
}

fn cargo(file: &SourceFile) -> Vec<Dependency<'_>> {
    static PACKAGE: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"\bpackage\s*=\s*["']([^"']+)["']"#).ok());
    let mut out = Vec::new();
    let mut counted = false;
    for (n, line) in numbered(&file.text) {
        if let Some(header) = toml_header(line) {
            let parts: Vec<&str> = header.split('.').map(|p| p.trim()).collect();
            // `[dependencies]`, `[workspace.dependencies]`, `[target.'cfg(..)'.dependencies]`,
            // or a dependency's own table `[dependencies.prometheus]`.
            counted = parts.last() == Some(&"dependencies");
            if let Some(pos) = parts.iter().position(|p| *p == "dependencies")
                && let Some(name) = parts.get(pos + 1)
            {
                out.push(dep(file, n, name, Ecosystem::Cargo));
            }
            continue;
        }
        if !counted {
            continue;
        }
        let Some(key) = toml_key(line) else { continue };
        let renamed = PACKAGE
            .as_ref()
            .and_then(|re| re.captures(line))
            .and_then(|c| c.get(1))
            .map(|m| m.as_str());
        out.push(dep(file, n, renamed.unwrap_or(key), Ecosystem::Cargo));
    }
    out
}

fn go_mod(file: &SourceFile) -> Vec<Dependency<'_>> {
    let mut out = Vec::new();
    let mut in_require = false;
    for (n, line) in numbered(&file.text) {
        let (code, comment) = match line.split_once("//") {
            Some((c, m)) => (c.trim(), m.trim()),
            None => (line.trim(), ""),
        };
        let module = if in_require {
            if code == ")" {
                in_require = false;
                continue;
            }
            code.split_whitespace().next()
        } else if let Some(rest) = code.strip_prefix("require") {
            let rest = rest.trim();
            if rest == "(" {
                in_require = true;
                continue;
            }
            rest.split_whitespace().next()
        } else {
            None
        };
        let Some(module) = module else { continue };
        if comment.starts_with("indirect") {
            continue;
        }
        out.push(dep(file, n, module, Ecosystem::Go));
    }
    out
}

/// package.json's `dependencies` (not devDependencies), at their lines.
fn package_json(file: &SourceFile) -> Vec<Dependency<'_>> {
    let deps = file
        .json()
        .first()
        .and_then(|d| d.root())
        .and_then(|r| r.get("dependencies"));
    deps.into_iter()
        .flat_map(|d| d.entries())
        .filter_map(|(key, _)| Some(dep(file, key.line(), key.as_str()?, Ecosystem::Npm)))
        .collect()
}

/// The project name at the start of a requirement (`prometheus_client>=0.17 ; python_version...`),
/// normalised as PEP 503 does.
pub(crate) fn requirement_name(spec: &str) -> String {
    let name: String = spec
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let mut out = String::with_capacity(name.len());
    for c in name.to_ascii_lowercase().chars() {
        let c = if matches!(c, '_' | '.') { '-' } else { c };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out
}

fn is_dev(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["dev", "test", "lint", "doc"]
        .iter()
        .any(|w| lower.contains(w))
}

/// `requirements*.txt`, or any `.txt` in a `requirements/` folder, except dev/test ones.
fn is_requirements(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or(path);
    let in_folder = parts.next() == Some("requirements");
    name.ends_with(".txt") && (name.starts_with("requirements") || in_folder) && !is_dev(name)
}

fn requirements(file: &SourceFile) -> Vec<Dependency<'_>> {
    numbered(&file.text)
        .filter_map(|(n, line)| {
            let spec = line.split('#').next().unwrap_or("").trim();
            if spec.is_empty() || spec.starts_with('-') {
                return None;
            }
            let name = requirement_name(spec);
            (!name.is_empty()).then(|| dep(file, n, &name, Ecosystem::Python))
        })
        .collect()
}

/// Quoted requirement strings on a line (`"prometheus-client>=0.17",`).
fn quoted_requirements(line: &str) -> impl Iterator<Item = String> + '_ {
    line.split(['"', '\''])
        .skip(1)
        .step_by(2)
        .map(requirement_name)
}

fn pyproject(file: &SourceFile) -> Vec<Dependency<'_>> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut in_array = false;
    for (n, line) in numbered(&file.text) {
        if let Some(header) = toml_header(line) {
            section = header.to_string();
            in_array = false;
            continue;
        }
        let code = line.split('#').next().unwrap_or("");
        let mut names: Vec<String> = Vec::new();
        if section == "project" {
            if toml_key(code) == Some("dependencies") {
                in_array = true;
            }
            if in_array {
                let part = code.split_once('=').map_or(code, |(k, v)| {
                    if k.trim() == "dependencies" { v } else { code }
                });
                names.extend(quoted_requirements(part));
                // The array ends at a `]` outside quotes (`"uvicorn[standard]"` is not its end).
                if part.split(['"', '\'']).step_by(2).any(|p| p.contains(']')) {
                    in_array = false;
                }
            }
        } else if section == "tool.poetry.dependencies"
            || (section.starts_with("tool.poetry.group.")
                && section.ends_with(".dependencies")
                && !is_dev(&section))
        {
            names.extend(toml_key(code).map(requirement_name));
        }
        for name in names.into_iter().filter(|n| !n.is_empty()) {
            out.push(dep(file, n, &name, Ecosystem::Python));
        }
    }
    out
}

fn pipfile(file: &SourceFile) -> Vec<Dependency<'_>> {
    let mut out = Vec::new();
    let mut in_packages = false;
    for (n, line) in numbered(&file.text) {
        if let Some(header) = toml_header(line) {
            in_packages = header == "packages";
            continue;
        }
        if in_packages && let Some(key) = toml_key(line) {
            out.push(dep(file, n, &requirement_name(key), Ecosystem::Python));
        }
    }
    out
}

fn maven(file: &SourceFile) -> Vec<Dependency<'_>> {
    static DEPENDENCY: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"(?s)<dependency>(.*?)</dependency>").ok());
    static TAG: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"<(groupId|artifactId|scope)>\s*([^<\s]+)\s*</(?:groupId|artifactId|scope)>")
            .ok()
    });
    let (Some(dep_re), Some(tag_re)) = (DEPENDENCY.as_ref(), TAG.as_ref()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for found in dep_re.captures_iter(&file.text) {
        let Some(body) = found.get(1) else { continue };
        let (mut group, mut artifact, mut scope, mut at) = ("", "", "", body.start());
        for tag in tag_re.captures_iter(body.as_str()) {
            let (Some(name), Some(value)) = (tag.get(1), tag.get(2)) else {
                continue;
            };
            match name.as_str() {
                "groupId" => group = value.as_str(),
                "artifactId" => {
                    artifact = value.as_str();
                    at = body.start() + value.start();
                }
                _ => scope = value.as_str(),
            }
        }
        if scope != "test" && !artifact.is_empty() {
            let line = file.lines().position(&file.text, at).0;
            out.push(dep(
                file,
                line,
                &format!("{group}:{artifact}"),
                Ecosystem::Maven,
            ));
        }
    }
    out
}

/// Gradle build files (`implementation("io.prometheus:simpleclient:0.16.0")`) and version
/// catalogs (`module = "io.micrometer:micrometer-registry-prometheus"`, or `group = ..., name
/// = ...`). A line can give two readings (a coordinate string and a group/name pair): both are
/// listed, in that order.
fn gradle(file: &SourceFile, catalog: bool) -> Vec<Dependency<'_>> {
    static COORDINATE: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"["']([\w.\-]+):([\w.\-]+)(?::[^"']*)?["']"#).ok());
    static CATALOG_GROUP: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#"group\s*=\s*["']([\w.\-]+)["'].*name\s*=\s*["']([\w.\-]+)["']"#).ok()
    });
    let mut out = Vec::new();
    for (n, line) in numbered(&file.text) {
        let t = line.trim_start();
        if t.starts_with("//") || t.starts_with('#') {
            continue;
        }
        let config = t
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("");
        if !catalog && (config.starts_with("test") || config.starts_with("androidTest")) {
            continue;
        }
        let coordinates = [COORDINATE.as_ref(), CATALOG_GROUP.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|re| re.captures(line))
            .filter_map(|c| Some((c.get(1)?.as_str(), c.get(2)?.as_str())));
        for (group, artifact) in coordinates {
            out.push(dep(
                file,
                n,
                &format!("{group}:{artifact}"),
                Ecosystem::Gradle,
            ));
        }
    }
    out
}

fn dotnet(file: &SourceFile) -> Vec<Dependency<'_>> {
    static PACKAGE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#"(?i)<Package(?:Reference|Version)\b[^>]*\bInclude\s*=\s*"([^"]+)""#).ok()
    });
    let Some(re) = PACKAGE.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (n, line) in numbered(&file.text) {
        for c in re.captures_iter(line) {
            if let Some(name) = c.get(1) {
                out.push(dep(file, n, name.as_str(), Ecosystem::NuGet));
            }
        }
    }
    out
}

fn gemfile(file: &SourceFile) -> Vec<Dependency<'_>> {
    static GEM: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"^\s*gem\s+["']([^"']+)["']"#).ok());
    static GROUP: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"^\s*group\b(.*)\bdo\b").ok());
    let mut out = Vec::new();
    // Open `do` blocks: whether each only installs for development or test.
    let mut blocks: Vec<bool> = Vec::new();
    for (n, line) in numbered(&file.text) {
        let code = line.split('#').next().unwrap_or("");
        let t = code.trim();
        if let Some(groups) = GROUP.as_ref().and_then(|re| re.captures(code)) {
            let names = groups.get(1).map_or("", |m| m.as_str());
            let all_dev = names
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|g| !g.is_empty())
                .all(|g| matches!(g, "development" | "test" | "dev"));
            blocks.push(all_dev);
            continue;
        }
        if t == "end" {
            blocks.pop();
            continue;
        }
        if t.ends_with(" do") || t.contains(" do |") {
            blocks.push(false);
            continue;
        }
        if blocks.iter().any(|dev| *dev) {
            continue;
        }
        let Some(name) = GEM
            .as_ref()
            .and_then(|re| re.captures(code))
            .and_then(|c| c.get(1))
            .map(|m| m.as_str())
        else {
            continue;
        };
        let dev_option = code.contains("group:") && {
            let after = code.split("group:").nth(1).unwrap_or("");
            after.contains("test") || after.contains("development")
        };
        if !dev_option {
            out.push(dep(file, n, name, Ecosystem::Gem));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(path: &str, text: &str) -> Vec<(u32, String)> {
        let ws = Workspace::from_files(vec![(path.to_string(), text.to_string())]);
        let file = &ws.files()[0];
        declared(file)
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.line, d.name))
            .collect()
    }

    #[test]
    fn cargo_lists_normal_dependencies_with_renames() {
        let text = "[package]\nname = \"x\"\n[dependencies]\ntracing-subscriber = { version = \"0.3\", features = [\"json\"] }\nlog = { package = \"log\", version = \"0.4\" }\n[dev-dependencies]\nslog = \"2\"\n";
        let found = names("Cargo.toml", text);
        assert_eq!(
            found,
            vec![
                (4, "tracing-subscriber".to_string()),
                (5, "log".to_string())
            ]
        );
    }

    #[test]
    fn matching_per_ecosystem() {
        let ws = Workspace::from_files(vec![
            ("go.mod".into(), "module x\nrequire go.uber.org/zap v1.27.0\nrequire github.com/sirupsen/logrus v1.9.3 // indirect\n".into()),
            ("pom.xml".into(), "<project><dependencies>\n<dependency>\n<groupId>net.logstash.logback</groupId>\n<artifactId>logstash-logback-encoder</artifactId>\n</dependency>\n</dependencies></project>\n".into()),
            ("Cargo.toml".into(), "[dependencies]\ntracing_subscriber = \"0.3\"\n".into()),
        ]);
        let deps: Vec<Dependency<'_>> = manifests(&ws)
            .into_iter()
            .flat_map(|m| m.dependencies)
            .collect();
        assert_eq!(deps.len(), 3);
        assert!(deps.iter().any(|d| d.is("go.uber.org/zap")));
        assert!(!deps.iter().any(|d| d.is("github.com/sirupsen/logrus")));
        assert!(deps.iter().any(|d| d.is("net.logstash.logback:*")));
        assert!(deps.iter().any(|d| d.is("tracing-subscriber")));
        assert!(!deps.iter().any(|d| d.is("go.uber.org/za")));
    }
}
