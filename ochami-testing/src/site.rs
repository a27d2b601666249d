//! A populated site for snapshot tests and benches: `n` nodes, each with its BMC (a Redfish
//! endpoint with a password), a NIC with an IP, hardware, boot parameters of its own and
//! cloud-init data, plus shared and exclusive groups, a partition, a `Compute` boot tag,
//! access history, cluster defaults and a boot-service configuration. Every record kind a snapshot holds is present.

use std::sync::Arc;

use ochami_core::cloud_init::{ClusterDefaults, GroupData, NodeData};
use ochami_core::ingest::Inventory;
use ochami_core::{
    BootConfiguration, BootConfigurationSpec, BootOrigin, BootParams, Component, ComponentEndpoint,
    EthernetInterface, Group, HardwareRecord, MacAddr, Members, Partition, RedfishEndpoint, Role,
    State, Xname,
};
use ochami_store::{EndpointAccess, Store};
use serde_json::json;

type BoxResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The xname of node `i` (`i` below 100,000): 16 nodes per chassis slot pair.
pub fn node_xname(i: usize) -> Xname {
    let cab = 1000 + i / 4096;
    let chassis = (i / 512) % 8;
    let slot = (i / 8) % 64;
    let bmc = (i / 2) % 4;
    let node = i % 2;
    format!("x{cab}c{chassis}s{slot}b{bmc}n{node}")
        .parse()
        .expect("generated xnames are valid")
}

/// The MAC of node `i`'s NIC.
pub fn node_mac(i: usize) -> MacAddr {
    let b = (i as u32).to_be_bytes();
    format!("02:00:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3])
        .parse()
        .expect("generated MACs are valid")
}

/// The IP of node `i`'s NIC.
pub fn node_ip(i: usize) -> String {
    format!("10.{}.{}.{}", 100 + i / 65536, (i / 256) % 256, i % 256)
}

/// Fill `store` with a site of `n` nodes (see the module docs), in bulk writes of 1,000.
pub async fn seed(store: &Arc<dyn Store>, n: usize) -> BoxResult<()> {
    let ids: Vec<Xname> = (0..n).map(node_xname).collect();
    let comps: Vec<Component> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            Component::new(*id)
                .with_state(State::Ready)
                .with_role(Role::Compute)
                .with_nid(i as i64 + 1)
        })
        .collect();
    for chunk in comps.chunks(1000) {
        store.upsert_components(chunk, false).await?;
    }
    let mut bmcs: Vec<Xname> = ids.iter().filter_map(|id| id.parent()).collect();
    bmcs.sort_unstable();
    bmcs.dedup();
    let endpoints: Vec<RedfishEndpoint> = bmcs
        .iter()
        .map(|b| {
            let mut ep = RedfishEndpoint::new(*b, &format!("{b}.bmc.example"));
            ep.user = "root".into();
            ep.password = "s3cret-bmc".into();
            ep
        })
        .collect();
    for chunk in endpoints.chunks(1000) {
        store.insert_redfish_endpoints(chunk).await?;
    }
    let hw: Vec<HardwareRecord> = ids
        .iter()
        .take(64)
        .map(|id| {
            serde_json::from_value(
                json!({"ID": id.to_string(), "Type": "Node", "Status": "Populated"}),
            )
        })
        .collect::<Result<_, _>>()?;
    store.put_hardware(&hw).await?;
    let ces: Vec<ComponentEndpoint> = ids
        .iter()
        .take(16)
        .filter_map(|id| Some((id, id.parent()?)))
        .map(|(id, bmc)| {
            serde_json::from_value(json!({
                "ID": id.to_string(),
                "Type": "Node",
                "RedfishType": "ComputerSystem",
                "RedfishSubtype": "Physical",
                "OdataID": "/redfish/v1/Systems/Node0",
                "RedfishEndpointID": bmc.to_string(),
            }))
        })
        .collect::<Result<_, _>>()?;
    let inventory = Inventory {
        component_endpoints: ces,
        ..Default::default()
    };
    store.ingest(&inventory, false).await?;
    for (i, id) in ids.iter().enumerate() {
        let nic = EthernetInterface::new(node_mac(i), Some(*id), [node_ip(i)]);
        store.insert_ethernet_interface(&nic).await?;
        let boot = BootParams {
            hosts: vec![id.to_string()],
            kernel: "http://boot.example/vmlinuz".into(),
            initrd: "http://boot.example/initrd.img".into(),
            params: format!("console=ttyS0 nid={}", i + 1),
            ..Default::default()
        };
        store.set_boot_params(&boot).await?;
        let data = NodeData {
            id: Some(*id),
            user_data: Some(format!("hostname: nid{:06}\n", i + 1)),
            ..Default::default()
        };
        store.put_node_data(id, &data).await?;
    }
    store
        .set_boot_params(&BootParams {
            hosts: vec!["Compute".into()],
            kernel: "http://boot.example/compute/vmlinuz".into(),
            initrd: "http://boot.example/compute/initrd.img".into(),
            params: "console=ttyS0".into(),
            ..Default::default()
        })
        .await?;
    store
        .create_boot_configuration(&BootConfiguration {
            uid: "bootconfiguration-5173c0de".into(),
            name: "compute-group".into(),
            origin: BootOrigin::BootService,
            spec: BootConfigurationSpec {
                groups: vec!["compute".into()],
                hosts: vec!["x1000c0s*".into()],
                kernel: "http://boot.example/group/vmlinuz".into(),
                priority: 5,
                ..Default::default()
            },
            cloud_init: Default::default(),
            labels: [("site".to_owned(), "test".to_owned())].into(),
            annotations: Default::default(),
            created_at: Some("2026-01-02T03:04:05Z".into()),
            updated_at: Some("2026-01-02T03:04:05Z".into()),
        })
        .await?;
    let half = ids.len().div_ceil(2);
    store
        .create_group(&Group {
            label: "compute".into(),
            description: "all compute nodes".into(),
            exclusive_group: String::new(),
            tags: vec!["hpc".into()],
            members: Members { ids: ids.clone() },
        })
        .await?;
    for (label, members) in [("blue", &ids[..half]), ("green", &ids[half..])] {
        store
            .create_group(&Group {
                label: label.into(),
                description: String::new(),
                exclusive_group: "colour".into(),
                tags: Vec::new(),
                members: Members {
                    ids: members.to_vec(),
                },
            })
            .await?;
    }
    store
        .create_partition(&Partition {
            name: "p1".into(),
            description: "first half".into(),
            tags: Vec::new(),
            members: Members {
                ids: ids[..half].to_vec(),
            },
        })
        .await?;
    store
        .put_group_data(&GroupData {
            name: "compute".into(),
            meta_data: serde_json::from_value(json!({"syslog": "10.0.0.1"}))?,
            ..Default::default()
        })
        .await?;
    store
        .put_cluster_defaults(&ClusterDefaults {
            cluster_name: "demo".into(),
            ..Default::default()
        })
        .await?;
    let accesses: Vec<EndpointAccess> = ids
        .iter()
        .take(16)
        .map(|id| EndpointAccess {
            name: id.to_string(),
            endpoint: "bootscript".into(),
            last_epoch: 1_700_000_000,
        })
        .collect();
    store.record_accesses(&accesses).await?;
    Ok(())
}
