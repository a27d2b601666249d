//! The netboot flags of `ochami serve` (DHCP, TFTP and boot files over HTTP), each with an
//! environment fallback, turned into `ochami_server`'s configurations. Each service is off
//! unless `--dhcp-interface` / `--tftp-root` / `--boot-files` is given.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use ochami_boot::dhcp::{BootFiles, DhcpConfig, PoolRange};
use ochami_server::dhcp::DhcpServerConfig;
use ochami_server::tftp::TftpConfig;

/// DHCP and TFTP flags of `ochami serve`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct NetbootArgs {
    /// Serve DHCP on this interface only (e.g. `eth1`); needs `--dhcp-server-ip`.
    #[arg(long, env = "OCHAMI_DHCP_INTERFACE", requires = "dhcp_server_ip")]
    dhcp_interface: Option<String>,
    /// This server's address on the boot network (DHCP server identifier; also the TFTP
    /// next-server unless `--next-server` is given).
    #[arg(long, env = "OCHAMI_DHCP_SERVER_IP")]
    dhcp_server_ip: Option<Ipv4Addr>,
    /// Address the DHCP server listens on.
    #[arg(long, env = "OCHAMI_DHCP_LISTEN", default_value = "0.0.0.0:67")]
    dhcp_listen: SocketAddr,
    /// Subnet mask sent to clients.
    #[arg(long, env = "OCHAMI_DHCP_SUBNET_MASK", default_value = "255.255.255.0")]
    dhcp_subnet_mask: Ipv4Addr,
    /// Default router sent to clients (repeatable).
    #[arg(long, env = "OCHAMI_DHCP_ROUTER", value_delimiter = ',')]
    dhcp_router: Vec<Ipv4Addr>,
    /// DNS server sent to clients (repeatable).
    #[arg(long, env = "OCHAMI_DHCP_DNS", value_delimiter = ',')]
    dhcp_dns: Vec<Ipv4Addr>,
    /// Domain name sent to clients.
    #[arg(long, env = "OCHAMI_DHCP_DOMAIN")]
    dhcp_domain: Option<String>,
    /// Lease time of known nodes' reserved addresses, in seconds.
    #[arg(long, env = "OCHAMI_DHCP_LEASE_TIME", default_value_t = ochami_boot::dhcp::DEFAULT_LEASE_SECS)]
    dhcp_lease_time: u32,
    /// Addresses for unknown MACs, `START-END` (outside every reserved address); without
    /// it unknown MACs get no lease (they are still recorded).
    #[arg(long, env = "OCHAMI_DHCP_POOL")]
    dhcp_pool: Option<PoolRange>,
    /// Lease time of pool addresses, in seconds.
    #[arg(long, env = "OCHAMI_DHCP_POOL_LEASE_TIME", default_value_t = ochami_boot::dhcp::DEFAULT_POOL_LEASE_SECS)]
    dhcp_pool_lease_time: u32,
    /// The TFTP server PXE ROMs load iPXE from, when it is not this server.
    #[arg(long, env = "OCHAMI_NEXT_SERVER")]
    next_server: Option<Ipv4Addr>,
    /// iPXE binary for BIOS PXE ROMs (path under the TFTP root).
    #[arg(long, env = "OCHAMI_IPXE_BIOS", default_value = "undionly.kpxe")]
    ipxe_bios: String,
    /// iPXE binary for x86-64 UEFI.
    #[arg(long, env = "OCHAMI_IPXE_EFI", default_value = "ipxe.efi")]
    ipxe_efi: String,
    /// iPXE binary for ARM64 UEFI.
    #[arg(long, env = "OCHAMI_IPXE_ARM64", default_value = "ipxe-arm64.efi")]
    ipxe_arm64: String,
    /// Serve this directory read-only over TFTP (e.g. Debian's `/usr/lib/ipxe`).
    #[arg(long, env = "OCHAMI_TFTP_ROOT")]
    tftp_root: Option<PathBuf>,
    /// Address the TFTP server listens on.
    #[arg(long, env = "OCHAMI_TFTP_LISTEN", default_value = "0.0.0.0:69")]
    tftp_listen: SocketAddr,
    /// Serve kernels and initrds from this directory under `/boot-files/` (HTTP, with
    /// range requests), for sites without an object store.
    #[arg(long, env = "OCHAMI_BOOT_FILES")]
    boot_files: Option<PathBuf>,
}

impl NetbootArgs {
    /// The DHCP server's configuration; `base_url` is where iPXE fetches bootscripts.
    pub(crate) fn dhcp(&self, base_url: &str) -> Option<DhcpServerConfig> {
        let interface = self.dhcp_interface.clone()?;
        let server_ip = self.dhcp_server_ip?;
        let mut reply = DhcpConfig::new(server_ip, self.dhcp_subnet_mask, base_url);
        reply.routers = self.dhcp_router.clone();
        reply.dns_servers = self.dhcp_dns.clone();
        reply.domain = self.dhcp_domain.clone();
        reply.lease_secs = self.dhcp_lease_time;
        reply.next_server = self.next_server;
        reply.boot_files = BootFiles {
            bios: self.ipxe_bios.clone(),
            x86_64_efi: self.ipxe_efi.clone(),
            arm64_efi: self.ipxe_arm64.clone(),
        };
        Some(DhcpServerConfig {
            interface,
            listen: self.dhcp_listen,
            reply,
            pool: self.dhcp_pool,
            pool_lease_secs: self.dhcp_pool_lease_time,
        })
    }

    /// The directory served under `/boot-files/`.
    pub(crate) fn boot_files(&self) -> Option<PathBuf> {
        self.boot_files.clone()
    }

    /// The TFTP server's configuration.
    pub(crate) fn tftp(&self) -> Option<TftpConfig> {
        let root = self.tftp_root.clone()?;
        Some(TftpConfig::new(root, self.tftp_listen))
    }
}
