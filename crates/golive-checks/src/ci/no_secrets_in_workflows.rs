use crate::ci::github;
use crate::ci::pipelines;
use crate::secrets::committed::{fingerprint, redact};
use crate::secrets::rules::{FileClass, Verdict, is_placeholder, non_secret_name, shannon_entropy};
use crate::secrets::scanner::Scanner;
use golive_core::{Context, Evidence, Finding, Location, Outcome, SourceFile, declare_check};
use std::collections::BTreeSet;

declare_check! {
    /// ## What it checks
    /// CI configuration files hold no literal credentials: secrets come from the CI system's
    /// secret store (`${{ secrets.X }}`, `${{ vars.X }}`, GitLab CI/CD variables `$X`).
    ///
    /// The files read are GitHub Actions workflows, composite actions (`action.yml`),
    /// `.gitlab-ci.yml` with its local includes, and the other systems' files recognised by
    /// ci/pipeline (CircleCI, Azure Pipelines, Jenkinsfile, Buildkite, ...). Three shapes are
    /// findings:
    ///
    /// - a secret-named key (`*TOKEN*`, `*PASSWORD*`, `*SECRET*`, `*API_KEY*`, `*ACCESS_KEY*`,
    ///   `*PRIVATE_KEY*`, `*CREDENTIALS*`) under `env:`, `with:`, `variables:` or `secrets:`
    ///   whose value is a random-looking literal rather than a reference;
    /// - a token the secret scanner (secrets/committed's rules) recognises anywhere in the file,
    ///   e.g. `curl -H "Authorization: Bearer ghp_…"` in a `run:` script;
    /// - `docker login -p <literal>` / `--password <literal>` (also `podman login`).
    ///
    /// Values are never printed: a finding shows the first characters and a fingerprint.
    /// References (`${{ … }}`, `$VAR`, `${VAR}`), placeholders (`changeme`, `xxx`, `<token>`)
    /// and short dictionary-like values (`postgres` for a throw-away service container) are not
    /// findings; the evidence counts the latter.
    ///
    /// ## Why it matters
    /// A workflow file is read by everyone with read access to the repository, lives forever in
    /// its history and is copied into forks; a credential written there is leaked. Secrets
    /// belong in the CI system's secret store, where they are masked in logs and can be
    /// rotated. (Production Ready Checklist: "no secrets exposed in repository"; DevSecOps:
    /// "use a secret management store to keep all secret information".)
    ///
    /// ## How to fix
    /// Revoke and rotate the credential, store it as a repository or environment secret and
    /// reference it:
    /// ```yaml
    /// env:
    ///   DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}
    /// steps:
    ///   - run: echo "$REGISTRY_PASSWORD" | docker login -u ci --password-stdin registry.example.com
    ///     env:
    ///       REGISTRY_PASSWORD: ${{ secrets.REGISTRY_PASSWORD }}
    /// ```
    pub struct NoSecretsInWorkflows {
        id: "ci/no-secrets-in-workflows",
        title: "No literal credentials in CI configuration",
        category: Ci,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: [
            "004: Production Ready Checklist: no secrets exposed in repository",
            "000: DevSecOps: use a secret management store to keep all secret information such as database passwords",
        ],
        fix: "revoke and rotate the credential, store it in the CI system's secrets (GitHub: repository/environment secrets; GitLab: masked CI/CD variables) and reference it (`${{ secrets.NAME }}`, `$NAME`)",
    }
}

/// Keys whose entries are values handed to steps, jobs or the environment.
const VALUE_MAPS: &[&str] = &["env", "with", "variables", "secrets", "environment"];

/// Words of a key that name a credential (compared case-insensitively, `-` read as `_`).
const SECRET_WORDS: &[&str] = &[
    "TOKEN",
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIALS",
];

/// Lines around a finding the report may show: every secret on them is masked.
const SNIPPET_LINES: u32 = 6;

impl golive_core::Check for NoSecretsInWorkflows {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let files = ci_files(cx);
        if files.is_empty() {
            return Outcome::not_applicable(
                "no CI configuration (GitHub Actions workflows or composite actions, .gitlab-ci.yml, or another CI system's file)",
            );
        }
        let allow: BTreeSet<&str> = cx.config.secrets.allow.iter().map(String::as_str).collect();
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let (mut references, mut weak, mut allowed) = (0usize, 0usize, 0usize);
        for (what, file) in &files {
            let mut hits: Vec<Hit> = Vec::new();
            for node in file.yaml_docs().iter().flat_map(|d| d.nodes()) {
                for (key, value) in node.entries() {
                    let Some(k) = key.as_text() else { continue };
                    if !VALUE_MAPS.contains(&k) || !value.is_map() {
                        continue;
                    }
                    for (name, v) in value.entries() {
                        let Some(name) = name.as_text() else { continue };
                        if !is_secret_name(name) {
                            continue;
                        }
                        // GitLab `variables: X: {value: ..., description: ...}`.
                        let v = v.get("value").unwrap_or(v);
                        let Some(text) = v.as_text() else { continue };
                        match literal(text) {
                            Literal::Reference => references += 1,
                            Literal::Weak => weak += 1,
                            Literal::Secret(secret) => hits.push(Hit {
                                location: v.location(&file.path),
                                secret: secret.to_string(),
                                message: format!("`{k}.{name}` is a literal"),
                            }),
                        }
                    }
                }
            }
            let scanner = Scanner::builtin();
            for found in scanner.scan(&file.text, FileClass::of(&file.path)) {
                if found.verdict != Verdict::Secret {
                    continue;
                }
                let Some(secret) = file.text.get(found.range.clone()) else {
                    continue;
                };
                let name = scanner
                    .rules()
                    .get(found.rule)
                    .map(|r| r.name.clone())
                    .unwrap_or_default();
                hits.push(Hit {
                    location: file.location_of(found.range.clone()),
                    secret: secret.to_string(),
                    message: name,
                });
            }
            for range in docker_login_passwords(&file.text) {
                let Some(secret) = file.text.get(range.clone()) else {
                    continue;
                };
                hits.push(Hit {
                    location: file.location_of(range.clone()),
                    secret: secret.to_string(),
                    message: "`docker login` with a literal password".to_string(),
                });
            }
            // One finding per line: the key rule, the scanner and docker login may see one value.
            let mut seen: BTreeSet<(u32, String)> = BTreeSet::new();
            hits.retain(|h| seen.insert((h.location.line, h.secret.clone())));
            let mut lines: BTreeSet<u32> = BTreeSet::new();
            for hit in &hits {
                let fp = fingerprint(&hit.secret);
                if allow.contains(fp.as_str()) {
                    allowed += 1;
                    continue;
                }
                if !lines.insert(hit.location.line) {
                    continue;
                }
                let shown = redact(&hit.secret, &fp);
                let mut finding = Finding::at(
                    hit.location.clone(),
                    format!("{what} `{}`: {} (`{shown}`)", file.name(), hit.message),
                );
                let (first, last) = (hit.location.line, hit.location.line + SNIPPET_LINES);
                let mut masks: Vec<&Hit> = hits
                    .iter()
                    .filter(|o| o.location.line >= first.saturating_sub(SNIPPET_LINES))
                    .filter(|o| o.location.line <= last)
                    .collect();
                masks.sort_by_key(|h| std::cmp::Reverse(h.secret.len()));
                for m in masks {
                    let shown = redact(&m.secret, &fingerprint(&m.secret));
                    finding = finding.redacting(m.secret.clone(), shown);
                }
                findings.push(finding);
            }
            evidence.push(Evidence::at(
                &file.path,
                1,
                format!("{what} read for literal credentials"),
            ));
        }
        if references > 0 {
            evidence.push(Evidence::note(format!(
                "{references} secret-named value(s) are references (`${{{{ secrets.* }}}}`, `$VAR`) or placeholders"
            )));
        }
        if weak > 0 {
            evidence.push(Evidence::note(format!(
                "{weak} secret-named value(s) are short dictionary-like literals (e.g. a throw-away service container's password), not reported"
            )));
        }
        if allowed > 0 {
            evidence.push(Evidence::note(format!(
                "{allowed} value(s) allowed by fingerprint ([secrets] allow)"
            )));
        }
        Outcome::from_findings(findings, evidence)
    }
}

struct Hit {
    location: Location,
    secret: String,
    message: String,
}

/// The CI configuration files of the repository, each with what it is.
fn ci_files<'a>(cx: &Context<'a>) -> Vec<(&'static str, &'a SourceFile)> {
    let ws = cx.ws;
    let mut out: Vec<(&'static str, &'a SourceFile)> = Vec::new();
    for f in ws.files() {
        if github::is_workflow_path(&f.path) {
            out.push(("workflow", f));
        }
    }
    for a in github::composite_actions(ws) {
        out.push(("composite action", a.file));
    }
    if let Some(gl) = pipelines::gitlab(ws) {
        for f in &gl.files {
            out.push(("GitLab CI file", f.file));
        }
    }
    for p in pipelines::other_pipelines(ws) {
        out.push(("CI file", p.file));
    }
    let mut seen = BTreeSet::new();
    out.retain(|(_, f)| seen.insert(f.path.clone()));
    out
}

/// Whether a key names a credential (`DEPLOY_TOKEN`, `registry-password`, `apiKey`), not
/// something about one (`TOKEN_URL`, `password_file`, `id-token`).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace('-', "_");
    if non_secret_name(name) || upper == "ID_TOKEN" || upper.ends_with("_NAME") {
        return false;
    }
    SECRET_WORDS.iter().any(|w| upper.contains(w))
}

enum Literal<'a> {
    /// `${{ secrets.X }}`, `$VAR`, a placeholder: nothing is written down.
    Reference,
    /// A literal too short or too regular to be a real credential (`postgres`, `test`).
    Weak,
    Secret(&'a str),
}

/// What a value under a secret-named key is.
fn literal(value: &str) -> Literal<'_> {
    let v = value.trim().trim_matches(['"', '\'']);
    if v.is_empty() || v.contains("${{") || v.contains('$') || is_placeholder(v) {
        return Literal::Reference;
    }
    if v.contains(char::is_whitespace) || v.len() < 12 || shannon_entropy(v) < 3.0 {
        return Literal::Weak;
    }
    let classes = [
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
        v.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 2 {
        return Literal::Weak;
    }
    Literal::Secret(v)
}

/// `docker login -p VALUE`, `--password VALUE`, `--password=VALUE` with a literal (not `$VAR`,
/// not a placeholder): the value's byte range in `text`.
pub(crate) fn docker_login_passwords(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(at) = line
            .find("docker login")
            .or_else(|| line.find("podman login"))
        else {
            continue;
        };
        // Words with their byte offsets in the line.
        let mut words: Vec<(usize, &str)> = Vec::new();
        let rest = &line[at..];
        let mut pos = 0;
        for w in rest.split_whitespace() {
            let Some(found) = rest[pos..].find(w) else {
                break;
            };
            words.push((at + pos + found, w));
            pos += found + w.len();
        }
        let mut value = None;
        for (j, (off, w)) in words.iter().enumerate() {
            if matches!(*w, "&&" | "||" | ";" | "|") {
                break;
            }
            if let Some(v) = w.strip_prefix("--password=") {
                value = Some((off + "--password=".len(), v));
            } else if matches!(*w, "-p" | "--password") {
                value = words.get(j + 1).copied();
            }
        }
        let Some((off, raw)) = value else { continue };
        let v = raw.trim_matches(['"', '\'']);
        if v.is_empty() || v.starts_with('-') || v.contains('$') || is_placeholder(v) {
            continue;
        }
        let inner = off + raw.find(v).unwrap_or(0);
        out.push(start + inner..start + inner + v.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert!(is_secret_name("DEPLOY_TOKEN"));
        assert!(is_secret_name("registry-password"));
        assert!(is_secret_name("AWS_SECRET_ACCESS_KEY"));
        assert!(is_secret_name("api_key"));
        assert!(!is_secret_name("id-token"));
        assert!(!is_secret_name("SECRET_NAME"));
        assert!(!is_secret_name("IMAGE"));
    }

    #[test]
    fn literals() {
        assert!(matches!(
            literal("${{ secrets.TOKEN }}"),
            Literal::Reference
        ));
        assert!(matches!(literal("$CI_JOB_TOKEN"), Literal::Reference));
        assert!(matches!(literal("changeme"), Literal::Reference));
        assert!(matches!(literal("postgres"), Literal::Weak));
        assert!(matches!(literal("Zq8rT2mW4kP9xL7v"), Literal::Secret(_)));
    }

    #[test]
    fn docker_login() {
        let text = "run: |\n  docker login -u ci -p Zq8rT2mW4kP9 ghcr.io\n  docker login -u ci -p \"$PASS\" x\n  echo \"$P\" | docker login --password-stdin -u ci x\n  docker login --password=Zq8rT2mW4kP9 x\n";
        let got: Vec<&str> = docker_login_passwords(text)
            .into_iter()
            .filter_map(|r| text.get(r))
            .collect();
        assert_eq!(got, vec!["Zq8rT2mW4kP9", "Zq8rT2mW4kP9"]);
    }
}
