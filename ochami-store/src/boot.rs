//! BSS records as the store keeps them: the names boot parameters are stored under
//! ([`BootKey`]), what is stored under one name ([`BootConfig`]) and the candidates of a
//! bootscript request by MAC — all defined in `ochami-core`, where `ochami-boot` reads them
//! too — and the endpoint-access history.

#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
use ochami_core::BootConfiguration;
#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
use ochami_core::BootOrigin;
pub use ochami_core::{BootCandidates, BootConfig, BootKey, merge_patch};
use ochami_core::{Component, ComponentEndpoint, EthernetInterface};
use serde::{Deserialize, Serialize};

/// BSS's node view read at once ([`crate::Store::node_inventory`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeInventory {
    /// `Node` and `VirtualNode` components, in natural xname order.
    pub components: Vec<Component>,
    /// Every component endpoint.
    pub endpoints: Vec<ComponentEndpoint>,
    /// The ethernet interfaces of node-typed components.
    pub interfaces: Vec<EthernetInterface>,
}

/// One row of BSS's endpoint-access history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointAccess {
    /// Node name (xname).
    pub name: String,
    /// `bootscript` or `user-data`.
    pub endpoint: String,
    /// Unix seconds.
    pub last_epoch: i64,
}

#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
/// A configuration checked and normalized for storing: a boot-service one with a valid
/// spec. BSS rows are written through the BSS methods only.
pub(crate) fn checked(config: &BootConfiguration) -> crate::Result<BootConfiguration> {
    if config.origin != BootOrigin::BootService || BootKey::from_bss_uid(&config.uid).is_some() {
        return Err(ochami_core::Error::InvalidValue {
            field: "uid",
            value: config.uid.clone(),
            expected: "a boot-service configuration uid (legacy-… names a BSS row)".into(),
        }
        .into());
    }
    let mut c = config.clone();
    c.spec.normalize()?;
    Ok(c)
}
