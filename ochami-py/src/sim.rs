//! `ochami.sim`: simulated Redfish BMCs (over `ochami_redfish::sim`) served on loopback
//! ports by the shared runtime, for notebooks and tests.
//!
//! A `SimBmc` serves until `.stop()`, the end of its `with` block, or garbage collection.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ochami_redfish::Credentials;
use ochami_redfish::sim::{
    FaultKind, Faults, MockupTree, SimBmc, SimBmcConfig, SimTls, SyntheticBmc,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{Family, err, invalid};
use crate::runtime::run;

fn sim_err(e: ochami_redfish::Error) -> PyErr {
    err(Family::Redfish, e)
}

/// One simulated BMC.
#[pyclass(name = "SimBmc", module = "ochami.sim", frozen)]
pub(crate) struct PySimBmc {
    bmc: Mutex<Option<SimBmc>>,
    address: String,
    url: String,
    ca_pem: Option<String>,
}

impl PySimBmc {
    fn running(&self) -> bool {
        self.bmc.lock().map(|b| b.is_some()).unwrap_or(false)
    }
}

#[pymethods]
impl PySimBmc {
    /// ``"127.0.0.1:<port>"``.
    #[getter]
    fn address(&self) -> &str {
        &self.address
    }

    /// ``"http://127.0.0.1:<port>"`` (``https://`` with ``tls=True``).
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// The CA certificate (PEM) that signed this BMC's certificate, with ``tls=True``.
    #[getter]
    fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Whether it still serves.
    #[getter]
    fn is_running(&self) -> bool {
        self.running()
    }

    /// Request counters: ``requests``, ``sessions_created``, ``faults``, ...
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let guard = self
            .bmc
            .lock()
            .map_err(|_| invalid("simulator state poisoned"))?;
        let d = PyDict::new(py);
        if let Some(b) = guard.as_ref() {
            let s = b.stats();
            d.set_item("requests", s.requests)?;
            d.set_item("sessions_created", s.sessions_created)?;
            d.set_item("sessions_deleted", s.sessions_deleted)?;
            d.set_item("sessions_expired", s.sessions_expired)?;
            d.set_item("active_sessions", s.active_sessions)?;
            d.set_item("unauthorized", s.unauthorized)?;
            d.set_item("faults", s.faults)?;
        }
        Ok(d)
    }

    /// Stops serving (idempotent).
    fn stop(&self) {
        let taken = self.bmc.lock().ok().and_then(|mut b| b.take());
        drop(taken);
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (_ty, _value, _tb, /))]
    fn __exit__(
        &self,
        _ty: Option<Bound<'_, PyAny>>,
        _value: Option<Bound<'_, PyAny>>,
        _tb: Option<Bound<'_, PyAny>>,
    ) {
        self.stop();
    }

    fn __repr__(&self) -> String {
        let state = if self.running() { "running" } else { "stopped" };
        format!("SimBmc(url='{}', {state})", self.url)
    }
}

/// Several simulated BMCs, stopped together.
#[pyclass(name = "SimFleet", module = "ochami.sim", frozen, sequence)]
pub(crate) struct PySimFleet {
    bmcs: Vec<Py<PySimBmc>>,
}

#[pymethods]
impl PySimFleet {
    /// The BMCs, in start order.
    #[getter]
    fn bmcs(&self, py: Python<'_>) -> Vec<Py<PySimBmc>> {
        self.bmcs.iter().map(|b| b.clone_ref(py)).collect()
    }

    /// Their URLs: pass them straight to ``ochami.discover``.
    #[getter]
    fn urls(&self, py: Python<'_>) -> Vec<String> {
        self.bmcs
            .iter()
            .map(|b| b.bind(py).get().url.clone())
            .collect()
    }

    /// Their ``host:port`` addresses.
    #[getter]
    fn addresses(&self, py: Python<'_>) -> Vec<String> {
        self.bmcs
            .iter()
            .map(|b| b.bind(py).get().address.clone())
            .collect()
    }

    /// Stops every BMC.
    fn stop(&self, py: Python<'_>) {
        for b in &self.bmcs {
            b.bind(py).get().stop();
        }
    }

    fn __len__(&self) -> usize {
        self.bmcs.len()
    }

    fn __getitem__(&self, py: Python<'_>, index: isize) -> PyResult<Py<PySimBmc>> {
        let len = self.bmcs.len() as isize;
        let i = if index < 0 { index + len } else { index };
        if i < 0 || i >= len {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "BMC {index} out of range for {len}"
            )));
        }
        Ok(self.bmcs[i as usize].clone_ref(py))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let list = pyo3::types::PyList::new(py, self.bmcs.iter().map(|b| b.clone_ref(py)))?;
        Ok(list.try_iter()?.into_any())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (_ty, _value, _tb, /))]
    fn __exit__(
        &self,
        py: Python<'_>,
        _ty: Option<Bound<'_, PyAny>>,
        _value: Option<Bound<'_, PyAny>>,
        _tb: Option<Bound<'_, PyAny>>,
    ) {
        self.stop(py);
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "SimFleet({} BMCs: {})",
            self.bmcs.len(),
            self.urls(py).join(", ")
        )
    }
}

/// Behaviour shared by every BMC of one start call.
struct Behaviour {
    latency: Duration,
    faults: Option<Faults>,
    credentials: Option<Credentials>,
    tls: Option<Arc<SimTls>>,
}

impl Behaviour {
    fn new(
        latency: f64,
        fault: Option<&str>,
        fault_rate: f64,
        username: Option<String>,
        password: Option<String>,
        tls: bool,
    ) -> PyResult<Behaviour> {
        let latency = Duration::try_from_secs_f64(latency).map_err(|_| {
            invalid(format!(
                "latency must be non-negative seconds, got {latency}"
            ))
        })?;
        let faults = match fault {
            None => None,
            Some(kind) => {
                let kind = match kind {
                    "status500" | "500" => FaultKind::Status500,
                    "reset" => FaultKind::Reset,
                    "hang" => FaultKind::Hang,
                    "malformed_json" => FaultKind::MalformedJson,
                    other => {
                        return Err(invalid(format!(
                            "bad fault {other:?}: expected status500, reset, hang or malformed_json"
                        )));
                    }
                };
                if !(0.0..=1.0).contains(&fault_rate) {
                    return Err(invalid(format!(
                        "fault_rate must be within 0..1, got {fault_rate}"
                    )));
                }
                Some(Faults::rate(kind, fault_rate, 0))
            }
        };
        let credentials = username.map(|u| Credentials::new(u, password.unwrap_or_default()));
        let tls = if tls {
            Some(Arc::new(SimTls::generate().map_err(sim_err)?))
        } else {
            None
        };
        Ok(Behaviour {
            latency,
            faults,
            credentials,
            tls,
        })
    }

    fn config(&self, tree: Arc<MockupTree>) -> SimBmcConfig {
        let mut c = SimBmcConfig::shared(tree).latency(self.latency);
        if let Some(f) = self.faults {
            c = c.faults(f);
        }
        if let Some(cr) = &self.credentials {
            c = c.credentials(cr.clone());
        }
        if let Some(t) = &self.tls {
            c = c.tls(t.clone());
        }
        c
    }
}

/// Serves each tree as one BMC behaving as `b`.
fn spawn_all(
    py: Python<'_>,
    b: &Behaviour,
    trees: impl Iterator<Item = Arc<MockupTree>>,
) -> PyResult<PySimFleet> {
    let configs: Vec<SimBmcConfig> = trees.map(|t| b.config(t)).collect();
    let ca_pem = b.tls.as_ref().map(|t| t.ca_pem.clone());
    let started = run(py, async move {
        let mut bmcs = Vec::with_capacity(configs.len());
        for c in configs {
            bmcs.push(SimBmc::spawn(c).await?);
        }
        Ok::<_, ochami_redfish::Error>(bmcs)
    })?
    .map_err(sim_err)?;
    let bmcs = started
        .into_iter()
        .map(|b| {
            let addr = b.addr();
            let url = b.base_url();
            Py::new(
                py,
                PySimBmc {
                    bmc: Mutex::new(Some(b)),
                    address: addr.to_string(),
                    url,
                    ca_pem: ca_pem.clone(),
                },
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PySimFleet { bmcs })
}

/// Starts ``count`` synthetic BMCs with ``systems`` nodes each; see the stub.
#[pyfunction]
#[pyo3(signature = (
    systems = 2, count = 1, *, latency = 0.0, fault = None, fault_rate = 1.0,
    username = None, password = None, tls = false, first_index = 0,
))]
#[allow(
    clippy::too_many_arguments,
    reason = "simulator knobs as keyword arguments"
)]
pub(crate) fn start_synthetic(
    py: Python<'_>,
    systems: usize,
    count: usize,
    latency: f64,
    fault: Option<&str>,
    fault_rate: f64,
    username: Option<String>,
    password: Option<String>,
    tls: bool,
    first_index: u32,
) -> PyResult<PySimFleet> {
    let b = Behaviour::new(latency, fault, fault_rate, username, password, tls)?;
    let trees = (0..count).map(|i| {
        let index = first_index.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
        Arc::new(SyntheticBmc::new(index, systems).build())
    });
    spawn_all(py, &b, trees)
}

/// Serves a mockup directory (DMTF short form) as ``count`` BMCs; see the stub.
#[pyfunction]
#[pyo3(signature = (
    path, count = 1, *, latency = 0.0, fault = None, fault_rate = 1.0,
    username = None, password = None, tls = false,
))]
#[allow(
    clippy::too_many_arguments,
    reason = "simulator knobs as keyword arguments"
)]
pub(crate) fn start_mockup(
    py: Python<'_>,
    path: std::path::PathBuf,
    count: usize,
    latency: f64,
    fault: Option<&str>,
    fault_rate: f64,
    username: Option<String>,
    password: Option<String>,
    tls: bool,
) -> PyResult<PySimFleet> {
    let b = Behaviour::new(latency, fault, fault_rate, username, password, tls)?;
    let tree = Arc::new(MockupTree::from_dir(&path).map_err(sim_err)?);
    spawn_all(py, &b, std::iter::repeat_n(tree, count))
}
