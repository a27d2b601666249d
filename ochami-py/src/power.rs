//! `ochami.power` and `ochami.power_status`, over `ochami_redfish::power`: power operations
//! and state reads on many systems with bounded concurrency, one row per system.
//!
//! Targets are xnames resolved through a `Store` (the node's ComponentEndpoint and the
//! RedfishEndpoint behind it, with its stored credentials, as the server's power service
//! does), or BMCs given directly (a URL, a `SimBmc`, or a dict with `id`, `url` and
//! optionally `system`). The run happens on the shared runtime with the GIL released;
//! each finished system is handed to the `progress` callback on the caller's thread.

use std::sync::Arc;
use std::time::Duration;

use ochami_core::Xname;
use ochami_redfish::power::{
    BootOverride, NodePower, PowerAbort, PowerOperation, PowerOptions, PowerOutcome, PowerResult,
    PowerTarget, SystemPower, power_many, power_status_many,
};
use ochami_redfish::{Credentials, HttpTransport, Transport, TransportOptions};
use ochami_store::Store;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use serde::Serialize;
use serde_json::Value;

use crate::args::xname_arg;
use crate::convert::{json_of, text_to_py};
use crate::errors::{Family, err, invalid, store_err};
use crate::rows::Rows;
use crate::runtime::{run, run_cancellable, run_with};
use crate::store::PyStore;

/// One row of `power()` or `power_status()`.
#[derive(Serialize)]
struct PowerRow {
    id: String,
    bmc: String,
    system: Option<String>,
    /// `done`, `failed` or `aborted`.
    result: &'static str,
    /// `power`: the state before and after, and the ResetTypes sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sent: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    boot_override: Option<bool>,
    /// `power_status`: the state and the ResetTypes the BMC allows (`None`: not advertised).
    #[serde(skip_serializing_if = "Option::is_none")]
    power_state: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reset_types: Option<Vec<String>>,
    error_kind: Option<Value>,
    error: Option<String>,
    elapsed_ms: u64,
}

impl PowerRow {
    fn new<T>(o: &PowerOutcome<T>) -> PowerRow {
        let (result, error_kind, error) = match &o.result {
            PowerResult::Done { .. } => ("done", None, None),
            PowerResult::Failed { error } => (
                "failed",
                serde_json::to_value(error.kind).ok(),
                Some(error.message.clone()),
            ),
            PowerResult::Aborted => ("aborted", None, None),
        };
        PowerRow {
            id: o.id.clone(),
            bmc: o.base_url.clone(),
            system: o.system.clone(),
            result,
            before: None,
            after: None,
            sent: None,
            boot_override: None,
            power_state: None,
            reset_types: None,
            error_kind,
            error,
            elapsed_ms: o.elapsed_ms,
        }
    }

    fn of_power(o: &PowerOutcome<NodePower>) -> PowerRow {
        let mut row = PowerRow::new(o);
        let v = o.value();
        row.before = Some(state(v.and_then(|p| p.report.before.as_ref())));
        row.after = Some(state(v.and_then(|p| p.report.after.as_ref())));
        row.sent = Some(
            v.map(|p| p.report.sent.iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
        );
        row.boot_override = Some(v.is_some_and(|p| p.boot_override.is_some()));
        row
    }

    fn of_status(o: &PowerOutcome<SystemPower>) -> PowerRow {
        let mut row = PowerRow::new(o);
        let v = o.value();
        row.power_state = Some(state(v.and_then(|s| s.power_state.as_ref())));
        row.reset_types = v
            .and_then(|s| s.reset.as_ref())
            .and_then(|r| r.allowed.as_ref())
            .map(|a| a.iter().map(ToString::to_string).collect());
        row
    }
}

/// A power state as a cell: its name, or null when unknown (or not read again because
/// nothing was sent).
fn state(s: Option<&ochami_redfish::power::PowerState>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_string()))
}

/// Options shared by `power` and `power_status`, from keyword arguments.
struct Common {
    transport: Arc<dyn Transport>,
    options: PowerOptions,
    credentials: Option<Credentials>,
    scheme: String,
}

impl Common {
    #[allow(
        clippy::too_many_arguments,
        reason = "keyword arguments of the Python functions"
    )]
    fn new(
        username: Option<String>,
        password: Option<String>,
        scheme: &str,
        insecure: bool,
        cacert: Option<std::path::PathBuf>,
        concurrency: usize,
        timeout: f64,
        deadline: f64,
    ) -> PyResult<Common> {
        let secs = |v: f64, what: &str| {
            Duration::try_from_secs_f64(v)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| invalid(format!("{what} must be positive seconds, got {v}")))
        };
        if concurrency == 0 {
            return Err(invalid("concurrency must be at least 1"));
        }
        if !matches!(scheme, "http" | "https") {
            return Err(invalid(format!(
                "scheme must be http or https, got {scheme:?}"
            )));
        }
        let ca_pem = cacert
            .map(|p| std::fs::read(&p).map_err(|e| invalid(format!("cacert {}: {e}", p.display()))))
            .transpose()?;
        let transport = HttpTransport::new(&TransportOptions {
            insecure,
            ca_pem,
            ..TransportOptions::default()
        })
        .map_err(|e| err(Family::Redfish, e))?;
        // Like `ochami.discover`, fall back on the environment for the BMC credentials.
        let username = username.or_else(|| std::env::var("OCHAMI_BMC_USERNAME").ok());
        let password = password.or_else(|| std::env::var("OCHAMI_BMC_PASSWORD").ok());
        let credentials = username.map(|u| Credentials::new(u, password.unwrap_or_default()));
        let options = PowerOptions {
            concurrency,
            request_timeout: secs(timeout, "timeout")?,
            node_deadline: secs(deadline, "deadline")?,
            ..PowerOptions::default()
        };
        Ok(Common {
            transport: Arc::new(transport),
            options,
            credentials,
            scheme: scheme.to_owned(),
        })
    }

    /// BMCs given directly.
    fn targets(&self, targets: &Bound<'_, PyAny>) -> PyResult<Vec<PowerTarget>> {
        items(targets)?.iter().map(|t| self.direct(t)).collect()
    }

    /// A BMC given directly: a URL, anything with a `url` attribute (`SimBmc`), or a dict.
    fn direct(&self, t: &Bound<'_, PyAny>) -> PyResult<PowerTarget> {
        let (id, url, system) = if let Ok(d) = t.cast::<PyDict>() {
            let get = |k: &str| -> PyResult<Option<String>> {
                d.get_item(k)?
                    .filter(|v| !v.is_none())
                    .map(|v| v.str().and_then(|s| Ok(s.to_str()?.to_owned())))
                    .transpose()
            };
            let url = get("url")?.ok_or_else(|| invalid("a target dict needs a \"url\""))?;
            (
                get("id")?.unwrap_or_else(|| url.clone()),
                url,
                get("system")?,
            )
        } else if let Ok(s) = t.cast::<PyString>() {
            let url = s.to_str()?.to_owned();
            (url.clone(), url, None)
        } else if let Ok(u) = t.getattr("url") {
            let url = u.str()?.to_str()?.to_owned();
            (url.clone(), url, None)
        } else {
            return Err(invalid(format!(
                "a target must be a BMC URL, a SimBmc or a dict, not {}",
                t.get_type().name()?
            )));
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(invalid(format!(
                "target {url:?}: give a BMC URL (http[s]://host[:port]), or xnames with store="
            )));
        }
        let mut target = PowerTarget::new(id, url, self.credentials.clone());
        if let Some(s) = system {
            target = target.system(s);
        }
        Ok(target)
    }
}

/// The target of `xname` through the store: its ComponentEndpoint and the RedfishEndpoint
/// behind it (the same look-up as the server's power service). `credentials` override the
/// stored ones.
async fn resolve(
    store: &dyn Store,
    scheme: &str,
    xname: &Xname,
    credentials: Option<&Credentials>,
) -> ochami_store::Result<Result<PowerTarget, String>> {
    let access = match ochami_store::bmc_access(store, xname).await? {
        Ok(access) => access,
        Err(reason) => return Ok(Err(reason)),
    };
    let stored = access
        .credentials
        .map(|c| Credentials::new(c.user, c.password));
    let mut target = PowerTarget::new(
        xname.to_string(),
        format!("{scheme}://{}", access.host),
        credentials.cloned().or(stored),
    );
    if !access.system.is_empty() {
        target = target.system(access.system);
    }
    Ok(Ok(target))
}

/// Raises for targets that could not be resolved, naming them all.
fn resolved(targets: Vec<Result<PowerTarget, String>>) -> PyResult<Vec<PowerTarget>> {
    let (ok, bad): (Vec<_>, Vec<_>) = targets.into_iter().partition(Result::is_ok);
    if !bad.is_empty() {
        let reasons: Vec<String> = bad.into_iter().filter_map(Result::err).collect();
        return Err(invalid(reasons.join("; ")));
    }
    Ok(ok.into_iter().filter_map(Result::ok).collect())
}

pub(crate) fn check_callable(progress: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    if let Some(p) = progress
        && !p.is_callable()
    {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "progress must be callable",
        ));
    }
    Ok(())
}

/// Runs `fut` handing every row sent on the channel to `progress` on this thread; on
/// Ctrl-C or an exception from `progress`, `abort` stops systems not yet started and the
/// ones in progress finish (see [`run_cancellable`]).
pub(crate) fn run_reporting<F, T>(
    py: Python<'_>,
    progress: Option<Bound<'_, PyAny>>,
    rx: tokio::sync::mpsc::UnboundedReceiver<String>,
    fut: F,
    abort: Option<PowerAbort>,
) -> PyResult<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut rx = rx;
    let deliver = |py: Python<'_>| -> PyResult<()> {
        while let Ok(row) = rx.try_recv() {
            if let Some(cb) = &progress {
                cb.call1((text_to_py(py, &row)?,))?;
            }
        }
        Ok(())
    };
    match abort {
        Some(a) => run_cancellable(py, fut, deliver, move || a.abort()),
        None => run_with(py, fut, deliver),
    }
}

/// A power operation by name (`"hard-restart"`), or `InvalidError` listing the names.
pub(crate) fn operation_arg(operation: &str) -> PyResult<PowerOperation> {
    PowerOperation::parse(operation).ok_or_else(|| {
        let names: Vec<&str> = PowerOperation::ALL.iter().map(|o| o.as_str()).collect();
        invalid(format!(
            "bad operation {operation:?}: expected one of {}",
            names.join(", ")
        ))
    })
}

/// Runs a power operation on every target; see the stub.
#[pyfunction]
#[pyo3(signature = (
    targets, operation, *, store = None, boot = None, username = None, password = None,
    scheme = "https", insecure = false, cacert = None, concurrency = 64, timeout = 30.0,
    deadline = 600.0, wait = true, progress = None,
))]
#[allow(
    clippy::too_many_arguments,
    reason = "the CLI's options as keyword arguments"
)]
pub(crate) fn power(
    py: Python<'_>,
    targets: &Bound<'_, PyAny>,
    operation: &str,
    store: Option<PyRef<'_, PyStore>>,
    boot: Option<&str>,
    username: Option<String>,
    password: Option<String>,
    scheme: &str,
    insecure: bool,
    cacert: Option<std::path::PathBuf>,
    concurrency: usize,
    timeout: f64,
    deadline: f64,
    wait: bool,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<Rows> {
    let op = operation_arg(operation)?;
    check_callable(progress.as_ref())?;
    let mut c = Common::new(
        username,
        password,
        scheme,
        insecure,
        cacert,
        concurrency,
        timeout,
        deadline,
    )?;
    c.options.operation.wait = wait;
    c.options.boot_override = match boot {
        None => None,
        Some(b) if b.eq_ignore_ascii_case("pxe") => Some(BootOverride::pxe_once()),
        Some(b) if b.eq_ignore_ascii_case("http") || b.eq_ignore_ascii_case("uefi-http") => {
            Some(BootOverride::uefi_http_once(None))
        }
        Some(b) => {
            return Err(invalid(format!(
                "bad boot {b:?}: expected \"pxe\" or \"http\""
            )));
        }
    };
    let targets = match store.as_deref() {
        Some(store) => resolved(resolve_all(py, &c, targets, store)?)?,
        None => c.targets(targets)?,
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let abort = c.options.abort.clone();
    let (transport, options) = (c.transport, c.options);
    let fut = async move {
        let outcomes = power_many(transport, targets, op, &options, move |o| {
            if let Ok(row) = serde_json::to_string(&PowerRow::of_power(o)) {
                let _ = tx.send(row);
            }
        })
        .await;
        outcomes
            .iter()
            .map(|o| json_of(&PowerRow::of_power(o)))
            .collect::<PyResult<Vec<String>>>()
    };
    Ok(Rows::new(
        "power",
        run_reporting(py, progress, rx, fut, Some(abort))??,
    ))
}

/// Reads the power state of every target; see the stub.
#[pyfunction]
#[pyo3(signature = (
    targets, *, store = None, username = None, password = None, scheme = "https",
    insecure = false, cacert = None, concurrency = 64, timeout = 30.0, deadline = 60.0,
    progress = None,
))]
#[allow(
    clippy::too_many_arguments,
    reason = "the CLI's options as keyword arguments"
)]
pub(crate) fn power_status(
    py: Python<'_>,
    targets: &Bound<'_, PyAny>,
    store: Option<PyRef<'_, PyStore>>,
    username: Option<String>,
    password: Option<String>,
    scheme: &str,
    insecure: bool,
    cacert: Option<std::path::PathBuf>,
    concurrency: usize,
    timeout: f64,
    deadline: f64,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<Rows> {
    check_callable(progress.as_ref())?;
    let c = Common::new(
        username,
        password,
        scheme,
        insecure,
        cacert,
        concurrency,
        timeout,
        deadline,
    )?;
    let targets = match store.as_deref() {
        Some(store) => resolved(resolve_all(py, &c, targets, store)?)?,
        None => c.targets(targets)?,
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let (transport, options) = (c.transport, c.options);
    let fut = async move {
        let outcomes = power_status_many(transport, targets, &options, move |o| {
            if let Ok(row) = serde_json::to_string(&PowerRow::of_status(o)) {
                let _ = tx.send(row);
            }
        })
        .await;
        outcomes
            .iter()
            .map(|o| json_of(&PowerRow::of_status(o)))
            .collect::<PyResult<Vec<String>>>()
    };
    Ok(Rows::new(
        "power_status",
        run_reporting(py, progress, rx, fut, None)??,
    ))
}

/// One target or a list/tuple of them; never empty.
fn items<'py>(targets: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let items: Vec<Bound<'py, PyAny>> =
        if targets.is_instance_of::<PyList>() || targets.is_instance_of::<PyTuple>() {
            targets.try_iter()?.collect::<PyResult<_>>()?
        } else {
            vec![targets.clone()]
        };
    if items.is_empty() {
        return Err(invalid("no targets given"));
    }
    Ok(items)
}

/// Resolves xnames through the store, keeping each failure's reason.
fn resolve_all(
    py: Python<'_>,
    c: &Common,
    targets: &Bound<'_, PyAny>,
    store: &PyStore,
) -> PyResult<Vec<Result<PowerTarget, String>>> {
    let ids = items(targets)?
        .iter()
        .map(xname_arg)
        .collect::<PyResult<Vec<_>>>()?;
    let (scheme, creds) = (c.scheme.clone(), c.credentials.clone());
    let inner = store.inner.clone();
    run(py, async move {
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(resolve(inner.as_ref(), &scheme, id, creds.as_ref()).await?);
        }
        Ok(out)
    })?
    .map_err(store_err)
}
