//! Discovery over a fleet: events, xnames, explicit maps, reports.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::sim::{SimBmcConfig, SimFleet, SyntheticBmc};
use ochami_redfish::{DiscoveryEvent, ErrorKind, XnameAssigner, XnameMap, discover, scan};

use crate::common::{creds, fast_options};

#[tokio::test]
async fn a_fleet_is_discovered_with_events_and_unique_xnames() {
    let fleet = SimFleet::spawn(12, |i| {
        SimBmcConfig::new(SyntheticBmc::new(i as u32, 2).build()).credentials(creds())
    })
    .await
    .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let report = discover_targets(
        fleet.targets(),
        &fast_options(),
        move |e: &DiscoveryEvent| sink.lock().unwrap().push(e.clone()),
    )
    .await
    .unwrap();
    assert_eq!(
        (report.targets, report.discovered, report.failed),
        (12, 12, 0)
    );
    let mut xnames = HashSet::new();
    for (i, o) in report.outcomes.iter().enumerate() {
        let inv = o.inventory().unwrap();
        assert!(xnames.insert(inv.xname));
        let syn = SyntheticBmc::new(i as u32, 2);
        assert_eq!(inv.ingest.endpoint.mac_addr, Some(syn.bmc_mac()));
        assert_eq!(inv.nodes().len(), 2);
        for (k, s) in inv.ingest.systems.iter().enumerate() {
            assert_eq!(s.uuid, syn.uuid(Some(k)));
            let got: Vec<(String, String)> = s
                .ethernet_interfaces
                .iter()
                .map(|n| (n.mac.clone(), n.ip.clone()))
                .collect();
            let want: Vec<(String, String)> = (0..2)
                .map(|n| {
                    (
                        syn.system_mac(k, n).to_string(),
                        syn.system_ip(k, n).to_string(),
                    )
                })
                .collect();
            assert_eq!(got, want);
        }
        assert_eq!(fleet.bmcs()[i].stats().active_sessions, 0);
    }
    let merged = report.merged_inventory();
    assert_eq!(merged.components.len(), 36);
    let events = events.lock().unwrap();
    let count = |f: fn(&DiscoveryEvent) -> bool| events.iter().filter(|e| f(e)).count();
    assert_eq!(
        count(|e| matches!(e, DiscoveryEvent::Started { targets: 12 })),
        1
    );
    assert_eq!(
        count(|e| matches!(e, DiscoveryEvent::Scanned { is_bmc: true, .. })),
        12
    );
    assert_eq!(count(|e| matches!(e, DiscoveryEvent::Found { .. })), 12);
    assert_eq!(
        count(|e| matches!(e, DiscoveryEvent::Crawled { nodes: 2, .. })),
        12
    );
    assert!(matches!(
        events.last(),
        Some(DiscoveryEvent::Finished {
            discovered: 12,
            failed: 0,
            ..
        })
    ));
    // The report is what `--json` prints.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["outcomes"][0]["status"], "discovered");
    assert_eq!(
        json["outcomes"][0]["inventory"]["ingest"]["SchemaVersion"],
        1
    );
}

#[tokio::test]
async fn explicit_map_by_mac_and_map_only_mode() {
    let fleet = SimFleet::spawn(4, |i| {
        SimBmcConfig::new(SyntheticBmc::new(i as u32, 1).build())
    })
    .await
    .unwrap();
    let map_text = format!(
        "{} x3000c0s7b0\n{} x3000c0b0\n",
        SyntheticBmc::new(1, 1).bmc_mac(),
        SyntheticBmc::new(3, 1)
            .bmc_mac()
            .to_string()
            .to_uppercase()
            .replace(':', "-"),
    );
    let map = XnameMap::parse(&map_text).unwrap();
    let mut options = fast_options();
    options.assigner = XnameAssigner::map_then_generate(map.clone());
    let report = discover_targets(fleet.targets(), &options, |_| {})
        .await
        .unwrap();
    let ids: Vec<String> = report
        .outcomes
        .iter()
        .map(|o| {
            o.inventory()
                .map(|i| i.xname.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(ids[1], "x3000c0s7b0");
    // A ChassisBMC xname on a BMC with systems cannot hold nodes: SMD would refuse it.
    assert_eq!(ids[3], "");
    assert_eq!(
        report.outcomes[3].error().unwrap().kind,
        ErrorKind::Protocol
    );
    assert!(ids[0].starts_with("x1000c0s1b") && ids[2].starts_with("x1000c0s1b"));
    assert_ne!(ids[0], ids[2]);
    assert_eq!(
        report.outcomes[1].inventory().unwrap().nodes()[0].to_string(),
        "x3000c0s7b0n0"
    );

    options.assigner = XnameAssigner::from_map(map);
    let report = discover_targets(fleet.targets(), &options, |_| {})
        .await
        .unwrap();
    assert_eq!(report.outcomes[0].error().unwrap().kind, ErrorKind::Config);
    assert!(report.outcomes[1].inventory().is_some());
}

#[tokio::test]
async fn scan_reports_services_and_discover_takes_strings() {
    let fleet = SimFleet::spawn(2, |i| {
        SimBmcConfig::new(SyntheticBmc::new(i as u32, 1).build())
    })
    .await
    .unwrap();
    let transport: Arc<dyn ochami_redfish::Transport> =
        Arc::new(ochami_redfish::HttpTransport::new(&Default::default()).unwrap());
    let results = scan::scan(transport, &fleet.targets(), &scan::ScanOptions::default()).await;
    assert!(results.iter().all(|r| r.service().is_some()));
    let svc = results[0].service().unwrap();
    assert_eq!(svc.vendor.as_deref(), Some("ochami-sim"));
    assert_eq!(svc.redfish_version.as_deref(), Some("1.8.0"));
    assert_eq!(
        svc.uuid.as_deref(),
        Some(SyntheticBmc::new(0, 1).uuid(None).as_str())
    );

    let inputs: Vec<String> = fleet.bmcs().iter().map(|b| b.base_url()).collect();
    let report = discover(&inputs, &fast_options(), |_| {}).await.unwrap();
    assert_eq!(report.discovered, 2);
    assert!(
        discover(&["10.0.0.0/8"], &fast_options(), |_| {})
            .await
            .is_err()
    );
}

#[tokio::test]
async fn any_concurrency_is_accepted() {
    let bmc = crate::common::spawn(
        SimBmcConfig::new(SyntheticBmc::new(3, 1).build()).credentials(creds()),
    )
    .await;
    let mut options = fast_options();
    options.concurrency = usize::MAX;
    let report = discover_targets(vec![bmc.target()], &options, |_| {})
        .await
        .unwrap();
    assert_eq!(report.outcomes.len(), 1);
    assert!(report.outcomes[0].inventory().is_some(), "{report:?}");
}
