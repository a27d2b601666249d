//! SMD inventory records: Redfish endpoints, component endpoints and ethernet interfaces,
//! with SMD's JSON keys (hardware by location is in [`crate::hardware`]).

use serde::{Deserialize, Serialize};

use crate::{Error, HmsType, MacAddr, Xname};

fn is_false(b: &bool) -> bool {
    !*b
}

fn default_true() -> bool {
    true
}

/// The `{"URI": ...}` body SMD answers a creation with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceUri {
    /// Path of the new resource.
    #[serde(rename = "URI")]
    pub uri: String,
}

/// `DiscoveryInfo` of a Redfish endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DiscoveryInfo {
    /// RFC 3339 time of the last attempt.
    #[serde(
        rename = "LastDiscoveryAttempt",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub last_attempt: String,
    /// `NotYetQueried`, `DiscoverOK`, `HTTPsGetFailed`, ...
    #[serde(rename = "LastDiscoveryStatus", default)]
    pub last_status: String,
    /// Redfish version the service root reported.
    #[serde(
        rename = "RedfishVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub redfish_version: String,
}

/// A BMC (or other Redfish service) SMD knows about: `/hsm/v2/Inventory/RedfishEndpoints`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct RedfishEndpoint {
    /// Controller xname (`NodeBMC`, `ChassisBMC`, `RouterBMC`, `CabinetPDUController`, or a
    /// management switch).
    #[serde(rename = "ID", alias = "id")]
    pub id: Xname,
    /// HMS type, derived from `ID`.
    #[serde(
        rename = "Type",
        default = "default_type",
        deserialize_with = "ignore_type"
    )]
    pub hms_type: HmsType,
    /// Free-text name.
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Host name or IP address.
    #[serde(rename = "Hostname", default)]
    pub hostname: String,
    /// DNS domain.
    #[serde(rename = "Domain", default)]
    pub domain: String,
    /// `hostname[.domain]`, or the IP.
    #[serde(rename = "FQDN", default)]
    pub fqdn: String,
    /// Whether discovery may use it.
    #[serde(rename = "Enabled", default = "default_true")]
    pub enabled: bool,
    /// Service UUID.
    #[serde(rename = "UUID", default, skip_serializing_if = "String::is_empty")]
    pub uuid: String,
    /// BMC user name.
    #[serde(rename = "User", default)]
    pub user: String,
    /// BMC password. Never shown by `Debug`.
    #[serde(rename = "Password", default)]
    pub password: String,
    /// Use SSDP.
    #[serde(rename = "UseSSDP", default, skip_serializing_if = "is_false")]
    pub use_ssdp: bool,
    /// MAC required.
    #[serde(rename = "MACRequired", default, skip_serializing_if = "is_false")]
    pub mac_required: bool,
    /// BMC MAC address.
    #[serde(
        rename = "MACAddr",
        default,
        skip_serializing_if = "Option::is_none",
        with = "empty_as_none"
    )]
    pub mac_addr: Option<MacAddr>,
    /// BMC IP address.
    #[serde(
        rename = "IPAddress",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub ip_address: String,
    /// Rediscover when updated.
    #[serde(rename = "RediscoverOnUpdate", default)]
    pub rediscover_on_update: bool,
    /// Template id.
    #[serde(
        rename = "TemplateID",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub template_id: String,
    /// Discovery status.
    #[serde(rename = "DiscoveryInfo", default)]
    pub discovery_info: DiscoveryInfo,
}

fn default_type() -> HmsType {
    HmsType::NodeBMC
}

/// `Type` on input is ignored (Magellan even sends `""`); [`RedfishEndpoint::normalize`]
/// derives it from `ID`.
fn ignore_type<'de, D: serde::Deserializer<'de>>(d: D) -> Result<HmsType, D::Error> {
    serde::de::IgnoredAny::deserialize(d)?;
    Ok(default_type())
}

impl std::fmt::Debug for RedfishEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedfishEndpoint")
            .field("id", &self.id)
            .field("fqdn", &self.fqdn)
            .field("ip_address", &self.ip_address)
            .field("mac_addr", &self.mac_addr)
            .field("uuid", &self.uuid)
            .field("user", &self.user)
            .field(
                "password",
                &if self.password.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .field("enabled", &self.enabled)
            .field("discovery_info", &self.discovery_info)
            .finish_non_exhaustive()
    }
}

impl RedfishEndpoint {
    /// A new endpoint for `id` at `host` (a host name or IP), with SMD's defaults.
    pub fn new(id: Xname, host: &str) -> Self {
        let is_ip = host.parse::<std::net::IpAddr>().is_ok();
        RedfishEndpoint {
            id,
            hms_type: id.hms_type(),
            name: String::new(),
            hostname: host.to_owned(),
            domain: String::new(),
            fqdn: host.to_owned(),
            enabled: true,
            uuid: String::new(),
            user: String::new(),
            password: String::new(),
            use_ssdp: false,
            mac_required: false,
            mac_addr: None,
            ip_address: if is_ip {
                host.to_owned()
            } else {
                String::new()
            },
            rediscover_on_update: false,
            template_id: String::new(),
            discovery_info: DiscoveryInfo {
                last_status: "NotYetQueried".into(),
                ..Default::default()
            },
        }
    }

    /// SMD's validation and normalization (`NewRedfishEPDescription`): the id must be a
    /// controller or management switch, `Type` follows the id, FQDN is derived from hostname
    /// and domain when absent, and `IPAddress` must parse.
    pub fn normalize(&mut self) -> Result<(), Error> {
        let t = self.id.hms_type();
        if !(t.is_controller()
            || matches!(
                t,
                HmsType::MgmtSwitch | HmsType::MgmtHLSwitch | HmsType::CDUMgmtSwitch
            ))
        {
            return Err(Error::invalid(
                "ID",
                self.id.to_string(),
                format!("a controller xname for an RF endpoint, not {t}"),
            ));
        }
        self.hms_type = t;
        if !self.ip_address.is_empty() && self.ip_address.parse::<std::net::IpAddr>().is_err() {
            return Err(Error::invalid(
                "IPAddress",
                self.ip_address.clone(),
                "an IP address",
            ));
        }
        if self.hostname.is_empty() {
            self.hostname = if self.ip_address.is_empty() {
                self.id.to_string()
            } else {
                self.ip_address.clone()
            };
        }
        let derived = if self.domain.is_empty() || self.hostname.parse::<std::net::IpAddr>().is_ok()
        {
            self.hostname.clone()
        } else {
            format!("{}.{}", self.hostname, self.domain)
        };
        if self.fqdn.is_empty() {
            self.fqdn = derived;
        }
        if self.discovery_info.last_status.is_empty() {
            self.discovery_info.last_status = "NotYetQueried".into();
        }
        Ok(())
    }
}

/// An `EthernetNICInfo` entry of a component endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EthernetNicInfo {
    /// Redfish `Id` of the interface.
    #[serde(rename = "RedfishId", default)]
    pub redfish_id: String,
    /// Redfish `@odata.id`.
    #[serde(rename = "@odata.id", default)]
    pub odata_id: String,
    /// Description.
    #[serde(
        rename = "Description",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
    /// FQDN.
    #[serde(rename = "FQDN", default, skip_serializing_if = "String::is_empty")]
    pub fqdn: String,
    /// Host name.
    #[serde(rename = "Hostname", default, skip_serializing_if = "String::is_empty")]
    pub hostname: String,
    /// Whether the interface is enabled.
    #[serde(
        rename = "InterfaceEnabled",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub interface_enabled: Option<bool>,
    /// MAC address, lowercase colon form; empty when the BMC gave none.
    #[serde(rename = "MACAddress", default)]
    pub mac_address: String,
    /// Permanent MAC address.
    #[serde(
        rename = "PermanentMACAddress",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub permanent_mac_address: String,
}

/// `RedfishSystemInfo` of a ComputerSystem component endpoint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RedfishSystemInfo {
    /// System name.
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Redfish actions (raw).
    #[serde(rename = "Actions", default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<serde_json::Value>,
    /// NICs.
    #[serde(
        rename = "EthernetNICInfo",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ethernet_nic_info: Vec<EthernetNicInfo>,
    /// Power URL.
    #[serde(rename = "PowerURL", default, skip_serializing_if = "String::is_empty")]
    pub power_url: String,
    /// Power control (raw).
    #[serde(
        rename = "PowerControl",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub power_control: Vec<serde_json::Value>,
}

/// `RedfishManagerInfo` of a Manager component endpoint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RedfishManagerInfo {
    /// Manager name.
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Redfish actions (raw).
    #[serde(rename = "Actions", default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<serde_json::Value>,
    /// NICs.
    #[serde(
        rename = "EthernetNICInfo",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ethernet_nic_info: Vec<EthernetNicInfo>,
}

/// A component as reached through a Redfish endpoint: `/hsm/v2/Inventory/ComponentEndpoints`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentEndpoint {
    /// The component's xname.
    #[serde(rename = "ID")]
    pub id: Xname,
    /// Its HMS type.
    #[serde(rename = "Type")]
    pub hms_type: HmsType,
    /// Domain.
    #[serde(rename = "Domain", default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
    /// FQDN.
    #[serde(rename = "FQDN", default, skip_serializing_if = "String::is_empty")]
    pub fqdn: String,
    /// Redfish object type: `ComputerSystem`, `Manager`, `Chassis`, ...
    #[serde(rename = "RedfishType")]
    pub redfish_type: String,
    /// Redfish subtype (`Physical`, `BMC`, `EnclosureManager`, ...).
    #[serde(rename = "RedfishSubtype", default)]
    pub redfish_subtype: String,
    /// MAC address.
    #[serde(rename = "MACAddr", default, skip_serializing_if = "String::is_empty")]
    pub mac_addr: String,
    /// UUID.
    #[serde(rename = "UUID", default, skip_serializing_if = "String::is_empty")]
    pub uuid: String,
    /// Redfish `@odata.id`.
    #[serde(rename = "OdataID", default)]
    pub odata_id: String,
    /// The parent Redfish endpoint.
    #[serde(rename = "RedfishEndpointID")]
    pub redfish_endpoint_id: Xname,
    /// Enabled.
    #[serde(rename = "Enabled", default = "default_true")]
    pub enabled: bool,
    /// FQDN of the parent endpoint.
    #[serde(rename = "RedfishEndpointFQDN", default)]
    pub redfish_endpoint_fqdn: String,
    /// `<endpoint fqdn><odata id>`.
    #[serde(rename = "RedfishURL", default)]
    pub redfish_url: String,
    /// `ComponentEndpointComputerSystem`, `ComponentEndpointManager`, ...
    #[serde(rename = "ComponentEndpointType", default)]
    pub component_endpoint_type: String,
    /// Chassis details (raw).
    #[serde(
        rename = "RedfishChassisInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub chassis_info: Option<serde_json::Value>,
    /// System details.
    #[serde(
        rename = "RedfishSystemInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub system_info: Option<RedfishSystemInfo>,
    /// Manager details.
    #[serde(
        rename = "RedfishManagerInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub manager_info: Option<RedfishManagerInfo>,
}

impl ComponentEndpoint {
    /// The MAC addresses of the component's NICs that parse as MACs.
    pub fn macs(&self) -> Vec<MacAddr> {
        let nics = self
            .system_info
            .iter()
            .flat_map(|s| &s.ethernet_nic_info)
            .chain(self.manager_info.iter().flat_map(|m| &m.ethernet_nic_info));
        nics.filter_map(|n| n.mac_address.parse().ok()).collect()
    }
}

/// One IP address of an ethernet interface.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IpAddressEntry {
    /// The address.
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    /// The network it is on.
    #[serde(rename = "Network", default, skip_serializing_if = "String::is_empty")]
    pub network: String,
}

impl IpAddressEntry {
    /// The address, or an error naming `IPAddress` when it is not one.
    ///
    /// ```
    /// use ochami_core::IpAddressEntry;
    /// let e = IpAddressEntry { ip_address: "10.0.0.300".into(), network: String::new() };
    /// assert_eq!(
    ///     e.address().unwrap_err().to_string(),
    ///     r#"invalid IPAddress "10.0.0.300": expected an IP address"#
    /// );
    /// ```
    pub fn address(&self) -> Result<std::net::IpAddr, Error> {
        self.ip_address
            .parse()
            .map_err(|_| Error::invalid("IPAddress", self.ip_address.clone(), "an IP address"))
    }
}

/// A component's ethernet interface: `/hsm/v2/Inventory/EthernetInterfaces`. This is what
/// BSS, cloud-init and DHCP use to map MAC and IP to xname.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EthernetInterface {
    /// MAC without separators (SMD's id).
    #[serde(rename = "ID", default)]
    pub id: String,
    /// Description.
    #[serde(rename = "Description", default)]
    pub description: String,
    /// MAC address.
    #[serde(rename = "MACAddress")]
    pub mac_address: MacAddr,
    /// RFC 3339 time of the last IP change.
    #[serde(rename = "LastUpdate", default)]
    pub last_update: String,
    /// Owning component, if known.
    #[serde(rename = "ComponentID", default, with = "empty_as_none")]
    pub component_id: Option<Xname>,
    /// Type of the owning component (empty when there is none).
    #[serde(rename = "Type", default, with = "empty_as_none")]
    pub hms_type: Option<HmsType>,
    /// IP addresses.
    #[serde(rename = "IPAddresses", default)]
    pub ip_addresses: Vec<IpAddressEntry>,
}

impl EthernetInterface {
    /// An interface for `mac`, owned by `component`, with the given IPs.
    pub fn new(
        mac: MacAddr,
        component: Option<Xname>,
        ips: impl IntoIterator<Item = String>,
    ) -> Self {
        EthernetInterface {
            id: mac.to_id(),
            description: String::new(),
            mac_address: mac,
            last_update: String::new(),
            component_id: component,
            hms_type: component.map(|c| c.hms_type()),
            ip_addresses: ips
                .into_iter()
                .map(|ip| IpAddressEntry {
                    ip_address: ip,
                    network: String::new(),
                })
                .collect(),
        }
    }

    /// SMD's normalization: id from the MAC, type from the component, every IP must parse.
    pub fn normalize(&mut self) -> Result<(), Error> {
        self.id = self.mac_address.to_id();
        self.hms_type = self.component_id.map(|c| c.hms_type());
        for ip in &self.ip_addresses {
            ip.address()?;
        }
        Ok(())
    }
}

/// `PATCH /Inventory/EthernetInterfaces/{id}`: any of the description, the owning component
/// and the IP list.
///
/// ```
/// use ochami_core::EthernetInterfacePatch;
/// let patch: EthernetInterfacePatch = serde_json::from_str("{}")?;
/// assert_eq!(
///     patch.checked().unwrap_err().to_string(),
///     "Missing Description, ComponentID or IPAddresses"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EthernetInterfacePatch {
    /// New description.
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    /// New owning component.
    #[serde(rename = "ComponentID", default)]
    pub component_id: Option<Xname>,
    /// New IP list.
    #[serde(rename = "IPAddresses", default)]
    pub ip_addresses: Option<Vec<IpAddressEntry>>,
}

impl EthernetInterfacePatch {
    /// The patch when it changes something; SMD's `Missing Description, ComponentID or
    /// IPAddresses` ([`Error::MissingUpdate`]) when it names none of them.
    pub fn checked(self) -> Result<Self, Error> {
        if self.description.is_none() && self.component_id.is_none() && self.ip_addresses.is_none()
        {
            return Err(Error::MissingUpdate(
                "Description, ComponentID or IPAddresses",
            ));
        }
        Ok(self)
    }
}

/// Optional values written as `""` when absent (SMD's Go zero values) and read back leniently.
mod empty_as_none {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<T: Display, S: Serializer>(
        v: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(x) => s.collect_str(x),
            None => s.serialize_str(""),
        }
    }

    pub(super) fn deserialize<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr,
        T::Err: Display,
        D: Deserializer<'de>,
    {
        let s = Option::<String>::deserialize(d)?.unwrap_or_default();
        if s.trim().is_empty() {
            Ok(None)
        } else {
            s.parse().map(Some).map_err(serde::de::Error::custom)
        }
    }
}
