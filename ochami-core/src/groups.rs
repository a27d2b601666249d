//! SMD groups, partitions and memberships (`/hsm/v2/groups`, `/partitions`, `/memberships`).

use serde::{Deserialize, Serialize};

use crate::{Error, HmsType, Xname};

/// The `{"ids": [...]}` member list of a group or partition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Members {
    /// Member xnames.
    #[serde(default)]
    pub ids: Vec<Xname>,
}

/// A named set of components. A component belongs to at most one group that shares an
/// `exclusiveGroup` value.
///
/// ```
/// use ochami_core::Group;
/// let mut g: Group = serde_json::from_str(r#"{"label":"Compute","members":{"ids":["x0c0s0b0n0"]}}"#)?;
/// g.normalize()?;
/// assert_eq!(g.label, "compute");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Label: lowercase, `[-a-z0-9:._]+`.
    pub label: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Exclusive-group name, empty for a shared group.
    #[serde(
        rename = "exclusiveGroup",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub exclusive_group: String,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Members.
    #[serde(default)]
    pub members: Members,
}

/// Check and lower-case a group label, tag or exclusive-group name (`VerifyGroupField`).
fn group_field(field: &'static str, value: &mut String) -> Result<(), Error> {
    *value = value.trim().to_ascii_lowercase();
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-:._".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            value.clone(),
            "letters, digits and -:._ only",
        ))
    }
}

/// Check and lower-case a group label as SMD does.
pub(crate) fn normalize_label(label: &str) -> Result<String, Error> {
    let mut s = label.to_owned();
    group_field("label", &mut s)?;
    Ok(s)
}

impl Group {
    /// Lower-case and check label, tags and exclusive group; sort and dedupe members.
    pub fn normalize(&mut self) -> Result<(), Error> {
        group_field("label", &mut self.label)?;
        for t in &mut self.tags {
            group_field("tags", t)?;
        }
        if !self.exclusive_group.is_empty() {
            group_field("exclusiveGroup", &mut self.exclusive_group)?;
        }
        self.members.ids.sort();
        self.members.ids.dedup();
        Ok(())
    }

    /// Check and normalize a label given on its own (a URL path, a query value).
    pub fn normalize_label(label: &str) -> Result<String, Error> {
        normalize_label(label)
    }
}

/// A partition: `p<N>` or `p<N>.<M>`. A component belongs to at most one partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    /// Name, an xname of type `Partition`.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Members.
    #[serde(default)]
    pub members: Members,
}

impl Partition {
    /// Check the name (`Bad partition name. Must be p# or p#.#`) and tags; sort members.
    pub fn normalize(&mut self) -> Result<(), Error> {
        self.name = Self::normalize_name(&self.name)?;
        for t in &mut self.tags {
            group_field("tags", t)?;
        }
        self.members.ids.sort();
        self.members.ids.dedup();
        Ok(())
    }

    /// Check and normalize a partition name given on its own.
    pub fn normalize_name(name: &str) -> Result<String, Error> {
        match name.parse::<Xname>() {
            Ok(x) if x.hms_type() == HmsType::Partition => Ok(x.to_string()),
            _ => Err(Error::invalid("name", name, "a partition name p# or p#.#")),
        }
    }
}

/// Which groups and partition a component belongs to (`/hsm/v2/memberships`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The component.
    pub id: Xname,
    /// Labels of its groups.
    #[serde(rename = "groupLabels", default)]
    pub group_labels: Vec<String>,
    /// Its partition, empty when none.
    #[serde(rename = "partitionName", default)]
    pub partition_name: String,
}

/// `PATCH /groups/{label}` and `/partitions/{name}`: the description, the tags, or both.
///
/// ```
/// use ochami_core::GroupPatch;
/// let patch: GroupPatch = serde_json::from_str("{}")?;
/// assert_eq!(patch.checked().unwrap_err().to_string(), "Missing description or tags");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupPatch {
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

impl GroupPatch {
    /// The patch when it changes something; SMD's `Missing description or tags`
    /// ([`Error::MissingUpdate`]) when it names neither.
    pub fn checked(self) -> Result<Self, Error> {
        if self.description.is_none() && self.tags.is_none() {
            return Err(Error::MissingUpdate("description or tags"));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_partitions() {
        let mut g = Group {
            label: "Bad Label".into(),
            description: String::new(),
            exclusive_group: String::new(),
            tags: vec![],
            members: Members::default(),
        };
        let e = g.normalize().unwrap_err().to_string();
        assert!(e.contains("label") && e.contains("bad label"), "{e}");
        assert_eq!(Partition::normalize_name("P1.2").unwrap(), "p1.2");
        assert!(Partition::normalize_name("compute").is_err());
        let wire = serde_json::to_string(&Group {
            label: "a".into(),
            ..g
        })
        .unwrap();
        assert_eq!(
            wire,
            r#"{"label":"a","description":"","members":{"ids":[]}}"#
        );
    }
}
