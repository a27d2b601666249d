//! Change sets callers hand to the store: the PATCH bodies of ethernet interfaces and
//! groups/partitions (SMD's bulk component updates are `ochami_core::ComponentUpdate`).

use ochami_core::{IpAddressEntry, Xname};
use serde::{Deserialize, Serialize};

/// `PATCH /Inventory/EthernetInterfaces/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EthernetInterfacePatch {
    /// New description.
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    /// New owning component.
    #[serde(rename = "ComponentID", default)]
    pub component_id: Option<Xname>,
    /// New IP list.
    #[serde(rename = "IPAddresses", default)]
    pub ip_addresses: Option<Vec<IpAddressEntry>>,
}

/// `PATCH /groups/{label}` and `/partitions/{name}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupPatch {
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}
