//! Behaviour tests of the `ochami` binary's `discover` and `demo` subcommands: the real
//! binary against simulated BMCs and an in-process `ochami serve`.

mod common;
mod demo;
mod discover;
mod store;
