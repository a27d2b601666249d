//! Turning driver errors into [`StoreError`]s: constraint violations name the domain field,
//! everything else becomes [`StoreError::Backend`] with the driver's error class and never
//! the SQL text, bound values of a failed statement or a connection URL.

use crate::StoreError;

/// Message prefix of transient errors the write path retries (Postgres serialization
/// failures and deadlocks, SQLite busy/locked after the busy timeout).
const TRANSIENT: &str = "transient conflict with a concurrent transaction";

/// Constraint or index name (Postgres) or `table.column` (SQLite, written `table_column`)
/// to the field a [`StoreError::Conflict`] names.
const UNIQUE_FIELDS: &[(&str, &str)] = &[
    ("components_pkey", "ID"),
    ("components_id", "ID"),
    ("components_nid", "NID"),
    ("redfish_endpoints_pkey", "ID"),
    ("redfish_endpoints_id", "ID"),
    ("redfish_endpoints_fqdn", "FQDN"),
    ("ethernet_interfaces_pkey", "MACAddress"),
    ("ethernet_interfaces_id", "MACAddress"),
    ("component_groups_pkey", "label"),
    ("component_groups_kind", "label"),
    ("group_members_pkey", "id"),
    ("group_members_kind", "id"),
    ("group_members_component_id", "exclusiveGroup"),
    ("group_members_namespace", "exclusiveGroup"),
    ("boot_params_pkey", "name"),
    ("boot_params_kind", "name"),
];

/// Map a driver error.
pub(crate) fn db_error(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::Database(d) => database_error(d.as_ref()),
        sqlx::Error::PoolTimedOut => {
            StoreError::Backend("timed out waiting for a database connection".into())
        }
        sqlx::Error::PoolClosed => StoreError::Backend("the connection pool is closed".into()),
        sqlx::Error::Io(io) => {
            StoreError::Backend(format!("I/O error talking to the database: {}", io.kind()))
        }
        sqlx::Error::Tls(_) => StoreError::Backend("TLS error talking to the database".into()),
        sqlx::Error::Protocol(_) => StoreError::Backend("database protocol error".into()),
        sqlx::Error::Configuration(_) => StoreError::Backend("bad database configuration".into()),
        sqlx::Error::RowNotFound => StoreError::Backend("expected a row, found none".into()),
        sqlx::Error::ColumnDecode { index, .. } => {
            StoreError::Backend(format!("cannot decode column {index}"))
        }
        sqlx::Error::ColumnNotFound(c) => StoreError::Backend(format!("no column {c}")),
        sqlx::Error::Decode(_) => {
            StoreError::Backend("cannot decode a value from the database".into())
        }
        sqlx::Error::WorkerCrashed => {
            StoreError::Backend("the database worker thread crashed".into())
        }
        _ => StoreError::Backend("database driver error".into()),
    }
}

fn database_error(d: &dyn sqlx::error::DatabaseError) -> StoreError {
    use sqlx::error::ErrorKind;
    let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
    match d.kind() {
        ErrorKind::UniqueViolation => {
            let name = d
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| sqlite_target(d.message()));
            let field = UNIQUE_FIELDS
                .iter()
                .find(|(k, _)| name.starts_with(k))
                .map_or("ID", |(_, f)| f);
            StoreError::conflict(field, "", "already exists")
        }
        ErrorKind::ForeignKeyViolation => StoreError::not_found("component", ""),
        _ if matches!(
            code.as_str(),
            "40001" | "40P01" | "5" | "6" | "517" | "261" | "262"
        ) =>
        {
            StoreError::Backend(format!("{TRANSIENT} (code {code})"))
        }
        // Class 42 (syntax, undefined object) messages quote SQL: report the code only.
        _ if code.starts_with("42") => {
            StoreError::Backend(format!("database rejected a statement (SQLSTATE {code})"))
        }
        _ if code.is_empty() => StoreError::Backend(d.message().to_owned()),
        _ => StoreError::Backend(format!("{} (code {code})", d.message())),
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
    matches!(e, StoreError::Backend(m) if m.starts_with(TRANSIENT))
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
                .any(|(k, f)| "components_nid".starts_with(k) && *f == "NID")
        );
    }
}
