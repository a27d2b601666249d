//! The service root, `GET /redfish/v1/`: proof that a host is a Redfish service.

use serde::Serialize;
use serde_json::Value;

use super::lenient::{self, tolerant_deserialize};

/// What the service root says about `$expand` (`ProtocolFeaturesSupported.ExpandQuery`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ExpandSupport {
    /// `ExpandAll`: `$expand=*`.
    pub expand_all: bool,
    /// `NoLinks`: `$expand=.` (subordinate resources, which includes collection members).
    pub no_links: bool,
    /// `Levels`: `($levels=n)`.
    pub levels: bool,
}

impl ExpandSupport {
    /// The `$expand` value to request collection members in one round trip, if any form is
    /// advertised: `.` (members only) when `NoLinks` is, else `*`.
    pub fn query(&self) -> Option<&'static str> {
        match (self.no_links, self.expand_all) {
            (true, _) => Some("."),
            (false, true) => Some("*"),
            _ => None,
        }
    }
}

/// `GET /redfish/v1/`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServiceRoot {
    /// `@odata.id`.
    pub odata_id: Option<String>,
    /// `@odata.type`, e.g. `#ServiceRoot.v1_15_0.ServiceRoot`.
    pub odata_type: Option<String>,
    /// `RedfishVersion`, e.g. `1.15.0`.
    pub redfish_version: Option<String>,
    /// `UUID` of the service (the BMC).
    pub uuid: Option<String>,
    /// `Vendor` (Redfish 1.5+), e.g. `HPE`.
    pub vendor: Option<String>,
    /// `Product`, e.g. `ProLiant DL325 Gen10 Plus`.
    pub product: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// Link to the Systems collection.
    pub systems: Option<String>,
    /// Link to the Chassis collection.
    pub chassis: Option<String>,
    /// Link to the Managers collection.
    pub managers: Option<String>,
    /// Link to the SessionService.
    pub session_service: Option<String>,
    /// `Links.Sessions`: the sessions collection to POST to.
    pub sessions: Option<String>,
    /// `$expand` support.
    pub expand: ExpandSupport,
    /// `Oem`, raw.
    pub oem: Option<Value>,
}

impl ServiceRoot {
    /// True when `v` looks like a Redfish service root: an object with `RedfishVersion`
    /// or an `@odata.type` of `ServiceRoot`.
    pub fn is_service_root(v: &Value) -> bool {
        v.is_object()
            && (lenient::text(v, "RedfishVersion").is_some()
                || lenient::text(v, "@odata.type").is_some_and(|t| t.contains("ServiceRoot")))
    }

    /// Reads a service root tolerantly.
    pub fn from_value(v: &Value) -> Self {
        let eq = lenient::at(v, &["ProtocolFeaturesSupported", "ExpandQuery"]);
        let flag = |k| eq.and_then(|e| lenient::boolean(e, k)).unwrap_or(false);
        ServiceRoot {
            odata_id: lenient::odata_id(v),
            odata_type: lenient::text(v, "@odata.type"),
            redfish_version: lenient::text(v, "RedfishVersion"),
            uuid: lenient::text(v, "UUID"),
            vendor: lenient::text(v, "Vendor"),
            product: lenient::text(v, "Product"),
            name: lenient::text(v, "Name"),
            systems: lenient::link(v, "Systems"),
            chassis: lenient::link(v, "Chassis"),
            managers: lenient::link(v, "Managers"),
            session_service: lenient::link(v, "SessionService"),
            sessions: lenient::at(v, &["Links"]).and_then(|l| lenient::link(l, "Sessions")),
            expand: ExpandSupport {
                expand_all: flag("ExpandAll"),
                no_links: flag("NoLinks"),
                levels: flag("Levels"),
            },
            oem: lenient::oem(v),
        }
    }

    /// The path to POST a session to, if the service has a SessionService.
    pub fn sessions_path(&self) -> Option<String> {
        self.sessions.clone().or_else(|| {
            self.session_service
                .as_ref()
                .map(|s| format!("{}/Sessions", s.trim_end_matches('/')))
        })
    }
}

tolerant_deserialize!(ServiceRoot);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn detects_service_roots() {
        assert!(ServiceRoot::is_service_root(
            &json!({"RedfishVersion": "1.6.0"})
        ));
        assert!(ServiceRoot::is_service_root(
            &json!({"@odata.type": "#ServiceRoot.v1_2_0.ServiceRoot"})
        ));
        assert!(!ServiceRoot::is_service_root(&json!({"hello": "world"})));
        assert!(!ServiceRoot::is_service_root(&json!(["RedfishVersion"])));
        assert!(!ServiceRoot::is_service_root(
            &json!({"RedfishVersion": ""})
        ));
    }

    #[test]
    fn reads_expand_and_sessions() {
        let r = ServiceRoot::from_value(&json!({
            "RedfishVersion": "1.15.0", "UUID": "N/A", "Vendor": 7,
            "ProtocolFeaturesSupported": {"ExpandQuery": {"ExpandAll": true, "NoLinks": "yes"}},
            "SessionService": {"@odata.id": "/redfish/v1/SessionService"}
        }));
        assert_eq!(r.uuid, None);
        assert_eq!(r.vendor.as_deref(), Some("7"));
        assert_eq!(r.expand.query(), Some("*"));
        assert_eq!(
            r.sessions_path().as_deref(),
            Some("/redfish/v1/SessionService/Sessions")
        );
        assert_eq!(ServiceRoot::from_value(&json!("x")), ServiceRoot::default());
    }
}
