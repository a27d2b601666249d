//! Bearer-token authentication: JWTs signed RS256/384/512, PS256/384/512 (TokenSmith's
//! default) or ES256/384 by a key from a JWKS (a file, or a URL fetched with reqwest), with
//! `exp`/`nbf` checked, optional audience and issuer (`aud` may be a string or an array, as
//! TokenSmith writes it), and OpenCHAMI-style scopes per route family.
//!
//! Which routes need what:
//! - writes (any method but GET/HEAD) need the family's write scope (`smd:write`,
//!   `bss:write`, `cloud-init:write` by default);
//! - reads need the family's read scope only with `auth_reads`, except cloud-init's
//!   impersonation routes (any node's documents), which always need it;
//! - the routes nodes and probes call stay public, as upstream's: `/hsm/v2/service/*`,
//!   `/boot/v1/bootscript`, `/boot/v1/service/*`, the NoCloud documents under
//!   `/cloud-init` (`meta-data`, `user-data`, `vendor-data`, `<group>.yaml`) and `/metrics`.
//!
//! A missing, malformed, expired or badly signed token answers 401, a valid token without
//! the scope 403; both with `WWW-Authenticate: Bearer`. Scopes are read from the `scope`
//! claim (space-separated, RFC 8693, or a JSON array as TokenSmith writes it) or
//! `scp`/`scopes` (string or array).
//!
//! OpenCHAMI mapping: no v0.2.0 service checks `smd:write`-style scopes, and TokenSmith's
//! admin token is `scope: ["admin"]`, `aud: ["smd"]`, signed PS256. Any scope or role
//! (`roles`/`role` claim) listed in [`ScopePolicy::admin_scopes`] (default `admin`) grants
//! every family's read and write, so that token may write everywhere; set the audience to
//! `smd` and the issuer to TokenSmith's (`http://tokensmith:8080` in the v0.2.0 quickstart)
//! to accept exactly the tokens an OpenCHAMI SMD accepts.
//!
//! With a JWKS URL, keys are cached; a token with an unknown `kid` triggers a refetch, at
//! most once per [`REFRESH_INTERVAL`], so a key rotation is picked up without restarts and
//! without letting bad tokens hammer the identity provider. The cache holds only public keys
//! from one URL, so every replica converges on the same answer.

mod jwks;
mod middleware;
mod policy;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use jsonwebtoken::{Validation, errors::ErrorKind};
use serde::Deserialize;

use crate::problem::ApiError;
use jwks::{KeySource, Keys, RemoteJwks};
pub(crate) use middleware::require;
pub use policy::{FamilyScopes, ScopePolicy};

/// The default shortest time between two JWKS refetches caused by unknown key ids.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(30);

/// Where the public keys that sign bearer tokens come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A JWKS document on disk, read once at startup.
    File(PathBuf),
    /// A JWKS URL (e.g. an OIDC provider's `jwks_uri`), refetched on unknown key ids.
    Url(String),
}

/// Authentication settings of a server: where keys come from, which claims are required and
/// which scope each route family needs.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The key source; `None` turns authentication off.
    pub jwks: Option<JwksSource>,
    /// Required `aud` claim.
    pub audience: Option<String>,
    /// Required `iss` claim.
    pub issuer: Option<String>,
    /// Shortest time between two JWKS refetches caused by unknown key ids.
    pub min_refresh: Duration,
    /// Which scope each route needs.
    pub policy: ScopePolicy,
    /// Allow listening on a non-loopback address without authentication.
    pub insecure_no_auth: bool,
}

impl Default for AuthConfig {
    /// No key source (authentication off) and the default scopes.
    fn default() -> Self {
        AuthConfig {
            jwks: None,
            audience: None,
            issuer: None,
            min_refresh: REFRESH_INTERVAL,
            policy: ScopePolicy::default(),
            insecure_no_auth: false,
        }
    }
}

impl AuthConfig {
    /// Whether a key source is configured.
    pub fn enabled(&self) -> bool {
        self.jwks.is_some()
    }

    /// Build the authenticator, or `None` when no key source is configured. A JWKS URL that
    /// cannot be fetched yet is not fatal: tokens are refused until it can.
    pub async fn authenticator(&self) -> Result<Option<Authenticator>, AuthError> {
        let keys = match &self.jwks {
            Some(JwksSource::File(path)) => {
                let text = std::fs::read_to_string(path).map_err(|e| AuthError::Jwks {
                    location: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                KeySource::Fixed(Arc::new(Keys::from_json(
                    &text,
                    &path.display().to_string(),
                )?))
            }
            Some(JwksSource::Url(url)) => {
                let remote = RemoteJwks::new(url.clone(), self.min_refresh)?;
                if let Err(e) = remote.refresh().await {
                    tracing::warn!(url = %url, error = %e, "JWKS not available yet; tokens are refused until it is");
                }
                KeySource::Remote(remote)
            }
            None => return Ok(None),
        };
        Ok(Some(Authenticator {
            keys,
            audience: self.audience.clone(),
            issuer: self.issuer.clone(),
            policy: self.policy.clone(),
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
    #[serde(default)]
    roles: Option<ScopeClaim>,
    #[serde(default)]
    role: Option<ScopeClaim>,
}

impl Claims {
    fn has_scope(&self, scope: &str) -> bool {
        [&self.scope, &self.scp, &self.scopes]
            .into_iter()
            .flatten()
            .any(|c| c.contains(scope))
    }

    /// Whether a scope or role is one of `admin`.
    fn is_admin(&self, admin: &[String]) -> bool {
        admin.iter().any(|a| {
            self.has_scope(a)
                || [&self.roles, &self.role]
                    .into_iter()
                    .flatten()
                    .any(|c| c.contains(a))
        })
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
        if !jwks::ACCEPTED.contains(&header.alg) {
            return Err(unauthorized(
                "only RS256/384/512, PS256/384/512 and ES256/384 are accepted",
            ));
        }
        let candidates = match &self.keys {
            KeySource::Fixed(k) => k.candidates(header.kid.as_deref()),
            KeySource::Remote(r) => r.candidates(header.kid.as_deref()).await,
        };
        let mut last = unauthorized("no key matches the token's key id");
        for key in candidates.iter().filter(|k| k.algs.contains(&header.alg)) {
            let mut v = Validation::new(header.alg);
            v.validate_nbf = true;
            v.leeway = 30;
            match &self.audience {
                Some(a) => v.set_audience(&[a]),
                None => v.validate_aud = false,
            }
            if let Some(i) = &self.issuer {
                v.set_issuer(&[i]);
            }
            match jsonwebtoken::decode::<Claims>(token, &key.key, &v) {
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
        if claims.has_scope(scope) || claims.is_admin(&self.policy.admin_scopes) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                scope: scope.to_owned(),
            })
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
    fn scope_claim_forms() {
        let c: Claims = serde_json::from_str(r#"{"scope":"smd:read smd:write"}"#).unwrap();
        assert!(c.has_scope("smd:write") && !c.has_scope("smd"));
        let c: Claims = serde_json::from_str(r#"{"scp":["bss:write"]}"#).unwrap();
        assert!(c.has_scope("bss:write"));
        let admin = ["admin".to_owned()];
        let c: Claims = serde_json::from_str(r#"{"scope":["admin"]}"#).unwrap();
        assert!(c.is_admin(&admin) && !c.has_scope("smd:write"));
        let c: Claims = serde_json::from_str(r#"{"roles":["viewer","admin"]}"#).unwrap();
        assert!(c.is_admin(&admin));
        let c: Claims = serde_json::from_str(r#"{"scope":"administrator read"}"#).unwrap();
        assert!(!c.is_admin(&admin) && !c.is_admin(&[]));
    }

    #[test]
    fn jwks_without_usable_keys_is_refused() {
        let e = Keys::from_json(r#"{"keys":[]}"#, "t")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("no RSA, EC P-256"), "{e}");
        assert!(Keys::from_json("nope", "t").is_err());
    }
}
