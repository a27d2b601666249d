//! `/hsm/v2/groups`, `/partitions`, `/memberships` and `/service/*`.

use serde_json::json;

use crate::backends;
use crate::common::Api;

async fn seed_nodes(api: &Api, ids: &[&str]) {
    let comps: Vec<_> = ids
        .iter()
        .map(|id| json!({"ID": id, "State": "Ready", "Role": "Compute"}))
        .collect();
    api.post("/hsm/v2/State/Components", &json!({"Components": comps}))
        .await
        .assert_status(204);
}

async fn groups(api: &Api) {
    seed_nodes(
        api,
        &[
            "x1c0s1b0n0",
            "x1c0s1b0n1",
            "x1c0s2b0n0",
            "x1c0s2b0n1",
            "x2c0s3b0n0",
        ],
    )
    .await;
    // The swagger's Group example, label in mixed case.
    let blue = json!({"label": "Blue", "description": "This is the blue group", "tags": ["optional_tag1", "optional_tag2"],
                      "exclusiveGroup": "optional_excl_group",
                      "members": {"ids": ["x1c0s1b0n0", "x1c0s1b0n1", "x1c0s2b0n0", "x1c0s2b0n1"]}});
    let r = api.post("/hsm/v2/groups", &blue).await;
    r.assert_status(201);
    assert_eq!(r.json(), json!([{"URI": "/hsm/v2/groups/blue"}]));
    assert_eq!(r.header("location"), "/hsm/v2/groups/blue");
    api.post("/hsm/v2/groups", &blue)
        .await
        .assert_problem(409, "blue");
    api.post("/hsm/v2/groups", &json!({"label": "bad label!"}))
        .await
        .assert_problem(400, "label");
    // A second group in the same exclusive group may not share members.
    let red = json!({"label": "red", "exclusiveGroup": "optional_excl_group", "members": {"ids": ["x1c0s1b0n0"]}});
    api.post("/hsm/v2/groups", &red)
        .await
        .assert_problem(409, "x1c0s1b0n0");
    api.post(
        "/hsm/v2/groups",
        &json!({"label": "compute", "description": "all compute", "members": {"ids": []}}),
    )
    .await
    .assert_status(201);

    let g = api.get("/hsm/v2/groups/blue").await.json();
    assert_eq!(
        g,
        json!({"label": "blue", "description": "This is the blue group", "exclusiveGroup": "optional_excl_group",
               "tags": ["optional_tag1", "optional_tag2"],
               "members": {"ids": ["x1c0s1b0n0", "x1c0s1b0n1", "x1c0s2b0n0", "x1c0s2b0n1"]}})
    );
    assert_eq!(
        api.get("/hsm/v2/groups/labels").await.json(),
        json!(["blue", "compute"])
    );
    assert_eq!(api.count("/hsm/v2/groups?tag=optional_tag1").await, Some(1));
    assert_eq!(
        api.get("/hsm/v2/groups?group=compute").await.json()[0]["label"],
        "compute"
    );

    api.patch(
        "/hsm/v2/groups/blue",
        &json!({"description": "the blue one"}),
    )
    .await
    .assert_status(204);
    api.patch("/hsm/v2/groups/blue", &json!({}))
        .await
        .assert_problem(400, "Missing description or tags");
    assert_eq!(
        api.get("/hsm/v2/groups/blue").await.json()["description"],
        "the blue one"
    );

    let r = api
        .post(
            "/hsm/v2/groups/compute/members",
            &json!({"id": "x2c0s3b0n0"}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(
        r.json(),
        json!([{"URI": "/hsm/v2/groups/compute/members/x2c0s3b0n0"}])
    );
    api.post(
        "/hsm/v2/groups/compute/members",
        &json!({"id": "x2c0s3b0n0"}),
    )
    .await
    .assert_problem(409, "x2c0s3b0n0");
    api.post(
        "/hsm/v2/groups/nosuch/members",
        &json!({"id": "x2c0s3b0n0"}),
    )
    .await
    .assert_problem(404, "nosuch");
    assert_eq!(
        api.get("/hsm/v2/groups/compute/members").await.json(),
        json!({"ids": ["x2c0s3b0n0"]})
    );
    let r = api
        .put(
            "/hsm/v2/groups/compute/members",
            &json!({"group": "compute", "ids": ["x1c0s1b0n0", "x1c0s1b0n1"]}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.json().as_array().map(Vec::len), Some(2));
    assert_eq!(
        api.get("/hsm/v2/groups/compute/members").await.json(),
        json!({"ids": ["x1c0s1b0n0", "x1c0s1b0n1"]})
    );
    let r = api
        .delete("/hsm/v2/groups/compute/members/x1c0s1b0n1")
        .await;
    assert_eq!(r.json(), json!({"code": 0, "message": "deleted 1 entry"}));
    api.delete("/hsm/v2/groups/compute/members/x1c0s1b0n1")
        .await
        .assert_problem(404, "x1c0s1b0n1");

    // Partitions: the swagger's Partition example.
    let p1 = json!({"name": "p1", "description": "This is partition 1", "tags": ["optional_tag_a", "optional_tag1"],
                    "members": {"ids": ["x1c0s1b0n0", "x1c0s1b0n1"]}});
    let r = api.post("/hsm/v2/partitions", &p1).await;
    r.assert_status(201);
    assert_eq!(r.json(), json!([{"URI": "/hsm/v2/partitions/p1"}]));
    api.post("/hsm/v2/partitions", &json!({"name": "compute"}))
        .await
        .assert_problem(400, "partition");
    api.post(
        "/hsm/v2/partitions",
        &json!({"name": "p2", "members": {"ids": ["x1c0s1b0n0"]}}),
    )
    .await
    .assert_problem(409, "x1c0s1b0n0");
    assert_eq!(
        api.get("/hsm/v2/partitions/names").await.json(),
        json!(["p1"])
    );
    assert_eq!(
        api.get("/hsm/v2/partitions/p1").await.json()["members"],
        json!({"ids": ["x1c0s1b0n0", "x1c0s1b0n1"]})
    );
    api.post(
        "/hsm/v2/partitions/p1/members",
        &json!({"id": "x2c0s3b0n0"}),
    )
    .await
    .assert_status(201);
    api.patch("/hsm/v2/partitions/p1", &json!({"tags": ["t"]}))
        .await
        .assert_status(204);
    assert_eq!(api.count("/hsm/v2/partitions?tag=t").await, Some(1));
    // Group members restricted to a partition.
    let m = api
        .get("/hsm/v2/groups/blue/members?partition=p1")
        .await
        .json();
    assert_eq!(m, json!({"ids": ["x1c0s1b0n0", "x1c0s1b0n1"]}));
    let m = api.get("/hsm/v2/groups/blue?partition=NULL").await.json();
    assert_eq!(m["members"], json!({"ids": ["x1c0s2b0n0", "x1c0s2b0n1"]}));

    // Memberships.
    let m = api.get("/hsm/v2/memberships/x1c0s1b0n0").await.json();
    assert_eq!(
        m,
        json!({"id": "x1c0s1b0n0", "groupLabels": ["blue", "compute"], "partitionName": "p1"})
    );
    api.get("/hsm/v2/memberships/x9c0s1b0n0")
        .await
        .assert_problem(404, "x9c0s1b0n0");
    let all = api.get("/hsm/v2/memberships?partition=p1").await.json();
    assert_eq!(all.as_array().map(Vec::len), Some(3));
    let none = api.get("/hsm/v2/memberships?group=NULL").await.json();
    assert_eq!(
        none,
        json!([{"id": "x2c0s3b0n0", "groupLabels": [], "partitionName": "p1"}])
    );

    api.delete("/hsm/v2/partitions/p1/members/x2c0s3b0n0")
        .await
        .assert_status(200);
    assert_eq!(
        api.delete("/hsm/v2/partitions/p1").await.json(),
        json!({"code": 0, "message": "deleted 1 entry"})
    );
    api.get("/hsm/v2/partitions/p1")
        .await
        .assert_problem(404, "p1");
    assert_eq!(
        api.delete("/hsm/v2/groups/blue").await.json(),
        json!({"code": 0, "message": "deleted 1 entry"})
    );
    api.delete("/hsm/v2/groups/blue")
        .await
        .assert_problem(404, "blue");
}

async fn service(api: &Api) {
    let r = api.get("/hsm/v2/service/ready").await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({"code": 0, "message": "HSM is healthy"}));
    let r = api.get("/hsm/v2/service/liveness").await;
    r.assert_status(204);
    assert!(r.body.is_empty());
    let v = api.get("/hsm/v2/service/values").await.json();
    for key in [
        "Arch", "Class", "Flag", "NetType", "Role", "SubRole", "State", "Type",
    ] {
        assert!(v[key].as_array().is_some_and(|a| !a.is_empty()), "{key}");
    }
    assert_eq!(
        v["Flag"],
        json!(["Unknown", "OK", "Warning", "Alert", "Locked"])
    );
    assert_eq!(
        api.get("/hsm/v2/service/values/arch").await.json(),
        json!({"Arch": ["X86", "ARM", "UNKNOWN", "Other"]})
    );
    assert_eq!(
        api.get("/hsm/v2/service/values/state").await.json(),
        json!({"State": ["Unknown", "Empty", "Populated", "Off", "On", "Standby", "Halt", "Ready"]})
    );
    let t = api.get("/hsm/v2/service/values/type").await.json();
    assert!(t["Type"].as_array().unwrap().contains(&json!("NodeBMC")));
    assert_eq!(
        api.get("/hsm/v2/service/values/subrole").await.json(),
        json!({"SubRole": ["Master", "Worker", "Storage"]})
    );
    api.get("/hsm/v2/service/values/colour")
        .await
        .assert_problem(404, "colour");
}

backends!(groups);
backends!(service);
