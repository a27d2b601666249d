//! `ochami discover static --store URL` on every backend: the reference's nodes.yaml and a
//! generated 1,000-node file load to exactly the records they stand for, a re-run changes
//! nothing, `--overwrite` replaces, and malformed files (bad xname, duplicate MAC, duplicate
//! NID, unknown BMC) are refused with their line and leave the store empty.

use std::collections::BTreeMap;

use ochami_core::nodes_yaml::NodesFile;
use ochami_core::{ComponentFilter, Xname};
use ochami_store::{EthernetInterfaceFilter, RedfishEndpointFilter, Store, load_static_inventory};
use ochami_testing::nodes_file;
use serde_json::{Value, json};

use super::client::json_of;
use super::common::{Backend, TestStore, ochami_exits, ochami_ok, on_every_backend};

on_every_backend!(
    the_reference_example_loads_exactly,
    a_thousand_nodes_load_exactly_and_again_change_nothing,
    malformed_files_are_refused_with_their_line_and_write_nothing,
);

/// OpenCHAMI's example (openchami-v02.md, `discover static`).
const REFERENCE: &str = r#"bmcs:
  - {name: bmc-a, xname: x3000c0s4b0, mac: "02:00:00:aa:00:01", ip: 10.1.0.40}
nodes:
  - name: cn01
    nid: 11
    xname: x3000c0s4b0n0
    bmc: bmc-a
    groups: [compute, rack3]
    interfaces:
      - {mac_addr: "02:00:00:bb:00:01", ip_addrs: [{name: HMN, ip_addr: 10.1.1.11}]}
"#;

/// Everything a load writes, as wire JSON without the volatile `LastUpdate`.
async fn dump(store: &dyn Store) -> Value {
    let mut v = json!({
        "components": store.list_components(&ComponentFilter::default()).await.expect("components"),
        "endpoints": store.list_redfish_endpoints(&RedfishEndpointFilter::default()).await.expect("endpoints"),
        "interfaces": store.list_ethernet_interfaces(&EthernetInterfaceFilter::default()).await.expect("interfaces"),
        "groups": store.list_groups(&ochami_core::GroupFilter::default()).await.expect("groups"),
    });
    for i in v["interfaces"].as_array_mut().into_iter().flatten() {
        if let Some(o) = i.as_object_mut() {
            o.remove("LastUpdate");
        }
    }
    v
}

/// `ochami discover static --store URL -f yaml -d @FILE [extra]`: its summary. The memory
/// store lives in this process only, so there the same library call is made here.
async fn load(ts: &TestStore, file: &std::path::Path, extra: &[&str]) -> Value {
    if ts.url == "memory:" {
        let text = std::fs::read_to_string(file).expect("read");
        let inv = NodesFile::parse(&text)
            .and_then(|f| f.expand())
            .expect("valid");
        let summary = load_static_inventory(ts.store.as_ref(), &inv, extra == ["--overwrite"])
            .await
            .expect("load");
        return serde_json::to_value(summary).expect("JSON");
    }
    let url = ts.url.as_str();
    let data = format!("@{}", file.display());
    let mut args = vec![
        "discover", "static", "--store", url, "-f", "yaml", "-d", &data, "-F", "json",
    ];
    args.extend(extra);
    json_of(&ochami_ok(&args, &[]).await)
}

async fn the_reference_example_loads_exactly(backend: Backend) {
    let Some(ts) = backend.open().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("nodes.yaml");
    std::fs::write(&file, REFERENCE).expect("write");

    let summary = load(&ts, &file, &[]).await;
    assert_eq!(summary, json!({"created": 6, "existing": 0, "replaced": 0}));
    let d = dump(ts.store.as_ref()).await;
    assert_eq!(
        d["components"],
        json!([{"ID": "x3000c0s4b0n0", "Type": "Node", "State": "On", "Flag": "OK",
                "Enabled": true, "Role": "Compute", "NID": 11}])
    );
    let ep = &d["endpoints"][0];
    assert_eq!(d["endpoints"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        (
            &ep["ID"],
            &ep["Name"],
            &ep["Type"],
            &ep["IPAddress"],
            &ep["MACAddr"]
        ),
        (
            &json!("x3000c0s4b0"),
            &json!("bmc-a"),
            &json!("NodeBMC"),
            &json!("10.1.0.40"),
            &json!("02:00:00:aa:00:01")
        )
    );
    let ifaces: Vec<(&str, &str, &str, &Value)> = d["interfaces"]
        .as_array()
        .expect("interfaces")
        .iter()
        .map(|i| {
            (
                i["MACAddress"].as_str().unwrap_or_default(),
                i["ComponentID"].as_str().unwrap_or_default(),
                i["Description"].as_str().unwrap_or_default(),
                &i["IPAddresses"],
            )
        })
        .collect();
    assert_eq!(
        ifaces,
        [
            (
                "02:00:00:aa:00:01",
                "x3000c0s4b0",
                "BMC x3000c0s4b0",
                &json!([{"IPAddress": "10.1.0.40"}])
            ),
            (
                "02:00:00:bb:00:01",
                "x3000c0s4b0n0",
                "cn01",
                &json!([{"IPAddress": "10.1.1.11", "Network": "HMN"}])
            ),
        ]
    );
    assert_eq!(
        d["groups"],
        json!([
            {"label": "compute", "description": "The compute group", "members": {"ids": ["x3000c0s4b0n0"]}},
            {"label": "rack3", "description": "The rack3 group", "members": {"ids": ["x3000c0s4b0n0"]}},
        ])
    );

    // Again: nothing changes; --overwrite replaces every record with the same.
    let again = load(&ts, &file, &[]).await;
    assert_eq!(again, json!({"created": 0, "existing": 6, "replaced": 0}));
    assert_eq!(dump(ts.store.as_ref()).await, d);
    let over = load(&ts, &file, &["--overwrite"]).await;
    assert_eq!(over, json!({"created": 0, "existing": 0, "replaced": 6}));
    assert_eq!(dump(ts.store.as_ref()).await, d);
}

async fn a_thousand_nodes_load_exactly_and_again_change_nothing(backend: Backend) {
    let Some(ts) = backend.open().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("nodes.yaml");
    std::fs::write(&file, nodes_file::generate(1000)).expect("write");
    let (nodes, bmcs, racks) = (1000, 250, 8);

    let summary = load(&ts, &file, &[]).await;
    let records = nodes + bmcs + (bmcs + nodes) + (1 + racks);
    assert_eq!(
        summary,
        json!({"created": records, "existing": 0, "replaced": 0})
    );
    let d = dump(ts.store.as_ref()).await;

    // Every node: its component, NID and interface with both networks.
    let comps: BTreeMap<&str, &Value> = d["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| (c["ID"].as_str().unwrap_or_default(), c))
        .collect();
    assert_eq!(comps.len(), nodes);
    let ifaces: BTreeMap<&str, &Value> = d["interfaces"]
        .as_array()
        .expect("interfaces")
        .iter()
        .map(|i| (i["MACAddress"].as_str().unwrap_or_default(), i))
        .collect();
    assert_eq!(ifaces.len(), bmcs + nodes);
    for k in 0..nodes {
        let x = nodes_file::node_xname(k);
        let c = comps[x.as_str()];
        assert_eq!(
            (&c["NID"], &c["State"], &c["Role"], &c["Type"]),
            (
                &json!(k + 1),
                &json!("On"),
                &json!("Compute"),
                &json!("Node")
            ),
            "{x}"
        );
        let i = ifaces[nodes_file::node_mac(k).as_str()];
        let ips: Vec<Value> = nodes_file::node_ips(k)
            .iter()
            .map(|(net, ip)| json!({"IPAddress": ip, "Network": net}))
            .collect();
        assert_eq!(
            (&i["ComponentID"], &i["IPAddresses"], &i["Description"]),
            (
                &json!(x),
                &Value::Array(ips),
                &json!(format!("nid{:05}", k + 1))
            )
        );
    }
    // Every BMC: its endpoint and interface.
    let eps = d["endpoints"].as_array().expect("endpoints");
    assert_eq!(eps.len(), bmcs);
    for b in 0..bmcs {
        let x = nodes_file::bmc_xname(b);
        let ep = eps
            .iter()
            .find(|e| e["ID"] == json!(x))
            .unwrap_or_else(|| panic!("no endpoint {x}"));
        assert_eq!(
            (&ep["IPAddress"], &ep["MACAddr"], &ep["Name"]),
            (
                &json!(nodes_file::bmc_ip(b)),
                &json!(nodes_file::bmc_mac(b)),
                &json!(format!("bmc{b:05}"))
            )
        );
        assert_eq!(
            ifaces[nodes_file::bmc_mac(b).as_str()]["ComponentID"],
            json!(x)
        );
    }
    // Groups: everyone in compute, 128 nodes per rack.
    let groups = d["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 1 + racks);
    for g in groups {
        let label = g["label"].as_str().unwrap_or_default();
        let mut want: Vec<Xname> = (0..nodes)
            .filter(|k| label == "compute" || label == format!("rack{}", k / 4 / 32))
            .map(|k| nodes_file::node_xname(k).parse().expect("xname"))
            .collect();
        want.sort();
        assert_eq!(g["members"]["ids"], json!(want), "{label}");
    }

    // A re-run writes nothing and changes nothing.
    let again = load(&ts, &file, &[]).await;
    assert_eq!(
        again,
        json!({"created": 0, "existing": records, "replaced": 0})
    );
    assert_eq!(dump(ts.store.as_ref()).await, d);
}

async fn malformed_files_are_refused_with_their_line_and_write_nothing(backend: Backend) {
    let Some(ts) = backend.open().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("nodes.yaml");
    let data = format!("@{}", file.display());
    let second = |nid: u32, xname: &str, bmc: &str, mac: &str| {
        format!(
            "{REFERENCE}  - name: cn02\n    nid: {nid}\n    xname: {xname}\n    bmc: {bmc}\n    interfaces:\n      - {{mac_addr: \"{mac}\", ip_addrs: [{{ip_addr: 10.1.1.12}}]}}\n"
        )
    };
    let cases = [
        (
            REFERENCE.replace("xname: x3000c0s4b0n0", "xname: x3000c0s4b0q0"),
            "ochami: nodes file line 6: invalid xname \"x3000c0s4b0q0\"",
        ),
        (
            second(12, "x3000c0s4b0n1", "bmc-a", "02:00:00:bb:00:01"),
            "ochami: nodes file line 16: MAC 02:00:00:bb:00:01 is used twice (first at line 10)",
        ),
        (
            second(11, "x3000c0s4b0n1", "bmc-a", "02:00:00:bb:00:02"),
            "ochami: nodes file line 12: node x3000c0s4b0n1: nid 11 is used twice (first at line 5)",
        ),
        (
            second(12, "x3000c0s4b0n1", "bmc-z", "02:00:00:bb:00:02"),
            "ochami: nodes file line 14: node x3000c0s4b0n1: bmc \"bmc-z\" names no BMC of bmcs",
        ),
        // The bad row last in a 1,000-node file: none of the 999 good ones is written.
        (
            nodes_file::generate(1000).replace(
                &format!("mac_addr: \"{}\"", nodes_file::node_mac(999)),
                &format!("mac_addr: \"{}\"", nodes_file::node_mac(0)),
            ),
            "ochami: nodes file line 8251: MAC 02:bb:00:00:00:00 is used twice (first at line 259)",
        ),
    ];
    for (text, want) in cases {
        std::fs::write(&file, &text).expect("write");
        // (On memory the CLI writes into a store of its own process: the refusal is the
        // same, the emptiness below then holds trivially.)
        let (out, err) = ochami_exits(
            &[
                "discover", "static", "--store", &ts.url, "-f", "yaml", "-d", &data,
            ],
            &[],
            1,
        )
        .await;
        assert_eq!(out, "");
        assert!(
            err.starts_with(want) && err.lines().count() == 1,
            "want {want:?}, got {err:?}"
        );
        let d = dump(ts.store.as_ref()).await;
        assert_eq!(
            d,
            json!({"components": [], "endpoints": [], "interfaces": [], "groups": []}),
            "{want}"
        );
    }
}
