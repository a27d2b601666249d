//! `ochami.Store`: an `Arc<dyn ochami_store::Store>` with Pythonic methods. Records go in
//! and come out as dicts in their OpenCHAMI wire form; collections come back as
//! [`Rows`]. Every call runs on the shared runtime with the GIL released.

use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use ochami_core::cloud_init::{ClusterDefaults, GroupData, NodeData};
use ochami_core::ingest::Inventory;
use ochami_core::{
    BootParams, Component, EthernetInterface, Group, HmsType, Partition, RedfishEndpoint,
};
use ochami_store::StoreError;
use ochami_store::snapshot::{ImportMode, export_snapshot, import_snapshot};
use ochami_store::{ComponentUpdate, Store};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use serde::Serialize;

use crate::args::{component_filter, hardware_filter, xname_arg, xnames};
use crate::convert::{dict_of, json_of, record, records};
use crate::errors::{Family, err, store_err};
use crate::hardware::hardware_rows;
use crate::inventory_args::{
    boot_names, component_endpoint_filter, ethernet_interface_filter, flag_arg, mac_arg, nid_pairs,
    redfish_endpoint_filter, role_and_sub_role, state_and_flag,
};
use crate::rows::Rows;
use crate::runtime::run;

/// An inventory and boot store: ``memory:``, ``sqlite://path`` or ``postgres://...``.
#[pyclass(name = "Store", module = "ochami", frozen)]
pub(crate) struct PyStore {
    pub(crate) inner: Arc<dyn Store>,
    /// The URL with any password removed.
    url: String,
}

/// Runs a store call and maps its error.
fn call<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = ochami_store::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    run(py, fut)?.map_err(store_err)
}

pub(crate) fn rows<T: Serialize>(kind: &str, items: &[T]) -> PyResult<Rows> {
    let values = items
        .iter()
        .map(json_of)
        .collect::<PyResult<Vec<String>>>()?;
    Ok(Rows::new(kind, values))
}

#[pymethods]
impl PyStore {
    /// Opens (and migrates) a store.
    #[staticmethod]
    fn open(py: Python<'_>, url: &Bound<'_, PyString>) -> PyResult<PyStore> {
        let url = url.to_str()?.to_owned();
        let redacted = ochami_store::redact(&url);
        let inner = call(py, async move { ochami_store::open(&url).await })?;
        Ok(PyStore {
            inner,
            url: redacted,
        })
    }

    /// ``"memory"``, ``"sqlite"`` or ``"postgres"``.
    #[getter]
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    /// The URL it was opened with, password removed.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// Checks that the database answers.
    fn ping(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, move |s| async move { s.ping().await })
    }

    fn __repr__(&self) -> String {
        format!(
            "Store(backend='{}', url='{}')",
            self.inner.backend(),
            self.url
        )
    }

    // ---- components ----

    /// Components matching SMD's query parameters, sorted by xname.
    #[pyo3(signature = (**filters))]
    fn components(&self, py: Python<'_>, filters: Option<&Bound<'_, PyDict>>) -> PyResult<Rows> {
        let f = component_filter(filters)?;
        let projection = f.projection;
        let mut found = self.with(py, move |s| async move { s.list_components(&f).await })?;
        if let Some(p) = projection {
            found = found.iter().map(|c| p.apply(c)).collect();
        }
        rows("components", &found)
    }

    /// One component as a dict, or ``None``.
    fn component<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let id = xname_arg(id)?;
        self.one_of(py, move |s| async move { s.get_component(&id).await })
    }

    /// SMD's bulk ``POST /State/Components``: inserts new components; existing ones are
    /// kept unless ``force``. All or nothing.
    #[pyo3(signature = (components, *, force = false))]
    fn add_components(
        &self,
        py: Python<'_>,
        components: &Bound<'_, PyAny>,
        force: bool,
    ) -> PyResult<()> {
        let cs: Vec<Component> = records(components, "component")?;
        self.with(
            py,
            move |s| async move { s.upsert_components(&cs, force).await },
        )
    }

    /// Creates or replaces one component.
    fn put_component(&self, py: Python<'_>, component: &Bound<'_, PyAny>) -> PyResult<()> {
        let c: Component = record(component, "component")?;
        self.with(py, move |s| async move { s.put_component(&c).await })
    }

    /// Deletes one component; ``False`` when absent.
    fn delete_component(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let id = xname_arg(id)?;
        self.with(py, move |s| async move { s.delete_component(&id).await })
    }

    /// Deletes every component; the number removed.
    fn delete_all_components(&self, py: Python<'_>) -> PyResult<u64> {
        self.with(py, move |s| async move { s.delete_all_components().await })
    }

    /// SMD's ``StateData`` update of one or many components: every id must exist and every
    /// change must be allowed by SMD's state table unless ``force``. All or nothing.
    #[pyo3(signature = (ids, state, *, flag = None, force = false))]
    fn set_state(
        &self,
        py: Python<'_>,
        ids: &Bound<'_, PyAny>,
        state: &str,
        flag: Option<&str>,
        force: bool,
    ) -> PyResult<()> {
        let (state, flag) = state_and_flag(state, flag)?;
        let update = ComponentUpdate::State { state, flag, force };
        self.update(py, ids, update)
    }

    /// SMD's ``FlagOnly`` update.
    fn set_flag(&self, py: Python<'_>, ids: &Bound<'_, PyAny>, flag: &str) -> PyResult<()> {
        self.update(py, ids, ComponentUpdate::Flag(flag_arg(flag)?))
    }

    /// SMD's ``Enabled`` update.
    fn set_enabled(&self, py: Python<'_>, ids: &Bound<'_, PyAny>, enabled: bool) -> PyResult<()> {
        self.update(py, ids, ComponentUpdate::Enabled(enabled))
    }

    /// SMD's ``SoftwareStatus`` update (an empty string clears it).
    fn set_software_status(
        &self,
        py: Python<'_>,
        ids: &Bound<'_, PyAny>,
        status: String,
    ) -> PyResult<()> {
        self.update(py, ids, ComponentUpdate::SoftwareStatus(status))
    }

    /// SMD's ``Role`` update; ``sub_role`` is cleared when not given.
    #[pyo3(signature = (ids, role, *, sub_role = None))]
    fn set_role(
        &self,
        py: Python<'_>,
        ids: &Bound<'_, PyAny>,
        role: &str,
        sub_role: Option<&str>,
    ) -> PyResult<()> {
        let (role, sub_role) = role_and_sub_role(role, sub_role)?;
        self.update(py, ids, ComponentUpdate::Role { role, sub_role })
    }

    /// SMD's ``BulkNID``: ``{xname: nid}``; NIDs stay unique. All or nothing.
    fn set_nids(&self, py: Python<'_>, nids: &Bound<'_, PyDict>) -> PyResult<()> {
        let pairs = nid_pairs(nids)?;
        self.with(py, move |s| async move { s.set_nids(&pairs).await })
    }

    /// A picture of the nodes matching the component filters (``state``, ``role``, ``nid``,
    /// ...): a ``MachineView`` that notebooks show as SVG.
    #[pyo3(signature = (*, title = None, **filters))]
    fn machine_view<'py>(
        &self,
        py: Python<'py>,
        title: Option<String>,
        filters: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let f = crate::machine_view::node_filters(py, filters)?;
        let nodes = self.components(py, Some(&f))?;
        crate::machine_view::view(py, &nodes, title)
    }

    // ---- ethernet interfaces ----

    /// Ethernet interfaces, optionally filtered (each argument takes one value or a list).
    #[pyo3(signature = (*, mac = None, ip = None, network = None, component_id = None, r#type = None))]
    fn ethernet_interfaces(
        &self,
        py: Python<'_>,
        mac: Option<&Bound<'_, PyAny>>,
        ip: Option<&Bound<'_, PyAny>>,
        network: Option<&Bound<'_, PyAny>>,
        component_id: Option<&Bound<'_, PyAny>>,
        r#type: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Rows> {
        let f = ethernet_interface_filter(mac, ip, network, component_id, r#type)?;
        self.rows_of(py, "ethernet_interfaces", move |s| async move {
            s.list_ethernet_interfaces(&f).await
        })
    }

    /// One ethernet interface by MAC (any form), or ``None``.
    fn ethernet_interface<'py>(
        &self,
        py: Python<'py>,
        mac: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let mac = mac_arg(mac)?;
        self.one_of(
            py,
            move |s| async move { s.get_ethernet_interface(&mac).await },
        )
    }

    /// Adds one interface; an existing MAC raises ``StoreError``.
    fn add_ethernet_interface(&self, py: Python<'_>, interface: &Bound<'_, PyAny>) -> PyResult<()> {
        let i: EthernetInterface = record(interface, "ethernet interface")?;
        self.with(
            py,
            move |s| async move { s.insert_ethernet_interface(&i).await },
        )
    }

    /// Deletes one interface; ``False`` when absent.
    fn delete_ethernet_interface(&self, py: Python<'_>, mac: &str) -> PyResult<bool> {
        let mac = mac_arg(mac)?;
        self.with(py, move |s| async move {
            s.delete_ethernet_interface(&mac).await
        })
    }

    // ---- Redfish endpoints and discovered inventory ----

    /// Redfish endpoints (BMCs), optionally filtered.
    #[pyo3(signature = (*, id = None, fqdn = None, r#type = None, uuid = None, mac = None, ip = None, last_status = None))]
    #[allow(
        clippy::too_many_arguments,
        reason = "one keyword argument per SMD filter"
    )]
    fn redfish_endpoints(
        &self,
        py: Python<'_>,
        id: Option<&Bound<'_, PyAny>>,
        fqdn: Option<&Bound<'_, PyAny>>,
        r#type: Option<&Bound<'_, PyAny>>,
        uuid: Option<&Bound<'_, PyAny>>,
        mac: Option<&Bound<'_, PyAny>>,
        ip: Option<&Bound<'_, PyAny>>,
        last_status: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Rows> {
        let f = redfish_endpoint_filter(id, fqdn, r#type, uuid, mac, ip, last_status)?;
        self.rows_of(py, "redfish_endpoints", move |s| async move {
            s.list_redfish_endpoints(&f).await
        })
    }

    /// One Redfish endpoint, or ``None``.
    fn redfish_endpoint<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let id = xname_arg(id)?;
        self.one_of(
            py,
            move |s| async move { s.get_redfish_endpoint(&id).await },
        )
    }

    /// Creates or replaces one Redfish endpoint.
    fn put_redfish_endpoint(&self, py: Python<'_>, endpoint: &Bound<'_, PyAny>) -> PyResult<()> {
        let e: RedfishEndpoint = record(endpoint, "Redfish endpoint")?;
        self.with(py, move |s| async move { s.put_redfish_endpoint(&e).await })
    }

    /// Deletes an endpoint (its components become ``Empty``); ``False`` when absent.
    fn delete_redfish_endpoint(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let id = xname_arg(id)?;
        self.with(
            py,
            move |s| async move { s.delete_redfish_endpoint(&id).await },
        )
    }

    /// Component endpoints, optionally of one Redfish endpoint and/or HMS type.
    #[pyo3(signature = (*, redfish_endpoint = None, r#type = None))]
    fn component_endpoints(
        &self,
        py: Python<'_>,
        redfish_endpoint: Option<&Bound<'_, PyAny>>,
        r#type: Option<&str>,
    ) -> PyResult<Rows> {
        let f = component_endpoint_filter(redfish_endpoint, r#type)?;
        self.rows_of(py, "component_endpoints", move |s| async move {
            s.list_component_endpoints(&f).await
        })
    }

    /// Hardware inventory as flat rows (``xname``, ``type``, ``node``, ``manufacturer``,
    /// ``model``, ``serial``, ``fru_id``, ...), filtered by SMD's hardware parameters
    /// (``type``, ``manufacturer``, ``part_number``, ``serial_number``, ``fru_id``, ``id``).
    #[pyo3(signature = (**filters))]
    fn hardware(&self, py: Python<'_>, filters: Option<&Bound<'_, PyDict>>) -> PyResult<Rows> {
        let f = hardware_filter(filters)?;
        let found = self.with(py, move |s| async move { s.query_hardware(&f).await })?;
        hardware_rows(&found)
    }

    /// Hardware inventory in SMD's ``HWInvByLoc`` wire form, with the filters of
    /// [`hardware`](Self::hardware).
    #[pyo3(signature = (**filters))]
    fn hardware_records(
        &self,
        py: Python<'_>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Rows> {
        let f = hardware_filter(filters)?;
        self.rows_of(py, "hardware_records", move |s| async move {
            s.query_hardware(&f).await
        })
    }

    /// Stores a discovered inventory (a dict with ``endpoints``, ``components``,
    /// ``component_endpoints``, ``ethernet_interfaces``, ``hardware``) atomically.
    #[pyo3(signature = (inventory, *, force = false))]
    fn ingest(&self, py: Python<'_>, inventory: &Bound<'_, PyAny>, force: bool) -> PyResult<()> {
        let inv: Inventory = record(inventory, "inventory")?;
        self.ingest_inventory(py, inv, force)
    }

    // ---- groups and partitions ----

    /// All groups, sorted by label.
    fn groups(&self, py: Python<'_>) -> PyResult<Rows> {
        self.rows_of(py, "groups", move |s| async move {
            s.list_groups(&ochami_core::GroupFilter::default()).await
        })
    }

    /// One group, or ``None``.
    fn group<'py>(&self, py: Python<'py>, label: String) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.one_of(py, move |s| async move { s.get_group(&label).await })
    }

    /// Creates a group (``{"label": ..., "members": {"ids": [...]}}``).
    fn create_group(&self, py: Python<'_>, group: &Bound<'_, PyAny>) -> PyResult<()> {
        let g: Group = record(group, "group")?;
        self.with(py, move |s| async move { s.create_group(&g).await })
    }

    /// Deletes a group; ``False`` when absent.
    fn delete_group(&self, py: Python<'_>, label: String) -> PyResult<bool> {
        self.with(py, move |s| async move { s.delete_group(&label).await })
    }

    /// Adds a member to a group.
    fn add_group_member(
        &self,
        py: Python<'_>,
        label: String,
        id: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let id = xname_arg(id)?;
        self.with(
            py,
            move |s| async move { s.add_group_member(&label, &id).await },
        )
    }

    /// Removes a member from a group; ``False`` when it was not one.
    fn remove_group_member(
        &self,
        py: Python<'_>,
        label: String,
        id: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let id = xname_arg(id)?;
        self.with(py, move |s| async move {
            s.remove_group_member(&label, &id).await
        })
    }

    /// All partitions, sorted by name.
    fn partitions(&self, py: Python<'_>) -> PyResult<Rows> {
        self.rows_of(py, "partitions", move |s| async move {
            s.list_partitions(&ochami_core::GroupFilter::default())
                .await
        })
    }

    /// Creates a partition (``{"name": "p1", "members": {"ids": [...]}}``).
    fn create_partition(&self, py: Python<'_>, partition: &Bound<'_, PyAny>) -> PyResult<()> {
        let p: Partition = record(partition, "partition")?;
        self.with(py, move |s| async move { s.create_partition(&p).await })
    }

    /// Group and partition memberships of the components matching the filters.
    #[pyo3(signature = (**filters))]
    fn memberships(&self, py: Python<'_>, filters: Option<&Bound<'_, PyDict>>) -> PyResult<Rows> {
        let f = component_filter(filters)?;
        self.rows_of(py, "memberships", move |s| async move {
            s.list_memberships(&f).await
        })
    }

    // ---- boot parameters ----

    /// Stored boot parameters (names with identical configs grouped), optionally only
    /// those named by ``hosts``, ``macs`` or ``nids``.
    #[pyo3(signature = (*, hosts = None, macs = None, nids = None))]
    fn boot_params(
        &self,
        py: Python<'_>,
        hosts: Option<&Bound<'_, PyAny>>,
        macs: Option<&Bound<'_, PyAny>>,
        nids: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Rows> {
        let q = boot_names(hosts, macs, nids)?;
        self.rows_of(py, "boot_params", move |s| async move {
            s.list_boot_params(&q).await
        })
    }

    /// BSS ``PUT``: stores the config under every name, replacing what was there.
    fn set_boot_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<()> {
        let bp = boot_params_arg(params)?;
        self.with(py, move |s| async move { s.set_boot_params(&bp).await })
    }

    /// BSS ``POST``: stores the config under every name not yet present.
    fn add_boot_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<()> {
        let bp = boot_params_arg(params)?;
        self.with(py, move |s| async move { s.add_boot_params(&bp).await })
    }

    /// BSS ``PATCH``: updates the named entries (all must exist).
    fn update_boot_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<()> {
        let bp = boot_params_arg(params)?;
        self.with(py, move |s| async move { s.update_boot_params(&bp).await })
    }

    /// BSS ``DELETE``: removes every named entry; the number removed.
    fn delete_boot_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<u64> {
        let bp = boot_params_arg(params)?;
        self.with(py, move |s| async move { s.delete_boot_params(&bp).await })
    }

    // ---- cloud-init ----

    /// cloud-init group data of every group.
    fn cloud_init_groups(&self, py: Python<'_>) -> PyResult<Rows> {
        self.rows_of(py, "cloud_init_groups", move |s| async move {
            s.list_group_data().await
        })
    }

    /// Creates or replaces one group's cloud-init data.
    fn put_cloud_init_group(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let g: GroupData = record(data, "cloud-init group data")?;
        self.with(py, move |s| async move { s.put_group_data(&g).await })
    }

    /// One node's cloud-init data, or ``None``.
    fn cloud_init_node<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let id = xname_arg(id)?;
        self.one_of(py, move |s| async move { s.get_node_data(&id).await })
    }

    /// Creates or replaces one node's cloud-init data.
    fn put_cloud_init_node(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let id = xname_arg(id)?;
        let d: NodeData = record(data, "cloud-init node data")?;
        self.with(py, move |s| async move { s.put_node_data(&id, &d).await })
    }

    /// The cloud-init cluster defaults.
    fn cluster_defaults<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let found = self.with(py, |s| async move { s.get_cluster_defaults().await })?;
        dict_of(py, &found)
    }

    /// Replaces the cloud-init cluster defaults.
    fn set_cluster_defaults(&self, py: Python<'_>, defaults: &Bound<'_, PyAny>) -> PyResult<()> {
        let d: ClusterDefaults = record(defaults, "cluster defaults")?;
        self.with(py, move |s| async move { s.put_cluster_defaults(&d).await })
    }

    /// Writes a snapshot of everything the store holds to `path` (versioned JSON Lines, read
    /// in one consistent view; BMC passwords left out); returns the count per record kind.
    fn export<'py>(&self, py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyAny>> {
        let counts = self.with(py, move |s| async move {
            let file = std::fs::File::create(&path).map_err(StoreError::SnapshotIo)?;
            export_snapshot(s.as_ref(), std::io::BufWriter::new(file)).await
        })?;
        dict_of(py, &counts.0)
    }

    /// Loads a snapshot written by [`export`](Self::export) (or `ochami store export`) in one
    /// transaction: merged by key, or with `replace=True` the store ends up holding exactly
    /// the snapshot. A bad or truncated file imports nothing and names its line.
    #[pyo3(signature = (path, *, replace = false))]
    fn import_<'py>(
        &self,
        py: Python<'py>,
        path: PathBuf,
        replace: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mode = if replace {
            ImportMode::Replace
        } else {
            ImportMode::Merge
        };
        let counts = self.with(py, move |s| async move {
            let file = std::fs::File::open(&path).map_err(StoreError::SnapshotIo)?;
            import_snapshot(s.as_ref(), std::io::BufReader::new(file), mode).await
        })?;
        dict_of(py, &counts.0)
    }
}

impl PyStore {
    /// Runs `op` on the store on the shared runtime (GIL released), mapping its error.
    pub(crate) fn with<T, Fut>(
        &self,
        py: Python<'_>,
        op: impl FnOnce(Arc<dyn Store>) -> Fut,
    ) -> PyResult<T>
    where
        Fut: Future<Output = ochami_store::Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        call(py, op(self.inner.clone()))
    }

    /// [`with`](Self::with) for a listing: the records as [`Rows`] of `kind`.
    fn rows_of<T, Fut>(
        &self,
        py: Python<'_>,
        kind: &str,
        op: impl FnOnce(Arc<dyn Store>) -> Fut,
    ) -> PyResult<Rows>
    where
        Fut: Future<Output = ochami_store::Result<Vec<T>>> + Send + 'static,
        T: Serialize + Send + 'static,
    {
        rows(kind, &self.with(py, op)?)
    }

    /// [`with`](Self::with) for a look-up: the record as a dict, or `None`.
    fn one_of<'py, T, Fut>(
        &self,
        py: Python<'py>,
        op: impl FnOnce(Arc<dyn Store>) -> Fut,
    ) -> PyResult<Option<Bound<'py, PyAny>>>
    where
        Fut: Future<Output = ochami_store::Result<Option<T>>> + Send + 'static,
        T: Serialize + Send + 'static,
    {
        self.with(py, op)?.map(|x| dict_of(py, &x)).transpose()
    }

    /// Applies one bulk update to `ids` (one xname or a list of them).
    fn update(
        &self,
        py: Python<'_>,
        ids: &Bound<'_, PyAny>,
        update: ComponentUpdate,
    ) -> PyResult<()> {
        let ids = xnames(Some(ids))?;
        self.with(py, move |s| async move {
            s.update_components(&ids, &update).await
        })
    }

    /// Stores an inventory (from a dict or a discovery report).
    pub(crate) fn ingest_inventory(
        &self,
        py: Python<'_>,
        inv: Inventory,
        force: bool,
    ) -> PyResult<()> {
        self.with(py, move |s| async move { s.ingest(&inv, force).await })
    }
}

/// BSS parameters from a dict; the store normalizes them, as every record it is given.
pub(crate) fn boot_params_arg(params: &Bound<'_, PyAny>) -> PyResult<BootParams> {
    record(params, "boot parameters")
}

/// An optional HMS type argument.
pub(crate) fn hms_type(arg: Option<&str>) -> PyResult<Option<HmsType>> {
    arg.map(HmsType::from_str)
        .transpose()
        .map_err(|e| err(Family::Xname, e))
}
