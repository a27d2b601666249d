//! `*LocationInfo`: what SMD keeps about a place in the machine (a socket, a DIMM slot, a
//! drive bay), as opposed to the part that sits there ([`super::fru`]). Field names are
//! SMD's (`pkg/redfish` `*LocationInfoRF`), which pass Redfish's through.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `ProcessorSummary` of a node's location info.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProcessorSummary {
    /// Number of processors.
    #[serde(rename = "Count", default)]
    pub count: u32,
    /// Model.
    #[serde(rename = "Model", default, skip_serializing_if = "String::is_empty")]
    pub model: String,
}

/// `MemorySummary` of a node's location info.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MemorySummary {
    /// Total memory in GiB.
    #[serde(rename = "TotalSystemMemoryGiB", default)]
    pub total_system_memory_gib: f64,
}

/// `NodeLocationInfo` (pass-through of the Redfish ComputerSystem).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NodeLocationInfo {
    /// Redfish `Id`.
    #[serde(rename = "Id", default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Redfish `Name`.
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Redfish `Description`.
    #[serde(
        rename = "Description",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
    /// Redfish `HostName` (SMD spells the key `Hostname`).
    #[serde(rename = "Hostname", default, skip_serializing_if = "String::is_empty")]
    pub hostname: String,
    /// Processors.
    #[serde(rename = "ProcessorSummary", default)]
    pub processor_summary: ProcessorSummary,
    /// Memory.
    #[serde(rename = "MemorySummary", default)]
    pub memory_summary: MemorySummary,
    /// Power state when discovered (`On`, `Off`, ...).
    #[serde(
        rename = "PowerState",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub power_state: String,
}

/// `ProcessorLocationInfo` and `NodeAccelLocationInfo`: one socket or accelerator slot.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProcessorLocationInfo {
    /// Redfish `Id` (`CPU0`, `GPU1`).
    #[serde(rename = "Id", default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Redfish `Name`.
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Redfish `Description`.
    #[serde(
        rename = "Description",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
    /// Redfish `Socket` (the silkscreen label, `CPU 0`, `Proc 1`).
    #[serde(rename = "Socket", default, skip_serializing_if = "String::is_empty")]
    pub socket: String,
}

/// Redfish `MemoryLocation`: where a DIMM sits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemoryLocation {
    /// Socket.
    #[serde(rename = "Socket", default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<u64>,
    /// Memory controller.
    #[serde(
        rename = "MemoryController",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub memory_controller: Option<u64>,
    /// Channel.
    #[serde(rename = "Channel", default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<u64>,
    /// Slot.
    #[serde(rename = "Slot", default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<u64>,
}

impl MemoryLocation {
    fn is_empty(&self) -> bool {
        *self == MemoryLocation::default()
    }
}

/// `MemoryLocationInfo`: one DIMM slot.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemoryLocationInfo {
    /// Redfish `Id` (`DIMM0`, `proc1dimm3`).
    #[serde(rename = "Id", default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Redfish `Name`.
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Redfish `Description`.
    #[serde(
        rename = "Description",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
    /// Socket, controller, channel and slot.
    #[serde(
        rename = "MemoryLocation",
        default,
        skip_serializing_if = "MemoryLocation::is_empty"
    )]
    pub memory_location: MemoryLocation,
}

/// `DriveLocationInfo` and `NodeHsnNicLocationInfo`: a bay or adapter slot known by its
/// Redfish identity only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BasicLocationInfo {
    /// Redfish `Id`.
    #[serde(rename = "Id", default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Redfish `Name`.
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Redfish `Description`.
    #[serde(
        rename = "Description",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
}

/// `ChassisLocationInfo` and its aliases (`CabinetLocationInfo`, `ComputeModuleLocationInfo`,
/// `NodeEnclosureLocationInfo`, ...): an enclosure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChassisLocationInfo {
    /// Redfish `Id`.
    #[serde(rename = "Id", default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Redfish `Name`.
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Redfish `Description`.
    #[serde(
        rename = "Description",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
    /// Host name, where the enclosure has one.
    #[serde(rename = "Hostname", default, skip_serializing_if = "String::is_empty")]
    pub hostname: String,
}

/// A location's info, in the shape its HMS type has in SMD. The key it is written under
/// (`ProcessorLocationInfo`, `NodeAccelLocationInfo`, ...) follows the record's type, so
/// one shape can serve several types.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LocationInfo {
    /// Node.
    Node(NodeLocationInfo),
    /// Processor and NodeAccel.
    Processor(ProcessorLocationInfo),
    /// Memory.
    Memory(MemoryLocationInfo),
    /// Drive and NodeHsnNic.
    Basic(BasicLocationInfo),
    /// Cabinet, Chassis, ComputeModule, RouterModule, NodeEnclosure, HSNBoard and the
    /// management switches.
    Chassis(ChassisLocationInfo),
    /// A type ochami does not model (PDUs, power supplies, BMCs, ...), kept as received.
    Other(Value),
}
