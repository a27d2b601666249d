//! cloud-init NoCloud documents, as OpenCHAMI's cloud-init server serves them:
//! `meta-data`, `user-data`, `vendor-data` and the per-group `<group>.yaml`.
//!
//! A node is found by the IP it asks from ([`node_for_ip`]: ethernet interfaces by IP, then
//! their `ComponentID`) or named explicitly (impersonation). SMD group membership links a
//! node to its groups' data: vendor-data includes each group's document and meta-data carries
//! each group's meta-data under `instance_data.v1.vendor_data.groups.<group>`.
//!
//! # Differences from upstream
//!
//! * `instance-id`, unless instance info sets one, is `i-` + the 64-bit FNV-1a hash of the
//!   xname in hex ([`instance_id`]): the same for a node across requests, restarts and
//!   backends (upstream's memory store keeps a random one until restart; its DuckDB store
//!   invents a new one per request).
//! * Instance info overrides the cluster defaults for `cluster-name`, `region`,
//!   `availability_zone` and `cloud_provider` as it already does for host names.
//! * The generated host name falls back to the xname when there is no prefix (no `short-name`
//!   and no `cluster-name`) or no NID, instead of a bare number.
//! * `user-data` is `#cloud-config` followed by the node's own user-data when stored.
//! * vendor-data lists only groups whose stored file is not empty (as OpenCHAMI's
//!   metadata-service does), and `cloud_init_base_url` falls back to the server's URL.
//! * A group document whose content does not start with a `#` header (`#cloud-config`,
//!   `## template: jinja`, `#!` scripts) gets `#cloud-config` prepended.
//! * YAML is written by a small emitter that quotes every string that could be read as
//!   something else, so no stored value can change a document's structure.

mod base64;
mod v02;
mod yaml;

pub use v02::{meta_data_v02, network_config, vendor_data_v02};

use std::net::IpAddr;

use askama::Template;
use ochami_core::cloud_init::{ClusterDefaults, InstanceInfo};
use ochami_core::{Group, Xname};
use serde_json::Value;

use crate::options::check_url;
use crate::{BootError, BootOptions, BootSource, Result};
use yaml::Yaml;

/// The header of a cloud-config document.
pub const CLOUD_CONFIG: &str = "#cloud-config";

/// The node that owns an IP address: the first ethernet interface (by id) holding `ip` that
/// names a component. `None` when no interface has it.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use ochami_core::EthernetInterface;
/// let store = ochami_store::open("memory:").await?;
/// let x = "x1000c0s0b0n0".parse()?;
/// store.insert_ethernet_interface(&EthernetInterface::new("aa:bb:cc:dd:ee:01".parse()?, Some(x), ["10.0.0.5".to_owned()])).await?;
/// assert_eq!(ochami_boot::node_for_ip(&*store, "10.0.0.5".parse()?).await?, Some(x));
/// assert_eq!(ochami_boot::node_for_ip(&*store, "10.0.0.6".parse()?).await?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub async fn node_for_ip(store: &(impl BootSource + ?Sized), ip: IpAddr) -> Result<Option<Xname>> {
    let mut ifaces = store.interfaces_with_ip(ip).await?;
    ifaces.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(ifaces.into_iter().find_map(|i| i.component_id))
}

/// A node's stable default instance id: `i-` + the FNV-1a 64-bit hash of its xname, in hex.
///
/// ```
/// let x = "x1000c0s0b0n0".parse()?;
/// assert_eq!(ochami_boot::instance_id(&x), ochami_boot::instance_id(&x));
/// assert_eq!(ochami_boot::instance_id(&x).len(), 18);
/// # Ok::<(), ochami_core::XnameError>(())
/// ```
pub fn instance_id(xname: &Xname) -> String {
    format!("i-{:016x}", fnv1a64(xname.to_string().as_bytes()))
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The widest NID padding honoured, so a stray `nid-length` cannot build a huge name.
const MAX_NID_LENGTH: usize = 20;

/// cloud-init's generated host name: `<short name><NID zero-padded to nid-length>`, where the
/// short name is the cluster's `short-name`, else the first two characters of the cluster
/// name, and nid-length defaults to 4 (cluster `demo`, NID 7: `de0007`). The xname when
/// there is no short name or no NID.
pub fn generated_hostname(
    cluster: &ClusterDefaults,
    cluster_name: &str,
    xname: &Xname,
    nid: Option<i64>,
) -> String {
    let short: String = if cluster.short_name.is_empty() {
        cluster_name.chars().take(2).collect()
    } else {
        cluster.short_name.clone()
    };
    match nid {
        Some(n) if !short.is_empty() => {
            let width = cluster
                .nid_length
                .map_or(4, |w| (w as usize).min(MAX_NID_LENGTH));
            format!("{short}{n:0width$}")
        }
        _ => xname.to_string(),
    }
}

fn or<'a>(first: &'a str, second: &'a str) -> &'a str {
    if first.is_empty() { second } else { first }
}

/// The base URL of vendor-data includes: instance info's `cloud-init-base-url`, else the
/// cluster's `base-url`, else [`BootOptions::cloud_init_url`]; without a trailing `/`.
fn base_url<'a>(
    info: &'a InstanceInfo,
    cluster: &'a ClusterDefaults,
    opts: &'a BootOptions,
) -> Option<&'a str> {
    let configured = or(&info.cloud_init_base_url, &cluster.base_url);
    let url = if configured.is_empty() {
        opts.cloud_init_url.as_deref()?
    } else {
        configured
    };
    Some(url.trim_end_matches('/'))
}

/// The node's SMD group labels (none when it is in no group or unknown).
async fn group_labels(store: &(impl BootSource + ?Sized), node: &Xname) -> Result<Vec<String>> {
    store.group_labels(node).await
}

/// `meta-data` for a node (YAML): the keys of OpenCHAMI cloud-init's `generateMetaData`.
///
/// ```yaml
/// instance-id: i-…
/// local-hostname: de0001
/// hostname: de0001
/// cluster-name: demo
/// instance_data:
///   v1:
///     availability_zone: …       # each of these only when set
///     instance_id: i-…
///     instance_type: …
///     region: …
///     local_ipv4: 172.16.0.1     # the node's first interface IP
///     cloud_provider: …
///     public_keys: [cluster keys, then the node's]
///     vendor_data:
///       version: "1.0"
///       cloud_init_base_url: …
///       cluster_name: demo
///       groups:
///         compute:
///           Description: compute nodes   # or "No description Found"
///           syslog_aggregator: …         # the group's meta-data keys
/// ```
///
/// [`BootError::NodeNotFound`] when the node is not in the inventory.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use ochami_core::{Component, State};
/// let store = ochami_store::open("memory:").await?;
/// let x = "x1000c0s0b0n0".parse()?;
/// store.upsert_components(&[Component::new(x).with_state(State::Ready).with_nid(7)], false).await?;
/// let md = ochami_boot::meta_data(&*store, &x, &ochami_boot::BootOptions::default()).await?;
/// assert!(md.starts_with("instance-id: i-"));
/// assert!(md.contains("\nlocal-hostname: x1000c0s0b0n0\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub async fn meta_data(
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
    let mut ifaces = store.interfaces_of(node).await?;
    ifaces.sort_by(|a, b| a.id.cmp(&b.id));
    let local_ipv4 = ifaces
        .iter()
        .flat_map(|i| &i.ip_addresses)
        .map(|a| a.ip_address.as_str())
        .next();

    let mut groups = Vec::new();
    for label in group_labels(store, node).await? {
        let data = store.group_data(&label).await?;
        let description = data.as_ref().map_or("", |d| d.description.as_str());
        let mut entry = serde_json::Map::new();
        entry.insert(
            "Description".into(),
            Value::String(or(description, "No description Found").to_owned()),
        );
        if let Some(meta) = data.and_then(|d| d.meta_data) {
            entry.extend(meta);
        }
        groups.push((label, Yaml::Json(Value::Object(entry))));
    }

    let cluster_name = or(&info.cluster_name, &cluster.cluster_name);
    let hostname = generated_hostname(&cluster, cluster_name, node, component.nid);
    let id = if info.instance_id.is_empty() {
        instance_id(node)
    } else {
        info.instance_id.clone()
    };
    let public_keys: Vec<Yaml> = cluster
        .public_keys
        .iter()
        .chain(&info.public_keys)
        .map(Yaml::str)
        .collect();
    let base = base_url(&info, &cluster, opts).unwrap_or_default();

    let mut v1 = Vec::new();
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
    opt("instance_type", &info.instance_type);
    opt("region", or(&info.region, &cluster.region));
    opt("local_ipv4", local_ipv4.unwrap_or_default());
    opt(
        "cloud_provider",
        or(&info.cloud_provider, &cluster.cloud_provider),
    );
    if !public_keys.is_empty() {
        v1.push(("public_keys".into(), Yaml::List(public_keys)));
    }
    let mut vendor = vec![("version".to_owned(), Yaml::str("1.0"))];
    if !base.is_empty() {
        vendor.push(("cloud_init_base_url".into(), Yaml::str(base)));
    }
    if !cluster_name.is_empty() {
        vendor.push(("cluster_name".into(), Yaml::str(cluster_name)));
    }
    vendor.push(("groups".into(), Yaml::Map(groups)));
    v1.push(("vendor_data".into(), Yaml::Map(vendor)));

    Ok(yaml::to_document(&[
        ("instance-id".into(), Yaml::str(id.clone())),
        (
            "local-hostname".into(),
            Yaml::str(or(&info.local_hostname, &hostname)),
        ),
        ("hostname".into(), Yaml::str(or(&info.hostname, &hostname))),
        ("cluster-name".into(), Yaml::str(cluster_name)),
        (
            "instance_data".into(),
            Yaml::Map(vec![("v1".into(), Yaml::Map(v1))]),
        ),
    ]))
}

/// `user-data` for a node: `#cloud-config`, followed on the next line by the node's own
/// stored user-data when there is some (unless that already starts with the header).
/// Upstream always answers the bare header.
pub async fn user_data(store: &(impl BootSource + ?Sized), node: &Xname) -> Result<String> {
    let own = store
        .node_data(node)
        .await?
        .and_then(|d| d.user_data)
        .filter(|u| !u.trim().is_empty());
    Ok(match own {
        Some(u) if u.starts_with(CLOUD_CONFIG) => u,
        Some(u) => format!("{CLOUD_CONFIG}\n{u}"),
        None => CLOUD_CONFIG.to_owned(),
    })
}

/// [`user_data`] for a node named by an administrator rather than found by its address
/// (`/cloud-init/admin/impersonation/{id}/user-data`): the node must be a known component,
/// [`BootError::NodeNotFound`] otherwise.
pub async fn user_data_of_component(
    store: &(impl BootSource + ?Sized),
    node: &Xname,
) -> Result<String> {
    store
        .component(node)
        .await?
        .ok_or(BootError::NodeNotFound(*node))?;
    user_data(store, node).await
}

#[derive(Template)]
#[template(path = "vendor-data.yaml")]
struct VendorData<'a> {
    base: &'a str,
    groups: &'a [String],
}

/// `vendor-data` for a node: `#include`, then `<base url>/<group>.yaml` for each of its
/// groups whose stored cloud-config file is not empty. The base URL is the node's instance
/// info `cloud-init-base-url`, else the cluster's `base-url`, else
/// [`BootOptions::cloud_init_url`] ([`BootError::NoCloudInitUrl`] when none is set).
pub async fn vendor_data(
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
    let base = base_url(&info, &cluster, opts).ok_or(BootError::NoCloudInitUrl)?;
    check_url("base-url", base)?;
    let mut groups = Vec::new();
    for label in group_labels(store, node).await? {
        // Labels are normalized on write; one that is not cannot go into a URL line.
        let Ok(label) = Group::normalize_label(&label) else {
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
        base,
        groups: &groups,
    }
    .render()
    .map_err(|e| BootError::Render(e.to_string()))
}

/// The document `<group>.yaml` for a node: the group's stored file (base64-decoded when its
/// encoding is `base64`), with `#cloud-config` prepended when it has no `#` header; the bare
/// `#cloud-config` when the group has no data. [`BootError::NotInGroup`] when the node is
/// not a member (upstream answers 404 too), [`BootError::InvalidParam`] for a malformed
/// group name, [`BootError::BadGroupFile`] for undecodable content.
pub async fn group_document(
    store: &(impl BootSource + ?Sized),
    node: &Xname,
    group: &str,
) -> Result<String> {
    let label = Group::normalize_label(group)
        .map_err(|e| BootError::param("group", group, e.to_string()))?;
    if !group_labels(store, node).await?.contains(&label) {
        return Err(BootError::NotInGroup {
            node: *node,
            group: label,
        });
    }
    let Some(data) = store.group_data(&label).await? else {
        return Ok(CLOUD_CONFIG.to_owned());
    };
    let bad = |reason: String| BootError::BadGroupFile {
        group: label.clone(),
        reason,
    };
    let content = if data.file.encoding == "base64" {
        let bytes = base64::decode(&data.file.content).map_err(bad)?;
        String::from_utf8(bytes).map_err(|_| bad("decoded content is not UTF-8 text".to_owned()))?
    } else {
        data.file.content
    };
    Ok(if content.trim().is_empty() {
        CLOUD_CONFIG.to_owned()
    } else if content.starts_with('#') {
        content
    } else {
        format!("{CLOUD_CONFIG}\n{content}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        let x: Xname = "x1000c0s0b0n0".parse().unwrap();
        let mut c = ClusterDefaults::default();
        assert_eq!(generated_hostname(&c, "demo", &x, Some(7)), "de0007");
        assert_eq!(generated_hostname(&c, "", &x, Some(7)), "x1000c0s0b0n0");
        assert_eq!(generated_hostname(&c, "demo", &x, None), "x1000c0s0b0n0");
        c.short_name = "nid".into();
        c.nid_length = Some(6);
        assert_eq!(generated_hostname(&c, "demo", &x, Some(12)), "nid000012");
        c.nid_length = Some(u32::MAX);
        assert_eq!(
            generated_hostname(&c, "demo", &x, Some(1)).len(),
            3 + MAX_NID_LENGTH
        );
        c.nid_length = Some(0);
        assert_eq!(generated_hostname(&c, "demo", &x, Some(12)), "nid12");
    }

    #[test]
    fn instance_ids_are_fnv1a_of_the_xname() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
        // Pinned: a node's instance id must never change between releases.
        let x: Xname = "X1000C0S0B0N0".parse().unwrap();
        assert_eq!(instance_id(&x), "i-8831332fe42290f2");
    }
}
