//! Boot storm: every node of a 10,000-node system fetches its iPXE bootscript at once.
//!
//! One process runs `ochami serve`'s router (with every production layer: metrics, auth
//! check, body limit, problem bodies) on 127.0.0.1 and a load driver with many keep-alive
//! connections. For each store backend (memory, SQLite, Postgres) it
//!
//! 1. seeds 10,000 nodes (distinct MACs, one ethernet interface each, role `Compute`) and
//!    boot parameters stored under the role tag, so each lookup walks MAC -> interface ->
//!    component -> MAC/xname/NID/role parameters;
//! 2. runs `GET /boot/v1/bootscript?mac=<mac>` for every node (one warm-up round, then the
//!    measured rounds), checking each answer is a 200 script;
//! 3. in the same run, drives `GET /boot/v1/service/fixed-bootscript`, a route added only
//!    here that answers a fixed string of the same size through the same layers: the
//!    ceiling of the HTTP stack on this machine;
//! 4. times `GET /hsm/v2/State/Components` listing all 10,000 components.
//!
//! The driver is a minimal HTTP/1.1 keep-alive client (write a request, read headers and
//! `Content-Length` bytes), so that it takes as little CPU as possible from the server it
//! shares the machine with.
//!
//! Run: `cargo bench -p ochami-benches --bench boot_storm` (env `NODES`, `CONNS`, `ROUNDS`,
//! `BACKENDS=memory,sqlite,postgres`, `PARAMS=role|node` change the defaults). `cargo test --benches` runs it
//! with 300 nodes as a smoke test.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;
use ochami_benches::{Conn, env_or};
use ochami_core::ingest::Inventory;
use ochami_core::{BootParams, Component, EthernetInterface, MacAddr, Role, State, Xname};
use ochami_server::{AppState, Settings, router_with, serve_router_on};
use ochami_store::Store;

struct Config {
    nodes: u32,
    /// `role`: one entry under `Compute`; `node`: one entry per node xname.
    params: String,
    conns: usize,
    rounds: usize,
    backends: Vec<String>,
}

fn config() -> Config {
    let bench = std::env::args().any(|a| a == "--bench");
    let default_backends = if bench {
        "memory,sqlite,postgres"
    } else {
        "memory,sqlite"
    };
    Config {
        nodes: env_or("NODES", if bench { 10_000 } else { 300 }),
        params: env_or("PARAMS", "role".to_owned()),
        conns: env_or("CONNS", 128),
        rounds: env_or("ROUNDS", if bench { 3 } else { 1 }),
        backends: env_or("BACKENDS", default_backends.to_owned())
            .split(',')
            .map(str::to_owned)
            .collect(),
    }
}

fn mac(i: u32) -> MacAddr {
    let b = i.to_be_bytes();
    MacAddr::new([0x02, 0x00, b[0], b[1], b[2], b[3]])
}

/// Node `i`: 512 nodes per cabinet (8 chassis x 32 slots x 2 nodes).
fn node(i: u32) -> Xname {
    Xname::node_at(1000 + i / 512, (i / 64) % 8, (i / 2) % 32, 0, i % 2).expect("valid node xname")
}

async fn seed(store: &dyn Store, nodes: u32, per_node: bool) {
    let mut inv = Inventory::default();
    for i in 0..nodes {
        let x = node(i);
        inv.components.push(
            Component::new(x)
                .with_state(State::Ready)
                .with_role(Role::Compute)
                .with_nid(i64::from(i) + 1),
        );
        let b = i.to_be_bytes();
        let ip = format!("10.{}.{}.{}", b[1], b[2], b[3]);
        inv.ethernet_interfaces
            .push(EthernetInterface::new(mac(i), Some(x), [ip]));
    }
    store.ingest(&inv, false).await.expect("seed nodes");
    let hosts = if per_node {
        (0..nodes).map(|i| node(i).to_string()).collect()
    } else {
        vec!["Compute".into()]
    };
    let params = BootParams {
        hosts,
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
}

struct Outcome {
    requests: usize,
    failures: usize,
    wall: Duration,
    latencies_us: Vec<u32>,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.wall.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us.get(i).copied().unwrap_or(0) as f64 / 1000.0
    }
}

/// Send every path once, over `conns` connections, as fast as the server answers.
async fn storm(
    addr: SocketAddr,
    paths: Arc<Vec<String>>,
    conns: usize,
    expect_len: Option<usize>,
) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..conns)
        .map(|_| {
            let (paths, next) = (paths.clone(), next.clone());
            tokio::spawn(async move {
                let mut conn = Conn::open(addr).await.expect("connect");
                let mut lat = Vec::with_capacity(paths.len() / conns + 1);
                let mut failures = 0;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let t = Instant::now();
                    let status = conn.get(path).await.expect("request");
                    lat.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                    let ok = status == 200
                        && conn.body.starts_with(b"#!ipxe\nkernel ")
                        && expect_len.is_none_or(|n| n == conn.body.len());
                    failures += usize::from(!ok);
                }
                (lat, failures)
            })
        })
        .collect();
    let mut latencies_us = Vec::with_capacity(paths.len());
    let mut failures = 0;
    for t in tasks {
        let (lat, f) = t.await.expect("driver task");
        latencies_us.extend(lat);
        failures += f;
    }
    let wall = start.elapsed();
    latencies_us.sort_unstable();
    Outcome {
        requests: paths.len(),
        failures,
        wall,
        latencies_us,
    }
}

async fn open_store(backend: &str, dir: &std::path::Path) -> Option<Arc<dyn Store>> {
    let url = match backend {
        "memory" => "memory:".to_owned(),
        "sqlite" => format!("sqlite://{}", dir.join("storm.db").display()),
        "postgres" => ochami_testing::postgres::fresh_database()
            .await
            .expect("postgres harness")?
            .url()
            .to_owned(),
        other => panic!("unknown backend {other:?}"),
    };
    Some(ochami_store::open(&url).await.expect("open store"))
}

async fn run_backend(backend: &str, cfg: &Config) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(store) = open_store(backend, dir.path()).await else {
        println!("{backend:>8}: skipped (no PostgreSQL)");
        return;
    };
    let t = Instant::now();
    seed(store.as_ref(), cfg.nodes, cfg.params == "node").await;
    let seeded = t.elapsed();

    // The fixed answer is a real bootscript, so both routes send the same bytes.
    let probe_state = AppState::new(store.clone(), Settings::default(), None);
    let req = ochami_boot::BootRequest::mac(mac(0));
    let res = ochami_boot::resolve(store.as_ref(), &req)
        .await
        .expect("resolve");
    let script =
        ochami_boot::render_script(&res, &req, probe_state.boot_options()).expect("render");
    let fixed = Bytes::from(script.clone());

    let state = AppState::new(store.clone(), Settings::default(), None);
    let extra = axum::Router::new().route(
        "/boot/v1/service/fixed-bootscript",
        get(move || {
            let body = fixed.clone();
            async move { ([(header::CONTENT_TYPE, "text/plain; charset=UTF-8")], body) }
        }),
    );
    let app = router_with(state.clone(), extra);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_router_on(listener, state, app, async {
        let _ = stopped.await;
    }));

    let n = cfg.nodes as usize;
    let one_round: Vec<String> = (0..cfg.nodes)
        .map(|i| format!("/boot/v1/bootscript?mac={}", mac(i)))
        .collect();
    let boot_paths: Arc<Vec<String>> = Arc::new(
        one_round
            .iter()
            .cycle()
            .take(n * cfg.rounds)
            .cloned()
            .collect(),
    );
    let fixed_paths = Arc::new(vec![
        "/boot/v1/service/fixed-bootscript".to_owned();
        n * cfg.rounds
    ]);

    // Warm-up: one round of each.
    storm(addr, Arc::new(one_round.clone()), cfg.conns, None).await;
    storm(addr, Arc::new(fixed_paths[..n].to_vec()), cfg.conns, None).await;
    let boot = storm(addr, boot_paths, cfg.conns, None).await;
    let ceiling = storm(addr, fixed_paths, cfg.conns, Some(script.len())).await;

    // Listing every component, over one connection, five times.
    let mut conn = Conn::open(addr).await.expect("connect");
    let mut list_ms = Vec::new();
    let mut list_bytes = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let status = conn.get("/hsm/v2/State/Components").await.expect("list");
        list_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200, "listing components");
        list_bytes = conn.body.len();
    }
    list_ms.sort_by(f64::total_cmp);

    let _ = stop.send(());
    server.await.expect("server task").expect("serve");

    println!(
        "{backend:>8}: bootscript {:>7.0} req/s p50 {:>5.2} ms p99 {:>6.2} ms ({} failed) | fixed {:>7.0} req/s p50 {:>5.2} ms p99 {:>6.2} ms | ratio {:.2} | list {} components {:.1} ms median, {:.1} ms max ({} KiB) | seeded in {:.1} s | script {} B",
        boot.rate(),
        boot.percentile(0.5),
        boot.percentile(0.99),
        boot.failures,
        ceiling.rate(),
        ceiling.percentile(0.5),
        ceiling.percentile(0.99),
        boot.rate() / ceiling.rate(),
        n,
        list_ms[list_ms.len() / 2],
        list_ms[list_ms.len() - 1],
        list_bytes / 1024,
        seeded.as_secs_f64(),
        script.len(),
    );
    assert_eq!(boot.failures, 0, "{backend}: failed bootscript requests");
    assert_eq!(ceiling.failures, 0, "{backend}: failed fixed requests");
}

fn main() {
    let cfg = config();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "boot storm: {} nodes x {} rounds, boot parameters per {}, {} connections, {} worker threads",
        cfg.nodes,
        cfg.rounds,
        cfg.params,
        cfg.conns,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    rt.block_on(async {
        for backend in &cfg.backends {
            run_backend(backend, &cfg).await;
        }
    });
}
