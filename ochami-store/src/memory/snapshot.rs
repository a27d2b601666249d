//! [`SnapshotStore`] on the memory backend: an export copies every record under the read
//! lock (one consistent view, the lock held only for the copy); an import runs as one
//! all-or-nothing write under the write lock.

use std::sync::{Arc, PoisonError};

use async_trait::async_trait;
use ochami_core::{Partition, Xname};

use super::MemoryStore;
use super::tables::{Tables, Tx};
use crate::boot::checked;
use crate::snapshot::{Entry, EntrySink, ImportMode, SnapshotStore};
use crate::{BootConfig, BootKey, ConflictKind, EndpointAccess, Record, Result, StoreError};

/// Every record of `t`, in snapshot order; passwords only `with_credentials`.
fn entries(t: &Tables, with_credentials: bool) -> Vec<Entry> {
    let mut out = Vec::new();
    out.extend(t.components.values().cloned().map(Entry::Component));
    out.extend(t.endpoints.values().map(|ep| {
        let mut ep = ep.clone();
        if !with_credentials {
            ep.password.clear();
        }
        Entry::RedfishEndpoint(ep)
    }));
    out.extend(
        t.component_endpoints
            .values()
            .cloned()
            .map(Entry::ComponentEndpoint),
    );
    out.extend(t.ifaces.values().cloned().map(Entry::EthernetInterface));
    out.extend(t.hardware.values().cloned().map(Entry::Hardware));
    out.extend(t.groups.values().map(|g| Entry::Group(g.full())));
    out.extend(t.partitions.values().map(|p| Entry::Partition(p.full())));
    let boot = BootConfig::group(t.boot.iter().map(|(k, c)| (k.clone(), Arc::clone(c))));
    out.extend(boot.into_iter().map(Entry::BootParams));
    out.extend(t.access.iter().map(|((name, endpoint), epoch)| {
        Entry::EndpointAccess(EndpointAccess {
            name: name.clone(),
            endpoint: endpoint.clone(),
            last_epoch: *epoch,
        })
    }));
    out.extend(t.group_data.values().cloned().map(Entry::CloudInitGroup));
    out.extend(t.node_data.iter().map(|(id, d)| {
        let mut d = d.clone();
        d.id = Some(*id);
        Entry::CloudInitNode(d)
    }));
    out.push(Entry::CloudInitDefaults(t.cluster_defaults.clone()));
    out.extend(
        t.boot_configurations
            .values()
            .map(|c| Entry::BootConfiguration((**c).clone())),
    );
    out
}

/// Every component, group and partition removed, through `tx` (so an error undoes it).
fn clear(tx: &mut Tx<'_>) {
    let t = tx.tables();
    let groups: Vec<String> = t.groups.keys().cloned().collect();
    let partitions: Vec<Xname> = t.partitions.keys().copied().collect();
    let components: Vec<Xname> = t.components.keys().copied().collect();
    let endpoints: Vec<Xname> = t.endpoints.keys().copied().collect();
    let ces: Vec<Xname> = t.component_endpoints.keys().copied().collect();
    let ifaces: Vec<_> = t.ifaces.keys().copied().collect();
    let hardware: Vec<Xname> = t.hardware.keys().copied().collect();
    let boot: Vec<BootKey> = t.boot.keys().cloned().collect();
    for id in components.iter().copied() {
        tx.drop_memberships(id);
    }
    for g in groups {
        tx.set_group(&g, None);
    }
    for p in partitions {
        tx.set_partition(p, None);
    }
    for id in components {
        tx.remove_component(id);
    }
    for id in endpoints {
        tx.set_endpoint(id, None);
    }
    for id in ces {
        tx.set_component_endpoint(id, None);
    }
    for mac in ifaces {
        tx.set_iface(mac, None);
    }
    for id in hardware {
        tx.set_hardware(id, None);
    }
    for key in boot {
        tx.set_boot(key, None);
    }
}

/// The records of the lock-protected tables that can fail, written through `tx`.
fn apply(tx: &mut Tx<'_>, entries: &[Entry]) -> Result<()> {
    for (i, e) in entries.iter().enumerate() {
        match e {
            Entry::Component(c) => {
                let mut c = c.clone();
                c.normalize();
                if let Some(n) = c.nid
                    && let Some(holder) = tx.tables().nids.get(&n)
                    && *holder != c.id
                {
                    return Err(StoreError::conflict(
                        ConflictKind::Nid,
                        n,
                        format!("record {i}: NID already taken by {holder}"),
                    ));
                }
                tx.put_component(c);
            }
            Entry::RedfishEndpoint(ep) => {
                // A snapshot without a password keeps the stored one (merge).
                tx.set_endpoint(ep.id, Some(ep.clone()));
            }
            Entry::ComponentEndpoint(ce) => tx.set_component_endpoint(ce.id, Some(ce.clone())),
            Entry::EthernetInterface(iface) => {
                tx.set_iface(iface.mac_address, Some(iface.clone()));
            }
            Entry::Hardware(h) => tx.set_hardware(h.id, Some(h.clone())),
            Entry::Group(g) => {
                let mut g = g.clone();
                g.normalize().map_err(|e| StoreError::invalid(Some(i), e))?;
                let members = std::mem::take(&mut g.members.ids);
                let label = g.label.clone();
                let old: Vec<Xname> = tx
                    .tables()
                    .groups
                    .get(&label)
                    .map(|r| r.members.iter().copied().collect())
                    .unwrap_or_default();
                tx.set_group(&label, Some(g));
                for id in old {
                    tx.set_group_member(&label, id, false);
                }
                for id in members {
                    require_component(tx, &id)?;
                    tx.set_group_member(&label, id, true);
                }
            }
            Entry::Partition(p) => apply_partition(tx, i, p)?,
            Entry::BootParams(bp) => {
                let (bp, keys) =
                    BootKey::normalized(bp).map_err(|e| StoreError::invalid(Some(i), e))?;
                let config = Arc::new(BootConfig::of(&bp));
                for key in keys {
                    tx.set_boot(key, Some(Arc::clone(&config)));
                }
            }
            Entry::CloudInitNode(d) if d.id.is_none() => {
                return Err(StoreError::invalid(
                    Some(i),
                    ochami_core::Error::MissingField { field: "id" },
                ));
            }
            // Infallible; written after the rest (see `import_entries`).
            Entry::EndpointAccess(_)
            | Entry::BootConfiguration(_)
            | Entry::CloudInitGroup(_)
            | Entry::CloudInitNode(_)
            | Entry::CloudInitDefaults(_) => {}
        }
    }
    Ok(())
}

fn require_component(tx: &Tx<'_>, id: &Xname) -> Result<()> {
    if tx.tables().components.contains_key(id) {
        Ok(())
    } else {
        Err(StoreError::not_found(Record::Component, id))
    }
}

fn apply_partition(tx: &mut Tx<'_>, i: usize, p: &Partition) -> Result<()> {
    let mut p = p.clone();
    p.normalize().map_err(|e| StoreError::invalid(Some(i), e))?;
    let name: Xname = p
        .name
        .parse()
        .map_err(|e| StoreError::invalid(Some(i), ochami_core::Error::from(e)))?;
    let members = std::mem::take(&mut p.members.ids);
    let old: Vec<Xname> = tx
        .tables()
        .partitions
        .get(&name)
        .map(|r| r.members.iter().copied().collect())
        .unwrap_or_default();
    tx.set_partition(name, Some(p));
    for id in old {
        tx.set_partition_member(name, id, false);
    }
    for id in members {
        require_component(tx, &id)?;
        if let Some(other) = tx.tables().partition_of.get(&id)
            && *other != name
        {
            return Err(StoreError::conflict(
                ConflictKind::Partition,
                id,
                format!("already in partition {other}"),
            ));
        }
        tx.set_partition_member(name, id, true);
    }
    Ok(())
}

#[async_trait]
impl SnapshotStore for MemoryStore {
    async fn export_entries(&self, sink: &mut EntrySink<'_>) -> Result<()> {
        for e in self.read(|t| entries(t, false)) {
            sink(e)?;
        }
        Ok(())
    }

    async fn export_entries_with_credentials(&self, sink: &mut EntrySink<'_>) -> Result<()> {
        for e in self.read(|t| entries(t, true)) {
            sink(e)?;
        }
        Ok(())
    }

    async fn import_entries(&self, entries: &[Entry], mode: ImportMode) -> Result<()> {
        // Checked before anything changes: their table is written after the journaled ones.
        let configurations = entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Entry::BootConfiguration(c) => Some(checked(c).map_err(|e| match e {
                    StoreError::Invalid { source, .. } => StoreError::invalid(Some(i), source),
                    other => other,
                })),
                _ => None,
            })
            .collect::<Result<Vec<_>>>()?;
        let mut guard = self.tables.write().unwrap_or_else(PoisonError::into_inner);
        {
            let mut tx = Tx::new(&mut guard);
            if mode == ImportMode::Replace {
                clear(&mut tx);
            }
            apply(&mut tx, entries)?;
            tx.commit();
        }
        let t = &mut *guard;
        if mode == ImportMode::Replace {
            t.access.clear();
            t.group_data.clear();
            t.node_data.clear();
            t.cluster_defaults = Default::default();
            t.boot_configurations.clear();
        }
        for c in configurations {
            t.boot_configurations.insert(c.uid.clone(), Arc::new(c));
        }
        for e in entries {
            match e {
                Entry::EndpointAccess(a) => {
                    t.access
                        .insert((a.name.clone(), a.endpoint.clone()), a.last_epoch);
                }
                Entry::CloudInitGroup(g) => {
                    t.group_data.insert(g.name.clone(), g.clone());
                }
                Entry::CloudInitNode(d) => {
                    if let Some(id) = d.id {
                        t.node_data.insert(id, d.clone());
                    }
                }
                Entry::CloudInitDefaults(d) => t.cluster_defaults = d.clone(),
                _ => {}
            }
        }
        Ok(())
    }
}
