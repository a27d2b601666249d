//! How a client authenticates to a BMC ([`AuthMode`]), how it is authenticating now
//! ([`AuthKind`]) and the state behind it. The protocol (logging in, renewing, closing a
//! session) is in the session module; this file holds only the types both the client and
//! the session code use, so neither imports the other's internals.

use serde::Serialize;

use crate::secret::{Credentials, Secret};
use crate::transport::RequestAuth;

/// How the client authenticates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// A session when the BMC has a SessionService, Basic otherwise or when creating the
    /// session fails for a reason other than bad credentials.
    #[default]
    Auto,
    /// HTTP Basic on every request (what Magellan does).
    Basic,
    /// A session, or fail.
    Session,
}

/// How a connected client is authenticating now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// No credentials were given.
    Anonymous,
    /// HTTP Basic.
    Basic,
    /// A Redfish session token.
    Session,
}

/// Authentication state of a client; `Debug` redacts the token.
#[derive(Debug, Clone)]
pub(crate) enum AuthState {
    Anonymous,
    Basic(Credentials),
    Session {
        token: Secret,
        /// Where to DELETE the session; `None` if the BMC gave no location.
        location: Option<String>,
    },
    Closed,
}

impl AuthState {
    pub(crate) fn request_auth(&self) -> RequestAuth {
        match self {
            AuthState::Anonymous | AuthState::Closed => RequestAuth::None,
            AuthState::Basic(c) => RequestAuth::Basic(c.clone()),
            AuthState::Session { token, .. } => RequestAuth::Token(token.clone()),
        }
    }
}
