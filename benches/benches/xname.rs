//! Xname parse and format throughput over a realistic mix of IDs (nodes, BMCs, slots,
//! chassis, cabinets, processors, memory, NICs, PDUs, router BMCs).
//!
//! Run: `cargo bench -p ochami-benches --bench xname -- --warm-up-time 1 --measurement-time 3`.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ochami_core::Xname;

/// 1024 IDs, spread over a 4-cabinet system the way an inventory dump looks: mostly nodes
/// and BMCs, then their parents and the node's parts.
fn inputs() -> Vec<String> {
    let mut out = Vec::with_capacity(1024);
    let mut i: u32 = 0;
    while out.len() < 1024 {
        let (cab, ch, slot, b, n) = (1000 + i % 4, i % 8, (i / 8) % 16, i % 2, (i / 2) % 2);
        let s = match i % 16 {
            0..=5 => format!("x{cab}c{ch}s{slot}b{b}n{n}"),
            6..=8 => format!("x{cab}c{ch}s{slot}b{b}"),
            9 => format!("x{cab}c{ch}s{slot}"),
            10 => format!("x{cab}c{ch}s{slot}b{b}n{n}p{}", i % 2),
            11 => format!("x{cab}c{ch}s{slot}b{b}n{n}d{}", i % 16),
            12 => format!("x{cab}c{ch}s{slot}b{b}n{n}h{}", i % 4),
            13 => format!("x{cab}c{ch}b0"),
            14 => format!("x{cab}c{ch}r{}b0", i % 8),
            _ => match i % 3 {
                0 => format!("x{cab}"),
                1 => format!("x{cab}c{ch}"),
                _ => format!("x{}m{}p{}v1", 3000 + i % 2, i % 4, i % 8),
            },
        };
        out.push(s);
        i += 1;
    }
    out
}

fn bench_xname(c: &mut Criterion) {
    let strings = inputs();
    let parsed: Vec<Xname> = strings.iter().map(|s| s.parse().unwrap()).collect();
    let n = strings.len() as u64;

    let mut g = c.benchmark_group("xname");
    g.throughput(Throughput::Elements(n));

    g.bench_function("parse", |b| {
        b.iter(|| {
            for s in &strings {
                black_box(black_box(s.as_str()).parse::<Xname>().unwrap());
            }
        })
    });

    g.bench_function("format_to_string", |b| {
        b.iter(|| {
            for x in &parsed {
                black_box(black_box(x).to_string());
            }
        })
    });

    let mut buf = String::with_capacity(64);
    g.bench_function("format_reused_string", |b| {
        b.iter(|| {
            for x in &parsed {
                buf.clear();
                write!(buf, "{}", black_box(x)).unwrap();
                black_box(buf.as_str());
            }
        })
    });

    g.bench_function("parse_and_format", |b| {
        b.iter(|| {
            for s in &strings {
                let x: Xname = black_box(s.as_str()).parse().unwrap();
                buf.clear();
                write!(buf, "{x}").unwrap();
                black_box(buf.as_str());
            }
        })
    });

    g.finish();
}

criterion_group!(benches, bench_xname);
criterion_main!(benches);
