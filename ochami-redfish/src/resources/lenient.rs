//! Tolerant field readers over `serde_json::Value`.
//!
//! BMCs send wrong types (`"N/A"` where a number belongs, numeric ids), placeholders
//! (`"Not Available"`, `0.0.0.0`, `""`) and omit fields. Each reader here returns `None`
//! for anything that is not a usable value of the expected type, so one bad field never
//! fails a whole resource and nothing a BMC sends can panic the crate.

use std::net::Ipv4Addr;

use ochami_core::MacAddr;
use serde_json::Value;

/// Strings BMCs use for "no value". Compared case-insensitively after trimming.
const PLACEHOLDERS: &[&str] = &[
    "",
    "n/a",
    "na",
    "none",
    "null",
    "not available",
    "notavailable",
    "not applicable",
    "not specified",
    "unknown",
    "to be filled by o.e.m.",
    "default string",
    "0.0.0.0",
    "00:00:00:00:00:00",
    "::",
];

/// True when `s` is a placeholder that means "no value".
pub fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    PLACEHOLDERS.iter().any(|p| t.eq_ignore_ascii_case(p))
}

/// A trimmed, non-placeholder string. Numbers and booleans are turned into text (some BMCs
/// send numeric ids); objects, arrays and null give `None`.
pub fn text(v: &Value, key: &str) -> Option<String> {
    as_text(v.get(key)?)
}

/// [`text`] on a value rather than on a field.
pub fn as_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!is_placeholder(&s)).then_some(s)
}

/// A non-negative integer: a JSON integer, an integral float, or a numeric string.
pub fn uint(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < 9.0e15)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A finite float: a JSON number or a numeric string.
pub fn float(v: &Value, key: &str) -> Option<f64> {
    let f = match v.get(key)? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    f.is_finite().then_some(f)
}

/// A boolean: JSON `true`/`false` or the strings `"true"`/`"false"` (any case).
pub fn boolean(v: &Value, key: &str) -> Option<bool> {
    match v.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// The value at a path of object keys (`["Status", "State"]`), if every step is an object.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(v, |cur, key| cur.as_object()?.get(*key))
}

/// The resource's own `@odata.id`.
pub fn odata_id(v: &Value) -> Option<String> {
    text(v, "@odata.id")
}

/// The `@odata.id` of a navigation property `{ "<key>": { "@odata.id": ... } }`.
pub fn link(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(odata_id)
}

/// The `@odata.id`s of an array of navigation properties; a lone object is accepted too.
pub fn link_list(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(odata_id).collect(),
        Some(obj @ Value::Object(_)) => odata_id(obj).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// A list of strings, dropping non-string and placeholder entries.
pub fn text_list(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter(|i| i.is_string())
            .filter_map(as_text)
            .collect(),
        _ => Vec::new(),
    }
}

/// A MAC address, or `None` for placeholders, garbage and the all-zero address.
pub fn mac(v: &Value, key: &str) -> Option<MacAddr> {
    let m: MacAddr = text(v, key)?.parse().ok()?;
    (m.octets() != [0; 6]).then_some(m)
}

/// The usable IPv4 addresses of an array of `{ "Address": ... }` objects (as in
/// `IPv4Addresses`), without `0.0.0.0` and unparsable entries such as `"N/A"`.
pub fn ipv4_list(v: &Value, key: &str) -> Vec<Ipv4Addr> {
    let Some(Value::Array(items)) = v.get(key) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|a| text(a, "Address")?.parse::<Ipv4Addr>().ok())
        .filter(|ip| !ip.is_unspecified() && !ip.is_broadcast())
        .collect()
}

/// An `Oem` section kept raw (`None` when absent or not an object).
pub fn oem(v: &Value) -> Option<Value> {
    v.get("Oem").filter(|o| o.is_object()).cloned()
}

/// `Status.State` of a resource (`Enabled`, `Absent`, ...).
pub fn status_state(v: &Value) -> Option<String> {
    at(v, &["Status"]).and_then(|s| text(s, "State"))
}

/// Implements `Deserialize` for a resource through `serde_json::Value` and its tolerant
/// `from_value`, so deserializing never fails on a field's type.
macro_rules! tolerant_deserialize {
    ($ty:ty) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = serde_json::Value::deserialize(d)?;
                Ok(<$ty>::from_value(&v))
            }
        }
    };
}
pub(crate) use tolerant_deserialize;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_are_none() {
        let v = json!({"a": "N/A", "b": " Not Available ", "c": "", "d": "0.0.0.0", "e": " x ",
                       "f": 12, "g": null, "h": {"x": 1}, "i": "To Be Filled By O.E.M."});
        for k in ["a", "b", "c", "d", "g", "h", "i", "missing"] {
            assert_eq!(text(&v, k), None, "{k}");
        }
        assert_eq!(text(&v, "e").as_deref(), Some("x"));
        assert_eq!(text(&v, "f").as_deref(), Some("12"));
    }

    #[test]
    fn numbers_are_lenient() {
        let v = json!({"a": 2, "b": "4", "c": "N/A", "d": 2.0, "e": -1, "f": 2.5, "g": true,
                       "h": "", "i": 1e300});
        assert_eq!(uint(&v, "a"), Some(2));
        assert_eq!(uint(&v, "b"), Some(4));
        assert_eq!(uint(&v, "d"), Some(2));
        for k in ["c", "e", "f", "g", "h", "i", "zz"] {
            assert_eq!(uint(&v, k), None, "{k}");
        }
        assert_eq!(float(&v, "f"), Some(2.5));
        assert_eq!(float(&v, "b"), Some(4.0));
        assert_eq!(float(&v, "c"), None);
    }

    #[test]
    fn macs_and_ips() {
        let v = json!({"m1": "Not Available", "m2": "AA-BB-CC-DD-EE-FF", "m3": "00:00:00:00:00:00",
                       "m4": 17, "ips": [{"Address": "N/A"}, {"Address": "0.0.0.0"},
                       {"Address": "10.1.2.3"}, {"Address": 5}, "junk", {"Address": "10.1.2.4"}],
                       "bad": {"Address": "10.0.0.1"}});
        assert_eq!(mac(&v, "m1"), None);
        assert_eq!(
            mac(&v, "m2").map(|m| m.to_string()).as_deref(),
            Some("aa:bb:cc:dd:ee:ff")
        );
        assert_eq!(mac(&v, "m3"), None);
        assert_eq!(mac(&v, "m4"), None);
        assert_eq!(
            ipv4_list(&v, "ips"),
            vec![Ipv4Addr::new(10, 1, 2, 3), Ipv4Addr::new(10, 1, 2, 4)]
        );
        assert!(ipv4_list(&v, "bad").is_empty());
    }

    #[test]
    fn links_tolerate_shapes() {
        let v = json!({"L": [{"@odata.id": "/a"}, {"x": 1}, 3, {"@odata.id": ""}],
                       "O": {"@odata.id": "/b"}, "S": "/c"});
        assert_eq!(link_list(&v, "L"), vec!["/a"]);
        assert_eq!(link_list(&v, "O"), vec!["/b"]);
        assert!(link_list(&v, "S").is_empty());
        assert_eq!(link(&v, "O").as_deref(), Some("/b"));
        assert_eq!(link(&v, "S"), None);
    }
}
