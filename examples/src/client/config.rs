//! Where the client finds its server and token: `--cluster-uri`/`OCHAMI_CLUSTER_URI`, or a
//! named cluster of OpenCHAMI's config files (`/etc/ochami/config.yaml`, then
//! `~/.config/ochami/config.yaml`, which wins, then `--config`).
//!
//! ```yaml
//! default-cluster: demo
//! clusters:
//!   - name: demo
//!     cluster:
//!       uri: https://demo.openchami.cluster:8443
//!       enable-auth: true
//!       smd: {uri: /hsm/v2}
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ClientError;

/// The part of an OpenCHAMI config file the client reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ConfigFile {
    #[serde(default)]
    default_cluster: Option<String>,
    #[serde(default)]
    clusters: Vec<NamedCluster>,
}

#[derive(Debug, Clone, Deserialize)]
struct NamedCluster {
    name: String,
    #[serde(default)]
    cluster: ClusterConfig,
}

/// One cluster's settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ClusterConfig {
    /// Base URI of the cluster's services.
    #[serde(default)]
    pub(crate) uri: Option<String>,
    /// Whether a token is sent (default true).
    #[serde(default)]
    pub(crate) enable_auth: Option<bool>,
    #[serde(default)]
    smd: Option<ServiceConfig>,
    #[serde(default)]
    bss: Option<ServiceConfig>,
    #[serde(default, rename = "cloud-init")]
    cloud_init: Option<ServiceConfig>,
    #[serde(default)]
    pcs: Option<ServiceConfig>,
    #[serde(default, rename = "boot-service")]
    boot_service: Option<ServiceConfig>,
    #[serde(default, rename = "metadata-service")]
    metadata_service: Option<ServiceConfig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct ServiceConfig {
    #[serde(default)]
    uri: Option<String>,
}

/// The services the client talks to, with their default base paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// SMD, `/hsm/v2`.
    Smd,
    /// BSS, `/boot/v1`.
    Bss,
    /// cloud-init, `/cloud-init`.
    CloudInit,
    /// PCS power control, `/power-control/v1` (OpenCHAMI's own deployment mounts it at the
    /// cluster root: `pcs: {uri: /}`).
    Pcs,
    /// boot-service (OpenCHAMI v0.2), `/boot-service`.
    Boot,
    /// metadata-service (OpenCHAMI v0.2), `/metadata-service`.
    Metadata,
}

impl Service {
    fn default_path(self) -> &'static str {
        match self {
            Service::Smd => "/hsm/v2",
            Service::Bss => "/boot/v1",
            Service::CloudInit => "/cloud-init",
            Service::Pcs => "/power-control/v1",
            Service::Boot => "/boot-service",
            Service::Metadata => "/metadata-service",
        }
    }
}

/// The resolved cluster: name (for the token variable), base URI and per-service overrides.
#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub(crate) name: Option<String>,
    pub(crate) uri: String,
    pub(crate) config: ClusterConfig,
}

impl Cluster {
    /// The base URL of `service`: an absolute service `uri` as is, a relative one appended to
    /// the cluster URI, else the cluster URI plus the default path.
    pub(crate) fn base(&self, service: Service) -> String {
        let over = match service {
            Service::Smd => &self.config.smd,
            Service::Bss => &self.config.bss,
            Service::CloudInit => &self.config.cloud_init,
            Service::Pcs => &self.config.pcs,
            Service::Boot => &self.config.boot_service,
            Service::Metadata => &self.config.metadata_service,
        }
        .as_ref()
        .and_then(|s| s.uri.clone());
        let root = self.uri.trim_end_matches('/');
        match over {
            Some(u) if u.contains("://") => u.trim_end_matches('/').to_owned(),
            Some(u) if u.trim_matches('/').is_empty() => root.to_owned(),
            Some(u) => format!("{root}/{}", u.trim_matches('/')),
            None => format!("{root}{}", service.default_path()),
        }
    }

    /// The variable holding this cluster's token: `<NAME>_ACCESS_TOKEN`, the name
    /// upper-cased with `-` and spaces as `_`.
    pub(crate) fn token_var(&self) -> Option<String> {
        self.name.as_ref().map(|n| {
            let n: String = n
                .chars()
                .map(|c| match c {
                    '-' | ' ' => '_',
                    c => c.to_ascii_uppercase(),
                })
                .collect();
            format!("{n}_ACCESS_TOKEN")
        })
    }
}

fn read(path: &Path, required: bool) -> Result<Option<ConfigFile>, ClientError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ClientError::Config(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    serde_yaml_ng::from_str(&text)
        .map(Some)
        .map_err(|e| ClientError::Config(format!("{}: {e}", path.display())))
}

/// The user's config file: `$XDG_CONFIG_HOME/ochami/config.yaml` or
/// `~/.config/ochami/config.yaml`.
fn user_config() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("ochami").join("config.yaml"))
}

/// Resolve the cluster from the flags and the config files (later files win).
pub(crate) fn resolve(
    cluster_uri: Option<&str>,
    cluster_name: Option<&str>,
    extra: Option<&Path>,
) -> Result<Cluster, ClientError> {
    let mut files = Vec::new();
    if let Some(f) = read(Path::new("/etc/ochami/config.yaml"), false)? {
        files.push(f);
    }
    if let Some(p) = user_config()
        && let Some(f) = read(&p, false)?
    {
        files.push(f);
    }
    if let Some(p) = extra
        && let Some(f) = read(p, true)?
    {
        files.push(f);
    }
    let name = cluster_name
        .map(str::to_owned)
        .or_else(|| files.iter().rev().find_map(|f| f.default_cluster.clone()));
    let found = name.as_ref().and_then(|n| {
        files
            .iter()
            .rev()
            .flat_map(|f| f.clusters.iter())
            .find(|c| &c.name == n)
            .cloned()
    });
    if let (Some(n), None, Some(_)) = (&name, &found, cluster_name) {
        return Err(ClientError::Config(format!(
            "cluster {n:?} is in no config file"
        )));
    }
    let config = found.map(|c| c.cluster).unwrap_or_default();
    let uri = cluster_uri
        .map(str::to_owned)
        .or_else(|| config.uri.clone())
        .ok_or_else(|| {
            ClientError::Config(
                "no server: give --cluster-uri (or OCHAMI_CLUSTER_URI) or a cluster with a uri in ~/.config/ochami/config.yaml".into(),
            )
        })?;
    if !(uri.starts_with("http://") || uri.starts_with("https://")) {
        return Err(ClientError::Config(format!(
            "cluster URI {uri:?} must start with http:// or https://"
        )));
    }
    Ok(Cluster { name, uri, config })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_bases_and_token_variable() {
        let f: ConfigFile = serde_yaml_ng::from_str(
            "default-cluster: my-lab\nclusters:\n  - name: my-lab\n    cluster:\n      uri: https://lab:8443/\n      cloud-init: {uri: /ci}\n      pcs: {uri: /}\n      boot-service: {uri: /bs}\n      bss: {uri: http://bss:8081/boot/v1}\n",
        )
        .unwrap();
        let c = Cluster {
            name: f.default_cluster.clone(),
            uri: f.clusters[0].cluster.uri.clone().unwrap(),
            config: f.clusters[0].cluster.clone(),
        };
        assert_eq!(c.base(Service::Smd), "https://lab:8443/hsm/v2");
        assert_eq!(c.base(Service::CloudInit), "https://lab:8443/ci");
        assert_eq!(c.base(Service::Bss), "http://bss:8081/boot/v1");
        assert_eq!(c.base(Service::Pcs), "https://lab:8443");
        assert_eq!(c.base(Service::Boot), "https://lab:8443/bs");
        assert_eq!(
            c.base(Service::Metadata),
            "https://lab:8443/metadata-service"
        );
        assert_eq!(c.token_var().as_deref(), Some("MY_LAB_ACCESS_TOKEN"));
    }
}
