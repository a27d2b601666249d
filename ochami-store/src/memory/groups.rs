//! SMD groups, partitions and memberships in memory. Members are kept per group and in a
//! reverse index (component -> groups, component -> partition), which answers membership
//! queries, the exclusive-group rule and the one-partition rule without scanning.

use std::collections::BTreeSet;

use async_trait::async_trait;
use ochami_core::{
    ComponentFilter, Error as CoreError, Group, GroupFilter, Membership, Partition, PartitionScope,
    Xname,
};

use super::MemoryStore;
use super::components::select;
use super::tables::{Tables, Tx};
use crate::{ConflictKind, GroupPatch, GroupStore, Record, Result, StoreError};

/// A partition name as the key it is stored under.
fn partition_key(name: &str) -> Result<Xname> {
    let normalized = Partition::normalize_name(name)?;
    normalized
        .parse::<Xname>()
        .map_err(|e| StoreError::from(CoreError::from(e)))
}

/// The members a partition scope is decided against: those of its partition, or of every
/// partition for `partition=NULL`.
fn partitioned(t: &Tables, scope: &PartitionScope) -> BTreeSet<Xname> {
    match scope {
        PartitionScope::Any => BTreeSet::new(),
        PartitionScope::In(name) => name
            .parse::<Xname>()
            .ok()
            .and_then(|key| t.partitions.get(&key))
            .map(|p| p.members.iter().copied().collect())
            .unwrap_or_default(),
        PartitionScope::InNone => t.partition_of.keys().copied().collect(),
    }
}

/// Every id must be an existing component.
pub(super) fn check_components(t: &Tables, ids: &[Xname]) -> Result<()> {
    match ids.iter().find(|id| !t.components.contains_key(id)) {
        Some(missing) => Err(StoreError::not_found(Record::Component, missing)),
        None => Ok(()),
    }
}

/// `id` may join group `label` only if it is in no other group of the same exclusive group.
fn check_exclusive(t: &Tables, label: &str, exclusive: &str, id: Xname) -> Result<()> {
    if exclusive.is_empty() {
        return Ok(());
    }
    for other in t.groups_of.get(&id).into_iter().flatten() {
        if other != label
            && t.groups
                .get(other)
                .is_some_and(|g| g.meta.exclusive_group == exclusive)
        {
            return Err(StoreError::conflict(
                ConflictKind::ExclusiveGroup,
                exclusive,
                format!("{id} is already in group {other} of exclusive group {exclusive}"),
            ));
        }
    }
    Ok(())
}

/// `id` may join partition `name` only if it is in no other partition.
fn check_partition(t: &Tables, name: Xname, id: Xname) -> Result<()> {
    match t.partition_of.get(&id) {
        Some(other) if *other != name => Err(StoreError::conflict(
            ConflictKind::Partition,
            other,
            format!("{id} is already in partition {other}"),
        )),
        _ => Ok(()),
    }
}

/// Add `id` to group `label` (which exists), enforcing exclusivity.
pub(super) fn join_group(tx: &mut Tx<'_>, label: &str, id: Xname) -> Result<()> {
    let exclusive = tx
        .tables()
        .groups
        .get(label)
        .map(|g| g.meta.exclusive_group.clone())
        .unwrap_or_default();
    check_exclusive(tx.tables(), label, &exclusive, id)?;
    tx.set_group_member(label, id, true);
    Ok(())
}

/// Description and tags of a group or partition after `patch`, tags checked.
fn patched(description: &mut String, tags: &mut Vec<String>, patch: &GroupPatch) -> Result<()> {
    if let Some(d) = &patch.description {
        description.clone_from(d);
    }
    if let Some(new_tags) = &patch.tags {
        // Group::normalize checks tags exactly as SMD's VerifyGroupField does.
        let mut probe = Group {
            label: "tags".into(),
            description: String::new(),
            exclusive_group: String::new(),
            tags: new_tags.clone(),
            members: Default::default(),
        };
        probe.normalize()?;
        *tags = probe.tags;
    }
    Ok(())
}

#[async_trait]
impl GroupStore for MemoryStore {
    async fn get_group(&self, label: &str) -> Result<Option<Group>> {
        let label = Group::normalize_label(label)?;
        Ok(self.read(|t| t.groups.get(&label).map(|g| g.full())))
    }

    async fn list_groups(&self, filter: &GroupFilter) -> Result<Vec<Group>> {
        Ok(self.read(|t| {
            let partitioned = partitioned(t, &filter.partition);
            t.groups
                .values()
                .filter(|g| filter.admits(&g.meta.label, &g.meta.tags))
                .map(|g| {
                    let mut g = g.full();
                    filter.partition.apply(&mut g.members, &partitioned);
                    g
                })
                .collect()
        }))
    }

    async fn create_group(&self, group: &Group) -> Result<()> {
        let mut g = group.clone();
        g.normalize()?;
        let members = std::mem::take(&mut g.members.ids);
        self.write(|tx| {
            if tx.tables().groups.contains_key(&g.label) {
                return Err(StoreError::conflict(
                    ConflictKind::GroupLabel,
                    &g.label,
                    "a group with this label already exists",
                ));
            }
            check_components(tx.tables(), &members)?;
            let label = g.label.clone();
            tx.set_group(&label, Some(g));
            for id in members {
                join_group(tx, &label, id)?;
            }
            Ok(())
        })
    }

    async fn patch_group(&self, label: &str, patch: &GroupPatch) -> Result<()> {
        let label = Group::normalize_label(label)?;
        self.write(|tx| {
            let Some(mut meta) = tx.tables().groups.get(&label).map(|g| g.meta.clone()) else {
                return Err(StoreError::not_found(Record::Group, &label));
            };
            patched(&mut meta.description, &mut meta.tags, patch)?;
            tx.set_group(&label, Some(meta));
            Ok(())
        })
    }

    async fn delete_group(&self, label: &str) -> Result<bool> {
        let label = Group::normalize_label(label)?;
        self.write(|tx| {
            let Some(members) = tx.tables().groups.get(&label).map(|g| g.members.clone()) else {
                return Ok(false);
            };
            for id in members {
                tx.set_group_member(&label, id, false);
            }
            tx.set_group(&label, None);
            Ok(true)
        })
    }

    async fn add_group_member(&self, label: &str, id: &Xname) -> Result<()> {
        let label = Group::normalize_label(label)?;
        self.write(|tx| {
            let Some(g) = tx.tables().groups.get(&label) else {
                return Err(StoreError::not_found(Record::Group, &label));
            };
            if g.members.contains(id) {
                return Err(StoreError::conflict(
                    ConflictKind::Member,
                    id,
                    format!("already a member of group {label}"),
                ));
            }
            check_components(tx.tables(), std::slice::from_ref(id))?;
            join_group(tx, &label, *id)
        })
    }

    async fn remove_group_member(&self, label: &str, id: &Xname) -> Result<bool> {
        let label = Group::normalize_label(label)?;
        self.write(|tx| {
            let Some(g) = tx.tables().groups.get(&label) else {
                return Err(StoreError::not_found(Record::Group, &label));
            };
            let was = g.members.contains(id);
            if was {
                tx.set_group_member(&label, *id, false);
            }
            Ok(was)
        })
    }

    async fn replace_group_members(&self, label: &str, ids: &[Xname]) -> Result<()> {
        let label = Group::normalize_label(label)?;
        let wanted: BTreeSet<Xname> = ids.iter().copied().collect();
        self.write(|tx| {
            let Some(current) = tx.tables().groups.get(&label).map(|g| g.members.clone()) else {
                return Err(StoreError::not_found(Record::Group, &label));
            };
            check_components(tx.tables(), ids)?;
            for gone in current.difference(&wanted) {
                tx.set_group_member(&label, *gone, false);
            }
            for new in wanted.difference(&current) {
                join_group(tx, &label, *new)?;
            }
            Ok(())
        })
    }

    async fn get_partition(&self, name: &str) -> Result<Option<Partition>> {
        let key = partition_key(name)?;
        Ok(self.read(|t| t.partitions.get(&key).map(|p| p.full())))
    }

    async fn list_partitions(&self, filter: &GroupFilter) -> Result<Vec<Partition>> {
        Ok(self.read(|t| {
            t.partitions
                .values()
                .filter(|p| filter.admits(&p.meta.name, &p.meta.tags))
                .map(|p| p.full())
                .collect()
        }))
    }

    async fn create_partition(&self, partition: &Partition) -> Result<()> {
        let mut p = partition.clone();
        p.normalize()?;
        let key = partition_key(&p.name)?;
        let members = std::mem::take(&mut p.members.ids);
        self.write(|tx| {
            if tx.tables().partitions.contains_key(&key) {
                return Err(StoreError::conflict(
                    ConflictKind::PartitionName,
                    &p.name,
                    "a partition with this name already exists",
                ));
            }
            check_components(tx.tables(), &members)?;
            tx.set_partition(key, Some(p));
            for id in members {
                check_partition(tx.tables(), key, id)?;
                tx.set_partition_member(key, id, true);
            }
            Ok(())
        })
    }

    async fn patch_partition(&self, name: &str, patch: &GroupPatch) -> Result<()> {
        let key = partition_key(name)?;
        self.write(|tx| {
            let Some(mut meta) = tx.tables().partitions.get(&key).map(|p| p.meta.clone()) else {
                return Err(StoreError::not_found(Record::Partition, key));
            };
            patched(&mut meta.description, &mut meta.tags, patch)?;
            tx.set_partition(key, Some(meta));
            Ok(())
        })
    }

    async fn delete_partition(&self, name: &str) -> Result<bool> {
        let key = partition_key(name)?;
        self.write(|tx| {
            let Some(members) = tx.tables().partitions.get(&key).map(|p| p.members.clone()) else {
                return Ok(false);
            };
            for id in members {
                tx.set_partition_member(key, id, false);
            }
            tx.set_partition(key, None);
            Ok(true)
        })
    }

    async fn add_partition_member(&self, name: &str, id: &Xname) -> Result<()> {
        let key = partition_key(name)?;
        self.write(|tx| {
            let Some(p) = tx.tables().partitions.get(&key) else {
                return Err(StoreError::not_found(Record::Partition, key));
            };
            if p.members.contains(id) {
                return Err(StoreError::conflict(
                    ConflictKind::Member,
                    id,
                    format!("already a member of partition {key}"),
                ));
            }
            check_components(tx.tables(), std::slice::from_ref(id))?;
            check_partition(tx.tables(), key, *id)?;
            tx.set_partition_member(key, *id, true);
            Ok(())
        })
    }

    async fn remove_partition_member(&self, name: &str, id: &Xname) -> Result<bool> {
        let key = partition_key(name)?;
        self.write(|tx| {
            let Some(p) = tx.tables().partitions.get(&key) else {
                return Err(StoreError::not_found(Record::Partition, key));
            };
            let was = p.members.contains(id);
            if was {
                tx.set_partition_member(key, *id, false);
            }
            Ok(was)
        })
    }

    async fn list_memberships(&self, filter: &ComponentFilter) -> Result<Vec<Membership>> {
        Ok(self.read(|t| {
            select(t, filter)
                .into_iter()
                .map(|c| membership(t, c.id))
                .collect()
        }))
    }

    async fn get_membership(&self, id: &Xname) -> Result<Option<Membership>> {
        Ok(self.read(|t| t.components.contains_key(id).then(|| membership(t, *id))))
    }
}

/// The membership record of one component.
fn membership(t: &Tables, id: Xname) -> Membership {
    Membership {
        id,
        group_labels: t.labels_of(&id).into_iter().map(str::to_owned).collect(),
        partition_name: t.partition_name_of(&id).unwrap_or_default(),
    }
}
