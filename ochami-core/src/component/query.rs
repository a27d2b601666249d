//! SMD's component query forms beyond plain filters: the hierarchy query
//! (`GET /State/Components/Query/{xname}`), the JSON query bodies (`POST /State/Components/Query`
//! and `POST /State/Components/ByNID/Query`) and NID ranges.
//!
//! Query bodies are checked strictly: an unknown key is an error naming it (upstream's Go
//! decoder ignores it, which silently widens the answer).

use std::str::FromStr;

use crate::{Component, ComponentFilter, Error, HmsType, Xname};

/// `GET /State/Components/Query/{xname}`: without a `type` term just `{xname}` itself; with
/// `type=T` every component of type T that `{xname}` contains by SMD's prefix rule
/// ([`Xname::smd_prefix_contains`]). `s0` and `all` contain everything.
///
/// ```
/// use ochami_core::{Component, ComponentFilter, HierarchyQuery};
/// let q = HierarchyQuery::new("x1000c0s0".parse()?, ComponentFilter::from_query_pairs([("type", "Node")])?);
/// assert!(q.contains(&Component::new("x1000c0s0b0n0".parse()?)));
/// assert!(!q.contains(&Component::new("x1000c0s10b0n0".parse()?)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HierarchyQuery {
    root: Xname,
    filter: ComponentFilter,
}

impl HierarchyQuery {
    /// A query under `root` with the other filter terms of the request.
    pub fn new(root: Xname, filter: ComponentFilter) -> Self {
        HierarchyQuery { root, filter }
    }

    fn whole_system(&self) -> bool {
        matches!(self.root.hms_type(), HmsType::System | HmsType::All)
    }

    /// The filter to ask the store with: the request's terms, narrowed to the root itself
    /// when no `type` is given (and the root is not the whole system).
    pub fn store_filter(&self) -> ComponentFilter {
        let mut f = self.filter.clone();
        if f.hms_type.is_empty() && !self.whole_system() {
            f.id = vec![crate::Term {
                negated: false,
                value: self.root,
            }];
        }
        f
    }

    /// Whether a component the store returned for [`HierarchyQuery::store_filter`] is part
    /// of the answer.
    pub fn contains(&self, c: &Component) -> bool {
        self.root.smd_prefix_contains(&c.id) && self.filter.matches(c)
    }
}

/// A NID range of `POST /State/Components/ByNID/Query`: `"1-16"` (inclusive) or `"20"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NidRange {
    /// First NID.
    pub start: i64,
    /// Last NID (inclusive).
    pub end: i64,
}

impl FromStr for NidRange {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || Error::invalid("NIDRanges", s, "a NID or an inclusive range such as 1-16");
        let t = s.trim();
        let (a, b) = match t.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (t, t),
        };
        let start = a.parse::<i64>().map_err(|_| bad())?;
        let end = b.parse::<i64>().map_err(|_| bad())?;
        if start < 0 || end < start {
            return Err(bad());
        }
        Ok(NidRange { start, end })
    }
}

/// Which JSON query body is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryBody {
    /// `POST /State/Components/Query`: `ComponentIDs` plus filter keys.
    ByIds,
    /// `POST /State/Components/ByNID/Query`: `NIDRanges` plus filter keys.
    ByNid,
}

/// Turn a JSON query body into filters whose union is the answer (one per NID range; one in
/// all other cases). Filter keys take a string, a number, a boolean or an array of those,
/// spelled as in the query string (case-insensitive); `stateonly`, `flagonly`, `roleonly`
/// and `nidonly` select a projection.
///
/// ```
/// use ochami_core::{QueryBody, query_body_filters};
/// let body = serde_json::json!({"NIDRanges": ["1-4", "7"], "role": "Compute"});
/// let filters = query_body_filters(body.as_object().unwrap(), QueryBody::ByNid)?;
/// assert_eq!(filters.len(), 2);
/// // The single NIDs come first, then one filter per range.
/// assert_eq!(filters[0].nid, [ochami_core::Term { negated: false, value: 7 }]);
/// assert_eq!((filters[1].nid_start, filters[1].nid_end), (Some(1), Some(4)));
/// # Ok::<(), ochami_core::Error>(())
/// ```
pub fn query_body_filters(
    body: &serde_json::Map<String, serde_json::Value>,
    kind: QueryBody,
) -> Result<Vec<ComponentFilter>, Error> {
    use serde_json::Value;
    let mut base = ComponentFilter::default();
    let mut ranges = Vec::new();
    let mut singles = Vec::new();
    for (key, value) in body {
        let values: Vec<&Value> = match value {
            Value::Array(a) => a.iter().collect(),
            Value::Null => continue,
            v => vec![v],
        };
        let text = |v: &Value| -> Result<String, Error> {
            match v {
                Value::String(s) => Ok(s.clone()),
                Value::Bool(b) => Ok(b.to_string()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(Error::InvalidQuery {
                    key: key.clone(),
                    reason: "expected a string, number or boolean".into(),
                }),
            }
        };
        let lower = key.to_ascii_lowercase();
        match (kind, lower.as_str()) {
            (QueryBody::ByIds, "componentids") => {
                for v in values {
                    base.push("id", &text(v)?)?;
                }
            }
            (QueryBody::ByNid, "nidranges") => {
                for v in values {
                    let r: NidRange = text(v)?.parse()?;
                    if r.start == r.end {
                        singles.push(r.start)
                    } else {
                        ranges.push(r)
                    }
                }
            }
            _ => {
                for v in values {
                    base.push(key, &text(v)?)?;
                }
            }
        }
    }
    if kind == QueryBody::ByNid && ranges.is_empty() && singles.is_empty() {
        return Err(Error::MissingField { field: "NIDRanges" });
    }
    let mut out = Vec::new();
    if !singles.is_empty() || ranges.is_empty() {
        let mut f = base.clone();
        for n in singles {
            f.push("nid", &n.to_string())?;
        }
        out.push(f);
    }
    for r in ranges {
        let mut f = base.clone();
        f.nid_start = Some(f.nid_start.map_or(r.start, |s| s.max(r.start)));
        f.nid_end = Some(f.nid_end.map_or(r.end, |e| e.min(r.end)));
        out.push(f);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Projection;

    fn c(id: &str) -> Component {
        Component::new(id.parse().unwrap())
    }

    #[test]
    fn hierarchy_without_type_is_the_root_only() {
        let q = HierarchyQuery::new("x1000c0s0b0n0".parse().unwrap(), ComponentFilter::default());
        let f = q.store_filter();
        assert_eq!(f.id.len(), 1);
        assert!(q.contains(&c("x1000c0s0b0n0")));
        let all = HierarchyQuery::new("s0".parse().unwrap(), ComponentFilter::default());
        assert!(all.store_filter().id.is_empty());
        assert!(all.contains(&c("x9c0s0b0n0")));
    }

    #[test]
    fn nid_ranges() {
        assert_eq!(
            "1-16".parse::<NidRange>().unwrap(),
            NidRange { start: 1, end: 16 }
        );
        assert_eq!(
            " 7 ".parse::<NidRange>().unwrap(),
            NidRange { start: 7, end: 7 }
        );
        for bad in ["", "a-b", "5-1", "-3", "1-"] {
            assert!(bad.parse::<NidRange>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn query_bodies() {
        let body = serde_json::json!({"ComponentIDs": ["x0c0s0b0n0", "x0c0s1b0n0"], "stateonly": true, "state": ["Ready"]});
        let f = query_body_filters(body.as_object().unwrap(), QueryBody::ByIds).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].id.len(), 2);
        assert_eq!(f[0].projection, Some(Projection::StateOnly));
        let bad = serde_json::json!({"ComponentIDs": ["x0c0s0b0n0"], "colour": "red"});
        let e = query_body_filters(bad.as_object().unwrap(), QueryBody::ByIds)
            .unwrap_err()
            .to_string();
        assert!(e.contains("colour"), "{e}");
        let nid = serde_json::json!({"NIDRanges": ["3", "9"]});
        let f = query_body_filters(nid.as_object().unwrap(), QueryBody::ByNid).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].nid.len(), 2);
        let none = serde_json::json!({"role": "Compute"});
        assert!(query_body_filters(none.as_object().unwrap(), QueryBody::ByNid).is_err());
    }
}
