//! SMD hardware inventory: `/hsm/v2/Inventory/Hardware` (list with SMD's filters, one
//! location, POST, DELETE), `Hardware/Query/{xname}` and `HardwareByFRU`. Filtering is the
//! store's ([`ochami_store::InventoryStore::query_hardware`]); the list and the tree are
//! written from the stored JSON ([`ochami_store::InventoryStore::query_hardware_json`])
//! without decoding a record and kept while the hardware is unchanged
//! ([`crate::hardware_cache`]); records and trees come from `ochami-core`.

use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use ochami_core::{
    HardwareFilter, HardwareFru, HardwareJson, HardwarePost, HardwareRecord, HardwareTree,
    TreeFormat,
};

use super::AppState;
use super::hardware_cache::JsonAnswer;
use super::problem::{ApiError, ApiJson, ApiPath, NoQuery, QueryPairs, xname};
use super::smd_service::{Info, deleted, info};

const HW: &str = "/hsm/v2/Inventory/Hardware";
const BY_FRU: &str = "/hsm/v2/Inventory/HardwareByFRU";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(HW, get(list_hw).post(post_hw))
        .route(&format!("{HW}/Query/{{xname}}"), get(query_hw))
        .route(&format!("{HW}/{{xname}}"), get(get_hw).delete(delete_hw))
        .route(BY_FRU, get(list_fru))
        .route(&format!("{BY_FRU}/{{fruid}}"), get(get_fru))
}

/// The list and tree answers are written as JSON text (the stored records joined, not
/// decoded and encoded again) and kept by [`crate::hardware_cache`] while the store's
/// hardware generation holds. The request is checked first, so errors are never kept; the
/// generation is read before the records, as the cache requires.
async fn list_hw(
    State(state): State<AppState>,
    uri: Uri,
    q: QueryPairs,
) -> Result<JsonAnswer, ApiError> {
    let filter = HardwareFilter::from_query_pairs(q.into_pairs())?;
    let generation = generation(&state).await?;
    let render = async {
        let found = state.store().query_hardware_json(&filter).await?;
        Ok(HardwareJson::array(&found))
    };
    state
        .hardware_cache()
        .answer(uri.to_string(), generation, render)
        .await
}

/// The store's hardware generation when answers are kept (no read when they are not).
async fn generation(state: &AppState) -> Result<Option<u64>, ApiError> {
    if !state.hardware_cache().enabled() {
        return Ok(None);
    }
    Ok(state.store().hardware_generation().await?)
}

async fn get_hw(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<HardwareRecord>, ApiError> {
    let id = xname(&id)?;
    let hw = state.store().get_hardware(&id).await?;
    hw.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no hardware inventory for {id}")))
}

async fn post_hw(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(body): ApiJson<HardwarePost>,
) -> Result<Json<Info>, ApiError> {
    let records = body.into_records()?;
    state.store().put_hardware(&records).await?;
    let n = records.len();
    Ok(info(if n == 1 {
        "created or modified 1 entry".to_owned()
    } else {
        format!("created or modified {n} entries")
    }))
}

async fn delete_hw(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Info>, ApiError> {
    let id = xname(&id)?;
    if state.store().delete_hardware(&id).await? {
        Ok(deleted(1))
    } else {
        Err(ApiError::not_found(format!(
            "no hardware inventory for {id}"
        )))
    }
}

/// `Query/{xname}`: `s0`/`all` is everything; `children` (default true unless `parents`)
/// takes the subtree, `parents` the ancestors; `format` NestNodesOnly or FullyFlat.
async fn query_hw(
    State(state): State<AppState>,
    uri: Uri,
    ApiPath(target): ApiPath<String>,
    mut q: QueryPairs,
) -> Result<JsonAnswer, ApiError> {
    let format: TreeFormat = q.take_parsed("format")?.unwrap_or_default();
    let parents: bool = q.take_parsed("parents")?.unwrap_or(false);
    let children: bool = q.take_parsed("children")?.unwrap_or(!parents);
    let queries = HardwareFilter::from_query_pairs(q.into_pairs())?
        .tree_queries(&target, children, parents)?;
    let generation = generation(&state).await?;
    let render = async {
        let mut found = Vec::new();
        for query in &queries {
            found.extend(state.store().query_hardware_json(query).await?);
        }
        Ok(HardwareTree::new(&target, format, found).to_json())
    };
    state
        .hardware_cache()
        .answer(uri.to_string(), generation, render)
        .await
}

async fn list_fru(
    State(state): State<AppState>,
    q: QueryPairs,
) -> Result<Json<Vec<HardwareFru>>, ApiError> {
    let filter = HardwareFilter::from_query_pairs(q.into_pairs())?;
    let records = state.store().query_hardware(&filter).await?;
    Ok(Json(records.iter().filter_map(HardwareFru::of).collect()))
}

async fn get_fru(
    State(state): State<AppState>,
    ApiPath(fruid): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<HardwareFru>, ApiError> {
    let filter = HardwareFilter {
        fru_id: vec![fruid.clone()],
        ..HardwareFilter::default()
    };
    let records = state.store().query_hardware(&filter).await?;
    records
        .iter()
        .find_map(HardwareFru::of)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no FRU {fruid}")))
}
