//! A v0.2 family answered at `/` (behind a prefix-stripping proxy): the same answers as
//! under its prefix, every other route untouched.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use ochami_server::{AppState, RootService, Settings, at_root, router};
use serde_json::{Value, json};
use tower::ServiceExt;

async fn call(app: &Router, method: &str, path: &str, body: Option<Value>) -> (u16, String) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .expect("request");
    let resp = app.clone().oneshot(req).await.expect("answer");
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn app(service: RootService) -> Router {
    let store = ochami_store::open("memory:").await.expect("store");
    at_root(
        router(AppState::new(store, Settings::default(), None)),
        service,
    )
}

#[tokio::test]
async fn boot_service_at_root_is_the_same_service() {
    let app = app(RootService::BootService).await;
    let spec = json!({"apiVersion": "boot.openchami.io/v1", "kind": "BootConfiguration",
        "metadata": {"name": "compute"},
        "spec": {"hosts": ["x1000c0s0b0n0"], "kernel": "http://10.0.0.1/vmlinuz", "params": "console=ttyS0"}});
    let (status, body) = call(&app, "POST", "/bootconfigurations", Some(spec)).await;
    assert!(status == 201 || status == 200, "{status} {body}");
    let (s1, at_root) = call(&app, "GET", "/bootconfigurations", None).await;
    let (s2, prefixed) = call(&app, "GET", "/boot-service/bootconfigurations", None).await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(at_root, prefixed);
    assert!(at_root.contains("compute"), "{at_root}");
    let (s, script) = call(&app, "GET", "/bootscript?host=x1000c0s0b0n0", None).await;
    assert_eq!(s, 200, "{script}");
    assert!(script.contains("console=ttyS0"), "{script}");
    assert_eq!(call(&app, "GET", "/health", None).await.0, 200);
    // Other families keep their own paths; metadata-service is not at the root here.
    assert_eq!(
        call(&app, "GET", "/hsm/v2/service/ready", None).await.0,
        200
    );
    assert_eq!(call(&app, "GET", "/meta-data", None).await.0, 404);
}

#[tokio::test]
async fn metadata_service_at_root_is_the_same_service() {
    let app = app(RootService::MetadataService).await;
    let (s1, at_root) = call(&app, "GET", "/groups", None).await;
    let (s2, prefixed) = call(&app, "GET", "/metadata-service/groups", None).await;
    assert_eq!((s1, s2), (200, 200), "{at_root}");
    assert_eq!(at_root, prefixed);
    assert_eq!(call(&app, "GET", "/bootconfigurations", None).await.0, 404);
}
