//! Bearer-token authentication: keys generated at test time (ECDSA P-256 and RSA), JWKS
//! built here, tokens that are missing, expired, badly signed, not yet valid, for another
//! audience or without the scope are refused; the right one passes.

use std::sync::{Arc, RwLock};

use axum::http::Method;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ochami_server::{AuthConfig, Authenticator, JwksSource, ScopePolicy};
use serde_json::{Value, json};

use crate::common::{Api, settings};

/// A signing key with its id.
pub(crate) struct Key {
    kid: String,
    alg: Algorithm,
    enc: EncodingKey,
}

impl Key {
    pub(crate) fn ec(kid: &str) -> Key {
        let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256 key");
        let enc = EncodingKey::from_ec_pem(kp.serialize_pem().as_bytes()).expect("EC PEM");
        Key {
            kid: kid.into(),
            alg: Algorithm::ES256,
            enc,
        }
    }

    fn rsa(kid: &str) -> Key {
        let kp =
            rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
                .expect("RSA key");
        let enc = EncodingKey::from_rsa_pem(kp.serialize_pem().as_bytes()).expect("RSA PEM");
        Key {
            kid: kid.into(),
            alg: Algorithm::RS256,
            enc,
        }
    }

    /// An RSA key signing PS256, TokenSmith's default.
    fn ps256(kid: &str) -> Key {
        Key {
            alg: Algorithm::PS256,
            ..Key::rsa(kid)
        }
    }

    fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.enc, self.alg).expect("JWK");
        jwk.common.key_id = Some(self.kid.clone());
        jwk
    }

    /// A token with `claims` plus `exp` an hour from now unless given.
    pub(crate) fn token(&self, mut claims: Value) -> String {
        let now = chrono::Utc::now().timestamp();
        if claims.get("exp").is_none() {
            claims["exp"] = json!(now + 3600);
        }
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.enc).expect("sign")
    }
}

pub(crate) fn jwks(keys: &[&Key]) -> String {
    serde_json::to_string(&JwkSet {
        keys: keys.iter().map(|k| k.jwk()).collect(),
    })
    .expect("JWKS JSON")
}

async fn apis(auth: impl Fn() -> Authenticator) -> [Api; 2] {
    let oneshot = Api::oneshot(
        ochami_store::open("memory:").await.unwrap(),
        settings(),
        Some(auth()),
    )
    .await;
    let socket = Api::socket(
        ochami_store::open("memory:").await.unwrap(),
        settings(),
        Some(auth()),
    )
    .await;
    [oneshot, socket]
}

async fn send(
    api: &Api,
    method: Method,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> crate::common::Resp {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| vec![("authorization", a)])
        .unwrap_or_default();
    api.send(
        method,
        path,
        body.map(|b| b.to_string().into_bytes()),
        &headers,
    )
    .await
}

#[track_caller]
fn assert_refused(r: &crate::common::Resp, status: u16, needle: &str) {
    r.assert_problem(status, needle);
    assert!(
        r.header("www-authenticate").starts_with("Bearer"),
        "{:?}",
        r.headers
    );
}

#[tokio::test]
async fn writes_need_a_valid_token_with_the_scope() {
    let ec = Key::ec("ec-1");
    let rsa = Key::rsa("rsa-1");
    let set = jwks(&[&ec, &rsa]);
    let policy = ScopePolicy::default();
    for api in
        apis(|| Authenticator::from_jwks_json(&set, policy.clone(), None, None).unwrap()).await
    {
        let body = json!({"Components": [{"ID": "x0c0s0b0n0", "State": "Ready"}]});
        let path = "/hsm/v2/State/Components";
        let now = chrono::Utc::now().timestamp();

        assert_refused(
            &send(&api, Method::POST, path, Some(&body), None).await,
            401,
            "bearer token is required",
        );
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some("not.a.jwt")).await,
            401,
            "invalid bearer token",
        );
        let expired = ec.token(json!({"scope": "smd:write", "exp": now - 3600}));
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&expired)).await,
            401,
            "expired",
        );
        let early = ec.token(json!({"scope": "smd:write", "nbf": now + 3600}));
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&early)).await,
            401,
            "nbf",
        );
        // Signed by a key that is not in the JWKS but claims a kid that is.
        let forger = Key {
            kid: "ec-1".into(),
            ..Key::ec("x")
        };
        let forged = forger.token(json!({"scope": "smd:write"}));
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&forged)).await,
            401,
            "bad signature",
        );
        let unknown = Key::ec("ec-9").token(json!({"scope": "smd:write"}));
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&unknown)).await,
            401,
            "key id",
        );
        let no_exp = {
            let mut h = Header::new(Algorithm::ES256);
            h.kid = Some("ec-1".into());
            jsonwebtoken::encode(&h, &json!({"scope": "smd:write"}), &ec.enc).unwrap()
        };
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&no_exp)).await,
            401,
            "exp",
        );
        let hs = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &json!({"exp": now + 60}),
            &EncodingKey::from_secret(b"k"),
        )
        .unwrap();
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&hs)).await,
            401,
            "PS256/384/512",
        );

        // Valid tokens with the wrong scope are forbidden.
        let bss_only = ec.token(json!({"scope": "bss:write smd:read"}));
        let r = send(&api, Method::POST, path, Some(&body), Some(&bss_only)).await;
        assert_refused(&r, 403, "smd:write");
        assert!(r.header("www-authenticate").contains("insufficient_scope"));

        // The right scope passes, with ES256 and RS256, in `scope` or `scp`.
        let good = ec.token(json!({"scope": "smd:write"}));
        send(&api, Method::POST, path, Some(&body), Some(&good))
            .await
            .assert_status(204);
        let good_rsa = rsa.token(json!({"scp": ["smd:write", "bss:write"]}));
        send(
            &api,
            Method::PATCH,
            &format!("{path}/BulkFlagOnly"),
            Some(&json!({"ComponentIDs": ["x0c0s0b0n0"], "Flag": "Alert"})),
            Some(&good_rsa),
        )
        .await
        .assert_status(204);
        let params = json!({"hosts": ["Default"], "kernel": "http://k/vmlinuz"});
        send(
            &api,
            Method::PUT,
            "/boot/v1/bootparameters",
            Some(&params),
            Some(&good),
        )
        .await
        .assert_problem(403, "bss:write");
        send(
            &api,
            Method::PUT,
            "/boot/v1/bootparameters",
            Some(&params),
            Some(&good_rsa),
        )
        .await
        .assert_status(200);
        send(
            &api,
            Method::POST,
            "/cloud-init/admin/cluster-defaults",
            Some(&json!({})),
            Some(&good_rsa),
        )
        .await
        .assert_problem(403, "cloud-init:write");

        // Reads stay open; impersonation never is.
        send(&api, Method::GET, path, None, None)
            .await
            .assert_status(200);
        send(&api, Method::GET, "/boot/v1/bootscript?nid=1", None, None)
            .await
            .assert_status(200);
        send(
            &api,
            Method::GET,
            "/cloud-init/admin/impersonation/x0c0s0b0n0/user-data",
            None,
            None,
        )
        .await
        .assert_problem(401, "");
    }
}

#[tokio::test]
async fn auth_reads_audience_and_issuer() {
    let ec = Key::ec("ec-1");
    let set = jwks(&[&ec]);
    let policy = ScopePolicy {
        auth_reads: true,
        ..ScopePolicy::default()
    };
    let make = || {
        Authenticator::from_jwks_json(
            &set,
            policy.clone(),
            Some("ochami".into()),
            Some("https://idp.test".into()),
        )
        .unwrap()
    };
    for api in apis(make).await {
        let good =
            ec.token(json!({"scope": "smd:read", "aud": "ochami", "iss": "https://idp.test"}));
        let other_aud =
            ec.token(json!({"scope": "smd:read", "aud": "other", "iss": "https://idp.test"}));
        let other_iss =
            ec.token(json!({"scope": "smd:read", "aud": "ochami", "iss": "https://evil.test"}));
        send(&api, Method::GET, "/hsm/v2/groups", None, None)
            .await
            .assert_problem(401, "required");
        send(&api, Method::GET, "/hsm/v2/groups", None, Some(&other_aud))
            .await
            .assert_problem(401, "audience");
        send(&api, Method::GET, "/hsm/v2/groups", None, Some(&other_iss))
            .await
            .assert_problem(401, "issuer");
        send(&api, Method::GET, "/hsm/v2/groups", None, Some(&good))
            .await
            .assert_status(200);
        send(
            &api,
            Method::GET,
            "/boot/v1/bootparameters",
            None,
            Some(&good),
        )
        .await
        .assert_problem(403, "bss:read");
        // Node-facing and probe routes stay public.
        send(&api, Method::GET, "/boot/v1/bootscript?nid=1", None, None)
            .await
            .assert_status(200);
        send(&api, Method::GET, "/hsm/v2/service/ready", None, None)
            .await
            .assert_status(200);
        send(&api, Method::GET, "/boot/v1/service/status", None, None)
            .await
            .assert_status(200);
        send(&api, Method::GET, "/cloud-init/user-data", None, None)
            .await
            .assert_problem(422, "127.0.0.1");
        send(&api, Method::GET, "/metrics", None, None)
            .await
            .assert_status(200);
    }
}

/// The claims of a TokenSmith v0.2.0 admin token (`tokensmith user-token create --audience
/// smd --subject admin@example.com --scopes admin`): `scope` a JSON array, `aud` an array,
/// the NIST claim set, no `roles`.
fn tokensmith_claims(exp: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": "http://tokensmith:8080",
        "sub": "admin@example.com",
        "aud": ["smd"],
        "exp": exp,
        "nbf": now - 5,
        "iat": now - 5,
        "jti": "3f1c2d9e-4b7a-4c1e-9a51-0d6f2a7b8c90",
        "cluster_id": "demo",
        "openchami_id": "demo",
        "scope": ["admin"],
        "auth_level": "IAL2",
        "auth_factors": 2,
        "auth_methods": ["password", "totp"],
        "auth_events": ["user_token_create"],
        "session_id": "s-1",
        "session_exp": now + 3600,
    })
}

#[tokio::test]
async fn tokensmith_admin_token_may_write_everywhere() {
    let ts = Key::ps256("tokensmith-1");
    // The same public key again under another id and without `alg`: it serves RS* and PS*.
    let mut no_alg = ts.jwk();
    no_alg.common.key_id = Some("tokensmith-2".into());
    no_alg.common.key_algorithm = None;
    let set = serde_json::to_string(&JwkSet {
        keys: vec![ts.jwk(), no_alg],
    })
    .unwrap();
    let make = |policy: ScopePolicy| {
        let set = set.clone();
        move || {
            Authenticator::from_jwks_json(
                &set,
                policy.clone(),
                Some("smd".into()),
                Some("http://tokensmith:8080".into()),
            )
            .unwrap()
        }
    };
    let now = chrono::Utc::now().timestamp();
    let good = ts.token(tokensmith_claims(now + 3600));
    let header = jsonwebtoken::decode_header(&good).unwrap();
    assert_eq!(header.alg, Algorithm::PS256);
    let body = json!({"Components": [{"ID": "x3000c0s4b0n0", "State": "On", "NID": 11}]});
    let path = "/hsm/v2/State/Components";
    for api in apis(make(ScopePolicy::default())).await {
        send(&api, Method::POST, path, Some(&body), Some(&good))
            .await
            .assert_status(204);
        let params = json!({"hosts": ["x3000c0s4b0n0"], "kernel": "http://k/vmlinuz"});
        send(
            &api,
            Method::PUT,
            "/boot/v1/bootparameters",
            Some(&params),
            Some(&good),
        )
        .await
        .assert_status(200);
        send(
            &api,
            Method::POST,
            "/cloud-init/admin/cluster-defaults",
            Some(&json!({"cloud-provider": "piccolo"})),
            Some(&good),
        )
        .await
        .assert_status(201);
        // Impersonation needs the cloud-init read scope; admin grants it.
        send(
            &api,
            Method::GET,
            "/cloud-init/admin/impersonation/x3000c0s4b0n0/meta-data",
            None,
            Some(&good),
        )
        .await
        .assert_status(200);

        let expired = ts.token(tokensmith_claims(now - 3600));
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&expired)).await,
            401,
            "expired",
        );
        let other = Key::ps256("tokensmith-1").token(tokensmith_claims(now + 3600));
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&other)).await,
            401,
            "bad signature",
        );
        let mut claims = tokensmith_claims(now + 3600);
        claims["aud"] = json!(["tokensmith"]);
        let wrong_aud = ts.token(claims);
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&wrong_aud)).await,
            401,
            "audience",
        );
        let mut claims = tokensmith_claims(now + 3600);
        claims["scope"] = json!(["read"]);
        let reader = ts.token(claims);
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&reader)).await,
            403,
            "smd:write",
        );
        // A key listed with `alg: PS256` verifies nothing else; one without `alg` does.
        let mut rs = Key {
            alg: Algorithm::RS256,
            kid: ts.kid.clone(),
            enc: ts.enc.clone(),
        };
        assert_refused(
            &send(
                &api,
                Method::POST,
                path,
                Some(&body),
                Some(&rs.token(tokensmith_claims(now + 3600))),
            )
            .await,
            401,
            "key id",
        );
        rs.kid = "tokensmith-2".into();
        send(
            &api,
            Method::DELETE,
            &format!("{path}/x3000c0s4b0n0"),
            None,
            Some(&rs.token(tokensmith_claims(now + 3600))),
        )
        .await
        .assert_status(200);
    }
    // Without the admin alias the same token is only as good as its scopes.
    let strict = ScopePolicy {
        admin_scopes: Vec::new(),
        ..ScopePolicy::default()
    };
    for api in apis(make(strict)).await {
        assert_refused(
            &send(&api, Method::POST, path, Some(&body), Some(&good)).await,
            403,
            "smd:write",
        );
    }
}

/// A JWKS served over HTTP; its keys can be swapped to simulate a rotation.
async fn jwks_server(keys: Arc<RwLock<String>>) -> String {
    let app = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || {
            let keys = keys.clone();
            async move { keys.read().unwrap().clone() }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/jwks.json")
}

/// `POST /hsm/v2/groups` of group `label`, with a `smd:write` token signed by `key`.
async fn create_group(api: &Api, label: &str, key: &Key) -> crate::common::Resp {
    let body = json!({"label": label});
    let token = key.token(json!({"scope": "smd:write"}));
    send(
        api,
        Method::POST,
        "/hsm/v2/groups",
        Some(&body),
        Some(&token),
    )
    .await
}

#[tokio::test]
async fn jwks_url_is_fetched_and_refreshed_on_unknown_kid() {
    let old = Key::ec("old");
    let new = Key::rsa("new");
    let served = Arc::new(RwLock::new(jwks(&[&old])));
    let url = jwks_server(served.clone()).await;
    let args = AuthConfig {
        jwks: Some(JwksSource::Url(url)),
        min_refresh: std::time::Duration::ZERO,
        ..AuthConfig::default()
    };
    let auth = args
        .authenticator()
        .await
        .unwrap()
        .expect("authentication on");
    let api = Api::socket(
        ochami_store::open("memory:").await.unwrap(),
        settings(),
        Some(auth),
    )
    .await;
    create_group(&api, "g1", &old).await.assert_status(201);
    // The provider rotates its key: the unknown kid makes the server refetch.
    *served.write().unwrap() = jwks(&[&new]);
    create_group(&api, "g2", &new).await.assert_status(201);
    // The old key is gone now.
    create_group(&api, "g3", &old)
        .await
        .assert_problem(401, "key id");
}

#[tokio::test]
async fn refuses_to_expose_unauthenticated_writes() {
    let mut config = ochami_server::ServerConfig::new("0.0.0.0:0".parse().unwrap(), "memory:");
    let e = ochami_server::serve(config.clone()).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("refusing to listen on 0.0.0.0:0 without authentication"),
        "{e}"
    );
    config.auth.jwks = Some(JwksSource::File("/nonexistent/jwks.json".into()));
    let e = ochami_server::serve(config).await.unwrap_err();
    assert!(e.to_string().contains("/nonexistent/jwks.json"), "{e}");
}
