//! The one error type of `ochami-core`: every way a value from the wire can be wrong.

use crate::XnameError;

/// Result alias for `ochami-core`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a value could not be accepted. Each variant names what was wrong so that a server can
/// turn it into a 400 whose detail a user can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A malformed or out-of-range xname.
    #[error(transparent)]
    Xname(#[from] XnameError),
    /// A string that is not a MAC address in any accepted form.
    #[error("invalid MAC address {input:?}: {reason}")]
    InvalidMac {
        /// The text as received.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A field holds a value outside its enumeration or grammar.
    #[error("invalid {field} {value:?}: expected {expected}")]
    InvalidValue {
        /// The field's wire name (`State`, `Role`, `label`, ...).
        field: &'static str,
        /// The value as received.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A required field is absent.
    #[error("missing {field}")]
    MissingField {
        /// The field's wire name.
        field: &'static str,
    },
    /// A state change that SMD's transition table forbids without `Force`.
    #[error("component {id}: State {from} cannot change to {to} without Force")]
    InvalidTransition {
        /// The component.
        id: String,
        /// Its current state.
        from: crate::State,
        /// The requested state.
        to: crate::State,
    },
    /// A row of a nodes.yaml static inventory is unusable.
    #[error("nodes file line {line}: {message}")]
    NodesFile {
        /// 1-based line of the row (0 when it cannot be placed).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The id in a request body names another record than the URL ([`crate::BodyId`]).
    #[error("{field} in URL and {body} do not match")]
    IdMismatch {
        /// The body key (`ID`, `id`, `name`, `group`).
        field: &'static str,
        /// How the body is named (`body`, `PATCH body`, `PUT body`).
        body: &'static str,
    },
    /// A request body lacks what its route requires (`Missing State`, `Missing IDs`,
    /// `Missing Components`, `Missing description or tags`).
    #[error("Missing {0}")]
    MissingUpdate(&'static str),
    /// A PATCH body that asks for no change, or for one its route does not make.
    #[error("{0}")]
    InvalidUpdate(&'static str),
    /// A request body field holds a value of the wrong shape.
    #[error("invalid JSON body at {path}: {reason}")]
    InvalidBody {
        /// Where in the body (`Enabled`, `Components[0].State`).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A PATCH body names a key the record's patch does not have.
    #[error("invalid JSON body: unknown field {field:?} for a {record} patch")]
    UnknownPatchField {
        /// The key as received.
        field: String,
        /// The record patched (`RedfishEndpoint`).
        record: &'static str,
    },
    /// A JSON Patch (RFC 6902) document that is malformed or whose operation `index` failed.
    #[error("invalid JSON patch{}: {reason}", index.map(|i| format!(" (operation {i})")).unwrap_or_default())]
    InvalidPatch {
        /// The failing operation (0-based), when the document itself was well-formed.
        index: Option<usize>,
        /// What is wrong.
        reason: String,
    },
    /// A resource (metadata-service's envelope and spec) that breaks a rule of its kind:
    /// `spec.cluster_name is required`, `metadata.name cannot change (it is the uid)`.
    #[error("{0}")]
    InvalidResource(&'static str),
    /// A create of something that exists already and may not be replaced (a node's
    /// instance info through metadata-service's `POST`): a conflict, not a bad value.
    #[error("{what} exists (uid {uid})")]
    Exists {
        /// What exists (`instance info for x0c0s0b0n0`).
        what: String,
        /// The uid it is found under.
        uid: String,
    },
    /// A query parameter that is unknown or has a bad value.
    #[error("bad query param {key:?}: {reason}")]
    InvalidQuery {
        /// The parameter name as received.
        key: String,
        /// What is wrong.
        reason: String,
    },
    // ---- boot-service (OpenCHAMI v0.2) resources ----
    /// A boot configuration written through BSS cannot be rewritten through boot-service
    /// ([`crate::BootConfiguration::check_writable`]); servers answer 409.
    #[error(
        "{uid} was written through BSS; change it with /boot/v1/bootparameters (or delete it here)"
    )]
    WrittenThroughBss {
        /// The configuration's `legacy-…` uid.
        uid: String,
    },
    /// An xname that must name a node (`Node` or `VirtualNode`) names another type.
    #[error("{field} {id} is a {hms_type}, not a node")]
    NotANode {
        /// The field's wire path (`spec.xname`).
        field: &'static str,
        /// The xname.
        id: crate::Xname,
        /// Its type.
        hms_type: crate::HmsType,
    },
    /// As [`Error::IdMismatch`], in the words of the API that received the body
    /// ([`crate::BodyId::worded`]).
    #[error("{0}")]
    IdMismatchWorded(&'static str),
}

impl Error {
    pub(crate) fn invalid(
        field: &'static str,
        value: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidValue {
            field,
            value: value.into(),
            expected: expected.into(),
        }
    }
}
