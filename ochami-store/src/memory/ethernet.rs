//! Ethernet interfaces: the MAC <-> component <-> IP map BSS, cloud-init and DHCP read.
//! Look-ups go through the MAC, IP and component indexes of `tables.rs`.

use std::collections::BTreeSet;

use ochami_core::{EthernetInterface, MacAddr};

use super::tables::Tables;
use crate::EthernetInterfaceFilter;

/// `LastUpdate` for a change made now: RFC 3339, UTC, microseconds (what Postgres keeps).
pub(super) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The interfaces matching `f`, sorted by id. MAC, component and IP terms are answered
/// from their indexes.
pub(super) fn select<'t>(t: &'t Tables, f: &EthernetInterfaceFilter) -> Vec<&'t EthernetInterface> {
    let candidates: Option<BTreeSet<MacAddr>> = if !f.mac.is_empty() {
        Some(f.mac.iter().copied().collect())
    } else if !f.component_id.is_empty() {
        Some(
            f.component_id
                .iter()
                .filter_map(|c| t.ifaces_by_component.get(c))
                .flatten()
                .copied()
                .collect(),
        )
    } else if !f.ip.is_empty() {
        Some(
            f.ip.iter()
                .filter_map(|ip| t.ifaces_by_ip.get(&ip.to_string()))
                .flatten()
                .copied()
                .collect(),
        )
    } else {
        None
    };
    match candidates {
        Some(macs) => macs
            .iter()
            .filter_map(|m| t.ifaces.get(m))
            .filter(|e| f.matches(e))
            .collect(),
        None => t.ifaces.values().filter(|e| f.matches(e)).collect(),
    }
}
