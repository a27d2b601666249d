//! TFTP packets (RFC 1350 §5, OACK from RFC 2347): the read request that opens a transfer,
//! the ACKs and ERRORs a client sends during it, and the DATA, OACK and ERROR packets a
//! server sends.

use super::{ErrorCode, Refusal};

/// The largest request accepted: RFC 2347 limits a request with options to 512 bytes.
pub const MAX_REQUEST_LEN: usize = 512;

const RRQ: u16 = 1;
const WRQ: u16 = 2;
const DATA: u16 = 3;
const ACK: u16 = 4;
const ERROR: u16 = 5;
const OACK: u16 = 6;

/// The transfer mode of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `octet`: raw bytes.
    Octet,
    /// `netascii` (served byte for byte).
    Netascii,
}

/// A read request: `01 filename 0 mode 0 [option 0 value 0]...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRequest {
    /// The file name as sent.
    pub filename: String,
    /// The mode.
    pub mode: Mode,
    /// The options, names lowercased, in the order sent.
    pub options: Vec<(String, String)>,
}

impl ReadRequest {
    /// Parse the first datagram of a transfer.
    ///
    /// ```
    /// use ochami_boot::tftp::{ErrorCode, Mode, ReadRequest};
    /// let rrq = ReadRequest::parse(b"\0\x01ipxe.efi\0octet\0BLKSIZE\x001468\0tsize\x000\0")?;
    /// assert_eq!(rrq.filename, "ipxe.efi");
    /// assert_eq!(rrq.mode, Mode::Octet);
    /// assert_eq!(rrq.options, [("blksize".to_owned(), "1468".to_owned()), ("tsize".to_owned(), "0".to_owned())]);
    /// let wrq = ReadRequest::parse(b"\0\x02x\0octet\0").unwrap_err();
    /// assert_eq!(wrq.code, ErrorCode::AccessViolation);
    /// # Ok::<(), ochami_boot::tftp::Refusal>(())
    /// ```
    pub fn parse(bytes: &[u8]) -> Result<Self, Refusal> {
        let illegal = |why: &str| Refusal::new(ErrorCode::IllegalOperation, why);
        if bytes.len() > MAX_REQUEST_LEN {
            return Err(illegal("request longer than 512 bytes"));
        }
        let (op, body) = split_opcode(bytes).ok_or_else(|| illegal("truncated packet"))?;
        match op {
            RRQ => {}
            WRQ => {
                return Err(Refusal::new(
                    ErrorCode::AccessViolation,
                    "this server is read-only",
                ));
            }
            _ => return Err(illegal("expected a read request")),
        }
        // NUL-terminated strings; the last one must be terminated too.
        let body = body
            .strip_suffix(b"\0")
            .ok_or_else(|| illegal("request not NUL-terminated"))?;
        let mut fields = body.split(|b| *b == 0).map(std::str::from_utf8);
        fn text<E>(f: Option<Result<&str, E>>) -> Result<&str, Refusal> {
            match f {
                Some(Ok(s)) => Ok(s),
                _ => Err(Refusal::new(
                    ErrorCode::IllegalOperation,
                    "malformed request",
                )),
            }
        }
        let filename = text(fields.next())?;
        if filename.is_empty() {
            return Err(illegal("empty file name"));
        }
        let mode = match text(fields.next())?.to_ascii_lowercase().as_str() {
            "octet" => Mode::Octet,
            "netascii" => Mode::Netascii,
            _ => return Err(illegal("unsupported transfer mode")),
        };
        let mut options = Vec::new();
        while let Some(name) = fields.next() {
            let name = text(Some(name))?;
            let value = text(fields.next())?;
            options.push((name.to_ascii_lowercase(), value.to_owned()));
        }
        Ok(ReadRequest {
            filename: filename.to_owned(),
            mode,
            options,
        })
    }
}

/// A packet a client sends during a transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientPacket {
    /// ACK of a block (0 acknowledges the OACK).
    Ack(u16),
    /// The client gives up (for example ERROR 8 after an OACK it dislikes).
    Error {
        /// Its code.
        code: ErrorCode,
        /// Its message.
        message: String,
    },
    /// Anything else: an illegal operation during a read transfer.
    Other,
}

impl ClientPacket {
    /// Parse a datagram received on a transfer's port.
    ///
    /// ```
    /// use ochami_boot::tftp::ClientPacket;
    /// assert_eq!(ClientPacket::parse(&[0, 4, 1, 2]), ClientPacket::Ack(258));
    /// assert_eq!(ClientPacket::parse(&[0, 4, 1]), ClientPacket::Other);
    /// ```
    pub fn parse(bytes: &[u8]) -> Self {
        match split_opcode(bytes) {
            Some((ACK, [hi, lo])) => ClientPacket::Ack(u16::from_be_bytes([*hi, *lo])),
            Some((ERROR, [hi, lo, msg @ ..])) => ClientPacket::Error {
                code: ErrorCode::from_code(u16::from_be_bytes([*hi, *lo])),
                message: String::from_utf8_lossy(msg.strip_suffix(b"\0").unwrap_or(msg))
                    .into_owned(),
            },
            _ => ClientPacket::Other,
        }
    }
}

fn split_opcode(bytes: &[u8]) -> Option<(u16, &[u8])> {
    match bytes {
        [hi, lo, rest @ ..] => Some((u16::from_be_bytes([*hi, *lo]), rest)),
        _ => None,
    }
}

/// A DATA packet.
pub fn data_packet(block: u16, data: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(4 + data.len());
    p.extend_from_slice(&DATA.to_be_bytes());
    p.extend_from_slice(&block.to_be_bytes());
    p.extend_from_slice(data);
    p
}

/// An ERROR packet.
///
/// ```
/// use ochami_boot::tftp::{ErrorCode, error_packet};
/// assert_eq!(error_packet(ErrorCode::FileNotFound, "no"), b"\0\x05\0\x01no\0");
/// ```
pub fn error_packet(code: ErrorCode, message: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(5 + message.len());
    p.extend_from_slice(&ERROR.to_be_bytes());
    p.extend_from_slice(&code.code().to_be_bytes());
    p.extend(message.bytes().filter(|b| *b != 0));
    p.push(0);
    p
}

/// An OACK packet listing the accepted options.
///
/// ```
/// use ochami_boot::tftp::oack_packet;
/// assert_eq!(oack_packet(&[("tsize".into(), "9".into())]), b"\0\x06tsize\09\0");
/// ```
pub fn oack_packet(options: &[(String, String)]) -> Vec<u8> {
    let mut p = OACK.to_be_bytes().to_vec();
    for (name, value) in options {
        p.extend_from_slice(name.as_bytes());
        p.push(0);
        p.extend_from_slice(value.as_bytes());
        p.push(0);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_requests_are_illegal_operations() {
        for bad in [
            &b""[..],
            b"\0",
            b"\0\x01",
            b"\0\x01file",
            b"\0\x01file\0",
            b"\0\x01\0octet\0",
            b"\0\x01file\0mail\0",
            b"\0\x01file\0octet\0blksize\0",
            b"\0\x01fi\xffle\0octet\0",
            b"\0\x03\0\x01data",
        ] {
            let e = ReadRequest::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::IllegalOperation, "{bad:?}");
        }
        let long = [b"\0\x01".as_slice(), &[b'a'; 600], b"\0octet\0"].concat();
        assert_eq!(
            ReadRequest::parse(&long).unwrap_err().code,
            ErrorCode::IllegalOperation
        );
    }

    #[test]
    fn modes_are_case_insensitive() {
        let r = ReadRequest::parse(b"\0\x01f\0NetASCII\0").unwrap();
        assert_eq!(r.mode, Mode::Netascii);
        assert!(r.options.is_empty());
    }

    #[test]
    fn client_errors() {
        assert_eq!(
            ClientPacket::parse(b"\0\x05\0\x08no thanks\0"),
            ClientPacket::Error {
                code: ErrorCode::OptionRefused,
                message: "no thanks".into()
            }
        );
        assert_eq!(data_packet(1, b"ab"), b"\0\x03\0\x01ab");
    }
}
