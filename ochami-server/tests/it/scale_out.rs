//! Several `ochami serve` processes on one database behave as one service: what is written
//! through one is read through the other, with no per-process state in between.

use std::sync::Arc;

use ochami_store::Store;
use serde_json::json;

use crate::common::{Api, settings};
use crate::smd_inventory::discovery_body;

async fn two_servers(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let a = Api::socket(a, settings(), None).await;
    let b = Api::socket(b, settings(), None).await;

    a.post("/hsm/v2/Inventory/RedfishEndpoints", &discovery_body())
        .await
        .assert_status(201);
    assert_eq!(
        b.get("/hsm/v2/State/Components/x1000c0s0b0n0").await.json()["State"],
        "On"
    );
    b.patch(
        "/hsm/v2/State/Components/x1000c0s0b0n0/StateData",
        &json!({"State": "Ready"}),
    )
    .await
    .assert_status(204);
    assert_eq!(
        a.get("/hsm/v2/State/Components/x1000c0s0b0n0").await.json()["State"],
        "Ready"
    );

    a.post(
        "/hsm/v2/groups",
        &json!({"label": "compute", "members": {"ids": ["x1000c0s0b0n0"]}}),
    )
    .await
    .assert_status(201);
    b.post("/hsm/v2/groups", &json!({"label": "compute"}))
        .await
        .assert_problem(409, "compute");
    assert_eq!(
        b.get("/hsm/v2/memberships/x1000c0s0b0n0").await.json()["groupLabels"],
        json!(["compute"])
    );

    // Boot parameters written through A boot the node through B, and a change through B
    // shows through A at once.
    a.put(
        "/boot/v1/bootparameters",
        &json!({"hosts": ["Compute"], "kernel": "http://k/v1"}),
    )
    .await
    .assert_status(200);
    let script = b
        .get("/boot/v1/bootscript?mac=a4:bf:01:00:00:01")
        .await
        .text();
    assert!(
        script.contains("kernel --name kernel http://k/v1 "),
        "{script}"
    );
    b.put(
        "/boot/v1/bootparameters",
        &json!({"hosts": ["Compute"], "kernel": "http://k/v2"}),
    )
    .await
    .assert_status(200);
    let script = a
        .get("/boot/v1/bootscript?mac=a4:bf:01:00:00:01")
        .await
        .text();
    assert!(
        script.contains("kernel --name kernel http://k/v2 "),
        "{script}"
    );

    // cloud-init data likewise.
    let group = json!({"name": "compute", "file": {"content": "#cloud-config\nruncmd: [date]\n"}});
    b.post("/cloud-init/admin/groups", &group)
        .await
        .assert_status(201);
    let doc = a
        .get("/cloud-init/admin/impersonation/x1000c0s0b0n0/compute.yaml")
        .await
        .text();
    assert_eq!(doc, "#cloud-config\nruncmd: [date]\n");

    // Hardware answers A keeps are checked against the database on every request: a write
    // through B shows through A at once, in the list and in the tree.
    let gpus = "/hsm/v2/Inventory/Hardware?type=NodeAccel";
    let tree = "/hsm/v2/Inventory/Hardware/Query/x1000c0s0b0n0?format=FullyFlat";
    assert_eq!(a.get(gpus).await.json(), json!([]));
    assert_eq!(a.get(tree).await.json().get("NodeAccels"), None);
    let gpu = json!({"ID": "x1000c0s0b0n0a0", "Type": "NodeAccel", "Ordinal": 0,
        "Status": "Populated", "HWInventoryByLocationType": "HWInvByLocNodeAccel"});
    b.post("/hsm/v2/Inventory/Hardware", &json!({"Hardware": [gpu]}))
        .await
        .assert_status(200);
    assert_eq!(a.get(gpus).await.json()[0]["ID"], "x1000c0s0b0n0a0");
    assert_eq!(
        a.get(tree).await.json()["NodeAccels"][0]["ID"],
        "x1000c0s0b0n0a0"
    );
    b.delete("/hsm/v2/Inventory/Hardware/x1000c0s0b0n0a0")
        .await
        .assert_status(200);
    assert_eq!(a.get(gpus).await.json(), json!([]));
    assert_eq!(a.get(tree).await.json().get("NodeAccels"), None);

    // Access history noted by B is in the database once B has flushed (its own history
    // route flushes first).
    b.get("/boot/v1/endpoint-history").await.assert_status(200);
    let h = a
        .get("/boot/v1/endpoint-history?name=x1000c0s0b0n0")
        .await
        .json();
    assert_eq!(h[0]["endpoint"], "bootscript", "{h}");
}

#[tokio::test]
async fn two_servers_on_one_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    let a = ochami_store::open(&url).await.unwrap();
    let b = ochami_store::open(&url).await.unwrap();
    two_servers(a, b).await;
}

#[tokio::test]
async fn two_servers_on_one_postgres_database() {
    let Some(db) = ochami_testing::postgres::fresh_database()
        .await
        .expect("postgres test harness")
    else {
        return;
    };
    let a = ochami_store::open(db.url()).await.unwrap();
    let b = ochami_store::open(db.url()).await.unwrap();
    two_servers(a, b).await;
}
