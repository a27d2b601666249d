//! Verification keys: a JWKS from a file, or from a URL refetched (rate-limited) when a token
//! names an unknown key id.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};

use super::AuthError;

/// The algorithms accepted for tokens: RSA (PKCS#1 v1.5 and PSS, as TokenSmith signs PS256 by
/// default) and ECDSA P-256/P-384. Never HMAC or `none`.
pub(super) const ACCEPTED: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

const RSA_ALGS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// A verification key and the algorithms it may verify.
#[derive(Clone)]
pub(super) struct Key {
    pub(super) key: DecodingKey,
    pub(super) algs: Vec<Algorithm>,
}

/// The verification keys of a JWKS, by key id.
#[derive(Default)]
pub(super) struct Keys {
    by_kid: HashMap<String, Key>,
    /// Keys without a `kid`, tried for tokens without one.
    anonymous: Vec<Key>,
}

/// The algorithms `jwk` may verify: its own `alg` when given, else every algorithm of its key
/// type (an RSA key without `alg` serves RS* and PS*); empty when unusable.
fn algorithms(jwk: &jsonwebtoken::jwk::Jwk) -> Vec<Algorithm> {
    let from_key_alg = |k: KeyAlgorithm| -> Option<Algorithm> {
        Some(match k {
            KeyAlgorithm::RS256 => Algorithm::RS256,
            KeyAlgorithm::RS384 => Algorithm::RS384,
            KeyAlgorithm::RS512 => Algorithm::RS512,
            KeyAlgorithm::PS256 => Algorithm::PS256,
            KeyAlgorithm::PS384 => Algorithm::PS384,
            KeyAlgorithm::PS512 => Algorithm::PS512,
            KeyAlgorithm::ES256 => Algorithm::ES256,
            KeyAlgorithm::ES384 => Algorithm::ES384,
            _ => return None,
        })
    };
    match (&jwk.algorithm, jwk.common.key_algorithm) {
        (AlgorithmParameters::RSA(_), None) => RSA_ALGS.to_vec(),
        (AlgorithmParameters::RSA(_), Some(k)) => from_key_alg(k)
            .filter(|a| RSA_ALGS.contains(a))
            .into_iter()
            .collect(),
        (AlgorithmParameters::EllipticCurve(p), k) => {
            let curve_alg = match p.curve {
                EllipticCurve::P256 => Algorithm::ES256,
                EllipticCurve::P384 => Algorithm::ES384,
                _ => return Vec::new(),
            };
            match k.map(from_key_alg) {
                None => vec![curve_alg],
                Some(a) if a == Some(curve_alg) => vec![curve_alg],
                Some(_) => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

impl Keys {
    pub(super) fn from_json(text: &str, source: &str) -> Result<Keys, AuthError> {
        let err = |reason: String| AuthError::Jwks {
            location: source.to_owned(),
            reason,
        };
        let set: JwkSet = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut keys = Keys::default();
        for jwk in &set.keys {
            // Keys of other types (HMAC secrets, Ed25519, other curves) are skipped.
            let algs = algorithms(jwk);
            if algs.is_empty() {
                continue;
            }
            let key = DecodingKey::from_jwk(jwk).map_err(|e| err(format!("bad key: {e}")))?;
            let key = Key { key, algs };
            match &jwk.common.key_id {
                Some(kid) => {
                    keys.by_kid.insert(kid.clone(), key);
                }
                None => keys.anonymous.push(key),
            }
        }
        if keys.by_kid.is_empty() && keys.anonymous.is_empty() {
            return Err(err(
                "no RSA, EC P-256 or EC P-384 verification key in the set".into(),
            ));
        }
        Ok(keys)
    }

    pub(super) fn candidates(&self, kid: Option<&str>) -> Vec<Key> {
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

pub(super) struct RemoteJwks {
    url: String,
    min_refresh: Duration,
    client: reqwest::Client,
    keys: RwLock<Arc<Keys>>,
    /// When the last fetch happened; held while fetching so concurrent misses fetch once.
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
}

impl RemoteJwks {
    pub(super) fn new(url: String, min_refresh: Duration) -> Result<Self, AuthError> {
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

    pub(super) async fn refresh(&self) -> Result<(), AuthError> {
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
    pub(super) async fn candidates(&self, kid: Option<&str>) -> Vec<Key> {
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

pub(super) enum KeySource {
    Fixed(Arc<Keys>),
    Remote(RemoteJwks),
}
