//! `Store.machine_view` and `Client.machine_view`: the nodes matching a component query,
//! handed to `ochami.machine_view.MachineView`, which draws them (SVG for notebooks).

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::rows::Rows;

/// The component query of a machine view: the caller's filters, restricted to nodes.
pub(crate) fn node_filters<'py>(
    py: Python<'py>,
    filters: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = match filters {
        Some(f) => f.copy()?,
        None => PyDict::new(py),
    };
    for k in ["type", "hms_type"] {
        if d.contains(k)? {
            return Err(crate::errors::invalid(
                "machine_view draws nodes: filter by state, role, nid, ... but not by type",
            ));
        }
    }
    d.set_item("type", "Node")?;
    Ok(d)
}

/// The view of `nodes`, titled `title`.
pub(crate) fn view<'py>(
    py: Python<'py>,
    nodes: &Rows,
    title: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let class = py.import("ochami.machine_view")?.getattr("MachineView")?;
    class.call1((nodes.to_dicts(py)?, title))
}
