//! Power load driver: power-cycle 1,000 simulated nodes (one BMC each, 20 ms per request,
//! credentials and Redfish sessions) with `power_many` at concurrency 200, compared with
//! the latency-bound ideal `nodes x requests-per-node x latency / min(concurrency, nodes)`;
//! then the same with a one-time PXE boot override set before each reset.
//!
//! `cargo bench -p ochami-benches --bench power` (env `NODES`, `LATENCY_MS`, `CONCURRENCY`
//! override the defaults). Needs ~4 file descriptors per node (`ulimit -n` >= 8192 for
//! 1,000 nodes).

use std::sync::Arc;
use std::time::{Duration, Instant};

use ochami_redfish::power::{
    BootOverride, OperationOptions, PowerOperation, PowerOptions, PowerTarget, ResetType,
    power_many,
};
use ochami_redfish::sim::{SimBmcConfig, SimFleet, SyntheticBmc};
use ochami_redfish::{Credentials, HttpTransport, RetryPolicy, TransportOptions};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn run(nodes: usize, latency: Duration, concurrency: usize, pxe: bool) {
    let creds = Credentials::new("root", "bench-password");
    let fleet = SimFleet::spawn(nodes, |i| {
        SimBmcConfig::shared(Arc::new(SyntheticBmc::new(i as u32, 1).build()))
            .latency(latency)
            .credentials(creds.clone())
    })
    .await
    .expect("spawn fleet");
    let targets: Vec<PowerTarget> = fleet
        .bmcs()
        .iter()
        .enumerate()
        .map(|(i, b)| {
            PowerTarget::new(
                format!("x1000c0s{i}b0n0"),
                b.base_url(),
                Some(creds.clone()),
            )
            .system("/redfish/v1/Systems/Node0")
        })
        .collect();
    let transport = Arc::new(
        HttpTransport::new(&TransportOptions {
            connect_timeout: Some(Duration::from_secs(5)),
            ..TransportOptions::default()
        })
        .expect("transport"),
    );
    let options = PowerOptions {
        concurrency,
        request_timeout: Duration::from_secs(30),
        node_deadline: Duration::from_secs(120),
        retry: RetryPolicy::none(),
        operation: OperationOptions {
            wait: true,
            poll_interval: Duration::from_millis(100),
            ..OperationOptions::default()
        },
        boot_override: pxe.then(BootOverride::pxe_once),
        ..PowerOptions::default()
    };
    let started = Instant::now();
    let outcomes = power_many(
        transport,
        targets,
        PowerOperation::HardRestart,
        &options,
        |_| {},
    )
    .await;
    let elapsed = started.elapsed();
    let failed: Vec<_> = outcomes.iter().filter_map(|o| o.error()).collect();
    assert!(failed.is_empty(), "failures: {failed:?}");
    for o in &outcomes {
        let done = o.value().expect("done");
        assert_eq!(done.report.sent, [ResetType::ForceRestart]);
    }
    let requests: u64 = fleet.bmcs().iter().map(|b| b.stats().requests).sum();
    let resets: u64 = fleet.bmcs().iter().map(|b| b.stats().reset_actions).sum();
    assert_eq!(resets, nodes as u64, "one reset per node");
    let per = requests as f64 / nodes as f64;
    let ideal = nodes as f64 * per * latency.as_secs_f64() / concurrency.min(nodes) as f64;
    let ratio = elapsed.as_secs_f64() / ideal;
    println!(
        "hard-restart{}: {:.2} s for {nodes} nodes, {requests} requests ({per:.1}/node); latency-bound ideal {ideal:.2} s; ratio {ratio:.2} ({}); VmHWM {:.1} MB, VmRSS {:.1} MB",
        if pxe { " + PXE once" } else { "" },
        elapsed.as_secs_f64(),
        if ratio <= 2.0 { "within 2x" } else { "OVER 2x" },
        status_kb("VmHWM:") as f64 / 1024.0,
        status_kb("VmRSS:") as f64 / 1024.0,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs a quick smoke test.
    let quick = !std::env::args().any(|a| a == "--bench");
    let nodes = env("NODES", if quick { 20 } else { 1000 }) as usize;
    let latency = Duration::from_millis(env("LATENCY_MS", 20));
    let concurrency = env("CONCURRENCY", 200) as usize;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        println!(
            "power bench: {nodes} nodes (one BMC each), {} ms/request, concurrency {concurrency}, {} cores",
            latency.as_millis(),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        run(nodes, latency, concurrency, false).await;
        run(nodes, latency, concurrency, true).await;
    });
    println!(
        "peak memory (VmHWM): {:.1} MB",
        status_kb("VmHWM:") as f64 / 1024.0
    );
}
