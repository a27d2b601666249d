//! Helpers shared by the behaviour tests.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::sim::{SimBmc, SimBmcConfig};
use ochami_redfish::{
    BmcInventory, ClientOptions, CrawlOptions, Credentials, DiscoveryOptions, HttpTransport,
    RedfishClient, RetryPolicy, Scheme, TargetOutcome, TransportOptions, crawl,
};

/// The shared mockup trees, or `None` (with a notice) when absent; under `CI=true` their
/// absence fails the test.
pub(crate) fn mockups_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/redfish-mockups"
    ));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{} is missing (required under CI=true)", dir.display());
    }
    eprintln!("notice: {} not found; skipping mockup tests", dir.display());
    None
}

pub(crate) fn creds() -> Credentials {
    Credentials::new("root", "sim-password-1")
}

/// Quick options for loopback simulators.
pub(crate) fn fast_options() -> DiscoveryOptions {
    DiscoveryOptions {
        credentials: Some(creds()),
        scheme: Scheme::Http,
        concurrency: 16,
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(1500),
        bmc_deadline: Duration::from_secs(5),
        retry: RetryPolicy {
            max_retries: 1,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        },
        ..DiscoveryOptions::default()
    }
}

/// An HTTP transport with default options.
pub(crate) fn transport() -> Arc<HttpTransport> {
    Arc::new(HttpTransport::new(&TransportOptions::default()).unwrap())
}

/// Serves one simulated BMC.
pub(crate) async fn spawn(config: SimBmcConfig) -> SimBmc {
    SimBmc::spawn(config).await.unwrap()
}

/// A client of `bmc` logged in with `options`.
pub(crate) async fn connect(bmc: &SimBmc, options: ClientOptions) -> RedfishClient {
    RedfishClient::connect(transport(), &bmc.base_url(), options)
        .await
        .unwrap()
}

/// A client of `bmc` logged in with [`creds`] and default options.
pub(crate) async fn connect_with_creds(bmc: &SimBmc) -> RedfishClient {
    connect(bmc, ClientOptions::with_credentials(creds())).await
}

/// Crawls `bmc` as `x1000c0s0b0` with default options.
pub(crate) async fn crawl_bmc(
    client: &RedfishClient,
    bmc: &SimBmc,
) -> ochami_redfish::Result<BmcInventory> {
    crawl(
        client,
        &bmc.target(),
        "x1000c0s0b0".parse().unwrap(),
        &CrawlOptions::default(),
    )
    .await
}

/// Discovers `bmc` alone with `options`; its outcome.
pub(crate) async fn discover_one(bmc: &SimBmc, options: &DiscoveryOptions) -> TargetOutcome {
    let mut report = discover_targets(vec![bmc.target()], options, |_| {})
        .await
        .unwrap();
    report.outcomes.remove(0)
}

/// The inventory of a successful outcome; panics with the error otherwise.
pub(crate) fn discovered(outcome: &TargetOutcome) -> &BmcInventory {
    outcome
        .inventory()
        .unwrap_or_else(|| panic!("not discovered: {:?}", outcome.error()))
}
