//! TLS inspection: what a server negotiates, the chain it presents, whether that chain verifies
//! for a name, which protocol versions it accepts, and HSTS parsing.
//!
//! ```no_run
//! use golive_probe::tls::{Roots, inspect, probe_versions};
//!
//! # async fn demo() -> Result<(), golive_probe::tls::TlsError> {
//! let facts = inspect("example.com", 443, "example.com", &Roots::WebPki).await?;
//! println!("{} {} valid: {:?}", facts.version, facts.cipher_suite, facts.verification);
//! if let Some(leaf) = facts.chain.first() {
//!     println!("{} expires in {} days", leaf.subject, leaf.days_left);
//! }
//! let versions = probe_versions("example.com", 443, "example.com").await?;
//! println!("oldest accepted: {:?}", versions.min_accepted());
//! # Ok(()) }
//! ```
//!
//! # Limits
//!
//! * The handshake is made with rustls, which speaks only TLS 1.2 and 1.3, with the `ring`
//!   provider's cipher suites (AES-GCM and ChaCha20-Poly1305, ECDHE). `inspect` reports what
//!   rustls and the server agree on; a server whose only suites are ones rustls lacks (CBC, RSA
//!   key exchange) fails the handshake and is reported as a handshake error, not as invalid.
//! * TLS 1.0 and 1.1 cannot be negotiated by rustls. [`probe_versions`] detects whether the
//!   server *accepts* them by sending a hand-written TLS 1.0/1.1 ClientHello (with the CBC and
//!   3DES suites of that era) and reading the version of the ServerHello; it never completes
//!   those handshakes. A server that accepts the version only with a suite we do not offer is
//!   reported as refusing it. SSL 3 is not probed.
//! * The chain is verified by webpki against the roots given (Mozilla's roots by default, the
//!   system's, or custom ones for tests), for the name given, at the current time. Revocation
//!   (OCSP, CRL) is not checked.
//! * To read the chain even when it does not verify, the handshake always completes: the
//!   verification result is recorded, not enforced. Nothing is sent over the connection.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Connect plus handshake time allowed by [`inspect`] and [`probe_versions`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Installs rustls's `ring` provider as the process default if no provider is installed yet.
/// reqwest (built without a provider of its own here) needs one before a `Client` is built;
/// calling this more than once is harmless. The functions of this module do not need it.
pub fn ensure_crypto_provider() {
    if CryptoProvider::get_default().is_none() {
        // Fails only if another thread installed one meanwhile, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Trust anchors to verify the chain against.
#[derive(Debug, Clone, Default)]
pub enum Roots {
    /// Mozilla's root program, compiled in (`webpki-roots`): the same answer on every machine.
    #[default]
    WebPki,
    /// The operating system's store (`rustls-native-certs`): what the service's clients on this
    /// machine would trust, including a corporate CA.
    Native,
    /// These certificates only (tests, private CAs).
    Custom(Vec<CertificateDer<'static>>),
}

impl Roots {
    fn store(&self) -> Result<RootCertStore, TlsError> {
        let mut store = RootCertStore::empty();
        match self {
            Roots::WebPki => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Roots::Native => {
                let loaded = rustls_native_certs::load_native_certs();
                let (added, _) = store.add_parsable_certificates(loaded.certs);
                if added == 0 {
                    let why = loaded
                        .errors
                        .first()
                        .map_or_else(|| "no certificates found".to_string(), |e| e.to_string());
                    return Err(TlsError::Roots(format!("the system trust store: {why}")));
                }
            }
            Roots::Custom(certs) => {
                let (added, _) = store.add_parsable_certificates(certs.iter().cloned());
                if added == 0 {
                    return Err(TlsError::Roots(
                        "none of the custom root certificates parses".to_string(),
                    ));
                }
            }
        }
        Ok(store)
    }
}

/// A TLS protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    Tls1_0,
    Tls1_1,
    Tls1_2,
    Tls1_3,
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsVersion::Tls1_0 => "TLS 1.0",
            TlsVersion::Tls1_1 => "TLS 1.1",
            TlsVersion::Tls1_2 => "TLS 1.2",
            TlsVersion::Tls1_3 => "TLS 1.3",
        })
    }
}

/// One certificate of the presented chain (leaf first, in the order the server sent them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// Distinguished name, RFC 4514 style (`CN=example.com, O=Example`).
    pub subject: String,
    pub issuer: String,
    /// Subject alternative names: DNS names as written, IP addresses formatted.
    pub sans: Vec<String>,
    /// Validity start, seconds since the epoch.
    pub not_before: i64,
    /// Validity end, seconds since the epoch.
    pub not_after: i64,
    /// Whole days from now until `not_after` (negative once expired).
    pub days_left: i64,
    /// Issuer equals subject and the certificate's signature verifies with its own key.
    pub self_signed: bool,
    /// Serial number in hex (`0a:1b:...`).
    pub serial: String,
}

/// Why the chain does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertProblem {
    Expired,
    NotYetValid,
    /// The certificate is not valid for the server name.
    WrongName,
    /// No path to a trusted root (a private CA, a missing intermediate).
    UntrustedIssuer,
    /// The leaf is self-signed (and not trusted as such).
    SelfSigned,
    Revoked,
    BadSignature,
    Other,
}

/// The verification of the presented chain for the server name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Valid,
    Invalid {
        problem: CertProblem,
        /// rustls's description.
        message: String,
    },
}

impl Verification {
    pub fn is_valid(&self) -> bool {
        matches!(self, Verification::Valid)
    }
}

/// What a TLS handshake showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFacts {
    /// The name sent as SNI and verified against.
    pub server_name: String,
    /// The version rustls and the server agreed on (the highest both speak).
    pub version: TlsVersion,
    /// IANA-style suite name (`TLS13_AES_256_GCM_SHA384`, `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub cipher_suite: String,
    /// The chain as presented, leaf first.
    pub chain: Vec<CertInfo>,
    pub verification: Verification,
}

impl TlsFacts {
    /// The leaf certificate.
    pub fn leaf(&self) -> Option<&CertInfo> {
        self.chain.first()
    }
}

/// Why a TLS probe could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    #[error("`{0}` is not a valid TLS server name")]
    InvalidServerName(String),
    #[error("cannot connect to {addr}: {message}")]
    Connect { addr: String, message: String },
    #[error("no TLS handshake with {addr} within {} s", .timeout.as_secs_f64())]
    Timeout { addr: String, timeout: Duration },
    #[error("TLS handshake with {addr} failed: {message}")]
    Handshake { addr: String, message: String },
    #[error("cannot load trust anchors from {0}")]
    Roots(String),
    #[error("TLS configuration: {0}")]
    Config(String),
}

/// Records the presented chain and the verification result, and lets the handshake go on.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    outcome: Mutex<Option<Verification>>,
}

impl RecordingVerifier {
    fn outcome(&self) -> Option<Verification> {
        self.outcome.lock().ok().and_then(|o| o.clone())
    }
}

fn classify(err: &rustls::Error) -> CertProblem {
    match err {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                CertProblem::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                CertProblem::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                CertProblem::WrongName
            }
            CertificateError::UnknownIssuer => CertProblem::UntrustedIssuer,
            CertificateError::Revoked => CertProblem::Revoked,
            CertificateError::BadSignature => CertProblem::BadSignature,
            _ => CertProblem::Other,
        },
        _ => CertProblem::Other,
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(inner) = &self.inner {
            let verification = match inner.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ) {
                Ok(_) => Verification::Valid,
                Err(e) => Verification::Invalid {
                    problem: classify(&e),
                    message: e.to_string(),
                },
            };
            if let Ok(mut o) = self.outcome.lock() {
                *o = Some(verification);
            }
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn server_name(name: &str) -> Result<ServerName<'static>, TlsError> {
    ServerName::try_from(name.to_string())
        .map_err(|_| TlsError::InvalidServerName(name.to_string()))
}

fn addr_of(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

async fn connect(addr: &str, timeout: Duration) -> Result<TcpStream, TlsError> {
    match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(TlsError::Connect {
            addr: addr.to_string(),
            message: e.to_string(),
        }),
        Err(_) => Err(TlsError::Timeout {
            addr: addr.to_string(),
            timeout,
        }),
    }
}

struct Handshake {
    version: Option<TlsVersion>,
    cipher_suite: String,
    chain: Vec<CertificateDer<'static>>,
}

async fn handshake(
    addr: &str,
    name: ServerName<'static>,
    versions: &[&'static rustls::SupportedProtocolVersion],
    verifier: Arc<RecordingVerifier>,
    timeout: Duration,
) -> Result<Handshake, TlsError> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .map_err(|e| TlsError::Config(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let work = async {
        let tcp = connect(addr, timeout).await?;
        let mut tls = connector
            .connect(name, tcp)
            .await
            .map_err(|e| TlsError::Handshake {
                addr: addr.to_string(),
                message: e.to_string(),
            })?;
        let (_, conn) = tls.get_ref();
        let version = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => Some(TlsVersion::Tls1_3),
            Some(rustls::ProtocolVersion::TLSv1_2) => Some(TlsVersion::Tls1_2),
            _ => None,
        };
        let cipher_suite = conn
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()))
            .unwrap_or_default();
        let chain = conn
            .peer_certificates()
            .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
            .unwrap_or_default();
        let _ = tls.shutdown().await;
        Ok(Handshake {
            version,
            cipher_suite,
            chain,
        })
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(r) => r,
        Err(_) => Err(TlsError::Timeout {
            addr: addr.to_string(),
            timeout,
        }),
    }
}

/// Connects to `host:port`, handshakes with SNI `server_name` (TLS 1.3 or 1.2) and reports the
/// version, suite, chain and whether the chain verifies for `server_name` against `roots`.
/// Uses [`DEFAULT_TIMEOUT`].
pub async fn inspect(
    host: &str,
    port: u16,
    server_name: &str,
    roots: &Roots,
) -> Result<TlsFacts, TlsError> {
    inspect_with_timeout(host, port, server_name, roots, DEFAULT_TIMEOUT).await
}

/// [`inspect`] with a timeout for connect plus handshake.
pub async fn inspect_with_timeout(
    host: &str,
    port: u16,
    name: &str,
    roots: &Roots,
    timeout: Duration,
) -> Result<TlsFacts, TlsError> {
    let sni = server_name(name)?;
    let store = roots.store()?;
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider())
        .build()
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let verifier = Arc::new(RecordingVerifier {
        inner: Some(inner),
        provider: provider(),
        outcome: Mutex::new(None),
    });
    let addr = addr_of(host, port);
    let hs = handshake(
        &addr,
        sni,
        rustls::ALL_VERSIONS,
        Arc::clone(&verifier),
        timeout,
    )
    .await?;
    let Some(version) = hs.version else {
        return Err(TlsError::Handshake {
            addr,
            message: "no protocol version negotiated".to_string(),
        });
    };
    let now = unix_now();
    let chain: Vec<CertInfo> = hs.chain.iter().map(|der| cert_info(der, now)).collect();
    let mut verification = verifier.outcome().unwrap_or(Verification::Invalid {
        problem: CertProblem::Other,
        message: "the server presented no certificate".to_string(),
    });
    // webpki says "unknown issuer" for a self-signed leaf, or "CA used as end entity" when it
    // carries `CA:TRUE` (as `openssl req -x509` makes them): say what it is.
    if let Verification::Invalid { problem, .. } = &mut verification
        && matches!(problem, CertProblem::UntrustedIssuer | CertProblem::Other)
        && chain.first().is_some_and(|leaf| leaf.self_signed)
    {
        *problem = CertProblem::SelfSigned;
    }
    Ok(TlsFacts {
        server_name: name.to_string(),
        version,
        cipher_suite: hs.cipher_suite,
        chain,
        verification,
    })
}

/// [`inspect`] on a runtime of its own, for synchronous callers (fails inside a Tokio runtime).
pub fn inspect_blocking(
    host: &str,
    port: u16,
    server_name: &str,
    roots: &Roots,
) -> Result<TlsFacts, TlsError> {
    block_on(inspect(host, port, server_name, roots))
}

fn block_on<T>(fut: impl Future<Output = Result<T, TlsError>>) -> Result<T, TlsError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(TlsError::Config(
            "blocking TLS probe called inside a Tokio runtime: await the async function".into(),
        ));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| TlsError::Config(e.to_string()))?;
    rt.block_on(fut)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn cert_info(der: &CertificateDer<'_>, now: i64) -> CertInfo {
    use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
    match X509Certificate::from_der(der.as_ref()) {
        Ok((_, cert)) => {
            let not_before = cert.validity().not_before.timestamp();
            let not_after = cert.validity().not_after.timestamp();
            let sans = match cert.subject_alternative_name() {
                Ok(Some(ext)) => ext
                    .value
                    .general_names
                    .iter()
                    .filter_map(|n| match n {
                        GeneralName::DNSName(d) => Some((*d).to_string()),
                        GeneralName::IPAddress(ip) => format_ip(ip),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let self_signed = cert.subject().as_raw() == cert.issuer().as_raw()
                && cert.verify_signature(None).is_ok();
            CertInfo {
                subject: cert.subject().to_string(),
                issuer: cert.issuer().to_string(),
                sans,
                not_before,
                not_after,
                days_left: (not_after.saturating_sub(now)).div_euclid(86_400),
                self_signed,
                serial: cert.raw_serial_as_string(),
            }
        }
        Err(e) => CertInfo {
            subject: format!("(unparsable certificate: {e})"),
            issuer: String::new(),
            sans: Vec::new(),
            not_before: 0,
            not_after: 0,
            days_left: 0,
            self_signed: false,
            serial: String::new(),
        },
    }
}

fn format_ip(bytes: &[u8]) -> Option<String> {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        return Some(std::net::Ipv4Addr::from(v4).to_string());
    }
    if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        return Some(std::net::Ipv6Addr::from(v6).to_string());
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Protocol versions
// ---------------------------------------------------------------------------------------------

/// Whether the server accepts one protocol version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acceptance {
    /// The server agreed to it (`detail`: the suite, or what the ServerHello said).
    Accepted { detail: String },
    /// The server refused (alert, closed connection, or chose another version).
    Refused { reason: String },
    /// No answer either way (timeout).
    Unknown { reason: String },
}

impl Acceptance {
    pub fn is_accepted(&self) -> bool {
        matches!(self, Acceptance::Accepted { .. })
    }
}

/// Which protocol versions a server accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSupport {
    /// From a raw TLS 1.0 ClientHello (rustls cannot speak TLS 1.0).
    pub tls1_0: Acceptance,
    /// From a raw TLS 1.1 ClientHello (rustls cannot speak TLS 1.1).
    pub tls1_1: Acceptance,
    /// From a rustls handshake limited to TLS 1.2.
    pub tls1_2: Acceptance,
    /// From a rustls handshake limited to TLS 1.3.
    pub tls1_3: Acceptance,
}

impl VersionSupport {
    fn all(&self) -> [(TlsVersion, &Acceptance); 4] {
        [
            (TlsVersion::Tls1_0, &self.tls1_0),
            (TlsVersion::Tls1_1, &self.tls1_1),
            (TlsVersion::Tls1_2, &self.tls1_2),
            (TlsVersion::Tls1_3, &self.tls1_3),
        ]
    }

    /// The versions accepted, oldest first.
    pub fn accepted(&self) -> Vec<TlsVersion> {
        self.all()
            .into_iter()
            .filter(|(_, a)| a.is_accepted())
            .map(|(v, _)| v)
            .collect()
    }

    /// The oldest version accepted.
    pub fn min_accepted(&self) -> Option<TlsVersion> {
        self.accepted().first().copied()
    }

    /// The newest version accepted.
    pub fn max_accepted(&self) -> Option<TlsVersion> {
        self.accepted().last().copied()
    }
}

/// Tries each of TLS 1.0, 1.1, 1.2 and 1.3 on its own connection to `host:port` with SNI
/// `server_name`. Certificates are not verified here (see [`inspect`]). Fails only when the
/// server cannot be reached at all.
pub async fn probe_versions(
    host: &str,
    port: u16,
    server_name: &str,
) -> Result<VersionSupport, TlsError> {
    probe_versions_with_timeout(host, port, server_name, DEFAULT_TIMEOUT).await
}

/// [`probe_versions`] on a runtime of its own (fails inside a Tokio runtime).
pub fn probe_versions_blocking(
    host: &str,
    port: u16,
    server_name: &str,
) -> Result<VersionSupport, TlsError> {
    block_on(probe_versions(host, port, server_name))
}

/// [`probe_versions`] with a timeout per attempt.
pub async fn probe_versions_with_timeout(
    host: &str,
    port: u16,
    name: &str,
    timeout: Duration,
) -> Result<VersionSupport, TlsError> {
    let sni = server_name(name)?;
    let addr = addr_of(host, port);
    // Reachability first, so that "refused" below means refused by TLS.
    drop(connect(&addr, timeout).await?);
    let modern = |v: &'static rustls::SupportedProtocolVersion| {
        let sni = sni.clone();
        let addr = addr.clone();
        async move {
            let verifier = Arc::new(RecordingVerifier {
                inner: None,
                provider: provider(),
                outcome: Mutex::new(None),
            });
            match handshake(&addr, sni, &[v], verifier, timeout).await {
                Ok(hs) => Acceptance::Accepted {
                    detail: hs.cipher_suite,
                },
                Err(TlsError::Timeout { .. }) => Acceptance::Unknown {
                    reason: format!("no answer within {} s", timeout.as_secs_f64()),
                },
                Err(e) => Acceptance::Refused {
                    reason: e.to_string(),
                },
            }
        }
    };
    let tls1_3 = modern(&rustls::version::TLS13).await;
    let tls1_2 = modern(&rustls::version::TLS12).await;
    let sni_host = match &sni {
        ServerName::DnsName(d) => Some(d.as_ref().to_string()),
        _ => None,
    };
    let tls1_0 = legacy_probe(&addr, 0x0301, sni_host.as_deref(), timeout).await;
    let tls1_1 = legacy_probe(&addr, 0x0302, sni_host.as_deref(), timeout).await;
    Ok(VersionSupport {
        tls1_0,
        tls1_1,
        tls1_2,
        tls1_3,
    })
}

/// Suites a TLS 1.0/1.1 server would pick from: ECDHE and RSA key exchange with AES-CBC, 3DES,
/// DHE, and the renegotiation SCSV.
const LEGACY_SUITES: [u16; 10] = [
    0xc014, 0xc013, 0xc00a, 0xc009, 0x0039, 0x0033, 0x0035, 0x002f, 0x000a, 0x00ff,
];

/// A TLS ClientHello offering `version` (0x0301 = TLS 1.0, 0x0302 = TLS 1.1) at most.
pub(crate) fn legacy_client_hello(version: u16, sni: Option<&str>, random: [u8; 32]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&version.to_be_bytes());
    body.extend_from_slice(&random);
    body.push(0); // no session id
    let suites: Vec<u8> = LEGACY_SUITES.iter().flat_map(|s| s.to_be_bytes()).collect();
    push_u16(&mut body, suites.len());
    body.extend_from_slice(&suites);
    body.extend_from_slice(&[1, 0]); // compression: null
    let mut ext = Vec::new();
    if let Some(host) = sni.filter(|h| h.len() < 256) {
        let name = host.as_bytes();
        ext.extend_from_slice(&[0, 0]); // server_name
        push_u16(&mut ext, name.len() + 5);
        push_u16(&mut ext, name.len() + 3);
        ext.push(0); // host_name
        push_u16(&mut ext, name.len());
        ext.extend_from_slice(name);
    }
    // supported_groups: x25519, secp256r1, secp384r1
    ext.extend_from_slice(&[
        0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18,
    ]);
    // ec_point_formats: uncompressed
    ext.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    push_u16(&mut body, ext.len());
    body.extend_from_slice(&ext);

    let mut hs = vec![0x01]; // client_hello
    let len = u32::try_from(body.len()).unwrap_or(0).to_be_bytes();
    hs.extend_from_slice(&len[1..]);
    hs.extend_from_slice(&body);

    let mut record = vec![0x16, 0x03, 0x01]; // handshake, record version TLS 1.0
    push_u16(&mut record, hs.len());
    record.extend_from_slice(&hs);
    record
}

fn push_u16(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
}

fn alert_name(code: u8) -> &'static str {
    match code {
        10 => "unexpected_message",
        40 => "handshake_failure",
        47 => "illegal_parameter",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        112 => "unrecognized_name",
        _ => "alert",
    }
}

fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSL 3.0".to_string(),
        0x0301 => "TLS 1.0".to_string(),
        0x0302 => "TLS 1.1".to_string(),
        0x0303 => "TLS 1.2".to_string(),
        other => format!("version 0x{other:04x}"),
    }
}

/// Reads the server's answer to a legacy ClientHello offering `offered`.
pub(crate) fn judge_legacy_answer(offered: u16, answer: &[u8]) -> Acceptance {
    let Some((&content_type, rest)) = answer.split_first() else {
        return Acceptance::Refused {
            reason: "the server closed the connection".to_string(),
        };
    };
    match content_type {
        0x15 => {
            let code = rest.get(5).copied().unwrap_or(0);
            Acceptance::Refused {
                reason: format!("alert {} ({code})", alert_name(code)),
            }
        }
        0x16 => {
            // record header: type(1) version(2) length(2); handshake: type(1) length(3) version(2)
            let hs_type = rest.get(4).copied();
            let chosen = match (rest.get(8), rest.get(9)) {
                (Some(a), Some(b)) => u16::from_be_bytes([*a, *b]),
                _ => 0,
            };
            if hs_type != Some(0x02) {
                return Acceptance::Refused {
                    reason: "unexpected handshake message instead of a ServerHello".to_string(),
                };
            }
            if chosen == offered {
                Acceptance::Accepted {
                    detail: format!("ServerHello chose {}", version_name(chosen)),
                }
            } else {
                Acceptance::Refused {
                    reason: format!(
                        "the server chose {} when offered {} at most",
                        version_name(chosen),
                        version_name(offered)
                    ),
                }
            }
        }
        _ => Acceptance::Refused {
            reason: "the server did not answer with TLS".to_string(),
        },
    }
}

async fn legacy_probe(
    addr: &str,
    version: u16,
    sni: Option<&str>,
    timeout: Duration,
) -> Acceptance {
    let mut random = [0u8; 32];
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    for (i, b) in random.iter_mut().enumerate() {
        *b = (seed >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
    }
    let hello = legacy_client_hello(version, sni, random);
    let work = async {
        let mut tcp = TcpStream::connect(addr).await?;
        tcp.write_all(&hello).await?;
        // Enough for the record header, the handshake header and the version.
        let mut answer = Vec::with_capacity(16);
        let mut buf = [0u8; 16];
        while answer.len() < 11 {
            let n = tcp.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            answer.extend_from_slice(buf.get(..n).unwrap_or(&[]));
            if answer.first() == Some(&0x15) && answer.len() >= 7 {
                break;
            }
        }
        Ok::<_, std::io::Error>(answer)
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(answer)) => judge_legacy_answer(version, &answer),
        Ok(Err(e)) => Acceptance::Refused {
            reason: format!("connection error: {e}"),
        },
        Err(_) => Acceptance::Unknown {
            reason: format!("no answer within {} s", timeout.as_secs_f64()),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// HSTS
// ---------------------------------------------------------------------------------------------

/// A `Strict-Transport-Security` policy (RFC 6797).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hsts {
    /// `max-age`, in seconds (0 tells browsers to forget the policy).
    pub max_age: u64,
    pub include_subdomains: bool,
    pub preload: bool,
}

/// The HSTS policy of a response: its first `Strict-Transport-Security` header, parsed with
/// [`parse_hsts`] (browsers ignore all but the first). `None` without one or when it is invalid.
pub fn hsts(headers: &reqwest::header::HeaderMap) -> Option<Hsts> {
    let value = headers.get(reqwest::header::STRICT_TRANSPORT_SECURITY)?;
    parse_hsts(value.to_str().ok()?)
}

/// Parses a `Strict-Transport-Security` value. Directive names are case-insensitive, values
/// may be quoted, unknown directives are ignored; a missing or non-numeric `max-age`, or any
/// directive given twice, makes the header invalid (`None`), as RFC 6797 §6.1 says.
pub fn parse_hsts(value: &str) -> Option<Hsts> {
    let mut max_age = None;
    let mut include_subdomains = false;
    let mut preload = false;
    let mut seen: Vec<String> = Vec::new();
    for directive in value.split(';') {
        let directive = directive.trim();
        if directive.is_empty() {
            continue;
        }
        let (name, arg) = match directive.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v.trim())),
            None => (directive, None),
        };
        let name = name.to_ascii_lowercase();
        if seen.contains(&name) {
            return None;
        }
        seen.push(name.clone());
        match name.as_str() {
            "max-age" => {
                let raw = arg?;
                let raw = raw
                    .strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .unwrap_or(raw);
                if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                // Absurdly long numbers saturate rather than fail.
                max_age = Some(raw.parse::<u64>().unwrap_or(u64::MAX));
            }
            "includesubdomains" => include_subdomains = true,
            "preload" => preload = true,
            _ => {}
        }
    }
    Some(Hsts {
        max_age: max_age?,
        include_subdomains,
        preload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsts_parsing() {
        assert_eq!(
            parse_hsts("max-age=31536000; includeSubDomains; preload"),
            Some(Hsts {
                max_age: 31_536_000,
                include_subdomains: true,
                preload: true
            })
        );
        assert_eq!(
            parse_hsts("MAX-AGE=\"600\""),
            Some(Hsts {
                max_age: 600,
                include_subdomains: false,
                preload: false
            })
        );
        assert_eq!(
            parse_hsts(" max-age = 0 ; ; foo=bar").map(|h| h.max_age),
            Some(0)
        );
        assert_eq!(parse_hsts("includeSubDomains"), None, "max-age is required");
        assert_eq!(parse_hsts("max-age=abc"), None);
        assert_eq!(parse_hsts("max-age=-1"), None);
        assert_eq!(parse_hsts("max-age"), None);
        assert_eq!(
            parse_hsts("max-age=1; max-age=2"),
            None,
            "a directive twice is invalid"
        );
        assert_eq!(
            parse_hsts("max-age=99999999999999999999999").map(|h| h.max_age),
            Some(u64::MAX)
        );
    }

    #[test]
    fn hsts_from_headers_takes_the_first() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(hsts(&h), None);
        h.append("strict-transport-security", "max-age=10".parse().unwrap());
        h.append("strict-transport-security", "max-age=20".parse().unwrap());
        assert_eq!(hsts(&h).map(|h| h.max_age), Some(10));
    }

    #[test]
    fn legacy_hello_is_well_formed() {
        let hello = legacy_client_hello(0x0302, Some("example.com"), [7; 32]);
        assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        let record_len = usize::from(u16::from_be_bytes([hello[3], hello[4]]));
        assert_eq!(record_len, hello.len() - 5);
        assert_eq!(hello[5], 0x01);
        let hs_len = usize::from(hello[7]) << 8 | usize::from(hello[8]);
        assert_eq!(hs_len, hello.len() - 9);
        assert_eq!(&hello[9..11], &[0x03, 0x02]);
        let text = String::from_utf8_lossy(&hello);
        assert!(text.contains("example.com"));
        // No SNI for an IP address.
        let no_sni = legacy_client_hello(0x0301, None, [7; 32]);
        assert_eq!(hello.len() - no_sni.len(), "example.com".len() + 9);
    }

    #[test]
    fn legacy_answers() {
        let alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 70];
        assert_eq!(
            judge_legacy_answer(0x0301, &alert),
            Acceptance::Refused {
                reason: "alert protocol_version (70)".to_string()
            }
        );
        let hello = |v: [u8; 2]| {
            vec![
                0x16, 0x03, 0x01, 0x00, 0x30, 0x02, 0x00, 0x00, 0x2c, v[0], v[1],
            ]
        };
        assert!(judge_legacy_answer(0x0301, &hello([3, 1])).is_accepted());
        assert_eq!(
            judge_legacy_answer(0x0302, &hello([3, 1])),
            Acceptance::Refused {
                reason: "the server chose TLS 1.0 when offered TLS 1.1 at most".to_string()
            }
        );
        assert!(!judge_legacy_answer(0x0301, &[]).is_accepted());
        assert!(!judge_legacy_answer(0x0301, b"HTTP/1.1 400").is_accepted());
        assert!(!judge_legacy_answer(0x0301, &[0x16, 3]).is_accepted());
    }

    #[test]
    fn ipv6_addresses_are_bracketed() {
        assert_eq!(addr_of("::1", 443), "[::1]:443");
        assert_eq!(addr_of("example.com", 443), "example.com:443");
        assert_eq!(format_ip(&[127, 0, 0, 1]).as_deref(), Some("127.0.0.1"));
        assert_eq!(format_ip(&[1, 2, 3]), None);
    }
}
