//! JavaScript/TypeScript routes: Express (`app.get`, `router.get`, `app.route('/p').get`,
//! `app.use('/prefix', router)` with routers required from other files), Fastify and hapi
//! (`get`, `route({ url | path })`, `register(plugin, { prefix })`), Koa router
//! (`new Router({ prefix })`), Hono, and NestJS (`@Controller('x')` + `@Get('p')`,
//! `setGlobalPrefix`).

use super::lexer::{Tok, Token};
use super::{
    FileScan, Method, Mount, PendingRoute, Route, Scope, Target, args, close_of, join, keyword,
    path_arg, scoped_prefix,
};
use std::collections::HashMap;
use std::ops::Range;

#[derive(Clone, Debug)]
enum Binding {
    App,
    Router {
        prefix: String,
    },
    /// Imported from a relative module (candidate file paths).
    Import(Vec<String>),
}

/// The name NestJS controllers are mounted as (by `setGlobalPrefix`).
const NEST: &str = "<nest global prefix>";

fn method_of(name: &str) -> Option<Method> {
    Some(match name {
        "get" => Method::Get,
        "all" | "use" => Method::Any,
        "post" | "put" | "delete" | "del" | "patch" | "head" | "options" => Method::Other,
        _ => return None,
    })
}

/// Receivers that are routers or apps by their name alone (when not bound in the file).
fn routerish(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "app" | "server" | "fastify" | "instance" | "routes" | "hono"
    ) || lower.contains("router")
}

/// Candidate files of a relative module specifier, from the importing file.
fn module_files(from: &str, spec: &str) -> Vec<String> {
    if !spec.starts_with('.') {
        return Vec::new();
    }
    let dir = from.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in spec.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Vec::new();
                }
            }
            s => parts.push(s),
        }
    }
    let base = parts.join("/");
    let stem = base
        .strip_suffix(".js")
        .or_else(|| base.strip_suffix(".ts"))
        .unwrap_or(&base)
        .to_string();
    let mut out = vec![base.clone()];
    for ext in ["js", "ts", "mjs", "cjs", "jsx", "tsx"] {
        out.push(format!("{stem}.{ext}"));
        out.push(format!("{stem}/index.{ext}"));
    }
    out
}

pub(super) fn scan(tokens: &[Token], path: &str) -> FileScan {
    let mut out = FileScan::default();
    let mut bindings: HashMap<String, Binding> = HashMap::new();
    let mut scopes: Vec<Scope> = Vec::new();
    let mut pending_decorators: Vec<(String, Option<(String, bool)>)> = Vec::new();
    // Bindings: `const app = express()`, `const router = express.Router()`,
    // `const health = require('./health')`, `import health from './health'`.
    for i in 0..tokens.len() {
        let Some(t) = tokens.get(i) else { break };
        if t.is_ident("import") {
            // import a from './x'; import { a, b as c } from './x'
            let Some(from) = (i..tokens.len().min(i + 64)).find(|&k| tokens[k].is_ident("from"))
            else {
                continue;
            };
            let Some(spec) = tokens.get(from + 1).filter(|s| s.kind == Tok::Str) else {
                continue;
            };
            let files = module_files(path, &spec.text);
            if files.is_empty() {
                continue;
            }
            for k in i + 1..from {
                let n = &tokens[k];
                let next = tokens.get(k + 1);
                if n.kind == Tok::Ident
                    && !n.is_ident("as")
                    && !n.is_ident("type")
                    && !next.is_some_and(|x| x.is_ident("as"))
                {
                    bindings.insert(n.text.clone(), Binding::Import(files.clone()));
                }
            }
            continue;
        }
        let (Some(eq), true) = (tokens.get(i + 1), t.kind == Tok::Ident) else {
            continue;
        };
        if !eq.is_punct("=") || tokens.get(i + 2).is_some_and(|n| n.is_punct("=")) {
            continue;
        }
        let mut j = i + 2;
        if tokens
            .get(j)
            .is_some_and(|n| n.is_ident("new") || n.is_ident("await"))
        {
            j += 1;
        }
        while tokens.get(j + 1).is_some_and(|n| n.is_punct(".")) {
            j += 2;
        }
        let (Some(ctor), Some(open)) = (tokens.get(j), tokens.get(j + 1)) else {
            continue;
        };
        if !open.is_punct("(") {
            continue;
        }
        let a = args(tokens, j + 1);
        let binding = match ctor.text.as_str() {
            "express" | "fastify" | "Fastify" | "Koa" | "Hono" | "createServer" | "server"
            | "Server" | "polka" | "restify" => Some(Binding::App),
            "Router" => {
                let prefix = a
                    .first()
                    .and_then(|r| keyword(tokens, &object_props(tokens, r.clone()), "prefix"))
                    .and_then(|r| path_arg(tokens, r))
                    .map(|(p, _)| p)
                    .unwrap_or_default();
                Some(Binding::Router { prefix })
            }
            "require" => a
                .first()
                .and_then(|r| path_arg(tokens, r.clone()))
                .map(|(spec, _)| module_files(path, &spec))
                .filter(|f| !f.is_empty())
                .map(Binding::Import),
            _ => None,
        };
        if let Some(b) = binding {
            bindings.insert(t.text.clone(), b);
        }
    }
    let file_has_app = bindings.values().any(|b| matches!(b, Binding::App));
    let mut skip_until = 0;
    for i in 0..tokens.len() {
        let Some(t) = tokens.get(i) else { break };
        if i < skip_until {
            continue;
        }
        // NestJS decorators.
        if t.is_punct("@")
            && let (Some(name), Some(open)) = (tokens.get(i + 1), tokens.get(i + 2))
            && name.kind == Tok::Ident
            && open.is_punct("(")
        {
            let a = args(tokens, i + 2);
            let arg = a.first().and_then(|r| {
                path_arg(tokens, r.clone()).or_else(|| {
                    keyword(tokens, &object_props(tokens, r.clone()), "path")
                        .and_then(|p| path_arg(tokens, p))
                })
            });
            pending_decorators.push((name.text.clone(), arg));
            skip_until = close_of(tokens, i + 2).unwrap_or(i + 2) + 1;
            continue;
        }
        if t.is_ident("class") {
            if let Some((_, arg)) = pending_decorators.iter().find(|(n, _)| n == "Controller")
                && let Some(open) = (i..tokens.len()).find(|&k| tokens[k].is_punct("{"))
                && let Some(close) = close_of(tokens, open)
            {
                let (prefix, dynamic) = arg.clone().unwrap_or_default();
                scopes.push(Scope {
                    range: open..close,
                    prefix,
                    dynamic,
                });
            }
            pending_decorators.clear();
            continue;
        }
        if t.kind == Tok::Ident
            && tokens.get(i + 1).is_some_and(|n| n.is_punct("("))
            && !pending_decorators.is_empty()
        {
            // A method after its decorators.
            let (prefix, scope_dynamic) = scoped_prefix(&scopes, i);
            for (name, arg) in std::mem::take(&mut pending_decorators) {
                let method = match name.as_str() {
                    "Get" => Method::Get,
                    "All" => Method::Any,
                    "Post" | "Put" | "Delete" | "Patch" | "Head" | "Options" => Method::Other,
                    _ => continue,
                };
                if !scopes.iter().any(|s| s.range.contains(&i)) {
                    continue;
                }
                let (p, dynamic) = arg.unwrap_or_default();
                let route = Route::new(&join(&prefix, &p), t.line, "NestJS")
                    .method(method)
                    .dynamic(dynamic || scope_dynamic);
                out.routes.push(PendingRoute::mounted(route, NEST, true));
            }
            continue;
        }
        if !t.is_punct(".") {
            continue;
        }
        let (Some(name), Some(open)) = (tokens.get(i + 1), tokens.get(i + 2)) else {
            continue;
        };
        if name.kind != Tok::Ident || !open.is_punct("(") {
            continue;
        }
        let Some(recv) = super::receiver(tokens, i) else {
            continue;
        };
        let binding = bindings.get(recv).cloned();
        let known = matches!(binding, Some(Binding::App | Binding::Router { .. }));
        if !known && !routerish(recv) {
            continue;
        }
        let a = args(tokens, i + 2);
        let line = name.line;
        let mounted_as = match &binding {
            Some(Binding::App) => None,
            Some(Binding::Router { .. }) => Some(recv.to_string()),
            _ if file_has_app && !recv.to_ascii_lowercase().contains("router") => None,
            _ => Some(recv.to_string()),
        };
        let own_prefix = match &binding {
            Some(Binding::Router { prefix }) => prefix.clone(),
            _ => String::new(),
        };
        let framework = framework_of(tokens);
        let push = |out: &mut FileScan, p: &str, dynamic: bool, method: Method, subtree: bool| {
            let mut route = Route::new(&join(&own_prefix, p), line, framework)
                .method(method)
                .dynamic(dynamic);
            route.subtree = subtree;
            out.routes.push(match &mounted_as {
                Some(n) => PendingRoute::mounted(route, n, false),
                None => PendingRoute::at_root(route),
            });
        };
        match name.text.as_str() {
            "setGlobalPrefix" => {
                if let Some((p, dynamic)) = a.first().and_then(|r| path_arg(tokens, r.clone())) {
                    out.mounts.push(Mount {
                        line,
                        prefix: p,
                        target: Target::Name(NEST.into()),
                        dynamic,
                    });
                }
            }
            "use" | "register" => {
                // use('/p', router) / use(router) / register(plugin, { prefix: '/p' })
                let (prefix, dynamic, target_arg) =
                    match a.first().and_then(|r| path_arg(tokens, r.clone())) {
                        Some((p, d)) if name.text == "use" => (p, d, a.get(1).cloned()),
                        _ => {
                            let prefix = a
                                .get(1)
                                .and_then(|r| {
                                    keyword(tokens, &object_props(tokens, r.clone()), "prefix")
                                })
                                .and_then(|r| path_arg(tokens, r));
                            let (p, d) = prefix.unwrap_or_default();
                            (p, d, a.first().cloned())
                        }
                    };
                let target = target_arg.and_then(|r| mount_target(tokens, r, &bindings, path));
                match target {
                    Some(target) => out.mounts.push(Mount {
                        line,
                        prefix,
                        target,
                        dynamic,
                    }),
                    None if name.text == "use" && (prefix.starts_with('/') || dynamic) => {
                        // Middleware on a path answers the whole subtree.
                        push(&mut out, &prefix, dynamic, Method::Any, true);
                    }
                    None => {}
                }
            }
            "route" => {
                if let Some((p, dynamic)) = a.first().and_then(|r| path_arg(tokens, r.clone())) {
                    // Express `app.route('/p').get(h).post(h)`.
                    let close = close_of(tokens, i + 2).unwrap_or(i + 2);
                    let chain: Vec<&str> = (close + 1..tokens.len().min(close + 400))
                        .map_while(|k| tokens.get(k))
                        .filter(|t| t.kind == Tok::Ident)
                        .map(|t| t.text.as_str())
                        .take(20)
                        .collect();
                    let method = if chain.contains(&"get") || chain.contains(&"all") {
                        Method::Get
                    } else {
                        Method::Other
                    };
                    push(&mut out, &p, dynamic, method, false);
                } else if let Some(r) = a.first() {
                    // Fastify/hapi `route({ method: 'GET', url: '/p' })` (or a list of them).
                    for (p, dynamic, method, l) in route_objects(tokens, r.clone()) {
                        let mut route = Route::new(&join(&own_prefix, &p), l, framework)
                            .method(method)
                            .dynamic(dynamic);
                        route.subtree = false;
                        out.routes.push(match &mounted_as {
                            Some(n) => PendingRoute::mounted(route, n, false),
                            None => PendingRoute::at_root(route),
                        });
                    }
                }
            }
            other => {
                let Some(method) = method_of(other) else {
                    continue;
                };
                let Some((p, dynamic)) = a.first().and_then(|r| path_arg(tokens, r.clone())) else {
                    if known && a.len() >= 2 && super::is_name_expr(tokens, a.first()) {
                        out.opaque.push(line);
                    }
                    continue;
                };
                if !(p.starts_with('/') || p == "*" || dynamic) || a.len() < 2 {
                    continue;
                }
                push(&mut out, &p, dynamic, method, false);
            }
        }
    }
    out
}

fn framework_of(tokens: &[Token]) -> &'static str {
    let has = |s: &str| tokens.iter().any(|t| t.kind == Tok::Str && t.text == s);
    if has("fastify") {
        "Fastify"
    } else if has("@hapi/hapi") {
        "hapi"
    } else if has("koa-router") || has("@koa/router") {
        "Koa router"
    } else if has("hono") {
        "Hono"
    } else {
        "Express"
    }
}

/// What `use(..., X)` / `register(X, ...)` mounts: a router variable, an imported module, or
/// an inline `require('./x')`.
fn mount_target(
    tokens: &[Token],
    r: Range<usize>,
    bindings: &HashMap<String, Binding>,
    path: &str,
) -> Option<Target> {
    let slice = tokens.get(r)?;
    match slice {
        [t] if t.kind == Tok::Ident => match bindings.get(&t.text) {
            Some(Binding::Import(files)) => Some(Target::Files(files.clone())),
            Some(Binding::Router { .. }) => Some(Target::Local(t.text.clone())),
            _ => None,
        },
        // koa `router.routes()`
        [t, dot, m, open, close]
            if t.kind == Tok::Ident
                && dot.is_punct(".")
                && m.is_ident("routes")
                && open.is_punct("(")
                && close.is_punct(")") =>
        {
            Some(Target::Local(t.text.clone()))
        }
        [req, open, spec, close]
            if req.is_ident("require") && open.is_punct("(") && close.is_punct(")") =>
        {
            let files = module_files(path, &spec.text);
            (!files.is_empty()).then_some(Target::Files(files))
        }
        _ => None,
    }
}

/// The `key: value` properties of an object literal argument, as argument-like ranges.
fn object_props(tokens: &[Token], r: Range<usize>) -> Vec<Range<usize>> {
    if !tokens.get(r.start).is_some_and(|t| t.is_punct("{")) {
        return Vec::new();
    }
    // Reuse the argument splitter: `{` works like `(` for it.
    let mut out = Vec::new();
    let Some(close) = close_of(tokens, r.start) else {
        return out;
    };
    let mut depth = 0i32;
    let mut start = r.start + 1;
    for (k, t) in tokens.iter().enumerate().take(close).skip(r.start + 1) {
        if t.kind == Tok::Punct {
            match t.text.as_str() {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth -= 1,
                "," if depth == 0 => {
                    out.push(start..k);
                    start = k + 1;
                }
                _ => {}
            }
        }
    }
    if start < close {
        out.push(start..close);
    }
    out
}

/// Route objects (`{ method: 'GET', url: '/p' }`, hapi's `path:`) in an argument.
fn route_objects(tokens: &[Token], r: Range<usize>) -> Vec<(String, bool, Method, u32)> {
    let mut out = Vec::new();
    for k in r.clone() {
        if !tokens[k].is_punct("{") {
            continue;
        }
        let Some(close) = close_of(tokens, k) else {
            continue;
        };
        if close >= r.end {
            continue;
        }
        let props = object_props(tokens, k..close + 1);
        let Some(p) = keyword(tokens, &props, "url")
            .or_else(|| keyword(tokens, &props, "path"))
            .and_then(|v| path_arg(tokens, v))
        else {
            continue;
        };
        let line = keyword(tokens, &props, "url")
            .or_else(|| keyword(tokens, &props, "path"))
            .and_then(|v| tokens.get(v.start))
            .map(|t| t.line)
            .unwrap_or(tokens[k].line);
        let methods: Vec<String> = keyword(tokens, &props, "method")
            .map(|v| {
                tokens
                    .get(v)
                    .unwrap_or(&[])
                    .iter()
                    .filter(|t| t.kind == Tok::Str)
                    .map(|t| t.text.to_ascii_uppercase())
                    .collect()
            })
            .unwrap_or_default();
        let method = if methods.is_empty() || methods.iter().any(|m| m == "*") {
            Method::Any
        } else if methods.iter().any(|m| m == "GET") {
            Method::Get
        } else {
            Method::Other
        };
        out.push((p.0, p.1, method, line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;
    use golive_core::workspace::Lang;

    fn scan_js(src: &str, path: &str) -> FileScan {
        scan(&tokenize(src, Lang::JavaScript), path)
    }

    use super::super::route_paths as paths;

    #[test]
    fn express_apps_routers_and_mounts() {
        let s = scan_js(
            "const express = require('express');\nconst health = require('./routes/health');\nconst app = express();\nconst api = express.Router();\napp.get('/healthz', (req, res) => res.send('ok'));\napi.post('/orders', h);\napp.use('/api', api);\napp.use('/ops', health);\napp.use(express.static('public'));\napp.route('/book').get(h).post(h);\naxios.get('/healthz');\n",
            "src/server.js",
        );
        assert_eq!(
            paths(&s),
            vec![
                ("/healthz".into(), Method::Get, None),
                ("/orders".into(), Method::Other, Some("api".into())),
                ("/book".into(), Method::Get, None),
            ]
        );
        assert_eq!(s.mounts.len(), 2);
        assert!(
            matches!(&s.mounts[1].target, Target::Files(f) if f.contains(&"src/routes/health.js".to_string()))
        );
    }

    #[test]
    fn fastify_route_objects_and_koa_prefixes() {
        let s = scan_js(
            "import Fastify from 'fastify'\nconst fastify = Fastify()\nfastify.route({ method: 'GET', url: '/live', handler })\nfastify.get(`/ready`, async () => 'ok')\n",
            "index.js",
        );
        assert_eq!(
            paths(&s),
            vec![
                ("/live".into(), Method::Get, None),
                ("/ready".into(), Method::Get, None),
            ]
        );
        let k = scan_js(
            "const Router = require('@koa/router');\nconst router = new Router({ prefix: '/api' });\nrouter.get('/health', ctx => {});\napp.use(router.routes());\n",
            "app.js",
        );
        assert_eq!(k.routes[0].route.path, "/api/health");
        assert_eq!(k.mounts.len(), 1);
    }

    #[test]
    fn nest_controllers() {
        let s = scan(
            &tokenize(
                "@Controller('health')\nexport class HealthController {\n  @Get()\n  check() {}\n  @Get('live')\n  live() {}\n  @Post('x')\n  x() {}\n}\n",
                Lang::TypeScript,
            ),
            "src/health.controller.ts",
        );
        assert_eq!(
            s.routes
                .iter()
                .map(|r| (r.route.path.as_str(), r.route.method))
                .collect::<Vec<_>>(),
            vec![
                ("/health", Method::Get),
                ("/health/live", Method::Get),
                ("/health/x", Method::Other)
            ]
        );
    }
}
