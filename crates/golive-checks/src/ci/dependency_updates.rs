use crate::ci::github;
use crate::testing::ecosystems::{self, Ecosystem};
use golive_core::parse::yaml;
use golive_core::{Context, Evidence, FileKind, Finding, Outcome, SourceFile, declare_check};

declare_check! {
    /// ## What it checks
    /// Dependabot or Renovate keeps every dependency ecosystem of the repository up to date.
    ///
    /// The ecosystems detected are those with a manifest in the repository's own code (vendored,
    /// example and test-data folders are skipped), named as Dependabot names them: `cargo`,
    /// `gomod`, `npm`, `pip`, `maven`, `gradle`, `nuget`, `bundler`, plus `docker` (a
    /// Dockerfile), `github-actions` (a workflow or composite action using a remote action) and
    /// `terraform` (a `.tf` file).
    ///
    /// - Dependabot: `.github/dependabot.yml` needs an `updates` entry whose
    ///   `package-ecosystem` is the ecosystem's (`uv`/`pipenv`/`poetry` count for `pip`,
    ///   `docker-compose` does not count for `docker`). Each ecosystem without one is a finding
    ///   at the file's `updates` key. Which `directory` each entry watches is not compared.
    /// - Renovate (`renovate.json`, `renovate.json5`, `.renovaterc`, `.renovaterc.json`,
    ///   `.github/renovate.json`, `.gitlab/renovate.json`, or a `renovate` key in the root
    ///   package.json) covers every ecosystem unless `enabledManagers` limits it; then each
    ///   ecosystem none of whose managers is enabled is a finding at `enabledManagers`.
    ///
    /// With neither, each ecosystem is a finding about the repository. Not-applicable when no
    /// ecosystem is detected.
    ///
    /// ## Why it matters
    /// Dependencies age silently: security fixes ship in versions nobody upgrades to, and the
    /// longer the gap, the bigger and riskier the eventual upgrade. An update bot turns that
    /// into small, tested pull requests. (DevSecOps: "keep dependencies up to date, automate
    /// updates"; Production Ready Checklist: "dependencies are kept up to date".)
    ///
    /// ## How to fix
    /// ```yaml
    /// # .github/dependabot.yml
    /// version: 2
    /// updates:
    ///   - package-ecosystem: gomod
    ///     directory: /
    ///     schedule: { interval: weekly }
    ///   - package-ecosystem: docker
    ///     directory: /
    ///     schedule: { interval: weekly }
    ///   - package-ecosystem: github-actions
    ///     directory: /
    ///     schedule: { interval: weekly }
    /// ```
    /// Or add `renovate.json` with `{"extends": ["config:recommended"]}` (it covers all
    /// ecosystems).
    pub struct DependencyUpdates {
        id: "ci/dependency-updates",
        title: "Dependabot or Renovate covers every ecosystem",
        category: Ci,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "000: DevSecOps: keep dependencies up to date; automate dependency updates",
            "004: Production Ready Checklist: dependencies are up to date",
        ],
        fix: "add an `updates` entry for the ecosystem to .github/dependabot.yml (or configure Renovate, which covers every ecosystem unless `enabledManagers` limits it)",
    }
}

/// Dependabot's name of an ecosystem, the `package-ecosystem` values that cover it, and the
/// Renovate managers that do.
struct Kind {
    name: &'static str,
    dependabot: &'static [&'static str],
    renovate: &'static [&'static str],
}

const KINDS: &[Kind] = &[
    Kind {
        name: "cargo",
        dependabot: &["cargo"],
        renovate: &["cargo"],
    },
    Kind {
        name: "gomod",
        dependabot: &["gomod"],
        renovate: &["gomod"],
    },
    Kind {
        name: "npm",
        dependabot: &["npm", "bun"],
        renovate: &["npm"],
    },
    Kind {
        name: "pip",
        dependabot: &["pip", "uv", "pipenv", "poetry"],
        renovate: &[
            "pip_requirements",
            "pip_setup",
            "pipenv",
            "poetry",
            "pep621",
            "setup-cfg",
            "pip-compile",
        ],
    },
    Kind {
        name: "maven",
        dependabot: &["maven"],
        renovate: &["maven", "maven-wrapper"],
    },
    Kind {
        name: "gradle",
        dependabot: &["gradle"],
        renovate: &["gradle", "gradle-wrapper"],
    },
    Kind {
        name: "nuget",
        dependabot: &["nuget"],
        renovate: &["nuget"],
    },
    Kind {
        name: "bundler",
        dependabot: &["bundler"],
        renovate: &["bundler"],
    },
    Kind {
        name: "docker",
        dependabot: &["docker"],
        renovate: &["dockerfile"],
    },
    Kind {
        name: "github-actions",
        dependabot: &["github-actions"],
        renovate: &["github-actions"],
    },
    Kind {
        name: "terraform",
        dependabot: &["terraform"],
        renovate: &["terraform"],
    },
];

const RENOVATE_FILES: &[&str] = &[
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
];

impl golive_core::Check for DependencyUpdates {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let detected = detected(cx);
        if detected.is_empty() {
            return Outcome::not_applicable(
                "no dependency manifest, Dockerfile, GitHub Actions action reference or Terraform file in the repository's own code",
            );
        }
        let mut findings = Vec::new();
        let mut evidence = Vec::new();

        // Renovate.
        let renovate = RENOVATE_FILES
            .iter()
            .find_map(|p| cx.ws.file(p))
            .map(|f| (f, false))
            .or_else(|| {
                cx.ws
                    .file("package.json")
                    .filter(|f| {
                        f.json()
                            .first()
                            .and_then(|d| d.root())
                            .is_some_and(|r| r.get("renovate").is_some())
                    })
                    .map(|f| (f, true))
            });
        if let Some((file, in_package_json)) = renovate {
            let parsed;
            let docs: &[yaml::YamlDoc] = if file.kind == FileKind::Json {
                file.json()
            } else {
                parsed = yaml::parse(&file.text).unwrap_or_default();
                &parsed
            };
            let root = docs.first().and_then(|d| d.root());
            let root = if in_package_json {
                root.and_then(|r| r.get("renovate"))
            } else {
                root
            };
            let enabled = root.and_then(|r| r.entry("enabledManagers"));
            match enabled {
                Some((key, list)) => {
                    let managers: Vec<&str> = list.items().filter_map(|i| i.as_text()).collect();
                    for (kind, what) in &detected {
                        if kind.renovate.iter().any(|m| managers.contains(m)) {
                            evidence.push(Evidence::located(
                                &key.location(&file.path),
                                format!("{}: Renovate manager enabled ({what})", kind.name),
                            ));
                        } else {
                            findings.push(Finding::at(
                                key.location(&file.path),
                                format!(
                                    "Renovate `enabledManagers` leaves out {} ({what}): enable `{}`",
                                    kind.name,
                                    kind.renovate.first().copied().unwrap_or(kind.name)
                                ),
                            ));
                        }
                    }
                }
                None => {
                    let note = if root.is_none() {
                        " (the file could not be read: assumed to enable every manager)"
                    } else {
                        ""
                    };
                    evidence.push(Evidence::file(
                        &file.path,
                        format!(
                            "Renovate is configured without `enabledManagers`: it updates every detected ecosystem ({}){note}",
                            names(&detected)
                        ),
                    ));
                }
            }
            return Outcome::from_findings(findings, evidence);
        }

        // Dependabot.
        let Some(file) = [".github/dependabot.yml", ".github/dependabot.yaml"]
            .iter()
            .find_map(|p| cx.ws.file(p))
        else {
            for (kind, what) in &detected {
                findings.push(Finding::repo(format!(
                    "no Dependabot or Renovate configuration: {} dependencies ({what}) are not kept up to date",
                    kind.name
                )));
            }
            return Outcome::from_findings(findings, evidence);
        };
        let root = file.yaml_docs().first().and_then(|d| d.root());
        let Some((key, updates)) = root.and_then(|r| r.entry("updates")) else {
            return Outcome::from_findings(
                vec![Finding::at(
                    golive_core::Location::line(&file.path, 1),
                    format!(
                        "`{}` has no `updates` list: no ecosystem is kept up to date ({})",
                        file.path,
                        names(&detected)
                    ),
                )],
                evidence,
            );
        };
        let entries: Vec<(&str, golive_core::parse::yaml::Node<'_>)> = updates
            .items()
            .filter_map(|u| {
                let n = u.get("package-ecosystem")?;
                Some((n.as_text()?, n))
            })
            .collect();
        for (kind, what) in &detected {
            match entries.iter().find(|(e, _)| kind.dependabot.contains(e)) {
                Some((e, node)) => evidence.push(Evidence::located(
                    &node.location(&file.path),
                    format!("{}: Dependabot `package-ecosystem: {e}` ({what})", kind.name),
                )),
                None => findings.push(Finding::at(
                    key.location(&file.path),
                    format!(
                        "Dependabot has no `updates` entry for {} ({what}): add `package-ecosystem: {}`",
                        kind.name, kind.name
                    ),
                )),
            }
        }
        Outcome::from_findings(findings, evidence)
    }
}

fn names(detected: &[(&Kind, String)]) -> String {
    detected
        .iter()
        .map(|(k, _)| k.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ecosystems of the repository, each with the file that shows it.
fn detected(cx: &Context<'_>) -> Vec<(&'static Kind, String)> {
    let ws = cx.ws;
    let mut out: Vec<(&'static Kind, String)> = Vec::new();
    let mut add = |name: &str, what: String| {
        if let Some(kind) = KINDS.iter().find(|k| k.name == name)
            && !out.iter().any(|(k, _)| k.name == name)
        {
            out.push((kind, what));
        }
    };
    for project in ecosystems::projects(ws) {
        let first = |pred: &dyn Fn(&SourceFile) -> bool| {
            project
                .manifests
                .iter()
                .find(|m| pred(m))
                .map(|m| format!("`{}`", m.path))
        };
        match project.ecosystem {
            Ecosystem::Rust => add("cargo", format!("`{}`", project.manifest().path)),
            Ecosystem::Go => add("gomod", format!("`{}`", project.manifest().path)),
            Ecosystem::Node => add("npm", format!("`{}`", project.manifest().path)),
            Ecosystem::Python => add("pip", format!("`{}`", project.manifest().path)),
            Ecosystem::Dotnet => add("nuget", format!("`{}`", project.manifest().path)),
            Ecosystem::Ruby => add("bundler", format!("`{}`", project.manifest().path)),
            Ecosystem::Jvm => {
                if let Some(w) = first(&|m| m.name() == "pom.xml") {
                    add("maven", w);
                }
                if let Some(w) = first(&|m| m.name().contains("gradle")) {
                    add("gradle", w);
                }
            }
        }
    }
    if let Some(df) = ws
        .files_of(FileKind::Dockerfile)
        .find(|f| !crate::ci::is_not_ours(&f.path))
    {
        add("docker", format!("`{}`", df.path));
    }
    let workflows = github::workflows(ws);
    let remote = |u: Option<golive_core::parse::yaml::Node<'_>>| {
        u.and_then(|u| u.as_text()).is_some_and(|u| {
            matches!(
                github::ActionRef::parse(u),
                github::ActionRef::Remote { .. }
            )
        })
    };
    let uses_action = workflows.parsed.iter().find(|w| {
        w.jobs
            .iter()
            .any(|j| remote(j.uses) || j.steps.iter().any(|s| remote(s.uses)))
    });
    if let Some(w) = uses_action {
        add("github-actions", format!("`{}`", w.file.path));
    } else if let Some(a) = github::composite_actions(ws)
        .iter()
        .find(|a| a.steps.iter().any(|s| remote(s.uses)))
    {
        add("github-actions", format!("`{}`", a.file.path));
    }
    if let Some(tf) = ws
        .files()
        .iter()
        .find(|f| f.path.ends_with(".tf") && !crate::ci::is_not_ours(&f.path))
    {
        add("terraform", format!("`{}`", tf.path));
    }
    out.sort_by_key(|(k, _)| KINDS.iter().position(|x| x.name == k.name));
    out
}
