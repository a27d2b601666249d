//! The HTTP seam under the Redfish client.
//!
//! [`Transport`] sends one [`HttpRequest`] and returns the whole [`HttpResponse`]; the
//! client adds auth, retries, pagination and JSON on top. [`HttpTransport`] is the real
//! implementation (reqwest + rustls with aws-lc-rs); tests substitute a mock. One
//! `HttpTransport` is meant to be shared by every BMC of a discovery run: it holds the
//! connection pool and the TLS configuration (verified by default).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::secret::{Credentials, Secret};

/// HTTP methods the Redfish client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// How a request authenticates. `Debug` never shows the password or token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestAuth {
    /// No credentials (the service root is readable without them).
    None,
    /// HTTP Basic.
    Basic(Credentials),
    /// A Redfish session token, sent as `X-Auth-Token`.
    Token(Secret),
}

/// The body of a request. A session login is its own variant so that the password in it
/// is redacted in `Debug` like any other credential.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestBody {
    /// No body.
    Empty,
    /// A JSON document.
    Json(serde_json::Value),
    /// `{"UserName": .., "Password": ..}` for `POST .../SessionService/Sessions`.
    SessionLogin(Credentials),
}

/// One HTTP request.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// How to authenticate (kept apart from `headers` so that it is redacted in `Debug`).
    pub auth: RequestAuth,
    /// The body.
    pub body: RequestBody,
    /// Limit for this request (connect + headers + body).
    pub timeout: Duration,
    /// An `If-Match` header (the resource's ETag), for PATCHes to BMCs that require one.
    pub if_match: Option<String>,
}

/// One HTTP response, body read in full.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Response headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with a status and a body and no headers (handy in tests).
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header (name lower-cased).
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Session tokens travel in response headers: never print header values.
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A failure below HTTP: the request got no status code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// TCP connect failed, or the connection was refused, reset or closed early.
    #[error("connection failed: {0}")]
    Connect(String),
    /// The TLS handshake failed.
    #[error("TLS: {0}")]
    Tls(String),
    /// The request timed out.
    #[error("timed out")]
    Timeout,
    /// Anything else (invalid URL, body read error...).
    #[error("{0}")]
    Other(String),
}

/// Sends HTTP requests. Implemented by [`HttpTransport`]; mock it in tests.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait Transport: Send + Sync {
    /// Sends one request and reads the whole response.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// TLS and timeout settings of an [`HttpTransport`].
#[derive(Clone, Default)]
pub struct TransportOptions {
    /// Skip certificate verification (self-signed BMCs). Off by default.
    pub insecure: bool,
    /// PEM bundle of CAs to trust for BMC certificates. When set, only these CAs are
    /// trusted (BMC certificates come from a site CA, not a public one).
    pub ca_pem: Option<Vec<u8>>,
    /// TCP connect (and TLS handshake) timeout; `None` means 5 s.
    pub connect_timeout: Option<Duration>,
    /// Idle pooled connections per BMC kept for reuse; `None` means 4.
    pub max_idle_per_host: Option<usize>,
}

impl fmt::Debug for TransportOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportOptions")
            .field("insecure", &self.insecure)
            .field(
                "ca_pem",
                &self.ca_pem.as_ref().map(|p| format!("{} bytes", p.len())),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("max_idle_per_host", &self.max_idle_per_host)
            .finish()
    }
}

/// The real transport: reqwest with rustls (aws-lc-rs).
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
}

impl HttpTransport {
    /// Builds the transport. Fails on an unreadable CA bundle.
    pub fn new(options: &TransportOptions) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout.unwrap_or(Duration::from_secs(5)))
            .pool_max_idle_per_host(options.max_idle_per_host.unwrap_or(4))
            // A crawl's requests follow each other closely; a connection idle for a second
            // belongs to a BMC that is done, and keeping thousands of them costs memory.
            .pool_idle_timeout(Duration::from_secs(1))
            .user_agent(concat!("ochami-redfish/", env!("CARGO_PKG_VERSION")))
            // BMCs do not redirect the Redfish tree; a redirect would only leak credentials.
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true);
        if options.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(pem) = &options.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::TlsConfig(format!("CA bundle: {e}")))?;
            if certs.is_empty() {
                return Err(Error::TlsConfig("CA bundle holds no certificate".into()));
            }
            builder = builder.tls_certs_only(certs);
        }
        let client = builder
            .build()
            .map_err(|e| Error::TlsConfig(format!("HTTP client: {e}")))?;
        Ok(HttpTransport { client })
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut rb = self
            .client
            .request(method, &request.url)
            .timeout(request.timeout)
            .header("Accept", "application/json")
            .header("OData-Version", "4.0");
        if let Some(etag) = &request.if_match {
            rb = rb.header("If-Match", etag);
        }
        rb = match &request.auth {
            RequestAuth::None => rb,
            RequestAuth::Basic(c) => rb.basic_auth(&c.username, Some(c.password.expose())),
            RequestAuth::Token(t) => rb.header("X-Auth-Token", t.expose()),
        };
        match &request.body {
            RequestBody::Empty => {}
            RequestBody::Json(body) => rb = rb.json(body),
            RequestBody::SessionLogin(c) => {
                rb = rb.json(&serde_json::json!({
                    "UserName": c.username,
                    "Password": c.password.expose(),
                }));
            }
        }
        let response = rb.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let body = response.bytes().await.map_err(classify)?.to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// Maps a reqwest error onto the coarse transport failure kinds, looking through the
/// error's sources for rustls and I/O errors.
fn classify(err: reqwest::Error) -> TransportError {
    if err.is_timeout() {
        return TransportError::Timeout;
    }
    let mut tls = None;
    let mut io_reset = false;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(e) = source {
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            tls = Some(r.to_string());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(r) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                tls = Some(r.to_string());
            }
            use std::io::ErrorKind as K;
            if matches!(
                io.kind(),
                K::ConnectionReset
                    | K::ConnectionAborted
                    | K::ConnectionRefused
                    | K::BrokenPipe
                    | K::UnexpectedEof
                    | K::TimedOut
            ) {
                if io.kind() == K::TimedOut {
                    return TransportError::Timeout;
                }
                io_reset = true;
            }
        }
        source = e.source();
    }
    let message = error_chain(&err);
    if let Some(t) = tls {
        return TransportError::Tls(t);
    }
    let lower = message.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("handshake") || lower.contains("tls") {
        return TransportError::Tls(message);
    }
    if err.is_connect()
        || io_reset
        || lower.contains("connection closed")
        || lower.contains("reset")
    {
        return TransportError::Connect(message);
    }
    TransportError::Other(message)
}

/// The messages of an error and its sources, joined by ": " (reqwest's own Display
/// stops at the top).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let s = e.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        source = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_debug_redacts_auth() {
        let req = HttpRequest {
            method: Method::Get,
            url: "https://10.0.0.1/redfish/v1/".into(),
            auth: RequestAuth::Basic(Credentials::new("root", "s3cret-pw")),
            body: RequestBody::SessionLogin(Credentials::new("root", "s3cret-pw")),
            timeout: Duration::from_secs(1),
            if_match: None,
        };
        let tok = RequestAuth::Token(Secret::new("tok-123456"));
        let out = format!("{req:?} {tok:?}");
        assert!(
            !out.contains("s3cret-pw") && !out.contains("tok-123456"),
            "{out}"
        );
        let resp = HttpResponse::new(201, "{}").with_header("X-Auth-Token", "tok-123456");
        assert!(!format!("{resp:?}").contains("tok-123456"));
        assert_eq!(resp.header("x-auth-token"), Some("tok-123456"));
    }

    #[test]
    fn bad_ca_is_a_config_error() {
        let opts = TransportOptions {
            ca_pem: Some(b"not a pem".to_vec()),
            ..Default::default()
        };
        let err = HttpTransport::new(&opts).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Config);
    }
}
