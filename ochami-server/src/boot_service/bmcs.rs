//! `/boot-service/bmcs`: SMD's Redfish endpoints in boot-service's `BMC` envelope, read-only
//! (write them through `/hsm/v2/Inventory/RedfishEndpoints`). The uid is `bmc-<xname>`.
//! Credentials never appear: the spec has no field for them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use ochami_core::{RedfishEndpoint, RedfishEndpointFilter, Xname};
use serde::Serialize;

use crate::AppState;
use crate::problem::NoQuery;
use crate::resource::{Envelope, Metadata, ResourceError, json, negotiate};

const KIND: &str = "BMC";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/boot-service/bmcs", get(list).post(read_only))
        .route(
            "/boot-service/bmcs/{uid}",
            get(read).put(read_only).patch(read_only).delete(read_only),
        )
}

/// boot-service's `BMC.spec`.
#[derive(Debug, Serialize)]
struct BmcSpec {
    xname: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    interface: BmcInterface,
}

#[derive(Debug, Serialize)]
struct BmcInterface {
    #[serde(skip_serializing_if = "String::is_empty")]
    mac: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    ip: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// Only the fields named here are copied: never `User` or `Password`.
fn envelope(ep: &RedfishEndpoint) -> Envelope<BmcSpec> {
    let ip = ep.shown_ip().to_owned();
    Envelope::new(
        KIND,
        Metadata {
            name: ep.id.to_string(),
            uid: format!("bmc-{}", ep.id),
            ..Metadata::default()
        },
        BmcSpec {
            xname: ep.id.to_string(),
            description: ep.name.chars().take(200).collect(),
            interface: BmcInterface {
                mac: ep.mac_addr.map(|m| m.to_string()).unwrap_or_default(),
                ip,
                kind: "management",
            },
        },
    )
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: NoQuery,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    let eps = state
        .store()
        .list_redfish_endpoints(&RedfishEndpointFilter::default())
        .await?;
    let all: Vec<_> = eps.iter().map(envelope).collect();
    Ok(json(StatusCode::OK, &all))
}

async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    _: NoQuery,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    let ep = match uid
        .strip_prefix("bmc-")
        .and_then(|x| x.parse::<Xname>().ok())
    {
        Some(x) => state.store().get_redfish_endpoint(&x).await?,
        None => None,
    };
    let ep = ep.ok_or_else(|| ResourceError::not_found(KIND, &uid))?;
    Ok(json(StatusCode::OK, &envelope(&ep)))
}

async fn read_only() -> ResourceError {
    ResourceError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "BMCs are SMD Redfish endpoints here: write them through /hsm/v2/Inventory/RedfishEndpoints",
    )
}
