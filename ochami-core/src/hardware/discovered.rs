//! Parts as discovery reports them, and the SMD rules that turn them into
//! [`HardwareRecord`]s.
//!
//! A part detail is the Redfish resource's own properties (which are also SMD's location
//! and FRU keys: `Id`, `Socket`, `Manufacturer`, `CapacityMiB`, ...) plus its `uri` and
//! `Status.State`, so the same body serves `ochami discover` and a Magellan-style POST.
//!
//! The rules, SMD's (`pkg/redfish/rfcomponents.go`) except where noted:
//! - parts are numbered in the order given (discovery sorts members naturally by
//!   `@odata.id`), each type counting on its own;
//! - a processor of type `GPU` or `Accelerator` is a NodeAccel `a<n>`, every other processor
//!   a Processor `p<n>` (SMD numbers an `Accelerator` from the accelerator count but names
//!   it `p<n>`, colliding with a CPU; here the two kinds never share a counter);
//! - memory `d<n>`, drives `g<storage>k<n>`, network adapters NodeHsnNic `h<n>` (SMD's
//!   grammar allows h0-h3; further adapters are left out), the chassis holding a node
//!   NodeEnclosure `<slot>e<n>`;
//! - `Status.State` `Absent` (or a DIMM of 0 MiB) is an `Empty` location without a FRU;
//! - FRU ids follow [`crate::fru_id`], so re-discovery gives the same ids and a swapped part
//!   a new one.

use serde::{Deserialize, Serialize};

use super::{
    BasicLocationInfo, ChassisLocationInfo, DriveFruInfo, FruInfo, HardwareRecord, HardwareStatus,
    LocationInfo, MemoryFruInfo, MemoryLocationInfo, PartFruInfo, PopulatedFru, ProcessorFruInfo,
    ProcessorLocationInfo, fru_id,
};
use crate::{HmsType, Xname};

/// One part as discovered: its Redfish path and state, and its location and FRU properties
/// flattened into one object with Redfish's (= SMD's) keys.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PartDetail<L, F> {
    /// URL or path of the Redfish resource (empty for parts without one, such as
    /// `SimpleStorage` devices).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uri: String,
    /// `Status.State` (`Enabled`, `Absent`, ...).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
    /// Where it is.
    #[serde(flatten)]
    pub location: L,
    /// What it is.
    #[serde(flatten)]
    pub fru: F,
}

/// A processor, GPU or other accelerator.
pub type ProcessorDetail = PartDetail<ProcessorLocationInfo, ProcessorFruInfo>;
/// A DIMM slot.
pub type MemoryDetail = PartDetail<MemoryLocationInfo, MemoryFruInfo>;
/// A drive bay.
pub type DriveDetail = PartDetail<BasicLocationInfo, DriveFruInfo>;
/// A network adapter.
pub type AdapterDetail = PartDetail<BasicLocationInfo, PartFruInfo>;
/// A chassis (enclosure) holding a node.
pub type ChassisDetail = PartDetail<ChassisLocationInfo, PartFruInfo>;

/// One storage subsystem (`Storage/<id>` or `SimpleStorage/<id>`) and its drives.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StorageDetail {
    /// URL or path of the storage resource.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uri: String,
    /// Its drives, in bay order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drives: Vec<DriveDetail>,
}

impl<L, F> PartDetail<L, F> {
    /// True when the BMC reports the slot empty (`Status.State: Absent`).
    pub fn is_absent(&self) -> bool {
        self.state.eq_ignore_ascii_case("Absent")
    }
}

impl ProcessorDetail {
    /// True for a `GPU` or `Accelerator`: it becomes a NodeAccel.
    pub fn is_accelerator(&self) -> bool {
        let t = &self.fru.processor_type;
        t.eq_ignore_ascii_case("GPU") || t.eq_ignore_ascii_case("Accelerator")
    }
}

impl MemoryDetail {
    /// True for an empty slot: `Absent`, or a capacity of 0 MiB (iLO).
    pub fn is_empty_slot(&self) -> bool {
        self.is_absent() || self.fru.capacity_mib == Some(0)
    }
}

fn record(
    id: Xname,
    empty: bool,
    location: LocationInfo,
    info: FruInfo,
    (m, p, s): (&str, &str, &str),
) -> HardwareRecord {
    let fru = (!empty).then(|| PopulatedFru {
        fru_id: fru_id(id.hms_type(), m, p, s, &id),
        subtype: String::new(),
        info,
    });
    HardwareRecord {
        id,
        status: if empty {
            HardwareStatus::Empty
        } else {
            HardwareStatus::Populated
        },
        location,
        fru,
    }
}

/// The records of a node's parts, in the order processors, accelerators, memory, drives,
/// network adapters. Parts whose xname would be out of SMD's range are left out.
pub fn part_records(
    node: Xname,
    processors: &[ProcessorDetail],
    memory: &[MemoryDetail],
    storage: &[StorageDetail],
    adapters: &[AdapterDetail],
) -> Vec<HardwareRecord> {
    let mut out = Vec::new();
    let (mut cpus, mut accels) = (0u32, 0u32);
    let mut gpus = Vec::new();
    for p in processors {
        let counter = if p.is_accelerator() {
            &mut accels
        } else {
            &mut cpus
        };
        let k = *counter;
        *counter += 1;
        let id = if p.is_accelerator() {
            node.accel(k)
        } else {
            node.processor(k)
        };
        let Ok(id) = id else { continue };
        let f = &p.fru;
        let r = record(
            id,
            p.is_absent(),
            LocationInfo::Processor(p.location.clone()),
            FruInfo::Processor(f.clone()),
            (&f.manufacturer, &f.part_number, &f.serial_number),
        );
        if p.is_accelerator() {
            gpus.push(r);
        } else {
            out.push(r);
        }
    }
    out.extend(gpus);
    for (k, d) in memory.iter().enumerate() {
        let Ok(id) = node.memory(k as u32) else {
            continue;
        };
        let f = &d.fru;
        out.push(record(
            id,
            d.is_empty_slot(),
            LocationInfo::Memory(d.location.clone()),
            FruInfo::Memory(f.clone()),
            (&f.manufacturer, &f.part_number, &f.serial_number),
        ));
    }
    for (g, s) in storage.iter().enumerate() {
        let Ok(group) = node.child(HmsType::StorageGroup, g as u32) else {
            continue;
        };
        for (k, d) in s.drives.iter().enumerate() {
            let Ok(id) = group.child(HmsType::Drive, k as u32) else {
                continue;
            };
            let f = &d.fru;
            out.push(record(
                id,
                d.is_absent(),
                LocationInfo::Basic(d.location.clone()),
                FruInfo::Drive(f.clone()),
                (&f.manufacturer, &f.part_number, &f.serial_number),
            ));
        }
    }
    for (k, a) in adapters.iter().enumerate() {
        let Ok(id) = node.hsn_nic(k as u32) else {
            break;
        };
        let f = &a.fru;
        out.push(record(
            id,
            a.is_absent(),
            LocationInfo::Basic(a.location.clone()),
            FruInfo::Part(f.clone()),
            (&f.manufacturer, &f.part_number, &f.serial_number),
        ));
    }
    out
}

/// The NodeEnclosure record of chassis `c` at `id`.
pub fn enclosure_record(id: Xname, c: &ChassisDetail) -> HardwareRecord {
    let f = &c.fru;
    record(
        id,
        c.is_absent(),
        LocationInfo::Chassis(c.location.clone()),
        FruInfo::Part(f.clone()),
        (&f.manufacturer, &f.part_number, &f.serial_number),
    )
}
