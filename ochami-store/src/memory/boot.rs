//! BSS boot parameters in memory: one entry per name (MAC, host xname or tag, NID) in a
//! hash map, so the boot-time look-up by MAC is a single hash probe. Names written by one
//! request share one `Arc<BootConfig>`.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use ochami_core::{BootParams, Error as CoreError};

use super::MemoryStore;
use crate::{
    BootConfig, BootKey, BootStore, ConflictKind, EndpointAccess, Record, Result, StoreError,
};

#[async_trait]
impl BootStore for MemoryStore {
    async fn add_boot_params(&self, params: &BootParams) -> Result<()> {
        let (bp, keys) = BootKey::normalized(params)?;
        let cfg = Arc::new(BootConfig::of(&bp));
        self.write(|tx| {
            let new: Vec<&BootKey> = keys
                .iter()
                .filter(|k| !tx.tables().boot.contains_key(k))
                .collect();
            if new.is_empty()
                && let Some(first) = keys.first()
            {
                return Err(StoreError::conflict(
                    ConflictKind::boot(first),
                    first.name(),
                    "boot parameters already exist for every name given",
                ));
            }
            for k in new {
                tx.set_boot(k.clone(), Some(Arc::clone(&cfg)));
            }
            Ok(())
        })
    }

    async fn set_boot_params(&self, params: &BootParams) -> Result<()> {
        let (bp, keys) = BootKey::normalized(params)?;
        if bp.params.is_empty() && bp.kernel.is_empty() && bp.initrd.is_empty() {
            return Err(CoreError::MissingField {
                field: "params, kernel or initrd",
            }
            .into());
        }
        let cfg = Arc::new(BootConfig::of(&bp));
        self.write(|tx| {
            for k in keys {
                tx.set_boot(k, Some(Arc::clone(&cfg)));
            }
            Ok(())
        })
    }

    async fn update_boot_params(&self, params: &BootParams) -> Result<()> {
        let (bp, keys) = BootKey::normalized(params)?;
        self.write(|tx| {
            if let Some(missing) = keys.iter().find(|k| !tx.tables().boot.contains_key(k)) {
                return Err(StoreError::not_found(Record::BootParams, missing.name()));
            }
            // Names that shared a config before the patch share the patched one.
            let mut patched: HashMap<*const BootConfig, Arc<BootConfig>> = HashMap::new();
            for k in keys {
                let Some(old) = tx.tables().boot.get(&k).cloned() else {
                    continue;
                };
                let new = patched.entry(Arc::as_ptr(&old)).or_insert_with(|| {
                    let mut c = (*old).clone();
                    c.patch(&bp);
                    Arc::new(c)
                });
                let new = Arc::clone(new);
                tx.set_boot(k, Some(new));
            }
            Ok(())
        })
    }

    async fn delete_boot_params(&self, params: &BootParams) -> Result<u64> {
        let (_, keys) = BootKey::normalized(params)?;
        self.write(|tx| {
            let mut removed = 0;
            for k in keys {
                if tx.tables().boot.contains_key(&k) {
                    tx.set_boot(k, None);
                    removed += 1;
                }
            }
            Ok(removed)
        })
    }

    async fn list_boot_params(&self, query: &BootParams) -> Result<Vec<BootParams>> {
        let wanted = if query.hosts.is_empty() && query.macs.is_empty() && query.nids.is_empty() {
            None
        } else {
            // A name asked for twice is listed once.
            Some(
                BootKey::normalized(query)?
                    .1
                    .into_iter()
                    .collect::<std::collections::BTreeSet<_>>(),
            )
        };
        Ok(self.read(|t| match wanted {
            None => BootConfig::group(t.boot.iter().map(|(k, c)| (k.clone(), &**c))),
            Some(keys) => BootConfig::group(
                keys.into_iter()
                    .filter_map(|k| t.boot.get(&k).map(|c| (k, &**c))),
            ),
        }))
    }

    async fn get_boot_config(&self, key: &BootKey) -> Result<Option<BootConfig>> {
        Ok(self.read(|t| t.boot.get(key).map(|c| (**c).clone())))
    }

    async fn record_access(&self, access: &EndpointAccess) -> Result<()> {
        self.write_simple(|t| {
            t.access.insert(
                (access.name.clone(), access.endpoint.clone()),
                access.last_epoch,
            )
        });
        Ok(())
    }

    async fn list_access(
        &self,
        name: Option<&str>,
        endpoint: Option<&str>,
    ) -> Result<Vec<EndpointAccess>> {
        Ok(self.read(|t| {
            t.access
                .iter()
                .filter(|((n, e), _)| {
                    name.is_none_or(|x| x == n) && endpoint.is_none_or(|x| x == e)
                })
                .map(|((n, e), epoch)| EndpointAccess {
                    name: n.clone(),
                    endpoint: e.clone(),
                    last_epoch: *epoch,
                })
                .collect()
        }))
    }
}
