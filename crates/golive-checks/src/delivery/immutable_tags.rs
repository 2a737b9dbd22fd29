use crate::k8s::relations::{Environment, ImageOverride, Manifests, environment, path_environment};
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
    /// Every `images:` entry of a production kustomization or component that sets `newTag` or
    /// `digest` is a deployed reference and is checked too. A bare image name in a base
    /// (`image: web`) is not a finding when a production kustomization's `images:` entry or a
    /// `skaffold.yaml` build artifact sets its tag at deploy time. Images with unexpanded
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
        let overrides: Vec<&ImageOverride<'_>> = m
            .image_overrides()
            .iter()
            .filter(|o| o.new_tag.is_some() || o.digest.is_some())
            .filter(|o| path_environment(o.path) == Environment::Production)
            .collect();
        let built = skaffold_artifacts(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut images = 0;
        let mut skipped_environments = 0;
        for w in m.workloads() {
            let Some(template) = w.template else {
                continue;
            };
            let name = w.obj.display_name();
            let path = &w.obj.file.path;
            if let Environment::NonProduction(why) = environment(&w.obj) {
                skipped_environments += 1;
                evidence.push(Evidence::at(
                    path,
                    w.obj.location().line,
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
                    evidence.push(Evidence::at(
                        path,
                        node.line(),
                        format!("{what}: image `{image}` skipped: it has unexpanded variables"),
                    ));
                    continue;
                }
                let Some(parsed) = image_ref::parse(image) else {
                    evidence.push(Evidence::at(
                        path,
                        node.line(),
                        format!("{what}: image `{image}` skipped: not an image reference golive can read"),
                    ));
                    continue;
                };
                let base = match &parsed.registry {
                    Some(r) => format!("{r}/{}", parsed.repository),
                    None => parsed.repository.clone(),
                };
                // A base written with a bare name whose tag every build sets: kustomize
                // overlays (`images:`) or skaffold (`build.artifacts`).
                if parsed.is_latest_or_untagged() {
                    let tagged_by: Vec<&str> = overrides
                        .iter()
                        .filter(|o| o.name == base && !o.component)
                        .map(|o| o.path)
                        .chain(built.iter().filter(|(i, _)| *i == base).map(|(_, p)| *p))
                        .collect();
                    if !tagged_by.is_empty() {
                        evidence.push(Evidence::at(
                            path,
                            node.line(),
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
        // Each production `images:` entry that sets the tag is a deployed reference too.
        for o in &overrides {
            let name = o.new_name.unwrap_or(o.name);
            let (reference, node) = match (o.digest, o.new_tag) {
                (Some(d), _) => (format!("{name}@{}", d.as_str().unwrap_or("")), d),
                (None, Some(t)) => (format!("{name}:{}", t.as_str().unwrap_or("")), t),
                (None, None) => continue,
            };
            images += 1;
            let what = format!("kustomize images: entry for `{}`", o.name);
            if image_ref::has_variables(&reference) {
                evidence.push(Evidence::at(
                    o.path,
                    node.line(),
                    format!("{what}: `{reference}` skipped: it has unexpanded variables"),
                ));
                continue;
            }
            match image_ref::parse(&reference) {
                Some(parsed) => judge(
                    &reference,
                    &parsed,
                    node,
                    o.path,
                    &what,
                    &mut findings,
                    &mut evidence,
                ),
                None => evidence.push(Evidence::at(
                    o.path,
                    node.line(),
                    format!(
                        "{what}: `{reference}` skipped: not an image reference golive can read"
                    ),
                )),
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
/// time: the production kustomizations' `images:` entries for it (not components) and skaffold
/// build artifacts of that name. `base` is the image without tag (`registry/repository`).
pub(crate) fn tagged_at_deploy<'a>(
    m: &Manifests<'a>,
    ws: &'a Workspace,
    base: &str,
) -> Vec<&'a str> {
    m.image_overrides()
        .iter()
        .filter(|o| o.new_tag.is_some() || o.digest.is_some())
        .filter(|o| path_environment(o.path) == Environment::Production)
        .filter(|o| o.name == base && !o.component)
        .map(|o| o.path)
        .chain(
            skaffold_artifacts(ws)
                .into_iter()
                .filter(|(i, _)| *i == base)
                .map(|(_, p)| p),
        )
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
            evidence.push(Evidence::at(
                path,
                node.line(),
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
    evidence.push(Evidence::at(
        path,
        node.line(),
        format!("{what}: image `{image}` is pinned by {pinned_as}"),
    ));
}
