//! `ochami metadata defaults|group|instance get|set|delete`: OpenCHAMI v0.2's
//! metadata-service resources under `/metadata-service` (`clusterdefaultss`, `groups`,
//! `instanceinfos`), in the resource envelope.
//!
//! `-d` takes the flat spec (`{"base_url": ...}`) or a whole envelope (`{"spec": ...}`).
//! Groups and instance infos are named by the group name and the node xname (their uids are
//! `group-<name>` and `instanceinfo-<xname>`); `set` replaces one (the defaults too), or
//! creates it when there is none.

use reqwest::Method;

use super::{Client, ClientError, ConnArgs, Input, Service, envelope, seg};

/// `ochami metadata`.
#[derive(clap::Args)]
pub(crate) struct MetadataArgs {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(subcommand)]
    cmd: MetadataCmd,
}

#[derive(clap::Subcommand)]
enum MetadataCmd {
    /// The cluster defaults (`/clusterdefaultss`).
    Defaults {
        #[command(subcommand)]
        verb: DefaultsVerb,
    },
    /// Groups: meta-data and a cloud-config template per group (`/groups`).
    Group {
        #[command(subcommand)]
        verb: NamedVerb,
    },
    /// Per-node instance info, named by xname (`/instanceinfos`).
    Instance {
        #[command(subcommand)]
        verb: NamedVerb,
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
    /// Show one, or all without a name.
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

const DEFAULTS: &str = "/clusterdefaultss/clusterdefaults-cluster";

/// Run `ochami metadata ...`.
pub(crate) async fn run(args: MetadataArgs) -> Result<(), ClientError> {
    let c = Client::new(&args.conn)?;
    let s = Service::Metadata;
    match args.cmd {
        MetadataCmd::Defaults { verb } => match verb {
            DefaultsVerb::Get => c.print_resources(Method::GET, s, DEFAULTS, None).await,
            DefaultsVerb::Set { input } => {
                let what = "metadata defaults set";
                let b = envelope(what, input.required(what)?, None)?;
                put_or_post(&c, DEFAULTS, "/clusterdefaultss", &b).await
            }
            DefaultsVerb::Delete => c.print_resources(Method::DELETE, s, DEFAULTS, None).await,
        },
        MetadataCmd::Group { verb } => named(&c, "group", "groups", verb).await,
        MetadataCmd::Instance { verb } => named(&c, "instance", "instanceinfos", verb).await,
    }
}

/// Replace the resource at `item`, or create it in `collection` when there is none; print
/// the answer.
async fn put_or_post(
    c: &Client,
    item: &str,
    collection: &str,
    body: &serde_json::Value,
) -> Result<(), ClientError> {
    let s = Service::Metadata;
    let answer = match c.send(Method::PUT, s, item, &[], Some(body)).await {
        Err(ClientError::Status { status: 404, .. }) => {
            c.send(Method::POST, s, collection, &[], Some(body)).await?
        }
        r => r?,
    };
    c.show_resources(answer)
}

/// The uid prefix of a collection's items.
fn uid_prefix(collection: &str) -> &'static str {
    match collection {
        "groups" => "group-",
        _ => "instanceinfo-",
    }
}

async fn named(
    c: &Client,
    noun: &str,
    collection: &str,
    verb: NamedVerb,
) -> Result<(), ClientError> {
    let s = Service::Metadata;
    let base = format!("/{collection}");
    let item = |name: &str| {
        format!(
            "{base}/{}",
            seg(&format!("{}{name}", uid_prefix(collection)))
        )
    };
    match verb {
        NamedVerb::Get { name: None } => c.print_resources(Method::GET, s, &base, None).await,
        NamedVerb::Get { name: Some(n) } => {
            c.print_resources(Method::GET, s, &item(&n), None).await
        }
        NamedVerb::Set { name, input } => {
            let what = format!("metadata {noun} set");
            let b = envelope(&what, input.required(&what)?, Some(&name))?;
            put_or_post(c, &item(&name), &base, &b).await
        }
        NamedVerb::Delete { name } => {
            c.print_resources(Method::DELETE, s, &item(&name), None)
                .await
        }
    }
}
