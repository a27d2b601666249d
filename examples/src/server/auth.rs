//! Bearer-token authentication: JWTs signed RS256 or ES256 by a key from a JWKS (a file, or
//! a URL fetched with reqwest), with `exp`/`nbf` checked, optional audience and issuer, and
//! OpenCHAMI-style scopes per route family.
//!
//! Which routes need what:
//! - writes (any method but GET/HEAD) need the family's write scope (`smd:write`,
//!   `bss:write`, `cloud-init:write` by default);
//! - reads need the family's read scope only with `--auth-reads`, except cloud-init's
//!   impersonation routes (any node's documents), which always need it;
//! - the routes nodes and probes call stay public, as upstream's: `/hsm/v2/service/*`,
//!   `/boot/v1/bootscript`, `/boot/v1/service/*`, the NoCloud documents under
//!   `/cloud-init` (`meta-data`, `user-data`, `vendor-data`, `<group>.yaml`) and `/metrics`.
//!
//! A missing, malformed, expired or badly signed token answers 401, a valid token without
//! the scope 403; both with `WWW-Authenticate: Bearer`. Scopes are read from the `scope`
//! claim (space-separated, RFC 8693) or `scp`/`scopes` (string or array).
//!
//! With `--jwks-url`, keys are cached; a token with an unknown `kid` triggers a refetch, at
//! most once per [`REFRESH_INTERVAL`], so a key rotation is picked up without restarts and
//! without letting bad tokens hammer the identity provider. The cache holds only public keys
//! from one URL, so every replica converges on the same answer.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::Deserialize;

use super::AppState;
use super::problem::ApiError;

/// The default shortest time between two JWKS refetches caused by unknown key ids.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(30);

/// Authentication flags of `ochami serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct AuthArgs {
    /// JWKS file with the public keys that sign bearer tokens; enables authentication.
    #[arg(long, env = "OCHAMI_JWKS_FILE", conflicts_with = "jwks_url")]
    pub jwks_file: Option<PathBuf>,
    /// URL of a JWKS (e.g. an OIDC provider's `jwks_uri`); enables authentication.
    #[arg(long, env = "OCHAMI_JWKS_URL")]
    pub jwks_url: Option<String>,
    /// Required `aud` claim.
    #[arg(long, env = "OCHAMI_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// Required `iss` claim.
    #[arg(long, env = "OCHAMI_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Require the read scopes for reads too (the node-facing routes stay public).
    #[arg(long, env = "OCHAMI_AUTH_READS")]
    pub auth_reads: bool,
    /// Shortest time between two JWKS refetches caused by unknown key ids, in seconds.
    #[arg(long, env = "OCHAMI_JWKS_MIN_REFRESH_SECS", default_value_t = REFRESH_INTERVAL.as_secs())]
    pub jwks_min_refresh_secs: u64,
    /// Allow listening on a non-loopback address without authentication.
    #[arg(long, env = "OCHAMI_INSECURE_NO_AUTH")]
    pub insecure_no_auth: bool,
    /// Scope for reads of /hsm/v2 (with --auth-reads).
    #[arg(long, env = "OCHAMI_SMD_READ_SCOPE", default_value = "smd:read")]
    pub smd_read_scope: String,
    /// Scope for writes to /hsm/v2.
    #[arg(long, env = "OCHAMI_SMD_WRITE_SCOPE", default_value = "smd:write")]
    pub smd_write_scope: String,
    /// Scope for reads of /boot/v1 (with --auth-reads).
    #[arg(long, env = "OCHAMI_BSS_READ_SCOPE", default_value = "bss:read")]
    pub bss_read_scope: String,
    /// Scope for writes to /boot/v1.
    #[arg(long, env = "OCHAMI_BSS_WRITE_SCOPE", default_value = "bss:write")]
    pub bss_write_scope: String,
    /// Scope for reads of /cloud-init admin routes (with --auth-reads).
    #[arg(
        long,
        env = "OCHAMI_CLOUD_INIT_READ_SCOPE",
        default_value = "cloud-init:read"
    )]
    pub cloud_init_read_scope: String,
    /// Scope for writes to /cloud-init.
    #[arg(
        long,
        env = "OCHAMI_CLOUD_INIT_WRITE_SCOPE",
        default_value = "cloud-init:write"
    )]
    pub cloud_init_write_scope: String,
}

impl Default for AuthArgs {
    /// No key source (authentication off) and the default scopes, as the flags default.
    fn default() -> Self {
        let p = ScopePolicy::default();
        AuthArgs {
            jwks_file: None,
            jwks_url: None,
            jwt_audience: None,
            jwt_issuer: None,
            auth_reads: false,
            jwks_min_refresh_secs: REFRESH_INTERVAL.as_secs(),
            insecure_no_auth: false,
            smd_read_scope: p.smd.read,
            smd_write_scope: p.smd.write,
            bss_read_scope: p.bss.read,
            bss_write_scope: p.bss.write,
            cloud_init_read_scope: p.cloud_init.read,
            cloud_init_write_scope: p.cloud_init.write,
        }
    }
}

impl AuthArgs {
    /// Whether a key source is configured.
    pub fn enabled(&self) -> bool {
        self.jwks_file.is_some() || self.jwks_url.is_some()
    }

    /// The scope policy these flags describe.
    pub fn policy(&self) -> ScopePolicy {
        ScopePolicy {
            auth_reads: self.auth_reads,
            smd: FamilyScopes {
                read: self.smd_read_scope.clone(),
                write: self.smd_write_scope.clone(),
            },
            bss: FamilyScopes {
                read: self.bss_read_scope.clone(),
                write: self.bss_write_scope.clone(),
            },
            cloud_init: FamilyScopes {
                read: self.cloud_init_read_scope.clone(),
                write: self.cloud_init_write_scope.clone(),
            },
        }
    }

    /// Build the authenticator, or `None` when no key source is configured. A JWKS URL that
    /// cannot be fetched yet is not fatal: tokens are refused until it can.
    pub async fn authenticator(&self) -> Result<Option<Authenticator>, AuthError> {
        let keys = if let Some(path) = &self.jwks_file {
            let text = std::fs::read_to_string(path).map_err(|e| AuthError::Jwks {
                location: path.display().to_string(),
                reason: e.to_string(),
            })?;
            KeySource::Fixed(Arc::new(Keys::from_json(
                &text,
                &path.display().to_string(),
            )?))
        } else if let Some(url) = &self.jwks_url {
            let remote =
                RemoteJwks::new(url.clone(), Duration::from_secs(self.jwks_min_refresh_secs))?;
            if let Err(e) = remote.refresh().await {
                tracing::warn!(url = %url, error = %e, "JWKS not available yet; tokens are refused until it is");
            }
            KeySource::Remote(remote)
        } else {
            return Ok(None);
        };
        Ok(Some(Authenticator {
            keys,
            audience: self.jwt_audience.clone(),
            issuer: self.jwt_issuer.clone(),
            policy: self.policy(),
        }))
    }
}

/// Why the authentication setup failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The JWKS could not be read or parsed.
    #[error("cannot load JWKS from {location}: {reason}")]
    Jwks {
        /// File or URL.
        location: String,
        /// What went wrong.
        reason: String,
    },
}

/// Read and write scopes of one route family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyScopes {
    /// Needed for GET/HEAD with `auth_reads`.
    pub read: String,
    /// Needed for every other method.
    pub write: String,
}

/// Which scope each route needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopePolicy {
    /// Whether reads need the read scope.
    pub auth_reads: bool,
    /// `/hsm/v2`.
    pub smd: FamilyScopes,
    /// `/boot/v1`.
    pub bss: FamilyScopes,
    /// `/cloud-init`.
    pub cloud_init: FamilyScopes,
}

impl Default for ScopePolicy {
    fn default() -> Self {
        let fam = |f: &str| FamilyScopes {
            read: format!("{f}:read"),
            write: format!("{f}:write"),
        };
        ScopePolicy {
            auth_reads: false,
            smd: fam("smd"),
            bss: fam("bss"),
            cloud_init: fam("cloud-init"),
        }
    }
}

/// Routes nodes, probes and scrapers call without a token.
fn is_public(route: &str) -> bool {
    route.starts_with("/hsm/v2/service/")
        || route.starts_with("/boot/v1/service/")
        || matches!(
            route,
            "/boot/v1/bootscript"
                | "/cloud-init/meta-data"
                | "/cloud-init/user-data"
                | "/cloud-init/vendor-data"
                | "/cloud-init/{file}"
                | "/metrics"
        )
}

impl ScopePolicy {
    /// The scope `method` on the route template `route` requires, if any.
    pub fn required_scope(&self, method: &Method, route: &str) -> Option<&str> {
        if is_public(route) {
            return None;
        }
        let family = if route.starts_with("/hsm/v2") {
            &self.smd
        } else if route.starts_with("/boot/v1") {
            &self.bss
        } else if route.starts_with("/cloud-init") {
            &self.cloud_init
        } else {
            return None;
        };
        if matches!(*method, Method::GET | Method::HEAD) {
            // Impersonation reads any node's documents, so it never goes without a token.
            let always = route.starts_with("/cloud-init/admin/impersonation/");
            (self.auth_reads || always).then_some(family.read.as_str())
        } else {
            Some(family.write.as_str())
        }
    }
}

/// The verification keys of a JWKS, by key id.
#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, (DecodingKey, Algorithm)>,
    /// Keys without a `kid`, tried for tokens without one.
    anonymous: Vec<(DecodingKey, Algorithm)>,
}

impl Keys {
    fn from_json(text: &str, source: &str) -> Result<Keys, AuthError> {
        let err = |reason: String| AuthError::Jwks {
            location: source.to_owned(),
            reason,
        };
        let set: JwkSet = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut keys = Keys::default();
        for jwk in &set.keys {
            // Only RS256 and ES256 are accepted; other keys in the set are skipped.
            let alg = match (&jwk.algorithm, jwk.common.key_algorithm) {
                (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
                (AlgorithmParameters::EllipticCurve(p), None | Some(KeyAlgorithm::ES256))
                    if p.curve == EllipticCurve::P256 =>
                {
                    Algorithm::ES256
                }
                _ => continue,
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| err(format!("bad key: {e}")))?;
            match &jwk.common.key_id {
                Some(kid) => {
                    keys.by_kid.insert(kid.clone(), (key, alg));
                }
                None => keys.anonymous.push((key, alg)),
            }
        }
        if keys.by_kid.is_empty() && keys.anonymous.is_empty() {
            return Err(err("no RS256 or ES256 (P-256) key in the set".into()));
        }
        Ok(keys)
    }

    fn candidates(&self, kid: Option<&str>) -> Vec<(DecodingKey, Algorithm)> {
        match kid {
            Some(k) => self.by_kid.get(k).cloned().into_iter().collect(),
            None => self
                .anonymous
                .iter()
                .chain(self.by_kid.values())
                .cloned()
                .collect(),
        }
    }
}

struct RemoteJwks {
    url: String,
    min_refresh: Duration,
    client: reqwest::Client,
    keys: RwLock<Arc<Keys>>,
    /// When the last fetch happened; held while fetching so concurrent misses fetch once.
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
}

impl RemoteJwks {
    fn new(url: String, min_refresh: Duration) -> Result<Self, AuthError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| AuthError::Jwks {
                location: url.clone(),
                reason: e.to_string(),
            })?;
        Ok(RemoteJwks {
            url,
            min_refresh,
            client,
            keys: RwLock::new(Arc::new(Keys::default())),
            last_fetch: tokio::sync::Mutex::new(None),
        })
    }

    fn current(&self) -> Arc<Keys> {
        self.keys.read().map(|k| k.clone()).unwrap_or_default()
    }

    async fn refresh(&self) -> Result<(), AuthError> {
        *self.last_fetch.lock().await = Some(Instant::now());
        self.fetch().await
    }

    async fn fetch(&self) -> Result<(), AuthError> {
        let err = |reason: String| AuthError::Jwks {
            location: self.url.clone(),
            reason,
        };
        let resp = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(|e| err(e.to_string()))?;
        let resp = resp.error_for_status().map_err(|e| err(e.to_string()))?;
        let text = resp.text().await.map_err(|e| err(e.to_string()))?;
        let keys = Keys::from_json(&text, &self.url)?;
        if let Ok(mut k) = self.keys.write() {
            *k = Arc::new(keys);
        }
        tracing::info!(url = %self.url, "JWKS loaded");
        Ok(())
    }

    /// Keys for `kid`, refetching (rate-limited) when the id is unknown.
    async fn candidates(&self, kid: Option<&str>) -> Vec<(DecodingKey, Algorithm)> {
        let found = self.current().candidates(kid);
        if !found.is_empty() {
            return found;
        }
        let mut last = self.last_fetch.lock().await;
        // Another request may have refreshed while this one waited.
        let found = self.current().candidates(kid);
        if !found.is_empty() || last.is_some_and(|t| t.elapsed() < self.min_refresh) {
            return found;
        }
        *last = Some(Instant::now());
        if let Err(e) = self.fetch().await {
            tracing::warn!(error = %e, "JWKS refresh failed");
        }
        self.current().candidates(kid)
    }
}

enum KeySource {
    Fixed(Arc<Keys>),
    Remote(RemoteJwks),
}

/// Verifies bearer tokens and applies the [`ScopePolicy`].
pub struct Authenticator {
    keys: KeySource,
    audience: Option<String>,
    issuer: Option<String>,
    policy: ScopePolicy,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("audience", &self.audience)
            .field("issuer", &self.issuer)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ScopeClaim {
    Text(String),
    List(Vec<String>),
}

impl ScopeClaim {
    fn contains(&self, scope: &str) -> bool {
        match self {
            ScopeClaim::Text(s) => s.split_ascii_whitespace().any(|s| s == scope),
            ScopeClaim::List(l) => l.iter().any(|s| s == scope),
        }
    }
}

/// The claims the server looks at (signature, `exp`, `nbf`, `aud`, `iss` are checked by
/// `jsonwebtoken`).
#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    scope: Option<ScopeClaim>,
    #[serde(default)]
    scp: Option<ScopeClaim>,
    #[serde(default)]
    scopes: Option<ScopeClaim>,
}

impl Claims {
    fn has_scope(&self, scope: &str) -> bool {
        [&self.scope, &self.scp, &self.scopes]
            .into_iter()
            .flatten()
            .any(|c| c.contains(scope))
    }
}

impl Authenticator {
    /// An authenticator over a JWKS document (tests, embedding).
    pub fn from_jwks_json(
        jwks: &str,
        policy: ScopePolicy,
        audience: Option<String>,
        issuer: Option<String>,
    ) -> Result<Self, AuthError> {
        Ok(Authenticator {
            keys: KeySource::Fixed(Arc::new(Keys::from_json(jwks, "JWKS")?)),
            audience,
            issuer,
            policy,
        })
    }

    /// The scope policy.
    pub fn policy(&self) -> &ScopePolicy {
        &self.policy
    }

    async fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let unauthorized =
            |why: &str| ApiError::Unauthorized(format!("invalid bearer token: {why}"));
        let header = jsonwebtoken::decode_header(token).map_err(|_| unauthorized("not a JWT"))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(unauthorized("only RS256 and ES256 are accepted"));
        }
        let candidates = match &self.keys {
            KeySource::Fixed(k) => k.candidates(header.kid.as_deref()),
            KeySource::Remote(r) => r.candidates(header.kid.as_deref()).await,
        };
        let mut last = unauthorized("no key matches the token's key id");
        for (key, alg) in candidates.iter().filter(|(_, alg)| *alg == header.alg) {
            let mut v = Validation::new(*alg);
            v.validate_nbf = true;
            v.leeway = 30;
            match &self.audience {
                Some(a) => v.set_audience(&[a]),
                None => v.validate_aud = false,
            }
            if let Some(i) = &self.issuer {
                v.set_issuer(&[i]);
            }
            match jsonwebtoken::decode::<Claims>(token, key, &v) {
                Ok(data) => return Ok(data.claims),
                Err(e) => {
                    last = unauthorized(match e.kind() {
                        ErrorKind::ExpiredSignature => "expired",
                        ErrorKind::ImmatureSignature => "not valid yet (nbf)",
                        ErrorKind::InvalidSignature => "bad signature",
                        ErrorKind::InvalidAudience => "wrong audience",
                        ErrorKind::InvalidIssuer => "wrong issuer",
                        ErrorKind::MissingRequiredClaim(_) => "missing exp claim",
                        _ => "malformed",
                    })
                }
            }
        }
        Err(last)
    }

    /// Check a request: `Ok` when it may proceed.
    async fn check(
        &self,
        method: &Method,
        route: &str,
        authorization: Option<&str>,
    ) -> Result<(), ApiError> {
        let Some(scope) = self.policy.required_scope(method, route) else {
            return Ok(());
        };
        let token = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into()))?;
        let claims = self.verify(token).await?;
        if claims.has_scope(scope) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                scope: scope.to_owned(),
            })
        }
    }
}

/// Middleware: refuse requests without the token their route needs.
pub(crate) async fn require(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(auth) = state.authenticator() else {
        return next.run(req).await;
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path(), MatchedPath::as_str);
    let authz = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match auth.check(req.method(), route, authz).await {
        Ok(()) => next.run(req).await,
        Err(e) => {
            tracing::info!(method = %req.method(), route, error = %e, "request refused");
            e.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_by_family_and_method() {
        let mut p = ScopePolicy::default();
        assert_eq!(
            p.required_scope(&Method::POST, "/hsm/v2/State/Components"),
            Some("smd:write")
        );
        assert_eq!(
            p.required_scope(&Method::GET, "/hsm/v2/State/Components"),
            None
        );
        assert_eq!(
            p.required_scope(&Method::DELETE, "/boot/v1/bootparameters"),
            Some("bss:write")
        );
        assert_eq!(
            p.required_scope(&Method::PUT, "/cloud-init/admin/groups/{name}"),
            Some("cloud-init:write")
        );
        assert_eq!(
            p.required_scope(&Method::GET, "/hsm/v2/service/ready"),
            None
        );
        p.auth_reads = true;
        assert_eq!(
            p.required_scope(&Method::GET, "/hsm/v2/groups"),
            Some("smd:read")
        );
        assert_eq!(p.required_scope(&Method::GET, "/boot/v1/bootscript"), None);
        assert_eq!(p.required_scope(&Method::GET, "/cloud-init/{file}"), None);
        assert_eq!(p.required_scope(&Method::GET, "/metrics"), None);
    }

    #[test]
    fn defaults_match_the_flags() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            auth: AuthArgs,
        }
        let parsed = Cli::parse_from(["t"]).auth;
        assert_eq!(parsed.policy(), AuthArgs::default().policy());
        assert_eq!(
            parsed.jwks_min_refresh_secs,
            AuthArgs::default().jwks_min_refresh_secs
        );
    }

    #[test]
    fn scope_claim_forms() {
        let c: Claims = serde_json::from_str(r#"{"scope":"smd:read smd:write"}"#).unwrap();
        assert!(c.has_scope("smd:write") && !c.has_scope("smd"));
        let c: Claims = serde_json::from_str(r#"{"scp":["bss:write"]}"#).unwrap();
        assert!(c.has_scope("bss:write"));
    }

    #[test]
    fn jwks_without_usable_keys_is_refused() {
        let e = Keys::from_json(r#"{"keys":[]}"#, "t")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("no RS256 or ES256"), "{e}");
        assert!(Keys::from_json("nope", "t").is_err());
    }
}
