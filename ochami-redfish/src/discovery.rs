//! Discovery: scan + crawl of many BMCs with bounded concurrency and a per-BMC deadline.
//!
//! Every target is probed (`GET /redfish/v1/`), logged in to, crawled and logged out of
//! inside its own deadline; at most [`DiscoveryOptions::concurrency`] targets are in flight.
//! One bad BMC never stops the run: each target ends as one [`TargetOutcome`], either the
//! [`BmcInventory`] or a [`TargetError`] with an [`ErrorKind`](crate::ErrorKind). Progress
//! is reported through a callback as [`DiscoveryEvent`]s (forward them to a channel, a
//! progress bar or Python). The [`DiscoveryReport`] is `Serialize` (what `--json` prints);
//! it never holds a password or a token.
//!
//! ```no_run
//! use ochami_redfish::{Credentials, DiscoveryEvent, DiscoveryOptions, discover};
//!
//! # async fn demo() -> ochami_redfish::Result<()> {
//! let mut options = DiscoveryOptions::default();
//! options.credentials = Some(Credentials::new("root", "secret"));
//! options.insecure = true; // self-signed BMC certificates
//! let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
//! let report = discover(&["10.0.5.0/24"], &options, move |e: &DiscoveryEvent| {
//!     let _ = tx.send(e.clone());
//! })
//! .await?;
//! while let Ok(event) = rx.try_recv() { println!("{event:?}"); }
//! println!("{}", serde_json::to_string_pretty(&report).unwrap());
//! # Ok(()) }
//! ```
//!
//! Against simulated BMCs (feature `sim`):
//!
//! ```
//! # #[cfg(feature = "sim")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> ochami_redfish::Result<()> {
//! use ochami_redfish::discovery::discover_targets;
//! use ochami_redfish::sim::{SimBmcConfig, SimFleet, SyntheticBmc};
//! use ochami_redfish::{Credentials, DiscoveryOptions, Scheme};
//!
//! let creds = Credentials::new("root", "secret");
//! let fleet = SimFleet::spawn(3, |i| {
//!     SimBmcConfig::new(SyntheticBmc::new(i as u32, 2).build()).credentials(creds.clone())
//! })
//! .await?;
//! let options = DiscoveryOptions {
//!     credentials: Some(creds.clone()),
//!     scheme: Scheme::Http,
//!     ..DiscoveryOptions::default()
//! };
//! let report = discover_targets(fleet.targets(), &options, |_| {}).await?;
//! assert_eq!((report.discovered, report.failed), (3, 0));
//! assert_eq!(report.merged_inventory().components.len(), 9); // 3 BMCs + 6 nodes
//! # Ok(()) }
//! # #[cfg(not(feature = "sim"))]
//! # fn main() {}
//! ```

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ochami_core::Xname;
use ochami_core::ingest::Inventory;
use serde::Serialize;

use crate::auth::AuthMode;
use crate::client::{ClientOptions, RedfishClient, fetch_service_root};
use crate::crawl::{BmcInventory, CrawlOptions, crawl};
use crate::error::{Error, Result, TargetError};
use crate::resources::ServiceRoot;
use crate::retry::RetryPolicy;
use crate::scan::{RedfishService, ScanTarget, Scheme, TargetSpec};
use crate::secret::Credentials;
use crate::transport::{HttpTransport, Transport, TransportOptions};
use crate::xname_assign::XnameAssigner;

/// Options of a discovery run. `Debug` redacts every password.
#[derive(Clone)]
pub struct DiscoveryOptions {
    /// Default credentials for every BMC.
    pub credentials: Option<Credentials>,
    /// Credentials per BMC, keyed by host (IP or name) or `host:port`; these win over
    /// [`credentials`](Self::credentials).
    pub per_host_credentials: HashMap<String, Credentials>,
    /// Scheme for targets that do not name one (default https).
    pub scheme: Scheme,
    /// Ports tried on targets that do not name one (default 443 for https, 80 for http).
    pub ports: Vec<u16>,
    /// Skip TLS verification (self-signed BMCs). Off by default.
    pub insecure: bool,
    /// PEM CA bundle to trust for BMC certificates (see [`Self::with_ca_file`]).
    pub ca_pem: Option<Vec<u8>>,
    /// BMCs in flight at once.
    pub concurrency: usize,
    /// TCP connect and TLS handshake timeout.
    pub connect_timeout: Duration,
    /// Limit of each request.
    pub request_timeout: Duration,
    /// Limit of the whole probe + login + crawl of one BMC.
    pub bmc_deadline: Duration,
    /// How BMCs get their xnames (default: generated).
    pub assigner: XnameAssigner,
    /// Session, Basic or both (default: session with Basic fallback).
    pub auth: AuthMode,
    /// Retries on connect errors, 5xx and 429.
    pub retry: RetryPolicy,
    /// Use `$expand` when advertised.
    pub use_expand: bool,
    /// Requests in flight at once against one BMC.
    pub per_bmc_parallelism: usize,
    /// What the crawl reads.
    pub crawl: CrawlOptions,
    /// Cap on the addresses one CIDR may expand to.
    pub max_addresses: usize,
    /// A transport to use instead of building one from the TLS options (tests, custom
    /// clients).
    pub transport: Option<Arc<dyn Transport>>,
}

impl Default for DiscoveryOptions {
    fn default() -> Self {
        DiscoveryOptions {
            credentials: None,
            per_host_credentials: HashMap::new(),
            scheme: Scheme::Https,
            ports: Vec::new(),
            insecure: false,
            ca_pem: None,
            concurrency: 64,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            bmc_deadline: Duration::from_secs(120),
            assigner: XnameAssigner::generated(),
            auth: AuthMode::Auto,
            retry: RetryPolicy::default(),
            use_expand: true,
            per_bmc_parallelism: 4,
            crawl: CrawlOptions::default(),
            max_addresses: TargetSpec::DEFAULT_MAX_ADDRESSES,
            transport: None,
        }
    }
}

impl std::fmt::Debug for DiscoveryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscoveryOptions")
            .field("credentials", &self.credentials)
            .field("per_host_credentials", &self.per_host_credentials)
            .field("scheme", &self.scheme)
            .field("ports", &self.ports)
            .field("insecure", &self.insecure)
            .field(
                "ca_pem",
                &self.ca_pem.as_ref().map(|p| format!("{} bytes", p.len())),
            )
            .field("concurrency", &self.concurrency)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("bmc_deadline", &self.bmc_deadline)
            .field("assigner", &self.assigner)
            .field("auth", &self.auth)
            .field("retry", &self.retry)
            .field("use_expand", &self.use_expand)
            .field("per_bmc_parallelism", &self.per_bmc_parallelism)
            .field("crawl", &self.crawl)
            .field("max_addresses", &self.max_addresses)
            .field("transport", &self.transport.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl DiscoveryOptions {
    /// Reads a PEM CA bundle from a file into [`ca_pem`](Self::ca_pem).
    pub fn with_ca_file(mut self, path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        self.ca_pem = Some(std::fs::read(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?);
        Ok(self)
    }

    /// The credentials for a target: per host:port, per host, else the default.
    pub fn credentials_for(&self, target: &ScanTarget) -> Option<&Credentials> {
        self.per_host_credentials
            .get(&format!("{}:{}", target.host, target.port))
            .or_else(|| self.per_host_credentials.get(&target.host))
            .or(self.credentials.as_ref())
    }

    fn client_options(&self, target: &ScanTarget) -> ClientOptions {
        ClientOptions {
            credentials: self.credentials_for(target).cloned(),
            auth: self.auth,
            request_timeout: self.request_timeout,
            retry: self.retry,
            use_expand: self.use_expand,
            max_parallel_requests: self.per_bmc_parallelism.max(1),
        }
    }

    fn build_transport(&self) -> Result<Arc<dyn Transport>> {
        if let Some(t) = &self.transport {
            return Ok(t.clone());
        }
        Ok(Arc::new(HttpTransport::new(&TransportOptions {
            insecure: self.insecure,
            ca_pem: self.ca_pem.clone(),
            connect_timeout: Some(self.connect_timeout),
            max_idle_per_host: Some(self.per_bmc_parallelism.max(1)),
        })?))
    }
}

/// Progress of a discovery run.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DiscoveryEvent {
    /// The run starts with this many targets.
    Started {
        /// Number of targets.
        targets: usize,
    },
    /// A target was probed.
    Scanned {
        /// The target.
        target: ScanTarget,
        /// Whether it answered a Redfish service root.
        is_bmc: bool,
    },
    /// A target is a BMC; the crawl starts.
    Found {
        /// The target.
        target: ScanTarget,
        /// What its service root says.
        service: RedfishService,
    },
    /// A BMC was crawled.
    Crawled {
        /// The target.
        target: ScanTarget,
        /// Its xname.
        xname: Xname,
        /// Number of nodes found behind it.
        nodes: usize,
    },
    /// A target failed.
    Failed {
        /// The target.
        target: ScanTarget,
        /// Why.
        error: TargetError,
    },
    /// The run is over.
    Finished {
        /// BMCs crawled.
        discovered: usize,
        /// Targets failed.
        failed: usize,
        /// Wall time in milliseconds.
        elapsed_ms: u64,
    },
}

/// The end of one target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetOutcome {
    /// The target.
    pub target: ScanTarget,
    /// Its xname, when one was assigned.
    pub xname: Option<Xname>,
    /// Time spent on it, in milliseconds.
    pub elapsed_ms: u64,
    /// Inventory or error.
    #[serde(flatten)]
    pub result: OutcomeResult,
}

/// Inventory or error.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OutcomeResult {
    /// The BMC was crawled.
    Discovered {
        /// What was found.
        inventory: Box<BmcInventory>,
    },
    /// The target failed.
    Failed {
        /// Why.
        error: TargetError,
    },
}

impl TargetOutcome {
    /// The inventory, if the target was crawled.
    pub fn inventory(&self) -> Option<&BmcInventory> {
        match &self.result {
            OutcomeResult::Discovered { inventory } => Some(inventory),
            OutcomeResult::Failed { .. } => None,
        }
    }

    /// The error, if the target failed.
    pub fn error(&self) -> Option<&TargetError> {
        match &self.result {
            OutcomeResult::Failed { error } => Some(error),
            OutcomeResult::Discovered { .. } => None,
        }
    }
}

/// The result of a run: one outcome per target, in target order.
#[derive(Debug, Clone, Serialize)]
pub struct DiscoveryReport {
    /// Number of targets.
    pub targets: usize,
    /// BMCs crawled.
    pub discovered: usize,
    /// Targets failed.
    pub failed: usize,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
    /// One per target.
    pub outcomes: Vec<TargetOutcome>,
}

impl DiscoveryReport {
    /// The crawled BMCs.
    pub fn inventories(&self) -> impl Iterator<Item = &BmcInventory> {
        self.outcomes.iter().filter_map(TargetOutcome::inventory)
    }

    /// The failed targets with their errors.
    pub fn failures(&self) -> impl Iterator<Item = (&ScanTarget, &TargetError)> {
        self.outcomes
            .iter()
            .filter_map(|o| o.error().map(|e| (&o.target, e)))
    }

    /// All crawled inventory merged into one (what `discover --store` writes).
    pub fn merged_inventory(&self) -> Inventory {
        let mut all = Inventory::default();
        for i in self.inventories() {
            all.extend(i.inventory.clone());
        }
        all
    }
}

/// Discovers the BMCs behind `inputs` (CIDRs, IPs, host names, `scheme://host:port`),
/// each tried on [`DiscoveryOptions::ports`]. Fails only on bad inputs or TLS options;
/// per-BMC failures are in the report.
pub async fn discover<S: AsRef<str>>(
    inputs: &[S],
    options: &DiscoveryOptions,
    on_event: impl Fn(&DiscoveryEvent) + Send + Sync + 'static,
) -> Result<DiscoveryReport> {
    let mut spec = TargetSpec::new()
        .scheme(options.scheme)
        .ports(options.ports.iter().copied())
        .max_addresses(options.max_addresses);
    for i in inputs {
        spec = spec.host(i.as_ref());
    }
    discover_targets(spec.expand()?, options, on_event).await
}

struct Shared {
    transport: Arc<dyn Transport>,
    options: DiscoveryOptions,
    on_event: Box<dyn Fn(&DiscoveryEvent) + Send + Sync>,
}

/// Discovers an explicit list of targets (see [`discover`]).
pub async fn discover_targets(
    targets: Vec<ScanTarget>,
    options: &DiscoveryOptions,
    on_event: impl Fn(&DiscoveryEvent) + Send + Sync + 'static,
) -> Result<DiscoveryReport> {
    let started = Instant::now();
    let shared = Arc::new(Shared {
        transport: options.build_transport()?,
        options: options.clone(),
        on_event: Box::new(on_event),
    });
    (shared.on_event)(&DiscoveryEvent::Started {
        targets: targets.len(),
    });
    let plan = options.assigner.plan(&targets);
    let permits = options
        .concurrency
        .clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(permits));
    let mut set = tokio::task::JoinSet::new();
    for (index, (target, planned)) in targets.iter().cloned().zip(plan).enumerate() {
        let shared = shared.clone();
        let semaphore = semaphore.clone();
        set.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            (index, run_target(&shared, target, planned).await)
        });
    }
    let mut outcomes: Vec<Option<TargetOutcome>> = vec![None; targets.len()];
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((index, outcome)) => outcomes[index] = Some(outcome),
            Err(e) => tracing::error!(error = %e, "discovery task failed"),
        }
    }
    let mut outcomes: Vec<TargetOutcome> = outcomes
        .into_iter()
        .zip(&targets)
        .map(|(o, t)| {
            o.unwrap_or_else(|| TargetOutcome {
                target: t.clone(),
                xname: None,
                elapsed_ms: 0,
                result: OutcomeResult::Failed {
                    error: TargetError {
                        kind: crate::ErrorKind::Protocol,
                        message: format!("{t}: the discovery task panicked"),
                    },
                },
            })
        })
        .collect();
    reject_duplicate_xnames(&mut outcomes, &shared);
    let discovered = outcomes.iter().filter(|o| o.inventory().is_some()).count();
    let report = DiscoveryReport {
        targets: outcomes.len(),
        discovered,
        failed: outcomes.len() - discovered,
        elapsed_ms: started.elapsed().as_millis() as u64,
        outcomes,
    };
    (shared.on_event)(&DiscoveryEvent::Finished {
        discovered: report.discovered,
        failed: report.failed,
        elapsed_ms: report.elapsed_ms,
    });
    Ok(report)
}

/// Two BMCs can still meet on one xname when a MAC entry of the map names a BMC reached
/// through two addresses; the later target (in target order) then fails.
fn reject_duplicate_xnames(outcomes: &mut [TargetOutcome], shared: &Shared) {
    let mut seen = HashSet::new();
    for o in outcomes.iter_mut() {
        let Some(x) = o.inventory().map(|i| i.xname) else {
            continue;
        };
        if !seen.insert(x) {
            let error = TargetError::from(Error::NoXname {
                target: o.target.base_url(),
                message: format!("xname {x} already went to another target of this run"),
            });
            (shared.on_event)(&DiscoveryEvent::Failed {
                target: o.target.clone(),
                error: error.clone(),
            });
            o.result = OutcomeResult::Failed { error };
        }
    }
}

async fn run_target(shared: &Shared, target: ScanTarget, planned: Option<Xname>) -> TargetOutcome {
    let started = Instant::now();
    let options = &shared.options;
    let client_slot: Mutex<Option<Arc<RedfishClient>>> = Mutex::new(None);
    let work = crawl_target(shared, &target, planned, &client_slot);
    let result = match tokio::time::timeout(options.bmc_deadline, work).await {
        Ok(r) => r,
        Err(_) => Err(Error::Timeout {
            target: target.base_url(),
            what: "per-BMC deadline".into(),
            after_ms: options.bmc_deadline.as_millis() as u64,
        }),
    };
    // Log out even after an error or the deadline, but never wait long for it.
    let client = client_slot.lock().ok().and_then(|mut c| c.take());
    if let Some(client) = client {
        let grace = options.request_timeout.min(Duration::from_secs(2));
        if tokio::time::timeout(grace, client.close()).await.is_err() {
            tracing::warn!(target = %target, "session delete timed out");
        }
    }
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(inventory) => {
            (shared.on_event)(&DiscoveryEvent::Crawled {
                target: target.clone(),
                xname: inventory.xname,
                nodes: inventory.nodes().len(),
            });
            TargetOutcome {
                target,
                xname: Some(inventory.xname),
                elapsed_ms,
                result: OutcomeResult::Discovered {
                    inventory: Box::new(inventory),
                },
            }
        }
        Err(e) => {
            tracing::info!(target = %target, error = %e, "BMC failed");
            let error = TargetError::from(&e);
            (shared.on_event)(&DiscoveryEvent::Failed {
                target: target.clone(),
                error: error.clone(),
            });
            TargetOutcome {
                target,
                xname: planned,
                elapsed_ms,
                result: OutcomeResult::Failed { error },
            }
        }
    }
}

async fn crawl_target(
    shared: &Shared,
    target: &ScanTarget,
    planned: Option<Xname>,
    client_slot: &Mutex<Option<Arc<RedfishClient>>>,
) -> Result<BmcInventory> {
    let options = &shared.options;
    let client_options = options.client_options(target);
    let base = target.base_url();
    let root = fetch_service_root(&*shared.transport, &base, &client_options).await;
    (shared.on_event)(&DiscoveryEvent::Scanned {
        target: target.clone(),
        is_bmc: root.is_ok(),
    });
    let root = root?;
    (shared.on_event)(&DiscoveryEvent::Found {
        target: target.clone(),
        service: RedfishService::from_root(&ServiceRoot::from_value(&root)),
    });
    let client = Arc::new(
        RedfishClient::with_service_root(shared.transport.clone(), &base, client_options, root)
            .await?,
    );
    if let Ok(mut slot) = client_slot.lock() {
        *slot = Some(client.clone());
    }
    // A MAC entry of the map can only be applied after the crawl; crawl under a stand-in
    // and re-expand under the final xname.
    let stand_in = match planned {
        Some(x) => x,
        None => Xname::node_bmc(9999, 7, 0, 0).map_err(|e| Error::NoXname {
            target: base.clone(),
            message: e.to_string(),
        })?,
    };
    let inventory = crawl(&client, target, stand_in, &options.crawl).await?;
    let resolved = options
        .assigner
        .resolve(planned, inventory.ingest.endpoint.mac_addr);
    match resolved {
        Some(x) if x == inventory.xname => Ok(inventory),
        Some(x) => inventory.with_xname(x),
        None => Err(Error::NoXname {
            target: base,
            message: "not in the xname map (by IP, MAC or host name) and generation is off".into(),
        }),
    }
}
