//! boot-service's `Node` resource over the inventory: a node is its SMD component, its
//! ethernet interfaces and its group memberships ([`BootNodeSpec`]), read and written here
//! in one call each so that the server's handlers hold no inventory rule of their own.
//! Like [`crate::bmc_access`], these are functions over any [`Store`].

use ochami_core::{
    BootNodeSpec, Component, ComponentFilter, EthernetInterfaceFilter, Group, Members, Xname,
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
/// as [`put_boot_node`] does. Returns the node's xname.
pub async fn create_boot_node(store: &dyn Store, spec: &BootNodeSpec) -> Result<Xname> {
    let x = spec.xname()?;
    if store.get_component(&x).await?.is_some() {
        return Err(StoreError::Conflict {
            kind: ConflictKind::Id,
            value: x.to_string(),
            detail: format!("node {x} exists (uid {})", BootNodeSpec::uid_of(&x)),
        });
    }
    put_boot_node(store, spec, None).await?;
    Ok(x)
}

/// Write a node ([`BootNodeSpec::records`]; `existing` is its stored component when it has
/// one): the component is put; each interface is added unless the node has it already (a
/// MAC of another component is a conflict, [`ConflictKind::MacAddress`], whose detail names
/// the owner); each group is created when missing and joined (already a member is fine).
pub async fn put_boot_node(
    store: &dyn Store,
    spec: &BootNodeSpec,
    existing: Option<Component>,
) -> Result<()> {
    let records = spec.records(existing)?;
    let x = records.component.id;
    // Every MAC is checked before anything is written, so a conflict leaves the store as
    // it was (not a component without its interfaces).
    let mut new_interfaces = Vec::with_capacity(records.interfaces.len());
    for iface in &records.interfaces {
        match store.get_ethernet_interface(&iface.mac_address).await? {
            None => new_interfaces.push(iface),
            Some(e) if e.component_id == Some(x) => {}
            Some(e) => {
                return Err(StoreError::Conflict {
                    kind: ConflictKind::MacAddress,
                    value: e.mac_address.to_string(),
                    detail: format!("MAC {} belongs to {:?}", e.mac_address, e.component_id),
                });
            }
        }
    }
    store.put_component(&records.component).await?;
    for iface in new_interfaces {
        store.insert_ethernet_interface(iface).await?;
    }
    for label in &records.groups {
        if store.get_group(label).await?.is_none() {
            let group = Group {
                label: label.clone(),
                description: format!("The {label} group"),
                exclusive_group: String::new(),
                tags: vec![],
                members: Members::default(),
            };
            store.create_group(&group).await?;
        }
        match store.add_group_member(label, &x).await {
            Ok(())
            | Err(StoreError::Conflict {
                kind: ConflictKind::Member,
                ..
            }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
