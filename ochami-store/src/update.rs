//! Change sets callers hand to the store: SMD's bulk component updates
//! ([`ComponentUpdate`]) and the PATCH bodies of ethernet interfaces and groups/partitions.

use ochami_core::{Error as CoreError, Flag, IpAddressEntry, Role, State, SubRole, Xname};
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
