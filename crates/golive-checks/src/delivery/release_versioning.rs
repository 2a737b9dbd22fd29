use crate::ci::test_commands::segments;
use crate::delivery::pipeline::{Job, Pipelines, System, command_words};
use golive_core::parse::image_ref::{self, TagKind};
use golive_core::{Context, Evidence, FileKind, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Releases carry a version. Any of these is evidence:
    ///
    /// - a workflow that runs on version tags (`on: push: tags: [v*]`) or on a published
    ///   GitHub release, a GitLab job that runs on tags (`$CI_COMMIT_TAG`, `only: tags`);
    /// - release tooling: release-please, semantic-release, goreleaser, cargo-release,
    ///   release-plz, changesets, bump2version, commitizen, standard-version (their
    ///   configuration files, actions or commands), `gh release create`, release actions
    ///   (`softprops/action-gh-release`, `ncipollo/release-action`, chart-releaser);
    /// - version bumps in the pipeline (`npm version`, `cargo set-version`, `poetry version`,
    ///   `mvn release:prepare`);
    /// - images the pipeline builds or pushes tagged with a version or the commit SHA
    ///   (`-t app:${{ github.sha }}`, `$CI_COMMIT_TAG`, `git rev-parse`, `docker/metadata-action`
    ///   with `type=semver` or `type=sha`), or skaffold, which tags by commit by default;
    /// - a Helm application chart with a semantic `version:` in Chart.yaml.
    ///
    /// The check fails when the repository builds something of its own (a Dockerfile, a Helm
    /// chart, an image build in the pipeline) and none of these is found; a pipeline that
    /// tags images only with moving tags (`latest`, `main`) gets a finding at that build.
    /// Not-applicable when the repository builds nothing of its own: manifests that deploy
    /// images built elsewhere release nothing here (delivery/immutable-tags judges their tags).
    ///
    /// ## Why it matters
    /// A version names exactly what runs in production: what to roll back to, what a bug
    /// report is about, which changes a release contains. Without one, "the previous version"
    /// is whatever someone remembers. (Go-live checklist, versioning: "All components should
    /// be versioned", git branches and tags; Production Ready Checklist: "Publish versioned
    /// artifacts", "Solution has release tags".)
    ///
    /// ## How to fix
    /// Release on version tags and tag the image with the version:
    /// ```yaml
    /// on:
    ///   push:
    ///     tags: ["v*"]
    /// jobs:
    ///   release:
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///       - run: |
    ///           docker build -t ghcr.io/acme/web:${GITHUB_REF_NAME} .
    ///           docker push ghcr.io/acme/web:${GITHUB_REF_NAME}
    /// ```
    /// or let release tooling (release-please, semantic-release, goreleaser) cut versions.
    pub struct ReleaseVersioning {
        id: "delivery/release-versioning",
        title: "Releases are versioned",
        category: Delivery,
        level: Silver,
        severity: Error,
        facets: [],
        seeds: [
            "003: Go-live checklist, versioning: all components should be versioned; git branches and tags",
            "004: Production Ready Checklist: publish versioned artifacts; solution has release tags",
        ],
        fix: "release on version tags (`on: push: tags: [v*]`), use release tooling (release-please, semantic-release, goreleaser), and tag images with the version or commit SHA",
    }
}

/// Files that configure release tooling.
const RELEASE_FILES: &[(&str, &str)] = &[
    ("release-please-config.json", "release-please"),
    (".release-please-manifest.json", "release-please"),
    (".releaserc", "semantic-release"),
    (".releaserc.json", "semantic-release"),
    (".releaserc.yml", "semantic-release"),
    (".releaserc.yaml", "semantic-release"),
    ("release.config.js", "semantic-release"),
    ("release.config.cjs", "semantic-release"),
    ("release.config.mjs", "semantic-release"),
    (".goreleaser.yml", "goreleaser"),
    (".goreleaser.yaml", "goreleaser"),
    ("goreleaser.yml", "goreleaser"),
    ("goreleaser.yaml", "goreleaser"),
    ("release-plz.toml", "release-plz"),
    (".release-plz.toml", "release-plz"),
    (".bumpversion.cfg", "bump2version"),
    (".bumpversion.toml", "bump-my-version"),
    (".cz.toml", "commitizen"),
    (".versionrc", "standard-version"),
    (".versionrc.json", "standard-version"),
    ("jreleaser.yml", "JReleaser"),
    ("GitVersion.yml", "GitVersion"),
];

/// Release actions (lowercased `owner/repo`).
const RELEASE_ACTIONS: &[&str] = &[
    "googleapis/release-please-action",
    "google-github-actions/release-please-action",
    "cycjimmy/semantic-release-action",
    "goreleaser/goreleaser-action",
    "release-plz/action",
    "marcoieni/release-plz-action",
    "changesets/action",
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "actions/create-release",
    "helm/chart-releaser-action",
];

impl golive_core::Check for ReleaseVersioning {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let p = Pipelines::read(ws);
        let mut evidence = Vec::new();
        let mut moving_pushes: Vec<(Location, String, String)> = Vec::new();
        let mut builds_images = false;

        for job in &p.jobs {
            if let Some(tags) = &job.on_tags
                && !evidence.iter().any(|e: &Evidence| {
                    e.path.as_deref() == Some(tags.path.as_str()) && e.line == Some(tags.line)
                })
            {
                evidence.push(Evidence::located(
                    tags,
                    format!("{} runs on tag pushes", job.label),
                ));
            }
            if job.system == System::GitHub && job.events.iter().any(|e| e == "release") {
                evidence.push(Evidence::located(
                    &job.location,
                    format!("{} runs on published releases", job.label),
                ));
            }
            for step in &job.steps {
                if let Some(action) = step.action.as_deref() {
                    if RELEASE_ACTIONS.contains(&action) {
                        evidence.push(Evidence::located(
                            &step.location,
                            format!("{} {} uses `{action}`", job.label, step.label),
                        ));
                    }
                    if action == "docker/metadata-action" {
                        builds_images = true;
                        // Without `tags:`, the action tags version tags on tag pushes.
                        let tags = step.with.and_then(|w| w.get_str("tags"));
                        if tags.is_none_or(|t| {
                            [
                                "type=semver",
                                "type=sha",
                                "type=ref,event=tag",
                                "type=pep440",
                            ]
                            .iter()
                            .any(|k| t.contains(k))
                        }) {
                            evidence.push(Evidence::located(&step.location, format!("{} {} tags images by version or commit (`docker/metadata-action`)", job.label, step.label)));
                        }
                    }
                    if action == "docker/build-push-action" {
                        builds_images = true;
                        if let Some(tags) = step.with.and_then(|w| w.get("tags")) {
                            let text = tags.as_text().unwrap_or("");
                            judge_tags(
                                job,
                                &step.label,
                                text,
                                &step.location,
                                &mut evidence,
                                &mut moving_pushes,
                            );
                        }
                    }
                }
                for line in &step.lines {
                    // `${{ github.sha }}` as one word.
                    let text = line.text.replace("${{ ", "${{").replace(" }}", "}}");
                    for segment in segments(&text) {
                        let words = command_words(segment);
                        if let Some(tool) = release_command(&words) {
                            evidence.push(Evidence::located(
                                &line.location,
                                format!("{} {} runs `{tool}`", job.label, step.label),
                            ));
                        }
                        if let Some(image) = image_tag_of(&words) {
                            builds_images = true;
                            judge_tags(
                                job,
                                &step.label,
                                &image,
                                &line.location,
                                &mut evidence,
                                &mut moving_pushes,
                            );
                        }
                    }
                }
            }
        }
        for file in ws
            .files()
            .iter()
            .filter(|f| !crate::ci::is_not_ours(&f.path))
        {
            if let Some((_, tool)) = RELEASE_FILES.iter().find(|(n, _)| *n == file.name()) {
                evidence.push(Evidence::file(
                    file.path.as_str(),
                    format!("{tool} is configured"),
                ));
            }
            if file.path == ".changeset/config.json" {
                evidence.push(Evidence::file(
                    file.path.as_str(),
                    "changesets is configured",
                ));
            }
            if file.name() == "release.toml"
                && ws
                    .file(&format!("{}Cargo.toml", dir_prefix(file.dir())))
                    .is_some()
            {
                evidence.push(Evidence::file(
                    file.path.as_str(),
                    "cargo-release is configured",
                ));
            }
            if file.name() == "skaffold.yaml"
                && p.jobs
                    .iter()
                    .flat_map(|j| j.lines())
                    .any(|(_, l)| l.text.contains("skaffold "))
            {
                evidence.push(Evidence::file(
                    file.path.as_str(),
                    "skaffold builds in the pipeline and tags images by git commit by default",
                ));
            }
            if file.name() == "Chart.yaml"
                && let Some(root) = file.yaml_docs().iter().find_map(|d| d.root())
                && root.get_str("type") != Some("library")
                && let Some(version) = root.get("version")
                && version.as_text().is_some_and(is_semver)
            {
                evidence.push(Evidence::located(
                    &version.location(&file.path),
                    format!(
                        "Helm chart `{}` is versioned `{}`",
                        root.get_str("name").unwrap_or(file.dir()),
                        version.as_text().unwrap_or("")
                    ),
                ));
            }
        }

        if !evidence.is_empty() {
            return Outcome::from_findings(Vec::new(), evidence);
        }
        // What the repository builds of its own: images, charts. Deploying manifests of
        // images built elsewhere releases nothing here (delivery/immutable-tags judges them).
        let charts = ws
            .files()
            .iter()
            .any(|f| f.name() == "Chart.yaml" && !crate::ci::is_not_ours(&f.path));
        let builds = builds_images
            || charts
            || ws
                .files_of(FileKind::Dockerfile)
                .any(|f| !crate::ci::is_not_ours(&f.path));
        if !builds {
            return Outcome::not_applicable(
                "the repository builds nothing of its own to release: no Dockerfile, no Helm chart, no image build in a pipeline",
            );
        }
        if !moving_pushes.is_empty() {
            let findings = moving_pushes
                .into_iter()
                .map(|(location, label, image)| {
                    Finding::at(location, format!("{label} tags the image `{image}` with a moving tag only, and nothing in the repository versions releases"))
                        .with_help("tag the image with the version or the commit SHA (`-t app:${{ github.sha }}`, `$CI_COMMIT_TAG`), and release on version tags")
                })
                .collect();
            return Outcome::from_findings(findings, Vec::new());
        }
        Outcome::from_findings(
            vec![Finding::repo(
                "nothing versions releases: no tag-triggered workflow, no release tooling (release-please, semantic-release, goreleaser, ...), no image tagged with a version or commit SHA, no versioned Helm chart",
            )],
            Vec::new(),
        )
    }
}

fn dir_prefix(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

/// Commands that cut or bump a release.
fn release_command(words: &[String]) -> Option<String> {
    let first = words.first()?.as_str();
    let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    let has = |w: &str| args.contains(&w);
    let tool = match first {
        "semantic-release" | "release-please" | "release-plz" | "standard-version"
        | "bump2version" | "bumpversion" | "bump-my-version" | "goreleaser" => first.to_string(),
        "npx" | "pnpm" | "yarn" | "bunx" => {
            let tool = args.iter().find(|a| {
                matches!(
                    **a,
                    "semantic-release" | "release-please" | "standard-version" | "changeset"
                )
            })?;
            if *tool == "changeset" && !(has("version") || has("publish")) {
                return None;
            }
            format!("{first} {tool}")
        }
        "changeset" if has("version") || has("publish") => "changeset".into(),
        "cargo" if has("release") || has("set-version") => {
            format!("cargo {}", args.first().unwrap_or(&""))
        }
        "npm" if args.first() == Some(&"version") => "npm version".into(),
        "poetry" if args.first() == Some(&"version") => "poetry version".into(),
        "cz" if has("bump") => "cz bump".into(),
        "mvn" if args.iter().any(|a| a.starts_with("release:")) => "mvn release".into(),
        "gh" if args
            .windows(2)
            .any(|w| w[0] == "release" && w[1] == "create") =>
        {
            "gh release create".into()
        }
        _ => return None,
    };
    Some(tool)
}

/// The image a `docker build/tag/push` (or `buildah`, `podman`) names with its tag argument.
fn image_tag_of(words: &[String]) -> Option<String> {
    let first = words.first()?.as_str();
    if !matches!(first, "docker" | "podman" | "buildah") {
        return None;
    }
    let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    let sub = args
        .iter()
        .position(|a| matches!(*a, "build" | "buildx" | "push" | "tag" | "bud"))?;
    let rest = &args[sub + 1..];
    if args[sub] == "push" {
        return rest
            .iter()
            .find(|a| !a.starts_with('-'))
            .map(|s| s.to_string());
    }
    if args[sub] == "tag" {
        return rest
            .iter()
            .filter(|a| !a.starts_with('-'))
            .nth(1)
            .map(|s| s.to_string());
    }
    rest.windows(2)
        .find(|w| matches!(w[0], "-t" | "--tag"))
        .map(|w| w[1].to_string())
        .or_else(|| {
            rest.iter()
                .find_map(|a| a.strip_prefix("--tag=").map(str::to_string))
        })
}

/// Variables and expressions that carry a version or a commit.
const VERSION_VARIABLES: &[&str] = &[
    "github.sha",
    "github_sha",
    "github.ref_name",
    "github_ref_name",
    "ci_commit_sha",
    "ci_commit_short_sha",
    "ci_commit_tag",
    "git rev-parse",
    "circle_sha1",
    "circle_tag",
    "build_sourceversion",
    "git_commit",
    "version",
    "short_sha",
    "commit_sha",
    "sha",
    "tag",
    "release",
];

/// An image reference with a version, a SHA or a version variable is evidence; one with a
/// moving tag is remembered for the finding; anything else says nothing.
fn judge_tags(
    job: &Job<'_>,
    step: &str,
    tags: &str,
    location: &Location,
    evidence: &mut Vec<Evidence>,
    moving: &mut Vec<(Location, String, String)>,
) {
    for tag in tags
        .split(['\n', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        // Shell words lose the closing braces of `${{ github.sha }}` and `${TAG}`.
        let mut tag = tag.to_string();
        while tag.matches('{').count() > tag.matches('}').count() {
            tag.push('}');
        }
        let tag = tag.as_str();
        let lower = tag.to_ascii_lowercase();
        let after_colon = lower.rsplit_once(':').map(|(_, t)| t).unwrap_or("");
        let versioned_var = image_ref::has_variables(tag)
            && VERSION_VARIABLES.iter().any(|v| after_colon.contains(v));
        let pinned = !image_ref::has_variables(tag)
            && image_ref::parse(tag).is_some_and(|r| {
                matches!(
                    r.tag_kind(),
                    TagKind::Semver | TagKind::CommitSha | TagKind::Date | TagKind::Digest
                )
            });
        let seen = |e: &Evidence| {
            e.message.contains(&format!("`{tag}`")) && e.message.starts_with(&job.label)
        };
        if (versioned_var || pinned) && !evidence.iter().any(seen) {
            evidence.push(Evidence::located(
                location,
                format!(
                    "{} {step} tags image `{tag}` with a version or commit",
                    job.label
                ),
            ));
        } else if !image_ref::has_variables(tag)
            && image_ref::parse(tag).is_some_and(|r| r.tag_kind() == TagKind::Mutable)
            && !moving.iter().any(|(_, _, t)| t == tag)
        {
            moving.push((
                location.clone(),
                format!("{} {step}", job.label),
                tag.to_string(),
            ));
        }
    }
}

/// `1.2.3`, `0.1.0-rc.1`.
fn is_semver(v: &str) -> bool {
    let core = v.trim().trim_start_matches('v');
    let core = core.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        command_words(s)
    }

    #[test]
    fn finds_image_tags_and_release_commands() {
        assert_eq!(
            image_tag_of(&words("docker build -t ghcr.io/a/web:${GITHUB_SHA} .")).as_deref(),
            Some("ghcr.io/a/web:${GITHUB_SHA")
        );
        assert_eq!(
            image_tag_of(&words("docker push web:latest")).as_deref(),
            Some("web:latest")
        );
        assert_eq!(
            image_tag_of(&words("docker tag web web:1.2.3")).as_deref(),
            Some("web:1.2.3")
        );
        assert_eq!(
            release_command(&words("npx semantic-release")).as_deref(),
            Some("npx semantic-release")
        );
        assert_eq!(
            release_command(&words("gh release create v1.0.0")).as_deref(),
            Some("gh release create")
        );
        assert_eq!(release_command(&words("cargo build --release")), None);
        assert!(is_semver("1.4.2") && is_semver("0.1.0-rc.1") && !is_semver("1.4"));
    }
}
