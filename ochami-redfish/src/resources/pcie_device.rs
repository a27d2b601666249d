//! `PCIeDevice` and HPE's `HpeServerDevice` (`Chassis/<id>/Devices`): where BMCs list GPUs
//! and high-speed NICs that are not Processors.

use ochami_core::ingest::{AdapterDetail, ProcessorDetail};
use ochami_core::{BasicLocationInfo, PartFruInfo, ProcessorFruInfo, ProcessorLocationInfo};
use serde::Serialize;
use serde_json::Value;

use super::lenient::{self, tolerant_deserialize};

/// PCI vendor ids of GPU makers, for display controllers that are accelerators (the BMC's
/// own VGA, e.g. Matrox or ASPEED, is a display controller too).
const GPU_VENDORS: &[u64] = &[0x10de, 0x1002];

/// `GET .../PCIeDevices/<id>` (or an HPE `Devices/<id>`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PcieDevice {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `Manufacturer`.
    pub manufacturer: Option<String>,
    /// `Model`.
    pub model: Option<String>,
    /// `SerialNumber`.
    pub serial_number: Option<String>,
    /// `PartNumber`.
    pub part_number: Option<String>,
    /// `SKU`.
    pub sku: Option<String>,
    /// `DeviceType` (HPE Devices: `GPU`, `LOM/NIC`, ...; PCIeDevice: `SingleFunction`, ...).
    pub device_type: Option<String>,
    /// Link to the `PCIeFunctions` collection.
    pub functions: Option<String>,
    /// `Status.State`.
    pub state: Option<String>,
}

impl PcieDevice {
    /// Reads a PCIeDevice or HpeServerDevice tolerantly.
    pub fn from_value(v: &Value) -> Self {
        PcieDevice {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            name: lenient::text(v, "Name"),
            description: lenient::text(v, "Description"),
            manufacturer: lenient::text(v, "Manufacturer"),
            model: lenient::text(v, "Model"),
            serial_number: lenient::text(v, "SerialNumber"),
            part_number: lenient::text(v, "PartNumber"),
            sku: lenient::text(v, "SKU"),
            device_type: lenient::text(v, "DeviceType"),
            functions: lenient::link(v, "PCIeFunctions"),
            state: lenient::status_state(v),
        }
    }

    /// True when an HPE `Devices` entry or the device itself says it is a GPU.
    pub fn says_gpu(&self) -> bool {
        self.device_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("GPU") || t.eq_ignore_ascii_case("Accelerator"))
    }

    /// True for an HPE `Devices` NIC that SMD counts as a high-speed NIC: made by
    /// Mellanox, HPE or BEI.
    pub fn is_hsn_nic(&self) -> bool {
        let nic = self
            .device_type
            .as_deref()
            .is_some_and(|t| t.to_ascii_uppercase().contains("NIC"));
        let maker = self.manufacturer.as_deref().unwrap_or_default();
        nic && ["mellanox", "hpe", "bei"]
            .iter()
            .any(|m| maker.to_ascii_lowercase().starts_with(m))
    }

    /// The device as an accelerator (`ProcessorType: GPU`).
    pub fn to_accelerator(&self, base: &str) -> ProcessorDetail {
        let t = |o: &Option<String>| o.clone().unwrap_or_default();
        ProcessorDetail {
            uri: super::full_uri(base, self.odata_id.as_deref()),
            state: t(&self.state),
            location: ProcessorLocationInfo {
                id: t(&self.id),
                name: t(&self.name),
                description: t(&self.description),
                socket: String::new(),
            },
            fru: ProcessorFruInfo {
                manufacturer: t(&self.manufacturer),
                model: t(&self.model).trim().to_owned(),
                serial_number: t(&self.serial_number),
                part_number: t(&self.part_number),
                processor_type: "GPU".into(),
                ..Default::default()
            },
        }
    }

    /// The device as a network adapter.
    pub fn to_adapter(&self, base: &str) -> AdapterDetail {
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
                manufacturer: t(&self.manufacturer),
                model: t(&self.model),
                part_number: t(&self.part_number),
                sku: t(&self.sku),
                serial_number: t(&self.serial_number),
                ..Default::default()
            },
        }
    }
}

tolerant_deserialize!(PcieDevice);

/// True when a `PCIeFunction` is an accelerator: class `ProcessingAccelerators`, or a
/// `DisplayController` from a GPU vendor (NVIDIA, AMD). `VendorId` is read as hex with a
/// `0x` prefix and as decimal without (HPE writes decimal).
pub fn function_is_accelerator(f: &Value) -> bool {
    let class = lenient::text(f, "DeviceClass").unwrap_or_default();
    if class.eq_ignore_ascii_case("ProcessingAccelerators") {
        return true;
    }
    let vendor = lenient::text(f, "VendorId").and_then(|v| {
        let v = v.trim();
        match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => v.parse().ok(),
        }
    });
    class.eq_ignore_ascii_case("DisplayController")
        && vendor.is_some_and(|v| GPU_VENDORS.contains(&v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bmc_vga_is_not_a_gpu() {
        let matrox = json!({"DeviceClass": "DisplayController", "VendorId": "4139"});
        let nvidia = json!({"DeviceClass": "DisplayController", "VendorId": "0x10DE"});
        let accel = json!({"DeviceClass": "ProcessingAccelerators"});
        assert!(!function_is_accelerator(&matrox));
        assert!(function_is_accelerator(&nvidia));
        assert!(function_is_accelerator(&accel));
        assert!(!function_is_accelerator(
            &json!({"DeviceClass": "NetworkController"})
        ));
    }

    #[test]
    fn hsn_nics_by_maker() {
        let d =
            |m: &str| PcieDevice::from_value(&json!({"DeviceType": "LOM/NIC", "Manufacturer": m}));
        assert!(d("Mellanox Technologies").is_hsn_nic());
        assert!(!d("Marvell").is_hsn_nic());
    }
}
