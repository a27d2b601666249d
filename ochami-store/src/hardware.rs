//! Rules about hardware records shared by every backend.

use std::collections::BTreeMap;

use ochami_core::{HardwareRecord, Xname};

/// For each node whose parts appear among `records`: the ids of those parts. A discovery
/// that carries a node's parts replaces that node's whole set of part records; one that
/// carries none (a shallow crawl) leaves them alone.
pub(crate) fn parts_by_node(records: &[HardwareRecord]) -> BTreeMap<Xname, Vec<String>> {
    let mut out: BTreeMap<Xname, Vec<String>> = BTreeMap::new();
    for r in records {
        if let Some(node) = r.owning_node() {
            out.entry(node).or_default().push(r.id.to_string());
        }
    }
    out
}
