//! `ComputerSystem`: one node as its BMC describes it.

use serde::Serialize;
use serde_json::Value;

use super::Asset;
use super::lenient::{self, tolerant_deserialize};

/// `GET /redfish/v1/Systems/<id>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ComputerSystem {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `UUID` (absent on some blades, e.g. HPE Cray EX).
    pub uuid: Option<String>,
    /// Manufacturer, model, serial number, SKU, part number and asset tag.
    #[serde(flatten)]
    pub asset: Asset,
    /// `SystemType` (`Physical`, `Virtual`, ...).
    pub system_type: Option<String>,
    /// `BiosVersion`.
    pub bios_version: Option<String>,
    /// `PowerState` (`On`, `Off`, ...).
    pub power_state: Option<String>,
    /// `HostName`.
    pub host_name: Option<String>,
    /// `ProcessorSummary.Count`.
    pub processor_count: Option<u64>,
    /// `ProcessorSummary.Model`.
    pub processor_model: Option<String>,
    /// `MemorySummary.TotalSystemMemoryGiB`.
    pub memory_gib: Option<f64>,
    /// Link to the EthernetInterfaces collection.
    pub ethernet_interfaces: Option<String>,
    /// Link to the Processors collection.
    pub processors: Option<String>,
    /// Link to the Memory collection.
    pub memory: Option<String>,
    /// Link to the Storage collection.
    pub storage: Option<String>,
    /// Link to the SimpleStorage collection (older services, DMTF's mockups).
    pub simple_storage: Option<String>,
    /// Link to a PCIeDevices collection under the system (older services; newer ones list
    /// them under the chassis).
    pub pcie_devices: Option<String>,
    /// `Links.Chassis`.
    pub chassis: Vec<String>,
    /// `Links.ManagedBy`.
    pub managed_by: Vec<String>,
    /// Allowable values of `Actions.#ComputerSystem.Reset.ResetType`.
    pub reset_types: Vec<String>,
    /// `Status.State`.
    pub state: Option<String>,
    /// `Oem`, raw.
    pub oem: Option<Value>,
}

impl ComputerSystem {
    /// Reads a ComputerSystem tolerantly.
    pub fn from_value(v: &Value) -> Self {
        let links = v.get("Links").unwrap_or(&Value::Null);
        let ps = v.get("ProcessorSummary").unwrap_or(&Value::Null);
        let ms = v.get("MemorySummary").unwrap_or(&Value::Null);
        let reset = lenient::at(v, &["Actions", "#ComputerSystem.Reset"]).unwrap_or(&Value::Null);
        ComputerSystem {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            name: lenient::text(v, "Name"),
            description: lenient::text(v, "Description"),
            uuid: lenient::text(v, "UUID"),
            asset: Asset::from_value(v),
            system_type: lenient::text(v, "SystemType"),
            bios_version: lenient::text(v, "BiosVersion"),
            power_state: lenient::text(v, "PowerState"),
            host_name: lenient::text(v, "HostName"),
            processor_count: lenient::uint(ps, "Count"),
            processor_model: lenient::text(ps, "Model"),
            memory_gib: lenient::float(ms, "TotalSystemMemoryGiB").filter(|g| *g >= 0.0),
            ethernet_interfaces: lenient::link(v, "EthernetInterfaces"),
            processors: lenient::link(v, "Processors"),
            memory: lenient::link(v, "Memory"),
            storage: lenient::link(v, "Storage"),
            simple_storage: lenient::link(v, "SimpleStorage"),
            pcie_devices: lenient::link(v, "PCIeDevices"),
            chassis: lenient::link_list(links, "Chassis"),
            managed_by: lenient::link_list(links, "ManagedBy"),
            reset_types: lenient::text_list(reset, "ResetType@Redfish.AllowableValues"),
            state: lenient::status_state(v),
            oem: lenient::oem(v),
        }
    }
}

tolerant_deserialize!(ComputerSystem);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_types_become_none() {
        let s: ComputerSystem = serde_json::from_value(json!({
            "@odata.id": "/redfish/v1/Systems/1",
            "UUID": "", "Manufacturer": "N/A", "Model": ["x"], "SerialNumber": 1234,
            "ProcessorSummary": {"Count": "N/A", "Model": "EPYC  "},
            "MemorySummary": {"TotalSystemMemoryGiB": "256"},
            "Links": {"Chassis": "oops", "ManagedBy": [{"@odata.id": "/redfish/v1/Managers/1"}]},
            "Actions": {"#ComputerSystem.Reset": {"ResetType@Redfish.AllowableValues": ["On", 3]}},
            "Oem": {"Hpe": {"x": 1}}, "Unknown": {"deep": [1, 2]}
        }))
        .unwrap();
        assert_eq!(s.uuid, None);
        assert_eq!(s.asset.manufacturer, None);
        assert_eq!(s.asset.model, None);
        assert_eq!(s.asset.serial_number.as_deref(), Some("1234"));
        assert_eq!(s.processor_count, None);
        assert_eq!(s.processor_model.as_deref(), Some("EPYC"));
        assert_eq!(s.memory_gib, Some(256.0));
        assert!(s.chassis.is_empty());
        assert_eq!(s.managed_by, vec!["/redfish/v1/Managers/1"]);
        assert_eq!(s.reset_types, vec!["On"]);
        assert_eq!(s.oem, Some(json!({"Hpe": {"x": 1}})));
    }

    #[test]
    fn asset_fields_serialize_flat() {
        let s = ComputerSystem::from_value(&json!({"Id": "1", "SerialNumber": "SN1", "SKU": "k"}));
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["serial_number"], "SN1");
        assert_eq!(v["sku"], "k");
        assert_eq!(v["manufacturer"], Value::Null);
        assert!(v.get("asset").is_none());
    }

    #[test]
    fn non_objects_give_an_empty_system() {
        for v in [
            json!(null),
            json!(3),
            json!("s"),
            json!([1]),
            json!({"ProcessorSummary": 2}),
        ] {
            let s = ComputerSystem::from_value(&v);
            assert_eq!(s.processor_count, None);
            assert_eq!(s.odata_id, None);
        }
    }
}
