//! Inventory: Redfish endpoints, discovery ingest, component endpoints, ethernet
//! interfaces and hardware.

use std::sync::Arc;
use std::time::Duration;

use ochami_core::ingest::{
    EndpointIngest, InterfaceDetail, Inventory, ManagerDetail, PowerDetail, SystemDetail,
};
use ochami_core::{
    EthernetInterface, Flag, HardwareRecord, HmsType, IpAddressEntry, MacAddr, RedfishEndpoint,
    Role, State, bogus_nid,
};
use ochami_store::{
    ComponentEndpointFilter, ComponentUpdate, ConflictKind, EthernetInterfaceFilter,
    EthernetInterfacePatch, Record, RedfishEndpointFilter, Store,
};

use super::{all_components, comp, expect_conflict, expect_invalid, expect_not_found, ids, x};

#[track_caller]
fn mac(s: &str) -> MacAddr {
    s.parse().expect("test MAC")
}

/// A discovery body for `bmc` at `ip`: one BMC NIC and one node per `(mac, ip)` system.
fn discovery(bmc: &str, ip: &str, bmc_mac: &str, systems: &[(&str, &str)]) -> Inventory {
    let ingest = EndpointIngest {
        endpoint: RedfishEndpoint::new(x(bmc), ip),
        schema_version: 1,
        systems: systems
            .iter()
            .enumerate()
            .map(|(k, (nic_mac, nic_ip))| SystemDetail {
                uri: format!("/redfish/v1/Systems/Node{k}"),
                uuid: format!("uuid-{bmc}-{k}"),
                manufacturer: "Acme".into(),
                serial: format!("SN{k}"),
                power: PowerDetail {
                    state: "On".into(),
                    ..Default::default()
                },
                ethernet_interfaces: vec![InterfaceDetail {
                    uri: format!("/redfish/v1/Systems/Node{k}/EthernetInterfaces/1"),
                    mac: (*nic_mac).into(),
                    ip: (*nic_ip).into(),
                    ..Default::default()
                }],
                ..Default::default()
            })
            .collect(),
        managers: vec![ManagerDetail {
            uri: "/redfish/v1/Managers/BMC".into(),
            manager_type: "BMC".into(),
            ethernet_interfaces: vec![InterfaceDetail {
                mac: bmc_mac.into(),
                ip: ip.into(),
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    ingest.expand().expect("valid discovery body")
}

pub(crate) fn two_nodes() -> Inventory {
    discovery(
        "x1000c0s0b0",
        "10.0.0.5",
        "aa:bb:cc:00:00:ff",
        &[
            ("aa:bb:cc:00:00:01", "10.1.0.1"),
            ("aa:bb:cc:00:00:02", "N/A"),
        ],
    )
}

async fn ifaces(store: &Arc<dyn Store>, f: &EthernetInterfaceFilter) -> Vec<EthernetInterface> {
    store
        .list_ethernet_interfaces(f)
        .await
        .expect("list ethernet interfaces")
}

/// The component endpoints under any of `eps` with any of `types` (empty: all).
fn ces_of(eps: &[ochami_core::Xname], types: &[HmsType]) -> ComponentEndpointFilter {
    ComponentEndpointFilter {
        redfish_ep: eps.to_vec(),
        hms_type: types.to_vec(),
        ..Default::default()
    }
}

fn iface_ids(list: &[EthernetInterface]) -> Vec<String> {
    list.iter().map(|e| e.id.clone()).collect()
}

/// Check: redfish endpoint insert conflicts are atomic.
pub async fn redfish_endpoint_insert_conflicts_are_atomic(store: Arc<dyn Store>) {
    let e1 = RedfishEndpoint::new(x("x0c0s1b0"), "10.0.0.1");
    let e2 = RedfishEndpoint::new(x("x0c0s0b0"), "bmc2.example.com");
    store.insert_redfish_endpoints(&[e1, e2]).await.unwrap();

    let e3 = RedfishEndpoint::new(x("x0c0s2b0"), "10.0.0.3");
    let dup_id = RedfishEndpoint::new(x("x0c0s0b0"), "10.0.0.9");
    let (value, _) = expect_conflict(
        store.insert_redfish_endpoints(&[e3.clone(), dup_id]).await,
        ConflictKind::Id,
    );
    assert_eq!(value, "x0c0s0b0");
    let dup_fqdn = RedfishEndpoint::new(x("x0c0s3b0"), "10.0.0.1");
    let (value, detail) = expect_conflict(
        store
            .insert_redfish_endpoints(&[e3.clone(), dup_fqdn])
            .await,
        ConflictKind::Fqdn,
    );
    assert_eq!(value, "10.0.0.1");
    assert!(detail.contains("x0c0s1b0"), "{detail}");
    let twin = RedfishEndpoint::new(x("x0c0s2b0"), "10.0.0.33");
    expect_conflict(
        store.insert_redfish_endpoints(&[e3.clone(), twin]).await,
        ConflictKind::Id,
    );
    let not_a_controller = RedfishEndpoint::new(x("x0c0s4b0n0"), "10.0.0.4");
    let (index, _) = expect_invalid(
        store
            .insert_redfish_endpoints(&[e3, not_a_controller])
            .await,
    );
    assert_eq!(index, Some(1));

    let all = store
        .list_redfish_endpoints(&RedfishEndpointFilter::default())
        .await
        .unwrap();
    let listed: Vec<String> = all.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(
        listed,
        ["x0c0s0b0", "x0c0s1b0"],
        "failed batches stored nothing; list sorted by id"
    );
}

/// Check: redfish endpoint put normalizes.
pub async fn redfish_endpoint_put_normalizes(store: Arc<dyn Store>) {
    let mut ep = RedfishEndpoint::new(x("x0c0s0b0"), "bmc1");
    ep.hms_type = HmsType::Cabinet;
    ep.domain = "example.com".into();
    ep.fqdn = String::new();
    ep.discovery_info.last_status = String::new();
    ep.user = "root".into();
    ep.password = "secret".into();
    store.put_redfish_endpoint(&ep).await.unwrap();
    let got = store
        .get_redfish_endpoint(&ep.id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(got.hms_type, HmsType::NodeBMC);
    assert_eq!(got.fqdn, "bmc1.example.com");
    assert_eq!(got.discovery_info.last_status, "NotYetQueried");
    assert_eq!(
        (got.user.as_str(), got.password.as_str()),
        ("root", ""),
        "the password is write-only: reads never carry it"
    );
    let creds = |store: Arc<dyn Store>, id| async move {
        store
            .redfish_credentials(&id)
            .await
            .unwrap()
            .map(|c| (c.user, c.password))
    };
    assert_eq!(
        creds(store.clone(), ep.id).await,
        Some(("root".into(), "secret".into())),
        "credentials are kept for discovery and power control"
    );

    let mut changed = got.clone();
    changed.user = "admin".into();
    changed.enabled = false;
    store.put_redfish_endpoint(&changed).await.unwrap();
    assert_eq!(
        store.get_redfish_endpoint(&ep.id).await.unwrap(),
        Some(changed.clone()),
        "PUT replaces"
    );
    assert_eq!(
        creds(store.clone(), ep.id).await,
        Some(("admin".into(), "secret".into())),
        "a write without a password keeps the stored one"
    );
    changed.password = "changed".into();
    store.put_redfish_endpoint(&changed).await.unwrap();
    assert_eq!(
        creds(store.clone(), ep.id).await,
        Some(("admin".into(), "changed".into())),
        "a write with a password replaces it"
    );
    assert_eq!(creds(store.clone(), x("x0c0s9b0")).await, None);

    let mut other = RedfishEndpoint::new(x("x0c0s1b0"), "bmc1.example.com");
    expect_conflict(store.put_redfish_endpoint(&other).await, ConflictKind::Fqdn);
    other.fqdn = "bmc9".into();
    other.ip_address = "not-an-ip".into();
    expect_invalid(store.put_redfish_endpoint(&other).await);
    assert_eq!(store.get_redfish_endpoint(&other.id).await.unwrap(), None);
}

/// Check: redfish endpoint filters.
pub async fn redfish_endpoint_filters(store: Arc<dyn Store>) {
    let mut node_bmc = RedfishEndpoint::new(x("x0c0s0b0"), "10.0.0.1");
    node_bmc.mac_addr = Some(mac("aa:bb:cc:dd:ee:01"));
    node_bmc.uuid = "u-1".into();
    let chassis_bmc = RedfishEndpoint::new(x("x0c0b0"), "10.0.0.2");
    let mut router_bmc = RedfishEndpoint::new(x("x0c0r0b0"), "10.0.0.3");
    router_bmc.discovery_info.last_status = "HTTPsGetFailed".into();
    store
        .insert_redfish_endpoints(&[router_bmc, node_bmc, chassis_bmc])
        .await
        .unwrap();
    let listed = |f: RedfishEndpointFilter| {
        let store = &store;
        async move {
            let eps = store.list_redfish_endpoints(&f).await.unwrap();
            eps.iter().map(|e| e.id.to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(Default::default()).await,
        ["x0c0b0", "x0c0r0b0", "x0c0s0b0"]
    );
    let f = RedfishEndpointFilter {
        hms_type: vec![HmsType::ChassisBMC, HmsType::RouterBMC],
        ..Default::default()
    };
    assert_eq!(listed(f).await, ["x0c0b0", "x0c0r0b0"]);
    let f = RedfishEndpointFilter {
        fqdn: vec!["10.0.0.1".into(), "10.0.0.3".into()],
        ..Default::default()
    };
    assert_eq!(listed(f).await, ["x0c0r0b0", "x0c0s0b0"]);
    let f = RedfishEndpointFilter {
        mac: vec![mac("AA-BB-CC-DD-EE-01")],
        ..Default::default()
    };
    assert_eq!(listed(f).await, ["x0c0s0b0"]);
    let f = RedfishEndpointFilter {
        uuid: vec!["u-1".into()],
        ip: vec!["10.0.0.1".into()],
        ..Default::default()
    };
    assert_eq!(listed(f).await, ["x0c0s0b0"]);
    let f = RedfishEndpointFilter {
        last_status: vec!["NotYetQueried".into()],
        ..Default::default()
    };
    assert_eq!(listed(f).await, ["x0c0b0", "x0c0s0b0"]);
    let f = RedfishEndpointFilter {
        id: vec![x("x0c0s0b0")],
        hms_type: vec![HmsType::RouterBMC],
        ..Default::default()
    };
    assert_eq!(listed(f).await, Vec::<String>::new(), "fields are AND-ed");
}

/// What deleting Redfish endpoints leaves: no component endpoints, every component but
/// `spared` (which stays `Ready`) `Empty`, all with `Flag=OK`, and all `interfaces`
/// ethernet interfaces still there.
async fn assert_emptied(store: &Arc<dyn Store>, spared: &str, interfaces: usize) {
    assert!(
        store
            .list_component_endpoints(&Default::default())
            .await
            .unwrap()
            .is_empty(),
        "the component endpoints go"
    );
    for c in all_components(store).await {
        let expected = if c.id == x(spared) {
            State::Ready
        } else {
            State::Empty
        };
        assert_eq!(c.state, Some(expected), "{}", c.id);
        assert_eq!(c.flag, Some(Flag::Ok), "{}", c.id);
    }
    assert_eq!(
        ifaces(store, &Default::default()).await.len(),
        interfaces,
        "ethernet interfaces stay"
    );
}

/// Check: redfish endpoint delete cascades.
pub async fn redfish_endpoint_delete_cascades(store: Arc<dyn Store>) {
    store.ingest(&two_nodes(), false).await.unwrap();
    let extra = [
        comp("x1000c0s0b0n5", State::Ready),
        comp("x1000c0s1b0n0", State::Ready),
    ];
    store.upsert_components(&extra, false).await.unwrap();
    let alert = [x("x1000c0s0b0n0")];
    store
        .update_components(&alert, &ComponentUpdate::Flag(Flag::Alert))
        .await
        .unwrap();

    assert!(
        store
            .delete_redfish_endpoint(&x("x1000c0s0b0"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_redfish_endpoint(&x("x1000c0s0b0"))
            .await
            .unwrap()
    );
    assert_eq!(
        store.get_redfish_endpoint(&x("x1000c0s0b0")).await.unwrap(),
        None
    );
    assert_emptied(&store, "x1000c0s1b0n0", 3).await;
}

/// Check: redfish endpoint delete all cascades.
pub async fn redfish_endpoint_delete_all_cascades(store: Arc<dyn Store>) {
    store.ingest(&two_nodes(), false).await.unwrap();
    let second = discovery(
        "x1000c0s1b0",
        "10.0.0.6",
        "aa:bb:cc:00:01:ff",
        &[("aa:bb:cc:00:01:01", "10.1.1.1")],
    );
    store.ingest(&second, false).await.unwrap();
    store
        .upsert_components(&[comp("x2000c0s0b0n0", State::Ready)], false)
        .await
        .unwrap();

    assert_eq!(store.delete_all_redfish_endpoints().await.unwrap(), 2);
    assert!(
        store
            .list_redfish_endpoints(&Default::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_emptied(&store, "x2000c0s0b0n0", 5).await;
    assert_eq!(store.delete_all_redfish_endpoints().await.unwrap(), 0);
}

/// Check: delete all component endpoints and interfaces.
pub async fn delete_all_component_endpoints_and_interfaces(store: Arc<dyn Store>) {
    store.ingest(&two_nodes(), false).await.unwrap();
    let before = all_components(&store).await;
    let n = store
        .list_component_endpoints(&Default::default())
        .await
        .unwrap()
        .len() as u64;
    assert!(n > 0);
    assert_eq!(store.delete_all_component_endpoints().await.unwrap(), n);
    assert!(
        store
            .list_component_endpoints(&Default::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .get_redfish_endpoint(&x("x1000c0s0b0"))
            .await
            .unwrap()
            .is_some(),
        "the Redfish endpoint stays"
    );
    assert_eq!(all_components(&store).await, before, "components stay");
    assert_eq!(store.delete_all_component_endpoints().await.unwrap(), 0);

    assert_eq!(store.delete_all_ethernet_interfaces().await.unwrap(), 3);
    assert!(ifaces(&store, &Default::default()).await.is_empty());
    assert!(
        store
            .find_ethernet_interfaces_by_ip("10.1.0.1")
            .await
            .unwrap()
            .is_empty(),
        "their IPs go too"
    );
    assert_eq!(store.delete_all_ethernet_interfaces().await.unwrap(), 0);
    let again = EthernetInterface::new(mac("aa:bb:cc:00:00:01"), None, []);
    store
        .insert_ethernet_interface(&again)
        .await
        .expect("a deleted MAC is free again");
}

/// Check: ingest stores expanded inventory.
pub async fn ingest_stores_expanded_inventory(store: Arc<dyn Store>) {
    let inv = two_nodes();
    store.ingest(&inv, false).await.unwrap();

    let ep = store
        .get_redfish_endpoint(&x("x1000c0s0b0"))
        .await
        .unwrap()
        .expect("endpoint stored");
    assert_eq!(
        (ep.fqdn.as_str(), ep.discovery_info.last_status.as_str()),
        ("10.0.0.5", "DiscoverOK")
    );
    let comps = all_components(&store).await;
    assert_eq!(comps, inv.components, "components stored as discovered");
    assert_eq!(
        ids(&comps),
        ["x1000c0s0b0", "x1000c0s0b0n0", "x1000c0s0b0n1"]
    );
    let n0 = &comps[1];
    assert_eq!(
        (n0.state, n0.role, n0.nid),
        (Some(State::On), Some(Role::Compute), bogus_nid(&n0.id))
    );
    assert_eq!(comps[0].state, Some(State::Ready));

    let ces = store
        .list_component_endpoints(&ces_of(&[x("x1000c0s0b0")], &[]))
        .await
        .unwrap();
    let mut expected = inv.component_endpoints.clone();
    expected.sort_by_key(|c| c.id);
    assert_eq!(ces, expected);
    assert_eq!(
        store
            .list_component_endpoints(&ces_of(&[], &[HmsType::Node]))
            .await
            .unwrap()
            .len(),
        2
    );

    let all = ifaces(&store, &Default::default()).await;
    assert_eq!(
        iface_ids(&all),
        ["aabbcc000001", "aabbcc000002", "aabbcc0000ff"]
    );
    assert_eq!(all[0].component_id, Some(x("x1000c0s0b0n0")));
    assert_eq!(all[0].hms_type, Some(HmsType::Node));
    assert_eq!(
        all[0].ip_addresses,
        [IpAddressEntry {
            ip_address: "10.1.0.1".into(),
            network: String::new()
        }]
    );
    assert!(
        all[1].ip_addresses.is_empty(),
        "placeholder IPs are not stored"
    );
    assert_eq!(all[2].component_id, Some(x("x1000c0s0b0")));
    for e in &all {
        chrono::DateTime::parse_from_rfc3339(&e.last_update).expect("LastUpdate is RFC 3339");
    }

    assert_eq!(store.list_hardware(None).await.unwrap(), inv.hardware);
    let hw = store
        .get_hardware(&x("x1000c0s0b0n1"))
        .await
        .unwrap()
        .expect("hardware stored");
    assert_eq!(hw.serial_number(), "SN1");
}

/// Check: ingest is idempotent and keeps admin changes.
pub async fn ingest_is_idempotent_and_keeps_admin_changes(store: Arc<dyn Store>) {
    let inv = two_nodes();
    store.ingest(&inv, false).await.unwrap();
    let n0 = x("x1000c0s0b0n0");
    let ready = ComponentUpdate::State {
        state: State::Ready,
        flag: None,
        force: false,
    };
    store.update_components(&[n0], &ready).await.unwrap();
    store
        .update_components(
            &[n0],
            &ComponentUpdate::Role {
                role: Role::Service,
                sub_role: None,
            },
        )
        .await
        .unwrap();
    store.set_nids(&[(n0, 5)]).await.unwrap();
    let comps = all_components(&store).await;
    let before_ifaces = ifaces(&store, &Default::default()).await;
    tokio::time::sleep(Duration::from_millis(5)).await;

    store.ingest(&inv, false).await.unwrap();
    assert_eq!(
        all_components(&store).await,
        comps,
        "re-ingest keeps State, Role and NID"
    );
    assert_eq!(
        ifaces(&store, &Default::default()).await,
        before_ifaces,
        "re-ingest changes no interface, LastUpdate included"
    );
    assert_eq!(
        store
            .list_component_endpoints(&Default::default())
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(store.list_hardware(None).await.unwrap().len(), 2);

    store.ingest(&inv, true).await.unwrap();
    let forced = store.get_component(&n0).await.unwrap().unwrap();
    assert_eq!(
        (forced.state, forced.role, forced.nid),
        (Some(State::On), Some(Role::Compute), bogus_nid(&n0))
    );
}

/// Check: ingest mac conflict is atomic unless forced.
pub async fn ingest_mac_conflict_is_atomic_unless_forced(store: Arc<dyn Store>) {
    store.ingest(&two_nodes(), false).await.unwrap();
    let before = all_components(&store).await;
    let moved = discovery(
        "x1000c0s1b0",
        "10.0.0.6",
        "aa:bb:cc:00:01:ff",
        &[("AA:BB:CC:00:00:01", "10.1.0.9")],
    );
    let (value, detail) =
        expect_conflict(store.ingest(&moved, false).await, ConflictKind::MacAddress);
    assert_eq!(value, "aa:bb:cc:00:00:01");
    assert!(detail.contains("x1000c0s0b0n0"), "{detail}");
    assert_eq!(
        store.get_redfish_endpoint(&x("x1000c0s1b0")).await.unwrap(),
        None,
        "nothing of the ingest is kept"
    );
    assert_eq!(all_components(&store).await, before);
    assert_eq!(
        store
            .get_ethernet_interface(&mac("aa:bb:cc:00:01:ff"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .get_component_endpoint(&x("x1000c0s1b0n0"))
            .await
            .unwrap(),
        None
    );

    store
        .ingest(&moved, true)
        .await
        .expect("force moves the MAC");
    let e = store
        .get_ethernet_interface(&mac("aa:bb:cc:00:00:01"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.component_id, Some(x("x1000c0s1b0n0")));
    assert_eq!(e.ip_addresses[0].ip_address, "10.1.0.9");
}

/// Check: ingest revives emptied components.
pub async fn ingest_revives_emptied_components(store: Arc<dyn Store>) {
    let inv = two_nodes();
    store.ingest(&inv, false).await.unwrap();
    store
        .delete_redfish_endpoint(&x("x1000c0s0b0"))
        .await
        .unwrap();
    store.ingest(&inv, false).await.unwrap();
    let comps = all_components(&store).await;
    let states: Vec<_> = comps.iter().map(|c| (c.state, c.flag)).collect();
    let on = (Some(State::On), Some(Flag::Ok));
    assert_eq!(
        states,
        [(Some(State::Ready), Some(Flag::Ok)), on, on],
        "rediscovered hardware leaves Empty"
    );
    assert_eq!(
        store
            .list_component_endpoints(&Default::default())
            .await
            .unwrap()
            .len(),
        3
    );
}

/// Check: ethernet interface crud and last update.
pub async fn ethernet_interface_crud_and_last_update(store: Arc<dyn Store>) {
    let m = mac("AA-BB-CC-00-00-01");
    let mut e = EthernetInterface::new(m, Some(x("x0c0s0b0n0")), ["10.0.0.1".to_owned()]);
    e.description = "eth0".into();
    store.insert_ethernet_interface(&e).await.unwrap();
    let got = store
        .get_ethernet_interface(&mac("aabbcc000001"))
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        (got.id.as_str(), got.description.as_str()),
        ("aabbcc000001", "eth0")
    );
    assert_eq!(got.hms_type, Some(HmsType::Node));
    let first =
        chrono::DateTime::parse_from_rfc3339(&got.last_update).expect("LastUpdate is RFC 3339");

    let again = EthernetInterface::new(mac("aabb.cc00.0001"), None, []);
    let (value, _) = expect_conflict(
        store.insert_ethernet_interface(&again).await,
        ConflictKind::MacAddress,
    );
    assert_eq!(value, "aa:bb:cc:00:00:01");
    let bad = EthernetInterface::new(mac("aa:bb:cc:00:00:09"), None, ["10.0.0.300".to_owned()]);
    expect_invalid(store.insert_ethernet_interface(&bad).await);

    tokio::time::sleep(Duration::from_millis(5)).await;
    let describe = EthernetInterfacePatch {
        description: Some("boot".into()),
        ..Default::default()
    };
    store.patch_ethernet_interface(&m, &describe).await.unwrap();
    let got = store.get_ethernet_interface(&m).await.unwrap().unwrap();
    assert_eq!(got.description, "boot");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(&got.last_update).unwrap(),
        first,
        "LastUpdate moves only with IPs"
    );

    let new_ip = vec![IpAddressEntry {
        ip_address: "10.0.0.2".into(),
        network: "HMN".into(),
    }];
    let readdress = EthernetInterfacePatch {
        ip_addresses: Some(new_ip.clone()),
        ..Default::default()
    };
    store
        .patch_ethernet_interface(&m, &readdress)
        .await
        .unwrap();
    let got = store.get_ethernet_interface(&m).await.unwrap().unwrap();
    assert_eq!(got.ip_addresses, new_ip);
    assert!(
        chrono::DateTime::parse_from_rfc3339(&got.last_update).unwrap() > first,
        "LastUpdate moved"
    );
    assert_eq!(
        ids_of(
            store
                .find_ethernet_interfaces_by_ip("10.0.0.2")
                .await
                .unwrap()
        ),
        ["aabbcc000001"]
    );
    assert!(
        store
            .find_ethernet_interfaces_by_ip("10.0.0.1")
            .await
            .unwrap()
            .is_empty()
    );

    let rehome = EthernetInterfacePatch {
        component_id: Some(x("x0c0s0b0")),
        ..Default::default()
    };
    store.patch_ethernet_interface(&m, &rehome).await.unwrap();
    let got = store.get_ethernet_interface(&m).await.unwrap().unwrap();
    assert_eq!(
        (got.component_id, got.hms_type),
        (Some(x("x0c0s0b0")), Some(HmsType::NodeBMC))
    );

    let unknown = mac("aa:bb:cc:00:00:ff");
    expect_not_found(
        store.patch_ethernet_interface(&unknown, &describe).await,
        Record::EthernetInterface,
        "aabbcc0000ff",
    );
    assert!(store.delete_ethernet_interface(&m).await.unwrap());
    assert!(!store.delete_ethernet_interface(&m).await.unwrap());
    assert!(
        store
            .find_ethernet_interfaces_by_ip("10.0.0.2")
            .await
            .unwrap()
            .is_empty()
    );
}

fn ids_of(list: Vec<EthernetInterface>) -> Vec<String> {
    iface_ids(&list)
}

/// Check: ethernet interface filters.
pub async fn ethernet_interface_filters(store: Arc<dyn Store>) {
    let entry = |ip: &str, net: &str| IpAddressEntry {
        ip_address: ip.into(),
        network: net.into(),
    };
    let mut m1 = EthernetInterface::new(mac("aa:00:00:00:00:01"), Some(x("x0c0s0b0n0")), []);
    m1.ip_addresses = vec![entry("10.0.0.1", "hmn")];
    let mut m2 = EthernetInterface::new(mac("aa:00:00:00:00:02"), Some(x("x0c0s0b0n1")), []);
    m2.ip_addresses = vec![entry("10.0.0.2", "nmn"), entry("10.1.0.2", "hmn")];
    let m3 = EthernetInterface::new(
        mac("aa:00:00:00:00:03"),
        Some(x("x0c0s0b0")),
        ["10.0.0.3".to_owned()],
    );
    let m4 = EthernetInterface::new(mac("aa:00:00:00:00:04"), None, []);
    for e in [&m3, &m1, &m4, &m2] {
        store.insert_ethernet_interface(e).await.unwrap();
    }
    let s = &store;
    let sel = |f: EthernetInterfaceFilter| async move { iface_ids(&ifaces(s, &f).await) };
    assert_eq!(
        sel(Default::default()).await,
        [
            "aa0000000001",
            "aa0000000002",
            "aa0000000003",
            "aa0000000004"
        ]
    );
    let f = EthernetInterfaceFilter {
        mac: vec![m3.mac_address, m1.mac_address],
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["aa0000000001", "aa0000000003"]);
    let f = EthernetInterfaceFilter {
        ip: vec!["10.1.0.2".parse().unwrap(), "10.9.9.9".parse().unwrap()],
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["aa0000000002"]);
    let f = EthernetInterfaceFilter {
        network: vec!["hmn".into()],
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["aa0000000001", "aa0000000002"]);
    let f = EthernetInterfaceFilter {
        component_id: vec![x("x0c0s0b0n1"), x("x0c0s0b0")],
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["aa0000000002", "aa0000000003"]);
    let f = EthernetInterfaceFilter {
        hms_type: vec![HmsType::NodeBMC],
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["aa0000000003"]);
    let f = EthernetInterfaceFilter {
        hms_type: vec![HmsType::Node],
        network: vec!["nmn".into()],
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["aa0000000002"]);
    let f = EthernetInterfaceFilter {
        ip: vec!["10.0.0.1".parse().unwrap()],
        component_id: vec![x("x0c0s0b0n1")],
        ..Default::default()
    };
    assert_eq!(sel(f).await, Vec::<String>::new(), "fields are AND-ed");
}

/// Check: component endpoints and hardware.
pub async fn component_endpoints_and_hardware(store: Arc<dyn Store>) {
    store.ingest(&two_nodes(), false).await.unwrap();
    let bmc = x("x1000c0s0b0");
    assert_eq!(
        store
            .list_component_endpoints(&ces_of(&[bmc], &[HmsType::NodeBMC]))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .list_component_endpoints(&ces_of(&[x("x1000c0s1b0")], &[]))
            .await
            .unwrap()
            .is_empty()
    );
    let ce = store
        .get_component_endpoint(&x("x1000c0s0b0n1"))
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        (ce.redfish_type.as_str(), ce.redfish_endpoint_id),
        ("ComputerSystem", bmc)
    );
    assert!(store.delete_component_endpoint(&ce.id).await.unwrap());
    assert!(!store.delete_component_endpoint(&ce.id).await.unwrap());
    assert_eq!(
        store
            .list_component_endpoints(&ces_of(&[bmc], &[]))
            .await
            .unwrap()
            .len(),
        2
    );

    let record = |id: &str, serial: &str| {
        HardwareRecord::populated(
            x(id),
            ochami_core::LocationInfo::Node(Default::default()),
            format!("Acme-{serial}"),
            ochami_core::FruInfo::Node(ochami_core::NodeFruInfo {
                serial_number: serial.into(),
                ..Default::default()
            }),
        )
    };
    store
        .put_hardware(&[record("x0c0s0b0n1", "B"), record("x0c0s0b0n0", "A")])
        .await
        .unwrap();
    store
        .put_hardware(&[record("x0c0s0b0n0", "C")])
        .await
        .unwrap();
    let listed = store.list_hardware(Some(HmsType::Node)).await.unwrap();
    let names: Vec<String> = listed
        .iter()
        .map(|h| format!("{} {}", h.id, h.serial_number()))
        .collect();
    assert_eq!(
        names,
        [
            "x0c0s0b0n0 C",
            "x0c0s0b0n1 B",
            "x1000c0s0b0n0 SN0",
            "x1000c0s0b0n1 SN1"
        ],
        "put_hardware replaces by location; sorted"
    );
    assert!(
        store
            .list_hardware(Some(HmsType::NodeBMC))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.delete_hardware(&x("x0c0s0b0n0")).await.unwrap());
    assert!(!store.delete_hardware(&x("x0c0s0b0n0")).await.unwrap());
    assert_eq!(store.get_hardware(&x("x0c0s0b0n0")).await.unwrap(), None);
}

/// Check: component endpoint filters: ids, Redfish endpoints and types OR-ed within a key,
/// AND-ed across keys; `redfish_type` ignores case.
pub async fn component_endpoint_filters(store: Arc<dyn Store>) {
    store.ingest(&two_nodes(), false).await.unwrap();
    let other = discovery(
        "x1000c0s1b0",
        "10.0.0.6",
        "aa:bb:cc:00:01:ff",
        &[("aa:bb:cc:00:01:01", "10.1.1.1")],
    );
    store.ingest(&other, false).await.unwrap();
    let s = &store;
    let sel = |f: ComponentEndpointFilter| async move {
        let found = s.list_component_endpoints(&f).await.expect("list");
        found.iter().map(|c| c.id.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(
        sel(Default::default()).await,
        [
            "x1000c0s0b0",
            "x1000c0s0b0n0",
            "x1000c0s0b0n1",
            "x1000c0s1b0",
            "x1000c0s1b0n0"
        ]
    );
    let f = ces_of(&[x("x1000c0s1b0"), x("x1000c0s0b0")], &[HmsType::NodeBMC]);
    assert_eq!(sel(f).await, ["x1000c0s0b0", "x1000c0s1b0"]);
    let f = ComponentEndpointFilter {
        id: vec![x("x1000c0s0b0n1"), x("x1000c0s1b0n0"), x("x9c0s0b0n0")],
        redfish_ep: vec![x("x1000c0s1b0")],
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["x1000c0s1b0n0"]);
    let f = ComponentEndpointFilter {
        redfish_type: vec!["computersystem".into(), "Nonsense".into()],
        ..Default::default()
    };
    assert_eq!(
        sel(f).await,
        ["x1000c0s0b0n0", "x1000c0s0b0n1", "x1000c0s1b0n0"]
    );
    let f = ComponentEndpointFilter {
        redfish_type: vec!["MANAGER".into()],
        hms_type: vec![HmsType::Node],
        ..Default::default()
    };
    assert_eq!(sel(f).await, Vec::<String>::new(), "keys are AND-ed");
}

/// Check: ethernet interface `LastUpdate` bounds are strict, in any offset, and combine
/// with the other keys in the one query.
pub async fn ethernet_interface_time_bounds(store: Arc<dyn Store>) {
    let first = EthernetInterface::new(mac("aa:00:00:00:00:01"), Some(x("x0c0s0b0n0")), []);
    store.insert_ethernet_interface(&first).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = EthernetInterface::new(
        mac("aa:00:00:00:00:02"),
        Some(x("x0c0s0b0n1")),
        ["10.0.0.2".to_owned()],
    );
    store.insert_ethernet_interface(&second).await.unwrap();
    let all = ifaces(&store, &Default::default()).await;
    let stamp = |i: usize| -> ochami_core::Timestamp {
        all[i].last_update.parse().expect("LastUpdate is RFC 3339")
    };
    let (t1, t2) = (stamp(0), stamp(1));
    assert!(t1 < t2, "{t1} < {t2}");
    let s = &store;
    let sel = |f: EthernetInterfaceFilter| async move { iface_ids(&ifaces(s, &f).await) };
    let at = |t: ochami_core::Timestamp| Some(t);
    let f = EthernetInterfaceFilter {
        older_than: at(t2),
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["aa0000000001"], "olderthan is strict");
    let f = EthernetInterfaceFilter {
        newer_than: at(t1),
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["aa0000000002"], "newerthan is strict");
    let f = EthernetInterfaceFilter {
        newer_than: at(t1),
        older_than: at(t2),
        ..Default::default()
    };
    assert_eq!(sel(f).await, Vec::<String>::new());
    // The same instant written with an offset.
    let shifted = |t: ochami_core::Timestamp| -> ochami_core::Timestamp {
        let utc = t.to_utc_micros(false);
        let hour: u32 = utc[11..13].parse().unwrap();
        let text = if hour < 22 {
            format!("{}{:02}{}+02:00", &utc[..11], hour + 2, &utc[13..26])
        } else {
            format!("{}{:02}{}-02:00", &utc[..11], hour - 2, &utc[13..26])
        };
        text.parse().expect("shifted time")
    };
    // Same-day shifts only: a date change is covered by the core unit tests.
    let f = EthernetInterfaceFilter {
        older_than: Some(shifted(t2)),
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["aa0000000001"]);
    let f = EthernetInterfaceFilter {
        newer_than: Some("2000-01-01T00:00:00Z".parse().unwrap()),
        ip: vec!["10.0.0.2".parse().unwrap()],
        ..Default::default()
    };
    assert_eq!(sel(f).await, ["aa0000000002"]);
    let f = EthernetInterfaceFilter {
        older_than: Some("2000-01-01T00:00:00Z".parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(sel(f).await, Vec::<String>::new());
}
