//! Behaviour tests of ochami-redfish against the simulator (one test binary).

#![cfg(feature = "sim")]

mod boot_override;
mod common;
mod discovery;
mod faults;
mod hardware;
mod mockups;
mod pagination;
mod power_fleet;
mod power_mockups;
mod power_safety;
mod power_sim;
mod secrets;
mod sessions;
mod sushy;
mod tls;
