//! Each simulated fault maps to its error kind, and the rest of the run completes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::sim::{
    FaultKind, Faults, MockupTree, SimBmc, SimBmcConfig, SimTls, SyntheticBmc,
};
use ochami_redfish::{Credentials, ErrorKind, ScanTarget, Scheme};

use crate::common::{creds, discover_one, discovered, fast_options, spawn};

#[tokio::test]
async fn every_fault_has_its_kind() {
    let good = |i| SimBmcConfig::new(SyntheticBmc::new(i, 2).build()).credentials(creds());
    let tls = Arc::new(SimTls::generate().unwrap());
    let bmcs = vec![
        spawn(good(0)).await,
        spawn(good(1).faults(Faults::always(FaultKind::Status500))).await,
        spawn(good(2).faults(Faults::always(FaultKind::Reset))).await,
        spawn(good(3).faults(Faults::always(FaultKind::Hang))).await,
        spawn(good(4).faults(Faults::always(FaultKind::MalformedJson))).await,
        spawn(good(5).credentials(Credentials::new("root", "other-password"))).await,
        spawn(good(6).tls(tls)).await,
        // Answers HTTP, but has no Redfish service root.
        spawn(SimBmcConfig::new(MockupTree::from_entries([(
            "Systems",
            serde_json::json!({"Members": []}),
        )])))
        .await,
        spawn(good(8)).await,
    ];
    let mut targets: Vec<ScanTarget> = bmcs.iter().map(SimBmc::target).collect();
    // Nothing listens on a port just released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    targets.push(ScanTarget::new(Scheme::Http, "127.0.0.1", closed.port()));

    let mut options = fast_options();
    options.request_timeout = Duration::from_millis(400);
    options.bmc_deadline = Duration::from_secs(3);
    let started = Instant::now();
    let report = discover_targets(targets.clone(), &options, |_| {})
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let kinds: Vec<Option<ErrorKind>> = report
        .outcomes
        .iter()
        .map(|o| o.error().map(|e| e.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            None,
            Some(ErrorKind::Protocol),
            Some(ErrorKind::Unreachable),
            Some(ErrorKind::Timeout),
            Some(ErrorKind::Parse),
            Some(ErrorKind::Auth),
            Some(ErrorKind::Tls),
            Some(ErrorKind::Protocol),
            None,
            Some(ErrorKind::Unreachable),
        ],
        "{:#?}",
        report.failures().collect::<Vec<_>>()
    );
    assert_eq!((report.discovered, report.failed), (2, 8));
    for i in [0, 8] {
        assert_eq!(report.outcomes[i].inventory().unwrap().nodes().len(), 2);
    }
    let http500 = report.outcomes[1].error().unwrap();
    assert!(http500.message.contains("HTTP 500"), "{}", http500.message);
}

#[tokio::test]
async fn a_per_bmc_deadline_bounds_slow_bmcs() {
    // Every request is answered, but slowly: only the deadline stops the crawl.
    let slow = spawn(
        SimBmcConfig::new(SyntheticBmc::new(1, 4).build()).latency(Duration::from_millis(150)),
    )
    .await;
    let mut options = fast_options();
    options.bmc_deadline = Duration::from_millis(500);
    let started = Instant::now();
    let outcome = discover_one(&slow, &options).await;
    assert!(started.elapsed() < Duration::from_millis(2000));
    let e = outcome.error().unwrap();
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert!(e.message.contains("per-BMC deadline"), "{}", e.message);
}

#[tokio::test]
async fn seeded_500s_are_retried_away() {
    // A third of requests fail with 500; three retries make success near certain, and the
    // seed makes it deterministic.
    let faults = Faults::rate(FaultKind::Status500, 0.3, 42);
    let bmc = spawn(SimBmcConfig::new(SyntheticBmc::new(3, 2).build()).faults(faults)).await;
    let mut options = fast_options();
    options.retry.max_retries = 4;
    options.per_bmc_parallelism = 1;
    discovered(&discover_one(&bmc, &options).await);
    assert!(bmc.stats().faults > 0);
}
