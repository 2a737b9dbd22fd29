use crate::ci::github::{self, ActionRef, Step, is_full_sha};
use golive_core::{Context, Evidence, Finding, Outcome, SourceFile, declare_check};

declare_check! {
    /// ## What it checks
    /// Third-party actions used in workflow steps and in composite actions (`action.yml` with
    /// `runs.using: composite`) are pinned to a full 40-character commit SHA.
    ///
    /// - First-party actions (`actions/*`, `github/*`) on a version tag (`actions/checkout@v4`)
    ///   are accepted and listed in the evidence: GitHub maintains them and their release
    ///   tags, and pinning them adds update churn for little risk. On a branch (`@main`) they
    ///   are a finding like any other.
    /// - Local actions (`./.github/actions/setup`) and Docker actions pinned by digest
    ///   (`docker://alpine@sha256:...`) are fine; `docker://image:tag` is a finding.
    /// - Reusable workflow calls (`uses:` at job level) from other repositories are listed in
    ///   the evidence, not reported: they are usually your own organisation's shared
    ///   workflows. Pin them too when they are not.
    ///
    /// One finding per `uses:` line, naming the reference.
    ///
    /// ## Why it matters
    /// A tag or a branch is a pointer that whoever controls the action's repository can move.
    /// The action's code then runs in your pipeline with its token, its secrets and write
    /// access to what you build and deploy: in March 2025 the tags of `tj-actions/changed-files`
    /// were moved to a commit that printed CI secrets into the logs of thousands of
    /// repositories. A commit SHA cannot be moved. (DevSecOps: "security checks ... in the
    /// development pipeline"; Production Ready Checklist, Security: "No secrets exposed".)
    ///
    /// ## How to fix
    /// Pin the full commit SHA of the release and keep the tag in a comment (Dependabot and
    /// Renovate update both):
    /// ```yaml
    /// # the SHA of the commit the release tag points at (shown on the release page)
    /// - uses: some-org/some-action@3f8e2b7c9d1a4e6f8b0c2d4e6f8a0b2c4d6e8f0a # v2.1.0
    /// - uses: docker://ghcr.io/some-org/linter@sha256:<digest of the image>
    /// ```
    pub struct PinnedActions {
        id: "ci/pinned-actions",
        title: "Third-party actions are pinned to a commit SHA",
        category: Ci,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "000: DevSecOps for early-stage startups: security checks in the development pipeline",
            "004: Production Ready Checklist, Security: no secrets exposed; use dependency management",
        ],
        fix: "pin the action to the full commit SHA of a release (`owner/repo@<40-hex sha> # vX.Y.Z`)",
    }
}

impl golive_core::Check for PinnedActions {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let workflows = github::workflows(cx.ws);
        let composites = github::composite_actions(cx.ws);
        if workflows.parsed.is_empty() && composites.is_empty() {
            return Outcome::not_applicable(if workflows.unreadable.is_empty() {
                "no GitHub Actions workflows or composite actions"
            } else {
                "no GitHub Actions workflow could be read (parse/invalid-yaml reports why)"
            });
        }
        let mut tally = Tally::default();
        for wf in &workflows.parsed {
            for job in &wf.jobs {
                if let Some(uses) = job.uses.and_then(|u| u.as_text())
                    && let ActionRef::Remote { git_ref, .. } = ActionRef::parse(uses)
                    && !git_ref.is_some_and(is_full_sha)
                {
                    tally.reusable.push(format!(
                        "{}:{} `{}`",
                        wf.file.path,
                        job.key.line(),
                        uses.trim()
                    ));
                }
                for step in &job.steps {
                    tally.step(wf.file, step);
                }
            }
        }
        for action in &composites {
            for step in &action.steps {
                tally.step(action.file, step);
            }
        }
        let mut evidence = Vec::new();
        if tally.pinned > 0 {
            evidence.push(Evidence::note(format!(
                "{} third-party action reference(s) pinned to a full commit SHA",
                tally.pinned
            )));
        }
        if !tally.first_party.is_empty() {
            tally.first_party.sort();
            tally.first_party.dedup();
            evidence.push(Evidence::note(format!(
                "first-party actions on version tags, accepted (GitHub maintains them): {}",
                tally.first_party.join(", ")
            )));
        }
        if tally.local > 0 {
            evidence.push(Evidence::note(format!(
                "{} local action reference(s) (code in this repository)",
                tally.local
            )));
        }
        if !tally.reusable.is_empty() {
            evidence.push(Evidence::note(format!(
                "reusable workflows called by tag or branch, not checked (pin them too if they are not your organisation's): {}",
                tally.reusable.join(", ")
            )));
        }
        if tally.findings.is_empty()
            && tally.pinned == 0
            && tally.first_party.is_empty()
            && tally.local == 0
        {
            evidence.push(Evidence::note(
                "the workflows use no actions, only `run:` steps",
            ));
        }
        Outcome::from_findings(tally.findings, evidence)
    }
}

#[derive(Default)]
struct Tally {
    findings: Vec<Finding>,
    pinned: usize,
    local: usize,
    first_party: Vec<String>,
    reusable: Vec<String>,
}

impl Tally {
    fn step(&mut self, file: &SourceFile, step: &Step<'_>) {
        let Some(node) = step.uses else { return };
        let Some(uses) = node.as_text() else { return };
        let uses = uses.trim();
        let at = node.location(&file.path);
        match ActionRef::parse(uses) {
            ActionRef::Local(_) => self.local += 1,
            ActionRef::Unknown => {}
            ActionRef::Docker { image } => {
                if image.contains("@sha256:") {
                    self.pinned += 1;
                } else {
                    self.findings.push(Finding::at(
                        at,
                        format!(
                            "`{uses}` pulls the image by tag: the image behind it can change; pin it by digest (`docker://{}@sha256:...`)",
                            image_name(image)
                        ),
                    ));
                }
            }
            ActionRef::Remote { owner, git_ref, .. } => {
                let Some(git_ref) = git_ref else {
                    self.findings.push(Finding::at(
                        at,
                        format!("`{uses}` names no version: pin it to a full commit SHA"),
                    ));
                    return;
                };
                if is_full_sha(git_ref) {
                    self.pinned += 1;
                    return;
                }
                let first_party =
                    owner.eq_ignore_ascii_case("actions") || owner.eq_ignore_ascii_case("github");
                if first_party && is_version_tag(git_ref) {
                    self.first_party.push(format!("`{uses}`"));
                    return;
                }
                let what = describe_ref(git_ref);
                self.findings.push(Finding::at(
                    at,
                    format!(
                        "`{uses}` is pinned to {what}, not a full commit SHA: whoever controls the action's repository can change the code that runs with this job's token and secrets"
                    ),
                ));
            }
        }
    }
}

/// The image name without its tag (`registry:5000/team/app:1.2` → `registry:5000/team/app`).
fn image_name(image: &str) -> &str {
    match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => image,
    }
}

/// `v4`, `v4.1.1`, `2.0.0`, `v1.2.3-beta.1`.
fn is_version_tag(r: &str) -> bool {
    let digits = r.strip_prefix('v').unwrap_or(r);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.split(['-', '+']).next().is_some_and(|core| {
            core.split('.')
                .all(|p| p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty())
        })
}

fn describe_ref(r: &str) -> String {
    if is_version_tag(r) {
        format!("the tag `{r}`")
    } else if r.len() >= 7 && r.len() < 40 && r.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("the short SHA `{r}`")
    } else {
        format!("`{r}` (a branch or tag)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_keep_registry_ports() {
        assert_eq!(image_name("alpine:3.20"), "alpine");
        assert_eq!(
            image_name("localhost:5000/team/app:1.2"),
            "localhost:5000/team/app"
        );
        assert_eq!(
            image_name("localhost:5000/team/app"),
            "localhost:5000/team/app"
        );
    }

    #[test]
    fn version_tags() {
        for tag in ["v4", "v4.1.1", "2.0.0", "v1.2.3-beta.1"] {
            assert!(is_version_tag(tag), "{tag}");
        }
        for other in ["main", "master", "release/v1", "v", "latest", "v1..2"] {
            assert!(!is_version_tag(other), "{other}");
        }
    }
}
