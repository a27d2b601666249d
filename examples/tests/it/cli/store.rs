//! `ochami store`: export/import through files and `migrate` of the demo's SQLite store to
//! Postgres (the throwaway server of `ochami_testing::postgres`), after which both stores
//! serve the same bootscripts and cloud-init answers.

use std::sync::Arc;

use ochami_core::{ComponentFilter, HmsType};
use ochami_store::Store;

use super::common::{ochami_exits, ochami_ok, server};

/// What a server answers for every node of `store`: its bootscript by MAC and its
/// cloud-init meta-data, user-data and vendor-data, with the server's own URL masked.
async fn answers(store: Arc<dyn Store>) -> Vec<(String, String)> {
    let (base, _stop) = server(Arc::clone(&store)).await;
    let nodes = store
        .list_components(&ComponentFilter::from_query_pairs([("type", "Node")]).expect("filter"))
        .await
        .expect("nodes");
    assert!(!nodes.is_empty());
    let http = reqwest::Client::new();
    let mut out = Vec::new();
    for node in nodes {
        assert_eq!(node.id.hms_type(), HmsType::Node);
        let filter = ochami_store::EthernetInterfaceFilter {
            component_id: vec![node.id],
            ..Default::default()
        };
        let mut urls = Vec::new();
        for nic in store.list_ethernet_interfaces(&filter).await.expect("nics") {
            urls.push(format!("/boot/v1/bootscript?mac={}", nic.mac_address));
        }
        for doc in ["meta-data", "user-data", "vendor-data"] {
            urls.push(format!("/cloud-init/admin/impersonation/{}/{doc}", node.id));
        }
        for url in urls {
            let resp = http
                .get(format!("{base}{url}"))
                .send()
                .await
                .expect("request");
            let status = resp.status();
            let body = resp.text().await.expect("body").replace(&base, "BASE");
            out.push((url, format!("{status}\n{body}")));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_store_migrated_from_sqlite_to_postgres_serves_the_same_answers() {
    let Some(db) = ochami_testing::postgres::fresh_database()
        .await
        .expect("postgres harness")
    else {
        assert!(!ochami_testing::in_ci(), "CI needs PostgreSQL");
        eprintln!("no PostgreSQL: skipping the migration test");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = format!("sqlite://{}", dir.path().join("demo.db").display());
    ochami_ok(&["demo", "--store", &sqlite], &[]).await;

    let (_, stderr) = ochami_exits(
        &["store", "migrate", "--from", &sqlite, "--to", db.url()],
        &[],
        0,
    )
    .await;
    let component_row = stderr
        .lines()
        .find(|l| l.starts_with("component "))
        .unwrap_or_else(|| panic!("no count table:\n{stderr}"));
    let counts: Vec<&str> = component_row.split_whitespace().collect();
    assert_eq!(counts.len(), 3, "{component_row}");
    assert_eq!(counts[1], counts[2], "{component_row}");
    assert_ne!(counts[1], "0", "{component_row}");

    // Migrating into a store that is no longer empty is refused and changes nothing.
    let (_, stderr) = ochami_exits(
        &["store", "migrate", "--from", &sqlite, "--to", db.url()],
        &[],
        1,
    )
    .await;
    assert!(stderr.contains("is not empty; use --replace"), "{stderr}");

    let from = ochami_store::open(&sqlite).await.expect("sqlite");
    let to = ochami_store::open(db.url()).await.expect("postgres");
    assert_eq!(answers(from).await, answers(to).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_import_through_a_file_gives_the_same_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = format!("sqlite://{}", dir.path().join("a.db").display());
    let b = format!("sqlite://{}", dir.path().join("b.db").display());
    ochami_ok(&["demo", "--store", &a], &[]).await;
    let first = dir.path().join("a.jsonl");
    let second = dir.path().join("b.jsonl");
    let path = |p: &std::path::Path| p.display().to_string();
    ochami_ok(
        &["store", "export", "--store", &a, "-o", &path(&first)],
        &[],
    )
    .await;
    ochami_ok(&["store", "import", "--store", &b, &path(&first)], &[]).await;
    ochami_ok(
        &["store", "export", "--store", &b, "-o", &path(&second)],
        &[],
    )
    .await;
    let first = std::fs::read(first).expect("first");
    assert_eq!(first, std::fs::read(second).expect("second"));
    let text = String::from_utf8(first.clone()).expect("utf-8");
    assert!(
        text.contains("\"Password\":\""),
        "the demo has BMC endpoints"
    );
    assert!(
        text.split("\"Password\":\"")
            .skip(1)
            .all(|rest| rest.starts_with('"')),
        "no BMC password in a snapshot"
    );

    // A truncated file imports nothing and names the line.
    let cut: String = text.lines().take(5).map(|l| format!("{l}\n")).collect();
    let bad = dir.path().join("cut.jsonl");
    std::fs::write(&bad, cut).expect("write");
    let c = format!("sqlite://{}", dir.path().join("c.db").display());
    let (_, stderr) = ochami_exits(&["store", "import", "--store", &c, &path(&bad)], &[], 1).await;
    assert!(
        stderr.contains("snapshot line 6: the snapshot ends without its trailer"),
        "{stderr}"
    );
    let store = ochami_store::open(&c).await.expect("c");
    let all = store
        .list_components(&ComponentFilter::default())
        .await
        .expect("list");
    assert!(all.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_travel_only_when_asked_and_only_encrypted() {
    use ochami_store::OpenOptions;
    use ochami_store::secret::SecretKey;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name).display().to_string();
    for k in ["k1", "k2"] {
        std::fs::write(path(k), SecretKey::generate_hex().expect("key")).expect("key file");
    }
    let keyed = |db: String, k: String| async move {
        let key = SecretKey::from_file(std::path::Path::new(&k)).expect("key");
        ochami_store::open_with(&db, &OpenOptions::default().with_secret_key(key))
            .await
            .expect("store")
    };
    let a = format!("sqlite://{}", path("a.db"));
    let b = format!("sqlite://{}", path("b.db"));
    {
        let store = keyed(a.clone(), path("k1")).await;
        let mut ep = ochami_core::RedfishEndpoint::new("x0c0s0b0".parse().expect("id"), "10.0.0.1");
        ep.user = "root".into();
        ep.password = "bmc-pw-to-move".into();
        store.put_redfish_endpoint(&ep).await.expect("endpoint");
    }
    // Asked for without a key: refused.
    let (_, stderr) = ochami_exits(
        &["store", "export", "--store", &a, "--with-credentials"],
        &[],
        1,
    )
    .await;
    assert!(
        stderr.contains("--with-credentials needs a key"),
        "{stderr}"
    );
    // With the store's key: in the snapshot, encrypted only.
    ochami_ok(
        &[
            "store",
            "export",
            "--store",
            &a,
            "--secret-key-file",
            &path("k1"),
            "--with-credentials",
            "-o",
            &path("snap.jsonl"),
        ],
        &[],
    )
    .await;
    let text = std::fs::read_to_string(path("snap.jsonl")).expect("snapshot");
    assert!(!text.contains("bmc-pw-to-move"), "{text}");
    assert!(text.contains("\"Password\":\"enc:v1:"), "{text}");
    // Without the key an import refuses it, naming the line, and writes nothing.
    let c = format!("sqlite://{}", path("c.db"));
    let (_, stderr) = ochami_exits(
        &["store", "import", "--store", &c, &path("snap.jsonl")],
        &[],
        1,
    )
    .await;
    assert!(
        stderr.contains("snapshot line 2") && stderr.contains("encrypted"),
        "{stderr}"
    );
    // Into a store with another key: opened with the snapshot's, stored with the target's.
    ochami_ok(
        &[
            "store",
            "import",
            "--store",
            &b,
            "--secret-key-file",
            &path("k2"),
            "--snapshot-key-file",
            &path("k1"),
            &path("snap.jsonl"),
        ],
        &[],
    )
    .await;
    let store = keyed(b.clone(), path("k2")).await;
    let creds = store
        .redfish_credentials(&"x0c0s0b0".parse().expect("id"))
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        (creds.user.as_str(), creds.password.as_str()),
        ("root", "bmc-pw-to-move")
    );
    drop(store);
    // The target's key is not the snapshot's: opening b with k1 is refused.
    let k1 = SecretKey::from_file(std::path::Path::new(&path("k1"))).expect("key");
    let err = ochami_store::open_with(&b, &OpenOptions::default().with_secret_key(k1))
        .await
        .err()
        .expect("wrong key");
    assert!(err.to_string().contains("wrong key"), "{err}");
}
