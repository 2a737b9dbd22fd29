//! The S3 bucket and DynamoDB table behind a backend, through the AWS SDK for Rust: only the
//! reads and writes tf doctor needs, with errors that say what was being done.

use crate::config::Backend;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use std::collections::HashMap;
use std::time::Duration;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The endpoint could not be reached (connection refused or reset, DNS, TLS, timeout).
    #[error("{what}: cannot reach the service: {detail}")]
    Unreachable { what: String, detail: String },
    /// The service answered with an error (access denied, no such bucket/table, ...).
    #[error("{what}: {detail}")]
    Service {
        what: String,
        code: Option<String>,
        detail: String,
    },
    /// A conditional write found the item changed since it was read.
    #[error("{what}: it changed since it was read (someone else is working on this state)")]
    Changed { what: String },
    #[error("no AWS region: set `region` in the backend, --region, AWS_REGION or a profile region")]
    NoRegion,
}

impl RemoteError {
    fn from_sdk<E, R>(what: String, err: aws_sdk_s3::error::SdkError<E, R>) -> Self
    where
        E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug,
    {
        use aws_sdk_s3::error::SdkError;
        let detail = aws_sdk_s3::error::DisplayErrorContext(&err).to_string();
        match &err {
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
                RemoteError::Unreachable { what, detail }
            }
            SdkError::ServiceError(service) => {
                let e = service.err();
                let code = e.code().map(str::to_string);
                let message = e.message().map(str::to_string);
                if code.as_deref() == Some("ConditionalCheckFailedException") {
                    return RemoteError::Changed { what };
                }
                let detail = match (&code, message) {
                    (Some(c), Some(m)) => format!("{c}: {m}"),
                    (Some(c), None) => c.clone(),
                    _ => detail,
                };
                RemoteError::Service { what, code, detail }
            }
            _ => RemoteError::Service {
                what,
                code: None,
                detail,
            },
        }
    }

    /// A connection problem rather than an answer.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, RemoteError::Unreachable { .. })
    }

    fn code(&self) -> Option<&str> {
        match self {
            RemoteError::Service { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// An S3 object's content and identity.
#[derive(Clone, Debug)]
pub struct Object {
    pub bytes: Vec<u8>,
    pub version_id: Option<String>,
    pub last_modified: Option<String>,
}

/// One version of an object in a versioned bucket.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ObjectVersion {
    pub version_id: String,
    pub is_latest: bool,
    pub size: i64,
    pub last_modified: Option<String>,
    /// A delete marker, not content.
    pub delete_marker: bool,
}

/// `GetBucketVersioning`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Versioning {
    Enabled,
    Suspended,
    /// Never turned on.
    Off,
}

/// Reads `<Status>Enabled</Status>` / `Suspended` from a GetBucketVersioning body.
fn versioning_from_xml(body: &str) -> Versioning {
    let status = body
        .split_once("<Status>")
        .and_then(|(_, rest)| rest.split_once("</Status>"))
        .map(|(s, _)| s.trim());
    match status {
        Some("Enabled") => Versioning::Enabled,
        Some("Suspended") => Versioning::Suspended,
        _ => Versioning::Off,
    }
}

/// The clients for one backend.
pub struct Remote {
    s3: aws_sdk_s3::Client,
    ddb: aws_sdk_dynamodb::Client,
    pub bucket: String,
    pub table: Option<String>,
}

impl Remote {
    /// Builds the clients: the default credential chain (env, profile, SSO, instance role),
    /// the backend's region, profile and endpoints, rustls with ring.
    pub async fn connect(backend: &Backend) -> Result<Remote, RemoteError> {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(Duration::from_secs(30))
            .build();
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(http)
            .timeout_config(timeouts);
        if let Some(region) = &backend.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(profile) = &backend.profile {
            loader = loader.profile_name(profile);
        }
        let shared = loader.load().await;
        if shared.region().is_none() {
            return Err(RemoteError::NoRegion);
        }
        let mut s3 =
            aws_sdk_s3::config::Builder::from(&shared).force_path_style(backend.path_style);
        if let Some(endpoint) = &backend.s3_endpoint {
            s3 = s3.endpoint_url(endpoint);
        }
        let mut ddb = aws_sdk_dynamodb::config::Builder::from(&shared);
        if let Some(endpoint) = &backend.dynamodb_endpoint {
            ddb = ddb.endpoint_url(endpoint);
        }
        Ok(Remote {
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            ddb: aws_sdk_dynamodb::Client::from_conf(ddb.build()),
            bucket: backend.bucket.clone(),
            table: backend.dynamodb_table.clone(),
        })
    }

    fn s3_what(&self, op: &str, key: &str) -> String {
        format!("{op} s3://{}/{key}", self.bucket)
    }

    /// The object, or None when there is no such key.
    pub async fn get_object(&self, key: &str) -> Result<Option<Object>, RemoteError> {
        self.get(key, None).await
    }

    /// One version of an object.
    pub async fn get_object_version(
        &self,
        key: &str,
        version_id: &str,
    ) -> Result<Option<Object>, RemoteError> {
        self.get(key, Some(version_id)).await
    }

    async fn get(&self, key: &str, version: Option<&str>) -> Result<Option<Object>, RemoteError> {
        let what = self.s3_what("GetObject", key);
        let mut req = self.s3.get_object().bucket(&self.bucket).key(key);
        if let Some(v) = version {
            req = req.version_id(v);
        }
        let out = match req.send().await {
            Ok(out) => out,
            Err(err) => {
                if err.as_service_error().is_some_and(|e| e.is_no_such_key()) {
                    return Ok(None);
                }
                let err = RemoteError::from_sdk(what, err);
                // Some S3-compatible servers answer a missing version with 404 NoSuchVersion.
                if matches!(err.code(), Some("NoSuchVersion" | "NotFound")) {
                    return Ok(None);
                }
                return Err(err);
            }
        };
        let version_id = out.version_id().map(str::to_string);
        let last_modified = out.last_modified().map(|t| t.to_string());
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| RemoteError::Unreachable {
                what: self.s3_what("reading the body of", key),
                detail: e.to_string(),
            })?
            .into_bytes()
            .to_vec();
        Ok(Some(Object {
            bytes,
            version_id,
            last_modified,
        }))
    }

    pub async fn put_object(&self, key: &str, bytes: Vec<u8>) -> Result<(), RemoteError> {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| RemoteError::from_sdk(self.s3_what("PutObject", key), e))?;
        Ok(())
    }

    pub async fn delete_object(&self, key: &str) -> Result<(), RemoteError> {
        self.s3
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| RemoteError::from_sdk(self.s3_what("DeleteObject", key), e))?;
        Ok(())
    }

    pub async fn versioning(&self) -> Result<Versioning, RemoteError> {
        let what = format!("GetBucketVersioning s3://{}", self.bucket);
        let out = match self
            .s3
            .get_bucket_versioning()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(out) => out,
            Err(aws_sdk_s3::error::SdkError::ServiceError(e)) if e.raw().status().is_success() => {
                // A 200 the SDK could not parse: some S3-compatible servers (moto among them)
                // name the XML root differently. The status element is what matters.
                let body = e
                    .raw()
                    .body()
                    .bytes()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default();
                return Ok(versioning_from_xml(&body));
            }
            Err(e) => return Err(RemoteError::from_sdk(what, e)),
        };
        Ok(match out.status() {
            Some(aws_sdk_s3::types::BucketVersioningStatus::Enabled) => Versioning::Enabled,
            Some(aws_sdk_s3::types::BucketVersioningStatus::Suspended) => Versioning::Suspended,
            _ => Versioning::Off,
        })
    }

    /// The versions and delete markers of exactly `key`, newest first (at most 1000).
    pub async fn versions(&self, key: &str) -> Result<Vec<ObjectVersion>, RemoteError> {
        let out = self
            .s3
            .list_object_versions()
            .bucket(&self.bucket)
            .prefix(key)
            .send()
            .await
            .map_err(|e| RemoteError::from_sdk(self.s3_what("ListObjectVersions", key), e))?;
        let mut all: Vec<(Option<aws_sdk_s3::primitives::DateTime>, ObjectVersion)> = Vec::new();
        for v in out.versions() {
            if v.key() != Some(key) {
                continue;
            }
            let Some(id) = v.version_id() else { continue };
            all.push((
                v.last_modified().cloned(),
                ObjectVersion {
                    version_id: id.to_string(),
                    is_latest: v.is_latest().unwrap_or(false),
                    size: v.size().unwrap_or(0),
                    last_modified: v.last_modified().map(|t| t.to_string()),
                    delete_marker: false,
                },
            ));
        }
        for m in out.delete_markers() {
            if m.key() != Some(key) {
                continue;
            }
            let Some(id) = m.version_id() else { continue };
            all.push((
                m.last_modified().cloned(),
                ObjectVersion {
                    version_id: id.to_string(),
                    is_latest: m.is_latest().unwrap_or(false),
                    size: 0,
                    last_modified: m.last_modified().map(|t| t.to_string()),
                    delete_marker: true,
                },
            ));
        }
        // Newest first; the latest one first among equal timestamps.
        all.sort_by(|(ta, a), (tb, b)| {
            let ka = ta.map(|t| (t.secs(), t.subsec_nanos()));
            let kb = tb.map(|t| (t.secs(), t.subsec_nanos()));
            kb.cmp(&ka).then(b.is_latest.cmp(&a.is_latest))
        });
        Ok(all.into_iter().map(|(_, v)| v).collect())
    }

    fn table_name(&self) -> &str {
        self.table.as_deref().unwrap_or_default()
    }

    fn ddb_what(&self, op: &str, id: &str) -> String {
        format!("{op} {} LockID={id}", self.table_name())
    }

    /// The string attributes of the item `LockID = id`, or None when there is none.
    pub async fn get_item(&self, id: &str) -> Result<Option<HashMap<String, String>>, RemoteError> {
        let out = self
            .ddb
            .get_item()
            .table_name(self.table_name())
            .key("LockID", AttributeValue::S(id.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| RemoteError::from_sdk(self.ddb_what("GetItem", id), e))?;
        Ok(out.item().map(|item| {
            item.iter()
                .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.clone(), s.clone())))
                .collect()
        }))
    }

    /// Writes the digest item `LockID = id, Digest = hex` (as Terraform's putMD5 does).
    pub async fn put_digest(&self, id: &str, hex: &str) -> Result<(), RemoteError> {
        self.ddb
            .put_item()
            .table_name(self.table_name())
            .item("LockID", AttributeValue::S(id.to_string()))
            .item("Digest", AttributeValue::S(hex.to_string()))
            .send()
            .await
            .map_err(|e| RemoteError::from_sdk(self.ddb_what("PutItem", id), e))?;
        Ok(())
    }

    /// Deletes the lock item only if its `Info` is still `info` (so a lock taken by someone
    /// else since it was read is never removed).
    pub async fn delete_lock_item(&self, id: &str, info: &str) -> Result<(), RemoteError> {
        self.ddb
            .delete_item()
            .table_name(self.table_name())
            .key("LockID", AttributeValue::S(id.to_string()))
            .condition_expression("#info = :info")
            .expression_attribute_names("#info", "Info")
            .expression_attribute_values(":info", AttributeValue::S(info.to_string()))
            .send()
            .await
            .map_err(|e| RemoteError::from_sdk(self.ddb_what("DeleteItem", id), e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioning_status_is_read_from_any_root() {
        let odd = r#"<?xml version="1.0"?><GetBucketVersioningResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></GetBucketVersioningResponse>"#;
        assert_eq!(versioning_from_xml(odd), Versioning::Enabled);
        assert_eq!(
            versioning_from_xml(
                "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>"
            ),
            Versioning::Suspended
        );
        assert_eq!(
            versioning_from_xml("<VersioningConfiguration/>"),
            Versioning::Off
        );
    }
}
