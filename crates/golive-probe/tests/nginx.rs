//! The probe against a real server nobody here wrote: nginx from Debian's packages, started as the
//! current user with a generated configuration in a temporary folder, on a free loopback port,
//! serving a static page and a static health file with nginx's defaults otherwise. Pins what the
//! probe says about it: the version in `Server:` and in error pages, `keepalive_timeout` 75 s,
//! 413 above `client_max_body_size` (1m), no request id, no security headers.

mod support;

use golive_core::Status;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Nginx {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("GOLIVE_NGINX") {
        return PathBuf::from(p);
    }
    for dir in std::env::var("PATH").unwrap_or_default().split(':').chain([
        "/usr/sbin",
        "/usr/local/sbin",
        "/sbin",
    ]) {
        let candidate = Path::new(dir).join("nginx");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "nginx is missing: run .ci/setup (it installs Debian's nginx), or set GOLIVE_NGINX to its path"
    );
}

fn start_nginx() -> Nginx {
    let binary = nginx_binary();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let www = root.join("www");
    std::fs::create_dir_all(&www).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        www.join("index.html"),
        "<!doctype html><title>shop</title><h1>shop</h1>\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(www.join("healthz"), "{\"status\":\"ok\"}\n").unwrap_or_else(|e| panic!("{e}"));
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        l.local_addr().unwrap_or_else(|e| panic!("{e}")).port()
    };
    let d = root.display();
    let conf = format!(
        "error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    types {{ text/html html; }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {d}/www;
        location = /healthz {{ default_type application/json; }}
    }}
}}
"
    );
    std::fs::write(root.join("nginx.conf"), conf).unwrap_or_else(|e| panic!("{e}"));
    // master_process off: one process, so that killing it stops nginx entirely.
    let child = Command::new(&binary)
        .arg("-p")
        .arg(root)
        .arg("-e")
        .arg(root.join("error.log"))
        .arg("-c")
        .arg("nginx.conf")
        .arg("-g")
        .arg(format!(
            "daemon off; master_process off; pid {d}/nginx.pid;"
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let mut nginx = Nginx {
        child,
        port,
        _dir: dir,
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = nginx.child.try_wait() {
            let log =
                std::fs::read_to_string(nginx._dir.path().join("error.log")).unwrap_or_default();
            panic!("nginx exited ({status}): {log}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nginx did not listen on {port} within 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    nginx
}

#[test]
fn what_the_probe_says_about_debian_nginx() {
    let nginx = start_nginx();
    let url = format!("http://127.0.0.1:{}/", nginx.port);
    let (report, sent) = support::probe(&url, &support::config(""));
    let version = regex::Regex::new(r"nginx/\d+(\.\d+)+").unwrap_or_else(|e| panic!("{e}"));
    let summary = version
        .replace_all(&support::summary(&report), "nginx/VERSION")
        .into_owned();
    insta::assert_snapshot!("nginx", summary);
    let status = |id: &str| report.check(id).map(|c| c.status);
    assert_eq!(status("live/health"), Some(Status::Pass));
    assert_eq!(
        status("live/payload-limit"),
        Some(Status::Pass),
        "413 above client_max_body_size"
    );
    assert_eq!(
        status("live/keepalive"),
        Some(Status::Pass),
        "keepalive_timeout 75 s"
    );
    assert_eq!(
        status("live/error-hygiene"),
        Some(Status::Fail),
        "server_tokens on"
    );
    assert_eq!(status("live/correlation-id"), Some(Status::Fail));
    assert_eq!(status("live/security-headers"), Some(Status::Fail));
    assert!(sent <= support::config("").probe.budget);
}
