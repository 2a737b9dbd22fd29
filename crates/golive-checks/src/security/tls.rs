use crate::k8s::relations::{Environment, Manifests, environment, path_environment};
use golive_core::kube::KubeObject;
use golive_core::parse::hcl::{Block, HclFile, Value};
use golive_core::workspace::{FileKind, SourceFile};
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

/// AWS load balancer security policies that still accept TLS 1.0 or 1.1.
const OLD_AWS_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-2015-05",
    "ELBSecurityPolicy-TLS-1-0-2015-04",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
];

/// CloudFront minimum viewer protocol versions below TLS 1.2.
const OLD_CLOUDFRONT_VERSIONS: &[&str] = &["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"];

/// Annotations that make a `LoadBalancer` Service internal (not reachable from the internet).
const INTERNAL_LB_ANNOTATIONS: &[(&str, &str)] = &[
    ("service.beta.kubernetes.io/aws-load-balancer-internal", ""),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        "internal",
    ),
    ("networking.gke.io/load-balancer-type", "Internal"),
    ("cloud.google.com/load-balancer-type", "Internal"),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        "true",
    ),
];

/// Azure App Service resources whose `https_only` defaults to false.
const AZURE_WEB_APPS: &[&str] = &[
    "azurerm_app_service",
    "azurerm_function_app",
    "azurerm_linux_web_app",
    "azurerm_windows_web_app",
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
];

declare_check! {
    /// ## What it checks
    /// The front doors that expose a service to its users serve HTTPS: load balancers, CDNs and
    /// web servers declared in Terraform, Kubernetes `LoadBalancer` Services, nginx and Caddy
    /// configurations.
    ///
    /// - Terraform `aws_lb_listener` / `aws_alb_listener` with protocol `HTTP` (the default
    ///   when a listener names none) must redirect to HTTPS (`default_action { type =
    ///   "redirect", redirect { protocol = "HTTPS" } }`); a listener that forwards is a finding
    ///   at its `protocol`. Listeners of internal load balancers (`internal = true`) are noted,
    ///   not judged. `HTTPS`/`TLS` listeners must use an `ssl_policy` that refuses TLS 1.0 and
    ///   1.1 (`ELBSecurityPolicy-2016-08` and the other legacy policies are findings at the
    ///   `ssl_policy` line; a listener without one is noted: name a modern policy explicitly).
    /// - `aws_cloudfront_distribution` cache behaviours must not use `viewer_protocol_policy =
    ///   "allow-all"`, and a custom certificate's `minimum_protocol_version` must be TLS 1.2 or
    ///   later.
    /// - GCP `google_compute_target_http_proxy` must use a URL map (declared in the same file)
    ///   with `default_url_redirect { https_redirect = true }`; a `google_compute_ssl_policy`
    ///   needs `min_tls_version = "TLS_1_2"` (it defaults to TLS 1.0).
    /// - Azure App Service and Function apps (`azurerm_linux_web_app`, ...) need `https_only =
    ///   true` (it defaults to false).
    /// - A Kubernetes Service of type `LoadBalancer` that exposes port 80 without 443 serves
    ///   plain HTTP to the internet (internal load balancers, by their cloud annotation, are
    ///   noted, not judged; non-production manifests are skipped).
    /// - An nginx `server` that listens on port 80 for a public `server_name` must redirect to
    ///   HTTPS (`return 301 https://...`). nginx configurations next to a Dockerfile are a
    ///   container's own server behind a front door: noted, not judged.
    /// - A Caddyfile site addressed `http://...` (Caddy serves every other named host over
    ///   HTTPS automatically) must `redir` to HTTPS; `auto_https off` is a finding.
    ///
    /// Ingresses and Gateway API Gateways are judged by `k8s/ingress-tls`: this check only
    /// counts them in its evidence, so a missing `spec.tls` is reported once. A `LoadBalancer`
    /// Service with an AWS ACM certificate annotation terminates TLS on its `ssl-ports` (every
    /// port without that annotation). Terraform and web server files under `examples/`,
    /// `test/`, `testdata/`, `fixtures/` or `samples/` are not judged. It is not-applicable
    /// when the repository declares no front door at all.
    ///
    /// ## Why it matters
    /// Plain HTTP exposes credentials, session cookies and personal data to anyone on the path,
    /// and lets them alter the responses; TLS 1.0 and 1.1 are deprecated (RFC 8996) and fail
    /// PCI DSS. (Production Ready Checklist, security: "network traffic is over HTTPS"; Go-live
    /// checklist: "TLS everywhere traffic leaves the cluster".)
    ///
    /// ## How to fix
    /// ```hcl
    /// resource "aws_lb_listener" "http" {
    ///   load_balancer_arn = aws_lb.web.arn
    ///   port              = 80
    ///   protocol          = "HTTP"
    ///   default_action {
    ///     type = "redirect"
    ///     redirect {
    ///       port        = "443"
    ///       protocol    = "HTTPS"
    ///       status_code = "HTTP_301"
    ///     }
    ///   }
    /// }
    ///
    /// resource "aws_lb_listener" "https" {
    ///   load_balancer_arn = aws_lb.web.arn
    ///   port              = 443
    ///   protocol          = "HTTPS"
    ///   ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    ///   certificate_arn   = aws_acm_certificate.web.arn
    ///   default_action {
    ///     type             = "forward"
    ///     target_group_arn = aws_lb_target_group.web.arn
    ///   }
    /// }
    /// ```
    pub struct Tls {
        id: "security/tls",
        title: "Exposed endpoints serve HTTPS",
        category: Security,
        level: Silver,
        severity: Error,
        facets: [],
        seeds: ["004: Security: network traffic is over HTTPS"],
        fix: "serve the endpoint over HTTPS (TLS 1.2 or later) and redirect plain HTTP to it",
    }
}

impl golive_core::Check for Tls {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let mut t = Tally::default();
        kubernetes(cx, &mut t);
        for file in cx.ws.files_of(FileKind::Terraform) {
            if let Some(Ok(hcl)) = file.hcl() {
                terraform(file, hcl, &mut t);
            }
        }
        let dockerfiles: Vec<&SourceFile> = cx.ws.files_of(FileKind::Dockerfile).collect();
        for file in cx.ws.files() {
            if is_example(&file.path) {
                continue;
            }
            if is_nginx_config(file) {
                nginx(file, &dockerfiles, &mut t);
            } else if is_caddyfile(file) {
                caddy(file, &mut t);
            }
        }
        if t.judged == 0 && t.findings.is_empty() {
            return Outcome::not_applicable(if t.evidence.is_empty() {
                "no front door (load balancer listener, CDN, LoadBalancer Service, nginx or Caddy site) in the repository"
                    .to_string()
            } else {
                format!(
                    "nothing this check judges: {}",
                    t.evidence
                        .iter()
                        .map(|e| e.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            });
        }
        Outcome::from_findings(t.findings, t.evidence)
    }
}

#[derive(Default)]
struct Tally {
    findings: Vec<Finding>,
    evidence: Vec<Evidence>,
    /// Front doors judged (good or bad).
    judged: usize,
}

impl Tally {
    fn good(&mut self, location: &Location, message: String) {
        self.judged += 1;
        self.evidence.push(Evidence::located(location, message));
    }

    fn bad(&mut self, finding: Finding) {
        self.judged += 1;
        self.findings.push(finding);
    }

    fn note(&mut self, location: &Location, message: String) {
        self.evidence.push(Evidence::located(location, message));
    }
}

// ---------------------------------------------------------------- Kubernetes

fn kubernetes(cx: &Context<'_>, t: &mut Tally) {
    let m = Manifests::new(cx.ws);
    let mut front_doors = 0;
    for obj in m.objects() {
        let is_ingress =
            matches!(obj.group(), "networking.k8s.io" | "extensions") && obj.kind == "Ingress";
        let is_gateway = obj.group() == "gateway.networking.k8s.io" && obj.kind == "Gateway";
        if is_ingress || is_gateway {
            if environment(obj) == Environment::Production {
                front_doors += 1;
            }
            continue;
        }
        if obj.kind == "Service"
            && obj.group().is_empty()
            && obj.node.path(&["spec", "type"]).and_then(|n| n.as_text()) == Some("LoadBalancer")
        {
            load_balancer_service(obj, t);
        }
    }
    if front_doors > 0 {
        t.evidence.push(Evidence::note(format!(
            "{front_doors} production Ingress/Gateway object(s): their TLS is judged by k8s/ingress-tls"
        )));
    }
}

fn load_balancer_service(obj: &KubeObject<'_>, t: &mut Tally) {
    let name = obj.display_name();
    if let Environment::NonProduction(why) = environment(obj) {
        t.note(
            &obj.location(),
            format!("{name} skipped: not production ({why})"),
        );
        return;
    }
    let annotations: Vec<(&str, &str)> = obj
        .node
        .path(&["metadata", "annotations"])
        .into_iter()
        .flat_map(|a| a.entries())
        .filter_map(|(k, v)| Some((k.as_str()?, v.as_text().unwrap_or(""))))
        .collect();
    if let Some((key, _)) = annotations.iter().find(|(k, v)| {
        INTERNAL_LB_ANNOTATIONS
            .iter()
            .any(|(ik, iv)| k == ik && (iv.is_empty() || v.eq_ignore_ascii_case(iv)))
    }) {
        t.note(
            &obj.location(),
            format!("{name} is an internal load balancer (`{key}`): not judged"),
        );
        return;
    }
    // With an ACM certificate, the AWS load balancer terminates TLS on the `ssl-ports` (every
    // port when that annotation is absent).
    if let Some((_, cert)) = annotations
        .iter()
        .find(|(k, _)| *k == "service.beta.kubernetes.io/aws-load-balancer-ssl-cert")
        && !cert.is_empty()
    {
        let ssl_ports = annotations
            .iter()
            .find(|(k, _)| *k == "service.beta.kubernetes.io/aws-load-balancer-ssl-ports")
            .map(|(_, v)| *v);
        if ssl_ports.is_none_or(|p| p.trim() == "*" || p.split(',').any(|p| p.trim() == "80")) {
            t.good(
                &obj.location(),
                format!(
                    "{name} is a LoadBalancer terminating TLS with an ACM certificate on {}",
                    ssl_ports.map_or("every port".to_string(), |p| format!("ports {p}"))
                ),
            );
            return;
        }
    }
    let ports: Vec<(i64, golive_core::parse::yaml::Node<'_>)> = obj
        .node
        .path(&["spec", "ports"])
        .into_iter()
        .flat_map(|p| p.items())
        .filter_map(|p| {
            let n = p.get("port")?;
            Some((n.as_i64()?, n))
        })
        .collect();
    let http = ports.iter().find(|(p, _)| *p == 80);
    let https = ports.iter().find(|(p, _)| *p == 443);
    let path = &obj.file.path;
    match (http, https) {
        (Some((_, node)), None) => t.bad(Finding::at(
            node.location(path),
            format!("{name} is a LoadBalancer exposing port 80 without 443: it serves plain HTTP to the internet"),
        ).with_help("expose it through an Ingress or Gateway with TLS (and make the Service ClusterIP), or terminate TLS on the load balancer on port 443")),
        (Some(_), Some((_, node))) => t.good(
            &node.location(path),
            format!("{name} is a LoadBalancer exposing 443 beside 80"),
        ),
        (None, Some((_, node))) => t.good(
            &node.location(path),
            format!("{name} is a LoadBalancer exposing 443"),
        ),
        (None, None) => t.note(
            &obj.location(),
            format!("{name} is a LoadBalancer on neither port 80 nor 443: not judged as a web front door"),
        ),
    }
}

// ---------------------------------------------------------------- Terraform

fn terraform(file: &SourceFile, hcl: &HclFile, t: &mut Tally) {
    let path = &file.path;
    if let Environment::NonProduction(_) = path_environment(path) {
        return;
    }
    if is_example(path) {
        return;
    }
    for block in hcl.blocks_of("resource") {
        let (Some(kind), Some(name)) = (block.label(0), block.label(1)) else {
            continue;
        };
        let subject = format!("{kind}.{name}");
        match kind {
            "aws_lb_listener" | "aws_alb_listener" => aws_listener(path, hcl, &block, &subject, t),
            "aws_cloudfront_distribution" => cloudfront(path, &block, &subject, t),
            k if AZURE_WEB_APPS.contains(&k) => azure_web_app(path, &block, &subject, t),
            "google_compute_target_http_proxy" => gcp_http_proxy(path, hcl, &block, &subject, t),
            "google_compute_ssl_policy" => gcp_ssl_policy(path, &block, &subject, t),
            _ => {}
        }
    }
}

/// Whether a path is an example or a test fixture, not something deployed.
pub(super) fn is_example(path: &str) -> bool {
    path.split('/').any(|s| {
        matches!(
            s,
            "examples" | "example" | "test" | "tests" | "testdata" | "fixtures" | "samples"
        )
    })
}

fn literal(block: &Block<'_>, key: &str) -> Option<String> {
    match block.attribute(key)?.value() {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(format!("{n}")),
        _ => None,
    }
}

fn aws_listener(path: &str, hcl: &HclFile, block: &Block<'_>, subject: &str, t: &mut Tally) {
    if let Some(lb) = internal_load_balancer(hcl, block) {
        t.note(
            &block.pos().location(path),
            format!("{subject} belongs to the internal load balancer {lb}: not judged"),
        );
        return;
    }
    let protocol_attr = block.attribute("protocol");
    let protocol = match protocol_attr.map(|a| a.value()) {
        Some(Value::String(p)) => p.to_ascii_uppercase(),
        Some(_) => {
            t.note(
                &block.pos().location(path),
                format!("{subject}: its protocol is computed, so its TLS cannot be told"),
            );
            return;
        }
        None if literal(block, "port").as_deref() == Some("443") => {
            t.note(
                &block.pos().location(path),
                format!("{subject} on port 443 names no protocol: not judged"),
            );
            return;
        }
        // An Application Load Balancer listener without a protocol is HTTP.
        None => "HTTP".to_string(),
    };
    match protocol.as_str() {
        "HTTP" => {
            let at = protocol_attr
                .map(|a| a.pos())
                .or_else(|| block.attribute("port").map(|a| a.pos()))
                .unwrap_or_else(|| block.pos())
                .location(path);
            if block.blocks("dynamic").next().is_some() {
                t.note(
                    &at,
                    format!("{subject} builds its actions with a dynamic block: not judged"),
                );
                return;
            }
            let actions: Vec<Block<'_>> = block.blocks("default_action").collect();
            let redirects = actions.iter().any(|a| {
                literal(a, "type").as_deref() == Some("redirect")
                    && a.block("redirect").is_some_and(|r| {
                        literal(&r, "protocol").is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
                    })
            });
            let fixed = actions
                .iter()
                .all(|a| literal(a, "type").as_deref() == Some("fixed-response"));
            if redirects {
                t.good(&at, format!("{subject} redirects HTTP to HTTPS"));
            } else if fixed && !actions.is_empty() {
                t.good(
                    &at,
                    format!("{subject} is HTTP but only answers a fixed response (its rules may redirect)"),
                );
            } else {
                t.bad(Finding::at(
                    at,
                    format!("{subject} serves plain HTTP: its default action does not redirect to HTTPS"),
                ).with_help("make its default_action a redirect with protocol = \"HTTPS\" (port 443, HTTP_301), and serve the traffic from an HTTPS listener"));
            }
        }
        "HTTPS" | "TLS" => ssl_policy(path, block, subject, &protocol, t),
        other => t.note(
            &block.pos().location(path),
            format!("{subject} is a {other} listener: not judged as a web front door"),
        ),
    }
}

fn ssl_policy(path: &str, block: &Block<'_>, subject: &str, protocol: &str, t: &mut Tally) {
    let Some(attr) = block.attribute("ssl_policy") else {
        t.good(
            &block.pos().location(path),
            format!("{subject} is {protocol}; it names no ssl_policy, so the provider's default applies: name a modern one (ELBSecurityPolicy-TLS13-1-2-2021-06) to be sure"),
        );
        return;
    };
    let at = attr.pos().location(path);
    let Value::String(policy) = attr.value() else {
        t.note(
            &at,
            format!("{subject} is {protocol} with a computed ssl_policy: not judged"),
        );
        return;
    };
    if OLD_AWS_POLICIES
        .iter()
        .any(|p| p.eq_ignore_ascii_case(&policy))
    {
        t.bad(
            Finding::at(
                at,
                format!("{subject} uses ssl_policy `{policy}`, which accepts TLS 1.0 or 1.1"),
            )
            .with_help("use ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2 and 1.3)"),
        );
    } else {
        t.good(
            &at,
            format!("{subject} is {protocol} with ssl_policy `{policy}`"),
        );
    }
}

/// When a listener's `load_balancer_arn` names a load balancer of the same file declared
/// `internal = true`, its address.
fn internal_load_balancer(hcl: &HclFile, listener: &Block<'_>) -> Option<String> {
    let arn = listener.attribute("load_balancer_arn")?.expr_source();
    let mut parts = arn.trim().split('.');
    let (kind, name) = (parts.next()?, parts.next()?);
    if !matches!(kind, "aws_lb" | "aws_alb") {
        return None;
    }
    hcl.blocks_of("resource")
        .find(|b| b.label(0) == Some(kind) && b.label(1) == Some(name))
        .filter(|b| {
            b.attribute("internal")
                .and_then(|a| a.value().to_bool())
                .unwrap_or(false)
        })
        .map(|_| format!("{kind}.{name}"))
}

fn cloudfront(path: &str, block: &Block<'_>, subject: &str, t: &mut Tally) {
    let behaviours = block
        .blocks("default_cache_behavior")
        .chain(block.blocks("ordered_cache_behavior"));
    for b in behaviours {
        let which = match literal(&b, "path_pattern") {
            Some(p) => format!("cache behaviour `{p}`"),
            None => "default cache behaviour".to_string(),
        };
        let Some(attr) = b.attribute("viewer_protocol_policy") else {
            continue;
        };
        let at = attr.pos().location(path);
        match attr.value().as_str() {
            Some("allow-all") => t.bad(
                Finding::at(
                    at,
                    format!("{subject}: its {which} has viewer_protocol_policy = \"allow-all\": viewers can use plain HTTP"),
                )
                .with_help("set viewer_protocol_policy = \"redirect-to-https\" (or \"https-only\")"),
            ),
            Some(p) => t.good(&at, format!("{subject}: its {which} is {p}")),
            None => t.note(
                &at,
                format!("{subject}: its {which} has a computed viewer_protocol_policy: not judged"),
            ),
        }
    }
    if let Some(cert) = block.block("viewer_certificate")
        && let Some(attr) = cert.attribute("minimum_protocol_version")
        && let Some(version) = attr.value().as_str()
        && OLD_CLOUDFRONT_VERSIONS.contains(&version)
    {
        let default_cert = cert
            .attribute("cloudfront_default_certificate")
            .and_then(|a| a.value().to_bool())
            .unwrap_or(false);
        if !default_cert {
            t.bad(
                Finding::at(
                    attr.pos().location(path),
                    format!("{subject} accepts viewers on {version}, before TLS 1.2"),
                )
                .with_help("set minimum_protocol_version = \"TLSv1.2_2021\""),
            );
        }
    }
}

fn azure_web_app(path: &str, block: &Block<'_>, subject: &str, t: &mut Tally) {
    match block.attribute("https_only") {
        Some(attr) => match attr.value().to_bool() {
            Some(true) => t.good(
                &attr.pos().location(path),
                format!("{subject} is https_only"),
            ),
            Some(false) => t.bad(Finding::at(
                attr.pos().location(path),
                format!("{subject} sets https_only = false: it answers plain HTTP"),
            )),
            None => t.note(
                &attr.pos().location(path),
                format!("{subject}: its https_only is computed: not judged"),
            ),
        },
        None => t.bad(
            Finding::at(
                block.pos().location(path),
                format!("{subject} has no https_only: it defaults to false and answers plain HTTP"),
            )
            .with_help("set https_only = true"),
        ),
    }
}

/// A GCP HTTP proxy must front a URL map that redirects to HTTPS.
fn gcp_http_proxy(path: &str, hcl: &HclFile, block: &Block<'_>, subject: &str, t: &mut Tally) {
    let Some(attr) = block.attribute("url_map") else {
        return;
    };
    let at = attr.pos().location(path);
    let source = attr.expr_source();
    let mut parts = source.trim().split('.');
    let url_map = match (parts.next(), parts.next()) {
        (Some("google_compute_url_map"), Some(name)) => hcl
            .blocks_of("resource")
            .find(|b| b.label(0) == Some("google_compute_url_map") && b.label(1) == Some(name))
            .map(|b| (format!("google_compute_url_map.{name}"), b)),
        _ => None,
    };
    let Some((map_name, map)) = url_map else {
        t.note(
            &at,
            format!("{subject}: its URL map is not declared in the same file: not judged"),
        );
        return;
    };
    let redirects = map.block("default_url_redirect").is_some_and(|r| {
        r.attribute("https_redirect")
            .and_then(|a| a.value().to_bool())
            .unwrap_or(false)
    });
    if redirects {
        t.good(
            &at,
            format!("{subject} redirects HTTP to HTTPS ({map_name})"),
        );
    } else {
        t.bad(
            Finding::at(
                at,
                format!("{subject} serves plain HTTP: its URL map {map_name} does not redirect to HTTPS"),
            )
            .with_help("point the HTTP proxy at a URL map with `default_url_redirect { https_redirect = true }`, and serve the traffic from a google_compute_target_https_proxy"),
        );
    }
}

/// A GCP SSL policy's minimum TLS version defaults to TLS 1.0.
fn gcp_ssl_policy(path: &str, block: &Block<'_>, subject: &str, t: &mut Tally) {
    match block.attribute("min_tls_version") {
        None => t.bad(
            Finding::at(
                block.pos().location(path),
                format!("{subject} names no min_tls_version: it defaults to TLS_1_0"),
            )
            .with_help("set min_tls_version = \"TLS_1_2\""),
        ),
        Some(attr) => match attr.value().as_str() {
            Some(v @ ("TLS_1_0" | "TLS_1_1")) => t.bad(
                Finding::at(
                    attr.pos().location(path),
                    format!("{subject} accepts {v}, before TLS 1.2"),
                )
                .with_help("set min_tls_version = \"TLS_1_2\""),
            ),
            Some(v) => t.good(
                &attr.pos().location(path),
                format!("{subject} requires {v} or later"),
            ),
            None => t.note(
                &attr.pos().location(path),
                format!("{subject}: its min_tls_version is computed: not judged"),
            ),
        },
    }
}

// ---------------------------------------------------------------- nginx

fn is_nginx_config(file: &SourceFile) -> bool {
    let name = file.name();
    let conf = name.ends_with(".conf") || name.ends_with(".conf.template") || name == "nginx.conf";
    conf && (file.path.contains("nginx") || file.text.contains("server_name"))
        && file.text.contains("listen")
}

/// One `server { ... }` block of an nginx configuration.
#[derive(Default)]
struct NginxServer {
    /// `listen` directives: (line, parameters).
    listens: Vec<(u32, String)>,
    names: Vec<String>,
    redirects: bool,
}

/// The `server` blocks of an nginx configuration, read line by line (comments dropped).
fn nginx_servers(text: &str) -> Vec<NginxServer> {
    let mut servers = Vec::new();
    let mut depth = 0usize;
    // The depth at which the current server block opened.
    let mut open: Option<usize> = None;
    let mut current = NginxServer::default();
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.split('#').next().unwrap_or("");
        // Statements end at `;`, `{` (a block header) or `}`.
        let mut stmt = String::new();
        for c in line.chars().chain(std::iter::once(';')) {
            if !matches!(c, ';' | '{' | '}') {
                stmt.push(c);
                continue;
            }
            let words: Vec<&str> = stmt.split_whitespace().collect();
            if c == '{' && open.is_none() && words.first() == Some(&"server") {
                open = Some(depth);
                current = NginxServer::default();
            } else if open.is_some() && c != '{' {
                match words.first().copied() {
                    Some("listen") => current
                        .listens
                        .push((line_no, words.get(1..).unwrap_or(&[]).join(" "))),
                    Some("server_name") => current
                        .names
                        .extend(words.iter().skip(1).map(|w| w.to_string())),
                    Some("return" | "rewrite")
                        if words.iter().any(|w| w.starts_with("https://")) =>
                    {
                        current.redirects = true;
                    }
                    _ => {}
                }
            }
            stmt.clear();
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if open == Some(depth) {
                        open = None;
                        servers.push(std::mem::take(&mut current));
                    }
                }
                _ => {}
            }
        }
    }
    servers
}

/// Whether a `listen` directive's parameters are plain HTTP on port 80.
fn listens_plain_80(params: &str) -> bool {
    let mut words = params.split_whitespace();
    let Some(address) = words.next() else {
        return false;
    };
    let port = address.rsplit(':').next().unwrap_or(address);
    port == "80" && !params.split_whitespace().any(|w| w == "ssl" || w == "quic")
}

fn is_public_name(name: &str) -> bool {
    name.contains('.')
        && !name.starts_with('~')
        && name != "localhost"
        && !name.ends_with(".local")
        && !name.ends_with(".internal")
        && !name.ends_with(".svc")
        && !name.contains(".svc.")
        && name.parse::<std::net::IpAddr>().is_err()
}

/// Whether a configuration is part of a container image: next to a Dockerfile, or named by one.
fn in_image(file: &SourceFile, dockerfiles: &[&SourceFile]) -> bool {
    dockerfiles
        .iter()
        .any(|d| d.dir() == file.dir() || d.text.contains(file.name()))
}

fn nginx(file: &SourceFile, dockerfiles: &[&SourceFile], t: &mut Tally) {
    let path = &file.path;
    let in_image = in_image(file, dockerfiles);
    for server in nginx_servers(&file.text) {
        let Some((line, _)) = server.listens.iter().find(|(_, p)| listens_plain_80(p)) else {
            if let Some((line, _)) = server.listens.iter().find(|(_, p)| p.contains("ssl")) {
                t.good(
                    &Location::line(path, *line),
                    format!("nginx server {} listens with ssl", label(&server)),
                );
            }
            continue;
        };
        let at = Location::line(path, *line);
        let public: Vec<&String> = server.names.iter().filter(|n| is_public_name(n)).collect();
        if server.redirects {
            t.good(
                &at,
                format!("nginx server {} redirects port 80 to HTTPS", label(&server)),
            );
        } else if in_image {
            t.note(
                &at,
                format!("nginx server {} listens on plain port 80 next to a Dockerfile: a container's server behind a front door, not judged", label(&server)),
            );
        } else if public.is_empty() {
            t.note(
                &at,
                format!("nginx server {} listens on plain port 80 for no public server_name: not judged", label(&server)),
            );
        } else {
            t.bad(
                Finding::at(
                    at,
                    format!("nginx server {} listens on port 80 without redirecting to HTTPS: it serves plain HTTP", label(&server)),
                )
                .with_help("in the port-80 server, `return 301 https://$host$request_uri;` and serve the site from a `listen 443 ssl` server"),
            );
        }
    }
}

fn label(server: &NginxServer) -> String {
    match server.names.first() {
        Some(n) => format!("`{n}`"),
        None => "(no server_name)".to_string(),
    }
}

// ---------------------------------------------------------------- Caddy

fn is_caddyfile(file: &SourceFile) -> bool {
    let name = file.name();
    name == "Caddyfile" || name.starts_with("Caddyfile.") || name.ends_with(".caddyfile")
}

fn caddy(file: &SourceFile, t: &mut Tally) {
    let path = &file.path;
    let mut depth = 0usize;
    // The site block being read: (line, plain-HTTP addresses, redirects).
    let mut site: Option<(u32, Vec<String>, bool)> = None;
    for (i, raw) in file.text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.split(" #").next().unwrap_or("").trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if line.starts_with("auto_https") && line.split_whitespace().nth(1) == Some("off") {
            t.bad(
                Finding::at(
                    Location::line(path, line_no),
                    "Caddy's automatic HTTPS is turned off (`auto_https off`)".to_string(),
                )
                .with_help(
                    "remove `auto_https off`: Caddy then obtains certificates and redirects HTTP",
                ),
            );
        }
        if depth == 0 && line.ends_with('{') {
            let addresses: Vec<String> = line
                .trim_end_matches('{')
                .split([',', ' '])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
            if !addresses.is_empty() {
                let plain: Vec<String> = addresses
                    .iter()
                    .filter(|a| a.starts_with("http://"))
                    .cloned()
                    .collect();
                if plain.is_empty() {
                    let named: Vec<&String> = addresses
                        .iter()
                        .filter(|a| is_public_name(a.trim_start_matches("https://")))
                        .collect();
                    if !named.is_empty() {
                        t.good(
                            &Location::line(path, line_no),
                            format!(
                                "Caddy site {} is served over automatic HTTPS",
                                named
                                    .iter()
                                    .map(|a| a.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                    }
                } else {
                    site = Some((line_no, plain, false));
                }
            }
        } else if depth > 0
            && let Some((_, _, redirects)) = site.as_mut()
            && line.starts_with("redir")
            && line.contains("https://")
        {
            *redirects = true;
        }
        for c in line.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0
                        && let Some((at, plain, redirects)) = site.take()
                    {
                        let loc = Location::line(path, at);
                        let what = plain.join(", ");
                        if redirects {
                            t.good(&loc, format!("Caddy site {what} redirects to HTTPS"));
                        } else if plain.iter().any(|a| {
                            is_public_name(
                                a.trim_start_matches("http://")
                                    .split([':', '/'])
                                    .next()
                                    .unwrap_or(""),
                            )
                        }) {
                            t.bad(Finding::at(
                                loc,
                                format!("Caddy site {what} is served over plain HTTP"),
                            ).with_help("drop the `http://` scheme so Caddy serves the site over HTTPS and redirects HTTP, or `redir https://{host}{uri}`"));
                        } else {
                            t.note(
                                &loc,
                                format!("Caddy site {what} is plain HTTP for no public host name: not judged"),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_servers_are_read_with_their_listens_and_redirects() {
        let servers = nginx_servers(
            "http {\n  server {\n    listen 80;\n    server_name shop.example.com;\n    location / { return 301 https://$host$request_uri; }\n  }\n  server { listen 443 ssl; server_name shop.example.com; }\n}\n",
        );
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[0].listens, vec![(3, "80".to_string())]);
        assert!(servers[0].redirects);
        assert_eq!(servers[0].names, vec!["shop.example.com".to_string()]);
        assert!(!servers[1].redirects);
        assert_eq!(servers[1].listens[0].1, "443 ssl");
    }

    #[test]
    fn plain_port_80_listens() {
        assert!(listens_plain_80("80"));
        assert!(listens_plain_80("[::]:80 default_server"));
        assert!(listens_plain_80("0.0.0.0:80"));
        assert!(!listens_plain_80("8080"));
        assert!(!listens_plain_80("443 ssl"));
        assert!(!listens_plain_80("80 ssl"));
        assert!(!listens_plain_80(""));
    }

    #[test]
    fn public_names() {
        assert!(is_public_name("shop.example.com"));
        assert!(!is_public_name("localhost"));
        assert!(!is_public_name("_"));
        assert!(!is_public_name("api.default.svc.cluster.local"));
        assert!(!is_public_name("10.0.0.1"));
        assert!(!is_public_name("~^(www\\.)?example\\.com$"));
    }
}
