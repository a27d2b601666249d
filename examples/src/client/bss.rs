//! `ochami bss boot params get|add|set|update|delete` and `ochami bss boot script get`:
//! BSS under `/boot/v1`.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{Client, ClientError, ConnArgs, Input, Service};

/// `ochami bss`.
#[derive(clap::Args)]
pub(crate) struct BssArgs {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(subcommand)]
    cmd: BssCmd,
}

#[derive(clap::Subcommand)]
enum BssCmd {
    /// Boot parameters and scripts.
    Boot {
        #[command(subcommand)]
        what: BootCmd,
    },
}

#[derive(clap::Subcommand)]
enum BootCmd {
    /// Boot parameters (`/bootparameters`).
    Params {
        #[command(subcommand)]
        verb: ParamsVerb,
    },
    /// The iPXE script a node gets (`/bootscript`).
    Script {
        #[command(subcommand)]
        verb: ScriptVerb,
    },
}

/// Which hosts, and what to boot them with.
#[derive(clap::Args)]
struct ParamsFields {
    /// A host xname (or `Default`); repeatable or comma-separated.
    #[arg(long = "xname", value_delimiter = ',')]
    hosts: Vec<String>,
    /// A MAC address; repeatable or comma-separated.
    #[arg(long = "mac", value_delimiter = ',')]
    macs: Vec<String>,
    /// A NID; repeatable or comma-separated.
    #[arg(long = "nid", value_delimiter = ',')]
    nids: Vec<i64>,
    /// Kernel URL.
    #[arg(long)]
    kernel: Option<String>,
    /// Initrd URL.
    #[arg(long)]
    initrd: Option<String>,
    /// Kernel command line.
    #[arg(long)]
    params: Option<String>,
    #[command(flatten)]
    input: Input,
}

impl ParamsFields {
    fn named(&self) -> bool {
        !(self.hosts.is_empty() && self.macs.is_empty() && self.nids.is_empty())
    }

    /// The body: `-d` data, with any flags laid over it.
    fn body(&self, what: &str) -> Result<Value, ClientError> {
        let base = if self.named() {
            self.input.value(false)?
        } else {
            Some(self.input.required(what)?)
        };
        let mut o = match base {
            Some(Value::Object(o)) => o,
            Some(_) => {
                return Err(ClientError::Input(format!(
                    "{what}: the data must be one JSON/YAML object"
                )));
            }
            None => Map::new(),
        };
        let mut put = |k: &str, v: Value| {
            o.insert(k.to_owned(), v);
        };
        if !self.hosts.is_empty() {
            put("hosts", json!(self.hosts));
        }
        if !self.macs.is_empty() {
            put("macs", json!(self.macs));
        }
        if !self.nids.is_empty() {
            put("nids", json!(self.nids));
        }
        if let Some(k) = &self.kernel {
            put("kernel", json!(k));
        }
        if let Some(i) = &self.initrd {
            put("initrd", json!(i));
        }
        if let Some(p) = &self.params {
            put("params", json!(p));
        }
        Ok(Value::Object(o))
    }
}

#[derive(clap::Subcommand)]
enum ParamsVerb {
    /// All boot parameters, or those of the given hosts, MACs or NIDs.
    Get {
        /// A host xname; repeatable or comma-separated.
        #[arg(long = "xname", value_delimiter = ',')]
        hosts: Vec<String>,
        /// A MAC address; repeatable or comma-separated.
        #[arg(long = "mac", value_delimiter = ',')]
        macs: Vec<String>,
        /// A NID; repeatable or comma-separated.
        #[arg(long = "nid", value_delimiter = ',')]
        nids: Vec<String>,
    },
    /// Add boot parameters (`POST`; refused when the hosts have some).
    Add(ParamsFields),
    /// Set boot parameters (`PUT`: replace or create).
    Set(ParamsFields),
    /// Update boot parameters (`PATCH`: only the given fields).
    Update(ParamsFields),
    /// Delete the boot parameters of the given hosts, MACs or NIDs.
    Delete(ParamsFields),
}

#[derive(clap::Subcommand)]
enum ScriptVerb {
    /// Print the iPXE script for a MAC, xname or NID.
    Get {
        /// MAC address.
        #[arg(long, group = "who")]
        mac: Option<String>,
        /// xname.
        #[arg(long, group = "who")]
        xname: Option<String>,
        /// NID.
        #[arg(long, group = "who")]
        nid: Option<i64>,
    },
}

/// Run `ochami bss ...`.
pub(crate) async fn run(args: BssArgs) -> Result<(), ClientError> {
    let c = Client::new(&args.conn)?;
    let BssCmd::Boot { what } = args.cmd;
    let path = "/bootparameters";
    match what {
        BootCmd::Params { verb } => match verb {
            ParamsVerb::Get { hosts, macs, nids } => {
                let mut q = Vec::new();
                if !hosts.is_empty() {
                    q.push(("name", hosts.join(",")));
                }
                if !macs.is_empty() {
                    q.push(("mac", macs.join(",")));
                }
                if !nids.is_empty() {
                    q.push(("nid", nids.join(",")));
                }
                c.print(Method::GET, Service::Bss, path, &q, None).await
            }
            ParamsVerb::Add(f) => {
                let b = f.body("bss boot params add")?;
                c.print(Method::POST, Service::Bss, path, &[], Some(&b))
                    .await
            }
            ParamsVerb::Set(f) => {
                let b = f.body("bss boot params set")?;
                c.print(Method::PUT, Service::Bss, path, &[], Some(&b))
                    .await
            }
            ParamsVerb::Update(f) => {
                let b = f.body("bss boot params update")?;
                c.print(Method::PATCH, Service::Bss, path, &[], Some(&b))
                    .await
            }
            ParamsVerb::Delete(f) => {
                let b = f.body("bss boot params delete")?;
                c.print(Method::DELETE, Service::Bss, path, &[], Some(&b))
                    .await
            }
        },
        BootCmd::Script {
            verb: ScriptVerb::Get { mac, xname, nid },
        } => {
            let q = match (mac, xname, nid) {
                (Some(m), _, _) => ("mac", m),
                (_, Some(x), _) => ("name", x),
                (_, _, Some(n)) => ("nid", n.to_string()),
                _ => {
                    return Err(ClientError::Input(
                        "bss boot script get: give --mac, --xname or --nid".into(),
                    ));
                }
            };
            c.print(Method::GET, Service::Bss, "/bootscript", &[q], None)
                .await
        }
    }
}
