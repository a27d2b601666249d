//! Rows to domain values and back. Columns hold the wire spelling (canonical enum text,
//! normalized xnames, colon MACs), so reading parses with the domain's own parsers; a value
//! that does not parse means the database was edited by hand, and is reported as such.

use std::fmt::Display;
use std::str::FromStr;

use ochami_core::{Component, EthernetInterface, IpAddressEntry, MacAddr, RedfishEndpoint, Xname};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::driver::{ColType, SqlRow};
use crate::{BoxError, Result, StoreError};

/// A stored value that does not read back.
pub(crate) fn corrupt(what: &str, e: impl Into<BoxError>) -> StoreError {
    let source = e.into();
    StoreError::backend(
        format!("unreadable {what} in the database: {source}"),
        source,
    )
}

/// Serialize a value for a JSON column.
pub(crate) fn to_json<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    serde_json::to_string(v)
        .map_err(|e| StoreError::backend(format!("cannot encode a JSON column: {e}"), e))
}

/// Read a JSON column.
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: Option<String>) -> Result<T> {
    let text = text.ok_or_else(|| corrupt(what, "NULL"))?;
    serde_json::from_str(&text).map_err(|e| corrupt(what, e))
}

/// A required text column.
pub(crate) fn req_text(r: &impl SqlRow, i: usize, what: &str) -> Result<String> {
    r.text(i)?.ok_or_else(|| corrupt(what, "NULL"))
}

/// A text column parsed with `FromStr`; NULL and empty read as absent.
pub(crate) fn parse_opt<T: FromStr>(r: &impl SqlRow, i: usize, what: &str) -> Result<Option<T>>
where
    T::Err: Into<BoxError>,
{
    match r.text(i)? {
        Some(s) if !s.is_empty() => s.parse().map(Some).map_err(|e| corrupt(what, e)),
        _ => Ok(None),
    }
}

/// A required xname column.
pub(crate) fn xname(r: &impl SqlRow, i: usize, what: &str) -> Result<Xname> {
    parse_opt(r, i, what)?.ok_or_else(|| corrupt(what, "empty"))
}

/// Components' columns, in the order [`component`] reads and [`component_row`] writes them.
pub(crate) const COMPONENT_COLS: &str = "id, type, state, flag, enabled, software_status, role, sub_role, nid, \
     subtype, net_type, arch, class, reservation_disabled, locked";

/// [`COMPONENT_COLS`] qualified with the alias `c`.
pub(crate) const COMPONENT_COLS_C: &str = "c.id, c.type, c.state, c.flag, c.enabled, c.software_status, c.role, \
     c.sub_role, c.nid, c.subtype, c.net_type, c.arch, c.class, c.reservation_disabled, c.locked";

/// Column types of [`COMPONENT_COLS`] for a bulk row set.
pub(crate) const COMPONENT_TYPES: &[ColType] = &[
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Bool,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Int,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Text,
    ColType::Bool,
    ColType::Bool,
];

/// Read a component row.
pub(crate) fn component(r: &impl SqlRow) -> Result<Component> {
    let id = xname(r, 0, "component id")?;
    Ok(Component {
        id,
        hms_type: id.hms_type(),
        state: parse_opt(r, 2, "component State")?,
        flag: parse_opt(r, 3, "component Flag")?,
        enabled: Some(r.boolean(4)?),
        software_status: r.text(5)?.filter(|s| !s.is_empty()),
        role: parse_opt(r, 6, "component Role")?,
        sub_role: parse_opt(r, 7, "component SubRole")?,
        nid: r.int(8)?,
        subtype: r.text(9)?.filter(|s| !s.is_empty()),
        net_type: parse_opt(r, 10, "component NetType")?,
        arch: parse_opt(r, 11, "component Arch")?,
        class: parse_opt(r, 12, "component Class")?,
        reservation_disabled: r.boolean(13)?,
        locked: r.boolean(14)?,
    })
}

fn text_of<T: Display>(v: Option<T>) -> Value {
    v.map_or(Value::Null, |x| Value::String(x.to_string()))
}

/// A normalized component as a JSON row for a bulk row set.
pub(crate) fn component_row(c: &Component) -> Value {
    Value::Array(vec![
        Value::String(c.id.to_string()),
        Value::String(c.hms_type.to_string()),
        text_of(c.state),
        text_of(c.flag),
        Value::Bool(c.enabled.unwrap_or(true)),
        text_of(c.software_status.as_deref()),
        text_of(c.role),
        text_of(c.sub_role),
        c.nid.map_or(Value::Null, Value::from),
        text_of(c.subtype.as_deref()),
        text_of(c.net_type),
        text_of(c.arch),
        text_of(c.class),
        Value::Bool(c.reservation_disabled),
        Value::Bool(c.locked),
    ])
}

/// Redfish endpoints' columns, in the order [`redfish_endpoint`] reads them.
pub(crate) const REDFISH_COLS: &str = "id, type, name, hostname, domain, fqdn, enabled, uuid, username, password, \
     use_ssdp, mac_required, mac_addr, ip_address, rediscover_on_update, template_id, last_discovery_attempt, \
     last_discovery_status, redfish_version";

/// Read a Redfish endpoint row.
pub(crate) fn redfish_endpoint(r: &impl SqlRow) -> Result<RedfishEndpoint> {
    let id = xname(r, 0, "RedfishEndpoint ID")?;
    let t = |i| r.text(i).map(Option::unwrap_or_default);
    let mut ep = RedfishEndpoint::new(id, "");
    ep.name = t(2)?;
    ep.hostname = t(3)?;
    ep.domain = t(4)?;
    ep.fqdn = t(5)?;
    ep.enabled = r.boolean(6)?;
    ep.uuid = t(7)?;
    ep.user = t(8)?;
    // Column 9, the password, is write-only: read through `CredentialStore` alone.
    ep.use_ssdp = r.boolean(10)?;
    ep.mac_required = r.boolean(11)?;
    ep.mac_addr = parse_opt::<MacAddr>(r, 12, "RedfishEndpoint MACAddr")?;
    ep.ip_address = t(13)?;
    ep.rediscover_on_update = r.boolean(14)?;
    ep.template_id = t(15)?;
    ep.discovery_info.last_attempt = t(16)?;
    ep.discovery_info.last_status = t(17)?;
    ep.discovery_info.redfish_version = t(18)?;
    Ok(ep)
}

/// A Redfish endpoint's values in [`REDFISH_COLS`] order, the password as given (the
/// caller encrypts it).
pub(crate) fn redfish_values(ep: &RedfishEndpoint) -> Vec<super::driver::Val> {
    use super::driver::Val;
    vec![
        ep.id.to_string().into(),
        ep.hms_type.to_string().into(),
        ep.name.clone().into(),
        ep.hostname.clone().into(),
        ep.domain.clone().into(),
        ep.fqdn.clone().into(),
        ep.enabled.into(),
        ep.uuid.clone().into(),
        ep.user.clone().into(),
        ep.password.clone().into(),
        ep.use_ssdp.into(),
        ep.mac_required.into(),
        Val::Text(ep.mac_addr.map(|m| m.to_string())),
        ep.ip_address.clone().into(),
        ep.rediscover_on_update.into(),
        ep.template_id.clone().into(),
        ep.discovery_info.last_attempt.clone().into(),
        ep.discovery_info.last_status.clone().into(),
        ep.discovery_info.redfish_version.clone().into(),
    ]
}

/// Ethernet interfaces' columns, in the order [`ethernet_interface`] reads them.
pub(crate) const ETH_COLS: &str =
    "id, mac_address, description, last_update, component_id, type, ip_addresses";

/// [`ETH_COLS`] qualified with the alias `e`.
pub(crate) const ETH_COLS_E: &str =
    "e.id, e.mac_address, e.description, e.last_update, e.component_id, e.type, e.ip_addresses";

/// Read an ethernet interface row.
pub(crate) fn ethernet_interface(r: &impl SqlRow) -> Result<EthernetInterface> {
    let mac: MacAddr = parse_opt(r, 1, "EthernetInterface MACAddress")?
        .ok_or_else(|| corrupt("EthernetInterface MACAddress", "empty"))?;
    let ips: Vec<IpAddressEntry> = from_json("EthernetInterface IPAddresses", r.json(6)?)?;
    Ok(EthernetInterface {
        id: req_text(r, 0, "EthernetInterface ID")?,
        description: r.text(2)?.unwrap_or_default(),
        mac_address: mac,
        last_update: r.text(3)?.unwrap_or_default(),
        component_id: parse_opt(r, 4, "EthernetInterface ComponentID")?,
        hms_type: parse_opt(r, 5, "EthernetInterface Type")?,
        ip_addresses: ips,
    })
}
