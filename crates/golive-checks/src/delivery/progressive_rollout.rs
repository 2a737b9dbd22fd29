use crate::k8s::relations::{Environment, Manifests, environment, same_namespace};
use golive_core::kube::KubeObject;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};
use std::collections::BTreeSet;

declare_check! {
    /// ## What it checks
    /// Production workloads roll out progressively (canary or blue/green) and a bad version is
    /// stopped by metrics, not by people noticing.
    ///
    /// What counts:
    ///
    /// * an Argo Rollouts `Rollout` with `strategy.canary` (steps of `setWeight`/`pause`) and
    ///   analysis (a background `analysis` or `analysis` steps), or `strategy.blueGreen` with
    ///   pre- or post-promotion analysis, or with `autoPromotionEnabled: false` (a person
    ///   promotes);
    /// * a Flagger `Canary` whose `analysis` has metrics with a `thresholdRange` (e.g.
    ///   `request-success-rate` min 99, `request-duration` max 500) or gating webhooks; its
    ///   `targetRef` Deployment is covered;
    /// * traffic splitting: an Istio `VirtualService` route with several weighted destinations,
    ///   an SMI `TrafficSplit`, or a Gateway API `HTTPRoute` rule with several weighted
    ///   `backendRefs`; the Deployments behind the Services it names are covered. Weights
    ///   written in a manifest are shifted by hand: the evidence says that nothing automated
    ///   judges the new version.
    ///
    /// Findings: a canary without any analysis (it promotes blindly on timers), a blue/green
    /// that promotes automatically without analysis, a canary with no steps, whose first
    /// `setWeight` is 100 (all traffic at once) or that raises the weight to 100 with no pause
    /// or analysis after the previous weight (the canary step is never judged), an analysis metric with no
    /// `successCondition`/`failureCondition` (Argo) or no `thresholdRange` (Flagger), i.e. no
    /// abort condition, and a referenced `AnalysisTemplate` or Flagger `MetricTemplate` that is
    /// not in the scan (namespaced templates ship with the app; the analysis fails without
    /// them). A `ClusterAnalysisTemplate` that is not in the scan is assumed to be installed in
    /// the cluster by the platform team, and the evidence notes it.
    ///
    /// A production Deployment that a Service sends traffic to and that none of the above
    /// covers is a finding: it rolls out with a plain rolling update. Deployments no Service
    /// selects, Deployments that run a data store (`redis`, `postgres`, `mysql`, `mongo`, ...
    /// images: their clients share one state), StatefulSets and DaemonSets are passed over
    /// (canary tools shift traffic to stateless Deployments), and so are Jobs and CronJobs,
    /// which are not long-running. Manifests for
    /// other environments (`dev`, `staging`, ... in the path or namespace) are skipped. With
    /// no Rollout, Canary or traffic split and no production Deployment that serves traffic,
    /// the check is not-applicable and says what it passed over.
    ///
    /// ## Why it matters
    /// A rolling update replaces every pod with the new version as fast as they become ready:
    /// a bug that readiness probes do not see reaches all users in minutes. A canary exposes a
    /// few percent of traffic first, and an analysis that reads error rate and latency aborts
    /// and rolls back before the rest see it. (From Code to Production, Build pipelines: "Phased
    /// Deployments ... using canary testing ... Immediately roll back and halt further
    /// deployments if error rates exceed acceptable thresholds"; Production Ready Checklist:
    /// "Use canary deployments"; Go-live checklist: "Blue/Green deployment", "Support canary
    /// deployment".)
    ///
    /// ## How to fix
    /// ```yaml
    /// apiVersion: argoproj.io/v1alpha1
    /// kind: Rollout
    /// spec:
    ///   strategy:
    ///     canary:
    ///       analysis:
    ///         templates: [{ templateName: success-rate }]
    ///       steps:
    ///         - setWeight: 10
    ///         - pause: { duration: 5m }
    ///         - setWeight: 50
    ///         - pause: { duration: 10m }
    /// ---
    /// apiVersion: argoproj.io/v1alpha1
    /// kind: AnalysisTemplate
    /// metadata: { name: success-rate }
    /// spec:
    ///   metrics:
    ///     - name: success-rate
    ///       interval: 1m
    ///       failureLimit: 2
    ///       successCondition: result[0] >= 0.99
    ///       provider:
    ///         prometheus:
    ///           address: http://prometheus.monitoring:9090
    ///           query: sum(rate(http_requests_total{app="web",code!~"5.."}[2m])) / sum(rate(http_requests_total{app="web"}[2m]))
    /// ```
    pub struct ProgressiveRollout {
        id: "delivery/progressive-rollout",
        title: "Production rolls out progressively, and metrics abort a bad version",
        category: Delivery,
        level: Gold,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "001: From Code to Production, Build pipelines: phased deployments with canary testing; roll back when error rates exceed thresholds",
            "004: Production Ready Checklist, Continuous Delivery: use canary deployments",
            "003: Go-live checklist, Deployment: blue/green deployment; support canary deployment",
        ],
        fix: "roll out with a canary or blue/green (Argo Rollouts, Flagger) whose analysis reads error rate and latency and aborts",
    }
}

impl golive_core::Check for ProgressiveRollout {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut r = Review {
            m: &m,
            findings: Vec::new(),
            evidence: Vec::new(),
            covered: BTreeSet::new(),
            split_services: BTreeSet::new(),
            templates_checked: BTreeSet::new(),
        };
        let managed = managed_routes(&m);
        let mut progressive = 0;
        let mut skipped = 0;
        for obj in m.objects() {
            let kind = (obj.group(), obj.kind);
            if !matches!(
                kind,
                ("argoproj.io", "Rollout")
                    | ("flagger.app", "Canary")
                    | ("networking.istio.io", "VirtualService")
                    | ("split.smi-spec.io", "TrafficSplit")
                    | ("gateway.networking.k8s.io", "HTTPRoute")
            ) {
                continue;
            }
            if let Environment::NonProduction(why) = environment(obj) {
                if matches!(kind.1, "Rollout" | "Canary") {
                    skipped += 1;
                    r.evidence.push(Evidence::located(
                        &obj.location(),
                        format!("{} skipped: not production ({why})", obj.display_name()),
                    ));
                }
                continue;
            }
            match kind.1 {
                "Rollout" => {
                    progressive += 1;
                    r.rollout(obj);
                }
                "Canary" => {
                    progressive += 1;
                    r.flagger(obj);
                }
                _ if obj.name().is_some_and(|n| managed.contains(n)) => {}
                _ => {
                    if r.traffic_split(obj) {
                        progressive += 1;
                    }
                }
            }
        }
        // Deployments judged: rolled out by a Rollout or Canary, behind a traffic split, or a
        // finding.
        let mut judged = 0;
        let mut passed_over: Vec<String> = Vec::new();
        let mut stateless_skipped = 0;
        for w in m.workloads() {
            // Rollouts were judged above (or skipped with their environment).
            if !w.obj.is_long_running() || w.obj.kind == "Rollout" {
                continue;
            }
            if let Environment::NonProduction(why) = environment(&w.obj) {
                skipped += 1;
                r.evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{} skipped: not production ({why})", w.obj.display_name()),
                ));
                continue;
            }
            let name = w.obj.display_name();
            if w.obj.kind != "Deployment" || w.obj.group() != "apps" {
                passed_over.push(name);
                continue;
            }
            if let Some((_, _, by)) = r.covered.iter().find(|(n, ns, _)| {
                w.obj.name() == Some(n.as_str()) && same_namespace(ns.as_deref(), w.namespace())
            }) {
                r.evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name} is rolled out by {by}"),
                ));
                judged += 1;
                continue;
            }
            if let Some(store) = w.template.and_then(|t| data_store(&t)) {
                stateless_skipped += 1;
                r.evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!(
                        "{name} passed over: it runs a data store (`{store}`); canaries are for stateless services"
                    ),
                ));
                continue;
            }
            let services = m.services_selecting(w);
            if services.is_empty() {
                stateless_skipped += 1;
                r.evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name} passed over: no Service in the scan sends it traffic"),
                ));
                continue;
            }
            judged += 1;
            if let Some(s) = services
                .iter()
                .find(|s| s.name().is_some_and(|n| r.split_services.contains(n)))
            {
                r.evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!(
                        "{name} is behind {}, whose traffic is split by weight",
                        s.display_name()
                    ),
                ));
                continue;
            }
            r.findings.push(Finding::at(
                w.obj.location(),
                format!(
                    "production {name} (behind {}) rolls out with a plain rolling update: every pod gets the new version, with no canary or blue/green and no metric that aborts a bad version",
                    services
                        .iter()
                        .map(|s| s.display_name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if !passed_over.is_empty() {
            r.evidence.push(Evidence::note(format!(
                "passed over (canary tools shift traffic to Deployments): {}",
                passed_over.join(", ")
            )));
        }
        if progressive == 0 && judged == 0 {
            let jobs = m
                .workloads()
                .iter()
                .filter(|w| !w.obj.is_long_running())
                .count();
            let mut why = Vec::new();
            if !passed_over.is_empty() {
                why.push(format!("{} passed over", passed_over.join(", ")));
            }
            if stateless_skipped > 0 {
                why.push(format!(
                    "{stateless_skipped} Deployment(s) with no Service or running a data store"
                ));
            }
            if skipped > 0 {
                why.push(format!(
                    "{skipped} object(s) in non-production environments skipped"
                ));
            }
            if jobs > 0 {
                why.push(format!("{jobs} Job(s)/CronJob(s), which run to completion"));
            }
            return Outcome::not_applicable(if why.is_empty() {
                "no long-running workload in the Kubernetes manifests".to_string()
            } else {
                format!(
                    "no production Deployment serving traffic to roll out progressively: {}",
                    why.join("; ")
                )
            });
        }
        Outcome::from_findings(r.findings, r.evidence)
    }
}

/// Images of data stores, which are not rolled out by canary (their clients share one state).
const DATA_STORES: &[&str] = &[
    "redis",
    "valkey",
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongo",
    "mongodb",
    "memcached",
    "rabbitmq",
    "elasticsearch",
    "cassandra",
    "zookeeper",
    "kafka",
    "etcd",
    "nats",
];

/// The data store a pod runs, by the repository name of its first container's image.
fn data_store(t: &golive_core::kube::PodTemplate<'_>) -> Option<String> {
    let image = t.containers().first()?.image()?.as_text()?;
    let parsed = golive_core::parse::image_ref::parse(image)?;
    let last = parsed.repository.rsplit('/').next()?.to_ascii_lowercase();
    DATA_STORES.contains(&last.as_str()).then_some(last)
}

/// Traffic-routing objects an Argo Rollout manages (their weights move with its steps):
/// `trafficRouting.istio.virtualService(s)`, `smi.trafficSplitName` and the Gateway API
/// plugin's `httpRoute(s)`.
fn managed_routes<'a>(m: &Manifests<'a>) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    for obj in m
        .objects()
        .iter()
        .filter(|o| o.group() == "argoproj.io" && o.kind == "Rollout")
    {
        let Some(routing) = obj
            .node
            .path(&["spec", "strategy", "canary", "trafficRouting"])
        else {
            continue;
        };
        if let Some(istio) = routing.get("istio") {
            out.extend(
                istio
                    .path(&["virtualService", "name"])
                    .and_then(|n| n.as_text()),
            );
            for vs in istio
                .get("virtualServices")
                .into_iter()
                .flat_map(|v| v.items())
            {
                out.extend(vs.get_str("name"));
            }
        }
        if let Some(smi) = routing.get("smi") {
            out.extend(smi.get_str("trafficSplitName").or(obj.name()));
        }
        for plugin in routing.get("plugins").into_iter().flat_map(|p| p.entries()) {
            let (_, cfg) = plugin;
            out.extend(cfg.get_str("httpRoute"));
            for r in cfg.get("httpRoutes").into_iter().flat_map(|r| r.items()) {
                out.extend(r.get_str("name"));
            }
        }
    }
    out
}

struct Review<'m, 'a> {
    m: &'m Manifests<'a>,
    findings: Vec<Finding>,
    evidence: Vec<Evidence>,
    /// Deployments a Rollout (`workloadRef`) or Flagger Canary (`targetRef`) rolls out:
    /// (name, namespace).
    covered: BTreeSet<(String, Option<String>, String)>,
    /// Services named by a weighted traffic split.
    split_services: BTreeSet<String>,
    /// Templates whose metrics were already judged (file, line).
    templates_checked: BTreeSet<(String, u32)>,
}

impl<'a> Review<'_, 'a> {
    fn rollout(&mut self, obj: &KubeObject<'a>) {
        let name = obj.display_name();
        if let Some(wref) = obj.node.path(&["spec", "workloadRef"])
            && wref.get_str("kind") == Some("Deployment")
            && let Some(target) = wref.get_str("name")
        {
            self.covered.insert((
                target.to_string(),
                obj.namespace().map(str::to_string),
                obj.display_name(),
            ));
        }
        let findings_before = self.findings.len();
        let strategy = obj.node.path(&["spec", "strategy"]);
        if let Some((key, bg)) = strategy.and_then(|s| s.entry("blueGreen")) {
            let analyses: Vec<Node<'a>> = ["prePromotionAnalysis", "postPromotionAnalysis"]
                .iter()
                .filter_map(|k| bg.get(k))
                .collect();
            let auto = bg.get("autoPromotionEnabled").and_then(|n| n.as_bool()) != Some(false);
            if !analyses.is_empty() {
                let names = self.templates(obj, &analyses);
                self.evidence.push(Evidence::located(
                    &key.location(&obj.file.path),
                    format!("{name}: blue/green with promotion analysis ({names})"),
                ));
            } else if !auto {
                self.evidence.push(Evidence::located(
                    &key.location(&obj.file.path),
                    format!(
                        "{name}: blue/green promoted by a person (autoPromotionEnabled: false); no analysis reads metrics"
                    ),
                ));
            } else {
                self.findings.push(Finding::at(
                    key.location(&obj.file.path),
                    format!(
                        "{name}: blue/green promotes the new version as soon as its pods are ready, with no pre- or post-promotion analysis: nothing aborts a bad version"
                    ),
                ).with_help("add prePromotionAnalysis (an AnalysisTemplate reading error rate and latency), or set autoPromotionEnabled: false and promote by hand"));
            }
            return;
        }
        let Some((key, canary)) = strategy.and_then(|s| s.entry("canary")) else {
            self.evidence.push(Evidence::located(
                &obj.location(),
                format!("{name}: no canary or blueGreen strategy golive can read"),
            ));
            return;
        };
        let at = key.location(&obj.file.path);
        let steps: Vec<Node<'a>> = canary
            .get("steps")
            .into_iter()
            .flat_map(|s| s.items())
            .collect();
        let mut analyses: Vec<Node<'a>> = canary.get("analysis").into_iter().collect();
        analyses.extend(steps.iter().filter_map(|s| s.get("analysis")));
        if steps.is_empty() {
            self.findings.push(Finding::at(
                at.clone(),
                format!("{name}: the canary has no steps, so all traffic moves to the new version at once"),
            ).with_help("add steps: setWeight: 10, pause, setWeight: 50, pause, ..."));
        } else {
            self.weights(&name, obj, &steps);
        }
        if analyses.is_empty() {
            self.findings.push(Finding::at(
                at,
                format!(
                    "{name}: the canary has no analysis, so it promotes on pauses and timers without reading any metric: nothing aborts a bad version"
                ),
            ).with_help("add canary.analysis (or analysis steps) with an AnalysisTemplate whose metrics have a successCondition or failureCondition"));
            return;
        }
        let names = self.templates(obj, &analyses);
        if self.findings.len() > findings_before {
            return;
        }
        let weights: Vec<String> = steps
            .iter()
            .filter_map(|s| s.get("setWeight").and_then(|w| w.as_str()))
            .map(|w| format!("{w}%"))
            .collect();
        self.evidence.push(Evidence::located(
            &at,
            format!(
                "{name}: canary{} with analysis ({names})",
                if weights.is_empty() {
                    String::new()
                } else {
                    format!(" in steps of {}", weights.join(", "))
                }
            ),
        ));
    }

    /// A canary's weights must rise in gated steps: the first `setWeight` below 100, and a
    /// pause, analysis or experiment before a step raises it to 100.
    fn weights(&mut self, name: &str, obj: &KubeObject<'a>, steps: &[Node<'a>]) {
        let mut last: Option<i64> = None;
        let mut gated = false;
        for step in steps {
            let Some(node) = step.get("setWeight") else {
                if ["pause", "analysis", "experiment"]
                    .iter()
                    .any(|k| step.get(k).is_some())
                {
                    gated = true;
                }
                continue;
            };
            let Some(weight) = node.as_i64() else {
                continue;
            };
            if weight >= 100 {
                match last {
                    None => self.findings.push(Finding::at(
                        node.location(&obj.file.path),
                        format!("{name}: the first canary step sets weight 100, so all traffic moves to the new version at once"),
                    ).with_help("start with a small weight (setWeight: 10) and pause or analyse before raising it")),
                    Some(before) if !gated => self.findings.push(Finding::at(
                        node.location(&obj.file.path),
                        format!("{name}: the canary goes from weight {before} to 100 with no pause or analysis in between, so the canary step is never judged"),
                    ).with_help("add a pause (or an analysis step) before the step that sets weight 100")),
                    Some(_) => {}
                }
                return;
            }
            last = Some(weight);
            gated = false;
        }
    }

    /// Resolves the templates the analyses reference and judges their metrics; returns their
    /// names for the evidence.
    fn templates(&mut self, obj: &KubeObject<'a>, analyses: &[Node<'a>]) -> String {
        let mut names = Vec::new();
        for analysis in analyses {
            let refs = analysis
                .get("templates")
                .into_iter()
                .flat_map(|t| t.items());
            for r in refs {
                let Some(tname_node) = r.get("templateName") else {
                    continue;
                };
                let Some(tname) = tname_node.as_text() else {
                    continue;
                };
                let cluster = r.get("clusterScope").and_then(|c| c.as_bool()) == Some(true);
                let kind = if cluster {
                    "ClusterAnalysisTemplate"
                } else {
                    "AnalysisTemplate"
                };
                names.push(format!("{kind}/{tname}"));
                let found = self
                    .m
                    .objects()
                    .iter()
                    .find(|t| {
                        t.group() == "argoproj.io"
                            && t.kind == kind
                            && t.name() == Some(tname)
                            && (cluster || same_namespace(t.namespace(), obj.namespace()))
                    })
                    .copied();
                match (found, cluster) {
                    (Some(t), _) => self.argo_metrics(&t),
                    (None, true) => self.evidence.push(Evidence::located(
                        &tname_node.location(&obj.file.path),
                        format!(
                            "{}: ClusterAnalysisTemplate `{tname}` is not in the scan; assumed installed in the cluster by the platform, its metrics are not checked",
                            obj.display_name()
                        ),
                    )),
                    (None, false) => self.findings.push(Finding::at(
                        tname_node.location(&obj.file.path),
                        format!(
                            "{}: AnalysisTemplate `{tname}` is not in the scan: the analysis fails to start (a namespaced template ships with the app)",
                            obj.display_name()
                        ),
                    ).with_help("add the AnalysisTemplate next to the Rollout, or reference a ClusterAnalysisTemplate (clusterScope: true)")),
                }
            }
        }
        if names.is_empty() {
            "no templates".into()
        } else {
            names.join(", ")
        }
    }

    /// Every metric of an Argo analysis template needs an abort condition.
    fn argo_metrics(&mut self, t: &KubeObject<'a>) {
        let key = (t.file.path.clone(), t.location().line);
        if !self.templates_checked.insert(key) {
            return;
        }
        let metrics: Vec<Node<'a>> = t
            .node
            .path(&["spec", "metrics"])
            .into_iter()
            .flat_map(|m| m.items())
            .collect();
        if metrics.is_empty() {
            self.findings.push(Finding::at(
                t.location(),
                format!(
                    "{} has no metrics: the analysis passes without reading anything",
                    t.display_name()
                ),
            ));
        }
        for metric in metrics {
            let conditions = metric.get("successCondition").is_some()
                || metric.get("failureCondition").is_some();
            // A Job provider succeeds or fails with the Job.
            let job = metric.path(&["provider", "job"]).is_some();
            let metric_name = metric.get_str("name").unwrap_or("<unnamed>");
            let at = metric.get("name").unwrap_or(metric).location(&t.file.path);
            if conditions || job {
                self.evidence.push(Evidence::located(
                    &at,
                    format!(
                        "{}: metric `{metric_name}` {}",
                        t.display_name(),
                        if job {
                            "runs a Job that passes or fails the analysis".to_string()
                        } else {
                            format!(
                                "aborts on {}",
                                metric
                                    .get_str("failureCondition")
                                    .map(|c| format!("failureCondition `{c}`"))
                                    .or_else(|| metric
                                        .get_str("successCondition")
                                        .map(|c| format!("a failed successCondition `{c}`")))
                                    .unwrap_or_default()
                            )
                        }
                    ),
                ));
            } else {
                self.findings.push(Finding::at(
                    at,
                    format!(
                        "{}: metric `{metric_name}` has no successCondition or failureCondition, so it never fails and never aborts the rollout",
                        t.display_name()
                    ),
                ).with_help("add successCondition (e.g. result[0] >= 0.99) or failureCondition to the metric"));
            }
        }
    }

    fn flagger(&mut self, obj: &KubeObject<'a>) {
        let name = obj.display_name();
        if let Some(target) = obj.node.path(&["spec", "targetRef"])
            && matches!(target.get_str("kind"), Some("Deployment") | None)
            && let Some(t) = target.get_str("name")
        {
            self.covered.insert((
                t.to_string(),
                obj.namespace().map(str::to_string),
                obj.display_name(),
            ));
        }
        let Some((key, analysis)) = obj
            .node
            .get("spec")
            .and_then(|s| s.entry("analysis").or_else(|| s.entry("canaryAnalysis")))
        else {
            self.findings.push(Finding::at(
                obj.location(),
                format!("{name} has no analysis: Flagger cannot judge the canary, so nothing aborts a bad version"),
            ).with_help("add spec.analysis with metrics (request-success-rate thresholdRange min 99, request-duration max 500)"));
            return;
        };
        let at = key.location(&obj.file.path);
        // Weights: stepWeight / maxWeight, or stepWeights.
        let step = analysis
            .get("stepWeight")
            .or_else(|| analysis.get("stepWeights").and_then(|s| s.items().next()));
        if let Some(step) = step
            && step.as_i64().is_some_and(|w| w >= 100)
        {
            self.findings.push(Finding::at(
                step.location(&obj.file.path),
                format!("{name}: the first canary step sends 100% of traffic to the new version at once"),
            ).with_help("use a small stepWeight (10) and a maxWeight of 50"));
        }
        let metrics: Vec<Node<'a>> = analysis
            .get("metrics")
            .into_iter()
            .flat_map(|m| m.items())
            .collect();
        let webhooks = analysis
            .get("webhooks")
            .into_iter()
            .flat_map(|w| w.items())
            .filter(|w| matches!(w.get_str("type"), None | Some("rollout" | "pre-rollout")))
            .count();
        let mut judged = Vec::new();
        for metric in &metrics {
            let metric_name = metric.get_str("name").unwrap_or("<unnamed>");
            let mat = metric
                .get("name")
                .unwrap_or(*metric)
                .location(&obj.file.path);
            if let Some(tref) = metric.get("templateRef")
                && let Some(tname) = tref.get_str("name")
            {
                let ns = tref.get_str("namespace").or(obj.namespace());
                let found = self.m.objects().iter().any(|t| {
                    t.group() == "flagger.app"
                        && t.kind == "MetricTemplate"
                        && t.name() == Some(tname)
                        && same_namespace(t.namespace(), ns)
                });
                if !found
                    && tref
                        .get_str("namespace")
                        .is_none_or(|n| Some(n) == obj.namespace())
                {
                    self.findings.push(Finding::at(
                        mat.clone(),
                        format!("{name}: metric `{metric_name}` uses MetricTemplate `{tname}`, which is not in the scan: the analysis fails"),
                    ).with_help("add the MetricTemplate next to the Canary"));
                    continue;
                }
            }
            let range = metric.get("thresholdRange");
            let (min, max) = (
                range.and_then(|r| r.get_str("min")),
                range.and_then(|r| r.get_str("max")),
            );
            let legacy = metric.get_str("threshold");
            if min.is_none() && max.is_none() && legacy.is_none() {
                self.findings.push(Finding::at(
                    mat,
                    format!("{name}: metric `{metric_name}` has no thresholdRange, so it never fails the canary"),
                ).with_help("add thresholdRange (min: 99 for a success rate, max: 500 for a latency in ms)"));
                continue;
            }
            let bound = match (min, max, legacy) {
                (Some(a), Some(b), _) => format!("between {a} and {b}"),
                (Some(a), None, _) => format!("min {a}"),
                (None, Some(b), _) => format!("max {b}"),
                (None, None, Some(t)) => format!("threshold {t}"),
                (None, None, None) => String::new(),
            };
            judged.push(format!("{metric_name} {bound}"));
        }
        if metrics.is_empty() && webhooks == 0 {
            self.findings.push(Finding::at(
                at,
                format!("{name}: the analysis has no metrics and no gating webhooks, so Flagger promotes without judging the canary"),
            ).with_help("add metrics: request-success-rate (thresholdRange min 99) and request-duration (max 500)"));
            return;
        }
        if judged.is_empty() && webhooks == 0 {
            return;
        }
        let failures = analysis
            .get_str("threshold")
            .map(|t| format!(", rolled back after {t} failed checks"))
            .unwrap_or_default();
        self.evidence.push(Evidence::located(
            &at,
            format!(
                "{name}: Flagger canary analysis{}{}{failures}",
                if judged.is_empty() {
                    String::new()
                } else {
                    format!(" on {}", judged.join(", "))
                },
                if webhooks > 0 {
                    format!(" with {webhooks} gating webhook(s)")
                } else {
                    String::new()
                }
            ),
        ));
    }

    /// A weighted traffic split; returns whether the object splits traffic.
    fn traffic_split(&mut self, obj: &KubeObject<'a>) -> bool {
        let spec = obj.node.get("spec");
        let mut backends: Vec<(String, Option<String>, Node<'a>)> = Vec::new();
        match obj.kind {
            "VirtualService" => {
                for http in spec
                    .and_then(|s| s.get("http"))
                    .into_iter()
                    .flat_map(|h| h.items())
                {
                    let routes: Vec<Node<'a>> = http
                        .get("route")
                        .into_iter()
                        .flat_map(|r| r.items())
                        .collect();
                    if routes.len() >= 2 && routes.iter().any(|r| r.get("weight").is_some()) {
                        for r in routes {
                            if let Some(host) =
                                r.path(&["destination", "host"]).and_then(|h| h.as_text())
                            {
                                let short = host.split('.').next().unwrap_or(host);
                                let subset =
                                    r.path(&["destination", "subset"]).and_then(|s| s.as_text());
                                let label = match subset {
                                    Some(s) => format!("{short}/{s}"),
                                    None => short.to_string(),
                                };
                                backends.push((label, r.get_str("weight").map(str::to_string), r));
                                self.split_services.insert(short.to_string());
                            }
                        }
                    }
                }
            }
            "TrafficSplit" => {
                let items: Vec<Node<'a>> = spec
                    .and_then(|s| s.get("backends"))
                    .into_iter()
                    .flat_map(|b| b.items())
                    .collect();
                if items.len() >= 2 {
                    if let Some(root) = spec.and_then(|s| s.get_str("service")) {
                        self.split_services.insert(root.to_string());
                    }
                    for b in items {
                        if let Some(s) = b.get_str("service") {
                            backends.push((
                                s.to_string(),
                                b.get_str("weight").map(str::to_string),
                                b,
                            ));
                            self.split_services.insert(s.to_string());
                        }
                    }
                }
            }
            _ => {
                for rule in spec
                    .and_then(|s| s.get("rules"))
                    .into_iter()
                    .flat_map(|r| r.items())
                {
                    let refs: Vec<Node<'a>> = rule
                        .get("backendRefs")
                        .into_iter()
                        .flat_map(|b| b.items())
                        .collect();
                    if refs.len() >= 2 && refs.iter().any(|r| r.get("weight").is_some()) {
                        for b in refs {
                            if let Some(s) = b.get_str("name") {
                                backends.push((
                                    s.to_string(),
                                    b.get_str("weight").map(str::to_string),
                                    b,
                                ));
                                self.split_services.insert(s.to_string());
                            }
                        }
                    }
                }
            }
        }
        let Some((_, _, first)) = backends.first() else {
            return false;
        };
        let shares: Vec<String> = backends
            .iter()
            .map(|(n, w, _)| format!("{n} ({})", w.as_deref().unwrap_or("default weight")))
            .collect();
        self.evidence.push(Evidence::located(
            &first.location(&obj.file.path),
            format!(
                "{} splits traffic by weight between {}; the weights are shifted by hand, nothing automated judges the new version",
                obj.display_name(),
                shares.join(", ")
            ),
        ));
        true
    }
}
