//! Hardware inventory by location: SMD's `HWInvByLoc` records (`/hsm/v2/Inventory/Hardware`)
//! for nodes and their processors, DIMMs, accelerators, drives and HSN NICs, and for
//! enclosures, each with the FRU that populates it.
//!
//! A [`HardwareRecord`] is a location (an xname such as `x3000c0s1b0n0d3`); its
//! [`PopulatedFru`] is the part found there, identified by [`fru_id`]. The JSON keys of the
//! location and FRU info follow the record's HMS type (`MemoryLocationInfo`,
//! `NodeAccelFRUInfo`, `NodeHsnNicLocationInfo`, ...), as SMD writes them; `Type` and
//! `Ordinal` are derived from the xname on input, as SMD does.

pub mod discovered;
mod fru;
mod location;
mod query;
mod record;
mod wire;

pub use fru::{
    DriveFruInfo, FruInfo, MemoryFruInfo, NodeFruInfo, PartFruInfo, ProcessorFruInfo, fru_id,
};
pub use location::{
    BasicLocationInfo, ChassisLocationInfo, LocationInfo, MemoryLocation, MemoryLocationInfo,
    MemorySummary, NodeLocationInfo, ProcessorLocationInfo, ProcessorSummary,
};
pub use query::{HardwareFilter, HardwareFru, HardwareTree, TreeFormat};
pub use record::{HardwareRecord, HardwareStatus, PopulatedFru};
pub use wire::{HardwareJson, HardwarePost};
