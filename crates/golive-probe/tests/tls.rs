//! TLS inspection against tokio-rustls loopback servers with rcgen certificates.

use std::sync::Arc;

use golive_probe::tls::{
    CertProblem, Roots, TlsError, TlsVersion, Verification, inspect, inspect_blocking,
    probe_versions,
};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration as Days, OffsetDateTime};
use tokio::io::AsyncWriteExt;

struct Ca {
    params: CertificateParams,
    key: KeyPair,
    der: CertificateDer<'static>,
}

fn ca() -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "golive test CA");
    params.not_before = OffsetDateTime::now_utc() - Days::days(365);
    params.not_after = OffsetDateTime::now_utc() + Days::days(3650);
    let key = KeyPair::generate().unwrap();
    let der = params.self_signed(&key).unwrap().der().clone();
    Ca { params, key, der }
}

struct Leaf {
    der: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

/// A leaf for `names`, valid from `from_days` to `to_days` relative to now, signed by `ca`
/// (or self-signed when `ca` is `None`).
fn leaf(ca: Option<&Ca>, names: &[&str], from_days: i64, to_days: i64) -> Leaf {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, names.first().copied().unwrap_or("leaf"));
    params.not_before = OffsetDateTime::now_utc() + Days::days(from_days);
    params.not_after = OffsetDateTime::now_utc() + Days::days(to_days);
    let key = KeyPair::generate().unwrap();
    let cert = match ca {
        Some(ca) => {
            let issuer = Issuer::from_params(&ca.params, &ca.key);
            params.signed_by(&key, &issuer).unwrap()
        }
        None => params.self_signed(&key).unwrap(),
    };
    Leaf {
        der: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

/// Serves TLS on a loopback port with `chain`; `tls12_only` limits the server to TLS 1.2.
async fn serve(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    tls12_only: bool,
) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&'static rustls::SupportedProtocolVersion] = if tls12_only {
        &[&rustls::version::TLS12]
    } else {
        rustls::ALL_VERSIONS
    };
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
    port
}

async fn serve_leaf(leaf: Leaf, tls12_only: bool) -> u16 {
    serve(vec![leaf.der], leaf.key, tls12_only).await
}

fn roots(ca: &Ca) -> Roots {
    Roots::Custom(vec![ca.der.clone()])
}

#[tokio::test]
async fn valid_certificate() {
    let ca = ca();
    let l = leaf(Some(&ca), &["localhost"], -1, 90);
    let port = serve(vec![l.der.clone(), ca.der.clone()], l.key, false).await;
    let facts = inspect("127.0.0.1", port, "localhost", &roots(&ca))
        .await
        .unwrap();
    assert_eq!(facts.verification, Verification::Valid);
    assert_eq!(facts.version, TlsVersion::Tls1_3);
    assert!(
        facts.cipher_suite.starts_with("TLS13_"),
        "{}",
        facts.cipher_suite
    );
    assert_eq!(facts.chain.len(), 2);
    let leaf = facts.leaf().unwrap();
    assert_eq!(leaf.subject, "CN=localhost");
    assert_eq!(leaf.issuer, "CN=golive test CA");
    assert_eq!(leaf.sans, vec!["localhost".to_string()]);
    assert!((89..=90).contains(&leaf.days_left), "{}", leaf.days_left);
    assert!(!leaf.self_signed);
    assert!(facts.chain[1].self_signed, "the CA is self-signed");
    assert!(leaf.not_before < leaf.not_after);
}

#[tokio::test]
async fn expired_certificate() {
    let ca = ca();
    let port = serve_leaf(leaf(Some(&ca), &["localhost"], -30, -2), false).await;
    let facts = inspect("127.0.0.1", port, "localhost", &roots(&ca))
        .await
        .unwrap();
    match &facts.verification {
        Verification::Invalid { problem, .. } => assert_eq!(*problem, CertProblem::Expired),
        other => panic!("expected expired, got {other:?}"),
    }
    let days = facts.leaf().unwrap().days_left;
    assert!((-3..=-2).contains(&days), "{days}");
}

#[tokio::test]
async fn certificate_expiring_in_5_days_is_valid_with_5_days_left() {
    let ca = ca();
    let port = serve_leaf(leaf(Some(&ca), &["localhost"], -60, 5), false).await;
    let facts = inspect("127.0.0.1", port, "localhost", &roots(&ca))
        .await
        .unwrap();
    assert!(facts.verification.is_valid());
    let days = facts.leaf().unwrap().days_left;
    assert!((4..=5).contains(&days), "{days}");
}

#[tokio::test]
async fn private_ca_is_an_untrusted_issuer() {
    let ca = ca();
    let port = serve_leaf(leaf(Some(&ca), &["localhost"], -1, 90), false).await;
    let facts = inspect("127.0.0.1", port, "localhost", &Roots::WebPki)
        .await
        .unwrap();
    match &facts.verification {
        Verification::Invalid { problem, .. } => assert_eq!(*problem, CertProblem::UntrustedIssuer),
        other => panic!("expected an untrusted issuer, got {other:?}"),
    }
    assert!(!facts.leaf().unwrap().self_signed);
}

#[tokio::test]
async fn wrong_name() {
    let ca = ca();
    let port = serve_leaf(leaf(Some(&ca), &["other.example"], -1, 90), false).await;
    let facts = inspect("127.0.0.1", port, "localhost", &roots(&ca))
        .await
        .unwrap();
    match &facts.verification {
        Verification::Invalid { problem, message } => {
            assert_eq!(*problem, CertProblem::WrongName, "{message}");
        }
        other => panic!("expected a name mismatch, got {other:?}"),
    }
    assert_eq!(
        facts.leaf().unwrap().sans,
        vec!["other.example".to_string()]
    );
}

#[tokio::test]
async fn self_signed_certificate() {
    let ca = ca();
    let port = serve_leaf(leaf(None, &["localhost"], -1, 90), false).await;
    let facts = inspect("127.0.0.1", port, "localhost", &roots(&ca))
        .await
        .unwrap();
    match &facts.verification {
        Verification::Invalid { problem, .. } => assert_eq!(*problem, CertProblem::SelfSigned),
        other => panic!("expected a self-signed verdict, got {other:?}"),
    }
    assert!(facts.leaf().unwrap().self_signed);
    // Not trusted by the public roots either.
    let public = inspect("127.0.0.1", port, "localhost", &Roots::WebPki)
        .await
        .unwrap();
    assert!(!public.verification.is_valid());
}

#[tokio::test]
async fn tls12_only_server() {
    let ca = ca();
    let port = serve_leaf(leaf(Some(&ca), &["localhost"], -1, 90), true).await;
    let facts = inspect("127.0.0.1", port, "localhost", &roots(&ca))
        .await
        .unwrap();
    assert_eq!(facts.version, TlsVersion::Tls1_2);
    assert!(
        facts.cipher_suite.starts_with("TLS_ECDHE_"),
        "{}",
        facts.cipher_suite
    );
    assert!(facts.verification.is_valid());

    let v = probe_versions("127.0.0.1", port, "localhost")
        .await
        .unwrap();
    assert!(v.tls1_2.is_accepted(), "{:?}", v.tls1_2);
    assert!(!v.tls1_3.is_accepted(), "{:?}", v.tls1_3);
    assert!(!v.tls1_1.is_accepted(), "{:?}", v.tls1_1);
    assert!(!v.tls1_0.is_accepted(), "{:?}", v.tls1_0);
    assert_eq!(v.min_accepted(), Some(TlsVersion::Tls1_2));
    assert_eq!(v.max_accepted(), Some(TlsVersion::Tls1_2));
}

#[tokio::test]
async fn modern_server_versions() {
    let ca = ca();
    let port = serve_leaf(leaf(Some(&ca), &["localhost"], -1, 90), false).await;
    let v = probe_versions("127.0.0.1", port, "localhost")
        .await
        .unwrap();
    assert_eq!(v.accepted(), vec![TlsVersion::Tls1_2, TlsVersion::Tls1_3]);
    // rustls answers a TLS 1.0 ClientHello with an alert (handshake_failure: none of the
    // legacy suites is one it has).
    match &v.tls1_0 {
        golive_probe::tls::Acceptance::Refused { reason } => {
            assert!(reason.starts_with("alert "), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

/// A fake legacy server: answers any ClientHello with a ServerHello choosing TLS 1.0.
#[tokio::test]
async fn legacy_server_accepting_tls10() {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 512];
                let _ = tcp.read(&mut buf).await;
                // ServerHello: record(handshake, TLS 1.0), type 2, version 3.1, random...
                let mut answer = vec![
                    0x16, 0x03, 0x01, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x01,
                ];
                answer.extend_from_slice(&[0u8; 32]);
                answer.extend_from_slice(&[0x00, 0xc0, 0x14, 0x00]);
                let _ = tcp.write_all(&answer).await;
            });
        }
    });
    let v = probe_versions("127.0.0.1", port, "localhost")
        .await
        .unwrap();
    assert!(v.tls1_0.is_accepted(), "{:?}", v.tls1_0);
    assert!(
        !v.tls1_1.is_accepted(),
        "it chose 1.0 when offered 1.1: {:?}",
        v.tls1_1
    );
    assert!(!v.tls1_2.is_accepted());
    assert_eq!(v.min_accepted(), Some(TlsVersion::Tls1_0));
}

#[tokio::test]
async fn unreachable_server_is_an_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = inspect("127.0.0.1", port, "localhost", &Roots::WebPki)
        .await
        .unwrap_err();
    assert!(matches!(err, TlsError::Connect { .. }), "{err}");
    assert!(
        probe_versions("127.0.0.1", port, "localhost")
            .await
            .is_err()
    );
    let err = inspect("127.0.0.1", 443, "not a name!", &Roots::WebPki)
        .await
        .unwrap_err();
    assert_eq!(err, TlsError::InvalidServerName("not a name!".to_string()));
}

#[tokio::test]
async fn plain_http_server_is_a_handshake_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else {
                return;
            };
            let _ = tcp
                .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    let err = inspect("127.0.0.1", port, "localhost", &Roots::WebPki)
        .await
        .unwrap_err();
    assert!(matches!(err, TlsError::Handshake { .. }), "{err}");
}

#[test]
fn blocking_wrapper() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ca = ca();
    let port = rt.block_on(serve_leaf(leaf(Some(&ca), &["localhost"], -1, 30), false));
    let facts = inspect_blocking("127.0.0.1", port, "localhost", &roots(&ca)).unwrap();
    assert!(facts.verification.is_valid());
    let inside =
        rt.block_on(async { inspect_blocking("127.0.0.1", port, "localhost", &roots(&ca)) });
    assert!(
        inside.is_err(),
        "blocking inside a runtime must refuse, not panic"
    );
}

/// A real legacy server: OpenSSL's `s_server` accepting TLS 1.0 to 1.3, with a certificate made
/// by `openssl req -x509` (self-signed and `CA:TRUE`). `.ci/setup` installs `openssl` when it is
/// missing; without it the test fails rather than passing unseen.
#[tokio::test]
async fn openssl_server_accepting_tls10_to_13() {
    let out = std::process::Command::new("openssl")
        .arg("version")
        .output()
        .expect("the openssl command (Debian's openssl package): run .ci/setup");
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-cipher",
            "DEFAULT@SECLEVEL=0",
            "-min_protocol",
            "TLSv1",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut ready = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let versions = if ready {
        Some(probe_versions("127.0.0.1", port, "localhost").await)
    } else {
        None
    };
    let facts = if ready {
        Some(inspect("127.0.0.1", port, "localhost", &Roots::WebPki).await)
    } else {
        None
    };
    let _ = server.kill();
    let _ = server.wait();
    assert!(ready, "openssl s_server did not start");
    let v = versions.unwrap().unwrap();
    assert!(v.tls1_0.is_accepted(), "{:?}", v.tls1_0);
    assert!(v.tls1_1.is_accepted(), "{:?}", v.tls1_1);
    assert!(v.tls1_2.is_accepted(), "{:?}", v.tls1_2);
    assert!(v.tls1_3.is_accepted(), "{:?}", v.tls1_3);
    assert_eq!(v.min_accepted(), Some(TlsVersion::Tls1_0));
    let facts = facts.unwrap().unwrap();
    assert_eq!(facts.version, TlsVersion::Tls1_3);
    assert!(facts.leaf().unwrap().self_signed);
    match &facts.verification {
        Verification::Invalid { problem, .. } => assert_eq!(*problem, CertProblem::SelfSigned),
        other => panic!("{other:?}"),
    }
}
