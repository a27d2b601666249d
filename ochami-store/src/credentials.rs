//! The one read of BMC credentials. Reads of Redfish endpoints never carry a password; a
//! service that must talk to a BMC asks [`CredentialStore::redfish_credentials`] just before.
//! Encryption at rest (feature `secrets`, on with `sqlite` and `postgres`) is described in
//! the `secret` module.

use std::fmt;

use async_trait::async_trait;
use ochami_core::Xname;

use crate::Result;

/// BMC credentials of one Redfish endpoint, as [`CredentialStore::redfish_credentials`]
/// returns them. `Debug` redacts the password.
#[derive(Clone, PartialEq, Eq)]
pub struct RedfishCredentials {
    /// The user name.
    pub user: String,
    /// The password, in clear.
    pub password: String,
}

impl fmt::Debug for RedfishCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedfishCredentials")
            .field("user", &self.user)
            .field(
                "password",
                &if self.password.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .finish()
    }
}

/// The one read of BMC credentials: reads of Redfish endpoints never carry a password, a
/// service that must talk to a BMC asks here just before.
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// The user and password stored for Redfish endpoint `id` (decrypted); None when the
    /// endpoint is absent. [`crate::StoreError::SecretKey`] when the password is encrypted and the
    /// store has no key, or not with its key.
    async fn redfish_credentials(&self, id: &Xname) -> Result<Option<RedfishCredentials>>;
}
