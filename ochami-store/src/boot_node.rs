//! boot-service's `Node` resource over the inventory: a node is its SMD component, its
//! ethernet interfaces and its group memberships ([`BootNodeSpec`]), read and written here
//! in one call each so that the server's handlers hold no inventory rule of their own.
//! Like [`crate::bmc_access`], these are functions over any [`Store`].

use ochami_core::{
    BootNodeRecords, BootNodeSpec, Component, ComponentFilter, EthernetInterface,
    EthernetInterfaceFilter, Group, Members, Xname,
};

use crate::{ConflictKind, Result, Store, StoreError};

/// The nodes `ids` (every `Node` and `VirtualNode` when empty) as boot-service shows them,
/// in component order.
pub async fn boot_nodes(store: &dyn Store, ids: &[Xname]) -> Result<Vec<BootNodeSpec>> {
    let mut pairs: Vec<(&str, String)> =
        vec![("type", "Node".into()), ("type", "VirtualNode".into())];
    pairs.extend(ids.iter().map(|x| ("id", x.to_string())));
    let filter = ComponentFilter::from_query_pairs(pairs)?;
    let components = store.list_components(&filter).await?;
    let interfaces = store
        .list_ethernet_interfaces(&EthernetInterfaceFilter {
            component_id: ids.to_vec(),
            ..Default::default()
        })
        .await?;
    let memberships = store.list_memberships(&filter).await?;
    Ok(components
        .iter()
        .map(|c| BootNodeSpec::of(c, &interfaces, &memberships))
        .collect())
}

/// The stored component of node `id`; `None` when there is none or it is not a node.
pub async fn boot_node_component(store: &dyn Store, id: &Xname) -> Result<Option<Component>> {
    Ok(store.get_component(id).await?.filter(Component::is_node))
}

/// boot-service's create: a component stored under the xname already is a conflict
/// ([`ConflictKind::Id`], its detail naming the node's uid); otherwise the node is written
/// as [`put_boot_node`] does, in the same transaction as the check. Returns the node's
/// xname.
pub async fn create_boot_node(store: &dyn Store, spec: &BootNodeSpec) -> Result<Xname> {
    let records = spec.records(None)?;
    store.write_boot_node(&records, true).await?;
    Ok(records.component.id)
}

/// Write a node ([`BootNodeSpec::records`]; `existing` is its stored component when it has
/// one) in one transaction ([`Store::write_boot_node`]): the component is put; each
/// interface is added unless the node has it already (a MAC of another component is a
/// conflict, [`ConflictKind::MacAddress`], whose detail names the owner); each group is
/// created when missing and joined (already a member is fine). Any error leaves the store
/// as it was.
pub async fn put_boot_node(
    store: &dyn Store,
    spec: &BootNodeSpec,
    existing: Option<Component>,
) -> Result<()> {
    store.write_boot_node(&spec.records(existing)?, false).await
}

/// The conflict of creating node `x` over a stored component.
pub(crate) fn node_exists(x: &Xname) -> StoreError {
    StoreError::Conflict {
        kind: ConflictKind::Id,
        value: x.to_string(),
        detail: format!("node {x} exists (uid {})", BootNodeSpec::uid_of(x)),
    }
}

/// Whether stored interface `e` may stay on node `x` as it is (`Ok(false)`: the node has
/// it already), or the conflict of a MAC that belongs to another component.
pub(crate) fn interface_is_new(x: Xname, e: Option<&EthernetInterface>) -> Result<bool> {
    match e {
        None => Ok(true),
        Some(e) if e.component_id == Some(x) => Ok(false),
        Some(e) => Err(StoreError::Conflict {
            kind: ConflictKind::MacAddress,
            value: e.mac_address.to_string(),
            detail: format!("MAC {} belongs to {:?}", e.mac_address, e.component_id),
        }),
    }
}

/// A node's interfaces must have distinct MACs: one listed twice is a conflict
/// ([`ConflictKind::MacAddress`]) before anything is read or written.
pub(crate) fn check_distinct_macs(records: &BootNodeRecords) -> Result<()> {
    let mut seen = std::collections::HashSet::with_capacity(records.interfaces.len());
    for e in &records.interfaces {
        if !seen.insert(e.mac_address) {
            return Err(StoreError::Conflict {
                kind: ConflictKind::MacAddress,
                value: e.mac_address.to_string(),
                detail: format!("MAC {} is listed twice", e.mac_address),
            });
        }
    }
    Ok(())
}

/// The group a node's write creates when `label` is missing.
pub(crate) fn new_group(label: &str) -> Group {
    Group {
        label: label.to_owned(),
        description: format!("The {label} group"),
        exclusive_group: String::new(),
        tags: vec![],
        members: Members::default(),
    }
}
