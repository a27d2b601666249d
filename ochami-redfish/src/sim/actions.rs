//! Actions on simulated systems: `POST .../Actions/ComputerSystem.Reset` and `PATCH` of a
//! system's `Boot`, with the answers a real BMC gives.
//!
//! - A reset changes `PowerState` through `PoweringOn`/`PoweringOff` over
//!   [`SimBmcConfig::power_delay`](super::SimBmcConfig::power_delay) (a restart goes
//!   `PoweringOff`, `PoweringOn`, `On`: two delays). `Nmi` changes nothing.
//! - A `ResetType` outside the system's allowed values (its annotation or ActionInfo, or
//!   the DMTF list when it has neither) gets 400 `ActionParameterNotSupported`; a missing
//!   one 400 `ActionParameterMissing`.
//! - A `PATCH` takes only `Boot` override properties checked against the system's
//!   allowable values; an `If-Match` that is not the current ETag gets 412, and with
//!   [`SimQuirks::require_if_match`] a PATCH without one gets 428. Each applied PATCH
//!   changes the ETag (served as the `ETag` header and `@odata.etag`).
//! - Everything received is logged as a [`SimAction`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::tree::{MockupTree, normalize_path};

/// Vendor behaviours a simulated BMC can copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimQuirks {
    /// Refuse a `PATCH` without `If-Match` with 428 (AMI MegaRAC, Lenovo XCC, Huawei iBMC).
    pub require_if_match: bool,
    /// Answer `On` to a system that is on with 409 `PSU501` (Dell iDRAC).
    pub conflict_on_redundant_on: bool,
    /// Answer a `Boot` PATCH with 204 but keep the old values (some AMI-based Supermicro
    /// boards).
    pub revert_boot_patch: bool,
}

/// A write a simulated BMC received (and accepted or refused).
#[derive(Debug, Clone, PartialEq)]
pub enum SimAction {
    /// A `ComputerSystem.Reset` POST.
    Reset {
        /// The system's path.
        system: String,
        /// The `ResetType` sent (`""` when absent).
        reset_type: String,
        /// The HTTP status answered.
        status: u16,
    },
    /// A PATCH of a system.
    Patch {
        /// The path PATCHed.
        path: String,
        /// The body sent.
        body: Value,
        /// The `If-Match` header, when sent.
        if_match: Option<String>,
        /// The HTTP status answered.
        status: u16,
    },
}

const DMTF_RESET_TYPES: &[&str] = &[
    "On",
    "ForceOff",
    "GracefulShutdown",
    "GracefulRestart",
    "ForceRestart",
    "Nmi",
    "ForceOn",
    "PushPowerButton",
    "PowerCycle",
    "Suspend",
    "Pause",
    "Resume",
    "FullPowerCycle",
];
const ENABLED: &[&str] = &["Disabled", "Once", "Continuous"];
const MODES: &[&str] = &["Legacy", "UEFI"];

/// One system's changing state.
struct SystemState {
    /// `(from, state)`: the state is the last entry whose time has come.
    power: Vec<(Instant, &'static str)>,
    /// `PowerState` as the tree has it when it is not one the simulator models.
    other_power: Option<String>,
    allowed: Vec<String>,
    /// Boot override properties changed by PATCHes.
    boot: Map<String, Value>,
    etag: u64,
}

impl SystemState {
    fn power_at(&self, now: Instant) -> Option<&str> {
        if let Some(o) = &self.other_power {
            return Some(o);
        }
        self.power
            .iter()
            .rev()
            .find(|(t, _)| *t <= now)
            .or(self.power.first())
            .map(|(_, s)| *s)
    }

    fn etag(&self) -> String {
        format!("W/\"sim-{}\"", self.etag)
    }
}

/// The simulated systems of one BMC.
pub(crate) struct SimSystems {
    systems: Mutex<HashMap<String, SystemState>>,
    /// Reset action target -> system path.
    reset_targets: HashMap<String, String>,
    log: Mutex<Vec<SimAction>>,
}

/// An answer to a write: status, optional Redfish error `(MessageId, message)`.
pub(crate) struct WriteAnswer {
    pub(crate) status: StatusCode,
    pub(crate) error: Option<(&'static str, String)>,
}

impl WriteAnswer {
    fn ok() -> Self {
        WriteAnswer {
            status: StatusCode::NO_CONTENT,
            error: None,
        }
    }

    fn error(status: StatusCode, id: &'static str, message: impl Into<String>) -> Self {
        WriteAnswer {
            status,
            error: Some((id, message.into())),
        }
    }
}

fn is_system(body: &Value) -> bool {
    body["Actions"]["#ComputerSystem.Reset"].is_object()
        || body["@odata.type"]
            .as_str()
            .is_some_and(|t| t.starts_with("#ComputerSystem.") && !t.contains("Collection"))
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array().map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    })
}

impl SimSystems {
    pub(crate) fn new(tree: &MockupTree) -> Self {
        let now = Instant::now();
        let mut systems = HashMap::new();
        let mut reset_targets = HashMap::new();
        for (path, body) in tree.iter() {
            if !is_system(body) {
                continue;
            }
            let action = &body["Actions"]["#ComputerSystem.Reset"];
            if let Some(target) = action["target"].as_str() {
                reset_targets.insert(normalize_path(target), path.to_owned());
            }
            let allowed = strings(&action["ResetType@Redfish.AllowableValues"])
                .or_else(|| {
                    let info = tree.get(action["@Redfish.ActionInfo"].as_str()?)?;
                    info["Parameters"].as_array()?.iter().find_map(|p| {
                        (p["Name"] == "ResetType")
                            .then(|| strings(&p["AllowableValues"]))
                            .flatten()
                    })
                })
                .unwrap_or_else(|| DMTF_RESET_TYPES.iter().map(|s| s.to_string()).collect());
            let (power, other_power) = match body["PowerState"].as_str().unwrap_or("On") {
                "On" => ("On", None),
                "Off" => ("Off", None),
                "PoweringOn" => ("PoweringOn", None),
                "PoweringOff" => ("PoweringOff", None),
                other => ("On", Some(other.to_owned())),
            };
            systems.insert(
                path.to_owned(),
                SystemState {
                    power: vec![(now, power)],
                    other_power,
                    allowed,
                    boot: Map::new(),
                    etag: 1,
                },
            );
        }
        SimSystems {
            systems: Mutex::new(systems),
            reset_targets,
            log: Mutex::new(Vec::new()),
        }
    }

    /// Whether a write to `path` is one this module answers.
    pub(crate) fn handles(&self, post: bool, path: &str) -> bool {
        if post {
            self.reset_targets.contains_key(path)
        } else {
            self.systems.lock().is_ok_and(|s| s.contains_key(path))
        }
    }

    /// The log of writes received.
    pub(crate) fn actions(&self) -> Vec<SimAction> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The current `PowerState` of a system.
    pub(crate) fn power_state(&self, system: &str) -> Option<String> {
        let systems = self.systems.lock().ok()?;
        systems
            .get(&normalize_path(system))?
            .power_at(Instant::now())
            .map(str::to_owned)
    }

    /// Puts the current state into a system's body; returns its ETag.
    pub(crate) fn overlay(&self, path: &str, body: &mut Value) -> Option<String> {
        let systems = self.systems.lock().ok()?;
        let system = systems.get(path)?;
        if let Some(o) = body.as_object_mut() {
            if let Some(p) = system.power_at(Instant::now()) {
                o.insert("PowerState".into(), Value::String(p.to_owned()));
            }
            if !system.boot.is_empty()
                && let Some(boot) = o.get_mut("Boot").and_then(Value::as_object_mut)
            {
                for (k, v) in &system.boot {
                    boot.insert(k.clone(), v.clone());
                }
            }
            o.insert("@odata.etag".into(), Value::String(system.etag()));
        }
        Some(system.etag())
    }

    fn record(&self, action: SimAction) {
        if let Ok(mut l) = self.log.lock() {
            l.push(action);
        }
    }

    /// A `ComputerSystem.Reset` POST to `target`.
    pub(crate) fn reset(
        &self,
        target: &str,
        body: &[u8],
        delay: Duration,
        quirks: SimQuirks,
    ) -> WriteAnswer {
        let Some(system) = self.reset_targets.get(target).cloned() else {
            return WriteAnswer::error(StatusCode::NOT_FOUND, "ResourceMissingAtURI", target);
        };
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        let reset_type = parsed
            .as_ref()
            .and_then(|v| v.get("ResetType"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let answer = self.apply_reset(
            &system,
            parsed.is_some(),
            reset_type.as_deref(),
            delay,
            quirks,
        );
        self.record(SimAction::Reset {
            system,
            reset_type: reset_type.unwrap_or_default(),
            status: answer.status.as_u16(),
        });
        answer
    }

    fn apply_reset(
        &self,
        system: &str,
        json: bool,
        reset_type: Option<&str>,
        delay: Duration,
        quirks: SimQuirks,
    ) -> WriteAnswer {
        if !json {
            return WriteAnswer::error(
                StatusCode::BAD_REQUEST,
                "MalformedJSON",
                "the body is not JSON",
            );
        }
        let Some(reset_type) = reset_type else {
            return WriteAnswer::error(
                StatusCode::BAD_REQUEST,
                "ActionParameterMissing",
                "The action ComputerSystem.Reset requires the parameter ResetType to be present in the request body.",
            );
        };
        let Ok(mut systems) = self.systems.lock() else {
            return WriteAnswer::error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "lock");
        };
        let Some(state) = systems.get_mut(system) else {
            return WriteAnswer::error(StatusCode::NOT_FOUND, "ResourceMissingAtURI", system);
        };
        if !state.allowed.iter().any(|a| a == reset_type) {
            return WriteAnswer::error(
                StatusCode::BAD_REQUEST,
                "ActionParameterNotSupported",
                format!(
                    "The parameter ResetType with the value {reset_type} is not supported by the action ComputerSystem.Reset."
                ),
            );
        }
        let now = Instant::now();
        let current = state.power_at(now).unwrap_or("On").to_owned();
        let on = matches!(current.as_str(), "On" | "PoweringOn");
        if quirks.conflict_on_redundant_on && reset_type == "On" && current == "On" {
            return WriteAnswer::error(
                StatusCode::CONFLICT,
                "PSU501",
                "The server is already powered on.",
            );
        }
        let turn_on = vec![(now, "PoweringOn"), (now + delay, "On")];
        let turn_off = vec![(now, "PoweringOff"), (now + delay, "Off")];
        let next = match reset_type {
            "On" | "ForceOn" if !on => Some(turn_on),
            "ForceOff" | "GracefulShutdown" | "Off"
                if current != "Off" && current != "PoweringOff" =>
            {
                Some(turn_off)
            }
            "PushPowerButton" => Some(if on { turn_off } else { turn_on }),
            "ForceRestart" | "GracefulRestart" | "PowerCycle" | "FullPowerCycle" => Some(if on {
                vec![
                    (now, "PoweringOff"),
                    (now + delay, "PoweringOn"),
                    (now + delay * 2, "On"),
                ]
            } else {
                turn_on
            }),
            _ => None,
        };
        if let Some(next) = next {
            state.other_power = None;
            state.power = next;
        }
        WriteAnswer::ok()
    }

    /// A PATCH of a system.
    pub(crate) fn patch(
        &self,
        path: &str,
        tree_body: Option<&Value>,
        body: &[u8],
        if_match: Option<&str>,
        quirks: SimQuirks,
    ) -> WriteAnswer {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        let answer = self.apply_patch(path, tree_body, parsed.as_ref(), if_match, quirks);
        self.record(SimAction::Patch {
            path: path.to_owned(),
            body: parsed.unwrap_or(Value::Null),
            if_match: if_match.map(str::to_owned),
            status: answer.status.as_u16(),
        });
        answer
    }

    fn apply_patch(
        &self,
        path: &str,
        tree_body: Option<&Value>,
        body: Option<&Value>,
        if_match: Option<&str>,
        quirks: SimQuirks,
    ) -> WriteAnswer {
        let Ok(mut systems) = self.systems.lock() else {
            return WriteAnswer::error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "lock");
        };
        let Some(state) = systems.get_mut(path) else {
            return WriteAnswer::error(StatusCode::NOT_FOUND, "ResourceMissingAtURI", path);
        };
        match if_match {
            None if quirks.require_if_match => {
                return WriteAnswer::error(
                    StatusCode::PRECONDITION_REQUIRED,
                    "PreconditionRequired",
                    "An If-Match header with the resource's ETag is required.",
                );
            }
            Some(tag) if tag != "*" && tag.trim() != state.etag() => {
                return WriteAnswer::error(
                    StatusCode::PRECONDITION_FAILED,
                    "PreconditionFailed",
                    format!(
                        "The ETag {tag} does not match the current {}.",
                        state.etag()
                    ),
                );
            }
            _ => {}
        }
        let Some(obj) = body.and_then(Value::as_object) else {
            return WriteAnswer::error(
                StatusCode::BAD_REQUEST,
                "MalformedJSON",
                "the body is not a JSON object",
            );
        };
        if let Some(k) = obj.keys().find(|k| *k != "Boot") {
            return WriteAnswer::error(
                StatusCode::BAD_REQUEST,
                "PropertyNotWritable",
                format!("The property {k} is a read only property and cannot be assigned a value."),
            );
        }
        let Some(boot) = obj.get("Boot").and_then(Value::as_object) else {
            return WriteAnswer::error(
                StatusCode::BAD_REQUEST,
                "PropertyValueTypeError",
                "Boot must be an object",
            );
        };
        let current = tree_body.map(|b| &b["Boot"]).unwrap_or(&Value::Null);
        if current.get("BootSourceOverrideTarget").is_none() {
            return WriteAnswer::error(
                StatusCode::BAD_REQUEST,
                "PropertyUnknown",
                "The property Boot/BootSourceOverrideTarget is not in the list of valid properties for the resource.",
            );
        }
        for (k, v) in boot {
            let allowed: Option<Vec<String>> = match k.as_str() {
                "BootSourceOverrideTarget" => {
                    strings(&current["BootSourceOverrideTarget@Redfish.AllowableValues"])
                }
                "BootSourceOverrideEnabled" => {
                    Some(ENABLED.iter().map(|s| s.to_string()).collect())
                }
                "BootSourceOverrideMode" => {
                    strings(&current["BootSourceOverrideMode@Redfish.AllowableValues"])
                        .or_else(|| Some(MODES.iter().map(|s| s.to_string()).collect()))
                }
                "HttpBootUri" => None,
                _ => {
                    return WriteAnswer::error(
                        StatusCode::BAD_REQUEST,
                        "PropertyUnknown",
                        format!(
                            "The property Boot/{k} is not in the list of valid properties for the resource."
                        ),
                    );
                }
            };
            let Some(text) = v.as_str() else {
                return WriteAnswer::error(
                    StatusCode::BAD_REQUEST,
                    "PropertyValueTypeError",
                    format!("Boot/{k} must be a string"),
                );
            };
            if let Some(allowed) = allowed
                && !allowed.iter().any(|a| a == text)
            {
                return WriteAnswer::error(
                    StatusCode::BAD_REQUEST,
                    "PropertyValueNotInList",
                    format!(
                        "The value {text} for the property Boot/{k} is not in the list of acceptable values."
                    ),
                );
            }
        }
        if !quirks.revert_boot_patch {
            for (k, v) in boot {
                state.boot.insert(k.clone(), v.clone());
            }
            state.etag += 1;
        }
        WriteAnswer::ok()
    }
}

/// Answers a reset POST or a system PATCH (after auth); `None` for other requests.
pub(super) fn handle_write(
    state: &super::server::SimState,
    method: &axum::http::Method,
    path: &str,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Option<axum::response::Response> {
    use axum::http::Method;
    use axum::response::IntoResponse;
    use std::sync::atomic::Ordering;

    let post = *method == Method::POST;
    if !(post || *method == Method::PATCH) || !state.systems.handles(post, path) {
        return None;
    }
    if let Err(r) = super::server::authorize(state, headers) {
        return Some(*r);
    }
    let cfg = &state.config;
    let answer = if post {
        state.counters.reset_actions.fetch_add(1, Ordering::Relaxed);
        state.systems.reset(path, body, cfg.power_delay, cfg.quirks)
    } else {
        state.counters.patches.fetch_add(1, Ordering::Relaxed);
        let if_match = headers
            .get(axum::http::header::IF_MATCH)
            .and_then(|v| v.to_str().ok());
        state
            .systems
            .patch(path, cfg.tree.get(path), body, if_match, cfg.quirks)
    };
    Some(match answer.error {
        None => answer.status.into_response(),
        Some((id, message)) => super::server::redfish_error(answer.status, id, &message),
    })
}
