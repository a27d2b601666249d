//! Xnames and HMS types: the type table, normalization, errors, order, parents, children,
//! SMD's prefix rule, serde, and property tests of the parser.

use std::cmp::Ordering;
use std::collections::HashSet;

use ochami_core::{HmsType, Xname, XnameError};
use proptest::prelude::*;

fn x(s: &str) -> Xname {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
}

fn err(s: &str) -> XnameError {
    match s.parse::<Xname>() {
        Ok(v) => panic!("{s:?} should be rejected, got {v:?}"),
        Err(e) => e,
    }
}

type Examples = (
    HmsType,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// Per type: valid xnames, and invalid ones with the exact reason.
const TABLE: &[Examples] = &[
    (
        HmsType::All,
        &["all", "ALL"],
        &[("alll", "expected all, all_comp or all_svc")],
    ),
    (
        HmsType::AllSvc,
        &["all_svc"],
        &[("all_svc0", "expected all, all_comp or all_svc")],
    ),
    (
        HmsType::AllComp,
        &["all_comp", "All_Comp"],
        &[("all-comp", "expected all, all_comp or all_svc")],
    ),
    (
        HmsType::Partition,
        &["p0", "p1", "p1.2", "p4294967295.4294967295"],
        &[
            ("p1-2", "unexpected '-' after partition"),
            ("p1x2", "unexpected 'x' after partition"),
            ("p1.", "missing partition minor ordinal"),
            ("p1.2.3", "unexpected '.' after partition minor"),
        ],
    ),
    (
        HmsType::System,
        &["s0", "S00"],
        &[("s1", "system ordinal 1 out of range 0-0")],
    ),
    (
        HmsType::SMSBox,
        &["sms1", "sms0"],
        &[("sms", "missing SMS box ordinal")],
    ),
    (
        HmsType::CDU,
        &["d0", "d12"],
        &[("d", "missing CDU ordinal")],
    ),
    (
        HmsType::CDUMgmtSwitch,
        &["d0w1", "d1w0"],
        &[("d0w", "missing CDU switch ordinal")],
    ),
    (
        HmsType::CabinetCDU,
        &["x1000d1"],
        &[("x1000d2", "cabinet CDU ordinal 2 out of range 0-1")],
    ),
    (
        HmsType::CabinetPDUController,
        &["x3000m0", "x3000m3"],
        &[("x3000m4", "PDU controller ordinal 4 out of range 0-3")],
    ),
    (
        HmsType::CabinetPDU,
        &["x3000m0p7"],
        &[("x3000m0p8", "PDU ordinal 8 out of range 0-7")],
    ),
    (
        HmsType::CabinetPDUNic,
        &["x3000m0i3"],
        &[
            ("x3000m0i4", "PDU controller NIC ordinal 4 out of range 0-3"),
            // Upstream's example string for this type; its regex has no `p`.
            ("x3000m0p0i0", "unexpected 'i' after PDU"),
        ],
    ),
    (
        HmsType::CabinetPDUOutlet,
        &["x3000m0p0j1", "x3000m0p0j48"],
        &[(
            "x3000m0p0j0",
            "PDU outlet ordinal 0 out of range 1-4294967295",
        )],
    ),
    (
        HmsType::CabinetPDUPowerConnector,
        &["x3000m0p0v1"],
        &[(
            "x3000m0p0v0",
            "PDU power connector ordinal 0 out of range 1-4294967295",
        )],
    ),
    (
        HmsType::CEC,
        &["x1000e1"],
        &[("x1000e2", "CEC ordinal 2 out of range 0-1")],
    ),
    (
        HmsType::Cabinet,
        &["x0", "x1000", "x9999"],
        &[
            ("x10000", "cabinet ordinal 10000 out of range 0-9999"),
            ("x", "missing cabinet ordinal"),
            ("x1000q0", "unexpected 'q' after cabinet"),
        ],
    ),
    (
        HmsType::CabinetBMC,
        &["x1000b0"],
        &[("x1000b1", "cabinet BMC ordinal 1 out of range 0-0")],
    ),
    (
        HmsType::Chassis,
        &["x1000c0", "x1000c7"],
        &[
            ("x1000c9", "chassis ordinal 9 out of range 0-7"),
            ("x1000c", "missing chassis ordinal"),
        ],
    ),
    (
        HmsType::ChassisBMC,
        &["x1000c0b0"],
        &[("x1000c0b1", "chassis BMC ordinal 1 out of range 0-0")],
    ),
    (
        HmsType::ChassisBMCNic,
        &["x1000c0b0i3"],
        &[("x1000c0b0i4", "chassis BMC NIC ordinal 4 out of range 0-3")],
    ),
    (
        HmsType::CMMFpga,
        &["x1000c0f0"],
        &[("x1000c0f1", "CMM FPGA ordinal 1 out of range 0-0")],
    ),
    (
        HmsType::CMMRectifier,
        &["x1000c0t9"],
        &[("x1000c0t10", "CMM rectifier ordinal 10 out of range 0-9")],
    ),
    (
        HmsType::ComputeModule,
        &["x1000c0s7", "x1000c0s4294967295"],
        &[(
            "x1000c0s4294967296",
            "slot ordinal 4294967296 out of range 0-4294967295",
        )],
    ),
    (
        HmsType::StorageGroup,
        &["x1000c0s0b0n0g1"],
        &[("x1000c0s0b0n0g", "missing storage group ordinal")],
    ),
    (
        HmsType::Drive,
        &["x1000c0s0b0n0g1k2"],
        &[(
            "x1000c0s0b0n0g1k99999999999999999999999",
            "drive ordinal 99999999999999999999999 out of range 0-4294967295",
        )],
    ),
    (
        HmsType::NodeFpga,
        &["x1000c0s0b0f0"],
        &[("x1000c0s0b0f1", "node FPGA ordinal 1 out of range 0-0")],
    ),
    (
        HmsType::NodeBMC,
        &["x1000c0s0b0", "x1000c0s0b1"],
        &[("x1000c0s0b", "missing node BMC ordinal")],
    ),
    (
        HmsType::NodeBMCNic,
        &["x1000c0s0b0i0"],
        &[("x1000c0s0b0i4", "node BMC NIC ordinal 4 out of range 0-3")],
    ),
    (
        HmsType::NodeEnclosure,
        &["x1000c0s0e0"],
        // Upstream's example string for this type; its regex has no `b`.
        &[("x1000c0s0b0e0", "unexpected 'e' after node BMC")],
    ),
    (
        HmsType::NodeEnclosurePowerSupply,
        &["x1000c0s0e0t1"],
        &[("x1000c0s0e0t", "missing enclosure power supply ordinal")],
    ),
    (
        HmsType::NodePowerConnector,
        &["x1000c0s0v1", "x1000c0s0v2", "x1000c0s0j1", "x1000c0s0j2"],
        &[
            (
                "x1000c0s0v3",
                "node power connector ordinal 3 out of range 1-2",
            ),
            (
                "x1000c0s0j0",
                "node power connector ordinal 0 out of range 1-2",
            ),
        ],
    ),
    (
        HmsType::HSNBoard,
        &["x1000c0r1e0"],
        &[("x1000c0r1e", "missing HSN board ordinal")],
    ),
    (
        HmsType::Node,
        &["x1000c0s0b0n0", "x0c0s0b0n0"],
        &[
            ("x1000c8s0b0n0", "chassis ordinal 8 out of range 0-7"),
            ("x1000c0s0b0n", "missing node ordinal"),
            ("x1000c0s0n0", "unexpected 'n' after slot"),
            ("x1000c0s0b0n0 x", "unexpected ' ' after node"),
        ],
    ),
    (
        HmsType::VirtualNode,
        &["x1000c0s0b0n0v1"],
        &[("x1000c0s0b0n0v", "missing virtual node ordinal")],
    ),
    (
        HmsType::NodeNic,
        &["x1000c0s0b0n0i3"],
        &[("x1000c0s0b0n0i4", "node NIC ordinal 4 out of range 0-3")],
    ),
    (
        HmsType::NodeHsnNic,
        &["x1000c0s0b0n0h3"],
        &[("x1000c0s0b0n0h4", "node HSN NIC ordinal 4 out of range 0-3")],
    ),
    (
        HmsType::NodeAccel,
        &["x1000c0s0b0n0a7"],
        &[(
            "x1000c0s0b0n0a4294967296",
            "accelerator ordinal 4294967296 out of range 0-4294967295",
        )],
    ),
    (
        HmsType::NodeAccelRiser,
        &["x1000c0s0b0n0r7"],
        &[(
            "x1000c0s0b0n0r8",
            "accelerator riser ordinal 8 out of range 0-7",
        )],
    ),
    (
        HmsType::Memory,
        &["x1000c0s0b0n0d15"],
        &[("x1000c0s0b0n0d", "missing memory ordinal")],
    ),
    (
        HmsType::Processor,
        &["x1000c0s0b0n0p3"],
        &[("x1000c0s0b0n0p4", "processor ordinal 4 out of range 0-3")],
    ),
    (
        HmsType::RouterModule,
        &["x1000c0r7"],
        &[("x1000c0r", "missing router module ordinal")],
    ),
    (
        HmsType::RouterFpga,
        &["x1000c0r0f1"],
        &[("x1000c0r0f2", "router FPGA ordinal 2 out of range 0-1")],
    ),
    (
        HmsType::RouterTOR,
        &["x1000c0r0t0"],
        &[("x1000c0r0t", "missing router TOR ordinal")],
    ),
    (
        HmsType::RouterTORFpga,
        &["x1000c0r0t0f1"],
        &[(
            "x1000c0r0t0f2",
            "router TOR FPGA ordinal 2 out of range 0-1",
        )],
    ),
    (
        HmsType::RouterBMC,
        &["x1000c0r0b0"],
        &[("x1000c0r0b0n0", "unexpected 'n' after router BMC")],
    ),
    (
        HmsType::RouterBMCNic,
        &["x1000c0r0b0i0"],
        &[("x1000c0r0b0i4", "router BMC NIC ordinal 4 out of range 0-3")],
    ),
    (
        HmsType::RouterPowerConnector,
        &["x1000c0r0v2"],
        &[(
            "x1000c0r0v3",
            "router power connector ordinal 3 out of range 1-2",
        )],
    ),
    (
        HmsType::HSNAsic,
        &["x1000c0r0a3"],
        &[("x1000c0r0a4", "HSN ASIC ordinal 4 out of range 0-3")],
    ),
    (
        HmsType::HSNConnector,
        &["x1000c0r0j1"],
        &[(
            "x1000c0r0j0",
            "HSN connector ordinal 0 out of range 1-4294967295",
        )],
    ),
    (
        HmsType::HSNConnectorPort,
        &["x1000c0r0j1p2"],
        &[(
            "x1000c0r0j1p3",
            "HSN connector port ordinal 3 out of range 0-2",
        )],
    ),
    (
        HmsType::HSNLink,
        &["x1000c0r0a0l5"],
        &[("x1000c0r0a0l", "missing HSN link ordinal")],
    ),
    (
        HmsType::MgmtSwitch,
        &["x1000c0w1"],
        &[(
            "x1000c0w0",
            "management switch ordinal 0 out of range 1-4294967295",
        )],
    ),
    (
        HmsType::MgmtSwitchConnector,
        &["x1000c0w1j1"],
        &[(
            "x1000c0w1j0",
            "management switch connector ordinal 0 out of range 1-4294967295",
        )],
    ),
    (
        HmsType::MgmtHLSwitchEnclosure,
        &["x1000c0h1"],
        &[(
            "x1000c0h0",
            "high-level switch enclosure ordinal 0 out of range 1-4294967295",
        )],
    ),
    (
        HmsType::MgmtHLSwitch,
        &["x1000c0h1s9"],
        &[(
            "x1000c0h1s10",
            "high-level switch ordinal 10 out of range 1-9",
        )],
    ),
];

#[test]
fn table_covers_every_hms_type() {
    let covered: HashSet<HmsType> = TABLE.iter().map(|(t, _, _)| *t).collect();
    for t in HmsType::ALL {
        assert!(covered.contains(t), "no examples for {t}");
    }
    assert_eq!(covered.len(), TABLE.len(), "a type appears twice in TABLE");
}

#[test]
fn valid_examples_have_their_type_and_print_normalized() {
    for (ty, valid, _) in TABLE {
        for s in *valid {
            let v = x(s);
            assert_eq!(v.hms_type(), *ty, "{s}");
            let lower = s.to_ascii_lowercase();
            let normal = if lower == "s00" {
                "s0".to_owned()
            } else {
                lower
            };
            assert_eq!(v.to_string(), normal);
            assert_eq!(x(&v.to_string()), v);
        }
    }
}

#[test]
fn invalid_examples_say_which_part_and_range() {
    for (ty, _, invalid) in TABLE {
        for (s, reason) in *invalid {
            let e = err(s);
            assert_eq!(e.input(), *s, "{ty}");
            assert_eq!(e.reason(), *reason, "{ty}: {s}");
            assert_eq!(e.to_string(), format!("invalid xname {s:?}: {reason}"));
        }
    }
}

#[test]
fn error_messages() {
    assert_eq!(
        err("x1000c9").to_string(),
        r#"invalid xname "x1000c9": chassis ordinal 9 out of range 0-7"#
    );
    assert_eq!(
        err("x1000q0").to_string(),
        r#"invalid xname "x1000q0": unexpected 'q' after cabinet"#
    );
    assert_eq!(err("").to_string(), r#"invalid xname "": empty"#);
    assert_eq!(err(" \t ").reason(), "empty");
    assert_eq!(
        err("node1").reason(),
        "unexpected 'n' at start (expected x, s, p, d, sms or all)"
    );
    assert_eq!(err("x1000c0s0b0n0é").reason(), "unexpected 'é' after node");
    // Leading zeros are not part of the reported number; the input keeps them.
    let e = err(" X01000C0009 ");
    assert_eq!(e.input(), " X01000C0009 ");
    assert_eq!(e.reason(), "chassis ordinal 9 out of range 0-7");
    assert_eq!(
        err("x99999").reason(),
        "cabinet ordinal 99999 out of range 0-9999"
    );
}

#[test]
fn normalization_like_smd() {
    assert_eq!(x("X1000C0S0B0N00").to_string(), "x1000c0s0b0n0");
    assert_eq!(x("  x1000c0s0b0n0  ").to_string(), "x1000c0s0b0n0");
    assert_eq!(x("x01000c00").to_string(), "x1000c0");
    assert_eq!(x("\tS00\n").to_string(), "s0");
    assert_eq!(x("P01.002").to_string(), "p1.2");
    assert_eq!(x("SMS007").to_string(), "sms7");
    assert_eq!(x("ALL_SVC").to_string(), "all_svc");
    assert_eq!(x("x0000000000000000000001000").to_string(), "x1000");
    assert_eq!(x("X1000C0S0B0N00"), x("x1000c0s0b0n0"));
}

#[test]
fn display_debug_and_ordinals() {
    let n = x("x1000c2s3b1n0");
    assert_eq!(format!("{n:>16}|"), "   x1000c2s3b1n0|");
    assert_eq!(format!("{n:?}"), r#"Xname("x1000c2s3b1n0")"#);
    assert_eq!(n.ordinals(), &[1000, 2, 3, 1, 0]);
    assert_eq!(x("p1.2").ordinals(), &[1, 2]);
    assert_eq!(x("p1").ordinals(), &[1]);
    assert_eq!(x("s0").ordinals(), &[0]);
    assert_eq!(x("all").ordinals(), &[] as &[u32]);
    assert_eq!(x("x1000c0s0j1").ordinals(), x("x1000c0s0v1").ordinals());
    // The deprecated `j` spelling is kept, so the two are different xnames.
    assert_ne!(x("x1000c0s0j1"), x("x1000c0s0v1"));
    assert_eq!(x("x1000c0s0j1").to_string(), "x1000c0s0j1");
}

#[test]
fn from_parts_inverts_ordinals() {
    for (_, valid, _) in TABLE {
        for s in *valid {
            let v = x(s);
            let rebuilt = Xname::from_parts(v.hms_type(), v.ordinals()).unwrap();
            if s.contains('j') && v.hms_type() == HmsType::NodePowerConnector {
                assert_eq!(rebuilt.to_string(), s.replace('j', "v"));
            } else {
                assert_eq!(rebuilt, v, "{s}");
            }
        }
    }
    assert_eq!(
        Xname::from_parts(HmsType::Node, &[1, 2, 3])
            .unwrap_err()
            .reason(),
        "Node does not take 3 ordinals"
    );
    assert_eq!(
        Xname::from_parts(HmsType::Chassis, &[1000, 8])
            .unwrap_err()
            .to_string(),
        r#"invalid xname "x1000c8": chassis ordinal 8 out of range 0-7"#
    );
}

#[test]
fn serde_as_json_string() {
    let n = x("x1000c0s0b0n0");
    assert_eq!(serde_json::to_string(&n).unwrap(), r#""x1000c0s0b0n0""#);
    let back: Xname = serde_json::from_str(r#""X1000C0S0B0N00""#).unwrap();
    assert_eq!(back, n);
    let list: Vec<Xname> =
        serde_json::from_str(r#"["s0","p1.2","all_comp","x3000m0p0v1"]"#).unwrap();
    assert_eq!(
        serde_json::to_string(&list).unwrap(),
        r#"["s0","p1.2","all_comp","x3000m0p0v1"]"#
    );
    let e = serde_json::from_str::<Xname>(r#""x1000c9""#).unwrap_err();
    assert!(
        e.to_string().contains("chassis ordinal 9 out of range 0-7"),
        "{e}"
    );
    assert!(serde_json::from_str::<Xname>("1000").is_err());
}

#[test]
fn natural_order() {
    assert!(x("x1000c0s2") < x("x1000c0s10"));
    assert!(x("x1000c0s0b0") < x("x1000c0s0b0n0"));
    assert!(x("x1000c0s0b0n0") < x("x1000c0s0b1"));
    assert!(x("x9") < x("x10"));
    assert_eq!(x("x1000c0s2").cmp(&x("X1000C0S02")), Ordering::Equal);
    let mut v: Vec<Xname> = [
        "x1000c0s10b0n0",
        "x1000c0s2b0n1",
        "x1000c0s2b0n0",
        "x1000c0s2",
        "x999c7",
        "x1000",
        "s0",
        "d1",
        "x1000c0s2b0n0p1",
        "x1000c0s2b0",
        "x1000c0b0",
    ]
    .iter()
    .map(|s| x(s))
    .collect();
    v.sort();
    let sorted: Vec<String> = v.iter().map(Xname::to_string).collect();
    assert_eq!(
        sorted,
        [
            "d1",
            "s0",
            "x999c7",
            "x1000",
            "x1000c0b0",
            "x1000c0s2",
            "x1000c0s2b0",
            "x1000c0s2b0n0",
            "x1000c0s2b0n0p1",
            "x1000c0s2b0n1",
            "x1000c0s10b0n0",
        ]
    );
}

fn chain(s: &str) -> Vec<String> {
    x(s).ancestors().map(|a| a.to_string()).collect()
}

#[test]
fn parent_chains() {
    assert_eq!(
        chain("x1000c0s0b0n0p0"),
        [
            "x1000c0s0b0n0",
            "x1000c0s0b0",
            "x1000c0s0",
            "x1000c0",
            "x1000",
            "s0"
        ]
    );
    assert_eq!(chain("d3w2"), ["d3", "s0"]);
    assert_eq!(
        chain("x3000m0p0v1"),
        ["x3000m0p0", "x3000m0", "x3000", "s0"]
    );
    assert_eq!(
        chain("x1000c0s0b0n0g1k2"),
        [
            "x1000c0s0b0n0g1",
            "x1000c0s0b0n0",
            "x1000c0s0b0",
            "x1000c0s0",
            "x1000c0",
            "x1000",
            "s0"
        ]
    );
    assert_eq!(
        chain("x1000c0r3a1l7"),
        ["x1000c0r3a1", "x1000c0r3", "x1000c0", "x1000", "s0"]
    );
    assert_eq!(
        chain("x1000c0h1s2"),
        ["x1000c0h1", "x1000c0", "x1000", "s0"]
    );
    // NodeFpga: the table says NodeEnclosure, but the ordinals name a NodeBMC.
    assert_eq!(x("x0c0s0b0f0").parent(), Some(x("x0c0s0b0")));
    assert_eq!(HmsType::NodeFpga.parent(), Some(HmsType::NodeEnclosure));
    for root in ["s0", "p1", "p1.2", "sms1", "all", "all_comp", "all_svc"] {
        assert_eq!(x(root).parent(), None, "{root}");
    }
    // Every real type's chain ends at s0 and follows the table's parent types.
    for (ty, valid, _) in TABLE {
        for s in *valid {
            let v = x(s);
            if let Some(p) = v.parent() {
                if *ty != HmsType::NodeFpga {
                    assert_eq!(Some(p.hms_type()), ty.parent(), "{s}");
                }
                assert_eq!(v.ancestors().last(), Some(Xname::system()), "{s}");
            } else {
                assert_eq!(ty.parent(), None, "{s}");
            }
        }
    }
}

#[test]
fn ancestry() {
    let node = x("x1000c0s0b0n0");
    assert!(x("x1000").is_ancestor_of(&node));
    assert!(x("s0").is_ancestor_of(&node));
    assert!(x("x1000c0s0b0").is_ancestor_of(&node));
    assert!(!node.is_ancestor_of(&node));
    assert!(!node.is_ancestor_of(&x("x1000c0s0b0")));
    assert!(!x("x1000c1").is_ancestor_of(&node));
    assert!(!x("s0").is_ancestor_of(&x("p1")));
    assert!(x("d1").is_ancestor_of(&x("d1w2")));
}

#[test]
fn constructors_and_child_builders() {
    let cab = Xname::cabinet(1000).unwrap();
    let node = cab
        .chassis_child(0)
        .and_then(|c| c.slot(2))
        .and_then(|m| m.bmc(1))
        .and_then(|b| b.node(0))
        .unwrap();
    assert_eq!(node, x("x1000c0s2b1n0"));
    assert_eq!(node, Xname::node_at(1000, 0, 2, 1, 0).unwrap());
    assert_eq!(Xname::node_bmc(1000, 0, 2, 1).unwrap(), x("x1000c0s2b1"));
    assert_eq!(Xname::compute_module(1000, 0, 2).unwrap(), x("x1000c0s2"));
    assert_eq!(Xname::chassis(1000, 7).unwrap(), x("x1000c7"));
    assert_eq!(Xname::system(), x("s0"));
    assert_eq!(
        Xname::system().child(HmsType::Cabinet, 3000).unwrap(),
        x("x3000")
    );
    assert_eq!(Xname::system().child(HmsType::CDU, 1).unwrap(), x("d1"));

    assert_eq!(node.processor(3).unwrap(), x("x1000c0s2b1n0p3"));
    assert_eq!(node.memory(11).unwrap(), x("x1000c0s2b1n0d11"));
    assert_eq!(node.nic(0).unwrap(), x("x1000c0s2b1n0i0"));
    assert_eq!(node.hsn_nic(1).unwrap(), x("x1000c0s2b1n0h1"));
    assert_eq!(node.accel(2).unwrap(), x("x1000c0s2b1n0a2"));
    assert_eq!(x("x1000c0s2b1").nic(3).unwrap(), x("x1000c0s2b1i3"));
    assert_eq!(x("x1000c0").bmc(0).unwrap(), x("x1000c0b0"));
    assert_eq!(x("x1000c0r1").bmc(0).unwrap(), x("x1000c0r1b0"));
    assert_eq!(
        x("x1000c0s0")
            .child(HmsType::NodePowerConnector, 2)
            .unwrap(),
        x("x1000c0s0v2")
    );

    let e = node.processor(4).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"invalid xname "x1000c0s2b1n0p4": processor ordinal 4 out of range 0-3"#
    );
    assert_eq!(
        node.nic(4).unwrap_err().reason(),
        "node NIC ordinal 4 out of range 0-3"
    );
    assert_eq!(
        x("x1000c0").node(0).unwrap_err().to_string(),
        r#"invalid xname "x1000c0": a Chassis has no node child"#
    );
    assert_eq!(
        x("x1000c0").bmc(1).unwrap_err().reason(),
        "chassis BMC ordinal 1 out of range 0-0"
    );
    assert!(cab.slot(0).is_err());
    assert!(x("p1").child(HmsType::Partition, 2).is_err());
    assert_eq!(
        Xname::cabinet(10000).unwrap_err().to_string(),
        r#"invalid xname "x10000": cabinet ordinal 10000 out of range 0-9999"#
    );
    assert_eq!(
        Xname::chassis(1, 8).unwrap_err().reason(),
        "chassis ordinal 8 out of range 0-7"
    );
    assert_eq!(
        Xname::node_at(1, 0, 0, 0, u32::MAX).unwrap().to_string(),
        "x1c0s0b0n4294967295"
    );
}

#[test]
fn type_predicates_delegate() {
    assert!(x("x1000c0s0b0").is_controller());
    assert!(x("x1000c0r0b0").is_controller());
    assert!(x("x1000c0b0").is_controller());
    assert!(x("x3000m0").is_controller());
    assert!(!x("x1000c0s0b0n0").is_controller());
    assert!(!x("x1000b0").is_controller());
    for c in [
        "x1000",
        "x1000c0",
        "x1000c0s0",
        "x1000c0r0",
        "x1000c0s0e0",
        "x1000c0r0e0",
    ] {
        assert!(x(c).is_container(), "{c}");
    }
    assert!(!x("x1000c0s0b0").is_container());
}

#[test]
fn smd_prefix_containment() {
    let contains = |a: &str, b: &str| x(a).smd_prefix_contains(&x(b));
    assert!(contains("x1000c0s0", "x1000c0s0b0n0"));
    assert!(contains("x1000c0s0", "x1000c0s0"));
    assert!(!contains("x1000c0s1", "x1000c0s10b0"));
    assert!(!contains("x1", "x10"));
    assert!(!contains("x1000c0s0b0n0", "x1000c0s0"));
    assert!(contains("d1", "d1w2"));
    assert!(contains("x1000c0s0b0", "x1000c0s0b0f0"));
    // `.` is not a letter, so a partition does not contain its minor partitions.
    assert!(!contains("p1", "p1.2"));
    for any in ["s0", "all"] {
        for other in ["p1", "x1000c0s0b0n0", "d1w2", "all_svc", "sms3"] {
            assert!(contains(any, other), "{any} {other}");
        }
    }
    assert!(!contains("all_comp", "x1000"));
}

#[test]
fn hms_type_names_and_serde() {
    assert_eq!("node".parse::<HmsType>().unwrap(), HmsType::Node);
    assert_eq!("NODEBMC".parse::<HmsType>().unwrap(), HmsType::NodeBMC);
    assert_eq!("hmstypeall".parse::<HmsType>().unwrap(), HmsType::All);
    assert_eq!(
        "HMSTypeAllComp".parse::<HmsType>().unwrap(),
        HmsType::AllComp
    );
    assert_eq!("hmstypeallsvc".parse::<HmsType>().unwrap(), HmsType::AllSvc);
    assert_eq!("smsbox".parse::<HmsType>().unwrap(), HmsType::SMSBox);
    let e = "Nodes".parse::<HmsType>().unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"invalid HMS type "Nodes": not a known type name"#
    );
    assert_eq!(e.input(), "Nodes");
    assert!("INVALID".parse::<HmsType>().is_err());
    assert!(" Node".parse::<HmsType>().is_err());

    assert_eq!(
        HmsType::CabinetPDUController.to_string(),
        "CabinetPDUController"
    );
    assert_eq!(HmsType::AllComp.as_str(), "AllComp");
    assert_eq!(
        serde_json::to_string(&HmsType::SMSBox).unwrap(),
        r#""SMSBox""#
    );
    assert_eq!(
        serde_json::from_str::<HmsType>(r#""computemodule""#).unwrap(),
        HmsType::ComputeModule
    );
    assert!(serde_json::from_str::<HmsType>(r#""Blade""#).is_err());
    for t in HmsType::ALL {
        let json = serde_json::to_string(t).unwrap();
        assert_eq!(json, format!("\"{}\"", t.as_str()));
        assert_eq!(serde_json::from_str::<HmsType>(&json).unwrap(), *t);
    }

    let controllers: Vec<_> = HmsType::ALL.iter().filter(|t| t.is_controller()).collect();
    assert_eq!(
        controllers,
        [
            &HmsType::CabinetPDUController,
            &HmsType::ChassisBMC,
            &HmsType::NodeBMC,
            &HmsType::RouterBMC
        ]
    );
    let with_systems: Vec<_> = HmsType::ALL
        .iter()
        .filter(|t| t.controller_has_systems())
        .collect();
    assert_eq!(with_systems, [&HmsType::NodeBMC]);
    assert_eq!(HmsType::ALL.iter().filter(|t| t.is_container()).count(), 6);
    assert_eq!(HmsType::Node.parent(), Some(HmsType::NodeBMC));
    assert_eq!(HmsType::StorageGroup.parent(), Some(HmsType::Node));
    assert_eq!(HmsType::CDU.parent(), Some(HmsType::System));
    assert_eq!(HmsType::System.parent(), None);
}

// ---- property tests ----

/// Valid xnames of several types from random in-range ordinals: (string, type).
fn valid_xname() -> impl Strategy<Value = (String, HmsType)> {
    let cab = 0..=9999u32;
    let ch = 0..=7u32;
    let any = any::<u32>;
    prop_oneof![
        cab.clone()
            .prop_map(|x| (format!("x{x}"), HmsType::Cabinet)),
        (cab.clone(), ch.clone()).prop_map(|(x, c)| (format!("x{x}c{c}"), HmsType::Chassis)),
        (cab.clone(), ch.clone(), any())
            .prop_map(|(x, c, s)| (format!("x{x}c{c}s{s}"), HmsType::ComputeModule)),
        (cab.clone(), ch.clone(), any(), any())
            .prop_map(|(x, c, s, b)| (format!("x{x}c{c}s{s}b{b}"), HmsType::NodeBMC)),
        (cab.clone(), ch.clone(), any(), any(), any())
            .prop_map(|(x, c, s, b, n)| (format!("x{x}c{c}s{s}b{b}n{n}"), HmsType::Node)),
        (cab.clone(), ch.clone(), any(), any(), any(), 0..=3u32).prop_map(|(x, c, s, b, n, p)| (
            format!("x{x}c{c}s{s}b{b}n{n}p{p}"),
            HmsType::Processor
        )),
        (cab.clone(), ch.clone(), any(), any(), any(), any(), any()).prop_map(
            |(x, c, s, b, n, g, k)| (format!("x{x}c{c}s{s}b{b}n{n}g{g}k{k}"), HmsType::Drive)
        ),
        (
            cab.clone(),
            ch.clone(),
            0..=64u32,
            0..=3u32,
            0..=3u32,
            0..=3u32
        )
            .prop_map(|(x, c, s, b, n, h)| (
                format!("x{x}c{c}s{s}b{b}n{n}h{h}"),
                HmsType::NodeHsnNic
            )),
        (cab.clone(), ch.clone(), any(), 1..=2u32)
            .prop_map(|(x, c, s, v)| (format!("x{x}c{c}s{s}v{v}"), HmsType::NodePowerConnector)),
        (cab.clone(), ch.clone(), any(), any())
            .prop_map(|(x, c, r, b)| (format!("x{x}c{c}r{r}b{b}"), HmsType::RouterBMC)),
        (cab.clone(), ch.clone(), any(), 1..=u32::MAX, 0..=2u32).prop_map(|(x, c, r, j, p)| (
            format!("x{x}c{c}r{r}j{j}p{p}"),
            HmsType::HSNConnectorPort
        )),
        (cab.clone(), 0..=3u32, 0..=7u32, 1..=u32::MAX)
            .prop_map(|(x, m, p, j)| (format!("x{x}m{m}p{p}j{j}"), HmsType::CabinetPDUOutlet)),
        (cab.clone(), ch.clone(), 1..=u32::MAX, 1..=9u32)
            .prop_map(|(x, c, h, s)| (format!("x{x}c{c}h{h}s{s}"), HmsType::MgmtHLSwitch)),
        (any(), any()).prop_map(|(d, w)| (format!("d{d}w{w}"), HmsType::CDUMgmtSwitch)),
        (any(), any()).prop_map(|(p, q)| (format!("p{p}.{q}"), HmsType::Partition)),
        any().prop_map(|n| (format!("sms{n}"), HmsType::SMSBox)),
        Just(("s0".to_owned(), HmsType::System)),
    ]
}

/// Small ordinals from one family, so that pairs often share prefixes (for Ord).
fn small_xname() -> impl Strategy<Value = Xname> {
    let node = (
        0..3u32,
        0..3u32,
        0..12u32,
        0..2u32,
        0..2u32,
        0..4u32,
        0..=6usize,
    )
        .prop_map(|(x, c, s, b, n, p, depth)| {
            let parts = [("x", x), ("c", c), ("s", s), ("b", b), ("n", n), ("p", p)];
            let text: String = parts[..depth.max(1)]
                .iter()
                .map(|(l, v)| format!("{l}{v}"))
                .collect();
            text.parse::<Xname>().unwrap()
        });
    prop_oneof![4 => node, 1 => valid_xname().prop_map(|(s, _)| s.parse::<Xname>().unwrap())]
}

/// SMD's normalization, written the obvious way: lower-case, strip leading zeros.
fn reference_normalize(s: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    for c in s.trim().chars().chain(std::iter::once('\u{0}')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            let t = digits.trim_start_matches('0');
            out.push_str(if t.is_empty() { "0" } else { t });
            digits.clear();
        }
        if c != '\u{0}' {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Natural order, written the obvious way: split into (letters, number) segments.
fn reference_cmp(a: &str, b: &str) -> Ordering {
    fn segments(s: &str) -> Vec<(String, Option<u64>)> {
        let mut out: Vec<(String, Option<u64>)> = Vec::new();
        let mut letters = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_ascii_digit() {
                let mut n = u64::from(c.to_digit(10).unwrap());
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    n = n * 10 + u64::from(d);
                    chars.next();
                }
                out.push((std::mem::take(&mut letters), Some(n)));
            } else {
                letters.push(c);
            }
        }
        if !letters.is_empty() {
            out.push((letters, None));
        }
        out
    }
    segments(a).cmp(&segments(b))
}

/// Pads every digit run with 0-3 leading zeros and flips the case of random letters.
fn disguise(s: &str, seed: &[u8]) -> String {
    let mut out = String::new();
    let mut prev_digit = false;
    for (i, c) in s.chars().enumerate() {
        let r = seed[i % seed.len()];
        if c.is_ascii_digit() && !prev_digit {
            out.extend(std::iter::repeat_n('0', usize::from(r % 4)));
        }
        prev_digit = c.is_ascii_digit();
        out.push(if r & 4 != 0 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    let pad = [" ", "\t", "", "\n "][usize::from(seed[0] % 4)];
    format!("{pad}{out}{pad}")
}

proptest! {
    #[test]
    fn prop_valid_round_trip((s, ty) in valid_xname(), seed in prop::collection::vec(any::<u8>(), 1..16)) {
        let v: Xname = s.parse().unwrap();
        prop_assert_eq!(v.hms_type(), ty);
        prop_assert_eq!(v.to_string(), s.clone());
        prop_assert_eq!(s.to_uppercase().parse::<Xname>().unwrap(), v);
        let disguised = disguise(&s, &seed);
        prop_assert_eq!(disguised.parse::<Xname>().unwrap(), v, "{:?}", disguised);
        prop_assert_eq!(Xname::from_parts(ty, v.ordinals()).unwrap(), v);
        let json = serde_json::to_string(&v).unwrap();
        prop_assert_eq!(serde_json::from_str::<Xname>(&json).unwrap(), v);
        if let Some(p) = v.parent() {
            prop_assert!(p.is_ancestor_of(&v));
            prop_assert!(p.smd_prefix_contains(&v));
            prop_assert!(p < v);
        }
    }

    #[test]
    fn prop_arbitrary_strings_never_panic(s in any::<String>()) {
        if let Ok(v) = s.parse::<Xname>() {
            prop_assert_eq!(v.to_string(), reference_normalize(&s));
        }
    }

    #[test]
    fn prop_arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        let s: String = bytes.iter().map(|&b| char::from(b)).collect();
        if let Ok(v) = s.parse::<Xname>() {
            prop_assert_eq!(v.to_string(), reference_normalize(&s));
        }
    }

    #[test]
    fn prop_alphabet_strings(s in "[xcsbnpdmijvwheafrtgklS0123456789.]{0,24}") {
        match s.parse::<Xname>() {
            Ok(v) => {
                let normal = v.to_string();
                prop_assert_eq!(&normal, &reference_normalize(&s));
                prop_assert_eq!(normal.parse::<Xname>().unwrap(), v);
            }
            Err(e) => {
                prop_assert_eq!(e.input(), s.as_str());
                prop_assert!(!e.reason().is_empty());
            }
        }
    }

    #[test]
    fn prop_order_matches_reference(a in small_xname(), b in small_xname()) {
        let (sa, sb) = (a.to_string(), b.to_string());
        let expected = reference_cmp(&sa, &sb);
        prop_assert_eq!(a.cmp(&b), expected, "{} vs {}", sa, sb);
        prop_assert_eq!(a == b, expected == Ordering::Equal);
        prop_assert_eq!(b.cmp(&a), expected.reverse());
    }
}
