//! TFTP for netbooting, as decisions: the read request a client sent, which file under the
//! root it names (never one outside), and which options (RFC 2347 negotiation, `blksize`
//! RFC 2348, `timeout` and `tsize` RFC 2349) the transfer runs with. A server does the
//! socket I/O and file reads around these functions:
//!
//! 1. [`ReadRequest::parse`] the first datagram (a write request or garbage is a
//!    [`Refusal`], answered with its ERROR packet);
//! 2. [`resolve_path`] maps the file name into the root (`..` and absolute names refused;
//!    the server also checks that the opened file's real path is inside the root, so a
//!    symlink cannot lead out);
//! 3. [`negotiate`] turns the options and the file's size into [`TransferOptions`] and the
//!    OACK to send;
//! 4. then DATA blocks ([`data_packet`]) answered by ACKs ([`ClientPacket::parse`]).
//!
//! Read-only: write requests get ERROR 2 (access violation). `netascii` transfers are served
//! byte for byte, without line-ending conversion (boot files are binary; clients accept
//! bare LF).

mod options;
mod packet;
mod path;

pub use options::{
    DEFAULT_BLKSIZE, DEFAULT_TIMEOUT_SECS, MAX_BLKSIZE, MIN_BLKSIZE, TransferOptions, negotiate,
};
pub use packet::{
    ClientPacket, MAX_REQUEST_LEN, Mode, ReadRequest, data_packet, error_packet, oack_packet,
};
pub use path::resolve_path;

/// TFTP error codes (RFC 1350 §5, RFC 2347 adds 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 0: not defined, see the message.
    NotDefined,
    /// 1: file not found.
    FileNotFound,
    /// 2: access violation.
    AccessViolation,
    /// 3: disk full or allocation exceeded.
    DiskFull,
    /// 4: illegal TFTP operation.
    IllegalOperation,
    /// 5: unknown transfer ID.
    UnknownTransferId,
    /// 6: file already exists.
    FileExists,
    /// 7: no such user.
    NoSuchUser,
    /// 8: option negotiation refused.
    OptionRefused,
}

impl ErrorCode {
    /// The wire number.
    pub fn code(self) -> u16 {
        match self {
            ErrorCode::NotDefined => 0,
            ErrorCode::FileNotFound => 1,
            ErrorCode::AccessViolation => 2,
            ErrorCode::DiskFull => 3,
            ErrorCode::IllegalOperation => 4,
            ErrorCode::UnknownTransferId => 5,
            ErrorCode::FileExists => 6,
            ErrorCode::NoSuchUser => 7,
            ErrorCode::OptionRefused => 8,
        }
    }

    /// The code for a wire number (unknown numbers are [`ErrorCode::NotDefined`]).
    pub fn from_code(code: u16) -> Self {
        match code {
            1 => ErrorCode::FileNotFound,
            2 => ErrorCode::AccessViolation,
            3 => ErrorCode::DiskFull,
            4 => ErrorCode::IllegalOperation,
            5 => ErrorCode::UnknownTransferId,
            6 => ErrorCode::FileExists,
            7 => ErrorCode::NoSuchUser,
            8 => ErrorCode::OptionRefused,
            _ => ErrorCode::NotDefined,
        }
    }
}

/// Why a request is refused: the ERROR packet the client gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The error code.
    pub code: ErrorCode,
    /// The message (sent to the client: it names no server path).
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }

    /// The ERROR packet.
    pub fn to_packet(&self) -> Vec<u8> {
        error_packet(self.code, &self.message)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TFTP error {}: {}", self.code.code(), self.message)
    }
}
