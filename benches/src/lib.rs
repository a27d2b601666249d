//! Shared helpers for the benches in `benches/benches/`: configuration from the
//! environment and a minimal keep-alive HTTP/1.1 client for load drivers (no client
//! library in the measured path).

use std::net::SocketAddr;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The value of environment variable `key` parsed as `T`, or `default` when unset or
/// unparsable.
pub fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    io: BufReader<TcpStream>,
    line: String,
    /// The body of the last answer.
    pub body: Vec<u8>,
}

impl Conn {
    /// Connect to `addr` (no Nagle delay).
    pub async fn open(addr: SocketAddr) -> std::io::Result<Conn> {
        let tcp = TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        Ok(Conn {
            io: BufReader::with_capacity(64 * 1024, tcp),
            line: String::new(),
            body: Vec::new(),
        })
    }

    /// GET `path`; the status, with the body in `self.body`.
    pub async fn get(&mut self, path: &str) -> std::io::Result<u16> {
        let req = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
        self.io.get_mut().write_all(req.as_bytes()).await?;
        self.line.clear();
        self.io.read_line(&mut self.line).await?;
        let status = self
            .line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut len = 0usize;
        loop {
            self.line.clear();
            if self.io.read_line(&mut self.line).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let l = self.line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        self.body.resize(len, 0);
        self.io.read_exact(&mut self.body).await?;
        Ok(status)
    }
}
