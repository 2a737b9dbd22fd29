use crate::delivery::gitops;
use crate::delivery::pipeline::{Pipelines, deploy_jobs, throwaway_cluster};
use crate::k8s::relations::Manifests;
use golive_core::{Context, Evidence, Finding, Outcome, Workspace, declare_check};

declare_check! {
    /// ## What it checks
    /// A CI job deploys the service, or a GitOps controller does: a step runs `kubectl apply`
    /// / `set image` / `rollout restart`, `helm upgrade|install`, `helmfile apply`, `argocd app
    /// sync`, `flux reconcile`, `kustomize build | kubectl apply`, `terraform apply`, `pulumi
    /// up`, `skaffold run`, a cloud CLI (`gcloud run deploy`, `aws ecs update-service`, `az
    /// webapp deploy`, `fly deploy`, `cdk deploy`, `serverless deploy`, ...) or a well-known
    /// deploy action (`azure/k8s-deploy`, `google-github-actions/deploy-cloudrun`,
    /// `aws-actions/amazon-ecs-deploy-task-definition`, ...); or the manifests hold Argo CD
    /// `Application`/`ApplicationSet` or Flux `Kustomization`/`HelmRelease` objects.
    ///
    /// golive reads GitHub Actions jobs (local composite actions and local reusable workflows
    /// included), GitLab CI jobs (with `extends`, `!reference` and local includes) and the
    /// files of the other CI systems (CircleCI, Jenkins, Azure Pipelines, Buildkite, ...), and
    /// follows a step one level into the repository: a script it runs (`./scripts/deploy.sh`)
    /// or a make target's recipe (`make deploy`).
    /// Dry runs (`--dry-run`, `helm template`, `terraform plan`) do not deploy, GitHub Pages
    /// actions publish a documentation site, not the service, and a job that first creates a
    /// cluster in the runner (`kind create cluster`, minikube, k3d, `helm/kind-action`) runs
    /// an end-to-end test. A job calling a reusable workflow of another repository, or a
    /// GitLab job whose script comes from an include golive cannot read, deploys when its name
    /// or the workflow's says so (`deploy`, `release`, `rollout`, `promote`). An Argo CD application without
    /// `syncPolicy.automated` is deployed by the controller when someone presses sync: it
    /// counts, and the evidence says so.
    ///
    /// The check fails when the repository holds deploy configuration (Kubernetes manifests,
    /// a Helm application chart, kustomizations, a Terraform root module with a backend,
    /// `skaffold.yaml`, `serverless.yml`, `fly.toml`; not in documentation, example or
    /// vendored folders) that nothing deploys. It is
    /// not-applicable when the repository holds no deploy configuration: a library, or an
    /// application whose images are deployed from another repository.
    ///
    /// ## Why it matters
    /// A deploy run by hand from someone's laptop depends on that laptop: its tool versions,
    /// its credentials, its uncommitted changes, and the memory of the steps. It cannot be
    /// repeated exactly, reviewed or rolled back the same way. (Go-live checklist, deployment:
    /// "Deployment process should be automated"; Production Ready Checklist: "Automate your
    /// deployments", "Solution can be deployed automatically via a pipeline".)
    ///
    /// ## How to fix
    /// Deploy from the pipeline once the build passes:
    /// ```yaml
    /// jobs:
    ///   deploy:
    ///     needs: build
    ///     runs-on: ubuntu-latest
    ///     environment: production
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///       - run: helm upgrade --install web ./chart --set image.tag=${{ github.sha }}
    /// ```
    /// or let a GitOps controller apply the repository (an Argo CD `Application` with
    /// `syncPolicy.automated`, a Flux `Kustomization`).
    pub struct AutomatedDeploy {
        id: "delivery/automated-deploy",
        title: "Deploys are automated",
        category: Delivery,
        level: Silver,
        severity: Error,
        facets: [],
        seeds: [
            "003: Go-live checklist, deployment: deployment process should be automated",
            "004: Production Ready Checklist, Continuous Delivery: automate your deployments; solution can be deployed automatically via a pipeline",
        ],
        fix: "add a CI job that deploys after the build (helm upgrade, kubectl apply, terraform apply, a cloud CLI), or an Argo CD/Flux object that syncs the manifests",
    }
}

impl golive_core::Check for AutomatedDeploy {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let p = Pipelines::read(ws);
        let m = Manifests::new(ws);
        let apps = gitops::apps(&m);
        let jobs = deploy_jobs(&p);
        let mut evidence = Vec::new();
        for dj in &jobs {
            for d in &dj.deploys {
                evidence.push(Evidence::located(
                    &d.location,
                    if d.step.is_empty() {
                        format!("{} runs {}", dj.job.label, d.what)
                    } else {
                        format!("{} {} runs {}", dj.job.label, d.step, d.what)
                    },
                ));
            }
        }
        for app in &apps {
            let what = app
                .source
                .as_deref()
                .map(|s| format!("`{s}`"))
                .unwrap_or_else(|| "its source".into());
            let how = match (app.tool, app.automated) {
                ("Argo CD", true) => format!("syncs {what} automatically (`syncPolicy.automated`)"),
                ("Argo CD", false) => {
                    format!("deploys {what} when someone presses sync (no `syncPolicy.automated`)")
                }
                (_, true) => format!("reconciles {what} continuously"),
                (_, false) => format!("would reconcile {what}, but is suspended (`suspend: true`)"),
            };
            evidence.push(Evidence::located(
                &app.location,
                format!("{} {how}", app.describe()),
            ));
        }
        for job in p.jobs.iter().filter(|j| throwaway_cluster(j)) {
            evidence.push(Evidence::located(
                &job.location,
                format!(
                    "{} deploys into a cluster it creates for the run (kind, minikube, k3d): an end-to-end test, not a deploy",
                    job.label
                ),
            ));
        }
        let deployed = !jobs.is_empty() || apps.iter().any(|a| a.automated || a.tool == "Argo CD");
        if deployed {
            return Outcome::from_findings(Vec::new(), evidence);
        }
        let config = deploy_config(ws, &m);
        if config.is_empty() {
            return Outcome::not_applicable(
                if ws
                    .files_of(golive_core::FileKind::Dockerfile)
                    .next()
                    .is_some()
                {
                    "the repository builds container images but holds no deploy configuration (Kubernetes manifests, Helm chart, Terraform root module, ...): whatever deploys the images lives elsewhere"
                } else {
                    "the repository holds nothing to deploy (no Kubernetes manifests, Helm chart, Terraform root module or other deploy configuration)"
                },
            );
        }
        let ci_jobs = p.jobs.len();
        let looked = if ci_jobs == 0 {
            "there is no CI pipeline and no Argo CD or Flux object".to_string()
        } else {
            format!(
                "no CI job runs a deploy command (kubectl apply, helm upgrade, terraform apply, a cloud CLI...; {ci_jobs} job(s) read) and there is no Argo CD or Flux object"
            )
        };
        let message = format!(
            "nothing deploys the repository's {}: {looked}",
            config.join(" and ")
        );
        if !p.unreadable.is_empty() {
            return Outcome::Error {
                reason: format!(
                    "CI configuration that may deploy does not parse: {}",
                    p.unreadable.join(", ")
                ),
                findings: vec![Finding::repo(message)],
            };
        }
        Outcome::from_findings(vec![Finding::repo(message)], evidence)
    }
}

/// The deploy configuration the repository holds, described for messages (`Kubernetes
/// manifests (k8s/web.yaml, ...)`); empty when it holds none.
pub(crate) fn deploy_config(ws: &Workspace, m: &Manifests<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut manifest_files: Vec<&str> = m
        .workloads()
        .iter()
        .map(|w| w.obj.file.path.as_str())
        .filter(|p| !crate::ci::is_not_ours(p) && !is_docs(p))
        .collect();
    manifest_files.sort_unstable();
    manifest_files.dedup();
    if let Some(first) = manifest_files.first() {
        out.push(describe(
            "Kubernetes manifests",
            first,
            manifest_files.len(),
        ));
    }
    let ours = || {
        ws.files()
            .iter()
            .filter(|f| !crate::ci::is_not_ours(&f.path) && !is_docs(&f.path))
    };
    let charts: Vec<&str> = ours()
        .filter(|f| f.name() == "Chart.yaml")
        .filter(|f| {
            !f.yaml_docs()
                .iter()
                .filter_map(|d| d.root())
                .any(|r| r.get_str("type") == Some("library"))
        })
        .map(|f| f.path.as_str())
        .collect();
    if let Some(first) = charts.first() {
        out.push(describe("Helm chart", first, charts.len()));
    }
    let terraform: Vec<&str> = ours()
        .filter(|f| f.kind == golive_core::FileKind::Terraform)
        .filter(|f| {
            f.text.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with("backend \"") || l.starts_with("cloud {")
            })
        })
        .map(|f| f.path.as_str())
        .collect();
    if let Some(first) = terraform.first() {
        out.push(describe("Terraform root module", first, terraform.len()));
    }
    for (name, what) in [
        ("skaffold.yaml", "skaffold configuration"),
        ("serverless.yml", "Serverless configuration"),
        ("fly.toml", "Fly.io configuration"),
        ("helmfile.yaml", "helmfile"),
    ] {
        if let Some(f) = ours().find(|f| f.name() == name) {
            out.push(format!("{what} ({})", f.path));
        }
    }
    out
}

fn describe(what: &str, first: &str, n: usize) -> String {
    if n > 1 {
        format!("{what} ({first} and {} more)", n - 1)
    } else {
        format!("{what} ({first})")
    }
}

/// Manifests in documentation folders illustrate; they are not what the repository deploys.
fn is_docs(path: &str) -> bool {
    let mut dirs = path.split('/');
    dirs.next_back();
    dirs.any(|d| {
        matches!(
            d.to_ascii_lowercase().as_str(),
            "docs" | "doc" | "documentation"
        )
    })
}
