use crate::ci::commands::{self, Command};
use crate::testing::ecosystems;
use golive_core::{Context, Evidence, Facet, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// CI runs a dependency audit or a static application security test (SAST).
    ///
    /// The commands and actions are read the way ci/lint reads them (GitHub Actions workflows
    /// and composite actions, GitLab CI jobs with local includes, the other CI systems' files,
    /// `make <target>` one level deep). What counts:
    ///
    /// - dependency audits: `cargo audit`, `cargo deny check`, `npm`/`yarn`/`pnpm audit`,
    ///   `govulncheck`, `pip-audit`, `safety`, `bundle audit`, `osv-scanner`,
    ///   `dotnet list package --vulnerable`, OWASP dependency-check, `trivy`, `grype`, `snyk`,
    ///   and their actions (`actions/dependency-review-action`, `rustsec/audit-check`,
    ///   `EmbarkStudios/cargo-deny-action`, `aquasecurity/trivy-action`, `anchore/scan-action`,
    ///   `snyk/actions`, `google/osv-scanner-action`, ...);
    /// - SAST: CodeQL (`github/codeql-action`), `semgrep`, `gosec`, `bandit`, `brakeman`;
    /// - GitLab: `include: template:` of `Security/SAST`, `Security/Dependency-Scanning`,
    ///   `Security/Container-Scanning` (or the `Jobs/` variants, or Auto DevOps).
    ///
    /// Dependabot (or Renovate) security updates alone do not count: they open pull requests
    /// after a vulnerability is published, but nothing stops a change that adds a vulnerable
    /// dependency or an injection flaw from merging; the evidence says so when they are set up.
    /// Not-applicable without CI (ci/pipeline reports that) or without code or images to scan.
    ///
    /// ## Why it matters
    /// Most vulnerabilities shipped to production come in through dependencies with published
    /// advisories, or through flaws a scanner finds in seconds (SQL built from strings,
    /// disabled TLS verification). A scan on every change catches them before they ship.
    /// (Deep Dive to Production Readiness: "each repository must have its automated pipeline:
    /// ... security checks"; DevSecOps: "scan dependencies for known vulnerabilities, run
    /// static application security testing in the pipeline".)
    ///
    /// ## How to fix
    /// ```yaml
    /// jobs:
    ///   audit:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///       - run: go run golang.org/x/vuln/cmd/govulncheck@latest ./...
    /// ```
    /// In GitLab:
    /// ```yaml
    /// include:
    ///   - template: Security/SAST.gitlab-ci.yml
    ///   - template: Security/Dependency-Scanning.gitlab-ci.yml
    /// ```
    pub struct SecurityScan {
        id: "ci/security-scan",
        title: "CI runs a dependency audit or SAST",
        category: Ci,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "000: Deep Dive to Production Readiness Checklist: each repository must have its automated pipeline: security checks",
            "000: DevSecOps: scan dependencies for vulnerabilities; static application security testing",
        ],
        fix: "add a CI step that audits dependencies or runs SAST (cargo audit, npm audit, govulncheck, pip-audit, trivy, CodeQL, semgrep; GitLab: include the Security/SAST and Dependency-Scanning templates)",
    }
}

impl golive_core::Check for SecurityScan {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let has_code = ecosystems::projects(cx.ws).iter().any(|p| p.has_code());
        if !has_code && !cx.ws.has(Facet::Docker) {
            return Outcome::not_applicable(
                "no code of a known language ecosystem and no Dockerfile: nothing to scan",
            );
        }
        let Some(ci) = commands::ci(cx.ws) else {
            return Outcome::not_applicable("no CI configuration (ci/pipeline reports that)");
        };
        let mut evidence = Vec::new();
        for c in &ci.commands {
            if let Some(kind) = scan_command(c) {
                evidence.push(Evidence::at(
                    &c.file.path,
                    c.line,
                    format!("{kind}: runs {}", c.text()),
                ));
            }
        }
        for u in &ci.uses {
            if let Some(kind) = scan_action(&u.action) {
                evidence.push(Evidence::at(
                    &u.file.path,
                    u.line,
                    format!("{kind}: uses `{}`", u.action),
                ));
            }
        }
        for (file, line, template) in &ci.templates {
            if let Some(kind) = scan_template(template) {
                evidence.push(Evidence::at(
                    &file.path,
                    *line,
                    format!("{kind}: includes GitLab template `{template}`"),
                ));
            }
        }
        let bots: Vec<&str> = [
            ".github/dependabot.yml",
            ".github/dependabot.yaml",
            "renovate.json",
            "renovate.json5",
            ".renovaterc",
            ".renovaterc.json",
            ".github/renovate.json",
            ".github/renovate.json5",
        ]
        .into_iter()
        .filter(|p| cx.ws.file(p).is_some())
        .collect();
        if !evidence.is_empty() {
            evidence.push(Evidence::note(format!(
                "{} CI file(s) read",
                ci.files.len()
            )));
            return Outcome::from_findings(Vec::new(), evidence);
        }
        let mut finding = Finding::repo(format!(
            "no dependency audit or SAST step runs in CI ({} CI file(s) read)",
            ci.files.len()
        ));
        if let Some(bot) = bots.first() {
            finding = finding.with_help(format!(
                "`{bot}` keeps dependencies updated, but update pull requests alone do not stop a vulnerable dependency or code from merging: add a CI step that audits dependencies or runs SAST (cargo audit, npm audit, govulncheck, pip-audit, trivy, CodeQL, semgrep)"
            ));
        }
        Outcome::from_findings(vec![finding], evidence)
    }
}

/// What kind of security scan a command runs.
pub(crate) fn scan_command(c: &Command<'_>) -> Option<&'static str> {
    let first = c.word(0)?;
    let (tool, at) = match (first, c.word(1).unwrap_or("")) {
        ("npx" | "pnpx" | "bunx", t) => (t, 1),
        ("poetry" | "uv" | "pdm" | "hatch" | "pipenv", "run") => (c.word(2).unwrap_or(""), 2),
        ("bundle", "exec") => (c.word(2).unwrap_or(""), 2),
        ("python" | "python3", "-m") => (c.word(2).unwrap_or(""), 2),
        ("go", "run") => (c.word(2).unwrap_or(""), 2),
        (t, _) => (t, 0),
    };
    let next = c.word(at + 1).unwrap_or("");
    let tool = tool.split('@').next().unwrap_or(tool);
    Some(match (tool, next) {
        ("cargo", "audit" | "deny") => "dependency audit",
        ("npm" | "yarn" | "pnpm" | "bun", "audit") => "dependency audit",
        ("yarn", "npm") if c.word(at + 2) == Some("audit") => "dependency audit",
        ("govulncheck" | "pip-audit" | "osv-scanner" | "bundler-audit", _) => "dependency audit",
        ("bundle", "audit") => "dependency audit",
        ("safety", "check" | "scan") => "dependency audit",
        ("dotnet", "list") if c.has("--vulnerable") => "dependency audit",
        ("dependency-check" | "dependency-check.sh", _) => "dependency audit",
        ("mvn" | "mvnw" | "gradle" | "gradlew", _)
            if c.words.iter().any(|w| {
                let w = w.to_ascii_lowercase();
                w.contains("dependency-check") || w.starts_with("dependencycheck")
            }) =>
        {
            "dependency audit"
        }
        ("trivy" | "grype", _) => "vulnerability scan",
        ("snyk", "test" | "monitor" | "container" | "code" | "iac") => "vulnerability scan",
        ("semgrep" | "gosec" | "bandit" | "brakeman", _) => "SAST",
        ("codeql", "database" | "github") => "SAST",
        _ => return None,
    })
}

/// What kind of security scan a GitHub action runs.
fn scan_action(action: &str) -> Option<&'static str> {
    let repo: String = action.splitn(3, '/').take(2).collect::<Vec<_>>().join("/");
    Some(match repo.as_str() {
        "github/codeql-action" => "SAST",
        "returntocorp/semgrep-action" | "semgrep/semgrep-action" | "securego/gosec" => "SAST",
        "actions/dependency-review-action"
        | "rustsec/audit-check"
        | "actions-rs/audit-check"
        | "embarkstudios/cargo-deny-action"
        | "golang/govulncheck-action"
        | "pypa/gh-action-pip-audit"
        | "google/osv-scanner-action"
        | "dependency-check/dependency-check_action" => "dependency audit",
        "aquasecurity/trivy-action" | "anchore/scan-action" | "snyk/actions" => {
            "vulnerability scan"
        }
        _ => return None,
    })
}

/// What kind of security scan a GitLab template runs.
fn scan_template(template: &str) -> Option<&'static str> {
    let t = template.to_ascii_lowercase();
    if t.contains("sast") {
        Some("SAST")
    } else if t.contains("dependency-scanning") || t.contains("container-scanning") {
        Some("dependency audit")
    } else if t.starts_with("auto-devops") {
        Some("SAST and dependency scanning (Auto DevOps)")
    } else {
        None
    }
}
