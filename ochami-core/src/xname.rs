//! Xnames: HMS component IDs such as `x1000c0s0b0n0`, parsed, validated and normalized
//! exactly like SMD does, without allocating.
//!
//! # Grammar
//!
//! An xname is a chain of segments, each a lower-case letter (or `.`) followed by a decimal
//! ordinal. The first segment selects the family and each further letter descends one
//! level; every prefix of a valid xname that ends in a digit is itself a valid xname:
//!
//! ```text
//! x1000             Cabinet        (x0-x9999)
//! x1000c0           Chassis        (c0-c7)
//! x1000c0s0         ComputeModule  (the slot)
//! x1000c0s0b0       NodeBMC
//! x1000c0s0b0n0     Node
//! x1000c0s0b0n0p0   Processor      (p0-p3)
//! ```
//!
//! plus the router (`x#c#r#...`), management switch (`x#c#w#`, `x#c#h#s#`), PDU
//! (`x#m#p#j#`) and CDU (`d#`, `d#w#`) families and the special IDs `s0` (System), `sms#`
//! (SMSBox), `p#` / `p#.#` (Partition), `all`, `all_comp` and `all_svc`. The full table,
//! with every range, is upstream's `hmsCompRecognitionTable` (`Cray-HPE/hms-xname`
//! `xnametypes/hmstypes.go` v1.4.0); [`HmsType`] lists its types.
//!
//! # Normalization
//!
//! Like SMD's `NormalizeHMSCompID`, parsing trims surrounding whitespace, ignores case and
//! ignores leading zeros, and [`Display`](fmt::Display) writes the normal form:
//! `" X1000C0S0B0N00 "` parses to the same [`Xname`] as `x1000c0s0b0n0` and prints as the
//! latter. Ranges are checked after normalization, so `x01000` is cabinet 1000.
//!
//! # Differences from upstream
//!
//! - Ordinals are `u32`. Upstream's unbounded `[0-9]+` ordinals accept any length; a
//!   number above 4294967295 is rejected here with an error (never a panic).
//! - Upstream's Partition regex `^p([0-9]+)(.([0-9]+))?$` has an unescaped `.`, so it
//!   accepts any character as the separator (`p1x2`, `p1-2`). Only `.` is accepted here.
//! - [`Xname::parent`] follows the table's parent types, except for NodeFpga, whose table
//!   parent (NodeEnclosure) cannot be formed from its ordinals; see there.
//! - Upstream's `INVALID` type does not exist here: an unrecognized string is an
//!   [`XnameError`] saying which part is wrong and why.
//!
//! A NodePowerConnector may be spelled with `v` or the deprecated `j` (`x0c0s0v1`,
//! `x0c0s0j1`); both parse, and the spelling is kept, so they are different xnames.
//!
//! Descendants: [`Xname::is_ancestor_of`] follows [`Xname::parent`], while
//! [`Xname::smd_prefix_contains`] is SMD's string-prefix rule used by
//! `GET /State/Components/Query/{xname}`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

use crate::hms_type::HmsType;
pub use crate::xname_error::XnameError;

/// Most ordinals in any xname (Drive: `x#c#s#b#n#g#k#`).
const MAX_ORDINALS: usize = 7;
/// Longest normal form: seven one-letter segments with ten-digit ordinals is 77 bytes.
const MAX_LEN: usize = 80;

/// One entry per distinct spelling of the grammar. [`HmsType`] is not enough because two
/// types have two spellings each: NodePowerConnector takes `v` or the deprecated `j`, and
/// a Partition has an optional `.minor` segment.
#[allow(
    clippy::upper_case_acronyms,
    reason = "named after the HmsType variants"
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
enum Shape {
    All,
    AllSvc,
    AllComp,
    Partition,
    PartitionMinor,
    System,
    SMSBox,
    CDU,
    CDUMgmtSwitch,
    Cabinet,
    CabinetCDU,
    CabinetPDUController,
    CabinetPDU,
    CabinetPDUNic,
    CabinetPDUOutlet,
    CabinetPDUPowerConnector,
    CEC,
    CabinetBMC,
    Chassis,
    ChassisBMC,
    ChassisBMCNic,
    CMMFpga,
    CMMRectifier,
    ComputeModule,
    StorageGroup,
    Drive,
    NodeFpga,
    NodeBMC,
    NodeBMCNic,
    NodeEnclosure,
    NodeEnclosurePowerSupply,
    NodePowerConnector,
    NodePowerConnectorJ,
    HSNBoard,
    Node,
    VirtualNode,
    NodeNic,
    NodeHsnNic,
    NodeAccel,
    NodeAccelRiser,
    Memory,
    Processor,
    RouterModule,
    RouterFpga,
    RouterTOR,
    RouterTORFpga,
    RouterBMC,
    RouterBMCNic,
    RouterPowerConnector,
    HSNAsic,
    HSNConnector,
    HSNConnectorPort,
    HSNLink,
    MgmtSwitch,
    MgmtSwitchConnector,
    MgmtHLSwitchEnclosure,
    MgmtHLSwitch,
}

const SHAPE_COUNT: usize = Shape::MgmtHLSwitch as usize + 1;

/// One row of the grammar: a shape is its `base` followed by `prefix` and an ordinal in
/// `min..=max`.
struct ShapeDef {
    id: Shape,
    ty: HmsType,
    /// The shape this one extends by one segment; `None` for the first segment.
    base: Option<Shape>,
    /// The text before this segment's ordinal (`"x"`, `"c"`, `"sms"`, `"."`), or the whole
    /// ID for `all`, `all_comp` and `all_svc`, which have no ordinal.
    prefix: &'static str,
    min: u32,
    max: u32,
    /// What the segment is called in error messages ("chassis ordinal 9 ...").
    part: &'static str,
}

const U: u32 = u32::MAX;

const fn def(
    id: Shape,
    ty: HmsType,
    base: Option<Shape>,
    prefix: &'static str,
    min: u32,
    max: u32,
    part: &'static str,
) -> ShapeDef {
    ShapeDef {
        id,
        ty,
        base,
        prefix,
        min,
        max,
        part,
    }
}

/// The recognition table. Ranges are those of upstream's regexes; `U` means unbounded
/// (`[0-9]+`) and a minimum of 1 stands for `[1-9][0-9]*`.
#[rustfmt::skip]
const SHAPES: [ShapeDef; SHAPE_COUNT] = {
    use HmsType as T;
    use Shape as S;
    [
        def(S::All, T::All, None, "all", 0, 0, "all"),
        def(S::AllSvc, T::AllSvc, None, "all_svc", 0, 0, "all_svc"),
        def(S::AllComp, T::AllComp, None, "all_comp", 0, 0, "all_comp"),
        def(S::Partition, T::Partition, None, "p", 0, U, "partition"),
        def(S::PartitionMinor, T::Partition, Some(S::Partition), ".", 0, U, "partition minor"),
        def(S::System, T::System, None, "s", 0, 0, "system"),
        def(S::SMSBox, T::SMSBox, None, "sms", 0, U, "SMS box"),
        def(S::CDU, T::CDU, None, "d", 0, U, "CDU"),
        def(S::CDUMgmtSwitch, T::CDUMgmtSwitch, Some(S::CDU), "w", 0, U, "CDU switch"),
        def(S::Cabinet, T::Cabinet, None, "x", 0, 9999, "cabinet"),
        def(S::CabinetCDU, T::CabinetCDU, Some(S::Cabinet), "d", 0, 1, "cabinet CDU"),
        def(S::CabinetPDUController, T::CabinetPDUController, Some(S::Cabinet), "m", 0, 3, "PDU controller"),
        def(S::CabinetPDU, T::CabinetPDU, Some(S::CabinetPDUController), "p", 0, 7, "PDU"),
        def(S::CabinetPDUNic, T::CabinetPDUNic, Some(S::CabinetPDUController), "i", 0, 3, "PDU controller NIC"),
        def(S::CabinetPDUOutlet, T::CabinetPDUOutlet, Some(S::CabinetPDU), "j", 1, U, "PDU outlet"),
        def(S::CabinetPDUPowerConnector, T::CabinetPDUPowerConnector, Some(S::CabinetPDU), "v", 1, U, "PDU power connector"),
        def(S::CEC, T::CEC, Some(S::Cabinet), "e", 0, 1, "CEC"),
        def(S::CabinetBMC, T::CabinetBMC, Some(S::Cabinet), "b", 0, 0, "cabinet BMC"),
        def(S::Chassis, T::Chassis, Some(S::Cabinet), "c", 0, 7, "chassis"),
        def(S::ChassisBMC, T::ChassisBMC, Some(S::Chassis), "b", 0, 0, "chassis BMC"),
        def(S::ChassisBMCNic, T::ChassisBMCNic, Some(S::ChassisBMC), "i", 0, 3, "chassis BMC NIC"),
        def(S::CMMFpga, T::CMMFpga, Some(S::Chassis), "f", 0, 0, "CMM FPGA"),
        def(S::CMMRectifier, T::CMMRectifier, Some(S::Chassis), "t", 0, 9, "CMM rectifier"),
        def(S::ComputeModule, T::ComputeModule, Some(S::Chassis), "s", 0, U, "slot"),
        def(S::StorageGroup, T::StorageGroup, Some(S::Node), "g", 0, U, "storage group"),
        def(S::Drive, T::Drive, Some(S::StorageGroup), "k", 0, U, "drive"),
        def(S::NodeFpga, T::NodeFpga, Some(S::NodeBMC), "f", 0, 0, "node FPGA"),
        def(S::NodeBMC, T::NodeBMC, Some(S::ComputeModule), "b", 0, U, "node BMC"),
        def(S::NodeBMCNic, T::NodeBMCNic, Some(S::NodeBMC), "i", 0, 3, "node BMC NIC"),
        def(S::NodeEnclosure, T::NodeEnclosure, Some(S::ComputeModule), "e", 0, U, "node enclosure"),
        def(S::NodeEnclosurePowerSupply, T::NodeEnclosurePowerSupply, Some(S::NodeEnclosure), "t", 0, U, "enclosure power supply"),
        def(S::NodePowerConnector, T::NodePowerConnector, Some(S::ComputeModule), "v", 1, 2, "node power connector"),
        def(S::NodePowerConnectorJ, T::NodePowerConnector, Some(S::ComputeModule), "j", 1, 2, "node power connector"),
        def(S::HSNBoard, T::HSNBoard, Some(S::RouterModule), "e", 0, U, "HSN board"),
        def(S::Node, T::Node, Some(S::NodeBMC), "n", 0, U, "node"),
        def(S::VirtualNode, T::VirtualNode, Some(S::Node), "v", 0, U, "virtual node"),
        def(S::NodeNic, T::NodeNic, Some(S::Node), "i", 0, 3, "node NIC"),
        def(S::NodeHsnNic, T::NodeHsnNic, Some(S::Node), "h", 0, 3, "node HSN NIC"),
        def(S::NodeAccel, T::NodeAccel, Some(S::Node), "a", 0, U, "accelerator"),
        def(S::NodeAccelRiser, T::NodeAccelRiser, Some(S::Node), "r", 0, 7, "accelerator riser"),
        def(S::Memory, T::Memory, Some(S::Node), "d", 0, U, "memory"),
        def(S::Processor, T::Processor, Some(S::Node), "p", 0, 3, "processor"),
        def(S::RouterModule, T::RouterModule, Some(S::Chassis), "r", 0, U, "router module"),
        def(S::RouterFpga, T::RouterFpga, Some(S::RouterModule), "f", 0, 1, "router FPGA"),
        def(S::RouterTOR, T::RouterTOR, Some(S::RouterModule), "t", 0, U, "router TOR"),
        def(S::RouterTORFpga, T::RouterTORFpga, Some(S::RouterTOR), "f", 0, 1, "router TOR FPGA"),
        def(S::RouterBMC, T::RouterBMC, Some(S::RouterModule), "b", 0, U, "router BMC"),
        def(S::RouterBMCNic, T::RouterBMCNic, Some(S::RouterBMC), "i", 0, 3, "router BMC NIC"),
        def(S::RouterPowerConnector, T::RouterPowerConnector, Some(S::RouterModule), "v", 1, 2, "router power connector"),
        def(S::HSNAsic, T::HSNAsic, Some(S::RouterModule), "a", 0, 3, "HSN ASIC"),
        def(S::HSNConnector, T::HSNConnector, Some(S::RouterModule), "j", 1, U, "HSN connector"),
        def(S::HSNConnectorPort, T::HSNConnectorPort, Some(S::HSNConnector), "p", 0, 2, "HSN connector port"),
        def(S::HSNLink, T::HSNLink, Some(S::HSNAsic), "l", 0, U, "HSN link"),
        def(S::MgmtSwitch, T::MgmtSwitch, Some(S::Chassis), "w", 1, U, "management switch"),
        def(S::MgmtSwitchConnector, T::MgmtSwitchConnector, Some(S::MgmtSwitch), "j", 1, U, "management switch connector"),
        def(S::MgmtHLSwitchEnclosure, T::MgmtHLSwitchEnclosure, Some(S::Chassis), "h", 1, U, "high-level switch enclosure"),
        def(S::MgmtHLSwitch, T::MgmtHLSwitch, Some(S::MgmtHLSwitchEnclosure), "s", 1, 9, "high-level switch"),
    ]
};

/// Column of a segment letter in [`NEXT`]: `a`-`z` in either case, then `.`, then "none".
const LETTER_COLUMNS: usize = 28;

const fn letter_column(c: u8) -> usize {
    let lower = c | 0x20;
    if lower.is_ascii_lowercase() {
        (lower - b'a') as usize
    } else if c == b'.' {
        26
    } else {
        27
    }
}

/// Row of [`NEXT`] for the start of the string.
const START: usize = SHAPE_COUNT;

/// The scanner's transition table: `NEXT[shape][letter]` is the shape reached by appending
/// that letter (and an ordinal) to `shape`. Built from [`SHAPES`], so the table is the
/// single source of truth; building it also checks that no letter is ambiguous.
static NEXT: [[Option<Shape>; LETTER_COLUMNS]; SHAPE_COUNT + 1] = {
    let mut next = [[None; LETTER_COLUMNS]; SHAPE_COUNT + 1];
    let mut k = 0;
    while k < SHAPE_COUNT {
        let d = &SHAPES[k];
        assert!(d.id as usize == k, "SHAPES is not in Shape order");
        // Multi-letter prefixes (`sms`, `all*`) are matched before the table is consulted.
        if d.prefix.len() == 1 {
            let row = match d.base {
                Some(b) => b as usize,
                None => START,
            };
            let col = letter_column(d.prefix.as_bytes()[0]);
            assert!(next[row][col].is_none(), "ambiguous letter in SHAPES");
            next[row][col] = Some(d.id);
        }
        k += 1;
    }
    next
};

/// Per shape: the shapes of its segments from first to last, and how many there are.
struct Chain {
    shapes: [Shape; MAX_ORDINALS],
    len: usize,
}

static CHAINS: [Chain; SHAPE_COUNT] = {
    let mut chains = [const {
        Chain {
            shapes: [Shape::All; MAX_ORDINALS],
            len: 0,
        }
    }; SHAPE_COUNT];
    let mut k = 0;
    while k < SHAPE_COUNT {
        let mut rev = [Shape::All; MAX_ORDINALS];
        let mut len = 0;
        let mut cur = Some(SHAPES[k].id);
        while let Some(s) = cur {
            assert!(len < MAX_ORDINALS, "xname chain too long");
            rev[len] = s;
            len += 1;
            cur = SHAPES[s as usize].base;
        }
        let mut j = 0;
        while j < len {
            chains[k].shapes[j] = rev[len - 1 - j];
            j += 1;
        }
        chains[k].len = len;
        k += 1;
    }
    chains
};

const fn has_ordinals(shape: Shape) -> bool {
    !matches!(shape, Shape::All | Shape::AllSvc | Shape::AllComp)
}

/// An HMS component ID (xname), always valid and normalized.
///
/// Parse one with [`str::parse`] (case, surrounding whitespace and leading zeros are
/// accepted), or build one with the constructors ([`Xname::node_at`], ...) and child builders
/// ([`Xname::slot`], [`Xname::processor`], ...), which check every range. `Display` and
/// serde write the normal form; serde reads any form [`FromStr`] accepts.
///
/// `Xname` is `Copy` and does not allocate: it holds the grammar shape and up to seven
/// `u32` ordinals (32 bytes).
///
/// Ordering is natural: segment by segment, comparing the letters and then the ordinals
/// as numbers, so `x1000c0s2 < x1000c0s10` and a parent sorts right before its children.
///
/// # Examples
///
/// ```
/// use ochami_core::{HmsType, Xname};
///
/// let node: Xname = " X1000C0S0B0N00 ".parse()?;
/// assert_eq!(node.to_string(), "x1000c0s0b0n0");
/// assert_eq!(node.hms_type(), HmsType::Node);
/// assert_eq!(node.ordinals(), &[1000, 0, 0, 0, 0]);
///
/// let bmc = node.parent().unwrap();
/// assert_eq!(bmc, Xname::node_bmc(1000, 0, 0, 0)?);
/// assert!(bmc.is_controller() && bmc.is_ancestor_of(&node));
/// assert_eq!(bmc.node(1)?.to_string(), "x1000c0s0b0n1");
/// assert_eq!(node.processor(3)?.to_string(), "x1000c0s0b0n0p3");
///
/// let err = "x1000c9".parse::<Xname>().unwrap_err();
/// assert_eq!(err.to_string(), r#"invalid xname "x1000c9": chassis ordinal 9 out of range 0-7"#);
///
/// let mut ids: Vec<Xname> = ["x1000c0s10", "x1000c0s2", "x1000"]
///     .iter()
///     .map(|s| s.parse())
///     .collect::<Result<_, _>>()?;
/// ids.sort();
/// assert_eq!(ids.iter().map(Xname::to_string).collect::<Vec<_>>(), ["x1000", "x1000c0s2", "x1000c0s10"]);
///
/// assert_eq!(serde_json::to_string(&node)?, r#""x1000c0s0b0n0""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Xname {
    shape: Shape,
    /// The first `self.ordinals().len()` entries are used; the rest stay zero so that the
    /// derived `Eq` and `Hash` agree with the string form.
    ords: [u32; MAX_ORDINALS],
}

const _: () = assert!(size_of::<Xname>() == 32);

impl Xname {
    const fn def(&self) -> &'static ShapeDef {
        &SHAPES[self.shape as usize]
    }

    /// The component's HMS type.
    pub const fn hms_type(&self) -> HmsType {
        self.def().ty
    }

    /// The ordinals in order of appearance: `x1000c0s2b0n1` gives `[1000, 0, 2, 0, 1]`,
    /// `p1.2` gives `[1, 2]`, `s0` gives `[0]` and `all` gives `[]`.
    ///
    /// A NodePowerConnector's ordinals do not say whether it was spelled with `v` or the
    /// deprecated `j`; the [`Xname`] itself keeps the spelling.
    pub fn ordinals(&self) -> &[u32] {
        let n = if has_ordinals(self.shape) {
            CHAINS[self.shape as usize].len
        } else {
            0
        };
        &self.ords[..n]
    }

    /// Whether the component is a controller (ChassisBMC, RouterBMC, NodeBMC,
    /// CabinetPDUController); see [`HmsType::is_controller`].
    pub const fn is_controller(&self) -> bool {
        self.hms_type().is_controller()
    }

    /// Whether the component is a container (Cabinet, Chassis, ComputeModule,
    /// RouterModule, NodeEnclosure, HSNBoard); see [`HmsType::is_container`].
    pub const fn is_container(&self) -> bool {
        self.hms_type().is_container()
    }

    /// Parses an xname; the same as [`str::parse`].
    pub fn parse(s: &str) -> Result<Xname, XnameError> {
        let trimmed = s.trim();
        scan(trimmed).map_err(|f| XnameError::new(s, f.describe(trimmed)))
    }

    /// `s0`, the whole system.
    pub const fn system() -> Xname {
        Xname {
            shape: Shape::System,
            ords: [0; MAX_ORDINALS],
        }
    }

    /// `x<cabinet>`; the cabinet must be at most 9999.
    pub fn cabinet(cabinet: u32) -> Result<Xname, XnameError> {
        Xname::build(Shape::Cabinet, &[cabinet])
    }

    /// `x<cabinet>c<chassis>`; the chassis must be at most 7.
    pub fn chassis(cabinet: u32, chassis: u32) -> Result<Xname, XnameError> {
        Xname::build(Shape::Chassis, &[cabinet, chassis])
    }

    /// `x<cabinet>c<chassis>s<slot>`, a ComputeModule.
    pub fn compute_module(cabinet: u32, chassis: u32, slot: u32) -> Result<Xname, XnameError> {
        Xname::build(Shape::ComputeModule, &[cabinet, chassis, slot])
    }

    /// `x<cabinet>c<chassis>s<slot>b<bmc>`, a NodeBMC.
    pub fn node_bmc(cabinet: u32, chassis: u32, slot: u32, bmc: u32) -> Result<Xname, XnameError> {
        Xname::build(Shape::NodeBMC, &[cabinet, chassis, slot, bmc])
    }

    /// `x<cabinet>c<chassis>s<slot>b<bmc>n<node>`, a Node.
    ///
    /// (Not named `node`: that is the child builder on a NodeBMC, [`Xname::node`].)
    pub fn node_at(
        cabinet: u32,
        chassis: u32,
        slot: u32,
        bmc: u32,
        node: u32,
    ) -> Result<Xname, XnameError> {
        Xname::build(Shape::Node, &[cabinet, chassis, slot, bmc, node])
    }

    /// Builds an xname of type `ty` from its ordinals, the inverse of
    /// [`Xname::ordinals`]; every range is checked.
    ///
    /// A Partition takes one or two ordinals (`p1`, `p1.2`); `All`, `AllComp` and
    /// `AllSvc` take none; a NodePowerConnector is spelled with `v`.
    pub fn from_parts(ty: HmsType, ordinals: &[u32]) -> Result<Xname, XnameError> {
        let shape = SHAPES.iter().find(|d| {
            let n = if has_ordinals(d.id) {
                CHAINS[d.id as usize].len
            } else {
                0
            };
            d.ty == ty && n == ordinals.len()
        });
        match shape {
            Some(d) => Xname::build(d.id, ordinals),
            None => Err(XnameError::new(
                &format!("{ty}{ordinals:?}"),
                format!("{ty} does not take {} ordinals", ordinals.len()),
            )),
        }
    }

    /// Builds `shape` from exactly as many ordinals as it takes, checking each range.
    fn build(shape: Shape, ordinals: &[u32]) -> Result<Xname, XnameError> {
        let mut x = Xname {
            shape,
            ords: [0; MAX_ORDINALS],
        };
        x.ords[..ordinals.len()].copy_from_slice(ordinals);
        let chain = &CHAINS[shape as usize];
        for (j, &s) in chain.shapes[..ordinals.len()].iter().enumerate() {
            let d = &SHAPES[s as usize];
            let v = ordinals[j];
            if v < d.min || v > d.max {
                return Err(XnameError::new(
                    &x.to_string(),
                    out_of_range(d, &v.to_string()),
                ));
            }
        }
        Ok(x)
    }

    /// The parent component, following the table's parent types: Node → NodeBMC →
    /// ComputeModule → Chassis → Cabinet → System (`s0`), CDU → `s0`, and so on. System,
    /// Partition, SMSBox, All, AllComp and AllSvc have none.
    ///
    /// Every parent is the xname minus its last segment, apart from Cabinet and CDU (whose
    /// parent is `s0`). One type departs from the table: a NodeFpga (`x0c0s0b0f0`) has the
    /// table parent NodeEnclosure, but its ordinals name a BMC, not an enclosure (upstream's
    /// generated struct even stores the `b` ordinal as the enclosure number). Its parent
    /// here is the NodeBMC `x0c0s0b0`, the same as upstream's string-based
    /// `GetHMSCompParent` and SMD's prefix rule.
    pub fn parent(&self) -> Option<Xname> {
        match self.hms_type() {
            HmsType::Cabinet | HmsType::CDU => Some(Xname::system()),
            t if t.is_pseudo() => None,
            _ => {
                let base = self.def().base?;
                let mut ords = self.ords;
                ords[CHAINS[self.shape as usize].len - 1] = 0;
                Some(Xname { shape: base, ords })
            }
        }
    }

    /// The parent, its parent and so on up to the root (usually `s0`), nearest first.
    pub fn ancestors(&self) -> impl Iterator<Item = Xname> + use<> {
        std::iter::successors(self.parent(), Xname::parent)
    }

    /// Whether `self` is a proper ancestor of `other` by [`Xname::parent`] (so not of
    /// itself).
    pub fn is_ancestor_of(&self, other: &Xname) -> bool {
        other.ancestors().any(|a| a == *self)
    }

    /// SMD's descendant rule for `GET /State/Components/Query/{xname}`: whether `other` is
    /// `self` or `self` followed by a letter and then letters and digits (the PostgreSQL
    /// pattern `<xname>([[:alpha:]][[:alnum:]]*)?`). `s0` and `all` contain everything.
    ///
    /// So `x1000c0s0` contains `x1000c0s0b0n0`, but `x1000c0s1` does not contain
    /// `x1000c0s10b0`.
    pub fn smd_prefix_contains(&self, other: &Xname) -> bool {
        if matches!(self.shape, Shape::System | Shape::All) {
            return true;
        }
        let (mut a, mut b) = ([0; MAX_LEN], [0; MAX_LEN]);
        let (prefix, candidate) = (self.encode(&mut a), other.encode(&mut b));
        match candidate.strip_prefix(prefix) {
            Some("") => true,
            Some(rest) => {
                rest.as_bytes()[0].is_ascii_alphabetic()
                    && rest.bytes().all(|c| c.is_ascii_alphanumeric())
            }
            None => false,
        }
    }

    /// The child of type `ty` with the given ordinal, e.g. a Node's `Processor` 2 or the
    /// system's `Cabinet` 1000. Errors if `self` has no child of that type or the ordinal
    /// is out of range. For NodePowerConnector the `v` spelling is used.
    pub fn child(&self, ty: HmsType, ordinal: u32) -> Result<Xname, XnameError> {
        self.child_of(&[ty], ty.as_str(), ordinal)
    }

    /// `x#c<chassis>` of a Cabinet.
    pub fn chassis_child(&self, chassis: u32) -> Result<Xname, XnameError> {
        self.child_of(&[HmsType::Chassis], "chassis", chassis)
    }

    /// `...s<slot>` (ComputeModule) of a Chassis.
    pub fn slot(&self, slot: u32) -> Result<Xname, XnameError> {
        self.child_of(&[HmsType::ComputeModule], "slot", slot)
    }

    /// `...b<bmc>`: the BMC of a ComputeModule (NodeBMC), RouterModule (RouterBMC),
    /// Chassis (ChassisBMC, only `b0`) or Cabinet (CabinetBMC, only `b0`).
    pub fn bmc(&self, bmc: u32) -> Result<Xname, XnameError> {
        const BMCS: &[HmsType] = &[
            HmsType::NodeBMC,
            HmsType::RouterBMC,
            HmsType::ChassisBMC,
            HmsType::CabinetBMC,
        ];
        self.child_of(BMCS, "BMC", bmc)
    }

    /// `...n<node>` of a NodeBMC; [`Xname::node_at`] builds a Node from all five
    /// ordinals.
    pub fn node(&self, node: u32) -> Result<Xname, XnameError> {
        self.child_of(&[HmsType::Node], "node", node)
    }

    /// `...p<0-3>` (Processor) of a Node.
    pub fn processor(&self, processor: u32) -> Result<Xname, XnameError> {
        self.child_of(&[HmsType::Processor], "processor", processor)
    }

    /// `...d<dimm>` (Memory) of a Node.
    pub fn memory(&self, dimm: u32) -> Result<Xname, XnameError> {
        self.child_of(&[HmsType::Memory], "memory", dimm)
    }

    /// `...i<0-3>`: the NIC of a Node (NodeNic), NodeBMC, ChassisBMC, RouterBMC or
    /// CabinetPDUController.
    pub fn nic(&self, nic: u32) -> Result<Xname, XnameError> {
        const NICS: &[HmsType] = &[
            HmsType::NodeNic,
            HmsType::NodeBMCNic,
            HmsType::ChassisBMCNic,
            HmsType::RouterBMCNic,
            HmsType::CabinetPDUNic,
        ];
        self.child_of(NICS, "NIC", nic)
    }

    /// `...h<0-3>` (NodeHsnNic) of a Node.
    pub fn hsn_nic(&self, nic: u32) -> Result<Xname, XnameError> {
        self.child_of(&[HmsType::NodeHsnNic], "HSN NIC", nic)
    }

    /// `...a<accel>` (NodeAccel) of a Node.
    pub fn accel(&self, accel: u32) -> Result<Xname, XnameError> {
        self.child_of(&[HmsType::NodeAccel], "accelerator", accel)
    }

    fn child_of(&self, types: &[HmsType], what: &str, ordinal: u32) -> Result<Xname, XnameError> {
        let found = SHAPES.iter().find(|d| {
            types.contains(&d.ty)
                && d.id != Shape::PartitionMinor
                && d.id != Shape::NodePowerConnectorJ
                && Xname::parent_shape(d.id) == Some(self.shape)
        });
        let Some(d) = found else {
            return Err(XnameError::new(
                &self.to_string(),
                format!("a {} has no {what} child", self.hms_type()),
            ));
        };
        let mut ords = self.ords;
        ords[CHAINS[d.id as usize].len - 1] = ordinal;
        let child = Xname { shape: d.id, ords };
        if ordinal < d.min || ordinal > d.max {
            return Err(XnameError::new(
                &child.to_string(),
                out_of_range(d, &ordinal.to_string()),
            ));
        }
        Ok(child)
    }

    /// The shape of [`Xname::parent`] for a shape.
    fn parent_shape(shape: Shape) -> Option<Shape> {
        let d = &SHAPES[shape as usize];
        match d.ty {
            HmsType::Cabinet | HmsType::CDU => Some(Shape::System),
            t if t.is_pseudo() => None,
            _ => d.base,
        }
    }

    /// Writes the normal form into `buf` and returns it.
    fn encode<'b>(&self, buf: &'b mut [u8; MAX_LEN]) -> &'b str {
        let chain = &CHAINS[self.shape as usize];
        let with_ordinals = has_ordinals(self.shape);
        let mut n = 0;
        for (j, &s) in chain.shapes[..chain.len].iter().enumerate() {
            let p = SHAPES[s as usize].prefix.as_bytes();
            // Nearly every prefix is one letter; skip the memcpy call for those.
            if let [c] = p {
                buf[n] = *c;
            } else {
                buf[n..n + p.len()].copy_from_slice(p);
            }
            n += p.len();
            if with_ordinals {
                n += write_decimal(&mut buf[n..], self.ords[j]);
            }
        }
        // Always ASCII; the fallback is unreachable.
        std::str::from_utf8(&buf[..n]).unwrap_or_default()
    }
}

/// Writes `v` in decimal at the start of `out`; returns the number of bytes written.
fn write_decimal(out: &mut [u8], mut v: u32) -> usize {
    let len = v.checked_ilog10().unwrap_or(0) as usize + 1;
    let digits = &mut out[..len];
    for d in digits.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
    len
}

/// Why [`scan`] rejected a string, without allocating; positions index the trimmed input.
enum Failure {
    Empty,
    NotAll,
    Unexpected {
        at: usize,
        after: Option<Shape>,
    },
    Missing(Shape),
    OutOfRange {
        shape: Shape,
        start: usize,
        end: usize,
    },
}

impl Failure {
    fn describe(&self, s: &str) -> String {
        match *self {
            Failure::Empty => "empty".to_owned(),
            Failure::NotAll => "expected all, all_comp or all_svc".to_owned(),
            Failure::Unexpected { at, after } => {
                let c = s.get(at..).and_then(|r| r.chars().next()).unwrap_or('?');
                match after {
                    None => format!("unexpected {c:?} at start (expected x, s, p, d, sms or all)"),
                    Some(shape) => {
                        format!("unexpected {c:?} after {}", SHAPES[shape as usize].part)
                    }
                }
            }
            Failure::Missing(shape) => format!("missing {} ordinal", SHAPES[shape as usize].part),
            Failure::OutOfRange { shape, start, end } => {
                let digits = s
                    .get(start..end)
                    .unwrap_or_default()
                    .trim_start_matches('0');
                let digits = if digits.is_empty() { "0" } else { digits };
                out_of_range(&SHAPES[shape as usize], digits)
            }
        }
    }
}

fn out_of_range(d: &ShapeDef, value: &str) -> String {
    format!(
        "{} ordinal {value} out of range {}-{}",
        d.part, d.min, d.max
    )
}

/// Matches `all`, `all_comp` and `all_svc` in any case.
fn scan_all(b: &[u8]) -> Result<Xname, Failure> {
    let shape = [Shape::All, Shape::AllComp, Shape::AllSvc]
        .into_iter()
        .find(|&s| SHAPES[s as usize].prefix.as_bytes().eq_ignore_ascii_case(b))
        .ok_or(Failure::NotAll)?;
    Ok(Xname {
        shape,
        ords: [0; MAX_ORDINALS],
    })
}

/// The parser: one pass over the bytes of an already trimmed string, driven by [`NEXT`].
fn scan(s: &str) -> Result<Xname, Failure> {
    // Anything above u32::MAX saturates here, so the digit loop cannot overflow.
    const CAP: u64 = u32::MAX as u64 + 1;

    let b = s.as_bytes();
    let &first = b.first().ok_or(Failure::Empty)?;
    let (mut shape, mut i) = match first | 0x20 {
        b'a' => return scan_all(b),
        b's' if b.len() >= 3 && b[1] | 0x20 == b'm' && b[2] | 0x20 == b's' => (Shape::SMSBox, 3),
        _ => match NEXT[START][letter_column(first)] {
            Some(shape) => (shape, 1),
            None => return Err(Failure::Unexpected { at: 0, after: None }),
        },
    };
    let mut ords = [0u32; MAX_ORDINALS];
    loop {
        let start = i;
        let mut v: u64 = 0;
        while let Some(&c) = b.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = (v * 10 + u64::from(d)).min(CAP);
            i += 1;
        }
        if i == start {
            return Err(Failure::Missing(shape));
        }
        let d = &SHAPES[shape as usize];
        if v < u64::from(d.min) || v > u64::from(d.max) {
            return Err(Failure::OutOfRange {
                shape,
                start,
                end: i,
            });
        }
        ords[CHAINS[shape as usize].len - 1] = v as u32;
        let Some(&c) = b.get(i) else {
            return Ok(Xname { shape, ords });
        };
        shape = NEXT[shape as usize][letter_column(c)].ok_or(Failure::Unexpected {
            at: i,
            after: Some(shape),
        })?;
        i += 1;
    }
}

impl FromStr for Xname {
    type Err = XnameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Xname::parse(s)
    }
}

impl TryFrom<&str> for Xname {
    type Error = XnameError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Xname::parse(s)
    }
}

impl fmt::Display for Xname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.encode(&mut [0; MAX_LEN]))
    }
}

impl fmt::Debug for Xname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Xname({:?})", self.encode(&mut [0; MAX_LEN]))
    }
}

impl Ord for Xname {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&CHAINS[self.shape as usize], &CHAINS[other.shape as usize]);
        for j in 0..a.len.min(b.len) {
            let (sa, sb) = (a.shapes[j], b.shapes[j]);
            if sa != sb {
                // Equal earlier segments leave one shape per letter, so different shapes
                // have different prefixes.
                return SHAPES[sa as usize].prefix.cmp(SHAPES[sb as usize].prefix);
            }
            if has_ordinals(sa) {
                match self.ords[j].cmp(&other.ords[j]) {
                    Ordering::Equal => {}
                    o => return o,
                }
            }
        }
        a.len.cmp(&b.len)
    }
}

impl PartialOrd for Xname {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Xname {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.encode(&mut [0; MAX_LEN]))
    }
}

impl<'de> Deserialize<'de> for Xname {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Xname;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an xname such as \"x1000c0s0b0n0\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Xname, E> {
                Xname::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_spell_every_shape_and_types_cover_the_enum() {
        for d in &SHAPES {
            let chain = &CHAINS[d.id as usize];
            assert_eq!(chain.shapes[chain.len - 1], d.id);
            match d.base {
                Some(b) => assert_eq!(CHAINS[b as usize].len + 1, chain.len),
                None => assert_eq!(chain.len, 1),
            }
        }
        for &t in HmsType::ALL {
            assert!(SHAPES.iter().any(|d| d.ty == t), "{t} has no shape");
        }
    }

    #[test]
    fn table_parents_match_xname_parents_except_node_fpga() {
        for d in &SHAPES {
            let parent_ty = Xname::parent_shape(d.id).map(|s| SHAPES[s as usize].ty);
            if d.ty == HmsType::NodeFpga {
                assert_eq!(parent_ty, Some(HmsType::NodeBMC));
            } else {
                assert_eq!(parent_ty, d.ty.parent(), "{:?}", d.id);
            }
        }
    }

    #[test]
    fn longest_xname_fits_the_buffer() {
        let x = Xname {
            shape: Shape::Drive,
            ords: [9999, 7, U, U, U, U, U],
        };
        assert_eq!(x.to_string().len(), 1 + 4 + 2 + 5 * 11);
    }
}
