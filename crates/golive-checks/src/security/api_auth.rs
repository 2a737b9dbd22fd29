use golive_core::parse::yaml::Node;
use golive_core::workspace::{FileKind, SourceFile};
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};

/// The HTTP methods of an OpenAPI path item.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Methods that change state.
const STATE_CHANGING: &[&str] = &["post", "put", "patch", "delete"];

/// Path segments of endpoints that are public by nature: probes and metrics.
const HEALTH_SEGMENTS: &[&str] = &[
    "healthz",
    "readyz",
    "livez",
    "health",
    "healthcheck",
    "ready",
    "live",
    "liveness",
    "readiness",
    "metrics",
    "ping",
];

/// Path segments of endpoints that must be reachable before one has credentials.
const SIGN_IN_SEGMENTS: &[&str] = &[
    "login",
    "signin",
    "sign-in",
    "signup",
    "sign-up",
    "register",
    "token",
    "oauth",
    "oauth2",
    "auth",
    "authenticate",
    "session",
    "sessions",
    "password-reset",
    "forgot-password",
    "webhook",
    "webhooks",
];

/// Words in an operation's summary or description that say it is public on purpose.
const PUBLIC_NOTES: &[&str] = &[
    "public",
    "unauthenticated",
    "anonymous",
    "no auth",
    "without auth",
    "no authentication",
];

declare_check! {
    /// ## What it checks
    /// Every OpenAPI spec (2.0 or 3.x, YAML or JSON) declares its security schemes and applies
    /// them to its operations.
    ///
    /// - A spec needs `components.securitySchemes` (3.x) or `securityDefinitions` (2.0); a spec
    ///   with neither and no `security` anywhere is one finding at its `openapi:`/`swagger:` line.
    /// - Each operation needs a security requirement: its own `security`, or the spec's global
    ///   `security`. An operation with none is a finding at its method (`post:`) line.
    /// - `security: []` (on the operation, or globally) makes an operation public on purpose:
    ///   noted in the evidence. A public state-changing operation (POST, PUT, PATCH, DELETE) is
    ///   a warning unless its summary or description says why it is public ("public",
    ///   "unauthenticated", "anonymous"), an `x-` extension names it (`x-public: true`), or it is
    ///   a sign-in endpoint (`/login`, `/token`, `/signup`, `/webhooks`...). A requirement `{}`
    ///   (authentication optional) counts as public.
    /// - A requirement naming a scheme the spec does not declare is a finding at the name.
    /// - Health and metrics endpoints (`/healthz`, `/readyz`, `/livez`, `/health`, `/metrics`,
    ///   `/ping`) are fine public.
    ///
    /// Path items that are a `$ref` are not followed (noted). Specs under `examples/`, `test/`,
    /// `testdata/`, `fixtures/` or `samples/` are not judged. Not-applicable without an OpenAPI
    /// spec.
    ///
    /// ## Why it matters
    /// An operation without a security requirement is, as far as its contract says, open to
    /// anyone: generated servers and gateways that enforce the spec let it through, and
    /// reviewers cannot see that it was meant to be public. Broken authentication is the
    /// second risk of the OWASP API Security Top 10. (Go-live checklist, security: "every API
    /// endpoint requires authentication, except the ones meant to be public".)
    ///
    /// ## How to fix
    /// ```yaml
    /// openapi: 3.0.3
    /// components:
    ///   securitySchemes:
    ///     bearer: { type: http, scheme: bearer, bearerFormat: JWT }
    /// security:
    ///   - bearer: []
    /// paths:
    ///   /healthz:
    ///     get:
    ///       security: []   # public on purpose: the load balancer's probe
    ///       responses: { "200": { description: OK } }
    /// ```
    pub struct ApiAuth {
        id: "security/api-auth",
        title: "API operations require authentication",
        category: Security,
        level: Silver,
        severity: Error,
        facets: [Openapi],
        seeds: ["004: Security: API endpoints are authenticated"],
        fix: "declare securitySchemes and a global `security` requirement; mark public operations with `security: []` and say why",
    }
}

impl golive_core::Check for ApiAuth {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut specs = 0;
        for file in cx.ws.files() {
            let docs = match file.kind {
                FileKind::Yaml => file.yaml_docs(),
                FileKind::Json if looks_like_spec(&file.text) => file.json(),
                _ => continue,
            };
            for root in docs.iter().filter_map(|d| d.root()) {
                if let Some(version) = spec_version(root) {
                    if super::tls::is_example(&file.path) {
                        evidence.push(Evidence::located(
                            &version.location(&file.path),
                            "an example or test spec: not judged",
                        ));
                        continue;
                    }
                    specs += 1;
                    spec(file, root, version, &mut findings, &mut evidence);
                }
            }
        }
        if specs == 0 {
            return Outcome::not_applicable(if evidence.is_empty() {
                "no OpenAPI spec (a document with `openapi:` or `swagger:` and `paths`)"
            } else {
                "only example or test OpenAPI specs"
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

fn looks_like_spec(text: &str) -> bool {
    let head: String = text.chars().take(4000).collect();
    head.contains("\"openapi\"") || head.contains("\"swagger\"")
}

/// `Some(version)` when the document is an OpenAPI spec (not a Kubernetes object).
fn spec_version(root: Node<'_>) -> Option<Node<'_>> {
    if root.get("kind").is_some() || root.get("paths").is_none_or(|p| !p.is_map()) {
        return None;
    }
    root.get("openapi")
        .or_else(|| root.get("swagger"))
        .filter(|v| v.is_scalar())
}

/// What a `security` value requires.
enum Requirement {
    /// At least one non-empty requirement, every alternative naming a scheme.
    Authenticated(Vec<String>),
    /// `[]`, or an alternative `{}`: no authentication needed.
    Public,
}

fn requirement(security: Node<'_>) -> Requirement {
    let alternatives: Vec<Node<'_>> = security.items().collect();
    if alternatives.is_empty() || alternatives.iter().any(|a| a.is_empty()) {
        return Requirement::Public;
    }
    Requirement::Authenticated(
        alternatives
            .iter()
            .flat_map(|a| a.entries())
            .filter_map(|(k, _)| k.as_text().map(str::to_string))
            .collect(),
    )
}

fn spec(
    file: &SourceFile,
    root: Node<'_>,
    version: Node<'_>,
    findings: &mut Vec<Finding>,
    evidence: &mut Vec<Evidence>,
) {
    let path = &file.path;
    let schemes_node = root
        .path(&["components", "securitySchemes"])
        .or_else(|| root.get("securityDefinitions"));
    let schemes: Vec<&str> = schemes_node
        .into_iter()
        .flat_map(|s| s.entries())
        .filter_map(|(k, _)| k.as_text())
        .collect();
    let global = root.get("security");
    let title = root
        .path(&["info", "title"])
        .and_then(|t| t.as_text())
        .map(|t| format!("`{t}`"))
        .unwrap_or_else(|| path.to_string());

    let operations: Vec<(String, String, Node<'_>, Node<'_>)> = root
        .get("paths")
        .into_iter()
        .flat_map(|p| p.entries())
        .flat_map(|(route, item)| {
            let route = route.as_text().unwrap_or("").to_string();
            if item.get("$ref").is_some() {
                evidence.push(Evidence::located(
                    &item.location(path),
                    format!("{title}: path `{route}` is a $ref: not followed"),
                ));
            }
            item.entries()
                .filter_map(|(m, op)| {
                    let method = m.as_text()?.to_ascii_lowercase();
                    (METHODS.contains(&method.as_str()) && op.is_map())
                        .then(|| (route.clone(), method, m, op))
                })
                .collect::<Vec<_>>()
        })
        .collect();

    let any_security = global.is_some()
        || operations
            .iter()
            .any(|(_, _, _, op)| op.get("security").is_some());
    if schemes.is_empty() && !any_security {
        let unprotected: Vec<&(String, String, Node<'_>, Node<'_>)> = operations
            .iter()
            .filter(|(route, _, _, _)| !is_health(route))
            .collect();
        if unprotected.is_empty() {
            evidence.push(Evidence::located(
                &version.location(path),
                format!(
                    "{title} has only health or metrics operations: fine without authentication"
                ),
            ));
        } else {
            findings.push(Finding::at(
                version.location(path),
                format!(
                    "{title} declares no security scheme and no `security`: its {} operation(s) require no authentication",
                    unprotected.len()
                ),
            ));
        }
        return;
    }
    if !schemes.is_empty() {
        evidence.push(Evidence::located(
            &schemes_node.map_or_else(|| version.location(path), |s| s.location(path)),
            format!("{title} declares security schemes {}", schemes.join(", ")),
        ));
    }
    if let Some(g) = global {
        undeclared(path, &title, g, &schemes, findings);
        if let Requirement::Authenticated(names) = requirement(g) {
            evidence.push(Evidence::located(
                &g.location(path),
                format!(
                    "{title} requires {} on every operation by default",
                    names.join(" or ")
                ),
            ));
        }
    }

    for (route, method, key, op) in &operations {
        let at = key.location(path);
        let name = format!("{title}: {} {route}", method.to_ascii_uppercase());
        let own = op.get("security");
        if let Some(s) = own {
            undeclared(path, &title, s, &schemes, findings);
        }
        let effective = own.or(global);
        let health = is_health(route);
        match effective.map(requirement) {
            Some(Requirement::Authenticated(_)) => {}
            None if health => evidence.push(Evidence::located(
                &at,
                format!("{name} is a health or metrics endpoint without authentication"),
            )),
            None => findings.push(
                Finding::at(
                    at,
                    format!("{name} has no security requirement: it requires no authentication"),
                )
                .with_help("add a global `security` requirement, or one on the operation (`security: []` if it is public on purpose)"),
            ),
            Some(Requirement::Public) => {
                let why = if own.is_some() { "" } else { " (by the global `security: []`)" };
                let state_changing = STATE_CHANGING.contains(&method.as_str());
                if health || !state_changing || is_sign_in(route) || has_public_note(*op) {
                    evidence.push(Evidence::located(
                        &at,
                        format!("{name} is public on purpose{why}"),
                    ));
                } else {
                    findings.push(
                        Finding::at(
                            at,
                            format!("{name} changes state and is public{why}, with nothing saying why"),
                        )
                        .with_severity(Severity::Warning)
                        .with_help("require a security scheme, or say in its description why anyone may call it (or mark it `x-public: true`)"),
                    );
                }
            }
        }
    }
}

/// Findings for requirement names that are not declared schemes.
fn undeclared(
    path: &str,
    title: &str,
    security: Node<'_>,
    schemes: &[&str],
    findings: &mut Vec<Finding>,
) {
    for alternative in security.items() {
        for (k, _) in alternative.entries() {
            if let Some(name) = k.as_text()
                && !schemes.contains(&name)
            {
                findings.push(
                    Finding::at(
                        k.location(path),
                        format!("{title}: security requirement `{name}` names no declared security scheme"),
                    )
                    .with_help(format!("declare `{name}` under components.securitySchemes (securityDefinitions in Swagger 2.0)")),
                );
            }
        }
    }
}

fn segments(route: &str) -> impl Iterator<Item = String> + '_ {
    route
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .map(|s| s.to_ascii_lowercase())
}

fn is_health(route: &str) -> bool {
    segments(route).any(|s| HEALTH_SEGMENTS.contains(&s.as_str()))
}

fn is_sign_in(route: &str) -> bool {
    segments(route).any(|s| SIGN_IN_SEGMENTS.contains(&s.as_str()))
}

/// Whether an operation says it is public: in its summary or description, or an `x-` extension.
fn has_public_note(op: Node<'_>) -> bool {
    let text = ["summary", "description"]
        .iter()
        .filter_map(|k| op.get_str(k))
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    PUBLIC_NOTES.iter().any(|w| text.contains(w))
        || op.entries().any(|(k, v)| {
            k.as_text().is_some_and(|k| {
                let k = k.to_ascii_lowercase();
                k.starts_with("x-") && (k.contains("public") || k.contains("anonymous"))
            }) && v.as_bool() != Some(false)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_and_sign_in_routes() {
        assert!(is_health("/healthz"));
        assert!(is_health("/api/v1/Health"));
        assert!(is_health("/metrics"));
        assert!(!is_health("/orders/{health}"));
        assert!(!is_health("/orders"));
        assert!(is_sign_in("/v1/auth/token"));
        assert!(is_sign_in("/webhooks/stripe"));
        assert!(!is_sign_in("/orders/{id}"));
    }
}
