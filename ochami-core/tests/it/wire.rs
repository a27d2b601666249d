//! Wire compatibility: bodies as SMD, BSS and cloud-init write them are read by us, and what
//! we write carries SMD's exact keys and omission rules.

use ochami_core::cloud_init::GroupData;
use ochami_core::{
    Arch, BootParams, Class, Component, EthernetInterface, Flag, Group, HardwareRecord, HmsType,
    Membership, NetType, Partition, Problem, RedfishEndpoint, Role, State, SubRole,
};
use serde_json::{Value, json};

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(v: Value) -> (T, Value) {
    let typed: T = serde_json::from_value(v).expect("reads");
    let back = serde_json::to_value(&typed).expect("writes");
    (typed, back)
}

#[test]
fn component_example_from_smd() {
    let smd = json!({"ID":"x1000c0s0b0n0","Type":"Node","State":"Ready","Flag":"OK","Enabled":true,
        "Role":"Compute","SubRole":"Worker","NID":1,"NetType":"Sling","Arch":"X86","Class":"River"});
    let (c, back) = round_trip::<Component>(smd.clone());
    assert_eq!(c.state, Some(State::Ready));
    assert_eq!(c.flag, Some(Flag::Ok));
    assert_eq!(c.role, Some(Role::Compute));
    assert_eq!(c.sub_role, Some(SubRole::Worker));
    assert_eq!(c.net_type, Some(NetType::Sling));
    assert_eq!(c.arch, Some(Arch::X86));
    assert_eq!(c.class, Some(Class::River));
    assert_eq!(
        back, smd,
        "SMD's own record comes back byte-for-byte equivalent"
    );
}

#[test]
fn component_input_rules() {
    // SMD recomputes Type, treats "" as absent, reads lower-case keys and drops negative NIDs.
    let c: Component =
        serde_json::from_value(json!({"id":"X1000C0S0B0N00","Type":"Cabinet","state":"on",
        "Role":"","NID":-1,"SoftwareStatus":"","Locked":false}))
        .unwrap();
    assert_eq!(c.hms_type, HmsType::Node);
    assert_eq!(c.id.to_string(), "x1000c0s0b0n0");
    assert_eq!(c.state, Some(State::On));
    assert_eq!(c.role, None);
    assert_eq!(c.nid, None);
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        json!({"ID":"x1000c0s0b0n0","Type":"Node","State":"On"})
    );
    let e = serde_json::from_value::<Component>(json!({"ID":"x1000c0s0b0n0","State":"Active"}))
        .unwrap_err();
    assert!(e.to_string().contains("Active"), "{e}");
    let e = serde_json::from_value::<Component>(json!({"ID":"x1000c8","State":"On"})).unwrap_err();
    assert!(e.to_string().contains("chassis"), "{e}");
}

#[test]
fn redfish_endpoint_keys_and_defaults() {
    let smd = json!({"ID":"x3000c0s1b0","Type":"NodeBMC","Hostname":"10.254.2.10","Domain":"","FQDN":"10.254.2.10",
        "Enabled":true,"User":"root","Password":"","MACAddr":"ae:12:e2:ff:89:9d","IPAddress":"10.254.2.10",
        "RediscoverOnUpdate":true,"DiscoveryInfo":{"LastDiscoveryStatus":"DiscoverOK","RedfishVersion":"1.7.0"}});
    let (ep, back) = round_trip::<RedfishEndpoint>(smd.clone());
    assert_eq!(ep.mac_addr.unwrap().to_string(), "ae:12:e2:ff:89:9d");
    assert_eq!(back, smd);
    // Minimal input takes SMD's defaults.
    let mut ep: RedfishEndpoint =
        serde_json::from_value(json!({"ID":"x3000c0s1b0","Hostname":"bmc1","Domain":"lab"}))
            .unwrap();
    ep.normalize().unwrap();
    assert!(ep.enabled);
    assert_eq!(ep.fqdn, "bmc1.lab");
    assert_eq!(ep.discovery_info.last_status, "NotYetQueried");
    let mut node: RedfishEndpoint = serde_json::from_value(json!({"ID":"x3000c0s1b0n0"})).unwrap();
    assert!(
        node.normalize()
            .unwrap_err()
            .to_string()
            .contains("controller")
    );
}

#[test]
fn ethernet_interface_keys() {
    let smd = json!({"ID":"a4bf012b7310","Description":"Node NIC","MACAddress":"a4:bf:01:2b:73:10",
        "LastUpdate":"2020-05-13T19:18:45.524974Z","ComponentID":"x3000c0s1b0n0","Type":"Node",
        "IPAddresses":[{"IPAddress":"10.252.0.10","Network":"NMN"},{"IPAddress":"10.100.0.10"}]});
    let (e, back) = round_trip::<EthernetInterface>(smd.clone());
    assert_eq!(e.component_id.unwrap().to_string(), "x3000c0s1b0n0");
    assert_eq!(back, smd);
    let (e, back) = round_trip::<EthernetInterface>(json!({"MACAddress":"A4-BF-01-2B-73-11"}));
    assert!(e.component_id.is_none());
    assert_eq!(back["ComponentID"], "");
    assert_eq!(back["Type"], "");
}

#[test]
fn groups_partitions_memberships() {
    let g = json!({"label":"blue","description":"blue nodes","exclusiveGroup":"colors","tags":["a"],
        "members":{"ids":["x1c0s0b0n0","x1c0s1b0n0"]}});
    assert_eq!(round_trip::<Group>(g.clone()).1, g);
    let p = json!({"name":"p1","description":"","members":{"ids":[]}});
    assert_eq!(
        round_trip::<Partition>(p).1,
        json!({"name":"p1","members":{"ids":[]}})
    );
    let m = json!({"id":"x1c0s0b0n0","groupLabels":["blue"],"partitionName":"p1"});
    assert_eq!(round_trip::<Membership>(m.clone()).1, m);
}

#[test]
fn boot_params_keys() {
    let bss = json!({"hosts":["x3000c0s1b0n0"],"macs":["a4:bf:01:2b:73:10"],"nids":[1],
        "params":"console=ttyS0","kernel":"http://s3/k","initrd":"http://s3/i",
        "cloud-init":{"meta-data":{"a":1},"user-data":null,"phone-home":{"pub_key_dsa":"","pub_key_rsa":"",
        "pub_key_ecdsa":"","instance_id":"","hostname":"","fqdn":""}}});
    let (bp, back) = round_trip::<BootParams>(bss.clone());
    assert_eq!(bp.nids, [1]);
    assert_eq!(back, bss);
}

#[test]
fn hardware_record_keys() {
    let smd = json!({"ID":"x0c0s0b0n0","Type":"Node","Ordinal":0,"Status":"Populated",
        "HWInventoryByLocationType":"HWInvByLocNode",
        "NodeLocationInfo":{"Id":"System.Embedded.1","Name":"Node","ProcessorSummary":{"Count":2,"Model":"Xeon"},
            "MemorySummary":{"TotalSystemMemoryGiB":64.0}},
        "PopulatedFRU":{"FRUID":"Dell-1234","Type":"Node","Subtype":"","HWInventoryByFRUType":"HWInvByFRUNode",
            "NodeFRUInfo":{"Manufacturer":"Dell","SerialNumber":"1234","UUID":"26276e2a"}}});
    let (h, back) = round_trip::<HardwareRecord>(smd.clone());
    assert_eq!(h.node_location().unwrap().processor_summary.count, 2);
    assert_eq!(h.manufacturer(), "Dell");
    assert_eq!(back, smd);
}

#[test]
fn cloud_init_group_and_problem() {
    let g = json!({"name":"compute","meta-data":{"syslog":"10.0.0.1"},"file":{"content":"#cloud-config\n","filename":"x"}});
    let (mut gd, back) = round_trip::<GroupData>(g.clone());
    assert_eq!(back, g);
    gd.normalize().unwrap();
    let e = serde_json::from_value::<GroupData>(json!({"name":""})).map(|mut g| g.normalize());
    assert!(matches!(e, Ok(Err(_))));
    let p: Problem = serde_json::from_value(
        json!({"type":"about:blank","title":"Not Found","detail":"no such xname.","status":404}),
    )
    .unwrap();
    assert_eq!(p, Problem::new(404, "no such xname."));
}
