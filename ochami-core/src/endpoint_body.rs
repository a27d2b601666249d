//! Request bodies that create, replace or change a [`RedfishEndpoint`]: SMD's POST (a list
//! of endpoints, one endpoint, or one carrying discovery results: [`RedfishEndpointsPost`]),
//! PUT (a whole endpoint, its `ID` optional) and PATCH (only the keys of
//! `RedfishEndpointPatch`, merged over the stored endpoint).

use serde_json::{Map, Value};

use crate::ingest::{EndpointIngest, Inventory};
use crate::{BodyId, Error, RedfishEndpoint, Result, Xname};

/// What a `POST /Inventory/RedfishEndpoints` stores.
#[derive(Debug, Clone, PartialEq)]
pub enum RedfishEndpointsPost {
    /// Endpoints to register (`{"RedfishEndpoints":[...]}` or one bare endpoint),
    /// normalized; an endpoint that exists already is a conflict.
    Endpoints(Vec<RedfishEndpoint>),
    /// One endpoint's discovery results expanded into inventory
    /// ([`EndpointIngest::expand`]), replacing what an earlier post of it stored.
    Discovery {
        /// The endpoint posted.
        id: Xname,
        /// What it expands into.
        inventory: Inventory,
    },
}

impl RedfishEndpointsPost {
    /// The wrapped list form: at least one endpoint (SMD's `Missing RedfishEndpoints`,
    /// [`Error::MissingUpdate`]), each normalized ([`RedfishEndpoint::normalize`]).
    pub fn from_list(mut endpoints: Vec<RedfishEndpoint>) -> Result<Self> {
        if endpoints.is_empty() {
            return Err(Error::MissingUpdate("RedfishEndpoints"));
        }
        for ep in &mut endpoints {
            ep.normalize()?;
        }
        Ok(RedfishEndpointsPost::Endpoints(endpoints))
    }

    /// The single-endpoint form: discovery results when it carries some
    /// ([`EndpointIngest::is_discovery`]), else the bare endpoint, normalized.
    pub fn from_ingest(ingest: EndpointIngest) -> Result<Self> {
        if ingest.is_discovery() {
            return Ok(RedfishEndpointsPost::Discovery {
                id: ingest.endpoint.id,
                inventory: ingest.expand()?,
            });
        }
        let mut ep = ingest.endpoint;
        ep.normalize()?;
        Ok(RedfishEndpointsPost::Endpoints(vec![ep]))
    }

    /// The ids of the endpoints posted, in order.
    pub fn ids(&self) -> Vec<Xname> {
        match self {
            RedfishEndpointsPost::Endpoints(eps) => eps.iter().map(|e| e.id).collect(),
            RedfishEndpointsPost::Discovery { id, .. } => vec![*id],
        }
    }
}

/// A JSON object as a typed value, naming the path of the first bad field.
fn from_fields<T: serde::de::DeserializeOwned>(fields: Map<String, Value>) -> Result<T> {
    serde_path_to_error::deserialize(Value::Object(fields)).map_err(|e| Error::InvalidBody {
        path: e.path().to_string(),
        reason: e.inner().to_string(),
    })
}

fn parse_xname(s: &str) -> Result<Xname> {
    Ok(s.parse::<Xname>()?)
}

impl RedfishEndpoint {
    /// `PUT /Inventory/RedfishEndpoints/{xname}`: the body's fields as the endpoint `id`
    /// ([`BodyId::SMD`]), normalized.
    ///
    /// ```
    /// use ochami_core::RedfishEndpoint;
    /// let body = serde_json::json!({"FQDN": "10.0.0.5"});
    /// let ep = RedfishEndpoint::from_put(body.as_object().unwrap().clone(), &"x0c0s0b0".parse()?)?;
    /// assert_eq!((ep.id.to_string().as_str(), ep.fqdn.as_str()), ("x0c0s0b0", "10.0.0.5"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_put(mut fields: Map<String, Value>, id: &Xname) -> Result<Self> {
        BodyId::SMD.set_or_check(&mut fields, id, parse_xname)?;
        let mut ep: RedfishEndpoint = from_fields(fields)?;
        ep.normalize()?;
        Ok(ep)
    }
}

/// `PATCH /Inventory/RedfishEndpoints/{xname}`: the keys SMD's `RedfishEndpointPatch` may
/// change, in any ASCII case; any other key is refused.
///
/// ```
/// use ochami_core::{RedfishEndpoint, RedfishEndpointPatch};
/// let current = RedfishEndpoint::new("x0c0s0b0".parse()?, "10.0.0.5");
/// let patch = serde_json::json!({"enabled": false});
/// let patch = RedfishEndpointPatch::from_fields(patch.as_object().unwrap().clone())?;
/// let changed = patch.apply(&current)?;
/// assert_eq!((changed.enabled, changed.fqdn.as_str()), (false, "10.0.0.5"));
///
/// let bad = serde_json::json!({"Colour": "red"});
/// let e = RedfishEndpointPatch::from_fields(bad.as_object().unwrap().clone()).unwrap_err();
/// assert_eq!(e.to_string(), r#"invalid JSON body: unknown field "Colour" for a RedfishEndpoint patch"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RedfishEndpointPatch {
    /// The patch, keys in their canonical spelling.
    fields: Map<String, Value>,
}

impl RedfishEndpointPatch {
    /// The keys a patch may carry.
    pub const KEYS: &'static [&'static str] = &[
        "ID",
        "Type",
        "Name",
        "Hostname",
        "Domain",
        "FQDN",
        "Enabled",
        "UUID",
        "User",
        "Password",
        "UseSSDP",
        "MACRequired",
        "MACAddr",
        "IPAddress",
        "RediscoverOnUpdate",
        "TemplateID",
    ];

    /// Check the keys of a PATCH body.
    pub fn from_fields(patch: Map<String, Value>) -> Result<Self> {
        let mut fields = Map::new();
        for (k, v) in patch {
            let Some(key) = Self::KEYS.iter().find(|p| p.eq_ignore_ascii_case(&k)) else {
                return Err(Error::UnknownPatchField {
                    field: k,
                    record: "RedfishEndpoint",
                });
            };
            fields.insert((*key).to_owned(), v);
        }
        Ok(RedfishEndpointPatch { fields })
    }

    /// The endpoint `current` becomes: the patched keys over its fields, an `ID` in the patch
    /// checked against `current`'s ([`BodyId::SMD`]), normalized.
    pub fn apply(&self, current: &RedfishEndpoint) -> Result<RedfishEndpoint> {
        let value = serde_json::to_value(current).map_err(|e| Error::InvalidBody {
            path: ".".into(),
            reason: e.to_string(),
        })?;
        let Value::Object(mut fields) = value else {
            return Err(Error::InvalidBody {
                path: ".".into(),
                reason: "RedfishEndpoint is not an object".into(),
            });
        };
        fields.extend(self.fields.clone());
        BodyId::SMD.set_or_check(&mut fields, &current.id, parse_xname)?;
        let mut ep: RedfishEndpoint = from_fields(fields)?;
        ep.normalize()?;
        Ok(ep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: serde_json::Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn patch_keys_are_matched_in_any_case_and_keep_the_rest() {
        let mut current = RedfishEndpoint::new("x0c0s0b0".parse().unwrap(), "10.0.0.5");
        current.user = "root".into();
        let p = RedfishEndpointPatch::from_fields(obj(serde_json::json!({
            "fqdn": "bmc.example", "IPADDRESS": "10.0.0.6"
        })))
        .unwrap();
        let ep = p.apply(&current).unwrap();
        assert_eq!(
            (ep.fqdn.as_str(), ep.ip_address.as_str(), ep.user.as_str()),
            ("bmc.example", "10.0.0.6", "root")
        );
    }

    #[test]
    fn patch_id_must_be_the_endpoints() {
        let current = RedfishEndpoint::new("x0c0s0b0".parse().unwrap(), "10.0.0.5");
        let same = RedfishEndpointPatch::from_fields(obj(serde_json::json!({"id": "X0C0S0B0"})));
        assert!(same.unwrap().apply(&current).is_ok());
        let other = RedfishEndpointPatch::from_fields(obj(serde_json::json!({"ID": "x0c0s1b0"})));
        assert_eq!(
            other.unwrap().apply(&current).unwrap_err().to_string(),
            "ID in URL and body do not match"
        );
    }

    #[test]
    fn bad_values_name_their_path() {
        let current = RedfishEndpoint::new("x0c0s0b0".parse().unwrap(), "10.0.0.5");
        let p = RedfishEndpointPatch::from_fields(obj(serde_json::json!({"Enabled": "yes"})));
        let e = p.unwrap().apply(&current).unwrap_err().to_string();
        assert!(e.starts_with("invalid JSON body at Enabled: "), "{e}");
        let e =
            RedfishEndpoint::from_put(obj(serde_json::json!({"IPAddress": "nope"})), &current.id)
                .unwrap_err();
        assert!(e.to_string().contains("IPAddress"), "{e}");
    }
}
