//! HTTP routes declared in application source code: one lexer-level recogniser per language
//! (Go, Python, JavaScript/TypeScript, Java/Kotlin, Rust, C#) for the common web frameworks,
//! prefixes from groups, nesting and mounting resolved when they are written as literals, and
//! matching of a request path against the routes found.

mod dotnet;
mod go;
mod java;
mod lexer;
mod node;
mod python;
mod rust;

pub(crate) use java::{framework_endpoints, spring_context_path};

use golive_core::SourceFile;
use golive_core::workspace::{FileKind, Lang};
use lexer::{Tok, Token};
use std::collections::HashMap;
use std::ops::Range;

/// Which HTTP methods a route answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// GET (and HEAD).
    Get,
    /// Any method (a handler that does not restrict, `all`, `Any`, `use`).
    Any,
    /// Only methods other than GET (POST, PUT, ...).
    Other,
}

/// A route declared in code.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    /// The path as served, prefixes resolved (`/api/users/{id}`).
    pub path: String,
    /// A part of the path before `path` is not known (built at run time, or a mount golive
    /// could not resolve): the route matches a request path that ends with it.
    pub unknown_prefix: bool,
    /// Matches every path under it (Go `http.Handle("/static/")`, Express `app.use("/x")`).
    pub subtree: bool,
    /// A regular expression route (Django `re_path`), matched against the path without its
    /// leading `/`.
    pub regex: Option<regex::Regex>,
    pub method: Method,
    /// Matched case-insensitively (ASP.NET Core).
    pub case_insensitive: bool,
    pub file: String,
    pub line: u32,
    /// The framework or rule that declares it (`gorilla/mux`, `FastAPI`, `Spring Boot Actuator`).
    pub framework: &'static str,
    /// How the route was found, when it is not a plain declaration (Actuator: the dependency
    /// and settings that make it exist).
    pub rule: Option<String>,
}

impl Route {
    pub(crate) fn new(path: &str, line: u32, framework: &'static str) -> Route {
        Route {
            path: path.to_string(),
            unknown_prefix: false,
            subtree: false,
            regex: None,
            method: Method::Any,
            case_insensitive: false,
            file: String::new(),
            line,
            framework,
            rule: None,
        }
    }

    fn method(mut self, method: Method) -> Route {
        self.method = method;
        self
    }

    fn dynamic(mut self, dynamic: bool) -> Route {
        self.unknown_prefix |= dynamic;
        self
    }
}

/// How a request path matched a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Match {
    /// Every segment is the same.
    Exact,
    /// Segments match through path parameters (`/users/{id}`).
    Param,
    /// The route serves a whole subtree (or is a catch-all).
    Subtree,
    /// The route's known part is the end of the path (its prefix is built at run time or
    /// mounted where golive cannot see).
    Suffix,
    /// A regular expression route matches it.
    Regex,
}

impl Match {
    pub(crate) fn note(self) -> Option<&'static str> {
        match self {
            Match::Exact | Match::Param => None,
            Match::Subtree => Some(
                "a prefix or catch-all route: golive cannot tell whether its handler answers this exact path",
            ),
            Match::Suffix => Some(
                "the route's prefix is built at run time or mounted where golive cannot resolve it: matched on its literal suffix",
            ),
            Match::Regex => Some("matched by the route's regular expression"),
        }
    }
}

/// Segments of a path: no empty ones (so `//` and a trailing `/` do not count).
fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// A route segment that matches any one segment (`{id}`, `:id`, `<int:id>`).
fn is_param(seg: &str) -> bool {
    seg.starts_with(':') || seg.contains('{') || seg.contains('<')
}

/// A route segment that matches the rest of the path (`*`, `*path`, `{*rest}`, `{path...}`,
/// `<path:p>`, `**`, `{**rest}`, `:path*`).
fn is_rest(seg: &str) -> bool {
    seg.starts_with('*')
        || seg.starts_with("{*")
        || seg.starts_with("{**")
        || seg.ends_with("...}")
        || seg.starts_with("<path:")
        || (seg.starts_with(':') && (seg.ends_with('*') || seg.ends_with('+')))
        || seg == "(.*)"
}

/// The request path a probe asks for, without query or fragment.
pub(crate) fn request_path(probe: &str) -> &str {
    let end = probe.find(['?', '#']).unwrap_or(probe.len());
    probe.get(..end).unwrap_or(probe)
}

/// Whether `route` serves a GET of `path`, and how.
pub(crate) fn match_path(route: &Route, path: &str) -> Option<Match> {
    let path = request_path(path);
    if let Some(re) = &route.regex {
        let bare = path.trim_start_matches('/');
        return (re.is_match(bare) || re.is_match(path)).then_some(Match::Regex);
    }
    let (lower_r, lower_p);
    let (rpath, ppath) = if route.case_insensitive {
        lower_r = route.path.to_ascii_lowercase();
        lower_p = path.to_ascii_lowercase();
        (lower_r.as_str(), lower_p.as_str())
    } else {
        (route.path.as_str(), path)
    };
    let r = segments(rpath);
    let p = segments(ppath);
    let seg_match = |rs: &[&str], ps: &[&str]| -> Option<Match> {
        let mut kind = Match::Exact;
        let mut i = 0;
        while i < rs.len() {
            let seg = rs[i];
            if is_rest(seg) {
                return Some(Match::Param);
            }
            let other = ps.get(i)?;
            if seg == *other {
            } else if is_param(seg) {
                kind = Match::Param;
            } else {
                return None;
            }
            i += 1;
        }
        if ps.len() == rs.len() {
            Some(kind)
        } else if route.subtree {
            Some(Match::Subtree)
        } else {
            None
        }
    };
    if route.unknown_prefix {
        if r.is_empty() {
            return None;
        }
        if let Some(m) = seg_match(&r, &p) {
            return Some(if m == Match::Exact { Match::Suffix } else { m });
        }
        // Only the end of the path is known.
        if p.len() >= r.len() {
            let tail = p.get(p.len() - r.len()..)?;
            if seg_match(&r, tail).is_some() {
                return Some(Match::Suffix);
            }
        }
        return None;
    }
    seg_match(&r, &p)
}

/// Joins a prefix and a path (`/api` + `health` = `/api/health`).
pub(crate) fn join(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    let path_trimmed = path.trim_start_matches('/');
    if prefix.is_empty() {
        return format!("/{path_trimmed}");
    }
    let prefix = if prefix.starts_with('/') {
        prefix.to_string()
    } else {
        format!("/{prefix}")
    };
    if path_trimmed.is_empty() {
        return if path.ends_with('/') && !path.is_empty() {
            format!("{prefix}/")
        } else {
            prefix
        };
    }
    format!("{prefix}/{path_trimmed}")
}

/// What one file says: its routes, and where it mounts routes declared elsewhere.
#[derive(Debug, Default)]
pub(crate) struct FileScan {
    pub routes: Vec<PendingRoute>,
    pub mounts: Vec<Mount>,
    /// Lines of route declarations whose path is not a literal golive can read
    /// (`mux.HandleFunc(cfg.Path(), h)`): a path that matches no route may be one of these.
    pub opaque: Vec<u32>,
}

/// A route and, when its router may be mounted under a prefix by code golive has not seen yet
/// (another file), the name by which it would be mounted.
#[derive(Debug)]
pub(crate) struct PendingRoute {
    pub route: Route,
    /// The router variable, blueprint or handler name a mount would refer to.
    pub mounted_as: Option<String>,
    /// Served as written when nothing mounts it (a Django root URLconf, NestJS controllers
    /// without a global prefix); otherwise an unmounted route's prefix is unknown.
    pub mount_optional: bool,
}

impl PendingRoute {
    pub(crate) fn at_root(route: Route) -> PendingRoute {
        PendingRoute {
            route,
            mounted_as: None,
            mount_optional: false,
        }
    }

    pub(crate) fn mounted(route: Route, name: &str, optional: bool) -> PendingRoute {
        PendingRoute {
            route,
            mounted_as: Some(name.to_string()),
            mount_optional: optional,
        }
    }
}

/// Routes declared elsewhere mounted under a prefix.
#[derive(Debug, Clone)]
pub(crate) struct Mount {
    pub prefix: String,
    pub target: Target,
    pub dynamic: bool,
    /// Where the mount is written.
    pub line: u32,
}

#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A router (variable, blueprint, function) by name, in any of the files.
    Name(String),
    /// A router variable of the file that mounts it.
    Local(String),
    /// A file, by the paths it may have (`./routes/health` → `routes/health.js`, ...).
    Files(Vec<String>),
    /// A file whose path ends with this (Django `include("shop.urls")`).
    PathSuffix(String),
}

/// The routes of a set of files (mounts across the files resolved), and the places that
/// declare routes golive cannot read.
#[derive(Debug, Default)]
pub(crate) struct CodeRoutes {
    pub routes: Vec<Route>,
    /// (file, line) of route declarations whose path is not a readable literal.
    pub opaque: Vec<(String, u32)>,
}

/// Every route of a set of files (mounts across the files resolved). String constants that
/// look like paths (`const healthPath = "/healthz"`) are resolved across the files first.
pub(crate) fn routes_of(files: &[&SourceFile]) -> CodeRoutes {
    let mut constants: HashMap<String, Option<String>> = HashMap::new();
    for f in files {
        if let Some(tokens) = tokens_of(f) {
            for (name, value) in path_constants(&tokens) {
                constants
                    .entry(name)
                    .and_modify(|v| {
                        if v.as_deref() != Some(value.as_str()) {
                            *v = None;
                        }
                    })
                    .or_insert(Some(value));
            }
        }
    }
    let constants: HashMap<String, String> = constants
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
    let scans: Vec<(&SourceFile, FileScan)> = files
        .iter()
        .filter_map(|f| Some((*f, scan_file(f, &constants)?)))
        .collect();
    let mounts: Vec<(&SourceFile, &Mount)> = scans
        .iter()
        .flat_map(|(f, s)| s.mounts.iter().map(move |m| (*f, m)))
        .collect();
    let mut used = vec![false; mounts.len()];
    let mut out = CodeRoutes::default();
    for (file, scan) in &scans {
        out.opaque
            .extend(scan.opaque.iter().map(|l| (file.path.clone(), *l)));
        for pending in &scan.routes {
            let mut route = pending.route.clone();
            route.file = file.path.clone();
            let Some(name) = &pending.mounted_as else {
                out.routes.push(route);
                continue;
            };
            let by_file: Vec<usize> = (0..mounts.len())
                .filter(|&k| match mounts.get(k).map(|(_, m)| &m.target) {
                    Some(Target::Files(paths)) => paths.contains(&file.path),
                    Some(Target::PathSuffix(s)) => file.path.ends_with(s.as_str()),
                    _ => false,
                })
                .collect();
            let matching: Vec<usize> = if by_file.is_empty() {
                (0..mounts.len())
                    .filter(|&k| match mounts.get(k) {
                        Some((
                            _,
                            Mount {
                                target: Target::Name(n),
                                ..
                            },
                        )) => n == name,
                        Some((
                            from,
                            Mount {
                                target: Target::Local(n),
                                ..
                            },
                        )) => n == name && from.path == file.path,
                        _ => false,
                    })
                    .collect()
            } else {
                by_file
            };
            if matching.is_empty() {
                // Mounted somewhere golive cannot see (or under a computed prefix), unless
                // being mounted is optional (a Django root URLconf, NestJS without a global
                // prefix).
                route.unknown_prefix |= !pending.mount_optional;
                out.routes.push(route);
                continue;
            }
            for k in matching {
                let Some((_, m)) = mounts.get(k) else {
                    continue;
                };
                if let Some(u) = used.get_mut(k) {
                    *u = true;
                }
                let mut r = route.clone();
                if let Some(re) = &route.regex {
                    let prefix = regex::escape(m.prefix.trim_start_matches('/'));
                    let pattern = re.as_str().trim_start_matches('^');
                    r.path = format!("^{prefix}{pattern}");
                    r.regex = regex::Regex::new(&r.path).ok();
                    if r.regex.is_none() {
                        continue;
                    }
                } else {
                    r.path = join(&m.prefix, &route.path);
                }
                r.unknown_prefix |= m.dynamic;
                out.routes.push(r);
            }
        }
    }
    // A mount of code golive did not find (a library's router, a module outside the scan)
    // serves something under its prefix: a subtree golive cannot see into.
    for ((file, m), used) in mounts.iter().zip(used) {
        let external = matches!(&m.target, Target::Name(n) if n.starts_with('<'));
        if used || external {
            continue;
        }
        let mut r = Route::new(
            &join(&m.prefix, ""),
            m.line,
            "a mounted router golive cannot read",
        );
        r.subtree = true;
        r.unknown_prefix = m.dynamic;
        r.file = file.path.clone();
        out.routes.push(r);
    }
    out
}

fn tokens_of(file: &SourceFile) -> Option<Vec<Token>> {
    let FileKind::Source(lang) = file.kind else {
        return None;
    };
    if !is_readable(lang) {
        return None;
    }
    Some(lexer::tokenize(&file.text, lang))
}

/// `NAME = "/path"`, `NAME := "/path"`, `const NAME: &str = "/path";`,
/// `static final String NAME = "/path";`: names bound to a literal that looks like a path.
fn path_constants(tokens: &[Token]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != Tok::Ident {
            continue;
        }
        // Up to a short type annotation before `=`.
        let Some(eq) = (i + 1..tokens.len().min(i + 6))
            .find(|&k| tokens.get(k).is_some_and(|u| u.is_punct("=")))
        else {
            continue;
        };
        let between_ok =
            tokens.get(i + 1..eq).unwrap_or(&[]).iter().all(|u| {
                u.kind == Tok::Ident || u.is_punct(":") || u.is_punct("&") || u.is_punct("'")
            });
        if !between_ok
            || tokens.get(eq + 1).is_some_and(|u| u.is_punct("="))
            || i.checked_sub(1)
                .and_then(|p| tokens.get(p))
                .is_some_and(|p| p.is_punct("."))
        {
            continue;
        }
        let (Some(value), next) = (tokens.get(eq + 1), tokens.get(eq + 2)) else {
            continue;
        };
        if value.kind == Tok::Str
            && !value.dynamic
            && value.text.starts_with('/')
            && !next.is_some_and(|n| n.is_punct("+") || n.is_punct(".") || n.is_punct("("))
        {
            out.push((t.text.clone(), value.text.clone()));
        }
    }
    out
}

/// Replaces uses of path constants by their value (not their definitions, nor receivers or
/// calls).
fn substitute(tokens: &mut [Token], constants: &HashMap<String, String>) {
    if constants.is_empty() {
        return;
    }
    for i in 0..tokens.len() {
        let Some(t) = tokens.get(i) else { break };
        if t.kind != Tok::Ident {
            continue;
        }
        let Some(value) = constants.get(&t.text) else {
            continue;
        };
        let next = tokens.get(i + 1);
        if next.is_some_and(|n| {
            n.is_punct(".") || n.is_punct("(") || n.is_punct("=") || n.is_punct(":")
        }) {
            continue;
        }
        let value = value.clone();
        if let Some(t) = tokens.get_mut(i) {
            t.kind = Tok::Str;
            t.text = value;
        }
    }
}

/// The routes and mounts of one source file (None for languages golive does not read).
pub(crate) fn scan_file(
    file: &SourceFile,
    constants: &HashMap<String, String>,
) -> Option<FileScan> {
    let FileKind::Source(lang) = file.kind else {
        return None;
    };
    if !is_readable(lang) {
        return None;
    }
    let Some(mut tokens) = tokens_of(file) else {
        return Some(FileScan::default());
    };
    substitute(&mut tokens, constants);
    Some(match lang {
        Lang::Go => go::scan(&tokens),
        Lang::Python => python::scan(&tokens, &file.path),
        Lang::JavaScript | Lang::TypeScript => node::scan(&tokens, &file.path),
        Lang::Java | Lang::Kotlin => java::scan(&tokens, lang),
        Lang::Rust => rust::scan(&tokens),
        Lang::CSharp => dotnet::scan(&tokens),
        Lang::Ruby | Lang::Shell => FileScan::default(),
    })
}

/// Languages whose routes golive reads.
pub(crate) fn is_readable(lang: Lang) -> bool {
    !matches!(lang, Lang::Ruby | Lang::Shell)
}

/// A language's name for messages.
pub(crate) fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "Rust",
        Lang::Go => "Go",
        Lang::Python => "Python",
        Lang::JavaScript => "JavaScript",
        Lang::TypeScript => "TypeScript",
        Lang::Java => "Java",
        Lang::Kotlin => "Kotlin",
        Lang::CSharp => "C#",
        Lang::Ruby => "Ruby",
        Lang::Shell => "shell",
    }
}

// ---- token helpers shared by the recognisers ----

/// The index of the bracket closing the one at `open` (`(`, `[`, `{`).
pub(crate) fn close_of(tokens: &[Token], open: usize) -> Option<usize> {
    let (o, c) = match tokens.get(open)?.text.as_str() {
        "(" => ("(", ")"),
        "[" => ("[", "]"),
        "{" => ("{", "}"),
        _ => return None,
    };
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.kind != Tok::Punct {
            continue;
        }
        if t.text == o {
            depth += 1;
        } else if t.text == c {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// The arguments of the call whose `(` is at `open`: token ranges split at top-level commas.
pub(crate) fn args(tokens: &[Token], open: usize) -> Vec<Range<usize>> {
    let Some(close) = close_of(tokens, open) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = open + 1;
    for i in open + 1..close {
        let Some(t) = tokens.get(i) else { break };
        if t.kind == Tok::Punct {
            match t.text.as_str() {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth -= 1,
                "," if depth == 0 => {
                    out.push(start..i);
                    start = i + 1;
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

/// A path written as an argument: a string literal, or an expression ending in `+ "literal"`
/// (then only its suffix is known). `(text, dynamic)`.
pub(crate) fn path_arg(tokens: &[Token], range: Range<usize>) -> Option<(String, bool)> {
    let slice = tokens.get(range)?;
    match slice {
        [t] if t.kind == Tok::Str => Some((t.text.clone(), t.dynamic)),
        [.., plus, t] if t.kind == Tok::Str && plus.is_punct("+") => Some((t.text.clone(), true)),
        // `cfg.HealthPath` once the constant is substituted.
        [.., dot, t] if t.kind == Tok::Str && dot.is_punct(".") => {
            Some((t.text.clone(), t.dynamic))
        }
        _ => None,
    }
}

/// Whether an argument is a name or a call (`healthPath`, `cfg.Path()`) rather than a literal:
/// a route declared with it has a path golive cannot read.
pub(crate) fn is_name_expr(tokens: &[Token], range: Option<&Range<usize>>) -> bool {
    range
        .and_then(|r| tokens.get(r.start))
        .is_some_and(|t| t.kind == Tok::Ident)
}

/// The value of a keyword argument (`prefix="/x"`) or object property (`prefix: '/x'`) among
/// `args`.
pub(crate) fn keyword(tokens: &[Token], args: &[Range<usize>], name: &str) -> Option<Range<usize>> {
    args.iter().find_map(|a| {
        let first = tokens.get(a.start)?;
        let sep = tokens.get(a.start + 1)?;
        (first.is_ident(name) && (sep.is_punct("=") || sep.is_punct(":")))
            .then(|| a.start + 2..a.end)
    })
}

/// The name of the receiver of a method call whose `.` is at `dot`: the last identifier of a
/// chain like `s.router` (None when the receiver is a call result or not an identifier).
pub(crate) fn receiver(tokens: &[Token], dot: usize) -> Option<&str> {
    let prev = tokens.get(dot.checked_sub(1)?)?;
    (prev.kind == Tok::Ident).then_some(prev.text.as_str())
}

/// A prefix that applies to the tokens in a range (a nested router, a controller class).
#[derive(Clone, Debug)]
pub(crate) struct Scope {
    pub range: Range<usize>,
    pub prefix: String,
    pub dynamic: bool,
}

/// The prefix of every scope around token `i`, outermost first, and whether any is dynamic.
pub(crate) fn scoped_prefix(scopes: &[Scope], i: usize) -> (String, bool) {
    let mut around: Vec<&Scope> = scopes.iter().filter(|s| s.range.contains(&i)).collect();
    around.sort_by_key(|s| (s.range.start, std::cmp::Reverse(s.range.end)));
    let mut prefix = String::new();
    let mut dynamic = false;
    for s in around {
        prefix = join(&prefix, &s.prefix);
        dynamic |= s.dynamic;
    }
    (prefix, dynamic)
}

/// The routes of a scanned file as (path, method, mount), for the readers' tests.
#[cfg(test)]
pub(crate) fn route_paths(s: &FileScan) -> Vec<(String, Method, Option<String>)> {
    s.routes
        .iter()
        .map(|p| (p.route.path.clone(), p.route.method, p.mounted_as.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(path: &str) -> Route {
        Route::new(path, 1, "test")
    }

    #[test]
    fn paths_match_exactly_with_params_and_trailing_slashes() {
        assert_eq!(
            match_path(&route("/healthz"), "/healthz"),
            Some(Match::Exact)
        );
        assert_eq!(
            match_path(&route("/healthz/"), "/healthz"),
            Some(Match::Exact)
        );
        assert_eq!(
            match_path(&route("/healthz"), "/healthz?full=1"),
            Some(Match::Exact)
        );
        assert_eq!(match_path(&route("/health"), "/healthz"), None);
        for p in [
            "/users/:id",
            "/users/{id}",
            "/users/<int:id>",
            "/users/{id:int}",
        ] {
            assert_eq!(match_path(&route(p), "/users/7"), Some(Match::Param), "{p}");
        }
        assert_eq!(
            match_path(&route("/static/*"), "/static/a/b"),
            Some(Match::Param)
        );
        assert_eq!(
            match_path(&route("/files/{p...}"), "/files/x"),
            Some(Match::Param)
        );
        assert_eq!(match_path(&route("/users/:id"), "/users"), None);
        let mut sub = route("/");
        sub.subtree = true;
        assert_eq!(match_path(&sub, "/healthz"), Some(Match::Subtree));
        assert_eq!(match_path(&route("/"), "/healthz"), None);
        let mut ci = route("/Health");
        ci.case_insensitive = true;
        assert_eq!(match_path(&ci, "/health"), Some(Match::Exact));
        assert_eq!(match_path(&route("/Health"), "/health"), None);
    }

    #[test]
    fn unknown_prefixes_match_on_the_literal_suffix() {
        let mut r = route("/_healthz");
        r.unknown_prefix = true;
        assert_eq!(match_path(&r, "/_healthz"), Some(Match::Suffix));
        assert_eq!(match_path(&r, "/shop/_healthz"), Some(Match::Suffix));
        assert_eq!(match_path(&r, "/healthz"), None);
        let mut root = route("/");
        root.unknown_prefix = true;
        assert_eq!(match_path(&root, "/anything"), None);
    }

    #[test]
    fn regex_routes() {
        let mut r = route("^healthz/?$");
        r.regex = regex::Regex::new("^healthz/?$").ok();
        assert_eq!(match_path(&r, "/healthz"), Some(Match::Regex));
        assert_eq!(match_path(&r, "/healthzz"), None);
    }

    fn files(list: &[(&str, &str)]) -> Vec<SourceFile> {
        list.iter()
            .map(|(p, t)| SourceFile::new(*p, golive_core::workspace::classify(p), t.to_string()))
            .collect()
    }

    #[test]
    fn constants_resolve_across_files_and_unreadable_paths_are_kept_apart() {
        let f = files(&[
            (
                "svc/paths.go",
                "package main

const healthPath = \"/healthz\"
var cfg = struct{ ReadyPath string }{ReadyPath: \"/ready\"}
",
            ),
            (
                "svc/main.go",
                "package main

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc(healthPath, h)
	mux.HandleFunc(cfg.Path(), h)
}
",
            ),
        ]);
        let refs: Vec<&SourceFile> = f.iter().collect();
        let found = routes_of(&refs);
        let paths: Vec<&str> = found.routes.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, vec!["/healthz"]);
        assert_eq!(found.opaque, vec![("svc/main.go".to_string(), 6)]);
    }

    #[test]
    fn mounts_of_code_golive_cannot_see_serve_a_subtree() {
        let f = files(&[(
            "web/shop/urls.py",
            "from django.urls import include, path\nurlpatterns = [\n    path('ht/', include('health_check.urls')),\n    path('about/', views.about),\n]\n",
        )]);
        let refs: Vec<&SourceFile> = f.iter().collect();
        let found = routes_of(&refs);
        let ht = found
            .routes
            .iter()
            .find(|r| r.path == "/ht")
            .expect("the include serves a subtree");
        assert!(ht.subtree);
        assert_eq!(ht.line, 3);
        assert_eq!(match_path(ht, "/ht/db"), Some(Match::Subtree));
    }

    #[test]
    fn prefixes_join() {
        assert_eq!(join("/api/", "/v1"), "/api/v1");
        assert_eq!(join("", "health"), "/health");
        assert_eq!(join("/api", ""), "/api");
        assert_eq!(join("api", "x"), "/api/x");
        assert_eq!(join("/api", "/"), "/api/");
    }
}
