//! Snapshots: everything a store holds as one versioned JSON Lines document, for backups,
//! restores and moving a site between backends (SQLite to Postgres, say).
//!
//! # Format (version 1)
//!
//! UTF-8, one JSON object per line, each `{"kind": "<kind>", "record": {...}}`:
//!
//! 1. the header, `{"kind":"header","record":{"format":"ochami-snapshot","version":1}}`;
//! 2. the records, grouped by kind in this order, each group sorted by its key:
//!    `component` (SMD `Component`, by xname), `redfish_endpoint` (SMD `RedfishEndpoint`,
//!    by id; **the BMC password is never written**, see below), `component_endpoint`,
//!    `ethernet_interface` (by MAC), `hardware`, `group` (with its members), `partition`
//!    (with its members), `boot_params` (BSS `BootParams`: every name sharing one config in
//!    one record, as `GET /bootparameters` groups them), `endpoint_access` (BSS
//!    access history), `cloud_init_group`, `cloud_init_node` (its `id` set),
//!    `cloud_init_defaults` (exactly one) and `boot_configuration` (boot configurations
//!    written through boot-service, by uid; a reader of an older build refuses the kind
//!    rather than dropping it). Records are in their API wire form; group and partition
//!    members are the memberships;
//! 3. the trailer, `{"kind":"end","record":{"records":N,"counts":{"component":n,...}}}`.
//!
//! The trailer makes truncation detectable: a file without it, or whose counts do not
//! match the records before it, imports nothing. A snapshot whose header names a newer
//! version is refused ([`crate::StoreError::SnapshotTooNew`]); a line that is not JSON or
//! not a record of a known kind is an error naming the line
//! ([`crate::StoreError::SnapshotLine`]).
//!
//! Output is deterministic: the same store content gives the same bytes on every backend,
//! so export, import elsewhere and export again gives an identical file.
//!
//! # Credentials
//!
//! By default snapshots hold no secrets: a Redfish endpoint's `Password` is written empty.
//! On import an endpoint keeps the password the target store already has for it (merge),
//! otherwise it has none until it is set again (`PUT /Inventory/RedfishEndpoints/{id}`).
//!
//! Only when asked, and only encrypted, a snapshot carries the passwords
//! (`export_snapshot_with_credentials`, feature `secrets`): each `Password` is then sealed
//! with the key given to the export (AES-256-GCM, the endpoint's id as associated data, the
//! `enc:v1:` form of [`crate::secret`]), never in clear. Importing such a snapshot needs that
//! key (`import_snapshot_with_credentials`): the passwords are opened with it and stored the
//! way the target store stores them (encrypted with its own key, if it has one). Without the
//! key, an import refuses the snapshot, naming the line; a wrong key imports nothing.
//!
//! # Consistency
//!
//! [`SnapshotStore::export_entries`] reads inside one consistent view: the memory backend
//! copies its records under its lock, SQLite reads in one read transaction, Postgres in one
//! `REPEATABLE READ READ ONLY` transaction, so a server can keep serving and writing while
//! a snapshot is taken and the snapshot never holds half of a write.
//! [`SnapshotStore::import_entries`] is one write transaction: all or nothing.

#[cfg(feature = "secrets")]
mod credentials;
mod read;
mod write;

use std::collections::BTreeMap;

use async_trait::async_trait;
use ochami_core::cloud_init::{ClusterDefaults, GroupData, NodeData};
use ochami_core::{
    BootConfiguration, BootParams, Component, ComponentEndpoint, EthernetInterface, Group,
    HardwareRecord, Partition, RedfishEndpoint,
};
use serde::{Deserialize, Serialize};

use crate::{EndpointAccess, Result};

#[cfg(feature = "secrets")]
pub use credentials::{export_snapshot_with_credentials, import_snapshot_with_credentials};
pub use read::{import_snapshot, read_snapshot};
pub use write::{SnapshotWriter, export_snapshot};

/// The snapshot format version this build writes, and the newest it reads.
pub const FORMAT_VERSION: u64 = 1;

/// The `format` value of a snapshot header.
pub const FORMAT_NAME: &str = "ochami-snapshot";

/// One record of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Entry {
    /// An SMD component.
    Component(Component),
    /// A Redfish endpoint (password empty, or encrypted when exported with credentials).
    RedfishEndpoint(RedfishEndpoint),
    /// A component endpoint.
    ComponentEndpoint(ComponentEndpoint),
    /// An ethernet interface.
    EthernetInterface(EthernetInterface),
    /// Hardware inventory of one location.
    Hardware(HardwareRecord),
    /// A group with its members.
    Group(Group),
    /// A partition with its members.
    Partition(Partition),
    /// Boot parameters: one config and every name it is stored under.
    BootParams(BootParams),
    /// A boot configuration written through boot-service.
    BootConfiguration(BootConfiguration),
    /// One row of the BSS access history.
    EndpointAccess(EndpointAccess),
    /// cloud-init data of a group.
    CloudInitGroup(GroupData),
    /// cloud-init data of a node (`id` set).
    CloudInitNode(NodeData),
    /// The cloud-init cluster defaults.
    CloudInitDefaults(ClusterDefaults),
}

/// Every record kind, in snapshot order.
pub const KINDS: [&str; 13] = [
    "component",
    "redfish_endpoint",
    "component_endpoint",
    "ethernet_interface",
    "hardware",
    "group",
    "partition",
    "boot_params",
    "endpoint_access",
    "cloud_init_group",
    "cloud_init_node",
    "cloud_init_defaults",
    "boot_configuration",
];

impl Entry {
    /// Its kind as the snapshot spells it (one of [`KINDS`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::Component(_) => KINDS[0],
            Entry::RedfishEndpoint(_) => KINDS[1],
            Entry::ComponentEndpoint(_) => KINDS[2],
            Entry::EthernetInterface(_) => KINDS[3],
            Entry::Hardware(_) => KINDS[4],
            Entry::Group(_) => KINDS[5],
            Entry::Partition(_) => KINDS[6],
            Entry::BootParams(_) => KINDS[7],
            Entry::EndpointAccess(_) => KINDS[8],
            Entry::CloudInitGroup(_) => KINDS[9],
            Entry::CloudInitNode(_) => KINDS[10],
            Entry::CloudInitDefaults(_) => KINDS[11],
            Entry::BootConfiguration(_) => KINDS[12],
        }
    }
}

/// How many records of each kind (keys from [`KINDS`]; kinds with none are absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts(pub BTreeMap<String, u64>);

impl Counts {
    /// Count one entry.
    pub fn add(&mut self, e: &Entry) {
        *self.0.entry(e.kind().to_owned()).or_default() += 1;
    }

    /// The number of records of `kind`.
    pub fn get(&self, kind: &str) -> u64 {
        self.0.get(kind).copied().unwrap_or_default()
    }

    /// All records.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

/// How an import treats what the target store already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Keep it; a record of the snapshot replaces the one with the same key (a group's
    /// members, a boot name's config...). Into an empty store this is a plain restore.
    #[default]
    Merge,
    /// Delete everything first, so that the store ends up holding exactly the snapshot.
    Replace,
}

/// Where an export puts its records, one at a time, in snapshot order.
pub type EntrySink<'a> = dyn FnMut(Entry) -> Result<()> + Send + 'a;

/// Export and import of every record, the backend half of snapshots. Use
/// [`export_snapshot`] and [`import_snapshot`] for the file format.
#[async_trait]
pub trait SnapshotStore: Send + Sync {
    /// Hand every record to `sink` in snapshot order (see the module docs), read inside one
    /// consistent view of the store. Redfish endpoint passwords are left empty.
    async fn export_entries(&self, sink: &mut EntrySink<'_>) -> Result<()>;

    /// [`SnapshotStore::export_entries`] with each Redfish endpoint's stored password in
    /// clear (decrypted with the store's key), read in the same consistent view. Only for
    /// an export that encrypts them again before they leave the process
    /// (`export_snapshot_with_credentials`); [`crate::StoreError::SecretKey`] when a
    /// password is encrypted and the store has no key.
    async fn export_entries_with_credentials(&self, sink: &mut EntrySink<'_>) -> Result<()>;

    /// Write `entries` in one transaction, all or nothing. Groups and partitions come whole
    /// (their member lists replace the stored ones); boot parameters are stored under every
    /// name they list, replacing what was there.
    async fn import_entries(&self, entries: &[Entry], mode: ImportMode) -> Result<()>;
}
