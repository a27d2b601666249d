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
    let access = match ochami_store::bmc_access(store, xname).await? {
        Ok(access) => access,
        Err(reason) => return Ok(Err(reason)),
    };
    if access.system.is_empty() {
        return Ok(Err(format!(
            "{xname}: its ComponentEndpoint has no OdataID"
        )));
    }
    Ok(Ok(PowerTarget::new(
        xname.to_string(),
        format!("{scheme}://{}", access.host),
        access
            .credentials
            .map(|c| Credentials::new(c.user, c.password)),
    )
    .system(access.system)))
}
