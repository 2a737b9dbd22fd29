//! The command-line interface: commands and flags (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "golive", version, about = "Is this service ready to go live? Production-readiness checks with file:line evidence.", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan a repository and print its readiness scorecard.
    Check(CheckArgs),
    /// List the check catalogue.
    Checks(ChecksArgs),
    /// Print a check's documentation: what it checks, why it matters, how to fix it.
    Explain(ExplainArgs),
    /// Update READINESS.md's automated items from a scan; without --write, show what would
    /// change and exit 1 when it is out of date.
    Checklist(ChecklistArgs),
    /// Write golive.toml and READINESS.md for the detected stack and the service's tier.
    Init(InitArgs),
    /// Terraform state tools (`golive tf doctor`).
    #[cfg(feature = "tf")]
    Tf(TfArgs),
    /// Probe a running service (health, error hygiene, payload limit, request ids, security
    /// headers, keep-alive) and print the same scorecard as `check`. Bounded and polite: a
    /// request budget, a body-size cap, redirects only within the target host, a stop on 5xx.
    Probe(ProbeArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// The formats of `golive check`'s report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// The terminal scorecard.
    Text,
    /// The versioned JSON report (docs/json-report.md).
    Json,
    /// SARIF 2.1.0, for code-scanning services (GitHub code scanning, Azure DevOps, GitLab).
    Sarif,
    /// JUnit XML: one test case per check, for CI test-result views.
    Junit,
    /// Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY.
    Markdown,
    /// GitHub Actions annotations (workflow commands) on the findings' lines.
    Github,
    /// One self-contained HTML page (no network): level, category chart, findings with code.
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The repository to scan; several repositories are checked in parallel and summed up in a
    /// fleet table.
    #[arg(default_value = ".", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file (default: golive.toml in the scanned repository, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run only these checks or categories (repeatable; replaces `select` from golive.toml).
    #[arg(long, value_name = "CHECK")]
    pub select: Vec<String>,
    /// Do not run these checks or categories (repeatable; added to `ignore` from golive.toml).
    #[arg(long, value_name = "CHECK")]
    pub ignore: Vec<String>,
    /// Print only the summary (level, score, verdict).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Never show a progress indicator.
    #[arg(long)]
    pub no_progress: bool,
    /// Threads to use (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Findings shown per check in text output (0: all).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_findings: usize,
    /// When to use colours in text output (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Files larger than this many bytes are skipped (and counted).
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Rendered manifests to check as the deployed objects (repeatable; `-` reads standard
    /// input): `helm template REL CHART | golive check --manifests -`. Findings are mapped
    /// back to the chart's templates through Helm's `# Source:` comments.
    #[arg(long, value_name = "FILE|-")]
    pub manifests: Vec<PathBuf>,
    /// Also scan the git history (every commit of every ref) for secrets that were committed
    /// and later deleted; they are reported by secrets/committed at `path@<commit>:line`.
    /// Needs git and a git repository.
    #[arg(long)]
    pub history: bool,
    /// The level the gate requires (overrides `target_level` in golive.toml).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub require_level: Option<LevelArg>,
    /// Which findings fail the gate by severity (overrides `fail_on` in golive.toml; default
    /// error). `never`: only the required level can fail the run.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOnArg>,
    /// An earlier JSON report (`--format json --output FILE`): only findings that are not in it
    /// fail the gate; fixed ones are listed. Findings are matched by fingerprint (check, path,
    /// line text, message), so edits that move lines do not make old findings new.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// Also write an SVG badge of the level and score to FILE (for the README).
    #[arg(long, value_name = "FILE.svg")]
    pub badge: Option<PathBuf>,
    /// Also probe the running service at URL (`golive probe`) and merge its live checks into
    /// the scorecard; the manifests' readinessProbe paths are tried as health paths.
    #[arg(long, value_name = "URL")]
    pub probe: Option<String>,
    /// With --probe: the most requests the probe sends (overrides `[probe] budget`).
    #[arg(long, value_name = "N", requires = "probe")]
    pub budget: Option<u32>,
}

#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// The service's URL, e.g. http://127.0.0.1:8080 (default: `[probe] url` in golive.toml).
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// Configuration file (default: golive.toml in the current folder, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The level the gate requires (overrides `target_level` in golive.toml).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub require_level: Option<LevelArg>,
    /// Which findings fail the gate by severity (overrides `fail_on`; default error).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOnArg>,
    /// The most requests the probe sends, all checks together (overrides `[probe] budget`;
    /// default 400).
    #[arg(long, value_name = "N")]
    pub budget: Option<u32>,
    /// Run only these live checks (repeatable; replaces `select` from golive.toml).
    #[arg(long, value_name = "CHECK")]
    pub select: Vec<String>,
    /// Do not run these live checks (repeatable; added to `ignore` from golive.toml).
    #[arg(long, value_name = "CHECK")]
    pub ignore: Vec<String>,
    /// Print only the summary (level, score, verdict).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Findings shown per check in text output (0: all).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_findings: usize,
    /// When to use colours in text output (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    Bronze,
    Silver,
    Gold,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Error,
    Warning,
    Never,
}

#[derive(Args, Debug)]
pub struct ChecksArgs {
    /// Only checks of this category (e.g. kubernetes, ci, docs).
    #[arg(long)]
    pub category: Option<String>,
    /// Only checks of this level (bronze, silver, gold).
    #[arg(long)]
    pub level: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The check id, e.g. k8s/readiness-probe.
    pub check: String,
}

#[derive(Args, Debug)]
pub struct ChecklistArgs {
    /// The repository whose READINESS.md to update.
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,
    /// Write READINESS.md (create it when missing) instead of printing the difference.
    #[arg(long)]
    pub write: bool,
    /// Take the results from a JSON report (`golive check --format json`) instead of scanning.
    #[arg(long, value_name = "REPORT.json")]
    pub from: Option<PathBuf>,
    /// Configuration file (default: golive.toml in the repository, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The repository to set up.
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,
    /// How critical the service is: 1 business-critical (target gold), 2 important (silver),
    /// 3 internal or low impact (bronze).
    #[arg(long, value_name = "1|2|3", value_parser = clap::value_parser!(u8).range(1..=3))]
    pub tier: Option<u8>,
    /// The service's name (default: the name in package.json, Cargo.toml, go.mod,
    /// pyproject.toml or Chart.yaml, else the folder's name).
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// Do not ask: take the defaults and the flags.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Overwrite golive.toml and READINESS.md when they exist.
    #[arg(long)]
    pub force: bool,
}

#[cfg(feature = "tf")]
#[derive(Args, Debug)]
pub struct TfArgs {
    #[command(subcommand)]
    pub command: TfCommand,
}

#[cfg(feature = "tf")]
#[derive(Subcommand, Debug)]
pub enum TfCommand {
    /// Diagnose a Terraform S3 backend after a crashed run (stale lock, digest mismatch, broken
    /// state) and, with --fix, repair it in the only order that works (docs/tf-doctor.md).
    Doctor(TfDoctorArgs),
}

#[cfg(feature = "tf")]
#[derive(Args, Debug)]
pub struct TfDoctorArgs {
    /// The Terraform root module whose `backend "s3"` block is read.
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// The state bucket (overrides the backend block).
    #[arg(long)]
    pub bucket: Option<String>,
    /// The state object key (overrides the backend block).
    #[arg(long)]
    pub key: Option<String>,
    /// The AWS region (default: the backend block, then AWS_REGION or the profile).
    #[arg(long)]
    pub region: Option<String>,
    /// The DynamoDB lock table (overrides the backend block).
    #[arg(long, value_name = "TABLE")]
    pub dynamodb_table: Option<String>,
    /// The backend uses S3-native locking (`use_lockfile = true`, Terraform >= 1.10).
    #[arg(long)]
    pub use_lockfile: bool,
    /// The `workspace_key_prefix` (default `env:`).
    #[arg(long, value_name = "PREFIX")]
    pub workspace_key_prefix: Option<String>,
    /// An S3-compatible endpoint for both S3 and DynamoDB (a local server, a VPC endpoint).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The AWS profile (overrides the backend block).
    #[arg(long)]
    pub profile: Option<String>,
    /// The Terraform workspace (default: TF_WORKSPACE, then DIR/.terraform/environment, then
    /// `default`).
    #[arg(long)]
    pub workspace: Option<String>,
    /// A `-backend-config` file (`key = "value"` lines) merged over the backend block.
    #[arg(long, value_name = "FILE")]
    pub backend_config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Repair: back up the state, fix the digest, release a stale lock. Each step is printed
    /// before it is done.
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the steps, do nothing.
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
    /// With --fix: also release a lock younger than --min-lock-age, after typing its ID.
    #[arg(long, requires = "fix")]
    pub force: bool,
    /// Locks at least this old are taken for left over by a killed run (15m, 90s, 2h).
    #[arg(long, value_name = "AGE", default_value = "15m")]
    pub min_lock_age: String,
    /// Where --fix writes its backups and its log (default ./tfstate-backups).
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// With --fix: also copy the current state under this prefix in the bucket.
    #[arg(long, value_name = "PREFIX", requires = "fix")]
    pub backup_prefix: Option<String>,
}
