//! `ochami.Xname` and `ochami.parse_xnames`, over `ochami_core::Xname`.

use std::fmt::Write as _;

use ochami_core::Xname;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::errors::{Family, err};

/// An HMS component id such as ``x1000c0s0b0n0``, parsed and normalized like SMD does.
///
/// ``str()`` gives the normal form; equality, hashing and ordering follow it (ordering is
/// natural: ``x1000c0s2`` < ``x1000c0s10``). A malformed id raises ``XnameError``.
#[pyclass(name = "Xname", module = "ochami", frozen, eq, ord, hash, str)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PyXname(pub(crate) Xname);

impl std::fmt::Display for PyXname {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[pymethods]
impl PyXname {
    #[new]
    fn new(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(x) = value.cast::<PyXname>() {
            return Ok(*x.get());
        }
        let s = value.str()?;
        Xname::parse(s.to_str()?)
            .map(PyXname)
            .map_err(|e| err(Family::Xname, e))
    }

    /// The SMD type name, e.g. ``"Node"``.
    #[getter]
    fn r#type(&self) -> String {
        self.0.hms_type().to_string()
    }

    /// The parent component (``x1000c0s0b0n0`` -> ``x1000c0s0b0``), or ``None`` for
    /// ``s0``, partitions and the ``all`` ids.
    #[getter]
    fn parent(&self) -> Option<PyXname> {
        self.0.parent().map(PyXname)
    }

    /// The ordinals in order: ``x1000c0s2b0n1`` gives ``[1000, 0, 2, 0, 1]``.
    #[getter]
    fn ordinals(&self) -> Vec<u32> {
        self.0.ordinals().to_vec()
    }

    /// Parent, grandparent, ... up to the root, nearest first.
    fn ancestors(&self) -> Vec<PyXname> {
        self.0.ancestors().map(PyXname).collect()
    }

    /// Whether this is a proper ancestor of ``other``.
    fn is_ancestor_of(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let other = PyXname::new(other)?;
        Ok(self.0.is_ancestor_of(&other.0))
    }

    /// Whether the component is a controller (a BMC or PDU controller).
    #[getter]
    fn is_controller(&self) -> bool {
        self.0.is_controller()
    }

    fn __repr__(&self) -> String {
        format!("Xname('{}')", self.0)
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let cls = py.get_type::<PyXname>().into_any().unbind();
        Ok((cls, (self.0.to_string(),)))
    }
}

/// Parses many xnames at once; see the stub for the contract.
#[pyfunction]
#[pyo3(signature = (items, *, strict = true))]
pub(crate) fn parse_xnames<'py>(
    py: Python<'py>,
    items: &Bound<'py, PyAny>,
    strict: bool,
) -> PyResult<Bound<'py, PyList>> {
    // Hold a reference to every string so their UTF-8 buffers stay alive and unchanged
    // while the GIL is released, whatever other threads do to the input list.
    let mut owned: Vec<Bound<'py, PyString>> = Vec::with_capacity(items.len().unwrap_or(0));
    for (i, item) in items.try_iter()?.enumerate() {
        let item = item?;
        let s = item.cast_into::<PyString>().map_err(|e| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "item {i}: expected str, got {}",
                e.into_inner()
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        owned.push(s);
    }
    let texts = owned
        .iter()
        .map(|s| s.to_str())
        .collect::<PyResult<Vec<&str>>>()?;
    let parsed: Vec<Result<Xname, (usize, ochami_core::XnameError)>> = py.detach(|| {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Xname::parse(t).map_err(|e| (i, e)))
            .collect()
    });
    let mut out: Vec<Bound<'py, PyAny>> = Vec::with_capacity(parsed.len());
    let mut buf = String::with_capacity(80);
    for ((p, text), original) in parsed.into_iter().zip(&texts).zip(&owned) {
        match p {
            Ok(x) => {
                buf.clear();
                let _ = write!(buf, "{x}");
                // Most inputs are already normal: hand back the same str object instead
                // of allocating an equal one.
                if buf == *text {
                    out.push(original.clone().into_any());
                } else {
                    out.push(PyString::new(py, &buf).into_any());
                }
            }
            Err((i, e)) if strict => return Err(err(Family::Xname, format!("item {i}: {e}"))),
            Err(_) => out.push(py.None().into_bound(py)),
        }
    }
    PyList::new(py, out)
}
