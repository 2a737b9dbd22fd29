use crate::testing::ecosystems::{self, Ecosystem, is_vendored};
use golive_core::workspace::Lang;
use golive_core::{
    Context, Evidence, FileKind, Finding, Location, Outcome, SourceFile, Workspace, declare_check,
};
use regex::Regex;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// Every language ecosystem of the repository's code has test files.
    ///
    /// An ecosystem is a manifest (`Cargo.toml`, `go.mod`, `package.json`, `pyproject.toml`,
    /// `setup.py`, `requirements*.txt`, `pom.xml`, `build.gradle`, `*.csproj`, `Gemfile`) together
    /// with source code in its languages. A manifest whose folder holds no code besides tool
    /// configuration (a `package.json` that only runs linters or commit hooks, a
    /// `docs/requirements.txt` for the documentation site) is not checked. Test files are:
    ///
    /// | ecosystem | test files |
    /// | --- | --- |
    /// | Rust | `.rs` files with `#[test]`, `#[tokio::test]`, `#[rstest]`, `#[test_case]`, `proptest!`, files under a `tests/` folder, and files of a library crate with doctests |
    /// | Go | `*_test.go` with a `func Test…` or `func Fuzz…` |
    /// | Python | `test_*.py`, `*_test.py`, `tests.py` or `.py` under `tests/` with `def test…` or a `TestCase` |
    /// | Node.js | `*.test.[jt]s(x)`, `*.spec.[jt]s(x)`, files under `__tests__/`, or `test/` files calling `describe`/`it`/`test` |
    /// | Java/Kotlin | files with `@Test`/`@ParameterizedTest` (JUnit, TestNG), Kotest specs, Spock specifications |
    /// | .NET | test projects (`*Tests.csproj`, or one referencing `Microsoft.NET.Test.Sdk`), files with `[Fact]`, `[Theory]`, `[Test]`, `[TestMethod]` |
    /// | Ruby | `spec/**/*_spec.rb`, `test/**/*_test.rb`, `test/**/test_*.rb` |
    ///
    /// Vendored code, build output, examples and test fixtures are not read.
    ///
    /// ## Why it matters
    /// Code without tests changes without a safety net: every release is a manual check or a
    /// bet. (Production Ready Checklist, Testing: "Testing safety net is in place"; Continuous
    /// Integration: "Set up automated tests".)
    ///
    /// ## How to fix
    /// Add tests next to the code, in the ecosystem's usual place, and run them in CI:
    /// ```go
    /// // internal/billing/invoice_test.go
    /// func TestInvoiceTotal(t *testing.T) {
    ///     if got := Total([]int{2, 3}); got != 5 {
    ///         t.Fatalf("Total = %d, want 5", got)
    ///     }
    /// }
    /// ```
    pub struct UnitTests {
        id: "testing/unit-tests",
        title: "The code has unit tests",
        category: Testing,
        level: Bronze,
        severity: Error,
        facets: [Cargo, Npm, Go, Maven, Gradle, Python, Dotnet, Ruby],
        seeds: [
            "004: Production Ready Checklist, Testing: testing safety net is in place",
            "004: Production Ready Checklist, Continuous Integration: set up automated tests",
        ],
        fix: "add unit tests in the ecosystem's usual place (e.g. `*_test.go`, `tests/test_*.py`, `#[test]`) and run them in CI",
    }
}

impl golive_core::Check for UnitTests {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let projects = ecosystems::projects(cx.ws);
        if projects.is_empty() {
            return Outcome::not_applicable(
                "no language manifest outside vendored, example and fixture folders",
            );
        }
        let (with_code, tooling): (Vec<_>, Vec<_>) = projects.iter().partition(|p| p.has_code());
        let tooling_notes: Vec<String> = tooling
            .iter()
            .map(|p| {
                format!(
                    "{} ({}: no {} code besides tool configuration and scripts)",
                    p.manifest().path,
                    p.ecosystem.name(),
                    p.ecosystem.languages()
                )
            })
            .collect();
        if with_code.is_empty() {
            return Outcome::not_applicable(format!(
                "the language manifests hold no code to test: {}",
                tooling_notes.join("; ")
            ));
        }
        let mut findings = Vec::new();
        let mut evidence: Vec<Evidence> = tooling
            .iter()
            .map(|p| {
                Evidence::file(
                    &p.manifest().path,
                    format!(
                        "{}: not checked, no {} code besides tool configuration and scripts",
                        p.ecosystem.name(),
                        p.ecosystem.languages()
                    ),
                )
            })
            .collect();
        for project in with_code {
            let ecosystem = project.ecosystem;
            let tests: Vec<&SourceFile> = cx
                .ws
                .files()
                .iter()
                .filter(|f| !is_vendored(&f.path) && is_test_file(cx.ws, ecosystem, f))
                .collect();
            let manifest = project.manifest();
            match tests.first() {
                Some(first) => evidence.push(Evidence::file(
                    &manifest.path,
                    format!(
                        "{}: {} test file(s) for {} source file(s), e.g. {}",
                        ecosystem.name(),
                        tests.len(),
                        project.sources.len(),
                        first.path
                    ),
                )),
                None => findings.push(
                    Finding::at(
                        Location::file(&manifest.path),
                        format!(
                            "{}: no test files for {} {} source file(s) (looked for {})",
                            ecosystem.name(),
                            project.sources.len(),
                            ecosystem.languages(),
                            looked_for(ecosystem)
                        ),
                    )
                    .with_help(help(ecosystem)),
                ),
            }
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// What counts as a test file, for messages.
fn looked_for(ecosystem: Ecosystem) -> &'static str {
    match ecosystem {
        Ecosystem::Rust => "`#[test]` functions, `tests/*.rs` and doctests",
        Ecosystem::Go => "`*_test.go` files with `func Test…`",
        Ecosystem::Python => "`test_*.py`/`*_test.py`/`tests.py` with `def test…` or a `TestCase`",
        Ecosystem::Node => "`*.test.*`, `*.spec.*` and `__tests__/` files",
        Ecosystem::Jvm => "`@Test` methods, Kotest and Spock specs",
        Ecosystem::Dotnet => "test projects and `[Fact]`/`[Test]`/`[TestMethod]` methods",
        Ecosystem::Ruby => "`spec/**/*_spec.rb` and `test/**/*_test.rb`",
    }
}

fn help(ecosystem: Ecosystem) -> &'static str {
    match ecosystem {
        Ecosystem::Rust => {
            "add `#[test]` functions in a `#[cfg(test)] mod tests` (or files under `tests/`) and run `cargo test`"
        }
        Ecosystem::Go => {
            "add `*_test.go` files with `func TestXxx(t *testing.T)` and run `go test ./...`"
        }
        Ecosystem::Python => "add `tests/test_*.py` with `def test_…` functions and run `pytest`",
        Ecosystem::Node => {
            "add `*.test.ts`/`*.spec.js` files (Jest, Vitest, Mocha or node:test) and an `npm test` script"
        }
        Ecosystem::Jvm => {
            "add JUnit tests under `src/test/java` (or `src/test/kotlin`) and run `mvn test` or `./gradlew test`"
        }
        Ecosystem::Dotnet => {
            "add a test project (`*.Tests.csproj` with xUnit, NUnit or MSTest) and run `dotnet test`"
        }
        Ecosystem::Ruby => {
            "add RSpec specs under `spec/` (`*_spec.rb`) or Minitest tests under `test/` (`*_test.rb`)"
        }
    }
}

/// Whether a file is a test of the ecosystem.
fn is_test_file(ws: &Workspace, ecosystem: Ecosystem, file: &SourceFile) -> bool {
    let name = file.name();
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let text = file.text.as_str();
    match ecosystem {
        Ecosystem::Rust => {
            file.kind == FileKind::Source(Lang::Rust)
                && (in_dir(&file.path, &["tests"])
                    || RUST_TEST.is_match(text)
                    || (has_doctest(text) && in_library_crate(ws, &file.path)))
        }
        Ecosystem::Go => name.ends_with("_test.go") && GO_TEST.is_match(text),
        Ecosystem::Python => {
            file.kind == FileKind::Source(Lang::Python)
                && (lower.starts_with("test_")
                    || lower.ends_with("_test.py")
                    || matches!(name, "tests.py" | "test.py")
                    || in_dir(&file.path, &["tests", "test"]))
                && PYTHON_TEST.is_match(text)
        }
        Ecosystem::Node => {
            matches!(
                file.kind,
                FileKind::Source(Lang::JavaScript | Lang::TypeScript)
            ) && (lower.contains(".test.")
                || lower.contains(".spec.")
                || lower.starts_with("test.")
                || in_dir(&file.path, &["__tests__"])
                || (in_dir(&file.path, &["test", "tests"]) && NODE_TEST.is_match(text)))
        }
        Ecosystem::Jvm => {
            matches!(ext, "java" | "kt" | "groovy" | "scala") && JVM_TEST.is_match(text)
        }
        Ecosystem::Dotnet => {
            let stem = lower.rsplit_once('.').map(|(s, _)| s).unwrap_or(&lower);
            if matches!(ext, "csproj" | "fsproj" | "vbproj") {
                stem.ends_with("tests")
                    || stem.ends_with("test")
                    || text.contains("Microsoft.NET.Test.Sdk")
            } else {
                matches!(ext, "cs" | "fs" | "vb") && DOTNET_TEST.is_match(text)
            }
        }
        Ecosystem::Ruby => {
            ext == "rb"
                && ((in_dir(&file.path, &["spec"]) && lower.ends_with("_spec.rb"))
                    || (in_dir(&file.path, &["test"])
                        && (lower.ends_with("_test.rb") || lower.starts_with("test_"))))
        }
    }
}

/// Whether Rust documentation comments hold a code block `cargo test` runs as a doctest (a
/// bare or `rust` fence; not `text`, `ignore` or other languages).
fn has_doctest(text: &str) -> bool {
    let mut open = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let Some(doc) = trimmed
            .strip_prefix("///")
            .or_else(|| trimmed.strip_prefix("//!"))
        else {
            continue;
        };
        let Some(info) = doc.trim().strip_prefix("```") else {
            continue;
        };
        if open {
            open = false;
            continue;
        }
        open = true;
        let info = info.trim();
        let runs = info.is_empty()
            || info
                .split(',')
                .next()
                .is_some_and(|lang| lang.trim() == "rust")
                && !info.contains("ignore");
        if runs {
            return true;
        }
    }
    false
}

/// Whether a Rust file belongs to a crate with a library target (doctests run only there).
fn in_library_crate(ws: &Workspace, path: &str) -> bool {
    let mut dir = path;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        let manifest = format!("{parent}/Cargo.toml");
        if ws.file(&manifest).is_some() {
            return ws.file(&format!("{parent}/src/lib.rs")).is_some();
        }
        dir = parent;
    }
    ws.file("Cargo.toml").is_some() && ws.file("src/lib.rs").is_some()
}

/// Whether a path is inside a folder with one of these names.
fn in_dir(path: &str, names: &[&str]) -> bool {
    let mut parts = path.split('/');
    parts.next_back();
    parts.any(|p| names.contains(&p))
}

static RUST_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"#\[\s*(?:[A-Za-z_][\w:]*::)?(?:test|rstest|test_case|wasm_bindgen_test|quickcheck)\b|\bproptest!\s*[{(]",
    )
    .expect("valid regex")
});
static GO_TEST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^func\s+(?:Test|Fuzz)\w*\s*\(").expect("valid regex"));
static PYTHON_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:async\s+)?def\s+test|\bTestCase\b").expect("valid regex")
});
static NODE_TEST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:describe|it|test)\s*\(").expect("valid regex"));
static JVM_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"@(?:Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\b|\b(?:Fun|String|Behavior|Describe|Expect|Feature|Free|Should|Word|Annotation)Spec\s*\(|\bextends\s+Specification\b|\bAny(?:FunSuite|FlatSpec|WordSpec|FreeSpec|FunSpec)\b",
    )
    .expect("valid regex")
});
static DOTNET_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[<?\s*(?:Fact|Theory|Test|TestCase|TestCaseSource|TestMethod|DataTestMethod)\b")
        .expect("valid regex")
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctests_count_in_library_crates_only() {
        let doc = "/// Adds.\n///\n/// ```\n/// assert_eq!(add(1, 1), 2);\n/// ```\npub fn add(a: i32, b: i32) -> i32 { a + b }\n";
        let text_only = "//! ```text\n//! not rust\n//! ```\n";
        assert!(has_doctest(doc));
        assert!(!has_doctest(text_only));
        assert!(!has_doctest("/// ```ignore\n/// x\n/// ```\n"));
        assert!(has_doctest("//! ```rust,no_run\n//! x\n//! ```\n"));
        let lib = Workspace::from_files(vec![
            ("crates/a/Cargo.toml".into(), "[package]\n".into()),
            ("crates/a/src/lib.rs".into(), doc.into()),
            ("crates/b/Cargo.toml".into(), "[package]\n".into()),
            ("crates/b/src/main.rs".into(), doc.into()),
        ]);
        for (path, expected) in [
            ("crates/a/src/lib.rs", true),
            ("crates/b/src/main.rs", false),
        ] {
            let f = lib.file(path).expect("file");
            assert_eq!(is_test_file(&lib, Ecosystem::Rust, f), expected, "{path}");
        }
    }

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile::new(path, golive_core::workspace::classify(path), text.into())
    }

    #[test]
    fn recognises_test_files() {
        let yes = [
            (
                Ecosystem::Rust,
                "src/lib.rs",
                "#[cfg(test)]\nmod t { #[test]\nfn a() {} }",
            ),
            (
                Ecosystem::Rust,
                "src/api.rs",
                "#[tokio::test]\nasync fn a() {}",
            ),
            (
                Ecosystem::Rust,
                "src/db.rs",
                "#[sqlx::test]\nasync fn a() {}",
            ),
            (Ecosystem::Rust, "tests/api.rs", "mod common;"),
            (
                Ecosystem::Go,
                "pkg/a_test.go",
                "package a\n\nfunc TestA(t *testing.T) {}\n",
            ),
            (
                Ecosystem::Python,
                "app/test_views.py",
                "def test_index():\n    pass\n",
            ),
            (
                Ecosystem::Python,
                "tests/views.py",
                "class V(TestCase):\n    pass\n",
            ),
            (
                Ecosystem::Python,
                "shop/tests.py",
                "from django.test import TestCase\n",
            ),
            (Ecosystem::Node, "test.js", "test('a', () => {})"),
            (Ecosystem::Node, "src/app.test.ts", ""),
            (Ecosystem::Node, "src/__tests__/app.js", ""),
            (Ecosystem::Node, "test/app.js", "describe('app', () => {})"),
            (
                Ecosystem::Jvm,
                "src/test/java/AppTest.java",
                "@Test\nvoid a() {}",
            ),
            (
                Ecosystem::Jvm,
                "src/test/kotlin/AppSpec.kt",
                "class A : FunSpec({})",
            ),
            (
                Ecosystem::Dotnet,
                "Api.Tests/Api.Tests.csproj",
                "<Project/>",
            ),
            (
                Ecosystem::Dotnet,
                "Api.Tests/ApiTest.cs",
                "[Fact]\npublic void A() {}",
            ),
            (Ecosystem::Ruby, "spec/models/user_spec.rb", ""),
            (Ecosystem::Ruby, "test/models/test_user.rb", ""),
        ];
        let ws = Workspace::from_files(vec![]);
        for (ecosystem, path, text) in yes {
            assert!(is_test_file(&ws, ecosystem, &file(path, text)), "{path}");
        }
        let no = [
            (Ecosystem::Rust, "src/lib.rs", "#[cfg(test)]\nmod tests;"),
            (Ecosystem::Rust, "src/lib.rs", "// #[test_attr]"),
            (
                Ecosystem::Go,
                "pkg/helpers_test.go",
                "package a\n\nfunc helper() {}\n",
            ),
            (Ecosystem::Python, "app/testing.py", "def test_x(): pass"),
            (Ecosystem::Python, "tests/__init__.py", ""),
            (Ecosystem::Node, "test/helpers.js", "module.exports = {}"),
            (Ecosystem::Jvm, "src/main/java/App.java", "class App {}"),
            (Ecosystem::Dotnet, "Api/Api.csproj", "<Project/>"),
            (Ecosystem::Ruby, "lib/user_spec.rb", ""),
        ];
        for (ecosystem, path, text) in no {
            assert!(!is_test_file(&ws, ecosystem, &file(path, text)), "{path}");
        }
    }
}
