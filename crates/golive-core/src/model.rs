//! The results model every part of golive speaks: levels, severities, categories, facets,
//! locations, findings and evidence.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A readiness level. Ordered: bronze < silver < gold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Bronze,
    Silver,
    Gold,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Bronze, Level::Silver, Level::Gold];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Bronze => "bronze",
            Level::Silver => "silver",
            Level::Gold => "gold",
        }
    }

    /// The one-letter form used in tables (B, S, G).
    pub fn letter(self) -> char {
        match self {
            Level::Bronze => 'B',
            Level::Silver => 'S',
            Level::Gold => 'G',
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "bronze" => Some(Level::Bronze),
            "silver" => Some(Level::Silver),
            "gold" => Some(Level::Gold),
            _ => None,
        }
    }

    pub fn next(self) -> Option<Level> {
        match self {
            Level::Bronze => Some(Level::Silver),
            Level::Silver => Some(Level::Gold),
            Level::Gold => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a finding is. Ordered: info < warning < error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $id:literal, $title:literal;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $id)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable identifier used in ids, config and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $id,)* }
            }

            /// A human title.
            pub fn title(self) -> &'static str {
                match self { $($name::$variant => $title,)* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($id => Some($name::$variant),)* _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// A section of the catalogue. Reports group checks by category, in this order.
    Category {
        Docs => "docs", "Ownership and docs";
        Testing => "testing", "Testing";
        Ci => "ci", "CI: build pipeline";
        Delivery => "delivery", "Delivery and rollback";
        Kubernetes => "kubernetes", "Kubernetes workloads";
        Containers => "containers", "Containers";
        Observability => "observability", "Observability";
        Alerting => "alerting", "Alerting";
        Security => "security", "Security and secrets";
        Data => "data", "Data and disaster recovery";
        Terraform => "terraform", "Terraform and IaC";
        Manual => "manual", "Manual attestations";
        Live => "live", "Live service";
        Custom => "custom", "Custom policies";
        Files => "files", "Files golive reads";
    }
}

string_enum! {
    /// Which findings fail the gate by their severity (`--fail-on`, `fail_on` in golive.toml).
    FailOn {
        Error => "error", "findings with severity error";
        Warning => "warning", "findings with severity warning or error";
        Never => "never", "no finding (only the required level)";
    }
}

// The enum comes from `string_enum!`, which cannot mark a variant `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for FailOn {
    fn default() -> Self {
        FailOn::Error
    }
}

string_enum! {
    /// Something detected about a repository that decides which checks apply.
    Facet {
        Kubernetes => "kubernetes", "Kubernetes manifests";
        Helm => "helm", "Helm charts";
        Kustomize => "kustomize", "Kustomize";
        Terraform => "terraform", "Terraform";
        Docker => "docker", "Dockerfiles";
        GithubActions => "github-actions", "GitHub Actions";
        GitlabCi => "gitlab-ci", "GitLab CI";
        PrometheusRules => "prometheus-rules", "Prometheus rules";
        Alertmanager => "alertmanager", "Alertmanager";
        Openapi => "openapi", "OpenAPI";
        Cargo => "cargo", "Rust (Cargo)";
        Npm => "npm", "Node (npm, yarn, pnpm)";
        Go => "go", "Go modules";
        Maven => "maven", "Java (Maven)";
        Gradle => "gradle", "Java/Kotlin (Gradle)";
        Python => "python", "Python (pip, poetry, uv)";
        Dotnet => "dotnet", ".NET";
        Ruby => "ruby", "Ruby (Bundler)";
    }
}

impl Facet {
    /// Whether the facet is a language ecosystem (the service's code) rather than an artefact kind.
    pub fn is_ecosystem(self) -> bool {
        matches!(
            self,
            Facet::Cargo
                | Facet::Npm
                | Facet::Go
                | Facet::Maven
                | Facet::Gradle
                | Facet::Python
                | Facet::Dotnet
                | Facet::Ruby
        )
    }
}

/// A place in a scanned file. Lines and columns are 1-based; columns count characters.
/// `end_*` is inclusive of the last character's line and exclusive of its column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Relative to the scanned root, with `/` separators.
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Location {
    /// A location covering a whole file (its first line), for findings about a file as a whole.
    pub fn file(path: impl Into<String>) -> Location {
        Location {
            path: path.into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        }
    }

    /// A location at a line (the whole line is the span when rendered).
    pub fn line(path: impl Into<String>, line: u32) -> Location {
        Location {
            path: path.into(),
            line,
            column: 1,
            end_line: line,
            end_column: 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

/// A few lines of source around a finding, for renderers that show code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// The line number of the first line in `text`.
    pub start_line: u32,
    pub text: String,
    /// The finding's span within `text` as (line, column, end line, end column), when it differs
    /// from the finding's location because redaction changed the text's length. Not serialised:
    /// renderers that read a report back from JSON fall back to the location.
    #[serde(skip)]
    pub mark: Option<(u32, u32, u32, u32)>,
}

/// One offending place. A failing check has one finding per place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// None for findings about the repository as a whole (e.g. "no CODEOWNERS file").
    #[serde(flatten, with = "optional_location")]
    pub location: Option<Location>,
    pub message: String,
    /// The severity after configuration overrides.
    pub severity: Severity,
    /// A short hint on how to fix this particular finding, when it differs from the check's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// A stable identifier for this finding that does not depend on line numbers.
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
    /// Text that must never be printed (e.g. a secret): the engine replaces every occurrence in
    /// the snippet with `redacted_as`. Never serialised.
    #[serde(skip)]
    pub redact: Vec<(String, String)>,
    /// Whether the check chose the severity itself (otherwise the engine applies the check's).
    #[serde(skip)]
    pub(crate) severity_chosen: bool,
    /// With `--baseline`: whether the baseline report had this finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
}

/// A finding compared with a baseline report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaselineState {
    /// Not in the baseline: it can fail the gate.
    New,
    /// In the baseline: reported, but it does not fail the gate.
    Existing,
}

impl Finding {
    /// A finding at a location. The severity is set by the engine from the check's metadata
    /// unless the check sets one with [`Finding::with_severity`].
    pub fn at(location: Location, message: impl Into<String>) -> Finding {
        Finding {
            location: Some(location),
            message: message.into(),
            severity: Severity::Info,
            help: None,
            fingerprint: String::new(),
            snippet: None,
            redact: Vec::new(),
            severity_chosen: false,
            baseline: None,
        }
    }

    /// A finding about the repository as a whole.
    pub fn repo(message: impl Into<String>) -> Finding {
        Finding {
            location: None,
            message: message.into(),
            severity: Severity::Info,
            help: None,
            fingerprint: String::new(),
            snippet: None,
            redact: Vec::new(),
            severity_chosen: false,
            baseline: None,
        }
    }

    /// Give this finding its own severity (e.g. a deprecated-but-working setting is a warning
    /// in a check whose default is error). Configuration overrides still win.
    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self.severity_chosen = true;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// Never print `secret`; show `shown_as` in its place in snippets.
    pub fn redacting(mut self, secret: impl Into<String>, shown_as: impl Into<String>) -> Finding {
        self.redact.push((secret.into(), shown_as.into()));
        self
    }
}

mod optional_location {
    use super::Location;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Flat {
        path: Option<String>,
        line: Option<u32>,
        column: Option<u32>,
        end_line: Option<u32>,
        end_column: Option<u32>,
    }

    pub fn serialize<S: Serializer>(loc: &Option<Location>, s: S) -> Result<S::Ok, S::Error> {
        let flat = match loc {
            Some(l) => Flat {
                path: Some(l.path.clone()),
                line: Some(l.line),
                column: Some(l.column),
                end_line: Some(l.end_line),
                end_column: Some(l.end_column),
            },
            None => Flat {
                path: None,
                line: None,
                column: None,
                end_line: None,
                end_column: None,
            },
        };
        flat.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Location>, D::Error> {
        let flat = Flat::deserialize(d)?;
        Ok(match (flat.path, flat.line) {
            (Some(path), Some(line)) => Some(Location {
                path,
                line,
                column: flat.column.unwrap_or(1),
                end_line: flat.end_line.unwrap_or(line),
                end_column: flat.end_column.unwrap_or(1),
            }),
            _ => None,
        })
    }
}

/// What satisfied a passing check (or what was looked at), so a pass can be trusted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

impl Evidence {
    pub fn at(path: impl Into<String>, line: u32, message: impl Into<String>) -> Evidence {
        Evidence {
            path: Some(path.into()),
            line: Some(line),
            message: message.into(),
        }
    }

    /// Evidence at a location (its path and first line): the way to cite a YAML node, whose
    /// location knows which file it comes from (a kustomize overlay renders objects whose nodes
    /// come from several files).
    pub fn located(location: &Location, message: impl Into<String>) -> Evidence {
        Evidence {
            path: Some(location.path.clone()),
            line: (location.line > 0).then_some(location.line),
            message: message.into(),
        }
    }

    pub fn file(path: impl Into<String>, message: impl Into<String>) -> Evidence {
        Evidence {
            path: Some(path.into()),
            line: None,
            message: message.into(),
        }
    }

    pub fn note(message: impl Into<String>) -> Evidence {
        Evidence {
            path: None,
            line: None,
            message: message.into(),
        }
    }
}

/// A small table a check attaches to its result for people to read at a glance (the alerting
/// signals × alert, severity, `for`, runbook table, for instance). Every output renders it; it
/// never decides the status, which comes from findings alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    /// Each row has one cell per column.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(title: impl Into<String>, columns: &[&str]) -> Table {
        Table {
            title: title.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row, padded with empty cells or cut to the number of columns.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut row: Vec<String> = cells.into_iter().map(Into::into).collect();
        row.resize(self.columns.len(), String::new());
        self.rows.push(row);
    }
}
