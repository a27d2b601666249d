//! Bad input of every kind answers 4xx with an RFC 7807 body naming the problem; routing
//! conveniences (trailing slashes) and `/metrics`.

use axum::http::Method;
use serde_json::json;

use crate::backends;
use crate::common::Api;

async fn bad_input(api: &Api) {
    let comps = "/hsm/v2/State/Components";
    // Malformed JSON.
    let r = api
        .send(
            Method::POST,
            comps,
            Some(b"{\"Components\": [".to_vec()),
            &[],
        )
        .await;
    r.assert_problem(400, "malformed JSON");
    let r = api
        .send(
            Method::POST,
            "/hsm/v2/groups",
            Some(b"not json".to_vec()),
            &[],
        )
        .await;
    r.assert_problem(400, "malformed JSON");
    let r = api.send(Method::POST, comps, Some(Vec::new()), &[]).await;
    r.assert_problem(400, "empty");
    // A body without a JSON content type is still read (curl -d, Go clients).
    let body = br#"{"Components":[{"ID":"x0c0s0b0n0","State":"Ready"}]}"#.to_vec();
    api.send(
        Method::POST,
        comps,
        Some(body),
        &[("content-type", "application/x-www-form-urlencoded")],
    )
    .await
    .assert_status(204);
    // Unknown enum values name the field and its path.
    let r = api
        .post(
            comps,
            &json!({"Components": [{"ID": "x0c0s0b0n1", "State": "Sleepy"}]}),
        )
        .await;
    r.assert_problem(400, "Components[0].State");
    r.assert_problem(400, "Sleepy");
    api.patch(
        &format!("{comps}/BulkRole"),
        &json!({"ComponentIDs": ["x0c0s0b0n0"], "Role": "Chef"}),
    )
    .await
    .assert_problem(400, "Role");
    api.post(
        "/hsm/v2/Inventory/EthernetInterfaces",
        &json!({"MACAddress": "a4:bf:01:2b:73:10", "IPAddresses": "10.0.0.1"}),
    )
    .await
    .assert_problem(400, "IPAddresses");
    // Bad xnames, in paths and bodies.
    api.get(&format!("{comps}/x0c9s0b0n0"))
        .await
        .assert_problem(400, "x0c9s0b0n0");
    api.get(&format!("{comps}/node1"))
        .await
        .assert_problem(400, "node1");
    api.post(
        comps,
        &json!({"Components": [{"ID": "x99999c0", "State": "Ready"}]}),
    )
    .await
    .assert_problem(400, "x99999c0");
    api.patch(
        &format!("{comps}/BulkFlagOnly"),
        &json!({"ComponentIDs": ["bogus"], "Flag": "OK"}),
    )
    .await
    .assert_problem(400, "bogus");
    // Bad MACs.
    api.post(
        "/hsm/v2/Inventory/EthernetInterfaces",
        &json!({"MACAddress": "aa:bb:cc:dd:ee:gg"}),
    )
    .await
    .assert_problem(400, "aa:bb:cc:dd:ee:gg");
    api.get("/hsm/v2/Inventory/EthernetInterfaces?MACAddress=xyz")
        .await
        .assert_problem(400, "xyz");
    // Unknown query keys and bad query values.
    api.get(&format!("{comps}?colour=red"))
        .await
        .assert_problem(400, "colour");
    api.get(&format!("{comps}/x0c0s0b0n0?colour=red"))
        .await
        .assert_problem(400, "colour");
    api.get(&format!("{comps}?state=Sleepy"))
        .await
        .assert_problem(400, "Sleepy");
    api.get(&format!("{comps}?nid_start=ten"))
        .await
        .assert_problem(400, "nid_start");
    api.get("/hsm/v2/Inventory/RedfishEndpoints?colour=red")
        .await
        .assert_problem(400, "colour");
    api.get("/hsm/v2/groups?colour=red")
        .await
        .assert_problem(400, "colour");
    api.post(
        &format!("{comps}/Query"),
        &json!({"ComponentIDs": ["x0c0s0b0n0"], "colour": "red"}),
    )
    .await
    .assert_problem(400, "colour");
    // Oversized bodies.
    let big = vec![b' '; 17 * 1024 * 1024];
    let r = api.send(Method::POST, comps, Some(big), &[]).await;
    r.assert_problem(413, "limit");
    // Unknown routes and methods.
    api.get("/hsm/v2/Nope")
        .await
        .assert_problem(404, "/hsm/v2/Nope");
    let r = api
        .send(Method::PUT, "/hsm/v2/groups", Some(b"{}".to_vec()), &[])
        .await;
    r.assert_problem(405, "PUT");
    assert!(r.header("allow").contains("GET"), "{:?}", r.headers);
    // Trailing slashes are dropped before routing.
    api.get(&format!("{comps}/")).await.assert_status(200);
    api.get("/hsm/v2/Inventory/EthernetInterfaces/?type=Node")
        .await
        .assert_status(200);
}

async fn metrics(api: &Api) {
    api.get("/hsm/v2/State/Components/x0c0s0b0n0")
        .await
        .assert_problem(404, "x0c0s0b0n0");
    api.get("/hsm/v2/service/liveness").await.assert_status(204);
    let r = api.get("/metrics").await;
    r.assert_status(200);
    assert!(r.header("content-type").starts_with("text/plain"));
    let text = r.text();
    assert!(
        text.contains(r#"ochami_http_requests_total{route="/hsm/v2/State/Components/{xname}",method="GET",status="404"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"ochami_http_request_duration_seconds_count{route="/hsm/v2/service/liveness",method="GET",status="204"} 1"#));
    assert!(text.contains("# TYPE ochami_http_request_duration_seconds histogram"));
}

backends!(bad_input);
backends!(metrics);
