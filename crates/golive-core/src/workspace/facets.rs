//! Facet detection: which kinds of artefacts and which language ecosystems a repository has.

use super::{FileKind, Workspace};
use crate::model::Facet;
use crate::parse::yaml::Node;
use rayon::prelude::*;
use std::collections::BTreeSet;

pub(super) fn detect(ws: &Workspace) -> BTreeSet<Facet> {
    let mut found = files_facets(ws);
    // Rendered manifests given on the command line (`--manifests`) are deployed objects too.
    if !ws.manifest_inputs().is_empty() {
        for h in &ws.renders().helm {
            for root in h.file.yaml_docs().iter().filter_map(|d| d.root()) {
                yaml_facets(&h.label, root, &mut found);
            }
        }
    }
    found
}

fn files_facets(ws: &Workspace) -> BTreeSet<Facet> {
    ws.files()
        .par_iter()
        .map(|f| {
            let mut found = BTreeSet::new();
            let name = f.name();
            let path = f.path.as_str();
            match name {
                "Chart.yaml" => {
                    found.insert(Facet::Helm);
                }
                "kustomization.yaml" | "kustomization.yml" | "Kustomization" => {
                    found.insert(Facet::Kustomize);
                }
                ".gitlab-ci.yml" | ".gitlab-ci.yaml" => {
                    found.insert(Facet::GitlabCi);
                }
                "Cargo.toml" => {
                    found.insert(Facet::Cargo);
                }
                "package.json" => {
                    found.insert(Facet::Npm);
                }
                "go.mod" => {
                    found.insert(Facet::Go);
                }
                "pom.xml" => {
                    found.insert(Facet::Maven);
                }
                "build.gradle" | "build.gradle.kts" | "settings.gradle" | "settings.gradle.kts" => {
                    found.insert(Facet::Gradle);
                }
                "pyproject.toml" | "setup.py" | "setup.cfg" | "Pipfile" | "poetry.lock"
                | "uv.lock" => {
                    found.insert(Facet::Python);
                }
                "Gemfile" => {
                    found.insert(Facet::Ruby);
                }
                "openapi.json" | "swagger.json" => {
                    found.insert(Facet::Openapi);
                }
                _ => {}
            }
            if name.starts_with("requirements") && name.ends_with(".txt") {
                found.insert(Facet::Python);
            }
            if name.ends_with(".csproj") || name.ends_with(".fsproj") || name.ends_with(".sln") {
                found.insert(Facet::Dotnet);
            }
            if (path.starts_with(".github/workflows/") && f.kind == FileKind::Yaml)
                && !path.trim_start_matches(".github/workflows/").contains('/')
            {
                found.insert(Facet::GithubActions);
            }
            match f.kind {
                FileKind::Terraform => {
                    found.insert(Facet::Terraform);
                }
                FileKind::Dockerfile => {
                    found.insert(Facet::Docker);
                }
                FileKind::Yaml => {
                    for doc in f.yaml_docs() {
                        if let Some(root) = doc.root() {
                            yaml_facets(name, root, &mut found);
                        }
                    }
                    if holds_rule_groups(f) {
                        found.insert(Facet::PrometheusRules);
                    }
                }
                FileKind::Json
                    if f.text.contains("\"groups\"")
                        && f.json().iter().filter_map(|d| d.root()).any(is_rule_file) =>
                {
                    found.insert(Facet::PrometheusRules);
                }
                _ => {}
            }
            found
        })
        .reduce(BTreeSet::new, |mut a, b| {
            a.extend(b);
            a
        })
}

fn yaml_facets(name: &str, root: Node<'_>, found: &mut BTreeSet<Facet>) {
    let kind = root.get_str("kind");
    let api = root.get_str("apiVersion");
    if let (Some(kind), Some(api)) = (kind, api) {
        if api.starts_with("kustomize.config.k8s.io") {
            found.insert(Facet::Kustomize);
        } else if root.get("metadata").is_some_and(|m| m.is_map()) || kind == "List" {
            found.insert(Facet::Kubernetes);
        }
        match kind {
            "PrometheusRule" => {
                found.insert(Facet::PrometheusRules);
            }
            "AlertmanagerConfig" | "Alertmanager" => {
                found.insert(Facet::Alertmanager);
            }
            "Secret" | "ConfigMap" => {
                let embeds = ["stringData", "data"].iter().any(|k| {
                    root.get(k).is_some_and(|d| {
                        d.entries().any(|(k, _)| {
                            matches!(k.as_str(), Some("alertmanager.yaml" | "alertmanager.yml"))
                        })
                    })
                });
                if embeds {
                    found.insert(Facet::Alertmanager);
                }
            }
            _ => {}
        }
    }
    if is_rule_file(root) {
        found.insert(Facet::PrometheusRules);
    }
    if (name.starts_with("alertmanager") && root.get("route").is_some())
        || (root.get("route").is_some() && root.get("receivers").is_some())
    {
        found.insert(Facet::Alertmanager);
    }
    if root.get("openapi").is_some_and(|v| v.is_scalar())
        || root.get("swagger").is_some_and(|v| v.is_scalar())
    {
        found.insert(Facet::Openapi);
    }
}

/// Rule groups a YAML file holds other than at its root: in a Helm values file (`values*.yaml`,
/// anywhere in it: kube-prometheus-stack's `additionalPrometheusRulesMap`, the prometheus chart's
/// `serverFiles`), or in a rule file embedded in a ConfigMap.
fn holds_rule_groups(f: &super::SourceFile) -> bool {
    if !f.text.contains("groups") {
        return false;
    }
    let name = f.name();
    if name.starts_with("values")
        && f.yaml_docs()
            .iter()
            .flat_map(|d| d.nodes())
            .any(|n| n.is_map() && is_rule_file(n))
    {
        return true;
    }
    f.embedded_yaml()
        .iter()
        .flat_map(|e| e.roots())
        .any(is_rule_file)
}

/// A plain Prometheus rule file: a mapping (not a Kubernetes object) whose
/// `groups: [{name, rules: [{alert|record, expr}]}]` hold at least one rule. The facet and the
/// alert checks share this test so that they agree on what a rule file is.
pub fn is_rule_file(root: Node<'_>) -> bool {
    root.is_map()
        && root.get("kind").is_none()
        && root.get("groups").is_some_and(|groups| {
            groups.items().any(|g| {
                g.get("rules").is_some_and(|rules| {
                    rules.items().any(|r| {
                        (r.get("alert").is_some() || r.get("record").is_some())
                            && r.get("expr").is_some()
                    })
                })
            })
        })
}
