//! One read transfer, from its request to the last ACK, on its own socket.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ochami_boot::tftp::{
    ClientPacket, ErrorCode, ReadRequest, Refusal, data_packet, error_packet, negotiate,
    oack_packet, resolve_path,
};
use tokio::io::AsyncReadExt;
use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout_at};

use super::Served;

/// Serve the request `request` from `peer`: refuse it with an ERROR packet, or send the file.
pub(crate) async fn serve_transfer(
    served: &Served,
    local_ip: IpAddr,
    peer: SocketAddr,
    request: &[u8],
) -> io::Result<()> {
    // The transfer's own port is its transfer ID (RFC 1350 §4).
    let socket = UdpSocket::bind((local_ip, 0)).await?;
    let rrq = match ReadRequest::parse(request) {
        Ok(r) => r,
        Err(refusal) => return refuse(&socket, peer, &refusal).await,
    };
    let (mut file, size) = match open_confined(&served.root, &rrq.filename).await {
        Ok(f) => f,
        Err(refusal) => {
            tracing::info!(%peer, file = %rrq.filename, reason = %refusal, "TFTP request refused");
            return refuse(&socket, peer, &refusal).await;
        }
    };
    let (opts, oack) = negotiate(&rrq.options, Some(size), served.max_blksize);
    let mut transfer = Transfer {
        socket,
        peer,
        timeout: Duration::from_secs(u64::from(opts.timeout_secs)),
        retries: served.retries,
    };
    if !oack.is_empty() && !transfer.send_until_acked(&oack_packet(&oack), 0).await? {
        return Ok(());
    }
    let blksize = usize::from(opts.blksize);
    let mut buf = vec![0u8; blksize];
    let mut block: u16 = 1;
    loop {
        let n = read_full(&mut file, &mut buf).await?;
        if !transfer
            .send_until_acked(&data_packet(block, &buf[..n]), block)
            .await?
        {
            return Ok(());
        }
        if n < blksize {
            tracing::debug!(%peer, file = %rrq.filename, size, "TFTP transfer done");
            return Ok(());
        }
        // Block numbers roll over past 65535 (practice; RFC 1350 leaves it open).
        block = block.wrapping_add(1);
    }
}

/// Open the file `name` names under `root` (canonical), refusing names outside it, paths
/// whose real location (symlinks resolved) is outside it, and anything but regular files.
async fn open_confined(root: &Path, name: &str) -> Result<(tokio::fs::File, u64), Refusal> {
    let path = resolve_path(root, name)?;
    let real: PathBuf = tokio::fs::canonicalize(&path).await.map_err(io_refusal)?;
    if !real.starts_with(root) {
        return Err(Refusal {
            code: ErrorCode::AccessViolation,
            message: "file is outside the TFTP root".into(),
        });
    }
    let file = tokio::fs::File::open(&real).await.map_err(io_refusal)?;
    let meta = file.metadata().await.map_err(io_refusal)?;
    if !meta.is_file() {
        return Err(Refusal {
            code: ErrorCode::FileNotFound,
            message: "not a file".into(),
        });
    }
    Ok((file, meta.len()))
}

fn io_refusal(e: io::Error) -> Refusal {
    let (code, message) = match e.kind() {
        io::ErrorKind::NotFound => (ErrorCode::FileNotFound, "file not found"),
        io::ErrorKind::PermissionDenied => (ErrorCode::AccessViolation, "permission denied"),
        _ => (ErrorCode::NotDefined, "file cannot be read"),
    };
    Refusal {
        code,
        message: message.into(),
    }
}

async fn refuse(socket: &UdpSocket, peer: SocketAddr, refusal: &Refusal) -> io::Result<()> {
    socket.send_to(&refusal.to_packet(), peer).await.map(|_| ())
}

/// Fill `buf` from the file; fewer bytes only at its end.
async fn read_full(file: &mut tokio::fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]).await? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

struct Transfer {
    socket: UdpSocket,
    peer: SocketAddr,
    timeout: Duration,
    retries: u8,
}

impl Transfer {
    /// Send `packet` until the client ACKs `block`: true when it did, false when it gave up
    /// (an ERROR) or broke the protocol. An error after `retries` unanswered sends.
    async fn send_until_acked(&mut self, packet: &[u8], block: u16) -> io::Result<bool> {
        let mut buf = [0u8; 516];
        for _ in 0..self.retries {
            self.socket.send_to(packet, self.peer).await?;
            let deadline = Instant::now() + self.timeout;
            loop {
                let Ok(received) = timeout_at(deadline, self.socket.recv_from(&mut buf)).await
                else {
                    break; // timed out: send again
                };
                let (len, from) = received?;
                if from != self.peer {
                    // Another port: not this transfer (RFC 1350 §4); it goes on.
                    let e = error_packet(ErrorCode::UnknownTransferId, "unknown transfer ID");
                    self.socket.send_to(&e, from).await?;
                    continue;
                }
                match ClientPacket::parse(&buf[..len]) {
                    ClientPacket::Ack(n) if n == block => return Ok(true),
                    // A duplicate ACK is never answered by a resend (RFC 1123, the
                    // Sorcerer's Apprentice bug): wait for the right one or the timeout.
                    ClientPacket::Ack(_) => {}
                    ClientPacket::Error { code, message } => {
                        // PXE ROMs abort after a tsize-only OACK, then ask again: normal.
                        tracing::debug!(peer = %self.peer, code = code.code(), %message, "TFTP client ended the transfer");
                        return Ok(false);
                    }
                    ClientPacket::Other => {
                        let e = error_packet(ErrorCode::IllegalOperation, "expected an ACK");
                        self.socket.send_to(&e, self.peer).await?;
                        return Ok(false);
                    }
                }
            }
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("no ACK of block {block} after {} sends", self.retries),
        ))
    }
}
