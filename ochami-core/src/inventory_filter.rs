//! Typed filters for SMD's inventory list queries (`GET /Inventory/RedfishEndpoints`,
//! `ComponentEndpoints`, `EthernetInterfaces`). Every store backend answers them in one
//! query; [`ComponentEndpointFilter::matches`] and [`EthernetInterfaceFilter::matches`] are
//! the semantics the SQL must equal.
//!
//! As in SMD: an empty list matches everything, several values of one key are OR-ed, and
//! keys are AND-ed.

use std::net::IpAddr;

use crate::{ComponentEndpoint, EthernetInterface, HmsType, MacAddr, Timestamp, Xname};

/// Filter for Redfish endpoints (`GET /Inventory/RedfishEndpoints`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RedfishEndpointFilter {
    /// `id`.
    pub id: Vec<Xname>,
    /// `fqdn`.
    pub fqdn: Vec<String>,
    /// `type`.
    pub hms_type: Vec<HmsType>,
    /// `uuid`.
    pub uuid: Vec<String>,
    /// `macaddr`.
    pub mac: Vec<MacAddr>,
    /// `ipaddress`.
    pub ip: Vec<String>,
    /// `laststatus`.
    pub last_status: Vec<String>,
}

/// Filter for component endpoints (`GET /Inventory/ComponentEndpoints`).
///
/// ```
/// use ochami_core::{ComponentEndpoint, ComponentEndpointFilter, HmsType};
/// let ce: ComponentEndpoint = serde_json::from_str(
///     r#"{"ID":"x0c0s0b0n0","Type":"Node","RedfishType":"ComputerSystem",
///         "RedfishEndpointID":"x0c0s0b0"}"#)?;
/// let f = ComponentEndpointFilter {
///     hms_type: vec![HmsType::NodeBMC, HmsType::Node],
///     redfish_type: vec!["computersystem".into()],
///     ..Default::default()
/// };
/// assert!(f.matches(&ce));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComponentEndpointFilter {
    /// `id`.
    pub id: Vec<Xname>,
    /// `redfish_ep`: the Redfish endpoint (BMC) the component was found under.
    pub redfish_ep: Vec<Xname>,
    /// `type`.
    pub hms_type: Vec<HmsType>,
    /// `redfish_type` (`ComputerSystem`, `Manager`, `Chassis`, ...), compared ignoring
    /// ASCII case.
    pub redfish_type: Vec<String>,
}

impl ComponentEndpointFilter {
    /// Whether `ce` passes.
    pub fn matches(&self, ce: &ComponentEndpoint) -> bool {
        (self.id.is_empty() || self.id.contains(&ce.id))
            && (self.redfish_ep.is_empty() || self.redfish_ep.contains(&ce.redfish_endpoint_id))
            && (self.hms_type.is_empty() || self.hms_type.contains(&ce.hms_type))
            && (self.redfish_type.is_empty()
                || self
                    .redfish_type
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(&ce.redfish_type)))
    }
}

/// Filter for ethernet interfaces (`GET /Inventory/EthernetInterfaces`).
///
/// `older_than`/`newer_than` bound `LastUpdate` strictly; an interface whose `LastUpdate`
/// is not a time passes neither.
///
/// ```
/// use ochami_core::{EthernetInterface, EthernetInterfaceFilter};
/// let mut e = EthernetInterface::new("a4:bf:01:00:00:01".parse()?, None, ["10.1.0.5".to_owned()]);
/// e.last_update = "2025-01-01T00:00:00.000000Z".into();
/// let f = EthernetInterfaceFilter {
///     ip: vec!["10.1.0.5".parse()?],
///     newer_than: Some("2024-12-31T23:00:00-02:00".parse()?),
///     ..Default::default()
/// };
/// assert!(!f.matches(&e)); // 2024-12-31T23:00-02:00 is 2025-01-01T01:00Z
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EthernetInterfaceFilter {
    /// `macaddress` (or `id`).
    pub mac: Vec<MacAddr>,
    /// `ipaddress`: an interface with any of these IPs. A stored IP is compared as text with
    /// the canonical form of these (`fe80::1`, as Rust and Go print it), the same in every
    /// backend.
    pub ip: Vec<IpAddr>,
    /// `network`: an interface with an IP on any of these networks.
    pub network: Vec<String>,
    /// `componentid`.
    pub component_id: Vec<Xname>,
    /// `type`.
    pub hms_type: Vec<HmsType>,
    /// `olderthan`: `LastUpdate` strictly before.
    pub older_than: Option<Timestamp>,
    /// `newerthan`: `LastUpdate` strictly after.
    pub newer_than: Option<Timestamp>,
}

impl EthernetInterfaceFilter {
    /// Whether `e` passes.
    pub fn matches(&self, e: &EthernetInterface) -> bool {
        (self.mac.is_empty() || self.mac.contains(&e.mac_address))
            && (self.ip.is_empty()
                || e.ip_addresses
                    .iter()
                    .any(|ip| self.ip.iter().any(|want| want.to_string() == ip.ip_address)))
            && (self.network.is_empty()
                || e.ip_addresses
                    .iter()
                    .any(|ip| self.network.contains(&ip.network)))
            && (self.component_id.is_empty()
                || e.component_id
                    .is_some_and(|c| self.component_id.contains(&c)))
            && (self.hms_type.is_empty() || e.hms_type.is_some_and(|t| self.hms_type.contains(&t)))
            && self.time_matches(&e.last_update)
    }

    /// Whether a `LastUpdate` value passes the time bounds.
    pub fn time_matches(&self, last_update: &str) -> bool {
        if self.older_than.is_none() && self.newer_than.is_none() {
            return true;
        }
        match last_update.parse::<Timestamp>() {
            Ok(t) => self.older_than.is_none_or(|o| t < o) && self.newer_than.is_none_or(|n| t > n),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface(mac: &str, ips: &[&str], last_update: &str) -> EthernetInterface {
        let mut e = EthernetInterface::new(
            mac.parse().unwrap(),
            Some("x0c0s0b0n0".parse().unwrap()),
            ips.iter().map(|s| (*s).to_owned()),
        );
        e.last_update = last_update.to_owned();
        e
    }

    #[test]
    fn ip_terms_are_read_as_addresses() {
        let e = iface("02:00:00:00:00:01", &["fe80::1", "10.0.0.1"], "");
        let f = |ip: &str| EthernetInterfaceFilter {
            ip: vec![ip.parse().unwrap()],
            ..Default::default()
        };
        assert!(f("FE80:0:0::1").matches(&e));
        assert!(f("10.0.0.1").matches(&e));
        assert!(!f("10.0.0.2").matches(&e));
    }

    #[test]
    fn values_of_a_key_are_ored_and_keys_anded() {
        let e = iface("02:00:00:00:00:01", &["10.0.0.1"], "");
        let mut f = EthernetInterfaceFilter {
            ip: vec!["10.9.9.9".parse().unwrap(), "10.0.0.1".parse().unwrap()],
            component_id: vec!["x0c0s0b0n0".parse().unwrap()],
            ..Default::default()
        };
        assert!(f.matches(&e));
        f.hms_type = vec![HmsType::NodeBMC];
        assert!(!f.matches(&e));
    }

    #[test]
    fn time_bounds_are_strict_and_skip_unreadable_times() {
        let at = "2025-01-01T00:00:00.000000Z";
        let e = iface("02:00:00:00:00:01", &[], at);
        let t = |s: &str| Some(s.parse::<Timestamp>().unwrap());
        let older = |s| EthernetInterfaceFilter {
            older_than: t(s),
            ..Default::default()
        };
        let newer = |s| EthernetInterfaceFilter {
            newer_than: t(s),
            ..Default::default()
        };
        assert!(!older(at).matches(&e));
        assert!(!newer(at).matches(&e));
        assert!(older("2025-01-01T00:00:00.000001Z").matches(&e));
        assert!(newer("2024-12-31T23:59:59.999999Z").matches(&e));
        assert!(!older("2030-01-01T00:00:00Z").matches(&iface("02:00:00:00:00:02", &[], "")));
        assert!(EthernetInterfaceFilter::default().matches(&iface("02:00:00:00:00:02", &[], "")));
    }

    #[test]
    fn component_endpoint_terms() {
        let ce: ComponentEndpoint = serde_json::from_value(serde_json::json!({
            "ID": "x0c0s0b0n0", "Type": "Node", "RedfishType": "ComputerSystem",
            "RedfishEndpointID": "x0c0s0b0"
        }))
        .unwrap();
        let x = |s: &str| s.parse::<Xname>().unwrap();
        let all = ComponentEndpointFilter::default();
        assert!(all.matches(&ce));
        let f = ComponentEndpointFilter {
            id: vec![x("x0c0s0b0n1"), x("x0c0s0b0n0")],
            redfish_ep: vec![x("x0c0s0b0")],
            ..Default::default()
        };
        assert!(f.matches(&ce));
        let other_ep = ComponentEndpointFilter {
            redfish_ep: vec![x("x0c0s1b0")],
            ..Default::default()
        };
        assert!(!other_ep.matches(&ce));
        let manager = ComponentEndpointFilter {
            redfish_type: vec!["Manager".into()],
            ..Default::default()
        };
        assert!(!manager.matches(&ce));
    }
}
