//! The one error type of `ochami-boot`.
//!
//! An unknown node is *not* an error: it gets the unknown-node script. Errors are bad
//! requests (a malformed `mac=`), data that cannot be served safely, and failures of the
//! [`crate::BootSource`]. Servers map the variants to their protocol's answers (an HTTP
//! server: 400 for [`BootError::InvalidParam`] and [`BootError::MissingTarget`], 404 for
//! [`BootError::NodeNotFound`] and [`BootError::NotInGroup`], 500 or 503 for the rest).

use ochami_core::Xname;

/// Result alias for `ochami-boot`.
pub type Result<T, E = BootError> = std::result::Result<T, E>;

/// Why a bootscript, cloud-init document or DHCP answer could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BootError {
    /// A query parameter (`mac`, `name`, `nid`, `arch`, `retry`, `ts`, `json`) or a path
    /// value (`group`) is malformed or repeated.
    #[error("bad {param} parameter {value:?}: {reason}")]
    InvalidParam {
        /// The parameter's name as BSS spells it.
        param: &'static str,
        /// The value as received.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A bootscript request naming no node (the message is BSS's text).
    #[error("Need a mac=, name=, or nid= parameter")]
    MissingTarget,
    /// Stored boot parameters that would break the script (a newline, `||`, a lone `;`...).
    /// The store refuses them on write; this catches data written some other way.
    #[error("boot parameters stored under {key} cannot be rendered: {source}")]
    UnsafeParams {
        /// The name they are stored under (`x1000c0s0b0n0`, `Default`, a MAC...).
        key: String,
        /// The field that is wrong (`kernel`, `initrd` or `params`), named in the message.
        #[source]
        source: ochami_core::Error,
    },
    /// A [`crate::BootOptions`] URL that cannot be written into a script line.
    #[error("option {option} {value:?} cannot be written into a bootscript: {reason}")]
    UnsafeOption {
        /// `chain_url` or `cloud_init_url`.
        option: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// cloud-init: the node is not in the inventory.
    #[error("node {0} not found")]
    NodeNotFound(Xname),
    /// cloud-init: the node asked for a group document of a group it is not in.
    #[error("node {node} is not a member of group {group:?}")]
    NotInGroup {
        /// The node.
        node: Xname,
        /// The group asked for.
        group: String,
    },
    /// cloud-init: a group's stored file cannot be served (bad base64, not UTF-8).
    #[error("cloud-init file of group {group:?} cannot be served: {reason}")]
    BadGroupFile {
        /// The group.
        group: String,
        /// What is wrong.
        reason: String,
    },
    /// cloud-init: vendor-data needs a base URL and none is set (neither the node's instance
    /// info, the cluster defaults' `base-url` nor [`crate::BootOptions::cloud_init_url`]).
    #[error(
        "no cloud-init base URL: set the cluster defaults' base-url or the server's cloud-init URL"
    )]
    NoCloudInitUrl,
    /// A template or serializer failed; a bug, since every value is checked first.
    #[error("rendering failed: {0}")]
    Render(String),
    /// The [`crate::BootSource`] failed (a store error, for `ochami-store` stores); the
    /// original error is the [`std::error::Error::source`], so callers can downcast it.
    #[error("reading boot data failed: {0}")]
    Source(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl BootError {
    pub(crate) fn param(param: &'static str, value: &str, reason: impl Into<String>) -> Self {
        BootError::InvalidParam {
            param,
            value: value.to_owned(),
            reason: reason.into(),
        }
    }
}
