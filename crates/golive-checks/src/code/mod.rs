//! Application source code as checks read it: which files are the application's own code
//! (not tests, vendored or generated files), where container images are built from, and the
//! HTTP routes the code declares.

pub(crate) mod contexts;
pub(crate) mod metrics;
pub(crate) mod routes;

use golive_core::SourceFile;
use golive_core::workspace::{FileKind, Lang};

/// Folders that hold no application code that serves requests: tests, vendored and generated
/// code, examples' dependencies.
const NOT_APPLICATION: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "testdata",
    "spec",
    "e2e",
    "vendor",
    "third_party",
    "third-party",
    "node_modules",
    "dist",
    "target",
    "bower_components",
    ".venv",
    "venv",
    "site-packages",
];

/// The language of a file when it is application source code (not a test or vendored file,
/// not a shell script).
pub(crate) fn application_lang(file: &SourceFile) -> Option<Lang> {
    let FileKind::Source(lang) = file.kind else {
        return None;
    };
    if lang == Lang::Shell {
        return None;
    }
    let dirs: Vec<&str> = file.path.split('/').collect();
    if dirs
        .iter()
        .take(dirs.len().saturating_sub(1))
        .any(|d| NOT_APPLICATION.contains(d))
    {
        return None;
    }
    let name = file.name();
    let test_name = name.ends_with("_test.go")
        || name.contains(".test.")
        || name.contains(".spec.")
        || (lang == Lang::Python
            && (name.starts_with("test_") || name.ends_with("_test.py") || name == "conftest.py"))
        || name.ends_with(".min.js")
        || name.ends_with(".d.ts");
    (!test_name).then_some(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_and_vendored_code_are_not_application_code() {
        let lang = |p: &str| {
            let f = SourceFile::new(p, golive_core::workspace::classify(p), String::new());
            application_lang(&f)
        };
        assert_eq!(lang("src/frontend/main.go"), Some(Lang::Go));
        assert_eq!(lang("src/frontend/main_test.go"), None);
        assert_eq!(lang("vendor/github.com/x/y.go"), None);
        assert_eq!(lang("app/tests/test_api.py"), None);
        assert_eq!(lang("web/src/app.spec.ts"), None);
        assert_eq!(lang("scripts/deploy.sh"), None);
        assert_eq!(lang("src/main/java/A.java"), Some(Lang::Java));
    }
}
