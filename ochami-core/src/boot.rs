//! BSS boot parameters (`/boot/v1/bootparameters`).

use serde::{Deserialize, Serialize};

use crate::{Error, HmsType, MacAddr, Xname};

/// The `phone-home` part of BSS's cloud-init record. All keys are always written, as Go does.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PhoneHome {
    /// DSA public key.
    #[serde(default)]
    pub pub_key_dsa: String,
    /// RSA public key.
    #[serde(default)]
    pub pub_key_rsa: String,
    /// ECDSA public key.
    #[serde(default)]
    pub pub_key_ecdsa: String,
    /// Ed25519 public key.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pub_key_ed25519: String,
    /// Instance id.
    #[serde(default)]
    pub instance_id: String,
    /// Host name.
    #[serde(default)]
    pub hostname: String,
    /// FQDN.
    #[serde(default)]
    pub fqdn: String,
}

/// BSS's `cloud-init` object, always present in a BootParams.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CloudInit {
    /// Meta-data (`null` when unset).
    #[serde(rename = "meta-data", default)]
    pub meta_data: Option<serde_json::Value>,
    /// User-data (`null` when unset).
    #[serde(rename = "user-data", default)]
    pub user_data: Option<serde_json::Value>,
    /// Phone-home data.
    #[serde(rename = "phone-home", default)]
    pub phone_home: PhoneHome,
}

/// Boot parameters for a set of nodes, named by xname (`hosts`), MAC or NID, or by a tag in
/// `hosts`: `Default`, `Global`, a role name such as `Compute`, or `Unknown-<arch>`.
///
/// ```
/// use ochami_core::BootParams;
/// let mut bp: BootParams = serde_json::from_str(
///     r#"{"macs":["AA-BB-CC-DD-EE-FF"],"kernel":"http://s3/kernel","params":"console=ttyS0"}"#)?;
/// bp.normalize()?;
/// assert_eq!(bp.macs, ["aa:bb:cc:dd:ee:ff"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BootParams {
    /// Node xnames or tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// MAC addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub macs: Vec<String>,
    /// NIDs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nids: Vec<i32>,
    /// Kernel command line.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub params: String,
    /// Kernel URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kernel: String,
    /// Initrd URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub initrd: String,
    /// Cloud-init data.
    #[serde(rename = "cloud-init", default)]
    pub cloud_init: CloudInit,
}

/// A `hosts` entry: a node xname, or a tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BootHost {
    /// A `Node` (or `VirtualNode`) xname.
    Node(Xname),
    /// `Default`, `Global`, a role, or `Unknown-<arch>`.
    Tag(String),
}

impl BootParams {
    /// Check and normalize names: MACs to lowercase colon form, node xnames normalized, tags
    /// kept (they must be non-empty printable words), NIDs non-negative. Kernel, initrd and
    /// params are checked for characters that would break an iPXE script (see
    /// [`BootParams::check_script_safe`]). At least one name is required.
    pub fn normalize(&mut self) -> Result<(), Error> {
        for m in &mut self.macs {
            *m = m.parse::<MacAddr>()?.to_string();
        }
        for h in &mut self.hosts {
            *h = match Self::parse_host(h)? {
                BootHost::Node(x) => x.to_string(),
                BootHost::Tag(t) => t,
            };
        }
        if let Some(n) = self.nids.iter().find(|n| **n < 0) {
            return Err(Error::invalid("nids", n.to_string(), "a non-negative NID"));
        }
        if self.hosts.is_empty() && self.macs.is_empty() && self.nids.is_empty() {
            return Err(Error::MissingField {
                field: "hosts, macs or nids",
            });
        }
        self.check_script_safe()
    }

    /// Classify a `hosts` entry. Something that looks like an xname must be a valid node
    /// xname; anything else is a tag.
    pub fn parse_host(h: &str) -> Result<BootHost, Error> {
        let t = h.trim();
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_graphic()) {
            return Err(Error::invalid(
                "hosts",
                h,
                "a node xname or a tag such as Default",
            ));
        }
        match t.parse::<Xname>() {
            Ok(x) if matches!(x.hms_type(), HmsType::Node | HmsType::VirtualNode) => {
                Ok(BootHost::Node(x))
            }
            Ok(x) => Err(Error::invalid(
                "hosts",
                h,
                format!("a Node xname, not a {}", x.hms_type()),
            )),
            Err(_) => Ok(BootHost::Tag(t.to_owned())),
        }
    }

    /// Refuse kernel, initrd and params that could inject lines or commands into an iPXE
    /// script: control characters (newlines included) and line separators anywhere,
    /// whitespace in the kernel and initrd URLs, whitespace other than plain spaces in params,
    /// the iPXE operators `||` and `&&`, and the tokens iPXE reads as a command separator
    /// (a lone `;`) or the start of a comment (a token beginning with `#`).
    pub fn check_script_safe(&self) -> Result<(), Error> {
        Self::check_script_parts(&self.kernel, &self.initrd, &self.params)
    }

    /// [`BootParams::check_script_safe`] for values held elsewhere, e.g. a stored config
    /// checked again just before it is rendered. The error names the offending field.
    pub fn check_script_parts(kernel: &str, initrd: &str, params: &str) -> Result<(), Error> {
        check_script_field("kernel", kernel, false)?;
        check_script_field("initrd", initrd, false)?;
        check_script_field("params", params, true)
    }
}

/// Check one field that will be written into an iPXE script line.
pub(crate) fn check_script_field(
    field: &'static str,
    value: &str,
    spaces_ok: bool,
) -> Result<(), Error> {
    // Bootscripts check every stored value again on each render: one byte pass clears the
    // common case; the passes below only run for non-ASCII text or to name a problem.
    if script_safe_ascii(value, spaces_ok) {
        return Ok(());
    }
    check_script_chars(field, value, spaces_ok)
}

/// [`check_script_field`] for any text, naming the first problem found.
fn check_script_chars(field: &'static str, value: &str, spaces_ok: bool) -> Result<(), Error> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(Error::invalid(
            field,
            value,
            format!("no control characters (found {:?})", c),
        ));
    }
    if !spaces_ok && value.chars().any(char::is_whitespace) {
        return Err(Error::invalid(field, value, "a URL without whitespace"));
    }
    // U+2028 and friends are not control characters but do end lines for many readers.
    if let Some(c) = value.chars().find(|c| c.is_whitespace() && *c != ' ') {
        return Err(Error::invalid(
            field,
            value,
            format!("no whitespace other than spaces (found {:?})", c),
        ));
    }
    if value.contains("||") || value.contains("&&") {
        return Err(Error::invalid(field, value, "no iPXE operators (|| or &&)"));
    }
    // iPXE ends a command at a lone `;` token and ignores the rest of a line from a token
    // starting with `#`: either would run text as a command or drop `|| goto boot_retry`.
    if value.split(' ').any(|t| t == ";" || t.starts_with('#')) {
        return Err(Error::invalid(
            field,
            value,
            "no iPXE command separator (a lone ;) or comment (a token starting with #)",
        ));
    }
    Ok(())
}

const NEVER: u8 = 1;
const CONTEXT: u8 = 2;
const SPACE: u8 = 4;

/// Byte classes for [`script_safe_ascii`]: printable ASCII is fine, `#`, `;`, `|` and `&`
/// depend on their neighbours, a space depends on the field, anything else is never fine.
const BYTE_CLASS: [u8; 256] = {
    let mut t = [NEVER; 256];
    let mut b = 0x21;
    while b <= 0x7e {
        t[b] = 0;
        b += 1;
    }
    t[b' ' as usize] = SPACE;
    t[b'#' as usize] = CONTEXT;
    t[b';' as usize] = CONTEXT;
    t[b'|' as usize] = CONTEXT;
    t[b'&' as usize] = CONTEXT;
    t
};

/// Whether `value` is printable ASCII (spaces only when `spaces_ok`) free of `||`, `&&`, lone
/// `;` tokens and tokens starting with `#`: exactly the ASCII inputs [`check_script_field`]
/// accepts.
fn script_safe_ascii(value: &str, spaces_ok: bool) -> bool {
    let bytes = value.as_bytes();
    let class = bytes
        .iter()
        .fold(0u8, |acc, &b| acc | BYTE_CLASS[usize::from(b)]);
    if class & NEVER != 0 || (class & SPACE != 0 && !spaces_ok) {
        return false;
    }
    if class & CONTEXT == 0 {
        return true;
    }
    let mut prev = b' ';
    for (i, &b) in bytes.iter().enumerate() {
        let ok = match b {
            b'#' => prev != b' ',
            b';' => prev != b' ' || bytes.get(i + 1).is_some_and(|n| *n != b' '),
            b'|' | b'&' => prev != b,
            _ => true,
        };
        if !ok {
            return false;
        }
        prev = b;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_bootparams_wire_form() {
        let bp = BootParams::default();
        assert_eq!(
            serde_json::to_string(&bp).unwrap(),
            r#"{"cloud-init":{"meta-data":null,"user-data":null,"phone-home":{"pub_key_dsa":"","pub_key_rsa":"","pub_key_ecdsa":"","instance_id":"","hostname":"","fqdn":""}}}"#
        );
    }

    #[test]
    fn hosts_tags_and_injection() {
        assert_eq!(
            BootParams::parse_host("X1C0S0B0N0").unwrap(),
            BootHost::Node("x1c0s0b0n0".parse().unwrap())
        );
        assert_eq!(
            BootParams::parse_host("Default").unwrap(),
            BootHost::Tag("Default".into())
        );
        assert!(BootParams::parse_host("x1c0s0b0").is_err());
        let bp = BootParams {
            hosts: vec!["Default".into()],
            kernel: "http://k\nshell".into(),
            ..Default::default()
        };
        let e = bp.clone().normalize().unwrap_err().to_string();
        assert!(e.contains("kernel"), "{e}");
        let bp = BootParams {
            params: "a=b || shell".into(),
            kernel: "http://k".into(),
            ..bp
        };
        assert!(
            bp.clone()
                .normalize()
                .unwrap_err()
                .to_string()
                .contains("params")
        );
        let mut ok = BootParams {
            params: "console=ttyS0,115200 ip=dhcp ds=nocloud-net;s=http://ci/".into(),
            kernel: "http://k".into(),
            ..bp
        };
        ok.normalize().unwrap();
        // The one-pass ASCII check accepts exactly what the full check accepts.
        let alphabet = [' ', '#', ';', '|', '&', 'a', '=', '\t'];
        let mut inputs = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = inputs
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            inputs.extend(longer);
        }
        for v in &inputs {
            for spaces_ok in [false, true] {
                let full = check_script_chars("params", v, spaces_ok).is_ok();
                assert_eq!(
                    script_safe_ascii(v, spaces_ok),
                    full,
                    "{v:?} spaces_ok={spaces_ok}"
                );
            }
        }
        for (params, field) in [
            ("quiet ; shell", "params"),
            ("quiet #x", "params"),
            ("a\u{2028}b", "params"),
            ("a\u{a0}b", "params"),
        ] {
            let e = BootParams::check_script_parts("http://k", "", params)
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with(&format!("invalid {field}")),
                "{params:?}: {e}"
            );
        }
        for kernel in [";", "#http://k"] {
            let e = BootParams::check_script_parts(kernel, "", "")
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("invalid kernel"), "{kernel:?}: {e}");
        }
        let e = BootParams::check_script_parts("http://k", "http://i\r", "")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid initrd"), "{e}");
    }
}
