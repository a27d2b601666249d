//! Throwaway PostgreSQL for tests and benches: the one harness of the project (Rust tests
//! call [`fresh_database`]; other languages run the `ochami-test-postgres` binary).
//!
//! [`fresh_database`] hands out an empty database per call, so tests run in parallel:
//!
//! - with `OCHAMI_TEST_DATABASE_URL` set (`postgres://user:pass@host/db`, a role that may
//!   `CREATE DATABASE`), each call creates `ochami_test_<pid>_<n>` on that server; they are
//!   left behind for inspection;
//! - otherwise the first call starts a private server from the installed binaries
//!   (`initdb`/`postgres` on `PATH`, then `/usr/lib/postgresql/<newest>/bin`): `initdb` into
//!   a temp dir, `postgres` on a free loopback port with its socket in that dir and
//!   `fsync=off` (fine for tests only), shared by every test of the process; each call then
//!   creates `t_<n>`. As root (which `initdb` refuses) the server runs as `nobody` through
//!   `setpriv` or `runuser`, with the temp dir given to that user.
//!
//! No orphan survives the test binary: statics are never dropped, so starting the shared
//! server also starts a small `sh` watchdog that polls the test process and, once it is
//! gone (finished, panicked or killed), stops `postgres` (SIGINT, then SIGKILL) and deletes
//! the directory. A [`PostgresServer`] started by hand is stopped and deleted on drop.
//!
//! Without any PostgreSQL binaries [`fresh_database`] returns `Ok(None)` after printing a
//! loud `SKIPPED postgres tests` notice, unless `CI=true`, where it is an error.
//!
//! ```no_run
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! if let Some(db) = ochami_testing::postgres::fresh_database().await? {
//!     let store = ochami_store::open(db.url()).await?;
//!     store.ping().await?;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

use std::io::{self, Read};
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::{Connection, Executor, PgConnection};

/// Env var naming an existing server to use instead of starting one.
pub const DATABASE_URL_VAR: &str = "OCHAMI_TEST_DATABASE_URL";

/// How long a fresh server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(60);

static NEXT_DB: AtomicU64 = AtomicU64::new(1);
static SHARED: OnceLock<Result<Option<PostgresServer>, String>> = OnceLock::new();

/// An empty database made for one test.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    url: String,
    name: String,
}

impl TestDatabase {
    /// Its URL, for [`ochami_store::open`] or any Postgres client.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A new empty database: on `OCHAMI_TEST_DATABASE_URL` if set, else on this process's shared
/// throwaway server (started on first use). `Ok(None)` means no PostgreSQL is installed and
/// the caller should skip (never under `CI=true`).
pub async fn fresh_database() -> io::Result<Option<TestDatabase>> {
    if let Ok(url) = std::env::var(DATABASE_URL_VAR)
        && !url.trim().is_empty()
    {
        let name = format!(
            "ochami_test_{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        create_database(url.trim(), &name).await?;
        return Ok(Some(TestDatabase {
            url: with_database(url.trim(), &name),
            name,
        }));
    }
    let Some(server) = shared_server()? else {
        return Ok(None);
    };
    server.create_database().await.map(Some)
}

/// The process-wide throwaway server, started on first call (blocking while `initdb` and
/// `postgres` start). `Ok(None)`: no binaries and not CI.
pub fn shared_server() -> io::Result<Option<&'static PostgresServer>> {
    let started = SHARED.get_or_init(|| {
        let server = PostgresServer::start().map_err(|e| e.to_string())?;
        if let Some(s) = &server {
            s.start_watchdog()
                .map_err(|e| format!("cannot start the postgres watchdog: {e}"))?;
        }
        Ok(server)
    });
    match started {
        Ok(s) => Ok(s.as_ref()),
        Err(e) => Err(io::Error::other(e.clone())),
    }
}

/// A PostgreSQL server in a temp dir, stopped and deleted on drop.
#[derive(Debug)]
pub struct PostgresServer {
    dir: PathBuf,
    port: u16,
    child: Child,
}

impl PostgresServer {
    /// `initdb` a temp dir and start `postgres` on a free loopback port. `Ok(None)` when no
    /// PostgreSQL binaries are installed (an error under `CI=true`).
    pub fn start() -> io::Result<Option<Self>> {
        let Some(bin) = find_binaries() else {
            if crate::in_ci() {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "CI=true but no PostgreSQL found (initdb/postgres on PATH or in /usr/lib/postgresql/*/bin)",
                ));
            }
            eprintln!(
                "\n*** SKIPPED postgres tests: no PostgreSQL found (install it, or set {DATABASE_URL_VAR}) ***\n"
            );
            return Ok(None);
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("ochami-pg-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let result = Self::start_in(&bin, &dir);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        result.map(Some)
    }

    fn start_in(bin: &Path, dir: &Path) -> io::Result<Self> {
        let user = Unprivileged::needed()?;
        if let Some(u) = &user {
            std::os::unix::fs::chown(dir, Some(u.uid), Some(u.gid))?;
        }
        let data = dir.join("data");
        let out = as_user(&user, &bin.join("initdb"))
            .args(["-D".as_ref(), data.as_os_str()])
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .stdin(Stdio::null())
            .output()?;
        if !out.status.success() {
            return Err(io::Error::other(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log_path = dir.join("postgres.log");
        let log = std::fs::File::create(&log_path)?;
        let child = as_user(&user, &bin.join("postgres"))
            .args([
                "-D".as_ref(),
                data.as_os_str(),
                "-k".as_ref(),
                dir.as_os_str(),
            ])
            .args(["-c", "listen_addresses=127.0.0.1", "-p", &port.to_string()])
            .args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ])
            .args(["-c", "max_connections=400", "-c", "shared_buffers=128MB"])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        let mut server = PostgresServer {
            dir: dir.to_owned(),
            port,
            child,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let mut text = String::new();
            std::fs::File::open(&log_path)?.read_to_string(&mut text)?;
            if text.contains("ready to accept connections") {
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                return Err(io::Error::other(format!(
                    "postgres exited ({status}): {}",
                    tail(&text)
                )));
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("postgres did not start: {}", tail(&text)),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Create a new empty database `t_<n>`.
    pub async fn create_database(&self) -> io::Result<TestDatabase> {
        let name = format!("t_{}", NEXT_DB.fetch_add(1, Ordering::Relaxed));
        create_database(&self.url("postgres"), &name).await?;
        Ok(TestDatabase {
            url: self.url(&name),
            name,
        })
    }

    /// The server's directory (data, socket, log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stop postgres and remove the directory once this process is gone, however it ends.
    fn start_watchdog(&self) -> io::Result<()> {
        let script = r#"
            while kill -0 "$1" 2>/dev/null; do sleep 1; done
            pid=$(head -n 1 "$2/data/postmaster.pid" 2>/dev/null)
            if [ -n "$pid" ]; then
                kill -INT "$pid" 2>/dev/null
                for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
                kill -KILL "$pid" 2>/dev/null
            fi
            rm -rf "$2"
        "#;
        Command::new("sh")
            .args([
                "-c",
                script,
                "ochami-pg-watchdog",
                &std::process::id().to_string(),
            ])
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(|_| ())
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        // SIGINT is postgres' "fast shutdown"; the wrapper (setpriv execs, runuser forwards)
        // may not be the postmaster, so signal the pid it wrote.
        let pid = std::fs::read_to_string(self.dir.join("data/postmaster.pid"))
            .ok()
            .and_then(|s| s.lines().next().map(str::to_owned));
        if let Some(pid) = pid {
            let _ = Command::new("kill").args(["-INT", &pid]).status();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn create_database(admin_url: &str, name: &str) -> io::Result<()> {
    let fail = |what: &str, e: sqlx::Error| io::Error::other(format!("{what}: {e}"));
    let mut conn = PgConnection::connect(admin_url)
        .await
        .map_err(|e| fail("cannot connect to the test server", e))?;
    // `name` is made here from a prefix and numbers only: no quoting needed, no input in it.
    let sql = format!("CREATE DATABASE {name}");
    conn.execute(sqlx::AssertSqlSafe(sql))
        .await
        .map_err(|e| fail("cannot create a test database", e))?;
    conn.close().await.map_err(|e| fail("closing", e))
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(5)..].join(" | ")
}

/// The directory holding `initdb` and `postgres`.
fn find_binaries() -> Option<PathBuf> {
    let has_both = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if has_both(&d) {
                return Some(d);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            Some((
                e.file_name().to_str()?.parse::<u32>().ok()?,
                e.path().join("bin"),
            ))
        })
        .filter(|(_, d)| has_both(d))
        .collect();
    versions.sort();
    versions.pop().map(|(_, d)| d)
}

/// The user to run postgres as when we are root (initdb refuses root).
#[derive(Debug)]
struct Unprivileged {
    uid: u32,
    gid: u32,
    via: Via,
}

#[derive(Debug)]
enum Via {
    Setpriv(PathBuf),
    Runuser(PathBuf),
}

impl Unprivileged {
    fn needed() -> io::Result<Option<Self>> {
        let euid = std::fs::metadata("/proc/self")
            .map(|m| m.uid())
            .or_else(|_| id(&["-u"]))?;
        if euid != 0 {
            return Ok(None);
        }
        let uid = id(&["-u", "nobody"])?;
        let gid = id(&["-g", "nobody"])?;
        let find = |name: &str| {
            ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
                .iter()
                .map(|d| Path::new(d).join(name))
                .find(|p| p.is_file())
        };
        let via = match (find("setpriv"), find("runuser")) {
            (Some(p), _) => Via::Setpriv(p),
            (None, Some(p)) => Via::Runuser(p),
            (None, None) => {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "running as root, and neither setpriv nor runuser exists to run postgres as nobody",
                ));
            }
        };
        Ok(Some(Unprivileged { uid, gid, via }))
    }
}

fn id(args: &[&str]) -> io::Result<u32> {
    let out = Command::new("id").args(args).output()?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| io::Error::other(format!("`id {}` gave no number", args.join(" "))))
}

fn as_user(user: &Option<Unprivileged>, program: &Path) -> Command {
    match user {
        None => Command::new(program),
        Some(u) => {
            let mut c = match &u.via {
                Via::Setpriv(p) => {
                    let mut c = Command::new(p);
                    c.arg(format!("--reuid={}", u.uid))
                        .arg(format!("--regid={}", u.gid))
                        .arg("--clear-groups");
                    c
                }
                Via::Runuser(p) => {
                    let mut c = Command::new(p);
                    c.args(["-u", "nobody"]);
                    c
                }
            };
            c.arg("--").arg(program);
            // initdb and postgres look at HOME and the cwd; give them ones nobody can read.
            c.env("HOME", "/tmp").current_dir("/tmp");
            c
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_replaced_in_urls() {
        assert_eq!(
            with_database("postgres://u:p@h:5/db", "t_1"),
            "postgres://u:p@h:5/t_1"
        );
        assert_eq!(
            with_database("postgres://h/db?sslmode=require", "t_2"),
            "postgres://h/t_2?sslmode=require"
        );
        assert_eq!(with_database("postgres://h", "t_3"), "postgres://h/t_3");
    }
}
