use super::relations::Manifests;
use crate::code::routes::{self, Match, Method, Route};
use crate::code::{application_lang, contexts};
use golive_core::parse::yaml::Node;
use golive_core::workspace::Lang;
use golive_core::{
    Context, Evidence, Finding, Location, Outcome, SourceFile, Workspace, declare_check,
};
use std::collections::{BTreeMap, HashMap};

declare_check! {
    /// ## What it checks
    /// Every `httpGet` probe (readiness, liveness, startup) of a long-running container asks
    /// for a path that the container's code serves.
    ///
    /// The code of a container is found from its image: the build context that skaffold
    /// (`build.artifacts`), docker-compose (`build:` + `image:`), CI (`docker build -t name
    /// ctx`, docker/build-push-action) or a `ko://` import path names, else the folder of a
    /// Dockerfile named like the image (`src/frontend/Dockerfile` for `.../frontend:v1`). When
    /// the repository declares no build at all, the code of the project or folder the image is
    /// named like is searched (a package.json, go.mod, Cargo.toml or pyproject.toml name, or a
    /// folder holding code; the evidence says which), and an image named like none of them is
    /// passed over; when the repository builds other images but not this one, the probe is
    /// passed over too (the image comes from elsewhere).
    ///
    /// Routes are read with a small lexer per language (comments skipped, string literals read
    /// properly): Go (net/http and Go 1.22 patterns, gorilla/mux, chi, gin, echo, fiber),
    /// Python (Flask, FastAPI, Starlette, aiohttp, Django), JavaScript/TypeScript (Express,
    /// Fastify, hapi, Koa router, Hono, NestJS), Java/Kotlin (Spring, JAX-RS, Micronaut, Ktor,
    /// Javalin), Rust (axum, actix-web, rocket, warp) and C# (ASP.NET Core minimal APIs, health
    /// checks, controllers). Prefixes from groups, nesting and mounting are applied when they
    /// are literals; a route whose prefix is built at run time (`baseUrl + "/_healthz"`) or
    /// mounted where golive cannot see matches on its literal suffix, with a note. Path
    /// parameters (`:id`, `{id}`, `<id>`) match any segment, a trailing slash is ignored, and
    /// routes that only accept other methods than GET do not count. Endpoints a framework
    /// serves by itself count too: Spring Boot Actuator's `/actuator/health` (and its
    /// `liveness`/`readiness` groups) when `spring-boot-starter-actuator` is a dependency,
    /// following `management.endpoints.web.base-path`, and Quarkus SmallRye Health's
    /// `/q/health` endpoints.
    ///
    /// String constants that hold paths (`const healthPath = "/healthz"`) are resolved across
    /// the searched files, and a mount of code golive cannot see (a library's router, a Django
    /// `include()` of an installed app) counts as serving everything under its prefix.
    ///
    /// A probe whose code golive cannot read (a language or framework it does not know, no
    /// route declarations found, or a route whose path is not a literal golive can read, such
    /// as `mux.HandleFunc(cfg.HealthPath(), h)`, when nothing else matches) is passed over with
    /// a note, never guessed. Jobs and CronJobs run to completion: probes do not apply to them.
    ///
    /// ## Why it matters
    /// A probe on a path the service does not serve fails for ever: a readiness probe keeps
    /// every pod out of its Service (the rollout hangs), a liveness probe restarts the
    /// container in a loop. It happens when a route is renamed or moved under a prefix and the
    /// manifest is not updated, and nothing but a deploy finds it. (Go-live checklist, health
    /// checks: "Application services should provide health check endpoints"; Kubernetes: a
    /// probe's `httpGet` succeeds on a status from 200 to 399.)
    ///
    /// ## How to fix
    /// Point the probe at a route the code declares, or declare it:
    /// ```yaml
    /// readinessProbe:
    ///   httpGet: { path: /healthz, port: 8080 }   # r.HandleFunc("/healthz", health) in main.go
    /// ```
    pub struct ProbePathServed {
        id: "k8s/probe-path-served",
        title: "Probe paths are routes the service's code serves",
        category: Kubernetes,
        level: Gold,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "003: Health checks: application services should provide health check endpoints",
            "002: Kubernetes pod lifecycle: an httpGet probe succeeds on a status from 200 to 399; a failing readiness probe keeps the pod out of its Service, a failing liveness probe restarts it",
        ],
        fix: "point the probe's httpGet path at a route the service declares (or add the route to the code)",
    }
}

const PROBES: [&str; 3] = ["readinessProbe", "livenessProbe", "startupProbe"];

/// An httpGet probe of a container.
struct HttpProbe<'a> {
    workload: String,
    container: String,
    kind: &'static str,
    /// The path as written (`/` when left out).
    path: String,
    path_written: bool,
    /// Where findings point: the `path:` value, else the `httpGet:` settings.
    at: Location,
    image: Option<&'a str>,
}

/// What a directory's code declares.
struct CodeIndex {
    /// Application source files per language.
    langs: BTreeMap<Lang, usize>,
    routes: Vec<Route>,
    /// Routes per language (framework endpoints counted apart).
    route_counts: BTreeMap<&'static str, usize>,
    /// Route declarations whose path golive cannot read: (file, line).
    opaque: Vec<(String, u32)>,
}

impl CodeIndex {
    fn build(ws: &Workspace, dir: &str) -> CodeIndex {
        let files: Vec<&SourceFile> = ws
            .files()
            .iter()
            .filter(|f| dir.is_empty() || f.path.starts_with(&format!("{dir}/")))
            .filter(|f| application_lang(f).is_some())
            .collect();
        let mut langs = BTreeMap::new();
        for f in &files {
            if let Some(lang) = application_lang(f) {
                *langs.entry(lang).or_insert(0) += 1;
            }
        }
        let found = routes::routes_of(&files);
        let opaque = found.opaque;
        let mut routes = found.routes;
        let mut route_counts: BTreeMap<&'static str, usize> = BTreeMap::new();
        for r in &routes {
            let lang = ws
                .file(&r.file)
                .and_then(application_lang)
                .map(routes::lang_name)
                .unwrap_or("code");
            *route_counts.entry(lang).or_insert(0) += 1;
        }
        // Spring's context path prefixes every controller.
        if let Some((context, _, _)) = routes::spring_context_path(ws, dir) {
            for r in routes.iter_mut().filter(|r| r.framework == "Spring") {
                r.path = routes::join(&context, &r.path);
            }
        }
        let endpoints = routes::framework_endpoints(ws, dir);
        if !endpoints.is_empty() {
            *route_counts.entry("framework").or_insert(0) += endpoints.len();
        }
        routes.extend(endpoints);
        CodeIndex {
            langs,
            routes,
            route_counts,
            opaque,
        }
    }

    fn readable_files(&self) -> usize {
        self.langs
            .iter()
            .filter(|(l, _)| routes::is_readable(**l))
            .map(|(_, n)| n)
            .sum()
    }

    /// "Go, Python".
    fn lang_list(&self) -> String {
        self.langs
            .keys()
            .map(|l| routes::lang_name(*l))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// "Go: 14 routes found".
    fn summary(&self) -> String {
        self.route_counts
            .iter()
            .map(|(lang, n)| {
                let what = if *lang == "framework" {
                    "framework endpoints".to_string()
                } else {
                    format!(
                        "{lang}: {}",
                        crate::k8s::relations::plural(*n as i64, "route")
                    )
                };
                if *lang == "framework" {
                    format!("{n} {what}")
                } else {
                    format!("{what} found")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Better matches first.
fn rank(m: Match) -> u8 {
    match m {
        Match::Exact => 0,
        Match::Param => 1,
        Match::Regex => 2,
        Match::Suffix => 3,
        Match::Subtree => 4,
    }
}

fn describe_dirs(dirs: &[String]) -> String {
    dirs.iter()
        .map(|d| {
            if d.is_empty() {
                "the repository root".to_string()
            } else {
                d.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

impl golive_core::Check for ProbePathServed {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut probes: Vec<HttpProbe<'_>> = Vec::new();
        let (mut other_handlers, mut completing) = (0, 0);
        let mut evidence = Vec::new();
        for w in m.workloads() {
            let Some(template) = w.template else { continue };
            let name = w.obj.display_name();
            if !w.obj.is_long_running() {
                completing += 1;
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name} runs to completion: probes apply to long-running workloads"),
                ));
                continue;
            }
            for c in template.containers() {
                let mut others: Vec<(&'static str, &'static str)> = Vec::new();
                let mut first_other = None;
                for kind in PROBES {
                    let Some(probe) = c.probe(kind) else { continue };
                    let Some((handler, settings)) = probe.handler else {
                        continue;
                    };
                    if handler != "httpGet" {
                        other_handlers += 1;
                        others.push((kind, handler));
                        first_other.get_or_insert(probe.key.location(&w.obj.file.path));
                        continue;
                    }
                    let path_node: Option<Node<'_>> = settings.get("path").filter(|n| !n.is_null());
                    let path = match path_node {
                        Some(n) => match n.as_text() {
                            Some(p) => p.to_string(),
                            None => continue,
                        },
                        None => "/".to_string(),
                    };
                    let at = path_node.unwrap_or(settings).location(&w.obj.file.path);
                    probes.push(HttpProbe {
                        workload: name.clone(),
                        container: c.describe(),
                        kind,
                        path,
                        path_written: path_node.is_some(),
                        at,
                        image: c.image().and_then(|i| i.as_text()),
                    });
                }
                if let Some(at) = first_other {
                    let list = others
                        .iter()
                        .map(|(kind, handler)| format!("{kind} ({handler})"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    evidence.push(Evidence::located(
                        &at,
                        format!(
                            "{name}: {}'s {list} passed over: only httpGet probes ask for a path",
                            c.describe()
                        ),
                    ));
                }
            }
        }
        if probes.is_empty() {
            let mut parts = Vec::new();
            if other_handlers > 0 {
                parts.push(format!(
                    "{other_handlers} grpc/tcpSocket/exec probe(s) passed over"
                ));
            }
            if completing > 0 {
                parts.push(format!("{completing} workload(s) run to completion"));
            }
            let detail = if parts.is_empty() {
                String::new()
            } else {
                format!(" ({})", parts.join("; "))
            };
            return Outcome::not_applicable(format!(
                "no long-running container has an httpGet probe{detail}"
            ));
        }
        if !cx.ws.files().iter().any(|f| application_lang(f).is_some()) {
            return Outcome::not_applicable(format!(
                "no application source code in the repository (manifests only): nothing to compare the {} httpGet probe path(s) with",
                probes.len()
            ));
        }
        let declared = contexts::read(cx.ws);
        let projects = if declared.is_empty() {
            contexts::project_names(cx.ws)
        } else {
            Vec::new()
        };
        let mut indexes: HashMap<String, CodeIndex> = HashMap::new();
        let mut findings = Vec::new();
        let mut skipped = Vec::new();
        let mut judged = 0;
        for p in &probes {
            let who = format!("{}: {}'s {}", p.workload, p.container, p.kind);
            let path_display = if p.path_written {
                format!("`{}`", p.path)
            } else {
                format!(
                    "`{}` (httpGet sets no path: the kubelet asks for `/`)",
                    p.path
                )
            };
            if p.path.contains("{{") || p.path.contains('$') {
                skipped.push(Evidence::located(
                    &p.at,
                    format!("{who} path {path_display} is a template: passed over"),
                ));
                continue;
            }
            // Which code runs in the container.
            let image = p.image.unwrap_or("");
            let found = contexts::for_image(cx.ws, &declared, image);
            let (dirs, searched_how) = if !found.is_empty() {
                let how = found
                    .iter()
                    .map(|c| {
                        let at = c
                            .declared_at
                            .as_ref()
                            .map(|(f, l)| format!(", {f}:{l}"))
                            .unwrap_or_default();
                        format!(
                            "{} (by {}{at})",
                            describe_dirs(std::slice::from_ref(&c.dir)),
                            c.how
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    found.into_iter().map(|c| c.dir).collect::<Vec<_>>(),
                    format!("the image's build context {how}"),
                )
            } else if !declared.is_empty() {
                skipped.push(Evidence::located(
                    &p.at,
                    format!(
                        "{who} passed over: its image `{image}` is not built from this repository (no Dockerfile folder, skaffold, compose or CI build names it)"
                    ),
                ));
                continue;
            } else {
                // No build declared at all: the code of the project (or folder) the image is
                // named like (otherwise it may be anyone's image).
                let last = contexts::repository(image)
                    .map(|r| r.rsplit('/').next().unwrap_or(&r).to_ascii_lowercase())
                    .unwrap_or_default();
                match projects
                    .iter()
                    .find(|(n, _, _)| n.eq_ignore_ascii_case(&last))
                {
                    Some((_, project, dir)) => (
                        vec![dir.clone()],
                        format!(
                            "the code of {project}, which the image is named like (no image build is declared)"
                        ),
                    ),
                    None => {
                        skipped.push(Evidence::located(
                            &p.at,
                            format!(
                                "{who} passed over: the repository declares no image build and its image `{image}` is not named like any of its projects, so golive cannot tell which code runs in it"
                            ),
                        ));
                        continue;
                    }
                }
            };
            let mut routes_here: Vec<&Route> = Vec::new();
            let mut opaque_here: Vec<&(String, u32)> = Vec::new();
            let mut files = 0;
            let mut readable = 0;
            let mut langs = Vec::new();
            let mut summaries = Vec::new();
            for d in &dirs {
                let index = indexes
                    .entry(d.clone())
                    .or_insert_with(|| CodeIndex::build(cx.ws, d));
                files += index.langs.values().sum::<usize>();
                readable += index.readable_files();
                langs.push(index.lang_list());
                summaries.push(index.summary());
            }
            for d in &dirs {
                if let Some(index) = indexes.get(d) {
                    routes_here.extend(index.routes.iter());
                    opaque_here.extend(index.opaque.iter());
                }
            }
            let where_ = describe_dirs(&dirs);
            if files == 0 && routes_here.is_empty() {
                skipped.push(Evidence::located(
                    &p.at,
                    format!("{who} passed over: no application source code in {where_}"),
                ));
                continue;
            }
            if readable == 0 && routes_here.is_empty() {
                skipped.push(Evidence::located(
                    &p.at,
                    format!(
                        "{who} passed over: {where_} holds {} code, whose routes golive does not read",
                        langs.join(", ")
                    ),
                ));
                continue;
            }
            if routes_here.is_empty() && opaque_here.is_empty() {
                skipped.push(Evidence::located(
                    &p.at,
                    format!(
                        "{who} passed over: golive recognised no route declarations in {where_} ({} code: a web framework golive cannot read?)",
                        langs.join(", ")
                    ),
                ));
                continue;
            }
            judged += 1;
            let best = routes_here
                .iter()
                .filter(|r| r.method != Method::Other)
                .filter_map(|r| Some((*r, routes::match_path(r, &p.path)?)))
                .min_by_key(|(r, m)| (rank(*m), r.file.clone(), r.line));
            let summary = summaries
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            match best {
                Some((route, how)) => {
                    let declared_as = match &route.rule {
                        Some(rule) => {
                            format!("{} endpoint `{}` ({rule})", route.framework, route.path)
                        }
                        None => format!("{} route `{}`", route.framework, route.path),
                    };
                    let note = how.note().map(|n| format!("; {n}")).unwrap_or_default();
                    evidence.push(Evidence::at(
                        &route.file,
                        route.line,
                        format!(
                            "{who} path {path_display} ({}:{}) is served: {declared_as}{note}; searched {searched_how}",
                            p.at.path, p.at.line
                        ),
                    ));
                }
                None if !opaque_here.is_empty() => {
                    // A route golive cannot read may be the one: never guessed.
                    let (file, line) = opaque_here
                        .first()
                        .map(|(f, l)| (f.as_str(), *l))
                        .unwrap_or_default();
                    skipped.push(Evidence::located(
                        &p.at,
                        format!(
                            "{who} path {path_display} passed over: no route golive can read matches it, but {where_} declares {} route(s) with a path golive cannot read (first at {file}:{line})",
                            opaque_here.len()
                        ),
                    ));
                    judged -= 1;
                }
                None => {
                    let other_method = routes_here
                        .iter()
                        .filter(|r| r.method == Method::Other)
                        .find(|r| routes::match_path(r, &p.path).is_some());
                    // A route with the same last segment is probably the one meant.
                    let last = routes::request_path(&p.path)
                        .rsplit('/')
                        .find(|s| !s.is_empty())
                        .unwrap_or("");
                    let similar = routes_here
                        .iter()
                        .filter(|r| r.method != Method::Other)
                        .find(|r| {
                            !last.is_empty()
                                && r.path.rsplit('/').find(|s| !s.is_empty()) == Some(last)
                        });
                    let detail = match (other_method, similar) {
                        (Some(r), _) => format!(
                            " (only a non-GET route has that path: {}:{})",
                            r.file, r.line
                        ),
                        (None, Some(r)) => format!(
                            " (a route with the same ending: `{}` at {}:{})",
                            r.path, r.file, r.line
                        ),
                        (None, None) => String::new(),
                    };
                    findings.push(Finding::at(
                        p.at.clone(),
                        format!(
                            "{who} path {path_display} is not served: no route {path_display} in {where_} ({summary}){detail}; searched {searched_how}",
                        ),
                    ));
                }
            }
        }
        if judged == 0 {
            let reasons: Vec<String> = skipped.iter().take(3).map(|e| e.message.clone()).collect();
            let more = skipped.len().saturating_sub(3);
            return Outcome::not_applicable(format!(
                "no httpGet probe could be compared with code: {}{}",
                reasons.join("; "),
                if more > 0 {
                    format!("; and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        evidence.extend(skipped);
        Outcome::from_findings(findings, evidence)
    }
}
