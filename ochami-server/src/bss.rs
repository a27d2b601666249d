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
use ochami_core::{BootParams, BootQuery, SmComponent};
use ochami_store::EndpointAccess;
use serde::Serialize;

use super::AppState;
use super::problem::{ApiError, NoQuery, QueryPairs, parse_json, parse_optional_json};

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

/// `name=`, `mac=` and `nid=` query values (comma-separated, repeatable) added to `query`.
fn names_from_query(q: &mut QueryPairs, query: &mut BootQuery) -> Result<(), ApiError> {
    Ok(query.add_names(q.take("name"), q.take("mac"), q.take("nid"))?)
}

/// `GET /boot/v1/bootparameters`: everything, or the entries named by `name=`/`mac=`/`nid=`
/// and/or a BootParams body ([`ochami_store::BootStore::bss_boot_params`]). Named entries
/// that do not exist answer 404.
async fn get_params(
    State(state): State<AppState>,
    mut q: QueryPairs,
    body: Bytes,
) -> Result<Json<Vec<BootParams>>, ApiError> {
    let mut query = BootQuery::new(parse_optional_json(&body)?);
    names_from_query(&mut q, &mut query)?;
    q.finish()?;
    let found = state.store().bss_boot_params(&query).await?;
    found
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no boot parameters for the hosts, MACs or NIDs given"))
}

/// A BootParams body; the store normalizes and checks it (the one place).
fn read_params(body: &Bytes) -> Result<BootParams, ApiError> {
    parse_json(body)
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

/// `GET /boot/v1/hosts`: the nodes as BSS sees them, optionally only those named by
/// `name=`, `mac=` or `nid=` (comma-separated, repeatable).
async fn hosts(
    State(state): State<AppState>,
    mut q: QueryPairs,
) -> Result<Json<Vec<SmComponent>>, ApiError> {
    let mut wanted = BootQuery::default();
    names_from_query(&mut q, &mut wanted)?;
    q.finish()?;
    Ok(Json(state.store().bss_hosts(&wanted).await?))
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
    let everything = BootQuery::default();
    let components = state.store().bss_hosts(&everything).await?;
    let params = state.store().bss_boot_params(&everything).await?;
    let params = params.unwrap_or_default();
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
