//! `ochami smd component|compep|rfe|iface|group|partition get|add|set|delete`: SMD's
//! inventory under `/hsm/v2`.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{Client, ClientError, ConnArgs, Input, Service, seg};

/// `ochami smd`.
#[derive(clap::Args)]
pub(crate) struct SmdArgs {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(subcommand)]
    cmd: SmdCmd,
}

#[derive(clap::Subcommand)]
enum SmdCmd {
    /// State components (`/State/Components`).
    Component {
        #[command(subcommand)]
        verb: ComponentVerb,
    },
    /// Component endpoints (`/Inventory/ComponentEndpoints`), written by discovery.
    Compep {
        #[command(subcommand)]
        verb: ReadDelete,
    },
    /// Redfish endpoints, i.e. BMCs (`/Inventory/RedfishEndpoints`).
    Rfe {
        #[command(subcommand)]
        verb: RfeVerb,
    },
    /// Ethernet interfaces (`/Inventory/EthernetInterfaces`).
    Iface {
        #[command(subcommand)]
        verb: IfaceVerb,
    },
    /// Groups (`/groups`).
    Group {
        #[command(subcommand)]
        verb: SetVerb,
    },
    /// Partitions (`/partitions`).
    Partition {
        #[command(subcommand)]
        verb: SetVerb,
    },
}

/// Get or delete, for read-only collections.
#[derive(clap::Subcommand)]
enum ReadDelete {
    /// List all, or show the given ones.
    Get { ids: Vec<String> },
    /// Delete the given ones, or all with `--all`.
    Delete(DeleteArgs),
}

#[derive(clap::Args)]
struct DeleteArgs {
    /// What to delete.
    #[arg(required_unless_present = "all")]
    ids: Vec<String>,
    /// Delete everything in the collection.
    #[arg(long, conflicts_with = "ids")]
    all: bool,
}

#[derive(clap::Subcommand)]
enum ComponentVerb {
    /// List all (optionally filtered), or show the given xnames.
    Get {
        ids: Vec<String>,
        /// Filter the listing: `key=value` query parameters (`type=Node`, `role=Compute`).
        #[arg(long = "filter", value_name = "KEY=VALUE")]
        filters: Vec<String>,
    },
    /// Add components: one from the flags, or `{"Components": [...]}`, a list or one
    /// component from `-d`.
    Add {
        /// The xname of one component to add.
        xname: Option<String>,
        #[command(flatten)]
        fields: ComponentFields,
        /// Overwrite State/Flag of existing components (SMD's `Force`).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        input: Input,
    },
    /// Replace one component (`PUT`), from the flags or `-d`.
    Set {
        xname: String,
        #[command(flatten)]
        fields: ComponentFields,
        #[command(flatten)]
        input: Input,
    },
    /// Delete components.
    Delete(DeleteArgs),
}

#[derive(clap::Args)]
struct ComponentFields {
    /// Node id.
    #[arg(long)]
    nid: Option<i64>,
    /// State (`On`, `Off`, `Ready`, ...).
    #[arg(long)]
    state: Option<String>,
    /// Role (`Compute`, `Service`, ...).
    #[arg(long)]
    role: Option<String>,
    /// Architecture (`X86`, `ARM`, ...).
    #[arg(long)]
    arch: Option<String>,
    /// Enabled (`true`/`false`).
    #[arg(long)]
    enabled: Option<bool>,
}

impl ComponentFields {
    fn object(&self, xname: &str) -> Value {
        let mut o = Map::new();
        o.insert("ID".into(), json!(xname));
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                o.insert(k.into(), v);
            }
        };
        put("NID", self.nid.map(Value::from));
        put("State", self.state.clone().map(Value::from));
        put("Role", self.role.clone().map(Value::from));
        put("Arch", self.arch.clone().map(Value::from));
        put("Enabled", self.enabled.map(Value::from));
        Value::Object(o)
    }
}

#[derive(clap::Subcommand)]
enum RfeVerb {
    /// List all, or show the given BMC xnames.
    Get { ids: Vec<String> },
    /// Add an endpoint: `XNAME --host H` or an endpoint (or `{"RedfishEndpoints": [...]}`,
    /// or a discovery result with `SchemaVersion`, as Magellan posts it) from `-d`.
    Add {
        xname: Option<String>,
        /// Host name or IP of the BMC.
        #[arg(long, requires = "xname")]
        host: Option<String>,
        #[command(flatten)]
        input: Input,
    },
    /// Replace one endpoint (`PUT`) from `-d`.
    Set {
        xname: String,
        #[command(flatten)]
        input: Input,
    },
    /// Delete endpoints.
    Delete(DeleteArgs),
}

#[derive(clap::Subcommand)]
enum IfaceVerb {
    /// List all (optionally filtered), or show the given interface ids (MACs without
    /// separators).
    Get {
        ids: Vec<String>,
        /// Filter the listing: `key=value` (`ComponentID=x0c0s0b0n0`, `MACAddress=...`).
        #[arg(long = "filter", value_name = "KEY=VALUE")]
        filters: Vec<String>,
    },
    /// Add an interface: `--mac M --xname X --ip A[,NETWORK]...` or a body from `-d`.
    Add {
        /// MAC address.
        #[arg(long)]
        mac: Option<String>,
        /// The owning component.
        #[arg(long)]
        xname: Option<String>,
        /// An IP address, optionally `,NETWORK`; repeatable.
        #[arg(long = "ip", value_name = "IP[,NETWORK]")]
        ips: Vec<String>,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        input: Input,
    },
    /// Update one interface (`PATCH`) from `-d`.
    Set {
        id: String,
        #[command(flatten)]
        input: Input,
    },
    /// Delete interfaces.
    Delete(DeleteArgs),
}

/// Verbs of groups and partitions.
#[derive(clap::Subcommand)]
enum SetVerb {
    /// List all, or show the given ones.
    Get { ids: Vec<String> },
    /// Add one: `NAME --member X...` or a body from `-d`.
    Add {
        name: Option<String>,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// A member xname; repeatable.
        #[arg(long = "member", value_name = "XNAME")]
        members: Vec<String>,
        #[command(flatten)]
        input: Input,
    },
    /// Update one (`PATCH` of description/tags; with `--member`, replace the members).
    Set {
        name: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// The complete member list; repeatable.
        #[arg(long = "member", value_name = "XNAME")]
        members: Vec<String>,
        #[command(flatten)]
        input: Input,
    },
    /// Delete the given ones.
    Delete {
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

fn kv(filters: &[String]) -> Result<Vec<(&str, String)>, ClientError> {
    filters
        .iter()
        .map(|f| {
            f.split_once('=')
                .map(|(k, v)| (k, v.to_owned()))
                .ok_or_else(|| ClientError::Input(format!("--filter {f:?}: expected KEY=VALUE")))
        })
        .collect()
}

/// Wrap one object, a list, or an already wrapped body into `{key: [...]}`.
fn wrap(key: &str, v: Value) -> Value {
    match v {
        Value::Object(o) if o.contains_key(key) => Value::Object(o),
        Value::Array(a) => json!({ key: a }),
        other => json!({ key: [other] }),
    }
}

async fn get_each(
    c: &Client,
    base: &str,
    ids: &[String],
    query: &[(&str, String)],
) -> Result<(), ClientError> {
    if ids.is_empty() {
        return c.print(Method::GET, Service::Smd, base, query, None).await;
    }
    for id in ids {
        c.print(
            Method::GET,
            Service::Smd,
            &format!("{base}/{}", seg(id)),
            &[],
            None,
        )
        .await?;
    }
    Ok(())
}

async fn delete(c: &Client, base: &str, d: &DeleteArgs) -> Result<(), ClientError> {
    if d.all {
        return c.print(Method::DELETE, Service::Smd, base, &[], None).await;
    }
    for id in &d.ids {
        c.print(
            Method::DELETE,
            Service::Smd,
            &format!("{base}/{}", seg(id)),
            &[],
            None,
        )
        .await?;
    }
    Ok(())
}

/// Run `ochami smd ...`.
pub(crate) async fn run(args: SmdArgs) -> Result<(), ClientError> {
    let c = Client::new(&args.conn)?;
    match args.cmd {
        SmdCmd::Component { verb } => component(&c, verb).await,
        SmdCmd::Compep { verb } => {
            let base = "/Inventory/ComponentEndpoints";
            match verb {
                ReadDelete::Get { ids } => get_each(&c, base, &ids, &[]).await,
                ReadDelete::Delete(d) => delete(&c, base, &d).await,
            }
        }
        SmdCmd::Rfe { verb } => rfe(&c, verb).await,
        SmdCmd::Iface { verb } => iface(&c, verb).await,
        SmdCmd::Group { verb } => set_like(&c, "/groups", "label", verb).await,
        SmdCmd::Partition { verb } => set_like(&c, "/partitions", "name", verb).await,
    }
}

async fn component(c: &Client, verb: ComponentVerb) -> Result<(), ClientError> {
    let base = "/State/Components";
    match verb {
        ComponentVerb::Get { ids, filters } => get_each(c, base, &ids, &kv(&filters)?).await,
        ComponentVerb::Add {
            xname,
            fields,
            force,
            input,
        } => {
            let mut body = match xname {
                Some(x) => json!({"Components": [fields.object(&x)]}),
                None => wrap("Components", input.required("smd component add")?),
            };
            if force {
                body["Force"] = json!(true);
            }
            c.print(Method::POST, Service::Smd, base, &[], Some(&body))
                .await
        }
        ComponentVerb::Set {
            xname,
            fields,
            input,
        } => {
            let component = match input.value(false)? {
                Some(v) => v,
                None => fields.object(&xname),
            };
            let body = json!({"Component": component, "Force": true});
            c.print(
                Method::PUT,
                Service::Smd,
                &format!("{base}/{}", seg(&xname)),
                &[],
                Some(&body),
            )
            .await
        }
        ComponentVerb::Delete(d) => delete(c, base, &d).await,
    }
}

async fn rfe(c: &Client, verb: RfeVerb) -> Result<(), ClientError> {
    let base = "/Inventory/RedfishEndpoints";
    match verb {
        RfeVerb::Get { ids } => get_each(c, base, &ids, &[]).await,
        RfeVerb::Add { xname, host, input } => {
            let body = match (xname, host) {
                (Some(x), Some(h)) => {
                    json!({"RedfishEndpoints": [{"ID": x, "FQDN": h, "Hostname": h}]})
                }
                (Some(_), None) => {
                    return Err(ClientError::Input("smd rfe add XNAME needs --host".into()));
                }
                _ => match input.required("smd rfe add")? {
                    // A discovery result (Magellan's body) goes as is: the server expands it.
                    v if v.get("SchemaVersion").is_some() => v,
                    v => wrap("RedfishEndpoints", v),
                },
            };
            c.print(Method::POST, Service::Smd, base, &[], Some(&body))
                .await
        }
        RfeVerb::Set { xname, input } => {
            let body = input.required("smd rfe set")?;
            c.print(
                Method::PUT,
                Service::Smd,
                &format!("{base}/{}", seg(&xname)),
                &[],
                Some(&body),
            )
            .await
        }
        RfeVerb::Delete(d) => delete(c, base, &d).await,
    }
}

async fn iface(c: &Client, verb: IfaceVerb) -> Result<(), ClientError> {
    let base = "/Inventory/EthernetInterfaces";
    match verb {
        IfaceVerb::Get { ids, filters } => get_each(c, base, &ids, &kv(&filters)?).await,
        IfaceVerb::Add {
            mac,
            xname,
            ips,
            description,
            input,
        } => {
            let body = match mac {
                Some(m) => {
                    let ips: Vec<Value> = ips
                        .iter()
                        .map(|i| match i.split_once(',') {
                            Some((ip, net)) => json!({"IPAddress": ip, "Network": net}),
                            None => json!({"IPAddress": i}),
                        })
                        .collect();
                    json!({
                        "MACAddress": m,
                        "ComponentID": xname.unwrap_or_default(),
                        "Description": description.unwrap_or_default(),
                        "IPAddresses": ips,
                    })
                }
                None => input.required("smd iface add (or --mac)")?,
            };
            c.print(Method::POST, Service::Smd, base, &[], Some(&body))
                .await
        }
        IfaceVerb::Set { id, input } => {
            let body = input.required("smd iface set")?;
            c.print(
                Method::PATCH,
                Service::Smd,
                &format!("{base}/{}", seg(&id)),
                &[],
                Some(&body),
            )
            .await
        }
        IfaceVerb::Delete(d) => delete(c, base, &d).await,
    }
}

async fn set_like(c: &Client, base: &str, key: &str, verb: SetVerb) -> Result<(), ClientError> {
    match verb {
        SetVerb::Get { ids } => get_each(c, base, &ids, &[]).await,
        SetVerb::Add {
            name,
            description,
            members,
            input,
        } => {
            let body = match name {
                Some(n) => json!({
                    key: n,
                    "description": description.unwrap_or_default(),
                    "members": {"ids": members},
                }),
                None => input.required(&format!("smd {} add", &base[1..base.len() - 1]))?,
            };
            c.print(Method::POST, Service::Smd, base, &[], Some(&body))
                .await
        }
        SetVerb::Set {
            name,
            description,
            members,
            input,
        } => {
            let path = format!("{base}/{}", seg(&name));
            let patch = match (input.value(false)?, description) {
                (Some(v), _) => Some(v),
                (None, Some(d)) => Some(json!({"description": d})),
                (None, None) => None,
            };
            if patch.is_none() && members.is_empty() {
                return Err(ClientError::Input(
                    "nothing to set: give --description, --member or -d".into(),
                ));
            }
            if let Some(p) = patch {
                c.print(Method::PATCH, Service::Smd, &path, &[], Some(&p))
                    .await?;
            }
            if !members.is_empty() {
                if base == "/groups" {
                    let body = json!({"ids": members});
                    c.print(
                        Method::PUT,
                        Service::Smd,
                        &format!("{path}/members"),
                        &[],
                        Some(&body),
                    )
                    .await?;
                } else {
                    return Err(ClientError::Input(
                        "partition members are added with add; --member is for groups".into(),
                    ));
                }
            }
            Ok(())
        }
        SetVerb::Delete { ids } => {
            for id in ids {
                c.print(
                    Method::DELETE,
                    Service::Smd,
                    &format!("{base}/{}", seg(&id)),
                    &[],
                    None,
                )
                .await?;
            }
            Ok(())
        }
    }
}
