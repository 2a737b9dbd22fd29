use crate::docker::dockerfiles::is_template;
use golive_core::workspace::FileKind;
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every Dockerfile in the repository parses the way BuildKit (`docker build`) parses it.
    ///
    /// Files named like Dockerfiles (`Dockerfile`, `Containerfile`, `Dockerfile.prod`,
    /// `api.dockerfile`) are read with BuildKit's rules: parser directives, line continuations,
    /// exec and shell forms, flags, heredocs and `ONBUILD`. What BuildKit rejects is a finding
    /// at the position it would report (an unknown instruction such as a continuation line that
    /// lost its `\`, `FROM` without an image, an unterminated heredoc). Templates that are not
    /// Dockerfiles until rendered (`{{ }}`, `{% %}`) and files without any instruction are
    /// noted, not reported. The other `docker/*` checks skip a file that does not parse.
    ///
    /// ## Why it matters
    /// A Dockerfile that does not parse does not build: the image the pipeline is supposed to
    /// ship does not exist, and nothing else golive checks about it (its user, its base images)
    /// can be known. It is most often a missing `\` at the end of a long `RUN` line, which breaks
    /// the build only when that file is built (Production Ready Checklist, Provisioning and
    /// Deployment: "Build Docker images").
    ///
    /// ## How to fix
    /// Fix the line at the reported position; for a broken continuation, end every line of the
    /// command but the last with `\`:
    /// ```dockerfile
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends ca-certificates \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    pub struct InvalidDockerfile {
        id: "parse/invalid-dockerfile",
        title: "Dockerfiles parse",
        category: Files,
        level: Bronze,
        severity: Error,
        facets: [Docker],
        seeds: ["004: Production Ready Checklist, Provisioning and Deployment: Build Docker images"],
        fix: "fix the Dockerfile syntax at the reported line",
    }
}

impl golive_core::Check for InvalidDockerfile {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut parsed = 0usize;
        for file in cx.ws.files_of(FileKind::Dockerfile) {
            match file.dockerfile() {
                Some(Ok(df)) if df.stages.is_empty() => evidence.push(Evidence::file(
                    &file.path,
                    "no instructions: not a Dockerfile docker build accepts, not reported",
                )),
                Some(Ok(_)) => parsed += 1,
                Some(Err(_)) if is_template(&file.text) => evidence.push(Evidence::file(
                    &file.path,
                    "a template (`{{ }}` or `{% %}`): not parsed until rendered",
                )),
                Some(Err(e)) => findings.push(Finding::at(
                    Location {
                        path: file.path.clone(),
                        line: e.line,
                        column: e.column,
                        end_line: e.line,
                        end_column: e.column,
                    },
                    format!("invalid Dockerfile: {}", e.message),
                )),
                None => {}
            }
        }
        if parsed == 0 && findings.is_empty() {
            return Outcome::not_applicable(
                "no Dockerfile with instructions (only templates or empty files)",
            );
        }
        evidence.push(Evidence::note(format!("{parsed} Dockerfile(s) parsed")));
        Outcome::from_findings(findings, evidence)
    }
}
