//! The one boot model both boot APIs are views of: a [`BootConfiguration`] selects nodes by
//! MAC, host (xname or pattern), NID and group, carries a priority, and says what they boot
//! (kernel, initrd, params). OpenCHAMI v0.2's boot-service `/bootconfigurations` is its
//! envelope view ([`BootConfigurationSpec`] is the `spec`); BSS's `/boot/v1/bootparameters`
//! is its [`BootParams`] view ([`BootConfiguration::bss_view`]).
//!
//! Records written through BSS stay stored per name (a [`BootKey`] and its [`BootConfig`]):
//! each such row *is* a configuration with one selector, [`BootOrigin::Bss`], which keeps BSS's
//! own precedence (MAC > xname > NID > role > `Default`) in the one resolution rule of
//! `ochami-boot`. Its uid is derived from the name ([`BootConfiguration::bss_uid`]), so it is
//! stable and leads back to the row ([`BootKey::from_bss_uid`]).
//!
//! # Differences from upstream boot-service
//!
//! * `hosts` patterns work: `*` (and `default`) match every node, a trailing `*` matches by
//!   prefix (`x1000c0s*`). Upstream documents patterns but matches exactly and refuses `*`.
//! * A spec with an unknown key, a malformed MAC, a priority outside 0–100 or a kernel that
//!   is neither an `http(s)://` URL nor an absolute path is refused with a message naming the
//!   field (upstream answers some of these with 500).
//! * Kernel, initrd and params are refused when they could inject iPXE commands
//!   ([`BootParams::check_script_parts`]); upstream HTML-escapes them instead, which breaks
//!   URLs with `&`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{BootConfig, BootKey, BootParams, CloudInit, Error, HmsType, MacAddr, Xname};

/// Who wrote a configuration: it decides how a configuration ranks (see `ochami-boot`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BootOrigin {
    /// Written through boot-service (`/boot-service/bootconfigurations`).
    BootService,
    /// A BSS row (`/boot/v1/bootparameters`), stored under this one name.
    Bss(BootKey),
}

/// boot-service's `BootConfiguration.spec`: which nodes, what they boot. Unknown keys are
/// refused when read.
///
/// ```
/// use ochami_core::BootConfigurationSpec;
/// let mut spec: BootConfigurationSpec = serde_json::from_str(
///     r#"{"macs":["AA-BB-CC-DD-EE-01"],"groups":["compute"],"kernel":"http://s/vmlinuz","priority":10}"#)?;
/// spec.normalize()?;
/// assert_eq!(spec.macs, ["aa:bb:cc:dd:ee:01"]);
/// assert!(serde_json::from_str::<BootConfigurationSpec>(r#"{"kernal":"x"}"#).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootConfigurationSpec {
    /// Node xnames, `*`/`default` (every node) or prefixes ending in `*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// MAC addresses (normalized to lowercase colon form).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub macs: Vec<String>,
    /// NIDs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nids: Vec<i32>,
    /// SMD group labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Profile name (`""` = `default`); kept, not used for selection (as upstream).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub profile: String,
    /// Kernel URL or absolute path (required).
    #[serde(default)]
    pub kernel: String,
    /// Initrd URL or absolute path.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub initrd: String,
    /// Kernel command line.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub params: String,
    /// 0–100; higher wins a tie of scores.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub priority: i32,
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// The highest `priority`.
pub const MAX_PRIORITY: i32 = 100;

impl BootConfigurationSpec {
    /// Check every field and normalize MACs, xnames and patterns (see the module docs for
    /// what is accepted). Errors name the field.
    pub fn normalize(&mut self) -> Result<(), Error> {
        for h in &mut self.hosts {
            *h = normalize_host(h)?;
        }
        for m in &mut self.macs {
            *m = m.parse::<MacAddr>()?.to_string();
        }
        if let Some(n) = self.nids.iter().find(|n| **n < 0) {
            return Err(Error::invalid("nids", n.to_string(), "a non-negative NID"));
        }
        for g in &self.groups {
            if g.is_empty() || !g.chars().all(|c| c.is_ascii_graphic()) {
                return Err(Error::invalid("groups", g, "an SMD group label"));
            }
        }
        if !(0..=MAX_PRIORITY).contains(&self.priority) {
            return Err(Error::invalid(
                "priority",
                self.priority.to_string(),
                "an integer from 0 to 100",
            ));
        }
        if self.kernel.is_empty() {
            return Err(Error::MissingField { field: "kernel" });
        }
        check_location("kernel", &self.kernel)?;
        if !self.initrd.is_empty() {
            check_location("initrd", &self.initrd)?;
        }
        BootParams::check_script_parts(&self.kernel, &self.initrd, &self.params)
    }

    /// True when it names no node at all: it applies to every known node (score 1).
    pub fn is_catch_all(&self) -> bool {
        self.hosts.is_empty()
            && self.macs.is_empty()
            && self.nids.is_empty()
            && self.groups.is_empty()
    }
}

/// A `hosts` entry normalized: a node xname, `*` (for `*` and `default`) or a prefix
/// pattern ending in `*`.
fn normalize_host(h: &str) -> Result<String, Error> {
    const EXPECTED: &str = "a node xname, `*`, `default` or a prefix ending in `*`";
    let t = h.trim();
    if t == "*" || t.eq_ignore_ascii_case("default") {
        return Ok("*".into());
    }
    if let Some(prefix) = t.strip_suffix('*') {
        if !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Ok(format!("{}*", prefix.to_ascii_lowercase()));
        }
        return Err(Error::invalid("hosts", h, EXPECTED));
    }
    match t.parse::<Xname>() {
        Ok(x) if matches!(x.hms_type(), HmsType::Node | HmsType::VirtualNode) => Ok(x.to_string()),
        _ => Err(Error::invalid("hosts", h, EXPECTED)),
    }
}

/// Whether a normalized `hosts` entry matches a node xname.
pub fn host_matches(pattern: &str, xname: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => xname.starts_with(prefix),
        None => pattern == xname,
    }
}

/// Kernel and initrd: an `http(s)://` URL or an absolute path.
fn check_location(field: &'static str, v: &str) -> Result<(), Error> {
    let ok = v.starts_with("http://") || v.starts_with("https://") || v.starts_with('/');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            v,
            "an http:// or https:// URL or an absolute path",
        ))
    }
}

/// One boot configuration, whichever API wrote it. Its serde form (store snapshots) is that
/// of a boot-service configuration: `uid`, `name`, `spec`, `labels`, `annotations`,
/// `createdAt`, `updatedAt`; BSS rows travel as BSS `BootParams` instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootConfiguration {
    /// `bootconfiguration-<8 hex>` (boot-service) or `legacy-…` (a BSS row).
    pub uid: String,
    /// Its name (not unique, as upstream).
    pub name: String,
    /// Who wrote it.
    #[serde(skip, default = "BootOrigin::boot_service")]
    pub origin: BootOrigin,
    /// Selectors and what to boot (normalized).
    pub spec: BootConfigurationSpec,
    /// BSS's cloud-init data (empty for boot-service configurations).
    #[serde(skip)]
    pub cloud_init: CloudInit,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// RFC 3339 creation time (none for BSS rows, which BSS never timestamped).
    #[serde(rename = "createdAt", default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// RFC 3339 time of the last change.
    #[serde(rename = "updatedAt", default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

impl BootOrigin {
    fn boot_service() -> Self {
        BootOrigin::BootService
    }
}

impl BootConfiguration {
    /// The uid a BSS row is seen under: `legacy-mac-<hex>`, `legacy-nid-<n>`,
    /// `legacy-host-<name>` (or `legacy-hostx-<hex of the name>` for a tag with characters
    /// that do not belong in a URL path). [`BootKey::from_bss_uid`] reverses it.
    pub fn bss_uid(key: &BootKey) -> String {
        match key {
            BootKey::Mac(m) => format!("legacy-mac-{}", m.to_id()),
            BootKey::Nid(n) => format!("legacy-nid-{n}"),
            BootKey::Host(h)
                if !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) =>
            {
                format!("legacy-host-{h}")
            }
            BootKey::Host(h) => {
                let hex: String = h.bytes().map(|b| format!("{b:02x}")).collect();
                format!("legacy-hostx-{hex}")
            }
        }
    }

    /// A BSS row as a configuration: named `legacy-<host|mac|nid-N>` as upstream's shim
    /// names them, its one name as its one selector (a tag such as `Default` or `Compute`
    /// shows in `hosts`), priority 0.
    pub fn of_bss(key: BootKey, config: BootConfig) -> Self {
        let mut spec = BootConfigurationSpec {
            kernel: config.kernel,
            initrd: config.initrd,
            params: config.params,
            ..Default::default()
        };
        let name = match &key {
            BootKey::Mac(m) => {
                spec.macs.push(m.to_string());
                format!("legacy-{m}")
            }
            BootKey::Nid(n) => {
                spec.nids.push(*n);
                format!("legacy-nid-{n}")
            }
            BootKey::Host(h) => {
                spec.hosts.push(h.clone());
                format!("legacy-{h}")
            }
        };
        BootConfiguration {
            uid: Self::bss_uid(&key),
            name,
            origin: BootOrigin::Bss(key),
            spec,
            cloud_init: config.cloud_init,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            created_at: None,
            updated_at: None,
        }
    }

    /// What it boots, as the BSS record type.
    pub fn boot_config(&self) -> BootConfig {
        BootConfig {
            kernel: self.spec.kernel.clone(),
            initrd: self.spec.initrd.clone(),
            params: self.spec.params.clone(),
            cloud_init: self.cloud_init.clone(),
        }
    }

    /// BSS's view: `hosts` are the hosts and then the groups (as upstream's shim shows
    /// them), `macs`, `nids`, kernel, initrd, params and cloud-init data.
    pub fn bss_view(&self) -> BootParams {
        BootParams {
            hosts: self
                .spec
                .hosts
                .iter()
                .chain(&self.spec.groups)
                .cloned()
                .collect(),
            macs: self.spec.macs.clone(),
            nids: self.spec.nids.clone(),
            params: self.spec.params.clone(),
            kernel: self.spec.kernel.clone(),
            initrd: self.spec.initrd.clone(),
            cloud_init: self.cloud_init.clone(),
        }
    }

    /// Whether its selectors name this BSS name directly (a MAC, an xname by exact entry or
    /// pattern, a NID, or a group label given as a host): how BSS's `GET
    /// /bootparameters?name=…` finds boot-service configurations.
    pub fn names(&self, key: &BootKey) -> bool {
        match key {
            BootKey::Mac(m) => self.spec.macs.iter().any(|x| *x == m.to_string()),
            BootKey::Nid(n) => self.spec.nids.contains(n),
            BootKey::Host(h) => {
                self.spec.hosts.iter().any(|p| host_matches(p, h)) || self.spec.groups.contains(h)
            }
        }
    }
}

/// What identifies one node to configuration selectors: what `ochami-boot` scores
/// configurations against, and what a store narrows its candidates by
/// ([`BootSelection::may_select`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BootSelection {
    /// The node's xname (or the requested one).
    pub xname: Option<Xname>,
    /// The node's MACs (or the requested one).
    pub macs: Vec<MacAddr>,
    /// The node's NID (or the requested one).
    pub nid: Option<i32>,
    /// The labels of the node's SMD groups.
    pub groups: Vec<String>,
    /// Whether the inventory knows the node: only then do catch-alls, `*` and prefix
    /// patterns apply (an unknown machine only gets what names it exactly).
    pub known: bool,
}

impl BootSelection {
    /// Whether any selector of `spec` matches: a MAC, the xname (exactly, or by pattern for a
    /// known node), the NID, a group, or (known node) no selector at all.
    pub fn may_select(&self, spec: &BootConfigurationSpec) -> bool {
        if self.known && spec.is_catch_all() {
            return true;
        }
        let xname = self.xname.map(|x| x.to_string());
        spec.macs
            .iter()
            .any(|m| self.macs.iter().any(|x| x.to_string() == *m))
            || xname.as_deref().is_some_and(|x| {
                spec.hosts.iter().any(|h| {
                    if self.known {
                        host_matches(h, x)
                    } else {
                        h == x
                    }
                })
            })
            || self.nid.is_some_and(|n| spec.nids.contains(&n))
            || spec.groups.iter().any(|g| self.groups.contains(g))
    }
}

impl BootKey {
    /// The BSS name behind a `legacy-…` uid ([`BootConfiguration::bss_uid`]); `None` for
    /// any other uid.
    pub fn from_bss_uid(uid: &str) -> Option<BootKey> {
        let rest = uid.strip_prefix("legacy-")?;
        if let Some(hex) = rest.strip_prefix("mac-") {
            return hex.parse::<MacAddr>().ok().map(BootKey::Mac);
        }
        if let Some(n) = rest.strip_prefix("nid-") {
            return n.parse().ok().filter(|n: &i32| *n >= 0).map(BootKey::Nid);
        }
        if let Some(h) = rest.strip_prefix("host-") {
            return (!h.is_empty()).then(|| BootKey::Host(h.to_owned()));
        }
        let hex = rest.strip_prefix("hostx-")?;
        if hex.len() % 2 != 0 || !hex.is_ascii() {
            return None;
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        String::from_utf8(bytes).ok().map(BootKey::Host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_validation_names_the_field() {
        let base = BootConfigurationSpec {
            kernel: "http://s/k".into(),
            ..Default::default()
        };
        for (spec, field) in [
            (
                BootConfigurationSpec {
                    kernel: String::new(),
                    ..base.clone()
                },
                "kernel",
            ),
            (
                BootConfigurationSpec {
                    kernel: "ftp://s/k".into(),
                    ..base.clone()
                },
                "kernel",
            ),
            (
                BootConfigurationSpec {
                    priority: 101,
                    ..base.clone()
                },
                "priority",
            ),
            (
                BootConfigurationSpec {
                    hosts: vec!["x1c0s0b0".into()],
                    ..base.clone()
                },
                "hosts",
            ),
            (
                BootConfigurationSpec {
                    macs: vec!["nope".into()],
                    ..base.clone()
                },
                "MAC",
            ),
            (
                BootConfigurationSpec {
                    params: "quiet || shell".into(),
                    ..base.clone()
                },
                "params",
            ),
        ] {
            let e = spec.clone().normalize().unwrap_err().to_string();
            assert!(e.contains(field), "{spec:?}: {e}");
        }
        let mut ok = BootConfigurationSpec {
            hosts: vec!["X1C0S0B0N0".into(), "default".into(), "x1000c0s*".into()],
            ..base
        };
        ok.normalize().unwrap();
        assert_eq!(ok.hosts, ["x1c0s0b0n0", "*", "x1000c0s*"]);
        assert!(host_matches("x1000c0s*", "x1000c0s1b0n0"));
        assert!(!host_matches("x1000c0s*", "x1001c0s1b0n0"));
        assert!(host_matches("*", "x1c0s0b0n0"));
    }

    #[test]
    fn bss_uids_round_trip() {
        for key in [
            BootKey::Mac("aa:bb:cc:dd:ee:01".parse().unwrap()),
            BootKey::Nid(7),
            BootKey::Host("x1c0s0b0n0".into()),
            BootKey::Host("Default".into()),
            BootKey::Host("Unknown-x86_64".into()),
            BootKey::Host("a/b?c".into()),
        ] {
            let uid = BootConfiguration::bss_uid(&key);
            assert!(!uid.contains('/') && !uid.contains('?'), "{uid}");
            assert_eq!(BootKey::from_bss_uid(&uid), Some(key));
        }
        assert_eq!(BootKey::from_bss_uid("bootconfiguration-1234abcd"), None);
        assert_eq!(BootKey::from_bss_uid("legacy-nid--1"), None);
    }

    #[test]
    fn views_of_a_bss_row() {
        let c = BootConfiguration::of_bss(
            BootKey::Nid(3),
            BootConfig {
                kernel: "http://k".into(),
                ..Default::default()
            },
        );
        assert_eq!(c.name, "legacy-nid-3");
        assert_eq!(c.uid, "legacy-nid-3");
        assert_eq!(c.spec.nids, [3]);
        let bp = c.bss_view();
        assert_eq!(bp.nids, [3]);
        assert_eq!(bp.kernel, "http://k");
        assert!(c.names(&BootKey::Nid(3)));
    }
}
