//! `/boot/v1`: boot parameters, the bootscript (exact text), hosts, history and status.

use axum::http::Method;
use serde_json::json;

use crate::backends;
use crate::common::Api;
use crate::smd_inventory::discovery_body;

const BP: &str = "/boot/v1/bootparameters";

async fn bootparameters(api: &Api) {
    // The swagger's BootParams example (hosts, macs, nids, kernel, initrd).
    let example = json!({
        "hosts": ["x0c0s2b0n0", "x0c0s3b0n0"],
        "macs": ["00:40:a6:82:f6:c5", "a4:bf:01:3e:c0:a2", "00:40:a6:82:f7:0c"],
        "nids": [1, 2, 3, 4],
        "params": "console=tty0 console=ttyS0,115200n8 root=crayfs ip=dhcp quiet",
        "kernel": "s3://boot-images/1dbb777c-2527-449b-bd6d-fb4d1cb79e88/kernel",
        "initrd": "s3://boot-images/1dbb777c-2527-449b-bd6d-fb4d1cb79e88/initrd",
        "cloud-init": {"user-data": {"foo": "bar"}, "meta-data": {"foo": "bar"}}
    });
    api.post(BP, &example).await.assert_status(201);
    api.post(BP, &example).await.assert_problem(409, "");
    let got = api.get(&format!("{BP}?name=x0c0s2b0n0")).await;
    got.assert_status(200);
    let got = got.json();
    assert_eq!(got[0]["kernel"], example["kernel"]);
    assert_eq!(got[0]["initrd"], example["initrd"]);
    assert_eq!(got[0]["params"], example["params"]);
    assert_eq!(got[0]["cloud-init"]["meta-data"], json!({"foo": "bar"}));
    assert_eq!(got[0]["cloud-init"]["phone-home"]["pub_key_rsa"], "");
    let by_mac = api.get(&format!("{BP}?mac=00-40-A6-82-F6-C5")).await.json();
    assert_eq!(by_mac[0]["kernel"], example["kernel"]);
    let by_nid = api.get(&format!("{BP}?nid=3,4")).await.json();
    assert_eq!(by_nid[0]["kernel"], example["kernel"]);
    // GET with a body names entries too.
    let r = api
        .send(
            Method::GET,
            BP,
            Some(json!({"hosts": ["x0c0s3b0n0"]}).to_string().into_bytes()),
            &[],
        )
        .await;
    assert_eq!(r.json()[0]["kernel"], example["kernel"]);
    api.get(&format!("{BP}?name=x9c0s3b0n0"))
        .await
        .assert_problem(404, "no boot parameters for the hosts, MACs or NIDs given");
    api.get(&format!("{BP}?nid=1,seven"))
        .await
        .assert_problem(400, "bad query param \"nid\": \"seven\" is not a NID");
    api.get(&format!("{BP}?mac=zz"))
        .await
        .assert_problem(400, "zz");

    // PUT replaces, PATCH merges, DELETE removes.
    let put = json!({"hosts": ["Default"], "kernel": "http://10.1.0.1/vmlinuz", "params": "console=ttyS0"});
    api.put(BP, &put).await.assert_status(200);
    api.patch(
        BP,
        &json!({"hosts": ["Default"], "params": "console=ttyS1"}),
    )
    .await
    .assert_status(200);
    let d = api.get(&format!("{BP}?name=Default")).await.json();
    assert_eq!(
        (&d[0]["kernel"], &d[0]["params"]),
        (&json!("http://10.1.0.1/vmlinuz"), &json!("console=ttyS1"))
    );
    api.patch(BP, &json!({"hosts": ["x7c0s0b0n0"], "params": "x"}))
        .await
        .assert_problem(404, "x7c0s0b0n0");
    api.send(
        Method::DELETE,
        BP,
        Some(json!({"hosts": ["Default"]}).to_string().into_bytes()),
        &[],
    )
    .await
    .assert_status(200);
    api.get(&format!("{BP}?name=Default"))
        .await
        .assert_problem(404, "");
    // Bad input.
    api.post(BP, &json!({"macs": ["nope"], "kernel": "k"}))
        .await
        .assert_problem(400, "nope");
    api.post(BP, &json!({"hosts": ["x0c0s0b0"], "kernel": "k"}))
        .await
        .assert_problem(400, "x0c0s0b0");
    api.post(
        BP,
        &json!({"hosts": ["Default"], "kernel": "http://k\nshell"}),
    )
    .await
    .assert_problem(400, "kernel");
    api.post(BP, &json!({"kernel": "http://k"}))
        .await
        .assert_problem(400, "hosts, macs or nids");
    let all = api.get(BP).await.json();
    assert_eq!(all.as_array().map(Vec::len), Some(1));
}

async fn bootscript(api: &Api) {
    api.post("/hsm/v2/Inventory/RedfishEndpoints", &discovery_body())
        .await
        .assert_status(201);
    let params = json!({"hosts": ["x1000c0s0b0n0"], "kernel": "http://10.1.0.1/kernel", "initrd": "http://10.1.0.1/initrd",
                        "params": "console=ttyS0,115200 ip=dhcp"});
    api.post(BP, &params).await.assert_status(201);

    let expected = "#!ipxe\n\
kernel --name kernel http://10.1.0.1/kernel initrd=initrd console=ttyS0,115200 ip=dhcp xname=x1000c0s0b0n0 nid=16400384 BOOTIF=01-a4-bf-01-00-00-01 ds=nocloud-net;s=http://ochami.test:27779/cloud-init/ || goto boot_retry\n\
initrd --name initrd http://10.1.0.1/initrd || goto boot_retry\n\
boot || goto boot_retry\n\
:boot_retry\n\
sleep 30\n\
chain http://ochami.test:27779/boot/v1/bootscript?mac=a4:bf:01:00:00:01&retry=1\n\n";
    let r = api.get("/boot/v1/bootscript?mac=a4:bf:01:00:00:01").await;
    r.assert_status(200);
    assert_eq!(r.header("content-type"), "text/plain; charset=UTF-8");
    assert_eq!(r.text(), expected);
    // Any MAC notation; retry feeds the chain line.
    let r = api
        .get("/boot/v1/bootscript?mac=A4-BF-01-00-00-01&retry=4")
        .await
        .text();
    assert!(r.ends_with("?mac=a4:bf:01:00:00:01&retry=5\n\n"), "{r}");
    // By name and NID: no BOOTIF, the chain line names the node's first MAC.
    let r = api
        .get("/boot/v1/bootscript?name=x1000c0s0b0n0")
        .await
        .text();
    assert!(
        !r.contains("BOOTIF") && r.contains("xname=x1000c0s0b0n0"),
        "{r}"
    );
    let r = api.get("/boot/v1/bootscript?nid=16400384").await.text();
    assert!(r.contains("xname=x1000c0s0b0n0"), "{r}");
    // JSON form.
    let r = api
        .get("/boot/v1/bootscript?mac=a4:bf:01:00:00:01&json=1")
        .await;
    assert_eq!(r.header("content-type"), "application/json; charset=UTF-8");
    let j = r.json();
    assert_eq!(j["kernel"], json!({"path": "http://10.1.0.1/kernel"}));
    assert_eq!(j["initrd"], json!({"path": "http://10.1.0.1/initrd"}));
    assert!(
        j["params"]
            .as_str()
            .unwrap()
            .starts_with("kernel initrd=initrd console=ttyS0,115200"),
        "{j}"
    );
    // An unknown MAC gets the wait script that comes back with its architecture.
    let r = api
        .get("/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff&ts=1700000000")
        .await;
    r.assert_status(200);
    assert_eq!(
        r.text(),
        "#!ipxe\nsleep 10\nchain http://ochami.test:27779/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff&arch=${buildarch}&ts=1700000000\n\n"
    );
    let r = api
        .get("/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff")
        .await
        .text();
    assert!(r.contains("&ts="), "ts defaults to now: {r}");
    // Bad parameters.
    api.get("/boot/v1/bootscript")
        .await
        .assert_problem(400, "Need a mac=, name=, or nid= parameter");
    api.get("/boot/v1/bootscript?mac=aa:bb")
        .await
        .assert_problem(400, "mac");
    api.get("/boot/v1/bootscript?nid=seven")
        .await
        .assert_problem(400, "nid");
    api.get("/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff&colour=red")
        .await
        .assert_problem(400, "colour");

    // The accesses of known nodes are recorded.
    let h = api
        .get("/boot/v1/endpoint-history?name=x1000c0s0b0n0")
        .await
        .json();
    assert_eq!(h[0]["name"], "x1000c0s0b0n0");
    assert_eq!(h[0]["endpoint"], "bootscript");
    assert!(
        h[0]["last_epoch"]
            .as_i64()
            .is_some_and(|t| t > 1_700_000_000),
        "{h}"
    );
    assert_eq!(
        api.get("/boot/v1/endpoint-history?endpoint=user-data")
            .await
            .json(),
        json!([])
    );
    api.get("/boot/v1/endpoint-history?endpoint=other")
        .await
        .assert_problem(400, "endpoint");

    // Hosts: the node with its MACs and FQDN.
    let hosts = api.get("/boot/v1/hosts").await.json();
    assert_eq!(hosts.as_array().map(Vec::len), Some(1));
    assert_eq!(hosts[0]["ID"], "x1000c0s0b0n0");
    assert_eq!(hosts[0]["MAC"], json!(["a4:bf:01:00:00:01"]));
    assert_eq!(hosts[0]["EndpointEnabled"], true);
    assert_eq!(
        api.count("/boot/v1/hosts?mac=a4:bf:01:00:00:01").await,
        Some(1)
    );
    assert_eq!(
        api.get("/boot/v1/hosts?name=x1000c0s0b0n1").await.json(),
        json!([])
    );
    api.send(Method::POST, "/boot/v1/hosts", None, &[])
        .await
        .assert_status(204);
    let dump = api.get("/boot/v1/dumpstate").await.json();
    assert_eq!(dump["Components"][0]["ID"], "x1000c0s0b0n0");
    assert_eq!(dump["Params"][0]["hosts"], json!(["x1000c0s0b0n0"]));
}

async fn service(api: &Api) {
    assert_eq!(
        api.get("/boot/v1/service/status").await.json(),
        json!({"bss-status": "running"})
    );
    assert_eq!(
        api.get("/boot/v1/service/hsm").await.json(),
        json!({"bss-status-hsm": "connected"})
    );
    let v = api.get("/boot/v1/service/version").await.json();
    assert!(v["bss-version"].as_str().is_some_and(|s| !s.is_empty()));
    let s = api.get("/boot/v1/service/storage/status").await.json();
    assert_eq!(s["bss-storage-backend"]["status"], "connected");
    assert!(
        ["memory", "sqlite", "postgres"]
            .contains(&s["bss-storage-backend"]["name"].as_str().unwrap())
    );
    let all = api.get("/boot/v1/service/status/all").await;
    all.assert_status(200);
    let all = all.json();
    assert_eq!(
        (&all["bss-status"], &all["bss-status-hsm"]),
        (&json!("running"), &json!("connected"))
    );
}

backends!(bootparameters);
backends!(bootscript);
backends!(service);
