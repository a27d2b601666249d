//! cloud-init: `/cloud-init`.

use axum::Router;

use super::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}
