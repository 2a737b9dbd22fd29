use crate::docs::find::{self, doc_files, heading_is_about, in_docs_folder, split_name};
use crate::docs::outline::{Outline, words};
use crate::testing::ecosystems::is_vendored;
use golive_core::{
    Context, Evidence, FileKind, Finding, Location, Outcome, SourceFile, declare_check,
};
use std::collections::BTreeMap;

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

/// Folder names that hold runbooks.
const FOLDERS: &[&str] = &[
    "runbook",
    "runbooks",
    "run-books",
    "playbook",
    "playbooks",
    "operations",
    "on-call",
    "oncall",
];

/// Headings (and file names) that introduce operational documentation.
const TOPICS: &[&str] = &[
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
];

/// Document names (stems) of operational documentation: `OPERATIONS.md`, `on-call.md`.
const DOCUMENTS: &[&str] = &[
    "operations",
    "on call",
    "oncall",
    "troubleshooting",
    "incident response",
];

/// What was found, and empty candidates that would have counted with content.
#[derive(Default)]
struct Found {
    evidence: Vec<Evidence>,
    empty: Vec<Finding>,
}

impl golive_core::Check for Runbook {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        if find::is_empty_repository(cx.ws) {
            return Outcome::not_applicable(find::EMPTY_REPOSITORY);
        }
        let mut found = Found::default();
        let in_folders = folders(cx, &mut found);
        named_documents(cx, &in_folders, &mut found);
        sections(cx, &mut found);
        if found.evidence.is_empty() {
            external(cx, &mut found);
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

/// Runbook folders with their documents; returns the paths of the documents read.
fn folders<'a>(cx: &Context<'a>, found: &mut Found) -> Vec<&'a str> {
    let mut by_folder: BTreeMap<String, Vec<&SourceFile>> = BTreeMap::new();
    for file in doc_files(cx.ws) {
        let parts: Vec<&str> = file.path.split('/').collect();
        let Some(at) = parts
            .iter()
            .take(parts.len().saturating_sub(1))
            .position(|p| FOLDERS.contains(&p.to_ascii_lowercase().as_str()))
        else {
            continue;
        };
        by_folder
            .entry(parts[..=at].join("/"))
            .or_default()
            .push(file);
    }
    let mut read = Vec::new();
    for (folder, docs) in by_folder {
        let name = folder
            .rsplit('/')
            .next()
            .unwrap_or(&folder)
            .to_ascii_lowercase();
        let ansible = name.starts_with("playbook")
            && cx
                .ws
                .files_of(FileKind::Yaml)
                .any(|f| f.path.starts_with(&format!("{folder}/")));
        if ansible {
            continue;
        }
        read.extend(docs.iter().map(|d| d.path.as_str()));
        let with_content: Vec<&&SourceFile> = docs
            .iter()
            .filter(|d| Outline::of(d).is_some_and(|o| o.has_content()))
            .collect();
        match with_content.first() {
            Some(first) => found.evidence.push(Evidence::file(
                &folder,
                format!(
                    "runbook folder with {} document(s), e.g. {}",
                    with_content.len(),
                    first.path
                ),
            )),
            None => found.empty.extend(docs.iter().map(|d| empty_document(d))),
        }
    }
    read
}

/// Documents named as runbooks, outside runbook folders.
fn named_documents(cx: &Context<'_>, in_folders: &[&str], found: &mut Found) {
    for file in doc_files(cx.ws) {
        if in_folders.contains(&file.path.as_str()) {
            continue;
        }
        let (stem, _) = split_name(file.name());
        let named = words(stem)
            .iter()
            .any(|w| matches!(w.as_str(), "runbook" | "runbooks" | "playbook"))
            || heading_is_about(stem, DOCUMENTS, &[]);
        if !named {
            continue;
        }
        match Outline::of(file) {
            Some(outline) if outline.has_content() => found
                .evidence
                .push(Evidence::file(&file.path, "runbook document")),
            Some(_) => found.empty.push(empty_document(file)),
            None => {}
        }
    }
}

/// Runbook sections in the README and in documents under docs/.
fn sections(cx: &Context<'_>, found: &mut Found) {
    let readme = find::readme(cx.ws).map(|r| r.file);
    let docs = doc_files(cx.ws)
        .filter(|f| in_docs_folder(&f.path) && readme.is_none_or(|r| r.path != f.path));
    for file in readme.into_iter().chain(docs) {
        let Some(outline) = Outline::of(file) else {
            continue;
        };
        for (index, heading) in outline.headings.iter().enumerate() {
            if !heading_is_about(&heading.text, TOPICS, &[]) {
                continue;
            }
            if outline.section_has_content(index) {
                found.evidence.push(Evidence::at(
                    &file.path,
                    heading.line,
                    format!("runbook section `{}`", heading.text),
                ));
            } else {
                found.empty.push(Finding::at(
                    Location::line(&file.path, heading.line),
                    format!("{}: the `{}` section is empty", file.path, heading.text),
                ));
            }
        }
    }
}

/// Runbooks kept outside the repository that it points at.
fn external(cx: &Context<'_>, found: &mut Found) {
    for file in doc_files(cx.ws) {
        let Some(markdown) = file.markdown() else {
            continue;
        };
        for link in &markdown.links {
            let lower = link.url.to_ascii_lowercase();
            if lower.starts_with("http")
                && (lower.contains("runbook") || lower.contains("playbook"))
            {
                found.evidence.push(Evidence::at(
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
            found.evidence.push(Evidence::at(
                &file.path,
                line,
                format!("{urls} alerting rule(s) link runbooks kept outside the repository (`runbook_url`)"),
            ));
        }
    }
}

fn empty_document(file: &SourceFile) -> Finding {
    Finding::at(
        Location::file(&file.path),
        format!(
            "{} has no content yet (only headings or placeholders)",
            file.path
        ),
    )
}
