//! Giving each BMC an xname: an explicit map, a deterministic generator, or both.
//!
//! ## Map file format
//! Either lines `<key> <xname>` (blank lines and `#` comments ignored), where the key is an
//! IP address, a MAC address (any notation [`MacAddr`] parses) or a host name:
//!
//! ```text
//! # BMC             xname
//! 10.0.5.2          x1000c0s0b0
//! 94:40:c9:37:d3:fc x1000c0s1b0
//! bmc3.example      x1000c0b0
//! ```
//!
//! or a JSON object `{"10.0.5.2": "x1000c0s0b0", ...}` (Magellan's
//! `{"map_key": "bmc-ip-addr", "id_map": {...}}` is accepted too). Every xname must be a
//! NodeBMC, ChassisBMC, RouterBMC or CabinetPDUController, and no xname may appear twice.
//! A MAC entry wins over an IP entry, which wins over a host-name entry.
//!
//! ## Generator
//! For an IPv4 address `a.b.c.d` the generated xname is `x<1000+c>c0s<d>b<k>`: cabinet from
//! the third octet, slot from the fourth, and `k` the lowest BMC ordinal not yet taken
//! (0 unless two targets share `c.d`, e.g. the same IP on two ports or `10.1.5.2` and
//! `10.2.5.2`). Targets without an IPv4 address (host names, IPv6) get `x9000c0s<n>b0`,
//! `n` counting up. Targets are taken in sorted order (addresses numerically, then port),
//! so a run gives the same answer for the same targets, and an xname is never handed out
//! twice in one run, nor one the explicit map holds. Magellan's generator, by contrast,
//! uses the first octet as the slot, ignores the third and collides (`10.0.5.2` and
//! `10.0.6.2` both become `x320c0s10b2`).
//!
//! ```
//! use ochami_redfish::{ScanTarget, Scheme, XnameAssigner};
//!
//! let targets = [
//!     ScanTarget::new(Scheme::Https, "10.0.5.2", 443),
//!     ScanTarget::new(Scheme::Https, "10.0.6.2", 443),
//!     ScanTarget::new(Scheme::Https, "10.9.5.2", 443),
//! ];
//! let plan = XnameAssigner::generated().plan(&targets);
//! let ids: Vec<String> = plan.iter().map(|x| x.as_ref().unwrap().to_string()).collect();
//! assert_eq!(ids, ["x1005c0s2b0", "x1006c0s2b0", "x1005c0s2b1"]);
//! ```

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::path::Path;

use ochami_core::{HmsType, MacAddr, Xname};

use crate::error::{Error, Result};
use crate::scan::ScanTarget;

/// Explicit BMC -> xname entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XnameMap {
    by_ip: HashMap<IpAddr, Xname>,
    by_mac: HashMap<MacAddr, Xname>,
    by_host: HashMap<String, Xname>,
}

impl XnameMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a map file (see the module docs for the format).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Parses a map from text: lines `<key> <xname>` or a JSON object.
    pub fn parse(text: &str) -> Result<Self> {
        if text.trim_start().starts_with('{') {
            return Self::parse_json(text);
        }
        let mut map = XnameMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let (Some(key), Some(xname), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(Error::XnameMap {
                    line: i + 1,
                    message: format!("expected `<ip|mac|hostname> <xname>`, got {line:?}"),
                });
            };
            map.insert(key, xname).map_err(|message| Error::XnameMap {
                line: i + 1,
                message,
            })?;
        }
        Ok(map)
    }

    fn parse_json(text: &str) -> Result<Self> {
        let err = |message: String| Error::XnameMap { line: 0, message };
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| err(format!("invalid JSON: {e}")))?;
        let obj = match v.get("id_map") {
            Some(inner) => inner,
            None => &v,
        };
        let obj = obj
            .as_object()
            .ok_or_else(|| err("expected a JSON object of key -> xname".into()))?;
        let mut map = XnameMap::new();
        for (key, value) in obj {
            if key == "map_key" {
                continue;
            }
            let xname = value
                .as_str()
                .ok_or_else(|| err(format!("{key}: the xname must be a string")))?;
            map.insert(key, xname).map_err(err)?;
        }
        Ok(map)
    }

    /// Adds one entry. The key is an IP, a MAC or a host name; the xname must be a BMC or
    /// PDU controller and not already used.
    pub fn insert(&mut self, key: &str, xname: &str) -> std::result::Result<(), String> {
        let x: Xname = xname.parse().map_err(|e| format!("{e}"))?;
        check_controller(x)?;
        if self.values().any(|v| v == x) {
            return Err(format!("xname {x} is mapped twice"));
        }
        let dup = || format!("{key} is mapped twice");
        if let Ok(ip) = key.parse::<IpAddr>() {
            if self.by_ip.insert(ip, x).is_some() {
                return Err(dup());
            }
        } else if let Ok(mac) = key.parse::<MacAddr>() {
            if self.by_mac.insert(mac, x).is_some() {
                return Err(dup());
            }
        } else if self.by_host.insert(key.to_ascii_lowercase(), x).is_some() {
            return Err(dup());
        }
        Ok(())
    }

    /// The xname mapped to a MAC.
    pub fn by_mac(&self, mac: MacAddr) -> Option<Xname> {
        self.by_mac.get(&mac).copied()
    }

    /// The xname mapped to a target's IP or host name.
    pub fn by_target(&self, target: &ScanTarget) -> Option<Xname> {
        target
            .ip()
            .and_then(|ip| self.by_ip.get(&ip).copied())
            .or_else(|| self.by_host.get(&target.host).copied())
    }

    /// Every xname in the map.
    pub fn values(&self) -> impl Iterator<Item = Xname> + '_ {
        self.by_ip
            .values()
            .chain(self.by_mac.values())
            .chain(self.by_host.values())
            .copied()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.by_ip.len() + self.by_mac.len() + self.by_host.len()
    }

    /// True when the map has no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn check_controller(x: Xname) -> std::result::Result<(), String> {
    match x.hms_type() {
        HmsType::NodeBMC
        | HmsType::ChassisBMC
        | HmsType::RouterBMC
        | HmsType::CabinetPDUController => Ok(()),
        t => Err(format!(
            "{x} is a {t}; BMC xnames must be NodeBMC, ChassisBMC, RouterBMC or CabinetPDUController"
        )),
    }
}

/// Decides the xname of every BMC of a run.
#[derive(Debug, Clone, Default)]
pub struct XnameAssigner {
    map: Option<XnameMap>,
    generate: bool,
}

impl XnameAssigner {
    /// Only the generator.
    pub fn generated() -> Self {
        XnameAssigner {
            map: None,
            generate: true,
        }
    }

    /// Only the map: BMCs it does not name fail with [`Error::NoXname`].
    pub fn from_map(map: XnameMap) -> Self {
        XnameAssigner {
            map: Some(map),
            generate: false,
        }
    }

    /// The map first, the generator for BMCs it does not name.
    pub fn map_then_generate(map: XnameMap) -> Self {
        XnameAssigner {
            map: Some(map),
            generate: true,
        }
    }

    /// The explicit map, if any.
    pub fn map(&self) -> Option<&XnameMap> {
        self.map.as_ref()
    }

    /// Plans xnames for targets before crawling: the map's entry for the target's IP or
    /// host name, else a generated one (if enabled), else `None`. The result is in the
    /// order of `targets`; no two entries are equal.
    pub fn plan(&self, targets: &[ScanTarget]) -> Vec<Option<Xname>> {
        let mut taken: HashSet<Xname> = self.map.iter().flat_map(|m| m.values()).collect();
        // A mapped IP or host reachable on several ports: the first target in sorted order
        // gets the mapped xname, the others are generated (or left without one).
        let mut sorted: Vec<usize> = (0..targets.len()).collect();
        sorted.sort_by(|a, b| targets[*a].cmp(&targets[*b]));
        let mut out: Vec<Option<Xname>> = vec![None; targets.len()];
        let mut mapped_used = HashSet::new();
        for &i in &sorted {
            if let Some(x) = self.map.as_ref().and_then(|m| m.by_target(&targets[i]))
                && mapped_used.insert(x)
            {
                out[i] = Some(x);
            }
        }
        if !self.generate {
            return out;
        }
        let order: Vec<usize> = sorted.into_iter().filter(|i| out[*i].is_none()).collect();
        let mut next_named = 0u32;
        for i in order {
            let x = match targets[i].ip() {
                Some(IpAddr::V4(v4)) => {
                    let [_, _, c, d] = v4.octets();
                    (0u32..)
                        .filter_map(|k| {
                            Xname::node_bmc(1000 + u32::from(c), 0, u32::from(d), k).ok()
                        })
                        .find(|x| !taken.contains(x))
                }
                _ => loop {
                    let x = Xname::node_bmc(9000, 0, next_named, 0).ok();
                    next_named += 1;
                    match x {
                        Some(x) if taken.contains(&x) => continue,
                        other => break other,
                    }
                },
            };
            if let Some(x) = x {
                taken.insert(x);
            }
            out[i] = x;
        }
        out
    }

    /// The final xname of a crawled BMC: the map's entry for its MAC when there is one
    /// (MACs are only known after the crawl), else the planned one.
    pub fn resolve(&self, planned: Option<Xname>, bmc_mac: Option<MacAddr>) -> Option<Xname> {
        bmc_mac
            .and_then(|m| self.map.as_ref()?.by_mac(m))
            .or(planned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Scheme;

    #[test]
    fn parses_lines_and_json() {
        let m = XnameMap::parse(
            "# comment\n10.0.5.2 x1000c0s0b0\n\n94-40-C9-37-D3-FC  x1000c0s1b0 # trailing\nBMC3.example x1000c0b0\n",
        )
        .unwrap();
        assert_eq!(m.len(), 3);
        let t = ScanTarget::new(Scheme::Https, "10.0.5.2", 443);
        assert_eq!(m.by_target(&t).unwrap().to_string(), "x1000c0s0b0");
        let mac: MacAddr = "94:40:c9:37:d3:fc".parse().unwrap();
        assert_eq!(m.by_mac(mac).unwrap().to_string(), "x1000c0s1b0");
        let h = ScanTarget::new(Scheme::Https, "bmc3.example", 443);
        assert_eq!(m.by_target(&h).unwrap().to_string(), "x1000c0b0");

        let j =
            XnameMap::parse(r#"{"map_key": "bmc-ip-addr", "id_map": {"172.21.0.1": "x0c0s1b0"}}"#)
                .unwrap();
        assert_eq!(j.len(), 1);
        let j = XnameMap::parse(r#"{"172.21.0.1": "x0c0s1b0", "bmc9": "x0c0r1b0"}"#).unwrap();
        assert_eq!(j.len(), 2);
    }

    #[test]
    fn rejects_bad_entries() {
        for (text, needle) in [
            ("10.0.0.1 x1000c0s0b0n0", "Node"),
            ("10.0.0.1 nope", "nope"),
            ("10.0.0.1 x1000c0s0b0\n10.0.0.2 x1000c0s0b0", "twice"),
            ("10.0.0.1 x1000c0s0b0\n10.0.0.1 x1000c0s1b0", "twice"),
            ("10.0.0.1", "expected"),
            ("{\"10.0.0.1\": 5}", "string"),
            ("{\"10.0.0.1\": ", "JSON"),
        ] {
            let e = XnameMap::parse(text).unwrap_err();
            assert!(e.to_string().contains(needle), "{text}: {e}");
        }
        let e = XnameMap::parse("a b\n10.0.0.1 x1000c0s0").unwrap_err();
        assert!(matches!(e, Error::XnameMap { line: 1, .. }), "{e}");
    }

    #[test]
    fn generator_never_collides() {
        // Every IPv4 address whose 2nd, 3rd and 4th octets vary, on two ports: 2 x 4 x 256
        // x 256 targets, many sharing the same `c.d`.
        let mut targets = Vec::new();
        for b in [0u8, 1, 2, 3] {
            for c in 0..=255u8 {
                for d in 0..=255u8 {
                    for port in [443, 8443] {
                        targets.push(ScanTarget::new(
                            Scheme::Https,
                            format!("10.{b}.{c}.{d}"),
                            port,
                        ));
                    }
                }
            }
        }
        targets.push(ScanTarget::new(Scheme::Https, "bmc.example", 443));
        targets.push(ScanTarget::new(Scheme::Https, "fe80::1", 443));
        let map = XnameMap::parse("10.0.0.1 x1000c0s1b1\n").unwrap();
        let plan = XnameAssigner::map_then_generate(map).plan(&targets);
        let mut seen = HashSet::new();
        for x in &plan {
            let x = x.expect("every target gets an xname");
            assert_eq!(x.hms_type(), HmsType::NodeBMC);
            assert!(seen.insert(x), "duplicate {x}");
        }
        assert_eq!(seen.len(), targets.len());
        // The map's xname went to its IP, and generation stepped around it.
        let first = targets.iter().position(|t| t.host == "10.0.0.1").unwrap();
        assert_eq!(plan[first].unwrap().to_string(), "x1000c0s1b1");
        assert_eq!(plan[first + 1].unwrap().to_string(), "x1000c0s1b0");
    }

    #[test]
    fn generator_is_deterministic_and_order_free() {
        let a = [
            ScanTarget::new(Scheme::Https, "10.0.6.2", 443),
            ScanTarget::new(Scheme::Https, "10.0.5.2", 443),
        ];
        let b = [a[1].clone(), a[0].clone()];
        let pa = XnameAssigner::generated().plan(&a);
        let pb = XnameAssigner::generated().plan(&b);
        assert_eq!(pa[0], pb[1]);
        assert_eq!(pa[1], pb[0]);
        assert_ne!(pa[0], pa[1]);
    }

    #[test]
    fn map_only_leaves_unknown_targets_without_xname() {
        let map = XnameMap::parse("10.0.0.1 x1000c0s0b0").unwrap();
        let a = XnameAssigner::from_map(map);
        let plan = a.plan(&[
            ScanTarget::new(Scheme::Https, "10.0.0.1", 443),
            ScanTarget::new(Scheme::Https, "10.0.0.2", 443),
        ]);
        assert!(plan[0].is_some() && plan[1].is_none());
        let mac: MacAddr = "aa:bb:cc:dd:ee:ff".parse().unwrap();
        assert_eq!(a.resolve(None, Some(mac)), None);
    }
}
