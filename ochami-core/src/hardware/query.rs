//! Queries over the hardware inventory: SMD's list filters ([`HardwareFilter`]), the FRU
//! view ([`HardwareFru`]) and the `Query/{xname}` tree ([`HardwareTree`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Serialize, Serializer};

use super::record::{FruValue, node_of};
use super::wire::push_array;
use crate::{Error, HardwareJson, HardwareRecord, HmsType, PopulatedFru, Xname};

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

/// The answer of `/Inventory/Hardware/Query/{xname}` (SMD's `SystemHWInventory`), written
/// from the records' stored JSON ([`HardwareJson`]) without decoding them.
///
/// ```
/// use ochami_core::{HardwareJson, HardwareRecord, HardwareTree, TreeFormat};
/// let recs: Vec<HardwareRecord> = serde_json::from_str(r#"[
///   {"ID":"x0c0s0b0n0","Status":"Populated","NodeLocationInfo":{"Id":"1"}},
///   {"ID":"x0c0s0b0n0p0","Status":"Empty"}]"#)?;
/// let recs: Vec<HardwareJson> = recs.iter().map(HardwareJson::of).collect();
/// let nested = serde_json::to_value(HardwareTree::new("x0c0s0b0n0", TreeFormat::NestNodesOnly, recs.clone()))?;
/// assert_eq!(nested["Nodes"][0]["Processors"][0]["ID"], "x0c0s0b0n0p0");
/// assert!(nested.get("Processors").is_none());
/// let flat = HardwareTree::new("x0c0s0b0n0", TreeFormat::FullyFlat, recs).to_json();
/// let flat: serde_json::Value = serde_json::from_str(&flat)?;
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
    pub records: Vec<HardwareJson>,
}

impl HardwareTree {
    /// A tree of `records` (sorted here) for the query `xname`.
    pub fn new(xname: &str, format: TreeFormat, mut records: Vec<HardwareJson>) -> Self {
        records.sort_by_key(|r| r.id);
        HardwareTree {
            xname: xname.to_owned(),
            format,
            records,
        }
    }

    /// The tree as JSON text: `XName`, `Format`, then one array per type (`Nodes`,
    /// `Processors`, ...) in name order; with [`TreeFormat::NestNodesOnly`] the parts of a
    /// node present in the answer go into that node's object, in arrays of their own.
    pub fn to_json(&self) -> String {
        let nest = self.format == TreeFormat::NestNodesOnly;
        let nodes: HashSet<Xname> = self
            .records
            .iter()
            .filter(|r| nest && r.id.hms_type() == HmsType::Node)
            .map(|r| r.id)
            .collect();
        type Arrays<'a> = BTreeMap<String, Vec<&'a HardwareJson>>;
        let mut children: HashMap<Xname, Arrays<'_>> = HashMap::new();
        let mut top: Arrays<'_> = BTreeMap::new();
        for r in &self.records {
            let t = r.id.hms_type();
            match node_of(&r.id).filter(|n| nests_in_node(t) && nodes.contains(n)) {
                Some(n) => children
                    .entry(n)
                    .or_default()
                    .entry(array_name(t))
                    .or_default()
                    .push(r),
                None => top.entry(array_name(t)).or_default().push(r),
            }
        }
        let size: usize = self.records.iter().map(|r| r.json.len() + 24).sum();
        let mut out = String::with_capacity(size + 64);
        out.push_str("{\"XName\":");
        out.push_str(&serde_json::Value::from(self.xname.as_str()).to_string());
        out.push_str(",\"Format\":\"");
        out.push_str(self.format.as_str());
        out.push('"');
        for (name, records) in &top {
            push_key(&mut out, name);
            out.push('[');
            for (i, r) in records.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match children.remove(&r.id) {
                    Some(kids) => push_nested(&mut out, r, &kids),
                    None => out.push_str(&r.json),
                }
            }
            out.push(']');
        }
        out.push('}');
        out
    }
}

/// `,"name":` after an object's earlier entries.
fn push_key(out: &mut String, name: &str) {
    out.push_str(",\"");
    out.push_str(name);
    out.push_str("\":");
}

/// A node's object with its parts' arrays added as its last keys.
fn push_nested(out: &mut String, node: &HardwareJson, kids: &BTreeMap<String, Vec<&HardwareJson>>) {
    let Some(open) = node.json.trim_end().strip_suffix('}') else {
        // Not an object (never stored so): nothing to nest into.
        out.push_str(&node.json);
        return;
    };
    out.push_str(open);
    let mut first = open.trim_end().ends_with('{');
    for (name, parts) in kids {
        if first {
            out.push('"');
            out.push_str(name);
            out.push_str("\":");
            first = false;
        } else {
            push_key(out, name);
        }
        push_array(out, parts.iter().copied());
    }
    out.push('}');
}

impl Serialize for HardwareTree {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.to_json())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}
