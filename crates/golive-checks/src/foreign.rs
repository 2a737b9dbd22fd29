//! Which paths hold other people's code, build output, examples or test data rather than the
//! repository's own artefacts. One list, so that every check agrees on what is "ours".

/// Folders that are not the repository's own code: dependencies, build output, virtual
/// environments, examples and test fixtures.
const NOT_OURS: &[&str] = &[
    "node_modules",
    "bower_components",
    "vendor",
    "third_party",
    "third-party",
    "thirdparty",
    "dist",
    "build",
    "out",
    "target",
    "obj",
    "coverage",
    ".venv",
    "venv",
    "site-packages",
    "__pycache__",
    ".tox",
    ".nox",
    ".gradle",
    ".next",
    ".nuxt",
    ".cache",
    ".terraform",
    "examples",
    "samples",
    "fixtures",
    "fixture",
    "__fixtures__",
    "testdata",
    "test-data",
    "test_data",
];

/// Whether a path is inside a vendored, generated, example or test-data folder (any folder
/// component, case-insensitive), or is a template path (`{{cookiecutter.name}}/package.json`).
pub(crate) fn is_not_ours(path: &str) -> bool {
    if path.contains("{{") || path.contains("{%") {
        return true;
    }
    let mut parts = path.split('/');
    parts.next_back();
    parts.any(|d| NOT_OURS.contains(&d.to_ascii_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::is_not_ours;

    #[test]
    fn folders_not_files_decide() {
        assert!(is_not_ours("vendor/github.com/x/go.mod"));
        assert!(is_not_ours("web/node_modules/a/package.json"));
        assert!(is_not_ours("tests/fixtures/app/Cargo.toml"));
        assert!(is_not_ours("{{cookiecutter.name}}/package.json"));
        assert!(!is_not_ours("build.gradle"));
        // Java packages are often named `com.example`: singular names are not example folders.
        assert!(!is_not_ours("src/main/java/com/example/Invoice.java"));
        assert!(!is_not_ours("services/api/Cargo.toml"));
    }
}
