//! # ochami-server
//!
//! OpenCHAMI's services as a library: one axum [`router`] answering SMD v2 (`/hsm/v2`),
//! BSS (`/boot/v1`), cloud-init (`/cloud-init`), PCS power control (`/power-control/v1`)
//! and a store snapshot for backups (`GET /admin/snapshot`, SMD's write scope) from one
//! [`ochami_store::Store`], a picture of the machine in the browser at `/ui/`
//! ([`ui`]), and [`serve`] to run it from a plain [`ServerConfig`], which can also start the
//! netboot services: a [`dhcp`] server, a read-only [`tftp`] server and kernels and initrds
//! over HTTP ([`boot_files`]). The `ochami` binary
//! (in `examples/`) only turns flags into a `ServerConfig`; a program of your own can mount
//! these routes beside its own with [`router_with`].
//!
//! Handlers are thin: parse the request, call `ochami-store` / `ochami-boot`, serialize the
//! answer. Everything else lives in the layers around them:
//!
//! - trailing slashes are dropped before routing (like upstream's `StripSlashes`);
//! - bodies are limited to [`problem::BODY_LIMIT`] (413 beyond);
//! - every error, including axum's own 404/405, is an RFC 7807 problem ([`problem`]);
//! - bearer tokens are checked per route family ([`auth`]);
//! - every request is counted and timed per route template ([`metrics`], `GET /metrics`).
//!
//! The server keeps no state of its own beyond metrics, a cache of public JWKS keys and
//! rendered hardware answers checked against the database's hardware generation on every
//! request, so several processes on one Postgres database behave as one service.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use axum::body::Body;
//! use axum::http::Request;
//! use ochami_server::{AppState, Settings, router};
//! use tower::ServiceExt;
//!
//! let store = ochami_store::open("memory:").await?;
//! let app = router(AppState::new(store, Settings::default(), None));
//! let resp = app.oneshot(Request::get("/hsm/v2/service/ready").body(Body::empty())?).await?;
//! assert_eq!(resp.status(), 200);
//! // Or over a socket, until Ctrl-C / SIGTERM:
//! // ochami_server::serve_on(listener, state, ochami_server::shutdown_signal()).await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

pub mod auth;
pub mod boot_files;
mod boot_service;
mod bss;
mod cloud_init;
pub mod dhcp;
mod endpoint_history;
mod hardware_cache;
mod metadata_service;
pub mod metrics;
mod power;
pub mod problem;
mod resource;
mod root_mount;
mod smd_components;
mod smd_groups;
mod smd_hardware;
mod smd_inventory;
mod smd_service;
mod snapshot;
pub mod tftp;
pub mod ui;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::serve::ListenerExt;
use ipnet::IpNet;
use ochami_boot::BootOptions;
use ochami_store::{Store, StoreError};
use tower::Layer;
use tower::util::MapRequestLayer;

pub use auth::{AuthConfig, Authenticator, JwksSource, ScopePolicy};
pub use metrics::Metrics;
pub use power::{
    ABANDONED, PowerConfig, StatusEntry, Task, TaskCounts, TaskStatus, Transition,
    TransitionStatus, power_routes, power_routes_with,
};
pub use problem::ApiError;
pub use root_mount::{RootService, at_root};

/// The default listen address, SMD's port on loopback.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:27779";

/// Everything [`serve`] needs: where to listen, which store, how nodes reach this server,
/// which proxies to believe and how to authenticate. Plain data: a binary fills it from its
/// flags, an embedding program from wherever it likes.
#[derive(Clone)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Store URL: `sqlite://path`, `memory:` or `postgres://user:pass@host/db`.
    pub store: String,
    /// File holding the key BMC credentials are encrypted with at rest
    /// ([`ochami_store::secret::SecretKey::from_file`]); `None` stores them as given. A key
    /// that does not decrypt the stored credentials stops [`serve`] before anything is
    /// written.
    pub secret_key_file: Option<std::path::PathBuf>,
    /// URL nodes use to reach this server (iPXE chain and cloud-init links); `None` means
    /// `http://<listen>`.
    pub base_url: Option<String>,
    /// Proxies whose `X-Forwarded-For` is believed when finding a node by its address.
    pub trusted_proxies: Vec<IpNet>,
    /// Bytes of rendered hardware answers kept ([`Settings::hardware_cache_bytes`]).
    pub hardware_cache_bytes: usize,
    /// Authentication.
    pub auth: AuthConfig,
    /// The DHCP server for netbooting, off when `None`.
    pub dhcp: Option<dhcp::DhcpServerConfig>,
    /// The TFTP server for iPXE binaries, off when `None`.
    pub tftp: Option<tftp::TftpConfig>,
    /// A directory of kernels and initrds served under `/boot-files/`, off when `None`.
    pub boot_files: Option<std::path::PathBuf>,
    /// A v0.2 service also answered at `/`, for a proxy that strips its prefix.
    pub root_service: Option<RootService>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("store", &ochami_store::redact(&self.store))
            .field("secret_key_file", &self.secret_key_file)
            .field("base_url", &self.base_url)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("hardware_cache_bytes", &self.hardware_cache_bytes)
            .field("auth", &self.auth)
            .field("dhcp", &self.dhcp)
            .field("tftp", &self.tftp)
            .field("boot_files", &self.boot_files)
            .field("root_service", &self.root_service)
            .finish()
    }
}

impl ServerConfig {
    /// A configuration with every default, listening on `listen` with `store`.
    pub fn new(listen: SocketAddr, store: impl Into<String>) -> Self {
        ServerConfig {
            listen,
            store: store.into(),
            secret_key_file: None,
            base_url: None,
            trusted_proxies: Vec::new(),
            hardware_cache_bytes: DEFAULT_HARDWARE_CACHE_BYTES,
            auth: AuthConfig::default(),
            dhcp: None,
            tftp: None,
            boot_files: None,
            root_service: None,
        }
    }

    /// The base URL: the configured one, or `http://<listen>`.
    pub fn base_url(&self) -> String {
        match &self.base_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }
}

/// Why [`serve`] could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The store could not be opened.
    #[error("cannot open store: {0}")]
    Store(#[from] StoreError),
    /// The authentication setup is broken.
    #[error(transparent)]
    Auth(#[from] auth::AuthError),
    /// Refusing to expose unauthenticated writes to the network.
    #[error(
        "refusing to listen on {0} without authentication: configure a JWKS (file or URL), listen on loopback, or accept the risk explicitly (insecure_no_auth)"
    )]
    Unauthenticated(SocketAddr),
    /// Binding or serving failed.
    #[error("cannot serve on {addr}: {source}")]
    Io {
        /// The listen address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
}

/// Server settings that are not the store or the authenticator.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The URL nodes use to reach this server, without a trailing slash: chain lines ask
    /// `<base_url>/boot/v1/bootscript`, kernels get `ds=nocloud-net;s=<base_url>/cloud-init/`.
    pub base_url: String,
    /// Proxies whose `X-Forwarded-For` header is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Bytes of rendered hardware answers kept while the store's hardware is unchanged
    /// ([`DEFAULT_HARDWARE_CACHE_BYTES`] by default; 0 keeps none).
    pub hardware_cache_bytes: usize,
}

/// The default of [`Settings::hardware_cache_bytes`]: 512 MiB, a few whole-machine lists of
/// one hardware type at 20,000 nodes (every GPU there is 73 MiB).
pub const DEFAULT_HARDWARE_CACHE_BYTES: usize = 512 << 20;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            base_url: format!("http://{DEFAULT_LISTEN}"),
            trusted_proxies: Vec::new(),
            hardware_cache_bytes: DEFAULT_HARDWARE_CACHE_BYTES,
        }
    }
}

struct Shared {
    store: Arc<dyn Store>,
    settings: Settings,
    boot: BootOptions,
    auth: Option<Authenticator>,
    metrics: Metrics,
    access: endpoint_history::EndpointHistory,
    hardware: hardware_cache::HardwareCache,
}

/// What every handler can reach: the store, the settings, the authenticator and metrics.
/// Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// State over `store`; `auth` `None` leaves every route open.
    pub fn new(store: Arc<dyn Store>, settings: Settings, auth: Option<Authenticator>) -> Self {
        let boot = BootOptions::for_server(&settings.base_url);
        let hardware = hardware_cache::HardwareCache::new(settings.hardware_cache_bytes);
        AppState(Arc::new(Shared {
            hardware,
            store,
            settings,
            boot,
            auth,
            metrics: Metrics::default(),
            access: endpoint_history::EndpointHistory::default(),
        }))
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.0.store.as_ref()
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// The request metrics of this process.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// How bootscripts and cloud-init documents point nodes back at this server.
    pub fn boot_options(&self) -> &BootOptions {
        &self.0.boot
    }

    pub(crate) fn endpoint_history(&self) -> &endpoint_history::EndpointHistory {
        &self.0.access
    }

    pub(crate) fn hardware_cache(&self) -> &hardware_cache::HardwareCache {
        &self.0.hardware
    }

    pub(crate) fn authenticator(&self) -> Option<&Authenticator> {
        self.0.auth.as_ref()
    }
}

/// Every route of the server, with its layers. Trailing slashes are dropped before routing.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// [`router`] plus `extra` routes behind the same layers (metrics, auth, body limit,
/// problem bodies). For tools and benches that need a route production does not serve.
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let all = smd_routes()
        .merge(bss_routes())
        .merge(boot_service_routes())
        .merge(cloud_init_routes())
        .merge(metadata_service_routes())
        .merge(power_routes())
        .merge(snapshot::routes())
        .merge(ui::routes())
        .merge(extra);
    with_layers(state, all)
}

/// SMD v2 (`/hsm/v2`): service status, components, inventory, groups and partitions.
pub fn smd_routes() -> Router<AppState> {
    Router::new()
        .merge(smd_service::routes())
        .merge(smd_components::routes())
        .merge(smd_inventory::routes())
        .merge(smd_hardware::routes())
        .merge(smd_groups::routes())
}

/// BSS (`/boot/v1`): boot parameters, bootscripts, endpoint history.
pub fn bss_routes() -> Router<AppState> {
    bss::routes()
}

/// boot-service (`/boot-service`, OpenCHAMI v0.2): boot configurations, nodes and BMCs in
/// the resource envelope, and the bootscript, over the same store as BSS.
pub fn boot_service_routes() -> Router<AppState> {
    boot_service::routes()
}

/// cloud-init (`/cloud-init`): the NoCloud documents and the admin API.
pub fn cloud_init_routes() -> Router<AppState> {
    cloud_init::routes()
}

/// metadata-service (`/metadata-service`, OpenCHAMI v0.2): the NoCloud documents in v0.2's
/// shape (with `network-config`) and the cluster defaults, groups and instance infos in the
/// resource envelope, over the same cloud-init data as `/cloud-init`.
pub fn metadata_service_routes() -> Router<AppState> {
    metadata_service::routes()
}

/// Any set of routes (this crate's families, your own, or both) behind the server's layers:
/// trailing slashes dropped, `GET /metrics`, RFC 7807 bodies for every error including
/// 404/405, bearer-token checks, per-route metrics and the body limit.
///
/// ```
/// use axum::routing::get;
/// use ochami_server::{AppState, Settings, bss_routes, smd_routes, with_layers};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let state = AppState::new(ochami_store::open("memory:").await?, Settings::default(), None);
/// // SMD and BSS, but no cloud-init, plus a route of our own.
/// let app = with_layers(
///     state,
///     smd_routes().merge(bss_routes()).route("/site/motd", get(|| async { "hello" })),
/// );
/// # let _ = app;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub fn with_layers(state: AppState, routes: Router<AppState>) -> Router {
    let api = routes
        .route("/metrics", get(metrics::render))
        .fallback(not_found)
        .layer(middleware::from_fn(problem_for_bare_errors))
        .layer(middleware::from_fn(ui::conditional_get))
        .layer(middleware::from_fn_with_state(state.clone(), auth::require))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .layer(DefaultBodyLimit::max(problem::BODY_LIMIT))
        .with_state(state);
    Router::new().fallback_service(MapRequestLayer::new(strip_trailing_slash).layer(api))
}

async fn not_found(req: Request) -> ApiError {
    ApiError::not_found(format!(
        "no route for {} {}",
        req.method(),
        req.uri().path()
    ))
}

/// Give axum's own bodiless errors (405 and the like) a problem body; headers such as
/// `Allow` are kept.
async fn problem_for_bare_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    if resp.status().is_client_error() && !resp.headers().contains_key(header::CONTENT_TYPE) {
        let status = resp.status();
        let detail = match status {
            StatusCode::METHOD_NOT_ALLOWED => {
                let allow = resp
                    .headers()
                    .get(header::ALLOW)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                format!("{method} is not allowed on {path}; allow {allow}")
            }
            _ => status.canonical_reason().unwrap_or("error").to_owned(),
        };
        let (mut parts, _) = resp.into_parts();
        let fresh = problem::problem_response(status, detail);
        let (fresh_parts, body) = fresh.into_parts();
        if let Some(ct) = fresh_parts.headers.get(header::CONTENT_TYPE) {
            parts.headers.insert(header::CONTENT_TYPE, ct.clone());
        }
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, body);
    }
    resp
}

fn strip_trailing_slash(mut req: Request) -> Request {
    let path = req.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let pq = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_owned(),
        };
        let mut parts = req.uri().clone().into_parts();
        if let Ok(p) = pq.parse() {
            parts.path_and_query = Some(p);
            if let Ok(uri) = Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    req
}

/// Serve `state` on `listener` until `shutdown` completes; in-flight requests finish first.
/// Endpoint-access history noted meanwhile is written every second and at the end.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    serve_router_on(listener, state, app, shutdown).await
}

/// [`serve_on`] with a router of your own (from [`router_with`] over the same `state`).
pub async fn serve_router_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let flusher = {
        let state = state.clone();
        tokio::spawn(async move { state.endpoint_history().run(state.store()).await })
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    flusher.abort();
    if let Err(e) = state.endpoint_history().flush(state.store()).await {
        tracing::warn!(error = %e, "cannot write the last endpoint-access history");
    }
    served
}

/// Run the whole service: open the store, set up authentication, listen, and serve until SIGTERM or
/// SIGINT.
pub async fn serve(config: ServerConfig) -> Result<(), ServeError> {
    let auth = config.auth.authenticator().await?;
    if auth.is_none() {
        if !config.listen.ip().is_loopback() && !config.auth.insecure_no_auth {
            return Err(ServeError::Unauthenticated(config.listen));
        }
        tracing::warn!(listen = %config.listen, "no JWKS configured: writes are unauthenticated");
    }
    let mut options = ochami_store::OpenOptions::default();
    if let Some(path) = &config.secret_key_file {
        options = options.with_secret_key(ochami_store::secret::SecretKey::from_file(path)?);
    }
    let store = ochami_store::open_with(&config.store, &options).await?;
    let settings = Settings {
        base_url: config.base_url(),
        trusted_proxies: config.trusted_proxies.clone(),
        hardware_cache_bytes: config.hardware_cache_bytes,
    };
    if config.base_url.is_none() && config.listen.ip().is_unspecified() {
        tracing::warn!(base_url = %settings.base_url, "listening on an unspecified address: set the base URL to the address nodes reach");
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Io {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().unwrap_or(config.listen);
    let netboot = start_netboot(&config, &store).await?;
    tracing::info!(%addr, store = store.backend(), base_url = %settings.base_url, auth = auth.is_some(), "serving SMD /hsm/v2, BSS /boot/v1, cloud-init /cloud-init");
    let state = AppState::new(store, settings, auth);
    let extra = match &config.boot_files {
        Some(dir) => {
            let files = boot_files::BootFileRoot::new(dir)
                .await
                .map_err(|source| ServeError::Io { addr, source })?;
            tracing::info!(root = %files.root().display(), "serving /boot-files/");
            files.routes()
        }
        None => Router::new(),
    };
    let mut app = router_with(state.clone(), extra);
    if let Some(service) = config.root_service {
        tracing::info!(prefix = service.prefix(), "also serving this service at /");
        app = at_root(app, service);
    }
    let served = serve_router_on(listener, state, app, shutdown_signal()).await;
    for task in netboot {
        task.abort();
    }
    served.map_err(|source| ServeError::Io { addr, source })?;
    tracing::info!("stopped");
    Ok(())
}

/// Bind and start the TFTP and DHCP servers the configuration asks for; their tasks run
/// until aborted.
async fn start_netboot(
    config: &ServerConfig,
    store: &Arc<dyn Store>,
) -> Result<Vec<tokio::task::JoinHandle<std::io::Result<()>>>, ServeError> {
    let mut tasks = Vec::new();
    if let Some(t) = &config.tftp {
        let server = tftp::TftpServer::bind(t.clone())
            .await
            .map_err(|source| ServeError::Io {
                addr: t.listen,
                source,
            })?;
        tasks.push(tokio::spawn(server.run()));
    }
    if let Some(d) = &config.dhcp {
        let server = dhcp::DhcpServer::bind(d.clone(), store.clone())
            .await
            .map_err(|source| ServeError::Io {
                addr: d.listen,
                source,
            })?;
        tasks.push(tokio::spawn(server.run()));
    }
    Ok(tasks)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            futures::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => futures::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = futures::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT: finishing in-flight requests"),
        () = term => tracing::info!("SIGTERM: finishing in-flight requests"),
    }
}
