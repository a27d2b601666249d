//! Crawling every shared mockup tree gives exactly what its JSON says.

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::sim::{MockupTree, SimBmc, SimBmcConfig};
use ochami_redfish::{AuthKind, BmcInventory};

use crate::common::{creds, fast_options, mockups_dir};

async fn crawl_tree(name: &str) -> Option<BmcInventory> {
    let dir = mockups_dir()?.join(name);
    let tree = MockupTree::from_dir(&dir).expect("tree loads");
    let bmc = SimBmc::spawn(SimBmcConfig::new(tree).credentials(creds()))
        .await
        .unwrap();
    let report = discover_targets(vec![bmc.target()], &fast_options(), |_| {})
        .await
        .unwrap();
    let outcome = &report.outcomes[0];
    if let Some(e) = outcome.error() {
        panic!("{name}: {e}");
    }
    let inv = outcome.inventory().unwrap().clone();
    assert_eq!(inv.auth, AuthKind::Session, "{name} has a SessionService");
    assert_eq!(bmc.stats().active_sessions, 0, "{name}: session deleted");
    Some(inv)
}

/// `(path, [(mac, ip)])` of each system, path without the base URL.
fn systems(inv: &BmcInventory) -> Vec<(String, Vec<(String, String)>)> {
    inv.ingest
        .systems
        .iter()
        .map(|s| {
            let path = ochami_core::ingest::uri_path(&s.uri).to_owned();
            let nics = s
                .ethernet_interfaces
                .iter()
                .map(|n| (n.mac.clone(), n.ip.clone()))
                .collect();
            (path, nics)
        })
        .collect()
}

fn manager_nics(inv: &BmcInventory) -> Vec<(String, String)> {
    inv.ingest
        .managers
        .iter()
        .flat_map(|m| &m.ethernet_interfaces)
        .map(|n| (n.mac.clone(), n.ip.clone()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn node_ids(inv: &BmcInventory) -> Vec<String> {
    inv.nodes().iter().map(ToString::to_string).collect()
}

#[tokio::test]
async fn dmtf_public_rackmount1() {
    let Some(inv) = crawl_tree("dmtf-public-rackmount1").await else {
        return;
    };
    assert_eq!(inv.xname.to_string(), "x1000c0s1b0");
    assert_eq!(node_ids(&inv), ["x1000c0s1b0n0"]);
    assert_eq!(inv.service.redfish_version.as_deref(), Some("1.15.0"));
    assert_eq!(
        inv.service.uuid.as_deref(),
        Some("92384634-2938-2342-8820-489239905423")
    );
    assert_eq!(
        inv.ingest.endpoint.uuid,
        "92384634-2938-2342-8820-489239905423"
    );
    let s = &inv.ingest.systems[0];
    assert_eq!(s.uuid, "38947555-7742-3448-3784-823347823834");
    assert_eq!(
        (s.manufacturer.as_str(), s.model.as_str()),
        ("Contoso", "3500")
    );
    assert_eq!(s.serial, "437XR1138R2");
    assert_eq!(s.power.state, "On");
    assert_eq!(s.processor_count, 2);
    assert_eq!(s.memory_total, 96.0);
    assert_eq!(s.links.chassis, ["/redfish/v1/Chassis/1U"]);
    assert_eq!(
        systems(&inv),
        [(
            "/redfish/v1/Systems/437XR1138R2".to_owned(),
            pairs(&[
                ("12:44:6a:3b:04:11", "192.168.0.10"),
                ("aa:bb:cc:dd:ee:00", "192.168.0.11"),
                ("12:44:6a:3b:04:11", "192.168.150.236"),
                ("aa:bb:cc:dd:ee:fe", "192.168.20.56"),
            ])
        )]
    );
    assert_eq!(
        manager_nics(&inv),
        pairs(&[
            ("23:11:8a:33:cf:ea", "192.168.0.10"),
            ("aa:bb:cc:dd:ee:ff", "192.168.20.55")
        ])
    );
    assert_eq!(
        inv.ingest.endpoint.mac_addr.unwrap().to_string(),
        "23:11:8a:33:cf:ea"
    );
    // Distinct MACs only, each owned by its component.
    let macs: Vec<String> = inv
        .inventory
        .ethernet_interfaces
        .iter()
        .map(|e| e.mac_address.to_string())
        .collect();
    assert_eq!(macs.len(), 5, "{macs:?}");
}

#[tokio::test]
async fn hpe_cray_ex425() {
    let Some(inv) = crawl_tree("hpe-cray-ex425").await else {
        return;
    };
    // Two systems without UUID stay two nodes.
    assert_eq!(node_ids(&inv), ["x1000c0s1b0n0", "x1000c0s1b0n1"]);
    assert_eq!(
        systems(&inv),
        [
            (
                "/redfish/v1/Systems/Node0".to_owned(),
                pairs(&[("00:40:a6:83:52:5f", ""), ("", "")])
            ),
            (
                "/redfish/v1/Systems/Node1".to_owned(),
                pairs(&[("00:40:a6:83:52:60", ""), ("", "")])
            ),
        ]
    );
    for s in &inv.ingest.systems {
        assert_eq!(s.uuid, "");
        assert_eq!(s.processor_count, 2);
        assert_eq!(s.memory_total, 256.0);
        assert_eq!(s.model, "HPE CRAY EX425 (MILAN)");
        assert_eq!(s.processor_type, "AMD EPYC 7763 64-Core Processor");
    }
    let types: Vec<&str> = inv
        .ingest
        .managers
        .iter()
        .map(|m| m.manager_type.as_str())
        .collect();
    assert_eq!(types, ["EnclosureManager", "AuxiliaryController"]);
    assert!(manager_nics(&inv).is_empty());
    assert_eq!(inv.ingest.endpoint.mac_addr, None);
    assert_eq!(inv.inventory.ethernet_interfaces.len(), 2);
}

#[tokio::test]
async fn hpe_proliant_dl325() {
    let Some(inv) = crawl_tree("hpe-proliant-dl325").await else {
        return;
    };
    assert_eq!(node_ids(&inv), ["x1000c0s1b0n0"]);
    assert_eq!(inv.service.vendor.as_deref(), Some("HPE"));
    assert_eq!(inv.service.redfish_version.as_deref(), Some("1.6.0"));
    let s = &inv.ingest.systems[0];
    assert_eq!(s.uuid, "36383150-3630-584D-5130-313930323042");
    assert_eq!(s.model, "ProLiant DL325 Gen10 Plus");
    assert_eq!(s.processor_count, 1);
    assert_eq!(s.processor_type, "AMD EPYC 7302P 16-Core Processor");
    assert_eq!(s.memory_total, 64.0);
    // "N/A" IPv4 addresses are no addresses.
    assert_eq!(
        systems(&inv),
        [(
            "/redfish/v1/Systems/1".to_owned(),
            pairs(&[
                ("94:40:c9:5c:86:bc", ""),
                ("94:40:c9:5c:86:bd", ""),
                ("14:02:ec:d9:3a:a0", ""),
                ("14:02:ec:d9:3a:a1", ""),
            ])
        )]
    );
    // 0.0.0.0 is no address either; the NIC is kept.
    assert_eq!(
        manager_nics(&inv),
        pairs(&[
            ("94:40:c9:37:d3:fc", "10.254.1.15"),
            ("94:40:c9:37:d3:fd", ""),
            ("0a:ca:fe:f0:0d:04", "16.1.15.1"),
        ])
    );
    assert_eq!(
        inv.ingest.endpoint.mac_addr.unwrap().to_string(),
        "94:40:c9:37:d3:fc"
    );
    assert!(
        inv.inventory
            .ethernet_interfaces
            .iter()
            .flat_map(|e| &e.ip_addresses)
            .all(|ip| ip.ip_address != "N/A" && ip.ip_address != "0.0.0.0")
    );
}

#[tokio::test]
async fn openbmc_stock() {
    let Some(inv) = crawl_tree("openbmc-stock").await else {
        return;
    };
    assert_eq!(node_ids(&inv), ["x1000c0s1b0n0"]);
    assert_eq!(inv.service.redfish_version.as_deref(), Some("1.17.0"));
    let s = &inv.ingest.systems[0];
    assert_eq!(
        ochami_core::ingest::uri_path(&s.uri),
        "/redfish/v1/Systems/system"
    );
    assert_eq!(
        (s.uuid.as_str(), s.manufacturer.as_str(), s.model.as_str()),
        ("", "", "")
    );
    assert_eq!(s.power.state, "Off");
    // The JSON says 0 processors and 0.0 GiB, and both collections are empty.
    assert_eq!(s.processor_count, 0);
    assert_eq!(s.memory_total, 0.0);
    assert!(s.ethernet_interfaces.is_empty());
    assert_eq!(
        manager_nics(&inv),
        pairs(&[("ae:0d:e8:39:69:bb", "10.0.2.15")])
    );
    assert_eq!(
        inv.ingest.endpoint.mac_addr.unwrap().to_string(),
        "ae:0d:e8:39:69:bb"
    );
    assert_eq!(
        inv.ingest.managers[0].firmware_version,
        "2.15.0-dev-686-g100c36de90"
    );
}

#[tokio::test]
async fn embedded_tree_serves_like_a_directory() {
    let tree = MockupTree::from_entries([
        (
            "",
            serde_json::json!({"RedfishVersion": "1.0.0", "Chassis": {"@odata.id": "/redfish/v1/Chassis"}}),
        ),
        (
            "Chassis",
            serde_json::json!({"Members": [{"@odata.id": "/redfish/v1/Chassis/c1"}]}),
        ),
        (
            "/redfish/v1/Chassis/c1/",
            serde_json::json!({"@odata.id": "/redfish/v1/Chassis/c1", "ChassisType": "Enclosure"}),
        ),
    ]);
    let bmc = SimBmc::spawn(SimBmcConfig::new(tree)).await.unwrap();
    let body = reqwest::get(format!("{}/redfish/v1/Chassis/c1/", bmc.base_url()))
        .await
        .unwrap();
    assert_eq!(body.status(), 200);
    // A chassis controller: a controller, no node.
    let report = discover_targets(vec![bmc.target()], &fast_options(), |_| {})
        .await
        .unwrap();
    let inv = report.outcomes[0].inventory().expect("crawled");
    assert!(inv.nodes().is_empty());
    assert_eq!(inv.inventory.components.len(), 1);
}
