//! `Asset`: the identity a ComputerSystem or a Chassis carries (who made it, what it is,
//! which one it is), read the same way for both.

use serde::Serialize;
use serde_json::Value;

use super::lenient;

/// `Manufacturer`, `Model`, `SerialNumber`, `SKU`, `PartNumber` and `AssetTag` of a
/// ComputerSystem or Chassis. Serialized flattened into the resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Asset {
    /// `Manufacturer`.
    pub manufacturer: Option<String>,
    /// `Model`.
    pub model: Option<String>,
    /// `SerialNumber`.
    pub serial_number: Option<String>,
    /// `SKU`.
    pub sku: Option<String>,
    /// `PartNumber`.
    pub part_number: Option<String>,
    /// `AssetTag`.
    pub asset_tag: Option<String>,
}

impl Asset {
    /// Reads the identity fields of a resource tolerantly.
    pub fn from_value(v: &Value) -> Self {
        Asset {
            manufacturer: lenient::text(v, "Manufacturer"),
            model: lenient::text(v, "Model"),
            serial_number: lenient::text(v, "SerialNumber"),
            sku: lenient::text(v, "SKU"),
            part_number: lenient::text(v, "PartNumber"),
            asset_tag: lenient::text(v, "AssetTag"),
        }
    }
}
