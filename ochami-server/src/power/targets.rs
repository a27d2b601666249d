//! From an xname to the BMC and system that power it: the node's ComponentEndpoint and
//! the RedfishEndpoint behind it. The one place the power service reads BMC credentials.

use ochami_core::Xname;
use ochami_redfish::Credentials;
use ochami_redfish::power::PowerTarget;
use ochami_store::Store;

use crate::problem::ApiError;

/// The target of `xname`, or why there is none (a per-node failure, not a request error).
pub(crate) async fn resolve(
    store: &dyn Store,
    scheme: &str,
    xname: &Xname,
) -> Result<Result<PowerTarget, String>, ApiError> {
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
    if ce.odata_id.is_empty() {
        return Ok(Err(format!(
            "{xname}: its ComponentEndpoint has no OdataID"
        )));
    }
    // The one read of BMC credentials (reads of the endpoint carry no password).
    let credentials = match store.redfish_credentials(&ep.id).await {
        Ok(c) => c.filter(|c| !c.user.is_empty()),
        Err(e @ ochami_store::StoreError::SecretKey { .. }) => {
            return Ok(Err(format!(
                "{xname}: the credentials of its BMC {}: {e}",
                ep.id
            )));
        }
        Err(e) => return Err(e.into()),
    }
    .map(|c| Credentials::new(c.user, c.password));
    Ok(Ok(PowerTarget::new(
        xname.to_string(),
        format!("{scheme}://{host}"),
        credentials,
    )
    .system(ce.odata_id.clone())))
}
