use super::dockerfiles::{self, Parsed};
use golive_core::parse::image_ref::{self, TagKind, has_variables};
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every base image is pinned to a specific version tag (not `latest`, no tag, or another
    /// moving tag), in every Dockerfile.
    ///
    /// Base images are the images of every `FROM` that is not an earlier stage or `scratch`,
    /// with global `ARG` defaults expanded (`ARG BASE=node:20.11-slim` then `FROM $BASE`), and
    /// images copied from with `COPY --from=<image>` (when the value has a tag, digest or
    /// registry path, so it cannot be a stage or a named build context).
    ///
    /// - A digest (`@sha256:…`) is the gold standard: the same bytes on every build. It passes
    ///   and is noted as such.
    /// - A version, date or commit tag (`1.22.5-bookworm`, `20-slim`, `jammy-20240111`) passes;
    ///   the evidence says a digest would make it reproducible.
    /// - A release-name tag that is not a version (`bookworm`, `alpine3.19`) passes with a note
    ///   that it still moves within that release.
    /// - No tag, `latest`, and moving tags (`lts`, `stable`, `alpine`, `slim`, `nonroot`,
    ///   `lts-alpine`, ...) are findings, at the `FROM` (or `COPY`) line.
    /// - An image that comes from a build argument without a default (`FROM $BASE`) cannot be
    ///   judged: noted, not a finding.
    ///
    /// Dockerfiles that do not parse (`parse/invalid-dockerfile` reports them) and development
    /// images (under `.devcontainer/`, or named like `Dockerfile.dev`, `Dockerfile.local`,
    /// `Dockerfile.test`) are skipped with a note.
    ///
    /// ## Why it matters
    /// A moving tag makes the same commit build a different image tomorrow: a new major version
    /// of the runtime, a changed default user or shell, or a broken upstream push arrives with no
    /// change in the repository, and a rollback rebuilds something that never ran in production.
    /// Pinned inputs are what make builds and rollbacks repeatable (From Code to Production:
    /// immutable infrastructure; Production Ready Checklist: "Set up immutable infrastructure",
    /// "Publish versioned artifacts").
    ///
    /// ## How to fix
    /// Pin a version tag, and for gold pin its digest too (Renovate and Dependabot keep both up
    /// to date):
    /// ```dockerfile
    /// FROM node:20.11.1-bookworm-slim@sha256:<digest> AS build
    /// FROM gcr.io/distroless/nodejs20-debian12:nonroot@sha256:<digest>
    /// ```
    pub struct PinnedBase {
        id: "docker/pinned-base",
        title: "Base images are pinned",
        category: Containers,
        level: Silver,
        severity: Warning,
        facets: [Docker],
        seeds: [
            "004: Production Ready Checklist, Continuous Delivery: Set up immutable infrastructure",
            "001: From Code to Production, Rollback: immutable infrastructure",
        ],
        fix: "pin the image to a version tag (and, for gold, its digest: `image:1.2.3@sha256:...`)",
    }
}

impl golive_core::Check for PinnedBase {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let dockerfiles = dockerfiles::read(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = dockerfiles.skipped;
        let mut judged = 0usize;
        let mut unknown = Vec::new();
        for parsed in &dockerfiles.parsed {
            for image in images(parsed) {
                match judge(&image) {
                    Judged::Pinned(e) => {
                        judged += 1;
                        evidence.push(e);
                    }
                    Judged::Unpinned(f) => {
                        judged += 1;
                        findings.push(f);
                    }
                    Judged::Unknown(e) => {
                        unknown.push(format!("{}: {}", image.location.path, e.message));
                        evidence.push(e);
                    }
                }
            }
        }
        if judged == 0 {
            let reason = if dockerfiles.parsed.is_empty() {
                "no Dockerfile could be read (see parse/invalid-dockerfile)".to_string()
            } else if !unknown.is_empty() {
                format!("no base image golive can judge: {}", unknown.join("; "))
            } else {
                "no base image to pin: every stage is built FROM scratch or an earlier stage"
                    .to_string()
            };
            return Outcome::not_applicable(reason);
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// One image a Dockerfile pulls.
struct Image {
    /// The reference with global ARG defaults expanded.
    reference: String,
    /// As written, when it differs (it used ARGs).
    written: Option<String>,
    /// How it is written before the reference: `FROM ` or `COPY --from=`.
    via: &'static str,
    location: Location,
}

fn images(parsed: &Parsed<'_>) -> Vec<Image> {
    let Parsed { file, df } = parsed;
    let mut out = Vec::new();
    for stage in &df.stages {
        if df.base_stage(stage).is_some() {
            continue;
        }
        let reference = df.expand_global_args(&stage.image);
        if reference.eq_ignore_ascii_case("scratch") {
            continue;
        }
        let location = dockerfiles::from_instruction(df, stage)
            .map(|from| dockerfiles::instruction_location(file, from))
            .unwrap_or_else(|| Location::line(file.path.as_str(), stage.from_line));
        out.push(Image {
            written: (reference != stage.image).then(|| stage.image.clone()),
            reference,
            via: "FROM ",
            location,
        });
    }
    for instruction in df.instructions.iter().filter(|i| i.keyword == "COPY") {
        let Some(from) = instruction.flag("from").and_then(|f| f.value.as_deref()) else {
            continue;
        };
        let reference = df.expand_global_args(from);
        let stage_like = df.stage(&reference).is_some() || reference.parse::<usize>().is_ok();
        if stage_like || !reference.contains([':', '@', '/']) {
            continue;
        }
        out.push(Image {
            written: (reference != from).then(|| from.to_string()),
            reference,
            via: "COPY --from=",
            location: dockerfiles::instruction_location(file, instruction),
        });
    }
    out
}

enum Judged {
    Pinned(Evidence),
    Unpinned(Finding),
    Unknown(Evidence),
}

fn judge(image: &Image) -> Judged {
    let Image {
        reference,
        written,
        via,
        location,
    } = image;
    let at = |message: String| Evidence::at(&location.path, location.line, message);
    let from_arg = written
        .as_deref()
        .map(|w| format!(" (`{via}{w}` with its ARG default)"))
        .unwrap_or_default();
    if has_variables(reference) {
        return Judged::Unknown(at(format!(
            "`{via}{}` (line {}) comes from a build argument without a default: pin the image where the argument is set",
            written.as_deref().unwrap_or(reference),
            location.line
        )));
    }
    let Some(parsed) = image_ref::parse(reference) else {
        return Judged::Unknown(at(format!(
            "`{reference}` is not a valid image reference: not checked"
        )));
    };
    let tag = parsed.tag.as_deref().unwrap_or("");
    match parsed.tag_kind() {
        TagKind::Digest => Judged::Pinned(at(format!(
            "`{reference}`{from_arg} is pinned by digest: the gold standard, the same image on every build"
        ))),
        TagKind::Semver | TagKind::Date | TagKind::CommitSha => Judged::Pinned(at(format!(
            "`{reference}`{from_arg} is pinned by tag `{tag}`; adding its digest (`@sha256:…`) makes the build reproducible"
        ))),
        TagKind::Other => Judged::Pinned(at(format!(
            "`{reference}`{from_arg} is pinned by tag `{tag}`, a release name rather than a version: it still moves within that release"
        ))),
        TagKind::Mutable => {
            let why = match parsed.tag.as_deref() {
                None => {
                    "it has no tag, so Docker pulls `latest`, a different image after every release"
                        .to_string()
                }
                Some(t) if t.eq_ignore_ascii_case("latest") => {
                    "`latest` is a different image after every release".to_string()
                }
                Some(t) => format!("`{t}` is a moving tag, re-pointed at every release"),
            };
            Judged::Unpinned(Finding::at(
                location.clone(),
                format!("`{via}{reference}`{from_arg} is not pinned: {why}"),
            ))
        }
    }
}
