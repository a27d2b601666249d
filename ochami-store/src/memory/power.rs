//! [`PowerStore`] in memory: transitions by id with their heartbeat, behind their own lock
//! (they never take part in a write of the other tables).

use std::collections::BTreeMap;
use std::sync::PoisonError;
use std::time::Duration;

use async_trait::async_trait;

use super::MemoryStore;
use crate::power::{
    PowerStore, PowerTask, PowerTransition, TransitionStatus, abandon, now_millis, stale_before,
};
use crate::{ConflictKind, Record, Result, StoreError};

/// A stored transition and its heartbeat (milliseconds since the epoch).
#[derive(Debug, Default)]
pub(super) struct PowerTable(BTreeMap<String, (PowerTransition, i64)>);

impl MemoryStore {
    fn power<T>(&self, f: impl FnOnce(&mut PowerTable) -> T) -> T {
        let mut guard = self.power.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }
}

#[async_trait]
impl PowerStore for MemoryStore {
    async fn insert_power_transition(&self, transition: &PowerTransition) -> Result<()> {
        self.power(|p| {
            if p.0.contains_key(&transition.id) {
                return Err(StoreError::Conflict {
                    kind: ConflictKind::Id,
                    value: transition.id.clone(),
                    detail: "a transition with this id exists".into(),
                });
            }
            p.0.retain(|_, (t, _)| t.expire_time >= transition.create_time);
            p.0.insert(transition.id.clone(), (transition.clone(), now_millis()));
            Ok(())
        })
    }

    async fn get_power_transition(&self, id: &str) -> Result<Option<PowerTransition>> {
        Ok(self.power(|p| p.0.get(id).map(|(t, _)| t.clone())))
    }

    async fn list_power_transitions(&self) -> Result<Vec<PowerTransition>> {
        let mut all: Vec<PowerTransition> =
            self.power(|p| p.0.values().map(|(t, _)| t.clone()).collect());
        all.sort_by(|a, b| (&a.create_time, &a.id).cmp(&(&b.create_time, &b.id)));
        Ok(all)
    }

    async fn update_power_transition(
        &self,
        id: &str,
        status: Option<TransitionStatus>,
        tasks: &[PowerTask],
    ) -> Result<TransitionStatus> {
        self.power(|p| {
            let Some((t, heartbeat)) = p.0.get_mut(id) else {
                return Err(StoreError::not_found(Record::PowerTransition, id));
            };
            if t.status.is_finished() {
                return Ok(t.status);
            }
            for new in tasks {
                if let Some(old) = t.tasks.iter_mut().find(|k| k.xname == new.xname) {
                    *old = new.clone();
                }
            }
            // An abort signaled meanwhile is kept until the transition ends.
            match status {
                Some(s) if t.status == TransitionStatus::AbortSignaled && !s.is_finished() => {}
                Some(s) => t.status = s,
                None => {}
            }
            *heartbeat = now_millis();
            Ok(t.status)
        })
    }

    async fn signal_power_abort(&self, id: &str) -> Result<Option<TransitionStatus>> {
        Ok(self.power(|p| {
            p.0.get_mut(id).map(|(t, _)| {
                let before = t.status;
                if !before.is_finished() {
                    t.status = TransitionStatus::AbortSignaled;
                }
                before
            })
        }))
    }

    async fn end_abandoned_power_transitions(
        &self,
        lease: Duration,
        reason: &str,
    ) -> Result<Vec<String>> {
        let cutoff = stale_before(lease);
        Ok(self.power(|p| {
            let mut ended = Vec::new();
            for (id, (t, heartbeat)) in &mut p.0 {
                if !t.status.is_finished() && *heartbeat < cutoff {
                    abandon(t, reason);
                    ended.push(id.clone());
                }
            }
            ended
        }))
    }
}
