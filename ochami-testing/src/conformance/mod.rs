//! The store conformance suite: one set of behavioural checks, written once against
//! `Arc<dyn Store>`, run against every backend. It pins the semantics the traits' docs
//! describe (SMD, BSS and cloud-init rules, atomic multi-row writes, typed errors naming the
//! record or field, natural sort order), so a server behaves the same on any backend.
//!
//! # Running it against a backend
//!
//! Each check is a public `async fn(Arc<dyn Store>)` that panics when the store breaks a
//! rule; [`CHECKS`] lists every one. [`run_all`] calls each on a **fresh, empty** store made
//! by the opener it is given, each in a task of its own, and fails naming every check that
//! failed:
//!
//! ```no_run
//! # async fn doc() {
//! ochami_testing::conformance::run_all(|| async {
//!     ochami_store::open("memory:").await.expect("memory store")
//! })
//! .await;
//! # }
//! ```
//!
//! The opener may also yield `(Arc<dyn Store>, guard)`: the guard (a `TempDir`, a throwaway
//! Postgres database, ...) is kept alive until the check ends. Run it from a multi-threaded
//! runtime (`#[tokio::test(flavor = "multi_thread")]`): the concurrency checks need one.
//!
//! A backend where two handles can share one database (SQLite file, Postgres) should also
//! call [`check_concurrent_writers`] with two independently opened handles, and
//! [`check_reopen`] (write, drop, reopen, read back); the memory backend has neither.

pub mod boot;
pub mod boot_configurations;
pub mod boot_nodes;
pub mod cloud_init;
pub mod components;
pub mod concurrency;
pub mod ethernet_ips;
pub mod groups;
pub mod hardware;
pub mod inventory;

use std::any::Any;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use ochami_core::{Component, ComponentFilter, Error as CoreError, State, Xname};
use ochami_store::{ConflictKind, Record, Store, StoreError};

pub use concurrency::{check_concurrent_writers, check_reopen};

/// The future a check returns.
pub type CheckFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One conformance check: its name (`module::function`) and how to run it on a store.
#[derive(Clone, Copy)]
pub struct Check {
    /// `module::function`, e.g. `components::set_nids_unique_and_atomic`.
    pub name: &'static str,
    /// Run the check on a fresh, empty store; it panics when the store breaks a rule.
    pub run: fn(Arc<dyn Store>) -> CheckFuture,
}

impl Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("name", &self.name).finish()
    }
}

macro_rules! check {
    ($module:ident :: $check:ident) => {
        Check {
            name: concat!(stringify!($module), "::", stringify!($check)),
            run: |store| Box::pin($module::$check(store)),
        }
    };
}

/// Every check of the suite, each to be run on a fresh, empty store.
pub const CHECKS: &[Check] = &[
    check!(components::upsert_inserts_normalized_in_natural_order),
    check!(components::upsert_missing_state_changes_nothing),
    check!(components::upsert_nid_conflict_changes_nothing),
    check!(components::upsert_force_overwrites_only_smd_fields),
    check!(components::put_component_replaces_and_checks_nid),
    check!(components::update_components_transition_is_atomic),
    check!(components::update_components_unknown_id_names_first_missing),
    check!(components::update_components_other_fields),
    check!(components::update_component_applies_all_or_nothing),
    check!(components::set_nids_unique_and_atomic),
    check!(components::delete_component_cascades_memberships_only),
    check!(components::delete_all_components_counts),
    check!(components::filter_role_state_negation),
    check!(components::filter_nid_and_id),
    check!(components::filter_group_and_partition),
    check!(inventory::redfish_endpoint_insert_conflicts_are_atomic),
    check!(inventory::redfish_endpoint_put_normalizes),
    check!(inventory::redfish_endpoint_filters),
    check!(inventory::component_endpoint_filters),
    check!(inventory::ethernet_interface_time_bounds),
    check!(inventory::redfish_endpoint_delete_cascades),
    check!(inventory::redfish_endpoint_delete_all_cascades),
    check!(inventory::delete_all_component_endpoints_and_interfaces),
    check!(inventory::ingest_stores_expanded_inventory),
    check!(inventory::ingest_is_idempotent_and_keeps_admin_changes),
    check!(inventory::ingest_mac_conflict_is_atomic_unless_forced),
    check!(inventory::ingest_revives_emptied_components),
    check!(inventory::ethernet_interface_crud_and_last_update),
    check!(inventory::ethernet_interface_filters),
    check!(ethernet_ips::ethernet_interface_ip_add_update_remove),
    check!(ethernet_ips::ethernet_interface_ip_concurrent_adds_all_kept),
    check!(ethernet_ips::ethernet_interface_concurrent_inserts_one_wins),
    check!(inventory::component_endpoints_and_hardware),
    check!(hardware::hardware_filters_run_in_the_store),
    check!(hardware::rediscovery_replaces_a_nodes_parts),
    check!(hardware::hardware_generation_moves_with_hardware_writes),
    check!(boot_nodes::boot_node_writes_are_all_or_nothing),
    check!(groups::group_create_get_list),
    check!(groups::group_filter_terms_and_partition_scope),
    check!(groups::group_exclusivity),
    check!(groups::group_members_add_remove_replace),
    check!(groups::group_patch_and_delete),
    check!(groups::partition_membership_is_unique),
    check!(groups::memberships_follow_filters),
    check!(boot::boot_add_stores_only_new_names),
    check!(boot::boot_set_replaces),
    check!(boot::boot_update_patches_existing_only),
    check!(boot::boot_delete_counts),
    check!(boot::boot_list_groups_identical_configs),
    check!(boot::boot_lookup_by_tag_and_refuses_injection),
    check!(boot::boot_access_history),
    check!(boot::boot_candidates_by_mac),
    check!(boot::boot_record_accesses_batch),
    check!(boot::boot_bss_listing_by_name),
    check!(boot_configurations::boot_configuration_crud),
    check!(boot_configurations::boot_configuration_validation),
    check!(boot_configurations::boot_configurations_views_and_candidates),
    check!(boot_configurations::node_inventory_is_the_node_lists),
    check!(cloud_init::group_data_round_trip),
    check!(cloud_init::node_data_round_trip),
    check!(cloud_init::cluster_defaults_round_trip),
    check!(cloud_init::group_data_insert_refuses_existing),
    check!(cloud_init::group_data_concurrent_inserts_one_wins),
    check!(cloud_init::instance_info_put_keeps_user_data),
    check!(cloud_init::instance_info_listed_and_removed),
    Check {
        name: "concurrency::concurrent_writers_one_handle",
        run: |store| Box::pin(check_concurrent_writers(store.clone(), store)),
    },
];

/// Run every check of [`CHECKS`] on a fresh store from `open`, one after another, each in a
/// task of its own so one failure does not hide the others; panics at the end naming every
/// check that failed. Needs a multi-threaded tokio runtime.
pub async fn run_all<O, Fut, F>(open: O)
where
    O: Fn() -> Fut,
    Fut: Future<Output = F>,
    F: Fixture,
{
    let mut failed = Vec::new();
    for check in CHECKS {
        let (store, guard) = open().await.into_parts();
        let outcome = tokio::spawn((check.run)(store)).await;
        drop(guard);
        if let Err(e) = outcome {
            eprintln!("conformance check {} FAILED: {e}", check.name);
            failed.push(check.name);
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} conformance checks failed: {}",
        failed.len(),
        CHECKS.len(),
        failed.join(", ")
    );
}

/// What a store opener may return: the store, or the store plus a guard that must outlive
/// it.
pub trait Fixture {
    /// The store and whatever keeps it alive.
    fn into_parts(self) -> (Arc<dyn Store>, Box<dyn Any + Send>);
}

impl Fixture for Arc<dyn Store> {
    fn into_parts(self) -> (Arc<dyn Store>, Box<dyn Any + Send>) {
        (self, Box::new(()))
    }
}

impl<G: Send + 'static> Fixture for (Arc<dyn Store>, G) {
    fn into_parts(self) -> (Arc<dyn Store>, Box<dyn Any + Send>) {
        (self.0, Box::new(self.1))
    }
}

/// Parse an xname written in a test.
#[track_caller]
pub(crate) fn x(s: &str) -> Xname {
    s.parse()
        .unwrap_or_else(|e| panic!("bad test xname {s:?}: {e}"))
}

/// A component with a state.
#[track_caller]
pub(crate) fn comp(id: &str, state: State) -> Component {
    Component::new(x(id)).with_state(state)
}

/// Every component, for before/after comparisons.
pub(crate) async fn all_components(store: &Arc<dyn Store>) -> Vec<Component> {
    store
        .list_components(&ComponentFilter::default())
        .await
        .expect("list components")
}

/// The ids of `components`, as text.
pub(crate) fn ids(components: &[Component]) -> Vec<String> {
    components.iter().map(|c| c.id.to_string()).collect()
}

/// Build a filter from query pairs.
#[track_caller]
pub(crate) fn filter(pairs: &[(&str, &str)]) -> ComponentFilter {
    ComponentFilter::from_query_pairs(pairs.iter().copied()).expect("valid test filter")
}

/// The ids `filter` selects.
pub(crate) async fn select(store: &Arc<dyn Store>, pairs: &[(&str, &str)]) -> Vec<String> {
    ids(&store
        .list_components(&filter(pairs))
        .await
        .expect("list components"))
}

/// Assert a conflict of `kind`; returns its value and detail.
#[track_caller]
pub(crate) fn expect_conflict<T: Debug>(
    r: Result<T, StoreError>,
    kind: ConflictKind,
) -> (String, String) {
    match r {
        Err(StoreError::Conflict {
            kind: k,
            value,
            detail,
        }) if k == kind => (value, detail),
        other => panic!("expected a conflict on {kind:?}, got {other:?}"),
    }
}

/// Assert a not-found error for a `record` naming `id`.
#[track_caller]
pub(crate) fn expect_not_found<T: Debug>(r: Result<T, StoreError>, record: Record, id: &str) {
    match r {
        Err(StoreError::NotFound { record: k, id: i }) if k == record && i == id => {}
        other => panic!("expected no such {record} {id}, got {other:?}"),
    }
}

/// Opening `url` must fail with [`StoreError::SchemaTooNew`] naming version 999 (written
/// there by the caller).
pub async fn expect_schema_too_new(url: &str) {
    match ochami_store::open(url).await {
        Err(StoreError::SchemaTooNew {
            found: 999,
            supported,
        }) => assert!(supported >= 1),
        other => panic!(
            "expected SchemaTooNew, got {:?}",
            other.map(|s| s.backend())
        ),
    }
}

/// Assert an `Invalid` error; returns its row index and cause.
#[track_caller]
pub(crate) fn expect_invalid<T: Debug>(r: Result<T, StoreError>) -> (Option<usize>, CoreError) {
    match r {
        Err(StoreError::Invalid { index, source }) => (index, source),
        other => panic!("expected an invalid-input error, got {other:?}"),
    }
}
