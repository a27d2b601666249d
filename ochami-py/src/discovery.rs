//! `ochami.discover` and `ochami.DiscoveryReport`, over `ochami_redfish::discover`.
//!
//! The run happens on the shared runtime with the GIL released. Progress events go through
//! a channel and are handed to the Python callback on the caller's thread between waits,
//! so the callback needs no locking and may raise (which stops the run).

use ochami_redfish::{
    DiscoveryEvent, DiscoveryReport, DiscoverySettings, XnameMap, XnameMapSource,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::client::PyClient;
use crate::convert::{dict_of, json_of, text_to_py};
use crate::errors::{Family, err, invalid};
use crate::rows::Rows;
use crate::runtime::run_with;
use crate::store::PyStore;

fn redfish_err(e: ochami_redfish::Error) -> PyErr {
    err(Family::Redfish, e)
}

/// `targets` as a list of strings: one string or a list/tuple of them.
fn target_list(targets: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(s) = targets.cast::<PyString>() {
        return Ok(vec![s.to_str()?.to_owned()]);
    }
    if targets.is_instance_of::<PyList>() || targets.is_instance_of::<PyTuple>() {
        return targets
            .try_iter()?
            .map(|t| Ok(t?.str()?.to_str()?.to_owned()))
            .collect();
    }
    Err(invalid(
        "targets must be a str or a list of str (IPs, host names, CIDRs, URLs)",
    ))
}

/// An xname map from a dict (`{"10.0.0.1": "x1000c0s0b0", ...}`) or a file path.
fn xname_map(map: &Bound<'_, PyAny>) -> PyResult<XnameMap> {
    if let Ok(d) = map.cast::<PyDict>() {
        let mut m = XnameMap::new();
        for (k, v) in d.iter() {
            let key = k.str()?.to_str()?.to_owned();
            let x = v.str()?.to_str()?.to_owned();
            m.insert(&key, &x)
                .map_err(|e| invalid(format!("xname_map entry {key:?}: {e}")))?;
        }
        return Ok(m);
    }
    let path = map.str()?.to_str()?.to_owned();
    XnameMap::from_file(&path).map_err(redfish_err)
}

/// Scans targets and crawls every BMC found; see the stub for the arguments.
#[pyfunction]
#[pyo3(signature = (
    targets, *, username = None, password = None, scheme = "https", ports = None,
    insecure = false, cacert = None, concurrency = 64, timeout = 10.0, deadline = 120.0,
    xname_map = None, strict_map = false, progress = None, store = None, force = false,
))]
#[allow(
    clippy::too_many_arguments,
    reason = "the CLI's options as keyword arguments"
)]
pub(crate) fn discover(
    py: Python<'_>,
    targets: &Bound<'_, PyAny>,
    username: Option<String>,
    password: Option<String>,
    scheme: &str,
    ports: Option<Vec<u16>>,
    insecure: bool,
    cacert: Option<std::path::PathBuf>,
    concurrency: usize,
    timeout: f64,
    deadline: f64,
    xname_map: Option<&Bound<'_, PyAny>>,
    strict_map: bool,
    progress: Option<Bound<'_, PyAny>>,
    store: Option<Bound<'_, PyAny>>,
    force: bool,
) -> PyResult<PyDiscoveryReport> {
    let inputs = target_list(targets)?;
    let mut settings = DiscoverySettings::default();
    settings.scheme = scheme.to_owned();
    settings.ports = ports.unwrap_or_default();
    // Like the CLI, fall back on the environment so notebooks need not hold a password.
    settings.username = username.or_else(|| std::env::var("OCHAMI_BMC_USERNAME").ok());
    settings.password = password.or_else(|| std::env::var("OCHAMI_BMC_PASSWORD").ok());
    settings.insecure = insecure;
    settings.cacert = cacert;
    settings.concurrency = concurrency;
    settings.timeout_secs = timeout;
    settings.deadline_secs = deadline;
    settings.xname_map = match xname_map.map(self::xname_map).transpose()? {
        Some(m) => XnameMapSource::Map(m),
        None => XnameMapSource::None,
    };
    settings.strict_map = strict_map;
    // The same checks and messages as `ochami discover`'s flags.
    let options = settings.into_options().map_err(|e| match e {
        ochami_redfish::Error::InvalidSetting { .. } => invalid(e.to_string()),
        other => redfish_err(other),
    })?;
    if let Some(p) = &progress
        && !p.is_callable()
    {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "progress must be callable",
        ));
    }

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let fut = async move {
        ochami_redfish::discover(&inputs, &options, move |e: &DiscoveryEvent| {
            if let Ok(v) = serde_json::to_string(e) {
                let _ = tx.send(v);
            }
        })
        .await
    };
    let deliver = |py: Python<'_>| -> PyResult<()> {
        while let Ok(event) = rx.try_recv() {
            if let Some(cb) = &progress {
                cb.call1((text_to_py(py, &event)?,))?;
            }
        }
        Ok(())
    };
    let report = run_with(py, fut, deliver)?.map_err(redfish_err)?;
    let report = PyDiscoveryReport { report };
    if let Some(store) = store {
        report.save(py, &store, force)?;
    }
    Ok(report)
}

/// One row of `DiscoveryReport.outcomes`.
#[derive(serde::Serialize)]
struct OutcomeRow {
    target: String,
    xname: Option<String>,
    status: &'static str,
    elapsed_ms: u64,
    nodes: Option<usize>,
    error: Option<String>,
}

/// The result of a discovery run.
#[pyclass(name = "DiscoveryReport", module = "ochami", frozen)]
pub(crate) struct PyDiscoveryReport {
    report: DiscoveryReport,
}

impl PyDiscoveryReport {
    fn inventory_rows<T: serde::Serialize>(
        &self,
        kind: &str,
        pick: impl Fn(&ochami_core::ingest::Inventory) -> &[T],
    ) -> PyResult<Rows> {
        let mut values = Vec::new();
        for inv in self.report.inventories() {
            for item in pick(&inv.inventory) {
                values.push(json_of(item)?);
            }
        }
        Ok(Rows::new(kind, values))
    }
}

#[pymethods]
impl PyDiscoveryReport {
    /// Number of targets probed.
    #[getter]
    fn targets(&self) -> usize {
        self.report.targets
    }

    /// Number of BMCs crawled.
    #[getter]
    fn discovered(&self) -> usize {
        self.report.discovered
    }

    /// Number of targets that failed.
    #[getter]
    fn failed(&self) -> usize {
        self.report.failed
    }

    /// Wall time of the run in milliseconds.
    #[getter]
    fn elapsed_ms(&self) -> u64 {
        self.report.elapsed_ms
    }

    /// One row per target: ``target``, ``xname``, ``status`` (``discovered`` or
    /// ``failed``), ``elapsed_ms``, ``nodes`` and ``error``.
    #[getter]
    fn outcomes(&self) -> PyResult<Rows> {
        let mut values = Vec::with_capacity(self.report.outcomes.len());
        for o in &self.report.outcomes {
            let t = &o.target;
            let row = OutcomeRow {
                target: format!("{}://{}:{}", t.scheme.as_str(), t.host, t.port),
                xname: o.xname.map(|x| x.to_string()),
                status: if o.inventory().is_some() {
                    "discovered"
                } else {
                    "failed"
                },
                elapsed_ms: o.elapsed_ms,
                nodes: o.inventory().map(|i| i.nodes().len()),
                error: o.error().map(|e| e.message.clone()),
            };
            values.push(json_of(&row)?);
        }
        Ok(Rows::new("outcomes", values))
    }

    /// Discovered components (BMCs and nodes).
    #[getter]
    fn components(&self) -> PyResult<Rows> {
        self.inventory_rows("components", |i| &i.components)
    }

    /// Discovered Redfish endpoints.
    #[getter]
    fn redfish_endpoints(&self) -> PyResult<Rows> {
        self.inventory_rows("redfish_endpoints", |i| &i.endpoints)
    }

    /// Discovered ethernet interfaces.
    #[getter]
    fn ethernet_interfaces(&self) -> PyResult<Rows> {
        self.inventory_rows("ethernet_interfaces", |i| &i.ethernet_interfaces)
    }

    /// Discovered component endpoints.
    #[getter]
    fn component_endpoints(&self) -> PyResult<Rows> {
        self.inventory_rows("component_endpoints", |i| &i.component_endpoints)
    }

    /// Discovered hardware inventory.
    #[getter]
    fn hardware(&self) -> PyResult<Rows> {
        self.inventory_rows("hardware", |i| &i.hardware)
    }

    /// All inventory merged into one dict (what ``save`` writes; ``Store.ingest`` takes it).
    fn inventory<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        dict_of(py, &self.report.merged_inventory())
    }

    /// The whole report as a dict (the CLI's ``--json`` output).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        dict_of(py, &self.report)
    }

    /// Writes the discovered inventory into a ``Store`` in one transaction, or posts each
    /// BMC's discovery body to a ``Client``'s server (``POST
    /// /hsm/v2/Inventory/RedfishEndpoints``, as Magellan does; ``force`` is the store's only).
    #[pyo3(signature = (store, *, force = false))]
    fn save(&self, py: Python<'_>, store: &Bound<'_, PyAny>, force: bool) -> PyResult<()> {
        if let Ok(s) = store.cast::<PyStore>() {
            return s
                .get()
                .ingest_inventory(py, self.report.merged_inventory(), force);
        }
        if let Ok(c) = store.cast::<PyClient>() {
            let bodies = self
                .report
                .inventories()
                .map(|i| serde_json::to_value(&i.ingest))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| invalid(format!("cannot serialize a discovery body: {e}")))?;
            return c.get().post_ingests(py, bodies);
        }
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "save needs an ochami.Store or an ochami.Client, not {}",
            store.get_type().name()?
        )))
    }

    fn __repr__(&self) -> String {
        let r = &self.report;
        format!(
            "DiscoveryReport(targets={}, discovered={}, failed={}, elapsed_ms={})",
            r.targets, r.discovered, r.failed, r.elapsed_ms
        )
    }
}
