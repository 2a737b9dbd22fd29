//! The repository's application code, as the obs checks read it: which ecosystems have code,
//! which source files belong to a manifest's folder, and which (non-comment) lines mention what.

use super::deps::{self, Ecosystem};
use crate::testing::ecosystems::{self, Ecosystem as Lang};
use golive_core::workspace::{SourceFile, Workspace};

/// The application code of the repository: source files of an ecosystem that has a manifest,
/// outside tests, vendored code, tooling folders and tool configuration.
pub(crate) struct Code<'a> {
    pub sources: Vec<(Lang, &'a SourceFile)>,
}

impl<'a> Code<'a> {
    pub(crate) fn read(ws: &'a Workspace) -> Code<'a> {
        let mut sources = Vec::new();
        for project in ecosystems::projects(ws) {
            for file in &project.sources {
                if crate::code::application_lang(file).is_some() {
                    sources.push((project.ecosystem, *file));
                }
            }
        }
        Code { sources }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The source files of `lang` inside the folder `dir` ("" is the whole repository).
    pub(crate) fn under(&self, lang: Lang, dir: &str) -> impl Iterator<Item = &'a SourceFile> {
        let dir = dir.to_string();
        self.sources
            .iter()
            .filter(move |(l, f)| *l == lang && contains(&dir, &f.path))
            .map(|(_, f)| *f)
            .collect::<Vec<_>>()
            .into_iter()
    }

    /// The source files of `lang` anywhere.
    pub(crate) fn of(&self, lang: Lang) -> impl Iterator<Item = &'a SourceFile> {
        self.under(lang, "")
    }
}

/// The language a dependency ecosystem's code is written in.
pub(crate) fn lang_of(ecosystem: Ecosystem) -> Lang {
    match ecosystem {
        Ecosystem::Cargo => Lang::Rust,
        Ecosystem::Go => Lang::Go,
        Ecosystem::Npm => Lang::Node,
        Ecosystem::Python => Lang::Python,
        Ecosystem::Maven | Ecosystem::Gradle => Lang::Jvm,
        Ecosystem::NuGet => Lang::Dotnet,
        Ecosystem::Gem => Lang::Ruby,
    }
}

/// Whether `path` is inside the folder `dir` ("" is the root).
pub(crate) fn contains(dir: &str, path: &str) -> bool {
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether a line is only a comment (`//`, `#`, `/*`, `*`, `--`, `<!--`; not Rust's `#[..]`
/// attributes).
pub(crate) fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    ["//", "#", "/*", "*", "--", "<!--"]
        .iter()
        .any(|p| t.starts_with(p))
        && !t.starts_with("#[")
}

/// The first non-comment line of `file` containing one of `needles`: its number and the needle.
pub(crate) fn first_line_with<'n>(
    file: &SourceFile,
    needles: &[&'n str],
) -> Option<(u32, &'n str)> {
    deps::numbered(&file.text)
        .filter(|(_, l)| !is_comment(l))
        .find_map(|(n, l)| needles.iter().find(|s| l.contains(**s)).map(|s| (n, *s)))
}

/// Every non-comment line of `file` with its number.
pub(crate) fn code_lines(file: &SourceFile) -> impl Iterator<Item = (u32, &str)> {
    deps::numbered(&file.text).filter(|(_, l)| !is_comment(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_folders() {
        assert!(is_comment("  // log.SetFormatter(&log.JSONFormatter{})"));
        assert!(is_comment("# logging.basicConfig(level=logging.DEBUG)"));
        assert!(!is_comment(
            "log.SetFormatter(&log.JSONFormatter{}) // json"
        ));
        assert!(contains("", "main.go"));
        assert!(contains("svc", "svc/main.go"));
        assert!(!contains("svc", "svc2/main.go"));
    }

    #[test]
    fn code_of_manifests_folders() {
        let ws = Workspace::from_texts(&[
            ("api/go.mod", "module api\n"),
            (
                "api/main.go",
                "package main\n// JSONFormatter\nfunc main() {}\n",
            ),
            ("api/main_test.go", "package main\n"),
            ("web/package.json", "{}"),
            ("web/server.js", "const x = format.json()\n"),
        ]);
        let code = Code::read(&ws);
        let go: Vec<&str> = code
            .under(Lang::Go, "api")
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(go, vec!["api/main.go"]);
        assert_eq!(code.under(Lang::Go, "web").count(), 0);
        let js = code.of(Lang::Node).next();
        assert_eq!(
            js.and_then(|f| first_line_with(f, &["format.json("])),
            Some((1, "format.json("))
        );
        let main = code.of(Lang::Go).next();
        assert_eq!(
            main.and_then(|f| first_line_with(f, &["JSONFormatter"])),
            None
        );
    }
}
