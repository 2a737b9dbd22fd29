use super::images::production_images;
use super::relations::Manifests;
use golive_core::parse::image_ref::TagKind;
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
    /// with any policy. Kustomize overlays are rendered first (an overlay's `images:` entry is
    /// what gets checked); a bare image whose tag skaffold sets at deploy time is passed over, and so are images with unexpanded variables
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
        let deployed = production_images(&m, cx.ws, false);
        if deployed.seen == 0 {
            return Outcome::not_applicable(deployed.none_reason());
        }
        let mut findings = Vec::new();
        let mut evidence = deployed.evidence;
        for d in &deployed.images {
            let (c, parsed, image, what, path) = (d.container, &d.parsed, d.image, &d.what, d.path);
            let here = d.location();
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
        Outcome::from_findings(findings, evidence)
    }
}
