//! `Chassis`: enclosures, blades and cards; some BMCs list nodes only under
//! `Chassis/*/Links/ComputerSystems`.

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
            chassis_type: lenient::text(v, "ChassisType"),
            asset: Asset::from_value(v),
            computer_systems: lenient::link_list(links, "ComputerSystems"),
            managed_by: lenient::link_list(links, "ManagedBy"),
            power: lenient::link(v, "Power"),
            oem: lenient::oem(v),
        }
    }
}

tolerant_deserialize!(Chassis);
