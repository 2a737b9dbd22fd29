//! GitOps objects in the scanned manifests: Argo CD `Application`/`ApplicationSet` and Flux
//! `Kustomization`/`HelmRelease`. Their presence means a controller deploys what the repository
//! says; where they point (path, namespace, name) says which environment.

use crate::delivery::pipeline::{EnvKind, env_kind};
use crate::k8s::relations::Manifests;
use golive_core::Location;
use golive_core::kube::KubeObject;

/// One GitOps object.
pub(crate) struct App<'a> {
    pub obj: KubeObject<'a>,
    /// `Argo CD` or `Flux`.
    pub tool: &'static str,
    /// Argo CD: `syncPolicy.automated` is set; Flux: not `suspend: true`.
    pub automated: bool,
    /// What it deploys: a path, a chart (for messages and the environment).
    pub source: Option<String>,
    /// The environment its name, source path, destination namespace or own folder names
    /// (production wins when one of them names it).
    pub env: Option<EnvKind>,
    pub location: Location,
}

impl App<'_> {
    /// `Argo CD Application/shop-prod`, for messages.
    pub fn describe(&self) -> String {
        format!("{} {}", self.tool, self.obj.display_name())
    }

    pub fn is_production(&self) -> bool {
        !matches!(self.env, Some(EnvKind::Other(_)))
    }
}

/// The GitOps objects of the scan (kustomize patches excluded).
pub(crate) fn apps<'a>(m: &Manifests<'a>) -> Vec<App<'a>> {
    m.objects().iter().filter_map(|o| app(*o)).collect()
}

fn app(obj: KubeObject<'_>) -> Option<App<'_>> {
    let group = obj.group();
    let (tool, spec) = match (group, obj.kind) {
        ("argoproj.io", "Application") => ("Argo CD", obj.node.get("spec")?),
        ("argoproj.io", "ApplicationSet") => {
            ("Argo CD", obj.node.path(&["spec", "template", "spec"])?)
        }
        ("kustomize.toolkit.fluxcd.io", "Kustomization")
        | ("helm.toolkit.fluxcd.io", "HelmRelease") => ("Flux", obj.node.get("spec")?),
        _ => return None,
    };
    let (automated, source) = if tool == "Argo CD" {
        let automated = spec
            .path(&["syncPolicy", "automated"])
            .is_some_and(|a| !a.is_null() || a.is_map())
            && spec
                .path(&["syncPolicy", "automated", "enabled"])
                .and_then(|e| e.as_bool())
                != Some(false);
        let sources = spec
            .get("source")
            .into_iter()
            .chain(spec.get("sources").into_iter().flat_map(|s| s.items()));
        let source = sources
            .filter_map(|s| s.get_str("path").or_else(|| s.get_str("chart")))
            .next()
            .map(str::to_string);
        (automated, source)
    } else {
        let suspended = spec.get("suspend").and_then(|s| s.as_bool()) == Some(true);
        let source = spec
            .get_str("path")
            .or_else(|| {
                spec.path(&["chart", "spec", "chart"])
                    .and_then(|c| c.as_text())
            })
            .map(str::to_string);
        (!suspended, source)
    };
    let namespace = if tool == "Argo CD" {
        spec.path(&["destination", "namespace"])
            .and_then(|n| n.as_text())
    } else {
        spec.get_str("targetNamespace").or(obj.namespace())
    };
    let env = [
        obj.name(),
        source.as_deref(),
        namespace,
        Some(obj.file.dir()),
    ]
    .into_iter()
    .flatten()
    .filter_map(env_kind)
    .min_by_key(|k| matches!(k, EnvKind::Other(_)));
    Some(App {
        obj,
        tool,
        automated,
        source,
        env,
        location: obj.location(),
    })
}
