//! Filters of the list calls the core's `ComponentFilter` does not cover: Redfish endpoints
//! and ethernet interfaces.

use ochami_core::{HmsType, MacAddr, Xname};

/// Filter for Redfish endpoints (`GET /Inventory/RedfishEndpoints`); empty lists match all,
/// several values of one field are OR-ed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RedfishEndpointFilter {
    /// `id`.
    pub id: Vec<Xname>,
    /// `fqdn`.
    pub fqdn: Vec<String>,
    /// `type`.
    pub hms_type: Vec<HmsType>,
    /// `uuid`.
    pub uuid: Vec<String>,
    /// `macaddr`.
    pub mac: Vec<MacAddr>,
    /// `ipaddress`.
    pub ip: Vec<String>,
    /// `laststatus`.
    pub last_status: Vec<String>,
}

/// Filter for ethernet interfaces (`GET /Inventory/EthernetInterfaces`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EthernetInterfaceFilter {
    /// `macaddress` (or `id`).
    pub mac: Vec<MacAddr>,
    /// `ipaddress`.
    pub ip: Vec<String>,
    /// `network`.
    pub network: Vec<String>,
    /// `componentid`.
    pub component_id: Vec<Xname>,
    /// `type`.
    pub hms_type: Vec<HmsType>,
}
