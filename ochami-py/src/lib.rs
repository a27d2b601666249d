//! Python bindings for ochami: the `ochami._ochami` extension module behind the `ochami`
//! package.
//!
//! Glue only: every behaviour lives in the ochami crates. This crate converts arguments
//! (records cross as dicts in their OpenCHAMI wire form), maps each crate's error onto the
//! Python exception hierarchy (`errors`), and runs async calls on one shared tokio
//! runtime with the GIL released (`runtime`).

mod args;
mod boot;
mod client;
mod convert;
mod discovery;
mod errors;
mod hardware;
mod inventory_args;
mod machine_view;
mod power;
mod rows;
mod runtime;
mod sim;
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
    m.add_class::<client::PyClient>()?;
    m.add_function(wrap_pyfunction!(discovery::discover, m)?)?;
    m.add_function(wrap_pyfunction!(power::power, m)?)?;
    m.add_function(wrap_pyfunction!(power::power_status, m)?)?;
    m.add_class::<discovery::PyDiscoveryReport>()?;
    m.add_function(wrap_pyfunction!(boot::render_bootscript, m)?)?;
    m.add_function(wrap_pyfunction!(boot::meta_data, m)?)?;
    m.add_function(wrap_pyfunction!(boot::user_data, m)?)?;
    m.add_function(wrap_pyfunction!(boot::vendor_data, m)?)?;
    m.add_class::<sim::PySimBmc>()?;
    m.add_class::<sim::PySimFleet>()?;
    m.add_function(wrap_pyfunction!(sim::start_synthetic, m)?)?;
    m.add_function(wrap_pyfunction!(sim::start_mockup, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
