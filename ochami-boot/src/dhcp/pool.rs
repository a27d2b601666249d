//! The dynamic pool for MACs the inventory does not know: short leases, so an unknown
//! machine can netboot the unknown-node (or discovery) script until an admin adds it.
//!
//! The pool is the state of one DHCP server, kept in memory: a restart forgets it, and
//! clients simply get a fresh address (leases are short). Give each DHCP server on a segment
//! its own range, outside every address the inventory reserves. Time is passed in (Unix
//! seconds), so every rule here is tested without a clock.

use std::collections::HashMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use ochami_core::MacAddr;

use crate::{BootError, Result};

/// How long an offered address is held for the client's REQUEST, in seconds.
pub const OFFER_HOLD_SECS: u64 = 60;

/// How long a declined address (another host answered ARP for it) stays out of use.
pub const DECLINE_HOLD_SECS: u64 = 600;

/// An inclusive range of IPv4 addresses, written `START-END`
/// (`10.0.0.100-10.0.0.199`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolRange {
    start: Ipv4Addr,
    end: Ipv4Addr,
}

impl PoolRange {
    /// The range from `start` to `end`, both included; an error when `end` < `start`.
    pub fn new(start: Ipv4Addr, end: Ipv4Addr) -> Result<Self> {
        if u32::from(end) < u32::from(start) {
            return Err(BootError::param(
                "dhcp-pool",
                &format!("{start}-{end}"),
                "the end address is before the start address",
            ));
        }
        Ok(PoolRange { start, end })
    }

    /// The first address.
    pub fn start(&self) -> Ipv4Addr {
        self.start
    }

    /// The last address.
    pub fn end(&self) -> Ipv4Addr {
        self.end
    }

    /// Whether `ip` is in the range.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        (u32::from(self.start)..=u32::from(self.end)).contains(&u32::from(ip))
    }

    /// The number of addresses.
    pub fn len(&self) -> u64 {
        u64::from(u32::from(self.end)) - u64::from(u32::from(self.start)) + 1
    }

    /// Never true: a range holds at least one address.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl FromStr for PoolRange {
    type Err = BootError;

    /// ```
    /// use ochami_boot::dhcp::PoolRange;
    /// let r: PoolRange = "10.0.0.100-10.0.0.199".parse()?;
    /// assert_eq!(r.len(), 100);
    /// assert!("10.0.0.9-10.0.0.1".parse::<PoolRange>().is_err());
    /// assert!("10.0.0.1".parse::<PoolRange>().is_err());
    /// # Ok::<(), ochami_boot::BootError>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let bad = |reason: &str| BootError::param("dhcp-pool", s, reason);
        let (start, end) = s
            .split_once('-')
            .ok_or_else(|| bad("expected START-END, e.g. 10.0.0.100-10.0.0.199"))?;
        let start = start
            .trim()
            .parse()
            .map_err(|_| bad("the start is not an IPv4 address"))?;
        let end = end
            .trim()
            .parse()
            .map_err(|_| bad("the end is not an IPv4 address"))?;
        PoolRange::new(start, end)
    }
}

impl fmt::Display for PoolRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lease {
    ip: Ipv4Addr,
    expires: u64,
    bound: bool,
}

/// Leases of the dynamic pool: an address per MAC, offered, then bound by REQUEST.
#[derive(Debug, Clone)]
pub struct LeasePool {
    range: PoolRange,
    lease_secs: u32,
    by_mac: HashMap<MacAddr, Lease>,
    by_ip: HashMap<Ipv4Addr, MacAddr>,
    declined: HashMap<Ipv4Addr, u64>,
    /// Where the search for a free address starts (round robin, so a released address is
    /// not handed straight to the next client).
    cursor: u32,
}

impl LeasePool {
    /// An empty pool over `range`, binding leases for `lease_secs` seconds.
    pub fn new(range: PoolRange, lease_secs: u32) -> Self {
        LeasePool {
            range,
            lease_secs,
            by_mac: HashMap::new(),
            by_ip: HashMap::new(),
            declined: HashMap::new(),
            cursor: u32::from(range.start),
        }
    }

    /// The range.
    pub fn range(&self) -> PoolRange {
        self.range
    }

    /// The lease time of bound addresses, in seconds.
    pub fn lease_secs(&self) -> u32 {
        self.lease_secs
    }

    /// The address bound to `mac` (by a REQUEST) and not expired.
    pub fn bound(&self, mac: MacAddr, now: u64) -> Option<Ipv4Addr> {
        self.by_mac
            .get(&mac)
            .filter(|l| l.bound && l.expires > now)
            .map(|l| l.ip)
    }

    /// An address to offer `mac`: its current one, else `requested` when free, else the next
    /// free one. The offer is held for [`OFFER_HOLD_SECS`]. `None` when the pool is full.
    pub fn offer(
        &mut self,
        mac: MacAddr,
        requested: Option<Ipv4Addr>,
        now: u64,
    ) -> Option<Ipv4Addr> {
        if let Some(lease) = self.by_mac.get_mut(&mac) {
            if !lease.bound || lease.expires <= now {
                lease.bound = false;
                lease.expires = now + OFFER_HOLD_SECS;
            }
            return Some(lease.ip);
        }
        let ip = requested
            .filter(|ip| self.is_free(*ip, now))
            .or_else(|| self.next_free(now))?;
        self.take(mac, ip, now + OFFER_HOLD_SECS, false);
        Some(ip)
    }

    /// Bind `ip` to `mac` for the lease time (a REQUEST): true when `ip` is `mac`'s offered or
    /// bound address, or free; false (the client gets a NAK) otherwise.
    pub fn bind(&mut self, mac: MacAddr, ip: Ipv4Addr, now: u64) -> bool {
        let own = self.by_mac.get(&mac).is_some_and(|l| l.ip == ip);
        if !own && !self.is_free(ip, now) {
            return false;
        }
        if !own {
            self.forget(mac);
        }
        self.take(mac, ip, now + u64::from(self.lease_secs), true);
        true
    }

    /// A RELEASE: free `mac`'s address when it is `ip`.
    pub fn release(&mut self, mac: MacAddr, ip: Ipv4Addr) {
        if self.by_mac.get(&mac).is_some_and(|l| l.ip == ip) {
            self.forget(mac);
        }
    }

    /// A DECLINE: the client found `ip` in use; free its lease and keep `ip` out of use for
    /// [`DECLINE_HOLD_SECS`].
    pub fn decline(&mut self, mac: MacAddr, ip: Ipv4Addr, now: u64) {
        if self.by_mac.get(&mac).is_some_and(|l| l.ip == ip) {
            self.forget(mac);
            self.declined.insert(ip, now + DECLINE_HOLD_SECS);
        }
    }

    /// Drop whatever `mac` holds (an offer to another server was accepted, or the MAC became
    /// known to the inventory and gets its reserved address from now on).
    pub fn forget(&mut self, mac: MacAddr) {
        if let Some(lease) = self.by_mac.remove(&mac) {
            self.by_ip.remove(&lease.ip);
        }
    }

    /// The number of addresses offered or bound (expired ones included until reused).
    pub fn len(&self) -> usize {
        self.by_mac.len()
    }

    /// Whether no address is offered or bound.
    pub fn is_empty(&self) -> bool {
        self.by_mac.is_empty()
    }

    fn take(&mut self, mac: MacAddr, ip: Ipv4Addr, expires: u64, bound: bool) {
        if let Some(old) = self.by_ip.insert(ip, mac).filter(|m| *m != mac) {
            self.by_mac.remove(&old);
        }
        self.by_mac.insert(mac, Lease { ip, expires, bound });
    }

    fn is_free(&self, ip: Ipv4Addr, now: u64) -> bool {
        self.range.contains(ip)
            && self.declined.get(&ip).is_none_or(|until| *until <= now)
            && self
                .by_ip
                .get(&ip)
                .and_then(|m| self.by_mac.get(m))
                .is_none_or(|l| l.expires <= now)
    }

    fn next_free(&mut self, now: u64) -> Option<Ipv4Addr> {
        let start = u32::from(self.range.start);
        let len = self.range.len();
        let offset = u64::from(self.cursor.wrapping_sub(start)) % len;
        for i in 0..len {
            // Wraps within the range: offset + i < 2 * len <= 2^33.
            let ip = Ipv4Addr::from(start.wrapping_add(((offset + i) % len) as u32));
            if self.is_free(ip, now) {
                self.cursor = u32::from(ip).wrapping_add(1);
                return Some(ip);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(n: u8) -> MacAddr {
        MacAddr::new([2, 0, 0, 0, 0, n])
    }

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    fn pool() -> LeasePool {
        LeasePool::new("10.0.0.10-10.0.0.12".parse().unwrap(), 300)
    }

    #[test]
    fn offers_are_stable_and_distinct() {
        let mut p = pool();
        assert_eq!(p.offer(mac(1), None, 0), Some(ip("10.0.0.10")));
        assert_eq!(p.offer(mac(1), None, 1), Some(ip("10.0.0.10")));
        assert_eq!(
            p.offer(mac(2), Some(ip("10.0.0.10")), 1),
            Some(ip("10.0.0.11"))
        );
        assert_eq!(
            p.offer(mac(3), Some(ip("10.0.0.12")), 1),
            Some(ip("10.0.0.12"))
        );
        assert_eq!(p.offer(mac(4), None, 1), None, "pool is full");
        // Offers expire after the hold time; the search goes on round robin.
        assert_eq!(
            p.offer(mac(4), None, OFFER_HOLD_SECS + 2),
            Some(ip("10.0.0.12"))
        );
        assert_eq!(
            p.offer(mac(5), None, OFFER_HOLD_SECS + 2),
            Some(ip("10.0.0.10"))
        );
        assert_eq!(p.len(), 3, "expired offers were taken over");
    }

    #[test]
    fn bind_renew_release() {
        let mut p = pool();
        let a = p.offer(mac(1), None, 0).unwrap();
        assert!(p.bind(mac(1), a, 5));
        assert_eq!(p.bound(mac(1), 6), Some(a));
        assert_eq!(p.bound(mac(1), 305), None, "expired");
        assert!(!p.bind(mac(2), a, 6), "taken by another MAC");
        assert!(!p.bind(mac(2), ip("10.0.0.99"), 6), "outside the range");
        assert!(p.bind(mac(1), a, 200), "renewal");
        assert_eq!(p.bound(mac(1), 400), Some(a));
        p.release(mac(1), ip("10.0.0.11"));
        assert_eq!(
            p.bound(mac(1), 400),
            Some(a),
            "release of another address ignored"
        );
        p.release(mac(1), a);
        assert_eq!(p.bound(mac(1), 400), None);
        assert!(p.bind(mac(2), a, 401));
    }

    #[test]
    fn an_expired_lease_is_reused_by_another_mac() {
        let mut p = LeasePool::new("10.0.0.10-10.0.0.10".parse().unwrap(), 10);
        let a = p.offer(mac(1), None, 0).unwrap();
        assert!(p.bind(mac(1), a, 0));
        assert_eq!(p.offer(mac(2), None, 5), None);
        assert_eq!(p.offer(mac(2), None, 11), Some(a));
        assert_eq!(p.bound(mac(1), 11), None);
        assert!(!p.bind(mac(1), a, 12), "now held by mac 2");
    }

    #[test]
    fn declined_addresses_are_held_back() {
        let mut p = LeasePool::new("10.0.0.10-10.0.0.11".parse().unwrap(), 10);
        let a = p.offer(mac(1), None, 0).unwrap();
        p.decline(mac(1), a, 1);
        assert_eq!(p.offer(mac(1), None, 2), Some(ip("10.0.0.11")));
        assert_eq!(p.offer(mac(2), Some(a), 3), None);
        assert_eq!(p.offer(mac(2), Some(a), DECLINE_HOLD_SECS + 2), Some(a));
    }

    #[test]
    fn ranges() {
        let r: PoolRange = " 10.0.0.1 - 10.0.0.1 ".parse().unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r.to_string(), "10.0.0.1-10.0.0.1");
        let whole: PoolRange = "0.0.0.0-255.255.255.255".parse().unwrap();
        assert_eq!(whole.len(), 1 << 32);
        let err = "10.0.0.x-10.0.0.2".parse::<PoolRange>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad dhcp-pool parameter \"10.0.0.x-10.0.0.2\": the start is not an IPv4 address"
        );
    }
}
