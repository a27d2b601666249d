//! [`HardwareRecord`]: one `HWInvByLoc` entry and its JSON form.

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::fru::{DriveFruInfo, FruInfo, NodeFruInfo, PartFruInfo, ProcessorFruInfo};
use super::location::{
    BasicLocationInfo, ChassisLocationInfo, LocationInfo, MemoryLocationInfo, NodeLocationInfo,
    ProcessorLocationInfo,
};
use crate::{HmsType, MemoryFruInfo, Xname};

/// Whether a location holds a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HardwareStatus {
    /// A part is there ([`HardwareRecord::fru`] says which).
    Populated,
    /// The slot or bay is empty.
    Empty,
}

/// The part found at a location (`PopulatedFRU`).
#[derive(Debug, Clone, PartialEq)]
pub struct PopulatedFru {
    /// `FRUID`: see [`crate::fru_id`].
    pub fru_id: String,
    /// `Subtype` (free text; SMD leaves it empty for discovered parts).
    pub subtype: String,
    /// The type's `*FRUInfo`.
    pub info: FruInfo,
}

/// One location of the hardware inventory (`HWInvByLoc`).
///
/// ```
/// use ochami_core::{HardwareRecord, HardwareStatus, HmsType};
/// let json = r#"{"ID":"x3000c0s1b0n0d2","Status":"Populated",
///   "MemoryLocationInfo":{"Id":"DIMM2","MemoryLocation":{"Socket":1,"Channel":2}},
///   "PopulatedFRU":{"FRUID":"Memory.Micron.X1.S1","MemoryFRUInfo":{"CapacityMiB":32768,
///     "Manufacturer":"Micron","PartNumber":"X1","SerialNumber":"S1"}}}"#;
/// let r: HardwareRecord = serde_json::from_str(json)?;
/// assert_eq!(r.hms_type(), HmsType::Memory);
/// assert_eq!(r.status, HardwareStatus::Populated);
/// assert_eq!(r.serial_number(), "S1");
/// let back = serde_json::to_value(&r)?;
/// assert_eq!(back["Ordinal"], 2);
/// assert_eq!(back["HWInventoryByLocationType"], "HWInvByLocMemory");
/// assert_eq!(back["PopulatedFRU"]["HWInventoryByFRUType"], "HWInvByFRUMemory");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HardwareRecord {
    /// The location.
    pub id: Xname,
    /// `Populated` or `Empty`.
    pub status: HardwareStatus,
    /// The type's `*LocationInfo`.
    pub location: LocationInfo,
    /// The part there; `None` for an empty location.
    pub fru: Option<PopulatedFru>,
}

impl HardwareRecord {
    /// A populated location holding the part `fru_id` described by `info`.
    pub fn populated(id: Xname, location: LocationInfo, fru_id: String, info: FruInfo) -> Self {
        HardwareRecord {
            id,
            status: HardwareStatus::Populated,
            location,
            fru: Some(PopulatedFru {
                fru_id,
                subtype: String::new(),
                info,
            }),
        }
    }

    /// The HMS type (from the xname).
    pub fn hms_type(&self) -> HmsType {
        self.id.hms_type()
    }

    /// The last ordinal of the xname (`d3` -> 3).
    pub fn ordinal(&self) -> u32 {
        self.id.ordinals().last().copied().unwrap_or(0)
    }

    /// The FRU id of the part there, if any.
    pub fn fru_id(&self) -> Option<&str> {
        self.fru.as_ref().map(|f| f.fru_id.as_str())
    }

    /// The part's manufacturer (empty when unknown or empty).
    pub fn manufacturer(&self) -> &str {
        self.fru.as_ref().map_or("", |f| f.info.manufacturer())
    }

    /// The part's part number (empty when unknown or empty).
    pub fn part_number(&self) -> &str {
        self.fru.as_ref().map_or("", |f| f.info.part_number())
    }

    /// The part's serial number (empty when unknown or empty).
    pub fn serial_number(&self) -> &str {
        self.fru.as_ref().map_or("", |f| f.info.serial_number())
    }

    /// The node a part belongs to (its nearest Node ancestor); `None` for nodes and
    /// everything outside a node.
    pub fn owning_node(&self) -> Option<Xname> {
        node_of(&self.id)
    }

    /// SMD's normalization of a posted record: the FRU id is recomputed from the FRU info
    /// ([`crate::fru_id`]) and a location holding a FRU is `Populated`.
    pub fn normalize(&mut self) {
        let t = self.hms_type();
        if let Some(f) = &mut self.fru {
            f.fru_id = super::fru_id(
                t,
                f.info.manufacturer(),
                f.info.part_number(),
                f.info.serial_number(),
                &self.id,
            );
            self.status = HardwareStatus::Populated;
        }
    }

    /// The node's location info, when this is a node record.
    pub fn node_location(&self) -> Option<&NodeLocationInfo> {
        match &self.location {
            LocationInfo::Node(n) => Some(n),
            _ => None,
        }
    }
}

/// The nearest Node ancestor of `id` (the node a part belongs to).
pub(crate) fn node_of(id: &Xname) -> Option<Xname> {
    std::iter::successors(id.parent(), Xname::parent).find(|p| p.hms_type() == HmsType::Node)
}

/// The word SMD uses for a type in its `*LocationInfo` / `*FRUInfo` keys and in
/// `HWInvByLoc<word>`.
pub(crate) fn type_word(t: HmsType) -> &'static str {
    match t {
        HmsType::CabinetPDU => "PDU",
        HmsType::CabinetPDUOutlet | HmsType::CabinetPDUPowerConnector => "Outlet",
        other => other.as_str(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Node,
    Processor,
    Memory,
    Drive,
    Nic,
    Chassis,
    Other,
}

fn shape(t: HmsType) -> Shape {
    use HmsType::*;
    match t {
        Node => Shape::Node,
        Processor | NodeAccel => Shape::Processor,
        Memory => Shape::Memory,
        Drive => Shape::Drive,
        NodeHsnNic => Shape::Nic,
        Cabinet | Chassis | ComputeModule | RouterModule | NodeEnclosure | HSNBoard
        | MgmtSwitch | MgmtHLSwitch | CDUMgmtSwitch => Shape::Chassis,
        _ => Shape::Other,
    }
}

fn parse<T: serde::de::DeserializeOwned + Default, E: serde::de::Error>(
    key: &str,
    v: Option<Value>,
) -> Result<T, E> {
    match v {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => serde_json::from_value(v).map_err(|e| E::custom(format!("{key}: {e}"))),
    }
}

fn location_from<E: serde::de::Error>(t: HmsType, v: Option<Value>) -> Result<LocationInfo, E> {
    let key = format!("{}LocationInfo", type_word(t));
    Ok(match shape(t) {
        Shape::Node => LocationInfo::Node(parse::<NodeLocationInfo, E>(&key, v)?),
        Shape::Processor => LocationInfo::Processor(parse::<ProcessorLocationInfo, E>(&key, v)?),
        Shape::Memory => LocationInfo::Memory(parse::<MemoryLocationInfo, E>(&key, v)?),
        Shape::Drive | Shape::Nic => LocationInfo::Basic(parse::<BasicLocationInfo, E>(&key, v)?),
        Shape::Chassis => LocationInfo::Chassis(parse::<ChassisLocationInfo, E>(&key, v)?),
        Shape::Other => LocationInfo::Other(v.unwrap_or(Value::Object(Map::new()))),
    })
}

fn fru_info_from<E: serde::de::Error>(t: HmsType, v: Option<Value>) -> Result<FruInfo, E> {
    let key = format!("{}FRUInfo", type_word(t));
    Ok(match shape(t) {
        Shape::Node => FruInfo::Node(parse::<NodeFruInfo, E>(&key, v)?),
        Shape::Processor => FruInfo::Processor(parse::<ProcessorFruInfo, E>(&key, v)?),
        Shape::Memory => FruInfo::Memory(parse::<MemoryFruInfo, E>(&key, v)?),
        Shape::Drive => FruInfo::Drive(parse::<DriveFruInfo, E>(&key, v)?),
        Shape::Nic | Shape::Chassis => FruInfo::Part(parse::<PartFruInfo, E>(&key, v)?),
        Shape::Other => FruInfo::Other(v.unwrap_or(Value::Object(Map::new()))),
    })
}

fn text<E: serde::de::Error>(m: &mut Map<String, Value>, key: &str) -> Result<String, E> {
    match m.remove(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(E::custom(format!("{key}: expected a string, got {other}"))),
    }
}

impl PopulatedFru {
    fn from_map<E: serde::de::Error>(t: HmsType, mut m: Map<String, Value>) -> Result<Self, E> {
        let key = format!("{}FRUInfo", type_word(t));
        Ok(PopulatedFru {
            fru_id: text(&mut m, "FRUID")?,
            subtype: text(&mut m, "Subtype")?,
            info: fru_info_from(t, m.remove(&key))?,
        })
    }
}

impl<'de> Deserialize<'de> for HardwareRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut m = Map::deserialize(d)?;
        let id: Xname = match m.remove("ID") {
            Some(v) => {
                serde_json::from_value(v).map_err(|e| D::Error::custom(format!("ID: {e}")))?
            }
            None => return Err(D::Error::missing_field("ID")),
        };
        let t = id.hms_type();
        let fru = match m.remove("PopulatedFRU") {
            None | Some(Value::Null) => None,
            Some(Value::Object(f)) => Some(PopulatedFru::from_map(t, f)?),
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "PopulatedFRU: expected an object, got {other}"
                )));
            }
        };
        let status = match text::<D::Error>(&mut m, "Status")?.as_str() {
            "" if fru.is_some() => HardwareStatus::Populated,
            "" => HardwareStatus::Empty,
            s if s.eq_ignore_ascii_case("Populated") => HardwareStatus::Populated,
            s if s.eq_ignore_ascii_case("Empty") => HardwareStatus::Empty,
            s => {
                return Err(D::Error::custom(format!(
                    "Status: expected Populated or Empty, got {s:?}"
                )));
            }
        };
        let key = format!("{}LocationInfo", type_word(t));
        let location = location_from(t, m.remove(&key))?;
        Ok(HardwareRecord {
            id,
            status,
            location,
            fru,
        })
    }
}

/// Writes a location info under its type's key.
struct LocationValue<'a>(&'a LocationInfo);

impl Serialize for LocationValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            LocationInfo::Node(x) => x.serialize(s),
            LocationInfo::Processor(x) => x.serialize(s),
            LocationInfo::Memory(x) => x.serialize(s),
            LocationInfo::Basic(x) => x.serialize(s),
            LocationInfo::Chassis(x) => x.serialize(s),
            LocationInfo::Other(x) => x.serialize(s),
        }
    }
}

/// Writes a FRU of type `.0` as SMD's `HWInvByFRU` object.
pub(crate) struct FruValue<'a>(pub(crate) HmsType, pub(crate) &'a PopulatedFru);

impl Serialize for FruValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (t, f) = (self.0, self.1);
        let word = type_word(t);
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("FRUID", &f.fru_id)?;
        m.serialize_entry("Type", &t)?;
        m.serialize_entry("Subtype", &f.subtype)?;
        m.serialize_entry("HWInventoryByFRUType", &format!("HWInvByFRU{word}"))?;
        let key = format!("{word}FRUInfo");
        match &f.info {
            FruInfo::Node(x) => m.serialize_entry(&key, x)?,
            FruInfo::Processor(x) => m.serialize_entry(&key, x)?,
            FruInfo::Memory(x) => m.serialize_entry(&key, x)?,
            FruInfo::Drive(x) => m.serialize_entry(&key, x)?,
            FruInfo::Part(x) => m.serialize_entry(&key, x)?,
            FruInfo::Other(x) => m.serialize_entry(&key, x)?,
        }
        m.end()
    }
}

impl HardwareRecord {
    /// Writes the record's own keys into an open map (used for nested views too).
    pub(crate) fn serialize_entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        let t = self.hms_type();
        let word = type_word(t);
        m.serialize_entry("ID", &self.id)?;
        m.serialize_entry("Type", &t)?;
        m.serialize_entry("Ordinal", &self.ordinal())?;
        m.serialize_entry("Status", &self.status)?;
        m.serialize_entry("HWInventoryByLocationType", &format!("HWInvByLoc{word}"))?;
        m.serialize_entry(
            &format!("{word}LocationInfo"),
            &LocationValue(&self.location),
        )?;
        if let Some(f) = &self.fru {
            m.serialize_entry("PopulatedFRU", &FruValue(t, f))?;
        }
        Ok(())
    }
}

impl Serialize for HardwareRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        self.serialize_entries(&mut m)?;
        m.end()
    }
}
