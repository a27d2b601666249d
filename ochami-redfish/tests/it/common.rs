//! Helpers shared by the behaviour tests.

use std::path::PathBuf;
use std::time::Duration;

use ochami_redfish::{Credentials, DiscoveryOptions, RetryPolicy, Scheme};

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
