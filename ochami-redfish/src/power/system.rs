//! One ComputerSystem's power: its state and Reset action ([`SystemPower`]), a reset sent
//! so that it is never repeated blindly ([`RedfishClient::reset`]), waiting for a state,
//! and whole [`PowerOperation`]s ([`RedfishClient::power_operation`]).
//!
//! **Retries.** Reads are retried as any GET. A reset POST is sent once; it is sent again
//! only when the BMC said it did not process it (429, 503) or when its answer was lost
//! (timeout, connection dropped, other 5xx) *and* a fresh read of `PowerState` shows that
//! it was not carried out. That second case applies to the resets whose effect the state
//! proves (`On`, `ForceOn`, `ForceOff`, `GracefulShutdown`, `Off`), all harmless to
//! repeat; a restart whose answer was lost is reported as
//! [`ErrorKind::OutcomeUnknown`](crate::ErrorKind::OutcomeUnknown), never resent.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};

use super::operation::{self, PowerOperation, choose};
use super::reset_type::{PowerState, ResetType};
use crate::client::{RedfishClient, check_status, transport_error};
use crate::error::{Error, Result};
use crate::resources::lenient;
use crate::transport::{HttpRequest, HttpResponse, Method, RequestAuth, RequestBody};

/// Where a system's allowed `ResetType`s came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowedValuesSource {
    /// `ResetType@Redfish.AllowableValues` on the action.
    Annotation,
    /// The `Parameters` of the resource named by `@Redfish.ActionInfo` (OpenBMC, Cray EX).
    ActionInfo,
    /// Neither (or the ActionInfo could not be read): any value may be tried.
    NotAdvertised,
}

/// A system's `#ComputerSystem.Reset` action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResetAction {
    /// The action's `target` (the URI to POST to; never built by hand).
    pub target: String,
    /// The allowed values; `None` when the BMC does not advertise them.
    pub allowed: Option<Vec<ResetType>>,
    /// Where `allowed` came from.
    pub source: AllowedValuesSource,
}

impl ResetAction {
    /// The first of `candidates` this action allows (the first candidate when it
    /// advertises nothing).
    pub fn choose(&self, candidates: &[ResetType]) -> Option<ResetType> {
        choose(self.allowed.as_deref(), candidates)
    }
}

/// What a ComputerSystem says about its power.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SystemPower {
    /// The system's path (`/redfish/v1/Systems/1`).
    pub path: String,
    /// `PowerState`, when reported.
    pub power_state: Option<PowerState>,
    /// The Reset action, when offered.
    pub reset: Option<ResetAction>,
}

// ---- the PCS view (`/power-control/v1/power-status`) ----
impl SystemPower {
    /// PCS's `powerState`: `on`, `off` or `undefined`; `PoweringOff` counts as on and
    /// `PoweringOn` as off, as PCS has it.
    pub fn pcs_power_state(&self) -> &'static str {
        match self.power_state {
            Some(PowerState::On | PowerState::PoweringOff) => "on",
            Some(PowerState::Off | PowerState::PoweringOn) => "off",
            _ => "undefined",
        }
    }

    /// PCS's `supportedPowerTransitions`: the operations its allowed `ResetType`s make
    /// possible, with PCS's mapping (a system that can go on and off can also `Init`,
    /// `Hard-Restart` and `Soft-Restart`).
    pub fn pcs_transitions(&self) -> Vec<&'static str> {
        let allowed: &[ResetType] = self
            .reset
            .as_ref()
            .and_then(|r| r.allowed.as_deref())
            .unwrap_or_default();
        let has = |r: ResetType| allowed.contains(&r);
        let mut out: Vec<&'static str> = Vec::new();
        if has(ResetType::ForceOff) {
            out.push("Force-Off");
        }
        if has(ResetType::GracefulRestart) || has(ResetType::ForceRestart) {
            out.push("Soft-Restart");
        }
        if has(ResetType::Off) || has(ResetType::GracefulShutdown) {
            out.extend(["Soft-Off", "Off"]);
        }
        if has(ResetType::On) {
            out.push("On");
        }
        let off =
            has(ResetType::Off) || has(ResetType::GracefulShutdown) || has(ResetType::ForceOff);
        if has(ResetType::On) && off {
            out.extend(["Init", "Hard-Restart"]);
            if !out.contains(&"Soft-Restart") {
                out.push("Soft-Restart");
            }
        }
        out
    }
}

/// How a reset request ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResetSent {
    /// The value sent.
    pub reset_type: ResetType,
    /// The final HTTP status; `None` when the answer was lost and the state confirmed it.
    pub status: Option<u16>,
    /// How many times the POST was sent.
    pub attempts: u32,
}

/// Timing of a [`PowerOperation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationOptions {
    /// Wait until the system reaches the operation's final state (intermediate states of
    /// two-step operations are always waited for).
    pub wait: bool,
    /// Delay between two reads of `PowerState` while waiting.
    pub poll_interval: Duration,
    /// Limit of each wait for a state.
    pub state_timeout: Duration,
    /// How long `Off` and `Init` let a graceful shutdown run before forcing the power off.
    pub graceful_timeout: Duration,
}

impl Default for OperationOptions {
    fn default() -> Self {
        OperationOptions {
            wait: true,
            poll_interval: Duration::from_secs(2),
            state_timeout: Duration::from_secs(300),
            graceful_timeout: Duration::from_secs(60),
        }
    }
}

/// What a [`PowerOperation`] did to one system.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerReport {
    /// The state before (as first read).
    pub before: Option<PowerState>,
    /// The resets sent, in order; empty when the system already was in the wanted state.
    pub sent: Vec<ResetType>,
    /// The state last read (after waiting), when read.
    pub after: Option<PowerState>,
}

/// The `MessageId` and message of a Redfish error body (`{"error": {...}}`).
pub(crate) fn redfish_error_message(body: &[u8]) -> (Option<String>, String) {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let err = &v["error"];
    let info = err["@Message.ExtendedInfo"].get(0);
    let id = info
        .and_then(|i| lenient::text(i, "MessageId"))
        .or_else(|| lenient::text(err, "code"));
    let message = info
        .and_then(|i| lenient::text(i, "Message"))
        .or_else(|| lenient::text(err, "message"))
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let t: String = text.chars().take(200).collect();
            if t.is_empty() {
                "no error body".to_owned()
            } else {
                t
            }
        });
    (id, message)
}

impl RedfishClient {
    /// Sends one request, no retry, with the client's auth; a 401 to an expired session
    /// renews it and repeats the request once (a refused request was not carried out).
    pub(crate) async fn send_once(
        &self,
        method: Method,
        path: &str,
        body: RequestBody,
        if_match: Option<&str>,
    ) -> Result<HttpResponse> {
        let mut renewed = false;
        loop {
            let auth = self.request_auth();
            let request = HttpRequest {
                method,
                url: self.url(path),
                auth: auth.clone(),
                body: body.clone(),
                timeout: self.options.request_timeout,
                if_match: if_match.map(str::to_owned),
            };
            let response = self
                .transport
                .send(request)
                .await
                .map_err(|e| transport_error(&self.base, path, &self.options, e))?;
            match auth {
                RequestAuth::Token(used) if response.status == 401 && !renewed => {
                    self.renew_session(&used).await?;
                    renewed = true;
                }
                _ => return Ok(response),
            }
        }
    }

    /// A refusal of `method path` as a typed error (401/403 become [`Error::Auth`]).
    pub(crate) fn refusal(&self, method: Method, path: &str, response: &HttpResponse) -> Error {
        if let Err(e) = check_status(&self.base, path, &self.options, response)
            && matches!(e, Error::Auth { .. })
        {
            return e;
        }
        let (message_id, message) = redfish_error_message(&response.body);
        Error::Refused {
            target: self.base.clone(),
            method: method.as_str(),
            path: path.to_owned(),
            status: response.status,
            message_id,
            message,
        }
    }

    /// GETs a resource with its ETag (the `ETag` header, else `@odata.etag`).
    pub(crate) async fn get_with_etag(&self, path: &str) -> Result<(Value, Option<String>)> {
        let response = self
            .send_authed(Method::Get, path, RequestBody::Empty)
            .await?;
        let header = response.header("etag").map(str::to_owned);
        let body = self.json_of(path, response)?;
        let etag = header.or_else(|| lenient::text(&body, "@odata.etag"));
        Ok((body, etag))
    }

    /// Reads a system's `PowerState` and Reset action; the allowed values come from the
    /// action's annotation or, failing that, its `@Redfish.ActionInfo` resource.
    pub async fn system_power(&self, system: &str) -> Result<SystemPower> {
        let body = self.get(system).await?;
        Ok(self.system_power_of(system, &body).await)
    }

    pub(crate) async fn system_power_of(&self, system: &str, body: &Value) -> SystemPower {
        let power_state = lenient::text(body, "PowerState").map(|s| PowerState::parse(&s));
        let action = &body["Actions"]["#ComputerSystem.Reset"];
        let reset = match lenient::text(action, "target") {
            None => None,
            Some(target) => Some(self.reset_action(target, action).await),
        };
        SystemPower {
            path: system.to_owned(),
            power_state,
            reset,
        }
    }

    async fn reset_action(&self, target: String, action: &Value) -> ResetAction {
        let values = |v: &Value| -> Option<Vec<ResetType>> {
            v.as_array().map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(ResetType::parse)
                    .collect()
            })
        };
        if let Some(allowed) = values(&action["ResetType@Redfish.AllowableValues"]) {
            return ResetAction {
                target,
                allowed: Some(allowed),
                source: AllowedValuesSource::Annotation,
            };
        }
        if let Some(info) = lenient::text(action, "@Redfish.ActionInfo") {
            match self.get(&info).await {
                Ok(info) => {
                    let param = info["Parameters"].as_array().and_then(|ps| {
                        ps.iter()
                            .find(|p| p["Name"].as_str() == Some("ResetType"))
                            .and_then(|p| values(&p["AllowableValues"]))
                    });
                    if let Some(allowed) = param {
                        return ResetAction {
                            target,
                            allowed: Some(allowed),
                            source: AllowedValuesSource::ActionInfo,
                        };
                    }
                }
                Err(e) => {
                    tracing::debug!(bmc = %self.base, error = %e, "ActionInfo unreadable; any ResetType may be tried");
                }
            }
        }
        ResetAction {
            target,
            allowed: None,
            source: AllowedValuesSource::NotAdvertised,
        }
    }

    /// Reads a system's `PowerState` (`None` when it reports none).
    pub async fn power_state(&self, system: &str) -> Result<Option<PowerState>> {
        let body = self.get(system).await?;
        Ok(lenient::text(&body, "PowerState").map(|s| PowerState::parse(&s)))
    }

    /// POSTs `{"ResetType": reset_type}` to the action of `system` (see the module docs
    /// for when it is sent again). A `409` to a power-on of a system that reads `On`
    /// (iDRAC's `PSU501`) counts as success.
    pub async fn reset(
        &self,
        system: &str,
        action: &ResetAction,
        reset_type: &ResetType,
    ) -> Result<ResetSent> {
        let body = RequestBody::Json(json!({ "ResetType": reset_type.as_str() }));
        let path = action.target.as_str();
        let policy = self.options.retry;
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let sent = |status| ResetSent {
                reset_type: reset_type.clone(),
                status,
                attempts,
            };
            let lost = match self.send_once(Method::Post, path, body.clone(), None).await {
                Ok(r) if (200..300).contains(&r.status) => {
                    tracing::info!(bmc = %self.base, system, reset_type = %reset_type, status = r.status, "reset accepted");
                    return Ok(sent(Some(r.status)));
                }
                Ok(r) if matches!(r.status, 429 | 503) => {
                    if attempts > policy.max_retries {
                        return Err(self.refusal(Method::Post, path, &r));
                    }
                    let delay = policy.delay(attempts - 1, r.header("retry-after"));
                    tokio::time::sleep(delay).await;
                    continue;
                }
                Ok(r) if r.status == 409 && reset_type.settles_in() == Some(PowerState::On) => {
                    if self.power_state(system).await? == Some(PowerState::On) {
                        return Ok(sent(Some(409)));
                    }
                    return Err(self.refusal(Method::Post, path, &r));
                }
                // 501: the BMC does not implement it (sushy-tools answers an unknown value so).
                Ok(r) if r.status < 500 || r.status == 501 => {
                    return Err(self.refusal(Method::Post, path, &r));
                }
                Ok(r) => format!("HTTP {}", r.status),
                Err(e) if matches!(e, Error::Timeout { .. } | Error::Unreachable { .. }) => {
                    e.to_string()
                }
                Err(e) => return Err(e),
            };
            // The answer was lost: read the state before anything else.
            let unknown = |message: String| Error::OutcomeUnknown {
                target: self.base.clone(),
                path: path.to_owned(),
                message,
            };
            let state = match self.power_state(system).await {
                Ok(s) => s,
                Err(e) => {
                    return Err(unknown(format!(
                        "{reset_type}: {lost}; PowerState unreadable afterwards: {e}"
                    )));
                }
            };
            let shown = state.as_ref().map_or("absent", PowerState::as_str);
            match reset_type.settles_in() {
                Some(PowerState::On) if state.as_ref().is_some_and(PowerState::is_on_or_rising) => {
                    return Ok(sent(None));
                }
                Some(PowerState::Off)
                    if state.as_ref().is_some_and(PowerState::is_off_or_falling) =>
                {
                    return Ok(sent(None));
                }
                Some(_) if state.is_some() && attempts <= policy.max_retries => {
                    tracing::warn!(bmc = %self.base, system, reset_type = %reset_type, %lost, state = shown, "reset answer lost and not carried out; sending it again");
                }
                Some(_) => {
                    return Err(unknown(format!(
                        "{reset_type}: {lost}; PowerState reads {shown}"
                    )));
                }
                None => {
                    return Err(unknown(format!(
                        "{reset_type}: {lost}; PowerState reads {shown}, which cannot show whether it was carried out, so it was not sent again"
                    )));
                }
            }
        }
    }

    /// Reads `PowerState` every `poll` until `done` holds or `timeout` passes.
    pub(crate) async fn wait_for_state(
        &self,
        system: &str,
        wanted: PowerState,
        timeout: Duration,
        poll: Duration,
    ) -> Result<PowerState> {
        let started = Instant::now();
        loop {
            let state = self.power_state(system).await?;
            if state.as_ref() == Some(&wanted) {
                return Ok(wanted);
            }
            if started.elapsed() >= timeout {
                return Err(Error::StateNotReached {
                    target: self.base.clone(),
                    path: system.to_owned(),
                    wanted: wanted.to_string(),
                    last: state.map_or_else(|| "absent".to_owned(), |s| s.to_string()),
                    after_ms: started.elapsed().as_millis() as u64,
                });
            }
            tokio::time::sleep(poll.min(timeout.saturating_sub(started.elapsed()))).await;
        }
    }

    /// Runs `operation` on `system` (see [`PowerOperation`] for the mapping onto reset
    /// values).
    ///
    /// Fails with [`Error::Unsupported`] when the system has no Reset action or allows
    /// none of the values the operation can use, naming what it does allow.
    pub async fn power_operation(
        &self,
        system: &str,
        operation: PowerOperation,
        options: &OperationOptions,
    ) -> Result<PowerReport> {
        let power = self.system_power(system).await?;
        let Some(action) = power.reset.clone() else {
            return Err(Error::Unsupported {
                target: self.base.clone(),
                path: system.to_owned(),
                message: "the system has no #ComputerSystem.Reset action".into(),
            });
        };
        let mut run = Run {
            client: self,
            system,
            action,
            options,
            sent: Vec::new(),
            after: None,
        };
        let before = power.power_state.clone();
        let is_on = before.as_ref().map(PowerState::counts_as_on);
        let is_off = before.as_ref().map(|s| *s == PowerState::Off);
        match operation {
            PowerOperation::On if before != Some(PowerState::On) => run.on().await?,
            PowerOperation::On => {}
            _ if is_off == Some(true) && operation.stays_off() => {}
            PowerOperation::Off => run.off(false).await?,
            PowerOperation::SoftOff => {
                run.step(
                    operation::GRACEFUL_OFF,
                    operation,
                    Some(PowerState::Off),
                    false,
                )
                .await?
            }
            PowerOperation::ForceOff => {
                run.step(
                    operation::FORCE_OFF,
                    operation,
                    Some(PowerState::Off),
                    false,
                )
                .await?
            }
            PowerOperation::SoftRestart | PowerOperation::HardRestart | PowerOperation::Init
                if is_on == Some(false) =>
            {
                run.on().await?
            }
            PowerOperation::SoftRestart | PowerOperation::HardRestart => {
                let (one_step, soft) = if operation == PowerOperation::SoftRestart {
                    (operation::SOFT_RESTART, true)
                } else {
                    (operation::HARD_RESTART, false)
                };
                if run.action.choose(one_step).is_some() {
                    run.step(one_step, operation, Some(PowerState::On), false)
                        .await?;
                } else {
                    run.off(!soft).await?;
                    run.on().await?;
                }
            }
            PowerOperation::Init => {
                run.off(false).await?;
                run.on().await?;
            }
            PowerOperation::Nmi => run.step(operation::NMI, operation, None, false).await?,
        }
        Ok(PowerReport {
            before,
            sent: run.sent,
            after: run.after,
        })
    }
}

impl PowerOperation {
    /// True for operations with nothing to do on a system that is off.
    fn stays_off(self) -> bool {
        matches!(
            self,
            PowerOperation::Off | PowerOperation::SoftOff | PowerOperation::ForceOff
        )
    }
}

/// One operation in progress on one system.
struct Run<'a> {
    client: &'a RedfishClient,
    system: &'a str,
    action: ResetAction,
    options: &'a OperationOptions,
    sent: Vec<ResetType>,
    after: Option<PowerState>,
}

impl Run<'_> {
    /// Sends the first allowed candidate, then waits for `settle` when asked (`must_wait`)
    /// or when the options say so.
    async fn step(
        &mut self,
        candidates: &[ResetType],
        operation: PowerOperation,
        settle: Option<PowerState>,
        must_wait: bool,
    ) -> Result<()> {
        self.step_with_timeout(
            candidates,
            operation,
            settle,
            must_wait,
            self.options.state_timeout,
        )
        .await
    }

    async fn step_with_timeout(
        &mut self,
        candidates: &[ResetType],
        operation: PowerOperation,
        settle: Option<PowerState>,
        must_wait: bool,
        timeout: Duration,
    ) -> Result<()> {
        let Some(reset_type) = self.action.choose(candidates) else {
            let offered = self.action.allowed.as_deref().unwrap_or_default();
            let offered: Vec<&str> = offered.iter().map(ResetType::as_str).collect();
            let wanted: Vec<&str> = candidates.iter().map(ResetType::as_str).collect();
            return Err(Error::Unsupported {
                target: self.client.base.clone(),
                path: self.action.target.clone(),
                message: format!(
                    "{operation} needs one of [{}]; the BMC allows [{}]",
                    wanted.join(", "),
                    offered.join(", ")
                ),
            });
        };
        self.client
            .reset(self.system, &self.action, &reset_type)
            .await?;
        self.sent.push(reset_type);
        match settle {
            Some(state) if must_wait || self.options.wait => {
                let reached = self
                    .client
                    .wait_for_state(self.system, state, timeout, self.options.poll_interval)
                    .await?;
                self.after = Some(reached);
            }
            _ => self.after = None,
        }
        Ok(())
    }

    async fn on(&mut self) -> Result<()> {
        self.step(
            operation::ON,
            PowerOperation::On,
            Some(PowerState::On),
            false,
        )
        .await
    }

    /// Powers off and waits for `Off`: gracefully first (forced after the graceful
    /// timeout) unless `force`, or when no graceful value is allowed.
    async fn off(&mut self, force: bool) -> Result<()> {
        if !force && self.action.choose(operation::GRACEFUL_OFF).is_some() {
            let graceful = self
                .step_with_timeout(
                    operation::GRACEFUL_OFF,
                    PowerOperation::Off,
                    Some(PowerState::Off),
                    true,
                    self.options.graceful_timeout,
                )
                .await;
            match graceful {
                Ok(()) => return Ok(()),
                Err(Error::StateNotReached { .. }) => {
                    tracing::info!(bmc = %self.client.base, system = self.system, "graceful shutdown did not finish in time; forcing the power off");
                }
                Err(e) => return Err(e),
            }
        }
        self.step(
            operation::FORCE_OFF,
            PowerOperation::ForceOff,
            Some(PowerState::Off),
            true,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redfish_errors_are_read() {
        let body = br#"{"error":{"code":"Base.1.8.GeneralError","message":"A general error has occurred.",
            "@Message.ExtendedInfo":[{"MessageId":"Base.1.8.ActionParameterNotSupported","Message":"The parameter ResetType is not supported."}]}}"#;
        let (id, msg) = redfish_error_message(body);
        assert_eq!(id.as_deref(), Some("Base.1.8.ActionParameterNotSupported"));
        assert_eq!(msg, "The parameter ResetType is not supported.");
        let (id, msg) = redfish_error_message(b"<html>busy</html>");
        assert_eq!(id, None);
        assert_eq!(msg, "<html>busy</html>");
    }
}
