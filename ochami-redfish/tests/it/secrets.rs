//! Credentials never appear in Debug/Display of options, errors or reports.

use std::collections::HashMap;

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::sim::{SimBmc, SimBmcConfig, SyntheticBmc};
use ochami_redfish::{ClientOptions, Credentials, DiscoveryEvent};

use crate::common::fast_options;

const PASSWORD: &str = "Pa55-w0rd-never-printed";
const OTHER: &str = "per-host-secret-9876";

#[tokio::test]
async fn nothing_leaks() {
    let good = Credentials::new("admin", PASSWORD);
    let ok =
        SimBmc::spawn(SimBmcConfig::new(SyntheticBmc::new(1, 1).build()).credentials(good.clone()))
            .await
            .unwrap();
    let refused = SimBmc::spawn(
        SimBmcConfig::new(SyntheticBmc::new(2, 1).build())
            .credentials(Credentials::new("admin", "x")),
    )
    .await
    .unwrap();
    let mut options = fast_options();
    options.credentials = Some(good.clone());
    options.per_host_credentials = HashMap::from([(
        format!("127.0.0.1:{}", refused.addr().port()),
        Credentials::new("admin", OTHER),
    )]);
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let report = discover_targets(
        vec![ok.target(), refused.target()],
        &options,
        move |e: &DiscoveryEvent| {
            sink.lock()
                .unwrap()
                .push(format!("{e:?} {}", serde_json::to_string(e).unwrap()));
        },
    )
    .await
    .unwrap();
    assert!(report.outcomes[0].inventory().is_some());
    assert_eq!(
        report.outcomes[1].error().unwrap().kind,
        ochami_redfish::ErrorKind::Auth
    );

    let texts = [
        format!("{options:?}"),
        format!("{good:?}"),
        format!("{:?}", ClientOptions::with_credentials(good.clone())),
        format!("{report:?}"),
        serde_json::to_string(&report).unwrap(),
        report
            .failures()
            .map(|(_, e)| e.to_string())
            .collect::<String>(),
        events.lock().unwrap().join("\n"),
    ];
    for t in &texts {
        assert!(!t.contains(PASSWORD), "password leaked: {t}");
        assert!(!t.contains(OTHER), "per-host password leaked: {t}");
        assert!(!t.contains("simtoken-"), "session token leaked: {t}");
    }
    // The user name is fine to show; the ingest body carries it, with an empty password.
    let inv = report.outcomes[0].inventory().unwrap();
    assert_eq!(inv.ingest.endpoint.user, "admin");
    assert_eq!(inv.ingest.endpoint.password, "");
}
