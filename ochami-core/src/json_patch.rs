//! RFC 6902 JSON Patch (`application/json-patch+json`): `add`, `remove`, `replace`, `move`,
//! `copy` and `test` over RFC 6901 pointers. Used by boot-service and metadata-service PATCH.
//! All or nothing: a failing operation leaves the target untouched.

use serde::Deserialize;
use serde_json::Value;

use crate::Error;

/// One operation of a patch document.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase", deny_unknown_fields)]
enum Op {
    Add { path: String, value: Value },
    Remove { path: String },
    Replace { path: String, value: Value },
    Move { from: String, path: String },
    Copy { from: String, path: String },
    Test { path: String, value: Value },
}

/// Apply an RFC 6902 patch document (a JSON array of operations) to `target`.
///
/// ```
/// use serde_json::json;
/// let mut doc = json!({"kernel": "http://a", "macs": ["aa:bb:cc:dd:ee:01"]});
/// ochami_core::json_patch(&mut doc, &json!([
///     {"op": "replace", "path": "/kernel", "value": "http://b"},
///     {"op": "add", "path": "/macs/-", "value": "aa:bb:cc:dd:ee:02"},
/// ]))?;
/// assert_eq!(doc, json!({"kernel": "http://b", "macs": ["aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"]}));
/// # Ok::<(), ochami_core::Error>(())
/// ```
pub fn json_patch(target: &mut Value, patch: &Value) -> Result<(), Error> {
    let ops: Vec<Op> = serde_json::from_value(patch.clone()).map_err(|e| Error::InvalidPatch {
        index: None,
        reason: format!("not a JSON Patch document (an array of operations): {e}"),
    })?;
    let mut work = target.clone();
    for (i, op) in ops.iter().enumerate() {
        apply(&mut work, op).map_err(|reason| Error::InvalidPatch {
            index: Some(i),
            reason,
        })?;
    }
    *target = work;
    Ok(())
}

fn apply(doc: &mut Value, op: &Op) -> Result<(), String> {
    match op {
        Op::Add { path, value } => add(doc, path, value.clone()),
        Op::Remove { path } => remove(doc, path).map(drop),
        Op::Replace { path, value } => {
            let slot = get_mut(doc, path)?;
            *slot = value.clone();
            Ok(())
        }
        Op::Move { from, path } => {
            if path.starts_with(&format!("{from}/")) {
                return Err(format!("cannot move {from:?} into its own child {path:?}"));
            }
            let v = remove(doc, from)?;
            add(doc, path, v)
        }
        Op::Copy { from, path } => {
            let v = get_mut(doc, from)?.clone();
            add(doc, path, v)
        }
        Op::Test { path, value } => {
            if get_mut(doc, path)? == value {
                Ok(())
            } else {
                Err(format!("test failed: the value at {path:?} differs"))
            }
        }
    }
}

/// A pointer's tokens, unescaped (`~1` -> `/`, `~0` -> `~`).
fn tokens(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| format!("path {path:?} does not start with '/'"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn index(token: &str, len: usize, path: &str) -> Result<usize, String> {
    let bad = || format!("path {path:?}: {token:?} is not an index of an array of {len}");
    if token.len() > 1 && token.starts_with('0') {
        return Err(bad());
    }
    token
        .parse::<usize>()
        .ok()
        .filter(|i| *i < len)
        .ok_or_else(bad)
}

fn get_mut<'a>(doc: &'a mut Value, path: &str) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for t in tokens(path)? {
        cur = match cur {
            Value::Object(m) => m
                .get_mut(&t)
                .ok_or_else(|| format!("path {path:?}: no member {t:?}"))?,
            Value::Array(a) => {
                let i = index(&t, a.len(), path)?;
                &mut a[i]
            }
            _ => return Err(format!("path {path:?}: {t:?} is below a scalar")),
        };
    }
    Ok(cur)
}

/// The parent container of `path` and the last token.
fn parent<'a>(doc: &'a mut Value, path: &str) -> Result<(&'a mut Value, String), String> {
    let mut toks = tokens(path)?;
    let last = toks
        .pop()
        .ok_or_else(|| "the whole document cannot be the target here".to_owned())?;
    let prefix: String = toks
        .iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect();
    Ok((get_mut(doc, &prefix)?, last))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (p, last) = parent(doc, path)?;
    match p {
        Value::Object(m) => {
            m.insert(last, value);
            Ok(())
        }
        Value::Array(a) => {
            if last == "-" {
                a.push(value);
            } else {
                let i = index(&last, a.len() + 1, path)?;
                a.insert(i, value);
            }
            Ok(())
        }
        _ => Err(format!("path {path:?}: the parent is a scalar")),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let (p, last) = parent(doc, path)?;
    match p {
        Value::Object(m) => m
            .remove(&last)
            .ok_or_else(|| format!("path {path:?}: no member {last:?}")),
        Value::Array(a) => {
            let i = index(&last, a.len(), path)?;
            Ok(a.remove(i))
        }
        _ => Err(format!("path {path:?}: the parent is a scalar")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operations() {
        let mut d = json!({"a": {"b": [1, 2]}, "c": "x", "t~/": 1});
        json_patch(
            &mut d,
            &json!([
                {"op": "add", "path": "/a/b/1", "value": 9},
                {"op": "remove", "path": "/a/b/0"},
                {"op": "move", "from": "/c", "path": "/d"},
                {"op": "copy", "from": "/d", "path": "/e"},
                {"op": "test", "path": "/e", "value": "x"},
                {"op": "replace", "path": "/t~0~1", "value": 2},
            ]),
        )
        .unwrap();
        assert_eq!(d, json!({"a": {"b": [9, 2]}, "d": "x", "e": "x", "t~/": 2}));
    }

    #[test]
    fn failures_change_nothing_and_say_which_op() {
        let orig = json!({"a": 1});
        for (patch, want) in [
            (json!([{"op": "remove", "path": "/b"}]), "operation 0"),
            (
                json!([{"op": "add", "path": "/b", "value": 1}, {"op": "test", "path": "/a", "value": 2}]),
                "operation 1",
            ),
            (
                json!([{"op": "frobnicate", "path": "/a"}]),
                "not a JSON Patch",
            ),
            (json!({"op": "add"}), "not a JSON Patch"),
            (
                json!([{"op": "replace", "path": "a", "value": 1}]),
                "start with",
            ),
            (
                json!([{"op": "move", "from": "/a", "path": "/a/x"}]),
                "own child",
            ),
        ] {
            let mut d = orig.clone();
            let e = json_patch(&mut d, &patch).unwrap_err().to_string();
            assert!(e.contains(want), "{patch}: {e}");
            assert_eq!(d, orig);
        }
    }
}
