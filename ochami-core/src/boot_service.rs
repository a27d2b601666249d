//! The rules of OpenCHAMI v0.2's boot-service resources, so that its HTTP handlers only
//! parse and serialize: a [`BootConfiguration`] created, replaced or patched through it
//! (BSS rows are read-only there), its `Node` resource ([`BootNodeSpec`]), a view of an
//! SMD node component with its interfaces and group memberships, and the address its `Bmc`
//! resource shows ([`RedfishEndpoint::shown_ip`]).
//!
//! ```
//! use ochami_core::{BootConfiguration, BootConfigurationSpec, Error};
//! let spec = || -> Result<_, Error> {
//!     Ok(BootConfigurationSpec { kernel: "http://s/vmlinuz".into(), ..Default::default() })
//! };
//! let now = "2026-01-01T00:00:00Z".to_owned();
//! let c = BootConfiguration::create(
//!     "bootconfiguration-1".into(), "compute".into(), spec, Default::default(),
//!     Default::default(), now.clone())?;
//! assert_eq!(c.created_at.as_deref(), Some("2026-01-01T00:00:00Z"));
//! let nameless = BootConfiguration::create(
//!     "bootconfiguration-2".into(), " ".into(), spec, Default::default(),
//!     Default::default(), now);
//! assert_eq!(nameless.unwrap_err().to_string(), "metadata.name is required");
//! # Ok::<(), Error>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    BodyId, BootConfiguration, BootConfigurationSpec, BootOrigin, CloudInit, Component, Error,
    EthernetInterface, HmsType, Membership, RedfishEndpoint, Role, State, SubRole, Xname,
};

/// Labels or annotations of a resource.
type Tags = BTreeMap<String, String>;

/// The annotation that marks a configuration written through BSS.
const WRITTEN_THROUGH: &str = "ochami.io/written-through";

impl BootConfiguration {
    /// A new configuration written through boot-service. `name` is required and checked
    /// before `spec` is read (a nameless body is refused for its name first); the spec is
    /// then normalized ([`BootConfigurationSpec::normalize`]).
    pub fn create<E: From<Error>>(
        uid: String,
        name: String,
        spec: impl FnOnce() -> Result<BootConfigurationSpec, E>,
        labels: Tags,
        annotations: Tags,
        now: String,
    ) -> Result<Self, E> {
        if name.trim().is_empty() {
            return Err(Error::InvalidResource("metadata.name is required").into());
        }
        let mut spec = spec()?;
        spec.normalize()?;
        Ok(BootConfiguration {
            uid,
            name,
            origin: BootOrigin::BootService,
            spec,
            cloud_init: CloudInit::default(),
            labels,
            annotations,
            created_at: Some(now.clone()),
            updated_at: Some(now),
        })
    }

    /// Whether boot-service may rewrite it: a BSS row keeps BSS's per-name semantics and is
    /// changed through `/boot/v1/bootparameters` ([`Error::WrittenThroughBss`]).
    pub fn check_writable(&self) -> Result<(), Error> {
        match &self.origin {
            BootOrigin::Bss(_) => Err(Error::WrittenThroughBss {
                uid: self.uid.clone(),
            }),
            BootOrigin::BootService => Ok(()),
        }
    }

    /// boot-service's `PUT`: a new spec (read once the configuration is known writable,
    /// then normalized), the name when one is given, labels and annotations added.
    pub fn replace<E: From<Error>>(
        &mut self,
        name: String,
        spec: impl FnOnce() -> Result<BootConfigurationSpec, E>,
        labels: Tags,
        annotations: Tags,
        now: String,
    ) -> Result<(), E> {
        self.check_writable()?;
        self.replace_spec(spec()?, now)?;
        if !name.trim().is_empty() {
            self.name = name;
        }
        self.labels.extend(labels);
        self.annotations.extend(annotations);
        Ok(())
    }

    /// boot-service's `PATCH`: the patched spec, normalized, on a writable configuration.
    pub fn replace_spec(
        &mut self,
        mut spec: BootConfigurationSpec,
        now: String,
    ) -> Result<(), Error> {
        self.check_writable()?;
        spec.normalize()?;
        self.spec = spec;
        self.updated_at = Some(now);
        Ok(())
    }

    /// Its annotations as boot-service shows them: a BSS row also carries
    /// `ochami.io/written-through: bss`.
    pub fn shown_annotations(&self) -> Tags {
        let mut shown = self.annotations.clone();
        if let BootOrigin::Bss(_) = self.origin {
            shown.insert(WRITTEN_THROUGH.into(), "bss".into());
        }
        shown
    }
}

impl RedfishEndpoint {
    /// The address boot-service's `Bmc` resource shows: `IPAddress`, else `FQDN`.
    pub fn shown_ip(&self) -> &str {
        if self.ip_address.is_empty() {
            &self.fqdn
        } else {
            &self.ip_address
        }
    }
}

/// boot-service's `Node.spec`: an SMD node component (`nid`, `role`, `subRole`), its
/// ethernet interfaces (the first by id is the `bootMac`) and its group labels. Unknown keys
/// are refused when read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootNodeSpec {
    /// The node's xname, as received (checked by [`BootNodeSpec::xname`]).
    pub xname: String,
    /// Its NID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nid: Option<i64>,
    /// The MAC of its first interface (shown; ignored when written).
    #[serde(rename = "bootMac", default, skip_serializing_if = "String::is_empty")]
    pub boot_mac: String,
    /// SMD role (`Compute`, ...), empty for none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub role: String,
    /// SMD sub-role, empty for none.
    #[serde(rename = "subRole", default, skip_serializing_if = "String::is_empty")]
    pub sub_role: String,
    /// Accepted and never stored (SMD has no hostname).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hostname: String,
    /// Its ethernet interfaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<BootNodeInterface>,
    /// The labels of its SMD groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

/// One interface of a [`BootNodeSpec`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootNodeInterface {
    /// MAC address, any accepted form.
    #[serde(default)]
    pub mac: String,
    /// Its first IP address.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ip: String,
    /// The network of that address.
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
}

/// What a [`BootNodeSpec`] writes to the inventory ([`BootNodeSpec::records`]).
#[derive(Debug, Clone)]
pub struct BootNodeRecords {
    /// The node's component.
    pub component: Component,
    /// Its interfaces (added when new; a MAC of another component is a conflict).
    pub interfaces: Vec<EthernetInterface>,
    /// Labels of the groups it joins (created when missing).
    pub groups: Vec<String>,
}

impl BootNodeSpec {
    /// The uid of a node: `node-<xname>`.
    pub fn uid_of(x: &Xname) -> String {
        format!("node-{x}")
    }

    /// Its uid: `node-<xname>`.
    pub fn uid(&self) -> String {
        format!("node-{}", self.xname)
    }

    /// The xname of a `node-<xname>` uid; `None` for anything else.
    pub fn xname_of_uid(uid: &str) -> Option<Xname> {
        uid.strip_prefix("node-").and_then(|x| x.parse().ok())
    }

    /// The view of node component `c`: its own interfaces among `interfaces` (in id order)
    /// and its groups among `memberships`.
    pub fn of(c: &Component, interfaces: &[EthernetInterface], memberships: &[Membership]) -> Self {
        let mut mine: Vec<&EthernetInterface> = interfaces
            .iter()
            .filter(|i| i.component_id == Some(c.id))
            .collect();
        mine.sort_by(|a, b| a.id.cmp(&b.id));
        BootNodeSpec {
            xname: c.id.to_string(),
            nid: c.nid,
            boot_mac: mine
                .first()
                .map(|i| i.mac_address.to_string())
                .unwrap_or_default(),
            role: c.role.map(|r| r.to_string()).unwrap_or_default(),
            sub_role: c.sub_role.map(|r| r.to_string()).unwrap_or_default(),
            hostname: String::new(),
            interfaces: mine
                .iter()
                .map(|i| BootNodeInterface {
                    mac: i.mac_address.to_string(),
                    ip: i
                        .ip_addresses
                        .first()
                        .map(|a| a.ip_address.clone())
                        .unwrap_or_default(),
                    kind: i
                        .ip_addresses
                        .first()
                        .map(|a| a.network.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            groups: memberships
                .iter()
                .find(|m| m.id == c.id)
                .map(|m| m.group_labels.clone())
                .unwrap_or_default(),
        }
    }

    /// `xname`, parsed.
    pub fn xname(&self) -> Result<Xname, Error> {
        Ok(self.xname.parse::<Xname>()?)
    }

    /// An update of node `id` must keep its xname (`rule` words the mismatch).
    pub fn check_update(&self, id: &Xname, rule: BodyId) -> Result<(), Error> {
        rule.check(id, Some(&self.xname()?))
    }

    /// The records it writes: `existing` (the node's stored component) or a new component
    /// `On`, with its NID, role and sub-role set; its interfaces; its groups. The xname must
    /// name a node ([`Error::NotANode`]).
    pub fn records(&self, existing: Option<Component>) -> Result<BootNodeRecords, Error> {
        let x = self.xname()?;
        if !matches!(x.hms_type(), HmsType::Node | HmsType::VirtualNode) {
            return Err(Error::NotANode {
                field: "spec.xname",
                id: x,
                hms_type: x.hms_type(),
            });
        }
        let mut component = existing.unwrap_or_else(|| Component::new(x).with_state(State::On));
        component.nid = self.nid;
        component.role = (!self.role.is_empty())
            .then(|| self.role.parse::<Role>())
            .transpose()?;
        component.sub_role = (!self.sub_role.is_empty())
            .then(|| self.sub_role.parse::<SubRole>())
            .transpose()?;
        let interfaces = self
            .interfaces
            .iter()
            .map(|i| -> Result<EthernetInterface, Error> {
                let ips = (!i.ip.is_empty()).then(|| i.ip.clone());
                Ok(EthernetInterface::new(i.mac.parse()?, Some(x), ips))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(BootNodeRecords {
            component,
            interfaces,
            groups: self.groups.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BootKey;

    fn x(s: &str) -> Xname {
        s.parse().unwrap()
    }

    #[test]
    fn bss_rows_are_read_only_and_marked() {
        let mut row = BootConfiguration::of_bss(BootKey::Nid(7), Default::default());
        assert_eq!(
            row.check_writable().unwrap_err().to_string(),
            "legacy-nid-7 was written through BSS; change it with /boot/v1/bootparameters (or delete it here)"
        );
        assert!(row.replace_spec(Default::default(), "t".into()).is_err());
        assert_eq!(row.shown_annotations()[WRITTEN_THROUGH], "bss");
    }

    #[test]
    fn replace_keeps_the_name_unless_one_is_given() {
        let spec = || -> Result<_, Error> {
            Ok(BootConfigurationSpec {
                kernel: "/k".into(),
                ..Default::default()
            })
        };
        let mut c = BootConfiguration::create(
            "u".into(),
            "a".into(),
            spec,
            Tags::new(),
            Tags::new(),
            "t0".into(),
        )
        .unwrap();
        c.replace(String::new(), spec, Tags::new(), Tags::new(), "t1".into())
            .unwrap();
        assert_eq!(
            (c.name.as_str(), c.updated_at.as_deref()),
            ("a", Some("t1"))
        );
        assert!(c.shown_annotations().is_empty());
    }

    #[test]
    fn node_specs_check_their_xname() {
        let spec = BootNodeSpec {
            xname: "x1000c0s0b0".into(),
            ..Default::default()
        };
        assert_eq!(
            spec.records(None).unwrap_err().to_string(),
            "spec.xname x1000c0s0b0 is a NodeBMC, not a node"
        );
        let spec = BootNodeSpec {
            xname: "x1000c0s0b0n1".into(),
            ..Default::default()
        };
        let e = spec.check_update(&x("x1000c0s0b0n0"), BodyId::BOOT_NODE_PUT);
        assert_eq!(
            e.unwrap_err().to_string(),
            "spec.xname does not match the uid"
        );
        assert_eq!(
            BootNodeSpec::xname_of_uid("node-x1000c0s0b0n1"),
            Some(x("x1000c0s0b0n1"))
        );
        assert_eq!(BootNodeSpec::xname_of_uid("x1000c0s0b0n1"), None);
    }
}
