use super::rules::{FileClass, Verdict};
use super::scanner::{Found, Scanner, UserRule};
use golive_core::config::{SECRET_FINGERPRINT_HEX, SecretRule};
use golive_core::{Context, Evidence, Finding, Location, Outcome, SourceFile, declare_check};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

declare_check! {
    /// ## What it checks
    /// No credential is committed anywhere in the repository: cloud keys, API tokens, private
    /// keys, passwords in URLs, or random-looking values assigned to secret-named keys.
    ///
    /// Every text file is scanned once against all rules: AWS access key IDs (`AKIA`/`ASIA`)
    /// and secret access keys (in an assignment), GCP service-account private keys and Google
    /// API keys (`AIza`), Azure storage account keys, connection-string keys and Entra ID client
    /// secrets (`…Q~…`), GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`),
    /// GitLab tokens (`glpat-`, `glptt-`, `glrt-`, `gldt-`, `glft-`, `glsoat-`, `glcbt-`,
    /// `glagent-`, `GR1348941`), Bitbucket app passwords (`ATBB`) and Atlassian API tokens
    /// (`ATATT3`), CircleCI (`CCIPAT_`, `CCIPRJ_`) and Buildkite (`bkua_`) tokens, Slack tokens
    /// (`xoxb-`, `xoxa-`, `xoxp-`, `xoxr-`, `xapp-`) and webhooks, Discord and Teams webhooks,
    /// Stripe live keys (`sk_live_`, `rk_live_`), Square (`sq0atp-`, `EAAA`, `sq0csp-`) and
    /// PayPal Braintree (`access_token$production$`) credentials, Twilio keys (on lines naming
    /// Twilio), SendGrid (`SG.`), npm (`npm_`, `.npmrc` `_authToken`), PyPI (`pypi-AgE…`),
    /// HashiCorp Vault (`hvs.`, `hvb.`) and Terraform Cloud (`….atlasv1.…`) tokens, Docker Hub
    /// (`dckr_pat_`) and DigitalOcean (`dop_v1_`) tokens, OpenAI (`sk-…T3BlbkFJ…`) and Anthropic
    /// (`sk-ant-`) API keys, private key blocks (`-----BEGIN … PRIVATE KEY-----`), JWTs (with a
    /// registered claim such as `exp` or `sub`), `scheme://user:password@host`, and values of
    /// secret-named keys (`password`, `secret`, `token`, `api_key`, `access_key`, `private_key`
    /// in YAML, JSON, HCL, .env, properties and code) that are 16 characters or longer, mix
    /// letters and digits, and have a Shannon entropy of at least 3.5 bits per character.
    ///
    /// Left out on purpose (compared with gitleaks' rule set): formats with no literal of their
    /// own that gitleaks finds only next to a vendor's name (Travis CI, Drone, Bitbucket OAuth
    /// client IDs and secrets, PayPal REST client secrets, Heroku API keys) are found by the
    /// secret-named-key rule when assigned to one; test-mode keys (`sk_test_`) that cannot move
    /// money; and identifiers that are not credentials on their own (AWS account IDs, client IDs).
    ///
    /// Not reported: placeholders and references (`changeme`, `example`, `xxxx`, `<your-key>`,
    /// `${VAR}`, `$(VAR)`, `{{ .Values.x }}`, `REPLACE_ME`, all-same or sequential characters),
    /// values documented by vendors or RFCs as examples (`AKIAIOSFODNN7EXAMPLE`), passwords in
    /// URLs to local or documentation hosts or equal to the user name, password hashes,
    /// URL-encoded data, and in code, assignments of expressions rather than string literals.
    ///
    /// Lockfiles (`Cargo.lock`, `package-lock.json`, `yarn.lock`, `go.sum`, …) are full of
    /// integrity hashes, so the entropy-based rule does not run there; the format rules still
    /// do, since registry credentials leak into `resolved` URLs. Test directories are scanned
    /// like everything else: real keys get committed in tests too, and fixtures' fake keys are
    /// placeholders or can be allowed by fingerprint.
    ///
    /// A finding never shows a secret: its message is `<rule>: <first characters>…fp:<12 hex>`,
    /// where the fingerprint is the start of the secret's SHA-256, and the secret is masked in
    /// code snippets in every output format.
    ///
    /// `golive.toml` tunes it:
    /// ```toml
    /// [secrets]
    /// allow = ["fp:3a7bd3e2360a"]        # a value that is not a secret, by its fingerprint
    /// allow_paths = ["docs/samples/**"]  # files not scanned
    /// [[secrets.rules]]                  # your own token formats
    /// id = "acme-api-key"
    /// regex = "acme_(?P<secret>[a-z0-9]{32})"
    /// keywords = ["acme_"]               # literals every match contains (3+ characters)
    /// ```
    ///
    /// `golive check --history` also scans the git history (`git log --all -p -U0`, every commit
    /// of every ref, oldest first): the lines each commit added are scanned with the same rules,
    /// and a secret the tree no longer has is reported once, at the first commit that added it,
    /// as `path@<12-character commit>:line` with `no longer in the tree` in its message (a secret
    /// still in the tree is reported at its file only). The evidence counts the commits scanned.
    /// Without git, or outside a git repository, the command stops with exit code 2.
    ///
    /// ## Why it matters
    /// A credential in a repository is readable by everyone who can clone it, forever: it stays
    /// in the history after the file is fixed, in every fork and every CI cache. Leaked cloud
    /// keys are found and abused by scanners within minutes of a push. The checklists are plain
    /// about it: no secrets exposed in the repository, none of the passwords or keys stored
    /// anywhere but a secret management service.
    ///
    /// ## How to fix
    /// Revoke and rotate the credential first (removing it from the file does not remove it
    /// from the history), then load it at run time from a secret store or the environment:
    /// ```yaml
    /// env:
    ///   - name: DATABASE_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: { name: db, key: password }
    /// ```
    /// If the value is not a secret (a test fixture, a public example), allow it by the
    /// fingerprint shown in the finding: `[secrets] allow = ["fp:…"]` in golive.toml.
    pub struct Committed {
        id: "secrets/committed",
        title: "No credentials are committed",
        category: Security,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: [
            "004: Production Ready Checklist: no secrets exposed in repository",
            "003: Production readiness checklist for backend applications: none of the passwords or keys should be stored anywhere; secrets live in a secret management service",
            "000: DevSecOps: use a secret management store to keep all secret information such as database passwords",
        ],
        fix: "revoke and rotate the credential, remove it, and load it at run time from a secret store or the environment (a value that is not a secret: add its fingerprint to [secrets] allow in golive.toml)",
    }
}

impl golive_core::Check for Committed {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let config = &cx.config.secrets;
        if cx.ws.files().is_empty() {
            return Outcome::not_applicable(
                "no text files in the repository (binary, huge and non-UTF-8 files are not read)",
            );
        }
        let owned;
        let scanner = if config.rules.is_empty() {
            Scanner::builtin()
        } else {
            let user: Vec<UserRule<'_>> = config
                .rules
                .iter()
                .map(|r| UserRule {
                    id: &r.id,
                    regex: &r.regex,
                    keywords: &r.keywords,
                })
                .collect();
            match Scanner::new(&user) {
                Ok(s) => {
                    owned = s;
                    &owned
                }
                Err(e) => match config.rules.get(e.index) {
                    Some(rule) => return rule_error(cx, rule, e.key, &e.message),
                    None => {
                        return Outcome::Error {
                            reason: format!("[secrets] rules: {}", e.message),
                            findings: Vec::new(),
                        };
                    }
                },
            }
        };
        let files: Vec<&SourceFile> = cx
            .ws
            .files()
            .iter()
            .filter(|f| {
                !config
                    .allow_paths
                    .iter()
                    .any(|g| g.matcher.is_match(&f.path))
            })
            .collect();
        let excluded = cx.ws.files().len() - files.len();
        if files.is_empty() {
            return Outcome::not_applicable(format!(
                "all {excluded} text file(s) are excluded by [secrets] allow_paths"
            ));
        }
        let scanned: Vec<(&SourceFile, Vec<Found>)> = files
            .par_iter()
            .map(|f| (*f, scanner.scan(&f.text, FileClass::of(&f.path))))
            .collect();

        let allow: BTreeSet<&str> = config.allow.iter().map(String::as_str).collect();
        let mut allowed_used = BTreeSet::new();
        let (mut findings, mut placeholders, mut allowed) = (Vec::new(), 0, 0);
        for (file, found) in &scanned {
            placeholders += found
                .iter()
                .filter(|f| f.verdict == Verdict::Placeholder)
                .count();
            let secrets: Vec<Secret<'_>> = found
                .iter()
                .filter(|f| f.verdict == Verdict::Secret)
                .map(|f| Secret::new(file, f))
                .collect();
            for s in &secrets {
                if allow.contains(s.fingerprint.as_str()) {
                    allowed += 1;
                    allowed_used.insert(s.fingerprint.clone());
                    continue;
                }
                let rule = &scanner.rules()[s.found.rule];
                let mut finding =
                    Finding::at(s.location.clone(), format!("{}: {}", rule.name, s.shown));
                // Mask every secret the snippet (the finding's first lines) may show, this one
                // and its neighbours (allowed ones included), longest first.
                let first = s.location.line;
                let last = s.location.end_line.min(first + SNIPPET_LINES - 1);
                let mut masks: Vec<(&str, &str)> = secrets
                    .iter()
                    .filter(|o| o.location.line <= last && o.location.end_line >= first)
                    .flat_map(|o| o.pieces().map(move |p| (p, o.shown.as_str())))
                    .collect();
                masks.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
                for (piece, shown) in masks {
                    finding = finding.redacting(piece, shown);
                }
                findings.push(finding);
            }
        }

        let in_tree: BTreeSet<String> = scanned
            .iter()
            .flat_map(|(file, found)| {
                found
                    .iter()
                    .filter(|f| f.verdict == Verdict::Secret)
                    .map(|f| fingerprint(&file.text[f.range.clone()]))
            })
            .collect();
        let history = cx
            .ws
            .history()
            .map(|h| scan_history(h, scanner, config, &allow, &in_tree));

        let rules = scanner.rules();
        let user_rules = rules.iter().filter(|r| r.user).count();
        let mut evidence = vec![Evidence::note(format!(
            "{} text file(s) scanned with {} rule(s){}",
            files.len(),
            rules.len(),
            if user_rules > 0 {
                format!(" ({user_rules} from golive.toml)")
            } else {
                String::new()
            }
        ))];
        let lockfiles = files
            .iter()
            .filter(|f| FileClass::of(&f.path).lockfile)
            .count();
        if lockfiles > 0 {
            evidence.push(Evidence::note(format!(
                "{lockfiles} lockfile(s) scanned with the format rules only (their hashes are not secrets)"
            )));
        }
        if placeholders > 0 {
            evidence.push(Evidence::note(format!(
                "{placeholders} placeholder or documented example value(s) ignored"
            )));
        }
        if excluded > 0 {
            evidence.push(Evidence::note(format!(
                "{excluded} file(s) not scanned ([secrets] allow_paths)"
            )));
        }
        if allowed > 0 {
            evidence.push(Evidence::note(format!(
                "{allowed} value(s) allowed by fingerprint ([secrets] allow)"
            )));
        }
        if let Some(h) = history {
            evidence.push(Evidence::note(format!(
                "--history: {} commit(s) scanned, {} secret(s) committed and later deleted, {} still in the tree (reported at their file)",
                h.commits, h.findings.len(), h.still_in_tree
            )));
            allowed_used.extend(h.allowed_used);
            findings.extend(h.findings);
        }
        for fp in allow.iter().filter(|fp| !allowed_used.contains(**fp)) {
            evidence.push(Evidence::note(format!(
                "[secrets] allow: {fp} matches no value in the repository: remove it"
            )));
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// What `--history` found: secrets that the history added and the tree no longer has.
struct HistoryScan {
    commits: usize,
    findings: Vec<Finding>,
    still_in_tree: usize,
    allowed_used: BTreeSet<String>,
}

/// Scans the lines each commit added, file by file; reports each secret once, at the first
/// commit that added it (`path@<commit>:line`), unless the tree still has it (then the tree's
/// finding reports it).
fn scan_history(
    history: &golive_core::history::GitHistory,
    scanner: &Scanner,
    config: &golive_core::config::SecretsConfig,
    allow: &BTreeSet<&str>,
    in_tree: &BTreeSet<String>,
) -> HistoryScan {
    let changes: Vec<_> = history
        .changes
        .iter()
        .filter(|c| {
            !config
                .allow_paths
                .iter()
                .any(|g| g.matcher.is_match(&c.path))
        })
        .collect();
    // The added lines of each change, joined, and what they found (in history order).
    let found: Vec<(String, Vec<Found>)> = changes
        .par_iter()
        .map(|c| {
            let text: String = c
                .lines
                .iter()
                .map(|(_, l)| l.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let found = scanner.scan(&text, FileClass::of(&c.path));
            (text, found)
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = HistoryScan {
        commits: history.commits,
        findings: Vec::new(),
        still_in_tree: 0,
        allowed_used: BTreeSet::new(),
    };
    for (change, (text, found)) in changes.iter().zip(&found) {
        for f in found.iter().filter(|f| f.verdict == Verdict::Secret) {
            let Some(secret) = text.get(f.range.clone()) else {
                continue;
            };
            let fp = fingerprint(secret);
            if !seen.insert(fp.clone()) {
                continue;
            }
            if in_tree.contains(&fp) {
                out.still_in_tree += 1;
                continue;
            }
            if allow.contains(fp.as_str()) {
                out.allowed_used.insert(fp);
                continue;
            }
            let index = text
                .get(..f.range.start)
                .map_or(0, |t| t.bytes().filter(|b| *b == b'\n').count());
            let line = change.lines.get(index).map_or(1, |(n, _)| *n).max(1);
            let rule = &scanner.rules()[f.rule];
            let path = format!("{}@{}", change.path, change.short_commit());
            out.findings.push(Finding::at(
                Location::line(&path, line),
                format!(
                    "{}: {} (added in commit {}, no longer in the tree: still in the history)",
                    rule.name,
                    redact(secret, &fp),
                    change.short_commit()
                ),
            ).with_help(
                "revoke and rotate the credential: deleting it did not remove it from the history, which every clone keeps",
            ));
        }
    }
    out
}

/// Lines of source the engine shows with a finding (a secret further down is not shown).
const SNIPPET_LINES: u32 = 6;

/// A secret found in a file, with what may be shown of it.
struct Secret<'a> {
    found: &'a Found,
    text: &'a str,
    location: Location,
    fingerprint: String,
    /// `<first characters>…fp:<hex>`.
    shown: String,
}

impl<'a> Secret<'a> {
    fn new(file: &'a SourceFile, found: &'a Found) -> Secret<'a> {
        let text = &file.text[found.range.clone()];
        let fingerprint = fingerprint(text);
        Secret {
            found,
            text,
            location: file.location_of(found.range.clone()),
            shown: redact(text, &fingerprint),
            fingerprint,
        }
    }

    /// The parts of the secret as they appear on each line it spans (a private key's body lines;
    /// the BEGIN/END markers are not secret).
    fn pieces(&self) -> impl Iterator<Item = &'a str> {
        let multi = self.text.contains('\n');
        self.text
            .split('\n')
            .map(str::trim)
            .filter(move |p| !multi || (p.len() >= 4 && !p.starts_with("-----")))
    }
}

/// `fp:` and the first hex digits of the secret's SHA-256: stable, and safe to show and to write
/// in golive.toml.
pub fn fingerprint(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("fp:{}", &hex[..SECRET_FINGERPRINT_HEX])
}

/// The secret's first four characters (fewer for a short secret: at most a quarter of it), `…`
/// and its fingerprint.
pub fn redact(secret: &str, fingerprint: &str) -> String {
    let shown = (secret.chars().count() / 4).min(4);
    let head: String = secret.chars().take(shown).collect();
    format!("{head}…{fingerprint}")
}

/// A user rule golive.toml declares cannot be used: the check cannot be evaluated.
fn rule_error(cx: &Context<'_>, rule: &SecretRule, key: &str, message: &str) -> Outcome {
    let text = format!("key `secrets.rules.{key}`: rule `{}`: {message}", rule.id);
    let line = rule
        .declared_at
        .rsplit_once(':')
        .and_then(|(_, l)| l.parse::<u32>().ok());
    let file = rule.declared_at.rsplit_once(':').map(|(f, _)| f);
    let finding = match (file, line) {
        (Some(f), Some(l)) if cx.ws.file(f).is_some() => {
            Finding::at(Location::line(f, l), text.clone())
        }
        _ => Finding::repo(text.clone()),
    };
    Outcome::Error {
        reason: format!("{}: {text}", rule.declared_at),
        findings: vec![finding],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_and_redaction() {
        let fp = fingerprint("hello");
        // SHA-256("hello") = 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
        assert_eq!(fp, "fp:2cf24dba5fb0");
        assert_eq!(redact("abcdefghijklmnopqrst", &fp), "abcd…fp:2cf24dba5fb0");
        assert_eq!(redact("abcdefgh", &fp), "ab…fp:2cf24dba5fb0");
        assert_eq!(redact("abc", &fp), "…fp:2cf24dba5fb0");
        assert_eq!(redact("ééééééééééééééééé", &fp), "éééé…fp:2cf24dba5fb0");
    }
}
