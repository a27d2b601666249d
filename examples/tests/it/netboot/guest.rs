//! The netbooting guest: Debian's cloud kernel (fetched once with `apt-get download` into
//! `target/netboot-cache`), an initrd built here from `busybox-static` and the kernel's
//! virtio-net modules, and QEMU booting from its NIC (its virtio-net option ROM is iPXE,
//! from `ipxe-qemu`) with the serial console in a file.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// The modules virtio-net needs in Debian's cloud kernel, in load order.
const MODULES: [&str; 8] = [
    "drivers/virtio/virtio_ring",
    "drivers/virtio/virtio",
    "drivers/virtio/virtio_pci_modern_dev",
    "drivers/virtio/virtio_pci_legacy_dev",
    "drivers/virtio/virtio_pci",
    "net/core/failover",
    "drivers/net/net_failover",
    "drivers/net/virtio_net",
];

/// The guest's `/init`: load the NIC driver, print the kernel command line, take a lease
/// with udhcpc, fetch meta-data and user-data from the `ds=nocloud-net` seed, power off.
/// Every line the test reads starts with `OCHAMI-`.
const INIT: &str = r#"#!/bin/busybox sh
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
  insmod /lib/modules/$m.ko || echo "OCHAMI-ERROR: insmod $m"
done
echo "OCHAMI-CMDLINE: $(cat /proc/cmdline)"
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 1; done
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -f -q -n -t 20 -T 3 -s /udhcpc.sh || echo "OCHAMI-ERROR: no lease"
seed=$(sed -n 's/.*ds=nocloud-net;s=\([^ ]*\).*/\1/p' /proc/cmdline)
echo "OCHAMI-SEED: $seed"
wget -q -O /meta-data "${seed}meta-data" || echo "OCHAMI-ERROR: meta-data"
wget -q -O /user-data "${seed}user-data" || echo "OCHAMI-ERROR: user-data"
echo >> /meta-data
echo >> /user-data
sed 's/^/OCHAMI-META: /' /meta-data
sed 's/^/OCHAMI-USER: /' /user-data
echo "OCHAMI-DONE"
poweroff -f
"#;

/// udhcpc's event script: configure the address and print the lease.
const UDHCPC_SCRIPT: &str = r#"#!/bin/sh
case "$1" in
bound|renew)
  ip addr add "$ip/$mask" dev "$interface"
  echo "OCHAMI-LEASE: ip=$ip mask=$mask hostname=$hostname server=$serverid"
  ;;
esac
"#;

/// Debian's cloud kernel, extracted under `target/netboot-cache`: the `vmlinuz` path and
/// the modules directory. `Err` says why it cannot be had (no apt, no network...).
pub(crate) fn kernel() -> Result<(PathBuf, PathBuf), String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let cache = target.join("netboot-cache");
    let extracted = cache.join("root");
    if let Some(found) = find_kernel(&extracted) {
        return Ok(found);
    }
    std::fs::create_dir_all(&cache).map_err(|e| format!("{}: {e}", cache.display()))?;
    // The meta-package depends on the versioned image package, which holds the files.
    let deps =
        run(std::process::Command::new("apt-cache").args(["depends", "linux-image-cloud-amd64"]))?;
    let package = deps
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Depends: "))
        .find(|p| p.starts_with("linux-image-"))
        .ok_or_else(|| format!("no kernel package in apt-cache's answer: {deps}"))?
        .to_owned();
    run(std::process::Command::new("apt-get")
        .args(["download", "-qq", &package])
        .current_dir(&cache))?;
    let deb = std::fs::read_dir(&cache)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&package) && n.ends_with(".deb"))
        })
        .ok_or("apt-get download left no .deb")?;
    run(std::process::Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(&extracted))?;
    find_kernel(&extracted).ok_or_else(|| format!("no vmlinuz in {}", deb.display()))
}

fn find_kernel(root: &Path) -> Option<(PathBuf, PathBuf)> {
    let vmlinuz = std::fs::read_dir(root.join("boot"))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("vmlinuz-"))
        })?;
    let version = vmlinuz.file_name()?.to_str()?.strip_prefix("vmlinuz-")?;
    let modules = root.join("lib/modules").join(version).join("kernel");
    modules.is_dir().then_some((vmlinuz, modules))
}

fn run(cmd: &mut std::process::Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A static busybox, or why there is none (`busybox-static` installs one at
/// `/bin/busybox`; the dynamic `busybox` package's cannot run in the initrd).
pub(crate) fn static_busybox() -> Result<Vec<u8>, String> {
    let bin = std::fs::read("/bin/busybox").map_err(|e| format!("/bin/busybox: {e}"))?;
    if has_interpreter(&bin) {
        return Err("/bin/busybox is dynamically linked (install busybox-static)".into());
    }
    Ok(bin)
}

/// Whether an ELF64 executable names a program interpreter (a `PT_INTERP` program
/// header): a dynamically linked one.
fn has_interpreter(elf: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    let u16_at = |o: usize| elf.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u64_at = |o: usize| {
        elf.get(o..o + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let (Some(phoff), Some(size), Some(count)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38)) else {
        return false;
    };
    let phoff = usize::try_from(phoff).unwrap_or(usize::MAX);
    (0..usize::from(count)).any(|i| {
        let at = phoff.saturating_add(i * usize::from(size));
        elf.get(at..at + 4)
            .is_some_and(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) == PT_INTERP)
    })
}

/// The initrd: a `newc` cpio archive with busybox, the virtio-net modules, `/init` and the
/// udhcpc script.
pub(crate) fn initrd(busybox: &[u8], modules: &Path) -> Vec<u8> {
    let mut cpio = Cpio::default();
    for dir in ["bin", "dev", "proc", "sys", "lib", "lib/modules"] {
        cpio.entry(dir, 0o040_755, &[]);
    }
    // The kernel opens /dev/console for init's output before devtmpfs is mounted.
    cpio.device("dev/console", 0o020_600, (5, 1));
    cpio.entry("bin/busybox", 0o100_755, busybox);
    cpio.entry("init", 0o100_755, INIT.as_bytes());
    cpio.entry("udhcpc.sh", 0o100_755, UDHCPC_SCRIPT.as_bytes());
    for m in MODULES {
        let path = modules.join(format!("{m}.ko"));
        let bytes =
            std::fs::read(&path).unwrap_or_else(|e| panic!("module {}: {e}", path.display()));
        let name = m.rsplit('/').next().unwrap_or(m);
        cpio.entry(&format!("lib/modules/{name}.ko"), 0o100_644, &bytes);
    }
    cpio.finish()
}

/// A `newc` (SVR4, no CRC) cpio archive, the format the kernel unpacks into its rootfs.
#[derive(Default)]
struct Cpio {
    out: Vec<u8>,
    ino: u32,
}

impl Cpio {
    fn entry(&mut self, name: &str, mode: u32, data: &[u8]) {
        self.header(name, mode, data.len(), (0, 0));
        self.out.extend_from_slice(data);
        self.pad();
    }

    fn device(&mut self, name: &str, mode: u32, dev: (u32, u32)) {
        self.header(name, mode, 0, dev);
    }

    fn header(&mut self, name: &str, mode: u32, size: usize, (major, minor): (u32, u32)) {
        self.ino += 1;
        let nlink = if mode & 0o040_000 != 0 { 2 } else { 1 };
        let size = u32::try_from(size).expect("file under 4 GiB");
        let namesize = u32::try_from(name.len() + 1).expect("short name");
        let fields = [
            self.ino, mode, 0, 0, nlink, 0, size, 0, 0, major, minor, namesize, 0,
        ];
        self.out.extend_from_slice(b"070701");
        for f in fields {
            self.out.extend_from_slice(format!("{f:08X}").as_bytes());
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(0);
        self.pad();
    }

    fn pad(&mut self) {
        while !self.out.len().is_multiple_of(4) {
            self.out.push(0);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, &[]);
        self.out
    }
}

/// A QEMU guest in a namespace, killed on drop; its serial console goes to a file.
pub(crate) struct Guest {
    child: tokio::process::Child,
    serial: PathBuf,
}

impl Guest {
    /// Boot from a virtio NIC with `mac` on tap `tap` of `ns`. TCG unless
    /// `OCHAMI_NETBOOT_ACCEL` names another accelerator (`kvm`).
    pub(crate) fn start(ns: &super::host::Netns, tap: &str, mac: &str, serial: &Path) -> Guest {
        let accel = std::env::var("OCHAMI_NETBOOT_ACCEL").unwrap_or_else(|_| "tcg".into());
        let child = ns
            .command("qemu-system-x86_64")
            .args(["-accel", &accel, "-m", "256", "-display", "none"])
            .args(["-monitor", "none", "-no-reboot"])
            .arg("-serial")
            .arg(format!("file:{}", serial.display()))
            .arg("-netdev")
            .arg(format!("tap,id=n0,ifname={tap},script=no,downscript=no"))
            .arg("-device")
            .arg(format!("virtio-net-pci,netdev=n0,mac={mac},bootindex=1"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start qemu-system-x86_64");
        Guest {
            child,
            serial: serial.to_owned(),
        }
    }

    /// The serial console so far.
    pub(crate) fn console(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.serial).unwrap_or_default()).into_owned()
    }

    /// Wait until the console shows `marker`: the console, or `Err` with it when the guest
    /// stopped or `limit` passed first.
    pub(crate) async fn wait_for(
        &mut self,
        marker: &str,
        limit: Duration,
    ) -> Result<String, String> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let console = self.console();
            if console.contains(marker) {
                return Ok(console);
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "QEMU exited ({status}) before {marker:?}:\n{console}"
                ));
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!("no {marker:?} within {limit:?}:\n{console}"));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
