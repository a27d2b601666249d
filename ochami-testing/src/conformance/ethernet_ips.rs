//! The IP list of one ethernet interface edited address by address: each edit is one
//! transaction, so concurrent edits of the same interface are all kept.

use std::sync::Arc;
use std::time::Duration;

use ochami_core::{EthernetInterface, IpAddressEntry, MacAddr};
use ochami_store::{ConflictKind, Record, Store, StoreError};
use tokio::task::JoinSet;

use super::{expect_conflict, expect_invalid, expect_not_found, x};

fn entry(ip: &str, network: &str) -> IpAddressEntry {
    IpAddressEntry {
        ip_address: ip.into(),
        network: network.into(),
    }
}

async fn stored(store: &Arc<dyn Store>, mac: &MacAddr) -> EthernetInterface {
    let got = store.get_ethernet_interface(mac).await.expect("read");
    got.expect("interface stored")
}

fn stamp(e: &EthernetInterface) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(&e.last_update).expect("LastUpdate is RFC 3339")
}

/// Check: ethernet interface ip add update remove.
pub async fn ethernet_interface_ip_add_update_remove(store: Arc<dyn Store>) {
    let m: MacAddr = "aa:bb:cc:00:01:01".parse().expect("test MAC");
    let nic = EthernetInterface::new(m, Some(x("x0c0s0b0n0")), ["10.0.0.1".to_owned()]);
    store.insert_ethernet_interface(&nic).await.unwrap();
    let first = stamp(&stored(&store, &m).await);

    tokio::time::sleep(Duration::from_millis(5)).await;
    store
        .add_ethernet_interface_ip(&m, &entry("10.0.1.1", "HMN"))
        .await
        .unwrap();
    let got = stored(&store, &m).await;
    assert_eq!(
        got.ip_addresses,
        [entry("10.0.0.1", ""), entry("10.0.1.1", "HMN")]
    );
    let added = stamp(&got);
    assert!(added > first, "LastUpdate moves when an IP is added");
    let by_ip = store.find_ethernet_interfaces_by_ip("10.0.1.1").await;
    assert_eq!(by_ip.unwrap().len(), 1, "the IP index follows an added IP");

    let (value, _) = expect_conflict(
        store
            .add_ethernet_interface_ip(&m, &entry("10.0.1.1", "NMN"))
            .await,
        ConflictKind::IpAddress,
    );
    assert_eq!(value, "10.0.1.1");
    expect_invalid(
        store
            .add_ethernet_interface_ip(&m, &entry("10.0.0.300", ""))
            .await,
    );
    assert_eq!(
        stored(&store, &m).await.ip_addresses.len(),
        2,
        "refused adds change nothing"
    );

    tokio::time::sleep(Duration::from_millis(5)).await;
    store
        .update_ethernet_interface_ip(&m, "10.0.0.1", "NMN")
        .await
        .unwrap();
    let got = stored(&store, &m).await;
    assert_eq!(
        got.ip_addresses,
        [entry("10.0.0.1", "NMN"), entry("10.0.1.1", "HMN")]
    );
    assert!(
        stamp(&got) > added,
        "LastUpdate moves when a network changes"
    );
    let filter = ochami_store::EthernetInterfaceFilter {
        network: vec!["NMN".into()],
        ..Default::default()
    };
    let by_network = store.list_ethernet_interfaces(&filter).await.unwrap();
    assert_eq!(by_network.len(), 1, "the network index follows an update");
    expect_not_found(
        store
            .update_ethernet_interface_ip(&m, "10.9.9.9", "NMN")
            .await,
        Record::IpAddress,
        "10.9.9.9",
    );

    assert!(
        store
            .remove_ethernet_interface_ip(&m, "10.0.0.1")
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_ethernet_interface_ip(&m, "10.0.0.1")
            .await
            .unwrap()
    );
    assert_eq!(
        stored(&store, &m).await.ip_addresses,
        [entry("10.0.1.1", "HMN")]
    );
    let gone = store.find_ethernet_interfaces_by_ip("10.0.0.1").await;
    assert!(
        gone.unwrap().is_empty(),
        "the IP index forgets a removed IP"
    );

    let unknown: MacAddr = "aa:bb:cc:00:01:ff".parse().expect("test MAC");
    for r in [
        store
            .add_ethernet_interface_ip(&unknown, &entry("10.0.2.1", ""))
            .await,
        store
            .update_ethernet_interface_ip(&unknown, "10.0.2.1", "")
            .await,
        store
            .remove_ethernet_interface_ip(&unknown, "10.0.2.1")
            .await
            .map(drop),
    ] {
        expect_not_found(r, Record::EthernetInterface, "aabbcc0001ff");
    }
    assert!(
        store
            .get_ethernet_interface(&unknown)
            .await
            .unwrap()
            .is_none()
    );
}

/// Concurrent adds to one interface: every address is kept (none lost to a
/// read-change-write race), and the JSON list and the IP index agree.
pub async fn ethernet_interface_ip_concurrent_adds_all_kept(store: Arc<dyn Store>) {
    const ADDS: usize = 12;
    let m: MacAddr = "aa:bb:cc:00:02:01".parse().expect("test MAC");
    let nic = EthernetInterface::new(m, Some(x("x0c0s0b0n0")), []);
    store.insert_ethernet_interface(&nic).await.unwrap();
    let mut tasks = JoinSet::new();
    for k in 0..ADDS {
        let store = store.clone();
        tasks.spawn(async move {
            let ip = format!("10.1.0.{k}");
            store.add_ethernet_interface_ip(&m, &entry(&ip, "")).await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task ran").expect("a concurrent add failed");
    }
    let mut ips: Vec<String> = stored(&store, &m)
        .await
        .ip_addresses
        .into_iter()
        .map(|e| e.ip_address)
        .collect();
    ips.sort();
    let mut want: Vec<String> = (0..ADDS).map(|k| format!("10.1.0.{k}")).collect();
    want.sort();
    assert_eq!(ips, want, "every concurrent add is kept");
    for ip in &want {
        let found = store.find_ethernet_interfaces_by_ip(ip).await.unwrap();
        assert_eq!(found.len(), 1, "{ip} is in the IP index");
    }
}

/// Check: concurrent inserts of one new MAC, each for another node, store exactly one of
/// them; every other is a [`ConflictKind::MacAddress`] conflict, never a silent overwrite.
pub async fn ethernet_interface_concurrent_inserts_one_wins(store: Arc<dyn Store>) {
    const INSERTS: usize = 8;
    let m: MacAddr = "aa:bb:cc:00:03:01".parse().expect("test MAC");
    let mut tasks = JoinSet::new();
    for k in 0..INSERTS {
        let store = store.clone();
        tasks.spawn(async move {
            let owner = x(&format!("x0c0s{k}b0n0"));
            let nic = EthernetInterface::new(m, Some(owner), []);
            (owner, store.insert_ethernet_interface(&nic).await)
        });
    }
    let mut winners = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done.expect("task ran") {
            (owner, Ok(())) => winners.push(owner),
            (_, Err(StoreError::Conflict { kind, .. })) => {
                assert_eq!(kind, ConflictKind::MacAddress);
            }
            (_, Err(e)) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one insert wins: {winners:?}");
    assert_eq!(stored(&store, &m).await.component_id, Some(winners[0]));
}
