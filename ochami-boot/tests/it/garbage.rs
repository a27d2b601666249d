//! Arbitrary bytes never panic the DHCP decoder, the DHCP decisions or the TFTP parsers,
//! and no file name resolves outside the TFTP root.

use std::net::Ipv4Addr;
use std::path::Path;

use ochami_boot::dhcp::{
    Answer, DhcpConfig, DhcpDrop, DhcpRequest, LeasePool, MAX_REQUEST_LEN, Reservation, answer,
};
use ochami_boot::tftp::{ClientPacket, ReadRequest, negotiate, resolve_path};
use proptest::prelude::*;

/// A BOOTREQUEST header (Ethernet, 6-byte chaddr) with the magic cookie, then `options`.
fn with_header(options: &[u8]) -> Vec<u8> {
    let mut p = vec![0u8; 240];
    p[..4].copy_from_slice(&[1, 1, 6, 0]);
    p[28..34].copy_from_slice(&[0x52, 0x54, 0, 1, 2, 3]);
    p[236..240].copy_from_slice(&[99, 130, 83, 99]);
    p.extend_from_slice(options);
    p
}

/// Decode and, when the packet is accepted, answer it as a known node and as an unknown
/// MAC with a pool, then encode every reply.
fn exercise(bytes: &[u8]) -> Result<(), DhcpDrop> {
    let req = DhcpRequest::decode(bytes)?;
    let config = DhcpConfig::new(
        Ipv4Addr::new(10, 0, 0, 1),
        Ipv4Addr::new(255, 255, 255, 0),
        "http://10.0.0.1:27778",
    );
    let known = Reservation {
        ip: Ipv4Addr::new(10, 0, 0, 5),
        xname: "x1000c0s0b0n0".parse().expect("xname"),
        hostname: "x1000c0s0b0n0".into(),
    };
    let mut pool = LeasePool::new("10.0.0.100-10.0.0.103".parse().expect("range"), 300);
    for a in [
        answer(&req, Some(&known), None, &config, 5),
        answer(&req, None, Some(&mut pool), &config, 5),
        answer(&req, None, None, &config, 5),
    ] {
        if let Answer::Reply(r) = a {
            r.encode().expect("every reply encodes");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn random_datagrams_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1600)) {
        let r = exercise(&bytes);
        if bytes.len() > MAX_REQUEST_LEN {
            prop_assert_eq!(r, Err(DhcpDrop::Oversized));
        }
    }

    #[test]
    fn random_options_never_panic(opts in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = exercise(&with_header(&opts));
    }

    /// Options with plausible codes and lengths, some deliberately wrong.
    #[test]
    fn structured_options_never_panic(
        opts in proptest::collection::vec(
            (prop_oneof![Just(53u8), Just(50), Just(54), Just(61), Just(77), Just(80), Just(81),
                         Just(82), Just(93), Just(94), Just(97), Just(119), Just(121), Just(151),
                         Just(152), Just(175), any::<u8>()],
             proptest::collection::vec(any::<u8>(), 0..20)),
            0..12),
        kind in 1u8..=18,
    ) {
        let mut bytes = vec![53, 1, kind];
        for (code, data) in opts {
            bytes.push(code);
            bytes.push(u8::try_from(data.len()).expect("short"));
            bytes.extend_from_slice(&data);
        }
        bytes.push(255);
        let _ = exercise(&with_header(&bytes));
    }

    #[test]
    fn tftp_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
        if let Ok(rrq) = ReadRequest::parse(&bytes) {
            let _ = negotiate(&rrq.options, Some(1 << 20), 1468);
            let _ = resolve_path(Path::new("/srv/tftp"), &rrq.filename);
        }
        let _ = ClientPacket::parse(&bytes);
    }

    #[test]
    fn no_name_resolves_outside_the_root(name in "[a-z./\\\\:]{0,24}") {
        let root = Path::new("/srv/tftp");
        if let Ok(p) = resolve_path(root, &name) {
            prop_assert!(p.starts_with(root));
            prop_assert!(p.components().all(|c| !matches!(c, std::path::Component::ParentDir)));
            prop_assert!(p != root);
        }
    }
}

#[test]
fn truncated_packets_are_malformed() {
    let full = with_header(&[53, 1, 1, 255]);
    assert!(DhcpRequest::decode(&full).is_ok());
    for len in [0, 1, 100, 239] {
        assert_eq!(DhcpRequest::decode(&full[..len]), Err(DhcpDrop::Malformed));
    }
    // An option whose length runs past the end.
    assert_eq!(
        DhcpRequest::decode(&with_header(&[53, 1, 1, 12, 40, b'a'])),
        Err(DhcpDrop::Malformed)
    );
    // Wrong magic cookie.
    let mut bad = full.clone();
    bad[236] = 0;
    assert_eq!(DhcpRequest::decode(&bad), Err(DhcpDrop::Malformed));
    // A reply, non-Ethernet hardware, no message type.
    let mut reply = full.clone();
    reply[0] = 2;
    assert_eq!(DhcpRequest::decode(&reply), Err(DhcpDrop::NotARequest));
    let mut ib = full.clone();
    ib[1] = 32;
    assert_eq!(DhcpRequest::decode(&ib), Err(DhcpDrop::NotEthernet));
    assert_eq!(
        DhcpRequest::decode(&with_header(&[255])),
        Err(DhcpDrop::NoMessageType)
    );
    // Unknown option codes and an unknown message type value are not errors of the decoder.
    let odd = with_header(&[53, 1, 1, 250, 2, 1, 2, 255]);
    assert!(DhcpRequest::decode(&odd).is_ok());
}
