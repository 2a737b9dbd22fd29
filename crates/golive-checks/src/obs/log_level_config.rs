use super::code::{self, Code};
use crate::testing::ecosystems::Ecosystem as Lang;
use golive_core::parse::yaml::Node;
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};
use regex::Regex;
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// The log level can be set per environment, without a rebuild: something reads it from
    /// the environment, a flag or configuration, rather than only hard-coding it.
    ///
    /// Configurable levels recognised:
    ///
    /// - Kubernetes containers (also rendered overlays and `--manifests` input), Compose
    ///   services, ConfigMaps and Dockerfile `ENV` that set `LOG_LEVEL`, `*_LOG_LEVEL`,
    ///   `LOGLEVEL`, `RUST_LOG`, Spring's `LOGGING_LEVEL_*` or .NET's `Logging__LogLevel__*`;
    ///   container arguments and Dockerfile commands that pass `--log-level`, `--log.level`,
    ///   `--loglevel` or klog's `-v=N`; a `logLevel` / `log_level` key in Helm values;
    /// - a logback or log4j2 XML configuration whose level is a variable
    ///   (`<root level="${LOG_LEVEL:-INFO}">`);
    /// - Spring `logging.level.*` in `application*.properties` / `application*.yml`, and .NET
    ///   `Logging:LogLevel` or `Serilog:MinimumLevel` in `appsettings*.json` (both overridable
    ///   per environment);
    /// - in application code: reading such a variable (`os.Getenv("LOG_LEVEL")`, a
    ///   `getenv("LOG_LEVEL", "info")`-style helper,
    ///   `os.environ.get("LOG_LEVEL")`, `process.env.LOG_LEVEL`, `std::env::var("RUST_LOG")`,
    ///   `System.getenv`, `ENV.fetch`), `EnvFilter::from_default_env` and `env_logger`
    ///   (which read `RUST_LOG`), a `log-level` command-line flag (Go `flag`, argparse,
    ///   commander, clap), and a `log_level` field of a pydantic `BaseSettings` class.
    ///
    /// Hard-coded levels are findings, at their line, only when nothing of the above exists:
    /// Python `logging.basicConfig(level=logging.DEBUG)` and root `setLevel`, Go
    /// `SetLevel(logrus.DebugLevel)`, `zerolog.SetGlobalLevel`, `zap.NewAtomicLevelAt` and
    /// `slog.HandlerOptions{Level: slog.LevelDebug}`, Node `level: 'debug'` in a pino, winston or
    /// bunyan logger, Rust `with_max_level`, `EnvFilter::new("...")` and `filter_level`, .NET
    /// `SetMinimumLevel` and Serilog `MinimumLevel.Debug()`, Ruby `config.log_level = :debug`.
    ///
    /// Not applicable when there is no application code and no log level setting in the
    /// manifests, and when neither a setting nor a hard-coded level is found (golive cannot
    /// tell how the level is chosen, e.g. a library's default or a JVM logging file).
    ///
    /// ## Why it matters
    /// During an incident you want debug logs from one service in one environment now, not
    /// after a rebuild and a release; and production should not pay for debug logging that a
    /// developer left on. The Production Ready Checklist asks to "Configure services for
    /// observability" (004, Monitoring), and the go-live checklist to keep configuration per
    /// environment out of the build (003, Configuration).
    ///
    /// ## How to fix
    /// Read the level from the environment with a sensible default, and set it per environment:
    /// ```python
    /// logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper())
    /// ```
    /// ```yaml
    /// env:
    ///   - name: LOG_LEVEL
    ///     value: info
    /// ```
    pub struct LogLevelConfig {
        id: "obs/log-level-config",
        title: "The log level is configurable per environment",
        category: Observability,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Monitoring: configure services for observability",
            "003: Go-live checklist, Configuration: configuration is set per environment, outside the build",
        ],
        fix: "read the log level from an environment variable (LOG_LEVEL, RUST_LOG) or configuration with a default, and set it per environment",
    }
}

impl golive_core::Check for LogLevelConfig {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let code = Code::read(ws);
        let mut evidence = Vec::new();
        evidence.extend(kube_settings(ws));
        evidence.extend(file_settings(ws));
        let mut hard_coded = Vec::new();
        for (lang, file) in &code.sources {
            evidence.extend(code_reads(*lang, file));
            hard_coded.extend(code_hard_coded(*lang, file));
        }
        if !evidence.is_empty() {
            return Outcome::Pass(evidence);
        }
        if code.is_empty() {
            return Outcome::not_applicable(
                "no application code and no log level setting in the manifests",
            );
        }
        if hard_coded.is_empty() {
            return Outcome::not_applicable(
                "golive cannot tell how the log level is chosen: the code neither reads it from the environment, a flag or configuration nor hard-codes it",
            );
        }
        Outcome::from_findings(hard_coded, Vec::new())
    }
}

/// Whether an environment variable names a log level.
fn is_level_var(name: &str) -> bool {
    let upper = name.trim().to_ascii_uppercase();
    upper == "RUST_LOG"
        || upper.ends_with("LOG_LEVEL")
        || upper.ends_with("LOGLEVEL")
        || upper.starts_with("LOGGING_LEVEL_")
        || upper.starts_with("LOGGING__LOGLEVEL__")
        || upper.starts_with("SERILOG__MINIMUMLEVEL")
}

/// A command-line argument that sets the log level (`--log-level=debug`, `-v=4`).
fn level_flag(arg: &str) -> Option<&str> {
    static FLAG: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"(?:^|\s)(--?(?:log[-_.]?level|loglevel|v)(?:[=\s]|$))").ok());
    let m = FLAG.as_ref()?.captures(arg)?.get(1)?;
    Some(m.as_str().trim_end_matches(['=', ' ']).trim())
}

/// Containers' env, args and command, and ConfigMap keys.
fn kube_settings(ws: &Workspace) -> Vec<Evidence> {
    let mut out = Vec::new();
    for obj in ws.kube_objects() {
        if crate::foreign::is_not_ours(&obj.file.path) {
            continue;
        }
        if obj.kind == "ConfigMap" {
            for (key, _) in obj.node.get("data").into_iter().flat_map(|d| d.entries()) {
                if let Some(k) = key.as_str().filter(|k| is_level_var(k)) {
                    out.push(Evidence::located(
                        &key.location(&obj.file.path),
                        format!("{}: sets {k}", obj.display_name_in_rendering()),
                    ));
                }
            }
            continue;
        }
        let Some(template) = obj.pod_template() else {
            continue;
        };
        for container in template.all_containers() {
            let who = format!(
                "{}: container `{}`",
                obj.display_name_in_rendering(),
                container.name()
            );
            for var in container
                .node
                .get("env")
                .into_iter()
                .flat_map(|e| e.items())
            {
                if let Some(name) = var.get_str("name").filter(|n| is_level_var(n)) {
                    out.push(Evidence::located(
                        &var.location(&obj.file.path),
                        format!("{who} sets {name}"),
                    ));
                }
            }
            let args = ["command", "args"]
                .into_iter()
                .filter_map(|k| container.node.get(k))
                .flat_map(|list| list.items());
            for arg in args {
                if let Some(flag) = arg.as_str().and_then(level_flag) {
                    out.push(Evidence::located(
                        &arg.location(&obj.file.path),
                        format!("{who} passes {flag}"),
                    ));
                }
            }
        }
    }
    out
}

/// Compose files, Helm values, Dockerfiles, Spring and .NET configuration.
fn file_settings(ws: &Workspace) -> Vec<Evidence> {
    let mut out = Vec::new();
    for file in ws.files() {
        if crate::foreign::is_not_ours(&file.path) {
            continue;
        }
        let lower = file.name().to_ascii_lowercase();
        if file.kind == FileKind::Dockerfile {
            out.extend(dockerfile(file));
        } else if file.kind == FileKind::Yaml
            && (lower.starts_with("docker-compose") || lower.starts_with("compose"))
        {
            out.extend(compose(file));
        } else if file.kind == FileKind::Yaml
            && lower.starts_with("values")
            && ws.file(&join(file.dir(), "Chart.yaml")).is_some()
        {
            out.extend(helm_values(file));
        } else if lower.starts_with("application") && lower.ends_with(".properties") {
            if let Some((n, _)) = code::first_line_with(file, &["logging.level."]) {
                out.push(Evidence::at(&file.path, n, "Spring logging.level setting"));
            }
        } else if lower.starts_with("application") && file.kind == FileKind::Yaml {
            let level = file
                .yaml_docs()
                .iter()
                .find_map(|d| d.root()?.path(&["logging", "level"]));
            if let Some(level) = level {
                out.push(Evidence::located(
                    &level.location(&file.path),
                    "Spring logging.level setting",
                ));
            }
        } else if (lower.starts_with("logback") || lower.starts_with("log4j2"))
            && lower.ends_with(".xml")
        {
            // `<root level="${LOG_LEVEL:-INFO}">`: the level comes from a variable.
            let line =
                code::code_lines(file).find(|(_, l)| l.to_ascii_lowercase().contains("level=\"${"));
            if let Some((n, _)) = line {
                out.push(Evidence::at(
                    &file.path,
                    n,
                    "logging configuration takes the level from a variable",
                ));
            }
        } else if lower.starts_with("appsettings") && lower.ends_with(".json") {
            let root = file.json().first().and_then(|d| d.root());
            let setting = root.and_then(|r| {
                r.path(&["Logging", "LogLevel"])
                    .map(|n| (n, "Logging:LogLevel"))
                    .or_else(|| {
                        r.path(&["Serilog", "MinimumLevel"])
                            .map(|n| (n, "Serilog:MinimumLevel"))
                    })
            });
            if let Some((node, what)) = setting {
                out.push(Evidence::located(
                    &node.location(&file.path),
                    format!(".NET {what} setting (overridable per environment)"),
                ));
            }
        }
    }
    out
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn dockerfile(file: &SourceFile) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (n, line) in code::code_lines(file) {
        let t = line.trim_start();
        let upper = t.to_ascii_uppercase();
        if upper.starts_with("ENV ") || upper.starts_with("ARG ") {
            if let Some(var) = t.split([' ', '=']).skip(1).find(|w| is_level_var(w)) {
                out.push(Evidence::at(
                    &file.path,
                    n,
                    format!("Dockerfile sets {var}"),
                ));
            }
        } else if upper.starts_with("CMD") || upper.starts_with("ENTRYPOINT") {
            let words = t.replace(['[', ']', '"', ','], " ");
            if let Some(flag) = level_flag(&words) {
                out.push(Evidence::at(
                    &file.path,
                    n,
                    format!("Dockerfile command passes {flag}"),
                ));
            }
        }
    }
    out
}

fn compose(file: &SourceFile) -> Vec<Evidence> {
    let mut out = Vec::new();
    for doc in file.yaml_docs() {
        let Some(services) = doc.root().and_then(|r| r.get("services")) else {
            continue;
        };
        for (name, service) in services.entries() {
            let service_name = name.as_str().unwrap_or("");
            let Some(env) = service.get("environment") else {
                continue;
            };
            let mut found: Vec<(Node<'_>, String)> = Vec::new();
            for (key, _) in env.entries() {
                if let Some(k) = key.as_str().filter(|k| is_level_var(k)) {
                    found.push((key, k.to_string()));
                }
            }
            for item in env.items() {
                if let Some(var) = item
                    .as_str()
                    .map(|s| s.split('=').next().unwrap_or(s))
                    .filter(|k| is_level_var(k))
                {
                    found.push((item, var.to_string()));
                }
            }
            for (node, var) in found {
                out.push(Evidence::located(
                    &node.location(&file.path),
                    format!("Compose service `{service_name}` sets {var}"),
                ));
            }
        }
    }
    out
}

fn helm_values(file: &SourceFile) -> Vec<Evidence> {
    let mut out = Vec::new();
    for doc in file.yaml_docs() {
        for node in doc.nodes() {
            for (key, _) in node.entries() {
                if let Some(k) = key.as_str().filter(|k| {
                    let l = k.to_ascii_lowercase();
                    l == "loglevel" || l == "log_level"
                }) {
                    out.push(Evidence::located(
                        &key.location(&file.path),
                        format!("Helm value `{k}`"),
                    ));
                }
            }
        }
    }
    out
}

/// Lines of application code that read the level from the environment, a flag or settings.
fn code_reads(lang: Lang, file: &SourceFile) -> Vec<Evidence> {
    static ENV_READ: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#"(?i:\bget_?env\w*\()|os\.Getenv\(|os\.LookupEnv\(|os\.environ|os\.getenv\(|environ\.get\(|process\.env|env::var\(|env!\(|System\.getenv\(|Environment\.GetEnvironmentVariable\(|ENV\[|ENV\.fetch\(|\benv\s*=\s*""#).ok()
    });
    static VAR: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"(?i)\b\w*(?:log_?level|rust_log|logging_level)\w*\b").ok());
    static LIBRARY: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"EnvFilter::(?:try_)?from_(?:default_)?env|env_logger::(?:init|try_init|Builder::from_(?:default_)?env|Env::)").ok()
    });
    static FLAG: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r#"(?:flag\.\w+\(|add_argument\(|\.option\(|long\s*=\s*)[^)]*?["'](?:--)?log[-_.]?level"#).ok()
    });
    let (Some(env_read), Some(var), Some(library), Some(flag)) = (
        ENV_READ.as_ref(),
        VAR.as_ref(),
        LIBRARY.as_ref(),
        FLAG.as_ref(),
    ) else {
        return Vec::new();
    };
    let settings = lang == Lang::Python && file.text.contains("BaseSettings");
    let mut out = Vec::new();
    for (n, line) in code::code_lines(file) {
        let message = if let Some(m) = library.find(line) {
            format!("reads RUST_LOG (`{}`)", m.as_str())
        } else if env_read.is_match(line)
            && let Some(v) = var
                .find_iter(line)
                .map(|m| m.as_str())
                .max_by_key(|v| !v.chars().any(|c| c.is_ascii_lowercase()))
        {
            // The variable's name (`LOG_LEVEL`) rather than a field it is stored in.
            format!("reads {v} from the environment")
        } else if flag.is_match(line) {
            "takes the log level as a command-line flag".to_string()
        } else if settings && line.trim_start().starts_with("log_level") && line.contains(':') {
            "`log_level` setting of a pydantic BaseSettings class (read from LOG_LEVEL)".to_string()
        } else {
            continue;
        };
        out.push(Evidence::at(&file.path, n, message));
    }
    out
}

/// Hard-coded levels in application code.
fn code_hard_coded(lang: Lang, file: &SourceFile) -> Vec<Finding> {
    static PATTERNS: LazyLock<Vec<(Lang, Option<Regex>)>> = LazyLock::new(|| {
        let levels = "DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|NOTSET";
        vec![
            (Lang::Python, Regex::new(&format!(r#"basicConfig\([^)]*\blevel\s*=\s*(?:logging\.)?["']?(?:{levels})\b"#)).ok()),
            (Lang::Python, Regex::new(&format!(r#"getLogger\(\)\.setLevel\(\s*(?:logging\.)?["']?(?:{levels})\b"#)).ok()),
            (Lang::Go, Regex::new(r"\.SetLevel\(\s*\w+\.(?:Trace|Debug|Info|Warn|Warning|Error)Level\s*\)").ok()),
            (Lang::Go, Regex::new(r"SetGlobalLevel\(\s*zerolog\.\w+Level\s*\)").ok()),
            (Lang::Go, Regex::new(r"NewAtomicLevelAt\(\s*zap(?:core)?\.\w+Level\s*\)").ok()),
            (Lang::Go, Regex::new(r"Level:\s*slog\.Level(?:Debug|Info|Warn|Error)\b").ok()),
            (Lang::Node, Regex::new(r#"\blevel\s*:\s*["'](?:trace|debug|info|warn|error|fatal|silly|verbose)["']"#).ok()),
            (Lang::Rust, Regex::new(r"with_max_level\(\s*(?:tracing::)?(?:Level|LevelFilter)::").ok()),
            (Lang::Rust, Regex::new(r#"EnvFilter::new\(\s*""#).ok()),
            (Lang::Rust, Regex::new(r"\.filter_level\(\s*(?:log::)?LevelFilter::").ok()),
            (Lang::Dotnet, Regex::new(r"SetMinimumLevel\(\s*LogLevel\.\w+\s*\)|MinimumLevel\.(?:Verbose|Debug|Information|Warning|Error)\(\)").ok()),
            (Lang::Ruby, Regex::new(r"log_level\s*=\s*:\w+|\.level\s*=\s*(?:::)?Logger::(?:DEBUG|INFO|WARN|ERROR)").ok()),
        ]
    });
    // A Node `level:` is a logger's only in a file that builds a logger.
    if lang == Lang::Node
        && !["pino", "winston", "bunyan", "log4js"]
            .iter()
            .any(|l| file.text.contains(l))
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (n, line) in code::code_lines(file) {
        let hit = PATTERNS
            .iter()
            .filter(|(l, _)| *l == lang)
            .filter_map(|(_, re)| re.as_ref())
            .find_map(|re| re.find(line));
        if hit.is_some() {
            out.push(Finding::at(
                Location::line(&file.path, n),
                format!(
                    "the log level is hard-coded (`{}`) and nothing reads it from the environment, a flag or configuration",
                    snippet(line)
                ),
            ));
        }
    }
    out
}

/// A code line for a message: trimmed, at most 80 characters.
fn snippet(line: &str) -> String {
    let t = line.trim();
    if t.chars().count() <= 80 {
        t.to_string()
    } else {
        format!("{}...", t.chars().take(77).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_variables_and_flags() {
        for v in [
            "LOG_LEVEL",
            "APP_LOG_LEVEL",
            "RUST_LOG",
            "LOGLEVEL",
            "LOGGING_LEVEL_ROOT",
            "Logging__LogLevel__Default",
        ] {
            assert!(is_level_var(v), "{v}");
        }
        for v in ["LOG_FORMAT", "RUST_BACKTRACE", "LOGGING"] {
            assert!(!is_level_var(v), "{v}");
        }
        assert_eq!(level_flag("--log-level=debug"), Some("--log-level"));
        assert_eq!(level_flag("--log.level=info"), Some("--log.level"));
        assert_eq!(level_flag("-v=2"), Some("-v"));
        assert_eq!(level_flag("--v"), Some("--v"));
        assert_eq!(level_flag("--verbose"), None);
        assert_eq!(level_flag("--log-format=json"), None);
    }

    fn reads(lang: Lang, path: &str, text: &str) -> Vec<u32> {
        let ws = Workspace::from_texts(&[(path, text)]);
        code_reads(lang, &ws.files()[0])
            .iter()
            .filter_map(|e| e.line)
            .collect()
    }

    fn hard(lang: Lang, path: &str, text: &str) -> Vec<u32> {
        let ws = Workspace::from_texts(&[(path, text)]);
        code_hard_coded(lang, &ws.files()[0])
            .iter()
            .filter_map(|f| f.location.as_ref().map(|l| l.line))
            .collect()
    }

    #[test]
    fn reads_per_language() {
        assert_eq!(
            reads(
                Lang::Go,
                "main.go",
                "package main\nvar lvl = os.Getenv(\"LOG_LEVEL\")\nvar port = os.Getenv(\"PORT\")\n"
            ),
            vec![2]
        );
        assert_eq!(
            reads(
                Lang::Python,
                "app.py",
                "import os\nlevel = os.environ.get('LOG_LEVEL', 'INFO')\n"
            ),
            vec![2]
        );
        assert_eq!(
            reads(
                Lang::Node,
                "a.js",
                "const level = process.env.LOG_LEVEL || 'info';\n"
            ),
            vec![1]
        );
        assert_eq!(
            reads(
                Lang::Rust,
                "main.rs",
                "fn main() {\n    tracing_subscriber::fmt().with_env_filter(EnvFilter::from_default_env()).init();\n}\n"
            ),
            vec![2]
        );
        assert_eq!(
            reads(
                Lang::Go,
                "main.go",
                "cfg := config{\n\tlogLevel: getenv(\"LOG_LEVEL\", \"info\"),\n}\n"
            ),
            vec![2]
        );
        assert_eq!(
            reads(
                Lang::Go,
                "main.go",
                "var level = flag.String(\"log-level\", \"info\", \"log level\")\n"
            ),
            vec![1]
        );
        assert_eq!(
            reads(
                Lang::Python,
                "settings.py",
                "class Settings(BaseSettings):\n    log_level: str = \"INFO\"\n"
            ),
            vec![2]
        );
        assert!(reads(Lang::Python, "app.py", "# os.environ.get('LOG_LEVEL')\n").is_empty());
    }

    #[test]
    fn hard_coded_per_language() {
        assert_eq!(
            hard(
                Lang::Python,
                "app.py",
                "logging.basicConfig(level=logging.DEBUG)\nlogging.basicConfig(level=os.environ['LOG_LEVEL'])\n"
            ),
            vec![1]
        );
        assert_eq!(
            hard(
                Lang::Go,
                "main.go",
                "log.SetLevel(log.DebugLevel)\nlog.SetLevel(lvl)\n"
            ),
            vec![1]
        );
        assert_eq!(
            hard(
                Lang::Node,
                "logger.js",
                "const pino = require('pino');\nmodule.exports = pino({ level: 'debug' });\n"
            ),
            vec![2]
        );
        assert!(hard(Lang::Node, "ui.js", "const css = { level: 'info' };\n").is_empty());
        assert_eq!(
            hard(
                Lang::Rust,
                "main.rs",
                "tracing_subscriber::fmt().with_max_level(Level::DEBUG).init();\n"
            ),
            vec![1]
        );
    }
}
