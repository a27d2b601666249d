//! Serving one v0.2 family at `/` as well as under its prefix, for deployments behind a
//! proxy that strips `/boot-service` or `/metadata-service` before forwarding (OpenCHAMI's
//! quickstart runs each service on its own host name that way).
//!
//! The rewrite runs before routing and every layer, so auth, metrics and problem bodies see
//! the prefixed path: a request for `/bootconfigurations` is exactly a request for
//! `/boot-service/bootconfigurations`. Only the family's own first path segments are
//! rewritten; every other route (`/hsm/v2`, `/boot/v1`, ...) is untouched.

use axum::Router;
use axum::extract::Request;
use axum::http::Uri;
use tower::Layer;
use tower::util::MapRequestLayer;

/// Which v0.2 service also answers at `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootService {
    /// boot-service: `/bootconfigurations`, `/nodes`, `/bmcs`, `/bootscript`, `/health`,
    /// `/service/...`.
    BootService,
    /// metadata-service: `/meta-data`, `/user-data`, `/vendor-data`, `/network-config`,
    /// `/<group>.yaml`, `/clusterdefaults(s)`, `/groups`, `/instanceinfos`, `/health`.
    MetadataService,
}

impl RootService {
    /// The prefix the family's routes live under.
    pub fn prefix(self) -> &'static str {
        match self {
            RootService::BootService => "/boot-service",
            RootService::MetadataService => "/metadata-service",
        }
    }

    /// Whether `first` (a path's first segment) names one of the family's routes.
    fn owns(self, first: &str) -> bool {
        match self {
            RootService::BootService => matches!(
                first,
                "bootconfigurations" | "nodes" | "bmcs" | "bootscript" | "health" | "service"
            ),
            RootService::MetadataService => {
                matches!(
                    first,
                    "meta-data"
                        | "user-data"
                        | "vendor-data"
                        | "network-config"
                        | "clusterdefaults"
                        | "clusterdefaultss"
                        | "groups"
                        | "instanceinfos"
                        | "health"
                ) || first.ends_with(".yaml")
            }
        }
    }

    /// The path a root-level request is routed as, or `None` to leave it alone.
    pub fn rewrite(self, path: &str) -> Option<String> {
        let rest = path.strip_prefix('/')?;
        let first = rest.split('/').next().unwrap_or_default();
        self.owns(first).then(|| format!("{}{path}", self.prefix()))
    }
}

impl std::str::FromStr for RootService {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "boot-service" => Ok(RootService::BootService),
            "metadata-service" => Ok(RootService::MetadataService),
            other => Err(format!(
                "unknown service {other:?}: expected boot-service or metadata-service"
            )),
        }
    }
}

fn rewrite_request(service: RootService, mut req: Request) -> Request {
    let Some(path) = service.rewrite(req.uri().path()) else {
        return req;
    };
    let with_query = match req.uri().query() {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    if let Ok(uri) = with_query.parse::<Uri>() {
        *req.uri_mut() = uri;
    }
    req
}

/// `router`, with `service`'s routes also answered at `/`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use ochami_server::{AppState, RootService, Settings, at_root, router};
/// let store = ochami_store::open("memory:").await?;
/// let app = router(AppState::new(store, Settings::default(), None));
/// let app = at_root(app, RootService::BootService); // `/bootconfigurations` works too
/// # let _ = app;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub fn at_root(router: Router, service: RootService) -> Router {
    Router::new().fallback_service(
        MapRequestLayer::new(move |req| rewrite_request(service, req)).layer(router),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_family_s_segments_are_rewritten() {
        let b = RootService::BootService;
        assert_eq!(
            b.rewrite("/bootconfigurations/x").as_deref(),
            Some("/boot-service/bootconfigurations/x")
        );
        assert_eq!(
            b.rewrite("/bootscript").as_deref(),
            Some("/boot-service/bootscript")
        );
        assert_eq!(b.rewrite("/hsm/v2/groups"), None);
        assert_eq!(b.rewrite("/boot-service/nodes"), None);
        let m = RootService::MetadataService;
        assert_eq!(
            m.rewrite("/compute.yaml").as_deref(),
            Some("/metadata-service/compute.yaml")
        );
        assert_eq!(
            m.rewrite("/groups").as_deref(),
            Some("/metadata-service/groups")
        );
        assert_eq!(m.rewrite("/cloud-init/meta-data"), None);
        assert!("nope".parse::<RootService>().is_err());
    }
}
