//! Every error the server answers with, as an RFC 7807 `application/problem+json` response,
//! and the extractors (JSON body, query string, path) that turn any kind of bad input into
//! one instead of axum's plain-text rejections.
//!
//! Mapping: domain errors ([`ochami_core::Error`]) and [`StoreError::Invalid`] are 400 (a
//! create of something that exists, [`ochami_core::Error::Exists`], and a BSS row rewritten
//! through boot-service, [`ochami_core::Error::WrittenThroughBss`], 409),
//! [`StoreError::NotFound`] 404, [`StoreError::Conflict`] 409, an unavailable database 503.
//! Upstream SMD answers malformed JSON with 500; we answer 400 and name what was wrong.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ochami_core::{Problem, Xname};
use ochami_store::StoreError;
use serde::de::DeserializeOwned;

/// The largest request body the server reads (16 MiB); bigger ones get 413.
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Why a request failed. Each variant knows its HTTP status; the message becomes the
/// problem's `detail`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A value from the request broke a domain rule.
    #[error(transparent)]
    Invalid(#[from] ochami_core::Error),
    /// A bootscript or cloud-init document could not be produced.
    #[error(transparent)]
    Boot(#[from] ochami_boot::BootError),
    /// Malformed request: bad JSON, a bad query parameter, a missing field.
    #[error("{0}")]
    BadRequest(String),
    /// No such resource.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with what is stored.
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than [`BODY_LIMIT`].
    #[error("request body is larger than the limit of {BODY_LIMIT} bytes")]
    PayloadTooLarge,
    /// No valid bearer token: missing, malformed, expired or badly signed.
    #[error("{0}")]
    Unauthorized(String),
    /// A valid token without the scope the route needs.
    #[error("token lacks the scope {scope:?} this route requires")]
    Forbidden {
        /// The scope that was required.
        scope: String,
    },
    /// The request came from an address the server cannot map to a node.
    #[error("{0}")]
    UnknownClient(String),
}

impl ApiError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Store(e) => store_status(e),
            ApiError::Boot(e) => boot_status(e),
            ApiError::Invalid(ochami_core::Error::Exists { .. }) => StatusCode::CONFLICT,
            // A BSS row rewritten through boot-service: the request is fine, the record is not.
            ApiError::Invalid(ochami_core::Error::WrittenThroughBss { .. }) => StatusCode::CONFLICT,
            ApiError::Invalid(_) | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::UnknownClient(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// A 400 for a malformed request.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::BadRequest(detail.into())
    }

    /// A 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError::NotFound(detail.into())
    }
}

/// Bad requests 400, unknown nodes and groups (cloud-init) 404, a failing store as the store
/// error says, everything else (data that cannot be served) 500.
fn boot_status(e: &ochami_boot::BootError) -> StatusCode {
    use ochami_boot::BootError as B;
    match e {
        B::InvalidParam { .. } | B::MissingTarget => StatusCode::BAD_REQUEST,
        B::NodeNotFound(_) | B::NotInGroup { .. } => StatusCode::NOT_FOUND,
        B::Source(source) => match source.downcast_ref::<StoreError>() {
            Some(e) => store_status(e),
            None => StatusCode::SERVICE_UNAVAILABLE,
        },
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn store_status(e: &StoreError) -> StatusCode {
    match e {
        StoreError::Invalid { .. } => StatusCode::BAD_REQUEST,
        StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
        StoreError::Conflict { .. } => StatusCode::CONFLICT,
        StoreError::Backend { .. } => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), error = %self, "request failed");
        }
        let mut resp = problem_response(status, self.to_string());
        match &self {
            ApiError::Unauthorized(detail) => {
                let v = format!(
                    "Bearer error=\"invalid_token\", error_description=\"{}\"",
                    detail.replace('"', "'")
                );
                if let Ok(v) = HeaderValue::from_str(&v) {
                    resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                }
            }
            ApiError::Forbidden { scope } => {
                let v = format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\"");
                if let Ok(v) = HeaderValue::from_str(&v) {
                    resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                }
            }
            _ => {}
        }
        resp
    }
}

/// An `application/problem+json` response for `status` with `detail`.
pub fn problem_response(status: StatusCode, detail: impl Into<String>) -> Response {
    let problem = Problem::new(status.as_u16(), detail);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        )],
        body,
    )
        .into_response()
}

/// A JSON request body, read whatever the `Content-Type` (Go clients and `curl -d` often
/// send none or a form type), with errors that name the offending field:
/// `invalid JSON body at Components[0].State: invalid State "Bogus": expected one of ...`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = body_bytes(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The raw request body with the size limit applied (413 beyond [`BODY_LIMIT`]).
pub async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state)
        .await
        .map_err(bytes_rejection)
}

fn bytes_rejection(r: BytesRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        ApiError::bad_request(format!("cannot read request body: {}", r.body_text()))
    }
}

/// Decode a JSON document, naming the path of a bad value and refusing trailing data.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "request body is empty; a JSON document is required",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request(format!("malformed JSON body: {inner}"))
        } else if path == "." {
            ApiError::bad_request(format!("invalid JSON body: {inner}"))
        } else {
            ApiError::bad_request(format!("invalid JSON body at {path}: {inner}"))
        }
    })?;
    de.end()
        .map_err(|e| ApiError::bad_request(format!("malformed JSON body: {e}")))?;
    Ok(value)
}

/// [`parse_json`] for a body that may be left out: an empty (or all-whitespace) body is
/// `T::default()`.
pub fn parse_optional_json<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    parse_json(bytes)
}

/// The query string as `(key, value)` pairs. Handlers take the keys they know with
/// [`QueryPairs::take`] and call [`QueryPairs::finish`], which refuses any key left over.
/// Keys match case-insensitively, as in SMD (which decodes queries through Go's JSON
/// decoder).
#[derive(Debug, Clone, Default)]
pub struct QueryPairs(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        QueryPairs::parse(parts.uri.query().unwrap_or_default())
    }
}

impl QueryPairs {
    /// Parse a raw query string.
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
            &format!("/?{query}")
                .parse()
                .map_err(|_| ApiError::bad_request("malformed query string"))?,
        )
        .map_err(|e| ApiError::bad_request(format!("malformed query string: {}", e.body_text())))?;
        Ok(QueryPairs(pairs.0))
    }

    /// Remove and return every value of `key` (case-insensitive), in order.
    pub fn take(&mut self, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.0.retain(|(k, v)| {
            if k.eq_ignore_ascii_case(key) {
                out.push(v.clone());
                false
            } else {
                true
            }
        });
        out
    }

    /// Remove `key` and return its last value, if any.
    pub fn take_last(&mut self, key: &str) -> Option<String> {
        self.take(key).pop()
    }

    /// Remove `key` and parse its last value.
    pub fn take_parsed<T: std::str::FromStr>(&mut self, key: &str) -> Result<Option<T>, ApiError>
    where
        T::Err: std::fmt::Display,
    {
        self.take_last(key)
            .map(|v| {
                v.trim()
                    .parse::<T>()
                    .map_err(|e| ApiError::bad_request(format!("bad query param {key:?}: {e}")))
            })
            .transpose()
    }

    /// Move every remaining pair out (for parsers such as `ComponentFilter` that know their
    /// own keys).
    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.0
    }

    /// Refuse any key no handler took.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.0.first() {
            None => Ok(()),
            Some((k, _)) => Err(ApiError::bad_request(format!(
                "bad query param {k:?}: unknown parameter"
            ))),
        }
    }
}

/// For routes that take no query parameters: any query key is refused.
#[derive(Debug, Clone, Copy)]
pub struct NoQuery;

impl<S: Send + Sync> FromRequestParts<S> for NoQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        QueryPairs::from_request_parts(parts, state)
            .await?
            .finish()?;
        Ok(NoQuery)
    }
}

/// Path parameters with a problem response on failure.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| ApiError::bad_request(format!("bad path: {}", e.body_text())))
    }
}

/// Parse an xname from a path or body, as a 400 naming it on failure.
pub fn xname(raw: &str) -> Result<Xname, ApiError> {
    Ok(parse_xname(raw)?)
}

/// An xname as the domain error, for [`ochami_core::BodyId`]'s checks.
pub fn parse_xname(raw: &str) -> ochami_core::Result<Xname> {
    Ok(raw.parse::<Xname>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        #[serde(rename = "Components")]
        components: Vec<ochami_core::Component>,
    }

    #[test]
    fn boot_errors_map_to_statuses() {
        use ochami_boot::BootError as B;
        let node: Xname = "x1c0s0b0n0".parse().unwrap();
        let status = |e: B| ApiError::Boot(e).status();
        assert_eq!(status(B::MissingTarget), StatusCode::BAD_REQUEST);
        assert_eq!(status(B::NodeNotFound(node)), StatusCode::NOT_FOUND);
        assert_eq!(
            status(B::NotInGroup {
                node,
                group: "compute".into()
            }),
            StatusCode::NOT_FOUND
        );
        assert_eq!(status(B::NoCloudInitUrl), StatusCode::INTERNAL_SERVER_ERROR);
        let store = |e: StoreError| status(B::Source(Box::new(e)));
        assert_eq!(
            store(StoreError::backend("down", "connection refused")),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status(B::Source("not a store error".into())),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn json_errors_name_the_path() {
        let e = parse_json::<Body>(br#"{"Components":[{"ID":"x0c0s0b0n0","State":"Bogus"}]}"#)
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("invalid JSON body at Components[0].State: invalid State \"Bogus\""),
            "{msg}"
        );
        let e = parse_json::<Body>(b"{\"Components\": [").unwrap_err();
        assert!(e.to_string().starts_with("malformed JSON body"), "{e}");
        assert!(
            parse_json::<Body>(b"")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        assert!(parse_json::<Body>(br#"{"Components":[]} x"#).is_err());
    }

    #[test]
    fn query_keys_are_case_insensitive_and_leftovers_refused() {
        let mut q = QueryPairs::parse("MAC=aa&mac=bb&colour=red").unwrap();
        assert_eq!(q.take("mac"), ["aa", "bb"]);
        let e = q.finish().unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad query param \"colour\": unknown parameter"
        );
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
    }
}
