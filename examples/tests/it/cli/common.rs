//! Helpers: run the binary, start simulated BMCs and an in-process server.

use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use ochami_redfish::Credentials;
use ochami_redfish::sim::{SimBmc, SimBmcConfig, SyntheticBmc};
use ochami_server::{AppState, Settings, serve_on};
use ochami_store::Store;

/// The BMC user of the simulated BMCs.
pub(crate) const USER: &str = "admin";
/// Their password; no output of the binary may contain it.
pub(crate) const PASSWORD: &str = "Sup3r-s3cret-BMC-pw";

/// Runs `ochami <args>` with `envs` and a clean `OCHAMI_*` environment; fails the test
/// after 120 s.
pub(crate) async fn ochami(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_ochami"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .kill_on_drop(true);
    for var in [
        "OCHAMI_BMC_USERNAME",
        "OCHAMI_BMC_PASSWORD",
        "OCHAMI_TOKEN",
        "OCHAMI_STORE",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    match tokio::time::timeout(Duration::from_secs(120), cmd.output()).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => panic!("cannot run ochami: {e}"),
        Err(_) => panic!("ochami {args:?} did not finish within 120 s"),
    }
}

/// stdout and stderr as text.
pub(crate) fn texts(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run `ochami` and require exit `code` (the failure shows both streams); stdout and
/// stderr.
pub(crate) async fn ochami_exits(
    args: &[&str],
    envs: &[(&str, &str)],
    code: i32,
) -> (String, String) {
    let out = ochami(args, envs).await;
    let (stdout, stderr) = texts(&out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "ochami {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// Run `ochami` and require exit 0; its stdout.
pub(crate) async fn ochami_ok(args: &[&str], envs: &[(&str, &str)]) -> String {
    ochami_exits(args, envs, 0).await.0
}

/// Synthetic BMCs `(index, nodes)` requiring [`USER`]/[`PASSWORD`].
pub(crate) async fn bmcs(specs: &[(u32, usize)]) -> Vec<SimBmc> {
    let mut v = Vec::new();
    for (index, nodes) in specs {
        let config = SimBmcConfig::new(SyntheticBmc::new(*index, *nodes).build())
            .credentials(Credentials::new(USER, PASSWORD));
        v.push(SimBmc::spawn(config).await.expect("simulated BMC starts"));
    }
    v
}

/// `--host <url>` for every BMC.
pub(crate) fn host_args(bmcs: &[SimBmc]) -> Vec<String> {
    bmcs.iter()
        .flat_map(|b| ["--host".to_owned(), b.base_url()])
        .collect()
}

/// A loopback port nothing listens on.
pub(crate) fn closed_port() -> ClosedPort {
    // Bound but not listening: connections are refused, and no other test can take the
    // port while the guard lives (a released port could be reused by a parallel test).
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("bind");
    let port = socket.local_addr().expect("addr").port();
    ClosedPort {
        _socket: socket,
        port,
    }
}

/// A loopback port that refuses connections for as long as it is held.
pub(crate) struct ClosedPort {
    _socket: tokio::net::TcpSocket,
    port: u16,
}

impl std::fmt::Display for ClosedPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.port)
    }
}

/// `ochami serve`'s router on a free loopback port over `store`; stops when the sender is
/// dropped.
pub(crate) async fn server(store: Arc<dyn Store>) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(
        store,
        Settings {
            base_url: base.clone(),
            ..Settings::default()
        },
        None,
    );
    tokio::spawn(serve_on(listener, state, async {
        let _ = rx.await;
    }));
    (base, tx)
}
