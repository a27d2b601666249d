//! TLS: verified by default, trusted through a CA, or skipped explicitly.

use std::sync::Arc;

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::sim::{SimBmcConfig, SimTls, SyntheticBmc};
use ochami_redfish::{ErrorKind, Scheme};

use crate::common::{discover_one, discovered, fast_options, spawn};

#[tokio::test]
async fn ca_insecure_and_untrusted() {
    let tls = Arc::new(SimTls::generate().unwrap());
    let bmc = spawn(SimBmcConfig::new(SyntheticBmc::new(1, 1).build()).tls(tls.clone())).await;
    assert_eq!(bmc.target().scheme, Scheme::Https);

    let untrusted = discover_one(&bmc, &fast_options()).await;
    assert_eq!(untrusted.error().unwrap().kind, ErrorKind::Tls);

    let mut with_ca = fast_options();
    with_ca.ca_pem = Some(tls.ca_pem.clone().into_bytes());
    discovered(&discover_one(&bmc, &with_ca).await);

    let mut insecure = fast_options();
    insecure.insecure = true;
    discovered(&discover_one(&bmc, &insecure).await);

    // A CA file that is not PEM is a configuration error of the whole run.
    let mut bad = fast_options();
    bad.ca_pem = Some(b"garbage".to_vec());
    let err = discover_targets(vec![bmc.target()], &bad, |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}
