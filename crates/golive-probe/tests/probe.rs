//! The probe against servers started on loopback: a well-behaved one and a flawed one written for
//! the tests. Snapshots pin the exact report (ports and timings normalised).

mod support;

use golive_core::{Report, Status};
use golive_probe::{ProbeTarget, catalogue};
use support::{Kind, config, options, probe, start, summary};

fn status(report: &Report, id: &str) -> Status {
    report
        .check(id)
        .map(|c| c.status)
        .unwrap_or_else(|| panic!("{id} did not run"))
}

#[test]
fn a_well_behaved_service_passes_every_live_check() {
    let server = start(Kind::Good);
    let (report, sent) = probe(&server.url(), &config(""));
    insta::assert_snapshot!("good", summary(&report));
    assert_eq!(
        status(&report, "live/tls"),
        Status::NotApplicable,
        "plain http"
    );
    for c in report.checks.iter().filter(|c| c.id != "live/tls") {
        assert_eq!(
            c.status,
            Status::Pass,
            "{}: {:?} {:?}",
            c.id,
            c.reason,
            c.findings
        );
    }
    assert!(report.gate.passed);
    assert_eq!(sent, server.requests(), "every request is counted once");
}

#[test]
fn a_flawed_service_fails_every_live_check() {
    let server = start(Kind::Flawed);
    let (report, sent) = probe(&server.url(), &config(""));
    insta::assert_snapshot!("flawed", summary(&report));
    for id in [
        "live/health",
        "live/metrics",
        "live/error-hygiene",
        "live/payload-limit",
        "live/correlation-id",
        "live/security-headers",
        "live/latency",
        "live/rate-limit",
        "live/keepalive",
    ] {
        assert_eq!(status(&report, id), Status::Fail, "{id}");
    }
    assert!(!report.gate.passed);
    assert_eq!(sent, server.requests());
}

#[test]
fn redirects_stay_on_the_host_and_undecidable_checks_do_not_apply() {
    let server = start(Kind::Odd);
    let (report, sent) = probe(&server.url(), &config(""));
    insta::assert_snapshot!("odd", summary(&report));
    assert_eq!(
        status(&report, "live/health"),
        Status::Pass,
        "/health → /health/ is followed"
    );
    assert_eq!(status(&report, "live/error-hygiene"), Status::Pass);
    assert_eq!(status(&report, "live/payload-limit"), Status::NotApplicable);
    assert_eq!(
        status(&report, "live/security-headers"),
        Status::NotApplicable
    );
    assert_eq!(status(&report, "live/keepalive"), Status::NotApplicable);
    assert_eq!(
        sent,
        server.requests(),
        "the off-host redirect was not followed"
    );
}

#[test]
fn an_http_1_0_server_without_post_is_told_apart_from_a_flawed_one() {
    let server = start(Kind::Legacy);
    let (report, sent) = probe(&server.url(), &config(""));
    insta::assert_snapshot!("legacy", summary(&report));
    assert_eq!(
        status(&report, "live/error-hygiene"),
        Status::Pass,
        "501: no POST there"
    );
    assert_eq!(status(&report, "live/payload-limit"), Status::NotApplicable);
    assert_eq!(status(&report, "live/keepalive"), Status::NotApplicable);
    assert_eq!(sent, server.requests());
}

#[test]
fn the_request_budget_is_never_exceeded() {
    let server = start(Kind::Good);
    let (report, sent) = probe(&server.url(), &config("budget = 3\n"));
    assert_eq!(sent, 3);
    assert!(
        server.requests() <= 3,
        "the server got {}",
        server.requests()
    );
    let stopped: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Error)
        .map(|c| c.id.as_str())
        .collect();
    assert!(!stopped.is_empty());
    for c in report.checks.iter().filter(|c| c.status == Status::Error) {
        assert!(
            c.reason
                .as_deref()
                .unwrap_or("")
                .contains("budget (3 requests) is used up"),
            "{:?}",
            c.reason
        );
    }
}

#[test]
fn an_unreachable_target_is_an_error_not_a_report() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    drop(listener);
    let target = ProbeTarget {
        url: format!("http://{addr}/"),
        manifest_health_paths: Vec::new(),
    };
    let err = match golive_probe::run(&config(""), &catalogue(), &target, &options()) {
        Ok(_) => panic!("an unreachable target must be an error"),
        Err(e) => e,
    };
    assert!(err.contains("unreachable"), "{err}");
    for bad in [
        "ftp://example.com/",
        "not a url",
        "http://user:pw@127.0.0.1/",
    ] {
        let target = ProbeTarget {
            url: bad.into(),
            manifest_health_paths: Vec::new(),
        };
        assert!(
            golive_probe::run(&config(""), &catalogue(), &target, &options()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn every_renderer_renders_a_live_report() {
    let server = start(Kind::Flawed);
    let (report, _) = probe(&server.url(), &config("health_paths = [\"/healthz\"]\n"));
    let metas: Vec<_> = catalogue().iter().map(|c| c.meta()).collect();
    let text = golive_report::render_text(
        &report,
        &golive_report::TextOptions {
            color: false,
            quiet: false,
            max_findings: 0,
        },
    );
    assert!(text.contains("Live service"), "{text}");
    assert!(text.contains(" · live probe\n"), "{text}");
    assert!(!text.contains("facets:"), "{text}");
    assert!(
        text.contains("Latency under load (10 rps for 2 s, 20 requests)"),
        "{text}"
    );
    assert!(text.contains("Largest metric families"), "{text}");
    assert!(
        text.contains('█'),
        "the latency bars show in the terminal: {text}"
    );
    assert!(golive_report::render_json(&report).contains("\"live/health\""));
    assert!(golive_report::render_sarif(&report, &metas).contains("live/error-hygiene"));
    assert!(golive_report::render_junit(&report).contains("live/keepalive"));
    assert!(golive_report::render_markdown(&report).contains("live/payload-limit"));
    let html = golive_report::render_html(&report);
    assert!(html.contains("live/correlation-id"));
    assert!(
        html.contains("Latency under load"),
        "the latency table is in the HTML report"
    );
    let _ = golive_report::render_github(&report);
}

#[test]
fn load_requests_are_counted_against_the_same_budget() {
    let server = start(Kind::Good);
    let config = golive_core::config::ProbeConfig {
        budget: 3,
        ..Default::default()
    };
    let base = url::Url::parse(&server.url()).unwrap_or_else(|e| panic!("{e}"));
    let http = golive_probe::Http::new(base, &config).unwrap_or_else(|e| panic!("{e}"));
    let results: Vec<_> = http.runtime().block_on(async {
        let mut out = Vec::new();
        for _ in 0..5 {
            out.push(
                http.send_unlogged(&golive_probe::Request::get("/healthz"))
                    .await,
            );
        }
        out
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3);
    assert!(matches!(
        results.last(),
        Some(Err(golive_probe::ProbeError::Budget { budget: 3 }))
    ));
    assert_eq!(server.requests(), 3);
    assert!(
        http.take_log().is_empty(),
        "load requests are not logged one by one"
    );
}

#[test]
fn a_load_takes_its_requests_from_the_run_budget_up_front() {
    let server = start(Kind::Good);
    // 10 rps for 2 s: 20 requests reserved, within a budget of 25.
    let mut c = config("budget = 25\n");
    c.select = vec!["live/latency".into()];
    let (report, sent) = probe(&server.url(), &c);
    assert_eq!(status(&report, "live/latency"), Status::Pass);
    assert_eq!(sent, 20);
    assert_eq!(
        server.requests(),
        20,
        "what was reserved and not sent is given back"
    );
    // A budget of 15 leaves fewer than the 20 a load needs: an error, nothing sent.
    let server = start(Kind::Good);
    let mut c = config("budget = 15\n");
    c.select = vec!["live/latency".into()];
    let (report, sent) = probe(&server.url(), &c);
    assert_eq!(status(&report, "live/latency"), Status::Error);
    let reason = report
        .check("live/latency")
        .and_then(|c| c.reason.clone())
        .unwrap_or_default();
    assert!(
        reason.contains("budget (15 requests) is used up"),
        "{reason}"
    );
    assert_eq!((sent, server.requests()), (0, 0));
}
