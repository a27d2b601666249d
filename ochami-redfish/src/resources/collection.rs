//! Resource collections (`/redfish/v1/Systems`, `.../EthernetInterfaces`, ...).

use serde::Serialize;
use serde_json::Value;

use super::lenient::{self, tolerant_deserialize};

/// One page of a Redfish collection.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Collection {
    /// The collection's `@odata.id`.
    pub odata_id: Option<String>,
    /// `Name`.
    pub name: Option<String>,
    /// The members' `@odata.id`s, in the order given.
    pub members: Vec<String>,
    /// `Members@odata.count` (the total over all pages), when given.
    pub count: Option<u64>,
    /// `Members@odata.nextLink`: the next page, when the collection is paginated.
    pub next_link: Option<String>,
}

impl Collection {
    /// Reads a collection page tolerantly.
    pub fn from_value(v: &Value) -> Self {
        Collection {
            odata_id: lenient::odata_id(v),
            name: lenient::text(v, "Name"),
            members: lenient::link_list(v, "Members"),
            count: lenient::uint(v, "Members@odata.count"),
            next_link: lenient::text(v, "Members@odata.nextLink"),
        }
    }
}

tolerant_deserialize!(Collection);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_members_and_next_link() {
        let c: Collection = serde_json::from_str(
            r#"{"Members":[{"@odata.id":"/redfish/v1/Systems/1"},{"bogus":true}],
                "Members@odata.count":"2","Members@odata.nextLink":"/redfish/v1/Systems?$skip=1"}"#,
        )
        .unwrap();
        assert_eq!(c.members, vec!["/redfish/v1/Systems/1"]);
        assert_eq!(c.count, Some(2));
        assert_eq!(c.next_link.as_deref(), Some("/redfish/v1/Systems?$skip=1"));
        let empty: Collection = serde_json::from_str(r#"{"Members": "oops"}"#).unwrap();
        assert!(empty.members.is_empty());
    }
}
