//! A custom service: ochami's SMD and BSS routes mounted beside a route of the site's own,
//! behind the same layers (auth, metrics, RFC 7807 errors), on an in-memory store.
//!
//! ```text
//! cargo run -p ochami-examples --example site_service
//! curl http://127.0.0.1:27800/site/nodes-ready
//! ```

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use ochami_core::ComponentFilter;
use ochami_server::{ApiError, AppState, Settings, bss_routes, smd_routes, with_layers};
use ochami_store::Store;

/// How many nodes are `Ready`: a site-specific route answered from the same store.
async fn nodes_ready(State(state): State<AppState>) -> Result<String, ApiError> {
    let filter = ComponentFilter::from_query_pairs([("state", "Ready")])?;
    let ready = state.store().list_components(&filter).await?;
    Ok(format!("{}\n", ready.len()))
}

/// The site's service: SMD (`/hsm/v2`) and BSS (`/boot/v1`), no cloud-init, plus
/// `/site/nodes-ready`.
fn app(store: Arc<dyn Store>) -> axum::Router {
    let state = AppState::new(store, Settings::default(), None);
    let routes = smd_routes()
        .merge(bss_routes())
        .route("/site/nodes-ready", get(nodes_ready));
    with_layers(state, routes)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store = ochami_store::open("memory:").await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:27800").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(store))
        .with_graceful_shutdown(ochami_server::shutdown_signal())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use ochami_core::{Component, State as NodeState};
    use tower::ServiceExt;

    use super::*;

    async fn get_text(app: &axum::Router, uri: &str) -> (StatusCode, String) {
        let resp = app
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn own_route_beside_smd_and_bss() {
        let store = ochami_store::open("memory:").await.unwrap();
        let nodes = ["x1000c0s0b0n0", "x1000c0s0b0n1"]
            .map(|x| Component::new(x.parse().unwrap()).with_state(NodeState::Ready));
        store.upsert_components(&nodes, false).await.unwrap();
        let app = app(store);
        assert_eq!(
            get_text(&app, "/site/nodes-ready").await,
            (StatusCode::OK, "2\n".into())
        );
        let (status, body) = get_text(&app, "/hsm/v2/State/Components/x1000c0s0b0n1").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(r#""State":"Ready""#), "{body}");
        assert_eq!(
            get_text(&app, "/boot/v1/service/status").await.0,
            StatusCode::OK
        );
        // cloud-init was left out: its routes are not there, and the 404 is a problem body.
        let (status, body) = get_text(&app, "/cloud-init/admin/groups").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            body.contains("no route for GET /cloud-init/admin/groups"),
            "{body}"
        );
    }
}
