//! # ochami-testing
//!
//! Test support shared by ochami's crates and by anyone writing a storage backend of their
//! own (`publish = false`: use it as a path or git dev-dependency).
//!
//! - [`conformance`]: the store conformance suite, one async function per behaviour, over
//!   `Arc<dyn Store>`, and [`conformance::CHECKS`] listing them, so a runner
//!   ([`conformance::run_all`]) calls every check against a fresh store of its backend.
//! - [`postgres`]: the throwaway PostgreSQL server (started from the installed binaries, or
//!   `OCHAMI_TEST_DATABASE_URL`) that hands out an empty database per test; the
//!   `ochami-test-postgres` binary gives the same to other languages' tests (the Python suite).
//! - [`nodes_file`]: generated nodes.yaml files of any size (`ochami discover static`).
//! - [`mockups`]: where the Redfish mockup trees of `../shared/redfish-mockups` are, with the
//!   rule every test follows when they are absent (skip with a notice; fail under `CI=true`).
//!
//! ```no_run
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! // A third-party backend runs the suite against fresh, empty stores of its own.
//! ochami_testing::conformance::run_all(|| async {
//!     ochami_store::open("memory:").await.expect("memory store")
//! })
//! .await;
//! # });
//! ```

pub mod conformance;
pub mod mockups;
pub mod nodes_file;
pub mod postgres;
pub mod site;

/// Whether `CI=true`: fixtures that are missing are then an error, never a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}
