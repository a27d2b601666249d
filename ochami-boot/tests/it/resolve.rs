//! Resolution precedence: MAC, xname, NID, role, Default; unknown nodes; `Empty` nodes.

use ochami_boot::{BootDecision, BootNode, BootRequest, resolve};
use ochami_core::{BootParams, Component, Role, State};
use ochami_store::{BootKey, Store};

use crate::{add_node, params, store, x};

async fn decided_by(store: &dyn Store, req: &BootRequest) -> Option<BootKey> {
    match resolve(store, req).await.expect("resolved").decision {
        BootDecision::Boot { key, .. } => Some(key),
        BootDecision::Configured { uid, .. } => panic!("configuration {uid}"),
        BootDecision::Discovery { key, .. } => panic!("discovery via {key:?}"),
        BootDecision::Wait => None,
    }
}

/// Each level shadows the ones below it; deleting it uncovers the next.
#[tokio::test]
async fn precedence_mac_xname_nid_role_default() {
    let s = store().await;
    add_node(
        &*s,
        "x3000c0s1b0n0",
        Some(40),
        Some(Role::Application),
        &[("0a:00:00:00:00:01", "")],
    )
    .await;
    let mac = "0a:00:00:00:00:01".parse().unwrap();
    let by_mac = BootParams {
        macs: vec!["0a:00:00:00:00:01".into()],
        kernel: "km".into(),
        ..BootParams::default()
    };
    let by_nid = BootParams {
        nids: vec![40],
        kernel: "kn".into(),
        ..BootParams::default()
    };
    for bp in [
        by_mac.clone(),
        params(&["x3000c0s1b0n0"], "kx", "", ""),
        by_nid.clone(),
        params(&["Application"], "kr", "", ""),
        params(&["Default"], "kd", "", ""),
    ] {
        s.set_boot_params(&bp).await.unwrap();
    }
    let expected = [
        BootKey::Mac(mac),
        BootKey::Host("x3000c0s1b0n0".into()),
        BootKey::Nid(40),
        BootKey::Host("Application".into()),
        BootKey::Host("Default".into()),
    ];
    for (i, key) in expected.iter().enumerate() {
        // The same answer whichever way the node is named.
        for req in [
            BootRequest::mac(mac),
            BootRequest::name(x("x3000c0s1b0n0")),
            BootRequest::nid(40),
        ] {
            assert_eq!(
                decided_by(&*s, &req).await.as_ref(),
                Some(key),
                "level {i}, {req:?}"
            );
        }
        let bp = match key {
            BootKey::Mac(_) => by_mac.clone(),
            BootKey::Nid(_) => by_nid.clone(),
            BootKey::Host(h) => params(&[h.as_str()], "", "", ""),
        };
        assert_eq!(s.delete_boot_params(&bp).await.unwrap(), 1);
    }
    assert_eq!(decided_by(&*s, &BootRequest::mac(mac)).await, None);
}

#[tokio::test]
async fn resolution_reports_the_node_and_its_mac() {
    let s = store().await;
    add_node(
        &*s,
        "x3000c0s1b0n0",
        Some(40),
        Some(Role::Compute),
        &[("0a:00:00:00:00:02", ""), ("0a:00:00:00:00:01", "")],
    )
    .await;
    s.set_boot_params(&params(&["Default"], "kd", "", ""))
        .await
        .unwrap();
    let res = resolve(&*s, &BootRequest::nid(40)).await.unwrap();
    assert_eq!(
        res.node,
        Some(BootNode {
            xname: x("x3000c0s1b0n0"),
            nid: Some(40),
            role: Some(Role::Compute)
        })
    );
    assert_eq!(res.mac, Some("0a:00:00:00:00:01".parse().unwrap()));
}

/// Unknown nodes get neither role nor Default parameters.
#[tokio::test]
async fn unknown_nodes_never_get_default() {
    let s = store().await;
    s.set_boot_params(&params(&["Default"], "kd", "", ""))
        .await
        .unwrap();
    assert_eq!(
        decided_by(&*s, &BootRequest::mac("0a:00:00:00:00:09".parse().unwrap())).await,
        None
    );
    assert_eq!(
        decided_by(&*s, &BootRequest::name(x("x9c0s0b0n0"))).await,
        None
    );
    assert_eq!(decided_by(&*s, &BootRequest::nid(12345)).await, None);
    // A NID that SMD does not know, but with boot data stored under it, boots.
    s.set_boot_params(&BootParams {
        nids: vec![12345],
        kernel: "k".into(),
        ..BootParams::default()
    })
    .await
    .unwrap();
    assert_eq!(
        decided_by(&*s, &BootRequest::nid(12345)).await,
        Some(BootKey::Nid(12345))
    );
}

/// The first entry found decides; one without a kernel makes the node unknown.
#[tokio::test]
async fn first_match_without_kernel_is_unknown() {
    let s = store().await;
    add_node(&*s, "x3000c0s1b0n0", Some(40), None, &[]).await;
    s.set_boot_params(&params(&["Default"], "kd", "", ""))
        .await
        .unwrap();
    s.set_boot_params(&params(&["x3000c0s1b0n0"], "", "", "quiet"))
        .await
        .unwrap();
    assert_eq!(
        decided_by(&*s, &BootRequest::name(x("x3000c0s1b0n0"))).await,
        None
    );
}

/// A component in state `Empty` (hardware gone) or one that is not a node is not a node.
#[tokio::test]
async fn empty_and_non_node_components_are_unknown() {
    let s = store().await;
    s.set_boot_params(&params(&["Default"], "kd", "", ""))
        .await
        .unwrap();
    let empty = Component::new(x("x3000c0s2b0n0")).with_state(State::Empty);
    let bmc = Component::new(x("x3000c0s2b0")).with_state(State::Ready);
    s.upsert_components(&[empty, bmc], false).await.unwrap();
    assert_eq!(
        decided_by(&*s, &BootRequest::name(x("x3000c0s2b0n0"))).await,
        None
    );
    assert_eq!(
        decided_by(&*s, &BootRequest::name(x("x3000c0s2b0"))).await,
        None
    );
}

#[tokio::test]
async fn discovery_needs_arch_and_a_kernel() {
    let s = store().await;
    s.set_boot_params(&params(&["Unknown-arm64"], "", "", "quiet"))
        .await
        .unwrap();
    s.set_boot_params(&params(&["Unknown-x86_64"], "kdisc", "", ""))
        .await
        .unwrap();
    let mac = "0a:00:00:00:00:07".parse().unwrap();
    let plain = resolve(&*s, &BootRequest::mac(mac)).await.unwrap();
    assert_eq!(plain.decision, BootDecision::Wait);
    let arm = resolve(
        &*s,
        &BootRequest::mac(mac).with_arch("arm64".parse().unwrap()),
    )
    .await
    .unwrap();
    assert_eq!(arm.decision, BootDecision::Wait);
    let x86 = resolve(
        &*s,
        &BootRequest::mac(mac).with_arch("x86_64".parse().unwrap()),
    )
    .await
    .unwrap();
    match x86.decision {
        BootDecision::Discovery { key, config } => {
            assert_eq!(key, BootKey::Host("Unknown-x86_64".into()));
            assert_eq!(config.kernel, "kdisc");
        }
        other => panic!("{other:?}"),
    }
}
