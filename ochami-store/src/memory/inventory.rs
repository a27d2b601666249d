//! SMD inventory in memory: Redfish endpoints (FQDN-unique, deletion cascading as SMD's
//! `DeleteRFEndpointByIDSetEmpty`), component endpoints, ethernet interfaces and hardware.

use std::collections::BTreeSet;

use async_trait::async_trait;
use ochami_core::ingest::Inventory;
use ochami_core::{
    ComponentEndpoint, EthernetInterface, Flag, HardwareFilter, HardwareRecord, HmsType,
    IpAddressEntry, MacAddr, RedfishEndpoint, State, Xname,
};

use super::ethernet::{self, now};
use super::tables::Tx;
use super::{MemoryStore, ingest, row};
use crate::ip_list::IpEdit;
use crate::{
    ComponentEndpointFilter, ConflictKind, EthernetInterfaceFilter, EthernetInterfacePatch,
    InventoryStore, Record, RedfishEndpointFilter, Result, StoreError,
};

/// Whether `ep` passes `f` (values of one field OR-ed, fields AND-ed).
/// An endpoint as reads show it: the password is write-only.
fn without_password(ep: &RedfishEndpoint) -> RedfishEndpoint {
    let mut ep = ep.clone();
    ep.password.clear();
    ep
}

fn endpoint_matches(f: &RedfishEndpointFilter, ep: &RedfishEndpoint) -> bool {
    (f.id.is_empty() || f.id.contains(&ep.id))
        && (f.fqdn.is_empty() || f.fqdn.contains(&ep.fqdn))
        && (f.hms_type.is_empty() || f.hms_type.contains(&ep.hms_type))
        && (f.uuid.is_empty() || f.uuid.contains(&ep.uuid))
        && (f.mac.is_empty() || ep.mac_addr.is_some_and(|m| f.mac.contains(&m)))
        && (f.ip.is_empty() || f.ip.contains(&ep.ip_address))
        && (f.last_status.is_empty() || f.last_status.contains(&ep.discovery_info.last_status))
}

/// The conflict error for a MAC that already has an interface.
fn mac_taken(mac: MacAddr, owner: Option<Xname>) -> StoreError {
    let owner = owner
        .map(|o| format!(" (owned by {o})"))
        .unwrap_or_default();
    StoreError::conflict(
        ConflictKind::MacAddress,
        mac,
        format!("an ethernet interface with this MAC already exists{owner}"),
    )
}

/// Delete endpoint `id` with SMD's cascade (`DeleteRFEndpointByIDSetEmpty`): its component
/// endpoints go, the components under it become `Empty`/`OK`. False when absent.
fn delete_endpoint(tx: &mut Tx<'_>, id: &Xname) -> bool {
    if !tx.tables().endpoints.contains_key(id) {
        return false;
    }
    tx.set_endpoint(*id, None);
    let ces: BTreeSet<Xname> = tx
        .tables()
        .ces_by_endpoint
        .get(id)
        .cloned()
        .unwrap_or_default();
    for ce in &ces {
        tx.set_component_endpoint(*ce, None);
    }
    let under: Vec<Xname> = tx
        .tables()
        .components
        .keys()
        .filter(|c| ces.contains(c) || id.smd_prefix_contains(c))
        .copied()
        .collect();
    for c in under {
        if let Some(mut comp) = tx.tables().components.get(&c).cloned() {
            comp.state = Some(State::Empty);
            comp.flag = Some(Flag::Ok);
            tx.put_component(comp);
        }
    }
    true
}

impl MemoryStore {
    /// Apply `edit` to the IPs of interface `mac` under the write lock; whether they changed
    /// (an unchanged interface is not rewritten). NotFound when the interface is absent.
    fn edit_ethernet_interface_ips(&self, mac: &MacAddr, edit: &IpEdit<'_>) -> Result<bool> {
        self.write(|tx| {
            let Some(mut e) = tx.tables().ifaces.get(mac).cloned() else {
                return Err(StoreError::not_found(
                    Record::EthernetInterface,
                    mac.to_id(),
                ));
            };
            if !edit.apply(&mut e)? {
                return Ok(false);
            }
            e.normalize()?;
            e.last_update = now();
            tx.set_iface(*mac, Some(e));
            Ok(true)
        })
    }
}

#[async_trait]
impl InventoryStore for MemoryStore {
    async fn get_redfish_endpoint(&self, id: &Xname) -> Result<Option<RedfishEndpoint>> {
        Ok(self.read(|t| t.endpoints.get(id).map(without_password)))
    }

    async fn list_redfish_endpoints(
        &self,
        filter: &RedfishEndpointFilter,
    ) -> Result<Vec<RedfishEndpoint>> {
        Ok(self.read(|t| {
            t.endpoints
                .values()
                .filter(|ep| endpoint_matches(filter, ep))
                .map(without_password)
                .collect()
        }))
    }

    async fn insert_redfish_endpoints(&self, endpoints: &[RedfishEndpoint]) -> Result<()> {
        self.write(|tx| {
            for (i, ep) in endpoints.iter().enumerate() {
                let mut ep = ep.clone();
                ep.normalize()
                    .map_err(|e| StoreError::invalid(Some(i), e))?;
                if tx.tables().endpoints.contains_key(&ep.id) {
                    return Err(StoreError::conflict(
                        ConflictKind::Id,
                        ep.id,
                        format!("{}Redfish endpoint {} already exists", row(i), ep.id),
                    ));
                }
                if let Some(other) = tx.tables().fqdns.get(&ep.fqdn) {
                    return Err(StoreError::conflict(
                        ConflictKind::Fqdn,
                        &ep.fqdn,
                        format!("{}already used by Redfish endpoint {other}", row(i)),
                    ));
                }
                tx.set_endpoint(ep.id, Some(ep));
            }
            Ok(())
        })
    }

    async fn put_redfish_endpoint(&self, endpoint: &RedfishEndpoint) -> Result<()> {
        let mut ep = endpoint.clone();
        ep.normalize()?;
        self.write(|tx| {
            if let Some(other) = tx.tables().fqdns.get(&ep.fqdn)
                && *other != ep.id
            {
                return Err(StoreError::conflict(
                    ConflictKind::Fqdn,
                    &ep.fqdn,
                    format!("already used by Redfish endpoint {other}"),
                ));
            }
            tx.set_endpoint(ep.id, Some(ep));
            Ok(())
        })
    }

    async fn delete_redfish_endpoint(&self, id: &Xname) -> Result<bool> {
        self.write(|tx| Ok(delete_endpoint(tx, id)))
    }

    async fn delete_all_redfish_endpoints(&self) -> Result<u64> {
        self.write(|tx| {
            let ids: Vec<Xname> = tx.tables().endpoints.keys().copied().collect();
            Ok(ids
                .iter()
                .map(|id| u64::from(delete_endpoint(tx, id)))
                .sum())
        })
    }

    async fn ingest(&self, inventory: &Inventory, force: bool) -> Result<()> {
        self.write(|tx| ingest::ingest(tx, inventory, force))
    }

    async fn get_component_endpoint(&self, id: &Xname) -> Result<Option<ComponentEndpoint>> {
        Ok(self.read(|t| t.component_endpoints.get(id).cloned()))
    }

    async fn list_component_endpoints(
        &self,
        filter: &ComponentEndpointFilter,
    ) -> Result<Vec<ComponentEndpoint>> {
        let matching = |ce: &&ComponentEndpoint| filter.matches(ce);
        Ok(self.read(|t| {
            let mut found: Vec<ComponentEndpoint> = if filter.redfish_ep.is_empty() {
                t.component_endpoints
                    .values()
                    .filter(matching)
                    .cloned()
                    .collect()
            } else {
                filter
                    .redfish_ep
                    .iter()
                    .filter_map(|ep| t.ces_by_endpoint.get(ep))
                    .flatten()
                    .filter_map(|id| t.component_endpoints.get(id))
                    .filter(matching)
                    .cloned()
                    .collect()
            };
            found.sort_by_key(|ce| ce.id);
            found.dedup_by_key(|ce| ce.id);
            found
        }))
    }

    async fn delete_component_endpoint(&self, id: &Xname) -> Result<bool> {
        self.write(|tx| {
            let found = tx.tables().component_endpoints.contains_key(id);
            if found {
                tx.set_component_endpoint(*id, None);
            }
            Ok(found)
        })
    }

    async fn delete_all_component_endpoints(&self) -> Result<u64> {
        self.write(|tx| {
            let ids: Vec<Xname> = tx.tables().component_endpoints.keys().copied().collect();
            for id in &ids {
                tx.set_component_endpoint(*id, None);
            }
            Ok(ids.len() as u64)
        })
    }

    async fn get_ethernet_interface(&self, mac: &MacAddr) -> Result<Option<EthernetInterface>> {
        Ok(self.read(|t| t.ifaces.get(mac).cloned()))
    }

    async fn list_ethernet_interfaces(
        &self,
        filter: &EthernetInterfaceFilter,
    ) -> Result<Vec<EthernetInterface>> {
        Ok(self.read(|t| ethernet::select(t, filter).into_iter().cloned().collect()))
    }

    async fn insert_ethernet_interface(&self, iface: &EthernetInterface) -> Result<()> {
        let mut e = iface.clone();
        e.normalize()?;
        e.last_update = now();
        self.write(|tx| {
            if let Some(old) = tx.tables().ifaces.get(&e.mac_address) {
                return Err(mac_taken(e.mac_address, old.component_id));
            }
            tx.set_iface(e.mac_address, Some(e));
            Ok(())
        })
    }

    async fn patch_ethernet_interface(
        &self,
        mac: &MacAddr,
        patch: &EthernetInterfacePatch,
    ) -> Result<()> {
        self.write(|tx| {
            let Some(mut e) = tx.tables().ifaces.get(mac).cloned() else {
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
            if let Some(ips) = &patch.ip_addresses
                && *ips != e.ip_addresses
            {
                e.ip_addresses.clone_from(ips);
                e.last_update = now();
            }
            e.normalize()?;
            tx.set_iface(*mac, Some(e));
            Ok(())
        })
    }

    async fn add_ethernet_interface_ip(&self, mac: &MacAddr, ip: &IpAddressEntry) -> Result<()> {
        self.edit_ethernet_interface_ips(mac, &IpEdit::Add(ip))
            .map(drop)
    }

    async fn update_ethernet_interface_ip(
        &self,
        mac: &MacAddr,
        ip: &str,
        network: &str,
    ) -> Result<()> {
        self.edit_ethernet_interface_ips(mac, &IpEdit::SetNetwork { ip, network })
            .map(drop)
    }

    async fn remove_ethernet_interface_ip(&self, mac: &MacAddr, ip: &str) -> Result<bool> {
        self.edit_ethernet_interface_ips(mac, &IpEdit::Remove(ip))
    }

    async fn delete_ethernet_interface(&self, mac: &MacAddr) -> Result<bool> {
        self.write(|tx| {
            let found = tx.tables().ifaces.contains_key(mac);
            if found {
                tx.set_iface(*mac, None);
            }
            Ok(found)
        })
    }

    async fn delete_all_ethernet_interfaces(&self) -> Result<u64> {
        self.write(|tx| {
            let macs: Vec<MacAddr> = tx.tables().ifaces.keys().copied().collect();
            for mac in &macs {
                tx.set_iface(*mac, None);
            }
            Ok(macs.len() as u64)
        })
    }

    async fn find_ethernet_interfaces_by_ip(&self, ip: &str) -> Result<Vec<EthernetInterface>> {
        Ok(self.read(|t| {
            t.ifaces_by_ip
                .get(ip)
                .into_iter()
                .flatten()
                .filter_map(|m| t.ifaces.get(m))
                .cloned()
                .collect()
        }))
    }

    async fn get_hardware(&self, id: &Xname) -> Result<Option<HardwareRecord>> {
        Ok(self.read(|t| t.hardware.get(id).cloned()))
    }

    async fn list_hardware(&self, hms_type: Option<HmsType>) -> Result<Vec<HardwareRecord>> {
        Ok(self.read(|t| {
            t.hardware
                .values()
                .filter(|h| hms_type.is_none_or(|ty| h.id.hms_type() == ty))
                .cloned()
                .collect()
        }))
    }

    async fn query_hardware(&self, filter: &HardwareFilter) -> Result<Vec<HardwareRecord>> {
        Ok(self.read(|t| {
            t.hardware
                .values()
                .filter(|h| filter.matches(h))
                .cloned()
                .collect()
        }))
    }

    async fn hardware_generation(&self) -> Result<Option<u64>> {
        Ok(Some(self.read(|t| t.hardware_generation)))
    }

    async fn put_hardware(&self, records: &[HardwareRecord]) -> Result<()> {
        self.write(|tx| {
            for h in records {
                tx.set_hardware(h.id, Some(h.clone()));
            }
            Ok(())
        })
    }

    async fn delete_hardware(&self, id: &Xname) -> Result<bool> {
        self.write(|tx| {
            let found = tx.tables().hardware.contains_key(id);
            if found {
                tx.set_hardware(*id, None);
            }
            Ok(found)
        })
    }
}

#[async_trait]
impl crate::CredentialStore for MemoryStore {
    async fn redfish_credentials(&self, id: &Xname) -> Result<Option<crate::RedfishCredentials>> {
        Ok(self.read(|t| {
            t.endpoints.get(id).map(|ep| crate::RedfishCredentials {
                user: ep.user.clone(),
                password: ep.password.clone(),
            })
        }))
    }
}
