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

/// How to reach the BMC that manages a node: its host, the node's Redfish system path, and
/// the stored credentials. `Debug` redacts the password (through [`RedfishCredentials`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BmcAccess {
    /// The BMC's xname.
    pub bmc: Xname,
    /// Host name or address (the endpoint's FQDN, else the ComponentEndpoint's, else its
    /// host name).
    pub host: String,
    /// The node's ComputerSystem path (`@odata.id`), empty when discovery did not record it.
    pub system: String,
    /// The stored credentials; `None` when there are none (no user name).
    pub credentials: Option<RedfishCredentials>,
}

/// The BMC access of node `xname`, from its ComponentEndpoint and the RedfishEndpoint behind
/// it, reading its credentials through the one call. `Ok(Err(reason))` when the node cannot
/// be reached that way (not discovered through a BMC, no endpoint, no host, credentials the
/// store's key cannot open): a per-node failure naming the reason, not a store failure.
pub async fn bmc_access(
    store: &dyn crate::Store,
    xname: &Xname,
) -> Result<std::result::Result<BmcAccess, String>> {
    let Some(ce) = store.get_component_endpoint(xname).await? else {
        return Ok(Err(format!(
            "{xname} has no ComponentEndpoint: it was not discovered through a BMC"
        )));
    };
    let Some(ep) = store.get_redfish_endpoint(&ce.redfish_endpoint_id).await? else {
        return Ok(Err(format!(
            "{xname}: its BMC {} has no RedfishEndpoint",
            ce.redfish_endpoint_id
        )));
    };
    let host = [&ep.fqdn, &ce.redfish_endpoint_fqdn, &ep.hostname]
        .into_iter()
        .find(|h| !h.is_empty());
    let Some(host) = host else {
        return Ok(Err(format!(
            "{xname}: its BMC {} has no FQDN or host name",
            ep.id
        )));
    };
    let credentials = match store.redfish_credentials(&ep.id).await {
        Ok(c) => c.filter(|c| !c.user.is_empty()),
        Err(e @ crate::StoreError::SecretKey { .. }) => {
            return Ok(Err(format!(
                "{xname}: the credentials of its BMC {}: {e}",
                ep.id
            )));
        }
        Err(e) => return Err(e),
    };
    Ok(Ok(BmcAccess {
        bmc: ep.id,
        host: host.clone(),
        system: ce.odata_id,
        credentials,
    }))
}

/// Every `Node` discovered through a BMC (it has a ComponentEndpoint), in xname order: the
/// nodes a power status without xnames covers.
pub async fn bmc_nodes(store: &dyn crate::Store) -> Result<Vec<Xname>> {
    let filter = ochami_core::ComponentEndpointFilter {
        hms_type: vec![ochami_core::HmsType::Node],
        ..Default::default()
    };
    Ok(store
        .list_component_endpoints(&filter)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect())
}
