//! [`Store::write_boot_node`] on memory: the node's component, interfaces and groups in one
//! [`Tx`], so any error undoes all of it.

use ochami_core::{BootNodeRecords, Group};

use super::MemoryStore;
use super::components::{check_nid, require_state};
use super::ethernet::now;
use super::groups::{check_components, join_group};
use super::tables::Tx;
use crate::Result;
use crate::boot_node::{check_distinct_macs, interface_is_new, new_group, node_exists};

impl MemoryStore {
    /// The body of [`crate::Store::write_boot_node`].
    pub(super) fn write_boot_node_now(&self, records: &BootNodeRecords, new: bool) -> Result<()> {
        check_distinct_macs(records)?;
        let mut component = records.component.clone();
        require_state(&component, None)?;
        component.normalize();
        let x = component.id;
        let mut interfaces = Vec::with_capacity(records.interfaces.len());
        for iface in &records.interfaces {
            let mut e = iface.clone();
            e.normalize()?;
            e.last_update = now();
            interfaces.push(e);
        }
        let labels = records
            .groups
            .iter()
            .map(|l| Group::normalize_label(l))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        self.write(|tx| {
            if new && tx.tables().components.contains_key(&x) {
                return Err(node_exists(&x));
            }
            let mut added = Vec::with_capacity(interfaces.len());
            for e in &interfaces {
                if interface_is_new(x, tx.tables().ifaces.get(&e.mac_address))? {
                    added.push(e.clone());
                }
            }
            check_nid(tx.tables(), x, component.nid, None)?;
            tx.put_component(component.clone());
            for e in added {
                tx.set_iface(e.mac_address, Some(e));
            }
            for label in &labels {
                join_or_create(tx, label, x)?;
            }
            Ok(())
        })
    }
}

/// Group `label` created when missing, with `x` a member (already one is fine).
fn join_or_create(tx: &mut Tx<'_>, label: &str, x: ochami_core::Xname) -> Result<()> {
    match tx.tables().groups.get(label) {
        Some(g) if g.members.contains(&x) => return Ok(()),
        Some(_) => {}
        None => {
            let mut g = new_group(label);
            g.normalize()?;
            tx.set_group(label, Some(g));
        }
    }
    check_components(tx.tables(), &[x])?;
    join_group(tx, label, x)
}
