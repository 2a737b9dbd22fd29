//! Go routes: net/http (`HandleFunc`, `Handle`, Go 1.22 `"GET /p"` patterns), gorilla/mux
//! (`Path`, `PathPrefix().Subrouter()`, `.Methods(..)`), chi (`Get`, `Route`, `Mount`,
//! `Method`), gin and echo (`GET`, `Group`), fiber (`Get`, `Group`, `Route`).

use super::lexer::{Tok, Token};
use super::{FileScan, Method, PendingRoute, Route, Scope, args, close_of, join, path_arg};
use std::collections::HashMap;

/// Receivers that are HTTP clients, not routers (`http.Get(url)`).
fn is_client(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "http" || lower.contains("client") || lower == "resty" || lower.starts_with("req")
}

fn method_of(name: &str) -> Option<Method> {
    Some(match name {
        "Get" | "GET" => Method::Get,
        "Any" | "All" | "Use" => Method::Any,
        "Post" | "POST" | "Put" | "PUT" | "Delete" | "DELETE" | "Patch" | "PATCH" | "Head"
        | "HEAD" | "Options" | "OPTIONS" | "Connect" | "CONNECT" | "Trace" | "TRACE" => {
            Method::Other
        }
        _ => return None,
    })
}

fn method_from_text(m: &str) -> Method {
    match m.trim().to_ascii_uppercase().as_str() {
        "GET" | "METHODGET" => Method::Get,
        "" | "*" => Method::Any,
        _ => Method::Other,
    }
}

/// The identifier an assignment's right-hand side starting at `start` is assigned to
/// (`api := ` / `api = `).
pub(super) fn assigned_name(tokens: &[Token], mut start: usize) -> Option<&str> {
    // Walk back over a receiver chain `a.b.c`.
    while start >= 2
        && tokens.get(start - 1).is_some_and(|t| t.is_punct("."))
        && tokens.get(start - 2).is_some_and(|t| t.kind == Tok::Ident)
    {
        start -= 2;
    }
    let eq = tokens.get(start.checked_sub(1)?)?;
    if !eq.is_punct("=") {
        return None;
    }
    let mut name_at = start.checked_sub(2)?;
    if tokens.get(name_at)?.is_punct(":") {
        name_at = name_at.checked_sub(1)?;
    }
    let name = tokens.get(name_at)?;
    (name.kind == Tok::Ident).then_some(name.text.as_str())
}

pub(super) fn scan(tokens: &[Token]) -> FileScan {
    let imports = |needle: &str| {
        tokens
            .iter()
            .any(|t| t.kind == Tok::Str && t.text.contains(needle))
    };
    let framework: &'static str = if imports("github.com/gorilla/mux") {
        "gorilla/mux"
    } else if imports("github.com/go-chi/chi") {
        "chi"
    } else if imports("github.com/gin-gonic/gin") {
        "gin"
    } else if imports("github.com/labstack/echo") {
        "echo"
    } else if imports("github.com/gofiber/fiber") {
        "fiber"
    } else {
        "net/http"
    };
    let mut out = FileScan::default();
    let mut groups: HashMap<String, (String, bool)> = HashMap::new();
    let mut scopes: Vec<Scope> = Vec::new();
    for i in 0..tokens.len() {
        let (Some(dot), Some(name), Some(open)) =
            (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
        else {
            break;
        };
        if !dot.is_punct(".") || name.kind != Tok::Ident || !open.is_punct("(") {
            continue;
        }
        let Some(recv) = super::receiver(tokens, i) else {
            continue;
        };
        let a = args(tokens, i + 2);
        let Some(first) = a.first().cloned() else {
            continue;
        };
        let (group_prefix, group_dynamic) = groups.get(recv).cloned().unwrap_or_default();
        let (scope_prefix, scope_dynamic) = super::scoped_prefix(&scopes, i);
        let prefix = join(&scope_prefix, &group_prefix);
        let prefix = if scope_prefix.is_empty() && group_prefix.is_empty() {
            String::new()
        } else {
            prefix
        };
        let inherited_dynamic = group_dynamic || scope_dynamic;
        let line = name.line;
        let close = close_of(tokens, i + 2).unwrap_or(i + 2);
        let after = |k: usize| tokens.get(close + k);
        let chained = |method: &str| {
            after(1).is_some_and(|t| t.is_punct("."))
                && after(2).is_some_and(|t| t.is_ident(method))
        };
        let mut push = |path: &str, dynamic: bool, method: Method, subtree: bool| {
            let mut r = Route::new(&join_if(&prefix, path), line, framework)
                .method(method)
                .dynamic(dynamic || inherited_dynamic);
            r.subtree = subtree;
            out.routes.push(PendingRoute::at_root(r));
        };
        match name.text.as_str() {
            "HandleFunc" | "Handle" | "HandlerFunc" if a.len() >= 2 => {
                if let (Some((m, _)), Some((path, dynamic))) = (
                    path_arg(tokens, first.clone()).filter(|(m, _)| is_method_word(m)),
                    a.get(1).and_then(|r| path_arg(tokens, r.clone())),
                ) {
                    // gin's `Handle("GET", "/p", h)`.
                    push(&path, dynamic, method_from_text(&m), false);
                    continue;
                }
                let Some((pattern, dynamic)) = path_arg(tokens, first.clone()) else {
                    if super::is_name_expr(tokens, Some(&first)) {
                        out.opaque.push(line);
                    }
                    continue;
                };
                let (method, path) = split_method(&pattern);
                if !path.starts_with('/') && !dynamic {
                    continue;
                }
                let method = if framework == "gorilla/mux" {
                    gorilla_methods(tokens, close).unwrap_or(method)
                } else {
                    method
                };
                let (path, subtree) = if framework == "net/http" {
                    match path.strip_suffix("{$}") {
                        Some(exact) => (exact.to_string(), false),
                        None => (path.to_string(), path.ends_with('/')),
                    }
                } else {
                    (path.to_string(), false)
                };
                push(&path, dynamic, method, subtree);
            }
            "Path" if framework == "gorilla/mux" => {
                if let Some((path, dynamic)) = path_arg(tokens, first) {
                    let method = gorilla_methods(tokens, close).unwrap_or(Method::Any);
                    push(&path, dynamic, method, false);
                }
            }
            "PathPrefix" | "Group" | "Route" | "Mount" => {
                let Some((path, dynamic)) = path_arg(tokens, first) else {
                    continue;
                };
                if !path.starts_with('/') && !dynamic {
                    continue;
                }
                let full = join_if(&prefix, &path);
                let dynamic = dynamic || inherited_dynamic;
                // `api := r.Group("/api")`, `s := r.PathPrefix("/api").Subrouter()`.
                if let Some(var) = assigned_name(tokens, i - 1) {
                    groups.insert(var.to_string(), (full, dynamic));
                    continue;
                }
                // chi/fiber `r.Route("/api", func(r chi.Router) { ... })`.
                if let Some(body) = a.get(1).and_then(|r| func_body(tokens, r.clone())) {
                    scopes.push(Scope {
                        range: body,
                        prefix: full,
                        dynamic,
                    });
                    continue;
                }
                // A handler mounted on a prefix, or gorilla's `PathPrefix("/x").Handler(h)`.
                if name.text == "Mount"
                    || (name.text == "PathPrefix" && (chained("Handler") || chained("HandlerFunc")))
                {
                    push(&path, dynamic, Method::Any, true);
                }
            }
            "Method" | "MethodFunc" if a.len() >= 2 => {
                if let (Some((m, _)), Some((path, dynamic))) = (
                    path_arg(tokens, first),
                    a.get(1).and_then(|r| path_arg(tokens, r.clone())),
                ) {
                    push(&path, dynamic, method_from_text(&m), false);
                }
            }
            other => {
                let Some(method) = method_of(other) else {
                    continue;
                };
                if is_client(recv) {
                    continue;
                }
                let Some((path, dynamic)) = path_arg(tokens, first.clone()) else {
                    if framework != "net/http"
                        && a.len() >= 2
                        && super::is_name_expr(tokens, Some(&first))
                    {
                        out.opaque.push(line);
                    }
                    continue;
                };
                if !path.starts_with('/') && !dynamic {
                    continue;
                }
                // Use with a path is a prefix handler (echo/fiber middleware on a path).
                push(&path, dynamic, method, other == "Use");
            }
        }
    }
    out
}

fn join_if(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        path.to_string()
    } else {
        join(prefix, path)
    }
}

fn is_method_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase())
}

/// Go 1.22 patterns: `"GET /p"`, `"GET example.com/p"`, `"/p"`.
fn split_method(pattern: &str) -> (Method, &str) {
    let pattern = pattern.trim();
    let (method, rest) = match pattern.split_once(char::is_whitespace) {
        Some((m, rest)) if is_method_word(m) => (method_from_text(m), rest.trim_start()),
        _ => (Method::Any, pattern),
    };
    // A host before the path.
    let path = match rest.find('/') {
        Some(0) | None => rest,
        Some(i) => rest.get(i..).unwrap_or(rest),
    };
    (method, path)
}

/// gorilla's `.Methods("GET", http.MethodHead)` chained after the call closing at `close`.
fn gorilla_methods(tokens: &[Token], close: usize) -> Option<Method> {
    let mut j = close + 1;
    // Skip other chained calls (`.Name("x")`, `.Queries(..)`) up to `.Methods(`.
    loop {
        if !tokens.get(j)?.is_punct(".") {
            return None;
        }
        let name = tokens.get(j + 1)?;
        if !tokens.get(j + 2)?.is_punct("(") {
            return None;
        }
        if name.is_ident("Methods") {
            let a = args(tokens, j + 2);
            let words: Vec<String> = a
                .iter()
                .filter_map(|r| tokens.get(r.end.checked_sub(1)?))
                .map(|t| t.text.clone())
                .collect();
            return Some(
                if words
                    .iter()
                    .any(|w| method_from_text(w.trim_start_matches("Method")) == Method::Get)
                {
                    Method::Get
                } else {
                    Method::Other
                },
            );
        }
        j = close_of(tokens, j + 2)? + 1;
    }
}

/// The `{ ... }` body of a `func(...) { ... }` literal in a token range.
fn func_body(tokens: &[Token], range: std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
    let start = range.start;
    if !tokens.get(start)?.is_ident("func") {
        return None;
    }
    let open = (start..range.end).find(|&k| tokens.get(k).is_some_and(|t| t.is_punct("{")))?;
    let close = close_of(tokens, open)?;
    Some(open..close)
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;
    use golive_core::workspace::Lang;

    fn routes(src: &str) -> Vec<(String, Method, bool, bool, &'static str)> {
        scan(&tokenize(src, Lang::Go))
            .routes
            .into_iter()
            .map(|p| {
                (
                    p.route.path,
                    p.route.method,
                    p.route.unknown_prefix,
                    p.route.subtree,
                    p.route.framework,
                )
            })
            .collect()
    }

    #[test]
    fn net_http_and_go_122_patterns() {
        let r = routes(
            "package main\nimport \"net/http\"\nfunc main() {\n\thttp.HandleFunc(\"/healthz\", h)\n\tmux.Handle(\"GET /readyz\", h)\n\tmux.HandleFunc(\"POST /items/{id}\", h)\n\tmux.HandleFunc(\"/static/\", h)\n\tmux.HandleFunc(\"/{$}\", h)\n\thttp.Get(\"http://x/y\")\n}\n",
        );
        assert_eq!(
            r,
            vec![
                ("/healthz".into(), Method::Any, false, false, "net/http"),
                ("/readyz".into(), Method::Get, false, false, "net/http"),
                (
                    "/items/{id}".into(),
                    Method::Other,
                    false,
                    false,
                    "net/http"
                ),
                ("/static/".into(), Method::Any, false, true, "net/http"),
                ("/".into(), Method::Any, false, false, "net/http"),
            ]
        );
    }

    #[test]
    fn gorilla_with_dynamic_base_url_methods_and_subrouters() {
        let r = routes(
            "import \"github.com/gorilla/mux\"\nfunc run() {\n\tr := mux.NewRouter()\n\tr.HandleFunc(baseUrl + \"/\", svc.home).Methods(http.MethodGet, http.MethodHead)\n\tr.HandleFunc(baseUrl + \"/cart\", svc.add).Methods(http.MethodPost)\n\tr.HandleFunc(baseUrl+\"/_healthz\", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, \"ok\") })\n\tapi := r.PathPrefix(\"/api\").Subrouter()\n\tapi.Path(\"/v1\").HandlerFunc(h)\n\tr.PathPrefix(\"/static/\").Handler(fs)\n}\n",
        );
        assert_eq!(
            r,
            vec![
                ("/".into(), Method::Get, true, false, "gorilla/mux"),
                ("/cart".into(), Method::Other, true, false, "gorilla/mux"),
                ("/_healthz".into(), Method::Any, true, false, "gorilla/mux"),
                ("/api/v1".into(), Method::Any, false, false, "gorilla/mux"),
                ("/static/".into(), Method::Any, false, true, "gorilla/mux"),
            ]
        );
    }

    #[test]
    fn chi_gin_echo_fiber_groups() {
        let chi = routes(
            "import \"github.com/go-chi/chi/v5\"\nr.Get(\"/live\", h)\nr.Route(\"/api\", func(r chi.Router) {\n r.Get(\"/users/{id}\", h)\n})\nr.Method(\"GET\", \"/m\", h)\nr.Mount(\"/debug\", middleware.Profiler())\n",
        );
        assert_eq!(
            chi.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            vec!["/live", "/api/users/{id}", "/m", "/debug"]
        );
        assert!(chi[3].3, "Mount is a subtree");
        let gin = routes(
            "import \"github.com/gin-gonic/gin\"\nr := gin.Default()\nv1 := r.Group(\"/v1\")\n{\n v1.GET(\"/ping\", h)\n}\nr.POST(\"/login\", h)\nr.Handle(\"GET\", \"/h\", h)\n",
        );
        assert_eq!(
            gin,
            vec![
                ("/v1/ping".into(), Method::Get, false, false, "gin"),
                ("/login".into(), Method::Other, false, false, "gin"),
                ("/h".into(), Method::Get, false, false, "gin"),
            ]
        );
        let fiber = routes(
            "import \"github.com/gofiber/fiber/v2\"\napi := app.Group(\"/api\")\napi.Get(\"/health\", h)\n",
        );
        assert_eq!(fiber[0].0, "/api/health");
        assert_eq!(fiber[0].4, "fiber");
    }
}
