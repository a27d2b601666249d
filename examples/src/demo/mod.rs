//! `ochami demo`: the whole stack in one command, on loopback, from a fresh clone.
//!
//! 1. Starts simulated BMCs built into the binary ([`ochami_redfish::sim::presets`]): an EX-style blade, an
//!    iLO-style rack server, an OpenBMC-style server and three synthetic multi-node BMCs,
//!    each on its own loopback port, each requiring a (demo) user name and password.
//! 2. Discovers them exactly as `ochami discover` does, giving them xnames from a MAC-keyed
//!    xname map, and ingests every BMC's inventory into the store (`--store`, default
//!    `sqlite://ochami.db`).
//! 3. Stores boot parameters (`Default` plus one node-specific override) and cloud-init
//!    data ([`seed`]).
//! 4. Starts the `ochami serve` server in-process, fetches a node's iPXE script and
//!    cloud-init meta-data over HTTP, prints them with an inventory summary and what to try
//!    next, then shuts down (or keeps serving with `--serve`).
//!
//! Running the demo again on the same store is safe: inventory is re-ingested with
//! `force` (same xnames, same MACs), and boot parameters, the `compute` group and its
//! cloud-init data are replaced, so a second run ends in the same state as the first.

mod seed;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ochami_core::Xname;
use ochami_redfish::discovery::discover_targets;
use ochami_redfish::sim::presets::{self, Preset};
use ochami_redfish::sim::{SimBmc, SimBmcConfig};
use ochami_redfish::{Credentials, DiscoveryOptions, DiscoveryReport, XnameAssigner, XnameMap};
use ochami_server::{AppState, Settings, serve_on};

use crate::discover::{Progress, Sink, WriteOutcome, table};

/// The user name the demo's simulated BMCs require.
const BMC_USER: &str = "demo";
/// The password the demo's simulated BMCs require (a demo value, printed on purpose).
const BMC_PASSWORD: &str = "demo-password";

/// Flags of `ochami demo`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct DemoArgs {
    /// Store URL: `sqlite://path` (created if missing), `memory:` or `postgres://...`.
    #[arg(long, default_value = "sqlite://ochami.db")]
    pub(crate) store: String,
    /// Address of the demo server (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub(crate) listen: SocketAddr,
    /// Keep the server (and the simulated BMCs) running until Ctrl-C.
    #[arg(long)]
    pub(crate) serve: bool,
}

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum DemoError {
    /// A simulated BMC could not start.
    #[error("cannot start the simulated BMCs: {0}")]
    Sim(ochami_redfish::Error),
    /// Discovery could not run.
    #[error("discovery failed: {0}")]
    Discovery(ochami_redfish::Error),
    /// Some simulated BMCs were not discovered or not stored.
    #[error("{failed} of {total} simulated BMCs failed:\n{details}")]
    Incomplete {
        /// Failed BMCs.
        failed: usize,
        /// All BMCs.
        total: usize,
        /// One line per failure.
        details: String,
    },
    /// The store could not be opened or written.
    #[error("store {url}: {source}")]
    Store {
        /// The store URL, password redacted.
        url: String,
        /// Why.
        source: ochami_store::StoreError,
    },
    /// The server could not listen.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A request to the demo server failed.
    #[error("GET {url}: {message}")]
    Fetch {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
}

/// `ochami demo`: run it, print everything, return the exit code.
pub(crate) async fn run(args: DemoArgs) -> ExitCode {
    match demo(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A discovered BMC, for the summary.
struct Found {
    label: String,
    xname: Xname,
    target: String,
    nodes: Vec<Xname>,
    macs: usize,
}

async fn demo(args: &DemoArgs) -> Result<(), DemoError> {
    let started = Instant::now();
    let store_err = |source| DemoError::Store {
        url: ochami_store::redact(&args.store),
        source,
    };

    // 1. Simulated BMCs.
    let credentials = Credentials::new(BMC_USER, BMC_PASSWORD);
    let flavours = presets::demo_fleet();
    let mut bmcs = Vec::with_capacity(flavours.len());
    let mut map = XnameMap::new();
    for f in &flavours {
        let config = SimBmcConfig::new(f.tree.clone()).credentials(credentials.clone());
        bmcs.push(SimBmc::spawn(config).await.map_err(DemoError::Sim)?);
        // The demo's own literals; a clash would be a bug in the presets.
        map.insert(&f.bmc_mac.to_string(), f.xname).map_err(|m| {
            DemoError::Sim(ochami_redfish::Error::Sim(format!("demo xname map: {m}")))
        })?;
    }
    println!(
        "Started {} simulated BMCs on 127.0.0.1 (user {BMC_USER:?}, password {BMC_PASSWORD:?}).",
        bmcs.len()
    );

    // 2. Discovery into the store.
    let store = ochami_store::open(&args.store).await.map_err(store_err)?;
    let options = DiscoveryOptions {
        credentials: Some(credentials),
        assigner: XnameAssigner::map_then_generate(map),
        request_timeout: Duration::from_secs(5),
        bmc_deadline: Duration::from_secs(20),
        ..DiscoveryOptions::default()
    };
    let targets: Vec<_> = bmcs.iter().map(SimBmc::target).collect();
    let progress = Progress::silent();
    let report = discover_targets(targets, &options, progress.handler())
        .await
        .map_err(DemoError::Discovery)?;
    let sink = Sink::Store {
        store: store.clone(),
        force: true,
    };
    let writes = sink.write_all(&report, &progress).await;
    let found = check(&report, &writes, &flavours)?;
    let nodes: Vec<Xname> = found.iter().flat_map(|f| f.nodes.iter().copied()).collect();
    println!(
        "Discovered {} BMCs, {} nodes, {} MACs and stored them in {} ({} ms).\n",
        found.len(),
        nodes.len(),
        found.iter().map(|f| f.macs).sum::<usize>(),
        ochami_store::redact(&args.store),
        report.elapsed_ms
    );
    print!("{}", inventory_table(&found));

    // 3. Boot parameters and cloud-init data.
    // The node shown: the blade's first node (x1000c0s0b0n0), which gets its own boot
    // parameters on top of `Default`.
    let special = nodes.first().copied();
    if let Some(special) = special {
        seed::boot_params(store.as_ref(), special)
            .await
            .map_err(store_err)?;
    }
    seed::cloud_init(store.as_ref(), &nodes)
        .await
        .map_err(store_err)?;

    // 4. The server, and a node's view of it.
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|source| DemoError::Listen {
            addr: args.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| DemoError::Listen {
        addr: args.listen,
        source,
    })?;
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(
        store.clone(),
        Settings {
            base_url: base.clone(),
            ..Settings::default()
        },
        None,
    );
    let server = tokio::spawn(serve_on(listener, state, async {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| DemoError::Fetch {
            url: base.clone(),
            message: e.to_string(),
        })?;
    let shown = special.and_then(|x| node_mac(&report, x).map(|m| (x, m)));
    let mut try_next = vec![
        format!("curl -s {base}/hsm/v2/State/Components"),
        format!("curl -s {base}/hsm/v2/Inventory/EthernetInterfaces"),
        format!("curl -s {base}/boot/v1/bootparameters"),
    ];
    if let Some((xname, mac)) = &shown {
        let script_url = format!("{base}/boot/v1/bootscript?mac={mac}");
        let script = get(&client, &script_url).await?;
        println!(
            "\niPXE script of {xname} (GET {script_url}):\n{}",
            indent(&script)
        );
        let meta_url = meta_data_url(&base, *xname);
        let meta = get(&client, &meta_url).await?;
        println!(
            "cloud-init meta-data of {xname} (GET {meta_url}):\n{}",
            indent(&meta)
        );
        try_next.push(format!("curl -s '{script_url}'"));
        try_next.push(format!("curl -s {meta_url}"));
    }
    if let Some(other) = nodes.iter().find(|n| Some(**n) != special) {
        try_next.push(format!(
            "curl -s '{base}/boot/v1/bootscript?name={other}'   # the Default parameters"
        ));
    }

    println!(
        "Try next{}:",
        if args.serve {
            ""
        } else {
            " (after `ochami demo --serve`, which keeps this server and the simulated BMCs up;\n  ports change between runs)"
        }
    );
    for line in &try_next {
        println!("  {line}");
    }
    if let Some(bmc) = bmcs.first() {
        println!(
            "  OCHAMI_BMC_PASSWORD={BMC_PASSWORD} ochami discover --host {} --username {BMC_USER}   # report only; add --json",
            bmc.base_url()
        );
    }
    println!(
        "  ochami serve --dhcp-interface eth1 --dhcp-server-ip 10.0.0.1 --tftp-root /usr/lib/ipxe --boot-files /srv/boot   # netboot real nodes (DHCP, TFTP, kernels over HTTP)"
    );
    println!("\nDemo done in {:.2} s.", started.elapsed().as_secs_f64());

    if args.serve {
        println!("Serving on {base} with the simulated BMCs up; Ctrl-C stops.");
        ochami_server::shutdown_signal().await;
    }
    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_secs(5), server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(source))) => return Err(DemoError::Listen { addr, source }),
        Ok(Err(e)) => eprintln!("warning: server task: {e}"),
        Err(_) => eprintln!("warning: the server did not stop within 5 s"),
    }
    for bmc in bmcs {
        bmc.shutdown();
    }
    Ok(())
}

/// Pairs outcomes with flavours (same order as the targets) and fails on any failure.
fn check(
    report: &DiscoveryReport,
    writes: &[WriteOutcome],
    flavours: &[Preset],
) -> Result<Vec<Found>, DemoError> {
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for ((o, w), f) in report.outcomes.iter().zip(writes).zip(flavours) {
        match (o.inventory(), w) {
            (Some(inv), WriteOutcome::Written { .. }) => found.push(Found {
                label: f.label.clone(),
                xname: inv.xname,
                target: o.target.to_string(),
                nodes: inv.nodes(),
                macs: inv.inventory.ethernet_interfaces.len(),
            }),
            (Some(_), WriteOutcome::Failed { error }) => {
                failures.push(format!("  {} ({}): {error}", f.label, o.target))
            }
            (Some(_), WriteOutcome::Skipped) => {
                failures.push(format!("  {} ({}): not written", f.label, o.target))
            }
            (None, _) => {
                let why = o.error().map(|e| e.to_string()).unwrap_or_default();
                failures.push(format!("  {} ({}): {why}", f.label, o.target));
            }
        }
    }
    if failures.is_empty() {
        Ok(found)
    } else {
        Err(DemoError::Incomplete {
            failed: failures.len(),
            total: report.outcomes.len(),
            details: failures.join("\n"),
        })
    }
}

fn inventory_table(found: &[Found]) -> String {
    let mut rows = vec![[
        "BMC".to_owned(),
        "KIND".into(),
        "SIMULATED AT".into(),
        "MACS".into(),
        "NODES".into(),
    ]];
    for f in found {
        let nodes: Vec<String> = f.nodes.iter().map(|n| n.to_string()).collect();
        rows.push([
            f.xname.to_string(),
            f.label.clone(),
            f.target.clone(),
            f.macs.to_string(),
            if nodes.is_empty() {
                "-".into()
            } else {
                nodes.join(" ")
            },
        ]);
    }
    table(&rows)
}

/// The MAC of a node's first interface with one, from the crawl.
fn node_mac(report: &DiscoveryReport, node: Xname) -> Option<String> {
    report
        .inventories()
        .flat_map(|i| &i.inventory.ethernet_interfaces)
        .find(|e| e.component_id == Some(node))
        .map(|e| e.mac_address.to_string())
}

/// Where a node's cloud-init meta-data can be read from another host: the impersonation
/// route of the admin API.
fn meta_data_url(base: &str, node: Xname) -> String {
    format!("{base}/cloud-init/admin/impersonation/{node}/meta-data")
}

async fn get(client: &reqwest::Client, url: &str) -> Result<String, DemoError> {
    let fail = |message: String| DemoError::Fetch {
        url: url.to_owned(),
        message,
    };
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    let status = resp.status();
    let body = resp.text().await.map_err(|e| fail(e.to_string()))?;
    if !status.is_success() {
        return Err(fail(format!("HTTP {}: {}", status.as_u16(), body.trim())));
    }
    Ok(body)
}

fn indent(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    out
}
