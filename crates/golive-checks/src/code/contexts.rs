//! Where the repository builds its container images from: build contexts declared by
//! skaffold (`build.artifacts[].image`/`context`), docker-compose (`build:` + `image:`), CI
//! (`docker build -t name ctx`, docker/build-push-action `context`/`tags`), `ko://` import
//! paths, and Dockerfiles themselves (by the name of their folder). Lets a check find the code
//! that runs in a container.

use crate::ci::github;
use golive_core::parse::image_ref;
use golive_core::workspace::{FileKind, Lang};
use golive_core::{SourceFile, Workspace};

/// A directory an image is built from.
#[derive(Clone, Debug)]
pub(crate) struct BuildContext {
    /// The image repository it is tagged with (`gcr.io/p/frontend` → `p/frontend`), when known.
    pub image: Option<String>,
    /// Other names it goes by (a compose service, a Dockerfile's folder name).
    pub aliases: Vec<String>,
    /// The context directory, relative to the root ("" for the root).
    pub dir: String,
    /// Where it is declared (None when it is a Dockerfile's folder or a ko import path).
    pub declared_at: Option<(String, u32)>,
    /// How (`skaffold artifact `frontend``).
    pub how: String,
    /// Declared with an image name (skaffold, compose, CI), not only guessed from a folder.
    pub named: bool,
}

/// The image repository of a reference, without registry, tag or digest (None when it holds
/// variables golive cannot expand).
pub(crate) fn repository(reference: &str) -> Option<String> {
    let reference = reference.trim();
    if let Some(r) = image_ref::parse(reference) {
        return Some(r.repository);
    }
    // Variables in the registry or tag only: keep the literal repository path.
    let no_digest = reference.split('@').next().unwrap_or(reference);
    let (path, _) = match no_digest.rsplit_once(':') {
        Some((p, t)) if !t.contains('/') => (p, t),
        _ => (no_digest, ""),
    };
    let last = path.rsplit('/').next().unwrap_or(path);
    if last.is_empty() || image_ref::has_variables(last) || last.contains('$') {
        return None;
    }
    // Drop a registry-like first component.
    let rest = match path.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first.contains('$') =>
        {
            rest
        }
        _ => path,
    };
    if image_ref::has_variables(rest) {
        return Some(last.to_string());
    }
    Some(rest.to_string())
}

fn last_component(repo: &str) -> &str {
    repo.rsplit('/').next().unwrap_or(repo)
}

/// `dir` + `rel` with `.` and `..` resolved (None when it leaves the root or is not a local
/// path).
pub(crate) fn join_dir(dir: &str, rel: &str) -> Option<String> {
    let rel = rel.trim().trim_matches(|c| c == '"' || c == '\'');
    if rel.contains("://")
        || rel.starts_with("git@")
        || rel == "-"
        || rel.contains('$')
        || rel.starts_with('/')
    {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Every build context the repository declares.
pub(crate) fn read(ws: &Workspace) -> Vec<BuildContext> {
    let mut out = Vec::new();
    skaffold(ws, &mut out);
    compose(ws, &mut out);
    github_actions(ws, &mut out);
    scripts(ws, &mut out);
    dockerfiles(ws, &mut out);
    out
}

fn skaffold(ws: &Workspace, out: &mut Vec<BuildContext>) {
    for f in ws
        .files()
        .iter()
        .filter(|f| matches!(f.name(), "skaffold.yaml" | "skaffold.yml"))
    {
        for root in f.yaml_docs().iter().filter_map(|d| d.root()) {
            let mut lists: Vec<_> = root.path(&["build", "artifacts"]).into_iter().collect();
            for p in root.get("profiles").into_iter().flat_map(|p| p.items()) {
                lists.extend(p.path(&["build", "artifacts"]));
            }
            for a in lists.into_iter().flat_map(|l| l.items()) {
                let Some(image) = a.get("image") else {
                    continue;
                };
                let Some(name) = image.as_text() else {
                    continue;
                };
                let ctx = a.get_str("context").unwrap_or(".");
                let Some(dir) = join_dir(f.dir(), ctx) else {
                    continue;
                };
                out.push(BuildContext {
                    image: repository(name),
                    aliases: Vec::new(),
                    dir,
                    declared_at: Some((f.path.clone(), image.line())),
                    how: format!("skaffold artifact `{name}`"),
                    named: true,
                });
            }
        }
    }
}

fn is_compose_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("docker-compose") || lower.starts_with("compose"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
}

fn compose(ws: &Workspace, out: &mut Vec<BuildContext>) {
    for f in ws.files().iter().filter(|f| is_compose_file(f.name())) {
        for root in f.yaml_docs().iter().filter_map(|d| d.root()) {
            for (key, svc) in root.get("services").into_iter().flat_map(|s| s.entries()) {
                let Some(service) = key.as_text() else {
                    continue;
                };
                let Some(build) = svc.get("build") else {
                    continue;
                };
                let ctx = build
                    .as_text()
                    .or_else(|| build.get_str("context"))
                    .unwrap_or(".");
                let Some(dir) = join_dir(f.dir(), ctx) else {
                    continue;
                };
                let image = svc.get_str("image");
                out.push(BuildContext {
                    image: image.and_then(repository),
                    aliases: vec![service.to_string()],
                    dir,
                    declared_at: Some((f.path.clone(), build.line())),
                    how: format!("docker-compose service `{service}`"),
                    named: true,
                });
            }
        }
    }
}

fn github_actions(ws: &Workspace, out: &mut Vec<BuildContext>) {
    for wf in github::workflows(ws).parsed {
        for job in &wf.jobs {
            for step in &job.steps {
                if let Some(uses) = step.uses.and_then(|u| u.as_text())
                    && uses.starts_with("docker/build-push-action")
                    && let Some(with) = step.with
                {
                    let ctx = with.get_str("context").unwrap_or(".");
                    let Some(dir) = join_dir("", ctx) else {
                        continue;
                    };
                    let tags = with.get_str("tags").unwrap_or("");
                    for tag in tags
                        .split([',', '\n'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                    {
                        if let Some(repo) = repository(tag) {
                            out.push(BuildContext {
                                image: Some(repo),
                                aliases: Vec::new(),
                                dir: dir.clone(),
                                declared_at: Some((wf.file.path.clone(), step.node.line())),
                                how: "docker/build-push-action step".into(),
                                named: true,
                            });
                        }
                    }
                }
                if let Some(run) = step.run
                    && let Some(text) = run.as_text()
                {
                    let base = step.working_directory.unwrap_or("");
                    for (offset, image, ctx) in docker_builds(text) {
                        let Some(dir) = join_dir(base, &ctx) else {
                            continue;
                        };
                        out.push(BuildContext {
                            image: Some(image),
                            aliases: Vec::new(),
                            dir,
                            declared_at: Some((wf.file.path.clone(), run.line() + offset)),
                            how: "`docker build` in CI".into(),
                            named: true,
                        });
                    }
                }
            }
        }
    }
}

/// Shell scripts, Makefiles and GitLab CI files that run `docker build`.
fn scripts(ws: &Workspace, out: &mut Vec<BuildContext>) {
    let is_script = |f: &SourceFile| {
        f.kind == FileKind::Source(Lang::Shell)
            || matches!(
                f.name(),
                "Makefile" | "makefile" | "GNUmakefile" | ".gitlab-ci.yml"
            )
    };
    for f in ws.files().iter().filter(|f| is_script(f)) {
        if !f.text.contains(" build") {
            continue;
        }
        let base = if f.name() == ".gitlab-ci.yml" {
            ""
        } else {
            f.dir()
        };
        for (offset, image, ctx) in docker_builds(&f.text) {
            let Some(dir) = join_dir(base, &ctx) else {
                continue;
            };
            out.push(BuildContext {
                image: Some(image),
                aliases: Vec::new(),
                dir,
                declared_at: Some((f.path.clone(), offset + 1)),
                how: "`docker build`".into(),
                named: true,
            });
        }
    }
}

fn dockerfiles(ws: &Workspace, out: &mut Vec<BuildContext>) {
    for f in ws.files_of(FileKind::Dockerfile) {
        if crate::docker::dockerfiles::is_development_image(&f.path) {
            continue;
        }
        let mut aliases = Vec::new();
        if let Some(folder) = f.dir().rsplit('/').next().filter(|d| !d.is_empty()) {
            aliases.push(folder.to_string());
        }
        let lower = f.name().to_ascii_lowercase();
        if let Some(stem) = lower
            .strip_suffix(".dockerfile")
            .or_else(|| lower.strip_prefix("dockerfile."))
        {
            aliases.push(stem.to_string());
        }
        out.push(BuildContext {
            image: None,
            aliases,
            dir: f.dir().to_string(),
            declared_at: None,
            how: format!("its folder's Dockerfile {}, named like the image", f.path),
            named: false,
        });
    }
}

/// `docker build`/`docker buildx build`/`podman build` commands in shell text: (line offset,
/// image repository, context).
pub(crate) fn docker_builds(text: &str) -> Vec<(u32, String, String)> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut start = 0u32;
    for (n, line) in text.lines().enumerate() {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        if logical.is_empty() {
            start = n;
        }
        let trimmed = line.trim_end();
        if let Some(cont) = trimmed.strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(trimmed);
        for command in logical.split(['&', ';', '|']) {
            if let Some((image, ctx)) = docker_build(command) {
                out.push((start, image, ctx));
            }
        }
        logical.clear();
    }
    out
}

fn docker_build(command: &str) -> Option<(String, String)> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let pos = words
        .iter()
        .position(|w| matches!(*w, "docker" | "podman"))?;
    let mut rest = words.get(pos + 1..)?.iter().copied().peekable();
    match rest.next()? {
        "build" => {}
        "buildx" | "image" => {
            if rest.next()? != "build" {
                return None;
            }
        }
        _ => return None,
    }
    const WITH_VALUE: &[&str] = &[
        "-f",
        "--file",
        "--build-arg",
        "--target",
        "--platform",
        "--label",
        "--cache-from",
        "--cache-to",
        "--secret",
        "--network",
        "-o",
        "--output",
        "--progress",
        "--ssh",
        "--iidfile",
        "--build-context",
        "--add-host",
        "--ulimit",
        "--shm-size",
        "-m",
        "--memory",
    ];
    let mut tag = None;
    let mut ctx = None;
    while let Some(w) = rest.next() {
        if w == "-t" || w == "--tag" {
            tag = tag.or(rest.next());
        } else if let Some(t) = w.strip_prefix("--tag=") {
            tag = tag.or(Some(t));
        } else if let Some(t) = w.strip_prefix("-t").filter(|t| !t.is_empty()) {
            tag = tag.or(Some(t));
        } else if WITH_VALUE.contains(&w) {
            rest.next();
        } else if w.starts_with('-') {
        } else {
            ctx = Some(w);
        }
    }
    let image = repository(tag?.trim_matches(|c| c == '"' || c == '\''))?;
    Some((image, ctx?.to_string()))
}

/// Names the repository's projects go by, for tying an image to the code when no build is
/// declared: package.json `name`, the last segment of a go.mod module, Cargo.toml and
/// pyproject.toml `name`, and the folders that hold application code: (name, what it is, the
/// folder of its code).
pub(crate) fn project_names(ws: &Workspace) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for f in ws.files() {
        let name = match f.name() {
            "package.json" => f
                .json()
                .first()
                .and_then(|d| d.root())
                .and_then(|r| r.get_str("name"))
                .map(|n| n.rsplit('/').next().unwrap_or(n).to_string()),
            "go.mod" => f
                .text
                .lines()
                .find_map(|l| l.trim().strip_prefix("module "))
                .map(|m| m.trim().trim_matches('"'))
                .map(|m| m.rsplit('/').next().unwrap_or(m).to_string()),
            "Cargo.toml" | "pyproject.toml" => f
                .text
                .lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix("name"))
                .and_then(|rest| rest.trim_start().strip_prefix('='))
                .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string()),
            _ => None,
        };
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            let described = format!("the project `{n}` of {}", f.path);
            out.push((n, described, f.dir().to_string()));
        }
        if crate::code::application_lang(f).is_some() {
            let parts: Vec<&str> = f.path.split('/').collect();
            for end in 1..parts.len() {
                let Some(dir) = parts.get(end - 1) else {
                    continue;
                };
                if !out.iter().any(|(n, _, _)| n == dir) {
                    let folder = parts.get(..end).unwrap_or(&[]).join("/");
                    out.push((dir.to_string(), format!("the folder {folder}"), folder));
                }
            }
        }
    }
    out
}

/// Go modules (`go.mod` dir, module path), for `ko://` images.
fn go_modules(ws: &Workspace) -> Vec<(String, String)> {
    ws.files()
        .iter()
        .filter(|f| f.name() == "go.mod")
        .filter_map(|f| {
            let module = f
                .text
                .lines()
                .find_map(|l| l.trim().strip_prefix("module "))?
                .trim()
                .trim_matches('"')
                .to_string();
            Some((f.dir().to_string(), module))
        })
        .collect()
}

/// The build contexts of a container image: those declared with its name (full repository,
/// else its last component), else Dockerfile folders named like it. `ko://` images map to
/// their Go package's folder.
pub(crate) fn for_image(
    ws: &Workspace,
    contexts: &[BuildContext],
    image: &str,
) -> Vec<BuildContext> {
    if let Some(import) = image.strip_prefix("ko://") {
        return go_modules(ws)
            .into_iter()
            .filter_map(|(dir, module)| {
                let rest = import.strip_prefix(&module)?;
                let sub = rest.trim_start_matches('/');
                let dir = join_dir(&dir, sub)?;
                Some(BuildContext {
                    image: None,
                    aliases: Vec::new(),
                    dir,
                    declared_at: None,
                    how: format!("the ko import path `{import}` (module `{module}`)"),
                    named: true,
                })
            })
            .collect();
    }
    let Some(repo) = repository(image) else {
        return Vec::new();
    };
    let last = last_component(&repo).to_ascii_lowercase();
    let tiers: [&dyn Fn(&BuildContext) -> bool; 3] = [
        &|c| c.image.as_deref() == Some(repo.as_str()),
        &|c| {
            c.named
                && (c
                    .image
                    .as_deref()
                    .is_some_and(|i| last_component(i).eq_ignore_ascii_case(&last))
                    || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(&last)))
        },
        &|c| !c.named && c.aliases.iter().any(|a| a.eq_ignore_ascii_case(&last)),
    ];
    for tier in tiers {
        let mut found: Vec<BuildContext> = Vec::new();
        for c in contexts.iter().filter(|c| tier(c)) {
            if !found.iter().any(|f| f.dir == c.dir) {
                found.push(c.clone());
            }
        }
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_drop_registry_tag_and_digest() {
        assert_eq!(
            repository("gcr.io/p/frontend:v1").as_deref(),
            Some("p/frontend")
        );
        assert_eq!(repository("frontend").as_deref(), Some("frontend"));
        assert_eq!(
            repository("${REGISTRY}/shop/cart:${TAG}").as_deref(),
            Some("shop/cart")
        );
        assert_eq!(
            repository("ghcr.io/acme/api@sha256:abc").as_deref(),
            Some("acme/api")
        );
        assert_eq!(repository("{{ .Values.image }}"), None);
    }

    #[test]
    fn docker_build_commands() {
        let b = docker_builds(
            "set -e\ndocker build -t ghcr.io/acme/api:$TAG \\\n  --build-arg X=1 services/api\ndocker buildx build --push --tag=web:1 -f web/Dockerfile . && echo ok\ndocker push x\n",
        );
        assert_eq!(
            b,
            vec![
                (1, "acme/api".to_string(), "services/api".to_string()),
                (3, "web".to_string(), ".".to_string())
            ]
        );
    }

    #[test]
    fn ko_images_and_project_names() {
        let ws = Workspace::from_files(vec![
            (
                "go.mod".into(),
                "module github.com/acme/shop\n\ngo 1.23\n".into(),
            ),
            ("cmd/api/main.go".into(), "package main\n".into()),
            (
                "web/package.json".into(),
                "{\"name\": \"@acme/storefront\"}".into(),
            ),
        ]);
        let ko = for_image(&ws, &[], "ko://github.com/acme/shop/cmd/api");
        assert_eq!(ko.len(), 1);
        assert_eq!(ko[0].dir, "cmd/api");
        let names = project_names(&ws);
        let find = |n: &str| {
            names
                .iter()
                .find(|(name, _, _)| name == n)
                .map(|(_, _, d)| d.as_str())
        };
        assert_eq!(find("shop"), Some(""));
        assert_eq!(find("storefront"), Some("web"));
        assert_eq!(find("api"), Some("cmd/api"));
    }

    #[test]
    fn images_map_to_contexts_by_name() {
        let ws = Workspace::from_files(vec![
            (
                "skaffold.yaml".into(),
                "apiVersion: skaffold/v4beta1\nkind: Config\nbuild:\n  artifacts:\n  - image: frontend\n    context: src/frontend\n".into(),
            ),
            ("src/cart/Dockerfile".into(), "FROM scratch\n".into()),
            (
                "docker-compose.yml".into(),
                "services:\n  api:\n    build: ./api\n".into(),
            ),
        ]);
        let ctx = read(&ws);
        let dirs = |image: &str| -> Vec<String> {
            for_image(&ws, &ctx, image)
                .into_iter()
                .map(|c| c.dir)
                .collect()
        };
        assert_eq!(
            dirs("us-docker.pkg.dev/p/r/frontend:v0.10.3"),
            vec!["src/frontend"]
        );
        assert_eq!(dirs("frontend"), vec!["src/frontend"]);
        assert_eq!(dirs("cart:1"), vec!["src/cart"]);
        assert_eq!(dirs("acme/api"), vec!["api"]);
        assert!(dirs("grafana/grafana:10").is_empty());
    }
}
