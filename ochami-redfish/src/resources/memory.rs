//! `Memory`: one DIMM slot of a system.

use ochami_core::ingest::MemoryDetail;
use ochami_core::{MemoryFruInfo, MemoryLocation, MemoryLocationInfo};
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
    /// `Name`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `DeviceLocator` (the silkscreen label).
    pub device_locator: Option<String>,
    /// `MemoryLocation.Socket`.
    pub socket: Option<u64>,
    /// `MemoryLocation.MemoryController`.
    pub memory_controller: Option<u64>,
    /// `MemoryLocation.Channel`.
    pub channel: Option<u64>,
    /// `MemoryLocation.Slot`.
    pub slot: Option<u64>,
    /// `CapacityMiB`.
    pub capacity_mib: Option<u64>,
    /// `MemoryType` (`DRAM`, ...).
    pub memory_type: Option<String>,
    /// `MemoryDeviceType` (`DDR4`, ...).
    pub memory_device_type: Option<String>,
    /// `BaseModuleType` (`RDIMM`, ...).
    pub base_module_type: Option<String>,
    /// `OperatingSpeedMhz`.
    pub operating_speed_mhz: Option<u64>,
    /// `RankCount`.
    pub rank_count: Option<u64>,
    /// `DataWidthBits`.
    pub data_width_bits: Option<u64>,
    /// `BusWidthBits`.
    pub bus_width_bits: Option<u64>,
    /// `ErrorCorrection`.
    pub error_correction: Option<String>,
    /// `Manufacturer`.
    pub manufacturer: Option<String>,
    /// `PartNumber`.
    pub part_number: Option<String>,
    /// `SerialNumber`.
    pub serial_number: Option<String>,
    /// `Status.State` (`Enabled`, `Absent`, ...).
    pub state: Option<String>,
    /// `Oem`, raw.
    pub oem: Option<Value>,
}

impl Memory {
    /// Reads a Memory resource tolerantly.
    pub fn from_value(v: &Value) -> Self {
        let loc = v.get("MemoryLocation").unwrap_or(&Value::Null);
        Memory {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            name: lenient::text(v, "Name"),
            description: lenient::text(v, "Description"),
            device_locator: lenient::text(v, "DeviceLocator"),
            socket: lenient::uint(loc, "Socket"),
            memory_controller: lenient::uint(loc, "MemoryController"),
            channel: lenient::uint(loc, "Channel"),
            slot: lenient::uint(loc, "Slot"),
            capacity_mib: lenient::uint(v, "CapacityMiB"),
            memory_type: lenient::text(v, "MemoryType"),
            memory_device_type: lenient::text(v, "MemoryDeviceType"),
            base_module_type: lenient::text(v, "BaseModuleType"),
            operating_speed_mhz: lenient::uint(v, "OperatingSpeedMhz"),
            rank_count: lenient::uint(v, "RankCount"),
            data_width_bits: lenient::uint(v, "DataWidthBits"),
            bus_width_bits: lenient::uint(v, "BusWidthBits"),
            error_correction: lenient::text(v, "ErrorCorrection"),
            manufacturer: lenient::text(v, "Manufacturer"),
            part_number: lenient::text(v, "PartNumber"),
            serial_number: lenient::text(v, "SerialNumber"),
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

    /// The slot as discovery reports it. The name falls back to `DeviceLocator`, which is
    /// what is printed on the board.
    pub fn to_detail(&self, base: &str) -> MemoryDetail {
        let t = |o: &Option<String>| o.clone().unwrap_or_default();
        MemoryDetail {
            uri: super::full_uri(base, self.odata_id.as_deref()),
            state: t(&self.state),
            location: MemoryLocationInfo {
                id: t(&self.id),
                name: self
                    .name
                    .clone()
                    .or_else(|| self.device_locator.clone())
                    .unwrap_or_default(),
                description: t(&self.description),
                memory_location: MemoryLocation {
                    socket: self.socket,
                    memory_controller: self.memory_controller,
                    channel: self.channel,
                    slot: self.slot,
                },
            },
            fru: MemoryFruInfo {
                base_module_type: t(&self.base_module_type),
                bus_width_bits: self.bus_width_bits,
                capacity_mib: self.capacity_mib,
                data_width_bits: self.data_width_bits,
                error_correction: t(&self.error_correction),
                manufacturer: t(&self.manufacturer),
                memory_type: t(&self.memory_type),
                memory_device_type: t(&self.memory_device_type),
                operating_speed_mhz: self.operating_speed_mhz,
                part_number: t(&self.part_number),
                rank_count: self.rank_count,
                serial_number: t(&self.serial_number),
            },
        }
    }
}

tolerant_deserialize!(Memory);
