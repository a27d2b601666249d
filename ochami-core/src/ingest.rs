//! Discovery ingest: the body Magellan (and `ochami discover`) POST to
//! `/hsm/v2/Inventory/RedfishEndpoints` with `"SchemaVersion": 1`, and its expansion into
//! SMD inventory.
//!
//! Besides Magellan's fields, a system may carry its parts (`processors`, `memory`,
//! `storage`, `network_adapters`, `chassis`; see [`crate::hardware::discovered`]); they
//! expand into hardware-by-location records, so `ochami discover --store` and a POST of
//! the same body store the same records.
//!
//! The expansion follows OpenCHAMI SMD's v2 parser with two deliberate differences:
//! - one node per distinct ComputerSystem (`uri`), not per distinct UUID, so systems without a
//!   UUID (HPE Cray EX blades) stay distinct instead of collapsing into one node;
//! - NIDs come from SMD's default rule ([`crate::bogus_nid`]), unique per node xname, instead
//!   of `1..n` per endpoint, which collides as soon as there are two BMCs.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

pub use crate::hardware::discovered::{
    AdapterDetail, ChassisDetail, DriveDetail, MemoryDetail, PartDetail, ProcessorDetail,
    StorageDetail,
};
use crate::hardware::discovered::{enclosure_record, part_records};
use crate::{
    Component, ComponentEndpoint, Error, EthernetInterface, EthernetNicInfo, Flag, FruInfo,
    HardwareRecord, HardwareStatus, HmsType, LocationInfo, MacAddr, MemorySummary, NodeFruInfo,
    NodeLocationInfo, PopulatedFru, ProcessorSummary, RedfishEndpoint, RedfishManagerInfo,
    RedfishSystemInfo, Role, State, Xname, fru_id,
};

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

fn is_zero_f64(n: &f64) -> bool {
    *n == 0.0
}

/// One NIC as discovery reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InterfaceDetail {
    /// URL or path of the Redfish EthernetInterface.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uri: String,
    /// MAC address as the BMC gave it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac: String,
    /// IPv4 address as the BMC gave it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ip: String,
    /// Name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Whether the interface is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// Power details of a system.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PowerDetail {
    /// `On`, `Off`, ...
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
    /// `@odata.id`s of the PowerControl entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub power_control_ids: Vec<String>,
}

/// Links of a system.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LinksDetail {
    /// Chassis `@odata.id`s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chassis: Vec<String>,
    /// Manager `@odata.id`s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managers: Vec<String>,
}

/// One ComputerSystem (`InventoryDetail` upstream).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SystemDetail {
    /// URL or path of the system.
    #[serde(default)]
    pub uri: String,
    /// UUID.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uuid: String,
    /// Manufacturer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manufacturer: String,
    /// `Physical`, `Virtual`, ...
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub system_type: String,
    /// Name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Model.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub model: String,
    /// Serial number.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub serial: String,
    /// BIOS version.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bios_version: String,
    /// NICs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ethernet_interfaces: Vec<InterfaceDetail>,
    /// Allowed reset types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Power.
    #[serde(default)]
    pub power: PowerDetail,
    /// Number of processors.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub processor_count: u32,
    /// Processor model.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub processor_type: String,
    /// Memory in GiB.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub memory_total: f64,
    /// Links.
    #[serde(default)]
    pub links: LinksDetail,
    /// Processors, GPUs and other accelerators, one per socket or device (ochami
    /// extension, absent from Magellan's body).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processors: Vec<ProcessorDetail>,
    /// DIMM slots, empty ones included (ochami extension).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memory: Vec<MemoryDetail>,
    /// Storage subsystems and their drives (ochami extension).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<StorageDetail>,
    /// Network adapters of the node's chassis (ochami extension).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_adapters: Vec<AdapterDetail>,
    /// The chassis holding the node, as enclosure FRUs (ochami extension).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chassis: Vec<ChassisDetail>,
}

/// One Manager.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ManagerDetail {
    /// URL or path of the manager.
    #[serde(default)]
    pub uri: String,
    /// UUID.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uuid: String,
    /// Name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Model.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub model: String,
    /// `BMC`, `EnclosureManager`, ...
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub manager_type: String,
    /// Firmware version.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub firmware_version: String,
    /// NICs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ethernet_interfaces: Vec<InterfaceDetail>,
}

/// The discovery body: a Redfish endpoint plus what was found behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointIngest {
    /// The endpoint itself (its keys are flattened into the body).
    #[serde(flatten)]
    pub endpoint: RedfishEndpoint,
    /// `1` selects SMD's v2 parser.
    #[serde(rename = "SchemaVersion", default)]
    pub schema_version: u32,
    /// ComputerSystems.
    #[serde(rename = "Systems", default)]
    pub systems: Vec<SystemDetail>,
    /// Managers.
    #[serde(rename = "Managers", default)]
    pub managers: Vec<ManagerDetail>,
}

/// Everything an ingest body puts into SMD.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Inventory {
    /// The Redfish endpoints (one per ingest).
    pub endpoints: Vec<RedfishEndpoint>,
    /// The controller and node components.
    pub components: Vec<Component>,
    /// Component endpoints.
    pub component_endpoints: Vec<ComponentEndpoint>,
    /// Ethernet interfaces with a valid MAC.
    pub ethernet_interfaces: Vec<EthernetInterface>,
    /// Hardware by location: nodes, their parts and enclosures.
    pub hardware: Vec<HardwareRecord>,
}

impl Inventory {
    /// Append another inventory.
    pub fn extend(&mut self, other: Inventory) {
        self.endpoints.extend(other.endpoints);
        self.components.extend(other.components);
        self.component_endpoints.extend(other.component_endpoints);
        self.ethernet_interfaces.extend(other.ethernet_interfaces);
        self.hardware.extend(other.hardware);
    }
}

/// The path part of a URL (`https://h:443/redfish/v1/x` -> `/redfish/v1/x`); paths pass through.
pub fn uri_path(uri: &str) -> &str {
    match uri.find("://") {
        Some(i) => {
            let rest = &uri[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => uri,
    }
}

/// A value a BMC sends when it has none (`N/A`, `Not Available`, `0.0.0.0`, empty).
pub fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    t.is_empty()
        || t.eq_ignore_ascii_case("n/a")
        || t.eq_ignore_ascii_case("not available")
        || t.eq_ignore_ascii_case("unknown")
        || t.eq_ignore_ascii_case("none")
        || t == "0.0.0.0"
        || t == "::"
}

fn nic_info(n: &InterfaceDetail) -> EthernetNicInfo {
    let path = uri_path(&n.uri);
    EthernetNicInfo {
        redfish_id: path.rsplit('/').next().unwrap_or_default().to_owned(),
        odata_id: path.to_owned(),
        description: n.description.clone(),
        interface_enabled: n.enabled,
        mac_address: n
            .mac
            .parse::<MacAddr>()
            .map(|m| m.to_string())
            .unwrap_or_default(),
        ..Default::default()
    }
}

impl EndpointIngest {
    /// Whether the body carries a discovery result (a `SchemaVersion`, Systems or Managers) to
    /// expand, rather than a bare endpoint to register.
    pub fn is_discovery(&self) -> bool {
        self.schema_version > 0 || !self.systems.is_empty() || !self.managers.is_empty()
    }

    /// Expand into SMD inventory (see the module docs for the rules).
    ///
    /// ```
    /// use ochami_core::ingest::{EndpointIngest, InterfaceDetail, SystemDetail};
    /// let body = r#"{"ID":"x1000c0s0b0","FQDN":"10.0.0.5","SchemaVersion":1,
    ///   "Systems":[{"uri":"/redfish/v1/Systems/1","ethernet_interfaces":[{"mac":"AA:BB:CC:00:00:01","ip":"10.1.0.1"}]}]}"#;
    /// let ingest: EndpointIngest = serde_json::from_str(body)?;
    /// let inv = ingest.expand()?;
    /// assert_eq!(inv.components.len(), 2); // the BMC and its node
    /// assert_eq!(inv.components[1].id.to_string(), "x1000c0s0b0n0");
    /// assert_eq!(inv.ethernet_interfaces[0].mac_address.to_string(), "aa:bb:cc:00:00:01");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expand(&self) -> Result<Inventory, Error> {
        let mut ep = self.endpoint.clone();
        ep.normalize()?;
        if ep.ip_address.is_empty() && ep.fqdn.parse::<std::net::IpAddr>().is_ok() {
            ep.ip_address = ep.fqdn.clone();
        }
        let bmc = ep.id;
        let mut inv = Inventory::default();
        let mut seen_macs = HashSet::new();
        let mut add_nic = |inv: &mut Inventory, owner: Xname, n: &InterfaceDetail| {
            let Ok(mac) = n.mac.parse::<MacAddr>() else {
                return;
            };
            if !seen_macs.insert(mac) {
                return;
            }
            let ips = (!is_placeholder(&n.ip) && n.ip.parse::<std::net::IpAddr>().is_ok())
                .then(|| n.ip.trim().to_owned());
            let mut e = EthernetInterface::new(mac, Some(owner), ips);
            e.description = n.description.clone();
            inv.ethernet_interfaces.push(e);
        };

        let mut controller = Component::new(bmc).with_state(State::Ready);
        controller.flag = Some(Flag::Ok);
        inv.components.push(controller);
        for m in &self.managers {
            if ep.mac_addr.is_none() {
                ep.mac_addr = m
                    .ethernet_interfaces
                    .iter()
                    .find_map(|n| n.mac.parse().ok());
            }
            inv.component_endpoints.push(ComponentEndpoint {
                id: bmc,
                hms_type: bmc.hms_type(),
                domain: ep.domain.clone(),
                fqdn: ep.fqdn.clone(),
                redfish_type: "Manager".into(),
                redfish_subtype: m.manager_type.clone(),
                mac_addr: m
                    .ethernet_interfaces
                    .iter()
                    .find_map(|n| n.mac.parse::<MacAddr>().ok())
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                uuid: m.uuid.clone(),
                odata_id: uri_path(&m.uri).to_owned(),
                redfish_endpoint_id: bmc,
                enabled: true,
                redfish_endpoint_fqdn: ep.fqdn.clone(),
                redfish_url: format!("{}{}", ep.fqdn, uri_path(&m.uri)),
                component_endpoint_type: "ComponentEndpointManager".into(),
                chassis_info: None,
                system_info: None,
                manager_info: Some(RedfishManagerInfo {
                    name: m.name.clone(),
                    actions: None,
                    ethernet_nic_info: m.ethernet_interfaces.iter().map(nic_info).collect(),
                }),
            });
            for n in &m.ethernet_interfaces {
                add_nic(&mut inv, bmc, n);
            }
        }

        let mut systems: Vec<&SystemDetail> = Vec::new();
        let mut seen_uris = HashSet::new();
        for s in &self.systems {
            if seen_uris.insert(uri_path(&s.uri)) {
                systems.push(s);
            }
        }
        if !systems.is_empty() && bmc.hms_type() != HmsType::NodeBMC {
            return Err(Error::invalid(
                "ID",
                bmc.to_string(),
                "a NodeBMC xname for an endpoint with Systems",
            ));
        }
        let mut enclosures: Vec<(String, &ChassisDetail)> = Vec::new();
        for (k, s) in systems.into_iter().enumerate() {
            let k = u32::try_from(k)
                .map_err(|_| Error::invalid("Systems", k.to_string(), "fewer systems"))?;
            let node = bmc.node(k)?;
            let state = match s.power.state.to_ascii_lowercase().as_str() {
                "off" => State::Off,
                _ => State::On,
            };
            let mut c = Component::new(node)
                .with_state(state)
                .with_role(Role::Compute);
            c.nid = crate::bogus_nid(&node);
            inv.components.push(c);
            let path = uri_path(&s.uri);
            let power_url = s
                .links
                .chassis
                .first()
                .map(|c| format!("{}/Power", uri_path(c)))
                .unwrap_or_default();
            let actions = (!s.actions.is_empty()).then(|| {
                serde_json::json!({"#ComputerSystem.Reset": {
                    "ResetType@Redfish.AllowableValues": s.actions,
                    "target": format!("{path}/Actions/ComputerSystem.Reset"),
                }})
            });
            inv.component_endpoints.push(ComponentEndpoint {
                id: node,
                hms_type: node.hms_type(),
                domain: ep.domain.clone(),
                fqdn: ep.fqdn.clone(),
                redfish_type: "ComputerSystem".into(),
                redfish_subtype: s.system_type.clone(),
                mac_addr: String::new(),
                uuid: s.uuid.clone(),
                odata_id: path.to_owned(),
                redfish_endpoint_id: bmc,
                enabled: true,
                redfish_endpoint_fqdn: ep.fqdn.clone(),
                redfish_url: format!("{}{}", ep.fqdn, path),
                component_endpoint_type: "ComponentEndpointComputerSystem".into(),
                chassis_info: None,
                system_info: Some(RedfishSystemInfo {
                    name: s.name.clone(),
                    actions,
                    ethernet_nic_info: s.ethernet_interfaces.iter().map(nic_info).collect(),
                    power_url,
                    power_control: s
                        .power
                        .power_control_ids
                        .iter()
                        .map(|id| serde_json::json!({"@odata.id": id}))
                        .collect(),
                }),
                manager_info: None,
            });
            for n in &s.ethernet_interfaces {
                add_nic(&mut inv, node, n);
            }
            let node_fru = NodeFruInfo {
                bios_version: s.bios_version.clone(),
                model: s.model.clone(),
                manufacturer: s.manufacturer.clone(),
                serial_number: s.serial.clone(),
                system_type: s.system_type.clone(),
                uuid: s.uuid.clone(),
                ..Default::default()
            };
            inv.hardware.push(HardwareRecord {
                id: node,
                status: HardwareStatus::Populated,
                location: LocationInfo::Node(NodeLocationInfo {
                    id: path.rsplit('/').next().unwrap_or_default().to_owned(),
                    name: s.name.clone(),
                    description: String::new(),
                    hostname: String::new(),
                    processor_summary: ProcessorSummary {
                        count: s.processor_count,
                        model: s.processor_type.clone(),
                    },
                    memory_summary: MemorySummary {
                        total_system_memory_gib: s.memory_total,
                    },
                    power_state: s.power.state.clone(),
                }),
                fru: Some(PopulatedFru {
                    fru_id: fru_id(HmsType::Node, &s.manufacturer, "", &s.serial, &node),
                    subtype: String::new(),
                    info: FruInfo::Node(node_fru),
                }),
            });
            inv.hardware.extend(part_records(
                node,
                &s.processors,
                &s.memory,
                &s.storage,
                &s.network_adapters,
            ));
            for c in &s.chassis {
                let key = uri_path(&c.uri).to_owned();
                if !enclosures.iter().any(|(k, _)| *k == key) {
                    enclosures.push((key, c));
                }
            }
        }
        // Enclosures are children of the BMC's slot (`x..s<n>e<k>`), numbered in the order
        // the systems name them.
        if let Some(slot) = bmc.parent() {
            for (k, (_, c)) in enclosures.into_iter().enumerate() {
                if let Ok(id) = slot.child(HmsType::NodeEnclosure, k as u32) {
                    inv.hardware.push(enclosure_record(id, c));
                }
            }
        }
        ep.discovery_info.last_status = "DiscoverOK".into();
        inv.endpoints.push(ep);
        Ok(inv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system(uri: &str, mac: &str) -> SystemDetail {
        SystemDetail {
            uri: uri.into(),
            ethernet_interfaces: vec![InterfaceDetail {
                mac: mac.into(),
                ip: "N/A".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn systems_without_uuid_stay_distinct_and_duplicates_merge() {
        let mut ep = RedfishEndpoint::new("x1000c0s0b0".parse().unwrap(), "10.0.0.1");
        ep.password = "secret".into();
        let ingest = EndpointIngest {
            endpoint: ep,
            schema_version: 1,
            systems: vec![
                system(
                    "https://10.0.0.1/redfish/v1/Systems/Node0",
                    "aa:bb:cc:dd:ee:00",
                ),
                system("/redfish/v1/Systems/Node1", "Not Available"),
                system("/redfish/v1/Systems/Node0", "aa:bb:cc:dd:ee:00"),
            ],
            managers: vec![],
        };
        let inv = ingest.expand().unwrap();
        let ids: Vec<String> = inv.components.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ids, ["x1000c0s0b0", "x1000c0s0b0n0", "x1000c0s0b0n1"]);
        assert_eq!(inv.ethernet_interfaces.len(), 1);
        assert!(inv.ethernet_interfaces[0].ip_addresses.is_empty());
        assert_eq!(inv.components[1].nid, Some(16400384));
        assert!(!format!("{:?}", inv.endpoints[0]).contains("secret"));
    }

    #[test]
    fn magellan_body_parses() {
        let body = r#"{"ID":"x320c0s10b2","Type":"","Name":"","FQDN":"10.0.5.2","User":"root","MACRequired":true,
          "RediscoverOnUpdate":false,"SchemaVersion":1,"MACAddr":"94:40:C9:37:D3:FC",
          "Systems":[{"uri":"https://10.0.5.2:443/redfish/v1/Systems/1","uuid":"36383150","power":{"state":"On"},
            "serial_console":{"impi":{}},"processor_count":1,"memory_total":64,"links":{"chassis":["/redfish/v1/Chassis/1"]}}],
          "Managers":[{"uri":"https://10.0.5.2:443/redfish/v1/Managers/1","type":"BMC",
            "ethernet_interfaces":[{"mac":"94:40:C9:37:D3:FC","ip":"10.254.1.15"}],"serial_console":["SSH"],"command_shell":null}]}"#;
        let ingest: EndpointIngest = serde_json::from_str(body).unwrap();
        let inv = ingest.expand().unwrap();
        assert_eq!(inv.endpoints[0].hms_type, HmsType::NodeBMC);
        assert_eq!(inv.endpoints[0].ip_address, "10.0.5.2");
        assert_eq!(
            inv.hardware[0]
                .node_location()
                .map(|n| n.processor_summary.count),
            Some(1)
        );
        let sys = inv
            .component_endpoints
            .iter()
            .find(|c| c.redfish_type == "ComputerSystem")
            .unwrap();
        assert_eq!(sys.odata_id, "/redfish/v1/Systems/1");
        assert_eq!(
            sys.system_info.as_ref().unwrap().power_url,
            "/redfish/v1/Chassis/1/Power"
        );
        assert_eq!(
            inv.ethernet_interfaces[0].ip_addresses[0].ip_address,
            "10.254.1.15"
        );
    }

    #[test]
    fn systems_need_a_node_bmc() {
        let ep = RedfishEndpoint::new("x1000c0b0".parse().unwrap(), "10.0.0.1");
        let ingest = EndpointIngest {
            endpoint: ep,
            schema_version: 1,
            systems: vec![system("/s/1", "")],
            managers: vec![],
        };
        assert!(ingest.expand().is_err());
    }
}
