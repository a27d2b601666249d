//! metadata-service v0.2's `spec` of its three resources over the cloud-init records:
//! [`DefaultsSpec`] (`ClusterDefaults`), [`GroupSpec`] (`Group`) and [`InstanceSpec`]
//! (`InstanceInfo`). Keys use underscores (`base_url`, `cluster_name`); an unknown key is
//! refused. Each spec converts from its record for reading and carries the rules a write
//! must pass ([`Error::InvalidResource`], shown by the server as `validation failed: ...`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ClusterDefaults, GroupData, InstanceInfo, NodeData};
use crate::{Error, Result, Xname};

/// `ClusterDefaults.spec`.
///
/// ```
/// use ochami_core::cloud_init::{ClusterDefaults, DefaultsSpec};
/// let spec: DefaultsSpec = serde_json::from_str(r#"{"base_url":"ftp://x","cluster_name":"c"}"#)?;
/// let e = spec.apply_to(&mut ClusterDefaults::default()).unwrap_err();
/// assert_eq!(e.to_string(), "spec.base_url must be an http:// or https:// URL");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultsSpec {
    /// Base URL for vendor-data includes (required, http or https).
    #[serde(default)]
    pub base_url: String,
    /// Cloud provider.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cloud_provider: String,
    /// Region.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// Availability zone.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub availability_zone: String,
    /// Cluster name (required).
    #[serde(default)]
    pub cluster_name: String,
    /// Host name prefix.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub short_name: String,
    /// Host name NID width, 0 to 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nid_length: Option<u32>,
    /// Keys prepended to every node's keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_keys: Vec<String>,
}

impl From<&ClusterDefaults> for DefaultsSpec {
    fn from(d: &ClusterDefaults) -> Self {
        DefaultsSpec {
            base_url: d.base_url.clone(),
            cloud_provider: d.cloud_provider.clone(),
            region: d.region.clone(),
            availability_zone: d.availability_zone.clone(),
            cluster_name: d.cluster_name.clone(),
            short_name: d.short_name.clone(),
            nid_length: d.nid_length,
            public_keys: d.public_keys.clone(),
        }
    }
}

impl DefaultsSpec {
    /// Check the spec (an http(s) `base_url`, a `cluster_name`, `nid_length` at most 10) and
    /// write its keys over `defaults`, keeping the keys the spec does not have.
    pub fn apply_to(self, defaults: &mut ClusterDefaults) -> Result<()> {
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(Error::InvalidResource(
                "spec.base_url must be an http:// or https:// URL",
            ));
        }
        if self.cluster_name.trim().is_empty() {
            return Err(Error::InvalidResource("spec.cluster_name is required"));
        }
        if self.nid_length.is_some_and(|n| n > 10) {
            return Err(Error::InvalidResource(
                "spec.nid_length must be from 0 to 10",
            ));
        }
        defaults.base_url = self.base_url;
        defaults.cloud_provider = self.cloud_provider;
        defaults.region = self.region;
        defaults.availability_zone = self.availability_zone;
        defaults.cluster_name = self.cluster_name;
        defaults.short_name = self.short_name;
        defaults.nid_length = self.nid_length;
        defaults.public_keys = self.public_keys;
        Ok(())
    }
}

/// `Group.spec`: `template` is the group's cloud-config file, `metaData` its meta-data
/// (string values), `osVersion` the `osVersion` version entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The cloud-config file's text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub template: String,
    /// Meta-data; non-string values read back as their JSON text.
    #[serde(
        rename = "metaData",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub meta_data: BTreeMap<String, String>,
    /// OS version.
    #[serde(
        rename = "osVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub os_version: String,
}

impl From<&GroupData> for GroupSpec {
    fn from(g: &GroupData) -> Self {
        GroupSpec {
            description: g.description.clone(),
            template: g.file.content.clone(),
            meta_data: g
                .meta_data
                .iter()
                .flatten()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect(),
            os_version: g.versions.get("osVersion").cloned().unwrap_or_default(),
        }
    }
}

impl GroupSpec {
    /// The group data named `name`, normalized as the store keeps it
    /// ([`GroupData::normalize`]), so its `name` is the one the resource's uid is made of.
    /// Empty meta-data and an empty `osVersion` are left out.
    ///
    /// ```
    /// use ochami_core::cloud_init::GroupSpec;
    /// let g = GroupSpec { os_version: "9".into(), ..GroupSpec::default() }.into_group_data("Compute")?;
    /// assert_eq!(g.name, "compute");
    /// assert_eq!(g.versions["osVersion"], "9");
    /// assert!(g.meta_data.is_none());
    /// # Ok::<(), ochami_core::Error>(())
    /// ```
    pub fn into_group_data(self, name: &str) -> Result<GroupData> {
        let mut g = GroupData {
            name: name.to_owned(),
            description: self.description,
            meta_data: (!self.meta_data.is_empty()).then(|| {
                self.meta_data
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect()
            }),
            ..GroupData::default()
        };
        g.file.content = self.template;
        if !self.os_version.is_empty() {
            g.versions.insert("osVersion".into(), self.os_version);
        }
        g.normalize()?;
        Ok(g)
    }
}

/// `InstanceInfo.spec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceSpec {
    /// Instance id (required).
    #[serde(default)]
    pub instance_id: String,
    /// Local host name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub local_hostname: String,
    /// Host name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hostname: String,
    /// cloud-init base URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cloud_init_base_url: String,
    /// SSH public keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_keys: Vec<String>,
}

impl From<&InstanceInfo> for InstanceSpec {
    fn from(i: &InstanceInfo) -> Self {
        InstanceSpec {
            instance_id: i.instance_id.clone(),
            local_hostname: i.local_hostname.clone(),
            hostname: i.hostname.clone(),
            cloud_init_base_url: i.cloud_init_base_url.clone(),
            public_keys: i.public_keys.clone(),
        }
    }
}

impl InstanceSpec {
    /// The spec when it has an `instance_id`.
    pub fn checked(self) -> Result<Self> {
        if self.instance_id.trim().is_empty() {
            return Err(Error::InvalidResource("spec.instance_id is required"));
        }
        Ok(self)
    }

    /// `node`'s instance info with this spec's keys written over what `current` holds (the
    /// other keys kept). With `create`, a node whose instance info already has an instance
    /// id is [`Error::Exists`].
    ///
    /// ```
    /// use ochami_core::cloud_init::{InstanceInfo, InstanceSpec, NodeData};
    /// let node = "x0c0s0b0n0".parse()?;
    /// let spec = InstanceSpec { instance_id: "i-1".into(), ..InstanceSpec::default() };
    /// let taken = NodeData {
    ///     instance_info: InstanceInfo { instance_id: "i-0".into(), ..InstanceInfo::default() },
    ///     ..NodeData::default()
    /// };
    /// let e = spec.clone().instance_info(Some(taken.clone()), &node, true).unwrap_err();
    /// assert_eq!(e.to_string(), "instance info for x0c0s0b0n0 exists (uid instanceinfo-x0c0s0b0n0)");
    /// assert_eq!(spec.instance_info(Some(taken), &node, false)?.instance_id, "i-1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn instance_info(
        self,
        current: Option<NodeData>,
        node: &Xname,
        create: bool,
    ) -> Result<InstanceInfo> {
        let mut info = current.map(|d| d.instance_info).unwrap_or_default();
        if create && !info.instance_id.is_empty() {
            return Err(Error::Exists {
                what: format!("instance info for {node}"),
                uid: format!("instanceinfo-{node}"),
            });
        }
        info.instance_id = self.instance_id;
        info.local_hostname = self.local_hostname;
        info.hostname = self.hostname;
        info.cloud_init_base_url = self.cloud_init_base_url;
        info.public_keys = self.public_keys;
        Ok(info)
    }
}

/// The name a write of a named resource (a group, an instance info) stores under: on `PUT`
/// the key of the uid in the URL (`uid_key`), which a `metadata.name` in the body may repeat
/// but not change; on `POST` the body's `metadata.name`. Either way it is required.
///
/// ```
/// use ochami_core::cloud_init::resource_name;
/// assert_eq!(resource_name(Some("compute"), "")?, "compute");
/// assert_eq!(resource_name(None, "compute")?, "compute");
/// let e = resource_name(Some("compute"), "io").unwrap_err();
/// assert_eq!(e.to_string(), "metadata.name cannot change (it is the uid)");
/// assert_eq!(resource_name(None, " ").unwrap_err().to_string(), "metadata.name is required");
/// # Ok::<(), ochami_core::Error>(())
/// ```
pub fn resource_name(uid_key: Option<&str>, body_name: &str) -> Result<String> {
    let name = match uid_key {
        Some(key) if !body_name.is_empty() && body_name != key => {
            return Err(Error::InvalidResource(
                "metadata.name cannot change (it is the uid)",
            ));
        }
        Some(key) => key,
        None => body_name,
    };
    if name.trim().is_empty() {
        return Err(Error::InvalidResource("metadata.name is required"));
    }
    Ok(name.to_owned())
}
