//! Python arguments as domain values: xnames, "one value or a list" filter arguments, and
//! SMD's component query from keyword arguments.

use std::str::FromStr;

use ochami_core::{ComponentFilter, Xname};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyTuple};

use crate::errors::{Family, err, invalid};
use crate::xname::PyXname;

/// One xname argument: an `Xname` or a string.
pub(crate) fn xname_arg(obj: &Bound<'_, PyAny>) -> PyResult<Xname> {
    if let Ok(x) = obj.cast::<PyXname>() {
        return Ok(x.get().0);
    }
    let s = obj.str()?;
    Xname::parse(s.to_str()?).map_err(|e| err(Family::Xname, e))
}

/// A value that may be one item or a list/tuple of items, as strings (`str()` of each,
/// booleans as `true`/`false`). `None` is no value.
pub(crate) fn strings(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(obj) = obj else {
        return Ok(Vec::new());
    };
    let one = |o: &Bound<'_, PyAny>| -> PyResult<String> {
        if let Ok(b) = o.cast::<PyBool>() {
            return Ok(if b.is_true() { "true" } else { "false" }.to_owned());
        }
        Ok(o.str()?.to_str()?.to_owned())
    };
    if obj.is_none() {
        Ok(Vec::new())
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.try_iter()?.map(|x| one(&x?)).collect()
    } else {
        Ok(vec![one(obj)?])
    }
}

/// Parses every value of a filter argument; errors name the argument.
pub(crate) fn parsed<T: FromStr>(obj: Option<&Bound<'_, PyAny>>, arg: &str) -> PyResult<Vec<T>>
where
    T::Err: std::fmt::Display,
{
    strings(obj)?
        .into_iter()
        .map(|s| T::from_str(&s).map_err(|e| invalid(format!("bad {arg} {s:?}: {e}"))))
        .collect()
}

pub(crate) fn xnames(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Xname>> {
    strings(obj)?
        .iter()
        .map(|s| Xname::parse(s).map_err(|e| err(Family::Xname, e)))
        .collect()
}

/// SMD's component query parameters from keyword arguments; Pythonic spellings map onto
/// SMD's parameter names (`sub_role` -> `subrole`, `software_status` -> `softwarestatus`,
/// `hms_type` -> `type`).
pub(crate) fn component_pairs(
    filters: Option<&Bound<'_, PyDict>>,
) -> PyResult<Vec<(String, String)>> {
    renamed_pairs(filters, |key| match key {
        "sub_role" => "subrole".to_owned(),
        "software_status" => "softwarestatus".to_owned(),
        "hms_type" => "type".to_owned(),
        "state_only" | "flag_only" | "role_only" | "nid_only" => key.replace('_', ""),
        _ => key.to_owned(),
    })
}

/// Keyword arguments as query pairs (one pair per value of a list), each key spelled as
/// `rename` says.
fn renamed_pairs(
    filters: Option<&Bound<'_, PyDict>>,
    rename: impl Fn(&str) -> String,
) -> PyResult<Vec<(String, String)>> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(filters) = filters {
        for (k, v) in filters.iter() {
            let key = rename(&k.extract::<String>()?);
            for value in strings(Some(&v))? {
                pairs.push((key.clone(), value));
            }
        }
    }
    Ok(pairs)
}

/// SMD's component query from keyword arguments (see [`component_pairs`]).
pub(crate) fn component_filter(filters: Option<&Bound<'_, PyDict>>) -> PyResult<ComponentFilter> {
    ComponentFilter::from_query_pairs(component_pairs(filters)?).map_err(crate::errors::core_err)
}

/// SMD's hardware query parameters (`GET /Inventory/Hardware`) from keyword arguments;
/// `part_number`, `serial_number`, `fru_id` and `hms_type` are the Pythonic spellings of
/// `partnumber`, `serialnumber`, `fruid` and `type`.
pub(crate) fn hardware_pairs(
    filters: Option<&Bound<'_, PyDict>>,
) -> PyResult<Vec<(String, String)>> {
    renamed_pairs(filters, |key| match key {
        "part_number" => "partnumber".to_owned(),
        "serial_number" => "serialnumber".to_owned(),
        "fru_id" => "fruid".to_owned(),
        "hms_type" => "type".to_owned(),
        _ => key.to_owned(),
    })
}

/// SMD's hardware filter from keyword arguments (see [`hardware_pairs`]).
pub(crate) fn hardware_filter(
    filters: Option<&Bound<'_, PyDict>>,
) -> PyResult<ochami_core::HardwareFilter> {
    ochami_core::HardwareFilter::from_query_pairs(hardware_pairs(filters)?)
        .map_err(crate::errors::core_err)
}
