//! The SQLite backend: one file, no server; the embedded persistent default.
//!
//! `sqlite://path` opens (creating if missing) a database file in WAL journal mode with
//! `synchronous=FULL`: every acknowledged write is in the WAL and fsynced, so it survives a
//! process crash *and* a power loss (`NORMAL` would only survive a process crash; the bulk
//! numbers in `benches/README.md` are measured with `FULL`). Foreign keys are on, and a busy
//! timeout makes a second handle on the same file wait for the write lock instead of failing
//! with `SQLITE_BUSY`. Write transactions start with `BEGIN IMMEDIATE`, so the
//! read-check-write of one write never interleaves with another writer's, in this process or
//! another one.
//!
//! `sqlite::memory:` (or `sqlite://:memory:`) is a private in-memory database held by a
//! single connection.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row, Sqlite, SqlitePool, Transaction};

use crate::sql::driver::{Backend, Dialect, Sql, Val, sqlx_driver};
use crate::sql::error::db_error;
use crate::sql::{SqlStore, schema};
use crate::{Result, StoreError, redact};

/// How long a writer waits for another handle's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections in the pool of a file database (readers run in parallel under WAL).
const MAX_CONNECTIONS: u32 = 8;

/// A SQLite connection pool.
pub(crate) struct SqliteBackend {
    pool: SqlitePool,
}

/// Open `sqlite://path` or `sqlite::memory:` and migrate it.
pub(crate) async fn open(url: &str) -> Result<SqlStore<SqliteBackend>> {
    let bad = |reason: String| StoreError::BadUrl {
        url: redact(url),
        reason,
    };
    let options =
        SqliteConnectOptions::from_str(url).map_err(|e| bad(format!("not a SQLite URL: {e}")))?;
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let options = options
        .create_if_missing(true)
        .journal_mode(if in_memory {
            SqliteJournalMode::Memory
        } else {
            SqliteJournalMode::Wal
        })
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true)
        // Freed cells are zeroed, so a password replaced by its ciphertext (or a deleted
        // endpoint's) leaves no plaintext behind in the file.
        .pragma("secure_delete", "ON");
    // An in-memory database lives in its one connection: a pool of one keeps it alive and
    // avoids shared-cache table locks.
    let pool = SqlitePoolOptions::new()
        .max_connections(if in_memory { 1 } else { MAX_CONNECTIONS })
        // A local file needs no liveness ping on every acquire.
        .test_before_acquire(false)
        .min_connections(if in_memory { 1 } else { 0 })
        .idle_timeout(if in_memory {
            None
        } else {
            Some(Duration::from_secs(600))
        })
        .max_lifetime(if in_memory {
            None
        } else {
            Some(Duration::from_secs(3600))
        })
        .acquire_timeout(BUSY_TIMEOUT + Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) => bad(format!("cannot open the database: {}", d.message())),
            sqlx::Error::Io(io) => bad(format!("cannot open the database: {io}")),
            other => db_error(other),
        })?;
    let backend = SqliteBackend { pool };
    schema::migrate(&backend, schema::SQLITE).await?;
    Ok(SqlStore::new(backend))
}

fn query(sql: Sql) -> Result<sqlx::query::Query<'static, Sqlite, sqlx::sqlite::SqliteArguments>> {
    let mut q = sqlx::query(AssertSqlSafe(sql.text));
    for v in sql.args {
        q = match v {
            Val::Text(s) | Val::Json(s) => q.bind(s),
            Val::Rows(s) => q.bind(s),
            Val::Int(n) => q.bind(n),
            Val::Bool(b) => q.bind(b),
            Val::TextList(l) => q.bind(json_text(&l)?),
            Val::IntList(l) => q.bind(json_text(&l)?),
        };
    }
    Ok(q)
}

fn json_text<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v)
        .map_err(|e| StoreError::backend(format!("cannot encode a parameter list: {e}"), e))
}

/// A JSON column (stored as text).
fn json_column(row: &SqliteRow, i: usize) -> Result<Option<String>> {
    row.try_get(i).map_err(db_error)
}

sqlx_driver!(db: Sqlite, row: SqliteRow, query: query, json: json_column);

#[async_trait]
impl Backend for SqliteBackend {
    type Conn = PoolConnection<Sqlite>;
    type Tx = Transaction<'static, Sqlite>;
    const NAME: &'static str = "sqlite";
    const DIALECT: Dialect = Dialect::Sqlite;

    async fn conn(&self) -> Result<Self::Conn> {
        self.pool.acquire().await.map_err(db_error)
    }

    async fn begin_read(&self) -> Result<Self::Tx> {
        self.pool.begin().await.map_err(db_error)
    }

    async fn begin_write(&self) -> Result<Self::Tx> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_error)
    }
}
