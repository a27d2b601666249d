//! Verification keys: a JWKS from a file, or from a URL refetched (rate-limited) when a token
//! names an unknown key id.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};

use super::AuthError;

/// The verification keys of a JWKS, by key id.
#[derive(Default)]
pub(super) struct Keys {
    by_kid: HashMap<String, (DecodingKey, Algorithm)>,
    /// Keys without a `kid`, tried for tokens without one.
    anonymous: Vec<(DecodingKey, Algorithm)>,
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

    pub(super) fn candidates(&self, kid: Option<&str>) -> Vec<(DecodingKey, Algorithm)> {
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
    pub(super) async fn candidates(&self, kid: Option<&str>) -> Vec<(DecodingKey, Algorithm)> {
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
