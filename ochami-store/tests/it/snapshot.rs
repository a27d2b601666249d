//! Snapshots: byte-identical round trips between every pair of backends (Postgres through
//! the throwaway server of `ochami_testing::postgres`), exports during concurrent writes,
//! truncated and corrupted files, newer format versions and `--replace`.

use std::sync::Arc;

use ochami_core::{Component, ComponentFilter, State};
use ochami_store::snapshot::{ImportMode, export_snapshot, import_snapshot};
use ochami_store::{Store, StoreError};
use ochami_testing::postgres::{TestDatabase, fresh_database};

const NODES: usize = 40;

async fn export(store: &Arc<dyn Store>) -> Vec<u8> {
    let mut out = Vec::new();
    export_snapshot(store.as_ref(), &mut out)
        .await
        .expect("export");
    out
}

/// A fresh store of each backend this run can reach: memory, SQLite, and Postgres when the
/// harness can start one. The temp dir and database handle keep them alive.
struct Stores {
    _dir: tempfile::TempDir,
    _pg: Vec<TestDatabase>,
    dir_path: std::path::PathBuf,
    next: usize,
}

impl Stores {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Stores {
            dir_path: dir.path().to_owned(),
            _dir: dir,
            _pg: Vec::new(),
            next: 0,
        }
    }

    async fn open(&mut self, backend: &str) -> Option<Arc<dyn Store>> {
        self.next += 1;
        match backend {
            "memory" => Some(ochami_store::open("memory:").await.expect("memory")),
            "sqlite" => {
                let path = self.dir_path.join(format!("s{}.db", self.next));
                let url = format!("sqlite://{}", path.display());
                Some(ochami_store::open(&url).await.expect("sqlite"))
            }
            _ => {
                let db = fresh_database().await.expect("postgres harness")?;
                let store = ochami_store::open(db.url()).await.expect("postgres");
                self._pg.push(db);
                Some(store)
            }
        }
    }
}

#[tokio::test]
async fn round_trip_between_every_pair_of_backends_is_byte_identical() {
    let mut stores = Stores::new();
    let backends = ["memory", "sqlite", "postgres"];
    for from in backends {
        let Some(source) = stores.open(from).await else {
            eprintln!("no PostgreSQL: skipping pairs from {from}");
            continue;
        };
        ochami_testing::site::seed(&source, NODES)
            .await
            .expect("seed");
        let first = export(&source).await;
        let text = String::from_utf8(first.clone()).expect("utf-8");
        assert!(
            !text.contains("s3cret-bmc"),
            "a snapshot never holds a BMC password"
        );
        assert!(text.starts_with(
            "{\"kind\":\"header\",\"record\":{\"format\":\"ochami-snapshot\",\"version\":1}}\n"
        ));
        for kind in ochami_store::snapshot::KINDS {
            assert!(
                text.contains(&format!("{{\"kind\":\"{kind}\"")),
                "{from}: no {kind} record"
            );
        }
        for to in backends {
            let Some(target) = stores.open(to).await else {
                continue;
            };
            let counts = import_snapshot(target.as_ref(), first.as_slice(), ImportMode::Merge)
                .await
                .unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
            assert_eq!(counts.get("component"), NODES as u64);
            let second = export(&target).await;
            assert!(first == second, "{from} -> {to}: snapshots differ");
        }
    }
}

#[tokio::test]
async fn merge_keeps_passwords_and_replace_drops_what_the_snapshot_lacks() {
    let mut stores = Stores::new();
    for backend in ["memory", "sqlite"] {
        let store = stores.open(backend).await.expect("store");
        ochami_testing::site::seed(&store, 4).await.expect("seed");
        let snapshot = export(&store).await;
        import_snapshot(store.as_ref(), snapshot.as_slice(), ImportMode::Merge)
            .await
            .expect("merge");
        let ep = store
            .list_redfish_endpoints(&Default::default())
            .await
            .expect("endpoints");
        assert!(
            ep.iter().all(|e| e.password.is_empty()),
            "{backend}: write-only"
        );
        for e in &ep {
            let c = store
                .redfish_credentials(&e.id)
                .await
                .expect("credentials")
                .expect("stored");
            assert_eq!(c.password, "s3cret-bmc", "{backend}: merge keeps it");
        }
        let extra = Component::new("x9c0s0b0n0".parse().expect("xname")).with_state(State::On);
        store
            .upsert_components(&[extra], false)
            .await
            .expect("extra");
        import_snapshot(store.as_ref(), snapshot.as_slice(), ImportMode::Replace)
            .await
            .expect("replace");
        assert_eq!(export(&store).await, snapshot, "{backend}");
    }
}

async fn assert_imports_nothing(bytes: &[u8], line: u64) {
    let mut stores = Stores::new();
    for backend in ["memory", "sqlite"] {
        let store = stores.open(backend).await.expect("store");
        let err = import_snapshot(store.as_ref(), bytes, ImportMode::Merge)
            .await
            .expect_err("a bad snapshot is refused");
        match err {
            StoreError::SnapshotLine { line: l, .. } => assert_eq!(l, line, "{backend}: {err}"),
            other => panic!("{backend}: {other}"),
        }
        let all = store
            .list_components(&ComponentFilter::default())
            .await
            .expect("list");
        assert!(
            all.is_empty(),
            "{backend}: a bad snapshot wrote {} components",
            all.len()
        );
    }
}

#[tokio::test]
async fn truncated_or_corrupted_snapshot_imports_nothing_and_names_the_line() {
    let store = ochami_store::open("memory:").await.expect("memory");
    ochami_testing::site::seed(&store, 8).await.expect("seed");
    let full = export(&store).await;
    let text = String::from_utf8(full).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();

    // Cut after line 10: the trailer is missing, the line after the last one is named.
    let truncated = lines[..10].join("\n") + "\n";
    assert_imports_nothing(truncated.as_bytes(), 11).await;

    // Cut in the middle of line 6: that line is not JSON.
    let mid: String = lines[..5].join("\n") + "\n" + &lines[5][..lines[5].len() / 2];
    assert_imports_nothing(mid.as_bytes(), 6).await;

    // A record of a kind this build does not know.
    let mut bad = lines.clone();
    bad[3] = r#"{"kind":"gadget","record":{}}"#;
    assert_imports_nothing((bad.join("\n") + "\n").as_bytes(), 4).await;

    // A dropped record: the trailer's counts no longer match.
    let mut dropped = lines.clone();
    dropped.remove(2);
    let n = dropped.len() as u64;
    assert_imports_nothing((dropped.join("\n") + "\n").as_bytes(), n).await;
}

#[tokio::test]
async fn a_newer_format_version_is_refused_with_a_clear_message() {
    let store = ochami_store::open("memory:").await.expect("memory");
    let text = "{\"kind\":\"header\",\"record\":{\"format\":\"ochami-snapshot\",\"version\":2}}\n";
    let err = import_snapshot(store.as_ref(), text.as_bytes(), ImportMode::Merge)
        .await
        .expect_err("newer version");
    assert!(matches!(
        err,
        StoreError::SnapshotTooNew {
            found: 2,
            supported: 1
        }
    ));
    assert_eq!(
        err.to_string(),
        "snapshot format version 2 is newer than this build reads (1); upgrade ochami"
    );
}

/// Every snapshot taken while a writer adds components in batches of `BATCH` (one
/// transaction each) holds whole batches only.
async fn export_during_writes(store: Arc<dyn Store>) {
    const BATCH: usize = 50;
    let writer_store = Arc::clone(&store);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_writer = Arc::clone(&stop);
    let writer = tokio::spawn(async move {
        let mut next = 0usize;
        // At least one batch (so the exports race with a writer however the tasks are
        // scheduled), at most 100 (so the exports stay small on a slow machine).
        while next == 0
            || (next < 100 * BATCH && !stop_writer.load(std::sync::atomic::Ordering::Relaxed))
        {
            let batch: Vec<Component> = (next..next + BATCH)
                .map(|i| {
                    Component::new(ochami_testing::site::node_xname(i)).with_state(State::Ready)
                })
                .collect();
            writer_store
                .upsert_components(&batch, false)
                .await
                .expect("writer");
            next += BATCH;
            tokio::task::yield_now().await;
        }
        next
    });
    let mut sizes = Vec::new();
    for _ in 0..20 {
        let bytes = export(&store).await;
        let (entries, counts) =
            ochami_store::snapshot::read_snapshot(bytes.as_slice()).expect("a whole snapshot");
        assert_eq!(entries.len() as u64, counts.total());
        let n = counts.get("component") as usize;
        assert_eq!(
            n % BATCH,
            0,
            "a snapshot holds half a batch ({n} components)"
        );
        sizes.push(n);
        tokio::task::yield_now().await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.expect("writer task");
    assert!(written > 0);
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_while_a_writer_posts_components_is_consistent() {
    let mut stores = Stores::new();
    for backend in ["memory", "sqlite", "postgres"] {
        match stores.open(backend).await {
            Some(store) => export_during_writes(store).await,
            None => eprintln!("no PostgreSQL: skipping the {backend} case"),
        }
    }
}
