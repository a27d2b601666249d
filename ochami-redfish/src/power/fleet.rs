//! Power operations and state reads over many systems at once: bounded concurrency, a
//! deadline per system, one typed outcome per system (a faulty BMC fails alone), progress
//! callbacks, and an abort that stops systems not yet started.
//!
//! ```no_run
//! use std::sync::Arc;
//! use ochami_redfish::power::{PowerOperation, PowerOptions, PowerTarget, power_many};
//! use ochami_redfish::{Credentials, HttpTransport, TransportOptions};
//!
//! # async fn demo() -> ochami_redfish::Result<()> {
//! let transport = Arc::new(HttpTransport::new(&TransportOptions::default())?);
//! let creds = Credentials::new("root", "secret");
//! let targets = vec![
//!     PowerTarget::new("x1000c0s0b0n0", "https://10.0.0.5", Some(creds.clone())),
//!     PowerTarget::new("x1000c0s1b0n0", "https://10.0.0.6", Some(creds)),
//! ];
//! let outcomes = power_many(transport, targets, PowerOperation::HardRestart,
//!     &PowerOptions::default(), |o| eprintln!("{}: {:?}", o.id, o.result)).await;
//! assert_eq!(outcomes.len(), 2);
//! # Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::boot_override::{BootOverride, BootOverrideOutcome};
use super::operation::PowerOperation;
use super::system::{OperationOptions, PowerReport, SystemPower};
use crate::AuthMode;
use crate::client::{ClientOptions, RedfishClient};
use crate::error::{Error, ErrorKind, Result, TargetError};
use crate::retry::RetryPolicy;
use crate::secret::Credentials;
use crate::transport::Transport;

/// One system to act on. `Debug` redacts the password.
#[derive(Debug, Clone)]
pub struct PowerTarget {
    /// The caller's name for it (an xname), echoed in the outcome.
    pub id: String,
    /// The BMC, `scheme://host[:port]`.
    pub base_url: String,
    /// Its credentials.
    pub credentials: Option<Credentials>,
    /// The system's path (`/redfish/v1/Systems/Node0`); `None` picks the BMC's only system.
    pub system: Option<String>,
}

impl PowerTarget {
    /// The only system of the BMC at `base_url`.
    pub fn new(
        id: impl Into<String>,
        base_url: impl Into<String>,
        credentials: Option<Credentials>,
    ) -> Self {
        PowerTarget {
            id: id.into(),
            base_url: base_url.into(),
            credentials,
            system: None,
        }
    }

    /// Names the system (for BMCs with several).
    pub fn system(mut self, path: impl Into<String>) -> Self {
        self.system = Some(path.into());
        self
    }
}

/// Options of a run over many systems.
#[derive(Debug, Clone)]
pub struct PowerOptions {
    /// Systems worked on at once.
    pub concurrency: usize,
    /// Limit of each request.
    pub request_timeout: Duration,
    /// Limit of everything done to one system (connect, boot override, resets, waits).
    pub node_deadline: Duration,
    /// Retries of reads, and of resets the BMC did not process (see [`RedfishClient::reset`]).
    pub retry: RetryPolicy,
    /// Session or Basic auth.
    pub auth: AuthMode,
    /// Timing of each operation.
    pub operation: OperationOptions,
    /// A boot override set before the reset (e.g. [`BootOverride::pxe_once`]).
    pub boot_override: Option<BootOverride>,
    /// Stops systems not yet started when signalled.
    pub abort: PowerAbort,
}

impl Default for PowerOptions {
    fn default() -> Self {
        PowerOptions {
            concurrency: 64,
            request_timeout: Duration::from_secs(30),
            node_deadline: Duration::from_secs(600),
            retry: RetryPolicy::default(),
            auth: AuthMode::Auto,
            operation: OperationOptions::default(),
            boot_override: None,
            abort: PowerAbort::default(),
        }
    }
}

/// An abort signal shared with a running [`power_many`]: systems not started when it is
/// raised end [`PowerResult::Aborted`]; systems in progress finish (stopping between a
/// reset and its confirmation would leave their state unknown).
#[derive(Debug, Clone, Default)]
pub struct PowerAbort(Arc<AtomicBool>);

impl PowerAbort {
    /// Raises the signal.
    pub fn abort(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether it was raised.
    pub fn is_aborted(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What happened to one system.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerOutcome<T> {
    /// The target's id.
    pub id: String,
    /// The BMC.
    pub base_url: String,
    /// The system acted on, once known.
    pub system: Option<String>,
    /// Time spent on it.
    pub elapsed_ms: u64,
    /// The result.
    pub result: PowerResult<T>,
}

/// The result for one system.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum PowerResult<T> {
    /// Done.
    Done {
        /// What was done or read.
        #[serde(flatten)]
        value: T,
    },
    /// Failed, with the error's kind and message.
    Failed {
        /// The error.
        error: TargetError,
    },
    /// Not started: the run was aborted first.
    Aborted,
}

impl<T> PowerOutcome<T> {
    /// The value when done.
    pub fn value(&self) -> Option<&T> {
        match &self.result {
            PowerResult::Done { value } => Some(value),
            _ => None,
        }
    }

    /// The error when failed.
    pub fn error(&self) -> Option<&TargetError> {
        match &self.result {
            PowerResult::Failed { error } => Some(error),
            _ => None,
        }
    }
}

/// What a power operation did to one system, with the boot override set before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodePower {
    /// The operation's report.
    #[serde(flatten)]
    pub report: PowerReport,
    /// The boot override, when one was asked for.
    pub boot_override: Option<BootOverrideOutcome>,
}

/// Runs `operation` on every target (at most `options.concurrency` at once), returning one
/// outcome per target in target order; `on_done` sees each outcome as it completes.
pub async fn power_many(
    transport: Arc<dyn Transport>,
    targets: Vec<PowerTarget>,
    operation: PowerOperation,
    options: &PowerOptions,
    on_done: impl Fn(&PowerOutcome<NodePower>) + Send + Sync + 'static,
) -> Vec<PowerOutcome<NodePower>> {
    let opts = Arc::new(options.clone());
    run_many(
        transport,
        targets,
        options,
        on_done,
        move |client, system| {
            let opts = opts.clone();
            async move {
                let boot_override = match &opts.boot_override {
                    Some(b) => Some(client.set_boot_override(&system, b).await?),
                    None => None,
                };
                let report = client
                    .power_operation(&system, operation, &opts.operation)
                    .await?;
                Ok(NodePower {
                    report,
                    boot_override,
                })
            }
        },
    )
    .await
}

/// Reads the power state and Reset action of every target.
pub async fn power_status_many(
    transport: Arc<dyn Transport>,
    targets: Vec<PowerTarget>,
    options: &PowerOptions,
    on_done: impl Fn(&PowerOutcome<SystemPower>) + Send + Sync + 'static,
) -> Vec<PowerOutcome<SystemPower>> {
    run_many(
        transport,
        targets,
        options,
        on_done,
        |client, system| async move { client.system_power(&system).await },
    )
    .await
}

async fn run_many<T, F, Fut>(
    transport: Arc<dyn Transport>,
    targets: Vec<PowerTarget>,
    options: &PowerOptions,
    on_done: impl Fn(&PowerOutcome<T>) + Send + Sync + 'static,
    work: F,
) -> Vec<PowerOutcome<T>>
where
    T: Clone + Send + 'static,
    F: Fn(Arc<RedfishClient>, String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T>> + Send,
{
    let permits = options
        .concurrency
        .clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(permits));
    let work = Arc::new(work);
    let on_done = Arc::new(on_done);
    let options = Arc::new(options.clone());
    let mut set = tokio::task::JoinSet::new();
    for (index, target) in targets.iter().cloned().enumerate() {
        let (semaphore, work, on_done, options, transport) = (
            semaphore.clone(),
            work.clone(),
            on_done.clone(),
            options.clone(),
            transport.clone(),
        );
        set.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let outcome = if options.abort.is_aborted() {
                PowerOutcome {
                    id: target.id.clone(),
                    base_url: target.base_url.clone(),
                    system: target.system.clone(),
                    elapsed_ms: 0,
                    result: PowerResult::Aborted,
                }
            } else {
                run_one(&*work, transport, target, &options).await
            };
            on_done(&outcome);
            (index, outcome)
        });
    }
    let mut outcomes: Vec<Option<PowerOutcome<T>>> = (0..targets.len()).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((index, outcome)) => outcomes[index] = Some(outcome),
            Err(e) => tracing::error!(error = %e, "power task failed"),
        }
    }
    outcomes
        .into_iter()
        .zip(targets)
        .map(|(o, t)| {
            o.unwrap_or_else(|| PowerOutcome {
                result: PowerResult::Failed {
                    error: TargetError {
                        kind: ErrorKind::OutcomeUnknown,
                        message: format!("{}: the power task panicked", t.base_url),
                    },
                },
                id: t.id,
                base_url: t.base_url,
                system: t.system,
                elapsed_ms: 0,
            })
        })
        .collect()
}

async fn run_one<T, F, Fut>(
    work: &F,
    transport: Arc<dyn Transport>,
    target: PowerTarget,
    options: &PowerOptions,
) -> PowerOutcome<T>
where
    F: Fn(Arc<RedfishClient>, String) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let started = Instant::now();
    let client_slot: std::sync::Mutex<Option<Arc<RedfishClient>>> = std::sync::Mutex::new(None);
    let system_slot: std::sync::Mutex<Option<String>> =
        std::sync::Mutex::new(target.system.clone());
    let job = async {
        let client_options = ClientOptions {
            credentials: target.credentials.clone(),
            auth: options.auth,
            request_timeout: options.request_timeout,
            retry: options.retry,
            ..ClientOptions::default()
        };
        let client =
            Arc::new(RedfishClient::connect(transport, &target.base_url, client_options).await?);
        if let Ok(mut slot) = client_slot.lock() {
            *slot = Some(client.clone());
        }
        let system = match &target.system {
            Some(s) => s.clone(),
            None => only_system(&client).await?,
        };
        if let Ok(mut slot) = system_slot.lock() {
            *slot = Some(system.clone());
        }
        work(client, system).await
    };
    let result = match tokio::time::timeout(options.node_deadline, job).await {
        Ok(r) => r,
        Err(_) => Err(Error::Timeout {
            target: target.base_url.clone(),
            what: "per-system deadline".into(),
            after_ms: options.node_deadline.as_millis() as u64,
        }),
    };
    let client = client_slot.lock().ok().and_then(|mut c| c.take());
    if let Some(client) = client {
        let grace = options.request_timeout.min(Duration::from_secs(2));
        if tokio::time::timeout(grace, client.close()).await.is_err() {
            tracing::warn!(bmc = %target.base_url, "session delete timed out");
        }
    }
    let system = system_slot.lock().ok().and_then(|mut s| s.take());
    let result = match result {
        Ok(value) => PowerResult::Done { value },
        Err(e) => {
            tracing::warn!(id = %target.id, error = %e, "power action failed");
            PowerResult::Failed { error: e.into() }
        }
    };
    PowerOutcome {
        id: target.id,
        base_url: target.base_url,
        system,
        elapsed_ms: started.elapsed().as_millis() as u64,
        result,
    }
}

/// The BMC's only system; a BMC with none or several needs the system named.
async fn only_system(client: &RedfishClient) -> Result<String> {
    let systems = client
        .service_root()
        .systems
        .clone()
        .unwrap_or_else(|| "/redfish/v1/Systems".to_owned());
    let members = client.get_collection(&systems).await?.members;
    match members.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(Error::InvalidTarget {
            input: client.base_url().to_owned(),
            message: format!(
                "the BMC has {} systems; name one ({})",
                members.len(),
                members.join(", ")
            ),
        }),
    }
}
