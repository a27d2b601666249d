//! Redfish sessions and HTTP Basic: how a [`RedfishClient`] logs in, renews an expired
//! session and closes it.
//!
//! With [`AuthMode::Auto`](crate::AuthMode::Auto) (the default) the client creates a session with
//! `POST <SessionService>/Sessions` when the service root links a SessionService, keeps
//! the `X-Auth-Token` for every later request and deletes the session (`DELETE` on the
//! session's `Location`, or on the `@odata.id` of the answer when a BMC forgets the header)
//! in [`RedfishClient::close`]. Without a SessionService, or when session creation fails
//! for any reason but bad credentials, it falls back to HTTP Basic on every request.
//!
//! Sessions expire (BMCs time them out, or forget them on a reset). A 401 to a request
//! made with the session token makes the client log in again once and repeat the request;
//! concurrent requests that hit the same expiry share that one new session. A second 401
//! after the new login is an [`Error::Auth`].

use serde_json::Value;

use crate::auth::{AuthKind, AuthMode, AuthState};
use crate::client::RedfishClient;
use crate::error::{Error, Result};
use crate::resources::lenient;
use crate::secret::Secret;
use crate::transport::{HttpResponse, Method, RequestAuth, RequestBody};

impl RedfishClient {
    /// How the client authenticates now.
    pub fn auth_kind(&self) -> AuthKind {
        match self.auth.lock().as_deref() {
            Ok(AuthState::Basic(_)) => AuthKind::Basic,
            Ok(AuthState::Session { .. }) => AuthKind::Session,
            _ => AuthKind::Anonymous,
        }
    }

    fn set_auth(&self, state: AuthState) {
        if let Ok(mut a) = self.auth.lock() {
            *a = state;
        }
    }

    /// Establishes the client's authentication from its options and the service root.
    pub(crate) async fn login(&self) -> Result<()> {
        let Some(creds) = self.options.credentials.clone() else {
            self.set_auth(AuthState::Anonymous);
            return Ok(());
        };
        let sessions = self.service_root().sessions_path();
        let mode = self.options.auth;
        let path = match (mode, sessions) {
            (AuthMode::Basic, _) | (AuthMode::Auto, None) => {
                self.set_auth(AuthState::Basic(creds));
                return Ok(());
            }
            (AuthMode::Session, None) => {
                return Err(Error::Protocol {
                    target: self.base.clone(),
                    path: crate::client::SERVICE_ROOT.to_owned(),
                    message: "session auth required but the service has no SessionService".into(),
                });
            }
            (_, Some(path)) => path,
        };
        let result = self
            .send(
                Method::Post,
                &path,
                RequestAuth::None,
                RequestBody::SessionLogin(creds.clone()),
            )
            .await;
        let failure = match result {
            Ok(r) if (200..300).contains(&r.status) => match r.header("x-auth-token") {
                Some(token) if !token.is_empty() => {
                    let location = r.header("location").map(str::to_owned).or_else(|| {
                        serde_json::from_slice::<Value>(&r.body)
                            .ok()
                            .and_then(|v| lenient::odata_id(&v))
                    });
                    tracing::debug!(target = %self.base, "Redfish session created");
                    self.set_auth(AuthState::Session {
                        token: Secret::new(token),
                        location,
                    });
                    return Ok(());
                }
                _ => "the answer carried no X-Auth-Token".to_owned(),
            },
            Ok(r) if matches!(r.status, 401 | 403) => {
                return Err(Error::Auth {
                    target: self.base.clone(),
                    path,
                    username: creds.username.clone(),
                    status: r.status,
                });
            }
            Ok(r) => format!("HTTP {}", r.status),
            Err(e) if e.kind() == crate::ErrorKind::Protocol => e.to_string(),
            Err(e) => return Err(e),
        };
        if mode == AuthMode::Session {
            return Err(Error::Protocol {
                target: self.base.clone(),
                path,
                message: format!("session creation failed: {failure}"),
            });
        }
        tracing::debug!(target = %self.base, %failure, "session creation failed; using Basic auth");
        self.set_auth(AuthState::Basic(creds));
        Ok(())
    }

    /// Sends a request with the client's current authentication; on a 401 to a session
    /// token, renews the session once and repeats the request.
    pub(crate) async fn send_authed(
        &self,
        method: Method,
        path: &str,
        body: RequestBody,
    ) -> Result<HttpResponse> {
        let auth = self.request_auth();
        let response = self.send(method, path, auth.clone(), body.clone()).await?;
        match auth {
            RequestAuth::Token(used) if response.status == 401 => {
                self.renew_session(&used).await?;
                self.send(method, path, self.request_auth(), body).await
            }
            _ => Ok(response),
        }
    }

    /// Logs in again unless another request already replaced the `expired` token (or the
    /// client was closed meanwhile).
    pub(crate) async fn renew_session(&self, expired: &Secret) -> Result<()> {
        let _one_login_at_a_time = self.relogin.lock().await;
        let current = matches!(
            self.auth.lock().as_deref(),
            Ok(AuthState::Session { token, .. }) if token == expired
        );
        if !current {
            return Ok(());
        }
        tracing::info!(target = %self.base, "Redfish session expired; logging in again");
        self.login().await
    }

    /// Ends the client: deletes the Redfish session, if one was created. Failures are
    /// logged, not returned (some BMCs answer 401 to a logout); calling it twice is harmless.
    pub async fn close(&self) {
        let state = match self.auth.lock() {
            Ok(mut a) => std::mem::replace(&mut *a, AuthState::Closed),
            Err(_) => return,
        };
        let AuthState::Session { token, location } = state else {
            return;
        };
        let Some(location) = location else {
            tracing::warn!(target = %self.base, "session has no location; cannot delete it");
            return;
        };
        match self
            .send(
                Method::Delete,
                &location,
                RequestAuth::Token(token),
                RequestBody::Empty,
            )
            .await
        {
            Ok(r) if (200..300).contains(&r.status) => {
                tracing::debug!(target = %self.base, "Redfish session deleted");
            }
            Ok(r) => {
                tracing::warn!(target = %self.base, status = r.status, "session delete refused")
            }
            Err(e) => tracing::warn!(target = %self.base, error = %e, "session delete failed"),
        }
    }
}
