//! PCS-compatible power control under `/power-control/v1`: transitions (`POST`, `GET`,
//! `GET {id}`, `DELETE {id}` to abort) and `power-status` (`GET` and `POST`), driving the
//! nodes' BMCs with [`ochami_redfish::power`].
//!
//! A node is found through its ComponentEndpoint (`OdataID`, the system's path) and the
//! RedfishEndpoint behind it (`FQDN`, `User`, `Password`). Credentials go to the BMC only:
//! no response, task description or log line carries them (errors name the BMC by URL).
//! When a transition's task succeeds, the component's `State` follows (`On` or `Off`).
//!
//! Transitions and their tasks are kept in the store (PCS keeps them in etcd), so they
//! survive a restart on SQLite and Postgres and every server sharing a database reports
//! them; one whose server died is reported with its unfinished tasks failed, never lost
//! (see `transitions.rs`).
//!
//! Differences from PCS: no component reservations are taken (`deputyKey` is accepted and
//! ignored), and a restart of a node that is off powers it on instead of failing.

mod boot_override;
mod status;
mod targets;
mod transitions;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use ochami_redfish::power::PowerOptions;
use ochami_redfish::{HttpTransport, TransportOptions};

use crate::AppState;
use crate::problem::ApiError;

pub use status::StatusEntry;
pub use transitions::{ABANDONED, Task, TaskCounts, TaskStatus, Transition, TransitionStatus};

/// How the power service reaches BMCs.
#[derive(Debug, Clone)]
pub struct PowerConfig {
    /// `https` (the default) or `http` (simulators).
    pub scheme: String,
    /// TLS to BMCs: verified by default.
    pub transport: TransportOptions,
    /// Concurrency, timeouts and retries of each transition.
    pub options: PowerOptions,
    /// How long a `power-status` answer is reused.
    pub status_cache: Duration,
    /// How long a running transition may go without a heartbeat (written every third of
    /// it) before it counts as abandoned by a dead server and is ended on the next read.
    pub lease: Duration,
}

impl Default for PowerConfig {
    fn default() -> Self {
        PowerConfig {
            scheme: "https".to_owned(),
            transport: TransportOptions::default(),
            options: PowerOptions::default(),
            status_cache: Duration::from_secs(5),
            lease: Duration::from_secs(30),
        }
    }
}

/// The power service's own state: abort handles of the transitions this process runs, the
/// BMC transport and the status cache.
#[derive(Clone)]
pub(crate) struct PowerService(Arc<Inner>);

pub(crate) struct Inner {
    config: PowerConfig,
    transport: Mutex<Option<Arc<HttpTransport>>>,
    aborts: Mutex<HashMap<String, ochami_redfish::power::PowerAbort>>,
    status: Mutex<HashMap<String, (Instant, StatusEntry)>>,
}

impl PowerService {
    fn new(config: PowerConfig) -> Self {
        PowerService(Arc::new(Inner {
            config,
            transport: Mutex::new(None),
            aborts: Mutex::new(HashMap::new()),
            status: Mutex::new(HashMap::new()),
        }))
    }

    /// The shared HTTP transport, built on first use.
    fn transport(&self) -> Result<Arc<HttpTransport>, ApiError> {
        let mut slot = self
            .0
            .transport
            .lock()
            .map_err(|_| ApiError::bad_request("power service state is poisoned"))?;
        if let Some(t) = slot.as_ref() {
            return Ok(t.clone());
        }
        let t = Arc::new(
            HttpTransport::new(&self.0.config.transport)
                .map_err(|e| ApiError::bad_request(format!("BMC transport: {e}")))?,
        );
        *slot = Some(t.clone());
        Ok(t)
    }
}

/// The routes with the default [`PowerConfig`] (HTTPS, verified TLS).
pub fn power_routes() -> Router<AppState> {
    power_routes_with(PowerConfig::default())
}

/// The routes with `config`, each at `/power-control/v1/<route>`.
pub fn power_routes_with(config: PowerConfig) -> Router<AppState> {
    let service = PowerService::new(config);
    Router::new()
        .route(
            "/power-control/v1/transitions",
            post(transitions::create).get(transitions::list),
        )
        .route(
            "/power-control/v1/transitions/{id}",
            get(transitions::get_one).delete(transitions::abort),
        )
        .route(
            "/power-control/v1/power-status",
            get(status::get_status).post(status::post_status),
        )
        .route(
            "/power-control/v1/boot-override",
            post(boot_override::create),
        )
        .layer(axum::Extension(service))
}
