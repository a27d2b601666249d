//! `/boot-service` (OpenCHAMI v0.2): the resource envelope round trip of composed examples,
//! unknown fields, bad versions and bad patches, and one boot model behind BSS and
//! boot-service (what one API writes, both bootscripts serve).

use axum::http::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::common::{Api, Resp};
use crate::smd_inventory::discovery_body;

const BC: &str = "/boot-service/bootconfigurations";
const BP: &str = "/boot/v1/bootparameters";

/// Assert boot-service's error body: `{"error": "...<needle>...", "code": status}`.
#[track_caller]
fn assert_error(r: &Resp, status: u16, needle: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text());
    let b = r.json();
    assert_eq!(b["code"], status, "{b}");
    let e = b["error"].as_str().unwrap_or_default();
    assert!(e.contains(needle), "error {e:?} lacks {needle:?}");
}

async fn send(api: &Api, method: Method, path: &str, body: &Value, ct: &str) -> Resp {
    api.send(
        method,
        path,
        Some(body.to_string().into_bytes()),
        &[("content-type", ct)],
    )
    .await
}

/// The kernel line of a script.
fn kernel_of(script: &str) -> String {
    script
        .lines()
        .find(|l| l.starts_with("kernel "))
        .unwrap_or_default()
        .split(' ')
        .nth(3)
        .unwrap_or_default()
        .to_owned()
}

async fn scripts(api: &Api) -> (String, String, String) {
    let bss = api.get("/boot/v1/bootscript?mac=a4:bf:01:00:00:01").await;
    bss.assert_status(200);
    let svc = api
        .get("/boot-service/bootscript?mac=a4:bf:01:00:00:01")
        .await;
    svc.assert_status(200);
    let host = api.get("/boot-service/bootscript?host=x1000c0s0b0n0").await;
    host.assert_status(200);
    (bss.text(), svc.text(), host.text())
}

async fn configurations(api: &Api) {
    api.post("/hsm/v2/Inventory/RedfishEndpoints", &discovery_body())
        .await
        .assert_status(201);
    // A composed create body: envelope, name, spec (every spec field).
    let spec = json!({
        "hosts": ["x1000c0s0b0n0"],
        "groups": ["compute"],
        "nids": [16400384],
        "profile": "default",
        "kernel": "http://10.1.0.1/vmlinuz",
        "initrd": "http://10.1.0.1/initrd.img",
        "params": "console=ttyS0,115200 ip=dhcp",
        "priority": 10
    });
    let created = api
        .post(
            BC,
            &json!({"apiVersion": "boot.openchami.io/v1", "kind": "BootConfiguration",
                    "metadata": {"name": "compute"}, "spec": spec, "labels": {"site": "a"}}),
        )
        .await;
    created.assert_status(201);
    assert_eq!(
        created.header("content-type"),
        "application/json;version=v1"
    );
    let c = created.json();
    assert_eq!(c["apiVersion"], "v1");
    assert_eq!(c["kind"], "BootConfiguration");
    assert_eq!(c["spec"], spec);
    assert_eq!(c["status"], json!({}));
    assert_eq!(c["metadata"]["name"], "compute");
    assert_eq!(c["metadata"]["labels"], json!({"site": "a"}));
    assert!(c["metadata"]["createdAt"].is_string());
    let uid = c["metadata"]["uid"].as_str().unwrap().to_owned();
    let hex = uid.strip_prefix("bootconfiguration-").expect("uid prefix");
    assert!(
        hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        "{uid}"
    );
    let one = format!("{BC}/{uid}");
    assert_eq!(api.get(&one).await.json(), c);
    assert_eq!(api.get(BC).await.json(), json!([c]));

    // Written through boot-service: both bootscripts serve it, alike.
    let (bss, svc, host) = scripts(api).await;
    assert_eq!(kernel_of(&bss), "http://10.1.0.1/vmlinuz", "{bss}");
    assert_eq!(bss, svc);
    assert_eq!(kernel_of(&host), "http://10.1.0.1/vmlinuz");
    // BSS lists it in its own shape (groups appended to hosts).
    let listed = api.get(&format!("{BP}?name=x1000c0s0b0n0")).await.json();
    assert_eq!(listed[0]["hosts"], json!(["x1000c0s0b0n0", "compute"]));
    assert_eq!(listed[0]["kernel"], "http://10.1.0.1/vmlinuz");

    // Written through BSS, by MAC: 100 loses to the configuration's hosts + nids (125).
    api.post(
        BP,
        &json!({"macs": ["a4:bf:01:00:00:01"], "kernel": "http://bss/k"}),
    )
    .await
    .assert_status(201);
    let (bss, svc, _) = scripts(api).await;
    assert_eq!(kernel_of(&bss), "http://10.1.0.1/vmlinuz");
    assert_eq!(bss, svc);
    // Lower the configuration's score (PATCH, merge): the BSS row by MAC takes over, in both.
    let r = send(
        api,
        Method::PATCH,
        &one,
        &json!({"nids": null, "kernel": "http://10.1.0.1/vmlinuz2"}),
        "application/merge-patch+json",
    )
    .await;
    r.assert_status(200);
    assert_eq!(r.json()["spec"]["kernel"], "http://10.1.0.1/vmlinuz2");
    assert!(r.json()["spec"].get("nids").is_none());
    let (bss, svc, _) = scripts(api).await;
    assert_eq!(kernel_of(&bss), "http://bss/k", "{bss}");
    assert_eq!(bss, svc);
    // The BSS row is a configuration too, with a stable uid.
    let legacy = api.get(&format!("{BC}/legacy-mac-a4bf01000001")).await;
    legacy.assert_status(200);
    let legacy = legacy.json();
    assert_eq!(legacy["metadata"]["name"], "legacy-a4:bf:01:00:00:01");
    assert_eq!(
        legacy["spec"],
        json!({"macs": ["a4:bf:01:00:00:01"], "kernel": "http://bss/k"})
    );
    assert_eq!(
        legacy["metadata"]["annotations"]["ochami.io/written-through"],
        "bss"
    );
    assert_eq!(api.get(BC).await.json().as_array().map(Vec::len), Some(2));
    let r = api
        .put(
            &format!("{BC}/legacy-mac-a4bf01000001"),
            &json!({"spec": {"kernel": "http://x/k"}}),
        )
        .await;
    assert_error(&r, 409, "/boot/v1/bootparameters");
    // JSON patch (RFC 6902): add the MAC to the configuration; it wins again (100 + 50).
    let r = send(
        api,
        Method::PATCH,
        &one,
        &json!([{"op": "add", "path": "/macs", "value": ["A4-BF-01-00-00-01"]}]),
        "application/json-patch+json",
    )
    .await;
    r.assert_status(200);
    assert_eq!(r.json()["spec"]["macs"], json!(["a4:bf:01:00:00:01"]));
    let (bss, _, _) = scripts(api).await;
    assert_eq!(kernel_of(&bss), "http://10.1.0.1/vmlinuz2");
    // Deleting the BSS row through boot-service deletes it for BSS.
    let r = api.delete(&format!("{BC}/legacy-mac-a4bf01000001")).await;
    r.assert_status(200);
    assert_eq!(
        r.json(),
        json!({"message": "BootConfiguration deleted successfully", "uid": "legacy-mac-a4bf01000001"})
    );
    api.get(&format!("{BP}?mac=a4:bf:01:00:00:01"))
        .await
        .assert_status(200);
    assert_eq!(
        api.get(&format!("{BP}?mac=a4:bf:01:00:00:01")).await.json()[0]["kernel"],
        "http://10.1.0.1/vmlinuz2"
    );

    // PUT replaces the whole spec.
    let r = api.put(&one, &json!({"metadata": {"name": "renamed"}, "spec": {"groups": ["compute"], "kernel": "/boot/vmlinuz"}})).await;
    r.assert_status(200);
    assert_eq!(r.json()["metadata"]["name"], "renamed");
    assert_eq!(
        r.json()["spec"],
        json!({"groups": ["compute"], "kernel": "/boot/vmlinuz"})
    );
    assert_eq!(
        r.json()["metadata"]["createdAt"],
        c["metadata"]["createdAt"]
    );

    // Bad input: unknown fields, bad values, bad versions, bad patches.
    let r = api
        .post(
            BC,
            &json!({"metadata": {"name": "x"}, "spec": {"kernal": "http://k"}}),
        )
        .await;
    assert_error(&r, 400, "kernal");
    let r = api
        .post(
            BC,
            &json!({"metadata": {"name": "x"}, "spec": {"kernel": "http://k"}, "extra": 1}),
        )
        .await;
    assert_error(&r, 400, "extra");
    let r = api
        .post(
            BC,
            &json!({"metadata": {"name": "x"}, "spec": {"kernel": "http://k", "priority": 101}}),
        )
        .await;
    assert_error(&r, 400, "priority");
    let r = api
        .post(
            BC,
            &json!({"metadata": {"name": "x"}, "spec": {"kernel": "http://k", "macs": ["zz"]}}),
        )
        .await;
    assert_error(&r, 400, "zz");
    let r = api
        .post(
            BC,
            &json!({"metadata": {"name": "x"}, "spec": {"params": "quiet"}}),
        )
        .await;
    assert_error(&r, 400, "kernel");
    let r = api.post(BC, &json!({"spec": {"kernel": "http://k"}})).await;
    assert_error(&r, 400, "metadata.name");
    let r = api.post(BC, &json!({"apiVersion": "boot.openchami.io/v9", "metadata": {"name": "x"}, "spec": {"kernel": "http://k"}})).await;
    assert_error(&r, 406, "Unsupported version");
    assert_eq!(r.json()["requested"], "v9");
    assert_eq!(r.json()["supported"], json!(["v1"]));
    let r = api
        .send(
            Method::GET,
            BC,
            None,
            &[("accept", "application/json;version=v2")],
        )
        .await;
    assert_error(&r, 406, "Unsupported version");
    let r = api
        .send(
            Method::GET,
            BC,
            None,
            &[("accept", "application/json;version=v1")],
        )
        .await;
    r.assert_status(200);
    let r = send(
        api,
        Method::PATCH,
        &one,
        &json!([{"op": "test", "path": "/kernel", "value": "nope"}]),
        "application/json-patch+json",
    )
    .await;
    assert_error(&r, 422, "operation 0");
    let r = send(
        api,
        Method::PATCH,
        &one,
        &json!([{"op": "jump"}]),
        "application/json-patch+json",
    )
    .await;
    assert_error(&r, 422, "JSON Patch");
    let r = send(
        api,
        Method::PATCH,
        &one,
        &json!({"kernal": "x"}),
        "application/merge-patch+json",
    )
    .await;
    assert_error(&r, 400, "kernal");
    let r = send(
        api,
        Method::PATCH,
        &one,
        &json!({"kernel": "x"}),
        "text/plain",
    )
    .await;
    assert_error(&r, 415, "merge-patch");
    assert_eq!(
        api.get(&one).await.json()["spec"]["kernel"],
        "/boot/vmlinuz"
    );

    // Delete.
    let r = api.delete(&one).await;
    r.assert_status(200);
    assert_eq!(r.json()["uid"], uid.as_str());
    assert_error(&api.get(&one).await, 404, &uid);
    assert_error(&api.delete(&one).await, 404, &uid);
}

async fn nodes_bmcs_and_service(api: &Api) {
    api.post("/hsm/v2/Inventory/RedfishEndpoints", &discovery_body())
        .await
        .assert_status(201);
    let nodes = api.get("/boot-service/nodes").await;
    nodes.assert_status(200);
    let n = &nodes.json()[0];
    assert_eq!(n["kind"], "Node");
    assert_eq!(n["metadata"]["uid"], "node-x1000c0s0b0n0");
    assert_eq!(n["spec"]["xname"], "x1000c0s0b0n0");
    assert_eq!(n["spec"]["nid"], 16400384);
    assert_eq!(n["spec"]["bootMac"], "a4:bf:01:00:00:01");
    // A node written here is an SMD component, with its interface and group.
    let r = api
        .post(
            "/boot-service/nodes",
            &json!({"metadata": {"name": "cn77"}, "spec": {"xname": "x1000c0s1b0n0", "nid": 77, "role": "Compute",
                    "interfaces": [{"mac": "02:00:00:00:00:77", "ip": "10.0.0.77"}], "groups": ["compute"]}}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["spec"]["groups"], json!(["compute"]));
    let c = api
        .get("/hsm/v2/State/Components/x1000c0s1b0n0")
        .await
        .json();
    assert_eq!((&c["NID"], &c["Role"]), (&json!(77), &json!("Compute")));
    api.post(BC, &json!({"metadata": {"name": "g"}, "spec": {"groups": ["compute"], "kernel": "http://g/k"}}))
        .await
        .assert_status(201);
    let s = api
        .get("/boot-service/bootscript?mac=02:00:00:00:00:77")
        .await
        .text();
    assert_eq!(kernel_of(&s), "http://g/k", "{s}");
    let r = send(
        api,
        Method::PATCH,
        "/boot-service/nodes/node-x1000c0s1b0n0",
        &json!({"nid": 78}),
        "application/merge-patch+json",
    )
    .await;
    r.assert_status(200);
    assert_eq!(r.json()["spec"]["nid"], 78);
    assert_error(
        &api.post(
            "/boot-service/nodes",
            &json!({"spec": {"xname": "x1000c0s1b0n0"}}),
        )
        .await,
        409,
        "exists",
    );
    assert_error(
        &api.post(
            "/boot-service/nodes",
            &json!({"spec": {"xname": "x1000c0s1b0"}}),
        )
        .await,
        400,
        "not a node",
    );
    // A MAC of another node is a conflict, and nothing of the refused node is written.
    assert_error(
        &api.post(
            "/boot-service/nodes",
            &json!({"spec": {"xname": "x1000c0s2b0n0", "interfaces": [{"mac": "02:00:00:00:00:77"}]}}),
        )
        .await,
        409,
        "belongs to",
    );
    api.get("/hsm/v2/State/Components/x1000c0s2b0n0")
        .await
        .assert_status(404);
    api.delete("/boot-service/nodes/node-x1000c0s1b0n0")
        .await
        .assert_status(200);
    api.get("/hsm/v2/State/Components/x1000c0s1b0n0")
        .await
        .assert_status(404);

    // BMCs: SMD's Redfish endpoints, never with credentials.
    api.post(
        "/hsm/v2/Inventory/RedfishEndpoints",
        &json!({"ID": "x0c0s0b0", "FQDN": "x0c0s0b0.mgmt", "MACAddr": "ae:12:e2:ff:89:9d",
                "IPAddress": "10.254.2.10", "User": "root", "Password": "s3cret-pw"}),
    )
    .await
    .assert_status(201);
    let bmcs = api.get("/boot-service/bmcs").await;
    bmcs.assert_status(200);
    assert!(
        !bmcs.text().contains("s3cret-pw") && !bmcs.text().contains("root"),
        "{}",
        bmcs.text()
    );
    let b = api.get("/boot-service/bmcs/bmc-x0c0s0b0").await.json();
    assert_eq!(
        b["spec"],
        json!({"xname": "x0c0s0b0", "interface": {"mac": "ae:12:e2:ff:89:9d", "ip": "10.254.2.10", "type": "management"}})
    );
    assert_error(
        &api.post("/boot-service/bmcs", &json!({"spec": {}})).await,
        405,
        "RedfishEndpoints",
    );

    // Service routes.
    assert_eq!(
        api.get("/boot-service/health").await.json(),
        json!({"status": "ok", "service": "boot-service"})
    );
    assert_eq!(
        api.get("/boot-service/service/status").await.json()["service_status"],
        "running"
    );
    api.get("/boot-service/service/version")
        .await
        .assert_status(200);
    assert_error(
        &api.get("/boot-service/bootscript").await,
        400,
        "host, mac or nid",
    );
    assert_error(
        &api.get("/boot-service/bootscript?host=x1000c0s0b0n0&bogus=1")
            .await,
        400,
        "bogus",
    );
}

backends!(configurations);
backends!(nodes_bmcs_and_service);
