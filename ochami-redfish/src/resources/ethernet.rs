//! `EthernetInterface`: a NIC of a system or of a manager.

use std::net::Ipv4Addr;

use ochami_core::MacAddr;
use serde::Serialize;
use serde_json::Value;

use super::lenient::{self, tolerant_deserialize};

/// `GET .../EthernetInterfaces/<id>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EthernetInterface {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `Id`.
    pub id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `MACAddress` (`None` for placeholders such as `"Not Available"`).
    pub mac: Option<MacAddr>,
    /// `PermanentMACAddress`.
    pub permanent_mac: Option<MacAddr>,
    /// `IPv4Addresses[].Address`, without `0.0.0.0` and `"N/A"`.
    pub ipv4: Vec<Ipv4Addr>,
    /// `IPv4StaticAddresses[].Address`.
    pub ipv4_static: Vec<Ipv4Addr>,
    /// `InterfaceEnabled`.
    pub enabled: Option<bool>,
    /// `HostName`.
    pub host_name: Option<String>,
    /// `FQDN`.
    pub fqdn: Option<String>,
    /// `Oem`, raw.
    pub oem: Option<Value>,
}

impl EthernetInterface {
    /// Reads an EthernetInterface tolerantly.
    pub fn from_value(v: &Value) -> Self {
        EthernetInterface {
            odata_id: lenient::odata_id(v),
            id: lenient::text(v, "Id"),
            name: lenient::text(v, "Name"),
            description: lenient::text(v, "Description"),
            mac: lenient::mac(v, "MACAddress"),
            permanent_mac: lenient::mac(v, "PermanentMACAddress"),
            ipv4: lenient::ipv4_list(v, "IPv4Addresses"),
            ipv4_static: lenient::ipv4_list(v, "IPv4StaticAddresses"),
            enabled: lenient::boolean(v, "InterfaceEnabled"),
            host_name: lenient::text(v, "HostName"),
            fqdn: lenient::text(v, "FQDN"),
            oem: lenient::oem(v),
        }
    }

    /// The interface's MAC: `MACAddress`, else `PermanentMACAddress`.
    pub fn effective_mac(&self) -> Option<MacAddr> {
        self.mac.or(self.permanent_mac)
    }

    /// True when `ip` is one of this interface's IPv4 addresses (assigned or static).
    pub fn has_ipv4(&self, ip: Ipv4Addr) -> bool {
        self.ipv4.contains(&ip) || self.ipv4_static.contains(&ip)
    }
}

tolerant_deserialize!(EthernetInterface);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quirky_nics() {
        let cray = EthernetInterface::from_value(&json!({
            "MACAddress": "Not Available", "PermanentMACAddress": ""}));
        assert_eq!(cray.effective_mac(), None);
        let ilo = EthernetInterface::from_value(&json!({
            "MACAddress": "94:40:C9:37:D3:FD", "IPv4Addresses": [{"Address": "0.0.0.0"}],
            "InterfaceEnabled": false}));
        assert!(ilo.ipv4.is_empty());
        assert_eq!(ilo.enabled, Some(false));
        assert_eq!(
            ilo.effective_mac().unwrap().to_string(),
            "94:40:c9:37:d3:fd"
        );
        let na = EthernetInterface::from_value(&json!({"IPv4Addresses": [{"Address": "N/A"}],
            "IPv4StaticAddresses": "nope", "InterfaceEnabled": "maybe"}));
        assert!(na.ipv4.is_empty() && na.ipv4_static.is_empty());
        assert_eq!(na.enabled, None);
    }
}
