//! Checks that need more than one fresh store: concurrent writers on one database and
//! persistence across a reopen. Backends call these directly (see the module docs of
//! `conformance`).

use std::future::Future;
use std::sync::Arc;

use ochami_core::cloud_init::{ClusterDefaults, GroupData, NodeData};
use ochami_core::{
    BootParams, Component, ComponentEndpoint, EthernetInterface, Group, HardwareRecord, Partition,
    RedfishEndpoint, Role, State, Xname,
};
use ochami_store::{ComponentUpdate, EndpointAccess, Store};

use super::components::{group, partition};
use super::{all_components, comp, x};

const WRITES: usize = 200;

/// `x1000c0s<i/4>b0n<i%4>`, distinct for every `i` below `WRITES`.
fn node_id(cabinet: u32, i: usize) -> Xname {
    x(&format!("x{cabinet}c0s{}b0n{}", i / 4, i % 4))
}

/// Two handles on the same database (for the memory backend, the same store twice) write
/// concurrently: each of four tasks makes `WRITES` single-row writes, on rows the others
/// write too (different fields of one component) and on rows of their own. Every write must
/// succeed and none may be lost.
pub async fn check_concurrent_writers(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let base: Vec<Component> = (0..WRITES)
        .map(|i| Component::new(node_id(1000, i)).with_state(State::On))
        .collect();
    a.upsert_components(&base, false)
        .await
        .expect("seed components");
    let ids: Arc<Vec<Xname>> = Arc::new(base.iter().map(|c| c.id).collect());

    let mut tasks = tokio::task::JoinSet::new();
    let (s, v) = (a.clone(), ids.clone());
    tasks.spawn(async move {
        for id in v.iter() {
            s.update_components(
                &[*id],
                &ComponentUpdate::Role {
                    role: Role::Service,
                    sub_role: None,
                },
            )
            .await?;
        }
        Ok::<_, ochami_store::StoreError>(())
    });
    let (s, v) = (b.clone(), ids.clone());
    tasks.spawn(async move {
        for (i, id) in v.iter().enumerate() {
            s.update_components(&[*id], &ComponentUpdate::SoftwareStatus(format!("sw-{i}")))
                .await?;
        }
        Ok(())
    });
    let (s, v) = (a.clone(), ids.clone());
    tasks.spawn(async move {
        for (i, id) in v.iter().enumerate() {
            s.set_nids(&[(*id, 100_000 + i as i64)]).await?;
            let ready = ComponentUpdate::State {
                state: State::Ready,
                flag: None,
                force: false,
            };
            s.update_components(&[*id], &ready).await?;
        }
        Ok(())
    });
    let s = b.clone();
    tasks.spawn(async move {
        for i in 0..WRITES {
            s.upsert_components(&[comp(&node_id(2000, i).to_string(), State::Off)], false)
                .await?;
        }
        Ok(())
    });
    while let Some(done) = tasks.join_next().await {
        done.expect("writer task panicked")
            .expect("a concurrent write failed");
    }

    for (i, id) in ids.iter().enumerate() {
        let c = a
            .get_component(id)
            .await
            .unwrap()
            .expect("seeded component");
        assert_eq!(c.role, Some(Role::Service), "{id}: role update lost");
        assert_eq!(
            c.software_status,
            Some(format!("sw-{i}")),
            "{id}: software status update lost"
        );
        assert_eq!(c.nid, Some(100_000 + i as i64), "{id}: NID update lost");
        assert_eq!(c.state, Some(State::Ready), "{id}: state update lost");
    }
    let from_b = b
        .list_components(&super::filter(&[("state", "Off")]))
        .await
        .unwrap();
    assert_eq!(from_b.len(), WRITES, "upserts lost");
    assert_eq!(all_components(&a).await.len(), 2 * WRITES);
}

/// Everything a store holds, read through the traits.
#[derive(Debug, PartialEq)]
struct Snapshot {
    components: Vec<Component>,
    endpoints: Vec<RedfishEndpoint>,
    component_endpoints: Vec<ComponentEndpoint>,
    ifaces: Vec<EthernetInterface>,
    hardware: Vec<HardwareRecord>,
    groups: Vec<Group>,
    partitions: Vec<Partition>,
    boot: Vec<BootParams>,
    access: Vec<EndpointAccess>,
    group_data: Vec<GroupData>,
    node_data: Option<NodeData>,
    defaults: ClusterDefaults,
}

async fn snapshot(s: &Arc<dyn Store>) -> Snapshot {
    Snapshot {
        components: all_components(s).await,
        endpoints: s.list_redfish_endpoints(&Default::default()).await.unwrap(),
        component_endpoints: s
            .list_component_endpoints(&Default::default())
            .await
            .unwrap(),
        ifaces: s
            .list_ethernet_interfaces(&Default::default())
            .await
            .unwrap(),
        hardware: s.list_hardware(None).await.unwrap(),
        groups: s
            .list_groups(&ochami_core::GroupFilter::default())
            .await
            .unwrap(),
        partitions: s
            .list_partitions(&ochami_core::GroupFilter::default())
            .await
            .unwrap(),
        boot: s.list_boot_params(&BootParams::default()).await.unwrap(),
        access: s.list_access(None, None).await.unwrap(),
        group_data: s.list_group_data().await.unwrap(),
        node_data: s.get_node_data(&x("x1000c0s0b0n0")).await.unwrap(),
        defaults: s.get_cluster_defaults().await.unwrap(),
    }
}

/// Write one of everything, drop the store, open the same database again and read it all
/// back unchanged. `open` must return a handle on the same database each time.
pub async fn check_reopen<F, Fut>(open: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    let s = open().await;
    s.ingest(&super::inventory::two_nodes(), false)
        .await
        .unwrap();
    s.upsert_components(
        &[comp("x1000c0s1b0n0", State::Ready)
            .with_role(Role::Compute)
            .with_nid(7)],
        false,
    )
    .await
    .unwrap();
    s.create_group(&group("compute", "", &["x1000c0s0b0n0", "x1000c0s1b0n0"]))
        .await
        .unwrap();
    s.create_partition(&partition("p1", &["x1000c0s0b0n1"]))
        .await
        .unwrap();
    let mut boot = BootParams {
        hosts: vec!["x1000c0s0b0n0".into(), "Default".into()],
        ..Default::default()
    };
    boot.kernel = "http://s3/kernel".into();
    boot.cloud_init.meta_data = Some(serde_json::json!({"k": [1, 2]}));
    s.set_boot_params(&boot).await.unwrap();
    s.record_access(&EndpointAccess {
        name: "x1000c0s0b0n0".into(),
        endpoint: "bootscript".into(),
        last_epoch: 42,
    })
    .await
    .unwrap();
    let gd = GroupData {
        name: "compute".into(),
        ..Default::default()
    };
    s.put_group_data(&gd).await.unwrap();
    s.put_node_data(
        &x("x1000c0s0b0n0"),
        &NodeData {
            user_data: Some("runcmd: []".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    s.put_cluster_defaults(&ClusterDefaults {
        cluster_name: "demo".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let before = snapshot(&s).await;
    assert_eq!(before.components.len(), 4);
    drop(s);

    let reopened = open().await;
    assert_eq!(
        snapshot(&reopened).await,
        before,
        "everything survives a reopen"
    );
}
