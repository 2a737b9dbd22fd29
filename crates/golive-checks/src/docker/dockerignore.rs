use super::builds::{self, Builds};
use super::dockerfiles::{self, Parsed};
use golive_core::parse::dockerfile::{Dockerfile, Instruction};
use golive_core::{Context, Evidence, Finding, Outcome, SourceFile, Workspace, declare_check};

declare_check! {
    /// ## What it checks
    /// Every build context has a `.dockerignore`, and where a Dockerfile copies the whole
    /// context (`COPY . .`) it keeps `.git` and `.env` files out.
    ///
    /// A Dockerfile's build contexts are the ones the repository declares: docker-compose
    /// `build.context`, skaffold artifacts' `context`, CI `docker build ... <context>` commands
    /// and `docker/build-push-action` steps (`context:`). A Dockerfile no build declares is
    /// assumed to be built with its own folder as context (`docker build <folder>`); when that
    /// folder has no `.dockerignore` but a parent folder has one, golive cannot tell which
    /// context is used and notes it instead of reporting.
    ///
    /// The ignore file is BuildKit's per-Dockerfile one when it exists (`Dockerfile.dockerignore`,
    /// `api.Dockerfile.dockerignore` next to the Dockerfile), otherwise the context's
    /// `.dockerignore`. Missing, it is a finding at the Dockerfile's first `COPY`/`ADD` from
    /// the context (a Dockerfile that copies nothing from its context is noted, not reported).
    /// Present, its patterns are evaluated as Docker does (last match wins, `!` re-includes,
    /// `**` spans folders) against `.git` and `.env`; when either is not excluded and the
    /// Dockerfile copies the whole context (`COPY . .`, `ADD . /app`), that is a finding at that
    /// `COPY`.
    ///
    /// ## Why it matters
    /// Without a `.dockerignore`, `docker build` sends the whole folder to the builder and
    /// `COPY . .` puts all of it in the image: the `.git` history (every secret ever committed),
    /// local `.env` files with developers' credentials, `node_modules` and build output from the
    /// host. Images grow, every commit invalidates the layer cache, and credentials ship to every
    /// registry the image is pushed to (Production Ready Checklist, Security: "No secrets exposed
    /// in repository"; Build Docker images).
    ///
    /// ## How to fix
    /// Add a `.dockerignore` to the build context (an allowlist is the safest form):
    /// ```text
    /// .git
    /// .env
    /// .env.*
    /// !.env.example
    /// node_modules
    /// **/*.pem
    /// ```
    pub struct Dockerignore {
        id: "docker/dockerignore",
        title: "Build contexts have a .dockerignore",
        category: Containers,
        level: Silver,
        severity: Warning,
        facets: [Docker],
        seeds: [
            "004: Production Ready Checklist, Security: No secrets exposed in repository",
            "004: Production Ready Checklist, Provisioning and Deployment: Build Docker images",
        ],
        fix: "add a .dockerignore to the build context that excludes at least `.git` and `.env` files",
    }
}

/// Paths every context should keep out of `COPY . .`.
const MUST_EXCLUDE: &[&str] = &[".git", ".env"];

impl golive_core::Check for Dockerignore {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let dockerfiles = dockerfiles::read(cx.ws);
        if dockerfiles.parsed.is_empty() {
            return Outcome::not_applicable(
                "no Dockerfile could be read (see parse/invalid-dockerfile)",
            );
        }
        let builds = builds::read(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = dockerfiles.skipped;
        for parsed in &dockerfiles.parsed {
            judge(cx.ws, parsed, &builds, &mut findings, &mut evidence);
        }
        Outcome::from_findings(findings, evidence)
    }
}

fn judge(
    ws: &Workspace,
    parsed: &Parsed<'_>,
    builds: &Builds<'_>,
    findings: &mut Vec<Finding>,
    evidence: &mut Vec<Evidence>,
) {
    let Parsed { file, df } = parsed;
    let path = file.path.as_str();
    let mut contexts: Vec<(String, String)> = builds
        .of(path)
        .map(|b| {
            (
                b.context.clone(),
                format!("built by the {} at {}:{}", b.via, b.declared_in, b.line),
            )
        })
        .collect();
    contexts.sort();
    contexts.dedup_by(|a, b| a.0 == b.0);
    let declared = !contexts.is_empty();
    if !declared {
        contexts.push((
            file.dir().to_string(),
            "no build in the repository declares its context, so its own folder is assumed".into(),
        ));
    }
    let first_copy = first_context_copy(df);
    let whole = whole_context_copy(df);
    for (context, via) in contexts {
        let shown = match context.is_empty() {
            true => "`.` (the repository root)".to_string(),
            false => format!("`{context}/`"),
        };
        let per_dockerfile = format!("{path}.dockerignore");
        let ignore = ws
            .file(&per_dockerfile)
            .or_else(|| ws.file(&builds::join(&context, ".dockerignore").unwrap_or_default()));
        let Some(ignore) = ignore else {
            let Some(copy) = first_copy else {
                evidence.push(Evidence::file(
                    path,
                    format!("build context {shown} has no .dockerignore, but the Dockerfile copies nothing from it"),
                ));
                continue;
            };
            if !declared && let Some(parent) = ancestor_ignore(ws, &context) {
                evidence.push(Evidence::file(
                    path,
                    format!(
                        "no build of it is declared and its folder has no .dockerignore; `{}` applies if it is built from that folder: not checked",
                        parent.path
                    ),
                ));
                continue;
            }
            findings.push(Finding::at(
                dockerfiles::instruction_location(file, copy),
                format!(
                    "{path}: build context {shown} has no .dockerignore ({via}): `{} {}` copies from an unfiltered context (.git, .env files, local build output)",
                    copy.keyword,
                    copy.args.trim()
                ),
            ));
            continue;
        };
        let patterns = Patterns::parse(&ignore.text);
        let missing: Vec<&str> = MUST_EXCLUDE
            .iter()
            .copied()
            .filter(|p| !patterns.excludes(p))
            .collect();
        match (whole, missing.is_empty()) {
            (Some(copy), false) => {
                let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
                findings.push(
                    Finding::at(
                        dockerfiles::instruction_location(file, copy),
                        format!(
                            "`{} {}` copies the whole context {shown}, and {} does not exclude {}",
                            copy.keyword,
                            copy.args.trim(),
                            ignore.path,
                            list.join(" or ")
                        ),
                    )
                    .with_help(format!("add {} to {}", list.join(" and "), ignore.path)),
                );
            }
            (None, false) => evidence.push(Evidence::file(
                path,
                format!(
                    "build context {shown} is filtered by {}; it does not exclude {}, but the Dockerfile copies named paths only",
                    ignore.path,
                    missing.join(" or ")
                ),
            )),
            (_, true) => evidence.push(Evidence::file(
                path,
                format!(
                    "build context {shown} is filtered by {}, which excludes .git and .env",
                    ignore.path
                ),
            )),
        }
    }
}

/// A `.dockerignore` in a folder above `context`.
fn ancestor_ignore<'w>(ws: &'w Workspace, context: &str) -> Option<&'w SourceFile> {
    let mut dir = context;
    while !dir.is_empty() {
        dir = builds::parent(dir);
        if let Some(f) = builds::join(dir, ".dockerignore").and_then(|p| ws.file(&p)) {
            return Some(f);
        }
    }
    None
}

/// COPY/ADD that read the build context (not `--from`, not heredocs, not URLs).
fn context_copies(df: &Dockerfile) -> impl Iterator<Item = &Instruction> {
    df.instructions.iter().filter(|i| {
        matches!(i.keyword.as_str(), "COPY" | "ADD")
            && i.flag("from").is_none()
            && i.heredocs.is_empty()
            && !i.args.contains("://")
    })
}

fn first_context_copy(df: &Dockerfile) -> Option<&Instruction> {
    context_copies(df).next()
}

/// The first COPY/ADD whose sources include the whole context (`.`, `./`, `*`).
fn whole_context_copy(df: &Dockerfile) -> Option<&Instruction> {
    context_copies(df).find(|i| {
        let mut words = match &i.exec_form {
            Some(list) => list.clone(),
            None => df.words(i),
        };
        words.pop();
        words
            .iter()
            .any(|w| matches!(w.as_str(), "." | "./" | "*" | "./*"))
    })
}

/// The patterns of a .dockerignore, in order.
struct Patterns {
    rules: Vec<(bool, globset::GlobMatcher)>,
}

impl Patterns {
    fn parse(text: &str) -> Patterns {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, pattern) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let pattern = pattern.trim_start_matches("./").trim_start_matches('/');
            let pattern = pattern.trim_end_matches('/');
            if pattern.is_empty() {
                continue;
            }
            let Ok(glob) = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
            else {
                continue;
            };
            rules.push((negated, glob.compile_matcher()));
        }
        Patterns { rules }
    }

    /// Whether `path` (relative to the context) is excluded: the last pattern that matches it
    /// or one of its parent folders decides.
    fn excludes(&self, path: &str) -> bool {
        let mut prefixes = Vec::new();
        let mut acc = String::new();
        for part in path.split('/') {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(part);
            prefixes.push(acc.clone());
        }
        let mut excluded = false;
        for (negated, glob) in &self.rules {
            if prefixes.iter().any(|p| glob.is_match(p)) {
                excluded = !negated;
            }
        }
        excluded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_docker_semantics() {
        let p = Patterns::parse("# comment\n.git/\n**/.env\n");
        assert!(p.excludes(".git"));
        assert!(p.excludes(".env"));
        let p = Patterns::parse("*\n!src\n!package.json\n");
        assert!(p.excludes(".git") && p.excludes(".env"));
        assert!(!p.excludes("src/main.js"));
        let p = Patterns::parse("node_modules\n.env*\n!.env\n");
        assert!(!p.excludes(".env"));
        assert!(!p.excludes(".git"));
        let p = Patterns::parse("/.git\n.env.*\n");
        assert!(p.excludes(".git"));
        assert!(!p.excludes(".env"));
        let p = Patterns::parse("[\n.git\n");
        assert!(p.excludes(".git"));
    }
}
