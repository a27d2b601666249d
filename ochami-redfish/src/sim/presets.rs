//! Ready-made simulated BMCs: three hand-written Redfish trees patterned on the quirks of
//! real BMC families, plus synthetic multi-node BMCs, with the xnames a demo map gives
//! them. `ochami demo` serves [`demo_fleet`]; tests and notebooks can use them too.
//!
//! Every value here is made up for the demo (serials, MACs, UUIDs, model names); the trees
//! only copy the *shapes* discovery has to cope with:
//!
//! - a blade controller in the style of an HPE Cray EX compute blade: two nodes behind one
//!   BMC, systems without a `UUID`, and a high-speed NIC whose `MACAddress` is
//!   `"Not Available"`;
//! - a rack server in the style of an iLO: numeric ids (`Systems/1`, `Managers/1`), a host
//!   NIC whose IPv4 address is `"N/A"`, and a disabled manager NIC holding `0.0.0.0`;
//! - a minimal OpenBMC-style tree: ids `system`, `bmc`, `chassis`, and neither
//!   `Manufacturer` nor `UUID` anywhere.

use super::{MockupTree, SyntheticBmc};
use ochami_core::MacAddr;
use serde_json::{Value, json};

/// One ready-made simulated BMC: its tree, a label for tables and the xname a demo map
/// gives it (by the MAC of its management NIC).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Preset {
    /// Short description for an inventory table.
    pub label: String,
    /// The Redfish tree served.
    pub tree: MockupTree,
    /// MAC of the BMC's management NIC (the key of an xname map).
    pub bmc_mac: MacAddr,
    /// The xname the demo maps it to.
    pub xname: &'static str,
}

const V1: &str = "/redfish/v1";

fn link(path: &str) -> Value {
    json!({ "@odata.id": path })
}

fn collection(path: &str, members: &[String]) -> Value {
    json!({
        "@odata.id": path,
        "Name": "Collection",
        "Members@odata.count": members.len(),
        "Members": members.iter().map(|m| link(m)).collect::<Vec<_>>(),
    })
}

/// A service root linking Systems, Chassis, Managers and a SessionService.
fn root(vendor: Option<&str>, product: Option<&str>, uuid: Option<&str>) -> Value {
    let mut r = json!({
        "@odata.id": format!("{V1}/"),
        "@odata.type": "#ServiceRoot.v1_5_0.ServiceRoot",
        "Id": "RootService",
        "Name": "Root Service",
        "RedfishVersion": "1.6.0",
        "Systems": link(&format!("{V1}/Systems")),
        "Chassis": link(&format!("{V1}/Chassis")),
        "Managers": link(&format!("{V1}/Managers")),
        "SessionService": link(&format!("{V1}/SessionService")),
        "Links": { "Sessions": link(&format!("{V1}/SessionService/Sessions")) },
    });
    for (key, value) in [("Vendor", vendor), ("Product", product), ("UUID", uuid)] {
        if let Some(v) = value {
            r[key] = json!(v);
        }
    }
    r
}

/// Adds `parent/EthernetInterfaces` and its members; each NIC is `(id, mac, ipv4, enabled)`.
fn nics(t: &mut MockupTree, parent: &str, list: &[(&str, &str, &str, bool)]) {
    let base = format!("{parent}/EthernetInterfaces");
    let paths: Vec<String> = list.iter().map(|(id, ..)| format!("{base}/{id}")).collect();
    t.insert(&base, collection(&base, &paths));
    for ((id, mac, ip, enabled), path) in list.iter().zip(&paths) {
        t.insert(
            path,
            json!({
                "@odata.id": path,
                "@odata.type": "#EthernetInterface.v1_4_1.EthernetInterface",
                "Id": id,
                "Name": id,
                "MACAddress": mac,
                "InterfaceEnabled": enabled,
                "IPv4Addresses": [{ "Address": ip }],
            }),
        );
    }
}

fn mac(s: &str) -> MacAddr {
    // The literals below are valid; a typo would surface as the all-zero MAC in the table.
    s.parse().unwrap_or(MacAddr::new([0; 6]))
}

/// Blade controller with two UUID-less nodes, one NIC MAC "Not Available".
pub fn blade() -> Preset {
    let mut t = MockupTree::new();
    t.insert(
        V1,
        root(Some("HPE"), Some("Demo EX-style blade controller"), None),
    );
    let systems: Vec<String> = (0..2).map(|k| format!("{V1}/Systems/Node{k}")).collect();
    t.insert(
        &format!("{V1}/Systems"),
        collection(&format!("{V1}/Systems"), &systems),
    );
    for (k, sys) in systems.iter().enumerate() {
        t.insert(
            sys,
            json!({
                "@odata.id": sys,
                "Id": format!("Node{k}"),
                "Name": format!("Node{k}"),
                "SystemType": "Physical",
                "Manufacturer": "HPE",
                "Model": "Demo EX-style compute node",
                "SerialNumber": format!("DEMOBLD0{k}"),
                "PowerState": "On",
                "ProcessorSummary": { "Count": 2, "Model": "Demo 64-core CPU" },
                "MemorySummary": { "TotalSystemMemoryGiB": 256 },
                "EthernetInterfaces": link(&format!("{sys}/EthernetInterfaces")),
                "Links": { "Chassis": [link(&format!("{V1}/Chassis/Blade"))],
                           "ManagedBy": [link(&format!("{V1}/Managers/BMC"))] },
                "Actions": { "#ComputerSystem.Reset": {
                    "target": format!("{sys}/Actions/ComputerSystem.Reset"),
                    "ResetType@Redfish.AllowableValues": ["On", "ForceOff", "ForceRestart"] } },
            }),
        );
        let mgmt = format!("02:de:b1:00:0{k}:01");
        let ip = format!("10.100.0.{}", 11 + k);
        nics(
            &mut t,
            sys,
            &[
                ("ManagementEthernet", &mgmt, &ip, true),
                ("HSN0", "Not Available", "", true),
            ],
        );
    }
    t.insert(
        &format!("{V1}/Chassis"),
        collection(&format!("{V1}/Chassis"), &[format!("{V1}/Chassis/Blade")]),
    );
    t.insert(
        &format!("{V1}/Chassis/Blade"),
        json!({ "@odata.id": format!("{V1}/Chassis/Blade"), "Id": "Blade", "Name": "Blade",
                "ChassisType": "Blade", "Manufacturer": "HPE", "SerialNumber": "DEMOBLD-CH",
                "Links": { "ComputerSystems": systems.iter().map(|s| link(s)).collect::<Vec<_>>() } }),
    );
    let mgr = format!("{V1}/Managers/BMC");
    t.insert(
        &format!("{V1}/Managers"),
        collection(&format!("{V1}/Managers"), std::slice::from_ref(&mgr)),
    );
    t.insert(
        &mgr,
        json!({ "@odata.id": mgr, "Id": "BMC", "Name": "Blade BMC", "ManagerType": "EnclosureManager",
                "FirmwareVersion": "demo-1.2", "EthernetInterfaces": link(&format!("{mgr}/EthernetInterfaces")) }),
    );
    nics(
        &mut t,
        &mgr,
        &[("eth0", "02:de:b1:00:00:ff", "10.254.100.1", true)],
    );
    Preset {
        label: "EX-style blade".into(),
        tree: t,
        bmc_mac: mac("02:de:b1:00:00:ff"),
        xname: "x1000c0s0b0",
    }
}

/// Rack server, iLO style: host NIC IPv4 "N/A", disabled manager NIC at 0.0.0.0.
pub fn rack_server() -> Preset {
    let mut t = MockupTree::new();
    t.insert(
        V1,
        root(
            Some("HPE"),
            Some("Demo iLO-style rack server"),
            Some("1e0d3e30-0000-4000-8000-00000000d001"),
        ),
    );
    let sys = format!("{V1}/Systems/1");
    t.insert(
        &format!("{V1}/Systems"),
        collection(&format!("{V1}/Systems"), std::slice::from_ref(&sys)),
    );
    t.insert(
        &sys,
        json!({
            "@odata.id": sys, "Id": "1", "Name": "Computer System", "SystemType": "Physical",
            "Manufacturer": "HPE", "Model": "Demo DL-style 1U", "SerialNumber": "DEMORACK01",
            "UUID": "1e0d3e30-0000-4000-8000-00000000d101", "BiosVersion": "U99 v1.00",
            "PowerState": "Off",
            "ProcessorSummary": { "Count": 2, "Model": "Demo 32-core CPU" },
            "MemorySummary": { "TotalSystemMemoryGiB": 512 },
            "EthernetInterfaces": link(&format!("{sys}/EthernetInterfaces")),
            "Links": { "Chassis": [link(&format!("{V1}/Chassis/1"))], "ManagedBy": [link(&format!("{V1}/Managers/1"))] },
            "Oem": { "Hpe": { "PostState": "PowerOff" } },
        }),
    );
    nics(
        &mut t,
        &sys,
        &[
            ("1", "02:de:a0:00:01:01", "N/A", true),
            ("2", "02:de:a0:00:01:02", "N/A", false),
        ],
    );
    t.insert(
        &format!("{V1}/Chassis"),
        collection(&format!("{V1}/Chassis"), &[format!("{V1}/Chassis/1")]),
    );
    t.insert(
        &format!("{V1}/Chassis/1"),
        json!({ "@odata.id": format!("{V1}/Chassis/1"), "Id": "1", "Name": "Computer System Chassis",
                "ChassisType": "RackMount", "Manufacturer": "HPE", "SerialNumber": "DEMORACK01" }),
    );
    let mgr = format!("{V1}/Managers/1");
    t.insert(
        &format!("{V1}/Managers"),
        collection(&format!("{V1}/Managers"), std::slice::from_ref(&mgr)),
    );
    t.insert(
        &mgr,
        json!({ "@odata.id": mgr, "Id": "1", "Name": "Manager", "ManagerType": "BMC", "Model": "Demo iLO-style 6",
                "FirmwareVersion": "demo 2.10", "UUID": "1e0d3e30-0000-4000-8000-00000000d0ff",
                "EthernetInterfaces": link(&format!("{mgr}/EthernetInterfaces")) }),
    );
    nics(
        &mut t,
        &mgr,
        &[
            ("1", "02:de:a0:00:00:ff", "10.254.200.5", true),
            ("2", "02:de:a0:00:00:fe", "0.0.0.0", false),
        ],
    );
    Preset {
        label: "iLO-style rack server".into(),
        tree: t,
        bmc_mac: mac("02:de:a0:00:00:ff"),
        xname: "x3000c0s5b0",
    }
}

/// Minimal OpenBMC-style tree: ids system/bmc/chassis, no Manufacturer, no UUID.
pub fn openbmc() -> Preset {
    let mut t = MockupTree::new();
    t.insert(V1, root(Some("OpenBMC"), None, None));
    let sys = format!("{V1}/Systems/system");
    t.insert(
        &format!("{V1}/Systems"),
        collection(&format!("{V1}/Systems"), std::slice::from_ref(&sys)),
    );
    t.insert(
        &sys,
        json!({ "@odata.id": sys, "Id": "system", "Name": "system", "SystemType": "Physical",
                "PowerState": "On", "SerialNumber": "",
                "ProcessorSummary": { "Count": 1 }, "MemorySummary": { "TotalSystemMemoryGiB": 64 },
                "EthernetInterfaces": link(&format!("{sys}/EthernetInterfaces")),
                "Links": { "Chassis": [link(&format!("{V1}/Chassis/chassis"))], "ManagedBy": [link(&format!("{V1}/Managers/bmc"))] } }),
    );
    nics(
        &mut t,
        &sys,
        &[("eth0", "02:de:0b:00:01:01", "10.100.1.21", true)],
    );
    t.insert(
        &format!("{V1}/Chassis"),
        collection(&format!("{V1}/Chassis"), &[format!("{V1}/Chassis/chassis")]),
    );
    t.insert(
        &format!("{V1}/Chassis/chassis"),
        json!({ "@odata.id": format!("{V1}/Chassis/chassis"), "Id": "chassis", "Name": "chassis", "ChassisType": "RackMount" }),
    );
    let mgr = format!("{V1}/Managers/bmc");
    t.insert(
        &format!("{V1}/Managers"),
        collection(&format!("{V1}/Managers"), std::slice::from_ref(&mgr)),
    );
    t.insert(
        &mgr,
        json!({ "@odata.id": mgr, "Id": "bmc", "Name": "OpenBmc Manager", "ManagerType": "BMC",
                "FirmwareVersion": "demo-2.14.0", "EthernetInterfaces": link(&format!("{mgr}/EthernetInterfaces")) }),
    );
    nics(
        &mut t,
        &mgr,
        &[("eth0", "02:de:0b:00:00:ff", "10.254.201.7", true)],
    );
    Preset {
        label: "OpenBMC-style server".into(),
        tree: t,
        bmc_mac: mac("02:de:0b:00:00:ff"),
        xname: "x3000c0s7b0",
    }
}

/// Synthetic BMCs from the simulator: 2, 3 and 4 nodes.
pub fn synthetic() -> Vec<Preset> {
    [
        (1u32, 2usize, "x3000c0s10b0"),
        (2, 3, "x3000c0s12b0"),
        (3, 4, "x3000c0s14b0"),
    ]
    .into_iter()
    .map(|(index, nodes, xname)| {
        let bmc = SyntheticBmc::new(index, nodes);
        Preset {
            label: format!("synthetic {nodes}-node BMC"),
            tree: bmc.build(),
            bmc_mac: bmc.bmc_mac(),
            xname,
        }
    })
    .collect()
}

/// Every BMC of the demo, in a fixed order: [`blade`], [`rack_server`], [`openbmc`], then
/// [`synthetic`].
///
/// ```
/// let fleet = ochami_redfish::sim::presets::demo_fleet();
/// assert_eq!(fleet.len(), 6);
/// assert_eq!(fleet[0].xname, "x1000c0s0b0");
/// ```
pub fn demo_fleet() -> Vec<Preset> {
    let mut v = vec![blade(), rack_server(), openbmc()];
    v.extend(synthetic());
    v
}
