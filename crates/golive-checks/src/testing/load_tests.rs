use crate::ci::github::shorten;
use crate::k8s::relations::Manifests;
use crate::testing::ecosystems::{Ecosystem, is_vendored};
use golive_core::{Context, Evidence, FileKind, Finding, Outcome, SourceFile, declare_check};
use regex::Regex;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// A repository that serves traffic has load test scripts.
    ///
    /// golive looks, outside vendored, example and fixture folders, for:
    ///
    /// | tool | what counts |
    /// | --- | --- |
    /// | k6 | a JavaScript/TypeScript file importing `k6` or `k6/http`; the `grafana/k6` image or k6 actions |
    /// | Locust | a Python file with `from locust import` / `import locust` |
    /// | Gatling | a Scala/Java/Kotlin file importing `io.gatling` |
    /// | JMeter | a `.jmx` test plan |
    /// | Artillery | a YAML file with `config:` → `target:` and `scenarios:` |
    /// | any | an invocation in CI files, scripts (`*.sh`), Makefiles, justfiles, Taskfiles or package.json: `k6 run`, `locust -f`, `jmeter -n`, `gatling`, `vegeta attack`, `hey`, `wrk`, `ab -n/-c`, `artillery run`, `ghz`, `oha`, `bombardier` |
    ///
    /// The check applies to repositories that serve something of their own: a Dockerfile
    /// whose image `EXPOSE`s a port, a web/RPC framework dependency (Express, Fastify,
    /// NestJS, Flask, Django, FastAPI, gin, echo, fiber, chi, axum, actix-web, Spring Boot
    /// web, Quarkus, Micronaut, Ktor, ASP.NET Core, Rails, Sinatra, gRPC), or a long-running
    /// Kubernetes workload (not operator-managed) in a repository that builds code or images.
    /// A repository of manifests deploying others' images (a monitoring stack) owns no service
    /// to load test, and a library, a CLI or a batch job is not-applicable: nobody sends it
    /// traffic. A Kubernetes workload whose image is a load generator (`locust`, `k6`,
    /// `jmeter`, `*loadgenerator*`) counts as a load test.
    /// Load test scripts found pass the check whether or not the repository serves. The
    /// finding is repository-wide, since load tests belong to the service as a whole.
    ///
    /// ## Why it matters
    /// Capacity that was never measured is a guess: the first traffic peak finds the
    /// connection pool, the missing index or the memory limit. Load tests give the numbers
    /// behind replica counts, autoscaling targets and resource requests. (Production Ready
    /// Checklist, Testing: "Load testing is performed"; From Code to Production: "Run load and
    /// performance tests before going live".)
    ///
    /// ## How to fix
    /// Add a load test next to the service and run it against a staging environment:
    /// ```javascript
    /// // load/checkout.js — k6 run load/checkout.js
    /// import http from 'k6/http';
    /// import { check } from 'k6';
    ///
    /// export const options = { vus: 50, duration: '5m', thresholds: { http_req_duration: ['p(95)<300'] } };
    ///
    /// export default function () {
    ///   check(http.get(`${__ENV.BASE_URL}/checkout`), { 'status 200': (r) => r.status === 200 });
    /// }
    /// ```
    pub struct LoadTests {
        id: "testing/load-tests",
        title: "Load test scripts exist",
        category: Testing,
        level: Gold,
        severity: Warning,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Testing: load testing is performed",
            "001: From Code to Production: run load and performance tests before going live",
        ],
        fix: "add load test scripts (k6, Locust, Gatling, JMeter, Artillery, vegeta) that exercise the service's main paths, and run them before releases",
    }
}

impl golive_core::Check for LoadTests {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let ours: Vec<&SourceFile> = ws
            .files()
            .iter()
            .filter(|f| !is_vendored(&f.path))
            .collect();
        let mut evidence = Vec::new();
        for f in &ours {
            if let Some((line, what)) = load_test(f) {
                evidence.push(Evidence::at(f.path.as_str(), line, what));
            }
        }
        evidence.extend(load_generator_workloads(cx));
        if !evidence.is_empty() {
            return Outcome::from_findings(Vec::new(), evidence);
        }
        let serves = serves(cx, &ours);
        if serves.is_empty() {
            return Outcome::not_applicable(
                "the repository serves nothing of its own golive can see (no Dockerfile that EXPOSEs a port, no web or RPC framework dependency, no long-running Kubernetes workload in a repository that builds code or images)",
            );
        }
        let finding = Finding::repo(
            "no load test scripts found for a repository that serves traffic (looked for k6 scripts, locustfiles, Gatling simulations, JMeter `.jmx` plans, Artillery configurations, and `k6`/`locust`/`jmeter`/`vegeta`/`hey`/`wrk`/`ab`/`artillery`/`ghz` invocations in CI, scripts and Makefiles)",
        );
        Outcome::from_findings(vec![finding], serves)
    }
}

/// The first line of a file that shows a load test, and what it is.
fn load_test(f: &SourceFile) -> Option<(u32, String)> {
    let name = f.name();
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let first = |re: &Regex| {
        f.text
            .lines()
            .position(|l| re.is_match(l))
            .and_then(|i| u32::try_from(i + 1).ok())
    };
    let script = match ext {
        "js" | "ts" | "mjs" => first(&K6).map(|l| (l, "k6 load test script")),
        "py" => first(&LOCUST).map(|l| (l, "Locust load test (locustfile)")),
        "scala" | "java" | "kt" => first(&GATLING).map(|l| (l, "Gatling simulation")),
        "jmx" => first(&JMETER).map(|l| (l, "JMeter test plan")),
        "yml" | "yaml" if is_artillery(&f.text) => {
            first(&ARTILLERY_SCENARIOS).map(|l| (l, "Artillery load test configuration"))
        }
        _ => None,
    };
    if let Some((line, what)) = script {
        return Some((line, what.to_string()));
    }
    if !is_runner_file(f) {
        return None;
    }
    let (i, l) = f.text.lines().enumerate().find(|(_, l)| {
        let t = l.trim_start();
        !t.starts_with('#') && !t.starts_with("//") && LOAD_COMMAND.is_match(l)
    })?;
    let line = u32::try_from(i + 1).ok()?;
    Some((
        line,
        format!("runs a load test: `{}`", shorten(l.trim(), 80)),
    ))
}

/// Files that run commands: CI configuration, shell scripts, task runners, package.json.
fn is_runner_file(f: &SourceFile) -> bool {
    let name = f.name();
    let lower = name.to_ascii_lowercase();
    crate::ci::github::is_workflow_path(&f.path)
        || crate::ci::pipelines::other_system(&f.path).is_some()
        || matches!(
            name,
            ".gitlab-ci.yml"
                | "Makefile"
                | "makefile"
                | "GNUmakefile"
                | "justfile"
                | "Justfile"
                | "Taskfile.yml"
                | "Taskfile.yaml"
                | "package.json"
        )
        || lower.ends_with(".sh")
        || lower.ends_with(".mk")
        || (f.path.starts_with(".gitlab/") && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
}

fn is_artillery(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("config:"))
        && text.lines().any(|l| l.starts_with("scenarios:"))
        && text.lines().any(|l| l.trim_start().starts_with("target:"))
}

static K6: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*import\b[^;]*\bfrom\s+['"]k6(?:/[\w/-]+)?['"]|require\(\s*['"]k6(?:/[\w/-]+)?['"]\s*\)"#)
        .expect("valid regex")
});
static LOCUST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:from\s+locust(?:\.\w+)*\s+import\b|import\s+locust\b)")
        .expect("valid regex")
});
static GATLING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*import\s+(?:static\s+)?io\.gatling\.").expect("valid regex"));
static JMETER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<jmeterTestPlan\b").expect("valid regex"));
static ARTILLERY_SCENARIOS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^scenarios:").expect("valid regex"));
/// A load tool in command position (line start, after a shell operator, `npx`, `docker run …
/// image`), or a k6 container image or action.
static LOAD_COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x)
        (?:^|[\s;&|(`"'=:]|\$\()
        (?:npx\s+)?
        (?: k6\s+(?:run|cloud)\b
          | locust\s+(?:-f|--locustfile|--headless|--host)\b
          | jmeter\s+(?:-n|--nongui)\b
          | gatling(?:\.sh)?\s+(?:-s|--simulation|-rm)\b
          | vegeta\s+attack\b
          | hey\s+-(?:n|c|z|q)\b
          | wrk\s+-(?:t|c|d)\d*\b
          | ab\s+-(?:n|c)\s+\d
          | artillery\s+(?:run|quick)\b
          | ghz\s+--
          | oha\s+-(?:n|c|z)\b
          | bombardier\s+-(?:c|n|d)\b
        )
        | \bgrafana/(?:k6|setup-k6-action|run-k6-action|k6-action)\b
        | \bloadimpact/k6\b | \blocustio/locust\b
        | \bgatlingRun\b | \bgatling:test\b
        "#,
    )
    .expect("valid regex")
});

/// Kubernetes workloads that run a load generator: a container whose image is named after a
/// load tool (`locust`, `k6`, `jmeter`, `loadgenerator`...), e.g. microservices-demo's
/// `loadgenerator` Deployment.
fn load_generator_workloads(cx: &Context<'_>) -> Vec<Evidence> {
    let manifests = Manifests::new(cx.ws);
    let mut out = Vec::new();
    for w in manifests.workloads() {
        let Some(template) = &w.template else {
            continue;
        };
        for c in template.containers() {
            let Some(image) = c.image() else { continue };
            let Some(text) = image.as_text() else {
                continue;
            };
            let repo = text.split(['@', ':']).next().unwrap_or("");
            let last = repo.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
            if is_load_tool_image(&last) {
                out.push(Evidence::located(
                    &image.location(&w.obj.file.path),
                    format!(
                        "{}: container `{}` runs a load generator (image `{last}`)",
                        w.obj.display_name(),
                        c.name()
                    ),
                ));
            }
        }
    }
    out
}

fn is_load_tool_image(name: &str) -> bool {
    matches!(
        name,
        "k6" | "locust" | "jmeter" | "gatling" | "vegeta" | "artillery" | "hey" | "wrk"
    ) || name.contains("loadgenerator")
        || name.contains("load-generator")
        || name.contains("loadgen")
        || name.contains("loadtest")
        || name.contains("load-test")
        || name.contains("locust")
}

/// What shows that the repository serves traffic, as evidence; empty when nothing does.
fn serves(cx: &Context<'_>, ours: &[&SourceFile]) -> Vec<Evidence> {
    let mut out = Vec::new();
    // Workloads count only for a repository that builds something (code or a Dockerfile): a
    // repository of manifests deploying others' images (a monitoring stack) owns no service
    // to load test.
    let builds = ours.iter().any(|f| f.kind == FileKind::Dockerfile)
        || crate::testing::ecosystems::projects(cx.ws)
            .iter()
            .any(|p| p.has_code());
    let manifests = Manifests::new(cx.ws);
    if let Some(w) = manifests.workloads().iter().find(|w| {
        builds
            && w.obj.is_long_running()
            && !w.is_operator_managed()
            && !is_vendored(&w.obj.file.path)
    }) {
        out.push(Evidence::located(
            &w.obj.location(),
            format!("{} runs a long-running workload", w.obj.display_name()),
        ));
    }
    for f in ours.iter().filter(|f| f.kind == FileKind::Dockerfile) {
        let Some(Ok(df)) = f.dockerfile() else {
            continue;
        };
        if let Some(expose) = df.instructions.iter().find(|i| i.keyword == "EXPOSE") {
            out.push(Evidence::at(
                f.path.as_str(),
                expose.line,
                format!("the image serves port {}", expose.args.trim()),
            ));
            break;
        }
    }
    for f in ours {
        if Ecosystem::of_manifest(f.name()).is_none() {
            continue;
        }
        if let Some((i, l)) = f
            .text
            .lines()
            .enumerate()
            .find(|(_, l)| WEB_FRAMEWORK.is_match(l))
        {
            let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
            out.push(Evidence::at(
                f.path.as_str(),
                line,
                format!(
                    "depends on a web/RPC framework: `{}`",
                    shorten(l.trim().trim_end_matches(','), 80)
                ),
            ));
            break;
        }
    }
    out
}

/// Web and RPC server frameworks, as they appear in manifests (package.json, go.mod,
/// Cargo.toml, requirements/pyproject, pom.xml/Gradle, csproj, Gemfile).
static WEB_FRAMEWORK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x)
        "(?:express|fastify|koa|@nestjs/core|@hapi/hapi|next|hono)"\s*:
        | github\.com/(?:gin-gonic/gin|labstack/echo|gofiber/fiber|go-chi/chi|gorilla/mux)\b
        | google\.golang\.org/grpc\b
        | ^\s*(?:axum|actix-web|rocket|warp|poem|tonic)\s*=
        | (?:^|["'\s])(?:flask|django|fastapi|starlette|aiohttp|tornado|uvicorn|gunicorn|grpcio)\b(?:\s*(?:[=<>~!\[]|$)|["'])
        | spring-boot-starter-web(?:flux)?\b | \bio\.quarkus\b | \bio\.micronaut\b | \bio\.ktor\b | \bio\.grpc\b
        | Sdk="Microsoft\.NET\.Sdk\.Web"
        | ^\s*gem\s+["'](?:rails|sinatra|puma|grpc)["']
        "#,
    )
    .expect("valid regex")
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_commands() {
        for yes in [
            "k6 run load/checkout.js",
            "  - run: docker run --rm -i grafana/k6 run - <script.js",
            "locust -f locustfile.py --headless -u 100",
            "jmeter -n -t plan.jmx",
            "echo 'GET http://localhost:8080/' | vegeta attack -duration=30s",
            "hey -n 1000 -c 50 http://localhost:8080/",
            "wrk -t4 -c100 -d30s http://localhost:8080/",
            "ab -n 1000 -c 10 http://localhost:8080/",
            "npx artillery run load.yml",
            "uses: grafana/setup-k6-action@v1",
            "./gradlew gatlingRun",
        ] {
            assert!(LOAD_COMMAND.is_match(yes), "{yes}");
        }
        for no in [
            "npm run build",
            "echo hey there",
            "tab -n",
            "go test ./...",
            "wrk",
            "k6",
        ] {
            assert!(!LOAD_COMMAND.is_match(no), "{no}");
        }
    }

    #[test]
    fn frameworks() {
        for yes in [
            r#"    "express": "^4.19.0","#,
            "\tgithub.com/gin-gonic/gin v1.10.0",
            "axum = \"0.7\"",
            "flask==3.0.3",
            r#"dependencies = ["fastapi>=0.110"]"#,
            "<artifactId>spring-boot-starter-web</artifactId>",
            r#"<Project Sdk="Microsoft.NET.Sdk.Web">"#,
            "gem 'rails', '~> 7.1'",
        ] {
            assert!(WEB_FRAMEWORK.is_match(yes), "{yes}");
        }
        for no in [
            r#"    "expressive-logger": "1.0","#,
            "flask-lint==1.0",
            "requests==2.32",
            "serde = \"1\"",
        ] {
            assert!(!WEB_FRAMEWORK.is_match(no), "{no}");
        }
    }
}
