//! `/metadata-service` (OpenCHAMI v0.2): the NoCloud documents in v0.2's shape for the node
//! asking (by its address), the admin resources in the envelope (composed examples, unknown
//! fields, bad versions, bad patches), and cloud-init's own NoCloud reader
//! (`cloudinit.util.read_seeded`, Debian package `cloud-init`) parsing what a node gets. That
//! last test skips with a notice when cloud-init is not installed; under `CI=true` it fails.

use std::process::Command;

use axum::http::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::common::{Api, Transport};
use crate::smd_inventory::discovery_body;

const MS: &str = "/metadata-service";

/// The node x1000c0s0b0n0 (NID 16400384, MAC a4:bf:01:00:00:01 at 10.100.0.1) with a second
/// interface on the HMN network at 127.0.0.1 (where test requests come from), in group
/// `compute`, plus cluster defaults, the group's data and the node's instance info written
/// through the resources.
async fn seed(api: &Api) {
    api.post("/hsm/v2/Inventory/RedfishEndpoints", &discovery_body())
        .await
        .assert_status(201);
    api.post(
        "/hsm/v2/Inventory/EthernetInterfaces",
        &json!({"MACAddress": "02:00:00:00:00:01", "ComponentID": "x1000c0s0b0n0", "Description": "hmn",
                "IPAddresses": [{"IPAddress": "127.0.0.1", "Network": "HMN"}]}),
    )
    .await
    .assert_status(201);
    api.post(
        "/hsm/v2/groups",
        &json!({"label": "compute", "members": {"ids": ["x1000c0s0b0n0"]}}),
    )
    .await
    .assert_status(201);
    let r = api
        .post(
            &format!("{MS}/clusterdefaultss"),
            &json!({"apiVersion": "cloud-init.openchami.io/v1", "kind": "ClusterDefaults",
                    "metadata": {"name": "demo"},
                    "spec": {"base_url": "http://10.0.0.1:8081/metadata-service", "cluster_name": "demo",
                             "short_name": "de", "nid_length": 2, "region": "r1", "availability_zone": "az1",
                             "cloud_provider": "OpenCHAMI", "public_keys": ["ssh-ed25519 AAAA ops@head"]}}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["metadata"]["uid"], "clusterdefaults-cluster");
    assert_eq!(r.json()["spec"]["nid_length"], 2);
    let r = api
        .post(
            &format!("{MS}/groups"),
            &json!({"metadata": {"name": "compute"},
                    "spec": {"description": "compute config", "template": "## template: jinja\n#cloud-config\npackages: [vim]\n",
                             "metaData": {"scheduler": "slurm"}, "osVersion": "rocky9"}}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["metadata"]["uid"], "group-compute");
    assert_eq!(r.json()["spec"]["osVersion"], "rocky9");
    let r = api
        .post(
            &format!("{MS}/instanceinfos"),
            &json!({"metadata": {"name": "x1000c0s0b0n0"},
                    "spec": {"instance_id": "i-demo", "public_keys": ["ssh-rsa KEY node"]}}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["metadata"]["uid"], "instanceinfo-x1000c0s0b0n0");
}

async fn documents(api: &Api) {
    // Nobody has the address yet.
    let r = api.get(&format!("{MS}/meta-data")).await;
    assert_eq!(r.status.as_u16(), 404, "{}", r.text());
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("node not found")
    );
    seed(api).await;

    let r = api.get(&format!("{MS}/meta-data")).await;
    r.assert_status(200);
    assert_eq!(r.header("content-type"), "application/x-yaml");
    let md: Value = serde_yaml_ng::from_str(&r.text()).expect("meta-data is YAML");
    assert_eq!(md["instance-id"], "i-demo");
    assert_eq!(md["local-hostname"], "de16400384");
    assert_eq!(md["hostname"], "de16400384");
    assert_eq!(md["cluster-name"], "demo");
    let v1 = &md["instance_data"]["v1"];
    assert_eq!(v1["cloud_name"], "OpenCHAMI");
    assert_eq!(v1["availability_zone"], "az1");
    assert_eq!(v1["region"], "r1");
    assert_eq!(v1["local_ipv4"], "127.0.0.1");
    assert_eq!(
        v1["public_keys"],
        json!(["ssh-ed25519 AAAA ops@head", "ssh-rsa KEY node"])
    );
    let vd = &v1["vendor_data"];
    assert_eq!(vd["version"], "1.0");
    assert_eq!(
        vd["cloud_init_base_url"],
        "http://10.0.0.1:8081/metadata-service"
    );
    assert_eq!(vd["nid"], 16400384);
    assert_eq!(vd["role"], "Compute");
    assert_eq!(vd["mac"], "02:00:00:00:00:01");
    assert_eq!(
        vd["interfaces"],
        json!([
            {"name": "eth0", "mac": "02:00:00:00:00:01", "ip": "127.0.0.1", "network": "HMN", "description": "hmn", "enabled": true},
            {"name": "eth1", "mac": "a4:bf:01:00:00:01", "ip": "10.100.0.1", "network": "", "description": "boot NIC", "enabled": true}
        ])
    );
    assert_eq!(
        vd["groups"],
        json!({"compute": {"description": "compute config", "scheduler": "slurm"}})
    );

    let r = api.get(&format!("{MS}/user-data")).await;
    assert_eq!(r.text(), "#cloud-config\n");
    let r = api.get(&format!("{MS}/vendor-data")).await;
    assert_eq!(
        r.text(),
        "#include\nhttp://10.0.0.1:8081/metadata-service/compute.yaml\n"
    );
    let r = api.get(&format!("{MS}/compute.yaml")).await;
    assert_eq!(
        r.text(),
        "## template: jinja\n#cloud-config\npackages: [vim]\n"
    );
    assert_eq!(
        api.get(&format!("{MS}/storage.yaml")).await.status.as_u16(),
        404
    );
    let r = api.get(&format!("{MS}/network-config")).await;
    r.assert_status(200);
    let nc: Value = serde_yaml_ng::from_str(&r.text()).expect("network-config is YAML");
    assert_eq!(
        nc,
        json!({"version": 1, "config": [
            {"type": "physical", "name": "eth0", "mac_address": "02:00:00:00:00:01", "description": "hmn",
             "subnets": [{"type": "static", "address": "127.0.0.1/24"}]},
            {"type": "physical", "name": "eth1", "mac_address": "a4:bf:01:00:00:01", "description": "boot NIC",
             "subnets": [{"type": "static", "address": "10.100.0.1/24"}]}
        ]})
    );
    // The older /cloud-init meta-data keeps its own shape.
    let old: Value =
        serde_yaml_ng::from_str(&api.get("/cloud-init/meta-data").await.text()).unwrap();
    assert!(
        old["instance_data"]["v1"]["vendor_data"]
            .get("nid")
            .is_none()
    );
    assert_eq!(
        api.get(&format!("{MS}/health")).await.json()["status"],
        "healthy"
    );
}

async fn resources(api: &Api) {
    seed(api).await;
    let groups = api.get(&format!("{MS}/groups")).await;
    groups.assert_status(200);
    assert_eq!(groups.header("content-type"), "application/json;version=v1");
    let g = &groups.json()[0];
    assert_eq!(g["kind"], "Group");
    assert_eq!(g["apiVersion"], "v1");
    assert_eq!(
        g["spec"],
        json!({"description": "compute config", "template": "## template: jinja\n#cloud-config\npackages: [vim]\n",
               "metaData": {"scheduler": "slurm"}, "osVersion": "rocky9"})
    );
    // The same data through the older admin API.
    let old = api.get("/cloud-init/admin/groups/compute").await.json();
    assert_eq!(old["description"], "compute config");
    // PATCH (merge, then JSON patch), PUT, DELETE.
    let one = format!("{MS}/groups/group-compute");
    let r = api
        .send(
            Method::PATCH,
            &one,
            Some(
                json!({"metaData": {"scheduler": "pbs"}})
                    .to_string()
                    .into_bytes(),
            ),
            &[("content-type", "application/merge-patch+json")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["spec"]["metaData"]["scheduler"], "pbs");
    let r = api
        .send(
            Method::PATCH,
            &one,
            Some(
                json!([{"op": "replace", "path": "/description", "value": "d2"}])
                    .to_string()
                    .into_bytes(),
            ),
            &[("content-type", "application/json-patch+json")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["spec"]["description"], "d2");
    let r = api
        .send(
            Method::PATCH,
            &one,
            Some(
                json!([{"op": "remove", "path": "/nope"}])
                    .to_string()
                    .into_bytes(),
            ),
            &[("content-type", "application/json-patch+json")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.text());
    assert_eq!(r.json()["code"], 422);
    let r = api
        .put(&one, &json!({"spec": {"template": "#cloud-config\n"}}))
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["spec"], json!({"template": "#cloud-config\n"}));
    // Bad input.
    let r = api
        .post(
            &format!("{MS}/groups"),
            &json!({"metadata": {"name": "compute"}, "spec": {}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 409, "{}", r.text());
    let r = api
        .post(
            &format!("{MS}/groups"),
            &json!({"metadata": {"name": "g2"}, "spec": {"templat": "x"}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(r.json()["error"].as_str().unwrap().contains("templat"));
    let r = api
        .post(
            &format!("{MS}/clusterdefaultss"),
            &json!({"spec": {"cluster_name": "demo", "base_url": "nope"}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(r.json()["error"].as_str().unwrap().contains("base_url"));
    let r = api
        .post(
            &format!("{MS}/instanceinfos"),
            &json!({"metadata": {"name": "x1000c0s0b0n0"}, "spec": {"hostname": "h"}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400);
    // The exact answers of the spec and name rules (ochami-core's cloud_init::spec).
    let error = |r: &crate::common::Resp| (r.status.as_u16(), r.json()["error"].clone());
    assert_eq!(
        error(&r),
        (
            400,
            json!("validation failed: spec.instance_id is required")
        )
    );
    let r = api
        .post(
            &format!("{MS}/instanceinfos"),
            &json!({"metadata": {"name": "x1000c0s0b0n0"}, "spec": {"instance_id": "i-2"}}),
        )
        .await;
    assert_eq!(
        error(&r),
        (
            409,
            json!("instance info for x1000c0s0b0n0 exists (uid instanceinfo-x1000c0s0b0n0)")
        )
    );
    let r = api
        .put(
            &format!("{MS}/instanceinfos/instanceinfo-x1000c0s0b0n0"),
            &json!({"metadata": {"name": "x1000c0s0b0n1"}, "spec": {"instance_id": "i-2"}}),
        )
        .await;
    assert_eq!(
        error(&r),
        (
            400,
            json!("validation failed: metadata.name cannot change (it is the uid)")
        )
    );
    let r = api
        .post(&format!("{MS}/groups"), &json!({"spec": {}}))
        .await;
    assert_eq!(
        error(&r),
        (400, json!("validation failed: metadata.name is required"))
    );
    for (spec, message) in [
        (
            json!({"cluster_name": "demo", "base_url": "nope"}),
            "spec.base_url must be an http:// or https:// URL",
        ),
        (
            json!({"cluster_name": " ", "base_url": "http://x"}),
            "spec.cluster_name is required",
        ),
        (
            json!({"cluster_name": "demo", "base_url": "http://x", "nid_length": 11}),
            "spec.nid_length must be from 0 to 10",
        ),
    ] {
        let r = api
            .post(&format!("{MS}/clusterdefaultss"), &json!({"spec": spec}))
            .await;
        assert_eq!(
            error(&r),
            (400, json!(format!("validation failed: {message}")))
        );
    }
    let r = api
        .send(
            Method::GET,
            &format!("{MS}/groups"),
            None,
            &[("accept", "application/json;version=v3")],
        )
        .await;
    assert_eq!(r.status.as_u16(), 406);
    assert_eq!(r.json()["supported"], json!(["v1"]));
    let r = api.delete(&one).await;
    r.assert_status(200);
    assert_eq!(r.json()["message"], "Group deleted successfully");
    assert_eq!(api.get(&one).await.status.as_u16(), 404);
    // Instance info and defaults read back.
    let i = api
        .get(&format!("{MS}/instanceinfos/instanceinfo-x1000c0s0b0n0"))
        .await
        .json();
    assert_eq!(
        i["spec"],
        json!({"instance_id": "i-demo", "public_keys": ["ssh-rsa KEY node"]})
    );
    assert_eq!(
        api.get(&format!("{MS}/instanceinfos"))
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let d = api.get(&format!("{MS}/clusterdefaults")).await.json();
    assert_eq!(d[0]["spec"]["cluster_name"], "demo");
    api.delete(&format!("{MS}/instanceinfos/instanceinfo-x1000c0s0b0n0"))
        .await
        .assert_status(200);
    assert_eq!(
        api.get(&format!("{MS}/instanceinfos")).await.json(),
        json!([])
    );
}

backends!(documents);
backends!(resources);

/// A Python 3 with cloud-init's modules (Debian's `cloud-init` installs them for
/// `/usr/bin/python3`), or `None` with a notice.
fn python_with_cloudinit() -> Option<&'static str> {
    for py in ["/usr/bin/python3", "python3"] {
        let ok = Command::new(py)
            .args(["-c", "import cloudinit.util"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(py);
        }
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but cloud-init (Debian package cloud-init) is missing"
    );
    eprintln!(
        "notice: skipping: cloud-init's Python modules (package cloud-init) are not installed"
    );
    None
}

/// What cloud-init itself reads from `/metadata-service/` for the node at 127.0.0.1.
const READER: &str = r#"
import json, sys
from cloudinit import url_helper, util
from cloudinit.net import network_state
base = sys.argv[1]
md, ud, vd = util.read_seeded(base=base, timeout=5, retries=1)
nc = util.load_yaml(util.decode_binary(url_helper.read_file_or_url(base + "network-config", timeout=5).contents))
ns = network_state.parse_net_config_data(nc)
print(json.dumps({
    "instance-id": md["instance-id"],
    "local-hostname": md["local-hostname"],
    "nid": md["instance_data"]["v1"]["vendor_data"]["nid"],
    "user-data": ud.decode(),
    "vendor-data": vd.decode(),
    "macs": sorted(i["mac_address"] for i in ns.iter_interfaces()),
    "addresses": sorted("%s/%s" % (s["address"], s.get("prefix")) for i in ns.iter_interfaces() for s in i["subnets"]),
}))
"#;

#[tokio::test]
async fn cloud_init_reads_the_metadata_service() {
    let Some(py) = python_with_cloudinit() else {
        return;
    };
    let store = ochami_store::open("memory:").await.expect("memory store");
    let api = Api::socket(store, crate::common::settings(), None).await;
    seed(&api).await;
    let Transport::Socket { base, .. } = &api.transport else {
        unreachable!("a socket api")
    };
    let url = format!("{base}{MS}/");
    let out = tokio::task::spawn_blocking({
        let py = py.to_owned();
        move || Command::new(py).args(["-c", READER, &url]).output()
    })
    .await
    .expect("join")
    .expect("python runs");
    assert!(
        out.status.success(),
        "cloud-init's reader failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).expect("reader output is JSON");
    assert_eq!(
        got,
        json!({
            "instance-id": "i-demo",
            "local-hostname": "de16400384",
            "nid": 16400384,
            "user-data": "#cloud-config\n",
            "vendor-data": "#include\nhttp://10.0.0.1:8081/metadata-service/compute.yaml\n",
            "macs": ["02:00:00:00:00:01", "a4:bf:01:00:00:01"],
            "addresses": ["10.100.0.1/24", "127.0.0.1/24"],
        })
    );
}
