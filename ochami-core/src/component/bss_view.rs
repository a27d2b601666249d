//! BSS's view of a node (`SMComponent`, `GET /boot/v1/hosts` and `/boot/v1/dumpstate`): the
//! SMD component plus the FQDN, MACs and endpoint state BSS gathers from component endpoints
//! and ethernet interfaces.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Component, ComponentEndpoint, EthernetInterface, MacAddr, Xname};

/// One node as BSS describes it: every `Component` key plus `FQDN`, `MAC` and
/// `EndpointEnabled`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmComponent {
    /// The component.
    #[serde(flatten)]
    pub component: Component,
    /// FQDN of the node's component endpoint (empty when none).
    #[serde(rename = "FQDN", default)]
    pub fqdn: String,
    /// MACs: the component endpoint's, then its NICs', then the ethernet interfaces', without
    /// duplicates.
    #[serde(rename = "MAC", default)]
    pub mac: Vec<String>,
    /// The component endpoint's `Enabled`; true when there is none.
    #[serde(rename = "EndpointEnabled", default)]
    pub endpoint_enabled: bool,
}

impl SmComponent {
    /// Whether the node is one of `names`, has one of `macs` or one of `nids`: the filter of
    /// BSS's `GET /boot/v1/hosts?name=&mac=&nid=` (a node matching any one term is kept).
    ///
    /// ```
    /// use ochami_core::{Component, EthernetInterface, sm_components};
    /// let node = Component::new("x0c0s0b0n0".parse()?).with_nid(7);
    /// let nic = EthernetInterface::new("aa:bb:cc:dd:ee:01".parse()?, Some(node.id), []);
    /// let host = &sm_components(&[node], &[], &[nic])[0];
    /// assert!(host.named_by(&[], &["AA-BB-CC-DD-EE-01".parse()?], &[]));
    /// assert!(host.named_by(&[], &[], &[7]));
    /// assert!(!host.named_by(&["x0c0s0b0n1".parse()?], &[], &[8]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn named_by(&self, names: &[Xname], macs: &[MacAddr], nids: &[i64]) -> bool {
        names.contains(&self.component.id)
            || macs.iter().any(|m| self.mac.contains(&m.to_string()))
            || self.component.nid.is_some_and(|n| nids.contains(&n))
    }
}

/// Join nodes with their component endpoints and ethernet interfaces, as BSS's SMD cache
/// does (`getStateFromHSM`). Only `Node` and `VirtualNode` components are kept; the order of
/// `components` is kept.
///
/// ```
/// use ochami_core::{Component, EthernetInterface, sm_components};
/// let node = Component::new("x0c0s0b0n0".parse()?);
/// let nic = EthernetInterface::new("aa:bb:cc:dd:ee:01".parse()?, Some(node.id), []);
/// let hosts = sm_components(&[node], &[], &[nic]);
/// assert_eq!(hosts[0].mac, ["aa:bb:cc:dd:ee:01"]);
/// assert!(hosts[0].endpoint_enabled);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sm_components(
    components: &[Component],
    endpoints: &[ComponentEndpoint],
    interfaces: &[EthernetInterface],
) -> Vec<SmComponent> {
    let by_id: BTreeMap<Xname, &ComponentEndpoint> = endpoints.iter().map(|e| (e.id, e)).collect();
    let mut iface_macs: BTreeMap<Xname, Vec<MacAddr>> = BTreeMap::new();
    for i in interfaces {
        if let Some(c) = i.component_id {
            iface_macs.entry(c).or_default().push(i.mac_address);
        }
    }
    components
        .iter()
        .filter(|c| c.is_node())
        .map(|c| {
            let ep = by_id.get(&c.id);
            let mut macs: Vec<MacAddr> = Vec::new();
            if let Some(ep) = ep {
                macs.extend(ep.mac_addr.parse::<MacAddr>().ok());
                macs.extend(ep.macs());
            }
            macs.extend(iface_macs.get(&c.id).into_iter().flatten().copied());
            let mut seen = std::collections::HashSet::new();
            macs.retain(|m| seen.insert(*m));
            SmComponent {
                component: c.clone(),
                fqdn: ep.map(|e| e.fqdn.clone()).unwrap_or_default(),
                mac: macs.iter().map(MacAddr::to_string).collect(),
                endpoint_enabled: ep.is_none_or(|e| e.enabled),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_keeps_nodes_only() {
        let n: Component = Component::new("x0c0s0b0n0".parse().unwrap());
        let bmc = Component::new("x0c0s0b0".parse().unwrap());
        let i1 = EthernetInterface::new("aa:bb:cc:dd:ee:02".parse().unwrap(), Some(n.id), []);
        let i2 = EthernetInterface::new("aa:bb:cc:dd:ee:01".parse().unwrap(), Some(n.id), []);
        let hosts = sm_components(&[bmc, n], &[], &[i1, i2.clone(), i2]);
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].mac, ["aa:bb:cc:dd:ee:02", "aa:bb:cc:dd:ee:01"]);
        let wire = serde_json::to_value(&hosts[0]).unwrap();
        assert_eq!(wire["ID"], "x0c0s0b0n0");
        assert_eq!(wire["EndpointEnabled"], true);
        assert_eq!(wire["FQDN"], "");
    }
}
