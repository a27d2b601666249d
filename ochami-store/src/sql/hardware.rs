//! Hardware by location on SQL: one row per location, its JSON beside the lowercased FRU
//! fields SMD filters on and the owning node, so [`HardwareFilter`]s and the replacement of
//! a node's parts are single statements.

use ochami_core::{HardwareFilter, HardwareRecord, Xname};

use super::SqlStore;
use super::driver::{Backend, Conn, Val};
use super::rows::to_json;
use crate::Result;

fn key(s: &str) -> Val {
    if s.is_empty() {
        Val::Text(None)
    } else {
        Val::Text(Some(s.to_lowercase()))
    }
}

fn keys(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.to_lowercase()).collect()
}

impl<B: Backend> SqlStore<B> {
    /// Insert or replace one location.
    pub(super) async fn write_hardware<C: Conn>(
        &self,
        tx: &mut C,
        h: &HardwareRecord,
    ) -> Result<()> {
        tx.execute(self.sql(
            "INSERT INTO hardware (id, type, payload, fru_id, manufacturer, part_number, serial_number, node) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET type = excluded.type, payload = excluded.payload, \
             fru_id = excluded.fru_id, manufacturer = excluded.manufacturer, \
             part_number = excluded.part_number, serial_number = excluded.serial_number, \
             node = excluded.node",
            vec![
                h.id.to_string().into(),
                h.hms_type().to_string().into(),
                Val::Json(Some(to_json(h)?)),
                key(h.fru_id().unwrap_or_default()),
                key(h.manufacturer()),
                key(h.part_number()),
                key(h.serial_number()),
                Val::Text(h.owning_node().map(|n| n.to_string())),
            ],
        ))
        .await
        .map(|_| ())
    }

    /// Remove the part records of `node` that are not in `keep` (a re-discovery that no
    /// longer finds a DIMM drops its slot's old record).
    pub(super) async fn prune_node_parts<C: Conn>(
        &self,
        tx: &mut C,
        node: &Xname,
        keep: Vec<String>,
    ) -> Result<()> {
        let mut sql = self.sql("DELETE FROM hardware WHERE node = ", vec![]);
        sql.bind(node.to_string()).push(" AND NOT (id");
        sql.in_list(keep).push(")");
        tx.execute(sql).await.map(|_| ())
    }

    /// The locations matching `filter`, sorted by xname.
    pub(super) async fn select_hardware(&self, f: &HardwareFilter) -> Result<Vec<HardwareRecord>> {
        let mut sql = self.sql("SELECT payload FROM hardware WHERE true", vec![]);
        let lists: [(&str, Vec<String>); 6] = [
            ("id", f.ids.iter().map(Xname::to_string).collect()),
            ("type", f.types.iter().map(ToString::to_string).collect()),
            ("manufacturer", keys(&f.manufacturer)),
            ("part_number", keys(&f.part_number)),
            ("serial_number", keys(&f.serial_number)),
            ("fru_id", keys(&f.fru_id)),
        ];
        for (col, values) in lists {
            if !values.is_empty() {
                sql.push(" AND ").push(col);
                sql.in_list(values);
            }
        }
        if let Some(u) = &f.under {
            // A superset by text prefix (x1c0s1 also matches x1c0s10); the exact rule below.
            sql.push(" AND id LIKE ").bind(format!("{u}%"));
        }
        let mut out: Vec<HardwareRecord> = self.payloads("hardware record", sql).await?;
        if let Some(u) = &f.under {
            out.retain(|h| u.smd_prefix_contains(&h.id));
        }
        out.sort_by_key(|h| h.id);
        Ok(out)
    }
}
