//! How the server is reached and how long nodes wait: the settings BSS reads from
//! `BSS_CHAIN_PROTO`/`BSS_IPXE_SERVER`/`BSS_GW_URI`, `BSS_RETRY_DELAY`,
//! `BSS_HSM_RETRIEVAL_DELAY` and `BSS_ADVERTISE_ADDRESS`, and cloud-init's `BASE_URL`.

use crate::{BootError, Result};

/// Settings for rendering bootscripts and cloud-init documents.
///
/// ```
/// use ochami_boot::BootOptions;
/// let opts = BootOptions::for_server("http://10.0.0.1:27778/");
/// assert_eq!(opts.chain_url, "http://10.0.0.1:27778/boot/v1/bootscript");
/// assert_eq!(opts.cloud_init_url.as_deref(), Some("http://10.0.0.1:27778/cloud-init"));
/// assert_eq!((opts.retry_delay_secs, opts.unknown_delay_secs), (30, 10));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootOptions {
    /// The bootscript URL as nodes reach it, without a query; chain lines append
    /// `?mac=...`. BSS builds it as `<BSS_CHAIN_PROTO>://<BSS_IPXE_SERVER><BSS_GW_URI>` plus the
    /// request path.
    pub chain_url: String,
    /// The cloud-init server as nodes reach it (no trailing `/` needed). When set, kernel
    /// parameters get `ds=nocloud-net;s=<url>/` unless they already carry a `ds=`, and it is
    /// the default base of vendor-data includes. BSS's `BSS_ADVERTISE_ADDRESS`.
    pub cloud_init_url: Option<String>,
    /// Seconds a node sleeps after a failed boot before chaining back (`BSS_RETRY_DELAY`).
    pub retry_delay_secs: u32,
    /// Seconds an unknown node sleeps before asking again (`BSS_HSM_RETRIEVAL_DELAY`).
    pub unknown_delay_secs: u32,
}

impl Default for BootOptions {
    /// BSS's defaults: `https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript`, retry
    /// delay 30 s, unknown-node delay 10 s, and no cloud-init URL.
    fn default() -> Self {
        BootOptions {
            chain_url: "https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript".to_owned(),
            cloud_init_url: None,
            retry_delay_secs: 30,
            unknown_delay_secs: 10,
        }
    }
}

impl BootOptions {
    /// Options for one server that serves both `/boot/v1` and `/cloud-init` at `base_url`
    /// (as nodes reach it, e.g. `http://10.0.0.1:27778`), with BSS's default delays.
    pub fn for_server(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/');
        BootOptions {
            chain_url: format!("{base}/boot/v1/bootscript"),
            cloud_init_url: Some(format!("{base}/cloud-init")),
            ..BootOptions::default()
        }
    }

    /// Check that the URLs can be written into a script line: no whitespace, no control
    /// characters, no iPXE operators, no `?` in `chain_url` (the chain line adds the query),
    /// and not starting with `#`. Rendering checks this too; call it at startup to fail early.
    pub fn validate(&self) -> Result<()> {
        check_url("chain_url", &self.chain_url)?;
        if self.chain_url.contains('?') {
            return Err(unsafe_option(
                "chain_url",
                &self.chain_url,
                "the chain line adds the query; give a URL without ?",
            ));
        }
        if let Some(u) = &self.cloud_init_url {
            check_url("cloud_init_url", u)?;
        }
        Ok(())
    }
}

/// A URL from the configuration or from cloud-init data that is written into a script or a
/// document line.
pub(crate) fn check_url(option: &'static str, url: &str) -> Result<()> {
    if url.is_empty() {
        return Err(unsafe_option(option, url, "empty"));
    }
    // Checked on every render: the one-pass check of a stored kernel URL clears the usual
    // case; the checks below only name the problem.
    if ochami_core::BootParams::check_script_parts(url, "", "").is_ok() {
        return Ok(());
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(unsafe_option(
            option,
            url,
            "contains whitespace or control characters",
        ));
    }
    Err(unsafe_option(
        option,
        url,
        "contains iPXE operators (|| or &&), starts with # or is a lone ;",
    ))
}

fn unsafe_option(option: &'static str, value: &str, reason: &'static str) -> BootError {
    BootError::UnsafeOption {
        option,
        value: value.to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_refuses_what_would_break_a_line() {
        BootOptions::default().validate().unwrap();
        BootOptions::for_server("http://h:1").validate().unwrap();
        for bad in [
            "http://h/x\nshell",
            "http://h/ x",
            "",
            "http://h/a||b",
            "#http://h",
        ] {
            let o = BootOptions {
                chain_url: bad.to_owned(),
                ..BootOptions::default()
            };
            assert!(
                matches!(
                    o.validate(),
                    Err(BootError::UnsafeOption {
                        option: "chain_url",
                        ..
                    })
                ),
                "{bad:?}"
            );
            let o = BootOptions {
                cloud_init_url: Some(bad.to_owned()),
                ..BootOptions::default()
            };
            assert!(
                matches!(
                    o.validate(),
                    Err(BootError::UnsafeOption {
                        option: "cloud_init_url",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
        let o = BootOptions {
            chain_url: "http://h/b?x=1".into(),
            ..BootOptions::default()
        };
        assert!(o.validate().is_err());
    }
}
