//! The in-memory tables, their secondary indexes, and the undo journal that makes every
//! multi-row write all-or-nothing.
//!
//! Every table that a multi-row write touches is changed only through a `raw_*` primitive
//! that keeps the indexes in step and returns the previous value. A [`Tx`] calls those
//! primitives and records the previous values; if the write fails (or panics) before
//! [`Tx::commit`], dropping the `Tx` replays the journal backwards and the tables are exactly
//! as they were. Validation therefore happens naturally while applying, row by row, with the
//! same sequential semantics a SQL transaction has.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use ochami_core::cloud_init::{ClusterDefaults, GroupData, NodeData};
use ochami_core::{
    BootConfiguration, Component, ComponentEndpoint, EthernetInterface, Group, HardwareRecord,
    MacAddr, Members, Partition, RedfishEndpoint, Xname,
};

use crate::{BootConfig, BootKey};

/// Every record the memory backend holds, with the indexes that keep look-ups off linear
/// scans.
#[derive(Debug, Default)]
pub(super) struct Tables {
    /// Components in natural xname order.
    pub(super) components: BTreeMap<Xname, Component>,
    /// NID -> component; ordered so that `nid_start`/`nid_end` become range scans.
    pub(super) nids: BTreeMap<i64, Xname>,
    /// Redfish endpoints by id.
    pub(super) endpoints: BTreeMap<Xname, RedfishEndpoint>,
    /// FQDN -> endpoint id, for FQDN uniqueness.
    pub(super) fqdns: HashMap<String, Xname>,
    /// Component endpoints by id.
    pub(super) component_endpoints: BTreeMap<Xname, ComponentEndpoint>,
    /// Redfish endpoint id -> its component endpoints.
    pub(super) ces_by_endpoint: HashMap<Xname, BTreeSet<Xname>>,
    /// Ethernet interfaces by MAC (octet order = order of SMD's id, the bare hex MAC).
    pub(super) ifaces: BTreeMap<MacAddr, EthernetInterface>,
    /// IP address -> interfaces carrying it.
    pub(super) ifaces_by_ip: HashMap<String, BTreeSet<MacAddr>>,
    /// Component -> its interfaces.
    pub(super) ifaces_by_component: HashMap<Xname, BTreeSet<MacAddr>>,
    /// Hardware inventory by location.
    pub(super) hardware: BTreeMap<Xname, HardwareRecord>,
    /// Moves on every hardware write, kept or rolled back (a move without a change only
    /// costs a cache of answers one new rendering).
    pub(super) hardware_generation: u64,
    /// Groups by (normalized) label.
    pub(super) groups: BTreeMap<String, GroupRec>,
    /// Partitions by name (an xname of type Partition, so `p2` sorts before `p10`).
    pub(super) partitions: BTreeMap<Xname, PartitionRec>,
    /// Component -> labels of its groups.
    pub(super) groups_of: HashMap<Xname, BTreeSet<String>>,
    /// Component -> its partition.
    pub(super) partition_of: HashMap<Xname, Xname>,
    /// Boot configs per name; names set by one request share one allocation.
    pub(super) boot: HashMap<BootKey, Arc<BootConfig>>,
    /// Boot configurations written through boot-service, by uid.
    pub(super) boot_configurations: BTreeMap<String, Arc<BootConfiguration>>,
    /// BSS endpoint-access history: (name, endpoint) -> last epoch.
    pub(super) access: BTreeMap<(String, String), i64>,
    /// cloud-init group data by name.
    pub(super) group_data: BTreeMap<String, GroupData>,
    /// cloud-init node data by node.
    pub(super) node_data: BTreeMap<Xname, NodeData>,
    /// cloud-init cluster defaults.
    pub(super) cluster_defaults: ClusterDefaults,
}

/// A group or partition without its members (kept in `members`, which indexes them).
#[derive(Debug, Clone)]
pub(super) struct MemberRec<T> {
    /// Name, description, tags (and a group's exclusive group); `members` is always empty
    /// here.
    pub(super) meta: T,
    /// Members in natural order.
    pub(super) members: BTreeSet<Xname>,
}

/// A group as stored.
pub(super) type GroupRec = MemberRec<Group>;

/// A partition as stored.
pub(super) type PartitionRec = MemberRec<Partition>;

/// What has a member list: groups and partitions.
pub(super) trait WithMembers: Clone {
    /// Its member list.
    fn members_mut(&mut self) -> &mut Members;
}

impl WithMembers for Group {
    fn members_mut(&mut self) -> &mut Members {
        &mut self.members
    }
}

impl WithMembers for Partition {
    fn members_mut(&mut self) -> &mut Members {
        &mut self.members
    }
}

impl<T: WithMembers> MemberRec<T> {
    /// The group or partition as the API returns it.
    pub(super) fn full(&self) -> T {
        let mut v = self.meta.clone();
        v.members_mut().ids = self.members.iter().copied().collect();
        v
    }
}

/// Replace or remove `key` in `map`, returning what was there.
fn replace<K: Ord, V>(map: &mut BTreeMap<K, V>, key: K, new: Option<V>) -> Option<V> {
    match new {
        Some(v) => map.insert(key, v),
        None => map.remove(&key),
    }
}

/// Remove `item` from the set under `key`, dropping the set when it becomes empty.
fn unindex<K: Eq + std::hash::Hash, T: Ord>(
    index: &mut HashMap<K, BTreeSet<T>>,
    key: &K,
    item: &T,
) {
    if let Some(set) = index.get_mut(key) {
        set.remove(item);
        if set.is_empty() {
            index.remove(key);
        }
    }
}

impl Tables {
    /// Set or remove a component, keeping the NID index in step. Callers check NID
    /// uniqueness first.
    pub(super) fn raw_component(&mut self, id: Xname, new: Option<Component>) -> Option<Component> {
        let old = replace(&mut self.components, id, new);
        if let Some(n) = old.as_ref().and_then(|c| c.nid)
            && self.nids.get(&n) == Some(&id)
        {
            self.nids.remove(&n);
        }
        if let Some(n) = self.components.get(&id).and_then(|c| c.nid) {
            self.nids.insert(n, id);
        }
        old
    }

    /// Set or remove a Redfish endpoint, keeping the FQDN index in step.
    pub(super) fn raw_endpoint(
        &mut self,
        id: Xname,
        new: Option<RedfishEndpoint>,
    ) -> Option<RedfishEndpoint> {
        let old = replace(&mut self.endpoints, id, new);
        if let Some(ep) = &old
            && self.fqdns.get(&ep.fqdn) == Some(&id)
        {
            self.fqdns.remove(&ep.fqdn);
        }
        if let Some(ep) = self.endpoints.get(&id)
            && !ep.fqdn.is_empty()
        {
            self.fqdns.insert(ep.fqdn.clone(), id);
        }
        old
    }

    /// Set or remove a component endpoint, keeping the by-endpoint index in step.
    pub(super) fn raw_component_endpoint(
        &mut self,
        id: Xname,
        new: Option<ComponentEndpoint>,
    ) -> Option<ComponentEndpoint> {
        let old = replace(&mut self.component_endpoints, id, new);
        if let Some(ce) = &old {
            unindex(&mut self.ces_by_endpoint, &ce.redfish_endpoint_id, &id);
        }
        if let Some(ce) = self.component_endpoints.get(&id) {
            self.ces_by_endpoint
                .entry(ce.redfish_endpoint_id)
                .or_default()
                .insert(id);
        }
        old
    }

    /// Set or remove an ethernet interface, keeping the IP and component indexes in step.
    pub(super) fn raw_iface(
        &mut self,
        mac: MacAddr,
        new: Option<EthernetInterface>,
    ) -> Option<EthernetInterface> {
        let old = replace(&mut self.ifaces, mac, new);
        if let Some(e) = &old {
            for ip in &e.ip_addresses {
                unindex(&mut self.ifaces_by_ip, &ip.ip_address, &mac);
            }
            if let Some(c) = e.component_id {
                unindex(&mut self.ifaces_by_component, &c, &mac);
            }
        }
        if let Some(e) = self.ifaces.get(&mac) {
            for ip in &e.ip_addresses {
                self.ifaces_by_ip
                    .entry(ip.ip_address.clone())
                    .or_default()
                    .insert(mac);
            }
            if let Some(c) = e.component_id {
                self.ifaces_by_component.entry(c).or_default().insert(mac);
            }
        }
        old
    }

    /// Set or remove a group's metadata. Members are changed with [`Tables::raw_group_member`];
    /// a group is removed only once it has none.
    pub(super) fn raw_group(&mut self, label: &str, new: Option<Group>) -> Option<Group> {
        match new {
            Some(meta) => match self.groups.get_mut(label) {
                Some(rec) => Some(std::mem::replace(&mut rec.meta, meta)),
                None => {
                    self.groups.insert(
                        label.to_owned(),
                        GroupRec {
                            meta,
                            members: BTreeSet::new(),
                        },
                    );
                    None
                }
            },
            None => self.groups.remove(label).map(|rec| rec.meta),
        }
    }

    /// Add (`present`) or remove a group member; returns whether it was a member. The group
    /// must exist.
    pub(super) fn raw_group_member(&mut self, label: &str, id: Xname, present: bool) -> bool {
        let Some(rec) = self.groups.get_mut(label) else {
            return false;
        };
        let was = if present {
            !rec.members.insert(id)
        } else {
            rec.members.remove(&id)
        };
        if present {
            self.groups_of
                .entry(id)
                .or_default()
                .insert(label.to_owned());
        } else {
            unindex(&mut self.groups_of, &id, &label.to_owned());
        }
        was
    }

    /// Set or remove a partition's metadata (see [`Tables::raw_group`]).
    pub(super) fn raw_partition(
        &mut self,
        name: Xname,
        new: Option<Partition>,
    ) -> Option<Partition> {
        match new {
            Some(meta) => match self.partitions.get_mut(&name) {
                Some(rec) => Some(std::mem::replace(&mut rec.meta, meta)),
                None => {
                    self.partitions.insert(
                        name,
                        PartitionRec {
                            meta,
                            members: BTreeSet::new(),
                        },
                    );
                    None
                }
            },
            None => self.partitions.remove(&name).map(|rec| rec.meta),
        }
    }

    /// Add (`present`) or remove a partition member; returns whether it was a member.
    pub(super) fn raw_partition_member(&mut self, name: Xname, id: Xname, present: bool) -> bool {
        let Some(rec) = self.partitions.get_mut(&name) else {
            return false;
        };
        let was = if present {
            !rec.members.insert(id)
        } else {
            rec.members.remove(&id)
        };
        if present {
            self.partition_of.insert(id, name);
        } else if self.partition_of.get(&id) == Some(&name) {
            self.partition_of.remove(&id);
        }
        was
    }

    /// Set or remove the boot config under one name.
    pub(super) fn raw_boot(
        &mut self,
        key: BootKey,
        new: Option<Arc<BootConfig>>,
    ) -> Option<Arc<BootConfig>> {
        match new {
            Some(c) => self.boot.insert(key, c),
            None => self.boot.remove(&key),
        }
    }

    /// Labels of the groups `id` belongs to, sorted.
    pub(super) fn labels_of(&self, id: &Xname) -> Vec<&str> {
        self.groups_of
            .get(id)
            .map(|s| s.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// The partition `id` belongs to.
    pub(super) fn partition_name_of(&self, id: &Xname) -> Option<String> {
        self.partition_of.get(id).map(Xname::to_string)
    }
}

/// The previous value of one changed record.
#[derive(Debug)]
enum Undo {
    Component(Xname, Option<Component>),
    Endpoint(Xname, Option<RedfishEndpoint>),
    ComponentEndpoint(Xname, Option<ComponentEndpoint>),
    Iface(MacAddr, Option<EthernetInterface>),
    Hardware(Xname, Option<HardwareRecord>),
    Group(String, Option<Group>),
    GroupMember(String, Xname, bool),
    Partition(Xname, Option<Partition>),
    PartitionMember(Xname, Xname, bool),
    Boot(BootKey, Option<Arc<BootConfig>>),
}

/// A write in progress: read the tables through [`Tx::tables`], change them through the
/// setters; dropped without [`Tx::commit`], every change is undone.
pub(super) struct Tx<'a> {
    tables: &'a mut Tables,
    undo: Vec<Undo>,
}

impl<'a> Tx<'a> {
    /// Start a write on `tables`.
    pub(super) fn new(tables: &'a mut Tables) -> Self {
        Tx {
            tables,
            undo: Vec::new(),
        }
    }

    /// The tables as changed so far.
    pub(super) fn tables(&self) -> &Tables {
        self.tables
    }

    /// Keep every change.
    pub(super) fn commit(mut self) {
        self.undo.clear();
    }

    /// Set a component (NID uniqueness is the caller's to check).
    pub(super) fn put_component(&mut self, c: Component) {
        let id = c.id;
        let old = self.tables.raw_component(id, Some(c));
        self.undo.push(Undo::Component(id, old));
    }

    /// Remove a component record (memberships are the caller's to remove first).
    pub(super) fn remove_component(&mut self, id: Xname) {
        let old = self.tables.raw_component(id, None);
        self.undo.push(Undo::Component(id, old));
    }

    /// Set or remove a Redfish endpoint; one written without a password keeps the stored
    /// password (credentials are write-only, so a read-modify-write must not erase them).
    pub(super) fn set_endpoint(&mut self, id: Xname, mut ep: Option<RedfishEndpoint>) {
        if let Some(new) = ep.as_mut()
            && new.password.is_empty()
            && let Some(old) = self.tables.endpoints.get(&id)
        {
            new.password.clone_from(&old.password);
        }
        let old = self.tables.raw_endpoint(id, ep);
        self.undo.push(Undo::Endpoint(id, old));
    }

    /// Set or remove a component endpoint.
    pub(super) fn set_component_endpoint(&mut self, id: Xname, ce: Option<ComponentEndpoint>) {
        let old = self.tables.raw_component_endpoint(id, ce);
        self.undo.push(Undo::ComponentEndpoint(id, old));
    }

    /// Set or remove an ethernet interface.
    pub(super) fn set_iface(&mut self, mac: MacAddr, e: Option<EthernetInterface>) {
        let old = self.tables.raw_iface(mac, e);
        self.undo.push(Undo::Iface(mac, old));
    }

    /// Set or remove a hardware record.
    pub(super) fn set_hardware(&mut self, id: Xname, h: Option<HardwareRecord>) {
        self.tables.hardware_generation += 1;
        let old = replace(&mut self.tables.hardware, id, h);
        self.undo.push(Undo::Hardware(id, old));
    }

    /// Set or remove a group's metadata.
    pub(super) fn set_group(&mut self, label: &str, g: Option<Group>) {
        let old = self.tables.raw_group(label, g);
        self.undo.push(Undo::Group(label.to_owned(), old));
    }

    /// Add or remove a group member.
    pub(super) fn set_group_member(&mut self, label: &str, id: Xname, present: bool) {
        let was = self.tables.raw_group_member(label, id, present);
        self.undo.push(Undo::GroupMember(label.to_owned(), id, was));
    }

    /// Set or remove a partition's metadata.
    pub(super) fn set_partition(&mut self, name: Xname, p: Option<Partition>) {
        let old = self.tables.raw_partition(name, p);
        self.undo.push(Undo::Partition(name, old));
    }

    /// Add or remove a partition member.
    pub(super) fn set_partition_member(&mut self, name: Xname, id: Xname, present: bool) {
        let was = self.tables.raw_partition_member(name, id, present);
        self.undo.push(Undo::PartitionMember(name, id, was));
    }

    /// Set or remove the boot config under one name.
    pub(super) fn set_boot(&mut self, key: BootKey, c: Option<Arc<BootConfig>>) {
        let old = self.tables.raw_boot(key.clone(), c);
        self.undo.push(Undo::Boot(key, old));
    }

    /// Remove a component from every group and its partition.
    pub(super) fn drop_memberships(&mut self, id: Xname) {
        let labels: Vec<String> = self
            .tables
            .groups_of
            .get(&id)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        for label in labels {
            self.set_group_member(&label, id, false);
        }
        if let Some(p) = self.tables.partition_of.get(&id).copied() {
            self.set_partition_member(p, id, false);
        }
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        let t = &mut *self.tables;
        while let Some(u) = self.undo.pop() {
            match u {
                Undo::Component(id, old) => {
                    t.raw_component(id, old);
                }
                Undo::Endpoint(id, old) => {
                    t.raw_endpoint(id, old);
                }
                Undo::ComponentEndpoint(id, old) => {
                    t.raw_component_endpoint(id, old);
                }
                Undo::Iface(mac, old) => {
                    t.raw_iface(mac, old);
                }
                Undo::Hardware(id, old) => {
                    replace(&mut t.hardware, id, old);
                }
                Undo::Group(label, old) => {
                    t.raw_group(&label, old);
                }
                Undo::GroupMember(label, id, was) => {
                    t.raw_group_member(&label, id, was);
                }
                Undo::Partition(name, old) => {
                    t.raw_partition(name, old);
                }
                Undo::PartitionMember(name, id, was) => {
                    t.raw_partition_member(name, id, was);
                }
                Undo::Boot(key, old) => {
                    t.raw_boot(key, old);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ochami_core::{Members, State};

    use super::*;

    fn x(s: &str) -> Xname {
        s.parse().unwrap()
    }

    fn sorted<K: Ord + std::fmt::Debug, V: std::fmt::Debug>(m: &HashMap<K, V>) -> String {
        format!("{:?}", m.iter().collect::<BTreeMap<_, _>>())
    }

    /// Every table and index in a deterministic text form.
    fn canonical(t: &Tables) -> String {
        let groups: Vec<_> = t
            .groups
            .values()
            .map(|g| (g.meta.clone(), g.members.clone()))
            .collect();
        let partitions: Vec<_> = t
            .partitions
            .values()
            .map(|p| (p.meta.clone(), p.members.clone()))
            .collect();
        let boot: BTreeMap<_, _> = t
            .boot
            .iter()
            .map(|(k, v)| (k.clone(), (**v).clone()))
            .collect();
        format!(
            "{:?}\n{:?}\n{:?}\n{}\n{:?}\n{}\n{:?}\n{}\n{}\n{:?}\n{groups:?}\n{partitions:?}\n{}\n{}\n{boot:?}",
            t.components,
            t.nids,
            t.endpoints,
            sorted(&t.fqdns),
            t.component_endpoints,
            sorted(&t.ces_by_endpoint),
            t.ifaces,
            sorted(&t.ifaces_by_ip),
            sorted(&t.ifaces_by_component),
            t.hardware,
            sorted(&t.groups_of),
            sorted(&t.partition_of),
        )
    }

    fn node(id: &str, nid: i64) -> Component {
        Component::new(x(id)).with_state(State::Ready).with_nid(nid)
    }

    fn group(label: &str) -> Group {
        Group {
            label: label.into(),
            description: String::new(),
            exclusive_group: String::new(),
            tags: vec![],
            members: Members::default(),
        }
    }

    fn ce(id: &str, endpoint: &str) -> ComponentEndpoint {
        serde_json::from_value(serde_json::json!({
            "ID": id, "Type": x(id).hms_type(), "RedfishType": "ComputerSystem", "RedfishEndpointID": endpoint,
        }))
        .unwrap()
    }

    #[test]
    fn dropping_a_tx_restores_every_table_and_index() {
        let mut t = Tables::default();
        let mac = |s: &str| s.parse::<MacAddr>().unwrap();
        let mut tx = Tx::new(&mut t);
        tx.put_component(node("x0c0s0b0n0", 1));
        tx.put_component(node("x0c0s0b0n1", 2));
        tx.set_endpoint(
            x("x0c0s0b0"),
            Some(RedfishEndpoint::new(x("x0c0s0b0"), "10.0.0.1")),
        );
        tx.set_component_endpoint(x("x0c0s0b0n0"), Some(ce("x0c0s0b0n0", "x0c0s0b0")));
        let e = EthernetInterface::new(
            mac("aa:00:00:00:00:01"),
            Some(x("x0c0s0b0n0")),
            ["10.0.0.5".to_owned()],
        );
        tx.set_iface(e.mac_address, Some(e));
        tx.set_group("a", Some(group("a")));
        tx.set_group_member("a", x("x0c0s0b0n0"), true);
        tx.set_partition(
            x("p1"),
            Some(Partition {
                name: "p1".into(),
                description: String::new(),
                tags: vec![],
                members: Members::default(),
            }),
        );
        tx.set_partition_member(x("p1"), x("x0c0s0b0n1"), true);
        tx.set_boot(BootKey::Nid(1), Some(Arc::new(BootConfig::default())));
        tx.commit();
        let before = canonical(&t);

        let mut tx = Tx::new(&mut t);
        tx.put_component(node("x0c0s0b0n0", 3));
        tx.put_component(node("x0c0s0b0n2", 1));
        tx.drop_memberships(x("x0c0s0b0n1"));
        tx.remove_component(x("x0c0s0b0n1"));
        tx.set_endpoint(
            x("x0c0s0b0"),
            Some(RedfishEndpoint::new(x("x0c0s0b0"), "10.0.0.9")),
        );
        tx.set_endpoint(
            x("x0c0s1b0"),
            Some(RedfishEndpoint::new(x("x0c0s1b0"), "10.0.0.1")),
        );
        tx.set_component_endpoint(x("x0c0s0b0n0"), Some(ce("x0c0s0b0n0", "x0c0s1b0")));
        let moved = EthernetInterface::new(
            mac("aa:00:00:00:00:01"),
            Some(x("x0c0s0b0n2")),
            ["10.0.0.6".to_owned()],
        );
        tx.set_iface(moved.mac_address, Some(moved));
        tx.set_iface(
            mac("aa:00:00:00:00:02"),
            Some(EthernetInterface::new(mac("aa:00:00:00:00:02"), None, [])),
        );
        tx.set_hardware(x("x0c0s0b0n0"), None);
        tx.set_group("b", Some(group("b")));
        tx.set_group_member("b", x("x0c0s0b0n0"), true);
        tx.set_group_member("a", x("x0c0s0b0n0"), false);
        tx.set_group("a", None);
        tx.set_partition_member(x("p1"), x("x0c0s0b0n2"), true);
        tx.set_boot(BootKey::Nid(1), None);
        tx.set_boot(BootKey::Nid(2), Some(Arc::new(BootConfig::default())));
        assert_ne!(canonical(tx.tables()), before);
        drop(tx);

        assert_eq!(canonical(&t), before);
    }
}
