//! Netbooting for real: `ochami serve` (the binary) inside a throwaway network namespace,
//! with DHCP, TFTP and boot files on a bridge, and real clients on the other side: busybox's
//! `udhcpc` over a veth pair ([`dhcp`]) and a QEMU guest booting from its NIC ([`boot`]).
//!
//! They need root (network namespaces, taps), iproute2, `qemu-system-x86`, `ipxe-qemu`,
//! `busybox-static` and apt (the guest kernel is Debian's, fetched with `apt-get download`
//! into `target/netboot-cache`). Without them the tests print a notice and pass; under
//! `CI=true` they fail (`.ci/run` installs the packages).

mod boot;
mod dhcp;
mod guest;
mod host;
