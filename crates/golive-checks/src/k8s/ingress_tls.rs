use super::relations::{Environment, Manifests, environment};
use golive_core::kube::KubeObject;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

/// Annotations that ask cert-manager (or a controller) for a certificate.
const CERT_ANNOTATIONS: &[&str] = &[
    "cert-manager.io/cluster-issuer",
    "cert-manager.io/issuer",
    "kubernetes.io/tls-acme",
];

declare_check! {
    /// ## What it checks
    /// Every production Ingress serves TLS for each of its hosts, and every Gateway API
    /// Gateway has an HTTPS (or TLS) listener with a certificate.
    ///
    /// - An Ingress (`networking.k8s.io`, `extensions`) needs `spec.tls`. Each host of
    ///   `spec.rules[].host` must be listed in some `spec.tls[].hosts` (a wildcard
    ///   `*.example.com` covers one label, `shop.example.com`); a host that is not is a finding
    ///   at its `host:` line: it is served over plain HTTP only. Rules without a host are served
    ///   with the controller's default certificate when `spec.tls` exists (noted). A cert-manager
    ///   annotation (`cert-manager.io/cluster-issuer`, `kubernetes.io/tls-acme`) without
    ///   `spec.tls` is not TLS: cert-manager issues certificates for the `spec.tls` entries.
    /// - A Gateway (`gateway.networking.k8s.io`) needs a listener with `protocol: HTTPS` (or
    ///   `TLS`) whose `tls.certificateRefs` is not empty (a `TLS` listener in `Passthrough`
    ///   mode passes: the backend terminates TLS; so does one whose certificate is named in
    ///   implementation-specific `tls.options`, such as GKE's pre-shared certificates). An HTTPS listener without a certificate is a
    ///   finding at the listener; plain HTTP listeners beside an HTTPS one are noted (typically
    ///   a redirect).
    ///
    /// Ingresses and Gateways in non-production manifests are not checked.
    ///
    /// ## Why it matters
    /// Plain HTTP exposes credentials, session cookies and personal data to anyone on the path,
    /// and browsers flag the site as insecure. A host that someone added to the rules but not to
    /// the TLS section silently serves plain HTTP (or the default certificate, with a
    /// certificate error). (Production Ready Checklist, security: "network traffic is over
    /// HTTPS".)
    ///
    /// ## How to fix
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: web
    ///   annotations: { cert-manager.io/cluster-issuer: letsencrypt }
    /// spec:
    ///   tls:
    ///     - hosts: [shop.example.com]
    ///       secretName: shop-example-com-tls
    ///   rules:
    ///     - host: shop.example.com
    ///       http: { paths: [ { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } } ] }
    /// ```
    pub struct IngressTls {
        id: "k8s/ingress-tls",
        title: "Ingresses and Gateways serve TLS",
        category: Kubernetes,
        level: Silver,
        severity: Error,
        facets: [Kubernetes],
        seeds: ["004: Security: network traffic is over HTTPS"],
        fix: "add spec.tls entries covering every rule host (Ingress), or an HTTPS listener with tls.certificateRefs (Gateway)",
    }
}

impl golive_core::Check for IngressTls {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut checked = 0;
        for obj in m.objects() {
            let is_ingress =
                matches!(obj.group(), "networking.k8s.io" | "extensions") && obj.kind == "Ingress";
            let is_gateway = obj.group() == "gateway.networking.k8s.io" && obj.kind == "Gateway";
            if !is_ingress && !is_gateway {
                continue;
            }
            if let Environment::NonProduction(why) = environment(obj) {
                evidence.push(Evidence::located(
                    &obj.location(),
                    format!("{} skipped: not production ({why})", obj.display_name()),
                ));
                continue;
            }
            checked += 1;
            if is_ingress {
                ingress(obj, &mut findings, &mut evidence);
            } else {
                gateway(obj, &mut findings, &mut evidence);
            }
        }
        if checked == 0 {
            return Outcome::not_applicable(if evidence.is_empty() {
                "no Ingress or Gateway in the manifests"
            } else {
                "no production Ingress or Gateway in the manifests"
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

fn ingress(obj: &KubeObject<'_>, findings: &mut Vec<Finding>, evidence: &mut Vec<Evidence>) {
    let name = obj.display_name();
    let path = &obj.file.path;
    let spec = obj.node.get("spec");
    let tls: Vec<Node<'_>> = spec
        .and_then(|s| s.get("tls"))
        .into_iter()
        .flat_map(|t| t.items())
        .collect();
    let rules: Vec<Node<'_>> = spec
        .and_then(|s| s.get("rules"))
        .into_iter()
        .flat_map(|r| r.items())
        .collect();
    if tls.is_empty() {
        let annotation = obj
            .node
            .path(&["metadata", "annotations"])
            .into_iter()
            .flat_map(|a| a.entries())
            .filter_map(|(k, _)| k.as_str())
            .find(|k| CERT_ANNOTATIONS.contains(k));
        let why = match annotation {
            Some(a) => format!(
                "; its `{a}` annotation asks for a certificate, but cert-manager issues one only for spec.tls entries"
            ),
            None => String::new(),
        };
        findings.push(Finding::at(
            obj.location(),
            format!("{name} has no spec.tls, so it serves plain HTTP{why}"),
        ));
        return;
    }
    let tls_hosts: Vec<&str> = tls
        .iter()
        .flat_map(|t| t.get("hosts").into_iter().flat_map(|h| h.items()))
        .filter_map(|h| h.as_text())
        .collect();
    let mut covered = Vec::new();
    let mut hostless = false;
    for rule in &rules {
        let Some(host_node) = rule.get("host").filter(|h| !h.is_null()) else {
            hostless = true;
            continue;
        };
        let Some(host) = host_node.as_text() else {
            continue;
        };
        if tls_hosts.iter().any(|t| host_covered(t, host)) {
            covered.push(host);
        } else {
            findings.push(Finding::at(
                host_node.location(path),
                format!(
                    "{name}: host `{host}` is in no spec.tls entry: it is served without its certificate{}",
                    if tls_hosts.is_empty() {
                        String::new()
                    } else {
                        format!(" (spec.tls lists {})", tls_hosts.join(", "))
                    }
                ),
            ).with_help(format!("add `{host}` to the hosts of a spec.tls entry")));
        }
    }
    let tls_at = spec
        .and_then(|s| s.entry("tls"))
        .map(|(k, _)| k.location(path))
        .unwrap_or_else(|| obj.location());
    if !covered.is_empty() {
        evidence.push(Evidence::located(
            &tls_at,
            format!("{name} serves TLS for {}", covered.join(", ")),
        ));
    }
    if hostless {
        evidence.push(Evidence::located(
            &tls_at,
            format!("{name} has a rule without a host: it is served with the controller's default certificate"),
        ));
    } else if covered.is_empty() && rules.is_empty() {
        evidence.push(Evidence::located(
            &tls_at,
            format!("{name} has spec.tls and no host rules (a default backend)"),
        ));
    }
    for t in &tls {
        if t.get("secretName").is_none_or(|s| s.is_null()) {
            evidence.push(Evidence::located(
                &t.location(path),
                format!("{name}: a spec.tls entry names no secretName: the controller's default certificate is used"),
            ));
        }
    }
}

/// Whether a TLS host (exact, or `*.domain` for one label) covers a rule host.
fn host_covered(tls: &str, host: &str) -> bool {
    if tls.eq_ignore_ascii_case(host) {
        return true;
    }
    match (tls.strip_prefix("*."), host.split_once('.')) {
        (Some(domain), Some((label, rest))) => {
            !label.is_empty() && label != "*" && rest.eq_ignore_ascii_case(domain)
        }
        _ => false,
    }
}

fn gateway(obj: &KubeObject<'_>, findings: &mut Vec<Finding>, evidence: &mut Vec<Evidence>) {
    let name = obj.display_name();
    let path = &obj.file.path;
    let listeners: Vec<Node<'_>> = obj
        .node
        .path(&["spec", "listeners"])
        .into_iter()
        .flat_map(|l| l.items())
        .collect();
    let mut secure = Vec::new();
    let mut plain = Vec::new();
    for l in &listeners {
        let label = l
            .get_str("name")
            .map(|n| format!("listener `{n}`"))
            .unwrap_or_else(|| "a listener".to_string());
        let at = l.get("name").unwrap_or(*l);
        match l.get_str("protocol") {
            Some("HTTPS" | "TLS") => {
                let mode = l.path(&["tls", "mode"]).and_then(|m| m.as_text());
                let certs = l
                    .path(&["tls", "certificateRefs"])
                    .is_some_and(|c| !c.is_empty());
                let options = l.path(&["tls", "options"]).is_some_and(|o| !o.is_empty());
                if mode == Some("Passthrough") {
                    secure.push(format!(
                        "{label} (TLS passthrough: the backend terminates TLS)"
                    ));
                } else if certs {
                    secure.push(label);
                } else if options {
                    // e.g. GKE's networking.gke.io/pre-shared-certs: the implementation finds it.
                    secure.push(format!(
                        "{label} (certificate named in implementation-specific tls.options)"
                    ));
                } else {
                    findings.push(Finding::at(
                        at.location(path),
                        format!("{name}: {label} is HTTPS but has no tls.certificateRefs: it has no certificate to serve"),
                    ).with_help("add tls.certificateRefs naming the Secret that holds the certificate"));
                }
            }
            _ => plain.push((label, at)),
        }
    }
    if secure.is_empty() {
        if !plain.is_empty() || listeners.is_empty() {
            let at = listeners.first().map(|l| l.get("name").unwrap_or(*l));
            let what: Vec<&str> = plain.iter().map(|(l, _)| l.as_str()).collect();
            findings.push(Finding::at(
                at.map(|n| n.location(path)).unwrap_or_else(|| obj.location()),
                if what.is_empty() {
                    format!("{name} has no listener: it serves no TLS")
                } else {
                    format!(
                        "{name} has no HTTPS listener with a certificate ({} only): it serves plain HTTP",
                        what.join(", ")
                    )
                },
            ));
        }
        return;
    }
    let at = obj
        .node
        .path(&["spec", "listeners"])
        .map(|l| l.location(path))
        .unwrap_or_else(|| obj.location());
    evidence.push(Evidence::located(
        &at,
        format!("{name} serves TLS on {}", secure.join(", ")),
    ));
    for (label, node) in plain {
        evidence.push(Evidence::located(
            &node.location(path),
            format!("{name}: {label} is plain HTTP beside the TLS listeners (typically a redirect to HTTPS)"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::host_covered;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(host_covered("shop.example.com", "SHOP.example.com"));
        assert!(host_covered("*.example.com", "shop.example.com"));
        assert!(!host_covered("*.example.com", "example.com"));
        assert!(!host_covered("*.example.com", "a.shop.example.com"));
        assert!(host_covered("*.example.com", "*.example.com"));
        assert!(!host_covered("example.com", "shop.example.com"));
    }
}
