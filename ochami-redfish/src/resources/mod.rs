//! Typed Redfish resources, read tolerantly.
//!
//! Each type is built from a `serde_json::Value` by `from_value`, which never fails: a
//! missing field, a placeholder (`"N/A"`, `"Not Available"`, `0.0.0.0`, `""`) or a field of
//! the wrong type becomes `None` (or an empty list), unknown fields are ignored and `Oem`
//! sections are kept as raw JSON. `Deserialize` goes through the same path, so
//! `serde_json::from_str::<ComputerSystem>(..)` only fails on text that is not JSON.

mod asset;
mod chassis;
mod collection;
mod drive;
mod ethernet;
pub mod lenient;
mod manager;
mod memory;
mod network_adapter;
mod pcie_device;
mod processor;
mod service_root;
mod system;

pub use asset::Asset;
pub use chassis::Chassis;
pub use collection::Collection;
pub use drive::{Drive, Storage};
pub use ethernet::EthernetInterface;
pub use manager::Manager;
pub use memory::Memory;
pub use network_adapter::NetworkAdapter;
pub use pcie_device::{PcieDevice, function_is_accelerator};
pub use processor::Processor;
pub use service_root::{ExpandSupport, ServiceRoot};
pub use system::ComputerSystem;

/// `base` + `path` for a Redfish path (`/redfish/v1/...`); a full URL passes through and no
/// path gives an empty string.
pub(crate) fn full_uri(base: &str, path: Option<&str>) -> String {
    match path {
        Some(p) if p.starts_with('/') => format!("{base}{p}"),
        Some(p) => p.to_owned(),
        None => String::new(),
    }
}
