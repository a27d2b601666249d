//! Hardware by location: a discovery with parts, SMD's list filters answered by the
//! backend, subtrees, and re-discovery replacing a node's parts.

use std::sync::Arc;

use ochami_core::ingest::{EndpointIngest, Inventory};
use ochami_core::{HardwareFilter, HardwareJson, HardwareRecord, HardwareStatus, HmsType, Role};
use ochami_store::Store;
use ochami_store::snapshot::ImportMode;
use serde_json::{Value, json};

use super::x;

/// A discovery body (as Magellan would POST it, with ochami's part lists) of one BMC with
/// two nodes, each with two CPUs, `dimms` DIMMs and a GPU.
fn body(dimms: u32) -> Value {
    let system = |k: u32| {
        let memory: Vec<Value> = (0..dimms)
            .map(|d| {
                json!({"uri": format!("/redfish/v1/Systems/{k}/Memory/DIMM{d}"), "state": "Enabled",
                "Id": format!("DIMM{d}"), "CapacityMiB": 32768, "Manufacturer": "Micron",
                "PartNumber": "MTA-36", "SerialNumber": format!("S{k}D{d}")})
            })
            .collect();
        json!({"uri": format!("/redfish/v1/Systems/{k}"), "serial": format!("N{k}"), "manufacturer": "Acme",
            "processors": [
                {"Id": "CPU0", "ProcessorType": "CPU", "Manufacturer": "AMD", "PartNumber": "100-0314", "SerialNumber": format!("C{k}0")},
                {"Id": "CPU1", "ProcessorType": "CPU", "Manufacturer": "AMD", "PartNumber": "100-0314", "SerialNumber": format!("C{k}1")},
                {"Id": "GPU0", "ProcessorType": "GPU", "Manufacturer": "NVIDIA", "PartNumber": "H100", "SerialNumber": format!("G{k}")}],
            "memory": memory})
    };
    json!({"ID": "x1000c0s0b0", "FQDN": "10.0.0.1", "SchemaVersion": 1,
           "Systems": [system(0), system(1)]})
}

fn inventory(dimms: u32) -> Inventory {
    let ingest: EndpointIngest = serde_json::from_value(body(dimms)).expect("body parses");
    ingest.expand().expect("expands")
}

fn ids(records: &[HardwareRecord]) -> Vec<String> {
    records.iter().map(|r| r.id.to_string()).collect()
}

/// The records `f` finds, checking that their stored JSON (what the list routes answer
/// with) is, in the same order, exactly what serializing them writes.
async fn found(store: &Arc<dyn Store>, f: &HardwareFilter) -> Vec<HardwareRecord> {
    let records = store.query_hardware(f).await.unwrap();
    let stored = store.query_hardware_json(f).await.unwrap();
    let written: Vec<HardwareJson> = records.iter().map(HardwareJson::of).collect();
    assert_eq!(stored, written, "stored JSON of {f:?}");
    records
}

async fn query(store: &Arc<dyn Store>, pairs: &[(&str, &str)]) -> Vec<String> {
    let f = HardwareFilter::from_query_pairs(pairs.iter().copied()).expect("filter parses");
    ids(&found(store, &f).await)
}

/// SMD's hardware list filters, case-insensitive, and subtrees, answered by the store.
pub async fn hardware_filters_run_in_the_store(store: Arc<dyn Store>) {
    store.ingest(&inventory(2), false).await.unwrap();
    assert_eq!(
        store.list_hardware(None).await.unwrap().len(),
        2 * (1 + 2 + 1 + 2)
    );
    assert_eq!(
        query(&store, &[("type", "NodeAccel")]).await,
        ["x1000c0s0b0n0a0", "x1000c0s0b0n1a0"]
    );
    assert_eq!(
        query(
            &store,
            &[("manufacturer", "nvidia"), ("manufacturer", "Acme")]
        )
        .await,
        [
            "x1000c0s0b0n0",
            "x1000c0s0b0n0a0",
            "x1000c0s0b0n1",
            "x1000c0s0b0n1a0"
        ]
    );
    assert_eq!(
        query(&store, &[("serialnumber", "S1D1"), ("type", "Memory")]).await,
        ["x1000c0s0b0n1d1"]
    );
    assert_eq!(
        query(&store, &[("fruid", "Processor.AMD.1000314.C01")]).await,
        ["x1000c0s0b0n0p1"]
    );
    assert_eq!(
        query(
            &store,
            &[("partnumber", "MTA-36"), ("serialnumber", "nope")]
        )
        .await,
        Vec::<String>::new()
    );
    let under = HardwareFilter {
        under: Some(x("x1000c0s0b0n1")),
        ..HardwareFilter::default()
    };
    let found = found(&store, &under).await;
    assert_eq!(
        ids(&found),
        [
            "x1000c0s0b0n1",
            "x1000c0s0b0n1a0",
            "x1000c0s0b0n1d0",
            "x1000c0s0b0n1d1",
            "x1000c0s0b0n1p0",
            "x1000c0s0b0n1p1"
        ]
    );
    assert!(
        found
            .iter()
            .all(|r| r.status == HardwareStatus::Populated && r.fru_id().is_some())
    );
}

/// Re-discovery is idempotent, drops parts no longer found, and a shallow discovery keeps
/// the parts a deep one found.
pub async fn rediscovery_replaces_a_nodes_parts(store: Arc<dyn Store>) {
    store.ingest(&inventory(4), false).await.unwrap();
    let before = store.list_hardware(None).await.unwrap();
    store.ingest(&inventory(4), false).await.unwrap();
    assert_eq!(
        store.list_hardware(None).await.unwrap(),
        before,
        "idempotent"
    );

    // Two DIMMs pulled: their slots' records go.
    store.ingest(&inventory(2), false).await.unwrap();
    let dimms = store.list_hardware(Some(HmsType::Memory)).await.unwrap();
    assert_eq!(dimms.len(), 4);
    assert!(
        ids(&dimms)
            .iter()
            .all(|id| id.ends_with("d0") || id.ends_with("d1"))
    );

    // A shallow discovery (no parts) keeps what the deep one found.
    let mut shallow = inventory(2);
    shallow.hardware.retain(|h| h.hms_type() == HmsType::Node);
    store.ingest(&shallow, false).await.unwrap();
    assert_eq!(
        store
            .list_hardware(Some(HmsType::Memory))
            .await
            .unwrap()
            .len(),
        4
    );
}

/// The hardware generation moves with every hardware write (a discovery, a POST, a
/// delete, a snapshot import replacing everything) and stays put for reads and for writes
/// that leave hardware alone. A backend whose generation is `None` caches nothing and
/// skips this; the in-tree backends must have one.
pub async fn hardware_generation_moves_with_hardware_writes(store: Arc<dyn Store>) {
    let generation = || async { store.hardware_generation().await.unwrap() };
    let Some(mut last) = generation().await else {
        assert!(
            !["memory", "sqlite", "postgres"].contains(&store.backend()),
            "{} must report a hardware generation",
            store.backend()
        );
        return;
    };
    fn moved(what: &str, last: &mut u64, now: Option<u64>) {
        let now = now.expect("a generation once there is one");
        assert_ne!(now, *last, "{what} moves the generation");
        *last = now;
    }

    store.ingest(&inventory(2), false).await.unwrap();
    moved("a discovery", &mut last, generation().await);
    let gpu = store
        .get_hardware(&x("x1000c0s0b0n0a0"))
        .await
        .unwrap()
        .expect("the GPU was discovered");
    store.put_hardware(&[gpu]).await.unwrap();
    moved(
        "rewriting a record unchanged",
        &mut last,
        generation().await,
    );
    assert!(store.delete_hardware(&x("x1000c0s0b0n0a0")).await.unwrap());
    moved("a delete", &mut last, generation().await);

    let _ = store.query_hardware_json(&HardwareFilter::default()).await;
    let node = store.get_component(&x("x1000c0s0b0n1")).await.unwrap();
    let mut node = node.expect("the discovery made the node");
    node.role = Some(Role::Application);
    store.put_component(&node).await.unwrap();
    assert_eq!(
        generation().await,
        Some(last),
        "reads and component writes leave it"
    );

    store
        .import_entries(&[], ImportMode::Replace)
        .await
        .unwrap();
    moved(
        "an import replacing everything",
        &mut last,
        generation().await,
    );
    assert!(store.list_hardware(None).await.unwrap().is_empty());
}
