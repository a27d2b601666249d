//! Graceful shutdown: a request in flight when the signal comes is answered, then the
//! server stops and writes the endpoint history it had noted.

use std::time::Duration;

use axum::routing::get;
use ochami_server::{AppState, router_with, serve_router_on};
use serde_json::json;

use crate::common::settings;
use crate::smd_inventory::discovery_body;

#[tokio::test]
async fn in_flight_requests_finish_and_history_is_written() {
    let store = ochami_store::open("memory:").await.unwrap();
    let state = AppState::new(store.clone(), settings(), None);
    let slow = axum::Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            "done"
        }),
    );
    let app = router_with(state.clone(), slow);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_router_on(listener, state, app, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();

    // A node boots (its access is noted in memory, not yet written).
    let r = client
        .post(format!("{base}/hsm/v2/Inventory/RedfishEndpoints"))
        .json(&discovery_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let params = json!({"hosts": ["Default"], "kernel": "http://k/vmlinuz"});
    assert_eq!(
        client
            .put(format!("{base}/boot/v1/bootparameters"))
            .json(&params)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let r = client
        .get(format!("{base}/boot/v1/bootscript?mac=a4:bf:01:00:00:01"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let in_flight = tokio::spawn({
        let (client, base) = (client.clone(), base.clone());
        async move {
            client
                .get(format!("{base}/slow"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    stop.send(()).unwrap();
    assert_eq!(in_flight.await.unwrap(), "done");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops")
        .unwrap()
        .unwrap();

    let history = store
        .list_access(Some("x1000c0s0b0n0"), Some("bootscript"))
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "the noted access was written on shutdown");
}
