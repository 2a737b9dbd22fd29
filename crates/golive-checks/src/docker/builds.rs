//! How the repository builds its images and runs them outside Kubernetes: which Dockerfile is
//! built with which context and image name (docker-compose `build:`, skaffold artifacts, CI
//! `docker build` commands and `docker/build-push-action` steps), and the docker-compose services
//! (their image, healthcheck and ports). Shared by the docker checks that need to know more than
//! the Dockerfile itself.

use crate::ci::github::{self, ActionRef};
use crate::ci::pipelines;
use crate::foreign::is_not_ours;
use golive_core::parse::image_ref::has_variables;
use golive_core::parse::yaml::Node;
use golive_core::{FileKind, SourceFile, Workspace};

/// One way the repository builds a Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Build {
    /// The Dockerfile built, relative to the root.
    pub dockerfile: String,
    /// The build context folder, relative to the root (`""` for the root itself).
    pub context: String,
    /// The short name of the image it tags (last path component, no tag), when known.
    pub image: Option<String>,
    /// The file that declares the build, and its line.
    pub declared_in: String,
    pub line: u32,
    /// How the build is declared, for messages: "docker-compose service `api`".
    pub via: String,
    /// Index into [`Builds::compose`] of the service that builds it.
    pub compose_service: Option<usize>,
}

/// A docker-compose service.
#[derive(Clone, Debug)]
pub(crate) struct ComposeService<'a> {
    pub file: &'a SourceFile,
    pub name: &'a str,
    /// The short name of its `image:` (last path component, no tag), when it has one.
    pub image: Option<String>,
    /// `healthcheck:` key and value, when written.
    pub healthcheck: Option<(Node<'a>, Node<'a>)>,
    /// Whether it publishes or exposes ports (`ports:`, `expose:`).
    pub serves: bool,
}

impl ComposeService<'_> {
    /// Whether its healthcheck is a real test (not `disable: true`, not `test: ["NONE"]`).
    pub fn has_healthcheck(&self) -> bool {
        let Some((_, hc)) = self.healthcheck else {
            return false;
        };
        if hc.get("disable").and_then(|d| d.as_bool()) == Some(true) {
            return false;
        }
        match hc.get("test") {
            Some(test) => {
                let first = test
                    .as_text()
                    .or_else(|| test.items().next().and_then(|i| i.as_text()));
                !matches!(first, Some("NONE" | "none"))
            }
            // `healthcheck:` with only timings keeps the image's HEALTHCHECK; no test of its own.
            None => false,
        }
    }
}

/// What the repository says about its image builds.
pub(crate) struct Builds<'a> {
    pub builds: Vec<Build>,
    pub compose: Vec<ComposeService<'a>>,
}

impl Builds<'_> {
    /// The builds of one Dockerfile.
    pub fn of(&self, dockerfile: &str) -> impl Iterator<Item = &Build> {
        self.builds
            .iter()
            .filter(move |b| b.dockerfile == dockerfile)
    }
}

/// Reads compose files, skaffold files and CI workflows once.
pub(crate) fn read(ws: &Workspace) -> Builds<'_> {
    let mut out = Builds {
        builds: Vec::new(),
        compose: Vec::new(),
    };
    for file in ws.files_of(FileKind::Yaml) {
        if is_not_ours(&file.path) {
            continue;
        }
        if is_compose_file(file.name()) {
            compose(file, &mut out);
        } else if matches!(file.name(), "skaffold.yaml" | "skaffold.yml") {
            skaffold(file, &mut out.builds);
        }
    }
    let workflows = github::workflows(ws);
    for wf in &workflows.parsed {
        for job in &wf.jobs {
            for step in &job.steps {
                github_step(wf.file, step, &mut out.builds);
            }
        }
    }
    if let Some(gitlab) = pipelines::gitlab(ws) {
        for job in gitlab.jobs() {
            for script in gitlab.scripts(&job) {
                if let Some(text) = script.node.as_text() {
                    commands(script.file, script.node, text, "", &mut out.builds);
                }
            }
        }
    }
    out.builds.sort_by(|a, b| {
        (&a.dockerfile, &a.declared_in, a.line).cmp(&(&b.dockerfile, &b.declared_in, b.line))
    });
    out.builds.dedup();
    out
}

/// `docker-compose.yml`, `compose.yaml`, `docker-compose.prod.yml`, `compose.override.yaml`.
pub(crate) fn is_compose_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(stem) = lower
        .strip_suffix(".yml")
        .or_else(|| lower.strip_suffix(".yaml"))
    else {
        return false;
    };
    let first = stem.split('.').next().unwrap_or("");
    matches!(first, "docker-compose" | "compose")
}

fn compose<'a>(file: &'a SourceFile, out: &mut Builds<'a>) {
    let dir = file.dir();
    for root in file.yaml_docs().iter().filter_map(|d| d.root()) {
        let Some(services) = root.get("services") else {
            continue;
        };
        for (key, node) in services.entries() {
            let (Some(name), true) = (key.as_text(), node.is_map()) else {
                continue;
            };
            let image = node.get_str("image").and_then(short_name);
            let index = out.compose.len();
            out.compose.push(ComposeService {
                file,
                name,
                image: image.clone(),
                healthcheck: node.entry("healthcheck"),
                serves: node.get("ports").is_some_and(|p| !p.is_empty())
                    || node.get("expose").is_some_and(|p| !p.is_empty()),
            });
            let Some(build) = node.get("build") else {
                continue;
            };
            let (context, dockerfile) = match build.as_text() {
                Some(ctx) => (ctx, None),
                None => (
                    build.get_str("context").unwrap_or("."),
                    build.get_str("dockerfile"),
                ),
            };
            if is_remote(context) || has_variables(context) {
                continue;
            }
            let Some(context) = join(dir, context) else {
                continue;
            };
            let dockerfile = dockerfile.unwrap_or("Dockerfile");
            if has_variables(dockerfile) {
                continue;
            }
            let Some(dockerfile) = join(&context, dockerfile) else {
                continue;
            };
            out.builds.push(Build {
                dockerfile,
                context,
                image,
                declared_in: file.path.clone(),
                line: build.line(),
                via: format!("docker-compose service `{name}`"),
                compose_service: Some(index),
            });
        }
    }
}

fn skaffold(file: &SourceFile, out: &mut Vec<Build>) {
    let dir = file.dir();
    for root in file.yaml_docs().iter().filter_map(|d| d.root()) {
        let mut artifact_lists: Vec<Node<'_>> =
            root.path(&["build", "artifacts"]).into_iter().collect();
        for profile in root.get("profiles").into_iter().flat_map(|p| p.items()) {
            artifact_lists.extend(profile.path(&["build", "artifacts"]));
        }
        for artifact in artifact_lists.into_iter().flat_map(|a| a.items()) {
            let Some(image) = artifact.get_str("image") else {
                continue;
            };
            let other_builder = ["jib", "bazel", "ko", "buildpacks", "custom"]
                .iter()
                .any(|k| artifact.get(k).is_some());
            if other_builder {
                continue;
            }
            let context = artifact.get_str("context").unwrap_or(".");
            let dockerfile = artifact
                .path(&["docker", "dockerfile"])
                .or_else(|| artifact.path(&["kaniko", "dockerfile"]))
                .and_then(|d| d.as_text())
                .unwrap_or("Dockerfile");
            if has_variables(context) || has_variables(dockerfile) {
                continue;
            }
            let Some(context) = join(dir, context) else {
                continue;
            };
            let Some(dockerfile) = join(&context, dockerfile) else {
                continue;
            };
            out.push(Build {
                dockerfile,
                context,
                image: short_name(image),
                declared_in: file.path.clone(),
                line: artifact.line(),
                via: format!("skaffold artifact `{image}`"),
                compose_service: None,
            });
        }
    }
}

fn github_step(file: &SourceFile, step: &github::Step<'_>, out: &mut Vec<Build>) {
    let cwd = step.working_directory.unwrap_or("");
    if let Some(run) = step.run
        && let Some(text) = run.as_text()
    {
        commands(file, run, text, cwd, out);
    }
    let Some(uses) = step.uses.and_then(|u| u.as_text()) else {
        return;
    };
    let repo = ActionRef::parse(uses).repository().unwrap_or_default();
    if !repo.eq_ignore_ascii_case("docker/build-push-action") {
        return;
    }
    let input = |key: &str| step.with.and_then(|w| w.get_str(key)).map(str::trim);
    let context = input("context").unwrap_or(".");
    if is_remote(context) || has_variables(context) {
        return;
    }
    let Some(context) = join("", context) else {
        return;
    };
    let dockerfile = match input("file") {
        Some(f) if has_variables(f) => return,
        Some(f) => join("", f),
        None => join(&context, "Dockerfile"),
    };
    let Some(dockerfile) = dockerfile else {
        return;
    };
    let tags: Vec<String> = input("tags")
        .unwrap_or("")
        .split(['\n', ','])
        .filter_map(short_name)
        .collect();
    let line = step.uses.map(|u| u.line()).unwrap_or(step.node.line());
    push_tagged(
        out,
        Build {
            dockerfile,
            context,
            image: None,
            declared_in: file.path.clone(),
            line,
            via: format!("`{}` step", uses.trim().split('@').next().unwrap_or(uses)),
            compose_service: None,
        },
        tags,
    );
}

/// One build per tag name (a build without a readable tag keeps `image: None`).
fn push_tagged(out: &mut Vec<Build>, build: Build, mut tags: Vec<String>) {
    tags.sort();
    tags.dedup();
    if tags.is_empty() {
        out.push(build);
        return;
    }
    for tag in tags {
        out.push(Build {
            image: Some(tag),
            ..build.clone()
        });
    }
}

/// `docker build` commands of a script (GitHub `run:`, GitLab `script:` line).
fn commands(file: &SourceFile, node: Node<'_>, text: &str, cwd: &str, out: &mut Vec<Build>) {
    for cli in docker_builds(text) {
        let Some(context) = join(cwd, &cli.context) else {
            continue;
        };
        let dockerfile = match &cli.file {
            Some(f) => join(cwd, f),
            None => join(&context, "Dockerfile"),
        };
        let Some(dockerfile) = dockerfile else {
            continue;
        };
        let line = github::line_of(file, node, &cli.words);
        push_tagged(
            out,
            Build {
                dockerfile,
                context,
                image: None,
                declared_in: file.path.clone(),
                line,
                via: "`docker build` command".to_string(),
                compose_service: None,
            },
            cli.tags.iter().filter_map(|t| short_name(t)).collect(),
        );
    }
}

/// A `docker build` command line, as written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct CliBuild {
    /// `-f`/`--file`, relative to the working directory.
    pub file: Option<String>,
    /// The context argument.
    pub context: String,
    /// `-t`/`--tag` values.
    pub tags: Vec<String>,
    /// The first words of the command (to find its line).
    pub words: String,
}

/// Options of `docker build` / `docker buildx build` / `podman build` that take a value.
const VALUE_OPTIONS: &[&str] = &[
    "--add-host",
    "--allow",
    "--annotation",
    "--attest",
    "--build-arg",
    "--build-context",
    "--builder",
    "--cache-from",
    "--cache-to",
    "--call",
    "--cgroup-parent",
    "--cpu-period",
    "--cpu-quota",
    "--cpu-shares",
    "--cpuset-cpus",
    "--cpuset-mems",
    "--iidfile",
    "--isolation",
    "--label",
    "--memory",
    "--memory-swap",
    "--metadata-file",
    "--network",
    "--output",
    "--platform",
    "--progress",
    "--provenance",
    "--sbom",
    "--secret",
    "--security-opt",
    "--shm-size",
    "--ssh",
    "--target",
    "--ulimit",
    "--format",
    "--authfile",
    "--layers",
    "-m",
    "-o",
];

/// Every `docker build`, `docker buildx build`, `docker image build` and `podman build` in a
/// script whose context is a local path without variables.
pub(crate) fn docker_builds(script: &str) -> Vec<CliBuild> {
    let joined = compact_expressions(&script.replace("\\\r\n", " ").replace("\\\n", " "));
    let mut out = Vec::new();
    for line in joined.lines() {
        let words = shell_words(line);
        for command in words.split(|w| matches!(w.as_str(), "&&" | "||" | ";" | "|")) {
            if let Some(build) = cli_build(command) {
                out.push(build);
            }
        }
    }
    out
}

/// `${{ github.sha }}` (GitHub) written without spaces, so that it stays one shell word.
fn compact_expressions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        out.extend(
            rest[start..start + len]
                .chars()
                .filter(|c| !c.is_whitespace()),
        );
        out.push_str("}}");
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

fn cli_build(words: &[String]) -> Option<CliBuild> {
    let start = words
        .iter()
        .position(|w| matches!(w.as_str(), "docker" | "podman" | "buildah"))?;
    let rest = words.get(start + 1..)?;
    let skip = match rest
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["build", ..] | ["bud", ..] => 1,
        ["buildx" | "image" | "builder", "build", ..] => 2,
        _ => return None,
    };
    let mut file = None;
    let mut tags = Vec::new();
    let mut positional = Vec::new();
    let mut args = rest.iter().skip(skip);
    while let Some(word) = args.next() {
        let w = word.as_str();
        let value_of = |name: &str, short: Option<&str>| -> Option<Option<String>> {
            if w == name || short == Some(w) {
                return Some(None);
            }
            if let Some(v) = w.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                return Some(Some(v.to_string()));
            }
            if let Some(s) = short
                && let Some(v) = w.strip_prefix(s)
                && !v.is_empty()
                && !w.starts_with("--")
            {
                return Some(Some(v.trim_start_matches('=').to_string()));
            }
            None
        };
        if let Some(v) = value_of("--file", Some("-f")) {
            file = v.or_else(|| args.next().cloned());
        } else if let Some(v) = value_of("--tag", Some("-t")) {
            tags.extend(v.or_else(|| args.next().cloned()));
        } else if w.starts_with('-') {
            if VALUE_OPTIONS.contains(&w) {
                args.next();
            }
        } else {
            positional.push(word.clone());
        }
    }
    let context = positional.first()?.clone();
    if is_remote(&context) || has_variables(&context) || context == "-" {
        return None;
    }
    if file
        .as_deref()
        .is_some_and(|f| has_variables(f) || f == "-")
    {
        return None;
    }
    let words = words
        .get(start..(start + 1 + skip).min(words.len()))
        .unwrap_or(&[])
        .join(" ");
    Some(CliBuild {
        file,
        context,
        tags,
        words,
    })
}

/// Splits a shell line into words: quotes removed, `#` comments dropped, and `&&`, `||`, `;`
/// and `|` as words of their own.
fn shell_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    let mut in_word = false;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '#') if !in_word => break,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, ';') => {
                if in_word {
                    out.push(std::mem::take(&mut current));
                    in_word = false;
                }
                out.push(";".into());
            }
            (None, '&' | '|') => {
                if in_word {
                    out.push(std::mem::take(&mut current));
                    in_word = false;
                }
                let double = chars.peek() == Some(&c);
                if double {
                    chars.next();
                }
                out.push(match (c, double) {
                    ('&', true) => "&&".into(),
                    ('|', true) => "||".into(),
                    ('|', false) => "|".into(),
                    _ => "&".into(),
                });
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(current);
    }
    out
}

/// A URL or git context, not a folder of the repository.
fn is_remote(context: &str) -> bool {
    context.contains("://") || context.starts_with("git@") || context.ends_with(".git")
}

/// The short name of an image reference: its last path component without tag or digest,
/// lowercased (`ghcr.io/acme/api:1.2` is `api`). None when the name has variables.
pub(crate) fn short_name(reference: &str) -> Option<String> {
    let r = reference.trim();
    let r = r.split('@').next().unwrap_or(r);
    let last = r.rsplit('/').next().unwrap_or(r);
    let name = last.split(':').next().unwrap_or(last);
    let before_last = &r[..r.len().saturating_sub(last.len())];
    if name.is_empty() || has_variables(name) || has_variables(before_last) || name.contains('{') {
        return None;
    }
    Some(name.to_ascii_lowercase())
}

/// `dir` joined with a relative path (`..` resolved); None when it leaves the root or is
/// absolute.
pub(crate) fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.starts_with('~') {
        return None;
    }
    let mut parts: Vec<&str> = dir
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
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

/// The folder of a path (`""` at the root).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    #[test]
    fn docker_build_commands_are_read() {
        let b = docker_builds(
            "set -e\ndocker build -t ghcr.io/acme/api:${{ github.sha }} -f services/api/Dockerfile . && docker push x\n",
        );
        assert_eq!(
            b,
            [CliBuild {
                file: Some("services/api/Dockerfile".into()),
                context: ".".into(),
                tags: vec!["ghcr.io/acme/api:${{github.sha}}".into()],
                words: "docker build".into(),
            }]
        );
        let b = docker_builds(
            "docker buildx build --platform linux/amd64,linux/arm64 \\\n  --tag=web:1 --push --build-arg A=1 web/",
        );
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].context, "web/");
        assert_eq!(b[0].tags, ["web:1"]);
        assert_eq!(b[0].file, None);
        assert!(docker_builds("docker build $CTX").is_empty());
        assert!(docker_builds("docker build https://github.com/a/b.git").is_empty());
        assert!(docker_builds("echo docker builds things # docker build .").is_empty());
        assert!(docker_builds("docker run --rm x build .").is_empty());
        let b = docker_builds("podman build -tworker:2 -f=Containerfile ./worker");
        assert_eq!(b[0].tags, ["worker:2"]);
        assert_eq!(b[0].file.as_deref(), Some("Containerfile"));
    }

    #[test]
    fn short_names_and_joins() {
        assert_eq!(short_name("ghcr.io/acme/api:1.2").as_deref(), Some("api"));
        assert_eq!(short_name("localhost:5000/web").as_deref(), Some("web"));
        assert_eq!(short_name("Worker@sha256:abc").as_deref(), Some("worker"));
        assert_eq!(short_name("acme/api:${TAG}").as_deref(), Some("api"));
        assert_eq!(short_name("${REGISTRY}/api:1"), None);
        assert_eq!(short_name("${IMAGE}"), None);
        assert_eq!(
            join("deploy", "../services/api").as_deref(),
            Some("services/api")
        );
        assert_eq!(join("", "./").as_deref(), Some(""));
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("a", "/abs"), None);
    }

    #[test]
    fn compose_skaffold_and_ci_builds() {
        let w = ws(&[
            (
                "deploy/docker-compose.yml",
                "services:\n  api:\n    build:\n      context: ../services/api\n      dockerfile: Dockerfile.prod\n    image: ghcr.io/acme/api:1\n    healthcheck:\n      test: [\"CMD\", \"/api\", \"health\"]\n  db:\n    image: postgres:16\n    healthcheck:\n      disable: true\n  web:\n    build: ../web\n    ports: [\"80:80\"]\n",
            ),
            (
                "skaffold.yaml",
                "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n  - image: emailservice\n    context: src/emailservice\n  - image: cartservice\n    context: src/cartservice/src\n    docker:\n      dockerfile: ../Dockerfile\n  - image: jvm\n    jib: {}\n",
            ),
            (
                ".github/workflows/release.yml",
                "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: ./worker\n          tags: |\n            ghcr.io/acme/worker:latest\n            ghcr.io/acme/worker:${{ github.sha }}\n      - run: docker build -t acme/tools -f ci/Dockerfile .\n        working-directory: tools\n",
            ),
        ]);
        let b = read(&w);
        let got: Vec<(&str, &str, Option<&str>, u32)> = b
            .builds
            .iter()
            .map(|b| {
                (
                    b.dockerfile.as_str(),
                    b.context.as_str(),
                    b.image.as_deref(),
                    b.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "services/api/Dockerfile.prod",
                    "services/api",
                    Some("api"),
                    4
                ),
                (
                    "src/cartservice/Dockerfile",
                    "src/cartservice/src",
                    Some("cartservice"),
                    7
                ),
                (
                    "src/emailservice/Dockerfile",
                    "src/emailservice",
                    Some("emailservice"),
                    5
                ),
                ("tools/ci/Dockerfile", "tools", Some("tools"), 12),
                ("web/Dockerfile", "web", None, 14),
                ("worker/Dockerfile", "worker", Some("worker"), 6),
            ]
        );
        assert_eq!(b.compose.len(), 3);
        assert!(b.compose[0].has_healthcheck());
        assert!(!b.compose[1].has_healthcheck());
        assert!(b.compose[2].serves);
    }
}
