//! Which scope each route needs: OpenCHAMI-style read/write scopes per route family, with
//! the node-facing routes public, plus admin scopes that grant everything.
//!
//! No OpenCHAMI v0.2.0 service checks scope strings such as `smd:write`; TokenSmith's admin
//! token carries `scope: ["admin"]`. So that such a token is not refused, every scope (or
//! role) in [`ScopePolicy::admin_scopes`] (default `admin`) satisfies every family's read and
//! write scope.

use axum::http::Method;

/// Read and write scopes of one route family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyScopes {
    /// Needed for GET/HEAD with `auth_reads`.
    pub read: String,
    /// Needed for every other method.
    pub write: String,
}

/// Which scope each route needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopePolicy {
    /// Whether reads need the read scope.
    pub auth_reads: bool,
    /// `/hsm/v2` and PCS's `/power-control/v1`; its write scope also guards `/admin/`
    /// (snapshots), reads included.
    pub smd: FamilyScopes,
    /// `/boot/v1` and `/boot-service`.
    pub bss: FamilyScopes,
    /// `/cloud-init` and `/metadata-service`.
    pub cloud_init: FamilyScopes,
    /// Scopes or roles that grant every family's read and write (default `["admin"]`, as in
    /// TokenSmith's admin token); matched against `scope`/`scp`/`scopes` and `roles`/`role`.
    pub admin_scopes: Vec<String>,
}

impl Default for ScopePolicy {
    fn default() -> Self {
        let fam = |f: &str| FamilyScopes {
            read: format!("{f}:read"),
            write: format!("{f}:write"),
        };
        ScopePolicy {
            auth_reads: false,
            smd: fam("smd"),
            bss: fam("bss"),
            cloud_init: fam("cloud-init"),
            admin_scopes: vec!["admin".to_owned()],
        }
    }
}

/// Routes nodes, probes and scrapers call without a token.
fn is_public(route: &str) -> bool {
    route.starts_with("/hsm/v2/service/")
        || route == "/ui"
        || route.starts_with("/ui/")
        || route.starts_with("/boot/v1/service/")
        || route.starts_with("/boot-service/service/")
        || matches!(
            route,
            "/boot/v1/bootscript"
                | "/boot-service/bootscript"
                | "/boot-service/health"
                | "/metadata-service/health"
                | "/metadata-service/meta-data"
                | "/metadata-service/user-data"
                | "/metadata-service/vendor-data"
                | "/metadata-service/network-config"
                | "/metadata-service/{file}"
                | "/cloud-init/meta-data"
                | "/cloud-init/user-data"
                | "/cloud-init/vendor-data"
                | "/cloud-init/{file}"
                | "/metrics"
        )
}

impl ScopePolicy {
    /// The scope `method` on the route template `route` requires, if any.
    pub fn required_scope(&self, method: &Method, route: &str) -> Option<&str> {
        if is_public(route) {
            return None;
        }
        if route.starts_with("/admin/") {
            // Whole-store snapshots (with every record of every family): the write scope,
            // reads included.
            return Some(self.smd.write.as_str());
        }
        // PCS drives the BMCs of the nodes SMD knows: it takes SMD's scopes.
        let family = if route.starts_with("/hsm/v2") || route.starts_with("/power-control/") {
            &self.smd
        } else if route.starts_with("/boot/v1") || route.starts_with("/boot-service") {
            &self.bss
        } else if route.starts_with("/cloud-init") || route.starts_with("/metadata-service") {
            &self.cloud_init
        } else {
            return None;
        };
        if matches!(*method, Method::GET | Method::HEAD) {
            // Impersonation reads any node's documents, so it never goes without a token.
            let always = route.starts_with("/cloud-init/admin/impersonation/");
            (self.auth_reads || always).then_some(family.read.as_str())
        } else {
            Some(family.write.as_str())
        }
    }
}

#[cfg(test)]
mod v02_tests {
    use super::*;

    #[test]
    fn boot_service_and_metadata_service_scopes() {
        let p = ScopePolicy::default();
        for (method, route, scope) in [
            (
                Method::POST,
                "/boot-service/bootconfigurations",
                Some("bss:write"),
            ),
            (
                Method::PATCH,
                "/boot-service/nodes/{uid}",
                Some("bss:write"),
            ),
            (Method::GET, "/boot-service/bmcs", None),
            (Method::GET, "/boot-service/bootscript", None),
            (Method::GET, "/boot-service/service/status", None),
            (
                Method::PUT,
                "/metadata-service/groups/{uid}",
                Some("cloud-init:write"),
            ),
            (Method::GET, "/metadata-service/meta-data", None),
            (Method::GET, "/metadata-service/network-config", None),
            (Method::GET, "/metadata-service/{file}", None),
        ] {
            assert_eq!(p.required_scope(&method, route), scope, "{method} {route}");
        }
        let reads = ScopePolicy {
            auth_reads: true,
            ..ScopePolicy::default()
        };
        assert_eq!(
            reads.required_scope(&Method::GET, "/boot-service/bmcs"),
            Some("bss:read")
        );
        assert_eq!(
            reads.required_scope(&Method::GET, "/metadata-service/instanceinfos"),
            Some("cloud-init:read")
        );
        assert_eq!(
            reads.required_scope(&Method::GET, "/boot-service/bootscript"),
            None
        );
    }
}
