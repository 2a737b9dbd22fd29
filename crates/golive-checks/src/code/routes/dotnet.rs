//! C# routes (ASP.NET Core): minimal APIs (`app.MapGet("/p", ..)`, `MapGroup("/x")`),
//! health checks (`MapHealthChecks("/p")`, `UseHealthChecks("/p")`) and controllers
//! (`[Route("api/[controller]")]` + `[HttpGet("p")]`). ASP.NET Core matches paths
//! case-insensitively.

use super::go::assigned_name;
use super::lexer::{Tok, Token};
use super::{
    FileScan, Method, PendingRoute, Route, Scope, args, close_of, join, path_arg, scoped_prefix,
};
use std::collections::HashMap;

/// An attribute waiting for its class or method: name, first string argument, line.
type Attribute = (String, Option<(String, bool)>, u32);

fn route(path: &str, line: u32, framework: &'static str, method: Method) -> Route {
    let mut r = Route::new(path, line, framework).method(method);
    r.case_insensitive = true;
    r
}

pub(super) fn scan(tokens: &[Token]) -> FileScan {
    let mut out = FileScan::default();
    let mut groups: HashMap<String, (String, bool)> = HashMap::new();
    let mut scopes: Vec<Scope> = Vec::new();
    let mut pending: Vec<Attribute> = Vec::new();
    let mut class_names: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        // Attributes: `[Route("x")]`, `[HttpGet]`, `[HttpGet("p")]`.
        if t.is_punct("[")
            && let Some(name) = tokens.get(i + 1).filter(|n| n.kind == Tok::Ident)
            && matches!(
                name.text.as_str(),
                "Route"
                    | "HttpGet"
                    | "HttpPost"
                    | "HttpPut"
                    | "HttpDelete"
                    | "HttpPatch"
                    | "ApiController"
            )
        {
            let arg = if tokens.get(i + 2).is_some_and(|n| n.is_punct("(")) {
                args(tokens, i + 2)
                    .first()
                    .and_then(|r| path_arg(tokens, r.clone()))
            } else {
                None
            };
            pending.push((name.text.clone(), arg, name.line));
            i = close_of(tokens, i).unwrap_or(i) + 1;
            continue;
        }
        if t.is_ident("class") {
            let name = tokens
                .get(i + 1)
                .map(|n| n.text.clone())
                .unwrap_or_default();
            if let Some(open) = (i..tokens.len()).find(|&k| tokens[k].is_punct("{"))
                && let Some(close) = close_of(tokens, open)
            {
                class_names.push((open..close, name.clone()));
                if let Some((_, Some((p, dynamic)), _)) =
                    pending.iter().find(|(n, _, _)| n == "Route")
                {
                    scopes.push(Scope {
                        range: open..close,
                        prefix: controller_tokens(p, &name),
                        dynamic: *dynamic,
                    });
                }
            }
            pending.clear();
            i += 1;
            continue;
        }
        if t.kind == Tok::Ident
            && tokens.get(i + 1).is_some_and(|n| n.is_punct("("))
            && !pending.is_empty()
        {
            let class = class_names
                .iter()
                .filter(|(r, _)| r.contains(&i))
                .map(|(_, n)| n.as_str())
                .next_back()
                .unwrap_or("");
            let (prefix, scope_dynamic) = scoped_prefix(&scopes, i);
            let method_route = pending
                .iter()
                .find(|(n, _, _)| n == "Route")
                .and_then(|(_, a, _)| a.clone());
            for (name, arg, line) in std::mem::take(&mut pending) {
                let method = match name.as_str() {
                    "HttpGet" => Method::Get,
                    "HttpPost" | "HttpPut" | "HttpDelete" | "HttpPatch" => Method::Other,
                    _ => continue,
                };
                let (p, dynamic) = arg.or_else(|| method_route.clone()).unwrap_or_default();
                let p = controller_tokens(&p, class);
                // `/p` or `~/p` ignore the controller's prefix.
                let full = if p.starts_with('/') || p.starts_with("~/") {
                    p.trim_start_matches('~').to_string()
                } else {
                    join(&prefix, &p)
                };
                out.routes.push(PendingRoute::at_root(
                    route(&full, line, "ASP.NET Core controllers", method)
                        .dynamic(dynamic || scope_dynamic),
                ));
            }
            i += 1;
            continue;
        }
        if t.is_punct(".")
            && let (Some(name), Some(open)) = (tokens.get(i + 1), tokens.get(i + 2))
            && name.kind == Tok::Ident
            && open.is_punct("(")
        {
            let a = args(tokens, i + 2);
            let recv = super::receiver(tokens, i).unwrap_or("");
            let (gp, gd) = groups.get(recv).cloned().unwrap_or_default();
            if a.first()
                .and_then(|r| path_arg(tokens, r.clone()))
                .is_none()
                && name.text.starts_with("Map")
                && name.text != "MapGroup"
                && name.text != "MapControllers"
                && super::is_name_expr(tokens, a.first())
            {
                out.opaque.push(name.line);
            }
            if let Some((p, dynamic)) = a.first().and_then(|r| path_arg(tokens, r.clone())) {
                let dynamic = dynamic || gd;
                let full = if gp.is_empty() {
                    p.clone()
                } else {
                    join(&gp, &p)
                };
                let found = match name.text.as_str() {
                    "MapGet" => Some(("ASP.NET Core minimal API", Method::Get, false)),
                    "MapPost" | "MapPut" | "MapDelete" | "MapPatch" => {
                        Some(("ASP.NET Core minimal API", Method::Other, false))
                    }
                    "Map" | "MapFallback" => Some(("ASP.NET Core minimal API", Method::Any, false)),
                    "MapMethods" => {
                        let get = a.get(1).is_some_and(|r| {
                            tokens.get(r.clone()).unwrap_or(&[]).iter().any(|t| {
                                (t.kind == Tok::Str && t.text.eq_ignore_ascii_case("GET"))
                                    || t.is_ident("Get")
                            })
                        });
                        Some((
                            "ASP.NET Core minimal API",
                            if get { Method::Get } else { Method::Other },
                            false,
                        ))
                    }
                    "MapHealthChecks" => Some(("ASP.NET Core health checks", Method::Get, false)),
                    "UseHealthChecks" => Some(("ASP.NET Core health checks", Method::Get, true)),
                    "MapGroup" => {
                        if let Some(var) = assigned_name(tokens, i - 1) {
                            groups.insert(var.to_string(), (full.clone(), dynamic));
                        }
                        None
                    }
                    _ => None,
                };
                if let Some((framework, method, subtree)) = found {
                    let mut r = route(&full, name.line, framework, method).dynamic(dynamic);
                    r.subtree = subtree;
                    out.routes.push(PendingRoute::at_root(r));
                }
            }
        }
        i += 1;
    }
    out
}

/// Replaces `[controller]` with the controller's name (`HealthController` → `Health`).
fn controller_tokens(path: &str, class: &str) -> String {
    let name = class.strip_suffix("Controller").unwrap_or(class);
    path.replace("[controller]", name)
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::super::match_path;
    use super::*;
    use golive_core::workspace::Lang;

    fn paths(src: &str) -> Vec<(String, Method)> {
        scan(&tokenize(src, Lang::CSharp))
            .routes
            .into_iter()
            .map(|p| (p.route.path, p.route.method))
            .collect()
    }

    #[test]
    fn minimal_apis_groups_and_health_checks() {
        let r = paths(
            "var app = builder.Build();\napp.MapHealthChecks(\"/healthz\");\napp.MapGet(\"/\", () => \"hi\");\nvar api = app.MapGroup(\"/api\");\napi.MapPost(\"/orders\", Create);\napp.UseHealthChecks(\"/ready\");\n",
        );
        assert_eq!(
            r,
            vec![
                ("/healthz".into(), Method::Get),
                ("/".into(), Method::Get),
                ("/api/orders".into(), Method::Other),
                ("/ready".into(), Method::Get),
            ]
        );
    }

    #[test]
    fn controllers_with_route_tokens() {
        let s = scan(&tokenize(
            "[ApiController]\n[Route(\"api/[controller]\")]\npublic class HealthController : ControllerBase\n{\n    [HttpGet]\n    public IActionResult Get() => Ok();\n    [HttpGet(\"live\")]\n    public IActionResult Live() => Ok();\n}\n",
            Lang::CSharp,
        ));
        let r: Vec<_> = s.routes.iter().map(|p| p.route.path.as_str()).collect();
        assert_eq!(r, vec!["/api/Health", "/api/Health/live"]);
        assert_eq!(
            match_path(&s.routes[1].route, "/api/health/live"),
            Some(super::super::Match::Exact)
        );
    }
}
