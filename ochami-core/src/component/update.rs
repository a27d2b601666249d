//! Component updates: what SMD's PATCH routes on `/State/Components` change
//! ([`ComponentUpdate`]), and their shared request body ([`CompUpdate`]) turned into those
//! updates: which fields each URL requires, and the order `PATCH /State/Components/{xname}`
//! applies several in.

use serde::Deserialize;

use crate::{BodyId, Error, Flag, Result, Role, State, SubRole, Xname};

/// One kind of component update (the URL of SMD's PATCH decides which). Exhaustive: every
/// backend writes each kind in its own way.
#[derive(Debug, Clone, PartialEq)]
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
    pub fn apply(&self, c: &mut crate::Component) -> Result<()> {
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

/// Which update a PATCH URL selects (`/BulkStateData`, `/{xname}/StateData`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateKind {
    /// `StateData`: `State` required, `Flag` and `Force` optional.
    StateData,
    /// `FlagOnly`: `Flag` required.
    FlagOnly,
    /// `Enabled`: `Enabled` required.
    Enabled,
    /// `SoftwareStatus`: `SoftwareStatus` required.
    SoftwareStatus,
    /// `Role`: `Role` required, `SubRole` optional.
    Role,
    /// `NID`: `NID` required.
    Nid,
}

impl UpdateKind {
    /// The kind a URL segment names (`StateData`, `FlagOnly`, `Enabled`, `SoftwareStatus`,
    /// `Role`, `NID`; exact spelling).
    pub fn from_path(kind: &str) -> Option<Self> {
        Some(match kind {
            "StateData" => UpdateKind::StateData,
            "FlagOnly" => UpdateKind::FlagOnly,
            "Enabled" => UpdateKind::Enabled,
            "SoftwareStatus" => UpdateKind::SoftwareStatus,
            "Role" => UpdateKind::Role,
            "NID" => UpdateKind::Nid,
            _ => return None,
        })
    }
}

/// What `PATCH /State/Components/{xname}` asks the store for, applied together.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentChanges {
    /// Field updates, in SMD's order.
    pub updates: Vec<ComponentUpdate>,
    /// A new NID.
    pub nid: Option<i64>,
}

/// What a PATCH under `/State/Components/{xname}/{kind}` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum KindChange {
    /// A field update.
    Update(ComponentUpdate),
    /// A new NID (stored like `BulkNID`).
    Nid(i64),
}

/// SMD's `CompUpdate` body, shared by the bulk and single-component PATCH routes; the URL
/// decides which fields are required. Keys other than these are ignored, as upstream; an
/// enum field given as `""` counts as absent.
///
/// ```
/// use ochami_core::{CompUpdate, ComponentUpdate, State, UpdateKind};
/// let body: CompUpdate = serde_json::from_str(r#"{"ComponentIDs":["x0c0s0b0n0"],"State":"Ready"}"#)?;
/// assert_eq!(
///     body.update(UpdateKind::StateData)?,
///     ComponentUpdate::State { state: State::Ready, flag: None, force: false }
/// );
/// assert_eq!(body.update(UpdateKind::FlagOnly).unwrap_err().to_string(), "Missing Flag");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CompUpdate {
    #[serde(rename = "ComponentIDs", alias = "componentids", default)]
    ids: Vec<String>,
    #[serde(rename = "ID", alias = "id", default)]
    id: Option<String>,
    #[serde(rename = "State", alias = "state", default)]
    state: Option<String>,
    #[serde(rename = "Flag", alias = "flag", default)]
    flag: Option<String>,
    #[serde(rename = "Enabled", alias = "enabled", default)]
    enabled: Option<bool>,
    #[serde(rename = "SoftwareStatus", alias = "softwarestatus", default)]
    software_status: Option<String>,
    #[serde(rename = "Role", alias = "role", default)]
    role: Option<String>,
    #[serde(rename = "SubRole", alias = "subrole", default)]
    sub_role: Option<String>,
    #[serde(rename = "NID", alias = "nid", default)]
    nid: Option<i64>,
    #[serde(rename = "Force", alias = "force", default)]
    force: bool,
}

/// Parse an optional enum field where `""` means absent.
fn opt<T: std::str::FromStr<Err = Error>>(v: &Option<String>) -> Result<Option<T>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Ok(Some(s.parse()?)),
    }
}

fn required<T>(v: Option<T>, what: &'static str) -> Result<T> {
    v.ok_or(Error::MissingUpdate(what))
}

impl CompUpdate {
    /// The update this body asks for under `kind` (not [`UpdateKind::Nid`], which is a
    /// [`KindChange::Nid`] of [`CompUpdate::for_kind`]).
    pub fn update(&self, kind: UpdateKind) -> Result<ComponentUpdate> {
        Ok(match kind {
            UpdateKind::StateData => ComponentUpdate::State {
                state: required(opt::<State>(&self.state)?, "State")?,
                flag: opt::<Flag>(&self.flag)?,
                force: self.force,
            },
            UpdateKind::FlagOnly => {
                ComponentUpdate::Flag(required(opt::<Flag>(&self.flag)?, "Flag")?)
            }
            UpdateKind::Enabled => {
                ComponentUpdate::Enabled(required(self.enabled, "Enabled field")?)
            }
            UpdateKind::SoftwareStatus => ComponentUpdate::SoftwareStatus(required(
                self.software_status.clone(),
                "SoftwareStatus",
            )?),
            UpdateKind::Role => ComponentUpdate::Role {
                role: required(opt::<Role>(&self.role)?, "Role")?,
                sub_role: opt::<SubRole>(&self.sub_role)?,
            },
            UpdateKind::Nid => {
                return Err(Error::InvalidUpdate(
                    "NID updates use BulkNID or /{xname}/NID",
                ));
            }
        })
    }

    /// What `PATCH /State/Components/{xname}/{kind}` asks for.
    pub fn for_kind(&self, kind: UpdateKind) -> Result<KindChange> {
        match kind {
            UpdateKind::Nid => Ok(KindChange::Nid(required(self.nid, "NID")?)),
            _ => Ok(KindChange::Update(self.update(kind)?)),
        }
    }

    /// The xnames of a bulk PATCH (`ComponentIDs`), at least one.
    pub fn bulk_ids(&self) -> Result<Vec<Xname>> {
        if self.ids.is_empty() {
            return Err(Error::MissingUpdate("IDs"));
        }
        self.ids.iter().map(|s| Ok(s.parse::<Xname>()?)).collect()
    }

    /// The body's `ID`, if given, must be the path's ([`BodyId::SMD_PATCH`]).
    pub fn check_id(&self, path: &Xname) -> Result<()> {
        BodyId::SMD_PATCH.check_raw(path, self.id.as_deref(), |s| Ok(s.parse::<Xname>()?))
    }

    /// `PATCH /State/Components/{xname}`: every single-field update the body carries, in
    /// SMD's order (State with Flag and Force, else Flag; Enabled; SoftwareStatus; Role with
    /// SubRole), each checked like its own route, plus a NID. At least one is required.
    pub fn changes(&self) -> Result<ComponentChanges> {
        let mut updates = Vec::new();
        if self.state.is_some() {
            updates.push(self.update(UpdateKind::StateData)?);
        } else if self.flag.is_some() {
            updates.push(self.update(UpdateKind::FlagOnly)?);
        }
        if self.enabled.is_some() {
            updates.push(self.update(UpdateKind::Enabled)?);
        }
        if self.software_status.is_some() {
            updates.push(self.update(UpdateKind::SoftwareStatus)?);
        }
        if self.role.is_some() {
            updates.push(self.update(UpdateKind::Role)?);
        }
        if updates.is_empty() && self.nid.is_none() {
            return Err(Error::InvalidUpdate(
                "Missing update: one of State, Flag, Enabled, SoftwareStatus, Role, NID is required",
            ));
        }
        Ok(ComponentChanges {
            updates,
            nid: self.nid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> CompUpdate {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn each_kind_requires_its_field() {
        let empty = body("{}");
        for (kind, msg) in [
            (UpdateKind::StateData, "Missing State"),
            (UpdateKind::FlagOnly, "Missing Flag"),
            (UpdateKind::Enabled, "Missing Enabled field"),
            (UpdateKind::SoftwareStatus, "Missing SoftwareStatus"),
            (UpdateKind::Role, "Missing Role"),
            (UpdateKind::Nid, "Missing NID"),
        ] {
            assert_eq!(empty.for_kind(kind).unwrap_err().to_string(), msg);
        }
        assert_eq!(
            body(r#"{"State":""}"#)
                .update(UpdateKind::StateData)
                .unwrap_err()
                .to_string(),
            "Missing State",
            "an empty enum value is absent"
        );
        assert_eq!(
            body(r#"{"NID":7}"#).for_kind(UpdateKind::Nid),
            Ok(KindChange::Nid(7))
        );
    }

    #[test]
    fn bad_enum_values_name_the_field() {
        let e = body(r#"{"Role":"Boss"}"#)
            .update(UpdateKind::Role)
            .unwrap_err();
        assert!(e.to_string().contains("Boss"), "{e}");
    }

    #[test]
    fn single_patch_orders_updates_like_smd() {
        let b = body(
            r#"{"Role":"Compute","SubRole":"Worker","Enabled":false,"Flag":"Warning",
                "State":"Ready","SoftwareStatus":"up","NID":3,"Force":true}"#,
        );
        let ComponentChanges { updates, nid } = b.changes().unwrap();
        assert_eq!(
            updates,
            [
                ComponentUpdate::State {
                    state: State::Ready,
                    flag: Some(Flag::Warning),
                    force: true
                },
                ComponentUpdate::Enabled(false),
                ComponentUpdate::SoftwareStatus("up".into()),
                ComponentUpdate::Role {
                    role: Role::Compute,
                    sub_role: Some(SubRole::Worker)
                },
            ]
        );
        assert_eq!(nid, Some(3));
        let flag_only = body(r#"{"Flag":"Alert"}"#).changes().unwrap();
        assert_eq!(
            flag_only,
            ComponentChanges {
                updates: vec![ComponentUpdate::Flag(Flag::Alert)],
                nid: None
            }
        );
        assert!(
            body(r#"{"ID":"x0c0s0b0n0"}"#)
                .changes()
                .unwrap_err()
                .to_string()
                .starts_with("Missing update")
        );
    }

    #[test]
    fn bulk_ids_and_body_id() {
        assert_eq!(
            body("{}").bulk_ids().unwrap_err().to_string(),
            "Missing IDs"
        );
        let b = body(r#"{"ComponentIDs":["X0C0S0B0N0"],"ID":"x0c0s0b0n1"}"#);
        let path: Xname = "x0c0s0b0n0".parse().unwrap();
        assert_eq!(b.bulk_ids().unwrap(), [path]);
        assert_eq!(
            b.check_id(&path).unwrap_err().to_string(),
            "ID in URL and PATCH body do not match"
        );
    }

    #[test]
    fn state_update_checks_transitions_and_defaults_the_flag() {
        let mut c = crate::Component::new("x0c0s0b0n0".parse().unwrap());
        let up = ComponentUpdate::State {
            state: State::Ready,
            flag: None,
            force: false,
        };
        up.apply(&mut c).unwrap();
        assert_eq!((c.state, c.flag), (Some(State::Ready), Some(Flag::Ok)));
    }
}
