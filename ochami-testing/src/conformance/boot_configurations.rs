//! Boot configurations (the boot-service model): create/replace/delete by uid, typed
//! conflicts and not-found errors, validation before storing, BSS rows listed as
//! one-selector configurations, and the candidates of a node by selector.

use std::sync::Arc;

use ochami_core::{
    BootConfiguration, BootConfigurationSpec, BootOrigin, BootParams, BootSelection,
    Error as CoreError,
};
use ochami_store::{BootKey, ConflictKind, Record, Store};

use super::{expect_conflict, expect_invalid, expect_not_found, x};

/// A boot-service configuration with this uid, name and spec.
pub fn configuration(uid: &str, name: &str, spec: BootConfigurationSpec) -> BootConfiguration {
    BootConfiguration {
        uid: uid.into(),
        name: name.into(),
        origin: BootOrigin::BootService,
        spec,
        cloud_init: Default::default(),
        labels: [("site".to_owned(), "a".to_owned())].into(),
        annotations: Default::default(),
        created_at: Some("2026-01-02T03:04:05Z".into()),
        updated_at: Some("2026-01-02T03:04:05Z".into()),
    }
}

fn spec(kernel: &str) -> BootConfigurationSpec {
    BootConfigurationSpec {
        kernel: kernel.into(),
        ..Default::default()
    }
}

/// Check: create, read back normalized, replace, delete; conflicts and not-found typed.
pub async fn boot_configuration_crud(store: Arc<dyn Store>) {
    let mut c = configuration(
        "bootconfiguration-0000000a",
        "compute",
        BootConfigurationSpec {
            macs: vec!["AA-BB-CC-DD-EE-01".into()],
            hosts: vec!["X1C0S0B0N0".into(), "x1c0s1*".into()],
            groups: vec!["compute".into()],
            nids: vec![4],
            priority: 7,
            ..spec("http://s/k1")
        },
    );
    store.create_boot_configuration(&c).await.unwrap();
    let got = store
        .get_boot_configuration(&c.uid)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(got.spec.macs, ["aa:bb:cc:dd:ee:01"]);
    assert_eq!(got.spec.hosts, ["x1c0s0b0n0", "x1c0s1*"]);
    assert_eq!(got.labels, c.labels);
    assert_eq!(got.created_at.as_deref(), Some("2026-01-02T03:04:05Z"));
    assert_eq!(got.origin, BootOrigin::BootService);
    expect_conflict(
        store.create_boot_configuration(&c).await,
        ConflictKind::BootUid,
    );
    c.spec.kernel = "http://s/k2".into();
    c.spec.macs.clear();
    store.replace_boot_configuration(&c).await.unwrap();
    let got = store.get_boot_configuration(&c.uid).await.unwrap().unwrap();
    assert_eq!(got.spec.kernel, "http://s/k2");
    assert!(got.spec.macs.is_empty());
    let sel = BootSelection {
        macs: vec!["aa:bb:cc:dd:ee:01".parse().unwrap()],
        ..Default::default()
    };
    assert!(
        store
            .boot_configurations_for(&sel)
            .await
            .unwrap()
            .is_empty(),
        "a replaced selector must not select any more"
    );
    let missing = configuration("bootconfiguration-0000000b", "x", spec("http://s/k"));
    expect_not_found(
        store.replace_boot_configuration(&missing).await,
        Record::BootConfiguration,
        "bootconfiguration-0000000b",
    );
    assert!(store.delete_boot_configuration(&c.uid).await.unwrap());
    assert!(!store.delete_boot_configuration(&c.uid).await.unwrap());
    assert_eq!(store.get_boot_configuration(&c.uid).await.unwrap(), None);
}

/// Check: an invalid spec or a `legacy-…` uid is refused naming the field; nothing stored.
pub async fn boot_configuration_validation(store: Arc<dyn Store>) {
    for (bad, field) in [
        (
            configuration("bootconfiguration-1", "a", spec("")),
            "kernel",
        ),
        (
            configuration(
                "bootconfiguration-2",
                "a",
                BootConfigurationSpec {
                    priority: 101,
                    ..spec("http://s/k")
                },
            ),
            "priority",
        ),
        (
            configuration("legacy-nid-3", "a", spec("http://s/k")),
            "uid",
        ),
    ] {
        match expect_invalid(store.create_boot_configuration(&bad).await) {
            (None, CoreError::InvalidValue { field: f, .. }) if f == field => {}
            (None, CoreError::MissingField { field: f }) if f == field => {}
            other => panic!("{field}: expected an invalid-{field} error, got {other:?}"),
        }
    }
    let all = store.list_boot_configurations().await.unwrap();
    assert!(all.is_empty(), "{all:?}");
}

/// Check: BSS rows are listed (after boot-service ones) as one-selector configurations and
/// read by their `legacy-…` uid; candidates of a node follow its selectors.
pub async fn boot_configurations_views_and_candidates(store: Arc<dyn Store>) {
    store
        .set_boot_params(&BootParams {
            hosts: vec!["Default".into()],
            nids: vec![9],
            kernel: "http://s/bss".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let by_group = configuration(
        "bootconfiguration-000000g1",
        "g",
        BootConfigurationSpec {
            groups: vec!["compute".into()],
            ..spec("http://s/g")
        },
    );
    let catch_all = configuration("bootconfiguration-000000c1", "all", spec("http://s/all"));
    let pattern = configuration(
        "bootconfiguration-000000p1",
        "p",
        BootConfigurationSpec {
            hosts: vec!["x1c0s1*".into()],
            ..spec("http://s/p")
        },
    );
    let by_mac = configuration(
        "bootconfiguration-000000m1",
        "m",
        BootConfigurationSpec {
            macs: vec!["aa:bb:cc:dd:ee:01".into()],
            nids: vec![5],
            ..spec("http://s/m")
        },
    );
    for c in [&by_group, &catch_all, &pattern, &by_mac] {
        store.create_boot_configuration(c).await.unwrap();
    }
    let all = store.list_boot_configurations().await.unwrap();
    let uids: Vec<&str> = all.iter().map(|c| c.uid.as_str()).collect();
    assert_eq!(
        uids,
        [
            "bootconfiguration-000000c1",
            "bootconfiguration-000000g1",
            "bootconfiguration-000000m1",
            "bootconfiguration-000000p1",
            "legacy-host-Default",
            "legacy-nid-9",
        ]
    );
    let legacy = store
        .get_boot_configuration("legacy-nid-9")
        .await
        .unwrap()
        .expect("BSS row by uid");
    assert_eq!(legacy.origin, BootOrigin::Bss(BootKey::Nid(9)));
    assert_eq!(legacy.spec.kernel, "http://s/bss");

    let uids_for = |sel: BootSelection| {
        let store = Arc::clone(&store);
        async move {
            let mut v: Vec<String> = store
                .boot_configurations_for(&sel)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.uid)
                .collect();
            v.sort();
            v
        }
    };
    let known = BootSelection {
        xname: Some(x("x1c0s1b0n0")),
        macs: vec!["aa:bb:cc:dd:ee:01".parse().unwrap()],
        nid: Some(1),
        groups: vec!["compute".into()],
        known: true,
    };
    assert_eq!(
        uids_for(known.clone()).await,
        [
            "bootconfiguration-000000c1",
            "bootconfiguration-000000g1",
            "bootconfiguration-000000m1",
            "bootconfiguration-000000p1",
        ]
    );
    // An unknown machine only gets what names it exactly: no catch-all, no pattern.
    let unknown = BootSelection {
        groups: vec![],
        known: false,
        ..known.clone()
    };
    assert_eq!(uids_for(unknown).await, ["bootconfiguration-000000m1"]);
    // Patterns match by prefix only.
    let elsewhere = BootSelection {
        xname: Some(x("x1c0s2b0n0")),
        macs: vec![],
        nid: Some(5),
        groups: vec![],
        known: true,
    };
    assert_eq!(
        uids_for(elsewhere).await,
        ["bootconfiguration-000000c1", "bootconfiguration-000000m1"]
    );
}

/// Check: BSS's node view in one read equals what the three list calls give.
pub async fn node_inventory_is_the_node_lists(store: Arc<dyn Store>) {
    use ochami_core::{
        Component, ComponentEndpointFilter, ComponentFilter, EthernetInterface,
        EthernetInterfaceFilter, HmsType, State,
    };
    let node = x("x1c0s0b0n0");
    store
        .upsert_components(
            &[
                Component::new(node).with_state(State::Ready),
                Component::new(x("x1c0s0b0")).with_state(State::Ready),
            ],
            false,
        )
        .await
        .unwrap();
    let nic = EthernetInterface::new(
        "aa:bb:cc:dd:ee:01".parse().unwrap(),
        Some(node),
        ["10.0.0.1".to_owned()],
    );
    store.insert_ethernet_interface(&nic).await.unwrap();
    let bmc_nic = EthernetInterface::new(
        "aa:bb:cc:dd:ee:02".parse().unwrap(),
        Some(x("x1c0s0b0")),
        [],
    );
    store.insert_ethernet_interface(&bmc_nic).await.unwrap();
    let inv = store.node_inventory().await.unwrap();
    let nodes =
        ComponentFilter::from_query_pairs([("type", "Node"), ("type", "VirtualNode")]).unwrap();
    assert_eq!(inv.components, store.list_components(&nodes).await.unwrap());
    assert_eq!(inv.components.len(), 1);
    assert_eq!(
        inv.endpoints,
        store
            .list_component_endpoints(&ComponentEndpointFilter::default())
            .await
            .unwrap()
    );
    let ifaces = EthernetInterfaceFilter {
        hms_type: vec![HmsType::Node, HmsType::VirtualNode],
        ..Default::default()
    };
    assert_eq!(
        inv.interfaces,
        store.list_ethernet_interfaces(&ifaces).await.unwrap()
    );
    assert_eq!(inv.interfaces.len(), 1);
}
