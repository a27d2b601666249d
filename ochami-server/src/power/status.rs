//! `/power-control/v1/power-status`: each node's power state read live from its BMC, reused
//! for [`PowerConfig::status_cache`](super::PowerConfig::status_cache).

use std::time::Instant;

use axum::Json;
use axum::extract::{Extension, State};
use chrono::{SecondsFormat, Utc};
use ochami_core::Xname;
use ochami_redfish::power::power_status_many;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::PowerService;
use crate::AppState;
use crate::problem::{ApiError, QueryPairs, parse_json};

/// One node's power status as PCS reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusEntry {
    /// The node.
    pub xname: String,
    /// `on`, `off` or `undefined` (absent for an unknown xname).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub power_state: Option<String>,
    /// `available` or `unavailable` (absent for an unknown xname).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_state: Option<String>,
    /// Why the state could not be read, or `""`.
    pub error: String,
    /// The PCS operations the BMC's reset values allow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported_power_transitions: Option<Vec<String>>,
    /// When it was read (RFC 3339 with nanoseconds), or `""`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct StatusBody {
    #[serde(default)]
    xname: Vec<String>,
    #[serde(default)]
    power_state_filter: Option<String>,
    #[serde(default)]
    management_state_filter: Option<String>,
}

/// `GET /power-status?xname=..&powerStateFilter=..&managementStateFilter=..`.
pub(super) async fn get_status(
    State(state): State<AppState>,
    Extension(power): Extension<PowerService>,
    uri: axum::http::Uri,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut q = QueryPairs::parse(uri.query().unwrap_or(""))?;
    let body = StatusBody {
        xname: q.take("xname"),
        power_state_filter: q.take_last("powerStateFilter"),
        management_state_filter: q.take_last("managementStateFilter"),
    };
    q.finish()?;
    status(state, power, body).await
}

/// `POST /power-status` with `{"xname": [...], ...}`.
pub(super) async fn post_status(
    State(state): State<AppState>,
    Extension(power): Extension<PowerService>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body: StatusBody = if body.is_empty() {
        StatusBody::default()
    } else {
        parse_json(&body)?
    };
    status(state, power, body).await
}

async fn status(
    state: AppState,
    power: PowerService,
    body: StatusBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    let check =
        |name: &str, v: &Option<String>, allowed: &[&str]| -> Result<Option<String>, ApiError> {
            match v.as_deref().map(str::to_ascii_lowercase) {
                None => Ok(None),
                Some(s) if s.is_empty() => Ok(None),
                Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
                Some(s) => Err(ApiError::bad_request(format!(
                    "{name} {s:?} is not one of {}",
                    allowed.join(", ")
                ))),
            }
        };
    let power_filter = check(
        "powerStateFilter",
        &body.power_state_filter,
        &["on", "off", "undefined"],
    )?;
    let mgmt_filter = check(
        "managementStateFilter",
        &body.management_state_filter,
        &["available", "unavailable"],
    )?;
    let store = state.store();
    let xnames: Vec<Xname> = if body.xname.is_empty() {
        ochami_store::bmc_nodes(store).await?
    } else {
        body.xname
            .iter()
            .map(|x| crate::problem::xname(x))
            .collect::<Result<_, _>>()?
    };
    let config = &power.0.config;
    let now = Instant::now();
    let mut entries: Vec<Option<StatusEntry>> = vec![None; xnames.len()];
    let mut wanted = Vec::new();
    {
        let cache = power.0.status.lock().ok();
        for (i, x) in xnames.iter().enumerate() {
            let hit = cache
                .as_ref()
                .and_then(|c| c.get(&x.to_string()))
                .filter(|(t, _)| now.duration_since(*t) < config.status_cache);
            match hit {
                Some((_, e)) => entries[i] = Some(e.clone()),
                None => wanted.push(i),
            }
        }
    }
    let mut targets = Vec::new();
    let mut index = Vec::new();
    for i in wanted {
        match super::targets::resolve(store, &config.scheme, &xnames[i]).await? {
            Ok(t) => {
                targets.push(t);
                index.push(i);
            }
            Err(why) => {
                entries[i] = Some(StatusEntry {
                    xname: xnames[i].to_string(),
                    power_state: None,
                    management_state: None,
                    error: why,
                    supported_power_transitions: None,
                    last_updated: None,
                })
            }
        }
    }
    if !targets.is_empty() {
        let outcomes =
            power_status_many(power.transport()?, targets, &config.options, |_| {}).await;
        let stamp = Utc::now().to_rfc3339_opts(SecondsFormat::Nanos, true);
        let mut cache = power.0.status.lock().ok();
        for (o, i) in outcomes.into_iter().zip(index) {
            let entry = match (o.value(), o.error()) {
                (Some(p), _) => StatusEntry {
                    xname: o.id.clone(),
                    power_state: Some(p.pcs_power_state().to_owned()),
                    management_state: Some("available".into()),
                    error: String::new(),
                    supported_power_transitions: Some(
                        p.pcs_transitions().into_iter().map(str::to_owned).collect(),
                    ),
                    last_updated: Some(stamp.clone()),
                },
                (None, e) => StatusEntry {
                    xname: o.id.clone(),
                    power_state: Some("undefined".into()),
                    management_state: Some("unavailable".into()),
                    error: e.map(|e| e.to_string()).unwrap_or_default(),
                    supported_power_transitions: Some(Vec::new()),
                    last_updated: Some(String::new()),
                },
            };
            if let Some(c) = cache.as_mut() {
                c.insert(o.id.clone(), (Instant::now(), entry.clone()));
            }
            entries[i] = Some(entry);
        }
    }
    let status: Vec<StatusEntry> = entries
        .into_iter()
        .flatten()
        .filter(|e| {
            power_filter
                .as_deref()
                .is_none_or(|f| e.power_state.as_deref() == Some(f))
        })
        .filter(|e| {
            mgmt_filter
                .as_deref()
                .is_none_or(|f| e.management_state.as_deref() == Some(f))
        })
        .collect();
    Ok(Json(json!({ "status": status })))
}
