//! `ochami`: the OpenCHAMI-compatible server and tools.
//!
//! ```text
//! ochami serve --store sqlite://ochami.db --listen 127.0.0.1:27779
//! ```
//!
//! The client subcommands (`smd`, `bss`, `cloud-init`, `discover static`, `power`, `boot
//! next`) drive a running server: `ochami smd component get --cluster-uri http://127.0.0.1:27779`.
//!
//! Every flag has an environment fallback (`OCHAMI_LISTEN`, `OCHAMI_STORE`, ...); logging
//! follows `RUST_LOG` (default `info`) in the `--log-format` chosen.

#![allow(
    clippy::result_large_err,
    reason = "configuration errors carry ochami_redfish::Error whole; they happen once per run"
)]

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
mod client;
mod demo;
mod discover;
mod netboot;
mod serve;
mod store_cmd;

/// OpenCHAMI-compatible cluster management: SMD, BSS and cloud-init in one server.
#[derive(Parser)]
#[command(name = "ochami", version, about)]
struct Cli {
    /// Log format on stderr.
    #[arg(long, env = "OCHAMI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve SMD v2 (/hsm/v2), BSS (/boot/v1) and cloud-init (/cloud-init) from one store.
    Serve(serve::ServeArgs),
    /// Find BMCs over Redfish (Magellan-like) and store their inventory or send it to a
    /// server; `discover static` registers the nodes of a nodes.yaml.
    #[command(args_conflicts_with_subcommands = true)]
    Discover {
        #[command(flatten)]
        scan: discover::DiscoverArgs,
        #[command(subcommand)]
        sub: Option<client::discover_static::DiscoverSub>,
    },
    /// Client of SMD (/hsm/v2): components, endpoints, interfaces, groups, partitions.
    Smd(client::smd::SmdArgs),
    /// Client of BSS (/boot/v1): boot parameters and scripts.
    Bss(client::bss::BssArgs),
    /// Client of cloud-init (/cloud-init/admin): defaults, group and node data.
    CloudInit(client::cloud_init::CloudInitArgs),
    /// Power nodes on, off or reset, or read their power state, through the server's PCS
    /// routes (`/power-control/v1`).
    Power(client::power::PowerArgs),
    /// Boot control of nodes through the server (`boot next pxe XNAME...`) and boot-service
    /// (/boot-service): boot configurations and nodes.
    Boot(client::boot::BootArgs),
    /// Client of metadata-service (/metadata-service): defaults, groups, instance info.
    Metadata(client::metadata::MetadataArgs),
    /// Print a shell completion script.
    Completions(client::docs::CompletionArgs),
    /// Write man pages for every subcommand into a directory.
    Man(client::docs::ManArgs),
    /// Simulated BMCs -> discovery -> store -> server -> a node's iPXE script and cloud-init.
    Demo(demo::DemoArgs),
    /// Back up, restore or move a store: export, import, migrate (snapshots).
    Store(store_cmd::StoreArgs),
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // Discovery reports BMC failures itself; the library's per-BMC lines would repeat them.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,ochami_redfish=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run(command: Command) -> ExitCode {
    match command {
        Command::Serve(args) => match ochami_server::serve(args.into()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ochami serve: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Discover {
            sub: Some(client::discover_static::DiscoverSub::Static(args)),
            ..
        } => client::finish(client::discover_static::run(args).await),
        Command::Discover { scan, sub: None } => discover::run(scan).await,
        Command::Smd(args) => client::finish(client::smd::run(args).await),
        Command::Bss(args) => client::finish(client::bss::run(args).await),
        Command::CloudInit(args) => client::finish(client::cloud_init::run(args).await),
        Command::Power(args) => client::finish(client::power::run(args).await),
        Command::Boot(args) => client::finish(client::boot::run(args).await),
        Command::Metadata(args) => client::finish(client::metadata::run(args).await),
        Command::Completions(args) => client::docs::completions::<Cli>(args),
        Command::Man(args) => client::docs::man::<Cli>(args),
        Command::Demo(args) => demo::run(args).await,
        Command::Store(args) => store_cmd::run(args).await,
    }
}

fn main() -> ExitCode {
    // Usage errors exit 1 (exit 2 means "some BMCs failed" for `discover`); --help and
    // --version print and exit 0 as usual.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ochami: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli.command))
}
