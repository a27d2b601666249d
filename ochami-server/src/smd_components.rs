//! SMD components: `/hsm/v2/State/Components` — list with filters and projections, bulk
//! create, get/put/patch/delete one, the bulk and single-field PATCH updates, and the query
//! forms (`Query/{xname}`, `POST Query`, `POST ByNID/Query`, `ByNID/{nid}`).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use ochami_core::{
    Component, ComponentFilter, Flag, HierarchyQuery, Projection, QueryBody, Role,
    State as HmsState, SubRole, Xname, query_body_filters,
};
use ochami_store::{ComponentUpdate, StoreError};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::problem::{ApiError, ApiJson, ApiPath, NoQuery, QueryPairs, set_or_check_id, xname};
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

/// `POST` body: `{"Components":[...], "force": false}`.
#[derive(Deserialize)]
struct ComponentsPost {
    #[serde(rename = "Components", alias = "components", default)]
    components: Vec<Component>,
    #[serde(rename = "force", alias = "Force", default)]
    force: bool,
}

async fn create(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(body): ApiJson<ComponentsPost>,
) -> Result<StatusCode, ApiError> {
    if body.components.is_empty() {
        return Err(ApiError::bad_request("Missing Components"));
    }
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
    set_or_check_id(&mut fields, &id)?;
    let mut component: Component = serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body at component: {e}")))?;
    component.normalize();
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

/// Which update a PATCH URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UpdateKind {
    StateData,
    FlagOnly,
    Enabled,
    SoftwareStatus,
    Role,
    Nid,
}

impl UpdateKind {
    fn from_path(kind: &str) -> Option<Self> {
        Some(match kind {
            "StateData" => UpdateKind::StateData,
            "FlagOnly" => UpdateKind::FlagOnly,
            "Enabled" => UpdateKind::Enabled,
            "SoftwareStatus" => UpdateKind::SoftwareStatus,
            "Role" => UpdateKind::Role,
            "NID" => UpdateKind::Nid,
            _ => return None,
        })
    }
}

/// SMD's `CompUpdate` body, shared by the bulk and single-component PATCH routes; the URL
/// decides which fields are required. Keys other than these are ignored, as upstream.
#[derive(Deserialize, Default)]
struct CompUpdate {
    #[serde(rename = "ComponentIDs", alias = "componentids", default)]
    ids: Vec<String>,
    #[serde(rename = "ID", alias = "id", default)]
    id: Option<String>,
    #[serde(rename = "State", alias = "state", default)]
    state: Option<String>,
    #[serde(rename = "Flag", alias = "flag", default)]
    flag: Option<String>,
    #[serde(rename = "Enabled", alias = "enabled", default)]
    enabled: Option<bool>,
    #[serde(rename = "SoftwareStatus", alias = "softwarestatus", default)]
    software_status: Option<String>,
    #[serde(rename = "Role", alias = "role", default)]
    role: Option<String>,
    #[serde(rename = "SubRole", alias = "subrole", default)]
    sub_role: Option<String>,
    #[serde(rename = "NID", alias = "nid", default)]
    nid: Option<i64>,
    #[serde(rename = "Force", alias = "force", default)]
    force: bool,
}

/// Parse an optional enum field where `""` means absent.
fn opt<T: std::str::FromStr<Err = ochami_core::Error>>(
    v: &Option<String>,
) -> Result<Option<T>, ApiError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Ok(Some(s.parse()?)),
    }
}

fn required<T>(v: Option<T>, what: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| ApiError::bad_request(format!("Missing {what}")))
}

impl CompUpdate {
    /// The store update this body asks for under `kind` (not `Nid`).
    fn update(&self, kind: UpdateKind) -> Result<ComponentUpdate, ApiError> {
        Ok(match kind {
            UpdateKind::StateData => ComponentUpdate::State {
                state: required(opt::<HmsState>(&self.state)?, "State")?,
                flag: opt::<Flag>(&self.flag)?,
                force: self.force,
            },
            UpdateKind::FlagOnly => {
                ComponentUpdate::Flag(required(opt::<Flag>(&self.flag)?, "Flag")?)
            }
            UpdateKind::Enabled => {
                ComponentUpdate::Enabled(required(self.enabled, "Enabled field")?)
            }
            UpdateKind::SoftwareStatus => ComponentUpdate::SoftwareStatus(required(
                self.software_status.clone(),
                "SoftwareStatus",
            )?),
            UpdateKind::Role => ComponentUpdate::Role {
                role: required(opt::<Role>(&self.role)?, "Role")?,
                sub_role: opt::<SubRole>(&self.sub_role)?,
            },
            UpdateKind::Nid => {
                return Err(ApiError::bad_request(
                    "NID updates use BulkNID or /{xname}/NID",
                ));
            }
        })
    }

    fn bulk_ids(&self) -> Result<Vec<Xname>, ApiError> {
        if self.ids.is_empty() {
            return Err(ApiError::bad_request("Missing IDs"));
        }
        self.ids.iter().map(|s| xname(s)).collect()
    }

    /// The body's `ID`, if given, must be the path's.
    fn check_id(&self, path: &Xname) -> Result<(), ApiError> {
        match self.id.as_deref().map(str::trim) {
            None | Some("") => Ok(()),
            Some(s) if xname(s)? == *path => Ok(()),
            Some(_) => Err(ApiError::bad_request(
                "ID in URL and PATCH body do not match",
            )),
        }
    }
}

async fn bulk(
    state: &AppState,
    kind: UpdateKind,
    body: &CompUpdate,
) -> Result<StatusCode, ApiError> {
    let ids = body.bulk_ids()?;
    state
        .store()
        .update_components(&ids, &body.update(kind)?)
        .await?;
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

/// `BulkNID` body: `{"Components":[{"ID":..., "NID":...}]}`.
#[derive(Deserialize)]
struct NidArray {
    #[serde(rename = "Components", alias = "components", default)]
    components: Vec<NidEntry>,
}

#[derive(Deserialize)]
struct NidEntry {
    #[serde(rename = "ID", alias = "id")]
    id: Xname,
    #[serde(rename = "NID", alias = "nid")]
    nid: i64,
}

async fn bulk_nid(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(body): ApiJson<NidArray>,
) -> Result<StatusCode, ApiError> {
    if body.components.is_empty() {
        return Err(ApiError::bad_request("Missing Components"));
    }
    let nids: Vec<(Xname, i64)> = body.components.iter().map(|e| (e.id, e.nid)).collect();
    state.store().set_nids(&nids).await?;
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
    if kind == UpdateKind::Nid {
        state
            .store()
            .set_nids(&[(id, required(body.nid, "NID")?)])
            .await?;
    } else {
        state
            .store()
            .update_components(&[id], &body.update(kind)?)
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `PATCH /State/Components/{xname}`: any of the single-field updates at once (State with
/// Flag and Force, Flag, Enabled, SoftwareStatus, Role with SubRole, NID), applied in that
/// order; each one is checked like its own PATCH route, and all are stored in one
/// transaction.
async fn patch_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
    ApiJson(body): ApiJson<CompUpdate>,
) -> Result<StatusCode, ApiError> {
    let id = xname(&id)?;
    body.check_id(&id)?;
    let mut updates = Vec::new();
    if body.state.is_some() {
        updates.push(body.update(UpdateKind::StateData)?);
    } else if body.flag.is_some() {
        updates.push(body.update(UpdateKind::FlagOnly)?);
    }
    if body.enabled.is_some() {
        updates.push(body.update(UpdateKind::Enabled)?);
    }
    if body.software_status.is_some() {
        updates.push(body.update(UpdateKind::SoftwareStatus)?);
    }
    if body.role.is_some() {
        updates.push(body.update(UpdateKind::Role)?);
    }
    if updates.is_empty() && body.nid.is_none() {
        return Err(ApiError::bad_request(
            "Missing update: one of State, Flag, Enabled, SoftwareStatus, Role, NID is required",
        ));
    }
    match state
        .store()
        .update_component(&id, &updates, body.nid)
        .await
    {
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
    let mut found = state.store().list_components(&query.store_filter()).await?;
    found.retain(|c| query.contains(c));
    Ok(answer(found, projection))
}

/// Run each filter and merge the answers (sorted by xname, no duplicates).
async fn union(state: &AppState, filters: &[ComponentFilter]) -> Result<Vec<Component>, ApiError> {
    if let [one] = filters {
        return Ok(state.store().list_components(one).await?);
    }
    let mut merged = BTreeMap::new();
    for f in filters {
        for c in state.store().list_components(f).await? {
            merged.insert(c.id, c);
        }
    }
    Ok(merged.into_values().collect())
}

async fn query_post(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<ComponentArray>, ApiError> {
    let filters = query_body_filters(&body, QueryBody::ByIds)?;
    let projection = filters.first().and_then(|f| f.projection);
    Ok(answer(union(&state, &filters).await?, projection))
}

async fn by_nid_query(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<ComponentArray>, ApiError> {
    let filters = query_body_filters(&body, QueryBody::ByNid)?;
    let projection = filters.first().and_then(|f| f.projection);
    Ok(answer(union(&state, &filters).await?, projection))
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
