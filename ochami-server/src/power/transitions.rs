//! `/power-control/v1/transitions`: create (run in the background), list, read with tasks,
//! abort. Wire format as PCS: `transitionID`, capitalised `operation`, `transitionStatus`,
//! `taskCounts` with `in-progress` and `un-supported`, tasks with `taskStatus`.
//!
//! Every transition lives in the store ([`ochami_store::PowerStore`]): it is written when
//! accepted, its tasks as they end (batched by a writer task, so a thousand nodes are not a
//! thousand transactions), and its heartbeat while it runs. Reads come from the store, so
//! any server on the same database answers for any transition, and an abort asked of one
//! server reaches the server running it at its next heartbeat. A transition whose server
//! died is ended on the next read once its heartbeat is older than
//! [`PowerConfig::lease`](super::PowerConfig::lease): its unfinished tasks fail with
//! [`ABANDONED`].

use std::time::Duration;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use ochami_core::Xname;
use ochami_redfish::ErrorKind;
use ochami_redfish::power::{
    NodePower, PowerAbort, PowerOperation, PowerOutcome, PowerResult, power_many,
};
use ochami_store::ComponentUpdate;
use ochami_store::power::{PowerTask, PowerTransition};
pub use ochami_store::power::{TaskStatus, TransitionStatus};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::mpsc;

use super::PowerService;
use crate::AppState;
use crate::problem::{ApiError, ApiPath, NoQuery, parse_json};

/// How long a transition is kept (PCS `expire-time-mins`).
const KEEP: chrono::Duration = chrono::Duration::minutes(1440);

/// The reason a task of an abandoned transition fails with.
pub const ABANDONED: &str = "server restarted during the transition";

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
    /// The wire view of a stored transition; `tasks` only when asked for.
    fn from_stored(t: PowerTransition, with_tasks: bool) -> Self {
        let mut c = TaskCounts {
            total: t.tasks.len(),
            ..TaskCounts::default()
        };
        for k in &t.tasks {
            match k.status {
                TaskStatus::New => c.new += 1,
                TaskStatus::InProgress => c.in_progress += 1,
                TaskStatus::Failed => c.failed += 1,
                TaskStatus::Succeeded => c.succeeded += 1,
                TaskStatus::Unsupported => c.unsupported += 1,
            }
        }
        Transition {
            transition_id: t.id,
            create_time: t.create_time,
            automatic_expiration_time: t.expire_time,
            operation: t.operation,
            transition_status: t.status,
            task_counts: c,
            tasks: with_tasks.then(|| {
                t.tasks
                    .into_iter()
                    .map(|k| Task {
                        xname: k.xname,
                        task_status: k.status,
                        task_status_description: k.description,
                        error: k.error,
                    })
                    .collect()
            }),
        }
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
    location: Vec<super::targets::Location>,
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
    let xnames = super::targets::distinct_xnames(&body.location)?;
    let now = Utc::now();
    let id = uuid::Uuid::new_v4().to_string();
    let transition = PowerTransition {
        id: id.clone(),
        operation: capitalised(operation),
        status: TransitionStatus::New,
        create_time: rfc3339(now),
        expire_time: rfc3339(now + KEEP),
        tasks: xnames
            .iter()
            .map(|x| PowerTask {
                xname: x.to_string(),
                status: TaskStatus::New,
                description: "not started".into(),
                error: None,
            })
            .collect(),
    };
    state.store().insert_power_transition(&transition).await?;
    let abort = PowerAbort::default();
    power.track(&id, abort.clone());
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
    /// Remember the abort handle of a transition this process runs.
    fn track(&self, id: &str, abort: PowerAbort) {
        if let Ok(mut a) = self.0.aborts.lock() {
            a.insert(id.to_owned(), abort);
        }
    }

    fn untrack(&self, id: &str) {
        if let Ok(mut a) = self.0.aborts.lock() {
            a.remove(id);
        }
    }

    /// The abort handle of a transition this process runs.
    fn local_abort(&self, id: &str) -> Option<PowerAbort> {
        self.0.aborts.lock().ok().and_then(|a| a.get(id).cloned())
    }
}

/// Records task changes of transition `id` in the store: whatever arrived while the last
/// write ran goes in the next one, and every `heartbeat` an empty write refreshes the
/// heartbeat. A status of `abort-signaled` seen in the store raises `abort` (an abort asked
/// of another server). Ends when every sender is gone and the last changes are written.
async fn record_tasks(
    state: AppState,
    id: String,
    mut changes: mpsc::UnboundedReceiver<PowerTask>,
    heartbeat: Duration,
    abort: PowerAbort,
) {
    let mut tick = tokio::time::interval(heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        let mut batch = Vec::new();
        tokio::select! {
            got = changes.recv() => match got {
                Some(task) => batch.push(task),
                None => break,
            },
            _ = tick.tick() => {}
        }
        while let Ok(task) = changes.try_recv() {
            batch.push(task);
        }
        match state
            .store()
            .update_power_transition(&id, None, &batch)
            .await
        {
            Ok(TransitionStatus::AbortSignaled) => abort.abort(),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(transition = %id, tasks = batch.len(), error = %e, "cannot record power tasks")
            }
        }
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
    let config = &power.0.config;
    let (changes, received) = mpsc::unbounded_channel::<PowerTask>();
    let recorder = tokio::spawn(record_tasks(
        state.clone(),
        id.clone(),
        received,
        (config.lease / 3).max(Duration::from_millis(10)),
        abort.clone(),
    ));
    let task =
        |xname: String, status: TaskStatus, description: String, error: Option<String>| PowerTask {
            xname,
            status,
            description,
            error,
        };
    let mut targets = Vec::new();
    let mut resolved = Vec::new();
    for x in &xnames {
        match super::targets::resolve(state.store(), &config.scheme, x).await {
            Ok(Ok(t)) => {
                resolved.push(task(
                    t.id.clone(),
                    TaskStatus::InProgress,
                    "in progress".into(),
                    None,
                ));
                targets.push(t);
            }
            Ok(Err(why)) => resolved.push(task(
                x.to_string(),
                TaskStatus::Failed,
                why.clone(),
                Some(why),
            )),
            Err(e) => {
                let why = format!("cannot read the inventory: {e}");
                resolved.push(task(
                    x.to_string(),
                    TaskStatus::Failed,
                    why.clone(),
                    Some(why),
                ));
            }
        }
    }
    if let Err(e) = state
        .store()
        .update_power_transition(&id, Some(TransitionStatus::InProgress), &resolved)
        .await
    {
        tracing::warn!(transition = %id, error = %e, "cannot record a power transition's start");
    }
    let outcomes = match power.transport() {
        Ok(transport) => {
            let mut options = config.options.clone();
            options.abort = abort.clone();
            match deadline {
                Some(d) if d.is_zero() => options.operation.wait = false,
                Some(d) => options.node_deadline = d,
                None => options.node_deadline = Duration::from_secs(365 * 24 * 3600),
            }
            let sender = changes.clone();
            power_many(transport, targets, operation, &options, move |o| {
                let (status, description, error) = task_result(operation, o);
                let _ = sender.send(task(o.id.clone(), status, description, error));
            })
            .await
        }
        Err(e) => {
            for t in &targets {
                let _ = changes.send(task(
                    t.id.clone(),
                    TaskStatus::Failed,
                    e.to_string(),
                    Some(e.to_string()),
                ));
            }
            Vec::new()
        }
    };
    drop(changes);
    if let Err(e) = recorder.await {
        tracing::warn!(transition = %id, error = %e, "the power task recorder stopped");
    }
    // The components' State follows the power state the operation ends in.
    if let Some(hms) = operation.resulting_state() {
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
    let end = if aborted {
        TransitionStatus::Aborted
    } else {
        TransitionStatus::Completed
    };
    if let Err(e) = state
        .store()
        .update_power_transition(&id, Some(end), &[])
        .await
    {
        tracing::warn!(transition = %id, error = %e, "cannot record a power transition's end");
    }
    power.untrack(&id);
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

/// End the transitions whose server stopped (see the module docs).
async fn end_abandoned(state: &AppState, power: &PowerService) -> Result<(), ApiError> {
    let ended = state
        .store()
        .end_abandoned_power_transitions(power.0.config.lease, ABANDONED)
        .await?;
    for id in ended {
        tracing::warn!(transition = %id, "power transition abandoned by its server: unfinished tasks marked failed");
    }
    Ok(())
}

/// `GET /transitions`: every transition, without tasks.
pub(super) async fn list(
    State(state): State<AppState>,
    Extension(power): Extension<PowerService>,
    _: NoQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    end_abandoned(&state, &power).await?;
    let all: Vec<Transition> = state
        .store()
        .list_power_transitions()
        .await?
        .into_iter()
        .map(|t| Transition::from_stored(t, false))
        .collect();
    Ok(Json(json!({ "transitions": all })))
}

async fn find(state: &AppState, power: &PowerService, id: &str) -> Result<Transition, ApiError> {
    end_abandoned(state, power).await?;
    let t = state
        .store()
        .get_power_transition(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no transition {id}")))?;
    Ok(Transition::from_stored(t, true))
}

/// `GET /transitions/{id}`: one transition with its tasks.
pub(super) async fn get_one(
    State(state): State<AppState>,
    Extension(power): Extension<PowerService>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Json<Transition>, ApiError> {
    Ok(Json(find(&state, &power, &id).await?))
}

/// `DELETE /transitions/{id}`: abort; 400 when already ended. The server running it stops
/// starting new tasks at once when it is this one, else at its next heartbeat.
pub(super) async fn abort(
    State(state): State<AppState>,
    Extension(power): Extension<PowerService>,
    ApiPath(id): ApiPath<String>,
    _: NoQuery,
) -> Result<Response, ApiError> {
    end_abandoned(&state, &power).await?;
    let before = state
        .store()
        .signal_power_abort(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no transition {id}")))?;
    if before.is_finished() {
        return Err(ApiError::bad_request(format!(
            "transition {id} is already {}",
            if before == TransitionStatus::Aborted {
                "aborted"
            } else {
                "completed"
            }
        )));
    }
    if let Some(a) = power.local_abort(&id) {
        a.abort();
    }
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
