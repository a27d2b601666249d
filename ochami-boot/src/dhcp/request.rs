//! A client's DHCPv4 message, decoded (with [`dhcproto`]) and checked: only what the
//! answer depends on, in parsed types. Anything else is a [`DhcpDrop`] reason, never a panic.

use std::net::Ipv4Addr;

use dhcproto::v4::{self, DhcpOption, HType, MessageType, Opcode, OptionCode};
use dhcproto::{Decodable, Decoder};
use ochami_core::MacAddr;

use super::{ClientArch, DhcpDrop};

/// The largest request accepted, in bytes: an Ethernet frame's UDP payload. Clients send
/// 300 to 600 bytes; anything larger is dropped as [`DhcpDrop::Oversized`].
pub const MAX_REQUEST_LEN: usize = 1472;

/// The size of the fixed BOOTP header, up to and including the magic cookie.
const HEADER_LEN: usize = 240;

/// The DHCP magic cookie (RFC 2131 §3).
const MAGIC: [u8; 4] = [99, 130, 83, 99];

/// Option 175: iPXE's encapsulated options, sent by every iPXE build.
const IPXE_ENCAPSULATED: u8 = 175;

/// A client message, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DhcpRequest {
    /// The decoded message, for the fields and options not lifted out below.
    pub message: v4::Message,
    /// Option 53.
    pub message_type: MessageType,
    /// The client's hardware address (`chaddr`, Ethernet only).
    pub mac: MacAddr,
    /// Option 93, when sent.
    pub arch: Option<ClientArch>,
    /// Whether the client is iPXE: user class (option 77) `iPXE`, or option 175 present.
    pub ipxe: bool,
    /// Option 50, when sent.
    pub requested_ip: Option<Ipv4Addr>,
    /// Option 54, when sent: the server the client chose.
    pub server_id: Option<Ipv4Addr>,
}

impl DhcpRequest {
    /// Decode a datagram received on the server port.
    ///
    /// Dropped: more than [`MAX_REQUEST_LEN`] bytes, a truncated header, a wrong magic
    /// cookie, malformed options, a reply (`op` 2), non-Ethernet hardware, no option 53.
    ///
    /// ```
    /// use ochami_boot::dhcp::{DhcpDrop, DhcpRequest};
    /// assert_eq!(DhcpRequest::decode(&[1, 1, 6]).unwrap_err(), DhcpDrop::Malformed);
    /// assert_eq!(DhcpRequest::decode(&[0; 2000]).unwrap_err(), DhcpDrop::Oversized);
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Self, DhcpDrop> {
        if bytes.len() > MAX_REQUEST_LEN {
            return Err(DhcpDrop::Oversized);
        }
        if bytes.len() < HEADER_LEN || bytes[236..HEADER_LEN] != MAGIC {
            return Err(DhcpDrop::Malformed);
        }
        check_option_lengths(&bytes[HEADER_LEN..])?;
        let message =
            v4::Message::decode(&mut Decoder::new(bytes)).map_err(|_| DhcpDrop::Malformed)?;
        if message.opcode() != Opcode::BootRequest {
            return Err(DhcpDrop::NotARequest);
        }
        let chaddr: [u8; 6] = match (message.htype(), message.hlen()) {
            (HType::Eth, 6) => message.chaddr()[..6]
                .try_into()
                .map_err(|_| DhcpDrop::NotEthernet)?,
            _ => return Err(DhcpDrop::NotEthernet),
        };
        let opts = message.opts();
        let message_type = opts.msg_type().ok_or(DhcpDrop::NoMessageType)?;
        let arch = match opts.get(OptionCode::ClientSystemArchitecture) {
            Some(DhcpOption::ClientSystemArchitecture(a)) => Some(ClientArch::from_code(a.0)),
            _ => None,
        };
        let user_class_ipxe = match opts.get(OptionCode::UserClass) {
            // iPXE sends the bare text; RFC 3004 framing puts a length byte first.
            Some(DhcpOption::UserClass(c)) => c == b"iPXE" || c == b"\x04iPXE",
            _ => false,
        };
        let ipxe = user_class_ipxe || opts.contains(OptionCode::from(IPXE_ENCAPSULATED));
        let requested_ip = match opts.get(OptionCode::RequestedIpAddress) {
            Some(DhcpOption::RequestedIpAddress(ip)) => Some(*ip),
            _ => None,
        };
        let server_id = match opts.get(OptionCode::ServerIdentifier) {
            Some(DhcpOption::ServerIdentifier(ip)) => Some(*ip),
            _ => None,
        };
        Ok(DhcpRequest {
            message_type,
            mac: MacAddr::new(chaddr),
            arch,
            ipxe,
            requested_ip,
            server_id,
            message,
        })
    }

    /// `ciaddr`, when set.
    pub fn ciaddr(&self) -> Option<Ipv4Addr> {
        Some(self.message.ciaddr()).filter(|a| !a.is_unspecified())
    }

    /// `giaddr` (the relay agent), when set.
    pub fn giaddr(&self) -> Option<Ipv4Addr> {
        Some(self.message.giaddr()).filter(|a| !a.is_unspecified())
    }

    /// Whether the client asked for broadcast replies (flags bit 0x8000).
    pub fn broadcast(&self) -> bool {
        self.message.flags().broadcast()
    }
}

/// Reject option lengths that the codec would trip over (it asserts some lengths and
/// subtracts from others) before it sees them, and any option running past the end.
/// Options are `code, len, data`; 0 (pad) and 255 (end) have no length. Consecutive options
/// with one code are one option (RFC 3396), so their lengths add up.
fn check_option_lengths(mut opts: &[u8]) -> Result<(), DhcpDrop> {
    let mut run: Option<(u8, usize)> = None;
    while let Some((&code, rest)) = opts.split_first() {
        if code == 0 || code == 255 {
            check_length(run.take())?;
            if code == 255 {
                return Ok(());
            }
            opts = rest;
            continue;
        }
        let (&len, rest) = rest.split_first().ok_or(DhcpDrop::Malformed)?;
        let len = usize::from(len);
        if rest.len() < len {
            return Err(DhcpDrop::Malformed);
        }
        run = match run {
            Some((c, total)) if c == code => Some((c, total + len)),
            other => {
                check_length(other)?;
                Some((code, len))
            }
        };
        opts = &rest[len..];
    }
    check_length(run)
}

fn check_length(option: Option<(u8, usize)>) -> Result<(), DhcpDrop> {
    let ok = match option {
        None => true,
        Some((code, len)) => match code {
            80 => len == 0,
            81 => len >= 3,
            94 => len == 3,
            151 => len >= 1,
            152..=155 => len == 4,
            _ => true,
        },
    };
    if ok { Ok(()) } else { Err(DhcpDrop::Malformed) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_lengths() {
        assert_eq!(check_option_lengths(&[53, 1, 1, 255]), Ok(()));
        assert_eq!(check_option_lengths(&[0, 0, 53, 1, 1]), Ok(()));
        assert_eq!(check_option_lengths(&[53, 2, 1]), Err(DhcpDrop::Malformed));
        assert_eq!(check_option_lengths(&[53]), Err(DhcpDrop::Malformed));
        assert_eq!(
            check_option_lengths(&[94, 2, 1, 2]),
            Err(DhcpDrop::Malformed)
        );
        assert_eq!(check_option_lengths(&[94, 3, 1, 2, 0]), Ok(()));
        assert_eq!(check_option_lengths(&[81, 0]), Err(DhcpDrop::Malformed));
        assert_eq!(check_option_lengths(&[151, 0]), Err(DhcpDrop::Malformed));
        assert_eq!(check_option_lengths(&[80, 1, 0]), Err(DhcpDrop::Malformed));
        // Two option 94s in a row are one option of 6 bytes (RFC 3396).
        assert_eq!(
            check_option_lengths(&[94, 3, 1, 2, 0, 94, 3, 1, 2, 0]),
            Err(DhcpDrop::Malformed)
        );
        assert_eq!(
            check_option_lengths(&[94, 3, 1, 2, 0, 53, 1, 1, 94, 3, 1, 2, 0]),
            Ok(())
        );
        assert_eq!(check_option_lengths(&[81, 2, 0, 0, 81, 1, 0]), Ok(()));
    }
}
