//! The simulator's writes over raw HTTP: what a real BMC answers to resets and Boot PATCHes.

use std::time::Duration;

use ochami_redfish::sim::{
    FaultKind, Faults, SimAction, SimBmc, SimBmcConfig, SimQuirks, SyntheticBmc,
};
use serde_json::{Value, json};

use crate::common::{creds, spawn};

const NODE0: &str = "/redfish/v1/Systems/Node0";
const RESET0: &str = "/redfish/v1/Systems/Node0/Actions/ComputerSystem.Reset";

fn synthetic() -> SimBmcConfig {
    SimBmcConfig::new(SyntheticBmc::new(3, 2).build()).credentials(creds())
}

async fn post(bmc: &SimBmc, path: &str, body: Value, password: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", bmc.base_url()))
        .basic_auth("root", Some(password))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn patch(bmc: &SimBmc, body: Value, if_match: Option<&str>) -> (u16, Value) {
    let mut rb = reqwest::Client::new()
        .patch(format!("{}{NODE0}", bmc.base_url()))
        .basic_auth("root", Some(creds().password.expose()))
        .json(&body);
    if let Some(tag) = if_match {
        rb = rb.header("If-Match", tag);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get_system(bmc: &SimBmc) -> (Value, String) {
    let r = reqwest::Client::new()
        .get(format!("{}{NODE0}", bmc.base_url()))
        .basic_auth("root", Some(creds().password.expose()))
        .send()
        .await
        .unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    (r.json().await.unwrap(), etag)
}

fn pw() -> String {
    creds().password.expose().to_owned()
}

#[tokio::test]
async fn reset_changes_power_state_through_the_transition_states() {
    let bmc = spawn(synthetic().power_delay(Duration::from_secs(3))).await;
    assert_eq!(bmc.power_state(NODE0).as_deref(), Some("On"));
    let (status, _) = post(&bmc, RESET0, json!({"ResetType": "ForceOff"}), &pw()).await;
    assert_eq!(status, 204);
    let (body, _) = get_system(&bmc).await;
    assert_eq!(body["PowerState"], "PoweringOff");
    // On while powering off turns back to powering on.
    let (status, _) = post(&bmc, RESET0, json!({"ResetType": "On"}), &pw()).await;
    assert_eq!(status, 204);
    assert_eq!(bmc.power_state(NODE0).as_deref(), Some("PoweringOn"));
    assert_eq!(bmc.stats().reset_actions, 2);
    assert_eq!(
        bmc.actions(),
        [
            SimAction::Reset {
                system: NODE0.into(),
                reset_type: "ForceOff".into(),
                status: 204
            },
            SimAction::Reset {
                system: NODE0.into(),
                reset_type: "On".into(),
                status: 204
            },
        ]
    );
}

#[tokio::test]
async fn zero_delay_shows_the_new_state_at_once() {
    let bmc = spawn(synthetic()).await;
    let (status, _) = post(
        &bmc,
        RESET0,
        json!({"ResetType": "GracefulShutdown"}),
        &pw(),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(get_system(&bmc).await.0["PowerState"], "Off");
    // A restart of a system that is off powers it on.
    post(&bmc, RESET0, json!({"ResetType": "ForceRestart"}), &pw()).await;
    assert_eq!(bmc.power_state(NODE0).as_deref(), Some("On"));
}

#[tokio::test]
async fn unknown_or_missing_reset_type_is_a_400_with_a_redfish_error() {
    let bmc = spawn(synthetic()).await;
    let (status, body) = post(&bmc, RESET0, json!({"ResetType": "PowerCycle"}), &pw()).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["code"],
        "Base.1.8.ActionParameterNotSupported"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("PowerCycle")
    );
    let (status, body) = post(&bmc, RESET0, json!({}), &pw()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "Base.1.8.ActionParameterMissing");
    assert_eq!(bmc.power_state(NODE0).as_deref(), Some("On"));
    assert_eq!(
        bmc.stats().reset_actions,
        2,
        "refused resets are counted too"
    );
}

#[tokio::test]
async fn wrong_credentials_are_a_401_and_change_nothing() {
    let bmc = spawn(synthetic()).await;
    let (status, body) = post(&bmc, RESET0, json!({"ResetType": "ForceOff"}), "wrong").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "Base.1.8.NoValidSession");
    assert_eq!(bmc.power_state(NODE0).as_deref(), Some("On"));
    assert!(bmc.actions().is_empty());
    assert_eq!(bmc.stats().unauthorized, 1);
}

#[tokio::test]
async fn faults_apply_to_writes() {
    let bmc = spawn(synthetic().faults(Faults::always(FaultKind::Status500))).await;
    let (status, _) = post(&bmc, RESET0, json!({"ResetType": "ForceOff"}), &pw()).await;
    assert_eq!(status, 500);
    assert_eq!(bmc.power_state(NODE0).as_deref(), Some("On"));
    assert_eq!(bmc.stats().faults, 1);
}

#[tokio::test]
async fn boot_patch_checks_values_and_etags() {
    let quirks = SimQuirks {
        require_if_match: true,
        ..SimQuirks::default()
    };
    let bmc = spawn(synthetic().quirks(quirks)).await;
    let (system, etag) = get_system(&bmc).await;
    assert_eq!(system["@odata.etag"], etag.as_str());
    let pxe =
        json!({"Boot": {"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Once"}});
    let (status, body) = patch(&bmc, pxe.clone(), None).await;
    assert_eq!(status, 428);
    assert_eq!(body["error"]["code"], "Base.1.8.PreconditionRequired");
    let (status, body) = patch(&bmc, pxe.clone(), Some("W/\"stale\"")).await;
    assert_eq!(status, 412);
    assert_eq!(body["error"]["code"], "Base.1.8.PreconditionFailed");
    let cd = json!({"Boot": {"BootSourceOverrideTarget": "Cd"}});
    let (status, body) = patch(&bmc, cd, Some(&etag)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "Base.1.8.PropertyValueNotInList");
    let (status, _) = patch(&bmc, pxe, Some(&etag)).await;
    assert_eq!(status, 204);
    let (system, new_etag) = get_system(&bmc).await;
    assert_eq!(system["Boot"]["BootSourceOverrideTarget"], "Pxe");
    assert_eq!(system["Boot"]["BootSourceOverrideEnabled"], "Once");
    assert_eq!(system["Boot"]["BootSourceOverrideMode"], "UEFI");
    assert_ne!(new_etag, etag, "an applied PATCH changes the ETag");
    assert_eq!(bmc.stats().patches, 4);
    let read_only = json!({"PowerState": "Off"});
    let (status, body) = patch(&bmc, read_only, Some(&new_etag)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "Base.1.8.PropertyNotWritable");
}
