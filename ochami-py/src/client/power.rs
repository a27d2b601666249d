//! `Client.power` and `Client.power_status` over the server's PCS routes
//! (`/power-control/v1`): a transition is created, then polled until it ends, each task
//! reported once as it finishes; status is read from `power-status`. The server reads the
//! BMCs with the credentials it stores, which never come back.

use std::time::Duration;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::mpsc::UnboundedSender;

use super::http::{Failure, Remote};
use crate::convert::json_of;

const PCS: &str = "/power-control/v1";

#[derive(Deserialize)]
struct Created {
    #[serde(rename = "transitionID")]
    transition_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransitionView {
    transition_status: String,
    #[serde(default)]
    tasks: Option<Vec<TaskView>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaskView {
    xname: String,
    task_status: String,
    #[serde(default)]
    task_status_description: String,
    #[serde(default)]
    error: Option<String>,
}

/// One row of `Client.power`.
#[derive(Serialize)]
struct TaskRow<'a> {
    id: &'a str,
    /// `done`, `failed`, or `aborted` (not run: the transition was aborted first).
    result: &'static str,
    /// PCS's task status (`succeeded`, `failed`, `unsupported`, ...).
    status: &'a str,
    description: &'a str,
    error: Option<&'a str>,
}

fn finished(status: &str) -> bool {
    matches!(status, "succeeded" | "failed" | "unsupported")
}

fn task_row(t: &TaskView) -> Option<String> {
    let result = match t.task_status.as_str() {
        "succeeded" => "done",
        "failed" | "unsupported" => "failed",
        _ => "aborted",
    };
    json_of(&TaskRow {
        id: &t.xname,
        result,
        status: &t.task_status,
        description: &t.task_status_description,
        error: t.error.as_deref().filter(|e| !e.is_empty()),
    })
    .ok()
}

fn unexpected(url: String, e: serde_json::Error) -> Failure {
    Failure::Transport {
        url,
        reason: format!("unexpected answer: {e}"),
    }
}

/// Creates a transition of `operation` over `xnames` and follows it to its end, sending
/// each task's row on `progress` as it finishes; the rows in `xnames` order.
pub(crate) async fn transition(
    remote: &Remote,
    xnames: Vec<String>,
    operation: &str,
    poll: Duration,
    limit: Duration,
    progress: UnboundedSender<String>,
) -> Result<Vec<String>, Failure> {
    let url = format!("{}{PCS}/transitions", remote.base());
    let body = json!({
        "operation": operation,
        "location": xnames.iter().map(|x| json!({ "xname": x })).collect::<Vec<_>>(),
    });
    let text = remote
        .send(
            Method::POST,
            &format!("{PCS}/transitions"),
            &[],
            Some(&body),
        )
        .await?
        .unwrap_or_default();
    let created: Created = serde_json::from_str(&text).map_err(|e| unexpected(url.clone(), e))?;
    let path = format!("{PCS}/transitions/{}", created.transition_id);
    let mut reported: Vec<String> = Vec::new();
    let follow = async {
        loop {
            let text = remote
                .send(Method::GET, &path, &[], None)
                .await?
                .unwrap_or_default();
            let view: TransitionView =
                serde_json::from_str(&text).map_err(|e| unexpected(url.clone(), e))?;
            let tasks = view.tasks.unwrap_or_default();
            for t in &tasks {
                if finished(&t.task_status) && !reported.contains(&t.xname) {
                    reported.push(t.xname.clone());
                    if let Some(row) = task_row(t) {
                        let _ = progress.send(row);
                    }
                }
            }
            if matches!(view.transition_status.as_str(), "completed" | "aborted") {
                return Ok::<_, Failure>(tasks);
            }
            tokio::time::sleep(poll).await;
        }
    };
    let tasks = tokio::time::timeout(limit, follow)
        .await
        .map_err(|_| Failure::Transport {
            url: format!("{}{path}", remote.base()),
            reason: format!(
                "the transition did not end within {} s (it goes on on the server)",
                limit.as_secs_f64()
            ),
        })??;
    let rows = xnames
        .iter()
        .filter_map(|x| tasks.iter().find(|t| &t.xname == x).and_then(task_row))
        .collect();
    Ok(rows)
}

#[derive(Deserialize)]
struct StatusList {
    status: Vec<StatusView>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusView {
    xname: String,
    #[serde(default)]
    power_state: Option<String>,
    #[serde(default)]
    management_state: Option<String>,
    #[serde(default)]
    error: String,
    #[serde(default)]
    supported_power_transitions: Option<Vec<String>>,
}

/// One row of `Client.power_status`.
#[derive(Serialize)]
struct StatusRow<'a> {
    id: &'a str,
    power_state: Option<&'a str>,
    management_state: Option<&'a str>,
    transitions: Option<&'a [String]>,
    error: Option<&'a str>,
}

/// PCS's power status of `xnames`, one row each.
pub(crate) async fn status(remote: &Remote, xnames: Vec<String>) -> Result<Vec<String>, Failure> {
    let query: Vec<(String, String)> = xnames.into_iter().map(|x| ("xname".into(), x)).collect();
    let path = format!("{PCS}/power-status");
    let text = remote
        .send(Method::GET, &path, &query, None)
        .await?
        .unwrap_or_default();
    let list: StatusList = serde_json::from_str(&text)
        .map_err(|e| unexpected(format!("{}{path}", remote.base()), e))?;
    Ok(list
        .status
        .iter()
        .filter_map(|s| {
            json_of(&StatusRow {
                id: &s.xname,
                power_state: s.power_state.as_deref(),
                management_state: s.management_state.as_deref(),
                transitions: s.supported_power_transitions.as_deref(),
                error: Some(s.error.as_str()).filter(|e| !e.is_empty()),
            })
            .ok()
        })
        .collect())
}
