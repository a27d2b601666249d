//! Hardware inventory at scale: a synthetic 20,000-node machine with full inventory.
//!
//! Each node has 2 CPUs, 32 DIMMs, 8 GPUs (`NodeAccel`), 4 drives and 3 HSN NICs, plus its
//! own `Node` record: 50 hardware records a node, 1,000,000 for 20,000 nodes (512 nodes a
//! cabinet, 40 cabinets). For each store backend (SQLite, Postgres; memory on request) it
//!
//! 1. ingests the machine the way `ochami discover --store` does (`Store::ingest` with the
//!    nodes' components, ethernet interfaces and hardware, one cabinet a call) and times it;
//! 2. serves `ochami serve`'s router (every production layer) on 127.0.0.1 and times, over
//!    keep-alive HTTP/1.1, `GET /hsm/v2/Inventory/Hardware?type=NodeAccel` and
//!    `GET /hsm/v2/Inventory/Hardware/Query/{cabinet}` (each answer checked: 200 and the
//!    expected number of records), two ways:
//!    - **cold**: each read follows a hardware write (one DIMM's record rewritten), so the
//!      server's kept answer is stale and the answer comes from the database;
//!    - **warm**: reads with no write between them, answered from the kept answer after
//!      one check of the database's hardware generation;
//! 3. runs the boot storm (every node fetches `GET /boot/v1/bootscript?mac=...`, as in
//!    `boot_storm.rs`) against this store and, in the same run, against a small store
//!    (10,000 nodes, no hardware inventory) on the same backend: both servers stay up and
//!    the storms alternate, small then large, `STORMS` times; the medians are compared
//!    (on 2 shared cores one storm varies by more than the 10% being measured);
//! 4. reports the store's size on disk (SQLite: the database file and its WAL; Postgres:
//!    `pg_database_size`).
//!
//! Run: `cargo bench -p ochami-benches --bench hardware_scale` (env `NODES`, `SMALL_NODES`,
//! `QUERIES`, `COLD`, `CONNS`, `ROUNDS`, `STORMS`, `BACKENDS=sqlite,postgres,memory` change
//! the defaults).
//! `cargo test --benches` runs it with 256 nodes on memory and SQLite as a smoke test.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ochami_benches::{Conn, env_or};
use ochami_core::ingest::Inventory;
use ochami_core::{
    BootParams, Component, EthernetInterface, HardwareRecord, MacAddr, Role, State, Xname,
};
use ochami_server::{AppState, Settings, router_with, serve_router_on};
use ochami_store::Store;
use serde_json::{Value, json};

/// Nodes per cabinet (8 chassis x 32 slots x 2 nodes), as in `boot_storm.rs`.
const PER_CABINET: u32 = 512;
const CPUS: u32 = 2;
const DIMMS: u32 = 32;
const GPUS: u32 = 8;
const DRIVES: u32 = 4;
const NICS: u32 = 3;
/// Hardware records a node: its own and its parts'.
const PER_NODE: u32 = 1 + CPUS + DIMMS + GPUS + DRIVES + NICS;

struct Config {
    nodes: u32,
    small_nodes: u32,
    queries: usize,
    cold: usize,
    conns: usize,
    rounds: usize,
    storms: usize,
    backends: Vec<String>,
}

fn config() -> Config {
    let bench = std::env::args().any(|a| a == "--bench");
    Config {
        nodes: env_or("NODES", if bench { 20_000 } else { 256 }),
        small_nodes: env_or("SMALL_NODES", if bench { 10_000 } else { 256 }),
        queries: env_or("QUERIES", if bench { 40 } else { 3 }),
        cold: env_or("COLD", if bench { 10 } else { 2 }),
        conns: env_or("CONNS", 128),
        rounds: env_or("ROUNDS", if bench { 3 } else { 1 }),
        storms: env_or("STORMS", if bench { 3 } else { 1 }),
        backends: env_or(
            "BACKENDS",
            if bench {
                "sqlite,postgres"
            } else {
                "memory,sqlite"
            }
            .to_owned(),
        )
        .split(',')
        .map(str::to_owned)
        .collect(),
    }
}

fn mac(i: u32) -> MacAddr {
    let b = i.to_be_bytes();
    MacAddr::new([0x02, 0x00, b[0], b[1], b[2], b[3]])
}

fn cabinet(i: u32) -> u32 {
    1000 + i / PER_CABINET
}

/// Node `i`: 512 nodes per cabinet (8 chassis x 32 slots x 2 nodes).
fn node(i: u32) -> Xname {
    Xname::node_at(cabinet(i), (i / 64) % 8, (i / 2) % 32, 0, i % 2).expect("valid node xname")
}

fn record(v: Value) -> HardwareRecord {
    let mut r: HardwareRecord = serde_json::from_value(v).expect("synthetic hardware record");
    r.normalize();
    r
}

/// The 50 hardware records of node `i`: the node, then its parts.
fn node_hardware(i: u32) -> Vec<HardwareRecord> {
    let n = node(i);
    let mut out = Vec::with_capacity(PER_NODE as usize);
    out.push(record(json!({
        "ID": n.to_string(), "Status": "Populated",
        "NodeLocationInfo": {
            "Id": "Self", "Name": "Compute node", "Hostname": format!("nid{:06}", i + 1),
            "ProcessorSummary": {"Count": CPUS, "Model": "AMD EPYC 9654 96-Core Processor"},
            "MemorySummary": {"TotalSystemMemoryGiB": DIMMS * 64}
        },
        "PopulatedFRU": {"NodeFRUInfo": {
            "Manufacturer": "Acme", "Model": "HX-8G", "PartNumber": "HX8G-100",
            "SerialNumber": format!("NODE{i:07}"), "SystemType": "Physical",
            "UUID": format!("00000000-0000-4000-8000-{i:012}")
        }}
    })));
    for p in 0..CPUS {
        out.push(record(json!({
            "ID": format!("{n}p{p}"), "Status": "Populated",
            "ProcessorLocationInfo": {"Id": format!("CPU{p}"), "Socket": format!("P{p}")},
            "PopulatedFRU": {"ProcessorFRUInfo": {
                "Manufacturer": "AMD", "Model": "AMD EPYC 9654 96-Core Processor",
                "SerialNumber": format!("CPU{i:07}{p}"), "ProcessorType": "CPU",
                "ProcessorArchitecture": "x86", "InstructionSet": "x86-64",
                "TotalCores": 96, "TotalThreads": 192, "MaxSpeedMHz": 3700
            }}
        })));
    }
    for d in 0..DIMMS {
        out.push(record(json!({
            "ID": format!("{n}d{d}"), "Status": "Populated",
            "MemoryLocationInfo": {"Id": format!("DIMM{d}"),
                "MemoryLocation": {"Socket": d / 16, "MemoryController": (d / 4) % 4, "Channel": d % 12, "Slot": d % 2}},
            "PopulatedFRU": {"MemoryFRUInfo": {
                "Manufacturer": "Micron", "PartNumber": "MTC40F2046S1RC48BA1",
                "SerialNumber": format!("DIMM{i:07}{d:02}"), "CapacityMiB": 65536,
                "MemoryDeviceType": "DDR5", "BaseModuleType": "RDIMM",
                "OperatingSpeedMhz": 4800, "ErrorCorrection": "MultiBitECC", "RankCount": 2
            }}
        })));
    }
    for a in 0..GPUS {
        out.push(record(json!({
            "ID": format!("{n}a{a}"), "Status": "Populated",
            "NodeAccelLocationInfo": {"Id": format!("GPU{a}"), "Name": "GPU"},
            "PopulatedFRU": {"NodeAccelFRUInfo": {
                "Manufacturer": "NVIDIA", "Model": "H100 SXM5 80GB", "PartNumber": "699-2G520-0200",
                "SerialNumber": format!("GPU{i:07}{a}"), "ProcessorType": "GPU"
            }}
        })));
    }
    for k in 0..DRIVES {
        out.push(record(json!({
            "ID": format!("{n}g0k{k}"), "Status": "Populated",
            "DriveLocationInfo": {"Id": format!("NVMe{k}"), "Name": "NVMe drive"},
            "PopulatedFRU": {"DriveFRUInfo": {
                "Manufacturer": "Samsung", "Model": "PM1743", "PartNumber": "MZWLO3T8HCLS",
                "SerialNumber": format!("DRV{i:07}{k}"), "CapacityBytes": 3_840_000_000_000_u64,
                "Protocol": "NVMe", "MediaType": "SSD"
            }}
        })));
    }
    for h in 0..NICS {
        out.push(record(json!({
            "ID": format!("{n}h{h}"), "Status": "Populated",
            "NodeHsnNicLocationInfo": {"Id": format!("HSN{h}"), "Name": "HSN NIC"},
            "PopulatedFRU": {"NodeHsnNicFRUInfo": {
                "Manufacturer": "Mellanox", "Model": "ConnectX-7", "PartNumber": "MCX75310AAS",
                "SerialNumber": format!("NIC{i:07}{h}")
            }}
        })));
    }
    out
}

/// Nodes `range` as one discovery would store them: components, interfaces, hardware.
fn inventory(range: std::ops::Range<u32>, hardware: bool) -> Inventory {
    let mut inv = Inventory::default();
    for i in range {
        let x = node(i);
        inv.components.push(
            Component::new(x)
                .with_state(State::Ready)
                .with_role(Role::Compute)
                .with_nid(i64::from(i) + 1),
        );
        let b = i.to_be_bytes();
        inv.ethernet_interfaces.push(EthernetInterface::new(
            mac(i),
            Some(x),
            [format!("10.{}.{}.{}", b[1], b[2], b[3])],
        ));
        if hardware {
            inv.hardware.extend(node_hardware(i));
        }
    }
    inv
}

/// Ingest `nodes` nodes a cabinet at a time; the time spent in the store.
async fn ingest(store: &dyn Store, nodes: u32, hardware: bool) -> Duration {
    let mut in_store = Duration::ZERO;
    let mut start = 0;
    while start < nodes {
        let end = (start + PER_CABINET).min(nodes);
        let inv = inventory(start..end, hardware);
        let t = Instant::now();
        store.ingest(&inv, false).await.expect("ingest a cabinet");
        in_store += t.elapsed();
        start = end;
    }
    let params = BootParams {
        hosts: vec!["Compute".into()],
        kernel: "http://172.16.0.254:8080/boot/vmlinuz-5.14.0-427.el9.x86_64".into(),
        initrd: "http://172.16.0.254:8080/boot/initramfs-5.14.0-427.el9.x86_64.img".into(),
        params: "console=ttyS0,115200 ip=dhcp root=live:http://172.16.0.254:8080/images/compute.squashfs rd.neednet=1 quiet"
            .into(),
        ..BootParams::default()
    };
    store
        .set_boot_params(&params)
        .await
        .expect("seed boot parameters");
    in_store
}

/// Latencies in milliseconds, sorted.
fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    let i = ((sorted_ms.len() as f64 - 1.0) * p).round() as usize;
    sorted_ms.get(i).copied().unwrap_or(0.0)
}

/// Latencies of one route: after a hardware write each time (cold) and without (warm).
struct Timings {
    cold_ms: Vec<f64>,
    warm_ms: Vec<f64>,
    body: Value,
    bytes: usize,
}

impl Timings {
    fn summary(&self) -> String {
        format!(
            "cold p50 {:.1} ms p99 {:.1} ms, warm p50 {:.1} ms p99 {:.1} ms",
            percentile(&self.cold_ms, 0.5),
            percentile(&self.cold_ms, 0.99),
            percentile(&self.warm_ms, 0.5),
            percentile(&self.warm_ms, 0.99),
        )
    }
}

/// `GET path` over one connection: `cold` times each right after `store` rewrote
/// `touched` (the write itself untimed), then `warm` times with no write between; sorted
/// latencies (ms), the last body and its size in bytes.
async fn timed_gets(
    addr: SocketAddr,
    store: &dyn Store,
    touched: &HardwareRecord,
    path: &str,
    cold: usize,
    warm: usize,
) -> Timings {
    let mut conn = Conn::open(addr).await.expect("connect");
    let get = async |conn: &mut Conn| {
        let t = Instant::now();
        let status = conn.get(path).await.expect("request");
        assert_eq!(status, 200, "GET {path}");
        t.elapsed().as_secs_f64() * 1000.0
    };
    let mut cold_ms = Vec::with_capacity(cold);
    for _ in 0..cold {
        store
            .put_hardware(std::slice::from_ref(touched))
            .await
            .expect("hardware write");
        cold_ms.push(get(&mut conn).await);
    }
    let mut warm_ms = Vec::with_capacity(warm);
    for _ in 0..warm {
        warm_ms.push(get(&mut conn).await);
    }
    cold_ms.sort_by(f64::total_cmp);
    warm_ms.sort_by(f64::total_cmp);
    let body = serde_json::from_slice(&conn.body).expect("JSON answer");
    Timings {
        cold_ms,
        warm_ms,
        bytes: conn.body.len(),
        body,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Records anywhere in a `Query/{xname}` answer (its `Node` array with nested parts).
fn count_records(tree: &Value) -> usize {
    match tree {
        Value::Array(items) => items.iter().map(count_records).sum(),
        Value::Object(m) if m.contains_key("ID") => {
            1 + m
                .values()
                .filter(|v| v.is_array())
                .map(count_records)
                .sum::<usize>()
        }
        Value::Object(m) => m.values().map(count_records).sum(),
        _ => 0,
    }
}

fn mib(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / 1024.0 / 1024.0)
}

struct Storm {
    rate: f64,
    p99_ms: f64,
    failures: usize,
}

/// Every node fetches its bootscript `rounds` times (after one warm-up round), over
/// `conns` connections.
async fn boot_storm(addr: SocketAddr, nodes: u32, conns: usize, rounds: usize) -> Storm {
    let one_round: Vec<String> = (0..nodes)
        .map(|i| format!("/boot/v1/bootscript?mac={}", mac(i)))
        .collect();
    let run = |paths: Arc<Vec<String>>| async move {
        let next = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let tasks: Vec<_> = (0..conns)
            .map(|_| {
                let (paths, next) = (paths.clone(), next.clone());
                tokio::spawn(async move {
                    let mut conn = Conn::open(addr).await.expect("connect");
                    let mut lat = Vec::new();
                    let mut failures = 0;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(i) else { break };
                        let t = Instant::now();
                        let status = conn.get(path).await.expect("request");
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                        failures += usize::from(
                            status != 200 || !conn.body.starts_with(b"#!ipxe\nkernel "),
                        );
                    }
                    (lat, failures)
                })
            })
            .collect();
        let (mut lat, mut failures) = (Vec::with_capacity(paths.len()), 0);
        for t in tasks {
            let (l, f) = t.await.expect("driver task");
            lat.extend(l);
            failures += f;
        }
        let wall = start.elapsed();
        lat.sort_by(f64::total_cmp);
        Storm {
            rate: paths.len() as f64 / wall.as_secs_f64(),
            p99_ms: percentile(&lat, 0.99),
            failures,
        }
    };
    run(Arc::new(one_round.clone())).await;
    let n = one_round.len() * rounds;
    run(Arc::new(one_round.into_iter().cycle().take(n).collect())).await
}

async fn open_store(backend: &str, dir: &Path, name: &str) -> Option<(Arc<dyn Store>, String)> {
    let url = match backend {
        "memory" => "memory:".to_owned(),
        "sqlite" => format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
        "postgres" => ochami_testing::postgres::fresh_database()
            .await
            .expect("postgres harness")?
            .url()
            .to_owned(),
        other => panic!("unknown backend {other:?}"),
    };
    let store = ochami_store::open(&url).await.expect("open store");
    Some((store, url))
}

/// Bytes the store takes on disk (`None` for memory).
async fn store_size(backend: &str, dir: &Path, name: &str, url: &str) -> Option<u64> {
    match backend {
        "sqlite" => Some(
            ["", "-wal", "-shm"]
                .iter()
                .filter_map(|s| std::fs::metadata(dir.join(format!("{name}.db{s}"))).ok())
                .map(|m| m.len())
                .sum(),
        ),
        "postgres" => {
            let pool = sqlx::PgPool::connect(url).await.expect("connect postgres");
            let size: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&pool)
                .await
                .expect("database size");
            pool.close().await;
            u64::try_from(size).ok()
        }
        _ => None,
    }
}

/// Serve `store` with every production layer; the address and a stop handle.
async fn serve(
    store: Arc<dyn Store>,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let state = AppState::new(store, Settings::default(), None);
    let app = router_with(state.clone(), axum::Router::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_router_on(listener, state, app, async {
        let _ = stopped.await;
    }));
    (addr, stop, server)
}

async fn run_backend(backend: &str, cfg: &Config) {
    let dir = tempfile::tempdir().expect("tempdir");

    // The small store: the boot storm's reference figure, served beside the large one.
    let Some((small, _)) = open_store(backend, dir.path(), "small").await else {
        println!("{backend:>8}: skipped (no PostgreSQL)");
        return;
    };
    ingest(small.as_ref(), cfg.small_nodes, false).await;
    let (small_addr, small_stop, small_server) = serve(small).await;

    let Some((store, url)) = open_store(backend, dir.path(), "large").await else {
        return;
    };
    let ingest_time = ingest(store.as_ref(), cfg.nodes, true).await;
    let records = u64::from(cfg.nodes) * u64::from(PER_NODE);
    let size = store_size(backend, dir.path(), "large", &url).await;
    let (addr, stop, server) = serve(store.clone()).await;
    // The write before each cold read: one DIMM of the first node, rewritten as it is.
    let touched = node_hardware(0).pop().expect("a node has parts");

    let accel = timed_gets(
        addr,
        store.as_ref(),
        &touched,
        "/hsm/v2/Inventory/Hardware?type=NodeAccel",
        cfg.cold,
        cfg.queries,
    )
    .await;
    let accel_count = accel.body.as_array().map_or(0, Vec::len);
    assert_eq!(
        accel_count,
        (cfg.nodes * GPUS) as usize,
        "NodeAccel records"
    );

    let cab = format!("x{}", cabinet(cfg.nodes / 2));
    let query = timed_gets(
        addr,
        store.as_ref(),
        &touched,
        &format!("/hsm/v2/Inventory/Hardware/Query/{cab}"),
        cfg.cold,
        cfg.queries,
    )
    .await;
    let in_cabinet = (0..cfg.nodes)
        .filter(|&i| cabinet(i) == cabinet(cfg.nodes / 2))
        .count()
        * PER_NODE as usize;
    assert_eq!(
        count_records(&query.body),
        in_cabinet,
        "records under {cab}"
    );

    let (mut small_storms, mut large_storms) = (Vec::new(), Vec::new());
    for _ in 0..cfg.storms.max(1) {
        small_storms.push(boot_storm(small_addr, cfg.small_nodes, cfg.conns, cfg.rounds).await);
        large_storms.push(boot_storm(addr, cfg.nodes, cfg.conns, cfg.rounds).await);
    }
    for (stop, server) in [(stop, server), (small_stop, small_server)] {
        let _ = stop.send(());
        server.await.expect("server task").expect("serve");
    }
    let rates = |s: &[Storm]| {
        s.iter()
            .map(|s| format!("{:.0}", s.rate))
            .collect::<Vec<_>>()
    };
    let (small_rate, large_rate) = (
        median(small_storms.iter().map(|s| s.rate).collect()),
        median(large_storms.iter().map(|s| s.rate).collect()),
    );

    println!(
        "{backend:>8}: ingest {records} records ({} nodes) in {:.1} s ({:.0} records/s) | size {} | \
         NodeAccel ({accel_count} records, {} MiB) {} | Query/{cab} ({in_cabinet} records, {} MiB) {} | \
         boot storm median {large_rate:.0} req/s (runs {:?}, p99 {:.2} ms) vs small store ({} nodes) median {small_rate:.0} req/s (runs {:?}, p99 {:.2} ms): ratio {:.2}",
        cfg.nodes,
        ingest_time.as_secs_f64(),
        records as f64 / ingest_time.as_secs_f64(),
        size.map_or("-".to_owned(), |b| format!(
            "{:.0} MiB",
            b as f64 / 1024.0 / 1024.0
        )),
        mib(accel.bytes),
        accel.summary(),
        mib(query.bytes),
        query.summary(),
        rates(&large_storms),
        median(large_storms.iter().map(|s| s.p99_ms).collect()),
        cfg.small_nodes,
        rates(&small_storms),
        median(small_storms.iter().map(|s| s.p99_ms).collect()),
        large_rate / small_rate,
    );
    for s in small_storms.iter().chain(&large_storms) {
        assert_eq!(s.failures, 0, "{backend}: boot storm failures");
    }
}

fn main() {
    let cfg = config();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "hardware scale: {} nodes x {PER_NODE} hardware records, small store {} nodes, {} cold and {} warm queries a route, {} boot storms a store of {} connections x {} rounds",
        cfg.nodes, cfg.small_nodes, cfg.cold, cfg.queries, cfg.storms, cfg.conns, cfg.rounds
    );
    rt.block_on(async {
        for backend in &cfg.backends {
            run_backend(backend, &cfg).await;
        }
    });
}
