//! Hardware inventory as flat, pandas-friendly rows: one row per location with the same
//! columns whatever its type (`xname`, `type`, `node`, `manufacturer`, `model`, `serial`,
//! `fru_id`, and the type-specific figures, `None` where they do not apply), so
//! `store.hardware(type="NodeAccel").to_pandas().groupby("node").size()` counts the GPUs of
//! every node. The records themselves, in SMD's `HWInvByLoc` wire form, come from
//! `hardware_records`.

use ochami_core::{FruInfo, HardwareRecord, HardwareStatus, LocationInfo};
use serde::Serialize;

use crate::convert::json_of;
use crate::rows::Rows;
use pyo3::PyResult;

/// One row of `hardware()`.
#[derive(Serialize)]
struct HardwareRow<'a> {
    xname: String,
    #[serde(rename = "type")]
    hms_type: &'static str,
    /// The node the part belongs to (`None` for nodes and enclosures).
    node: Option<String>,
    /// The BMC's name for the location (`CPU1`, `DIMM3`, `GPU0`).
    location: &'a str,
    status: &'static str,
    manufacturer: &'a str,
    model: &'a str,
    part_number: &'a str,
    serial: &'a str,
    fru_id: Option<&'a str>,
    processor_type: Option<&'a str>,
    cores: Option<u64>,
    threads: Option<u64>,
    speed_mhz: Option<u64>,
    memory_type: Option<&'a str>,
    capacity_mib: Option<u64>,
    capacity_bytes: Option<u64>,
}

fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn row(r: &HardwareRecord) -> HardwareRow<'_> {
    let location = match &r.location {
        LocationInfo::Node(l) => l.id.as_str(),
        LocationInfo::Processor(l) => l.id.as_str(),
        LocationInfo::Memory(l) => l.id.as_str(),
        LocationInfo::Basic(l) => l.id.as_str(),
        _ => "",
    };
    let mut out = HardwareRow {
        xname: r.id.to_string(),
        hms_type: r.hms_type().as_str(),
        node: r.owning_node().map(|n| n.to_string()),
        location,
        status: match r.status {
            HardwareStatus::Populated => "Populated",
            HardwareStatus::Empty => "Empty",
        },
        manufacturer: r.manufacturer(),
        model: "",
        part_number: r.part_number(),
        serial: r.serial_number(),
        fru_id: r.fru_id(),
        processor_type: None,
        cores: None,
        threads: None,
        speed_mhz: None,
        memory_type: None,
        capacity_mib: None,
        capacity_bytes: None,
    };
    match r.fru.as_ref().map(|f| &f.info) {
        Some(FruInfo::Node(f)) => out.model = &f.model,
        Some(FruInfo::Processor(f)) => {
            out.model = &f.model;
            out.processor_type = opt(&f.processor_type);
            out.cores = f.total_cores;
            out.threads = f.total_threads;
            out.speed_mhz = f.max_speed_mhz;
        }
        Some(FruInfo::Memory(f)) => {
            out.memory_type = opt(&f.memory_device_type).or(opt(&f.memory_type));
            out.capacity_mib = f.capacity_mib;
            out.speed_mhz = f.operating_speed_mhz;
        }
        Some(FruInfo::Drive(f)) => {
            out.model = &f.model;
            out.capacity_bytes = f.capacity_bytes;
        }
        Some(FruInfo::Part(f)) => out.model = &f.model,
        Some(FruInfo::Other(v)) => {
            out.model = v
                .get("Model")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
        }
        // FruInfo is non-exhaustive: a new shape shows its common fields only.
        Some(_) | None => {}
    }
    out
}

/// The flat rows of `records`, of kind `"hardware"`.
pub(crate) fn hardware_rows(records: &[HardwareRecord]) -> PyResult<Rows> {
    let values = records
        .iter()
        .map(|r| json_of(&row(r)))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(Rows::new("hardware", values))
}
