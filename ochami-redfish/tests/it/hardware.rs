//! Deep hardware inventory: for every shared mockup tree, the processors, DIMMs,
//! accelerators and drives the crawl reports are exactly those its JSON holds (read here
//! straight from the files), FRU ids are stable across re-discovery, and a swapped DIMM
//! shows as a new FRU.

use std::path::{Path, PathBuf};

use ochami_core::ingest::EndpointIngest;
use ochami_core::{HardwareRecord, HardwareStatus, HmsType, LocationInfo};
use ochami_redfish::discovery::discover_targets;
use ochami_redfish::sim::{MockupTree, SimBmc, SimBmcConfig, SyntheticBmc};
use ochami_redfish::{BmcInventory, CrawlOptions};
use serde_json::Value;

use crate::common::{creds, fast_options, mockups_dir};

const TREES: &[&str] = &[
    "dmtf-public-rackmount1",
    "hpe-cray-ex425",
    "hpe-proliant-dl325",
    "openbmc-stock",
];

/// What a tree holds, counted from its files.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    processors: usize,
    dimms: usize,
    dimm_mib: u64,
    accelerators: usize,
    drives: usize,
}

/// The body at a Redfish path, if the tree has it.
fn read(dir: &Path, path: &str) -> Option<Value> {
    let rel = path.trim_start_matches("/redfish/v1").trim_matches('/');
    let file: PathBuf = dir.join(rel).join("index.json");
    let text = std::fs::read_to_string(file).ok()?;
    serde_json::from_str(&text).ok()
}

fn link(v: &Value, key: &str) -> Option<String> {
    v.get(key)?.get("@odata.id")?.as_str().map(str::to_owned)
}

fn members(dir: &Path, collection: Option<String>) -> Vec<Value> {
    let Some(c) = collection.and_then(|p| read(dir, &p)) else {
        return Vec::new();
    };
    c["Members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| read(dir, m["@odata.id"].as_str()?))
        .collect()
}

fn state(v: &Value) -> &str {
    v["Status"]["State"].as_str().unwrap_or("")
}

fn expected(dir: &Path) -> Expected {
    let mut e = Expected::default();
    for sys in members(dir, Some("/redfish/v1/Systems".into())) {
        for p in members(dir, link(&sys, "Processors")) {
            let t = p["ProcessorType"].as_str().unwrap_or("CPU");
            if state(&p) == "Absent" {
                continue;
            }
            if t == "GPU" || t == "Accelerator" {
                e.accelerators += 1;
            } else {
                e.processors += 1;
            }
        }
        for m in members(dir, link(&sys, "Memory")) {
            let mib = m["CapacityMiB"].as_u64().unwrap_or(0);
            if state(&m) != "Absent" && mib > 0 {
                e.dimms += 1;
                e.dimm_mib += mib;
            }
        }
        let mut drives = 0;
        for st in members(dir, link(&sys, "Storage")) {
            for d in st["Drives"].as_array().into_iter().flatten() {
                let body = d["@odata.id"].as_str().and_then(|p| read(dir, p));
                if body.is_some_and(|b| state(&b) != "Absent") {
                    drives += 1;
                }
            }
        }
        if drives == 0 {
            for ss in members(dir, link(&sys, "SimpleStorage")) {
                let devices = ss["Devices"].as_array().cloned().unwrap_or_default();
                drives += devices.iter().filter(|d| state(d) != "Absent").count();
            }
        }
        e.drives += drives;
    }
    e
}

async fn crawl_tree(tree: MockupTree) -> BmcInventory {
    let bmc = SimBmc::spawn(SimBmcConfig::new(tree).credentials(creds()))
        .await
        .unwrap();
    let report = discover_targets(vec![bmc.target()], &fast_options(), |_| {})
        .await
        .unwrap();
    let outcome = &report.outcomes[0];
    outcome
        .inventory()
        .unwrap_or_else(|| panic!("not discovered: {:?}", outcome.error()))
        .clone()
}

fn populated(inv: &BmcInventory, t: HmsType) -> Vec<&HardwareRecord> {
    inv.inventory
        .hardware
        .iter()
        .filter(|h| h.hms_type() == t && h.status == HardwareStatus::Populated)
        .collect()
}

fn found(inv: &BmcInventory) -> Expected {
    let dimms = populated(inv, HmsType::Memory);
    let dimm_mib = dimms
        .iter()
        .filter_map(|h| match &h.fru.as_ref()?.info {
            ochami_core::FruInfo::Memory(m) => m.capacity_mib,
            _ => None,
        })
        .sum();
    Expected {
        processors: populated(inv, HmsType::Processor).len(),
        dimms: dimms.len(),
        dimm_mib,
        accelerators: populated(inv, HmsType::NodeAccel).len(),
        drives: populated(inv, HmsType::Drive).len(),
    }
}

fn fru_ids(inv: &BmcInventory) -> Vec<(String, Option<String>)> {
    inv.inventory
        .hardware
        .iter()
        .map(|h| (h.id.to_string(), h.fru_id().map(str::to_owned)))
        .collect()
}

#[tokio::test]
async fn every_mockup_tree_gives_what_its_json_holds() {
    let Some(root) = mockups_dir() else { return };
    let mut total = Expected::default();
    for name in TREES {
        let dir = root.join(name);
        let want = expected(&dir);
        let inv = crawl_tree(MockupTree::from_dir(&dir).unwrap()).await;
        let got = found(&inv);
        assert_eq!(got, want, "{name}");
        // The same records from the ingest body alone (a Magellan-style POST of it).
        let body = serde_json::to_string(&inv.ingest).unwrap();
        let posted: EndpointIngest = serde_json::from_str(&body).unwrap();
        assert_eq!(
            posted.expand().unwrap().hardware,
            inv.inventory.hardware,
            "{name}"
        );
        total.processors += got.processors;
        total.dimms += got.dimms;
        total.drives += got.drives;
        // Every part hangs under one of the BMC's nodes, or is its enclosure.
        let nodes = inv.nodes();
        for h in &inv.inventory.hardware {
            assert!(
                nodes.iter().any(|n| *n == h.id || n.is_ancestor_of(&h.id))
                    || h.hms_type() == HmsType::NodeEnclosure,
                "{name}: {} outside the nodes",
                h.id
            );
        }
    }
    // The trees are not empty: the comparison above means something.
    assert!(
        total.processors >= 5 && total.dimms >= 20 && total.drives >= 2,
        "{total:?}"
    );
}

#[tokio::test]
async fn dmtf_rackmount_parts_in_smd_shape() {
    let Some(root) = mockups_dir() else { return };
    let inv = crawl_tree(MockupTree::from_dir(root.join("dmtf-public-rackmount1")).unwrap()).await;
    let by_id = |id: &str| {
        inv.inventory
            .hardware
            .iter()
            .find(|h| h.id.to_string() == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    let dimm = serde_json::to_value(by_id("x1000c0s1b0n0d0")).unwrap();
    assert_eq!(dimm["HWInventoryByLocationType"], "HWInvByLocMemory");
    assert_eq!(dimm["MemoryLocationInfo"]["Id"], "DIMM1");
    assert_eq!(dimm["MemoryLocationInfo"]["MemoryLocation"]["Socket"], 1);
    let fru = &dimm["PopulatedFRU"];
    assert_eq!(fru["HWInventoryByFRUType"], "HWInvByFRUMemory");
    assert_eq!(fru["MemoryFRUInfo"]["CapacityMiB"], 32768);
    assert_eq!(fru["MemoryFRUInfo"]["MemoryDeviceType"], "DDR4");
    assert_eq!(fru["MemoryFRUInfo"]["BaseModuleType"], "RDIMM");
    // The FPGA is a processor of its own ordinal, not an accelerator colliding with CPU p0.
    let fpga = by_id("x1000c0s1b0n0p2");
    assert!(matches!(&fpga.location, LocationInfo::Processor(p) if p.id == "FPGA1"));
    // SimpleStorage bays: two drives, two empty bays.
    let drive = serde_json::to_value(by_id("x1000c0s1b0n0g0k0")).unwrap();
    assert_eq!(
        drive["PopulatedFRU"]["DriveFRUInfo"]["CapacityBytes"],
        8000000000000u64
    );
    assert_eq!(by_id("x1000c0s1b0n0g0k3").status, HardwareStatus::Empty);
    // The 1U chassis is the node's enclosure.
    let enc = serde_json::to_value(by_id("x1000c0s1e0")).unwrap();
    assert_eq!(enc["HWInventoryByLocationType"], "HWInvByLocNodeEnclosure");
    assert_eq!(
        enc["PopulatedFRU"]["NodeEnclosureFRUInfo"]["ChassisType"],
        "RackMount"
    );
}

#[tokio::test]
async fn cray_ex_hsn_nics_and_ilo_empty_slots() {
    let Some(root) = mockups_dir() else { return };
    let ex = crawl_tree(MockupTree::from_dir(root.join("hpe-cray-ex425")).unwrap()).await;
    let nics = populated(&ex, HmsType::NodeHsnNic);
    let ids: Vec<String> = nics.iter().map(|h| h.id.to_string()).collect();
    assert_eq!(ids, ["x1000c0s1b0n0h0", "x1000c0s1b0n1h0"]);
    assert!(
        nics[0]
            .fru_id()
            .unwrap()
            .starts_with("NodeHsnNic.HPEPRM.P43012001.")
    );
    let ilo = crawl_tree(MockupTree::from_dir(root.join("hpe-proliant-dl325")).unwrap()).await;
    let empty = ilo
        .inventory
        .hardware
        .iter()
        .filter(|h| h.hms_type() == HmsType::Memory && h.status == HardwareStatus::Empty)
        .count();
    assert!(empty > 0, "iLO reports empty DIMM slots");
    // The iLO CPU has no serial: SMD's untrackable id, tied to the location.
    let cpu = populated(&ilo, HmsType::Processor)[0];
    assert_eq!(cpu.fru_id(), Some(format!("FRUIDfor{}", cpu.id).as_str()));
}

#[tokio::test]
async fn rediscovery_keeps_fru_ids_and_a_swapped_dimm_is_a_new_fru() {
    let Some(root) = mockups_dir() else { return };
    let dir = root.join("hpe-cray-ex425");
    let first = crawl_tree(MockupTree::from_dir(&dir).unwrap()).await;
    let again = crawl_tree(MockupTree::from_dir(&dir).unwrap()).await;
    assert_eq!(fru_ids(&first), fru_ids(&again));
    assert_eq!(first.inventory.hardware, again.inventory.hardware);

    let mut swapped = MockupTree::from_dir(&dir).unwrap();
    let path = "/redfish/v1/Systems/Node0/Memory/DIMM3";
    let mut dimm = swapped.get(path).expect("DIMM3").clone();
    let old_serial = dimm["SerialNumber"].as_str().unwrap().to_owned();
    dimm["SerialNumber"] = Value::String(format!("{old_serial}X"));
    swapped.insert(path, dimm);
    let after = crawl_tree(swapped).await;
    let changed: Vec<String> = fru_ids(&first)
        .into_iter()
        .zip(fru_ids(&after))
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0)
        .collect();
    assert_eq!(changed, ["x1000c0s1b0n0d3"]);
}

/// `(records of type t, populated)` per type for a synthetic crawl.
fn count(inv: &BmcInventory, t: HmsType) -> usize {
    populated(inv, t).len()
}

async fn crawl_synthetic(bmc: &SyntheticBmc, crawl: CrawlOptions) -> (BmcInventory, u64) {
    let sim = SimBmc::spawn(SimBmcConfig::new(bmc.build()).credentials(creds()))
        .await
        .unwrap();
    let mut options = fast_options();
    options.crawl = crawl;
    let report = discover_targets(vec![sim.target()], &options, |_| {})
        .await
        .unwrap();
    let inv = report.outcomes[0].inventory().expect("crawled").clone();
    (inv, sim.stats().requests)
}

#[tokio::test]
async fn synthetic_parts_with_and_without_expand_and_shallow() {
    let mut bmc = SyntheticBmc::new(7, 2);
    bmc.dimms = 16;
    bmc.gpus = 4;
    bmc.drives = 2;
    let (plain, plain_requests) = crawl_synthetic(&bmc, CrawlOptions::default()).await;
    assert_eq!(count(&plain, HmsType::Processor), 4);
    assert_eq!(count(&plain, HmsType::NodeAccel), 8);
    assert_eq!(count(&plain, HmsType::Memory), 32);
    assert_eq!(count(&plain, HmsType::Drive), 4);
    // One shared enclosure, not one per node.
    assert_eq!(count(&plain, HmsType::NodeEnclosure), 1);
    let gpu = populated(&plain, HmsType::NodeAccel)[0];
    assert_eq!(gpu.id.to_string(), "x1000c0s1b0n0a0");
    assert_eq!(
        gpu.fru_id(),
        Some("NodeAccel.SimGraphics.SG80.GPU00007S0N0")
    );

    bmc.advertise_expand = true;
    let (expanded, expand_requests) = crawl_synthetic(&bmc, CrawlOptions::default()).await;
    assert_eq!(expanded.inventory.hardware, plain.inventory.hardware);
    assert!(
        expand_requests * 2 < plain_requests,
        "$expand: {expand_requests} requests, without: {plain_requests}"
    );

    let shallow = CrawlOptions {
        hardware: false,
        ..CrawlOptions::default()
    };
    let (flat, flat_requests) = crawl_synthetic(&bmc, shallow).await;
    let types: Vec<HmsType> = flat
        .inventory
        .hardware
        .iter()
        .map(HardwareRecord::hms_type)
        .collect();
    assert_eq!(types, [HmsType::Node, HmsType::Node]);
    assert!(flat_requests < expand_requests);
    eprintln!(
        "requests per BMC of 2 nodes: {plain_requests} plain, {expand_requests} with $expand, {flat_requests} shallow"
    );
}
