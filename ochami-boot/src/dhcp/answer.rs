//! The answer to one client message (RFC 2131 §4.3): which message type, which address,
//! which options, and where it goes (§4.1). A pure function of the request, the node's
//! reservation, the unknown-MAC pool and the clock value passed in.

use std::net::Ipv4Addr;

use dhcproto::v4::{self, DhcpOption, Flags, HType, MessageType, Opcode, OptionCode};
use dhcproto::{Encodable, Encoder};
use ochami_core::MacAddr;

use super::{BootFile, DhcpConfig, DhcpRequest, LeasePool, Reservation, boot_file, same_subnet};
use crate::{BootError, Result};

/// What the server does with a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Send this reply.
    Reply(DhcpReply),
    /// Send nothing, for this reason.
    Silent(Silence),
}

/// Why a well-formed message gets no reply (RFC 2131 says so, or the server has nothing to
/// give). Servers count these by [`Silence::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Silence {
    /// An unknown MAC and no dynamic pool configured (the MAC is still recorded).
    UnknownClient,
    /// The dynamic pool has no free address.
    PoolExhausted,
    /// A REQUEST for another server's offer (option 54 names another server).
    OtherServer,
    /// An INIT-REBOOT or RENEWING REQUEST for an address this server has no record of.
    NoBinding,
    /// A REQUEST with neither option 50 nor `ciaddr`.
    NoAddress,
    /// A RELEASE (never answered).
    Released,
    /// A DECLINE (never answered): the client found the address in use by another host,
    /// worth a warning in the server's log.
    Declined,
    /// A message type a server does not answer (OFFER, ACK, NAK, lease queries...).
    NotForServer,
}

impl Silence {
    /// A short label for logs and metrics (`unknown_client`, `other_server`...).
    pub fn as_str(&self) -> &'static str {
        match self {
            Silence::UnknownClient => "unknown_client",
            Silence::PoolExhausted => "pool_exhausted",
            Silence::OtherServer => "other_server",
            Silence::NoBinding => "no_binding",
            Silence::NoAddress => "no_address",
            Silence::Released => "released",
            Silence::Declined => "declined",
            Silence::NotForServer => "not_for_server",
        }
    }
}

/// Where a reply goes (RFC 2131 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// To the relay agent at this address, server port 67.
    Relay(Ipv4Addr),
    /// Unicast to the client's configured address (`ciaddr`), client port 68.
    Unicast(Ipv4Addr),
    /// To 255.255.255.255, client port 68.
    Broadcast,
    /// To a client without an address yet: unicast to `ip` at hardware address `mac` (needs
    /// an ARP entry or a raw socket; a server without either broadcasts instead).
    Hardware {
        /// `yiaddr`.
        ip: Ipv4Addr,
        /// `chaddr`.
        mac: MacAddr,
    },
}

/// A reply and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct DhcpReply {
    /// The message.
    pub message: v4::Message,
    /// Its destination.
    pub to: Destination,
}

impl DhcpReply {
    /// The reply's message type (OFFER, ACK or NAK).
    pub fn message_type(&self) -> Option<MessageType> {
        self.message.opts().msg_type()
    }

    /// The reply's wire bytes.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(400);
        self.message
            .encode(&mut Encoder::new(&mut buf))
            .map_err(|e| BootError::Render(format!("DHCP reply: {e}")))?;
        Ok(buf)
    }
}

/// Answer one client message.
///
/// * A **known** MAC (`known` is its [`Reservation`]) gets its reserved address with the
///   configured lease time, host name and boot file. A REQUEST for any other address is
///   NAKed, so a client holding an old address starts over and gets the reserved one.
/// * An **unknown** MAC gets an address from `pool` (when there is one) for the pool's
///   short lease time, and the same boot file rules; iPXE's bootscript URL then serves the
///   unknown-node script. Without a pool it gets no reply ([`Silence::UnknownClient`]).
/// * DISCOVER -> OFFER; REQUEST (SELECTING, INIT-REBOOT, RENEWING, REBINDING) -> ACK or
///   NAK; INFORM -> ACK without an address or lease; DECLINE and RELEASE update the pool
///   and get no reply.
///
/// `now` is Unix seconds (only the pool uses it).
pub fn answer(
    req: &DhcpRequest,
    known: Option<&Reservation>,
    mut pool: Option<&mut LeasePool>,
    config: &DhcpConfig,
    now: u64,
) -> Answer {
    if let (Some(_), Some(p)) = (known, pool.as_deref_mut()) {
        // The MAC became known: its pool lease (if any) is void.
        p.forget(req.mac);
    }
    let reply = Reply { req, config, known };
    match req.message_type {
        MessageType::Discover => {
            let (ip, lease) = match (known, pool) {
                (Some(r), _) => (r.ip, config.lease_secs),
                (None, None) => return Answer::Silent(Silence::UnknownClient),
                (None, Some(p)) => match p.offer(req.mac, req.requested_ip, now) {
                    Some(ip) => (ip, p.lease_secs()),
                    None => return Answer::Silent(Silence::PoolExhausted),
                },
            };
            reply.lease(MessageType::Offer, ip, lease)
        }
        MessageType::Request => request(&reply, pool, now),
        MessageType::Decline => {
            if let (None, Some(p), Some(ip)) = (known, pool, req.requested_ip) {
                p.decline(req.mac, ip, now);
            }
            Answer::Silent(Silence::Declined)
        }
        MessageType::Release => {
            if let (None, Some(p), Some(ip)) = (known, pool, req.ciaddr()) {
                p.release(req.mac, ip);
            }
            Answer::Silent(Silence::Released)
        }
        MessageType::Inform => reply.inform(),
        _ => Answer::Silent(Silence::NotForServer),
    }
}

/// A REQUEST, by the client's state (RFC 2131 §4.3.2).
fn request(reply: &Reply<'_>, pool: Option<&mut LeasePool>, now: u64) -> Answer {
    let req = reply.req;
    let config = reply.config;
    let selecting = match req.server_id {
        Some(id) if id != config.server_ip => {
            // The client took another server's offer: free ours.
            if let (None, Some(p)) = (reply.known, pool)
                && p.bound(req.mac, now).is_none()
            {
                p.forget(req.mac);
            }
            return Answer::Silent(Silence::OtherServer);
        }
        Some(_) => true,
        None => false,
    };
    // SELECTING and INIT-REBOOT name the address in option 50; RENEWING and REBINDING in
    // ciaddr.
    let target = if selecting {
        req.requested_ip
    } else {
        req.ciaddr().or(req.requested_ip)
    };
    let Some(target) = target else {
        return Answer::Silent(Silence::NoAddress);
    };
    if let Some(r) = reply.known {
        return if target == r.ip {
            reply.lease(MessageType::Ack, r.ip, config.lease_secs)
        } else {
            reply.nak("requested address is not the one reserved for this client")
        };
    }
    let Some(p) = pool else {
        return Answer::Silent(Silence::UnknownClient);
    };
    if selecting || p.range().contains(target) {
        return if p.bind(req.mac, target, now) {
            reply.lease(MessageType::Ack, target, p.lease_secs())
        } else {
            reply.nak("requested address is not available")
        };
    }
    // INIT-REBOOT or RENEWING with an address outside the pool: NAK it when it is on the
    // wrong network, otherwise it is some other server's business.
    let network = req.giaddr().unwrap_or(config.server_ip);
    if same_subnet(target, network, config.subnet_mask) {
        Answer::Silent(Silence::NoBinding)
    } else {
        reply.nak("requested address is not on this network")
    }
}

/// What every reply is built from.
struct Reply<'a> {
    req: &'a DhcpRequest,
    config: &'a DhcpConfig,
    known: Option<&'a Reservation>,
}

impl Reply<'_> {
    /// The header every reply shares: op, xid, flags, giaddr and chaddr of the request.
    fn header(&self, kind: MessageType) -> v4::Message {
        let req = &self.req.message;
        let mut m = v4::Message::default();
        m.set_opcode(Opcode::BootReply)
            .set_htype(HType::Eth)
            .set_xid(req.xid())
            .set_flags(req.flags())
            .set_giaddr(req.giaddr())
            .set_chaddr(&self.req.mac.octets());
        m.opts_mut().insert(DhcpOption::MessageType(kind));
        m.opts_mut()
            .insert(DhcpOption::ServerIdentifier(self.config.server_ip));
        // RFC 3046: the relay agent information goes back to the relay unchanged.
        if let Some(o) = req.opts().get(OptionCode::RelayAgentInformation) {
            m.opts_mut().insert(o.clone());
        }
        m
    }

    /// OFFER or ACK of an address.
    fn lease(&self, kind: MessageType, ip: Ipv4Addr, lease_secs: u32) -> Answer {
        let mut m = self.header(kind);
        if kind == MessageType::Ack {
            m.set_ciaddr(self.req.message.ciaddr());
        }
        m.set_yiaddr(ip);
        let opts = m.opts_mut();
        opts.insert(DhcpOption::AddressLeaseTime(lease_secs));
        opts.insert(DhcpOption::Renewal(lease_secs / 2));
        opts.insert(DhcpOption::Rebinding(
            u32::try_from(u64::from(lease_secs) * 7 / 8).unwrap_or(u32::MAX),
        ));
        self.configure(&mut m);
        self.send(m, Some(ip))
    }

    /// ACK of an INFORM: configuration only, no address, no lease (§4.3.5).
    fn inform(&self) -> Answer {
        let mut m = self.header(MessageType::Ack);
        m.set_ciaddr(self.req.message.ciaddr());
        self.configure(&mut m);
        self.send(m, None)
    }

    /// A NAK: message type, server id and a reason (option 56), nothing else (§4.3.2).
    fn nak(&self, why: &str) -> Answer {
        let mut m = self.header(MessageType::Nak);
        m.opts_mut().insert(DhcpOption::Message(why.to_owned()));
        if self.req.giaddr().is_some() {
            // The relay broadcasts it to the client (§4.1).
            m.set_flags(Flags::default().set_broadcast());
        }
        self.send(m, None)
    }

    /// Network configuration, host name, next server and boot file.
    fn configure(&self, m: &mut v4::Message) {
        let c = self.config;
        m.set_siaddr(c.next_server.unwrap_or(c.server_ip));
        let file = boot_file(
            &c.boot_files,
            &c.base_url,
            self.req.mac,
            self.req.ipxe,
            self.req.arch,
        );
        // The BOOTP `file` field too: some PXE ROMs read only that one.
        if let Some(BootFile::Tftp(name)) = &file {
            m.set_fname_str(name);
        }
        let opts = m.opts_mut();
        opts.insert(DhcpOption::SubnetMask(c.subnet_mask));
        if !c.routers.is_empty() {
            opts.insert(DhcpOption::Router(c.routers.clone()));
        }
        if !c.dns_servers.is_empty() {
            opts.insert(DhcpOption::DomainNameServer(c.dns_servers.clone()));
        }
        if let Some(domain) = c.domain.as_ref().filter(|d| !d.is_empty()) {
            opts.insert(DhcpOption::DomainName(domain.clone()));
        }
        if let Some(r) = self.known {
            opts.insert(DhcpOption::Hostname(r.hostname.clone()));
        }
        if let Some(file) = file {
            opts.insert(DhcpOption::BootfileName(file.as_str().as_bytes().to_vec()));
        }
    }

    fn send(&self, m: v4::Message, yiaddr: Option<Ipv4Addr>) -> Answer {
        let nak = m.opts().has_msg_type(MessageType::Nak);
        let req = self.req;
        let to = match (req.giaddr(), req.ciaddr(), yiaddr) {
            (Some(relay), _, _) => Destination::Relay(relay),
            _ if nak => Destination::Broadcast,
            (None, Some(ciaddr), _) => Destination::Unicast(ciaddr),
            _ if req.broadcast() => Destination::Broadcast,
            (None, None, Some(ip)) => Destination::Hardware { ip, mac: req.mac },
            (None, None, None) => Destination::Broadcast,
        };
        Answer::Reply(DhcpReply { message: m, to })
    }
}
