//! A parsed bootscript request: `GET /boot/v1/bootscript?mac=|name=|nid=[&arch=][&retry=][&ts=][&json=]`.
//!
//! Everything that ends up in a script (the MAC, the xname, the NID, the retry count) is held
//! as a parsed type, so nothing from the query string is ever pasted into iPXE text.

use std::fmt;
use std::str::FromStr;

use ochami_core::{MacAddr, Xname};

use crate::{BootError, Result};

/// Which node a request names. BSS picks the first of `mac`, `name`, `nid` that is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BootTarget {
    /// `mac=`: any MAC notation, normalized.
    Mac(MacAddr),
    /// `name=`: an xname, normalized.
    Name(Xname),
    /// `nid=`: a non-negative NID.
    Nid(i64),
}

/// An iPXE build architecture (`${buildarch}`: `x86_64`, `arm64`, `i386`, `riscv64`...), as
/// sent back in `arch=` by the unknown-node script. Letters, digits, `_` and `-`, at most 32.
///
/// ```
/// use ochami_boot::BuildArch;
/// assert_eq!("x86_64".parse::<BuildArch>()?.as_str(), "x86_64");
/// assert!("x86 64".parse::<BuildArch>().is_err());
/// # Ok::<(), ochami_boot::BootError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BuildArch(String);

impl BuildArch {
    /// The architecture name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for BuildArch {
    type Err = BootError;

    fn from_str(s: &str) -> Result<Self> {
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(BuildArch(s.to_owned()))
        } else {
            Err(BootError::param(
                "arch",
                s,
                "an iPXE build architecture such as x86_64 or arm64",
            ))
        }
    }
}

impl fmt::Display for BuildArch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A bootscript request.
///
/// ```
/// use ochami_boot::{BootRequest, BootTarget};
/// let req = BootRequest::from_query([("mac", "AA-BB-CC-DD-EE-FF"), ("retry", "2"), ("arch", "x86_64")])?;
/// assert_eq!(req.target, BootTarget::Mac("aa:bb:cc:dd:ee:ff".parse()?));
/// assert_eq!(req.retry, 2);
/// assert_eq!(req.arch.as_ref().map(|a| a.as_str()), Some("x86_64"));
///
/// let err = BootRequest::from_query([("nid", "seven")]).unwrap_err();
/// assert_eq!(err.to_string(), r#"bad nid parameter "seven": a non-negative decimal NID"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootRequest {
    /// The node asked about.
    pub target: BootTarget,
    /// `arch=`: the iPXE build architecture, sent by the unknown-node script.
    pub arch: Option<BuildArch>,
    /// `retry=`: how many times the node has already retried; the chain line asks with one more.
    pub retry: u32,
    /// `ts=`: the Unix time the unknown-node script stamped into its chain URL.
    pub ts: Option<i64>,
    /// `json=` non-zero: answer with BSS's `BootData` JSON instead of a script.
    pub json: bool,
}

impl BootRequest {
    /// A request for the node with this MAC.
    pub fn mac(mac: MacAddr) -> Self {
        Self::new(BootTarget::Mac(mac))
    }

    /// A request for the node with this xname.
    pub fn name(xname: Xname) -> Self {
        Self::new(BootTarget::Name(xname))
    }

    /// A request for the node with this NID.
    pub fn nid(nid: i64) -> Self {
        Self::new(BootTarget::Nid(nid))
    }

    fn new(target: BootTarget) -> Self {
        BootRequest {
            target,
            arch: None,
            retry: 0,
            ts: None,
            json: false,
        }
    }

    /// Builder: set `arch`.
    pub fn with_arch(mut self, arch: BuildArch) -> Self {
        self.arch = Some(arch);
        self
    }

    /// Builder: set `retry`.
    pub fn with_retry(mut self, retry: u32) -> Self {
        self.retry = retry;
        self
    }

    /// Builder: set `ts`.
    pub fn with_ts(mut self, ts: i64) -> Self {
        self.ts = Some(ts);
        self
    }

    /// Parse the query pairs of `GET /boot/v1/bootscript` (already percent-decoded).
    ///
    /// `mac` takes any notation [`MacAddr`] accepts; `name` an xname; `nid`, `retry` and
    /// `ts` decimal integers (`nid` and `retry` non-negative); `json` an integer (non-zero
    /// means JSON) or `true`/`false`; `arch` a [`BuildArch`]. An empty value counts as
    /// absent (iPXE expands an unset `${...}` to nothing). Unknown parameters are ignored, as
    /// BSS does. Unlike BSS, a malformed or repeated value is an error naming the parameter
    /// instead of silently becoming a default or a concatenation.
    pub fn from_query<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<BootRequest>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut mac = None;
        let mut name = None;
        let mut nid = None;
        let mut arch = None;
        let mut retry = None;
        let mut ts = None;
        let mut json = None;
        for (k, v) in pairs {
            let v = v.as_ref().trim();
            if v.is_empty() {
                continue;
            }
            match k.as_ref() {
                "mac" => set_once(&mut mac, "mac", v, |v| {
                    v.parse::<MacAddr>()
                        .map_err(|e| BootError::param("mac", v, e.to_string()))
                })?,
                "name" => set_once(&mut name, "name", v, |v| {
                    v.parse::<Xname>()
                        .map_err(|e| BootError::param("name", v, e.to_string()))
                })?,
                "nid" => set_once(&mut nid, "nid", v, |v| {
                    decimal::<i64>(v)
                        .filter(|n| *n >= 0)
                        .ok_or_else(|| BootError::param("nid", v, "a non-negative decimal NID"))
                })?,
                "arch" => set_once(&mut arch, "arch", v, str::parse::<BuildArch>)?,
                "retry" => set_once(&mut retry, "retry", v, |v| {
                    decimal::<u32>(v)
                        .ok_or_else(|| BootError::param("retry", v, "a non-negative decimal count"))
                })?,
                "ts" => set_once(&mut ts, "ts", v, |v| {
                    decimal::<i64>(v).ok_or_else(|| BootError::param("ts", v, "Unix seconds"))
                })?,
                "json" => set_once(&mut json, "json", v, |v| match v {
                    "true" => Ok(true),
                    "false" => Ok(false),
                    _ => decimal::<i64>(v)
                        .map(|n| n != 0)
                        .ok_or_else(|| BootError::param("json", v, "an integer or true/false")),
                })?,
                _ => {}
            }
        }
        let target = match (mac, name, nid) {
            (Some(m), _, _) => BootTarget::Mac(m),
            (None, Some(x), _) => BootTarget::Name(x),
            (None, None, Some(n)) => BootTarget::Nid(n),
            (None, None, None) => return Err(BootError::MissingTarget),
        };
        Ok(BootRequest {
            target,
            arch,
            retry: retry.unwrap_or(0),
            ts,
            json: json.unwrap_or(false),
        })
    }
}

fn set_once<T>(
    slot: &mut Option<T>,
    param: &'static str,
    value: &str,
    parse: impl FnOnce(&str) -> Result<T>,
) -> Result<()> {
    if slot.is_some() {
        return Err(BootError::param(param, value, "given more than once"));
    }
    *slot = Some(parse(value)?);
    Ok(())
}

/// A plain decimal integer: optional `-`, digits only (no `+`, no base prefixes).
fn decimal<T: FromStr>(s: &str) -> Option<T> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_mac_then_name_then_nid() {
        let r = BootRequest::from_query([
            ("nid", "3"),
            ("name", "x1c0s0b0n0"),
            ("mac", "aabbccddeeff"),
        ])
        .unwrap();
        assert_eq!(
            r.target,
            BootTarget::Mac("aa:bb:cc:dd:ee:ff".parse().unwrap())
        );
        let r = BootRequest::from_query([("nid", "3"), ("name", "X1C0S0B0N0")]).unwrap();
        assert_eq!(r.target, BootTarget::Name("x1c0s0b0n0".parse().unwrap()));
        let r = BootRequest::from_query([("nid", "3"), ("mac", "")]).unwrap();
        assert_eq!(r.target, BootTarget::Nid(3));
    }

    #[test]
    fn errors_name_the_parameter() {
        let cases: [(&[(&str, &str)], &str); 9] = [
            (&[("mac", "aa:bb")], "mac"),
            (&[("mac", "aa:bb:cc:dd:ee:ff\nx")], "mac"),
            (&[("name", "node1")], "name"),
            (&[("nid", "-1")], "nid"),
            (&[("nid", "0x10")], "nid"),
            (&[("nid", "1"), ("retry", "many")], "retry"),
            (&[("nid", "1"), ("arch", "${buildarch}")], "arch"),
            (&[("nid", "1"), ("json", "yes")], "json"),
            (&[("nid", "1"), ("nid", "2")], "nid"),
        ];
        for (q, param) in cases {
            match BootRequest::from_query(q.iter().copied()) {
                Err(BootError::InvalidParam { param: p, .. }) => assert_eq!(p, param, "{q:?}"),
                other => panic!("{q:?}: {other:?}"),
            }
        }
        assert!(matches!(
            BootRequest::from_query([("arch", "x86_64")]),
            Err(BootError::MissingTarget)
        ));
        assert!(matches!(
            BootRequest::from_query(Vec::<(String, String)>::new()),
            Err(BootError::MissingTarget)
        ));
    }

    #[test]
    fn optional_values() {
        let r = BootRequest::from_query([
            ("nid", "7"),
            ("retry", "4"),
            ("ts", "1700000000"),
            ("json", "1"),
            ("x", "y"),
        ])
        .unwrap();
        assert_eq!(
            (r.retry, r.ts, r.json, r.arch),
            (4, Some(1_700_000_000), true, None)
        );
        let r = BootRequest::from_query([("nid", "7"), ("json", "0")]).unwrap();
        assert!(!r.json);
    }
}
