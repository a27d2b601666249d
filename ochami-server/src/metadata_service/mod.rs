//! metadata-service (`/metadata-service`): OpenCHAMI v0.2's cloud-init API over the same
//! cloud-init data as `/cloud-init`. The NoCloud documents a node fetches (`meta-data`,
//! `user-data`, `vendor-data`, `network-config`, `<group>.yaml`) come in v0.2's shape
//! (`ochami_boot::meta_data_v02` and friends); `clusterdefaultss` (and `clusterdefaults`),
//! `groups` and `instanceinfos` are the admin data in the resource envelope
//! (`crate::resource`).
//!
//! The node is found by the address it asks from, as under `/cloud-init`: `X-Forwarded-For`
//! counts only from `--trusted-proxy` networks (upstream trusts it from anyone). An address
//! no node holds answers 404 `{"error": "node not found", ...}`.

mod resources;

use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ochami_core::Xname;
use serde_json::json;

use crate::AppState;
use crate::cloud_init::{Peer, requesting_node};
use crate::problem::{ApiError, NoQuery};
use crate::resource::{ResourceError, json};

/// The routes, under `/metadata-service`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/metadata-service/health", get(health))
        .route("/metadata-service/meta-data", get(meta_data))
        .route("/metadata-service/user-data", get(user_data))
        .route("/metadata-service/vendor-data", get(vendor_data))
        .route("/metadata-service/network-config", get(network_config))
        .route("/metadata-service/{file}", get(group_document))
        .merge(resources::routes())
}

async fn health() -> Response {
    json(
        StatusCode::OK,
        &json!({"status": "healthy", "service": "github.com/openchami/metadata-service"}),
    )
}

/// The node asking, found by its address; 404 when no node has it.
struct Node(Xname);

impl FromRequestParts<AppState> for Node {
    type Rejection = ResourceError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match requesting_node(state, Peer::of(parts), &parts.headers).await {
            Ok(x) => Ok(Node(x)),
            Err(ApiError::UnknownClient(why)) => Err(ResourceError::new(
                StatusCode::NOT_FOUND,
                format!("node not found: {why}"),
            )),
            Err(e) => Err(e.into()),
        }
    }
}

fn text(content_type: &'static str, body: String) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

async fn meta_data(
    State(state): State<AppState>,
    _: NoQuery,
    Node(x): Node,
) -> Result<Response, ResourceError> {
    let body = ochami_boot::meta_data_v02(state.store(), &x, state.boot_options()).await?;
    Ok(text("application/x-yaml", body))
}

async fn user_data(
    State(state): State<AppState>,
    _: NoQuery,
    Node(x): Node,
) -> Result<Response, ResourceError> {
    let mut body = ochami_boot::user_data(state.store(), &x).await?;
    if !body.ends_with('\n') {
        body.push('\n');
    }
    state.endpoint_history().note(x.to_string(), "user-data");
    Ok(text("text/cloud-config", body))
}

async fn vendor_data(
    State(state): State<AppState>,
    _: NoQuery,
    Node(x): Node,
) -> Result<Response, ResourceError> {
    let body = ochami_boot::vendor_data_v02(state.store(), &x, state.boot_options()).await?;
    Ok(text("text/plain; charset=utf-8", body))
}

async fn network_config(
    State(state): State<AppState>,
    _: NoQuery,
    Node(x): Node,
) -> Result<Response, ResourceError> {
    let body = ochami_boot::network_config(state.store(), &x).await?;
    Ok(text("application/x-yaml", body))
}

async fn group_document(
    State(state): State<AppState>,
    Path(file): Path<String>,
    _: NoQuery,
    Node(x): Node,
) -> Result<Response, ResourceError> {
    let group = file.strip_suffix(".yaml").ok_or_else(|| {
        ResourceError::new(StatusCode::NOT_FOUND, format!("no document {file:?}"))
    })?;
    let mut body = ochami_boot::group_document(state.store(), &x, group).await?;
    if !body.ends_with('\n') {
        body.push('\n');
    }
    Ok(text("text/cloud-config", body))
}
