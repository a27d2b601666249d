//! Queries over the hardware inventory: SMD's list filters ([`HardwareFilter`]), the FRU
//! view ([`HardwareFru`]) and the `Query/{xname}` tree ([`HardwareTree`]).

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::record::FruValue;
use crate::{Error, HardwareRecord, HmsType, PopulatedFru, Xname};

/// SMD's filters of `GET /Inventory/Hardware` and `/HardwareByFRU`: every parameter may
/// repeat (values OR-ed), different parameters are AND-ed; text compares ignore case.
///
/// ```
/// use ochami_core::HardwareFilter;
/// let f = HardwareFilter::from_query_pairs([("type", "NodeAccel"), ("manufacturer", "nvidia")])?;
/// assert_eq!(f.types.len(), 1);
/// assert!(HardwareFilter::from_query_pairs([("colour", "red")]).is_err());
/// # Ok::<(), ochami_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HardwareFilter {
    /// `id`: exact locations.
    pub ids: Vec<Xname>,
    /// `type`.
    pub types: Vec<HmsType>,
    /// `manufacturer`.
    pub manufacturer: Vec<String>,
    /// `partnumber`.
    pub part_number: Vec<String>,
    /// `serialnumber`.
    pub serial_number: Vec<String>,
    /// `fruid`.
    pub fru_id: Vec<String>,
    /// Only this location and what is inside it (SMD's xname prefix rule, as in
    /// `Query/{xname}`); not a query parameter of its own.
    pub under: Option<Xname>,
}

impl HardwareFilter {
    /// The store queries that answer SMD's `GET /Inventory/Hardware/Query/{target}`:
    /// `s0` or `all` is the whole machine; otherwise `children` (the default unless
    /// `parents`) takes the target's subtree, else the target alone, and `parents` adds its
    /// ancestors. Every query keeps this filter's other terms.
    pub fn tree_queries(
        self,
        target: &str,
        children: bool,
        parents: bool,
    ) -> Result<Vec<HardwareFilter>, Error> {
        if target.eq_ignore_ascii_case("s0") || target.eq_ignore_ascii_case("all") {
            return Ok(vec![self]);
        }
        let root: Xname = target.parse()?;
        let mut own = self;
        if children {
            own.under = Some(root);
        } else {
            own.ids = vec![root];
        }
        let mut queries = Vec::with_capacity(2);
        if parents {
            let mut up = own.clone();
            up.under = None;
            up.ids = root.ancestors().collect();
            queries.push(own);
            queries.push(up);
        } else {
            queries.push(own);
        }
        Ok(queries)
    }

    /// Parse query parameters (names case-insensitive); an unknown name or a bad `id` or
    /// `type` is [`Error::InvalidQuery`].
    pub fn from_query_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, Error>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut f = HardwareFilter::default();
        for (k, v) in pairs {
            f.push(k.as_ref(), v.as_ref())?;
        }
        Ok(f)
    }

    /// Add one parameter.
    pub fn push(&mut self, key: &str, value: &str) -> Result<(), Error> {
        let bad = |reason: String| Error::InvalidQuery {
            key: key.to_owned(),
            reason,
        };
        match key.to_ascii_lowercase().as_str() {
            "id" => self.ids.push(
                value
                    .parse()
                    .map_err(|e: crate::XnameError| bad(e.to_string()))?,
            ),
            "type" => self.types.push(
                value
                    .parse()
                    .map_err(|_| bad(format!("{value:?} is not an HMS type")))?,
            ),
            "manufacturer" => self.manufacturer.push(value.to_owned()),
            "partnumber" => self.part_number.push(value.to_owned()),
            "serialnumber" => self.serial_number.push(value.to_owned()),
            "fruid" => self.fru_id.push(value.to_owned()),
            _ => return Err(bad("unknown parameter".into())),
        }
        Ok(())
    }

    /// True when no parameter was given.
    pub fn is_empty(&self) -> bool {
        *self == HardwareFilter::default()
    }

    /// Whether `r` passes every given parameter.
    pub fn matches(&self, r: &HardwareRecord) -> bool {
        fn any(wanted: &[String], have: &str) -> bool {
            wanted.is_empty() || wanted.iter().any(|w| w.eq_ignore_ascii_case(have))
        }
        (self.ids.is_empty() || self.ids.contains(&r.id))
            && (self.types.is_empty() || self.types.contains(&r.hms_type()))
            && any(&self.manufacturer, r.manufacturer())
            && any(&self.part_number, r.part_number())
            && any(&self.serial_number, r.serial_number())
            && (self.fru_id.is_empty() || r.fru_id().is_some_and(|id| any(&self.fru_id, id)))
            && self.under.is_none_or(|u| u.smd_prefix_contains(&r.id))
    }
}

/// One part of the `/Inventory/HardwareByFRU` view: the FRU found at a location, written
/// as SMD's `HWInvByFRU`.
#[derive(Debug, Clone, PartialEq)]
pub struct HardwareFru {
    /// Its HMS type.
    pub hms_type: HmsType,
    /// Where it is.
    pub location: Xname,
    /// The part.
    pub fru: PopulatedFru,
}

impl HardwareFru {
    /// The FRU of a populated record.
    pub fn of(r: &HardwareRecord) -> Option<HardwareFru> {
        r.fru.as_ref().map(|f| HardwareFru {
            hms_type: r.hms_type(),
            location: r.id,
            fru: f.clone(),
        })
    }
}

impl Serialize for HardwareFru {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        FruValue(self.hms_type, &self.fru).serialize(s)
    }
}

/// `format` of `/Inventory/Hardware/Query/{xname}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TreeFormat {
    /// Node parts nested inside their node (the default).
    #[default]
    NestNodesOnly,
    /// Every type in its own top-level array.
    FullyFlat,
}

impl std::str::FromStr for TreeFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        if s.eq_ignore_ascii_case("NestNodesOnly") {
            Ok(TreeFormat::NestNodesOnly)
        } else if s.eq_ignore_ascii_case("FullyFlat") {
            Ok(TreeFormat::FullyFlat)
        } else {
            Err(Error::InvalidQuery {
                key: "format".into(),
                reason: format!("{s:?}: expected NestNodesOnly or FullyFlat"),
            })
        }
    }
}

impl TreeFormat {
    fn as_str(self) -> &'static str {
        match self {
            TreeFormat::NestNodesOnly => "NestNodesOnly",
            TreeFormat::FullyFlat => "FullyFlat",
        }
    }
}

/// The array a type's records go into in a `SystemHWInventory` (`Processors`, `Memory`,
/// `NodeHsnNics`, ...).
fn array_name(t: HmsType) -> String {
    use HmsType::*;
    match t {
        Memory => "Memory".into(),
        Chassis => "Chassis".into(),
        NodeEnclosurePowerSupply => "NodeEnclosurePowerSupplies".into(),
        MgmtSwitch => "MgmtSwitches".into(),
        MgmtHLSwitch => "MgmtHLSwitches".into(),
        CDUMgmtSwitch => "CDUMgmtSwitches".into(),
        CabinetPDUOutlet | CabinetPDUPowerConnector => "CabinetPDUPowerConnectors".into(),
        other => format!("{}s", other.as_str()),
    }
}

fn nests_in_node(t: HmsType) -> bool {
    use HmsType::*;
    matches!(
        t,
        Processor | Memory | Drive | NodeAccel | NodeAccelRiser | NodeHsnNic
    )
}

/// The answer of `/Inventory/Hardware/Query/{xname}` (SMD's `SystemHWInventory`).
///
/// ```
/// use ochami_core::{HardwareRecord, HardwareTree, TreeFormat};
/// let recs: Vec<HardwareRecord> = serde_json::from_str(r#"[
///   {"ID":"x0c0s0b0n0","Status":"Populated","NodeLocationInfo":{"Id":"1"}},
///   {"ID":"x0c0s0b0n0p0","Status":"Empty"}]"#)?;
/// let nested = serde_json::to_value(HardwareTree::new("x0c0s0b0n0", TreeFormat::NestNodesOnly, recs.clone()))?;
/// assert_eq!(nested["Nodes"][0]["Processors"][0]["ID"], "x0c0s0b0n0p0");
/// assert!(nested.get("Processors").is_none());
/// let flat = serde_json::to_value(HardwareTree::new("x0c0s0b0n0", TreeFormat::FullyFlat, recs))?;
/// assert_eq!(flat["Processors"][0]["ID"], "x0c0s0b0n0p0");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HardwareTree {
    /// `XName`: what was asked for.
    pub xname: String,
    /// `Format`.
    pub format: TreeFormat,
    /// The records, sorted by xname.
    pub records: Vec<HardwareRecord>,
}

impl HardwareTree {
    /// A tree of `records` (sorted here) for the query `xname`.
    pub fn new(xname: &str, format: TreeFormat, mut records: Vec<HardwareRecord>) -> Self {
        records.sort_by_key(|r| r.id);
        HardwareTree {
            xname: xname.to_owned(),
            format,
            records,
        }
    }
}

/// A record with the node parts nested in it.
struct Nested<'a> {
    record: &'a HardwareRecord,
    children: BTreeMap<String, Vec<&'a HardwareRecord>>,
}

impl Serialize for Nested<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        self.record.serialize_entries(&mut m)?;
        for (k, v) in &self.children {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Serialize for HardwareTree {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let nest = self.format == TreeFormat::NestNodesOnly;
        let nodes: std::collections::HashSet<Xname> = self
            .records
            .iter()
            .filter(|r| nest && r.hms_type() == HmsType::Node)
            .map(|r| r.id)
            .collect();
        let node_of = |r: &HardwareRecord| {
            std::iter::successors(r.id.parent(), Xname::parent)
                .find(|p| p.hms_type() == HmsType::Node)
        };
        let mut children: BTreeMap<Xname, BTreeMap<String, Vec<&HardwareRecord>>> = BTreeMap::new();
        let mut top: BTreeMap<String, Vec<&HardwareRecord>> = BTreeMap::new();
        for r in &self.records {
            let t = r.hms_type();
            match node_of(r).filter(|n| nests_in_node(t) && nodes.contains(n)) {
                Some(n) => children
                    .entry(n)
                    .or_default()
                    .entry(array_name(t))
                    .or_default()
                    .push(r),
                None => top.entry(array_name(t)).or_default().push(r),
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("XName", &self.xname)?;
        m.serialize_entry("Format", self.format.as_str())?;
        for (k, v) in &top {
            let items: Vec<Nested<'_>> = v
                .iter()
                .map(|r| Nested {
                    record: r,
                    children: children.remove(&r.id).unwrap_or_default(),
                })
                .collect();
            m.serialize_entry(k, &items)?;
        }
        m.end()
    }
}
