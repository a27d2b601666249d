//! OpenCHAMI cloud-init records (`OpenCHAMI/cloud-init` `cistore` models), their rules
//! (what a node's record defaults to, when instance info counts as set), and metadata-service
//! v0.2's spec view of them ([`spec`]).

use serde::{Deserialize, Serialize};

use crate::{BodyId, Error, Xname};

pub mod spec;

pub use spec::{DefaultsSpec, GroupSpec, InstanceSpec, resource_name};

/// A file carried inside group data (`file`): `content` is plain text unless `encoding` is
/// `base64`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CloudConfigFile {
    /// The file text.
    #[serde(default)]
    pub content: String,
    /// File name.
    #[serde(default)]
    pub filename: String,
    /// `base64` or `plain`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub encoding: String,
}

/// Per-group cloud-init data (`/cloud-init/admin/groups`).
///
/// ```
/// let g: ochami_core::cloud_init::GroupData = serde_json::from_str(
///     r#"{"name":"compute","meta-data":{"syslog":"10.0.0.1"},"file":{"content":"packages: [vim]","filename":"compute.yaml"}}"#)?;
/// assert_eq!(g.meta_data.unwrap()["syslog"], "10.0.0.1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GroupData {
    /// Group name (required).
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Meta-data exposed to nodes under `vendor_data.groups.<name>`.
    #[serde(rename = "meta-data", default, skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<serde_json::Map<String, serde_json::Value>>,
    /// The group's cloud-config file.
    #[serde(default)]
    pub file: CloudConfigFile,
    /// Versions.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub versions: std::collections::BTreeMap<String, String>,
}

impl GroupData {
    /// Check the name (`name is required`; same charset as SMD group labels) and lower-case it.
    pub fn normalize(&mut self) -> Result<(), Error> {
        if self.name.trim().is_empty() {
            return Err(Error::MissingField { field: "name" });
        }
        self.name = crate::groups::normalize_label(&self.name)?;
        if !matches!(self.file.encoding.as_str(), "" | "plain" | "base64") {
            return Err(Error::invalid(
                "file.encoding",
                self.file.encoding.clone(),
                "base64 or plain",
            ));
        }
        Ok(())
    }
}

/// Per-node instance information (`PUT /cloud-init/admin/instance-info/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InstanceInfo {
    /// The node (an xname).
    pub id: String,
    /// Instance id; generated stably when empty.
    #[serde(rename = "instance-id", default)]
    pub instance_id: String,
    /// Local host name.
    #[serde(
        rename = "local-hostname",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub local_hostname: String,
    /// Host name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hostname: String,
    /// Cluster name.
    #[serde(
        rename = "cluster-name",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub cluster_name: String,
    /// Region.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// Availability zone.
    #[serde(
        rename = "availability-zone",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub availability_zone: String,
    /// Cloud provider.
    #[serde(
        rename = "cloud-provider",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub cloud_provider: String,
    /// Instance type.
    #[serde(
        rename = "instance-type",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub instance_type: String,
    /// cloud-init base URL.
    #[serde(
        rename = "cloud-init-base-url",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub cloud_init_base_url: String,
    /// SSH public keys.
    #[serde(rename = "public-keys", default, skip_serializing_if = "Vec::is_empty")]
    pub public_keys: Vec<String>,
}

/// Per-node cloud-init data: instance information plus the node's own user-data.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NodeData {
    /// The node.
    pub id: Option<Xname>,
    /// Instance information.
    #[serde(rename = "instance-info", default)]
    pub instance_info: InstanceInfo,
    /// Node-specific `#cloud-config` user-data (YAML text without the header), if any.
    #[serde(rename = "user-data", default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
}

/// Cluster-wide defaults (`/cloud-init/admin/cluster-defaults`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClusterDefaults {
    /// Cloud provider.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cloud_provider: String,
    /// Region.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// Availability zone.
    #[serde(
        rename = "availability-zone",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub availability_zone: String,
    /// Cluster name.
    #[serde(
        rename = "cluster-name",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub cluster_name: String,
    /// Keys prepended to every node's keys.
    #[serde(rename = "public-keys", default, skip_serializing_if = "Vec::is_empty")]
    pub public_keys: Vec<String>,
    /// Base URL for vendor-data includes.
    #[serde(rename = "base-url", default, skip_serializing_if = "String::is_empty")]
    pub base_url: String,
    /// Boot subnet.
    #[serde(
        rename = "boot-subnet",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub boot_subnet: String,
    /// WireGuard subnet.
    #[serde(
        rename = "wg-subnet",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub wg_subnet: String,
    /// Host name prefix.
    #[serde(
        rename = "short-name",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub short_name: String,
    /// Host name NID width.
    #[serde(
        rename = "nid-length",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub nid_length: Option<u32>,
}

impl InstanceInfo {
    /// Whether anything is set beyond the node's own id: metadata-service lists a node's
    /// instance info only then.
    pub fn is_set_for(&self, node: &Xname) -> bool {
        *self != InstanceInfo::default()
            && *self
                != (InstanceInfo {
                    id: node.to_string(),
                    ..InstanceInfo::default()
                })
    }
}

impl NodeData {
    /// The record stored for `node` from a `PUT /cloud-init/admin/node-data/{id}` body: an
    /// `id` in the body must name `node` ([`BodyId::CLOUD_INIT_NODE`]), and an empty
    /// instance id in the instance info defaults to the node's xname.
    ///
    /// ```
    /// use ochami_core::cloud_init::NodeData;
    /// let node = "x0c0s0b0n0".parse()?;
    /// let data = NodeData::default().for_node(&node)?;
    /// assert_eq!(data.id, Some(node));
    /// assert_eq!(data.instance_info.id, "x0c0s0b0n0");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_node(mut self, node: &Xname) -> Result<Self, Error> {
        BodyId::CLOUD_INIT_NODE.check(node, self.id.as_ref())?;
        self.id = Some(*node);
        if self.instance_info.id.is_empty() {
            self.instance_info.id = node.to_string();
        }
        Ok(self)
    }

    /// What removing the node's instance info leaves: the record with its instance info
    /// reset to the node's id when the node keeps user-data of its own, `None` (delete the
    /// record) when it has none.
    pub fn without_instance_info(self, node: &Xname) -> Option<Self> {
        let keeps = self
            .user_data
            .as_deref()
            .is_some_and(|u| !u.trim().is_empty());
        keeps.then(|| NodeData {
            instance_info: InstanceInfo {
                id: node.to_string(),
                ..InstanceInfo::default()
            },
            ..self
        })
    }
}

impl ClusterDefaults {
    /// Whether any default is set (metadata-service has no defaults resource until then).
    pub fn is_set(&self) -> bool {
        *self != ClusterDefaults::default()
    }
}
