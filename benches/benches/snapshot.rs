//! Snapshot export and import of a 20,000-node site (components, BMC endpoints, one NIC with
//! an IP, boot parameters and cloud-init data per node, groups, a partition; the site of
//! `ochami_testing::site`) on SQLite and Postgres: time and peak memory each way.
//!
//! Plain `main` (`harness = false`). The parent seeds a memory store, writes its snapshot
//! to a file, then runs every measured step in a child process of its own (this binary with
//! `child import|export URL FILE`) so that each peak RSS (`VmHWM`) is that step's alone.
//! Postgres is the throwaway server of `ochami_testing::postgres` (skipped when absent).
//!
//! `cargo bench -p ochami-benches --bench snapshot` (`OCHAMI_BENCH_NODES` to change 20,000).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::time::Instant;

use ochami_store::snapshot::{ImportMode, export_snapshot, import_snapshot};

type BoxResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn child(step: &str, url: &str, path: &str) -> BoxResult<()> {
    let store = ochami_store::open(url).await?;
    let start = Instant::now();
    let records = match step {
        "import" => {
            let file = BufReader::new(File::open(path)?);
            import_snapshot(store.as_ref(), file, ImportMode::Merge)
                .await?
                .total()
        }
        _ => {
            let file = BufWriter::new(File::create(path)?);
            export_snapshot(store.as_ref(), file).await?.total()
        }
    };
    let secs = start.elapsed().as_secs_f64();
    println!("{secs:.2} {:.0} {records}", peak_mib());
    Ok(())
}

/// Run one step in a child process; (seconds, peak MiB, records).
fn measure(step: &str, url: &str, path: &std::path::Path) -> BoxResult<(f64, f64, u64)> {
    let out = std::process::Command::new(std::env::current_exe()?)
        .args(["child", step, url, &path.display().to_string()])
        .output()?;
    if !out.status.success() {
        return Err(format!("{step}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let text = String::from_utf8(out.stdout)?;
    let mut it = text.split_whitespace();
    let mut next = || it.next().ok_or("short child output");
    Ok((next()?.parse()?, next()?.parse()?, next()?.parse()?))
}

async fn parent() -> BoxResult<()> {
    let nodes: usize = std::env::var("OCHAMI_BENCH_NODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir()?;
    let seed_path = dir.path().join("seed.jsonl");
    let start = Instant::now();
    let memory = ochami_store::open("memory:").await?;
    ochami_testing::site::seed(&memory, nodes).await?;
    let counts =
        export_snapshot(memory.as_ref(), BufWriter::new(File::create(&seed_path)?)).await?;
    drop(memory);
    let size = std::fs::metadata(&seed_path)?.len();
    println!(
        "site of {nodes} nodes: {} records, snapshot {:.1} MiB (seeded and exported from memory in {:.1} s)",
        counts.total(),
        size as f64 / 1048576.0,
        start.elapsed().as_secs_f64()
    );
    let mut targets = vec![(
        "sqlite",
        format!("sqlite://{}", dir.path().join("site.db").display()),
    )];
    let pg = ochami_testing::postgres::fresh_database().await?;
    match &pg {
        Some(db) => targets.push(("postgres", db.url().to_owned())),
        None => println!("no PostgreSQL: Postgres skipped"),
    }
    println!("| backend | step | records | time | peak RSS |");
    println!("|---|---|---|---|---|");
    for (name, url) in targets {
        let (secs, mib, n) = measure("import", &url, &seed_path)?;
        println!("| {name} | import | {n} | {secs:.2} s | {mib:.0} MiB |");
        let out = dir.path().join(format!("{name}.jsonl"));
        let (secs, mib, n) = measure("export", &url, &out)?;
        println!("| {name} | export | {n} | {secs:.2} s | {mib:.0} MiB |");
        if std::fs::read(&out)? != std::fs::read(&seed_path)? {
            return Err(
                format!("{name}: the exported snapshot differs from the imported one").into(),
            );
        }
    }
    println!("every export is byte-identical to the snapshot imported");
    Ok(())
}

fn main() -> BoxResult<()> {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.iter().position(|a| a == "child") {
        Some(i) if args.len() >= i + 4 => {
            runtime.block_on(child(&args[i + 1], &args[i + 2], &args[i + 3]))
        }
        // `cargo bench` passes `--bench`; `cargo test --benches` runs nothing.
        _ if args.iter().any(|a| a == "--bench") => runtime.block_on(parent()),
        _ => Ok(()),
    }
}
