//! BSS: `/boot/v1`.

use axum::Router;

use super::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}
