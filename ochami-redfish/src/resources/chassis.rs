//! `Chassis`: enclosures, blades and cards; some BMCs list nodes only under
//! `Chassis/*/Links/ComputerSystems`.

use ochami_core::ingest::ChassisDetail;
use ochami_core::{ChassisLocationInfo, PartFruInfo};
use serde::Serialize;
use serde_json::Value;

use super::Asset;
use super::lenient::{self, tolerant_deserialize};

/// `GET /redfish/v1/Chassis/<id>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Chassis {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `ChassisType` (`RackMount`, `Blade`, `Enclosure`, ...).
    pub chassis_type: Option<String>,
    /// Manufacturer, model, serial number, SKU, part number and asset tag.
    #[serde(flatten)]
    pub asset: Asset,
    /// `Links.ComputerSystems`.
    pub computer_systems: Vec<String>,
    /// `Links.ManagedBy`.
    pub managed_by: Vec<String>,
    /// Link to the (deprecated but common) `Power` resource.
    pub power: Option<String>,
    /// Link to the NetworkAdapters collection.
    pub network_adapters: Option<String>,
    /// Link to the PCIeDevices collection.
    pub pcie_devices: Option<String>,
    /// HPE's `Oem.Hpe.Links.Devices` (`HpeServerDevice`s: GPUs and NICs on iLO).
    pub hpe_devices: Option<String>,
    /// `Status.State`.
    pub state: Option<String>,
    /// `Oem`, raw.
    pub oem: Option<Value>,
}

impl Chassis {
    /// Reads a Chassis tolerantly.
    pub fn from_value(v: &Value) -> Self {
        let links = v.get("Links").unwrap_or(&Value::Null);
        Chassis {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            name: lenient::text(v, "Name"),
            description: lenient::text(v, "Description"),
            chassis_type: lenient::text(v, "ChassisType"),
            asset: Asset::from_value(v),
            computer_systems: lenient::link_list(links, "ComputerSystems"),
            managed_by: lenient::link_list(links, "ManagedBy"),
            power: lenient::link(v, "Power"),
            network_adapters: lenient::link(v, "NetworkAdapters"),
            pcie_devices: lenient::link(v, "PCIeDevices"),
            hpe_devices: lenient::at(v, &["Oem", "Hpe", "Links"])
                .and_then(|l| lenient::link(l, "Devices")),
            state: lenient::status_state(v),
            oem: lenient::oem(v),
        }
    }
}

impl Chassis {
    /// The chassis as an enclosure FRU.
    pub fn to_detail(&self, base: &str) -> ChassisDetail {
        let t = |o: &Option<String>| o.clone().unwrap_or_default();
        ChassisDetail {
            uri: super::full_uri(base, self.odata_id.as_deref()),
            state: t(&self.state),
            location: ChassisLocationInfo {
                id: t(&self.id),
                name: t(&self.name),
                description: t(&self.description),
                hostname: String::new(),
            },
            fru: PartFruInfo {
                asset_tag: t(&self.asset.asset_tag),
                chassis_type: t(&self.chassis_type),
                manufacturer: t(&self.asset.manufacturer),
                model: t(&self.asset.model),
                part_number: t(&self.asset.part_number),
                sku: t(&self.asset.sku),
                serial_number: t(&self.asset.serial_number),
            },
        }
    }
}

tolerant_deserialize!(Chassis);
