//! Generated OpenCHAMI nodes.yaml files (`ochami discover static`) of any size, for tests
//! and benches, with the identities of each node computable from its index.
//!
//! Node `k` (0-based) sits on BMC `k / 4` as its node `k % 4`; BMC `b` is
//! `x{1000 + b / 32}c0s{b % 32}b0`. Node `k` has NID `k + 1`, name `nid{k+1:05}`, groups
//! `compute` and `rack{b / 32}`, and one interface with MAC [`node_mac`] and two addresses,
//! on `NMN` and `HSN` ([`node_ips`]).

/// Nodes per BMC.
pub const NODES_PER_BMC: usize = 4;

/// The xname of BMC `b`.
pub fn bmc_xname(b: usize) -> String {
    format!("x{}c0s{}b0", 1000 + b / 32, b % 32)
}

/// The xname of node `k`.
pub fn node_xname(k: usize) -> String {
    format!("{}n{}", bmc_xname(k / NODES_PER_BMC), k % NODES_PER_BMC)
}

/// The MAC of BMC `b`.
pub fn bmc_mac(b: usize) -> String {
    format!(
        "02:aa:00:{:02x}:{:02x}:{:02x}",
        b >> 16,
        (b >> 8) & 0xff,
        b & 0xff
    )
}

/// The MAC of node `k`'s interface.
pub fn node_mac(k: usize) -> String {
    format!(
        "02:bb:00:{:02x}:{:02x}:{:02x}",
        k >> 16,
        (k >> 8) & 0xff,
        k & 0xff
    )
}

/// The IP of BMC `b`.
pub fn bmc_ip(b: usize) -> String {
    format!("10.0.{}.{}", b / 250, b % 250 + 1)
}

/// Node `k`'s addresses: `(network, ip)` on NMN and HSN.
pub fn node_ips(k: usize) -> [(&'static str, String); 2] {
    let (hi, lo) = (k / 250, k % 250 + 1);
    [
        ("NMN", format!("10.1.{}.{lo}", hi % 256)),
        ("HSN", format!("10.{}.{}.{lo}", 2 + hi / 256, hi % 256)),
    ]
}

/// A nodes.yaml with `nodes` nodes (rounded up to whole BMCs of [`NODES_PER_BMC`]).
pub fn generate(nodes: usize) -> String {
    let bmcs = nodes.div_ceil(NODES_PER_BMC);
    let mut t = String::with_capacity(64 + bmcs * 90 + nodes * 220);
    t.push_str("bmcs:\n");
    for b in 0..bmcs {
        t.push_str(&format!(
            "  - {{name: bmc{b:05}, xname: {}, mac: \"{}\", ip: {}}}\n",
            bmc_xname(b),
            bmc_mac(b),
            bmc_ip(b)
        ));
    }
    t.push_str("nodes:\n");
    for k in 0..bmcs * NODES_PER_BMC {
        let [(n1, ip1), (n2, ip2)] = node_ips(k);
        t.push_str(&format!(
            "  - name: nid{:05}\n    nid: {}\n    xname: {}\n    bmc: bmc{:05}\n    groups: [compute, rack{}]\n    interfaces:\n      - mac_addr: \"{}\"\n        ip_addrs: [{{name: {n1}, ip_addr: {ip1}}}, {{name: {n2}, ip_addr: {ip2}}}]\n",
            k + 1,
            k + 1,
            node_xname(k),
            k / NODES_PER_BMC,
            k / NODES_PER_BMC / 32,
            node_mac(k),
        ));
    }
    t
}
