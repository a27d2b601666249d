//! The machine view: a browser page at `/ui/` that draws the cluster by its xname hierarchy
//! (cabinets, chassis, slots, BMCs, nodes) from the public HTTP API.
//!
//! The page is plain HTML, CSS and JavaScript from `ochami-server/ui/`, built into the binary
//! with `include_bytes!`: no build step, no CDN, it works offline on a management network.
//! It holds no data of its own; its API calls carry the bearer token the operator enters, so
//! `/ui/*` is public (see [`crate::auth::ScopePolicy`]).
//!
//! Every asset is answered with its content type, a strong `ETag` (a hash of its bytes) and
//! `Cache-Control: no-cache`, so a browser revalidates and gets `304 Not Modified` until the
//! binary changes. [`conditional_get`] gives the JSON API answers the same `ETag` /
//! `If-None-Match` handling, which lets the page poll for changes cheaply.

mod assets;
mod etag;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use etag::conditional_get;
pub(crate) use etag::tag_for;

use crate::AppState;
use crate::problem::ApiError;

/// `GET /ui` (and `/ui/`, trailing slashes are dropped) answers the page, `GET /ui/{file}`
/// its scripts and style sheet.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui", get(index))
        .route("/ui/{file}", get(asset))
}

async fn index(headers: HeaderMap) -> Response {
    match assets::find("index.html") {
        Some(a) => answer(a, &headers),
        None => ApiError::not_found("the page is missing from this build").into_response(),
    }
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    match assets::find(&file) {
        Some(a) => answer(a, &headers),
        None => ApiError::not_found(format!("no UI asset {file:?}")).into_response(),
    }
}

/// The asset, or 304 when the client already holds this version.
fn answer(a: &assets::Asset, headers: &HeaderMap) -> Response {
    let tag = a.etag();
    let mut resp = if etag::matches(headers, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(a.content_type),
            )],
            a.bytes,
        )
            .into_response()
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    resp
}
