//! The bodies of SMD's batch writes that name components one by one: `POST
//! /State/Components` ([`NewComponents`]) and `PATCH /State/Components/BulkNID`
//! ([`NidAssignments`]). Both refuse an empty list with SMD's `Missing Components`.

use serde::Deserialize;

use crate::{Component, Error, Result, Xname};

/// `POST /State/Components`: `{"Components":[...], "force": false}`.
///
/// ```
/// use ochami_core::NewComponents;
/// let body: NewComponents = serde_json::from_str(r#"{"Components":[]}"#)?;
/// assert_eq!(body.checked().unwrap_err().to_string(), "Missing Components");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct NewComponents {
    /// The components to create (or, with `force`, overwrite).
    #[serde(rename = "Components", alias = "components", default)]
    pub components: Vec<Component>,
    /// Overwrite the state fields of components that exist.
    #[serde(rename = "force", alias = "Force", default)]
    pub force: bool,
}

impl NewComponents {
    /// The body when it names at least one component; else [`Error::MissingUpdate`]
    /// (`Missing Components`).
    pub fn checked(self) -> Result<Self> {
        if self.components.is_empty() {
            return Err(Error::MissingUpdate("Components"));
        }
        Ok(self)
    }
}

/// `PATCH /State/Components/BulkNID`: `{"Components":[{"ID":..., "NID":...}]}`.
///
/// ```
/// use ochami_core::NidAssignments;
/// let body: NidAssignments = serde_json::from_str(r#"{"Components":[{"ID":"x0c0s0b0n0","NID":7}]}"#)?;
/// assert_eq!(body.nids()?, [("x0c0s0b0n0".parse()?, 7)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct NidAssignments {
    /// One entry per component.
    #[serde(rename = "Components", alias = "components", default)]
    pub components: Vec<NidAssignment>,
}

/// One component's new NID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct NidAssignment {
    /// The component.
    #[serde(rename = "ID", alias = "id")]
    pub id: Xname,
    /// Its NID.
    #[serde(rename = "NID", alias = "nid")]
    pub nid: i64,
}

impl NidAssignments {
    /// The `(xname, NID)` pairs to store; [`Error::MissingUpdate`] (`Missing Components`)
    /// when there are none.
    pub fn nids(&self) -> Result<Vec<(Xname, i64)>> {
        if self.components.is_empty() {
            return Err(Error::MissingUpdate("Components"));
        }
        Ok(self.components.iter().map(|e| (e.id, e.nid)).collect())
    }
}
