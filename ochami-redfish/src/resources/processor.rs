//! `Processor`: one socket (or accelerator) of a system.

use ochami_core::ingest::ProcessorDetail;
use ochami_core::{ProcessorFruInfo, ProcessorLocationInfo};
use serde::Serialize;
use serde_json::Value;

use super::lenient::{self, tolerant_deserialize};

/// `GET .../Processors/<id>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Processor {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `Socket` (the silkscreen label).
    pub socket: Option<String>,
    /// `ProcessorType` (`CPU`, `GPU`, `FPGA`, ...).
    pub processor_type: Option<String>,
    /// `ProcessorArchitecture` (`x86`, `ARM`, ...).
    pub processor_architecture: Option<String>,
    /// `InstructionSet` (`x86-64`, ...).
    pub instruction_set: Option<String>,
    /// `Manufacturer`.
    pub manufacturer: Option<String>,
    /// `Model` (trimmed: iLO pads it with spaces).
    pub model: Option<String>,
    /// `SerialNumber`.
    pub serial_number: Option<String>,
    /// `PartNumber`.
    pub part_number: Option<String>,
    /// `TotalCores`.
    pub total_cores: Option<u64>,
    /// `TotalThreads`.
    pub total_threads: Option<u64>,
    /// `MaxSpeedMHz` (Dell sends `""` here; that is `None`).
    pub max_speed_mhz: Option<u64>,
    /// `ProcessorId`, raw (`VendorId`, `EffectiveFamily`, ...).
    pub processor_id: Option<Value>,
    /// `Status.State` (`Enabled`, `Absent`, ...).
    pub state: Option<String>,
    /// `Oem`, raw.
    pub oem: Option<Value>,
}

impl Processor {
    /// Reads a Processor tolerantly.
    pub fn from_value(v: &Value) -> Self {
        Processor {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            name: lenient::text(v, "Name"),
            description: lenient::text(v, "Description"),
            socket: lenient::text(v, "Socket"),
            processor_type: lenient::text(v, "ProcessorType"),
            processor_architecture: lenient::text(v, "ProcessorArchitecture"),
            instruction_set: lenient::text(v, "InstructionSet"),
            manufacturer: lenient::text(v, "Manufacturer"),
            model: lenient::text(v, "Model"),
            serial_number: lenient::text(v, "SerialNumber"),
            part_number: lenient::text(v, "PartNumber"),
            total_cores: lenient::uint(v, "TotalCores"),
            total_threads: lenient::uint(v, "TotalThreads"),
            max_speed_mhz: lenient::uint(v, "MaxSpeedMHz"),
            processor_id: v.get("ProcessorId").filter(|p| p.is_object()).cloned(),
            state: lenient::status_state(v),
            oem: lenient::oem(v),
        }
    }

    /// True for an installed CPU: type `CPU` (or no type given) and not `Absent`.
    pub fn is_present_cpu(&self) -> bool {
        let cpu = self
            .processor_type
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case("CPU"));
        let absent = self
            .state
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("Absent"));
        cpu && !absent
    }

    /// The part as discovery reports it (`Oem` left out: it is vendor noise, often large).
    pub fn to_detail(&self, base: &str) -> ProcessorDetail {
        let t = |o: &Option<String>| o.clone().unwrap_or_default();
        ProcessorDetail {
            uri: super::full_uri(base, self.odata_id.as_deref()),
            state: t(&self.state),
            location: ProcessorLocationInfo {
                id: t(&self.id),
                name: t(&self.name),
                description: t(&self.description),
                socket: t(&self.socket),
            },
            fru: ProcessorFruInfo {
                instruction_set: t(&self.instruction_set),
                manufacturer: t(&self.manufacturer),
                max_speed_mhz: self.max_speed_mhz,
                model: t(&self.model),
                serial_number: t(&self.serial_number),
                part_number: t(&self.part_number),
                processor_architecture: t(&self.processor_architecture),
                processor_id: self.processor_id.clone(),
                processor_type: t(&self.processor_type),
                total_cores: self.total_cores,
                total_threads: self.total_threads,
                oem: None,
            },
        }
    }
}

tolerant_deserialize!(Processor);
