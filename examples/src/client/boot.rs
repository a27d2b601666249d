//! `ochami boot next pxe|uefi-http XNAME... [--group G]`: a one-time network boot on the
//! nodes' next start, set on their BMCs through the server
//! (`POST /power-control/v1/boot-override`, an ochami route beside PCS's).
//!
//! Usually followed by `ochami power reset`. Each node's result is printed; a node that
//! failed makes the command exit 2, a refused request exits 1.
//!
//! `ochami boot config get|add|set|update|delete` and `ochami boot node get`: OpenCHAMI
//! v0.2's boot-service under `/boot-service` (`bootconfigurations`, `nodes`), in the
//! resource envelope. `-d` takes flat specs with a `name` (`{"name": "compute", "hosts":
//! [...], "kernel": ...}`, a list adds each) or whole envelopes (`{"metadata": ..., "spec":
//! ...}`); configurations are addressed by uid.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::power::{Targets, location, print_rows};
use super::{Body, Client, ClientError, ConnArgs, Input, Service, envelope, seg};

/// `ochami boot`.
#[derive(clap::Args)]
pub(crate) struct BootArgs {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(subcommand)]
    cmd: BootCmd,
}

#[derive(clap::Subcommand)]
enum BootCmd {
    /// Where the nodes boot from on their next start (a BMC boot source override).
    Next {
        #[command(subcommand)]
        target: NextTarget,
    },
    /// boot-service boot configurations (`/boot-service/bootconfigurations`).
    Config {
        #[command(subcommand)]
        verb: ConfigVerb,
    },
    /// boot-service nodes (`/boot-service/nodes`, the SMD components).
    Node {
        #[command(subcommand)]
        verb: NodeVerb,
    },
}

#[derive(clap::Subcommand)]
enum ConfigVerb {
    /// All boot configurations, or the one with this uid.
    Get { uid: Option<String> },
    /// Add configurations from the flags and/or `-d` (one, or a list: one request each).
    Add {
        #[command(flatten)]
        fields: ConfigFields,
    },
    /// Replace a configuration from the flags and/or `-d`.
    Set {
        uid: String,
        #[command(flatten)]
        fields: ConfigFields,
    },
    /// Change a configuration with a JSON merge patch of its spec (`-d`).
    Update {
        uid: String,
        /// The patch is an RFC 6902 JSON patch (a list of operations) instead.
        #[arg(long)]
        json_patch: bool,
        #[command(flatten)]
        input: Input,
    },
    /// Delete a configuration.
    Delete { uid: String },
}

/// A configuration's name, selectors and what to boot, laid over the `-d` data.
#[derive(clap::Args)]
struct ConfigFields {
    /// The configuration's name (`metadata.name`).
    #[arg(long)]
    name: Option<String>,
    /// A host xname, `*` or a prefix ending in `*`; repeatable or comma-separated.
    #[arg(long = "xname", value_delimiter = ',')]
    hosts: Vec<String>,
    /// A MAC address; repeatable or comma-separated.
    #[arg(long = "mac", value_delimiter = ',')]
    macs: Vec<String>,
    /// A NID; repeatable or comma-separated.
    #[arg(long = "nid", value_delimiter = ',')]
    nids: Vec<i64>,
    /// An SMD group; repeatable or comma-separated.
    #[arg(long = "group", value_delimiter = ',')]
    groups: Vec<String>,
    /// Kernel URL.
    #[arg(long)]
    kernel: Option<String>,
    /// Initrd URL.
    #[arg(long)]
    initrd: Option<String>,
    /// Kernel command line.
    #[arg(long)]
    params: Option<String>,
    /// 0-100; the higher wins a tie of scores.
    #[arg(long)]
    priority: Option<i32>,
    #[command(flatten)]
    input: Input,
}

impl ConfigFields {
    /// The spec keys the flags set.
    fn spec_flags(&self) -> Map<String, Value> {
        let mut o = Map::new();
        let lists = [
            ("hosts", json!(self.hosts)),
            ("macs", json!(self.macs)),
            ("nids", json!(self.nids)),
            ("groups", json!(self.groups)),
        ];
        for (k, v) in lists {
            if v.as_array().is_some_and(|a| !a.is_empty()) {
                o.insert(k.into(), v);
            }
        }
        for (k, v) in [
            ("kernel", &self.kernel),
            ("initrd", &self.initrd),
            ("params", &self.params),
        ] {
            if let Some(v) = v {
                o.insert(k.into(), json!(v));
            }
        }
        if let Some(p) = self.priority {
            o.insert("priority".into(), json!(p));
        }
        o
    }

    /// The envelopes to send: the `-d` data (one object, or a list without flags), each a
    /// flat spec or an envelope, with the flags laid over it; whether `-d` was a list.
    fn bodies(&self, what: &str) -> Result<(bool, Vec<Value>), ClientError> {
        let flags = self.spec_flags();
        let flagged = !flags.is_empty() || self.name.is_some();
        let data = if flagged {
            self.input.value(false)?.unwrap_or_else(|| json!({}))
        } else {
            self.input.required(what)?
        };
        let (many, items) = match data {
            Value::Array(_) if flagged => {
                return Err(ClientError::Input(format!(
                    "{what}: flags apply to one configuration, not to a list in -d"
                )));
            }
            Value::Array(a) => (true, a),
            v => (false, vec![v]),
        };
        let bodies = items
            .into_iter()
            .map(|d| {
                let mut b = envelope(what, d, self.name.as_deref())?;
                if let Some(n) = &self.name {
                    b["metadata"]["name"] = json!(n);
                }
                let Some(spec) = b["spec"].as_object_mut() else {
                    return Err(ClientError::Input(format!(
                        "{what}: spec must be an object"
                    )));
                };
                spec.extend(flags.clone());
                Ok(b)
            })
            .collect::<Result<_, _>>()?;
        Ok((many, bodies))
    }
}

#[derive(clap::Subcommand)]
enum NodeVerb {
    /// All nodes, or one by xname or uid (`node-<xname>`).
    Get { uid: Option<String> },
}

#[derive(clap::Subcommand)]
enum NextTarget {
    /// PXE network boot.
    Pxe(OverrideArgs),
    /// UEFI HTTP boot (UEFI mode).
    UefiHttp {
        #[command(flatten)]
        args: OverrideArgs,
        /// The boot file URL (`Boot.HttpBootUri`); else the one DHCP gives.
        #[arg(long, value_name = "URL")]
        uri: Option<String>,
    },
}

#[derive(clap::Args)]
struct OverrideArgs {
    #[command(flatten)]
    targets: Targets,
    /// Keep the override on every boot instead of the next one only.
    #[arg(long)]
    continuous: bool,
    /// Firmware boot mode to set with it, when the BMC needs it.
    #[arg(long, value_enum)]
    mode: Option<BootMode>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum BootMode {
    Uefi,
    Legacy,
}

/// Run `ochami boot ...`.
pub(crate) async fn run(args: BootArgs) -> Result<(), ClientError> {
    let c = Client::new(&args.conn)?;
    match args.cmd {
        BootCmd::Next { target } => next(&c, target).await,
        BootCmd::Config { verb } => config(&c, verb).await,
        BootCmd::Node {
            verb: NodeVerb::Get { uid },
        } => {
            let path = match uid {
                Some(u) if u.starts_with("node-") => format!("/nodes/{}", seg(&u)),
                Some(x) => format!("/nodes/node-{}", seg(&x)),
                None => "/nodes".to_owned(),
            };
            c.print_resources(Method::GET, Service::Boot, &path, None)
                .await
        }
    }
}

const CONFIGS: &str = "/bootconfigurations";

async fn config(c: &Client, verb: ConfigVerb) -> Result<(), ClientError> {
    let s = Service::Boot;
    let item = |uid: &str| format!("{CONFIGS}/{}", seg(uid));
    match verb {
        ConfigVerb::Get { uid: None } => c.print_resources(Method::GET, s, CONFIGS, None).await,
        ConfigVerb::Get { uid: Some(u) } => {
            c.print_resources(Method::GET, s, &item(&u), None).await
        }
        ConfigVerb::Add { fields } => {
            let what = "boot config add";
            let (many, items) = fields.bodies(what)?;
            let mut added = Vec::new();
            for b in items {
                if b["metadata"]["name"].as_str().is_none_or(str::is_empty) {
                    return Err(ClientError::Input(format!(
                        "{what}: every configuration needs a name"
                    )));
                }
                match c.send(Method::POST, s, CONFIGS, &[], Some(&b)).await? {
                    Body::Json(v) => added.push(v),
                    _ => {
                        return Err(ClientError::Input(format!(
                            "{what}: the server did not answer with JSON"
                        )));
                    }
                }
            }
            let out = if many {
                Value::Array(added)
            } else {
                added.pop().unwrap_or(Value::Null)
            };
            c.show_resources(Body::Json(out))
        }
        ConfigVerb::Set { uid, fields } => {
            let what = "boot config set";
            let (many, mut bodies) = fields.bodies(what)?;
            let (Some(b), false) = (bodies.pop(), many) else {
                return Err(ClientError::Input(format!(
                    "{what}: the data must be one configuration"
                )));
            };
            c.print_resources(Method::PUT, s, &item(&uid), Some(&b))
                .await
        }
        ConfigVerb::Update {
            uid,
            json_patch,
            input,
        } => {
            let patch = input.required("boot config update")?;
            let media = if json_patch {
                "application/json-patch+json"
            } else {
                "application/merge-patch+json"
            };
            let b = c
                .send_as(
                    Method::PATCH,
                    s,
                    &item(&uid),
                    &[],
                    Some(&patch),
                    Some(media),
                )
                .await?;
            c.show_resources(b)
        }
        ConfigVerb::Delete { uid } => {
            c.print_resources(Method::DELETE, s, &item(&uid), None)
                .await
        }
    }
}

/// `ochami boot next ...`.
async fn next(c: &Client, target: NextTarget) -> Result<(), ClientError> {
    let (name, args, uri) = match target {
        NextTarget::Pxe(a) => ("Pxe", a, None),
        NextTarget::UefiHttp { args, uri } => ("UefiHttp", args, uri),
    };
    let what = format!("boot next {}", name.to_ascii_lowercase());
    let nodes = args.targets.required(c, &what).await?;
    let mut body = json!({
        "target": name,
        "enabled": if args.continuous { "Continuous" } else { "Once" },
        "location": location(&nodes),
    });
    if let Some(m) = args.mode {
        body["mode"] = json!(match m {
            BootMode::Uefi => "UEFI",
            BootMode::Legacy => "Legacy",
        });
    }
    if let Some(u) = uri {
        body["httpBootUri"] = json!(u);
    }
    let Body::Json(answer) = c
        .send(
            Method::POST,
            Service::Pcs,
            "/boot-override",
            &[],
            Some(&body),
        )
        .await?
    else {
        return Err(ClientError::Input(
            "the server did not answer the boot override with JSON".into(),
        ));
    };
    print_rows(c.output, &answer, "results")?;
    let results = answer["results"].as_array().cloned().unwrap_or_default();
    let failed = results.iter().filter(|r| r["status"] == "failed").count();
    if failed > 0 {
        return Err(ClientError::NodesFailed {
            what,
            failed,
            total: results.len(),
        });
    }
    Ok(())
}
