//! The NoCloud documents in OpenCHAMI v0.2's metadata-service shape (served under
//! `/metadata-service`), from the same cloud-init data as the older `/cloud-init` ones:
//!
//! * [`meta_data_v02`]: `instance-id` defaults to the xname (not `i-<hash>`), `cloud_name`,
//!   `local_hostname` and `hostname` are filled, and `vendor_data` carries the node's `nid`,
//!   `role`, boot `mac`, `interfaces` and `groups` (each with `description` and its
//!   meta-data keys).
//! * [`vendor_data_v02`]: `#include` and one `<base>/<group>.yaml` per group with a
//!   document, `<base>` being the instance's `cloud-init-base-url`, else the cluster's
//!   `base-url`, else the server's `/metadata-service`.
//! * [`network_config`]: NoCloud network config version 1, one `physical` entry per
//!   interface (`eth<i>` in interface order) with a static `/24` (IPv4) or `/64` (IPv6)
//!   subnet per address, as upstream; an interface without an address gets `dhcp` (upstream
//!   writes an empty address).
//! * `user-data` ends with a newline (`#cloud-config\n`); `<group>.yaml` is
//!   [`super::group_document`].

use ochami_core::{EthernetInterface, Xname};
use serde_json::Value;

use super::yaml::{self, Yaml};
use super::{VendorData, generated_hostname, or};
use crate::options::check_url;
use crate::{BootError, BootOptions, BootSource, Result};
use askama::Template;

/// The network name whose interface is the boot interface when a node has several.
const BOOT_NETWORK: &str = "HMN";

/// A node's interfaces in id order.
async fn interfaces(
    store: &(impl BootSource + ?Sized),
    node: &Xname,
) -> Result<Vec<EthernetInterface>> {
    let mut ifaces = store.interfaces_of(node).await?;
    ifaces.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(ifaces)
}

/// The boot interface: the first on the `HMN` network, else the first.
fn boot_interface(ifaces: &[EthernetInterface]) -> Option<&EthernetInterface> {
    ifaces
        .iter()
        .find(|i| i.ip_addresses.iter().any(|a| a.network == BOOT_NETWORK))
        .or_else(|| ifaces.first())
}

/// `meta-data` in metadata-service's shape (see the module docs).
/// [`BootError::NodeNotFound`] when the node is not in the inventory.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use ochami_core::{Component, State};
/// let store = ochami_store::open("memory:").await?;
/// let x = "x1000c0s0b0n0".parse()?;
/// store.upsert_components(&[Component::new(x).with_state(State::Ready).with_nid(7)], false).await?;
/// let md = ochami_boot::meta_data_v02(&*store, &x, &ochami_boot::BootOptions::default()).await?;
/// assert!(md.starts_with("instance-id: x1000c0s0b0n0\n"));
/// assert!(md.contains("      nid: 7\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub async fn meta_data_v02(
    store: &(impl BootSource + ?Sized),
    node: &Xname,
    opts: &BootOptions,
) -> Result<String> {
    let component = store
        .component(node)
        .await?
        .ok_or(BootError::NodeNotFound(*node))?;
    let info = store
        .node_data(node)
        .await?
        .map(|d| d.instance_info)
        .unwrap_or_default();
    let cluster = store.cluster_defaults().await?;
    let ifaces = interfaces(store, node).await?;
    let boot = boot_interface(&ifaces);
    let local_ipv4 = boot
        .and_then(|i| i.ip_addresses.first())
        .map(|a| a.ip_address.as_str())
        .unwrap_or_default();

    let mut groups = Vec::new();
    for label in store.group_labels(node).await? {
        let data = store.group_data(&label).await?;
        let mut entry = vec![(
            "description".to_owned(),
            Yaml::str(data.as_ref().map_or("", |d| d.description.as_str())),
        )];
        if let Some(meta) = data.and_then(|d| d.meta_data) {
            entry.extend(
                meta.into_iter()
                    .filter(|(k, _)| k != "description")
                    .map(|(k, v)| (k, Yaml::Json(v))),
            );
        }
        groups.push((label, Yaml::Map(entry)));
    }

    let cluster_name = or(&info.cluster_name, &cluster.cluster_name);
    let generated = generated_hostname(&cluster, cluster_name, node, component.nid);
    let id = or(&info.instance_id, "").to_owned();
    let id = if id.is_empty() { node.to_string() } else { id };
    let local_hostname = or(&info.local_hostname, &generated).to_owned();
    let hostname = or(&info.hostname, &generated).to_owned();
    let public_keys: Vec<Yaml> = cluster
        .public_keys
        .iter()
        .chain(&info.public_keys)
        .map(Yaml::str)
        .collect();
    let base = base_url(&info.cloud_init_base_url, &cluster.base_url, opts).unwrap_or_default();

    let mut v1 = vec![("cloud_name".to_owned(), Yaml::str("OpenCHAMI"))];
    let mut opt = |key: &str, value: &str| {
        if !value.is_empty() {
            v1.push((key.to_owned(), Yaml::str(value)));
        }
    };
    opt(
        "availability_zone",
        or(&info.availability_zone, &cluster.availability_zone),
    );
    opt("instance_id", &id);
    opt("local_hostname", &local_hostname);
    opt("region", or(&info.region, &cluster.region));
    opt("hostname", &hostname);
    opt("local_ipv4", local_ipv4);
    opt(
        "cloud_provider",
        or(&info.cloud_provider, &cluster.cloud_provider),
    );
    v1.push(("public_keys".into(), Yaml::List(public_keys)));

    let mut vendor = vec![("version".to_owned(), Yaml::str("1.0"))];
    if !base.is_empty() {
        vendor.push(("cloud_init_base_url".into(), Yaml::str(base.clone())));
    }
    if !cluster_name.is_empty() {
        vendor.push(("cluster_name".into(), Yaml::str(cluster_name)));
    }
    if let Some(nid) = component.nid {
        vendor.push(("nid".into(), Yaml::Json(Value::from(nid))));
    }
    if let Some(role) = component.role {
        vendor.push(("role".into(), Yaml::str(role.to_string())));
    }
    if let Some(b) = boot {
        vendor.push(("mac".into(), Yaml::str(b.mac_address.to_string())));
    }
    let ifaces_yaml: Vec<Yaml> = ifaces
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let first = i.ip_addresses.first();
            Yaml::Map(vec![
                ("name".into(), Yaml::str(format!("eth{n}"))),
                ("mac".into(), Yaml::str(i.mac_address.to_string())),
                (
                    "ip".into(),
                    Yaml::str(first.map_or("", |a| a.ip_address.as_str())),
                ),
                (
                    "network".into(),
                    Yaml::str(first.map_or("", |a| a.network.as_str())),
                ),
                ("description".into(), Yaml::str(i.description.clone())),
                ("enabled".into(), Yaml::Json(Value::Bool(true))),
            ])
        })
        .collect();
    vendor.push(("interfaces".into(), Yaml::List(ifaces_yaml)));
    vendor.push(("groups".into(), Yaml::Map(groups)));
    v1.push(("vendor_data".into(), Yaml::Map(vendor)));

    Ok(yaml::to_document(&[
        ("instance-id".into(), Yaml::str(id)),
        ("local-hostname".into(), Yaml::str(local_hostname)),
        ("hostname".into(), Yaml::str(hostname)),
        ("cluster-name".into(), Yaml::str(cluster_name)),
        (
            "instance_data".into(),
            Yaml::Map(vec![("v1".into(), Yaml::Map(v1))]),
        ),
    ]))
}

/// The metadata-service base: configured (instance, then cluster), else the server's
/// `/metadata-service` next to [`BootOptions::cloud_init_url`]; no trailing `/`.
fn base_url(instance: &str, cluster: &str, opts: &BootOptions) -> Option<String> {
    let configured = or(instance, cluster);
    if !configured.is_empty() {
        return Some(configured.trim_end_matches('/').to_owned());
    }
    let ci = opts.cloud_init_url.as_deref()?.trim_end_matches('/');
    let server = ci.strip_suffix("/cloud-init").unwrap_or(ci);
    Some(format!("{server}/metadata-service"))
}

/// `vendor-data` in metadata-service's shape (see the module docs).
pub async fn vendor_data_v02(
    store: &(impl BootSource + ?Sized),
    node: &Xname,
    opts: &BootOptions,
) -> Result<String> {
    let info = store
        .node_data(node)
        .await?
        .map(|d| d.instance_info)
        .unwrap_or_default();
    let cluster = store.cluster_defaults().await?;
    let base = base_url(&info.cloud_init_base_url, &cluster.base_url, opts)
        .ok_or(BootError::NoCloudInitUrl)?;
    check_url("base_url", &base)?;
    let mut groups = Vec::new();
    for label in store.group_labels(node).await? {
        let Ok(label) = ochami_core::Group::normalize_label(&label) else {
            continue;
        };
        let has_file = store
            .group_data(&label)
            .await?
            .is_some_and(|g| !g.file.content.trim().is_empty());
        if has_file {
            groups.push(label);
        }
    }
    VendorData {
        base: &base,
        groups: &groups,
    }
    .render()
    .map_err(|e| BootError::Render(e.to_string()))
}

/// `network-config`: NoCloud network config version 1 (see the module docs).
pub async fn network_config(store: &(impl BootSource + ?Sized), node: &Xname) -> Result<String> {
    let ifaces = interfaces(store, node).await?;
    let config: Vec<Yaml> = ifaces
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let subnets: Vec<Yaml> = if i.ip_addresses.is_empty() {
                vec![Yaml::Map(vec![("type".into(), Yaml::str("dhcp"))])]
            } else {
                i.ip_addresses
                    .iter()
                    .map(|a| {
                        let prefix = if a.ip_address.contains(':') { 64 } else { 24 };
                        Yaml::Map(vec![
                            ("type".into(), Yaml::str("static")),
                            (
                                "address".into(),
                                Yaml::str(format!("{}/{prefix}", a.ip_address)),
                            ),
                        ])
                    })
                    .collect()
            };
            Yaml::Map(vec![
                ("type".into(), Yaml::str("physical")),
                ("name".into(), Yaml::str(format!("eth{n}"))),
                ("mac_address".into(), Yaml::str(i.mac_address.to_string())),
                ("description".into(), Yaml::str(i.description.clone())),
                ("subnets".into(), Yaml::List(subnets)),
            ])
        })
        .collect();
    Ok(yaml::to_document(&[
        ("version".into(), Yaml::Json(Value::from(1))),
        ("config".into(), Yaml::List(config)),
    ]))
}
