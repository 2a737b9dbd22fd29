//! Java and Kotlin routes: Spring MVC/WebFlux annotations (`@GetMapping`, `@RequestMapping`
//! with a class-level prefix, functional `GET("/p")`), JAX-RS (`@Path` + `@GET`), Micronaut
//! (`@Controller("/x")` + `@Get`), Ktor (`get("/p") { }`, `route("/x") { }`), Javalin and
//! Vert.x (`app.get("/p", ...)`); and the endpoints frameworks serve by themselves (Spring Boot
//! Actuator, Quarkus SmallRye Health) when their dependency is declared.

use super::lexer::{Tok, Token};
use super::{FileScan, Method, PendingRoute, Route, Scope, args, close_of, join, scoped_prefix};
use golive_core::Workspace;
use golive_core::workspace::Lang;
use std::ops::Range;

struct Annotation {
    name: String,
    args: Vec<Range<usize>>,
    line: u32,
}

/// String values of an annotation argument (`"/a"`, `{"/a", "/b"}`, `["/a"]`, `arrayOf("/a")`).
fn strings(tokens: &[Token], r: Range<usize>) -> Vec<(String, bool)> {
    tokens
        .get(r)
        .unwrap_or(&[])
        .iter()
        .filter(|t| t.kind == Tok::Str)
        .map(|t| (t.text.clone(), t.dynamic))
        .collect()
}

impl Annotation {
    /// The paths it names: its positional value, `value =` or `path =`. None: no path given.
    fn paths(&self, tokens: &[Token]) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        for a in &self.args {
            let named = tokens.get(a.start + 1).is_some_and(|t| t.is_punct("="))
                && tokens.get(a.start).is_some_and(|t| t.kind == Tok::Ident);
            if named {
                let key = tokens.get(a.start).map(|t| t.text.as_str()).unwrap_or("");
                if key == "value" || key == "path" || key == "uri" || key == "uris" {
                    out.extend(strings(tokens, a.start + 2..a.end));
                }
            } else {
                out.extend(strings(tokens, a.clone()));
            }
        }
        out
    }

    /// `method = RequestMethod.GET` (or a list): Some(Get/Other) when given.
    fn request_method(&self, tokens: &[Token]) -> Option<Method> {
        let a = self.args.iter().find(|a| {
            tokens.get(a.start).is_some_and(|t| t.is_ident("method"))
                && tokens.get(a.start + 1).is_some_and(|t| t.is_punct("="))
        })?;
        let words: Vec<&Token> = tokens
            .get(a.start + 2..a.end)
            .unwrap_or(&[])
            .iter()
            .filter(|t| t.kind == Tok::Ident)
            .collect();
        Some(if words.iter().any(|t| t.text == "GET") {
            Method::Get
        } else {
            Method::Other
        })
    }
}

fn mapping_method(name: &str) -> Option<Method> {
    Some(match name {
        "GetMapping" | "Get" => Method::Get,
        "PostMapping" | "PutMapping" | "DeleteMapping" | "PatchMapping" | "Post" | "Put"
        | "Delete" | "Patch" => Method::Other,
        "RequestMapping" | "Path" => Method::Any,
        _ => return None,
    })
}

pub(super) fn scan(tokens: &[Token], lang: Lang) -> FileScan {
    let mut out = FileScan::default();
    let micronaut = tokens
        .iter()
        .any(|t| t.is_ident("micronaut") || (t.kind == Tok::Str && t.text.contains("micronaut")));
    let spring = tokens.iter().any(|t| t.is_ident("springframework"));
    let jaxrs = tokens
        .iter()
        .any(|t| t.is_ident("ws") && tokens.iter().any(|u| u.is_ident("rs")));
    let mut scopes: Vec<Scope> = Vec::new();
    // Declarative HTTP clients (`@FeignClient`, `@HttpExchange`, `@RegisterRestClient`): their
    // mapping annotations describe calls to other services, not routes.
    let mut clients: Vec<Range<usize>> = Vec::new();
    let mut pending: Vec<Annotation> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t.is_punct("@") {
            // `@a.b.Name(args)` or `@Name`.
            let mut j = i + 1;
            while tokens.get(j + 1).is_some_and(|n| n.is_punct("."))
                && tokens.get(j + 2).is_some_and(|n| n.kind == Tok::Ident)
            {
                j += 2;
            }
            let Some(name) = tokens.get(j).filter(|n| n.kind == Tok::Ident) else {
                i += 1;
                continue;
            };
            let (a, next) = if tokens.get(j + 1).is_some_and(|n| n.is_punct("(")) {
                (
                    args(tokens, j + 1),
                    close_of(tokens, j + 1).unwrap_or(j + 1) + 1,
                )
            } else {
                (Vec::new(), j + 1)
            };
            pending.push(Annotation {
                name: name.text.clone(),
                args: a,
                line: t.line,
            });
            i = next;
            continue;
        }
        if t.is_ident("class")
            || t.is_ident("interface")
            || (t.is_ident("object") && lang == Lang::Kotlin)
        {
            if pending.iter().any(|a| {
                matches!(
                    a.name.as_str(),
                    "FeignClient" | "HttpExchange" | "RegisterRestClient"
                )
            }) && let Some(open) = body_open(tokens, i)
                && let Some(close) = close_of(tokens, open)
            {
                clients.push(open..close);
                pending.clear();
                i += 1;
                continue;
            }
            let prefix_annotation = pending.iter().find(|a| {
                a.name == "RequestMapping"
                    || a.name == "Path"
                    || (a.name == "Controller" && micronaut)
            });
            if let Some(a) = prefix_annotation
                && let Some(open) = body_open(tokens, i)
                && let Some(close) = close_of(tokens, open)
            {
                let (prefix, dynamic) = a.paths(tokens).into_iter().next().unwrap_or_default();
                scopes.push(Scope {
                    range: open..close,
                    prefix,
                    dynamic,
                });
            }
            pending.clear();
            i += 1;
            continue;
        }
        let is_call = t.kind == Tok::Ident && tokens.get(i + 1).is_some_and(|n| n.is_punct("("));
        if is_call && clients.iter().any(|r| r.contains(&i)) {
            pending.clear();
        }
        if is_call && !pending.is_empty() {
            // The method the annotations belong to.
            let (prefix, scope_dynamic) = scoped_prefix(&scopes, i);
            let has = |n: &str| pending.iter().any(|a| a.name == n);
            let jaxrs_method = if has("GET") {
                Some(Method::Get)
            } else if ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
                .iter()
                .any(|m| has(m))
            {
                Some(Method::Other)
            } else {
                None
            };
            let mut emitted = false;
            for a in &pending {
                let Some(mut method) = mapping_method(&a.name) else {
                    continue;
                };
                let framework = match a.name.as_str() {
                    "Path" => "JAX-RS",
                    "Get" | "Post" | "Put" | "Delete" | "Patch" if micronaut => "Micronaut",
                    "Get" | "Post" | "Put" | "Delete" | "Patch" => continue,
                    _ => "Spring",
                };
                if a.name == "Path" {
                    method = jaxrs_method.unwrap_or(Method::Any);
                } else if a.name == "RequestMapping" {
                    method = a.request_method(tokens).unwrap_or(Method::Any);
                }
                let mut paths = a.paths(tokens);
                if paths.is_empty() {
                    let named_path = a.args.iter().any(|r| {
                        let key = tokens.get(r.start).map(|t| t.text.as_str());
                        let named = tokens.get(r.start + 1).is_some_and(|t| t.is_punct("="));
                        !named || matches!(key, Some("value" | "path"))
                    });
                    if named_path {
                        // `@GetMapping(Paths.HEALTH)`: a path golive cannot read.
                        out.opaque.push(a.line);
                        continue;
                    }
                    paths.push((String::new(), false));
                }
                for (p, dynamic) in paths {
                    let route = Route::new(&join(&prefix, &p), a.line, framework)
                        .method(method)
                        .dynamic(dynamic || scope_dynamic);
                    out.routes.push(PendingRoute::at_root(route));
                }
                emitted = true;
            }
            // JAX-RS `@GET` on a method without its own `@Path`: the class path.
            if !emitted
                && jaxrs_method.is_some()
                && jaxrs
                && scopes.iter().any(|s| s.range.contains(&i))
            {
                let route = Route::new(&join(&prefix, ""), t.line, "JAX-RS")
                    .method(jaxrs_method.unwrap_or(Method::Any))
                    .dynamic(scope_dynamic);
                out.routes.push(PendingRoute::at_root(route));
            }
            pending.clear();
        }
        if is_call {
            let preceded_by_dot = i > 0 && tokens[i - 1].is_punct(".");
            let a = args(tokens, i + 1);
            let first = a.first().and_then(|r| super::path_arg(tokens, r.clone()));
            let close = close_of(tokens, i + 1).unwrap_or(i + 1);
            let (prefix, scope_dynamic) = scoped_prefix(&scopes, i);
            let name = t.text.as_str();
            if let Some((p, dynamic)) = first.filter(|(p, d)| p.starts_with('/') || *d) {
                let framework_method = match name {
                    // Spring WebFlux functional routes (`route(GET("/p"), h)`, `.GET("/p", h)`).
                    "GET" if spring => Some(("Spring", Method::Get)),
                    "POST" | "PUT" | "DELETE" | "PATCH" if spring => {
                        Some(("Spring", Method::Other))
                    }
                    // Ktor `get("/p") { }` and `route("/x") { }`, not preceded by a receiver.
                    "get" | "post" | "put" | "delete" | "patch" | "route"
                        if !preceded_by_dot
                            && lang == Lang::Kotlin
                            && tokens.get(close + 1).is_some_and(|n| n.is_punct("{")) =>
                    {
                        if name == "route" {
                            if let Some(end) = close_of(tokens, close + 1) {
                                scopes.push(Scope {
                                    range: close + 1..end,
                                    prefix: p.clone(),
                                    dynamic,
                                });
                            }
                            None
                        } else {
                            Some((
                                "Ktor",
                                if name == "get" {
                                    Method::Get
                                } else {
                                    Method::Other
                                },
                            ))
                        }
                    }
                    // Javalin, Vert.x, Spark: `app.get("/p", ...)`, `router.get("/p")`.
                    "get" | "post" | "put" | "delete" | "patch"
                        if preceded_by_dot
                            && super::receiver(tokens, i - 1).is_some_and(|r| {
                                let r = r.to_ascii_lowercase();
                                r == "app" || r.contains("router") || r == "javalin"
                            }) =>
                    {
                        Some((
                            "Javalin/Vert.x",
                            if name == "get" {
                                Method::Get
                            } else {
                                Method::Other
                            },
                        ))
                    }
                    _ => None,
                };
                if let Some((framework, method)) = framework_method {
                    let route = Route::new(&join(&prefix, &p), t.line, framework)
                        .method(method)
                        .dynamic(dynamic || scope_dynamic);
                    out.routes.push(PendingRoute::at_root(route));
                }
            }
        }
        i += 1;
    }
    out
}

/// The `{` opening a class body (after its name, type parameters, constructor, supertypes).
fn body_open(tokens: &[Token], class_at: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (k, t) in tokens.iter().enumerate().skip(class_at + 1) {
        if t.kind != Tok::Punct {
            continue;
        }
        match t.text.as_str() {
            "(" | "<" => depth += 1,
            ")" | ">" => depth -= 1,
            "{" if depth <= 0 => return Some(k),
            ";" if depth <= 0 => return None,
            _ => {}
        }
    }
    None
}

/// Build files that declare dependencies: Maven and Gradle.
fn is_build_file(name: &str) -> bool {
    matches!(name, "pom.xml" | "build.gradle" | "build.gradle.kts")
}

/// The first line of a file containing `needle`.
fn line_containing(text: &str, needle: &str) -> Option<u32> {
    text.lines()
        .position(|l| l.contains(needle))
        .and_then(|n| u32::try_from(n + 1).ok())
}

/// A Spring setting from `application.yml`/`.yaml`/`.properties` under `dir` (the default
/// profile only): its value, file and line.
fn spring_setting(ws: &Workspace, dir: &str, key: &str) -> Option<(String, String, u32)> {
    let under = |p: &str| dir.is_empty() || p.starts_with(&format!("{dir}/"));
    for file in ws.files().iter().filter(|f| under(&f.path)) {
        match file.name() {
            "application.properties" => {
                for (n, line) in file.text.lines().enumerate() {
                    let Some((k, v)) = line.split_once(['=', ':']) else {
                        continue;
                    };
                    if k.trim() == key {
                        return Some((
                            v.trim().to_string(),
                            file.path.clone(),
                            u32::try_from(n + 1).unwrap_or(u32::MAX),
                        ));
                    }
                }
            }
            "application.yml" | "application.yaml" => {
                let parts: Vec<&str> = key.split('.').collect();
                for doc in file.yaml_docs() {
                    let Some(root) = doc.root() else { continue };
                    // Nested keys, or any dotted split of them (`management.endpoints: {web.base-path: x}`).
                    if let Some(v) = lookup_dotted(root, &parts) {
                        return Some((v.as_str()?.to_string(), file.path.clone(), v.line()));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn lookup_dotted<'a>(
    node: golive_core::parse::yaml::Node<'a>,
    parts: &[&str],
) -> Option<golive_core::parse::yaml::Node<'a>> {
    if parts.is_empty() {
        return Some(node);
    }
    for n in 1..=parts.len() {
        let key = parts.get(..n)?.join(".");
        if let Some(child) = node.get(&key)
            && let Some(found) = lookup_dotted(child, parts.get(n..)?)
        {
            return Some(found);
        }
    }
    None
}

/// Endpoints that frameworks serve without a route in the code, for the code under `dir`:
/// Spring Boot Actuator's health endpoints (with `management.endpoints.web.base-path`,
/// `management.endpoints.web.path-mapping.health` and `server.servlet.context-path` applied)
/// and Quarkus SmallRye Health's `/q/health` endpoints. Each route's `rule` says why it exists.
pub(crate) fn framework_endpoints(ws: &Workspace, dir: &str) -> Vec<Route> {
    let mut out = Vec::new();
    // Build files in the directory, or in a parent (a multi-module build's root).
    let in_scope = |path: &str| {
        let file_dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        dir.is_empty()
            || path.starts_with(&format!("{dir}/"))
            || file_dir.is_empty()
            || dir.starts_with(&format!("{file_dir}/"))
    };
    let builds: Vec<_> = ws
        .files()
        .iter()
        .filter(|f| is_build_file(f.name()) && in_scope(&f.path))
        .collect();
    if let Some((file, line)) = builds.iter().find_map(|f| {
        Some((
            *f,
            line_containing(&f.text, "spring-boot-starter-actuator")?,
        ))
    }) {
        let setting = |key: &str| spring_setting(ws, dir, key);
        let mut notes = vec![format!(
            "spring-boot-starter-actuator is a dependency in {}",
            file.path
        )];
        let base = match setting("management.endpoints.web.base-path") {
            Some((v, p, l)) => {
                notes.push(format!(
                    "management.endpoints.web.base-path `{v}` ({p}:{l})"
                ));
                v
            }
            None => "/actuator".to_string(),
        };
        let health = match setting("management.endpoints.web.path-mapping.health") {
            Some((v, p, l)) => {
                notes.push(format!(
                    "management.endpoints.web.path-mapping.health `{v}` ({p}:{l})"
                ));
                v
            }
            None => "health".to_string(),
        };
        let context = match setting("management.server.port") {
            Some(_) => setting("management.server.base-path")
                .or_else(|| setting("management.server.servlet.context-path")),
            None => setting("server.servlet.context-path"),
        };
        let context = match context {
            Some((v, p, l)) => {
                notes.push(format!("context path `{v}` ({p}:{l})"));
                v
            }
            None => String::new(),
        };
        if let Some((port, p, l)) = setting("management.server.port") {
            notes.push(format!(
                "served on the management port {port} ({p}:{l}), not the application's"
            ));
        }
        let root = join(&join(&context, &base), &health);
        let rule = format!("Spring Boot Actuator: {}", notes.join("; "));
        for path in [
            root.clone(),
            join(&root, "liveness"),
            join(&root, "readiness"),
        ] {
            let mut r = Route::new(&path, line, "Spring Boot Actuator").method(Method::Get);
            r.file = file.path.clone();
            r.rule = Some(rule.clone());
            out.push(r);
        }
    }
    if let Some((file, line)) = builds
        .iter()
        .find_map(|f| Some((*f, line_containing(&f.text, "quarkus-smallrye-health")?)))
    {
        let rule = format!(
            "Quarkus SmallRye Health: quarkus-smallrye-health is a dependency in {} (default paths)",
            file.path
        );
        for path in [
            "/q/health",
            "/q/health/live",
            "/q/health/ready",
            "/q/health/started",
        ] {
            let mut r = Route::new(path, line, "Quarkus SmallRye Health").method(Method::Get);
            r.file = file.path.clone();
            r.rule = Some(rule.clone());
            out.push(r);
        }
    }
    out
}

/// `server.servlet.context-path` for Spring code under `dir` (it prefixes every controller).
pub(crate) fn spring_context_path(ws: &Workspace, dir: &str) -> Option<(String, String, u32)> {
    spring_setting(ws, dir, "server.servlet.context-path")
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn routes(src: &str, lang: Lang) -> Vec<(String, Method, &'static str)> {
        scan(&tokenize(src, lang), lang)
            .routes
            .into_iter()
            .map(|p| (p.route.path, p.route.method, p.route.framework))
            .collect()
    }

    #[test]
    fn spring_class_prefixes_and_methods() {
        let r = routes(
            "import org.springframework.web.bind.annotation.*;\n@RestController\n@RequestMapping(\"/api\")\npublic class Ops {\n  @GetMapping(\"/health\")\n  public String h() { return \"ok\"; }\n  @RequestMapping(value = {\"/a\", \"/b\"}, method = RequestMethod.POST)\n  public void p() {}\n  @GetMapping\n  public String root() { return \"\"; }\n}\n@RestController\nclass Plain {\n  @GetMapping(path = \"/ping\")\n  String ping() { return \"pong\"; }\n}\n",
            Lang::Java,
        );
        assert_eq!(
            r,
            vec![
                ("/api/health".into(), Method::Get, "Spring"),
                ("/api/a".into(), Method::Other, "Spring"),
                ("/api/b".into(), Method::Other, "Spring"),
                ("/api".into(), Method::Get, "Spring"),
                ("/ping".into(), Method::Get, "Spring"),
            ]
        );
    }

    #[test]
    fn declarative_clients_are_not_routes() {
        let r = routes(
            "import org.springframework.cloud.openfeign.FeignClient;\n@FeignClient(name = \"stock\")\npublic interface StockClient {\n  @GetMapping(\"/healthz\")\n  String health();\n}\n",
            Lang::Java,
        );
        assert!(r.is_empty(), "{r:?}");
    }

    #[test]
    fn jaxrs_micronaut_and_ktor() {
        let r = routes(
            "import javax.ws.rs.*;\n@Path(\"/health\")\npublic class H {\n  @GET\n  public String all() { return \"\"; }\n  @GET @Path(\"live\")\n  public String live() { return \"\"; }\n}\n",
            Lang::Java,
        );
        assert_eq!(
            r,
            vec![
                ("/health".into(), Method::Get, "JAX-RS"),
                ("/health/live".into(), Method::Get, "JAX-RS"),
            ]
        );
        let m = routes(
            "import io.micronaut.http.annotation.*\n@Controller(\"/status\")\nclass S {\n  @Get(\"/ready\")\n  fun ready() = \"ok\"\n}\n",
            Lang::Kotlin,
        );
        assert_eq!(m, vec![("/status/ready".into(), Method::Get, "Micronaut")]);
        let k = routes(
            "fun Application.module() {\n  routing {\n    get(\"/healthz\") { call.respondText(\"ok\") }\n    route(\"/api\") {\n      get(\"/users\") { }\n    }\n  }\n}\n",
            Lang::Kotlin,
        );
        assert_eq!(
            k,
            vec![
                ("/healthz".into(), Method::Get, "Ktor"),
                ("/api/users".into(), Method::Get, "Ktor"),
            ]
        );
    }

    #[test]
    fn actuator_endpoints_follow_settings() {
        let ws = Workspace::from_files(vec![
            (
                "svc/pom.xml".into(),
                "<project>\n<dependencies>\n<dependency><artifactId>spring-boot-starter-actuator</artifactId></dependency>\n</dependencies>\n</project>\n".into(),
            ),
            (
                "svc/src/main/resources/application.yml".into(),
                "management:\n  endpoints:\n    web:\n      base-path: /manage\n".into(),
            ),
        ]);
        let r = framework_endpoints(&ws, "svc");
        let paths: Vec<&str> = r.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "/manage/health",
                "/manage/health/liveness",
                "/manage/health/readiness"
            ]
        );
        assert_eq!(r[0].line, 3);
        assert!(
            r[0].rule
                .as_deref()
                .unwrap_or("")
                .contains("base-path `/manage`")
        );
        assert!(framework_endpoints(&ws, "other").is_empty());
    }
}
