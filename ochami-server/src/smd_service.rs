//! SMD service routes: `/hsm/v2/service/ready`, `/service/liveness`, `/service/values` and
//! `/service/values/{kind}`.
//!
//! The value lists are in declaration order and `Warning` appears once (upstream lists it
//! twice and in map order).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use ochami_core::{Arch, Class, Flag, HmsType, NetType, Role, State as HmsState, SubRole};
use serde::Serialize;

use super::AppState;
use super::problem::{ApiError, ApiPath, NoQuery};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/hsm/v2/service/ready", get(ready))
        .route("/hsm/v2/service/liveness", get(liveness))
        .route("/hsm/v2/service/values", get(values))
        .route("/hsm/v2/service/values/{kind}", get(values_of))
}

/// SMD's informational body: `{"code":0,"message":...}` (the code is always 0, as upstream).
#[derive(Serialize)]
pub(crate) struct Info {
    code: u8,
    message: String,
}

/// A 200 `{"code":0,"message":...}` response.
pub(crate) fn info(message: impl Into<String>) -> Json<Info> {
    Json(Info {
        code: 0,
        message: message.into(),
    })
}

/// `deleted N entries` / `deleted 1 entry`.
pub(crate) fn deleted(n: u64) -> Json<Info> {
    info(if n == 1 {
        "deleted 1 entry".to_owned()
    } else {
        format!("deleted {n} entries")
    })
}

async fn ready(State(state): State<AppState>, _: NoQuery) -> Result<Json<Info>, ApiError> {
    state.store().ping().await?;
    Ok(info("HSM is healthy"))
}

async fn liveness(_: NoQuery) -> StatusCode {
    StatusCode::NO_CONTENT
}

/// `HMSValues`: every enumeration, each key omitted when empty.
#[derive(Serialize, Default)]
#[serde(rename_all = "PascalCase")]
struct Values {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    arch: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    class: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    flag: Vec<&'static str>,
    #[serde(rename = "NetType", skip_serializing_if = "Vec::is_empty")]
    net_type: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    role: Vec<&'static str>,
    #[serde(rename = "SubRole", skip_serializing_if = "Vec::is_empty")]
    sub_role: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    state: Vec<&'static str>,
    #[serde(rename = "Type", skip_serializing_if = "Vec::is_empty")]
    hms_type: Vec<&'static str>,
}

fn all_values() -> Values {
    Values {
        arch: Arch::ALL.iter().map(|v| v.as_str()).collect(),
        class: Class::ALL.iter().map(|v| v.as_str()).collect(),
        flag: Flag::ALL.iter().map(|v| v.as_str()).collect(),
        net_type: NetType::ALL.iter().map(|v| v.as_str()).collect(),
        role: Role::ALL.iter().map(|v| v.as_str()).collect(),
        sub_role: SubRole::ALL.iter().map(|v| v.as_str()).collect(),
        state: HmsState::ALL.iter().map(|v| v.as_str()).collect(),
        hms_type: HmsType::ALL.iter().map(|v| v.as_str()).collect(),
    }
}

async fn values(_: NoQuery) -> Json<Values> {
    Json(all_values())
}

async fn values_of(ApiPath(kind): ApiPath<String>, _: NoQuery) -> Result<Response, ApiError> {
    let all = all_values();
    let one = match kind.to_ascii_lowercase().as_str() {
        "arch" => Values {
            arch: all.arch,
            ..Default::default()
        },
        "class" => Values {
            class: all.class,
            ..Default::default()
        },
        "flag" => Values {
            flag: all.flag,
            ..Default::default()
        },
        "nettype" => Values {
            net_type: all.net_type,
            ..Default::default()
        },
        "role" => Values {
            role: all.role,
            ..Default::default()
        },
        "subrole" => Values {
            sub_role: all.sub_role,
            ..Default::default()
        },
        "state" => Values {
            state: all.state,
            ..Default::default()
        },
        "type" => Values {
            hms_type: all.hms_type,
            ..Default::default()
        },
        _ => {
            return Err(ApiError::not_found(format!(
                "no value list {kind:?}; one of arch, class, flag, nettype, role, subrole, state, type"
            )));
        }
    };
    Ok(Json(one).into_response())
}
