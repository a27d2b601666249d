//! Components: SMD's POST/PUT/PATCH rules, atomic bulk writes, NID uniqueness, filters.

use std::sync::Arc;

use ochami_core::{
    Arch, Class, Error as CoreError, Flag, Group, HmsType, Members, NetType, Partition, Role,
    State, SubRole,
};
use ochami_store::{ComponentUpdate, ConflictKind, EthernetInterfaceFilter, Record, Store};

use super::{
    all_components, comp, expect_conflict, expect_invalid, expect_not_found, ids, select, x,
};

/// Check: upsert inserts normalized in natural order.
pub async fn upsert_inserts_normalized_in_natural_order(store: Arc<dyn Store>) {
    let mut odd = comp("x1000c0s2b0n9", State::On);
    odd.hms_type = HmsType::Cabinet; // Type always follows ID
    odd.flag = None;
    odd.enabled = None;
    odd.nid = Some(-1);
    odd.software_status = Some(String::new());
    let batch = [
        comp("x1000c0s10b0n0", State::Ready),
        odd,
        comp("x1000c0s2b0n10", State::Off),
        comp("x1000c0s2b0", State::Ready),
        comp("x1000c0s2b0n0", State::Ready).with_nid(3),
    ];
    store.upsert_components(&batch, false).await.unwrap();
    let all = all_components(&store).await;
    assert_eq!(
        ids(&all),
        [
            "x1000c0s2b0",
            "x1000c0s2b0n0",
            "x1000c0s2b0n9",
            "x1000c0s2b0n10",
            "x1000c0s10b0n0"
        ]
    );

    let n9 = store
        .get_component(&x("x1000c0s2b0n9"))
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(n9.hms_type, HmsType::Node);
    assert_eq!(n9.flag, Some(Flag::Ok), "a missing Flag defaults to OK");
    assert_eq!(n9.enabled, Some(true));
    assert_eq!(n9.nid, None, "a negative NID means none");
    assert_eq!(n9.software_status, None);
    let json = serde_json::to_string(&n9).unwrap();
    assert_eq!(
        json,
        r#"{"ID":"x1000c0s2b0n9","Type":"Node","State":"On","Flag":"OK","Enabled":true}"#
    );

    assert_eq!(
        store
            .get_component(&x("x1000c0s2b0n0"))
            .await
            .unwrap()
            .and_then(|c| c.nid),
        Some(3)
    );
    assert_eq!(
        store.get_component(&x("x1000c0s2b0n1")).await.unwrap(),
        None
    );
    store
        .upsert_components(&[], false)
        .await
        .expect("an empty batch is a no-op");
}

/// Check: upsert missing state changes nothing.
pub async fn upsert_missing_state_changes_nothing(store: Arc<dyn Store>) {
    store
        .upsert_components(&[comp("x0c0s0b0n0", State::Ready)], false)
        .await
        .unwrap();
    let before = all_components(&store).await;
    let mut stateless = comp("x0c0s0b0n2", State::Ready);
    stateless.state = None;
    let batch = [
        comp("x0c0s0b0n1", State::On),
        comp("x0c0s0b0n0", State::Off),
        stateless,
    ];
    let (index, cause) = expect_invalid(store.upsert_components(&batch, true).await);
    assert_eq!(index, Some(2));
    assert_eq!(cause, CoreError::MissingField { field: "State" });
    assert_eq!(
        all_components(&store).await,
        before,
        "a failed batch changes nothing"
    );
}

/// Check: upsert nid conflict changes nothing.
pub async fn upsert_nid_conflict_changes_nothing(store: Arc<dyn Store>) {
    store
        .upsert_components(&[comp("x0c0s0b0n0", State::Ready).with_nid(1)], false)
        .await
        .unwrap();
    let before = all_components(&store).await;

    let batch = [
        comp("x0c0s0b0n1", State::Ready).with_nid(2),
        comp("x0c0s0b0n2", State::Ready).with_nid(1),
    ];
    let (value, detail) = expect_conflict(
        store.upsert_components(&batch, false).await,
        ConflictKind::Nid,
    );
    assert_eq!(value, "1");
    assert!(
        detail.contains("x0c0s0b0n0") && detail.contains("row 1"),
        "{detail}"
    );
    assert_eq!(all_components(&store).await, before);

    let twins = [
        comp("x0c0s0b0n5", State::Ready).with_nid(5),
        comp("x0c0s0b0n6", State::Ready).with_nid(5),
    ];
    let (value, detail) = expect_conflict(
        store.upsert_components(&twins, false).await,
        ConflictKind::Nid,
    );
    assert_eq!(value, "5");
    assert!(
        detail.contains("x0c0s0b0n5") && detail.contains("row 1"),
        "{detail}"
    );
    assert_eq!(all_components(&store).await, before);
}

/// Check: upsert force overwrites only smd fields.
pub async fn upsert_force_overwrites_only_smd_fields(store: Arc<dyn Store>) {
    let mut orig = comp("x0c0s0b0n0", State::Ready)
        .with_role(Role::Service)
        .with_nid(7);
    orig.flag = Some(Flag::Alert);
    orig.enabled = Some(false);
    orig.software_status = Some("AdminDown".into());
    orig.sub_role = Some(SubRole::Worker);
    orig.subtype = Some("old".into());
    orig.net_type = Some(NetType::Sling);
    orig.arch = Some(Arch::X86);
    orig.class = Some(Class::River);
    store
        .upsert_components(std::slice::from_ref(&orig), false)
        .await
        .unwrap();
    let stored = store.get_component(&orig.id).await.unwrap().unwrap();
    assert_eq!(stored, orig);

    let mut update = comp("x0c0s0b0n0", State::Off)
        .with_role(Role::Compute)
        .with_nid(8);
    update.flag = None;
    update.enabled = Some(true);
    update.software_status = Some("new".into());
    update.subtype = Some("new".into());
    update.net_type = Some(NetType::Ethernet);
    update.arch = Some(Arch::Arm);
    update.class = None;
    store
        .upsert_components(std::slice::from_ref(&update), false)
        .await
        .unwrap();
    assert_eq!(
        store.get_component(&orig.id).await.unwrap().unwrap(),
        orig,
        "without force an existing row is kept"
    );

    store
        .upsert_components(std::slice::from_ref(&update), true)
        .await
        .unwrap();
    let forced = store.get_component(&orig.id).await.unwrap().unwrap();
    let mut expected = orig.clone();
    expected.state = Some(State::Off);
    expected.flag = Some(Flag::Ok);
    expected.subtype = Some("new".into());
    expected.net_type = Some(NetType::Ethernet);
    expected.arch = Some(Arch::Arm);
    expected.class = None;
    assert_eq!(
        forced, expected,
        "force overwrites State, Flag, Subtype, NetType, Arch, Class only"
    );
}

/// Check: put component replaces and checks nid.
pub async fn put_component_replaces_and_checks_nid(store: Arc<dyn Store>) {
    let a = comp("x0c0s0b0n0", State::Ready)
        .with_role(Role::Compute)
        .with_nid(1);
    let b = comp("x0c0s0b0n1", State::Ready).with_nid(2);
    store
        .upsert_components(&[a.clone(), b], false)
        .await
        .unwrap();
    store
        .create_group(&group("compute", "", &["x0c0s0b0n0"]))
        .await
        .unwrap();

    let replacement = comp("x0c0s0b0n0", State::Off).with_nid(10);
    store.put_component(&replacement).await.unwrap();
    assert_eq!(
        store.get_component(&a.id).await.unwrap().unwrap(),
        replacement,
        "PUT replaces the whole record"
    );
    let m = store.get_membership(&a.id).await.unwrap().unwrap();
    assert_eq!(m.group_labels, ["compute"], "PUT keeps memberships");

    let (value, detail) = expect_conflict(
        store
            .put_component(&comp("x0c0s0b0n0", State::Off).with_nid(2))
            .await,
        ConflictKind::Nid,
    );
    assert_eq!(value, "2");
    assert!(detail.contains("x0c0s0b0n1"), "{detail}");
    let mut stateless = comp("x0c0s0b0n3", State::Off);
    stateless.state = None;
    let (index, cause) = expect_invalid(store.put_component(&stateless).await);
    assert_eq!(
        (index, cause),
        (None, CoreError::MissingField { field: "State" })
    );
    store
        .put_component(&comp("x0c0s0b0n3", State::On))
        .await
        .expect("PUT creates");
    assert_eq!(all_components(&store).await.len(), 3);
}

/// Check: update components transition is atomic.
pub async fn update_components_transition_is_atomic(store: Arc<dyn Store>) {
    let mut alert = comp("x0c0s0b0n1", State::Ready);
    alert.flag = Some(Flag::Alert);
    store
        .upsert_components(
            &[
                comp("x0c0s0b0n0", State::Ready),
                alert,
                comp("x0c0s0b0n2", State::Off),
            ],
            false,
        )
        .await
        .unwrap();
    let before = all_components(&store).await;
    let targets = [x("x0c0s0b0n0"), x("x0c0s0b0n1"), x("x0c0s0b0n2")];
    let standby = ComponentUpdate::State {
        state: State::Standby,
        flag: None,
        force: false,
    };
    let (index, cause) = expect_invalid(store.update_components(&targets, &standby).await);
    assert_eq!(index, Some(2));
    assert_eq!(
        cause,
        CoreError::InvalidTransition {
            id: "x0c0s0b0n2".into(),
            from: State::Off,
            to: State::Standby
        }
    );
    assert_eq!(
        all_components(&store).await,
        before,
        "no row changes when one transition is refused"
    );

    let forced = ComponentUpdate::State {
        state: State::Standby,
        flag: None,
        force: true,
    };
    store
        .update_components(&targets, &forced)
        .await
        .expect("Force bypasses the transition table");
    for c in all_components(&store).await {
        assert_eq!(
            (c.state, c.flag),
            (Some(State::Standby), Some(Flag::Ok)),
            "{}",
            c.id
        );
    }
    let warn = ComponentUpdate::State {
        state: State::Ready,
        flag: Some(Flag::Warning),
        force: false,
    };
    store.update_components(&targets[..1], &warn).await.unwrap();
    let c = store.get_component(&targets[0]).await.unwrap().unwrap();
    assert_eq!((c.state, c.flag), (Some(State::Ready), Some(Flag::Warning)));
}

/// Check: update components unknown id names first missing.
pub async fn update_components_unknown_id_names_first_missing(store: Arc<dyn Store>) {
    store
        .upsert_components(&[comp("x0c0s0b0n0", State::Ready)], false)
        .await
        .unwrap();
    let before = all_components(&store).await;
    let targets = [x("x0c0s0b0n0"), x("x0c0s0b0n7"), x("x0c0s0b0n8")];
    expect_not_found(
        store
            .update_components(&targets, &ComponentUpdate::Flag(Flag::Alert))
            .await,
        Record::Component,
        "x0c0s0b0n7",
    );
    assert_eq!(all_components(&store).await, before);
}

/// Check: update components other fields.
pub async fn update_components_other_fields(store: Arc<dyn Store>) {
    store
        .upsert_components(&[comp("x0c0s0b0n0", State::Ready)], false)
        .await
        .unwrap();
    let id = [x("x0c0s0b0n0")];
    let (s, first) = (&store, id[0]);
    let get = || async move { s.get_component(&first).await.unwrap().unwrap() };
    store
        .update_components(&id, &ComponentUpdate::Flag(Flag::Warning))
        .await
        .unwrap();
    assert_eq!(get().await.flag, Some(Flag::Warning));
    store
        .update_components(&id, &ComponentUpdate::Enabled(false))
        .await
        .unwrap();
    assert_eq!(get().await.enabled, Some(false));
    store
        .update_components(&id, &ComponentUpdate::SoftwareStatus("DvsAvailable".into()))
        .await
        .unwrap();
    assert_eq!(get().await.software_status.as_deref(), Some("DvsAvailable"));
    store
        .update_components(&id, &ComponentUpdate::SoftwareStatus(String::new()))
        .await
        .unwrap();
    assert_eq!(
        get().await.software_status,
        None,
        "an empty SoftwareStatus clears it"
    );
    let role = ComponentUpdate::Role {
        role: Role::Management,
        sub_role: Some(SubRole::Master),
    };
    store.update_components(&id, &role).await.unwrap();
    assert_eq!(
        (get().await.role, get().await.sub_role),
        (Some(Role::Management), Some(SubRole::Master))
    );
    let role = ComponentUpdate::Role {
        role: Role::Compute,
        sub_role: None,
    };
    store.update_components(&id, &role).await.unwrap();
    assert_eq!(
        (get().await.role, get().await.sub_role),
        (Some(Role::Compute), None),
        "no SubRole clears it"
    );
    assert_eq!(get().await.state, Some(State::Ready));
}

/// Check: update component applies all or nothing.
pub async fn update_component_applies_all_or_nothing(store: Arc<dyn Store>) {
    let mut held = comp("x0c0s0b0n1", State::Ready);
    held.nid = Some(5);
    store
        .upsert_components(&[comp("x0c0s0b0n0", State::Ready), held], false)
        .await
        .unwrap();
    let id = x("x0c0s0b0n0");
    let updates = [
        ComponentUpdate::Flag(Flag::Alert),
        ComponentUpdate::Enabled(false),
        ComponentUpdate::Role {
            role: Role::Compute,
            sub_role: None,
        },
    ];
    store
        .update_component(&id, &updates, Some(7))
        .await
        .unwrap();
    let c = store.get_component(&id).await.unwrap().unwrap();
    assert_eq!(
        (c.state, c.flag, c.enabled, c.role, c.nid),
        (
            Some(State::Ready),
            Some(Flag::Alert),
            Some(false),
            Some(Role::Compute),
            Some(7)
        )
    );

    let before = all_components(&store).await;
    let off_then_standby = [
        ComponentUpdate::State {
            state: State::Off,
            flag: None,
            force: false,
        },
        ComponentUpdate::State {
            state: State::Standby,
            flag: None,
            force: false,
        },
    ];
    let (index, cause) = expect_invalid(store.update_component(&id, &off_then_standby, None).await);
    assert_eq!(index, None);
    assert_eq!(
        cause,
        CoreError::InvalidTransition {
            id: "x0c0s0b0n0".into(),
            from: State::Off,
            to: State::Standby
        },
        "each transition is checked against the state the earlier updates left"
    );
    assert_eq!(all_components(&store).await, before, "nothing changed");

    let warn = [ComponentUpdate::Flag(Flag::Warning)];
    let (value, detail) = expect_conflict(
        store.update_component(&id, &warn, Some(5)).await,
        ConflictKind::Nid,
    );
    assert_eq!(value, "5");
    assert!(detail.contains("x0c0s0b0n1"), "{detail}");
    assert_eq!(
        all_components(&store).await,
        before,
        "a NID conflict also undoes the field updates"
    );

    expect_not_found(
        store.update_component(&x("x0c0s0b0n9"), &warn, None).await,
        Record::Component,
        "x0c0s0b0n9",
    );
    store.update_component(&id, &[], Some(-1)).await.unwrap();
    let c = store.get_component(&id).await.unwrap().unwrap();
    assert_eq!(
        (c.nid, c.flag),
        (None, Some(Flag::Alert)),
        "a negative NID clears it"
    );
}

/// Check: set nids unique and atomic.
pub async fn set_nids_unique_and_atomic(store: Arc<dyn Store>) {
    let nodes = ["x0c0s0b0n0", "x0c0s0b0n1", "x0c0s0b0n2"].map(|id| comp(id, State::Ready));
    store.upsert_components(&nodes, false).await.unwrap();
    let [a, b, c] = nodes.map(|n| n.id);
    let nid_of = |id| {
        let store = &store;
        async move { store.get_component(&id).await.unwrap().unwrap().nid }
    };
    store.set_nids(&[(a, 10), (b, 11)]).await.unwrap();
    store
        .set_nids(&[(a, 12), (b, 10)])
        .await
        .expect("rows apply in order: 10 is free once a moved");
    assert_eq!((nid_of(a).await, nid_of(b).await), (Some(12), Some(10)));

    let (value, detail) =
        expect_conflict(store.set_nids(&[(c, 20), (a, 10)]).await, ConflictKind::Nid);
    assert_eq!(value, "10");
    assert!(
        detail.contains("x0c0s0b0n1") && detail.contains("row 1"),
        "{detail}"
    );
    assert_eq!(
        (nid_of(a).await, nid_of(c).await),
        (Some(12), None),
        "nothing changed"
    );

    expect_not_found(
        store.set_nids(&[(c, 30), (x("x0c0s0b0n9"), 31)]).await,
        Record::Component,
        "x0c0s0b0n9",
    );
    assert_eq!(nid_of(c).await, None);
    store.set_nids(&[(a, -1)]).await.unwrap();
    assert_eq!(nid_of(a).await, None, "a negative NID clears it");
    store
        .set_nids(&[(c, 12)])
        .await
        .expect("a cleared NID is free again");
}

/// Check: delete component cascades memberships only.
pub async fn delete_component_cascades_memberships_only(store: Arc<dyn Store>) {
    let nodes = [
        comp("x0c0s0b0n0", State::Ready),
        comp("x0c0s0b0n1", State::Ready),
    ];
    store.upsert_components(&nodes, false).await.unwrap();
    store
        .create_group(&group("compute", "", &["x0c0s0b0n0", "x0c0s0b0n1"]))
        .await
        .unwrap();
    store
        .create_partition(&partition("p1", &["x0c0s0b0n0"]))
        .await
        .unwrap();
    let mac = "aa:bb:cc:00:00:01".parse().unwrap();
    let iface =
        ochami_core::EthernetInterface::new(mac, Some(nodes[0].id), ["10.0.0.1".to_owned()]);
    store.insert_ethernet_interface(&iface).await.unwrap();

    assert!(store.delete_component(&nodes[0].id).await.unwrap());
    assert!(
        !store.delete_component(&nodes[0].id).await.unwrap(),
        "a second delete finds nothing"
    );
    assert_eq!(store.get_component(&nodes[0].id).await.unwrap(), None);
    assert_eq!(store.get_membership(&nodes[0].id).await.unwrap(), None);
    assert_eq!(
        store
            .get_group("compute")
            .await
            .unwrap()
            .unwrap()
            .members
            .ids,
        [nodes[1].id]
    );
    assert!(
        store
            .get_partition("p1")
            .await
            .unwrap()
            .unwrap()
            .members
            .ids
            .is_empty()
    );
    let kept = store
        .list_ethernet_interfaces(&EthernetInterfaceFilter::default())
        .await
        .unwrap();
    assert_eq!(kept.len(), 1, "ethernet interfaces outlive their component");
    assert_eq!(kept[0].component_id, Some(nodes[0].id));
}

/// Check: delete all components counts.
pub async fn delete_all_components_counts(store: Arc<dyn Store>) {
    let nodes = ["x0c0s0b0n0", "x0c0s0b0n1", "x0c0s0b0"].map(|id| comp(id, State::Ready));
    store.upsert_components(&nodes, false).await.unwrap();
    store
        .create_group(&group("all", "", &["x0c0s0b0n0", "x0c0s0b0n1"]))
        .await
        .unwrap();
    assert_eq!(store.delete_all_components().await.unwrap(), 3);
    assert!(all_components(&store).await.is_empty());
    assert!(
        store
            .get_group("all")
            .await
            .unwrap()
            .expect("groups survive")
            .members
            .ids
            .is_empty()
    );
    assert_eq!(store.delete_all_components().await.unwrap(), 0);
}

/// Six components covering roles, states, types, NIDs and memberships.
async fn population(store: &Arc<dyn Store>) {
    let mut disabled = comp("x0c0s1b0n1", State::Off)
        .with_role(Role::Compute)
        .with_nid(4);
    disabled.enabled = Some(false);
    let rows = [
        comp("x0c0s0b0", State::Ready),
        comp("x0c0s0b0n0", State::Ready)
            .with_role(Role::Compute)
            .with_nid(1),
        comp("x0c0s0b0n1", State::On)
            .with_role(Role::Compute)
            .with_nid(2),
        comp("x0c0s1b0n0", State::Ready)
            .with_role(Role::Service)
            .with_nid(3),
        disabled,
        comp("x0c0s2b0n0", State::Ready)
            .with_role(Role::Compute)
            .with_nid(10),
    ];
    store.upsert_components(&rows, false).await.unwrap();
}

/// Check: filter role state negation.
pub async fn filter_role_state_negation(store: Arc<dyn Store>) {
    population(&store).await;
    let s = &store;
    assert_eq!(
        select(s, &[("role", "Compute"), ("state", "Ready")]).await,
        ["x0c0s0b0n0", "x0c0s2b0n0"]
    );
    assert_eq!(
        select(
            s,
            &[("role", "compute"), ("state", "ready"), ("state", "on")]
        )
        .await,
        ["x0c0s0b0n0", "x0c0s0b0n1", "x0c0s2b0n0"],
        "values of one parameter are OR-ed"
    );
    assert_eq!(
        select(s, &[("state", "!Ready")]).await,
        ["x0c0s0b0n1", "x0c0s1b0n1"]
    );
    assert_eq!(select(s, &[("type", "!Node")]).await, ["x0c0s0b0"]);
    assert_eq!(
        select(s, &[("role", "!Compute"), ("type", "Node")]).await,
        ["x0c0s1b0n0"]
    );
    assert_eq!(select(s, &[("enabled", "false")]).await, ["x0c0s1b0n1"]);
    assert_eq!(
        select(s, &[("role", "Storage")]).await,
        Vec::<String>::new()
    );
}

/// Check: filter nid and id.
pub async fn filter_nid_and_id(store: Arc<dyn Store>) {
    population(&store).await;
    let s = &store;
    assert_eq!(
        select(s, &[("nid_start", "2"), ("nid_end", "4")]).await,
        ["x0c0s0b0n1", "x0c0s1b0n0", "x0c0s1b0n1"]
    );
    assert_eq!(
        select(s, &[("nid_start", "4")]).await,
        ["x0c0s1b0n1", "x0c0s2b0n0"]
    );
    assert_eq!(select(s, &[("nid_end", "1")]).await, ["x0c0s0b0n0"]);
    assert_eq!(
        select(s, &[("nid_start", "5"), ("nid_end", "4")]).await,
        Vec::<String>::new()
    );
    assert_eq!(
        select(s, &[("nid", "10"), ("nid", "1"), ("nid", "99")]).await,
        ["x0c0s0b0n0", "x0c0s2b0n0"]
    );
    assert_eq!(
        select(s, &[("nid", "!1"), ("role", "Compute")]).await,
        ["x0c0s0b0n1", "x0c0s1b0n1", "x0c0s2b0n0"]
    );
    assert_eq!(
        select(
            s,
            &[
                ("id", "x0c0s2b0n0"),
                ("id", "x0c0s0b0"),
                ("id", "x9c0s0b0n0")
            ]
        )
        .await,
        ["x0c0s0b0", "x0c0s2b0n0"]
    );
    assert_eq!(
        select(s, &[("id", "x0c0s2b0n0"), ("state", "Off")]).await,
        Vec::<String>::new()
    );
    assert_eq!(
        select(s, &[("id", "!x0c0s0b0"), ("state", "On")]).await,
        ["x0c0s0b0n1"]
    );
}

/// Check: filter group and partition.
pub async fn filter_group_and_partition(store: Arc<dyn Store>) {
    population(&store).await;
    store
        .create_group(&group(
            "compute",
            "",
            &["x0c0s0b0n0", "x0c0s0b0n1", "x0c0s2b0n0"],
        ))
        .await
        .unwrap();
    store
        .create_group(&group("blue", "", &["x0c0s0b0n1", "x0c0s1b0n0"]))
        .await
        .unwrap();
    store
        .create_partition(&partition("p1", &["x0c0s0b0n0", "x0c0s1b0n0"]))
        .await
        .unwrap();
    let s = &store;
    assert_eq!(
        select(s, &[("group", "Compute")]).await,
        ["x0c0s0b0n0", "x0c0s0b0n1", "x0c0s2b0n0"]
    );
    assert_eq!(
        select(s, &[("group", "compute"), ("group", "blue")])
            .await
            .len(),
        4
    );
    assert_eq!(
        select(s, &[("group", "NULL")]).await,
        ["x0c0s0b0", "x0c0s1b0n1"]
    );
    assert_eq!(
        select(s, &[("group", "nosuchgroup")]).await,
        Vec::<String>::new()
    );
    assert_eq!(
        select(s, &[("partition", "p1")]).await,
        ["x0c0s0b0n0", "x0c0s1b0n0"]
    );
    assert_eq!(
        select(s, &[("partition", "NULL"), ("type", "Node")]).await,
        ["x0c0s0b0n1", "x0c0s1b0n1", "x0c0s2b0n0"]
    );
    assert_eq!(
        select(s, &[("group", "compute"), ("partition", "NULL")]).await,
        ["x0c0s0b0n1", "x0c0s2b0n0"]
    );
    assert_eq!(
        select(
            s,
            &[("group", "compute"), ("state", "Ready"), ("nid_start", "2")]
        )
        .await,
        ["x0c0s2b0n0"]
    );
}

/// A shared group with members.
#[track_caller]
pub(crate) fn group(label: &str, exclusive: &str, members: &[&str]) -> Group {
    Group {
        label: label.into(),
        description: String::new(),
        exclusive_group: exclusive.into(),
        tags: vec![],
        members: Members {
            ids: members.iter().map(|m| x(m)).collect(),
        },
    }
}

/// A partition with members.
#[track_caller]
pub(crate) fn partition(name: &str, members: &[&str]) -> Partition {
    Partition {
        name: name.into(),
        description: String::new(),
        tags: vec![],
        members: Members {
            ids: members.iter().map(|m| x(m)).collect(),
        },
    }
}
