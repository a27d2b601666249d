//! Synthetic BMCs: a tree with N systems and deterministic identities.

use std::net::Ipv4Addr;

use ochami_core::MacAddr;
use serde_json::{Value, json};

use super::tree::MockupTree;

/// A synthetic BMC. Identities derive from `index`, so every BMC of a fleet has distinct
/// MACs, IPs and UUIDs, and tests can compute what a crawl must find.
#[derive(Debug, Clone)]
pub struct SyntheticBmc {
    /// Distinguishes BMCs of a fleet (0..=65535 keeps MACs and IPs distinct).
    pub index: u32,
    /// Number of ComputerSystems (`Node0`, `Node1`, ...), at most 200.
    pub systems: usize,
    /// EthernetInterfaces per system.
    pub nics_per_system: usize,
    /// Processors per system.
    pub processors: u32,
    /// DIMMs per system.
    pub dimms: u32,
    /// MiB per DIMM.
    pub dimm_mib: u64,
    /// GPUs per system, listed as Processors of type `GPU`.
    pub gpus: u32,
    /// Drives per system, in one `Storage/1` subsystem.
    pub drives: u32,
    /// Include `ProcessorSummary` and `MemorySummary` (without them a crawler must read
    /// the Processors and Memory collections).
    pub summaries: bool,
    /// Give systems UUIDs.
    pub uuids: bool,
    /// Advertise `$expand` in the service root.
    pub advertise_expand: bool,
}

impl SyntheticBmc {
    /// A BMC with `systems` nodes, 2 NICs, 2 CPUs and 4 x 16 GiB each.
    pub fn new(index: u32, systems: usize) -> Self {
        SyntheticBmc {
            index,
            systems: systems.min(200),
            nics_per_system: 2,
            processors: 2,
            dimms: 4,
            dimm_mib: 16 * 1024,
            gpus: 0,
            drives: 0,
            summaries: true,
            uuids: true,
            advertise_expand: false,
        }
    }

    fn idx(&self) -> [u8; 3] {
        let i = self.index;
        [(i >> 16) as u8, (i >> 8) as u8, i as u8]
    }

    /// MAC of NIC `nic` of system `system`: `02:<0x10+system>:<index>:<nic>`.
    pub fn system_mac(&self, system: usize, nic: usize) -> MacAddr {
        let [a, b, c] = self.idx();
        MacAddr::new([0x02, 0x10 + system as u8, a, b, c, nic as u8])
    }

    /// IPv4 of NIC `nic` of system `system`: `10.<1+8*system+nic>.<index>`.
    pub fn system_ip(&self, system: usize, nic: usize) -> Ipv4Addr {
        let [_, b, c] = self.idx();
        Ipv4Addr::new(10, (1 + 8 * system + nic) as u8, b, c)
    }

    /// MAC of the BMC's own NIC: `02:ff:<index>:00`.
    pub fn bmc_mac(&self) -> MacAddr {
        let [a, b, c] = self.idx();
        MacAddr::new([0x02, 0xff, a, b, c, 0])
    }

    /// IPv4 of the BMC's own NIC: `10.254.<index>`.
    pub fn bmc_ip(&self) -> Ipv4Addr {
        let [_, b, c] = self.idx();
        Ipv4Addr::new(10, 254, b, c)
    }

    /// UUID of system `system` (or of the service with `None`).
    pub fn uuid(&self, system: Option<usize>) -> String {
        let s = system.map_or(0xffff, |s| s as u32);
        format!("5e1a0000-{s:04x}-4000-8000-{:012x}", self.index)
    }

    /// Serial number of part `kind` (`CPU`, `DIMM`, `GPU`, `DRV`) number `n` of system
    /// `system`: unique across a fleet, so every part has a trackable FRU id.
    pub fn part_serial(&self, kind: &str, system: usize, n: u32) -> String {
        format!("{kind}{:05}S{system}N{n}", self.index)
    }

    /// Total memory of one system in GiB.
    pub fn memory_gib(&self) -> f64 {
        f64::from(self.dimms) * self.dimm_mib as f64 / 1024.0
    }

    /// Builds the tree.
    pub fn build(&self) -> MockupTree {
        let mut t = MockupTree::new();
        let v1 = "/redfish/v1";
        let node = |k: usize| format!("{v1}/Systems/Node{k}");
        let link = |p: &str| json!({ "@odata.id": p });
        let collection = |path: &str, ty: &str, members: Vec<String>| {
            json!({
                "@odata.id": path,
                "@odata.type": format!("#{ty}.{ty}"),
                "Name": ty,
                "Members@odata.count": members.len(),
                "Members": members.iter().map(|m| json!({"@odata.id": m})).collect::<Vec<_>>(),
            })
        };

        let mut root = json!({
            "@odata.id": format!("{v1}/"),
            "@odata.type": "#ServiceRoot.v1_5_0.ServiceRoot",
            "Id": "RootService",
            "Name": "Root Service",
            "RedfishVersion": "1.8.0",
            "UUID": self.uuid(None),
            "Vendor": "ochami-sim",
            "Product": "Synthetic BMC",
            "Systems": link(&format!("{v1}/Systems")),
            "Chassis": link(&format!("{v1}/Chassis")),
            "Managers": link(&format!("{v1}/Managers")),
            "SessionService": link(&format!("{v1}/SessionService")),
            "Links": { "Sessions": link(&format!("{v1}/SessionService/Sessions")) },
        });
        if self.advertise_expand {
            root["ProtocolFeaturesSupported"] = json!({
                "ExpandQuery": { "ExpandAll": true, "NoLinks": true, "Links": true, "Levels": true, "MaxLevels": 3 }
            });
        }
        t.insert(v1, root);
        t.insert(
            &format!("{v1}/SessionService"),
            json!({
                "@odata.id": format!("{v1}/SessionService"),
                "@odata.type": "#SessionService.v1_1_8.SessionService",
                "ServiceEnabled": true,
                "Sessions": link(&format!("{v1}/SessionService/Sessions")),
            }),
        );
        t.insert(
            &format!("{v1}/Systems"),
            collection(
                &format!("{v1}/Systems"),
                "ComputerSystemCollection",
                (0..self.systems).map(node).collect(),
            ),
        );
        for k in 0..self.systems {
            let sys = node(k);
            let mut body = json!({
                "@odata.id": sys,
                "@odata.type": "#ComputerSystem.v1_13_0.ComputerSystem",
                "Id": format!("Node{k}"),
                "Name": format!("Node{k}"),
                "SystemType": "Physical",
                "Manufacturer": "ochami",
                "Model": "Synthetic Node",
                "SerialNumber": format!("SIM{:05}-{k}", self.index),
                "BiosVersion": "sim-1.0",
                "PowerState": if k % 2 == 0 { "On" } else { "Off" },
                "Status": { "State": "Enabled", "Health": "OK" },
                "EthernetInterfaces": link(&format!("{sys}/EthernetInterfaces")),
                "Processors": link(&format!("{sys}/Processors")),
                "Memory": link(&format!("{sys}/Memory")),
                "Storage": link(&format!("{sys}/Storage")),
                "Links": {
                    "Chassis": [link(&format!("{v1}/Chassis/Enclosure"))],
                    "ManagedBy": [link(&format!("{v1}/Managers/BMC"))],
                },
                "Boot": {
                    "BootSourceOverrideEnabled": "Disabled",
                    "BootSourceOverrideTarget": "None",
                    "BootSourceOverrideTarget@Redfish.AllowableValues": ["None", "Pxe", "UefiHttp", "Hdd", "BiosSetup"],
                    "BootSourceOverrideMode": "UEFI",
                },
                "Actions": { "#ComputerSystem.Reset": {
                    "target": format!("{sys}/Actions/ComputerSystem.Reset"),
                    "ResetType@Redfish.AllowableValues": ["On", "ForceOff", "GracefulShutdown", "ForceRestart"],
                }},
            });
            if self.uuids {
                body["UUID"] = Value::String(self.uuid(Some(k)));
            }
            if self.summaries {
                body["ProcessorSummary"] =
                    json!({ "Count": self.processors, "Model": "Sim CPU 64-Core" });
                body["MemorySummary"] = json!({ "TotalSystemMemoryGiB": self.memory_gib() });
            }
            t.insert(&sys, body);
            let nics: Vec<String> = (0..self.nics_per_system)
                .map(|n| format!("{sys}/EthernetInterfaces/eth{n}"))
                .collect();
            t.insert(
                &format!("{sys}/EthernetInterfaces"),
                collection(
                    &format!("{sys}/EthernetInterfaces"),
                    "EthernetInterfaceCollection",
                    nics.clone(),
                ),
            );
            for (n, path) in nics.iter().enumerate() {
                t.insert(
                    path,
                    json!({
                        "@odata.id": path,
                        "@odata.type": "#EthernetInterface.v1_6_0.EthernetInterface",
                        "Id": format!("eth{n}"),
                        "Name": format!("eth{n}"),
                        "Description": "Synthetic NIC",
                        "MACAddress": self.system_mac(k, n).to_string().to_uppercase(),
                        "InterfaceEnabled": true,
                        "IPv4Addresses": [{ "Address": self.system_ip(k, n).to_string(), "AddressOrigin": "DHCP" }],
                    }),
                );
            }
            let mut procs: Vec<(String, Value)> = (0..self.processors)
                .map(|p| {
                    let path = format!("{sys}/Processors/CPU{p}");
                    let body = json!({ "@odata.id": path, "Id": format!("CPU{p}"), "Socket": format!("CPU {p}"),
                            "ProcessorType": "CPU", "ProcessorArchitecture": "x86", "InstructionSet": "x86-64",
                            "Manufacturer": "SimSilicon", "Model": "Sim CPU 64-Core", "PartNumber": "SC-64",
                            "SerialNumber": self.part_serial("CPU", k, p), "TotalCores": 64, "TotalThreads": 128,
                            "MaxSpeedMHz": 3500, "Status": { "State": "Enabled" } });
                    (path, body)
                })
                .collect();
            procs.extend((0..self.gpus).map(|g| {
                let path = format!("{sys}/Processors/GPU{g}");
                let body = json!({ "@odata.id": path, "Id": format!("GPU{g}"), "Socket": format!("OAM {g}"),
                        "ProcessorType": "GPU", "Manufacturer": "SimGraphics", "Model": "Sim GPU 80GB",
                        "PartNumber": "SG-80", "SerialNumber": self.part_serial("GPU", k, g),
                        "Status": { "State": "Enabled" } });
                (path, body)
            }));
            t.insert(
                &format!("{sys}/Processors"),
                collection(
                    &format!("{sys}/Processors"),
                    "ProcessorCollection",
                    procs.iter().map(|(p, _)| p.clone()).collect(),
                ),
            );
            for (path, body) in procs {
                t.insert(&path, body);
            }
            let dimms: Vec<String> = (0..self.dimms)
                .map(|d| format!("{sys}/Memory/DIMM{d}"))
                .collect();
            t.insert(
                &format!("{sys}/Memory"),
                collection(&format!("{sys}/Memory"), "MemoryCollection", dimms.clone()),
            );
            for (d, path) in dimms.iter().enumerate() {
                let d = d as u32;
                t.insert(
                    path,
                    json!({ "@odata.id": path, "Id": format!("DIMM{d}"), "Name": format!("DIMM {d}"),
                            "CapacityMiB": self.dimm_mib, "MemoryType": "DRAM", "MemoryDeviceType": "DDR5",
                            "BaseModuleType": "RDIMM", "OperatingSpeedMhz": 4800, "RankCount": 2,
                            "Manufacturer": "SimMemory", "PartNumber": "SM-DDR5",
                            "SerialNumber": self.part_serial("DIMM", k, d),
                            "MemoryLocation": { "Socket": d % 2, "Channel": d / 2, "Slot": 0 },
                            "Status": { "State": "Enabled" } }),
                );
            }
            let storage = format!("{sys}/Storage/1");
            let drives: Vec<String> = (0..self.drives)
                .map(|d| format!("{storage}/Drives/{d}"))
                .collect();
            t.insert(
                &format!("{sys}/Storage"),
                collection(
                    &format!("{sys}/Storage"),
                    "StorageCollection",
                    vec![storage.clone()],
                ),
            );
            t.insert(
                &storage,
                json!({ "@odata.id": storage, "Id": "1",
                        "Drives": drives.iter().map(|d| link(d)).collect::<Vec<_>>() }),
            );
            for (d, path) in drives.iter().enumerate() {
                t.insert(
                    path,
                    json!({ "@odata.id": path, "Id": d.to_string(), "Name": format!("Bay {d}"),
                            "Manufacturer": "SimStorage", "Model": "Sim NVMe 4TB", "PartNumber": "SN-4T",
                            "SerialNumber": self.part_serial("DRV", k, d as u32),
                            "CapacityBytes": 4_000_000_000_000u64, "Protocol": "NVMe", "MediaType": "SSD",
                            "Status": { "State": "Enabled" } }),
                );
            }
        }
        let enclosure = format!("{v1}/Chassis/Enclosure");
        t.insert(
            &format!("{v1}/Chassis"),
            collection(
                &format!("{v1}/Chassis"),
                "ChassisCollection",
                vec![enclosure.clone()],
            ),
        );
        t.insert(
            &enclosure,
            json!({
                "@odata.id": enclosure,
                "@odata.type": "#Chassis.v1_14_0.Chassis",
                "Id": "Enclosure",
                "Name": "Enclosure",
                "ChassisType": "RackMount",
                "Manufacturer": "ochami",
                "SerialNumber": format!("SIMCH{:05}", self.index),
                "Links": {
                    "ComputerSystems": (0..self.systems).map(|k| link(&node(k))).collect::<Vec<_>>(),
                    "ManagedBy": [link(&format!("{v1}/Managers/BMC"))],
                },
            }),
        );
        let mgr = format!("{v1}/Managers/BMC");
        t.insert(
            &format!("{v1}/Managers"),
            collection(
                &format!("{v1}/Managers"),
                "ManagerCollection",
                vec![mgr.clone()],
            ),
        );
        t.insert(
            &mgr,
            json!({
                "@odata.id": mgr,
                "@odata.type": "#Manager.v1_10_0.Manager",
                "Id": "BMC",
                "Name": "Manager",
                "ManagerType": "BMC",
                "Model": "SimBMC",
                "FirmwareVersion": "sim-bmc-1.0",
                "UUID": format!("5e1a0000-ffff-4000-8000-{:012x}", u64::from(self.index) | 1 << 40),
                "EthernetInterfaces": link(&format!("{mgr}/EthernetInterfaces")),
                "Links": { "ManagerForServers": (0..self.systems).map(|k| link(&node(k))).collect::<Vec<_>>() },
            }),
        );
        let eth0 = format!("{mgr}/EthernetInterfaces/eth0");
        t.insert(
            &format!("{mgr}/EthernetInterfaces"),
            collection(
                &format!("{mgr}/EthernetInterfaces"),
                "EthernetInterfaceCollection",
                vec![eth0.clone()],
            ),
        );
        t.insert(
            &eth0,
            json!({
                "@odata.id": eth0,
                "Id": "eth0",
                "Name": "eth0",
                "Description": "BMC management NIC",
                "MACAddress": self.bmc_mac().to_string(),
                "InterfaceEnabled": true,
                "IPv4Addresses": [{ "Address": self.bmc_ip().to_string(), "AddressOrigin": "Static" }],
            }),
        );
        t
    }
}
