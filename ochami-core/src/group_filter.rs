//! Which groups or partitions a list returns and which of their members it shows: SMD's
//! `group=`, `partition=` and `tag=` query terms, parsed and applied in one place for every
//! store backend.

use std::collections::BTreeSet;

use crate::{Error, Group, Members, Partition, Xname};

/// Restrict the members shown to those of one partition, or to those in none
/// (`partition=NULL`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PartitionScope {
    /// Every member.
    #[default]
    Any,
    /// Members of this partition (normalized name); none when it does not exist.
    In(String),
    /// Members of no partition.
    InNone,
}

impl PartitionScope {
    /// Parse a `partition=` value: `NULL` (any case) or a partition name.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        if raw.trim().eq_ignore_ascii_case("null") {
            Ok(PartitionScope::InNone)
        } else {
            Ok(PartitionScope::In(Partition::normalize_name(raw)?))
        }
    }

    /// Keep the members this scope admits. `partitioned` holds the members of the scope's
    /// partition (for [`In`](Self::In)) or of every partition (for [`InNone`](Self::InNone)).
    pub fn apply(&self, members: &mut Members, partitioned: &BTreeSet<Xname>) {
        match self {
            PartitionScope::Any => {}
            PartitionScope::In(_) => members.ids.retain(|id| partitioned.contains(id)),
            PartitionScope::InNone => members.ids.retain(|id| !partitioned.contains(id)),
        }
    }
}

/// The terms of a group or partition list: names (normalized), tags (lower-cased) and the
/// partition scope of the members. Empty terms match everything.
///
/// ```
/// use ochami_core::{GroupFilter, PartitionScope};
/// let f = GroupFilter::groups_from_query([("group", "Compute"), ("partition", "NULL")])?;
/// assert_eq!(f.names, ["compute"]);
/// assert_eq!(f.partition, PartitionScope::InNone);
/// assert!(f.admits("compute", &[]));
/// assert!(!f.admits("io", &[]));
/// # Ok::<(), ochami_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupFilter {
    /// Group labels or partition names; empty for all.
    pub names: Vec<String>,
    /// Tags, any of which admits an entry; empty for all.
    pub tags: Vec<String>,
    /// Which members are shown.
    pub partition: PartitionScope,
}

fn unknown(key: &str) -> Error {
    Error::InvalidQuery {
        key: key.to_owned(),
        reason: "unknown parameter".into(),
    }
}

fn tag(raw: &str) -> String {
    raw.trim().to_ascii_lowercase()
}

impl GroupFilter {
    /// One group (or partition) by its already normalized name.
    pub fn named(name: impl Into<String>) -> Self {
        GroupFilter {
            names: vec![name.into()],
            ..GroupFilter::default()
        }
    }

    /// `GET /groups` terms: `group=`, `tag=` (repeatable) and `partition=` (the last one).
    pub fn groups_from_query<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, Error>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut f = GroupFilter::default();
        for (k, v) in pairs {
            let (k, v) = (k.as_ref(), v.as_ref());
            match k.to_ascii_lowercase().as_str() {
                "group" => f.names.push(Group::normalize_label(v)?),
                "tag" => f.tags.push(tag(v)),
                "partition" => f.partition = PartitionScope::parse(v)?,
                _ => return Err(unknown(k)),
            }
        }
        Ok(f)
    }

    /// `GET /groups/{label}` and `/groups/{label}/members` terms: the label from the path
    /// (normalized) and `partition=` from the query.
    pub fn group_from_query<K, V>(
        label: &str,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, Error>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut f = GroupFilter::named(Group::normalize_label(label)?);
        for (k, v) in pairs {
            let (k, v) = (k.as_ref(), v.as_ref());
            match k.to_ascii_lowercase().as_str() {
                "partition" => f.partition = PartitionScope::parse(v)?,
                _ => return Err(unknown(k)),
            }
        }
        Ok(f)
    }

    /// `GET /partitions` terms: `partition=` names and `tag=`, both repeatable.
    pub fn partitions_from_query<K, V>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, Error>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut f = GroupFilter::default();
        for (k, v) in pairs {
            let (k, v) = (k.as_ref(), v.as_ref());
            match k.to_ascii_lowercase().as_str() {
                "partition" => f.names.push(Partition::normalize_name(v)?),
                "tag" => f.tags.push(tag(v)),
                _ => return Err(unknown(k)),
            }
        }
        Ok(f)
    }

    /// Whether an entry named `name` with `tags` passes the name and tag terms.
    pub fn admits(&self, name: &str, tags: &[String]) -> bool {
        (self.names.is_empty() || self.names.iter().any(|n| n == name))
            && (self.tags.is_empty() || tags.iter().any(|t| self.tags.contains(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(raw: &[&str]) -> Members {
        Members {
            ids: raw.iter().map(|s| s.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn terms_parse_and_admit() {
        let f = GroupFilter::groups_from_query([("GROUP", "Blue"), ("tag", " Fast ")]).unwrap();
        assert_eq!(f.names, ["blue"]);
        assert_eq!(f.tags, ["fast"]);
        assert!(f.admits("blue", &["fast".into(), "x".into()]));
        assert!(!f.admits("blue", &["slow".into()]));
        assert!(!f.admits("red", &["fast".into()]));
        assert!(GroupFilter::default().admits("anything", &[]));
    }

    #[test]
    fn unknown_and_malformed_terms_are_named() {
        let e = GroupFilter::groups_from_query([("colour", "red")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad query param \"colour\": unknown parameter"
        );
        assert!(GroupFilter::groups_from_query([("group", "bad label!")]).is_err());
        assert!(GroupFilter::partitions_from_query([("partition", "compute")]).is_err());
        assert!(GroupFilter::group_from_query("blue", [("tag", "x")]).is_err());
    }

    #[test]
    fn partition_scope_keeps_the_right_members() {
        let part: BTreeSet<Xname> = ["x0c0s0b0n0".parse().unwrap()].into();
        let mut m = ids(&["x0c0s0b0n0", "x0c0s0b0n1"]);
        PartitionScope::parse("p1").unwrap().apply(&mut m, &part);
        assert_eq!(m, ids(&["x0c0s0b0n0"]));
        let mut m = ids(&["x0c0s0b0n0", "x0c0s0b0n1"]);
        PartitionScope::parse("null").unwrap().apply(&mut m, &part);
        assert_eq!(m, ids(&["x0c0s0b0n1"]));
        let mut m = ids(&["x0c0s0b0n0"]);
        PartitionScope::Any.apply(&mut m, &BTreeSet::new());
        assert_eq!(m, ids(&["x0c0s0b0n0"]));
    }
}
