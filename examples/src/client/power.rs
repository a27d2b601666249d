//! `ochami power on|off|reset|status XNAME... [--group G]`: power control through a
//! server's PCS routes (`/power-control/v1`).
//!
//! `on`, `off` and `reset` start a transition (`POST /transitions`), then poll
//! `GET /transitions/{id}` until it ends, with a progress line on stderr when stderr is a
//! terminal, and print each node's task. `status` reads `GET /power-status`. Nodes are
//! the xnames given plus the members of every `--group`. A node that fails makes the
//! command exit 2 after printing every result (as `discover` does for failed BMCs);
//! a refused request exits 1 with the problem on one line.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use super::{Body, Client, ClientError, ConnArgs, Output, Service, io, seg};

/// `ochami power`.
#[derive(clap::Args)]
pub(crate) struct PowerArgs {
    #[command(flatten)]
    conn: ConnArgs,
    #[command(subcommand)]
    cmd: PowerCmd,
}

#[derive(clap::Subcommand)]
enum PowerCmd {
    /// Power nodes on (PCS `on`).
    On(TransitionArgs),
    /// Power nodes off: gracefully (PCS `soft-off`), or at once with `--force`
    /// (`force-off`).
    Off {
        #[command(flatten)]
        transition: TransitionArgs,
        /// Cut the power instead of asking the OS to shut down.
        #[arg(long)]
        force: bool,
    },
    /// Restart nodes: off then on (PCS `hard-restart`), or gracefully with `--soft`
    /// (`soft-restart`).
    Reset {
        #[command(flatten)]
        transition: TransitionArgs,
        /// Ask the OS to restart instead of cycling the power.
        #[arg(long)]
        soft: bool,
    },
    /// Each node's power state as its BMC reports it now (every node without arguments).
    Status(Targets),
}

/// The nodes a command acts on.
#[derive(Clone, clap::Args)]
pub(crate) struct Targets {
    /// Node xnames.
    pub(crate) xnames: Vec<String>,
    /// Also every member of this SMD group; repeatable.
    #[arg(short = 'g', long = "group", value_name = "GROUP")]
    pub(crate) groups: Vec<String>,
}

#[derive(clap::Args)]
struct TransitionArgs {
    #[command(flatten)]
    targets: Targets,
    /// Print the transition's id once it is accepted instead of waiting for it.
    #[arg(long)]
    no_wait: bool,
    /// Limit for each node, in minutes (PCS `taskDeadlineMinutes`; server default 5).
    #[arg(long, value_name = "MINUTES")]
    deadline: Option<i64>,
}

impl Targets {
    /// The xnames given and the members of the groups, in order, without repeats.
    pub(crate) async fn resolve(&self, c: &Client) -> Result<Vec<String>, ClientError> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut push = |x: String| {
            if seen.insert(x.clone()) {
                out.push(x);
            }
        };
        for x in &self.xnames {
            push(x.clone());
        }
        for g in &self.groups {
            let path = format!("/groups/{}/members", seg(g));
            let body = c.send(Method::GET, Service::Smd, &path, &[], None).await?;
            let Body::Json(v) = body else {
                return Err(ClientError::Input(format!(
                    "group {g}: the server's member list is not JSON"
                )));
            };
            for id in v["ids"].as_array().into_iter().flatten() {
                if let Some(x) = id.as_str() {
                    push(x.to_owned());
                }
            }
        }
        Ok(out)
    }

    /// [`resolve`](Self::resolve), refusing an empty result.
    pub(crate) async fn required(
        &self,
        c: &Client,
        what: &str,
    ) -> Result<Vec<String>, ClientError> {
        let nodes = self.resolve(c).await?;
        if nodes.is_empty() {
            return Err(ClientError::Input(if self.groups.is_empty() {
                format!("{what}: give at least one xname or --group")
            } else {
                format!(
                    "{what}: the groups {} have no members",
                    self.groups.join(", ")
                )
            }));
        }
        Ok(nodes)
    }
}

/// `[{"xname": x}, ...]`, PCS's `location`.
pub(crate) fn location(nodes: &[String]) -> Value {
    Value::Array(nodes.iter().map(|x| json!({ "xname": x })).collect())
}

/// Run `ochami power ...`.
pub(crate) async fn run(args: PowerArgs) -> Result<(), ClientError> {
    let c = Client::new(&args.conn)?;
    let (operation, transition) = match args.cmd {
        PowerCmd::Status(targets) => return status(&c, &targets).await,
        PowerCmd::On(t) => ("on", t),
        PowerCmd::Off { transition, force } => {
            (if force { "force-off" } else { "soft-off" }, transition)
        }
        PowerCmd::Reset { transition, soft } => (
            if soft { "soft-restart" } else { "hard-restart" },
            transition,
        ),
    };
    let what = format!("power {operation}");
    let nodes = transition.targets.required(&c, &what).await?;
    let mut body = json!({"operation": operation, "location": location(&nodes)});
    if let Some(m) = transition.deadline {
        body["taskDeadlineMinutes"] = json!(m);
    }
    let Body::Json(created) = c
        .send(Method::POST, Service::Pcs, "/transitions", &[], Some(&body))
        .await?
    else {
        return Err(ClientError::Input(
            "the server did not answer the transition with JSON".into(),
        ));
    };
    let id = created["transitionID"]
        .as_str()
        .ok_or_else(|| ClientError::Input("the server's answer has no transitionID".into()))?
        .to_owned();
    if transition.no_wait {
        return c.output.print(&Body::Json(created));
    }
    let done = wait(&c, &id, &what).await?;
    let result = transition_result(&done);
    print_rows(c.output, &result, "tasks")?;
    let total = result["tasks"].as_array().map_or(0, Vec::len);
    let failed = result["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["taskStatus"] != "succeeded")
        .count();
    if failed > 0 {
        return Err(ClientError::NodesFailed {
            what,
            failed,
            total,
        });
    }
    Ok(())
}

/// Poll the transition until it is completed or aborted.
async fn wait(c: &Client, id: &str, what: &str) -> Result<Value, ClientError> {
    let path = format!("/transitions/{}", seg(id));
    let progress = std::io::stderr().is_terminal();
    let mut delay = Duration::from_millis(100);
    loop {
        let Body::Json(t) = c.send(Method::GET, Service::Pcs, &path, &[], None).await? else {
            return Err(ClientError::Input(format!(
                "transition {id}: the server's answer is not JSON"
            )));
        };
        let counts = &t["taskCounts"];
        let n = |k: &str| counts[k].as_u64().unwrap_or(0);
        let ended = n("succeeded") + n("failed") + n("un-supported");
        let status = t["transitionStatus"].as_str().unwrap_or_default();
        let over = matches!(status, "completed" | "aborted");
        if progress {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r{what}: {ended}/{} done, {} failed{}",
                n("total"),
                n("failed") + n("un-supported"),
                if over { "\n" } else { "" }
            );
            let _ = err.flush();
        }
        if over {
            return Ok(t);
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(1));
    }
}

/// What the command prints of an ended transition: everything but its times.
fn transition_result(t: &Value) -> Value {
    let mut out = t.clone();
    if let Some(o) = out.as_object_mut() {
        o.remove("createTime");
        o.remove("automaticExpirationTime");
    }
    out
}

/// Print `whole` as JSON/YAML, or the list under `rows` as a table.
pub(crate) fn print_rows(output: Output, whole: &Value, rows: &str) -> Result<(), ClientError> {
    match output {
        Output::Table => {
            let text = io::table(&whole[rows]);
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            Ok(())
        }
        other => other.print(&Body::Json(whole.clone())),
    }
}

async fn status(c: &Client, targets: &Targets) -> Result<(), ClientError> {
    let nodes = targets.resolve(c).await?;
    if nodes.is_empty() && !targets.groups.is_empty() {
        return Err(ClientError::Input(format!(
            "power status: the groups {} have no members",
            targets.groups.join(", ")
        )));
    }
    let query: Vec<(&str, String)> = nodes.into_iter().map(|x| ("xname", x)).collect();
    c.print(Method::GET, Service::Pcs, "/power-status", &query, None)
        .await
}
