//! HTTP tests of `ochami serve`: every route family in-process and over a socket, against
//! the memory, SQLite and Postgres stores.

mod common;
mod smd_components;
