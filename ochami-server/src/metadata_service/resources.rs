//! metadata-service's admin resources over the cloud-init store, in the resource envelope:
//!
//! * `clusterdefaultss` (also `clusterdefaults`): the one cluster-defaults record, uid
//!   `clusterdefaults-cluster`; POST and PUT replace it, DELETE resets it. Spec keys use
//!   underscores (`base_url`, `cluster_name`, `short_name`, `nid_length`, …).
//! * `groups`: cloud-init group data, uid `group-<name>`; `template` is the group's
//!   cloud-config file, `metaData` its meta-data (string values), `osVersion` kept as the
//!   `osVersion` version entry.
//! * `instanceinfos`: a node's instance info, `metadata.name` = the node's xname, uid
//!   `instanceinfo-<xname>`.
//!
//! Differences from upstream: names are unique (a second group or instance info with the
//! same name is 409, upstream keeps both and serves the newest); a spec key this store does
//! not keep (`description` of defaults and instance infos, `default_profile`) is refused with
//! 400 instead of being dropped.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use ochami_core::cloud_init::{ClusterDefaults, GroupData, InstanceInfo, NodeData};
use ochami_core::{ComponentFilter, Xname};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::problem::{NoQuery, parse_xname};
use crate::resource::{
    Envelope, Metadata, ResourceError, WriteBody, deleted, json, negotiate, patch_spec, spec_of,
};

const DEFAULTS_UID: &str = "clusterdefaults-cluster";

/// The three resource kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Defaults,
    Group,
    Instance,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Defaults => "ClusterDefaults",
            Kind::Group => "Group",
            Kind::Instance => "InstanceInfo",
        }
    }
}

pub(super) fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for (kind, path) in [
        (Kind::Defaults, "/metadata-service/clusterdefaultss"),
        (Kind::Defaults, "/metadata-service/clusterdefaults"),
        (Kind::Group, "/metadata-service/groups"),
        (Kind::Instance, "/metadata-service/instanceinfos"),
    ] {
        let item = format!("{path}/{{uid}}");
        r = r
            .route(
                path,
                get(move |State(s): State<AppState>, h: HeaderMap, _: NoQuery| list(kind, s, h))
                    .post(
                        move |State(s): State<AppState>, h: HeaderMap, _: NoQuery, b: Bytes| {
                            write(kind, s, h, None, b)
                        },
                    ),
            )
            .route(
                item.as_str(),
                get(
                    move |State(s): State<AppState>,
                          h: HeaderMap,
                          Path(u): Path<String>,
                          _: NoQuery| { read(kind, s, h, u) },
                )
                .put(
                    move |State(s): State<AppState>,
                          h: HeaderMap,
                          Path(u): Path<String>,
                          _: NoQuery,
                          b: Bytes| { write(kind, s, h, Some(u), b) },
                )
                .patch(
                    move |State(s): State<AppState>,
                          h: HeaderMap,
                          Path(u): Path<String>,
                          _: NoQuery,
                          b: Bytes| { patch(kind, s, h, u, b) },
                )
                .delete(
                    move |State(s): State<AppState>,
                          h: HeaderMap,
                          Path(u): Path<String>,
                          _: NoQuery| { remove(kind, s, h, u) },
                ),
            );
    }
    r
}

/// `ClusterDefaults.spec`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultsSpec {
    #[serde(default)]
    base_url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    cloud_provider: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    region: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    availability_zone: String,
    #[serde(default)]
    cluster_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    short_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nid_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    public_keys: Vec<String>,
}

/// `Group.spec`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupSpec {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    template: String,
    #[serde(
        rename = "metaData",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    meta_data: BTreeMap<String, String>,
    #[serde(
        rename = "osVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    os_version: String,
}

/// `InstanceInfo.spec`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceSpec {
    #[serde(default)]
    instance_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    local_hostname: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    hostname: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    cloud_init_base_url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    public_keys: Vec<String>,
}

fn to_value<T: Serialize>(v: &T) -> Result<Value, ResourceError> {
    serde_json::to_value(v)
        .map_err(|e| ResourceError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

fn envelope(kind: Kind, name: String, uid: String, spec: Value) -> Envelope<Value> {
    Envelope::new(
        kind.name(),
        Metadata {
            name,
            uid,
            ..Metadata::default()
        },
        spec,
    )
}

fn defaults_spec(d: &ClusterDefaults) -> DefaultsSpec {
    DefaultsSpec {
        base_url: d.base_url.clone(),
        cloud_provider: d.cloud_provider.clone(),
        region: d.region.clone(),
        availability_zone: d.availability_zone.clone(),
        cluster_name: d.cluster_name.clone(),
        short_name: d.short_name.clone(),
        nid_length: d.nid_length,
        public_keys: d.public_keys.clone(),
    }
}

fn group_spec(g: &GroupData) -> GroupSpec {
    GroupSpec {
        description: g.description.clone(),
        template: g.file.content.clone(),
        meta_data: g
            .meta_data
            .iter()
            .flatten()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect(),
        os_version: g.versions.get("osVersion").cloned().unwrap_or_default(),
    }
}

fn instance_spec(i: &InstanceInfo) -> InstanceSpec {
    InstanceSpec {
        instance_id: i.instance_id.clone(),
        local_hostname: i.local_hostname.clone(),
        hostname: i.hostname.clone(),
        cloud_init_base_url: i.cloud_init_base_url.clone(),
        public_keys: i.public_keys.clone(),
    }
}

fn is_set(d: &ClusterDefaults) -> bool {
    *d != ClusterDefaults::default()
}

/// Every resource of a kind, as envelopes.
async fn all(kind: Kind, state: &AppState) -> Result<Vec<Envelope<Value>>, ResourceError> {
    let store = state.store();
    Ok(match kind {
        Kind::Defaults => {
            let d = store.get_cluster_defaults().await?;
            if is_set(&d) {
                vec![envelope(
                    kind,
                    d.cluster_name.clone(),
                    DEFAULTS_UID.into(),
                    to_value(&defaults_spec(&d))?,
                )]
            } else {
                vec![]
            }
        }
        Kind::Group => {
            let mut out = Vec::new();
            for g in store.list_group_data().await? {
                out.push(envelope(
                    kind,
                    g.name.clone(),
                    format!("group-{}", g.name),
                    to_value(&group_spec(&g))?,
                ));
            }
            out
        }
        Kind::Instance => {
            // The store keeps instance info per node: read each node's.
            let nodes =
                ComponentFilter::from_query_pairs([("type", "Node"), ("type", "VirtualNode")])?;
            let mut out = Vec::new();
            for c in store.list_components(&nodes).await? {
                let Some(d) = store.get_node_data(&c.id).await? else {
                    continue;
                };
                if d.instance_info == InstanceInfo::default()
                    || d.instance_info
                        == (InstanceInfo {
                            id: c.id.to_string(),
                            ..InstanceInfo::default()
                        })
                {
                    continue;
                }
                out.push(envelope(
                    kind,
                    c.id.to_string(),
                    format!("instanceinfo-{}", c.id),
                    to_value(&instance_spec(&d.instance_info))?,
                ));
            }
            out
        }
    })
}

/// The key behind a uid: the group name or the xname (the defaults have none).
fn key_of(kind: Kind, uid: &str) -> Result<String, ResourceError> {
    let key = match kind {
        Kind::Defaults => (uid == DEFAULTS_UID).then(String::new),
        Kind::Group => uid.strip_prefix("group-").map(str::to_owned),
        Kind::Instance => uid.strip_prefix("instanceinfo-").map(str::to_owned),
    };
    key.ok_or_else(|| ResourceError::not_found(kind.name(), uid))
}

async fn one(kind: Kind, state: &AppState, uid: &str) -> Result<Envelope<Value>, ResourceError> {
    let key = key_of(kind, uid)?;
    let store = state.store();
    let found = match kind {
        Kind::Defaults => {
            let d = store.get_cluster_defaults().await?;
            is_set(&d).then(|| (d.cluster_name.clone(), to_value(&defaults_spec(&d))))
        }
        Kind::Group => store
            .get_group_data(&key)
            .await?
            .map(|g| (g.name.clone(), to_value(&group_spec(&g)))),
        Kind::Instance => {
            let x = parse_xname(&key)?;
            store
                .get_node_data(&x)
                .await?
                .map(|d| (x.to_string(), to_value(&instance_spec(&d.instance_info))))
        }
    };
    let (name, spec) = found.ok_or_else(|| ResourceError::not_found(kind.name(), uid))?;
    Ok(envelope(kind, name, uid.to_owned(), spec?))
}

async fn list(kind: Kind, state: AppState, headers: HeaderMap) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    Ok(json(StatusCode::OK, &all(kind, &state).await?))
}

async fn read(
    kind: Kind,
    state: AppState,
    headers: HeaderMap,
    uid: String,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    Ok(json(StatusCode::OK, &one(kind, &state, &uid).await?))
}

fn invalid(msg: impl Into<String>) -> ResourceError {
    ResourceError::bad_request(format!("validation failed: {}", msg.into()))
}

/// Store a spec under `name`; `create` refuses a name already taken.
async fn store_spec(
    kind: Kind,
    state: &AppState,
    name: &str,
    spec: Value,
    create: bool,
) -> Result<String, ResourceError> {
    let store = state.store();
    match kind {
        Kind::Defaults => {
            let s: DefaultsSpec = spec_of(spec)?;
            if !(s.base_url.starts_with("http://") || s.base_url.starts_with("https://")) {
                return Err(invalid("spec.base_url must be an http:// or https:// URL"));
            }
            if s.cluster_name.trim().is_empty() {
                return Err(invalid("spec.cluster_name is required"));
            }
            if s.nid_length.is_some_and(|n| n > 10) {
                return Err(invalid("spec.nid_length must be from 0 to 10"));
            }
            let mut d = store.get_cluster_defaults().await?;
            d.base_url = s.base_url;
            d.cloud_provider = s.cloud_provider;
            d.region = s.region;
            d.availability_zone = s.availability_zone;
            d.cluster_name = s.cluster_name;
            d.short_name = s.short_name;
            d.nid_length = s.nid_length;
            d.public_keys = s.public_keys;
            store.put_cluster_defaults(&d).await?;
            Ok(DEFAULTS_UID.into())
        }
        Kind::Group => {
            let s: GroupSpec = spec_of(spec)?;
            let mut g = GroupData {
                name: name.to_owned(),
                description: s.description,
                meta_data: (!s.meta_data.is_empty()).then(|| {
                    s.meta_data
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect()
                }),
                ..GroupData::default()
            };
            g.file.content = s.template;
            if !s.os_version.is_empty() {
                g.versions.insert("osVersion".into(), s.os_version);
            }
            g.normalize()?;
            if create {
                store.insert_group_data(&g).await?;
            } else {
                store.put_group_data(&g).await?;
            }
            Ok(format!("group-{}", g.name))
        }
        Kind::Instance => {
            let s: InstanceSpec = spec_of(spec)?;
            if s.instance_id.trim().is_empty() {
                return Err(invalid("spec.instance_id is required"));
            }
            let x: Xname = parse_xname(name)?;
            if create
                && store
                    .get_node_data(&x)
                    .await?
                    .is_some_and(|d| !d.instance_info.instance_id.is_empty())
            {
                return Err(ResourceError::new(
                    StatusCode::CONFLICT,
                    format!("instance info for {x} exists (uid instanceinfo-{x})"),
                ));
            }
            let mut info = store
                .get_node_data(&x)
                .await?
                .map(|d| d.instance_info)
                .unwrap_or_default();
            info.instance_id = s.instance_id;
            info.local_hostname = s.local_hostname;
            info.hostname = s.hostname;
            info.cloud_init_base_url = s.cloud_init_base_url;
            info.public_keys = s.public_keys;
            store.put_instance_info(&x, &info).await?;
            Ok(format!("instanceinfo-{x}"))
        }
    }
}

/// POST (`uid` none) or PUT.
async fn write(
    kind: Kind,
    state: AppState,
    headers: HeaderMap,
    uid: Option<String>,
    body: Bytes,
) -> Result<Response, ResourceError> {
    let body = WriteBody::parse(&headers, &body, kind.name())?;
    let name = match &uid {
        Some(uid) => {
            one(kind, &state, uid).await?;
            let key = key_of(kind, uid)?;
            if kind != Kind::Defaults && !body.metadata.name.is_empty() && body.metadata.name != key
            {
                return Err(invalid("metadata.name cannot change (it is the uid)"));
            }
            key
        }
        None => body.metadata.name.clone(),
    };
    if kind != Kind::Defaults && name.trim().is_empty() {
        return Err(invalid("metadata.name is required"));
    }
    let status = if uid.is_none() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let create = uid.is_none() && kind != Kind::Defaults;
    let uid = store_spec(kind, &state, &name, body.spec, create).await?;
    Ok(json(status, &one(kind, &state, &uid).await?))
}

async fn patch(
    kind: Kind,
    state: AppState,
    headers: HeaderMap,
    uid: String,
    body: Bytes,
) -> Result<Response, ResourceError> {
    let current = one(kind, &state, &uid).await?;
    let mut spec = current.spec;
    patch_spec(&headers, &body, &mut spec)?;
    let key = key_of(kind, &uid)?;
    let uid = store_spec(kind, &state, &key, spec, false).await?;
    Ok(json(StatusCode::OK, &one(kind, &state, &uid).await?))
}

async fn remove(
    kind: Kind,
    state: AppState,
    headers: HeaderMap,
    uid: String,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    one(kind, &state, &uid).await?;
    let key = key_of(kind, &uid)?;
    let store = state.store();
    match kind {
        Kind::Defaults => {
            store
                .put_cluster_defaults(&ClusterDefaults::default())
                .await?
        }
        Kind::Group => {
            store.delete_group_data(&key).await?;
        }
        Kind::Instance => {
            let x = parse_xname(&key)?;
            match store.get_node_data(&x).await? {
                Some(NodeData {
                    user_data: Some(u), ..
                }) if !u.trim().is_empty() => {
                    let info = InstanceInfo {
                        id: x.to_string(),
                        ..InstanceInfo::default()
                    };
                    store.put_instance_info(&x, &info).await?;
                }
                _ => {
                    store.delete_node_data(&x).await?;
                }
            }
        }
    }
    Ok(deleted(kind.name(), &uid))
}
