//! SMD's component query semantics (`GET /State/Components`, `GET /memberships`).
//!
//! Every parameter may repeat: values of one parameter are OR-ed, different parameters are
//! AND-ed. A leading `!` negates a value (a component then must match none of the negated
//! values). `group` and `partition` take `NULL` for "in none" and cannot be negated.
//! Parameter names are case-insensitive, like SMD's.

use std::str::FromStr;

use crate::{Arch, Class, Component, Error, Flag, HmsType, Role, State, SubRole, Xname};

/// One value of a repeated filter parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term<T> {
    /// `true` for a `!value` term.
    pub negated: bool,
    /// The value.
    pub value: T,
}

/// Which fields a query returns (`stateonly`, `flagonly`, `roleonly`, `nidonly`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// `ID`, `Type`, `State`, `Flag`.
    StateOnly,
    /// `ID`, `Type`, `Flag`.
    FlagOnly,
    /// `ID`, `Type`, `Role`, `SubRole`.
    RoleOnly,
    /// `ID`, `Type`, `NID`.
    NidOnly,
}

impl Projection {
    /// Reduce a component to the fields this projection returns.
    pub fn apply(self, c: &Component) -> Component {
        let mut out = Component::new(c.id);
        out.flag = None;
        out.enabled = None;
        match self {
            Projection::StateOnly => {
                out.state = c.state;
                out.flag = c.flag;
            }
            Projection::FlagOnly => out.flag = c.flag,
            Projection::RoleOnly => {
                out.role = c.role;
                out.sub_role = c.sub_role;
            }
            Projection::NidOnly => out.nid = c.nid,
        }
        out
    }
}

/// A parsed component query.
///
/// ```
/// use ochami_core::{Component, ComponentFilter, Role, State};
/// let f = ComponentFilter::from_query_pairs([("role", "Compute"), ("state", "!Off"), ("type", "node")])?;
/// let n = Component::new("x1000c0s0b0n0".parse()?).with_role(Role::Compute).with_state(State::Ready);
/// assert!(f.matches(&n));
/// assert!(!f.matches(&n.clone().with_state(State::Off)));
/// # Ok::<(), ochami_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComponentFilter {
    /// `id`.
    pub id: Vec<Term<Xname>>,
    /// `type`.
    pub hms_type: Vec<Term<HmsType>>,
    /// `state`.
    pub state: Vec<Term<State>>,
    /// `flag`.
    pub flag: Vec<Term<Flag>>,
    /// `enabled`.
    pub enabled: Vec<Term<bool>>,
    /// `softwarestatus`.
    pub software_status: Vec<Term<String>>,
    /// `role`.
    pub role: Vec<Term<Role>>,
    /// `subrole`.
    pub sub_role: Vec<Term<SubRole>>,
    /// `subtype`.
    pub subtype: Vec<Term<String>>,
    /// `arch`.
    pub arch: Vec<Term<Arch>>,
    /// `class`.
    pub class: Vec<Term<Class>>,
    /// `nid`.
    pub nid: Vec<Term<i64>>,
    /// `nid_start`: inclusive lower NID bound.
    pub nid_start: Option<i64>,
    /// `nid_end`: inclusive upper NID bound.
    pub nid_end: Option<i64>,
    /// `group`: labels, `None` for `NULL` (in no group).
    pub group: Vec<Option<String>>,
    /// `partition`: names, `None` for `NULL` (in no partition).
    pub partition: Vec<Option<String>>,
    /// `locked`.
    pub locked: Vec<Term<bool>>,
    /// `reservation_disabled`.
    pub reservation_disabled: Vec<Term<bool>>,
    /// The projection asked for, if any (the first true one wins).
    pub projection: Option<Projection>,
}

fn parse_term<T: FromStr>(key: &str, raw: &str) -> Result<Term<T>, Error>
where
    T::Err: std::fmt::Display,
{
    let (negated, v) = match raw.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let value = v.parse::<T>().map_err(|e| Error::InvalidQuery {
        key: key.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(Term { negated, value })
}

fn parse_bool(key: &str, raw: &str) -> Result<bool, Error> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "t" => Ok(true),
        "false" | "0" | "f" => Ok(false),
        _ => Err(Error::InvalidQuery {
            key: key.to_owned(),
            reason: format!("{raw:?} is not a boolean"),
        }),
    }
}

fn term_bool(key: &str, raw: &str) -> Result<Term<bool>, Error> {
    let (negated, v) = match raw.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    Ok(Term {
        negated,
        value: parse_bool(key, v)?,
    })
}

fn null_or(key: &str, raw: &str) -> Result<Option<String>, Error> {
    if raw.starts_with('!') {
        return Err(Error::InvalidQuery {
            key: key.to_owned(),
            reason: "group and partition values cannot be negated".into(),
        });
    }
    Ok(if raw.eq_ignore_ascii_case("null") {
        None
    } else {
        Some(raw.trim().to_ascii_lowercase())
    })
}

/// A component passes a field's terms when it matches one of the positive terms (if there
/// are any) and none of the negated ones.
fn passes<T: PartialEq>(terms: &[Term<T>], value: Option<&T>) -> bool {
    let mut any_positive = false;
    let mut hit_positive = false;
    for t in terms {
        let hit = value == Some(&t.value);
        if t.negated {
            if hit {
                return false;
            }
        } else {
            any_positive = true;
            hit_positive |= hit;
        }
    }
    !any_positive || hit_positive
}

impl ComponentFilter {
    /// Build a filter from URL query pairs. Unknown parameter names and bad values are
    /// errors naming the parameter.
    pub fn from_query_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, Error>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut f = ComponentFilter::default();
        for (k, v) in pairs {
            f.push(k.as_ref(), v.as_ref())?;
        }
        Ok(f)
    }

    /// Add one `key=value` pair.
    pub fn push(&mut self, key: &str, raw: &str) -> Result<(), Error> {
        let k = key.to_ascii_lowercase();
        let raw = raw.trim();
        let int = |raw: &str| {
            raw.parse::<i64>().map_err(|_| Error::InvalidQuery {
                key: key.to_owned(),
                reason: format!("{raw:?} is not an integer"),
            })
        };
        match k.as_str() {
            "id" => self.id.push(parse_term(key, raw)?),
            "type" => self.hms_type.push(parse_term(key, raw)?),
            "state" => self.state.push(parse_term(key, raw)?),
            "flag" => self.flag.push(parse_term(key, raw)?),
            "enabled" => self.enabled.push(term_bool(key, raw)?),
            "softwarestatus" => self.software_status.push(parse_term(key, raw)?),
            "role" => self.role.push(parse_term(key, raw)?),
            "subrole" => self.sub_role.push(parse_term(key, raw)?),
            "subtype" => self.subtype.push(parse_term(key, raw)?),
            "arch" => self.arch.push(parse_term(key, raw)?),
            "class" => self.class.push(parse_term(key, raw)?),
            "nid" => self.nid.push(parse_term(key, raw)?),
            "nid_start" => self.nid_start = Some(int(raw)?),
            "nid_end" => self.nid_end = Some(int(raw)?),
            "group" => self.group.push(null_or(key, raw)?),
            "partition" => self.partition.push(null_or(key, raw)?),
            "locked" => self.locked.push(term_bool(key, raw)?),
            "reservation_disabled" => self.reservation_disabled.push(term_bool(key, raw)?),
            "stateonly" | "flagonly" | "roleonly" | "nidonly" => {
                if parse_bool(key, raw)? && self.projection.is_none() {
                    self.projection = Some(match k.as_str() {
                        "stateonly" => Projection::StateOnly,
                        "flagonly" => Projection::FlagOnly,
                        "roleonly" => Projection::RoleOnly,
                        _ => Projection::NidOnly,
                    });
                }
            }
            _ => {
                return Err(Error::InvalidQuery {
                    key: key.to_owned(),
                    reason: "unknown parameter".into(),
                });
            }
        }
        Ok(())
    }

    /// Whether the filter constrains group or partition membership (which needs membership
    /// data, see [`ComponentFilter::matches_with`]).
    pub fn uses_membership(&self) -> bool {
        !self.group.is_empty() || !self.partition.is_empty()
    }

    /// Whether the filter has no condition at all.
    pub fn is_empty(&self) -> bool {
        let ComponentFilter {
            projection: _,
            nid_start,
            nid_end,
            ..
        } = self;
        nid_start.is_none()
            && nid_end.is_none()
            && !self.uses_membership()
            && self.field_conditions() == 0
    }

    fn field_conditions(&self) -> usize {
        self.id.len()
            + self.hms_type.len()
            + self.state.len()
            + self.flag.len()
            + self.enabled.len()
            + self.software_status.len()
            + self.role.len()
            + self.sub_role.len()
            + self.subtype.len()
            + self.arch.len()
            + self.class.len()
            + self.nid.len()
            + self.locked.len()
            + self.reservation_disabled.len()
    }

    /// Match the component's own fields; group and partition conditions are ignored (see
    /// [`ComponentFilter::matches_with`]).
    pub fn matches(&self, c: &Component) -> bool {
        passes(&self.id, Some(&c.id))
            && passes(&self.hms_type, Some(&c.hms_type))
            && passes(&self.state, c.state.as_ref())
            && passes(&self.flag, c.flag.as_ref())
            && passes(&self.enabled, Some(&c.enabled.unwrap_or(true)))
            && passes(&self.software_status, c.software_status.as_ref())
            && passes(&self.role, c.role.as_ref())
            && passes(&self.sub_role, c.sub_role.as_ref())
            && passes(&self.subtype, c.subtype.as_ref())
            && passes(&self.arch, c.arch.as_ref())
            && passes(&self.class, c.class.as_ref())
            && passes(&self.nid, c.nid.as_ref())
            && passes(&self.locked, Some(&c.locked))
            && passes(&self.reservation_disabled, Some(&c.reservation_disabled))
            && self.nid_start.is_none_or(|s| c.nid.is_some_and(|n| n >= s))
            && self.nid_end.is_none_or(|e| c.nid.is_some_and(|n| n <= e))
    }

    /// Match fields and membership: `groups` are the labels the component belongs to,
    /// `partition` its partition.
    pub fn matches_with(&self, c: &Component, groups: &[&str], partition: Option<&str>) -> bool {
        let group_ok = self.group.is_empty()
            || self.group.iter().any(|g| match g {
                None => groups.is_empty(),
                Some(label) => groups.contains(&label.as_str()),
            });
        let part_ok = self.partition.is_empty()
            || self.partition.iter().any(|p| match p {
                None => partition.is_none(),
                Some(name) => partition == Some(name.as_str()),
            });
        group_ok && part_ok && self.matches(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str) -> Component {
        Component::new(id.parse().unwrap())
    }

    #[test]
    fn or_within_and_across() {
        let f = ComponentFilter::from_query_pairs([
            ("state", "Ready"),
            ("state", "On"),
            ("Role", "compute"),
        ])
        .unwrap();
        let c = node("x0c0s0b0n0").with_role(Role::Compute);
        assert!(f.matches(&c.clone().with_state(State::On)));
        assert!(f.matches(&c.clone().with_state(State::Ready)));
        assert!(!f.matches(&c.clone().with_state(State::Off)));
        assert!(!f.matches(&node("x0c0s0b0n0").with_state(State::On)));
    }

    #[test]
    fn negation_and_nid_range() {
        let f = ComponentFilter::from_query_pairs([
            ("type", "!NodeBMC"),
            ("nid_start", "10"),
            ("nid_end", "20"),
        ])
        .unwrap();
        assert!(f.matches(&node("x0c0s0b0n0").with_nid(10)));
        assert!(f.matches(&node("x0c0s0b0n0").with_nid(20)));
        assert!(!f.matches(&node("x0c0s0b0n0").with_nid(21)));
        assert!(!f.matches(&node("x0c0s0b0n0")));
        assert!(!f.matches(&node("x0c0s0b0").with_nid(12)));
    }

    #[test]
    fn membership_and_null() {
        let f = ComponentFilter::from_query_pairs([("group", "NULL")]).unwrap();
        let c = node("x0c0s0b0n0");
        assert!(f.matches_with(&c, &[], None));
        assert!(!f.matches_with(&c, &["compute"], None));
        let f =
            ComponentFilter::from_query_pairs([("group", "Compute"), ("partition", "p1")]).unwrap();
        assert!(f.matches_with(&c, &["compute"], Some("p1")));
        assert!(!f.matches_with(&c, &["compute"], None));
    }

    #[test]
    fn errors_name_the_parameter() {
        let e = ComponentFilter::from_query_pairs([("state", "Bogus")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("state") && e.contains("Bogus"), "{e}");
        let e = ComponentFilter::from_query_pairs([("colour", "red")])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "bad query param \"colour\": unknown parameter");
        assert!(ComponentFilter::from_query_pairs([("group", "!x")]).is_err());
        assert!(ComponentFilter::from_query_pairs([("nid_start", "ten")]).is_err());
        assert!(ComponentFilter::from_query_pairs([("id", "x9c9")]).is_err());
    }

    #[test]
    fn projection_first_true_wins() {
        let f = ComponentFilter::from_query_pairs([
            ("flagonly", "false"),
            ("nidonly", "true"),
            ("roleonly", "true"),
        ])
        .unwrap();
        assert_eq!(f.projection, Some(Projection::NidOnly));
        let c = node("x0c0s0b0n0").with_nid(7).with_role(Role::Compute);
        let p = serde_json::to_string(&Projection::NidOnly.apply(&c)).unwrap();
        assert_eq!(p, r#"{"ID":"x0c0s0b0n0","Type":"Node","NID":7}"#);
    }
}
