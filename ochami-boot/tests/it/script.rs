//! Golden bootscripts: the exact bytes BSS would send (reference §3.6), written out by hand.

use ochami_boot::{BootOptions, BootRequest, bootscript, render_json, resolve};
use ochami_core::{BootParams, Role};

use crate::{CHAIN, add_node, params, store};

fn opts() -> BootOptions {
    BootOptions {
        cloud_init_url: Some("http://10.0.0.1:8081".into()),
        ..BootOptions::default()
    }
}

async fn script(store: &dyn ochami_store::Store, query: &[(&str, &str)]) -> String {
    let req = BootRequest::from_query(query.iter().copied()).expect("valid query");
    bootscript(store, &req, &opts()).await.expect("script")
}

/// The reference's rendered example (without the etcd-only referral token).
#[tokio::test]
async fn known_node_by_mac() {
    let s = store().await;
    add_node(
        &*s,
        "x1000c0s0b0n0",
        Some(1),
        Some(Role::Compute),
        &[("aa:bb:cc:dd:ee:ff", "")],
    )
    .await;
    s.set_boot_params(&params(
        &["x1000c0s0b0n0"],
        "K",
        "I",
        "console=ttyS0 ip=dhcp",
    ))
    .await
    .unwrap();
    let expected = "#!ipxe
kernel --name kernel K initrd=initrd console=ttyS0 ip=dhcp xname=x1000c0s0b0n0 nid=1 BOOTIF=01-aa-bb-cc-dd-ee-ff ds=nocloud-net;s=http://10.0.0.1:8081/ || goto boot_retry
initrd --name initrd I || goto boot_retry
boot || goto boot_retry
:boot_retry
sleep 30
chain https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff&retry=1

";
    assert_eq!(script(&*s, &[("mac", "AA:BB:CC:DD:EE:FF")]).await, expected);
}

/// Role-only parameters, asked for by name: no BOOTIF (the MAC did not come from the
/// query), and the chain line names the node's first interface.
#[tokio::test]
async fn role_only_params_by_name() {
    let s = store().await;
    add_node(
        &*s,
        "x1000c0s0b1n0",
        Some(2),
        Some(Role::Compute),
        &[("02:00:00:00:00:02", ""), ("02:00:00:00:00:01", "")],
    )
    .await;
    s.set_boot_params(&params(
        &["Compute"],
        "http://s/compute.efi",
        "http://s/compute.img",
        "quiet",
    ))
    .await
    .unwrap();
    let expected = "#!ipxe
kernel --name kernel http://s/compute.efi initrd=initrd quiet xname=x1000c0s0b1n0 nid=2 ds=nocloud-net;s=http://10.0.0.1:8081/ || goto boot_retry
initrd --name initrd http://s/compute.img || goto boot_retry
boot || goto boot_retry
:boot_retry
sleep 30
chain https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript?mac=02:00:00:00:00:01&retry=1

";
    assert_eq!(script(&*s, &[("name", "x1000c0s0b1n0")]).await, expected);
}

/// `Default` for a node with no other match, asked for by NID, without an initrd (no initrd
/// line and no `initrd=initrd`), and no interface (the chain line falls back to `name=`).
#[tokio::test]
async fn default_fallback_without_initrd() {
    let s = store().await;
    add_node(&*s, "x1000c0s1b0n0", Some(17), None, &[]).await;
    s.set_boot_params(&params(
        &["Default"],
        "http://s/default.efi",
        "",
        "console=ttyS0,115200",
    ))
    .await
    .unwrap();
    let expected = "#!ipxe
kernel --name kernel http://s/default.efi console=ttyS0,115200 xname=x1000c0s1b0n0 nid=17 ds=nocloud-net;s=http://10.0.0.1:8081/ || goto boot_retry
boot || goto boot_retry
:boot_retry
sleep 30
chain https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript?name=x1000c0s1b0n0&retry=1

";
    assert_eq!(script(&*s, &[("nid", "17")]).await, expected);
}

#[tokio::test]
async fn unknown_mac_waits_and_asks_for_its_arch() {
    let s = store().await;
    s.set_boot_params(&params(&["Default"], "http://s/default.efi", "", ""))
        .await
        .unwrap();
    let expected = "#!ipxe
sleep 10
chain https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript?mac=de:ad:be:ef:00:01&arch=${buildarch}&ts=1700000000

";
    assert_eq!(
        script(&*s, &[("mac", "de:ad:be:ef:00:01"), ("ts", "1700000000")]).await,
        expected
    );
    // Asking again with an arch that has no discovery parameters keeps it polling.
    let again = script(
        &*s,
        &[
            ("mac", "de:ad:be:ef:00:01"),
            ("ts", "1700000000"),
            ("arch", "arm64"),
        ],
    )
    .await;
    assert_eq!(again, expected);
}

#[tokio::test]
async fn unknown_node_without_ts_is_stamped_now() {
    let s = store().await;
    let text = script(&*s, &[("mac", "de:ad:be:ef:00:01")]).await;
    let ts = text.split("&ts=").nth(1).expect("a ts").trim_end();
    let ts: i64 = ts.parse().expect("unix seconds");
    assert!(ts > 1_700_000_000, "{ts}");
}

/// An unknown MAC with `arch` boots `Unknown-<arch>`: only `initrd=initrd` and `ds=` are
/// injected, and the retry line is the unknown-node chain line.
#[tokio::test]
async fn unknown_with_arch_boots_discovery_params() {
    let s = store().await;
    s.set_boot_params(&params(
        &["Unknown-x86_64"],
        "http://s/discover.efi",
        "http://s/discover.img",
        "discover=1",
    ))
    .await
    .unwrap();
    let expected = "#!ipxe
kernel --name kernel http://s/discover.efi initrd=initrd discover=1 ds=nocloud-net;s=http://10.0.0.1:8081/ || goto boot_retry
initrd --name initrd http://s/discover.img || goto boot_retry
boot || goto boot_retry
:boot_retry
sleep 30
chain https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript?mac=de:ad:be:ef:00:02&arch=${buildarch}&ts=1700000001

";
    let q = [
        ("mac", "de:ad:be:ef:00:02"),
        ("arch", "x86_64"),
        ("ts", "1700000001"),
    ];
    assert_eq!(script(&*s, &q).await, expected);
}

#[tokio::test]
async fn retry_counts_up() {
    let s = store().await;
    add_node(
        &*s,
        "x1000c0s0b0n0",
        Some(1),
        None,
        &[("aa:bb:cc:dd:ee:ff", "")],
    )
    .await;
    s.set_boot_params(&params(&["x1000c0s0b0n0"], "K", "", ""))
        .await
        .unwrap();
    let text = script(&*s, &[("mac", "aa:bb:cc:dd:ee:ff"), ("retry", "3")]).await;
    let last = text.lines().rev().find(|l| !l.is_empty()).unwrap();
    assert_eq!(last, format!("chain {CHAIN}?mac=aa:bb:cc:dd:ee:ff&retry=4"));
    let text = script(
        &*s,
        &[("mac", "aa:bb:cc:dd:ee:ff"), ("retry", "4294967295")],
    )
    .await;
    assert!(text.ends_with("&retry=4294967296\n\n"), "{text}");
}

/// Stored `nid=` and `ds=` win; only exact names count (`nidx=` and `xnamefoo=` do not).
#[tokio::test]
async fn stored_nid_and_ds_are_not_injected_again() {
    let s = store().await;
    add_node(
        &*s,
        "x1000c0s0b0n0",
        Some(1),
        None,
        &[("aa:bb:cc:dd:ee:ff", "")],
    )
    .await;
    let own = "nid=99 nidx=5 xnamefoo=1 ds=nocloud-net;s=http://ci:8081/cloud-init";
    s.set_boot_params(&params(&["x1000c0s0b0n0"], "K", "", own))
        .await
        .unwrap();
    let text = script(&*s, &[("mac", "aa:bb:cc:dd:ee:ff")]).await;
    assert_eq!(
        text.lines().nth(1).unwrap(),
        "kernel --name kernel K nid=99 nidx=5 xnamefoo=1 ds=nocloud-net;s=http://ci:8081/cloud-init \
         xname=x1000c0s0b0n0 BOOTIF=01-aa-bb-cc-dd-ee-ff || goto boot_retry"
    );
}

/// BSS keeps boot data for MACs it does not know under the MAC; such a machine boots.
#[tokio::test]
async fn unknown_mac_with_its_own_params_boots() {
    let s = store().await;
    let bp = BootParams {
        macs: vec!["de:ad:be:ef:00:03".into()],
        kernel: "K".into(),
        ..BootParams::default()
    };
    s.set_boot_params(&bp).await.unwrap();
    let expected = "#!ipxe
kernel --name kernel K BOOTIF=01-de-ad-be-ef-00-03 || goto boot_retry
boot || goto boot_retry
:boot_retry
sleep 30
chain https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript?mac=de:ad:be:ef:00:03&retry=1

";
    let req = BootRequest::from_query([("mac", "de-ad-be-ef-00-03")]).unwrap();
    assert_eq!(
        bootscript(&*s, &req, &BootOptions::default())
            .await
            .unwrap(),
        expected
    );
}

#[tokio::test]
async fn json_form_of_the_same_decision() {
    let s = store().await;
    add_node(
        &*s,
        "x1000c0s0b0n0",
        Some(1),
        None,
        &[("aa:bb:cc:dd:ee:ff", "")],
    )
    .await;
    s.set_boot_params(&params(&["x1000c0s0b0n0"], "K", "I", "console=ttyS0"))
        .await
        .unwrap();
    let req = BootRequest::from_query([("mac", "aa:bb:cc:dd:ee:ff"), ("json", "1")]).unwrap();
    assert_eq!(req.content_type(), "application/json; charset=UTF-8");
    let body = bootscript(&*s, &req, &opts()).await.unwrap();
    assert_eq!(
        body,
        r#"{"params":"kernel initrd=initrd console=ttyS0 xname=x1000c0s0b0n0 nid=1 BOOTIF=01-aa-bb-cc-dd-ee-ff ds=nocloud-net;s=http://10.0.0.1:8081/","kernel":{"path":"K"},"initrd":{"path":"I"}}"#
    );
    let unknown = BootRequest::from_query([("mac", "de:ad:be:ef:00:09")]).unwrap();
    let res = resolve(&*s, &unknown).await.unwrap();
    assert_eq!(
        render_json(&res, &unknown, &opts()).unwrap(),
        r#"{"params":"","kernel":{"path":""},"initrd":{"path":""}}"#
    );
}
