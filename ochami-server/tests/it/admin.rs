//! `GET /admin/snapshot` streams the store's snapshot to a holder of SMD's write scope (and
//! to no one else, reads included), without BMC passwords; PCS's routes take SMD's scopes,
//! so no one powers a node off without a token.

use axum::http::Method;
use ochami_server::{Authenticator, ScopePolicy};
use ochami_store::snapshot::{ImportMode, export_snapshot, import_snapshot};
use serde_json::json;

use crate::auth::{Key, jwks};
use crate::common::{Api, settings};

async fn send(
    api: &Api,
    method: Method,
    path: &str,
    body: Option<String>,
    token: Option<&str>,
) -> crate::common::Resp {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| vec![("authorization", a)])
        .unwrap_or_default();
    api.send(method, path, body.map(String::into_bytes), &headers)
        .await
}

#[tokio::test]
async fn the_snapshot_needs_the_write_scope_and_is_the_store_export() {
    let key = Key::ec("ec-1");
    let set = jwks(&[&key]);
    let store = ochami_store::open("memory:").await.unwrap();
    ochami_testing::site::seed(&store, 8).await.unwrap();
    let auth = Authenticator::from_jwks_json(&set, ScopePolicy::default(), None, None).unwrap();
    let api = Api::socket(store.clone(), settings(), Some(auth)).await;
    let reader = key.token(json!({"scope": "smd:read"}));
    let writer = key.token(json!({"scope": "smd:write"}));

    let r = send(&api, Method::GET, "/admin/snapshot", None, None).await;
    r.assert_problem(401, "bearer token");
    let r = send(&api, Method::GET, "/admin/snapshot", None, Some(&reader)).await;
    r.assert_problem(403, "smd:write");
    let r = send(&api, Method::GET, "/admin/snapshot", None, Some(&writer)).await;
    r.assert_status(200);
    assert_eq!(r.header("content-type"), "application/jsonl");
    let mut expected = Vec::new();
    export_snapshot(store.as_ref(), &mut expected)
        .await
        .unwrap();
    assert!(r.body == expected, "the same bytes as the store's export");
    assert!(!r.text().contains("s3cret-bmc"));
    let copy = ochami_store::open("memory:").await.unwrap();
    let counts = import_snapshot(copy.as_ref(), r.body.as_slice(), ImportMode::Merge)
        .await
        .unwrap();
    assert_eq!(counts.get("component"), 8);

    // Power control is not open to anyone: a transition needs SMD's write scope.
    let body = json!({"operation": "off", "location": [{"xname": "x1000c0s0b0n0"}]}).to_string();
    let r = send(
        &api,
        Method::POST,
        "/power-control/v1/transitions",
        Some(body.clone()),
        None,
    )
    .await;
    r.assert_problem(401, "bearer token");
    let r = send(
        &api,
        Method::POST,
        "/power-control/v1/transitions",
        Some(body.clone()),
        Some(&reader),
    )
    .await;
    r.assert_problem(403, "smd:write");
    let r = send(
        &api,
        Method::POST,
        "/power-control/v1/transitions",
        Some(body),
        Some(&writer),
    )
    .await;
    r.assert_status(200);
    let r = send(
        &api,
        Method::DELETE,
        "/power-control/v1/transitions/nope",
        None,
        None,
    )
    .await;
    r.assert_problem(401, "bearer token");
}
