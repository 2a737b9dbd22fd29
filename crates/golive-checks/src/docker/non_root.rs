use super::dockerfiles::{self, Parsed};
use golive_core::parse::dockerfile::{Dockerfile, Instruction, Stage};
use golive_core::parse::image_ref::{self, has_variables};
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// The final stage of every Dockerfile runs as a non-root user.
    ///
    /// The user is the last `USER` instruction of the final stage (the stage `docker build`
    /// produces without `--target`), or, when the final stage has none and is built `FROM` an
    /// earlier stage, the user that stage (or the one it is built on) sets. `USER root`,
    /// `USER 0`, `USER 0:0` and Windows' `ContainerAdministrator` are root; any other user
    /// name or number is not. Variables are expanded from the stage's `ARG` defaults and
    /// `ENV` values (`USER ${APP_UID}` with `ARG APP_UID=10001` is user 10001); a variable whose
    /// value is not in the Dockerfile (a build argument without default, or an `ENV` of the base
    /// image such as .NET's `$APP_UID`) is a named, non-root user by intent: noted, not a
    /// finding.
    ///
    /// A final stage without any `USER` runs as its base image's default user, which is root
    /// for almost every image, and always for `FROM scratch`. The exceptions golive knows, from
    /// the reference alone, are noted instead of reported: tags that say `nonroot` (distroless
    /// `gcr.io/distroless/static-debian12:nonroot`, `debug-nonroot`), image names that say
    /// `unprivileged`, `nonroot` or `rootless` (`nginxinc/nginx-unprivileged`), .NET `chiseled`
    /// images and Windows Nano Server, which run as non-root users by default. A base image that comes from
    /// a build argument without default cannot be judged and is noted.
    ///
    /// Dockerfiles that do not parse (`parse/invalid-dockerfile` reports them) and development
    /// images (under `.devcontainer/`, or named like `Dockerfile.dev`, `Dockerfile.local`,
    /// `Dockerfile.test`) are skipped with a note.
    ///
    /// ## Why it matters
    /// A process running as root in a container is root on the node's kernel: one remote code
    /// execution bug or a writable host mount away from the host and every other pod on it.
    /// Running as an unprivileged user is the cheapest server-hardening step there is
    /// (Production Ready Checklist, Security: "Use server hardening practices"; least privilege,
    /// From Code to Production). Kubernetes' `runAsNonRoot: true` refuses to start an image whose
    /// user is root, so the image has to set one.
    ///
    /// ## How to fix
    /// Create (or reuse) an unprivileged user in the final stage and switch to it; prefer a
    /// numeric uid, which Kubernetes can verify:
    /// ```dockerfile
    /// FROM debian:12.7-slim
    /// RUN useradd --system --uid 10001 --no-create-home app
    /// COPY --from=build /out/server /usr/local/bin/server
    /// USER 10001:10001
    /// ENTRYPOINT ["/usr/local/bin/server"]
    /// ```
    /// With distroless, use the `nonroot` variant (`gcr.io/distroless/static-debian12:nonroot`)
    /// or `USER 65532:65532`; with `FROM scratch`, `USER 65532:65532` works without a passwd
    /// file.
    pub struct NonRoot {
        id: "docker/non-root",
        title: "Containers run as a non-root user",
        category: Containers,
        level: Bronze,
        severity: Error,
        facets: [Docker],
        seeds: [
            "004: Production Ready Checklist, Security: Use server hardening practices",
            "001: From Code to Production, Security: the principle of least privilege",
        ],
        fix: "add `USER <non-root uid>` (e.g. `USER 10001:10001`) as the last USER of the final stage",
    }
}

impl golive_core::Check for NonRoot {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let dockerfiles = dockerfiles::read(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = dockerfiles.skipped;
        let mut judged = 0usize;
        let mut undetermined = Vec::new();
        for parsed in &dockerfiles.parsed {
            match judge(parsed) {
                Verdict::NonRoot(e) => {
                    judged += 1;
                    evidence.push(e);
                }
                Verdict::Root(f) => {
                    judged += 1;
                    findings.push(f);
                }
                Verdict::Unknown(e) => {
                    undetermined.push(parsed.file.path.clone());
                    evidence.push(e);
                }
            }
        }
        if judged == 0 {
            return match undetermined.is_empty() {
                true => Outcome::not_applicable(
                    "no Dockerfile could be read (see parse/invalid-dockerfile)",
                ),
                false => Outcome::not_applicable(format!(
                    "the user of the final stage cannot be determined: its base image comes from a build argument ({})",
                    undetermined.join(", ")
                )),
            };
        }
        Outcome::from_findings(findings, evidence)
    }
}

enum Verdict {
    NonRoot(Evidence),
    Root(Finding),
    Unknown(Evidence),
}

/// Who a USER value names.
enum User {
    /// Root, and the value after expansion.
    Root(String),
    NonRoot(String),
    /// A variable golive cannot resolve (its name).
    Unresolved(String),
}

fn judge(parsed: &Parsed<'_>) -> Verdict {
    let Parsed { file, df } = parsed;
    let path = &file.path;
    let Some(last) = df.final_stage() else {
        return Verdict::Unknown(Evidence::file(path, "no build stage"));
    };
    let final_from = dockerfiles::from_instruction(df, last)
        .map(|from| dockerfiles::instruction_location(file, from))
        .unwrap_or_else(|| Location::line(path.as_str(), last.from_line));

    for stage in dockerfiles::base_chain(df, last) {
        let Some((index, user)) = last_user(df, stage) else {
            continue;
        };
        let inherited = stage.index != last.index;
        let written = format!("`USER {}`", user.args.trim());
        let from = match inherited {
            false => String::new(),
            true => format!(" inherited from stage {}", dockerfiles::stage_name(stage)),
        };
        return match classify(df, stage, index, user) {
            User::Root(value) => {
                let resolved = match user.args.contains('$') {
                    false => String::new(),
                    true => format!(" (`{value}` with its ARG/ENV defaults)"),
                };
                let (at, line) = match inherited {
                    false => (dockerfiles::instruction_location(file, user), String::new()),
                    true => (final_from, format!(" (line {})", user.line)),
                };
                Verdict::Root(Finding::at(
                    at,
                    format!("the final stage runs as root: {written}{resolved}{from}{line}"),
                ))
            }
            User::NonRoot(name) => Verdict::NonRoot(Evidence::at(
                path,
                user.line,
                format!("final stage runs as `{name}`: {written}{from}"),
            )),
            User::Unresolved(variable) => Verdict::NonRoot(Evidence::at(
                path,
                user.line,
                format!(
                    "final stage runs as the user in `${variable}`: {written}{from}; its value is not in the Dockerfile (a build argument or the base image's ENV), so it is not root by intent but not verified"
                ),
            )),
        };
    }

    // No USER anywhere in the chain: the base image's default user decides.
    let chain = dockerfiles::base_chain(df, last);
    let origin = chain.last().copied().unwrap_or(last);
    let image = df.expand_global_args(&origin.image);
    let via = match origin.index == last.index {
        true => String::new(),
        false => format!(" (through stage {})", dockerfiles::stage_name(origin)),
    };
    if image.eq_ignore_ascii_case("scratch") {
        return Verdict::Root(Finding::at(
            final_from,
            format!(
                "the final stage is built FROM scratch{via} and sets no USER: the process runs as root (uid 0)"
            ),
        ));
    }
    if has_variables(&image) {
        return Verdict::Unknown(Evidence::at(
            path,
            origin.from_line,
            format!(
                "the final stage sets no USER and its base image `{image}` comes from a build argument: its default user cannot be known"
            ),
        ));
    }
    if let Some(reason) = image_ref::parse(&image).and_then(|r| non_root_by_default(&r)) {
        return Verdict::NonRoot(Evidence::at(
            path,
            origin.from_line,
            format!(
                "final stage sets no USER but `{image}`{via} runs as a non-root user by default ({reason}; judged from the reference, not verified against the image)"
            ),
        ));
    }
    Verdict::Root(Finding::at(
        final_from,
        format!(
            "the final stage (FROM {image}{via}) sets no USER: the container runs as the image's default user, root for almost every image"
        ),
    ))
}

/// The last USER instruction of a stage, with its index in the Dockerfile's instructions.
fn last_user<'d>(df: &'d Dockerfile, stage: &Stage) -> Option<(usize, &'d Instruction)> {
    let start = stage.instructions.start;
    df.stage_instructions(stage)
        .iter()
        .enumerate()
        .rev()
        .find(|(_, i)| i.keyword == "USER")
        .map(|(offset, i)| (start + offset, i))
}

fn classify(df: &Dockerfile, stage: &Stage, index: usize, user: &Instruction) -> User {
    let raw = user.args.trim();
    let raw = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    let vars = dockerfiles::variables_at(df, stage, index);
    let value = match dockerfiles::expand(raw, df.escape, &vars) {
        Ok(value) => value,
        Err(variable) => return User::Unresolved(variable),
    };
    let name = value.split(':').next().unwrap_or("").trim();
    if name.is_empty() {
        return User::Unresolved(raw.to_string());
    }
    let is_root = name == "root"
        || name.eq_ignore_ascii_case("ContainerAdministrator")
        || name.parse::<u64>().is_ok_and(|uid| uid == 0);
    match is_root {
        true => User::Root(value),
        false => User::NonRoot(value),
    }
}

/// Images whose reference says they run as a non-root user unless told otherwise.
fn non_root_by_default(image: &image_ref::ImageRef) -> Option<&'static str> {
    let tag = image.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    let words: Vec<&str> = tag.split(['-', '_', '.']).collect();
    if words.contains(&"nonroot") || tag.contains("non-root") {
        return Some("the tag says nonroot");
    }
    let name = image
        .repository
        .rsplit('/')
        .next()
        .unwrap_or(&image.repository);
    if ["unprivileged", "nonroot", "non-root", "rootless"]
        .iter()
        .any(|w| name.contains(w))
    {
        return Some("the image name says it runs unprivileged");
    }
    if words.contains(&"chiseled") {
        return Some(".NET chiseled images run as the `app` user");
    }
    if words.contains(&"nanoserver") || image.repository.ends_with("windows/nanoserver") {
        return Some("Windows Nano Server runs as ContainerUser");
    }
    None
}
