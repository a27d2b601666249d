//! `ochami.render_bootscript` and the cloud-init documents (`meta_data`, `user_data`,
//! `vendor_data`), over `ochami-boot`, reading from a `Store`.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

use ochami_boot::{BootOptions, BootRequest};
use ochami_core::Xname;
use ochami_store::Store;
use pyo3::prelude::*;

use crate::args::xname_arg;
use crate::errors::{Family, err, invalid};
use crate::runtime::run;
use crate::store::PyStore;

fn boot_err(e: ochami_boot::BootError) -> PyErr {
    err(Family::Boot, e)
}

/// Runs a boot-service call on `store` on the shared runtime (GIL released), mapping its
/// error.
fn boot_call<T, Fut>(
    py: Python<'_>,
    store: &PyStore,
    op: impl FnOnce(Arc<dyn Store>) -> Fut,
) -> PyResult<T>
where
    Fut: Future<Output = Result<T, ochami_boot::BootError>> + Send + 'static,
    T: Send + 'static,
{
    run(py, op(store.inner.clone()))?.map_err(boot_err)
}

/// Rendering options: `base_url` is the server nodes reach (both `/boot/v1` and
/// `/cloud-init`); `chain_url` and `cloud_init_url` override either part.
fn options(
    base_url: Option<&str>,
    chain_url: Option<String>,
    cloud_init_url: Option<String>,
    retry_delay: Option<u32>,
    unknown_delay: Option<u32>,
) -> PyResult<BootOptions> {
    let mut o = base_url.map(BootOptions::for_server).unwrap_or_default();
    if let Some(c) = chain_url {
        o.chain_url = c;
    }
    if cloud_init_url.is_some() {
        o.cloud_init_url = cloud_init_url;
    }
    if let Some(d) = retry_delay {
        o.retry_delay_secs = d;
    }
    if let Some(d) = unknown_delay {
        o.unknown_delay_secs = d;
    }
    o.validate().map_err(boot_err)?;
    Ok(o)
}

/// The iPXE bootscript (or BSS `BootData` JSON) BSS would answer; see the stub.
#[pyfunction]
#[pyo3(signature = (
    store, *, mac = None, name = None, nid = None, arch = None, retry = None, ts = None,
    json = false, base_url = None, chain_url = None, cloud_init_url = None,
    retry_delay = None, unknown_delay = None,
))]
#[allow(
    clippy::too_many_arguments,
    reason = "BSS's query parameters and server settings"
)]
pub(crate) fn render_bootscript(
    py: Python<'_>,
    store: &PyStore,
    mac: Option<String>,
    name: Option<&Bound<'_, PyAny>>,
    nid: Option<i64>,
    arch: Option<String>,
    retry: Option<u32>,
    ts: Option<i64>,
    json: bool,
    base_url: Option<&str>,
    chain_url: Option<String>,
    cloud_init_url: Option<String>,
    retry_delay: Option<u32>,
    unknown_delay: Option<u32>,
) -> PyResult<String> {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(m) = mac {
        pairs.push(("mac", m));
    }
    if let Some(n) = name {
        pairs.push(("name", xname_arg(n)?.to_string()));
    }
    if let Some(n) = nid {
        pairs.push(("nid", n.to_string()));
    }
    if let Some(a) = arch {
        pairs.push(("arch", a));
    }
    if let Some(r) = retry {
        pairs.push(("retry", r.to_string()));
    }
    if let Some(t) = ts {
        pairs.push(("ts", t.to_string()));
    }
    if json {
        pairs.push(("json", "1".to_owned()));
    }
    let req = BootRequest::from_query(pairs).map_err(boot_err)?;
    let opts = options(
        base_url,
        chain_url,
        cloud_init_url,
        retry_delay,
        unknown_delay,
    )?;
    boot_call(py, store, move |s| async move {
        ochami_boot::bootscript(&*s, &req, &opts).await
    })
}

/// The node a cloud-init request is about: `node` itself, or the owner of `ip`.
fn which_node(
    py: Python<'_>,
    store: &PyStore,
    node: Option<&Bound<'_, PyAny>>,
    ip: Option<&str>,
) -> PyResult<Xname> {
    match (node, ip) {
        (Some(n), _) => xname_arg(n),
        (None, Some(ip)) => {
            let addr: IpAddr = ip
                .parse()
                .map_err(|_| invalid(format!("bad ip {ip:?}: not an IP address")))?;
            let found = boot_call(py, store, move |s| async move {
                ochami_boot::node_for_ip(&*s, addr).await
            })?;
            found.ok_or_else(|| err(Family::Boot, format!("no node has IP address {ip}")))
        }
        (None, None) => Err(invalid("give node= or ip=")),
    }
}

/// Defines a cloud-init document function whose URLs come from `base_url` and
/// `cloud_init_url`.
macro_rules! document_with_urls {
    ($(#[$doc:meta])* $name:ident, $document:expr) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (store, node = None, *, ip = None, base_url = None, cloud_init_url = None))]
        pub(crate) fn $name(
            py: Python<'_>,
            store: &PyStore,
            node: Option<&Bound<'_, PyAny>>,
            ip: Option<&str>,
            base_url: Option<&str>,
            cloud_init_url: Option<String>,
        ) -> PyResult<String> {
            let x = which_node(py, store, node, ip)?;
            let opts = options(base_url, None, cloud_init_url, None, None)?;
            $document.render(py, store, x, opts)
        }
    };
}

document_with_urls!(
    /// cloud-init ``meta-data`` (YAML) for a node, by xname or IP.
    meta_data,
    Document::Meta
);

document_with_urls!(
    /// cloud-init ``vendor-data`` (``#include`` of the node's group documents), by xname or IP.
    vendor_data,
    Document::Vendor
);

/// cloud-init ``user-data`` (``#cloud-config``) for a node, by xname or IP.
#[pyfunction]
#[pyo3(signature = (store, node = None, *, ip = None))]
pub(crate) fn user_data(
    py: Python<'_>,
    store: &PyStore,
    node: Option<&Bound<'_, PyAny>>,
    ip: Option<&str>,
) -> PyResult<String> {
    let x = which_node(py, store, node, ip)?;
    Document::User.render(py, store, x, BootOptions::default())
}

/// A cloud-init document.
#[derive(Clone, Copy)]
enum Document {
    Meta,
    User,
    Vendor,
}

impl Document {
    /// Renders the document of node `x`.
    fn render(
        self,
        py: Python<'_>,
        store: &PyStore,
        x: Xname,
        opts: BootOptions,
    ) -> PyResult<String> {
        boot_call(py, store, move |s| async move {
            match self {
                Document::Meta => ochami_boot::meta_data(&*s, &x, &opts).await,
                Document::User => ochami_boot::user_data(&*s, &x).await,
                Document::Vendor => ochami_boot::vendor_data(&*s, &x, &opts).await,
            }
        })
    }
}
