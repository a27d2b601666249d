//! Bootscript throughput: rendering from already-resolved parameters, and resolve + render
//! by MAC against an in-memory store of 100,000 nodes on a current-thread runtime (one core).
//!
//! Run: `cargo bench -p ochami-benches --bench boot -- --warm-up-time 1 --measurement-time 3`
//! (env `NODES` changes the store size).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ochami_boot::{
    BootDecision, BootNode, BootOptions, BootRequest, Resolution, render_json, render_script,
    resolve,
};
use ochami_core::{BootParams, Component, EthernetInterface, MacAddr, Role, State, Xname};
use ochami_store::{BootConfig, BootKey, Store};

fn opts() -> BootOptions {
    BootOptions::for_server("http://172.16.0.254:27778")
}

fn mac(i: u32) -> MacAddr {
    let b = i.to_be_bytes();
    MacAddr::new([0x02, 0x00, b[0], b[1], b[2], b[3]])
}

/// Node `i` of a system with 256 nodes per cabinet (8 chassis x 8 slots x 4 nodes).
fn node(i: u32) -> Xname {
    Xname::node_at(1000 + i / 256, (i / 32) % 8, (i / 4) % 8, 0, i % 4).expect("valid node xname")
}

/// A typical compute node's resolution: kernel, initrd and a handful of parameters.
fn resolved() -> (Resolution, BootRequest) {
    let config = BootConfig {
        kernel: "http://172.16.0.254:8080/boot/vmlinuz-5.14.0-427.el9.x86_64".into(),
        initrd: "http://172.16.0.254:8080/boot/initramfs-5.14.0-427.el9.x86_64.img".into(),
        params: "console=ttyS0,115200 ip=dhcp root=live:http://172.16.0.254:8080/images/compute.squashfs rd.neednet=1 quiet"
            .into(),
        ..BootConfig::default()
    };
    let res = Resolution {
        node: Some(BootNode {
            xname: node(12345),
            nid: Some(12346),
            role: Some(Role::Compute),
        }),
        mac: Some(mac(12345)),
        decision: BootDecision::Boot {
            key: BootKey::Host("Compute".into()),
            config,
        },
    };
    (res, BootRequest::mac(mac(12345)))
}

fn bench_render(c: &mut Criterion) {
    let (res, req) = resolved();
    let opts = opts();
    let wait = Resolution {
        node: None,
        mac: None,
        decision: BootDecision::Wait,
    };
    let mut g = c.benchmark_group("boot");
    g.throughput(Throughput::Elements(1));
    g.bench_function("render_script", |b| {
        b.iter(|| render_script(black_box(&res), &req, &opts).unwrap())
    });
    g.bench_function("render_json", |b| {
        b.iter(|| render_json(black_box(&res), &req, &opts).unwrap())
    });
    g.bench_function("render_wait_script", |b| {
        b.iter(|| render_script(black_box(&wait), &req, &opts).unwrap())
    });
    g.finish();
}

/// A memory store with `n` compute nodes, one interface each, and role parameters for all:
/// the by-MAC look-up misses the MAC, xname and NID names before it finds `Compute`, the
/// longest path a known node takes.
async fn populated(n: u32) -> std::sync::Arc<dyn Store> {
    let store = ochami_store::open("memory:").await.expect("memory store");
    let nodes: Vec<Component> = (0..n)
        .map(|i| {
            Component::new(node(i))
                .with_state(State::Ready)
                .with_role(Role::Compute)
                .with_nid(i64::from(i) + 1)
        })
        .collect();
    store
        .upsert_components(&nodes, false)
        .await
        .expect("components");
    for i in 0..n {
        let iface = EthernetInterface::new(
            mac(i),
            Some(node(i)),
            [format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255)],
        );
        store
            .insert_ethernet_interface(&iface)
            .await
            .expect("interface");
    }
    let (res, _) = resolved();
    let BootDecision::Boot { config, .. } = res.decision else {
        unreachable!("resolved() boots")
    };
    let bp = BootParams {
        hosts: vec!["Compute".into()],
        kernel: config.kernel,
        initrd: config.initrd,
        params: config.params,
        ..BootParams::default()
    };
    store.set_boot_params(&bp).await.expect("boot params");
    store
}

fn bench_resolve(c: &mut Criterion) {
    // `cargo test --benches` runs each bench once without `--bench`: a small store will do.
    let full = std::env::args().any(|a| a == "--bench");
    let n: u32 = std::env::var("NODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 100_000 } else { 1_000 });
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let store = rt.block_on(populated(n));
    let opts = opts();
    // Visit the nodes in a scattered order (a stride coprime with n).
    let stride = 7919 % n.max(1);
    let sample = BootRequest::mac(mac(n / 2));
    let text = rt.block_on(async {
        let res = resolve(&*store, &sample).await.unwrap();
        render_script(&res, &sample, &opts).unwrap()
    });
    assert!(
        text.contains(" nid=") && text.contains("initrd --name initrd"),
        "{text}"
    );

    let mut g = c.benchmark_group("boot");
    g.throughput(Throughput::Elements(1));
    g.bench_function(format!("resolve_render_by_mac_{n}_nodes"), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut i = 0u32;
                let start = Instant::now();
                for _ in 0..iters {
                    i = (i + stride) % n;
                    let req = BootRequest::mac(mac(i));
                    let res = resolve(&*store, &req).await.unwrap();
                    black_box(render_script(&res, &req, &opts).unwrap());
                }
                start.elapsed()
            })
        })
    });
    g.bench_function(format!("resolve_only_by_mac_{n}_nodes"), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut i = 0u32;
                let start = Instant::now();
                for _ in 0..iters {
                    i = (i + stride) % n;
                    black_box(resolve(&*store, &BootRequest::mac(mac(i))).await.unwrap());
                }
                start.elapsed()
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = bench_render, bench_resolve
}
criterion_main!(benches);
