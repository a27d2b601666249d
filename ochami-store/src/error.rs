//! The store's error type: typed, naming the record kind ([`Record`]) or the conflicting
//! field ([`ConflictKind`]), never a raw SQL string; a database failure keeps the driver's
//! error as its [`source`](std::error::Error::source).

use std::fmt;

/// Result alias for `ochami-store`.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The error a backend failure wraps (the driver's own error, or a JSON codec error).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

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
    /// A record that should exist does not.
    #[error("no such {record}: {id}")]
    NotFound {
        /// Which kind of record.
        record: Record,
        /// Its id, as the caller wrote it (normalized).
        id: String,
    },
    /// A write that conflicts with an existing record: a duplicate id, a MAC already on
    /// another interface, a NID already taken, a second exclusive group or partition.
    #[error("conflict on {} {value:?}: {detail}", kind.field())]
    Conflict {
        /// What conflicts.
        kind: ConflictKind,
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
    /// A snapshot line that cannot be imported (not JSON, an unknown kind, a bad record, a
    /// missing or wrong trailer); nothing was written.
    #[error("snapshot line {line}: {reason}")]
    SnapshotLine {
        /// The line (1-based).
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A snapshot written by a newer ochami: refuse rather than misread it.
    #[error(
        "snapshot format version {found} is newer than this build reads ({supported}); upgrade ochami"
    )]
    SnapshotTooNew {
        /// Version in the snapshot's header.
        found: u64,
        /// Newest version this build reads.
        supported: u64,
    },
    /// The secret key for credentials at rest is unusable or wrong (it does not decrypt the
    /// stored credentials), or credentials are encrypted and no key was given. The message
    /// names the key file or the endpoint, never a key or a password.
    #[error("secret key: {reason}")]
    SecretKey {
        /// What is wrong.
        reason: String,
    },
    /// Writing a snapshot failed.
    #[error("cannot write the snapshot: {0}")]
    SnapshotIo(#[source] std::io::Error),
    /// The database failed (connection lost, disk full, a stored value that does not read
    /// back...). The message names the failure class, never the SQL text; the driver's
    /// error is the [`source`](std::error::Error::source).
    #[error("database error: {message}")]
    Backend {
        /// What failed, in words safe to show (no SQL, no bound values, no URL).
        message: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
}

/// The kinds of record a [`StoreError::NotFound`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Record {
    /// An SMD component (`/State/Components`).
    Component,
    /// A Redfish endpoint.
    RedfishEndpoint,
    /// A component endpoint.
    ComponentEndpoint,
    /// An ethernet interface, by MAC.
    EthernetInterface,
    /// One IP address of an ethernet interface.
    IpAddress,
    /// Hardware inventory of one location.
    Hardware,
    /// An SMD group.
    Group,
    /// An SMD partition.
    Partition,
    /// BSS boot parameters stored under a name.
    BootParams,
    /// A boot configuration (boot-service), by uid.
    BootConfiguration,
    /// cloud-init data of a group.
    CloudInitGroup,
    /// cloud-init data of a node.
    CloudInitNode,
    /// A power transition, by id.
    PowerTransition,
}

impl Record {
    /// The record kind in words, as error messages name it (`component`, `IP address`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Record::Component => "component",
            Record::RedfishEndpoint => "Redfish endpoint",
            Record::ComponentEndpoint => "component endpoint",
            Record::EthernetInterface => "ethernet interface",
            Record::IpAddress => "IP address",
            Record::Hardware => "hardware",
            Record::Group => "group",
            Record::Partition => "partition",
            Record::BootParams => "boot parameters",
            Record::BootConfiguration => "boot configuration",
            Record::CloudInitGroup => "cloud-init group",
            Record::CloudInitNode => "cloud-init node",
            Record::PowerTransition => "power transition",
        }
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a [`StoreError::Conflict`] is about. [`ConflictKind::field`] is the wire field it
/// names in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConflictKind {
    /// A record with this `ID` exists already.
    Id,
    /// The `FQDN` belongs to another Redfish endpoint.
    Fqdn,
    /// The `MACAddress` belongs to another ethernet interface or component.
    MacAddress,
    /// The `NID` belongs to another component.
    Nid,
    /// The `IPAddress` is already on the interface.
    IpAddress,
    /// A group with this `label` exists already.
    GroupLabel,
    /// A partition with this `name` exists already.
    PartitionName,
    /// The component (`id`) is already a member.
    Member,
    /// The component is already in another group of the same `exclusiveGroup`.
    ExclusiveGroup,
    /// The component is already in another `partition`.
    Partition,
    /// Boot parameters exist already under every name given; the first is a MAC (`macs`).
    BootMac,
    /// As [`ConflictKind::BootMac`], the first name a host or tag (`hosts`).
    BootHost,
    /// As [`ConflictKind::BootMac`], the first name a NID (`nids`).
    BootNid,
    /// A boot-parameters row with this `name` exists already (a database constraint).
    BootName,
    /// cloud-init data for a group with this `name` exists already.
    CloudInitGroup,
    /// A boot configuration with this `uid` exists already.
    BootUid,
}

impl ConflictKind {
    /// The wire field the conflict is on (`ID`, `MACAddress`, `exclusiveGroup`, `hosts`...).
    pub fn field(self) -> &'static str {
        match self {
            ConflictKind::Id => "ID",
            ConflictKind::Fqdn => "FQDN",
            ConflictKind::MacAddress => "MACAddress",
            ConflictKind::Nid => "NID",
            ConflictKind::IpAddress => "IPAddress",
            ConflictKind::GroupLabel => "label",
            ConflictKind::PartitionName | ConflictKind::BootName | ConflictKind::CloudInitGroup => {
                "name"
            }
            ConflictKind::Member => "id",
            ConflictKind::ExclusiveGroup => "exclusiveGroup",
            ConflictKind::Partition => "partition",
            ConflictKind::BootMac => "macs",
            ConflictKind::BootHost => "hosts",
            ConflictKind::BootNid => "nids",
            ConflictKind::BootUid => "uid",
        }
    }
}

#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
impl ConflictKind {
    /// The conflict naming boot parameters stored under `key`.
    pub(crate) fn boot(key: &crate::BootKey) -> Self {
        match key {
            crate::BootKey::Mac(_) => ConflictKind::BootMac,
            crate::BootKey::Host(_) => ConflictKind::BootHost,
            crate::BootKey::Nid(_) => ConflictKind::BootNid,
        }
    }
}

impl fmt::Display for ConflictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

impl StoreError {
    /// A domain error, optionally for row `index` of a bulk write.
    pub fn invalid(index: Option<usize>, source: ochami_core::Error) -> Self {
        StoreError::Invalid { index, source }
    }

    /// A not-found error.
    pub fn not_found(record: Record, id: impl ToString) -> Self {
        StoreError::NotFound {
            record,
            id: id.to_string(),
        }
    }

    /// A conflict error.
    pub fn conflict(kind: ConflictKind, value: impl ToString, detail: impl Into<String>) -> Self {
        StoreError::Conflict {
            kind,
            value: value.to_string(),
            detail: detail.into(),
        }
    }

    /// A backend failure described by `message`, caused by `source`.
    pub fn backend(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        StoreError::Backend {
            message: message.into(),
            source: source.into(),
        }
    }
}

#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
impl StoreError {
    /// The conflict of a second insert of group `name`'s cloud-init data (every backend says
    /// the same).
    pub(crate) fn cloud_init_group_exists(name: &str) -> Self {
        StoreError::conflict(
            ConflictKind::CloudInitGroup,
            name,
            format!("cloud-init group {name} already exists"),
        )
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
