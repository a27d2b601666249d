//! BSS boot parameters in memory: one entry per name (MAC, host xname or tag, NID) in a
//! hash map, so the boot-time look-up by MAC is a single hash probe. Names written by one
//! request share one `Arc<BootConfig>`. Boot-service configurations are kept by uid; a
//! node's candidates are found by scanning them (they are few: one per image or group,
//! not one per node).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use ochami_core::{
    BootConfiguration, BootParams, BootSelection, ComponentFilter, Error as CoreError,
    EthernetInterfaceFilter, HmsType, Term,
};

use super::MemoryStore;
use super::tables::Tables;
use crate::boot::checked;
use crate::{
    BootConfig, BootKey, BootStore, ConflictKind, EndpointAccess, NodeInventory, Record, Result,
    StoreError,
};

/// BSS's node view under one read lock.
pub(super) fn node_inventory(t: &Tables) -> NodeInventory {
    let term = |value| Term {
        negated: false,
        value,
    };
    let nodes = ComponentFilter {
        hms_type: vec![term(HmsType::Node), term(HmsType::VirtualNode)],
        ..ComponentFilter::default()
    };
    let ifaces = EthernetInterfaceFilter {
        hms_type: vec![HmsType::Node, HmsType::VirtualNode],
        ..Default::default()
    };
    NodeInventory {
        components: super::components::select(t, &nodes)
            .into_iter()
            .cloned()
            .collect(),
        endpoints: t.component_endpoints.values().cloned().collect(),
        interfaces: super::ethernet::select(t, &ifaces)
            .into_iter()
            .cloned()
            .collect(),
    }
}

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

    async fn list_boot_configurations(&self) -> Result<Vec<BootConfiguration>> {
        Ok(self.read(|t| {
            let mut bss: Vec<(&BootKey, &Arc<BootConfig>)> = t.boot.iter().collect();
            bss.sort_by(|a, b| a.0.cmp(b.0));
            t.boot_configurations
                .values()
                .map(|c| (**c).clone())
                .chain(
                    bss.into_iter()
                        .map(|(k, c)| BootConfiguration::of_bss(k.clone(), (**c).clone())),
                )
                .collect()
        }))
    }

    async fn get_boot_service_configuration(&self, uid: &str) -> Result<Option<BootConfiguration>> {
        Ok(self.read(|t| t.boot_configurations.get(uid).map(|c| (**c).clone())))
    }

    async fn create_boot_configuration(&self, config: &BootConfiguration) -> Result<()> {
        let c = checked(config)?;
        self.write_simple(|t| {
            if t.boot_configurations.contains_key(&c.uid) {
                return Err(StoreError::conflict(
                    ConflictKind::BootUid,
                    c.uid.clone(),
                    "a boot configuration with this uid exists",
                ));
            }
            t.boot_configurations.insert(c.uid.clone(), Arc::new(c));
            Ok(())
        })
    }

    async fn replace_boot_configuration(&self, config: &BootConfiguration) -> Result<()> {
        let c = checked(config)?;
        self.write_simple(|t| match t.boot_configurations.get_mut(&c.uid) {
            Some(slot) => {
                *slot = Arc::new(c);
                Ok(())
            }
            None => Err(StoreError::not_found(Record::BootConfiguration, c.uid)),
        })
    }

    async fn delete_boot_configuration(&self, uid: &str) -> Result<bool> {
        Ok(self.write_simple(|t| t.boot_configurations.remove(uid).is_some()))
    }

    async fn boot_configurations_for(
        &self,
        selection: &BootSelection,
    ) -> Result<Vec<BootConfiguration>> {
        Ok(self.read(|t| {
            t.boot_configurations
                .values()
                .filter(|c| selection.may_select(&c.spec))
                .map(|c| (**c).clone())
                .collect()
        }))
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
