use crate::docs::find;
use crate::testing::ecosystems::is_vendored;
use golive_core::parse::codeowners::OwnerRule;
use golive_core::{
    Context, Evidence, Facet, FileKind, Finding, Location, Outcome, SourceFile, declare_check,
};

declare_check! {
    /// ## What it checks
    /// A CODEOWNERS file exists where the forge reads it, parses, names an owner on every rule,
    /// and has a catch-all rule so that every file has an owner.
    ///
    /// GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS` and `docs/CODEOWNERS`;
    /// GitLab (a repository with `.gitlab-ci.yml` or a `.gitlab/` folder and no `.github/`)
    /// reads the first of `CODEOWNERS`, `docs/CODEOWNERS` and `.gitlab/CODEOWNERS`. Only that
    /// file is checked; others are listed in the evidence as ignored, and a CODEOWNERS file
    /// anywhere else is a finding (nothing reads it). In the file:
    ///
    /// * every line the parser cannot read (an owner that is not `@user`, `@org/team` or an
    ///   email, a broken GitLab section header) is a finding at that line;
    /// * every rule without an owner is a finding: GitHub then treats the matching files as
    ///   owned by nobody, even when an earlier rule gave them an owner (GitLab `!` exclusions
    ///   are meant to have none and are not reported);
    /// * on GitHub, a rule using `!` negation, `[ ]` character ranges or a `\#`-escaped leading
    ///   `#` is a finding: GitHub's CODEOWNERS syntax does not support them and skips the line;
    /// * a file without a catch-all rule (`*`, `**`, `/**`, `**/*`; `/*` covers only root
    ///   files) with an owner is a finding at its first line.
    ///
    /// ## Why it matters
    /// Without owners, pull requests to critical paths are reviewed by whoever is around, and
    /// at incident time nobody knows who to page for a component. (Production readiness
    /// checklist, Access: "Only the production team should have access to production"; Production
    /// Ready Checklist, Continuous Integration: "Do code reviews".)
    ///
    /// ## How to fix
    /// `.github/CODEOWNERS` (the last matching rule wins, so the catch-all comes first):
    /// ```text
    /// *               @acme/payments-team
    /// /deploy/        @acme/payments-team @acme/sre
    /// /db/migrations/ @acme/dba
    /// ```
    pub struct Codeowners {
        id: "ownership/codeowners",
        title: "CODEOWNERS gives every file an owner",
        category: Docs,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Continuous Integration: do code reviews",
            "003: Go-live checklist, Access: only the production team should have access to production",
        ],
        fix: "add .github/CODEOWNERS with a `*` rule naming the owning team, and an owner on every rule",
    }
}

/// Where a forge reads CODEOWNERS from, in its order.
const GITHUB: &[&str] = &[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];
const GITLAB: &[&str] = &["CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"];

impl golive_core::Check for Codeowners {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        if find::is_empty_repository(cx.ws) {
            return Outcome::not_applicable(find::EMPTY_REPOSITORY);
        }
        let uses_github = cx.ws.files().iter().any(|f| f.path.starts_with(".github/"));
        let uses_gitlab = cx.ws.has(Facet::GitlabCi)
            || cx.ws.files().iter().any(|f| f.path.starts_with(".gitlab/"));
        let (forge, places) = if uses_gitlab && !uses_github {
            ("GitLab", GITLAB)
        } else {
            ("GitHub", GITHUB)
        };
        let all: Vec<&SourceFile> = cx
            .ws
            .files_of(FileKind::Codeowners)
            .filter(|f| !is_vendored(&f.path))
            .collect();
        let read: Vec<&SourceFile> = places
            .iter()
            .filter_map(|place| {
                all.iter()
                    .find(|f| f.path.eq_ignore_ascii_case(place))
                    .copied()
            })
            .collect();
        let Some(file) = read.first().copied() else {
            let findings: Vec<Finding> = if all.is_empty() {
                vec![Finding::repo(
                    "no CODEOWNERS file: no file of the repository has an owner",
                )]
            } else {
                all.iter()
                    .map(|f| {
                        Finding::at(
                            Location::file(&f.path),
                            format!(
                                "{} is not read: {forge} reads CODEOWNERS only from {}",
                                f.path,
                                places.join(", ")
                            ),
                        )
                        .with_help(format!("move the file to {}", places[0]))
                    })
                    .collect()
            };
            return Outcome::from_findings(findings, Vec::new());
        };
        let mut evidence: Vec<Evidence> = all
            .iter()
            .filter(|f| f.path != file.path)
            .map(|f| {
                let why = if read.iter().any(|r| r.path == f.path) {
                    format!(
                        "ignored: {forge} uses only {} (the first found of {})",
                        file.path,
                        places.join(", ")
                    )
                } else {
                    format!("ignored: {forge} does not read CODEOWNERS from this folder")
                };
                Evidence::file(&f.path, why)
            })
            .collect();
        let Some(owners) = file.codeowners() else {
            return Outcome::Error {
                reason: format!("{} could not be read as CODEOWNERS", file.path),
                findings: Vec::new(),
            };
        };
        let mut findings: Vec<Finding> = owners
            .problems
            .iter()
            .map(|p| {
                Finding::at(
                    Location {
                        path: file.path.clone(),
                        line: p.line,
                        column: p.column,
                        end_line: p.line,
                        end_column: p.column,
                    },
                    p.message.clone(),
                )
            })
            .collect();
        if owners.rules.is_empty() {
            findings.push(Finding::at(
                Location::file(&file.path),
                format!(
                    "{} has no rules: no file of the repository has an owner",
                    file.path
                ),
            ));
            return Outcome::from_findings(findings, evidence);
        }
        let catch_all = owners.covers_everything();
        // The last catch-all rule, when none gives an owner: its own finding says why.
        let ownerless_catch_all = match catch_all {
            Some(_) => None,
            None => owners.rules.iter().rev().find(|r| r.is_catch_all()),
        };
        if forge == "GitHub" {
            findings.extend(owners.rules.iter().filter_map(|rule| {
                let unsupported = if rule.pattern.starts_with('!') {
                    "`!` negation"
                } else if rule.pattern.contains('[') && rule.pattern.contains(']') {
                    "`[ ]` character ranges"
                } else if rule.pattern.starts_with('#') {
                    "escaping a leading `#` with `\\`"
                } else {
                    return None;
                };
                Some(Finding::at(
                    rule_location(&file.path, rule),
                    format!("`{}`: GitHub's CODEOWNERS syntax does not support {unsupported}; GitHub reports the line as an error and skips it", rule.pattern),
                ))
            }));
        }
        for rule in &owners.rules {
            let has_problem = owners.problems.iter().any(|p| p.line == rule.line);
            if !rule.owners.is_empty() || rule.pattern.starts_with('!') {
                continue;
            }
            let at = rule_location(&file.path, rule);
            let no_owner = if has_problem {
                "names no valid owner"
            } else {
                "names no owner"
            };
            if ownerless_catch_all.is_some_and(|r| r.line == rule.line) {
                findings.push(
                    Finding::at(
                        at,
                        format!(
                            "`{}` {no_owner}: every file not matched by a later rule has no owner",
                            rule.pattern
                        ),
                    )
                    .with_help(
                        "name the owning team on the catch-all rule, e.g. `* @acme/payments-team`",
                    ),
                );
            } else if has_problem {
                // The parser's problem on this line already says what is wrong with the owners.
            } else if forge == "GitLab" {
                findings.push(Finding::at(
                    at,
                    format!(
                        "`{}` names no owner, and its section has no default owners",
                        rule.pattern
                    ),
                ));
            } else {
                findings.push(
                    Finding::at(
                        at,
                        format!(
                            "`{}` names no owner: the files it matches lose the owners earlier rules gave them",
                            rule.pattern
                        ),
                    )
                    .with_help("add the owning team to the rule (or waive this finding if those files are meant to have no owner)"),
                );
            }
        }
        match catch_all {
            Some(rule) => evidence.push(Evidence::at(
                &file.path,
                rule.line,
                format!("`{}` gives every file an owner: {}", rule.pattern, rule.owners.join(" ")),
            )),
            None if ownerless_catch_all.is_none() => findings.push(
                Finding::at(
                    Location::file(&file.path),
                    "no `*` rule: files outside the listed paths have no owner",
                )
                .with_help("add `* @your-org/your-team` as the first rule; later, more specific rules override it"),
            ),
            None => {}
        }
        evidence.push(Evidence::file(
            &file.path,
            format!("{} rule(s), read by {forge}", owners.rules.len()),
        ));
        Outcome::from_findings(findings, evidence)
    }
}

fn rule_location(path: &str, rule: &OwnerRule) -> Location {
    let width = u32::try_from(rule.pattern.chars().count()).unwrap_or(0);
    Location {
        path: path.to_string(),
        line: rule.line,
        column: rule.column,
        end_line: rule.line,
        end_column: rule.column.saturating_add(width),
    }
}
