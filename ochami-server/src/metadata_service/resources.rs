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

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use ochami_core::Xname;
use ochami_core::cloud_init::{
    ClusterDefaults, DefaultsSpec, GroupSpec, InstanceSpec, resource_name,
};
use serde::Serialize;
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

    /// The name a write stores under ([`resource_name`]); the one cluster-defaults record
    /// has none.
    fn name_of(self, uid_key: Option<&str>, body_name: &str) -> Result<String, ResourceError> {
        match self {
            Kind::Defaults => Ok(String::new()),
            Kind::Group | Kind::Instance => Ok(resource_name(uid_key, body_name)?),
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

/// Every resource of a kind, as envelopes.
async fn all(kind: Kind, state: &AppState) -> Result<Vec<Envelope<Value>>, ResourceError> {
    let store = state.store();
    Ok(match kind {
        Kind::Defaults => {
            let d = store.get_cluster_defaults().await?;
            let mut out = Vec::new();
            if let Some(d) = d.is_set().then_some(d) {
                let spec = to_value(&DefaultsSpec::from(&d))?;
                out.push(envelope(kind, d.cluster_name, DEFAULTS_UID.into(), spec));
            }
            out
        }
        Kind::Group => {
            let mut out = Vec::new();
            for g in store.list_group_data().await? {
                out.push(envelope(
                    kind,
                    g.name.clone(),
                    format!("group-{}", g.name),
                    to_value(&GroupSpec::from(&g))?,
                ));
            }
            out
        }
        Kind::Instance => {
            let mut out = Vec::new();
            for (x, info) in store.instance_infos().await? {
                out.push(envelope(
                    kind,
                    x.to_string(),
                    format!("instanceinfo-{x}"),
                    to_value(&InstanceSpec::from(&info))?,
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
            let set = d.is_set().then_some(d);
            set.map(|d| (d.cluster_name.clone(), to_value(&DefaultsSpec::from(&d))))
        }
        Kind::Group => store
            .get_group_data(&key)
            .await?
            .map(|g| (g.name.clone(), to_value(&GroupSpec::from(&g)))),
        Kind::Instance => {
            let x = parse_xname(&key)?;
            store.get_node_data(&x).await?.map(|d| {
                (
                    x.to_string(),
                    to_value(&InstanceSpec::from(&d.instance_info)),
                )
            })
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
            let mut d = store.get_cluster_defaults().await?;
            s.apply_to(&mut d)?;
            store.put_cluster_defaults(&d).await?;
            Ok(DEFAULTS_UID.into())
        }
        Kind::Group => {
            let s: GroupSpec = spec_of(spec)?;
            let g = s.into_group_data(name)?;
            // POST creates (409 when the name is taken); PUT and PATCH replace.
            if create {
                store.insert_group_data(&g).await?;
            } else {
                store.put_group_data(&g).await?;
            }
            Ok(format!("group-{}", g.name))
        }
        Kind::Instance => {
            let s = spec_of::<InstanceSpec>(spec)?.checked()?;
            let x: Xname = parse_xname(name)?;
            let current = store.get_node_data(&x).await?;
            let info = s.instance_info(current, &x, create)?;
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
    // PUT names an existing resource (404 otherwise); POST creates (201).
    let (key, status) = match &uid {
        Some(uid) => {
            one(kind, &state, uid).await?;
            (Some(key_of(kind, uid)?), StatusCode::OK)
        }
        None => (None, StatusCode::CREATED),
    };
    let name = kind.name_of(key.as_deref(), &body.metadata.name)?;
    let uid = store_spec(kind, &state, &name, body.spec, uid.is_none()).await?;
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
        Kind::Instance => store.remove_instance_info(&parse_xname(&key)?).await?,
    }
    Ok(deleted(kind.name(), &uid))
}
