//! DHCP over real sockets: busybox `udhcpc` in one namespace gets its reserved address from
//! `ochami serve --dhcp-interface` in another, over a veth pair; an unknown MAC gets a pool
//! address and is recorded in the inventory as an interface without a component.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use ochami_core::MacAddr;

use super::host::{Netns, Server, missing_program, seed_store, skip};

const XNAME: &str = "x3000c0s2b0n0";
const MAC: &str = "52:54:00:98:00:07";
const UNKNOWN_MAC: &str = "52:54:00:98:00:99";
const NODE_IP: &str = "10.98.0.7";
const SERVER_IP: &str = "10.98.0.1";

/// udhcpc's event script: print the lease as one line.
const SCRIPT: &str = "#!/bin/sh\n[ \"$1\" = bound ] && echo \"LEASE ip=$ip mask=$mask hostname=$hostname server=$serverid lease=$lease\"\nexit 0\n";

/// `udhcpc` on `iface` in `ns`: one exchange, then exit; its LEASE line.
async fn udhcpc(ns: &Netns, iface: &str, script: &Path) -> String {
    let out = ns
        .command("busybox")
        .args([
            "udhcpc", "-i", iface, "-f", "-q", "-n", "-t", "5", "-T", "2", "-s",
        ])
        .arg(script)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .expect("udhcpc finishes within 60 s")
        .expect("run udhcpc");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("LEASE "))
        .map(str::to_owned)
        .unwrap_or_else(|| {
            panic!(
                "udhcpc got no lease:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udhcpc_gets_the_reserved_address() {
    if let Some(p) = missing_program(&["ip", "busybox"]) {
        skip(&format!("{p} is not installed"));
        return;
    }
    let (server_ns, client_ns) = match (Netns::new("dhcps"), Netns::new("dhcpc")) {
        (Ok(s), Ok(c)) => (s, c),
        (Err(e), _) | (_, Err(e)) => {
            skip(&e);
            return;
        }
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ochami.db");
    let store = seed_store(&db, XNAME, 7, MAC, NODE_IP, None).await;
    let script = dir.path().join("udhcpc.sh");
    std::fs::write(&script, SCRIPT).expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    // veth-s (server, 10.98.0.1/24) <-> veth-c (client, no address, the node's MAC).
    server_ns.ip(&[
        "link",
        "add",
        "veth-s",
        "type",
        "veth",
        "peer",
        "name",
        "veth-c",
        "netns",
        &client_ns.name,
    ]);
    server_ns.ip(&["addr", "add", &format!("{SERVER_IP}/24"), "dev", "veth-s"]);
    server_ns.ip(&["link", "set", "veth-s", "up"]);
    client_ns.ip(&["link", "set", "veth-c", "address", MAC]);
    client_ns.ip(&["link", "set", "veth-c", "up"]);

    let args: Vec<String> = [
        "--listen",
        &format!("{SERVER_IP}:27779"),
        "--insecure-no-auth",
        "--store",
        &store,
        "--dhcp-interface",
        "veth-s",
        "--dhcp-server-ip",
        SERVER_IP,
        "--dhcp-lease-time",
        "900",
        "--dhcp-pool",
        "10.98.0.200-10.98.0.210",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let server = Server::start(&server_ns, &args, &dir.path().join("server.log")).await;

    let lease = udhcpc(&client_ns, "veth-c", &script).await;
    assert_eq!(
        lease,
        format!("ip={NODE_IP} mask=24 hostname={XNAME} server={SERVER_IP} lease=900"),
        "{}",
        server.log_text()
    );

    // The same client under a MAC the inventory does not know: a pool address, a short
    // lease, no host name; the MAC is recorded.
    client_ns.ip(&["link", "set", "veth-c", "address", UNKNOWN_MAC]);
    let lease = udhcpc(&client_ns, "veth-c", &script).await;
    assert_eq!(
        lease,
        format!("ip=10.98.0.200 mask=24 hostname= server={SERVER_IP} lease=300"),
        "{}",
        server.log_text()
    );
    let store = ochami_store::open(&store).await.expect("open store");
    let mac: MacAddr = UNKNOWN_MAC.parse().expect("mac");
    let recorded = store
        .get_ethernet_interface(&mac)
        .await
        .expect("read")
        .expect("the unknown MAC is recorded");
    assert_eq!(recorded.component_id, None);
    assert_eq!(recorded.ip_addresses[0].ip_address, "10.98.0.200");
}
