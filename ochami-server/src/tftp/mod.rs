//! The read-only TFTP server that hands PXE ROMs their iPXE binary: RFC 1350 with option
//! negotiation (RFC 2347: `blksize`, `timeout`, `tsize`). The decisions (request parsing,
//! path confinement, negotiation, packet formats) are `ochami_boot::tftp`'s; this module
//! owns the sockets: one listening socket, and one socket on a fresh port per transfer
//! (its transfer ID), so many transfers run at once.
//!
//! Files are served only from under the root: names with `..` or absolute names are refused
//! before any file is touched, and the opened file's canonical path must lie inside the
//! canonical root (a symlink pointing out is refused with ERROR 2).

mod transfer;

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::UdpSocket;

use transfer::serve_transfer;

/// The default `blksize` limit: the largest block fitting a 1500-byte MTU (RFC 2348).
pub const DEFAULT_MAX_BLKSIZE: u16 = 1468;

/// How often a DATA or OACK packet is sent before the transfer is given up.
pub const DEFAULT_RETRIES: u8 = 5;

/// What the TFTP server serves and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TftpConfig {
    /// The directory served (Debian's `ipxe` files: `undionly.kpxe`, `ipxe.efi`).
    pub root: PathBuf,
    /// The address to listen on (port 69 for PXE ROMs).
    pub listen: SocketAddr,
    /// The largest `blksize` granted.
    pub max_blksize: u16,
    /// Sends of one packet before giving up.
    pub retries: u8,
}

impl TftpConfig {
    /// Serve `root` on `listen` with the default limits.
    pub fn new(root: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        TftpConfig {
            root: root.into(),
            listen,
            max_blksize: DEFAULT_MAX_BLKSIZE,
            retries: DEFAULT_RETRIES,
        }
    }
}

/// A bound TFTP server; [`TftpServer::run`] serves until the task is dropped.
#[derive(Debug)]
pub struct TftpServer {
    socket: UdpSocket,
    config: Arc<Served>,
}

/// The configuration with the root canonicalized once.
#[derive(Debug)]
pub(crate) struct Served {
    pub(crate) root: PathBuf,
    pub(crate) max_blksize: u16,
    pub(crate) retries: u8,
}

impl TftpServer {
    /// Bind the listening socket; the root must be an existing directory.
    pub async fn bind(config: TftpConfig) -> io::Result<Self> {
        let root = tokio::fs::canonicalize(&config.root).await.map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("TFTP root {}: {e}", config.root.display()),
            )
        })?;
        if !tokio::fs::metadata(&root).await?.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("TFTP root {} is not a directory", root.display()),
            ));
        }
        let socket = UdpSocket::bind(config.listen).await?;
        Ok(TftpServer {
            socket,
            config: Arc::new(Served {
                root,
                max_blksize: config.max_blksize,
                retries: config.retries.max(1),
            }),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// The canonical root served.
    pub fn root(&self) -> &Path {
        &self.config.root
    }

    /// Answer requests until the returned future is dropped; each transfer runs in its own
    /// task on its own port.
    pub async fn run(self) -> io::Result<()> {
        let local_ip = self.socket.local_addr()?.ip();
        tracing::info!(addr = %self.socket.local_addr()?, root = %self.config.root.display(), "TFTP server listening");
        // A request is at most 512 bytes; one byte more tells an oversized one apart.
        let mut buf = [0u8; ochami_boot::tftp::MAX_REQUEST_LEN + 1];
        loop {
            let (len, peer) = match self.socket.recv_from(&mut buf).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "TFTP receive failed");
                    continue;
                }
            };
            let request = buf[..len].to_vec();
            let served = self.config.clone();
            tokio::spawn(async move {
                if let Err(e) = serve_transfer(&served, local_ip, peer, &request).await {
                    tracing::warn!(%peer, error = %e, "TFTP transfer failed");
                }
            });
        }
    }
}
