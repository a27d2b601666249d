//! `/boot-service/nodes`: SMD's node components in boot-service's `Node` envelope, read
//! from the inventory on every request. The uid is `node-<xname>`. Writes go to the
//! inventory: a node's component (NID, role, sub-role), its interfaces (added when new) and
//! its group memberships (groups created when missing); DELETE removes the component.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use ochami_core::{
    Component, ComponentFilter, EthernetInterface, EthernetInterfaceFilter, Group, HmsType,
    Members, Role, State as NodeState, SubRole, Xname,
};
use ochami_store::{ConflictKind, StoreError};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::problem::{NoQuery, parse_xname};
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

/// boot-service's `Node.spec`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeSpec {
    xname: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nid: Option<i64>,
    #[serde(rename = "bootMac", default, skip_serializing_if = "String::is_empty")]
    boot_mac: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    role: String,
    #[serde(rename = "subRole", default, skip_serializing_if = "String::is_empty")]
    sub_role: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    hostname: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    interfaces: Vec<NodeInterface>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeInterface {
    #[serde(default)]
    mac: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    ip: String,
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    kind: String,
}

fn uid_of(x: &Xname) -> String {
    format!("node-{x}")
}

/// The envelope of one node from its component, interfaces (id order) and groups.
fn envelope(
    c: &Component,
    mut ifaces: Vec<&EthernetInterface>,
    groups: Vec<String>,
) -> Envelope<NodeSpec> {
    ifaces.sort_by(|a, b| a.id.cmp(&b.id));
    let spec = NodeSpec {
        xname: c.id.to_string(),
        nid: c.nid,
        boot_mac: ifaces
            .first()
            .map(|i| i.mac_address.to_string())
            .unwrap_or_default(),
        role: c.role.map(|r| r.to_string()).unwrap_or_default(),
        sub_role: c.sub_role.map(|r| r.to_string()).unwrap_or_default(),
        hostname: String::new(),
        interfaces: ifaces
            .iter()
            .map(|i| NodeInterface {
                mac: i.mac_address.to_string(),
                ip: i
                    .ip_addresses
                    .first()
                    .map(|a| a.ip_address.clone())
                    .unwrap_or_default(),
                kind: i
                    .ip_addresses
                    .first()
                    .map(|a| a.network.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        groups,
    };
    Envelope::new(
        KIND,
        Metadata {
            name: c.id.to_string(),
            uid: uid_of(&c.id),
            ..Metadata::default()
        },
        spec,
    )
}

fn node_filter(ids: &[Xname]) -> Result<ComponentFilter, ResourceError> {
    let mut pairs: Vec<(&str, String)> =
        vec![("type", "Node".into()), ("type", "VirtualNode".into())];
    pairs.extend(ids.iter().map(|x| ("id", x.to_string())));
    Ok(ComponentFilter::from_query_pairs(pairs)?)
}

/// The envelopes of the nodes `ids` (every node when empty).
async fn nodes(state: &AppState, ids: &[Xname]) -> Result<Vec<Envelope<NodeSpec>>, ResourceError> {
    let filter = node_filter(ids)?;
    let components = state.store().list_components(&filter).await?;
    let ifaces = state
        .store()
        .list_ethernet_interfaces(&EthernetInterfaceFilter {
            component_id: ids.to_vec(),
            ..Default::default()
        })
        .await?;
    let memberships = state.store().list_memberships(&filter).await?;
    Ok(components
        .iter()
        .map(|c| {
            let mine = ifaces
                .iter()
                .filter(|i| i.component_id == Some(c.id))
                .collect();
            let groups = memberships
                .iter()
                .find(|m| m.id == c.id)
                .map(|m| m.group_labels.clone())
                .unwrap_or_default();
            envelope(c, mine, groups)
        })
        .collect())
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: NoQuery,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    Ok(json(StatusCode::OK, &nodes(&state, &[]).await?))
}

/// The xname of a `node-<xname>` uid.
fn xname_of(uid: &str) -> Result<Xname, ResourceError> {
    uid.strip_prefix("node-")
        .and_then(|x| x.parse::<Xname>().ok())
        .ok_or_else(|| ResourceError::not_found(KIND, uid))
}

async fn one(state: &AppState, uid: &str) -> Result<Envelope<NodeSpec>, ResourceError> {
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

/// Write a spec to the inventory; `existing` is the node's component when it has one.
async fn write(
    state: &AppState,
    spec: NodeSpec,
    existing: Option<Component>,
) -> Result<Xname, ResourceError> {
    let x: Xname = parse_xname(&spec.xname)?;
    if !matches!(x.hms_type(), HmsType::Node | HmsType::VirtualNode) {
        return Err(ResourceError::bad_request(format!(
            "validation failed: spec.xname {x} is a {}, not a node",
            x.hms_type()
        )));
    }
    let mut c = existing.unwrap_or_else(|| Component::new(x).with_state(NodeState::On));
    c.nid = spec.nid;
    c.role = (!spec.role.is_empty())
        .then(|| spec.role.parse::<Role>())
        .transpose()?;
    c.sub_role = (!spec.sub_role.is_empty())
        .then(|| spec.sub_role.parse::<SubRole>())
        .transpose()?;
    let mut ifaces = Vec::new();
    for i in &spec.interfaces {
        let ips = (!i.ip.is_empty()).then(|| i.ip.clone());
        ifaces.push(EthernetInterface::new(i.mac.parse()?, Some(x), ips));
    }
    state.store().put_component(&c).await?;
    for iface in ifaces {
        match state
            .store()
            .get_ethernet_interface(&iface.mac_address)
            .await?
        {
            None => state.store().insert_ethernet_interface(&iface).await?,
            Some(e) if e.component_id == Some(x) => {}
            Some(e) => {
                return Err(ResourceError::new(
                    StatusCode::CONFLICT,
                    format!("MAC {} belongs to {:?}", e.mac_address, e.component_id),
                ));
            }
        }
    }
    for label in &spec.groups {
        if state.store().get_group(label).await?.is_none() {
            let g = Group {
                label: label.clone(),
                description: format!("The {label} group"),
                exclusive_group: String::new(),
                tags: vec![],
                members: Members::default(),
            };
            state.store().create_group(&g).await?;
        }
        match state.store().add_group_member(label, &x).await {
            Ok(())
            | Err(StoreError::Conflict {
                kind: ConflictKind::Member,
                ..
            }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(x)
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: NoQuery,
    body: Bytes,
) -> Result<Response, ResourceError> {
    let body = WriteBody::parse(&headers, &body, KIND)?;
    let spec: NodeSpec = spec_of(body.spec)?;
    let x: Xname = parse_xname(&spec.xname)?;
    if state.store().get_component(&x).await?.is_some() {
        return Err(ResourceError::new(
            StatusCode::CONFLICT,
            format!("node {x} exists (uid {})", uid_of(&x)),
        ));
    }
    let x = write(&state, spec, None).await?;
    Ok(json(StatusCode::CREATED, &one(&state, &uid_of(&x)).await?))
}

/// The stored component behind a uid (404 when absent).
async fn component(state: &AppState, uid: &str) -> Result<Component, ResourceError> {
    let x = xname_of(uid)?;
    state
        .store()
        .get_component(&x)
        .await?
        .filter(Component::is_node)
        .ok_or_else(|| ResourceError::not_found(KIND, uid))
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
    let spec: NodeSpec = spec_of(body.spec)?;
    if parse_xname(&spec.xname)? != c.id {
        return Err(ResourceError::bad_request(
            "validation failed: spec.xname does not match the uid",
        ));
    }
    write(&state, spec, Some(c)).await?;
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
    let spec: NodeSpec = spec_of(spec)?;
    if parse_xname(&spec.xname)? != c.id {
        return Err(ResourceError::bad_request(
            "validation failed: spec.xname cannot change",
        ));
    }
    write(&state, spec, Some(c)).await?;
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
