//! golive.toml: service, tier, target level, check selection, severity overrides, waivers and
//! the `[secrets]` table of secrets/committed, validated key by key so that a mistake names the file, the line, the key and the nearest
//! valid key.

use crate::date::Date;
use crate::model::{FailOn, Level, Severity};
use crate::text::LineIndex;
use globset::{Glob, GlobMatcher};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The file name golive looks for at the root of a scanned repository.
pub const CONFIG_FILE: &str = "golive.toml";

/// The validated configuration. `Config::default()` is what a repository without golive.toml gets.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where the configuration came from (None: defaults).
    pub source: Option<PathBuf>,
    pub service: Option<String>,
    /// 1 is the most critical.
    pub tier: Option<u8>,
    /// The level the gate requires (bronze when unset).
    pub target_level: Option<Level>,
    /// Which findings fail the gate by severity (`fail_on`; error when unset).
    pub fail_on: FailOn,
    /// Check ids or id prefixes (`k8s`, `k8s/`, `k8s/replicas`) to run; empty means all.
    pub select: Vec<String>,
    /// Check ids or id prefixes not to run.
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub waivers: Vec<Waiver>,
    /// Globs (relative to the scanned root) of paths golive does not read at all.
    pub exclude: Vec<String>,
    /// `[secrets]`: fingerprints and paths secrets/committed allows, and user rules.
    pub secrets: SecretsConfig,
    /// `[[custom]]`: Rego policy sets, each run as the check `custom/<name>`.
    pub custom: Vec<CustomCheckConfig>,
    /// `[probe]`: how `golive probe` (and `golive check --probe`) probes a running service.
    pub probe: ProbeConfig,
}

/// A `[[custom]]` entry: a set of Rego (OPA/conftest) policies run as the check `custom/<name>`.
///
/// ```toml
/// [[custom]]
/// name = "k8s-policies"            # the check custom/k8s-policies
/// policy = "policy/"               # a .rego file or a folder (or a list of them), relative to golive.toml
/// namespaces = ["main"]            # conftest's default; ["*"] = every package with rules
/// files = ["deploy/**/*.yaml"]     # optional: only these inputs
/// data = ["policy/data.yaml"]      # optional: JSON/YAML documents merged into `data`
/// level = "silver"                 # default silver
/// severity = "error"               # of deny/violation findings (warn findings are warnings)
/// title = "Team Kubernetes policies"
/// ```
#[derive(Debug, Clone)]
pub struct CustomCheckConfig {
    /// `[a-z0-9-]+`, unique among `[[custom]]` entries.
    pub name: String,
    /// Policy files or folders as written, relative to the folder of golive.toml.
    pub policy: Vec<String>,
    /// Rego packages whose rules are evaluated (`main` unless set; `*` means all).
    pub namespaces: Vec<String>,
    /// Globs limiting the inputs (empty: every document golive can give a policy).
    pub files: Vec<PathGlob>,
    /// JSON or YAML files merged into `data`, relative to the folder of golive.toml.
    pub data: Vec<String>,
    pub level: Level,
    pub severity: Severity,
    pub title: Option<String>,
    /// Where the entry is declared, as `golive.toml:LINE`.
    pub declared_at: String,
}

impl CustomCheckConfig {
    /// The id of the check this entry becomes.
    pub fn id(&self) -> String {
        format!("custom/{}", self.name)
    }
}

/// The `[probe]` table, read by `golive probe` and the live checks. Every field is optional;
/// flags on `golive probe` override them.
///
/// ```toml
/// [probe]
/// url = "https://staging.example.com"
/// health_paths = ["/healthz"]
/// metrics_path = "/metrics"
/// budget = 400                 # requests a run may send, at most
/// max_body_bytes = 65536       # the largest body sent (only live/payload-limit sends more)
/// timeout_ms = 5000
/// lb_idle_timeout_s = 60       # the load balancer's idle timeout (live/keepalive)
/// stop_5xx_rate = 0.2          # stop at the first sign of overload
/// latency = { rps = 20, duration_s = 10, concurrency = 4, p95_ms = 500, max_error_rate = 0.01 }
/// headers = { Authorization = "Bearer ..." }   # sent with every request, never printed
/// ca_file = "internal-ca.pem"  # PEM roots to trust for https targets (internal CAs), relative to golive.toml
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeConfig {
    pub url: Option<String>,
    /// Health paths to try, in order (empty: /healthz, /health, /livez, /readyz, /ready).
    pub health_paths: Vec<String>,
    pub metrics_path: Option<String>,
    /// The most requests one run sends.
    pub budget: u32,
    /// The largest request body sent, except by live/payload-limit.
    pub max_body_bytes: u64,
    pub timeout_ms: u64,
    /// The load balancer's idle timeout the server's keep-alive must outlast.
    pub lb_idle_timeout_s: u64,
    pub latency: ProbeLatency,
    /// The share of 5xx answers (0..=1) at which a probe stops sending.
    pub stop_5xx_rate: f64,
    /// Extra request headers (e.g. authorization), sent with every request and never printed.
    pub headers: Vec<(String, String)>,
    /// PEM file of root certificates to trust for https targets instead of Mozilla's (an
    /// internal CA, tests); relative to the current folder.
    pub ca_file: Option<String>,
}

/// `[probe.latency]`: the bounded load of live/latency and its SLO.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeLatency {
    pub rps: u32,
    pub duration_s: u32,
    pub concurrency: u32,
    pub p95_ms: u64,
    pub max_error_rate: f64,
}

impl Default for ProbeLatency {
    fn default() -> Self {
        ProbeLatency {
            rps: 20,
            duration_s: 10,
            concurrency: 4,
            p95_ms: 500,
            max_error_rate: 0.01,
        }
    }
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            url: None,
            health_paths: Vec::new(),
            metrics_path: None,
            budget: 400,
            max_body_bytes: 64 * 1024,
            timeout_ms: 5000,
            lb_idle_timeout_s: 60,
            latency: ProbeLatency::default(),
            stop_5xx_rate: 0.2,
            headers: Vec::new(),
            ca_file: None,
        }
    }
}

/// The `[secrets]` table, read by secrets/committed.
///
/// ```toml
/// [secrets]
/// allow = ["fp:3a7bd3e2360a"]          # fingerprints shown in findings, never the secret itself
/// allow_paths = ["docs/samples/**"]    # files not scanned for secrets
/// [[secrets.rules]]
/// id = "acme-api-key"
/// regex = "acme_[a-z0-9]{32}"          # the `secret` capture group, else group 1, else the match
/// keywords = ["acme_"]                 # literals, one of which is in every match (the prefilter)
/// ```
#[derive(Debug, Clone, Default)]
pub struct SecretsConfig {
    /// Fingerprints (`fp:` and 12 lowercase hex digits) of values that are not secrets.
    pub allow: Vec<String>,
    /// Globs of paths that are not scanned for secrets.
    pub allow_paths: Vec<PathGlob>,
    /// User rules, added to the built-in ones. Their regexes are compiled by the check, which
    /// reports an invalid one as an error naming `declared_at`.
    pub rules: Vec<SecretRule>,
}

/// A glob as written, and its compiled matcher.
#[derive(Debug, Clone)]
pub struct PathGlob {
    pub glob: String,
    pub matcher: GlobMatcher,
}

/// A user rule of `[[secrets.rules]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRule {
    /// kebab-case, unique among user rules; shown in findings.
    pub id: String,
    pub regex: String,
    /// Literal strings (3 characters or more), one of which occurs in every match.
    pub keywords: Vec<String>,
    /// Where the regex is declared, as `golive.toml:LINE`.
    pub declared_at: String,
}

/// The length of the hex part of a secret fingerprint (`fp:` + this many hex digits).
pub const SECRET_FINGERPRINT_HEX: usize = 12;

/// An accountable exception: a check (optionally limited to paths) is waived until a date.
#[derive(Debug, Clone)]
pub struct Waiver {
    pub check: String,
    pub path: Option<String>,
    pub matcher: Option<GlobMatcher>,
    pub reason: String,
    pub owner: String,
    pub expires: Option<Date>,
    /// Where it is declared, as `golive.toml:LINE`.
    pub declared_at: String,
}

impl Config {
    /// The `exclude` globs as one matcher (None when there are none).
    pub fn exclude_set(&self) -> Option<globset::GlobSet> {
        if self.exclude.is_empty() {
            return None;
        }
        let mut builder = globset::GlobSetBuilder::new();
        for g in &self.exclude {
            if let Ok(glob) = Glob::new(g) {
                builder.add(glob);
            }
        }
        builder.build().ok()
    }

    pub fn target_level(&self) -> Level {
        self.target_level.unwrap_or(Level::Bronze)
    }

    /// Whether a check id is selected by `select`/`ignore`.
    pub fn is_selected(&self, id: &str) -> bool {
        let matches = |pat: &String| {
            let pat = pat.trim_end_matches('/');
            id == pat
                || id
                    .strip_prefix(pat)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        (self.select.is_empty() || self.select.iter().any(matches))
            && !self.ignore.iter().any(matches)
    }

    /// Loads `path`. Every problem is a [`ConfigError`] naming the file, line and key.
    pub fn load(path: &Path, known_checks: &[&str]) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: 0,
            key: String::new(),
            message: format!("cannot read: {e}"),
            suggestion: None,
        })?;
        let mut config = Config::parse(&text, &path.display().to_string(), known_checks)?;
        // Paths in golive.toml are relative to the file, wherever golive runs from.
        if let (Some(ca), Some(dir)) = (&config.probe.ca_file, path.parent())
            && Path::new(ca).is_relative()
            && !dir.as_os_str().is_empty()
        {
            config.probe.ca_file = Some(dir.join(ca).display().to_string());
        }
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses configuration text; `file` is used in messages.
    pub fn parse(text: &str, file: &str, known_checks: &[&str]) -> Result<Config, ConfigError> {
        let reader = Reader {
            text,
            file,
            lines: LineIndex::new(text),
            known_checks,
        };
        reader.read()
    }
}

/// A configuration mistake. Displayed as `golive.toml:7: key `taget_level`: unknown key (did you mean `target_level`?)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the file could not be read at all.
    pub line: u32,
    pub key: String,
    pub message: String,
    pub suggestion: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        write!(f, ": ")?;
        if !self.key.is_empty() {
            write!(f, "key `{}`: ", self.key)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

const TOP_KEYS: &[&str] = &[
    "service",
    "tier",
    "target_level",
    "fail_on",
    "select",
    "ignore",
    "exclude",
    "severity",
    "waiver",
    "secrets",
    "custom",
    "probe",
];
const CUSTOM_KEYS: &[&str] = &[
    "name",
    "policy",
    "namespaces",
    "files",
    "data",
    "level",
    "severity",
    "title",
];
const PROBE_KEYS: &[&str] = &[
    "url",
    "health_paths",
    "metrics_path",
    "budget",
    "max_body_bytes",
    "timeout_ms",
    "lb_idle_timeout_s",
    "latency",
    "stop_5xx_rate",
    "headers",
    "ca_file",
];
const PROBE_LATENCY_KEYS: &[&str] = &[
    "rps",
    "duration_s",
    "concurrency",
    "p95_ms",
    "max_error_rate",
];
const SECRETS_KEYS: &[&str] = &["allow", "allow_paths", "rules"];
const SECRET_RULE_KEYS: &[&str] = &["id", "regex", "keywords"];
const WAIVER_KEYS: &[&str] = &["check", "path", "reason", "owner", "expires"];
const LEVELS: &[&str] = &["bronze", "silver", "gold"];
const SEVERITIES: &[&str] = &["info", "warning", "error"];

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 2).max(2))
        .min()
        .map(|(_, c)| c)
        .or_else(|| {
            // Prefix typos of long ids (`k8s/replica` for `k8s/replicas`).
            candidates
                .iter()
                .copied()
                .find(|c| c.starts_with(word) || word.starts_with(*c))
        })
}

struct Reader<'a> {
    text: &'a str,
    file: &'a str,
    lines: LineIndex,
    known_checks: &'a [&'a str],
}

type Table<'i> = DeTable<'i>;

impl<'a> Reader<'a> {
    fn line(&self, span: &Range<usize>) -> u32 {
        self.lines.position(self.text, span.start).0
    }

    fn error(&self, span: &Range<usize>, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.to_string(),
            line: self.line(span),
            key: key.to_string(),
            message: message.into(),
            suggestion: None,
        }
    }

    fn unknown(&self, span: &Range<usize>, key: &str, valid: &[&str], what: &str) -> ConfigError {
        let mut e = self.error(span, key, format!("unknown {what}"));
        e.suggestion = nearest(key, valid).map(str::to_string);
        if e.suggestion.is_none() {
            e.message = format!("unknown {what}; valid: {}", valid.join(", "));
        }
        e
    }

    fn read(&self) -> Result<Config, ConfigError> {
        let root = DeTable::parse(self.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            self.error(&span, "", format!("invalid TOML: {}", e.message().trim()))
        })?;
        // `[[custom]]` entries are read first: each declares a check id (`custom/<name>`) that
        // `select`, `ignore`, `[severity]` and waivers may name.
        let custom_value = root
            .get_ref()
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == "custom")
            .map(|(_, v)| v);
        let custom = match custom_value {
            Some(value) => self.custom_entries(value)?,
            None => Vec::new(),
        };
        if custom.is_empty() || self.known_checks.is_empty() {
            let mut config = self.read_root(&root)?;
            config.custom = custom;
            return Ok(config);
        }
        let ids: Vec<String> = custom.iter().map(CustomCheckConfig::id).collect();
        let mut known: Vec<&str> = self.known_checks.to_vec();
        known.extend(ids.iter().map(String::as_str));
        let reader = Reader {
            text: self.text,
            file: self.file,
            lines: LineIndex::new(self.text),
            known_checks: &known,
        };
        let mut config = reader.read_root(&root)?;
        config.custom = custom;
        Ok(config)
    }

    fn read_root(&self, root: &Spanned<Table<'_>>) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        for (key, value) in root.get_ref().iter() {
            let name = key.get_ref().as_ref();
            let span = key.span();
            match name {
                "service" => config.service = Some(self.string(value, name)?),
                "tier" => {
                    let tier = self.integer(value, name)?;
                    if !(1..=3).contains(&tier) {
                        return Err(self.error(
                            &value.span(),
                            name,
                            format!("tier must be 1, 2 or 3 (1 is the most critical), not {tier}"),
                        ));
                    }
                    config.tier = Some(tier as u8);
                }
                "target_level" => {
                    let s = self.string(value, name)?;
                    config.target_level = Some(Level::parse(&s).ok_or_else(|| {
                        let mut e = self.error(
                            &value.span(),
                            name,
                            format!("`{s}` is not a level; valid: bronze, silver, gold"),
                        );
                        e.suggestion = nearest(&s, LEVELS).map(str::to_string);
                        e
                    })?);
                }
                "fail_on" => {
                    let s = self.string(value, name)?;
                    config.fail_on = FailOn::parse(&s).ok_or_else(|| {
                        let names: Vec<&str> = FailOn::ALL.iter().map(|f| f.as_str()).collect();
                        let mut e = self.error(
                            &value.span(),
                            name,
                            format!("`{s}` is not a fail_on value; valid: {}", names.join(", ")),
                        );
                        e.suggestion = nearest(&s, &names).map(str::to_string);
                        e
                    })?;
                }
                "select" => config.select = self.check_list(value, name)?,
                "exclude" => {
                    let DeValue::Array(items) = value.get_ref() else {
                        return Err(self.error(
                            &value.span(),
                            name,
                            "must be a list of path globs, e.g. [\"vendor/**\"]",
                        ));
                    };
                    for item in items.iter() {
                        let glob = self.string(item, name)?;
                        Glob::new(&glob).map_err(|e| {
                            self.error(&item.span(), name, format!("invalid glob `{glob}`: {e}"))
                        })?;
                        config.exclude.push(glob);
                    }
                }
                "ignore" => config.ignore = self.check_list(value, name)?,
                "severity" => {
                    let table = self.table(value, name)?;
                    for (check, sev) in table.iter() {
                        let check_name = check.get_ref().as_ref();
                        let key_path = format!("severity.\"{check_name}\"");
                        self.known_check(check_name, &check.span(), &key_path)?;
                        let s = self.string(sev, &key_path)?;
                        let level = Severity::parse(&s).ok_or_else(|| {
                            let mut e = self.error(
                                &sev.span(),
                                &key_path,
                                format!("`{s}` is not a severity; valid: info, warning, error"),
                            );
                            e.suggestion = nearest(&s, SEVERITIES).map(str::to_string);
                            e
                        })?;
                        config.severity.insert(check_name.to_string(), level);
                    }
                }
                "waiver" => {
                    let DeValue::Array(items) = value.get_ref() else {
                        return Err(self.error(
                            &value.span(),
                            name,
                            "must be an array of tables: write `[[waiver]]`",
                        ));
                    };
                    for item in items.iter() {
                        config.waivers.push(self.waiver(item)?);
                    }
                }
                "secrets" => config.secrets = self.secrets(value)?,
                "custom" => {} // read first, in `read`
                "probe" => config.probe = self.probe(value)?,
                other => return Err(self.unknown(&span, other, TOP_KEYS, "key")),
            }
        }
        Ok(config)
    }

    fn custom_entries(
        &self,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Vec<CustomCheckConfig>, ConfigError> {
        let items = self.array(value, "custom", "an array of tables: write `[[custom]]`")?;
        let mut out: Vec<CustomCheckConfig> = Vec::new();
        for item in items {
            let entry = self.custom_entry(item)?;
            if out.iter().any(|c| c.name == entry.name) {
                return Err(self.error(
                    &item.span(),
                    "custom.name",
                    format!("custom check `{}` is declared twice", entry.name),
                ));
            }
            out.push(entry);
        }
        Ok(out)
    }

    /// A list of strings, or one string (`policy = "policy/"`).
    fn strings(&self, value: &Spanned<DeValue<'_>>, key: &str) -> Result<Vec<String>, ConfigError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(vec![s.to_string()]),
            DeValue::Array(items) => items.iter().map(|i| self.string(i, key)).collect(),
            _ => Err(self.error(&value.span(), key, "must be a string or a list of strings")),
        }
    }

    fn custom_entry(&self, item: &Spanned<DeValue<'_>>) -> Result<CustomCheckConfig, ConfigError> {
        let table = self.table(item, "custom")?;
        let at = item.span();
        let mut name = None;
        let mut policy = None;
        let mut entry = CustomCheckConfig {
            name: String::new(),
            policy: Vec::new(),
            namespaces: vec!["main".to_string()],
            files: Vec::new(),
            data: Vec::new(),
            level: Level::Silver,
            severity: Severity::Error,
            title: None,
            declared_at: format!("{}:{}", self.file_name(), self.line(&at)),
        };
        for (key, value) in table.iter() {
            let key_name = key.get_ref().as_ref();
            let key_path = format!("custom.{key_name}");
            match key_name {
                "name" => {
                    let s = self.string(value, &key_path)?;
                    let ok = !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                    if !ok {
                        return Err(self.error(
                            &value.span(),
                            &key_path,
                            format!("`{s}` is not a custom check name: use lowercase letters, digits and `-`, e.g. \"k8s-policies\" (the check is custom/<name>)"),
                        ));
                    }
                    name = Some(s);
                }
                "policy" => {
                    let list = self.strings(value, &key_path)?;
                    if list.is_empty() || list.iter().any(|p| p.trim().is_empty()) {
                        return Err(self.error(
                            &value.span(),
                            &key_path,
                            "must name a .rego file or a folder of policies",
                        ));
                    }
                    policy = Some(list);
                }
                "namespaces" => {
                    let list = self.strings(value, &key_path)?;
                    if list.is_empty() {
                        return Err(self.error(
                            &value.span(),
                            &key_path,
                            "must list at least one Rego package (conftest's default is \"main\"; \"*\" means all)",
                        ));
                    }
                    entry.namespaces = list;
                }
                "files" => {
                    for item in self.array(value, &key_path, "a list of path globs")? {
                        let s = self.string(item, &key_path)?;
                        let glob = Glob::new(&s).map_err(|e| {
                            self.error(&item.span(), &key_path, format!("invalid glob `{s}`: {e}"))
                        })?;
                        entry.files.push(PathGlob {
                            glob: s,
                            matcher: glob.compile_matcher(),
                        });
                    }
                }
                "data" => entry.data = self.strings(value, &key_path)?,
                "level" => {
                    let s = self.string(value, &key_path)?;
                    entry.level = Level::parse(&s).ok_or_else(|| {
                        let mut e = self.error(
                            &value.span(),
                            &key_path,
                            format!("`{s}` is not a level; valid: bronze, silver, gold"),
                        );
                        e.suggestion = nearest(&s, LEVELS).map(str::to_string);
                        e
                    })?;
                }
                "severity" => {
                    let s = self.string(value, &key_path)?;
                    entry.severity = Severity::parse(&s).ok_or_else(|| {
                        let mut e = self.error(
                            &value.span(),
                            &key_path,
                            format!("`{s}` is not a severity; valid: info, warning, error"),
                        );
                        e.suggestion = nearest(&s, SEVERITIES).map(str::to_string);
                        e
                    })?;
                }
                "title" => entry.title = Some(self.string(value, &key_path)?),
                other => {
                    return Err(self.unknown(&key.span(), other, CUSTOM_KEYS, "key of [[custom]]"));
                }
            }
        }
        let missing = |k: &str| {
            self.error(
                &at,
                &format!("custom.{k}"),
                format!("every [[custom]] entry needs `{k}` (name, policy)"),
            )
        };
        entry.name = name.ok_or_else(|| missing("name"))?;
        entry.policy = policy.ok_or_else(|| missing("policy"))?;
        Ok(entry)
    }

    fn secrets(&self, value: &Spanned<DeValue<'_>>) -> Result<SecretsConfig, ConfigError> {
        let table = self.table(value, "secrets")?;
        let mut out = SecretsConfig::default();
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let key_path = format!("secrets.{name}");
            match name {
                "allow" => {
                    for item in self.array(value, &key_path, "a list of fingerprints")? {
                        let s = self.string(item, &key_path)?.to_ascii_lowercase();
                        let hex = s.strip_prefix("fp:").unwrap_or("");
                        if hex.len() != SECRET_FINGERPRINT_HEX
                            || !hex.bytes().all(|b| b.is_ascii_hexdigit())
                        {
                            return Err(self.error(
                                &item.span(),
                                &key_path,
                                // Never echo the value: it may be the secret pasted by mistake.
                                format!("not a secret fingerprint: write it as shown in the finding, `fp:` and {SECRET_FINGERPRINT_HEX} hex digits (never the secret itself)"),
                            ));
                        }
                        out.allow.push(s);
                    }
                }
                "allow_paths" => {
                    for item in self.array(value, &key_path, "a list of path globs")? {
                        let s = self.string(item, &key_path)?;
                        let glob = Glob::new(&s).map_err(|e| {
                            self.error(&item.span(), &key_path, format!("invalid glob `{s}`: {e}"))
                        })?;
                        out.allow_paths.push(PathGlob {
                            glob: s,
                            matcher: glob.compile_matcher(),
                        });
                    }
                }
                "rules" => {
                    let items = self.array(
                        value,
                        &key_path,
                        "an array of tables: write `[[secrets.rules]]`",
                    )?;
                    for item in items {
                        let rule = self.secret_rule(item)?;
                        if out.rules.iter().any(|r| r.id == rule.id) {
                            return Err(self.error(
                                &item.span(),
                                "secrets.rules.id",
                                format!("rule id `{}` is declared twice", rule.id),
                            ));
                        }
                        out.rules.push(rule);
                    }
                }
                other => {
                    return Err(self.unknown(&key.span(), other, SECRETS_KEYS, "key of [secrets]"));
                }
            }
        }
        Ok(out)
    }

    fn probe(&self, value: &Spanned<DeValue<'_>>) -> Result<ProbeConfig, ConfigError> {
        let table = self.table(value, "probe")?;
        let mut out = ProbeConfig::default();
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let key_path = format!("probe.{name}");
            let span = value.span();
            match name {
                "url" => {
                    let s = self.string(value, &key_path)?;
                    if !(s.starts_with("http://") || s.starts_with("https://")) {
                        return Err(self.error(
                            &span,
                            &key_path,
                            format!("`{s}` is not an http:// or https:// URL"),
                        ));
                    }
                    out.url = Some(s);
                }
                "health_paths" => {
                    out.health_paths.clear();
                    for item in
                        self.array(value, &key_path, "a list of paths, e.g. [\"/healthz\"]")?
                    {
                        out.health_paths.push(self.path(item, &key_path)?);
                    }
                }
                "metrics_path" => out.metrics_path = Some(self.path(value, &key_path)?),
                "ca_file" => {
                    let s = self.string(value, &key_path)?;
                    if s.trim().is_empty() {
                        return Err(self.error(
                            &span,
                            &key_path,
                            "an empty path: name a PEM file of root certificates",
                        ));
                    }
                    out.ca_file = Some(s);
                }
                "budget" => out.budget = self.bounded(value, &key_path, 1, 100_000)? as u32,
                "max_body_bytes" => {
                    out.max_body_bytes = self.bounded(value, &key_path, 0, 1 << 30)? as u64
                }
                "timeout_ms" => out.timeout_ms = self.bounded(value, &key_path, 1, 600_000)? as u64,
                "lb_idle_timeout_s" => {
                    out.lb_idle_timeout_s = self.bounded(value, &key_path, 1, 3600)? as u64
                }
                "stop_5xx_rate" => out.stop_5xx_rate = self.ratio(value, &key_path)?,
                "latency" => {
                    let table = self.table(value, &key_path)?;
                    for (k, v) in table.iter() {
                        let n = k.get_ref().as_ref();
                        let kp = format!("probe.latency.{n}");
                        match n {
                            "rps" => out.latency.rps = self.bounded(v, &kp, 1, 10_000)? as u32,
                            "duration_s" => {
                                out.latency.duration_s = self.bounded(v, &kp, 1, 3600)? as u32
                            }
                            "concurrency" => {
                                out.latency.concurrency = self.bounded(v, &kp, 1, 1000)? as u32
                            }
                            "p95_ms" => {
                                out.latency.p95_ms = self.bounded(v, &kp, 1, 600_000)? as u64
                            }
                            "max_error_rate" => out.latency.max_error_rate = self.ratio(v, &kp)?,
                            other => {
                                return Err(self.unknown(
                                    &k.span(),
                                    other,
                                    PROBE_LATENCY_KEYS,
                                    "key of [probe.latency]",
                                ));
                            }
                        }
                    }
                }
                "headers" => {
                    let table = self.table(value, &key_path)?;
                    for (k, v) in table.iter() {
                        let n = k.get_ref().as_ref();
                        let kp = format!("probe.headers.{n}");
                        let valid = !n.is_empty()
                            && n.bytes().all(|b| {
                                b.is_ascii_alphanumeric() || b"-_!#$%&'*+.^`|~".contains(&b)
                            });
                        if !valid {
                            return Err(self.error(&k.span(), &kp, "not a valid HTTP header name"));
                        }
                        // Never echo the value: it is often a credential.
                        let s = self.string(v, &kp)?;
                        if s.contains(['\r', '\n']) {
                            return Err(self.error(
                                &v.span(),
                                &kp,
                                "a header value cannot contain a line break",
                            ));
                        }
                        out.headers.push((n.to_string(), s));
                    }
                }
                other => {
                    return Err(self.unknown(&key.span(), other, PROBE_KEYS, "key of [probe]"));
                }
            }
        }
        Ok(out)
    }

    /// A URL path: starts with `/`.
    fn path(&self, value: &Spanned<DeValue<'_>>, key: &str) -> Result<String, ConfigError> {
        let s = self.string(value, key)?;
        if !s.starts_with('/') {
            return Err(self.error(
                &value.span(),
                key,
                format!("`{s}` is not a path: write it from the root, e.g. \"/{s}\""),
            ));
        }
        Ok(s)
    }

    /// A whole number within `min..=max`.
    fn bounded(
        &self,
        value: &Spanned<DeValue<'_>>,
        key: &str,
        min: i64,
        max: i64,
    ) -> Result<i64, ConfigError> {
        let n = self.integer(value, key)?;
        if !(min..=max).contains(&n) {
            return Err(self.error(
                &value.span(),
                key,
                format!("must be between {min} and {max}, not {n}"),
            ));
        }
        Ok(n)
    }

    /// A ratio between 0 and 1 (a float, or 0 / 1).
    fn ratio(&self, value: &Spanned<DeValue<'_>>, key: &str) -> Result<f64, ConfigError> {
        let n = match value.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => i.as_str().parse::<f64>().ok(),
            _ => None,
        };
        match n {
            Some(n) if (0.0..=1.0).contains(&n) => Ok(n),
            _ => Err(self.error(
                &value.span(),
                key,
                "must be a ratio between 0 and 1, e.g. 0.2",
            )),
        }
    }

    fn secret_rule(&self, item: &Spanned<DeValue<'_>>) -> Result<SecretRule, ConfigError> {
        let table = self.table(item, "secrets.rules")?;
        let (mut id, mut regex, mut keywords) = (None, None, None);
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let key_path = format!("secrets.rules.{name}");
            match name {
                "id" => {
                    let s = self.string(value, &key_path)?;
                    let kebab = !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                    if !kebab {
                        return Err(self.error(
                            &value.span(),
                            &key_path,
                            format!(
                                "`{s}` is not a rule id: use kebab-case, e.g. \"acme-api-key\""
                            ),
                        ));
                    }
                    id = Some(s);
                }
                "regex" => {
                    let s = self.string(value, &key_path)?;
                    if s.is_empty() {
                        return Err(self.error(&value.span(), &key_path, "must not be empty"));
                    }
                    if let Err(e) = regex::Regex::new(&s) {
                        let first = e
                            .to_string()
                            .lines()
                            .last()
                            .unwrap_or("")
                            .trim()
                            .to_string();
                        return Err(self.error(
                            &value.span(),
                            &key_path,
                            format!("invalid regular expression: {first}"),
                        ));
                    }
                    regex = Some((s, self.line(&value.span())));
                }
                "keywords" => {
                    let mut list = Vec::new();
                    for k in self.array(value, &key_path, "a list of literal strings")? {
                        let s = self.string(k, &key_path)?;
                        if s.len() < 3 {
                            return Err(self.error(
                                &k.span(),
                                &key_path,
                                format!("keyword `{s}` is too short: keywords are the literal prefilter and need 3 characters or more"),
                            ));
                        }
                        list.push(s);
                    }
                    if list.is_empty() {
                        return Err(self.error(
                            &value.span(),
                            &key_path,
                            "must list at least one literal that every match contains",
                        ));
                    }
                    keywords = Some(list);
                }
                other => {
                    return Err(self.unknown(&key.span(), other, SECRET_RULE_KEYS, "rule key"));
                }
            }
        }
        let at = item.span();
        let missing = |k: &str| {
            self.error(
                &at,
                &format!("secrets.rules.{k}"),
                format!("every secret rule needs `{k}` (id, regex, keywords)"),
            )
        };
        let id = id.ok_or_else(|| missing("id"))?;
        let (regex, line) = regex.ok_or_else(|| missing("regex"))?;
        let keywords = keywords.ok_or_else(|| missing("keywords"))?;
        Ok(SecretRule {
            id,
            regex,
            keywords,
            declared_at: format!("{}:{line}", self.file_name()),
        })
    }

    fn array<'v, 'i>(
        &self,
        value: &'v Spanned<DeValue<'i>>,
        key: &str,
        what: &str,
    ) -> Result<&'v [Spanned<DeValue<'i>>], ConfigError> {
        match value.get_ref() {
            DeValue::Array(items) => Ok(&items[..]),
            _ => Err(self.error(&value.span(), key, format!("must be {what}"))),
        }
    }

    fn file_name(&self) -> String {
        Path::new(self.file)
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default()
    }

    fn waiver(&self, item: &Spanned<DeValue<'_>>) -> Result<Waiver, ConfigError> {
        let table = self.table(item, "waiver")?;
        let at = item.span();
        let (mut check, mut path, mut reason, mut owner, mut expires) =
            (None, None, None, None, None);
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let key_path = format!("waiver.{name}");
            match name {
                "check" => {
                    let s = self.string(value, &key_path)?;
                    self.known_check(&s, &value.span(), &key_path)?;
                    check = Some(s);
                }
                "path" => {
                    let s = self.string(value, &key_path)?;
                    let glob = Glob::new(&s).map_err(|e| {
                        self.error(&value.span(), &key_path, format!("invalid glob `{s}`: {e}"))
                    })?;
                    path = Some((s, glob.compile_matcher()));
                }
                "reason" => reason = Some(self.string(value, &key_path)?),
                "owner" => owner = Some(self.string(value, &key_path)?),
                "expires" => {
                    let date = match value.get_ref() {
                        DeValue::Datetime(dt) => dt.date.map(|d| Date {
                            year: d.year as i32,
                            month: d.month,
                            day: d.day,
                        }),
                        DeValue::String(s) => Date::parse(s),
                        _ => None,
                    };
                    expires = Some(date.ok_or_else(|| {
                        self.error(&value.span(), &key_path, "must be a date like 2027-03-01")
                    })?);
                }
                other => return Err(self.unknown(&key.span(), other, WAIVER_KEYS, "waiver key")),
            }
        }
        let missing = |k: &str| {
            self.error(&at, &format!("waiver.{k}"), format!("every waiver needs `{k}` (waivers are accountable: check, reason, owner, expires)"))
        };
        let check = check.ok_or_else(|| missing("check"))?;
        let reason = reason
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| missing("reason"))?;
        let owner = owner
            .filter(|o| !o.trim().is_empty())
            .ok_or_else(|| missing("owner"))?;
        let (path, matcher) = match path {
            Some((p, m)) => (Some(p), Some(m)),
            None => (None, None),
        };
        Ok(Waiver {
            check,
            path,
            matcher,
            reason,
            owner,
            expires,
            declared_at: format!(
                "{}:{}",
                Path::new(self.file)
                    .file_name()
                    .map(|f| f.to_string_lossy().to_string())
                    .unwrap_or_default(),
                self.line(&at)
            ),
        })
    }

    fn known_check(&self, id: &str, span: &Range<usize>, key: &str) -> Result<(), ConfigError> {
        if self.known_checks.is_empty() || self.known_checks.contains(&id) {
            return Ok(());
        }
        let mut e = self.error(
            span,
            key,
            format!("`{id}` is not a check id (see `golive checks`)"),
        );
        e.suggestion = nearest(id, self.known_checks).map(str::to_string);
        Err(e)
    }

    fn check_list(
        &self,
        value: &Spanned<DeValue<'_>>,
        key: &str,
    ) -> Result<Vec<String>, ConfigError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.error(
                &value.span(),
                key,
                "must be a list of check ids or categories, e.g. [\"k8s\", \"docs/readme\"]",
            ));
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let s = self.string(item, key)?;
            let prefix = s.trim_end_matches('/');
            let known = self.known_checks.is_empty()
                || self
                    .known_checks
                    .iter()
                    .any(|c| *c == prefix || c.starts_with(&format!("{prefix}/")));
            if !known {
                let mut prefixes: Vec<&str> = self
                    .known_checks
                    .iter()
                    .filter_map(|c| c.split('/').next())
                    .collect();
                prefixes.dedup();
                let mut candidates = self.known_checks.to_vec();
                candidates.extend(prefixes);
                let mut e = self.error(
                    &item.span(),
                    key,
                    format!("`{s}` names no check or category (see `golive checks`)"),
                );
                e.suggestion = nearest(&s, &candidates).map(str::to_string);
                return Err(e);
            }
            out.push(s);
        }
        Ok(out)
    }

    fn string(&self, value: &Spanned<DeValue<'_>>, key: &str) -> Result<String, ConfigError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            _ => Err(self.error(&value.span(), key, "must be a string")),
        }
    }

    fn integer(&self, value: &Spanned<DeValue<'_>>, key: &str) -> Result<i64, ConfigError> {
        match value.get_ref() {
            DeValue::Integer(i) => i
                .as_str()
                .replace('_', "")
                .parse::<i64>()
                .map_err(|_| self.error(&value.span(), key, "must be a whole number")),
            _ => Err(self.error(&value.span(), key, "must be a whole number")),
        }
    }

    fn table<'v, 'i>(
        &self,
        value: &'v Spanned<DeValue<'i>>,
        key: &str,
    ) -> Result<&'v Table<'i>, ConfigError> {
        match value.get_ref() {
            DeValue::Table(t) => Ok(t),
            _ => Err(self.error(&value.span(), key, "must be a table")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHECKS: &[&str] = &["k8s/replicas", "k8s/resources", "docs/readme"];

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "golive.toml", CHECKS)
    }

    #[test]
    fn reads_a_full_config() {
        let c = parse(
            r#"
service = "checkout"
tier = 1
target_level = "silver"
select = ["k8s"]
ignore = ["k8s/resources"]
[severity]
"k8s/replicas" = "warning"
[[waiver]]
check = "docs/readme"
path = "svc/**"
reason = "legacy"
owner = "@alice"
expires = 2027-03-01
"#,
        )
        .unwrap();
        assert_eq!(c.service.as_deref(), Some("checkout"));
        assert_eq!(c.tier, Some(1));
        assert_eq!(c.target_level(), Level::Silver);
        assert!(c.is_selected("k8s/replicas"));
        assert!(!c.is_selected("k8s/resources"));
        assert!(!c.is_selected("docs/readme"));
        assert_eq!(c.severity["k8s/replicas"], Severity::Warning);
        let w = &c.waivers[0];
        assert_eq!(
            w.expires,
            Some(Date {
                year: 2027,
                month: 3,
                day: 1
            })
        );
        assert_eq!(w.declared_at, "golive.toml:9");
        assert!(w.matcher.as_ref().unwrap().is_match("svc/a/b.yaml"));
        let c = parse("exclude = [\"vendor/**\", \"**/testdata\"]\n").unwrap();
        let set = c.exclude_set().unwrap();
        assert!(set.is_match("vendor/x/y.go") && set.is_match("a/testdata"));
        let e = parse("exclude = [\"a/[\"]\n").unwrap_err();
        assert!(e.message.contains("invalid glob"));
    }

    #[test]
    fn unknown_key_names_line_and_nearest_key() {
        let e = parse("service = \"x\"\ntaget_level = \"gold\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.key, "taget_level");
        assert_eq!(e.suggestion.as_deref(), Some("target_level"));
        assert_eq!(
            e.to_string(),
            "golive.toml:2: key `taget_level`: unknown key (did you mean `target_level`?)"
        );
    }

    #[test]
    fn bad_values_are_named() {
        let e = parse("target_level = \"sliver\"\n").unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("silver"));
        let e = parse("[severity]\n\"k8s/replica\" = \"warning\"\n").unwrap_err();
        assert_eq!((e.line, e.suggestion.as_deref()), (2, Some("k8s/replicas")));
        let e = parse("tier = 7\n").unwrap_err();
        assert!(e.message.contains("1, 2 or 3"));
        let e = parse("[[waiver]]\ncheck = \"docs/readme\"\nowner = \"@a\"\n").unwrap_err();
        assert_eq!(e.key, "waiver.reason");
        let e = parse("[[waiver]]\ncheck = \"docs/readme\"\nreason = \"r\"\nowner = \"@a\"\nexpire = 2027-01-01\n").unwrap_err();
        assert_eq!((e.line, e.suggestion.as_deref()), (5, Some("expires")));
        let e = parse("select = [\"k9s\"]\n").unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("k8s"));
    }

    #[test]
    fn reads_custom_entries_and_knows_their_ids() {
        let c = parse(
            r#"
select = ["custom/k8s-policies", "k8s"]
[severity]
"custom/k8s-policies" = "warning"

[[custom]]
name = "k8s-policies"
policy = "policy/"
namespaces = ["main", "k8s"]
files = ["deploy/**/*.yaml"]
level = "gold"
severity = "warning"
title = "Team Kubernetes policies"

[[custom]]
name = "tf"
policy = ["tf.rego", "lib/"]
data = "data.yaml"

[[waiver]]
check = "custom/tf"
reason = "legacy"
owner = "@alice"
"#,
        )
        .unwrap();
        assert_eq!(c.custom.len(), 2);
        let k = &c.custom[0];
        assert_eq!(k.id(), "custom/k8s-policies");
        assert_eq!(k.policy, ["policy/"]);
        assert_eq!(k.namespaces, ["main", "k8s"]);
        assert!(k.files[0].matcher.is_match("deploy/base/web.yaml"));
        assert_eq!((k.level, k.severity), (Level::Gold, Severity::Warning));
        assert_eq!(k.title.as_deref(), Some("Team Kubernetes policies"));
        assert_eq!(k.declared_at, "golive.toml:6");
        let t = &c.custom[1];
        assert_eq!(t.policy, ["tf.rego", "lib/"]);
        assert_eq!(t.namespaces, ["main"]);
        assert_eq!(t.data, ["data.yaml"]);
        assert_eq!((t.level, t.severity), (Level::Silver, Severity::Error));
        assert_eq!(c.severity["custom/k8s-policies"], Severity::Warning);
        assert!(c.is_selected("custom/k8s-policies") && !c.is_selected("custom/tf"));
        assert_eq!(c.waivers[0].check, "custom/tf");
    }

    #[test]
    fn custom_mistakes_are_named() {
        let e = parse("[[custom]]\nname = \"a\"\npolicy = \"p\"\nnamespace = [\"main\"]\n")
            .unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (4, "namespace"));
        assert_eq!(e.suggestion.as_deref(), Some("namespaces"));
        let e = parse("[[custom]]\nname = \"K8s Policies\"\npolicy = \"p\"\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (2, "custom.name"));
        let e = parse("[[custom]]\nname = \"a\"\n").unwrap_err();
        assert_eq!(e.key, "custom.policy");
        let e = parse("[[custom]]\nname = \"a\"\npolicy = \"p\"\nlevel = \"gld\"\n").unwrap_err();
        assert_eq!((e.line, e.suggestion.as_deref()), (4, Some("gold")));
        let e = parse(
            "[[custom]]\nname = \"a\"\npolicy = \"p\"\n[[custom]]\nname = \"a\"\npolicy = \"q\"\n",
        )
        .unwrap_err();
        assert!(e.message.contains("declared twice"));
        let e = parse("custom = \"x\"\n").unwrap_err();
        assert!(e.message.contains("[[custom]]"));
        let e = parse("[[custom]]\nname = \"a\"\npolicy = \"p\"\nfiles = [\"a/[\"]\n").unwrap_err();
        assert!(e.message.contains("invalid glob"));
        // An id of an entry that is not declared is still unknown.
        let e = parse(
            "[[custom]]\nname = \"a\"\npolicy = \"p\"\n[severity]\n\"custom/b\" = \"info\"\n",
        )
        .unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("custom/a"));
    }

    #[test]
    fn reads_the_secrets_table() {
        let c = parse(
            r#"
[secrets]
allow = ["fp:3A7BD3E2360A", "fp:0123456789ab"]
allow_paths = ["docs/samples/**"]

[[secrets.rules]]
id = "acme-api-key"
regex = "acme_(?P<secret>[a-z0-9]{32})"
keywords = ["acme_"]
"#,
        )
        .unwrap();
        let s = &c.secrets;
        assert_eq!(s.allow, vec!["fp:3a7bd3e2360a", "fp:0123456789ab"]);
        assert_eq!(s.allow_paths[0].glob, "docs/samples/**");
        assert!(s.allow_paths[0].matcher.is_match("docs/samples/a/b.env"));
        assert_eq!(
            s.rules,
            vec![SecretRule {
                id: "acme-api-key".into(),
                regex: "acme_(?P<secret>[a-z0-9]{32})".into(),
                keywords: vec!["acme_".into()],
                declared_at: "golive.toml:8".into(),
            }]
        );
        assert!(parse("").unwrap().secrets.rules.is_empty());
    }

    #[test]
    fn secrets_mistakes_are_named() {
        let e = parse("[secrets]\nalow = []\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (2, "alow"));
        assert_eq!(e.suggestion.as_deref(), Some("allow"));
        let e = parse("[secrets]\nallow = [\"AKIA1234\"]\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (2, "secrets.allow"));
        assert!(e.message.contains("not a secret fingerprint"), "{e}");
        assert!(
            !e.to_string().contains("AKIA1234"),
            "the value may be a secret: {e}"
        );
        let e = parse("[secrets]\nallow = \"fp:0123456789ab\"\n").unwrap_err();
        assert!(e.message.contains("list of fingerprints"), "{e}");
        let e = parse("[secrets]\nallow_paths = [\"a/[\"]\n").unwrap_err();
        assert_eq!(e.key, "secrets.allow_paths");
        let rule = |body: &str| parse(&format!("[[secrets.rules]]\n{body}")).unwrap_err();
        let e = rule("id = \"x\"\nregex = \"x\"\nkeyword = [\"abc\"]\n");
        assert_eq!((e.line, e.suggestion.as_deref()), (4, Some("keywords")));
        let e = rule("id = \"x\"\nregex = \"x\"\n");
        assert_eq!(e.key, "secrets.rules.keywords");
        let e = rule("id = \"x\"\nregex = \"x\"\nkeywords = [\"ab\"]\n");
        assert!(e.message.contains("too short"), "{e}");
        let e = rule("id = \"x\"\nregex = \"x\"\nkeywords = []\n");
        assert!(e.message.contains("at least one"), "{e}");
        let e = rule("id = \"Acme Key\"\nregex = \"x\"\nkeywords = [\"abc\"]\n");
        assert_eq!((e.line, e.key.as_str()), (2, "secrets.rules.id"));
        let e = rule("id = \"x\"\nregex = \"\"\nkeywords = [\"abc\"]\n");
        assert_eq!(e.key, "secrets.rules.regex");
        let twice = "[[secrets.rules]]\nid = \"x\"\nregex = \"abc\"\nkeywords = [\"abc\"]\n";
        let e = parse(&format!("{twice}{twice}")).unwrap_err();
        assert!(e.message.contains("declared twice"), "{e}");
        let e = parse("secrets = 1\n").unwrap_err();
        assert_eq!(e.message, "must be a table");
    }

    #[test]
    fn invalid_user_secret_regexes_are_config_errors() {
        let e = parse("[secrets]\n[[secrets.rules]]\nid = \"acme-token\"\nregex = \"acme_(\"\nkeywords = [\"acme_\"]\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (4, "secrets.rules.regex"));
        assert!(
            e.message.starts_with("invalid regular expression"),
            "{}",
            e.message
        );
    }

    #[test]
    fn reads_the_probe_table() {
        let c = parse(
            "[probe]\nurl = \"http://127.0.0.1:8080\"\nhealth_paths = [\"/status\"]\nbudget = 50\nstop_5xx_rate = 0.5\nlatency = { rps = 5, p95_ms = 200 }\nheaders = { Authorization = \"Bearer x\" }\n",
        )
        .unwrap();
        assert_eq!(c.probe.url.as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(c.probe.health_paths, vec!["/status".to_string()]);
        assert_eq!(c.probe.budget, 50);
        assert_eq!(c.probe.stop_5xx_rate, 0.5);
        assert_eq!(c.probe.latency.rps, 5);
        assert_eq!(c.probe.latency.duration_s, 10);
        assert_eq!(c.probe.latency.p95_ms, 200);
        assert_eq!(c.probe.max_body_bytes, 64 * 1024);
        assert_eq!(c.probe.lb_idle_timeout_s, 60);
        assert_eq!(
            c.probe.headers,
            vec![("Authorization".into(), "Bearer x".into())]
        );
        assert_eq!(Config::default().probe.budget, 400);
    }

    #[test]
    fn probe_ca_file_is_relative_to_golive_toml() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("golive.toml");
        std::fs::write(&path, "[probe]\nca_file = \"certs/ca.pem\"\n").expect("write");
        let config = Config::load(&path, &[]).expect("valid");
        assert_eq!(
            config.probe.ca_file,
            Some(dir.path().join("certs/ca.pem").display().to_string())
        );
        std::fs::write(&path, "[probe]\nca_file = \"/etc/ssl/ca.pem\"\n").expect("write");
        let config = Config::load(&path, &[]).expect("valid");
        assert_eq!(config.probe.ca_file.as_deref(), Some("/etc/ssl/ca.pem"));
    }

    #[test]
    fn probe_mistakes_are_named() {
        let e = parse("[probe]\nbudgte = 3\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (2, "budgte"));
        assert_eq!(e.suggestion.as_deref(), Some("budget"));
        let e = parse("[probe]\nca_file = \"\"\n").unwrap_err();
        assert_eq!(e.key, "probe.ca_file");
        let e = parse("[probe]\nca_file = 3\n").unwrap_err();
        assert_eq!(e.key, "probe.ca_file");
        assert_eq!(
            parse("[probe]\nca_file = \"ca.pem\"\n")
                .unwrap()
                .probe
                .ca_file
                .as_deref(),
            Some("ca.pem")
        );
        let e = parse("[probe]\nlatency = { rsp = 3 }\n").unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("rps"));
        let e = parse("[probe]\nbudget = 0\n").unwrap_err();
        assert!(e.to_string().contains("between 1 and"), "{e}");
        let e = parse("[probe]\nstop_5xx_rate = 2.0\n").unwrap_err();
        assert!(e.to_string().contains("ratio"), "{e}");
        let e = parse("[probe]\nhealth_paths = [\"healthz\"]\n").unwrap_err();
        assert!(e.to_string().contains("\"/healthz\""), "{e}");
        let e = parse("[probe]\nurl = \"ftp://x\"\n").unwrap_err();
        assert_eq!(e.key, "probe.url");
        let e = parse("[probe]\nheaders = { \"Bad Name\" = \"v\" }\n").unwrap_err();
        assert!(e.to_string().contains("header name"), "{e}");
    }

    #[test]
    fn invalid_toml_points_at_the_line() {
        let e = parse("service = \"x\"\ntier = = 2\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.starts_with("invalid TOML"));
    }
}
