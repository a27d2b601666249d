//! HTTP tests of `ochami-server`: every route family in-process and over a socket, against
//! the memory, SQLite and Postgres stores.

mod admin;
mod auth;
mod bad_input;
mod boot_files;
mod boot_service;
mod bss;
mod cloud_init;
mod common;
mod credentials;
mod dhcp;
mod metadata_service;
mod power;
mod root_mount;
mod scale_out;
mod shutdown;
mod smd_components;
mod smd_groups;
mod smd_inventory;
mod tftp;
mod ui;
