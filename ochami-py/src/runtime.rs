//! The one tokio runtime of the module, and [`run`], which drives a future on it with the
//! GIL released while answering Ctrl-C.
//!
//! The future is spawned on the runtime; the calling thread waits for it in short slices
//! without the GIL and, between slices, takes the GIL back to run
//! `Python::check_signals` (so a `KeyboardInterrupt` aborts the task) and an optional
//! `between` hook (discovery uses it to hand progress events to a Python callback on the
//! caller's own thread).
//!
//! The runtime lives for the whole process (it is never dropped); a forked child gets a
//! new one on first use.

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

/// How long the caller waits without the GIL before checking for signals.
const SLICE: Duration = Duration::from_millis(50);

/// The runtime and the process that created it. A `fork()`ed child (multiprocessing's
/// default start method on Linux) inherits the runtime without its worker threads, so a
/// child builds its own; the inherited one is leaked, since dropping it would wait for
/// threads that do not exist in the child.
static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

/// The shared multi-thread runtime of this process, created on first use.
pub(crate) fn runtime() -> PyResult<&'static Runtime> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((owner, rt)) = *slot
        && owner == pid
    {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ochami-tokio")
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the tokio runtime: {e}")))?;
    let rt: &'static Runtime = Box::leak(Box::new(rt));
    *slot = Some((pid, rt));
    Ok(rt)
}

/// Runs `fut` on the shared runtime with the GIL released; see the module docs.
pub(crate) fn run<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    run_with(py, fut, |_| Ok(()))
}

/// [`run`], calling `between` with the GIL held after every slice (and once at the end).
pub(crate) fn run_with<F, T>(
    py: Python<'_>,
    fut: F,
    mut between: impl FnMut(Python<'_>) -> PyResult<()>,
) -> PyResult<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let rt = runtime()?;
    let mut task = rt.spawn(fut);
    loop {
        let waited =
            py.detach(|| rt.block_on(async { tokio::time::timeout(SLICE, &mut task).await }));
        let hook = between(py);
        match waited {
            Ok(Ok(value)) => {
                hook?;
                return Ok(value);
            }
            Ok(Err(join)) => {
                return Err(PyRuntimeError::new_err(format!(
                    "ochami task failed: {join}"
                )));
            }
            Err(_elapsed) => {
                if let Err(e) = hook.and_then(|()| py.check_signals()) {
                    task.abort();
                    return Err(e);
                }
            }
        }
    }
}

/// [`run_with`] for work that must not be dropped half-way (a BMC between a reset and its
/// confirmation): on Ctrl-C or an error from `between`, `cancel` is called (it asks the work
/// to stop starting new parts) and the future is awaited to its end before the error is
/// raised.
pub(crate) fn run_cancellable<F, T>(
    py: Python<'_>,
    fut: F,
    mut between: impl FnMut(Python<'_>) -> PyResult<()>,
    cancel: impl FnOnce(),
) -> PyResult<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let rt = runtime()?;
    let mut task = rt.spawn(fut);
    loop {
        let waited =
            py.detach(|| rt.block_on(async { tokio::time::timeout(SLICE, &mut task).await }));
        let hook = between(py);
        match waited {
            Ok(Ok(value)) => {
                hook?;
                return Ok(value);
            }
            Ok(Err(join)) => {
                return Err(PyRuntimeError::new_err(format!(
                    "ochami task failed: {join}"
                )));
            }
            Err(_elapsed) => {
                if let Err(e) = hook.and_then(|()| py.check_signals()) {
                    cancel();
                    // What is in progress finishes; its outcome is dropped with the error.
                    let _ = py.detach(|| rt.block_on(&mut task));
                    return Err(e);
                }
            }
        }
    }
}
