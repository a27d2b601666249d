//! Integration tests of ochami-store, compiled into one binary: the conformance suite of
//! `ochami-testing` run against every backend compiled in, one module per backend, plus what
//! only that backend can show.

#[cfg(feature = "memory")]
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(any(feature = "memory", feature = "sqlite"))]
use ochami_core::{Component, ComponentFilter, State};

/// A component with a state.
#[cfg(any(feature = "memory", feature = "sqlite"))]
fn comp(id: &str, state: State) -> Component {
    Component::new(id.parse().expect("test xname")).with_state(state)
}

/// Every component of `store`.
#[cfg(any(feature = "memory", feature = "sqlite"))]
async fn all_components(store: &std::sync::Arc<dyn ochami_store::Store>) -> Vec<Component> {
    store
        .list_components(&ComponentFilter::default())
        .await
        .expect("list components")
}
