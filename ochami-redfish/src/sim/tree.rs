//! A Redfish resource tree in memory: path -> JSON body.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// A Redfish tree: normalized paths (`/redfish/v1`, `/redfish/v1/Systems/1`, no trailing
/// slash) mapped to the JSON bodies served for them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MockupTree {
    entries: BTreeMap<String, Value>,
}

/// Normalizes a Redfish path or a short-form tree key: `""`, `"/"`, `"/redfish/v1/"` ->
/// `/redfish/v1`; `"Systems/1"` and `"/redfish/v1/Systems/1/"` -> `/redfish/v1/Systems/1`.
pub fn normalize_path(path: &str) -> String {
    let p = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_matches('/');
    let rel = p
        .strip_prefix("redfish/v1")
        .filter(|r| r.is_empty() || r.starts_with('/'))
        .map(|r| r.trim_start_matches('/'))
        .unwrap_or(p);
    if rel.is_empty() {
        "/redfish/v1".to_owned()
    } else {
        format!("/redfish/v1/{rel}")
    }
}

impl MockupTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a short-form mockup directory: `<dir>/index.json` is the service root and
    /// `<dir>/<path>/index.json` the body of `/redfish/v1/<path>`. Other files are ignored.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let mut tree = MockupTree::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let entries = std::fs::read_dir(&d).map_err(|source| Error::Io {
                path: d.display().to_string(),
                source,
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().is_some_and(|n| n == "index.json") {
                    let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
                        path: path.display().to_string(),
                        source,
                    })?;
                    let value: Value = serde_json::from_str(&text).map_err(|e| {
                        Error::Sim(format!("{}: invalid JSON: {e}", path.display()))
                    })?;
                    let rel = path
                        .parent()
                        .and_then(|p| p.strip_prefix(dir).ok())
                        .map(|p| p.to_string_lossy().replace('\\', "/"))
                        .unwrap_or_default();
                    tree.insert(&rel, value);
                }
            }
        }
        if tree.get("/redfish/v1").is_none() {
            return Err(Error::Sim(format!(
                "{}: no index.json at the root",
                dir.display()
            )));
        }
        Ok(tree)
    }

    /// A tree from `(path, body)` pairs; paths are normalized with [`normalize_path`], so
    /// short-form keys (`"Systems/1"`) and full paths both work. Made for trees embedded
    /// with `include_str!`.
    pub fn from_entries<K: AsRef<str>>(entries: impl IntoIterator<Item = (K, Value)>) -> Self {
        let mut tree = MockupTree::new();
        for (k, v) in entries {
            tree.insert(k.as_ref(), v);
        }
        tree
    }

    /// Adds or replaces one resource.
    pub fn insert(&mut self, path: &str, body: Value) {
        self.entries.insert(normalize_path(path), body);
    }

    /// The body at a path (any form [`normalize_path`] accepts).
    pub fn get(&self, path: &str) -> Option<&Value> {
        self.entries.get(&normalize_path(path))
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True for an empty tree.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All `(path, body)` pairs, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize() {
        for (input, want) in [
            ("", "/redfish/v1"),
            ("/", "/redfish/v1"),
            ("/redfish/v1/", "/redfish/v1"),
            ("/redfish/v1", "/redfish/v1"),
            ("Systems/1", "/redfish/v1/Systems/1"),
            ("/redfish/v1/Systems/1/", "/redfish/v1/Systems/1"),
            ("/redfish/v1/Systems?$expand=.", "/redfish/v1/Systems"),
            ("/redfish/v10", "/redfish/v1/redfish/v10"),
        ] {
            assert_eq!(normalize_path(input), want, "{input}");
        }
    }
}
