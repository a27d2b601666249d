//! Boot-service configurations on SQL: one `boot_configurations` row per uid (the spec as
//! JSON) and its selectors in `boot_selectors`, so the candidates of a node are index
//! look-ups (migration 0004). BSS rows stay in `boot_params` and are listed as
//! configurations with one selector ([`BootConfiguration::of_bss`]).

use std::collections::BTreeMap;

use ochami_core::{BootConfiguration, BootConfigurationSpec, BootOrigin, BootSelection};

use super::boot::{config_at, key_of};
use super::driver::{Backend, Conn, SqlRow, Val};
use super::rows::{self, from_json, to_json};
use super::{SqlStore, write_tx};
use crate::boot::checked;
use crate::{ConflictKind, Record, Result, StoreError};

const COLS: &str =
    "SELECT uid, name, spec, labels, annotations, created_at, updated_at FROM boot_configurations";

fn configuration(r: &impl SqlRow) -> Result<BootConfiguration> {
    let spec: BootConfigurationSpec = from_json("boot configuration spec", r.json(2)?)?;
    let labels: BTreeMap<String, String> = from_json("boot configuration labels", r.json(3)?)?;
    let annotations: BTreeMap<String, String> =
        from_json("boot configuration annotations", r.json(4)?)?;
    Ok(BootConfiguration {
        uid: rows::req_text(r, 0, "boot configuration uid")?,
        name: r.text(1)?.unwrap_or_default(),
        origin: BootOrigin::BootService,
        spec,
        cloud_init: Default::default(),
        labels,
        annotations,
        created_at: r.text(5)?.filter(|t| !t.is_empty()),
        updated_at: r.text(6)?.filter(|t| !t.is_empty()),
    })
}

/// `(kind, value)` of every selector of a spec.
fn selectors(spec: &BootConfigurationSpec) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for h in &spec.hosts {
        out.push((if h.ends_with('*') { "pattern" } else { "host" }, h.clone()));
    }
    out.extend(spec.macs.iter().map(|m| ("mac", m.clone())));
    out.extend(spec.nids.iter().map(|n| ("nid", n.to_string())));
    out.extend(spec.groups.iter().map(|g| ("group", g.clone())));
    out.sort();
    out.dedup();
    out
}

impl<B: Backend> SqlStore<B> {
    /// Every boot-service configuration by uid, then every BSS row as a configuration.
    pub(super) async fn all_boot_configurations(&self) -> Result<Vec<BootConfiguration>> {
        let mut tx = self.backend.begin_read().await?;
        let mut sql = self.sql(COLS, vec![]);
        sql.push(" ORDER BY uid");
        let mut out = tx
            .fetch(sql)
            .await?
            .iter()
            .map(configuration)
            .collect::<Result<Vec<_>>>()?;
        let bss = tx
            .fetch(self.sql(
                "SELECT kernel, initrd, params, cloud_init, kind, name FROM boot_params",
                vec![],
            ))
            .await?;
        let mut rows_bss = bss
            .iter()
            .map(|r| {
                Ok((
                    key_of(r.text(4)?.as_deref(), rows::req_text(r, 5, "boot name")?)?,
                    config_at(r, 0)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        rows_bss.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(
            rows_bss
                .into_iter()
                .map(|(k, c)| BootConfiguration::of_bss(k, c)),
        );
        Ok(out)
    }

    /// One boot-service configuration.
    pub(super) async fn boot_service_configuration(
        &self,
        uid: &str,
    ) -> Result<Option<BootConfiguration>> {
        let mut sql = self.sql(COLS, vec![]);
        sql.push(" WHERE uid = ").bind(uid);
        self.fetch(sql)
            .await?
            .first()
            .map(configuration)
            .transpose()
    }

    /// Insert (`replace` false: a present uid is a conflict) or replace (`replace` true: an
    /// absent uid is NotFound) a configuration and its selectors, in one transaction.
    pub(super) async fn write_boot_configuration(
        &self,
        config: &BootConfiguration,
        replace: bool,
    ) -> Result<()> {
        let c = checked(config)?;
        write_tx!(self, |tx| {
            let mut exists = self.sql("SELECT uid FROM boot_configurations WHERE uid = ", vec![]);
            exists.bind(c.uid.clone());
            exists.for_update();
            let found = !tx.fetch(exists).await?.is_empty();
            match (found, replace) {
                (true, false) => Err(StoreError::conflict(
                    ConflictKind::BootUid,
                    c.uid.clone(),
                    "a boot configuration with this uid exists",
                )),
                (false, true) => Err(StoreError::not_found(
                    Record::BootConfiguration,
                    c.uid.clone(),
                )),
                _ => self.put_configuration_in(&mut tx, &c).await,
            }
        })
    }

    /// Store a checked configuration and its selectors on `tx`, replacing one with its uid.
    pub(super) async fn put_configuration_in<C: Conn>(
        &self,
        tx: &mut C,
        c: &BootConfiguration,
    ) -> Result<()> {
        tx.execute(self.sql(
            "DELETE FROM boot_selectors WHERE uid = $1",
            vec![c.uid.clone().into()],
        ))
        .await?;
        tx.execute(self.sql(
            "DELETE FROM boot_configurations WHERE uid = $1",
            vec![c.uid.clone().into()],
        ))
        .await?;
        tx.execute(self.sql(
            "INSERT INTO boot_configurations (uid, name, spec, labels, annotations, created_at, updated_at, catch_all) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            vec![
                c.uid.clone().into(),
                c.name.clone().into(),
                Val::Json(Some(to_json(&c.spec)?)),
                Val::Json(Some(to_json(&c.labels)?)),
                Val::Json(Some(to_json(&c.annotations)?)),
                c.created_at.clone().unwrap_or_default().into(),
                c.updated_at.clone().unwrap_or_default().into(),
                c.spec.is_catch_all().into(),
            ],
        ))
        .await?;
        for (kind, value) in selectors(&c.spec) {
            tx.execute(self.sql(
                "INSERT INTO boot_selectors (kind, value, uid) VALUES ($1, $2, $3)",
                vec![kind.into(), value.into(), c.uid.clone().into()],
            ))
            .await?;
        }
        Ok(())
    }

    /// Every boot-service configuration on `tx`, by uid (snapshots).
    pub(super) async fn configurations_in<C: Conn>(
        &self,
        tx: &mut C,
    ) -> Result<Vec<BootConfiguration>> {
        let mut sql = self.sql(COLS, vec![]);
        sql.push(" ORDER BY uid");
        tx.fetch(sql).await?.iter().map(configuration).collect()
    }

    /// Delete one boot-service configuration (its selectors with it).
    pub(super) async fn remove_boot_configuration(&self, uid: &str) -> Result<bool> {
        write_tx!(self, |tx| {
            tx.execute(self.sql(
                "DELETE FROM boot_selectors WHERE uid = $1",
                vec![uid.into()],
            ))
            .await?;
            Ok(tx
                .execute(self.sql(
                    "DELETE FROM boot_configurations WHERE uid = $1",
                    vec![uid.into()],
                ))
                .await?
                > 0)
        })
    }

    /// The boot-service configurations that may select a node: one statement over the
    /// selector index, then [`BootSelection::may_select`] for the exact rule.
    pub(super) async fn boot_configurations_selecting(
        &self,
        s: &BootSelection,
    ) -> Result<Vec<BootConfiguration>> {
        let mut sql = self.sql(COLS, vec![]);
        sql.push(" WHERE uid IN (SELECT uid FROM boot_selectors WHERE false");
        if !s.macs.is_empty() {
            sql.push(" OR (kind = 'mac' AND value");
            sql.in_list(s.macs.iter().map(ToString::to_string).collect());
            sql.push(")");
        }
        if let Some(x) = s.xname {
            sql.push(" OR (kind = 'host' AND value = ")
                .bind(x.to_string())
                .push(")");
            if s.known {
                sql.push(" OR (kind = 'pattern')");
            }
        }
        if let Some(n) = s.nid {
            sql.push(" OR (kind = 'nid' AND value = ")
                .bind(n.to_string())
                .push(")");
        }
        if !s.groups.is_empty() {
            sql.push(" OR (kind = 'group' AND value");
            sql.in_list(s.groups.clone());
            sql.push(")");
        }
        sql.push(")");
        if s.known {
            sql.push(" OR catch_all = ").bind(true);
        }
        sql.push(" ORDER BY uid");
        Ok(self
            .fetch(sql)
            .await?
            .iter()
            .map(configuration)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|c| s.may_select(&c.spec))
            .collect())
    }
}
