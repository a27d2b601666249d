//! Redfish sessions: created, token reused, deleted on close; Basic fallback.

use std::sync::Arc;

use ochami_redfish::sim::{SimBmc, SimBmcConfig, SyntheticBmc};
use ochami_redfish::{
    AuthKind, AuthMode, ClientOptions, CrawlOptions, Credentials, ErrorKind, HttpTransport,
    RedfishClient, TransportOptions, crawl,
};

use crate::common::creds;

fn transport() -> Arc<HttpTransport> {
    Arc::new(HttpTransport::new(&TransportOptions::default()).unwrap())
}

#[tokio::test]
async fn session_is_created_reused_and_deleted() {
    let bmc =
        SimBmc::spawn(SimBmcConfig::new(SyntheticBmc::new(1, 2).build()).credentials(creds()))
            .await
            .unwrap();
    let client = RedfishClient::connect(
        transport(),
        &bmc.base_url(),
        ClientOptions::with_credentials(creds()),
    )
    .await
    .unwrap();
    assert_eq!(client.auth_kind(), AuthKind::Session);
    let inv = crawl(
        &client,
        &bmc.target(),
        "x1000c0s0b0".parse().unwrap(),
        &CrawlOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(inv.nodes().len(), 2);
    let before = bmc.stats();
    assert_eq!(before.sessions_created, 1);
    assert_eq!(before.active_sessions, 1);
    // Every request after the service root and the login used the token.
    assert_eq!(before.token_requests, before.requests - 2);
    assert_eq!(before.basic_requests, 0);
    client.close().await;
    client.close().await; // harmless twice
    let after = bmc.stats();
    assert_eq!(after.sessions_deleted, 1);
    assert_eq!(after.active_sessions, 0);
    assert_eq!(after.requests, before.requests + 1);
}

#[tokio::test]
async fn basic_when_there_is_no_session_service() {
    let bmc = SimBmc::spawn(
        SimBmcConfig::new(SyntheticBmc::new(2, 1).build())
            .credentials(creds())
            .session_service(false),
    )
    .await
    .unwrap();
    let client = RedfishClient::connect(
        transport(),
        &bmc.base_url(),
        ClientOptions::with_credentials(creds()),
    )
    .await
    .unwrap();
    assert_eq!(client.auth_kind(), AuthKind::Basic);
    crawl(
        &client,
        &bmc.target(),
        "x1000c0s0b0".parse().unwrap(),
        &CrawlOptions::default(),
    )
    .await
    .unwrap();
    client.close().await;
    let s = bmc.stats();
    assert_eq!(s.sessions_created, 0);
    assert_eq!(s.token_requests, 0);
    assert_eq!(s.basic_requests, s.requests - 1);

    // Session-only mode refuses a BMC without SessionService.
    let options = ClientOptions {
        auth: AuthMode::Session,
        ..ClientOptions::with_credentials(creds())
    };
    let err = RedfishClient::connect(transport(), &bmc.base_url(), options)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn basic_mode_never_creates_sessions() {
    let bmc =
        SimBmc::spawn(SimBmcConfig::new(SyntheticBmc::new(3, 1).build()).credentials(creds()))
            .await
            .unwrap();
    let options = ClientOptions {
        auth: AuthMode::Basic,
        ..ClientOptions::with_credentials(creds())
    };
    let client = RedfishClient::connect(transport(), &bmc.base_url(), options)
        .await
        .unwrap();
    client.get("/redfish/v1/Systems").await.unwrap();
    assert_eq!(bmc.stats().sessions_created, 0);
    assert_eq!(client.auth_kind(), AuthKind::Basic);
}

#[tokio::test]
async fn bad_credentials_are_auth_errors() {
    let bmc =
        SimBmc::spawn(SimBmcConfig::new(SyntheticBmc::new(4, 1).build()).credentials(creds()))
            .await
            .unwrap();
    let wrong = Credentials::new("root", "nope-nope");
    let err = RedfishClient::connect(
        transport(),
        &bmc.base_url(),
        ClientOptions::with_credentials(wrong.clone()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(!err.to_string().contains("nope-nope"));
    // Basic with wrong credentials: connect succeeds, the first read is refused.
    let options = ClientOptions {
        auth: AuthMode::Basic,
        ..ClientOptions::with_credentials(wrong)
    };
    let client = RedfishClient::connect(transport(), &bmc.base_url(), options)
        .await
        .unwrap();
    let err = client.get("/redfish/v1/Systems").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
}
