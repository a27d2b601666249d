//! `ochami discover static -f yaml -d @nodes.yaml [--overwrite] [--store URL]`: register the
//! nodes of an OpenCHAMI nodes.yaml without Redfish, through a server or straight into a
//! store.
//!
//! The whole file is checked first ([`ochami_core::nodes_yaml`]); a bad row is reported with
//! its line and nothing is written. Then, in order: the node components (with their NIDs
//! and roles), one RedfishEndpoint per BMC, the BMCs' and nodes' EthernetInterfaces with
//! every IP and its network name, and the groups with their members. A re-run is
//! idempotent: records that exist are left alone, or replaced with `--overwrite`.
//!
//! With `--store`, the records go into the store in one transaction
//! ([`ochami_store::load_static_inventory`]). Through a server they are sent as SMD
//! requests (an existing record answers 409; with `--overwrite` components are forced,
//! endpoints `PUT`, interfaces `PATCH`ed, group members replaced); a failure part-way
//! leaves what was already sent.

use ochami_core::nodes_yaml::{NodesFile, StaticInventory};
use ochami_store::LoadSummary as Summary;
use reqwest::Method;
use serde_json::{Value, json};

use super::{Client, ClientError, ConnArgs, Input, Service, seg};

/// `ochami discover static`.
#[derive(clap::Args)]
pub(crate) struct StaticArgs {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(flatten)]
    input: Input,
    /// Replace existing records instead of leaving them.
    #[arg(long)]
    overwrite: bool,
    /// Write into this store (`sqlite://ochami.db`, `postgres://...`) in one transaction
    /// instead of through a server.
    #[arg(long, value_name = "URL")]
    store: Option<String>,
}

/// `ochami discover` without a subcommand scans BMCs; `discover static` reads a nodes.yaml.
#[derive(clap::Subcommand)]
pub(crate) enum DiscoverSub {
    /// Register the nodes of an OpenCHAMI nodes.yaml (`-f yaml -d @nodes.yaml`) through a
    /// server.
    Static(StaticArgs),
}

/// Whether the error is a 409 (the record exists).
fn exists(e: &ClientError) -> bool {
    matches!(e, ClientError::Status { status: 409, .. })
}

/// Run `ochami discover static`.
pub(crate) async fn run(args: StaticArgs) -> Result<(), ClientError> {
    let text = args.input.text(true)?.ok_or_else(|| {
        ClientError::Input(
            "discover static: give the nodes file with -d @nodes.yaml or on stdin".into(),
        )
    })?;
    let inv = NodesFile::parse(&text)
        .and_then(|f| f.expand())
        .map_err(|e| ClientError::Input(e.to_string()))?;
    let (summary, output) = match &args.store {
        Some(url) => {
            let store = ochami_store::open(url)
                .await
                .map_err(|e| ClientError::Config(format!("--store: {e}")))?;
            let summary = ochami_store::load_static_inventory(store.as_ref(), &inv, args.overwrite)
                .await
                .map_err(|e| ClientError::Input(format!("nothing was written: {e}")))?;
            (summary, args.conn.output())
        }
        None => {
            let c = Client::new(&args.conn)?;
            (send(&c, &inv, args.overwrite).await?, c.output)
        }
    };
    let v = serde_json::to_value(summary).map_err(|e| ClientError::Input(e.to_string()))?;
    output.print(&super::Body::Json(v))
}

async fn send(c: &Client, inv: &StaticInventory, overwrite: bool) -> Result<Summary, ClientError> {
    let smd = Service::Smd;
    let mut sum = Summary::default();
    if !inv.components.is_empty() {
        // Which nodes exist already, to count them (the POST does not say).
        let known: std::collections::HashSet<String> = match c
            .send(
                Method::GET,
                smd,
                "/State/Components",
                &[("type", "Node".to_owned())],
                None,
            )
            .await?
        {
            super::Body::Json(v) => v["Components"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["ID"].as_str().map(str::to_owned))
                .collect(),
            _ => Default::default(),
        };
        // One POST; Force makes the file's State win on existing components, whose NID and
        // Role are then replaced one by one.
        let body = json!({"Components": inv.components, "Force": overwrite});
        c.send(Method::POST, smd, "/State/Components", &[], Some(&body))
            .await?;
        for comp in &inv.components {
            if !known.contains(&comp.id.to_string()) {
                sum.created += 1;
            } else if overwrite {
                let body = json!({"Component": comp, "Force": true});
                c.send(
                    Method::PUT,
                    smd,
                    &format!("/State/Components/{}", comp.id),
                    &[],
                    Some(&body),
                )
                .await?;
                sum.replaced += 1;
            } else {
                sum.existing += 1;
            }
        }
    }
    for ep in &inv.endpoints {
        let body = body_of(ep)?;
        match c
            .send(
                Method::POST,
                smd,
                "/Inventory/RedfishEndpoints",
                &[],
                Some(&body),
            )
            .await
        {
            Ok(_) => sum.created += 1,
            Err(e) if exists(&e) && overwrite => {
                c.send(
                    Method::PUT,
                    smd,
                    &format!("/Inventory/RedfishEndpoints/{}", ep.id),
                    &[],
                    Some(&body),
                )
                .await?;
                sum.replaced += 1;
            }
            Err(e) if exists(&e) => sum.existing += 1,
            Err(e) => return Err(e),
        }
    }
    for iface in &inv.interfaces {
        let body = body_of(iface)?;
        match c
            .send(
                Method::POST,
                smd,
                "/Inventory/EthernetInterfaces",
                &[],
                Some(&body),
            )
            .await
        {
            Ok(_) => sum.created += 1,
            Err(e) if exists(&e) && overwrite => {
                let patch = json!({
                    "Description": iface.description,
                    "ComponentID": iface.component_id,
                    "IPAddresses": iface.ip_addresses,
                });
                c.send(
                    Method::PATCH,
                    smd,
                    &format!("/Inventory/EthernetInterfaces/{}", seg(&iface.id)),
                    &[],
                    Some(&patch),
                )
                .await?;
                sum.replaced += 1;
            }
            Err(e) if exists(&e) => sum.existing += 1,
            Err(e) => return Err(e),
        }
    }
    for g in &inv.groups {
        let body = body_of(g)?;
        match c.send(Method::POST, smd, "/groups", &[], Some(&body)).await {
            Ok(_) => sum.created += 1,
            Err(e) if exists(&e) && overwrite => {
                let members = json!({"ids": g.members.ids});
                c.send(
                    Method::PUT,
                    smd,
                    &format!("/groups/{}/members", seg(&g.label)),
                    &[],
                    Some(&members),
                )
                .await?;
                sum.replaced += 1;
            }
            Err(e) if exists(&e) => sum.existing += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(sum)
}

/// A record as a JSON request body.
fn body_of<T: serde::Serialize>(v: &T) -> Result<Value, ClientError> {
    serde_json::to_value(v).map_err(|e| ClientError::Input(e.to_string()))
}
