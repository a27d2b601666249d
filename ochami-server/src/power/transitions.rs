//! `/power-control/v1/transitions`: create (run in the background), list, read with tasks,
//! abort. Wire format as PCS: `transitionID`, capitalised `operation`, `transitionStatus`,
//! `taskCounts` with `in-progress` and `un-supported`, tasks with `taskStatus`.

use std::time::Duration;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use ochami_core::{State as HmsState, Xname};
use ochami_redfish::ErrorKind;
use ochami_redfish::power::{
    NodePower, PowerAbort, PowerOperation, PowerOutcome, PowerResult, power_many,
};
use ochami_store::ComponentUpdate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::PowerService;
use crate::AppState;
use crate::problem::{ApiError, ApiPath, NoQuery, parse_json};

/// How long a transition is kept (PCS `expire-time-mins`).
const KEEP: chrono::Duration = chrono::Duration::minutes(1440);

/// A transition's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransitionStatus {
    /// Accepted, not started.
    New,
    /// Running.
    InProgress,
    /// Every task ended.
    Completed,
    /// Ended after an abort.
    Aborted,
    /// Abort asked for; tasks in progress finish.
    AbortSignaled,
}

/// A task's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    /// Not started.
    New,
    /// Running.
    InProgress,
    /// Failed (see `error`).
    Failed,
    /// Done.
    Succeeded,
    /// The BMC cannot do the operation.
    Unsupported,
}

/// One node of a transition.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The node.
    pub xname: String,
    /// Its state.
    pub task_status: TaskStatus,
    /// What happened, in words.
    pub task_status_description: String,
    /// The error, when failed or unsupported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Tasks per state.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaskCounts {
    /// All tasks.
    pub total: usize,
    /// Not started.
    pub new: usize,
    /// Running.
    #[serde(rename = "in-progress")]
    pub in_progress: usize,
    /// Failed.
    pub failed: usize,
    /// Done.
    pub succeeded: usize,
    /// Unsupported.
    #[serde(rename = "un-supported")]
    pub unsupported: usize,
}

/// A transition as PCS shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    /// Its id (a UUID).
    #[serde(rename = "transitionID")]
    pub transition_id: String,
    /// When it was created (RFC 3339).
    pub create_time: String,
    /// When it will be forgotten (RFC 3339).
    pub automatic_expiration_time: String,
    /// The operation, capitalised (`Soft-Restart`).
    pub operation: String,
    /// Its state.
    pub transition_status: TransitionStatus,
    /// Tasks per state.
    pub task_counts: TaskCounts,
    /// The tasks (only on `GET /transitions/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<Vec<Task>>,
}

impl Transition {
    fn count(&mut self) {
        let tasks = self.tasks.as_deref().unwrap_or_default();
        let mut c = TaskCounts {
            total: tasks.len(),
            ..TaskCounts::default()
        };
        for t in tasks {
            match t.task_status {
                TaskStatus::New => c.new += 1,
                TaskStatus::InProgress => c.in_progress += 1,
                TaskStatus::Failed => c.failed += 1,
                TaskStatus::Succeeded => c.succeeded += 1,
                TaskStatus::Unsupported => c.unsupported += 1,
            }
        }
        self.task_counts = c;
    }

    fn done(&self) -> bool {
        matches!(
            self.transition_status,
            TransitionStatus::Completed | TransitionStatus::Aborted
        )
    }
}

/// `On`, `Soft-Restart`, ...: the capitalised name PCS echoes.
fn capitalised(op: PowerOperation) -> String {
    op.as_str()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

const PCS_OPERATIONS: [PowerOperation; 7] = [
    PowerOperation::On,
    PowerOperation::Off,
    PowerOperation::SoftOff,
    PowerOperation::SoftRestart,
    PowerOperation::HardRestart,
    PowerOperation::Init,
    PowerOperation::ForceOff,
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    operation: String,
    #[serde(default)]
    task_deadline_minutes: Option<i64>,
    #[serde(default)]
    location: Vec<Location>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    xname: String,
    #[serde(default)]
    #[allow(dead_code)] // accepted for compatibility; reservations are not taken
    deputy_key: Option<String>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// `POST /transitions`.
pub(super) async fn create(
    State(state): State<AppState>,
    Extension(power): Extension<PowerService>,
    _: NoQuery,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let body: CreateBody = parse_json(&body)?;
    let operation = PowerOperation::parse(&body.operation)
        .filter(|o| PCS_OPERATIONS.contains(o))
        .ok_or_else(|| {
            let names: Vec<&str> = PCS_OPERATIONS.iter().map(|o| o.as_str()).collect();
            ApiError::bad_request(format!(
                "unknown operation {:?}; expected one of {}",
                body.operation,
                names.join(", ")
            ))
        })?;
    if body.location.is_empty() {
        return Err(ApiError::bad_request("location lists no xname"));
    }
    let mut xnames: Vec<Xname> = Vec::with_capacity(body.location.len());
    for l in &body.location {
        let x = crate::problem::xname(&l.xname)?;
        if !xnames.contains(&x) {
            xnames.push(x);
        }
    }
    let now = Utc::now();
    let id = uuid::Uuid::new_v4().to_string();
    let mut transition = Transition {
        transition_id: id.clone(),
        create_time: rfc3339(now),
        automatic_expiration_time: rfc3339(now + KEEP),
        operation: capitalised(operation),
        transition_status: TransitionStatus::New,
        task_counts: TaskCounts::default(),
        tasks: Some(
            xnames
                .iter()
                .map(|x| Task {
                    xname: x.to_string(),
                    task_status: TaskStatus::New,
                    task_status_description: "not started".into(),
                    error: None,
                })
                .collect(),
        ),
    };
    transition.count();
    let abort = PowerAbort::default();
    power.insert(transition, abort.clone());
    let deadline = match body.task_deadline_minutes {
        None => Some(Duration::from_secs(5 * 60)),
        Some(m) if m < 0 => None,
        Some(m) => Some(Duration::from_secs(m.unsigned_abs() * 60)),
    };
    tokio::spawn(run(
        state,
        power,
        id.clone(),
        operation,
        xnames,
        deadline,
        abort,
    ));
    let mut resp = (
        StatusCode::OK,
        Json(json!({"transitionID": id, "operation": capitalised(operation)})),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("../transitions/{id}")) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

impl PowerService {
    fn insert(&self, transition: Transition, abort: PowerAbort) {
        let id = transition.transition_id.clone();
        if let Ok(mut all) = self.0.transitions.lock() {
            // Forget expired transitions.
            let now = rfc3339(Utc::now());
            all.retain(|_, t| t.automatic_expiration_time > now);
            all.insert(id.clone(), transition);
        }
        if let Ok(mut a) = self.0.aborts.lock() {
            a.insert(id, abort);
        }
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut Transition)) {
        if let Ok(mut all) = self.0.transitions.lock()
            && let Some(t) = all.get_mut(id)
        {
            f(t);
            t.count();
        }
    }

    fn set_task(
        &self,
        id: &str,
        xname: &str,
        status: TaskStatus,
        description: String,
        error: Option<String>,
    ) {
        self.update(id, |t| {
            if let Some(task) = t
                .tasks
                .as_mut()
                .and_then(|ts| ts.iter_mut().find(|k| k.xname == xname))
            {
                task.task_status = status;
                task.task_status_description = description;
                task.error = error;
            }
        });
    }
}

/// Runs a transition: resolves the nodes, drives their BMCs, records each task as it ends,
/// and makes the components' `State` follow.
async fn run(
    state: AppState,
    power: PowerService,
    id: String,
    operation: PowerOperation,
    xnames: Vec<Xname>,
    deadline: Option<Duration>,
    abort: PowerAbort,
) {
    power.update(&id, |t| t.transition_status = TransitionStatus::InProgress);
    let config = &power.0.config;
    let mut targets = Vec::new();
    for x in &xnames {
        match super::targets::resolve(state.store(), &config.scheme, x).await {
            Ok(Ok(t)) => {
                power.set_task(
                    &id,
                    &t.id,
                    TaskStatus::InProgress,
                    "in progress".into(),
                    None,
                );
                targets.push(t);
            }
            Ok(Err(why)) => power.set_task(
                &id,
                &x.to_string(),
                TaskStatus::Failed,
                why.clone(),
                Some(why),
            ),
            Err(e) => {
                let why = format!("cannot read the inventory: {e}");
                power.set_task(
                    &id,
                    &x.to_string(),
                    TaskStatus::Failed,
                    why.clone(),
                    Some(why),
                );
            }
        }
    }
    let transport = match power.transport() {
        Ok(t) => t,
        Err(e) => {
            for t in &targets {
                power.set_task(
                    &id,
                    &t.id,
                    TaskStatus::Failed,
                    e.to_string(),
                    Some(e.to_string()),
                );
            }
            power.update(&id, |t| t.transition_status = TransitionStatus::Completed);
            return;
        }
    };
    let mut options = config.options.clone();
    options.abort = abort.clone();
    match deadline {
        Some(d) if d.is_zero() => options.operation.wait = false,
        Some(d) => options.node_deadline = d,
        None => options.node_deadline = Duration::from_secs(365 * 24 * 3600),
    }
    let recorder = power.clone();
    let rid = id.clone();
    let outcomes = power_many(transport, targets, operation, &options, move |o| {
        let (status, description, error) = task_result(operation, o);
        recorder.set_task(&rid, &o.id, status, description, error);
    })
    .await;
    // The components' State follows the power state the operation ends in.
    let ends = match operation {
        PowerOperation::Off | PowerOperation::SoftOff | PowerOperation::ForceOff => {
            Some(HmsState::Off)
        }
        PowerOperation::Nmi => None,
        _ => Some(HmsState::On),
    };
    if let Some(hms) = ends {
        for o in outcomes.iter().filter(|o| o.value().is_some()) {
            let Ok(x) = o.id.parse::<Xname>() else {
                continue;
            };
            let update = ComponentUpdate::State {
                state: hms,
                flag: None,
                force: true,
            };
            if let Err(e) = state.store().update_components(&[x], &update).await {
                tracing::warn!(xname = %x, error = %e, "power transition done; component State not updated");
            }
        }
    }
    let aborted = abort.is_aborted();
    power.update(&id, |t| {
        t.transition_status = if aborted {
            TransitionStatus::Aborted
        } else {
            TransitionStatus::Completed
        }
    });
    tracing::info!(transition = %id, operation = %operation, nodes = outcomes.len(), aborted, "power transition ended");
}

fn task_result(
    operation: PowerOperation,
    o: &PowerOutcome<NodePower>,
) -> (TaskStatus, String, Option<String>) {
    match &o.result {
        PowerResult::Done { value } => {
            let sent: Vec<&str> = value.report.sent.iter().map(|r| r.as_str()).collect();
            let description = if sent.is_empty() {
                format!(
                    "{} not needed: already {}",
                    capitalised(operation),
                    value
                        .report
                        .before
                        .as_ref()
                        .map_or("in that state", |s| s.as_str())
                )
            } else {
                format!("{} done: sent {}", capitalised(operation), sent.join(", "))
            };
            (TaskStatus::Succeeded, description, None)
        }
        PowerResult::Failed { error } if error.kind == ErrorKind::Unsupported => (
            TaskStatus::Unsupported,
            "the BMC does not support this operation".into(),
            Some(error.message.clone()),
        ),
        PowerResult::Failed { error } => (
            TaskStatus::Failed,
            format!("failed: {}", error.kind),
            Some(error.message.clone()),
        ),
        PowerResult::Aborted => (
            TaskStatus::Failed,
            "aborted before it started".into(),
            Some("transition aborted".into()),
        ),
    }
}

/// `GET /transitions`: every transition, without tasks.
pub(super) async fn list(
    Extension(power): Extension<PowerService>,
    _: NoQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let all: Vec<Transition> = power
        .0
        .transitions
        .lock()
        .map(|m| {
            m.values()
                .map(|t| Transition {
                    tasks: None,
                    ..t.clone()
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(json!({ "transitions": all })))
}

fn find(power: &PowerService, id: &str) -> Result<Transition, ApiError> {
    power
        .0
        .transitions
        .lock()
        .ok()
        .and_then(|m| m.get(id).cloned())
        .ok_or_else(|| ApiError::not_found(format!("no transition {id}")))
}

/// `GET /transitions/{id}`: one transition with its tasks.
pub(super) async fn get_one(
    Extension(power): Extension<PowerService>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Transition>, ApiError> {
    Ok(Json(find(&power, &id)?))
}

/// `DELETE /transitions/{id}`: abort; 400 when already ended.
pub(super) async fn abort(
    Extension(power): Extension<PowerService>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Response, ApiError> {
    let t = find(&power, &id)?;
    if t.done() {
        return Err(ApiError::bad_request(format!(
            "transition {id} is already {}",
            if t.transition_status == TransitionStatus::Aborted {
                "aborted"
            } else {
                "completed"
            }
        )));
    }
    if let Some(a) = power.0.aborts.lock().ok().and_then(|a| a.get(&id).cloned()) {
        a.abort();
    }
    power.update(&id, |t| {
        if !t.done() {
            t.transition_status = TransitionStatus::AbortSignaled;
        }
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"abortStatus": "Accepted - abort initiated"})),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_capitalised_as_pcs_echoes_them() {
        let names: Vec<String> = PCS_OPERATIONS.iter().map(|o| capitalised(*o)).collect();
        assert_eq!(
            names,
            [
                "On",
                "Off",
                "Soft-Off",
                "Soft-Restart",
                "Hard-Restart",
                "Init",
                "Force-Off"
            ]
        );
    }
}
