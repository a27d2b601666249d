//! Hardware by location on SQL: one row per location, its JSON beside the lowercased FRU
//! fields SMD filters on and the owning node, so [`HardwareFilter`]s and the replacement of
//! a node's parts are single statements. Writes are multi-row: a discovery of thousands of
//! parts is a few statements, not one per part. On SQLite the table is clustered by
//! `(type, id)` (a type's records are one range) with a unique index on `id`.

use ochami_core::{HardwareFilter, HardwareJson, HardwareRecord, HmsType, Xname};

use std::collections::HashMap;

use super::SqlStore;
use super::driver::{Backend, Conn, Dialect, Sql, SqlRow, Val};
use super::rows::{corrupt, to_json};
use crate::Result;
use crate::hardware::parts_by_node;

fn keys(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.to_lowercase()).collect()
}

/// Records a bulk insert carries in one statement (one bound JSON parameter each way, so
/// no driver limit on parameters applies; this bounds the statement's memory).
const RECORDS_PER_STATEMENT: usize = 5_000;

/// The row of `h` as a JSON array in the column order of [`SqlStore::write_hardware`].
fn row(h: &HardwareRecord) -> Result<serde_json::Value> {
    let key = |s: &str| (!s.is_empty()).then(|| s.to_lowercase());
    Ok(serde_json::json!([
        h.id.to_string(),
        h.hms_type().to_string(),
        to_json(h)?,
        key(h.fru_id().unwrap_or_default()),
        key(h.manufacturer()),
        key(h.part_number()),
        key(h.serial_number()),
        h.owning_node().map(|n| n.to_string()),
    ]))
}

impl<B: Backend> SqlStore<B> {
    /// Insert or replace one location.
    pub(super) async fn write_hardware<C: Conn>(
        &self,
        tx: &mut C,
        h: &HardwareRecord,
    ) -> Result<()> {
        self.write_hardware_batch(tx, std::slice::from_ref(h)).await
    }

    /// Insert or replace many locations: multi-row upserts of [`RECORDS_PER_STATEMENT`]
    /// rows, each row set bound as one JSON array. When an id appears more than once the
    /// last record wins, as with one write per record.
    pub(super) async fn write_hardware_batch<C: Conn>(
        &self,
        tx: &mut C,
        records: &[HardwareRecord],
    ) -> Result<()> {
        let mut last: HashMap<Xname, usize> = HashMap::with_capacity(records.len());
        for (i, h) in records.iter().enumerate() {
            last.insert(h.id, i);
        }
        let unique: Vec<&HardwareRecord> = records
            .iter()
            .enumerate()
            .filter(|(i, h)| last.get(&h.id) == Some(i))
            .map(|(_, h)| h)
            .collect();
        for chunk in unique.chunks(RECORDS_PER_STATEMENT) {
            let rows = chunk.iter().map(|h| row(h)).collect::<Result<Vec<_>>>()?;
            let mut sql = self.sql(
                "INSERT INTO hardware (id, type, payload, fru_id, manufacturer, part_number, serial_number, node) ",
                vec![],
            );
            // The payload travels as JSON text inside the row array.
            match sql.dialect {
                Dialect::Postgres => sql.push(
                    "SELECT r.v->>0, r.v->>1, (r.v->>2)::json, r.v->>3, r.v->>4, r.v->>5, \
                     r.v->>6, r.v->>7 FROM jsonb_array_elements(",
                ),
                Dialect::Sqlite => sql.push(
                    "SELECT r.value->>0, r.value->>1, r.value->>2, r.value->>3, r.value->>4, \
                     r.value->>5, r.value->>6, r.value->>7 FROM json_each(",
                ),
            };
            sql.bind(Val::Rows(to_json(&rows)?));
            sql.push(match sql.dialect {
                Dialect::Postgres => ") AS r(v) WHERE true",
                Dialect::Sqlite => ") AS r WHERE true",
            });
            sql.push(
                " ON CONFLICT (id) DO UPDATE SET type = excluded.type, payload = excluded.payload, \
                 fru_id = excluded.fru_id, manufacturer = excluded.manufacturer, \
                 part_number = excluded.part_number, serial_number = excluded.serial_number, \
                 node = excluded.node",
            );
            tx.execute(sql).await?;
        }
        Ok(())
    }

    /// For every node whose parts appear among `records`, remove its part records that are
    /// not among them (a re-discovery that no longer finds a DIMM drops its slot's old
    /// record); nodes without parts in `records` keep theirs. One statement for all nodes:
    /// a part belongs to one node, so "not kept by its own node" is "not kept by any".
    pub(super) async fn prune_parts<C: Conn>(
        &self,
        tx: &mut C,
        records: &[HardwareRecord],
    ) -> Result<()> {
        let by_node = parts_by_node(records);
        if by_node.is_empty() {
            return Ok(());
        }
        let nodes: Vec<String> = by_node.keys().map(Xname::to_string).collect();
        let keep: Vec<String> = by_node.into_values().flatten().collect();
        let mut sql = self.sql("DELETE FROM hardware WHERE node", vec![]);
        sql.in_list(nodes).push(" AND NOT (id");
        sql.in_list(keep).push(")");
        tx.execute(sql).await.map(|_| ())
    }

    /// `SELECT <columns> FROM hardware` with the terms of `f`. The subtree term is a text
    /// prefix, a superset (x1c0s1 also matches x1c0s10): callers finish it with SMD's rule.
    fn hardware_query(&self, columns: &'static str, f: &HardwareFilter) -> Sql {
        let mut sql = self.sql(columns, vec![]);
        sql.push(" FROM hardware WHERE true");
        // A subtree on SQLite, any type: one range of the clustered key per type (a few
        // dozen probes) reads the records in place, where the id index would cost a
        // look-up per record.
        let types: &[HmsType] = match (f.types.is_empty(), f.under, sql.dialect) {
            (true, Some(_), Dialect::Sqlite) => HmsType::ALL,
            _ => &f.types,
        };
        let lists: [(&str, Vec<String>); 6] = [
            ("id", f.ids.iter().map(Xname::to_string).collect()),
            ("type", types.iter().map(ToString::to_string).collect()),
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
            // Prefix matches the primary key's index can answer: SQLite's LIKE ignores case
            // and so cannot use it, GLOB (case-sensitive, xnames are lower case) can;
            // Postgres' LIKE uses `hardware_id_prefix` (text_pattern_ops) whatever the
            // database's collation.
            match sql.dialect {
                Dialect::Sqlite => sql.push(" AND id GLOB ").bind(format!("{u}*")),
                Dialect::Postgres => sql.push(" AND id LIKE ").bind(format!("{u}%")),
            };
        }
        sql
    }

    /// The locations matching `filter`, sorted by xname.
    pub(super) async fn select_hardware(&self, f: &HardwareFilter) -> Result<Vec<HardwareRecord>> {
        let sql = self.hardware_query("SELECT payload", f);
        let mut out: Vec<HardwareRecord> = self.payloads("hardware record", sql).await?;
        if let Some(u) = &f.under {
            out.retain(|h| u.smd_prefix_contains(&h.id));
        }
        out.sort_by_key(|h| h.id);
        Ok(out)
    }

    /// What [`Self::select_hardware`] finds, as the stored JSON text of each record (never
    /// decoded; Postgres keeps it verbatim in a `json` column). The database joins each
    /// type's rows into one text of `id TAB payload` lines (a stored payload is compact JSON,
    /// which holds no raw tab or newline), so a list of 100,000 records is a few rows for
    /// the driver, not 100,000. One type's text is bounded by the databases' 1 GB limit on
    /// a value: about 2,000,000 records of one type.
    pub(super) async fn select_hardware_json(
        &self,
        f: &HardwareFilter,
    ) -> Result<Vec<HardwareJson>> {
        let columns = match B::DIALECT {
            Dialect::Postgres => "SELECT string_agg(id || chr(9) || payload::text, chr(10))",
            Dialect::Sqlite => "SELECT group_concat(id || char(9) || payload, char(10))",
        };
        let mut sql = self.hardware_query(columns, f);
        sql.push(" GROUP BY type");
        let mut out = Vec::new();
        for row in self.fetch(sql).await? {
            let Some(lines) = row.text(0)? else { continue };
            for line in lines.split('\n') {
                let (id, json) = line
                    .split_once('\t')
                    .ok_or_else(|| corrupt("hardware record", "a row without its id"))?;
                let id: Xname = id.parse().map_err(|e| corrupt("hardware record", e))?;
                if f.under.is_none_or(|u| u.smd_prefix_contains(&id)) {
                    out.push(HardwareJson {
                        id,
                        json: json.to_owned(),
                    });
                }
            }
        }
        out.sort_unstable_by_key(|h| h.id);
        Ok(out)
    }
}
