//! Integration tests of ochami-store, compiled into one binary: the conformance suite
//! (`conformance/`) run against every backend compiled in, one module per backend.

#[cfg(any(feature = "memory", feature = "sqlite", feature = "postgres"))]
mod conformance;
#[cfg(feature = "memory")]
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
