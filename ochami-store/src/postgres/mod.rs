//! The PostgreSQL backend: production storage that several stateless servers can share.
//!
//! `postgres://user:pass@host:port/db` opens a connection pool (TLS via rustls when the URL
//! asks for it with `sslmode`). Transactions run at `READ COMMITTED`; read-check-write
//! sequences lock their rows with `SELECT ... FOR UPDATE` (in id order, so two writers never
//! deadlock on each other's rows), and single-statement updates check what they need in
//! their `WHERE` clause. A transaction that still fails with a serialization failure or a
//! deadlock is retried by the store. Acknowledged writes are committed, so they survive a
//! crash or restart of the server.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::value::RawValue;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgPoolOptions, PgRow};
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, PgPool, Postgres, Row, Transaction};

use crate::sql::driver::{Backend, Dialect, Sql, Val, sqlx_driver};
use crate::sql::error::db_error;
use crate::sql::{SqlStore, schema};
use crate::{Result, StoreError, redact};

/// Connections per store handle.
const MAX_CONNECTIONS: u32 = 16;

/// A pooled connection idle longer than this is pinged before it is handed out.
const IDLE_PING_AFTER: Duration = Duration::from_secs(30);

/// A Postgres connection pool.
pub(crate) struct PgBackend {
    pool: PgPool,
}

/// Open a `postgres://` (or `postgresql://`) URL and migrate the database.
pub(crate) async fn open(url: &str) -> Result<SqlStore<PgBackend>> {
    let bad = |reason: String| StoreError::BadUrl {
        url: redact(url),
        reason,
    };
    let options: sqlx::postgres::PgConnectOptions = url
        .parse()
        .map_err(|_| bad("not a valid postgres:// URL".into()))?;
    let pool = PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        // Ping a pooled connection only when it sat idle for a while, not on every acquire:
        // the ping is a full round trip, as long as the boot-time look-up itself.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > IDLE_PING_AFTER {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .map_err(|e| match e {
            // The server's message (bad password, no such database) is safe and useful;
            // sqlx's own connection errors may quote the URL, so they are summarized.
            sqlx::Error::Database(d) => bad(format!("cannot connect: {}", d.message())),
            sqlx::Error::Io(io) => bad(format!("cannot connect: {}", io.kind())),
            sqlx::Error::Tls(_) => bad("cannot connect: TLS handshake failed".into()),
            other => db_error(other),
        })?;
    let backend = PgBackend { pool };
    schema::migrate(&backend, schema::POSTGRES).await?;
    Ok(SqlStore::new(backend))
}

fn json_param(s: String) -> Result<Json<Box<RawValue>>> {
    RawValue::from_string(s)
        .map(Json)
        .map_err(|e| StoreError::backend(format!("cannot encode a JSON parameter: {e}"), e))
}

fn query(sql: Sql) -> Result<sqlx::query::Query<'static, Postgres, PgArguments>> {
    let mut q = sqlx::query(AssertSqlSafe(sql.text));
    for v in sql.args {
        q = match v {
            Val::Text(s) => q.bind(s),
            Val::Int(n) => q.bind(n),
            Val::Bool(b) => q.bind(b),
            Val::Json(s) => q.bind(s.map(json_param).transpose()?),
            Val::Rows(s) => q.bind(json_param(s)?),
            Val::TextList(l) => q.bind(l),
            Val::IntList(l) => q.bind(l),
        };
    }
    Ok(q)
}

/// A `json` or `jsonb` column, as its text.
fn json_column(row: &PgRow, i: usize) -> Result<Option<String>> {
    let v: Option<Json<Box<RawValue>>> = row.try_get(i).map_err(db_error)?;
    Ok(v.map(|j| j.0.get().to_owned()))
}

sqlx_driver!(db: Postgres, row: PgRow, query: query, json: json_column);

#[async_trait]
impl Backend for PgBackend {
    type Conn = PoolConnection<Postgres>;
    type Tx = Transaction<'static, Postgres>;
    const NAME: &'static str = "postgres";
    const DIALECT: Dialect = Dialect::Postgres;

    async fn conn(&self) -> Result<Self::Conn> {
        self.pool.acquire().await.map_err(db_error)
    }

    async fn begin_read(&self) -> Result<Self::Tx> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(db_error)
    }

    async fn begin_write(&self) -> Result<Self::Tx> {
        self.pool.begin().await.map_err(db_error)
    }
}
