use golive_core::kube::KubeObject;
use golive_core::parse::yaml::Node;
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use golive_core::{Context, Evidence, Facet, Finding, Outcome, declare_check};
use regex::Regex;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// The service exports metrics: a metrics library is a (non-test) dependency, or a
    /// Prometheus scrape configuration targets it.
    ///
    /// Libraries recognised, by manifest:
    ///
    /// - `Cargo.toml` (`[dependencies]`, target and workspace dependencies, renamed packages
    ///   too): `prometheus`, `prometheus-client`, `metrics-exporter-prometheus`,
    ///   `opentelemetry-prometheus`, `opentelemetry_sdk`, `autometrics`, `axum-prometheus`,
    ///   `actix-web-prom`;
    /// - `go.mod` (direct requirements, not `// indirect`): `github.com/prometheus/client_golang`,
    ///   `go.opentelemetry.io/otel/sdk/metric`, `go.opentelemetry.io/otel/exporters/prometheus`;
    /// - `package.json` (`dependencies`): `prom-client`, `@opentelemetry/sdk-metrics`,
    ///   `@opentelemetry/exporter-prometheus`, `express-prom-bundle`;
    /// - Python (`requirements*.txt` and `requirements/*.txt` except dev/test ones,
    ///   `pyproject.toml` project and Poetry dependencies, `Pipfile` `[packages]`):
    ///   `prometheus-client` (any spelling), `opentelemetry-sdk`,
    ///   `opentelemetry-exporter-prometheus`, `django-prometheus`,
    ///   `prometheus-fastapi-instrumentator`, `prometheus-flask-exporter`, `starlette-exporter`;
    /// - Maven `pom.xml` (not `<scope>test</scope>`) and Gradle build files and version
    ///   catalogs (not `test*` configurations): any `io.prometheus` artifact (`simpleclient`,
    ///   `prometheus-metrics-core`), `micrometer-registry-prometheus`,
    ///   `io.opentelemetry:opentelemetry-exporter-prometheus`;
    /// - .NET project files and `Directory.Packages.props`: `prometheus-net*`,
    ///   `OpenTelemetry.Exporter.Prometheus*`;
    /// - `Gemfile` (outside development/test groups): `prometheus-client`, `yabeda*`.
    ///
    /// Scrape configurations recognised: ServiceMonitor, PodMonitor and ScrapeConfig objects
    /// (`monitoring.coreos.com`; GKE's PodMonitoring and VictoriaMetrics' VMServiceScrape and
    /// VMPodScrape too), a `prometheus.io/scrape: "true"` annotation on a Service, Pod or pod
    /// template, and a Prometheus configuration with `scrape_configs` jobs (a YAML file, or a
    /// ConfigMap that embeds one). Files under `vendor/`, `third_party/`, `testdata/` and
    /// `fixtures/` are not the service's and are not read.
    ///
    /// Not applicable when the repository has neither service code (no language ecosystem)
    /// nor anything deployable (no Kubernetes manifests, Helm chart or Dockerfile).
    ///
    /// ## Why it matters
    /// Metrics are how anyone knows the service is healthy: the monitoring article (002)
    /// starts its whole flow at "Application exposes /metrics", scraped by Prometheus every 15
    /// seconds, and every alert and dashboard is built on them. The checklists ask to "Track
    /// application metrics" and "Configure services for observability" (004, Monitoring) and to
    /// "monitor each service of your application" (003, Monitoring).
    ///
    /// ## How to fix
    /// Add a Prometheus client (or the OpenTelemetry metrics SDK with a Prometheus exporter),
    /// expose `/metrics`, and let Prometheus find it, e.g. with a ServiceMonitor:
    /// ```yaml
    /// apiVersion: monitoring.coreos.com/v1
    /// kind: ServiceMonitor
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   selector:
    ///     matchLabels: { app: checkout }
    ///   endpoints:
    ///     - port: http
    ///       path: /metrics
    /// ```
    pub struct Metrics {
        id: "obs/metrics",
        title: "The service exports metrics",
        category: Observability,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Monitoring: track application metrics; configure services for observability",
            "003: Go-live checklist, Monitoring: monitor each service of your application",
            "002: Monitoring & Alerting: applications expose /metrics, scraped by Prometheus",
        ],
        fix: "add a Prometheus client or the OpenTelemetry metrics SDK, expose /metrics, and add a ServiceMonitor (or prometheus.io/scrape annotation)",
    }
}

impl golive_core::Check for Metrics {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let mut evidence = Vec::new();
        let mut manifests = Vec::new();
        for file in ws.files().iter().filter(|f| !is_foreign(&f.path)) {
            let Some(found) = dependencies(file) else {
                continue;
            };
            manifests.push(Evidence::file(
                &file.path,
                "dependency manifest read: no metrics library",
            ));
            evidence.extend(found);
        }
        evidence.extend(scrape_configs(ws));
        if !evidence.is_empty() {
            return Outcome::Pass(evidence);
        }
        let service_code = ws.facets().iter().any(|f| f.is_ecosystem());
        let deployable = [Facet::Kubernetes, Facet::Helm, Facet::Docker]
            .iter()
            .any(|f| ws.has(*f));
        if !service_code && !deployable {
            return Outcome::not_applicable(
                "no service code (no language ecosystem) and nothing deployable (no Kubernetes manifests, Helm chart or Dockerfile)",
            );
        }
        Outcome::from_findings(
            vec![Finding::repo(
                "no metrics library among the dependencies and no Prometheus scrape configuration (ServiceMonitor, PodMonitor, prometheus.io/scrape annotation or scrape_configs job)",
            )],
            manifests,
        )
    }
}

/// Paths that hold other people's code or test data, not the service's own setup.
fn is_foreign(path: &str) -> bool {
    crate::foreign::is_not_ours(path)
}

/// The metrics libraries a dependency manifest declares, or None when the file is not one.
fn dependencies(file: &SourceFile) -> Option<Vec<Evidence>> {
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

fn library(file: &SourceFile, line: u32, what: &str, ecosystem: &str) -> Evidence {
    Evidence::at(
        &file.path,
        line,
        format!("metrics library `{what}` ({ecosystem} dependency)"),
    )
}

/// Lines with their 1-based numbers.
fn numbered(text: &str) -> impl Iterator<Item = (u32, &str)> {
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

const CRATES: [&str; 8] = [
    "prometheus",
    "prometheus_client",
    "metrics_exporter_prometheus",
    "opentelemetry_prometheus",
    "opentelemetry_sdk",
    "autometrics",
    "axum_prometheus",
    "actix_web_prom",
];

fn cargo(file: &SourceFile) -> Vec<Evidence> {
    static PACKAGE: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"\bpackage\s*=\s*["']([^"']+)["']"#).ok());
    let normal = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let mut out = Vec::new();
    let mut counted = false;
    for (n, line) in numbered(&file.text) {
        if let Some(header) = toml_header(line) {
            let parts: Vec<&str> = header.split('.').map(|p| p.trim()).collect();
            // `[dependencies]`, `[workspace.dependencies]`, `[target.'cfg(..)'.dependencies]`,
            // or a dependency's own table `[dependencies.prometheus]`.
            counted = parts.last() == Some(&"dependencies");
            if let Some(pos) = parts.iter().position(|p| *p == "dependencies")
                && pos + 1 < parts.len()
            {
                let name = normal(parts[pos + 1].trim_matches(['"', '\'']));
                if CRATES.contains(&name.as_str()) {
                    out.push(library(file, n, parts[pos + 1], "Cargo"));
                }
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
        let package = renamed.unwrap_or(key);
        if CRATES.contains(&normal(package).as_str()) {
            out.push(library(file, n, package, "Cargo"));
        }
    }
    out
}

const GO_MODULES: [&str; 3] = [
    "github.com/prometheus/client_golang",
    "go.opentelemetry.io/otel/sdk/metric",
    "go.opentelemetry.io/otel/exporters/prometheus",
];

fn go_mod(file: &SourceFile) -> Vec<Evidence> {
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
        if GO_MODULES.iter().any(|m| {
            module == *m
                || module
                    .strip_prefix(m)
                    .is_some_and(|rest| rest.starts_with('/'))
        }) {
            out.push(library(file, n, module, "Go module"));
        }
    }
    out
}

const NPM_PACKAGES: [&str; 4] = [
    "prom-client",
    "@opentelemetry/sdk-metrics",
    "@opentelemetry/exporter-prometheus",
    "express-prom-bundle",
];

/// Metrics libraries among package.json's `dependencies` (not devDependencies), at their lines.
fn package_json(file: &SourceFile) -> Vec<Evidence> {
    let deps = file
        .json()
        .first()
        .and_then(|d| d.root())
        .and_then(|r| r.get("dependencies"));
    deps.into_iter()
        .flat_map(|d| d.entries())
        .filter_map(|(key, _)| {
            let name = key.as_str().filter(|n| NPM_PACKAGES.contains(n))?;
            Some(library(file, key.line(), name, "npm"))
        })
        .collect()
}

const PYTHON_PACKAGES: [&str; 8] = [
    "prometheus-client",
    "opentelemetry-sdk",
    "opentelemetry-exporter-prometheus",
    "django-prometheus",
    "prometheus-fastapi-instrumentator",
    "prometheus-flask-exporter",
    "starlette-exporter",
    "aioprometheus",
];

/// The project name at the start of a requirement (`prometheus_client>=0.17 ; python_version...`),
/// normalised as PEP 503 does.
fn requirement_name(spec: &str) -> String {
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

fn requirements(file: &SourceFile) -> Vec<Evidence> {
    numbered(&file.text)
        .filter_map(|(n, line)| {
            let spec = line.split('#').next().unwrap_or("").trim();
            if spec.is_empty() || spec.starts_with('-') {
                return None;
            }
            let name = requirement_name(spec);
            PYTHON_PACKAGES
                .contains(&name.as_str())
                .then(|| library(file, n, &name, "Python"))
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

fn pyproject(file: &SourceFile) -> Vec<Evidence> {
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
        for name in names {
            if PYTHON_PACKAGES.contains(&name.as_str()) {
                out.push(library(file, n, &name, "Python"));
            }
        }
    }
    out
}

fn pipfile(file: &SourceFile) -> Vec<Evidence> {
    let mut out = Vec::new();
    let mut in_packages = false;
    for (n, line) in numbered(&file.text) {
        if let Some(header) = toml_header(line) {
            in_packages = header == "packages";
            continue;
        }
        if in_packages && let Some(key) = toml_key(line) {
            let name = requirement_name(key);
            if PYTHON_PACKAGES.contains(&name.as_str()) {
                out.push(library(file, n, &name, "Python"));
            }
        }
    }
    out
}

/// A JVM coordinate that is a metrics library.
fn jvm_metrics(group: &str, artifact: &str) -> bool {
    group == "io.prometheus"
        || artifact.starts_with("micrometer-registry-prometheus")
        || artifact.starts_with("simpleclient")
        || (group == "io.opentelemetry" && artifact == "opentelemetry-exporter-prometheus")
}

fn maven(file: &SourceFile) -> Vec<Evidence> {
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
    for dep in dep_re.captures_iter(&file.text) {
        let Some(body) = dep.get(1) else { continue };
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
        if scope != "test" && jvm_metrics(group, artifact) {
            let line = file.lines().position(&file.text, at).0;
            out.push(library(file, line, &format!("{group}:{artifact}"), "Maven"));
        }
    }
    out
}

/// Gradle build files (`implementation("io.prometheus:simpleclient:0.16.0")`) and version
/// catalogs (`module = "io.micrometer:micrometer-registry-prometheus"`).
fn gradle(file: &SourceFile, catalog: bool) -> Vec<Evidence> {
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
            if jvm_metrics(group, artifact) {
                out.push(library(file, n, &format!("{group}:{artifact}"), "Gradle"));
                break;
            }
        }
    }
    out
}

fn dotnet(file: &SourceFile) -> Vec<Evidence> {
    static PACKAGE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#"(?i)<Package(?:Reference|Version)\b[^>]*\bInclude\s*=\s*"([^"]+)""#).ok()
    });
    let Some(re) = PACKAGE.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (n, line) in numbered(&file.text) {
        for c in re.captures_iter(line) {
            let Some(name) = c.get(1).map(|m| m.as_str()) else {
                continue;
            };
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("prometheus-net")
                || lower.starts_with("opentelemetry.exporter.prometheus")
            {
                out.push(library(file, n, name, "NuGet"));
            }
        }
    }
    out
}

fn gemfile(file: &SourceFile) -> Vec<Evidence> {
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
        if !dev_option && (name == "prometheus-client" || name.starts_with("yabeda")) {
            out.push(library(file, n, name, "Ruby gem"));
        }
    }
    out
}

/// Scrape configurations that target the service.
fn scrape_configs(ws: &Workspace) -> Vec<Evidence> {
    let mut out = Vec::new();
    for obj in ws.kube_objects().filter(|o| !is_foreign(&o.file.path)) {
        let line = obj.location().line;
        let scraper = matches!(
            (obj.group(), obj.kind),
            (
                "monitoring.coreos.com",
                "ServiceMonitor" | "PodMonitor" | "ScrapeConfig"
            ) | (
                "monitoring.googleapis.com",
                "PodMonitoring" | "ClusterPodMonitoring"
            ) | (
                "operator.victoriametrics.com",
                "VMServiceScrape" | "VMPodScrape"
            )
        );
        if scraper {
            out.push(Evidence::at(
                &obj.file.path,
                line,
                format!("{} configures Prometheus scraping", obj.display_name()),
            ));
            continue;
        }
        for (node, whose) in annotated(&obj) {
            if let Some(value) = node.path(&["metadata", "annotations", "prometheus.io/scrape"])
                && value.as_str().is_some_and(|v| v.trim() == "true")
            {
                out.push(Evidence::at(
                    &obj.file.path,
                    value.line(),
                    format!(
                        "{}: {whose} annotation prometheus.io/scrape: \"true\"",
                        obj.display_name()
                    ),
                ));
            }
        }
        if obj.kind == "ConfigMap" {
            for (key, value) in obj.node.get("data").into_iter().flat_map(|d| d.entries()) {
                if value.as_str().is_some_and(|t| {
                    t.lines()
                        .any(|l| l.trim_start().starts_with("scrape_configs:"))
                }) {
                    out.push(Evidence::at(
                        &obj.file.path,
                        key.line(),
                        format!(
                            "{}: `{}` is a Prometheus configuration with scrape_configs",
                            obj.display_name(),
                            key.as_str().unwrap_or("")
                        ),
                    ));
                }
            }
        }
    }
    for file in ws.files_of(FileKind::Yaml).filter(|f| !is_foreign(&f.path)) {
        for doc in file.yaml_docs() {
            let Some(jobs) = doc.root().and_then(|r| r.get("scrape_configs")) else {
                continue;
            };
            for job in jobs.items() {
                if let Some(name) = job.get("job_name") {
                    out.push(Evidence::at(
                        &file.path,
                        name.line(),
                        format!(
                            "Prometheus scrape job `{}`",
                            name.as_str().unwrap_or("<unnamed>")
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// The object itself (Services, Pods) and its pod template carry scrape annotations.
fn annotated<'a>(obj: &KubeObject<'a>) -> Vec<(Node<'a>, &'static str)> {
    let mut out = Vec::new();
    if matches!(obj.kind, "Service" | "Pod") {
        out.push((obj.node, "object"));
    }
    if obj.kind != "Pod"
        && let Some(template) = obj.pod_template()
    {
        out.push((template.template, "pod template"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(path: &str, text: &str) -> Vec<(u32, String)> {
        let ws = Workspace::from_files(vec![(path.to_string(), text.to_string())]);
        let file = &ws.files()[0];
        dependencies(file)
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.line.unwrap_or(0), e.message))
            .collect()
    }

    #[test]
    fn cargo_sections_renames_and_dev_dependencies() {
        let text = "[package]\nname = \"prometheus\"\n\n[dependencies]\nserde = \"1\"\nprom = { package = \"prometheus\", version = \"0.13\" }\n\n[dev-dependencies]\nautometrics = \"2\"\n\n[target.'cfg(unix)'.dependencies.metrics-exporter-prometheus]\nversion = \"0.16\"\n";
        let lines: Vec<u32> = found("Cargo.toml", text).iter().map(|f| f.0).collect();
        assert_eq!(lines, vec![6, 11]);
    }

    #[test]
    fn go_mod_skips_indirect_requirements() {
        let text = "module x\n\nrequire (\n\tgithub.com/prometheus/client_golang v1.20.0 // indirect\n\tgo.opentelemetry.io/otel/sdk/metric v1.31.0\n)\nrequire github.com/prometheus/client_golang/v2 v2.0.0\n";
        let lines: Vec<u32> = found("go.mod", text).iter().map(|f| f.0).collect();
        assert_eq!(lines, vec![5, 7]);
    }

    #[test]
    fn package_json_reads_only_dependencies() {
        let text = "{\n  \"name\": \"prom-client\",\n  \"devDependencies\": {\"prom-client\": \"15\"},\n  \"dependencies\": {\n    \"express\": \"4\",\n    \"prom-client\": \"^15.1.0\"\n  }\n}\n";
        let lines: Vec<u32> = found("package.json", text).iter().map(|f| f.0).collect();
        assert_eq!(lines, vec![6]);
    }

    #[test]
    fn python_spellings_and_sections() {
        assert_eq!(
            requirement_name("Prometheus_Client>=0.17"),
            "prometheus-client"
        );
        assert_eq!(
            found(
                "requirements.txt",
                "flask==3\nprometheus_client==0.20  # metrics\n"
            )
            .len(),
            1
        );
        assert!(found("requirements-dev.txt", "prometheus-client\n").is_empty());
        let py = "[project]\nname = \"svc\"\ndependencies = [\n  \"uvicorn[standard]>=0.30\",\n  \"fastapi\",\n  \"prometheus-fastapi-instrumentator>=7\",\n]\n[project.optional-dependencies]\ntest = [\"prometheus-client\"]\n[tool.poetry.group.dev.dependencies]\nprometheus-client = \"*\"\n";
        let lines: Vec<u32> = found("pyproject.toml", py).iter().map(|f| f.0).collect();
        assert_eq!(lines, vec![6]);
        assert_eq!(
            found(
                "Pipfile",
                "[packages]\nprometheus-client = \"*\"\n[dev-packages]\nopentelemetry-sdk = \"*\"\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn jvm_dotnet_and_ruby() {
        let pom = "<project><dependencies>\n<dependency>\n<groupId>io.micrometer</groupId>\n<artifactId>micrometer-registry-prometheus</artifactId>\n</dependency>\n<dependency><groupId>io.prometheus</groupId><artifactId>simpleclient</artifactId><scope>test</scope></dependency>\n</dependencies></project>\n";
        let lines: Vec<u32> = found("pom.xml", pom).iter().map(|f| f.0).collect();
        assert_eq!(lines, vec![4]);
        let gradle = "dependencies {\n  implementation(\"io.prometheus:prometheus-metrics-core:1.3.1\")\n  testImplementation 'io.micrometer:micrometer-registry-prometheus'\n}\n";
        let lines: Vec<u32> = found("build.gradle.kts", gradle)
            .iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(lines, vec![2]);
        let csproj = "<Project>\n  <ItemGroup>\n    <PackageReference Include=\"prometheus-net.AspNetCore\" Version=\"8.2.1\" />\n  </ItemGroup>\n</Project>\n";
        assert_eq!(found("src/Api/Api.csproj", csproj).len(), 1);
        let gemfile = "source 'https://rubygems.org'\ngem 'rails'\ngroup :development, :test do\n  gem 'prometheus-client'\nend\ngem \"yabeda-prometheus\"\n";
        let lines: Vec<u32> = found("Gemfile", gemfile).iter().map(|f| f.0).collect();
        assert_eq!(lines, vec![6]);
    }

    #[test]
    fn foreign_paths() {
        assert!(is_foreign("vendor/github.com/x/go.mod"));
        assert!(is_foreign("tests/fixtures/a/Cargo.toml"));
        assert!(!is_foreign("fixtures.yaml"));
        assert!(!is_foreign("services/api/go.mod"));
    }
}
