use super::deps;
use golive_core::parse::yaml::{self, Node};
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Dashboards are kept as code, in the repository: Grafana dashboard JSON, jsonnet using
    /// grafonnet, Grafana Operator objects, dashboard ConfigMaps, or Terraform dashboard
    /// resources.
    ///
    /// Recognised:
    ///
    /// - a JSON file that is a Grafana dashboard: a top-level `panels` (or legacy `rows`) list
    ///   with a `title` or `schemaVersion`, also wrapped in `{"dashboard": ...}` as the HTTP API
    ///   exports it;
    /// - `.jsonnet` / `.libsonnet` files that use grafonnet (or grafana-builder), and a
    ///   `jsonnetfile.json` that depends on them;
    /// - `GrafanaDashboard` objects of the Grafana Operator (`grafana.integreatly.org`);
    /// - ConfigMaps (also inside a `ConfigMapList`) with a value that is a Grafana dashboard
    ///   JSON, or labelled `grafana_dashboard` (the Grafana Helm chart's sidecar);
    /// - Terraform `grafana_dashboard`, `datadog_dashboard`, `datadog_dashboard_json`,
    ///   `newrelic_one_dashboard`, `aws_cloudwatch_dashboard` and
    ///   `google_monitoring_dashboard` resources.
    ///
    /// Files under vendored, example and test-data folders are not read. Not applicable when
    /// the repository has neither service code (no language ecosystem) nor anything deployable
    /// (no Kubernetes manifests, Helm chart or Dockerfile).
    ///
    /// ## Why it matters
    /// A dashboard edited by hand in the Grafana UI is lost with the Grafana instance, differs
    /// between environments and is never reviewed. Kept as code, it is versioned with the
    /// service it watches and deployed with it; the monitoring article (002) builds its
    /// dashboards from the same metrics as the alerts, and the checklists ask to "monitor each
    /// service" (003) and "configure services for observability" (004, Monitoring).
    ///
    /// ## How to fix
    /// Export the dashboard's JSON from Grafana into the repository and provision it, e.g. with
    /// the Grafana Helm chart's sidecar:
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: checkout-dashboard
    ///   labels:
    ///     grafana_dashboard: "1"
    /// data:
    ///   checkout.json: |
    ///     {"title": "Checkout", "schemaVersion": 39, "panels": [...]}
    /// ```
    pub struct Dashboards {
        id: "obs/dashboards",
        title: "Dashboards are kept as code",
        category: Observability,
        level: Gold,
        severity: Warning,
        facets: [],
        seeds: [
            "002: Monitoring & Alerting: Grafana dashboards built on the service's metrics",
            "003: Go-live checklist, Monitoring: monitor each service of your application",
            "004: Production Ready Checklist, Monitoring: configure services for observability",
        ],
        fix: "keep the service's dashboards in the repository (Grafana JSON, grafonnet, GrafanaDashboard objects or Terraform) and provision them from there",
    }
}

impl golive_core::Check for Dashboards {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let mut evidence = Vec::new();
        evidence.extend(json_dashboards(ws));
        evidence.extend(jsonnet(ws));
        evidence.extend(kube_dashboards(ws));
        evidence.extend(terraform(ws));
        // A ConfigMap generated from a dashboard file is that file again.
        let mut files = std::collections::HashSet::new();
        evidence.retain(|e| match e.path.as_deref() {
            Some(p) if p.ends_with(".json") => files.insert(p.to_string()),
            _ => true,
        });
        if !evidence.is_empty() {
            return Outcome::Pass(evidence);
        }
        if let Some(reason) = super::no_service(ws) {
            return Outcome::not_applicable(reason);
        }
        Outcome::from_findings(
            vec![Finding::repo(
                "no dashboard kept as code: no Grafana dashboard JSON, grafonnet jsonnet, GrafanaDashboard object, dashboard ConfigMap or Terraform dashboard resource",
            )],
            Vec::new(),
        )
    }
}

fn ours(file: &SourceFile) -> bool {
    !crate::foreign::is_not_ours(&file.path)
}

/// A Grafana dashboard document: `panels` (or legacy `rows`) with a `title` or
/// `schemaVersion`, possibly wrapped in `{"dashboard": ...}`. Its title node (or the root).
fn dashboard(root: Node<'_>) -> Option<Node<'_>> {
    if let Some(inner) = root.get("dashboard").filter(|d| d.is_map()) {
        return dashboard(inner);
    }
    let panels = ["panels", "rows"]
        .iter()
        .any(|k| root.get(k).is_some_and(|p| p.is_seq()));
    let title = root.get("title");
    (panels && (title.is_some() || root.get("schemaVersion").is_some()))
        .then(|| title.unwrap_or(root))
}

fn mentions_panels(text: &str) -> bool {
    text.contains("\"panels\"") || text.contains("\"rows\"")
}

fn title_of(node: Node<'_>) -> String {
    node.as_str()
        .map_or_else(String::new, |t| format!(" `{t}`"))
}

fn json_dashboards(ws: &Workspace) -> Vec<Evidence> {
    let mut out = Vec::new();
    // Only files that mention panels are parsed (not every lock file).
    let candidates = ws
        .files_of(FileKind::Json)
        .filter(|f| ours(f) && mentions_panels(&f.text));
    for file in candidates {
        for doc in file.json() {
            if let Some(title) = doc.root().and_then(dashboard) {
                out.push(Evidence::located(
                    &title.location(&file.path),
                    format!("Grafana dashboard{} (JSON)", title_of(title)),
                ));
            }
        }
    }
    out
}

/// jsonnet dashboards: grafonnet (or grafana-builder) imports, and jsonnet-bundler
/// dependencies on them.
fn jsonnet(ws: &Workspace) -> Vec<Evidence> {
    const LIBRARIES: [&str; 2] = ["grafonnet", "grafana-builder"];
    let mut out = Vec::new();
    for file in ws.files().iter().filter(|f| ours(f)) {
        let lower = file.name().to_ascii_lowercase();
        let source = lower.ends_with(".jsonnet") || lower.ends_with(".libsonnet");
        if !source && lower != "jsonnetfile.json" {
            continue;
        }
        let found = deps::numbered(&file.text).find_map(|(n, line)| {
            let t = line.trim_start();
            if t.starts_with("//") || t.starts_with('#') {
                return None;
            }
            let imports = !source || t.contains("import");
            LIBRARIES
                .iter()
                .find(|l| imports && t.contains(**l))
                .map(|l| (n, *l))
        });
        if let Some((line, library)) = found {
            let what = if source {
                format!("jsonnet dashboard code importing {library}")
            } else {
                format!("jsonnet-bundler dependency on {library}")
            };
            out.push(Evidence::at(&file.path, line, what));
        }
    }
    out
}

/// GrafanaDashboard objects and dashboard ConfigMaps.
fn kube_dashboards(ws: &Workspace) -> Vec<Evidence> {
    let mut out = Vec::new();
    for obj in ws.kube_objects().filter(|o| ours(o.file)) {
        if obj.kind == "GrafanaDashboard" && obj.group().starts_with("grafana.integreatly.org") {
            out.push(Evidence::located(
                &obj.location(),
                format!("{}: Grafana Operator dashboard", obj.display_name()),
            ));
            continue;
        }
        if obj.kind != "ConfigMap" {
            continue;
        }
        let labelled = obj.labels().iter().any(|(k, _)| *k == "grafana_dashboard");
        for (key, value) in obj.node.get("data").into_iter().flat_map(|d| d.entries()) {
            let Some(text) = value.as_str() else { continue };
            let name = key.as_str().unwrap_or("");
            let parsed = if (name.ends_with(".json") || text.trim_start().starts_with('{'))
                && mentions_panels(text)
            {
                yaml::parse(text).ok()
            } else {
                None
            };
            let title = parsed.as_ref().and_then(|docs| {
                docs.iter()
                    .find_map(|d| d.root().and_then(dashboard).map(title_of))
            });
            let message = match (title, labelled) {
                (Some(title), _) => format!(
                    "{}: `{name}` is a Grafana dashboard{title}",
                    obj.display_name()
                ),
                (None, true) if name.ends_with(".json") => format!(
                    "{}: `{name}` in a ConfigMap labelled grafana_dashboard",
                    obj.display_name()
                ),
                _ => continue,
            };
            out.push(Evidence::located(&key.location(&obj.file.path), message));
        }
    }
    out
}

const TERRAFORM_DASHBOARDS: [&str; 6] = [
    "grafana_dashboard",
    "datadog_dashboard",
    "datadog_dashboard_json",
    "newrelic_one_dashboard",
    "aws_cloudwatch_dashboard",
    "google_monitoring_dashboard",
];

fn terraform(ws: &Workspace) -> Vec<Evidence> {
    let mut out = Vec::new();
    for file in ws.files_of(FileKind::Terraform).filter(|f| ours(f)) {
        let Some(Ok(hcl)) = file.hcl() else { continue };
        for block in hcl.blocks_of("resource") {
            let (Some(kind), Some(name)) = (block.label(0), block.label(1)) else {
                continue;
            };
            if TERRAFORM_DASHBOARDS.contains(&kind) {
                out.push(Evidence::located(
                    &block.pos().location(&file.path),
                    format!("Terraform dashboard resource {kind}.{name}"),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_dashboard(text: &str) -> bool {
        let Ok(docs) = yaml::parse(text) else {
            return false;
        };
        docs.first()
            .and_then(|d| d.root())
            .and_then(dashboard)
            .is_some()
    }

    #[test]
    fn dashboard_shapes() {
        assert!(is_dashboard("{\"title\": \"API\", \"panels\": []}"));
        assert!(is_dashboard(
            "{\"schemaVersion\": 16, \"rows\": [{\"panels\": []}]}"
        ));
        assert!(is_dashboard(
            "{\"dashboard\": {\"title\": \"API\", \"panels\": []}, \"overwrite\": true}"
        ));
        // A panel list alone (a library panel export, a UI config) is not a dashboard.
        assert!(!is_dashboard("{\"panels\": []}"));
        assert!(!is_dashboard("{\"title\": \"x\", \"panels\": {}}"));
    }
}
