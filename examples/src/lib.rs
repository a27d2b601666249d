//! # ochami-examples
//!
//! The `ochami` binary's library half: the OpenCHAMI-compatible HTTP server behind
//! `ochami serve` ([`server`]), usable in-process by tests, benches and other binaries.

pub mod server;
