//! [`ComponentStore`] on SQL: SMD's `components` table.

use std::collections::HashMap;

use async_trait::async_trait;
use ochami_core::{Component, ComponentFilter, Error as CoreError, Flag, State, Xname};
use serde_json::Value;

use super::driver::{Backend, ColType, Conn, SqlRow, Val};
use super::rows::{self, COMPONENT_COLS, COMPONENT_COLS_C, COMPONENT_TYPES, to_json};
use super::{SqlStore, filter, write_tx};
use crate::ComponentUpdate;
use crate::{ComponentStore, ConflictKind, Record, Result, StoreError};

/// Every column but the id, for a row replaced whole.
pub(crate) const REPLACE_COMPONENT: &str = "type = excluded.type, state = excluded.state, flag = excluded.flag, \
     enabled = excluded.enabled, software_status = excluded.software_status, role = excluded.role, \
     sub_role = excluded.sub_role, nid = excluded.nid, subtype = excluded.subtype, net_type = excluded.net_type, \
     arch = excluded.arch, class = excluded.class, reservation_disabled = excluded.reservation_disabled, \
     locked = excluded.locked";

/// The columns a forced bulk upsert overwrites on an existing component (SMD's rule).
const FORCED_UPDATE: &str = "state = excluded.state, flag = excluded.flag, subtype = excluded.subtype, \
     net_type = excluded.net_type, arch = excluded.arch, class = excluded.class";

/// One component checked and normalized for a write of its own (an invalid one is not
/// reported by row).
pub(crate) fn prepare_component(component: &Component) -> Result<Component> {
    let mut c = prepare_components(std::slice::from_ref(component), true).map_err(|e| match e {
        StoreError::Invalid { source, .. } => StoreError::invalid(None, source),
        other => other,
    })?;
    Ok(c.remove(0))
}

/// Validate and normalize a bulk of components; every row needs a State.
pub(crate) fn prepare_components(
    components: &[Component],
    need_state: bool,
) -> Result<Vec<Component>> {
    let mut out = Vec::with_capacity(components.len());
    for (i, c) in components.iter().enumerate() {
        let mut c = c.clone();
        c.normalize();
        if need_state && c.state.is_none() {
            return Err(StoreError::invalid(
                Some(i),
                CoreError::MissingField { field: "State" },
            ));
        }
        out.push(c);
    }
    Ok(out)
}

/// Fold repeated ids into one row, as if the rows were applied in order: the first one is
/// inserted, later ones only overwrite what `overwrite` copies.
pub(crate) fn fold_duplicates(
    rows: Vec<Component>,
    overwrite: impl Fn(&mut Component, &Component),
) -> Vec<Component> {
    let mut index: HashMap<Xname, usize> = HashMap::with_capacity(rows.len());
    let mut out: Vec<Component> = Vec::with_capacity(rows.len());
    for c in rows {
        match index.get(&c.id) {
            Some(&i) => overwrite(&mut out[i], &c),
            None => {
                index.insert(c.id, out.len());
                out.push(c);
            }
        }
    }
    out
}

/// Rows as the JSON row set a bulk statement reads.
pub(crate) fn component_rows(rows: &[Component]) -> Result<String> {
    to_json(&Value::Array(
        rows.iter().map(rows::component_row).collect(),
    ))
}

impl<B: Backend> SqlStore<B> {
    /// Which NID a failed bulk write collided on, named as applying the rows in order would
    /// find it: `row i: NID n of <id> is already used by <other>`. New rows are checked;
    /// existing ones too when `check_existing` (a forced ingest sets their NIDs).
    pub(crate) async fn find_nid_conflict(
        &self,
        rows: &[Component],
        check_existing: bool,
    ) -> StoreError {
        let fallback = StoreError::conflict(
            ConflictKind::Nid,
            "",
            "NID already belongs to another component",
        );
        let mut sql = self.sql("SELECT id, nid FROM components WHERE id", vec![]);
        sql.in_list(rows.iter().map(|c| c.id.to_string()).collect());
        sql.push(" OR nid");
        sql.in_int_list(rows.iter().filter_map(|c| c.nid).collect());
        let Ok(found) = self.fetch(sql).await else {
            return fallback;
        };
        let mut exists: HashMap<Xname, ()> = HashMap::new();
        let mut holder: HashMap<i64, Xname> = HashMap::new();
        for r in &found {
            let Ok(id) = rows::xname(r, 0, "component id") else {
                return fallback;
            };
            exists.insert(id, ());
            if let Ok(Some(n)) = r.int(1) {
                holder.insert(n, id);
            }
        }
        for (i, c) in rows.iter().enumerate() {
            let new = exists.insert(c.id, ()).is_none();
            if !(new || check_existing) {
                continue;
            }
            if let Some(n) = c.nid {
                match holder.get(&n) {
                    Some(other) if *other != c.id => {
                        return StoreError::conflict(
                            ConflictKind::Nid,
                            n,
                            format!("row {i}: NID {n} of {} is already used by {other}", c.id),
                        );
                    }
                    _ => {
                        holder.insert(n, c.id);
                    }
                }
            }
        }
        fallback
    }

    /// A write of `c` that failed on the NID's unique index names the component holding
    /// that NID; any other result is returned as it is.
    pub(super) async fn naming_nid_conflict(
        &self,
        result: Result<()>,
        c: &Component,
    ) -> Result<()> {
        match result {
            Err(StoreError::Conflict {
                kind: ConflictKind::Nid,
                ..
            }) => Err(self.find_nid_conflict(std::slice::from_ref(c), true).await),
            other => other,
        }
    }

    /// Insert `rows` or replace them whole (one statement).
    pub(crate) async fn replace_components<C: Conn>(
        &self,
        tx: &mut C,
        rows: &[Component],
    ) -> Result<u64> {
        let mut sql = self.sql("INSERT INTO components (", vec![]);
        sql.push(COMPONENT_COLS).push(") ");
        sql.rows_source(COMPONENT_TYPES, component_rows(rows)?);
        sql.push(" ON CONFLICT (id) DO UPDATE SET ");
        sql.push(REPLACE_COMPONENT);
        tx.execute(sql).await
    }

    async fn lock_components<C: Conn>(
        &self,
        conn: &mut C,
        ids: &[Xname],
        lock: bool,
    ) -> Result<HashMap<Xname, Option<State>>> {
        let mut sql = self.sql("SELECT id, state FROM components WHERE id", vec![]);
        sql.in_list(ids.iter().map(Xname::to_string).collect());
        if lock {
            sql.push(" ORDER BY id").for_update();
        }
        let rows = conn.fetch(sql).await?;
        let mut found = HashMap::with_capacity(rows.len());
        for r in &rows {
            found.insert(
                rows::xname(r, 0, "component id")?,
                rows::parse_opt::<State>(r, 1, "component State")?,
            );
        }
        match ids.iter().find(|id| !found.contains_key(id)) {
            Some(missing) => Err(StoreError::not_found(Record::Component, missing)),
            None => Ok(found),
        }
    }
}

#[async_trait]
impl<B: Backend> ComponentStore for SqlStore<B> {
    async fn get_component(&self, id: &Xname) -> Result<Option<Component>> {
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(COMPONENT_COLS)
            .push(" FROM components WHERE id = ")
            .bind(id.to_string());
        self.fetch(sql)
            .await?
            .first()
            .map(rows::component)
            .transpose()
    }

    async fn list_components(&self, filter: &ComponentFilter) -> Result<Vec<Component>> {
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(COMPONENT_COLS_C)
            .push(" FROM components c WHERE true");
        filter::component_conditions(&mut sql, filter);
        let mut out = self
            .fetch(sql)
            .await?
            .iter()
            .map(rows::component)
            .collect::<Result<Vec<_>>>()?;
        out.sort_unstable_by_key(|a| a.id);
        Ok(out)
    }

    async fn upsert_components(&self, components: &[Component], force: bool) -> Result<()> {
        let given = prepare_components(components, true)?;
        let rows = fold_duplicates(given.clone(), |t, f| {
            if force {
                t.overwrite_forced(f);
            }
        });
        if rows.is_empty() {
            return Ok(());
        }
        let data = component_rows(&rows)?;
        let result = write_tx!(self, |tx| {
            let mut sql = self.sql("INSERT INTO components (", vec![]);
            sql.push(COMPONENT_COLS).push(") ");
            sql.rows_source(COMPONENT_TYPES, data.clone());
            sql.push(" ON CONFLICT (id) DO ");
            sql.push(if force { "UPDATE SET " } else { "NOTHING" });
            if force {
                sql.push(FORCED_UPDATE);
            }
            tx.execute(sql).await
        });
        match result {
            Err(StoreError::Conflict {
                kind: ConflictKind::Nid,
                ..
            }) => Err(self.find_nid_conflict(&given, false).await),
            other => other.map(|_| ()),
        }
    }

    async fn put_component(&self, component: &Component) -> Result<()> {
        let c = prepare_component(component)?;
        let result = write_tx!(self, |tx| {
            self.replace_components(&mut tx, std::slice::from_ref(&c))
                .await
        });
        self.naming_nid_conflict(result.map(|_| ()), &c).await
    }

    async fn delete_component(&self, id: &Xname) -> Result<bool> {
        self.delete_keyed("DELETE FROM components WHERE id = $1", id.to_string())
            .await
    }

    async fn delete_all_components(&self) -> Result<u64> {
        self.write_one("DELETE FROM components", vec![]).await
    }

    async fn update_components(&self, ids: &[Xname], update: &ComponentUpdate) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = ids.iter().map(Xname::to_string).collect();
        write_tx!(self, |tx| {
            let current = self.lock_components(&mut tx, ids, true).await?;
            let mut sql = self.sql("UPDATE components SET ", vec![]);
            match update {
                ComponentUpdate::State { state, flag, force } => {
                    for (i, id) in ids.iter().enumerate() {
                        let from = current.get(id).copied().flatten();
                        State::check_transition(&id.to_string(), from, *state, *force)
                            .map_err(|e| StoreError::invalid(Some(i), e))?;
                    }
                    sql.push("state = ").bind(state.to_string());
                    sql.push(", flag = ")
                        .bind(flag.unwrap_or(Flag::Ok).to_string());
                }
                ComponentUpdate::Flag(f) => {
                    sql.push("flag = ").bind(f.to_string());
                }
                ComponentUpdate::Enabled(e) => {
                    sql.push("enabled = ").bind(*e);
                }
                ComponentUpdate::SoftwareStatus(s) => {
                    sql.push("software_status = ")
                        .bind(Val::Text((!s.is_empty()).then(|| s.clone())));
                }
                ComponentUpdate::Role { role, sub_role } => {
                    sql.push("role = ").bind(role.to_string());
                    sql.push(", sub_role = ")
                        .bind(Val::Text(sub_role.map(|s| s.to_string())));
                }
            }
            sql.push(" WHERE id");
            sql.in_list(list.clone());
            tx.execute(sql).await
        })
        .map(|_| ())
    }

    async fn update_component(
        &self,
        id: &Xname,
        updates: &[ComponentUpdate],
        nid: Option<i64>,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            let mut sql = self.sql("SELECT ", vec![]);
            sql.push(COMPONENT_COLS)
                .push(" FROM components WHERE id = ")
                .bind(id.to_string());
            sql.for_update();
            let Some(mut c) = tx
                .fetch(sql)
                .await?
                .first()
                .map(rows::component)
                .transpose()?
            else {
                return Err(StoreError::not_found(Record::Component, id));
            };
            for u in updates {
                u.apply(&mut c).map_err(|e| StoreError::invalid(None, e))?;
            }
            if let Some(nid) = nid {
                // SMD stores a negative NID as "no NID".
                let nid = (nid >= 0).then_some(nid);
                if let Some(n) = nid {
                    let holder = tx
                        .fetch(self.sql(
                            "SELECT id FROM components WHERE nid = $1 AND id <> $2",
                            vec![n.into(), id.to_string().into()],
                        ))
                        .await?;
                    if let Some(r) = holder.first() {
                        let other = rows::xname(r, 0, "component id")?;
                        return Err(StoreError::conflict(
                            ConflictKind::Nid,
                            n,
                            format!("NID {n} of {id} is already used by {other}"),
                        ));
                    }
                }
                c.nid = nid;
            }
            self.replace_components(&mut tx, std::slice::from_ref(&c))
                .await
        })
        .map(|_| ())
    }

    async fn set_nids(&self, nids: &[(Xname, i64)]) -> Result<()> {
        if nids.is_empty() {
            return Ok(());
        }
        let mut order: Vec<Xname> = nids.iter().map(|(id, _)| *id).collect();
        order.sort();
        order.dedup();
        let ids: Vec<String> = order.iter().map(Xname::to_string).collect();
        let wanted: Vec<i64> = nids.iter().map(|(_, n)| *n).filter(|n| *n >= 0).collect();
        write_tx!(self, |tx| {
            // Read every row involved (the components named and the holders of the NIDs
            // asked for), then apply the entries in order exactly as a sequence of single
            // updates would, so a conflict names the same row on every backend.
            let mut sql = self.sql("SELECT id, nid FROM components WHERE id", vec![]);
            sql.in_list(ids.clone());
            sql.push(" OR nid");
            sql.in_int_list(wanted.clone());
            sql.push(" ORDER BY id").for_update();
            let mut nid_of: HashMap<Xname, Option<i64>> = HashMap::new();
            for r in &tx.fetch(sql).await? {
                nid_of.insert(rows::xname(r, 0, "component id")?, r.int(1)?);
            }
            let mut holder: HashMap<i64, Xname> = nid_of
                .iter()
                .filter_map(|(id, n)| n.map(|n| (n, *id)))
                .collect();
            for (i, (id, nid)) in nids.iter().enumerate() {
                let Some(old) = nid_of.get(id).copied() else {
                    return Err(StoreError::not_found(Record::Component, id));
                };
                // SMD stores a negative NID as "no NID".
                let nid = (*nid >= 0).then_some(*nid);
                if let Some(n) = nid
                    && let Some(other) = holder.get(&n)
                    && other != id
                {
                    return Err(StoreError::conflict(
                        ConflictKind::Nid,
                        n,
                        format!("row {i}: NID {n} of {id} is already used by {other}"),
                    ));
                }
                if let Some(o) = old {
                    holder.remove(&o);
                }
                if let Some(n) = nid {
                    holder.insert(n, *id);
                }
                nid_of.insert(*id, nid);
            }
            let data: Vec<Value> = order
                .iter()
                .map(|id| {
                    Value::Array(vec![
                        id.to_string().into(),
                        nid_of[id].map_or(Value::Null, Value::from),
                    ])
                })
                .collect();
            // Clear first so that NIDs moving between components never collide midway.
            let mut clear = self.sql("UPDATE components SET nid = NULL WHERE id", vec![]);
            clear.in_list(ids.clone());
            tx.execute(clear).await?;
            let mut set = self.sql("UPDATE components SET nid = n.c1 FROM (", vec![]);
            set.rows_source(&[ColType::Text, ColType::Int], to_json(&data)?);
            set.push(") AS n WHERE components.id = n.c0");
            tx.execute(set).await
        })
        .map(|_| ())
    }
}
