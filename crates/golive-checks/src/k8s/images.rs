//! The container images production workloads deploy, read once for the checks about images
//! (`delivery/immutable-tags`, `k8s/image-pull-policy`): what is skipped (other environments,
//! unexpanded variables, unreadable references, tags a build tool sets at deploy time) is said
//! the same way in both.

use super::relations::{Environment, Manifests, environment};
use golive_core::kube::Container;
use golive_core::parse::image_ref::{self, ImageRef};
use golive_core::parse::yaml::Node;
use golive_core::{Evidence, Location, Workspace};

/// A readable image reference a production container runs.
pub(crate) struct DeployedImage<'a> {
    /// "Deployment/web: container `app`" (with the overlay when the caller names it).
    pub what: String,
    pub image: &'a str,
    pub parsed: ImageRef,
    /// The `image:` node (its location is where the reference is written).
    pub node: Node<'a>,
    pub container: Container<'a>,
    /// The file of the workload's object (for locations of its nodes).
    pub path: &'a str,
}

impl DeployedImage<'_> {
    pub fn location(&self) -> Location {
        self.node.location(self.path)
    }
}

/// Every production container image, and the evidence for what was passed over.
pub(crate) struct ProductionImages<'a> {
    pub images: Vec<DeployedImage<'a>>,
    pub evidence: Vec<Evidence>,
    /// Containers with an image in production workloads (read or passed over).
    pub seen: usize,
    /// Workloads skipped as another environment's.
    pub skipped_environments: usize,
}

impl ProductionImages<'_> {
    /// The not-applicable reason when no production workload deploys an image.
    pub fn none_reason(&self) -> String {
        if self.skipped_environments > 0 {
            format!(
                "no production workload deploys an image ({} workload(s) in non-production environments skipped)",
                self.skipped_environments
            )
        } else {
            "no workload with a container image in the manifests".to_string()
        }
    }
}

/// The images of production workloads' containers (init containers and sidecars included).
/// `in_rendering`: name the kustomize overlay in `what` (for findings whose truth depends on
/// the environment).
pub(crate) fn production_images<'a>(
    m: &Manifests<'a>,
    ws: &'a Workspace,
    in_rendering: bool,
) -> ProductionImages<'a> {
    let mut out = ProductionImages {
        images: Vec::new(),
        evidence: Vec::new(),
        seen: 0,
        skipped_environments: 0,
    };
    for w in m.workloads() {
        let Some(template) = w.template else {
            continue;
        };
        let name = if in_rendering {
            w.obj.display_name_in_rendering()
        } else {
            w.obj.display_name()
        };
        let path = w.obj.file.path.as_str();
        if let Environment::NonProduction(why) = environment(&w.obj) {
            out.skipped_environments += 1;
            out.evidence.push(Evidence::located(
                &w.obj.location(),
                format!("{name} skipped: not production ({why})"),
            ));
            continue;
        }
        for c in template.all_containers() {
            let Some(node) = c.image() else {
                continue;
            };
            let Some(image) = node.as_text() else {
                continue;
            };
            out.seen += 1;
            let what = format!("{name}: {}", c.describe());
            let here = node.location(path);
            if image_ref::has_variables(image) {
                out.evidence.push(Evidence::located(
                    &here,
                    format!("{what}: image `{image}` skipped: it has unexpanded variables"),
                ));
                continue;
            }
            let Some(parsed) = image_ref::parse(image) else {
                out.evidence.push(Evidence::located(
                    &here,
                    format!(
                        "{what}: image `{image}` skipped: not an image reference golive can read"
                    ),
                ));
                continue;
            };
            // A bare name whose tag every build sets: skaffold `build.artifacts`. (Kustomize
            // `images:` entries are already applied: overlays are rendered.)
            if parsed.is_latest_or_untagged() {
                let base = match &parsed.registry {
                    Some(r) => format!("{r}/{}", parsed.repository),
                    None => parsed.repository.clone(),
                };
                let by = tagged_at_deploy(ws, &base);
                if !by.is_empty() {
                    out.evidence.push(Evidence::located(
                        &here,
                        format!(
                            "{what}: the tag of `{image}` is set at build or deploy time by {}",
                            by.join(", ")
                        ),
                    ));
                    continue;
                }
            }
            out.images.push(DeployedImage {
                what,
                image,
                parsed,
                node,
                container: c,
                path,
            });
        }
    }
    out
}

/// What sets the tag of an image written without one (or with `latest`) at build or deploy
/// time: skaffold build artifacts of that name. `base` is the image without tag
/// (`registry/repository`).
fn tagged_at_deploy<'a>(ws: &'a Workspace, base: &str) -> Vec<&'a str> {
    skaffold_artifacts(ws)
        .into_iter()
        .filter(|(i, _)| *i == base)
        .map(|(_, p)| p)
        .collect()
}

/// Images that skaffold builds and tags at deploy time: (image name, skaffold file).
fn skaffold_artifacts(ws: &Workspace) -> Vec<(&str, &str)> {
    ws.files()
        .iter()
        .filter(|f| matches!(f.name(), "skaffold.yaml" | "skaffold.yml"))
        .flat_map(|f| {
            f.yaml_docs()
                .iter()
                .filter_map(|d| d.root())
                .flat_map(|r| {
                    r.path(&["build", "artifacts"])
                        .into_iter()
                        .flat_map(|a| a.items())
                })
                .filter_map(|a| a.get_str("image"))
                .map(move |image| (image, f.path.as_str()))
        })
        .collect()
}
