//! The simulator's request handling: routing into the tree, auth, sessions, faults,
//! `$expand` and pagination.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

use super::tree::normalize_path;
use super::{ExpandMode, FaultKind, SimBmcConfig};

const ROOT: &str = "/redfish/v1";
const SESSIONS: &str = "/redfish/v1/SessionService/Sessions";

/// Counters of one simulated BMC.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) sessions_created: AtomicU64,
    pub(crate) sessions_deleted: AtomicU64,
    pub(crate) sessions_expired: AtomicU64,
    pub(crate) token_requests: AtomicU64,
    pub(crate) basic_requests: AtomicU64,
    pub(crate) unauthorized: AtomicU64,
    pub(crate) expand_requests: AtomicU64,
    pub(crate) faults: AtomicU64,
    pub(crate) resets: AtomicU64,
    pub(crate) reset_actions: AtomicU64,
    pub(crate) patches: AtomicU64,
}

/// Shared state of one simulated BMC.
pub(crate) struct SimState {
    pub(crate) config: SimBmcConfig,
    pub(crate) counters: Counters,
    draws: AtomicU64,
    conn_draws: AtomicU64,
    /// Open sessions by token.
    sessions: Mutex<HashMap<String, SimSession>>,
    next_session: AtomicU64,
    /// Power state, boot overrides and the log of writes.
    pub(crate) systems: super::actions::SimSystems,
}

/// One open session.
struct SimSession {
    id: String,
    /// Requests made with its token so far.
    uses: u64,
}

impl SimState {
    pub(crate) fn new(config: SimBmcConfig) -> Self {
        SimState {
            systems: super::actions::SimSystems::new(&config.tree),
            config,
            counters: Counters::default(),
            draws: AtomicU64::new(0),
            conn_draws: AtomicU64::new(0),
            sessions: Mutex::new(HashMap::new()),
            next_session: AtomicU64::new(1),
        }
    }

    pub(crate) fn active_sessions(&self) -> usize {
        self.sessions.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Forgets every open session.
    pub(crate) fn expire_sessions(&self) {
        if let Ok(mut s) = self.sessions.lock() {
            let n = s.len() as u64;
            s.clear();
            self.counters
                .sessions_expired
                .fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Whether `token` names an open session, counting the use; a session past its
    /// request budget expires here.
    fn use_session(&self, token: &str) -> bool {
        let Ok(mut sessions) = self.sessions.lock() else {
            return false;
        };
        let Some(session) = sessions.get_mut(token) else {
            return false;
        };
        session.uses += 1;
        if self
            .config
            .session_max_requests
            .is_some_and(|max| session.uses > max)
        {
            sessions.remove(token);
            self.counters
                .sessions_expired
                .fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    fn draw(&self, counter: &AtomicU64, kinds: &[FaultKind]) -> Option<FaultKind> {
        let f = self.config.faults?;
        if !kinds.contains(&f.kind) {
            return None;
        }
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let hit = f.rate >= 1.0
            || unit(splitmix(f.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15))) < f.rate;
        hit.then_some(f.kind)
    }

    /// Whether to reset a freshly accepted connection.
    pub(crate) fn draw_reset(&self) -> bool {
        let hit = self.draw(&self.conn_draws, &[FaultKind::Reset]).is_some();
        if hit {
            self.counters.resets.fetch_add(1, Ordering::Relaxed);
        }
        hit
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

pub(super) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert("OData-Version", HeaderValue::from_static("4.0"));
    r
}

pub(super) fn redfish_error(status: StatusCode, id: &str, message: &str) -> Response {
    json_response(
        status,
        &json!({"error": {"code": format!("Base.1.8.{id}"), "message": message}}),
    )
}

/// The axum fallback handler serving everything.
pub(crate) async fn handle(
    State(state): State<Arc<SimState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let c = &state.counters;
    c.requests.fetch_add(1, Ordering::Relaxed);
    let cfg = &state.config;
    if !cfg.latency.is_zero() {
        tokio::time::sleep(cfg.latency).await;
    }
    match state.draw(
        &state.draws,
        &[
            FaultKind::Status500,
            FaultKind::Hang,
            FaultKind::MalformedJson,
        ],
    ) {
        Some(FaultKind::Status500) => {
            c.faults.fetch_add(1, Ordering::Relaxed);
            return redfish_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "injected fault",
            );
        }
        Some(FaultKind::Hang) => {
            c.faults.fetch_add(1, Ordering::Relaxed);
            std::future::pending::<()>().await;
        }
        Some(FaultKind::MalformedJson) => {
            c.faults.fetch_add(1, Ordering::Relaxed);
            let mut r = (
                StatusCode::OK,
                "{\"@odata.id\": \"/redfish/v1\", \"RedfishVersion\": \"1.",
            )
                .into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            return r;
        }
        _ => {}
    }

    let raw_path = uri.path();
    if raw_path.trim_end_matches('/') == "/redfish" {
        return json_response(StatusCode::OK, &json!({"v1": "/redfish/v1/"}));
    }
    if !raw_path.starts_with("/redfish/v1") {
        return redfish_error(StatusCode::NOT_FOUND, "ResourceMissingAtURI", "not found");
    }
    let path = normalize_path(raw_path);
    let query = parse_query(uri.query().unwrap_or(""));

    // Session endpoints.
    if path == SESSIONS && method == Method::POST {
        return create_session(&state, &body);
    }
    if let Some(id) = path.strip_prefix(&format!("{SESSIONS}/"))
        && method == Method::DELETE
    {
        return delete_session(&state, &headers, id);
    }
    if let Some(r) = super::actions::handle_write(&state, &method, &path, &headers, &body) {
        return r;
    }
    if method != Method::GET && method != Method::HEAD {
        return redfish_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "OperationNotAllowed",
            "read-only",
        );
    }

    if path == ROOT {
        return match cfg.tree.get(ROOT) {
            Some(root) => json_response(StatusCode::OK, &service_root(cfg, root)),
            None => redfish_error(StatusCode::NOT_FOUND, "ResourceMissingAtURI", "no root"),
        };
    }
    if let Err(r) = authorize(&state, &headers) {
        return *r;
    }
    if !cfg.session_service && path.starts_with("/redfish/v1/SessionService") {
        return redfish_error(
            StatusCode::NOT_FOUND,
            "ResourceMissingAtURI",
            "no SessionService",
        );
    }
    let Some(mut body) = cfg
        .tree
        .get(&path)
        .cloned()
        .or_else(|| synthesized(cfg, &path))
    else {
        return redfish_error(StatusCode::NOT_FOUND, "ResourceMissingAtURI", "not found");
    };
    if let Some(Value::Array(members)) = body.get("Members").cloned() {
        let expand = query.contains_key("$expand");
        if expand {
            c.expand_requests.fetch_add(1, Ordering::Relaxed);
            if cfg.expand == ExpandMode::Reject {
                return redfish_error(
                    StatusCode::BAD_REQUEST,
                    "QueryNotSupported",
                    "$expand is not supported",
                );
            }
        }
        let skip: usize = query.get("$skip").and_then(|s| s.parse().ok()).unwrap_or(0);
        let top: Option<usize> = query
            .get("$top")
            .and_then(|s| s.parse().ok())
            .or(cfg.page_size);
        let end = top.map_or(members.len(), |t| skip.saturating_add(t).min(members.len()));
        let mut page: Vec<Value> = members
            .get(skip.min(members.len())..end)
            .unwrap_or(&[])
            .to_vec();
        if expand && cfg.expand == ExpandMode::Honor {
            for m in &mut page {
                if let Some(full) = m
                    .get("@odata.id")
                    .and_then(Value::as_str)
                    .and_then(|id| cfg.tree.get(id))
                {
                    *m = full.clone();
                }
            }
        }
        body["Members"] = Value::Array(page);
        if let Some(t) = top
            && end < members.len()
        {
            let mut next = format!("{path}?$skip={end}&$top={t}");
            if expand {
                next.push_str("&$expand=.");
            }
            body["Members@odata.nextLink"] = Value::String(next);
        }
    }
    let etag = state.systems.overlay(&path, &mut body);
    let mut response = json_response(StatusCode::OK, &body);
    if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

fn parse_query(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.replace("%24", "$"), v.to_owned())
        })
        .collect()
}

/// The root as served: without SessionService links when sessions are off.
fn service_root(cfg: &SimBmcConfig, root: &Value) -> Value {
    let mut root = root.clone();
    if !cfg.session_service
        && let Some(o) = root.as_object_mut()
    {
        o.remove("SessionService");
        if let Some(links) = o.get_mut("Links").and_then(Value::as_object_mut) {
            links.remove("Sessions");
        }
    }
    root
}

/// Session resources a tree may lack.
fn synthesized(cfg: &SimBmcConfig, path: &str) -> Option<Value> {
    if !cfg.session_service {
        return None;
    }
    match path {
        "/redfish/v1/SessionService" => Some(json!({
            "@odata.id": "/redfish/v1/SessionService",
            "ServiceEnabled": true,
            "Sessions": {"@odata.id": SESSIONS},
        })),
        SESSIONS => Some(json!({"@odata.id": SESSIONS, "Members": [], "Members@odata.count": 0})),
        _ => None,
    }
}

fn creds_match(cfg: &SimBmcConfig, user: &str, password: &str) -> bool {
    cfg.credentials
        .as_ref()
        .is_none_or(|c| c.username == user && c.password.expose() == password)
}

pub(super) fn authorize(state: &SimState, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let cfg = &state.config;
    let c = &state.counters;
    if let Some(token) = headers.get("x-auth-token").and_then(|v| v.to_str().ok()) {
        if state.use_session(token) {
            c.token_requests.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
    } else if let Some((user, password)) = basic_credentials(headers)
        && cfg.basic_auth
    {
        c.basic_requests.fetch_add(1, Ordering::Relaxed);
        if creds_match(cfg, &user, &password) {
            return Ok(());
        }
    } else if cfg.credentials.is_none() {
        return Ok(());
    }
    c.unauthorized.fetch_add(1, Ordering::Relaxed);
    let mut r = redfish_error(
        StatusCode::UNAUTHORIZED,
        "NoValidSession",
        "authentication required",
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"sim\""),
    );
    Err(Box::new(r))
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))?;
    let decoded = String::from_utf8(base64_decode(b64.trim())?).ok()?;
    let (u, p) = decoded.split_once(':')?;
    Some((u.to_owned(), p.to_owned()))
}

/// Standard base64 decoding (padding optional); `None` on any invalid byte.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for b in s.bytes().filter(|b| *b != b'=') {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn create_session(state: &SimState, body: &[u8]) -> Response {
    let cfg = &state.config;
    if !cfg.session_service {
        return redfish_error(
            StatusCode::NOT_FOUND,
            "ResourceMissingAtURI",
            "no SessionService",
        );
    }
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let user = v.get("UserName").and_then(Value::as_str).unwrap_or("");
    let password = v.get("Password").and_then(Value::as_str).unwrap_or("");
    if !creds_match(cfg, user, password) {
        state.counters.unauthorized.fetch_add(1, Ordering::Relaxed);
        return redfish_error(
            StatusCode::UNAUTHORIZED,
            "NoValidSession",
            "bad credentials",
        );
    }
    let n = state.next_session.fetch_add(1, Ordering::Relaxed);
    let id = n.to_string();
    let token = format!("simtoken-{:016x}", splitmix(n ^ 0x5e55_1011));
    if let Ok(mut s) = state.sessions.lock() {
        s.insert(
            token.clone(),
            SimSession {
                id: id.clone(),
                uses: 0,
            },
        );
    }
    state
        .counters
        .sessions_created
        .fetch_add(1, Ordering::Relaxed);
    let location = format!("{SESSIONS}/{id}");
    let mut r = json_response(
        StatusCode::CREATED,
        &json!({"@odata.id": location, "Id": id, "UserName": user}),
    );
    if let (Ok(t), Ok(l)) = (
        HeaderValue::from_str(&token),
        HeaderValue::from_str(&location),
    ) {
        r.headers_mut().insert("X-Auth-Token", t);
        r.headers_mut().insert(header::LOCATION, l);
    }
    r
}

fn delete_session(state: &SimState, headers: &HeaderMap, id: &str) -> Response {
    let token = headers.get("x-auth-token").and_then(|v| v.to_str().ok());
    let Ok(mut sessions) = state.sessions.lock() else {
        return redfish_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "lock");
    };
    let owner = sessions
        .iter()
        .find(|(_, s)| s.id == id)
        .map(|(t, _)| t.clone());
    match owner {
        Some(t) if token == Some(t.as_str()) => {
            sessions.remove(&t);
            state
                .counters
                .sessions_deleted
                .fetch_add(1, Ordering::Relaxed);
            StatusCode::NO_CONTENT.into_response()
        }
        Some(_) => redfish_error(
            StatusCode::UNAUTHORIZED,
            "NoValidSession",
            "not your session",
        ),
        None => redfish_error(
            StatusCode::NOT_FOUND,
            "ResourceMissingAtURI",
            "no such session",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_roundtrip() {
        assert_eq!(base64_decode("cm9vdDpwdw==").unwrap(), b"root:pw");
        assert_eq!(base64_decode("cm9vdDpwdw").unwrap(), b"root:pw");
        assert!(base64_decode("!!").is_none());
    }

    #[test]
    fn query_parsing() {
        let q = parse_query("%24expand=.($levels=1)&$top=2");
        assert_eq!(q.get("$expand").map(String::as_str), Some(".($levels=1)"));
        assert_eq!(q.get("$top").map(String::as_str), Some("2"));
    }
}
