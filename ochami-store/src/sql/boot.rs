//! [`BootStore`] on SQL: BSS boot parameters, one `boot_params` row per name (kind `host`,
//! `mac` or `nid`; the primary key serves the by-MAC look-up of every boot), and the
//! endpoint-access history.

use async_trait::async_trait;
use ochami_core::{
    BootConfiguration, BootParams, BootSelection, CloudInit, Error as CoreError, MacAddr,
};

use super::driver::{Backend, ColType, Conn, SqlRow, Val};
use super::rows::{self, from_json, to_json};
use super::{SqlStore, write_tx};
use crate::{BootCandidates, BootConfig, BootKey, EndpointAccess};
use crate::{BootStore, ConflictKind, Record, Result, StoreError};

/// A key as its `(kind, name)` columns.
pub(super) fn key_cols(key: &BootKey) -> (&'static str, String) {
    match key {
        BootKey::Host(h) => ("host", h.clone()),
        BootKey::Mac(m) => ("mac", m.to_string()),
        BootKey::Nid(n) => ("nid", n.to_string()),
    }
}

/// A `(kind, name)` row back as a key.
pub(super) fn key_of(kind: Option<&str>, name: String) -> Result<BootKey> {
    Ok(match kind {
        Some("mac") => BootKey::Mac(name.parse().map_err(|e| rows::corrupt("boot MAC", e))?),
        Some("nid") => BootKey::Nid(name.parse().map_err(|e| rows::corrupt("boot NID", e))?),
        _ => BootKey::Host(name),
    })
}

/// Normalize a request and list the names it addresses.
fn config_of(r: &impl SqlRow) -> Result<BootConfig> {
    config_at(r, 0)
}

/// A config from the columns `kernel, initrd, params, cloud_init` starting at `i`.
pub(super) fn config_at(r: &impl SqlRow, i: usize) -> Result<BootConfig> {
    Ok(BootConfig {
        kernel: r.text(i)?.unwrap_or_default(),
        initrd: r.text(i + 1)?.unwrap_or_default(),
        params: r.text(i + 2)?.unwrap_or_default(),
        cloud_init: from_json::<CloudInit>("boot cloud-init", r.json(i + 3)?)?,
    })
}

impl<B: Backend> SqlStore<B> {
    /// [`crate::Store::node_inventory`]: three statements in one read transaction, so the
    /// view is one consistent snapshot.
    pub(crate) async fn node_inventory_in_one_read(&self) -> Result<crate::NodeInventory> {
        const NODE_TYPES: &str = " IN ('Node', 'VirtualNode')";
        let mut tx = self.backend.begin_read().await?;
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(rows::COMPONENT_COLS_C)
            .push(" FROM components c WHERE c.type")
            .push(NODE_TYPES);
        let mut components = tx
            .fetch(sql)
            .await?
            .iter()
            .map(rows::component)
            .collect::<Result<Vec<_>>>()?;
        components.sort_unstable_by_key(|c| c.id);
        let mut endpoints = tx
            .fetch(self.sql("SELECT payload FROM component_endpoints", vec![]))
            .await?
            .iter()
            .map(|r| from_json::<ochami_core::ComponentEndpoint>("ComponentEndpoint", r.json(0)?))
            .collect::<Result<Vec<_>>>()?;
        endpoints.sort_by_key(|ce| ce.id);
        let mut sql = self.sql("SELECT ", vec![]);
        sql.push(rows::ETH_COLS_E)
            .push(" FROM ethernet_interfaces e WHERE e.type")
            .push(NODE_TYPES);
        let mut interfaces = tx
            .fetch(sql)
            .await?
            .iter()
            .map(rows::ethernet_interface)
            .collect::<Result<Vec<_>>>()?;
        interfaces.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(crate::NodeInventory {
            components,
            endpoints,
            interfaces,
        })
    }

    /// [`crate::Store::boot_candidates_by_mac`] in one statement: the interface's component
    /// (`n`) and the `boot_params` rows under each candidate name (`b`, a union of primary-key
    /// look-ups, so it stays fast with a row per node), joined. One row per config found (or
    /// one row of NULL configs); the component's columns repeat on each.
    pub(crate) async fn boot_candidates(
        &self,
        mac: &MacAddr,
        tags: &[String],
    ) -> Result<BootCandidates> {
        const CONFIG: &str =
            "SELECT kind, name, kernel, initrd, params, cloud_init FROM boot_params";
        let node_cols: Vec<String> = rows::COMPONENT_COLS
            .split(',')
            .map(|c| format!("n.{}", c.trim()))
            .collect();
        let mut sql = self.sql("WITH n AS (SELECT ", vec![]);
        sql.push(rows::COMPONENT_COLS_C)
            .push(" FROM ethernet_interfaces e JOIN components c ON c.id = e.component_id WHERE e.id = ")
            .bind(mac.to_id())
            .push("), b AS (")
            .push(CONFIG)
            .push(" WHERE kind = 'mac' AND name = ")
            .bind(mac.to_string())
            .push(" UNION ALL ")
            .push(CONFIG)
            .push(" WHERE kind = 'host' AND name = (SELECT id FROM n) UNION ALL ")
            .push(CONFIG)
            .push(" WHERE kind = 'host' AND name = (SELECT role FROM n) UNION ALL ")
            .push(CONFIG)
            .push(" WHERE kind = 'host' AND name");
        sql.in_list(tags.to_vec());
        sql.push(" UNION ALL ")
            .push(CONFIG)
            .push(" WHERE kind = 'nid' AND name = (SELECT CAST(nid AS TEXT) FROM n)");
        // The node's groups, and the boot-service configurations that may select it (an
        // index look-up per selector kind), in the same columns: kind 'group' (name = label)
        // and 'cfg' (name = uid, then name, created_at, updated_at, spec).
        sql.push(
            " UNION ALL SELECT 'group', m.name, '', '', '', NULL FROM group_members m \
             WHERE m.kind = 'group' AND m.component_id = (SELECT id FROM n) \
             UNION ALL SELECT 'cfg', c.uid, c.name, c.created_at, c.updated_at, c.spec \
             FROM boot_configurations c WHERE (c.catch_all AND EXISTS (SELECT 1 FROM n)) \
             OR c.uid IN (SELECT s.uid FROM boot_selectors s WHERE (s.kind = 'mac' AND s.value = ",
        )
        .bind(mac.to_string())
        .push(
            ") OR (s.kind = 'host' AND s.value = (SELECT id FROM n)) \
             OR (s.kind = 'pattern' AND EXISTS (SELECT 1 FROM n)) \
             OR (s.kind = 'nid' AND s.value = (SELECT CAST(nid AS TEXT) FROM n)) \
             OR (s.kind = 'group' AND s.value IN (SELECT m.name FROM group_members m \
             WHERE m.kind = 'group' AND m.component_id = (SELECT id FROM n))))",
        );
        sql.push(") SELECT ")
            .push(&node_cols.join(", "))
            .push(", b.kind, b.name, b.kernel, b.initrd, b.params, b.cloud_init FROM (SELECT 1 AS one) q LEFT JOIN n ON true LEFT JOIN b ON true");
        let rows = self.fetch(sql).await?;
        let mut out = BootCandidates::default();
        for r in &rows {
            if out.component.is_none() && r.text(0)?.is_some() {
                out.component = Some(rows::component(r)?);
            }
            match r.text(15)?.as_deref() {
                None => {}
                Some("group") => out.groups.push(rows::req_text(r, 16, "group label")?),
                Some("cfg") => {
                    let spec = from_json("boot configuration spec", r.json(20)?)?;
                    out.configurations.push(BootConfiguration {
                        uid: rows::req_text(r, 16, "boot configuration uid")?,
                        name: r.text(17)?.unwrap_or_default(),
                        origin: ochami_core::BootOrigin::BootService,
                        spec,
                        cloud_init: Default::default(),
                        labels: Default::default(),
                        annotations: Default::default(),
                        created_at: r.text(18)?.filter(|t| !t.is_empty()),
                        updated_at: r.text(19)?.filter(|t| !t.is_empty()),
                    });
                }
                Some(kind) => {
                    let key = key_of(Some(kind), rows::req_text(r, 16, "boot name")?)?;
                    out.configs.push((key, config_at(r, 17)?));
                }
            }
        }
        Ok(out)
    }

    async fn read_config<C: Conn>(
        &self,
        conn: &mut C,
        key: &BootKey,
        lock: bool,
    ) -> Result<Option<BootConfig>> {
        let (kind, name) = key_cols(key);
        let mut sql = self.sql(
            "SELECT kernel, initrd, params, cloud_init FROM boot_params WHERE kind = $1 AND name = $2",
            vec![kind.into(), name.into()],
        );
        if lock {
            sql.for_update();
        }
        conn.fetch(sql).await?.first().map(config_of).transpose()
    }

    /// Store `c` under every key in one statement; with `replace` existing names are
    /// overwritten, else left alone. The number of rows written.
    async fn write_configs<C: Conn>(
        &self,
        conn: &mut C,
        keys: &[BootKey],
        c: &BootConfig,
        replace: bool,
    ) -> Result<u64> {
        if keys.is_empty() {
            return Ok(0);
        }
        let unique: std::collections::BTreeSet<&BootKey> = keys.iter().collect();
        let cloud_init = to_json(&c.cloud_init)?;
        let data: Vec<serde_json::Value> = unique
            .iter()
            .map(|k| {
                let (kind, name) = key_cols(k);
                serde_json::json!([kind, name])
            })
            .collect();
        let mut sql = self.sql("INSERT INTO boot_params (kind, name, kernel, initrd, params, cloud_init) SELECT k.c0, k.c1, ", vec![]);
        sql.bind(c.kernel.clone())
            .push(", ")
            .bind(c.initrd.clone())
            .push(", ")
            .bind(c.params.clone())
            .push(", ");
        sql.bind(Val::Json(Some(cloud_init))).push(" FROM (");
        sql.rows_source(&[ColType::Text, ColType::Text], to_json(&data)?);
        sql.push(") AS k WHERE true ON CONFLICT (kind, name) DO ");
        sql.push(if replace {
            "UPDATE SET kernel = excluded.kernel, initrd = excluded.initrd, params = excluded.params, \
             cloud_init = excluded.cloud_init"
        } else {
            "NOTHING"
        });
        conn.execute(sql).await
    }
}

#[async_trait]
impl<B: Backend> BootStore for SqlStore<B> {
    async fn add_boot_params(&self, params: &BootParams) -> Result<()> {
        let (bp, keys) = BootKey::normalized(params)?;
        let config = BootConfig::of(&bp);
        write_tx!(self, |tx| {
            let added = self.write_configs(&mut tx, &keys, &config, false).await?;
            match keys.first() {
                Some(first) if added == 0 => Err(StoreError::conflict(
                    ConflictKind::boot(first),
                    first.name(),
                    "boot parameters already exist for every name given",
                )),
                _ => Ok(()),
            }
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
        let config = BootConfig::of(&bp);
        write_tx!(self, |tx| self
            .write_configs(&mut tx, &keys, &config, true)
            .await
            .map(|_| ()))
    }

    async fn update_boot_params(&self, params: &BootParams) -> Result<()> {
        let (bp, keys) = BootKey::normalized(params)?;
        write_tx!(self, |tx| {
            let mut found = Vec::with_capacity(keys.len());
            for k in &keys {
                match self.read_config(&mut tx, k, true).await? {
                    Some(c) => found.push(c),
                    None => return Err(StoreError::not_found(Record::BootParams, k.name())),
                }
            }
            // A name given twice is patched once.
            let mut seen = std::collections::HashSet::new();
            for (k, mut c) in keys.iter().zip(found) {
                if !seen.insert(k) {
                    continue;
                }
                c.patch(&bp);
                self.write_configs(&mut tx, std::slice::from_ref(k), &c, true)
                    .await?;
            }
            Ok(())
        })
    }

    async fn delete_boot_params(&self, params: &BootParams) -> Result<u64> {
        let (_, keys) = BootKey::normalized(params)?;
        write_tx!(self, |tx| {
            let mut n = 0;
            let unique: std::collections::BTreeSet<&BootKey> = keys.iter().collect();
            for k in unique {
                let (kind, name) = key_cols(k);
                n += tx
                    .execute(self.sql(
                        "DELETE FROM boot_params WHERE kind = $1 AND name = $2",
                        vec![kind.into(), name.into()],
                    ))
                    .await?;
            }
            Ok(n)
        })
    }

    async fn list_boot_params(&self, query: &BootParams) -> Result<Vec<BootParams>> {
        let named = !(query.hosts.is_empty() && query.macs.is_empty() && query.nids.is_empty());
        let mut sql = self.sql(
            "SELECT kernel, initrd, params, cloud_init, kind, name FROM boot_params",
            vec![],
        );
        if named {
            let (_, keys) = BootKey::normalized(query)?;
            let names: Vec<String> = keys
                .iter()
                .map(|k| format!("{}/{}", key_cols(k).0, key_cols(k).1))
                .collect();
            sql.push(" WHERE (kind || '/' || name)");
            sql.in_list(names);
        }
        let rows = self.fetch(sql).await?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok((
                    key_of(r.text(4)?.as_deref(), rows::req_text(r, 5, "boot name")?)?,
                    config_of(r)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(BootConfig::group(entries))
    }

    async fn get_boot_config(&self, key: &BootKey) -> Result<Option<BootConfig>> {
        let mut conn = self.backend.conn().await?;
        self.read_config(&mut conn, key, false).await
    }

    async fn list_boot_configurations(&self) -> Result<Vec<BootConfiguration>> {
        self.all_boot_configurations().await
    }

    async fn get_boot_service_configuration(&self, uid: &str) -> Result<Option<BootConfiguration>> {
        self.boot_service_configuration(uid).await
    }

    async fn create_boot_configuration(&self, config: &BootConfiguration) -> Result<()> {
        self.write_boot_configuration(config, false).await
    }

    async fn replace_boot_configuration(&self, config: &BootConfiguration) -> Result<()> {
        self.write_boot_configuration(config, true).await
    }

    async fn delete_boot_configuration(&self, uid: &str) -> Result<bool> {
        self.remove_boot_configuration(uid).await
    }

    async fn boot_configurations_for(
        &self,
        selection: &BootSelection,
    ) -> Result<Vec<BootConfiguration>> {
        self.boot_configurations_selecting(selection).await
    }

    async fn record_access(&self, access: &EndpointAccess) -> Result<()> {
        self.write_one(
            "INSERT INTO endpoint_access (name, endpoint, last_epoch) VALUES ($1, $2, $3) \
             ON CONFLICT (name, endpoint) DO UPDATE SET last_epoch = excluded.last_epoch",
            vec![
                access.name.clone().into(),
                access.endpoint.clone().into(),
                access.last_epoch.into(),
            ],
        )
        .await
        .map(|_| ())
    }

    async fn record_accesses(&self, accesses: &[EndpointAccess]) -> Result<()> {
        // One statement for the whole batch; a name and endpoint given twice keeps the
        // later entry (an upsert may not touch one row twice).
        let mut latest: std::collections::BTreeMap<(&str, &str), i64> =
            std::collections::BTreeMap::new();
        for a in accesses {
            latest.insert((a.name.as_str(), a.endpoint.as_str()), a.last_epoch);
        }
        if latest.is_empty() {
            return Ok(());
        }
        let data: Vec<serde_json::Value> = latest
            .iter()
            .map(|((name, endpoint), epoch)| serde_json::json!([name, endpoint, epoch]))
            .collect();
        let data = to_json(&data)?;
        write_tx!(self, |tx| {
            let mut sql = self.sql(
                "INSERT INTO endpoint_access (name, endpoint, last_epoch) SELECT k.c0, k.c1, k.c2 FROM (",
                vec![],
            );
            sql.rows_source(&[ColType::Text, ColType::Text, ColType::Int], data.clone());
            sql.push(
                ") AS k WHERE true ON CONFLICT (name, endpoint) DO UPDATE SET last_epoch = excluded.last_epoch",
            );
            tx.execute(sql).await.map(|_| ())
        })
    }

    async fn list_access(
        &self,
        name: Option<&str>,
        endpoint: Option<&str>,
    ) -> Result<Vec<EndpointAccess>> {
        let mut sql = self.sql(
            "SELECT name, endpoint, last_epoch FROM endpoint_access WHERE true",
            vec![],
        );
        if let Some(n) = name {
            sql.push(" AND name = ").bind(n);
        }
        if let Some(e) = endpoint {
            sql.push(" AND endpoint = ").bind(e);
        }
        let mut out = self
            .fetch(sql)
            .await?
            .iter()
            .map(|r| {
                Ok(EndpointAccess {
                    name: rows::req_text(r, 0, "access name")?,
                    endpoint: rows::req_text(r, 1, "access endpoint")?,
                    last_epoch: r.int(2)?.unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| (&a.name, &a.endpoint).cmp(&(&b.name, &b.endpoint)));
        Ok(out)
    }
}
