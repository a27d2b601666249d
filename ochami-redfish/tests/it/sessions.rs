//! Redfish sessions: created, token reused, deleted on close, renewed when they expire;
//! Basic fallback.

use ochami_redfish::discovery::discover_targets;
use ochami_redfish::sim::{SimBmcConfig, SimFleet, SyntheticBmc};
use ochami_redfish::{
    AuthKind, AuthMode, ClientOptions, Credentials, DiscoveryEvent, ErrorKind, RedfishClient,
};

use crate::common::{
    connect, connect_with_creds, crawl_bmc, creds, fast_options, spawn, transport,
};

/// A synthetic BMC with `systems` nodes that requires [`creds`].
fn guarded(index: u32, systems: usize) -> SimBmcConfig {
    SimBmcConfig::new(SyntheticBmc::new(index, systems).build()).credentials(creds())
}

/// Client options with `credentials` and this auth mode.
fn with_mode(auth: AuthMode, credentials: Credentials) -> ClientOptions {
    ClientOptions {
        auth,
        ..ClientOptions::with_credentials(credentials)
    }
}

#[tokio::test]
async fn session_is_created_reused_and_deleted() {
    let bmc = spawn(guarded(1, 2)).await;
    let client = connect_with_creds(&bmc).await;
    assert_eq!(client.auth_kind(), AuthKind::Session);
    let inv = crawl_bmc(&client, &bmc).await.unwrap();
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
    let bmc = spawn(guarded(2, 1).session_service(false)).await;
    let client = connect_with_creds(&bmc).await;
    assert_eq!(client.auth_kind(), AuthKind::Basic);
    crawl_bmc(&client, &bmc).await.unwrap();
    client.close().await;
    let s = bmc.stats();
    assert_eq!(s.sessions_created, 0);
    assert_eq!(s.token_requests, 0);
    assert_eq!(s.basic_requests, s.requests - 1);

    // Session-only mode refuses a BMC without SessionService.
    let options = with_mode(AuthMode::Session, creds());
    let err = RedfishClient::connect(transport(), &bmc.base_url(), options)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn basic_mode_never_creates_sessions() {
    let bmc = spawn(guarded(3, 1)).await;
    let client = connect(&bmc, with_mode(AuthMode::Basic, creds())).await;
    client.get("/redfish/v1/Systems").await.unwrap();
    assert_eq!(bmc.stats().sessions_created, 0);
    assert_eq!(client.auth_kind(), AuthKind::Basic);
}

#[tokio::test]
async fn bad_credentials_are_auth_errors() {
    let bmc = spawn(guarded(4, 1)).await;
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
    let client = connect(&bmc, with_mode(AuthMode::Basic, wrong)).await;
    let err = client.get("/redfish/v1/Systems").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
}

#[tokio::test]
async fn an_expired_session_is_renewed_mid_crawl() {
    let bmc = spawn(guarded(6, 8).expire_sessions_after(20)).await;
    let client = connect_with_creds(&bmc).await;
    let inv = crawl_bmc(&client, &bmc).await.unwrap();
    assert_eq!(inv.nodes().len(), 8);
    let s = bmc.stats();
    // Budgets of 20 requests, more than the client keeps in flight (4 systems at once, 4
    // members each), so a renewed session never runs out before its retry is sent.
    assert!(s.sessions_expired >= 1, "{s:?}");
    // One new login per expiry, however many requests were in flight when it hit.
    assert_eq!(s.sessions_created, s.sessions_expired + 1, "{s:?}");
    assert_eq!(s.basic_requests, 0);
    assert_eq!(client.auth_kind(), AuthKind::Session);
    client.close().await;
    let s = bmc.stats();
    assert_eq!((s.sessions_deleted, s.active_sessions), (1, 0));
}

#[tokio::test]
async fn sessions_forgotten_by_the_bmc_are_renewed() {
    let bmc = spawn(guarded(7, 1)).await;
    let client = connect_with_creds(&bmc).await;
    client.get("/redfish/v1/Systems").await.unwrap();
    bmc.expire_sessions();
    let systems = client.get("/redfish/v1/Systems").await.unwrap();
    assert_eq!(systems["Members@odata.count"], 1);
    let s = bmc.stats();
    assert_eq!((s.sessions_created, s.sessions_expired), (2, 1));
    assert_eq!(s.unauthorized, 1);
}

#[tokio::test]
async fn a_401_after_the_new_login_is_an_auth_failure() {
    // Every token is refused on first use: the renewed session is refused too.
    let bmc = spawn(guarded(8, 1).expire_sessions_after(0)).await;
    let client = connect_with_creds(&bmc).await;
    let err = client.get("/redfish/v1/Systems").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: authentication failed for user \"root\" on /redfish/v1/Systems (HTTP 401)",
            bmc.base_url()
        )
    );
    let s = bmc.stats();
    // The first login, then exactly one more.
    assert_eq!((s.sessions_created, s.unauthorized), (2, 2));
    let shown = format!("{err} {err:?} {client:?}");
    assert!(!shown.contains("sim-password-1"), "{shown}");
    assert!(!shown.contains("simtoken-"), "{shown}");
}

#[tokio::test]
async fn discovery_reports_no_auth_failure_for_expiring_sessions() {
    let fleet = SimFleet::spawn(3, |i| guarded(20 + i as u32, 4).expire_sessions_after(20))
        .await
        .unwrap();
    let report = discover_targets(fleet.targets(), &fast_options(), |_: &DiscoveryEvent| {})
        .await
        .unwrap();
    assert_eq!((report.discovered, report.failed), (3, 0));
    for bmc in fleet.bmcs() {
        assert!(bmc.stats().sessions_expired >= 1);
    }
}
