//! The resource conventions of OpenCHAMI v0.2's Fabrica services (boot-service,
//! metadata-service), shared by [`crate::boot_service`] and [`crate::metadata_service`]: the
//! envelope (`apiVersion`, `kind`, `metadata`, `spec`, `status`), version negotiation (406),
//! merge-patch and JSON-patch PATCH bodies, and the `{"error","code"}` error body.
//!
//! Differences from upstream, deliberate: an unknown key in a body is refused (400) instead
//! of ignored; a body that fails validation is 400 with the field named (upstream answers
//! some with 500); a patch that cannot be applied is 422 naming the failing operation; a
//! PATCH with another content type is 415.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::problem::ApiError;

/// The one API version served.
pub(crate) const VERSION: &str = "v1";

/// The content type of every JSON answer.
const CONTENT_TYPE: &str = "application/json;version=v1";

/// A failed request, answered as `{"error": "...", "code": N}`.
#[derive(Debug)]
pub(crate) struct ResourceError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    /// Extra members of the body (406's `requested` and `supported`).
    pub(crate) extra: Option<Value>,
}

impl ResourceError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ResourceError {
            status,
            message: message.into(),
            extra: None,
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn not_found(what: &str, uid: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} {uid:?} not found"))
    }

    /// A 400 whose message is the domain error's own text, without the `validation failed:`
    /// prefix of [`From`].
    pub(crate) fn as_said(e: ochami_core::Error) -> Self {
        Self::bad_request(e.to_string())
    }
}

impl<E: Into<ApiError>> From<E> for ResourceError {
    fn from(e: E) -> Self {
        let e: ApiError = e.into();
        let status = e.status();
        let message = match status {
            StatusCode::BAD_REQUEST => format!("validation failed: {e}"),
            _ => e.to_string(),
        };
        ResourceError::new(status, message)
    }
}

impl IntoResponse for ResourceError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), error = %self.message, "request failed");
        }
        let mut body = serde_json::json!({"error": self.message, "code": self.status.as_u16()});
        if let (Some(Value::Object(extra)), Value::Object(b)) = (self.extra, &mut body) {
            b.extend(extra);
        }
        json(self.status, &body)
    }
}

/// A JSON answer with the versioned content type.
pub(crate) fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
            bytes,
        )
            .into_response(),
        Err(e) => {
            ResourceError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
        }
    }
}

/// Version negotiation: `Accept: application/json;version=vN` and a body's `apiVersion`
/// (`group/vN` or `vN`) must name a version served; otherwise 406 with the versions
/// supported.
pub(crate) fn negotiate(
    headers: &HeaderMap,
    body_version: Option<&str>,
) -> Result<(), ResourceError> {
    let from_accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .flat_map(|v| v.split(';').skip(1))
        .filter_map(|p| p.trim().strip_prefix("version="))
        .map(|v| v.trim_matches('"').to_owned())
        .next();
    let from_body = body_version.map(|v| v.rsplit('/').next().unwrap_or(v).to_owned());
    for requested in [from_accept, from_body].into_iter().flatten() {
        if requested != VERSION {
            return Err(ResourceError {
                status: StatusCode::NOT_ACCEPTABLE,
                message: "Unsupported version".into(),
                extra: Some(serde_json::json!({"requested": requested, "supported": [VERSION]})),
            });
        }
    }
    Ok(())
}

/// `metadata` of a resource.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Metadata {
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) uid: String,
    #[serde(rename = "createdAt", default, skip_serializing_if = "Option::is_none")]
    pub(crate) created_at: Option<String>,
    #[serde(rename = "updatedAt", default, skip_serializing_if = "Option::is_none")]
    pub(crate) updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) annotations: BTreeMap<String, String>,
}

/// A resource as served.
#[derive(Debug, Serialize)]
pub(crate) struct Envelope<S> {
    #[serde(rename = "apiVersion")]
    pub(crate) api_version: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) metadata: Metadata,
    pub(crate) spec: S,
    pub(crate) status: Value,
}

impl<S> Envelope<S> {
    pub(crate) fn new(kind: &'static str, metadata: Metadata, spec: S) -> Self {
        Envelope {
            api_version: VERSION,
            kind,
            metadata,
            spec,
            status: Value::Object(Default::default()),
        }
    }
}

/// A create or replace body: the envelope (or its parts) with a `spec`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WriteBody {
    #[serde(rename = "apiVersion", default)]
    pub(crate) api_version: Option<String>,
    #[serde(default)]
    pub(crate) kind: Option<String>,
    #[serde(default)]
    pub(crate) metadata: Metadata,
    pub(crate) spec: Value,
    /// Ignored: status is the server's.
    #[serde(default)]
    pub(crate) status: Option<Value>,
    #[serde(default)]
    pub(crate) labels: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) annotations: BTreeMap<String, String>,
}

impl WriteBody {
    /// Parse a body (400 naming what is wrong), check its version and kind.
    pub(crate) fn parse(
        headers: &HeaderMap,
        bytes: &[u8],
        kind: &str,
    ) -> Result<Self, ResourceError> {
        let body: WriteBody = serde_json::from_slice(bytes)
            .map_err(|e| ResourceError::bad_request(format!("invalid request body: {e}")))?;
        negotiate(headers, body.api_version.as_deref())?;
        if let Some(k) = &body.kind
            && k != kind
        {
            return Err(ResourceError::bad_request(format!(
                "kind {k:?} in a body sent to the {kind} collection"
            )));
        }
        let _ = &body.status;
        Ok(body)
    }

    /// Labels from `metadata.labels` and the top-level `labels` (top level wins).
    pub(crate) fn labels(&self) -> BTreeMap<String, String> {
        let mut l = self.metadata.labels.clone();
        l.extend(self.labels.clone());
        l
    }

    /// Annotations likewise.
    pub(crate) fn annotations(&self) -> BTreeMap<String, String> {
        let mut a = self.metadata.annotations.clone();
        a.extend(self.annotations.clone());
        a
    }
}

/// Read a spec into its type: an unknown key or a bad value is 400 naming it.
pub(crate) fn spec_of<T: DeserializeOwned>(spec: Value) -> Result<T, ResourceError> {
    serde_path_to_error::deserialize(spec).map_err(|e| {
        ResourceError::bad_request(format!(
            "validation failed: spec.{}: {}",
            e.path(),
            e.inner()
        ))
    })
}

/// Apply a PATCH body to a spec (as JSON): RFC 7386 for `application/merge-patch+json` (and
/// plain `application/json`), RFC 6902 for `application/json-patch+json`. A patch that
/// cannot be applied is 422.
pub(crate) fn patch_spec(
    headers: &HeaderMap,
    bytes: &[u8],
    spec: &mut Value,
) -> Result<(), ResourceError> {
    negotiate(headers, None)?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/merge-patch+json");
    let media = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let patch: Value = serde_json::from_slice(bytes)
        .map_err(|e| ResourceError::bad_request(format!("invalid patch body: {e}")))?;
    match media.as_str() {
        "application/merge-patch+json" | "application/json" => {
            if !patch.is_object() {
                return Err(ResourceError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "a merge patch of a spec must be a JSON object",
                ));
            }
            ochami_core::merge_patch(spec, &patch);
            Ok(())
        }
        "application/json-patch+json" => ochami_core::json_patch(spec, &patch)
            .map_err(|e| ResourceError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())),
        other => Err(ResourceError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "PATCH takes application/merge-patch+json or application/json-patch+json, not {other:?}"
            ),
        )),
    }
}

/// A new uid: `<kind>-<8 hex>`.
pub(crate) fn new_uid(kind: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}", kind.to_ascii_lowercase(), &id[..8])
}

/// Now, RFC 3339 UTC.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `DELETE`'s answer.
pub(crate) fn deleted(kind: &str, uid: &str) -> Response {
    json(
        StatusCode::OK,
        &serde_json::json!({"message": format!("{kind} deleted successfully"), "uid": uid}),
    )
}
