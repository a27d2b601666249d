//! Helpers: run the binary, start simulated BMCs and an in-process server.

use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use ochami_redfish::power::{OperationOptions, PowerOptions};
use ochami_redfish::sim::{SimBmc, SimBmcConfig, SyntheticBmc};
use ochami_redfish::{Credentials, RetryPolicy};
use ochami_server::{
    AppState, Authenticator, PowerConfig, Settings, boot_service_routes, bss_routes,
    cloud_init_routes, metadata_service_routes, power_routes_with, serve_router_on, smd_routes,
    with_layers,
};
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

/// `ochami serve`'s API (SMD, BSS, boot-service, cloud-init, metadata-service, PCS) on a free loopback port over `store`;
/// stops when the sender is dropped.
pub(crate) async fn server(store: Arc<dyn Store>) -> (String, tokio::sync::oneshot::Sender<()>) {
    server_with_auth(store, None).await
}

/// [`server`] with an authenticator. The power routes reach the simulated BMCs over plain
/// HTTP, with short timeouts.
pub(crate) async fn server_with_auth(
    store: Arc<dyn Store>,
    auth: Option<Authenticator>,
) -> (String, tokio::sync::oneshot::Sender<()>) {
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
        auth,
    );
    let power = PowerConfig {
        scheme: "http".into(),
        options: PowerOptions {
            concurrency: 8,
            request_timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                max_retries: 1,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(5),
            },
            operation: OperationOptions {
                wait: true,
                poll_interval: Duration::from_millis(20),
                state_timeout: Duration::from_secs(10),
                graceful_timeout: Duration::from_secs(10),
            },
            ..PowerOptions::default()
        },
        ..PowerConfig::default()
    };
    let routes = smd_routes()
        .merge(bss_routes())
        .merge(boot_service_routes())
        .merge(cloud_init_routes())
        .merge(metadata_service_routes())
        .merge(power_routes_with(power));
    let app = with_layers(state.clone(), routes);
    tokio::spawn(serve_router_on(listener, state, app, async {
        let _ = rx.await;
    }));
    (base, tx)
}

/// The store backends every client test runs on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Backend {
    /// `memory:`.
    Memory,
    /// A SQLite file in a temp dir.
    Sqlite,
    /// A fresh database on the throwaway PostgreSQL of `ochami_testing::postgres`.
    Postgres,
}

/// A store of one backend, kept alive (its temp dir) for the test.
pub(crate) struct TestStore {
    /// The store.
    pub(crate) store: Arc<dyn Store>,
    /// Its URL.
    pub(crate) url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Backend {
    /// An empty store of this backend; `None` (with a notice) when PostgreSQL is not
    /// installed outside CI.
    pub(crate) async fn open(self) -> Option<TestStore> {
        let (url, dir) = match self {
            Backend::Memory => ("memory:".to_owned(), None),
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = format!("sqlite://{}", dir.path().join("ochami.db").display());
                (url, Some(dir))
            }
            Backend::Postgres => {
                let Some(db) = ochami_testing::postgres::fresh_database()
                    .await
                    .expect("postgres harness")
                else {
                    assert!(!ochami_testing::in_ci(), "CI needs PostgreSQL");
                    eprintln!("no PostgreSQL: skipping this backend");
                    return None;
                };
                (db.url().to_owned(), None)
            }
        };
        let store = ochami_store::open(&url).await.expect("open the store");
        Some(TestStore {
            store,
            url,
            _dir: dir,
        })
    }
}

/// Defines, for each `async fn name(backend: Backend)` listed, one test per backend:
/// `memory::name`, `sqlite::name`, `postgres::name`.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::cli::common::Backend::Memory).await
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::cli::common::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::cli::common::Backend::Postgres).await
                }
            )*
        }
    };
}
pub(crate) use on_every_backend;

/// Compare `actual` with the golden file `examples/tests/golden/<name>`; with
/// `OCHAMI_UPDATE_GOLDEN=1` (re)write it instead.
pub(crate) fn golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("OCHAMI_UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("golden dir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "golden file {}: {e} (OCHAMI_UPDATE_GOLDEN=1 writes it)",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(5)
            .map(|(i, (e, a))| format!("line {}:\n  golden: {e}\n  actual: {a}", i + 1))
            .collect();
        panic!(
            "output differs from {} ({} vs {} lines):\n{}\n--- actual ---\n{actual}",
            path.display(),
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}
