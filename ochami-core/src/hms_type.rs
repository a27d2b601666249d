//! HMS component types: the `Type` column of SMD's components and the type half of
//! the xname grammar.
//!
//! [`HmsType`] has one variant per entry of the recognition table in
//! `Cray-HPE/hms-xname` (`xnametypes/hmstypes.go`, v1.4.0), which OpenCHAMI's SMD uses
//! unchanged. The wire spelling (Display, serde) is SMD's exact type string; parsing is
//! case-insensitive like SMD's `VerifyNormalizeType`.
//!
//! Upstream's `INVALID` pseudo-type has no variant: where Go returns `HMSTypeInvalid`,
//! this crate returns an error instead.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

use crate::xname_error::XnameError;

/// The type of an HMS component, as SMD spells it on the wire (`"Node"`, `"NodeBMC"`,
/// `"ComputeModule"`, ...).
///
/// Every xname has exactly one type, see [`Xname::hms_type`](crate::Xname::hms_type).
/// The pseudo-types [`All`](HmsType::All), [`AllComp`](HmsType::AllComp),
/// [`AllSvc`](HmsType::AllSvc), [`Partition`](HmsType::Partition),
/// [`System`](HmsType::System) and [`SMSBox`](HmsType::SMSBox) name query wildcards and
/// special IDs rather than hardware.
///
/// The derived order is the order of upstream's recognition table.
///
/// # Examples
///
/// ```
/// use ochami_core::HmsType;
///
/// let t: HmsType = "nodebmc".parse()?;
/// assert_eq!(t, HmsType::NodeBMC);
/// assert_eq!(t.to_string(), "NodeBMC");
/// assert_eq!(t.parent(), Some(HmsType::ComputeModule));
/// assert!(t.is_controller() && t.controller_has_systems());
///
/// // SMD's map keys for the pseudo-types are accepted too.
/// assert_eq!("hmstypeallcomp".parse::<HmsType>()?, HmsType::AllComp);
///
/// // JSON uses the exact SMD spelling.
/// assert_eq!(serde_json::to_string(&HmsType::CabinetPDUController)?, r#""CabinetPDUController""#);
/// assert!("Nodes".parse::<HmsType>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[allow(
    clippy::upper_case_acronyms,
    reason = "variant names are SMD's type strings (CDU, CEC)"
)]
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HmsType {
    /// `all`: every component and service (query wildcard).
    All,
    /// `all_svc`: every service (query wildcard).
    AllSvc,
    /// `all_comp`: every component (query wildcard).
    AllComp,
    /// `p<N>` or `p<N>.<M>`: a partition.
    Partition,
    /// `s0`: the whole system.
    System,
    /// `sms<N>`: a system management server (non-compute node) box.
    SMSBox,
    /// `d<N>`: a coolant distribution unit.
    CDU,
    /// `d<N>w<M>`: a management switch in a CDU.
    CDUMgmtSwitch,
    /// `x<N>d<0-1>`: a CDU inside a cabinet.
    CabinetCDU,
    /// `x<N>m<0-3>`: a cabinet PDU controller.
    CabinetPDUController,
    /// `x<N>m<M>p<0-7>`: a cabinet PDU.
    CabinetPDU,
    /// `x<N>m<M>i<0-3>`: a NIC of a cabinet PDU controller.
    CabinetPDUNic,
    /// `x<N>m<M>p<P>j<1+>`: a PDU outlet.
    CabinetPDUOutlet,
    /// `x<N>m<M>p<P>v<1+>`: a PDU power connector.
    CabinetPDUPowerConnector,
    /// `x<N>e<0-1>`: a cabinet environmental controller.
    CEC,
    /// `x<0-9999>`: a cabinet.
    Cabinet,
    /// `x<N>b0`: a cabinet BMC.
    CabinetBMC,
    /// `x<N>c<0-7>`: a chassis.
    Chassis,
    /// `x<N>c<C>b0`: a chassis BMC (Mountain CMM).
    ChassisBMC,
    /// `x<N>c<C>b0i<0-3>`: a NIC of a chassis BMC.
    ChassisBMCNic,
    /// `x<N>c<C>f0`: a CMM FPGA.
    CMMFpga,
    /// `x<N>c<C>t<0-9>`: a CMM rectifier.
    CMMRectifier,
    /// `x<N>c<C>s<S>`: a compute module (slot).
    ComputeModule,
    /// `x<N>c<C>s<S>b<B>n<N>g<G>`: a storage group of a node.
    StorageGroup,
    /// `x<N>c<C>s<S>b<B>n<N>g<G>k<K>`: a drive.
    Drive,
    /// `x<N>c<C>s<S>b<B>f0`: a node FPGA.
    NodeFpga,
    /// `x<N>c<C>s<S>b<B>`: a node BMC.
    NodeBMC,
    /// `x<N>c<C>s<S>b<B>i<0-3>`: a NIC of a node BMC.
    NodeBMCNic,
    /// `x<N>c<C>s<S>e<E>`: a node enclosure.
    NodeEnclosure,
    /// `x<N>c<C>s<S>e<E>t<T>`: a power supply of a node enclosure.
    NodeEnclosurePowerSupply,
    /// `x<N>c<C>s<S>v<1-2>` (or the deprecated `j<1-2>`): a node power connector.
    NodePowerConnector,
    /// `x<N>c<C>r<R>e<E>`: an HSN board.
    HSNBoard,
    /// `x<N>c<C>s<S>b<B>n<N>`: a node.
    Node,
    /// `x<N>c<C>s<S>b<B>n<N>v<V>`: a virtual node.
    VirtualNode,
    /// `x<N>c<C>s<S>b<B>n<N>i<0-3>`: a node NIC.
    NodeNic,
    /// `x<N>c<C>s<S>b<B>n<N>h<0-3>`: a node HSN NIC.
    NodeHsnNic,
    /// `x<N>c<C>s<S>b<B>n<N>a<A>`: a node accelerator (GPU).
    NodeAccel,
    /// `x<N>c<C>s<S>b<B>n<N>r<0-7>`: a node accelerator riser.
    NodeAccelRiser,
    /// `x<N>c<C>s<S>b<B>n<N>d<D>`: a memory module (DIMM).
    Memory,
    /// `x<N>c<C>s<S>b<B>n<N>p<0-3>`: a processor socket.
    Processor,
    /// `x<N>c<C>r<R>`: a router module (switch slot).
    RouterModule,
    /// `x<N>c<C>r<R>f<0-1>`: a router FPGA.
    RouterFpga,
    /// `x<N>c<C>r<R>t<T>`: a top-of-rack router.
    RouterTOR,
    /// `x<N>c<C>r<R>t<T>f<0-1>`: a TOR router FPGA.
    RouterTORFpga,
    /// `x<N>c<C>r<R>b<B>`: a router BMC.
    RouterBMC,
    /// `x<N>c<C>r<R>b<B>i<0-3>`: a NIC of a router BMC.
    RouterBMCNic,
    /// `x<N>c<C>r<R>v<1-2>`: a router power connector.
    RouterPowerConnector,
    /// `x<N>c<C>r<R>a<0-3>`: an HSN switch ASIC.
    HSNAsic,
    /// `x<N>c<C>r<R>j<1+>`: an HSN cable connector.
    HSNConnector,
    /// `x<N>c<C>r<R>j<J>p<0-2>`: a port of an HSN connector.
    HSNConnectorPort,
    /// `x<N>c<C>r<R>a<A>l<L>`: an HSN link.
    HSNLink,
    /// `x<N>c<C>w<1+>`: a management switch.
    MgmtSwitch,
    /// `x<N>c<C>w<W>j<1+>`: a port of a management switch.
    MgmtSwitchConnector,
    /// `x<N>c<C>h<1+>`: a high-level management switch enclosure.
    MgmtHLSwitchEnclosure,
    /// `x<N>c<C>h<H>s<1-9>`: a high-level management switch.
    MgmtHLSwitch,
}

impl HmsType {
    /// Every variant, in declaration (recognition table) order.
    pub const ALL: &'static [HmsType] = &[
        HmsType::All,
        HmsType::AllSvc,
        HmsType::AllComp,
        HmsType::Partition,
        HmsType::System,
        HmsType::SMSBox,
        HmsType::CDU,
        HmsType::CDUMgmtSwitch,
        HmsType::CabinetCDU,
        HmsType::CabinetPDUController,
        HmsType::CabinetPDU,
        HmsType::CabinetPDUNic,
        HmsType::CabinetPDUOutlet,
        HmsType::CabinetPDUPowerConnector,
        HmsType::CEC,
        HmsType::Cabinet,
        HmsType::CabinetBMC,
        HmsType::Chassis,
        HmsType::ChassisBMC,
        HmsType::ChassisBMCNic,
        HmsType::CMMFpga,
        HmsType::CMMRectifier,
        HmsType::ComputeModule,
        HmsType::StorageGroup,
        HmsType::Drive,
        HmsType::NodeFpga,
        HmsType::NodeBMC,
        HmsType::NodeBMCNic,
        HmsType::NodeEnclosure,
        HmsType::NodeEnclosurePowerSupply,
        HmsType::NodePowerConnector,
        HmsType::HSNBoard,
        HmsType::Node,
        HmsType::VirtualNode,
        HmsType::NodeNic,
        HmsType::NodeHsnNic,
        HmsType::NodeAccel,
        HmsType::NodeAccelRiser,
        HmsType::Memory,
        HmsType::Processor,
        HmsType::RouterModule,
        HmsType::RouterFpga,
        HmsType::RouterTOR,
        HmsType::RouterTORFpga,
        HmsType::RouterBMC,
        HmsType::RouterBMCNic,
        HmsType::RouterPowerConnector,
        HmsType::HSNAsic,
        HmsType::HSNConnector,
        HmsType::HSNConnectorPort,
        HmsType::HSNLink,
        HmsType::MgmtSwitch,
        HmsType::MgmtSwitchConnector,
        HmsType::MgmtHLSwitchEnclosure,
        HmsType::MgmtHLSwitch,
    ];

    /// SMD's spelling of the type, e.g. `"NodeBMC"`; the same text as `Display` and serde.
    pub const fn as_str(self) -> &'static str {
        match self {
            HmsType::All => "All",
            HmsType::AllSvc => "AllSvc",
            HmsType::AllComp => "AllComp",
            HmsType::Partition => "Partition",
            HmsType::System => "System",
            HmsType::SMSBox => "SMSBox",
            HmsType::CDU => "CDU",
            HmsType::CDUMgmtSwitch => "CDUMgmtSwitch",
            HmsType::CabinetCDU => "CabinetCDU",
            HmsType::CabinetPDUController => "CabinetPDUController",
            HmsType::CabinetPDU => "CabinetPDU",
            HmsType::CabinetPDUNic => "CabinetPDUNic",
            HmsType::CabinetPDUOutlet => "CabinetPDUOutlet",
            HmsType::CabinetPDUPowerConnector => "CabinetPDUPowerConnector",
            HmsType::CEC => "CEC",
            HmsType::Cabinet => "Cabinet",
            HmsType::CabinetBMC => "CabinetBMC",
            HmsType::Chassis => "Chassis",
            HmsType::ChassisBMC => "ChassisBMC",
            HmsType::ChassisBMCNic => "ChassisBMCNic",
            HmsType::CMMFpga => "CMMFpga",
            HmsType::CMMRectifier => "CMMRectifier",
            HmsType::ComputeModule => "ComputeModule",
            HmsType::StorageGroup => "StorageGroup",
            HmsType::Drive => "Drive",
            HmsType::NodeFpga => "NodeFpga",
            HmsType::NodeBMC => "NodeBMC",
            HmsType::NodeBMCNic => "NodeBMCNic",
            HmsType::NodeEnclosure => "NodeEnclosure",
            HmsType::NodeEnclosurePowerSupply => "NodeEnclosurePowerSupply",
            HmsType::NodePowerConnector => "NodePowerConnector",
            HmsType::HSNBoard => "HSNBoard",
            HmsType::Node => "Node",
            HmsType::VirtualNode => "VirtualNode",
            HmsType::NodeNic => "NodeNic",
            HmsType::NodeHsnNic => "NodeHsnNic",
            HmsType::NodeAccel => "NodeAccel",
            HmsType::NodeAccelRiser => "NodeAccelRiser",
            HmsType::Memory => "Memory",
            HmsType::Processor => "Processor",
            HmsType::RouterModule => "RouterModule",
            HmsType::RouterFpga => "RouterFpga",
            HmsType::RouterTOR => "RouterTOR",
            HmsType::RouterTORFpga => "RouterTORFpga",
            HmsType::RouterBMC => "RouterBMC",
            HmsType::RouterBMCNic => "RouterBMCNic",
            HmsType::RouterPowerConnector => "RouterPowerConnector",
            HmsType::HSNAsic => "HSNAsic",
            HmsType::HSNConnector => "HSNConnector",
            HmsType::HSNConnectorPort => "HSNConnectorPort",
            HmsType::HSNLink => "HSNLink",
            HmsType::MgmtSwitch => "MgmtSwitch",
            HmsType::MgmtSwitchConnector => "MgmtSwitchConnector",
            HmsType::MgmtHLSwitchEnclosure => "MgmtHLSwitchEnclosure",
            HmsType::MgmtHLSwitch => "MgmtHLSwitch",
        }
    }

    /// The "parent type" column of upstream's recognition table; `None` for the
    /// pseudo-types and [`System`](HmsType::System).
    ///
    /// This is the table verbatim. It differs from the type of
    /// [`Xname::parent`](crate::Xname::parent) in one place: a [`NodeFpga`](HmsType::NodeFpga)
    /// (`x0c0s0b0f0`) has the table parent [`NodeEnclosure`](HmsType::NodeEnclosure),
    /// which cannot be formed from its ordinals, so its xname parent is its NodeBMC.
    pub const fn parent(self) -> Option<HmsType> {
        use HmsType::*;
        Some(match self {
            All | AllSvc | AllComp | Partition | System | SMSBox => return None,
            CDU | Cabinet => System,
            CDUMgmtSwitch => CDU,
            CabinetCDU | CabinetPDUController | CEC | CabinetBMC | Chassis => Cabinet,
            CabinetPDU | CabinetPDUNic => CabinetPDUController,
            CabinetPDUOutlet | CabinetPDUPowerConnector => CabinetPDU,
            ChassisBMC
            | CMMFpga
            | CMMRectifier
            | ComputeModule
            | RouterModule
            | MgmtSwitch
            | MgmtHLSwitchEnclosure => Chassis,
            ChassisBMCNic => ChassisBMC,
            StorageGroup => Node,
            Drive => StorageGroup,
            NodeFpga => NodeEnclosure,
            NodeBMC | NodeEnclosure | NodePowerConnector => ComputeModule,
            NodeBMCNic | Node => NodeBMC,
            NodeEnclosurePowerSupply => NodeEnclosure,
            VirtualNode | NodeNic | NodeHsnNic | NodeAccel | NodeAccelRiser | Memory
            | Processor => Node,
            HSNBoard | RouterFpga | RouterTOR | RouterBMC | RouterPowerConnector | HSNAsic
            | HSNConnector => RouterModule,
            RouterTORFpga => RouterTOR,
            RouterBMCNic => RouterBMC,
            HSNConnectorPort => HSNConnector,
            HSNLink => HSNAsic,
            MgmtSwitchConnector => MgmtSwitch,
            MgmtHLSwitch => MgmtHLSwitchEnclosure,
        })
    }

    /// Whether the type is a controller (upstream `IsHMSTypeController`): ChassisBMC,
    /// RouterBMC, NodeBMC and CabinetPDUController.
    pub const fn is_controller(self) -> bool {
        matches!(
            self,
            HmsType::ChassisBMC
                | HmsType::RouterBMC
                | HmsType::NodeBMC
                | HmsType::CabinetPDUController
        )
    }

    /// Whether the type is a container (upstream `IsHMSTypeContainer`): Cabinet, Chassis,
    /// ComputeModule, RouterModule, NodeEnclosure and HSNBoard.
    pub const fn is_container(self) -> bool {
        matches!(
            self,
            HmsType::Cabinet
                | HmsType::Chassis
                | HmsType::ComputeModule
                | HmsType::RouterModule
                | HmsType::NodeEnclosure
                | HmsType::HSNBoard
        )
    }

    /// Whether a controller of this type manages Redfish systems, i.e. nodes
    /// (upstream `ControllerHasSystems`): NodeBMC only.
    pub const fn controller_has_systems(self) -> bool {
        matches!(self, HmsType::NodeBMC)
    }

    /// Whether this is a wildcard or special ID rather than hardware: All, AllComp,
    /// AllSvc, Partition, System and SMSBox (the types upstream's generator skips, plus
    /// System).
    pub const fn is_pseudo(self) -> bool {
        matches!(
            self,
            HmsType::All
                | HmsType::AllComp
                | HmsType::AllSvc
                | HmsType::Partition
                | HmsType::System
                | HmsType::SMSBox
        )
    }
}

impl fmt::Display for HmsType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for HmsType {
    type Err = XnameError;

    /// Case-insensitive lookup by type name (`node`, `NODEBMC`), plus SMD's map keys for
    /// the pseudo-types (`hmstypeall`, `hmstypeallcomp`, `hmstypeallsvc`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(&t) = HmsType::ALL
            .iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
        {
            return Ok(t);
        }
        const KEYS: [(&str, HmsType); 3] = [
            ("hmstypeall", HmsType::All),
            ("hmstypeallcomp", HmsType::AllComp),
            ("hmstypeallsvc", HmsType::AllSvc),
        ];
        KEYS.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(s))
            .map(|&(_, t)| t)
            .ok_or_else(|| XnameError::unknown_type(s))
    }
}

impl Serialize for HmsType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for HmsType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = HmsType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an HMS type name such as \"Node\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HmsType, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_complete_sorted_and_names_round_trip() {
        assert_eq!(HmsType::ALL.len(), 55);
        assert!(HmsType::ALL.windows(2).all(|w| w[0] < w[1]));
        for &t in HmsType::ALL {
            assert_eq!(t.as_str().parse::<HmsType>(), Ok(t));
            assert_eq!(t.as_str().to_lowercase().parse::<HmsType>(), Ok(t));
            assert_eq!(t.as_str().to_uppercase().parse::<HmsType>(), Ok(t));
        }
    }

    #[test]
    fn parent_chains_end_at_none_without_cycles() {
        for &t in HmsType::ALL {
            let mut cur = t;
            let mut steps = 0;
            while let Some(p) = cur.parent() {
                cur = p;
                steps += 1;
                assert!(steps < 10, "{t} has a parent cycle");
            }
            if !t.is_pseudo() {
                assert_eq!(cur, HmsType::System, "{t} does not end at System");
            }
        }
    }
}
