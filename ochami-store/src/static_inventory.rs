//! A nodes.yaml's records ([`StaticInventory`], from [`ochami_core::nodes_yaml`]) written
//! into a store in one transaction: `ochami discover static --store` and anything else that
//! registers nodes without Redfish.
//!
//! The store's keys are read first (components, endpoints, interfaces, groups); records
//! whose key exists are left alone, or, with `overwrite`, replaced whole (a component's
//! State, Role and NID; an endpoint keeps a stored password, since the file has none; an
//! interface's IPs; a group's members). Everything else is inserted. The writes go through
//! [`SnapshotStore::import_entries`](crate::snapshot::SnapshotStore::import_entries): one
//! transaction with batched inserts, so a failure leaves the store as it was. Re-running
//! the same file changes nothing.
//!
//! The keys are read outside that transaction: a record another writer adds in between is
//! replaced by the file's, which is what `overwrite` would have done.

use std::collections::HashSet;

use ochami_core::nodes_yaml::StaticInventory;
use ochami_core::{ComponentFilter, MacAddr, Xname};
use serde::Serialize;

use crate::snapshot::{Entry, ImportMode};
use crate::{EthernetInterfaceFilter, RedfishEndpointFilter, Result, Store};

/// What a load did, counted in records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LoadSummary {
    /// Records that did not exist.
    pub created: usize,
    /// Records that existed and were left alone.
    pub existing: usize,
    /// Records that existed and were replaced (`overwrite`).
    pub replaced: usize,
}

impl LoadSummary {
    fn count(&mut self, exists: bool, overwrite: bool) -> bool {
        match (exists, overwrite) {
            (false, _) => self.created += 1,
            (true, true) => self.replaced += 1,
            (true, false) => self.existing += 1,
        }
        !exists || overwrite
    }
}

/// Write `inventory` into `store` in one transaction (see the module docs).
pub async fn load_static_inventory(
    store: &dyn Store,
    inventory: &StaticInventory,
    overwrite: bool,
) -> Result<LoadSummary> {
    let components: HashSet<Xname> = store
        .list_components(&ComponentFilter::default())
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let endpoints: HashSet<Xname> = store
        .list_redfish_endpoints(&RedfishEndpointFilter::default())
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let interfaces: HashSet<MacAddr> = store
        .list_ethernet_interfaces(&EthernetInterfaceFilter::default())
        .await?
        .into_iter()
        .map(|i| i.mac_address)
        .collect();
    let groups: HashSet<String> = store
        .list_groups(&ochami_core::GroupFilter::default())
        .await?
        .into_iter()
        .map(|g| g.label)
        .collect();

    let mut summary = LoadSummary::default();
    let mut entries = Vec::with_capacity(
        inventory.components.len()
            + inventory.endpoints.len()
            + inventory.interfaces.len()
            + inventory.groups.len(),
    );
    // Snapshot order: components, endpoints, interfaces, groups.
    for c in &inventory.components {
        if summary.count(components.contains(&c.id), overwrite) {
            entries.push(Entry::Component(c.clone()));
        }
    }
    for e in &inventory.endpoints {
        if summary.count(endpoints.contains(&e.id), overwrite) {
            entries.push(Entry::RedfishEndpoint(e.clone()));
        }
    }
    for i in &inventory.interfaces {
        if summary.count(interfaces.contains(&i.mac_address), overwrite) {
            entries.push(Entry::EthernetInterface(i.clone()));
        }
    }
    for g in &inventory.groups {
        if summary.count(groups.contains(&g.label), overwrite) {
            entries.push(Entry::Group(g.clone()));
        }
    }
    if !entries.is_empty() {
        store.import_entries(&entries, ImportMode::Merge).await?;
    }
    Ok(summary)
}
