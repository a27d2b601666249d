//! Hardware by location on the wire: SMD's keys per type, empty slots, FRU ids, filters.

use ochami_core::ingest::EndpointIngest;
use ochami_core::{
    FruInfo, HardwareFilter, HardwareJson, HardwareRecord, HardwareStatus, HardwareTree, HmsType,
    TreeFormat, fru_id,
};
use serde_json::json;

fn record(v: serde_json::Value) -> HardwareRecord {
    serde_json::from_value(v).expect("record parses")
}

#[test]
fn keys_follow_the_type() {
    let nic = record(
        json!({"ID": "x3000c0s23b4n4h0", "HWInventoryByLocationType": "HWInvByLocNodeHsnNic",
        "NodeHsnNicLocationInfo": {"Id": "HPCNet3", "Description": "Shasta Timms NMC REV04 (HSN)"},
        "PopulatedFRU": {"NodeHsnNicFRUInfo": {"Model": "ConnectX-5 100Gb/s", "SerialNumber": "HG20190738",
            "PartNumber": "102005303", "Manufacturer": "Mellanox Technologies, Ltd."}}}),
    );
    assert_eq!(nic.hms_type(), HmsType::NodeHsnNic);
    assert_eq!(nic.status, HardwareStatus::Populated);
    let v = serde_json::to_value(&nic).unwrap();
    assert_eq!(v["Type"], "NodeHsnNic");
    assert_eq!(v["Ordinal"], 0);
    assert_eq!(v["NodeHsnNicLocationInfo"]["Id"], "HPCNet3");
    assert_eq!(
        v["PopulatedFRU"]["HWInventoryByFRUType"],
        "HWInvByFRUNodeHsnNic"
    );
    assert_eq!(
        v["PopulatedFRU"]["NodeHsnNicFRUInfo"]["PartNumber"],
        "102005303"
    );

    let gpu = record(
        json!({"ID": "x1000c0s0b0n0a1", "NodeAccelLocationInfo": {"Id": "GPU1"},
        "PopulatedFRU": {"FRUID": "x", "NodeAccelFRUInfo": {"ProcessorType": "GPU", "Manufacturer": "NVIDIA"}}}),
    );
    let v = serde_json::to_value(&gpu).unwrap();
    assert_eq!(v["HWInventoryByLocationType"], "HWInvByLocNodeAccel");
    assert_eq!(v["NodeAccelLocationInfo"]["Id"], "GPU1");
    assert_eq!(
        v["PopulatedFRU"]["NodeAccelFRUInfo"]["Manufacturer"],
        "NVIDIA"
    );
    assert_eq!(v["Ordinal"], 1);
}

#[test]
fn spec_example_memory_round_trips_and_empty_slots_have_no_fru() {
    let populated = json!({"ID": "x0c0s0b0n0d0", "Type": "Memory", "Ordinal": 0, "Status": "Populated",
        "HWInventoryByLocationType": "HWInvByLocMemory",
        "MemoryLocationInfo": {"Id": "DIMM1", "Name": "DIMM Slot 1",
            "MemoryLocation": {"Socket": 1, "MemoryController": 1, "Channel": 1, "Slot": 1}},
        "PopulatedFRU": {"FRUID": "MFR-PARTNUMBER-SERIALNUMBER", "Type": "Memory", "Subtype": "DIMM2400G32",
            "HWInventoryByFRUType": "HWInvByFRUMemory",
            "MemoryFRUInfo": {"BaseModuleType": "RDIMM", "BusWidthBits": 72, "CapacityMiB": 32768,
                "DataWidthBits": 64, "ErrorCorrection": "MultiBitECC", "Manufacturer": "Micron",
                "MemoryType": "DRAM", "MemoryDeviceType": "DDR4", "OperatingSpeedMhz": 2400,
                "PartNumber": "XYZ-123-1232", "RankCount": 2, "SerialNumber": "12344567689j"}}});
    let r = record(populated.clone());
    assert_eq!(serde_json::to_value(&r).unwrap(), populated);
    assert!(
        matches!(&r.fru.as_ref().unwrap().info, FruInfo::Memory(m) if m.capacity_mib == Some(32768))
    );

    let empty = record(
        json!({"ID": "x0c0s0b0n0d1", "Type": "Memory", "Ordinal": 1, "Status": "Empty",
        "HWInventoryByLocationType": "HWInvByLocMemory",
        "MemoryLocationInfo": {"Id": "DIMM2"}, "PopulatedFRU": null}),
    );
    assert_eq!(empty.status, HardwareStatus::Empty);
    assert!(empty.fru.is_none());
    let v = serde_json::to_value(&empty).unwrap();
    assert!(v.get("PopulatedFRU").is_none());
}

#[test]
fn bad_records_name_the_field() {
    let err = |v| {
        serde_json::from_value::<HardwareRecord>(v)
            .unwrap_err()
            .to_string()
    };
    assert!(err(json!({"Status": "Populated"})).contains("ID"));
    assert!(err(json!({"ID": "x0c0s0b0n0p0", "Status": "Present"})).contains("Status"));
    assert!(err(json!({"ID": "x0c0s0b0n0p9"})).contains("ID"));
    assert!(
        err(
            json!({"ID": "x0c0s0b0n0d0", "MemoryLocationInfo": {"MemoryLocation": {"Slot": "one"}}})
        )
        .contains("MemoryLocationInfo")
    );
    assert!(err(json!({"ID": "x0c0s0b0n0", "PopulatedFRU": 3})).contains("PopulatedFRU"));
}

#[test]
fn fru_ids_follow_smds_rule() {
    let loc = "x1c0s0b0n0d0".parse().unwrap();
    assert_eq!(
        fru_id(HmsType::Memory, "Micron Technology", "", "S-1", &loc),
        "Memory.MicronTechnology..S1"
    );
    assert_eq!(
        fru_id(HmsType::Memory, "", "", "S1", &loc),
        "FRUIDforx1c0s0b0n0d0"
    );
    assert_eq!(
        fru_id(HmsType::Memory, "M", "P", "", &loc),
        "FRUIDforx1c0s0b0n0d0"
    );
    let long = "S".repeat(300);
    assert_eq!(
        fru_id(HmsType::Memory, "M", "P", &long, &loc),
        "FRUIDforx1c0s0b0n0d0"
    );
    // A posted FRUID is recomputed, as SMD does.
    let mut r = record(json!({"ID": "x1c0s0b0n0d0", "Status": "Empty",
        "PopulatedFRU": {"FRUID": "mine", "MemoryFRUInfo": {"Manufacturer": "Micron", "SerialNumber": "S1"}}}));
    r.normalize();
    assert_eq!(r.fru_id(), Some("Memory.Micron..S1"));
    assert_eq!(r.status, HardwareStatus::Populated);
}

#[test]
fn filters_and_tree() {
    let body = json!({"ID": "x1000c0s0b0", "FQDN": "10.0.0.1", "SchemaVersion": 1, "Systems": [
        {"uri": "/redfish/v1/Systems/1", "serial": "N1", "manufacturer": "Acme",
         "processors": [{"Id": "CPU0", "ProcessorType": "CPU"}, {"Id": "GPU0", "ProcessorType": "GPU",
            "Manufacturer": "NVIDIA", "SerialNumber": "G1"}, {"Id": "ACC0", "ProcessorType": "Accelerator"}],
         "memory": [{"Id": "DIMM0", "CapacityMiB": 0}, {"Id": "DIMM1", "state": "Absent"}],
         "storage": [{"drives": [{"Id": "0", "SerialNumber": "D0", "Model": "X"}]}],
         "chassis": [{"uri": "/redfish/v1/Chassis/1", "Id": "1", "ChassisType": "RackMount"}]}]});
    let ingest: EndpointIngest = serde_json::from_value(body).unwrap();
    let hw = ingest.expand().unwrap().hardware;
    let ids: Vec<String> = hw.iter().map(|h| h.id.to_string()).collect();
    assert_eq!(
        ids,
        [
            "x1000c0s0b0n0",
            "x1000c0s0b0n0p0",
            "x1000c0s0b0n0a0",
            "x1000c0s0b0n0a1",
            "x1000c0s0b0n0d0",
            "x1000c0s0b0n0d1",
            "x1000c0s0b0n0g0k0",
            "x1000c0s0e0"
        ]
    );
    assert!(
        hw[4].fru.is_none() && hw[5].fru.is_none(),
        "empty DIMM slots"
    );
    let f =
        HardwareFilter::from_query_pairs([("type", "NodeAccel"), ("serialnumber", "g1")]).unwrap();
    let found: Vec<String> = hw
        .iter()
        .filter(|h| f.matches(h))
        .map(|h| h.id.to_string())
        .collect();
    assert_eq!(found, ["x1000c0s0b0n0a0"]);
    assert!(HardwareFilter::from_query_pairs([("type", "Gizmo")]).is_err());

    let stored: Vec<HardwareJson> = hw.iter().map(HardwareJson::of).collect();
    let tree = HardwareTree::new("x1000c0s0b0", TreeFormat::NestNodesOnly, stored.clone());
    let nested = serde_json::to_value(&tree).unwrap();
    // The text written from stored JSON is valid JSON and the same document serde sees.
    let text: serde_json::Value = serde_json::from_str(&tree.to_json()).unwrap();
    assert_eq!(text, nested);
    // A node keeps its own keys, in order, with its parts' arrays after them.
    let node = stored
        .iter()
        .find(|h| h.id.to_string() == "x1000c0s0b0n0")
        .unwrap();
    let own = node.json.strip_suffix('}').unwrap();
    assert!(tree.to_json().contains(&format!("{own},\"Drives\":[")));
    assert_eq!(nested["Format"], "NestNodesOnly");
    assert_eq!(
        nested["Nodes"][0]["NodeAccels"].as_array().unwrap().len(),
        2
    );
    assert_eq!(nested["Nodes"][0]["Drives"][0]["ID"], "x1000c0s0b0n0g0k0");
    assert_eq!(nested["NodeEnclosures"][0]["ID"], "x1000c0s0e0");
    assert!(nested.get("Memory").is_none());
    let flat =
        serde_json::to_value(HardwareTree::new("s0", TreeFormat::FullyFlat, stored)).unwrap();
    assert_eq!(flat["Memory"].as_array().unwrap().len(), 2);
    assert!(flat["Nodes"][0].get("Memory").is_none());
    assert!("Hierarchical".parse::<TreeFormat>().is_err());
}
