//! The store's error type: typed, naming the record and field, never a raw SQL string.

/// Result alias for `ochami-store`.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Input that violates the domain rules (bad xname, bad enum value, bad transition...).
    /// `index` is the position of the offending row in a bulk write.
    #[error("{}{source}", index.map(|i| format!("row {i}: ")).unwrap_or_default())]
    Invalid {
        /// Row of a bulk write, if any.
        index: Option<usize>,
        /// What was wrong.
        #[source]
        source: ochami_core::Error,
    },
    /// A record that should exist does not (`kind` is e.g. `component`, `group`).
    #[error("no such {kind}: {id}")]
    NotFound {
        /// Record kind.
        kind: &'static str,
        /// Its id.
        id: String,
    },
    /// A write that conflicts with an existing record: a duplicate id, a MAC already on
    /// another interface, a NID already taken, a second exclusive group or partition.
    #[error("conflict on {field} {value:?}: {detail}")]
    Conflict {
        /// The field that conflicts (`ID`, `MACAddress`, `NID`, `exclusiveGroup`, ...).
        field: &'static str,
        /// The conflicting value.
        value: String,
        /// What it conflicts with.
        detail: String,
    },
    /// A store URL that cannot be opened.
    #[error("bad store URL {url:?}: {reason}")]
    BadUrl {
        /// The URL, with any password removed.
        url: String,
        /// Why.
        reason: String,
    },
    /// The database was written by a newer ochami: refuse rather than corrupt it.
    #[error(
        "database schema version {found} is newer than this build supports ({supported}); upgrade ochami"
    )]
    SchemaTooNew {
        /// Version in the database.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// The database failed (connection lost, disk full...). The message is the driver's
    /// error kind, never the SQL text.
    #[error("database error: {0}")]
    Backend(String),
}

impl StoreError {
    /// A domain error, optionally for row `index` of a bulk write.
    pub fn invalid(index: Option<usize>, source: ochami_core::Error) -> Self {
        StoreError::Invalid { index, source }
    }

    /// A not-found error.
    pub fn not_found(kind: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            kind,
            id: id.to_string(),
        }
    }

    /// A conflict error.
    pub fn conflict(field: &'static str, value: impl ToString, detail: impl Into<String>) -> Self {
        StoreError::Conflict {
            field,
            value: value.to_string(),
            detail: detail.into(),
        }
    }
}

impl From<ochami_core::Error> for StoreError {
    fn from(e: ochami_core::Error) -> Self {
        StoreError::Invalid {
            index: None,
            source: e,
        }
    }
}
