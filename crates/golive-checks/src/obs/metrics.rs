use super::deps::{self, Dependency, Ecosystem};
use golive_core::kube::KubeObject;
use golive_core::parse::yaml::Node;
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

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
        if let Some(reason) = super::no_service(ws) {
            return Outcome::not_applicable(reason);
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
    let mut out: Vec<Evidence> = Vec::new();
    let mut last_line = None;
    for dep in deps::declared(file)? {
        // A Gradle line can read as two coordinates: the first metrics one counts.
        if dep.ecosystem == Ecosystem::Gradle && last_line == Some(dep.line) {
            continue;
        }
        if is_metrics_library(&dep) {
            last_line = Some(dep.line);
            out.push(dep.evidence("metrics library"));
        }
    }
    Some(out)
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

const GO_MODULES: [&str; 3] = [
    "github.com/prometheus/client_golang",
    "go.opentelemetry.io/otel/sdk/metric",
    "go.opentelemetry.io/otel/exporters/prometheus",
];

const NPM_PACKAGES: [&str; 4] = [
    "prom-client",
    "@opentelemetry/sdk-metrics",
    "@opentelemetry/exporter-prometheus",
    "express-prom-bundle",
];

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

fn is_metrics_library(dep: &Dependency<'_>) -> bool {
    match dep.ecosystem {
        Ecosystem::Cargo => dep.is_any(&CRATES),
        Ecosystem::Go => dep.is_any(&GO_MODULES),
        Ecosystem::Npm => dep.is_any(&NPM_PACKAGES),
        Ecosystem::Python => dep.is_any(&PYTHON_PACKAGES),
        Ecosystem::Maven | Ecosystem::Gradle => {
            let (group, artifact) = dep.name.split_once(':').unwrap_or(("", &dep.name));
            jvm_metrics(group, artifact)
        }
        Ecosystem::NuGet => {
            let lower = dep.name.to_ascii_lowercase();
            lower.starts_with("prometheus-net")
                || lower.starts_with("opentelemetry.exporter.prometheus")
        }
        Ecosystem::Gem => dep.name == "prometheus-client" || dep.name.starts_with("yabeda"),
    }
}

/// A JVM coordinate that is a metrics library.
fn jvm_metrics(group: &str, artifact: &str) -> bool {
    group == "io.prometheus"
        || artifact.starts_with("micrometer-registry-prometheus")
        || artifact.starts_with("simpleclient")
        || (group == "io.opentelemetry" && artifact == "opentelemetry-exporter-prometheus")
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
            deps::requirement_name("Prometheus_Client>=0.17"),
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
