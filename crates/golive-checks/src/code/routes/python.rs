//! Python routes: Flask and Quart (`@app.route`, `@bp.get`, `Blueprint(url_prefix=)`,
//! `register_blueprint`, `add_url_rule`), FastAPI (`@app.get`, `APIRouter(prefix=)`,
//! `include_router`, `add_api_route`), Starlette (`Route`, `Mount`), aiohttp (`add_get`,
//! `web.get`) and Django (`path`, `re_path`, `url`, `include`).

use super::lexer::{Tok, Token};
use super::{
    FileScan, Method, Mount, PendingRoute, Route, Scope, Target, args, keyword, path_arg,
    scoped_prefix,
};
use std::collections::HashMap;
use std::ops::Range;

/// What a module-level name is bound to.
#[derive(Clone, Debug)]
enum Binding {
    /// `Flask(...)`, `FastAPI(...)`, `Quart(...)`, `Sanic(...)`, `web.Application()`.
    App,
    /// `Blueprint(..., url_prefix=)`, `APIRouter(prefix=)`: mounted elsewhere.
    Router { prefix: String, dynamic: bool },
}

fn methods_kwarg(tokens: &[Token], a: &[Range<usize>], default: Method) -> Method {
    let Some(r) = keyword(tokens, a, "methods") else {
        return default;
    };
    let words: Vec<String> = tokens
        .get(r)
        .unwrap_or(&[])
        .iter()
        .filter(|t| t.kind == Tok::Str)
        .map(|t| t.text.to_ascii_uppercase())
        .collect();
    if words.iter().any(|w| w == "GET") {
        Method::Get
    } else if words.is_empty() {
        default
    } else {
        Method::Other
    }
}

/// The last identifier of an argument expression (`health.router` → `router`), and the
/// module before it, if any.
fn name_arg(tokens: &[Token], r: &Range<usize>) -> Option<(String, Option<String>)> {
    let slice = tokens.get(r.clone())?;
    let last = slice.last().filter(|t| t.kind == Tok::Ident)?;
    let module = (slice.len() >= 3)
        .then(|| slice.get(slice.len() - 3))
        .flatten()
        .filter(|t| t.kind == Tok::Ident && slice[slice.len() - 2].is_punct("."))
        .map(|t| t.text.clone());
    Some((last.text.clone(), module))
}

pub(super) fn scan(tokens: &[Token], path: &str) -> FileScan {
    let mut out = FileScan::default();
    let mut bindings: HashMap<String, Binding> = HashMap::new();
    let mut scopes: Vec<Scope> = Vec::new();
    let django = tokens.iter().any(|t| t.is_ident("urlpatterns"));
    let _ = path;
    // Bindings first: `app = FastAPI()`, `bp = Blueprint("x", __name__, url_prefix="/x")`.
    for i in 0..tokens.len() {
        let (Some(name), Some(eq)) = (tokens.get(i), tokens.get(i + 1)) else {
            break;
        };
        if name.kind != Tok::Ident || !eq.is_punct("=") {
            continue;
        }
        // The constructor: `X(` or `mod.X(`.
        let mut j = i + 2;
        while tokens.get(j + 1).is_some_and(|t| t.is_punct(".")) {
            j += 2;
        }
        let (Some(ctor), Some(open)) = (tokens.get(j), tokens.get(j + 1)) else {
            continue;
        };
        if !open.is_punct("(") {
            continue;
        }
        let a = args(tokens, j + 1);
        match ctor.text.as_str() {
            "Flask" | "FastAPI" | "Quart" | "Sanic" | "Starlette" | "Application" => {
                bindings.insert(name.text.clone(), Binding::App);
            }
            "Blueprint" | "APIRouter" | "RouteTableDef" => {
                let (prefix, dynamic) = keyword(tokens, &a, "url_prefix")
                    .or_else(|| keyword(tokens, &a, "prefix"))
                    .and_then(|r| path_arg(tokens, r))
                    .unwrap_or_default();
                let binding = if ctor.text == "RouteTableDef" {
                    Binding::App
                } else {
                    Binding::Router { prefix, dynamic }
                };
                bindings.insert(name.text.clone(), binding);
            }
            _ => {}
        }
    }
    for i in 0..tokens.len() {
        let Some(t) = tokens.get(i) else { break };
        // Bare calls: Starlette `Route(`/`Mount(`, Django `path(`/`re_path(`/`url(`.
        if t.kind == Tok::Ident
            && tokens.get(i + 1).is_some_and(|n| n.is_punct("("))
            && !i
                .checked_sub(1)
                .and_then(|p| tokens.get(p))
                .is_some_and(|p| p.is_punct(".") || p.is_ident("def"))
        {
            let a = args(tokens, i + 1);
            let Some(first) = a.first().cloned() else {
                continue;
            };
            let (scope_prefix, scope_dynamic) = scoped_prefix(&scopes, i);
            match t.text.as_str() {
                "Route" => {
                    if let Some((p, dynamic)) = path_arg(tokens, first) {
                        let method = methods_kwarg(tokens, &a, Method::Get);
                        out.routes.push(PendingRoute::at_root(
                            Route::new(&super::join(&scope_prefix, &p), t.line, "Starlette")
                                .method(method)
                                .dynamic(dynamic || scope_dynamic),
                        ));
                    }
                }
                "Mount" => {
                    if let (Some((p, dynamic)), Some(close)) =
                        (path_arg(tokens, first), super::close_of(tokens, i + 1))
                    {
                        scopes.push(Scope {
                            range: i + 1..close,
                            prefix: p,
                            dynamic,
                        });
                    }
                }
                "path" | "re_path" | "url" if django => {
                    let Some((p, dynamic)) = path_arg(tokens, first) else {
                        continue;
                    };
                    let regex = t.text != "path";
                    // `path("api/", include("shop.urls"))`
                    if let Some(module) = a.get(1).and_then(|r| include_target(tokens, r.clone())) {
                        let prefix = if regex {
                            regex_prefix(&p)
                        } else {
                            Some(p.clone())
                        };
                        if let Some(prefix) = prefix {
                            out.mounts.push(Mount {
                                line: t.line,
                                prefix,
                                target: Target::PathSuffix(format!(
                                    "{}.py",
                                    module.replace('.', "/")
                                )),
                                dynamic,
                            });
                        }
                        continue;
                    }
                    let mut route = Route::new(&p, t.line, "Django").method(Method::Any);
                    if regex {
                        route.regex = regex::Regex::new(&p).ok();
                        if route.regex.is_none() {
                            continue;
                        }
                    }
                    route.unknown_prefix = dynamic;
                    out.routes
                        .push(PendingRoute::mounted(route, DJANGO_URLCONF, true));
                }
                _ => {}
            }
            continue;
        }
        // Method calls and decorators: `@app.get("/p")`, `app.add_url_rule("/p", ...)`.
        let (Some(name), Some(open)) = (tokens.get(i + 1), tokens.get(i + 2)) else {
            continue;
        };
        if !t.is_punct(".") || name.kind != Tok::Ident || !open.is_punct("(") {
            continue;
        }
        let Some(recv) = super::receiver(tokens, i) else {
            continue;
        };
        let decorator = {
            let mut k = i - 1;
            while k >= 2 && tokens[k - 1].is_punct(".") && tokens[k - 2].kind == Tok::Ident {
                k -= 2;
            }
            k >= 1 && tokens[k - 1].is_punct("@")
        };
        let a = args(tokens, i + 2);
        let path_of = |a: &[Range<usize>]| {
            keyword(tokens, a, "path")
                .or_else(|| keyword(tokens, a, "rule"))
                .or_else(|| a.first().filter(|r| !is_keyword_arg(tokens, r)).cloned())
                .and_then(|r| path_arg(tokens, r))
        };
        let method = match (name.text.as_str(), decorator) {
            ("route", true) => Some(methods_kwarg(tokens, &a, Method::Get)),
            ("api_route", true) => Some(methods_kwarg(tokens, &a, Method::Any)),
            ("get", true) => Some(Method::Get),
            ("post" | "put" | "delete" | "patch" | "head" | "options", true) => Some(Method::Other),
            ("add_url_rule" | "add_api_route", false) => {
                Some(methods_kwarg(tokens, &a, Method::Get))
            }
            ("add_get", false) => Some(Method::Get),
            ("add_route", false) => {
                // aiohttp `add_route("GET", "/p", h)`
                let m = a.first().and_then(|r| path_arg(tokens, r.clone()));
                if let (Some((m, _)), Some((p, dynamic))) =
                    (m, a.get(1).and_then(|r| path_arg(tokens, r.clone())))
                {
                    let method = match m.to_ascii_uppercase().as_str() {
                        "GET" => Method::Get,
                        "*" => Method::Any,
                        _ => Method::Other,
                    };
                    out.routes.push(PendingRoute::at_root(
                        Route::new(&p, name.line, "aiohttp")
                            .method(method)
                            .dynamic(dynamic),
                    ));
                }
                None
            }
            ("get", false) if recv == "web" => Some(Method::Get),
            ("include_router" | "register_blueprint", false) => {
                if let Some((var, module)) = a.first().and_then(|r| name_arg(tokens, r)) {
                    let (prefix, dynamic) = keyword(tokens, &a, "prefix")
                        .or_else(|| keyword(tokens, &a, "url_prefix"))
                        .and_then(|r| path_arg(tokens, r))
                        .unwrap_or_default();
                    let target = match module {
                        Some(m) => Target::PathSuffix(format!("{m}.py")),
                        None => Target::Name(var),
                    };
                    out.mounts.push(Mount {
                        line: name.line,
                        prefix,
                        target,
                        dynamic,
                    });
                }
                None
            }
            _ => None,
        };
        let Some(method) = method else { continue };
        let Some((p, dynamic)) = path_of(&a) else {
            if super::is_name_expr(tokens, a.first()) {
                out.opaque.push(name.line);
            }
            continue;
        };
        if !p.starts_with('/') && !dynamic && !p.is_empty() {
            continue;
        }
        let framework = framework_of(tokens);
        let (route_path, mounted_as, dynamic) = match bindings.get(recv) {
            Some(Binding::App) => (p.clone(), None, dynamic),
            Some(Binding::Router {
                prefix,
                dynamic: prefix_dynamic,
            }) => (
                super::join(prefix, &p),
                Some(recv.to_string()),
                dynamic || *prefix_dynamic,
            ),
            None if recv == "app" => (p.clone(), None, dynamic),
            // Defined in another module: it may be a router mounted under a prefix.
            None => (p.clone(), Some(recv.to_string()), dynamic),
        };
        let route_path = if route_path.is_empty() {
            "/".to_string()
        } else {
            route_path
        };
        let route = Route::new(&route_path, name.line, framework)
            .method(method)
            .dynamic(dynamic);
        out.routes.push(match mounted_as {
            Some(name) => PendingRoute::mounted(route, &name, false),
            None => PendingRoute::at_root(route),
        });
    }
    out
}

/// The name under which Django url patterns wait for an `include()` (a root URLconf is
/// included by nothing and serves its paths as written).
pub(crate) const DJANGO_URLCONF: &str = "<django urlconf>";

fn is_keyword_arg(tokens: &[Token], r: &Range<usize>) -> bool {
    tokens.get(r.start + 1).is_some_and(|t| t.is_punct("="))
}

fn framework_of(tokens: &[Token]) -> &'static str {
    let has = |name: &str| tokens.iter().any(|t| t.is_ident(name));
    if has("fastapi") || has("FastAPI") || has("APIRouter") {
        "FastAPI"
    } else if has("aiohttp") {
        "aiohttp"
    } else if has("quart") {
        "Quart"
    } else if has("sanic") {
        "Sanic"
    } else {
        "Flask"
    }
}

/// `include("shop.urls")` → `shop.urls`.
fn include_target(tokens: &[Token], r: Range<usize>) -> Option<String> {
    let first = tokens.get(r.start)?;
    if !first.is_ident("include") || !tokens.get(r.start + 1)?.is_punct("(") {
        return None;
    }
    let a = args(tokens, r.start + 1);
    let inner = a.first()?.clone();
    let t = tokens.get(inner.start)?;
    (t.kind == Tok::Str).then(|| t.text.clone())
}

/// A literal prefix from a `re_path` include pattern (`^api/` → `api/`), None when it uses
/// regular expression syntax beyond anchors.
fn regex_prefix(p: &str) -> Option<String> {
    let p = p.trim_start_matches('^');
    p.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '_'))
        .then(|| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;
    use golive_core::workspace::Lang;

    fn scan_py(src: &str) -> FileScan {
        scan(&tokenize(src, Lang::Python), "app.py")
    }

    use super::super::route_paths as paths;

    #[test]
    fn flask_routes_blueprints_and_methods() {
        let s = scan_py(
            "from flask import Flask, Blueprint\napp = Flask(__name__)\nbp = Blueprint('ops', __name__, url_prefix='/ops')\n\n@app.route('/healthz')\ndef h(): return 'ok'\n\n@app.route('/login', methods=['POST'])\ndef l(): pass\n\n@bp.get('/ready')\ndef r(): pass\n# @app.route('/commented')\napp.add_url_rule('/live', view_func=live)\n",
        );
        assert_eq!(
            paths(&s),
            vec![
                ("/healthz".into(), Method::Get, None),
                ("/login".into(), Method::Other, None),
                ("/ops/ready".into(), Method::Get, Some("bp".into())),
                ("/live".into(), Method::Get, None),
            ]
        );
        assert_eq!(s.routes[0].route.framework, "Flask");
    }

    #[test]
    fn fastapi_routers_and_mounts() {
        let s = scan_py(
            "from fastapi import FastAPI, APIRouter\napp = FastAPI()\nrouter = APIRouter(prefix=\"/health\")\n\n@router.get(\"/live\")\nasync def live(): ...\n\n@app.get(\"/items/{item_id}\")\nasync def item(item_id: int): ...\n\napp.include_router(router, prefix=\"/api\")\napp.include_router(ops.router)\n",
        );
        assert_eq!(
            paths(&s),
            vec![
                ("/health/live".into(), Method::Get, Some("router".into())),
                ("/items/{item_id}".into(), Method::Get, None),
            ]
        );
        assert_eq!(s.mounts.len(), 2);
        assert_eq!(s.mounts[0].prefix, "/api");
        assert!(matches!(&s.mounts[1].target, Target::PathSuffix(p) if p == "ops.py"));
    }

    #[test]
    fn django_paths_includes_and_regexes() {
        let s = scan_py(
            "from django.urls import include, path, re_path\nurlpatterns = [\n    path('healthz/', views.health),\n    re_path(r'^ready/?$', views.ready),\n    path('api/', include('shop.urls')),\n]\n",
        );
        assert_eq!(s.routes.len(), 2);
        assert_eq!(s.routes[0].route.path, "healthz/");
        assert!(s.routes[1].route.regex.is_some());
        assert!(matches!(&s.mounts[0].target, Target::PathSuffix(p) if p == "shop/urls.py"));
        assert_eq!(s.mounts[0].prefix, "api/");
    }

    #[test]
    fn starlette_routes_and_mounts() {
        let s = scan_py(
            "from starlette.routing import Route, Mount\nroutes = [\n    Route('/healthz', health),\n    Mount('/api', routes=[Route('/users', users, methods=['POST'])]),\n]\n",
        );
        assert_eq!(
            paths(&s),
            vec![
                ("/healthz".into(), Method::Get, None),
                ("/api/users".into(), Method::Other, None),
            ]
        );
    }
}
