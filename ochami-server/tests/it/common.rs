//! Test harness: an [`Api`] that sends requests to the server either in-process
//! (`tower::ServiceExt::oneshot` on the router) or over a real socket (reqwest against
//! `serve_on` bound to 127.0.0.1:0), over any store backend.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use ochami_server::{AppState, Authenticator, Settings, router, serve_on};
use ochami_store::Store;
use serde_json::Value;
use tower::ServiceExt;

/// The peer address in-process requests pretend to come from.
pub(crate) const PEER: &str = "127.0.0.1:40000";

/// How requests reach the server.
pub(crate) enum Transport {
    Oneshot(Router),
    Socket {
        base: String,
        client: reqwest::Client,
        _stop: tokio::sync::oneshot::Sender<()>,
    },
}

/// A server under test.
#[allow(dead_code)] // `store` is used by the families that seed data directly.
pub(crate) struct Api {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) transport: Transport,
    pub(crate) token: Option<String>,
}

/// A response: status, headers, body.
#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Assert an RFC 7807 problem with `status` whose detail contains `needle`.
    #[track_caller]
    pub(crate) fn assert_problem(&self, status: u16, needle: &str) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), "application/problem+json");
        let p = self.json();
        assert_eq!(p["type"], "about:blank");
        assert_eq!(p["status"], status);
        let detail = p["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(needle),
            "detail {detail:?} lacks {needle:?}"
        );
    }

    #[track_caller]
    pub(crate) fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        self
    }
}

/// Settings for tests: nodes reach the server at http://ochami.test:27779.
pub(crate) fn settings() -> Settings {
    Settings {
        base_url: "http://ochami.test:27779".into(),
        ..Settings::default()
    }
}

impl Api {
    pub(crate) async fn oneshot(
        store: Arc<dyn Store>,
        settings: Settings,
        auth: Option<Authenticator>,
    ) -> Api {
        let app = router(AppState::new(store.clone(), settings, auth));
        Api {
            store,
            transport: Transport::Oneshot(app),
            token: None,
        }
    }

    pub(crate) async fn socket(
        store: Arc<dyn Store>,
        settings: Settings,
        auth: Option<Authenticator>,
    ) -> Api {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(store.clone(), settings, auth);
        tokio::spawn(async move {
            serve_on(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        Api {
            store,
            transport: Transport::Socket {
                base: format!("http://{addr}"),
                client,
                _stop: stop,
            },
            token: None,
        }
    }

    pub(crate) async fn memory() -> Api {
        Api::oneshot(
            ochami_store::open("memory:").await.expect("memory store"),
            settings(),
            None,
        )
        .await
    }

    pub(crate) async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None, &[]).await
    }

    /// How many entries the JSON array a `GET` answers holds; `None` when it is no array.
    pub(crate) async fn count(&self, path: &str) -> Option<usize> {
        self.get(path).await.json().as_array().map(Vec::len)
    }

    pub(crate) async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None, &[]).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send(Method::POST, path, Some(body.to_string().into_bytes()), &[])
            .await
    }

    pub(crate) async fn put(&self, path: &str, body: &Value) -> Resp {
        self.send(Method::PUT, path, Some(body.to_string().into_bytes()), &[])
            .await
    }

    pub(crate) async fn patch(&self, path: &str, body: &Value) -> Resp {
        self.send(
            Method::PATCH,
            path,
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    }

    /// Any request; `headers` are added as given.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut all: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(t) = &self.token {
            all.push(("authorization".into(), format!("Bearer {t}")));
        }
        if body.is_some()
            && !all
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            all.push(("content-type".into(), "application/json".into()));
        }
        match &self.transport {
            Transport::Oneshot(app) => {
                let mut req = Request::builder().method(method).uri(path);
                for (k, v) in &all {
                    req = req.header(k, v);
                }
                let mut req = req
                    .body(body.map(Body::from).unwrap_or_else(Body::empty))
                    .expect("request");
                let peer: SocketAddr = PEER.parse().expect("peer");
                req.extensions_mut().insert(ConnectInfo(peer));
                let resp = app.clone().oneshot(req).await.expect("infallible");
                let status = resp.status();
                let headers = resp.headers().clone();
                let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .expect("body")
                    .to_vec();
                Resp {
                    status,
                    headers,
                    body,
                }
            }
            Transport::Socket { base, client, .. } => {
                let mut req = client.request(method, format!("{base}{path}"));
                for (k, v) in &all {
                    req = req.header(k, v);
                }
                if let Some(b) = body {
                    req = req.body(b);
                }
                let resp = req.send().await.expect("request over the socket");
                let status = resp.status();
                let headers = resp.headers().clone();
                let body = resp.bytes().await.expect("body").to_vec();
                Resp {
                    status,
                    headers,
                    body,
                }
            }
        }
    }
}

/// A store on a fresh Postgres database from the store's test harness; `None` (with a
/// notice) when PostgreSQL is not installed, a failure under `CI=true`.
pub(crate) async fn postgres_store() -> Option<Arc<dyn Store>> {
    let db = ochami_testing::postgres::fresh_database()
        .await
        .expect("postgres test harness")?;
    Some(ochami_store::open(db.url()).await.expect("postgres store"))
}

/// Run a family's test body against every backend and transport:
/// `<name>_memory` (in-process), `<name>_memory_socket`, `<name>_sqlite` (socket) and
/// `<name>_postgres` (socket).
#[macro_export]
macro_rules! backends {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn memory() {
                $name(&$crate::common::Api::memory().await).await;
            }

            #[tokio::test]
            async fn memory_socket() {
                let store = ochami_store::open("memory:").await.expect("memory store");
                $name(&$crate::common::Api::socket(store, $crate::common::settings(), None).await)
                    .await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(store) = $crate::common::postgres_store().await else {
                    return;
                };
                $name(&$crate::common::Api::socket(store, $crate::common::settings(), None).await)
                    .await;
            }

            #[tokio::test]
            async fn sqlite() {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("ochami.db").display());
                let store = ochami_store::open(&url).await.expect("sqlite store");
                $name(&$crate::common::Api::socket(store, $crate::common::settings(), None).await)
                    .await;
            }
        }
    };
}
