//! The whole netboot chain against the real binary: a QEMU guest's iPXE ROM gets its
//! reserved address and the bootscript URL from ochami's DHCP, loads the kernel over
//! ochami's TFTP and the initrd from `/boot-files/`; the initrd takes its lease from
//! ochami's DHCP again and fetches cloud-init meta-data and user-data, where the node is
//! recognised by its address.

use std::time::Duration;

use super::guest::{Guest, initrd, kernel, static_busybox};
use super::host::{Netns, Server, missing_program, seed_store, skip};

const XNAME: &str = "x3000c0s1b0n0";
const NID: i64 = 42;
const MAC: &str = "52:54:00:99:00:50";
const NODE_IP: &str = "10.99.0.50";
const SERVER_IP: &str = "10.99.0.1";

/// How long the guest may take from power-on to its last line: TCG boots in about 40 s on
/// an idle 2-core machine; a loaded CI runner is slower.
const BOOT_LIMIT: Duration = Duration::from_secs(420);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qemu_guest_netboots_from_ochami() {
    if let Some(p) = missing_program(&["ip", "qemu-system-x86_64", "apt-get", "dpkg-deb"]) {
        skip(&format!("{p} is not installed"));
        return;
    }
    if !std::path::Path::new("/usr/lib/ipxe/qemu/efi-virtio.rom").exists() {
        skip("ipxe-qemu is not installed (no iPXE option ROM for virtio-net)");
        return;
    }
    let busybox = match static_busybox() {
        Ok(b) => b,
        Err(e) => {
            skip(&e);
            return;
        }
    };
    let (vmlinuz, modules) = match kernel() {
        Ok(k) => k,
        Err(e) => {
            skip(&format!("no Debian kernel: {e}"));
            return;
        }
    };
    let ns = match Netns::new("boot") {
        Ok(ns) => ns,
        Err(e) => {
            skip(&e);
            return;
        }
    };

    let dir = tempfile::tempdir().expect("temp dir");
    let files = dir.path().join("files");
    std::fs::create_dir(&files).expect("mkdir");
    std::fs::copy(&vmlinuz, files.join("vmlinuz")).expect("copy kernel");
    std::fs::write(files.join("initrd.cpio"), initrd(&busybox, &modules)).expect("initrd");
    let base = format!("http://{SERVER_IP}:27779");
    let store = seed_store(
        &dir.path().join("ochami.db"),
        XNAME,
        NID,
        MAC,
        NODE_IP,
        Some((
            &format!("tftp://{SERVER_IP}/vmlinuz"),
            &format!("{base}/boot-files/initrd.cpio"),
            "console=ttyS0 panic=-1",
        )),
    )
    .await;

    ns.ip(&["link", "add", "br0", "type", "bridge"]);
    ns.ip(&["addr", "add", &format!("{SERVER_IP}/24"), "dev", "br0"]);
    ns.ip(&["tuntap", "add", "dev", "tap0", "mode", "tap"]);
    ns.ip(&["link", "set", "tap0", "master", "br0"]);
    ns.ip(&["link", "set", "tap0", "up"]);
    ns.ip(&["link", "set", "br0", "up"]);

    let files_arg = files.display().to_string();
    let args: Vec<String> = [
        "--listen",
        &format!("{SERVER_IP}:27779"),
        "--insecure-no-auth",
        "--store",
        &store,
        "--base-url",
        &base,
        "--dhcp-interface",
        "br0",
        "--dhcp-server-ip",
        SERVER_IP,
        "--tftp-root",
        &files_arg,
        "--boot-files",
        &files_arg,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let server = Server::start(&ns, &args, &dir.path().join("server.log")).await;

    let mut guest = Guest::start(&ns, "tap0", MAC, &dir.path().join("serial.log"));
    let console = match guest.wait_for("OCHAMI-DONE", BOOT_LIMIT).await {
        Ok(c) => c,
        Err(e) => panic!("{e}\n--- server log:\n{}", server.log_text()),
    };
    let context = || {
        format!(
            "--- console:\n{console}\n--- server log:\n{}",
            server.log_text()
        )
    };
    let line = |prefix: &str| -> Vec<String> {
        console
            .lines()
            .filter_map(|l| l.trim_end_matches('\r').strip_prefix(prefix))
            .map(str::to_owned)
            .collect()
    };

    assert!(line("OCHAMI-ERROR: ").is_empty(), "{}", context());
    let cmdline = line("OCHAMI-CMDLINE: ").join("\n");
    for want in [
        format!("xname={XNAME}"),
        format!("nid={NID}"),
        "BOOTIF=01-52-54-00-99-00-50".to_owned(),
        format!("ds=nocloud-net;s={base}/cloud-init/"),
    ] {
        assert!(
            cmdline.split(' ').any(|w| w == want),
            "{want} not in the command line {cmdline:?}\n{}",
            context()
        );
    }
    assert_eq!(
        line("OCHAMI-LEASE: "),
        [format!(
            "ip={NODE_IP} mask=24 hostname={XNAME} server={SERVER_IP}"
        )],
        "{}",
        context()
    );
    let meta = line("OCHAMI-META: ");
    for want in [
        format!("local-hostname: {XNAME}"),
        format!("hostname: {XNAME}"),
        format!("    local_ipv4: \"{NODE_IP}\""),
    ] {
        assert!(
            meta.contains(&want),
            "{want:?} not in meta-data\n{}",
            context()
        );
    }
    assert_eq!(
        line("OCHAMI-USER: ").first().map(String::as_str),
        Some("#cloud-config")
    );

    // The server saw the whole chain: iPXE's DHCP, the TFTP kernel, the HTTP initrd.
    let log = server.log_text();
    for want in ["DHCP reply sent", "/boot/v1/bootscript", "/boot-files/"] {
        assert!(
            log.contains(want),
            "{want:?} not in the server log\n{}",
            context()
        );
    }
}
