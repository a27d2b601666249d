//! SMD components: `/hsm/v2/State/Components` — list with filters and projections, bulk
//! create, get/put/patch/delete one, the bulk and single-field PATCH updates, and the query
//! forms (`Query/{xname}`, `POST Query`, `POST ByNID/Query`, `ByNID/{nid}`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use ochami_core::{
    BodyId, CompUpdate, Component, ComponentFilter, HierarchyQuery, NewComponents, NidAssignments,
    Projection, QueryBody, UpdateKind, query_body_filters,
};
use ochami_store::StoreError;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::problem::{ApiError, ApiJson, ApiPath, NoQuery, QueryPairs, parse_xname, xname};
use super::smd_service::{Info, deleted};

const BASE: &str = "/hsm/v2/State/Components";

pub(crate) fn routes() -> Router<AppState> {
    let r = |p: &str| format!("{BASE}{p}");
    Router::new()
        .route(BASE, get(list).post(create).delete(delete_all))
        .route(&r("/BulkStateData"), patch(bulk_state))
        .route(&r("/BulkFlagOnly"), patch(bulk_flag))
        .route(&r("/BulkEnabled"), patch(bulk_enabled))
        .route(&r("/BulkSoftwareStatus"), patch(bulk_software_status))
        .route(&r("/BulkRole"), patch(bulk_role))
        .route(&r("/BulkNID"), patch(bulk_nid))
        .route(&r("/Query"), post(query_post))
        .route(&r("/Query/{xname}"), get(query_get))
        .route(&r("/ByNID/Query"), post(by_nid_query))
        .route(&r("/ByNID/{nid}"), get(by_nid))
        .route(
            &r("/{xname}"),
            get(get_one)
                .put(put_one)
                .patch(patch_one)
                .delete(delete_one),
        )
        .route(&r("/{xname}/{kind}"), patch(patch_field))
}

/// `{"Components":[...]}`.
#[derive(Serialize, Deserialize)]
pub(crate) struct ComponentArray {
    #[serde(rename = "Components", alias = "components", default)]
    components: Vec<Component>,
}

fn answer(components: Vec<Component>, projection: Option<Projection>) -> Json<ComponentArray> {
    let components = match projection {
        Some(p) => components.iter().map(|c| p.apply(c)).collect(),
        None => components,
    };
    Json(ComponentArray { components })
}

async fn list(
    State(state): State<AppState>,
    q: QueryPairs,
) -> Result<Json<ComponentArray>, ApiError> {
    let filter = ComponentFilter::from_query_pairs(q.into_pairs())?;
    let found = state.store().list_components(&filter).await?;
    Ok(answer(found, filter.projection))
}

async fn create(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(body): ApiJson<NewComponents>,
) -> Result<StatusCode, ApiError> {
    let body = body.checked()?;
    state
        .store()
        .upsert_components(&body.components, body.force)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_all(State(state): State<AppState>, _: NoQuery) -> Result<Json<Info>, ApiError> {
    let n = state.store().delete_all_components().await?;
    Ok(deleted(n))
}

async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Component>, ApiError> {
    let id = xname(&id)?;
    let c = state.store().get_component(&id).await?;
    c.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no such component: {id}")))
}

/// `PUT` body: `{"component":{...}, "force": false}` (the swagger spells the keys
/// `Component`/`Force`; both are accepted). The component's `ID` may be left out. A PUT
/// replaces the whole record, so `force` changes nothing.
#[derive(Deserialize)]
struct ComponentPut {
    #[serde(rename = "component", alias = "Component")]
    component: serde_json::Map<String, serde_json::Value>,
}

async fn put_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
    ApiJson(body): ApiJson<ComponentPut>,
) -> Result<StatusCode, ApiError> {
    let id = xname(&id)?;
    let mut fields = body.component;
    BodyId::SMD.set_or_check(&mut fields, &id, parse_xname)?;
    let component: Component = serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body at component: {e}")))?;
    state.store().put_component(&component).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Info>, ApiError> {
    let id = xname(&id)?;
    if state.store().delete_component(&id).await? {
        Ok(deleted(1))
    } else {
        Err(ApiError::not_found(format!("no such component: {id}")))
    }
}

async fn bulk(
    state: &AppState,
    kind: UpdateKind,
    body: &CompUpdate,
) -> Result<StatusCode, ApiError> {
    let (ids, update) = (body.bulk_ids()?, body.update(kind)?);
    state.store().update_components(&ids, &update).await?;
    Ok(StatusCode::NO_CONTENT)
}

macro_rules! bulk_route {
    ($name:ident, $kind:expr) => {
        async fn $name(
            State(state): State<AppState>,
            _: NoQuery,
            ApiJson(body): ApiJson<CompUpdate>,
        ) -> Result<StatusCode, ApiError> {
            bulk(&state, $kind, &body).await
        }
    };
}

bulk_route!(bulk_state, UpdateKind::StateData);
bulk_route!(bulk_flag, UpdateKind::FlagOnly);
bulk_route!(bulk_enabled, UpdateKind::Enabled);
bulk_route!(bulk_software_status, UpdateKind::SoftwareStatus);
bulk_route!(bulk_role, UpdateKind::Role);

async fn bulk_nid(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(body): ApiJson<NidAssignments>,
) -> Result<StatusCode, ApiError> {
    state.store().set_nids(&body.nids()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn patch_field(
    State(state): State<AppState>,
    ApiPath((id, kind)): ApiPath<(String, String)>,
    _: NoQuery,
    ApiJson(body): ApiJson<CompUpdate>,
) -> Result<StatusCode, ApiError> {
    let kind = UpdateKind::from_path(&kind).ok_or_else(|| {
        ApiError::not_found(format!(
            "no update {kind:?}; one of StateData, FlagOnly, Enabled, SoftwareStatus, Role, NID"
        ))
    })?;
    let id = xname(&id)?;
    body.check_id(&id)?;
    let change = body.for_kind(kind)?;
    state.store().change_component(&id, &change).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PATCH /State/Components/{xname}`: any of the single-field updates at once
/// ([`CompUpdate::changes`]), all stored in one transaction.
async fn patch_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
    ApiJson(body): ApiJson<CompUpdate>,
) -> Result<StatusCode, ApiError> {
    let id = xname(&id)?;
    body.check_id(&id)?;
    let changes = body.changes()?;
    let stored = state
        .store()
        .update_component(&id, &changes.updates, changes.nid)
        .await;
    match stored {
        Err(StoreError::NotFound { .. }) => {
            Err(ApiError::not_found(format!("no such component: {id}")))
        }
        other => other
            .map(|()| StatusCode::NO_CONTENT)
            .map_err(ApiError::from),
    }
}

async fn query_get(
    State(state): State<AppState>,
    ApiPath(root): ApiPath<String>,
    q: QueryPairs,
) -> Result<Json<ComponentArray>, ApiError> {
    let root = xname(&root)?;
    let filter = ComponentFilter::from_query_pairs(q.into_pairs())?;
    let projection = filter.projection;
    let query = HierarchyQuery::new(root, filter);
    let found = state.store().query_components(&query).await?;
    Ok(answer(found, projection))
}

async fn query_post(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<ComponentArray>, ApiError> {
    let filters = query_body_filters(&body, QueryBody::ByIds)?;
    let projection = filters.first().and_then(|f| f.projection);
    let found = state.store().list_components_any(&filters).await?;
    Ok(answer(found, projection))
}

async fn by_nid_query(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<ComponentArray>, ApiError> {
    let filters = query_body_filters(&body, QueryBody::ByNid)?;
    let projection = filters.first().and_then(|f| f.projection);
    let found = state.store().list_components_any(&filters).await?;
    Ok(answer(found, projection))
}

async fn by_nid(
    State(state): State<AppState>,
    ApiPath(nid): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Component>, ApiError> {
    let filter = ComponentFilter::from_query_pairs([("nid", nid.as_str())])?;
    let found = state.store().list_components(&filter).await?;
    found
        .into_iter()
        .next()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no component with NID {nid}")))
}
