//! `serde_json::Value` <-> Python objects, so every record crosses the boundary in its
//! OpenCHAMI wire form (dicts with SMD's keys) and the Rust types' serde rules do all the
//! checking.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

use crate::errors::invalid;

/// A JSON value as the Python object `json.loads` would give.
pub(crate) fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_bound_py_any(py)?
            } else if let Some(u) = n.as_u64() {
                u.into_bound_py_any(py)?
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let items = a
                .iter()
                .map(|x| to_py(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// A Python object (dict, list, tuple, str, int, float, bool, None, or anything whose
/// `str()` is the value, such as an `Xname`) as JSON.
pub(crate) fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        return Ok(Value::from(obj.extract::<u64>()?));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let x = f.value();
        return Number::from_f64(x)
            .map(Value::Number)
            .ok_or_else(|| invalid(format!("{x} cannot be written as JSON")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = Map::new();
        for (k, v) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                let ty = k.get_type().name()?;
                return Err(invalid(format!("dict keys must be str, not {ty}")));
            };
            m.insert(key.to_str()?.to_owned(), from_py(&v)?);
        }
        return Ok(Value::Object(m));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj
            .try_iter()?
            .map(|x| from_py(&x?))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(Value::Array(items));
    }
    if obj.is_instance_of::<crate::xname::PyXname>() {
        return Ok(Value::String(obj.str()?.to_str()?.to_owned()));
    }
    Err(invalid(format!(
        "cannot convert {} to JSON",
        obj.get_type().name()?
    )))
}

/// A record from a Python dict, read with the record's serde rules; `what` names it in the
/// error ("component", "boot parameters").
pub(crate) fn record<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    let v = from_py(obj)?;
    serde_json::from_value(v).map_err(|e| invalid(format!("bad {what}: {e}")))
}

/// Records from a list of dicts; errors name the row.
pub(crate) fn records<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<T>> {
    obj.try_iter()?
        .enumerate()
        .map(|(i, x)| {
            let v = from_py(&x?)?;
            serde_json::from_value(v).map_err(|e| invalid(format!("bad {what} at row {i}: {e}")))
        })
        .collect()
}

/// A record as JSON (its wire form).
pub(crate) fn json_of<T: Serialize>(value: &T) -> PyResult<Value> {
    serde_json::to_value(value).map_err(|e| invalid(format!("cannot serialize: {e}")))
}

/// A record as a Python dict (its wire form).
pub(crate) fn dict_of<'py, T: Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, &json_of(value)?)
}
