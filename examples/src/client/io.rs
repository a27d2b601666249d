//! Input (`-d <data>|@file|@-` or stdin, `-f json|yaml`) and output (`-F json|yaml|table`)
//! of the client commands.

use std::io::{IsTerminal, Read, Write};

use serde_json::Value;

use super::{Body, ClientError};

/// Input data flags of a command that sends a body.
#[derive(Clone, Debug, clap::Args)]
pub(crate) struct Input {
    /// The body: inline text, `@file`, or `@-` for stdin (also read when stdin is not a
    /// terminal and no other input is given).
    #[arg(short = 'd', long = "data", value_name = "DATA|@FILE")]
    data: Option<String>,
    /// Format of the body.
    #[arg(short = 'f', long = "format-input", value_enum, default_value_t = InputFormat::Json)]
    format: InputFormat,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum InputFormat {
    Json,
    Yaml,
}

impl Input {
    /// The raw text of the body, if any was given (stdin counts when it is not a terminal
    /// and `fallback_stdin`).
    pub(crate) fn text(&self, fallback_stdin: bool) -> Result<Option<String>, ClientError> {
        let read_stdin = || {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| ClientError::Input(format!("cannot read stdin: {e}")))?;
            Ok::<_, ClientError>(s)
        };
        match self.data.as_deref() {
            Some("@-") => read_stdin().map(Some),
            Some(d) if d.starts_with('@') => std::fs::read_to_string(&d[1..])
                .map(Some)
                .map_err(|e| ClientError::Input(format!("-d {d}: {e}"))),
            Some(d) => Ok(Some(d.to_owned())),
            None if fallback_stdin && !std::io::stdin().is_terminal() => {
                let s = read_stdin()?;
                Ok((!s.trim().is_empty()).then_some(s))
            }
            None => Ok(None),
        }
    }

    /// The body parsed as JSON or YAML, if any was given.
    pub(crate) fn value(&self, fallback_stdin: bool) -> Result<Option<Value>, ClientError> {
        let Some(text) = self.text(fallback_stdin)? else {
            return Ok(None);
        };
        let v = match self.format {
            InputFormat::Json => serde_json::from_str(&text)
                .map_err(|e| ClientError::Input(format!("input is not JSON: {e}")))?,
            InputFormat::Yaml => serde_yaml_ng::from_str(&text)
                .map_err(|e| ClientError::Input(format!("input is not YAML: {e}")))?,
        };
        Ok(Some(v))
    }

    /// The body, which is required.
    pub(crate) fn required(&self, what: &str) -> Result<Value, ClientError> {
        self.value(true)?.ok_or_else(|| {
            ClientError::Input(format!(
                "{what}: give the data with -d <data>|@file or on stdin"
            ))
        })
    }
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Output {
    /// Pretty JSON with sorted keys.
    Json,
    /// YAML.
    Yaml,
    /// An aligned table (lists of records), else YAML-like key/value lines.
    Table,
}

impl Output {
    /// Table on a terminal, JSON otherwise (stable output for scripts).
    pub(crate) fn default_for_stdout() -> Output {
        if std::io::stdout().is_terminal() {
            Output::Table
        } else {
            Output::Json
        }
    }

    /// Render `body` as text (empty for no body).
    pub(crate) fn render(self, body: &Body) -> Result<String, ClientError> {
        let v = match body {
            Body::Empty => return Ok(String::new()),
            Body::Text(t) => {
                let mut t = t.clone();
                if !t.ends_with('\n') {
                    t.push('\n');
                }
                return Ok(t);
            }
            Body::Json(v) => v,
        };
        Ok(match self {
            Output::Json => {
                let mut s = serde_json::to_string_pretty(v)
                    .map_err(|e| ClientError::Input(e.to_string()))?;
                s.push('\n');
                s
            }
            Output::Yaml => {
                serde_yaml_ng::to_string(v).map_err(|e| ClientError::Input(e.to_string()))?
            }
            Output::Table => table(v),
        })
    }

    /// Print `body` on stdout.
    pub(crate) fn print(self, body: &Body) -> Result<(), ClientError> {
        let s = self.render(body)?;
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
        Ok(())
    }
}

/// One cell: scalars as text, lists of scalars comma-joined, the rest as compact JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            a.iter().map(cell).collect::<Vec<_>>().join(",")
        }
        Value::Object(o) if o.len() == 1 && o.contains_key("ids") => cell(&o["ids"]),
        other => other.to_string(),
    }
}

/// The rows of a listing: an array of objects, or an object whose only array member is one
/// (SMD's `{"Components": [...]}`), or one object (a one-row table). A map of objects
/// (cloud-init groups by name) is listed with a `name` column.
fn rows(v: &Value) -> Option<Vec<serde_json::Map<String, Value>>> {
    match v {
        Value::Array(a) if a.iter().all(Value::is_object) => {
            Some(a.iter().filter_map(|x| x.as_object().cloned()).collect())
        }
        Value::Object(o) if o.len() == 1 => match o.values().next() {
            Some(inner @ Value::Array(_)) => rows(inner),
            _ => Some(vec![o.clone()]),
        },
        Value::Object(o) => Some(vec![o.clone()]),
        _ => None,
    }
}

/// An aligned table: columns in sorted key order (the union over rows).
pub(crate) fn table(v: &Value) -> String {
    let Some(rows) = rows(v) else {
        return format!("{}\n", cell(v));
    };
    if rows.is_empty() {
        return String::new();
    }
    let mut cols: Vec<String> = rows.iter().flat_map(|r| r.keys().cloned()).collect();
    cols.sort();
    cols.dedup();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            cols.iter()
                .map(|c| r.get(c).map(cell).unwrap_or_default())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut line = |vals: Vec<&str>| {
        let mut l = String::new();
        for (i, v) in vals.iter().enumerate() {
            if i + 1 == vals.len() {
                l.push_str(v);
            } else {
                l.push_str(&format!("{v:<w$}  ", w = widths[i]));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(cols.iter().map(String::as_str).collect());
    for r in &cells {
        line(r.iter().map(String::as_str).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_unwrap_smd_listings() {
        let v = json!({"Components": [
            {"ID": "x0c0s0b0n0", "NID": 1, "State": "On"},
            {"ID": "x0c0s0b0n1", "State": "Off", "Role": "Compute"}
        ]});
        assert_eq!(
            table(&v),
            "ID          NID  Role     State\nx0c0s0b0n0  1             On\nx0c0s0b0n1       Compute  Off\n"
        );
        let g = json!([{"label": "compute", "members": {"ids": ["x1", "x2"]}}]);
        assert_eq!(table(&g), "label    members\ncompute  x1,x2\n");
    }
}
