use super::relations::Manifests;
use golive_core::kube::KubeObject;
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};
use std::collections::BTreeMap;

declare_check! {
    /// ## What it checks
    /// No Kubernetes object is written with an apiVersion that Kubernetes has removed or
    /// deprecated.
    ///
    /// Every object of the scan is looked up by its `apiVersion` and `kind` in a table taken
    /// from Kubernetes' deprecated API migration guide: the Kubernetes version that removed it
    /// and the apiVersion to use instead. An apiVersion that any released Kubernetes version has
    /// removed (`extensions/v1beta1` and `apps/v1beta1`/`v1beta2` workloads in 1.16, the
    /// `v1beta1` Ingress, RBAC, CRD, webhook and storage APIs in 1.22, `batch/v1beta1` CronJob,
    /// `policy/v1beta1` PodDisruptionBudget and PodSecurityPolicy, `autoscaling/v2beta1` in 1.25,
    /// `autoscaling/v2beta2` in 1.26, ...) is an error: the API server rejects the object. An
    /// apiVersion still served but deprecated (`v1` Endpoints since 1.33, `v1` ComponentStatus
    /// since 1.19) is a warning. golive does not know which Kubernetes version a cluster runs,
    /// so every removal counts: the message says which version removed the API. Objects of
    /// custom resources (CRDs) are not checked, and kustomize patches are not objects of their
    /// own. Helm templates are not read (render them and scan the output).
    ///
    /// ## Why it matters
    /// An upgrade of the cluster removes these APIs: from that version on, `kubectl apply` and
    /// every deploy that carries the manifest fail, usually on the day of an incident or of a
    /// forced upgrade. Moving to the replacement is cheap before, urgent after. (Production
    /// Ready Checklist, infrastructure: keep the platform up to date and deployable; Kubernetes
    /// deprecation policy: beta APIs are removed three releases after their deprecation.)
    ///
    /// ## How to fix
    /// Use the replacement apiVersion, and adapt the fields it changed (`kubectl convert` or
    /// the migration guide says which):
    /// ```yaml
    /// apiVersion: apps/v1        # was extensions/v1beta1
    /// kind: Deployment
    /// spec:
    ///   selector:                # required in apps/v1
    ///     matchLabels: { app: web }
    /// ```
    pub struct DeprecatedApi {
        id: "k8s/deprecated-api",
        title: "No removed or deprecated Kubernetes apiVersions",
        category: Kubernetes,
        level: Bronze,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "004: Provisioning and Deployment: deploy with the platform's supported tooling, keep it up to date",
            "002: Kubernetes deprecation policy: deprecated beta APIs are removed, and manifests using them no longer apply",
        ],
        fix: "change apiVersion to the replacement the message names, and adapt the fields that version changed (see Kubernetes' deprecated API migration guide)",
    }
}

/// A removed or deprecated API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RetiredApi {
    /// `group/version` as written in `apiVersion`.
    pub api_version: &'static str,
    /// The kind, or `*` for every kind of a group version that was removed as a whole.
    pub kind: &'static str,
    /// Whether Kubernetes stopped serving it (else it is deprecated, still served).
    pub removed: bool,
    /// The Kubernetes version that removed it (or, when still served, deprecated it).
    pub version: &'static str,
    /// What to use instead.
    pub replacement: &'static str,
}

const fn removed(
    api_version: &'static str,
    kind: &'static str,
    removed_in: &'static str,
    replacement: &'static str,
) -> RetiredApi {
    RetiredApi {
        api_version,
        kind,
        removed: true,
        version: removed_in,
        replacement,
    }
}

/// Kubernetes' deprecated API migration guide, as a table. Specific kinds come before the
/// wildcards of their group version.
const RETIRED: &[RetiredApi] = &[
    // Removed in 1.16.
    removed("extensions/v1beta1", "Deployment", "1.16", "apps/v1"),
    removed("extensions/v1beta1", "DaemonSet", "1.16", "apps/v1"),
    removed("extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1"),
    removed(
        "extensions/v1beta1",
        "NetworkPolicy",
        "1.16",
        "networking.k8s.io/v1",
    ),
    removed(
        "extensions/v1beta1",
        "PodSecurityPolicy",
        "1.16",
        "Pod Security Admission (namespace labels) or a policy engine: PodSecurityPolicy has no successor API",
    ),
    removed(
        "extensions/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    removed(
        "extensions/v1beta1",
        "*",
        "1.22",
        "the kind's apps/v1 or networking.k8s.io/v1 version",
    ),
    removed("apps/v1beta1", "*", "1.16", "apps/v1"),
    removed("apps/v1beta2", "*", "1.16", "apps/v1"),
    // Removed in 1.22.
    removed(
        "networking.k8s.io/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    removed(
        "networking.k8s.io/v1beta1",
        "IngressClass",
        "1.22",
        "networking.k8s.io/v1",
    ),
    removed(
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    removed(
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    removed(
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        "1.22",
        "apiextensions.k8s.io/v1",
    ),
    removed(
        "apiregistration.k8s.io/v1beta1",
        "APIService",
        "1.22",
        "apiregistration.k8s.io/v1",
    ),
    removed(
        "authentication.k8s.io/v1beta1",
        "TokenReview",
        "1.22",
        "authentication.k8s.io/v1",
    ),
    removed(
        "authorization.k8s.io/v1beta1",
        "*",
        "1.22",
        "authorization.k8s.io/v1",
    ),
    removed(
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        "1.22",
        "certificates.k8s.io/v1",
    ),
    removed(
        "coordination.k8s.io/v1beta1",
        "Lease",
        "1.22",
        "coordination.k8s.io/v1",
    ),
    removed(
        "rbac.authorization.k8s.io/v1beta1",
        "*",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    removed(
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        "1.22",
        "scheduling.k8s.io/v1",
    ),
    removed(
        "storage.k8s.io/v1beta1",
        "CSIDriver",
        "1.22",
        "storage.k8s.io/v1",
    ),
    removed(
        "storage.k8s.io/v1beta1",
        "CSINode",
        "1.22",
        "storage.k8s.io/v1",
    ),
    removed(
        "storage.k8s.io/v1beta1",
        "StorageClass",
        "1.22",
        "storage.k8s.io/v1",
    ),
    removed(
        "storage.k8s.io/v1beta1",
        "VolumeAttachment",
        "1.22",
        "storage.k8s.io/v1",
    ),
    // Removed in 1.25.
    removed("batch/v1beta1", "CronJob", "1.25", "batch/v1"),
    removed(
        "discovery.k8s.io/v1beta1",
        "EndpointSlice",
        "1.25",
        "discovery.k8s.io/v1",
    ),
    removed("events.k8s.io/v1beta1", "Event", "1.25", "events.k8s.io/v1"),
    removed(
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        "1.25",
        "autoscaling/v2",
    ),
    removed("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1"),
    removed(
        "policy/v1beta1",
        "PodSecurityPolicy",
        "1.25",
        "Pod Security Admission (namespace labels) or a policy engine: PodSecurityPolicy has no successor API",
    ),
    removed(
        "node.k8s.io/v1beta1",
        "RuntimeClass",
        "1.25",
        "node.k8s.io/v1",
    ),
    // Removed in 1.26.
    removed(
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        "1.26",
        "autoscaling/v2",
    ),
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "FlowSchema",
        "1.26",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
        "1.26",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // Removed in 1.27.
    removed(
        "storage.k8s.io/v1beta1",
        "CSIStorageCapacity",
        "1.27",
        "storage.k8s.io/v1",
    ),
    // Removed in 1.29.
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "FlowSchema",
        "1.29",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "PriorityLevelConfiguration",
        "1.29",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // Removed in 1.32.
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "FlowSchema",
        "1.32",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "PriorityLevelConfiguration",
        "1.32",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // Deprecated, still served.
    RetiredApi {
        api_version: "v1",
        kind: "Endpoints",
        removed: false,
        version: "1.33",
        replacement: "discovery.k8s.io/v1 EndpointSlice",
    },
    RetiredApi {
        api_version: "v1",
        kind: "ComponentStatus",
        removed: false,
        version: "1.19",
        replacement: "the components' own health endpoints (ComponentStatus has no successor API)",
    },
];

/// The table row for an apiVersion and kind, if Kubernetes removed or deprecated it.
pub(crate) fn retired(api_version: &str, kind: &str) -> Option<&'static RetiredApi> {
    RETIRED
        .iter()
        .find(|r| r.api_version == api_version && r.kind == kind)
        .or_else(|| {
            RETIRED
                .iter()
                .find(|r| r.api_version == api_version && r.kind == "*")
        })
}

impl golive_core::Check for DeprecatedApi {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let objects = m.objects();
        if objects.is_empty() {
            return Outcome::not_applicable("no Kubernetes objects in the scan");
        }
        let mut findings = Vec::new();
        // Current APIs: (apiVersion, kind) -> (count, first object).
        let mut current: BTreeMap<(&str, &str), (usize, KubeObject<'_>)> = BTreeMap::new();
        for obj in objects {
            let Some(row) = retired(obj.api_version, obj.kind) else {
                current
                    .entry((obj.api_version, obj.kind))
                    .and_modify(|(n, _)| *n += 1)
                    .or_insert((1, *obj));
                continue;
            };
            let at = obj
                .node
                .get("apiVersion")
                .map(|n| n.location(&obj.file.path))
                .unwrap_or_else(|| obj.location());
            let name = obj.display_name();
            let finding = if row.removed {
                Finding::at(
                    at,
                    format!(
                        "{name}: {} {} is no longer served since Kubernetes {}: the API server rejects it; use {}",
                        obj.api_version, obj.kind, row.version, row.replacement
                    ),
                )
            } else {
                Finding::at(
                    at,
                    format!(
                        "{name}: {} {} is deprecated since Kubernetes {} (still served, with a warning); use {}",
                        obj.api_version, obj.kind, row.version, row.replacement
                    ),
                )
                .with_severity(Severity::Warning)
            };
            findings.push(finding);
        }
        let evidence = current
            .iter()
            .map(|((api, kind), (count, first))| {
                let what = if *count == 1 {
                    first.display_name()
                } else {
                    format!("{} and {} more", first.display_name(), count - 1)
                };
                Evidence::located(
                    &first.location(),
                    format!("{api} {kind} is not a removed or deprecated Kubernetes API ({what})"),
                )
            })
            .collect();
        Outcome::from_findings(findings, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_win_over_wildcards() {
        let ingress = retired("extensions/v1beta1", "Ingress").unwrap();
        assert_eq!(ingress.version, "1.22");
        let deploy = retired("extensions/v1beta1", "Deployment").unwrap();
        assert_eq!(deploy.version, "1.16");
        assert_eq!(
            retired("apps/v1beta2", "StatefulSet").unwrap().replacement,
            "apps/v1"
        );
        assert!(retired("apps/v1", "Deployment").is_none());
        assert!(retired("policy/v1", "PodDisruptionBudget").is_none());
        assert!(!retired("v1", "Endpoints").unwrap().removed);
        assert!(retired("v1", "Service").is_none());
    }
}
