//! [`BootSource`]: the few reads boot decisions need, so this crate stays free of storage
//! engines. `ochami-store` stores implement it through the optional `store` feature
//! (`impl<S: Store + ?Sized> BootSource for S`); anything else (a cache, a remote SMD, a
//! test fixture) can implement it by hand.

use std::net::IpAddr;

use async_trait::async_trait;
use ochami_core::cloud_init::{ClusterDefaults, GroupData, NodeData};
use ochami_core::{
    BootCandidates, BootConfig, BootConfiguration, BootKey, BootSelection, Component,
    EthernetInterface, MacAddr, Xname,
};

use crate::Result;

/// The inventory and boot data that bootscripts, cloud-init documents and DHCP answers are
/// computed from. Dyn-compatible: servers hold a `&dyn BootSource`.
///
/// Errors are the implementation's own, wrapped in [`crate::BootError::Source`].
#[async_trait]
pub trait BootSource: Send + Sync {
    /// The component with this xname.
    async fn component(&self, id: &Xname) -> Result<Option<Component>>;

    /// The components with this NID (normally at most one).
    async fn components_with_nid(&self, nid: i64) -> Result<Vec<Component>>;

    /// The ethernet interface with this MAC.
    async fn interface(&self, mac: &MacAddr) -> Result<Option<EthernetInterface>>;

    /// The ethernet interfaces owned by a component, in any order.
    async fn interfaces_of(&self, id: &Xname) -> Result<Vec<EthernetInterface>>;

    /// The ethernet interfaces holding an IP address, in any order.
    async fn interfaces_with_ip(&self, ip: IpAddr) -> Result<Vec<EthernetInterface>>;

    /// The boot configuration stored under one name.
    async fn boot_config(&self, key: &BootKey) -> Result<Option<BootConfig>>;

    /// The component owning the interface with `mac`, every BSS row that could apply to it
    /// (stored under the MAC, the component's xname, NID and role, and each of `tags`), the
    /// labels of its groups and the boot-service configurations that may select it, in any
    /// order. One round trip on SQL stores: the boot storm's hot path.
    async fn boot_candidates_by_mac(
        &self,
        mac: &MacAddr,
        tags: &[String],
    ) -> Result<BootCandidates>;

    /// The boot-service configurations that may select a node (at least every one whose
    /// selectors match it; [`crate::resolve()`] scores them).
    async fn boot_configurations_for(
        &self,
        selection: &BootSelection,
    ) -> Result<Vec<BootConfiguration>>;

    /// The labels of the SMD groups a component is a member of.
    async fn group_labels(&self, id: &Xname) -> Result<Vec<String>>;

    /// The cloud-init data of a group.
    async fn group_data(&self, label: &str) -> Result<Option<GroupData>>;

    /// The cloud-init data of a node.
    async fn node_data(&self, id: &Xname) -> Result<Option<NodeData>>;

    /// The cluster-wide cloud-init defaults.
    async fn cluster_defaults(&self) -> Result<ClusterDefaults>;
}

#[cfg(feature = "store")]
mod store {
    use super::*;
    use crate::BootError;
    use ochami_core::{ComponentFilter, Term};
    use ochami_store::{BootStore, EthernetInterfaceFilter, Store};

    fn source(e: ochami_store::StoreError) -> BootError {
        BootError::Source(Box::new(e))
    }

    /// Every `ochami-store` store (`MemoryStore`, `dyn Store`...) is a boot source.
    #[async_trait]
    impl<S: Store + ?Sized> BootSource for S {
        async fn component(&self, id: &Xname) -> Result<Option<Component>> {
            self.get_component(id).await.map_err(source)
        }

        async fn components_with_nid(&self, nid: i64) -> Result<Vec<Component>> {
            let filter = ComponentFilter {
                nid: vec![Term {
                    negated: false,
                    value: nid,
                }],
                ..ComponentFilter::default()
            };
            self.list_components(&filter).await.map_err(source)
        }

        async fn interface(&self, mac: &MacAddr) -> Result<Option<EthernetInterface>> {
            self.get_ethernet_interface(mac).await.map_err(source)
        }

        async fn interfaces_of(&self, id: &Xname) -> Result<Vec<EthernetInterface>> {
            let filter = EthernetInterfaceFilter {
                component_id: vec![*id],
                ..EthernetInterfaceFilter::default()
            };
            self.list_ethernet_interfaces(&filter).await.map_err(source)
        }

        async fn interfaces_with_ip(&self, ip: IpAddr) -> Result<Vec<EthernetInterface>> {
            self.find_ethernet_interfaces_by_ip(&ip.to_string())
                .await
                .map_err(source)
        }

        async fn boot_config(&self, key: &BootKey) -> Result<Option<BootConfig>> {
            self.get_boot_config(key).await.map_err(source)
        }

        async fn boot_candidates_by_mac(
            &self,
            mac: &MacAddr,
            tags: &[String],
        ) -> Result<BootCandidates> {
            Store::boot_candidates_by_mac(self, mac, tags)
                .await
                .map_err(source)
        }

        async fn boot_configurations_for(
            &self,
            selection: &BootSelection,
        ) -> Result<Vec<BootConfiguration>> {
            BootStore::boot_configurations_for(self, selection)
                .await
                .map_err(source)
        }

        async fn group_labels(&self, id: &Xname) -> Result<Vec<String>> {
            Ok(self
                .get_membership(id)
                .await
                .map_err(source)?
                .map(|m| m.group_labels)
                .unwrap_or_default())
        }

        async fn group_data(&self, label: &str) -> Result<Option<GroupData>> {
            self.get_group_data(label).await.map_err(source)
        }

        async fn node_data(&self, id: &Xname) -> Result<Option<NodeData>> {
            self.get_node_data(id).await.map_err(source)
        }

        async fn cluster_defaults(&self) -> Result<ClusterDefaults> {
            self.get_cluster_defaults().await.map_err(source)
        }
    }
}
