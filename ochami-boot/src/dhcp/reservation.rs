//! Known nodes: the address SMD's inventory reserves for a MAC, read through a
//! [`BootSource`] on every request (no cache, so a change in the store applies to the next
//! packet, also across server replicas sharing one database).

use std::net::{IpAddr, Ipv4Addr};

use ochami_core::{EthernetInterface, MacAddr, Xname};

use crate::{BootSource, Result};

/// What the inventory holds for a MAC: its address and host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// The reserved address.
    pub ip: Ipv4Addr,
    /// The component the interface belongs to.
    pub xname: Xname,
    /// The host name sent in option 12: the xname.
    pub hostname: String,
}

/// The reservation for `mac`: the ethernet interface with that MAC must name a component
/// that exists and hold an IPv4 address. Its first IPv4 address is used, or, when `subnet`
/// is given (the relay's or the server interface's network, as address and mask), its first
/// IPv4 address inside that subnet. `None` for an unknown MAC.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use ochami_core::{Component, EthernetInterface, State};
/// let store = ochami_store::open("memory:").await?;
/// let x = "x1000c0s0b0n0".parse()?;
/// let mac = "aa:bb:cc:dd:ee:01".parse()?;
/// store.upsert_components(&[Component::new(x).with_state(State::Ready)], false).await?;
/// store.insert_ethernet_interface(&EthernetInterface::new(mac, Some(x),
///     ["fd00::5".to_owned(), "10.1.0.5".to_owned(), "10.0.0.5".to_owned()])).await?;
/// let r = ochami_boot::dhcp::reservation(&*store, mac, None).await?.unwrap();
/// assert_eq!((r.ip.to_string(), r.hostname), ("10.1.0.5".to_owned(), "x1000c0s0b0n0".to_owned()));
/// let net = Some(("10.0.0.1".parse()?, "255.255.255.0".parse()?));
/// assert_eq!(ochami_boot::dhcp::reservation(&*store, mac, net).await?.unwrap().ip.to_string(), "10.0.0.5");
/// assert_eq!(ochami_boot::dhcp::reservation(&*store, "aa:bb:cc:dd:ee:02".parse()?, None).await?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub async fn reservation(
    source: &(impl BootSource + ?Sized),
    mac: MacAddr,
    subnet: Option<(Ipv4Addr, Ipv4Addr)>,
) -> Result<Option<Reservation>> {
    let Some(iface) = source.interface(&mac).await? else {
        return Ok(None);
    };
    let (Some(xname), Some(ip)) = (iface.component_id, reserved_ip(&iface, subnet)) else {
        return Ok(None);
    };
    if source.component(&xname).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(Reservation {
        ip,
        xname,
        hostname: xname.to_string(),
    }))
}

/// The interface's first IPv4 address, within `subnet` when given.
pub fn reserved_ip(
    iface: &EthernetInterface,
    subnet: Option<(Ipv4Addr, Ipv4Addr)>,
) -> Option<Ipv4Addr> {
    let mut v4 = iface
        .ip_addresses
        .iter()
        .filter_map(|e| match e.ip_address.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) => Some(ip),
            _ => None,
        });
    match subnet {
        None => v4.next(),
        Some((net, mask)) => v4.find(|ip| same_subnet(*ip, net, mask)),
    }
}

/// Whether `a` and `b` are in the same subnet under `mask`.
pub fn same_subnet(a: Ipv4Addr, b: Ipv4Addr, mask: Ipv4Addr) -> bool {
    let m = u32::from(mask);
    u32::from(a) & m == u32::from(b) & m
}

/// The inventory record of an unknown MAC seen by the DHCP server: an ethernet interface
/// without a component, its description saying so, `LastUpdate` = `seen` (RFC 3339, the
/// caller's clock) and the pool address it was given, if any. An admin finds these with
/// `GET /hsm/v2/Inventory/EthernetInterfaces?ComponentID=` and assigns them.
pub fn unknown_interface(mac: MacAddr, ip: Option<Ipv4Addr>, seen: &str) -> EthernetInterface {
    let mut iface = EthernetInterface::new(mac, None, ip.map(|ip| ip.to_string()));
    iface.description = UNKNOWN_DESCRIPTION.to_owned();
    iface.last_update = seen.to_owned();
    iface
}

/// The description of interfaces recorded by [`unknown_interface`].
pub const UNKNOWN_DESCRIPTION: &str = "unknown MAC seen by DHCP";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets() {
        let mask: Ipv4Addr = "255.255.255.0".parse().unwrap();
        assert!(same_subnet(
            "10.0.0.1".parse().unwrap(),
            "10.0.0.200".parse().unwrap(),
            mask
        ));
        assert!(!same_subnet(
            "10.0.1.1".parse().unwrap(),
            "10.0.0.200".parse().unwrap(),
            mask
        ));
    }

    #[test]
    fn unknown_interfaces_have_no_component() {
        let mac = MacAddr::new([2, 0, 0, 0, 0, 1]);
        let i = unknown_interface(mac, "10.0.0.9".parse().ok(), "2026-01-01T00:00:00Z");
        assert_eq!(i.component_id, None);
        assert_eq!(i.id, "020000000001");
        assert_eq!(i.ip_addresses[0].ip_address, "10.0.0.9");
        assert_eq!(i.last_update, "2026-01-01T00:00:00Z");
        assert_eq!(i.description, UNKNOWN_DESCRIPTION);
    }
}
