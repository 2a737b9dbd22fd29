use crate::foreign;
use golive_core::parse::yaml::Node;
use golive_core::workspace::FileKind;
use golive_core::{
    Context, Evidence, Finding, Location, Outcome, Severity, SourceFile, Workspace, declare_check,
};

declare_check! {
    /// ## What it checks
    /// A Helm chart's values set production defaults, when golive has no rendered output of
    /// the chart: every component sets cpu and memory requests and a memory limit, does not run
    /// a single replica, has probes, and multi-replica charts ship a PodDisruptionBudget.
    ///
    /// Templates are not rendered without values from an install, so this check reads the
    /// chart the way a reviewer does: `values.yaml` (and a production values file beside it,
    /// `values-prod.yaml`, `values-production.yaml`, `values.prod.yaml`, `prod-values.yaml`
    /// or `values/production.yaml`, whose settings win), and the templates' text.
    /// A component is the chart itself when `values.yaml` has top-level `image`, `resources`
    /// or `replicaCount`, and each top-level mapping that has one of those keys (umbrella
    /// charts like `frontend:`, `cartService:`); components switched off (`create: false`,
    /// `enabled: false`) are passed over.
    /// - `resources` must set `requests.cpu`, `requests.memory` and `limits.memory`
    ///   (`resources: {}`, the `helm create` default, is a finding); a component without
    ///   `resources` passes only when the templates write requests themselves.
    /// - `replicaCount` (or `replicas`) below 2 is a warning unless `autoscaling.enabled` is
    ///   true with `minReplicas` of 2 or more.
    /// - Probes: the templates (or the values) must define a `readinessProbe`.
    /// - When any component runs 2 or more replicas, a PodDisruptionBudget template must exist
    ///   and not be switched off in the values (`podDisruptionBudget.enabled: false`).
    ///
    /// When rendered output is given (`helm template ... | golive check --manifests -`), the
    /// rendered objects are checked by the `k8s/*` checks instead and this check does not apply.
    /// Charts vendored under another chart's `charts/` folder are dependencies and are not checked.
    ///
    /// ## Why it matters
    /// A chart's defaults are what most installs run: a chart that ships `resources: {}` and
    /// `replicaCount: 1` puts an unbounded single pod into production unless every installer
    /// remembers to override both. (Production Ready Checklist: resource requests and limits,
    /// multiple replicas, disruption budgets; Kubernetes go-live checklist: health probes.)
    ///
    /// ## How to fix
    /// ```yaml
    /// # values.yaml (or values-production.yaml)
    /// replicaCount: 3
    /// resources:
    ///   requests: { cpu: 100m, memory: 128Mi }
    ///   limits: { memory: 256Mi }
    /// podDisruptionBudget:
    ///   enabled: true
    ///   maxUnavailable: 1
    /// ```
    /// Better still, check what you deploy: `helm template rel ./chart -f values-production.yaml |
    /// golive check --manifests -`.
    pub struct HelmValues {
        id: "k8s/helm-values",
        title: "Helm charts ship production defaults",
        category: Kubernetes,
        level: Silver,
        severity: Error,
        facets: [Helm],
        seeds: [
            "004: Production Ready Checklist: set resource requests and limits; run multiple replicas; use PodDisruptionBudgets",
            "002: Kubernetes: liveness and readiness probes for every long-running container",
        ],
        fix: "set resources, replicaCount >= 2 (or autoscaling) and a PodDisruptionBudget in the chart's values",
    }
}

/// Names of production values files, relative to the chart folder.
const PRODUCTION_VALUES: &[&str] = &[
    "values-prod.yaml",
    "values-production.yaml",
    "values.prod.yaml",
    "values.production.yaml",
    "prod-values.yaml",
    "production-values.yaml",
    "values/prod.yaml",
    "values/production.yaml",
];

/// A chart's values: the production file (if any) over `values.yaml`.
struct Values<'a> {
    layers: Vec<(&'a SourceFile, Node<'a>)>,
}

impl<'a> Values<'a> {
    /// The value at `keys` and the file that sets it (production values first).
    fn get(&self, keys: &[&str]) -> Option<(Node<'a>, &'a SourceFile)> {
        self.layers
            .iter()
            .find_map(|(f, root)| root.path(keys).filter(|n| !n.is_null()).map(|n| (n, *f)))
    }
}

impl golive_core::Check for HelmValues {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        if !cx.ws.renders().helm.is_empty() {
            return Outcome::not_applicable(
                "rendered manifests were given with --manifests: the k8s/* checks check the rendered objects",
            );
        }
        let charts: Vec<&SourceFile> = cx
            .ws
            .files()
            .iter()
            .filter(|f| f.name() == "Chart.yaml" && !foreign::is_not_ours(&f.path))
            .filter(|f| !f.dir().split('/').any(|s| s == "charts") || !nested_chart(cx.ws, f))
            .collect();
        if charts.is_empty() {
            return Outcome::not_applicable("no Helm chart of the repository's own");
        }
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        for chart in charts {
            check_chart(cx.ws, chart, &mut findings, &mut evidence);
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// Whether a chart sits in another chart's `charts/` folder (a vendored dependency).
fn nested_chart(ws: &Workspace, chart: &SourceFile) -> bool {
    let dir = chart.dir();
    let mut parts: Vec<&str> = dir.split('/').collect();
    while let Some(last) = parts.pop() {
        if last == "charts" {
            let parent = parts.join("/");
            let parent_chart = if parent.is_empty() {
                "Chart.yaml".to_string()
            } else {
                format!("{parent}/Chart.yaml")
            };
            if ws.file(&parent_chart).is_some() {
                return true;
            }
        }
    }
    false
}

fn in_chart(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    }
}

fn check_chart(
    ws: &Workspace,
    chart: &SourceFile,
    findings: &mut Vec<Finding>,
    evidence: &mut Vec<Evidence>,
) {
    let dir = chart.dir();
    let label = chart
        .yaml_docs()
        .first()
        .and_then(|d| d.root())
        .and_then(|r| r.get_str("name"))
        .unwrap_or(if dir.is_empty() { "." } else { dir });
    let templates: Vec<&SourceFile> = ws
        .files()
        .iter()
        .filter(|f| f.path.starts_with(&in_chart(dir, "templates/")))
        .filter(|f| matches!(f.kind, FileKind::HelmTemplate | FileKind::Yaml))
        .collect();
    let template_text = |needle: &str| templates.iter().find(|t| t.text.contains(needle));
    let mut layers = Vec::new();
    for name in PRODUCTION_VALUES {
        if let Some(f) = ws.file(&in_chart(dir, name))
            && let Some(root) = f.yaml_docs().first().and_then(|d| d.root())
        {
            layers.push((f, root));
            evidence.push(Evidence::file(
                &f.path,
                format!(
                    "chart `{label}`: production values read from {} over values.yaml",
                    f.path
                ),
            ));
            break;
        }
    }
    let Some(values_file) = ws.file(&in_chart(dir, "values.yaml")) else {
        findings.push(
            Finding::at(
                Location::file(&chart.path),
                format!("chart `{label}` has no values.yaml: golive cannot see its defaults"),
            )
            .with_severity(Severity::Warning)
            .with_help("add a values.yaml, or check rendered output with --manifests"),
        );
        return;
    };
    let Some(root) = values_file
        .yaml_docs()
        .first()
        .and_then(|d| d.root())
        .filter(|r| r.is_map())
    else {
        evidence.push(Evidence::file(
            &values_file.path,
            format!("chart `{label}`: values.yaml is empty"),
        ));
        return;
    };
    layers.push((values_file, root));
    let values = Values { layers };
    evidence.push(Evidence::file(
        &chart.path,
        format!("chart `{label}` checked through its values only (pass `helm template` output with --manifests to check the rendered objects)"),
    ));

    // Components: the chart itself, and top-level mappings that configure a workload.
    let is_component = |n: Node<'_>| {
        ["image", "resources", "replicaCount"]
            .iter()
            .any(|k| n.get(k).is_some())
    };
    let mut components: Vec<(String, Vec<&str>)> = Vec::new();
    if is_component(root) {
        components.push((String::new(), Vec::new()));
    }
    for (k, v) in root.entries() {
        let Some(key) = k.as_str() else { continue };
        if v.is_map() && is_component(v) {
            components.push((key.to_string(), vec![key]));
        }
    }
    let mut max_replicas = 0;
    for (component, prefix) in &components {
        // "chart `web`" for the chart itself, "chart `shop`: `frontend`" for a component.
        let name = if component.is_empty() {
            format!("chart `{label}`")
        } else {
            format!("chart `{label}`: `{component}`")
        };
        let at = |rest: &[&'static str]| -> Vec<&str> {
            prefix.iter().copied().chain(rest.iter().copied()).collect()
        };
        let off = ["create", "enabled"]
            .iter()
            .any(|k| values.get(&at(&[k])).and_then(|(n, _)| n.as_bool()) == Some(false));
        if off {
            evidence.push(Evidence::file(
                &values_file.path,
                format!("{name} is switched off in the values"),
            ));
            continue;
        }
        // Resources.
        match values.get(&at(&["resources"])) {
            Some((res, file)) => {
                let missing: Vec<&str> = [
                    (["requests", "cpu"], "requests.cpu"),
                    (["requests", "memory"], "requests.memory"),
                    (["limits", "memory"], "limits.memory"),
                ]
                .iter()
                .filter(|(keys, _)| res.path(keys).is_none_or(|n| n.is_null()))
                .map(|(_, what)| *what)
                .collect();
                if missing.is_empty() {
                    evidence.push(Evidence::located(
                        &res.location(&file.path),
                        format!("{name} sets requests and a memory limit"),
                    ));
                } else {
                    findings.push(Finding::at(
                        res.location(&file.path),
                        if res.is_empty() {
                            format!("{name} ships `resources: {{}}`: pods run without requests or a memory limit")
                        } else {
                            format!("{name} resources lack {}", missing.join(", "))
                        },
                    ));
                }
            }
            None => match template_text("requests:") {
                Some(t) => evidence.push(Evidence::file(
                    &t.path,
                    format!("{name} has no resources in the values; the templates write requests"),
                )),
                None => findings.push(Finding::at(
                    Location::file(&values_file.path),
                    format!("{name} sets no resources in the values and the templates write none"),
                )),
            },
        }
        // Replicas.
        let replicas = values
            .get(&at(&["replicaCount"]))
            .or_else(|| values.get(&at(&["replicas"])));
        let autoscaled = values
            .get(&at(&["autoscaling", "enabled"]))
            .and_then(|(n, _)| n.as_bool())
            == Some(true);
        let min_replicas = values
            .get(&at(&["autoscaling", "minReplicas"]))
            .and_then(|(n, _)| n.as_i64())
            .unwrap_or(1);
        match replicas.and_then(|(n, f)| Some((n.as_i64()?, n, f))) {
            _ if autoscaled && min_replicas >= 2 => {
                max_replicas = max_replicas.max(min_replicas);
                evidence.push(Evidence::file(
                    &values_file.path,
                    format!("{name} autoscales from {min_replicas} replicas"),
                ));
            }
            Some((n, node, file)) if n < 2 => findings.push(
                Finding::at(
                    node.location(&file.path),
                    format!("{name} runs {n} replica{} by default{}", if n == 1 { "" } else { "s" }, if autoscaled { " and autoscaling starts below 2" } else { "" }),
                )
                .with_severity(Severity::Warning)
                .with_help("set replicaCount: 2 or more (or autoscaling.enabled with minReplicas >= 2) in the production values"),
            ),
            Some((n, node, file)) => {
                max_replicas = max_replicas.max(n);
                evidence.push(Evidence::located(
                    &node.location(&file.path),
                    format!("{name} runs {n} replicas"),
                ));
            }
            None => evidence.push(Evidence::file(
                &values_file.path,
                format!("{name} sets no replica count in the values (the templates decide)"),
            )),
        }
    }
    if components.is_empty() {
        evidence.push(Evidence::file(
            &values_file.path,
            format!(
                "chart `{label}`: no component with image, resources or replicaCount in values.yaml"
            ),
        ));
    }
    // Probes: chart-wide.
    let has_workload = templates.iter().any(|t| {
        [
            "kind: Deployment",
            "kind: StatefulSet",
            "kind: DaemonSet",
            "kind: Rollout",
        ]
        .iter()
        .any(|k| t.text.contains(k))
    });
    if has_workload {
        match template_text("readinessProbe") {
            Some(t) => evidence.push(Evidence::file(
                &t.path,
                format!("chart `{label}`: the templates define readiness probes"),
            )),
            None if values.get(&["readinessProbe"]).is_some() => evidence.push(Evidence::file(
                &values_file.path,
                format!("chart `{label}`: the values define a readinessProbe"),
            )),
            None => {
                let at = templates
                    .iter()
                    .find(|t| {
                        t.text.contains("kind: Deployment") || t.text.contains("kind: StatefulSet")
                    })
                    .map(|t| t.path.as_str())
                    .unwrap_or(chart.path.as_str());
                findings.push(Finding::at(
                    Location::file(at),
                    format!("chart `{label}`: no readinessProbe in the templates or the values"),
                ));
            }
        }
    }
    // Disruption budgets, when the chart runs several replicas.
    if max_replicas >= 2 {
        let disabled = ["podDisruptionBudget", "pdb"].iter().find_map(|k| {
            let (n, f) = values
                .get(&[k, "enabled"])
                .or_else(|| values.get(&[k, "create"]))?;
            (n.as_bool() == Some(false)).then_some((n, f))
        });
        match (template_text("PodDisruptionBudget"), disabled) {
            (Some(_), Some((node, file))) => findings.push(
                Finding::at(
                    node.location(&file.path),
                    format!("chart `{label}` runs {max_replicas} replicas but its PodDisruptionBudget is switched off"),
                )
                .with_severity(Severity::Warning),
            ),
            (Some(t), None) => evidence.push(Evidence::file(
                &t.path,
                format!("chart `{label}`: a PodDisruptionBudget template exists"),
            )),
            (None, _) => findings.push(
                Finding::at(
                    Location::file(&chart.path),
                    format!("chart `{label}` runs {max_replicas} replicas but has no PodDisruptionBudget template"),
                )
                .with_severity(Severity::Warning),
            ),
        }
    }
}
