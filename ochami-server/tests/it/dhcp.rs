//! The DHCP server's socket loop under bad input: truncated, malformed, oversized and
//! non-request datagrams are dropped and counted by reason, never a panic, and the server
//! keeps answering afterwards. Binds to `lo` (`SO_BINDTODEVICE` needs root or
//! `CAP_NET_RAW`); without it the test prints a notice and skips, under `CI=true` it fails.

use std::net::SocketAddr;
use std::time::Duration;

use ochami_boot::dhcp::{DhcpConfig, DhcpDrop, Silence};
use ochami_server::dhcp::{DhcpServer, DhcpServerConfig};
use tokio::net::UdpSocket;

/// A DISCOVER as a PXE client sends it: BOOTREQUEST, Ethernet, `mac`, the magic cookie,
/// option 53 = 1.
fn discover(mac: [u8; 6]) -> Vec<u8> {
    let mut p = vec![0u8; 240];
    p[..4].copy_from_slice(&[1, 1, 6, 0]);
    p[4..8].copy_from_slice(&[0x12, 0x34, 0x56, 0x78]);
    p[28..34].copy_from_slice(&mac);
    p[236..240].copy_from_slice(&[99, 130, 83, 99]);
    p.extend_from_slice(&[53, 1, 1, 255]);
    p
}

#[tokio::test]
async fn bad_datagrams_are_dropped_and_counted() {
    let config = DhcpServerConfig {
        interface: "lo".into(),
        listen: "127.0.0.1:0".parse().expect("addr"),
        reply: DhcpConfig::new(
            "127.0.0.1".parse().expect("ip"),
            "255.0.0.0".parse().expect("mask"),
            "http://127.0.0.1:27779",
        ),
        pool: None,
        pool_lease_secs: 300,
    };
    let store = ochami_store::open("memory:").await.expect("store");
    let server = match DhcpServer::bind(config, store).await {
        Ok(s) => s,
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but the DHCP server cannot bind to lo: {e}"
            );
            eprintln!("notice: skipping: cannot bind a DHCP socket to lo (root needed): {e}");
            return;
        }
    };
    let addr: SocketAddr = server.local_addr().expect("addr");
    let counters = server.counters();
    let task = tokio::spawn(server.run());

    let valid = discover([2, 0, 0, 0, 0, 1]);
    let mut wrong_magic = valid.clone();
    wrong_magic[236] = 0;
    let mut reply = valid.clone();
    reply[0] = 2;
    let mut infiniband = valid.clone();
    infiniband[1] = 32;
    let mut bad_option = valid[..240].to_vec();
    bad_option.extend_from_slice(&[53, 1, 1, 12, 200, b'x']);
    let no_type = {
        let mut p = valid[..240].to_vec();
        p.push(255);
        p
    };
    let datagrams: Vec<Vec<u8>> = vec![
        vec![],
        vec![1, 1, 6],
        valid[..239].to_vec(),
        wrong_magic,
        bad_option,
        vec![0xAB; 1473],
        vec![0; 9000],
        reply,
        infiniband,
        no_type,
        // Well-formed, from a MAC nobody knows and no pool: silence, counted too.
        valid,
    ];
    let client = UdpSocket::bind("127.0.0.1:0").await.expect("client");
    for d in &datagrams {
        client.send_to(d, addr).await.expect("send");
    }
    let expected = u64::try_from(datagrams.len()).expect("count");
    for _ in 0..100 {
        if counters.received() == expected && counters.silent(Silence::UnknownClient) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(counters.received(), expected);
    assert_eq!(counters.dropped(DhcpDrop::Malformed), 5);
    assert_eq!(counters.dropped(DhcpDrop::Oversized), 2);
    assert_eq!(counters.dropped(DhcpDrop::NotARequest), 1);
    assert_eq!(counters.dropped(DhcpDrop::NotEthernet), 1);
    assert_eq!(counters.dropped(DhcpDrop::NoMessageType), 1);
    assert_eq!(counters.silent(Silence::UnknownClient), 1);
    assert_eq!(counters.replied(), 0);
    assert!(!task.is_finished(), "the server loop is still running");
    task.abort();
}
