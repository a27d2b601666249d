//! `ochami boot next pxe|uefi-http XNAME... [--group G]`: a one-time network boot on the
//! nodes' next start, set on their BMCs through the server
//! (`POST /power-control/v1/boot-override`, an ochami route beside PCS's).
//!
//! Usually followed by `ochami power reset`. Each node's result is printed; a node that
//! failed makes the command exit 2, a refused request exits 1.

use reqwest::Method;
use serde_json::json;

use super::power::{Targets, location, print_rows};
use super::{Body, Client, ClientError, ConnArgs, Service};

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
    let BootCmd::Next { target } = args.cmd;
    let (name, args, uri) = match target {
        NextTarget::Pxe(a) => ("Pxe", a, None),
        NextTarget::UefiHttp { args, uri } => ("UefiHttp", args, uri),
    };
    let what = format!("boot next {}", name.to_ascii_lowercase());
    let nodes = args.targets.required(&c, &what).await?;
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
