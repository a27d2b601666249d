//! Entity tags and conditional GETs for the JSON API, so the page (or any client) can poll a
//! collection and get `304 Not Modified` with no body while nothing changed.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The largest answer that gets an entity tag; larger ones pass through untouched.
const MAX_TAGGED: usize = 256 * 1024 * 1024;

/// `"<16 hex digits>"`: a strong entity tag for `bytes`.
pub(crate) fn tag_for(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", super::assets::hash(bytes))
}

/// Whether `If-None-Match` in `headers` names `tag` (or is `*`).
pub(super) fn matches(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == tag)
}

/// A middleware for the API: a successful `GET` answer with a JSON body and no
/// `ETag` of its own gets a strong `ETag` from a hash of its bytes (an answer that brings
/// its own, such as a kept hardware answer, keeps it unhashed), and when the request's
/// `If-None-Match` names the tag the answer becomes `304 Not Modified` with no body.
/// The handler still runs (the answer is always read from the store, or checked against
/// it), so this saves the network and the client's parsing, not the server's work.
pub async fn conditional_get(req: Request, next: Next) -> Response {
    // Not HEAD: its body is already gone here, so its tag would not be the GET's.
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let conditions = req.headers().clone();
    let resp = next.run(req).await;
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if resp.status() != StatusCode::OK || !json {
        return resp;
    }
    if let Some(tag) = resp.headers().get(header::ETAG) {
        let tag = tag.to_str().unwrap_or_default().to_owned();
        if !matches(&conditions, &tag) {
            return resp;
        }
        let (parts, _) = resp.into_parts();
        return not_modified(parts);
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = match to_bytes(body, MAX_TAGGED).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read an answer to tag it");
            return crate::problem::problem_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot read the answer",
            );
        }
    };
    let tag = tag_for(&bytes);
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    if matches(&conditions, &tag) {
        return not_modified(parts);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `304 Not Modified` with the answer's headers but no body.
fn not_modified(mut parts: axum::http::response::Parts) -> Response {
    parts.status = StatusCode::NOT_MODIFIED;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::empty())
}
