use super::relations::{Manifests, Workload};
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// Update strategies keep capacity during a rollout, are valid, and keep revisions to roll
    /// back to.
    ///
    /// - Deployment `strategy.type: Recreate` on a Deployment that serves traffic (a Service
    ///   selects its pods, or a container declares a port) with more than one replica is an
    ///   error: every rollout stops all pods before starting new ones, which is downtime. With
    ///   one replica, Recreate is often deliberate (a ReadWriteOnce volume) and is noted.
    /// - `rollingUpdate.maxUnavailable` of `100%`, or a number at least the replica count, is an
    ///   error (the rollout may take every pod down at once); the same for a DaemonSet's
    ///   `maxUnavailable: 100%`.
    /// - `maxSurge: 0` together with `maxUnavailable: 0` is an error: the API server rejects it.
    /// - `revisionHistoryLimit: 0` (Deployments, StatefulSets, DaemonSets, Argo Rollouts) is a
    ///   warning: `kubectl rollout undo` has no revision to go back to.
    /// - StatefulSet `updateStrategy.type: OnDelete` is a warning: a new revision only reaches
    ///   pods someone deletes by hand, so a "rollout" silently changes nothing.
    ///
    /// Replica counts come from `spec.replicas`, an autoscaler's minimum or a production
    /// kustomize overlay (as in `k8s/replicas`). Jobs, CronJobs and bare Pods have no update
    /// strategy and are not applicable; Argo Rollouts' canary and blue-green strategies are
    /// only checked for their revision history.
    ///
    /// ## Why it matters
    /// A rollout is the most frequent production change: a strategy that takes every replica
    /// down, or cannot be rolled back quickly, turns each deploy into a planned outage and each
    /// bad deploy into a long one. (Go-live checklist, deployments: "zero-downtime deployments,
    /// roll back in case of failure"; Kubernetes Deployments: rolling update and rollback.)
    ///
    /// ## How to fix
    /// ```yaml
    /// spec:
    ///   replicas: 3
    ///   revisionHistoryLimit: 10
    ///   strategy:
    ///     type: RollingUpdate
    ///     rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }
    /// ```
    pub struct RollingUpdate {
        id: "k8s/rolling-update",
        title: "Update strategies keep capacity and allow rollback",
        category: Kubernetes,
        level: Silver,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "003: Deployments: zero-downtime deployments",
            "004: Continuous Delivery: roll back in case of failure",
        ],
        fix: "use a RollingUpdate strategy whose maxUnavailable leaves pods serving (e.g. maxSurge: 1, maxUnavailable: 0), and keep revisionHistoryLimit above 0",
    }
}

/// A `maxSurge`/`maxUnavailable` value: an absolute number or a percentage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntOrPercent {
    Number(i64),
    Percent(i64),
}

impl IntOrPercent {
    pub fn read(node: Node<'_>) -> Option<IntOrPercent> {
        if let Some(n) = node.as_i64() {
            return Some(IntOrPercent::Number(n));
        }
        let text = node.as_text()?.trim();
        let pct = text.strip_suffix('%')?.trim().parse::<i64>().ok()?;
        Some(IntOrPercent::Percent(pct))
    }

    fn is_zero(self) -> bool {
        matches!(self, IntOrPercent::Number(0) | IntOrPercent::Percent(0))
    }

    /// Whether, as maxUnavailable (rounded down), it lets every one of `replicas` pods go.
    fn takes_all(self, replicas: Option<i64>) -> bool {
        match (self, replicas) {
            (IntOrPercent::Percent(p), _) => p >= 100,
            (IntOrPercent::Number(n), Some(r)) => r > 0 && n >= r,
            (IntOrPercent::Number(_), None) => false,
        }
    }
}

impl golive_core::Check for RollingUpdate {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut checked = 0;
        let mut other = Vec::new();
        for w in m.workloads() {
            let obj = &w.obj;
            let name = obj.display_name();
            let path = &obj.file.path;
            let kind = match (obj.group(), obj.kind) {
                ("apps", k @ ("Deployment" | "StatefulSet" | "DaemonSet")) => k,
                ("argoproj.io", "Rollout") => "Rollout",
                _ => {
                    other.push(obj.kind);
                    continue;
                }
            };
            checked += 1;
            if let Some(n) = obj.node.path(&["spec", "revisionHistoryLimit"])
                && n.as_i64() == Some(0)
            {
                findings.push(
                    Finding::at(
                        n.location(path),
                        format!("{name}: revisionHistoryLimit is 0: no earlier revision is kept, so `kubectl rollout undo` cannot roll back"),
                    )
                    .with_severity(Severity::Warning)
                    .with_help("remove revisionHistoryLimit (default 10) or keep a few revisions (e.g. 5)"),
                );
            }
            match kind {
                "Deployment" => self.deployment(&m, w, &mut findings, &mut evidence),
                "StatefulSet" => {
                    let ty = obj.node.path(&["spec", "updateStrategy", "type"]);
                    match ty.filter(|t| t.as_text() == Some("OnDelete")) {
                        Some(t) => findings.push(
                            Finding::at(
                                t.location(path),
                                format!("{name}: updateStrategy OnDelete: a new revision reaches only the pods someone deletes by hand, so a rollout silently changes nothing"),
                            )
                            .with_severity(Severity::Warning)
                            .with_help("use updateStrategy type RollingUpdate (the default), with a partition for staged rollouts"),
                        ),
                        None => evidence.push(Evidence::located(
                            &obj.location(),
                            format!("{name}: rolling updates, one pod at a time"),
                        )),
                    }
                }
                "DaemonSet" => {
                    let strategy = obj.node.path(&["spec", "updateStrategy"]);
                    let ty = strategy.and_then(|s| s.get_str("type")).unwrap_or("RollingUpdate");
                    let max = strategy
                        .and_then(|s| s.path(&["rollingUpdate", "maxUnavailable"]))
                        .and_then(|n| Some((IntOrPercent::read(n)?, n)));
                    match max {
                        Some((v, n)) if ty == "RollingUpdate" && v.takes_all(None) => findings.push(Finding::at(
                            n.location(path),
                            format!("{name}: maxUnavailable {}: a rollout may stop the pod on every node at once", n.as_str().unwrap_or("100%")),
                        )),
                        _ => evidence.push(Evidence::located(
                            &obj.location(),
                            format!("{name}: updateStrategy {ty}{}", match max {
                                Some((_, n)) => format!(", maxUnavailable {}", n.as_str().unwrap_or("?")),
                                None => String::new(),
                            }),
                        )),
                    }
                }
                _ => evidence.push(Evidence::located(
                    &obj.location(),
                    format!("{name}: an Argo Rollout (canary or blue-green): only its revision history is checked here"),
                )),
            }
        }
        if checked == 0 {
            return Outcome::not_applicable(if other.is_empty() {
                "no Deployment, StatefulSet, DaemonSet or Argo Rollout in the manifests".to_string()
            } else {
                other.sort_unstable();
                other.dedup();
                format!(
                    "no Deployment, StatefulSet, DaemonSet or Argo Rollout in the manifests ({} have no update strategy)",
                    other.join(", ")
                )
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

impl RollingUpdate {
    fn deployment(
        &self,
        m: &Manifests<'_>,
        w: &Workload<'_>,
        findings: &mut Vec<Finding>,
        evidence: &mut Vec<Evidence>,
    ) {
        let obj = &w.obj;
        let name = obj.display_name();
        let path = &obj.file.path;
        let strategy = obj.node.path(&["spec", "strategy"]).filter(|s| s.is_map());
        let replicas = m.replicas(w);
        let count = replicas.as_ref().and_then(|r| r.minimum());
        let replicas_text = replicas
            .as_ref()
            .map(|r| r.describe())
            .unwrap_or_else(|| "an unknown replica count".into());
        let type_node = strategy.and_then(|s| s.get("type"));
        if let Some(t) = type_node.filter(|t| t.as_text() == Some("Recreate")) {
            let serving = serving(m, w);
            match (&serving, count) {
                (Some(why), Some(c)) if c > 1 => findings.push(Finding::at(
                    t.location(path),
                    format!("{name}: strategy Recreate stops all {c} pods before starting new ones: every rollout is downtime for a Deployment that serves traffic ({why})"),
                )),
                _ => evidence.push(Evidence::located(
                    &t.location(path),
                    format!("{name}: strategy Recreate on {replicas_text}: noted ({})", match serving {
                        Some(_) if count.is_none() => "golive cannot read how many pods it stops".to_string(),
                        Some(why) => format!("it serves traffic ({why}), but with one pod Recreate is often deliberate, e.g. for a ReadWriteOnce volume"),
                        None => "it serves no traffic, so a rollout pauses its work rather than failing requests".to_string(),
                    }),
                )),
            }
            return;
        }
        let rolling = strategy.and_then(|s| s.get("rollingUpdate"));
        let read = |key: &str| {
            rolling
                .and_then(|r| r.get(key))
                .filter(|n| !n.is_null())
                .and_then(|n| Some((IntOrPercent::read(n)?, n)))
        };
        let surge = read("maxSurge");
        let unavailable = read("maxUnavailable");
        if let (Some((s, _)), Some((u, un))) = (surge, unavailable)
            && s.is_zero()
            && u.is_zero()
        {
            findings.push(Finding::at(
                un.location(path),
                format!("{name}: maxSurge and maxUnavailable are both 0: the API server rejects this strategy (the rollout could never make progress)"),
            ));
            return;
        }
        if let Some((u, un)) = unavailable
            && u.takes_all(count)
        {
            findings.push(Finding::at(
                un.location(path),
                format!(
                    "{name}: maxUnavailable {} with {replicas_text}: a rollout may take every pod down at once",
                    un.as_str().unwrap_or("?")
                ),
            ));
            return;
        }
        let show = |v: Option<(IntOrPercent, Node<'_>)>| {
            v.and_then(|(_, n)| n.as_str().map(str::to_string))
                .unwrap_or_else(|| "25% (default)".into())
        };
        evidence.push(Evidence::located(
            &obj.location(),
            format!(
                "{name}: rolling update with maxSurge {}, maxUnavailable {} on {replicas_text}",
                show(surge),
                show(unavailable)
            ),
        ));
    }
}

/// Why a Deployment serves traffic: a Service selects its pods, or a container declares ports.
fn serving(m: &Manifests<'_>, w: &Workload<'_>) -> Option<String> {
    if let Some(s) = m.services_selecting(w).first() {
        return Some(format!("{} selects its pods", s.display_name()));
    }
    w.template?.containers().iter().find_map(|c| {
        c.ports()
            .first()
            .map(|(p, _)| format!("{} declares containerPort {p}", c.describe()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::Workspace;

    #[test]
    fn int_or_percent() {
        let ws = Workspace::from_files(vec![("v.yaml".into(), "[1, '100%', 25%, 0%, x]\n".into())]);
        let root = ws.files()[0].yaml_docs()[0].root().unwrap();
        let v: Vec<_> = root.items().map(IntOrPercent::read).collect();
        assert_eq!(
            v,
            vec![
                Some(IntOrPercent::Number(1)),
                Some(IntOrPercent::Percent(100)),
                Some(IntOrPercent::Percent(25)),
                Some(IntOrPercent::Percent(0)),
                None
            ]
        );
        assert!(IntOrPercent::Number(3).takes_all(Some(3)));
        assert!(!IntOrPercent::Number(1).takes_all(Some(3)));
        assert!(!IntOrPercent::Number(1).takes_all(None));
        assert!(IntOrPercent::Percent(100).takes_all(None));
        assert!(IntOrPercent::Percent(0).is_zero());
    }
}
