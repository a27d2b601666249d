//! The conformance suite against the in-memory backend, plus what only it can promise.

use std::sync::Arc;

use crate::{all_components, comp};
use ochami_core::State;
use ochami_store::{InventoryStore, MemoryStore, Store, StoreError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    ochami_testing::conformance::run_all(|| async {
        ochami_store::open("memory:").await.expect("memory: opens")
    })
    .await;
}

#[tokio::test]
async fn open_memory_gives_a_fresh_store_each_time() {
    let a = ochami_store::open("memory:").await.unwrap();
    assert_eq!(a.backend(), "memory");
    a.ping().await.unwrap();
    a.upsert_components(&[comp("x0c0s0b0n0", State::Ready)], false)
        .await
        .unwrap();
    let b = ochami_store::open("memory:").await.unwrap();
    assert!(all_components(&b).await.is_empty());
    assert_eq!(all_components(&a).await.len(), 1);
}

#[tokio::test]
async fn unknown_scheme_is_a_bad_url() {
    let err = ochami_store::open("mysql://root:hunter2@db/x")
        .await
        .err()
        .expect("refused");
    assert!(matches!(&err, StoreError::BadUrl { .. }), "{err:?}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[tokio::test]
async fn debug_shows_counts_not_credentials() {
    let store = MemoryStore::new();
    let mut ep = ochami_core::RedfishEndpoint::new("x0c0s0b0".parse().unwrap(), "10.0.0.1");
    ep.password = "hunter2".into();
    store.put_redfish_endpoint(&ep).await.unwrap();
    let shown = format!("{store:?}");
    assert!(
        shown.contains("redfish_endpoints: 1") && !shown.contains("hunter2"),
        "{shown}"
    );
    let as_dyn: Arc<dyn Store> = Arc::new(store);
    assert_eq!(as_dyn.backend(), "memory");
}
