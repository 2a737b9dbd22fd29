//! Where the state lives: the `terraform { backend "s3" { ... } }` block of a directory's `.tf`
//! files, an optional `-backend-config` file, and the command-line flags, merged in that order
//! (later wins), and the object keys and DynamoDB item ids Terraform derives from them.

use golive_core::parse::hcl::{self, Block, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Terraform's default `workspace_key_prefix`.
pub const DEFAULT_WORKSPACE_KEY_PREFIX: &str = "env:";
/// The suffix of the DynamoDB item that holds the state's MD5 (Terraform's `stateIDSuffix`).
pub const DIGEST_SUFFIX: &str = "-md5";
/// The suffix of the S3-native lock object (`use_lockfile = true`, Terraform >= 1.10).
pub const LOCKFILE_SUFFIX: &str = ".tflock";

/// Why the backend could not be worked out. All of them are usage/config errors (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{err}: invalid HCL")]
    Hcl { path: String, err: hcl::HclError },
    #[error(
        "`{key}` of the S3 backend is not set: it is not in {where_} and no --{flag} was given"
    )]
    Missing {
        key: &'static str,
        flag: &'static str,
        where_: String,
    },
    #[error(
        "{path}:{line}: the backend is `{kind}`, not `s3`: tf doctor only knows the S3 backend"
    )]
    NotS3 {
        path: String,
        line: u32,
        kind: String,
    },
    #[error("{path}:{line}: `{key}` is not a literal value ({source_text}); pass --{flag}")]
    NotLiteral {
        path: String,
        line: u32,
        key: String,
        flag: &'static str,
        source_text: String,
    },
    #[error("two backend blocks: {first} and {second}")]
    TwoBackends { first: String, second: String },
}

/// Values given on the command line; each one wins over the files.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub region: Option<String>,
    pub workspace_key_prefix: Option<String>,
    pub dynamodb_table: Option<String>,
    pub use_lockfile: Option<bool>,
    /// Both the S3 and the DynamoDB endpoint (a local S3-compatible server, a VPC endpoint).
    pub endpoint_url: Option<String>,
    pub profile: Option<String>,
    pub workspace: Option<String>,
    /// A `-backend-config` file (`key = "value"` lines) merged over the backend block.
    pub backend_config: Option<PathBuf>,
}

/// One backend setting as read, with where it came from (for the report).
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub value: String,
    /// `main.tf:4`, `prod.tfbackend:2` or `--bucket`.
    pub origin: String,
}

/// The S3 backend, resolved.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Backend {
    pub bucket: String,
    /// The `key` setting (the default workspace's state object).
    pub key: String,
    /// None: the SDK's default chain (AWS_REGION, the profile) decides.
    pub region: Option<String>,
    pub workspace: String,
    pub workspace_key_prefix: String,
    pub dynamodb_table: Option<String>,
    pub use_lockfile: bool,
    pub s3_endpoint: Option<String>,
    pub dynamodb_endpoint: Option<String>,
    pub profile: Option<String>,
    /// Path-style S3 addressing (`use_path_style`, legacy `force_path_style`; on by default
    /// with a custom S3 endpoint).
    pub path_style: bool,
    /// Where the backend block is (`infra/main.tf:3`), when it was read from a file.
    pub declared_at: Option<String>,
}

impl Backend {
    /// The state object's key for the selected workspace: `key` for `default`, otherwise
    /// `<workspace_key_prefix>/<workspace>/<key>` (Terraform's `path.Join`).
    pub fn state_key(&self) -> String {
        if self.workspace == "default" {
            return self.key.clone();
        }
        [
            self.workspace_key_prefix.as_str(),
            self.workspace.as_str(),
            self.key.as_str(),
        ]
        .iter()
        .flat_map(|part| part.split('/'))
        .filter(|seg| !seg.is_empty())
        .collect::<Vec<_>>()
        .join("/")
    }

    /// The DynamoDB lock item's `LockID`: `<bucket>/<state key>`.
    pub fn lock_id(&self) -> String {
        format!("{}/{}", self.bucket, self.state_key())
    }

    /// The DynamoDB digest item's `LockID`: `<bucket>/<state key>-md5`.
    pub fn digest_id(&self) -> String {
        format!("{}{DIGEST_SUFFIX}", self.lock_id())
    }

    /// The S3-native lock object: `<state key>.tflock`.
    pub fn lockfile_key(&self) -> String {
        format!("{}{LOCKFILE_SUFFIX}", self.state_key())
    }

    /// `s3://bucket/key`.
    pub fn state_url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.state_key())
    }
}

/// The settings read from files, by backend attribute name.
#[derive(Clone, Debug, Default)]
pub struct FileSettings {
    pub settings: BTreeMap<String, Setting>,
    pub declared_at: Option<String>,
    /// What was read, for the "not set" error: "infra/main.tf" or "no .tf file in infra".
    pub described: String,
}

/// Reads the S3 backend block of the `.tf` files directly in `dir` (not subdirectories, like
/// Terraform). No backend block is not an error: everything may come from flags.
pub fn read_dir(dir: &Path) -> Result<FileSettings, ConfigError> {
    let mut out = FileSettings {
        described: format!("no backend block in {}", dir.display()),
        ..FileSettings::default()
    };
    let entries = std::fs::read_dir(dir).map_err(|source| ConfigError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "tf") && p.is_file())
        .collect();
    files.sort();
    for path in files {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io {
            path: shown.clone(),
            source,
        })?;
        let file = hcl::parse(&text).map_err(|err| ConfigError::Hcl {
            path: shown.clone(),
            err,
        })?;
        for terraform in file.blocks_of("terraform") {
            for backend in terraform.blocks("backend") {
                let at = format!("{shown}:{}", backend.pos().line);
                if let Some(first) = &out.declared_at {
                    return Err(ConfigError::TwoBackends {
                        first: first.clone(),
                        second: at,
                    });
                }
                let kind = backend.label(0).unwrap_or_default();
                if kind != "s3" {
                    return Err(ConfigError::NotS3 {
                        path: shown.clone(),
                        line: backend.pos().line,
                        kind: kind.to_string(),
                    });
                }
                read_block(&shown, backend, &mut out.settings)?;
                out.described = shown.clone();
                out.declared_at = Some(at);
            }
        }
    }
    Ok(out)
}

/// Reads a `-backend-config` file (`key = value` attributes, `.tfbackend` style) over `into`.
pub fn read_backend_config(path: &Path, into: &mut FileSettings) -> Result<(), ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: shown.clone(),
        source,
    })?;
    let file = hcl::parse(&text).map_err(|err| ConfigError::Hcl {
        path: shown.clone(),
        err,
    })?;
    for attr in file.attributes() {
        let line = attr.pos().line;
        put_value(
            &shown,
            line,
            attr.key(),
            &attr.value(),
            &attr.expr_source(),
            &mut into.settings,
        )?;
    }
    for block in file.blocks() {
        if block.ident() == "endpoints" {
            read_endpoints_block(&shown, block, &mut into.settings)?;
        }
    }
    into.described = format!("{} or {shown}", into.described);
    Ok(())
}

fn read_block(
    path: &str,
    block: Block<'_>,
    into: &mut BTreeMap<String, Setting>,
) -> Result<(), ConfigError> {
    for attr in block.attributes() {
        put_value(
            path,
            attr.pos().line,
            attr.key(),
            &attr.value(),
            &attr.expr_source(),
            into,
        )?;
    }
    // `endpoints { s3 = "..." }` written as a block (the attribute form `endpoints = {...}` is
    // handled by put_value).
    for endpoints in block.blocks("endpoints") {
        read_endpoints_block(path, endpoints, into)?;
    }
    Ok(())
}

fn read_endpoints_block(
    path: &str,
    block: Block<'_>,
    into: &mut BTreeMap<String, Setting>,
) -> Result<(), ConfigError> {
    for attr in block.attributes() {
        let name = format!("endpoints.{}", attr.key());
        put_value(
            path,
            attr.pos().line,
            &name,
            &attr.value(),
            &attr.expr_source(),
            into,
        )?;
    }
    Ok(())
}

/// The settings tf doctor uses, and the flag that replaces each.
const USED: &[(&str, &str)] = &[
    ("bucket", "bucket"),
    ("key", "key"),
    ("region", "region"),
    ("workspace_key_prefix", "workspace-key-prefix"),
    ("dynamodb_table", "dynamodb-table"),
    ("use_lockfile", "use-lockfile"),
    ("endpoint", "endpoint-url"),
    ("dynamodb_endpoint", "endpoint-url"),
    ("endpoints.s3", "endpoint-url"),
    ("endpoints.dynamodb", "endpoint-url"),
    ("profile", "profile"),
    ("use_path_style", "endpoint-url"),
    ("force_path_style", "endpoint-url"),
];

fn put_value(
    path: &str,
    line: u32,
    key: &str,
    value: &Value,
    source_text: &str,
    into: &mut BTreeMap<String, Setting>,
) -> Result<(), ConfigError> {
    if key == "endpoints" {
        if let Value::Object(entries) = value {
            for (k, v) in entries {
                put_value(path, line, &format!("endpoints.{k}"), v, source_text, into)?;
            }
        }
        return Ok(());
    }
    let Some((_, flag)) = USED.iter().find(|(name, _)| *name == key) else {
        return Ok(()); // encrypt, kms_key_id, acl, ...: not needed to diagnose
    };
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(ConfigError::NotLiteral {
                path: path.to_string(),
                line,
                key: key.to_string(),
                flag,
                source_text: source_text.to_string(),
            });
        }
    };
    into.insert(
        key.to_string(),
        Setting {
            value: text,
            origin: format!("{path}:{line}"),
        },
    );
    Ok(())
}

/// Merges the files' settings and the flags into a backend. `env_workspace` is the workspace
/// selected in the directory (`.terraform/environment`) or `TF_WORKSPACE`, used when no
/// `--workspace` is given.
pub fn resolve(
    files: &FileSettings,
    flags: &Overrides,
    env_workspace: Option<String>,
) -> Result<Backend, ConfigError> {
    let get = |name: &str| files.settings.get(name).map(|s| s.value.clone());
    let required = |value: Option<String>, key: &'static str| {
        value.filter(|v| !v.is_empty()).ok_or(ConfigError::Missing {
            key,
            flag: key,
            where_: files.described.clone(),
        })
    };
    let bucket = required(flags.bucket.clone().or_else(|| get("bucket")), "bucket")?;
    let key = required(flags.key.clone().or_else(|| get("key")), "key")?;
    let truthy = |v: Option<String>| v.map(|v| v == "true");
    let s3_endpoint = flags
        .endpoint_url
        .clone()
        .or_else(|| get("endpoints.s3"))
        .or_else(|| get("endpoint"));
    let dynamodb_endpoint = flags
        .endpoint_url
        .clone()
        .or_else(|| get("endpoints.dynamodb"))
        .or_else(|| get("dynamodb_endpoint"));
    let path_style = truthy(get("use_path_style"))
        .or_else(|| truthy(get("force_path_style")))
        .unwrap_or(s3_endpoint.is_some());
    Ok(Backend {
        bucket,
        key,
        region: flags.region.clone().or_else(|| get("region")),
        workspace: flags
            .workspace
            .clone()
            .or(env_workspace)
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "default".into()),
        workspace_key_prefix: flags
            .workspace_key_prefix
            .clone()
            .or_else(|| get("workspace_key_prefix"))
            .unwrap_or_else(|| DEFAULT_WORKSPACE_KEY_PREFIX.into()),
        dynamodb_table: flags
            .dynamodb_table
            .clone()
            .or_else(|| get("dynamodb_table"))
            .filter(|t| !t.is_empty()),
        use_lockfile: flags
            .use_lockfile
            .or_else(|| truthy(get("use_lockfile")))
            .unwrap_or(false),
        s3_endpoint,
        dynamodb_endpoint,
        profile: flags.profile.clone().or_else(|| get("profile")),
        path_style,
        declared_at: files.declared_at.clone(),
    })
}

/// The workspace `terraform workspace select` chose in `dir` (`.terraform/environment`).
pub fn selected_workspace(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(".terraform").join("environment")).ok()?;
    let name = text.trim();
    (!name.is_empty()).then(|| name.to_string())
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.state_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    fn backend(dir: &Path, flags: &Overrides) -> Result<Backend, ConfigError> {
        let files = read_dir(dir)?;
        resolve(&files, flags, None)
    }

    #[test]
    fn reads_the_block_with_endpoints_as_a_block_and_as_an_attribute() {
        let dir = dir_with(&[(
            "main.tf",
            r#"terraform {
  backend "s3" {
    bucket         = "acme-state"
    key            = "payments/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "tf-locks"
    encrypt        = true
    endpoints {
      s3       = "http://127.0.0.1:9000"
      dynamodb = "http://127.0.0.1:9001"
    }
  }
}
"#,
        )]);
        let b = backend(dir.path(), &Overrides::default()).unwrap();
        assert_eq!(b.bucket, "acme-state");
        assert_eq!(b.key, "payments/terraform.tfstate");
        assert_eq!(b.region.as_deref(), Some("eu-west-1"));
        assert_eq!(b.dynamodb_table.as_deref(), Some("tf-locks"));
        assert!(!b.use_lockfile);
        assert_eq!(b.s3_endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(
            b.dynamodb_endpoint.as_deref(),
            Some("http://127.0.0.1:9001")
        );
        assert!(b.path_style, "custom endpoint defaults to path style");
        assert!(b.declared_at.unwrap().ends_with("main.tf:2"));

        let dir = dir_with(&[(
            "backend.tf",
            r#"terraform {
  backend "s3" {
    bucket       = "b"
    key          = "k"
    use_lockfile = true
    endpoints = {
      s3 = "http://localhost:4566"
    }
    use_path_style = false
  }
}
"#,
        )]);
        let b = backend(dir.path(), &Overrides::default()).unwrap();
        assert!(b.use_lockfile);
        assert_eq!(b.s3_endpoint.as_deref(), Some("http://localhost:4566"));
        assert_eq!(b.dynamodb_endpoint, None);
        assert!(!b.path_style);
    }

    #[test]
    fn legacy_endpoint_settings_and_flags_override() {
        let dir = dir_with(&[(
            "main.tf",
            r#"terraform {
  backend "s3" {
    bucket            = "from-file"
    key               = "a.tfstate"
    endpoint          = "http://s3.local"
    dynamodb_endpoint = "http://ddb.local"
    force_path_style  = true
  }
}
"#,
        )]);
        let b = backend(dir.path(), &Overrides::default()).unwrap();
        assert_eq!(b.s3_endpoint.as_deref(), Some("http://s3.local"));
        assert_eq!(b.dynamodb_endpoint.as_deref(), Some("http://ddb.local"));
        let flags = Overrides {
            bucket: Some("from-flag".into()),
            endpoint_url: Some("http://127.0.0.1:5000".into()),
            use_lockfile: Some(true),
            ..Overrides::default()
        };
        let b = backend(dir.path(), &flags).unwrap();
        assert_eq!(b.bucket, "from-flag");
        assert_eq!(b.key, "a.tfstate");
        assert_eq!(b.s3_endpoint.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(
            b.dynamodb_endpoint.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert!(b.use_lockfile);
    }

    #[test]
    fn partial_configuration_names_the_missing_key() {
        let dir = dir_with(&[("main.tf", "terraform {\n  backend \"s3\" {}\n}\n")]);
        let err = backend(dir.path(), &Overrides::default()).unwrap_err();
        assert!(
            matches!(err, ConfigError::Missing { key: "bucket", .. }),
            "{err}"
        );
        assert!(err.to_string().contains("--bucket"), "{err}");
        let flags = Overrides {
            bucket: Some("b".into()),
            ..Overrides::default()
        };
        let err = backend(dir.path(), &flags).unwrap_err();
        assert!(
            matches!(err, ConfigError::Missing { key: "key", .. }),
            "{err}"
        );

        // A -backend-config file fills them in.
        let cfg = dir.path().join("prod.tfbackend");
        std::fs::write(
            &cfg,
            "bucket = \"acme\"\nkey = \"prod.tfstate\"\nregion = \"us-east-1\"\n",
        )
        .unwrap();
        let mut files = read_dir(dir.path()).unwrap();
        read_backend_config(&cfg, &mut files).unwrap();
        let b = resolve(&files, &Overrides::default(), None).unwrap();
        assert_eq!(
            (b.bucket.as_str(), b.key.as_str()),
            ("acme", "prod.tfstate")
        );
        assert!(
            files.settings["bucket"]
                .origin
                .ends_with("prod.tfbackend:1")
        );
    }

    #[test]
    fn other_backends_and_variables_are_config_errors() {
        let dir = dir_with(&[("main.tf", "terraform {\n  backend \"gcs\" {}\n}\n")]);
        assert!(matches!(
            backend(dir.path(), &Overrides::default()),
            Err(ConfigError::NotS3 { .. })
        ));
        let dir = dir_with(&[(
            "main.tf",
            "terraform {\n  backend \"s3\" {\n    bucket = var.bucket\n    key = \"k\"\n  }\n}\n",
        )]);
        let err = backend(dir.path(), &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("--bucket"), "{err}");
        let dir = dir_with(&[("main.tf", "terraform {\n  backend \"s3\" {\n")]);
        assert!(matches!(
            backend(dir.path(), &Overrides::default()),
            Err(ConfigError::Hcl { .. })
        ));
    }

    #[test]
    fn workspace_paths_follow_terraform() {
        let mut b = resolve(
            &FileSettings::default(),
            &Overrides {
                bucket: Some("acme".into()),
                key: Some("net/terraform.tfstate".into()),
                ..Overrides::default()
            },
            None,
        )
        .unwrap();
        assert_eq!(b.state_key(), "net/terraform.tfstate");
        assert_eq!(b.lock_id(), "acme/net/terraform.tfstate");
        assert_eq!(b.digest_id(), "acme/net/terraform.tfstate-md5");
        assert_eq!(b.lockfile_key(), "net/terraform.tfstate.tflock");
        b.workspace = "staging".into();
        assert_eq!(b.state_key(), "env:/staging/net/terraform.tfstate");
        assert_eq!(b.lock_id(), "acme/env:/staging/net/terraform.tfstate");
        b.workspace_key_prefix = "workspaces/".into();
        assert_eq!(b.state_key(), "workspaces/staging/net/terraform.tfstate");
    }

    #[test]
    fn selected_workspace_is_read_from_dot_terraform() {
        let dir = dir_with(&[]);
        assert_eq!(selected_workspace(dir.path()), None);
        std::fs::create_dir(dir.path().join(".terraform")).unwrap();
        std::fs::write(dir.path().join(".terraform/environment"), "prod\n").unwrap();
        assert_eq!(selected_workspace(dir.path()).as_deref(), Some("prod"));
    }
}
