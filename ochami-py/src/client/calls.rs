//! The request helpers behind `ochami.Client`'s methods: one request with the GIL
//! released, answers parsed into records (SMD's wrapped lists, 404 as `None` or `false`),
//! and the small argument conversions the methods share.

use ochami_core::HardwareRecord;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::http::Failure;
use super::{CLOUD_INIT, COMPONENTS, HW, PyClient, Query, RF};
use crate::args::{hardware_filter, hardware_pairs, xname_arg, xnames};
use crate::convert::dict_of;
use crate::errors::invalid;
use crate::runtime::run;

/// An answer's body parsed as `T` (an unparsable answer is a transport failure: the server
/// is not what it should be).
pub(super) fn parse<T: DeserializeOwned>(url: &str, text: &str) -> Result<T, Failure> {
    serde_json::from_str(text).map_err(|e| Failure::Transport {
        url: url.to_owned(),
        reason: format!("unexpected answer: {e}"),
    })
}

/// One xname or a list of them, as strings; at least one.
pub(super) fn xnames_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let ids: Vec<String> = xnames(Some(obj))?.iter().map(ToString::to_string).collect();
    if ids.is_empty() {
        return Err(invalid("no xnames given"));
    }
    Ok(ids)
}

/// Positive seconds.
pub(super) fn seconds(v: f64, what: &str) -> PyResult<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(v)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| invalid(format!("{what} must be positive seconds, got {v}")))
}

/// Adds `key=value` for every value.
pub(super) fn push_all<T: ToString>(q: &mut Query, key: &str, values: impl IntoIterator<Item = T>) {
    q.extend(values.into_iter().map(|v| (key.to_owned(), v.to_string())));
}

/// The count of SMD's `{"code":0,"message":"deleted N entries"}`.
pub(super) fn deleted_count(text: &str) -> PyResult<u64> {
    #[derive(serde::Deserialize)]
    struct Info {
        message: String,
    }
    let info: Info = serde_json::from_str(text)
        .map_err(|e| invalid(format!("unexpected answer to a delete: {e}")))?;
    info.message
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| invalid(format!("unexpected answer to a delete: {:?}", info.message)))
}

impl PyClient {
    /// Posts discovery bodies (`EndpointIngest`, what Magellan sends) one after the other.
    pub(crate) fn post_ingests(&self, py: Python<'_>, bodies: Vec<Value>) -> PyResult<()> {
        let remote = self.remote.clone();
        run(py, async move {
            for b in &bodies {
                remote.send(Method::POST, RF, &[], Some(b)).await?;
            }
            Ok(())
        })?
        .map_err(Failure::into_py)
    }

    /// Sends one request with the GIL released; the answer's body or the raised problem.
    pub(super) fn send(
        &self,
        py: Python<'_>,
        method: Method,
        path: &str,
        query: Query,
        body: Option<Value>,
    ) -> PyResult<Option<String>> {
        let remote = self.remote.clone();
        let path = path.to_owned();
        run(py, async move {
            remote.send(method, &path, &query, body.as_ref()).await
        })?
        .map_err(Failure::into_py)
    }

    /// `GET path?query` parsed as `T`, or the failure (for callers that treat some
    /// statuses as answers).
    pub(super) fn try_get<T: DeserializeOwned>(
        &self,
        py: Python<'_>,
        path: &str,
        query: Query,
    ) -> PyResult<Result<T, Failure>> {
        let remote = self.remote.clone();
        let owned = path.to_owned();
        let text = run(py, async move {
            remote.send(Method::GET, &owned, &query, None).await
        })?;
        let url = format!("{}{path}", self.remote.base());
        Ok(text.and_then(|t| parse(&url, t.as_deref().unwrap_or("null"))))
    }

    /// `GET path?query` parsed as `T`.
    pub(super) fn get<T: DeserializeOwned>(
        &self,
        py: Python<'_>,
        path: &str,
        query: Query,
    ) -> PyResult<T> {
        self.try_get(py, path, query)?.map_err(Failure::into_py)
    }

    /// `GET path?query` of SMD's wrapped lists (`{"Components": [...]}`).
    pub(super) fn get_wrapped<T: DeserializeOwned>(
        &self,
        py: Python<'_>,
        path: &str,
        query: Query,
    ) -> PyResult<Vec<T>> {
        let v: Value = self.get(py, path, query)?;
        let inner = match v {
            Value::Object(m) if m.len() == 1 => m.into_iter().next().map(|(_, v)| v),
            _ => None,
        };
        let url = format!("{}{path}", self.remote.base());
        let inner = inner.ok_or_else(|| {
            Failure::Transport {
                url: url.clone(),
                reason: "unexpected answer: not a wrapped list".into(),
            }
            .into_py()
        })?;
        serde_json::from_value(inner).map_err(|e| {
            Failure::Transport {
                url,
                reason: format!("unexpected answer: {e}"),
            }
            .into_py()
        })
    }

    /// `GET path` as a dict of `T`'s wire form, `None` on 404.
    pub(super) fn one<'py, T: DeserializeOwned + Serialize>(
        &self,
        py: Python<'py>,
        path: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.try_get::<T>(py, path, vec![])? {
            Ok(v) => dict_of(py, &v).map(Some),
            Err(f) if f.is_not_found() => Ok(None),
            Err(f) => Err(f.into_py()),
        }
    }

    /// A write with a JSON body; the answer's body is not needed.
    pub(super) fn write(
        &self,
        py: Python<'_>,
        method: Method,
        path: &str,
        body: Value,
    ) -> PyResult<()> {
        self.send(py, method, path, vec![], Some(body)).map(drop)
    }

    /// `DELETE path`: `true` when deleted, `false` on 404.
    pub(super) fn delete(&self, py: Python<'_>, path: &str) -> PyResult<bool> {
        let remote = self.remote.clone();
        let path = path.to_owned();
        match run(py, async move {
            remote.send(Method::DELETE, &path, &[], None).await
        })? {
            Ok(_) => Ok(true),
            Err(f) if f.is_not_found() => Ok(false),
            Err(f) => Err(f.into_py()),
        }
    }

    /// `GET /cloud-init/admin/impersonation/<node>/<document>` as text.
    pub(super) fn impersonate(
        &self,
        py: Python<'_>,
        node: &Bound<'_, PyAny>,
        document: &str,
    ) -> PyResult<String> {
        let id = xname_arg(node)?;
        let path = format!("{CLOUD_INIT}/impersonation/{id}/{document}");
        Ok(self
            .send(py, Method::GET, &path, vec![], None)?
            .unwrap_or_default())
    }

    /// `PATCH /State/Components/<route>`.
    pub(super) fn bulk(&self, py: Python<'_>, route: &str, body: Value) -> PyResult<()> {
        self.write(py, Method::PATCH, &format!("{COMPONENTS}/{route}"), body)
    }

    pub(super) fn hardware_list(
        &self,
        py: Python<'_>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<HardwareRecord>> {
        hardware_filter(filters)?;
        self.get(py, HW, hardware_pairs(filters)?)
    }
}
