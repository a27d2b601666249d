//! # ochami-boot
//!
//! Boot a cluster's nodes the way OpenCHAMI does: BSS-compatible iPXE bootscripts (with the
//! retry chain and the unknown-node script), NoCloud cloud-init documents, and the decisions
//! of a netboot DHCP server ([`dhcp`]) and TFTP server ([`tftp`]). Everything is read through
//! the small [`BootSource`] trait, so it works the same on every store backend; nothing here
//! does HTTP, SQL or socket I/O. With the `store` feature every `ochami-store` store is a
//! [`BootSource`].
//!
//! - [`BootRequest::from_query`] parses `GET /boot/v1/bootscript?mac=…` into parsed types.
//! - [`resolve()`] finds the node and its boot configuration: one scoring rule over BSS rows
//!   (MAC, then xname, then NID, then role, then `Default`) and boot-service configurations
//!   (MACs, NIDs, hosts, groups, priority); the [module docs](mod@crate::resolve) give the
//!   exact rule.
//! - [`render_script`] / [`render_json`] turn a [`Resolution`] into BSS's exact text or its
//!   `BootData` JSON. They are pure functions: no store, no clock.
//! - [`answer`] does all three (and says which node to record in the endpoint history);
//!   [`bootscript`] is its body.
//! - cloud-init: [`node_for_ip`], [`meta_data`], [`user_data`], [`vendor_data`],
//!   [`group_document`].
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use ochami_boot::{BootOptions, BootRequest, bootscript};
//! use ochami_core::{BootParams, Component, EthernetInterface, State};
//!
//! let store = ochami_store::open("memory:").await?;
//! let node = "x1000c0s0b0n0".parse()?;
//! store.upsert_components(&[Component::new(node).with_state(State::Ready).with_nid(1)], false).await?;
//! store.insert_ethernet_interface(&EthernetInterface::new("aa:bb:cc:dd:ee:ff".parse()?, Some(node), [])).await?;
//! store.set_boot_params(&BootParams { hosts: vec!["Default".into()], kernel: "http://s/vmlinuz".into(),
//!     params: "console=ttyS0".into(), ..Default::default() }).await?;
//!
//! let req = BootRequest::from_query([("mac", "aa:bb:cc:dd:ee:ff")])?;
//! let script = bootscript(&*store, &req, &BootOptions::for_server("http://10.0.0.1:27778")).await?;
//! assert_eq!(script.lines().nth(1), Some("kernel --name kernel http://s/vmlinuz console=ttyS0 xname=x1000c0s0b0n0 \
//!     nid=1 BOOTIF=01-aa-bb-cc-dd-ee-ff ds=nocloud-net;s=http://10.0.0.1:27778/cloud-init/ || goto boot_retry"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! ## For servers
//!
//! Map [`BootError`]'s variants to statuses (its docs list which are bad requests); a
//! bootscript's content type is
//! [`BootRequest::content_type`]. The script text is the whole response body (BSS's extra
//! trailing newline included). Record `endpoint-history` access yourself from
//! [`Resolution::node`] if you need it: this crate only reads.

mod cloud_init;
pub mod dhcp;
mod error;
mod options;
mod params;
mod request;
pub mod resolve;
mod script;
mod source;
pub mod tftp;

pub use cloud_init::user_data_of_component;
pub use cloud_init::{
    CLOUD_CONFIG, generated_hostname, group_document, instance_id, meta_data, meta_data_v02,
    network_config, node_for_ip, user_data, vendor_data, vendor_data_v02,
};
pub use error::{BootError, Result};
pub use options::BootOptions;
pub use request::{BootRequest, BootTarget, BuildArch};
pub use resolve::{BootDecision, BootNode, Resolution, resolve};
pub use script::{BootData, ImageData, boot_data, kernel_params, render_json, render_script};
pub use source::BootSource;

impl BootRequest {
    /// The content type of the answer: JSON for `json=1`, else plain text, as BSS sends them.
    pub fn content_type(&self) -> &'static str {
        if self.json {
            "application/json; charset=UTF-8"
        } else {
            "text/plain; charset=UTF-8"
        }
    }
}

/// The answer to one bootscript request: what to send and what to record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BootAnswer {
    /// The response body: a script, or `BootData` JSON when the request has `json=1`.
    pub body: String,
    /// Its content type ([`BootRequest::content_type`]).
    pub content_type: &'static str,
    /// The known node that boots with stored parameters, which BSS records in its endpoint
    /// history ([`Resolution::booting_node`]).
    pub booting_node: Option<ochami_core::Xname>,
}

/// Resolve and render in one call: the whole answer to `GET /boot/v1/bootscript`. This is
/// the one place a bootscript is composed; servers and embedding programs both call it.
///
/// A request without `ts=` that does not boot is stamped with the current time, which the
/// unknown-node chain line carries (as BSS does); a script that boots carries no `ts`.
pub async fn answer(
    store: &(impl BootSource + ?Sized),
    req: &BootRequest,
    opts: &BootOptions,
) -> Result<BootAnswer> {
    let res = resolve(store, req).await?;
    let stamped;
    let req = match (&res.decision, req.ts) {
        (BootDecision::Boot { .. } | BootDecision::Configured { .. }, _) | (_, Some(_)) => req,
        _ => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            stamped = req.clone().with_ts(i64::try_from(now).unwrap_or(i64::MAX));
            &stamped
        }
    };
    let body = if req.json {
        render_json(&res, req, opts)?
    } else {
        render_script(&res, req, opts)?
    };
    Ok(BootAnswer {
        body,
        content_type: req.content_type(),
        booting_node: res.booting_node(),
    })
}

/// [`answer`]'s body only.
pub async fn bootscript(
    store: &(impl BootSource + ?Sized),
    req: &BootRequest,
    opts: &BootOptions,
) -> Result<String> {
    Ok(answer(store, req, opts).await?.body)
}
