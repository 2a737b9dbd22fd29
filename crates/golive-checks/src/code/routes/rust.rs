//! Rust routes: axum (`.route("/p", get(h))`, `.nest("/x", router)`, `.nest_service`),
//! actix-web (`#[get("/p")]`, `web::resource`, `.route("/p", web::get())`, `web::scope`,
//! `.service(handler)`), rocket (`#[get("/p")]` + `.mount("/x", routes![..])`) and warp
//! (`path!("a" / "b")`, `warp::path("x")`).

use super::lexer::{Tok, Token};
use super::{
    FileScan, Method, Mount, PendingRoute, Route, Scope, Target, args, close_of, join, path_arg,
    scoped_prefix,
};
use std::ops::Range;

/// The method a method router expression serves (`get(h)`, `get(h).post(h)`, `web::post()`).
fn method_in(tokens: &[Token], r: Range<usize>) -> Method {
    let idents: Vec<&str> = tokens
        .get(r)
        .unwrap_or(&[])
        .iter()
        .filter(|t| t.kind == Tok::Ident)
        .map(|t| t.text.as_str())
        .collect();
    if idents.iter().any(|i| *i == "get" || *i == "get_service") {
        Method::Get
    } else if idents
        .iter()
        .any(|i| *i == "any" || *i == "any_service" || *i == "on")
    {
        Method::Any
    } else if idents
        .iter()
        .any(|i| matches!(*i, "post" | "put" | "delete" | "patch" | "head" | "options"))
    {
        Method::Other
    } else {
        Method::Any
    }
}

/// Named item ranges: `fn name(..) { body }` and `let name = ...;` (routes inside belong to the
/// router that name returns or holds).
fn named_ranges(tokens: &[Token]) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        let t = &tokens[i];
        if t.is_ident("fn") {
            let Some(name) = tokens.get(i + 1).filter(|n| n.kind == Tok::Ident) else {
                continue;
            };
            let mut depth = 0i32;
            let mut body = None;
            for (k, u) in tokens.iter().enumerate().skip(i + 2) {
                if u.is_punct("(") || u.is_punct("<") {
                    depth += 1;
                } else if u.is_punct(")") || u.is_punct(">") {
                    depth -= 1;
                } else if u.is_punct(";") && depth <= 0 {
                    break;
                } else if u.is_punct("{") && depth <= 0 {
                    body = Some(k);
                    break;
                }
            }
            if let Some(open) = body
                && let Some(close) = close_of(tokens, open)
            {
                out.push((open..close, name.text.clone()));
            }
        } else if t.is_ident("let") {
            let mut k = i + 1;
            if tokens.get(k).is_some_and(|n| n.is_ident("mut")) {
                k += 1;
            }
            let Some(name) = tokens.get(k).filter(|n| n.kind == Tok::Ident) else {
                continue;
            };
            let mut depth = 0i32;
            for (e, u) in tokens.iter().enumerate().skip(k + 1) {
                match u.text.as_str() {
                    "(" | "[" | "{" if u.kind == Tok::Punct => depth += 1,
                    ")" | "]" | "}" if u.kind == Tok::Punct => depth -= 1,
                    ";" if u.kind == Tok::Punct && depth <= 0 => {
                        out.push((k..e, name.text.clone()));
                        break;
                    }
                    _ => {}
                }
                if depth < 0 {
                    break;
                }
            }
        }
    }
    out
}

/// The innermost named range around token `i`.
fn owner(named: &[(Range<usize>, String)], i: usize) -> Option<&str> {
    named
        .iter()
        .filter(|(r, _)| r.contains(&i))
        .min_by_key(|(r, _)| r.end - r.start)
        .map(|(_, n)| n.as_str())
}

/// The range an actix `web::scope("/x")` at token `i` applies to: the rest of the enclosing
/// argument, or of the statement.
fn scope_extent(tokens: &[Token], i: usize) -> Range<usize> {
    let mut depth = 0i32;
    for (k, u) in tokens.iter().enumerate().skip(i) {
        if u.kind != Tok::Punct {
            continue;
        }
        match u.text.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth -= 1;
                if depth < 0 {
                    return i..k;
                }
            }
            "," | ";" if depth == 0 => return i..k,
            _ => {}
        }
    }
    i..tokens.len()
}

pub(super) fn scan(tokens: &[Token]) -> FileScan {
    let mut out = FileScan::default();
    let named = named_ranges(tokens);
    let mut scopes: Vec<Scope> = Vec::new();
    let warp = tokens.iter().any(|t| t.is_ident("warp"));
    let rocket = tokens.iter().any(|t| t.is_ident("rocket"));
    // Scopes first (actix `web::scope`), so routes inside get their prefix.
    for i in 0..tokens.len() {
        if tokens[i].is_ident("scope")
            && i >= 2
            && tokens[i - 1].is_punct(":")
            && tokens.get(i + 1).is_some_and(|t| t.is_punct("("))
            && let Some((p, dynamic)) = args(tokens, i + 1)
                .first()
                .and_then(|r| path_arg(tokens, r.clone()))
        {
            scopes.push(Scope {
                range: scope_extent(tokens, i),
                prefix: p,
                dynamic,
            });
        }
    }
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        // Attribute routes: `#[get("/p")]`, `#[route("/p", method = "GET")]`.
        if t.is_punct("#")
            && tokens.get(i + 1).is_some_and(|n| n.is_punct("["))
            && let Some(name) = tokens.get(i + 2).filter(|n| n.kind == Tok::Ident)
            && tokens.get(i + 3).is_some_and(|n| n.is_punct("("))
        {
            let method = match name.text.as_str() {
                "get" => Some(Method::Get),
                "post" | "put" | "delete" | "patch" | "head" | "options" => Some(Method::Other),
                "route" => Some(Method::Any),
                _ => None,
            };
            let a = args(tokens, i + 3);
            let end = close_of(tokens, i + 1).unwrap_or(i + 1);
            if let Some(method) = method
                && let Some((p, dynamic)) = a.first().and_then(|r| path_arg(tokens, r.clone()))
            {
                let p = p.split('?').next().unwrap_or(&p).to_string();
                // The handler function the attribute is on.
                let handler = (end..tokens.len().min(end + 200))
                    .find(|&k| tokens[k].is_ident("fn"))
                    .and_then(|k| tokens.get(k + 1))
                    .map(|n| n.text.clone());
                let framework = if rocket { "rocket" } else { "actix-web" };
                let route = Route::new(&p, name.line, framework)
                    .method(method)
                    .dynamic(dynamic);
                out.routes.push(match handler {
                    Some(h) => PendingRoute::mounted(route, &h, true),
                    None => PendingRoute::at_root(route),
                });
            }
            i = end + 1;
            continue;
        }
        // warp `path!("a" / "b" / u32 / ..)`.
        if warp
            && t.is_ident("path")
            && tokens.get(i + 1).is_some_and(|n| n.is_punct("!"))
            && tokens.get(i + 2).is_some_and(|n| n.is_punct("("))
        {
            let close = close_of(tokens, i + 2).unwrap_or(i + 2);
            let mut segs = Vec::new();
            let mut subtree = false;
            for u in tokens.iter().take(close).skip(i + 3) {
                match u.kind {
                    Tok::Str => segs.push(u.text.clone()),
                    Tok::Ident => segs.push("{param}".to_string()),
                    Tok::Punct if u.text == "." => subtree = true,
                    _ => {}
                }
            }
            let mut r = Route::new(&format!("/{}", segs.join("/")), t.line, "warp");
            r.subtree = subtree;
            out.routes.push(PendingRoute::at_root(r));
            i = close + 1;
            continue;
        }
        let is_method_call = t.is_punct(".") || t.is_punct(":");
        let (Some(name), Some(open)) = (tokens.get(i + 1), tokens.get(i + 2)) else {
            break;
        };
        if !is_method_call || name.kind != Tok::Ident || !open.is_punct("(") {
            i += 1;
            continue;
        }
        let a = args(tokens, i + 2);
        let first = a.first().and_then(|r| path_arg(tokens, r.clone()));
        let (scope_prefix, scope_dynamic) = scoped_prefix(&scopes, i);
        let mount_name = owner(&named, i).map(str::to_string);
        let push = |out: &mut FileScan,
                    p: &str,
                    dynamic: bool,
                    method: Method,
                    subtree: bool,
                    framework: &'static str| {
            let mut r = Route::new(&join(&scope_prefix, p), name.line, framework)
                .method(method)
                .dynamic(dynamic || scope_dynamic);
            r.subtree = subtree;
            out.routes.push(match &mount_name {
                Some(n) => PendingRoute::mounted(r, n, true),
                None => PendingRoute::at_root(r),
            });
        };
        if first.is_none()
            && matches!(name.text.as_str(), "route" | "nest" | "resource")
            && a.len() <= 2
            && super::is_name_expr(tokens, a.first())
            && (a.len() == 2 || name.text == "resource")
        {
            out.opaque.push(name.line);
        }
        match (name.text.as_str(), first) {
            ("route", Some((p, dynamic))) if p.starts_with('/') || dynamic => {
                let method = a
                    .get(1)
                    .map(|r| method_in(tokens, r.clone()))
                    .unwrap_or(Method::Any);
                let framework = if t.is_punct(":") || tokens.iter().any(|t| t.is_ident("actix_web"))
                {
                    "actix-web"
                } else {
                    "axum"
                };
                push(&mut out, &p, dynamic, method, false, framework);
            }
            ("route_service", Some((p, dynamic))) => {
                push(&mut out, &p, dynamic, Method::Any, false, "axum");
            }
            ("nest_service" | "fallback_service", Some((p, dynamic))) => {
                push(&mut out, &p, dynamic, Method::Any, true, "axum");
            }
            ("resource", Some((p, dynamic))) if t.is_punct(":") => {
                // actix `web::resource("/p").route(web::get().to(h))`
                let close = close_of(tokens, i + 2).unwrap_or(i + 2);
                let extent = scope_extent(tokens, close + 1);
                let method = method_in(tokens, extent);
                push(&mut out, &p, dynamic, method, false, "actix-web");
            }
            ("path", Some((p, dynamic))) if warp && t.is_punct(":") => {
                push(&mut out, &p, dynamic, Method::Any, true, "warp");
            }
            ("nest", Some((p, dynamic))) => {
                let Some(target) = a.get(1) else {
                    i += 1;
                    continue;
                };
                let slice = tokens.get(target.clone()).unwrap_or(&[]);
                let full = join(&scope_prefix, &p);
                match slice {
                    // `.nest("/api", api)` / `.nest("/api", api())` / `.nest("/api", routes::api())`
                    [.., n] if n.kind == Tok::Ident => out.mounts.push(Mount {
                        line: name.line,
                        prefix: full,
                        target: Target::Name(n.text.clone()),
                        dynamic,
                    }),
                    [.., n, o, c] if n.kind == Tok::Ident && o.is_punct("(") && c.is_punct(")") => {
                        out.mounts.push(Mount {
                            line: name.line,
                            prefix: full,
                            target: Target::Name(n.text.clone()),
                            dynamic,
                        })
                    }
                    // An inline router: its routes get the prefix.
                    _ => scopes.push(Scope {
                        range: target.clone(),
                        prefix: p,
                        dynamic,
                    }),
                }
            }
            ("mount", Some((p, dynamic))) => {
                // rocket `.mount("/x", routes![a, b])`
                if let Some(r) = a.get(1) {
                    for k in r.clone() {
                        let u = &tokens[k];
                        if u.kind == Tok::Ident && !u.is_ident("routes") {
                            out.mounts.push(Mount {
                                line: name.line,
                                prefix: p.clone(),
                                target: Target::Name(u.text.clone()),
                                dynamic,
                            });
                        }
                    }
                }
            }
            ("service", _) => {
                // actix `.service(handler)` inside a scope mounts the handler there.
                if let Some(r) = a.first()
                    && let [n] = tokens.get(r.clone()).unwrap_or(&[])
                    && n.kind == Tok::Ident
                {
                    out.mounts.push(Mount {
                        line: name.line,
                        prefix: scope_prefix.clone(),
                        target: Target::Name(n.text.clone()),
                        dynamic: scope_dynamic,
                    });
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;
    use golive_core::workspace::Lang;

    fn scan_rs(src: &str) -> FileScan {
        scan(&tokenize(src, Lang::Rust))
    }

    use super::super::route_paths as paths;

    #[test]
    fn axum_routes_and_nesting() {
        let s = scan_rs(
            "use axum::{routing::{get, post}, Router};\nfn app() -> Router {\n    Router::new()\n        .route(\"/healthz\", get(health))\n        .route(\"/orders\", post(create))\n        .nest(\"/api\", api())\n        .nest(\"/v2\", Router::new().route(\"/x\", get(x)))\n}\nfn api() -> Router {\n    Router::new().route(\"/users/{id}\", get(user))\n}\n",
        );
        assert_eq!(
            paths(&s),
            vec![
                ("/healthz".into(), Method::Get, Some("app".into())),
                ("/orders".into(), Method::Other, Some("app".into())),
                ("/v2/x".into(), Method::Get, Some("app".into())),
                ("/users/{id}".into(), Method::Get, Some("api".into())),
            ]
        );
        assert_eq!(s.mounts.len(), 1);
        assert_eq!(s.mounts[0].prefix, "/api");
    }

    #[test]
    fn actix_and_rocket_attributes() {
        let s = scan_rs(
            "use actix_web::{get, web, App};\n#[get(\"/live\")]\nasync fn live() -> &'static str { \"ok\" }\nfn main() {\n    App::new()\n        .service(web::scope(\"/api\").service(live))\n        .service(web::resource(\"/ready\").route(web::get().to(ready)))\n        .route(\"/x\", web::post().to(x));\n}\n",
        );
        assert_eq!(
            paths(&s),
            vec![
                ("/live".into(), Method::Get, Some("live".into())),
                ("/ready".into(), Method::Get, Some("main".into())),
                ("/x".into(), Method::Other, Some("main".into())),
            ]
        );
        let m: Vec<_> = s.mounts.iter().map(|m| m.prefix.as_str()).collect();
        assert!(m.contains(&"/api"), "{m:?}");
        let r = scan_rs(
            "#[macro_use] extern crate rocket;\n#[get(\"/hello/<name>?<q>\")]\nfn hello(name: &str) {}\n#[launch]\nfn rocket() -> _ { rocket::build().mount(\"/base\", routes![hello]) }\n",
        );
        assert_eq!(r.routes[0].route.path, "/hello/<name>");
        assert_eq!(r.mounts[0].prefix, "/base");
    }

    #[test]
    fn warp_paths() {
        let s = scan_rs(
            "use warp::Filter;\nlet health = warp::path!(\"health\" / \"live\").map(|| \"ok\");\nlet user = warp::path!(\"users\" / u32);\n",
        );
        assert_eq!(
            s.routes
                .iter()
                .map(|r| r.route.path.as_str())
                .collect::<Vec<_>>(),
            vec!["/health/live", "/users/{param}"]
        );
    }
}
