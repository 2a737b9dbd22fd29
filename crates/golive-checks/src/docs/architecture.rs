use crate::docs::find::{self, Topic, doc_files, split_name};
use crate::docs::outline::{Outline, words};
use crate::testing::ecosystems::is_vendored;
use golive_core::{Context, Evidence, Finding, Outcome, SourceFile, declare_check};
use regex::Regex;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// The architecture is documented: a document, a section or a diagram shows how the service
    /// is built.
    ///
    /// Any of these passes, when it has content:
    ///
    /// * an `ARCHITECTURE.md` (or `payments-architecture.md`, `system-design.md`,
    ///   `design-doc.md`) anywhere, or a document in an `architecture/` or `design/` folder;
    /// * an Architecture, System design, System overview, High-level design or How it works
    ///   section in the README or in a document under `docs/`;
    /// * a diagram kept as a file: draw.io (`.drawio`), Excalidraw, PlantUML (`.puml`),
    ///   Mermaid (`.mmd`), D2, Structurizr (`workspace.dsl`), or an SVG or Graphviz file whose
    ///   name says architecture, diagram, topology or C4;
    /// * a Mermaid, PlantUML or D2 code block in a document;
    /// * an image in a document whose file name says architecture, diagram, topology or C4
    ///   (`![Architecture](docs/img/architecture.png)`); golive does not read binary images, so
    ///   the reference is the evidence.
    ///
    /// An architecture document or section with no content is a finding at its first line;
    /// with nothing at all, the finding is about the repository.
    ///
    /// ## Why it matters
    /// Whoever debugs, scales or reviews the service needs its components, data stores, and
    /// the dependencies it calls, and how requests flow between them. Without a picture,
    /// that map is rebuilt from the code in the middle of an incident. (Production Ready
    /// Checklist, Documentation: "An architecture diagram is in place".)
    ///
    /// ## How to fix
    /// Add `docs/architecture.md` with a diagram that GitHub renders:
    /// ````markdown
    /// ```mermaid
    /// flowchart LR
    ///   client --> api[billing-api] --> db[(PostgreSQL)]
    ///   api --> mailer --> smtp[SMTP relay]
    /// ```
    /// ````
    pub struct Architecture {
        id: "docs/architecture",
        title: "The architecture is documented",
        category: Docs,
        level: Gold,
        severity: Warning,
        facets: [],
        seeds: ["004: Production Ready Checklist, Documentation: an architecture diagram is in place"],
        fix: "add docs/architecture.md with a diagram (Mermaid, PlantUML or draw.io) of the components and their dependencies",
    }
}

/// How architecture documents are recognised.
const ARCHITECTURE: Topic = Topic {
    what: "architecture",
    folders: &["architecture", "arch", "design", "designs", "design-docs"],
    not_with_yaml: &[],
    name_words: &["architecture"],
    name_phrases: &[
        "system design",
        "system overview",
        "design doc",
        "high level design",
        "technical design",
    ],
    headings: &[
        "architecture",
        "architectural overview",
        "system architecture",
        "system design",
        "system overview",
        "high level design",
        "high level architecture",
        "technical design",
        "design overview",
        "how it works",
        "diagram",
        "diagrams",
    ],
};

/// Words in a file name that say an image or graph is an architecture diagram.
const DIAGRAM_WORDS: &[&str] = &[
    "architecture",
    "arch",
    "diagram",
    "diagrams",
    "topology",
    "c4",
    "infrastructure",
];

/// Whether a file name says it is an architecture diagram (`docs/img/system-architecture.png`).
fn named_as_diagram(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (stem, _) = split_name(name);
    words(stem)
        .iter()
        .any(|w| DIAGRAM_WORDS.contains(&w.as_str()))
}

/// Diagram files: formats that only hold diagrams, and SVG/Graphviz files named as one.
fn diagram_file(file: &SourceFile) -> Option<&'static str> {
    let lower = file.name().to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    Some(match ext {
        _ if lower.contains(".drawio") => "draw.io diagram",
        "drawio" | "dio" => "draw.io diagram",
        "excalidraw" => "Excalidraw diagram",
        "puml" | "plantuml" | "iuml" | "pu" => "PlantUML diagram",
        "mmd" | "mermaid" => "Mermaid diagram",
        "d2" => "D2 diagram",
        "dsl" if lower == "workspace.dsl" => "Structurizr model",
        "svg" | "dot" | "gv" if named_as_diagram(&file.path) => "diagram",
        _ => return None,
    })
}

impl golive_core::Check for Architecture {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        if find::is_empty_repository(cx.ws) {
            return Outcome::not_applicable(find::EMPTY_REPOSITORY);
        }
        let found = find::topic_docs(cx.ws, &ARCHITECTURE);
        let mut evidence = found.evidence;
        for file in cx.ws.files().iter().filter(|f| !is_vendored(&f.path)) {
            if let Some(kind) = diagram_file(file) {
                evidence.push(Evidence::file(&file.path, kind));
            }
        }
        for file in doc_files(cx.ws) {
            diagrams_in(file, &mut evidence);
        }
        if !evidence.is_empty() {
            return Outcome::Pass(evidence);
        }
        if !found.empty.is_empty() {
            return Outcome::from_findings(found.empty, Vec::new());
        }
        Outcome::from_findings(
            vec![Finding::repo(
                "no architecture document or diagram: no ARCHITECTURE.md or architecture/ folder, no Architecture section in the README or docs/, and no diagram (Mermaid, PlantUML, draw.io, or an architecture image)",
            )],
            Vec::new(),
        )
    }
}

/// Diagram code blocks and architecture images in a Markdown document.
fn diagrams_in(file: &SourceFile, evidence: &mut Vec<Evidence>) {
    let Some(markdown) = file.markdown() else {
        return;
    };
    if let Some(outline) = Outline::of(file) {
        for &(line, info) in outline.fences() {
            let language = words(info).into_iter().next().unwrap_or_default();
            let name = match language.as_str() {
                "mermaid" => "Mermaid",
                "plantuml" | "puml" => "PlantUML",
                "d2" => "D2",
                _ => continue,
            };
            evidence.push(Evidence::at(&file.path, line, format!("{name} diagram")));
        }
    }
    for (index, line) in file.text.lines().enumerate() {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        for src in HTML_IMAGE.captures_iter(line).filter_map(|c| c.get(1)) {
            if named_as_diagram(image_path(src.as_str())) {
                evidence.push(Evidence::at(
                    &file.path,
                    line_no,
                    format!("architecture image {}", src.as_str()),
                ));
            }
        }
    }
    for link in markdown.links.iter().filter(|l| l.image) {
        if named_as_diagram(image_path(&link.url)) {
            evidence.push(Evidence::at(
                &file.path,
                link.line,
                format!("architecture image {}", link.url),
            ));
        }
    }
}

/// The path part of an image URL (query string and fragment removed).
fn image_path(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

static HTML_IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']"#).expect("valid regex")
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_diagrams() {
        let file = |path: &str| {
            SourceFile::new(path, golive_core::workspace::classify(path), String::new())
        };
        assert_eq!(
            diagram_file(&file("docs/system.drawio")),
            Some("draw.io diagram")
        );
        assert_eq!(
            diagram_file(&file("docs/flow.drawio.svg")),
            Some("draw.io diagram")
        );
        assert_eq!(
            diagram_file(&file("docs/c4/context.puml")),
            Some("PlantUML diagram")
        );
        assert_eq!(
            diagram_file(&file("docs/img/architecture.svg")),
            Some("diagram")
        );
        assert_eq!(diagram_file(&file("docs/img/logo.svg")), None);
        assert_eq!(diagram_file(&file("deps.dot")), None);
        assert!(named_as_diagram("img/system-architecture.png"));
        assert!(!named_as_diagram("img/search.png"));
        let doc = |text: &str| {
            let f = SourceFile::new("docs/a.md", golive_core::FileKind::Markdown, text.into());
            let mut evidence = Vec::new();
            diagrams_in(&f, &mut evidence);
            evidence
                .into_iter()
                .map(|e| (e.line, e.message))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            doc("# A\n\n~~~ {mermaid}\ngraph LR\n~~~\n"),
            [(Some(3), "Mermaid diagram".to_string())]
        );
        // A diagram shown as an example inside another code block is not a diagram.
        assert!(doc("````markdown\n```mermaid\ngraph LR\n```\n````\n").is_empty());
    }
}
