//! [`PowerStore`] on SQL: `power_transitions` (one row per transition, with its heartbeat)
//! and `power_tasks` (one row per node, in the order the transition named them).

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;

use super::driver::{Backend, ColType, Conn, SqlRow, Val};
use super::rows::{corrupt, req_text, to_json};
use super::{SqlStore, write_tx};
use crate::power::{
    PowerStore, PowerTask, PowerTransition, TaskStatus, TransitionStatus, abandon, now_millis,
    stale_before,
};
use crate::{ConflictKind, Record, Result, StoreError};

const TRANSITION_COLS: &str =
    "SELECT id, operation, status, create_time, expire_time FROM power_transitions";
const TASK_COLS: &str = "SELECT transition_id, xname, status, description, error FROM power_tasks";

fn transition(r: &impl SqlRow) -> Result<PowerTransition> {
    let status = req_text(r, 2, "power transition status")?;
    Ok(PowerTransition {
        id: req_text(r, 0, "power transition id")?,
        operation: req_text(r, 1, "power transition operation")?,
        status: TransitionStatus::parse(&status).ok_or_else(|| {
            corrupt(
                "power transition status",
                format!("unknown status {status:?}"),
            )
        })?,
        create_time: req_text(r, 3, "power transition create_time")?,
        expire_time: req_text(r, 4, "power transition expire_time")?,
        tasks: Vec::new(),
    })
}

fn task(r: &impl SqlRow) -> Result<(String, PowerTask)> {
    let status = req_text(r, 2, "power task status")?;
    Ok((
        req_text(r, 0, "power task transition")?,
        PowerTask {
            xname: req_text(r, 1, "power task xname")?,
            status: TaskStatus::parse(&status).ok_or_else(|| {
                corrupt("power task status", format!("unknown status {status:?}"))
            })?,
            description: r.text(3)?.unwrap_or_default(),
            error: r.text(4)?,
        },
    ))
}

impl<B: Backend> SqlStore<B> {
    /// Every transition, or the one with id `by_id`, with its tasks.
    async fn read_transitions<C: Conn>(
        &self,
        tx: &mut C,
        by_id: Option<&str>,
        for_update: bool,
    ) -> Result<Vec<PowerTransition>> {
        let mut sql = self.sql(TRANSITION_COLS, vec![]);
        if let Some(id) = by_id {
            sql.push(" WHERE id = ").bind(id);
        }
        sql.push(" ORDER BY create_time, id");
        if for_update {
            sql.for_update();
        }
        let mut out: Vec<PowerTransition> = tx
            .fetch(sql)
            .await?
            .iter()
            .map(transition)
            .collect::<Result<_>>()?;
        if out.is_empty() {
            return Ok(out);
        }
        let mut sql = self.sql(TASK_COLS, vec![]);
        if let Some(id) = by_id {
            sql.push(" WHERE transition_id = ").bind(id);
        }
        sql.push(" ORDER BY transition_id, position");
        let at: HashMap<String, usize> = out
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        for r in &tx.fetch(sql).await? {
            let (id, task) = task(r)?;
            if let Some(&i) = at.get(&id) {
                out[i].tasks.push(task);
            }
        }
        Ok(out)
    }

    /// Write `tasks` of transition `id` (matched by xname) and its status and heartbeat.
    async fn write_power_tasks<C: Conn>(
        &self,
        tx: &mut C,
        id: &str,
        status: TransitionStatus,
        tasks: &[PowerTask],
    ) -> Result<()> {
        tx.execute(self.sql(
            "UPDATE power_transitions SET status = $1, heartbeat = $2 WHERE id = $3",
            vec![status.as_str().into(), now_millis().into(), id.into()],
        ))
        .await?;
        if tasks.is_empty() {
            return Ok(());
        }
        let rows: Vec<serde_json::Value> = tasks
            .iter()
            .map(|k| serde_json::json!([k.xname, k.status.as_str(), k.description, k.error]))
            .collect();
        let mut sql = self.sql(
            "UPDATE power_tasks SET status = s.c1, description = s.c2, error = s.c3 FROM (",
            vec![],
        );
        use ColType::Text;
        sql.rows_source(&[Text, Text, Text, Text], to_json(&rows)?);
        sql.push(") AS s WHERE power_tasks.transition_id = ")
            .bind(id)
            .push(" AND power_tasks.xname = s.c0");
        tx.execute(sql).await.map(|_| ())
    }
}

#[async_trait]
impl<B: Backend> PowerStore for SqlStore<B> {
    async fn insert_power_transition(&self, t: &PowerTransition) -> Result<()> {
        write_tx!(self, |tx| {
            let exists = tx
                .fetch(self.sql(
                    "SELECT 1 FROM power_transitions WHERE id = $1",
                    vec![t.id.clone().into()],
                ))
                .await?;
            if !exists.is_empty() {
                return Err(StoreError::conflict(
                    ConflictKind::Id,
                    &t.id,
                    "a power transition with this id exists",
                ));
            }
            tx.execute(self.sql(
                "DELETE FROM power_transitions WHERE expire_time < $1",
                vec![t.create_time.clone().into()],
            ))
            .await?;
            tx.execute(self.sql(
                "INSERT INTO power_transitions (id, operation, status, create_time, expire_time, heartbeat) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                vec![
                    t.id.clone().into(),
                    t.operation.clone().into(),
                    t.status.as_str().into(),
                    t.create_time.clone().into(),
                    t.expire_time.clone().into(),
                    now_millis().into(),
                ],
            ))
            .await?;
            if !t.tasks.is_empty() {
                let rows: Vec<serde_json::Value> = t
                    .tasks
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        serde_json::json!([
                            t.id,
                            i,
                            k.xname,
                            k.status.as_str(),
                            k.description,
                            k.error
                        ])
                    })
                    .collect();
                let mut sql = self.sql(
                    "INSERT INTO power_tasks (transition_id, position, xname, status, description, error) ",
                    vec![],
                );
                use ColType::{Int, Text};
                sql.rows_source(&[Text, Int, Text, Text, Text, Text], to_json(&rows)?);
                tx.execute(sql).await?;
            }
            Ok(())
        })
    }

    async fn get_power_transition(&self, id: &str) -> Result<Option<PowerTransition>> {
        let mut tx = self.backend.begin_read().await?;
        let found = self.read_transitions(&mut tx, Some(id), false).await?;
        Ok(found.into_iter().next())
    }

    async fn list_power_transitions(&self) -> Result<Vec<PowerTransition>> {
        let mut tx = self.backend.begin_read().await?;
        self.read_transitions(&mut tx, None, false).await
    }

    async fn update_power_transition(
        &self,
        id: &str,
        status: Option<TransitionStatus>,
        tasks: &[PowerTask],
    ) -> Result<TransitionStatus> {
        write_tx!(self, |tx| {
            let mut sql = self.sql("SELECT status FROM power_transitions WHERE id = ", vec![]);
            sql.bind(id).for_update();
            let found = tx.fetch(sql).await?;
            let Some(row) = found.first() else {
                return Err(StoreError::not_found(Record::PowerTransition, id));
            };
            let current = req_text(row, 0, "power transition status")?;
            let current = TransitionStatus::parse(&current).ok_or_else(|| {
                corrupt(
                    "power transition status",
                    format!("unknown status {current:?}"),
                )
            })?;
            if current.is_finished() {
                return Ok(current);
            }
            // An abort signaled meanwhile (by this server or another) is kept until the
            // transition ends.
            let next = match status {
                Some(s) if current == TransitionStatus::AbortSignaled && !s.is_finished() => {
                    current
                }
                Some(s) => s,
                None => current,
            };
            self.write_power_tasks(&mut tx, id, next, tasks).await?;
            Ok(next)
        })
    }

    async fn signal_power_abort(&self, id: &str) -> Result<Option<TransitionStatus>> {
        write_tx!(self, |tx| {
            let mut sql = self.sql("SELECT status FROM power_transitions WHERE id = ", vec![]);
            sql.bind(id).for_update();
            let found = tx.fetch(sql).await?;
            let Some(row) = found.first() else {
                return Ok(None);
            };
            let current = req_text(row, 0, "power transition status")?;
            let current = TransitionStatus::parse(&current).ok_or_else(|| {
                corrupt(
                    "power transition status",
                    format!("unknown status {current:?}"),
                )
            })?;
            if !current.is_finished() {
                tx.execute(self.sql(
                    "UPDATE power_transitions SET status = $1 WHERE id = $2",
                    vec![TransitionStatus::AbortSignaled.as_str().into(), id.into()],
                ))
                .await?;
            }
            Ok(Some(current))
        })
    }

    async fn end_abandoned_power_transitions(
        &self,
        lease: Duration,
        reason: &str,
    ) -> Result<Vec<String>> {
        let cutoff = stale_before(lease);
        let stale = |lock: bool| {
            let mut sql = self.sql("SELECT id FROM power_transitions WHERE status", vec![]);
            sql.in_list(vec![
                TransitionStatus::New.as_str().into(),
                TransitionStatus::InProgress.as_str().into(),
                TransitionStatus::AbortSignaled.as_str().into(),
            ]);
            sql.push(" AND heartbeat < ").bind(Val::Int(Some(cutoff)));
            sql.push(" ORDER BY id");
            if lock {
                sql.for_update();
            }
            sql
        };
        // Every read of transitions asks; a plain read keeps the common answer (none)
        // free of a write transaction.
        if self.fetch(stale(false)).await?.is_empty() {
            return Ok(Vec::new());
        }
        write_tx!(self, |tx| {
            let sql = stale(true);
            let ids: Vec<String> = tx
                .fetch(sql)
                .await?
                .iter()
                .map(|r| req_text(r, 0, "power transition id"))
                .collect::<Result<_>>()?;
            for id in &ids {
                let Some(mut t) = self
                    .read_transitions(&mut tx, Some(id), false)
                    .await?
                    .into_iter()
                    .next()
                else {
                    continue;
                };
                let ended = abandon(&mut t, reason);
                self.write_power_tasks(&mut tx, id, t.status, &ended)
                    .await?;
            }
            Ok(ids)
        })
    }
}
