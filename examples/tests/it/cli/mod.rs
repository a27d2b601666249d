//! Behaviour tests of the `ochami` binary's `discover`, `demo` and client subcommands: the
//! real binary against simulated BMCs and an in-process `ochami serve`.

mod client;
mod common;
mod demo;
mod discover;
mod nodes_yaml;
mod power;
mod store;
mod v02;
