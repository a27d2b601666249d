//! The Redfish client for one BMC: auth, retries, JSON, pagination and `$expand`.
//!
//! A [`RedfishClient`] is made by [`RedfishClient::connect`], which reads the service root
//! without credentials (the Redfish specification makes it public), then logs in: a Redfish
//! session when the service has a SessionService (the token is reused for every request
//! and the session is deleted by [`RedfishClient::close`]), HTTP Basic otherwise. Requests
//! are retried with backoff on connect errors, 5xx and 429 ([`RetryPolicy`]); collections
//! are read across `Members@odata.nextLink` pages, with `$expand` when the service root
//! advertises it and per-member GETs when it does not (or when the expanded answer lacks
//! the members).
//!
//! ```no_run
//! use std::sync::Arc;
//! use ochami_redfish::{ClientOptions, Credentials, HttpTransport, RedfishClient, TransportOptions};
//!
//! # async fn demo() -> ochami_redfish::Result<()> {
//! let transport = Arc::new(HttpTransport::new(&TransportOptions::default())?);
//! let options = ClientOptions::with_credentials(Credentials::new("root", "secret"));
//! let client = RedfishClient::connect(transport, "https://10.0.0.5", options).await?;
//! for system in client.get_members("/redfish/v1/Systems").await? {
//!     println!("{}", system["Id"]);
//! }
//! client.close().await;
//! # Ok(()) }
//! ```

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;

use crate::auth::{AuthMode, AuthState};
use crate::error::{Error, Result};
use crate::resources::{Collection, ServiceRoot};
use crate::retry::RetryPolicy;
use crate::secret::Credentials;
use crate::transport::{
    HttpRequest, HttpResponse, Method, RequestAuth, RequestBody, Transport, TransportError,
};

/// The path of the service root.
pub const SERVICE_ROOT: &str = "/redfish/v1/";

/// Bound on `nextLink` pages followed for one collection (a loop guard).
const MAX_PAGES: usize = 1000;

/// Options of one BMC's client. `Debug` redacts the password.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Credentials; `None` reads only what is public (the service root).
    pub credentials: Option<Credentials>,
    /// Session, Basic, or session with Basic fallback (the default).
    pub auth: AuthMode,
    /// Limit for each request.
    pub request_timeout: Duration,
    /// Retries on connect errors, 5xx and 429.
    pub retry: RetryPolicy,
    /// Use `$expand` for collections when the service root advertises it.
    pub use_expand: bool,
    /// Member GETs in flight at once for one collection (BMCs are small; keep it low).
    pub max_parallel_requests: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            credentials: None,
            auth: AuthMode::Auto,
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            use_expand: true,
            max_parallel_requests: 4,
        }
    }
}

impl ClientOptions {
    /// Default options with credentials.
    pub fn with_credentials(credentials: Credentials) -> Self {
        ClientOptions {
            credentials: Some(credentials),
            ..Self::default()
        }
    }
}

/// A connected, authenticated client of one BMC.
pub struct RedfishClient {
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) base: String,
    pub(crate) options: ClientOptions,
    pub(crate) auth: Mutex<AuthState>,
    /// Held while an expired session is renewed, so concurrent requests log in once.
    pub(crate) relogin: tokio::sync::Mutex<()>,
    root: ServiceRoot,
    root_json: Value,
}

impl std::fmt::Debug for RedfishClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedfishClient")
            .field("base", &self.base)
            .field("auth", &self.auth_kind())
            .field("options", &self.options)
            .finish()
    }
}

impl RedfishClient {
    /// Reads the service root of `base_url` (`https://host[:port]`, any path is ignored) and
    /// logs in with `options.credentials`.
    ///
    /// Fails with [`Error::Protocol`] when the host answers but is not a Redfish service,
    /// [`Error::Auth`] when the credentials are refused.
    pub async fn connect(
        transport: Arc<dyn Transport>,
        base_url: &str,
        options: ClientOptions,
    ) -> Result<Self> {
        let base = normalize_base(base_url);
        let root_json = fetch_service_root(&*transport, &base, &options).await?;
        Self::with_service_root(transport, &base, options, root_json).await
    }

    /// Like [`connect`](Self::connect) but with a service root already read (by a scan), so
    /// discovery does not fetch it twice.
    pub async fn with_service_root(
        transport: Arc<dyn Transport>,
        base_url: &str,
        options: ClientOptions,
        root_json: Value,
    ) -> Result<Self> {
        let root = ServiceRoot::from_value(&root_json);
        let client = RedfishClient {
            transport,
            base: normalize_base(base_url),
            options,
            auth: Mutex::new(AuthState::Anonymous),
            relogin: tokio::sync::Mutex::new(()),
            root,
            root_json,
        };
        client.login().await?;
        Ok(client)
    }

    /// The BMC's base URL, `scheme://host:port`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The service root read at connect time.
    pub fn service_root(&self) -> &ServiceRoot {
        &self.root
    }

    /// The service root as raw JSON.
    pub fn service_root_json(&self) -> &Value {
        &self.root_json
    }

    /// The options in use.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    pub(crate) fn request_auth(&self) -> RequestAuth {
        self.auth
            .lock()
            .map(|a| a.request_auth())
            .unwrap_or(RequestAuth::None)
    }

    /// The absolute URL of a Redfish path. Absolute URLs are reduced to their path so the
    /// client never follows a link off the BMC (and never sends it credentials).
    pub fn url(&self, path: &str) -> String {
        let path = strip_origin(path);
        if path.starts_with('/') {
            format!("{}{}", self.base, path)
        } else {
            format!("{}/{}", self.base, path)
        }
    }

    /// `GET` a path and parse the JSON body. A 401 to the session token renews the session
    /// once and repeats the request; a second 401 is an [`Error::Auth`].
    pub async fn get(&self, path: &str) -> Result<Value> {
        let response = self
            .send_authed(Method::Get, path, RequestBody::Empty)
            .await?;
        self.json_of(path, response)
    }

    /// Reads every page of a collection (following `Members@odata.nextLink`) and returns
    /// the members' `@odata.id`s.
    pub async fn get_collection(&self, path: &str) -> Result<Collection> {
        let first = self.get(path).await?;
        let mut collection = Collection::from_value(&first);
        let mut next = collection.next_link.take();
        let mut pages = 1;
        while let Some(link) = next {
            if pages >= MAX_PAGES {
                tracing::warn!(target = %self.base, path, "too many pages; stopping");
                break;
            }
            let page = Collection::from_value(&self.get(&link).await?);
            collection.members.extend(page.members);
            next = page.next_link.filter(|n| *n != link);
            pages += 1;
        }
        Ok(collection)
    }

    /// Reads every member of a collection as JSON, in collection order.
    ///
    /// Uses `$expand` when the service root advertises it (and [`ClientOptions::use_expand`]
    /// is on); members the expanded answer lacks are fetched one by one, and an error
    /// answer to the expand query falls back to plain GETs. Members answering 404 are
    /// skipped with a warning.
    pub async fn get_members(&self, path: &str) -> Result<Vec<Value>> {
        if self.options.use_expand
            && let Some(q) = self.root.expand.query()
        {
            let levels = if self.root.expand.levels {
                "($levels=1)"
            } else {
                ""
            };
            let sep = if path.contains('?') { '&' } else { '?' };
            let expanded = format!("{path}{sep}$expand={q}{levels}");
            match self.expanded_members(&expanded).await {
                Ok(Some(members)) => return Ok(members),
                Ok(None) => {}
                Err(e) if matches!(e, Error::Http { .. } | Error::Parse { .. }) => {
                    tracing::debug!(target = %self.base, path, error = %e, "$expand refused; reading members one by one");
                }
                Err(e) => return Err(e),
            }
        }
        let collection = self.get_collection(path).await?;
        self.fetch_all(collection.members.iter().map(String::as_str))
            .await
    }

    /// Reads an expanded collection. `Ok(None)` when the answer is not a collection.
    async fn expanded_members(&self, path: &str) -> Result<Option<Vec<Value>>> {
        let mut page = self.get(path).await?;
        let mut out: Vec<Option<Value>> = Vec::new();
        let mut missing: Vec<(usize, String)> = Vec::new();
        let mut pages = 0;
        loop {
            let Some(Value::Array(members)) = page.get_mut("Members").map(Value::take) else {
                return Ok(None);
            };
            for m in members {
                let id = crate::resources::lenient::odata_id(&m);
                // An expanded member carries more than its own link.
                let expanded = m
                    .as_object()
                    .is_some_and(|o| o.keys().any(|k| k != "@odata.id" && k != "@odata.type"));
                if expanded {
                    out.push(Some(m));
                } else if let Some(id) = id {
                    missing.push((out.len(), id));
                    out.push(None);
                }
            }
            pages += 1;
            let next = crate::resources::lenient::text(&page, "Members@odata.nextLink");
            match next {
                Some(link) if pages < MAX_PAGES => page = self.get(&link).await?,
                _ => break,
            }
        }
        if !missing.is_empty() {
            tracing::debug!(target = %self.base, path, missing = missing.len(), "expanded answer lacks members; fetching them");
            let fetched = self
                .fetch_all(missing.iter().map(|(_, id)| id.as_str()))
                .await?;
            // `fetch_all` skips 404s, so match by @odata.id rather than by position.
            for v in fetched {
                let id = crate::resources::lenient::odata_id(&v);
                if let Some((slot, _)) = missing.iter().find(|(_, m)| Some(m) == id.as_ref()) {
                    out[*slot] = Some(v);
                }
            }
        }
        Ok(Some(out.into_iter().flatten().collect()))
    }

    /// GETs each path (a few at a time), keeping order and skipping 404s.
    pub async fn fetch_all<'a>(&self, paths: impl Iterator<Item = &'a str>) -> Result<Vec<Value>> {
        // Futures collected first: a stream over a borrowing closure trips the
        // higher-ranked `Send` check when the caller is spawned.
        let futures: Vec<_> = paths
            .map(|p| {
                let p = p.to_owned();
                async move {
                    let r = self.get(&p).await;
                    (p, r)
                }
            })
            .collect();
        let results: Vec<(String, Result<Value>)> = futures::stream::iter(futures)
            .buffered(self.options.max_parallel_requests.max(1))
            .collect()
            .await;
        let mut out = Vec::with_capacity(results.len());
        for (path, r) in results {
            match r {
                Ok(mut v) => {
                    // Some BMCs omit @odata.id in members; the crawler keys on it.
                    if let Some(o) = v.as_object_mut() {
                        o.entry("@odata.id")
                            .or_insert_with(|| Value::String(path.clone()));
                    }
                    out.push(v)
                }
                Err(e) if e.is_not_found() => {
                    tracing::warn!(target = %self.base, path, "collection member answered 404; skipped");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Sends a request with retries and maps transport failures to [`Error`].
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        auth: RequestAuth,
        body: RequestBody,
    ) -> Result<HttpResponse> {
        send_with_retry(
            &*self.transport,
            &self.base,
            &self.options,
            method,
            path,
            &self.url(path),
            auth,
            body,
        )
        .await
    }

    /// Checks the status of a response and parses its JSON body.
    pub(crate) fn json_of(&self, path: &str, response: HttpResponse) -> Result<Value> {
        check_status(&self.base, path, &self.options, &response)?;
        parse_json(&self.base, path, &response.body)
    }
}

/// `scheme://host[:port]` of a URL, without path or trailing slash.
pub(crate) fn normalize_base(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("https".to_owned(), url),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}")
}

/// The path (and query) of an absolute URL; other strings unchanged.
fn strip_origin(path: &str) -> &str {
    for scheme in ["https://", "http://"] {
        if let Some(rest) = path.strip_prefix(scheme) {
            return rest.find('/').map_or("/", |i| &rest[i..]);
        }
    }
    path
}

/// Reads the service root of `base` without credentials, falling back to Basic when the
/// BMC insists on them, and checks that it is one.
pub(crate) async fn fetch_service_root(
    transport: &dyn Transport,
    base: &str,
    options: &ClientOptions,
) -> Result<Value> {
    let url = format!("{base}{SERVICE_ROOT}");
    let get = |auth| {
        send_with_retry(
            transport,
            base,
            options,
            Method::Get,
            SERVICE_ROOT,
            &url,
            auth,
            RequestBody::Empty,
        )
    };
    let mut response = get(RequestAuth::None).await?;
    if matches!(response.status, 401 | 403)
        && let Some(c) = &options.credentials
    {
        response = get(RequestAuth::Basic(c.clone())).await?;
    }
    check_status(base, SERVICE_ROOT, options, &response)?;
    let body = response.body.trim_ascii_start();
    let looks_json = body.first().is_some_and(|b| *b == b'{' || *b == b'[');
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) if looks_json => {
            return Err(Error::Parse {
                target: base.to_owned(),
                path: SERVICE_ROOT.to_owned(),
                message: e.to_string(),
            });
        }
        Err(_) => {
            return Err(not_redfish(base, "the answer is not JSON"));
        }
    };
    if !ServiceRoot::is_service_root(&v) {
        return Err(not_redfish(
            base,
            "JSON without RedfishVersion or a ServiceRoot @odata.type",
        ));
    }
    Ok(v)
}

fn not_redfish(base: &str, why: &str) -> Error {
    Error::Protocol {
        target: base.to_owned(),
        path: SERVICE_ROOT.to_owned(),
        message: format!("not a Redfish service root: {why}"),
    }
}

pub(crate) fn check_status(
    base: &str,
    path: &str,
    options: &ClientOptions,
    r: &HttpResponse,
) -> Result<()> {
    match r.status {
        200..=299 => Ok(()),
        401 | 403 => Err(Error::Auth {
            target: base.to_owned(),
            path: path.to_owned(),
            username: options
                .credentials
                .as_ref()
                .map(|c| c.username.clone())
                .unwrap_or_default(),
            status: r.status,
        }),
        status => Err(Error::Http {
            target: base.to_owned(),
            path: path.to_owned(),
            status,
        }),
    }
}

fn parse_json(base: &str, path: &str, body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| Error::Parse {
        target: base.to_owned(),
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// One request with bounded retries on connect errors, 429 and 5xx.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send_with_retry(
    transport: &dyn Transport,
    base: &str,
    options: &ClientOptions,
    method: Method,
    path: &str,
    url: &str,
    auth: RequestAuth,
    body: RequestBody,
) -> Result<HttpResponse> {
    let policy = options.retry;
    let mut attempt = 0u32;
    loop {
        let request = HttpRequest {
            method,
            url: url.to_owned(),
            auth: auth.clone(),
            body: body.clone(),
            timeout: options.request_timeout,
            if_match: None,
        };
        let result = transport.send(request).await;
        let retry_after = match &result {
            Ok(r) if RetryPolicy::retry_status(r.status) => {
                Some(r.header("retry-after").map(str::to_owned))
            }
            Err(TransportError::Connect(_)) => Some(None),
            _ => None,
        };
        match retry_after {
            Some(after) if attempt < policy.max_retries => {
                let delay = policy.delay(attempt, after.as_deref());
                tracing::debug!(target = %base, path, attempt, ?delay, "retrying");
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            _ => {
                return result.map_err(|e| transport_error(base, path, options, e));
            }
        }
    }
}

pub(crate) fn transport_error(
    base: &str,
    path: &str,
    options: &ClientOptions,
    e: TransportError,
) -> Error {
    let target = base.to_owned();
    match e {
        TransportError::Connect(message) => Error::Unreachable { target, message },
        TransportError::Tls(message) => Error::Tls { target, message },
        TransportError::Timeout => Error::Timeout {
            target,
            what: path.to_owned(),
            after_ms: options.request_timeout.as_millis() as u64,
        },
        TransportError::Other(message) => Error::Protocol {
            target,
            path: path.to_owned(),
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::MockTransport;
    use serde_json::json;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn fast_retry(max: u32) -> ClientOptions {
        ClientOptions {
            retry: RetryPolicy {
                max_retries: max,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(5),
            },
            ..ClientOptions::default()
        }
    }

    fn root_body() -> Vec<u8> {
        serde_json::to_vec(
            &json!({"RedfishVersion": "1.6.0", "Systems": {"@odata.id": "/redfish/v1/Systems"}}),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn retries_503_and_429_then_succeeds() {
        let mut mock = MockTransport::new();
        let calls = Arc::new(AtomicU32::new(0));
        let c = calls.clone();
        mock.expect_send().times(3).returning(move |_| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            Ok(match n {
                0 => HttpResponse::new(503, ""),
                1 => HttpResponse::new(429, "").with_header("Retry-After", "0"),
                _ => HttpResponse::new(200, root_body()),
            })
        });
        let v = fetch_service_root(&mock, "https://bmc", &fast_retry(3))
            .await
            .unwrap();
        assert_eq!(v["RedfishVersion"], "1.6.0");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    type Answer = fn() -> std::result::Result<HttpResponse, TransportError>;

    /// The error reading the service root gives when the transport always gives `answer`,
    /// checking it was asked exactly `sends` times.
    async fn root_error(sends: usize, max_retries: u32, answer: Answer) -> Error {
        let mut mock = MockTransport::new();
        mock.expect_send().times(sends).returning(move |_| answer());
        fetch_service_root(&mock, "https://bmc", &fast_retry(max_retries))
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn retries_are_bounded() {
        // 1 try + 2 retries, then the 503 is reported.
        let err = root_error(3, 2, || Ok(HttpResponse::new(503, ""))).await;
        assert!(matches!(err, Error::Http { status: 503, .. }), "{err}");
    }

    #[tokio::test]
    async fn connect_errors_are_retried_timeouts_are_not() {
        let err = root_error(2, 1, || Err(TransportError::Connect("refused".into()))).await;
        assert_eq!(err.kind(), crate::ErrorKind::Unreachable);
        let err = root_error(1, 5, || Err(TransportError::Timeout)).await;
        assert_eq!(err.kind(), crate::ErrorKind::Timeout);
        let err = root_error(1, 5, || Err(TransportError::Tls("UnknownIssuer".into()))).await;
        assert_eq!(err.kind(), crate::ErrorKind::Tls);
    }

    #[tokio::test]
    async fn backoff_waits_between_attempts() {
        let mut mock = MockTransport::new();
        mock.expect_send()
            .times(3)
            .returning(|_| Ok(HttpResponse::new(500, "")));
        let opts = ClientOptions {
            retry: RetryPolicy {
                max_retries: 2,
                initial_backoff: Duration::from_millis(20),
                max_backoff: Duration::from_millis(1000),
            },
            ..ClientOptions::default()
        };
        let t = std::time::Instant::now();
        let _ = fetch_service_root(&mock, "https://bmc", &opts).await;
        // 20 ms + 40 ms of backoff.
        assert!(
            t.elapsed() >= Duration::from_millis(60),
            "{:?}",
            t.elapsed()
        );
    }

    #[tokio::test]
    async fn not_redfish_and_not_json() {
        let err = root_error(1, 0, || Ok(HttpResponse::new(200, "<html>router</html>"))).await;
        assert_eq!(err.kind(), crate::ErrorKind::Protocol);
        let err = root_error(1, 0, || Ok(HttpResponse::new(200, "{\"RedfishVersion\": "))).await;
        assert_eq!(err.kind(), crate::ErrorKind::Parse);
        let err = root_error(1, 0, || Ok(HttpResponse::new(200, "{\"hello\": 1}"))).await;
        assert_eq!(err.kind(), crate::ErrorKind::Protocol);
    }

    #[test]
    fn urls_stay_on_the_bmc() {
        assert_eq!(
            normalize_base("https://10.0.0.1:443/redfish/v1/"),
            "https://10.0.0.1:443"
        );
        assert_eq!(normalize_base("10.0.0.1"), "https://10.0.0.1");
        assert_eq!(
            strip_origin("https://evil.example/redfish/v1/Systems"),
            "/redfish/v1/Systems"
        );
        assert_eq!(strip_origin("https://evil.example"), "/");
        assert_eq!(strip_origin("/redfish/v1"), "/redfish/v1");
    }
}
