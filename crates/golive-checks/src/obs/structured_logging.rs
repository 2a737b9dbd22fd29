use super::code::{self, Code};
use super::deps::{self, Dependency, Ecosystem};
use crate::testing::ecosystems::Ecosystem as Lang;
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};
use regex::Regex;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// The application logs structured records (JSON or key/value): a structured logging
    /// library is a dependency, or the logging setup selects JSON output.
    ///
    /// Libraries that log structured records by construction pass on their own:
    ///
    /// - Rust: `slog`, `tracing-bunyan-formatter`;
    /// - Go: `go.uber.org/zap`, `github.com/rs/zerolog`;
    /// - Python: `structlog`, `python-json-logger`, `json-log-formatter`, `ecs-logging`;
    /// - Node: `pino`, `bunyan`;
    /// - Java/Kotlin: `net.logstash.logback:logstash-logback-encoder`, `co.elastic.logging`
    ///   (ECS) encoders, `org.apache.logging.log4j:log4j-layout-template-json`;
    /// - .NET: `Serilog.Formatting.Compact`, `Elastic.CommonSchema.Serilog`;
    /// - Ruby: `lograge`, `semantic_logger`, `rails_semantic_logger`, `ougai`.
    ///
    /// Libraries where JSON output is a choice pass only when the project (the source files
    /// under the manifest's folder) selects it, and are a finding at the dependency's line
    /// otherwise: Rust `tracing-subscriber` (the `json` feature, or the builder's `.json()`), Go
    /// `logrus` (`JSONFormatter`), Python `loguru` (`serialize=True`), Node `winston`
    /// (`format.json()` or `json` taken from `format`, `format.logstash()`, `ecsFormat()`), .NET `Serilog`
    /// (`CompactJsonFormatter`, `JsonFormatter`, `EcsTextFormatter` in code or `appsettings*.json`)
    /// and `NLog` (`JsonLayout`).
    ///
    /// JSON output configured without a dedicated library passes too: Go's `slog.NewJSONHandler`,
    /// .NET's `AddJsonConsole`, a logback configuration with `JsonEncoder`, `LogstashEncoder` or
    /// `EcsEncoder`, a log4j2 configuration with `JsonTemplateLayout` or `EcsLayout`, and Spring
    /// Boot's `logging.structured.format.*` property.
    ///
    /// The application is the source code of every ecosystem with a manifest, outside tests,
    /// tooling folders and vendored code. Not applicable when there is no such code (a
    /// repository of manifests and infrastructure only), or when it is only a browser
    /// front-end (npm packages that depend on React, Vue, Angular, Svelte or Preact and on no
    /// server framework such as Express, Fastify, NestJS or Next.js).
    ///
    /// ## Why it matters
    /// Logs are read by machines first: a log pipeline (Loki, Elasticsearch, Cloud Logging)
    /// can filter, aggregate and alert on `level`, `trace_id` or `order_id` only when they are
    /// fields, not words in a sentence. The Production Ready Checklist asks to "Configure
    /// services for observability" and to centralise logs (004, Monitoring), and the go-live
    /// checklist to make logs searchable during an incident (003, Monitoring).
    ///
    /// ## How to fix
    /// Log JSON to stdout, e.g. in Go with the standard library:
    /// ```go
    /// logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
    /// logger.Info("order placed", "order_id", id)
    /// ```
    /// or with logrus, `log.SetFormatter(&log.JSONFormatter{})`; in Node use `pino`; in Python
    /// `structlog` with `JSONRenderer()`; in Java add `logstash-logback-encoder` and a
    /// `LogstashEncoder` appender.
    pub struct StructuredLogging {
        id: "obs/structured-logging",
        title: "The application writes structured logs",
        category: Observability,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Monitoring: configure services for observability; centralise logs",
            "003: Go-live checklist, Monitoring: logs are collected and searchable",
        ],
        fix: "use a structured logging library (zap, slog JSON handler, structlog, pino, logstash-logback-encoder, Serilog with a JSON formatter) and log JSON to stdout",
    }
}

/// What a logging library writes.
enum Output {
    /// Structured records by construction.
    Structured,
    /// Text unless the code or configuration selects JSON (described by the first field) with
    /// one of these.
    Choice(&'static str, &'static [&'static str]),
}

/// The logging library a dependency is, with its display name.
fn library(dep: &Dependency<'_>) -> Option<(&'static str, Output)> {
    use Output::{Choice, Structured};
    let found = match dep.ecosystem {
        Ecosystem::Cargo => {
            if dep.is_any(&["slog", "tracing-bunyan-formatter"]) {
                ("slog", Structured)
            } else if dep.is("tracing-subscriber") {
                (
                    "tracing-subscriber",
                    Choice(
                        "JSON formatter (`.json()` or the `json` feature)",
                        // A builder's `.json()`, not `response.json()`.
                        &[
                            "^.json()",
                            "fmt().json()",
                            "layer().json()",
                            "format().json()",
                        ],
                    ),
                )
            } else {
                return None;
            }
        }
        Ecosystem::Go => {
            if dep.is("go.uber.org/zap") {
                ("zap", Structured)
            } else if dep.is("github.com/rs/zerolog") {
                ("zerolog", Structured)
            } else if dep.is("github.com/sirupsen/logrus") {
                ("logrus", Choice("`JSONFormatter`", &["JSONFormatter"]))
            } else {
                return None;
            }
        }
        Ecosystem::Python => {
            if dep.is("structlog") {
                ("structlog", Structured)
            } else if dep.is_any(&["python-json-logger", "json-log-formatter", "ecs-logging"]) {
                ("python-json-logger", Structured)
            } else if dep.is("loguru") {
                ("loguru", Choice("`serialize=True`", &["serialize=True"]))
            } else {
                return None;
            }
        }
        Ecosystem::Npm => {
            if dep.is("pino") {
                ("pino", Structured)
            } else if dep.is("bunyan") {
                ("bunyan", Structured)
            } else if dep.is("winston") {
                (
                    "winston",
                    Choice(
                        "JSON format (`format.json()`)",
                        &["format.json(", "format.logstash(", "ecsFormat("],
                    ),
                )
            } else {
                return None;
            }
        }
        Ecosystem::Maven | Ecosystem::Gradle => {
            if dep.is("net.logstash.logback:logstash-logback-encoder") {
                ("logstash-logback-encoder", Structured)
            } else if dep.is("co.elastic.logging:*") {
                ("ECS logging", Structured)
            } else if dep.is("org.apache.logging.log4j:log4j-layout-template-json") {
                ("log4j2 JsonTemplateLayout", Structured)
            } else {
                return None;
            }
        }
        Ecosystem::NuGet => {
            if dep.is_any(&["Serilog.Formatting.Compact", "Elastic.CommonSchema.Serilog"]) {
                ("Serilog JSON formatter", Structured)
            } else if dep.name.eq_ignore_ascii_case("Serilog")
                || dep.name.to_ascii_lowercase().starts_with("serilog.")
            {
                (
                    "Serilog",
                    Choice(
                        "JSON formatter (`CompactJsonFormatter`, `JsonFormatter`)",
                        &["CompactJsonFormatter", "JsonFormatter", "EcsTextFormatter"],
                    ),
                )
            } else if dep.name.eq_ignore_ascii_case("NLog")
                || dep.name.to_ascii_lowercase().starts_with("nlog.")
            {
                ("NLog", Choice("`JsonLayout`", &["JsonLayout"]))
            } else {
                return None;
            }
        }
        Ecosystem::Gem => {
            if dep.is_any(&[
                "lograge",
                "semantic_logger",
                "rails_semantic_logger",
                "ougai",
            ]) {
                ("lograge", Structured)
            } else {
                return None;
            }
        }
    };
    Some(found)
}

impl golive_core::Check for StructuredLogging {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let code = Code::read(ws);
        if code.is_empty() {
            return Outcome::not_applicable(
                "no application source code (no source files of an ecosystem with a dependency manifest, outside tests, tooling and vendored folders)",
            );
        }
        let manifests = deps::manifests(ws);
        if browser_only(&code, &manifests) {
            return Outcome::not_applicable(
                "the only application code is a browser front-end (React, Vue, Angular, Svelte, without a server framework): it writes no server logs",
            );
        }
        let mut evidence = Vec::new();
        // Folders (or files) where structured logging was found.
        let mut structured: Vec<String> = Vec::new();
        // Choice libraries without JSON selected: (manifest folder, finding).
        let mut pending: Vec<(String, Finding)> = Vec::new();
        for manifest in &manifests {
            let dir = manifest.file.dir().to_string();
            let mut reported: Vec<&str> = Vec::new();
            for dep in &manifest.dependencies {
                let Some((name, output)) = library(dep) else {
                    continue;
                };
                match output {
                    Output::Structured => {
                        evidence.push(dep.evidence("structured logging library"));
                        structured.push(dir.clone());
                    }
                    Output::Choice(what, selectors) => {
                        if reported.contains(&name) {
                            continue;
                        }
                        reported.push(name);
                        if let Some(e) = json_selected(ws, &code, dep, name, selectors) {
                            evidence.push(e);
                            structured.push(dir.clone());
                        } else {
                            pending.push((
                                dir.clone(),
                                Finding::at(
                                    Location::line(&dep.file.path, dep.line),
                                    format!(
                                        "{name} is a dependency but no {what} is configured: it logs plain text"
                                    ),
                                )
                                .with_help(format!(
                                    "configure {what} for {name}, or use a structured logging library"
                                )),
                            ));
                        }
                    }
                }
            }
        }
        for (path, line, what) in json_configuration(ws, &code) {
            evidence.push(Evidence::at(path, line, what));
            structured.push(path.to_string());
        }
        let findings: Vec<Finding> = pending
            .into_iter()
            .filter(|(dir, _)| {
                !structured
                    .iter()
                    .any(|s| s == dir || code::contains(dir, s))
            })
            .map(|(_, f)| f)
            .collect();
        if !findings.is_empty() || !evidence.is_empty() {
            return Outcome::from_findings(findings, evidence);
        }
        let read = manifests
            .iter()
            .map(|m| {
                Evidence::file(
                    &m.file.path,
                    "dependency manifest read: no structured logging library",
                )
            })
            .collect();
        Outcome::from_findings(
            vec![Finding::repo(
                "no structured logging library among the dependencies and no JSON log output configured",
            )],
            read,
        )
    }
}

/// Whether all the application code is JavaScript/TypeScript of npm packages that depend on a
/// browser framework and on no server framework.
fn browser_only(code: &Code<'_>, manifests: &[deps::Manifest<'_>]) -> bool {
    const BROWSER: [&str; 6] = [
        "react",
        "react-dom",
        "vue",
        "@angular/core",
        "svelte",
        "preact",
    ];
    const SERVER: [&str; 12] = [
        "express",
        "fastify",
        "koa",
        "@nestjs/core",
        "@hapi/hapi",
        "hapi",
        "next",
        "nuxt",
        "@remix-run/node",
        "restify",
        "@sveltejs/kit",
        "h3",
    ];
    if code.sources.iter().any(|(lang, _)| *lang != Lang::Node) {
        return false;
    }
    let npm: Vec<&deps::Manifest<'_>> = manifests
        .iter()
        .filter(|m| m.file.name() == "package.json" && !m.dependencies.is_empty())
        .collect();
    !npm.is_empty()
        && npm.iter().all(|m| {
            m.dependencies.iter().any(|d| d.is_any(&BROWSER))
                && !m.dependencies.iter().any(|d| d.is_any(&SERVER))
        })
}

/// Where the project of a choice library selects JSON output: the Cargo `json` feature on the
/// dependency's line, a selector in the project's code, or (.NET) in its `appsettings*.json`
/// and `nlog.config`.
fn json_selected(
    ws: &Workspace,
    code: &Code<'_>,
    dep: &Dependency<'_>,
    name: &str,
    selectors: &[&str],
) -> Option<Evidence> {
    if dep.ecosystem == Ecosystem::Cargo
        && dep
            .file
            .line_text(dep.line)
            .is_some_and(|l| l.contains("\"json\""))
    {
        return Some(Evidence::at(
            &dep.file.path,
            dep.line,
            format!("`{}` (Cargo dependency) has the `json` feature", dep.name),
        ));
    }
    let dir = dep.file.dir();
    let lang = code::lang_of(dep.ecosystem);
    let mut files: Vec<&SourceFile> = code.under(lang, dir).collect();
    if lang == Lang::Dotnet {
        files.extend(ws.files().iter().filter(|f| {
            let lower = f.name().to_ascii_lowercase();
            code::contains(dir, &f.path)
                && !crate::foreign::is_not_ours(&f.path)
                && ((lower.starts_with("appsettings") && lower.ends_with(".json"))
                    || lower == "nlog.config")
        }));
    }
    files.into_iter().find_map(|file| {
        let (line, selector) = selected(file, name, selectors)?;
        Some(Evidence::at(
            &file.path,
            line,
            format!(
                "{name} ({}:{}) writes JSON: `{selector}` is configured",
                dep.file.path, dep.line
            ),
        ))
    })
}

/// The first code line of `file` that selects JSON: one containing a selector (`^` in front:
/// the trimmed line starts with it), or for winston, `json` destructured from `format`
/// (`const { combine, json } = format;`).
fn selected(file: &SourceFile, name: &str, selectors: &[&str]) -> Option<(u32, String)> {
    static WINSTON_JSON: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"\{[^}]*\bjson\b[^}]*\}\s*=\s*(?:winston\.)?format\b").ok());
    code::code_lines(file).find_map(|(n, line)| {
        let hit = selectors.iter().find(|s| match s.strip_prefix('^') {
            Some(start) => line.trim_start().starts_with(start),
            None => line.contains(**s),
        });
        if let Some(s) = hit {
            return Some((n, s.trim_start_matches('^').to_string()));
        }
        let destructured =
            name == "winston" && WINSTON_JSON.as_ref().is_some_and(|re| re.is_match(line));
        destructured.then(|| (n, "format.json".to_string()))
    })
}

/// JSON logging configured without a dedicated library: Go's slog JSON handler, .NET's JSON
/// console, logback/log4j2 JSON encoders and layouts, Spring Boot structured logging.
fn json_configuration<'a>(ws: &'a Workspace, code: &Code<'a>) -> Vec<(&'a str, u32, String)> {
    let mut out = Vec::new();
    let in_code: [(Lang, &str, &str); 2] = [
        (
            Lang::Go,
            "slog.NewJSONHandler(",
            "Go slog writes JSON (`slog.NewJSONHandler`)",
        ),
        (
            Lang::Dotnet,
            "AddJsonConsole(",
            "the .NET console logger writes JSON (`AddJsonConsole`)",
        ),
    ];
    for (lang, needle, what) in in_code {
        for file in code.of(lang) {
            if let Some((line, _)) = code::first_line_with(file, &[needle]) {
                out.push((file.path.as_str(), line, what.to_string()));
            }
        }
    }
    for file in ws.files() {
        if crate::foreign::is_not_ours(&file.path)
            || crate::testing::ecosystems::is_tooling(&file.path)
        {
            continue;
        }
        let lower = file.name().to_ascii_lowercase();
        let test = file.path.split('/').any(|d| d == "test" || d == "tests");
        if test {
            continue;
        }
        let needles: &[&str] = if lower.starts_with("logback") && lower.ends_with(".xml") {
            &["JsonEncoder", "LogstashEncoder", "EcsEncoder"]
        } else if lower.starts_with("log4j2")
            && (lower.ends_with(".xml")
                || lower.ends_with(".json")
                || lower.ends_with(".yaml")
                || lower.ends_with(".yml"))
        {
            &["JsonTemplateLayout", "EcsLayout"]
        } else if lower.starts_with("application")
            && (lower.ends_with(".properties") || (file.kind == FileKind::Yaml))
        {
            &["logging.structured.format."]
        } else {
            continue;
        };
        if let Some((line, needle)) = code::first_line_with(file, needles) {
            out.push((
                file.path.as_str(),
                line,
                format!("logging configuration writes JSON (`{needle}`)"),
            ));
        } else if file.kind == FileKind::Yaml
            && lower.starts_with("application")
            && let Some(line) = spring_structured_yaml(file)
        {
            out.push((
                file.path.as_str(),
                line,
                "Spring Boot structured logging (`logging.structured.format`)".to_string(),
            ));
        }
    }
    out
}

/// `logging: structured: format: console: ecs` in a Spring `application*.yml`: the line of
/// the `format` key.
fn spring_structured_yaml(file: &SourceFile) -> Option<u32> {
    file.yaml_docs().iter().find_map(|doc| {
        let format = doc.root()?.path(&["logging", "structured", "format"])?;
        let set = format
            .entries()
            .any(|(_, v)| v.as_str().is_some_and(|s| !s.trim().is_empty()));
        set.then(|| format.line())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(files: &[(&str, &str)]) -> Outcome {
        let ws = Workspace::from_texts(files);
        let config = golive_core::config::Config::default();
        let cx = Context::new(&ws, &config);
        golive_core::Check::run(&StructuredLogging, &cx)
    }

    #[test]
    fn json_selectors() {
        let ws = Workspace::from_texts(&[
            (
                "a.rs",
                "let body = resp.json().await?;\ntracing_subscriber::fmt()\n    .json()\n    .init();\n",
            ),
            ("b.js", "const { combine, timestamp, json } = format;\n"),
            ("c.js", "app.get('/', (req, res) => res.json({}));\n"),
        ]);
        let files = ws.files();
        let rust = ["^.json()", "fmt().json()"];
        assert_eq!(
            selected(&files[0], "tracing-subscriber", &rust),
            Some((3, ".json()".to_string()))
        );
        assert_eq!(
            selected(&files[1], "winston", &["format.json("]).map(|s| s.0),
            Some(1)
        );
        assert_eq!(selected(&files[2], "winston", &["format.json("]), None);
    }

    #[test]
    fn logrus_json_in_another_service_does_not_count() {
        let out = run(&[
            (
                "a/go.mod",
                "module a\nrequire github.com/sirupsen/logrus v1.9.3\n",
            ),
            (
                "a/main.go",
                "package main\nfunc main() { log.Info(\"x\") }\n",
            ),
            (
                "b/go.mod",
                "module b\nrequire github.com/sirupsen/logrus v1.9.3\n",
            ),
            (
                "b/main.go",
                "package main\nfunc main() { log.SetFormatter(&log.JSONFormatter{}) }\n",
            ),
        ]);
        let Outcome::Fail { findings, .. } = out else {
            panic!("expected a finding: {out:?}");
        };
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].location.as_ref().map(|l| l.path.as_str()),
            Some("a/go.mod")
        );
    }
}
