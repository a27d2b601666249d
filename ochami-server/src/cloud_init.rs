//! cloud-init: `/cloud-init` — the NoCloud documents a node fetches (`meta-data`,
//! `user-data`, `vendor-data`, `<group>.yaml`), the same for a named node
//! (`admin/impersonation/{id}/...`), and the admin routes for group data, instance info,
//! node data and cluster defaults.
//!
//! A node is found by the address it asks from: the peer address, or, when the peer is one of
//! the `--trusted-proxy` networks, the rightmost `X-Forwarded-For` entry that is not itself a
//! trusted proxy (anyone else, and anything a client prepends to the header, could claim any
//! node's identity). An address no interface holds answers
//! 422, as upstream.
//!
//! Differences from upstream: errors are RFC 7807 problems (upstream writes plain text, or
//! nothing for 422); an unparsable admin body is 400 (upstream 422); `Location` headers name
//! the admin route of the group; `admin/node-data/{id}` (a node's own user-data and instance
//! info) is ours.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use ochami_core::cloud_init::{ClusterDefaults, GroupData, InstanceInfo, NodeData};
use ochami_core::{BodyId, Xname};
use ochami_store::{ConflictKind, StoreError};

use super::AppState;
use super::problem::{ApiError, ApiJson, ApiPath, NoQuery, parse_xname, xname};

const ADMIN: &str = "/cloud-init/admin";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cloud-init/meta-data", get(meta_data))
        .route("/cloud-init/user-data", get(user_data))
        .route("/cloud-init/vendor-data", get(vendor_data))
        .route("/cloud-init/{file}", get(group_document))
        .route(
            &format!("{ADMIN}/impersonation/{{id}}/meta-data"),
            get(meta_data_of),
        )
        .route(
            &format!("{ADMIN}/impersonation/{{id}}/user-data"),
            get(user_data_of),
        )
        .route(
            &format!("{ADMIN}/impersonation/{{id}}/vendor-data"),
            get(vendor_data_of),
        )
        .route(
            &format!("{ADMIN}/impersonation/{{id}}/{{file}}"),
            get(group_document_of),
        )
        .route(
            &format!("{ADMIN}/cluster-defaults"),
            get(get_defaults).post(set_defaults).put(set_defaults),
        )
        .route(&format!("{ADMIN}/groups"), get(list_groups).post(add_group))
        .route(
            &format!("{ADMIN}/groups/{{name}}"),
            get(get_group).put(put_group).delete(delete_group),
        )
        .route(
            &format!("{ADMIN}/instance-info/{{id}}"),
            get(get_instance_info).put(put_instance_info),
        )
        .route(
            &format!("{ADMIN}/node-data/{{id}}"),
            get(get_node_data)
                .put(put_node_data)
                .delete(delete_node_data),
        )
}

/// The address the request stands for: when the peer is a trusted proxy, the rightmost
/// `X-Forwarded-For` entry that is not itself a trusted proxy; else the peer's address.
fn client_ip(
    state: &AppState,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Result<IpAddr, ApiError> {
    let peer = peer
        .ok_or_else(|| ApiError::UnknownClient("the peer address is unknown".into()))?
        .ip();
    let trusted = |ip: &IpAddr| {
        state
            .settings()
            .trusted_proxies
            .iter()
            .any(|net| net.contains(ip))
    };
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let (true, Some(list)) = (trusted(&peer), forwarded) else {
        return Ok(peer);
    };
    // Each proxy appends the address it saw: walking from the right, the first entry that is
    // not a trusted proxy is the client; whatever stands left of it is the client's claim.
    let mut client = peer;
    for entry in list.rsplit(',').map(str::trim) {
        client = entry.parse::<IpAddr>().map_err(|_| {
            ApiError::bad_request(format!(
                "X-Forwarded-For entry {entry:?} is not an IP address"
            ))
        })?;
        if !trusted(&client) {
            break;
        }
    }
    Ok(client)
}

/// The node asking: found by its address among the ethernet interfaces.
pub(crate) async fn requesting_node(
    state: &AppState,
    peer: Peer,
    headers: &HeaderMap,
) -> Result<Xname, ApiError> {
    let ip = client_ip(state, peer.0, headers)?;
    let node = ochami_boot::node_for_ip(state.store(), ip).await?;
    node.ok_or_else(|| ApiError::UnknownClient(format!("no node has the address {ip}")))
}

fn text(content_type: &'static str, body: String) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

const YAML: &str = "application/x-yaml";
const TEXT: &str = "text/plain; charset=utf-8";

async fn meta_data_for(state: &AppState, node: &Xname) -> Result<Response, ApiError> {
    Ok(text(
        YAML,
        ochami_boot::meta_data(state.store(), node, state.boot_options()).await?,
    ))
}

async fn user_data_for(state: &AppState, node: &Xname) -> Result<Response, ApiError> {
    let body = ochami_boot::user_data(state.store(), node).await?;
    state.endpoint_history().note(node.to_string(), "user-data");
    Ok(text(TEXT, body))
}

async fn vendor_data_for(state: &AppState, node: &Xname) -> Result<Response, ApiError> {
    Ok(text(
        TEXT,
        ochami_boot::vendor_data(state.store(), node, state.boot_options()).await?,
    ))
}

/// The group a `<group>.yaml` document path names; any other file name is 404.
fn group_of(file: &str) -> Result<&str, ApiError> {
    file.strip_suffix(".yaml")
        .ok_or_else(|| ApiError::not_found(format!("no cloud-init document {file:?}")))
}

async fn group_document_for(
    state: &AppState,
    node: &Xname,
    group: &str,
) -> Result<Response, ApiError> {
    Ok(text(
        TEXT,
        ochami_boot::group_document(state.store(), node, group).await?,
    ))
}

/// The peer address, when the server was started with connect info (`serve_on` does).
pub(crate) struct Peer(Option<SocketAddr>);

impl Peer {
    pub(crate) fn of(parts: &axum::http::request::Parts) -> Self {
        Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        )
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Peer::of(parts))
    }
}

/// The node asking ([`requesting_node`]), as an extractor; put it after [`NoQuery`] so a bad
/// query is reported first.
struct RequestingNode(Xname);

impl axum::extract::FromRequestParts<AppState> for RequestingNode {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        requesting_node(state, Peer::of(parts), &parts.headers)
            .await
            .map(RequestingNode)
    }
}

async fn meta_data(
    State(state): State<AppState>,
    _: NoQuery,
    RequestingNode(node): RequestingNode,
) -> Result<Response, ApiError> {
    meta_data_for(&state, &node).await
}

async fn user_data(
    State(state): State<AppState>,
    _: NoQuery,
    RequestingNode(node): RequestingNode,
) -> Result<Response, ApiError> {
    user_data_for(&state, &node).await
}

async fn vendor_data(
    State(state): State<AppState>,
    _: NoQuery,
    RequestingNode(node): RequestingNode,
) -> Result<Response, ApiError> {
    vendor_data_for(&state, &node).await
}

async fn group_document(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    peer: Peer,
    headers: HeaderMap,
    _: NoQuery,
) -> Result<Response, ApiError> {
    let group = group_of(&file)?;
    let node = requesting_node(&state, peer, &headers).await?;
    group_document_for(&state, &node, group).await
}

async fn meta_data_of(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Response, ApiError> {
    meta_data_for(&state, &xname(&id)?).await
}

async fn user_data_of(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Response, ApiError> {
    let node = xname(&id)?;
    Ok(text(
        TEXT,
        ochami_boot::user_data_of_component(state.store(), &node).await?,
    ))
}

async fn vendor_data_of(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Response, ApiError> {
    vendor_data_for(&state, &xname(&id)?).await
}

async fn group_document_of(
    State(state): State<AppState>,
    ApiPath((id, file)): ApiPath<(String, String)>,
    _: NoQuery,
) -> Result<Response, ApiError> {
    group_document_for(&state, &xname(&id)?, group_of(&file)?).await
}

// ---- admin ----

async fn get_defaults(
    State(state): State<AppState>,
    _: NoQuery,
) -> Result<Json<ClusterDefaults>, ApiError> {
    Ok(Json(state.store().get_cluster_defaults().await?))
}

async fn set_defaults(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(defaults): ApiJson<ClusterDefaults>,
) -> Result<StatusCode, ApiError> {
    state.store().put_cluster_defaults(&defaults).await?;
    Ok(StatusCode::CREATED)
}

async fn list_groups(
    State(state): State<AppState>,
    _: NoQuery,
) -> Result<Json<BTreeMap<String, GroupData>>, ApiError> {
    let all = state.store().list_group_data().await?;
    Ok(Json(all.into_iter().map(|g| (g.name.clone(), g)).collect()))
}

fn group_created(name: &str) -> Response {
    let mut resp = StatusCode::CREATED.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{ADMIN}/groups/{name}")) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

async fn add_group(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(data): ApiJson<GroupData>,
) -> Result<Response, ApiError> {
    // The store normalizes the record; the Location names the group by its canonical label.
    match state.store().insert_group_data(&data).await {
        // The problem's detail stays the store's own words: `cloud-init group X already exists`.
        Err(StoreError::Conflict {
            kind: ConflictKind::CloudInitGroup,
            detail,
            ..
        }) => Err(ApiError::Conflict(detail)),
        other => {
            other?;
            Ok(group_created(&group_name(&data.name)?))
        }
    }
}

fn group_name(raw: &str) -> Result<String, ApiError> {
    Ok(ochami_core::Group::normalize_label(raw)?)
}

async fn get_group(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<GroupData>, ApiError> {
    let name = group_name(&name)?;
    let data = state.store().get_group_data(&name).await?;
    data.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no cloud-init data for group {name}")))
}

/// `PUT /admin/groups/{name}`: create or replace; a `name` in the body must match the path.
async fn put_group(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    _: NoQuery,
    ApiJson(mut fields): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    let name = group_name(&name)?;
    BodyId::CLOUD_INIT_GROUP.set_or_check(
        &mut fields,
        &name,
        ochami_core::Group::normalize_label,
    )?;
    let data: GroupData = serde_path_to_error::deserialize(serde_json::Value::Object(fields))
        .map_err(|e| {
            ApiError::bad_request(format!("invalid JSON body at {}: {}", e.path(), e.inner()))
        })?;
    state.store().put_group_data(&data).await?;
    Ok(group_created(&name))
}

async fn delete_group(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    _: NoQuery,
) -> Result<StatusCode, ApiError> {
    let name = group_name(&name)?;
    if state.store().delete_group_data(&name).await? {
        Ok(StatusCode::OK)
    } else {
        Err(ApiError::not_found(format!(
            "no cloud-init data for group {name}"
        )))
    }
}

async fn get_instance_info(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<InstanceInfo>, ApiError> {
    let node = xname(&id)?;
    let data = state.store().get_node_data(&node).await?;
    data.map(|d| Json(d.instance_info))
        .ok_or_else(|| ApiError::not_found(format!("no instance info for {node}")))
}

/// `PUT /admin/instance-info/{id}`: set a node's instance info (its user-data is kept).
async fn put_instance_info(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
    ApiJson(mut fields): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    let node = xname(&id)?;
    BodyId::CLOUD_INIT_NODE.set_or_check(&mut fields, &node, parse_xname)?;
    let info: InstanceInfo = serde_path_to_error::deserialize(serde_json::Value::Object(fields))
        .map_err(|e| {
            ApiError::bad_request(format!("invalid JSON body at {}: {}", e.path(), e.inner()))
        })?;
    state.store().put_instance_info(&node, &info).await?;
    Ok(StatusCode::CREATED)
}

async fn get_node_data(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<NodeData>, ApiError> {
    let node = xname(&id)?;
    let data = state.store().get_node_data(&node).await?;
    data.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no cloud-init data for {node}")))
}

async fn put_node_data(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
    ApiJson(data): ApiJson<NodeData>,
) -> Result<StatusCode, ApiError> {
    let node = xname(&id)?;
    let data = data.for_node(&node)?;
    state.store().put_node_data(&node, &data).await?;
    Ok(StatusCode::CREATED)
}

async fn delete_node_data(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<StatusCode, ApiError> {
    let node = xname(&id)?;
    if state.store().delete_node_data(&node).await? {
        Ok(StatusCode::OK)
    } else {
        Err(ApiError::not_found(format!(
            "no cloud-init data for {node}"
        )))
    }
}
