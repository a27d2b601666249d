//! The DHCPv4 server that starts a node's netboot: it answers on one network interface only
//! (`SO_BINDTODEVICE`), port 67. Every decision (decoding, the node's reserved address, the
//! RFC 2131 exchange, boot file, pool leases) is `ochami_boot::dhcp`'s; this module owns the
//! socket, the pool's lock, the clock and the counters, and records unknown MACs in the store.
//!
//! Two things keep it fast under a boot storm without a cache that could go stale: the
//! reservation read for a DISCOVER is reused by the REQUEST of the same transaction (same
//! MAC and `xid`, within [`EXCHANGE_REUSE`]), so a 4-way exchange reads the store once, and
//! at most [`MAX_IN_FLIGHT`] messages are handled at once: beyond that new datagrams are
//! dropped and counted ([`DhcpCounters::overloaded`]) rather than queued until their
//! answers come too late to matter (clients retransmit).
//!
//! Replies go where RFC 2131 §4.1 says: to the relay (port 67), to `ciaddr`, or broadcast.
//! A client without an address that did not ask for broadcast would get a unicast to its
//! hardware address; that needs a raw socket, so it is broadcast on the interface instead
//! (every client accepts a broadcast reply).

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ochami_boot::dhcp::dhcproto::v4::MessageType;
use ochami_boot::dhcp::{
    Answer, DhcpConfig, DhcpDrop, DhcpRequest, LeasePool, MAX_REQUEST_LEN, PoolRange, Reservation,
    Silence, answer, reservation, unknown_interface,
};
use ochami_core::MacAddr;
use ochami_store::Store;
use tokio::net::UdpSocket;
use tokio::sync::Semaphore;

/// The DHCP server port.
pub const SERVER_PORT: u16 = 67;

/// The DHCP client port.
pub const CLIENT_PORT: u16 = 68;

/// How long the reservation read for a DISCOVER answers the REQUEST of the same
/// transaction: the client's REQUEST follows its OFFER within milliseconds, and it asks for
/// exactly what was offered.
pub const EXCHANGE_REUSE: Duration = Duration::from_secs(5);

/// The most messages handled at once; more are dropped and counted as overload.
pub const MAX_IN_FLIGHT: usize = 256;

/// What the DHCP server needs besides the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpServerConfig {
    /// The interface to answer on (`eth1`, `br0`).
    pub interface: String,
    /// Where to listen; `0.0.0.0:67` in production (broadcasts arrive there).
    pub listen: SocketAddr,
    /// What the replies carry (server address, mask, router, DNS, lease time, boot files,
    /// bootscript base URL).
    pub reply: DhcpConfig,
    /// Addresses for unknown MACs (`--dhcp-pool START-END`), when set.
    pub pool: Option<PoolRange>,
    /// Lease time of pool addresses, in seconds.
    pub pool_lease_secs: u32,
}

/// Packets seen, replies sent, and why the others got none.
#[derive(Debug, Default)]
pub struct DhcpCounters {
    received: AtomicU64,
    replied: AtomicU64,
    overloaded: AtomicU64,
    dropped: Mutex<HashMap<&'static str, u64>>,
    silent: Mutex<HashMap<&'static str, u64>>,
}

impl DhcpCounters {
    /// Datagrams received.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Replies sent.
    pub fn replied(&self) -> u64 {
        self.replied.load(Ordering::Relaxed)
    }

    /// Datagrams dropped unread because [`MAX_IN_FLIGHT`] messages were being handled.
    pub fn overloaded(&self) -> u64 {
        self.overloaded.load(Ordering::Relaxed)
    }

    /// Datagrams dropped as bad input, by [`DhcpDrop::as_str`].
    pub fn dropped(&self, reason: DhcpDrop) -> u64 {
        count(&self.dropped, reason.as_str())
    }

    /// Well-formed messages left unanswered, by [`Silence::as_str`].
    pub fn silent(&self, reason: Silence) -> u64 {
        count(&self.silent, reason.as_str())
    }
}

fn count(map: &Mutex<HashMap<&'static str, u64>>, key: &str) -> u64 {
    map.lock()
        .map(|m| m.get(key).copied().unwrap_or(0))
        .unwrap_or(0)
}

fn bump(map: &Mutex<HashMap<&'static str, u64>>, key: &'static str) {
    if let Ok(mut m) = map.lock() {
        *m.entry(key).or_default() += 1;
    }
}

/// A bound DHCP server; [`DhcpServer::run`] serves until the task is dropped.
pub struct DhcpServer {
    socket: Arc<UdpSocket>,
    store: Arc<dyn Store>,
    config: Arc<DhcpServerConfig>,
    pool: Arc<Mutex<Option<LeasePool>>>,
    counters: Arc<DhcpCounters>,
    exchanges: Arc<Exchanges>,
}

/// Reservations read for DISCOVERs, by MAC and transaction id, for their REQUESTs.
#[derive(Default)]
struct Exchanges(Mutex<HashMap<(MacAddr, u32), OpenExchange>>);

/// When a DISCOVER was answered, and the reservation it read.
type OpenExchange = (Instant, Option<Reservation>);

impl Exchanges {
    /// The most open transactions remembered; older ones are pruned first.
    const MAX: usize = 65_536;

    fn remember(&self, mac: MacAddr, xid: u32, known: Option<Reservation>) {
        if let Ok(mut map) = self.0.lock() {
            let now = Instant::now();
            if map.len() >= Self::MAX {
                map.retain(|_, (at, _)| now.duration_since(*at) < EXCHANGE_REUSE);
                if map.len() >= Self::MAX {
                    map.clear();
                }
            }
            map.insert((mac, xid), (now, known));
        }
    }

    /// The reservation the DISCOVER of this transaction read, once, if recent.
    fn take(&self, mac: MacAddr, xid: u32) -> Option<Option<Reservation>> {
        let (at, known) = self.0.lock().ok()?.remove(&(mac, xid))?;
        (at.elapsed() < EXCHANGE_REUSE).then_some(known)
    }
}

impl DhcpServer {
    /// Bind `config.listen` on `config.interface`, with broadcast enabled.
    pub async fn bind(config: DhcpServerConfig, store: Arc<dyn Store>) -> io::Result<Self> {
        let socket = UdpSocket::bind(config.listen).await?;
        socket.set_broadcast(true)?;
        socket.bind_device(Some(config.interface.as_bytes()))?;
        let pool = config
            .pool
            .map(|range| LeasePool::new(range, config.pool_lease_secs));
        Ok(DhcpServer {
            socket: Arc::new(socket),
            store,
            config: Arc::new(config),
            pool: Arc::new(Mutex::new(pool)),
            counters: Arc::default(),
            exchanges: Arc::default(),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Its counters (shared: they keep counting while [`DhcpServer::run`] runs).
    pub fn counters(&self) -> Arc<DhcpCounters> {
        self.counters.clone()
    }

    /// Answer datagrams until the returned future is dropped; each is handled in its own
    /// task, so a slow store read does not hold up the others.
    pub async fn run(self) -> io::Result<()> {
        tracing::info!(interface = %self.config.interface, addr = %self.socket.local_addr()?,
            server = %self.config.reply.server_ip, pool = ?self.config.pool.map(|p| p.to_string()),
            "DHCP server listening");
        // One byte more than the largest accepted request tells an oversized one apart.
        let mut buf = vec![0u8; MAX_REQUEST_LEN + 1];
        let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        loop {
            let (len, peer) = match self.socket.recv_from(&mut buf).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "DHCP receive failed");
                    continue;
                }
            };
            self.counters.received.fetch_add(1, Ordering::Relaxed);
            let req = match DhcpRequest::decode(&buf[..len]) {
                Ok(r) => r,
                Err(drop) => {
                    tracing::debug!(%peer, reason = drop.as_str(), "DHCP packet dropped");
                    bump(&self.counters.dropped, drop.as_str());
                    continue;
                }
            };
            let Ok(permit) = in_flight.clone().try_acquire_owned() else {
                self.counters.overloaded.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            let handler = Handler {
                socket: self.socket.clone(),
                store: self.store.clone(),
                config: self.config.clone(),
                pool: self.pool.clone(),
                counters: self.counters.clone(),
                exchanges: self.exchanges.clone(),
            };
            tokio::spawn(async move {
                handler.handle(req).await;
                drop(permit);
            });
        }
    }
}

struct Handler {
    socket: Arc<UdpSocket>,
    store: Arc<dyn Store>,
    config: Arc<DhcpServerConfig>,
    pool: Arc<Mutex<Option<LeasePool>>>,
    counters: Arc<DhcpCounters>,
    exchanges: Arc<Exchanges>,
}

impl Handler {
    async fn handle(self, req: DhcpRequest) {
        let c = &self.config.reply;
        let subnet = Some((req.giaddr().unwrap_or(c.server_ip), c.subnet_mask));
        let xid = req.message.xid();
        let reused = match req.message_type {
            MessageType::Request => self.exchanges.take(req.mac, xid),
            _ => None,
        };
        let known = match reused {
            Some(known) => known,
            None => match reservation(&*self.store, req.mac, subnet).await {
                Ok(k) => k,
                Err(e) => {
                    // No answer rather than a wrong one: the client retries.
                    tracing::warn!(mac = %req.mac, error = %e, "DHCP: cannot read the reservation");
                    return;
                }
            },
        };
        if req.message_type == MessageType::Discover {
            self.exchanges.remember(req.mac, xid, known.clone());
        }
        let now = unix_now();
        let outcome = match self.pool.lock() {
            Ok(mut pool) => answer(&req, known.as_ref(), pool.as_mut(), c, now),
            Err(_) => return,
        };
        if known.is_none() {
            self.record_unknown(&req, &outcome).await;
        }
        match outcome {
            Answer::Reply(reply) => {
                let kind = reply.message_type();
                let bytes = match reply.encode() {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::warn!(mac = %req.mac, error = %e, "DHCP reply cannot be encoded");
                        return;
                    }
                };
                let to = destination(reply.to);
                match self.socket.send_to(&bytes, to).await {
                    Ok(_) => {
                        self.counters.replied.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!(mac = %req.mac, ?kind, yiaddr = %reply.message.yiaddr(), %to, "DHCP reply sent");
                    }
                    Err(e) => tracing::warn!(mac = %req.mac, %to, error = %e, "DHCP send failed"),
                }
            }
            Answer::Silent(why) => {
                if why == Silence::Declined {
                    tracing::warn!(mac = %req.mac, ip = ?req.requested_ip, "DHCPDECLINE: the address is in use by another host");
                }
                bump(&self.counters.silent, why.as_str());
            }
        }
    }

    /// An unknown MAC is written to the inventory once (an interface without a component),
    /// with the pool address it got, so an admin can find and assign it.
    async fn record_unknown(&self, req: &DhcpRequest, outcome: &Answer) {
        let ip = match outcome {
            Answer::Reply(r) => Some(r.message.yiaddr()).filter(|a| !a.is_unspecified()),
            Answer::Silent(_) => None,
        };
        match self.store.get_ethernet_interface(&req.mac).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                let seen = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                let iface = unknown_interface(req.mac, ip, &seen);
                match self.store.insert_ethernet_interface(&iface).await {
                    Ok(()) => tracing::info!(mac = %req.mac, ?ip, "DHCP: unknown MAC recorded"),
                    Err(e) => {
                        tracing::debug!(mac = %req.mac, error = %e, "DHCP: unknown MAC not recorded")
                    }
                }
            }
            Err(e) => {
                tracing::warn!(mac = %req.mac, error = %e, "DHCP: cannot look up an unknown MAC")
            }
        }
    }
}

fn destination(to: ochami_boot::dhcp::Destination) -> SocketAddr {
    use ochami_boot::dhcp::Destination as D;
    let (ip, port) = match to {
        D::Relay(relay) => (relay, SERVER_PORT),
        D::Unicast(ip) => (ip, CLIENT_PORT),
        // Unicast to a client's hardware address needs a raw socket; broadcast on the
        // interface instead.
        D::Broadcast | D::Hardware { .. } => (Ipv4Addr::BROADCAST, CLIENT_PORT),
    };
    SocketAddr::V4(SocketAddrV4::new(ip, port))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_reuses_its_own_discover_once() {
        let ex = Exchanges::default();
        let mac = MacAddr::new([2, 0, 0, 0, 0, 1]);
        let known = Reservation {
            ip: Ipv4Addr::new(10, 0, 0, 5),
            xname: "x1000c0s0b0n0".parse().expect("xname"),
            hostname: "x1000c0s0b0n0".into(),
        };
        ex.remember(mac, 7, Some(known.clone()));
        ex.remember(mac, 8, None);
        assert_eq!(ex.take(mac, 9), None, "another transaction");
        assert_eq!(
            ex.take(MacAddr::new([2, 0, 0, 0, 0, 2]), 7),
            None,
            "another MAC"
        );
        assert_eq!(ex.take(mac, 7), Some(Some(known)));
        assert_eq!(ex.take(mac, 7), None, "used once");
        assert_eq!(
            ex.take(mac, 8),
            Some(None),
            "an unknown MAC's answer is reused too"
        );
    }
}
