//! TLS: verified by default, trusted through a CA, or skipped explicitly.

use std::sync::Arc;

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::sim::{SimBmc, SimBmcConfig, SimTls, SyntheticBmc};
use ochami_redfish::{ErrorKind, Scheme};

use crate::common::fast_options;

#[tokio::test]
async fn ca_insecure_and_untrusted() {
    let tls = Arc::new(SimTls::generate().unwrap());
    let bmc = SimBmc::spawn(SimBmcConfig::new(SyntheticBmc::new(1, 1).build()).tls(tls.clone()))
        .await
        .unwrap();
    assert_eq!(bmc.target().scheme, Scheme::Https);

    let untrusted = discover_targets(vec![bmc.target()], &fast_options(), |_| {})
        .await
        .unwrap();
    assert_eq!(untrusted.outcomes[0].error().unwrap().kind, ErrorKind::Tls);

    let mut with_ca = fast_options();
    with_ca.ca_pem = Some(tls.ca_pem.clone().into_bytes());
    let r = discover_targets(vec![bmc.target()], &with_ca, |_| {})
        .await
        .unwrap();
    assert!(
        r.outcomes[0].inventory().is_some(),
        "{:?}",
        r.outcomes[0].error()
    );

    let mut insecure = fast_options();
    insecure.insecure = true;
    let r = discover_targets(vec![bmc.target()], &insecure, |_| {})
        .await
        .unwrap();
    assert!(
        r.outcomes[0].inventory().is_some(),
        "{:?}",
        r.outcomes[0].error()
    );

    // A CA file that is not PEM is a configuration error of the whole run.
    let mut bad = fast_options();
    bad.ca_pem = Some(b"garbage".to_vec());
    let err = discover_targets(vec![bmc.target()], &bad, |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}
