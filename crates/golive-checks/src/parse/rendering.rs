use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// Every kustomize overlay renders, and `--manifests` input reads, the way golive checks
    /// them: what a deploy would apply.
    ///
    /// golive renders each root kustomization (one that no other includes) as `kustomize build`
    /// does: resources and bases (files and kustomization folders), components,
    /// `configMapGenerator`/`secretGenerator`, strategic-merge and JSON 6902 patches (`patches`,
    /// `patchesStrategicMerge`, `patchesJson6902`, with `target` selectors), `namespace`,
    /// `namePrefix`/`nameSuffix` (and the references to renamed objects), `commonLabels`,
    /// `labels`, `commonAnnotations`, `replicas` and `images`. The other checks then see each
    /// overlay's effective objects, and their findings point at the file and line that sets the
    /// value: the overlay's patch or entry, or the base.
    ///
    /// Errors kustomize itself would stop at are findings: a resource or patch that does not
    /// exist, a folder without a kustomization, a patch whose target matches nothing, a JSON
    /// 6902 operation that fails, kustomizations that include each other. Features golive does
    /// not render (remote bases, `replacements`, `vars`, `helmCharts`, custom generators and
    /// transformers, set-based target selectors) are warnings: the overlay is checked without
    /// them, and the finding says so rather than letting a check pass on objects that differ
    /// from what is deployed. Generated ConfigMaps and Secrets keep their names (no content-hash
    /// suffix).
    ///
    /// For `--manifests` input (`helm template ... | golive check --manifests -`), a document
    /// that does not parse is a finding, and `# Source:` comments that name no file of the scan
    /// are noted in the evidence (findings on those objects point into the input instead).
    ///
    /// ## Why it matters
    /// Checking a base that no environment deploys as written, or an overlay golive could not
    /// build, gives answers about something other than production. An overlay that fails to
    /// build fails the deploy too. (Production Ready Checklist: configuration is valid and
    /// versioned; go-live checklist: environments are defined as code.)
    ///
    /// ## How to fix
    /// Fix the reference kustomize cannot resolve, for example a patch whose target was renamed:
    /// ```yaml
    /// # overlays/prod/kustomization.yaml
    /// resources: [../../base]
    /// patches:
    ///   - path: replicas.yaml        # must name an object the base defines
    /// ```
    /// For an unsupported feature, check the overlay's real output with
    /// `kustomize build overlays/prod | golive check --manifests -`.
    pub struct Rendering {
        id: "parse/rendering",
        title: "Kustomize overlays and rendered manifests read",
        category: Files,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: [
            "004: Production Ready Checklist: configuration is valid and versioned",
            "003: Go-live checklist: environments (dev, staging, production) are defined and separated",
        ],
        fix: "fix the kustomization so that `kustomize build` renders it",
    }
}

impl golive_core::Check for Rendering {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let renders = cx.ws.renders();
        if renders.kustomize.is_empty() && renders.helm.is_empty() && renders.issues.is_empty() {
            return Outcome::not_applicable("no kustomization and no --manifests input to render");
        }
        let findings = renders
            .issues
            .iter()
            .map(|i| {
                let f = Finding::at(i.location.clone(), i.message.clone());
                if i.unsupported {
                    f.with_severity(Severity::Warning).with_help(
                        "check the real output with `kustomize build DIR | golive check --manifests -`, or waive this finding if the feature does not change what golive checks",
                    )
                } else {
                    f
                }
            })
            .collect();
        let mut evidence = Vec::new();
        for r in &renders.kustomize {
            let objects = r.file.yaml_docs().len();
            evidence.push(Evidence::file(
                &r.kustomization,
                format!(
                    "{} rendered: {objects} object(s) from {} file(s)",
                    r.label,
                    r.consumed.len()
                ),
            ));
        }
        for h in &renders.helm {
            evidence.push(Evidence::note(format!(
                "{}: {} rendered object(s) read",
                h.label,
                h.file.yaml_docs().len()
            )));
            for source in &h.unmapped_sources {
                evidence.push(Evidence::note(format!(
                    "{}: `# Source: {source}` names no file of the scan: findings on its objects point into {}",
                    h.label, h.label
                )));
            }
        }
        Outcome::from_findings(findings, evidence)
    }
}
