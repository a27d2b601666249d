//! A small YAML emitter for cloud-init documents: block mappings and sequences, scalars
//! either plain (only when they cannot be read as anything but that string, in YAML 1.1 and
//! 1.2 alike) or double-quoted with every non-printable character escaped. Values from users
//! (group meta-data, host names, keys) therefore cannot change the document's structure,
//! whatever they contain.

use serde_json::Value;

/// A YAML node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Yaml {
    /// A string.
    Str(String),
    /// Arbitrary JSON data (group meta-data).
    Json(Value),
    /// A mapping, in this order.
    Map(Vec<(String, Yaml)>),
    /// A sequence.
    List(Vec<Yaml>),
}

impl Yaml {
    /// A string node.
    pub(crate) fn str(s: impl Into<String>) -> Self {
        Yaml::Str(s.into())
    }
}

/// The document for a top-level mapping, one `key: value` per line.
pub(crate) fn to_document(entries: &[(String, Yaml)]) -> String {
    let mut out = String::with_capacity(512);
    for (k, v) in entries {
        write_key(&mut out, k);
        write_value(&mut out, v, 2);
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_key(out: &mut String, key: &str) {
    scalar(out, key);
    out.push(':');
}

/// Write a value after `key:` or `-`, ending the line; nested content goes at `depth`.
fn write_value(out: &mut String, v: &Yaml, depth: usize) {
    match v {
        Yaml::Str(s) => {
            out.push(' ');
            scalar(out, s);
            out.push('\n');
        }
        Yaml::Json(j) => write_json(out, j, depth),
        Yaml::Map(entries) if entries.is_empty() => out.push_str(" {}\n"),
        Yaml::Map(entries) => {
            out.push('\n');
            for (k, v) in entries {
                indent(out, depth);
                write_key(out, k);
                write_value(out, v, depth + 2);
            }
        }
        Yaml::List(items) if items.is_empty() => out.push_str(" []\n"),
        Yaml::List(items) => {
            out.push('\n');
            for item in items {
                indent(out, depth);
                out.push('-');
                write_value(out, item, depth + 2);
            }
        }
    }
}

fn write_json(out: &mut String, v: &Value, depth: usize) {
    match v {
        Value::Null => out.push_str(" null\n"),
        Value::Bool(b) => out.push_str(if *b { " true\n" } else { " false\n" }),
        Value::Number(n) => {
            out.push(' ');
            number(out, n);
            out.push('\n');
        }
        Value::String(s) => write_value(out, &Yaml::Str(s.clone()), depth),
        Value::Array(a) if a.is_empty() => out.push_str(" []\n"),
        Value::Array(a) => {
            out.push('\n');
            for item in a {
                indent(out, depth);
                out.push('-');
                write_json(out, item, depth + 2);
            }
        }
        Value::Object(o) if o.is_empty() => out.push_str(" {}\n"),
        Value::Object(o) => {
            out.push('\n');
            for (k, item) in o {
                indent(out, depth);
                write_key(out, k);
                write_json(out, item, depth + 2);
            }
        }
    }
}

/// A JSON number as a YAML number both YAML 1.1 and 1.2 read as one: floats get a `.` in the
/// mantissa and a sign in the exponent (`1e30` is a string to YAML 1.1 readers).
fn number(out: &mut String, n: &serde_json::Number) {
    let text = n.to_string();
    if n.is_f64() {
        let (mantissa, exponent) = match text.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e)),
            None => (text.as_str(), None),
        };
        out.push_str(mantissa);
        if !mantissa.contains('.') {
            out.push_str(".0");
        }
        if let Some(e) = exponent {
            out.push('e');
            if !e.starts_with(['-', '+']) {
                out.push('+');
            }
            out.push_str(e);
        }
    } else {
        out.push_str(&text);
    }
}

/// Words YAML 1.1 reads as booleans or null.
const SPECIAL: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];

/// Whether `s` may be written plain: a letter or `_` first, then letters, digits, `_`, `-`,
/// and not a boolean or null word.
fn plain_ok(s: &str) -> bool {
    let mut bytes = s.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    first_ok
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !SPECIAL.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// Write a string scalar, plain when unambiguous, else double-quoted.
pub(crate) fn scalar(out: &mut String, s: &str) {
    if plain_ok(s) {
        out.push_str(s);
    } else {
        quoted(out, s);
    }
}

/// A double-quoted scalar. Escapes `"`, `\`, and everything outside YAML's printable set
/// plus the characters YAML 1.1 reads as line breaks (NEL, U+2028, U+2029) and the BOM.
fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{feff}'
            | '\u{fffe}'
            | '\u{ffff}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quoting_rules() {
        let s = |v: &str| {
            let mut out = String::new();
            scalar(&mut out, v);
            out
        };
        assert_eq!(s("de0001"), "de0001");
        assert_eq!(s("i-0123abcd"), "i-0123abcd");
        for v in [
            "",
            "1.0",
            "0007",
            "yes",
            "No",
            "null",
            "a: b",
            "- x",
            "#c",
            "x\ny",
            "http://h/",
            "~",
            "a b",
        ] {
            assert!(s(v).starts_with('"'), "{v:?} -> {}", s(v));
        }
        assert_eq!(
            s("a\"b\\c\nd\u{2028}\u{85}é"),
            r#""a\"b\\c\nd\u2028\u0085é""#
        );
    }

    #[test]
    fn nested_document() {
        let doc = to_document(&[
            ("a".into(), Yaml::str("x")),
            (
                "keys".into(),
                Yaml::List(vec![Yaml::str("ssh-ed25519 AAAA k"), Yaml::str("two")]),
            ),
            ("empty".into(), Yaml::Map(vec![])),
            (
                "m".into(),
                Yaml::Map(vec![(
                    "g".into(),
                    Yaml::Json(
                        json!({"n": 1, "f": 1e30, "b": true, "z": null, "l": [{"k": "v"}, []], "o": {}}),
                    ),
                )]),
            ),
        ]);
        let expected = "a: x
keys:
  - \"ssh-ed25519 AAAA k\"
  - two
empty: {}
m:
  g:
    b: true
    f: 1.0e+30
    l:
      -
        k: v
      - []
    \"n\": 1
    o: {}
    z: null
";
        assert_eq!(doc, expected);
    }
}
