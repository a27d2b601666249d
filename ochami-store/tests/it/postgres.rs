//! The conformance suite against PostgreSQL: each test gets a fresh database on the
//! throwaway server of `ochami_testing::postgres` (or on `OCHAMI_TEST_DATABASE_URL`), plus two
//! handles on one database, reopening, the schema-version guard and error hygiene. Without
//! PostgreSQL installed every test here prints a notice and passes (never under `CI=true`).

use std::sync::Arc;

use ochami_store::Store;
use ochami_testing::conformance::{check_concurrent_writers, check_reopen, expect_schema_too_new};
use ochami_testing::postgres::{TestDatabase, fresh_database};

/// A fresh database, or `None` to skip.
async fn database() -> Option<TestDatabase> {
    fresh_database()
        .await
        .unwrap_or_else(|e| panic!("throwaway postgres: {e}"))
}

async fn open(url: &str) -> Arc<dyn Store> {
    ochami_store::open(url)
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    if database().await.is_none() {
        return;
    }
    ochami_testing::conformance::run_all(|| async {
        let db = database().await.expect("postgres was there a moment ago");
        (open(db.url()).await, db)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_two_handles_on_one_database() {
    let Some(db) = database().await else { return };
    let (a, b) = (open(db.url()).await, open(db.url()).await);
    assert_eq!(a.backend(), "postgres");
    check_concurrent_writers(a, b).await;
}

#[tokio::test]
async fn everything_survives_a_reopen() {
    let Some(db) = database().await else { return };
    check_reopen(|| open(db.url())).await;
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    use sqlx::Connection;
    let Some(db) = database().await else { return };
    drop(open(db.url()).await);
    let mut conn = sqlx::PgConnection::connect(db.url()).await.unwrap();
    sqlx::query("INSERT INTO ochami_schema (version, applied_at) VALUES (999, 'future')")
        .execute(&mut conn)
        .await
        .unwrap();
    expect_schema_too_new(db.url()).await;
}

#[tokio::test]
async fn concurrent_opens_migrate_once() {
    let Some(db) = database().await else { return };
    let url = db.url().to_owned();
    let opens = (0..4).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { ochami_store::open(&url).await.map(|s| s.backend()) })
    });
    for o in opens {
        assert_eq!(o.await.unwrap().unwrap(), "postgres");
    }
}

#[tokio::test]
async fn bad_password_never_shows_it() {
    let Some(db) = database().await else { return };
    // The test server trusts everyone; a wrong port gives a connection error instead.
    let url = db
        .url()
        .replace("postgres@", "postgres:hunter2@")
        .replace("127.0.0.1:", "127.0.0.1:1");
    let err = ochami_store::open(&url).await.err().expect("refused");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
