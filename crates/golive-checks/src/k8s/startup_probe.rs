use super::relations::Manifests;
use golive_core::kube::{Container, Probe};
use golive_core::parse::image_ref;
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// Containers that start slowly have a `startupProbe`, and it gives them at least as long
    /// as the `initialDelaySeconds` it replaces.
    ///
    /// A container of a long-running workload starts slowly when its liveness or readiness
    /// probe waits more than 30 seconds (`initialDelaySeconds`), or when it runs a JVM: an
    /// image named like `openjdk`, `eclipse-temurin`, `amazoncorretto`, a `jre`/`jdk`,
    /// `maven`, `tomcat`, `jboss`, `wildfly` or `elasticsearch`, a command or args running
    /// `java -jar`, or a `JAVA_OPTS`/`JAVA_TOOL_OPTIONS`/`JDK_JAVA_OPTIONS` environment
    /// variable. Other containers are passed over, and the evidence says why.
    ///
    /// A startup probe allows `initialDelaySeconds + failureThreshold × periodSeconds` (by
    /// default 0 + 3 × 10 = 30 seconds) before the container is restarted. When that is less
    /// than the largest `initialDelaySeconds` of its liveness or readiness probe, the team's
    /// own estimate of the start time, the startup probe will kill a container that starts as
    /// slowly as the manifest expects: that is a warning. Jobs, CronJobs and completing Pods are
    /// not checked (no probes run to completion), nor are operator-managed pods.
    ///
    /// ## Why it matters
    /// Without a startup probe a slow starter gets a long `initialDelaySeconds` on its liveness
    /// probe, and that delay applies to every restart: a container that hangs right after
    /// starting is not restarted until the delay is over, and a start that takes longer than
    /// the guess is killed in a loop. A startup probe holds the liveness probe back only until
    /// the process is up, then hands over to a fast liveness check. (Go-live checklist, health
    /// checks; Kubernetes: "use startup probes for containers that take a long time to start".)
    ///
    /// ## How to fix
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     startupProbe:
    ///       httpGet: { path: /healthz, port: 8080 }
    ///       periodSeconds: 10
    ///       failureThreshold: 18      # up to 180s to start
    ///     livenessProbe:
    ///       httpGet: { path: /healthz, port: 8080 }
    ///       periodSeconds: 10         # no initialDelaySeconds needed
    /// ```
    pub struct StartupProbe {
        id: "k8s/startup-probe",
        title: "Slow-starting containers have a startup probe",
        category: Kubernetes,
        level: Gold,
        severity: Warning,
        facets: [Kubernetes],
        seeds: [
            "003: Health checks: application services should provide health check endpoints",
            "002: Kubernetes probes: startup probes protect slow-starting containers from liveness checks until they are up",
        ],
        fix: "add a startupProbe whose failureThreshold × periodSeconds covers the start time, and drop the liveness probe's long initialDelaySeconds",
    }
}

/// Image name components that mean a JVM runs in the container.
const JVM_IMAGE_WORDS: &[&str] = &[
    "openjdk",
    "temurin",
    "amazoncorretto",
    "corretto",
    "jre",
    "jdk",
    "maven",
    "tomcat",
    "jboss",
    "wildfly",
    "elasticsearch",
];

/// Environment variables that configure a JVM.
const JVM_ENV: &[&str] = &["JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"];

/// The `initialDelaySeconds` above which a container counts as slow-starting.
const SLOW_DELAY: i64 = 30;

/// Why a container starts slowly, and the largest initialDelaySeconds its probes wait (if any).
pub(crate) fn slow_start(c: &Container<'_>) -> (Option<String>, Option<i64>) {
    let delay = ["livenessProbe", "readinessProbe"]
        .iter()
        .filter_map(|k| c.probe(k))
        .filter_map(|p| p.node.get("initialDelaySeconds")?.as_i64().map(|d| (d, p)))
        .max_by_key(|(d, _)| *d);
    let delay_value = delay.map(|(d, _)| d);
    if let Some((d, p)) = delay.filter(|(d, _)| *d > SLOW_DELAY) {
        let key = p.key.as_str().unwrap_or("probe");
        return (
            Some(format!("its {key} waits initialDelaySeconds {d}")),
            delay_value,
        );
    }
    if let Some(word) = c
        .image()
        .and_then(|i| i.as_text())
        .and_then(image_ref::parse)
        .and_then(|r| {
            r.repository
                .split(['/', '-', '_', '.'])
                .find(|part| JVM_IMAGE_WORDS.contains(&part.to_ascii_lowercase().as_str()))
                .map(str::to_string)
        })
    {
        return (
            Some(format!("its image is a JVM image (`{word}`)")),
            delay_value,
        );
    }
    let words: Vec<&str> = ["command", "args"]
        .iter()
        .filter_map(|k| c.node.get(k))
        .flat_map(|n| n.items())
        .filter_map(|n| n.as_text())
        .flat_map(|s| s.split_whitespace())
        .collect();
    let java = words
        .iter()
        .position(|w| *w == "java" || w.ends_with("/java"));
    if java.is_some_and(|i| words.iter().skip(i).any(|w| *w == "-jar")) {
        return (Some("it runs `java -jar`".into()), delay_value);
    }
    if let Some(var) = c
        .node
        .get("env")
        .into_iter()
        .flat_map(|e| e.items())
        .filter_map(|e| e.get_str("name"))
        .find(|n| JVM_ENV.contains(n))
    {
        return (Some(format!("it sets {var} (a JVM)")), delay_value);
    }
    (None, delay_value)
}

/// The seconds a startup probe allows before the container is restarted, and how that is
/// computed.
fn budget(p: &Probe<'_>) -> (i64, String) {
    let get = |k: &str, default: i64| {
        p.node
            .get(k)
            .and_then(|n| n.as_i64())
            .map(|v| (v, true))
            .unwrap_or((default, false))
    };
    let (delay, _) = get("initialDelaySeconds", 0);
    let (threshold, t_set) = get("failureThreshold", 3);
    let (period, p_set) = get("periodSeconds", 10);
    let total = delay.saturating_add(threshold.saturating_mul(period));
    let mark = |set: bool| if set { "" } else { " (default)" };
    let mut how = format!(
        "failureThreshold {threshold}{} × periodSeconds {period}{}",
        mark(t_set),
        mark(p_set)
    );
    if delay > 0 {
        how = format!("initialDelaySeconds {delay} + {how}");
    }
    (total, how)
}

impl golive_core::Check for StartupProbe {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let (mut slow, mut passed_over, mut completing) = (0, 0, 0);
        for w in m.workloads() {
            let Some(template) = w.template else {
                continue;
            };
            let name = w.obj.display_name();
            let path = &w.obj.file.path;
            if !w.obj.is_long_running() {
                completing += 1;
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!(
                        "{name} runs to completion: startup probes apply to long-running workloads"
                    ),
                ));
                continue;
            }
            for c in template.containers() {
                let what = format!("{name}: {}", c.describe());
                let (why, delay) = slow_start(&c);
                let startup = c.probe("startupProbe");
                let Some(why) = why else {
                    passed_over += 1;
                    let note = match (&startup, delay) {
                        (Some(p), _) => format!("{what} has a startupProbe ({})", p.describe()),
                        (None, Some(d)) => format!(
                            "{what} passed over: it starts quickly (probes wait at most initialDelaySeconds {d}, and it is no JVM)"
                        ),
                        (None, None) => format!(
                            "{what} passed over: nothing says it starts slowly (no probe waits over {SLOW_DELAY}s, and it is no JVM)"
                        ),
                    };
                    evidence.push(Evidence::located(&c.location(path), note));
                    continue;
                };
                slow += 1;
                let Some(probe) = startup else {
                    findings.push(Finding::at(
                        c.location(path),
                        format!("{what} starts slowly ({why}) but has no startupProbe"),
                    ));
                    continue;
                };
                let at = probe.key.location(path);
                if probe.handler.is_none() {
                    findings.push(Finding::at(
                        at,
                        format!(
                            "{what}'s startupProbe has no httpGet, tcpSocket, grpc or exec handler ({why})"
                        ),
                    ));
                    continue;
                }
                let (allowed, how) = budget(&probe);
                match delay.filter(|d| *d > allowed) {
                    Some(d) => findings.push(
                        Finding::at(
                            at,
                            format!(
                                "{what}'s startupProbe allows {allowed}s to start ({how}), less than the initialDelaySeconds {d} its other probes wait: it restarts a container that starts as slowly as the manifest expects"
                            ),
                        )
                        .with_severity(Severity::Warning)
                        .with_help(format!(
                            "raise the startupProbe's failureThreshold so that failureThreshold × periodSeconds is at least {d}, then drop the other probes' initialDelaySeconds"
                        )),
                    ),
                    None => evidence.push(Evidence::located(
                        &at,
                        format!(
                            "{what} starts slowly ({why}) and has a startupProbe ({}) allowing {allowed}s ({how})",
                            probe.describe()
                        ),
                    )),
                }
            }
        }
        if slow == 0 {
            let detail = super::relations::nothing_to_judge(
                passed_over,
                &format!("start quickly: no probe waits over {SLOW_DELAY}s and none runs a JVM"),
                completing,
            );
            return Outcome::not_applicable(format!(
                "no long-running container starts slowly ({detail})"
            ));
        }
        Outcome::from_findings(findings, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::Workspace;

    fn first_container(spec: &str) -> (Option<String>, Option<i64>) {
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - {spec}\n"
        );
        let ws = Workspace::from_files(vec![("p.yaml".into(), text)]);
        let pod = ws.kube_objects().next().unwrap();
        let c = pod.pod_template().unwrap().containers()[0];
        slow_start(&c)
    }

    #[test]
    fn jvm_and_delays_are_slow() {
        assert!(
            first_container("{name: a, image: eclipse-temurin:21-jre}")
                .0
                .is_some()
        );
        assert!(
            first_container(
                "{name: a, image: ghcr.io/acme/api:1.2, command: [java, -Xmx1g, -jar, app.jar]}"
            )
            .0
            .is_some()
        );
        assert!(
            first_container("{name: a, image: api:1, env: [{name: JAVA_OPTS, value: -Xmx1g}]}")
                .0
                .is_some()
        );
        let (why, delay) = first_container(
            "{name: a, image: api:1, livenessProbe: {initialDelaySeconds: 60, httpGet: {path: /, port: 80}}}",
        );
        assert!(
            why.unwrap()
                .contains("livenessProbe waits initialDelaySeconds 60")
        );
        assert_eq!(delay, Some(60));
        // "jre" must be a whole component: jrebel, javascript images are not JVMs.
        assert!(
            first_container("{name: a, image: acme/jrebel-agent:1}")
                .0
                .is_none()
        );
        assert!(
            first_container("{name: a, image: node:20, command: [node, app.js]}")
                .0
                .is_none()
        );
        assert!(
            first_container("{name: a, image: api:1, livenessProbe: {initialDelaySeconds: 30}}")
                .0
                .is_none()
        );
    }
}
