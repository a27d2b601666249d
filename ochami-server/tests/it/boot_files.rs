//! `/boot-files/` over a real socket: whole files, single byte ranges (206 with
//! `Content-Range`), unsatisfiable ranges (416), HEAD, and paths that would leave the root.

use std::net::SocketAddr;

use ochami_server::boot_files::BootFileRoot;
use ochami_server::{AppState, Settings, router_with, serve_router_on};

fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 13 % 251) as u8).collect()
}

/// A server over a root holding `vmlinuz` (200,000 bytes, several body chunks), an empty
/// file, a directory and a symlink leading out of the root.
async fn server() -> (tempfile::TempDir, tempfile::TempDir, String) {
    let root = tempfile::tempdir().expect("temp dir");
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(root.path().join("vmlinuz"), payload(200_000)).expect("write");
    std::fs::write(root.path().join("empty"), b"").expect("write");
    std::fs::create_dir(root.path().join("images")).expect("mkdir");
    std::fs::write(root.path().join("images/initrd.img"), b"initrd").expect("write");
    std::fs::write(outside.path().join("secret"), b"secret").expect("write");
    std::os::unix::fs::symlink(outside.path().join("secret"), root.path().join("escape"))
        .expect("symlink");
    let files = BootFileRoot::new(root.path()).await.expect("root");
    let store = ochami_store::open("memory:").await.expect("store");
    let state = AppState::new(store, Settings::default(), None);
    let app = router_with(state.clone(), files.routes());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    tokio::spawn(serve_router_on(
        listener,
        state,
        app,
        futures::future::pending(),
    ));
    (root, outside, format!("http://{addr}/boot-files"))
}

async fn get(url: &str, range: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    if let Some(r) = range {
        req = req.header("range", r);
    }
    req.send().await.expect("request")
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn whole_files_and_ranges() {
    let (_root, _outside, base) = server().await;
    let whole = payload(200_000);

    let resp = get(&format!("{base}/vmlinuz"), None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "accept-ranges"), "bytes");
    assert_eq!(header(&resp, "content-length"), "200000");
    assert_eq!(header(&resp, "content-type"), "application/octet-stream");
    assert_eq!(resp.bytes().await.expect("body").as_ref(), &whole[..]);

    let resp = get(&format!("{base}/images/initrd.img"), None).await;
    assert_eq!(resp.text().await.expect("body"), "initrd");

    for (range, first, last) in [
        ("bytes=0-0", 0, 0),
        ("bytes=100-70099", 100, 70_099),
        ("bytes=199990-", 199_990, 199_999),
        ("bytes=-10", 199_990, 199_999),
        ("bytes=5-999999", 5, 199_999),
    ] {
        let resp = get(&format!("{base}/vmlinuz"), Some(range)).await;
        assert_eq!(resp.status(), 206, "{range}");
        assert_eq!(
            header(&resp, "content-range"),
            format!("bytes {first}-{last}/200000"),
            "{range}"
        );
        assert_eq!(
            header(&resp, "content-length"),
            (last - first + 1).to_string()
        );
        let body = resp.bytes().await.expect("body");
        assert_eq!(body.as_ref(), &whole[first..=last], "{range}");
    }

    for range in ["bytes=200000-", "bytes=300000-300001", "bytes=-0"] {
        let resp = get(&format!("{base}/vmlinuz"), Some(range)).await;
        assert_eq!(resp.status(), 416, "{range}");
        assert_eq!(header(&resp, "content-range"), "bytes */200000");
    }
    let resp = get(&format!("{base}/empty"), Some("bytes=0-")).await;
    assert_eq!(resp.status(), 416);
    assert_eq!(header(&resp, "content-range"), "bytes */0");

    // Several ranges, or a range with If-Range, get the whole file.
    let resp = get(&format!("{base}/vmlinuz"), Some("bytes=0-1,5-6")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.expect("body").len(), 200_000);
    let resp = reqwest::Client::new()
        .get(format!("{base}/vmlinuz"))
        .header("range", "bytes=0-1")
        .header("if-range", "\"abc\"")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);

    let resp = reqwest::Client::new()
        .head(format!("{base}/vmlinuz"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-length"), "200000");
}

#[tokio::test]
async fn paths_stay_inside_the_root() {
    let (_root, _outside, base) = server().await;
    let client = reqwest::Client::new();
    for (path, status) in [
        ("escape", 403),
        ("..%2F..%2Fetc%2Fpasswd", 403),
        ("images%2F..%2F..%2Fsecret", 403),
        ("a%5C..%5C..%5Csecret", 403),
        ("%2Fetc%2Fpasswd", 403),
        ("C:%5Cboot.ini", 403),
        ("missing", 404),
        ("images", 404),
    ] {
        let resp = client
            .get(format!("{base}/{path}"))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), status, "{path}");
        assert_eq!(header(&resp, "content-type"), "application/problem+json");
        let body = resp.text().await.expect("body");
        assert!(!body.contains("secret\""), "{path}: {body}");
    }
}
