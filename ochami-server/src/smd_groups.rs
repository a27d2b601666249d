//! SMD groups, partitions and memberships: `/hsm/v2/groups`, `/hsm/v2/partitions`,
//! `/hsm/v2/memberships`. Lists are bare arrays; labels are lower-cased.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use axum::{Json, Router};
use ochami_core::{
    BodyId, ComponentFilter, Group, GroupFilter, GroupPatch, Members, Membership, Partition, Xname,
};
use serde::Deserialize;

use super::AppState;
use super::problem::{ApiError, ApiJson, ApiPath, NoQuery, QueryPairs, xname};
use super::smd_inventory::created;
use super::smd_service::{Info, deleted};

const GROUPS: &str = "/hsm/v2/groups";
const PARTITIONS: &str = "/hsm/v2/partitions";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(GROUPS, get(list_groups).post(create_group))
        .route(&format!("{GROUPS}/labels"), get(group_labels))
        .route(
            &format!("{GROUPS}/{{label}}"),
            get(get_group).patch(patch_group).delete(delete_group),
        )
        .route(
            &format!("{GROUPS}/{{label}}/members"),
            get(group_members)
                .post(add_group_member)
                .put(replace_group_members),
        )
        .route(
            &format!("{GROUPS}/{{label}}/members/{{xname}}"),
            delete(remove_group_member),
        )
        .route(PARTITIONS, get(list_partitions).post(create_partition))
        .route(&format!("{PARTITIONS}/names"), get(partition_names))
        .route(
            &format!("{PARTITIONS}/{{name}}"),
            get(get_partition)
                .patch(patch_partition)
                .delete(delete_partition),
        )
        .route(
            &format!("{PARTITIONS}/{{name}}/members"),
            get(partition_members).post(add_partition_member),
        )
        .route(
            &format!("{PARTITIONS}/{{name}}/members/{{xname}}"),
            delete(remove_partition_member),
        )
        .route("/hsm/v2/memberships", get(list_memberships))
        .route("/hsm/v2/memberships/{xname}", get(get_membership))
}

fn label(raw: &str) -> Result<String, ApiError> {
    Ok(Group::normalize_label(raw)?)
}

fn partition_name(raw: &str) -> Result<String, ApiError> {
    Ok(Partition::normalize_name(raw)?)
}

/// The value looked up, or 404 `no such <kind>: <name>`.
fn found<T>(value: Option<T>, kind: &str, name: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::not_found(format!("no such {kind}: {name}")))
}

/// SMD's `deleted 1 entry` answer when something was removed, else 404 with `missing`.
fn deleted_one(removed: bool, missing: impl FnOnce() -> String) -> Result<Json<Info>, ApiError> {
    if removed {
        Ok(deleted(1))
    } else {
        Err(ApiError::not_found(missing()))
    }
}

/// 201 with the URI of a member just added under `{base}/{name}/members`.
fn member_created(base: &str, name: &str, id: &Xname) -> Response {
    created(vec![format!("{base}/{name}/members/{id}")], true)
}

async fn list_groups(
    State(state): State<AppState>,
    q: QueryPairs,
) -> Result<Json<Vec<Group>>, ApiError> {
    let filter = GroupFilter::groups_from_query(q.into_pairs())?;
    Ok(Json(state.store().list_groups(&filter).await?))
}

async fn create_group(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(group): ApiJson<Group>,
) -> Result<Response, ApiError> {
    // The store normalizes the group; the Location names it by its canonical label.
    state.store().create_group(&group).await?;
    Ok(created(
        vec![format!("{GROUPS}/{}", label(&group.label)?)],
        true,
    ))
}

async fn group_labels(
    State(state): State<AppState>,
    _: NoQuery,
) -> Result<Json<Vec<String>>, ApiError> {
    let all = state.store().list_groups(&GroupFilter::default()).await?;
    Ok(Json(all.into_iter().map(|g| g.label).collect()))
}

/// The one group `label` names, its members in the query's partition scope; 404 when there is
/// no such group.
async fn scoped_group(state: &AppState, label: &str, q: QueryPairs) -> Result<Group, ApiError> {
    let filter = GroupFilter::group_from_query(label, q.into_pairs())?;
    let found = state.store().list_groups(&filter).await?.into_iter().next();
    found.ok_or_else(|| ApiError::not_found(format!("no such group: {}", filter.names[0])))
}

async fn get_group(
    State(state): State<AppState>,
    ApiPath(l): ApiPath<String>,
    q: QueryPairs,
) -> Result<Json<Group>, ApiError> {
    Ok(Json(scoped_group(&state, &l, q).await?))
}

async fn patch_group(
    State(state): State<AppState>,
    ApiPath(l): ApiPath<String>,
    _: NoQuery,
    ApiJson(patch): ApiJson<GroupPatch>,
) -> Result<StatusCode, ApiError> {
    let patch = patch.checked()?;
    state.store().patch_group(&label(&l)?, &patch).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_group(
    State(state): State<AppState>,
    ApiPath(l): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Info>, ApiError> {
    let l = label(&l)?;
    let removed = state.store().delete_group(&l).await?;
    deleted_one(removed, || format!("no such group: {l}"))
}

async fn group_members(
    State(state): State<AppState>,
    ApiPath(l): ApiPath<String>,
    q: QueryPairs,
) -> Result<Json<Members>, ApiError> {
    Ok(Json(scoped_group(&state, &l, q).await?.members))
}

/// `POST .../members` body: `{"id": "<xname>"}`.
#[derive(Deserialize)]
struct MemberAdd {
    #[serde(alias = "ID", alias = "Id")]
    id: Xname,
}

async fn add_group_member(
    State(state): State<AppState>,
    ApiPath(l): ApiPath<String>,
    _: NoQuery,
    ApiJson(body): ApiJson<MemberAdd>,
) -> Result<Response, ApiError> {
    let l = label(&l)?;
    state.store().add_group_member(&l, &body.id).await?;
    Ok(member_created(GROUPS, &l, &body.id))
}

/// `PUT /groups/{label}/members` body (OpenCHAMI only): `{"group": "<label>", "ids": [...]}`.
#[derive(Deserialize)]
struct MemberReplace {
    #[serde(default)]
    group: Option<String>,
    ids: Vec<Xname>,
}

async fn replace_group_members(
    State(state): State<AppState>,
    ApiPath(l): ApiPath<String>,
    _: NoQuery,
    ApiJson(body): ApiJson<MemberReplace>,
) -> Result<Response, ApiError> {
    let l = label(&l)?;
    BodyId::GROUP_MEMBERS.check_raw(&l, body.group.as_deref(), Group::normalize_label)?;
    state.store().replace_group_members(&l, &body.ids).await?;
    Ok(created(
        body.ids
            .iter()
            .map(|id| format!("{GROUPS}/{l}/members/{id}"))
            .collect(),
        true,
    ))
}

async fn remove_group_member(
    State(state): State<AppState>,
    ApiPath((l, id)): ApiPath<(String, String)>,
    _: NoQuery,
) -> Result<Json<Info>, ApiError> {
    let (l, id) = (label(&l)?, xname(&id)?);
    let removed = state.store().remove_group_member(&l, &id).await?;
    deleted_one(removed, || format!("{id} is not a member of group {l}"))
}

// ---- partitions ----

async fn list_partitions(
    State(state): State<AppState>,
    q: QueryPairs,
) -> Result<Json<Vec<Partition>>, ApiError> {
    let filter = GroupFilter::partitions_from_query(q.into_pairs())?;
    Ok(Json(state.store().list_partitions(&filter).await?))
}

async fn create_partition(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(p): ApiJson<Partition>,
) -> Result<Response, ApiError> {
    // The store normalizes the partition; the Location names it by its canonical name.
    state.store().create_partition(&p).await?;
    let name = partition_name(&p.name)?;
    Ok(created(vec![format!("{PARTITIONS}/{name}")], true))
}

async fn partition_names(
    State(state): State<AppState>,
    _: NoQuery,
) -> Result<Json<Vec<String>>, ApiError> {
    let all = state
        .store()
        .list_partitions(&GroupFilter::default())
        .await?;
    Ok(Json(all.into_iter().map(|p| p.name).collect()))
}

async fn find_partition(state: &AppState, raw: &str) -> Result<Partition, ApiError> {
    let n = partition_name(raw)?;
    found(state.store().get_partition(&n).await?, "partition", &n)
}

async fn get_partition(
    State(state): State<AppState>,
    ApiPath(n): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Partition>, ApiError> {
    Ok(Json(find_partition(&state, &n).await?))
}

async fn patch_partition(
    State(state): State<AppState>,
    ApiPath(n): ApiPath<String>,
    _: NoQuery,
    ApiJson(patch): ApiJson<GroupPatch>,
) -> Result<StatusCode, ApiError> {
    let patch = patch.checked()?;
    state
        .store()
        .patch_partition(&partition_name(&n)?, &patch)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_partition(
    State(state): State<AppState>,
    ApiPath(n): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Info>, ApiError> {
    let n = partition_name(&n)?;
    let removed = state.store().delete_partition(&n).await?;
    deleted_one(removed, || format!("no such partition: {n}"))
}

async fn partition_members(
    State(state): State<AppState>,
    ApiPath(n): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Members>, ApiError> {
    Ok(Json(find_partition(&state, &n).await?.members))
}

async fn add_partition_member(
    State(state): State<AppState>,
    ApiPath(n): ApiPath<String>,
    _: NoQuery,
    ApiJson(body): ApiJson<MemberAdd>,
) -> Result<Response, ApiError> {
    let n = partition_name(&n)?;
    state.store().add_partition_member(&n, &body.id).await?;
    Ok(member_created(PARTITIONS, &n, &body.id))
}

async fn remove_partition_member(
    State(state): State<AppState>,
    ApiPath((n, id)): ApiPath<(String, String)>,
    _: NoQuery,
) -> Result<Json<Info>, ApiError> {
    let (n, id) = (partition_name(&n)?, xname(&id)?);
    let removed = state.store().remove_partition_member(&n, &id).await?;
    deleted_one(removed, || format!("{id} is not a member of partition {n}"))
}

// ---- memberships ----

async fn list_memberships(
    State(state): State<AppState>,
    q: QueryPairs,
) -> Result<Json<Vec<Membership>>, ApiError> {
    let filter = ComponentFilter::from_query_pairs(q.into_pairs())?;
    Ok(Json(state.store().list_memberships(&filter).await?))
}

async fn get_membership(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Membership>, ApiError> {
    let id = xname(&id)?;
    let m = state.store().get_membership(&id).await?;
    m.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("No such xname: {id}")))
}
