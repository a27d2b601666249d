//! Kernel command-line assembly (BSS's `buildParams`), with upstream's bugs fixed.
//!
//! In order:
//! 1. `initrd=initrd` first when the config has an initrd, and then every token of the stored
//!    params *named* `initrd` (`initrd=...`) is dropped, since iPXE's `--name initrd` image
//!    replaces it. (BSS cuts from the first substring `initrd` anywhere, even inside a URL,
//!    to the next space.)
//! 2. the stored params, as written (outer spaces trimmed; when `initrd=` tokens are dropped
//!    the rest are joined by single spaces).
//! 3. `xname=<xname>`, `nid=<nid>` for a known node; `BOOTIF=01-<mac with dashes>` when the
//!    request came by MAC; `ds=nocloud-net;s=<cloud-init url>/` when a cloud-init URL is
//!    configured. Each only when no stored parameter has **exactly** that name: `nidx=1`
//!    does not suppress `nid=` (BSS tests prefixes, so it would). An admin's own `ds=` is how
//!    recipes point nodes at a separate cloud-init server, and it wins.
//!
//! Injected parameters are separated by single spaces, so there is no double space when the
//! stored params are empty. BSS's `bss_referral_token=`, SPIRE join tokens and `s3://` URL signing are
//! not implemented: no store keeps referral tokens, and `${SPIRE_JOIN_TOKEN}` is left for
//! iPXE to expand (to nothing).

use std::fmt::{self, Write};

use ochami_core::{MacAddr, Xname};

/// One node's kernel parameters, written on demand (no allocation until displayed).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KernelParams<'a> {
    stored: &'a str,
    initrd: bool,
    /// Whether `stored` has `initrd=` tokens that must go (only with an initrd).
    drop_initrd_tokens: bool,
    xname: Option<Xname>,
    nid: Option<i64>,
    bootif: Option<MacAddr>,
    datasource: Option<&'a str>,
}

/// Which names the stored params already carry.
#[derive(Default)]
struct Present {
    xname: bool,
    nid: bool,
    bootif: bool,
    ds: bool,
    initrd: bool,
}

impl<'a> KernelParams<'a> {
    /// `stored` must already have passed the script-safety check.
    pub(crate) fn new(
        stored: &'a str,
        initrd: bool,
        xname: Option<Xname>,
        nid: Option<i64>,
        bootif: Option<MacAddr>,
        datasource: Option<&'a str>,
    ) -> Self {
        let stored = stored.trim_matches(' ');
        let mut present = Present::default();
        for_each_param_name(stored, |name| match name {
            "xname" => present.xname = true,
            "nid" => present.nid = true,
            "BOOTIF" => present.bootif = true,
            "ds" => present.ds = true,
            "initrd" => present.initrd = true,
            _ => {}
        });
        KernelParams {
            stored,
            initrd,
            drop_initrd_tokens: initrd && present.initrd,
            xname: xname.filter(|_| !present.xname),
            nid: nid.filter(|_| !present.nid),
            bootif: bootif.filter(|_| !present.bootif),
            datasource: datasource.filter(|_| !present.ds),
        }
    }

    /// Whether nothing at all would be written.
    pub(crate) fn is_empty(&self) -> bool {
        !self.initrd
            && self.stored.is_empty()
            && self.xname.is_none()
            && self.nid.is_none()
            && self.bootif.is_none()
            && self.datasource.is_none()
    }
}

impl fmt::Display for KernelParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = Sep(false);
        if self.initrd {
            sep.put(f)?;
            f.write_str("initrd=initrd")?;
        }
        if self.drop_initrd_tokens {
            let kept = self
                .stored
                .split(' ')
                .filter(|t| !t.is_empty() && !t.starts_with("initrd="));
            for t in kept {
                sep.put(f)?;
                f.write_str(t)?;
            }
        } else if !self.stored.is_empty() {
            // Nothing to drop: keep the admin's text exactly, spacing included.
            sep.put(f)?;
            f.write_str(self.stored)?;
        }
        if let Some(x) = self.xname {
            sep.put(f)?;
            write!(f, "xname={x}")?;
        }
        if let Some(n) = self.nid {
            sep.put(f)?;
            write!(f, "nid={n}")?;
        }
        if let Some(m) = self.bootif {
            sep.put(f)?;
            f.write_str("BOOTIF=01-")?;
            write_mac(f, m, b'-')?;
        }
        if let Some(url) = self.datasource {
            sep.put(f)?;
            f.write_str("ds=nocloud-net;s=")?;
            f.write_str(url)?;
            if !url.ends_with('/') {
                f.write_char('/')?;
            }
        }
        Ok(())
    }
}

/// Write a MAC as six lowercase hex pairs joined by `sep` (`:` or `-`). The same text as
/// [`MacAddr`]'s `Display`, without the formatting machinery (this runs on every boot).
pub(crate) fn write_mac(f: &mut impl Write, mac: MacAddr, sep: u8) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [sep; 17];
    for (i, o) in mac.octets().into_iter().enumerate() {
        buf[3 * i] = HEX[usize::from(o >> 4)];
        buf[3 * i + 1] = HEX[usize::from(o & 0xf)];
    }
    f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
}

/// Writes a space before every item but the first.
struct Sep(bool);

impl Sep {
    fn put(&mut self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if std::mem::replace(&mut self.0, true) {
            f.write_char(' ')
        } else {
            Ok(())
        }
    }
}

/// Call `f` with the name of every `name=value` token (tokens are separated by spaces; the
/// script-safety check has refused every other kind of whitespace). Bare flags (`quiet`) have
/// no name. One pass over the bytes: this runs on every boot.
fn for_each_param_name<'a>(s: &'a str, mut f: impl FnMut(&'a str)) {
    let mut start = 0;
    let mut in_name = true;
    for (i, b) in s.bytes().enumerate() {
        if b == b' ' {
            start = i + 1;
            in_name = true;
        } else if b == b'=' && in_name {
            // Both ends sit next to ASCII bytes, so they are char boundaries.
            if let Some(name) = s.get(start..i) {
                f(name);
            }
            in_name = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x() -> Option<Xname> {
        "x1000c0s0b0n0".parse().ok()
    }

    fn mac() -> Option<MacAddr> {
        "aa:bb:cc:dd:ee:ff".parse().ok()
    }

    #[test]
    fn mac_text_matches_display() {
        for m in ["aa:bb:cc:dd:ee:ff", "00:01:0a:f0:10:9c"] {
            let mac: MacAddr = m.parse().unwrap();
            let mut colon = String::new();
            write_mac(&mut colon, mac, b':').unwrap();
            assert_eq!(colon, mac.to_string());
            let mut dashed = String::new();
            write_mac(&mut dashed, mac, b'-').unwrap();
            assert_eq!(dashed, mac.to_dashed());
        }
    }

    #[test]
    fn bss_order() {
        let p = KernelParams::new(
            "console=ttyS0 ip=dhcp",
            true,
            x(),
            Some(1),
            mac(),
            Some("http://10.0.0.1:8081"),
        );
        assert_eq!(
            p.to_string(),
            "initrd=initrd console=ttyS0 ip=dhcp xname=x1000c0s0b0n0 nid=1 BOOTIF=01-aa-bb-cc-dd-ee-ff ds=nocloud-net;s=http://10.0.0.1:8081/"
        );
    }

    #[test]
    fn exact_names_only() {
        let p = KernelParams::new(
            "nidx=1 xnamex=2 ds-extra=3 BOOTIFY=4",
            false,
            x(),
            Some(7),
            mac(),
            Some("http://c/"),
        );
        assert_eq!(
            p.to_string(),
            "nidx=1 xnamex=2 ds-extra=3 BOOTIFY=4 xname=x1000c0s0b0n0 nid=7 BOOTIF=01-aa-bb-cc-dd-ee-ff ds=nocloud-net;s=http://c/"
        );
        let p = KernelParams::new(
            "nid=9 ds=nocloud-net;s=http://ci:8081/cloud-init",
            false,
            x(),
            Some(7),
            None,
            Some("http://c"),
        );
        assert_eq!(
            p.to_string(),
            "nid=9 ds=nocloud-net;s=http://ci:8081/cloud-init xname=x1000c0s0b0n0"
        );
    }

    #[test]
    fn initrd_tokens_are_replaced_and_spacing_is_single() {
        let p = KernelParams::new(
            "  root=live:http://s/initrd.img initrd=old quiet ",
            true,
            None,
            None,
            None,
            None,
        );
        assert_eq!(
            p.to_string(),
            "initrd=initrd root=live:http://s/initrd.img quiet"
        );
        let p = KernelParams::new("", true, x(), None, None, None);
        assert_eq!(p.to_string(), "initrd=initrd xname=x1000c0s0b0n0");
        let p = KernelParams::new("initrd=mine", false, None, None, None, None);
        assert_eq!(p.to_string(), "initrd=mine");
        assert!(KernelParams::new(" ", false, None, None, None, None).is_empty());
        assert!(!KernelParams::new("initrd=x", true, None, None, None, None).is_empty());
    }
}
