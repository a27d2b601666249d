//! `ochami.Rows`: the result of every collection query, plain rows in their wire form that
//! become dicts, a pandas DataFrame, or an HTML table in a notebook.

use pyo3::exceptions::{PyImportError, PyIndexError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PySlice};
use serde_json::Value;

use crate::convert::{text_to_py, top_keys};

/// How many rows `_repr_html_` shows.
const HTML_ROWS: usize = 50;

/// Rows of one kind (components, ethernet interfaces, ...), each a dict with OpenCHAMI's
/// keys. Rows are kept as JSON text and converted to Python objects on access.
#[pyclass(module = "ochami", frozen, sequence)]
pub(crate) struct Rows {
    kind: String,
    rows: Vec<String>,
}

impl Rows {
    pub(crate) fn new(kind: &str, rows: Vec<String>) -> Rows {
        Rows {
            kind: kind.to_owned(),
            rows,
        }
    }

    /// Column names: the keys of all rows, in order of first appearance.
    fn column_names(&self) -> Vec<String> {
        let mut cols: Vec<String> = Vec::new();
        for r in &self.rows {
            for k in top_keys(r) {
                if !cols.contains(&k) {
                    cols.push(k);
                }
            }
        }
        cols
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => escape(s),
        Some(other) => escape(&other.to_string()),
    }
}

#[pymethods]
impl Rows {
    /// What the rows are (``"components"``, ``"ethernet_interfaces"``, ...).
    #[getter]
    fn kind(&self) -> &str {
        &self.kind
    }

    /// The keys of all rows, in order of first appearance.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.column_names()
    }

    /// Every row as a dict.
    pub(crate) fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .rows
            .iter()
            .map(|r| text_to_py(py, r))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// A ``pandas.DataFrame`` with one row per record (pandas must be installed).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pandas = py.import("pandas").map_err(|e| {
            PyImportError::new_err(format!("to_pandas needs pandas (pip install pandas): {e}"))
        })?;
        let frame = pandas.getattr("DataFrame")?;
        let columns = self.column_names();
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("columns", columns)?;
        frame.call((self.to_dicts(py)?,), Some(&kwargs))
    }

    fn __len__(&self) -> usize {
        self.rows.len()
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        index: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if let Ok(slice) = index.cast::<PySlice>() {
            let ix = slice.indices(self.rows.len() as isize)?;
            let mut picked = Vec::with_capacity(ix.slicelength);
            let mut i = ix.start;
            for _ in 0..ix.slicelength {
                picked.push(self.rows[i as usize].clone());
                // Saturating: after the last row `start + n * step` may pass isize::MAX
                // (`rows[1::sys.maxsize]`); that value is never used.
                i = i.saturating_add(ix.step);
            }
            return Ok(Bound::new(py, Rows::new(&self.kind, picked))?.into_any());
        }
        let index: isize = index.extract()?;
        let len = self.rows.len() as isize;
        let i = if index < 0 { index + len } else { index };
        if i < 0 || i >= len {
            return Err(PyIndexError::new_err(format!(
                "row {index} out of range for {len} rows"
            )));
        }
        text_to_py(py, &self.rows[i as usize])
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.to_dicts(py)?.try_iter().map(|i| i.into_any())
    }

    fn __repr__(&self) -> String {
        let cols: Vec<String> = self
            .column_names()
            .iter()
            .map(|c| format!("'{c}'"))
            .collect();
        format!(
            "Rows(kind='{}', len={}, columns=[{}])",
            self.kind,
            self.rows.len(),
            cols.join(", ")
        )
    }

    fn _repr_html_(&self) -> String {
        let cols = self.column_names();
        let mut html = String::from("<table class=\"ochami-rows\"><thead><tr>");
        for c in &cols {
            html.push_str(&format!("<th>{}</th>", escape(c)));
        }
        html.push_str("</tr></thead><tbody>");
        for text in self.rows.iter().take(HTML_ROWS) {
            let r: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            html.push_str("<tr>");
            for c in &cols {
                html.push_str(&format!("<td>{}</td>", cell(r.get(c))));
            }
            html.push_str("</tr>");
        }
        html.push_str("</tbody></table>");
        let more = self.rows.len().saturating_sub(HTML_ROWS);
        if more > 0 {
            html.push_str(&format!("<p>... {more} more rows</p>"));
        }
        html.push_str(&format!(
            "<p>{} {} rows</p>",
            self.rows.len(),
            escape(&self.kind)
        ));
        html
    }
}
