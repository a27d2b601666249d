//! Which nodes a request names (PCS's `location` list) and, from an xname, the BMC and
//! system that power it: the node's ComponentEndpoint and the RedfishEndpoint behind it.
//! The one place the power service reads BMC credentials.

use ochami_core::Xname;
use ochami_redfish::Credentials;
use ochami_redfish::power::PowerTarget;
use ochami_store::Store;
use serde::Deserialize;

use crate::problem::ApiError;

/// One entry of a request's `location` list (transitions, boot overrides).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Location {
    xname: String,
    #[serde(default)]
    #[allow(dead_code)] // accepted for compatibility; reservations are not taken
    deputy_key: Option<String>,
}

/// The distinct xnames of `location`, in request order: 400 when it lists none or names a
/// malformed xname.
pub(super) fn distinct_xnames(location: &[Location]) -> Result<Vec<Xname>, ApiError> {
    if location.is_empty() {
        return Err(ApiError::bad_request("location lists no xname"));
    }
    let mut xnames: Vec<Xname> = Vec::with_capacity(location.len());
    for l in location {
        let x = crate::problem::xname(&l.xname)?;
        if !xnames.contains(&x) {
            xnames.push(x);
        }
    }
    Ok(xnames)
}

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
