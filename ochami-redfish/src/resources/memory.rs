//! `Memory`: one DIMM of a system.

use serde::Serialize;
use serde_json::Value;

use super::lenient::{self, tolerant_deserialize};

/// `GET .../Memory/<id>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Memory {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `CapacityMiB`.
    pub capacity_mib: Option<u64>,
    /// `MemoryDeviceType` (`DDR4`, ...).
    pub memory_device_type: Option<String>,
    /// `Manufacturer`.
    pub manufacturer: Option<String>,
    /// `Status.State` (`Enabled`, `Absent`, ...).
    pub state: Option<String>,
    /// `Oem`, raw.
    pub oem: Option<Value>,
}

impl Memory {
    /// Reads a Memory resource tolerantly.
    pub fn from_value(v: &Value) -> Self {
        Memory {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            capacity_mib: lenient::uint(v, "CapacityMiB"),
            memory_device_type: lenient::text(v, "MemoryDeviceType"),
            manufacturer: lenient::text(v, "Manufacturer"),
            state: lenient::status_state(v),
            oem: lenient::oem(v),
        }
    }

    /// The installed capacity in MiB: 0 for an `Absent` slot.
    pub fn installed_mib(&self) -> u64 {
        if self
            .state
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("Absent"))
        {
            0
        } else {
            self.capacity_mib.unwrap_or(0)
        }
    }
}

tolerant_deserialize!(Memory);
