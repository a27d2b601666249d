//! # ochami-core
//!
//! The OpenCHAMI domain model and its wire format. Everything here is plain data plus the
//! rules SMD, BSS and cloud-init apply to it; there is no I/O, no async and no SQL, so every
//! other ochami crate (and any tool of your own) can depend on it cheaply.
//!
//! - [`Xname`] and [`HmsType`]: HMS component ids with the full type table, normalized and
//!   ordered like SMD does.
//! - [`Component`] and its enums ([`State`], [`Flag`], [`Role`], [`SubRole`], [`Arch`],
//!   [`Class`], [`NetType`]) with SMD's state-transition rules ([`State::check_transition`]).
//! - Inventory: [`RedfishEndpoint`], [`ComponentEndpoint`], [`EthernetInterface`],
//!   [`Group`], [`Partition`], [`Membership`], [`MacAddr`].
//! - Hardware by location ([`hardware`]): [`HardwareRecord`] for nodes, processors, DIMMs,
//!   accelerators, drives, HSN NICs and enclosures, with SMD's FRU ids ([`fru_id`]).
//! - Discovery ingest: [`ingest::EndpointIngest`], the body Magellan POSTs, and its expansion
//!   into inventory.
//! - Boot data: [`BootParams`] as BSS spells it, cloud-init records in [`cloud_init`].
//! - [`ComponentFilter`]: SMD's query semantics for `GET /State/Components`; typed filters
//!   for the inventory lists ([`ComponentEndpointFilter`], [`EthernetInterfaceFilter`] with
//!   [`Timestamp`] bounds, [`RedfishEndpointFilter`]).
//! - boot-service's resources: [`BootConfiguration`]'s write rules and [`BootNodeSpec`].
//! - [`BodyId`]: the one rule for an id in the URL and another in the body.
//! - [`Problem`]: RFC 7807 problem details as SMD and BSS send them.
//!
//! ```
//! use ochami_core::{Component, State, Xname};
//!
//! let id: Xname = "X1000C0S0B0N00".parse()?;
//! assert_eq!(id.to_string(), "x1000c0s0b0n0");
//! let node = Component::new(id).with_state(State::Ready);
//! let json = serde_json::to_string(&node)?;
//! assert_eq!(json, r#"{"ID":"x1000c0s0b0n0","Type":"Node","State":"Ready","Flag":"OK","Enabled":true}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod body_id;
mod boot;
mod boot_config;
mod boot_configuration;
mod boot_query;
mod boot_service;
pub mod cloud_init;
pub mod component;
mod endpoint_body;
mod error;
mod group_filter;
mod groups;
pub mod hardware;
mod hms_type;
pub mod ingest;
mod inventory;
mod inventory_filter;
mod json_patch;
mod mac;
pub mod nodes_yaml;
mod problem;
mod timestamp;
mod xname;
mod xname_error;

pub use body_id::BodyId;
pub use boot::{BootHost, BootParams, CloudInit, PhoneHome};
pub use boot_config::{BootCandidates, BootConfig, BootKey, merge_patch};
pub use boot_configuration::{
    BootConfiguration, BootConfigurationSpec, BootOrigin, BootSelection, MAX_PRIORITY, host_matches,
};
pub use component::attributes::{Arch, Class, Flag, NetType, Role, State, SubRole};
pub use component::bss_view::{SmComponent, sm_components};
pub use component::filter::{ComponentFilter, Projection, Term};
pub use component::query::{HierarchyQuery, NidRange, QueryBody, query_body_filters};
pub use component::record::{Component, bogus_nid};
pub use component::update::{
    CompUpdate, ComponentChanges, ComponentUpdate, KindChange, UpdateKind,
};
pub use endpoint_body::RedfishEndpointPatch;
pub use error::{Error, Result};
pub use group_filter::{GroupFilter, PartitionScope};
pub use groups::{Group, Members, Membership, Partition};
pub use hardware::{
    BasicLocationInfo, ChassisLocationInfo, DriveFruInfo, FruInfo, HardwareFilter, HardwareFru,
    HardwareJson, HardwarePost, HardwareRecord, HardwareStatus, HardwareTree, LocationInfo,
    MemoryFruInfo, MemoryLocation, MemoryLocationInfo, MemorySummary, NodeFruInfo,
    NodeLocationInfo, PartFruInfo, PopulatedFru, ProcessorFruInfo, ProcessorLocationInfo,
    ProcessorSummary, TreeFormat, fru_id,
};
pub use hms_type::HmsType;
pub use inventory::{
    ComponentEndpoint, DiscoveryInfo, EthernetInterface, EthernetNicInfo, IpAddressEntry,
    RedfishEndpoint, RedfishManagerInfo, RedfishSystemInfo, ResourceUri,
};
pub use inventory_filter::{
    ComponentEndpointFilter, EthernetInterfaceFilter, RedfishEndpointFilter,
};
pub use json_patch::json_patch;
pub use mac::MacAddr;
pub use problem::{Problem, reason_phrase};
pub use timestamp::Timestamp;
pub use xname::{Xname, XnameError};

// Request bodies and BSS reads whose rules used to sit in ochami-server's handlers.
pub use boot_query::BootQuery;
pub use component::batch::{NewComponents, NidAssignment, NidAssignments};
pub use endpoint_body::RedfishEndpointsPost;
pub use groups::GroupPatch;
pub use inventory::EthernetInterfacePatch;

// boot-service's resources (OpenCHAMI v0.2).
pub use boot_service::{BootNodeInterface, BootNodeRecords, BootNodeSpec};
