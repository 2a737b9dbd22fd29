use crate::docs::find::{self, doc_files, split_name};
use crate::docs::outline::{Outline, words};
use crate::testing::ecosystems::{Ecosystem, is_vendored};
use golive_core::{
    Context, Evidence, Finding, Location, Outcome, SourceFile, Workspace, declare_check,
};
use regex::Regex;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// The repository keeps a changelog or release notes.
    ///
    /// A changelog is `CHANGELOG`, `CHANGES` or `RELEASE-NOTES` (`.md`, `.rst`, `.txt`,
    /// `.adoc` or no extension) at the root, in `docs/`, next to a package manifest, or in a
    /// `changelog/` folder, with at least one entry: a version (`## [1.4.0] - 2026-10-01`,
    /// `v2.3`, `Version 3.1`), a date (`2026-10-01`) or a non-empty `Unreleased` section.
    /// `HISTORY`, `RELEASES` and `NEWS` count when they have entries (without any they are
    /// usually a process or history document, and are not reported).
    ///
    /// A release-notes tool configured in the repository passes with a note, since it writes the
    /// changelog or release notes on release: release-please (`.release-please-manifest.json`),
    /// Changesets (`.changeset/`), git-cliff (`cliff.toml`), semantic-release (`.releaserc*`,
    /// `release.config.*`, a `release` key in package.json), towncrier, changie, GoReleaser, and
    /// GitHub's generated release notes (`.github/release.yml`).
    ///
    /// A changelog with no entries (or empty) is a finding at its first line; with no changelog
    /// and no tool, the finding is about the repository.
    ///
    /// ## Why it matters
    /// When a release misbehaves, the first question is what changed. A changelog answers it in
    /// seconds, tells operators what to expect from an upgrade, and shows which version to roll
    /// back to. (Go-live checklist, Versioning: "All components should be versioned"; Production
    /// Ready Checklist: "Publish versioned artifacts", "Solution has release tags".)
    ///
    /// ## How to fix
    /// ```markdown
    /// Changelog
    /// =========
    ///
    /// [1.4.0] - 2026-10-01
    /// --------------------
    /// - Invoices are retried three times before failing.
    /// ```
    /// Or let a tool write it from commits or change files (release-please, Changesets, git-cliff).
    pub struct Changelog {
        id: "docs/changelog",
        title: "A changelog or release notes are kept",
        category: Docs,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "003: Go-live checklist, Versioning: all components should be versioned",
            "004: Production Ready Checklist, Continuous Integration: publish versioned artifacts",
            "004: Production Ready Checklist, Provisioning and Deployment: solution has release tags",
        ],
        fix: "add CHANGELOG.md with an entry per release (or configure release-please, Changesets or git-cliff)",
    }
}

/// How sure a file name is that the file is a changelog.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Name {
    /// CHANGELOG, CHANGES, RELEASE-NOTES: a changelog without entries is a finding.
    Changelog,
    /// HISTORY, RELEASES, NEWS: a changelog only when it has entries.
    Maybe,
}

fn name_of(stem: &str) -> Option<Name> {
    let w = words(stem);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    // `CHANGELOG-1.30` (one file per minor version, as Kubernetes keeps them).
    let versioned = |name: &str| {
        w.first() == Some(&name)
            && w.len() > 1
            && w[1..].iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
    };
    match w.as_slice() {
        ["changelog"] | ["changes"] | ["release", "notes"] | ["releasenotes"] => {
            Some(Name::Changelog)
        }
        ["history"] | ["releases"] | ["news"] => Some(Name::Maybe),
        _ if versioned("changelog") => Some(Name::Changelog),
        _ => None,
    }
}

/// Folders that hold a package manifest (a changelog next to one is that package's).
fn package_dirs(ws: &Workspace) -> std::collections::HashSet<&str> {
    ws.files()
        .iter()
        .filter(|f| Ecosystem::of_manifest(f.name()).is_some())
        .map(|f| f.dir())
        .collect()
}

/// Folders where a changelog is looked for: the root, docs/, package folders and changelog folders.
fn in_place(package_dirs: &std::collections::HashSet<&str>, file: &SourceFile) -> bool {
    let dir = file.dir();
    let last = dir.rsplit('/').next().unwrap_or(dir).to_ascii_lowercase();
    dir.is_empty()
        || matches!(dir.to_ascii_lowercase().as_str(), "docs" | "doc")
        || matches!(last.as_str(), "changelog" | "changelogs" | "release-notes")
        || package_dirs.contains(dir)
}

/// Release-notes tools that write a changelog or release notes on release.
fn tools(ws: &Workspace) -> Vec<Evidence> {
    let mut out = Vec::new();
    for file in ws.files().iter().filter(|f| !is_vendored(&f.path)) {
        let path = file.path.as_str();
        let note = match path {
            ".release-please-manifest.json" | "release-please-config.json" => {
                Some("release-please writes CHANGELOG.md on release")
            }
            "cliff.toml" => Some("git-cliff generates the changelog from commits"),
            ".releaserc" | ".releaserc.json" | ".releaserc.yaml" | ".releaserc.yml"
            | ".releaserc.js" | ".releaserc.cjs" | ".releaserc.mjs" | "release.config.js"
            | "release.config.cjs" | "release.config.mjs" | "release.config.ts" => {
                Some("semantic-release publishes release notes on release")
            }
            "towncrier.toml" => Some("towncrier builds the changelog from news fragments"),
            ".changie.yaml" | ".changie.yml" => {
                Some("changie builds the changelog from change files")
            }
            ".github/release.yml" | ".github/release.yaml" => {
                Some("GitHub generates release notes (categories in .github/release.yml)")
            }
            ".goreleaser.yml" | ".goreleaser.yaml" if !goreleaser_changelog_disabled(file) => {
                Some("GoReleaser publishes release notes with each release")
            }
            "pyproject.toml" if file.text.contains("[tool.towncrier]") => {
                Some("towncrier builds the changelog from news fragments")
            }
            "package.json" if package_json_has_release(file) => {
                Some("semantic-release publishes release notes on release (package.json `release`)")
            }
            _ if path.starts_with(".changeset/") && file.name() == "config.json" => {
                Some("Changesets writes CHANGELOG.md from .changeset/ entries")
            }
            _ => None,
        };
        if let Some(note) = note {
            out.push(Evidence::file(path, note));
        }
    }
    out
}

fn goreleaser_changelog_disabled(file: &SourceFile) -> bool {
    file.yaml_docs().iter().any(|doc| {
        doc.root()
            .and_then(|r| r.get("changelog"))
            .is_some_and(|c| {
                ["disable", "skip"]
                    .iter()
                    .any(|k| c.get(k).and_then(|v| v.as_bool()) == Some(true))
            })
    })
}

fn package_json_has_release(file: &SourceFile) -> bool {
    file.json()
        .first()
        .and_then(|d| d.root())
        .and_then(|r| r.get("release"))
        .is_some_and(|r| r.is_map())
}

/// The release entries of a changelog: (line, text) of each version, date or non-empty
/// Unreleased heading, or of list items and lines that start with a version.
fn entries(outline: &Outline<'_>) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    for (index, heading) in outline.headings.iter().enumerate() {
        let unreleased = words(&heading.text)
            .first()
            .is_some_and(|w| w == "unreleased")
            && outline.section_has_content(index);
        if unreleased || VERSION_OR_DATE.is_match(&heading.text) {
            out.push((heading.line, heading.text.clone()));
        }
    }
    if out.is_empty() {
        for (line, text) in outline.prose_lines() {
            if ENTRY_LINE.is_match(text) {
                out.push((line, text.trim().to_string()));
            }
        }
    }
    out
}

static VERSION_OR_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bv?\d+\.\d+(?:\.\d+)?\b|\b(?:19|20)\d\d-\d\d-\d\d\b|\bversion\s+\d+\b")
        .expect("valid regex")
});
static ENTRY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:[-*+]\s+)?(?:\*\*|__)?\[?(?:(?:v|version\s+|release\s+)?\d+\.\d+|(?:19|20)\d\d-\d\d-\d\d)",
    )
    .expect("valid regex")
});

impl golive_core::Check for Changelog {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        if find::is_empty_repository(cx.ws) {
            return Outcome::not_applicable(find::EMPTY_REPOSITORY);
        }
        let mut evidence = Vec::new();
        let mut has_changelog = false;
        let mut without_entries = Vec::new();
        let package_dirs = package_dirs(cx.ws);
        for file in doc_files(cx.ws).filter(|f| in_place(&package_dirs, f)) {
            let (stem, _) = split_name(file.name());
            let Some(name) = name_of(stem) else {
                continue;
            };
            let Some(outline) = Outline::of(file) else {
                continue;
            };
            let entries = entries(&outline);
            match (entries.first(), name) {
                (Some((line, text)), _) => {
                    has_changelog = true;
                    evidence.push(Evidence::at(
                        &file.path,
                        *line,
                        format!(
                            "changelog with {} entr{}, the first `{text}`",
                            entries.len(),
                            if entries.len() == 1 { "y" } else { "ies" }
                        ),
                    ))
                }
                (None, Name::Changelog) => without_entries.push((file, outline.is_blank())),
                (None, Name::Maybe) => evidence.push(Evidence::file(
                    &file.path,
                    "not read as a changelog: no version or date entries",
                )),
            }
        }
        let tools = tools(cx.ws);
        let has_tool = !tools.is_empty();
        evidence.extend(tools);
        if has_changelog || has_tool {
            evidence.extend(without_entries.iter().map(|(f, _)| {
                Evidence::file(
                    &f.path,
                    "no entries yet: the release tool writes them on release",
                )
            }));
            return Outcome::Pass(evidence);
        }
        let findings: Vec<Finding> = if without_entries.is_empty() {
            vec![Finding::repo(
                "no changelog: no CHANGELOG.md (or CHANGES, RELEASE-NOTES) at the root or in docs/, and no release-notes tool (release-please, Changesets, git-cliff, semantic-release)",
            )]
        } else {
            without_entries
                .iter()
                .map(|(file, blank)| {
                    let message = if *blank {
                        format!("{} is empty", file.path)
                    } else {
                        format!("{} has no entries: no version or date headings", file.path)
                    };
                    Finding::at(Location::file(&file.path), message)
                        .with_help("add a section per release, e.g. `## [1.4.0] - 2026-10-01`, listing what changed")
                })
                .collect()
        };
        Outcome::from_findings(findings, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries_of(name: &str, text: &str) -> Vec<u32> {
        let file = SourceFile::new(name, golive_core::workspace::classify(name), text.into());
        let outline = Outline::of(&file).expect("a doc");
        entries(&outline).into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn finds_entries() {
        let keep_a_changelog = "# Changelog\n\nAll notable changes.\n\n## [Unreleased]\n\n## [1.1.0] - 2026-01-02\n### Added\n- x\n\n[unreleased]: https://x/compare/v1.1.0...HEAD\n";
        assert_eq!(entries_of("CHANGELOG.md", keep_a_changelog), [7]);
        assert_eq!(
            entries_of(
                "CHANGELOG.md",
                "# Changelog\n\n## Unreleased\n\n- Retry invoices\n"
            ),
            [3]
        );
        assert_eq!(
            entries_of(
                "CHANGELOG.md",
                "# Changelog\n\nAll notable changes will be documented here.\n"
            ),
            Vec::<u32>::new()
        );
        assert_eq!(
            entries_of("NEWS", "* v2.1 (2025-03-01)\n  - faster\n\n* v2.0\n"),
            [1, 4]
        );
        assert_eq!(
            entries_of(
                "CHANGES.rst",
                "Changes\n=======\n\n3.0 (2026-02-01)\n----------------\n\n- x\n"
            ),
            [4]
        );
        assert_eq!(
            entries_of("HISTORY.md", "# History\n\nWe started in a garage.\n"),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn names() {
        assert!(name_of("CHANGELOG") == Some(Name::Changelog));
        assert!(name_of("RELEASE_NOTES") == Some(Name::Changelog));
        assert!(name_of("CHANGELOG-1.30") == Some(Name::Changelog));
        assert!(name_of("RELEASES") == Some(Name::Maybe));
        assert!(name_of("CHANGELOG_GUIDE").is_none());
        assert!(name_of("release-process").is_none());
    }
}
