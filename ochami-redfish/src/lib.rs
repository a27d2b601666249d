//! # ochami-redfish
//!
//! Discover BMCs over Redfish and turn them into OpenCHAMI inventory.
//!
//! - [`RedfishClient`]: an async Redfish client (reqwest + rustls/aws-lc-rs) with Basic
//!   auth and Redfish sessions (renewed once when a request meets an expired session),
//!   verified TLS by default, timeouts, bounded retries, `nextLink` pagination and
//!   `$expand`.
//! - [`resources`]: typed resources read tolerantly (placeholders and wrong types become
//!   `None`; nothing a BMC sends can panic the crate); systems and chassis share one
//!   [`resources::Asset`] for their identity fields.
//! - [`scan`](mod@scan): targets from CIDRs and hosts x ports, probed for a Redfish service root.
//! - [`crawl`](mod@crawl): one BMC into a [`BmcInventory`]: the `EndpointIngest` body Magellan POSTs
//!   to SMD, and its expansion into components, endpoints and NICs.
//! - [`XnameAssigner`]: an explicit map or a collision-free generator.
//! - [`discover`]: scan + crawl with bounded concurrency, per-BMC deadlines and progress
//!   events, one [`TargetOutcome`] per target in a serializable [`DiscoveryReport`].
//! - [`power`]: reset actions with per-BMC value choice, `PowerState`, one-time boot
//!   overrides, and power operations over many systems with per-system outcomes.
//! - `sim` (feature `sim`): a Redfish simulator serving mockup trees and synthetic BMCs
//!   with injected latency, faults, auth and TLS.
//!
//! ## Differences from Magellan
//! Documented where they matter: the chassis/systems merge keeps chassis-derived data
//! (Magellan replaces it), every Redfish field is optional (Magellan can panic), requests
//! have timeouts and the crawl a deadline (a hung BMC blocks Magellan forever), manager
//! NICs without IPv4 are kept, CIDR scans skip network and broadcast addresses and start at
//! the network address, generated xnames never collide within a run, and placeholder values
//! such as `"N/A"` never reach the inventory.

mod auth;
mod client;
pub mod crawl;
pub mod discovery;
mod discovery_settings;
mod error;
pub mod power;
pub mod resources;
mod retry;
pub mod scan;
mod secret;
mod session;
#[cfg(feature = "sim")]
pub mod sim;
mod transport;
pub mod xname_assign;

pub use auth::{AuthKind, AuthMode};
pub use client::{ClientOptions, RedfishClient, SERVICE_ROOT};
pub use crawl::{BmcInventory, CrawlOptions, crawl};
pub use discovery::{
    DiscoveryEvent, DiscoveryOptions, DiscoveryReport, OutcomeResult, TargetOutcome, discover,
};
pub use discovery_settings::{DiscoverySettings, MAX_SECONDS, XnameMapSource};
pub use error::{Error, ErrorKind, Result, TargetError};
pub use retry::RetryPolicy;
pub use scan::{ScanOptions, ScanResult, ScanTarget, Scheme, TargetSpec, scan};
pub use secret::{Credentials, Secret};
pub use transport::{
    HttpRequest, HttpResponse, HttpTransport, Method, RequestAuth, RequestBody, Transport,
    TransportError, TransportOptions,
};
pub use xname_assign::{XnameAssigner, XnameMap};
