//! Deploy and rollback commands in shell lines (pipeline scripts, scripts, Makefiles, the code
//! blocks of documents): `kubectl rollout undo`, `helm rollback`, `argocd app rollback`,
//! `helm upgrade --atomic`, and the commands that deploy (`kubectl apply`, `helm upgrade`,
//! `argocd app sync`, `gcloud run deploy`, ...).

/// What a shell line does to a deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// Rolls a release back to a previous version (`kubectl rollout undo`).
    Rollback(&'static str),
    /// Deploys, and rolls back by itself when the deploy fails (`helm upgrade --atomic`).
    AutoRollback(&'static str),
    /// Deploys (`kubectl apply`, `helm upgrade`, ...).
    Deploy(&'static str),
    /// Applies infrastructure (`terraform apply`, `tofu apply`).
    Infrastructure(&'static str),
}

/// kubectl flags that take a value as the next word.
const KUBECTL_VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--server",
    "--token",
    "--user",
    "-s",
];

/// The commands a shell line runs, in order (a line may chain several with `&&`, `;` or `|`).
pub(crate) fn commands(line: &str) -> Vec<Command> {
    let line = line.trim();
    if line.starts_with('#') {
        return Vec::new();
    }
    let mut out = Vec::new();
    for part in line.split(['|', ';', '&', '(', ')', '`']) {
        let words: Vec<&str> = part
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
            .collect();
        let Some(start) = words.iter().position(|w| !is_prefix(w)) else {
            continue;
        };
        let words = words.get(start..).unwrap_or(&[]);
        if let Some(c) = command(words) {
            out.push(c);
        }
    }
    out
}

/// Words that may come before the program: `sudo`, `$`, `env X=1`, `time`, `exec`.
fn is_prefix(w: &str) -> bool {
    matches!(
        w,
        "sudo" | "$" | ">" | "env" | "time" | "exec" | "then" | "do" | "run"
    ) || (w.contains('=') && !w.starts_with('-'))
}

/// The subcommand words after the program, flags (and kubectl's flag values) skipped.
fn subcommands<'w>(words: &[&'w str]) -> Vec<&'w str> {
    let mut out = Vec::new();
    let mut skip_next = false;
    for w in words.iter().skip(1) {
        if skip_next {
            skip_next = false;
            continue;
        }
        if w.starts_with('-') {
            skip_next = KUBECTL_VALUE_FLAGS.contains(w);
            continue;
        }
        out.push(*w);
    }
    out
}

fn command(words: &[&str]) -> Option<Command> {
    let program = words.first()?.rsplit('/').next()?;
    let subs = subcommands(words);
    let sub = |i: usize| subs.get(i).copied().unwrap_or("");
    let has_flag = |f: &str| {
        words
            .iter()
            .any(|w| *w == f || w.starts_with(&format!("{f}=")))
    };
    Some(match program {
        "kubectl" | "oc" => match (sub(0), sub(1), sub(2)) {
            ("rollout", "undo", _) => Command::Rollback("kubectl rollout undo"),
            ("argo", "rollouts", "undo") => Command::Rollback("kubectl argo rollouts undo"),
            ("argo", "rollouts", "abort") => Command::Rollback("kubectl argo rollouts abort"),
            ("apply" | "create" | "replace", _, _) => Command::Deploy("kubectl apply"),
            ("set", "image", _) => Command::Deploy("kubectl set image"),
            ("rollout", "restart", _) => Command::Deploy("kubectl rollout restart"),
            _ => return None,
        },
        "helm" | "helm3" => match sub(0) {
            "rollback" => Command::Rollback("helm rollback"),
            "upgrade" | "install" if has_flag("--atomic") => {
                Command::AutoRollback("helm upgrade --atomic")
            }
            "upgrade" | "install" if has_flag("--rollback-on-failure") => {
                Command::AutoRollback("helm upgrade --rollback-on-failure")
            }
            "upgrade" | "install" => Command::Deploy("helm upgrade"),
            _ => return None,
        },
        "helmfile" => match sub(0) {
            "apply" | "sync" | "deploy" => Command::Deploy("helmfile apply"),
            _ => return None,
        },
        "argocd" => match (sub(0), sub(1)) {
            ("app", "rollback") => Command::Rollback("argocd app rollback"),
            ("app", "sync") => Command::Deploy("argocd app sync"),
            _ => return None,
        },
        "flux" => match sub(0) {
            "reconcile" => Command::Deploy("flux reconcile"),
            _ => return None,
        },
        "skaffold" => match sub(0) {
            "run" | "deploy" => Command::Deploy("skaffold run"),
            _ => return None,
        },
        "gcloud" => match (sub(0), sub(1)) {
            ("run", "deploy") | ("app", "deploy") => Command::Deploy("gcloud deploy"),
            ("run", "services") if sub(2) == "replace" => Command::Deploy("gcloud deploy"),
            _ => return None,
        },
        "aws" => match (sub(0), sub(1)) {
            ("ecs", "update-service") => Command::Deploy("aws ecs update-service"),
            ("deploy", "create-deployment") => Command::Deploy("aws deploy create-deployment"),
            _ => return None,
        },
        "az" => match (sub(0), sub(1)) {
            ("webapp", "deploy") | ("containerapp", "update") | ("functionapp", "deploy") => {
                Command::Deploy("az deploy")
            }
            _ => return None,
        },
        "fly" | "flyctl" => match sub(0) {
            "deploy" => Command::Deploy("fly deploy"),
            _ => return None,
        },
        "terraform" | "tofu" | "terragrunt" => match sub(0) {
            "apply" => Command::Infrastructure("terraform apply"),
            _ => return None,
        },
        _ => return None,
    })
}

/// GitHub Actions that deploy an application.
pub(crate) fn deploy_action(uses: &str) -> bool {
    let repo = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
    matches!(
        repo.as_str(),
        "azure/k8s-deploy"
            | "azure/webapps-deploy"
            | "azure/helm-deploy"
            | "google-github-actions/deploy-cloudrun"
            | "google-github-actions/deploy-appengine"
            | "aws-actions/amazon-ecs-deploy-task-definition"
            | "deliverybot/helm"
            | "superfly/flyctl-actions"
            | "bitovi/github-actions-deploy-eks-helm"
            | "wahyd4/kubectl-helm-action"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_rollback_and_deploy_commands() {
        let one = |l: &str| commands(l).first().copied();
        assert_eq!(
            one("kubectl -n prod rollout undo deployment/web"),
            Some(Command::Rollback("kubectl rollout undo"))
        );
        assert_eq!(
            one("$ helm rollback web 41 --wait"),
            Some(Command::Rollback("helm rollback"))
        );
        assert_eq!(
            one("argocd app rollback shop-prod 12"),
            Some(Command::Rollback("argocd app rollback"))
        );
        assert_eq!(
            one("helm upgrade --install web ./chart --atomic --timeout 5m"),
            Some(Command::AutoRollback("helm upgrade --atomic"))
        );
        assert_eq!(
            one("kustomize build overlays/prod | kubectl apply -f -"),
            Some(Command::Deploy("kubectl apply"))
        );
        assert_eq!(
            one("cd infra && terraform apply -auto-approve"),
            Some(Command::Infrastructure("terraform apply"))
        );
        assert_eq!(
            one("KUBECONFIG=/tmp/k sudo ./bin/kubectl rollout undo deploy/api"),
            Some(Command::Rollback("kubectl rollout undo"))
        );
        assert_eq!(one("# helm rollback web"), None);
        assert_eq!(one("kubectl get pods"), None);
        assert_eq!(one("echo helm rollback"), None);
    }
}
