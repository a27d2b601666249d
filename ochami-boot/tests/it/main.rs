//! Behaviour tests of ochami-boot against the in-memory store: exact bootscript text,
//! resolution precedence, injection refusal, cloud-init documents, DHCP exchanges, and
//! garbage input (property tests).

mod cloud_init;
mod configurations;
mod dhcp;
mod garbage;
mod injection;
mod resolve;
mod script;

use std::sync::Arc;

use ochami_core::{BootParams, Component, EthernetInterface, Role, State, Xname};
use ochami_store::Store;

/// The chain URL of BSS's default configuration.
pub(crate) const CHAIN: &str = "https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript";

pub(crate) async fn store() -> Arc<dyn Store> {
    ochami_store::open("memory:")
        .await
        .expect("the memory backend is compiled in")
}

pub(crate) fn x(s: &str) -> Xname {
    s.parse().expect("test xname")
}

/// A present node with an optional NID and role, and one interface per `(mac, ip)`.
pub(crate) async fn add_node(
    store: &dyn Store,
    id: &str,
    nid: Option<i64>,
    role: Option<Role>,
    ifaces: &[(&str, &str)],
) {
    let mut c = Component::new(x(id)).with_state(State::Ready);
    c.nid = nid;
    c.role = role;
    store
        .upsert_components(&[c], false)
        .await
        .expect("component stored");
    for (mac, ip) in ifaces {
        let ips = (!ip.is_empty()).then(|| ip.to_string());
        let iface = EthernetInterface::new(mac.parse().expect("test mac"), Some(x(id)), ips);
        store
            .insert_ethernet_interface(&iface)
            .await
            .expect("interface stored");
    }
}

/// Boot parameters for `hosts` (xnames or tags).
pub(crate) fn params(hosts: &[&str], kernel: &str, initrd: &str, params: &str) -> BootParams {
    BootParams {
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        kernel: kernel.into(),
        initrd: initrd.into(),
        params: params.into(),
        ..BootParams::default()
    }
}
