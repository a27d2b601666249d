//! SMD components: upsert (POST), put, bulk updates, NIDs, and filtered listing that uses
//! the id, NID and membership indexes when the filter allows it.

use std::collections::BTreeSet;

use async_trait::async_trait;
use ochami_core::{Component, ComponentFilter, Error as CoreError, Term, Xname};

use super::tables::Tables;
use super::{MemoryStore, row};
use crate::{ComponentStore, ComponentUpdate, ConflictKind, Record, Result, StoreError};

/// A component's state is required on every write path (SMD's `VerifyNormalize`).
pub(super) fn require_state(c: &Component, index: Option<usize>) -> Result<()> {
    match c.state {
        Some(_) => Ok(()),
        None => Err(StoreError::invalid(
            index,
            CoreError::MissingField { field: "State" },
        )),
    }
}

/// NID `nid` may be given to `id` only if no other component has it.
pub(super) fn check_nid(
    t: &Tables,
    id: Xname,
    nid: Option<i64>,
    index: Option<usize>,
) -> Result<()> {
    if let Some(n) = nid
        && let Some(other) = t.nids.get(&n)
        && *other != id
    {
        let prefix = index.map(row).unwrap_or_default();
        return Err(StoreError::conflict(
            ConflictKind::Nid,
            n,
            format!("{prefix}NID {n} of {id} is already used by {other}"),
        ));
    }
    Ok(())
}

fn positive<T>(terms: &[Term<T>]) -> bool {
    terms.iter().any(|t| !t.negated)
}

/// The smallest set of ids the filter can be answered from, when an index applies; `None`
/// means every component has to be looked at.
fn candidates(t: &Tables, f: &ComponentFilter) -> Option<BTreeSet<Xname>> {
    let mut best: Option<BTreeSet<Xname>> = None;
    let mut offer = |set: BTreeSet<Xname>| {
        if best.as_ref().is_none_or(|b| set.len() < b.len()) {
            best = Some(set);
        }
    };
    if positive(&f.id) {
        offer(
            f.id.iter()
                .filter(|term| !term.negated)
                .map(|term| term.value)
                .collect(),
        );
    }
    if positive(&f.nid) {
        offer(
            f.nid
                .iter()
                .filter(|term| !term.negated)
                .filter_map(|term| t.nids.get(&term.value).copied())
                .collect(),
        );
    }
    if f.nid_start.is_some() || f.nid_end.is_some() {
        let (lo, hi) = (
            f.nid_start.unwrap_or(i64::MIN),
            f.nid_end.unwrap_or(i64::MAX),
        );
        if lo <= hi {
            offer(t.nids.range(lo..=hi).map(|(_, id)| *id).collect());
        } else {
            offer(BTreeSet::new());
        }
    }
    if !f.group.is_empty() && f.group.iter().all(Option::is_some) {
        let labels = f.group.iter().flatten();
        offer(
            labels
                .filter_map(|l| t.groups.get(l))
                .flat_map(|g| g.members.iter().copied())
                .collect(),
        );
    }
    if !f.partition.is_empty() && f.partition.iter().all(Option::is_some) {
        let names = f
            .partition
            .iter()
            .flatten()
            .filter_map(|p| p.parse::<Xname>().ok());
        offer(
            names
                .filter_map(|p| t.partitions.get(&p))
                .flat_map(|p| p.members.iter().copied())
                .collect(),
        );
    }
    best
}

/// Whether `c` passes `f`, membership terms included.
pub(super) fn matches(t: &Tables, f: &ComponentFilter, c: &Component) -> bool {
    if f.uses_membership() {
        let partition = t.partition_name_of(&c.id);
        f.matches_with(c, &t.labels_of(&c.id), partition.as_deref())
    } else {
        f.matches(c)
    }
}

/// The components matching `f`, in natural xname order.
pub(super) fn select<'t>(t: &'t Tables, f: &ComponentFilter) -> Vec<&'t Component> {
    match candidates(t, f) {
        Some(ids) => ids
            .iter()
            .filter_map(|id| t.components.get(id))
            .filter(|c| matches(t, f, c))
            .collect(),
        None => t.components.values().filter(|c| matches(t, f, c)).collect(),
    }
}

#[async_trait]
impl ComponentStore for MemoryStore {
    async fn get_component(&self, id: &Xname) -> Result<Option<Component>> {
        Ok(self.read(|t| t.components.get(id).cloned()))
    }

    async fn list_components(&self, filter: &ComponentFilter) -> Result<Vec<Component>> {
        Ok(self.read(|t| select(t, filter).into_iter().cloned().collect()))
    }

    async fn upsert_components(&self, components: &[Component], force: bool) -> Result<()> {
        self.write(|tx| {
            for (i, c) in components.iter().enumerate() {
                require_state(c, Some(i))?;
                let mut c = c.clone();
                c.normalize();
                match tx.tables().components.get(&c.id) {
                    Some(existing) if force => {
                        let mut e = existing.clone();
                        e.overwrite_forced(&c);
                        tx.put_component(e);
                    }
                    Some(_) => {}
                    None => {
                        check_nid(tx.tables(), c.id, c.nid, Some(i))?;
                        tx.put_component(c);
                    }
                }
            }
            Ok(())
        })
    }

    async fn put_component(&self, component: &Component) -> Result<()> {
        require_state(component, None)?;
        let mut c = component.clone();
        c.normalize();
        self.write(|tx| {
            check_nid(tx.tables(), c.id, c.nid, None)?;
            tx.put_component(c);
            Ok(())
        })
    }

    async fn delete_component(&self, id: &Xname) -> Result<bool> {
        self.write(|tx| {
            if !tx.tables().components.contains_key(id) {
                return Ok(false);
            }
            tx.drop_memberships(*id);
            tx.remove_component(*id);
            Ok(true)
        })
    }

    async fn delete_all_components(&self) -> Result<u64> {
        Ok(self.write_simple(|t| {
            let n = t.components.len() as u64;
            t.components.clear();
            t.nids.clear();
            t.groups_of.clear();
            t.partition_of.clear();
            t.groups.values_mut().for_each(|g| g.members.clear());
            t.partitions.values_mut().for_each(|p| p.members.clear());
            n
        }))
    }

    async fn update_components(&self, ids: &[Xname], update: &ComponentUpdate) -> Result<()> {
        self.write(|tx| {
            if let Some(missing) = ids
                .iter()
                .find(|id| !tx.tables().components.contains_key(id))
            {
                return Err(StoreError::not_found(Record::Component, missing));
            }
            for (i, id) in ids.iter().enumerate() {
                let Some(mut c) = tx.tables().components.get(id).cloned() else {
                    continue;
                };
                update
                    .apply(&mut c)
                    .map_err(|e| StoreError::invalid(Some(i), e))?;
                tx.put_component(c);
            }
            Ok(())
        })
    }

    async fn update_component(
        &self,
        id: &Xname,
        updates: &[ComponentUpdate],
        nid: Option<i64>,
    ) -> Result<()> {
        self.write(|tx| {
            let Some(mut c) = tx.tables().components.get(id).cloned() else {
                return Err(StoreError::not_found(Record::Component, id));
            };
            for u in updates {
                u.apply(&mut c).map_err(|e| StoreError::invalid(None, e))?;
            }
            if let Some(nid) = nid {
                // SMD stores a negative NID as "no NID".
                let nid = (nid >= 0).then_some(nid);
                check_nid(tx.tables(), *id, nid, None)?;
                c.nid = nid;
            }
            tx.put_component(c);
            Ok(())
        })
    }

    async fn set_nids(&self, nids: &[(Xname, i64)]) -> Result<()> {
        self.write(|tx| {
            for (i, (id, nid)) in nids.iter().enumerate() {
                let Some(mut c) = tx.tables().components.get(id).cloned() else {
                    return Err(StoreError::not_found(Record::Component, id));
                };
                // SMD stores a negative NID as "no NID".
                let nid = (*nid >= 0).then_some(*nid);
                check_nid(tx.tables(), *id, nid, Some(i))?;
                c.nid = nid;
                tx.put_component(c);
            }
            Ok(())
        })
    }
}
