//! The arguments `ochami.Store` and `ochami.Client` share, checked once: both classes offer
//! the same inventory methods, one over a store and one over HTTP, and a bad argument raises
//! the same exception from either before anything is read or sent.

use ochami_core::{
    BootParams, ComponentEndpointFilter, EthernetInterfaceFilter, Flag, HmsType, MacAddr,
    RedfishEndpointFilter, Role, State, SubRole, Xname,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::args::{parsed, strings, xname_arg, xnames};
use crate::errors::core_err;
use crate::store::hms_type;

/// `set_state`'s state and optional flag.
pub(crate) fn state_and_flag(state: &str, flag: Option<&str>) -> PyResult<(State, Option<Flag>)> {
    let state = state.parse::<State>().map_err(core_err)?;
    let flag = flag.map(str::parse::<Flag>).transpose().map_err(core_err)?;
    Ok((state, flag))
}

/// `set_flag`'s flag.
pub(crate) fn flag_arg(flag: &str) -> PyResult<Flag> {
    flag.parse::<Flag>().map_err(core_err)
}

/// `set_role`'s role and optional sub-role.
pub(crate) fn role_and_sub_role(
    role: &str,
    sub_role: Option<&str>,
) -> PyResult<(Role, Option<SubRole>)> {
    let role = role.parse::<Role>().map_err(core_err)?;
    let sub_role = sub_role
        .map(str::parse::<SubRole>)
        .transpose()
        .map_err(core_err)?;
    Ok((role, sub_role))
}

/// `set_nids`'s `{xname: nid}`.
pub(crate) fn nid_pairs(nids: &Bound<'_, PyDict>) -> PyResult<Vec<(Xname, i64)>> {
    nids.iter()
        .map(|(k, v)| Ok((xname_arg(&k)?, v.extract::<i64>()?)))
        .collect()
}

/// A MAC address in any accepted form.
pub(crate) fn mac_arg(mac: &str) -> PyResult<MacAddr> {
    mac.parse().map_err(core_err)
}

/// `ethernet_interfaces`' keyword arguments (each one value or a list).
pub(crate) fn ethernet_interface_filter(
    mac: Option<&Bound<'_, PyAny>>,
    ip: Option<&Bound<'_, PyAny>>,
    network: Option<&Bound<'_, PyAny>>,
    component_id: Option<&Bound<'_, PyAny>>,
    hms_type: Option<&Bound<'_, PyAny>>,
) -> PyResult<EthernetInterfaceFilter> {
    Ok(EthernetInterfaceFilter {
        mac: parsed::<MacAddr>(mac, "mac")?,
        ip: parsed::<std::net::IpAddr>(ip, "ip")?,
        network: strings(network)?,
        component_id: xnames(component_id)?,
        hms_type: parsed::<HmsType>(hms_type, "type")?,
        ..EthernetInterfaceFilter::default()
    })
}

/// `redfish_endpoints`' keyword arguments (each one value or a list).
pub(crate) fn redfish_endpoint_filter(
    id: Option<&Bound<'_, PyAny>>,
    fqdn: Option<&Bound<'_, PyAny>>,
    hms_type: Option<&Bound<'_, PyAny>>,
    uuid: Option<&Bound<'_, PyAny>>,
    mac: Option<&Bound<'_, PyAny>>,
    ip: Option<&Bound<'_, PyAny>>,
    last_status: Option<&Bound<'_, PyAny>>,
) -> PyResult<RedfishEndpointFilter> {
    Ok(RedfishEndpointFilter {
        id: xnames(id)?,
        fqdn: strings(fqdn)?,
        hms_type: parsed::<HmsType>(hms_type, "type")?,
        uuid: strings(uuid)?,
        mac: parsed::<MacAddr>(mac, "mac")?,
        ip: strings(ip)?,
        last_status: strings(last_status)?,
    })
}

/// `component_endpoints`' keyword arguments.
pub(crate) fn component_endpoint_filter(
    redfish_endpoint: Option<&Bound<'_, PyAny>>,
    r#type: Option<&str>,
) -> PyResult<ComponentEndpointFilter> {
    Ok(ComponentEndpointFilter {
        redfish_ep: redfish_endpoint
            .map(xname_arg)
            .transpose()?
            .into_iter()
            .collect(),
        hms_type: hms_type(r#type)?.into_iter().collect(),
        ..ComponentEndpointFilter::default()
    })
}

/// `boot_params`' names (none: every entry). They are normalized where they are looked up
/// (the store, or the server's).
pub(crate) fn boot_names(
    hosts: Option<&Bound<'_, PyAny>>,
    macs: Option<&Bound<'_, PyAny>>,
    nids: Option<&Bound<'_, PyAny>>,
) -> PyResult<BootParams> {
    Ok(BootParams {
        hosts: strings(hosts)?,
        macs: strings(macs)?,
        nids: parsed::<i32>(nids, "nid")?,
        ..BootParams::default()
    })
}
