//! Power transitions kept in the store: PCS's `/power-control/v1/transitions` with their
//! per-xname tasks, so that a transition outlives the server process that ran it.
//!
//! A server writes a transition when it accepts it, then its tasks and its status as they
//! change, and refreshes its *heartbeat* while it runs. A transition that is still unfinished
//! but whose heartbeat stopped (its server died or restarted) is ended by
//! [`PowerStore::end_abandoned_power_transitions`]: its unfinished tasks are marked failed
//! with the reason given, so it is reported, never lost. On memory the transitions live as
//! long as the store; on SQLite and Postgres they survive a restart (tables
//! `power_transitions` and `power_tasks`, migration 3), and every server sharing one
//! Postgres database sees every transition.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::Result;

/// A transition's state (PCS `transitionStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl TransitionStatus {
    /// Every status, in PCS's order.
    pub const ALL: [TransitionStatus; 5] = [
        TransitionStatus::New,
        TransitionStatus::InProgress,
        TransitionStatus::Completed,
        TransitionStatus::Aborted,
        TransitionStatus::AbortSignaled,
    ];

    /// The wire name (`in-progress`, `abort-signaled`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TransitionStatus::New => "new",
            TransitionStatus::InProgress => "in-progress",
            TransitionStatus::Completed => "completed",
            TransitionStatus::Aborted => "aborted",
            TransitionStatus::AbortSignaled => "abort-signaled",
        }
    }

    /// The status named `s` (its wire name), if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Completed or aborted: nothing runs any more.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            TransitionStatus::Completed | TransitionStatus::Aborted
        )
    }
}

/// A task's state (PCS `taskStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    /// Not started.
    New,
    /// Running.
    InProgress,
    /// Failed (see the task's error).
    Failed,
    /// Done.
    Succeeded,
    /// The BMC cannot do the operation.
    Unsupported,
}

impl TaskStatus {
    /// Every status, in PCS's order.
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::New,
        TaskStatus::InProgress,
        TaskStatus::Failed,
        TaskStatus::Succeeded,
        TaskStatus::Unsupported,
    ];

    /// The wire name (`in-progress`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::New => "new",
            TaskStatus::InProgress => "in-progress",
            TaskStatus::Failed => "failed",
            TaskStatus::Succeeded => "succeeded",
            TaskStatus::Unsupported => "unsupported",
        }
    }

    /// The status named `s` (its wire name), if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// New or in progress: the task has not ended.
    pub fn is_unfinished(self) -> bool {
        matches!(self, TaskStatus::New | TaskStatus::InProgress)
    }
}

/// One node of a stored transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PowerTask {
    /// The node's xname.
    pub xname: String,
    /// Its state.
    pub status: TaskStatus,
    /// What happened, in words.
    pub description: String,
    /// The error, when failed or unsupported.
    pub error: Option<String>,
}

/// A stored power transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PowerTransition {
    /// Its id (a UUID).
    pub id: String,
    /// The operation as PCS echoes it (`Soft-Restart`).
    pub operation: String,
    /// Its state.
    pub status: TransitionStatus,
    /// When it was created (RFC 3339).
    pub create_time: String,
    /// When it may be forgotten (RFC 3339, same format as `create_time`).
    pub expire_time: String,
    /// The tasks, in the order the transition named the nodes.
    pub tasks: Vec<PowerTask>,
}

/// Storage of power transitions (see the [module docs](self)).
#[async_trait]
pub trait PowerStore: Send + Sync {
    /// Store a new transition with its tasks, its heartbeat set to now, and forget the
    /// transitions whose `expire_time` is before its `create_time`. An existing id is a
    /// conflict.
    async fn insert_power_transition(&self, transition: &PowerTransition) -> Result<()>;

    /// One transition with its tasks.
    async fn get_power_transition(&self, id: &str) -> Result<Option<PowerTransition>>;

    /// Every transition with its tasks, oldest first.
    async fn list_power_transitions(&self) -> Result<Vec<PowerTransition>>;

    /// Record changed tasks (matched by xname; other tasks keep theirs) and, when given, a
    /// new status, and refresh the heartbeat, in one transaction. A transition already
    /// finished is left as it is; an abort signaled meanwhile stays signaled until the
    /// transition ends. The status the transition has afterwards (so a server running it
    /// learns of an abort asked for through another server); NotFound when absent.
    async fn update_power_transition(
        &self,
        id: &str,
        status: Option<TransitionStatus>,
        tasks: &[PowerTask],
    ) -> Result<TransitionStatus>;

    /// Ask to abort: an unfinished transition becomes `abort-signaled`. The status found
    /// before (a finished one is left unchanged), or None when absent.
    async fn signal_power_abort(&self, id: &str) -> Result<Option<TransitionStatus>>;

    /// End every unfinished transition whose heartbeat is older than `lease`: its new and
    /// in-progress tasks become failed with `reason` as description and error, and it
    /// becomes completed (aborted when an abort was signaled). The ids ended.
    async fn end_abandoned_power_transitions(
        &self,
        lease: std::time::Duration,
        reason: &str,
    ) -> Result<Vec<String>>;
}

/// Now in milliseconds since the Unix epoch (the heartbeat clock).
#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
pub(crate) fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The heartbeat before which a transition counts as abandoned.
#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
pub(crate) fn stale_before(lease: std::time::Duration) -> i64 {
    now_millis().saturating_sub(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX))
}

/// Apply the abandonment rule to `t` (its tasks and status); the tasks it changed.
#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
pub(crate) fn abandon(t: &mut PowerTransition, reason: &str) -> Vec<PowerTask> {
    let mut changed = Vec::new();
    for task in t.tasks.iter_mut().filter(|k| k.status.is_unfinished()) {
        task.status = TaskStatus::Failed;
        task.description = reason.to_owned();
        task.error = Some(reason.to_owned());
        changed.push(task.clone());
    }
    t.status = if t.status == TransitionStatus::AbortSignaled {
        TransitionStatus::Aborted
    } else {
        TransitionStatus::Completed
    };
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_their_wire_names() {
        for s in TransitionStatus::ALL {
            assert_eq!(TransitionStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        assert_eq!(TransitionStatus::parse("done"), None);
    }
}
