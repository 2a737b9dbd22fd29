use crate::delivery::gitops;
use crate::delivery::pipeline::{EnvKind, Pipelines, System, deploy_jobs, env_kind};
use crate::k8s::relations::Manifests;
use golive_core::{Context, Evidence, FileKind, Finding, Location, Outcome, declare_check};
use std::collections::BTreeMap;

declare_check! {
    /// ## What it checks
    /// The repository configures its environments separately, production apart from the
    /// others, and says which it found. An environment is named by:
    ///
    /// - a kustomize overlay (`overlays/staging/kustomization.yaml`), an environment folder of
    ///   manifests or Terraform (`deploy/production/`, `environments/dev/main.tf`),
    /// - a Helm values file (`values-prod.yaml`, `values.staging.yaml`, `values/dev.yaml`),
    /// - a Terraform variables file (`prod.tfvars`, `env/staging.tfvars.json`),
    /// - a CI job's `environment:` (GitHub Actions, GitLab CI, Azure Pipelines) when its name
    ///   (or GitLab's `deployment_tier`) is an environment word (`github-pages`, `pypi` or `release` are publishing targets
    ///   and approvals, noted but not counted), and
    /// - an Argo CD or Flux object's name, path or destination namespace.
    ///
    /// Environment words: `prod`/`production`/`prd`/`live` for production; `dev`, `staging`,
    /// `stage`, `stg`, `qa`, `uat`, `test`, `preview`, `review`, `sandbox`, `preprod`, ... for
    /// the others (`test` and `local` count in folder names only under `overlays/`,
    /// `environments/`, `envs/`, `env/` or `clusters/`, where they cannot be test data).
    ///
    /// It passes when production and at least one other environment are configured. It fails
    /// when the repository deploys (see delivery/automated-deploy) with one configuration for
    /// everything (the finding points at each deploy), or configures production alone. When
    /// only non-production environments are named, production is the default configuration
    /// (the base, `values.yaml`): the check passes and says so. Not-applicable when nothing in
    /// the repository deploys and no environment is named.
    ///
    /// ## Why it matters
    /// Without a separate pre-production environment, every change is first tried in
    /// production; without separate configuration, a staging value (a database host, a debug
    /// flag, one replica) reaches production by accident. (Production Ready Checklist:
    /// "Create deployment environments", "Set up per-environment configuration", "Solution
    /// pipeline has multiple environments for dev and prod"; Multi-environment pipeline:
    /// "Dev → Staging → Production, environment isolation: separate configs".)
    ///
    /// ## How to fix
    /// Keep one base and one overlay per environment:
    /// ```text
    /// deploy/
    ///   base/kustomization.yaml
    ///   overlays/staging/kustomization.yaml
    ///   overlays/production/kustomization.yaml
    /// ```
    /// and deploy each from its own job (`environment: staging`, `environment: production`).
    pub struct Environments {
        id: "delivery/environments",
        title: "Environments are configured separately, production apart",
        category: Delivery,
        level: Silver,
        severity: Error,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Continuous Delivery: create deployment environments; set up per-environment configuration; pipeline has multiple environments for dev and prod",
            "002: Multi-Environment Pipeline: Dev → Staging → Production with separate configs",
        ],
        fix: "add per-environment configuration (kustomize overlays, values-<env>.yaml, <env>.tfvars, CI `environment:` names) with production separate from staging",
    }
}

/// Where an environment was found.
struct Source {
    what: String,
    location: Location,
}

impl golive_core::Check for Environments {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let p = Pipelines::read(ws);
        let m = Manifests::new(ws);
        let apps = gitops::apps(&m);
        // Environment (normalised) → where it is named.
        let mut found: BTreeMap<String, Vec<Source>> = BTreeMap::new();
        let mut add = |kind: EnvKind, what: String, location: Location| {
            let name = normalise(&kind);
            let sources = found.entry(name).or_default();
            // One line per place: a Terraform folder has several files.
            if !sources.iter().any(|s| s.what == what) {
                sources.push(Source { what, location });
            }
        };

        let mut unnamed: Vec<String> = Vec::new();
        for job in &p.jobs {
            let Some(env) = &job.environment else {
                continue;
            };
            // GitLab review apps: `review/$CI_COMMIT_REF_SLUG` names the `review` environment.
            let name = env
                .name
                .split('$')
                .next()
                .unwrap_or("")
                .trim_end_matches('/');
            if name.is_empty() || env.stops {
                continue;
            }
            let system = match job.system {
                System::GitHub => "GitHub Actions",
                System::GitLab => "GitLab CI",
                System::Other(s) => s,
            };
            // Names that are not an environment word (`github-pages`, `pypi`, `release`)
            // name a publishing target or an approval, not a deployment environment.
            let kind_text = if env.tier.is_some() {
                env.kind_text()
            } else {
                name
            };
            let Some(kind) = env_kind(kind_text) else {
                unnamed.push(format!("`{}` ({})", env.name, job.label));
                continue;
            };
            add(
                kind,
                format!("{system} environment `{}` ({})", env.name, job.label),
                env.location.clone(),
            );
        }
        for file in ws
            .files()
            .iter()
            .filter(|f| !crate::ci::is_not_ours(&f.path))
        {
            let name = file.name();
            let dir = file.dir();
            if matches!(
                name,
                "kustomization.yaml" | "kustomization.yml" | "Kustomization"
            ) {
                if let Some(kind) = dir_env(dir) {
                    add(
                        kind,
                        format!("kustomize overlay `{dir}`"),
                        Location::file(file.path.as_str()),
                    );
                }
                continue;
            }
            let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
            let bare = name.trim_end_matches(".yaml").trim_end_matches(".yml");
            let in_values_dir = dir == "values" || dir.ends_with("/values");
            if yaml
                && bare != "values"
                && (bare.starts_with("values") || bare.ends_with("values") || in_values_dir)
                && let Some(kind) = env_kind(bare)
            {
                add(
                    kind,
                    format!("Helm values `{}`", file.path),
                    Location::file(file.path.as_str()),
                );
                continue;
            }
            let tfvars = name
                .strip_suffix(".tfvars")
                .or_else(|| name.strip_suffix(".tfvars.json"));
            if let Some(stem) = tfvars
                && let Some(kind) = env_kind(stem).or_else(|| dir_env(dir))
            {
                add(
                    kind,
                    format!("Terraform variables `{}`", file.path),
                    Location::file(file.path.as_str()),
                );
                continue;
            }
            if file.kind == FileKind::Terraform
                && let Some(kind) = dir_env(dir)
            {
                add(
                    kind,
                    format!("Terraform folder `{dir}`"),
                    Location::file(file.path.as_str()),
                );
            }
        }
        for w in m.workloads() {
            // Objects of a kustomize overlay are counted through the overlay itself.
            if w.obj.rendering().is_some() || crate::ci::is_not_ours(&w.obj.file.path) {
                continue;
            }
            if let Some(kind) = dir_env(w.obj.file.dir()) {
                add(
                    kind,
                    format!("manifests folder `{}`", w.obj.file.dir()),
                    w.obj.location(),
                );
            }
        }
        for app in &apps {
            if let Some(kind) = &app.env {
                add(kind.clone(), app.describe(), app.location.clone());
            }
        }

        let deploys = deploy_jobs(&p);
        if found.is_empty() {
            if deploys.is_empty() && apps.is_empty() {
                return Outcome::not_applicable(
                    "the repository deploys nothing golive can see (no CI deploy job, no Argo CD or Flux object) and names no environment",
                );
            }
            let mut findings: Vec<Finding> = deploys
                .iter()
                .map(|dj| {
                    Finding::at(
                        dj.location(),
                        format!(
                            "{} deploys one configuration for every environment: no overlay, values-<env> file, tfvars or `environment:` separates production from the others",
                            dj.job.label
                        ),
                    )
                })
                .collect();
            findings.extend(apps.iter().map(|app| {
                Finding::at(
                    app.location.clone(),
                    format!(
                        "{} deploys one configuration and no other names an environment: nothing separates production from the others",
                        app.describe()
                    ),
                )
            }));
            return Outcome::from_findings(findings, Vec::new());
        }

        let mut evidence = Vec::new();
        if !unnamed.is_empty() {
            evidence.push(Evidence::note(format!(
                "CI environments whose names golive does not read as an environment, not counted: {}",
                unnamed.join(", ")
            )));
        }
        for (env, sources) in &found {
            let Some(first) = sources.first() else {
                continue;
            };
            let all: Vec<&str> = sources.iter().map(|s| s.what.as_str()).collect();
            evidence.push(Evidence::located(
                &first.location,
                format!("environment `{env}`: {}", all.join("; ")),
            ));
        }
        let production = found.get("production");
        let others: Vec<&str> = found
            .keys()
            .filter(|k| k.as_str() != "production")
            .map(String::as_str)
            .collect();
        match (production, others.is_empty()) {
            (Some(prod), true) => {
                let first = prod.first().map(|s| s.location.clone());
                let message = format!(
                    "only production is configured ({}): no staging or other environment where a change runs before it reaches production",
                    prod.iter()
                        .map(|s| s.what.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                );
                let finding = match first {
                    Some(l) => Finding::at(l, message),
                    None => Finding::repo(message),
                };
                Outcome::from_findings(vec![finding], evidence)
            }
            (None, _) => {
                evidence.push(Evidence::note(format!(
                    "no configuration names production ({} found): golive takes the default configuration (the base, values.yaml) for production's",
                    others.join(", ")
                )));
                Outcome::from_findings(Vec::new(), evidence)
            }
            (Some(_), false) => Outcome::from_findings(Vec::new(), evidence),
        }
    }
}

/// `prod`, `prd`, `live` → `production`; `stage`, `stg` → `staging`; `development` → `dev`.
fn normalise(kind: &EnvKind) -> String {
    match kind {
        EnvKind::Production(_) => "production".into(),
        EnvKind::Other(w) => match w.as_str() {
            "stage" | "stg" => "staging".into(),
            "develop" | "development" => "dev".into(),
            "testing" => "test".into(),
            "preproduction" => "preprod".into(),
            w => w.to_string(),
        },
    }
}

/// Parents under which any environment word names an environment folder.
const ENV_PARENTS: &[&str] = &[
    "overlays",
    "environments",
    "envs",
    "env",
    "clusters",
    "stages",
];

/// The environment a folder names, by its last segment that is an environment word. `test`,
/// `testing` and `local` count only under an environment parent (elsewhere they are test data
/// or a developer's setup).
fn dir_env(dir: &str) -> Option<EnvKind> {
    let segments: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for (i, seg) in segments.iter().enumerate().rev() {
        let Some(kind) = env_kind(seg) else { continue };
        // Only a whole segment that is an environment (`staging`, `prod-eu`), not a name that
        // contains one (`live-reload`, `demo-app` are tolerated: the word must lead).
        let lower = seg.to_ascii_lowercase();
        let word = match &kind {
            EnvKind::Production(w) | EnvKind::Other(w) => w.clone(),
        };
        if !lower.starts_with(&word) && !lower.ends_with(&word) {
            continue;
        }
        let under_parent = i > 0
            && segments
                .get(i - 1)
                .is_some_and(|p| ENV_PARENTS.contains(&p.to_ascii_lowercase().as_str()));
        if matches!(
            word.as_str(),
            "test" | "testing" | "local" | "demo" | "review" | "live"
        ) && !under_parent
        {
            continue;
        }
        return Some(kind);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_name_environments() {
        assert_eq!(
            dir_env("deploy/overlays/prod"),
            Some(EnvKind::Production("prod".into()))
        );
        assert_eq!(
            dir_env("k8s/staging"),
            Some(EnvKind::Other("staging".into()))
        );
        assert_eq!(
            dir_env("overlays/test"),
            Some(EnvKind::Other("test".into()))
        );
        assert_eq!(dir_env("src/test/resources"), None);
        assert_eq!(dir_env("k8s/base"), None);
        assert_eq!(
            dir_env("environments/prod-eu"),
            Some(EnvKind::Production("prod".into()))
        );
    }
}
