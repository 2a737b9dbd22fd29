use golive_core::workspace::FileKind;
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every YAML file in the repository parses, and no mapping repeats a key.
    ///
    /// Helm templates (files under a chart's `templates/` with `{{ }}` actions) are not YAML
    /// until rendered and are not reported; neither are other files whose template actions are
    /// what makes them unparsable.
    ///
    /// ## Why it matters
    /// A manifest, workflow or rule file that does not parse is not deployed, not run or not
    /// evaluated, and nothing else golive checks about it can be trusted. A repeated key is
    /// worse: most readers silently keep one of the two values.
    ///
    /// ## How to fix
    /// Fix the file at the reported position; for a duplicate key, keep the one you mean:
    /// ```yaml
    /// resources:
    ///   limits: { memory: 256Mi }   # one `limits` key, not two
    /// ```
    pub struct InvalidYaml {
        id: "parse/invalid-yaml",
        title: "YAML files parse",
        category: Files,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: ["004: Production Ready Checklist: configuration is valid and versioned"],
        fix: "fix the YAML syntax at the reported line",
    }
}

impl golive_core::Check for InvalidYaml {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let mut findings = Vec::new();
        let (mut parsed, mut templated) = (0, 0);
        for file in cx.ws.files_of(FileKind::Yaml) {
            match file.yaml() {
                Ok(docs) => {
                    parsed += 1;
                    for node in docs.iter().flat_map(|d| d.nodes()) {
                        for key in node.duplicate_keys() {
                            findings.push(
                                Finding::at(
                                    key.location(&file.path),
                                    format!(
                                        "duplicate key `{}`: readers keep only one of the values",
                                        key.as_str().unwrap_or("")
                                    ),
                                )
                                .with_help(
                                    "remove one of the two keys, keeping the value you mean",
                                ),
                            );
                        }
                    }
                }
                // `{{ }}` actions make templates (Helm, gomplate, Jinja) invalid YAML by nature.
                Err(_) if file.text.contains("{{") || file.text.contains("{%") => templated += 1,
                Err(e) => findings.push(Finding::at(
                    Location {
                        path: file.path.clone(),
                        line: e.line,
                        column: e.column,
                        end_line: e.line,
                        end_column: e.column,
                    },
                    format!("invalid YAML: {}", e.message),
                )),
            }
        }
        let helm = cx.ws.files_of(FileKind::HelmTemplate).count();
        if parsed == 0 && findings.is_empty() && templated == 0 && helm == 0 {
            return Outcome::not_applicable("no YAML files in the repository");
        }
        let mut evidence = vec![Evidence::note(format!("{parsed} YAML file(s) parsed"))];
        if helm + templated > 0 {
            evidence.push(Evidence::note(format!(
                "{} template file(s) not parsed as YAML (Helm or other `{{{{ }}}}` templates)",
                helm + templated
            )));
        }
        Outcome::from_findings(findings, evidence)
    }
}
