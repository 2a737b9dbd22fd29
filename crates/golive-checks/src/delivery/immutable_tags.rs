use crate::k8s::relations::{Environment, Manifests, environment};
use golive_core::parse::image_ref::{self, TagKind};
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, Workspace, declare_check};

declare_check! {
    /// ## What it checks
    /// Every image a Kubernetes workload deploys is pinned: by digest, or by a tag that names
    /// one build (a version, a commit SHA or a date), never `latest`, no tag at all, or a tag
    /// that moves (`main`, `master`, `stable`, `dev`, `edge`, `nightly`, `alpine`, ...).
    ///
    /// Every container of every pod template is checked, init containers and sidecars
    /// included (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods, Argo Rollouts).
    /// Kustomize overlays are rendered first, so an overlay's `images:` entry (`newTag`,
    /// `digest`) is what gets checked, and a finding points at that entry; a bare image name in
    /// a base (`image: web`) is not a finding when a `skaffold.yaml` build artifact sets its tag
    /// at deploy time. Images with unexpanded
    /// variables (`${TAG}`, `{{ .Values.tag }}`) are skipped with a note, and so are tags
    /// golive cannot classify (`bookworm`, `build-42`): pin those by digest to be sure.
    /// Manifests for another environment (a path or namespace naming `dev`, `staging`,
    /// ...; see `k8s/replicas`) are skipped. Images of operator resources (Prometheus,
    /// Alertmanager `spec.image`) are not checked.
    ///
    /// ## Why it matters
    /// A moving tag makes a deploy unrepeatable: two nodes pulling `app:latest` an hour apart
    /// run different code, a restart silently upgrades, and a rollback to "the previous
    /// version" redeploys whatever the tag points at now. Only an immutable reference says
    /// exactly what runs and lets you roll back to it. (Production Ready Checklist, continuous
    /// delivery: "promote artifacts", "set up immutable infrastructure", "roll back in case of
    /// failure"; go-live checklist, versioning: "all components should be versioned".)
    ///
    /// ## How to fix
    /// Deploy the version (or the digest) your pipeline built:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: ghcr.io/acme/app:1.4.2
    ///     # or, immutable even if the tag is re-pushed:
    ///     # image: ghcr.io/acme/app:1.4.2@sha256:3f5e...
    /// ```
    pub struct ImmutableTags {
        id: "delivery/immutable-tags",
        title: "Deployed images are pinned to an immutable tag or digest",
        category: Delivery,
        level: Bronze,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "004: Continuous Delivery: promote artifacts; set up immutable infrastructure; roll back in case of failure",
            "003: Versioning: all components should be versioned",
        ],
        fix: "deploy a version, commit-SHA or date tag, or pin the image by digest (image: repo:1.4.2@sha256:...)",
    }
}

impl golive_core::Check for ImmutableTags {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut images = 0;
        let mut skipped_environments = 0;
        for w in m.workloads() {
            let Some(template) = w.template else {
                continue;
            };
            let name = w.obj.display_name_in_rendering();
            let path = &w.obj.file.path;
            if let Environment::NonProduction(why) = environment(&w.obj) {
                skipped_environments += 1;
                evidence.push(Evidence::located(
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
                images += 1;
                let what = format!("{name}: {}", c.describe());
                if image_ref::has_variables(image) {
                    evidence.push(Evidence::located(
                        &node.location(path),
                        format!("{what}: image `{image}` skipped: it has unexpanded variables"),
                    ));
                    continue;
                }
                let Some(parsed) = image_ref::parse(image) else {
                    evidence.push(Evidence::located(&node.location(path),
                        format!("{what}: image `{image}` skipped: not an image reference golive can read"),
                    ));
                    continue;
                };
                let base = match &parsed.registry {
                    Some(r) => format!("{r}/{}", parsed.repository),
                    None => parsed.repository.clone(),
                };
                // A base written with a bare name whose tag every build sets: skaffold
                // (`build.artifacts`). (Kustomize `images:` entries are applied by rendering.)
                if parsed.is_latest_or_untagged() {
                    let tagged_by = tagged_at_deploy(cx.ws, &base);
                    if !tagged_by.is_empty() {
                        evidence.push(Evidence::located(
                            &node.location(path),
                            format!(
                                "{what}: the tag of `{image}` is set at build or deploy time by {}",
                                tagged_by.join(", ")
                            ),
                        ));
                        continue;
                    }
                }
                judge(
                    image,
                    &parsed,
                    node,
                    path,
                    &what,
                    &mut findings,
                    &mut evidence,
                );
            }
        }
        if images == 0 {
            return Outcome::not_applicable(if skipped_environments > 0 {
                format!(
                    "no production workload deploys an image ({skipped_environments} workload(s) in non-production environments skipped)"
                )
            } else {
                "no workload with a container image in the manifests".to_string()
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// What sets the tag of an image written without one (or with `latest`) at build or deploy
/// time: skaffold build artifacts of that name (kustomize `images:` entries are applied when
/// overlays are rendered, so they need no lookup). `base` is the image without tag
/// (`registry/repository`).
pub(crate) fn tagged_at_deploy<'a>(ws: &'a Workspace, base: &str) -> Vec<&'a str> {
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

/// A finding for a moving reference, evidence otherwise.
fn judge(
    image: &str,
    parsed: &image_ref::ImageRef,
    node: Node<'_>,
    path: &str,
    what: &str,
    findings: &mut Vec<Finding>,
    evidence: &mut Vec<Evidence>,
) {
    let pinned_as = match parsed.tag_kind() {
        TagKind::Digest => "a digest",
        TagKind::Semver => "a version tag",
        TagKind::CommitSha => "a commit-SHA tag",
        TagKind::Date => "a date tag",
        TagKind::Other => {
            evidence.push(Evidence::located(&node.location(path),
                format!(
                    "{what}: image `{image}` has a tag golive cannot classify as immutable or moving; pin it by digest to be sure"
                ),
            ));
            return;
        }
        TagKind::Mutable => {
            let message = match parsed.tag.as_deref() {
                None => format!("{what}: image `{image}` has no tag, so Kubernetes pulls `latest`"),
                Some("latest") => format!("{what}: image `{image}` uses the moving `latest` tag"),
                Some(tag) => {
                    format!("{what}: image `{image}` uses `{tag}`, a tag that moves to new builds")
                }
            };
            let mut finding = Finding::at(node.location(path), message);
            if parsed.tag.is_none() {
                finding = finding.with_help(
                    "deploy a version, commit-SHA or date tag, or a digest; if a tool sets the tag at deploy time, scan its rendered output (--manifests) or declare it (kustomize images:, skaffold build.artifacts)",
                );
            }
            findings.push(finding);
            return;
        }
    };
    evidence.push(Evidence::located(
        &node.location(path),
        format!("{what}: image `{image}` is pinned by {pinned_as}"),
    ));
}
