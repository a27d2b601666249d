//! `*FRUInfo`: the durable identity of a field-replaceable unit (who made it, which part,
//! which serial), and SMD's FRU id rule. Field names are SMD's (`pkg/redfish`
//! `*FRUInfoRF`), which pass Redfish's through.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{HmsType, Xname};

/// `NodeFRUInfo` (the field-replaceable unit's identity).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NodeFruInfo {
    /// Asset tag.
    #[serde(rename = "AssetTag", default, skip_serializing_if = "String::is_empty")]
    pub asset_tag: String,
    /// BIOS version.
    #[serde(
        rename = "BiosVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub bios_version: String,
    /// Model.
    #[serde(rename = "Model", default, skip_serializing_if = "String::is_empty")]
    pub model: String,
    /// Manufacturer.
    #[serde(
        rename = "Manufacturer",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub manufacturer: String,
    /// Part number.
    #[serde(
        rename = "PartNumber",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub part_number: String,
    /// Serial number.
    #[serde(
        rename = "SerialNumber",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub serial_number: String,
    /// SKU.
    #[serde(rename = "SKU", default, skip_serializing_if = "String::is_empty")]
    pub sku: String,
    /// `Physical`, `Virtual`, ...
    #[serde(
        rename = "SystemType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub system_type: String,
    /// UUID.
    #[serde(rename = "UUID", default, skip_serializing_if = "String::is_empty")]
    pub uuid: String,
}

/// `ProcessorFRUInfo` and `NodeAccelFRUInfo`: a CPU, GPU or other processor.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProcessorFruInfo {
    /// `x86-64`, `ARM-A64`, ...
    #[serde(
        rename = "InstructionSet",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub instruction_set: String,
    /// Manufacturer.
    #[serde(
        rename = "Manufacturer",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub manufacturer: String,
    /// Maximum clock in MHz.
    #[serde(
        rename = "MaxSpeedMHz",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_speed_mhz: Option<u64>,
    /// Model.
    #[serde(rename = "Model", default, skip_serializing_if = "String::is_empty")]
    pub model: String,
    /// Serial number.
    #[serde(
        rename = "SerialNumber",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub serial_number: String,
    /// Part number.
    #[serde(
        rename = "PartNumber",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub part_number: String,
    /// `x86`, `ARM`, ...
    #[serde(
        rename = "ProcessorArchitecture",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub processor_architecture: String,
    /// `ProcessorId` (`VendorID`, `EffectiveFamily`, ...), as the BMC gave it.
    #[serde(
        rename = "ProcessorId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub processor_id: Option<Value>,
    /// `CPU`, `GPU`, `FPGA`, `Accelerator`, ...
    #[serde(
        rename = "ProcessorType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub processor_type: String,
    /// Cores.
    #[serde(
        rename = "TotalCores",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub total_cores: Option<u64>,
    /// Hardware threads.
    #[serde(
        rename = "TotalThreads",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub total_threads: Option<u64>,
    /// Vendor section, raw.
    #[serde(rename = "Oem", default, skip_serializing_if = "Option::is_none")]
    pub oem: Option<Value>,
}

/// `MemoryFRUInfo`: one DIMM.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemoryFruInfo {
    /// `RDIMM`, `LRDIMM`, ...
    #[serde(
        rename = "BaseModuleType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub base_module_type: String,
    /// Bus width.
    #[serde(
        rename = "BusWidthBits",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bus_width_bits: Option<u64>,
    /// Capacity in MiB.
    #[serde(
        rename = "CapacityMiB",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub capacity_mib: Option<u64>,
    /// Data width.
    #[serde(
        rename = "DataWidthBits",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub data_width_bits: Option<u64>,
    /// `MultiBitECC`, ...
    #[serde(
        rename = "ErrorCorrection",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub error_correction: String,
    /// Manufacturer.
    #[serde(
        rename = "Manufacturer",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub manufacturer: String,
    /// `DRAM`, `NVDIMM_N`, ...
    #[serde(
        rename = "MemoryType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub memory_type: String,
    /// `DDR4`, `DDR5`, `HBM3`, ...
    #[serde(
        rename = "MemoryDeviceType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub memory_device_type: String,
    /// Speed in MHz (Redfish spells it `Mhz`).
    #[serde(
        rename = "OperatingSpeedMhz",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub operating_speed_mhz: Option<u64>,
    /// Part number.
    #[serde(
        rename = "PartNumber",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub part_number: String,
    /// Ranks.
    #[serde(rename = "RankCount", default, skip_serializing_if = "Option::is_none")]
    pub rank_count: Option<u64>,
    /// Serial number.
    #[serde(
        rename = "SerialNumber",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub serial_number: String,
}

/// `DriveFRUInfo`: one disk.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DriveFruInfo {
    /// Manufacturer.
    #[serde(
        rename = "Manufacturer",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub manufacturer: String,
    /// Serial number.
    #[serde(
        rename = "SerialNumber",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub serial_number: String,
    /// Part number.
    #[serde(
        rename = "PartNumber",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub part_number: String,
    /// Model.
    #[serde(rename = "Model", default, skip_serializing_if = "String::is_empty")]
    pub model: String,
    /// SKU.
    #[serde(rename = "SKU", default, skip_serializing_if = "String::is_empty")]
    pub sku: String,
    /// Capacity in bytes.
    #[serde(
        rename = "CapacityBytes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub capacity_bytes: Option<u64>,
    /// `SATA`, `NVMe`, `SAS`, ...
    #[serde(rename = "Protocol", default, skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// `HDD`, `SSD`.
    #[serde(
        rename = "MediaType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub media_type: String,
    /// Spindle speed.
    #[serde(
        rename = "RotationSpeedRPM",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub rotation_speed_rpm: Option<f64>,
    /// Block size.
    #[serde(
        rename = "BlockSizeBytes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub block_size_bytes: Option<u64>,
    /// Fastest link speed.
    #[serde(
        rename = "CapableSpeedGbs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub capable_speed_gbs: Option<f64>,
    /// Whether the drive predicts its own failure.
    #[serde(
        rename = "FailurePredicted",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub failure_predicted: Option<bool>,
    /// Encryption capability.
    #[serde(
        rename = "EncryptionAbility",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub encryption_ability: String,
    /// Encryption status.
    #[serde(
        rename = "EncryptionStatus",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub encryption_status: String,
    /// Current link speed.
    #[serde(
        rename = "NegotiatedSpeedGbs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub negotiated_speed_gbs: Option<f64>,
    /// Wear left.
    #[serde(
        rename = "PredictedMediaLifeLeftPercent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub predicted_media_life_left_percent: Option<f64>,
}

/// `NodeHsnNicFRUInfo` and `ChassisFRUInfo` (and its aliases): an adapter or enclosure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PartFruInfo {
    /// Asset tag (enclosures).
    #[serde(rename = "AssetTag", default, skip_serializing_if = "String::is_empty")]
    pub asset_tag: String,
    /// `RackMount`, `Blade`, ... (enclosures).
    #[serde(
        rename = "ChassisType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub chassis_type: String,
    /// Manufacturer.
    #[serde(
        rename = "Manufacturer",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub manufacturer: String,
    /// Model.
    #[serde(rename = "Model", default, skip_serializing_if = "String::is_empty")]
    pub model: String,
    /// Part number.
    #[serde(
        rename = "PartNumber",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub part_number: String,
    /// SKU.
    #[serde(rename = "SKU", default, skip_serializing_if = "String::is_empty")]
    pub sku: String,
    /// Serial number.
    #[serde(
        rename = "SerialNumber",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub serial_number: String,
}

/// A FRU's info, in the shape its HMS type has in SMD; written under `<Type>FRUInfo`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FruInfo {
    /// Node.
    Node(NodeFruInfo),
    /// Processor and NodeAccel.
    Processor(ProcessorFruInfo),
    /// Memory.
    Memory(MemoryFruInfo),
    /// Drive.
    Drive(DriveFruInfo),
    /// NodeHsnNic and the enclosure types.
    Part(PartFruInfo),
    /// A type ochami does not model, kept as received.
    Other(Value),
}

impl FruInfo {
    fn text(&self, key: &str) -> &str {
        match self {
            FruInfo::Node(f) => match key {
                "Manufacturer" => &f.manufacturer,
                "PartNumber" => &f.part_number,
                _ => &f.serial_number,
            },
            FruInfo::Processor(f) => match key {
                "Manufacturer" => &f.manufacturer,
                "PartNumber" => &f.part_number,
                _ => &f.serial_number,
            },
            FruInfo::Memory(f) => match key {
                "Manufacturer" => &f.manufacturer,
                "PartNumber" => &f.part_number,
                _ => &f.serial_number,
            },
            FruInfo::Drive(f) => match key {
                "Manufacturer" => &f.manufacturer,
                "PartNumber" => &f.part_number,
                _ => &f.serial_number,
            },
            FruInfo::Part(f) => match key {
                "Manufacturer" => &f.manufacturer,
                "PartNumber" => &f.part_number,
                _ => &f.serial_number,
            },
            FruInfo::Other(v) => v.get(key).and_then(Value::as_str).unwrap_or_default(),
        }
    }

    /// `Manufacturer` (empty when unknown).
    pub fn manufacturer(&self) -> &str {
        self.text("Manufacturer")
    }

    /// `PartNumber` (empty when unknown).
    pub fn part_number(&self) -> &str {
        self.text("PartNumber")
    }

    /// `SerialNumber` (empty when unknown).
    pub fn serial_number(&self) -> &str {
        self.text("SerialNumber")
    }
}

/// SMD's FRU id for a part of type `ty` found at `location`:
/// `<Type>.<Manufacturer>.<PartNumber>.<SerialNumber>`, each part reduced to ASCII letters
/// and digits. It needs a serial number and a manufacturer or part number, and at most 255
/// characters; otherwise the part cannot be told apart from another of its kind and the id
/// is `FRUIDfor<location>`. The same part gives the same id wherever and whenever it is
/// found, so a swapped DIMM shows as a new FRU at the old location.
///
/// ```
/// use ochami_core::{HmsType, fru_id};
/// let loc = "x3000c0s1b0n0p0".parse()?;
/// assert_eq!(fru_id(HmsType::Processor, "AMD", "100-000000314", "2B9A4C1E", &loc),
///            "Processor.AMD.100000000314.2B9A4C1E");
/// assert_eq!(fru_id(HmsType::Processor, "AMD", "", "", &loc), "FRUIDforx3000c0s1b0n0p0");
/// # Ok::<(), ochami_core::XnameError>(())
/// ```
pub fn fru_id(
    ty: HmsType,
    manufacturer: &str,
    part_number: &str,
    serial_number: &str,
    location: &Xname,
) -> String {
    let clean = |s: &str| -> String { s.chars().filter(char::is_ascii_alphanumeric).collect() };
    let (m, p, s) = (
        clean(manufacturer),
        clean(part_number),
        clean(serial_number),
    );
    let id = format!("{ty}.{m}.{p}.{s}");
    if s.is_empty() || (m.is_empty() && p.is_empty()) || id.len() > 255 {
        format!("FRUIDfor{location}")
    } else {
        id
    }
}
