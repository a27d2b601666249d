//! `ochami discover`: store and server paths agree, exit codes, JSON report, no password
//! in any output.

use ochami_core::ComponentFilter;
use ochami_store::{EthernetInterfaceFilter, RedfishEndpointFilter, Store};
use serde_json::Value;

use super::common::{
    PASSWORD, USER, bmcs, closed_port, host_args, ochami, ochami_exits, ochami_ok, server, texts,
};

/// Everything discovery writes, as JSON with volatile timestamps removed.
async fn snapshot(store: &dyn Store) -> Value {
    let mut v = serde_json::json!({
        "components": store.list_components(&ComponentFilter::default()).await.expect("components"),
        "endpoints": store.list_redfish_endpoints(&RedfishEndpointFilter::default()).await.expect("endpoints"),
        "component_endpoints": store.list_component_endpoints(&Default::default()).await.expect("component endpoints"),
        "ethernet_interfaces": store.list_ethernet_interfaces(&EthernetInterfaceFilter::default()).await.expect("nics"),
    });
    strip(&mut v, &["LastUpdate", "LastDiscoveryAttempt"]);
    v
}

fn strip(v: &mut Value, keys: &[&str]) {
    match v {
        Value::Object(o) => {
            for k in keys {
                o.remove(*k);
            }
            o.values_mut().for_each(|c| strip(c, keys));
        }
        Value::Array(a) => a.iter_mut().for_each(|c| strip(c, keys)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_and_store_end_with_the_same_inventory() {
    let sims = bmcs(&[(1, 2), (2, 3), (3, 1)]).await;
    let hosts = host_args(&sims);
    let dir = tempfile::tempdir().expect("tempdir");
    let direct_url = format!("sqlite://{}", dir.path().join("direct.db").display());
    let auth = [
        ("OCHAMI_BMC_USERNAME", USER),
        ("OCHAMI_BMC_PASSWORD", PASSWORD),
    ];

    let mut args: Vec<&str> = vec!["discover", "--store", &direct_url];
    args.extend(hosts.iter().map(String::as_str));
    let stdout = ochami_ok(&args, &auth).await;
    assert!(stdout.contains("3 BMC(s) found, 6 node(s)"), "{stdout}");

    let served = ochami_store::open("memory:").await.expect("memory store");
    let (base, _stop) = server(served.clone()).await;
    let mut args: Vec<&str> = vec!["discover", "--server", &base];
    args.extend(hosts.iter().map(String::as_str));
    let stdout = ochami_ok(&args, &auth).await;
    assert_eq!(stdout.matches("posted").count(), 3, "{stdout}");

    let direct = ochami_store::open(&direct_url)
        .await
        .expect("open the --store database");
    let (a, b) = (
        snapshot(direct.as_ref()).await,
        snapshot(served.as_ref()).await,
    );
    assert_eq!(a["components"].as_array().map(Vec::len), Some(3 + 6));
    assert_eq!(a["endpoints"].as_array().map(Vec::len), Some(3));
    // 2 NICs per node and one per BMC.
    assert_eq!(
        a["ethernet_interfaces"].as_array().map(Vec::len),
        Some(6 * 2 + 3)
    );
    assert_eq!(a, b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn some_failed_targets_exit_2_and_json_lists_every_outcome() {
    let sims = bmcs(&[(7, 2)]).await;
    let closed_port = closed_port();
    let closed = format!("127.0.0.1:{closed_port}");
    let good = sims[0].base_url();
    let (stdout, stderr) = ochami_exits(
        &[
            "discover",
            "--host",
            &good,
            "--host",
            &closed,
            "--scheme",
            "http",
            "--username",
            USER,
            "--password",
            PASSWORD,
            "--timeout",
            "2",
            "--json",
        ],
        &[],
        2,
    )
    .await;
    let report: Value = serde_json::from_str(&stdout).expect("--json prints one JSON document");
    assert_eq!(report["targets"], 2);
    assert_eq!(report["discovered"], 1);
    assert_eq!(report["failed"], 1);
    let outcomes = report["outcomes"].as_array().expect("outcomes");
    let by_url = |url: &str| {
        outcomes
            .iter()
            .find(|o| {
                let t = &o["target"];
                format!(
                    "{}://{}:{}",
                    t["scheme"].as_str().unwrap_or(""),
                    t["host"].as_str().unwrap_or(""),
                    t["port"]
                ) == url
            })
            .unwrap_or_else(|| panic!("no outcome for {url} in {stdout}"))
    };
    let ok = by_url(&good);
    assert_eq!(ok["status"], "discovered");
    // Generated from 127.0.0.1: cabinet 1000 + third octet, slot = fourth octet, BMC
    // ordinal by port order among the two targets.
    let xnames = [
        ok["xname"].as_str(),
        by_url(&format!("http://{closed}"))["xname"].as_str(),
    ];
    let mut sorted: Vec<&str> = xnames.iter().flatten().copied().collect();
    sorted.sort_unstable();
    assert_eq!(sorted, ["x1000c0s1b0", "x1000c0s1b1"], "{stdout}");
    assert_eq!(ok["write"]["status"], "skipped");
    let bad = by_url(&format!("http://{closed}"));
    assert_eq!(bad["status"], "failed");
    assert_eq!(bad["error"]["kind"], "unreachable");
    assert!(
        !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
        "the password leaked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_an_auth_failure_and_never_printed() {
    let sims = bmcs(&[(9, 1)]).await;
    let wrong = "Wr0ng-but-still-secret";
    let (stdout, stderr) = ochami_exits(
        &[
            "discover",
            "--host",
            &sims[0].base_url(),
            "--username",
            USER,
        ],
        &[("OCHAMI_BMC_PASSWORD", wrong)],
        2,
    )
    .await;
    assert!(stdout.contains("failed: auth 1"), "{stdout}");
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains(wrong) && !text.contains(PASSWORD),
            "a password leaked:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_configuration_errors_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.map");
    let missing = missing.to_string_lossy();
    for (args, says) in [
        (vec!["discover"], "nothing to discover"),
        (vec!["discover", "--bogus-flag"], "--bogus-flag"),
        (vec!["discover", "--subnet", "10.0.0.0/33"], "10.0.0.0/33"),
        (
            vec!["discover", "--host", "127.0.0.1", "--port", "seventy"],
            "seventy",
        ),
        (
            vec!["discover", "--host", "127.0.0.1", "--xname-map", &missing],
            "nope.map",
        ),
        (
            vec![
                "discover",
                "--host",
                "127.0.0.1",
                "--store",
                "sqlite://a",
                "--server",
                "http://b",
            ],
            "--server",
        ),
        (
            vec!["discover", "--host", "127.0.0.1", "--username", "root"],
            "--password",
        ),
    ] {
        let out = ochami(&args, &[]).await;
        let (stdout, stderr) = texts(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        assert!(
            stderr.contains(says),
            "{args:?}: stderr should mention {says:?}:\n{stderr}"
        );
    }
    let out = ochami(&["discover", "--help"], &[]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(texts(&out).0.contains("--xname-map"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_subnet_addresses_are_not_failures() {
    let sims = bmcs(&[(11, 2)]).await;
    let port = sims[0].addr().port().to_string();
    let closed_guard = closed_port();
    let closed = closed_guard.to_string();
    let auth = [
        ("OCHAMI_BMC_USERNAME", USER),
        ("OCHAMI_BMC_PASSWORD", PASSWORD),
    ];
    let scan = [
        "discover",
        "--subnet",
        "127.0.0.1/32",
        "--scheme",
        "http",
        "--port",
        &port,
        "--port",
        &closed,
    ];
    let stdout = ochami_ok(&scan, &auth).await;
    assert!(stdout.contains("1 BMC(s) found, 2 node(s)"), "{stdout}");
    assert!(
        stdout.contains("no Redfish service: 1 scanned address(es)"),
        "{stdout}"
    );
    assert!(
        !stdout
            .lines()
            .any(|l| l.starts_with(&format!("http://127.0.0.1:{closed} "))),
        "empty addresses are not listed:\n{stdout}"
    );

    let out = ochami(&[&scan[..], &["--json"]].concat(), &auth).await;
    let (stdout, _) = texts(&out);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_str(&stdout).expect("JSON report");
    assert_eq!(
        (report["discovered"].clone(), report["absent"].clone()),
        (1.into(), 1.into())
    );
    let absent: Vec<&Value> = report["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .filter(|o| o["absent"] == true)
        .collect();
    assert_eq!(absent.len(), 1);
    assert_eq!(absent[0]["target"]["port"].to_string(), closed);

    // The same closed port named with --host is a failure.
    let host = format!("http://127.0.0.1:{closed}");
    let out = ochami(&["discover", "--host", &host], &auth).await;
    assert_eq!(out.status.code(), Some(2), "{}", texts(&out).0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_is_verified_unless_trusted_with_cacert_or_insecure() {
    use ochami_redfish::sim::{SimBmc, SimBmcConfig, SimTls, SyntheticBmc};
    let tls = std::sync::Arc::new(SimTls::generate().expect("test CA"));
    let config = SimBmcConfig::new(SyntheticBmc::new(21, 1).build()).tls(tls.clone());
    let bmc = SimBmc::spawn(config).await.expect("TLS BMC");
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &tls.ca_pem).expect("write CA");
    let ca = ca.to_string_lossy().into_owned();
    let host = format!("127.0.0.1:{}", bmc.addr().port());

    let out = ochami(&["discover", "--host", &host], &[]).await;
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stdout.contains("failed: tls 1"), "{stdout}");

    for trust in [["--cacert", ca.as_str()], ["--insecure", "--json"]] {
        let out = ochami(
            &[&["discover", "--host", &host][..], &trust[..]].concat(),
            &[],
        )
        .await;
        let (stdout, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(0), "{trust:?}\n{stdout}\n{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xname_map_names_bmcs_and_strict_map_refuses_the_rest() {
    use ochami_redfish::sim::SyntheticBmc;
    let sims = bmcs(&[(31, 1), (32, 1)]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let map = dir.path().join("bmcs.map");
    let mapped_mac = SyntheticBmc::new(31, 1).bmc_mac();
    std::fs::write(&map, format!("# by MAC\n{mapped_mac} x3000c0s3b0\n")).expect("write map");
    let map = map.to_string_lossy().into_owned();
    let auth = [
        ("OCHAMI_BMC_USERNAME", USER),
        ("OCHAMI_BMC_PASSWORD", PASSWORD),
    ];
    let hosts = host_args(&sims);
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();

    let out = ochami(
        &[&["discover", "--xname-map", &map][..], &hosts].concat(),
        &auth,
    )
    .await;
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let row = |url: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(url))
            .unwrap_or("")
            .to_owned()
    };
    assert!(row(&sims[0].base_url()).contains("x3000c0s3b0"), "{stdout}");
    assert!(
        row(&sims[1].base_url()).contains("x1000c0s1b"),
        "generated: {stdout}"
    );

    let strict = [
        &["discover", "--xname-map", &map, "--strict-map"][..],
        &hosts,
    ]
    .concat();
    let out = ochami(&strict, &auth).await;
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stdout.contains("failed: config 1"), "{stdout}");
}
