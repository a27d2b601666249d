//! DHCPv4 for netbooting, as decisions: which address, which options and which boot file a
//! client gets. A server does the socket I/O around these functions:
//!
//! 1. [`DhcpRequest::decode`] the datagram (bad input is a [`DhcpDrop`], never a panic);
//! 2. [`reservation`] reads the node's reserved address from the [`crate::BootSource`];
//! 3. [`answer`] decides: a [`DhcpReply`] with its [`Destination`], or a [`Silence`];
//! 4. record unknown MACs with [`unknown_interface`], so an admin sees them.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use dhcproto::v4::{DhcpOption, Message, MessageType};
//! use dhcproto::{Encodable, Encoder};
//! use ochami_boot::dhcp::{Answer, DhcpConfig, DhcpRequest, answer, reservation};
//! use ochami_core::{Component, EthernetInterface, State};
//!
//! let store = ochami_store::open("memory:").await?;
//! let x = "x1000c0s0b0n0".parse()?;
//! let mac = "52:54:00:12:34:56".parse::<ochami_core::MacAddr>()?;
//! store.upsert_components(&[Component::new(x).with_state(State::Ready)], false).await?;
//! store.insert_ethernet_interface(&EthernetInterface::new(mac, Some(x), ["10.0.0.5".to_owned()])).await?;
//!
//! // A PXE ROM's DISCOVER (option 93 = 0, BIOS).
//! let mut discover = Message::new([0; 4].into(), [0; 4].into(), [0; 4].into(), [0; 4].into(), &mac.octets());
//! discover.opts_mut().insert(DhcpOption::MessageType(MessageType::Discover));
//! discover.opts_mut().insert(DhcpOption::ClientSystemArchitecture(0.into()));
//! let mut bytes = Vec::new();
//! discover.encode(&mut Encoder::new(&mut bytes))?;
//!
//! let config = DhcpConfig::new("10.0.0.1".parse()?, "255.255.255.0".parse()?, "http://10.0.0.1:27778");
//! let req = DhcpRequest::decode(&bytes).map_err(|drop| drop.as_str())?;
//! let known = reservation(&*store, req.mac, None).await?;
//! let Answer::Reply(offer) = answer(&req, known.as_ref(), None, &config, 0) else { panic!() };
//! assert_eq!(offer.message.yiaddr().to_string(), "10.0.0.5");
//! assert_eq!(offer.message.fname_str(), Some(Ok("undionly.kpxe")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! # Differences from coresmd
//!
//! * Message types are honoured: a REQUEST for an address that is not the client's is
//!   NAKed, a REQUEST naming another server is ignored, INFORM gets configuration only,
//!   DECLINE and RELEASE update the pool. coresmd answers every DISCOVER and REQUEST alike
//!   and never NAKs known nodes; its bootloop NAKs the REQUEST after its own OFFER.
//! * iPXE is recognised by option 175 too, and by an RFC 3004-framed user class.
//! * Option 93 value 9 (EFI BC) gets the x86-64 EFI binary, as firmware that follows RFC
//!   4578's original numbering sends it for x64.
//! * The boot file also goes into the BOOTP `file` field, which some PXE ROMs read instead of
//!   option 67; no option 17 is sent (Debian's iPXE has no embedded script that needs it).
//! * Unknown MACs are recorded in the inventory (an interface without a component).
//! * The host name (option 12) is the xname. SMD's EthernetInterface has no alias field.

mod answer;
mod boot_file;
mod pool;
mod request;
mod reservation;

use std::net::Ipv4Addr;

/// The DHCP codec whose message types this API carries, re-exported so a server uses the
/// same version.
pub use dhcproto;

pub use answer::{Answer, Destination, DhcpReply, Silence, answer};
pub use boot_file::{BootFile, BootFiles, ClientArch, boot_file};
pub use pool::{DECLINE_HOLD_SECS, LeasePool, OFFER_HOLD_SECS, PoolRange};
pub use request::{DhcpRequest, MAX_REQUEST_LEN};
pub use reservation::{
    Reservation, UNKNOWN_DESCRIPTION, reservation, reserved_ip, same_subnet, unknown_interface,
};

/// The default lease time of known nodes: one hour (coresmd's default).
pub const DEFAULT_LEASE_SECS: u32 = 3600;

/// The default lease time of the unknown-MAC pool: five minutes (coresmd's bootloop).
pub const DEFAULT_POOL_LEASE_SECS: u32 = 300;

/// The server's configuration: what every reply carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpConfig {
    /// The server's address on the boot network: option 54, and `siaddr` unless
    /// [`DhcpConfig::next_server`] is set.
    pub server_ip: Ipv4Addr,
    /// Option 1.
    pub subnet_mask: Ipv4Addr,
    /// Option 3 (none sent when empty).
    pub routers: Vec<Ipv4Addr>,
    /// Option 6 (none sent when empty).
    pub dns_servers: Vec<Ipv4Addr>,
    /// Option 15.
    pub domain: Option<String>,
    /// Lease time of known nodes' addresses, in seconds (option 51; T1 and T2 are 1/2 and
    /// 7/8 of it).
    pub lease_secs: u32,
    /// The TFTP server (`siaddr`), when it is not this server.
    pub next_server: Option<Ipv4Addr>,
    /// The iPXE binaries by architecture.
    pub boot_files: BootFiles,
    /// The base URL of the bootscript service iPXE is sent to (`http://10.0.0.1:27778`).
    pub base_url: String,
}

impl DhcpConfig {
    /// A configuration with the default lease time and boot files, and no router, DNS or
    /// domain.
    pub fn new(server_ip: Ipv4Addr, subnet_mask: Ipv4Addr, base_url: impl Into<String>) -> Self {
        DhcpConfig {
            server_ip,
            subnet_mask,
            routers: Vec::new(),
            dns_servers: Vec::new(),
            domain: None,
            lease_secs: DEFAULT_LEASE_SECS,
            next_server: None,
            boot_files: BootFiles::default(),
            base_url: base_url.into(),
        }
    }
}

/// Why a datagram was dropped before any decision: bad input. Servers count these by
/// [`DhcpDrop::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DhcpDrop {
    /// Longer than [`MAX_REQUEST_LEN`].
    Oversized,
    /// Truncated header, wrong magic cookie or malformed options.
    Malformed,
    /// A BOOTREPLY (another server's answer).
    NotARequest,
    /// Hardware type other than Ethernet with 6-byte addresses.
    NotEthernet,
    /// No option 53 (a BOOTP client).
    NoMessageType,
}

impl DhcpDrop {
    /// A short label for logs and metrics (`oversized`, `malformed`...).
    pub fn as_str(&self) -> &'static str {
        match self {
            DhcpDrop::Oversized => "oversized",
            DhcpDrop::Malformed => "malformed",
            DhcpDrop::NotARequest => "not_a_request",
            DhcpDrop::NotEthernet => "not_ethernet",
            DhcpDrop::NoMessageType => "no_message_type",
        }
    }
}
