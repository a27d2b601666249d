//! Store benches: bulk upsert of 100,000 node components, a role+state listing returning
//! 10,000 of them, and the boot-time look-up of boot parameters by MAC among 100,000 nodes,
//! on every backend (memory, SQLite file, throwaway Postgres from
//! `ochami_testing::postgres`), plus Postgres `COPY` of the same rows as the floor for a bulk
//! write. Results and commands are in `benches/README.md` (`## store`).
//!
//! Postgres benches are skipped with a notice when no PostgreSQL is installed.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use ochami_core::{BootParams, Component, ComponentFilter, MacAddr, Role, State, Xname};
use ochami_store::{BootKey, Store};
use tokio::runtime::Runtime;

const NODES: usize = 100_000;

/// Node `i` of a synthetic system: 4 nodes per slot, 32 slots per chassis, 8 chassis per
/// cabinet. Every tenth node is a Ready compute node (10,000 of 100,000); the rest are
/// service nodes, On or Off. NIDs 1..=100,000.
fn node(i: usize) -> Component {
    let id: Xname = format!(
        "x{}c{}s{}b0n{}",
        1000 + i / 1024,
        (i / 128) % 8,
        (i / 4) % 32,
        i % 4
    )
    .parse()
    .expect("valid bench xname");
    let (role, state) = match i % 10 {
        0 => (Role::Compute, State::Ready),
        1..=5 => (Role::Service, State::On),
        _ => (Role::Service, State::Off),
    };
    Component::new(id)
        .with_state(state)
        .with_role(role)
        .with_nid(i as i64 + 1)
}

fn mac(i: usize) -> MacAddr {
    let b = (i as u32).to_be_bytes();
    MacAddr::new([0x02, 0x00, b[0], b[1], b[2], b[3]])
}

/// A backend to bench, and how to get a fresh, empty store of it.
#[derive(Clone, Copy)]
enum Backend {
    Memory,
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Memory => "memory",
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// A fresh store and what keeps it alive (temp dir), or None when unavailable.
    async fn fresh(self) -> Option<(Arc<dyn Store>, Option<tempfile::TempDir>, String)> {
        let (url, dir) = match self {
            Backend::Memory => ("memory:".to_owned(), None),
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                (
                    format!("sqlite://{}", dir.path().join("bench.db").display()),
                    Some(dir),
                )
            }
            Backend::Postgres => {
                let db = ochami_testing::postgres::fresh_database()
                    .await
                    .expect("throwaway postgres")?;
                (db.url().to_owned(), None)
            }
        };
        let store = ochami_store::open(&url).await.expect("open store");
        Some((store, dir, url))
    }
}

const BACKENDS: [Backend; 3] = [Backend::Memory, Backend::Sqlite, Backend::Postgres];

fn bulk_upsert(c: &mut Criterion, rt: &Runtime, rows: &[Component]) {
    let mut g = c.benchmark_group("store/bulk_upsert_100k");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(100));
    g.measurement_time(Duration::from_secs(5));
    for backend in BACKENDS {
        if rt.block_on(backend.fresh()).is_none() {
            continue;
        }
        g.bench_function(BenchmarkId::from_parameter(backend.name()), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let (store, _dir, _) = backend.fresh().await.expect("store");
                        let start = Instant::now();
                        store.upsert_components(rows, false).await.expect("upsert");
                        total += start.elapsed();
                    }
                    total
                })
            })
        });
    }
    // The floor: the same rows streamed with COPY into the same (empty, indexed) table.
    if rt.block_on(Backend::Postgres.fresh()).is_some() {
        let text = copy_text(rows);
        g.bench_function("postgres_copy_floor", |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let (_store, _, url) = Backend::Postgres.fresh().await.expect("store");
                        total += copy_in(&url, &text).await;
                    }
                    total
                })
            })
        });
    }
    g.finish();
}

/// The rows in `COPY ... FROM STDIN` text format, in the table's column order.
fn copy_text(rows: &[Component]) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "\\N".to_owned());
    let mut out = String::with_capacity(rows.len() * 80);
    for c in rows {
        let fields = [
            c.id.to_string(),
            c.hms_type.to_string(),
            opt(c.state.map(|s| s.to_string())),
            opt(c.flag.map(|f| f.to_string())),
            if c.enabled.unwrap_or(true) { "t" } else { "f" }.to_owned(),
            opt(c.software_status.clone()),
            opt(c.role.map(|r| r.to_string())),
            opt(c.sub_role.map(|r| r.to_string())),
            opt(c.nid.map(|n| n.to_string())),
            opt(c.subtype.clone()),
            opt(c.net_type.map(|n| n.to_string())),
            opt(c.arch.map(|a| a.to_string())),
            opt(c.class.map(|k| k.to_string())),
            "f".to_owned(),
            "f".to_owned(),
        ];
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

async fn copy_in(url: &str, text: &str) -> Duration {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let start = Instant::now();
    let mut copy = conn
        .copy_in_raw(
            "COPY components (id, type, state, flag, enabled, software_status, role, sub_role, nid, subtype, \
             net_type, arch, class, reservation_disabled, locked) FROM STDIN",
        )
        .await
        .expect("COPY");
    copy.send(text.as_bytes()).await.expect("COPY data");
    let n = copy.finish().await.expect("COPY finish");
    let took = start.elapsed();
    assert_eq!(n, NODES as u64);
    took
}

fn list_role_state(c: &mut Criterion, rt: &Runtime, rows: &[Component]) {
    let mut g = c.benchmark_group("store/list_role_state_10k_of_100k");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let f = ComponentFilter::from_query_pairs([("role", "Compute"), ("state", "Ready")])
        .expect("filter");
    for backend in BACKENDS {
        let Some((store, _dir, _)) = rt.block_on(backend.fresh()) else {
            continue;
        };
        rt.block_on(store.upsert_components(rows, false))
            .expect("seed");
        assert_eq!(
            rt.block_on(store.list_components(&f)).expect("list").len(),
            NODES / 10
        );
        g.bench_function(BenchmarkId::from_parameter(backend.name()), |b| {
            b.iter(|| {
                rt.block_on(store.list_components(black_box(&f)))
                    .expect("list")
            })
        });
    }
    g.finish();
}

fn boot_by_mac(c: &mut Criterion, rt: &Runtime) {
    let mut g = c.benchmark_group("store/boot_by_mac_100k");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    // Ten configs of 10,000 MACs each, the way an admin sets them (one request per image).
    let requests: Vec<BootParams> = (0..10)
        .map(|k| BootParams {
            macs: (k * NODES / 10..(k + 1) * NODES / 10)
                .map(|i| mac(i).to_string())
                .collect(),
            kernel: format!("http://images/{k}/vmlinuz"),
            initrd: format!("http://images/{k}/initrd"),
            params: "console=ttyS0,115200 ip=dhcp".into(),
            ..Default::default()
        })
        .collect();
    // A fixed pseudo-random walk over the MACs so no look-up repeats its neighbour's page.
    let probes: Vec<BootKey> = (0..4096)
        .map(|i| BootKey::Mac(mac((i * 7919) % NODES)))
        .collect();
    for backend in BACKENDS {
        let Some((store, _dir, _)) = rt.block_on(backend.fresh()) else {
            continue;
        };
        for r in &requests {
            rt.block_on(store.set_boot_params(r))
                .expect("seed boot params");
        }
        let mut next = 0;
        g.bench_function(BenchmarkId::from_parameter(backend.name()), |b| {
            b.iter(|| {
                next = (next + 1) % probes.len();
                let found = rt
                    .block_on(store.get_boot_config(black_box(&probes[next])))
                    .expect("look-up");
                assert!(found.is_some());
            })
        });
    }
    g.finish();
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let rows: Vec<Component> = (0..NODES).map(node).collect();
    bulk_upsert(c, &rt, &rows);
    list_role_state(c, &rt, &rows);
    boot_by_mac(c, &rt);
}

criterion_group!(store, benches);
criterion_main!(store);
