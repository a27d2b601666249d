//! boot-service (`/boot-service`): OpenCHAMI v0.2's boot API over the same store as BSS.
//! `bootconfigurations` are the store's boot configurations (BSS rows show up as
//! `legacy-…` configurations with one selector), `nodes` are SMD's node components (no
//! second copy to sync), `bmcs` are SMD's Redfish endpoints (read-only, never with
//! credentials), and `bootscript` is composed by `ochami_boot::answer`, the same call as
//! `/boot/v1/bootscript`, so both APIs boot a node alike.
//!
//! Differences from upstream boot-service, deliberate:
//! * The script is BSS's (with its retry chain), never HTML-escaped; an unknown node gets
//!   the wait script that polls again instead of a script that halts.
//! * Nodes are read from the inventory on every request (upstream syncs SMD every 5 minutes);
//!   every MAC of a node counts, not only the last one.
//! * `bmcs` cannot be written here: BMCs are SMD Redfish endpoints (`/hsm/v2`), 405 says so.
//! * BSS rows (`legacy-…` uids) can be read and deleted here, not replaced or patched (409):
//!   they keep BSS's per-name semantics; write them through `/boot/v1/bootparameters`.
//! * Resource and error conventions: see `crate::resource`.

mod bmcs;
mod configurations;
mod nodes;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ochami_boot::BootRequest;
use serde_json::json;

use crate::AppState;
use crate::problem::QueryPairs;
use crate::resource::{ResourceError, json};

/// The routes, under `/boot-service`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/boot-service/health", get(health))
        .route("/boot-service/service/status", get(status))
        .route("/boot-service/service/version", get(version))
        .route("/boot-service/bootscript", get(bootscript))
        .merge(configurations::routes())
        .merge(nodes::routes())
        .merge(bmcs::routes())
}

async fn health() -> Response {
    json(
        StatusCode::OK,
        &json!({"status": "ok", "service": "boot-service"}),
    )
}

async fn status(State(state): State<AppState>) -> Response {
    let storage = match state.store().ping().await {
        Ok(()) => "connected",
        Err(e) => {
            tracing::warn!(error = %e, "store ping failed");
            "error"
        }
    };
    json(
        StatusCode::OK,
        &json!({
            "service_name": "boot-service",
            "service_version": env!("CARGO_PKG_VERSION"),
            "service_status": "running",
            "details": {"storage": state.store().backend(), "storage_status": storage},
        }),
    )
}

async fn version() -> Response {
    json(
        StatusCode::OK,
        &json!({
            "service_name": "boot-service",
            "service_version": env!("CARGO_PKG_VERSION"),
        }),
    )
}

/// `GET /bootscript?host=|mac=|nid=`: the first present of host, mac, nid names the node;
/// `profile` and `format` are accepted and ignored (as upstream); anything else is 400.
async fn bootscript(
    State(state): State<AppState>,
    mut q: QueryPairs,
) -> Result<Response, ResourceError> {
    let host = q.take_last("host");
    let mac = q.take_last("mac");
    let nid = q.take_last("nid");
    q.take("profile");
    q.take("format");
    q.finish()?;
    let pair = match (host, mac, nid) {
        (Some(h), _, _) => ("name", h),
        (None, Some(m), _) => ("mac", m),
        (None, None, Some(n)) => ("nid", n),
        (None, None, None) => {
            return Err(ResourceError::bad_request(
                "one of host, mac or nid is required",
            ));
        }
    };
    let req = BootRequest::from_query([pair])?;
    let answer = ochami_boot::answer(state.store(), &req, state.boot_options()).await?;
    if let Some(node) = answer.booting_node {
        state
            .endpoint_history()
            .note(node.to_string(), "bootscript");
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        answer.body,
    )
        .into_response())
}
