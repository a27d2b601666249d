//! `POST /power-control/v1/boot-override`: a one-time (or continuous) boot source override
//! on many nodes, e.g. PXE on the next boot before a restart. PCS has no such route; this
//! one follows its shapes (`location: [{xname}]`, per-node results) so that `ochami boot
//! next pxe` works against a server instead of against each BMC.
//!
//! ```json
//! {"target": "Pxe", "enabled": "Once", "location": [{"xname": "x1000c0s0b0n0"}]}
//! ```
//!
//! `target` is `Pxe` or `UefiHttp` (with an optional `httpBootUri`), `enabled` `Once`
//! (default) or `Continuous`, `mode` `UEFI` or `Legacy` when the firmware mode matters.
//! The answer (200) lists one result per distinct xname, in request order: `succeeded`,
//! `not-offered` (the system has no boot override, e.g. HPE Cray EX blades that always
//! netboot) or `failed` with the error's `kind` and message. Nodes are resolved and driven as
//! transitions do ([`super::targets`]), with the same concurrency and request limits; what
//! [`RedfishClient::set_boot_override`] sends and why is documented there.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use futures::StreamExt;
use ochami_redfish::power::{BootMode, BootOverride, BootOverrideEnabled, BootOverrideOutcome};
use ochami_redfish::power::{BootTarget, PowerTarget};
use ochami_redfish::{ClientOptions, Error as RedfishError, RedfishClient, TargetError, Transport};
use serde::{Deserialize, Serialize};

use super::PowerService;
use crate::AppState;
use crate::problem::{ApiError, NoQuery, parse_json};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OverrideBody {
    target: String,
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    http_boot_uri: Option<String>,
    #[serde(default)]
    location: Vec<super::targets::Location>,
}

/// One node's result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeResult {
    xname: String,
    /// `succeeded`, `not-offered` or `failed`.
    status: &'static str,
    /// The failure's kind (`unsupported`, `auth`, `unreachable`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    /// What went wrong, or what was sent.
    #[serde(skip_serializing_if = "String::is_empty")]
    error: String,
}

impl NodeResult {
    fn failed(xname: String, kind: &str, error: String) -> Self {
        NodeResult {
            xname,
            status: "failed",
            kind: Some(kind.to_owned()),
            error,
        }
    }
}

fn parse_override(body: &OverrideBody) -> Result<BootOverride, ApiError> {
    let target = match body.target.to_ascii_lowercase().as_str() {
        "pxe" => BootTarget::Pxe,
        "uefihttp" | "uefi-http" | "http" => BootTarget::UefiHttp,
        _ => {
            return Err(ApiError::bad_request(format!(
                "unknown boot target {:?}; expected Pxe or UefiHttp",
                body.target
            )));
        }
    };
    let enabled = match body
        .enabled
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("once") => BootOverrideEnabled::Once,
        Some("continuous") => BootOverrideEnabled::Continuous,
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "unknown enabled {:?}; expected Once or Continuous",
                body.enabled.as_deref().unwrap_or_default()
            )));
        }
    };
    let mode = match body.mode.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("uefi") => Some(BootMode::Uefi),
        Some("legacy") => Some(BootMode::Legacy),
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "unknown mode {:?}; expected UEFI or Legacy",
                body.mode.as_deref().unwrap_or_default()
            )));
        }
    };
    BootOverride::new(target, enabled, mode, body.http_boot_uri.clone())
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// `POST /boot-override`.
pub(super) async fn create(
    State(state): State<AppState>,
    Extension(power): Extension<PowerService>,
    _: NoQuery,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body: OverrideBody = parse_json(&body)?;
    let wanted = parse_override(&body)?;
    let xnames = super::targets::distinct_xnames(&body.location)?;
    let config = &power.0.config;
    let transport: Arc<dyn Transport> = power.transport()?;
    let options = Arc::new(ClientOptions {
        auth: config.options.auth,
        request_timeout: config.options.request_timeout,
        retry: config.options.retry,
        ..ClientOptions::default()
    });
    let mut pending = Vec::with_capacity(xnames.len());
    for x in &xnames {
        pending.push(
            match super::targets::resolve(state.store(), &config.scheme, x).await? {
                Ok(t) => Ok(t),
                Err(why) => Err(NodeResult::failed(x.to_string(), "not-found", why)),
            },
        );
    }
    let deadline = config.options.node_deadline;
    let results: Vec<NodeResult> = futures::stream::iter(pending)
        .map(|p| {
            let (transport, options, wanted) = (transport.clone(), options.clone(), &wanted);
            async move {
                match p {
                    Ok(target) => {
                        let id = target.id.clone();
                        match tokio::time::timeout(
                            deadline,
                            set_one(transport, &options, target, wanted),
                        )
                        .await
                        {
                            Ok(r) => r,
                            Err(_) => NodeResult::failed(
                                id,
                                "timeout",
                                format!("no answer within {} s", deadline.as_secs()),
                            ),
                        }
                    }
                    Err(failed) => failed,
                }
            }
        })
        .buffered(config.options.concurrency.max(1))
        .collect()
        .await;
    let failed = results.iter().filter(|r| r.status == "failed").count();
    tracing::info!(
        target = wanted.target.as_str(),
        nodes = results.len(),
        failed,
        "boot override set"
    );
    Ok(Json(serde_json::json!({
        "target": wanted.target.as_str(),
        "enabled": wanted.enabled.as_str(),
        "results": results,
    })))
}

async fn set_one(
    transport: Arc<dyn Transport>,
    options: &ClientOptions,
    target: PowerTarget,
    wanted: &BootOverride,
) -> NodeResult {
    let failed = |id: &str, e: &RedfishError| {
        let e = TargetError::from(e);
        NodeResult::failed(id.to_owned(), e.kind.as_str(), e.message)
    };
    let client_options = ClientOptions {
        credentials: target.credentials.clone(),
        ..options.clone()
    };
    let client = match RedfishClient::connect(transport, &target.base_url, client_options).await {
        Ok(c) => c,
        Err(e) => return failed(&target.id, &e),
    };
    // resolve() always names the system (the ComponentEndpoint's OdataID).
    let system = target.system.clone().unwrap_or_default();
    let result = client.set_boot_override(&system, wanted).await;
    client.close().await;
    match result {
        Ok(BootOverrideOutcome::Applied { .. }) => NodeResult {
            xname: target.id,
            status: "succeeded",
            kind: None,
            error: String::new(),
        },
        Ok(BootOverrideOutcome::NotOffered) => NodeResult {
            xname: target.id,
            status: "not-offered",
            kind: None,
            error: "the system has no boot override (BootSourceOverrideTarget)".into(),
        },
        Err(e) => failed(&target.id, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: serde_json::Value) -> OverrideBody {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn bodies_map_onto_overrides() {
        let o = parse_override(&body(serde_json::json!({"target": "Pxe"}))).unwrap();
        assert_eq!(o, BootOverride::pxe_once());
        let o = parse_override(&body(serde_json::json!({
            "target": "UefiHttp", "enabled": "Continuous", "httpBootUri": "http://s/b.efi"
        })))
        .unwrap();
        assert_eq!(
            (o.enabled, o.mode, o.http_boot_uri.as_deref()),
            (
                BootOverrideEnabled::Continuous,
                Some(BootMode::Uefi),
                Some("http://s/b.efi")
            )
        );
        let e = parse_override(&body(serde_json::json!({"target": "Floppy"})));
        assert!(e.is_err());
        let e = parse_override(&body(
            serde_json::json!({"target": "Pxe", "httpBootUri": "http://x"}),
        ));
        assert!(e.is_err());
    }
}
