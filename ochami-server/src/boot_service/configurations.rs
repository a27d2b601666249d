//! `/boot-service/bootconfigurations`: CRUD of boot configurations in the resource envelope.
//! Every configuration is listed, BSS rows included (`legacy-…` uids); see the module docs of
//! [`super`] for what may be written.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use ochami_core::{BodyId, BootConfiguration, BootConfigurationSpec};

use crate::AppState;
use crate::problem::NoQuery;
use crate::resource::{
    Envelope, Metadata, ResourceError, WriteBody, deleted, json, negotiate, new_uid, now,
    patch_spec, spec_of,
};

const KIND: &str = "BootConfiguration";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/boot-service/bootconfigurations", get(list).post(create))
        .route(
            "/boot-service/bootconfigurations/{uid}",
            get(read).put(replace).patch(patch).delete(remove),
        )
}

/// The envelope of a configuration.
fn envelope(c: BootConfiguration) -> Envelope<BootConfigurationSpec> {
    let annotations = c.shown_annotations();
    Envelope::new(
        KIND,
        Metadata {
            name: c.name,
            uid: c.uid,
            created_at: c.created_at,
            updated_at: c.updated_at,
            labels: c.labels,
            annotations,
        },
        c.spec,
    )
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: NoQuery,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    let all: Vec<_> = state
        .store()
        .list_boot_configurations()
        .await?
        .into_iter()
        .map(envelope)
        .collect();
    Ok(json(StatusCode::OK, &all))
}

async fn stored(state: &AppState, uid: &str) -> Result<BootConfiguration, ResourceError> {
    state
        .store()
        .get_boot_configuration(uid)
        .await?
        .ok_or_else(|| ResourceError::not_found(KIND, uid))
}

async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    _: NoQuery,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    Ok(json(StatusCode::OK, &envelope(stored(&state, &uid).await?)))
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: NoQuery,
    body: Bytes,
) -> Result<Response, ResourceError> {
    let body = WriteBody::parse(&headers, &body, KIND)?;
    let (labels, annotations) = (body.labels(), body.annotations());
    let config = BootConfiguration::create(
        new_uid(KIND),
        body.metadata.name,
        || spec_of(body.spec),
        labels,
        annotations,
        now(),
    )?;
    state.store().create_boot_configuration(&config).await?;
    Ok(json(StatusCode::CREATED, &envelope(config)))
}

async fn replace(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    _: NoQuery,
    body: Bytes,
) -> Result<Response, ResourceError> {
    let body = WriteBody::parse(&headers, &body, KIND)?;
    let mut c = stored(&state, &uid).await?;
    c.check_writable()?;
    // An empty metadata.uid is no uid; this route words a mismatch without the prefix.
    let body_uid = Some(&body.metadata.uid).filter(|u| !u.is_empty());
    BodyId::BOOT_CONFIGURATION
        .check(&uid, body_uid)
        .map_err(ResourceError::as_said)?;
    let (labels, annotations) = (body.labels(), body.annotations());
    c.replace(
        body.metadata.name,
        || spec_of(body.spec),
        labels,
        annotations,
        now(),
    )?;
    state.store().replace_boot_configuration(&c).await?;
    Ok(json(StatusCode::OK, &envelope(c)))
}

async fn patch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    _: NoQuery,
    body: Bytes,
) -> Result<Response, ResourceError> {
    let mut c = stored(&state, &uid).await?;
    c.check_writable()?;
    let mut spec = serde_json::to_value(&c.spec)
        .map_err(|e| ResourceError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    patch_spec(&headers, &body, &mut spec)?;
    c.replace_spec(spec_of(spec)?, now())?;
    state.store().replace_boot_configuration(&c).await?;
    Ok(json(StatusCode::OK, &envelope(c)))
}

/// A `legacy-…` uid deletes the BSS row behind it.
async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    _: NoQuery,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    let found = state.store().remove_boot_configuration(&uid).await?;
    found
        .then(|| deleted(KIND, &uid))
        .ok_or_else(|| ResourceError::not_found(KIND, &uid))
}
