//! boot-service's node writes ([`ochami_store::create_boot_node`],
//! [`ochami_store::put_boot_node`]): a node's component, interfaces and groups are written
//! in one transaction, so a refused write leaves nothing of the node behind.

use std::sync::Arc;

use ochami_core::{BootNodeSpec, Group, MacAddr, Members};
use ochami_store::{ConflictKind, Store, StoreError, create_boot_node, put_boot_node};
use serde_json::json;

use super::x;

fn spec(xname: &str, mac: &str, groups: &[&str]) -> BootNodeSpec {
    serde_json::from_value(json!({
        "xname": xname, "nid": 7, "role": "Compute",
        "interfaces": [{"mac": mac, "ip": "10.1.0.7"}],
        "groups": groups,
    }))
    .expect("a node spec")
}

#[track_caller]
fn assert_conflict(e: StoreError, kind: ConflictKind) {
    assert!(
        matches!(&e, StoreError::Conflict { kind: k, .. } if *k == kind),
        "expected a {kind:?} conflict, got {e:?}"
    );
}

/// A node write refused part-way (its second group clashes with its first in one exclusive
/// group) keeps none of it: no component, no interface, no membership, no group it would
/// have created. Without the clash everything is written; a second create is a conflict,
/// a put again changes nothing, and another node's MAC is refused whole.
pub async fn boot_node_writes_are_all_or_nothing(store: Arc<dyn Store>) {
    for label in ["blue", "green"] {
        let group = Group {
            label: label.into(),
            description: String::new(),
            exclusive_group: "colour".into(),
            tags: vec![],
            members: Members::default(),
        };
        store.create_group(&group).await.unwrap();
    }
    let node = x("x3000c0s1b0n0");
    let mac: MacAddr = "02:00:00:00:00:07".parse().unwrap();
    let clash = spec(
        "x3000c0s1b0n0",
        "02:00:00:00:00:07",
        &["new", "blue", "green"],
    );
    let e = create_boot_node(store.as_ref(), &clash).await.unwrap_err();
    assert_conflict(e, ConflictKind::ExclusiveGroup);
    assert_eq!(store.get_component(&node).await.unwrap(), None);
    assert_eq!(store.get_ethernet_interface(&mac).await.unwrap(), None);
    assert_eq!(store.get_group("new").await.unwrap(), None);
    let blue = store.get_group("blue").await.unwrap().expect("blue stays");
    assert!(blue.members.ids.is_empty(), "{blue:?}");
    let e = put_boot_node(store.as_ref(), &clash, None)
        .await
        .unwrap_err();
    assert_conflict(e, ConflictKind::ExclusiveGroup);
    assert_eq!(store.get_component(&node).await.unwrap(), None);

    let good = spec("x3000c0s1b0n0", "02:00:00:00:00:07", &["blue", "fresh"]);
    assert_eq!(create_boot_node(store.as_ref(), &good).await.unwrap(), node);
    let stored = store.get_component(&node).await.unwrap().expect("created");
    assert_eq!(stored.nid, Some(7));
    let iface = store.get_ethernet_interface(&mac).await.unwrap();
    assert_eq!(iface.expect("its interface").component_id, Some(node));
    for label in ["blue", "fresh"] {
        let g = store.get_group(label).await.unwrap().expect("group");
        assert_eq!(g.members.ids, [node], "{label}");
    }
    let e = create_boot_node(store.as_ref(), &good).await.unwrap_err();
    assert_conflict(e, ConflictKind::Id);
    put_boot_node(store.as_ref(), &good, Some(stored.clone()))
        .await
        .unwrap();
    assert_eq!(store.get_component(&node).await.unwrap(), Some(stored));
    let fresh = store.get_group("fresh").await.unwrap().expect("group");
    assert_eq!(fresh.members.ids, [node], "no second membership");

    // One MAC listed twice: refused before anything is written.
    let mut twice = spec("x3000c0s3b0n0", "02:00:00:00:00:09", &["violet"]);
    twice.interfaces.push(twice.interfaces[0].clone());
    let e = create_boot_node(store.as_ref(), &twice).await.unwrap_err();
    assert_conflict(e, ConflictKind::MacAddress);
    assert_eq!(
        store.get_component(&x("x3000c0s3b0n0")).await.unwrap(),
        None
    );
    assert_eq!(store.get_group("violet").await.unwrap(), None);

    // Two creates of one new node, with one new MAC and one new group, at once: exactly
    // one is created, the other is a conflict, and the node is whole.
    let mut racer = spec("x3000c0s4b0n0", "02:00:00:00:00:0a", &["amber"]);
    racer.nid = Some(8);
    let (first, second) = tokio::join!(
        create_boot_node(store.as_ref(), &racer),
        create_boot_node(store.as_ref(), &racer)
    );
    assert_eq!(
        u8::from(first.is_ok()) + u8::from(second.is_ok()),
        1,
        "{first:?} {second:?}"
    );
    let amber = store.get_group("amber").await.unwrap().expect("amber");
    assert_eq!(amber.members.ids, [x("x3000c0s4b0n0")]);

    let other = x("x3000c0s2b0n0");
    let taken = spec("x3000c0s2b0n0", "02:00:00:00:00:07", &["purple"]);
    let e = create_boot_node(store.as_ref(), &taken).await.unwrap_err();
    assert_conflict(e, ConflictKind::MacAddress);
    assert_eq!(store.get_component(&other).await.unwrap(), None);
    assert_eq!(store.get_group("purple").await.unwrap(), None);
}
