//! Finding documentation: the README GitHub shows, documents by name, headings by meaning,
//! local documents a page links to, and whether a repository has anything to document yet.

use crate::docs::outline::{Format, Outline, words};
use crate::testing::ecosystems::is_vendored;
use golive_core::{Evidence, FileKind, Finding, Location, SourceFile, Workspace};
use std::collections::BTreeMap;

/// Files that only keep an otherwise empty repository in git.
const PLACEHOLDER_FILES: &[&str] = &[".gitkeep", ".keep", ".gitignore", ".gitattributes"];

/// Whether the repository is empty: no files, or only `.gitkeep`/`.gitignore`-style
/// placeholders (and nothing golive skipped as binary or too large).
pub(crate) fn is_empty_repository(ws: &Workspace) -> bool {
    ws.skipped().total() == 0
        && ws
            .files()
            .iter()
            .all(|f| PLACEHOLDER_FILES.contains(&f.name()))
}

/// The reason given by checks that do not apply to an empty repository.
pub(crate) const EMPTY_REPOSITORY: &str =
    "the repository is empty (nothing but .gitkeep/.gitignore files): nothing to document yet";

/// Where GitHub looks for the README it shows on the repository page, in its order.
const README_DIRS: &[&str] = &[".github", "", "docs"];

/// The README a repository shows, and the other candidates it does not show.
pub(crate) struct Readme<'a> {
    pub file: &'a SourceFile,
    pub others: Vec<&'a SourceFile>,
}

/// The README GitHub shows: `.github/`, then the root, then `docs/`; in one folder Markdown
/// before reStructuredText, AsciiDoc, `.txt` and a bare `README`. Names are case-insensitive.
pub(crate) fn readme(ws: &Workspace) -> Option<Readme<'_>> {
    let mut candidates: Vec<(usize, u8, &SourceFile)> = ws
        .files()
        .iter()
        .filter_map(|f| {
            let dir = README_DIRS.iter().position(|d| *d == f.dir())?;
            let (stem, _) = split_name(f.name());
            if !stem.eq_ignore_ascii_case("readme") {
                return None;
            }
            let rank = match Format::of(f.name())? {
                Format::Markdown => 0,
                Format::Rst => 1,
                Format::AsciiDoc => 2,
                Format::Plain => 3,
            };
            Some((dir, rank, f))
        })
        .collect();
    candidates.sort_by(|a, b| (a.0, a.1, &a.2.path).cmp(&(b.0, b.1, &b.2.path)));
    let mut files = candidates.into_iter().map(|(_, _, f)| f);
    let file = files.next()?;
    Some(Readme {
        file,
        others: files.collect(),
    })
}

/// A file name's stem and lowercase extension (`CHANGELOG.md` → `CHANGELOG`, `md`).
pub(crate) fn split_name(name: &str) -> (&str, String) {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, ext.to_ascii_lowercase()),
        _ => (name, String::new()),
    }
}

/// Documentation files of the repository's own (not vendored, not test fixtures), in path order.
pub(crate) fn doc_files(ws: &Workspace) -> impl Iterator<Item = &SourceFile> {
    ws.files()
        .iter()
        .filter(|f| Format::of(f.name()).is_some() && !is_vendored(&f.path))
        .filter(|f| {
            // Extension-less files are documents only when named like one (README, NEWS).
            f.name().contains('.') || f.name().chars().all(|c| c.is_ascii_uppercase() || c == '_')
        })
}

/// Whether a path is under a documentation folder (`docs/`, `doc/`, `documentation/`).
pub(crate) fn in_docs_folder(path: &str) -> bool {
    let mut parts = path.split('/');
    parts.next_back();
    parts.any(|p| {
        matches!(
            p.to_ascii_lowercase().as_str(),
            "docs" | "doc" | "documentation"
        )
    })
}

/// Words a heading may start with that say nothing about its topic (`How to run it`,
/// `1. Installation`, `🚀 Quick start`).
const FILLER: &[&str] = &[
    "how", "to", "do", "i", "we", "you", "the", "a", "an", "your", "our", "this", "it", "can",
];

/// The parts of a heading that each name a topic: `Build, run and test` → `build`, `run`,
/// `test`; leading numbering and filler words dropped.
fn heading_parts(text: &str) -> Vec<Vec<String>> {
    let mut parts = Vec::new();
    for chunk in split_topics(text) {
        let mut part: Vec<String> = Vec::new();
        for word in words(chunk) {
            if word == "and" || word == "or" {
                parts.push(std::mem::take(&mut part));
            } else {
                part.push(word);
            }
        }
        parts.push(part);
    }
    parts
        .into_iter()
        .map(|part| {
            part.into_iter()
                .skip_while(|w| {
                    FILLER.contains(&w.as_str()) || w.chars().all(|c| c.is_ascii_digit())
                })
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Splits a heading where it lists topics: at `&`, `,`, `+`, `|`, `:`, `;`, parentheses, and at
/// `/` between words (`Build/Run`, `Install / Setup`) but not inside a path (`docs/runbook`).
fn split_topics(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut chunks = Vec::new();
    let mut start = 0;
    for (i, &(at, c)) in chars.iter().enumerate() {
        let split = match c {
            '&' | ',' | '+' | '|' | ':' | '(' | ')' | ';' => true,
            '/' => {
                let before = i.checked_sub(1).and_then(|j| chars.get(j)).map(|p| p.1);
                let after = chars.get(i + 1).map(|n| n.1);
                before.is_none_or(char::is_whitespace)
                    || after.is_none_or(|a| a.is_whitespace() || a.is_uppercase())
            }
            _ => false,
        };
        if split {
            chunks.push(text.get(start..at).unwrap_or(""));
            start = at + c.len_utf8();
        }
    }
    chunks.push(text.get(start..).unwrap_or(""));
    chunks
}

/// Whether a heading is about one of the topics, each named by a phrase of one or more words
/// (`getting started`): some part of the heading starts with the phrase. Parts that mention any
/// of `unless` are skipped (`Running tests` is about tests, not about running the service).
pub(crate) fn heading_is_about(text: &str, phrases: &[&str], unless: &[&str]) -> bool {
    heading_parts(text).iter().any(|part| {
        !part.iter().any(|w| unless.contains(&w.as_str()))
            && phrases.iter().any(|phrase| {
                let phrase: Vec<&str> = phrase.split(' ').collect();
                part.len() >= phrase.len() && part.iter().zip(&phrase).all(|(w, p)| w == p)
            })
    })
}

/// Whether a heading mentions one of the words anywhere (`Unit tests`, `How we test`).
pub(crate) fn heading_mentions(text: &str, any_of: &[&str]) -> bool {
    words(text).iter().any(|w| any_of.contains(&w.as_str()))
}

/// Local documentation files a Markdown file links to, with the line of the link (one hop;
/// anchors and query strings ignored; `/x.md` is relative to the repository root).
pub(crate) fn linked_docs<'a>(ws: &'a Workspace, file: &SourceFile) -> Vec<(u32, &'a SourceFile)> {
    let Some(markdown) = file.markdown() else {
        return Vec::new();
    };
    let mut out: Vec<(u32, &SourceFile)> = Vec::new();
    for link in markdown.links.iter().filter(|l| !l.image) {
        let target = link.url.split(['#', '?']).next().unwrap_or("");
        if target.is_empty() || target.contains(':') {
            continue;
        }
        let joined = match target.strip_prefix('/') {
            Some(from_root) => from_root.to_string(),
            None if file.dir().is_empty() => target.to_string(),
            None => format!("{}/{target}", file.dir()),
        };
        let Some(path) = normalise(&joined) else {
            continue;
        };
        if let Some(doc) = ws.file(&path)
            && doc.path != file.path
            && Format::of(doc.name()).is_some()
            && !out.iter().any(|(_, f)| f.path == doc.path)
        {
            out.push((link.line, doc));
        }
    }
    out
}

/// Resolves `.` and `..` in a relative path; None when it leaves the repository.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A documentation topic (runbooks, architecture) and how its documents are recognised.
pub(crate) struct Topic {
    /// What the documents are, for evidence: "runbook".
    pub what: &'static str,
    /// Folders whose documents are about the topic (`runbooks/`), at any depth.
    pub folders: &'static [&'static str],
    /// Of those, folders that hold something else when they also hold YAML (Ansible's
    /// `playbooks/`).
    pub not_with_yaml: &'static [&'static str],
    /// Documents named with one of these words (`payments-runbook.md`)...
    pub name_words: &'static [&'static str],
    /// ...or whose name starts with one of these phrases (`on-call.md`).
    pub name_phrases: &'static [&'static str],
    /// Sections of the README and of documents under docs/ about the topic.
    pub headings: &'static [&'static str],
}

/// The documents about a topic: evidence for those with content, findings for those without.
#[derive(Default)]
pub(crate) struct TopicDocs {
    pub evidence: Vec<Evidence>,
    /// Documents and sections about the topic that have no content yet.
    pub empty: Vec<Finding>,
}

/// Finds a topic's folders, documents and sections (the README's and those under docs/).
pub(crate) fn topic_docs(ws: &Workspace, topic: &Topic) -> TopicDocs {
    let mut found = TopicDocs::default();
    // Documents read as a whole; their sections are not read again.
    let mut read = topic_folders(ws, topic, &mut found);
    for file in doc_files(ws) {
        if read.contains(&file.path.as_str()) {
            continue;
        }
        let (stem, _) = split_name(file.name());
        let named = words(stem)
            .iter()
            .any(|w| topic.name_words.contains(&w.as_str()))
            || heading_is_about(stem, topic.name_phrases, &[]);
        if !named {
            continue;
        }
        read.push(&file.path);
        match Outline::of(file) {
            Some(outline) if outline.has_content() => found.evidence.push(Evidence::file(
                &file.path,
                format!("{} document", topic.what),
            )),
            Some(_) => found.empty.push(empty_document(file)),
            None => {}
        }
    }
    let readme = readme(ws).map(|r| r.file);
    let docs = doc_files(ws)
        .filter(|f| in_docs_folder(&f.path) && readme.is_none_or(|r| r.path != f.path));
    for file in readme
        .into_iter()
        .chain(docs)
        .filter(|f| !read.contains(&f.path.as_str()))
    {
        let Some(outline) = Outline::of(file) else {
            continue;
        };
        for (index, heading) in outline.headings.iter().enumerate() {
            if !heading_is_about(&heading.text, topic.headings, &[]) {
                continue;
            }
            if outline.section_has_content(index) {
                found.evidence.push(Evidence::at(
                    &file.path,
                    heading.line,
                    format!("{} section `{}`", topic.what, heading.text),
                ));
            } else {
                found.empty.push(Finding::at(
                    Location::line(&file.path, heading.line),
                    format!("{}: the `{}` section is empty", file.path, heading.text),
                ));
            }
        }
    }
    found
}

/// A topic's folders with their documents; returns the paths of the documents read.
fn topic_folders<'a>(ws: &'a Workspace, topic: &Topic, found: &mut TopicDocs) -> Vec<&'a str> {
    let mut by_folder: BTreeMap<String, Vec<&SourceFile>> = BTreeMap::new();
    for file in doc_files(ws) {
        let parts: Vec<&str> = file.path.split('/').collect();
        let Some(at) = parts
            .iter()
            .take(parts.len().saturating_sub(1))
            .position(|p| topic.folders.contains(&p.to_ascii_lowercase().as_str()))
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
        let holds_something_else = topic.not_with_yaml.contains(&name.as_str())
            && ws
                .files_of(FileKind::Yaml)
                .any(|f| f.path.starts_with(&format!("{folder}/")));
        if holds_something_else {
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
                    "{} folder with {} document(s), e.g. {}",
                    topic.what,
                    with_content.len(),
                    first.path
                ),
            )),
            None => found.empty.extend(docs.iter().map(|d| empty_document(d))),
        }
    }
    read
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

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &[&str] = &["run", "running", "usage", "getting started", "install"];
    const TEST: &[&str] = &["test", "tests", "testing"];

    #[test]
    fn headings_by_topic() {
        assert!(heading_is_about("How to run it", RUN, TEST));
        assert!(heading_is_about("🚀 Getting Started", RUN, TEST));
        assert!(heading_is_about("2. Installation", &["installation"], &[]));
        assert!(heading_is_about("Build and run", RUN, TEST));
        assert!(heading_is_about("Build, run & test", RUN, TEST));
        assert!(heading_is_about("Build/Run", RUN, TEST));
        assert!(heading_is_about("Install / running", RUN, TEST));
        assert!(!heading_is_about("docs/running", RUN, TEST));
        assert!(!heading_is_about("Running tests", RUN, TEST));
        assert!(!heading_is_about("Resource usage", RUN, TEST));
        assert!(!heading_is_about("Rerun policy", RUN, TEST));
        assert!(heading_mentions("Unit tests", TEST));
        assert!(!heading_mentions("Contest rules", TEST));
    }

    #[test]
    fn readme_precedence_and_links() {
        let ws = Workspace::from_files(vec![
            ("README.rst".into(), "Svc\n===\n".into()),
            ("README.md".into(), "# Svc\n\nSee [dev](./docs/dev.md#tests), [up](../x.md) and [web](https://x.io/a.md).\n".into()),
            ("docs/README.md".into(), "# Docs\n".into()),
            ("docs/dev.md".into(), "# Dev\n".into()),
            ("pkg/readme.md".into(), "# Pkg\n".into()),
        ]);
        let readme = readme(&ws).expect("a readme");
        assert_eq!(readme.file.path, "README.md");
        let others: Vec<&str> = readme.others.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(others, ["README.rst", "docs/README.md"]);
        let linked: Vec<(u32, &str)> = linked_docs(&ws, readme.file)
            .into_iter()
            .map(|(l, f)| (l, f.path.as_str()))
            .collect();
        assert_eq!(linked, [(3, "docs/dev.md")]);
    }

    #[test]
    fn empty_repositories() {
        assert!(is_empty_repository(&Workspace::from_files(vec![])));
        assert!(is_empty_repository(&Workspace::from_files(vec![(
            ".gitkeep".into(),
            String::new()
        )])));
        assert!(!is_empty_repository(&Workspace::from_files(vec![(
            "main.go".into(),
            "package main\n".into()
        )])));
    }
}
