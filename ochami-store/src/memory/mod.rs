//! The in-memory backend (`memory:`): every table in ordinary collections behind one lock,
//! with the indexes the hot paths need (NID, MAC, IP, component -> interfaces,
//! component -> groups/partition, boot name -> config).
//!
//! One [`std::sync::RwLock`] guards the whole state, so each call is one atomic step: reads
//! share the lock, a write holds it for the call and is undone completely if any row fails
//! (see `tables.rs`). The lock is never held across an `.await`.
//!
//! Nothing is persisted: the data lives as long as the [`MemoryStore`]. Use it for tests,
//! notebooks and demos; use SQLite or Postgres for anything that must survive a restart.

mod boot;
mod boot_node;
mod cloud_init;
mod components;
mod ethernet;
mod groups;
mod ingest;
mod inventory;
mod power;
mod snapshot;
mod tables;

use std::sync::{Mutex, PoisonError, RwLock};

use async_trait::async_trait;

use ochami_core::BootNodeRecords;

use crate::{Result, Store};
use tables::{Tables, Tx};

/// The in-memory [`Store`].
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ochami_core::{Component, ComponentFilter, Role, State};
/// use ochami_store::{ComponentStore, MemoryStore};
///
/// let store = MemoryStore::new();
/// let node = Component::new("x1000c0s0b0n0".parse()?).with_state(State::Ready).with_role(Role::Compute).with_nid(1);
/// store.upsert_components(&[node], false).await?;
/// let f = ComponentFilter::from_query_pairs([("role", "compute"), ("state", "!Off")])?;
/// assert_eq!(store.list_components(&f).await?.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Default)]
pub struct MemoryStore {
    tables: RwLock<Tables>,
    power: Mutex<power::PowerTable>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Counts only: endpoint records carry BMC passwords.
        self.read(|t| {
            f.debug_struct("MemoryStore")
                .field("components", &t.components.len())
                .field("redfish_endpoints", &t.endpoints.len())
                .field("ethernet_interfaces", &t.ifaces.len())
                .field("groups", &t.groups.len())
                .field("partitions", &t.partitions.len())
                .field("boot_names", &t.boot.len())
                .finish_non_exhaustive()
        })
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Run `f` under the read lock.
    fn read<T>(&self, f: impl FnOnce(&Tables) -> T) -> T {
        // A panic inside `write` rolls its changes back before the lock is released, so a
        // poisoned lock still guards consistent tables.
        let guard = self.tables.read().unwrap_or_else(PoisonError::into_inner);
        f(&guard)
    }

    /// Run `f` as one all-or-nothing write: an error undoes every change it made.
    fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let mut guard = self.tables.write().unwrap_or_else(PoisonError::into_inner);
        let mut tx = Tx::new(&mut guard);
        let out = f(&mut tx)?;
        tx.commit();
        Ok(out)
    }

    /// Run `f` on tables whose writes touch one record and cannot fail half-way
    /// (cloud-init data, access history, bulk deletes).
    fn write_simple<T>(&self, f: impl FnOnce(&mut Tables) -> T) -> T {
        let mut guard = self.tables.write().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }
}

#[async_trait]
impl Store for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn write_boot_node(&self, records: &BootNodeRecords, new: bool) -> Result<()> {
        self.write_boot_node_now(records, new)
    }

    async fn ping(&self) -> Result<()> {
        Ok(())
    }

    async fn node_inventory(&self) -> Result<crate::NodeInventory> {
        Ok(self.read(boot::node_inventory))
    }
}

/// `Row i: ` for conflict details in bulk writes.
fn row(index: usize) -> String {
    format!("row {index}: ")
}
