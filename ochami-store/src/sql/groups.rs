//! [`GroupStore`] on SQL. Groups and partitions share `component_groups` (told apart by
//! `kind`) and `group_members`, whose `UNIQUE (component_id, namespace)` enforces SMD's
//! rules in the database itself: a member row's namespace is `g:<label>` for a shared group,
//! `x:<exclusiveGroup>` for an exclusive one and `p:` for any partition. The store checks
//! the same rules first so that a conflict names the component and the group it is in.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use async_trait::async_trait;
use ochami_core::{
    ComponentFilter, Group, GroupFilter, Members, Membership, Partition, PartitionScope, Xname,
};

use super::driver::{Backend, ColType, Conn, SqlRow, Tx};
use super::rows::{self, from_json, to_json};
use super::{SqlStore, filter, write_tx};
use crate::GroupPatch;
use crate::{ConflictKind, GroupStore, Record, Result, StoreError};

/// Group or partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Group,
    Partition,
}

impl Kind {
    fn record(self) -> Record {
        match self {
            Kind::Group => Record::Group,
            Kind::Partition => Record::Partition,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::Group => "group",
            Kind::Partition => "partition",
        }
    }
}

/// The stored head of a group or partition.
struct Head {
    name: String,
    description: String,
    exclusive_group: String,
    tags: Vec<String>,
}

impl Head {
    /// The membership namespace of this group's members.
    fn namespace(&self, kind: Kind) -> String {
        match kind {
            Kind::Partition => "p:".to_owned(),
            Kind::Group if self.exclusive_group.is_empty() => format!("g:{}", self.name),
            Kind::Group => format!("x:{}", self.exclusive_group),
        }
    }
}

/// Normalize a label or partition name given on its own; a malformed one is invalid input.
fn lookup_name(kind: Kind, name: &str) -> Result<String> {
    Ok(match kind {
        Kind::Group => Group::normalize_label(name)?,
        Kind::Partition => Partition::normalize_name(name)?,
    })
}

/// Check tags the way a group's are checked on create.
fn normalize_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut probe = Group {
        label: "tags".into(),
        description: String::new(),
        exclusive_group: String::new(),
        tags: tags.to_vec(),
        members: Members::default(),
    };
    probe.normalize()?;
    Ok(probe.tags)
}

impl<B: Backend> SqlStore<B> {
    async fn head<C: Conn>(
        &self,
        conn: &mut C,
        kind: Kind,
        name: &str,
        lock: bool,
    ) -> Result<Option<Head>> {
        let mut sql = self.sql(
            "SELECT name, description, exclusive_group, tags FROM component_groups WHERE kind = $1 AND name = $2",
            vec![kind.as_str().into(), name.into()],
        );
        if lock {
            sql.for_update();
        }
        let rows = conn.fetch(sql).await?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        Ok(Some(Head {
            name: rows::req_text(r, 0, "group name")?,
            description: r.text(1)?.unwrap_or_default(),
            exclusive_group: r.text(2)?.unwrap_or_default(),
            tags: from_json("group tags", r.json(3)?)?,
        }))
    }

    async fn require_head<C: Conn>(&self, conn: &mut C, kind: Kind, name: &str) -> Result<Head> {
        let normalized = lookup_name(kind, name)?;
        match self.head(conn, kind, &normalized, true).await? {
            Some(h) => Ok(h),
            None => Err(StoreError::not_found(kind.record(), normalized)),
        }
    }

    async fn members<C: Conn>(&self, conn: &mut C, kind: Kind, name: &str) -> Result<Vec<Xname>> {
        let rows = conn
            .fetch(self.sql(
                "SELECT component_id FROM group_members WHERE kind = $1 AND name = $2",
                vec![kind.as_str().into(), name.into()],
            ))
            .await?;
        let mut ids = rows
            .iter()
            .map(|r| rows::xname(r, 0, "member id"))
            .collect::<Result<Vec<_>>>()?;
        ids.sort();
        Ok(ids)
    }

    /// Every id must be a component; NotFound names the first that is not.
    async fn require_components<C: Conn>(&self, conn: &mut C, ids: &[Xname]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut sql = self.sql("SELECT id FROM components WHERE id", vec![]);
        sql.in_list(ids.iter().map(Xname::to_string).collect());
        let found: HashSet<String> = conn
            .fetch(sql)
            .await?
            .iter()
            .map(|r| rows::req_text(r, 0, "component id"))
            .collect::<Result<_>>()?;
        match ids.iter().find(|id| !found.contains(&id.to_string())) {
            Some(id) => Err(StoreError::not_found(Record::Component, id)),
            None => Ok(()),
        }
    }

    /// Members of `ids` already in another group of the same namespace: a conflict naming the
    /// exclusive group (or the other partition), with the component in the detail.
    async fn check_namespace<C: Conn>(
        &self,
        conn: &mut C,
        kind: Kind,
        head: &Head,
        ids: &[Xname],
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut sql = self.sql(
            "SELECT component_id, name FROM group_members WHERE namespace = ",
            vec![],
        );
        sql.bind(head.namespace(kind))
            .push(" AND name <> ")
            .bind(head.name.clone());
        sql.push(" AND component_id");
        sql.in_list(ids.iter().map(Xname::to_string).collect());
        let rows = conn.fetch(sql).await?;
        let Some(r) = rows.first() else { return Ok(()) };
        let id = rows::req_text(r, 0, "member id")?;
        let other = rows::req_text(r, 1, "group name")?;
        Err(match kind {
            Kind::Partition => StoreError::conflict(
                ConflictKind::Partition,
                &other,
                format!("{id} is already in partition {other}"),
            ),
            Kind::Group => StoreError::conflict(
                ConflictKind::ExclusiveGroup,
                &head.exclusive_group,
                format!(
                    "{id} is already in group {other} of exclusive group {}",
                    head.exclusive_group
                ),
            ),
        })
    }

    async fn insert_members<C: Conn>(
        &self,
        conn: &mut C,
        kind: Kind,
        head: &Head,
        ids: &[Xname],
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let ns = head.namespace(kind);
        let data: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| serde_json::json!([kind.as_str(), head.name, id.to_string(), ns]))
            .collect();
        let mut sql = self.sql(
            "INSERT INTO group_members (kind, name, component_id, namespace) ",
            vec![],
        );
        sql.rows_source(&[ColType::Text; 4], to_json(&data)?);
        sql.push(" ON CONFLICT (kind, name, component_id) DO NOTHING");
        conn.execute(sql).await.map(|_| ())
    }

    async fn create(&self, kind: Kind, head: Head, ids: Vec<Xname>) -> Result<()> {
        write_tx!(self, |tx| self.create_in(&mut tx, kind, &head, &ids).await)
    }

    /// [`Self::create`] inside `tx`.
    async fn create_in<C: Conn>(
        &self,
        tx: &mut C,
        kind: Kind,
        head: &Head,
        ids: &[Xname],
    ) -> Result<()> {
        if self.head(tx, kind, &head.name, true).await?.is_some() {
            let field = match kind {
                Kind::Group => ConflictKind::GroupLabel,
                Kind::Partition => ConflictKind::PartitionName,
            };
            return Err(StoreError::conflict(
                field,
                &head.name,
                format!("a {} with this name already exists", kind.as_str()),
            ));
        }
        self.require_components(tx, ids).await?;
        self.check_namespace(tx, kind, head, ids).await?;
        tx.execute(self.sql(
            "INSERT INTO component_groups (kind, name, description, exclusive_group, tags) VALUES ($1, $2, $3, $4, $5)",
            vec![
                kind.as_str().into(),
                head.name.clone().into(),
                head.description.clone().into(),
                head.exclusive_group.clone().into(),
                super::driver::Val::Json(Some(to_json(&head.tags)?)),
            ],
        ))
        .await?;
        self.insert_members(tx, kind, head, ids).await
    }

    /// Group `label` created when missing (as [`crate::boot_node::new_group`]), with `id` a
    /// member (already one is fine), inside `tx`.
    pub(super) async fn join_or_create_group<C: Conn>(
        &self,
        tx: &mut C,
        label: &str,
        id: &Xname,
    ) -> Result<()> {
        let mut g = crate::boot_node::new_group(label);
        g.normalize()?;
        if self.head(tx, Kind::Group, &g.label, true).await?.is_none() {
            let head = Head {
                name: g.label.clone(),
                description: g.description,
                exclusive_group: g.exclusive_group,
                tags: g.tags,
            };
            self.create_in(tx, Kind::Group, &head, &[]).await?;
        }
        match self.add_member_in(tx, Kind::Group, &g.label, id).await {
            Err(StoreError::Conflict {
                kind: ConflictKind::Member,
                ..
            }) => Ok(()),
            other => other,
        }
    }

    async fn patch(&self, kind: Kind, name: &str, patch: &GroupPatch) -> Result<()> {
        let tags = patch.tags.as_deref().map(normalize_tags).transpose()?;
        write_tx!(self, |tx| {
            let head = self.require_head(&mut tx, kind, name).await?;
            let description = patch
                .description
                .clone()
                .unwrap_or(head.description.clone());
            let tags = tags.clone().unwrap_or(head.tags.clone());
            tx.execute(self.sql(
                "UPDATE component_groups SET description = $1, tags = $2 WHERE kind = $3 AND name = $4",
                vec![description.into(), super::driver::Val::Json(Some(to_json(&tags)?)), kind.as_str().into(), head.name.into()],
            ))
            .await
            .map(|_| ())
        })
    }

    async fn delete(&self, kind: Kind, name: &str) -> Result<bool> {
        let name = lookup_name(kind, name)?;
        let n = self
            .write_one(
                "DELETE FROM component_groups WHERE kind = $1 AND name = $2",
                vec![kind.as_str().into(), name.clone().into()],
            )
            .await?;
        Ok(n > 0)
    }

    async fn add_member(&self, kind: Kind, name: &str, id: &Xname) -> Result<()> {
        write_tx!(self, |tx| self.add_member_in(&mut tx, kind, name, id).await)
    }

    /// [`Self::add_member`] inside `tx`; a member already is a [`ConflictKind::Member`]
    /// conflict found before anything is written.
    async fn add_member_in<C: Conn>(
        &self,
        tx: &mut C,
        kind: Kind,
        name: &str,
        id: &Xname,
    ) -> Result<()> {
        let head = self.require_head(tx, kind, name).await?;
        let already = tx
            .fetch(self.sql(
                "SELECT 1 FROM group_members WHERE kind = $1 AND name = $2 AND component_id = $3",
                vec![
                    kind.as_str().into(),
                    head.name.clone().into(),
                    id.to_string().into(),
                ],
            ))
            .await?;
        if !already.is_empty() {
            return Err(StoreError::conflict(
                ConflictKind::Member,
                id,
                format!("already a member of {} {}", kind.as_str(), head.name),
            ));
        }
        let one = std::slice::from_ref(id);
        self.require_components(tx, one).await?;
        self.check_namespace(tx, kind, &head, one).await?;
        self.insert_members(tx, kind, &head, one).await
    }

    async fn remove_member(&self, kind: Kind, name: &str, id: &Xname) -> Result<bool> {
        let n = write_tx!(self, |tx| {
            let head = self.require_head(&mut tx, kind, name).await?;
            tx.execute(self.sql(
                "DELETE FROM group_members WHERE kind = $1 AND name = $2 AND component_id = $3",
                vec![
                    kind.as_str().into(),
                    head.name.into(),
                    id.to_string().into(),
                ],
            ))
            .await
        })?;
        Ok(n > 0)
    }

    async fn read_group(&self, kind: Kind, name: &str) -> Result<Option<(Head, Vec<Xname>)>> {
        let name = lookup_name(kind, name)?;
        let mut tx = self.backend.begin_read().await?;
        let Some(head) = self.head(&mut tx, kind, &name, false).await? else {
            return Ok(None);
        };
        let members = self.members(&mut tx, kind, &head.name).await?;
        tx.commit().await?;
        Ok(Some((head, members)))
    }

    /// The groups or partitions `filter` admits, with their members in its partition scope,
    /// read in one transaction.
    async fn read_all(&self, kind: Kind, filter: &GroupFilter) -> Result<Vec<(Head, Vec<Xname>)>> {
        let mut tx = self.backend.begin_read().await?;
        let mut heads_sql = self.sql(
            "SELECT name, description, exclusive_group, tags FROM component_groups WHERE kind = $1",
            vec![kind.as_str().into()],
        );
        let mut members_sql = self.sql(
            "SELECT name, component_id FROM group_members WHERE kind = $1",
            vec![kind.as_str().into()],
        );
        if !filter.names.is_empty() {
            heads_sql.push(" AND name").in_list(filter.names.clone());
            members_sql.push(" AND name").in_list(filter.names.clone());
        }
        let heads = tx.fetch(heads_sql).await?;
        let members = tx.fetch(members_sql).await?;
        let partitioned = self.partitioned(&mut tx, &filter.partition).await?;
        tx.commit().await?;
        let mut by_group: BTreeMap<String, Vec<Xname>> = BTreeMap::new();
        for r in &members {
            by_group
                .entry(rows::req_text(r, 0, "group name")?)
                .or_default()
                .push(rows::xname(r, 1, "member id")?);
        }
        let mut out = Vec::with_capacity(heads.len());
        for r in &heads {
            let head = Head {
                name: rows::req_text(r, 0, "group name")?,
                description: r.text(1)?.unwrap_or_default(),
                exclusive_group: r.text(2)?.unwrap_or_default(),
                tags: from_json("group tags", r.json(3)?)?,
            };
            if !filter.admits(&head.name, &head.tags) {
                continue;
            }
            let mut members = Members {
                ids: by_group.remove(&head.name).unwrap_or_default(),
            };
            filter.partition.apply(&mut members, &partitioned);
            members.ids.sort();
            out.push((head, members.ids));
        }
        // Partitions are xnames (p2 before p10); labels sort as text.
        out.sort_by(
            |a, b| match (a.0.name.parse::<Xname>(), b.0.name.parse::<Xname>()) {
                (Ok(x), Ok(y)) if kind == Kind::Partition => x.cmp(&y),
                _ => a.0.name.cmp(&b.0.name),
            },
        );
        Ok(out)
    }

    /// The members a partition scope is decided against: those of its partition, or of every
    /// partition for `partition=NULL`.
    async fn partitioned<C: Conn>(
        &self,
        conn: &mut C,
        scope: &PartitionScope,
    ) -> Result<BTreeSet<Xname>> {
        let sql = match scope {
            PartitionScope::Any => return Ok(BTreeSet::new()),
            PartitionScope::In(name) => self.sql(
                "SELECT component_id FROM group_members WHERE kind = 'partition' AND name = $1",
                vec![name.clone().into()],
            ),
            PartitionScope::InNone => self.sql(
                "SELECT component_id FROM group_members WHERE kind = 'partition'",
                vec![],
            ),
        };
        conn.fetch(sql)
            .await?
            .iter()
            .map(|r| rows::xname(r, 0, "member id"))
            .collect()
    }

    /// Memberships of the given component ids (all of them, in order).
    async fn memberships_of<C: Conn>(
        &self,
        conn: &mut C,
        ids: Vec<Xname>,
    ) -> Result<Vec<Membership>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut sql = self.sql(
            "SELECT component_id, kind, name FROM group_members WHERE component_id",
            vec![],
        );
        sql.in_list(ids.iter().map(Xname::to_string).collect());
        let rows = conn.fetch(sql).await?;
        let mut out: BTreeMap<Xname, Membership> = ids
            .into_iter()
            .map(|id| {
                (
                    id,
                    Membership {
                        id,
                        group_labels: vec![],
                        partition_name: String::new(),
                    },
                )
            })
            .collect();
        for r in &rows {
            let id = rows::xname(r, 0, "member id")?;
            let name = rows::req_text(r, 2, "group name")?;
            if let Some(m) = out.get_mut(&id) {
                if r.text(1)?.as_deref() == Some("partition") {
                    m.partition_name = name;
                } else {
                    m.group_labels.push(name);
                }
            }
        }
        Ok(out
            .into_values()
            .map(|mut m| {
                m.group_labels.sort();
                m
            })
            .collect())
    }
}

fn group_of(head: Head, ids: Vec<Xname>) -> Group {
    Group {
        label: head.name,
        description: head.description,
        exclusive_group: head.exclusive_group,
        tags: head.tags,
        members: Members { ids },
    }
}

fn partition_of(head: Head, ids: Vec<Xname>) -> Partition {
    Partition {
        name: head.name,
        description: head.description,
        tags: head.tags,
        members: Members { ids },
    }
}

impl<B: Backend> SqlStore<B> {
    /// One group or partition, built by `of`.
    async fn get_as<T: Send>(
        &self,
        kind: Kind,
        name: &str,
        of: fn(Head, Vec<Xname>) -> T,
    ) -> Result<Option<T>> {
        Ok(self
            .read_group(kind, name)
            .await?
            .map(|(h, ids)| of(h, ids)))
    }

    /// Every group or partition, built by `of`.
    async fn list_as<T: Send>(
        &self,
        kind: Kind,
        filter: &GroupFilter,
        of: fn(Head, Vec<Xname>) -> T,
    ) -> Result<Vec<T>> {
        let all = self.read_all(kind, filter).await?;
        Ok(all.into_iter().map(|(h, ids)| of(h, ids)).collect())
    }
}

#[async_trait]
impl<B: Backend> GroupStore for SqlStore<B> {
    async fn get_group(&self, label: &str) -> Result<Option<Group>> {
        self.get_as(Kind::Group, label, group_of).await
    }

    async fn list_groups(&self, filter: &GroupFilter) -> Result<Vec<Group>> {
        self.list_as(Kind::Group, filter, group_of).await
    }

    async fn create_group(&self, group: &Group) -> Result<()> {
        let mut g = group.clone();
        g.normalize()?;
        let head = Head {
            name: g.label,
            description: g.description,
            exclusive_group: g.exclusive_group,
            tags: g.tags,
        };
        self.create(Kind::Group, head, g.members.ids).await
    }

    async fn patch_group(&self, label: &str, patch: &GroupPatch) -> Result<()> {
        self.patch(Kind::Group, label, patch).await
    }

    async fn delete_group(&self, label: &str) -> Result<bool> {
        self.delete(Kind::Group, label).await
    }

    async fn add_group_member(&self, label: &str, id: &Xname) -> Result<()> {
        self.add_member(Kind::Group, label, id).await
    }

    async fn remove_group_member(&self, label: &str, id: &Xname) -> Result<bool> {
        self.remove_member(Kind::Group, label, id).await
    }

    async fn replace_group_members(&self, label: &str, ids: &[Xname]) -> Result<()> {
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        write_tx!(self, |tx| {
            let head = self.require_head(&mut tx, Kind::Group, label).await?;
            self.require_components(&mut tx, &ids).await?;
            self.check_namespace(&mut tx, Kind::Group, &head, &ids)
                .await?;
            let mut sql = self.sql(
                "DELETE FROM group_members WHERE kind = 'group' AND name = ",
                vec![],
            );
            sql.bind(head.name.clone());
            if !ids.is_empty() {
                sql.push(" AND NOT component_id");
                sql.in_list(ids.iter().map(Xname::to_string).collect());
            }
            tx.execute(sql).await?;
            self.insert_members(&mut tx, Kind::Group, &head, &ids).await
        })
    }

    async fn get_partition(&self, name: &str) -> Result<Option<Partition>> {
        self.get_as(Kind::Partition, name, partition_of).await
    }

    async fn list_partitions(&self, filter: &GroupFilter) -> Result<Vec<Partition>> {
        self.list_as(Kind::Partition, filter, partition_of).await
    }

    async fn create_partition(&self, partition: &Partition) -> Result<()> {
        let mut p = partition.clone();
        p.normalize()?;
        let head = Head {
            name: p.name,
            description: p.description,
            exclusive_group: String::new(),
            tags: p.tags,
        };
        self.create(Kind::Partition, head, p.members.ids).await
    }

    async fn patch_partition(&self, name: &str, patch: &GroupPatch) -> Result<()> {
        self.patch(Kind::Partition, name, patch).await
    }

    async fn delete_partition(&self, name: &str) -> Result<bool> {
        self.delete(Kind::Partition, name).await
    }

    async fn add_partition_member(&self, name: &str, id: &Xname) -> Result<()> {
        self.add_member(Kind::Partition, name, id).await
    }

    async fn remove_partition_member(&self, name: &str, id: &Xname) -> Result<bool> {
        self.remove_member(Kind::Partition, name, id).await
    }

    async fn list_memberships(&self, filter: &ComponentFilter) -> Result<Vec<Membership>> {
        let mut tx = self.backend.begin_read().await?;
        let mut sql = self.sql("SELECT c.id FROM components c WHERE true", vec![]);
        filter::component_conditions(&mut sql, filter);
        let ids = tx
            .fetch(sql)
            .await?
            .iter()
            .map(|r| rows::xname(r, 0, "component id"))
            .collect::<Result<Vec<_>>>()?;
        let out = self.memberships_of(&mut tx, ids).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn get_membership(&self, id: &Xname) -> Result<Option<Membership>> {
        let mut tx = self.backend.begin_read().await?;
        let exists = tx
            .fetch(self.sql(
                "SELECT 1 FROM components WHERE id = $1",
                vec![id.to_string().into()],
            ))
            .await?;
        if exists.is_empty() {
            return Ok(None);
        }
        let out = self.memberships_of(&mut tx, vec![*id]).await?;
        tx.commit().await?;
        Ok(out.into_iter().next())
    }
}
