//! Integration tests of ochami-core, one module per topic, compiled into one binary.

mod hardware;
mod wire;
mod xname;
