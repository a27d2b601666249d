//! `ochami discover static --store` of a generated 10,000-node nodes.yaml
//! (`ochami_testing::nodes_file`: 2,500 BMCs, one interface with two IPs per node, 80
//! groups) into SQLite and Postgres: what the command does, timed by phase: parse and check
//! the file, expand it into records, write them in one transaction
//! ([`ochami_store::load_static_inventory`]); then the idempotent re-run.
//!
//! Plain `main` (`harness = false`). Postgres is the throwaway server of
//! `ochami_testing::postgres` (skipped when absent). Target: under 3 s per backend.
//!
//! `cargo bench -p ochami-benches --bench discover_static` (`OCHAMI_BENCH_NODES` to change
//! 10,000; `OCHAMI_BENCH_NODES_FILE=path` also writes the file, to time the command).

use std::time::Instant;

use ochami_core::nodes_yaml::NodesFile;

type BoxResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

async fn run() -> BoxResult<()> {
    let nodes: usize = std::env::var("OCHAMI_BENCH_NODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let text = ochami_testing::nodes_file::generate(nodes);
    println!(
        "nodes.yaml of {nodes} nodes: {:.1} MiB, {} lines",
        text.len() as f64 / 1048576.0,
        text.lines().count()
    );
    // To time the command itself: `ochami discover static --store URL -f yaml -d @FILE`.
    if let Ok(path) = std::env::var("OCHAMI_BENCH_NODES_FILE") {
        std::fs::write(&path, &text)?;
        println!("written to {path}");
    }
    let dir = tempfile::tempdir()?;
    let mut targets = vec![(
        "SQLite (file, WAL)",
        format!("sqlite://{}", dir.path().join("static.db").display()),
    )];
    let pg = ochami_testing::postgres::fresh_database().await?;
    match &pg {
        Some(db) => targets.push(("Postgres (local)", db.url().to_owned())),
        None => println!("no PostgreSQL: Postgres skipped"),
    }
    println!(
        "| backend | parse + check | expand | write (one transaction) | total | re-run | records |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, url) in targets {
        let store = ochami_store::open(&url).await?;
        let start = Instant::now();
        let file = NodesFile::parse(&text)?;
        let parsed = start.elapsed();
        let inventory = file.expand()?;
        let expanded = start.elapsed();
        let summary =
            ochami_store::load_static_inventory(store.as_ref(), &inventory, false).await?;
        let total = start.elapsed();
        let again = Instant::now();
        let inventory = NodesFile::parse(&text)?.expand()?;
        let rerun = ochami_store::load_static_inventory(store.as_ref(), &inventory, false).await?;
        let again = again.elapsed();
        if rerun.created != 0 || rerun.existing != summary.created {
            return Err(format!("{name}: the re-run was not idempotent: {rerun:?}").into());
        }
        println!(
            "| {name} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {} |",
            parsed.as_secs_f64(),
            (expanded - parsed).as_secs_f64(),
            (total - expanded).as_secs_f64(),
            total.as_secs_f64(),
            again.as_secs_f64(),
            summary.created
        );
    }
    Ok(())
}

fn main() -> BoxResult<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // `cargo bench` passes `--bench`; `cargo test --benches` runs nothing.
    if std::env::args().any(|a| a == "--bench") {
        runtime.block_on(run())?;
    }
    Ok(())
}
