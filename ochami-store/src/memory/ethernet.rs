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

/// Whether `e` passes `f`: values of one field are OR-ed, fields are AND-ed.
fn matches(f: &EthernetInterfaceFilter, e: &EthernetInterface) -> bool {
    (f.mac.is_empty() || f.mac.contains(&e.mac_address))
        && (f.ip.is_empty()
            || e.ip_addresses
                .iter()
                .any(|ip| f.ip.contains(&ip.ip_address)))
        && (f.network.is_empty()
            || e.ip_addresses
                .iter()
                .any(|ip| f.network.contains(&ip.network)))
        && (f.component_id.is_empty()
            || e.component_id.is_some_and(|c| f.component_id.contains(&c)))
        && (f.hms_type.is_empty() || e.hms_type.is_some_and(|t| f.hms_type.contains(&t)))
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
                .filter_map(|ip| t.ifaces_by_ip.get(ip))
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
            .filter(|e| matches(f, e))
            .collect(),
        None => t.ifaces.values().filter(|e| matches(f, e)).collect(),
    }
}
