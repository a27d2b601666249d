//! `NetworkAdapter`: a NIC card of a chassis (`Chassis/<id>/NetworkAdapters/<id>`).

use ochami_core::ingest::AdapterDetail;
use ochami_core::{BasicLocationInfo, PartFruInfo};
use serde::Serialize;
use serde_json::Value;

use super::Asset;
use super::lenient::{self, tolerant_deserialize};

/// `GET .../NetworkAdapters/<id>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NetworkAdapter {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// Manufacturer, model, serial number, SKU, part number.
    #[serde(flatten)]
    pub asset: Asset,
    /// Link to its ports (`Ports`, or the older `NetworkPorts`).
    pub ports: Option<String>,
    /// `Status.State`.
    pub state: Option<String>,
}

impl NetworkAdapter {
    /// Reads a NetworkAdapter tolerantly.
    pub fn from_value(v: &Value) -> Self {
        NetworkAdapter {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            name: lenient::text(v, "Name"),
            description: lenient::text(v, "Description"),
            asset: Asset::from_value(v),
            ports: lenient::link(v, "Ports").or_else(|| lenient::link(v, "NetworkPorts")),
            state: lenient::status_state(v),
        }
    }

    /// The adapter as discovery reports it.
    pub fn to_detail(&self, base: &str) -> AdapterDetail {
        let t = |o: &Option<String>| o.clone().unwrap_or_default();
        AdapterDetail {
            uri: super::full_uri(base, self.odata_id.as_deref()),
            state: t(&self.state),
            location: BasicLocationInfo {
                id: t(&self.id),
                name: t(&self.name),
                description: t(&self.description),
            },
            fru: PartFruInfo {
                manufacturer: t(&self.asset.manufacturer),
                model: t(&self.asset.model),
                part_number: t(&self.asset.part_number),
                sku: t(&self.asset.sku),
                serial_number: t(&self.asset.serial_number),
                ..Default::default()
            },
        }
    }
}

tolerant_deserialize!(NetworkAdapter);
