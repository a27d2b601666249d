//! `ochami serve`: its flags (each with an environment fallback) turned into an
//! [`ochami_server::ServerConfig`]; the service itself is the `ochami-server` library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use ochami_server::auth::{FamilyScopes, REFRESH_INTERVAL};
use ochami_server::{AuthConfig, JwksSource, RootService, ScopePolicy, ServerConfig};

/// The default listen address, SMD's port on loopback.
pub(crate) const DEFAULT_LISTEN: &str = ochami_server::DEFAULT_LISTEN;

/// Flags of `ochami serve`.
#[derive(Clone, clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "OCHAMI_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Store URL: `sqlite://path`, `memory:` or `postgres://user:pass@host/db`.
    #[arg(long, env = "OCHAMI_STORE", default_value = "sqlite://ochami.db")]
    store: String,
    /// File with the key BMC credentials are encrypted with at rest (64 hex characters, as
    /// `openssl rand -hex 32` writes; SQLite and Postgres stores).
    #[arg(long, env = "OCHAMI_SECRET_KEY_FILE")]
    secret_key_file: Option<PathBuf>,
    /// Also answer this OpenCHAMI v0.2 service's routes at `/` (`boot-service` or
    /// `metadata-service`), for a reverse proxy that strips its prefix.
    #[arg(long, env = "OCHAMI_SERVE_AT_ROOT", value_name = "SERVICE")]
    serve_at_root: Option<RootService>,
    /// URL nodes use to reach this server (iPXE chain and cloud-init links); default
    /// `http://<listen>`.
    #[arg(long, env = "OCHAMI_BASE_URL")]
    base_url: Option<String>,
    /// A proxy whose `X-Forwarded-For` is believed when finding a node by its address
    /// (CIDR; repeatable).
    #[arg(
        long = "trusted-proxy",
        env = "OCHAMI_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<IpNet>,
    /// MiB of rendered hardware answers kept while the hardware is unchanged (a list of
    /// every GPU of a large machine is tens of MiB and costs the database hundreds of
    /// milliseconds to gather); 0 keeps none.
    #[arg(long, env = "OCHAMI_HARDWARE_CACHE_MIB", default_value_t = 512)]
    hardware_cache_mib: usize,
    /// Authentication.
    #[command(flatten)]
    auth: AuthArgs,
    /// DHCP and TFTP for netbooting.
    #[command(flatten)]
    netboot: Box<crate::netboot::NetbootArgs>,
}

/// Authentication flags of `ochami serve`.
#[derive(Debug, Clone, clap::Args)]
struct AuthArgs {
    /// JWKS file with the public keys that sign bearer tokens; enables authentication.
    #[arg(long, env = "OCHAMI_JWKS_FILE", conflicts_with = "jwks_url")]
    jwks_file: Option<PathBuf>,
    /// URL of a JWKS (e.g. an OIDC provider's `jwks_uri`); enables authentication.
    #[arg(long, env = "OCHAMI_JWKS_URL")]
    jwks_url: Option<String>,
    /// Required `aud` claim.
    #[arg(long, env = "OCHAMI_JWT_AUDIENCE")]
    jwt_audience: Option<String>,
    /// Required `iss` claim.
    #[arg(long, env = "OCHAMI_JWT_ISSUER")]
    jwt_issuer: Option<String>,
    /// Require the read scopes for reads too (the node-facing routes stay public).
    #[arg(long, env = "OCHAMI_AUTH_READS")]
    auth_reads: bool,
    /// Shortest time between two JWKS refetches caused by unknown key ids, in seconds.
    #[arg(long, env = "OCHAMI_JWKS_MIN_REFRESH_SECS", default_value_t = REFRESH_INTERVAL.as_secs())]
    jwks_min_refresh_secs: u64,
    /// Allow listening on a non-loopback address without authentication.
    #[arg(long, env = "OCHAMI_INSECURE_NO_AUTH")]
    insecure_no_auth: bool,
    /// Scope for reads of /hsm/v2 (with --auth-reads).
    #[arg(long, env = "OCHAMI_SMD_READ_SCOPE", default_value = "smd:read")]
    smd_read_scope: String,
    /// Scope for writes to /hsm/v2.
    #[arg(long, env = "OCHAMI_SMD_WRITE_SCOPE", default_value = "smd:write")]
    smd_write_scope: String,
    /// Scope for reads of /boot/v1 (with --auth-reads).
    #[arg(long, env = "OCHAMI_BSS_READ_SCOPE", default_value = "bss:read")]
    bss_read_scope: String,
    /// Scope for writes to /boot/v1.
    #[arg(long, env = "OCHAMI_BSS_WRITE_SCOPE", default_value = "bss:write")]
    bss_write_scope: String,
    /// Scope for reads of /cloud-init admin routes (with --auth-reads).
    #[arg(
        long,
        env = "OCHAMI_CLOUD_INIT_READ_SCOPE",
        default_value = "cloud-init:read"
    )]
    cloud_init_read_scope: String,
    /// Scope for writes to /cloud-init.
    #[arg(
        long,
        env = "OCHAMI_CLOUD_INIT_WRITE_SCOPE",
        default_value = "cloud-init:write"
    )]
    cloud_init_write_scope: String,
    /// Scopes or roles granting every read and write (TokenSmith's admin token has `admin`);
    /// repeat or comma-separate; an empty value turns the aliases off.
    #[arg(
        long,
        env = "OCHAMI_ADMIN_SCOPES",
        value_delimiter = ',',
        default_value = "admin"
    )]
    admin_scope: Vec<String>,
}

impl From<AuthArgs> for AuthConfig {
    fn from(a: AuthArgs) -> Self {
        let jwks = match (a.jwks_file, a.jwks_url) {
            (Some(path), _) => Some(JwksSource::File(path)),
            (None, Some(url)) => Some(JwksSource::Url(url)),
            (None, None) => None,
        };
        AuthConfig {
            jwks,
            audience: a.jwt_audience,
            issuer: a.jwt_issuer,
            min_refresh: Duration::from_secs(a.jwks_min_refresh_secs),
            policy: ScopePolicy {
                auth_reads: a.auth_reads,
                smd: FamilyScopes {
                    read: a.smd_read_scope,
                    write: a.smd_write_scope,
                },
                bss: FamilyScopes {
                    read: a.bss_read_scope,
                    write: a.bss_write_scope,
                },
                cloud_init: FamilyScopes {
                    read: a.cloud_init_read_scope,
                    write: a.cloud_init_write_scope,
                },
                admin_scopes: a
                    .admin_scope
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect(),
            },
            insecure_no_auth: a.insecure_no_auth,
        }
    }
}

impl From<ServeArgs> for ServerConfig {
    fn from(a: ServeArgs) -> Self {
        let mut config = ServerConfig::new(a.listen, a.store);
        config.base_url = a.base_url;
        config.secret_key_file = a.secret_key_file;
        config.root_service = a.serve_at_root;
        config.trusted_proxies = a.trusted_proxies;
        config.hardware_cache_bytes = a.hardware_cache_mib.saturating_mul(1 << 20);
        config.auth = a.auth.into();
        config.dhcp = a.netboot.dhcp(&config.base_url());
        config.tftp = a.netboot.tftp();
        config.boot_files = a.netboot.boot_files();
        config
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn flag_defaults_are_the_library_defaults() {
        let config: ServerConfig = Cli::parse_from(["t"]).serve.into();
        let lib = AuthConfig::default();
        assert_eq!(config.auth.policy, lib.policy);
        assert_eq!(config.auth.min_refresh, lib.min_refresh);
        assert_eq!(config.auth.jwks, None);
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
    }

    #[test]
    fn serve_at_root_names_a_v02_service() {
        let config: ServerConfig = Cli::parse_from(["t"]).serve.into();
        assert_eq!(config.root_service, None, "off by default");
        let config: ServerConfig = Cli::parse_from(["t", "--serve-at-root", "boot-service"])
            .serve
            .into();
        assert_eq!(config.root_service, Some(RootService::BootService));
        assert!(Cli::try_parse_from(["t", "--serve-at-root", "smd"]).is_err());
    }

    #[test]
    fn netboot_flags_reach_the_config() {
        let config: ServerConfig = Cli::parse_from(["t"]).serve.into();
        assert_eq!((config.dhcp, config.tftp), (None, None), "off by default");
        let config: ServerConfig = Cli::parse_from([
            "t",
            "--base-url",
            "http://10.0.0.1:27779",
            "--dhcp-interface",
            "br0",
            "--dhcp-server-ip",
            "10.0.0.1",
            "--dhcp-router",
            "10.0.0.254",
            "--dhcp-dns",
            "10.0.0.53,10.0.0.54",
            "--dhcp-domain",
            "cluster.local",
            "--dhcp-lease-time",
            "600",
            "--dhcp-pool",
            "10.0.0.200-10.0.0.250",
            "--ipxe-efi",
            "snponly.efi",
            "--tftp-root",
            "/usr/lib/ipxe",
            "--boot-files",
            "/srv/boot",
        ])
        .serve
        .into();
        let dhcp = config.dhcp.expect("dhcp on");
        assert_eq!(dhcp.interface, "br0");
        assert_eq!(dhcp.listen.to_string(), "0.0.0.0:67");
        assert_eq!(dhcp.reply.server_ip.to_string(), "10.0.0.1");
        assert_eq!(dhcp.reply.dns_servers.len(), 2);
        assert_eq!(dhcp.reply.domain.as_deref(), Some("cluster.local"));
        assert_eq!(dhcp.reply.lease_secs, 600);
        assert_eq!(dhcp.reply.boot_files.x86_64_efi, "snponly.efi");
        assert_eq!(dhcp.reply.boot_files.bios, "undionly.kpxe");
        assert_eq!(dhcp.reply.base_url, "http://10.0.0.1:27779");
        assert_eq!(dhcp.pool.map(|p| p.len()), Some(51));
        let tftp = config.tftp.expect("tftp on");
        assert_eq!(tftp.root, std::path::Path::new("/usr/lib/ipxe"));
        assert_eq!(tftp.listen.to_string(), "0.0.0.0:69");
        assert_eq!(
            config.boot_files.as_deref(),
            Some(std::path::Path::new("/srv/boot"))
        );
        // The interface alone is not enough: the server address is required.
        assert!(Cli::try_parse_from(["t", "--dhcp-interface", "br0"]).is_err());
        assert!(Cli::try_parse_from(["t", "--dhcp-pool", "10.0.0.9-10.0.0.1"]).is_err());
    }

    #[test]
    fn flags_reach_the_config() {
        let config: ServerConfig = Cli::parse_from([
            "t",
            "--jwks-url",
            "https://idp/jwks",
            "--auth-reads",
            "--smd-write-scope",
            "admin",
            "--trusted-proxy",
            "10.0.0.0/8",
            "--hardware-cache-mib",
            "64",
        ])
        .serve
        .into();
        assert_eq!(
            config.auth.jwks,
            Some(JwksSource::Url("https://idp/jwks".into()))
        );
        assert!(config.auth.policy.auth_reads);
        assert_eq!(config.auth.policy.smd.write, "admin");
        assert_eq!(config.trusted_proxies.len(), 1);
        assert_eq!(config.hardware_cache_bytes, 64 << 20);
        let default: ServerConfig = Cli::parse_from(["t"]).serve.into();
        assert_eq!(
            default.hardware_cache_bytes,
            ochami_server::DEFAULT_HARDWARE_CACHE_BYTES
        );
    }
}
