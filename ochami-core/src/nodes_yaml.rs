//! OpenCHAMI's static inventory file (`ochami discover static -f yaml -d @nodes.yaml`): its
//! model, its checks, and its expansion into the SMD records a discovery writes.
//!
//! The file lists `bmcs` (`name` alias, `xname`, `mac`, `ip`, `fqdn`) and `nodes` (`name`,
//! `nid`, `xname`, `bmc`, `groups`, `interfaces[{mac_addr, ip_addrs[{name, ip_addr}]}]`,
//! and here an optional `role`, default `Compute` as SMD gives). A node's `bmc` is a BMC
//! xname, name or MAC; empty means the node's parent xname. Parsing is pure: callers read the
//! file and hand over its text.
//!
//! [`NodesFile::expand`] checks the whole file before producing anything, so that a bad row
//! leaves nothing written; every error names the line it is on.
//!
//! ```
//! use ochami_core::nodes_yaml::NodesFile;
//! let text = r#"
//! bmcs:
//!   - {name: bmc-a, xname: x3000c0s4b0, mac: "02:00:00:aa:00:01", ip: 10.1.0.40}
//! nodes:
//!   - name: cn01
//!     nid: 11
//!     xname: x3000c0s4b0n0
//!     bmc: bmc-a
//!     groups: [compute, rack3]
//!     interfaces:
//!       - {mac_addr: "02:00:00:bb:00:01", ip_addrs: [{name: HMN, ip_addr: 10.1.1.11}]}
//! "#;
//! let records = NodesFile::parse(text)?.expand()?;
//! assert_eq!(records.components[0].nid, Some(11));
//! assert_eq!(records.endpoints[0].id.to_string(), "x3000c0s4b0");
//! assert_eq!(records.interfaces[1].ip_addresses[0].network, "HMN");
//! assert_eq!(records.groups.len(), 2);
//! # Ok::<(), ochami_core::Error>(())
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::{
    Component, Error, EthernetInterface, Group, HmsType, IpAddressEntry, MacAddr, Members,
    RedfishEndpoint, Role, State, Xname,
};

/// One BMC row of the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BmcEntry {
    /// An alias nodes may use in `bmc`.
    #[serde(default)]
    pub name: String,
    /// The BMC's xname.
    pub xname: String,
    /// Its MAC address.
    #[serde(default)]
    pub mac: String,
    /// Its IP address.
    #[serde(default)]
    pub ip: String,
    /// Its host name.
    #[serde(default)]
    pub fqdn: String,
}

/// One IP address of a node interface.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpEntry {
    /// The network's label (`HMN`, `NMN`, ...).
    #[serde(default)]
    pub name: String,
    /// The address.
    pub ip_addr: String,
}

/// One interface of a node.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterfaceEntry {
    /// Its MAC address.
    pub mac_addr: String,
    /// Its addresses; at least one.
    #[serde(default)]
    pub ip_addrs: Vec<IpEntry>,
}

/// One node row of the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEntry {
    /// Host name (kept as the interface description).
    #[serde(default)]
    pub name: String,
    /// Node id.
    pub nid: i64,
    /// The node's xname.
    pub xname: String,
    /// The BMC's xname, name or MAC; empty: the node's parent.
    #[serde(default)]
    pub bmc: String,
    /// Role (default `Compute`).
    #[serde(default)]
    pub role: Option<String>,
    /// Group labels.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Interfaces.
    #[serde(default)]
    pub interfaces: Vec<InterfaceEntry>,
}

/// A parsed nodes.yaml, with its text kept to name lines in errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodesFile {
    /// The BMC rows.
    pub bmcs: Vec<BmcEntry>,
    /// The node rows.
    pub nodes: Vec<NodeEntry>,
    /// The text, to name the line of a bad row (looked up only when there is one).
    text: String,
}

/// Where a `key: value` is: its `nth` (0-based) occurrence in the file.
#[derive(Debug, Clone)]
struct Loc<'a> {
    key: &'static str,
    value: Cow<'a, str>,
    nth: usize,
}

/// Every `key: value` of one line (block or flow style, values optionally quoted).
fn pairs(line: &str) -> Vec<(&str, &str)> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    for (pos, _) in line.match_indices(':') {
        let key_start = line[..pos]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |p| p + 1);
        let key = &line[key_start..pos];
        // A key is a word after indentation, `- `, `{` or `, `; not part of a value.
        let before = line[..key_start].trim_end();
        if key.is_empty()
            || !(before.is_empty()
                || before.ends_with('-')
                || before.ends_with('{')
                || before.ends_with(','))
            || bytes.get(pos + 1).is_some_and(|b| !b.is_ascii_whitespace())
        {
            continue;
        }
        let rest = line[pos + 1..].trim_start();
        let (value, _) = match rest.strip_prefix(['"', '\'']) {
            Some(q) => q.split_at(q.find(['"', '\'']).unwrap_or(q.len())),
            None => rest.split_at(rest.find([',', '}', ']', '#']).unwrap_or(rest.len())),
        };
        out.push((key, value.trim()));
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    #[serde(default)]
    bmcs: Vec<BmcEntry>,
    #[serde(default)]
    nodes: Vec<NodeEntry>,
}

/// The SMD records a nodes.yaml stands for, in write order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StaticInventory {
    /// Node components (Type Node, State On, Enabled, with NID and Role).
    pub components: Vec<Component>,
    /// One RedfishEndpoint per BMC.
    pub endpoints: Vec<RedfishEndpoint>,
    /// The BMCs' and nodes' interfaces, every IP with its network name.
    pub interfaces: Vec<EthernetInterface>,
    /// One group per label, members sorted.
    pub groups: Vec<Group>,
}

/// An error at `line` of the file (1-based; 0 when it cannot be placed).
fn at(line: usize, message: impl Into<String>) -> Error {
    Error::NodesFile {
        line,
        message: message.into(),
    }
}

impl NodesFile {
    /// Parse the YAML (or JSON) text of a nodes file.
    pub fn parse(text: &str) -> Result<NodesFile, Error> {
        let file: FileIn = serde_yaml_ng::from_str(text).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line());
            let msg = e.to_string();
            // The location is reported separately; drop serde_yaml's own suffix.
            let msg = msg
                .split(" at line ")
                .next()
                .unwrap_or(&msg)
                .trim()
                .to_owned();
            at(line, msg)
        })?;
        Ok(NodesFile {
            bmcs: file.bmcs,
            nodes: file.nodes,
            text: text.to_owned(),
        })
    }

    /// The line (1-based) of `loc` in the file, 0 when not found. Scans the text: only
    /// errors need it.
    fn line_of(&self, loc: &Loc<'_>) -> usize {
        self.text
            .lines()
            .enumerate()
            .flat_map(|(i, l)| pairs(l).into_iter().map(move |kv| (i + 1, kv)))
            .filter(|(_, (k, v))| *k == loc.key && *v == loc.value)
            .nth(loc.nth)
            .map_or(0, |(i, _)| i)
    }

    /// An error at `loc`.
    fn at(&self, loc: &Loc<'_>, message: impl Into<String>) -> Error {
        at(self.line_of(loc), message)
    }

    fn parse_xname(&self, text: &str, loc: &Loc<'_>) -> Result<Xname, Error> {
        Xname::parse(text).map_err(|e| self.at(loc, e.to_string()))
    }

    fn parse_mac(&self, text: &str, loc: &Loc<'_>) -> Result<MacAddr, Error> {
        text.parse::<MacAddr>()
            .map_err(|e| self.at(loc, e.to_string()))
    }

    /// Check every row and expand the file into SMD records; the first bad row is refused
    /// with its line, and nothing is returned.
    pub fn expand<'s>(&'s self) -> Result<StaticInventory, Error> {
        let mut out = StaticInventory::default();
        // MAC -> where it is first used, to name duplicates.
        let mut macs: HashMap<MacAddr, Loc<'s>> = HashMap::new();
        let mut occurrences: HashMap<(&'static str, Cow<'s, str>), usize> = HashMap::new();
        let mut line = |key: &'static str, value: Cow<'s, str>| -> Loc<'s> {
            let n = occurrences.entry((key, value.clone())).or_insert(0);
            let nth = *n;
            *n += 1;
            Loc { key, value, nth }
        };

        let mut bmc_by_ref: HashMap<String, Xname> = HashMap::new();
        let mut bmc_xnames: HashMap<Xname, Loc<'_>> = HashMap::new();
        for b in &self.bmcs {
            let l = line("xname", Cow::Borrowed(b.xname.as_str()));
            let x = self.parse_xname(&b.xname, &l)?;
            if !matches!(
                x.hms_type(),
                HmsType::NodeBMC | HmsType::ChassisBMC | HmsType::RouterBMC
            ) {
                return Err(self.at(
                    &l,
                    format!("BMC xname {x} is a {}, not a BMC", x.hms_type()),
                ));
            }
            if let Some(first) = bmc_xnames.insert(x, l.clone()) {
                let first = self.line_of(&first);
                return Err(self.at(
                    &l,
                    format!("BMC {x} is listed twice (first at line {first})"),
                ));
            }
            let host = if b.ip.is_empty() { &b.fqdn } else { &b.ip };
            let mut ep = RedfishEndpoint::new(x, host);
            ep.name = b.name.clone();
            if !b.fqdn.is_empty() {
                ep.fqdn = b.fqdn.clone();
            }
            if !b.ip.is_empty() {
                if b.ip.parse::<std::net::IpAddr>().is_err() {
                    let l = line("ip", Cow::Borrowed(b.ip.as_str()));
                    return Err(self.at(&l, format!("BMC {x}: ip {:?} is not an IP address", b.ip)));
                }
                ep.ip_address = b.ip.clone();
            }
            bmc_by_ref.insert(x.to_string(), x);
            if !b.name.is_empty() {
                bmc_by_ref.insert(b.name.clone(), x);
            }
            if !b.mac.is_empty() {
                let ml = line("mac", Cow::Borrowed(b.mac.as_str()));
                let mac = self.parse_mac(&b.mac, &ml)?;
                if let Some(first) = macs.insert(mac, ml.clone()) {
                    let first = self.line_of(&first);
                    return Err(self.at(
                        &ml,
                        format!("MAC {mac} is used twice (first at line {first})"),
                    ));
                }
                ep.mac_addr = Some(mac);
                bmc_by_ref.insert(mac.to_string(), x);
                bmc_by_ref.insert(b.mac.to_ascii_lowercase(), x);
                let ips = (!b.ip.is_empty()).then(|| b.ip.clone());
                let mut iface = EthernetInterface::new(mac, Some(x), ips);
                iface.description = format!("BMC {x}");
                out.interfaces.push(iface);
            }
            ep.normalize().map_err(|e| self.at(&l, e.to_string()))?;
            out.endpoints.push(ep);
        }

        let mut nids: HashMap<i64, Loc<'_>> = HashMap::new();
        let mut nodes: HashMap<Xname, Loc<'_>> = HashMap::new();
        let mut groups: BTreeMap<String, Vec<Xname>> = BTreeMap::new();
        for n in &self.nodes {
            let l = line("xname", Cow::Borrowed(n.xname.as_str()));
            let x = self.parse_xname(&n.xname, &l)?;
            if x.hms_type() != HmsType::Node {
                return Err(self.at(
                    &l,
                    format!("node xname {x} is a {}, not a Node", x.hms_type()),
                ));
            }
            if let Some(first) = nodes.insert(x, l.clone()) {
                let first = self.line_of(&first);
                return Err(self.at(
                    &l,
                    format!("node {x} is listed twice (first at line {first})"),
                ));
            }
            let nl = line("nid", Cow::Owned(n.nid.to_string()));
            if n.nid < 0 {
                return Err(self.at(&nl, format!("node {x}: nid {} is negative", n.nid)));
            }
            if let Some(first) = nids.insert(n.nid, nl.clone()) {
                let first = self.line_of(&first);
                return Err(self.at(
                    &nl,
                    format!(
                        "node {x}: nid {} is used twice (first at line {first})",
                        n.nid
                    ),
                ));
            }
            // The BMC must be known; the records carry no link to it beyond the xname.
            if n.bmc.is_empty() {
                x.parent()
                    .filter(|p| bmc_xnames.contains_key(p))
                    .ok_or_else(|| {
                        self.at(
                            &l,
                            format!("node {x}: its BMC {} is not in bmcs", parent_text(x)),
                        )
                    })?;
            } else {
                bmc_by_ref
                    .get(&n.bmc)
                    .or_else(|| bmc_by_ref.get(&n.bmc.to_ascii_lowercase()))
                    .copied()
                    .ok_or_else(|| {
                        self.at(
                            &line("bmc", Cow::Borrowed(n.bmc.as_str())),
                            format!("node {x}: bmc {:?} names no BMC of bmcs", n.bmc),
                        )
                    })?;
            }
            let role = match &n.role {
                None => Role::Compute,
                Some(r) => r.parse::<Role>().map_err(|e| {
                    self.at(
                        &line("role", Cow::Borrowed(r.as_str())),
                        format!("node {x}: {e}"),
                    )
                })?,
            };
            out.components.push(
                Component::new(x)
                    .with_state(State::On)
                    .with_role(role)
                    .with_nid(n.nid),
            );
            for iface in &n.interfaces {
                let ml = line("mac_addr", Cow::Borrowed(iface.mac_addr.as_str()));
                let mac = self.parse_mac(&iface.mac_addr, &ml)?;
                if let Some(first) = macs.insert(mac, ml.clone()) {
                    let first = self.line_of(&first);
                    return Err(self.at(
                        &ml,
                        format!("MAC {mac} is used twice (first at line {first})"),
                    ));
                }
                if iface.ip_addrs.is_empty() {
                    return Err(self.at(&ml, format!("node {x}: interface {mac} has no ip_addrs")));
                }
                let mut ips = Vec::new();
                for ip in &iface.ip_addrs {
                    if ip.ip_addr.parse::<std::net::IpAddr>().is_err() {
                        return Err(self.at(
                            &line("ip_addr", Cow::Borrowed(ip.ip_addr.as_str())),
                            format!("node {x}: ip_addr {:?} is not an IP address", ip.ip_addr),
                        ));
                    }
                    ips.push(IpAddressEntry {
                        ip_address: ip.ip_addr.clone(),
                        network: ip.name.clone(),
                    });
                }
                let mut e = EthernetInterface::new(mac, Some(x), std::iter::empty());
                e.description = n.name.clone();
                e.ip_addresses = ips;
                out.interfaces.push(e);
            }
            for g in &n.groups {
                let label = Group::normalize_label(g)
                    .map_err(|e| self.at(&l, format!("node {x}: group {g:?}: {e}")))?;
                groups.entry(label).or_default().push(x);
            }
        }
        for (label, mut ids) in groups {
            ids.sort();
            ids.dedup();
            out.groups.push(Group {
                description: format!("The {label} group"),
                label,
                exclusive_group: String::new(),
                tags: Vec::new(),
                members: Members { ids },
            });
        }
        Ok(out)
    }
}

fn parent_text(x: Xname) -> String {
    x.parent()
        .map_or_else(|| "(none)".to_owned(), |p| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"bmcs:
  - {name: bmc-a, xname: x3000c0s4b0, mac: "02:00:00:aa:00:01", ip: 10.1.0.40}
nodes:
  - name: cn01
    nid: 11
    xname: x3000c0s4b0n0
    bmc: bmc-a
    groups: [compute, rack3]
    interfaces:
      - {mac_addr: "02:00:00:bb:00:01", ip_addrs: [{name: HMN, ip_addr: 10.1.1.11}]}
"#;

    fn err(text: &str) -> (usize, String) {
        match NodesFile::parse(text).and_then(|f| f.expand()) {
            Err(Error::NodesFile { line, message }) => (line, message),
            other => panic!("expected a nodes file error, got {other:?}"),
        }
    }

    #[test]
    fn the_reference_example_expands_to_its_records() {
        let inv = NodesFile::parse(EXAMPLE).unwrap().expand().unwrap();
        let c = &inv.components[0];
        assert_eq!(
            (c.id.to_string(), c.nid, c.role, c.state, c.enabled),
            (
                "x3000c0s4b0n0".into(),
                Some(11),
                Some(Role::Compute),
                Some(State::On),
                Some(true)
            )
        );
        let ep = &inv.endpoints[0];
        assert_eq!(ep.name, "bmc-a");
        assert_eq!(ep.ip_address, "10.1.0.40");
        assert_eq!(
            ep.mac_addr.map(|m| m.to_string()).as_deref(),
            Some("02:00:00:aa:00:01")
        );
        assert_eq!(inv.interfaces.len(), 2);
        assert_eq!(
            inv.interfaces[0]
                .component_id
                .map(|x| x.to_string())
                .as_deref(),
            Some("x3000c0s4b0")
        );
        let node_if = &inv.interfaces[1];
        assert_eq!(node_if.id, "020000bb0001");
        assert_eq!(node_if.description, "cn01");
        assert_eq!(
            node_if.ip_addresses,
            vec![IpAddressEntry {
                ip_address: "10.1.1.11".into(),
                network: "HMN".into()
            }]
        );
        let labels: Vec<_> = inv
            .groups
            .iter()
            .map(|g| (g.label.as_str(), g.members.ids.len()))
            .collect();
        assert_eq!(labels, [("compute", 1), ("rack3", 1)]);
        assert_eq!(inv.groups[0].description, "The compute group");
    }

    #[test]
    fn bad_rows_name_their_line() {
        let (l, m) = err(&EXAMPLE.replace("xname: x3000c0s4b0n0", "xname: x3000c0s4b0q0"));
        assert_eq!(l, 6, "{m}");
        assert!(m.contains("x3000c0s4b0q0"), "{m}");

        let dup_mac = format!(
            "{EXAMPLE}  - name: cn02\n    nid: 12\n    xname: x3000c0s4b0n1\n    interfaces:\n      - {{mac_addr: \"02:00:00:bb:00:01\", ip_addrs: [{{ip_addr: 10.1.1.12}}]}}\n"
        );
        let (l, m) = err(&dup_mac);
        assert_eq!(
            (l, m.contains("used twice (first at line 10)")),
            (15, true),
            "{m}"
        );

        let dup_nid = format!("{EXAMPLE}  - name: cn02\n    nid: 11\n    xname: x3000c0s4b0n1\n");
        let (l, m) = err(&dup_nid);
        assert_eq!(l, 12, "{m}");
        assert!(m.contains("nid 11 is used twice"), "{m}");

        let (l, m) = err(&EXAMPLE.replace("bmc: bmc-a", "bmc: bmc-z"));
        assert_eq!(l, 7, "{m}");
        assert!(m.contains("\"bmc-z\" names no BMC"), "{m}");

        let (l, m) = err(&EXAMPLE.replace("nid: 11", "nid: eleven"));
        assert_eq!(l, 5, "{m}");

        let (l, m) = err(&EXAMPLE.replace("ip_addr: 10.1.1.11", "ip_addr: 10.1.1.300"));
        assert_eq!(l, 10, "{m}");
    }

    /// A generated file: `bmcs` BMCs with four nodes each, two interfaces per node.
    pub(crate) fn generated(bmcs: usize) -> String {
        let mut t = String::from("bmcs:\n");
        for b in 0..bmcs {
            t.push_str(&format!(
                "  - {{xname: x{}c0s{}b0, mac: \"02:aa:00:00:{:02x}:{:02x}\", ip: 10.0.{}.{}}}\n",
                1000 + b / 32,
                b % 32,
                b / 256,
                b % 256,
                b / 256,
                b % 256 + 1 - (b % 256) / 255
            ));
        }
        t.push_str("nodes:\n");
        for b in 0..bmcs {
            for n in 0..4 {
                let k = b * 4 + n;
                t.push_str(&format!(
                    "  - name: nid{k:05}\n    nid: {}\n    xname: x{}c0s{}b0n{n}\n    groups: [compute, rack{}]\n    interfaces:\n      - {{mac_addr: \"02:bb:00:{:02x}:{:02x}:{:02x}\", ip_addrs: [{{name: NMN, ip_addr: 10.1.{}.{}}}, {{name: HSN, ip_addr: 10.2.{}.{}}}]}}\n",
                    k + 1, 1000 + b / 32, b % 32, b / 32,
                    k >> 16, (k >> 8) & 0xff, k & 0xff, k / 250, k % 250 + 1, k / 250, k % 250 + 1
                ));
            }
        }
        t
    }

    #[test]
    fn a_thousand_nodes_expand_to_the_expected_records() {
        let inv = NodesFile::parse(&generated(250)).unwrap().expand().unwrap();
        assert_eq!(inv.components.len(), 1000);
        assert_eq!(inv.endpoints.len(), 250);
        assert_eq!(inv.interfaces.len(), 250 + 1000);
        assert_eq!(inv.groups.len(), 1 + 8);
        assert_eq!(inv.groups[0].label, "compute");
        assert_eq!(inv.groups[0].members.ids.len(), 1000);
        let last = &inv.components[999];
        assert_eq!(
            (last.id.to_string(), last.nid),
            ("x1007c0s25b0n3".to_owned(), Some(1000))
        );
        let i = inv.interfaces.last().unwrap();
        assert_eq!(i.id, "02bb000003e7");
        assert_eq!(
            i.ip_addresses,
            vec![
                IpAddressEntry {
                    ip_address: "10.1.3.250".into(),
                    network: "NMN".into()
                },
                IpAddressEntry {
                    ip_address: "10.2.3.250".into(),
                    network: "HSN".into()
                },
            ]
        );
    }

    #[test]
    fn empty_bmc_means_the_parent() {
        let text = EXAMPLE.replace("    bmc: bmc-a\n", "");
        let inv = NodesFile::parse(&text).unwrap().expand().unwrap();
        assert_eq!(inv.components.len(), 1);
        let (l, m) = err(&text.replace("xname: x3000c0s4b0n0", "xname: x3000c0s5b0n0"));
        assert_eq!(l, 6, "{m}");
        assert!(m.contains("x3000c0s5b0 is not in bmcs"), "{m}");
    }
}
