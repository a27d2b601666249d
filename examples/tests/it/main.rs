//! Behaviour tests of the `ochami` binary: its `discover` and `demo` subcommands against
//! simulated BMCs and an in-process server, and the custom-service examples.

mod cli;
mod netboot;
