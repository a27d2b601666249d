//! cloud-init data in memory: group documents by (lower-case) name, node data by xname,
//! and the cluster defaults.

use async_trait::async_trait;
use ochami_core::Xname;
use ochami_core::cloud_init::{ClusterDefaults, GroupData, InstanceInfo, NodeData};

use super::MemoryStore;
use crate::{CloudInitStore, Result, StoreError};

#[async_trait]
impl CloudInitStore for MemoryStore {
    async fn get_group_data(&self, name: &str) -> Result<Option<GroupData>> {
        let name = ochami_core::Group::normalize_label(name)?;
        Ok(self.read(|t| t.group_data.get(&name).cloned()))
    }

    async fn list_group_data(&self) -> Result<Vec<GroupData>> {
        Ok(self.read(|t| t.group_data.values().cloned().collect()))
    }

    async fn put_group_data(&self, data: &GroupData) -> Result<()> {
        let mut data = data.clone();
        data.normalize()?;
        self.write_simple(|t| t.group_data.insert(data.name.clone(), data));
        Ok(())
    }

    async fn insert_group_data(&self, data: &GroupData) -> Result<()> {
        let mut data = data.clone();
        data.normalize()?;
        self.write_simple(|t| {
            if t.group_data.contains_key(&data.name) {
                return Err(StoreError::cloud_init_group_exists(&data.name));
            }
            t.group_data.insert(data.name.clone(), data);
            Ok(())
        })
    }

    async fn delete_group_data(&self, name: &str) -> Result<bool> {
        let name = ochami_core::Group::normalize_label(name)?;
        Ok(self.write_simple(|t| t.group_data.remove(&name).is_some()))
    }

    async fn get_node_data(&self, id: &Xname) -> Result<Option<NodeData>> {
        Ok(self.read(|t| t.node_data.get(id).cloned()))
    }

    async fn list_node_data(&self) -> Result<Vec<(Xname, NodeData)>> {
        Ok(self.read(|t| {
            t.node_data
                .iter()
                .map(|(id, d)| {
                    let mut d = d.clone();
                    d.id = Some(*id);
                    (*id, d)
                })
                .collect()
        }))
    }

    async fn put_node_data(&self, id: &Xname, data: &NodeData) -> Result<()> {
        let mut data = data.clone();
        // The record is stored under `id`, so it names `id`.
        data.id = Some(*id);
        self.write_simple(|t| t.node_data.insert(*id, data));
        Ok(())
    }

    async fn put_instance_info(&self, id: &Xname, info: &InstanceInfo) -> Result<()> {
        let mut info = info.clone();
        info.id = id.to_string();
        self.write_simple(|t| {
            let data = t.node_data.entry(*id).or_default();
            data.id = Some(*id);
            data.instance_info = info;
        });
        Ok(())
    }

    async fn delete_node_data(&self, id: &Xname) -> Result<bool> {
        Ok(self.write_simple(|t| t.node_data.remove(id).is_some()))
    }

    async fn get_cluster_defaults(&self) -> Result<ClusterDefaults> {
        Ok(self.read(|t| t.cluster_defaults.clone()))
    }

    async fn put_cluster_defaults(&self, defaults: &ClusterDefaults) -> Result<()> {
        self.write_simple(|t| t.cluster_defaults = defaults.clone());
        Ok(())
    }
}
