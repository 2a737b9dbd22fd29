use super::relations::{Environment, Manifests, environment};
use crate::delivery::immutable_tags::tagged_at_deploy;
use golive_core::parse::image_ref::{self, TagKind};
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// No container runs an image on a moving tag (`latest`, no tag, `main`, `stable`, `dev`,
    /// ...) without a digest while its `imagePullPolicy` is `IfNotPresent` or `Never`, written or
    /// by default.
    ///
    /// Kubernetes defaults `imagePullPolicy` to `Always` for an image with no tag or the
    /// `latest` tag (and no digest), and to `IfNotPresent` for every other tag: so `app:main`
    /// with no `imagePullPolicy` is pulled once per node and then never again. Every container
    /// of every pod template is checked, init containers and sidecars included. Images pinned
    /// by digest, or on a tag that names one build (a version, a commit SHA, a date), are fine
    /// with any policy. A bare image whose tag a production kustomization (`images:`) or
    /// skaffold sets at deploy time is passed over, and so are images with unexpanded variables
    /// and tags golive cannot classify (`bookworm`). Manifests for another environment (a path
    /// or namespace naming `dev`, `staging`, ...) are skipped, as in `delivery/immutable-tags`.
    ///
    /// This check is about the pull policy only: that the tag moves at all is
    /// `delivery/immutable-tags`' finding. `latest` pulled `Always` (the default) passes here
    /// and fails there. `IfNotPresent` is an error; `Never` is a warning (it is meant for images
    /// loaded onto the node by hand, as in local clusters).
    ///
    /// ## Why it matters
    /// With `IfNotPresent` a node keeps running whatever `app:main` meant when it first pulled
    /// it: after a push, new pods on fresh nodes run the new build and pods on old nodes the
    /// old one, a rollout "succeeds" without changing anything, and no one can tell which code
    /// serves a request. (Production Ready Checklist, continuous delivery: "promote artifacts",
    /// "set up immutable infrastructure"; Kubernetes images: the default pull policy is
    /// `IfNotPresent` unless the tag is `latest` or missing.)
    ///
    /// ## How to fix
    /// Deploy an immutable reference (best), or make the moving tag pulled every time:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: ghcr.io/acme/app:1.4.2     # best: a version, SHA or digest
    ///     # or, if the tag must move:
    ///     # image: ghcr.io/acme/app:main
    ///     # imagePullPolicy: Always
    /// ```
    pub struct ImagePullPolicy {
        id: "k8s/image-pull-policy",
        title: "Moving image tags are not pulled with IfNotPresent",
        category: Kubernetes,
        level: Bronze,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "004: Continuous Delivery: promote artifacts; set up immutable infrastructure",
            "002: Kubernetes images: imagePullPolicy defaults to IfNotPresent unless the tag is latest or missing",
        ],
        fix: "deploy a version, commit-SHA or digest reference; if the tag must move, set imagePullPolicy: Always",
    }
}

impl golive_core::Check for ImagePullPolicy {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let (mut images, mut skipped_environments) = (0, 0);
        for w in m.workloads() {
            let Some(template) = w.template else {
                continue;
            };
            let name = w.obj.display_name();
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
                let here = node.location(path);
                if image_ref::has_variables(image) {
                    evidence.push(Evidence::located(
                        &here,
                        format!("{what}: image `{image}` skipped: it has unexpanded variables"),
                    ));
                    continue;
                }
                let Some(parsed) = image_ref::parse(image) else {
                    evidence.push(Evidence::located(
                        &here,
                        format!("{what}: image `{image}` skipped: not an image reference golive can read"),
                    ));
                    continue;
                };
                let policy = c.node.get("imagePullPolicy").filter(|p| !p.is_null());
                let written = policy.and_then(|p| p.as_text());
                let default = if parsed.is_latest_or_untagged() {
                    "Always"
                } else {
                    "IfNotPresent"
                };
                let effective = written.unwrap_or(default);
                let how = match written {
                    Some(p) => format!("imagePullPolicy: {p}"),
                    None => format!("imagePullPolicy {default} by default"),
                };
                match parsed.tag_kind() {
                    TagKind::Digest | TagKind::Semver | TagKind::CommitSha | TagKind::Date => {
                        evidence.push(Evidence::located(
                            &here,
                            format!("{what}: image `{image}` names one build, so {how} is safe"),
                        ));
                        continue;
                    }
                    TagKind::Other => {
                        evidence.push(Evidence::located(
                            &here,
                            format!(
                                "{what}: image `{image}` passed over: golive cannot tell whether its tag moves ({how})"
                            ),
                        ));
                        continue;
                    }
                    TagKind::Mutable => {}
                }
                if parsed.is_latest_or_untagged() {
                    let base = match &parsed.registry {
                        Some(r) => format!("{r}/{}", parsed.repository),
                        None => parsed.repository.clone(),
                    };
                    let by = tagged_at_deploy(cx.ws, &base);
                    if !by.is_empty() {
                        evidence.push(Evidence::located(
                            &here,
                            format!(
                                "{what}: the tag of `{image}` is set at build or deploy time by {}",
                                by.join(", ")
                            ),
                        ));
                        continue;
                    }
                }
                let tag = match parsed.tag.as_deref() {
                    None => "no tag (so `latest`)".to_string(),
                    Some(t) => format!("the moving tag `{t}`"),
                };
                match effective {
                    "IfNotPresent" | "Never" => {
                        let at = match policy {
                            Some(p) => p.location(path),
                            None => here,
                        };
                        let consequence = if effective == "Never" {
                            "nodes never pull it and run whatever copy they were given"
                        } else {
                            "a node that pulled it once keeps running that build after the tag moves"
                        };
                        let mut finding = Finding::at(
                            at,
                            format!("{what}: image `{image}` has {tag} and {how}: {consequence}"),
                        );
                        if effective == "Never" {
                            finding = finding.with_severity(Severity::Warning);
                        }
                        findings.push(finding);
                    }
                    _ => evidence.push(Evidence::located(
                        &here,
                        format!(
                            "{what}: image `{image}` has {tag} and {how}, so every pod start pulls the current build (that the tag moves is delivery/immutable-tags' finding)"
                        ),
                    )),
                }
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
