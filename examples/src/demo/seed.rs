//! What the demo stores besides discovered inventory: boot parameters (a `Default` plus one
//! node-specific override), an SMD group `compute` holding every node, its cloud-init group
//! data and the cluster defaults.
//!
//! Every write replaces what a previous run stored under the same names, so running the
//! demo twice on one store gives the same result.

use ochami_core::cloud_init::{CloudConfigFile, ClusterDefaults, GroupData};
use ochami_core::{BootParams, Group, Members, Xname};
use ochami_store::{Store, StoreError};

/// The SMD group (and cloud-init group) holding every demo node.
pub(crate) const GROUP: &str = "compute";
/// The demo's cluster name (cloud-init host names start with its first two letters).
pub(crate) const CLUSTER: &str = "demo";

/// Kernel of the `Default` boot parameters.
pub(crate) const KERNEL: &str = "http://boot.demo.example/images/compute/vmlinuz";
/// Initrd of the `Default` boot parameters.
pub(crate) const INITRD: &str = "http://boot.demo.example/images/compute/initrd.img";
/// Kernel command line of the `Default` boot parameters.
pub(crate) const PARAMS: &str =
    "console=ttyS0,115200 ip=dhcp root=live:http://boot.demo.example/images/compute/rootfs";
/// Kernel command line of the node-specific override.
pub(crate) const OVERRIDE_PARAMS: &str =
    "console=ttyS0,115200 ip=dhcp root=live:http://boot.demo.example/images/debug/rootfs rd.debug";

/// Boot parameters: `Default` for every node, and an override for `special`.
pub(crate) async fn boot_params(store: &dyn Store, special: Xname) -> Result<(), StoreError> {
    let default = BootParams {
        hosts: vec!["Default".into()],
        kernel: KERNEL.into(),
        initrd: INITRD.into(),
        params: PARAMS.into(),
        ..BootParams::default()
    };
    store.set_boot_params(&default).await?;
    let special = BootParams {
        hosts: vec![special.to_string()],
        kernel: KERNEL.replace("compute", "debug"),
        initrd: INITRD.replace("compute", "debug"),
        params: OVERRIDE_PARAMS.into(),
        ..BootParams::default()
    };
    store.set_boot_params(&special).await
}

/// The `compute` group with exactly `nodes`, its cloud-init data and the cluster defaults.
pub(crate) async fn cloud_init(store: &dyn Store, nodes: &[Xname]) -> Result<(), StoreError> {
    if store.get_group(GROUP).await?.is_some() {
        store.replace_group_members(GROUP, nodes).await?;
    } else {
        let group = Group {
            label: GROUP.into(),
            description: "Every node the demo discovered".into(),
            exclusive_group: String::new(),
            tags: Vec::new(),
            members: Members {
                ids: nodes.to_vec(),
            },
        };
        store.create_group(&group).await?;
    }
    let mut meta = serde_json::Map::new();
    meta.insert("syslog_aggregator".into(), "10.100.0.250".into());
    meta.insert("ntp_server".into(), "10.100.0.251".into());
    let data = GroupData {
        name: GROUP.into(),
        description: "Compute nodes of the demo".into(),
        meta_data: Some(meta),
        file: CloudConfigFile {
            content: "#cloud-config\npackages:\n  - chrony\nruncmd:\n  - echo 'booted by ochami demo' > /etc/motd\n".into(),
            filename: "compute.yaml".into(),
            encoding: String::new(),
        },
        ..GroupData::default()
    };
    store.put_group_data(&data).await?;
    let defaults = ClusterDefaults {
        cluster_name: CLUSTER.into(),
        cloud_provider: "ochami-demo".into(),
        region: "lab".into(),
        ..ClusterDefaults::default()
    };
    store.put_cluster_defaults(&defaults).await
}
