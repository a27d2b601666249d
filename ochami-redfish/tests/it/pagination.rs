//! `Members@odata.nextLink` pagination, `$expand` and its fallbacks.

use ochami_redfish::sim::{ExpandMode, SimBmcConfig, SyntheticBmc};

use crate::common::{connect_with_creds, crawl_bmc, spawn};

fn synthetic(systems: usize, expand: bool) -> SyntheticBmc {
    let mut s = SyntheticBmc::new(9, systems);
    s.advertise_expand = expand;
    s
}

#[tokio::test]
async fn next_link_pages_are_followed() {
    let bmc = spawn(SimBmcConfig::new(synthetic(5, false).build()).page_size(2)).await;
    let client = connect_with_creds(&bmc).await;
    let c = client.get_collection("/redfish/v1/Systems").await.unwrap();
    let want: Vec<String> = (0..5)
        .map(|k| format!("/redfish/v1/Systems/Node{k}"))
        .collect();
    assert_eq!(c.members, want);
    let members = client.get_members("/redfish/v1/Systems").await.unwrap();
    assert_eq!(members.len(), 5);
    let inv = crawl_bmc(&client, &bmc).await.unwrap();
    assert_eq!(inv.nodes().len(), 5);
    client.close().await;
}

async fn crawl_with(
    mode: ExpandMode,
    page: Option<usize>,
) -> (usize, ochami_redfish::sim::SimStats) {
    let syn = synthetic(3, true);
    let mut config = SimBmcConfig::new(syn.build()).expand(mode);
    if let Some(p) = page {
        config = config.page_size(p);
    }
    let bmc = spawn(config).await;
    let client = connect_with_creds(&bmc).await;
    let inv = crawl_bmc(&client, &bmc).await.unwrap();
    client.close().await;
    // Same answer whatever the expand support.
    let macs: Vec<String> = inv
        .ingest
        .systems
        .iter()
        .flat_map(|s| &s.ethernet_interfaces)
        .map(|n| n.mac.clone())
        .collect();
    let want: Vec<String> = (0..3)
        .flat_map(|k| (0..2).map(move |n| (k, n)))
        .map(|(k, n)| syn.system_mac(k, n).to_string())
        .collect();
    assert_eq!(macs, want, "{mode:?}");
    (inv.nodes().len(), bmc.stats())
}

#[tokio::test]
async fn expand_is_used_when_advertised() {
    let (nodes, honored) = crawl_with(ExpandMode::Honor, None).await;
    assert_eq!(nodes, 3);
    assert!(honored.expand_requests > 0);
    let (_, ignored) = crawl_with(ExpandMode::Ignore, None).await;
    let (_, rejected) = crawl_with(ExpandMode::Reject, None).await;
    // Expanded collections save the per-member GETs.
    assert!(
        honored.requests < ignored.requests,
        "{honored:?} vs {ignored:?}"
    );
    assert!(
        honored.requests < rejected.requests,
        "{honored:?} vs {rejected:?}"
    );
}

#[tokio::test]
async fn expand_with_pagination() {
    let (nodes, stats) = crawl_with(ExpandMode::Honor, Some(1)).await;
    assert_eq!(nodes, 3);
    assert!(stats.expand_requests > 3);
}

#[tokio::test]
async fn collections_fall_back_when_summaries_are_missing() {
    let mut syn = SyntheticBmc::new(5, 1);
    syn.summaries = false;
    syn.processors = 3;
    syn.dimms = 6;
    let bmc = spawn(SimBmcConfig::new(syn.build())).await;
    let client = connect_with_creds(&bmc).await;
    let inv = crawl_bmc(&client, &bmc).await.unwrap();
    let s = &inv.ingest.systems[0];
    assert_eq!(s.processor_count, 3);
    assert_eq!(s.memory_total, 96.0);
    assert_eq!(s.processor_type, "Sim CPU 64-Core");
}

#[tokio::test]
async fn absurd_dimm_capacities_do_not_overflow() {
    let mut syn = SyntheticBmc::new(6, 1);
    syn.summaries = false;
    syn.dimms = 2;
    syn.dimm_mib = u64::MAX;
    let bmc = spawn(SimBmcConfig::new(syn.build())).await;
    let client = connect_with_creds(&bmc).await;
    let inv = crawl_bmc(&client, &bmc).await.unwrap();
    assert_eq!(inv.ingest.systems[0].memory_total, u64::MAX as f64 / 1024.0);
}

#[tokio::test]
async fn huge_skip_and_top_answer_a_page_not_a_crash() {
    let bmc = spawn(SimBmcConfig::new(synthetic(3, false).build())).await;
    let url = format!(
        "{}/redfish/v1/Systems?$skip=2&$top={}",
        bmc.base_url(),
        usize::MAX
    );
    let resp = reqwest::get(url).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        body["Members"],
        serde_json::json!([{"@odata.id": "/redfish/v1/Systems/Node2"}])
    );
    assert!(body.get("Members@odata.nextLink").is_none());
}
