//! The machine view at 20,000 nodes: first paint and JS heap in headless Chromium.
//!
//! One process seeds a memory store with `NODES` nodes (default 20,000: 25 cabinets x 8
//! chassis x 25 slots x 2 BMCs x 2 nodes, every node with a NID, a role, one ethernet
//! interface with an IP, and its BMC as a `NodeBMC` component; states spread over
//! Ready/On/Off/Standby/Halt), serves every route (the page included) on 127.0.0.1, and
//! opens `/ui/` in Debian's `chromium` driven over the DevTools pipe (the same driver as the
//! browser test, `ochami-server/tests/it/ui/chromium.rs`). For each of `RUNS` fresh browsers
//! (default 3) it reports:
//!
//! - `first-contentful-paint` (the page's first pixels: header, legend);
//! - `machine drawn`: navigation start until every node has been laid out and drawn on the
//!   canvas the first time (the `machine-drawn` performance mark), which includes fetching and
//!   parsing the 20,000 components and interfaces;
//! - JS heap used (`Performance.getMetrics` `JSHeapUsedSize`) after the first draw and after
//!   a forced garbage collection;
//! - how long a state change through the API (a Ready node halts) takes to show on the
//!   page (it polls every second).
//!
//! Run: `cargo bench -p ochami-benches --bench ui` (env `NODES`, `RUNS`; `OCHAMI_CHROMIUM`
//! names the browser, default `/usr/bin/chromium`). Skips with a notice when Chromium is
//! missing. `cargo test --benches` runs it with 500 nodes as a smoke test.

#[path = "../../ochami-server/tests/it/ui/chromium.rs"]
mod chromium;

use std::time::{Duration, Instant};

use ochami_core::ingest::Inventory;
use ochami_core::{Component, EthernetInterface, MacAddr, Role, State, Xname};
use ochami_server::{AppState, Settings, serve_on};
use ochami_store::Store;

fn env_num(key: &str, default: u32) -> u32 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn node_xname(i: u32) -> Xname {
    let (n, i) = (i % 2, i / 2);
    let (b, i) = (i % 2, i / 2);
    let (s, i) = (i % 25, i / 25);
    let (c, cab) = (i % 8, i / 8);
    format!("x{}c{c}s{s}b{b}n{n}", 1000 + cab)
        .parse()
        .expect("node xname")
}

async fn seed(store: &dyn Store, nodes: u32) {
    let states = [
        State::Ready,
        State::Ready,
        State::On,
        State::Off,
        State::Standby,
        State::Halt,
    ];
    let mut inv = Inventory::default();
    for i in 0..nodes {
        let x = node_xname(i);
        if i % 2 == 0 {
            let bmc: Xname = x.to_string()[..x.to_string().len() - 2]
                .parse()
                .expect("bmc xname");
            inv.components
                .push(Component::new(bmc).with_state(State::Ready));
        }
        let role = if i % 100 == 0 {
            Role::Management
        } else {
            Role::Compute
        };
        inv.components.push(
            Component::new(x)
                .with_state(states[(i as usize / 7) % states.len()])
                .with_role(role)
                .with_nid(i64::from(i) + 1),
        );
        let b = i.to_be_bytes();
        let mac: MacAddr = format!("02:00:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3])
            .parse()
            .expect("mac");
        let ip = format!("10.{}.{}.{}", b[1], b[2], b[3]);
        inv.ethernet_interfaces
            .push(EthernetInterface::new(mac, Some(x), [ip]));
    }
    store.ingest(&inv, false).await.expect("seed nodes");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let smoke = std::env::args().any(|a| a == "--test" || a == "--list")
        || !std::env::args().any(|a| a == "--bench");
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let nodes = env_num("NODES", if smoke { 500 } else { 20_000 });
    let runs = env_num("RUNS", if smoke { 1 } else { 3 });
    let Some(chromium) = chromium::chromium_path() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium is not installed (apt-get install chromium) and CI=true"
        );
        eprintln!("NOTICE: chromium not installed (apt-get install chromium); ui bench skipped");
        return;
    };
    let store = ochami_store::open("memory:").await.expect("store");
    seed(store.as_ref(), nodes).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state = AppState::new(store.clone(), Settings::default(), None);
    tokio::spawn(serve_on(listener, state, std::future::pending()));

    let t = Instant::now();
    let body = http_get(addr, "/hsm/v2/State/Components").await;
    println!(
        "GET /hsm/v2/State/Components: {} bytes in {:.0} ms",
        body,
        t.elapsed().as_secs_f64() * 1e3
    );
    let (mut fcp, mut drawn, mut after_fetch, mut heap, mut heap_gc, mut live) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for run in 0..runs {
        let mut b =
            chromium::Browser::open(&chromium, &format!("http://{addr}/ui/"), 1400, 900).await;
        let d = b
            .wait_for(
                "document.documentElement.dataset.drawnMs",
                Duration::from_secs(120),
            )
            .await
            .unwrap_or_else(|| panic!("never drawn; log:\n{}", b.log_tail()));
        let count = b
            .eval("document.getElementById('node-count')?.dataset.count")
            .await;
        assert_eq!(
            count,
            serde_json::json!(nodes.to_string()),
            "every node drawn"
        );
        let d: f64 = d.as_str().and_then(|s| s.parse().ok()).expect("ms");
        let f = b
            .eval("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1")
            .await
            .as_f64()
            .unwrap_or(-1.0);
        let fetched = b
            .eval("performance.getEntriesByType('resource').filter(e => e.name.endsWith('/hsm/v2/State/Components')).map(e => e.responseEnd)[0] ?? -1")
            .await
            .as_f64()
            .unwrap_or(-1.0);
        let measures = b
            .eval("performance.getEntriesByType('measure').filter(m => m.name !== 'draw' || m.duration > 0).slice(0, 8).map(m => `${m.name} ${m.duration.toFixed(0)} ms`).join(', ')")
            .await;
        println!(
            "run {run}: page work: {}",
            measures.as_str().unwrap_or_default()
        );
        let m = b.metrics().await;
        let h = m.get("JSHeapUsedSize").copied().unwrap_or(0.0) / 1048576.0;
        b.call("HeapProfiler.collectGarbage", serde_json::json!({}))
            .await;
        let hg = b
            .metrics()
            .await
            .get("JSHeapUsedSize")
            .copied()
            .unwrap_or(0.0)
            / 1048576.0;
        // A state change through the API (a Ready node halts), until the summary shows it.
        let halted = "document.querySelector('#summary tr[data-state=Halt] td')?.textContent";
        let before = b.eval(halted).await;
        set_state(addr, &node_xname(run), "Halt").await;
        let asked = Instant::now();
        b.wait_for(&format!("{halted} !== {before}"), Duration::from_secs(10))
            .await
            .expect("state change shown");
        let l = asked.elapsed().as_secs_f64() * 1e3;
        println!(
            "run {run}: first-contentful-paint {f:.0} ms, components fetched {fetched:.0} ms, machine drawn {d:.0} ms ({:.0} ms after the fetch), JS heap {h:.1} MiB ({hg:.1} MiB after GC), state change shown after {l:.0} ms",
            d - fetched
        );
        fcp.push(f);
        drawn.push(d);
        after_fetch.push(d - fetched);
        heap.push(h);
        heap_gc.push(hg);
        live.push(l);
        b.close().await;
    }
    println!(
        "{nodes} nodes, median of {runs}: first-contentful-paint {:.0} ms, machine drawn {:.0} ms ({:.0} ms after the components arrived), JS heap {:.1} MiB ({:.1} MiB after GC), state change shown after {:.0} ms",
        median(fcp),
        median(drawn),
        median(after_fetch),
        median(heap),
        median(heap_gc),
        median(live)
    );
}

/// `PATCH .../StateData` for one node, over a plain HTTP/1.1 connection.
async fn set_state(addr: std::net::SocketAddr, xname: &Xname, state: &str) {
    let body = format!("{{\"State\":\"{state}\"}}");
    let req = format!(
        "PATCH /hsm/v2/State/Components/{xname}/StateData HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let head = exchange(addr, req).await;
    assert!(head.starts_with("HTTP/1.1 204"), "{head}");
}

/// GET `path`; the number of bytes answered.
async fn http_get(addr: std::net::SocketAddr, path: &str) -> usize {
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    exchange(addr, req).await.len()
}

async fn exchange(addr: std::net::SocketAddr, req: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(req.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    tcp.read_to_end(&mut out).await.expect("read");
    String::from_utf8_lossy(&out).into_owned()
}
