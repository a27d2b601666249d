//! iPXE bootscripts and BSS's `json=1` `BootData`, rendered from a [`Resolution`].
//!
//! Rendering is a pure function of the resolution, the request and the options. Its text is
//! BSS's, line for line (`templates/bootscript.ipxe`):
//!
//! ```text
//! #!ipxe
//! kernel --name kernel <kernel> <params> || goto boot_retry
//! initrd --name initrd <initrd> || goto boot_retry      (only with an initrd)
//! boot || goto boot_retry
//! :boot_retry
//! sleep <retry delay>
//! chain <chain url>?mac=<mac>&retry=<retry + 1>
//!
//! ```
//!
//! followed by BSS's extra empty line. The chain line names the node by `mac=` (the
//! requested MAC, else the node's first interface), else `name=`, else `nid=`; `retry`
//! counts up without limit, as in BSS. A [`BootDecision::Discovery`] script uses the
//! unknown-node chain line below as its retry line, and its parameters get only `ds=` and
//! `initrd=initrd`. The wait script for an unknown node (`templates/wait.ipxe`):
//!
//! ```text
//! #!ipxe
//! sleep <unknown delay>
//! chain <chain url>?mac=<mac>&arch=${buildarch}&ts=<ts>
//!
//! ```
//!
//! (`&ts=` only when the request carries a time stamp; [`crate::bootscript`] stamps one.)
//!
//! **Injection safety.** Everything written into a script is either a parsed value
//! ([`Xname`], [`MacAddr`], integers) or checked right here: the stored kernel, initrd and
//! params with [`ochami_core::BootParams::check_script_parts`] (the same check the store
//! applies on write; a failure names the field), and the option URLs with
//! [`BootOptions::validate`]. So a rendered script never holds a line the template does not
//! have.

use std::fmt;

use askama::Template;
use ochami_core::{BootConfig, BootKey, BootParams, MacAddr, Xname};
use serde::{Deserialize, Serialize};

use crate::params::{KernelParams, write_mac};
use crate::{BootDecision, BootError, BootOptions, BootRequest, BootTarget, Resolution, Result};

#[derive(Template)]
#[template(path = "bootscript.ipxe")]
struct BootScript<'a> {
    kernel: &'a str,
    params: KernelParams<'a>,
    initrd: Option<&'a str>,
    retry_delay: u32,
    chain: ChainLine<'a>,
}

#[derive(Template)]
#[template(path = "wait.ipxe")]
struct WaitScript<'a> {
    delay: u32,
    chain: ChainLine<'a>,
}

/// The name a chain line asks with.
#[derive(Clone, Copy)]
enum ChainKey {
    Mac(MacAddr),
    Name(Xname),
    Nid(i64),
}

/// What follows the name in a chain line.
#[derive(Clone, Copy)]
enum ChainTail {
    /// A known node retrying: `&retry=<n>`.
    Retry(u64),
    /// An unknown node: `&arch=${buildarch}` and the time stamp, if any.
    Unknown(Option<i64>),
}

#[derive(Clone, Copy)]
struct ChainLine<'a> {
    url: &'a str,
    key: ChainKey,
    tail: ChainTail,
}

impl fmt::Display for ChainLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url)?;
        match self.key {
            ChainKey::Mac(m) => {
                f.write_str("?mac=")?;
                write_mac(f, m, b':')?;
            }
            ChainKey::Name(x) => write!(f, "?name={x}")?,
            ChainKey::Nid(n) => write!(f, "?nid={n}")?,
        }
        match self.tail {
            ChainTail::Retry(n) => write!(f, "&retry={n}"),
            ChainTail::Unknown(Some(ts)) => write!(f, "&arch=${{buildarch}}&ts={ts}"),
            ChainTail::Unknown(None) => f.write_str("&arch=${buildarch}"),
        }
    }
}

/// What a rendering needs, whichever form it takes.
struct Plan<'a> {
    config: Option<&'a BootConfig>,
    params: KernelParams<'a>,
    chain: ChainLine<'a>,
}

fn plan<'a>(res: &'a Resolution, req: &BootRequest, opts: &'a BootOptions) -> Result<Plan<'a>> {
    opts.validate()?;
    let key = match (res.mac, res.node) {
        (Some(m), _) => ChainKey::Mac(m),
        (None, Some(n)) => ChainKey::Name(n.xname),
        (None, None) => match req.target {
            BootTarget::Mac(m) => ChainKey::Mac(m),
            BootTarget::Name(x) => ChainKey::Name(x),
            BootTarget::Nid(n) => ChainKey::Nid(n),
        },
    };
    let datasource = opts.cloud_init_url.as_deref();
    let unknown_chain = ChainLine {
        url: &opts.chain_url,
        key,
        tail: ChainTail::Unknown(req.ts),
    };
    let (name, config, known) = match &res.decision {
        BootDecision::Boot { key, config } if !config.kernel.is_empty() => {
            (key_name(key), config, true)
        }
        BootDecision::Configured { uid, config } if !config.kernel.is_empty() => {
            (uid.clone(), config, true)
        }
        BootDecision::Discovery { key, config } if !config.kernel.is_empty() => {
            (key_name(key), config, false)
        }
        _ => {
            let params = KernelParams::new("", false, None, None, None, None);
            return Ok(Plan {
                config: None,
                params,
                chain: unknown_chain,
            });
        }
    };
    BootParams::check_script_parts(&config.kernel, &config.initrd, &config.params)
        .map_err(|source| BootError::UnsafeParams { key: name, source })?;
    let initrd = !config.initrd.is_empty();
    let (params, chain) = if known {
        let bootif = match req.target {
            BootTarget::Mac(m) => Some(m),
            _ => None,
        };
        let node = res.node;
        let params = KernelParams::new(
            &config.params,
            initrd,
            node.map(|n| n.xname),
            node.and_then(|n| n.nid),
            bootif,
            datasource,
        );
        let retry = ChainTail::Retry(u64::from(req.retry) + 1);
        (
            params,
            ChainLine {
                tail: retry,
                ..unknown_chain
            },
        )
    } else {
        (
            KernelParams::new(&config.params, initrd, None, None, None, datasource),
            unknown_chain,
        )
    };
    Ok(Plan {
        config: Some(config),
        params,
        chain,
    })
}

/// BSS's spelling of a boot name in messages (`nid<N>` for NIDs).
fn key_name(key: &BootKey) -> String {
    match key {
        BootKey::Mac(m) => m.to_string(),
        BootKey::Host(h) => h.clone(),
        BootKey::Nid(n) => format!("nid{n}"),
    }
}

/// Render the iPXE script for a resolution: the exact response body, BSS's extra trailing
/// newline included.
///
/// ```
/// use ochami_boot::{BootDecision, BootNode, BootOptions, BootRequest, Resolution, render_script};
/// use ochami_core::{BootConfig, BootKey};
///
/// let mac = "aa:bb:cc:dd:ee:ff".parse()?;
/// let res = Resolution {
///     node: Some(BootNode { xname: "x1000c0s0b0n0".parse()?, nid: Some(1), role: None }),
///     mac: Some(mac),
///     decision: BootDecision::Boot {
///         key: BootKey::Host("x1000c0s0b0n0".into()),
///         config: BootConfig { kernel: "K".into(), initrd: "I".into(), params: "console=ttyS0 ip=dhcp".into(), ..Default::default() },
///     },
/// };
/// let opts = BootOptions { cloud_init_url: Some("http://10.0.0.1:8081".into()), ..BootOptions::default() };
/// let script = render_script(&res, &BootRequest::mac(mac), &opts)?;
/// assert_eq!(script, "#!ipxe
/// kernel --name kernel K initrd=initrd console=ttyS0 ip=dhcp xname=x1000c0s0b0n0 nid=1 BOOTIF=01-aa-bb-cc-dd-ee-ff ds=nocloud-net;s=http://10.0.0.1:8081/ || goto boot_retry
/// initrd --name initrd I || goto boot_retry
/// boot || goto boot_retry
/// :boot_retry
/// sleep 30
/// chain https://api-gw-service-nmn.local/apis/bss/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff&retry=1
///
/// ");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn render_script(res: &Resolution, req: &BootRequest, opts: &BootOptions) -> Result<String> {
    let plan = plan(res, req, opts)?;
    // Room for the template text, the chain line and the parameters with what is injected.
    let mut text = String::with_capacity(256 + 2 * opts.chain_url.len());
    let rendered = match plan.config {
        Some(config) => {
            text.reserve(config.kernel.len() + 2 * config.initrd.len() + config.params.len() + 128);
            BootScript {
                kernel: &config.kernel,
                params: plan.params,
                initrd: (!config.initrd.is_empty()).then_some(config.initrd.as_str()),
                retry_delay: opts.retry_delay_secs,
                chain: plan.chain,
            }
            .render_into(&mut text)
        }
        None => WaitScript {
            delay: opts.unknown_delay_secs,
            chain: plan.chain,
        }
        .render_into(&mut text),
    };
    rendered.map_err(|e| BootError::Render(e.to_string()))?;
    debug_assert!(
        !text.contains('\r') && text.lines().count() <= 8,
        "{text:?}"
    );
    Ok(text)
}

/// BSS's `json=1` answer (`BootData`).
///
/// `params` is `kernel` followed by the assembled kernel parameters (BSS's own shape, kept for
/// compatibility). `kernel` and `initrd` are always present, with an empty `path` when there
/// is none. A node that would get the wait script gets empty paths and empty `params`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BootData {
    /// `kernel <assembled parameters>`.
    pub params: String,
    /// The kernel.
    pub kernel: ImageData,
    /// The initrd.
    pub initrd: ImageData,
}

/// One image of a [`BootData`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImageData {
    /// Its URL; empty when there is none.
    pub path: String,
    /// Image parameters; never set by ochami (no per-image parameters are stored).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub params: String,
}

/// The [`BootData`] for a resolution: the same decision and parameters as
/// [`render_script`], as data.
pub fn boot_data(res: &Resolution, req: &BootRequest, opts: &BootOptions) -> Result<BootData> {
    let plan = plan(res, req, opts)?;
    let Some(config) = plan.config else {
        return Ok(BootData::default());
    };
    let params = if plan.params.is_empty() {
        "kernel".to_owned()
    } else {
        format!("kernel {}", plan.params)
    };
    Ok(BootData {
        params,
        kernel: ImageData {
            path: config.kernel.clone(),
            params: String::new(),
        },
        initrd: ImageData {
            path: config.initrd.clone(),
            params: String::new(),
        },
    })
}

/// [`boot_data`] serialized: the response body of `GET /boot/v1/bootscript?json=1`.
///
/// ```
/// use ochami_boot::{BootDecision, BootOptions, BootRequest, Resolution, render_json};
/// let res = Resolution { node: None, mac: None, decision: BootDecision::Wait };
/// let json = render_json(&res, &BootRequest::nid(4), &BootOptions::default())?;
/// assert_eq!(json, r#"{"params":"","kernel":{"path":""},"initrd":{"path":""}}"#);
/// # Ok::<(), ochami_boot::BootError>(())
/// ```
pub fn render_json(res: &Resolution, req: &BootRequest, opts: &BootOptions) -> Result<String> {
    let data = boot_data(res, req, opts)?;
    serde_json::to_string(&data).map_err(|e| BootError::Render(e.to_string()))
}

/// The kernel command line a resolution boots with (what follows the kernel URL on the
/// `kernel` line), or `None` for the wait script.
pub fn kernel_params(
    res: &Resolution,
    req: &BootRequest,
    opts: &BootOptions,
) -> Result<Option<String>> {
    let plan = plan(res, req, opts)?;
    Ok(plan.config.map(|_| plan.params.to_string()))
}
