//! Discovery load driver: 1,000 simulated BMCs (2 systems each, 20 ms per request) crawled
//! with concurrency 200, compared with the latency-bound ideal
//! `BMCs x requests-per-BMC x latency / min(concurrency, BMCs)`; then the same fleet with 10% of the
//! BMCs hanging, which must end within the per-BMC deadline with exactly those failed; then
//! the deep hardware crawl (issue 14: 2 nodes x (2 CPUs, 16 DIMMs, 4 GPUs) per BMC) with and
//! without `$expand` offered, each with its requests per node and its memory: there the
//! simulated fleet runs in a child process (this binary again, `DISCOVERY_FLEET_CHILD`), so
//! the peak memory read is the discovery's alone.
//!
//! `cargo bench -p ochami-benches --bench discovery` (env `BMCS`, `LATENCY_MS`,
//! `CONCURRENCY`, `DEADLINE_MS` override the defaults; `HARDWARE_ONLY=1` runs only the
//! hardware scenarios). Needs ~4 file descriptors per BMC
//! (`ulimit -n` >= 8192 for 1,000 BMCs).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ochami_redfish::discovery::{DiscoveryReport, discover_targets};
use ochami_redfish::sim::{FaultKind, Faults, SimBmcConfig, SimFleet, SyntheticBmc};
use ochami_redfish::{Credentials, DiscoveryOptions, ErrorKind, RetryPolicy, ScanTarget, Scheme};

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

fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

struct Run {
    elapsed: Duration,
    requests: u64,
    expand_requests: u64,
    hardware: usize,
    /// `VmRSS` (MB) of this process when the discovery starts (with the simulated fleet
    /// when it runs here).
    fleet_rss_mb: f64,
    failed: BTreeSet<usize>,
    kinds: BTreeSet<ErrorKind>,
}

/// What each simulated node holds and whether its BMC offers `$expand`.
#[derive(Clone, Copy)]
struct Shape {
    processors: u32,
    dimms: u32,
    gpus: u32,
    expand: bool,
}

/// The default synthetic node (2 CPUs, 4 DIMMs, no GPU), no `$expand`.
const PLAIN: Shape = Shape {
    processors: 2,
    dimms: 4,
    gpus: 0,
    expand: false,
};

fn bmc(i: usize, shape: Shape) -> SyntheticBmc {
    let mut b = SyntheticBmc::new(i as u32, 2);
    b.processors = shape.processors;
    b.dimms = shape.dimms;
    b.gpus = shape.gpus;
    b.advertise_expand = shape.expand;
    b
}

/// Reset the process's peak RSS (`VmHWM`) so the next scenario's peak is its own.
fn reset_peak_memory() {
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        eprintln!("note: cannot reset VmHWM; peaks accumulate across scenarios");
    }
}

async fn run(
    bmcs: usize,
    latency: Duration,
    concurrency: usize,
    per_bmc: usize,
    deadline: Duration,
    shape: Shape,
    faulty: &dyn Fn(usize) -> bool,
) -> Run {
    let creds = bench_credentials();
    let fleet = SimFleet::spawn(bmcs, |i| {
        let mut c = SimBmcConfig::shared(Arc::new(bmc(i, shape).build()))
            .latency(latency)
            .credentials(creds.clone());
        if faulty(i) {
            c = c.faults(Faults::always(FaultKind::Hang));
        }
        c
    })
    .await
    .expect("spawn fleet");
    let (report, elapsed, fleet_rss_mb) =
        crawl(fleet.targets(), concurrency, per_bmc, deadline).await;
    let requests = fleet.bmcs().iter().map(|b| b.stats().requests).sum();
    let expand_requests = fleet.bmcs().iter().map(|b| b.stats().expand_requests).sum();
    run_of(&report, elapsed, fleet_rss_mb, requests, expand_requests)
}

/// Discover `targets` with the bench's options, the process's peak memory reset first:
/// the report, the wall time and `VmRSS` (MB) at the start.
async fn crawl(
    targets: Vec<ScanTarget>,
    concurrency: usize,
    per_bmc: usize,
    deadline: Duration,
) -> (DiscoveryReport, Duration, f64) {
    let options = DiscoveryOptions {
        credentials: Some(bench_credentials()),
        scheme: Scheme::Http,
        concurrency,
        per_bmc_parallelism: per_bmc,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(30),
        bmc_deadline: deadline,
        retry: RetryPolicy::none(),
        ..DiscoveryOptions::default()
    };
    reset_peak_memory();
    let fleet_rss_mb = status_kb("VmRSS:") as f64 / 1024.0;
    let started = Instant::now();
    let report = discover_targets(targets, &options, |_| {})
        .await
        .expect("discovery");
    (report, started.elapsed(), fleet_rss_mb)
}

/// What a run found: failed targets, error kinds and hardware records (every healthy BMC
/// must have 2 nodes), with the fleet's request counts.
fn run_of(
    report: &DiscoveryReport,
    elapsed: Duration,
    fleet_rss_mb: f64,
    requests: u64,
    expand_requests: u64,
) -> Run {
    let failed = report
        .outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| o.error().is_some())
        .map(|(i, _)| i)
        .collect();
    let kinds = report.failures().map(|(_, e)| e.kind).collect();
    let mut hardware = 0;
    for inv in report.inventories() {
        assert_eq!(inv.nodes().len(), 2, "every healthy BMC has 2 nodes");
        hardware += inv.inventory.hardware.len();
    }
    Run {
        elapsed,
        requests,
        expand_requests,
        hardware,
        fleet_rss_mb,
        failed,
        kinds,
    }
}

/// The environment variable that makes this binary a fleet child: `<bmcs>,<latency ms>,
/// <processors>,<dimms>,<gpus>,<expand 0|1>`.
const FLEET_CHILD: &str = "DISCOVERY_FLEET_CHILD";

fn bench_credentials() -> Credentials {
    Credentials::new("root", "bench-password")
}

/// Child mode: serve a healthy fleet of `spec`'s shape, print each BMC's port on a line,
/// then on any line from stdin print `<requests> <$expand requests>` and exit.
fn fleet_child(spec: &str) {
    let v: Vec<u64> = spec
        .split(',')
        .map(|p| p.parse().expect(FLEET_CHILD))
        .collect();
    let [bmcs, latency, processors, dimms, gpus, expand] = v[..] else {
        panic!("{FLEET_CHILD}: six numbers, got {spec:?}");
    };
    let shape = Shape {
        processors: processors as u32,
        dimms: dimms as u32,
        gpus: gpus as u32,
        expand: expand == 1,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let creds = bench_credentials();
        let fleet = SimFleet::spawn(bmcs as usize, |i| {
            SimBmcConfig::shared(Arc::new(bmc(i, shape).build()))
                .latency(Duration::from_millis(latency))
                .credentials(creds.clone())
        })
        .await
        .expect("spawn fleet");
        let mut out = std::io::stdout().lock();
        for t in fleet.targets() {
            writeln!(out, "{}", t.port).expect("stdout");
        }
        out.flush().expect("stdout");
        drop(out);
        let mut line = String::new();
        tokio::task::spawn_blocking(move || std::io::stdin().lock().read_line(&mut line))
            .await
            .expect("stdin task")
            .expect("stdin");
        let requests: u64 = fleet.bmcs().iter().map(|b| b.stats().requests).sum();
        let expand: u64 = fleet.bmcs().iter().map(|b| b.stats().expand_requests).sum();
        println!("{requests} {expand}");
    });
}

/// [`run`] of a healthy fleet with the fleet in a child process: this process holds only
/// the discovery, so its peak memory is the discovery's.
async fn run_fleet_apart(
    bmcs: usize,
    latency: Duration,
    concurrency: usize,
    per_bmc: usize,
    shape: Shape,
) -> Run {
    let spec = format!(
        "{bmcs},{},{},{},{},{}",
        latency.as_millis(),
        shape.processors,
        shape.dimms,
        shape.gpus,
        u8::from(shape.expand)
    );
    let mut child = Command::new(std::env::current_exe().expect("this binary"))
        .env(FLEET_CHILD, spec)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the fleet child");
    let mut from_child = BufReader::new(child.stdout.take().expect("child stdout"));
    let mut line = String::new();
    let mut targets = Vec::with_capacity(bmcs);
    while targets.len() < bmcs {
        line.clear();
        assert!(
            from_child.read_line(&mut line).expect("child stdout") > 0,
            "the fleet child stopped after {} BMCs",
            targets.len()
        );
        let port: u16 = line.trim().parse().expect("a port");
        targets.push(ScanTarget::new(Scheme::Http, "127.0.0.1", port));
    }
    let (report, elapsed, fleet_rss_mb) =
        crawl(targets, concurrency, per_bmc, Duration::from_secs(120)).await;
    let mut to_child = child.stdin.take().expect("child stdin");
    writeln!(to_child, "stats").expect("child stdin");
    line.clear();
    from_child.read_line(&mut line).expect("child stats");
    let counts: Vec<u64> = line
        .split_whitespace()
        .map(|n| n.parse().expect("a count"))
        .collect();
    assert_eq!(counts.len(), 2, "child stats {line:?}");
    assert!(child.wait().expect("child exit").success());
    run_of(&report, elapsed, fleet_rss_mb, counts[0], counts[1])
}

fn main() {
    if let Ok(spec) = std::env::var(FLEET_CHILD) {
        fleet_child(&spec);
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing special. Keep
    // the test build quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let bmcs = env("BMCS", if quick { 20 } else { 1000 }) as usize;
    let latency = Duration::from_millis(env("LATENCY_MS", 20));
    let concurrency = env("CONCURRENCY", 200) as usize;
    let deadline = Duration::from_millis(env("DEADLINE_MS", 3000));
    if let Some(limit) = open_files_limit()
        && limit < (bmcs as u64) * 4 + 512
    {
        eprintln!(
            "warning: open-file limit {limit} is low for {bmcs} BMCs; raise it with `ulimit -n 16384`"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        println!(
            "discovery bench: {bmcs} BMCs x 2 systems, {} ms/request, concurrency {concurrency}, {} cores",
            latency.as_millis(),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        // HARDWARE_ONLY=1: only the deep hardware crawl, so its memory is read in a fresh
        // process.
        let plain = env("HARDWARE_ONLY", 0) == 0;
        for per_bmc in [1usize, 4].into_iter().filter(|_| plain) {
            let r = run(bmcs, latency, concurrency, per_bmc, Duration::from_secs(120), PLAIN, &|_| false).await;
            let per = r.requests as f64 / bmcs as f64;
            let ideal = bmcs as f64 * per * latency.as_secs_f64() / concurrency.min(bmcs) as f64;
            let ratio = r.elapsed.as_secs_f64() / ideal;
            println!(
                "healthy, {per_bmc} request(s) in flight per BMC: {:.2} s for {} requests ({per:.1}/BMC); latency-bound ideal {ideal:.2} s; ratio {ratio:.2} ({})",
                r.elapsed.as_secs_f64(),
                r.requests,
                if ratio <= 2.0 { "within 2x" } else { "OVER 2x" },
            );
            assert!(r.failed.is_empty(), "healthy run had failures: {:?}", r.failed);
            println!(
                "  memory so far: VmHWM {:.1} MB, VmRSS {:.1} MB",
                status_kb("VmHWM:") as f64 / 1024.0,
                status_kb("VmRSS:") as f64 / 1024.0
            );
        }
        let faulty = |i: usize| i % 10 == 3;
        if plain {
        let r = run(bmcs, latency, concurrency, 4, deadline, PLAIN, &faulty).await;
        let expected: BTreeSet<usize> = (0..bmcs).filter(|i| faulty(*i)).collect();
        println!(
            "10% hanging (deadline {} ms): {:.2} s; failed {} of {} (exactly the hanging ones: {}; kinds {:?})",
            deadline.as_millis(),
            r.elapsed.as_secs_f64(),
            r.failed.len(),
            bmcs,
            r.failed == expected,
            r.kinds,
        );
        assert_eq!(r.failed, expected);
        assert_eq!(r.kinds, BTreeSet::from([ErrorKind::Timeout]));
        }

        // Issue 14: the deep hardware crawl, 2 nodes x (2 CPUs, 16 DIMMs, 4 GPUs) per BMC,
        // with and without `$expand` offered by the BMCs.
        for expand in [false, true] {
            let shape = Shape {
                processors: 2,
                dimms: 16,
                gpus: 4,
                expand,
            };
            let r = run_fleet_apart(bmcs, latency, concurrency, 4, shape).await;
            assert!(r.failed.is_empty(), "hardware run had failures: {:?}", r.failed);
            // Per node: the node, 2 CPUs, 16 DIMMs, 4 GPUs.
            let per_node_records = 1 + 2 + 16 + 4;
            assert!(
                r.hardware >= bmcs * 2 * per_node_records,
                "{} hardware records for {bmcs} BMCs",
                r.hardware
            );
            let per = r.requests as f64 / bmcs as f64;
            let ideal = bmcs as f64 * per * latency.as_secs_f64() / concurrency.min(bmcs) as f64;
            let ratio = r.elapsed.as_secs_f64() / ideal;
            println!(
                "hardware 2 x (2 CPU, 16 DIMM, 4 GPU), $expand {}: {:.2} s for {} requests ({per:.1}/BMC, {:.1}/node, {} with $expand); ideal {ideal:.2} s; ratio {ratio:.2} ({}); {} hardware records; fleet in a child process; this process: VmRSS {:.1} MB at the start, peak VmHWM during the discovery {:.1} MB (rise {:.1} MB)",
                if expand { "offered" } else { "not offered" },
                r.elapsed.as_secs_f64(),
                r.requests,
                per / 2.0,
                r.expand_requests,
                if ratio <= 2.0 { "within 2x" } else { "OVER 2x" },
                r.hardware,
                r.fleet_rss_mb,
                status_kb("VmHWM:") as f64 / 1024.0,
                status_kb("VmHWM:") as f64 / 1024.0 - r.fleet_rss_mb,
            );
        }
    });
    println!(
        "peak memory (VmHWM): {:.1} MB",
        status_kb("VmHWM:") as f64 / 1024.0
    );
}
