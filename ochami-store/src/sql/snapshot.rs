//! [`SnapshotStore`] on SQL: an export reads every table inside one read transaction
//! (SQLite: one WAL read snapshot; Postgres: `REPEATABLE READ READ ONLY`), one table at a
//! time, so memory holds one table's rows at most; an import is one write transaction of
//! bulk statements (a few per thousand rows).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use ochami_core::cloud_init::{ClusterDefaults, GroupData, NodeData};
use ochami_core::{
    Component, ComponentEndpoint, EthernetInterface, Group, HardwareRecord, Members, Partition,
    RedfishEndpoint, Xname,
};
use serde_json::json;

use super::boot::{config_at, key_cols, key_of};
use super::driver::{Backend, ColType, Conn, Dialect, SqlRow, Tx, Val};
use super::rows::{self, from_json, to_json};
use super::{SqlStore, write_tx};
use crate::boot::checked;
use crate::snapshot::{Entry, EntrySink, ImportMode, SnapshotStore};
use crate::{BootConfig, BootKey, EndpointAccess, Result, StoreError};

/// Rows per bulk statement of an import.
const BATCH: usize = 2000;

/// Every table, children first: the order a replace deletes in.
const TABLES: &[&str] = &[
    "group_members",
    "component_groups",
    "ethernet_interface_ips",
    "ethernet_interfaces",
    "component_endpoints",
    "hardware",
    "redfish_endpoints",
    "boot_params",
    "boot_selectors",
    "boot_configurations",
    "endpoint_access",
    "cloud_init_groups",
    "cloud_init_nodes",
    "cloud_init_defaults",
    "components",
];

/// Text column `col` of a row source read as JSON in `dialect`.
fn json_of(dialect: Dialect, col: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("CAST({col} AS jsonb)"),
        Dialect::Sqlite => col.to_owned(),
    }
}

impl<B: Backend> SqlStore<B> {
    async fn export_in<C: Conn>(
        &self,
        tx: &mut C,
        sink: &mut EntrySink<'_>,
        with_credentials: bool,
    ) -> Result<()> {
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(rows::COMPONENT_COLS).push(" FROM components");
        let mut components = tx
            .fetch(sql)
            .await?
            .iter()
            .map(rows::component)
            .collect::<Result<Vec<Component>>>()?;
        components.sort_unstable_by_key(|c| c.id);
        components
            .into_iter()
            .try_for_each(|c| sink(Entry::Component(c)))?;

        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(rows::REDFISH_COLS).push(" FROM redfish_endpoints");
        let mut endpoints = tx
            .fetch(sql)
            .await?
            .iter()
            .map(rows::redfish_endpoint)
            .collect::<Result<Vec<RedfishEndpoint>>>()?;
        endpoints.sort_unstable_by_key(|e| e.id);
        let mut passwords: HashMap<String, String> = HashMap::new();
        if with_credentials {
            let found = tx
                .fetch(self.sql(
                    "SELECT id, password FROM redfish_endpoints WHERE password <> ''",
                    vec![],
                ))
                .await?;
            for r in &found {
                let id = rows::req_text(r, 0, "RedfishEndpoint ID")?;
                let stored = r.text(1)?.unwrap_or_default();
                let clear = crate::secret::reveal(self.secret.as_ref(), &id, &stored)?;
                passwords.insert(id, clear);
            }
        }
        for mut ep in endpoints {
            ep.password = passwords.remove(&ep.id.to_string()).unwrap_or_default();
            sink(Entry::RedfishEndpoint(ep))?;
        }

        let mut ces: Vec<ComponentEndpoint> = self
            .payloads_in(
                tx,
                "ComponentEndpoint",
                "SELECT payload FROM component_endpoints",
            )
            .await?;
        ces.sort_unstable_by_key(|c| c.id);
        ces.into_iter()
            .try_for_each(|c| sink(Entry::ComponentEndpoint(c)))?;

        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(rows::ETH_COLS).push(" FROM ethernet_interfaces");
        let mut ifaces = tx
            .fetch(sql)
            .await?
            .iter()
            .map(rows::ethernet_interface)
            .collect::<Result<Vec<EthernetInterface>>>()?;
        ifaces.sort_unstable_by_key(|e| e.mac_address);
        ifaces
            .into_iter()
            .try_for_each(|e| sink(Entry::EthernetInterface(e)))?;

        let mut hw: Vec<HardwareRecord> = self
            .payloads_in(tx, "hardware", "SELECT payload FROM hardware")
            .await?;
        hw.sort_unstable_by_key(|h| h.id);
        hw.into_iter().try_for_each(|h| sink(Entry::Hardware(h)))?;

        self.export_groups(tx, sink).await?;

        let found = tx
            .fetch(self.sql(
                "SELECT kernel, initrd, params, cloud_init, kind, name FROM boot_params",
                vec![],
            ))
            .await?;
        let boot = found
            .iter()
            .map(|r| {
                Ok((
                    key_of(r.text(4)?.as_deref(), rows::req_text(r, 5, "boot name")?)?,
                    config_at(r, 0)?,
                ))
            })
            .collect::<Result<Vec<(BootKey, BootConfig)>>>()?;
        drop(found);
        BootConfig::group(boot)
            .into_iter()
            .try_for_each(|bp| sink(Entry::BootParams(bp)))?;

        let found = tx
            .fetch(self.sql(
                "SELECT name, endpoint, last_epoch FROM endpoint_access",
                vec![],
            ))
            .await?;
        let mut access = found
            .iter()
            .map(|r| {
                Ok(EndpointAccess {
                    name: rows::req_text(r, 0, "access name")?,
                    endpoint: rows::req_text(r, 1, "access endpoint")?,
                    last_epoch: r.int(2)?.unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        access.sort_unstable_by(|a, b| (&a.name, &a.endpoint).cmp(&(&b.name, &b.endpoint)));
        access
            .into_iter()
            .try_for_each(|a| sink(Entry::EndpointAccess(a)))?;

        let mut groups: Vec<GroupData> = self
            .payloads_in(
                tx,
                "cloud-init group data",
                "SELECT payload FROM cloud_init_groups",
            )
            .await?;
        groups.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        groups
            .into_iter()
            .try_for_each(|g| sink(Entry::CloudInitGroup(g)))?;

        let found = tx
            .fetch(self.sql(super::cloud_init::ALL_NODE_DATA, vec![]))
            .await?;
        let nodes = super::cloud_init::node_data_rows(&found)?;
        drop(found);
        nodes
            .into_iter()
            .try_for_each(|(_, d)| sink(Entry::CloudInitNode(d)))?;

        let mut defaults: Vec<ClusterDefaults> = self
            .payloads_in(
                tx,
                "cloud-init cluster defaults",
                "SELECT payload FROM cloud_init_defaults WHERE id = 1",
            )
            .await?;
        sink(Entry::CloudInitDefaults(defaults.pop().unwrap_or_default()))?;
        self.configurations_in(tx)
            .await?
            .into_iter()
            .try_for_each(|c| sink(Entry::BootConfiguration(c)))
    }

    async fn payloads_in<C: Conn, T: serde::de::DeserializeOwned>(
        &self,
        tx: &mut C,
        what: &'static str,
        text: &'static str,
    ) -> Result<Vec<T>> {
        let found = tx.fetch(self.sql(text, vec![])).await?;
        found.iter().map(|r| from_json(what, r.json(0)?)).collect()
    }

    async fn export_groups<C: Conn>(&self, tx: &mut C, sink: &mut EntrySink<'_>) -> Result<()> {
        let members = tx
            .fetch(self.sql("SELECT kind, name, component_id FROM group_members", vec![]))
            .await?;
        let mut by_group: HashMap<(String, String), Vec<Xname>> = HashMap::new();
        for r in &members {
            by_group
                .entry((
                    rows::req_text(r, 0, "group kind")?,
                    rows::req_text(r, 1, "group name")?,
                ))
                .or_default()
                .push(rows::xname(r, 2, "member id")?);
        }
        drop(members);
        let heads = tx
            .fetch(self.sql(
                "SELECT kind, name, description, exclusive_group, tags FROM component_groups",
                vec![],
            ))
            .await?;
        let mut groups = BTreeMap::new();
        let mut partitions = BTreeMap::new();
        for r in &heads {
            let kind = rows::req_text(r, 0, "group kind")?;
            let name = rows::req_text(r, 1, "group name")?;
            let mut ids = by_group
                .remove(&(kind.clone(), name.clone()))
                .unwrap_or_default();
            ids.sort_unstable();
            let description = r.text(2)?.unwrap_or_default();
            let tags: Vec<String> = from_json("group tags", r.json(4)?)?;
            if kind == "partition" {
                let key: Xname = name
                    .parse()
                    .map_err(|e| rows::corrupt("partition name", e))?;
                partitions.insert(
                    key,
                    Partition {
                        name,
                        description,
                        tags,
                        members: Members { ids },
                    },
                );
            } else {
                let exclusive_group = r.text(3)?.unwrap_or_default();
                groups.insert(
                    name.clone(),
                    Group {
                        label: name,
                        description,
                        exclusive_group,
                        tags,
                        members: Members { ids },
                    },
                );
            }
        }
        groups
            .into_values()
            .try_for_each(|g| sink(Entry::Group(g)))?;
        partitions
            .into_values()
            .try_for_each(|p| sink(Entry::Partition(p)))
    }

    async fn import_in<C: Conn>(
        &self,
        tx: &mut C,
        entries: &[Entry],
        mode: ImportMode,
    ) -> Result<()> {
        if mode == ImportMode::Replace {
            for table in TABLES {
                let text = format!("DELETE FROM {table}");
                let mut sql = self.sql("", vec![]);
                sql.push(&text);
                tx.execute(sql).await?;
            }
        }
        let mut components = Vec::new();
        let mut ifaces = Vec::new();
        let mut nodes = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            // Bulk kinds are written when the next kind starts (entries come grouped).
            if !matches!(e, Entry::Component(_)) && !components.is_empty() {
                self.import_components(tx, std::mem::take(&mut components))
                    .await?;
            }
            if !matches!(e, Entry::EthernetInterface(_)) && !ifaces.is_empty() {
                self.import_ifaces(tx, &std::mem::take(&mut ifaces)).await?;
            }
            if !matches!(e, Entry::CloudInitNode(_)) && !nodes.is_empty() {
                self.import_nodes(tx, &std::mem::take(&mut nodes)).await?;
            }
            match e {
                Entry::Component(c) => {
                    let mut c = c.clone();
                    c.normalize();
                    components.push(c);
                }
                // A snapshot without a password keeps the stored one (merge).
                Entry::RedfishEndpoint(ep) => self.write_redfish_endpoint(tx, ep).await?,
                Entry::ComponentEndpoint(ce) => self.write_component_endpoint(tx, ce).await?,
                Entry::EthernetInterface(iface) => ifaces.push(iface),
                Entry::Hardware(h) => self.write_hardware(tx, h).await?,
                Entry::Group(g) => {
                    let mut g = g.clone();
                    g.normalize().map_err(|e| StoreError::invalid(Some(i), e))?;
                    let ns = if g.exclusive_group.is_empty() {
                        format!("g:{}", g.label)
                    } else {
                        format!("x:{}", g.exclusive_group)
                    };
                    self.import_group(
                        tx,
                        "group",
                        &g.label,
                        &g.description,
                        &g.exclusive_group,
                        &g.tags,
                        &g.members.ids,
                        &ns,
                    )
                    .await?;
                }
                Entry::Partition(p) => {
                    let mut p = p.clone();
                    p.normalize().map_err(|e| StoreError::invalid(Some(i), e))?;
                    self.import_group(
                        tx,
                        "partition",
                        &p.name,
                        &p.description,
                        "",
                        &p.tags,
                        &p.members.ids,
                        "p:",
                    )
                    .await?;
                }
                Entry::BootParams(bp) => {
                    let (bp, keys) =
                        BootKey::normalized(bp).map_err(|e| StoreError::invalid(Some(i), e))?;
                    self.import_boot(tx, &keys, &BootConfig::of(&bp)).await?;
                }
                Entry::BootConfiguration(c) => {
                    let c = checked(c).map_err(|e| match e {
                        StoreError::Invalid { source, .. } => StoreError::invalid(Some(i), source),
                        other => other,
                    })?;
                    self.put_configuration_in(tx, &c).await?;
                }
                Entry::EndpointAccess(a) => {
                    tx.execute(self.sql(
                        "INSERT INTO endpoint_access (name, endpoint, last_epoch) VALUES ($1, $2, $3) \
                         ON CONFLICT (name, endpoint) DO UPDATE SET last_epoch = excluded.last_epoch",
                        vec![a.name.clone().into(), a.endpoint.clone().into(), a.last_epoch.into()],
                    ))
                    .await?;
                }
                Entry::CloudInitGroup(g) => {
                    tx.execute(self.sql(
                        "INSERT INTO cloud_init_groups (name, payload) VALUES ($1, $2) \
                         ON CONFLICT (name) DO UPDATE SET payload = excluded.payload",
                        vec![g.name.clone().into(), Val::Json(Some(to_json(g)?))],
                    ))
                    .await?;
                }
                Entry::CloudInitNode(d) => {
                    if d.id.is_none() {
                        return Err(StoreError::invalid(
                            Some(i),
                            ochami_core::Error::MissingField { field: "id" },
                        ));
                    }
                    nodes.push(d);
                }
                Entry::CloudInitDefaults(d) => {
                    tx.execute(self.sql(
                        "INSERT INTO cloud_init_defaults (id, payload) VALUES (1, $1) \
                         ON CONFLICT (id) DO UPDATE SET payload = excluded.payload",
                        vec![Val::Json(Some(to_json(d)?))],
                    ))
                    .await?;
                }
            }
        }
        self.import_components(tx, components).await?;
        self.import_ifaces(tx, &ifaces).await?;
        self.import_nodes(tx, &nodes).await
    }

    async fn import_components<C: Conn>(&self, tx: &mut C, rows: Vec<Component>) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            self.replace_components(tx, chunk).await?;
        }
        Ok(())
    }

    async fn import_ifaces<C: Conn>(
        &self,
        tx: &mut C,
        ifaces: &[&EthernetInterface],
    ) -> Result<()> {
        use ColType::{Int, Text};
        for chunk in ifaces.chunks(BATCH) {
            let mut data = Vec::with_capacity(chunk.len());
            let mut ips = Vec::new();
            for e in chunk {
                data.push(json!([
                    e.id,
                    e.mac_address.to_string(),
                    e.description,
                    e.last_update,
                    e.component_id.map(|c| c.to_string()),
                    e.hms_type.map(|t| t.to_string()),
                    to_json(&e.ip_addresses)?,
                ]));
                for (i, ip) in e.ip_addresses.iter().enumerate() {
                    ips.push(json!([e.id, i, ip.ip_address, ip.network]));
                }
            }
            let mut sql = self.sql("INSERT INTO ethernet_interfaces (", vec![]);
            sql.push(rows::ETH_COLS)
                .push(") SELECT k.c0, k.c1, k.c2, k.c3, k.c4, k.c5, ")
                .push(&json_of(B::DIALECT, "k.c6"))
                .push(" FROM (");
            sql.rows_source(&[Text; 7], to_json(&data)?);
            sql.push(
                ") AS k WHERE true ON CONFLICT (id) DO UPDATE SET mac_address = excluded.mac_address, \
                 description = excluded.description, last_update = excluded.last_update, \
                 component_id = excluded.component_id, type = excluded.type, ip_addresses = excluded.ip_addresses",
            );
            tx.execute(sql).await?;
            let mut sql = self.sql(
                "DELETE FROM ethernet_interface_ips WHERE interface_id",
                vec![],
            );
            sql.in_list(chunk.iter().map(|e| e.id.clone()).collect());
            tx.execute(sql).await?;
            if !ips.is_empty() {
                let mut sql = self.sql(
                    "INSERT INTO ethernet_interface_ips (interface_id, position, ip_address, network) ",
                    vec![],
                );
                sql.rows_source(&[Text, Int, Text, Text], to_json(&ips)?);
                tx.execute(sql).await?;
            }
        }
        Ok(())
    }

    async fn import_nodes<C: Conn>(&self, tx: &mut C, nodes: &[&NodeData]) -> Result<()> {
        for chunk in nodes.chunks(BATCH) {
            let data = chunk
                .iter()
                .map(|d| Ok(json!([d.id.map(|id| id.to_string()), to_json(d)?])))
                .collect::<Result<Vec<_>>>()?;
            let mut sql = self.sql(
                "INSERT INTO cloud_init_nodes (id, payload) SELECT k.c0, ",
                vec![],
            );
            sql.push(&json_of(B::DIALECT, "k.c1")).push(" FROM (");
            sql.rows_source(&[ColType::Text; 2], to_json(&data)?);
            sql.push(") AS k WHERE true ON CONFLICT (id) DO UPDATE SET payload = excluded.payload");
            tx.execute(sql).await?;
        }
        Ok(())
    }

    async fn import_boot<C: Conn>(
        &self,
        tx: &mut C,
        keys: &[BootKey],
        c: &BootConfig,
    ) -> Result<()> {
        for chunk in keys.chunks(BATCH) {
            let data: Vec<serde_json::Value> = chunk
                .iter()
                .map(|k| {
                    let (kind, name) = key_cols(k);
                    json!([kind, name])
                })
                .collect();
            let mut sql = self.sql(
                "INSERT INTO boot_params (kind, name, kernel, initrd, params, cloud_init) SELECT k.c0, k.c1, ",
                vec![],
            );
            sql.bind(c.kernel.clone())
                .push(", ")
                .bind(c.initrd.clone())
                .push(", ");
            sql.bind(c.params.clone()).push(", ");
            sql.bind(Val::Json(Some(to_json(&c.cloud_init)?)))
                .push(" FROM (");
            sql.rows_source(&[ColType::Text; 2], to_json(&data)?);
            sql.push(
                ") AS k WHERE true ON CONFLICT (kind, name) DO UPDATE SET kernel = excluded.kernel, \
                 initrd = excluded.initrd, params = excluded.params, cloud_init = excluded.cloud_init",
            );
            tx.execute(sql).await?;
        }
        Ok(())
    }

    /// Create or replace one group or partition whole: head, then exactly `ids` as members.
    #[allow(clippy::too_many_arguments)]
    async fn import_group<C: Conn>(
        &self,
        tx: &mut C,
        kind: &'static str,
        name: &str,
        description: &str,
        exclusive_group: &str,
        tags: &[String],
        ids: &[Xname],
        namespace: &str,
    ) -> Result<()> {
        tx.execute(self.sql(
            "INSERT INTO component_groups (kind, name, description, exclusive_group, tags) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (kind, name) DO UPDATE SET description = excluded.description, \
             exclusive_group = excluded.exclusive_group, tags = excluded.tags",
            vec![
                kind.into(),
                name.into(),
                description.into(),
                exclusive_group.into(),
                Val::Json(Some(to_json(tags)?)),
            ],
        ))
        .await?;
        tx.execute(self.sql(
            "DELETE FROM group_members WHERE kind = $1 AND name = $2",
            vec![kind.into(), name.into()],
        ))
        .await?;
        if ids.is_empty() {
            return Ok(());
        }
        let data: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| json!([kind, name, id.to_string(), namespace]))
            .collect();
        let mut sql = self.sql(
            "INSERT INTO group_members (kind, name, component_id, namespace) ",
            vec![],
        );
        sql.rows_source(&[ColType::Text; 4], to_json(&data)?);
        tx.execute(sql).await.map(|_| ())
    }
}

#[async_trait]
impl<B: Backend> SnapshotStore for SqlStore<B> {
    async fn export_entries(&self, sink: &mut EntrySink<'_>) -> Result<()> {
        let mut tx = self.backend.begin_read().await?;
        self.export_in(&mut tx, sink, false).await?;
        tx.commit().await
    }

    async fn export_entries_with_credentials(&self, sink: &mut EntrySink<'_>) -> Result<()> {
        let mut tx = self.backend.begin_read().await?;
        self.export_in(&mut tx, sink, true).await?;
        tx.commit().await
    }

    async fn import_entries(&self, entries: &[Entry], mode: ImportMode) -> Result<()> {
        write_tx!(self, |tx| self.import_in(&mut tx, entries, mode).await)
    }
}
