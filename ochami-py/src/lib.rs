//! Python bindings for ochami: the `ochami._ochami` extension module behind the `ochami`
//! package.
//!
//! Glue only: every behaviour lives in the ochami crates. This crate converts arguments
//! (records cross as dicts in their OpenCHAMI wire form), maps each crate's error onto the
//! Python exception hierarchy ([`errors`]), and runs async calls on one shared tokio
//! runtime with the GIL released ([`runtime`]).

mod convert;
mod discovery;
mod errors;
mod rows;
mod runtime;
mod store;
mod xname;

use pyo3::prelude::*;

/// The extension module `ochami._ochami`; `ochami/__init__.py` re-exports it.
#[pymodule]
fn _ochami(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<xname::PyXname>()?;
    m.add_function(wrap_pyfunction!(xname::parse_xnames, m)?)?;
    m.add_class::<rows::Rows>()?;
    m.add_class::<store::PyStore>()?;
    m.add_function(wrap_pyfunction!(discovery::discover, m)?)?;
    m.add_class::<discovery::PyDiscoveryReport>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
