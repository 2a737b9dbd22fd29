//! What kind of file a path is, from its name alone (content-based facts come later, lazily).

/// A programming language of source files, for test, route and library detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Rust,
    Go,
    Python,
    JavaScript,
    TypeScript,
    Java,
    Kotlin,
    CSharp,
    Ruby,
    Shell,
}

/// The kind of a scanned file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Yaml,
    /// A YAML file under a Helm chart's `templates/` containing template actions: never parsed as
    /// YAML, never checked as if rendered.
    HelmTemplate,
    Json,
    Toml,
    /// `.tf` (and `.tf.json` is Json).
    Terraform,
    /// `.tfvars`
    TfVars,
    /// Other HCL (`.hcl`, including `.terraform.lock.hcl`).
    Hcl,
    Dockerfile,
    Markdown,
    Codeowners,
    Source(Lang),
    Other,
}

/// Classifies a relative path (with `/` separators).
pub fn classify(path: &str) -> FileKind {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if lower == "codeowners" {
        return FileKind::Codeowners;
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    // `Dockerfile.prod` is a Dockerfile, `dockerfile.rs` is Rust: a known extension wins.
    let by_ext = by_extension(ext);
    if by_ext == FileKind::Other && is_dockerfile_name(&lower) {
        return FileKind::Dockerfile;
    }
    by_ext
}

fn by_extension(ext: &str) -> FileKind {
    match ext {
        "yaml" | "yml" => FileKind::Yaml,
        "json" => FileKind::Json,
        "toml" => FileKind::Toml,
        "tf" => FileKind::Terraform,
        "tfvars" => FileKind::TfVars,
        "hcl" | "tfbackend" => FileKind::Hcl,
        "md" | "markdown" => FileKind::Markdown,
        "rs" => FileKind::Source(Lang::Rust),
        "go" => FileKind::Source(Lang::Go),
        "py" => FileKind::Source(Lang::Python),
        "js" | "mjs" | "cjs" | "jsx" => FileKind::Source(Lang::JavaScript),
        "ts" | "tsx" | "mts" | "cts" => FileKind::Source(Lang::TypeScript),
        "java" => FileKind::Source(Lang::Java),
        "kt" | "kts" => FileKind::Source(Lang::Kotlin),
        "cs" => FileKind::Source(Lang::CSharp),
        "rb" => FileKind::Source(Lang::Ruby),
        "sh" | "bash" => FileKind::Source(Lang::Shell),
        _ => FileKind::Other,
    }
}

/// `Dockerfile`, `Containerfile`, `Dockerfile.prod`, `prod.Dockerfile`, `api.dockerfile`.
fn is_dockerfile_name(lower: &str) -> bool {
    lower == "dockerfile"
        || lower == "containerfile"
        || (lower.starts_with("dockerfile.") && !lower.ends_with(".dockerignore"))
        || lower.ends_with(".dockerfile")
        || lower.starts_with("containerfile.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_name() {
        assert_eq!(classify("Dockerfile"), FileKind::Dockerfile);
        assert_eq!(classify("build/api.Dockerfile"), FileKind::Dockerfile);
        assert_eq!(classify("Dockerfile.dev"), FileKind::Dockerfile);
        assert_eq!(
            classify("src/parse/dockerfile.rs"),
            FileKind::Source(Lang::Rust)
        );
        assert_eq!(classify(".github/CODEOWNERS"), FileKind::Codeowners);
        assert_eq!(classify("k8s/app.yml"), FileKind::Yaml);
        assert_eq!(classify("infra/main.tf"), FileKind::Terraform);
        assert_eq!(classify("envs/prod.tfvars"), FileKind::TfVars);
        assert_eq!(classify(".terraform.lock.hcl"), FileKind::Hcl);
        assert_eq!(classify("envs/prod.s3.tfbackend"), FileKind::Hcl);
        assert_eq!(classify("src/main.rs"), FileKind::Source(Lang::Rust));
        assert_eq!(classify("README"), FileKind::Other);
        assert_eq!(classify("README.md"), FileKind::Markdown);
    }
}
