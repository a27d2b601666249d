//! The crate's error type and the coarse [`ErrorKind`] a discovery report carries per BMC.
//!
//! Every variant names the BMC (`target`, a `scheme://host:port` string) and, where it
//! applies, the Redfish path involved, so an operator can act on the message alone.
//! No variant ever carries a password or a session token.

use serde::Serialize;

/// What went wrong with one BMC, coarse enough for a report or a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// No TCP connection could be made, or it was reset or refused.
    Unreachable,
    /// The TLS handshake failed (untrusted or invalid certificate, protocol mismatch).
    Tls,
    /// The BMC rejected the credentials (HTTP 401/403, or a refused session).
    Auth,
    /// A request or the whole per-BMC crawl ran out of time.
    Timeout,
    /// The BMC answered, but not like a Redfish service (not a service root, unexpected status).
    Protocol,
    /// A Redfish answer was not valid JSON.
    Parse,
    /// Local configuration: bad target, CA file, xname map, or no xname for a BMC.
    Config,
    /// The BMC refused an action or a change (4xx with a Redfish error), or did not keep it.
    Refused,
    /// The BMC does not offer what was asked (no Reset action, no suitable ResetType, no
    /// boot override target).
    Unsupported,
    /// An action was sent but whether the BMC carried it out could not be established.
    OutcomeUnknown,
}

impl ErrorKind {
    /// The snake_case name used in JSON reports (`"unreachable"`, `"tls"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::Tls => "tls",
            ErrorKind::Auth => "auth",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Parse => "parse",
            ErrorKind::Config => "config",
            ErrorKind::Refused => "refused",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::OutcomeUnknown => "outcome_unknown",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Errors of `ochami-redfish`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No connection could be made to the BMC.
    #[error("{target}: unreachable: {message}")]
    Unreachable {
        /// The BMC, as `scheme://host:port`.
        target: String,
        /// What the network layer said.
        message: String,
    },
    /// The TLS handshake with the BMC failed.
    #[error(
        "{target}: TLS handshake failed: {message} (trust its CA with a CA file, or choose `insecure`)"
    )]
    Tls {
        /// The BMC.
        target: String,
        /// What the TLS layer said.
        message: String,
    },
    /// The BMC refused the credentials.
    #[error("{target}: authentication failed for user {username:?} on {path} (HTTP {status})")]
    Auth {
        /// The BMC.
        target: String,
        /// The path that was refused.
        path: String,
        /// The user name tried (never the password).
        username: String,
        /// The HTTP status (401 or 403).
        status: u16,
    },
    /// A request, or the whole crawl, took too long.
    #[error("{target}: timed out after {after_ms} ms ({what})")]
    Timeout {
        /// The BMC.
        target: String,
        /// What timed out (a path, or "per-BMC deadline").
        what: String,
        /// The limit that was hit, in milliseconds.
        after_ms: u64,
    },
    /// An unexpected HTTP status.
    #[error("{target}: GET {path} answered HTTP {status}")]
    Http {
        /// The BMC.
        target: String,
        /// The Redfish path requested.
        path: String,
        /// The HTTP status.
        status: u16,
    },
    /// The host answered, but not as a Redfish service should.
    #[error("{target}: {path}: {message}")]
    Protocol {
        /// The BMC.
        target: String,
        /// The Redfish path requested.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// A body was not valid JSON.
    #[error("{target}: {path}: invalid JSON: {message}")]
    Parse {
        /// The BMC.
        target: String,
        /// The Redfish path requested.
        path: String,
        /// The JSON parser's message.
        message: String,
    },
    /// A scan target could not be understood (bad CIDR, host or port).
    #[error("invalid target {input:?}: {message}")]
    InvalidTarget {
        /// The text given.
        input: String,
        /// Why it is invalid.
        message: String,
    },
    /// A CIDR expands to more addresses than allowed.
    #[error(
        "{cidr} expands to {count} addresses, more than the limit of {limit}; split it or raise the limit"
    )]
    TooManyTargets {
        /// The CIDR given.
        cidr: String,
        /// How many addresses it holds.
        count: u128,
        /// The configured cap.
        limit: usize,
    },
    /// The TLS configuration could not be built (bad CA PEM, ...).
    #[error("TLS configuration: {0}")]
    TlsConfig(String),
    /// A discovery setting is out of its range or inconsistent with another.
    #[error("{setting}: {message}")]
    InvalidSetting {
        /// The setting, by its CLI flag / Python keyword name (`timeout`, `username`, ...).
        setting: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// A boot override with an HTTP boot URI for a target other than UEFI HTTP
    /// ([`crate::power::BootOverride::new`]).
    #[error("httpBootUri is only for the UefiHttp target")]
    HttpBootUriWithoutUefiHttp,
    /// An xname map could not be read.
    #[error("xname map, line {line}: {message}")]
    XnameMap {
        /// The 1-based line (0 for a JSON document).
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// No xname could be assigned to a BMC.
    #[error("{target}: no xname for this BMC: {message}")]
    NoXname {
        /// The BMC.
        target: String,
        /// Why (not in the map and generation disabled, collision, ...).
        message: String,
    },
    /// Building the SMD inventory from a crawl failed.
    #[error("{target}: cannot build inventory: {source}")]
    Ingest {
        /// The BMC.
        target: String,
        /// The ochami-core error.
        #[source]
        source: ochami_core::Error,
    },
    /// A local file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The simulator could not start (bind, TLS material, mockup tree).
    #[error("simulator: {0}")]
    Sim(String),
    /// The BMC refused an action or a PATCH with an HTTP error status.
    #[error("{target}: {method} {path} refused with HTTP {status}: {message}")]
    Refused {
        /// The BMC.
        target: String,
        /// `POST` or `PATCH`.
        method: &'static str,
        /// The Redfish path.
        path: String,
        /// The HTTP status.
        status: u16,
        /// The Redfish error's `MessageId`, when it sent one (`Base.1.8.ActionParameterNotSupported`).
        message_id: Option<String>,
        /// The Redfish error's message, or a summary of the body.
        message: String,
    },
    /// The BMC accepted a change but reads back something else (it reverted or ignored it).
    #[error("{target}: {path}: change not applied: {message}")]
    NotApplied {
        /// The BMC.
        target: String,
        /// The Redfish path.
        path: String,
        /// What was sent and what was read back.
        message: String,
    },
    /// The BMC does not offer what was asked.
    #[error("{target}: {path}: not supported: {message}")]
    Unsupported {
        /// The BMC.
        target: String,
        /// The Redfish path (the system or its action).
        path: String,
        /// What is missing, and what the BMC offers instead.
        message: String,
    },
    /// An action was sent, the answer was lost, and the power state cannot tell whether it
    /// was carried out (a restart ends in the state it started from). Not resent.
    #[error("{target}: {path}: outcome unknown: {message}")]
    OutcomeUnknown {
        /// The BMC.
        target: String,
        /// The action's path.
        path: String,
        /// What happened to the request and what the state read showed.
        message: String,
    },
    /// A system did not reach the wanted power state in time.
    #[error("{target}: {path}: PowerState is {last} after {after_ms} ms, wanted {wanted}")]
    StateNotReached {
        /// The BMC.
        target: String,
        /// The system.
        path: String,
        /// The state waited for.
        wanted: String,
        /// The last state read.
        last: String,
        /// How long it waited, in milliseconds.
        after_ms: u64,
    },
}

impl Error {
    /// The coarse kind of this error, as reported per BMC.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Unreachable { .. } => ErrorKind::Unreachable,
            Error::Tls { .. } => ErrorKind::Tls,
            Error::Auth { .. } => ErrorKind::Auth,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Http { .. } | Error::Protocol { .. } => ErrorKind::Protocol,
            Error::Parse { .. } => ErrorKind::Parse,
            Error::Ingest { .. } => ErrorKind::Protocol,
            Error::Refused { .. } | Error::NotApplied { .. } => ErrorKind::Refused,
            Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::OutcomeUnknown { .. } => ErrorKind::OutcomeUnknown,
            Error::StateNotReached { .. } => ErrorKind::Timeout,
            Error::InvalidTarget { .. }
            | Error::TooManyTargets { .. }
            | Error::TlsConfig(_)
            | Error::XnameMap { .. }
            | Error::InvalidSetting { .. }
            | Error::HttpBootUriWithoutUefiHttp
            | Error::NoXname { .. }
            | Error::Io { .. }
            | Error::Sim(_) => ErrorKind::Config,
        }
    }

    /// True for an HTTP 404 answer (a missing optional resource, which crawls tolerate).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Http { status: 404, .. })
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A per-target failure as reports carry it: the coarse kind and the full message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// The error's message (never contains a password or token).
    pub message: String,
}

impl From<&Error> for TargetError {
    fn from(e: &Error) -> Self {
        TargetError {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

impl From<Error> for TargetError {
    fn from(e: Error) -> Self {
        TargetError::from(&e)
    }
}

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}
