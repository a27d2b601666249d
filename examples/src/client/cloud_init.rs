//! `ochami cloud-init defaults|group|node get|set|delete` and `ochami cloud-init render
//! <group> <xname>`: the cloud-init admin API under `/cloud-init/admin`.

use reqwest::Method;
use serde_json::json;

use super::{Client, ClientError, ConnArgs, Input, Service, seg};

/// `ochami cloud-init`.
#[derive(clap::Args)]
pub(crate) struct CloudInitArgs {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(subcommand)]
    cmd: CloudInitCmd,
}

#[derive(clap::Subcommand)]
enum CloudInitCmd {
    /// Cluster-wide defaults (`/admin/cluster-defaults`).
    Defaults {
        #[command(subcommand)]
        verb: DefaultsVerb,
    },
    /// Group data: meta-data and a cloud-config file per group (`/admin/groups`).
    Group {
        #[command(subcommand)]
        verb: NamedVerb,
    },
    /// Per-node data (`/admin/node-data/<xname>`).
    Node {
        #[command(subcommand)]
        verb: NamedVerb,
    },
    /// Print the `<group>.yaml` a node gets (impersonating the node).
    Render {
        /// The group.
        group: String,
        /// The node's xname.
        xname: String,
    },
}

#[derive(clap::Subcommand)]
enum DefaultsVerb {
    /// Show the defaults.
    Get,
    /// Replace the defaults from `-d`.
    Set {
        #[command(flatten)]
        input: Input,
    },
    /// Reset the defaults to empty.
    Delete,
}

#[derive(clap::Subcommand)]
enum NamedVerb {
    /// Show one (groups: all without a name).
    Get { name: Option<String> },
    /// Create or replace one from `-d`.
    Set {
        name: String,
        #[command(flatten)]
        input: Input,
    },
    /// Delete one.
    Delete { name: String },
}

const ADMIN: &str = "/admin";

/// Run `ochami cloud-init ...`.
pub(crate) async fn run(args: CloudInitArgs) -> Result<(), ClientError> {
    let c = Client::new(&args.conn)?;
    let s = Service::CloudInit;
    match args.cmd {
        CloudInitCmd::Defaults { verb } => {
            let path = format!("{ADMIN}/cluster-defaults");
            match verb {
                DefaultsVerb::Get => c.print(Method::GET, s, &path, &[], None).await,
                DefaultsVerb::Set { input } => {
                    let b = input.required("cloud-init defaults set")?;
                    c.print(Method::POST, s, &path, &[], Some(&b)).await
                }
                DefaultsVerb::Delete => {
                    c.print(Method::POST, s, &path, &[], Some(&json!({}))).await
                }
            }
        }
        CloudInitCmd::Group { verb } => named(&c, "groups", verb, true).await,
        CloudInitCmd::Node { verb } => named(&c, "node-data", verb, false).await,
        CloudInitCmd::Render { group, xname } => {
            let path = format!("{ADMIN}/impersonation/{}/{}.yaml", seg(&xname), seg(&group));
            c.print(Method::GET, s, &path, &[], None).await
        }
    }
}

async fn named(c: &Client, kind: &str, verb: NamedVerb, listable: bool) -> Result<(), ClientError> {
    let s = Service::CloudInit;
    let base = format!("{ADMIN}/{kind}");
    match verb {
        NamedVerb::Get { name: None } if listable => {
            c.print(Method::GET, s, &base, &[], None).await
        }
        NamedVerb::Get { name: None } => Err(ClientError::Input(format!(
            "cloud-init {kind} get needs a name"
        ))),
        NamedVerb::Get { name: Some(n) } => {
            c.print(Method::GET, s, &format!("{base}/{}", seg(&n)), &[], None)
                .await
        }
        NamedVerb::Set { name, input } => {
            let b = input.required(&format!("cloud-init {kind} set"))?;
            c.print(
                Method::PUT,
                s,
                &format!("{base}/{}", seg(&name)),
                &[],
                Some(&b),
            )
            .await
        }
        NamedVerb::Delete { name } => {
            c.print(
                Method::DELETE,
                s,
                &format!("{base}/{}", seg(&name)),
                &[],
                None,
            )
            .await
        }
    }
}
