//! Store-level request types: updates, filters, patches and boot-config keys.

pub use ochami_core::{BootCandidates, BootConfig, BootKey, merge_patch};
use ochami_core::{
    Error as CoreError, Flag, HmsType, IpAddressEntry, MacAddr, Role, State, SubRole, Xname,
};
use serde::{Deserialize, Serialize};

/// One kind of bulk component update (the URL of SMD's PATCH decides which).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ComponentUpdate {
    /// `StateData`: new state, flag (default `OK`), and whether to bypass the transition table.
    State {
        /// Target state.
        state: State,
        /// Flag to set; `OK` when absent.
        flag: Option<Flag>,
        /// Bypass the transition table.
        force: bool,
    },
    /// `FlagOnly`.
    Flag(Flag),
    /// `Enabled`.
    Enabled(bool),
    /// `SoftwareStatus`.
    SoftwareStatus(String),
    /// `Role`: role and optional sub-role (cleared when absent).
    Role {
        /// Role.
        role: Role,
        /// Sub-role.
        sub_role: Option<SubRole>,
    },
}

impl ComponentUpdate {
    /// Apply to one component, checking the transition table for state changes.
    pub fn apply(&self, c: &mut ochami_core::Component) -> Result<(), CoreError> {
        match self {
            ComponentUpdate::State { state, flag, force } => {
                State::check_transition(&c.id.to_string(), c.state, *state, *force)?;
                c.state = Some(*state);
                c.flag = Some(flag.unwrap_or(Flag::Ok));
            }
            ComponentUpdate::Flag(f) => c.flag = Some(*f),
            ComponentUpdate::Enabled(e) => c.enabled = Some(*e),
            ComponentUpdate::SoftwareStatus(s) => {
                c.software_status = (!s.is_empty()).then(|| s.clone())
            }
            ComponentUpdate::Role { role, sub_role } => {
                c.role = Some(*role);
                c.sub_role = *sub_role;
            }
        }
        Ok(())
    }
}

/// Filter for Redfish endpoints (`GET /Inventory/RedfishEndpoints`); empty lists match all,
/// several values of one field are OR-ed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RedfishEndpointFilter {
    /// `id`.
    pub id: Vec<Xname>,
    /// `fqdn`.
    pub fqdn: Vec<String>,
    /// `type`.
    pub hms_type: Vec<HmsType>,
    /// `uuid`.
    pub uuid: Vec<String>,
    /// `macaddr`.
    pub mac: Vec<MacAddr>,
    /// `ipaddress`.
    pub ip: Vec<String>,
    /// `laststatus`.
    pub last_status: Vec<String>,
}

/// Filter for ethernet interfaces (`GET /Inventory/EthernetInterfaces`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EthernetInterfaceFilter {
    /// `macaddress` (or `id`).
    pub mac: Vec<MacAddr>,
    /// `ipaddress`.
    pub ip: Vec<String>,
    /// `network`.
    pub network: Vec<String>,
    /// `componentid`.
    pub component_id: Vec<Xname>,
    /// `type`.
    pub hms_type: Vec<HmsType>,
}

/// `PATCH /Inventory/EthernetInterfaces/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EthernetInterfacePatch {
    /// New description.
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    /// New owning component.
    #[serde(rename = "ComponentID", default)]
    pub component_id: Option<Xname>,
    /// New IP list.
    #[serde(rename = "IPAddresses", default)]
    pub ip_addresses: Option<Vec<IpAddressEntry>>,
}

/// `PATCH /groups/{label}` and `/partitions/{name}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupPatch {
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// One row of BSS's endpoint-access history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointAccess {
    /// Node name (xname).
    pub name: String,
    /// `bootscript` or `user-data`.
    pub endpoint: String,
    /// Unix seconds.
    pub last_epoch: i64,
}
