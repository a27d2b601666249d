//! The store conformance suite: one set of behavioural checks, written once against
//! `Arc<dyn Store>`, run against every backend. It pins the semantics the traits' docs
//! describe (SMD, BSS and cloud-init rules, atomic multi-row writes, typed errors naming the
//! field or row, natural sort order), so a server behaves the same on any backend.
//!
//! # Running it against a backend
//!
//! Invoke [`conformance_tests!`] in a test module with an expression that can be called
//! with no arguments and returns a future of a **fresh, empty** store. It expands to one
//! `#[tokio::test]` per check; each test opens its own store, so they run in parallel.
//!
//! ```ignore
//! // tests/it/memory.rs
//! crate::conformance::conformance_tests!(|| async { ochami_store::open("memory:").await.unwrap() });
//! ```
//!
//! The future may also yield `(Arc<dyn Store>, guard)`: the guard (a `TempDir`, a running
//! throwaway Postgres, ...) is kept alive until the test ends.
//!
//! ```ignore
//! // tests/it/sqlite.rs
//! crate::conformance::conformance_tests!(|| async {
//!     let dir = tempfile::tempdir().unwrap();
//!     let url = format!("sqlite://{}", dir.path().join("ochami.db").display());
//!     (ochami_store::open(&url).await.unwrap(), dir)
//! });
//! ```
//!
//! The macro also runs [`check_concurrent_writers`] with the same handle twice. A backend
//! where two handles can share one database (SQLite file, Postgres) should add a test that
//! calls it with two independently opened handles, and one that calls [`check_reopen`]
//! (write, drop, reopen, read back); the memory backend has neither.

pub(crate) mod boot;
pub(crate) mod cloud_init;
pub(crate) mod components;
pub(crate) mod concurrency;
pub(crate) mod ethernet_ips;
pub(crate) mod groups;
pub(crate) mod hardware;
pub(crate) mod inventory;

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use ochami_core::{Component, ComponentFilter, Error as CoreError, State, Xname};
use ochami_store::{Store, StoreError};

// `check_reopen` is for the persistent backends only.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres")),
    allow(unused_imports)
)]
pub(crate) use concurrency::{check_concurrent_writers, check_reopen};

/// Expand to one `#[tokio::test]` per conformance check; see the module docs.
macro_rules! conformance_tests {
    ($open:expr) => {
        $crate::conformance::conformance_tests!(@each $open;
            components::upsert_inserts_normalized_in_natural_order,
            components::upsert_missing_state_changes_nothing,
            components::upsert_nid_conflict_changes_nothing,
            components::upsert_force_overwrites_only_smd_fields,
            components::put_component_replaces_and_checks_nid,
            components::update_components_transition_is_atomic,
            components::update_components_unknown_id_names_first_missing,
            components::update_components_other_fields,
            components::update_component_applies_all_or_nothing,
            components::set_nids_unique_and_atomic,
            components::delete_component_cascades_memberships_only,
            components::delete_all_components_counts,
            components::filter_role_state_negation,
            components::filter_nid_and_id,
            components::filter_group_and_partition,
            inventory::redfish_endpoint_insert_conflicts_are_atomic,
            inventory::redfish_endpoint_put_normalizes,
            inventory::redfish_endpoint_filters,
            inventory::redfish_endpoint_delete_cascades,
            inventory::redfish_endpoint_delete_all_cascades,
            inventory::delete_all_component_endpoints_and_interfaces,
            inventory::ingest_stores_expanded_inventory,
            inventory::ingest_is_idempotent_and_keeps_admin_changes,
            inventory::ingest_mac_conflict_is_atomic_unless_forced,
            inventory::ingest_revives_emptied_components,
            inventory::ethernet_interface_crud_and_last_update,
            inventory::ethernet_interface_filters,
            ethernet_ips::ethernet_interface_ip_add_update_remove,
            ethernet_ips::ethernet_interface_ip_concurrent_adds_all_kept,
            inventory::component_endpoints_and_hardware,
            hardware::hardware_filters_run_in_the_store,
            hardware::rediscovery_replaces_a_nodes_parts,
            groups::group_create_get_list,
            groups::group_exclusivity,
            groups::group_members_add_remove_replace,
            groups::group_patch_and_delete,
            groups::partition_membership_is_unique,
            groups::memberships_follow_filters,
            boot::boot_add_stores_only_new_names,
            boot::boot_set_replaces,
            boot::boot_update_patches_existing_only,
            boot::boot_delete_counts,
            boot::boot_list_groups_identical_configs,
            boot::boot_lookup_by_tag_and_refuses_injection,
            boot::boot_access_history,
            boot::boot_candidates_by_mac,
            boot::boot_record_accesses_batch,
            cloud_init::group_data_round_trip,
            cloud_init::node_data_round_trip,
            cloud_init::cluster_defaults_round_trip,
        );

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn concurrent_writers_one_handle() {
            let (store, _guard) = $crate::conformance::Fixture::into_parts(($open)().await);
            $crate::conformance::check_concurrent_writers(store.clone(), store).await;
        }
    };
    (@each $open:expr; $($module:ident :: $check:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                let (store, _guard) = $crate::conformance::Fixture::into_parts(($open)().await);
                $crate::conformance::$module::$check(store).await;
            }
        )+
    };
}
pub(crate) use conformance_tests;

/// What a test's store opener may return: the store, or the store plus a guard that must
/// outlive it.
pub(crate) trait Fixture {
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

/// Assert a conflict on `field`; returns its value and detail.
#[track_caller]
pub(crate) fn expect_conflict<T: Debug>(r: Result<T, StoreError>, field: &str) -> (String, String) {
    match r {
        Err(StoreError::Conflict {
            field: f,
            value,
            detail,
        }) if f == field => (value, detail),
        other => panic!("expected a conflict on {field}, got {other:?}"),
    }
}

/// Assert a not-found error for `kind` naming `id`.
#[track_caller]
pub(crate) fn expect_not_found<T: Debug>(r: Result<T, StoreError>, kind: &str, id: &str) {
    match r {
        Err(StoreError::NotFound { kind: k, id: i }) if k == kind && i == id => {}
        other => panic!("expected no such {kind} {id}, got {other:?}"),
    }
}

/// Opening `url` must fail with [`StoreError::SchemaTooNew`] naming version 999 (written
/// there by the caller).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) async fn expect_schema_too_new(url: &str) {
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
