//! The deep part of a crawl: one system's parts for the hardware inventory.
//!
//! For each ComputerSystem the crawl reads, when linked:
//! - `Processors` (CPUs, and GPUs listed as `ProcessorType: GPU`/`Accelerator`);
//! - `Memory` (every DIMM slot, empty ones included);
//! - `Storage` and each storage's `Drives`, else `SimpleStorage` and its `Devices`;
//! - `NetworkAdapters` of the system's chassis (of a chassis holding this node alone: an
//!   enclosure shared by several nodes does not lend its cards to each);
//! - accelerators among `PCIeDevices` (of the system and its chassis) and, on HPE iLO,
//!   `Chassis/<id>/Devices` (GPUs, and NICs from Mellanox, HPE or BEI as high-speed NICs,
//!   as SMD does). These are read only when `Processors` lists no GPU, so a BMC that
//!   lists its GPUs twice does not get them counted twice. A PCIe device is an accelerator
//!   when it says so (`DeviceType`) or one of its functions is of class
//!   `ProcessingAccelerators`, or a `DisplayController` of a GPU vendor (the BMC's own
//!   VGA is a display controller too);
//! - the chassis holding the system, as enclosure FRUs.
//!
//! A system's chassis are those it links (`Links.Chassis`), those that link it
//! (`Links.ComputerSystems`), and otherwise the chassis with the system's own `Id` (HPE Cray
//! EX node cards link neither way). Members are sorted naturally by `@odata.id`, which
//! fixes their ordinals. Each collection costs one request with `$expand` (when the
//! service offers it) and one per member without. A collection that cannot be read is a
//! warning, never a failed crawl.

use ochami_core::ingest::{
    AdapterDetail, ChassisDetail, DriveDetail, MemoryDetail, ProcessorDetail, StorageDetail,
};
use serde_json::Value;

use crate::client::RedfishClient;
use crate::crawl::{natural_cmp, tolerate};
use crate::error::Result;
use crate::resources::{
    Chassis, ComputerSystem, Drive, Memory, NetworkAdapter, PcieDevice, Processor, Storage,
    function_is_accelerator,
};

/// What a deep crawl found behind one system.
#[derive(Debug, Clone, Default)]
pub(crate) struct SystemParts {
    pub(crate) processors: Vec<ProcessorDetail>,
    pub(crate) memory: Vec<MemoryDetail>,
    pub(crate) storage: Vec<StorageDetail>,
    pub(crate) adapters: Vec<AdapterDetail>,
    pub(crate) chassis: Vec<ChassisDetail>,
}

impl SystemParts {
    /// Installed CPUs (the `ProcessorSummary.Count` fallback).
    pub(crate) fn cpu_count(&self) -> usize {
        self.processors
            .iter()
            .filter(|p| !p.is_accelerator() && !p.is_absent())
            .filter(|p| {
                p.fru.processor_type.is_empty() || p.fru.processor_type.eq_ignore_ascii_case("CPU")
            })
            .count()
    }

    /// The first CPU model.
    pub(crate) fn cpu_model(&self) -> Option<String> {
        self.processors
            .iter()
            .filter(|p| !p.is_accelerator() && !p.is_absent())
            .map(|p| p.fru.model.clone())
            .find(|m| !m.is_empty())
    }

    /// Installed memory in MiB (saturating: capacities are whatever the BMC claims).
    pub(crate) fn memory_mib(&self) -> u64 {
        self.memory
            .iter()
            .filter(|m| !m.is_empty_slot())
            .map(|m| m.fru.capacity_mib.unwrap_or(0))
            .fold(0, u64::saturating_add)
    }
}

/// The members of a linked collection, sorted naturally by `@odata.id`; none (and a
/// warning) when it cannot be read.
async fn sorted_members(
    client: &RedfishClient,
    path: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Value>> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let mut members = tolerate(client.get_members(path).await, warnings)?.unwrap_or_default();
    members.sort_by(|a, b| {
        let id = |v: &Value| {
            v.get("@odata.id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        natural_cmp(&id(a).unwrap_or_default(), &id(b).unwrap_or_default())
    });
    Ok(members)
}

/// The chassis that hold `s` (see the module docs).
pub(crate) fn chassis_of<'a>(s: &ComputerSystem, all: &'a [Chassis]) -> Vec<&'a Chassis> {
    let linked: Vec<&Chassis> = all
        .iter()
        .filter(|c| {
            c.odata_id.as_ref().is_some_and(|id| s.chassis.contains(id))
                || s.odata_id
                    .as_ref()
                    .is_some_and(|id| c.computer_systems.contains(id))
        })
        .collect();
    if !linked.is_empty() {
        return linked;
    }
    all.iter()
        .filter(|c| c.id.is_some() && c.id == s.id)
        .collect()
}

/// Reads the parts of one system.
pub(crate) async fn read_parts(
    client: &RedfishClient,
    s: &ComputerSystem,
    chassis: &[&Chassis],
    warnings: &mut Vec<String>,
) -> Result<SystemParts> {
    let base = client.base_url();
    let mut parts = SystemParts {
        processors: sorted_members(client, s.processors.as_deref(), warnings)
            .await?
            .iter()
            .map(|v| Processor::from_value(v).to_detail(base))
            .collect(),
        memory: sorted_members(client, s.memory.as_deref(), warnings)
            .await?
            .iter()
            .map(|v| Memory::from_value(v).to_detail(base))
            .collect(),
        storage: read_storage(client, s, warnings).await?,
        ..SystemParts::default()
    };

    let has_gpus = parts.processors.iter().any(ProcessorDetail::is_accelerator);
    // Cards are read only from a chassis of this node alone: an enclosure shared by several
    // nodes would otherwise lend its cards to each of them.
    let own: Vec<&&Chassis> = chassis
        .iter()
        .filter(|c| c.computer_systems.len() <= 1)
        .collect();
    let pcie_links = s
        .pcie_devices
        .iter()
        .chain(own.iter().filter_map(|c| c.pcie_devices.as_ref()));
    let mut pcie_paths: Vec<&str> = pcie_links.map(String::as_str).collect();
    pcie_paths.sort_unstable();
    pcie_paths.dedup();
    if !has_gpus {
        for path in pcie_paths {
            for v in sorted_members(client, Some(path), warnings).await? {
                let d = PcieDevice::from_value(&v);
                if is_accelerator(client, &d, warnings).await? {
                    parts.processors.push(d.to_accelerator(base));
                }
            }
        }
    }
    for c in own {
        for v in sorted_members(client, c.network_adapters.as_deref(), warnings).await? {
            parts
                .adapters
                .push(NetworkAdapter::from_value(&v).to_detail(base));
        }
        for v in sorted_members(client, c.hpe_devices.as_deref(), warnings).await? {
            let d = PcieDevice::from_value(&v);
            if d.says_gpu() && !has_gpus {
                parts.processors.push(d.to_accelerator(base));
            } else if d.is_hsn_nic() {
                parts.adapters.push(d.to_adapter(base));
            }
        }
    }
    parts.chassis = chassis.iter().map(|c| c.to_detail(base)).collect();
    Ok(parts)
}

/// Whether a PCIe device is an accelerator; reads its functions when it does not say.
async fn is_accelerator(
    client: &RedfishClient,
    d: &PcieDevice,
    warnings: &mut Vec<String>,
) -> Result<bool> {
    if d.says_gpu() {
        return Ok(true);
    }
    let functions = sorted_members(client, d.functions.as_deref(), warnings).await?;
    Ok(functions.iter().any(function_is_accelerator))
}

/// The storage subsystems and their drives; `SimpleStorage` when there is no `Storage`
/// with drives.
async fn read_storage(
    client: &RedfishClient,
    s: &ComputerSystem,
    warnings: &mut Vec<String>,
) -> Result<Vec<StorageDetail>> {
    let base = client.base_url();
    let mut out = Vec::new();
    for v in sorted_members(client, s.storage.as_deref(), warnings).await? {
        let st = Storage::from_value(&v);
        let drives = tolerate(
            client.fetch_all(st.drives.iter().map(String::as_str)).await,
            warnings,
        )?
        .unwrap_or_default();
        let drives: Vec<DriveDetail> = drives
            .iter()
            .map(|d| Drive::from_value(d).to_detail(base))
            .collect();
        if !drives.is_empty() {
            out.push(StorageDetail {
                uri: crate::resources::full_uri(base, st.odata_id.as_deref()),
                drives,
            });
        }
    }
    if out.is_empty() {
        for v in sorted_members(client, s.simple_storage.as_deref(), warnings).await? {
            let drives: Vec<DriveDetail> = Drive::simple_storage_devices(&v)
                .iter()
                .map(|d| d.to_detail(base))
                .collect();
            if !drives.is_empty() {
                out.push(StorageDetail {
                    uri: crate::resources::full_uri(
                        base,
                        v.get("@odata.id").and_then(Value::as_str),
                    ),
                    drives,
                });
            }
        }
    }
    Ok(out)
}
