//! Records <-> Python objects. Every record crosses the boundary in its OpenCHAMI wire
//! form (dicts with SMD's keys), so the Rust types' serde rules do all the checking.
//!
//! Python to Rust goes through `serde_json::Value`; Rust to Python goes through JSON text
//! and a serde visitor that builds the objects directly, which keeps the record's key
//! order (a `Value` would sort keys alphabetically).

use std::cell::RefCell;
use std::fmt;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::Serialize;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::{Map, Number, Value};

use crate::errors::{Family, err, invalid};

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

/// A record that serde rejected: an xname inside it keeps its class (`XnameError`), so
/// `except ochami.XnameError` catches a bad `ID` in a dict like a bad `Xname(...)`.
fn rejected(e: serde_json::Error, context: String) -> PyErr {
    let msg = e.to_string();
    let family = if msg.starts_with("invalid xname ") {
        Family::Xname
    } else {
        Family::Invalid
    };
    err(family, format!("{context}: {msg}"))
}

/// A record from a Python dict, read with the record's serde rules; `what` names it in the
/// error ("component", "boot parameters").
pub(crate) fn record<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    let v = from_py(obj)?;
    serde_json::from_value(v).map_err(|e| rejected(e, format!("bad {what}")))
}

/// Records from a list of dicts; errors name the row.
pub(crate) fn records<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<T>> {
    obj.try_iter()?
        .enumerate()
        .map(|(i, x)| {
            let v = from_py(&x?)?;
            serde_json::from_value(v).map_err(|e| rejected(e, format!("bad {what} at row {i}")))
        })
        .collect()
}

/// A record as JSON text (its wire form, keys in the record's field order).
pub(crate) fn json_of<T: Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| invalid(format!("cannot serialize: {e}")))
}

/// A record as a Python dict (its wire form, keys in the record's field order).
pub(crate) fn dict_of<'py, T: Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    text_to_py(py, &json_of(value)?)
}

/// JSON text as Python objects, keeping the order of object keys (a `serde_json::Value`
/// would sort them).
pub(crate) fn text_to_py<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let slot = RefCell::new(None);
    let out = PySeed { py, err: &slot }.deserialize(&mut de);
    if let Some(e) = slot.into_inner() {
        return Err(e);
    }
    out.map_err(|e| invalid(format!("bad JSON: {e}")))
}

/// The top-level keys of a JSON object, in order (empty for anything else).
pub(crate) fn top_keys(text: &str) -> Vec<String> {
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut keys = Vec::new();
            while let Some(k) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                keys.push(k);
            }
            Ok(keys)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_map(Keys).unwrap_or_default()
}

/// Builds Python objects straight from the JSON tokens. A Python error is parked in `err`
/// (serde errors cannot carry it) and returned instead of the serde error.
#[derive(Clone, Copy)]
struct PySeed<'py, 'a> {
    py: Python<'py>,
    err: &'a RefCell<Option<PyErr>>,
}

impl PySeed<'_, '_> {
    fn check<T, E: de::Error>(&self, r: PyResult<T>) -> Result<T, E> {
        r.map_err(|e| {
            *self.err.borrow_mut() = Some(e);
            E::custom("python error")
        })
    }
}

impl<'de, 'py> DeserializeSeed<'de> for PySeed<'py, '_> {
    type Value = Bound<'py, PyAny>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'py> Visitor<'de> for PySeed<'py, '_> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.check(v.into_bound_py_any(self.py))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.check(v.into_bound_py_any(self.py))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.check(v.into_bound_py_any(self.py))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let list = PyList::empty(self.py);
        while let Some(item) = seq.next_element_seed(self)? {
            self.check(list.append(item))?;
        }
        Ok(list.into_any())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.py);
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            self.check(dict.set_item(key, value))?;
        }
        Ok(dict.into_any())
    }
}
