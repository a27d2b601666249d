//! The SQL store shared by the SQLite and Postgres backends.
//!
//! [`SqlStore`] implements every storage trait once, on top of the small driver layer in
//! [`driver`]; the backends only supply a connection pool, a dialect and row getters. Rows
//! map to domain values in [`rows`]; the component filter becomes SQL in [`filter`]. Every
//! write runs in one transaction ([`write_tx!`]), retried when the database reports a
//! transient conflict with a concurrent transaction.

use async_trait::async_trait;

use crate::{BootCandidates, Result, Store};
use driver::{Backend, Conn, Sql, SqlRow, Val};
use serde::de::DeserializeOwned;

mod boot;
mod boot_configuration;
mod boot_node;
mod cloud_init;
mod components;
mod credentials;
pub(crate) mod driver;
pub(crate) mod error;
mod filter;
mod groups;
mod hardware;
mod inventory;
mod power;
mod rows;
pub(crate) mod schema;
mod snapshot;

/// How often a write that hit a transient conflict is run again.
const WRITE_ATTEMPTS: u32 = 8;

/// Run `$body` (an expression using the transaction `$tx`) in a write transaction and commit
/// it; on a transient conflict roll back and run it again, a few times, with a short backoff.
macro_rules! write_tx {
    ($store:expr, |$tx:ident| $body:expr) => {{
        let mut attempt = 0u32;
        loop {
            let mut $tx = $store.backend.begin_write().await?;
            let result = async { $body }.await;
            let result = match result {
                Ok(v) => $crate::sql::driver::Tx::commit($tx).await.map(|()| v),
                Err(e) => {
                    drop($tx);
                    Err(e)
                }
            };
            match result {
                Err(e)
                    if $crate::sql::error::is_transient(&e)
                        && attempt + 1 < $crate::sql::WRITE_ATTEMPTS =>
                {
                    attempt += 1;
                    tracing::debug!(attempt, "retrying a write after a transient conflict");
                    tokio::time::sleep(std::time::Duration::from_millis(5 * u64::from(attempt)))
                        .await;
                }
                other => break other,
            }
        }
    }};
}
pub(crate) use write_tx;

/// A store on a SQL database.
pub(crate) struct SqlStore<B> {
    pub(crate) backend: B,
    /// The key BMC credentials are encrypted with, if any.
    pub(crate) secret: Option<crate::secret::SecretKey>,
}

impl<B: Backend> SqlStore<B> {
    pub(crate) fn new(backend: B) -> Self {
        SqlStore {
            backend,
            secret: None,
        }
    }

    /// A statement in this backend's dialect.
    pub(crate) fn sql(&self, text: &'static str, args: Vec<Val>) -> Sql {
        Sql::new(B::DIALECT, text, args)
    }

    /// Run one write statement in a transaction of its own; the number of rows it affected.
    pub(crate) async fn write_one(&self, text: &'static str, args: Vec<Val>) -> Result<u64> {
        write_tx!(self, |tx| tx.execute(self.sql(text, args.clone())).await)
    }

    /// Run a `DELETE` whose one parameter `$1` is `key`; whether anything was removed.
    pub(crate) async fn delete_keyed(
        &self,
        text: &'static str,
        key: impl Into<Val>,
    ) -> Result<bool> {
        Ok(self.write_one(text, vec![key.into()]).await? > 0)
    }

    /// The JSON documents in the first column of a query's rows, read as `T` (`what` names
    /// them in a corrupt-data error).
    pub(crate) async fn payloads<T: DeserializeOwned>(
        &self,
        what: &'static str,
        sql: Sql,
    ) -> Result<Vec<T>> {
        let found = self.fetch(sql).await?;
        found
            .iter()
            .map(|r| rows::from_json(what, r.json(0)?))
            .collect()
    }

    /// The one JSON document `text` (`SELECT payload ... WHERE <key> = $1`) finds for `key`.
    pub(crate) async fn payload<T: DeserializeOwned>(
        &self,
        what: &'static str,
        text: &'static str,
        key: impl Into<Val>,
    ) -> Result<Option<T>> {
        let found = self
            .payloads(what, self.sql(text, vec![key.into()]))
            .await?;
        Ok(found.into_iter().next())
    }

    /// Run one query on a pooled connection.
    pub(crate) async fn fetch(&self, sql: Sql) -> Result<Vec<<B::Conn as Conn>::Row>> {
        self.backend.conn().await?.fetch(sql).await
    }
}

#[async_trait]
impl<B: Backend> Store for SqlStore<B> {
    fn backend(&self) -> &'static str {
        B::NAME
    }

    async fn write_boot_node(
        &self,
        records: &ochami_core::BootNodeRecords,
        new: bool,
    ) -> Result<()> {
        self.write_boot_node_in_one(records, new).await
    }

    async fn ping(&self) -> Result<()> {
        self.fetch(self.sql("SELECT 1", vec![])).await.map(|_| ())
    }

    async fn boot_candidates_by_mac(
        &self,
        mac: &ochami_core::MacAddr,
        tags: &[String],
    ) -> Result<BootCandidates> {
        self.boot_candidates(mac, tags).await
    }

    async fn node_inventory(&self) -> Result<crate::NodeInventory> {
        self.node_inventory_in_one_read().await
    }
}
