//! The rule every PUT and PATCH that names a record twice follows: the id in the URL wins,
//! and an id in the body, when given, must name the same record.
//!
//! One rule for SMD components and Redfish endpoints (`ID`), SMD group member lists
//! (`group`), cloud-init groups (`name`), cloud-init node data (`id`) and boot-service's
//! configurations (`metadata.uid`) and nodes (`spec.xname`). A body id that is
//! absent, empty or not a string is filled in from the URL; one that names another record
//! is [`Error::IdMismatch`] (or [`Error::IdMismatchWorded`] where the API words it its own way).
//!
//! ```
//! use ochami_core::{BodyId, Xname};
//! let path: Xname = "x0c0s0b0n0".parse()?;
//! let mut fields = serde_json::Map::new();
//! BodyId::SMD.set_or_check(&mut fields, &path, |s| Ok(s.parse::<Xname>()?))?;
//! assert_eq!(fields["ID"], "x0c0s0b0n0");
//!
//! let other = serde_json::json!({"ID": "x0c0s0b0n1"});
//! let mut fields = other.as_object().unwrap().clone();
//! let err = BodyId::SMD.set_or_check(&mut fields, &path, |s| Ok(s.parse::<Xname>()?));
//! assert_eq!(err.unwrap_err().to_string(), "ID in URL and body do not match");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::{Error, Result};

/// Where a body carries the id of the record the URL names, and how a mismatch is worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyId {
    /// The body key (`ID`, `id`, `name`, `group`).
    pub key: &'static str,
    /// Whether the key matches in any ASCII case (SMD's `ID`, `Id`, `id`).
    pub any_case: bool,
    /// How the body is named in the error (`body`, `PATCH body`, `PUT body`).
    pub body: &'static str,
    /// The whole mismatch message where an API words it its own way (boot-service), else
    /// `None` for `<key> in URL and <body> do not match`.
    pub wording: Option<&'static str>,
}

impl BodyId {
    /// SMD PUT bodies (`/State/Components/{xname}`, `/Inventory/RedfishEndpoints/{xname}`):
    /// `ID` in any case.
    pub const SMD: BodyId = BodyId::new("ID", true, "body");
    /// SMD's `CompUpdate` PATCH body (`/State/Components/{xname}[/{kind}]`).
    pub const SMD_PATCH: BodyId = BodyId::new("ID", true, "PATCH body");
    /// `PUT /hsm/v2/groups/{label}/members`: `group`.
    pub const GROUP_MEMBERS: BodyId = BodyId::new("group", false, "PUT body");
    /// `PUT /cloud-init/admin/groups/{name}`: `name`.
    pub const CLOUD_INIT_GROUP: BodyId = BodyId::new("name", false, "PUT body");
    /// `PUT /cloud-init/admin/{instance-info,node-data}/{id}`: `id`.
    pub const CLOUD_INIT_NODE: BodyId = BodyId::new("id", false, "PUT body");
    /// `PUT /boot-service/bootconfigurations/{uid}`: `metadata.uid`.
    pub const BOOT_CONFIGURATION: BodyId =
        BodyId::worded("uid", "metadata.uid in the body does not match the URL");
    /// `PUT /boot-service/nodes/{uid}`: `spec.xname` against the node of the uid.
    pub const BOOT_NODE_PUT: BodyId = BodyId::worded("xname", "spec.xname does not match the uid");
    /// `PATCH /boot-service/nodes/{uid}`: the patched `spec.xname` against the node.
    pub const BOOT_NODE_PATCH: BodyId = BodyId::worded("xname", "spec.xname cannot change");

    /// A body id at `key`.
    pub const fn new(key: &'static str, any_case: bool, body: &'static str) -> Self {
        BodyId {
            key,
            any_case,
            body,
            wording: None,
        }
    }

    /// A body id at `key` (exact case) whose mismatch is `wording`, word for word.
    pub const fn worded(key: &'static str, wording: &'static str) -> Self {
        BodyId {
            key,
            any_case: false,
            body: "body",
            wording: Some(wording),
        }
    }

    fn mismatch(&self) -> Error {
        match self.wording {
            Some(w) => Error::IdMismatchWorded(w),
            None => Error::IdMismatch {
                field: self.key,
                body: self.body,
            },
        }
    }

    /// Check a typed body id: `None` passes, another value is [`Error::IdMismatch`].
    pub fn check<T: PartialEq>(&self, path: &T, body: Option<&T>) -> Result<()> {
        match body {
            Some(b) if b != path => Err(self.mismatch()),
            _ => Ok(()),
        }
    }

    /// Check a body id as received: absent or blank passes; otherwise it is parsed (its
    /// errors are returned) and must equal `path`.
    pub fn check_raw<T: PartialEq>(
        &self,
        path: &T,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T>,
    ) -> Result<()> {
        match raw.map(str::trim) {
            None | Some("") => Ok(()),
            Some(s) => self.check(path, Some(&parse(s)?)),
        }
    }

    /// The JSON-object form: a non-blank string at the key must parse to `path`; anything
    /// else there (absent, blank, not a string) is replaced by `path`'s text under
    /// [`BodyId::key`].
    pub fn set_or_check<T: PartialEq + std::fmt::Display>(
        &self,
        fields: &mut serde_json::Map<String, serde_json::Value>,
        path: &T,
        parse: impl FnOnce(&str) -> Result<T>,
    ) -> Result<()> {
        let found = fields
            .keys()
            .find(|k| {
                if self.any_case {
                    k.eq_ignore_ascii_case(self.key)
                } else {
                    k.as_str() == self.key
                }
            })
            .cloned();
        if let Some(k) = &found
            && let Some(serde_json::Value::String(s)) = fields.get(k)
            && !s.trim().is_empty()
        {
            let s = s.clone();
            return self.check_raw(path, Some(&s), parse);
        }
        if let Some(k) = found {
            fields.remove(&k);
        }
        fields.insert(self.key.to_owned(), path.to_string().into());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Xname;

    fn x(s: &str) -> Xname {
        s.parse().unwrap()
    }

    fn parse(s: &str) -> Result<Xname> {
        Ok(s.parse::<Xname>()?)
    }

    #[test]
    fn typed_ids_pass_when_absent_or_equal() {
        let p = x("x0c0s0b0n0");
        assert_eq!(BodyId::CLOUD_INIT_NODE.check(&p, None), Ok(()));
        assert_eq!(BodyId::CLOUD_INIT_NODE.check(&p, Some(&p)), Ok(()));
        let e = BodyId::CLOUD_INIT_NODE.check(&p, Some(&x("x0c0s0b0n1")));
        assert_eq!(
            e.unwrap_err().to_string(),
            "id in URL and PUT body do not match"
        );
    }

    #[test]
    fn raw_ids_are_parsed_and_normalized_before_comparing() {
        let p = x("x0c0s0b0n0");
        assert_eq!(BodyId::SMD_PATCH.check_raw(&p, Some(" "), parse), Ok(()));
        assert_eq!(
            BodyId::SMD_PATCH.check_raw(&p, Some("X0C0S0B0N00"), parse),
            Ok(())
        );
        let e = BodyId::SMD_PATCH.check_raw(&p, Some("x0c0s0b0n1"), parse);
        assert_eq!(
            e.unwrap_err().to_string(),
            "ID in URL and PATCH body do not match"
        );
        let bad = BodyId::SMD_PATCH.check_raw(&p, Some("nonsense"), parse);
        assert!(matches!(bad, Err(Error::Xname(_))), "{bad:?}");
    }

    #[test]
    fn json_ids_are_filled_in_from_the_url() {
        let p = x("x0c0s0b0n0");
        for body in [
            serde_json::json!({}),
            serde_json::json!({"id": ""}),
            serde_json::json!({"Id": 7}),
        ] {
            let mut fields = body.as_object().unwrap().clone();
            BodyId::SMD.set_or_check(&mut fields, &p, parse).unwrap();
            assert_eq!(
                serde_json::Value::Object(fields),
                serde_json::json!({"ID": "x0c0s0b0n0"})
            );
        }
    }

    #[test]
    fn worded_rules_keep_their_words() {
        let p = x("x0c0s0b0n0");
        let e = BodyId::BOOT_NODE_PATCH.check(&p, Some(&x("x0c0s0b0n1")));
        assert_eq!(e.unwrap_err().to_string(), "spec.xname cannot change");
        let uid = "bootconfiguration-1".to_owned();
        assert_eq!(BodyId::BOOT_CONFIGURATION.check(&uid, Some(&uid)), Ok(()));
        let e = BodyId::BOOT_CONFIGURATION.check(&uid, Some(&"other".to_owned()));
        assert_eq!(
            e.unwrap_err().to_string(),
            "metadata.uid in the body does not match the URL"
        );
    }

    #[test]
    fn json_key_case_follows_the_rule() {
        let p = x("x0c0s0b0n0");
        let body = serde_json::json!({"Id": "x0c0s0b0n1"});
        let mut fields = body.as_object().unwrap().clone();
        assert!(BodyId::SMD.set_or_check(&mut fields, &p, parse).is_err());
        // cloud-init keys are exact: `ID` is not its `id`, so the URL's is added beside it.
        let mut fields = serde_json::json!({"ID": "x0c0s0b0n1"})
            .as_object()
            .unwrap()
            .clone();
        BodyId::CLOUD_INIT_NODE
            .set_or_check(&mut fields, &p, parse)
            .unwrap();
        assert_eq!(fields["id"], "x0c0s0b0n0");
        assert_eq!(fields["ID"], "x0c0s0b0n1");
    }
}
