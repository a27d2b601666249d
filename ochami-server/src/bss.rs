//! BSS: `/boot/v1` — boot parameters, the iPXE bootscript, the node view (`hosts`,
//! `dumpstate`), endpoint-access history and the service status routes.
//!
//! Boot parameters are one view of the store's boot configurations: `GET` lists the BSS
//! rows and then every configuration written through boot-service in BSS's shape (groups
//! appended to `hosts`), and the bootscript resolves over both with `ochami-boot`'s one
//! rule. Writes here change BSS rows only.
//!
//! Differences from upstream BSS, deliberate: a malformed or repeated bootscript parameter
//! and any unknown query key answer 400 (BSS falls back to defaults); `POST` answers 409 when
//! every name already has parameters (BSS: 400 `Already exists`); no `BSS-Referral-Token`
//! header (BSS's Postgres mode invents one it never stores); `POST /boot/v1/hosts` only
//! answers 204, since there is no SMD cache to refresh — every answer is read from the store.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use ochami_boot::BootRequest;
use ochami_core::{BootKey, BootOrigin, BootParams, MacAddr, SmComponent, sm_components};
use ochami_store::EndpointAccess;
use serde::Serialize;

use super::AppState;
use super::problem::{ApiError, NoQuery, QueryPairs, parse_json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/boot/v1/bootparameters",
            get(get_params)
                .post(post_params)
                .put(put_params)
                .patch(patch_params)
                .delete(delete_params),
        )
        .route("/boot/v1/bootscript", get(bootscript))
        .route("/boot/v1/hosts", get(hosts).post(refresh_hosts))
        .route("/boot/v1/dumpstate", get(dumpstate))
        .route("/boot/v1/endpoint-history", get(endpoint_history))
        .route("/boot/v1/service/status", get(status))
        .route("/boot/v1/service/status/all", get(status_all))
        .route("/boot/v1/service/version", get(version))
        .route("/boot/v1/service/hsm", get(hsm))
        .route("/boot/v1/service/storage/status", get(storage))
}

/// The query keys of `GET /boot/v1/bootscript`.
const BOOTSCRIPT_KEYS: [&str; 7] = ["mac", "name", "nid", "arch", "retry", "ts", "json"];

async fn bootscript(
    State(state): State<AppState>,
    mut q: QueryPairs,
) -> Result<Response, ApiError> {
    let mut pairs = Vec::new();
    for key in BOOTSCRIPT_KEYS {
        pairs.extend(q.take(key).into_iter().map(|v| (key, v)));
    }
    q.finish()?;
    let req = BootRequest::from_query(pairs)?;
    let answer = ochami_boot::answer(state.store(), &req, state.boot_options()).await?;
    if let Some(node) = answer.booting_node {
        state
            .endpoint_history()
            .note(node.to_string(), "bootscript");
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(answer.content_type),
        )],
        answer.body,
    )
        .into_response())
}

/// Split `a,b` values of repeated parameters.
fn split_values(values: Vec<String>) -> impl Iterator<Item = String> {
    values
        .into_iter()
        .flat_map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
}

/// `name=`, `mac=` and `nid=` query values (comma-separated, repeatable) into `query`.
fn names_from_query(q: &mut QueryPairs, query: &mut BootParams) -> Result<(), ApiError> {
    query.hosts.extend(split_values(q.take("name")));
    query.macs.extend(split_values(q.take("mac")));
    for n in split_values(q.take("nid")) {
        let nid = n.parse::<i32>().map_err(|_| {
            ApiError::bad_request(format!("bad query param \"nid\": {n:?} is not a NID"))
        })?;
        query.nids.push(nid);
    }
    Ok(())
}

fn names_given(bp: &BootParams) -> bool {
    !(bp.hosts.is_empty() && bp.macs.is_empty() && bp.nids.is_empty())
}

/// `GET /boot/v1/bootparameters`: everything, or the entries named by `name=`/`mac=`/`nid=`
/// and/or a BootParams body. Named entries that do not exist answer 404.
async fn get_params(
    State(state): State<AppState>,
    mut q: QueryPairs,
    body: Bytes,
) -> Result<Json<Vec<BootParams>>, ApiError> {
    let mut query: BootParams = if body.iter().all(u8::is_ascii_whitespace) {
        BootParams::default()
    } else {
        parse_json(&body)?
    };
    names_from_query(&mut q, &mut query)?;
    q.finish()?;
    let named = names_given(&query);
    if named {
        query.normalize()?;
    }
    let found = all_params(&state, &query).await?;
    if named && found.is_empty() {
        return Err(ApiError::not_found(
            "no boot parameters for the hosts, MACs or NIDs given",
        ));
    }
    Ok(Json(found))
}

fn read_params(body: &Bytes) -> Result<BootParams, ApiError> {
    let mut bp: BootParams = parse_json(body)?;
    bp.normalize()?;
    Ok(bp)
}

async fn post_params(
    State(state): State<AppState>,
    _: NoQuery,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let bp = read_params(&body)?;
    state.store().add_boot_params(&bp).await?;
    Ok(StatusCode::CREATED)
}

async fn put_params(
    State(state): State<AppState>,
    _: NoQuery,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let bp = read_params(&body)?;
    state.store().set_boot_params(&bp).await?;
    Ok(StatusCode::OK)
}

async fn patch_params(
    State(state): State<AppState>,
    _: NoQuery,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let bp = read_params(&body)?;
    state.store().update_boot_params(&bp).await?;
    Ok(StatusCode::OK)
}

async fn delete_params(
    State(state): State<AppState>,
    _: NoQuery,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let bp = read_params(&body)?;
    if state.store().delete_boot_params(&bp).await? == 0 {
        return Err(ApiError::not_found(
            "no boot parameters for the hosts, MACs or NIDs given",
        ));
    }
    Ok(StatusCode::OK)
}

/// The nodes as BSS sees them, from one store read.
async fn node_view(state: &AppState) -> Result<Vec<SmComponent>, ApiError> {
    let inv = state.store().node_inventory().await?;
    Ok(sm_components(
        &inv.components,
        &inv.endpoints,
        &inv.interfaces,
    ))
}

/// BSS's listing: the BSS rows (grouped) and then every boot-service configuration in BSS's
/// shape ([`ochami_core::BootConfiguration::bss_view`]); with names in `query`, only what
/// names one of them.
async fn all_params(state: &AppState, query: &BootParams) -> Result<Vec<BootParams>, ApiError> {
    let mut found = state.store().list_boot_params(query).await?;
    let keys = if names_given(query) {
        Some(BootKey::normalized(query)?.1)
    } else {
        None
    };
    let configured = state.store().list_boot_configurations().await?;
    found.extend(
        configured
            .iter()
            .filter(|c| c.origin == BootOrigin::BootService)
            .filter(|c| keys.as_ref().is_none_or(|ks| ks.iter().any(|k| c.names(k))))
            .map(|c| c.bss_view()),
    );
    Ok(found)
}

/// `GET /boot/v1/hosts`: the nodes as BSS sees them, optionally only those named by
/// `name=`, `mac=` or `nid=` (comma-separated, repeatable).
async fn hosts(
    State(state): State<AppState>,
    mut q: QueryPairs,
) -> Result<Json<Vec<SmComponent>>, ApiError> {
    let mut wanted = BootParams::default();
    names_from_query(&mut q, &mut wanted)?;
    q.finish()?;
    let names: Vec<ochami_core::Xname> = wanted
        .hosts
        .iter()
        .map(|h| super::problem::xname(h))
        .collect::<Result<_, _>>()?;
    let macs: Vec<MacAddr> = wanted
        .macs
        .iter()
        .map(|m| m.parse::<MacAddr>())
        .collect::<Result<_, _>>()?;
    let nids: Vec<i64> = wanted.nids.iter().map(|n| i64::from(*n)).collect();
    let mut view = node_view(&state).await?;
    if names_given(&wanted) {
        view.retain(|h| h.named_by(&names, &macs, &nids));
    }
    Ok(Json(view))
}

async fn refresh_hosts(_: NoQuery) -> StatusCode {
    StatusCode::NO_CONTENT
}

#[derive(Serialize)]
struct DumpState {
    #[serde(rename = "Components")]
    components: Vec<SmComponent>,
    #[serde(rename = "Params")]
    params: Vec<BootParams>,
}

async fn dumpstate(State(state): State<AppState>, _: NoQuery) -> Result<Json<DumpState>, ApiError> {
    let components = node_view(&state).await?;
    let params = all_params(&state, &BootParams::default()).await?;
    Ok(Json(DumpState { components, params }))
}

async fn endpoint_history(
    State(state): State<AppState>,
    mut q: QueryPairs,
) -> Result<Json<Vec<EndpointAccess>>, ApiError> {
    let name = q.take_last("name");
    let endpoint = q.take_last("endpoint");
    q.finish()?;
    if let Some(e) = endpoint.as_deref()
        && !matches!(e, "bootscript" | "user-data")
    {
        return Err(ApiError::bad_request(format!(
            "bad query param \"endpoint\": {e:?}; one of bootscript, user-data"
        )));
    }
    state.endpoint_history().flush(state.store()).await?;
    Ok(Json(
        state
            .store()
            .list_access(name.as_deref(), endpoint.as_deref())
            .await?,
    ))
}

/// BSS's status object; every key omitted when empty.
#[derive(Serialize, Default)]
struct Status {
    #[serde(rename = "bss-version", skip_serializing_if = "Option::is_none")]
    version: Option<&'static str>,
    #[serde(rename = "bss-status", skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(rename = "bss-status-hsm", skip_serializing_if = "Option::is_none")]
    hsm: Option<&'static str>,
    #[serde(
        rename = "bss-storage-backend",
        skip_serializing_if = "Option::is_none"
    )]
    storage: Option<Storage>,
}

#[derive(Serialize)]
struct Storage {
    name: &'static str,
    status: &'static str,
}

async fn connected(state: &AppState) -> &'static str {
    match state.store().ping().await {
        Ok(()) => "connected",
        Err(e) => {
            tracing::warn!(error = %e, "store ping failed");
            "error"
        }
    }
}

async fn status(_: NoQuery) -> Json<Status> {
    Json(Status {
        status: Some("running"),
        ..Status::default()
    })
}

async fn version(_: NoQuery) -> Json<Status> {
    Json(Status {
        version: Some(env!("CARGO_PKG_VERSION")),
        ..Status::default()
    })
}

/// SMD is this same server over the same store, so it is reachable when the store is.
async fn hsm(State(state): State<AppState>, _: NoQuery) -> Json<Status> {
    Json(Status {
        hsm: Some(connected(&state).await),
        ..Status::default()
    })
}

async fn storage(State(state): State<AppState>, _: NoQuery) -> Json<Status> {
    let storage = Storage {
        name: state.store().backend(),
        status: connected(&state).await,
    };
    Json(Status {
        storage: Some(storage),
        ..Status::default()
    })
}

async fn status_all(State(state): State<AppState>, _: NoQuery) -> Response {
    let up = connected(&state).await;
    let all = Status {
        version: Some(env!("CARGO_PKG_VERSION")),
        status: Some("running"),
        hsm: Some(up),
        storage: Some(Storage {
            name: state.store().backend(),
            status: up,
        }),
    };
    let code = if up == "connected" {
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    (code, Json(all)).into_response()
}
