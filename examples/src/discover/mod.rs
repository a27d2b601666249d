//! `ochami discover`: a Magellan-like scan + crawl of BMCs whose inventory goes straight
//! into a store (`--store`) or to an SMD-compatible server (`--server`).
//!
//! Targets come from `--subnet` CIDRs and `--host` entries, each tried on every `--port`
//! (default 443 for https, 80 for http) unless a host names its own port. Every target ends
//! as one outcome: crawled and written, or failed with an error kind. The run's exit code is
//! `0` when every target succeeded, `2` when some failed, `1` on a usage or configuration
//! error (bad CIDR, unreadable CA or xname map, unreachable store). An address of a
//! `--subnet` where no Redfish service answers (refused, silent, or not Redfish) is an empty
//! address, counted but not a failure; TLS and authentication failures always are.
//!
//! The BMC password comes from `--password` or `OCHAMI_BMC_PASSWORD`; it is only ever put on
//! the wire to the BMC, never printed, logged or written to the store (`Password` in the
//! endpoint stays empty, as in Magellan's body).

mod report;
mod sink;

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::{
    DiscoveryEvent, DiscoveryOptions, DiscoveryReport, DiscoverySettings, ErrorKind, ScanTarget,
    Scheme, TargetSpec, XnameMapSource,
};

pub(crate) use report::{Progress, table};
pub(crate) use sink::{Sink, WriteOutcome};

/// Exit code when every target succeeded.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code on a usage or configuration error.
pub(crate) const EXIT_CONFIG: u8 = 1;
/// Exit code when some targets failed.
pub(crate) const EXIT_PARTIAL: u8 = 2;

/// Flags of `ochami discover`.
#[derive(Clone, clap::Args)]
pub(crate) struct DiscoverArgs {
    /// A CIDR (or single address) to scan; repeatable. Network and broadcast addresses are
    /// skipped.
    #[arg(long = "subnet", value_name = "CIDR")]
    pub(crate) subnets: Vec<String>,
    /// A BMC to crawl: `host`, `host:port`, `[v6]:port` or `scheme://host:port`; repeatable.
    #[arg(long = "host", value_name = "HOST[:PORT]")]
    pub(crate) hosts: Vec<String>,
    /// Port tried on every target without its own; repeatable (default 443, or 80 with
    /// `--scheme http`).
    #[arg(long = "port", value_name = "PORT")]
    pub(crate) ports: Vec<u16>,
    /// Scheme for targets that do not name one.
    #[arg(long, default_value = "https", value_parser = ["https", "http"])]
    pub(crate) scheme: String,
    /// BMC user name.
    #[arg(long, env = "OCHAMI_BMC_USERNAME")]
    pub(crate) username: Option<String>,
    /// BMC password (prefer the environment variable: command lines are visible to other
    /// users).
    #[arg(long, env = "OCHAMI_BMC_PASSWORD", hide_env_values = true)]
    pub(crate) password: Option<String>,
    /// Do not verify BMC certificates (self-signed BMCs).
    #[arg(long)]
    pub(crate) insecure: bool,
    /// PEM CA bundle to trust for BMC certificates.
    #[arg(long, value_name = "FILE")]
    pub(crate) cacert: Option<PathBuf>,
    /// BMCs crawled at once.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) concurrency: u16,
    /// Connect and per-request timeout, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub(crate) timeout: f64,
    /// Limit of the whole probe + login + crawl of one BMC, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 120.0)]
    pub(crate) deadline: f64,
    /// BMC -> xname map: lines `<ip|mac|host> <xname>` or a JSON object. BMCs it does not
    /// name get a generated xname unless `--strict-map`.
    #[arg(long, value_name = "FILE")]
    pub(crate) xname_map: Option<PathBuf>,
    /// With `--xname-map`: BMCs the map does not name fail instead of getting a generated
    /// xname.
    #[arg(long, requires = "xname_map")]
    pub(crate) strict_map: bool,
    /// Write each BMC's inventory into this store (`sqlite://path`, `postgres://...`,
    /// `memory:`).
    #[arg(long, value_name = "URL", conflicts_with = "server")]
    pub(crate) store: Option<String>,
    /// POST each BMC's RedfishEndpoints body to this SMD-compatible server
    /// (`http://127.0.0.1:27779`).
    #[arg(long, value_name = "URL")]
    pub(crate) server: Option<String>,
    /// Bearer token for `--server`.
    #[arg(
        long,
        env = "OCHAMI_TOKEN",
        hide_env_values = true,
        requires = "server"
    )]
    pub(crate) token: Option<String>,
    /// Replace what is already there: PUT after a 409 from `--server` (Magellan's
    /// `--force-update`); with `--store`, overwrite State/Role/NID and move MACs.
    #[arg(long)]
    pub(crate) force: bool,
    /// Print the discovery report as JSON on stdout instead of the summary table.
    #[arg(long)]
    pub(crate) json: bool,
}

impl std::fmt::Debug for DiscoverArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscoverArgs")
            .field("subnets", &self.subnets)
            .field("hosts", &self.hosts)
            .field("ports", &self.ports)
            .field("scheme", &self.scheme)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("insecure", &self.insecure)
            .field("store", &self.store.as_deref().map(ochami_store::redact))
            .field("server", &self.server)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// A configuration error: exit code 1, nothing was discovered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum DiscoverError {
    /// Neither `--subnet` nor `--host` was given.
    #[error("nothing to discover: give --subnet CIDR or --host HOST[:PORT]")]
    NoTargets,
    /// A flag's value is unusable.
    #[error("--{flag}: {message}")]
    BadFlag {
        /// The flag, without dashes.
        flag: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Targets, CA file or xname map were refused by the discovery library.
    #[error(transparent)]
    Redfish(#[from] ochami_redfish::Error),
    /// The store could not be opened.
    #[error("cannot open store {url}: {source}")]
    Store {
        /// The store URL, password redacted.
        url: String,
        /// Why.
        source: ochami_store::StoreError,
    },
    /// The HTTP client for `--server` could not be built.
    #[error("cannot set up the client for --server: {0}")]
    Client(String),
}

impl DiscoverArgs {
    /// Discovery options from the flags, validated by `ochami-redfish` exactly as Python's
    /// `ochami.discover` keywords are (reads the CA file and the xname map).
    pub(crate) fn options(&self) -> Result<DiscoveryOptions, DiscoverError> {
        let mut settings = DiscoverySettings::default();
        settings.scheme = self.scheme.clone();
        settings.ports = self.ports.clone();
        settings.username = self.username.clone();
        settings.password = self.password.clone();
        settings.insecure = self.insecure;
        settings.cacert = self.cacert.clone();
        settings.concurrency = usize::from(self.concurrency);
        settings.timeout_secs = self.timeout;
        settings.deadline_secs = self.deadline;
        settings.xname_map = match &self.xname_map {
            Some(path) => XnameMapSource::File(path.into()),
            None => XnameMapSource::None,
        };
        settings.strict_map = self.strict_map;
        settings.into_options().map_err(|e| match e {
            ochami_redfish::Error::InvalidSetting { setting, message } => DiscoverError::BadFlag {
                flag: setting,
                message: match setting {
                    "username" => format!("{message} (--password or OCHAMI_BMC_PASSWORD)"),
                    "password" => format!("{message} (--username or OCHAMI_BMC_USERNAME)"),
                    _ => message,
                },
            },
            other => other.into(),
        })
    }

    fn scheme(&self) -> Result<Scheme, DiscoverError> {
        self.scheme
            .parse()
            .map_err(|e: ochami_redfish::Error| DiscoverError::BadFlag {
                flag: "scheme",
                message: e.to_string(),
            })
    }

    /// The targets: `--subnet` and `--host` expanded over the ports, deduplicated.
    pub(crate) fn targets(&self) -> Result<Vec<ScanTarget>, DiscoverError> {
        if self.subnets.is_empty() && self.hosts.is_empty() {
            return Err(DiscoverError::NoTargets);
        }
        self.expand(&self.subnets, &self.hosts)
    }

    /// Targets that come only from `--subnet` (not also named by `--host`): an address
    /// there that never answers like a Redfish service is an empty address, not a failure.
    pub(crate) fn scanned_only(&self) -> Result<HashSet<ScanTarget>, DiscoverError> {
        if self.subnets.is_empty() {
            return Ok(HashSet::new());
        }
        let named: HashSet<ScanTarget> = self.expand(&[], &self.hosts)?.into_iter().collect();
        Ok(self
            .expand(&self.subnets, &[])?
            .into_iter()
            .filter(|t| !named.contains(t))
            .collect())
    }

    fn expand(&self, cidrs: &[String], hosts: &[String]) -> Result<Vec<ScanTarget>, DiscoverError> {
        let mut spec = TargetSpec::new()
            .scheme(self.scheme()?)
            .ports(self.ports.iter().copied());
        for c in cidrs {
            spec = spec.cidr(c.clone());
        }
        for h in hosts {
            spec = spec.host(h.clone());
        }
        Ok(spec.expand()?)
    }

    async fn sink(&self) -> Result<Sink, DiscoverError> {
        if let Some(url) = &self.store {
            let store = ochami_store::open(url)
                .await
                .map_err(|source| DiscoverError::Store {
                    url: ochami_store::redact(url),
                    source,
                })?;
            return Ok(Sink::Store {
                store,
                force: self.force,
            });
        }
        if let Some(url) = &self.server {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(DiscoverError::BadFlag {
                    flag: "server",
                    message: format!("{url:?} is not an http(s) URL"),
                });
            }
            let client = reqwest::Client::builder()
                .timeout(
                    // The flag itself is checked with the discovery settings.
                    Duration::try_from_secs_f64(self.timeout)
                        .unwrap_or_default()
                        .max(Duration::from_secs(30)),
                )
                .build()
                .map_err(|e| DiscoverError::Client(e.to_string()))?;
            return Ok(Sink::Server {
                client,
                base: url.trim_end_matches('/').to_owned(),
                token: self.token.clone(),
                force: self.force,
            });
        }
        Ok(Sink::None)
    }
}

/// The result of a run: the library's report and what became of each crawled BMC.
pub(crate) struct DiscoverRun {
    /// Scan + crawl outcomes, one per target.
    pub(crate) report: DiscoveryReport,
    /// Write outcomes, one per target (aligned with `report.outcomes`).
    pub(crate) writes: Vec<WriteOutcome>,
    /// Per target (aligned with `report.outcomes`): an address from `--subnet` where no
    /// Redfish service answered. These are not failures.
    pub(crate) absent: Vec<bool>,
}

impl DiscoverRun {
    /// True when every target was crawled and written (empty subnet addresses aside).
    pub(crate) fn all_ok(&self) -> bool {
        let crawled = self
            .report
            .outcomes
            .iter()
            .zip(&self.absent)
            .all(|(o, absent)| *absent || o.inventory().is_some());
        crawled
            && self
                .writes
                .iter()
                .all(|w| !matches!(w, WriteOutcome::Failed { .. }))
    }
}

/// Failure kinds that, on a scanned address that never answered a service root, mean "no
/// BMC here". TLS and auth failures stay failures: they are BMCs that need `--insecure`,
/// `--cacert` or credentials.
fn means_absent(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Unreachable | ErrorKind::Timeout | ErrorKind::Protocol | ErrorKind::Parse
    )
}

/// Discovers and writes; `progress` receives the library's events.
pub(crate) async fn execute(
    args: &DiscoverArgs,
    progress: &Progress,
) -> Result<DiscoverRun, DiscoverError> {
    let options = args.options()?;
    let targets = args.targets()?;
    let scanned_only = args.scanned_only()?;
    let sink = args.sink().await?;
    let answered: Arc<Mutex<HashSet<ScanTarget>>> = Arc::default();
    let on_event = {
        let answered = answered.clone();
        let scanned = scanned_only.clone();
        let quiet = progress.clone();
        let forward = progress.handler();
        move |event: &DiscoveryEvent| {
            match event {
                DiscoveryEvent::Found { target, .. } => {
                    if let Ok(mut a) = answered.lock() {
                        a.insert(target.clone());
                    }
                }
                // An empty scanned address: counted, not reported line by line.
                DiscoveryEvent::Failed { target, error }
                    if scanned.contains(target)
                        && means_absent(error.kind)
                        && answered.lock().is_ok_and(|a| !a.contains(target)) =>
                {
                    return quiet.absent();
                }
                _ => {}
            }
            forward(event);
        }
    };
    let report = discover_targets(targets, &options, on_event).await?;
    let answered = answered.lock().map(|a| a.clone()).unwrap_or_default();
    let absent = report
        .outcomes
        .iter()
        .map(|o| {
            scanned_only.contains(&o.target)
                && !answered.contains(&o.target)
                && o.error().is_some_and(|e| means_absent(e.kind))
        })
        .collect();
    let writes = sink.write_all(&report, progress).await;
    Ok(DiscoverRun {
        report,
        writes,
        absent,
    })
}

/// `ochami discover`: run, print the summary (or JSON), and return the exit code.
pub(crate) async fn run(args: DiscoverArgs) -> ExitCode {
    let progress = Progress::for_stderr();
    let run = match execute(&args, &progress).await {
        Ok(run) => run,
        Err(e) => {
            progress.clear();
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    progress.clear();
    if args.json {
        println!("{}", report::json(&run));
    } else {
        print!("{}", report::summary(&run));
    }
    ExitCode::from(if run.all_ok() { EXIT_OK } else { EXIT_PARTIAL })
}
