//! The conformance suite against SQLite (a fresh file per test), plus what only a database
//! file can show: two handles on one file, reopening, the schema-version guard, durability
//! settings and error hygiene.

use std::sync::Arc;

use crate::{all_components, comp};
use ochami_core::State;
use ochami_store::{Store, StoreError};
use tempfile::TempDir;

use ochami_testing::conformance::{check_concurrent_writers, check_reopen, expect_schema_too_new};

/// A new database file in a new temp dir, and its URL.
fn temp_db() -> (TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("ochami.db").display());
    (dir, url)
}

async fn open(url: &str) -> Arc<dyn Store> {
    ochami_store::open(url)
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    ochami_testing::conformance::run_all(|| async {
        let (dir, url) = temp_db();
        (open(&url).await, dir)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_two_handles_on_one_file() {
    let (_dir, url) = temp_db();
    let (a, b) = (open(&url).await, open(&url).await);
    check_concurrent_writers(a, b).await;
}

#[tokio::test]
async fn everything_survives_a_reopen() {
    let (_dir, url) = temp_db();
    check_reopen(|| open(&url)).await;
}

#[tokio::test]
async fn in_memory_sqlite_works_and_is_private() {
    let a = open("sqlite::memory:").await;
    assert_eq!(a.backend(), "sqlite");
    a.ping().await.unwrap();
    a.upsert_components(&[comp("x0c0s0b0n0", State::Ready)], false)
        .await
        .unwrap();
    assert_eq!(all_components(&a).await.len(), 1);
    let b = open("sqlite::memory:").await;
    assert!(all_components(&b).await.is_empty());
}

#[tokio::test]
async fn creates_the_file_in_wal_mode_with_full_sync() {
    let (dir, url) = temp_db();
    let _store = open(&url).await;
    assert!(
        dir.path().join("ochami.db").exists(),
        "database file created"
    );
    let mut conn = raw(&url).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let (_dir, url) = temp_db();
    drop(open(&url).await);
    let mut conn = raw(&url).await;
    sqlx::query("INSERT INTO ochami_schema (version, applied_at) VALUES (999, 'future')")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    expect_schema_too_new(&url).await;
}

#[tokio::test]
async fn reopening_applies_no_migration_twice() {
    let (_dir, url) = temp_db();
    drop(open(&url).await);
    drop(open(&url).await);
    let mut conn = raw(&url).await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ochami_schema")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let max: i64 = sqlx::query_scalar("SELECT MAX(version) FROM ochami_schema")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, max, "one row per applied version");
}

#[tokio::test]
async fn an_unopenable_path_is_a_bad_url() {
    let err = ochami_store::open("sqlite:///nonexistent-dir/for/sure/ochami.db")
        .await
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::BadUrl { .. }), "{err:?}");
}

/// A plain sqlx connection to the same file, to look under the store.
async fn raw(url: &str) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    sqlx::SqliteConnection::connect(url)
        .await
        .expect("raw connection")
}
