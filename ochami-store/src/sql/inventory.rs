//! [`InventoryStore`] on SQL: Redfish endpoints, component endpoints, ethernet interfaces
//! (with their IPs in a child table for look-ups by IP) and hardware.

use std::collections::HashMap;

use async_trait::async_trait;
use ochami_core::ingest::Inventory;
use ochami_core::{
    Component, ComponentEndpoint, EthernetInterface, HardwareFilter, HardwareJson, HardwareRecord,
    HmsType, IpAddressEntry, MacAddr, RedfishEndpoint, State, Xname,
};

use super::components::prepare_components;
use super::driver::{Backend, Conn, Sql, SqlRow, Val};
use super::rows::{self, COMPONENT_COLS, ETH_COLS, ETH_COLS_E, REDFISH_COLS, to_json};
use super::{SqlStore, write_tx};
use crate::ip_list::IpEdit;
use crate::{
    ComponentEndpointFilter, ConflictKind, EthernetInterfaceFilter, EthernetInterfacePatch,
    InventoryStore, Record, RedfishEndpointFilter, Result, StoreError,
};

/// Now, as an RFC 3339 UTC time with microseconds (an interface's `LastUpdate`).
pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl<B: Backend> SqlStore<B> {
    /// Apply `edit` to the IPs of interface `mac` in one transaction, the row locked, the JSON
    /// column and `ethernet_interface_ips` rewritten together; whether they changed (an
    /// unchanged interface is not rewritten). NotFound when the interface is absent.
    async fn edit_ethernet_interface_ips(&self, mac: &MacAddr, edit: &IpEdit<'_>) -> Result<bool> {
        write_tx!(self, |tx| {
            let Some(mut e) = self.read_ethernet_interface(&mut tx, mac, true).await? else {
                return Err(StoreError::not_found(
                    Record::EthernetInterface,
                    mac.to_id(),
                ));
            };
            if !edit.apply(&mut e)? {
                return Ok(false);
            }
            let e = prepare_interface(&e, None)?;
            self.write_ethernet_interface(&mut tx, &e, true).await?;
            Ok(true)
        })
    }

    /// Who holds `fqdn`, other than `id`.
    async fn fqdn_holder<C: Conn>(
        &self,
        tx: &mut C,
        fqdn: &str,
        id: Option<&Xname>,
    ) -> Result<Option<String>> {
        let mut sql = self.sql("SELECT id FROM redfish_endpoints WHERE fqdn = ", vec![]);
        sql.bind(fqdn);
        if let Some(id) = id {
            sql.push(" AND id <> ").bind(id.to_string());
        }
        tx.fetch(sql)
            .await?
            .first()
            .map(|r| rows::req_text(r, 0, "RedfishEndpoint ID"))
            .transpose()
    }

    /// Insert or replace one endpoint (its FQDN already checked). Its password is encrypted
    /// when the store has a key; an empty one keeps the stored password (write-only
    /// credentials survive a read-modify-write).
    pub(super) async fn write_redfish_endpoint<C: Conn>(
        &self,
        tx: &mut C,
        ep: &RedfishEndpoint,
    ) -> Result<()> {
        let mut values = rows::redfish_values(ep);
        values[9] = self.stored_password(ep)?.into();
        let mut sql = self.sql("INSERT INTO redfish_endpoints (", vec![]);
        sql.push(REDFISH_COLS).push(") VALUES (");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(v);
        }
        sql.push(
            ") ON CONFLICT (id) DO UPDATE SET type = excluded.type, name = excluded.name, \
             hostname = excluded.hostname, domain = excluded.domain, fqdn = excluded.fqdn, \
             enabled = excluded.enabled, uuid = excluded.uuid, username = excluded.username, \
             password = CASE WHEN excluded.password = '' THEN redfish_endpoints.password ELSE excluded.password END, \
             use_ssdp = excluded.use_ssdp, mac_required = excluded.mac_required, \
             mac_addr = excluded.mac_addr, ip_address = excluded.ip_address, \
             rediscover_on_update = excluded.rediscover_on_update, template_id = excluded.template_id, \
             last_discovery_attempt = excluded.last_discovery_attempt, \
             last_discovery_status = excluded.last_discovery_status, redfish_version = excluded.redfish_version",
        );
        tx.execute(sql).await.map(|_| ())
    }

    /// The `INSERT` of one interface's row, without its conflict clause. `LastUpdate` is
    /// now when `stamp` (or when it has none).
    fn interface_insert(&self, e: &EthernetInterface, stamp: bool) -> Result<Sql> {
        let mut sql = self.sql("INSERT INTO ethernet_interfaces (", vec![]);
        sql.push(ETH_COLS).push(") VALUES (");
        sql.bind(e.id.clone())
            .push(", ")
            .bind(e.mac_address.to_string())
            .push(", ");
        sql.bind(e.description.clone()).push(", ");
        let last_update = if stamp || e.last_update.is_empty() {
            now_rfc3339()
        } else {
            e.last_update.clone()
        };
        sql.bind(last_update).push(", ");
        sql.bind(Val::Text(e.component_id.map(|c| c.to_string())))
            .push(", ");
        sql.bind(Val::Text(e.hms_type.map(|t| t.to_string())))
            .push(", ");
        sql.bind(Val::Json(Some(to_json(&e.ip_addresses)?)));
        sql.push(")");
        Ok(sql)
    }

    /// Insert or replace one interface with its IP rows. `LastUpdate` moves when the IP list
    /// changes (or the interface is new and has none).
    pub(super) async fn write_ethernet_interface<C: Conn>(
        &self,
        tx: &mut C,
        e: &EthernetInterface,
        stamp: bool,
    ) -> Result<()> {
        let mut sql = self.interface_insert(e, stamp)?;
        sql.push(
            " ON CONFLICT (id) DO UPDATE SET mac_address = excluded.mac_address, \
             description = excluded.description, last_update = excluded.last_update, \
             component_id = excluded.component_id, type = excluded.type, ip_addresses = excluded.ip_addresses",
        );
        tx.execute(sql).await?;
        self.write_interface_ips(tx, e).await
    }

    /// Insert one new interface with its IP rows. Its MAC stored already is a conflict
    /// ([`ConflictKind::MacAddress`]), also when another writer stored it after this
    /// transaction looked (the unique key decides, not an earlier read).
    pub(super) async fn insert_new_ethernet_interface<C: Conn>(
        &self,
        tx: &mut C,
        e: &EthernetInterface,
    ) -> Result<()> {
        let mut sql = self.interface_insert(e, true)?;
        sql.push(" ON CONFLICT (id) DO NOTHING");
        if tx.execute(sql).await? == 0 {
            return Err(StoreError::conflict(
                ConflictKind::MacAddress,
                e.mac_address,
                "an ethernet interface with this MAC already exists",
            ));
        }
        self.write_interface_ips(tx, e).await
    }

    /// Replace the IP rows of interface `e` with its IP list.
    async fn write_interface_ips<C: Conn>(&self, tx: &mut C, e: &EthernetInterface) -> Result<()> {
        tx.execute(self.sql(
            "DELETE FROM ethernet_interface_ips WHERE interface_id = $1",
            vec![e.id.clone().into()],
        ))
        .await?;
        if !e.ip_addresses.is_empty() {
            let data: Vec<serde_json::Value> = e
                .ip_addresses
                .iter()
                .enumerate()
                .map(|(i, ip)| serde_json::json!([e.id, i, ip.ip_address, ip.network]))
                .collect();
            let mut sql = self.sql(
                "INSERT INTO ethernet_interface_ips (interface_id, position, ip_address, network) ",
                vec![],
            );
            use super::driver::ColType::{Int, Text};
            sql.rows_source(&[Text, Int, Text, Text], to_json(&data)?);
            tx.execute(sql).await?;
        }
        Ok(())
    }

    /// Ingest's component rule: a new component is inserted as discovered; an existing one
    /// keeps everything unless `force` (State, Flag, Role and NID then come from discovery),
    /// except that an emptied one (State `Empty` or none) takes the discovered State and
    /// Flag. Only rows that change are written. Returns the rows written.
    async fn ingest_components<C: Conn>(
        &self,
        tx: &mut C,
        found: &[Component],
        force: bool,
    ) -> Result<Vec<Component>> {
        if found.is_empty() {
            return Ok(vec![]);
        }
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(COMPONENT_COLS).push(" FROM components WHERE id");
        sql.in_list(found.iter().map(|c| c.id.to_string()).collect());
        sql.push(" ORDER BY id").for_update();
        let mut current: HashMap<Xname, Component> = HashMap::new();
        for r in &tx.fetch(sql).await? {
            let c = rows::component(r)?;
            current.insert(c.id, c);
        }
        let mut changed: Vec<Xname> = Vec::new();
        for c in found {
            let merged = match current.get(&c.id) {
                None => c.clone(),
                Some(old) => {
                    let mut m = old.clone();
                    if force || matches!(old.state, None | Some(State::Empty)) {
                        m.state = c.state;
                        m.flag = c.flag;
                    }
                    if force {
                        m.role = c.role;
                        m.nid = c.nid;
                    }
                    m
                }
            };
            if current.get(&c.id) != Some(&merged) {
                if !changed.contains(&c.id) {
                    changed.push(c.id);
                }
                current.insert(c.id, merged);
            }
        }
        let rows: Vec<Component> = changed.iter().filter_map(|id| current.remove(id)).collect();
        if rows.is_empty() {
            return Ok(rows);
        }
        self.replace_components(tx, &rows).await?;
        Ok(rows)
    }

    /// The interfaces a query selects (columns [`ETH_COLS_E`]), sorted by id.
    async fn interfaces(&self, sql: Sql) -> Result<Vec<EthernetInterface>> {
        let found = self.fetch(sql).await?;
        let mut out = found
            .iter()
            .map(rows::ethernet_interface)
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    pub(super) async fn read_ethernet_interface<C: Conn>(
        &self,
        conn: &mut C,
        mac: &MacAddr,
        lock: bool,
    ) -> Result<Option<EthernetInterface>> {
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(ETH_COLS)
            .push(" FROM ethernet_interfaces WHERE id = ")
            .bind(mac.to_id());
        if lock {
            sql.for_update();
        }
        conn.fetch(sql)
            .await?
            .first()
            .map(rows::ethernet_interface)
            .transpose()
    }

    /// Delete endpoint `id` with SMD's cascade (`DeleteRFEndpointByIDSetEmpty`): its
    /// component endpoints go, the components under it become `Empty`/`OK`. False when
    /// absent.
    async fn delete_endpoint<C: Conn>(&self, tx: &mut C, id: &Xname) -> Result<bool> {
        let n = tx
            .execute(self.sql(
                "DELETE FROM redfish_endpoints WHERE id = $1",
                vec![id.to_string().into()],
            ))
            .await?;
        if n == 0 {
            return Ok(false);
        }
        let gone = tx
            .fetch(self.sql(
                "DELETE FROM component_endpoints WHERE redfish_endpoint_id = $1 RETURNING id",
                vec![id.to_string().into()],
            ))
            .await?;
        let mut ids = gone
            .iter()
            .map(|r| rows::req_text(r, 0, "ComponentEndpoint ID"))
            .collect::<Result<Vec<_>>>()?;
        // Components under the endpoint by SMD's xname-prefix rule (the BMC itself, its
        // nodes), found by prefix and checked with the domain's rule.
        let under = tx
            .fetch(self.sql(
                "SELECT id FROM components WHERE id LIKE $1",
                vec![format!("{id}%").into()],
            ))
            .await?;
        for r in &under {
            let c = rows::xname(r, 0, "component id")?;
            if id.smd_prefix_contains(&c) {
                ids.push(c.to_string());
            }
        }
        if !ids.is_empty() {
            let mut sql = self.sql(
                "UPDATE components SET state = 'Empty', flag = 'OK' WHERE id",
                vec![],
            );
            sql.in_list(ids);
            tx.execute(sql).await?;
        }
        Ok(true)
    }

    pub(super) async fn write_component_endpoint<C: Conn>(
        &self,
        tx: &mut C,
        ce: &ComponentEndpoint,
    ) -> Result<()> {
        tx.execute(self.sql(
            "INSERT INTO component_endpoints (id, type, redfish_endpoint_id, redfish_type, payload) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET type = excluded.type, \
             redfish_endpoint_id = excluded.redfish_endpoint_id, redfish_type = excluded.redfish_type, \
             payload = excluded.payload",
            vec![
                ce.id.to_string().into(),
                ce.id.hms_type().to_string().into(),
                ce.redfish_endpoint_id.to_string().into(),
                ce.redfish_type.clone().into(),
                Val::Json(Some(to_json(ce)?)),
            ],
        ))
        .await
        .map(|_| ())
    }
}

/// Normalize an interface; errors carry the row index of a bulk write.
pub(super) fn prepare_interface(
    e: &EthernetInterface,
    index: Option<usize>,
) -> Result<EthernetInterface> {
    let mut e = e.clone();
    e.normalize()
        .map_err(|err| StoreError::invalid(index, err))?;
    Ok(e)
}

fn sorted<T>(mut v: Vec<T>, key: impl Fn(&T) -> Xname) -> Vec<T> {
    v.sort_by_key(|x| key(x));
    v
}

#[async_trait]
impl<B: Backend> InventoryStore for SqlStore<B> {
    async fn get_redfish_endpoint(&self, id: &Xname) -> Result<Option<RedfishEndpoint>> {
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(REDFISH_COLS)
            .push(" FROM redfish_endpoints WHERE id = ")
            .bind(id.to_string());
        self.fetch(sql)
            .await?
            .first()
            .map(rows::redfish_endpoint)
            .transpose()
    }

    async fn list_redfish_endpoints(
        &self,
        f: &RedfishEndpointFilter,
    ) -> Result<Vec<RedfishEndpoint>> {
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(REDFISH_COLS)
            .push(" FROM redfish_endpoints WHERE true");
        let lists: [(&str, Vec<String>); 7] = [
            ("id", f.id.iter().map(Xname::to_string).collect()),
            ("fqdn", f.fqdn.clone()),
            ("type", f.hms_type.iter().map(HmsType::to_string).collect()),
            ("uuid", f.uuid.clone()),
            ("mac_addr", f.mac.iter().map(MacAddr::to_string).collect()),
            ("ip_address", f.ip.clone()),
            ("last_discovery_status", f.last_status.clone()),
        ];
        for (col, values) in lists {
            if !values.is_empty() {
                sql.push(" AND ").push(col);
                sql.in_list(values);
            }
        }
        let out = self
            .fetch(sql)
            .await?
            .iter()
            .map(rows::redfish_endpoint)
            .collect::<Result<Vec<_>>>()?;
        Ok(sorted(out, |e| e.id))
    }

    async fn insert_redfish_endpoints(&self, endpoints: &[RedfishEndpoint]) -> Result<()> {
        let mut eps = Vec::with_capacity(endpoints.len());
        for (i, ep) in endpoints.iter().enumerate() {
            let mut ep = ep.clone();
            ep.normalize()
                .map_err(|e| StoreError::invalid(Some(i), e))?;
            eps.push(ep);
        }
        write_tx!(self, |tx| {
            for (i, ep) in eps.iter().enumerate() {
                let exists = tx
                    .fetch(self.sql(
                        "SELECT 1 FROM redfish_endpoints WHERE id = $1",
                        vec![ep.id.to_string().into()],
                    ))
                    .await?;
                if !exists.is_empty() {
                    return Err(StoreError::conflict(
                        ConflictKind::Id,
                        ep.id,
                        format!("row {i}: Redfish endpoint {} already exists", ep.id),
                    ));
                }
                if let Some(other) = self.fqdn_holder(&mut tx, &ep.fqdn, None).await? {
                    return Err(StoreError::conflict(
                        ConflictKind::Fqdn,
                        &ep.fqdn,
                        format!("row {i}: already used by Redfish endpoint {other}"),
                    ));
                }
                self.write_redfish_endpoint(&mut tx, ep).await?;
            }
            Ok(())
        })
    }

    async fn put_redfish_endpoint(&self, endpoint: &RedfishEndpoint) -> Result<()> {
        let mut ep = endpoint.clone();
        ep.normalize()?;
        write_tx!(self, |tx| {
            if let Some(other) = self.fqdn_holder(&mut tx, &ep.fqdn, Some(&ep.id)).await? {
                return Err(StoreError::conflict(
                    ConflictKind::Fqdn,
                    &ep.fqdn,
                    format!("already used by Redfish endpoint {other}"),
                ));
            }
            self.write_redfish_endpoint(&mut tx, &ep).await
        })
    }

    async fn delete_redfish_endpoint(&self, id: &Xname) -> Result<bool> {
        write_tx!(self, |tx| self.delete_endpoint(&mut tx, id).await)
    }

    async fn delete_all_redfish_endpoints(&self) -> Result<u64> {
        write_tx!(self, |tx| {
            let all = tx
                .fetch(self.sql("SELECT id FROM redfish_endpoints ORDER BY id", vec![]))
                .await?;
            let mut n = 0;
            for r in &all {
                let id = rows::xname(r, 0, "RedfishEndpoint ID")?;
                n += u64::from(self.delete_endpoint(&mut tx, &id).await?);
            }
            Ok(n)
        })
    }

    async fn ingest(&self, inventory: &Inventory, force: bool) -> Result<()> {
        let mut eps = Vec::with_capacity(inventory.endpoints.len());
        for (i, ep) in inventory.endpoints.iter().enumerate() {
            let mut ep = ep.clone();
            ep.normalize()
                .map_err(|e| StoreError::invalid(Some(i), e))?;
            eps.push(ep);
        }
        let found = prepare_components(&inventory.components, false)?;
        let ifaces = inventory
            .ethernet_interfaces
            .iter()
            .enumerate()
            .map(|(i, e)| prepare_interface(e, Some(i)))
            .collect::<Result<Vec<_>>>()?;
        let result = write_tx!(self, |tx| {
            for (i, ep) in eps.iter().enumerate() {
                if let Some(other) = self.fqdn_holder(&mut tx, &ep.fqdn, Some(&ep.id)).await? {
                    return Err(StoreError::conflict(
                        ConflictKind::Fqdn,
                        &ep.fqdn,
                        format!("row {i}: already used by Redfish endpoint {other}"),
                    ));
                }
                self.write_redfish_endpoint(&mut tx, ep).await?;
            }
            self.ingest_components(&mut tx, &found, force).await?;
            for ce in &inventory.component_endpoints {
                self.write_component_endpoint(&mut tx, ce).await?;
            }
            self.prune_parts(&mut tx, &inventory.hardware).await?;
            self.write_hardware_batch(&mut tx, &inventory.hardware)
                .await?;
            let stamp = now_rfc3339();
            for (i, e) in ifaces.iter().enumerate() {
                let Some(old) = self
                    .read_ethernet_interface(&mut tx, &e.mac_address, true)
                    .await?
                else {
                    let mut e = e.clone();
                    e.last_update.clone_from(&stamp);
                    self.write_ethernet_interface(&mut tx, &e, false).await?;
                    continue;
                };
                if let (Some(owner), Some(claimed)) = (old.component_id, e.component_id)
                    && owner != claimed
                    && !force
                {
                    let mac = e.mac_address;
                    return Err(StoreError::conflict(
                        ConflictKind::MacAddress,
                        mac,
                        format!("row {i}: {claimed} claims MAC {mac}, which belongs to {owner}"),
                    ));
                }
                let mut merged = old.clone();
                if e.component_id.is_some() {
                    merged.component_id = e.component_id;
                    merged.hms_type = e.hms_type;
                }
                if !e.description.is_empty() {
                    merged.description.clone_from(&e.description);
                }
                if !e.ip_addresses.is_empty() && e.ip_addresses != merged.ip_addresses {
                    merged.ip_addresses.clone_from(&e.ip_addresses);
                    merged.last_update.clone_from(&stamp);
                }
                if merged != old {
                    self.write_ethernet_interface(&mut tx, &merged, false)
                        .await?;
                }
            }
            Ok(())
        });
        match result {
            Err(StoreError::Conflict {
                kind: ConflictKind::Nid,
                ..
            }) => Err(self.find_nid_conflict(&found, force).await),
            other => other,
        }
    }

    async fn get_component_endpoint(&self, id: &Xname) -> Result<Option<ComponentEndpoint>> {
        self.payload(
            "ComponentEndpoint",
            "SELECT payload FROM component_endpoints WHERE id = $1",
            id.to_string(),
        )
        .await
    }

    async fn list_component_endpoints(
        &self,
        f: &ComponentEndpointFilter,
    ) -> Result<Vec<ComponentEndpoint>> {
        let mut sql = self.sql("SELECT payload FROM component_endpoints WHERE true", vec![]);
        if !f.id.is_empty() {
            sql.push(" AND id");
            sql.in_list(f.id.iter().map(Xname::to_string).collect());
        }
        if !f.redfish_ep.is_empty() {
            sql.push(" AND redfish_endpoint_id");
            sql.in_list(f.redfish_ep.iter().map(Xname::to_string).collect());
        }
        if !f.hms_type.is_empty() {
            sql.push(" AND type");
            sql.in_list(f.hms_type.iter().map(HmsType::to_string).collect());
        }
        if !f.redfish_type.is_empty() {
            sql.push(" AND LOWER(redfish_type)");
            sql.in_list(
                f.redfish_type
                    .iter()
                    .map(|t| t.to_ascii_lowercase())
                    .collect(),
            );
        }
        let out: Vec<ComponentEndpoint> = self.payloads("ComponentEndpoint", sql).await?;
        Ok(sorted(out, |c| c.id))
    }

    async fn delete_component_endpoint(&self, id: &Xname) -> Result<bool> {
        self.delete_keyed(
            "DELETE FROM component_endpoints WHERE id = $1",
            id.to_string(),
        )
        .await
    }

    async fn delete_all_component_endpoints(&self) -> Result<u64> {
        self.write_one("DELETE FROM component_endpoints", vec![])
            .await
    }

    async fn get_ethernet_interface(&self, mac: &MacAddr) -> Result<Option<EthernetInterface>> {
        let mut conn = self.backend.conn().await?;
        self.read_ethernet_interface(&mut conn, mac, false).await
    }

    async fn list_ethernet_interfaces(
        &self,
        f: &EthernetInterfaceFilter,
    ) -> Result<Vec<EthernetInterface>> {
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(ETH_COLS_E)
            .push(" FROM ethernet_interfaces e WHERE true");
        if !f.mac.is_empty() {
            sql.push(" AND e.id");
            sql.in_list(f.mac.iter().map(MacAddr::to_id).collect());
        }
        if !f.component_id.is_empty() {
            sql.push(" AND e.component_id");
            sql.in_list(f.component_id.iter().map(Xname::to_string).collect());
        }
        if !f.hms_type.is_empty() {
            sql.push(" AND e.type");
            sql.in_list(f.hms_type.iter().map(HmsType::to_string).collect());
        }
        let ips: Vec<String> = f.ip.iter().map(ToString::to_string).collect();
        // `LastUpdate` is written as fixed-width UTC text (`Timestamp::to_utc_micros`), so
        // the strict bounds compare as text; an empty one passes neither.
        if let Some(o) = f.older_than {
            sql.push(" AND e.last_update <> '' AND e.last_update < ")
                .bind(o.to_utc_micros(true));
        }
        if let Some(n) = f.newer_than {
            sql.push(" AND e.last_update > ")
                .bind(n.to_utc_micros(false));
        }
        for (col, values) in [("ip_address", &ips), ("network", &f.network)] {
            if !values.is_empty() {
                sql.push(" AND EXISTS (SELECT 1 FROM ethernet_interface_ips i WHERE i.interface_id = e.id AND i.");
                sql.push(col);
                sql.in_list(values.clone());
                sql.push(")");
            }
        }
        self.interfaces(sql).await
    }

    async fn insert_ethernet_interface(&self, iface: &EthernetInterface) -> Result<()> {
        let e = prepare_interface(iface, None)?;
        write_tx!(self, |tx| {
            if self
                .read_ethernet_interface(&mut tx, &e.mac_address, true)
                .await?
                .is_some()
            {
                return Err(StoreError::conflict(
                    ConflictKind::MacAddress,
                    e.mac_address,
                    "an ethernet interface with this MAC already exists",
                ));
            }
            self.insert_new_ethernet_interface(&mut tx, &e).await
        })
    }

    async fn patch_ethernet_interface(
        &self,
        mac: &MacAddr,
        patch: &EthernetInterfacePatch,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            let Some(mut e) = self.read_ethernet_interface(&mut tx, mac, true).await? else {
                return Err(StoreError::not_found(
                    Record::EthernetInterface,
                    mac.to_id(),
                ));
            };
            if let Some(d) = &patch.description {
                e.description.clone_from(d);
            }
            if let Some(c) = patch.component_id {
                e.component_id = Some(c);
            }
            let mut stamp = false;
            if let Some(ips) = &patch.ip_addresses {
                stamp = *ips != e.ip_addresses;
                e.ip_addresses.clone_from(ips);
            }
            let e = prepare_interface(&e, None)?;
            self.write_ethernet_interface(&mut tx, &e, stamp).await
        })
    }

    async fn add_ethernet_interface_ip(&self, mac: &MacAddr, ip: &IpAddressEntry) -> Result<()> {
        self.edit_ethernet_interface_ips(mac, &IpEdit::Add(ip))
            .await
            .map(drop)
    }

    async fn update_ethernet_interface_ip(
        &self,
        mac: &MacAddr,
        ip: &str,
        network: &str,
    ) -> Result<()> {
        self.edit_ethernet_interface_ips(mac, &IpEdit::SetNetwork { ip, network })
            .await
            .map(drop)
    }

    async fn remove_ethernet_interface_ip(&self, mac: &MacAddr, ip: &str) -> Result<bool> {
        self.edit_ethernet_interface_ips(mac, &IpEdit::Remove(ip))
            .await
    }

    async fn delete_ethernet_interface(&self, mac: &MacAddr) -> Result<bool> {
        self.delete_keyed("DELETE FROM ethernet_interfaces WHERE id = $1", mac.to_id())
            .await
    }

    async fn delete_all_ethernet_interfaces(&self) -> Result<u64> {
        self.write_one("DELETE FROM ethernet_interfaces", vec![])
            .await
    }

    async fn find_ethernet_interfaces_by_ip(&self, ip: &str) -> Result<Vec<EthernetInterface>> {
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(ETH_COLS_E).push(
            " FROM ethernet_interfaces e WHERE e.id IN \
             (SELECT i.interface_id FROM ethernet_interface_ips i WHERE i.ip_address = ",
        );
        sql.bind(ip).push(")");
        self.interfaces(sql).await
    }

    async fn get_hardware(&self, id: &Xname) -> Result<Option<HardwareRecord>> {
        self.payload(
            "hardware record",
            "SELECT payload FROM hardware WHERE id = $1",
            id.to_string(),
        )
        .await
    }

    async fn list_hardware(&self, hms_type: Option<HmsType>) -> Result<Vec<HardwareRecord>> {
        let mut sql = self.sql("SELECT payload FROM hardware WHERE true", vec![]);
        if let Some(t) = hms_type {
            sql.push(" AND type = ").bind(t.to_string());
        }
        let out: Vec<HardwareRecord> = self.payloads("hardware record", sql).await?;
        Ok(sorted(out, |h| h.id))
    }

    async fn query_hardware(&self, filter: &HardwareFilter) -> Result<Vec<HardwareRecord>> {
        self.select_hardware(filter).await
    }

    async fn query_hardware_json(&self, filter: &HardwareFilter) -> Result<Vec<HardwareJson>> {
        self.select_hardware_json(filter).await
    }

    async fn hardware_generation(&self) -> Result<Option<u64>> {
        // Kept by triggers on `hardware` (migration 0006): every write moves it, in the
        // writer's transaction, so it is committed exactly when the records are.
        let rows = self
            .fetch(self.sql("SELECT n FROM hardware_generation", vec![]))
            .await?;
        let n = rows
            .first()
            .map(|r| r.int(0))
            .transpose()?
            .flatten()
            .ok_or_else(|| rows::corrupt("hardware generation", "no row"))?;
        let n = u64::try_from(n).map_err(|e| rows::corrupt("hardware generation", e))?;
        Ok(Some(n))
    }

    async fn put_hardware(&self, records: &[HardwareRecord]) -> Result<()> {
        write_tx!(self, |tx| self.write_hardware_batch(&mut tx, records).await)
    }

    async fn delete_hardware(&self, id: &Xname) -> Result<bool> {
        self.delete_keyed("DELETE FROM hardware WHERE id = $1", id.to_string())
            .await
    }
}
