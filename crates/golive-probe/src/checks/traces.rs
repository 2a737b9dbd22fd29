//! What error responses must not reveal: stack traces in bodies, and server or framework
//! versions in headers and bodies. Shared by live checks; patterns are deliberately specific
//! (a stack frame, a `product/1.2` token) so ordinary text never matches.

use regex::Regex;
use std::sync::LazyLock;

/// Stack-trace shapes of the common runtimes, each with its name.
static TRACES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("Python traceback", r"Traceback \(most recent call last\)"),
        (
            "Java stack frame",
            r"\bat [\w$.]+\([\w$]+\.(?:java|kt|scala):\d+\)",
        ),
        ("Java exception", r"\bException in thread "),
        (".NET stack frame", r"\bat [\w.`<>]+\(.*\) in .+:line \d+"),
        ("Go panic", r"\bgoroutine \d+ \[running\]"),
        ("Rust panic", r"\bpanicked at [^\n]+\.rs:\d+"),
        (
            "Node.js stack frame",
            r"\bat (?:[\w$.<>]+ )?\(?/[^\s()]+\.(?:js|ts|mjs|cjs):\d+:\d+\)?",
        ),
        ("Ruby stack frame", r"\.rb:\d+:in `"),
        (
            "PHP stack trace",
            r"(?:PHP )?(?:Fatal error|Stack trace):.*\.php",
        ),
    ]
    .into_iter()
    .filter_map(|(name, re)| Regex::new(re).ok().map(|r| (name, r)))
    .collect()
});

/// `product/1.2.3` tokens of servers and frameworks.
static PRODUCT_VERSION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(nginx|openresty|apache(?:-coyote)?|apache tomcat|jetty|werkzeug|gunicorn|uvicorn|express|kestrel|microsoft-iis|lighttpd|caddy|envoy|php|python|node(?:\.js)?|ruby|puma|unicorn|waitress|hypercorn|tornado|django|flask|spring|asp\.net|openssl|undertow|wildfly|jboss|glassfish|phusion passenger|passenger)/v?\d+(?:\.\d+)+(?:[-+~][\w.]+)?",
    )
    .ok()
});

/// The first stack trace in a body: its kind and the matching text.
pub fn stack_trace(body: &str) -> Option<(&'static str, String)> {
    TRACES
        .iter()
        .find_map(|(name, re)| re.find(body).map(|m| (*name, shorten(m.as_str()))))
}

/// The first `product/version` token in a text.
pub fn product_version(text: &str) -> Option<String> {
    PRODUCT_VERSION
        .as_ref()
        .and_then(|re| re.find(text))
        .map(|m| shorten(m.as_str()))
}

/// Headers that name the framework or its version whatever their value.
pub const FRAMEWORK_HEADERS: &[&str] = &[
    "x-powered-by",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-generator",
    "x-runtime-version",
];

fn shorten(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 80 {
        s.chars().take(77).collect::<String>() + "..."
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_stack_traces_of_common_runtimes() {
        let cases = [
            (
                "Traceback (most recent call last):\n  File \"app.py\"",
                "Python traceback",
            ),
            (
                "java.lang.NullPointerException\n\tat com.acme.Orders.get(Orders.java:42)",
                "Java stack frame",
            ),
            ("goroutine 1 [running]:\nmain.main()", "Go panic"),
            ("thread 'main' panicked at src/main.rs:4:5", "Rust panic"),
            (
                "TypeError: x\n    at parse (/app/server.js:10:5)",
                "Node.js stack frame",
            ),
            ("app.rb:12:in `block in <main>'", "Ruby stack frame"),
        ];
        for (body, kind) in cases {
            assert_eq!(stack_trace(body).map(|t| t.0), Some(kind), "{body}");
        }
        for body in [
            "{\"error\":\"invalid JSON at line 1\"}",
            "<h1>404 Not Found</h1>",
            "at home (see docs)",
        ] {
            assert_eq!(stack_trace(body), None, "{body}");
        }
    }

    #[test]
    fn finds_product_versions_not_prose() {
        assert_eq!(
            product_version("nginx/1.22.1").as_deref(),
            Some("nginx/1.22.1")
        );
        assert_eq!(
            product_version("Werkzeug/2.0.1 Python/3.9.7").as_deref(),
            Some("Werkzeug/2.0.1")
        );
        assert_eq!(
            product_version("<center>nginx/1.22.1</center>").as_deref(),
            Some("nginx/1.22.1")
        );
        assert_eq!(product_version("nginx"), None);
        assert_eq!(product_version("see /api/v1/orders"), None);
        assert_eq!(product_version("HTTP/1.1"), None);
    }
}
