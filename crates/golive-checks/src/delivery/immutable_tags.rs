use crate::k8s::images::production_images;
use crate::k8s::relations::Manifests;
use golive_core::parse::image_ref::{self, TagKind};
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

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
        let deployed = production_images(&m, cx.ws, true);
        if deployed.seen == 0 {
            return Outcome::not_applicable(deployed.none_reason());
        }
        let mut findings = Vec::new();
        let mut evidence = deployed.evidence;
        for d in &deployed.images {
            judge(
                d.image,
                &d.parsed,
                d.node,
                d.path,
                &d.what,
                &mut findings,
                &mut evidence,
            );
        }
        Outcome::from_findings(findings, evidence)
    }
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
