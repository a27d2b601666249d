//! The storage traits: what SMD, BSS and cloud-init need from a database. They are
//! dyn-compatible (`async-trait`), so servers and bindings hold an `Arc<dyn Store>`.
//!
//! Semantics every backend follows (the conformance suite checks them):
//! - every multi-row write is one transaction: all or nothing; a bad row is named by index;
//! - lists come back sorted by id (xnames in natural order);
//! - bad input is a typed [`StoreError`], never a panic or a raw SQL error.

use async_trait::async_trait;
use ochami_core::cloud_init::{ClusterDefaults, GroupData, InstanceInfo, NodeData};
use ochami_core::ingest::Inventory;
use ochami_core::{
    BootConfiguration, BootParams, BootSelection, Component, ComponentEndpoint, ComponentFilter,
    EthernetInterface, Group, GroupFilter, HardwareFilter, HardwareJson, HardwareRecord, HmsType,
    IpAddressEntry, MacAddr, Membership, Partition, RedfishEndpoint, Xname,
};
use ochami_core::{
    BootNodeRecords, BootQuery, HierarchyQuery, KindChange, RedfishEndpointsPost, SmComponent,
    sm_components,
};

use crate::{
    BootCandidates, BootConfig, BootKey, ComponentEndpointFilter, ComponentUpdate, EndpointAccess,
    EthernetInterfaceFilter, EthernetInterfacePatch, GroupPatch, NodeInventory,
    RedfishEndpointFilter,
};
use crate::{CredentialStore, PowerStore, Result, SnapshotStore};

/// SMD components (`/hsm/v2/State/Components`).
#[async_trait]
pub trait ComponentStore: Send + Sync {
    /// One component.
    async fn get_component(&self, id: &Xname) -> Result<Option<Component>>;

    /// Components matching `filter` (group and partition terms included), sorted by xname.
    async fn list_components(&self, filter: &ComponentFilter) -> Result<Vec<Component>>;

    /// SMD's bulk `POST /State/Components`: insert new components (normalized, `Flag`
    /// defaulting to `OK`); an existing component is left unchanged unless `force`, which
    /// overwrites its State, Flag, Subtype, NetType, Arch and Class. Every row needs a
    /// `State`. NIDs must stay unique.
    async fn upsert_components(&self, components: &[Component], force: bool) -> Result<()>;

    /// Create or replace one component entirely (`PUT /State/Components/{xname}`).
    async fn put_component(&self, component: &Component) -> Result<()>;

    /// Delete one component and its group/partition memberships; false when absent.
    async fn delete_component(&self, id: &Xname) -> Result<bool>;

    /// Delete every component; the number removed.
    async fn delete_all_components(&self) -> Result<u64>;

    /// A bulk field update (`BulkStateData`, `BulkFlagOnly`, `BulkEnabled`,
    /// `BulkSoftwareStatus`, `BulkRole`, and their single-component forms). Every id must
    /// exist ([`crate::StoreError::NotFound`] otherwise) and every state change must be
    /// allowed by SMD's transition table unless forced
    /// ([`ochami_core::Error::InvalidTransition`]); all or nothing.
    async fn update_components(&self, ids: &[Xname], update: &ComponentUpdate) -> Result<()>;

    /// Several field updates of one component at once (`PATCH /State/Components/{xname}`):
    /// `updates` are applied in order, each state change checked against the state the
    /// earlier ones left ([`ochami_core::Error::InvalidTransition`]), then `nid` is set when
    /// given (negative means no NID; NIDs stay unique). The component must exist
    /// ([`crate::StoreError::NotFound`]). One transaction: all or nothing.
    async fn update_component(
        &self,
        id: &Xname,
        updates: &[ComponentUpdate],
        nid: Option<i64>,
    ) -> Result<()>;

    /// `BulkNID`: set each component's NID; all exist, NIDs stay unique; all or nothing.
    async fn set_nids(&self, nids: &[(Xname, i64)]) -> Result<()>;

    // ---- whole-request component reads and changes (provided: one rule for every backend) ----

    /// `GET /State/Components/Query/{xname}`: the components `query` selects at and under
    /// its root ([`HierarchyQuery::contains`]). The default implementation lists
    /// [`HierarchyQuery::store_filter`] and narrows that.
    async fn query_components(&self, query: &HierarchyQuery) -> Result<Vec<Component>> {
        let mut found = self.list_components(&query.store_filter()).await?;
        found.retain(|c| query.contains(c));
        Ok(found)
    }

    /// `POST /State/Components/Query` and `ByNID/Query`: the components matching any of
    /// `filters`, sorted by xname, each once. The default implementation lists each filter.
    async fn list_components_any(&self, filters: &[ComponentFilter]) -> Result<Vec<Component>> {
        if let [one] = filters {
            return self.list_components(one).await;
        }
        let mut merged = std::collections::BTreeMap::new();
        for f in filters {
            for c in self.list_components(f).await? {
                merged.insert(c.id, c);
            }
        }
        Ok(merged.into_values().collect())
    }

    /// `PATCH /State/Components/{xname}/{kind}`: one single-field change of one component, a
    /// NID stored as [`ComponentStore::set_nids`] does, any other field as
    /// [`ComponentStore::update_components`] does.
    async fn change_component(&self, id: &Xname, change: &KindChange) -> Result<()> {
        match change {
            KindChange::Nid(nid) => self.set_nids(&[(*id, *nid)]).await,
            KindChange::Update(update) => self.update_components(&[*id], update).await,
        }
    }
}

/// SMD inventory: Redfish endpoints, component endpoints, ethernet interfaces, hardware.
#[async_trait]
pub trait InventoryStore: Send + Sync {
    /// One Redfish endpoint.
    async fn get_redfish_endpoint(&self, id: &Xname) -> Result<Option<RedfishEndpoint>>;

    /// Redfish endpoints matching `filter`, sorted by id.
    async fn list_redfish_endpoints(
        &self,
        filter: &RedfishEndpointFilter,
    ) -> Result<Vec<RedfishEndpoint>>;

    /// Insert new endpoints (normalized); an existing `ID` or `FQDN` is a conflict.
    async fn insert_redfish_endpoints(&self, endpoints: &[RedfishEndpoint]) -> Result<()>;

    /// Create or replace one endpoint.
    async fn put_redfish_endpoint(&self, endpoint: &RedfishEndpoint) -> Result<()>;

    /// Delete an endpoint and what was discovered through it, as SMD does: its component
    /// endpoints are removed and the components under it are set to `State=Empty`,
    /// `Flag=OK`. False when absent.
    async fn delete_redfish_endpoint(&self, id: &Xname) -> Result<bool>;

    /// Delete every Redfish endpoint with the cascade of
    /// [`InventoryStore::delete_redfish_endpoint`], in one transaction; the number of
    /// endpoints removed.
    async fn delete_all_redfish_endpoints(&self) -> Result<u64>;

    /// Store a discovery result atomically: endpoints (replaced), components (new ones
    /// inserted; an existing one is left entirely unchanged unless `force`, which
    /// overwrites State, Flag, Role and NID; a component in State `Empty`, e.g. after its
    /// endpoint was deleted, takes the discovered State and Flag), component endpoints and
    /// hardware (replaced by location; a node whose parts the inventory carries loses the
    /// part records it no longer has, while a shallow discovery without parts keeps them),
    /// ethernet interfaces (upserted by MAC; a MAC that belongs to
    /// another component is a conflict unless `force`; IPs are replaced only by a
    /// non-empty discovered list, so re-ingesting the same result changes nothing).
    async fn ingest(&self, inventory: &Inventory, force: bool) -> Result<()>;

    /// SMD's `POST /Inventory/RedfishEndpoints`: register the endpoints
    /// ([`InventoryStore::insert_redfish_endpoints`]) or store a discovery result
    /// ([`InventoryStore::ingest`], not forced). The default implementation asks those.
    async fn post_redfish_endpoints(&self, post: &RedfishEndpointsPost) -> Result<()> {
        match post {
            RedfishEndpointsPost::Endpoints(endpoints) => {
                self.insert_redfish_endpoints(endpoints).await
            }
            RedfishEndpointsPost::Discovery { inventory, .. } => {
                self.ingest(inventory, false).await
            }
        }
    }

    /// One component endpoint.
    async fn get_component_endpoint(&self, id: &Xname) -> Result<Option<ComponentEndpoint>>;

    /// Component endpoints matching `filter` (one query), sorted by id.
    async fn list_component_endpoints(
        &self,
        filter: &ComponentEndpointFilter,
    ) -> Result<Vec<ComponentEndpoint>>;

    /// Delete one component endpoint; false when absent.
    async fn delete_component_endpoint(&self, id: &Xname) -> Result<bool>;

    /// Delete every component endpoint in one transaction; the number removed.
    async fn delete_all_component_endpoints(&self) -> Result<u64>;

    /// One ethernet interface by its id (the MAC without separators) or any MAC form.
    async fn get_ethernet_interface(&self, mac: &MacAddr) -> Result<Option<EthernetInterface>>;

    /// Ethernet interfaces matching `filter` (one query, time bounds included), sorted by id.
    async fn list_ethernet_interfaces(
        &self,
        filter: &EthernetInterfaceFilter,
    ) -> Result<Vec<EthernetInterface>>;

    /// Insert a new interface; an existing MAC is a conflict naming `MACAddress`.
    async fn insert_ethernet_interface(&self, iface: &EthernetInterface) -> Result<()>;

    /// Change description, component or IPs of an interface (`LastUpdate` moves only when
    /// the IPs change). NotFound when absent.
    async fn patch_ethernet_interface(
        &self,
        mac: &MacAddr,
        patch: &EthernetInterfacePatch,
    ) -> Result<()>;

    /// Append one IP to an interface in one transaction, so concurrent edits of its IP list
    /// are not lost; `LastUpdate` moves. NotFound when the interface is absent; a conflict
    /// naming `IPAddress` when the address is already on it; Invalid when it does not parse.
    async fn add_ethernet_interface_ip(&self, mac: &MacAddr, ip: &IpAddressEntry) -> Result<()>;

    /// Set the network of one IP of an interface in one transaction (`LastUpdate` moves when
    /// it changes). NotFound when the interface is absent or the IP is not on it.
    async fn update_ethernet_interface_ip(
        &self,
        mac: &MacAddr,
        ip: &str,
        network: &str,
    ) -> Result<()>;

    /// Remove one IP from an interface in one transaction (`LastUpdate` moves); false when
    /// the IP is not on it, NotFound when the interface is absent.
    async fn remove_ethernet_interface_ip(&self, mac: &MacAddr, ip: &str) -> Result<bool>;

    /// Delete one interface; false when absent.
    async fn delete_ethernet_interface(&self, mac: &MacAddr) -> Result<bool>;

    /// Delete every ethernet interface (and its IPs) in one transaction; the number removed.
    async fn delete_all_ethernet_interfaces(&self) -> Result<u64>;

    /// The interfaces whose IP list contains `ip`.
    async fn find_ethernet_interfaces_by_ip(&self, ip: &str) -> Result<Vec<EthernetInterface>>;

    /// Hardware inventory of one location.
    async fn get_hardware(&self, id: &Xname) -> Result<Option<HardwareRecord>>;

    /// Hardware inventory, optionally of one HMS type, sorted by id.
    async fn list_hardware(&self, hms_type: Option<HmsType>) -> Result<Vec<HardwareRecord>>;

    /// Hardware matching `filter` (SMD's list filters, and optionally one subtree), sorted
    /// by id; the backend does the filtering.
    async fn query_hardware(&self, filter: &HardwareFilter) -> Result<Vec<HardwareRecord>>;

    /// What [`InventoryStore::query_hardware`] finds, as each record's wire JSON (same
    /// order): the list and tree routes join these without decoding a record. Backends
    /// that keep the JSON answer from it directly; the default serializes the records.
    async fn query_hardware_json(&self, filter: &HardwareFilter) -> Result<Vec<HardwareJson>> {
        let records = self.query_hardware(filter).await?;
        Ok(records.iter().map(HardwareJson::of).collect())
    }

    /// A number that changes whenever a hardware record is written or removed, as seen by
    /// every process on the same database: an answer rendered from hardware read after the
    /// generation was `g` stays right while the generation is still `g`. Read it before
    /// the records it validates. `None` (the default) when the backend cannot tell, and
    /// then nothing may be cached.
    async fn hardware_generation(&self) -> Result<Option<u64>> {
        Ok(None)
    }

    /// Create or replace hardware records (all or nothing).
    async fn put_hardware(&self, records: &[HardwareRecord]) -> Result<()>;

    /// Delete one hardware record; false when absent.
    async fn delete_hardware(&self, id: &Xname) -> Result<bool>;
}

/// SMD groups, partitions and memberships.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// One group by label (case-insensitive).
    async fn get_group(&self, label: &str) -> Result<Option<Group>>;

    /// All groups, sorted by label.
    async fn list_groups(&self, filter: &GroupFilter) -> Result<Vec<Group>>;

    /// Create a group (label normalized); duplicate label and exclusive-group violations are
    /// conflicts; members must be existing components.
    async fn create_group(&self, group: &Group) -> Result<()>;

    /// Change description and/or tags.
    async fn patch_group(&self, label: &str, patch: &GroupPatch) -> Result<()>;

    /// Delete a group; false when absent.
    async fn delete_group(&self, label: &str) -> Result<bool>;

    /// Add one member; already a member or an exclusive-group violation is a conflict.
    async fn add_group_member(&self, label: &str, id: &Xname) -> Result<()>;

    /// Remove one member; false when it was not a member.
    async fn remove_group_member(&self, label: &str, id: &Xname) -> Result<bool>;

    /// Make the member list exactly `ids`.
    async fn replace_group_members(&self, label: &str, ids: &[Xname]) -> Result<()>;

    /// One partition by name.
    async fn get_partition(&self, name: &str) -> Result<Option<Partition>>;

    /// All partitions, sorted by name.
    async fn list_partitions(&self, filter: &GroupFilter) -> Result<Vec<Partition>>;

    /// Create a partition; a member already in another partition is a conflict.
    async fn create_partition(&self, partition: &Partition) -> Result<()>;

    /// Change description and/or tags.
    async fn patch_partition(&self, name: &str, patch: &GroupPatch) -> Result<()>;

    /// Delete a partition; false when absent.
    async fn delete_partition(&self, name: &str) -> Result<bool>;

    /// Add one member to a partition.
    async fn add_partition_member(&self, name: &str, id: &Xname) -> Result<()>;

    /// Remove one member from a partition; false when it was not a member.
    async fn remove_partition_member(&self, name: &str, id: &Xname) -> Result<bool>;

    /// Memberships of the components matching `filter`, sorted by id.
    async fn list_memberships(&self, filter: &ComponentFilter) -> Result<Vec<Membership>>;

    /// Membership of one component; None when the component does not exist.
    async fn get_membership(&self, id: &Xname) -> Result<Option<Membership>>;
}

/// BSS boot parameters, stored per name (MAC, host xname or tag, NID).
#[async_trait]
pub trait BootStore: Send + Sync {
    /// BSS `POST`: store the config under every name not yet present; when every name is
    /// already present it is a conflict. Input is normalized and checked first.
    async fn add_boot_params(&self, params: &BootParams) -> Result<()>;

    /// BSS `PUT`: store the config under every name, replacing what was there.
    async fn set_boot_params(&self, params: &BootParams) -> Result<()>;

    /// BSS `PATCH`: every name must exist (NotFound otherwise); non-empty kernel, initrd and
    /// params replace the stored ones; cloud-init meta-data and user-data are merged
    /// (RFC 7386).
    async fn update_boot_params(&self, params: &BootParams) -> Result<()>;

    /// BSS `DELETE`: remove every named entry; the number removed.
    async fn delete_boot_params(&self, params: &BootParams) -> Result<u64>;

    /// Stored boot parameters, names with identical configs grouped into one BootParams.
    /// With a non-empty `query`, only entries named by its macs/hosts/nids.
    async fn list_boot_params(&self, query: &BootParams) -> Result<Vec<BootParams>>;

    /// The config stored directly under one name (no fallback; see `ochami-boot`).
    async fn get_boot_config(&self, key: &BootKey) -> Result<Option<BootConfig>>;

    // ---- BSS reads that answer a whole request (provided: one rule for every backend) ----

    /// BSS's `GET /boot/v1/bootparameters`: the BSS rows `query` names (every row without
    /// names), then each configuration written through boot-service in BSS's shape
    /// ([`BootConfiguration::bss_view`]) that [`BootQuery::lists`]. The query is normalized
    /// here, once ([`BootQuery::keys`]). `None` when names were given and nothing answers to
    /// any of them (BSS's 404); without names always `Some`. The default implementation asks
    /// the other methods.
    async fn bss_boot_params(&self, query: &BootQuery) -> Result<Option<Vec<BootParams>>> {
        let keys = query.keys()?;
        let mut found = self.list_boot_params(&query.params).await?;
        let configured = self.list_boot_configurations().await?;
        found.extend(
            configured
                .iter()
                .filter(|c| BootQuery::lists(keys.as_deref(), c))
                .map(BootConfiguration::bss_view),
        );
        Ok((keys.is_none() || !found.is_empty()).then_some(found))
    }

    /// Record that `name` fetched `endpoint` (`bootscript`, `user-data`) at `last_epoch`.
    async fn record_access(&self, access: &EndpointAccess) -> Result<()>;

    /// [`BootStore::record_access`] for many accesses in one write (one transaction on SQL,
    /// so a server can write a second's worth of boots at once). All or nothing.
    async fn record_accesses(&self, accesses: &[EndpointAccess]) -> Result<()> {
        for a in accesses {
            self.record_access(a).await?;
        }
        Ok(())
    }

    /// Access history, optionally for one name and/or endpoint.
    async fn list_access(
        &self,
        name: Option<&str>,
        endpoint: Option<&str>,
    ) -> Result<Vec<EndpointAccess>>;

    /// Every boot configuration in one read: those written through boot-service (by uid),
    /// then every BSS row as a one-selector configuration
    /// ([`BootConfiguration::of_bss`], in name order).
    async fn list_boot_configurations(&self) -> Result<Vec<BootConfiguration>>;

    /// One configuration by uid; a `legacy-…` uid reads the BSS row behind it.
    async fn get_boot_configuration(&self, uid: &str) -> Result<Option<BootConfiguration>> {
        if let Some(key) = BootKey::from_bss_uid(uid) {
            return Ok(self
                .get_boot_config(&key)
                .await?
                .map(|c| BootConfiguration::of_bss(key, c)));
        }
        self.get_boot_service_configuration(uid).await
    }

    /// One configuration written through boot-service, by uid.
    async fn get_boot_service_configuration(&self, uid: &str) -> Result<Option<BootConfiguration>>;

    /// Store a new boot-service configuration (its spec normalized first). A uid already
    /// stored is a conflict ([`crate::ConflictKind::BootUid`]); a `legacy-…` uid is refused.
    async fn create_boot_configuration(&self, config: &BootConfiguration) -> Result<()>;

    /// Replace a stored boot-service configuration (same uid); NotFound when absent.
    async fn replace_boot_configuration(&self, config: &BootConfiguration) -> Result<()>;

    /// Delete a boot-service configuration; false when absent.
    async fn delete_boot_configuration(&self, uid: &str) -> Result<bool>;

    /// The boot-service configurations that may select a node ([`BootSelection::may_select`]):
    /// a superset the caller scores (`ochami-boot`'s resolution). BSS rows are not included;
    /// they are read by name ([`BootStore::get_boot_config`]).
    async fn boot_configurations_for(
        &self,
        selection: &BootSelection,
    ) -> Result<Vec<BootConfiguration>>;

    // ---- boot-service's view of both origins ----

    /// Delete a configuration by uid, whichever API wrote it: a `legacy-…` uid deletes the
    /// BSS row behind it ([`BootKey::from_bss_uid`]), any other the boot-service
    /// configuration. False when absent.
    async fn remove_boot_configuration(&self, uid: &str) -> Result<bool> {
        match BootKey::from_bss_uid(uid) {
            Some(key) => Ok(self.delete_boot_params(&key.as_params()).await? > 0),
            None => self.delete_boot_configuration(uid).await,
        }
    }
}

/// cloud-init data: per-group documents, per-node data, cluster defaults.
#[async_trait]
pub trait CloudInitStore: Send + Sync {
    /// One group's data.
    async fn get_group_data(&self, name: &str) -> Result<Option<GroupData>>;

    /// All groups' data, sorted by name.
    async fn list_group_data(&self) -> Result<Vec<GroupData>>;

    /// Create or replace one group's data (normalized first).
    async fn put_group_data(&self, data: &GroupData) -> Result<()>;

    /// Create one group's data (normalized first) in one atomic write: when data of that
    /// group is already stored it is a conflict ([`crate::ConflictKind::CloudInitGroup`]) and
    /// nothing changes, however many callers race.
    async fn insert_group_data(&self, data: &GroupData) -> Result<()>;

    /// Delete one group's data; false when absent.
    async fn delete_group_data(&self, name: &str) -> Result<bool>;

    /// One node's data.
    async fn get_node_data(&self, id: &Xname) -> Result<Option<NodeData>>;

    /// Every node's data with its id set, in xname order (one read, for listings across
    /// the machine).
    async fn list_node_data(&self) -> Result<Vec<(Xname, NodeData)>>;

    /// Every node's instance info, in xname order (one read). The default takes it from
    /// [`CloudInitStore::list_node_data`]; SQL backends read the instance info alone, not
    /// every node's user-data.
    async fn list_instance_infos(&self) -> Result<Vec<(Xname, InstanceInfo)>> {
        let data = self.list_node_data().await?;
        Ok(data
            .into_iter()
            .map(|(id, d)| (id, d.instance_info))
            .collect())
    }

    /// Create or replace one node's data.
    async fn put_node_data(&self, id: &Xname, data: &NodeData) -> Result<()>;

    /// Set one node's instance info in one atomic write, keeping the rest of its data (its
    /// user-data); the node's record is created when absent. `info.id` becomes `id`.
    async fn put_instance_info(&self, id: &Xname, info: &InstanceInfo) -> Result<()>;

    /// Delete one node's data; false when absent.
    async fn delete_node_data(&self, id: &Xname) -> Result<bool>;

    /// The cluster defaults (empty when never set).
    async fn get_cluster_defaults(&self) -> Result<ClusterDefaults>;

    /// Replace the cluster defaults.
    async fn put_cluster_defaults(&self, defaults: &ClusterDefaults) -> Result<()>;

    // ---- whole-request cloud-init writes (provided: one rule for every backend) ----

    /// Remove a node's instance info (metadata-service's `DELETE instanceinfos/{uid}`): a
    /// node with user-data of its own keeps it, its instance info reset to its id
    /// ([`NodeData::without_instance_info`]); otherwise its record is deleted. The default
    /// implementation asks the other methods.
    async fn remove_instance_info(&self, id: &Xname) -> Result<()> {
        let current = self.get_node_data(id).await?;
        match current.and_then(|d| d.without_instance_info(id)) {
            Some(kept) => self.put_instance_info(id, &kept.instance_info).await,
            None => self.delete_node_data(id).await.map(drop),
        }
    }
}

/// Everything: what a server or a notebook holds as `Arc<dyn Store>`.
#[async_trait]
pub trait Store:
    ComponentStore
    + InventoryStore
    + GroupStore
    + BootStore
    + CloudInitStore
    + SnapshotStore
    + PowerStore
    + CredentialStore
{
    /// BSS's node view (`/boot/v1/hosts`, `dumpstate`) in one read: every `Node` and
    /// `VirtualNode` component, every component endpoint, and the ethernet interfaces of
    /// node-typed components. The default implementation asks the other methods.
    async fn node_inventory(&self) -> Result<NodeInventory> {
        let node = ComponentFilter::from_query_pairs([("type", "Node"), ("type", "VirtualNode")])?;
        let components = self.list_components(&node).await?;
        let endpoints = self
            .list_component_endpoints(&ComponentEndpointFilter::default())
            .await?;
        let filter = EthernetInterfaceFilter {
            hms_type: vec![HmsType::Node, HmsType::VirtualNode],
            ..Default::default()
        };
        let interfaces = self.list_ethernet_interfaces(&filter).await?;
        Ok(NodeInventory {
            components,
            endpoints,
            interfaces,
        })
    }

    /// BSS's `GET /boot/v1/hosts` (and the nodes of `dumpstate`): the node view
    /// ([`Store::node_inventory`] joined by [`sm_components`]) narrowed to the nodes `query`
    /// names ([`BootQuery::select_hosts`]). The default implementation asks the other methods.
    async fn bss_hosts(&self, query: &BootQuery) -> Result<Vec<SmComponent>> {
        let inv = self.node_inventory().await?;
        let nodes = sm_components(&inv.components, &inv.endpoints, &inv.interfaces);
        Ok(query.select_hosts(nodes)?)
    }

    /// metadata-service's `GET instanceinfos`: the instance info of each `Node` and
    /// `VirtualNode` component that has some set beyond its id
    /// ([`InstanceInfo::is_set_for`]), in xname order: two reads (the nodes and every node's
    /// instance info, [`CloudInitStore::list_instance_infos`]), whatever the machine's size.
    async fn instance_infos(&self) -> Result<Vec<(Xname, InstanceInfo)>> {
        let node = ComponentFilter::from_query_pairs([("type", "Node"), ("type", "VirtualNode")])?;
        let nodes: std::collections::HashSet<Xname> = self
            .list_components(&node)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        Ok(self
            .list_instance_infos()
            .await?
            .into_iter()
            .filter(|(id, i)| nodes.contains(id) && i.is_set_for(id))
            .collect())
    }

    /// Write a boot-service node in one transaction: with `new`, a component stored under
    /// its xname is a conflict ([`crate::ConflictKind::Id`]); the component is put (its
    /// state required, its NID unique); each interface is added unless the node has it
    /// already (a MAC of another component is a conflict, [`crate::ConflictKind::MacAddress`],
    /// naming the owner); each group is created when missing and joined (already a member
    /// is fine; exclusive groups hold); a MAC listed twice is a conflict. Any error leaves
    /// the store as it was, and concurrent node writes cannot both pass a check on the same
    /// new xname, MAC or group (Postgres serializes them with an advisory lock). Use
    /// [`crate::put_boot_node`] and [`crate::create_boot_node`].
    async fn write_boot_node(&self, records: &BootNodeRecords, new: bool) -> Result<()>;

    /// Which backend this is: `memory`, `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Cheap liveness check of the database (for `/service/ready`).
    async fn ping(&self) -> Result<()>;

    /// What a bootscript request by MAC needs, in as few round trips as the backend can
    /// manage (one on SQL): the component owning the ethernet interface with `mac`, if any,
    /// and every boot config stored under the MAC itself, under that component's xname, NID
    /// and role (a host tag such as `Compute`), and under each of `tags` (such as `Default`);
    /// the labels of the component's groups and the boot-service configurations that may
    /// select it ([`BootStore::boot_configurations_for`]).
    /// Which candidate wins is the caller's policy (`ochami-boot`'s resolution order); configs
    /// come in no particular order. The default implementation asks the other methods.
    async fn boot_candidates_by_mac(
        &self,
        mac: &MacAddr,
        tags: &[String],
    ) -> Result<BootCandidates> {
        let owner = self
            .get_ethernet_interface(mac)
            .await?
            .and_then(|i| i.component_id);
        let component = match owner {
            Some(id) => self.get_component(&id).await?,
            None => None,
        };
        let mut keys = vec![BootKey::Mac(*mac)];
        if let Some(c) = &component {
            keys.push(BootKey::node(&c.id));
            keys.extend(c.nid.and_then(|n| i32::try_from(n).ok()).map(BootKey::Nid));
            keys.extend(c.role.map(|r| BootKey::Host(r.to_string())));
        }
        keys.extend(tags.iter().map(|t| BootKey::Host(t.clone())));
        let mut configs = Vec::new();
        for key in keys {
            if let Some(config) = self.get_boot_config(&key).await? {
                configs.push((key, config));
            }
        }
        let groups = match &component {
            Some(c) => self
                .get_membership(&c.id)
                .await?
                .map(|m| m.group_labels)
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let selection = BootSelection {
            xname: component.as_ref().map(|c| c.id),
            macs: vec![*mac],
            nid: component
                .as_ref()
                .and_then(|c| c.nid)
                .and_then(|n| i32::try_from(n).ok()),
            groups: groups.clone(),
            known: component.is_some(),
        };
        let configurations = self.boot_configurations_for(&selection).await?;
        Ok(BootCandidates {
            component,
            configs,
            groups,
            configurations,
        })
    }
}
