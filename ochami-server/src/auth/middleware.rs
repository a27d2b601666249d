//! The axum middleware that applies the [`Authenticator`](super::Authenticator) per request.

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

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
