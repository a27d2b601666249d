//! The TFTP server with real clients: curl (`tftp://`) with and without options, a raw
//! client checking the OACK, and traversal attempts (`..`, absolute names, a symlink out of
//! the root) refused. Without a curl that speaks TFTP the curl tests print a notice and
//! skip; under `CI=true` they fail.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use ochami_server::tftp::{TftpConfig, TftpServer};
use tokio::net::UdpSocket;

/// A server on a free loopback port over a root with `ipxe.efi` (3000 bytes, not a
/// multiple of any block size), `even.bin` (exactly 2 blocks of 512) and `sub/menu.ipxe`,
/// and a symlink pointing out of the root.
async fn server() -> (tempfile::TempDir, tempfile::TempDir, SocketAddr) {
    let root = tempfile::tempdir().expect("temp dir");
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(root.path().join("ipxe.efi"), payload(3000)).expect("write");
    std::fs::write(root.path().join("even.bin"), payload(1024)).expect("write");
    std::fs::create_dir(root.path().join("sub")).expect("mkdir");
    std::fs::write(root.path().join("sub/menu.ipxe"), b"#!ipxe\n").expect("write");
    std::fs::write(outside.path().join("secret"), b"secret").expect("write");
    std::os::unix::fs::symlink(outside.path().join("secret"), root.path().join("escape"))
        .expect("symlink");
    let listen: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let server = TftpServer::bind(TftpConfig::new(root.path(), listen))
        .await
        .expect("bind");
    let addr = server.local_addr().expect("addr");
    tokio::spawn(server.run());
    (root, outside, addr)
}

fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

fn curl_has_tftp() -> bool {
    let ok = Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("tftp"));
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but curl with TFTP support is missing"
        );
        eprintln!("notice: skipping: curl with tftp:// support is not installed");
    }
    ok
}

/// curl's exit code and output for `tftp://<addr>/<name>` with extra flags.
async fn curl(addr: SocketAddr, name: &str, flags: &[&str]) -> (i32, Vec<u8>) {
    let url = format!("tftp://{addr}/{name}");
    let mut cmd = tokio::process::Command::new("curl");
    cmd.args(["-sS", "--max-time", "20", "--path-as-is"])
        .args(flags)
        .arg(url);
    let out = cmd.output().await.expect("curl runs");
    (out.status.code().unwrap_or(-1), out.stdout)
}

#[tokio::test]
async fn curl_fetches_with_and_without_options() {
    if !curl_has_tftp() {
        return;
    }
    let (_root, _outside, addr) = server().await;
    for flags in [
        &[][..],
        &["--tftp-no-options"],
        &["--tftp-blksize", "1468"],
        &["--tftp-blksize", "8"],
    ] {
        let (code, body) = curl(addr, "ipxe.efi", flags).await;
        assert_eq!(code, 0, "{flags:?}");
        assert_eq!(body, payload(3000), "{flags:?}");
        let (code, body) = curl(addr, "even.bin", flags).await;
        assert_eq!(code, 0, "{flags:?}");
        assert_eq!(
            body,
            payload(1024),
            "{flags:?}: an exact multiple ends with an empty block"
        );
    }
    let (code, body) = curl(addr, "sub/menu.ipxe", &[]).await;
    assert_eq!((code, body.as_slice()), (0, &b"#!ipxe\n"[..]));
}

#[tokio::test]
async fn traversal_and_missing_files_are_refused() {
    if !curl_has_tftp() {
        return;
    }
    let (root, _outside, addr) = server().await;
    // curl exit codes: 68 TFTP file not found, 69 TFTP access violation.
    for name in [
        "../etc/passwd",
        "sub/../../etc/passwd",
        "/etc/passwd",
        "escape",
    ] {
        let (code, body) = curl(addr, name, &[]).await;
        assert_eq!(code, 69, "{name}");
        assert!(body.is_empty(), "{name}");
    }
    let (code, _) = curl(addr, "nope.efi", &[]).await;
    assert_eq!(code, 68);
    // The root itself and a directory are no files.
    let (code, _) = curl(addr, "sub", &[]).await;
    assert_eq!(code, 68);
    assert!(Path::new(root.path()).join("escape").exists());
}

/// A raw client: the OACK carries exactly the accepted options, `blksize` lowered to the
/// server's limit and `tsize` the file's size; then DATA 1 of the negotiated size.
#[tokio::test]
async fn oack_lists_the_accepted_options() {
    let (_root, _outside, addr) = server().await;
    let client = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    client
        .send_to(
            b"\0\x01ipxe.efi\0octet\0blksize\x009000\0tsize\x000\0windowsize\x004\0",
            addr,
        )
        .await
        .expect("send");
    let mut buf = [0u8; 2048];
    let (n, transfer) = recv(&client, &mut buf).await;
    assert_ne!(transfer, addr, "a transfer runs on its own port");
    assert_eq!(&buf[..n], b"\0\x06blksize\x001468\0tsize\x003000\0");
    client
        .send_to(b"\0\x04\0\0", transfer)
        .await
        .expect("ack 0");
    let (n, _) = recv(&client, &mut buf).await;
    assert_eq!(n, 4 + 1468);
    assert_eq!(&buf[..4], b"\0\x03\0\x01");
    // A stranger port gets ERROR 5; the transfer goes on.
    let stranger = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    stranger
        .send_to(b"\0\x04\0\x01", transfer)
        .await
        .expect("send");
    let (n, _) = recv(&stranger, &mut buf).await;
    assert_eq!(&buf[..4], b"\0\x05\0\x05", "{:?}", &buf[..n]);
    client
        .send_to(b"\0\x04\0\x01", transfer)
        .await
        .expect("ack 1");
    let (n, _) = recv(&client, &mut buf).await;
    assert_eq!((n, &buf[..4]), (4 + 1468, &b"\0\x03\0\x02"[..]));
    // A write request is refused: read-only.
    client
        .send_to(b"\0\x02up.bin\0octet\0", addr)
        .await
        .expect("send");
    let (n, _) = recv(&client, &mut buf).await;
    assert_eq!(&buf[..n], b"\0\x05\0\x02this server is read-only\0");
}

async fn recv(socket: &UdpSocket, buf: &mut [u8]) -> (usize, SocketAddr) {
    tokio::time::timeout(Duration::from_secs(10), socket.recv_from(buf))
        .await
        .expect("an answer within 10 s")
        .expect("recv")
}
