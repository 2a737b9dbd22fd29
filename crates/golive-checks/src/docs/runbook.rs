use crate::docs::find::{self, Topic, doc_files};
use crate::testing::ecosystems::is_vendored;
use golive_core::{Context, Evidence, FileKind, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Operational runbooks exist: how to operate the service and what to do when it breaks.
    ///
    /// Any of these passes, when it has content (not just a title or `TODO`):
    ///
    /// * a `runbook(s)/`, `playbook(s)/`, `operations/` or `on-call/` folder with documents
    ///   (a `playbooks/` folder with YAML in it is Ansible, not runbooks);
    /// * a document named like `RUNBOOK.md`, `payments-runbook.md`, `OPERATIONS.md`,
    ///   `on-call.md`, `troubleshooting.md` or `incident-response.md`, anywhere;
    /// * a Runbook, Operations, On-call, Troubleshooting, Incident response or Common issues
    ///   section in the README or in a document under `docs/`.
    ///
    /// Runbooks kept outside the repository pass with a note when the repository points at them:
    /// a link to a URL containing `runbook` or `playbook` in the README or docs, or `runbook_url`
    /// annotations on alerting rules. An empty runbook document or section is a finding at its
    /// first line; with nothing at all, the finding is about the repository.
    ///
    /// ## Why it matters
    /// At 3 a.m. the on-call engineer needs the known failure modes and their fixes, the commands
    /// that restart, scale, roll back or purge, and who to escalate to, written down where they
    /// can find them. (Production Ready Checklist, Documentation: "Operational Runbooks are
    /// included"; Go-live checklist, Support documents: "Contains common issues and resolutions".)
    ///
    /// ## How to fix
    /// `docs/runbooks/high-error-rate.md`:
    /// ```markdown
    /// High 5xx error rate
    /// ===================
    ///
    /// 1. Check the last deploy: `kubectl rollout history deploy/billing-api`.
    /// 2. If it started with the deploy, roll back: `kubectl rollout undo deploy/billing-api`.
    /// 3. Otherwise check the database dashboard; escalate to #payments-oncall.
    /// ```
    pub struct Runbook {
        id: "docs/runbook",
        title: "Operational runbooks exist",
        category: Docs,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Documentation: operational runbooks are included",
            "003: Go-live checklist, Support documents: common issues and resolutions, production management instructions",
        ],
        fix: "add docs/runbooks/ (or RUNBOOK.md) describing how to operate the service and handle its known failures",
    }
}

/// How runbooks are recognised.
const RUNBOOKS: Topic = Topic {
    what: "runbook",
    folders: &[
        "runbook",
        "runbooks",
        "run-books",
        "playbook",
        "playbooks",
        "operations",
        "on-call",
        "oncall",
    ],
    not_with_yaml: &["playbook", "playbooks"],
    name_words: &["runbook", "runbooks", "playbook"],
    name_phrases: &[
        "operations",
        "on call",
        "oncall",
        "troubleshooting",
        "incident response",
    ],
    headings: &[
        "runbook",
        "runbooks",
        "playbook",
        "playbooks",
        "operations",
        "operational",
        "operating",
        "ops",
        "on call",
        "oncall",
        "troubleshooting",
        "incident response",
        "incident management",
        "incidents",
        "common issues",
    ],
};

impl golive_core::Check for Runbook {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        if find::is_empty_repository(cx.ws) {
            return Outcome::not_applicable(find::EMPTY_REPOSITORY);
        }
        let mut found = find::topic_docs(cx.ws, &RUNBOOKS);
        if found.evidence.is_empty() {
            found.evidence = external(cx);
        }
        if !found.evidence.is_empty() {
            return Outcome::Pass(found.evidence);
        }
        if !found.empty.is_empty() {
            return Outcome::from_findings(found.empty, Vec::new());
        }
        Outcome::from_findings(
            vec![Finding::repo(
                "no operational runbook: no runbooks/ folder, RUNBOOK.md or OPERATIONS.md, and no Runbook, Operations, On-call or Troubleshooting section in the README or docs/",
            )],
            Vec::new(),
        )
    }
}

/// Runbooks kept outside the repository that it points at.
fn external(cx: &Context<'_>) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    for file in doc_files(cx.ws) {
        let Some(markdown) = file.markdown() else {
            continue;
        };
        for link in &markdown.links {
            let lower = link.url.to_ascii_lowercase();
            if lower.starts_with("http")
                && (lower.contains("runbook") || lower.contains("playbook"))
            {
                evidence.push(Evidence::at(
                    &file.path,
                    link.line,
                    format!("runbook kept outside the repository: {}", link.url),
                ));
            }
        }
    }
    for file in cx
        .ws
        .files_of(FileKind::Yaml)
        .filter(|f| !is_vendored(&f.path))
    {
        let mut urls = 0;
        let mut first: Option<u32> = None;
        for doc in file.yaml_docs() {
            for node in doc.nodes() {
                for (key, value) in node.entries() {
                    if matches!(key.as_str(), Some("runbook_url" | "runbook"))
                        && value.as_text().is_some_and(|v| v.starts_with("http"))
                    {
                        urls += 1;
                        first.get_or_insert(key.line());
                    }
                }
            }
        }
        if let Some(line) = first {
            evidence.push(Evidence::at(
                &file.path,
                line,
                format!("{urls} alerting rule(s) link runbooks kept outside the repository (`runbook_url`)"),
            ));
        }
    }
    evidence
}
