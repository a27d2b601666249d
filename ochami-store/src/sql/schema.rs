//! Embedded migrations and the schema-version check.
//!
//! Each dialect has numbered scripts under `migrations/<dialect>/`, compiled into the binary.
//! The table `ochami_schema(version)` records which ones ran. [`migrate`] applies the missing
//! ones in one write transaction (Postgres additionally takes an advisory lock, so servers
//! starting together do not race) and refuses a database whose version is newer than this
//! build knows ([`StoreError::SchemaTooNew`]): an old binary must not write into a schema it
//! does not understand.

use super::driver::{Backend, Conn, Dialect, Sql, SqlRow, Tx};
use crate::{Result, StoreError};

/// One migration script.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// Version it brings the schema to (1, 2, ...).
    pub(crate) version: i64,
    /// The SQL, several statements.
    pub(crate) script: &'static str,
}

/// SQLite migrations, oldest first.
#[cfg(feature = "sqlite")]
pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        script: include_str!("../../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        script: include_str!("../../migrations/sqlite/0002_hardware_parts.sql"),
    },
    Migration {
        version: 3,
        script: include_str!("../../migrations/sqlite/0003_power_transitions.sql"),
    },
    Migration {
        version: 4,
        script: include_str!("../../migrations/sqlite/0004_boot_configurations.sql"),
    },
    Migration {
        version: 5,
        script: include_str!("../../migrations/sqlite/0005_hardware_by_type.sql"),
    },
    Migration {
        version: 6,
        script: include_str!("../../migrations/sqlite/0006_hardware_generation.sql"),
    },
];

/// Postgres migrations, oldest first.
#[cfg(feature = "postgres")]
pub(crate) const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        script: include_str!("../../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        script: include_str!("../../migrations/postgres/0002_hardware_parts.sql"),
    },
    Migration {
        version: 3,
        script: include_str!("../../migrations/postgres/0003_power_transitions.sql"),
    },
    Migration {
        version: 4,
        script: include_str!("../../migrations/postgres/0004_boot_configurations.sql"),
    },
    Migration {
        version: 5,
        script: include_str!("../../migrations/postgres/0005_hardware_json_text.sql"),
    },
    Migration {
        version: 6,
        script: include_str!("../../migrations/postgres/0006_hardware_generation.sql"),
    },
];

/// Lock key for Postgres' `pg_advisory_xact_lock` while migrating ("ochami" in ASCII).
const ADVISORY_LOCK_KEY: i64 = 0x6f6368616d69;

/// Bring the schema up to date, or refuse a newer one.
pub(crate) async fn migrate<B: Backend>(backend: &B, migrations: &[Migration]) -> Result<()> {
    let supported = migrations.last().map_or(0, |m| m.version);
    let d = B::DIALECT;
    let mut tx = backend.begin_write().await?;
    if d == Dialect::Postgres {
        tx.execute(Sql::new(
            d,
            "SELECT pg_advisory_xact_lock($1)",
            vec![ADVISORY_LOCK_KEY.into()],
        ))
        .await?;
    }
    tx.execute(Sql::new(
        d,
        "CREATE TABLE IF NOT EXISTS ochami_schema (version BIGINT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)",
        vec![],
    ))
    .await?;
    let rows = tx
        .fetch(Sql::new(
            d,
            "SELECT MAX(version) FROM ochami_schema",
            vec![],
        ))
        .await?;
    let found = match rows.first() {
        Some(r) => r.int(0)?.unwrap_or(0),
        None => 0,
    };
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    for m in migrations.iter().filter(|m| m.version > found) {
        tracing::info!(
            backend = B::NAME,
            version = m.version,
            "applying schema migration"
        );
        tx.execute_script(m.script).await?;
        let now = chrono::Utc::now().to_rfc3339();
        tx.execute(Sql::new(
            d,
            "INSERT INTO ochami_schema (version, applied_at) VALUES ($1, $2)",
            vec![m.version.into(), now.into()],
        ))
        .await?;
    }
    tx.commit().await
}
