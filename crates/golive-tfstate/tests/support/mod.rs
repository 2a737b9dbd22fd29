//! A moto server (PyPI `moto[server]`) on a free loopback port for the whole test binary, a
//! TCP proxy in front of it that a test can cut (the service "going away"), SDK clients to set up
//! scenarios, and a runner for `golive tf doctor` that captures its output.

#![allow(dead_code)]

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use golive_tfstate::fix::Step;
use golive_tfstate::{Io, Options};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub const REGION: &str = "us-east-1";

/// The moto_server to run: $GOLIVE_MOTO_SERVER, then `moto_server` on PATH, then the venv that
/// `.ci/setup` creates. Absent: the tests fail and say how to get it.
pub fn moto_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("GOLIVE_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("moto_server");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    let venv = cache.join("golive-ci/venv/bin/moto_server");
    if venv.is_file() {
        return venv;
    }
    panic!(
        "moto_server not found (looked at $GOLIVE_MOTO_SERVER, PATH and {}): run .ci/setup, which installs moto[server] into that venv",
        venv.display()
    );
}

pub struct Moto {
    pub port: u16,
    /// Kept open: when the test binary exits it closes, and the wrapper shell kills moto.
    _stdin: std::process::ChildStdin,
    _child: Child,
}

impl Moto {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The moto server shared by this test binary (tests use distinct buckets and tables).
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        set_dummy_credentials();
        let bin = moto_binary();
        let port = free_port();
        // moto dies with this process: the shell waits for our end of its stdin to close.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#""$0" -H 127.0.0.1 -p "$1" >/dev/null 2>&1 & pid=$!; read _ignored; kill $pid"#)
            .arg(&bin)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdin = child.stdin.take().expect("piped stdin");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if http_ok(port) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "moto_server ({}) did not answer on port {port} within 60 s",
                bin.display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Moto {
            port,
            _stdin: stdin,
            _child: child,
        }
    })
}

fn http_ok(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 12];
    s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.")
}

/// Static dummy keys for moto, and nothing from this machine's AWS config.
fn set_dummy_credentials() {
    // SAFETY: runs once, inside the OnceLock initialiser, before any test has built an SDK
    // client (every test calls moto() first), so no other thread reads the environment yet.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::remove_var("AWS_SESSION_TOKEN");
        std::env::remove_var("AWS_PROFILE");
        std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/golive-test-aws-config");
        std::env::set_var(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/golive-test-aws-creds",
        );
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::remove_var("TF_WORKSPACE");
    }
}

/// A TCP proxy to moto that can be cut: while down it closes every connection, open or new.
pub struct Proxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    pub fn start(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy port");
        let port = listener.local_addr().expect("proxy addr").port();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::new(Mutex::new(Vec::new()));
        let (up2, open2) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(client) = conn else { continue };
                if !up2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                if let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone())
                    && let Ok(mut list) = open2.lock()
                {
                    list.push(c);
                    list.push(s);
                }
                pipe(client, server);
            }
        });
        Proxy { port, up, open }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The service goes away: open connections are closed, new ones refused.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        if let Ok(mut list) = self.open.lock() {
            for s in list.drain(..) {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn pipe(a: TcpStream, b: TcpStream) {
    let (Ok(a2), Ok(b2)) = (a.try_clone(), b.try_clone()) else {
        return;
    };
    std::thread::spawn(move || copy(a, b2));
    std::thread::spawn(move || copy(b, a2));
}

fn copy(mut from: TcpStream, mut to: TcpStream) {
    let _ = std::io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Write);
}

/// SDK clients straight to moto, to set up and inspect scenarios.
pub struct Aws {
    pub s3: aws_sdk_s3::Client,
    pub ddb: aws_sdk_dynamodb::Client,
    pub rt: tokio::runtime::Runtime,
}

pub fn aws() -> Aws {
    let moto = moto();
    let creds = aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "tests");
    let http = aws_smithy_http_client::Builder::new().build_http();
    let s3 = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new(REGION))
        .credentials_provider(creds.clone())
        .endpoint_url(moto.url())
        .force_path_style(true)
        .http_client(http.clone())
        .build();
    let ddb = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new(REGION))
        .credentials_provider(creds)
        .endpoint_url(moto.url())
        .http_client(http)
        .build();
    Aws {
        s3: aws_sdk_s3::Client::from_conf(s3),
        ddb: aws_sdk_dynamodb::Client::from_conf(ddb),
        rt: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime"),
    }
}

impl Aws {
    pub fn bucket(&self, name: &str, versioned: bool) {
        self.rt.block_on(async {
            self.s3
                .create_bucket()
                .bucket(name)
                .send()
                .await
                .expect("create bucket");
            if versioned {
                self.s3
                    .put_bucket_versioning()
                    .bucket(name)
                    .versioning_configuration(
                        aws_sdk_s3::types::VersioningConfiguration::builder()
                            .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                            .build(),
                    )
                    .send()
                    .await
                    .expect("versioning");
            }
        });
    }

    /// Returns the version id (versioned buckets).
    pub fn put(&self, bucket: &str, key: &str, bytes: &[u8]) -> Option<String> {
        self.rt.block_on(async {
            self.s3
                .put_object()
                .bucket(bucket)
                .key(key)
                .body(bytes.to_vec().into())
                .send()
                .await
                .expect("put object")
                .version_id()
                .map(str::to_string)
        })
    }

    pub fn get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        self.rt.block_on(async {
            match self.s3.get_object().bucket(bucket).key(key).send().await {
                Ok(out) => Some(
                    out.body
                        .collect()
                        .await
                        .expect("body")
                        .into_bytes()
                        .to_vec(),
                ),
                Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => None,
                Err(e) => panic!("get {key}: {e:?}"),
            }
        })
    }

    pub fn restore_version(&self, bucket: &str, key: &str, version: &str) {
        self.rt.block_on(async {
            self.s3
                .copy_object()
                .bucket(bucket)
                .key(key)
                .copy_source(format!("{bucket}/{key}?versionId={version}"))
                .send()
                .await
                .expect("copy object");
        });
    }

    /// A Terraform lock table (`LockID` string hash key).
    pub fn table(&self, name: &str) {
        self.rt.block_on(async {
            self.ddb
                .create_table()
                .table_name(name)
                .key_schema(
                    KeySchemaElement::builder()
                        .attribute_name("LockID")
                        .key_type(KeyType::Hash)
                        .build()
                        .expect("key schema"),
                )
                .attribute_definitions(
                    AttributeDefinition::builder()
                        .attribute_name("LockID")
                        .attribute_type(ScalarAttributeType::S)
                        .build()
                        .expect("attribute"),
                )
                .billing_mode(BillingMode::PayPerRequest)
                .send()
                .await
                .expect("create table");
        });
    }

    pub fn put_item(&self, table: &str, attrs: &[(&str, &str)]) {
        self.rt.block_on(async {
            let mut req = self.ddb.put_item().table_name(table);
            for (k, v) in attrs {
                req = req.item(*k, AttributeValue::S(v.to_string()));
            }
            req.send().await.expect("put item");
        });
    }

    /// The string attribute `attr` of item `LockID = id`.
    pub fn item(&self, table: &str, id: &str, attr: &str) -> Option<String> {
        self.rt.block_on(async {
            let out = self
                .ddb
                .get_item()
                .table_name(table)
                .key("LockID", AttributeValue::S(id.to_string()))
                .consistent_read(true)
                .send()
                .await
                .expect("get item");
            out.item()
                .and_then(|i| i.get(attr))
                .and_then(|v| v.as_s().ok())
                .cloned()
        })
    }
}

/// A Terraform state document.
pub fn state(serial: u64, lineage: &str, resources: usize) -> Vec<u8> {
    let res: Vec<serde_json::Value> = (0..resources)
        .map(|i| {
            serde_json::json!({
                "mode": "managed", "type": "aws_sqs_queue", "name": format!("q{i}"),
                "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                "instances": [{"schema_version": 0, "attributes": {"name": format!("orders-{i}")}}]
            })
        })
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({
        "version": 4,
        "terraform_version": "1.9.5",
        "serial": serial,
        "lineage": lineage,
        "outputs": {},
        "resources": res,
        "check_results": null
    }))
    .expect("state json")
}

/// Terraform's LockInfo JSON, created `age` ago.
pub fn lock_info(id: &str, path: &str, age: Duration) -> String {
    let created = time::OffsetDateTime::now_utc() - age;
    let created = created
        .format(&time::format_description::well_known::Rfc3339)
        .expect("time");
    serde_json::json!({
        "ID": id,
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "runner@ci-runner-7",
        "Version": "1.9.5",
        "Created": created,
        "Path": path,
    })
    .to_string()
}

pub fn md5_hex(bytes: &[u8]) -> String {
    golive_tfstate::doctor::md5_hex(bytes)
}

/// A root module whose backend block points at `endpoint`.
pub fn module(dir: &Path, backend_body: &str) {
    std::fs::write(
        dir.join("main.tf"),
        format!("terraform {{\n  backend \"s3\" {{\n{backend_body}  }}\n}}\n\nresource \"aws_sqs_queue\" \"orders\" {{\n  name = \"orders\"\n}}\n"),
    )
    .expect("main.tf");
}

/// The outcome of one `golive tf doctor` run.
pub struct Run {
    pub code: u8,
    pub out: String,
    pub err: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.out)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\nstderr:\n{}", self.out, self.err))
    }
}

pub fn doctor(opts: &Options) -> Run {
    doctor_with(opts, &mut |_| None, &mut |_, _| {})
}

pub fn doctor_with(
    opts: &Options,
    confirm: &mut dyn FnMut(&str) -> Option<String>,
    before_step: &mut dyn FnMut(usize, &Step),
) -> Run {
    moto();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = golive_tfstate::run(
        opts,
        &mut Io {
            out: &mut out,
            err: &mut err,
            confirm,
            before_step,
        },
    );
    Run {
        code,
        out: String::from_utf8_lossy(&out).into_owned(),
        err: String::from_utf8_lossy(&err).into_owned(),
    }
}
