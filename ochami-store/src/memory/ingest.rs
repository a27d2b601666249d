//! Storing a discovery result ([`Inventory`]) in one atomic write.
//!
//! Rules (shared by every backend, pinned by the conformance suite):
//! - endpoints, component endpoints and hardware records are created or replaced;
//! - a new component is inserted as discovered; an existing one keeps everything (State,
//!   Flag, Role, NID, ...) unless `force`, which overwrites State, Flag, Role and NID with the
//!   discovered values. One exception: a component in State `Empty` (or with no State),
//!   such as one emptied by deleting its Redfish endpoint, takes the discovered State and
//!   Flag, because the hardware is evidently back;
//! - an ethernet interface is upserted by MAC: a MAC owned by another component is a
//!   conflict unless `force`; the discovered owner and a non-empty description replace the
//!   stored ones; the IP list is replaced only when discovery found IPs, and `LastUpdate`
//!   moves only when it actually changes. Re-ingesting the same result changes nothing.

use ochami_core::ingest::Inventory;
use ochami_core::{Component, State};

use super::components::check_nid;
use super::ethernet::now;
use super::row;
use super::tables::Tx;
use crate::{ConflictKind, Result, StoreError};

/// Store `inv` through `tx`.
pub(super) fn ingest(tx: &mut Tx<'_>, inv: &Inventory, force: bool) -> Result<()> {
    for (i, ep) in inv.endpoints.iter().enumerate() {
        let mut ep = ep.clone();
        ep.normalize()
            .map_err(|e| StoreError::invalid(Some(i), e))?;
        if let Some(other) = tx.tables().fqdns.get(&ep.fqdn)
            && *other != ep.id
        {
            return Err(StoreError::conflict(
                ConflictKind::Fqdn,
                &ep.fqdn,
                format!("{}already used by Redfish endpoint {other}", row(i)),
            ));
        }
        tx.set_endpoint(ep.id, Some(ep));
    }
    for (i, c) in inv.components.iter().enumerate() {
        let mut c = c.clone();
        c.normalize();
        let merged = match tx.tables().components.get(&c.id) {
            None => {
                check_nid(tx.tables(), c.id, c.nid, Some(i))?;
                c
            }
            Some(old) => merge(old, c, force),
        };
        if Some(&merged) != tx.tables().components.get(&merged.id) {
            check_nid(tx.tables(), merged.id, merged.nid, Some(i))?;
            tx.put_component(merged);
        }
    }
    for ce in &inv.component_endpoints {
        tx.set_component_endpoint(ce.id, Some(ce.clone()));
    }
    for h in &inv.hardware {
        tx.set_hardware(h.id, Some(h.clone()));
    }
    let stamp = now();
    for (i, e) in inv.ethernet_interfaces.iter().enumerate() {
        let mut e = e.clone();
        e.normalize()
            .map_err(|err| StoreError::invalid(Some(i), err))?;
        let mac = e.mac_address;
        let new = match tx.tables().ifaces.get(&mac) {
            None => {
                e.last_update.clone_from(&stamp);
                e
            }
            Some(old) => {
                if let (Some(owner), Some(claimed)) = (old.component_id, e.component_id)
                    && owner != claimed
                    && !force
                {
                    return Err(StoreError::conflict(
                        ConflictKind::MacAddress,
                        mac,
                        format!(
                            "{}{claimed} claims MAC {mac}, which belongs to {owner}",
                            row(i)
                        ),
                    ));
                }
                let mut merged = old.clone();
                if e.component_id.is_some() {
                    merged.component_id = e.component_id;
                    merged.hms_type = e.hms_type;
                }
                if !e.description.is_empty() {
                    merged.description = e.description;
                }
                if !e.ip_addresses.is_empty() && e.ip_addresses != merged.ip_addresses {
                    merged.ip_addresses = e.ip_addresses;
                    merged.last_update.clone_from(&stamp);
                }
                if merged == *old {
                    continue;
                }
                merged
            }
        };
        tx.set_iface(mac, Some(new));
    }
    Ok(())
}

/// An existing component merged with its rediscovered self.
fn merge(old: &Component, found: Component, force: bool) -> Component {
    let mut c = old.clone();
    if force || matches!(old.state, None | Some(State::Empty)) {
        c.state = found.state;
        c.flag = found.flag;
    }
    if force {
        c.role = found.role;
        c.nid = found.nid;
    }
    c
}
