use super::builds::{self, Builds};
use super::dockerfiles::{self, Parsed};
use crate::k8s::relations::Manifests;
use golive_core::parse::dockerfile::{Dockerfile, Instruction, Stage};
use golive_core::{Context, Evidence, Finding, Location, Outcome, Workspace, declare_check};

declare_check! {
    /// ## What it checks
    /// Every service image that is not run by Kubernetes has a `HEALTHCHECK` in its final stage
    /// (or a docker-compose `healthcheck:` where compose runs it).
    ///
    /// Kubernetes ignores `HEALTHCHECK`: its readiness and liveness probes do that job, so
    /// images Kubernetes runs are passed over, and which image Kubernetes runs is decided as
    /// follows, in order:
    ///
    /// 1. The Dockerfile is built as a skaffold artifact (skaffold deploys to Kubernetes).
    /// 2. A container of a Kubernetes workload in the scan (a Knative or Cloud Run `Service`
    ///    included, or an `image`/`repository` value of a Helm chart's `values*.yaml`) runs an image whose name (last path component, tag
    ///    ignored) is a name this Dockerfile is built as: a `docker build -t` tag in CI, a
    ///    `docker/build-push-action` tag, a docker-compose `image:` next to its `build:`, a
    ///    skaffold artifact, or else the name of the Dockerfile's folder (`src/cartservice/Dockerfile`
    ///    builds `cartservice`; generic folders such as `docker/`, `build/` or `src/` name
    ///    nothing). The evidence names the workload and container.
    /// 3. The repository deploys with Kubernetes (it has workloads or a Helm chart) but no image
    ///    matches: the image is assumed to be run by Kubernetes too, and the evidence says so.
    ///
    /// Other images must declare how their health is checked: the last `HEALTHCHECK` of the
    /// final stage, or of the stage it is built `FROM`, or a `healthcheck:` with a `test` in the
    /// docker-compose service that builds the image (or runs it by a name the repository tags
    /// it with). `HEALTHCHECK NONE`
    /// (or a compose healthcheck with `disable: true`) turns checking off and is a finding.
    /// Only images that serve are required to have one: the final stage `EXPOSE`s a port, or the
    /// compose service publishes `ports:`/`expose:`. Other images (jobs, tools, workers without
    /// a port) are noted, not reported. Development images and Dockerfiles that do not parse are
    /// skipped with a note.
    ///
    /// ## Why it matters
    /// Without a health check, Docker, Compose and Swarm (and ECS, which reads the same
    /// definition) only know whether the process is alive: a server that is deadlocked, lost its
    /// database or never finished starting still counts as up, receives traffic and is never
    /// restarted (Go-live checklist: "Application Services should provide health check
    /// endpoints"; From Code to Production: "Implement regular health checks").
    ///
    /// ## How to fix
    /// Add a `HEALTHCHECK` to the final stage that calls the service's health endpoint with a
    /// tool the image has:
    /// ```dockerfile
    /// FROM python:3.12.8-slim-bookworm
    /// EXPOSE 8000
    /// HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    ///   CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
    /// ```
    /// or a `healthcheck:` for the service in `compose.yaml`. If Kubernetes runs the image, keep
    /// its manifests in the repository so golive can see the probes replace it.
    pub struct Healthcheck {
        id: "docker/healthcheck",
        title: "Images not run by Kubernetes have a HEALTHCHECK",
        category: Containers,
        level: Silver,
        severity: Warning,
        facets: [Docker],
        seeds: [
            "003: Go-live checklist, Health checks: Application Services should provide health check endpoints",
            "001: From Code to Production, Observability: Implement regular health checks",
        ],
        fix: "add `HEALTHCHECK CMD <command that probes the service>` to the final stage (or a compose `healthcheck:`)",
    }
}

impl golive_core::Check for Healthcheck {
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
        let kube = KubeImages::read(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = dockerfiles.skipped;
        let mut judged = 0usize;
        let mut passed_over = Vec::new();
        for parsed in &dockerfiles.parsed {
            match judge(parsed, &builds, &kube) {
                Verdict::Pass(e) => {
                    judged += 1;
                    evidence.push(e);
                }
                Verdict::Fail(f) => {
                    judged += 1;
                    findings.push(f);
                }
                Verdict::PassedOver(e, why) => {
                    passed_over.push(format!("{} ({why})", parsed.file.path));
                    evidence.push(e);
                }
            }
        }
        if judged == 0 {
            return Outcome::not_applicable(format!(
                "no image needs a HEALTHCHECK: every Dockerfile is run by Kubernetes, whose probes replace it, or builds no service: {}",
                passed_over.join("; ")
            ));
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// Folder names that say nothing about the image built in them (`docker/Dockerfile`).
const GENERIC_FOLDERS: &[&str] = &[
    "docker",
    ".docker",
    "dockerfiles",
    "build",
    "builds",
    "deploy",
    "deployment",
    "src",
    "app",
    "image",
    "images",
    "container",
    "containers",
    "ci",
    ".ci",
    "packaging",
    "package",
    "dist",
];

enum Verdict {
    Pass(Evidence),
    Fail(Finding),
    /// Not judged: the evidence, and a short reason for the not-applicable reason.
    PassedOver(Evidence, String),
}

/// A container image Kubernetes runs, and where it is written.
struct KubeImage {
    name: String,
    /// `Deployment/web: container `app``, or `Helm values`.
    who: String,
    location: Location,
    long_running: bool,
}

/// The images the repository runs on Kubernetes.
struct KubeImages {
    images: Vec<KubeImage>,
    /// What says the repository deploys with Kubernetes (None when nothing does).
    deploys: Option<String>,
}

impl KubeImages {
    fn read(ws: &Workspace) -> KubeImages {
        let m = Manifests::new(ws);
        let mut images = Vec::new();
        for w in m.workloads() {
            let Some(template) = w.template else {
                continue;
            };
            for c in template.all_containers() {
                let Some(image) = c.image() else {
                    continue;
                };
                let Some(name) = image.as_text().and_then(builds::short_name) else {
                    continue;
                };
                let who = format!("{}: {}", w.obj.display_name(), c.describe());
                let location = image.location(&w.obj.file.path);
                // (A kustomize `images:` rename is already applied: overlays are rendered.)
                images.push(KubeImage {
                    name,
                    who,
                    location,
                    long_running: w.obj.is_long_running(),
                });
            }
        }
        // Knative (and Cloud Run) Services run their containers with probes of their own.
        let mut knative = 0usize;
        for obj in m.objects() {
            if obj.group() != "serving.knative.dev" || obj.kind != "Service" {
                continue;
            }
            knative += 1;
            let containers = obj
                .node
                .path(&["spec", "template", "spec", "containers"])
                .into_iter()
                .flat_map(|c| c.items());
            for c in containers {
                let Some(image) = c.get("image") else {
                    continue;
                };
                let Some(name) = image.as_text().and_then(builds::short_name) else {
                    continue;
                };
                images.push(KubeImage {
                    name,
                    who: format!(
                        "{}: container `{}`",
                        obj.display_name(),
                        c.get_str("name").unwrap_or("<unnamed>")
                    ),
                    location: image.location(&obj.file.path),
                    long_running: true,
                });
            }
        }
        let charts: Vec<&str> = ws
            .files()
            .iter()
            .filter(|f| f.name() == "Chart.yaml")
            .map(|f| f.dir())
            .collect();
        for file in ws.files() {
            let is_values = file.name().starts_with("values")
                && (file.name().ends_with(".yaml") || file.name().ends_with(".yml"));
            if !is_values || !charts.contains(&file.dir()) {
                continue;
            }
            for root in file.yaml_docs().iter().filter_map(|d| d.root()) {
                helm_images(root, &file.path, 0, &mut images);
            }
        }
        let workloads = m.workloads().len() + knative;
        let deploys = match (workloads, charts.len()) {
            (0, 0) => None,
            (0, n) => Some(format!("{n} Helm chart(s)")),
            (n, 0) => Some(format!("{n} Kubernetes workload(s)")),
            (n, c) => Some(format!("{n} Kubernetes workload(s) and {c} Helm chart(s)")),
        };
        KubeImages { images, deploys }
    }
}

/// `image: ghcr.io/acme/api:1` and `repository: ghcr.io/acme/api` values of a Helm chart's values.
fn helm_images(
    node: golive_core::parse::yaml::Node<'_>,
    path: &str,
    depth: usize,
    out: &mut Vec<KubeImage>,
) {
    if depth > 12 {
        return;
    }
    for (key, value) in node.entries() {
        match (key.as_text(), value.as_text()) {
            (Some("image" | "repository"), Some(text)) => {
                if let Some(name) = builds::short_name(text) {
                    out.push(KubeImage {
                        name,
                        who: format!("the Helm chart in {}/", builds::parent(path)),
                        location: value.location(path),
                        long_running: true,
                    });
                }
            }
            _ if value.is_map() => helm_images(value, path, depth + 1, out),
            _ => {}
        }
    }
}

fn judge(parsed: &Parsed<'_>, builds: &Builds<'_>, kube: &KubeImages) -> Verdict {
    let Parsed { file, df } = parsed;
    let path = file.path.as_str();
    let Some(last) = df.final_stage() else {
        return Verdict::PassedOver(
            Evidence::file(path, "no build stage"),
            "no build stage".into(),
        );
    };
    let own: Vec<&builds::Build> = builds.of(path).collect();

    // 1. skaffold builds it: skaffold deploys to Kubernetes.
    if let Some(b) = own.iter().find(|b| b.via.starts_with("skaffold")) {
        return Verdict::PassedOver(
            Evidence::at(
                path,
                last.from_line,
                format!(
                    "run by Kubernetes: built as {} ({}:{}), which skaffold deploys; probes replace HEALTHCHECK",
                    b.via, b.declared_in, b.line
                ),
            ),
            format!("built as {}, deployed by skaffold", b.via),
        );
    }

    // 2. A Kubernetes container runs an image of one of its names.
    let mut names: Vec<(String, String)> = own
        .iter()
        .filter_map(|b| {
            let name = b.image.clone()?;
            Some((
                name,
                format!("the tag of the {} at {}:{}", b.via, b.declared_in, b.line),
            ))
        })
        .collect();
    let tagged = names.len();
    let folder = builds::parent(path).rsplit('/').next().unwrap_or("");
    if !folder.is_empty() && !GENERIC_FOLDERS.contains(&folder.to_ascii_lowercase().as_str()) {
        names.push((
            folder.to_ascii_lowercase(),
            "the name of its folder".to_string(),
        ));
    }
    for (name, why) in &names {
        if let Some(k) = kube.images.iter().find(|k| &k.name == name) {
            let job = match k.long_running {
                true => "; probes replace HEALTHCHECK",
                false => ", a run-to-completion job: neither probes nor HEALTHCHECK apply",
            };
            return Verdict::PassedOver(
                Evidence::at(
                    path,
                    last.from_line,
                    format!(
                        "run by Kubernetes: {} runs image `{name}` ({}:{}), the name this Dockerfile builds ({why}){job}",
                        k.who, k.location.path, k.location.line
                    ),
                ),
                format!("{} runs `{name}`, {why}{job}", k.who),
            );
        }
    }

    let final_from = dockerfiles::from_instruction(df, last)
        .map(|from| dockerfiles::instruction_location(file, from))
        .unwrap_or_else(|| Location::line(path, last.from_line));
    let own_healthcheck = last_healthcheck(df, last);

    // A compose service that builds it, or runs it by name, and checks its health.
    let services: Vec<&builds::ComposeService<'_>> = builds
        .compose
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            own.iter().any(|b| b.compose_service == Some(*i))
                || s.image
                    .as_ref()
                    .is_some_and(|img| names.iter().take(tagged).any(|(n, _)| n == img))
        })
        .map(|(_, s)| s)
        .collect();
    if let Some(s) = services.iter().find(|s| s.has_healthcheck())
        && let Some((key, _)) = s.healthcheck
    {
        return Verdict::Pass(Evidence::located(
            &key.location(&s.file.path),
            format!(
                "{path}: docker-compose service `{}` checks the container's health (`healthcheck:`)",
                s.name
            ),
        ));
    }

    // 3. The repository deploys with Kubernetes: assumed to be run there.
    if let Some(deploys) = &kube.deploys {
        let tried: Vec<String> = names.iter().map(|(n, _)| format!("`{n}`")).collect();
        let tried = match tried.is_empty() {
            true => "no image name is known for it".to_string(),
            false => format!("no container runs {}", tried.join(" or ")),
        };
        return Verdict::PassedOver(
            Evidence::at(
                path,
                last.from_line,
                format!(
                    "assumed run by Kubernetes: the repository deploys with Kubernetes ({deploys}) though {tried}; probes replace HEALTHCHECK there"
                ),
            ),
            format!("assumed run by Kubernetes, which the repository deploys with, though {tried}"),
        );
    }

    if let Some((stage, hc)) = own_healthcheck {
        let inherited = match stage.index == last.index {
            true => String::new(),
            false => format!(" (inherited from stage {})", dockerfiles::stage_name(stage)),
        };
        if is_none(hc) {
            return Verdict::Fail(
                Finding::at(
                    dockerfiles::instruction_location(file, hc),
                    format!(
                        "{}: `HEALTHCHECK NONE`{inherited} turns health checking off, and nothing in the repository runs the image on Kubernetes",
                        dockerfiles::final_stage_label(last)
                    ),
                )
                .with_help("replace `HEALTHCHECK NONE` with `HEALTHCHECK CMD <command that probes the service>`"),
            );
        }
        return Verdict::Pass(Evidence::at(
            path,
            hc.line,
            format!(
                "final stage has `HEALTHCHECK {}`{inherited}",
                shorten(&hc.args)
            ),
        ));
    }
    if let Some(s) = services.iter().find(|s| s.healthcheck.is_some())
        && let Some((key, _)) = s.healthcheck
    {
        return Verdict::Fail(
            Finding::at(
                key.location(&s.file.path),
                format!(
                    "docker-compose service `{}`: its healthcheck is disabled and {path} has no HEALTHCHECK",
                    s.name
                ),
            )
            .with_help("give the service a `healthcheck:` with a `test:` (or add a HEALTHCHECK to the Dockerfile)"),
        );
    }

    let exposed = exposes(df, last);
    let published: Vec<&str> = services
        .iter()
        .filter(|s| s.serves)
        .map(|s| s.name)
        .collect();
    let serves = match (exposed, published.first()) {
        (Some(ports), _) => format!("it serves port {ports} (EXPOSE)"),
        (None, Some(service)) => format!("docker-compose service `{service}` publishes its ports"),
        (None, None) => {
            return Verdict::PassedOver(
                Evidence::at(
                    path,
                    last.from_line,
                    "not checked: the final stage exposes no port and no compose service publishes one, so it is not recognisably a long-running service (a job, tool or worker image)",
                ),
                "exposes no port: not recognisably a service".into(),
            );
        }
    };
    let stray = df
        .instructions
        .iter()
        .filter(|i| i.keyword == "HEALTHCHECK")
        .map(|i| i.line)
        .next()
        .map(|line| {
            format!(
                "; the HEALTHCHECK at line {line} is in a stage the final image is not built on"
            )
        })
        .unwrap_or_default();
    Verdict::Fail(Finding::at(
        final_from,
        format!(
            "{} (FROM {}) has no HEALTHCHECK: {serves} and nothing in the repository runs it on Kubernetes, where probes would replace it{stray}",
            dockerfiles::final_stage_label(last),
            df.expand_global_args(&last.image)
        ),
    ))
}

/// The last HEALTHCHECK of the final stage, or of the stage it is built on (and so on).
fn last_healthcheck<'d>(
    df: &'d Dockerfile,
    last: &'d Stage,
) -> Option<(&'d Stage, &'d Instruction)> {
    dockerfiles::base_chain(df, last)
        .into_iter()
        .find_map(|stage| {
            df.stage_instructions(stage)
                .iter()
                .rev()
                .find(|i| i.keyword == "HEALTHCHECK")
                .map(|i| (stage, i))
        })
}

fn is_none(hc: &Instruction) -> bool {
    hc.args
        .split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("NONE"))
}

/// The ports the final stage (or a stage it is built on) exposes, as written.
fn exposes(df: &Dockerfile, last: &Stage) -> Option<String> {
    let ports: Vec<String> = dockerfiles::base_chain(df, last)
        .into_iter()
        .flat_map(|s| df.stage_instructions(s))
        .filter(|i| i.keyword == "EXPOSE")
        .flat_map(|i| df.words(i))
        .collect();
    (!ports.is_empty()).then(|| ports.join(", "))
}

fn shorten(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match s.chars().count() > 80 {
        true => format!("{}…", s.chars().take(80).collect::<String>()),
        false => s,
    }
}
