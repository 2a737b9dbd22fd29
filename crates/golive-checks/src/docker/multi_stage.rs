use super::dockerfiles::{self, Parsed};
use golive_core::parse::dockerfile::{Dockerfile, Stage};
use golive_core::parse::image_ref::{self, has_variables};
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};
use regex::Regex;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// Build tools are not in the runtime image: the final stage runs on a runtime base, and
    /// compiling happens in an earlier stage whose output is copied in.
    ///
    /// The final stage is the last `FROM` (with the stages it is built on, `FROM build`). It is
    /// a finding, at its `FROM`, when:
    ///
    /// - its base is a build image: `golang`, `rust`, `maven`, `gradle`, `gcc`,
    ///   `buildpack-deps`, .NET's `dotnet/sdk`, or a JDK (`openjdk`, `eclipse-temurin`,
    ///   `amazoncorretto`, `ibm-semeru-runtimes`, `sapmachine` unless the tag says `jre`); the
    ///   message names the compile step when there is one (`go build`, `cargo build`,
    ///   `mvn package`, `dotnet publish`, ...);
    /// - its base is `node` and it runs a build step (`npm run build`, `yarn build`, `tsc`,
    ///   `next build`, ...) without pruning development dependencies afterwards;
    /// - it installs compilers (`apt-get install build-essential`/`gcc`/`g++`/`make`/`clang`,
    ///   `apk add build-base`/`gcc`, `yum`/`dnf install gcc`) and no later command of the stage
    ///   removes them (`apt-get purge`, `apk del` of the package or of its `--virtual` group);
    /// - its base is the full variant of an interpreter image (`python`, `node`, `ruby`, `perl`
    ///   on Docker Hub without `slim` or `alpine` in the tag), which is built on
    ///   `buildpack-deps` and ships gcc, make and headers.
    ///
    /// It passes when the final stage copies build output from an earlier stage
    /// (`COPY --from=build`) onto a runtime base, and for single-stage images that build nothing:
    /// an interpreted app on a slim or alpine interpreter image, or any other base, with no
    /// compile step and no compiler installed. Base images that come from a build argument
    /// cannot be judged and are noted, as are Dockerfiles whose last stage is a test or
    /// development target (`FROM build AS test`: production is built with `--target`), build-environment images (a file name with
    /// `build`, `builder`, `ci` or `tools` in it, such as `Dockerfile.build`), development
    /// images and Dockerfiles that do not parse.
    ///
    /// ## Why it matters
    /// A compiler, package manager and source tree in the runtime image make it several times
    /// larger (slower pulls, slower scale-out and rollbacks), add hundreds of packages to patch
    /// for CVEs, and hand an attacker who gets code execution the tools to build theirs. A
    /// multi-stage build keeps only the artifact (Production Ready Checklist: "Use server
    /// hardening practices", "Build Docker images"; From Code to Production: immutable, minimal
    /// artifacts).
    ///
    /// ## How to fix
    /// Compile in a build stage and copy the result onto a runtime base:
    /// ```dockerfile
    /// FROM golang:1.23.4-bookworm AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server
    ///
    /// FROM gcr.io/distroless/static-debian12:nonroot
    /// COPY --from=build /out/server /server
    /// ENTRYPOINT ["/server"]
    /// ```
    pub struct MultiStage {
        id: "docker/multi-stage",
        title: "Build tools are not in the runtime image",
        category: Containers,
        level: Gold,
        severity: Warning,
        facets: [Docker],
        seeds: [
            "004: Production Ready Checklist, Security: Use server hardening practices",
            "004: Production Ready Checklist, Provisioning and Deployment: Build Docker images",
        ],
        fix: "build in a separate stage (`FROM <sdk> AS build`) and copy only the artifact into a runtime base (`COPY --from=build`)",
    }
}

impl golive_core::Check for MultiStage {
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
            match judge(parsed) {
                Verdict::Pass(e) => {
                    judged += 1;
                    evidence.push(e);
                }
                Verdict::Fail(f) => {
                    judged += 1;
                    findings.push(f);
                }
                Verdict::Unknown(e) => {
                    unknown.push(format!("{}: {}", parsed.file.path, e.message));
                    evidence.push(e);
                }
            }
        }
        if judged == 0 {
            return Outcome::not_applicable(match unknown.is_empty() {
                true => "no Dockerfile could be read (see parse/invalid-dockerfile)".to_string(),
                false => format!("no runtime image golive can judge: {}", unknown.join("; ")),
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

enum Verdict {
    Pass(Evidence),
    Fail(Finding),
    Unknown(Evidence),
}

/// A RUN command of the final stage's chain: its line and text (heredoc bodies included).
struct Run {
    line: u32,
    text: String,
}

fn judge(parsed: &Parsed<'_>) -> Verdict {
    let Parsed { file, df } = parsed;
    let path = file.path.as_str();
    let Some(last) = df.final_stage() else {
        return Verdict::Unknown(Evidence::file(path, "no build stage"));
    };
    if let Some(word) = build_environment(file.name()) {
        return Verdict::Unknown(Evidence::file(
            path,
            format!(
                "not checked: the file name says `{word}`, a build environment image rather than a runtime image"
            ),
        ));
    }
    if let Some(alias) = last
        .alias
        .as_deref()
        .filter(|a| is_non_production_target(a))
    {
        return Verdict::Unknown(Evidence::at(
            path,
            last.from_line,
            format!(
                "not checked: the last stage `{alias}` is a test or development target; the production image is built with `--target`, which golive cannot see"
            ),
        ));
    }
    let chain = dockerfiles::base_chain(df, last);
    let origin = chain.last().copied().unwrap_or(last);
    let image = df.expand_global_args(&origin.image);
    let final_from = dockerfiles::from_instruction(df, last)
        .map(|from| dockerfiles::instruction_location(file, from))
        .unwrap_or_else(|| Location::line(path, last.from_line));
    let stage = dockerfiles::final_stage_label(last);
    let via = match origin.index == last.index {
        true => String::new(),
        false => format!(" through stage {}", dockerfiles::stage_name(origin)),
    };
    if has_variables(&image) {
        return Verdict::Unknown(Evidence::at(
            path,
            origin.from_line,
            format!(
                "the final stage's base image `{image}` comes from a build argument: not checked"
            ),
        ));
    }
    let runs = runs(df, &chain);
    let compile = runs
        .iter()
        .find_map(|r| {
            compile_step(&r.text)
                .map(|c| format!(" and compiles in place (`{c}` at line {})", r.line))
        })
        .unwrap_or_default();
    let reference = image_ref::parse(&image);

    if let Some(sdk) = reference.as_ref().and_then(sdk_image) {
        return Verdict::Fail(Finding::at(
            final_from,
            format!(
                "{stage} runs on `{image}`{via} ({sdk}){compile}: the build toolchain ships in the runtime image"
            ),
        ));
    }
    let is_node = reference
        .as_ref()
        .is_some_and(|r| official(r) == Some("node"));
    if is_node {
        let build = runs
            .iter()
            .find_map(|r| node_build(&r.text).map(|b| (b, r.line)));
        let pruned = runs.iter().any(|r| prunes_dev_dependencies(&r.text));
        if let (Some((step, line)), false) = (build, pruned) {
            return Verdict::Fail(Finding::at(
                final_from,
                format!(
                    "{stage} (FROM {image}{via}) runs the build (`{step}` at line {line}): the toolchain and devDependencies ship in the runtime image"
                ),
            ));
        }
    }
    if let Some((package, line)) = installed_compilers(&runs) {
        return Verdict::Fail(Finding::at(
            final_from,
            format!(
                "{stage} (FROM {image}{via}) installs build tools (`{package}` at line {line}) that stay in the runtime image"
            ),
        ));
    }
    if let Some(r) = reference.as_ref()
        && let Some(name) = full_interpreter(r)
    {
        return Verdict::Fail(
            Finding::at(
                final_from,
                format!(
                    "{stage} runs on `{image}`{via}, the full `{name}` image built on buildpack-deps: gcc, make and development headers ship in the runtime image"
                ),
            )
            .with_help(format!("use the `-slim` (or `-alpine`) variant of `{name}` for the runtime stage, and build native dependencies in an earlier stage")),
        );
    }

    let copied = chain.iter().find_map(|s| {
        df.stage_instructions(s).iter().find_map(|i| {
            let from = i.flag("from")?.value.as_deref()?;
            (i.keyword == "COPY").then(|| (from.to_string(), i.line))
        })
    });
    match copied {
        Some((from, line)) => {
            let what = match df.stage(&df.expand_global_args(&from)) {
                Some(s) => format!("stage {}", dockerfiles::stage_name(s)),
                None => format!("image `{from}`"),
            };
            Verdict::Pass(Evidence::at(
                path,
                last.from_line,
                format!(
                    "multi-stage: {stage} runs on `{image}`{via} and copies build output from {what} (line {line})"
                ),
            ))
        }
        None => {
            let tools = match removed_compilers(&runs) {
                Some((package, line)) => {
                    format!("build tools it installs are removed again (`{package}`, line {line})")
                }
                None => "no compiler installed".to_string(),
            };
            Verdict::Pass(Evidence::at(
                path,
                last.from_line,
                format!(
                    "single stage on `{image}`{via} builds nothing: no build-tool base, no compile step, {tools}"
                ),
            ))
        }
    }
}

/// A word of the file name that says the image is a build environment.
fn build_environment(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    lower.split(['.', '-', '_']).find_map(|w| match w {
        "build" => Some("build"),
        "builder" => Some("builder"),
        "ci" => Some("ci"),
        "tools" => Some("tools"),
        "toolchain" => Some("toolchain"),
        _ => None,
    })
}

/// Stage names of test and development targets (`FROM build AS test`).
fn is_non_production_target(alias: &str) -> bool {
    matches!(
        alias,
        "test" | "tests" | "testing" | "dev" | "development" | "debug" | "local" | "ci" | "lint"
    )
}

/// The RUN commands of the stages of a chain, in build order.
fn runs(df: &Dockerfile, chain: &[&Stage]) -> Vec<Run> {
    chain
        .iter()
        .rev()
        .flat_map(|s| df.stage_instructions(s))
        .filter(|i| i.keyword == "RUN")
        .map(|i| {
            let mut text = i.args.clone();
            for h in &i.heredocs {
                text.push('\n');
                text.push_str(&h.body);
            }
            Run { line: i.line, text }
        })
        .collect()
}

/// The Docker Hub official image a reference names (`node` for `node:20` or `library/node`).
fn official(r: &image_ref::ImageRef) -> Option<&str> {
    let docker_hub = r.registry.as_deref().is_none_or(|reg| reg == "docker.io");
    let name = r
        .repository
        .strip_prefix("library/")
        .unwrap_or(&r.repository);
    (docker_hub && !name.contains('/')).then_some(name)
}

/// What build toolchain an image is, if it is one.
fn sdk_image(r: &image_ref::ImageRef) -> Option<String> {
    let tag = r.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    let last = r.repository.rsplit('/').next().unwrap_or(&r.repository);
    if let Some(name) = official(r) {
        let what = match name {
            "golang" => "the Go toolchain",
            "rust" => "the Rust toolchain",
            "maven" => "Maven and a JDK",
            "gradle" => "Gradle and a JDK",
            "gcc" => "the GCC toolchain",
            "buildpack-deps" => "a build image (gcc, make, headers)",
            "openjdk"
            | "eclipse-temurin"
            | "amazoncorretto"
            | "ibm-semeru-runtimes"
            | "sapmachine"
                if !tag.contains("jre") =>
            {
                "a JDK (compiler included; the tag does not say `jre`)"
            }
            _ => return None,
        };
        return Some(what.to_string());
    }
    if r.repository.ends_with("dotnet/sdk")
        || (r.repository.ends_with("dotnet") && tag.contains("sdk"))
    {
        return Some("the .NET SDK".into());
    }
    if matches!(last, "muslrust" | "rust-musl-cross") {
        return Some("the Rust toolchain".into());
    }
    None
}

/// The full (non-slim, non-alpine) variant of an official interpreter image.
fn full_interpreter(r: &image_ref::ImageRef) -> Option<&str> {
    let name = official(r)?;
    if !matches!(name, "python" | "node" | "ruby" | "perl") {
        return None;
    }
    let tag = r.tag.as_deref().unwrap_or("latest").to_ascii_lowercase();
    let slim = ["slim", "alpine", "windowsservercore", "nanoserver"]
        .iter()
        .any(|w| tag.contains(w));
    (!slim).then_some(name)
}

static COMPILE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \b(?:
            go\s+(?:build|install)
          | cargo\s+(?:build|install)
          | (?:\./)?mvnw?\s+(?:-\S+\s+)*(?:\S+:\S+\s+)*(?:package|install|verify|compile)
          | (?:\./)?gradlew?\s+(?:-\S+\s+)*(?:build|assemble|bootJar|shadowJar|installDist|jar)
          | dotnet\s+(?:publish|build)
          | javac
          | cmake
          | make
          | g\+\+
          | gcc
        )\b",
    )
    .ok()
});

/// The compile command a RUN runs, if any.
fn compile_step(text: &str) -> Option<String> {
    let re = COMPILE.as_ref()?;
    let m = re.find(text)?;
    Some(m.as_str().split_whitespace().collect::<Vec<_>>().join(" "))
}

static NODE_BUILD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:(?:npm|pnpm|yarn)\s+(?:run\s+)?build|npx\s+tsc|tsc\b|next\s+build|ng\s+build|vite\s+build|nest\s+build)",
    )
    .ok()
});

fn node_build(text: &str) -> Option<String> {
    let m = NODE_BUILD.as_ref()?.find(text)?;
    Some(m.as_str().split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `npm prune --omit=dev`, `npm prune --production`, `yarn install --production` after a build.
fn prunes_dev_dependencies(text: &str) -> bool {
    text.contains("prune")
        || (text.contains("install")
            && (text.contains("--production") || text.contains("--omit=dev")))
        || text.contains("workspaces focus --production")
}

/// Packages that are compilers or build toolchains.
const COMPILER_PACKAGES: &[&str] = &[
    "build-essential",
    "build-base",
    "gcc",
    "g++",
    "gcc-c++",
    "clang",
    "make",
    "cmake",
    "golang",
    "golang-go",
    "go",
    "rustc",
    "cargo",
    "maven",
    "gradle",
    "default-jdk",
    "default-jdk-headless",
];

/// The first compiler package a RUN of the chain installs and no RUN removes.
fn installed_compilers(runs: &[Run]) -> Option<(String, u32)> {
    compilers(runs, false)
}

/// The first compiler package a RUN of the chain installs and a RUN removes again.
fn removed_compilers(runs: &[Run]) -> Option<(String, u32)> {
    compilers(runs, true)
}

fn compilers(runs: &[Run], removed_ones: bool) -> Option<(String, u32)> {
    let removed: Vec<String> = runs
        .iter()
        .flat_map(|r| removed_packages(&r.text))
        .collect();
    for run in runs {
        for (package, group) in installed_packages(&run.text) {
            let is_compiler = COMPILER_PACKAGES.contains(&package.as_str())
                || (package.starts_with("openjdk")
                    && package.contains("jdk")
                    && !package.contains("jre"));
            if !is_compiler {
                continue;
            }
            let gone =
                removed.contains(&package) || group.as_ref().is_some_and(|g| removed.contains(g));
            if gone == removed_ones {
                return Some((package, run.line));
            }
        }
    }
    None
}

/// Shell words of a command text, split at `&&`, `;`, `|` and newlines into commands.
fn commands(text: &str) -> Vec<Vec<String>> {
    text.split(['\n', ';', '|', '&'])
        .map(|c| {
            c.split_whitespace()
                .map(|w| w.trim_matches(['"', '\'', '\\']).to_string())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.is_empty())
        .collect()
}

/// Packages installed by apt, apk, yum/dnf/microdnf, with the apk `--virtual` group they join.
fn installed_packages(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for words in commands(text) {
        let Some(pos) = words.iter().position(|w| {
            matches!(
                w.as_str(),
                "apt-get" | "apt" | "apk" | "yum" | "dnf" | "microdnf" | "tdnf" | "zypper"
            )
        }) else {
            continue;
        };
        let rest = words.get(pos + 1..).unwrap_or(&[]);
        let Some(verb) = rest
            .iter()
            .position(|w| matches!(w.as_str(), "install" | "add"))
        else {
            continue;
        };
        let mut group = None;
        let mut args = rest.iter().skip(verb + 1);
        while let Some(w) = args.next() {
            if w == "--virtual" || w == "-t" {
                group = args.next().cloned();
            } else if let Some(g) = w.strip_prefix("--virtual=") {
                group = Some(g.to_string());
            } else if !w.starts_with('-') {
                // `gcc=4:12.2.0-3`, `gcc~=12`: the package name.
                let name = w.split(['=', '~', '<', '>']).next().unwrap_or(w);
                out.push((name.to_string(), None));
            }
        }
        if let Some(g) = group {
            for entry in out.iter_mut() {
                if entry.1.is_none() {
                    entry.1 = Some(g.clone());
                }
            }
        }
    }
    out
}

/// Packages (or apk groups) removed by apt purge/remove, apk del, yum/dnf remove.
fn removed_packages(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for words in commands(text) {
        let Some(pos) = words.iter().position(|w| {
            matches!(
                w.as_str(),
                "apt-get" | "apt" | "apk" | "yum" | "dnf" | "microdnf" | "tdnf" | "zypper"
            )
        }) else {
            continue;
        };
        let rest = words.get(pos + 1..).unwrap_or(&[]);
        let Some(verb) = rest.iter().position(|w| {
            matches!(
                w.as_str(),
                "purge" | "remove" | "del" | "autoremove" | "erase"
            )
        }) else {
            continue;
        };
        out.extend(
            rest.iter()
                .skip(verb + 1)
                .filter(|w| !w.starts_with('-'))
                .cloned(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compile_steps_are_recognised() {
        for (text, step) in [
            ("CGO_ENABLED=0 go build -o /out ./cmd", "go build"),
            ("cargo build --release --locked", "cargo build"),
            (
                "./mvnw -B -DskipTests package",
                "mvnw -B -DskipTests package",
            ),
            (
                "mvn -q dependency:go-offline package",
                "mvn -q dependency:go-offline package",
            ),
            (
                "./gradlew --no-daemon bootJar",
                "gradlew --no-daemon bootJar",
            ),
            ("dotnet publish -c Release -o /app", "dotnet publish"),
            ("make -j4 all", "make"),
        ] {
            assert_eq!(compile_step(text).as_deref(), Some(step), "{text}");
        }
        for text in [
            "pip install -r requirements.txt",
            "go version",
            "npm ci",
            "makepkg",
            "apt-get install -y libgcc-s1",
        ] {
            assert_eq!(compile_step(text), None, "{text}");
        }
        assert_eq!(
            node_build("npm ci && npm run build").as_deref(),
            Some("npm run build")
        );
        assert_eq!(node_build("yarn build"), Some("yarn build".into()));
        assert_eq!(node_build("npm ci --omit=dev"), None);
    }

    #[test]
    fn compilers_installed_and_removed() {
        let run = |text: &str| Run {
            line: 3,
            text: text.to_string(),
        };
        assert_eq!(
            installed_compilers(&[run(
                "apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev"
            )]),
            Some(("build-essential".into(), 3))
        );
        assert_eq!(
            installed_compilers(&[run(
                "apk add --no-cache --virtual .build-deps gcc musl-dev && pip install -r r.txt && apk del .build-deps"
            )]),
            None
        );
        assert_eq!(
            installed_compilers(&[run(
                "apt-get install -y gcc && pip install x && apt-get purge -y --auto-remove gcc"
            )]),
            None
        );
        assert_eq!(
            installed_compilers(&[run("apt-get install -y curl ca-certificates")]),
            None
        );
        assert_eq!(
            installed_compilers(&[run("apk add --no-cache gcc=13.2.1-r0")]),
            Some(("gcc".into(), 3))
        );
    }

    #[test]
    fn images_are_classified() {
        let p = |s: &str| image_ref::parse(s).unwrap();
        assert!(sdk_image(&p("golang:1.23-alpine")).is_some());
        assert!(sdk_image(&p("eclipse-temurin:21-jdk")).is_some());
        assert!(sdk_image(&p("eclipse-temurin:21-jre-alpine")).is_none());
        assert!(sdk_image(&p("mcr.microsoft.com/dotnet/sdk:8.0")).is_some());
        assert!(sdk_image(&p("mcr.microsoft.com/dotnet/aspnet:8.0")).is_none());
        assert!(sdk_image(&p("ghcr.io/acme/golang:1")).is_none());
        assert_eq!(full_interpreter(&p("python:3.12")), Some("python"));
        assert_eq!(full_interpreter(&p("python:3.12-slim-bookworm")), None);
        assert_eq!(full_interpreter(&p("node:20-alpine3.20")), None);
        assert_eq!(full_interpreter(&p("nginx:1.27")), None);
        assert_eq!(build_environment("Dockerfile.build"), Some("build"));
        assert_eq!(build_environment("Dockerfile"), None);
        assert_eq!(build_environment("buildkite.Dockerfile"), None);
    }
}
