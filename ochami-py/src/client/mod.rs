//! `ochami.Client`: the read and write methods of `ochami.Store` against a remote server's
//! HTTP API (SMD `/hsm/v2`, BSS `/boot/v1`, cloud-init `/cloud-init/admin`), so a notebook
//! runs the same against a local store or a server (state service remote, discovery local).
//!
//! Arguments are checked locally by the same functions as `Store`'s
//! ([`crate::inventory_args`]; a bad xname raises `XnameError` before any request); records
//! are normalized where they are stored, by the server as by a store; answers are parsed into the same `ochami-core` records
//! and serialized the same way, so `Client` and `Store` give identical rows for the same
//! data. Requests run on the shared runtime with the GIL released. Problems from the server
//! raise the exception family of their status ([`http::Failure::into_py`]) with the
//! problem's title and detail.

mod calls;
mod http;
mod power;

use std::path::PathBuf;
use std::sync::Arc;

use ochami_core::cloud_init::{ClusterDefaults, GroupData, NodeData};
use ochami_core::{
    BootParams, Component, ComponentEndpoint, EthernetInterface, Group, Membership, Partition,
    RedfishEndpoint,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use reqwest::Method;
use serde_json::{Value, json};

use self::calls::{deleted_count, push_all, seconds, xnames_of};
use self::http::{Failure, Remote, seg};
use crate::args::{component_filter, component_pairs, xname_arg, xnames};
use crate::convert::{dict_of, from_py, record, records};
use crate::errors::invalid;
use crate::hardware::hardware_rows;
use crate::inventory_args::{
    boot_names, component_endpoint_filter, ethernet_interface_filter, flag_arg, mac_arg, nid_pairs,
    redfish_endpoint_filter, role_and_sub_role, state_and_flag,
};
use crate::rows::Rows;
use crate::runtime::run;
use crate::store::{boot_params_arg, rows};

const SMD: &str = "/hsm/v2";
const COMPONENTS: &str = "/hsm/v2/State/Components";
const RF: &str = "/hsm/v2/Inventory/RedfishEndpoints";
const CE: &str = "/hsm/v2/Inventory/ComponentEndpoints";
const ETH: &str = "/hsm/v2/Inventory/EthernetInterfaces";
const HW: &str = "/hsm/v2/Inventory/Hardware";
const BOOT_PARAMS: &str = "/boot/v1/bootparameters";
const CLOUD_INIT: &str = "/cloud-init/admin";

type Query = Vec<(String, String)>;

/// A remote ochami or OpenCHAMI server, with `Store`'s methods.
#[pyclass(name = "Client", module = "ochami", frozen)]
pub(crate) struct PyClient {
    remote: Arc<Remote>,
}

#[pymethods]
impl PyClient {
    /// A client of the server at ``url``; see the stub for the arguments.
    #[new]
    #[pyo3(signature = (url, token = None, cacert = None, *, insecure = false, timeout = 30.0))]
    fn new(
        url: &str,
        token: Option<String>,
        cacert: Option<PathBuf>,
        insecure: bool,
        timeout: f64,
    ) -> PyResult<PyClient> {
        // Like the `ochami` CLI, fall back on the environment so notebooks need not hold it.
        let token = token.or_else(|| std::env::var("OCHAMI_ACCESS_TOKEN").ok());
        let remote = Remote::new(url, token, cacert.as_deref(), insecure, timeout)?;
        Ok(PyClient {
            remote: Arc::new(remote),
        })
    }

    /// The server URL.
    #[getter]
    fn url(&self) -> &str {
        self.remote.base()
    }

    /// Checks that the server and its store answer (``/hsm/v2/service/ready``).
    fn ping(&self, py: Python<'_>) -> PyResult<()> {
        self.send(
            py,
            Method::GET,
            &format!("{SMD}/service/ready"),
            vec![],
            None,
        )
        .map(drop)
    }

    fn __repr__(&self) -> String {
        let auth = if self.remote.has_token() {
            ", token=***"
        } else {
            ""
        };
        format!("Client(url='{}'{auth})", self.remote.base())
    }

    // ---- components ----

    /// Components matching SMD's query parameters, sorted by xname.
    #[pyo3(signature = (**filters))]
    fn components(&self, py: Python<'_>, filters: Option<&Bound<'_, PyDict>>) -> PyResult<Rows> {
        component_filter(filters)?;
        let q = component_pairs(filters)?;
        let found: Vec<Component> = self.get_wrapped(py, COMPONENTS, q)?;
        rows("components", &found)
    }

    /// One component as a dict, or ``None``.
    fn component<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let id = xname_arg(id)?;
        self.one::<Component>(py, &format!("{COMPONENTS}/{id}"))
    }

    /// SMD's bulk ``POST /State/Components``.
    #[pyo3(signature = (components, *, force = false))]
    fn add_components(
        &self,
        py: Python<'_>,
        components: &Bound<'_, PyAny>,
        force: bool,
    ) -> PyResult<()> {
        let cs: Vec<Component> = records(components, "component")?;
        let body = json!({"Components": cs, "force": force});
        self.write(py, Method::POST, COMPONENTS, body)
    }

    /// Creates or replaces one component.
    fn put_component(&self, py: Python<'_>, component: &Bound<'_, PyAny>) -> PyResult<()> {
        let c: Component = record(component, "component")?;
        let path = format!("{COMPONENTS}/{}", c.id);
        self.write(py, Method::PUT, &path, json!({ "component": c }))
    }

    /// Deletes one component; ``False`` when absent.
    fn delete_component(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let id = xname_arg(id)?;
        self.delete(py, &format!("{COMPONENTS}/{id}"))
    }

    /// Deletes every component; the number removed.
    fn delete_all_components(&self, py: Python<'_>) -> PyResult<u64> {
        let text = self.send(py, Method::DELETE, COMPONENTS, vec![], None)?;
        deleted_count(text.as_deref().unwrap_or_default())
    }

    /// SMD's ``StateData`` update of one or many components.
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
        let mut body = json!({"ComponentIDs": xnames(Some(ids))?, "State": state, "Force": force});
        if let Some(f) = flag {
            body["Flag"] = json!(f);
        }
        self.bulk(py, "BulkStateData", body)
    }

    /// SMD's ``FlagOnly`` update.
    fn set_flag(&self, py: Python<'_>, ids: &Bound<'_, PyAny>, flag: &str) -> PyResult<()> {
        let body = json!({"ComponentIDs": xnames(Some(ids))?, "Flag": flag_arg(flag)?});
        self.bulk(py, "BulkFlagOnly", body)
    }

    /// SMD's ``Enabled`` update.
    fn set_enabled(&self, py: Python<'_>, ids: &Bound<'_, PyAny>, enabled: bool) -> PyResult<()> {
        let body = json!({"ComponentIDs": xnames(Some(ids))?, "Enabled": enabled});
        self.bulk(py, "BulkEnabled", body)
    }

    /// SMD's ``SoftwareStatus`` update.
    fn set_software_status(
        &self,
        py: Python<'_>,
        ids: &Bound<'_, PyAny>,
        status: String,
    ) -> PyResult<()> {
        let body = json!({"ComponentIDs": xnames(Some(ids))?, "SoftwareStatus": status});
        self.bulk(py, "BulkSoftwareStatus", body)
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
        let body = json!({
            "ComponentIDs": xnames(Some(ids))?,
            "Role": role,
            "SubRole": sub_role.map(|s| s.to_string()).unwrap_or_default(),
        });
        self.bulk(py, "BulkRole", body)
    }

    /// SMD's ``BulkNID``: ``{xname: nid}``.
    fn set_nids(&self, py: Python<'_>, nids: &Bound<'_, PyDict>) -> PyResult<()> {
        let entries: Vec<Value> = nid_pairs(nids)?
            .into_iter()
            .map(|(id, nid)| json!({"ID": id, "NID": nid}))
            .collect();
        self.bulk(py, "BulkNID", json!({ "Components": entries }))
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
        let mut q = Query::new();
        push_all(&mut q, "macaddress", f.mac);
        push_all(&mut q, "ipaddress", f.ip);
        push_all(&mut q, "network", f.network);
        push_all(&mut q, "componentid", f.component_id);
        push_all(&mut q, "type", f.hms_type);
        let found: Vec<EthernetInterface> = self.get(py, ETH, q)?;
        rows("ethernet_interfaces", &found)
    }

    /// One ethernet interface by MAC (any form), or ``None``.
    fn ethernet_interface<'py>(
        &self,
        py: Python<'py>,
        mac: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let mac = mac_arg(mac)?;
        self.one::<EthernetInterface>(py, &format!("{ETH}/{}", mac.to_id()))
    }

    /// Adds one interface; an existing MAC raises ``StoreError``.
    fn add_ethernet_interface(&self, py: Python<'_>, interface: &Bound<'_, PyAny>) -> PyResult<()> {
        let i: EthernetInterface = record(interface, "ethernet interface")?;
        self.write(py, Method::POST, ETH, json!(i))
    }

    /// Deletes one interface; ``False`` when absent.
    fn delete_ethernet_interface(&self, py: Python<'_>, mac: &str) -> PyResult<bool> {
        let mac = mac_arg(mac)?;
        self.delete(py, &format!("{ETH}/{}", mac.to_id()))
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
        let mut q = Query::new();
        push_all(&mut q, "id", f.id);
        push_all(&mut q, "fqdn", f.fqdn);
        push_all(&mut q, "type", f.hms_type);
        push_all(&mut q, "uuid", f.uuid);
        push_all(&mut q, "macaddr", f.mac);
        push_all(&mut q, "ipaddress", f.ip);
        push_all(&mut q, "laststatus", f.last_status);
        let found: Vec<RedfishEndpoint> = self.get_wrapped(py, RF, q)?;
        rows("redfish_endpoints", &found)
    }

    /// One Redfish endpoint, or ``None``.
    fn redfish_endpoint<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let id = xname_arg(id)?;
        self.one::<RedfishEndpoint>(py, &format!("{RF}/{id}"))
    }

    /// Creates or replaces one Redfish endpoint (its password is sent, never read back).
    fn put_redfish_endpoint(&self, py: Python<'_>, endpoint: &Bound<'_, PyAny>) -> PyResult<()> {
        let e: RedfishEndpoint = record(endpoint, "Redfish endpoint")?;
        // The record's serialization leaves the password out; the PUT body carries it.
        let mut body = from_py(endpoint)?;
        if let Value::Object(m) = &mut body {
            m.insert("ID".into(), json!(e.id));
        }
        self.write(py, Method::PUT, &format!("{RF}/{}", e.id), body)
    }

    /// Deletes an endpoint; ``False`` when absent.
    fn delete_redfish_endpoint(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let id = xname_arg(id)?;
        self.delete(py, &format!("{RF}/{id}"))
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
        let mut q = Query::new();
        push_all(&mut q, "redfish_ep", f.redfish_ep);
        push_all(&mut q, "type", f.hms_type);
        let found: Vec<ComponentEndpoint> = self.get_wrapped(py, CE, q)?;
        rows("component_endpoints", &found)
    }

    /// Hardware inventory as flat rows; see ``Store.hardware``.
    #[pyo3(signature = (**filters))]
    fn hardware(&self, py: Python<'_>, filters: Option<&Bound<'_, PyDict>>) -> PyResult<Rows> {
        hardware_rows(&self.hardware_list(py, filters)?)
    }

    /// Hardware inventory in SMD's ``HWInvByLoc`` wire form; see ``Store.hardware_records``.
    #[pyo3(signature = (**filters))]
    fn hardware_records(
        &self,
        py: Python<'_>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Rows> {
        rows("hardware_records", &self.hardware_list(py, filters)?)
    }

    // ---- groups and partitions ----

    /// All groups, sorted by label.
    fn groups(&self, py: Python<'_>) -> PyResult<Rows> {
        let found: Vec<Group> = self.get(py, &format!("{SMD}/groups"), vec![])?;
        rows("groups", &found)
    }

    /// One group, or ``None``.
    fn group<'py>(&self, py: Python<'py>, label: String) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.one::<Group>(py, &format!("{SMD}/groups/{}", seg(&label)))
    }

    /// Creates a group.
    fn create_group(&self, py: Python<'_>, group: &Bound<'_, PyAny>) -> PyResult<()> {
        let g: Group = record(group, "group")?;
        self.write(py, Method::POST, &format!("{SMD}/groups"), json!(g))
    }

    /// Deletes a group; ``False`` when absent.
    fn delete_group(&self, py: Python<'_>, label: String) -> PyResult<bool> {
        self.delete(py, &format!("{SMD}/groups/{}", seg(&label)))
    }

    /// Adds a member to a group.
    fn add_group_member(
        &self,
        py: Python<'_>,
        label: String,
        id: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let id = xname_arg(id)?;
        let path = format!("{SMD}/groups/{}/members", seg(&label));
        self.write(py, Method::POST, &path, json!({ "id": id }))
    }

    /// Removes a member from a group; ``False`` when it was not one.
    fn remove_group_member(
        &self,
        py: Python<'_>,
        label: String,
        id: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let id = xname_arg(id)?;
        self.delete(py, &format!("{SMD}/groups/{}/members/{id}", seg(&label)))
    }

    /// All partitions, sorted by name.
    fn partitions(&self, py: Python<'_>) -> PyResult<Rows> {
        let found: Vec<Partition> = self.get(py, &format!("{SMD}/partitions"), vec![])?;
        rows("partitions", &found)
    }

    /// Creates a partition.
    fn create_partition(&self, py: Python<'_>, partition: &Bound<'_, PyAny>) -> PyResult<()> {
        let p: Partition = record(partition, "partition")?;
        self.write(py, Method::POST, &format!("{SMD}/partitions"), json!(p))
    }

    /// Group and partition memberships of the components matching the filters.
    #[pyo3(signature = (**filters))]
    fn memberships(&self, py: Python<'_>, filters: Option<&Bound<'_, PyDict>>) -> PyResult<Rows> {
        component_filter(filters)?;
        let q = component_pairs(filters)?;
        let found: Vec<Membership> = self.get(py, &format!("{SMD}/memberships"), q)?;
        rows("memberships", &found)
    }

    // ---- boot parameters ----

    /// Stored boot parameters, optionally only those named by ``hosts``, ``macs`` or
    /// ``nids`` (names with none stored give no rows, as on a store).
    #[pyo3(signature = (*, hosts = None, macs = None, nids = None))]
    fn boot_params(
        &self,
        py: Python<'_>,
        hosts: Option<&Bound<'_, PyAny>>,
        macs: Option<&Bound<'_, PyAny>>,
        nids: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Rows> {
        // The server normalizes the names, as a store does.
        let names = boot_names(hosts, macs, nids)?;
        let mut query = Query::new();
        push_all(&mut query, "name", names.hosts);
        push_all(&mut query, "mac", names.macs);
        push_all(&mut query, "nid", names.nids);
        // BSS answers 404 when none of the names has parameters; a store answers nothing.
        let found: Vec<BootParams> = match self.try_get(py, BOOT_PARAMS, query)? {
            Ok(found) => found,
            Err(f) if f.is_not_found() => Vec::new(),
            Err(f) => return Err(f.into_py()),
        };
        rows("boot_params", &found)
    }

    /// BSS ``PUT``: stores the config under every name, replacing what was there.
    fn set_boot_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<()> {
        let bp = boot_params_arg(params)?;
        self.write(py, Method::PUT, BOOT_PARAMS, json!(bp))
    }

    /// BSS ``POST``: stores the config under every name not yet present.
    fn add_boot_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<()> {
        let bp = boot_params_arg(params)?;
        self.write(py, Method::POST, BOOT_PARAMS, json!(bp))
    }

    /// BSS ``PATCH``: updates the named entries (all must exist).
    fn update_boot_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<()> {
        let bp = boot_params_arg(params)?;
        self.write(py, Method::PATCH, BOOT_PARAMS, json!(bp))
    }

    /// BSS ``DELETE``: removes every named entry (BSS does not say how many).
    fn delete_boot_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<()> {
        let bp = boot_params_arg(params)?;
        self.write(py, Method::DELETE, BOOT_PARAMS, json!(bp))
    }

    // ---- cloud-init ----

    /// cloud-init group data of every group, sorted by name.
    fn cloud_init_groups(&self, py: Python<'_>) -> PyResult<Rows> {
        let found: std::collections::BTreeMap<String, GroupData> =
            self.get(py, &format!("{CLOUD_INIT}/groups"), vec![])?;
        rows(
            "cloud_init_groups",
            &found.into_values().collect::<Vec<_>>(),
        )
    }

    /// Creates or replaces one group's cloud-init data.
    fn put_cloud_init_group(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let g: GroupData = record(data, "cloud-init group data")?;
        let path = format!("{CLOUD_INIT}/groups/{}", seg(&g.name));
        self.write(py, Method::PUT, &path, json!(g))
    }

    /// One node's cloud-init data, or ``None``.
    fn cloud_init_node<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let id = xname_arg(id)?;
        self.one::<NodeData>(py, &format!("{CLOUD_INIT}/node-data/{id}"))
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
        let path = format!("{CLOUD_INIT}/node-data/{id}");
        self.write(py, Method::PUT, &path, json!(d))
    }

    /// The cloud-init cluster defaults.
    fn cluster_defaults<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let found: ClusterDefaults =
            self.get(py, &format!("{CLOUD_INIT}/cluster-defaults"), vec![])?;
        dict_of(py, &found)
    }

    /// Replaces the cloud-init cluster defaults.
    fn set_cluster_defaults(&self, py: Python<'_>, defaults: &Bound<'_, PyAny>) -> PyResult<()> {
        let d: ClusterDefaults = record(defaults, "cluster defaults")?;
        let path = format!("{CLOUD_INIT}/cluster-defaults");
        self.write(py, Method::PUT, &path, json!(d))
    }

    // ---- what nodes fetch ----

    /// The bootscript the server answers a node (``GET /boot/v1/bootscript``); see the stub.
    #[pyo3(signature = (*, mac = None, name = None, nid = None, arch = None, json = false))]
    fn bootscript(
        &self,
        py: Python<'_>,
        mac: Option<&str>,
        name: Option<&Bound<'_, PyAny>>,
        nid: Option<i64>,
        arch: Option<&str>,
        json: bool,
    ) -> PyResult<String> {
        let mut q = Query::new();
        if let Some(m) = mac {
            q.push(("mac".into(), mac_arg(m)?.to_string()));
        }
        if let Some(n) = name {
            q.push(("name".into(), n.str()?.to_str()?.to_owned()));
        }
        push_all(&mut q, "nid", nid);
        push_all(&mut q, "arch", arch);
        if json {
            q.push(("json".into(), "true".into()));
        }
        if q.is_empty() {
            return Err(invalid("give mac, name or nid"));
        }
        let text = self.send(py, Method::GET, "/boot/v1/bootscript", q, None)?;
        Ok(text.unwrap_or_default())
    }

    /// A node's NoCloud meta-data as the server renders it (its impersonation route).
    fn meta_data(&self, py: Python<'_>, node: &Bound<'_, PyAny>) -> PyResult<String> {
        self.impersonate(py, node, "meta-data")
    }

    /// A node's NoCloud user-data as the server renders it.
    fn user_data(&self, py: Python<'_>, node: &Bound<'_, PyAny>) -> PyResult<String> {
        self.impersonate(py, node, "user-data")
    }

    /// A node's NoCloud vendor-data as the server renders it.
    fn vendor_data(&self, py: Python<'_>, node: &Bound<'_, PyAny>) -> PyResult<String> {
        self.impersonate(py, node, "vendor-data")
    }

    // ---- power (PCS) ----

    /// A PCS transition of ``operation`` over ``xnames``, followed to its end; see the stub.
    #[pyo3(signature = (xnames, operation, *, progress = None, timeout = 600.0, poll = 0.5))]
    fn power(
        &self,
        py: Python<'_>,
        xnames: &Bound<'_, PyAny>,
        operation: &str,
        progress: Option<Bound<'_, PyAny>>,
        timeout: f64,
        poll: f64,
    ) -> PyResult<Rows> {
        let op = crate::power::operation_arg(operation)?;
        let ids: Vec<String> = xnames_of(xnames)?;
        crate::power::check_callable(progress.as_ref())?;
        let limit = seconds(timeout, "timeout")?;
        let poll = seconds(poll, "poll")?;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let remote = self.remote.clone();
        let fut =
            async move { power::transition(&remote, ids, op.as_str(), poll, limit, tx).await };
        let rows =
            crate::power::run_reporting(py, progress, rx, fut, None)?.map_err(Failure::into_py)?;
        Ok(Rows::new("power", rows))
    }

    /// PCS's power status of ``xnames``, read by the server from the BMCs.
    fn power_status(&self, py: Python<'_>, xnames: &Bound<'_, PyAny>) -> PyResult<Rows> {
        let ids: Vec<String> = xnames_of(xnames)?;
        let remote = self.remote.clone();
        let rows =
            run(py, async move { power::status(&remote, ids).await })?.map_err(Failure::into_py)?;
        Ok(Rows::new("power_status", rows))
    }
}
