//! `/boot-service/nodes`: SMD's node components in boot-service's `Node` envelope, read
//! from the inventory on every request. The uid is `node-<xname>`. Writes go to the
//! inventory: a node's component (NID, role, sub-role), its interfaces (added when new) and
//! its group memberships (groups created when missing); DELETE removes the component. The
//! rules are [`BootNodeSpec`]'s and the inventory calls `ochami_store`'s (`boot_nodes`,
//! `create_boot_node`, `put_boot_node`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use ochami_core::{BodyId, BootNodeSpec, Component, Xname};
use ochami_store::{ConflictKind, StoreError};

use crate::AppState;
use crate::problem::NoQuery;
use crate::resource::{
    Envelope, Metadata, ResourceError, WriteBody, deleted, json, negotiate, patch_spec, spec_of,
};

const KIND: &str = "Node";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/boot-service/nodes", get(list).post(create))
        .route(
            "/boot-service/nodes/{uid}",
            get(read).put(replace).patch(patch).delete(remove),
        )
}

/// The envelope of one node.
fn envelope(spec: BootNodeSpec) -> Envelope<BootNodeSpec> {
    Envelope::new(
        KIND,
        Metadata {
            name: spec.xname.clone(),
            uid: spec.uid(),
            ..Metadata::default()
        },
        spec,
    )
}

/// The envelopes of the nodes `ids` (every node when empty).
async fn nodes(
    state: &AppState,
    ids: &[Xname],
) -> Result<Vec<Envelope<BootNodeSpec>>, ResourceError> {
    let specs = ochami_store::boot_nodes(state.store(), ids).await?;
    Ok(specs.into_iter().map(envelope).collect())
}

/// A node write's conflicts answer with the store's words for them (which node exists,
/// which component owns a MAC); any other error as usual.
fn write_error(e: StoreError) -> ResourceError {
    match e {
        StoreError::Conflict {
            kind: ConflictKind::Id | ConflictKind::MacAddress,
            detail,
            ..
        } => ResourceError::new(StatusCode::CONFLICT, detail),
        e => e.into(),
    }
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: NoQuery,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    Ok(json(StatusCode::OK, &nodes(&state, &[]).await?))
}

/// The xname of a `node-<xname>` uid (404 for anything else).
fn xname_of(uid: &str) -> Result<Xname, ResourceError> {
    BootNodeSpec::xname_of_uid(uid).ok_or_else(|| ResourceError::not_found(KIND, uid))
}

async fn one(state: &AppState, uid: &str) -> Result<Envelope<BootNodeSpec>, ResourceError> {
    let x = xname_of(uid)?;
    nodes(state, &[x])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ResourceError::not_found(KIND, uid))
}

async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    _: NoQuery,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    Ok(json(StatusCode::OK, &one(&state, &uid).await?))
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: NoQuery,
    body: Bytes,
) -> Result<Response, ResourceError> {
    let body = WriteBody::parse(&headers, &body, KIND)?;
    let spec: BootNodeSpec = spec_of(body.spec)?;
    let x = ochami_store::create_boot_node(state.store(), &spec)
        .await
        .map_err(write_error)?;
    Ok(json(
        StatusCode::CREATED,
        &one(&state, &BootNodeSpec::uid_of(&x)).await?,
    ))
}

/// The stored node component behind a uid (404 when absent).
async fn component(state: &AppState, uid: &str) -> Result<Component, ResourceError> {
    let x = xname_of(uid)?;
    ochami_store::boot_node_component(state.store(), &x)
        .await?
        .ok_or_else(|| ResourceError::not_found(KIND, uid))
}

/// Write `spec` over node component `c`.
async fn write(state: &AppState, spec: &BootNodeSpec, c: Component) -> Result<(), ResourceError> {
    ochami_store::put_boot_node(state.store(), spec, Some(c))
        .await
        .map_err(write_error)
}

async fn replace(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    _: NoQuery,
    body: Bytes,
) -> Result<Response, ResourceError> {
    let body = WriteBody::parse(&headers, &body, KIND)?;
    let c = component(&state, &uid).await?;
    let spec: BootNodeSpec = spec_of(body.spec)?;
    spec.check_update(&c.id, BodyId::BOOT_NODE_PUT)?;
    write(&state, &spec, c).await?;
    Ok(json(StatusCode::OK, &one(&state, &uid).await?))
}

async fn patch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    _: NoQuery,
    body: Bytes,
) -> Result<Response, ResourceError> {
    let c = component(&state, &uid).await?;
    let current = one(&state, &uid).await?;
    let mut spec = serde_json::to_value(&current.spec)
        .map_err(|e| ResourceError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    patch_spec(&headers, &body, &mut spec)?;
    let spec: BootNodeSpec = spec_of(spec)?;
    spec.check_update(&c.id, BodyId::BOOT_NODE_PATCH)?;
    write(&state, &spec, c).await?;
    Ok(json(StatusCode::OK, &one(&state, &uid).await?))
}

async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    _: NoQuery,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    let c = component(&state, &uid).await?;
    state.store().delete_component(&c.id).await?;
    Ok(deleted(KIND, &uid))
}
