//! Behaviour tests of ochami-redfish against the simulator (one test binary).

#![cfg(feature = "sim")]

mod common;
mod discovery;
mod faults;
mod hardware;
mod mockups;
mod pagination;
mod secrets;
mod sessions;
mod tls;
