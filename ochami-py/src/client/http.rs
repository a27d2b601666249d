//! The HTTP side of `ochami.Client`: one reqwest client bound to a server URL and an optional
//! bearer token, requests with JSON bodies and query pairs, and the mapping of an answer
//! (an RFC 7807 problem, a transport failure) onto the Python exception hierarchy.

use std::path::Path;
use std::time::Duration;

use pyo3::prelude::*;
use reqwest::Method;
use serde_json::Value;

use crate::errors::{Family, err, invalid};

/// A connection to one ochami (or OpenCHAMI) server. The token never reaches a `Debug`
/// output, a message or a `repr` (this type has no `Debug`).
pub(crate) struct Remote {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// What went wrong with a request.
pub(crate) enum Failure {
    /// The server answered 4xx/5xx; title and detail from its problem body.
    Status {
        status: u16,
        title: String,
        detail: String,
    },
    /// The request did not get an answer (or an answer that is not what it should be).
    Transport { url: String, reason: String },
}

impl Failure {
    /// Whether the server answered 404.
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, Failure::Status { status: 404, .. })
    }

    /// The Python exception: 400 and 422 are `InvalidError` (a `ValueError`), other 4xx and
    /// 5xx from the data services are `StoreError` (as a local store would raise), 401 and
    /// 403 and transport failures the base `OchamiError`. The exception carries `status`,
    /// `title` and `detail` attributes (`status` is `None` without an answer).
    pub(crate) fn into_py(self) -> PyErr {
        match self {
            Failure::Status {
                status,
                title,
                detail,
            } => {
                let family = match status {
                    400 | 422 => Family::Invalid,
                    401 | 403 => Family::Base,
                    _ => Family::Store,
                };
                let msg = if detail.is_empty() {
                    format!("{status} {title}")
                } else {
                    format!("{status} {title}: {detail}")
                };
                with_attrs(err(family, msg), Some(status), &title, &detail)
            }
            Failure::Transport { url, reason } => {
                let msg = format!("no answer from {url}: {reason}");
                with_attrs(err(Family::Base, msg), None, "", &reason)
            }
        }
    }
}

fn with_attrs(e: PyErr, status: Option<u16>, title: &str, detail: &str) -> PyErr {
    Python::attach(|py| {
        let v = e.value(py);
        // Attributes are a convenience; failing to set them must not hide the error.
        let _ = v.setattr("status", status);
        let _ = v.setattr("title", title);
        let _ = v.setattr("detail", detail);
    });
    e
}

/// A successful answer's body: `None` when empty.
pub(crate) type Answer = Option<String>;

impl Remote {
    /// A client for `url` (`http[s]://host[:port]`, any trailing `/` ignored).
    pub(crate) fn new(
        url: &str,
        token: Option<String>,
        cacert: Option<&Path>,
        insecure: bool,
        timeout: f64,
    ) -> PyResult<Remote> {
        let base = url.trim().trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base)
            .map_err(|e| invalid(format!("bad server URL {base:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(invalid(format!(
                "bad server URL {base:?}: expected http://host[:port] or https://host[:port]"
            )));
        }
        let timeout = Duration::try_from_secs_f64(timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| invalid(format!("timeout must be positive seconds, got {timeout}")))?;
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("ochami-py/", env!("CARGO_PKG_VERSION")))
            // A redirect to another host would carry the token there.
            .redirect(reqwest::redirect::Policy::none());
        if insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(path) = cacert {
            let pem = std::fs::read(path)
                .map_err(|e| invalid(format!("cacert {}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| invalid(format!("cacert {}: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(invalid(format!(
                    "cacert {}: no certificate in the file",
                    path.display()
                )));
            }
            builder = builder.tls_certs_only(certs);
        }
        let http = builder
            .build()
            .map_err(|e| err(Family::Base, format!("cannot build the HTTP client: {e}")))?;
        let token = token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(Remote { http, base, token })
    }

    /// The server URL.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Whether a bearer token is sent.
    pub(crate) fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Sends `method` to `path` (under the server URL) with `query` and an optional JSON
    /// body; the body of a 2xx answer, else a [`Failure`].
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Answer, Failure> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method, &url);
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let transport = |e: reqwest::Error| Failure::Transport {
            url: url.clone(),
            reason: error_chain(&e),
        };
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        let text = resp.text().await.map_err(transport)?;
        if status.is_client_error() || status.is_server_error() {
            return Err(problem(status, &text));
        }
        Ok((!text.trim().is_empty()).then_some(text))
    }
}

/// A 4xx/5xx answer: the RFC 7807 problem's title and detail, else the start of the body.
fn problem(status: reqwest::StatusCode, text: &str) -> Failure {
    let v: Option<Value> = serde_json::from_str(text).ok();
    let field = |k: &str| {
        v.as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let title = Some(field("title"))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    let mut detail = field("detail");
    if detail.is_empty() && v.is_none() {
        detail = text.trim().chars().take(200).collect();
    }
    Failure::Status {
        status: status.as_u16(),
        title,
        detail,
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = c.source();
    }
    s
}

/// Percent-encodes one path segment.
pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
