use super::code::Code;
use super::deps::{self, Dependency, Ecosystem};
use golive_core::parse::yaml::Node;
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Distributed tracing is wired: an OpenTelemetry SDK or trace exporter is a dependency, the
    /// service is auto-instrumented, or an OpenTelemetry Collector has a traces pipeline.
    ///
    /// Recognised, as (non-test) dependencies:
    ///
    /// - Rust: `opentelemetry_sdk`, `opentelemetry-otlp`, `opentelemetry-zipkin`;
    /// - Go: `go.opentelemetry.io/otel/sdk` (not `sdk/metric` or `sdk/log`), the
    ///   `otel/exporters/otlp/otlptrace*` and `otel/exporters/zipkin` exporters;
    /// - Node: `@opentelemetry/sdk-node`, `@opentelemetry/sdk-trace-*`,
    ///   `@opentelemetry/exporter-trace-otlp-*`, `@opentelemetry/auto-instrumentations-*`,
    ///   `@opentelemetry/exporter-zipkin`;
    /// - Python: `opentelemetry-sdk`, `opentelemetry-distro`, `opentelemetry-exporter-otlp*`,
    ///   `opentelemetry-exporter-zipkin*`, `opentelemetry-exporter-gcp-trace`;
    /// - Java/Kotlin: `io.opentelemetry` SDK and OTLP/Zipkin exporters, the OpenTelemetry
    ///   Spring Boot starter and Java agent, Micrometer Tracing bridges
    ///   (`micrometer-tracing-bridge-otel`, `-brave`);
    /// - .NET: `OpenTelemetry`, `OpenTelemetry.Extensions.Hosting`,
    ///   `OpenTelemetry.Exporter.OpenTelemetryProtocol`, `OpenTelemetry.Exporter.Zipkin`;
    /// - Ruby: `opentelemetry-sdk`, `opentelemetry-exporter-otlp`;
    /// - Datadog tracers (`dd-trace-go`, `dd-trace`, `ddtrace`, `dd-java-agent`).
    ///
    /// Jaeger and Zipkin client libraries (`jaeger-client`, `opentelemetry-jaeger`,
    /// `zipkin-go`, `brave`, `py_zipkin`, Spring Cloud Sleuth) count, with a note that they are
    /// deprecated in favour of OpenTelemetry.
    ///
    /// Auto-instrumentation: the OpenTelemetry Operator's `Instrumentation` object or an
    /// `instrumentation.opentelemetry.io/inject-*` annotation (not `"false"`), an
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_SERVICE_NAME`
    /// or `OTEL_TRACES_EXPORTER` (not `none`) environment variable in a YAML file (Kubernetes
    /// `env`, also as rendered from kustomize overlays and their inline patches; Compose
    /// `environment`) or Dockerfile, and the `opentelemetry-javaagent`,
    /// `opentelemetry-instrument` or `@opentelemetry/auto-instrumentations-node/register`
    /// launchers (YAML under CI and documentation folders such as `.github/` and `docs/` is not
    /// read). Collector: a configuration (a YAML file, a ConfigMap that embeds one, or an
    /// `OpenTelemetryCollector` object) whose `service.pipelines` has a `traces` pipeline.
    ///
    /// Not applicable when nothing of this is found and the repository has no application code
    /// (manifests of images built elsewhere: whether those are instrumented cannot be told).
    ///
    /// ## Why it matters
    /// With more than one service, a slow or failed request can only be explained by following
    /// it across services: a trace shows which hop took the time. The Production Ready
    /// Checklist asks to "Configure services for observability" (004, Monitoring) and the
    /// monitoring article (002) lists traces next to metrics and logs. OpenTelemetry is the
    /// vendor-neutral standard; the Jaeger and Zipkin clients are deprecated in its favour.
    ///
    /// ## How to fix
    /// Add the OpenTelemetry SDK and an OTLP exporter (or auto-instrumentation) and point it at
    /// a collector, e.g. in Kubernetes:
    /// ```yaml
    /// env:
    ///   - name: OTEL_SERVICE_NAME
    ///     value: checkout
    ///   - name: OTEL_EXPORTER_OTLP_ENDPOINT
    ///     value: http://otel-collector.observability:4317
    /// ```
    pub struct Tracing {
        id: "obs/tracing",
        title: "Distributed tracing is wired",
        category: Observability,
        level: Gold,
        severity: Warning,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Monitoring: configure services for observability",
            "002: Monitoring & Alerting: metrics, logs and traces",
        ],
        fix: "add the OpenTelemetry SDK with an OTLP exporter (or auto-instrumentation) and send traces to an OpenTelemetry Collector",
    }
}

impl golive_core::Check for Tracing {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let manifests = deps::manifests(ws);
        let mut evidence = Vec::new();
        for dep in manifests.iter().flat_map(|m| &m.dependencies) {
            if let Some(note) = tracer(dep) {
                let mut e = dep.evidence("tracing library");
                if let Some(note) = note {
                    e.message.push_str(&format!(": {note}"));
                }
                evidence.push(e);
            }
        }
        evidence.extend(yaml_wiring(ws));
        evidence.extend(rendered_env(ws));
        evidence.extend(dockerfile_wiring(ws));
        let mut seen = std::collections::HashSet::new();
        evidence.retain(|e| seen.insert((e.path.clone(), e.line)));
        if !evidence.is_empty() {
            return Outcome::Pass(evidence);
        }
        if Code::read(ws).is_empty() {
            return Outcome::not_applicable(
                "no application code, and no tracing wired in the manifests: whether images built elsewhere are instrumented cannot be told",
            );
        }
        let read = manifests
            .iter()
            .map(|m| Evidence::file(&m.file.path, "dependency manifest read: no tracing library"))
            .collect();
        Outcome::from_findings(
            vec![Finding::repo(
                "no distributed tracing: no OpenTelemetry SDK or trace exporter among the dependencies, no auto-instrumentation (OTEL_* environment, Java agent, Instrumentation object) and no collector with a traces pipeline",
            )],
            read,
        )
    }
}

const DEPRECATED: &str = "deprecated in favour of OpenTelemetry";

/// Whether a dependency is a tracer: `Some(note)` when it is (the note for deprecated clients).
fn tracer(dep: &Dependency<'_>) -> Option<Option<&'static str>> {
    let name = dep.name.to_ascii_lowercase();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
    let deprecated = match dep.ecosystem {
        Ecosystem::Cargo => {
            if dep.is_any(&[
                "opentelemetry_sdk",
                "opentelemetry-otlp",
                "opentelemetry-zipkin",
            ]) {
                false
            } else if dep.is("opentelemetry-jaeger") {
                true
            } else {
                return None;
            }
        }
        Ecosystem::Go => {
            if name == "go.opentelemetry.io/otel/sdk"
                || dep.is_any(&[
                    "go.opentelemetry.io/otel/exporters/otlp/otlptrace",
                    "go.opentelemetry.io/otel/exporters/zipkin",
                    "gopkg.in/DataDog/dd-trace-go.v1",
                    "github.com/DataDog/dd-trace-go",
                ])
            {
                false
            } else if dep.is_any(&[
                "go.opentelemetry.io/otel/exporters/jaeger",
                "github.com/uber/jaeger-client-go",
                "github.com/openzipkin/zipkin-go",
            ]) {
                true
            } else {
                return None;
            }
        }
        Ecosystem::Npm => {
            if starts(&[
                "@opentelemetry/sdk-node",
                "@opentelemetry/sdk-trace-",
                "@opentelemetry/exporter-trace-otlp-",
                "@opentelemetry/auto-instrumentations-",
                "@opentelemetry/exporter-zipkin",
            ]) || name == "dd-trace"
            {
                false
            } else if name == "@opentelemetry/exporter-jaeger"
                || name == "jaeger-client"
                || name == "zipkin"
            {
                true
            } else {
                return None;
            }
        }
        Ecosystem::Python => {
            if name == "opentelemetry-sdk"
                || name == "opentelemetry-distro"
                || name == "ddtrace"
                || starts(&[
                    "opentelemetry-exporter-otlp",
                    "opentelemetry-exporter-zipkin",
                    "opentelemetry-exporter-gcp-trace",
                ])
            {
                false
            } else if starts(&["opentelemetry-exporter-jaeger"])
                || name == "jaeger-client"
                || name == "py-zipkin"
            {
                true
            } else {
                return None;
            }
        }
        Ecosystem::Maven | Ecosystem::Gradle => {
            let (group, artifact) = name.split_once(':').unwrap_or(("", &name));
            if (group == "io.opentelemetry"
                && (artifact.starts_with("opentelemetry-sdk")
                    || artifact.starts_with("opentelemetry-exporter-otlp")
                    || artifact == "opentelemetry-exporter-zipkin"))
                || (group == "io.opentelemetry.instrumentation"
                    && artifact == "opentelemetry-spring-boot-starter")
                || group == "io.opentelemetry.javaagent"
                || (group == "io.micrometer" && artifact.starts_with("micrometer-tracing-bridge"))
                || group == "com.datadoghq" && artifact == "dd-java-agent"
            {
                false
            } else if group == "io.jaegertracing"
                || group.starts_with("io.zipkin")
                || artifact == "opentelemetry-exporter-jaeger"
                || artifact.starts_with("spring-cloud-starter-sleuth")
            {
                true
            } else {
                return None;
            }
        }
        Ecosystem::NuGet => {
            if matches!(
                name.as_str(),
                "opentelemetry"
                    | "opentelemetry.extensions.hosting"
                    | "opentelemetry.exporter.opentelemetryprotocol"
                    | "opentelemetry.exporter.zipkin"
                    | "datadog.trace"
            ) {
                false
            } else if name == "opentelemetry.exporter.jaeger" || name.starts_with("jaeger") {
                true
            } else {
                return None;
            }
        }
        Ecosystem::Gem => {
            if matches!(
                name.as_str(),
                "opentelemetry-sdk" | "opentelemetry-exporter-otlp" | "ddtrace" | "datadog"
            ) {
                false
            } else if name == "jaeger-client" || name == "zipkin-tracer" {
                true
            } else {
                return None;
            }
        }
    };
    Some(deprecated.then_some(DEPRECATED))
}

/// Environment variables that point an OpenTelemetry SDK or agent at a backend.
const OTEL_VARS: [&str; 4] = [
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "OTEL_TRACES_EXPORTER",
];

/// Launchers that auto-instrument a process.
const LAUNCHERS: [&str; 3] = [
    "opentelemetry-javaagent",
    "opentelemetry-instrument",
    "@opentelemetry/auto-instrumentations-node/register",
];

fn otel_var(name: &str, value: Option<&str>) -> bool {
    OTEL_VARS.contains(&name)
        && !(name == "OTEL_TRACES_EXPORTER"
            && value.is_some_and(|v| v.trim().eq_ignore_ascii_case("none")))
}

/// Tracing wired in YAML: Instrumentation objects and inject annotations, OTEL_* environment,
/// launchers in commands, and collector configurations with a traces pipeline. One piece of
/// evidence per file and kind of wiring.
fn yaml_wiring(ws: &Workspace) -> Vec<Evidence> {
    let mut out = Vec::new();
    for file in ws.files_of(FileKind::Yaml) {
        // CI workflows and docs may set OTEL_* for their own runs or show examples.
        if crate::foreign::is_not_ours(&file.path)
            || crate::testing::ecosystems::is_tooling(&file.path)
            || file.name() == ".gitlab-ci.yml"
        {
            continue;
        }
        let mut seen: Vec<&str> = Vec::new();
        let mut push = |what: &'static str, node: Node<'_>, message: String| {
            if !seen.contains(&what) {
                seen.push(what);
                out.push(Evidence::located(&node.location(&file.path), message));
            }
        };
        for doc in file.yaml_docs() {
            let Some(root) = doc.root() else { continue };
            let kind = root.get_str("kind").unwrap_or("");
            let api = root.get_str("apiVersion").unwrap_or("");
            let name = root
                .path(&["metadata", "name"])
                .and_then(|n| n.as_str())
                .unwrap_or("");
            if kind == "Instrumentation" && api.starts_with("opentelemetry.io/") {
                push(
                    "instrumentation",
                    root,
                    format!("Instrumentation/{name}: OpenTelemetry Operator auto-instrumentation"),
                );
            }
            if let Some(traces) = traces_pipeline(root) {
                push(
                    "collector",
                    traces,
                    "OpenTelemetry Collector configuration with a traces pipeline".to_string(),
                );
            }
            if kind == "OpenTelemetryCollector"
                && let Some(config) = root.path(&["spec", "config"])
                && (traces_pipeline(config).is_some()
                    || config.as_str().is_some_and(embeds_traces_pipeline))
            {
                push(
                    "collector",
                    config,
                    format!("OpenTelemetryCollector/{name}: a traces pipeline"),
                );
            }
            if kind == "ConfigMap" {
                for (key, value) in root.get("data").into_iter().flat_map(|d| d.entries()) {
                    if value.as_str().is_some_and(embeds_traces_pipeline) {
                        push(
                            "collector",
                            key,
                            format!(
                                "ConfigMap/{name}: `{}` is an OpenTelemetry Collector configuration with a traces pipeline",
                                key.as_str().unwrap_or("")
                            ),
                        );
                    }
                }
            }
            for node in doc.nodes() {
                for (key, value) in node.entries() {
                    let Some(k) = key.as_str() else { continue };
                    if k.starts_with("instrumentation.opentelemetry.io/inject-")
                        && value.as_str().is_some_and(|v| v.trim() != "false")
                    {
                        push(
                            "annotation",
                            key,
                            format!(
                                "annotation `{k}`: OpenTelemetry Operator injects auto-instrumentation"
                            ),
                        );
                    }
                    // Compose `environment:` as a map.
                    if otel_var(k, value.as_str()) {
                        push("env", key, format!("environment variable {k}"));
                    }
                }
                // Kubernetes `env: [{name, value}]`.
                if let Some(var) = node.get_str("name")
                    && otel_var(var, node.get("value").and_then(|v| v.as_str()))
                    && (node.get("value").is_some() || node.get("valueFrom").is_some())
                {
                    push("env", node, format!("environment variable {var}"));
                }
                if let Some(text) = node.as_str() {
                    // Compose `environment:` as a list (`OTEL_SERVICE_NAME=checkout`).
                    if let Some((var, value)) = text.split_once('=')
                        && otel_var(var.trim(), Some(value))
                    {
                        push("env", node, format!("environment variable {}", var.trim()));
                    }
                    if let Some(launcher) = LAUNCHERS.iter().find(|l| text.contains(**l)) {
                        push(
                            "launcher",
                            node,
                            format!("auto-instrumentation launcher `{launcher}`"),
                        );
                    }
                }
            }
        }
    }
    out
}

/// OTEL_* variables of containers as deployed: kustomize overlays and components rendered,
/// `--manifests` input (patches written as strings in a kustomization are only seen here).
fn rendered_env(ws: &Workspace) -> Vec<Evidence> {
    let mut out = Vec::new();
    for obj in ws.kube_objects() {
        if crate::foreign::is_not_ours(&obj.file.path) {
            continue;
        }
        let Some(template) = obj.pod_template() else {
            continue;
        };
        for container in template.all_containers() {
            let var = container
                .node
                .get("env")
                .into_iter()
                .flat_map(|e| e.items())
                .find_map(|v| {
                    let name = v.get_str("name")?;
                    otel_var(name, v.get("value").and_then(|x| x.as_str())).then_some((v, name))
                });
            if let Some((node, name)) = var {
                out.push(Evidence::located(
                    &node.location(&obj.file.path),
                    format!(
                        "{}: container `{}` sets {name}",
                        obj.display_name_in_rendering(),
                        container.name()
                    ),
                ));
            }
        }
    }
    out
}

/// The `traces` pipeline of a collector configuration (`service.pipelines.traces`, with
/// `receivers` and `exporters` at the top).
fn traces_pipeline<'a>(root: Node<'a>) -> Option<Node<'a>> {
    root.get("receivers")?;
    root.get("exporters")?;
    let pipelines = root.path(&["service", "pipelines"])?;
    pipelines
        .entries()
        .find(|(k, _)| {
            k.as_str()
                .is_some_and(|k| k == "traces" || k.starts_with("traces/"))
        })
        .map(|(k, _)| k)
}

/// Whether an embedded text is a collector configuration with a traces pipeline: top-level
/// `receivers:` and `exporters:`, and a `traces` key after `pipelines:`.
fn embeds_traces_pipeline(text: &str) -> bool {
    let top = |key: &str| text.lines().any(|l| l.starts_with(key));
    let mut in_pipelines = false;
    let mut traces = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("pipelines:") {
            in_pipelines = true;
        } else if in_pipelines && (t.starts_with("traces:") || t.starts_with("traces/")) {
            traces = true;
        }
    }
    top("receivers:") && top("exporters:") && traces
}

/// OTEL_* variables and launchers in Dockerfiles.
fn dockerfile_wiring(ws: &Workspace) -> Vec<Evidence> {
    let mut out = Vec::new();
    for file in ws.files_of(FileKind::Dockerfile) {
        if crate::foreign::is_not_ours(&file.path) {
            continue;
        }
        if let Some(e) = dockerfile_line(file) {
            out.push(e);
        }
    }
    out
}

fn dockerfile_line(file: &SourceFile) -> Option<Evidence> {
    deps::numbered(&file.text).find_map(|(n, line)| {
        let t = line.trim_start();
        if t.starts_with('#') {
            return None;
        }
        let upper = t.to_ascii_uppercase();
        // `ADD`/`COPY` of the agent only ships it: the line that runs it is the evidence.
        let ships = upper.starts_with("ADD ") || upper.starts_with("COPY ");
        if !ships && let Some(launcher) = LAUNCHERS.iter().find(|l| t.contains(**l)) {
            return Some(Evidence::at(
                &file.path,
                n,
                format!("auto-instrumentation launcher `{launcher}`"),
            ));
        }
        if upper.starts_with("ENV ") {
            let var = OTEL_VARS
                .iter()
                .find(|v| t.split([' ', '=']).any(|w| w == **v))?;
            return Some(Evidence::at(
                &file.path,
                n,
                format!("environment variable {var}"),
            ));
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_collector_configs() {
        let text = "receivers:\n  otlp:\n    protocols:\n      grpc:\nexporters:\n  otlp:\n    endpoint: tempo:4317\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [otlp]\n";
        assert!(embeds_traces_pipeline(text));
        let metrics_only = text.replace("traces:", "metrics:");
        assert!(!embeds_traces_pipeline(&metrics_only));
    }

    #[test]
    fn go_sdk_metric_is_not_a_tracer() {
        let ws = Workspace::from_texts(&[(
            "go.mod",
            "module x\nrequire (\n\tgo.opentelemetry.io/otel/sdk/metric v1.31.0\n\tgo.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc v1.31.0\n\tgo.opentelemetry.io/otel/sdk v1.31.0\n)\n",
        )]);
        let lines: Vec<u32> = deps::manifests(&ws)
            .iter()
            .flat_map(|m| &m.dependencies)
            .filter(|d| tracer(d).is_some())
            .map(|d| d.line)
            .collect();
        assert_eq!(lines, vec![4, 5]);
    }

    #[test]
    fn traces_exporter_none_is_not_wiring() {
        assert!(!otel_var("OTEL_TRACES_EXPORTER", Some("none")));
        assert!(otel_var("OTEL_TRACES_EXPORTER", Some("otlp")));
        assert!(!otel_var("OTEL_METRICS_EXPORTER", Some("otlp")));
    }
}
