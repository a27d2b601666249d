//! `/hsm/v2/Inventory/*`: Redfish endpoints (incl. the discovery ingest body), component
//! endpoints, ethernet interfaces and hardware.

use axum::http::Method;
use serde_json::json;

use crate::backends;
use crate::common::Api;

const RF: &str = "/hsm/v2/Inventory/RedfishEndpoints";
const CE: &str = "/hsm/v2/Inventory/ComponentEndpoints";
const ETH: &str = "/hsm/v2/Inventory/EthernetInterfaces";
const HW: &str = "/hsm/v2/Inventory/Hardware";

/// The body Magellan / `ochami discover` POST: a Redfish endpoint with `SchemaVersion: 1`,
/// its systems and managers (keys as in OpenCHAMI SMD's `pkg/schemas/inventory.go`).
pub(crate) fn discovery_body() -> serde_json::Value {
    json!({
        "ID": "x1000c0s0b0", "Type": "", "Name": "", "Hostname": "172.16.0.101", "Domain": "",
        "FQDN": "172.16.0.101", "Enabled": true, "User": "root", "Password": "", "MACRequired": false,
        "RediscoverOnUpdate": false, "SchemaVersion": 1,
        "Systems": [{
            "uri": "https://172.16.0.101/redfish/v1/Systems/Self", "uuid": "2ad2c5c8-0000-4000-8000-000000000001",
            "manufacturer": "Cray Inc.", "system_type": "Physical", "name": "Node0", "model": "EX425",
            "serial": "SN0001", "bios_version": "1.2.3",
            "ethernet_interfaces": [{"uri": "/redfish/v1/Systems/Self/EthernetInterfaces/1", "mac": "A4:BF:01:00:00:01",
                                      "ip": "10.100.0.1", "name": "eth0", "description": "boot NIC", "enabled": true}],
            "power": {"state": "On"}, "processor_count": 2, "processor_type": "AMD EPYC", "memory_total": 256,
            "actions": ["On", "ForceOff"], "links": {"chassis": ["/redfish/v1/Chassis/Blade0"], "managers": ["/redfish/v1/Managers/BMC"]}
        }],
        "Managers": [{
            "uri": "/redfish/v1/Managers/BMC", "uuid": "2ad2c5c8-0000-4000-8000-0000000000ff", "name": "BMC",
            "type": "BMC", "firmware_version": "1.0",
            "ethernet_interfaces": [{"mac": "a4:bf:01:00:00:ff", "ip": "172.16.0.101"}]
        }]
    })
}

async fn redfish_endpoints(api: &Api) {
    // A single endpoint (swagger RedfishEndpoint example values).
    let ep = json!({"ID": "x0c0s0b0", "FQDN": "x0c0s0b0.mgmt.example.domain.com", "Hostname": "x0c0s0b0",
                    "Domain": "mgmt.example.domain.com", "Enabled": true, "MACAddr": "ae:12:e2:ff:89:9d",
                    "IPAddress": "10.254.2.10", "User": "root", "Password": "********"});
    let r = api.post(RF, &ep).await;
    r.assert_status(201);
    assert_eq!(
        r.header("location"),
        "/hsm/v2/Inventory/RedfishEndpoints/x0c0s0b0"
    );
    assert_eq!(
        r.json(),
        json!([{"URI": "/hsm/v2/Inventory/RedfishEndpoints/x0c0s0b0"}])
    );
    api.post(RF, &ep).await.assert_problem(409, "x0c0s0b0");
    let got = api.get(&format!("{RF}/x0c0s0b0")).await.json();
    assert_eq!(got["Type"], "NodeBMC");
    assert_eq!(got["DiscoveryInfo"]["LastDiscoveryStatus"], "NotYetQueried");
    assert_eq!(got["MACAddr"], "ae:12:e2:ff:89:9d");

    // A wrapped list.
    let r = api.post(RF, &json!({"RedfishEndpoints": [{"ID": "x0c0s1b0", "FQDN": "10.254.2.11"}, {"ID": "x0c0s2b0", "FQDN": "10.254.2.12"}]})).await;
    r.assert_status(201);
    assert_eq!(r.json().as_array().map(Vec::len), Some(2));
    // Not a controller.
    api.post(RF, &json!({"ID": "x0c0s3b0n0", "FQDN": "10.254.2.13"}))
        .await
        .assert_problem(400, "x0c0s3b0n0");

    // Filters and the wrapped list shape.
    let all = api.get(RF).await.json();
    assert_eq!(all["RedfishEndpoints"].as_array().map(Vec::len), Some(3));
    let one = api.get(&format!("{RF}?fqdn=10.254.2.11")).await.json();
    assert_eq!(one["RedfishEndpoints"][0]["ID"], "x0c0s1b0");
    api.get(&format!("{RF}?macaddr=not-a-mac"))
        .await
        .assert_problem(400, "macaddr");

    // PUT and PATCH answer the stored endpoint.
    let r = api
        .put(
            &format!("{RF}/x0c0s1b0"),
            &json!({"FQDN": "10.254.2.21", "User": "admin"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["FQDN"], "10.254.2.21");
    let r = api
        .patch(&format!("{RF}/x0c0s1b0"), &json!({"Enabled": false}))
        .await;
    r.assert_status(200);
    assert_eq!(
        (r.json()["Enabled"].clone(), r.json()["User"].clone()),
        (json!(false), json!("admin"))
    );
    api.patch(&format!("{RF}/x0c0s1b0"), &json!({"Colour": "red"}))
        .await
        .assert_problem(400, "Colour");
    api.patch(&format!("{RF}/x0c0s9b0"), &json!({"Enabled": false}))
        .await
        .assert_problem(404, "x0c0s9b0");

    // Discovery ingest creates the endpoint, its node, component endpoints and interfaces.
    let r = api.post(RF, &discovery_body()).await;
    r.assert_status(201);
    assert_eq!(
        r.json(),
        json!([{"URI": "/hsm/v2/Inventory/RedfishEndpoints/x1000c0s0b0"}])
    );
    let node = api
        .get("/hsm/v2/State/Components/x1000c0s0b0n0")
        .await
        .json();
    assert_eq!(
        (&node["Type"], &node["State"], &node["Enabled"]),
        (&json!("Node"), &json!("On"), &json!(true))
    );
    let ces = api
        .get(&format!("{CE}?redfish_ep=x1000c0s0b0"))
        .await
        .json();
    let types: Vec<&str> = ces["ComponentEndpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["RedfishType"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"ComputerSystem") && types.contains(&"Manager"),
        "{types:?}"
    );
    let ce = api.get(&format!("{CE}/x1000c0s0b0n0")).await.json();
    assert_eq!(
        ce["ComponentEndpointType"],
        "ComponentEndpointComputerSystem"
    );
    assert_eq!(
        ce["RedfishSystemInfo"]["EthernetNICInfo"][0]["MACAddress"],
        "a4:bf:01:00:00:01"
    );
    let eth = api
        .get(&format!("{ETH}?ComponentID=x1000c0s0b0n0"))
        .await
        .json();
    assert_eq!(eth[0]["ID"], "a4bf01000001");
    assert_eq!(eth[0]["IPAddresses"], json!([{"IPAddress": "10.100.0.1"}]));
    assert_eq!(eth[0]["Type"], "Node");
    // Re-posting a discovery result is accepted (it replaces the previous one).
    api.post(RF, &discovery_body()).await.assert_status(201);

    let ce_only = api.get(&format!("{CE}?type=NodeBMC")).await.json();
    assert!(
        ce_only["ComponentEndpoints"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["Type"] == "NodeBMC")
    );
    api.get(&format!("{CE}/x1000c0s9b0n0"))
        .await
        .assert_problem(404, "x1000c0s9b0n0");

    // Deleting every component endpoint at once.
    let all = api.get(CE).await.json();
    let n = all["ComponentEndpoints"].as_array().map_or(0, Vec::len);
    assert!(n > 1, "{all}");
    let r = api.delete(CE).await;
    assert_eq!(
        r.json(),
        json!({"code": 0, "message": format!("deleted {n} entries")})
    );
    assert_eq!(api.get(CE).await.json(), json!({"ComponentEndpoints": []}));

    // Deleting the endpoint empties its components.
    let r = api.delete(&format!("{RF}/x1000c0s0b0")).await;
    assert_eq!(r.json(), json!({"code": 0, "message": "deleted 1 entry"}));
    assert_eq!(
        api.get("/hsm/v2/State/Components/x1000c0s0b0n0")
            .await
            .json()["State"],
        "Empty"
    );
    let r = api.delete(RF).await;
    assert_eq!(r.json(), json!({"code": 0, "message": "deleted 3 entries"}));
    assert_eq!(api.get(RF).await.json(), json!({"RedfishEndpoints": []}));
    api.post(RF, &json!({"RedfishEndpoints": []}))
        .await
        .assert_problem(400, "Missing RedfishEndpoints");
}

async fn ethernet_interfaces(api: &Api) {
    // Body of the swagger's CompEthInterface example; MAC in upper case with dashes.
    let body = json!({"Description": "Node Maintenance Network", "MACAddress": "A4-BF-01-2B-73-10",
                      "IPAddresses": [{"IPAddress": "10.254.2.14"}], "ComponentID": "x3000c0s1b0n0"});
    let r = api.post(ETH, &body).await;
    r.assert_status(201);
    assert_eq!(
        r.json(),
        json!({"URI": "/hsm/v2/Inventory/EthernetInterfaces/a4bf012b7310"})
    );
    assert_eq!(
        r.header("location"),
        "/hsm/v2/Inventory/EthernetInterfaces/a4bf012b7310"
    );
    api.post(ETH, &body)
        .await
        .assert_problem(409, "a4:bf:01:2b:73:10");
    api.post(ETH, &json!({"MACAddress": "a4:bf:01:2b:73"}))
        .await
        .assert_problem(400, "MAC");

    let got = api.get(&format!("{ETH}/a4bf012b7310")).await.json();
    assert_eq!(got["MACAddress"], "a4:bf:01:2b:73:10");
    assert_eq!(got["ComponentID"], "x3000c0s1b0n0");
    assert_eq!(got["Type"], "Node");
    assert!(got["LastUpdate"].as_str().is_some_and(|t| !t.is_empty()));
    // Bare array, filters in either spelling.
    assert_eq!(
        api.count(&format!("{ETH}?MACAddress=a4:bf:01:2b:73:10"))
            .await,
        Some(1)
    );
    assert_eq!(
        api.count(&format!("{ETH}?ipaddress=10.254.2.14")).await,
        Some(1)
    );
    assert_eq!(
        api.get(&format!("{ETH}?IPAddress=10.9.9.9")).await.json(),
        json!([])
    );
    assert_eq!(
        api.count(&format!("{ETH}?NewerThan=2000-01-01T00:00:00Z"))
            .await,
        Some(1)
    );
    assert_eq!(
        api.get(&format!("{ETH}?OlderThan=2000-01-01T00:00:00Z"))
            .await
            .json(),
        json!([])
    );
    api.get(&format!("{ETH}?olderthan=yesterday"))
        .await
        .assert_problem(400, "olderthan");

    // PATCH and the IPAddresses sub-collection.
    let r = api.patch(&format!("{ETH}/a4bf012b7310"), &json!({"Description": "moved", "IPAddresses": [{"IPAddress": "10.254.2.15", "Network": "NMN"}]})).await;
    r.assert_status(200);
    assert_eq!(r.json()["Description"], "moved");
    let ips = api.get(&format!("{ETH}/a4bf012b7310/IPAddresses")).await;
    assert_eq!(
        ips.json(),
        json!([{"IPAddress": "10.254.2.15", "Network": "NMN"}])
    );
    let r = api
        .post(
            &format!("{ETH}/a4bf012b7310/IPAddresses"),
            &json!({"IPAddress": "10.1.1.1"}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(
        r.json(),
        json!({"URI": "/hsm/v2/Inventory/EthernetInterfaces/a4bf012b7310/IPAddresses/10.1.1.1"})
    );
    api.post(
        &format!("{ETH}/a4bf012b7310/IPAddresses"),
        &json!({"IPAddress": "10.1.1.1"}),
    )
    .await
    .assert_problem(409, "10.1.1.1");
    api.post(
        &format!("{ETH}/a4bf012b7310/IPAddresses"),
        &json!({"IPAddress": "ten"}),
    )
    .await
    .assert_problem(400, "ten");
    api.patch(
        &format!("{ETH}/a4bf012b7310/IPAddresses/10.1.1.1"),
        &json!({"Network": "HMN"}),
    )
    .await
    .assert_status(200);
    api.delete(&format!("{ETH}/a4bf012b7310/IPAddresses/10.254.2.15"))
        .await
        .assert_status(200);
    assert_eq!(
        api.get(&format!("{ETH}/a4bf012b7310/IPAddresses"))
            .await
            .json(),
        json!([{"IPAddress": "10.1.1.1", "Network": "HMN"}])
    );
    api.patch(
        &format!("{ETH}/a4bf012b7310/IPAddresses/10.9.9.9"),
        &json!({"Network": "HMN"}),
    )
    .await
    .assert_problem(404, "10.9.9.9");
    api.delete(&format!("{ETH}/a4bf012b7310/IPAddresses/10.254.2.15"))
        .await
        .assert_problem(404, "10.254.2.15");
    api.post(
        &format!("{ETH}/a4bf012b73ff/IPAddresses"),
        &json!({"IPAddress": "10.1.1.2"}),
    )
    .await
    .assert_problem(404, "a4bf012b73ff");
    api.patch(&format!("{ETH}/a4bf012b7310"), &json!({}))
        .await
        .assert_problem(400, "Missing Description, ComponentID or IPAddresses");

    api.get(&format!("{ETH}/zz"))
        .await
        .assert_problem(400, "zz");
    api.get(&format!("{ETH}/a4bf012b7399"))
        .await
        .assert_problem(404, "a4bf012b7399");
    assert_eq!(
        api.delete(&format!("{ETH}/a4bf012b7310")).await.json(),
        json!({"code": 0, "message": "deleted 1 entry"})
    );
    api.delete(&format!("{ETH}/a4bf012b7310"))
        .await
        .assert_problem(404, "a4bf012b7310");
    assert_eq!(
        api.delete(ETH).await.json(),
        json!({"code": 0, "message": "deleted 0 entries"})
    );
}

async fn hardware(api: &Api) {
    // The swagger's HWInvByLocNode example.
    let loc = json!({
        "ID": "x0c0s0b0n0", "Type": "Node", "Ordinal": 0, "Status": "Populated",
        "HWInventoryByLocationType": "HWInvByLocNode",
        "NodeLocationInfo": {"Id": "System.Embedded.1", "Name": "Name describing system or where it is located, per manufacturing",
                             "Description": "Description of system/node type, per manufacturing", "Hostname": "if_defined_in_Redfish",
                             "ProcessorSummary": {"Count": 2, "Model": "Multi-Core Intel(R) Xeon(R) processor E5-16xx Series"},
                             "MemorySummary": {"TotalSystemMemoryGiB": 64}},
        "PopulatedFRU": {"FRUID": "Dell-99999-1234.1234.2345", "Type": "Node", "Subtype": "River",
                         "HWInventoryByFRUType": "HWInvByFRUNode",
                         "NodeFRUInfo": {"AssetTag": "AdminAssignedAssetTag", "BiosVersion": "v1.0.2.9999", "Model": "OKS0P2354",
                                         "Manufacturer": "Dell", "PartNumber": "99999", "SerialNumber": "1234.1234.2345",
                                         "SKU": "as213234", "SystemType": "Physical", "UUID": "26276e2a-29dd-43eb-8ca6-8186bbc3d971"}}
    });
    let r = api.post(HW, &json!({"Hardware": [loc]})).await;
    r.assert_status(200);
    assert_eq!(
        r.json(),
        json!({"code": 0, "message": "created or modified 1 entry"})
    );
    let got = api.get(&format!("{HW}/x0c0s0b0n0")).await.json();
    assert_eq!(got["HWInventoryByLocationType"], "HWInvByLocNode");
    // SMD recomputes the FRU id from type, manufacturer, part and serial on POST.
    assert_eq!(got["PopulatedFRU"]["FRUID"], "Node.Dell.99999.123412342345");
    assert_eq!(
        got["PopulatedFRU"]["NodeFRUInfo"]["SerialNumber"],
        "1234.1234.2345"
    );
    assert_eq!(got["NodeLocationInfo"]["ProcessorSummary"]["Count"], 2);
    let list = api.get(&format!("{HW}?manufacturer=dell")).await.json();
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(
        api.get(&format!("{HW}?serialnumber=nope")).await.json(),
        json!([])
    );
    // A processor under the node: the hierarchical query, the FRU view, filters by type.
    let cpu = json!({
        "ID": "x0c0s0b0n0p0", "Type": "Processor", "Ordinal": 0, "Status": "Populated",
        "HWInventoryByLocationType": "HWInvByLocProcessor",
        "ProcessorLocationInfo": {"Id": "CPU1", "Name": "Processor", "Socket": "CPU 1"},
        "PopulatedFRU": {"FRUID": "ignored", "Type": "Processor", "HWInventoryByFRUType": "HWInvByFRUProcessor",
                         "ProcessorFRUInfo": {"Manufacturer": "AMD", "Model": "EPYC 7763", "SerialNumber": "CPU-0001",
                                              "PartNumber": "100-000000312", "TotalCores": 64}}
    });
    api.post(HW, &json!({"Hardware": [cpu]}))
        .await
        .assert_status(200);
    let listed = api.get(&format!("{HW}?type=Processor")).await;
    let procs = listed.json();
    assert_eq!(procs[0]["ID"], "x0c0s0b0n0p0");
    assert_eq!(procs.as_array().map(Vec::len), Some(1));
    // The answer is kept with its tag while the hardware is unchanged: the same tag back
    // is 304, and any hardware write (here the node's record rewritten) answers anew.
    let tag = listed.header("etag").to_owned();
    let procs_url = format!("{HW}?type=Processor");
    let same = api
        .send(Method::GET, &procs_url, None, &[("if-none-match", &tag)])
        .await;
    same.assert_status(304);
    assert_eq!(same.header("etag"), tag);
    assert_eq!(api.get(&procs_url).await.body, listed.body);
    let mut cpu2 = cpu.clone();
    cpu2["ID"] = json!("x0c0s0b0n0p1");
    api.post(HW, &json!({"Hardware": [cpu2]}))
        .await
        .assert_status(200);
    let after = api
        .send(Method::GET, &procs_url, None, &[("if-none-match", &tag)])
        .await;
    after.assert_status(200);
    assert_ne!(after.header("etag"), tag);
    assert_eq!(after.json().as_array().map(Vec::len), Some(2));
    api.delete(&format!("{HW}/x0c0s0b0n0p1"))
        .await
        .assert_status(200);
    assert_eq!(api.get(&procs_url).await.body, listed.body);
    let nested = api
        .get(&format!("{HW}/Query/x0c0s0b0n0?format=NestNodesOnly"))
        .await
        .json();
    assert_eq!(nested["Nodes"][0]["ID"], "x0c0s0b0n0");
    assert_eq!(nested["Nodes"][0]["Processors"][0]["ID"], "x0c0s0b0n0p0");
    let flat = api
        .get(&format!("{HW}/Query/x0c0s0b0n0?format=FullyFlat"))
        .await
        .json();
    assert_eq!(flat["Processors"][0]["ID"], "x0c0s0b0n0p0");
    let fru_id = "Processor.AMD.100000000312.CPU0001";
    let fru = api
        .get(&format!("/hsm/v2/Inventory/HardwareByFRU/{fru_id}"))
        .await
        .json();
    assert_eq!(fru["FRUID"], fru_id);
    assert_eq!(
        api.get("/hsm/v2/Inventory/HardwareByFRU?manufacturer=amd")
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    api.get("/hsm/v2/Inventory/HardwareByFRU/nope")
        .await
        .assert_problem(404, "nope");
    api.get(&format!("{HW}?colour=red"))
        .await
        .assert_problem(400, "colour");
    api.get(&format!("{HW}/Query/x0c0s0b0n0?format=Sideways"))
        .await
        .assert_problem(400, "format");
    api.get(&format!("{HW}/Query/notanxname"))
        .await
        .assert_problem(400, "notanxname");
    assert_eq!(
        api.delete(&format!("{HW}/x0c0s0b0n0p0")).await.json(),
        json!({"code": 0, "message": "deleted 1 entry"})
    );
    assert_eq!(
        api.delete(&format!("{HW}/x0c0s0b0n0")).await.json(),
        json!({"code": 0, "message": "deleted 1 entry"})
    );
    api.get(&format!("{HW}/x0c0s0b0n0"))
        .await
        .assert_problem(404, "x0c0s0b0n0");
    api.post(HW, &json!({"Hardware": []}))
        .await
        .assert_problem(400, "Missing Hardware");
}

backends!(redfish_endpoints);
backends!(ethernet_interfaces);
backends!(hardware);
