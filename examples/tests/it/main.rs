//! Behaviour tests of the `ochami` binary: its `discover` and `demo` subcommands against
//! simulated BMCs and an in-process server, the custom-service examples, and netbooting a
//! QEMU guest from `ochami serve` in a network namespace.

mod cli;
mod netboot;
