//! live/tls against tokio-rustls loopback servers speaking HTTP/1.1, with rcgen certificates
//! signed by a test CA that the probe trusts through `[probe] ca_file`.

mod support;

use golive_core::Status;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use time::{Duration as Days, OffsetDateTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Server {
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A CA (written as PEM to `ca_pem`) and an https server on 127.0.0.1 whose leaf, signed by
/// it, expires in `days_left` days; it answers every request 200, with `hsts` if given.
fn serve(ca_pem: &std::path::Path, days_left: i64, hsts: Option<&'static str>) -> Server {
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "golive test CA");
    ca.not_before = OffsetDateTime::now_utc() - Days::days(365);
    ca.not_after = OffsetDateTime::now_utc() + Days::days(3650);
    let ca_key = KeyPair::generate().expect("key");
    let ca_cert = ca.self_signed(&ca_key).expect("ca");
    std::fs::write(ca_pem, ca_cert.pem()).expect("write ca");
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, "shop.test");
    params.not_before = OffsetDateTime::now_utc() - Days::days(30);
    params.not_after = OffsetDateTime::now_utc() + Days::days(days_left) + Days::hours(1);
    let key = KeyPair::generate().expect("key");
    let leaf = params
        .signed_by(&key, &Issuer::from_params(&ca, &ca_key))
        .expect("leaf");
    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(rustls::ALL_VERSIONS)
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let accept = async {
                loop {
                    let Ok((tcp, _)) = listener.accept().await else {
                        continue;
                    };
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        let Ok(mut tls) = acceptor.accept(tcp).await else {
                            return;
                        };
                        let mut head = Vec::new();
                        let mut chunk = [0u8; 4096];
                        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                            match tls.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => head.extend_from_slice(&chunk[..n]),
                            }
                        }
                        let mut out = String::from(
                            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n",
                        );
                        if let Some(h) = hsts {
                            out.push_str(&format!("Strict-Transport-Security: {h}\r\n"));
                        }
                        out.push_str("\r\nok");
                        let _ = tls.write_all(out.as_bytes()).await;
                        let _ = tls.shutdown().await;
                    });
                }
            };
            tokio::select! {
                _ = accept => {}
                _ = stopped => {}
            }
        });
    });
    Server {
        port,
        stop: Some(stop),
        thread: Some(thread),
    }
}

/// The temporary folder and the dates (relative to today) out of the summary.
fn normalise(text: &str, dir: &std::path::Path) -> String {
    let text = text.replace(&dir.display().to_string(), "TMP");
    let date = regex::Regex::new(r"\b\d{4}-\d{2}-\d{2}\b").expect("regex");
    date.replace_all(&text, "YYYY-MM-DD").into_owned()
}

fn probe_tls(server: &Server, ca_pem: &std::path::Path) -> (golive_core::Report, u32) {
    let mut config = support::config(&format!("ca_file = \"{}\"\n", ca_pem.display()));
    config.select = vec!["live/tls".into()];
    support::probe(&format!("https://127.0.0.1:{}/", server.port), &config)
}

#[test]
fn a_valid_certificate_with_hsts_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("ca.pem");
    let server = serve(&ca, 90, Some("max-age=31536000; includeSubDomains"));
    let (report, sent) = probe_tls(&server, &ca);
    let text = normalise(&support::summary(&report), dir.path());
    insta::assert_snapshot!("tls_valid", text);
    assert_eq!(
        report.check("live/tls").map(|c| c.status),
        Some(Status::Pass),
        "{text}"
    );
    assert_eq!(sent, 1, "one GET for HSTS; the handshakes are not requests");
}

#[test]
fn a_certificate_expiring_in_5_days_without_hsts_fails_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("ca.pem");
    let server = serve(&ca, 5, None);
    let (report, _) = probe_tls(&server, &ca);
    let text = normalise(&support::summary(&report), dir.path());
    insta::assert_snapshot!("tls_expiring", text);
    let check = report.check("live/tls").expect("live/tls ran");
    assert_eq!(check.status, Status::Fail, "{text}");
    assert_eq!(check.findings.len(), 2, "{text}");
    assert!(check.findings[0].message.contains("in 5 days"), "{text}");
    assert!(
        check.findings[1]
            .message
            .contains("Strict-Transport-Security"),
        "{text}"
    );
}
