//! A Redfish simulator (feature `sim`): mockup trees and synthetic BMCs over HTTP(S), with
//! injected latency, faults, authentication and TLS. It powers this crate's tests, the
//! discovery bench and the demo.
//!
//! - [`MockupTree`]: what to serve, from a short-form mockup directory
//!   ([`MockupTree::from_dir`]) or from memory ([`MockupTree::from_entries`], e.g. trees
//!   embedded with `include_str!`). [`SyntheticBmc`] builds a tree with N systems, NICs
//!   with distinct deterministic MACs and IPs, processors, memory, a manager and a chassis.
//! - [`SimBmcConfig`]: latency per request, [`Faults`] (HTTP 500, connection reset, hang,
//!   malformed JSON) at a seeded rate or always, required credentials (Basic and/or
//!   sessions, with a working SessionService, and sessions that expire after N requests or
//!   on [`SimBmc::expire_sessions`]), `$expand` behaviour, pagination, and TLS
//!   with a generated CA ([`SimTls`], whose PEM tests can trust).
//! - [`SimBmc::spawn`] serves one BMC on a loopback port; [`SimFleet`] many. Both stop when
//!   dropped (or on [`SimBmc::shutdown`]).
//!
//! Served paths: `/redfish/v1/<path>` from the tree (trailing slashes ignored),
//! `/redfish` (the version document), `POST`/`DELETE` on `SessionService/Sessions`,
//! `POST` to each system's `#ComputerSystem.Reset` target and `PATCH` of a system's `Boot`
//! (`PowerState` changes after [`SimBmcConfig::power_delay`]; see [`SimAction`] and
//! [`SimQuirks`]). Faults and auth apply to writes as to reads.
//! Collections honour `$expand` (any form), `$top`/`$skip`, and a configured page size
//! that makes every collection paginate with `Members@odata.nextLink`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> ochami_redfish::Result<()> {
//! use ochami_redfish::sim::{SimBmc, SimBmcConfig, SyntheticBmc};
//!
//! let bmc = SimBmc::spawn(SimBmcConfig::new(SyntheticBmc::new(7, 2).build())).await?;
//! let body = reqwest::get(format!("{}/redfish/v1/Systems", bmc.base_url())).await.unwrap()
//!     .text().await.unwrap();
//! assert!(body.contains("/redfish/v1/Systems/Node1"));
//! # Ok(()) }
//! ```

mod actions;
mod bmc;
pub mod presets;
mod server;
mod synthetic;
mod tls;
mod tree;

use std::sync::Arc;
use std::time::Duration;

pub use actions::{SimAction, SimQuirks};
pub use bmc::{SimBmc, SimFleet, SimStats};
pub use synthetic::SyntheticBmc;
pub use tls::SimTls;
pub use tree::{MockupTree, normalize_path};

use crate::secret::Credentials;

/// A kind of injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// Answer HTTP 500 with a Redfish error body.
    Status500,
    /// Reset the TCP connection (RST) right after accepting it.
    Reset,
    /// Never answer.
    Hang,
    /// Answer 200 with truncated JSON.
    MalformedJson,
}

/// Which requests (or, for [`FaultKind::Reset`], connections) fail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// What happens.
    pub kind: FaultKind,
    /// Share of requests hit, 0.0..=1.0 (1.0: every request).
    pub rate: f64,
    /// Seed of the deterministic draw (request number `n` is hit when a hash of
    /// `(seed, n)` falls under `rate`).
    pub seed: u64,
}

impl Faults {
    /// Every request fails this way (a "faulty" BMC).
    pub fn always(kind: FaultKind) -> Self {
        Faults {
            kind,
            rate: 1.0,
            seed: 0,
        }
    }

    /// A seeded share of requests fails this way.
    pub fn rate(kind: FaultKind, rate: f64, seed: u64) -> Self {
        Faults { kind, rate, seed }
    }
}

/// What the simulator does with `$expand`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExpandMode {
    /// Expand collection members inline.
    #[default]
    Honor,
    /// Ignore the query: answer links only (clients must fetch members themselves).
    Ignore,
    /// Answer 400 `QueryNotSupported`.
    Reject,
}

/// How one simulated BMC behaves.
#[derive(Clone, Debug)]
pub struct SimBmcConfig {
    /// The resources served.
    pub tree: Arc<MockupTree>,
    /// Delay added to every request.
    pub latency: Duration,
    /// Injected faults.
    pub faults: Option<Faults>,
    /// Credentials required for everything but the service root; `None` requires none.
    pub credentials: Option<Credentials>,
    /// Accept HTTP Basic (default true).
    pub basic_auth: bool,
    /// Serve a SessionService (default true). When false, the service root loses its
    /// `SessionService` and `Links.Sessions`, and session paths answer 404.
    pub session_service: bool,
    /// Sessions expire after this many requests made with their token; the next one is
    /// answered 401 (`None`: sessions live until deleted). See also
    /// [`SimBmc::expire_sessions`].
    pub session_max_requests: Option<u64>,
    /// `$expand` behaviour.
    pub expand: ExpandMode,
    /// Paginate every collection with this many members per page.
    pub page_size: Option<usize>,
    /// Serve HTTPS with this certificate.
    pub tls: Option<Arc<SimTls>>,
    /// Time a system spends `PoweringOn`/`PoweringOff` after a reset (zero: the new state
    /// shows at once).
    pub power_delay: Duration,
    /// Vendor behaviours for writes.
    pub quirks: SimQuirks,
}

impl SimBmcConfig {
    /// Serves `tree` over plain HTTP, no latency, no fault, no auth.
    pub fn new(tree: MockupTree) -> Self {
        Self::shared(Arc::new(tree))
    }

    /// Like [`new`](Self::new) with a tree shared between many BMCs.
    pub fn shared(tree: Arc<MockupTree>) -> Self {
        SimBmcConfig {
            tree,
            latency: Duration::ZERO,
            faults: None,
            credentials: None,
            basic_auth: true,
            session_service: true,
            session_max_requests: None,
            expand: ExpandMode::Honor,
            page_size: None,
            tls: None,
            power_delay: Duration::ZERO,
            quirks: SimQuirks::default(),
        }
    }

    /// Sets the latency per request.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Sets injected faults.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = Some(faults);
        self
    }

    /// Requires credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Accepts HTTP Basic or not.
    pub fn basic_auth(mut self, on: bool) -> Self {
        self.basic_auth = on;
        self
    }

    /// Serves a SessionService or not.
    pub fn session_service(mut self, on: bool) -> Self {
        self.session_service = on;
        self
    }

    /// Expires each session after `requests` requests made with its token (0: every
    /// token is refused on first use).
    pub fn expire_sessions_after(mut self, requests: u64) -> Self {
        self.session_max_requests = Some(requests);
        self
    }

    /// Sets the `$expand` behaviour.
    pub fn expand(mut self, mode: ExpandMode) -> Self {
        self.expand = mode;
        self
    }

    /// Paginates collections.
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = Some(size.max(1));
        self
    }

    /// Sets the time a system spends powering on or off.
    pub fn power_delay(mut self, delay: Duration) -> Self {
        self.power_delay = delay;
        self
    }

    /// Sets vendor behaviours for writes.
    pub fn quirks(mut self, quirks: SimQuirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Serves HTTPS.
    pub fn tls(mut self, tls: Arc<SimTls>) -> Self {
        self.tls = Some(tls);
        self
    }
}
