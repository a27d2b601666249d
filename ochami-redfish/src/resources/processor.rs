//! `Processor`: one socket (or accelerator) of a system.

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
    /// `ProcessorType` (`CPU`, `GPU`, `FPGA`, ...).
    pub processor_type: Option<String>,
    /// `Manufacturer`.
    pub manufacturer: Option<String>,
    /// `Model`.
    pub model: Option<String>,
    /// `TotalCores`.
    pub total_cores: Option<u64>,
    /// `TotalThreads`.
    pub total_threads: Option<u64>,
    /// `MaxSpeedMHz` (Dell sends `""` here; that is `None`).
    pub max_speed_mhz: Option<u64>,
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
            processor_type: lenient::text(v, "ProcessorType"),
            manufacturer: lenient::text(v, "Manufacturer"),
            model: lenient::text(v, "Model"),
            total_cores: lenient::uint(v, "TotalCores"),
            total_threads: lenient::uint(v, "TotalThreads"),
            max_speed_mhz: lenient::uint(v, "MaxSpeedMHz"),
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
}

tolerant_deserialize!(Processor);
