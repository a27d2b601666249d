//! The host side of the netboot tests: prerequisites, a throwaway network namespace, and
//! `ochami serve` running inside it with its log in a file.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Print why a test is skipped and return true; under `CI=true` fail instead.
pub(crate) fn skip(why: &str) -> bool {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the netboot test cannot run: {why}"
    );
    eprintln!("notice: skipping the netboot test: {why}");
    true
}

/// The first of `programs` not found on `PATH`.
pub(crate) fn missing_program(programs: &[&str]) -> Option<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    programs
        .iter()
        .find(|p| !std::env::split_paths(&path).any(|dir| dir.join(p).is_file()))
        .map(|p| (*p).to_owned())
}

/// A network namespace of its own, deleted on drop.
pub(crate) struct Netns {
    pub(crate) name: String,
}

impl Netns {
    /// A fresh namespace with `lo` up; `Err` (with `ip`'s message) when this user cannot
    /// create one.
    pub(crate) fn new(tag: &str) -> Result<Self, String> {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "ochami-{tag}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let out = std::process::Command::new("ip")
            .args(["netns", "add", &name])
            .output()
            .map_err(|e| format!("cannot run ip: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "ip netns add failed (root needed): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"]);
        Ok(ns)
    }

    /// `ip -n <ns> <args>`, which must succeed.
    pub(crate) fn ip(&self, args: &[&str]) {
        let out = std::process::Command::new("ip")
            .arg("-n")
            .arg(&self.name)
            .args(args)
            .output()
            .expect("run ip");
        assert!(
            out.status.success(),
            "ip -n {} {args:?}: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `program` run inside the namespace (`ip netns exec` replaces itself with it, so
    /// killing the child kills the program).
    pub(crate) fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new("ip");
        cmd.args(["netns", "exec", &self.name])
            .arg(program)
            .kill_on_drop(true);
        cmd
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

/// `ochami serve` in a namespace, killed on drop; its log goes to a file.
pub(crate) struct Server {
    _child: tokio::process::Child,
    pub(crate) log: PathBuf,
}

impl Server {
    /// Start `ochami serve <args>` in `ns` and wait (up to 60 s) until it serves HTTP and
    /// its DHCP (and TFTP, when asked) sockets are bound.
    pub(crate) async fn start(ns: &Netns, args: &[String], log: &Path) -> Server {
        let file = std::fs::File::create(log).expect("server log");
        let child = ns
            .command(env!("CARGO_BIN_EXE_ochami"))
            .arg("serve")
            .args(args)
            .env("RUST_LOG", "info,ochami_server=debug")
            .env("NO_COLOR", "1")
            .env_remove("OCHAMI_STORE")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start ochami serve");
        let mut server = Server {
            _child: child,
            log: log.to_owned(),
        };
        for _ in 0..600 {
            let text = server.log_text();
            if text.contains("serving SMD") {
                return server;
            }
            if let Ok(Some(status)) = server._child.try_wait() {
                panic!("ochami serve exited with {status}:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "ochami serve did not start within 60 s:\n{}",
            server.log_text()
        );
    }

    /// The log so far.
    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// A node in a fresh SQLite store at `path`: component `xname` (Ready, `nid`), its
/// interface `mac` reserving `ip`, and `boot` parameters for that MAC when given.
pub(crate) async fn seed_store(
    path: &Path,
    xname: &str,
    nid: i64,
    mac: &str,
    ip: &str,
    boot: Option<(&str, &str, &str)>,
) -> String {
    use ochami_core::{BootParams, Component, EthernetInterface, State};
    let url = format!("sqlite://{}", path.display());
    let store = ochami_store::open(&url).await.expect("open store");
    let x = xname.parse().expect("xname");
    store
        .upsert_components(
            &[Component::new(x).with_state(State::Ready).with_nid(nid)],
            false,
        )
        .await
        .expect("component");
    store
        .insert_ethernet_interface(&EthernetInterface::new(
            mac.parse().expect("mac"),
            Some(x),
            [ip.to_owned()],
        ))
        .await
        .expect("interface");
    if let Some((kernel, initrd, params)) = boot {
        let params = BootParams {
            macs: vec![mac.to_owned()],
            kernel: kernel.to_owned(),
            initrd: initrd.to_owned(),
            params: params.to_owned(),
            ..BootParams::default()
        };
        store.add_boot_params(&params).await.expect("boot params");
    }
    url
}
