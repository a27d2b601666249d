//! Kernel command-line assembly (BSS's `buildParams`), with upstream's bugs fixed.
//!
//! In order:
//! 1. `initrd=initrd` first when the config has an initrd, and then every token of the stored
//!    params *named* `initrd` (`initrd=...`) is dropped, since iPXE's `--name initrd` image
//!    replaces it. (BSS cuts from the first substring `initrd` anywhere, even inside a URL,
//!    to the next space.)
//! 2. the stored params, as written (outer spaces trimmed).
//! 3. `xname=<xname>`, `nid=<nid>` for a known node; `BOOTIF=01-<mac with dashes>` when the
//!    request came by MAC; `ds=nocloud-net;s=<cloud-init url>/` when a cloud-init URL is
//!    configured. Each only when no stored parameter has **exactly** that name: `nidx=1`
//!    does not suppress `nid=` (BSS tests prefixes, so it would). An admin's own `ds=` is how
//!    recipes point nodes at a separate cloud-init server, and it wins.
//!
//! Tokens are separated by single spaces, so there is no double space when the stored params
//! are empty. BSS's `bss_referral_token=`, SPIRE join tokens and `s3://` URL signing are
//! not implemented: no store keeps referral tokens, and `${SPIRE_JOIN_TOKEN}` is left for
//! iPXE to expand (to nothing).

use std::fmt::{self, Write};

use ochami_core::{MacAddr, Xname};

/// One node's kernel parameters, written on demand (no allocation until displayed).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KernelParams<'a> {
    stored: &'a str,
    initrd: bool,
    xname: Option<Xname>,
    nid: Option<i64>,
    bootif: Option<MacAddr>,
    datasource: Option<&'a str>,
}

/// Which injected names the stored params already carry.
#[derive(Default)]
struct Present {
    xname: bool,
    nid: bool,
    bootif: bool,
    ds: bool,
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
        for name in tokens(stored).filter_map(param_name) {
            match name {
                "xname" => present.xname = true,
                "nid" => present.nid = true,
                "BOOTIF" => present.bootif = true,
                "ds" => present.ds = true,
                _ => {}
            }
        }
        KernelParams {
            stored,
            initrd,
            xname: xname.filter(|_| !present.xname),
            nid: nid.filter(|_| !present.nid),
            bootif: bootif.filter(|_| !present.bootif),
            datasource: datasource.filter(|_| !present.ds),
        }
    }

    /// Whether nothing at all would be written.
    pub(crate) fn is_empty(&self) -> bool {
        !self.initrd
            && self.xname.is_none()
            && self.nid.is_none()
            && self.bootif.is_none()
            && self.datasource.is_none()
            && self.stored_kept().next().is_none()
    }

    /// The stored tokens that are written (all but `initrd=` ones when an initrd is loaded).
    fn stored_kept(&self) -> impl Iterator<Item = &'a str> + 'a {
        let drop_initrd = self.initrd;
        tokens(self.stored).filter(move |t| !(drop_initrd && param_name(t) == Some("initrd")))
    }
}

impl fmt::Display for KernelParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = Sep(false);
        if self.initrd {
            sep.put(f)?;
            f.write_str("initrd=initrd")?;
        }
        if self.initrd {
            for t in self.stored_kept() {
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
            let o = m.octets();
            write!(
                f,
                "BOOTIF=01-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}-{:02x}",
                o[0], o[1], o[2], o[3], o[4], o[5]
            )?;
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

/// Space-separated tokens; the script-safety check has already refused every other kind of
/// whitespace.
fn tokens(s: &str) -> impl Iterator<Item = &str> {
    s.split(' ').filter(|t| !t.is_empty())
}

/// `name` of a `name=value` token; bare flags (`quiet`) have none.
fn param_name(token: &str) -> Option<&str> {
    token.split_once('=').map(|(name, _)| name)
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
