//! SMD inventory: `/hsm/v2/Inventory/RedfishEndpoints` (including the discovery ingest body
//! Magellan and `ochami discover` POST), `ComponentEndpoints` and `EthernetInterfaces`
//! (`Hardware` is in `smd_hardware`).
//!
//! Collections of endpoints are wrapped (`{"RedfishEndpoints":[...]}`,
//! `{"ComponentEndpoints":[...]}`); ethernet interfaces and hardware are bare arrays, as
//! upstream.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use ochami_core::EthernetInterfacePatch;
use ochami_core::ingest::EndpointIngest;
use ochami_core::{
    ComponentEndpoint, ComponentEndpointFilter, EthernetInterface, EthernetInterfaceFilter,
    IpAddressEntry, MacAddr, RedfishEndpoint, RedfishEndpointFilter, RedfishEndpointPatch,
    RedfishEndpointsPost, ResourceUri, Timestamp,
};
use ochami_store::{ConflictKind, Record, StoreError};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::problem::{ApiError, ApiJson, ApiPath, NoQuery, QueryPairs, parse_json, xname};
use super::smd_service::{Info, deleted};

const RF: &str = "/hsm/v2/Inventory/RedfishEndpoints";
const CE: &str = "/hsm/v2/Inventory/ComponentEndpoints";
const ETH: &str = "/hsm/v2/Inventory/EthernetInterfaces";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(RF, get(list_rf).post(post_rf).delete(delete_all_rf))
        .route(
            &format!("{RF}/{{xname}}"),
            get(get_rf).put(put_rf).patch(patch_rf).delete(delete_rf),
        )
        .route(CE, get(list_ce).delete(delete_all_ce))
        .route(&format!("{CE}/{{xname}}"), get(get_ce).delete(delete_ce))
        .route(ETH, get(list_eth).post(post_eth).delete(delete_all_eth))
        .route(
            &format!("{ETH}/{{id}}"),
            get(get_eth).patch(patch_eth).delete(delete_eth),
        )
        .route(
            &format!("{ETH}/{{id}}/IPAddresses"),
            get(list_ips).post(post_ip),
        )
        .route(
            &format!("{ETH}/{{id}}/IPAddresses/{{ip}}"),
            delete(delete_ip).patch(patch_ip),
        )
}

/// 201 with `Location` and the body `[{"URI":...}]` (arrays) or `{"URI":...}`.
pub(crate) fn created(uris: Vec<String>, as_array: bool) -> Response {
    let location = uris.first().and_then(|u| HeaderValue::from_str(u).ok());
    let mut resp = if as_array {
        let body: Vec<ResourceUri> = uris.into_iter().map(|uri| ResourceUri { uri }).collect();
        (StatusCode::CREATED, Json(body)).into_response()
    } else {
        let uri = uris.into_iter().next().unwrap_or_default();
        (StatusCode::CREATED, Json(ResourceUri { uri })).into_response()
    };
    if let Some(l) = location {
        resp.headers_mut().insert(header::LOCATION, l);
    }
    resp
}

fn parse_list<T: std::str::FromStr>(key: &str, values: Vec<String>) -> Result<Vec<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    values
        .iter()
        .map(|v| {
            v.trim()
                .parse::<T>()
                .map_err(|e| ApiError::bad_request(format!("bad query param {key:?}: {e}")))
        })
        .collect()
}

// ---- RedfishEndpoints ----

#[derive(Serialize)]
struct RedfishEndpointArray {
    #[serde(rename = "RedfishEndpoints")]
    endpoints: Vec<RedfishEndpoint>,
}

async fn list_rf(
    State(state): State<AppState>,
    mut q: QueryPairs,
) -> Result<Json<RedfishEndpointArray>, ApiError> {
    let filter = RedfishEndpointFilter {
        id: parse_list("id", q.take("id"))?,
        fqdn: q.take("fqdn"),
        hms_type: parse_list("type", q.take("type"))?,
        uuid: q.take("uuid"),
        mac: parse_list("macaddr", q.take("macaddr"))?,
        ip: q.take("ipaddress"),
        last_status: q.take("laststatus"),
    };
    q.finish()?;
    let endpoints = state.store().list_redfish_endpoints(&filter).await?;
    Ok(Json(RedfishEndpointArray { endpoints }))
}

/// `POST /Inventory/RedfishEndpoints` takes three shapes: `{"RedfishEndpoints":[...]}`; a
/// single endpoint; or a single endpoint carrying discovery results (`SchemaVersion` >= 1,
/// `Systems`, `Managers`), which is expanded into components, component endpoints and
/// ethernet interfaces ([`EndpointIngest::expand`]) and stored in one transaction.
/// Re-posting a discovery result replaces what the previous one stored.
async fn post_rf(
    State(state): State<AppState>,
    _: NoQuery,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let value: serde_json::Value = parse_json(&body)?;
    let wrapped = value.as_object().and_then(|o| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("RedfishEndpoints"))
    });
    let post = match wrapped {
        Some((_, list)) => {
            #[derive(Deserialize)]
            struct Wrapped(Vec<RedfishEndpoint>);
            let Wrapped(eps) = serde_path_to_error::deserialize(list).map_err(|e| {
                ApiError::bad_request(format!(
                    "invalid JSON body at RedfishEndpoints{}: {}",
                    path_suffix(e.path()),
                    e.inner()
                ))
            })?;
            RedfishEndpointsPost::from_list(eps)?
        }
        None => RedfishEndpointsPost::from_ingest(parse_json::<EndpointIngest>(&body)?)?,
    };
    state.store().post_redfish_endpoints(&post).await?;
    let uris = post.ids().iter().map(|id| format!("{RF}/{id}")).collect();
    Ok(created(uris, true))
}

fn path_suffix(p: &serde_path_to_error::Path) -> String {
    let s = p.to_string();
    match s.as_str() {
        "." => String::new(),
        _ if s.starts_with('[') => s,
        _ => format!(".{s}"),
    }
}

async fn get_rf(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<RedfishEndpoint>, ApiError> {
    let id = xname(&id)?;
    let ep = state.store().get_redfish_endpoint(&id).await?;
    ep.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no such RedfishEndpoint: {id}")))
}

async fn put_rf(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
    ApiJson(fields): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<RedfishEndpoint>, ApiError> {
    let mut ep = RedfishEndpoint::from_put(fields, &xname(&id)?)?;
    state.store().put_redfish_endpoint(&ep).await?;
    // Credentials are write-only: the answer never echoes the password.
    ep.password.clear();
    Ok(Json(ep))
}

/// `PATCH`: the keys of [`RedfishEndpointPatch`] over the stored endpoint.
async fn patch_rf(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
    ApiJson(patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<RedfishEndpoint>, ApiError> {
    let id = xname(&id)?;
    let current = state.store().get_redfish_endpoint(&id).await?;
    let current =
        current.ok_or_else(|| ApiError::not_found(format!("no such RedfishEndpoint: {id}")))?;
    let mut ep = RedfishEndpointPatch::from_fields(patch)?.apply(&current)?;
    state.store().put_redfish_endpoint(&ep).await?;
    ep.password.clear();
    Ok(Json(ep))
}

async fn delete_rf(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Info>, ApiError> {
    let id = xname(&id)?;
    if state.store().delete_redfish_endpoint(&id).await? {
        Ok(deleted(1))
    } else {
        Err(ApiError::not_found(format!(
            "no such RedfishEndpoint: {id}"
        )))
    }
}

async fn delete_all_rf(State(state): State<AppState>, _: NoQuery) -> Result<Json<Info>, ApiError> {
    Ok(deleted(state.store().delete_all_redfish_endpoints().await?))
}

// ---- ComponentEndpoints ----

#[derive(Serialize)]
struct ComponentEndpointArray {
    #[serde(rename = "ComponentEndpoints")]
    endpoints: Vec<ComponentEndpoint>,
}

async fn list_ce(
    State(state): State<AppState>,
    mut q: QueryPairs,
) -> Result<Json<ComponentEndpointArray>, ApiError> {
    let filter = ComponentEndpointFilter {
        id: parse_list("id", q.take("id"))?,
        redfish_ep: parse_list("redfish_ep", q.take("redfish_ep"))?,
        hms_type: parse_list("type", q.take("type"))?,
        redfish_type: q.take("redfish_type"),
    };
    q.finish()?;
    let endpoints = state.store().list_component_endpoints(&filter).await?;
    Ok(Json(ComponentEndpointArray { endpoints }))
}

async fn get_ce(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<ComponentEndpoint>, ApiError> {
    let id = xname(&id)?;
    let ce = state.store().get_component_endpoint(&id).await?;
    ce.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no such ComponentEndpoint: {id}")))
}

async fn delete_ce(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Info>, ApiError> {
    let id = xname(&id)?;
    if state.store().delete_component_endpoint(&id).await? {
        Ok(deleted(1))
    } else {
        Err(ApiError::not_found(format!(
            "no such ComponentEndpoint: {id}"
        )))
    }
}

async fn delete_all_ce(State(state): State<AppState>, _: NoQuery) -> Result<Json<Info>, ApiError> {
    Ok(deleted(
        state.store().delete_all_component_endpoints().await?,
    ))
}

// ---- EthernetInterfaces ----

fn timestamp(key: &str, v: Option<String>) -> Result<Option<Timestamp>, ApiError> {
    v.map(|s| {
        s.parse::<Timestamp>().map_err(|e| {
            ApiError::bad_request(format!(
                "bad query param {key:?}: {s:?} is not an RFC 3339 time: {e}"
            ))
        })
    })
    .transpose()
}

async fn list_eth(
    State(state): State<AppState>,
    mut q: QueryPairs,
) -> Result<Json<Vec<EthernetInterface>>, ApiError> {
    let mut mac: Vec<MacAddr> = parse_list("macaddress", q.take("macaddress"))?;
    mac.extend(parse_list::<MacAddr>("id", q.take("id"))?);
    let filter = EthernetInterfaceFilter {
        mac,
        ip: parse_list("ipaddress", q.take("ipaddress"))?,
        network: q.take("network"),
        component_id: parse_list("componentid", q.take("componentid"))?,
        hms_type: parse_list("type", q.take("type"))?,
        older_than: timestamp("olderthan", q.take_last("olderthan"))?,
        newer_than: timestamp("newerthan", q.take_last("newerthan"))?,
    };
    q.finish()?;
    Ok(Json(state.store().list_ethernet_interfaces(&filter).await?))
}

fn eth_uri(mac: &MacAddr) -> String {
    format!("{ETH}/{}", mac.to_id())
}

async fn post_eth(
    State(state): State<AppState>,
    _: NoQuery,
    ApiJson(iface): ApiJson<EthernetInterface>,
) -> Result<Response, ApiError> {
    state.store().insert_ethernet_interface(&iface).await?;
    Ok(created(vec![eth_uri(&iface.mac_address)], false))
}

fn mac_id(raw: &str) -> Result<MacAddr, ApiError> {
    raw.parse::<MacAddr>().map_err(ApiError::Invalid)
}

async fn find_eth(state: &AppState, mac: &MacAddr) -> Result<EthernetInterface, ApiError> {
    let found = state.store().get_ethernet_interface(mac).await?;
    found.ok_or_else(|| ApiError::not_found(format!("no such EthernetInterface: {}", mac.to_id())))
}

async fn get_eth(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<EthernetInterface>, ApiError> {
    Ok(Json(find_eth(&state, &mac_id(&id)?).await?))
}

async fn patch_eth(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
    ApiJson(patch): ApiJson<EthernetInterfacePatch>,
) -> Result<Json<EthernetInterface>, ApiError> {
    let mac = mac_id(&id)?;
    let patch = patch.checked()?;
    state.store().patch_ethernet_interface(&mac, &patch).await?;
    Ok(Json(find_eth(&state, &mac).await?))
}

async fn delete_eth(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Info>, ApiError> {
    let mac = mac_id(&id)?;
    if state.store().delete_ethernet_interface(&mac).await? {
        Ok(deleted(1))
    } else {
        Err(ApiError::not_found(format!(
            "no such EthernetInterface: {}",
            mac.to_id()
        )))
    }
}

async fn delete_all_eth(State(state): State<AppState>, _: NoQuery) -> Result<Json<Info>, ApiError> {
    Ok(deleted(
        state.store().delete_all_ethernet_interfaces().await?,
    ))
}

async fn list_ips(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Vec<IpAddressEntry>>, ApiError> {
    Ok(Json(find_eth(&state, &mac_id(&id)?).await?.ip_addresses))
}

/// The store's answer to an edit of one IP, with the problem texts of this API: a missing
/// interface or IP is a 404 naming it, an IP already on the interface a 409.
fn ip_edit_error(e: StoreError, mac: &MacAddr, ip: &str) -> ApiError {
    match e {
        StoreError::NotFound {
            record: Record::IpAddress,
            ..
        } => ApiError::not_found(format!("no IP address {ip} on {}", mac.to_id())),
        StoreError::NotFound { .. } => {
            ApiError::not_found(format!("no such EthernetInterface: {}", mac.to_id()))
        }
        StoreError::Conflict {
            kind: ConflictKind::IpAddress,
            ..
        } => ApiError::Conflict(format!("IP address {ip} is already on {}", mac.to_id())),
        other => ApiError::from(other),
    }
}

async fn post_ip(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
    ApiJson(entry): ApiJson<IpAddressEntry>,
) -> Result<Response, ApiError> {
    let mac = mac_id(&id)?;
    entry.address()?;
    let added = state.store().add_ethernet_interface_ip(&mac, &entry).await;
    added.map_err(|e| ip_edit_error(e, &mac, &entry.ip_address))?;
    let uri = format!("{}/IPAddresses/{}", eth_uri(&mac), entry.ip_address);
    Ok(created(vec![uri], false))
}

#[derive(Deserialize)]
struct IpPatch {
    #[serde(rename = "Network", alias = "network")]
    network: String,
}

async fn patch_ip(
    State(state): State<AppState>,
    ApiPath((id, ip)): ApiPath<(String, String)>,
    _: NoQuery,
    ApiJson(patch): ApiJson<IpPatch>,
) -> Result<Json<Vec<IpAddressEntry>>, ApiError> {
    let mac = mac_id(&id)?;
    let updated = state
        .store()
        .update_ethernet_interface_ip(&mac, &ip, &patch.network);
    updated.await.map_err(|e| ip_edit_error(e, &mac, &ip))?;
    Ok(Json(find_eth(&state, &mac).await?.ip_addresses))
}

async fn delete_ip(
    State(state): State<AppState>,
    ApiPath((id, ip)): ApiPath<(String, String)>,
    _: NoQuery,
) -> Result<Json<Info>, ApiError> {
    let mac = mac_id(&id)?;
    let removed = state.store().remove_ethernet_interface_ip(&mac, &ip).await;
    if removed.map_err(|e| ip_edit_error(e, &mac, &ip))? {
        Ok(deleted(1))
    } else {
        Err(ApiError::not_found(format!(
            "no IP address {ip} on {}",
            mac.to_id()
        )))
    }
}
