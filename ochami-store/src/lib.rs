//! # ochami-store
//!
//! Inventory and boot storage for ochami: SMD's database (components, Redfish endpoints,
//! ethernet interfaces, hardware, groups, partitions), BSS's boot parameters and
//! cloud-init's data, behind one dyn-compatible trait family ([`Store`]) with three
//! backends:
//!
//! | URL | backend | feature |
//! |---|---|---|
//! | `memory:` | in-memory, indexed (tests, notebooks, demo) | `memory` |
//! | `sqlite://path` | SQLite, one file, WAL (embedded persistent default) | `sqlite` |
//! | `postgres://...` | PostgreSQL (production; many servers share one database) | `postgres` |
//!
//! The default feature set is `memory` only (no SQL driver is compiled); without any feature
//! (`default-features = false`) the crate is the traits and types alone, for a backend of
//! your own, and [`open`] refuses every URL with [`StoreError::BadUrl`].
//!
//! Modules: the traits ([`Store`] and its parts), the types they take and return (filters,
//! updates, boot keys and configs), [`StoreError`], and one module per backend; the
//! conformance suite every backend passes lives in the `ochami-testing` crate.
//!
//! Migrations for each dialect are embedded and applied on [`open`]; a database written by
//! a newer schema is refused with [`StoreError::SchemaTooNew`].
//!
//! ```
//! # #[cfg(feature = "memory")]
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use ochami_core::{Component, ComponentFilter, State};
//! let store = ochami_store::open("memory:").await?;
//! let node = Component::new("x1000c0s0b0n0".parse()?).with_state(State::Ready);
//! store.upsert_components(&[node], false).await?;
//! let all = store.list_components(&ComponentFilter::default()).await?;
//! assert_eq!(all.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod boot;
mod boot_node;
mod credentials;
mod error;
#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
mod hardware;
#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
mod ip_list;
#[cfg(feature = "memory")]
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
pub mod power;
#[cfg(feature = "secrets")]
pub mod secret;
pub mod snapshot;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
mod static_inventory;
mod store;
mod update;

pub use boot::{BootCandidates, BootConfig, BootKey, EndpointAccess, NodeInventory, merge_patch};
pub use credentials::{BmcAccess, CredentialStore, RedfishCredentials, bmc_access, bmc_nodes};
pub use error::{BoxError, ConflictKind, Record, Result, StoreError};
/// The list filters and the component update are `ochami-core`'s, re-exported for the trait
/// signatures.
pub use ochami_core::{
    ComponentEndpointFilter, ComponentUpdate, EthernetInterfaceFilter, RedfishEndpointFilter,
};
pub use power::PowerStore;
pub use snapshot::SnapshotStore;
pub use static_inventory::{LoadSummary, load_static_inventory};
pub use store::{BootStore, CloudInitStore, ComponentStore, GroupStore, InventoryStore, Store};
pub use update::{EthernetInterfacePatch, GroupPatch};

// boot-service's `Node` resource over the inventory.
pub use boot_node::{boot_node_component, boot_nodes, create_boot_node, put_boot_node};

#[cfg(feature = "memory")]
pub use memory::MemoryStore;

use std::sync::Arc;

/// How [`open_with`] opens a store, beyond its URL.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct OpenOptions {
    /// Encrypt BMC credentials at rest with this key (SQL backends; see [`secret`]). Opening
    /// checks that it decrypts every encrypted credential ([`StoreError::SecretKey`]
    /// otherwise, nothing written), then encrypts the plaintext ones.
    #[cfg(feature = "secrets")]
    pub secret_key: Option<secret::SecretKey>,
}

impl OpenOptions {
    /// Options with BMC credentials encrypted at rest with `key`.
    #[cfg(feature = "secrets")]
    pub fn with_secret_key(mut self, key: secret::SecretKey) -> Self {
        self.secret_key = Some(key);
        self
    }
}

/// Open a store from a URL: `memory:`, `sqlite://path` (created if missing; `sqlite::memory:`
/// for a private in-memory SQLite), or `postgres://user:pass@host:port/db`. Migrations are
/// applied before it returns.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    open_with(url, &OpenOptions::default()).await
}

/// [`open`] with [`OpenOptions`] (a secret key for credentials at rest).
#[cfg_attr(not(feature = "secrets"), allow(unused_variables))]
pub async fn open_with(url: &str, options: &OpenOptions) -> Result<Arc<dyn Store>> {
    let bad = |reason: &str| StoreError::BadUrl {
        url: redact(url),
        reason: reason.to_owned(),
    };
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "memory" => open_memory(url)
            .ok_or_else(|| bad("the memory backend is not compiled in (feature `memory`)")),
        #[cfg(feature = "sqlite")]
        "sqlite" => Ok(Arc::new(
            sqlite::open(url)
                .await?
                .keyed(options.secret_key.clone())
                .await?,
        )),
        #[cfg(feature = "postgres")]
        "postgres" | "postgresql" => Ok(Arc::new(
            postgres::open(url)
                .await?
                .keyed(options.secret_key.clone())
                .await?,
        )),
        _ => Err(bad("expected memory:, sqlite://path or postgres://...")),
    }
}

/// `memory:` opens a new, empty [`MemoryStore`] every time.
#[cfg(feature = "memory")]
fn open_memory(_url: &str) -> Option<Arc<dyn Store>> {
    Some(Arc::new(MemoryStore::new()))
}

#[cfg(not(feature = "memory"))]
fn open_memory(_url: &str) -> Option<Arc<dyn Store>> {
    None
}

/// A URL with any password replaced, for errors and logs: the one in the user info and a
/// `password=` (or `sslpassword=`) query parameter.
///
/// ```
/// use ochami_store::redact;
/// assert_eq!(redact("postgres://ochami:s3cret@db/ochami"), "postgres://ochami:***@db/ochami");
/// assert_eq!(
///     redact("postgres://db/ochami?user=ochami&password=s3cret"),
///     "postgres://db/ochami?user=ochami&password=***"
/// );
/// assert_eq!(redact("sqlite://ochami.db"), "sqlite://ochami.db");
/// ```
pub fn redact(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((creds, host)) => {
                let user = creds.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            None => base.to_owned(),
        },
        None => base.to_owned(),
    };
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _))
                    if k.eq_ignore_ascii_case("password")
                        || k.eq_ignore_ascii_case("sslpassword") =>
                {
                    format!("{k}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}
