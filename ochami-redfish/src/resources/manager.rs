//! `Manager`: the BMC itself (or an enclosure or auxiliary controller).

use serde::Serialize;
use serde_json::Value;

use super::lenient::{self, tolerant_deserialize};

/// `GET /redfish/v1/Managers/<id>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Manager {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `UUID`.
    pub uuid: Option<String>,
    /// `Model`.
    pub model: Option<String>,
    /// `ManagerType` (`BMC`, `EnclosureManager`, `AuxiliaryController`, ...).
    pub manager_type: Option<String>,
    /// `FirmwareVersion`.
    pub firmware_version: Option<String>,
    /// Link to the manager's EthernetInterfaces collection.
    pub ethernet_interfaces: Option<String>,
    /// `Links.ManagerForServers`.
    pub manager_for_servers: Vec<String>,
    /// `Links.ManagerForChassis`.
    pub manager_for_chassis: Vec<String>,
    /// `Oem`, raw.
    pub oem: Option<Value>,
}

impl Manager {
    /// Reads a Manager tolerantly.
    pub fn from_value(v: &Value) -> Self {
        let links = v.get("Links").unwrap_or(&Value::Null);
        Manager {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            name: lenient::text(v, "Name"),
            description: lenient::text(v, "Description"),
            uuid: lenient::text(v, "UUID"),
            model: lenient::text(v, "Model"),
            manager_type: lenient::text(v, "ManagerType"),
            firmware_version: lenient::text(v, "FirmwareVersion"),
            ethernet_interfaces: lenient::link(v, "EthernetInterfaces"),
            manager_for_servers: lenient::link_list(links, "ManagerForServers"),
            manager_for_chassis: lenient::link_list(links, "ManagerForChassis"),
            oem: lenient::oem(v),
        }
    }
}

tolerant_deserialize!(Manager);
