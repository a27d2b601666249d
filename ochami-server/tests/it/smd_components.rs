//! `/hsm/v2/State/Components`: wire shapes, status codes and query semantics.

use serde_json::json;

use crate::backends;
use crate::common::Api;

const C: &str = "/hsm/v2/State/Components";

async fn seed(api: &Api) {
    // Body shape of the swagger's ComponentArray_PostArray (keys as the code spells them).
    let body = json!({"Components": [
        {"ID": "x0c0s0b0n0", "State": "Ready", "Flag": "OK", "Enabled": true, "Role": "Compute", "SubRole": "Worker",
         "NID": 1, "NetType": "Sling", "Arch": "X86", "Class": "River"},
        {"ID": "x0c0s0b0n1", "State": "On", "Role": "Compute", "NID": 2},
        {"ID": "x0c0s1b0n0", "State": "Off", "Role": "Service", "NID": 3},
        {"ID": "x0c0s1b0", "Type": "Cabinet", "State": "Ready"},
    ], "force": false});
    api.post(C, &body).await.assert_status(204);
}

async fn components(api: &Api) {
    seed(api).await;
    let r = api.get(&format!("{C}/x0c0s0b0n0")).await;
    r.assert_status(200);
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(
        r.text(),
        r#"{"ID":"x0c0s0b0n0","Type":"Node","State":"Ready","Flag":"OK","Enabled":true,"Role":"Compute","SubRole":"Worker","NID":1,"NetType":"Sling","Arch":"X86","Class":"River"}"#
    );
    // Type is derived from ID, whatever the client said.
    assert_eq!(
        api.get(&format!("{C}/x0c0s1b0")).await.json()["Type"],
        "NodeBMC"
    );

    // Filters: repeated = OR, different = AND, ! negates, case-insensitive names.
    let ids = |v: serde_json::Value| -> Vec<String> {
        v["Components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["ID"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(api.get(&format!("{C}?type=Node&role=Compute")).await.json()),
        ["x0c0s0b0n0", "x0c0s0b0n1"]
    );
    assert_eq!(
        ids(api.get(&format!("{C}?state=Ready&state=Off")).await.json()),
        ["x0c0s0b0n0", "x0c0s1b0", "x0c0s1b0n0"]
    );
    assert_eq!(
        ids(api.get(&format!("{C}?Type=!Node")).await.json()),
        ["x0c0s1b0"]
    );
    assert_eq!(
        ids(api.get(&format!("{C}?nid_start=2&nid_end=3")).await.json()),
        ["x0c0s0b0n1", "x0c0s1b0n0"]
    );
    let p = api.get(&format!("{C}?type=Node&nidonly=true")).await.json();
    assert_eq!(
        p["Components"][0],
        json!({"ID": "x0c0s0b0n0", "Type": "Node", "NID": 1})
    );
    let p = api
        .get(&format!("{C}?id=x0c0s0b0n0&stateonly=true"))
        .await
        .json();
    assert_eq!(
        p,
        json!({"Components": [{"ID": "x0c0s0b0n0", "Type": "Node", "State": "Ready", "Flag": "OK"}]})
    );

    // Bulk and single-field PATCHes answer 204.
    let r = api
        .patch(
            &format!("{C}/BulkStateData"),
            &json!({"ComponentIDs": ["x0c0s0b0n1", "x0c0s1b0n0"], "State": "Ready"}),
        )
        .await;
    r.assert_status(204);
    assert_eq!(
        api.get(&format!("{C}/x0c0s1b0n0")).await.json()["State"],
        "Ready"
    );
    api.patch(
        &format!("{C}/BulkFlagOnly"),
        &json!({"ComponentIDs": ["x0c0s0b0n1"], "Flag": "warn"}),
    )
    .await
    .assert_status(204);
    assert_eq!(
        api.get(&format!("{C}/x0c0s0b0n1")).await.json()["Flag"],
        "Warning"
    );
    api.patch(
        &format!("{C}/BulkEnabled"),
        &json!({"ComponentIDs": ["x0c0s0b0n1"], "Enabled": false}),
    )
    .await
    .assert_status(204);
    api.patch(
        &format!("{C}/BulkSoftwareStatus"),
        &json!({"ComponentIDs": ["x0c0s0b0n1"], "SoftwareStatus": "AdminDown"}),
    )
    .await
    .assert_status(204);
    api.patch(
        &format!("{C}/BulkRole"),
        &json!({"ComponentIDs": ["x0c0s0b0n1"], "Role": "Application", "SubRole": "Master"}),
    )
    .await
    .assert_status(204);
    api.patch(
        &format!("{C}/BulkNID"),
        &json!({"Components": [{"ID": "x0c0s0b0n1", "NID": 42}]}),
    )
    .await
    .assert_status(204);
    let c = api.get(&format!("{C}/x0c0s0b0n1")).await.json();
    assert_eq!(
        (
            &c["Enabled"],
            &c["SoftwareStatus"],
            &c["Role"],
            &c["SubRole"],
            &c["NID"]
        ),
        (
            &json!(false),
            &json!("AdminDown"),
            &json!("Application"),
            &json!("Master"),
            &json!(42)
        )
    );
    api.patch(
        &format!("{C}/x0c0s0b0n1/StateData"),
        &json!({"State": "Off", "Flag": "Alert"}),
    )
    .await
    .assert_status(204);
    api.patch(&format!("{C}/x0c0s0b0n1/FlagOnly"), &json!({"Flag": "OK"}))
        .await
        .assert_status(204);
    api.patch(
        &format!("{C}/x0c0s0b0n1/Enabled"),
        &json!({"Enabled": true}),
    )
    .await
    .assert_status(204);
    api.patch(
        &format!("{C}/x0c0s0b0n1/SoftwareStatus"),
        &json!({"SoftwareStatus": "up"}),
    )
    .await
    .assert_status(204);
    api.patch(&format!("{C}/x0c0s0b0n1/Role"), &json!({"Role": "Compute"}))
        .await
        .assert_status(204);
    api.patch(&format!("{C}/x0c0s0b0n1/NID"), &json!({"NID": 7}))
        .await
        .assert_status(204);
    let c = api.get(&format!("{C}/x0c0s0b0n1")).await.json();
    assert_eq!(
        (&c["State"], &c["Flag"], &c["NID"], &c["Role"]),
        (&json!("Off"), &json!("OK"), &json!(7), &json!("Compute"))
    );
    assert!(c.get("SubRole").is_none(), "{c}");

    // Transition table: Off cannot become Standby without force.
    api.patch(
        &format!("{C}/x0c0s0b0n1/StateData"),
        &json!({"State": "Standby"}),
    )
    .await
    .assert_problem(400, "Standby");
    api.patch(
        &format!("{C}/x0c0s0b0n1/StateData"),
        &json!({"State": "Standby", "Force": true}),
    )
    .await
    .assert_status(204);
    // Missing fields and mismatched IDs are named.
    api.patch(
        &format!("{C}/BulkStateData"),
        &json!({"ComponentIDs": ["x0c0s0b0n1"]}),
    )
    .await
    .assert_problem(400, "Missing State");
    api.patch(&format!("{C}/BulkStateData"), &json!({"State": "On"}))
        .await
        .assert_problem(400, "Missing IDs");
    api.patch(
        &format!("{C}/x0c0s0b0n1/Role"),
        &json!({"ID": "x0c0s0b0n0", "Role": "Compute"}),
    )
    .await
    .assert_problem(400, "do not match");
    api.patch(&format!("{C}/x9c0s0b0n9/FlagOnly"), &json!({"Flag": "OK"}))
        .await
        .assert_problem(404, "x9c0s0b0n9");
    api.patch(&format!("{C}/x0c0s0b0n1/Colour"), &json!({}))
        .await
        .assert_problem(404, "Colour");

    // PATCH one with several fields.
    api.patch(
        &format!("{C}/x0c0s0b0n1"),
        &json!({"Flag": "Alert", "Enabled": false}),
    )
    .await
    .assert_status(204);
    let c = api.get(&format!("{C}/x0c0s0b0n1")).await.json();
    assert_eq!(
        (&c["Flag"], &c["Enabled"]),
        (&json!("Alert"), &json!(false))
    );

    // PUT one: swagger spelling of the keys, ID taken from the path.
    let r = api
        .put(
            &format!("{C}/x0c0s2b0n0"),
            &json!({"Component": {"State": "Ready", "Role": "Storage", "NID": 90}, "Force": false}),
        )
        .await;
    r.assert_status(204);
    assert_eq!(
        api.get(&format!("{C}/x0c0s2b0n0")).await.json()["Role"],
        "Storage"
    );
    api.put(
        &format!("{C}/x0c0s2b0n0"),
        &json!({"component": {"ID": "x0c0s3b0n0", "State": "Ready"}}),
    )
    .await
    .assert_problem(400, "do not match");

    // Query forms.
    let r = api.get(&format!("{C}/Query/x0c0s0?type=Node")).await.json();
    assert_eq!(ids(r), ["x0c0s0b0n0", "x0c0s0b0n1"]);
    let r = api.get(&format!("{C}/Query/x0c0s1b0")).await.json();
    assert_eq!(ids(r), ["x0c0s1b0"]);
    let r = api.get(&format!("{C}/Query/s0?type=NodeBMC")).await.json();
    assert_eq!(ids(r), ["x0c0s1b0"]);
    let r = api
        .post(
            &format!("{C}/Query"),
            &json!({"ComponentIDs": ["x0c0s0b0n0", "x0c0s1b0n0"], "stateonly": true}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(
        r.json()["Components"][1],
        json!({"ID": "x0c0s1b0n0", "Type": "Node", "State": "Ready", "Flag": "OK"})
    );
    let r = api
        .post(
            &format!("{C}/ByNID/Query"),
            &json!({"NIDRanges": ["1-3", "90"]}),
        )
        .await
        .json();
    assert_eq!(ids(r), ["x0c0s0b0n0", "x0c0s1b0n0", "x0c0s2b0n0"]);
    assert_eq!(
        api.get(&format!("{C}/ByNID/90")).await.json()["ID"],
        "x0c0s2b0n0"
    );
    api.get(&format!("{C}/ByNID/91"))
        .await
        .assert_problem(404, "91");

    // Deletes answer SMD's informational body.
    let r = api.delete(&format!("{C}/x0c0s2b0n0")).await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({"code": 0, "message": "deleted 1 entry"}));
    api.delete(&format!("{C}/x0c0s2b0n0"))
        .await
        .assert_problem(404, "x0c0s2b0n0");
    api.get(&format!("{C}/x0c0s2b0n0"))
        .await
        .assert_problem(404, "x0c0s2b0n0");
    let r = api.delete(C).await;
    assert_eq!(r.json(), json!({"code": 0, "message": "deleted 4 entries"}));
    assert_eq!(api.get(C).await.json(), json!({"Components": []}));
    api.post(C, &json!({"Components": []}))
        .await
        .assert_problem(400, "Missing Components");
    api.patch(&format!("{C}/BulkNID"), &json!({"Components": []}))
        .await
        .assert_problem(400, "Missing Components");
}

backends!(components);
