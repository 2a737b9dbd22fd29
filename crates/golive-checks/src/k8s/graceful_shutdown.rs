use super::relations::Manifests;
use crate::foreign::is_not_ours;
use golive_core::parse::yaml::Node;
use golive_core::workspace::FileKind;
use golive_core::{
    Context, Evidence, Finding, Location, Outcome, Severity, Workspace, declare_check,
};

declare_check! {
    /// ## What it checks
    /// Pods get time to shut down (`terminationGracePeriodSeconds` is not 0, and longer than
    /// any `preStop` sleep), and containers that serve traffic drain: they have a `preStop`
    /// hook, or the repository's code handles SIGTERM.
    ///
    /// For every long-running workload: `terminationGracePeriodSeconds: 0` is an error (the
    /// kubelet kills the pod at once); unset means the default of 30 seconds. A `preStop` hook
    /// that sleeps (`exec` running `sleep N`, or `sleep: {seconds: N}`) for as long as the
    /// grace period or longer is an error: the process gets SIGTERM only when the grace period
    /// is over, and is killed about 2 seconds later. A container serves traffic when it
    /// declares a `containerPort` or a Service in the scan selects its pod; such a container
    /// without a `preStop` hook is a warning, unless the repository's own code handles SIGTERM
    /// (Go `signal.Notify`/`signal.NotifyContext`, Node `process.on('SIGTERM')`, Python
    /// `signal.signal(signal.SIGTERM, ...)`, Rust `tokio::signal`, Java `addShutdownHook`, or
    /// any mention of `SIGTERM` in code): then it passes, and the evidence names the file.
    /// golive cannot tell which image that code is built into, so the evidence says so.
    /// Jobs, CronJobs, completing Pods and operator-managed pods are not checked.
    ///
    /// ## Why it matters
    /// On every rollout, scale-in and node drain Kubernetes sends SIGTERM and removes the pod
    /// from the Service's endpoints at the same time: load balancers and kube-proxy still send
    /// it requests for a few seconds. A process that exits at once (or is killed after a grace
    /// period of 0) fails those requests and the ones in flight. A short `preStop` sleep
    /// covers the endpoint update, and handling SIGTERM lets the process finish what it
    /// started. (Go-live checklist, deployments: "graceful shutdown"; Kubernetes pod
    /// lifecycle: termination of pods.)
    ///
    /// ## How to fix
    /// ```yaml
    /// spec:
    ///   terminationGracePeriodSeconds: 45
    ///   containers:
    ///     - name: app
    ///       lifecycle:
    ///         preStop:
    ///           sleep: { seconds: 10 }   # or exec: { command: [sleep, "10"] }
    /// ```
    /// and let the process stop accepting connections and finish in-flight work on SIGTERM.
    pub struct GracefulShutdown {
        id: "k8s/graceful-shutdown",
        title: "Pods shut down gracefully and serving containers drain",
        category: Kubernetes,
        level: Silver,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "003: Deployments: services shut down gracefully, finishing in-flight requests",
            "002: Kubernetes pod lifecycle: SIGTERM, preStop hooks and terminationGracePeriodSeconds",
        ],
        fix: "keep terminationGracePeriodSeconds above 0 and above any preStop sleep, and give serving containers a preStop hook (a short sleep) or handle SIGTERM in the process",
    }
}

/// The grace period Kubernetes uses when none is written.
const DEFAULT_GRACE: i64 = 30;

/// Code that handles SIGTERM, by language-neutral markers.
const SIGTERM_MARKERS: &[&str] = &[
    "signal.NotifyContext",
    "signal.Notify",
    "tokio::signal",
    "addShutdownHook",
    "process.on('SIGTERM'",
    "process.on(\"SIGTERM\"",
    "SIGTERM",
];

/// The first place in the repository's own code that handles SIGTERM.
pub(crate) fn sigterm_handling(ws: &Workspace) -> Option<(Location, &'static str)> {
    for file in ws.files() {
        if !matches!(file.kind, FileKind::Source(_)) || is_not_ours(&file.path) {
            continue;
        }
        // Every marker contains `SIG`, `signal` or `ShutdownHook`: skip files without any, so
        // the line scan only runs where a marker can be.
        if is_test_path(&file.path)
            || !["SIG", "signal", "ShutdownHook"]
                .iter()
                .any(|m| file.text.contains(m))
        {
            continue;
        }
        for (i, line) in file.text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") || trimmed.starts_with('#') {
                continue;
            }
            if let Some(marker) = SIGTERM_MARKERS.iter().find(|m| line.contains(*m)) {
                let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
                return Some((Location::line(file.path.clone(), line_no), marker));
            }
        }
    }
    None
}

/// Tests mention SIGTERM without handling it: `tests/`, `__tests__/`, `spec/` folders and
/// `*_test.go`, `*.test.ts`, `*.spec.js`, `test_*.py` files.
fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or("");
    parts.iter().any(|d| {
        matches!(
            *d,
            "test" | "tests" | "__tests__" | "spec" | "specs" | "e2e"
        )
    }) || name.contains("_test.")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.starts_with("test_")
}

/// A preStop hook's sleep, in seconds, and the node that says so.
pub(crate) fn prestop_sleep<'a>(pre_stop: Node<'a>) -> Option<(i64, Node<'a>)> {
    if let Some(seconds) = pre_stop.path(&["sleep", "seconds"]) {
        return Some((seconds.as_i64()?, seconds));
    }
    let command = pre_stop.path(&["exec", "command"])?;
    let words: Vec<(&str, Node<'a>)> = command
        .items()
        .filter_map(|n| Some((n.as_text()?, n)))
        .flat_map(|(s, n)| {
            s.split(|c: char| c.is_whitespace() || c == ';' || c == '&')
                .map(move |w| (w, n))
        })
        .filter(|(w, _)| !w.is_empty())
        .collect();
    let at = words
        .iter()
        .position(|(w, _)| *w == "sleep" || w.ends_with("/sleep"))?;
    let (arg, node) = words.get(at + 1)?;
    let seconds = arg.strip_suffix('s').unwrap_or(arg);
    let seconds = seconds.parse::<f64>().ok()?;
    Some((seconds.ceil() as i64, *node))
}

impl golive_core::Check for GracefulShutdown {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut checked = 0;
        let mut completing = 0;
        let code = sigterm_handling(cx.ws);
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
                    format!("{name} runs to completion: not checked"),
                ));
                continue;
            }
            checked += 1;
            let grace_node = template
                .spec
                .get("terminationGracePeriodSeconds")
                .filter(|n| !n.is_null());
            let grace = match grace_node {
                Some(n) => match n.as_i64() {
                    Some(g) => Some(g),
                    None => {
                        evidence.push(Evidence::located(
                            &n.location(path),
                            format!("{name}: terminationGracePeriodSeconds `{}` cannot be read: not checked", n.as_str().unwrap_or("?")),
                        ));
                        None
                    }
                },
                None => Some(DEFAULT_GRACE),
            };
            match (grace, grace_node) {
                (Some(0), Some(n)) => findings.push(Finding::at(
                    n.location(path),
                    format!("{name}: terminationGracePeriodSeconds is 0: its containers are killed at once, with no time to finish requests"),
                )),
                (Some(g), Some(n)) => evidence.push(Evidence::located(
                    &n.location(path),
                    format!("{name}: terminationGracePeriodSeconds is {g}"),
                )),
                (Some(_), None) => evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name}: terminationGracePeriodSeconds is not set (the default of {DEFAULT_GRACE}s applies)"),
                )),
                (None, _) => {}
            }
            let services = m.services_selecting(w);
            let containers = template.containers();
            let pod_declares_ports = containers.iter().any(|c| !c.ports().is_empty());
            for (i, c) in containers.iter().enumerate() {
                let what = format!("{name}: {}", c.describe());
                let pre_stop = c
                    .node
                    .path(&["lifecycle", "preStop"])
                    .filter(|n| n.is_map() && !n.is_empty());
                if let (Some(p), Some(g)) = (pre_stop, grace)
                    && let Some((sleep, node)) = prestop_sleep(p)
                    && g > 0
                    && sleep >= g
                {
                    let written = if grace_node.is_some() {
                        format!("terminationGracePeriodSeconds {g}")
                    } else {
                        format!("the default terminationGracePeriodSeconds of {g}")
                    };
                    findings.push(Finding::at(
                        node.location(path),
                        format!("{what}'s preStop hook sleeps {sleep}s, not less than {written}: the process gets SIGTERM only as the grace period ends, and is killed before it can finish"),
                    ).with_help("make terminationGracePeriodSeconds longer than the preStop sleep plus the time the process needs to finish its work"));
                }
                // Without declared ports, a Service reaches the pod's first container.
                let serving = match c.ports().first() {
                    Some((port, _)) => Some(format!("it declares containerPort {port}")),
                    None if !pod_declares_ports && i == 0 => services
                        .first()
                        .map(|s| format!("{} selects its pod", s.display_name())),
                    None => None,
                };
                match (pre_stop, serving) {
                    (Some(p), _) => evidence.push(Evidence::located(
                        &p.location(path),
                        format!("{what} has a preStop hook{}", match prestop_sleep(p) {
                            Some((s, _)) => format!(" (sleeps {s}s)"),
                            None => String::new(),
                        }),
                    )),
                    (None, None) => evidence.push(Evidence::located(
                        &c.location(path),
                        format!("{what} passed over: it serves no traffic (it declares no containerPort{})", if pod_declares_ports || services.is_empty() { "" } else { ", and is not the pod's first container" }),
                    )),
                    (None, Some(why)) => match &code {
                        Some((at, marker)) => evidence.push(Evidence::located(
                            &c.location(path),
                            format!("{what} serves traffic ({why}) and has no preStop hook, but the repository's code handles SIGTERM (`{marker}` in {}:{}); golive cannot tell whether that code runs in this container", at.path, at.line),
                        )),
                        None => findings.push(
                            Finding::at(
                                c.location(path),
                                format!("{what} serves traffic ({why}) but has no preStop hook, and no SIGTERM handling was found in the repository's code"),
                            )
                            .with_severity(Severity::Warning)
                            .with_help("add lifecycle.preStop (sleep a few seconds so endpoints update before SIGTERM), and make the process drain on SIGTERM"),
                        ),
                    },
                }
            }
        }
        if checked == 0 {
            return Outcome::not_applicable(if completing > 0 {
                format!(
                    "no long-running workload in the manifests ({completing} workload(s) run to completion)"
                )
            } else {
                "no workloads with a pod template in the manifests".to_string()
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sleep_of(hook: &str) -> Option<i64> {
        let ws = Workspace::from_files(vec![("h.yaml".into(), format!("hook: {hook}\n"))]);
        let root = ws.files()[0].yaml_docs()[0].root()?;
        prestop_sleep(root.get("hook")?).map(|(s, _)| s)
    }

    #[test]
    fn prestop_sleeps_are_read() {
        assert_eq!(sleep_of("{exec: {command: [sleep, '10']}}"), Some(10));
        assert_eq!(
            sleep_of("{exec: {command: [/bin/sh, -c, 'sleep 5 && nginx -s quit']}}"),
            Some(5)
        );
        assert_eq!(sleep_of("{sleep: {seconds: 20}}"), Some(20));
        assert_eq!(
            sleep_of("{exec: {command: [/bin/sh, -c, 'sleep 2s']}}"),
            Some(2)
        );
        assert_eq!(sleep_of("{httpGet: {path: /drain, port: 8080}}"), None);
        assert_eq!(sleep_of("{exec: {command: [nginx, -s, quit]}}"), None);
    }

    #[test]
    fn sigterm_handling_is_found_in_code() {
        let ws = Workspace::from_files(vec![
            ("vendor/x/signal.go".into(), "signal.Notify(c, syscall.SIGTERM)\n".into()),
            ("cmd/api/main.go".into(), "package main\n\n// SIGTERM below\nfunc main() {\n\tsignal.Notify(stop, syscall.SIGTERM)\n}\n".into()),
        ]);
        let (at, marker) = sigterm_handling(&ws).unwrap();
        assert_eq!(
            (at.path.as_str(), at.line, marker),
            ("cmd/api/main.go", 5, "signal.Notify")
        );
    }
}
