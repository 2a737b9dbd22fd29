use super::builds;
use super::dockerfiles::{self, Parsed};
use crate::k8s::secrets_not_in_config::{is_literal_credential, names_a_secret};
use crate::secrets::rules::is_placeholder;
use golive_core::parse::dockerfile::{Dockerfile, Instruction};
use golive_core::{Context, Evidence, Finding, Outcome, Severity, Workspace, declare_check};
use std::collections::BTreeSet;

declare_check! {
    /// ## What it checks
    /// No Dockerfile bakes a credential into an image: no secret in `ENV` or `ARG`, no key or
    /// credentials file copied from the build context.
    ///
    /// - `ENV` and `ARG` whose name is a credential's (its last word is `password`, `secret`,
    ///   `token`, `credentials`, or `key` after `api`, `private`, `access`, `secret`…: the same
    ///   rule as k8s/secrets-not-in-config) with a literal, non-empty value that is not a
    ///   placeholder (`changeme`, `<your-token>`, `${VAR}`) or a file path: an error.
    /// - `ENV NPM_TOKEN=$NPM_TOKEN`, an `ENV` that copies a build argument into a
    ///   credential-named variable: an error (the value is stored in the image's configuration).
    /// - A credential-named `ARG` without a default that a later `RUN` of its stage uses: a
    ///   warning, because build arguments are recorded in `docker history` and in provenance
    ///   attestations even without a default.
    /// - `COPY`/`ADD` from the build context of a key or credentials file: private keys
    ///   (`id_rsa`, `id_ed25519`, `*.key`, `*.p12`, `*.pfx`, `*.pem` unless its name says it is a
    ///   certificate), `.env` files (not `.env.example`; a committed one only when it sets a
    ///   credential-named key, since public settings such as Next.js' `.env.production` are
    ///   committed on purpose), `credentials.json`, `*-key.json`,
    ///   `.git-credentials`, `.netrc`, `.pypirc`, `kubeconfig`, `.dockercfg`, and anything under
    ///   `.ssh/`, `.aws/`, `.kube/`, `.gnupg/`. `.npmrc` is reported when the copied file in the
    ///   repository holds a literal auth token. An error in the final image, a warning in a
    ///   build stage it is not built on (the file is still in that stage's layers and cache).
    ///
    /// Values are never shown: findings name the instruction and the variable. Development
    /// images and Dockerfiles that do not parse are skipped with a note.
    ///
    /// ## Why it matters
    /// Every layer and the image configuration are readable by anyone who can pull the image:
    /// `docker history`, `docker inspect` and a `tar` of the layers show ENV values, build
    /// arguments and copied files, and a later `RUN rm` does not remove a file from the layer
    /// that added it. A credential in an image is leaked to every registry, cache and machine the
    /// image reaches, and cannot be rotated without rebuilding (Go-live checklist: "none of the
    /// passwords or keys should be stored anywhere"; Production Ready Checklist: "No secrets
    /// exposed in repository").
    ///
    /// ## How to fix
    /// Mount build secrets for the one `RUN` that needs them, and give runtime secrets to the
    /// container when it starts (a Kubernetes Secret, the orchestrator's secret store):
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    /// ```
    /// built with `docker build --secret id=npm_token,env=NPM_TOKEN .`.
    pub struct NoSecrets {
        id: "docker/no-secrets",
        title: "No credentials baked into images",
        category: Containers,
        level: Bronze,
        severity: Error,
        facets: [Docker],
        seeds: [
            "003: Go-live checklist, Secrets: none of the passwords or keys should be stored anywhere",
            "004: Production Ready Checklist, Security: No secrets exposed in repository",
        ],
        fix: "remove the credential from the Dockerfile: use `RUN --mount=type=secret` at build time and inject runtime secrets when the container starts",
    }
}

/// What a flagged value is shown as in snippets.
const REDACTED: &str = "<redacted>";

impl golive_core::Check for NoSecrets {
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
        let mut findings = Vec::new();
        let mut evidence = dockerfiles.skipped;
        for parsed in &dockerfiles.parsed {
            let contexts: BTreeSet<String> = builds
                .of(&parsed.file.path)
                .map(|b| b.context.clone())
                .collect();
            let before = findings.len();
            let notes = scan(cx.ws, parsed, &contexts, &mut findings);
            if findings.len() == before {
                evidence.push(Evidence::file(
                    &parsed.file.path,
                    "no credential in ENV or ARG, no key or credentials file copied",
                ));
            }
            evidence.extend(notes);
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// Findings for one Dockerfile; returns notes for the evidence.
fn scan(
    ws: &Workspace,
    parsed: &Parsed<'_>,
    contexts: &BTreeSet<String>,
    findings: &mut Vec<Finding>,
) -> Vec<Evidence> {
    let Parsed { file, df } = parsed;
    let path = file.path.as_str();
    let mut notes = Vec::new();
    let shipped: BTreeSet<usize> = df
        .final_stage()
        .map(|last| {
            dockerfiles::base_chain(df, last)
                .iter()
                .map(|s| s.index)
                .collect()
        })
        .unwrap_or_default();

    // Global ARGs (before the first FROM): a default there is committed with the Dockerfile.
    for instruction in df.instructions.iter().take_while(|i| i.keyword != "FROM") {
        if instruction.keyword != "ARG" {
            continue;
        }
        for (name, value) in df.key_values(instruction) {
            if let Some(v) = value.filter(|v| is_secret_literal(&name, v)) {
                findings.push(
                    Finding::at(
                        dockerfiles::instruction_location(file, instruction),
                        format!(
                            "global `ARG {name}` has a credential as its default: it is committed with the Dockerfile and recorded in the history of every image that uses it"
                        ),
                    )
                    .redacting(v, REDACTED),
                );
            }
        }
    }

    for stage in &df.stages {
        let in_final = shipped.contains(&stage.index);
        let stage_label = match in_final {
            true if df.final_stage().map(|s| s.index) == Some(stage.index) => {
                "final stage".to_string()
            }
            true => format!(
                "stage {} (the final image is built on it)",
                dockerfiles::stage_name(stage)
            ),
            false => format!("build stage {}", dockerfiles::stage_name(stage)),
        };
        let mut args: Vec<String> = Vec::new();
        let instructions = df.stage_instructions(stage);
        for (offset, instruction) in instructions.iter().enumerate() {
            let at = || dockerfiles::instruction_location(file, instruction);
            match instruction.keyword.as_str() {
                "ARG" => {
                    for (name, value) in df.key_values(instruction) {
                        args.push(name.clone());
                        if !names_a_secret(&name) {
                            continue;
                        }
                        match value {
                            Some(v) if is_secret_literal(&name, &v) => findings.push(
                                Finding::at(
                                    at(),
                                    format!(
                                        "{stage_label}: `ARG {name}` has a credential as its default: it is committed with the Dockerfile and recorded in the image history"
                                    ),
                                )
                                .redacting(v, REDACTED),
                            ),
                            _ => {
                                let later = instructions.get(offset + 1..).unwrap_or(&[]);
                                if let Some(run) = later
                                    .iter()
                                    .find(|i| i.keyword == "RUN" && uses_variable(i, &name))
                                {
                                    findings.push(
                                        Finding::at(
                                            at(),
                                            format!(
                                                "{stage_label}: build argument `{name}` carries a credential into `RUN` (line {}): build arguments are recorded in `docker history` and provenance attestations",
                                                run.line
                                            ),
                                        )
                                        .with_severity(Severity::Warning)
                                        .with_help(format!(
                                            "pass it as a build secret: `RUN --mount=type=secret,id={},env={name} ...` and `docker build --secret id={},env={name}`",
                                            name.to_ascii_lowercase(),
                                            name.to_ascii_lowercase()
                                        )),
                                    );
                                }
                            }
                        }
                    }
                }
                "ENV" => {
                    for (name, value) in df.key_values(instruction) {
                        let Some(v) = value else { continue };
                        if !names_a_secret(&name) || v.trim().is_empty() {
                            continue;
                        }
                        if let Some(arg) = referenced(&v).into_iter().find(|r| args.contains(r)) {
                            let severity = match in_final {
                                true => Severity::Error,
                                false => Severity::Warning,
                            };
                            findings.push(
                                Finding::at(
                                    at(),
                                    format!(
                                        "{stage_label}: `ENV {name}` copies build argument `{arg}` into the image's environment, where `docker inspect` shows it"
                                    ),
                                )
                                .with_severity(severity),
                            );
                        } else if is_secret_literal(&name, &v) {
                            let severity = match in_final {
                                true => Severity::Error,
                                false => Severity::Warning,
                            };
                            findings.push(
                                Finding::at(
                                    at(),
                                    format!(
                                        "{stage_label}: `ENV {name}` is set to a literal credential, stored in the image's configuration"
                                    ),
                                )
                                .with_severity(severity)
                                .redacting(v, REDACTED),
                            );
                        }
                    }
                }
                "COPY" | "ADD" => {
                    if instruction.flag("from").is_some() || !instruction.heredocs.is_empty() {
                        continue;
                    }
                    for source in sources(df, instruction) {
                        let Some(kind) = key_file(
                            ws,
                            file.dir(),
                            contexts,
                            &source,
                            &mut notes,
                            path,
                            instruction.line,
                        ) else {
                            continue;
                        };
                        let (severity, where_) = match in_final {
                            true => (Severity::Error, "into the image"),
                            false => (
                                Severity::Warning,
                                "into a build stage's layers (not the final image, but its cache and any pushed build stage)",
                            ),
                        };
                        findings.push(
                            Finding::at(
                                at(),
                                format!(
                                    "{stage_label}: `{} {source}` copies {kind} {where_}",
                                    instruction.keyword
                                ),
                            )
                            .with_severity(severity)
                            .with_help("do not copy credentials into images: mount them for the one RUN that needs them (`RUN --mount=type=secret`/`--mount=type=ssh`) and exclude them in .dockerignore"),
                        );
                    }
                }
                "RUN" => {
                    let secret_mount = instruction.flags.iter().any(|f| {
                        f.name == "mount"
                            && f.value.as_deref().is_some_and(|v| {
                                v.split(',').any(|p| p == "type=secret" || p == "type=ssh")
                            })
                    });
                    if secret_mount {
                        notes.push(Evidence::at(
                            path,
                            instruction.line,
                            "build secret mounted for one RUN (`--mount=type=secret`/`ssh`): not stored in the image",
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    notes
}

/// A credential-named key with a literal value that is not a placeholder or reference.
fn is_secret_literal(name: &str, value: &str) -> bool {
    let v = value.trim();
    names_a_secret(name) && is_literal_credential(v) && !is_placeholder(v) && !v.contains('$')
}

/// Variable names a value references (`$NAME`, `${NAME}`, `${NAME:-x}`).
fn referenced(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        rest = &rest[i + 1..];
        let inner = rest.strip_prefix('{').unwrap_or(rest);
        let name: String = inner
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

/// Whether a RUN uses `$NAME`/`${NAME}` in its command or heredocs.
fn uses_variable(run: &Instruction, name: &str) -> bool {
    let texts =
        std::iter::once(run.args.as_str()).chain(run.heredocs.iter().map(|h| h.body.as_str()));
    texts
        .into_iter()
        .any(|t| referenced(t).iter().any(|r| r == name))
}

/// The source paths of a COPY/ADD (every word but the destination).
fn sources(df: &Dockerfile, instruction: &Instruction) -> Vec<String> {
    let mut words = match &instruction.exec_form {
        Some(list) => list.clone(),
        None => df.words(instruction),
    };
    words.pop();
    words
        .into_iter()
        .filter(|w| !w.contains("://") && !w.starts_with("git@"))
        .collect()
}

/// Certificates and public material a `.pem` name can say it holds.
const CERTIFICATE_WORDS: &[&str] = &[
    "cert",
    "ca",
    "chain",
    "fullchain",
    "bundle",
    "root",
    "public",
    "pub",
    "crt",
    "trust",
    "cacert",
    "intermediate",
];

/// What kind of credential a copied path is, if any ("a private key", ...).
fn key_file(
    ws: &Workspace,
    dockerfile_dir: &str,
    contexts: &BTreeSet<String>,
    source: &str,
    notes: &mut Vec<Evidence>,
    path: &str,
    line: u32,
) -> Option<String> {
    let clean = source.trim_end_matches('/');
    let name = clean.rsplit('/').next().unwrap_or(clean);
    let lower = name.to_ascii_lowercase();
    let dirs: Vec<String> = clean
        .split('/')
        .rev()
        .skip(1)
        .map(|d| d.to_ascii_lowercase())
        .collect();
    if let Some(d) = dirs
        .iter()
        .chain(std::iter::once(&lower))
        .find(|d| matches!(d.as_str(), ".ssh" | ".aws" | ".kube" | ".gnupg" | ".docker"))
    {
        // `.docker/` only holds credentials in its config.json.
        if d != ".docker" || lower == "config.json" || lower == ".docker" {
            return Some(format!("the `{d}` folder (credentials and keys)"));
        }
    }
    if matches!(
        lower.as_str(),
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk"
    ) {
        return Some("an SSH private key".into());
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let stem = lower.rsplit_once('.').map(|(s, _)| s).unwrap_or(&lower);
    if matches!(ext, "key" | "p12" | "pfx") && !stem.is_empty() {
        return Some("a private key file".into());
    }
    if ext == "pem" {
        let words: Vec<&str> = stem.split(['-', '_', '.']).collect();
        let certificate = words.iter().any(|w| CERTIFICATE_WORDS.contains(w));
        if !certificate {
            return Some("a PEM file (private keys are stored as .pem)".into());
        }
    }
    if lower == ".env" || lower.starts_with(".env.") {
        let example = [
            "example", "sample", "template", "dist", "defaults", "default", "tpl", "schema",
        ]
        .iter()
        .any(|w| lower.ends_with(w));
        if !example {
            // A committed env file is read: one without credentials (public settings, as
            // Next.js' `.env.production`) is not a finding. One not in the scan is a
            // developer's local file, where credentials live.
            return match scanned(ws, dockerfile_dir, contexts, clean) {
                Some(f) => match env_credential(&f.text) {
                    Some(key) => Some(format!(
                        "`{}` (it sets the credential `{key}`)",
                        f.path
                    )),
                    None => {
                        notes.push(Evidence::at(
                            path,
                            line,
                            format!(
                                "`{}` is copied; the repository's copy sets no credential-named key",
                                f.path
                            ),
                        ));
                        None
                    }
                },
                None => Some(
                    "an environment file that is not in the repository (local `.env` files hold developers' credentials)"
                        .into(),
                ),
            };
        }
    }
    if lower == "credentials.json"
        || lower.ends_with("-credentials.json")
        || lower.ends_with("_credentials.json")
        || lower == "key.json"
        || lower.ends_with("-key.json")
        || lower.ends_with("_key.json")
        || lower == "service-account.json"
        || lower == "serviceaccount.json"
    {
        return Some("a credentials file (cloud service-account keys are JSON files)".into());
    }
    match lower.as_str() {
        ".git-credentials" => return Some("git credentials".into()),
        ".netrc" | "_netrc" => return Some("a .netrc file (login credentials)".into()),
        ".pypirc" => return Some("a .pypirc file (package index credentials)".into()),
        "kubeconfig" | ".kubeconfig" => return Some("a kubeconfig (cluster credentials)".into()),
        ".dockercfg" => return Some("Docker registry credentials".into()),
        ".npmrc" | ".yarnrc.yml" => {}
        _ => return None,
    }
    // `.npmrc`: a finding only when the repository's file holds a literal token.
    match scanned(ws, dockerfile_dir, contexts, clean) {
        Some(f) if has_literal_registry_token(&f.text) => {
            Some(format!("`{}` (it holds a registry auth token)", f.path))
        }
        Some(_) => None,
        None => {
            notes.push(Evidence::at(
                path,
                line,
                format!("`{name}` is copied but is not in the scan: if it holds an auth token, it ships in the image"),
            ));
            None
        }
    }
}

/// The scanned file a COPY source names, resolved from the build contexts (or the
/// Dockerfile's folder when no build declares one).
fn scanned<'w>(
    ws: &'w Workspace,
    dockerfile_dir: &str,
    contexts: &BTreeSet<String>,
    source: &str,
) -> Option<&'w golive_core::SourceFile> {
    let mut candidates: Vec<String> = contexts
        .iter()
        .filter_map(|c| builds::join(c, source))
        .collect();
    if candidates.is_empty() {
        candidates.extend(builds::join(dockerfile_dir, source));
    }
    candidates.iter().find_map(|p| ws.file(p))
}

/// The first credential-named key an env file sets to a literal value.
fn env_credential(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim();
        if line.starts_with('#') {
            return None;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (key, value) = line.split_once('=')?;
        let key = key.trim();
        let value = value.trim().trim_matches(['"', '\'']);
        is_secret_literal(key, value).then(|| key.to_string())
    })
}

/// `_authToken=...`, `_auth=...`, `_password=...` or `npmAuthToken: ...` with a literal value.
fn has_literal_registry_token(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            return false;
        }
        let pair = match line.contains('=') {
            true => line.split_once('='),
            false => line.split_once(':'),
        };
        let Some((key, value)) = pair else {
            return false;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim().trim_matches(['"', '\'']);
        let names_token = key.ends_with("_authtoken")
            || key.ends_with("_auth")
            || key.ends_with("_password")
            || key.ends_with("npmauthtoken");
        names_token && !value.is_empty() && !value.contains('$') && !is_placeholder(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found() {
        assert_eq!(referenced("$A-${B:-x}/$"), ["A", "B"]);
        assert!(referenced("plain").is_empty());
    }

    #[test]
    fn registry_tokens_are_literal_only() {
        assert!(has_literal_registry_token(
            "//registry.npmjs.org/:_authToken=Kq7Wm2Rt\n"
        ));
        assert!(!has_literal_registry_token(
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"
        ));
        assert!(!has_literal_registry_token(
            "registry=https://npm.acme.io/\n"
        ));
        assert!(has_literal_registry_token("npmAuthToken: \"Kq7Wm2Rt\"\n"));
    }
}
