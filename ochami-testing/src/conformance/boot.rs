//! BSS boot parameters: POST/PUT/PATCH/DELETE semantics per name, grouping of identical
//! configs in listings, direct look-ups by MAC, host, tag and NID, access history.

use std::sync::Arc;

use ochami_core::{BootParams, CloudInit, Error as CoreError};
use ochami_store::{BootConfig, BootKey, ConflictKind, EndpointAccess, Record, Store};
use serde_json::json;

use super::{expect_conflict, expect_invalid, expect_not_found};

fn host(h: &str) -> BootKey {
    BootKey::Host(h.into())
}

#[track_caller]
fn mac(m: &str) -> BootKey {
    BootKey::Mac(m.parse().expect("test MAC"))
}

fn bp(hosts: &[&str], macs: &[&str], nids: &[i32], kernel: &str) -> BootParams {
    BootParams {
        hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
        macs: macs.iter().map(|m| (*m).to_owned()).collect(),
        nids: nids.to_vec(),
        kernel: kernel.into(),
        ..Default::default()
    }
}

async fn kernel_of(store: &Arc<dyn Store>, key: &BootKey) -> Option<String> {
    store
        .get_boot_config(key)
        .await
        .expect("get boot config")
        .map(|c| c.kernel)
}

/// Check: boot add stores only new names.
pub async fn boot_add_stores_only_new_names(store: Arc<dyn Store>) {
    let mut first = bp(
        &["X0C0S0B0N0"],
        &["AA-BB-CC-DD-EE-01"],
        &[7],
        "http://s3/k1",
    );
    first.initrd = "http://s3/i1".into();
    first.params = "console=ttyS0,115200".into();
    store.add_boot_params(&first).await.unwrap();
    let expected = BootConfig {
        kernel: "http://s3/k1".into(),
        initrd: "http://s3/i1".into(),
        params: "console=ttyS0,115200".into(),
        cloud_init: CloudInit::default(),
    };
    for key in [
        host("x0c0s0b0n0"),
        mac("aa:bb:cc:dd:ee:01"),
        BootKey::Nid(7),
    ] {
        assert_eq!(
            store.get_boot_config(&key).await.unwrap().as_ref(),
            Some(&expected),
            "{key:?}"
        );
    }
    assert_eq!(store.get_boot_config(&BootKey::Nid(8)).await.unwrap(), None);

    let (value, _) = expect_conflict(store.add_boot_params(&first).await, ConflictKind::BootHost);
    assert_eq!(value, "x0c0s0b0n0");
    store
        .add_boot_params(&bp(&["x0c0s0b0n0", "x0c0s0b0n1"], &[], &[], "http://s3/k2"))
        .await
        .unwrap();
    assert_eq!(
        kernel_of(&store, &host("x0c0s0b0n1")).await.as_deref(),
        Some("http://s3/k2")
    );
    assert_eq!(
        kernel_of(&store, &host("x0c0s0b0n0")).await.as_deref(),
        Some("http://s3/k1"),
        "POST keeps existing names"
    );
}

/// Check: boot set replaces.
pub async fn boot_set_replaces(store: Arc<dyn Store>) {
    let mut one = bp(&["x0c0s0b0n0"], &[], &[], "http://k1");
    one.params = "quiet".into();
    store.set_boot_params(&one).await.unwrap();
    store
        .set_boot_params(&bp(
            &["x0c0s0b0n0"],
            &["aa:bb:cc:dd:ee:01"],
            &[],
            "http://k2",
        ))
        .await
        .unwrap();
    let got = store
        .get_boot_config(&host("x0c0s0b0n0"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (got.kernel.as_str(), got.params.as_str()),
        ("http://k2", ""),
        "PUT replaces the whole config"
    );
    assert_eq!(
        kernel_of(&store, &mac("aa:bb:cc:dd:ee:01"))
            .await
            .as_deref(),
        Some("http://k2")
    );

    let (_, cause) = expect_invalid(
        store
            .set_boot_params(&bp(&["x0c0s0b0n1"], &[], &[], ""))
            .await,
    );
    assert!(matches!(cause, CoreError::MissingField { .. }), "{cause:?}");
    let (_, cause) = expect_invalid(store.set_boot_params(&bp(&[], &[], &[], "http://k")).await);
    assert_eq!(
        cause,
        CoreError::MissingField {
            field: "hosts, macs or nids"
        }
    );
    let (_, cause) = expect_invalid(
        store
            .set_boot_params(&bp(&["x0c0s0b0n1"], &["not-a-mac"], &[], "http://k"))
            .await,
    );
    assert!(matches!(cause, CoreError::InvalidMac { .. }), "{cause:?}");
    assert_eq!(
        store.get_boot_config(&host("x0c0s0b0n1")).await.unwrap(),
        None
    );
}

/// Check: boot update patches existing only.
pub async fn boot_update_patches_existing_only(store: Arc<dyn Store>) {
    let mut base = bp(&["x0c0s0b0n0", "x0c0s0b0n1"], &[], &[], "http://k1");
    base.initrd = "http://i1".into();
    base.params = "p1".into();
    base.cloud_init.meta_data = Some(json!({"a": 1, "b": 2}));
    store.set_boot_params(&base).await.unwrap();
    let before = store.get_boot_config(&host("x0c0s0b0n0")).await.unwrap();

    let mut patch = bp(&["x0c0s0b0n0", "x0c0s0b0n9"], &[], &[], "");
    patch.params = "p2".into();
    expect_not_found(
        store.update_boot_params(&patch).await,
        Record::BootParams,
        "x0c0s0b0n9",
    );
    assert_eq!(
        store.get_boot_config(&host("x0c0s0b0n0")).await.unwrap(),
        before,
        "nothing patched"
    );

    patch.hosts = vec!["x0c0s0b0n0".into()];
    patch.cloud_init.meta_data = Some(json!({"b": null, "c": 3}));
    store.update_boot_params(&patch).await.unwrap();
    let got = store
        .get_boot_config(&host("x0c0s0b0n0"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            got.kernel.as_str(),
            got.initrd.as_str(),
            got.params.as_str()
        ),
        ("http://k1", "http://i1", "p2")
    );
    assert_eq!(
        got.cloud_init.meta_data,
        Some(json!({"a": 1, "c": 3})),
        "meta-data is merge-patched"
    );
    assert_eq!(
        store.get_boot_config(&host("x0c0s0b0n1")).await.unwrap(),
        before,
        "other names untouched"
    );
}

/// Check: boot delete counts.
pub async fn boot_delete_counts(store: Arc<dyn Store>) {
    store
        .set_boot_params(&bp(
            &["x0c0s0b0n0", "x0c0s0b0n1"],
            &["aa:bb:cc:dd:ee:01"],
            &[],
            "http://k",
        ))
        .await
        .unwrap();
    let gone = bp(
        &["x0c0s0b0n0", "x0c0s0b0n5"],
        &["AA:BB:CC:DD:EE:01"],
        &[],
        "",
    );
    assert_eq!(store.delete_boot_params(&gone).await.unwrap(), 2);
    assert_eq!(store.delete_boot_params(&gone).await.unwrap(), 0);
    assert_eq!(
        store.get_boot_config(&host("x0c0s0b0n0")).await.unwrap(),
        None
    );
    assert_eq!(
        kernel_of(&store, &host("x0c0s0b0n1")).await.as_deref(),
        Some("http://k")
    );
}

/// Check: boot list groups identical configs.
pub async fn boot_list_groups_identical_configs(store: Arc<dyn Store>) {
    let macs = ["aa:bb:cc:dd:ee:02", "aa:bb:cc:dd:ee:01"];
    store
        .set_boot_params(&bp(
            &["x0c0s0b0n10", "x0c0s0b0n2"],
            &macs,
            &[5],
            "http://kA",
        ))
        .await
        .unwrap();
    store
        .set_boot_params(&bp(&["Default"], &[], &[3], "http://kB"))
        .await
        .unwrap();
    store
        .add_boot_params(&bp(&[], &[], &[1], "http://kA"))
        .await
        .unwrap();
    store
        .set_boot_params(&bp(&[], &[], &[9], "http://kE"))
        .await
        .unwrap();
    store
        .set_boot_params(&bp(&[], &["aa:bb:cc:dd:ee:03"], &[], "http://kD"))
        .await
        .unwrap();

    let all = store
        .list_boot_params(&BootParams::default())
        .await
        .unwrap();
    let expected = [
        bp(
            &["x0c0s0b0n2", "x0c0s0b0n10"],
            &["aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"],
            &[1, 5],
            "http://kA",
        ),
        bp(&["Default"], &[], &[3], "http://kB"),
        bp(&[], &["aa:bb:cc:dd:ee:03"], &[], "http://kD"),
        bp(&[], &[], &[9], "http://kE"),
    ];
    assert_eq!(
        all, expected,
        "identical configs grouped; names sorted; groups by first name"
    );

    let one = store
        .list_boot_params(&bp(&[], &["AA-BB-CC-DD-EE-01"], &[], ""))
        .await
        .unwrap();
    assert_eq!(
        one,
        [bp(&[], &["aa:bb:cc:dd:ee:01"], &[], "http://kA")],
        "a query lists only the names it asks for"
    );
    let two = store
        .list_boot_params(&bp(&["x0c0s0b0n2"], &[], &[3, 42], ""))
        .await
        .unwrap();
    assert_eq!(
        two,
        [
            bp(&["x0c0s0b0n2"], &[], &[], "http://kA"),
            bp(&[], &[], &[3], "http://kB")
        ]
    );
    assert!(
        store
            .list_boot_params(&bp(&["x9c0s0b0n0"], &[], &[], ""))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Check: boot lookup by tag and refuses injection.
pub async fn boot_lookup_by_tag_and_refuses_injection(store: Arc<dyn Store>) {
    store
        .set_boot_params(&bp(
            &["Default", "Compute", "Unknown-x86_64"],
            &[],
            &[],
            "http://kT",
        ))
        .await
        .unwrap();
    for tag in ["Default", "Compute", "Unknown-x86_64"] {
        assert_eq!(
            kernel_of(&store, &host(tag)).await.as_deref(),
            Some("http://kT"),
            "{tag}"
        );
    }
    let (_, cause) = expect_invalid(
        store
            .set_boot_params(&bp(&["x0c0s0b0n0"], &[], &[], "http://k\nshell"))
            .await,
    );
    assert!(cause.to_string().contains("kernel"), "{cause}");
    let (_, cause) = expect_invalid(
        store
            .add_boot_params(&bp(&["x0c0s0b0"], &[], &[], "http://k"))
            .await,
    );
    assert!(cause.to_string().contains("hosts"), "{cause}");
    assert_eq!(
        store.get_boot_config(&host("x0c0s0b0n0")).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .list_boot_params(&BootParams::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

/// Check: boot access history.
pub async fn boot_access_history(store: Arc<dyn Store>) {
    let rec = |name: &str, endpoint: &str, last_epoch| EndpointAccess {
        name: name.into(),
        endpoint: endpoint.into(),
        last_epoch,
    };
    for r in [
        rec("x0c0s0b0n1", "bootscript", 102),
        rec("x0c0s0b0n0", "bootscript", 100),
        rec("x0c0s0b0n0", "user-data", 101),
    ] {
        store.record_access(&r).await.unwrap();
    }
    store
        .record_access(&rec("x0c0s0b0n0", "bootscript", 200))
        .await
        .unwrap();
    let all = store.list_access(None, None).await.unwrap();
    assert_eq!(
        all,
        [
            rec("x0c0s0b0n0", "bootscript", 200),
            rec("x0c0s0b0n0", "user-data", 101),
            rec("x0c0s0b0n1", "bootscript", 102)
        ],
        "one row per (name, endpoint), sorted"
    );
    assert_eq!(
        store
            .list_access(Some("x0c0s0b0n0"), None)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .list_access(None, Some("bootscript"))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .list_access(Some("x0c0s0b0n1"), Some("user-data"))
            .await
            .unwrap(),
        []
    );
}

/// `boot_candidates_by_mac` returns the MAC's component and every config stored under the
/// MAC, the component's xname, NID and role, and the tags asked for; nothing else.
pub async fn boot_candidates_by_mac(store: Arc<dyn Store>) {
    use ochami_core::{EthernetInterface, Role, State};
    let node = super::comp("x0c0s0b0n0", State::Ready)
        .with_role(Role::Compute)
        .with_nid(7);
    let other = super::comp("x0c0s1b0n0", State::Ready).with_nid(8);
    store
        .upsert_components(&[node.clone(), other], false)
        .await
        .unwrap();
    let m: ochami_core::MacAddr = "aa:bb:cc:dd:ee:01".parse().unwrap();
    store
        .insert_ethernet_interface(&EthernetInterface::new(m, Some(node.id), []))
        .await
        .unwrap();
    for (p, kernel) in [
        (bp(&["Default"], &[], &[], "k-default"), "k-default"),
        (bp(&["Compute"], &[], &[], "k-role"), "k-role"),
        (bp(&["x0c0s0b0n0"], &[], &[], "k-xname"), "k-xname"),
        (bp(&[], &[], &[7], "k-nid"), "k-nid"),
        (bp(&[], &["aa:bb:cc:dd:ee:01"], &[], "k-mac"), "k-mac"),
        // Not candidates: another node, another MAC, another tag.
        (
            bp(
                &["x0c0s1b0n0", "Service"],
                &["aa:bb:cc:dd:ee:02"],
                &[8],
                "k-no",
            ),
            "k-no",
        ),
    ] {
        store
            .set_boot_params(&p)
            .await
            .unwrap_or_else(|e| panic!("{kernel}: {e}"));
    }
    let found = store
        .boot_candidates_by_mac(&m, &["Default".to_owned()])
        .await
        .unwrap();
    assert_eq!(found.component.as_ref().map(|c| c.id), Some(node.id));
    assert_eq!(
        found.component.as_ref().and_then(|c| c.role),
        Some(Role::Compute)
    );
    let mut got: Vec<(BootKey, String)> = found
        .configs
        .into_iter()
        .map(|(k, c)| (k, c.kernel))
        .collect();
    got.sort();
    let mut want = vec![
        (BootKey::Mac(m), "k-mac".to_owned()),
        (host("x0c0s0b0n0"), "k-xname".to_owned()),
        (host("Compute"), "k-role".to_owned()),
        (host("Default"), "k-default".to_owned()),
        (BootKey::Nid(7), "k-nid".to_owned()),
    ];
    want.sort();
    assert_eq!(got, want);

    // An unknown MAC: no component, only what is stored under the MAC and the tags.
    let unknown: ochami_core::MacAddr = "aa:bb:cc:dd:ee:02".parse().unwrap();
    let found = store.boot_candidates_by_mac(&unknown, &[]).await.unwrap();
    assert_eq!(found.component, None);
    assert_eq!(found.configs.len(), 1);
    assert_eq!(found.configs[0].0, BootKey::Mac(unknown));
    let nothing: ochami_core::MacAddr = "aa:bb:cc:dd:ee:03".parse().unwrap();
    let found = store
        .boot_candidates_by_mac(&nothing, &["Default".to_owned()])
        .await
        .unwrap();
    assert_eq!((found.component, found.configs.len()), (None, 1));
}

/// `record_accesses` writes a batch like that many `record_access` calls.
pub async fn boot_record_accesses_batch(store: Arc<dyn Store>) {
    let batch: Vec<EndpointAccess> = (0..3)
        .map(|i| EndpointAccess {
            name: format!("x0c0s{i}b0n0"),
            endpoint: "bootscript".into(),
            last_epoch: 1_700_000_000 + i,
        })
        .collect();
    store.record_accesses(&batch).await.unwrap();
    store.record_accesses(&[]).await.unwrap();
    let mut newer = batch[0].clone();
    newer.last_epoch += 100;
    // The same name and endpoint twice in one batch: the later entry is kept.
    let mut stale = newer.clone();
    stale.last_epoch -= 50;
    store
        .record_accesses(&[stale, newer.clone()])
        .await
        .unwrap();
    let all = store.list_access(None, Some("bootscript")).await.unwrap();
    assert_eq!(all, vec![newer, batch[1].clone(), batch[2].clone()]);
}

/// Check: BSS's listing ([`ochami_store::BootStore::bss_boot_params`]) is the BSS rows and
/// then the boot-service configurations in BSS's shape; with names, only what answers to
/// them (names normalized first), and `None` when nothing does.
pub async fn boot_bss_listing_by_name(store: Arc<dyn Store>) {
    use ochami_core::{BootConfigurationSpec, BootQuery};

    store
        .add_boot_params(&bp(&["x0c0s0b0n0"], &[], &[], "http://s/bss"))
        .await
        .unwrap();
    let configured = super::boot_configurations::configuration(
        "bootconfiguration-000000b1",
        "io",
        BootConfigurationSpec {
            macs: vec!["aa:bb:cc:dd:ee:09".into()],
            groups: vec!["io".into()],
            kernel: "http://s/bs".into(),
            ..Default::default()
        },
    );
    store.create_boot_configuration(&configured).await.unwrap();

    let kernels = |found: Option<Vec<BootParams>>| -> Option<Vec<String>> {
        found.map(|f| f.into_iter().map(|p| p.kernel).collect())
    };
    let all = store.bss_boot_params(&BootQuery::default()).await.unwrap();
    assert_eq!(
        kernels(all),
        Some(vec!["http://s/bss".to_owned(), "http://s/bs".to_owned()]),
        "BSS rows first, then boot-service configurations"
    );

    let named = |names: &[&str], macs: &[&str]| {
        let mut q = BootQuery::default();
        q.add_names(
            names.iter().map(|n| (*n).to_owned()).collect(),
            macs.iter().map(|m| (*m).to_owned()).collect(),
            vec![],
        )
        .expect("query");
        q
    };
    let by_host = store
        .bss_boot_params(&named(&["X0C0S0B0N0"], &[]))
        .await
        .unwrap();
    assert_eq!(kernels(by_host), Some(vec!["http://s/bss".to_owned()]));
    let by_mac = store
        .bss_boot_params(&named(&[], &["AA-BB-CC-DD-EE-09"]))
        .await
        .unwrap();
    assert_eq!(kernels(by_mac), Some(vec!["http://s/bs".to_owned()]));
    let by_group = store.bss_boot_params(&named(&["io"], &[])).await.unwrap();
    assert_eq!(kernels(by_group), Some(vec!["http://s/bs".to_owned()]));
    let nothing = store
        .bss_boot_params(&named(&["x9c0s0b0n0"], &[]))
        .await
        .unwrap();
    assert_eq!(nothing, None, "names that answer nothing");
    let bad = store.bss_boot_params(&named(&[], &["not-a-mac"])).await;
    let (_, cause) = expect_invalid(bad);
    assert!(matches!(cause, CoreError::InvalidMac { .. }), "{cause:?}");
}
