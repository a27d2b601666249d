//! `/boot-service/bootconfigurations`: CRUD of boot configurations in the resource envelope.
//! Every configuration is listed, BSS rows included (`legacy-…` uids); see the module docs of
//! [`super`] for what may be written.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use ochami_core::{BootConfiguration, BootConfigurationSpec, BootKey, BootOrigin, BootParams};

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
    let mut annotations = c.annotations;
    if let BootOrigin::Bss(_) = c.origin {
        annotations.insert("ochami.io/written-through".into(), "bss".into());
    }
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

/// A spec from a body, checked (400 naming the field).
fn checked_spec(spec: serde_json::Value) -> Result<BootConfigurationSpec, ResourceError> {
    let mut spec: BootConfigurationSpec = spec_of(spec)?;
    spec.normalize()?;
    Ok(spec)
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    _: NoQuery,
    body: Bytes,
) -> Result<Response, ResourceError> {
    let body = WriteBody::parse(&headers, &body, KIND)?;
    if body.metadata.name.trim().is_empty() {
        return Err(ResourceError::bad_request(
            "validation failed: metadata.name is required",
        ));
    }
    let (labels, annotations) = (body.labels(), body.annotations());
    let t = now();
    let config = BootConfiguration {
        uid: new_uid(KIND),
        name: body.metadata.name,
        origin: BootOrigin::BootService,
        spec: checked_spec(body.spec)?,
        cloud_init: Default::default(),
        labels,
        annotations,
        created_at: Some(t.clone()),
        updated_at: Some(t),
    };
    state.store().create_boot_configuration(&config).await?;
    Ok(json(StatusCode::CREATED, &envelope(config)))
}

/// A BSS row cannot be rewritten here.
fn refuse_bss(c: &BootConfiguration) -> Result<(), ResourceError> {
    match c.origin {
        BootOrigin::Bss(_) => Err(ResourceError::new(
            StatusCode::CONFLICT,
            format!(
                "{} was written through BSS; change it with /boot/v1/bootparameters (or delete it here)",
                c.uid
            ),
        )),
        BootOrigin::BootService => Ok(()),
    }
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
    refuse_bss(&c)?;
    if !body.metadata.uid.is_empty() && body.metadata.uid != uid {
        return Err(ResourceError::bad_request(
            "metadata.uid in the body does not match the URL",
        ));
    }
    c.spec = checked_spec(body.spec.clone())?;
    if !body.metadata.name.trim().is_empty() {
        c.name = body.metadata.name.clone();
    }
    c.labels.extend(body.labels());
    c.annotations.extend(body.annotations());
    c.updated_at = Some(now());
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
    refuse_bss(&c)?;
    let mut spec = serde_json::to_value(&c.spec)
        .map_err(|e| ResourceError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    patch_spec(&headers, &body, &mut spec)?;
    c.spec = checked_spec(spec)?;
    c.updated_at = Some(now());
    state.store().replace_boot_configuration(&c).await?;
    Ok(json(StatusCode::OK, &envelope(c)))
}

async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    _: NoQuery,
) -> Result<Response, ResourceError> {
    negotiate(&headers, None)?;
    let found = match BootKey::from_bss_uid(&uid) {
        Some(key) => {
            let mut name = BootParams::default();
            match key {
                BootKey::Mac(m) => name.macs.push(m.to_string()),
                BootKey::Host(h) => name.hosts.push(h),
                BootKey::Nid(n) => name.nids.push(n),
            }
            state.store().delete_boot_params(&name).await? > 0
        }
        None => state.store().delete_boot_configuration(&uid).await?,
    };
    if !found {
        return Err(ResourceError::not_found(KIND, &uid));
    }
    Ok(deleted(KIND, &uid))
}
