//! [`CloudInitStore`] on SQL: group data, node data and the cluster defaults, each one JSON
//! document keyed by name, xname or the single row `id = 1`.

use async_trait::async_trait;
use ochami_core::Xname;
use ochami_core::cloud_init::{ClusterDefaults, GroupData, InstanceInfo, NodeData};

use super::driver::{Backend, Conn, Dialect, SqlRow, Val};
use super::rows::{self, from_json, to_json};
use super::{SqlStore, write_tx};
use crate::{CloudInitStore, Result, StoreError};

/// The text of a query for every node's data, as [`node_data_rows`] reads it.
pub(super) const ALL_NODE_DATA: &str = "SELECT id, payload FROM cloud_init_nodes";

/// `(id, payload)` rows of `cloud_init_nodes` ([`ALL_NODE_DATA`]) as node data, each with
/// its id set, in xname order.
pub(super) fn node_data_rows<R: SqlRow>(found: &[R]) -> Result<Vec<(Xname, NodeData)>> {
    let mut nodes = found
        .iter()
        .map(|r| {
            let id = rows::xname(r, 0, "cloud-init node id")?;
            let mut d: NodeData = from_json("cloud-init node data", r.json(1)?)?;
            d.id = Some(id);
            Ok((id, d))
        })
        .collect::<Result<Vec<_>>>()?;
    nodes.sort_unstable_by_key(|(id, _)| *id);
    Ok(nodes)
}

#[async_trait]
impl<B: Backend> CloudInitStore for SqlStore<B> {
    async fn get_group_data(&self, name: &str) -> Result<Option<GroupData>> {
        let name = ochami_core::Group::normalize_label(name)?;
        self.payload(
            "cloud-init group data",
            "SELECT payload FROM cloud_init_groups WHERE name = $1",
            name,
        )
        .await
    }

    async fn list_group_data(&self) -> Result<Vec<GroupData>> {
        let sql = self.sql(
            "SELECT payload FROM cloud_init_groups ORDER BY name",
            vec![],
        );
        let mut out: Vec<GroupData> = self.payloads("cloud-init group data", sql).await?;
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    async fn put_group_data(&self, data: &GroupData) -> Result<()> {
        let mut g = data.clone();
        g.normalize()?;
        let payload = to_json(&g)?;
        self.write_one(
            "INSERT INTO cloud_init_groups (name, payload) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET payload = excluded.payload",
            vec![g.name.clone().into(), Val::Json(Some(payload))],
        )
        .await
        .map(|_| ())
    }

    async fn insert_group_data(&self, data: &GroupData) -> Result<()> {
        let mut g = data.clone();
        g.normalize()?;
        let payload = to_json(&g)?;
        let added = self
            .write_one(
                "INSERT INTO cloud_init_groups (name, payload) VALUES ($1, $2) \
                 ON CONFLICT (name) DO NOTHING",
                vec![g.name.clone().into(), Val::Json(Some(payload))],
            )
            .await?;
        if added == 0 {
            return Err(StoreError::cloud_init_group_exists(&g.name));
        }
        Ok(())
    }

    async fn delete_group_data(&self, name: &str) -> Result<bool> {
        let name = ochami_core::Group::normalize_label(name)?;
        self.delete_keyed("DELETE FROM cloud_init_groups WHERE name = $1", name)
            .await
    }

    async fn get_node_data(&self, id: &Xname) -> Result<Option<NodeData>> {
        self.payload(
            "cloud-init node data",
            "SELECT payload FROM cloud_init_nodes WHERE id = $1",
            id.to_string(),
        )
        .await
    }

    async fn list_node_data(&self) -> Result<Vec<(Xname, NodeData)>> {
        let found = self.fetch(self.sql(ALL_NODE_DATA, vec![])).await?;
        node_data_rows(&found)
    }

    async fn list_instance_infos(&self) -> Result<Vec<(Xname, InstanceInfo)>> {
        // Only the instance info: a listing across the machine need not read every
        // node's cloud-config.
        let text = match B::DIALECT {
            Dialect::Postgres => "SELECT id, payload -> 'instance-info' FROM cloud_init_nodes",
            Dialect::Sqlite => "SELECT id, payload -> '$.\"instance-info\"' FROM cloud_init_nodes",
        };
        let found = self.fetch(self.sql(text, vec![])).await?;
        let mut out = found
            .iter()
            .map(|r| {
                let id = rows::xname(r, 0, "cloud-init node id")?;
                // A record without instance info (NULL) has the default one.
                let info: Option<InstanceInfo> = r
                    .json(1)?
                    .map(|text| from_json("cloud-init instance info", Some(text)))
                    .transpose()?;
                let info = info.unwrap_or_default();
                Ok((id, info))
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_unstable_by_key(|(id, _)| *id);
        Ok(out)
    }

    async fn put_node_data(&self, id: &Xname, data: &NodeData) -> Result<()> {
        let mut data = data.clone();
        // The record is stored under `id`, so it names `id`.
        data.id = Some(*id);
        let payload = to_json(&data)?;
        self.write_one(
            "INSERT INTO cloud_init_nodes (id, payload) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET payload = excluded.payload",
            vec![id.to_string().into(), Val::Json(Some(payload))],
        )
        .await
        .map(|_| ())
    }

    async fn put_instance_info(&self, id: &Xname, info: &InstanceInfo) -> Result<()> {
        let mut info = info.clone();
        info.id = id.to_string();
        let fresh = to_json(&NodeData {
            id: Some(*id),
            instance_info: info.clone(),
            user_data: None,
        })?;
        write_tx!(self, |tx| {
            // A new node: one insert. Otherwise the row is locked (Postgres; SQLite's write
            // transaction holds the database) and only its instance info replaced.
            let added = tx
                .execute(self.sql(
                    "INSERT INTO cloud_init_nodes (id, payload) VALUES ($1, $2) \
                     ON CONFLICT (id) DO NOTHING",
                    vec![id.to_string().into(), Val::Json(Some(fresh.clone()))],
                ))
                .await?;
            if added > 0 {
                return Ok(());
            }
            let mut sql = self.sql(
                "SELECT payload FROM cloud_init_nodes WHERE id = $1",
                vec![id.to_string().into()],
            );
            sql.for_update();
            let rows = tx.fetch(sql).await?;
            let mut data: NodeData = match rows.first() {
                Some(r) => from_json("cloud-init node data", r.json(0)?)?,
                None => NodeData::default(),
            };
            data.id = Some(*id);
            data.instance_info = info.clone();
            tx.execute(self.sql(
                "INSERT INTO cloud_init_nodes (id, payload) VALUES ($1, $2) \
                 ON CONFLICT (id) DO UPDATE SET payload = excluded.payload",
                vec![id.to_string().into(), Val::Json(Some(to_json(&data)?))],
            ))
            .await
            .map(|_| ())
        })
    }

    async fn delete_node_data(&self, id: &Xname) -> Result<bool> {
        self.delete_keyed("DELETE FROM cloud_init_nodes WHERE id = $1", id.to_string())
            .await
    }

    async fn get_cluster_defaults(&self) -> Result<ClusterDefaults> {
        let rows = self
            .fetch(self.sql(
                "SELECT payload FROM cloud_init_defaults WHERE id = 1",
                vec![],
            ))
            .await?;
        match rows.first() {
            Some(r) => from_json("cloud-init cluster defaults", r.json(0)?),
            None => Ok(ClusterDefaults::default()),
        }
    }

    async fn put_cluster_defaults(&self, defaults: &ClusterDefaults) -> Result<()> {
        let payload = to_json(defaults)?;
        self.write_one(
            "INSERT INTO cloud_init_defaults (id, payload) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET payload = excluded.payload",
            vec![Val::Json(Some(payload))],
        )
        .await
        .map(|_| ())
    }
}
