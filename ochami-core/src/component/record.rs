//! SMD's `Component` record (`/hsm/v2/State/Components`).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::{Arch, Class, Flag, HmsType, NetType, Role, State, SubRole, Xname};

/// One component as SMD stores and returns it.
///
/// `Type` is always derived from `ID`: a client-supplied value is ignored on input, as SMD
/// does. Empty strings for the enum fields read as absent. Keys match SMD's spelling; the
/// lowercase spellings are accepted too, since SMD's Go decoder matches keys
/// case-insensitively.
///
/// ```
/// use ochami_core::{Component, Role, State};
/// let c: Component = serde_json::from_str(
///     r#"{"ID":"x1000c0s0b0n0","Type":"Cabinet","State":"ready","Role":"Compute","NID":1}"#)?;
/// assert_eq!(c.hms_type.to_string(), "Node");
/// assert_eq!(c.state, Some(State::Ready));
/// assert_eq!(c.role, Some(Role::Compute));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ComponentIn")]
pub struct Component {
    /// The xname.
    #[serde(rename = "ID")]
    pub id: Xname,
    /// The HMS type, derived from `id`.
    #[serde(rename = "Type")]
    pub hms_type: HmsType,
    /// Hardware state.
    #[serde(rename = "State", skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    /// Flag.
    #[serde(rename = "Flag", skip_serializing_if = "Option::is_none")]
    pub flag: Option<Flag>,
    /// Whether the component is enabled.
    #[serde(rename = "Enabled", skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Free-text software status (SMD's `admin` column).
    #[serde(rename = "SoftwareStatus", skip_serializing_if = "Option::is_none")]
    pub software_status: Option<String>,
    /// Role.
    #[serde(rename = "Role", skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Sub-role.
    #[serde(rename = "SubRole", skip_serializing_if = "Option::is_none")]
    pub sub_role: Option<SubRole>,
    /// Node id; SMD writes none for a negative value.
    #[serde(rename = "NID", skip_serializing_if = "Option::is_none")]
    pub nid: Option<i64>,
    /// Free-text subtype.
    #[serde(rename = "Subtype", skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    /// Network type.
    #[serde(rename = "NetType", skip_serializing_if = "Option::is_none")]
    pub net_type: Option<NetType>,
    /// Architecture.
    #[serde(rename = "Arch", skip_serializing_if = "Option::is_none")]
    pub arch: Option<Arch>,
    /// Hardware class.
    #[serde(rename = "Class", skip_serializing_if = "Option::is_none")]
    pub class: Option<Class>,
    /// Read-only: reservations disabled.
    #[serde(
        rename = "ReservationDisabled",
        skip_serializing_if = "is_false",
        default
    )]
    pub reservation_disabled: bool,
    /// Read-only: locked.
    #[serde(rename = "Locked", skip_serializing_if = "is_false", default)]
    pub locked: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Component {
    /// A component with SMD's defaults for a new record: flag `OK`, enabled, no state.
    pub fn new(id: Xname) -> Self {
        Component {
            id,
            hms_type: id.hms_type(),
            state: None,
            flag: Some(Flag::Ok),
            enabled: Some(true),
            software_status: None,
            role: None,
            sub_role: None,
            nid: None,
            subtype: None,
            net_type: None,
            arch: None,
            class: None,
            reservation_disabled: false,
            locked: false,
        }
    }

    /// Builder: set the state.
    pub fn with_state(mut self, state: State) -> Self {
        self.state = Some(state);
        self
    }

    /// Builder: set the role.
    pub fn with_role(mut self, role: Role) -> Self {
        self.role = Some(role);
        self
    }

    /// Builder: set the NID.
    pub fn with_nid(mut self, nid: i64) -> Self {
        self.nid = Some(nid);
        self
    }

    /// What SMD's forced `POST /State/Components` changes in an existing component: State,
    /// Flag, Subtype, NetType, Arch and Class are taken from `from`; everything else (Role,
    /// NID, Enabled, ...) stays.
    ///
    /// ```
    /// use ochami_core::{Component, Role, State};
    /// let mut stored = Component::new("x0c0s0b0n0".parse()?).with_role(Role::Compute);
    /// stored.overwrite_forced(&Component::new(stored.id).with_state(State::Ready));
    /// assert_eq!((stored.state, stored.role), (Some(State::Ready), Some(Role::Compute)));
    /// # Ok::<(), ochami_core::Error>(())
    /// ```
    pub fn overwrite_forced(&mut self, from: &Component) {
        self.state = from.state;
        self.flag = from.flag;
        self.subtype.clone_from(&from.subtype);
        self.net_type = from.net_type;
        self.arch = from.arch;
        self.class = from.class;
    }

    /// Apply SMD's write normalization: `Type` from `ID`, missing `Flag` becomes `OK`,
    /// missing `Enabled` becomes true, negative NIDs and empty strings become absent.
    pub fn normalize(&mut self) {
        self.hms_type = self.id.hms_type();
        self.flag.get_or_insert(Flag::Ok);
        self.enabled.get_or_insert(true);
        if self.nid.is_some_and(|n| n < 0) {
            self.nid = None;
        }
        for s in [&mut self.software_status, &mut self.subtype] {
            if s.as_deref().is_some_and(str::is_empty) {
                *s = None;
            }
        }
    }

    /// Whether this is a node (`Node` or `VirtualNode`), the kind BSS and cloud-init serve.
    pub fn is_node(&self) -> bool {
        matches!(self.hms_type, HmsType::Node | HmsType::VirtualNode)
    }
}

/// SMD's synthetic NID for a node with no NID from elsewhere (`GetBogusNID`):
/// `(cab + 1) * 16384 + chassis * 2048 + slot * 32 + bmc * 4 + node`. `None` for anything
/// that is not a `Node` or `VirtualNode`.
///
/// ```
/// let id = "x1000c0s0b0n0".parse().unwrap();
/// assert_eq!(ochami_core::bogus_nid(&id), Some(16400384));
/// ```
pub fn bogus_nid(id: &Xname) -> Option<i64> {
    if !matches!(id.hms_type(), HmsType::Node | HmsType::VirtualNode) {
        return None;
    }
    let o = id.ordinals();
    let [cab, chassis, slot, bmc, node] = [o[0], o[1], o[2], o[3], o[4]].map(i64::from);
    Some((cab + 1) * 16384 + chassis * 2048 + slot * 32 + bmc * 4 + node)
}

/// Read an optional value where `""` and `null` both mean absent.
fn empty_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Option::<serde_json::Value>::deserialize(d)?;
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(v) => serde_json::from_value(v)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// Wire form on input; `Type` is read and dropped.
#[derive(Deserialize)]
struct ComponentIn {
    #[serde(rename = "ID", alias = "id")]
    id: Xname,
    #[serde(rename = "Type", alias = "type", default)]
    _hms_type: Option<serde::de::IgnoredAny>,
    #[serde(
        rename = "State",
        alias = "state",
        default,
        deserialize_with = "empty_none"
    )]
    state: Option<State>,
    #[serde(
        rename = "Flag",
        alias = "flag",
        default,
        deserialize_with = "empty_none"
    )]
    flag: Option<Flag>,
    #[serde(rename = "Enabled", alias = "enabled", default)]
    enabled: Option<bool>,
    #[serde(rename = "SoftwareStatus", alias = "softwarestatus", default)]
    software_status: Option<String>,
    #[serde(
        rename = "Role",
        alias = "role",
        default,
        deserialize_with = "empty_none"
    )]
    role: Option<Role>,
    #[serde(
        rename = "SubRole",
        alias = "subrole",
        default,
        deserialize_with = "empty_none"
    )]
    sub_role: Option<SubRole>,
    #[serde(rename = "NID", alias = "nid", default)]
    nid: Option<i64>,
    #[serde(rename = "Subtype", alias = "subtype", default)]
    subtype: Option<String>,
    #[serde(
        rename = "NetType",
        alias = "nettype",
        default,
        deserialize_with = "empty_none"
    )]
    net_type: Option<NetType>,
    #[serde(
        rename = "Arch",
        alias = "arch",
        default,
        deserialize_with = "empty_none"
    )]
    arch: Option<Arch>,
    #[serde(
        rename = "Class",
        alias = "class",
        default,
        deserialize_with = "empty_none"
    )]
    class: Option<Class>,
    #[serde(rename = "ReservationDisabled", default)]
    reservation_disabled: bool,
    #[serde(rename = "Locked", default)]
    locked: bool,
}

impl From<ComponentIn> for Component {
    fn from(c: ComponentIn) -> Self {
        Component {
            hms_type: c.id.hms_type(),
            id: c.id,
            state: c.state,
            flag: c.flag,
            enabled: c.enabled,
            software_status: c.software_status.filter(|s| !s.is_empty()),
            role: c.role,
            sub_role: c.sub_role,
            nid: c.nid.filter(|n| *n >= 0),
            subtype: c.subtype.filter(|s| !s.is_empty()),
            net_type: c.net_type,
            arch: c.arch,
            class: c.class,
            reservation_disabled: c.reservation_disabled,
            locked: c.locked,
        }
    }
}
