//! `/cloud-init`: NoCloud documents for the requesting node (by address, through trusted
//! proxies only), impersonation, and the admin routes.

use axum::http::Method;
use ipnet::IpNet;
use serde_json::json;

use crate::backends;
use crate::common::{Api, settings};

/// A node whose interface has the test peer's address (127.0.0.1), in group `compute`.
async fn seed(api: &Api) {
    let comps = json!({"Components": [{"ID": "x3000c1s0b1n1", "State": "Ready", "Role": "Compute", "NID": 7},
                                       {"ID": "x3000c1s0b1n2", "State": "Ready", "Role": "Compute", "NID": 8}]});
    api.post("/hsm/v2/State/Components", &comps)
        .await
        .assert_status(204);
    let nic = json!({"MACAddress": "02:00:00:00:00:07", "ComponentID": "x3000c1s0b1n1", "IPAddresses": [{"IPAddress": "127.0.0.1"}]});
    api.post("/hsm/v2/Inventory/EthernetInterfaces", &nic)
        .await
        .assert_status(201);
    let nic = json!({"MACAddress": "02:00:00:00:00:08", "ComponentID": "x3000c1s0b1n2", "IPAddresses": [{"IPAddress": "10.0.0.8"}]});
    api.post("/hsm/v2/Inventory/EthernetInterfaces", &nic)
        .await
        .assert_status(201);
    let group = json!({"label": "compute", "description": "compute nodes", "members": {"ids": ["x3000c1s0b1n1", "x3000c1s0b1n2"]}});
    api.post("/hsm/v2/groups", &group).await.assert_status(201);
}

async fn documents(api: &Api) {
    seed(api).await;
    // The swagger's ClusterDefaults example.
    let defaults = json!({"base-url": "http://demo.openchami.cluster:8081/cloud-init", "cluster-name": "demo", "nid-length": 3,
                          "public-keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMLtQNuzGcMDatF+YVMMkuxbX2c5v2OxWftBhEVfFb+U user1@demo-head"],
                          "short-name": "nid"});
    api.post("/cloud-init/admin/cluster-defaults", &defaults)
        .await
        .assert_status(201);
    assert_eq!(
        api.get("/cloud-init/admin/cluster-defaults").await.json(),
        defaults
    );
    // The swagger's GroupData example (base64 cloud-config).
    let group = json!({"name": "compute", "description": "The compute group", "meta-data": {"syslog_aggregator": "192.168.0.1"},
                       "file": {"content": "I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczogW3ZpbV0K", "encoding": "base64", "filename": "compute.yaml"}});
    let r = api.post("/cloud-init/admin/groups", &group).await;
    r.assert_status(201);
    assert_eq!(r.header("location"), "/cloud-init/admin/groups/compute");
    api.post("/cloud-init/admin/groups", &group)
        .await
        .assert_problem(409, "compute");
    assert_eq!(
        api.get("/cloud-init/admin/groups").await.json(),
        json!({"compute": group})
    );
    assert_eq!(
        api.get("/cloud-init/admin/groups/compute").await.json(),
        group
    );

    let md = api.get("/cloud-init/meta-data").await;
    md.assert_status(200);
    assert_eq!(md.header("content-type"), "application/x-yaml");
    let md: serde_json::Value = serde_yaml_ng::from_str(&md.text()).expect("meta-data is YAML");
    assert_eq!(
        (&md["local-hostname"], &md["hostname"], &md["cluster-name"]),
        (&json!("nid007"), &json!("nid007"), &json!("demo"))
    );
    assert!(
        md["instance-id"]
            .as_str()
            .is_some_and(|i| i.starts_with("i-")),
        "{md}"
    );
    let v1 = &md["instance_data"]["v1"];
    assert_eq!(v1["local_ipv4"], "127.0.0.1");
    assert_eq!(v1["public_keys"], defaults["public-keys"]);
    assert_eq!(
        v1["vendor_data"]["cloud_init_base_url"],
        "http://demo.openchami.cluster:8081/cloud-init"
    );
    assert_eq!(
        v1["vendor_data"]["groups"]["compute"],
        json!({"Description": "The compute group", "syslog_aggregator": "192.168.0.1"})
    );
    let ud = api.get("/cloud-init/user-data").await;
    assert_eq!(ud.text(), "#cloud-config");
    assert_eq!(
        api.get("/cloud-init/vendor-data").await.text(),
        "#include\nhttp://demo.openchami.cluster:8081/cloud-init/compute.yaml\n"
    );
    assert_eq!(
        api.get("/cloud-init/compute.yaml").await.text(),
        "#cloud-config\npackages: [vim]\n"
    );
    api.get("/cloud-init/other.yaml")
        .await
        .assert_problem(404, "other");
    api.get("/cloud-init/compute.txt")
        .await
        .assert_problem(404, "compute.txt");

    // user-data fetches are recorded like bootscripts.
    let h = api
        .get("/boot/v1/endpoint-history?endpoint=user-data")
        .await
        .json();
    assert_eq!(h[0]["name"], "x3000c1s0b1n1");

    // Instance info and node data.
    let info = json!({"local-hostname": "compute-1", "instance-id": "i-1234", "public-keys": ["ssh-ed25519 AAAA user2@demo-head"]});
    api.put("/cloud-init/admin/instance-info/x3000c1s0b1n1", &info)
        .await
        .assert_status(201);
    let got = api
        .get("/cloud-init/admin/instance-info/x3000c1s0b1n1")
        .await
        .json();
    assert_eq!(
        (&got["id"], &got["instance-id"]),
        (&json!("x3000c1s0b1n1"), &json!("i-1234"))
    );
    let md: serde_json::Value =
        serde_yaml_ng::from_str(&api.get("/cloud-init/meta-data").await.text()).unwrap();
    assert_eq!(
        (&md["instance-id"], &md["local-hostname"]),
        (&json!("i-1234"), &json!("compute-1"))
    );
    api.put(
        "/cloud-init/admin/instance-info/x3000c1s0b1n1",
        &json!({"id": "x3000c1s0b1n2"}),
    )
    .await
    .assert_problem(400, "do not match");
    let nd = json!({"user-data": "runcmd: [echo hi]"});
    api.put("/cloud-init/admin/node-data/x3000c1s0b1n1", &nd)
        .await
        .assert_status(201);
    assert_eq!(
        api.get("/cloud-init/user-data").await.text(),
        "#cloud-config\nruncmd: [echo hi]"
    );
    assert_eq!(
        api.get("/cloud-init/admin/node-data/x3000c1s0b1n1")
            .await
            .json()["instance-info"]["instance-id"],
        ""
    );
    api.delete("/cloud-init/admin/node-data/x3000c1s0b1n1")
        .await
        .assert_status(200);
    api.get("/cloud-init/admin/node-data/x3000c1s0b1n1")
        .await
        .assert_problem(404, "x3000c1s0b1n1");

    // Impersonation names the node explicitly.
    let md = api
        .get("/cloud-init/admin/impersonation/x3000c1s0b1n2/meta-data")
        .await
        .text();
    let md: serde_json::Value = serde_yaml_ng::from_str(&md).unwrap();
    assert_eq!(
        (
            &md["local-hostname"],
            &md["instance_data"]["v1"]["local_ipv4"]
        ),
        (&json!("nid008"), &json!("10.0.0.8"))
    );
    assert_eq!(
        api.get("/cloud-init/admin/impersonation/x3000c1s0b1n2/user-data")
            .await
            .text(),
        "#cloud-config"
    );
    assert!(
        api.get("/cloud-init/admin/impersonation/x3000c1s0b1n2/vendor-data")
            .await
            .text()
            .contains("/compute.yaml")
    );
    assert_eq!(
        api.get("/cloud-init/admin/impersonation/x3000c1s0b1n2/compute.yaml")
            .await
            .text(),
        "#cloud-config\npackages: [vim]\n"
    );
    api.get("/cloud-init/admin/impersonation/x9c1s0b1n2/meta-data")
        .await
        .assert_problem(404, "x9c1s0b1n2");
    api.get("/cloud-init/admin/impersonation/nonsense/meta-data")
        .await
        .assert_problem(400, "nonsense");

    // PUT replaces a group (name from the path), DELETE removes it.
    api.put(
        "/cloud-init/admin/groups/compute",
        &json!({"file": {"content": "runcmd: [true]"}}),
    )
    .await
    .assert_status(201);
    assert_eq!(
        api.get("/cloud-init/compute.yaml").await.text(),
        "#cloud-config\nruncmd: [true]"
    );
    api.put(
        "/cloud-init/admin/groups/compute",
        &json!({"name": "other"}),
    )
    .await
    .assert_problem(400, "do not match");
    api.delete("/cloud-init/admin/groups/compute")
        .await
        .assert_status(200);
    api.get("/cloud-init/admin/groups/compute")
        .await
        .assert_problem(404, "compute");
    assert_eq!(
        api.get("/cloud-init/compute.yaml").await.text(),
        "#cloud-config"
    );
    api.post("/cloud-init/admin/groups", &json!({"name": ""}))
        .await
        .assert_problem(400, "name");
    api.post(
        "/cloud-init/admin/groups",
        &json!({"description": "no name"}),
    )
    .await
    .assert_problem(400, "name");
    api.send(
        Method::POST,
        "/cloud-init/admin/cluster-defaults",
        Some(b"{".to_vec()),
        &[],
    )
    .await
    .assert_problem(400, "malformed");
}

backends!(documents);

/// The requesting address: `X-Forwarded-For` counts only from a trusted proxy.
async fn forwarded(trusted: bool, api_of: impl AsyncFnOnce(ochami_server::Settings) -> Api) {
    let mut s = settings();
    if trusted {
        s.trusted_proxies = vec!["127.0.0.0/8".parse::<IpNet>().unwrap()];
    }
    let api = api_of(s).await;
    seed(&api).await;
    let hdr = [("x-forwarded-for", "10.0.0.8, 127.0.0.1")];
    let md = api
        .send(Method::GET, "/cloud-init/meta-data", None, &hdr)
        .await
        .text();
    let md: serde_json::Value = serde_yaml_ng::from_str(&md).unwrap();
    let expect = if trusted { "10.0.0.8" } else { "127.0.0.1" };
    assert_eq!(
        md["instance_data"]["v1"]["local_ipv4"], expect,
        "trusted={trusted}: {md}"
    );
    if trusted {
        let bad = [("x-forwarded-for", "not-an-ip")];
        api.send(Method::GET, "/cloud-init/meta-data", None, &bad)
            .await
            .assert_problem(400, "X-Forwarded-For");
        let unknown = [("x-forwarded-for", "10.9.9.9")];
        api.send(Method::GET, "/cloud-init/user-data", None, &unknown)
            .await
            .assert_problem(422, "10.9.9.9");
        // A client prepending a node's address to what the proxy saw gains nothing.
        let spoofed = [("x-forwarded-for", "10.0.0.8, 10.9.9.9")];
        api.send(Method::GET, "/cloud-init/user-data", None, &spoofed)
            .await
            .assert_problem(422, "10.9.9.9");
    }
}

#[tokio::test]
async fn forwarded_for_only_from_trusted_proxies() {
    for trusted in [false, true] {
        forwarded(trusted, async |s| {
            Api::oneshot(ochami_store::open("memory:").await.unwrap(), s, None).await
        })
        .await;
        forwarded(trusted, async |s| {
            Api::socket(ochami_store::open("memory:").await.unwrap(), s, None).await
        })
        .await;
    }
}
