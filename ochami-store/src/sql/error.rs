//! Turning driver errors into [`StoreError`]s: constraint violations name the domain field,
//! everything else becomes [`StoreError::Backend`] whose message is the driver's error class,
//! never the SQL text, bound values of a failed statement or a connection URL.

use crate::{ConflictKind, Record, StoreError};

/// Message prefix of transient errors the write path retries (Postgres serialization
/// failures and deadlocks, SQLite busy/locked after the busy timeout).
const TRANSIENT: &str = "transient conflict with a concurrent transaction";

/// Constraint or index name (Postgres) or `table.column` (SQLite, written `table_column`)
/// to what a [`StoreError::Conflict`] is about.
const UNIQUE_FIELDS: &[(&str, ConflictKind)] = &[
    ("components_pkey", ConflictKind::Id),
    ("components_id", ConflictKind::Id),
    ("components_nid", ConflictKind::Nid),
    ("redfish_endpoints_pkey", ConflictKind::Id),
    ("redfish_endpoints_id", ConflictKind::Id),
    ("redfish_endpoints_fqdn", ConflictKind::Fqdn),
    ("ethernet_interfaces_pkey", ConflictKind::MacAddress),
    ("ethernet_interfaces_id", ConflictKind::MacAddress),
    ("component_groups_pkey", ConflictKind::GroupLabel),
    ("component_groups_kind", ConflictKind::GroupLabel),
    ("group_members_pkey", ConflictKind::Member),
    ("group_members_kind", ConflictKind::Member),
    ("group_members_component_id", ConflictKind::ExclusiveGroup),
    ("group_members_namespace", ConflictKind::ExclusiveGroup),
    ("boot_params_pkey", ConflictKind::BootName),
    ("boot_params_kind", ConflictKind::BootName),
    ("cloud_init_groups_pkey", ConflictKind::CloudInitGroup),
    ("cloud_init_groups_name", ConflictKind::CloudInitGroup),
];

/// Map a driver error: the message names the failure class, the error itself is kept as the
/// source.
pub(crate) fn db_error(e: sqlx::Error) -> StoreError {
    let message = match &e {
        sqlx::Error::Database(d) => match database_error(d.as_ref()) {
            Ok(message) => message,
            Err(typed) => return typed,
        },
        sqlx::Error::PoolTimedOut => "timed out waiting for a database connection".into(),
        sqlx::Error::PoolClosed => "the connection pool is closed".into(),
        sqlx::Error::Io(io) => format!("I/O error talking to the database: {}", io.kind()),
        sqlx::Error::Tls(_) => "TLS error talking to the database".into(),
        sqlx::Error::Protocol(_) => "database protocol error".into(),
        sqlx::Error::Configuration(_) => "bad database configuration".into(),
        sqlx::Error::RowNotFound => "expected a row, found none".into(),
        sqlx::Error::ColumnDecode { index, .. } => format!("cannot decode column {index}"),
        sqlx::Error::ColumnNotFound(c) => format!("no column {c}"),
        sqlx::Error::Decode(_) => "cannot decode a value from the database".into(),
        sqlx::Error::WorkerCrashed => "the database worker thread crashed".into(),
        _ => "database driver error".into(),
    };
    StoreError::backend(message, e)
}

/// A constraint violation as a typed error, or the message of any other database error.
fn database_error(d: &dyn sqlx::error::DatabaseError) -> Result<String, StoreError> {
    use sqlx::error::ErrorKind;
    let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
    match d.kind() {
        ErrorKind::UniqueViolation => {
            let name = d
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| sqlite_target(d.message()));
            let kind = UNIQUE_FIELDS
                .iter()
                .find(|(k, _)| name.starts_with(k))
                .map_or(ConflictKind::Id, |(_, f)| *f);
            Err(StoreError::conflict(kind, "", "already exists"))
        }
        ErrorKind::ForeignKeyViolation => Err(StoreError::not_found(Record::Component, "")),
        _ if matches!(
            code.as_str(),
            "40001" | "40P01" | "5" | "6" | "517" | "261" | "262"
        ) =>
        {
            Ok(format!("{TRANSIENT} (code {code})"))
        }
        // Class 42 (syntax, undefined object) messages quote SQL: report the code only.
        _ if code.starts_with("42") => {
            Ok(format!("database rejected a statement (SQLSTATE {code})"))
        }
        _ if code.is_empty() => Ok(d.message().to_owned()),
        _ => Ok(format!("{} (code {code})", d.message())),
    }
}

/// `UNIQUE constraint failed: components.nid` -> `components_nid`.
fn sqlite_target(message: &str) -> String {
    message
        .rsplit(": ")
        .next()
        .unwrap_or_default()
        .replace('.', "_")
}

/// Whether a failed transaction may simply be run again.
pub(crate) fn is_transient(e: &StoreError) -> bool {
    matches!(e, StoreError::Backend { message, .. } if message.starts_with(TRANSIENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_messages_name_table_and_column() {
        assert_eq!(
            sqlite_target("UNIQUE constraint failed: components.nid"),
            "components_nid"
        );
        assert!(
            UNIQUE_FIELDS
                .iter()
                .any(|(k, f)| "components_nid".starts_with(k) && *f == ConflictKind::Nid)
        );
    }
}
