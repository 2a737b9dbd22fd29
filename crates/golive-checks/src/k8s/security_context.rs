use super::relations::Manifests;
use golive_core::kube::Container;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// Every container runs as non-root, with `allowPrivilegeEscalation: false`,
    /// `readOnlyRootFilesystem: true`, `capabilities.drop: [ALL]`, and not `privileged`.
    ///
    /// Every container of every pod template is checked (init containers and sidecars
    /// included). Non-root means `runAsNonRoot: true` or a `runAsUser` other than 0, in the
    /// container's `securityContext` or else the pod's (a container setting overrides the
    /// pod's); the other settings exist only per container. Each container gets one finding
    /// that lists everything it is missing, at its `securityContext:` key (or its name when it
    /// has none). Severities:
    /// - `privileged: true` is an error finding of its own, at that line: the container is
    ///   root on the node.
    /// - a setting written the insecure way (`allowPrivilegeEscalation: true`, `runAsUser: 0`,
    ///   `runAsNonRoot: false`) makes the container's finding an error;
    /// - settings that are only missing make it a warning (the image may already run as a
    ///   user, and many processes need a writable path or two before the root filesystem can
    ///   be read-only), and so does `readOnlyRootFilesystem: false` written on purpose.
    ///
    /// Pods created by an operator from a custom resource (Prometheus, Alertmanager) are
    /// configured through that resource and are not checked.
    ///
    /// ## Why it matters
    /// A container that runs as root, can gain privileges, writes to its own filesystem or
    /// keeps the default capabilities turns any remote-code-execution bug into a foothold on
    /// the node: the restricted Pod Security Standard requires exactly these settings.
    /// (Production Ready Checklist, security: "run containers as non-root, with a read-only
    /// filesystem and the least privileges"; Kubernetes Pod Security Standards, restricted
    /// profile.)
    ///
    /// ## How to fix
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 10001
    ///   containers:
    ///     - name: app
    ///       securityContext:
    ///         allowPrivilegeEscalation: false
    ///         readOnlyRootFilesystem: true
    ///         capabilities: { drop: [ALL] }
    ///       volumeMounts:            # writable paths the process needs
    ///         - { name: tmp, mountPath: /tmp }
    ///   volumes:
    ///     - { name: tmp, emptyDir: {} }
    /// ```
    pub struct SecurityContext {
        id: "k8s/security-context",
        title: "Containers run as non-root, without privilege escalation, read-only and with no capabilities",
        category: Kubernetes,
        level: Silver,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "004: Security: run containers as non-root with least privilege",
            "002: Kubernetes Pod Security Standards (restricted): runAsNonRoot, allowPrivilegeEscalation false, capabilities drop ALL",
        ],
        fix: "set the pod's securityContext.runAsNonRoot: true (or a non-zero runAsUser) and each container's securityContext allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities.drop: [ALL]",
    }
}

/// What a container's effective security context lacks.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Gaps {
    /// Missing settings, as they would be written ("runAsNonRoot: true").
    pub missing: Vec<&'static str>,
    /// Settings written the insecure way ("allowPrivilegeEscalation: true").
    pub insecure: Vec<String>,
}

/// A security-context field of the container, else of the pod (for the fields a pod has).
fn field<'a>(container: Option<Node<'a>>, pod: Option<Node<'a>>, key: &str) -> Option<Node<'a>> {
    container
        .and_then(|c| c.get(key))
        .filter(|n| !n.is_null())
        .or_else(|| pod.and_then(|p| p.get(key)).filter(|n| !n.is_null()))
}

/// What the effective security context of a container (its own, over the pod's) lacks.
pub(crate) fn gaps(container: Option<Node<'_>>, pod: Option<Node<'_>>) -> Gaps {
    let mut g = Gaps::default();
    let own = |key: &str| container.and_then(|c| c.get(key)).filter(|n| !n.is_null());
    let user = field(container, pod, "runAsUser").and_then(|n| n.as_i64());
    let non_root = field(container, pod, "runAsNonRoot").and_then(|n| n.as_bool());
    match (non_root, user) {
        (_, Some(0)) => g.insecure.push("runAsUser: 0".into()),
        (Some(true), _) | (_, Some(_)) => {}
        (Some(false), None) => g.insecure.push("runAsNonRoot: false".into()),
        (None, None) => g.missing.push("runAsNonRoot: true"),
    }
    match own("allowPrivilegeEscalation").and_then(|n| n.as_bool()) {
        Some(false) => {}
        Some(true) => g.insecure.push("allowPrivilegeEscalation: true".into()),
        None => g.missing.push("allowPrivilegeEscalation: false"),
    }
    match own("readOnlyRootFilesystem").and_then(|n| n.as_bool()) {
        Some(true) => {}
        // Written false: a decision (the process writes somewhere), still worth a warning.
        Some(false) => g
            .missing
            .push("readOnlyRootFilesystem: true (it is set to false)"),
        None => g.missing.push("readOnlyRootFilesystem: true"),
    }
    let drops_all = own("capabilities")
        .and_then(|c| c.get("drop"))
        .into_iter()
        .flat_map(|d| d.items())
        .any(|d| d.as_str().is_some_and(|s| s.eq_ignore_ascii_case("ALL")));
    if !drops_all {
        g.missing.push("capabilities.drop: [ALL]");
    }
    g
}

impl golive_core::Check for SecurityContext {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut checked = 0;
        for w in m.workloads() {
            let Some(template) = w.template else {
                if w.is_operator_managed() {
                    evidence.push(Evidence::located(
                        &w.obj.location(),
                        format!(
                            "{}: pods created by the operator from spec.securityContext: not checked",
                            w.obj.display_name()
                        ),
                    ));
                }
                continue;
            };
            let name = w.obj.display_name();
            let path = &w.obj.file.path;
            let pod = template.spec.get("securityContext").filter(|n| n.is_map());
            for c in template.all_containers() {
                checked += 1;
                let what = format!("{name}: {}", c.describe());
                let entry = c.node.entry("securityContext");
                let own = entry.map(|(_, v)| v).filter(|n| n.is_map());
                let privileged = own
                    .and_then(|s| s.get("privileged"))
                    .filter(|p| p.as_bool() == Some(true));
                if let Some(p) = privileged {
                    findings.push(
                        Finding::at(
                            p.location(path),
                            format!("{what} is privileged: it runs as root on the node, with every device and capability"),
                        )
                        .with_help("remove privileged: true; grant the one capability the process needs (capabilities.add) instead"),
                    );
                }
                let g = gaps(own, pod);
                let at = match entry {
                    Some((key, _)) => key.location(path),
                    None => c.location(path),
                };
                if g.missing.is_empty() && g.insecure.is_empty() {
                    if privileged.is_some() {
                        continue;
                    }
                    evidence.push(Evidence::located(
                        &at,
                        format!(
                            "{what} runs as non-root, without privilege escalation, with a read-only root filesystem and no capabilities"
                        ),
                    ));
                    continue;
                }
                findings.push(finding(&what, at, &g, &c));
            }
        }
        if checked == 0 {
            return Outcome::not_applicable("no workloads with a pod template in the manifests");
        }
        Outcome::from_findings(findings, evidence)
    }
}

fn finding(what: &str, at: golive_core::Location, g: &Gaps, c: &Container<'_>) -> Finding {
    let mut parts = Vec::new();
    if !g.insecure.is_empty() {
        parts.push(format!("sets {}", g.insecure.join(", ")));
    }
    if !g.missing.is_empty() {
        parts.push(format!("does not set {}", g.missing.join(", ")));
    }
    let scope = if c.node.get("securityContext").is_some() {
        ""
    } else {
        " (it has no securityContext)"
    };
    let f = Finding::at(at, format!("{what} {}{scope}", parts.join(" and ")));
    if g.insecure.is_empty() {
        f.with_severity(Severity::Warning)
    } else {
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::Workspace;

    fn gaps_of(pod: &str, container: &str) -> Gaps {
        let text = format!("pod: {pod}\ncontainer: {container}\n");
        let ws = Workspace::from_files(vec![("s.yaml".into(), text)]);
        let root = ws.files()[0].yaml_docs()[0].root().unwrap();
        gaps(
            root.get("container").filter(|n| n.is_map()),
            root.get("pod").filter(|n| n.is_map()),
        )
    }

    #[test]
    fn container_settings_override_the_pod() {
        let all = "{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [all]}";
        assert_eq!(
            gaps_of("{runAsNonRoot: true}", &format!("{all}}}")),
            Gaps::default()
        );
        assert_eq!(
            gaps_of("{runAsNonRoot: true}", &format!("{all}, runAsUser: 0}}")).insecure,
            vec!["runAsUser: 0"]
        );
        assert_eq!(
            gaps_of("{runAsUser: 0}", &format!("{all}, runAsUser: 1000}}")),
            Gaps::default()
        );
        assert_eq!(
            gaps_of("{}", &format!("{all}}}")).missing,
            vec!["runAsNonRoot: true"]
        );
        let g = gaps_of("{runAsUser: 1000}", "{allowPrivilegeEscalation: true}");
        assert_eq!(g.insecure, vec!["allowPrivilegeEscalation: true"]);
        assert_eq!(
            g.missing,
            vec!["readOnlyRootFilesystem: true", "capabilities.drop: [ALL]"]
        );
    }
}
