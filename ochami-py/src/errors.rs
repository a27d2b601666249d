//! The Python exception hierarchy and the mapping of each crate's error onto it.
//!
//! ```text
//! OchamiError(Exception)
//! ├── XnameError(OchamiError, ValueError)    malformed xname
//! ├── InvalidError(OchamiError, ValueError)  any other bad value (MAC, enum, filter key)
//! ├── StoreError(OchamiError)                the store refused or failed
//! ├── RedfishError(OchamiError)              discovery or the simulator failed
//! └── BootError(OchamiError)                 a bootscript or cloud-init document failed
//! ```
//!
//! `XnameError` and `InvalidError` also derive from `ValueError`, so code that catches
//! `ValueError` keeps working. pyo3's `create_exception!` takes a single base, so the
//! classes are made with `type(name, bases, ns)` at import and kept here.

use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

/// A family of failures, one Python class each.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Family {
    /// `OchamiError` itself: failures of no narrower family (a remote server's 401/403,
    /// no answer at all).
    Base,
    Xname,
    Invalid,
    Store,
    Redfish,
    Boot,
}

struct Classes {
    base: Py<PyType>,
    xname: Py<PyType>,
    invalid: Py<PyType>,
    store: Py<PyType>,
    redfish: Py<PyType>,
    boot: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

fn make_class<'py>(
    py: Python<'py>,
    name: &str,
    doc: &str,
    bases: &[Bound<'py, PyAny>],
) -> PyResult<Py<PyType>> {
    let ns = PyDict::new(py);
    ns.set_item("__module__", "ochami")?;
    ns.set_item("__doc__", doc)?;
    let bases = PyTuple::new(py, bases)?;
    let ty = py
        .get_type::<PyType>()
        .call1((name, bases, ns))?
        .cast_into::<PyType>()?;
    Ok(ty.unbind())
}

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let exc = py.get_type::<PyException>().into_any();
        let value = py.get_type::<PyValueError>().into_any();
        let base = make_class(
            py,
            "OchamiError",
            "Base class of every ochami error.",
            &[exc],
        )?;
        let b = base.bind(py).clone().into_any();
        let sub = |name: &str, doc: &str, value_error: bool| {
            let mut bases = vec![b.clone()];
            if value_error {
                bases.push(value.clone());
            }
            make_class(py, name, doc, &bases)
        };
        Ok(Classes {
            xname: sub("XnameError", "A malformed or out-of-range xname.", true)?,
            invalid: sub(
                "InvalidError",
                "A value outside its grammar or enumeration (MAC, State, filter key, ...).",
                true,
            )?,
            store: sub("StoreError", "The store refused a write or failed.", false)?,
            redfish: sub(
                "RedfishError",
                "Redfish discovery or the simulator failed.",
                false,
            )?,
            boot: sub(
                "BootError",
                "A bootscript or cloud-init document could not be made.",
                false,
            )?,
            base,
        })
    })
}

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let c = classes(m.py())?;
    for (name, ty) in [
        ("OchamiError", &c.base),
        ("XnameError", &c.xname),
        ("InvalidError", &c.invalid),
        ("StoreError", &c.store),
        ("RedfishError", &c.redfish),
        ("BootError", &c.boot),
    ] {
        m.add(name, ty.clone_ref(m.py()))?;
    }
    Ok(())
}

/// A Python exception of `family` with `msg`.
pub(crate) fn err(family: Family, msg: impl ToString) -> PyErr {
    let msg = msg.to_string();
    Python::attach(|py| match classes(py) {
        Ok(c) => {
            let ty = match family {
                Family::Base => &c.base,
                Family::Xname => &c.xname,
                Family::Invalid => &c.invalid,
                Family::Store => &c.store,
                Family::Redfish => &c.redfish,
                Family::Boot => &c.boot,
            };
            PyErr::from_type(ty.bind(py).clone(), msg)
        }
        Err(e) => e,
    })
}

/// Maps a domain error: xnames to `XnameError`, everything else to `InvalidError`.
pub(crate) fn core_err(e: ochami_core::Error) -> PyErr {
    match e {
        ochami_core::Error::Xname(x) => err(Family::Xname, x),
        other => err(Family::Invalid, other),
    }
}

/// Maps a store error. Invalid input keeps its domain class so `except ValueError` works.
pub(crate) fn store_err(e: ochami_store::StoreError) -> PyErr {
    match &e {
        ochami_store::StoreError::Invalid {
            source: ochami_core::Error::Xname(_),
            ..
        } => err(Family::Xname, e),
        ochami_store::StoreError::Invalid { .. } => err(Family::Invalid, e),
        _ => err(Family::Store, e),
    }
}

/// A value that cannot be read as the type a call needs (wrong shape of dict, ...).
pub(crate) fn invalid(msg: impl ToString) -> PyErr {
    err(Family::Invalid, msg)
}
